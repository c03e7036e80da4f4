/*
 * The `dmarc` probe. States:
 *
 *   WALK   the TXT lookups of every Tree Walk target (or of the domain and
 *          its PSL Organizational Domain), plus A/AAAA/MX of the domain to
 *          tell an existing name (sp) from a non-existent one (np: NXDOMAIN,
 *          RFC 9989 "Non-existent Domains" after RFC 8020), all in
 *          parallel; the walk's stop rules are applied afterwards by
 *          hy_dmarc_evaluate(), so an answer past the stop never counts.
 *   AUTH   for each report URI outside the Organizational Domain, the
 *          `<domain>._report._dmarc.<destination>` TXT lookup (RFC 9990).
 *   DONE   reported to the check.
 *
 * step() is the one transition function; every DNS callback ends in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "hygiene/txt.h"
#include "dmarc.h"

#define WALK_MAX 8

enum dstate { ST_WALK, ST_AUTH, ST_DONE };

enum auth { AUTH_INTERNAL, AUTH_PENDING, AUTH_YES, AUTH_NO, AUTH_UNKNOWN };

struct dmarc_shared {
	bool		 use_psl;
	psl_ctx_t	*psl;		/* loaded list, or NULL for built-in */
};

struct qctx {
	struct hy_dmarc_state	*s;
	size_t			 idx;
};

struct dest {
	const struct hy_dmarc_uri *uri;
	bool			 ruf;
	enum auth		 auth;
	struct qctx		 q;
};

struct hy_dmarc_state {
	struct hy_check		*chk;
	enum dstate		 state;
	unsigned		 pending;
	bool			 psl;
	char			 psl_org[256];
	struct hy_dmarc_step	 steps[WALK_MAX];
	struct qctx		 walkq[WALK_MAX];
	size_t			 nsteps;
	enum hy_dns_status	 exist_st[3];	/* A, AAAA, MX */
	struct qctx		 existq[3];
	struct hy_dmarc_eval	 eval;
	struct dest		*dests;
	size_t			 ndests;
	struct hy_findings	 findings;	/* probe-level findings */
	struct hy_timer		 timer;
};

static void step(struct hy_dmarc_state *);

/* ---- options ------------------------------------------------------------- */

static int
dmarc_run_init(struct hy_run *r, void **shared, char *err, size_t errlen)
{
	(void)r;
	(void)err;
	(void)errlen;
	*shared = calloc(1, sizeof(struct dmarc_shared));
	return *shared == NULL ? -1 : 0;
}

static void
dmarc_run_free(void *p)
{
	struct dmarc_shared *sh = p;

	if (sh == NULL)
		return;
	psl_free(sh->psl);
	free(sh);
}

int
hy_dmarc_set_options(struct hy_run *r, const struct hy_dmarc_opts *o)
{
	struct dmarc_shared *sh = hy_run_shared(r, &hy_probe_dmarc);

	if (sh == NULL)
		return -1;
	sh->use_psl = o->use_psl;
	psl_free(sh->psl);
	sh->psl = NULL;
	if (o->use_psl && o->psl_file != NULL &&
	    (sh->psl = psl_load_file(o->psl_file)) == NULL)
		return -1;
	return 0;
}

/* ---- DNS callbacks --------------------------------------------------------- */

static void
walk_cb(void *arg, const struct hy_dns_result *res)
{
	struct qctx *q = arg;
	struct hy_dmarc_state *s = q->s;
	struct hy_dmarc_step *st = &s->steps[q->idx];
	ldns_rr_list *rrs;
	size_t len;
	char *txt;
	int rc = 0;

	s->pending--;
	st->lookup = HY_DMARC_L_FAILED;
	/* An allocation failure is "could not measure" too. */
	if (!hy_dns_status_measured(res->status) ||
	    hy_dns_answer_rrs(res, LDNS_RR_TYPE_TXT, &rrs) != 0)
		goto out;
	for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(rrs); i++) {
		if ((txt = hy_txt_join(ldns_rr_list_rr(rrs, i), &len)) == NULL)
			rc = -1;
		else
			rc = hy_dmarc_step_add(st, txt, len);
		free(txt);
	}
	ldns_rr_list_deep_free(rrs);
	if (rc == 0)
		hy_dmarc_step_end(st);
	else
		hy_dmarc_step_clear(st);
out:
	step(s);
}

static void
exist_cb(void *arg, const struct hy_dns_result *res)
{
	struct qctx *q = arg;

	q->s->pending--;
	q->s->exist_st[q->idx] = res->status;
	step(q->s);
}

/* An authorization record is any TXT beginning with v=DMARC1 (RFC 9990,
 * Verifying External Destinations). */
static void
auth_cb(void *arg, const struct hy_dns_result *res)
{
	struct qctx *q = arg;
	struct dest *d = &q->s->dests[q->idx];
	ldns_rr_list *rrs;
	size_t len;
	char *txt;

	q->s->pending--;
	d->auth = AUTH_NO;
	if (!hy_dns_status_measured(res->status))
		d->auth = AUTH_UNKNOWN;
	else if (hy_dns_answer_rrs(res, LDNS_RR_TYPE_TXT, &rrs) != 0)
		d->auth = AUTH_UNKNOWN;		/* OOM */
	else {
		for (size_t i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
			if ((txt = hy_txt_join(ldns_rr_list_rr(rrs, i),
			    &len)) == NULL) {
				d->auth = AUTH_UNKNOWN;
				break;
			}
			if (len >= 8 && memcmp(txt, "v=DMARC1", 8) == 0 &&
			    (len == 8 || txt[8] == ';' || txt[8] == ' ' ||
			    txt[8] == '\t'))
				d->auth = AUTH_YES;
			free(txt);
		}
		ldns_rr_list_deep_free(rrs);
	}
	step(q->s);
}

/* ---- transitions ------------------------------------------------------------ */

static int
query(struct hy_dmarc_state *s, const char *prefix, const char *name,
    ldns_rr_type t, hy_dns_fn cb, struct qctx *q)
{
	char qname[512];

	if ((size_t)snprintf(qname, sizeof(qname), "%s%s", prefix, name) >=
	    sizeof(qname))
		return -1;
	if (hy_dns_query(hy_check_group(s->chk), qname, t, 0, cb, q) != 0)
		return -1;
	s->pending++;
	return 0;
}

/* RFC 9989 uses the RFC 8020 meaning of a non-existent domain: a query
 * for the name itself answered NXDOMAIN. Any NOERROR answer (data or
 * NODATA) shows the name exists. */
static enum hy_dmarc_exists
existence(const struct hy_dmarc_state *s)
{
	bool nx = false;

	for (int i = 0; i < 3; i++) {
		if (s->exist_st[i] == HY_DNS_ANSWER ||
		    s->exist_st[i] == HY_DNS_NODATA)
			return HY_DMARC_EXISTS_YES;
		if (s->exist_st[i] == HY_DNS_NXDOMAIN)
			nx = true;
	}
	return nx ? HY_DMARC_EXISTS_NO : HY_DMARC_EXISTS_UNKNOWN;
}

static int
dest_add(struct hy_dmarc_state *s, const struct hy_dmarc_uri *u, bool ruf,
    const char *org)
{
	struct dest *nd;

	if (u->domain == NULL)
		return 0;	/* no domain to authorize (unusual scheme) */
	if ((nd = reallocarray(s->dests, s->ndests + 1, sizeof(*nd))) == NULL)
		return -1;
	s->dests = nd;
	nd = &s->dests[s->ndests++];
	memset(nd, 0, sizeof(*nd));
	nd->uri = u;
	nd->ruf = ruf;
	nd->auth = hy_dmarc_name_under(u->domain, org) ? AUTH_INTERNAL :
	    AUTH_PENDING;
	return 0;
}

/* Report destinations outside the Organizational Domain need an
 * authorization record at <domain>._report._dmarc.<destination>. */
static int
start_auth(struct hy_dmarc_state *s)
{
	const struct hy_dmarc_step *ps = s->eval.policy_step;
	const char *org;
	char prefix[300];

	/* Receivers send reports wherever a policy applies, even one they
	 * fell back to (RFC 9989 §4.10.1). */
	if (ps == NULL || s->eval.policy == HY_DMARC_P_UNSET)
		return 0;
	org = s->eval.org_domain[0] ? s->eval.org_domain : ps->name;
	for (size_t i = 0; i < ps->rec.nrua; i++)
		if (dest_add(s, &ps->rec.rua[i], false, org) != 0)
			return -1;
	for (size_t i = 0; i < ps->rec.nruf; i++)
		if (dest_add(s, &ps->rec.ruf[i], true, org) != 0)
			return -1;
	snprintf(prefix, sizeof(prefix), "%s._report._dmarc.", ps->name);
	for (size_t i = 0; i < s->ndests; i++) {
		struct dest *d = &s->dests[i];

		if (d->auth != AUTH_PENDING)
			continue;
		d->q.s = s;
		d->q.idx = i;
		if (query(s, prefix, d->uri->domain, LDNS_RR_TYPE_TXT, auth_cb,
		    &d->q) != 0)
			d->auth = AUTH_UNKNOWN;
	}
	return 0;
}

static void
finish(void *arg)
{
	struct hy_dmarc_state *s = arg;

	hy_check_probe_done(s->chk, &hy_probe_dmarc);
}

static void
step(struct hy_dmarc_state *s)
{
	if (s->pending > 0)
		return;
	if (s->state == ST_WALK) {
		s->state = ST_AUTH;
		if (hy_dmarc_evaluate(s->steps, s->nsteps, s->psl, s->psl_org,
		    existence(s), &s->eval) != 0 || start_auth(s) != 0)
			(void)hy_check_error(s->chk, "out-of-memory",
			    "dmarc: out of memory");
		/* A verdict whose Organizational Domain a failed lookup left
		 * undetermined was not fully measured. */
		if (hy_findings_has(&s->eval.findings, "org-domain-unknown"))
			(void)hy_check_error(s->chk, "dmarc-lookup-failed",
			    "the DMARC Tree Walk for %s could not be completed; "
			    "the Organizational Domain is undetermined",
			    hy_check_domain(s->chk));
		if (s->pending > 0)
			return;
	}
	if (s->state == ST_AUTH) {
		s->state = ST_DONE;
		/* Deferred: done must not run inside hy_dmarc start(). */
		hy_timer_start(hy_run_loop(hy_check_run(s->chk)), &s->timer, 0,
		    finish, s);
	}
}

static size_t
plan_walk(struct hy_dmarc_state *s, const char *domain)
{
	char name[256];
	size_t n = 0;

	snprintf(name, sizeof(name), "%s", domain);
	do {
		snprintf(s->steps[n].name, sizeof(s->steps[n].name), "%s", name);
		n++;
	} while (n < WALK_MAX && hy_dmarc_walk_next(name, name, sizeof(name)));
	return n;
}

static size_t
plan_psl(struct hy_dmarc_state *s, const struct dmarc_shared *sh,
    const char *domain)
{
	char *org = hy_dmarc_psl_org(sh->psl, domain);

	s->psl = true;
	/* A public suffix has no registrable domain: it stands for itself,
	 * as in RFC 7489 §3.2. */
	snprintf(s->psl_org, sizeof(s->psl_org), "%s", org ? org : domain);
	free(org);
	snprintf(s->steps[0].name, sizeof(s->steps[0].name), "%s", domain);
	if (strcmp(s->psl_org, domain) == 0)
		return 1;
	snprintf(s->steps[1].name, sizeof(s->steps[1].name), "%s", s->psl_org);
	return 2;
}

static int
dmarc_start(struct hy_check *c, void **state)
{
	struct dmarc_shared *sh = hy_run_shared(hy_check_run(c),
	    &hy_probe_dmarc);
	static const ldns_rr_type et[3] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA,
	    LDNS_RR_TYPE_MX };
	const char *domain = hy_check_domain(c);
	struct hy_dmarc_state *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	*state = s;
	s->chk = c;
	s->state = ST_WALK;
	s->nsteps = sh != NULL && sh->use_psl ? plan_psl(s, sh, domain) :
	    plan_walk(s, domain);
	for (size_t i = 0; i < s->nsteps; i++) {
		s->walkq[i].s = s;
		s->walkq[i].idx = i;
		s->steps[i].lookup = HY_DMARC_L_FAILED;
		if (query(s, "_dmarc.", s->steps[i].name, LDNS_RR_TYPE_TXT,
		    walk_cb, &s->walkq[i]) == 0)
			s->steps[i].lookup = HY_DMARC_L_PENDING;
	}
	for (int i = 0; i < 3; i++) {
		s->existq[i].s = s;
		s->existq[i].idx = (size_t)i;
		s->exist_st[i] = HY_DNS_ERROR;
		(void)query(s, "", domain, et[i], exist_cb, &s->existq[i]);
	}
	step(s);
	return 0;
}

/* ---- JSON ---------------------------------------------------------------- */

static const char *
auth_str(enum auth a)
{
	switch (a) {
	case AUTH_YES:
		return "authorized";
	case AUTH_NO:
		return "unauthorized";
	case AUTH_INTERNAL:
		return "internal";
	case AUTH_PENDING:
	case AUTH_UNKNOWN:
		break;
	}
	return "unknown";
}

static const char *
source_str(enum hy_dmarc_source src)
{
	switch (src) {
	case HY_DMARC_SRC_P:
		return "p";
	case HY_DMARC_SRC_SP:
		return "sp";
	case HY_DMARC_SRC_NP:
		return "np";
	case HY_DMARC_SRC_NONE:
		break;
	}
	return NULL;
}

static int
dest_findings(struct hy_dmarc_state *s)
{
	const char *found = s->eval.policy_step->name;

	for (size_t i = 0; i < s->ndests; i++) {
		const struct dest *d = &s->dests[i];
		const char *tag = d->ruf ? "ruf" : "rua";

		if (d->auth == AUTH_NO && hy_findings_add(&s->findings,
		    d->ruf ? "external-ruf-unauthorized" :
		    "external-rua-unauthorized", HY_SEV_WARNING, "%s "
		    "destination %s is outside the Organizational Domain and "
		    "%s._report._dmarc.%s publishes no v=DMARC1 record; "
		    "receivers will not send these reports (RFC 9990, "
		    "Verifying External Destinations)", tag, d->uri->uri,
		    found, d->uri->domain) != 0)
			return -1;
		if (d->auth == AUTH_UNKNOWN && hy_findings_add(&s->findings,
		    "external-auth-unknown", HY_SEV_INFO, "could not look up "
		    "%s._report._dmarc.%s for %s destination %s", found,
		    d->uri->domain, tag, d->uri->uri) != 0)
			return -1;
	}
	return 0;
}

static json_t *
uris_json(const struct hy_dmarc_uri *u, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		if (json_array_append_new(a, json_string(u[i].uri)) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
dests_json(const struct hy_dmarc_state *s)
{
	json_t *a = json_array(), *o;

	for (size_t i = 0; a != NULL && i < s->ndests; i++) {
		const struct dest *d = &s->dests[i];

		o = json_pack("{s:s, s:s, s:s, s:s}", "uri", d->uri->uri,
		    "tag", d->ruf ? "ruf" : "rua", "domain", d->uri->domain,
		    "authorization", auth_str(d->auth));
		if (json_array_append_new(a, o) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* Findings of the evaluation, of the probe, and of the record used. */
static json_t *
issues_json(const struct hy_dmarc_state *s)
{
	const struct hy_findings *fs[3] = { &s->eval.findings, &s->findings,
	    s->eval.policy_step ? &s->eval.policy_step->rec.findings : NULL };

	return hy_findings_to_json_n(fs, 3);
}

/* Why the status, one sentence citing RFC 9989. NULL on OOM. */
static char *
dmarc_reason(const struct hy_dmarc_state *s, const json_t *issues)
{
	const struct hy_dmarc_eval *e = &s->eval;
	const struct hy_dmarc_step *ps = e->policy_step;
	const char *m, *d = hy_check_domain(s->chk);
	char *r = NULL;
	int n = -1;

	switch (e->status) {
	case HY_DMARC_VALID:
		n = asprintf(&r, "the record at _dmarc.%s asks receivers to "
		    "apply %s=%s to mail from %s%s (RFC 9989 §4.7, §4.10)",
		    ps != NULL ? ps->name : "?", source_str(e->source) ?
		    source_str(e->source) : "p", hy_dmarc_policy_str(e->policy) ?
		    hy_dmarc_policy_str(e->policy) : "none", d, ps != NULL &&
		    ps->rec.testing ? ", in testing mode (t=y)" : "");
		break;
	case HY_DMARC_ABSENT:
		n = s->psl ? asprintf(&r, "no DMARC record at _dmarc.%s nor at "
		    "_dmarc.%s, its Organizational Domain by the Public Suffix "
		    "List, so receivers apply no DMARC policy to its mail", d,
		    e->org_domain[0] ? e->org_domain : d) :
		    asprintf(&r, "no DMARC record at _dmarc.%s nor at the names "
		    "above it that the DNS Tree Walk queries (RFC 9989 §4.10), "
		    "so receivers apply no DMARC policy to its mail", d);
		break;
	default:
		if ((m = hy_findings_json_first(issues, HY_SEV_ERROR)) != NULL ||
		    (m = hy_findings_json_first(issues, HY_SEV_WARNING)) !=
		    NULL)
			return strdup(m);
		return strdup(e->status == HY_DMARC_INVALID ? "the DMARC "
		    "records found are not valid (RFC 9989 §4.7)" : "a lookup "
		    "the verdict depends on failed (RFC 9989 §4.10)");
	}
	return n < 0 ? NULL : r;
}

static int
dmarc_emit(struct hy_check *c, void *state, json_t *obj)
{
	struct hy_dmarc_state *s = state;
	const struct hy_dmarc_eval *e = &s->eval;
	const struct hy_dmarc_step *ps = e->policy_step;
	const struct hy_dmarc_record *r = ps ? &ps->rec : NULL;
	json_t *o;
	char *why;

	(void)c;
	if (ps != NULL && dest_findings(s) != 0)
		return -1;
	o = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:b,"
	    " s:o, s:o, s:o, s:o}",
	    "status", hy_dmarc_status_str(e->status),
	    "discovery", s->psl ? "psl" : "tree-walk",
	    "record", r ? r->text : NULL,
	    "found_at", ps ? ps->name : NULL,
	    "org_domain", e->org_domain[0] ? e->org_domain : NULL,
	    "policy", hy_dmarc_policy_str(e->policy),
	    "policy_source", source_str(e->source),
	    "subdomain_policy", hy_dmarc_policy_str(e->subdomain_policy),
	    "testing", r ? r->testing : false,
	    "rua", r ? uris_json(r->rua, r->nrua) : json_array(),
	    "ruf", r ? uris_json(r->ruf, r->nruf) : json_array(),
	    "external_destinations", dests_json(s),
	    "issues", issues_json(s));
	if (o == NULL)
		return -1;
	if (r != NULL && r->has_pct &&
	    json_object_set_new(o, "pct", json_integer(r->pct)) != 0) {
		json_decref(o);
		return -1;
	}
	why = dmarc_reason(s, json_object_get(o, "issues"));
	if (why == NULL || json_object_set_new(o, "reason", json_string(why)) !=
	    0) {
		free(why);
		json_decref(o);
		return -1;
	}
	free(why);
	return json_object_set_new(obj, "dmarc", o);
}

static void
dmarc_free(void *state)
{
	struct hy_dmarc_state *s = state;

	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nsteps; i++)
		hy_dmarc_step_clear(&s->steps[i]);
	hy_dmarc_eval_clear(&s->eval);
	hy_findings_clear(&s->findings);
	free(s->dests);
	free(s);
}

const struct hy_probe hy_probe_dmarc = {
	.name = "dmarc",
	.phase = HY_PHASE_START,
	.run_init = dmarc_run_init,
	.run_free = dmarc_run_free,
	.start = dmarc_start,
	.emit = dmarc_emit,
	.free = dmarc_free,
};
