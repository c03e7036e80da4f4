/*
 * The per-domain DNSSEC walk: a state machine with one transition
 * function, walk_step(), fed DNS results and zone-table events.
 *
 *   W_DISCOVER  SOA, TXT, MX and _dmarc TXT of the domain are asked at
 *               once (CD=1). The SOA answer (or the SOA in the authority
 *               section of a negative answer) names the zone Z.
 *   W_CHAIN     Z's keys are taken from the zone table, or validated by a
 *               zone job: DS(Z) at the parent (the signer of that answer's
 *               DS or NSEC/NSEC3 records names the parent P, whose keys
 *               are obtained the same way, up to the trust anchor) and
 *               DNSKEY(Z). Concurrent walks needing the same zone wait
 *               for the one job.
 *   W_ZONES     every answer is followed through its CNAME/DNAME links
 *               (dnssec_answer.c); each link belongs to the zone that
 *               signed it, which is obtained like Z (and an unsigned
 *               link's zone is found by asking its SOA). Then each answer
 *               is judged with those zones' keys.
 *   W_NSEC3PARAM only when no answer showed Z's denial method.
 *   W_DONE      the verdict is fixed and done() has been called.
 *
 * Insecure needs an authenticated NSEC/NSEC3 proof that P has no DS for
 * Z (RFC 4035 §5.2); a DS that is simply absent is bogus. Out of memory
 * is never a verdict: it makes a zone or answer indeterminate, and an
 * indeterminate zone is not kept in the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnssec_int.h"

#define EXPIRES_SOON_S	(7 * 86400)
#define MAX_ZONES	8	/* zones one domain's answers may need */

enum walk_state { W_INIT, W_DISCOVER, W_CHAIN, W_ZONES, W_NSEC3PARAM,
	W_DONE };
enum job_state { J_FETCH, J_FIND_PARENT, J_PARENT, J_DONE };
/* The four answers checked, then helper questions; S_AUX + s asks the
 * SOA of an unsigned link in answer s. */
enum slot { S_SOA, S_TXT, S_MX, S_DMARC, S_NSEC3PARAM, S_SOA_UP, S_AUX,
	NSLOTS = S_AUX + 4 };
#define NCHECKED	4
enum qkind { Q_SLOT, Q_DS, Q_DNSKEY, Q_FINDP };
enum ev_kind { EV_START, EV_RESPONSE, EV_ZONE_READY, EV_ZONE_RETRY };

struct resp {
	bool		 have;
	enum hy_dns_status status;
	ldns_pkt	*pkt;
	bool		 ad;
};

struct job;

struct qctx {
	struct hy_dnssec_walk *w;
	struct job	*job;
	enum qkind	 kind;
	int		 slot;
	struct qctx	*next, *prev;
};

/* Fetching and validating one zone on behalf of the table. */
struct job {
	struct hy_dnssec_walk	*w;
	struct hy_dnssec_zone	*zone;		/* ref */
	enum job_state		 state;
	bool			 anchored;	/* the anchors name this zone */
	bool			 oom;
	struct resp		 ds, dnskey;
	int			 pending;
	char			*parent_name;
	struct hy_dnssec_zone	*parent;	/* ref once acquired */
	struct hy_dnssec_waiter	 pwait;
	struct job		*next;
};

/* A zone the walk needs: Z first, then the signers of the answers. */
struct zref {
	struct hy_dnssec_walk	*w;
	char			*name;
	struct hy_dnssec_zone	*zone;		/* ref once acquired */
	struct hy_dnssec_waiter	 wt;
};

struct rrset_result {
	enum hy_dnssec_status	 status;
	bool			 present;
	bool			 skipped;	/* not asked (chain_only) */
};

struct hy_dnssec_walk {
	struct hy_dnssec_env	 env;
	char			*domain;	/* lower case, trailing dot */
	char			*dmarc;
	enum walk_state		 state;
	struct resp		 r[NSLOTS];
	int			 pending_slots;
	struct zref		 zr[MAX_ZONES];	/* zr[0]: Z */
	int			 nzr;
	bool			 zones_full;
	char			*aux_name[NCHECKED], *aux_zone[NCHECKED];
	int			 cur_slot;	/* the answer being judged */
	struct job		*jobs;
	struct qctx		*queries;
	bool			 oom;

	enum hy_dnssec_status	 status;
	struct hy_findings	 findings;
	struct rrset_result	 rr[NCHECKED];
	time_t			 expires;
	int			 denial;	/* 0 unknown, 1 NSEC, 3 NSEC3 */
	unsigned		 n3_iter, n3_salt;
	bool			 n3_optout;
	bool			 ad_all, ad_seen, ad_known;
};

struct ev {
	enum ev_kind		 kind;
	struct qctx		*q;
	const struct hy_dns_result *res;
	struct zref		*zr;	/* EV_ZONE_* for the walk's zones */
	struct job		*job;	/* EV_ZONE_*: the job that waited */
};

static void walk_step(struct hy_dnssec_walk *, const struct ev *);
static void finish(struct hy_dnssec_walk *, enum hy_dnssec_status);

static const char *const slot_type[NSLOTS] = {
	"SOA", "TXT", "MX", "TXT", "NSEC3PARAM", "SOA",
	"SOA", "SOA", "SOA", "SOA"
};

/* ---- small helpers ---------------------------------------------------- */

static bool
name_eq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* True if a is b or below it (both with trailing dots). */
static bool
name_under(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (strcmp(b, ".") == 0)
		return true;
	if (la < lb || strcasecmp(a + la - lb, b) != 0)
		return false;
	return la == lb || a[la - lb - 1] == '.';
}

static void
resp_clear(struct resp *r)
{
	ldns_pkt_free(r->pkt);
	memset(r, 0, sizeof(*r));
}

static void
resp_store(struct resp *r, const struct hy_dns_result *res)
{
	resp_clear(r);
	r->have = true;
	r->status = res->status;
	r->ad = res->ad;
	r->pkt = res->pkt != NULL ? hy_dnssec_pkt_copy(res->pkt) : NULL;
	if (res->pkt != NULL && r->pkt == NULL)
		r->status = HY_DNS_ERROR;	/* OOM: could not measure */
}

static bool
status_measured(enum hy_dns_status s)
{
	return s == HY_DNS_ANSWER || s == HY_DNS_NODATA || s == HY_DNS_NXDOMAIN;
}

static const char *
slot_name(const struct hy_dnssec_walk *w, int s)
{
	return s == S_DMARC ? w->dmarc : w->domain;
}

/* ---- queries ---------------------------------------------------------- */

static void
query_cb(void *arg, const struct hy_dns_result *res)
{
	struct qctx *q = arg;
	struct hy_dnssec_walk *w = q->w;
	struct ev ev = { .kind = EV_RESPONSE, .q = q, .res = res };

	if (q->prev)
		q->prev->next = q->next;
	else
		w->queries = q->next;
	if (q->next)
		q->next->prev = q->prev;
	walk_step(w, &ev);
	free(q);
}

static int
ask(struct hy_dnssec_walk *w, struct job *job, enum qkind kind, int slot,
    const char *name, ldns_rr_type type)
{
	struct qctx *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return -1;
	q->w = w;
	q->job = job;
	q->kind = kind;
	q->slot = slot;
	if (w->env.query(w->env.qarg, name, type, query_cb, q) != 0) {
		free(q);
		return -1;
	}
	q->next = w->queries;
	if (w->queries)
		w->queries->prev = q;
	w->queries = q;
	return 0;
}

/* ---- the zone table side ------------------------------------------------ */

static void zone_event(void *arg, struct hy_dnssec_zone *z, bool retry);
static void job_event(void *arg, struct hy_dnssec_zone *z, bool retry);
static void job_start(struct hy_dnssec_walk *, struct hy_dnssec_zone *);

/*
 * Get a zone from the table into *slot, waiting with wt (fn/arg) if it is
 * pending. Returns 1 if the entry is done already, 0 if waiting, -1 on
 * OOM.
 */
static int
acquire(struct hy_dnssec_walk *w, const char *name,
    struct hy_dnssec_zone **slot, struct hy_dnssec_waiter *wt,
    void (*fn)(void *, struct hy_dnssec_zone *, bool), void *arg)
{
	struct hy_dnssec_zone *z;
	bool created;

	if ((z = hy_dnssec_zone_get(w->env.shared, name, &created)) == NULL)
		return -1;
	*slot = z;
	if (created)
		job_start(w, z);
	if (hy_dnssec_zone_done(z))
		return 1;
	memset(wt, 0, sizeof(*wt));
	wt->owner = w;
	wt->fn = fn;
	wt->arg = arg;
	hy_dnssec_zone_wait(z, wt);
	return 0;
}

static int
zref_acquire(struct zref *zr)
{
	return acquire(zr->w, zr->name, &zr->zone, &zr->wt, zone_event, zr);
}

static bool
zref_ready(const struct zref *zr)
{
	return zr->zone != NULL && hy_dnssec_zone_done(zr->zone) &&
	    !zr->wt.linked;
}

static void
zone_event(void *arg, struct hy_dnssec_zone *z, bool retry)
{
	struct zref *zr = arg;
	struct ev ev = { .kind = retry ? EV_ZONE_RETRY : EV_ZONE_READY,
	    .zr = zr };

	(void)z;
	walk_step(zr->w, &ev);
}

static void
job_event(void *arg, struct hy_dnssec_zone *z, bool retry)
{
	struct job *job = arg;
	struct ev ev = { .kind = retry ? EV_ZONE_RETRY : EV_ZONE_READY,
	    .job = job };

	(void)z;
	walk_step(job->w, &ev);
}

static bool
has_anchor(const struct hy_dnssec_walk *w, const char *zone)
{
	const ldns_rr_list *a = hy_dnssec_shared_anchors(w->env.shared);
	ldns_rdf *z = hy_dnssec_dname(zone);
	bool found = false;

	for (size_t i = 0; z && i < ldns_rr_list_rr_count(a) && !found; i++)
		found = hy_dnssec_name_eq(ldns_rr_owner(ldns_rr_list_rr(a, i)),
		    z);
	ldns_rdf_deep_free(z);
	return found;
}

/* Start fetching a new zone entry's DS and DNSKEY. When a question
 * cannot be asked the entry is finished at once: indeterminate, not
 * kept; answers to questions already asked are then ignored. */
static void
job_start(struct hy_dnssec_walk *w, struct hy_dnssec_zone *z)
{
	struct hy_dnssec_zone_info *zi = hy_dnssec_zone_info_mut(z);
	struct job *job = calloc(1, sizeof(*job));

	if (job == NULL)
		goto fail;
	job->w = w;
	job->zone = z;
	hy_dnssec_zone_ref(z);
	job->state = J_FETCH;
	job->anchored = has_anchor(w, zi->name);
	job->next = w->jobs;
	w->jobs = job;
	if (!job->anchored) {
		if (strcmp(zi->name, ".") == 0 ||
		    ask(w, job, Q_DS, 0, zi->name, LDNS_RR_TYPE_DS) != 0)
			goto fail;
		job->pending++;
	}
	if (ask(w, job, Q_DNSKEY, 0, zi->name, LDNS_RR_TYPE_DNSKEY) != 0)
		goto fail;
	job->pending++;
	return;
fail:
	if (job != NULL)
		job->state = J_DONE;
	zi->status = HY_DNSSEC_INDETERMINATE;
	hy_findings_add(&zi->findings, "query-failed", HY_SEV_ERROR,
	    "the DS and DNSKEY of %s could not be asked (out of memory or "
	    "an unusable name; RFC 4035 §4.3: indeterminate)", zi->name);
	hy_dnssec_zone_finish(w->env.shared, z, false, w, false);
}

/* ---- validating one zone ------------------------------------------------ */

static bool
rsa_alg(unsigned alg)
{
	return alg == LDNS_RSASHA1 || alg == LDNS_RSASHA1_NSEC3 ||
	    alg == LDNS_RSASHA256 || alg == LDNS_RSASHA512 || alg == LDNS_RSAMD5;
}

static int
cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* Deprecated algorithms once per algorithm, short RSA keys once (their
 * tags in order, whatever order the RRset came in). */
static void
key_findings(struct hy_dnssec_zone_info *zi)
{
	unsigned seen_dep = 0, nshort = 0, minbits = 0, tag[16];
	char tags[96] = "";

	for (size_t i = 0; i < ldns_rr_list_rr_count(zi->dnskeys); i++) {
		const ldns_rr *k = ldns_rr_list_rr(zi->dnskeys, i);
		unsigned alg, bits;

		if (ldns_rr_rd_count(k) < 4)
			continue;	/* malformed: never a usable key */
		alg = ldns_rdf2native_int8(ldns_rr_rdf(k, 2));
		bits = hy_dnssec_key_bits(k);
		if (hy_dnssec_alg_deprecated(alg) && seen_dep != alg) {
			seen_dep = alg;
			hy_findings_add(&zi->findings, "deprecated-algorithm",
			    HY_SEV_WARNING, "%s uses algorithm %u (%s), which "
			    "must no longer be used for signing (RFC 8624 §3.1, "
			    "RFC 9904)", zi->name, alg, hy_dnssec_alg_name(alg));
		}
		if (!rsa_alg(alg) || bits == 0 || bits >= 2048)
			continue;
		if (nshort == 0 || bits < minbits)
			minbits = bits;
		if (nshort < sizeof(tag) / sizeof(tag[0]))
			tag[nshort] = hy_dnssec_key_tag(k);
		nshort++;
	}
	if (nshort == 0)
		return;
	qsort(tag, nshort < 16 ? nshort : 16, sizeof(tag[0]), cmp_unsigned);
	for (unsigned i = 0; i < nshort && i < 16; i++) {
		size_t n = strlen(tags);

		if (n < sizeof(tags) - 8)
			snprintf(tags + n, sizeof(tags) - n, "%s%u",
			    n ? ", " : "", tag[i]);
	}
	hy_findings_add(&zi->findings, "rsa-key-short", HY_SEV_WARNING,
	    "%s has %u RSA key%s shorter than 2048 bits (the shortest %u "
	    "bits; tag%s %s); 2048 bits is the current minimum (RFC 8624 "
	    "§3.1, NIST SP 800-57)", zi->name, nshort, nshort == 1 ? "" :
	    "s", minbits, nshort == 1 ? "" : "s", tags);
}

static bool
list_has_alg(const ldns_rr_list *l, ldns_rr_type t, size_t field,
    unsigned alg)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *r = ldns_rr_list_rr(l, i);

		if (ldns_rr_get_type(r) == t && ldns_rr_rd_count(r) > field &&
		    ldns_rdf2native_int8(ldns_rr_rdf(r, field)) == alg)
			return true;
	}
	return false;
}

/*
 * An algorithm rollover left half done: a DS algorithm without a DNSKEY
 * of it, or a DNSKEY algorithm that does not sign the DNSKEY RRset.
 * Validators accept either (RFC 6840 §5.11), but a zone must sign with
 * every algorithm it publishes (RFC 4035 §2.2, RFC 6781 §4.1.4).
 */
static void
algorithm_findings(struct hy_dnssec_zone_info *zi, const ldns_rr_list *sigs)
{
	unsigned done[16];
	size_t ndone = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(zi->ds) + ldns_rr_list_rr_count(
	    zi->dnskeys); i++) {
		bool is_ds = i < ldns_rr_list_rr_count(zi->ds);
		const ldns_rr *r = is_ds ? ldns_rr_list_rr(zi->ds, i) :
		    ldns_rr_list_rr(zi->dnskeys, i - ldns_rr_list_rr_count(
		    zi->ds));
		unsigned alg;
		bool seen = false;

		if (ldns_rr_get_type(r) != (is_ds ? LDNS_RR_TYPE_DS :
		    LDNS_RR_TYPE_DNSKEY) || ldns_rr_rd_count(r) < 4)
			continue;
		alg = ldns_rdf2native_int8(ldns_rr_rdf(r, is_ds ? 1 : 2));
		if (!hy_dnssec_alg_supported(alg) || (is_ds &&
		    !hy_dnssec_digest_supported(ldns_rdf2native_int8(
		    ldns_rr_rdf(r, 2)))))
			continue;
		for (size_t j = 0; j < ndone; j++)
			seen |= done[j] == alg;
		if (seen || ndone == sizeof(done) / sizeof(done[0]))
			continue;
		if (is_ds && !list_has_alg(zi->dnskeys, LDNS_RR_TYPE_DNSKEY, 2,
		    alg))
			hy_findings_add(&zi->findings,
			    "algorithm-rollover-incomplete", HY_SEV_WARNING,
			    "the DS RRset of %s names algorithm %u (%s) but the "
			    "zone has no DNSKEY of it: an algorithm rollover "
			    "left half done (RFC 6781 §4.1.4)", zi->name, alg,
			    hy_dnssec_alg_name(alg));
		else if (!list_has_alg(sigs, LDNS_RR_TYPE_RRSIG, 1, alg))
			hy_findings_add(&zi->findings,
			    "algorithm-rollover-incomplete", HY_SEV_WARNING,
			    "%s publishes algorithm %u (%s) but no RRSIG of "
			    "that algorithm signs its DNSKEY RRset; every "
			    "algorithm in the DNSKEY RRset must sign the zone "
			    "(RFC 4035 §2.2, RFC 6781 §4.1.4)", zi->name, alg,
			    hy_dnssec_alg_name(alg));
		else
			continue;
		done[ndone++] = alg;
	}
}

/* The denial side of check_ds: no DS at the parent. */
static enum hy_dnssec_status
check_no_ds(struct job *job, struct hy_dnssec_zone_info *zi,
    const struct hy_dnssec_zone_info *pi, const ldns_rdf *zn,
    const ldns_rdf *pn, time_t *expires)
{
	struct hy_dnssec_walk *w = job->w;
	enum hy_sig_verdict bad;
	const ldns_rr *bad_rr;
	ldns_rr_list *dens;
	enum hy_denial d;
	bool any;
	char what[300];

	dens = hy_dnssec_auth_denials(job->ds.pkt, pi, pn, w->env.now, expires,
	    &bad, &bad_rr);
	if (dens == NULL || bad == HY_SIG_ERROR) {
		ldns_rr_list_deep_free(dens);
		job->oom = true;
		return HY_DNSSEC_INDETERMINATE;
	}
	any = ldns_rr_list_rr_count(dens) > 0;
	if (bad != HY_SIG_VALID) {
		snprintf(what, sizeof(what), "the denial of a DS for %s at %s",
		    zi->name, pi->name);
		hy_dnssec_sig_finding(&zi->findings, bad, what);
		ldns_rr_list_deep_free(dens);
		return HY_DNSSEC_BOGUS;
	}
	d = hy_dnssec_denial(zn, LDNS_RR_TYPE_DS, job->ds.status ==
	    HY_DNS_NXDOMAIN, dens, pn);
	ldns_rr_list_deep_free(dens);
	switch (d) {
	case HY_DENIAL_NODATA:
		if (job->dnskey.status == HY_DNS_ANSWER)
			hy_findings_add(&zi->findings, "no-ds-at-parent",
			    HY_SEV_WARNING, "%s publishes DNSKEYs but %s holds "
			    "no DS for it (proven by NSEC/NSEC3), so validators "
			    "treat it as unsigned (RFC 4035 §5.2, RFC 4033 §5)",
			    zi->name, pi->name);
		return HY_DNSSEC_INSECURE;
	case HY_DENIAL_OPTOUT:
		hy_findings_add(&zi->findings, "nsec3-opt-out", HY_SEV_INFO,
		    "%s has no DS at %s: an NSEC3 opt-out span covers it "
		    "(RFC 5155 §6, §8.6)", zi->name, pi->name);
		if (job->dnskey.status == HY_DNS_ANSWER)
			hy_findings_add(&zi->findings, "no-ds-at-parent",
			    HY_SEV_WARNING, "%s publishes DNSKEYs but %s holds "
			    "no DS for it, so validators treat it as unsigned "
			    "(RFC 4035 §5.2)", zi->name, pi->name);
		return HY_DNSSEC_INSECURE;
	case HY_DENIAL_INSECURE:
		hy_findings_add(&zi->findings, "nsec3-iterations",
		    HY_SEV_ERROR, "%s denies a DS for %s with NSEC3 of more "
		    "than %d iterations, which validators treat as insecure "
		    "(RFC 9276 §3.2)", pi->name, zi->name,
		    HY_NSEC3_MAX_ITERATIONS);
		return HY_DNSSEC_INSECURE;
	case HY_DENIAL_NO_CUT:
		hy_findings_add(&zi->findings, "not-a-zone", HY_SEV_ERROR,
		    "%s proves that %s is no delegation, so there is no zone "
		    "%s although an answer named it (RFC 4035 §5.2)", pi->name,
		    zi->name, zi->name);
		return HY_DNSSEC_BOGUS;
	case HY_DENIAL_ERROR:
		job->oom = true;
		return HY_DNSSEC_INDETERMINATE;
	case HY_DENIAL_NXDOMAIN:
	case HY_DENIAL_DELEGATION:
	case HY_DENIAL_NONE:
		break;
	}
	hy_findings_add(&zi->findings, "ds-denial-missing", HY_SEV_ERROR,
	    "%s returned no DS for %s and %s: without an authenticated "
	    "NSEC/NSEC3 proof of a delegation without DS the answer may have "
	    "been stripped (RFC 4035 §5.2)", pi->name, zi->name,
	    any ? "its NSEC/NSEC3 records do not prove that" :
	    "no NSEC/NSEC3 proof");
	return HY_DNSSEC_BOGUS;
}

/* The DS side: sets zi->ds; returns the status the parent allows, or
 * SECURE when the DNSKEY set must now be checked against zi->ds. */
static enum hy_dnssec_status
check_ds(struct job *job, struct hy_dnssec_zone_info *zi, const ldns_rdf *zn,
    time_t *expires)
{
	struct hy_dnssec_walk *w = job->w;
	const struct hy_dnssec_zone_info *pi;
	enum hy_dnssec_status st = HY_DNSSEC_INDETERMINATE;
	ldns_rr_list *sigs = NULL;
	ldns_rdf *pn = NULL;
	enum hy_sig_verdict v;
	struct hy_sig_valid sv;
	char what[300];

	if (job->anchored) {
		const ldns_rr_list *a = hy_dnssec_shared_anchors(w->env.shared);

		if ((zi->ds = ldns_rr_list_new()) == NULL)
			goto oom;
		for (size_t i = 0; i < ldns_rr_list_rr_count(a); i++) {
			ldns_rr *c;

			if (!hy_dnssec_name_eq(ldns_rr_owner(
			    ldns_rr_list_rr(a, i)), zn))
				continue;
			if ((c = hy_dns_rr_clone(ldns_rr_list_rr(a, i))) ==
			    NULL ||
			    !ldns_rr_list_push_rr(zi->ds, c)) {
				ldns_rr_free(c);
				goto oom;
			}
		}
		return HY_DNSSEC_SECURE;
	}
	pi = hy_dnssec_zone_info(zi->parent);
	if (pi->status != HY_DNSSEC_SECURE)
		return pi->status;
	if (!status_measured(job->ds.status)) {
		hy_findings_add(&zi->findings, "query-failed", HY_SEV_ERROR,
		    "the DS query for %s got %s, so the chain cannot be "
		    "followed (RFC 4035 §4.3: indeterminate)", zi->name,
		    hy_dns_status_str(job->ds.status));
		return HY_DNSSEC_INDETERMINATE;
	}
	if ((pn = hy_dnssec_dname(pi->name)) == NULL)
		goto oom;
	if (job->ds.status != HY_DNS_ANSWER) {
		st = check_no_ds(job, zi, pi, zn, pn, expires);
		goto out;
	}
	snprintf(what, sizeof(what), "the DS RRset of %s at %s", zi->name,
	    pi->name);
	if ((zi->ds = hy_dnssec_section_rrs(job->ds.pkt, LDNS_SECTION_ANSWER,
	    zn, LDNS_RR_TYPE_DS)) == NULL ||
	    (sigs = hy_dnssec_section_rrs(job->ds.pkt, LDNS_SECTION_ANSWER, zn,
	    LDNS_RR_TYPE_RRSIG)) == NULL)
		goto oom;
	if (ldns_rr_list_rr_count(zi->ds) == 0) {
		hy_findings_add(&zi->findings, "ds-denial-missing",
		    HY_SEV_ERROR, "the DS answer for %s held no DS record "
		    "(RFC 4035 §5.2)", zi->name);
		st = HY_DNSSEC_BOGUS;
		goto out;
	}
	v = hy_dnssec_verify_rrset(zi->ds, sigs, pi->keys, pi->pkeys, pn,
	    w->env.now, &sv);
	if (v == HY_SIG_ERROR)
		goto oom;
	if (v != HY_SIG_VALID) {
		hy_dnssec_sig_finding(&zi->findings, v, what);
		st = HY_DNSSEC_BOGUS;
		goto out;
	}
	hy_dnssec_merge_expiry(expires, sv.expires);
	st = HY_DNSSEC_SECURE;
	goto out;
oom:
	job->oom = true;
	st = HY_DNSSEC_INDETERMINATE;
out:
	ldns_rr_list_deep_free(sigs);
	ldns_rdf_deep_free(pn);
	return st;
}

/* When the DNSKEY RRset fails with the keys the DS names: is it signed by
 * another key of its own? Then say so plainly. */
static void
dnskey_signer_finding(struct hy_dnssec_zone_info *zi, const ldns_rr_list *sigs,
    const ldns_rdf *zn, time_t now)
{
	unsigned tag[16];
	size_t n = 0;
	char tags[96] = "";

	if (hy_dnssec_verify_rrset(zi->dnskeys, sigs, zi->dnskeys, NULL, zn,
	    now, NULL) != HY_SIG_VALID)
		return;
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs) && n < 16; i++) {
		const ldns_rr *s = ldns_rr_list_rr(sigs, i);

		if (ldns_rr_rd_count(s) >= 9 && ldns_rdf2rr_type(
		    ldns_rr_rrsig_typecovered(s)) == LDNS_RR_TYPE_DNSKEY)
			tag[n++] = ldns_rdf2native_int16(
			    ldns_rr_rrsig_keytag(s));
	}
	qsort(tag, n, sizeof(tag[0]), cmp_unsigned);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(tags);

		if (len < sizeof(tags) - 8)
			snprintf(tags + len, sizeof(tags) - len, "%s%u",
			    len ? ", " : "", tag[i]);
	}
	hy_findings_add(&zi->findings, "dnskey-not-signed-by-ds-key",
	    HY_SEV_ERROR, "the DNSKEY RRset of %s is signed only by key %s, "
	    "which no DS at the parent names; a key the DS points to (the "
	    "KSK) must sign the DNSKEY RRset (RFC 4035 §5.2)", zi->name, tags);
}

static enum hy_dnssec_status
check_dnskeys(struct job *job, struct hy_dnssec_zone_info *zi,
    const ldns_rdf *zn, time_t *expires)
{
	struct hy_dnssec_walk *w = job->w;
	ldns_rr_list *sep = NULL, *sigs = NULL;
	enum hy_dnssec_status st = HY_DNSSEC_BOGUS;
	size_t nsupported = 0;
	enum hy_sig_verdict v;
	struct hy_sig_valid sv;
	char what[300];

	for (size_t i = 0; i < ldns_rr_list_rr_count(zi->ds); i++) {
		const ldns_rr *d = ldns_rr_list_rr(zi->ds, i);

		if (ldns_rr_get_type(d) == LDNS_RR_TYPE_DNSKEY) {
			nsupported++;	/* a DNSKEY anchor */
			continue;
		}
		if (ldns_rr_rd_count(d) < 4)
			continue;
		if (ldns_rdf2native_int8(ldns_rr_rdf(d, 2)) == LDNS_SHA1)
			hy_findings_add(&zi->findings, "ds-digest-sha1",
			    HY_SEV_WARNING, "the DS for %s (tag %u) uses SHA-1, "
			    "which must not be used for new DS records "
			    "(RFC 8624 §3.3)", zi->name,
			    ldns_rdf2native_int16(ldns_rr_rdf(d, 0)));
		if (hy_dnssec_alg_supported(ldns_rdf2native_int8(
		    ldns_rr_rdf(d, 1))) && hy_dnssec_digest_supported(
		    ldns_rdf2native_int8(ldns_rr_rdf(d, 2))))
			nsupported++;
	}
	if (nsupported == 0) {
		hy_findings_add(&zi->findings, "unsupported-algorithm",
		    HY_SEV_WARNING, "every DS for %s uses an algorithm or digest "
		    "type this validator does not implement, so the zone is "
		    "treated as unsigned (RFC 4035 §5.2, RFC 6840 §5.2)",
		    zi->name);
		return HY_DNSSEC_INSECURE;
	}
	if (job->dnskey.status != HY_DNS_ANSWER) {
		/* A negative answer carries the zone's SOA (RFC 2308 §2.2);
		 * an empty one is no answer from the zone's servers. */
		if (job->dnskey.status == HY_DNS_NODATA && job->dnskey.pkt &&
		    ldns_rr_list_rr_count(ldns_pkt_authority(
		    job->dnskey.pkt)) == 0) {
			hy_findings_add(&zi->findings, "query-failed",
			    HY_SEV_ERROR, "the DNSKEY query for %s got an empty "
			    "answer, not even an SOA: its servers do not serve "
			    "the zone (a lame delegation?; RFC 4035 §4.3: "
			    "indeterminate)", zi->name);
			return HY_DNSSEC_INDETERMINATE;
		}
		if (!status_measured(job->dnskey.status)) {
			hy_findings_add(&zi->findings, "query-failed",
			    HY_SEV_ERROR, "the DNSKEY query for %s got %s "
			    "(RFC 4035 §4.3: indeterminate)", zi->name,
			    hy_dns_status_str(job->dnskey.status));
			return HY_DNSSEC_INDETERMINATE;
		}
		hy_findings_add(&zi->findings, "no-dnskey", HY_SEV_ERROR,
		    "the parent vouches for %s with a DS but the zone returns "
		    "no DNSKEY RRset (RFC 4035 §5.2)", zi->name);
		return HY_DNSSEC_BOGUS;
	}
	if ((sep = ldns_rr_list_new()) == NULL ||
	    (sigs = hy_dnssec_section_rrs(job->dnskey.pkt, LDNS_SECTION_ANSWER,
	    zn, LDNS_RR_TYPE_RRSIG)) == NULL)
		goto oom;
	for (size_t i = 0; i < ldns_rr_list_rr_count(zi->dnskeys); i++) {
		ldns_rr *k = ldns_rr_list_rr(zi->dnskeys, i);

		for (size_t j = 0; j < ldns_rr_list_rr_count(zi->ds); j++) {
			const ldns_rr *d = ldns_rr_list_rr(zi->ds, j);
			int m = hy_dnssec_ds_matches(d, k);

			if (m < 0)
				goto oom;
			if (m > 0 || hy_dnssec_dnskey_equal(d, k)) {
				if (!ldns_rr_list_push_rr(sep, k))
					goto oom;
				break;
			}
		}
	}
	algorithm_findings(zi, sigs);
	if (ldns_rr_list_rr_count(sep) == 0) {
		hy_findings_add(&zi->findings, "ds-mismatch", HY_SEV_ERROR,
		    "no DNSKEY of %s matches %s (RFC 4035 §5.2)",
		    zi->name, job->anchored ? "the trust anchor" :
		    "a DS at the parent");
		goto out;
	}
	v = hy_dnssec_verify_rrset(zi->dnskeys, sigs, sep, NULL, zn,
	    w->env.now, &sv);
	if (v == HY_SIG_ERROR)
		goto oom;
	if (v != HY_SIG_VALID) {
		if (v == HY_SIG_NO_KEY || v == HY_SIG_MISSING)
			dnskey_signer_finding(zi, sigs, zn, w->env.now);
		snprintf(what, sizeof(what), "the DNSKEY RRset of %s (by a "
		    "key the DS points to)", zi->name);
		hy_dnssec_sig_finding(&zi->findings, v, what);
		goto out;
	}
	hy_dnssec_merge_expiry(expires, sv.expires);
	st = HY_DNSSEC_SECURE;
	goto out;
oom:
	job->oom = true;
	st = HY_DNSSEC_INDETERMINATE;
out:
	ldns_rr_list_free(sep);
	ldns_rr_list_deep_free(sigs);
	return st;
}

static void
job_validate(struct job *job)
{
	struct hy_dnssec_walk *w = job->w;
	struct hy_dnssec_zone_info *zi = hy_dnssec_zone_info_mut(job->zone);
	ldns_rdf *zn = hy_dnssec_dname(zi->name);
	enum hy_dnssec_status st;
	time_t exp = 0;
	bool timeout;

	job->state = J_DONE;
	hy_dnssec_shared_count_validation(w->env.shared);
	if (job->parent != NULL) {
		zi->parent = job->parent;	/* the reference moves */
		job->parent = NULL;
		hy_dnssec_merge_expiry(&exp,
		    hy_dnssec_zone_info(zi->parent)->expires);
	}
	if (zn == NULL)
		job->oom = true;
	else if (job->dnskey.status == HY_DNS_ANSWER &&
	    (zi->dnskeys = hy_dnssec_section_rrs(job->dnskey.pkt,
	    LDNS_SECTION_ANSWER, zn, LDNS_RR_TYPE_DNSKEY)) == NULL)
		job->oom = true;
	st = job->oom ? HY_DNSSEC_INDETERMINATE : check_ds(job, zi, zn, &exp);
	if (st == HY_DNSSEC_SECURE)
		st = check_dnskeys(job, zi, zn, &exp);
	if (st == HY_DNSSEC_SECURE) {
		if ((zi->keys = ldns_rr_list_new()) == NULL)
			job->oom = true;
		for (size_t i = 0; zi->keys &&
		    i < ldns_rr_list_rr_count(zi->dnskeys); i++)
			if (!ldns_rr_list_push_rr(zi->keys,
			    ldns_rr_list_rr(zi->dnskeys, i)))
				job->oom = true;
		/* Without the cache, keys are parsed for every signature. */
		if (zi->keys != NULL)
			zi->pkeys = hy_dnssec_pkeys_new(zi->keys);
		zi->expires = exp;
	}
	if (zi->dnskeys != NULL)
		key_findings(zi);
	if (job->oom) {
		/* Never a verdict, and not kept for the next walk. */
		hy_findings_add(&zi->findings, "out-of-memory", HY_SEV_ERROR,
		    "%s could not be validated: out of memory (RFC 4035 §4.3: "
		    "indeterminate)", zi->name);
		st = HY_DNSSEC_INDETERMINATE;
	}
	zi->status = st;
	ldns_rdf_deep_free(zn);
	timeout = job->ds.status == HY_DNS_TIMEOUT ||
	    job->dnskey.status == HY_DNS_TIMEOUT;
	resp_clear(&job->ds);
	resp_clear(&job->dnskey);
	hy_dnssec_zone_finish(w->env.shared, job->zone,
	    st != HY_DNSSEC_INDETERMINATE, w, timeout || job->oom);
}

static void
job_fail(struct job *job, const char *fmt, const char *arg)
{
	struct hy_dnssec_zone_info *zi = hy_dnssec_zone_info_mut(job->zone);
	bool timeout = job->ds.status == HY_DNS_TIMEOUT ||
	    job->dnskey.status == HY_DNS_TIMEOUT;

	job->state = J_DONE;
	hy_findings_add(&zi->findings, "query-failed", HY_SEV_ERROR, fmt,
	    zi->name, arg);
	zi->status = HY_DNSSEC_INDETERMINATE;
	hy_dnssec_zone_finish(job->w->env.shared, job->zone, false, job->w,
	    timeout || job->pending > 0);
}

/*
 * The parent named by a DS response: the signer of the RRSIGs over the
 * DS RRset or over NSEC/NSEC3 records of the authority section, else the
 * owner of the SOA there; NULL if none is a proper ancestor of the zone.
 * The parent's keys must then validate those records, so a wrong name
 * can only make the zone bogus, never secure.
 */
static char *
parent_from(const ldns_pkt *p, const char *zone)
{
	const ldns_rr_list *secs[2];
	char *best = NULL;

	if (p == NULL)
		return NULL;
	secs[0] = ldns_pkt_answer(p);
	secs[1] = ldns_pkt_authority(p);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < ldns_rr_list_rr_count(secs[k]); i++) {
			const ldns_rr *s = ldns_rr_list_rr(secs[k], i);
			ldns_rr_type c;
			char *n;

			if (ldns_rr_get_type(s) != LDNS_RR_TYPE_RRSIG ||
			    ldns_rr_rd_count(s) < 9)
				continue;
			c = ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(s));
			if (k == 0 ? c != LDNS_RR_TYPE_DS :
			    (c != LDNS_RR_TYPE_NSEC && c != LDNS_RR_TYPE_NSEC3))
				continue;
			if ((n = hy_dnssec_dname_str(
			    ldns_rr_rrsig_signame(s))) == NULL)
				continue;
			if (name_under(zone, n) && !name_eq(zone, n) &&
			    (best == NULL || strlen(n) > strlen(best))) {
				free(best);
				best = n;
			} else
				free(n);
		}
	for (size_t i = 0; best == NULL &&
	    i < ldns_rr_list_rr_count(secs[1]); i++) {
		const ldns_rr *r = ldns_rr_list_rr(secs[1], i);
		char *n;

		if (ldns_rr_get_type(r) != LDNS_RR_TYPE_SOA ||
		    (n = hy_dnssec_dname_str(ldns_rr_owner(r))) == NULL)
			continue;
		if (name_under(zone, n) && !name_eq(zone, n))
			best = n;
		else
			free(n);
	}
	return best;
}

/* The zone holding name per an SOA query's answer or authority. */
static char *
zone_from_soa(const ldns_pkt *p, const char *name)
{
	static const ldns_pkt_section secs[] = { LDNS_SECTION_ANSWER,
	    LDNS_SECTION_AUTHORITY };

	if (p == NULL)
		return NULL;
	for (size_t k = 0; k < 2; k++) {
		const ldns_rr_list *l = hy_dnssec_section(p, secs[k]);

		for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
			const ldns_rr *r = ldns_rr_list_rr(l, i);
			char *n;

			if (ldns_rr_get_type(r) != LDNS_RR_TYPE_SOA ||
			    (n = hy_dnssec_dname_str(ldns_rr_owner(r))) ==
			    NULL)
				continue;
			if (name_under(name, n))
				return n;
			free(n);
		}
	}
	return NULL;
}

static char *
chop(const char *name)
{
	const char *dot = strchr(name, '.');

	return strdup(dot == NULL || dot[1] == '\0' ? "." : dot + 1);
}

static void
job_have_parent(struct job *job)
{
	int r;

	job->state = J_PARENT;
	r = acquire(job->w, job->parent_name, &job->parent, &job->pwait,
	    job_event, job);
	if (r < 0) {
		job->oom = true;
		job_fail(job, "%s: out of memory%s", "");
	} else if (r == 1 && job->pending == 0)
		job_validate(job);
}

static void
job_response(struct job *job, struct qctx *q, const struct hy_dns_result *res)
{
	const char *zname = hy_dnssec_zone_info(job->zone)->name;

	job->pending--;
	if (job->state == J_DONE)
		return;
	switch (q->kind) {
	case Q_DNSKEY:
		resp_store(&job->dnskey, res);
		break;
	case Q_DS:
		resp_store(&job->ds, res);
		if (!status_measured(job->ds.status)) {
			job_fail(job, "the DS query for %s got %s (RFC 4035 "
			    "§4.3: indeterminate)", hy_dns_status_str(
			    job->ds.status));
			return;
		}
		job->parent_name = parent_from(job->ds.pkt, zname);
		if (job->parent_name != NULL) {
			job_have_parent(job);
			return;
		}
		/* No signer, no SOA: find the parent zone by its SOA. */
		job->state = J_FIND_PARENT;
		{
			char *up = chop(zname);

			if (up == NULL || ask(job->w, job, Q_FINDP, 0, up,
			    LDNS_RR_TYPE_SOA) != 0) {
				free(up);
				job_fail(job, "%s: cannot ask for the parent "
				    "zone%s", "");
				return;
			}
			free(up);
			job->pending++;
		}
		return;
	case Q_FINDP:
		if (status_measured(res->status))
			job->parent_name = zone_from_soa(res->pkt, zname);
		if (job->parent_name == NULL ||
		    name_eq(job->parent_name, zname)) {
			job_fail(job, "the parent zone of %s could not be "
			    "found (%s)", hy_dns_status_str(res->status));
			return;
		}
		job_have_parent(job);
		return;
	case Q_SLOT:
		return;
	}
	/* DNSKEY arrived: validate once the DS side is settled. */
	if (job->anchored && job->pending == 0)
		job_validate(job);
	else if (job->state == J_PARENT && job->pending == 0 &&
	    job->parent != NULL && hy_dnssec_zone_done(job->parent) &&
	    !job->pwait.linked)
		job_validate(job);
}

/* ---- the domain's own answers -------------------------------------------- */

static struct zref *
zref_find(struct hy_dnssec_walk *w, const char *name)
{
	for (int i = 0; i < w->nzr; i++)
		if (name_eq(w->zr[i].name, name))
			return &w->zr[i];
	return NULL;
}

/* answer callback: a zone an answer needs. */
static void
need_zone(void *arg, const char *zone)
{
	struct hy_dnssec_walk *w = arg;
	struct zref *zr;

	if (zref_find(w, zone) != NULL)
		return;
	if (w->nzr == MAX_ZONES) {
		w->zones_full = true;
		return;
	}
	zr = &w->zr[w->nzr];
	memset(zr, 0, sizeof(*zr));
	zr->w = w;
	if ((zr->name = strdup(zone)) == NULL) {
		w->oom = true;
		return;
	}
	w->nzr++;
	if (zref_acquire(zr) < 0)
		w->oom = true;
}

/* answer callback: the zone of an unsigned link at owner. In the
 * collect pass the first one of each answer gets an SOA query. */
static char *
zone_of_unsigned(void *arg, const ldns_rdf *owner)
{
	struct hy_dnssec_walk *w = arg;
	int s = w->cur_slot;
	char *o;

	if (w->state == W_ZONES && w->aux_zone[s] != NULL &&
	    (o = hy_dnssec_dname_str(owner)) != NULL) {
		bool same = w->aux_name[s] != NULL &&
		    name_eq(o, w->aux_name[s]);

		free(o);
		if (same)
			return strdup(w->aux_zone[s]);
	}
	if (w->aux_name[s] == NULL &&
	    (w->aux_name[s] = hy_dnssec_dname_str(owner)) != NULL) {
		if (ask(w, NULL, Q_SLOT, S_AUX + s, w->aux_name[s],
		    LDNS_RR_TYPE_SOA) == 0)
			w->pending_slots++;
		else
			w->oom = true;
	}
	return strdup(w->zr[0].name);
}

static const struct hy_dnssec_zone_info *
lookup_zone(void *arg, const char *zone)
{
	struct zref *zr = zref_find(arg, zone);

	return zr != NULL && zref_ready(zr) ? hy_dnssec_zone_info(zr->zone) :
	    NULL;
}

/* A validated cut (a secure or proven insecure zone) strictly below zone
 * and at or above owner. */
static bool
cut_below(void *arg, const char *zone, const ldns_rdf *owner)
{
	struct hy_dnssec_walk *w = arg;
	char *o = hy_dnssec_dname_str(owner);
	bool cut = false;

	for (int i = 0; o != NULL && i < w->nzr && !cut; i++) {
		const struct hy_dnssec_zone_info *zi;

		if (!zref_ready(&w->zr[i]))
			continue;
		zi = hy_dnssec_zone_info(w->zr[i].zone);
		cut = (zi->status == HY_DNSSEC_SECURE ||
		    zi->status == HY_DNSSEC_INSECURE) &&
		    !name_eq(zi->name, zone) && name_under(zi->name, zone) &&
		    name_under(o, zi->name);
	}
	free(o);
	return cut;
}

static void
note_denial(void *arg, const char *zone, const ldns_rr_list *dens)
{
	struct hy_dnssec_walk *w = arg;

	if (!name_eq(zone, w->zr[0].name))
		return;		/* the report describes Z only */
	for (size_t i = 0; i < ldns_rr_list_rr_count(dens); i++) {
		const ldns_rr *r = ldns_rr_list_rr(dens, i);

		if (ldns_rr_get_type(r) == LDNS_RR_TYPE_NSEC) {
			if (w->denial == 0)
				w->denial = 1;
			continue;
		}
		w->denial = 3;
		w->n3_iter = ldns_nsec3_iterations(r);
		w->n3_salt = ldns_nsec3_salt_length(r);
		if (ldns_nsec3_optout(r))
			w->n3_optout = true;
	}
}

/* Judge (or, in the collect pass, look through) answer s. */
static enum hy_dnssec_status
judge(struct hy_dnssec_walk *w, int s, bool collect)
{
	const struct resp *r = &w->r[s];
	struct hy_dnssec_answer a = {
		.pkt = r->pkt, .qname = slot_name(w, s),
		.qtype = s == S_SOA ? LDNS_RR_TYPE_SOA : s == S_MX ?
		    LDNS_RR_TYPE_MX : LDNS_RR_TYPE_TXT,
		.now = w->env.now, .collect = collect, .arg = w,
		.need = need_zone, .zone_of = zone_of_unsigned,
		.lookup = lookup_zone, .cut_below = cut_below,
		.note_denial = note_denial, .findings = &w->findings,
	};
	enum hy_dnssec_status st;

	if (w->rr[s].skipped)
		return HY_DNSSEC_SECURE;	/* neutral */
	if (!status_measured(r->status) || r->pkt == NULL) {
		if (!collect)
			hy_findings_add(&w->findings, "query-failed",
			    HY_SEV_WARNING, "the %s query for %s got %s, so "
			    "it could not be validated (RFC 4035 §4.3)",
			    slot_type[s], a.qname,
			    hy_dns_status_str(r->status));
		return HY_DNSSEC_INDETERMINATE;
	}
	w->cur_slot = s;
	st = hy_dnssec_answer_judge(&a);
	if (a.oom)
		w->oom = true;
	if (!collect) {
		w->rr[s].present = a.present;
		hy_dnssec_merge_expiry(&w->expires, a.expires);
	}
	return st;
}

static void
ad_bookkeeping(struct hy_dnssec_walk *w)
{
	w->ad_all = true;
	for (int s = S_SOA; s <= S_DMARC; s++) {
		if (w->rr[s].skipped)
			continue;
		if (status_measured(w->r[s].status))
			w->ad_known = true;
		if (w->r[s].ad)
			w->ad_seen = true;
		else
			w->ad_all = false;
	}
}

static void
finish(struct hy_dnssec_walk *w, enum hy_dnssec_status st)
{
	if (w->oom) {
		hy_findings_add(&w->findings, "out-of-memory", HY_SEV_ERROR,
		    "the answers for %s could not be validated: out of memory "
		    "(RFC 4035 §4.3: indeterminate)", w->domain);
		st = HY_DNSSEC_INDETERMINATE;
	}
	w->status = st;
	w->state = W_DONE;
	w->env.done(w->env.darg, w);	/* may free w: nothing after this */
}

static void
nsec3_findings(struct hy_dnssec_walk *w)
{
	const char *zone = w->zr[0].name;

	if (w->denial != 3)
		return;
	if (w->n3_iter > HY_NSEC3_MAX_ITERATIONS)
		hy_findings_add(&w->findings, "nsec3-iterations",
		    HY_SEV_ERROR, "%s uses %u extra NSEC3 iterations; they "
		    "must be 0 (RFC 9276 §3.1), and above %d validators treat "
		    "its denials of existence as insecure (RFC 9276 §3.2)",
		    zone, w->n3_iter, HY_NSEC3_MAX_ITERATIONS);
	else if (w->n3_iter > 0)
		hy_findings_add(&w->findings, "nsec3-iterations",
		    HY_SEV_WARNING, "%s uses %u extra NSEC3 iterations; they "
		    "must be 0 (RFC 9276 §3.1)", zone, w->n3_iter);
	if (w->n3_salt > 0)
		hy_findings_add(&w->findings, "nsec3-salt", HY_SEV_INFO,
		    "%s uses a %u-octet NSEC3 salt; it should be empty "
		    "(RFC 9276 §3.1)", zone, w->n3_salt);
	if (w->n3_optout)
		hy_findings_add(&w->findings, "nsec3-opt-out", HY_SEV_INFO,
		    "%s uses NSEC3 opt-out (RFC 5155 §6; RFC 9276 §3.1 advises "
		    "against it)", zone);
}

static void
evaluate(struct hy_dnssec_walk *w)
{
	enum hy_dnssec_status st = HY_DNSSEC_SECURE;

	w->ad_all = true;
	for (int s = S_SOA; s <= S_DMARC; s++) {
		const struct resp *r = &w->r[s];

		if (!w->rr[s].skipped) {
			if (status_measured(r->status))
				w->ad_known = true;
			if (r->ad)
				w->ad_seen = true;
			else
				w->ad_all = false;
		}
		w->rr[s].status = judge(w, s, false);
		/* The _dmarc name only taints the verdict when it is bogus:
		 * an opt-out span (insecure) or a lost query says nothing
		 * about the domain's own data. */
		if (s != S_DMARC || w->rr[s].status == HY_DNSSEC_BOGUS)
			hy_dnssec_status_combine(&st, w->rr[s].status);
	}
	if (w->zones_full) {
		hy_findings_add(&w->findings, "too-many-zones", HY_SEV_WARNING,
		    "the answers for %s involve more than %d zones; the rest "
		    "were not checked", w->domain, MAX_ZONES);
		hy_dnssec_status_combine(&st, HY_DNSSEC_INDETERMINATE);
	}
	w->status = st;
	hy_dnssec_merge_expiry(&w->expires,
	    hy_dnssec_zone_info(w->zr[0].zone)->expires);
	if (w->expires != 0 && w->expires - w->env.now < EXPIRES_SOON_S)
		hy_findings_add(&w->findings, "signature-expires-soon",
		    HY_SEV_WARNING, "a signature the verdict relies on expires "
		    "within %d days; re-signing must happen before then "
		    "(RFC 6781 §4.4.2)", EXPIRES_SOON_S / 86400);
}

/* Start the chain part once the zone is known. */
static void
have_zone(struct hy_dnssec_walk *w, const char *zone)
{
	int r;

	w->state = W_CHAIN;
	w->zr[0].w = w;
	if ((w->zr[0].name = strdup(zone)) == NULL) {
		w->oom = true;
		finish(w, HY_DNSSEC_INDETERMINATE);
		return;
	}
	w->nzr = 1;
	if ((r = zref_acquire(&w->zr[0])) < 0) {
		w->oom = true;
		finish(w, HY_DNSSEC_INDETERMINATE);
		return;
	}
	if (r == 1)
		walk_step(w, &(struct ev){ .kind = EV_ZONE_READY,
		    .zr = &w->zr[0] });
}

static void
zones_progress(struct hy_dnssec_walk *w)
{
	if (w->state != W_ZONES || w->pending_slots > 0)
		return;
	for (int i = 0; i < w->nzr; i++)
		if (!zref_ready(&w->zr[i]))
			return;
	evaluate(w);
	if (w->denial == 0 && w->status == HY_DNSSEC_SECURE &&
	    !w->env.anchor_only) {
		w->state = W_NSEC3PARAM;
		if (ask(w, NULL, Q_SLOT, S_NSEC3PARAM, w->zr[0].name,
		    LDNS_RR_TYPE_NSEC3PARAM) == 0) {
			w->pending_slots++;
			return;
		}
	}
	nsec3_findings(w);
	finish(w, w->status);
}

static void
chain_progress(struct hy_dnssec_walk *w)
{
	const struct hy_dnssec_zone_info *zi;

	if (!zref_ready(&w->zr[0]) || w->pending_slots > 0)
		return;
	zi = hy_dnssec_zone_info(w->zr[0].zone);
	if (zi->status != HY_DNSSEC_SECURE) {
		/* Also keep the resolver's AD bits for comparison. */
		ad_bookkeeping(w);
		finish(w, zi->status);
		return;
	}
	/* Which zones do the answers need? Their jobs and SOA questions
	 * may finish at once: look again after all are asked. */
	w->state = W_ZONES;
	w->pending_slots++;
	for (int s = S_SOA; s <= S_DMARC; s++)
		judge(w, s, true);
	w->pending_slots--;
	if (w->oom)
		finish(w, HY_DNSSEC_INDETERMINATE);
	else
		zones_progress(w);
}

/* The SOA of an unsigned link arrived: its zone is needed too. */
static void
aux_done(struct hy_dnssec_walk *w, int slot)
{
	int s = slot - S_AUX;
	const struct resp *r = &w->r[slot];

	if (status_measured(r->status) && w->aux_name[s] != NULL &&
	    (w->aux_zone[s] = zone_from_soa(r->pkt, w->aux_name[s])) != NULL)
		need_zone(w, w->aux_zone[s]);
	if (w->oom)
		finish(w, HY_DNSSEC_INDETERMINATE);
	else
		zones_progress(w);
}

static void
nsec3param_done(struct hy_dnssec_walk *w)
{
	const struct resp *r = &w->r[S_NSEC3PARAM];
	const ldns_rr_list *l = r->pkt != NULL ? (r->status == HY_DNS_ANSWER ?
	    ldns_pkt_answer(r->pkt) : ldns_pkt_authority(r->pkt)) : NULL;

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *x = ldns_rr_list_rr(l, i);

		if (r->status == HY_DNS_ANSWER &&
		    ldns_rr_get_type(x) == LDNS_RR_TYPE_NSEC3PARAM &&
		    ldns_rr_rd_count(x) >= 4) {
			w->denial = 3;
			w->n3_iter = ldns_rdf2native_int16(ldns_rr_rdf(x, 2));
			w->n3_salt = ldns_rdf_size(ldns_rr_rdf(x, 3)) > 0 ?
			    ldns_rdf_data(ldns_rr_rdf(x, 3))[0] : 0;
			break;
		}
		if (r->status == HY_DNS_NODATA &&
		    ldns_rr_get_type(x) == LDNS_RR_TYPE_NSEC) {
			w->denial = 1;
			break;
		}
	}
	nsec3_findings(w);
	finish(w, w->status);
}

static void
discover(struct hy_dnssec_walk *w)
{
	const struct resp *r = &w->r[S_SOA];
	char *z;

	if (w->env.anchor_only) {
		have_zone(w, w->domain);
		return;
	}
	if (!status_measured(r->status)) {
		hy_findings_add(&w->findings, "query-failed", HY_SEV_ERROR,
		    "the SOA query for %s got %s, so its zone is unknown "
		    "(RFC 4035 §4.3: indeterminate)", w->domain,
		    hy_dns_status_str(r->status));
		finish(w, HY_DNSSEC_INDETERMINATE);
		return;
	}
	if ((z = zone_from_soa(r->pkt, w->domain)) == NULL &&
	    r->status == HY_DNS_ANSWER) {
		/* A CNAME: the answer's SOA is the target's. The alias lives
		 * in the zone that holds its parent name (an apex cannot be
		 * a CNAME, RFC 2181 §10.1), so ask for that. */
		char *up = chop(w->domain);

		if (up != NULL && ask(w, NULL, Q_SLOT, S_SOA_UP, up,
		    LDNS_RR_TYPE_SOA) == 0) {
			w->pending_slots++;
			free(up);
			return;
		}
		free(up);
	}
	if (z == NULL) {
		hy_findings_add(&w->findings, "query-failed", HY_SEV_ERROR,
		    "the SOA answer for %s names no enclosing zone", w->domain);
		finish(w, HY_DNSSEC_INDETERMINATE);
		return;
	}
	have_zone(w, z);
	free(z);
}

/* The zone of the alias's parent name is the alias's zone. */
static void
discover_up(struct hy_dnssec_walk *w)
{
	const struct resp *r = &w->r[S_SOA_UP];
	char *up = chop(w->domain), *z = NULL;

	if (up != NULL && status_measured(r->status))
		z = zone_from_soa(r->pkt, up);
	free(up);
	if (z == NULL) {
		hy_findings_add(&w->findings, "query-failed", HY_SEV_ERROR,
		    "%s is an alias and the zone holding it could not be "
		    "found (%s)", w->domain, hy_dns_status_str(r->status));
		finish(w, HY_DNSSEC_INDETERMINATE);
		return;
	}
	have_zone(w, z);
	free(z);
}

/* ---- the transition function --------------------------------------------- */

static void
zone_retry(struct hy_dnssec_walk *w, struct zref *zr)
{
	int r;

	if (w->state != W_CHAIN && w->state != W_ZONES)
		return;
	hy_dnssec_zone_unref(zr->zone);
	zr->zone = NULL;
	if ((r = zref_acquire(zr)) < 0) {
		w->oom = true;
		finish(w, HY_DNSSEC_INDETERMINATE);
	} else if (r == 1)
		walk_step(w, &(struct ev){ .kind = EV_ZONE_READY, .zr = zr });
}

static void
slot_response(struct hy_dnssec_walk *w, int slot)
{
	if (w->state == W_DISCOVER && slot == S_SOA)
		discover(w);
	else if (w->state == W_DISCOVER && slot == S_SOA_UP)
		discover_up(w);
	else if (w->state == W_NSEC3PARAM)
		nsec3param_done(w);
	else if (w->state == W_CHAIN)
		chain_progress(w);
	else if (w->state == W_ZONES && slot >= S_AUX)
		aux_done(w, slot);
}

static void
walk_step(struct hy_dnssec_walk *w, const struct ev *ev)
{
	switch (ev->kind) {
	case EV_START:
		w->state = W_DISCOVER;
		w->ad_all = true;
		return;
	case EV_RESPONSE:
		if (ev->q->job != NULL) {
			job_response(ev->q->job, ev->q, ev->res);
			return;
		}
		if (w->state == W_DONE)
			return;
		resp_store(&w->r[ev->q->slot], ev->res);
		w->pending_slots--;
		slot_response(w, ev->q->slot);
		return;
	case EV_ZONE_READY:
		if (ev->job != NULL) {
			if (ev->job->state == J_PARENT &&
			    ev->job->pending == 0)
				job_validate(ev->job);
			return;
		}
		if (w->state == W_CHAIN)
			chain_progress(w);
		else if (w->state == W_ZONES)
			zones_progress(w);
		return;
	case EV_ZONE_RETRY:
		/* The entry's owner ran out of time; try on our own. */
		if (ev->job != NULL) {
			hy_dnssec_zone_unref(ev->job->parent);
			ev->job->parent = NULL;
			if (ev->job->state == J_PARENT)
				job_have_parent(ev->job);
			return;
		}
		zone_retry(w, ev->zr);
		return;
	}
}

/* ---- public API ----------------------------------------------------------- */

struct hy_dnssec_walk *
hy_dnssec_walk_new(const struct hy_dnssec_env *env, const char *domain)
{
	struct hy_dnssec_walk *w = calloc(1, sizeof(*w));
	size_t n;

	if (w == NULL)
		return NULL;
	w->env = *env;
	n = strlen(domain);
	if (asprintf(&w->domain, "%s%s", domain,
	    n > 0 && domain[n - 1] == '.' ? "" : ".") < 0) {
		w->domain = NULL;
		goto fail;
	}
	for (char *p = w->domain; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p += 'a' - 'A';
	if (asprintf(&w->dmarc, "_dmarc.%s", w->domain) < 0) {
		w->dmarc = NULL;
		goto fail;
	}
	w->status = HY_DNSSEC_INDETERMINATE;
	for (int s = 0; s < NCHECKED; s++)
		w->rr[s].status = HY_DNSSEC_INDETERMINATE;
	return w;
fail:
	hy_dnssec_walk_free(w);
	return NULL;
}

int
hy_dnssec_walk_start(struct hy_dnssec_walk *w)
{
	static const struct { int slot; ldns_rr_type t; } q[] = {
		{ S_SOA, LDNS_RR_TYPE_SOA }, { S_TXT, LDNS_RR_TYPE_TXT },
		{ S_MX, LDNS_RR_TYPE_MX }, { S_DMARC, LDNS_RR_TYPE_TXT },
	};

	walk_step(w, &(struct ev){ .kind = EV_START });
	if (w->env.anchor_only) {
		/* The anchor's own DNSKEY query only starts the chain part,
		 * so done() never comes from inside this call. */
		for (int s = 0; s < NCHECKED; s++)
			w->rr[s].skipped = true;
		if (ask(w, NULL, Q_SLOT, S_SOA, w->domain,
		    LDNS_RR_TYPE_DNSKEY) != 0)
			return -1;
		w->pending_slots++;
		return 0;
	}
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		const char *name = slot_name(w, q[i].slot);

		if (w->env.chain_only && q[i].slot != S_SOA) {
			w->rr[q[i].slot].skipped = true;
			continue;
		}

		if (ask(w, NULL, Q_SLOT, q[i].slot, name, q[i].t) != 0) {
			if (i == 0)
				return -1;
			/* Later questions count as not measured. */
			w->r[q[i].slot].have = true;
			w->r[q[i].slot].status = HY_DNS_ERROR;
			continue;
		}
		w->pending_slots++;
	}
	return 0;
}

void
hy_dnssec_walk_free(struct hy_dnssec_walk *w)
{
	struct job *j, *jn;
	struct qctx *q, *qn;

	if (w == NULL)
		return;
	for (int i = 0; i < w->nzr; i++)
		hy_dnssec_zone_unwait(&w->zr[i].wt);
	for (j = w->jobs; j != NULL; j = j->next)
		hy_dnssec_zone_unwait(&j->pwait);
	/* Jobs still running hand their zones to the next walk. */
	for (j = w->jobs; j != NULL; j = jn) {
		jn = j->next;
		if (j->state != J_DONE) {
			j->state = J_DONE;
			hy_dnssec_zone_info_mut(j->zone)->status =
			    HY_DNSSEC_INDETERMINATE;
			hy_dnssec_zone_finish(w->env.shared, j->zone, false, w,
			    true);
		}
	}
	for (j = w->jobs; j != NULL; j = jn) {
		jn = j->next;
		resp_clear(&j->ds);
		resp_clear(&j->dnskey);
		hy_dnssec_zone_unref(j->parent);
		hy_dnssec_zone_unref(j->zone);
		free(j->parent_name);
		free(j);
	}
	for (q = w->queries; q != NULL; q = qn) {
		qn = q->next;
		free(q);
	}
	for (int s = 0; s < NSLOTS; s++)
		resp_clear(&w->r[s]);
	for (int i = 0; i < w->nzr; i++) {
		hy_dnssec_zone_unref(w->zr[i].zone);
		free(w->zr[i].name);
	}
	for (int s = 0; s < NCHECKED; s++) {
		free(w->aux_name[s]);
		free(w->aux_zone[s]);
	}
	hy_findings_clear(&w->findings);
	free(w->domain);
	free(w->dmarc);
	free(w);
}

enum hy_dnssec_status
hy_dnssec_walk_status(const struct hy_dnssec_walk *w)
{
	return w->status;
}

const struct hy_findings *
hy_dnssec_walk_findings(const struct hy_dnssec_walk *w)
{
	return &w->findings;
}

void
hy_dnssec_walk_explain(const struct hy_dnssec_walk *w, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (int k = -1; k < w->nzr; k++) {
		const struct hy_findings *f = &w->findings;

		for (const struct hy_dnssec_zone *z = k < 0 ? NULL :
		    w->zr[k].zone; k < 0 || z != NULL;
		    z = hy_dnssec_zone_info(z)->parent) {
			if (k >= 0)
				f = &hy_dnssec_zone_info(z)->findings;
			for (size_t i = 0; i < f->n && n + 1 < len; i++) {
				if (f->v[i].sev != HY_SEV_ERROR)
					continue;
				n += (size_t)snprintf(buf + n, len - n, "%s%s",
				    n ? "; " : "", f->v[i].message);
			}
			if (k < 0)
				break;
		}
	}
	if (n >= len && len > 4)
		memcpy(buf + len - 4, "...", 4);
}

/* ---- JSON ------------------------------------------------------------------ */

static char *
zone_label(const char *name)
{
	size_t n = strlen(name);

	if (n > 1 && name[n - 1] == '.')
		return strndup(name, n - 1);
	return strdup(name);
}

static int
set_str_owned(json_t *o, const char *k, char *v)
{
	int rc = v != NULL ? json_object_set_new(o, k, json_string(v)) : -1;

	free(v);
	return rc;
}

static json_t *
ds_json(const ldns_rr_list *ds)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < ldns_rr_list_rr_count(ds); i++) {
		const ldns_rr *d = ldns_rr_list_rr(ds, i);

		if (ldns_rr_get_type(d) != LDNS_RR_TYPE_DS ||
		    ldns_rr_rd_count(d) < 4)
			continue;
		json_array_append_new(a, json_pack("{s:i,s:i,s:i}",
		    "key_tag", (int)ldns_rdf2native_int16(ldns_rr_rdf(d, 0)),
		    "algorithm", (int)ldns_rdf2native_int8(ldns_rr_rdf(d, 1)),
		    "digest_type", (int)ldns_rdf2native_int8(
		    ldns_rr_rdf(d, 2))));
	}
	return a;
}

static json_t *
keys_json(const ldns_rr_list *keys, json_t *algs)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < ldns_rr_list_rr_count(keys); i++) {
		const ldns_rr *k = ldns_rr_list_rr(keys, i);
		int alg;
		bool dup = false;
		size_t j;
		json_t *v;

		if (ldns_rr_rd_count(k) < 4)
			continue;
		alg = ldns_rdf2native_int8(ldns_rr_rdf(k, 2));
		json_array_append_new(a, json_pack("{s:i,s:i,s:i,s:i}",
		    "key_tag", (int)hy_dnssec_key_tag(k), "algorithm", alg,
		    "flags", (int)ldns_rdf2native_int16(ldns_rr_rdf(k, 0)),
		    "bits", (int)hy_dnssec_key_bits(k)));
		json_array_foreach(algs, j, v)
			if (json_integer_value(v) == alg)
				dup = true;
		if (!dup)
			json_array_append_new(algs, json_integer(alg));
	}
	return a;
}

static json_t *
time_json(time_t t)
{
	char buf[32];
	struct tm tm;

	if (t == 0 || gmtime_r(&t, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *
chain_json(const struct hy_dnssec_zone *z)
{
	json_t *a = json_array();
	const struct hy_dnssec_zone_info *zi;

	for (; a != NULL && z != NULL; z = zi->parent) {
		json_t *e;

		zi = hy_dnssec_zone_info(z);
		e = json_object();
		if (e == NULL || set_str_owned(e, "zone", zone_label(zi->name))
		    != 0 || json_object_set_new(e, "status", json_string(
		    hy_dnssec_status_str(zi->status))) != 0 ||
		    json_array_insert_new(a, 0, e) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static bool
has_message(const struct hy_findings *f, const char *msg)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->v[i].message, msg) == 0)
			return true;
	return false;
}

/* Findings of the walk, then those of each zone it used and every
 * ancestor that explain a non-secure link (errors), then Z's own
 * warnings. */
static int
issues_json(const struct hy_dnssec_walk *w, json_t *o)
{
	struct hy_findings all = { 0 };
	const struct hy_dnssec_zone *z;
	json_t *a;
	int rc = -1;

	for (size_t i = 0; i < w->findings.n; i++)
		if (hy_findings_add(&all, w->findings.v[i].code,
		    w->findings.v[i].sev, "%s", w->findings.v[i].message) != 0)
			goto out;
	for (int k = 0; k < w->nzr; k++)
		for (z = w->zr[k].zone; z != NULL;
		    z = hy_dnssec_zone_info(z)->parent) {
			const struct hy_dnssec_zone_info *zi =
			    hy_dnssec_zone_info(z);

			for (size_t i = 0; i < zi->findings.n; i++) {
				const struct hy_finding *f = &zi->findings.v[i];

				if ((z != w->zr[0].zone &&
				    f->sev != HY_SEV_ERROR) ||
				    has_message(&all, f->message))
					continue;
				if (hy_findings_add(&all, f->code, f->sev, "%s",
				    f->message) != 0)
					goto out;
			}
		}
	if ((a = hy_findings_to_json(&all)) == NULL)
		goto out;
	rc = json_object_set_new(o, "issues", a);
out:
	hy_findings_clear(&all);
	return rc;
}

json_t *
hy_dnssec_walk_json(const struct hy_dnssec_walk *w)
{
	const struct hy_dnssec_zone *zone = w->nzr > 0 ? w->zr[0].zone : NULL;
	const struct hy_dnssec_zone_info *zi = zone != NULL ?
	    hy_dnssec_zone_info(zone) : NULL;
	json_t *o = json_object(), *algs = json_array(), *rrs = json_array();
	int bad = o == NULL || algs == NULL || rrs == NULL;

	if (bad)
		goto fail;
	bad |= json_object_set_new(o, "status",
	    json_string(hy_dnssec_status_str(w->status)));
	bad |= w->nzr > 0 ? set_str_owned(o, "zone",
	    zone_label(w->zr[0].name)) : json_object_set_new(o, "zone",
	    json_null());
	bad |= json_object_set_new(o, "ds", ds_json(zi ? zi->ds : NULL));
	bad |= json_object_set_new(o, "dnskeys",
	    keys_json(zi ? zi->dnskeys : NULL, algs));
	bad |= json_object_set_new(o, "algorithms", algs);
	algs = NULL;
	if (w->denial == 3)
		bad |= json_object_set_new(o, "nsec3", json_pack(
		    "{s:i,s:i,s:b}", "iterations", (int)w->n3_iter,
		    "salt_length", (int)w->n3_salt, "opt_out", w->n3_optout));
	else
		bad |= json_object_set_new(o, "nsec3", json_null());
	bad |= json_object_set_new(o, "denial", json_string(w->denial == 3 ?
	    "nsec3" : w->denial == 1 ? "nsec" : "unknown"));
	bad |= json_object_set_new(o, "signature_expires_at",
	    time_json(w->status == HY_DNSSEC_SECURE ? w->expires : 0));
	bad |= json_object_set_new(o, "chain", zone ? chain_json(zone) :
	    json_array());
	for (int s = S_SOA; s <= S_DMARC && w->state == W_DONE &&
	    zi != NULL && zi->status == HY_DNSSEC_SECURE; s++) {
		if (w->rr[s].skipped)
			continue;
		char *n = zone_label(s == S_DMARC ? w->dmarc : w->domain);

		json_array_append_new(rrs, json_pack("{s:s?,s:s,s:s,s:b}",
		    "name", n, "type", slot_type[s], "status",
		    hy_dnssec_status_str(w->rr[s].status),
		    "present", w->rr[s].present));
		free(n);
	}
	bad |= json_object_set_new(o, "rrsets", rrs);
	rrs = NULL;
	bad |= json_object_set_new(o, "resolver_ad", w->ad_known ?
	    json_boolean(w->ad_all) : json_null());
	bad |= issues_json(w, o);
	if (bad)
		goto fail;
	return o;
fail:
	json_decref(o);
	json_decref(algs);
	json_decref(rrs);
	return NULL;
}
