/*
 * A miniature signed DNS tree for tests (see minizone.h).
 */
#include <stdlib.h>
#include <string.h>

#include "minizone.h"

#define MZ_MAX 16

struct mz_zone {
	ldns_rdf	*name;
	ldns_key_list	*keys;
	ldns_rr		*dnskey;
	ldns_rr_list	*rrs;		/* all RRs, NSEC included */
	ldns_rr_list	*sigs;
	enum mz_ds	 ds;
	uint16_t	 zsk_tag;	/* with a separate ZSK */
};

struct mz {
	time_t		 now;
	struct mz_zone	 z[MZ_MAX];	/* z[0] is the root */
	size_t		 n;
};

static ldns_rr *
rr(const char *s)
{
	ldns_rr *r = NULL;

	if (ldns_rr_new_frm_str(&r, s, 3600, NULL, NULL) != LDNS_STATUS_OK)
		return NULL;
	ldns_rr2canonical(r);
	return r;
}

static int
push(ldns_rr_list *l, ldns_rr *r)
{
	if (r == NULL || !ldns_rr_list_push_rr(l, r)) {
		ldns_rr_free(r);
		return -1;
	}
	return 0;
}

static ldns_key *
new_key_alg(const struct mz *m, const ldns_rdf *owner, ldns_rr **dnskey,
    ldns_signing_algorithm alg, int bits, uint16_t flags)
{
	ldns_key *k = ldns_key_new_frm_algorithm(alg, bits);

	if (k == NULL)
		return NULL;
	ldns_key_set_pubkey_owner(k, ldns_rdf_clone(owner));
	ldns_key_set_flags(k, flags);
	ldns_key_set_inception(k, (uint32_t)(m->now - 86400));
	ldns_key_set_expiration(k, (uint32_t)(m->now + 30 * 86400));
	if ((*dnskey = ldns_key2rr(k)) == NULL) {
		ldns_key_deep_free(k);
		return NULL;
	}
	ldns_rr_set_ttl(*dnskey, 3600);
	ldns_key_set_keytag(k, ldns_calc_keytag(*dnskey));
	return k;
}

static ldns_key *
new_key(const struct mz *m, const ldns_rdf *owner, ldns_rr **dnskey)
{
	return new_key_alg(m, owner, dnskey, LDNS_SIGN_ECDSAP256SHA256, 256,
	    257);
}

static int
zone_init(struct mz *m, struct mz_zone *z, const char *name)
{
	const char *sfx = strcmp(name, ".") == 0 ? "" : name;
	bool rsa = z->ds == MZ_RSA_SHORT;
	char buf[512];
	ldns_key *k, *zsk;
	ldns_rr *zsk_rr;

	if ((z->name = ldns_dname_new_frm_str(name)) == NULL ||
	    (z->rrs = ldns_rr_list_new()) == NULL ||
	    (z->sigs = ldns_rr_list_new()) == NULL ||
	    (z->keys = ldns_key_list_new()) == NULL ||
	    (k = rsa ? new_key_alg(m, z->name, &z->dnskey,
	    LDNS_SIGN_RSASHA256, 1024, 257) : new_key(m, z->name,
	    &z->dnskey)) == NULL)
		return -1;
	ldns_key_list_push_key(z->keys, k);
	/* A separate ZSK where a case needs one. */
	if (z->ds == MZ_DNSKEY_BY_ZSK || rsa) {
		if ((zsk = rsa ? new_key_alg(m, z->name, &zsk_rr,
		    LDNS_SIGN_RSASHA256, 1024, 256) : new_key_alg(m, z->name,
		    &zsk_rr, LDNS_SIGN_ECDSAP256SHA256, 256, 256)) == NULL)
			return -1;
		ldns_key_list_push_key(z->keys, zsk);
		z->zsk_tag = ldns_calc_keytag(zsk_rr);
		if (push(z->rrs, zsk_rr) != 0)
			return -1;
	}
	snprintf(buf, sizeof(buf), "%s 3600 IN SOA ns.%s host.%s 1 3600 600 "
	    "86400 60", name, sfx, sfx);
	if (push(z->rrs, rr(buf)) != 0 ||
	    push(z->rrs, ldns_rr_clone(z->dnskey)) != 0)
		return -1;
	return 0;
}

struct mz *
mz_new(time_t now)
{
	struct mz *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->now = now;
	m->n = 1;
	if (zone_init(m, &m->z[0], ".") != 0) {
		mz_free(m);
		return NULL;
	}
	return m;
}

int
mz_add_child(struct mz *m, const char *name, enum mz_ds ds)
{
	struct mz_zone *z, *root = &m->z[0];
	char buf[512];
	ldns_rr *d = NULL, *other = NULL;
	ldns_key *ok;

	if (m->n == MZ_MAX)
		return -1;
	z = &m->z[m->n++];
	z->ds = ds;
	if (zone_init(m, z, name) != 0)
		return -1;
	snprintf(buf, sizeof(buf), "%s 3600 IN TXT \"v=spf1 -all\"", name);
	if (push(z->rrs, rr(buf)) != 0)
		return -1;
	snprintf(buf, sizeof(buf), "%s 3600 IN MX 10 mail.%s", name, name);
	if (push(z->rrs, rr(buf)) != 0)
		return -1;
	snprintf(buf, sizeof(buf), "%s 3600 IN NS ns.%s", name, name);
	if (push(root->rrs, rr(buf)) != 0)
		return -1;
	switch (ds) {
	case MZ_DS_NONE:
		return 0;
	case MZ_DS_MISMATCH:
		if ((ok = new_key(m, z->name, &other)) == NULL)
			return -1;
		d = ldns_key_rr2ds(other, LDNS_SHA256);
		ldns_key_deep_free(ok);
		ldns_rr_free(other);
		break;
	case MZ_DS_EXTRA_ALG:
		snprintf(buf, sizeof(buf), "%s 3600 IN DS 4711 8 2 %s", name,
		    "5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A"
		    "5A5A");
		if (push(root->rrs, rr(buf)) != 0)
			return -1;
		/* FALLTHROUGH */
	default:
		d = ldns_key_rr2ds(z->dnskey, LDNS_SHA256);
		break;
	}
	if (d != NULL)
		ldns_rr_set_ttl(d, 3600);
	return push(root->rrs, d);
}

static int
cmp_owner(const void *a, const void *b)
{
	return ldns_dname_compare(*(ldns_rdf *const *)a,
	    *(ldns_rdf *const *)b);
}

/* An NSEC per owner, in canonical order, the last pointing at the apex. */
static int
zone_nsec(struct mz_zone *z)
{
	size_t n = ldns_rr_list_rr_count(z->rrs), k = 0;
	ldns_rdf **own = calloc(n, sizeof(*own));
	int rc = -1;

	if (own == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		ldns_rdf *o = ldns_rr_owner(ldns_rr_list_rr(z->rrs, i));
		bool dup = false;

		for (size_t j = 0; j < k && !dup; j++)
			dup = ldns_dname_compare(own[j], o) == 0;
		if (!dup)
			own[k++] = o;
	}
	qsort(own, k, sizeof(*own), cmp_owner);
	for (size_t i = 0; i < k; i++) {
		ldns_rr_list *at = ldns_rr_list_new();
		ldns_rr *nsec;

		for (size_t j = 0; at && j < n; j++)
			if (ldns_dname_compare(ldns_rr_owner(
			    ldns_rr_list_rr(z->rrs, j)), own[i]) == 0)
				ldns_rr_list_push_rr(at,
				    ldns_rr_list_rr(z->rrs, j));
		nsec = at ? ldns_create_nsec(own[i], own[(i + 1) % k], at) :
		    NULL;
		ldns_rr_list_free(at);
		if (nsec == NULL)
			goto out;
		ldns_rr_set_ttl(nsec, 60);
		if (push(z->rrs, nsec) != 0)
			goto out;
	}
	rc = 0;
out:
	free(own);
	return rc;
}

/* Sign every RRset but the NS RRsets of delegations. */
static int
zone_sign(struct mz_zone *z)
{
	size_t n = ldns_rr_list_rr_count(z->rrs);
	bool *done = calloc(n, sizeof(*done));
	int rc = -1;

	if (done == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		ldns_rr *a = ldns_rr_list_rr(z->rrs, i);
		ldns_rr_list *set, *sigs;

		if (done[i])
			continue;
		if ((set = ldns_rr_list_new()) == NULL)
			goto out;
		for (size_t j = i; j < n; j++) {
			ldns_rr *b = ldns_rr_list_rr(z->rrs, j);

			if (!done[j] && ldns_rr_get_type(a) ==
			    ldns_rr_get_type(b) && ldns_dname_compare(
			    ldns_rr_owner(a), ldns_rr_owner(b)) == 0) {
				done[j] = true;
				ldns_rr_list_push_rr(set, b);
			}
		}
		if (ldns_rr_get_type(a) == LDNS_RR_TYPE_NS &&
		    ldns_dname_compare(ldns_rr_owner(a), z->name) != 0) {
			ldns_rr_list_free(set);
			continue;
		}
		sigs = ldns_sign_public(set, z->keys);
		ldns_rr_list_free(set);
		if (sigs == NULL)
			goto out;
		ldns_rr_list_push_rr_list(z->sigs, sigs);
		ldns_rr_list_free(sigs);
	}
	rc = 0;
out:
	free(done);
	return rc;
}

/* Drop the RRs (from rrs) or RRSIGs (from sigs) of one type; with tag,
 * only the RRSIGs that key made. */
static void
drop_type_tag(ldns_rr_list *l, ldns_rr_type t, bool sigs, int tag)
{
	ldns_rr_list *keep = ldns_rr_list_new();

	while (keep != NULL && ldns_rr_list_rr_count(l) > 0) {
		ldns_rr *r = ldns_rr_list_pop_rr(l);
		ldns_rr_type rt = sigs ? ldns_rdf2rr_type(
		    ldns_rr_rrsig_typecovered(r)) : ldns_rr_get_type(r);

		if (rt == t && (tag < 0 || ldns_rdf2native_int16(
		    ldns_rr_rrsig_keytag(r)) == tag))
			ldns_rr_free(r);
		else
			ldns_rr_list_push_rr(keep, r);
	}
	while (keep != NULL && ldns_rr_list_rr_count(keep) > 0)
		ldns_rr_list_push_rr(l, ldns_rr_list_pop_rr(keep));
	ldns_rr_list_free(keep);
}

static void
drop_type(ldns_rr_list *l, ldns_rr_type t, bool sigs)
{
	drop_type_tag(l, t, sigs, -1);
}

/* The root signs the DS RRset of z anew, expiring in 2 days. */
static int
short_ds_sig(struct mz *m, const struct mz_zone *z)
{
	struct mz_zone *root = &m->z[0];
	ldns_key *k = ldns_key_list_key(root->keys, 0);
	ldns_rr_list *set = ldns_rr_list_new(), *sigs, *keep;
	int rc = -1;

	for (size_t i = 0; set && i < ldns_rr_list_rr_count(root->rrs); i++) {
		ldns_rr *r = ldns_rr_list_rr(root->rrs, i);

		if (ldns_rr_get_type(r) == LDNS_RR_TYPE_DS &&
		    ldns_dname_compare(ldns_rr_owner(r), z->name) == 0)
			ldns_rr_list_push_rr(set, r);
	}
	ldns_key_set_expiration(k, (uint32_t)(m->now + 2 * 86400));
	sigs = set != NULL ? ldns_sign_public(set, root->keys) : NULL;
	ldns_key_set_expiration(k, (uint32_t)(m->now + 30 * 86400));
	if (sigs == NULL || (keep = ldns_rr_list_new()) == NULL)
		goto out;
	/* Replace the old RRSIG over that DS RRset. */
	while (ldns_rr_list_rr_count(root->sigs) > 0) {
		ldns_rr *s = ldns_rr_list_pop_rr(root->sigs);

		if (ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(s)) ==
		    LDNS_RR_TYPE_DS && ldns_dname_compare(ldns_rr_owner(s),
		    z->name) == 0)
			ldns_rr_free(s);
		else
			ldns_rr_list_push_rr(keep, s);
	}
	ldns_rr_list_push_rr_list(root->sigs, keep);
	ldns_rr_list_push_rr_list(root->sigs, sigs);
	ldns_rr_list_free(keep);
	rc = 0;
out:
	ldns_rr_list_free(sigs);
	ldns_rr_list_free(set);
	return rc;
}

int
mz_finish(struct mz *m)
{
	for (size_t i = 0; i < m->n; i++) {
		struct mz_zone *z = &m->z[i];

		if (zone_nsec(z) != 0 || zone_sign(z) != 0)
			return -1;
		if (z->ds == MZ_NO_DNSKEY) {
			drop_type(z->rrs, LDNS_RR_TYPE_DNSKEY, false);
			drop_type(z->sigs, LDNS_RR_TYPE_DNSKEY, true);
		} else if (z->ds == MZ_UNSIGNED_TXT ||
		    z->ds == MZ_FOREIGN_SIG_TXT)
			drop_type(z->sigs, LDNS_RR_TYPE_TXT, true);
		else if (z->ds == MZ_DNSKEY_BY_ZSK)
			drop_type_tag(z->sigs, LDNS_RR_TYPE_DNSKEY, true,
			    ldns_calc_keytag(z->dnskey));
	}
	for (size_t i = 1; i < m->n; i++)
		if (m->z[i].ds == MZ_DS_SHORT_SIG && short_ds_sig(m, &m->z[i]))
			return -1;
	return 0;
}

ldns_rr_list *
mz_anchors(const struct mz *m)
{
	ldns_rr_list *l = ldns_rr_list_new();

	if (l != NULL)
		ldns_rr_list_push_rr(l, ldns_rr_clone(m->z[0].dnskey));
	return l;
}

/* Copy RRs (and their RRSIGs) of owner/type from z into section sec. */
static size_t
copy_set(const struct mz_zone *z, ldns_pkt *p, ldns_pkt_section sec,
    const ldns_rdf *owner, ldns_rr_type type)
{
	size_t n = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(z->rrs); i++) {
		ldns_rr *r = ldns_rr_list_rr(z->rrs, i);

		if (ldns_rr_get_type(r) == type && (owner == NULL ||
		    ldns_dname_compare(ldns_rr_owner(r), owner) == 0)) {
			ldns_pkt_push_rr(p, sec, ldns_rr_clone(r));
			n++;
		}
	}
	for (size_t i = 0; n > 0 && i < ldns_rr_list_rr_count(z->sigs); i++) {
		ldns_rr *s = ldns_rr_list_rr(z->sigs, i);

		if (ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(s)) == type &&
		    (owner == NULL ||
		    ldns_dname_compare(ldns_rr_owner(s), owner) == 0))
			ldns_pkt_push_rr(p, sec, ldns_rr_clone(s));
	}
	return n;
}

/* An RRSIG over the TXT at q whose signer is a name below the zone. */
static void
foreign_sig(const struct mz_zone *z, ldns_pkt *p, const ldns_rdf *q)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(z->sigs); i++) {
		ldns_rr *s = ldns_rr_list_rr(z->sigs, i), *c;
		ldns_rdf *below, *old, *x;

		if (ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(s)) !=
		    LDNS_RR_TYPE_SOA)
			continue;
		x = ldns_dname_new_frm_str("x");
		c = ldns_rr_clone(s);
		old = ldns_rr_owner(c);
		ldns_rr_set_owner(c, ldns_rdf_clone(q));
		ldns_rdf_deep_free(old);
		ldns_rr_rrsig_set_typecovered(c, ldns_native2rdf_int16(
		    LDNS_RDF_TYPE_TYPE, LDNS_RR_TYPE_TXT));
		below = ldns_dname_cat_clone(x, z->name);
		ldns_rr_rrsig_set_signame(c, below);
		ldns_rdf_deep_free(x);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, c);
		return;
	}
}

static bool
name_exists(const struct mz_zone *z, const ldns_rdf *q)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(z->rrs); i++)
		if (ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(z->rrs,
		    i)), q) == 0)
			return true;
	return false;
}

ldns_pkt *
mz_answer(const struct mz *m, const char *qname, ldns_rr_type qtype,
    enum hy_dns_status *st)
{
	ldns_rdf *q = ldns_dname_new_frm_str(qname);
	const struct mz_zone *z = &m->z[0], *child = NULL;
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr *qr = ldns_rr_new();

	*st = HY_DNS_ERROR;
	if (q == NULL || p == NULL || qr == NULL) {
		ldns_rdf_deep_free(q);
		ldns_pkt_free(p);
		ldns_rr_free(qr);
		return NULL;
	}
	ldns_dname2canonical(q);
	ldns_rr_set_owner(qr, ldns_rdf_clone(q));
	ldns_rr_set_type(qr, qtype);
	ldns_rr_set_class(qr, LDNS_RR_CLASS_IN);
	ldns_rr_set_question(qr, true);
	ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, qr);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_cd(p, true);
	for (size_t i = 1; i < m->n; i++)
		if (ldns_dname_compare(q, m->z[i].name) == 0 ||
		    ldns_dname_is_subdomain(q, m->z[i].name))
			child = &m->z[i];
	/* DS lives at the parent side of the cut. */
	if (child != NULL && !(qtype == LDNS_RR_TYPE_DS &&
	    ldns_dname_compare(q, child->name) == 0))
		z = child;
	/* The root answers the child's SOA question with its own records. */
	if (child != NULL && child->ds == MZ_SOA_FROM_PARENT &&
	    qtype == LDNS_RR_TYPE_SOA && ldns_dname_compare(q,
	    child->name) == 0) {
		copy_set(&m->z[0], p, LDNS_SECTION_AUTHORITY, m->z[0].name,
		    LDNS_RR_TYPE_SOA);
		copy_set(&m->z[0], p, LDNS_SECTION_AUTHORITY, child->name,
		    LDNS_RR_TYPE_NSEC);
		*st = HY_DNS_NODATA;
		goto out;
	}
	if (child != NULL && z == &m->z[0] &&
	    (child->ds == MZ_DS_STRIPPED || child->ds == MZ_DS_CHILD_NSEC)) {
		copy_set(z, p, LDNS_SECTION_AUTHORITY, z->name,
		    LDNS_RR_TYPE_SOA);
		if (child->ds == MZ_DS_CHILD_NSEC)
			copy_set(child, p, LDNS_SECTION_AUTHORITY, child->name,
			    LDNS_RR_TYPE_NSEC);
		*st = HY_DNS_NODATA;
		goto out;
	}
	if (copy_set(z, p, LDNS_SECTION_ANSWER, q, qtype) > 0) {
		if (z->ds == MZ_FOREIGN_SIG_TXT && qtype == LDNS_RR_TYPE_TXT)
			foreign_sig(z, p, q);
		*st = HY_DNS_ANSWER;
		goto out;
	}
	copy_set(z, p, LDNS_SECTION_AUTHORITY, z->name, LDNS_RR_TYPE_SOA);
	if (name_exists(z, q)) {
		copy_set(z, p, LDNS_SECTION_AUTHORITY, q, LDNS_RR_TYPE_NSEC);
		*st = HY_DNS_NODATA;
	} else {
		copy_set(z, p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC);
		ldns_pkt_set_rcode(p, LDNS_RCODE_NXDOMAIN);
		*st = HY_DNS_NXDOMAIN;
	}
out:
	ldns_rdf_deep_free(q);
	return p;
}

void
mz_free(struct mz *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		struct mz_zone *z = &m->z[i];

		ldns_rdf_deep_free(z->name);
		ldns_key_list_free(z->keys);
		ldns_rr_free(z->dnskey);
		ldns_rr_list_deep_free(z->rrs);
		ldns_rr_list_deep_free(z->sigs);
	}
	free(m);
}
