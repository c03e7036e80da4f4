/*
 * Judging one answer: is every RRset in it that the answer rests on
 * validated, and does it prove what it claims?
 *
 * An answer is followed link by link (CNAME and DNAME, RFC 6672 §5.3.1)
 * down to its data or its denial. Each link belongs to the zone that
 * signed it: the RRSIG's signer, which must be the link's owner or above
 * it (RFC 4035 §5.3.1). The walk validates that zone through its own
 * chain from the trust anchor; if it knows a validated zone cut between
 * the signer and the owner, the signer cannot be the owner's zone and
 * the link is bogus. Unsigned links belong to the zone an SOA query for
 * them names. A denial's zone is the signer of its NSEC/NSEC3 records
 * (else the owner of its SOA), and every SOA, NSEC and NSEC3 RRset of
 * that zone in the authority section must validate, as unbound requires.
 *
 * In the collect pass nothing is validated: the walk only learns which
 * zones the answer needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnssec_int.h"

#define MAX_CHAIN	8	/* CNAME/DNAME links followed */

/* ---- helpers shared with dnssec_walk.c ---------------------------------- */

ldns_rdf *
hy_dnssec_dname(const char *s)
{
	ldns_rdf *d = NULL;

	/* Not ldns_dname_new_frm_str(): out of memory, it asserts. */
	if (ldns_str2rdf_dname(&d, s) != LDNS_STATUS_OK || d == NULL) {
		ldns_rdf_deep_free(d);
		return NULL;
	}
	ldns_dname2canonical(d);
	return d;
}

char *
hy_dnssec_dname_str(const ldns_rdf *d)
{
	char *s = ldns_rdf2str(d);

	if (s != NULL)
		for (char *p = s; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p += 'a' - 'A';
	return s;
}

const ldns_rr_list *
hy_dnssec_section(const ldns_pkt *p, ldns_pkt_section sec)
{
	switch (sec) {
	case LDNS_SECTION_QUESTION:
		return ldns_pkt_question(p);
	case LDNS_SECTION_ANSWER:
		return ldns_pkt_answer(p);
	case LDNS_SECTION_AUTHORITY:
		return ldns_pkt_authority(p);
	case LDNS_SECTION_ADDITIONAL:
		return ldns_pkt_additional(p);
	default:
		return NULL;
	}
}

ldns_pkt *
hy_dnssec_pkt_copy(const ldns_pkt *p)
{
	static const ldns_pkt_section secs[] = { LDNS_SECTION_QUESTION,
	    LDNS_SECTION_ANSWER, LDNS_SECTION_AUTHORITY,
	    LDNS_SECTION_ADDITIONAL };
	ldns_pkt *c = ldns_pkt_new();

	/* Not ldns_pkt_clone(): out of memory, it dereferences NULL. */
	if (c == NULL || ldns_pkt_question(c) == NULL ||
	    ldns_pkt_answer(c) == NULL || ldns_pkt_authority(c) == NULL ||
	    ldns_pkt_additional(c) == NULL)
		goto fail;
	ldns_pkt_set_id(c, ldns_pkt_id(p));
	ldns_pkt_set_qr(c, ldns_pkt_qr(p));
	ldns_pkt_set_aa(c, ldns_pkt_aa(p));
	ldns_pkt_set_tc(c, ldns_pkt_tc(p));
	ldns_pkt_set_rd(c, ldns_pkt_rd(p));
	ldns_pkt_set_cd(c, ldns_pkt_cd(p));
	ldns_pkt_set_ra(c, ldns_pkt_ra(p));
	ldns_pkt_set_ad(c, ldns_pkt_ad(p));
	ldns_pkt_set_opcode(c, ldns_pkt_get_opcode(p));
	ldns_pkt_set_rcode(c, ldns_pkt_get_rcode(p));
	for (size_t k = 0; k < sizeof(secs) / sizeof(secs[0]); k++) {
		const ldns_rr_list *l = hy_dnssec_section(p, secs[k]);

		for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
			ldns_rr *r = hy_dns_rr_clone(ldns_rr_list_rr(l, i));

			if (r == NULL || !ldns_pkt_push_rr(c, secs[k], r)) {
				ldns_rr_free(r);
				goto fail;
			}
		}
	}
	return c;
fail:
	ldns_pkt_free(c);
	return NULL;
}

ldns_rr_list *
hy_dnssec_section_rrs(const ldns_pkt *p, ldns_pkt_section sec,
    const ldns_rdf *owner, ldns_rr_type type)
{
	const ldns_rr_list *all;
	ldns_rr_list *out;

	if (p == NULL || (out = ldns_rr_list_new()) == NULL)
		return NULL;
	all = hy_dnssec_section(p, sec);
	for (size_t i = 0; i < ldns_rr_list_rr_count(all); i++) {
		const ldns_rr *r = ldns_rr_list_rr(all, i);
		ldns_rr *c;

		if (ldns_rr_get_type(r) != type || (owner != NULL &&
		    !hy_dnssec_name_eq(ldns_rr_owner(r), owner)))
			continue;
		if ((c = hy_dns_rr_clone(r)) == NULL ||
		    !ldns_rr_list_push_rr(out, c)) {
			ldns_rr_free(c);
			ldns_rr_list_deep_free(out);
			return NULL;
		}
		ldns_rr2canonical(c);
	}
	return out;
}

bool
hy_dnssec_name_eq(const ldns_rdf *a, const ldns_rdf *b)
{
	return ldns_dname_label_count(a) == ldns_dname_label_count(b) &&
	    hy_dnssec_name_under(a, b);
}

void
hy_dnssec_merge_expiry(time_t *acc, time_t e)
{
	if (e != 0 && (*acc == 0 || e < *acc))
		*acc = e;
}

void
hy_dnssec_sig_finding(struct hy_findings *f, enum hy_sig_verdict v,
    const char *what)
{
	switch (v) {
	case HY_SIG_VALID:
		break;
	case HY_SIG_ERROR:
		hy_findings_add(f, "out-of-memory", HY_SEV_ERROR,
		    "the RRSIG over %s could not be checked: out of memory "
		    "(RFC 4035 §4.3: indeterminate)", what);
		break;
	case HY_SIG_EXPIRED:
		hy_findings_add(f, "signature-expired", HY_SEV_ERROR,
		    "the RRSIG over %s has expired (RFC 4035 §5.3.1)", what);
		break;
	case HY_SIG_NOT_YET:
		hy_findings_add(f, "signature-not-yet-valid", HY_SEV_ERROR,
		    "the RRSIG over %s is not valid yet: its inception is in "
		    "the future or after its expiration (RFC 4035 §5.3.1)",
		    what);
		break;
	case HY_SIG_INVALID:
		hy_findings_add(f, "signature-invalid", HY_SEV_ERROR,
		    "the RRSIG over %s does not verify: the data was changed "
		    "after signing or the signature is corrupt "
		    "(RFC 4035 §5.3.3)", what);
		break;
	case HY_SIG_NO_KEY:
		hy_findings_add(f, "signature-invalid", HY_SEV_ERROR,
		    "the RRSIG over %s names a key that is not in the zone's "
		    "validated DNSKEY set (RFC 4035 §5.3.1)", what);
		break;
	case HY_SIG_UNSUPPORTED:
		hy_findings_add(f, "unsupported-algorithm", HY_SEV_ERROR,
		    "%s is signed only with algorithms this validator does "
		    "not implement (RFC 6840 §5.2)", what);
		break;
	case HY_SIG_MISSING:
		hy_findings_add(f, "missing-rrsig", HY_SEV_ERROR,
		    "%s carries no RRSIG from its zone although the zone is "
		    "signed (RFC 4035 §3.1.1, §5.3)", what);
		break;
	}
}

/* Verify one RRset of the authority section (owner, type) with zi. */
static enum hy_sig_verdict
verify_auth_set(const ldns_pkt *p, const ldns_rdf *owner, ldns_rr_type t,
    const struct hy_dnssec_zone_info *zi, const ldns_rdf *zn, time_t now,
    time_t *expires)
{
	ldns_rr_list *set, *sigs;
	struct hy_sig_valid sv;
	enum hy_sig_verdict v = HY_SIG_ERROR;

	set = hy_dnssec_section_rrs(p, LDNS_SECTION_AUTHORITY, owner, t);
	sigs = hy_dnssec_section_rrs(p, LDNS_SECTION_AUTHORITY, owner,
	    LDNS_RR_TYPE_RRSIG);
	if (set != NULL && sigs != NULL) {
		v = hy_dnssec_verify_rrset(set, sigs, zi->keys, zi->pkeys, zn,
		    now, &sv);
		if (v == HY_SIG_VALID)
			hy_dnssec_merge_expiry(expires, sv.expires);
	}
	ldns_rr_list_deep_free(set);
	ldns_rr_list_deep_free(sigs);
	return v;
}

ldns_rr_list *
hy_dnssec_auth_denials(const ldns_pkt *p, const struct hy_dnssec_zone_info *zi,
    const ldns_rdf *zn, time_t now, time_t *expires, enum hy_sig_verdict *bad,
    const ldns_rr **bad_rr)
{
	const ldns_rr_list *auth = ldns_pkt_authority(p);
	ldns_rr_list *out = ldns_rr_list_new();

	*bad = HY_SIG_VALID;
	*bad_rr = NULL;
	for (size_t i = 0; out != NULL && i < ldns_rr_list_rr_count(auth);
	    i++) {
		const ldns_rr *r = ldns_rr_list_rr(auth, i);
		ldns_rr_type t = ldns_rr_get_type(r);
		enum hy_sig_verdict v;
		ldns_rr *c;

		if ((t != LDNS_RR_TYPE_NSEC && t != LDNS_RR_TYPE_NSEC3 &&
		    t != LDNS_RR_TYPE_SOA) ||
		    !hy_dnssec_name_under(ldns_rr_owner(r), zn))
			continue;
		v = verify_auth_set(p, ldns_rr_owner(r), t, zi, zn, now,
		    expires);
		if (v != HY_SIG_VALID) {
			if (*bad == HY_SIG_VALID || v == HY_SIG_ERROR) {
				*bad = v;
				*bad_rr = r;
			}
			continue;
		}
		if (t == LDNS_RR_TYPE_SOA)
			continue;
		if ((c = hy_dns_rr_clone(r)) == NULL ||
		    !ldns_rr_list_push_rr(out, c)) {
			ldns_rr_free(c);
			ldns_rr_list_deep_free(out);
			out = NULL;
		} else
			ldns_rr2canonical(c);
	}
	return out;
}

/* ---- one answer ----------------------------------------------------------- */

struct trav {
	struct hy_dnssec_answer	*a;
	const ldns_pkt		*p;
	char			 what[320];
};

static void
set_what(struct trav *t, const ldns_rdf *owner, ldns_rr_type type)
{
	char *o = hy_dnssec_dname_str(owner), *ty = ldns_rr_type2str(type);

	snprintf(t->what, sizeof(t->what), "%s %s", o ? o : "?",
	    ty ? ty : "?");
	free(o);
	free(ty);
}

static bool
has_rrs(const ldns_pkt *p, const ldns_rdf *owner, ldns_rr_type type)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);

	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(an, i)) == type &&
		    hy_dnssec_name_eq(ldns_rr_owner(ldns_rr_list_rr(an, i)),
		    owner))
			return true;
	return false;
}

/* The longest signer of an RRSIG in sec over type (type 0: over NSEC or
 * NSEC3) at owner (NULL: at any owner in the signer's zone), that is at
 * or above limit, the name of the link. */
static char *
signer_of(const ldns_pkt *p, ldns_pkt_section sec, const ldns_rdf *owner,
    ldns_rr_type type, const ldns_rdf *limit)
{
	const ldns_rr_list *l = hy_dnssec_section(p, sec);
	const ldns_rdf *best = NULL;

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *s = ldns_rr_list_rr(l, i);
		const ldns_rdf *sn;
		ldns_rr_type c;

		if (ldns_rr_get_type(s) != LDNS_RR_TYPE_RRSIG ||
		    ldns_rr_rd_count(s) < 9)
			continue;
		c = ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(s));
		sn = ldns_rr_rrsig_signame(s);
		if ((type != 0 ? c != type : (c != LDNS_RR_TYPE_NSEC &&
		    c != LDNS_RR_TYPE_NSEC3)) ||
		    (owner != NULL && !hy_dnssec_name_eq(ldns_rr_owner(s),
		    owner)) || !hy_dnssec_name_under(ldns_rr_owner(s), sn) ||
		    !hy_dnssec_name_under(limit, sn))
			continue;
		if (best == NULL || ldns_dname_label_count(sn) >
		    ldns_dname_label_count(best))
			best = sn;
	}
	return best != NULL ? hy_dnssec_dname_str(best) : NULL;
}

/* The SOA owner in the authority section at or above name. */
static char *
soa_owner(const ldns_pkt *p, const ldns_rdf *name)
{
	const ldns_rr_list *l = ldns_pkt_authority(p);

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *r = ldns_rr_list_rr(l, i);

		if (ldns_rr_get_type(r) == LDNS_RR_TYPE_SOA &&
		    hy_dnssec_name_under(name, ldns_rr_owner(r)))
			return hy_dnssec_dname_str(ldns_rr_owner(r));
	}
	return NULL;
}

/*
 * The zone zname for a link at owner, ready to validate with: secure,
 * keys at hand, and for data (not a denial, whose records at a cut are
 * the parent's) no validated zone cut between zname and owner.
 * Otherwise the status to report.
 */
static enum hy_dnssec_status
link_zone(struct trav *t, const char *zname, const ldns_rdf *owner,
    bool data, const struct hy_dnssec_zone_info **out)
{
	struct hy_dnssec_answer *a = t->a;
	const struct hy_dnssec_zone_info *zi = a->lookup(a->arg, zname);

	if (zi == NULL) {
		hy_findings_add(a->findings, "query-failed", HY_SEV_WARNING,
		    "%s needs the keys of zone %s, which could not be "
		    "obtained (RFC 4035 §4.3)", t->what, zname);
		return HY_DNSSEC_INDETERMINATE;
	}
	if (zi->status != HY_DNSSEC_SECURE)
		return zi->status;
	if (data && a->cut_below(a->arg, zname, owner)) {
		hy_findings_add(a->findings, "signer-not-zone", HY_SEV_ERROR,
		    "%s is signed by %s, but a validated zone cut lies between "
		    "them: the signer must be the zone that holds the RRset "
		    "(RFC 4035 §5.3.1)", t->what, zname);
		return HY_DNSSEC_BOGUS;
	}
	hy_dnssec_merge_expiry(&a->expires, zi->expires);
	*out = zi;
	return HY_DNSSEC_SECURE;
}

static enum hy_dnssec_status
denial_status(struct trav *t, enum hy_denial d, const char *zname)
{
	switch (d) {
	case HY_DENIAL_NODATA:
	case HY_DENIAL_NXDOMAIN:
		return HY_DNSSEC_SECURE;
	case HY_DENIAL_OPTOUT:		/* RFC 5155 §9.2 */
	case HY_DENIAL_INSECURE:	/* RFC 9276 §3.2 */
		return HY_DNSSEC_INSECURE;
	case HY_DENIAL_DELEGATION:
		hy_findings_add(t->a->findings, "insecure-delegation",
		    HY_SEV_INFO, "%s lies at or below a delegation from %s "
		    "that has no DS: its data is unsigned (RFC 4035 §5.2)",
		    t->what, zname);
		return HY_DNSSEC_INSECURE;
	case HY_DENIAL_ERROR:
		t->a->oom = true;
		return HY_DNSSEC_INDETERMINATE;
	case HY_DENIAL_NONE:
	case HY_DENIAL_NO_CUT:
		break;
	}
	return HY_DNSSEC_BOGUS;
}

/* Every SOA/NSEC/NSEC3 RRset of the zone in the authority section must
 * validate; returns those NSEC/NSEC3 records, or NULL with *st set. */
static ldns_rr_list *
auth_records(struct trav *t, const struct hy_dnssec_zone_info *zi,
    const ldns_rdf *zn, enum hy_dnssec_status *st)
{
	struct hy_dnssec_answer *a = t->a;
	enum hy_sig_verdict bad;
	const ldns_rr *bad_rr;
	ldns_rr_list *dens;
	char what[400];

	dens = hy_dnssec_auth_denials(t->p, zi, zn, a->now, &a->expires, &bad,
	    &bad_rr);
	if (dens == NULL || bad == HY_SIG_ERROR) {
		a->oom = true;
		*st = HY_DNSSEC_INDETERMINATE;
	} else if (bad != HY_SIG_VALID) {
		char *o = hy_dnssec_dname_str(ldns_rr_owner(bad_rr));
		char *ty = ldns_rr_type2str(ldns_rr_get_type(bad_rr));

		snprintf(what, sizeof(what), "the %s %s in the answer for %s",
		    o ? o : "?", ty ? ty : "?", t->what);
		free(o);
		free(ty);
		hy_dnssec_sig_finding(a->findings, bad, what);
		*st = HY_DNSSEC_BOGUS;
	} else
		return dens;
	ldns_rr_list_deep_free(dens);
	return NULL;
}

/* The zone a link claims: from signatures, else from its SOA, else the
 * one an SOA query for the owner finds (a->zone_of). */
static char *
claimed_zone(struct trav *t, const ldns_rdf *owner, ldns_rr_type type,
    bool negative)
{
	struct hy_dnssec_answer *a = t->a;
	char *z;

	if (negative) {
		if ((z = signer_of(t->p, LDNS_SECTION_AUTHORITY, NULL, 0,
		    owner)) == NULL)
			z = soa_owner(t->p, owner);
	} else
		z = signer_of(t->p, LDNS_SECTION_ANSWER, owner, type, owner);
	if (z == NULL && (z = a->zone_of(a->arg, owner)) == NULL)
		a->oom = true;
	return z;
}

/* A link that holds data: the RRset (owner, type) of the answer. */
static enum hy_dnssec_status
link_positive(struct trav *t, const ldns_rdf *owner, ldns_rr_type type,
    bool last)
{
	struct hy_dnssec_answer *a = t->a;
	const struct hy_dnssec_zone_info *zi = NULL;
	enum hy_dnssec_status st = HY_DNSSEC_INDETERMINATE;
	ldns_rr_list *set = NULL, *sigs = NULL, *dens = NULL;
	char *zname = claimed_zone(t, owner, type, false);
	ldns_rdf *zn = NULL;
	struct hy_sig_valid sv;
	enum hy_sig_verdict v;

	set_what(t, owner, type);
	if (zname == NULL)
		return HY_DNSSEC_INDETERMINATE;
	if (a->collect) {
		a->need(a->arg, zname);
		free(zname);
		return HY_DNSSEC_SECURE;
	}
	if ((st = link_zone(t, zname, owner, true, &zi)) != HY_DNSSEC_SECURE)
		goto out;
	st = HY_DNSSEC_INDETERMINATE;
	if ((zn = hy_dnssec_dname(zname)) == NULL ||
	    (set = hy_dnssec_section_rrs(t->p, LDNS_SECTION_ANSWER, owner,
	    type)) == NULL || (sigs = hy_dnssec_section_rrs(t->p,
	    LDNS_SECTION_ANSWER, owner, LDNS_RR_TYPE_RRSIG)) == NULL) {
		a->oom = true;
		goto out;
	}
	v = hy_dnssec_verify_rrset(set, sigs, zi->keys, zi->pkeys, zn, a->now,
	    &sv);
	if (v != HY_SIG_VALID) {
		hy_dnssec_sig_finding(a->findings, v, t->what);
		if (v == HY_SIG_ERROR)
			a->oom = true;
		else
			st = HY_DNSSEC_BOGUS;
		goto out;
	}
	hy_dnssec_merge_expiry(&a->expires, sv.expires);
	st = HY_DNSSEC_SECURE;
	if (!last && sv.labels >= ldns_dname_label_count(owner))
		goto out;
	if ((dens = auth_records(t, zi, zn, &st)) == NULL)
		goto out;
	/* Synthesised from a wildcard: qname must not exist, and the
	 * wildcard must be the one at its closest encloser. */
	if (sv.labels < ldns_dname_label_count(owner)) {
		st = denial_status(t, hy_dnssec_wildcard_proof(owner, sv.labels,
		    dens, zn), zname);
		if (st == HY_DNSSEC_BOGUS)
			hy_findings_add(a->findings, "denial-invalid",
			    HY_SEV_ERROR, "%s was synthesised from a wildcard "
			    "without an authenticated proof that the name "
			    "itself does not exist and that the wildcard is at "
			    "its closest encloser (RFC 4035 §5.3.4, RFC 5155 "
			    "§8.8)", t->what);
	}
out:
	ldns_rr_list_deep_free(set);
	ldns_rr_list_deep_free(sigs);
	ldns_rr_list_deep_free(dens);
	ldns_rdf_deep_free(zn);
	free(zname);
	return st;
}

/* The link that ends in a denial of (owner, a->qtype). */
static enum hy_dnssec_status
link_negative(struct trav *t, const ldns_rdf *owner)
{
	struct hy_dnssec_answer *a = t->a;
	const struct hy_dnssec_zone_info *zi = NULL;
	enum hy_dnssec_status st;
	char *zname = claimed_zone(t, owner, 0, true);
	ldns_rr_list *dens = NULL;
	ldns_rdf *zn = NULL;
	bool nx = ldns_pkt_get_rcode(t->p) == LDNS_RCODE_NXDOMAIN;

	set_what(t, owner, a->qtype);
	if (zname == NULL)
		return HY_DNSSEC_INDETERMINATE;
	if (a->collect) {
		a->need(a->arg, zname);
		free(zname);
		return HY_DNSSEC_SECURE;
	}
	if ((st = link_zone(t, zname, owner, false, &zi)) != HY_DNSSEC_SECURE)
		goto out;
	if ((zn = hy_dnssec_dname(zname)) == NULL) {
		a->oom = true;
		st = HY_DNSSEC_INDETERMINATE;
		goto out;
	}
	if ((dens = auth_records(t, zi, zn, &st)) == NULL)
		goto out;
	if (a->note_denial != NULL)
		a->note_denial(a->arg, zname, dens);
	st = denial_status(t, hy_dnssec_denial(owner, a->qtype, nx, dens, zn),
	    zname);
	if (st == HY_DNSSEC_BOGUS)
		hy_findings_add(a->findings, "denial-invalid", HY_SEV_ERROR,
		    "the negative answer for %s %s (RFC 4035 §5.4, RFC 5155 "
		    "§8, RFC 6840 §4.1)", t->what,
		    ldns_rr_list_rr_count(dens) > 0 ? "has NSEC/NSEC3 "
		    "records that do not prove it" : "carries no NSEC/NSEC3 "
		    "proof");
out:
	ldns_rr_list_deep_free(dens);
	ldns_rdf_deep_free(zn);
	free(zname);
	return st;
}

/* A DNAME in the answer at a proper ancestor of name, or NULL. */
static const ldns_rr *
dname_above(const ldns_pkt *p, const ldns_rdf *name)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);

	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *r = ldns_rr_list_rr(an, i);

		if (ldns_rr_get_type(r) == LDNS_RR_TYPE_DNAME &&
		    ldns_rr_rd_count(r) == 1 &&
		    ldns_dname_label_count(name) >
		    ldns_dname_label_count(ldns_rr_owner(r)) &&
		    hy_dnssec_name_under(name, ldns_rr_owner(r)))
			return r;
	}
	return NULL;
}

/* name with its suffix owner replaced by target (RFC 6672 §2.2), or
 * NULL if too long or out of memory (*oom). */
static ldns_rdf *
substitute(const ldns_rdf *name, const ldns_rdf *owner,
    const ldns_rdf *target, bool *oom)
{
	size_t keep = ldns_rdf_size(name) - ldns_rdf_size(owner);
	size_t n = keep + ldns_rdf_size(target);
	uint8_t *buf;
	ldns_rdf *r;

	if (n > LDNS_MAX_DOMAINLEN)
		return NULL;
	if ((buf = malloc(n)) == NULL) {
		*oom = true;
		return NULL;
	}
	memcpy(buf, ldns_rdf_data(name), keep);
	memcpy(buf + keep, ldns_rdf_data(target), ldns_rdf_size(target));
	if ((r = ldns_rdf_new(LDNS_RDF_TYPE_DNAME, n, buf)) == NULL) {
		free(buf);
		*oom = true;
	}
	return r;
}

/* The next name of the chain after a link at cur, or NULL. */
static ldns_rdf *
next_link(struct trav *t, const ldns_rdf *cur, enum hy_dnssec_status *st)
{
	const ldns_rr_list *an = ldns_pkt_answer(t->p);
	const ldns_rr *dn = dname_above(t->p, cur);
	ldns_rdf *next = NULL;

	if (dn != NULL) {
		/* The CNAME synthesised from it needs no signature. */
		hy_dnssec_status_combine(st, link_positive(t, ldns_rr_owner(dn),
		    LDNS_RR_TYPE_DNAME, false));
		if ((next = substitute(cur, ldns_rr_owner(dn),
		    ldns_rr_rdf(dn, 0), &t->a->oom)) == NULL)
			hy_dnssec_status_combine(st, t->a->oom ?
			    HY_DNSSEC_INDETERMINATE : HY_DNSSEC_BOGUS);
		return next;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *r = ldns_rr_list_rr(an, i);

		if (ldns_rr_get_type(r) != LDNS_RR_TYPE_CNAME ||
		    ldns_rr_rd_count(r) != 1 ||
		    !hy_dnssec_name_eq(ldns_rr_owner(r), cur))
			continue;
		hy_dnssec_status_combine(st, link_positive(t, cur,
		    LDNS_RR_TYPE_CNAME, false));
		if ((next = ldns_rdf_clone(ldns_rr_rdf(r, 0))) == NULL) {
			t->a->oom = true;
			hy_dnssec_status_combine(st, HY_DNSSEC_INDETERMINATE);
		} else
			ldns_dname2canonical(next);
		return next;
	}
	return NULL;
}

enum hy_dnssec_status
hy_dnssec_answer_judge(struct hy_dnssec_answer *a)
{
	struct trav t = { .a = a, .p = a->pkt };
	enum hy_dnssec_status st = HY_DNSSEC_SECURE;
	ldns_rdf *cur, *next;
	int hops;

	if ((cur = hy_dnssec_dname(a->qname)) == NULL) {
		a->oom = true;
		return HY_DNSSEC_INDETERMINATE;
	}
	for (hops = 0; hops < MAX_CHAIN; hops++) {
		if (has_rrs(t.p, cur, a->qtype)) {
			a->present = true;
			hy_dnssec_status_combine(&st, link_positive(&t, cur,
			    a->qtype, true));
			break;
		}
		if ((next = next_link(&t, cur, &st)) == NULL) {
			hy_dnssec_status_combine(&st, link_negative(&t, cur));
			break;
		}
		ldns_rdf_deep_free(cur);
		cur = next;
	}
	if (hops == MAX_CHAIN && !a->collect) {
		hy_findings_add(a->findings, "alias-chain-too-long",
		    HY_SEV_WARNING, "the answer for %s follows more than %d "
		    "CNAME/DNAME links; the rest was not checked", a->qname,
		    MAX_CHAIN);
		hy_dnssec_status_combine(&st, HY_DNSSEC_INDETERMINATE);
	}
	ldns_rdf_deep_free(cur);
	if (a->oom && !a->collect)
		hy_dnssec_status_combine(&st, HY_DNSSEC_INDETERMINATE);
	return st;
}

void
hy_dnssec_status_combine(enum hy_dnssec_status *acc, enum hy_dnssec_status s)
{
	/* bogus beats indeterminate beats insecure beats secure */
	static const int rank[] = { [HY_DNSSEC_SECURE] = 0,
	    [HY_DNSSEC_INSECURE] = 1, [HY_DNSSEC_INDETERMINATE] = 2,
	    [HY_DNSSEC_BOGUS] = 3 };

	if (rank[s] > rank[*acc])
		*acc = s;
}
