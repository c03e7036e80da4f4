/*
 * The `dnssec` section of `hygiene check`: struct hy_probe glue around the
 * chain walk. The run-wide shared state is the zone key table (and the
 * trust anchors), so a survey validates the root and jp. once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/loop.h"

#include "hygiene/check.h"
#include "dnssec.h"

struct dnssec_state {
	struct hy_check		*check;
	struct hy_dnssec_walk	*walk;
};

static int
dnssec_run_init(struct hy_run *run, void **shared, char *errbuf,
    size_t errlen)
{
	const struct hy_config *cfg = hy_run_config(run);
	const char *err = NULL;
	ldns_rr_list *anchors;

	if ((anchors = hy_dnssec_anchors_load(cfg->trust_anchor, &err)) == NULL) {
		snprintf(errbuf, errlen, "--trust-anchor %s: %s",
		    cfg->trust_anchor ? cfg->trust_anchor : "(built in)",
		    err ? err : "cannot load");
		return -1;
	}
	if ((*shared = hy_dnssec_shared_new(anchors)) == NULL) {
		ldns_rr_list_deep_free(anchors);
		return -1;
	}
	return 0;
}

static void
dnssec_run_free(void *shared)
{
	hy_dnssec_shared_free(shared);
}

/*
 * The run's sanity check (issue 10): before any domain, the DNSKEY RRset
 * of the trust anchor's zone (the root) must validate against the
 * anchor. A wrong --trust-anchor file, or a stale built-in anchor after a
 * root key roll, would otherwise make every domain bogus. An answer that
 * could not be measured is asked again while the deadline allows, so one
 * lost packet does not stop a survey.
 */
#define PRE_TRIES	12

struct pre {
	struct hy_run		*run;
	struct hy_dnssec_shared	*shared;
	struct hy_dns_group	*grp;
	struct hy_dnssec_walk	*walk;
	struct hy_timer		 timer;
	char			 zone[256];
	int			 tries;
	bool			 reported;
};

static void pre_next(void *arg);

static int
pre_query(void *qarg, const char *name, ldns_rr_type type, hy_dns_fn cb,
    void *cbarg)
{
	struct pre *p = qarg;

	return hy_dns_query(p->grp, name, type, HY_DNS_CD, cb, cbarg);
}

static void
pre_report(struct pre *p, bool ok, const char *msg)
{
	struct hy_run *run = p->run;

	hy_timer_stop(hy_run_loop(run), &p->timer);
	hy_dnssec_walk_free(p->walk);
	hy_dns_group_free(p->grp);
	free(p);
	hy_run_check_done(run, &hy_probe_dnssec, ok, msg);
}

/* The walk is done: judged from a timer, never inside its callback. */
static void
pre_judge(void *arg)
{
	struct pre *p = arg;
	const struct hy_config *cfg = hy_run_config(p->run);
	enum hy_dnssec_status st = hy_dnssec_walk_status(p->walk);
	char why[600], msg[2048];

	if (st == HY_DNSSEC_SECURE) {
		pre_report(p, true, NULL);
		return;
	}
	if (st == HY_DNSSEC_INDETERMINATE && p->tries < PRE_TRIES &&
	    !hy_dns_group_expired(p->grp)) {
		hy_dnssec_walk_free(p->walk);
		p->walk = NULL;
		hy_timer_start(hy_run_loop(p->run), &p->timer, 100, pre_next,
		    p);
		return;
	}
	hy_dnssec_walk_explain(p->walk, why, sizeof(why));
	if (st == HY_DNSSEC_INDETERMINATE)
		snprintf(msg, sizeof(msg), "could not measure: the DNSKEY "
		    "RRset of %s, which the trust anchor vouches for, could "
		    "not be fetched and checked (%s)", p->zone,
		    why[0] ? why : "no answer");
	else
		snprintf(msg, sizeof(msg), "the DNSKEY RRset of %s does not "
		    "validate against the trust anchor (%s): %s. A wrong "
		    "--trust-anchor file, or a stale built-in anchor after a "
		    "root key roll, would make every domain bogus", p->zone,
		    cfg->trust_anchor ? cfg->trust_anchor :
		    "the built-in IANA root KSKs", why[0] ? why :
		    hy_dnssec_status_str(st));
	pre_report(p, false, msg);
}

static void
pre_done(void *darg, struct hy_dnssec_walk *w)
{
	struct pre *p = darg;

	(void)w;
	hy_timer_start(hy_run_loop(p->run), &p->timer, 0, pre_judge, p);
}

/* One attempt: a walk of the anchor's zone alone. */
static void
pre_next(void *arg)
{
	struct pre *p = arg;
	struct hy_dnssec_env env = {
		.shared = p->shared,
		.now = hy_run_config(p->run)->now,
		.query = pre_query, .qarg = p,
		.done = pre_done, .darg = p,
		.anchor_only = true,
	};

	p->tries++;
	if ((p->walk = hy_dnssec_walk_new(&env, p->zone)) == NULL ||
	    hy_dnssec_walk_start(p->walk) != 0)
		pre_report(p, false, "out of memory");
}

static int
dnssec_run_check(struct hy_run *run, void *shared)
{
	const ldns_rr_list *a = hy_dnssec_shared_anchors(shared);
	struct pre *p;
	char *z;

	if (ldns_rr_list_rr_count(a) == 0 || (p = calloc(1, sizeof(*p))) ==
	    NULL)
		return -1;
	p->run = run;
	p->shared = shared;
	/* The anchors name one zone in practice: the root. */
	if ((z = ldns_rdf2str(ldns_rr_owner(ldns_rr_list_rr(a, 0)))) == NULL ||
	    (p->grp = hy_dns_group_new(hy_run_dns(run),
	    hy_run_config(run)->timeout_ms)) == NULL) {
		free(z);
		free(p);
		return -1;
	}
	snprintf(p->zone, sizeof(p->zone), "%s", z);
	free(z);
	/* From the loop, so the result never comes from inside this call. */
	hy_timer_start(hy_run_loop(run), &p->timer, 0, pre_next, p);
	return 0;
}

static int
dnssec_query(void *qarg, const char *name, ldns_rr_type type, hy_dns_fn cb,
    void *cbarg)
{
	struct dnssec_state *st = qarg;

	return hy_dns_query(hy_check_group(st->check), name, type, HY_DNS_CD,
	    cb, cbarg);
}

static void
dnssec_done(void *darg, struct hy_dnssec_walk *w)
{
	struct dnssec_state *st = darg;

	(void)w;
	hy_check_probe_done(st->check, &hy_probe_dnssec);
}

static int
dnssec_start(struct hy_check *c, void **state)
{
	struct dnssec_state *st = calloc(1, sizeof(*st));
	struct hy_dnssec_env env = {
		.shared = hy_run_shared(hy_check_run(c), &hy_probe_dnssec),
		.now = hy_check_now(c),
		.query = dnssec_query,
		.done = dnssec_done,
	};

	if (st == NULL)
		return -1;
	st->check = c;
	env.qarg = env.darg = st;
	if (env.shared == NULL ||
	    (st->walk = hy_dnssec_walk_new(&env, hy_check_domain(c))) == NULL ||
	    hy_dnssec_walk_start(st->walk) != 0) {
		hy_dnssec_walk_free(st->walk);
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

/* The first finding of issues whose code is one of codes, or NULL. */
static const char *
finding_of(const json_t *issues, const char *const *codes)
{
	size_t i;
	json_t *f;

	json_array_foreach(issues, i, f) {
		const char *code = json_string_value(json_object_get(f,
		    "code"));

		for (size_t k = 0; code != NULL && codes[k] != NULL; k++)
			if (strcmp(codes[k], code) == 0)
				return json_string_value(json_object_get(f,
				    "message"));
	}
	return NULL;
}

/* Insecure without a finding that says why: the first link of the chain
 * that is insecure is a delegation its parent proved to have no DS. */
static char *
unsigned_reason(const json_t *chain)
{
	size_t i;
	json_t *z;
	char *r = NULL;

	json_array_foreach(chain, i, z) {
		const char *zs = json_string_value(json_object_get(z, "status"));

		if (zs == NULL || strcmp(zs, "insecure") != 0)
			continue;
		if (i == 0 ? asprintf(&r, "no trust anchor covers %s (RFC 4035 "
		    "§4.3)", json_string_value(json_object_get(z, "zone"))) :
		    asprintf(&r, "%s proves (NSEC/NSEC3) that it holds no DS "
		    "record for %s: the delegation is unsigned, so validators "
		    "cannot authenticate the domain's answers (RFC 4035 §5.2)",
		    json_string_value(json_object_get(json_array_get(chain, i -
		    1), "zone")), json_string_value(json_object_get(z, "zone")))
		    < 0)
			return NULL;
		return r;
	}
	return strdup("an answer the verdict relies on is not signed "
	    "(RFC 4035 §5.2)");
}

/* Why the section's status, from its own fields (RFC 4035 §4.3 defines
 * the four). NULL on OOM. */
static char *
dnssec_reason(const json_t *sec)
{
	static const char *const insecure_causes[] = { "no-ds-at-parent",
	    "nsec3-opt-out", "nsec3-iterations", "unsupported-algorithm",
	    NULL };
	const json_t *issues = json_object_get(sec, "issues");
	const char *st = json_string_value(json_object_get(sec, "status"));
	const char *m;
	char *r = NULL;

	if (strcmp(st, "secure") == 0)
		return asprintf(&r, "the chain of trust from the trust anchor "
		    "validates %s and the domain's answers (RFC 4035 §5)",
		    json_string_value(json_object_get(sec, "zone"))) < 0 ? NULL :
		    r;
	if (strcmp(st, "insecure") == 0)
		return (m = finding_of(issues, insecure_causes)) != NULL ?
		    strdup(m) : unsigned_reason(json_object_get(sec, "chain"));
	if ((m = hy_findings_json_first(issues, HY_SEV_ERROR)) != NULL ||
	    (m = hy_findings_json_first(issues, HY_SEV_WARNING)) != NULL)
		return strdup(m);
	return strdup(strcmp(st, "bogus") == 0 ? "the data does not validate "
	    "(RFC 4035 §5.5)" : "the validation could not be completed "
	    "(RFC 4035 §4.3)");
}

static int
dnssec_emit(struct hy_check *c, void *state, json_t *obj)
{
	struct dnssec_state *st = state;
	json_t *sec;
	char *why;

	(void)c;
	if (st == NULL)
		return json_object_set_new(obj, "dnssec", json_null());
	if ((sec = hy_dnssec_walk_json(st->walk)) == NULL)
		return -1;
	if ((why = dnssec_reason(sec)) == NULL ||
	    json_object_set_new(sec, "reason", json_string(why)) != 0) {
		free(why);
		json_decref(sec);
		return -1;
	}
	free(why);
	return json_object_set_new(obj, "dnssec", sec);
}

static void
dnssec_free(void *state)
{
	struct dnssec_state *st = state;

	if (st == NULL)
		return;
	hy_dnssec_walk_free(st->walk);
	free(st);
}

const struct hy_probe hy_probe_dnssec = {
	.name = "dnssec",
	.phase = HY_PHASE_START,
	.run_init = dnssec_run_init,
	.run_free = dnssec_run_free,
	.run_check = dnssec_run_check,
	.start = dnssec_start,
	.emit = dnssec_emit,
	.free = dnssec_free,
};
