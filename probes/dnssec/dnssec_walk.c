/*
 * The per-domain DNSSEC walk: a state machine with one transition
 * function, walk_step(), fed DNS results and zone-table events.
 *
 *   W_DISCOVER  SOA, TXT, MX and _dmarc TXT of the domain are asked at
 *               once (CD=1). The SOA answer (or the SOA in the authority
 *               section of a negative answer) names the zone Z.
 *   W_CHAIN     Z's keys are taken from the zone table, or validated by a
 *               zone job: DS(Z) at the parent (the RRSIG signer or SOA
 *               owner of that answer names the parent P, whose keys are
 *               obtained the same way, up to the trust anchor) and
 *               DNSKEY(Z). Concurrent walks needing the same zone wait
 *               for the one job.
 *   W_NSEC3PARAM only when no answer showed Z's denial method.
 *   W_DONE      the verdict is fixed and done() has been called.
 *
 * Insecure needs an authenticated NSEC/NSEC3 proof that P has no DS for
 * Z (RFC 4035 §5.2); a DS that is simply absent is bogus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dnssec_int.h"

#define EXPIRES_SOON_S	(7 * 86400)

enum walk_state { W_INIT, W_DISCOVER, W_CHAIN, W_NSEC3PARAM, W_DONE };
enum job_state { J_FETCH, J_FIND_PARENT, J_PARENT, J_DONE };
enum slot { S_SOA, S_TXT, S_MX, S_DMARC, S_NSEC3PARAM, S_SOA_UP, NSLOTS };
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
	struct resp		 ds, dnskey;
	int			 pending;
	char			*parent_name;
	struct hy_dnssec_zone	*parent;	/* ref once acquired */
	struct hy_dnssec_waiter	 pwait;
	struct job		*next;
};

struct rrset_result {
	const char		*type;
	enum hy_dnssec_status	 status;
	bool			 present;
	bool			 foreign;	/* in a zone below Z: not checked */
	bool			 skipped;	/* not asked (chain_only) */
};

struct hy_dnssec_walk {
	struct hy_dnssec_env	 env;
	char			*domain;	/* lower case, trailing dot */
	char			*dmarc;
	enum walk_state		 state;
	struct resp		 r[NSLOTS];
	int			 pending_slots;
	char			*zone_name;
	struct hy_dnssec_zone	*zone;		/* ref once acquired */
	struct hy_dnssec_waiter	 zwait;
	struct job		*jobs;
	struct qctx		*queries;

	enum hy_dnssec_status	 status;
	struct hy_findings	 findings;
	struct rrset_result	 rr[NSLOTS];
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
	struct hy_dnssec_zone	*zone;
	struct job		*job;	/* EV_ZONE_*: the job that waited */
};

static void walk_step(struct hy_dnssec_walk *, const struct ev *);

static const char *const slot_type[NSLOTS] = {
	"SOA", "TXT", "MX", "TXT", "NSEC3PARAM", "SOA"
};

/* ---- small helpers ---------------------------------------------------- */

static ldns_rdf *
dname(const char *s)
{
	ldns_rdf *d = ldns_dname_new_frm_str(s);

	if (d != NULL)
		ldns_dname2canonical(d);
	return d;
}

static char *
dname_str(const ldns_rdf *d)
{
	char *s = ldns_rdf2str(d);

	if (s != NULL)
		for (char *p = s; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p += 'a' - 'A';
	return s;
}

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
	r->pkt = res->pkt != NULL ? ldns_pkt_clone(res->pkt) : NULL;
	if (res->pkt != NULL && r->pkt == NULL)
		r->status = HY_DNS_ERROR;	/* OOM: could not measure */
}

/* RRs of a section matching owner (NULL: any) and type, canonicalised
 * copies; the caller deep-frees. */
static ldns_rr_list *
section_rrs(const ldns_pkt *p, ldns_pkt_section sec, const ldns_rdf *owner,
    ldns_rr_type type)
{
	ldns_rr_list *all, *out;

	if (p == NULL || (out = ldns_rr_list_new()) == NULL)
		return NULL;
	all = ldns_pkt_get_section_clone(p, sec);
	for (size_t i = 0; all != NULL && i < ldns_rr_list_rr_count(all); i++) {
		ldns_rr *r = ldns_rr_list_rr(all, i);

		ldns_rr2canonical(r);
		if (ldns_rr_get_type(r) != type ||
		    (owner != NULL && ldns_dname_compare(ldns_rr_owner(r),
		    owner) != 0))
			continue;
		ldns_rr *c = ldns_rr_clone(r);

		if (c != NULL && !ldns_rr_list_push_rr(out, c))
			ldns_rr_free(c);
	}
	ldns_rr_list_deep_free(all);
	return out;
}

static bool
status_measured(enum hy_dns_status s)
{
	return s == HY_DNS_ANSWER || s == HY_DNS_NODATA || s == HY_DNS_NXDOMAIN;
}

static void
merge_expiry(time_t *acc, time_t e)
{
	if (e != 0 && (*acc == 0 || e < *acc))
		*acc = e;
}

/* The finding for a failed signature check. */
static void
sig_finding(struct hy_findings *f, enum hy_sig_verdict v, const char *what)
{
	switch (v) {
	case HY_SIG_VALID:
		break;
	case HY_SIG_EXPIRED:
		hy_findings_add(f, "signature-expired", HY_SEV_ERROR,
		    "the RRSIG over %s has expired (RFC 4035 §5.3.1)", what);
		break;
	case HY_SIG_NOT_YET:
		hy_findings_add(f, "signature-not-yet-valid", HY_SEV_ERROR,
		    "the RRSIG over %s is not valid yet: its inception is in "
		    "the future (RFC 4035 §5.3.1)", what);
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
static int job_start(struct hy_dnssec_walk *, struct hy_dnssec_zone *);

/*
 * Get zone name from the table for the walk itself (job NULL) or for a
 * job's parent. Returns 1 if the entry is done already, 0 if waiting, -1
 * on OOM.
 */
static int
acquire(struct hy_dnssec_walk *w, struct job *job, const char *name)
{
	struct hy_dnssec_zone *z;
	struct hy_dnssec_waiter *wt = job ? &job->pwait : &w->zwait;
	bool created;

	if ((z = hy_dnssec_zone_get(w->env.shared, name, &created)) == NULL)
		return -1;
	if (job)
		job->parent = z;
	else
		w->zone = z;
	if (created && job_start(w, z) != 0) {
		/* Nothing could be asked: an indeterminate, unkept result. */
		hy_dnssec_zone_finish(w->env.shared, z, false, w, false);
	}
	if (hy_dnssec_zone_done(z))
		return 1;
	memset(wt, 0, sizeof(*wt));
	wt->owner = w;
	wt->fn = job ? job_event : zone_event;
	wt->arg = job ? (void *)job : (void *)w;
	hy_dnssec_zone_wait(z, wt);
	return 0;
}

static void
zone_event(void *arg, struct hy_dnssec_zone *z, bool retry)
{
	struct ev ev = { .kind = retry ? EV_ZONE_RETRY : EV_ZONE_READY,
	    .zone = z };

	walk_step(arg, &ev);
}

static void
job_event(void *arg, struct hy_dnssec_zone *z, bool retry)
{
	struct job *job = arg;
	struct ev ev = { .kind = retry ? EV_ZONE_RETRY : EV_ZONE_READY,
	    .zone = z, .job = job };

	walk_step(job->w, &ev);
}

static bool
has_anchor(const struct hy_dnssec_walk *w, const char *zone)
{
	const ldns_rr_list *a = hy_dnssec_shared_anchors(w->env.shared);
	ldns_rdf *z = dname(zone);
	bool found = false;

	for (size_t i = 0; z && i < ldns_rr_list_rr_count(a) && !found; i++)
		found = ldns_dname_compare(ldns_rr_owner(ldns_rr_list_rr(a, i)),
		    z) == 0;
	ldns_rdf_deep_free(z);
	return found;
}

static int
job_start(struct hy_dnssec_walk *w, struct hy_dnssec_zone *z)
{
	struct job *job = calloc(1, sizeof(*job));
	const char *name = hy_dnssec_zone_info(z)->name;

	if (job == NULL)
		return -1;
	job->w = w;
	job->zone = z;
	hy_dnssec_zone_ref(z);
	job->state = J_FETCH;
	job->anchored = has_anchor(w, name);
	job->next = w->jobs;
	w->jobs = job;
	if (!job->anchored) {
		if (strcmp(name, ".") == 0 ||
		    ask(w, job, Q_DS, 0, name, LDNS_RR_TYPE_DS) != 0)
			goto fail;
		job->pending++;
	}
	if (ask(w, job, Q_DNSKEY, 0, name, LDNS_RR_TYPE_DNSKEY) != 0)
		goto fail;
	job->pending++;
	return 0;
fail:
	/* Leave the job on the list (queries may be pending); mark it. */
	job->state = J_DONE;
	return job->pending > 0 ? 0 : -1;
}

/* ---- validating one zone ------------------------------------------------ */

/* Verify every NSEC/NSEC3 RRset of the authority section with keys;
 * return the RRs that validated (canonical copies). */
static ldns_rr_list *
valid_denials(const ldns_pkt *p, const ldns_rr_list *keys,
    struct hy_dnssec_pkeys *pk, const ldns_rdf *zone, time_t now,
    time_t *expires, bool *any)
{
	ldns_rr_list *out = ldns_rr_list_new(), *sigs;
	static const ldns_rr_type types[] = { LDNS_RR_TYPE_NSEC,
	    LDNS_RR_TYPE_NSEC3 };

	*any = false;
	if (out == NULL)
		return NULL;
	sigs = section_rrs(p, LDNS_SECTION_AUTHORITY, NULL, LDNS_RR_TYPE_RRSIG);
	for (size_t t = 0; t < 2; t++) {
		ldns_rr_list *all = section_rrs(p, LDNS_SECTION_AUTHORITY, NULL,
		    types[t]);

		for (size_t i = 0; all && i < ldns_rr_list_rr_count(all); i++) {
			ldns_rr *r = ldns_rr_list_rr(all, i);
			ldns_rr_list *one = ldns_rr_list_new();
			struct hy_sig_valid sv;

			*any = true;
			if (one == NULL)
				continue;
			ldns_rr_list_push_rr(one, r);
			if (hy_dnssec_verify_rrset(one, sigs, keys, pk, zone,
			    now, &sv) == HY_SIG_VALID) {
				ldns_rr *c = ldns_rr_clone(r);

				if (c != NULL && !ldns_rr_list_push_rr(out, c))
					ldns_rr_free(c);
				merge_expiry(expires, sv.expires);
			}
			ldns_rr_list_free(one);
		}
		ldns_rr_list_deep_free(all);
	}
	ldns_rr_list_deep_free(sigs);
	return out;
}

static void
key_findings(struct hy_dnssec_zone_info *zi)
{
	unsigned seen_dep = 0;

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
		if ((alg == LDNS_RSASHA1 || alg == LDNS_RSASHA1_NSEC3 ||
		    alg == LDNS_RSASHA256 || alg == LDNS_RSASHA512 ||
		    alg == LDNS_RSAMD5) && bits > 0 && bits < 2048)
			hy_findings_add(&zi->findings, "rsa-key-short",
			    HY_SEV_WARNING, "%s has a %u-bit RSA key (tag %u); "
			    "2048 bits is the current minimum (RFC 8624 §3.1, "
			    "NIST SP 800-57)", zi->name, bits,
			    ldns_calc_keytag(k));
	}
}

/* The DS side: sets zi->ds; returns the status the parent allows, or
 * SECURE when the DNSKEY set must now be checked against zi->ds. */
static enum hy_dnssec_status
check_ds(struct job *job, struct hy_dnssec_zone_info *zi, const ldns_rdf *zn,
    time_t *expires)
{
	struct hy_dnssec_walk *w = job->w;
	const struct hy_dnssec_zone_info *pi;
	ldns_rr_list *sigs, *dens;
	ldns_rdf *pn;
	enum hy_sig_verdict v;
	struct hy_sig_valid sv;
	enum hy_denial d;
	bool any;
	char what[300];

	if (job->anchored) {
		const ldns_rr_list *a = hy_dnssec_shared_anchors(w->env.shared);

		zi->ds = ldns_rr_list_new();
		for (size_t i = 0; zi->ds && i < ldns_rr_list_rr_count(a); i++)
			if (ldns_dname_compare(ldns_rr_owner(
			    ldns_rr_list_rr(a, i)), zn) == 0)
				ldns_rr_list_push_rr(zi->ds, ldns_rr_clone(
				    ldns_rr_list_rr(a, i)));
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
	pn = dname(pi->name);
	snprintf(what, sizeof(what), "the DS RRset of %s at %s", zi->name,
	    pi->name);
	if (job->ds.status == HY_DNS_ANSWER) {
		zi->ds = section_rrs(job->ds.pkt, LDNS_SECTION_ANSWER, zn,
		    LDNS_RR_TYPE_DS);
		sigs = section_rrs(job->ds.pkt, LDNS_SECTION_ANSWER, zn,
		    LDNS_RR_TYPE_RRSIG);
		v = hy_dnssec_verify_rrset(zi->ds, sigs, pi->keys, pi->pkeys,
		    pn, w->env.now, &sv);
		if (v == HY_SIG_VALID)
			*expires = sv.expires;
		ldns_rr_list_deep_free(sigs);
		ldns_rdf_deep_free(pn);
		if (zi->ds == NULL || ldns_rr_list_rr_count(zi->ds) == 0) {
			hy_findings_add(&zi->findings, "ds-denial-missing",
			    HY_SEV_ERROR, "the DS answer for %s held no DS "
			    "record (RFC 4035 §5.2)", zi->name);
			return HY_DNSSEC_BOGUS;
		}
		if (v != HY_SIG_VALID) {
			sig_finding(&zi->findings, v, what);
			return HY_DNSSEC_BOGUS;
		}
		return HY_DNSSEC_SECURE;
	}
	/* No DS: only an authenticated denial makes the zone insecure. */
	dens = valid_denials(job->ds.pkt, pi->keys, pi->pkeys, pn, w->env.now,
	    expires, &any);
	d = hy_dnssec_denial(zn, LDNS_RR_TYPE_DS, dens, pn);
	ldns_rr_list_deep_free(dens);
	ldns_rdf_deep_free(pn);
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
	case HY_DENIAL_NXDOMAIN:
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

static enum hy_dnssec_status
check_dnskeys(struct job *job, struct hy_dnssec_zone_info *zi,
    const ldns_rdf *zn, time_t *expires)
{
	struct hy_dnssec_walk *w = job->w;
	ldns_rr_list *sep, *sigs;
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
	if ((sep = ldns_rr_list_new()) == NULL)
		return HY_DNSSEC_INDETERMINATE;
	for (size_t i = 0; i < ldns_rr_list_rr_count(zi->dnskeys); i++) {
		ldns_rr *k = ldns_rr_list_rr(zi->dnskeys, i);

		for (size_t j = 0; j < ldns_rr_list_rr_count(zi->ds); j++) {
			const ldns_rr *d = ldns_rr_list_rr(zi->ds, j);

			if (hy_dnssec_ds_matches(d, k) ||
			    hy_dnssec_dnskey_equal(d, k)) {
				ldns_rr_list_push_rr(sep, k);
				break;
			}
		}
	}
	if (ldns_rr_list_rr_count(sep) == 0) {
		ldns_rr_list_free(sep);
		hy_findings_add(&zi->findings, "ds-mismatch", HY_SEV_ERROR,
		    "no DNSKEY of %s matches a DS %s (RFC 4035 §5.2)",
		    zi->name, job->anchored ? "of the trust anchor" :
		    "at the parent");
		return HY_DNSSEC_BOGUS;
	}
	sigs = section_rrs(job->dnskey.pkt, LDNS_SECTION_ANSWER, zn,
	    LDNS_RR_TYPE_RRSIG);
	v = hy_dnssec_verify_rrset(zi->dnskeys, sigs, sep, NULL, zn,
	    w->env.now, &sv);
	if (v == HY_SIG_VALID)
		*expires = sv.expires;
	ldns_rr_list_deep_free(sigs);
	ldns_rr_list_free(sep);
	if (v != HY_SIG_VALID) {
		snprintf(what, sizeof(what), "the DNSKEY RRset of %s (by a "
		    "key the DS points to)", zi->name);
		sig_finding(&zi->findings, v, what);
		return HY_DNSSEC_BOGUS;
	}
	return HY_DNSSEC_SECURE;
}

static void
job_validate(struct job *job)
{
	struct hy_dnssec_walk *w = job->w;
	struct hy_dnssec_zone_info *zi = hy_dnssec_zone_info_mut(job->zone);
	ldns_rdf *zn = dname(zi->name);
	enum hy_dnssec_status st;
	time_t exp = 0;
	bool timeout;

	job->state = J_DONE;
	hy_dnssec_shared_count_validation(w->env.shared);
	if (job->parent != NULL) {
		zi->parent = job->parent;	/* the reference moves */
		job->parent = NULL;
		merge_expiry(&exp, hy_dnssec_zone_info(zi->parent)->expires);
	}
	if (job->dnskey.status == HY_DNS_ANSWER && zn != NULL)
		zi->dnskeys = section_rrs(job->dnskey.pkt, LDNS_SECTION_ANSWER,
		    zn, LDNS_RR_TYPE_DNSKEY);
	st = zn == NULL ? HY_DNSSEC_INDETERMINATE : check_ds(job, zi, zn, &exp);
	if (st == HY_DNSSEC_SECURE)
		st = check_dnskeys(job, zi, zn, &exp);
	if (st == HY_DNSSEC_SECURE) {
		zi->keys = ldns_rr_list_new();
		for (size_t i = 0; zi->keys &&
		    i < ldns_rr_list_rr_count(zi->dnskeys); i++)
			ldns_rr_list_push_rr(zi->keys,
			    ldns_rr_list_rr(zi->dnskeys, i));
		/* Without the cache, keys are parsed for every signature. */
		if (zi->keys != NULL)
			zi->pkeys = hy_dnssec_pkeys_new(zi->keys);
		zi->expires = exp;
	}
	if (zi->dnskeys != NULL)
		key_findings(zi);
	zi->status = st;
	ldns_rdf_deep_free(zn);
	timeout = job->ds.status == HY_DNS_TIMEOUT ||
	    job->dnskey.status == HY_DNS_TIMEOUT;
	resp_clear(&job->ds);
	resp_clear(&job->dnskey);
	hy_dnssec_zone_finish(w->env.shared, job->zone,
	    st != HY_DNSSEC_INDETERMINATE, w, timeout);
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

/* The parent named by a DS response: the signer of an RRSIG, else the
 * owner of the SOA in the authority section; NULL if neither is a proper
 * ancestor of the zone. */
static char *
parent_from(const ldns_pkt *p, const char *zone)
{
	ldns_rr_list *sigs, *soa;
	char *best = NULL;

	if (p == NULL)
		return NULL;
	sigs = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_RRSIG,
	    LDNS_SECTION_ANY_NOQUESTION);
	for (size_t i = 0; sigs && i < ldns_rr_list_rr_count(sigs) && !best;
	    i++) {
		const ldns_rr *s = ldns_rr_list_rr(sigs, i);
		char *n;

		if (ldns_rr_rd_count(s) < 9)
			continue;
		n = dname_str(ldns_rr_rrsig_signame(s));
		if (n && name_under(zone, n) && !name_eq(zone, n))
			best = n;
		else
			free(n);
	}
	ldns_rr_list_deep_free(sigs);
	if (best != NULL)
		return best;
	soa = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_SOA,
	    LDNS_SECTION_AUTHORITY);
	for (size_t i = 0; soa && i < ldns_rr_list_rr_count(soa) && !best;
	    i++) {
		char *n = dname_str(ldns_rr_owner(ldns_rr_list_rr(soa, i)));

		if (n && name_under(zone, n) && !name_eq(zone, n))
			best = n;
		else
			free(n);
	}
	ldns_rr_list_deep_free(soa);
	return best;
}

/* The zone holding name per an SOA query's answer or authority. */
static char *
zone_from_soa(const ldns_pkt *p, const char *name)
{
	ldns_rr_list *soa;
	char *z = NULL;

	if (p == NULL)
		return NULL;
	soa = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_SOA,
	    LDNS_SECTION_ANY_NOQUESTION);
	for (size_t i = 0; soa && i < ldns_rr_list_rr_count(soa) && !z; i++) {
		char *n = dname_str(ldns_rr_owner(ldns_rr_list_rr(soa, i)));

		if (n && name_under(name, n))
			z = n;
		else
			free(n);
	}
	ldns_rr_list_deep_free(soa);
	return z;
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
	if ((r = acquire(job->w, job, job->parent_name)) < 0)
		job_fail(job, "%s: out of memory%s", "");
	else if (r == 1 && job->pending == 0)
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
		if (!status_measured(res->status)) {
			job_fail(job, "the DS query for %s got %s (RFC 4035 "
			    "§4.3: indeterminate)", hy_dns_status_str(
			    res->status));
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

/* ---- the domain's own RRsets --------------------------------------------- */

static void
note_nsec3(struct hy_dnssec_walk *w, const ldns_rr_list *dens)
{
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

/* True if some RRSIG in p was made by a zone strictly below zn: the name
 * (e.g. _dmarc) was delegated further and is not Z's to vouch for. */
static bool
foreign_signer(const ldns_pkt *p, const ldns_rdf *zn)
{
	ldns_rr_list *sigs = ldns_pkt_rr_list_by_type(p, LDNS_RR_TYPE_RRSIG,
	    LDNS_SECTION_ANY_NOQUESTION);
	bool found = false;

	for (size_t i = 0; sigs && i < ldns_rr_list_rr_count(sigs); i++) {
		const ldns_rr *r = ldns_rr_list_rr(sigs, i);

		if (ldns_rr_rd_count(r) >= 9 &&
		    ldns_dname_is_subdomain(ldns_rr_rrsig_signame(r), zn))
			found = true;
	}
	ldns_rr_list_deep_free(sigs);
	return found;
}

/* An answer whose valid RRSIG has fewer labels than its owner came from a
 * wildcard: it needs a proof that the owner itself does not exist. */
static bool
wildcard_ok(struct hy_dnssec_walk *w, const struct resp *r,
    const ldns_rdf *qn, const ldns_rdf *zn, const ldns_rr_list *set,
    unsigned labels, const struct hy_dnssec_zone_info *zi)
{
	ldns_rr_list *dens;
	bool any, ok;

	if (labels == 0 || labels >= ldns_dname_label_count(
	    ldns_rr_owner(ldns_rr_list_rr(set, 0))))
		return true;
	dens = valid_denials(r->pkt, zi->keys, zi->pkeys, zn, w->env.now,
	    &w->expires, &any);
	ok = dens != NULL && hy_dnssec_wildcard_proof(qn, labels, dens, zn);
	ldns_rr_list_deep_free(dens);
	return ok;
}

/* Check the response in slot s (a question about qname) with Z's keys. */
static enum hy_dnssec_status
check_slot(struct hy_dnssec_walk *w, int s, const char *qname,
    ldns_rr_type qtype, const struct hy_dnssec_zone_info *zi)
{
	const struct resp *r = &w->r[s];
	ldns_rdf *qn, *zn;
	ldns_rr_list *set = NULL, *sigs = NULL, *dens = NULL;
	enum hy_dnssec_status st = HY_DNSSEC_INDETERMINATE;
	enum hy_sig_verdict v;
	enum hy_denial d;
	struct hy_sig_valid sv = { 0, 0 };
	char what[320];
	bool any;

	if (w->rr[s].skipped)
		return HY_DNSSEC_SECURE;	/* neutral */
	qn = dname(qname);
	zn = dname(zi->name);
	if (status_measured(r->status))
		w->ad_known = true;
	if (r->ad)
		w->ad_seen = true;
	else
		w->ad_all = false;
	if (qn == NULL || zn == NULL || !status_measured(r->status) ||
	    r->pkt == NULL) {
		if (!status_measured(r->status))
			hy_findings_add(&w->findings, "query-failed",
			    HY_SEV_WARNING, "the %s query for %s got %s, so "
			    "it could not be validated (RFC 4035 §4.3)",
			    slot_type[s], qname,
			    hy_dns_status_str(r->status));
		goto out;
	}
	snprintf(what, sizeof(what), "%s %s", qname, slot_type[s]);
	if (r->status == HY_DNS_ANSWER) {
		set = section_rrs(r->pkt, LDNS_SECTION_ANSWER, qn, qtype);
		if (set != NULL && ldns_rr_list_rr_count(set) == 0) {
			ldns_rr_list_deep_free(set);
			set = section_rrs(r->pkt, LDNS_SECTION_ANSWER, qn,
			    LDNS_RR_TYPE_CNAME);
		}
		sigs = section_rrs(r->pkt, LDNS_SECTION_ANSWER, qn,
		    LDNS_RR_TYPE_RRSIG);
		v = hy_dnssec_verify_rrset(set, sigs, zi->keys, zi->pkeys, zn,
		    w->env.now, &sv);
		if (v == HY_SIG_MISSING && foreign_signer(r->pkt, zn)) {
			w->rr[s].foreign = true;
			st = HY_DNSSEC_SECURE;	/* neutral: not Z's data */
			goto out;
		}
		if (v == HY_SIG_VALID && !wildcard_ok(w, r, qn, zn, set,
		    sv.labels, zi)) {
			hy_findings_add(&w->findings, "denial-invalid",
			    HY_SEV_ERROR, "%s was synthesised from a wildcard "
			    "without an authenticated proof that the name itself "
			    "does not exist (RFC 4035 §5.3.4, RFC 5155 §8.8)",
			    what);
			st = HY_DNSSEC_BOGUS;
		} else if (v == HY_SIG_VALID) {
			merge_expiry(&w->expires, sv.expires);
			st = HY_DNSSEC_SECURE;
		} else {
			sig_finding(&w->findings, v, what);
			st = HY_DNSSEC_BOGUS;
		}
		w->rr[s].present = true;
		goto out;
	}
	/* NODATA / NXDOMAIN: the authority SOA and an authenticated denial. */
	set = section_rrs(r->pkt, LDNS_SECTION_AUTHORITY, zn, LDNS_RR_TYPE_SOA);
	sigs = section_rrs(r->pkt, LDNS_SECTION_AUTHORITY, zn,
	    LDNS_RR_TYPE_RRSIG);
	v = hy_dnssec_verify_rrset(set, sigs, zi->keys, zi->pkeys, zn,
	    w->env.now, &sv);
	if (v == HY_SIG_MISSING && ldns_rr_list_rr_count(set) == 0 &&
	    foreign_signer(r->pkt, zn)) {
		w->rr[s].foreign = true;
		st = HY_DNSSEC_SECURE;
		goto out;
	}
	if (v != HY_SIG_VALID) {
		snprintf(what, sizeof(what), "the SOA of %s in the negative "
		    "answer for %s %s", zi->name, qname, slot_type[s]);
		sig_finding(&w->findings, v, what);
		st = HY_DNSSEC_BOGUS;
		goto out;
	}
	merge_expiry(&w->expires, sv.expires);
	dens = valid_denials(r->pkt, zi->keys, zi->pkeys, zn, w->env.now,
	    &w->expires, &any);
	note_nsec3(w, dens);
	d = hy_dnssec_denial(qn, qtype, dens, zn);
	if (d == HY_DENIAL_NODATA || d == HY_DENIAL_NXDOMAIN)
		st = HY_DNSSEC_SECURE;
	else if (d == HY_DENIAL_OPTOUT)
		st = HY_DNSSEC_INSECURE;	/* RFC 5155 §9.2 */
	else if (d == HY_DENIAL_INSECURE)
		st = HY_DNSSEC_INSECURE;	/* RFC 9276 §3.2 */
	else {
		hy_findings_add(&w->findings, "denial-invalid", HY_SEV_ERROR,
		    "the negative answer for %s %s %s (RFC 4035 §5.4, "
		    "RFC 5155 §8)", qname, slot_type[s], any ?
		    "has NSEC/NSEC3 records that do not prove it" :
		    "carries no NSEC/NSEC3 proof");
		st = HY_DNSSEC_BOGUS;
	}
out:
	ldns_rr_list_deep_free(set);
	ldns_rr_list_deep_free(sigs);
	ldns_rr_list_deep_free(dens);
	ldns_rdf_deep_free(qn);
	ldns_rdf_deep_free(zn);
	return st;
}

static void
combine(enum hy_dnssec_status *acc, enum hy_dnssec_status s)
{
	/* bogus beats indeterminate beats insecure beats secure */
	static const int rank[] = { [HY_DNSSEC_SECURE] = 0,
	    [HY_DNSSEC_INSECURE] = 1, [HY_DNSSEC_INDETERMINATE] = 2,
	    [HY_DNSSEC_BOGUS] = 3 };

	if (rank[s] > rank[*acc])
		*acc = s;
}

static void
finish(struct hy_dnssec_walk *w, enum hy_dnssec_status st)
{
	w->status = st;
	w->state = W_DONE;
	w->env.done(w->env.darg, w);	/* may free w: nothing after this */
}

static void
nsec3_findings(struct hy_dnssec_walk *w)
{
	if (w->denial != 3)
		return;
	if (w->n3_iter > HY_NSEC3_MAX_ITERATIONS)
		hy_findings_add(&w->findings, "nsec3-iterations",
		    HY_SEV_ERROR, "%s uses %u extra NSEC3 iterations; they "
		    "must be 0 (RFC 9276 §3.1), and above %d validators treat "
		    "its denials of existence as insecure (RFC 9276 §3.2)",
		    w->zone_name, w->n3_iter, HY_NSEC3_MAX_ITERATIONS);
	else if (w->n3_iter > 0)
		hy_findings_add(&w->findings, "nsec3-iterations",
		    HY_SEV_WARNING, "%s uses %u extra NSEC3 iterations; they "
		    "must be 0 (RFC 9276 §3.1)", w->zone_name, w->n3_iter);
	if (w->n3_salt > 0)
		hy_findings_add(&w->findings, "nsec3-salt", HY_SEV_INFO,
		    "%s uses a %u-octet NSEC3 salt; it should be empty "
		    "(RFC 9276 §3.1)", w->zone_name, w->n3_salt);
	if (w->n3_optout)
		hy_findings_add(&w->findings, "nsec3-opt-out", HY_SEV_INFO,
		    "%s uses NSEC3 opt-out (RFC 5155 §6; RFC 9276 §3.1 advises "
		    "against it)", w->zone_name);
}

static void
evaluate(struct hy_dnssec_walk *w)
{
	const struct hy_dnssec_zone_info *zi = hy_dnssec_zone_info(w->zone);
	enum hy_dnssec_status st = zi->status;

	w->ad_all = true;
	w->rr[S_SOA].status = check_slot(w, S_SOA, w->domain,
	    LDNS_RR_TYPE_SOA, zi);
	w->rr[S_TXT].status = check_slot(w, S_TXT, w->domain,
	    LDNS_RR_TYPE_TXT, zi);
	w->rr[S_MX].status = check_slot(w, S_MX, w->domain, LDNS_RR_TYPE_MX,
	    zi);
	w->rr[S_DMARC].status = check_slot(w, S_DMARC, w->dmarc,
	    LDNS_RR_TYPE_TXT, zi);
	/* The _dmarc name only taints the verdict when it is bogus: an
	 * opt-out span (insecure) or a lost query says nothing about the
	 * domain's own data. */
	for (int s = S_SOA; s <= S_DMARC; s++)
		if (s != S_DMARC || w->rr[s].status == HY_DNSSEC_BOGUS)
			combine(&st, w->rr[s].status);
	w->status = st;
	merge_expiry(&w->expires, zi->expires);
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

	if ((w->zone_name = strdup(zone)) == NULL) {
		finish(w, HY_DNSSEC_INDETERMINATE);
		return;
	}
	w->state = W_CHAIN;
	if ((r = acquire(w, NULL, zone)) < 0) {
		finish(w, HY_DNSSEC_INDETERMINATE);
		return;
	}
	if (r == 1)
		walk_step(w, &(struct ev){ .kind = EV_ZONE_READY,
		    .zone = w->zone });
}

static void
chain_progress(struct hy_dnssec_walk *w)
{
	const struct hy_dnssec_zone_info *zi;

	if (w->zone == NULL || !hy_dnssec_zone_done(w->zone) ||
	    w->zwait.linked || w->pending_slots > 0)
		return;
	zi = hy_dnssec_zone_info(w->zone);
	if (zi->status != HY_DNSSEC_SECURE) {
		/* Also keep the resolver's AD bits for comparison. */
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
		finish(w, zi->status);
		return;
	}
	evaluate(w);
	if (w->denial == 0 && w->status == HY_DNSSEC_SECURE) {
		w->state = W_NSEC3PARAM;
		if (ask(w, NULL, Q_SLOT, S_NSEC3PARAM, w->zone_name,
		    LDNS_RR_TYPE_NSEC3PARAM) == 0) {
			w->pending_slots++;
			return;
		}
	}
	nsec3_findings(w);
	finish(w, w->status);
}

static void
nsec3param_done(struct hy_dnssec_walk *w)
{
	const struct resp *r = &w->r[S_NSEC3PARAM];
	ldns_rr_list *p;

	if (r->status == HY_DNS_ANSWER && r->pkt != NULL &&
	    (p = ldns_pkt_rr_list_by_type(r->pkt, LDNS_RR_TYPE_NSEC3PARAM,
	    LDNS_SECTION_ANSWER)) != NULL) {
		const ldns_rr *x = ldns_rr_list_rr(p, 0);

		if (ldns_rr_rd_count(x) >= 4) {
			w->denial = 3;
			w->n3_iter = ldns_rdf2native_int16(ldns_rr_rdf(x, 2));
			w->n3_salt = ldns_rdf_size(ldns_rr_rdf(x, 3)) > 0 ?
			    ldns_rdf_data(ldns_rr_rdf(x, 3))[0] : 0;
		}
		ldns_rr_list_deep_free(p);
	} else if (r->status == HY_DNS_NODATA && r->pkt != NULL) {
		ldns_rr_list *n = ldns_pkt_rr_list_by_type(r->pkt,
		    LDNS_RR_TYPE_NSEC, LDNS_SECTION_AUTHORITY);

		if (n != NULL && ldns_rr_list_rr_count(n) > 0)
			w->denial = 1;
		ldns_rr_list_deep_free(n);
	}
	nsec3_findings(w);
	finish(w, w->status);
}

static void
discover(struct hy_dnssec_walk *w)
{
	const struct resp *r = &w->r[S_SOA];
	char *z;

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
		if (w->state == W_DISCOVER && ev->q->slot == S_SOA)
			discover(w);
		else if (w->state == W_DISCOVER && ev->q->slot == S_SOA_UP)
			discover_up(w);
		else if (w->state == W_NSEC3PARAM)
			nsec3param_done(w);
		else if (w->state == W_CHAIN)
			chain_progress(w);
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
		if (w->state != W_CHAIN)
			return;
		hy_dnssec_zone_unref(w->zone);
		w->zone = NULL;
		{
			int r = acquire(w, NULL, w->zone_name);

			if (r < 0)
				finish(w, HY_DNSSEC_INDETERMINATE);
			else if (r == 1)
				chain_progress(w);
		}
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
	for (int s = 0; s < NSLOTS; s++) {
		w->rr[s].type = slot_type[s];
		w->rr[s].status = HY_DNSSEC_INDETERMINATE;
	}
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
	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		const char *name = q[i].slot == S_DMARC ? w->dmarc : w->domain;

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
	hy_dnssec_zone_unwait(&w->zwait);
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
	hy_dnssec_zone_unref(w->zone);
	hy_findings_clear(&w->findings);
	free(w->zone_name);
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
		    "key_tag", (int)ldns_calc_keytag(k), "algorithm", alg,
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

/* Findings of the walk, then those of its zone and every ancestor that
 * explain a non-secure link (errors), then the zone's own warnings. */
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
	for (z = w->zone; z != NULL; z = hy_dnssec_zone_info(z)->parent) {
		const struct hy_dnssec_zone_info *zi = hy_dnssec_zone_info(z);

		for (size_t i = 0; i < zi->findings.n; i++) {
			const struct hy_finding *f = &zi->findings.v[i];

			if (z != w->zone && f->sev != HY_SEV_ERROR)
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
	const struct hy_dnssec_zone_info *zi = w->zone ?
	    hy_dnssec_zone_info(w->zone) : NULL;
	json_t *o = json_object(), *algs = json_array(), *rrs = json_array();
	int bad = o == NULL || algs == NULL || rrs == NULL;

	if (bad)
		goto fail;
	bad |= json_object_set_new(o, "status",
	    json_string(hy_dnssec_status_str(w->status)));
	bad |= w->zone_name ? set_str_owned(o, "zone",
	    zone_label(w->zone_name)) : json_object_set_new(o, "zone",
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
	bad |= json_object_set_new(o, "chain", w->zone ? chain_json(w->zone) :
	    json_array());
	for (int s = S_SOA; s <= S_DMARC && w->state == W_DONE &&
	    zi != NULL && zi->status == HY_DNSSEC_SECURE; s++) {
		if (w->rr[s].skipped)
			continue;
		char *n = zone_label(s == S_DMARC ? w->dmarc : w->domain);

		json_array_append_new(rrs, json_pack("{s:s?,s:s,s:s,s:b}",
		    "name", n, "type", slot_type[s], "status",
		    w->rr[s].foreign ? "not-checked" :
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
