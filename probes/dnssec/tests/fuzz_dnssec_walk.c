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
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
	if ((o = hy_dnssec_walk_json(w)) != NULL)
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
