/*
 * Fuzz target: arbitrary packets into the chain walk's response handling.
 *
 * Input: a sequence of records, each a 16-bit big-endian length and that
 * many octets of DNS wire format. The first packet's answer DNSKEYs are
 * the trust anchors; every packet is also an answer, found by its
 * question (name, type) when the walk asks that question. Unknown
 * questions time out. The domain walked is the question of the second
 * packet. Validation time: the first RRSIG inception in the first packet
 * plus one hour, so replays are deterministic.
 *
 * Properties checked on every input (a violation aborts):
 *   - a walk that started reports done exactly once;
 *   - secure only when every RRset it reports is covered by a signature
 *     that ldns itself verifies with a DNSKEY of the inputs: the data
 *     RRset (or the CNAME/DNAME at its name) of a present answer, an
 *     NSEC/NSEC3 record of an absent one (issue 11).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <stdio.h>

#include "dnssec.h"

#define MAXPKT	64
#define MAXQ	256

struct pend {
	char		*name;
	ldns_rr_type	 type;
	hy_dns_fn	 cb;
	void		*arg;
};

struct fz {
	ldns_pkt	*pkt[MAXPKT];
	size_t		 npkt;
	struct pend	 q[MAXQ];
	size_t		 nq;
	unsigned	 asked;
	int		 done;
};

static int
fz_query(void *qarg, const char *name, ldns_rr_type type, hy_dns_fn cb,
    void *cbarg)
{
	struct fz *f = qarg;

	/* A bound on questions keeps a pathological walk finite. */
	if (f->nq == MAXQ || f->asked++ > 4 * MAXQ)
		return -1;
	if ((f->q[f->nq].name = strdup(name)) == NULL)
		return -1;
	f->q[f->nq].type = type;
	f->q[f->nq].cb = cb;
	f->q[f->nq].arg = cbarg;
	f->nq++;
	return 0;
}

static void
fz_done(void *darg, struct hy_dnssec_walk *w)
{
	(void)w;
	((struct fz *)darg)->done++;
}

static const ldns_pkt *
lookup(const struct fz *f, const char *name, ldns_rr_type type)
{
	ldns_rdf *n = ldns_dname_new_frm_str(name);
	const ldns_pkt *hit = NULL;

	for (size_t i = 0; n != NULL && i < f->npkt && hit == NULL; i++) {
		const ldns_rr_list *q = ldns_pkt_question(f->pkt[i]);
		const ldns_rr *r;

		if (ldns_rr_list_rr_count(q) != 1)
			continue;
		r = ldns_rr_list_rr(q, 0);
		if (ldns_rr_get_type(r) == type &&
		    ldns_dname_compare(ldns_rr_owner(r), n) == 0)
			hit = f->pkt[i];
	}
	ldns_rdf_deep_free(n);
	return hit;
}

/* Classify a packet as the engine does. */
static void
pump(struct fz *f)
{
	while (f->nq > 0) {
		struct pend p = f->q[0];
		struct hy_dns_result res;
		const ldns_pkt *pkt = lookup(f, p.name, p.type);

		memmove(&f->q[0], &f->q[1], --f->nq * sizeof(f->q[0]));
		memset(&res, 0, sizeof(res));
		res.status = pkt ? hy_dns_classify(pkt, p.type) : HY_DNS_TIMEOUT;
		res.pkt = pkt;
		res.rcode = pkt ? (int)ldns_pkt_get_rcode(pkt) : -1;
		res.ad = pkt ? ldns_pkt_ad(pkt) : false;
		p.cb(p.arg, &res);
		free(p.name);
	}
}

static void
violated(const char *what, const char *name, const char *type)
{
	fprintf(stderr, "fuzz_dnssec_walk: %s: %s %s\n", what, name, type);
	abort();
}

/* Every DNSKEY in the answers of the inputs. */
static ldns_rr_list *
all_keys(const struct fz *f)
{
	ldns_rr_list *keys = ldns_rr_list_new();

	for (size_t i = 0; keys != NULL && i < f->npkt; i++) {
		const ldns_rr_list *an = ldns_pkt_answer(f->pkt[i]);

		for (size_t j = 0; j < ldns_rr_list_rr_count(an); j++)
			if (ldns_rr_get_type(ldns_rr_list_rr(an, j)) ==
			    LDNS_RR_TYPE_DNSKEY)
				ldns_rr_list_push_rr(keys,
				    ldns_rr_list_rr(an, j));
	}
	return keys;
}

/* Some RRSIG in sec over (owner or any owner, type) verifies with keys
 * by ldns's own code (the validity period aside: that is hygiene's). */
static bool
covered(const ldns_pkt *p, ldns_pkt_section sec, const ldns_rdf *owner,
    ldns_rr_type type, const ldns_rr_list *keys)
{
	const ldns_rr_list *l = sec == LDNS_SECTION_ANSWER ?
	    ldns_pkt_answer(p) : ldns_pkt_authority(p);
	bool ok = false;

	for (size_t i = 0; i < ldns_rr_list_rr_count(l) && !ok; i++) {
		const ldns_rr *s = ldns_rr_list_rr(l, i);
		ldns_rr_list *set, *good;

		if (ldns_rr_get_type(s) != LDNS_RR_TYPE_RRSIG ||
		    ldns_rr_rd_count(s) < 9 || ldns_rdf2rr_type(
		    ldns_rr_rrsig_typecovered(s)) != type ||
		    (owner != NULL && ldns_dname_compare(ldns_rr_owner(s),
		    owner) != 0))
			continue;
		set = ldns_rr_list_new();
		good = ldns_rr_list_new();
		for (size_t j = 0; set && j < ldns_rr_list_rr_count(l); j++) {
			ldns_rr *r = ldns_rr_list_rr(l, j);

			if (ldns_rr_get_type(r) == type && ldns_dname_compare(
			    ldns_rr_owner(r), ldns_rr_owner(s)) == 0)
				ldns_rr_list_push_rr(set, r);
		}
		if (set != NULL && good != NULL &&
		    ldns_rr_list_rr_count(set) > 0)
			ok = ldns_verify_rrsig_keylist_notime(set,
			    (ldns_rr *)s, keys, good) == LDNS_STATUS_OK;
		ldns_rr_list_free(set);
		ldns_rr_list_free(good);
	}
	return ok;
}

/* The property for one reported RRset of a secure verdict. */
static void
check_reported(const struct fz *f, const ldns_rr_list *keys, json_t *rr)
{
	const char *name = json_string_value(json_object_get(rr, "name"));
	const char *type = json_string_value(json_object_get(rr, "type"));
	bool present = json_is_true(json_object_get(rr, "present"));
	ldns_rr_type t = ldns_get_rr_type_by_name(type ? type : "");
	char fq[300];
	const ldns_pkt *p;
	ldns_rdf *n;

	const char *st = json_string_value(json_object_get(rr, "status"));

	if (name == NULL || type == NULL || st == NULL)
		violated("a reported RRset without name, type or status",
		    name ? name : "?", type ? type : "?");
	/* The domain's own SOA, TXT and MX make the verdict: each must be
	 * secure. The _dmarc TXT only counts when bogus. */
	if (strcmp(st, "secure") != 0) {
		if (strncmp(name, "_dmarc.", 7) != 0)
			violated("secure verdict over an RRset that is not",
			    name, type);
		return;
	}
	snprintf(fq, sizeof(fq), "%s.", name);
	if ((p = lookup(f, fq, t)) == NULL)
		violated("secure without an answer", name, type);
	if ((n = ldns_dname_new_frm_str(fq)) == NULL)
		return;
	ldns_dname2canonical(n);
	if (present ? !(covered(p, LDNS_SECTION_ANSWER, n, t, keys) ||
	    covered(p, LDNS_SECTION_ANSWER, n, LDNS_RR_TYPE_CNAME, keys) ||
	    covered(p, LDNS_SECTION_ANSWER, NULL, LDNS_RR_TYPE_DNAME, keys)) :
	    !(covered(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_NSEC,
	    keys) || covered(p, LDNS_SECTION_AUTHORITY, NULL,
	    LDNS_RR_TYPE_NSEC3, keys)))
		violated("secure, but no validated signature covers", name,
		    type);
	ldns_rdf_deep_free(n);
}

static void
check_secure(const struct fz *f, struct hy_dnssec_walk *w, json_t *o)
{
	ldns_rr_list *keys;
	json_t *rr;
	size_t i;

	if (hy_dnssec_walk_status(w) != HY_DNSSEC_SECURE || o == NULL ||
	    (keys = all_keys(f)) == NULL)
		return;
	json_array_foreach(json_object_get(o, "rrsets"), i, rr)
		check_reported(f, keys, rr);
	ldns_rr_list_free(keys);
}

static time_t
pick_time(const ldns_pkt *p)
{
	ldns_rr_list *s = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_RRSIG,
	    LDNS_SECTION_ANSWER);
	time_t t = 0;

	if (s != NULL && ldns_rr_list_rr_count(s) > 0 &&
	    ldns_rr_rd_count(ldns_rr_list_rr(s, 0)) >= 9)
		t = (time_t)ldns_rdf2native_int32(ldns_rr_rrsig_inception(
		    ldns_rr_list_rr(s, 0))) + 3600;
	ldns_rr_list_deep_free(s);
	return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f;
	struct hy_dnssec_shared *sh = NULL;
	struct hy_dnssec_walk *w = NULL;
	struct hy_dnssec_env env;
	ldns_rr_list *anchors = NULL;
	char *domain = NULL;
	json_t *o;

	memset(&f, 0, sizeof(f));
	while (size >= 2 && f.npkt < MAXPKT) {
		size_t len = (size_t)data[0] << 8 | data[1];
		ldns_pkt *p = NULL;

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		if (ldns_wire2pkt(&p, data, len) == LDNS_STATUS_OK)
			f.pkt[f.npkt++] = p;
		data += len;
		size -= len;
	}
	if (f.npkt < 2)
		goto out;
	anchors = ldns_pkt_rr_list_by_type(f.pkt[0], LDNS_RR_TYPE_DNSKEY,
	    LDNS_SECTION_ANSWER);
	if (anchors == NULL || ldns_rr_list_rr_count(ldns_pkt_question(
	    f.pkt[1])) != 1)
		goto out;
	for (size_t i = 0; i < ldns_rr_list_rr_count(anchors); i++)
		ldns_rr2canonical(ldns_rr_list_rr(anchors, i));
	if ((sh = hy_dnssec_shared_new(anchors)) == NULL)
		goto out;
	anchors = NULL;
	domain = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(
	    ldns_pkt_question(f.pkt[1]), 0)));
	if (domain == NULL)
		goto out;
	memset(&env, 0, sizeof(env));
	env.shared = sh;
	env.now = pick_time(f.pkt[0]);
	env.query = fz_query;
	env.qarg = &f;
	env.done = fz_done;
	env.darg = &f;
	if ((w = hy_dnssec_walk_new(&env, domain)) == NULL ||
	    hy_dnssec_walk_start(w) != 0)
		goto out;
	pump(&f);
	if (f.done != 1)
		violated("done was called", f.done == 0 ? "never" : "twice",
		    "");
	o = hy_dnssec_walk_json(w);
	check_secure(&f, w, o);
	json_decref(o);
out:
	for (size_t i = 0; i < f.nq; i++)
		free(f.q[i].name);
	hy_dnssec_walk_free(w);
	hy_dnssec_shared_free(sh);
	ldns_rr_list_deep_free(anchors);
	for (size_t i = 0; i < f.npkt; i++)
		ldns_pkt_free(f.pkt[i]);
	free(domain);
	return 0;
}
