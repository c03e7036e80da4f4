/*
 * DMARC policy discovery and Organizational Domain selection over the
 * answers of a finished DNS Tree Walk (RFC 9989 §4.10, §4.10.1,
 * §4.10.2), or over the two lookups of the Public Suffix List method
 * (which changes only how the Organizational Domain is found; every
 * record rule is RFC 9989's).
 *
 * The walk is evaluated in order, so an answer beyond the point where the
 * walk stops (psd=y or psd=n) never matters, and "could not measure" at
 * a name that could change the outcome gives temperror, never absent nor
 * a parent's policy. What a receiver discards (several records at one
 * name, TXT that is no DMARC record) does not stop the walk (§4.10 steps
 * 2 and 6) and is always reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

#include "hygiene/txt.h"
#include "dmarc.h"

size_t
hy_dmarc_labels(const char *name)
{
	size_t n = 0;

	if (name == NULL || *name == '\0')
		return 0;
	for (n = 1; *name; name++)
		if (*name == '.' && name[1] != '\0')
			n++;
	return n;
}

/* The last k labels of name. */
static const char *
last_labels(const char *name, size_t k)
{
	size_t n = hy_dmarc_labels(name);

	while (n > k) {
		name = strchr(name, '.') + 1;
		n--;
	}
	return name;
}

bool
hy_dmarc_walk_next(const char *cur, char *next, size_t size)
{
	size_t x = hy_dmarc_labels(cur);
	const char *p;

	if (x <= 1)
		return false;
	/* §4.10 step 4: x >= 8 jumps to the last 7 labels. */
	p = last_labels(cur, x >= 8 ? 7 : x - 1);
	if (strlen(p) >= size)
		return false;
	memmove(next, p, strlen(p) + 1);	/* next may be cur */
	return true;
}

bool
hy_dmarc_name_under(const char *host, const char *name)
{
	size_t h = strlen(host), n = strlen(name);

	if (n == 0 || h < n || strcasecmp(host + h - n, name) != 0)
		return false;
	return h == n || host[h - n - 1] == '.';
}

const char *
hy_dmarc_status_str(enum hy_dmarc_status s)
{
	switch (s) {
	case HY_DMARC_VALID:
		return "valid";
	case HY_DMARC_ABSENT:
		return "absent";
	case HY_DMARC_INVALID:
		return "invalid";
	case HY_DMARC_TEMPERROR:
		return "temperror";
	}
	return "temperror";
}

/* The part of a discarded TXT string quoted in findings. */
#define OTHER_MAX 200

int
hy_dmarc_step_add(struct hy_dmarc_step *st, const char *txt, size_t len)
{
	struct hy_dmarc_record rec;
	enum hy_dmarc_parse pr;
	const char *why;
	char *t;

	if ((pr = hy_dmarc_parse(txt, len, &rec)) == HY_DMARC_PARSE_NOMEM)
		return -1;
	if (pr != HY_DMARC_PARSE_NOT_DMARC) {
		if (st->ndmarc++ == 0) {
			st->rec = rec;
			st->parse = pr;
		} else
			hy_dmarc_record_clear(&rec);
		return 0;
	}
	/* Keep one discarded string, a DMARC-like one when there is one. */
	why = hy_dmarc_why_not(txt, len);
	if (st->nother++ > 0 && (why == NULL || st->other_why != NULL))
		return 0;
	if ((t = hy_txt_utf8(txt, len < OTHER_MAX ? len : OTHER_MAX)) == NULL)
		return -1;
	free(st->other);
	st->other = t;
	st->other_why = why;
	return 0;
}

void
hy_dmarc_step_end(struct hy_dmarc_step *st)
{
	st->lookup = st->ndmarc == 0 ? HY_DMARC_L_NONE : st->ndmarc == 1 ?
	    HY_DMARC_L_ONE : HY_DMARC_L_MULTIPLE;
	if (st->lookup != HY_DMARC_L_ONE)
		hy_dmarc_record_clear(&st->rec);
}

void
hy_dmarc_step_clear(struct hy_dmarc_step *st)
{
	if (st == NULL)
		return;
	hy_dmarc_record_clear(&st->rec);
	free(st->other);
	st->other = NULL;
	st->other_why = NULL;
	st->ndmarc = st->nother = 0;
}

void
hy_dmarc_eval_clear(struct hy_dmarc_eval *e)
{
	if (e == NULL)
		return;
	hy_findings_clear(&e->findings);
	memset(e, 0, sizeof(*e));
}

static void
set_org(struct hy_dmarc_eval *e, const char *name)
{
	snprintf(e->org_domain, sizeof(e->org_domain), "%s", name);
}

static bool
answered(const struct hy_dmarc_step *st)
{
	return st->lookup == HY_DMARC_L_NONE || st->lookup == HY_DMARC_L_ONE ||
	    st->lookup == HY_DMARC_L_MULTIPLE;
}

/*
 * §4.10.2: among the names with a valid record, longest to shortest:
 * psd=n is the Organizational Domain; psd=y (not at the start) puts it
 * one label below; otherwise the record at the fewest labels wins; with
 * no record the domain itself is its Organizational Domain.
 */
static void
select_org(const struct hy_dmarc_step *s, size_t n, const char *domain,
    struct hy_dmarc_eval *e)
{
	const struct hy_dmarc_step *fewest = NULL;

	for (size_t i = 0; i < n; i++) {
		if (s[i].lookup != HY_DMARC_L_ONE)
			continue;
		if (s[i].rec.psd == HY_DMARC_PSD_N) {
			set_org(e, s[i].name);
			return;
		}
		if (s[i].rec.psd == HY_DMARC_PSD_Y && i > 0) {
			set_org(e, last_labels(domain,
			    hy_dmarc_labels(s[i].name) + 1));
			return;
		}
		fewest = &s[i];
	}
	set_org(e, fewest != NULL ? fewest->name : domain);
}

/* How many steps the walk really used: it stops after a single record
 * carrying psd=y or psd=n (§4.10 steps 2 and 6). */
static size_t
walk_used(const struct hy_dmarc_step *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].lookup == HY_DMARC_L_ONE &&
		    s[i].rec.psd != HY_DMARC_PSD_U)
			return i + 1;
	return n;
}

static const struct hy_dmarc_step *
step_at(const struct hy_dmarc_step *s, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(s[i].name, name) == 0)
			return &s[i];
	return NULL;
}

/*
 * §4.10.1: the record of the domain itself, else that of its
 * Organizational Domain, else that of its Public Suffix Domain (the
 * psd=y record that fixed the Organizational Domain).
 */
static const struct hy_dmarc_step *
select_policy(const struct hy_dmarc_step *s, size_t n, const char *org)
{
	const struct hy_dmarc_step *o;

	if (s[0].lookup == HY_DMARC_L_ONE)
		return &s[0];
	if ((o = step_at(s, n, org)) != NULL && o->lookup == HY_DMARC_L_ONE)
		return o;
	for (size_t i = 1; i < n; i++)
		if (s[i].lookup == HY_DMARC_L_ONE &&
		    s[i].rec.psd == HY_DMARC_PSD_Y)
			return &s[i];
	return NULL;
}

/*
 * One finding for what a receiver discards at one name (§4.10 steps 2 and
 * 6). Where that name could have decided the policy (decisive) a
 * DMARC-like record is an error, unless the one DMARC record at the same
 * name is used anyway (a warning, as other text is); above the record
 * that applies they concern another domain's record: info.
 * Returns 1 for an error, 0 otherwise, -1 on OOM.
 */
static int
note_discarded(const struct hy_dmarc_step *st, bool decisive,
    struct hy_dmarc_eval *e)
{
	enum hy_severity hard = decisive ? HY_SEV_ERROR : HY_SEV_INFO;
	int errors = 0;

	if (st->lookup == HY_DMARC_L_MULTIPLE) {
		if (hy_findings_add(&e->findings, "multiple-records", hard,
		    "_dmarc.%s has %zu DMARC records; a receiver discards them "
		    "all and goes on with the DNS Tree Walk (RFC 9989 §4.10 "
		    "step 2)", st->name, st->ndmarc) != 0)
			return -1;
		errors = decisive;
	}
	if (st->nother == 0)
		return errors;
	if (st->other_why != NULL) {
		if (st->lookup == HY_DMARC_L_ONE && decisive)
			hard = HY_SEV_WARNING;
		if (hy_findings_add(&e->findings, "discarded-record", hard,
		    "the TXT record \"%s\" at _dmarc.%s is not a DMARC record "
		    "and is discarded: %s", st->other, st->name,
		    st->other_why) != 0)
			return -1;
		return hard == HY_SEV_ERROR;
	}
	if (hy_findings_add(&e->findings, "non-dmarc-txt", decisive ?
	    HY_SEV_WARNING : HY_SEV_INFO, "_dmarc.%s holds %zu TXT record%s "
	    "that %s not DMARC, such as \"%s\"; receivers discard %s (RFC "
	    "9989 §4.10 step 2)", st->name, st->nother, st->nother > 1 ? "s" :
	    "", st->nother > 1 ? "are" : "is", st->other, st->nother > 1 ?
	    "them" : "it") != 0)
		return -1;
	return errors;
}

/* Findings for every answered name up to n; those up to and including
 * index decisive_upto are decisive. Returns the number of errors. */
static int
note_all_discarded(const struct hy_dmarc_step *s, size_t n,
    size_t decisive_upto, struct hy_dmarc_eval *e)
{
	int errors = 0, rc;

	for (size_t i = 0; i < n; i++) {
		if (!answered(&s[i]))
			continue;
		if ((rc = note_discarded(&s[i], i <= decisive_upto, e)) < 0)
			return -1;
		errors += rc;
	}
	return errors;
}

/* Why a record's policy cannot be used as published (§4.10.1), or NULL:
 * an invalid p, sp or np, or no p in a record with syntax errors (§4.7
 * makes a missing p "none" only in an otherwise valid record). */
static const char *
policy_unusable(const struct hy_dmarc_record *r)
{
	if (r->p == HY_DMARC_P_INVALID)
		return "p is not valid";
	if (r->sp == HY_DMARC_P_INVALID)
		return "sp is not valid";
	if (r->np == HY_DMARC_P_INVALID)
		return "np is not valid";
	if (r->p == HY_DMARC_P_UNSET && !r->syntax_ok)
		return "it has no p and syntax errors";
	return NULL;
}

/*
 * §4.10.1 for a record without a usable policy: with a syntactically
 * valid rua URI receivers act as if the record held p=none (and only
 * that: sp and np are none too), otherwise they apply no DMARC at all.
 */
static int
apply_fallback(const struct hy_dmarc_step *ps, const char *why,
    struct hy_dmarc_eval *e)
{
	if (ps->rec.nrua > 0) {
		e->policy = e->subdomain_policy = HY_DMARC_P_NONE;
		e->source = HY_DMARC_SRC_P;
		return hy_findings_add(&e->findings, "policy-fallback",
		    HY_SEV_WARNING, "the record at _dmarc.%s has no usable "
		    "policy (%s), but its rua holds a valid URI, so receivers "
		    "act as if it held only p=none: no enforcement for the "
		    "domain or its subdomains, aggregate reports still sent "
		    "(RFC 9989 §4.10.1)", ps->name, why);
	}
	e->status = HY_DMARC_INVALID;
	return hy_findings_add(&e->findings, "no-dmarc-processing",
	    HY_SEV_ERROR, "the record at _dmarc.%s has no usable policy (%s) "
	    "and its rua holds no valid URI, so receivers apply no DMARC "
	    "processing at all (RFC 9989 §4.10.1)", ps->name, why);
}

/* The policy for this domain: p at the domain itself; inherited, sp for
 * an existing name and np for a non-existent one, each falling back to p
 * (§4.10.1, §4.7). */
static int
apply_policy(const struct hy_dmarc_step *ps, const struct hy_dmarc_step *s0,
    enum hy_dmarc_exists exists, struct hy_dmarc_eval *e)
{
	const struct hy_dmarc_record *r = &ps->rec;
	enum hy_dmarc_policy p = r->p == HY_DMARC_P_UNSET ? HY_DMARC_P_NONE :
	    r->p;
	enum hy_dmarc_policy sp = r->sp != HY_DMARC_P_UNSET ? r->sp : p;

	if (ps != s0 && r->np != HY_DMARC_P_UNSET && r->np != sp &&
	    exists == HY_DMARC_EXISTS_UNKNOWN) {
		/* sp and np differ and we could not tell which applies. */
		e->status = HY_DMARC_TEMPERROR;
		return hy_findings_add(&e->findings, "existence-unknown",
		    HY_SEV_WARNING, "could not tell whether the domain exists "
		    "(its lookups failed), so neither sp nor np can be chosen "
		    "(RFC 9989 §4.10.1)");
	}
	e->subdomain_policy = sp;
	if (ps == s0) {
		e->policy = p;
		e->source = HY_DMARC_SRC_P;
	} else if (exists == HY_DMARC_EXISTS_NO && r->np != HY_DMARC_P_UNSET) {
		e->policy = r->np;
		e->source = HY_DMARC_SRC_NP;
	} else {
		e->policy = sp;
		e->source = r->sp != HY_DMARC_P_UNSET ? HY_DMARC_SRC_SP :
		    HY_DMARC_SRC_P;
	}
	return 0;
}

static int
apply_record(const struct hy_dmarc_step *ps, const struct hy_dmarc_step *s0,
    enum hy_dmarc_exists exists, struct hy_dmarc_eval *e)
{
	const char *why = policy_unusable(&ps->rec);

	e->policy_step = ps;
	e->status = ps->parse == HY_DMARC_PARSE_VALID ? HY_DMARC_VALID :
	    HY_DMARC_INVALID;
	if (why != NULL)
		return apply_fallback(ps, why, e);
	return apply_policy(ps, s0, exists, e);
}

/*
 * The record that applies in a Tree Walk whose first failed lookup is f
 * (f == used: none failed). The domain's own record applies whatever
 * the rest of the walk found (§4.10.1); without it every answer up to
 * the stop is needed. The Organizational Domain needs them all.
 */
static const struct hy_dmarc_step *
choose_walk(const struct hy_dmarc_step *s, size_t used, size_t f,
    struct hy_dmarc_eval *e)
{
	if (f == used)
		select_org(s, used, s[0].name, e);
	if (s[0].lookup == HY_DMARC_L_ONE)
		return &s[0];
	return f == used ? select_policy(s, used, e->org_domain) : NULL;
}

/* The PSL method: the first of [domain, Organizational Domain] with a
 * record, if every lookup before it was answered. */
static const struct hy_dmarc_step *
choose_psl(const struct hy_dmarc_step *s, size_t f, const char *org,
    struct hy_dmarc_eval *e)
{
	set_org(e, org);
	for (size_t i = 0; i < f; i++)
		if (s[i].lookup == HY_DMARC_L_ONE)
			return &s[i];
	return NULL;
}

static int
temperror(const struct hy_dmarc_step *s, size_t f, struct hy_dmarc_eval *e)
{
	e->status = HY_DMARC_TEMPERROR;
	e->org_domain[0] = '\0';
	if (note_all_discarded(s, f, f, e) < 0)
		return -1;
	if (f == 0)
		return hy_findings_add(&e->findings, "dns-error",
		    HY_SEV_WARNING, "the lookup of _dmarc.%s could not be "
		    "completed", s[0].name);
	return hy_findings_add(&e->findings, "dns-error", HY_SEV_WARNING,
	    "the DNS Tree Walk could not query _dmarc.%s, where the policy "
	    "that applies may be published (RFC 9989 §4.10)", s[f].name);
}

int
hy_dmarc_evaluate(const struct hy_dmarc_step *s, size_t n, bool psl,
    const char *psl_org, enum hy_dmarc_exists exists, struct hy_dmarc_eval *e)
{
	const struct hy_dmarc_step *ps;
	size_t used, f;
	int errors;

	memset(e, 0, sizeof(*e));
	if (n == 0)
		return -1;
	used = psl ? n : walk_used(s, n);
	for (f = 0; f < used && answered(&s[f]); f++)
		;
	ps = psl ? choose_psl(s, f, psl_org, e) : choose_walk(s, used, f, e);
	if (ps == NULL && f < used)
		return temperror(s, f, e);
	if (ps == NULL) {
		if ((errors = note_all_discarded(s, used, used, e)) < 0)
			return -1;
		e->status = errors > 0 ? HY_DMARC_INVALID : HY_DMARC_ABSENT;
		return 0;
	}
	if ((errors = note_all_discarded(s, used, (size_t)(ps - s), e)) < 0 ||
	    apply_record(ps, &s[0], exists, e) != 0)
		return -1;
	if (errors > 0 && e->status == HY_DMARC_VALID)
		e->status = HY_DMARC_INVALID;
	if (!psl && f < used && hy_findings_add(&e->findings,
	    "org-domain-unknown", HY_SEV_INFO, "the DNS Tree Walk could not "
	    "query _dmarc.%s, so the Organizational Domain is undetermined "
	    "(RFC 9989 §4.10.2); the domain's own record is its policy "
	    "(§4.10.1)", s[f].name) != 0)
		return -1;
	return 0;
}

char *
hy_dmarc_psl_org(const struct psl_ctx_st *ctx, const char *name)
{
	char *lower = NULL, *out = NULL;
	const char *reg;
	size_t n = strlen(name);

	if (ctx == NULL)
		ctx = psl_builtin();
	/* An empty label anywhere is not a domain name. */
	if (ctx == NULL || n == 0 || name[0] == '.' || strstr(name, "..") ||
	    name[n - 1] == '.')
		return NULL;
	if (psl_str_to_utf8lower(name, "utf-8", NULL, &lower) != PSL_SUCCESS)
		return NULL;
	if ((reg = psl_registrable_domain(ctx, lower)) != NULL)
		out = strdup(reg);
	psl_free_string(lower);
	return out;
}
