/*
 * DMARC policy discovery and Organizational Domain selection over the
 * answers of a finished DNS Tree Walk (RFC 9989 §4.10, §4.10.1,
 * §4.10.2), or over the two lookups of the Public Suffix List method.
 *
 * The walk is evaluated in order, so an answer beyond the point where the
 * walk stops (psd=y or psd=n) never matters, and "could not measure" at
 * a name that could change the outcome gives temperror, never absent.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libpsl.h>

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

static int
note_multiple(const struct hy_dmarc_step *s, size_t n, struct hy_dmarc_eval *e)
{
	for (size_t i = 0; i < n; i++)
		if (s[i].lookup == HY_DMARC_L_MULTIPLE &&
		    hy_findings_add(&e->findings, "multiple-records",
		    HY_SEV_ERROR, "_dmarc.%s has more than one DMARC record; "
		    "all are discarded (RFC 9989 §4.10)", s[i].name) != 0)
			return -1;
	return 0;
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

	e->subdomain_policy = sp;
	if (ps == s0) {
		e->policy = p;
		e->source = HY_DMARC_SRC_P;
		return 0;
	}
	if (r->np != HY_DMARC_P_UNSET && r->np != sp &&
	    exists == HY_DMARC_EXISTS_UNKNOWN) {
		/* sp and np differ and we could not tell which applies. */
		e->status = HY_DMARC_TEMPERROR;
		return hy_findings_add(&e->findings, "existence-unknown",
		    HY_SEV_WARNING, "could not tell whether the domain exists "
		    "(its lookups failed), so neither sp nor np can be chosen "
		    "(RFC 9989 §4.10.1)");
	}
	if (exists == HY_DMARC_EXISTS_NO && r->np != HY_DMARC_P_UNSET) {
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
eval_policy(const struct hy_dmarc_step *s, const struct hy_dmarc_step *ps,
    enum hy_dmarc_exists exists, struct hy_dmarc_eval *e)
{
	e->policy_step = ps;
	if (ps->parse == HY_DMARC_PARSE_INVALID) {
		e->status = HY_DMARC_INVALID;
		return hy_findings_add(&e->findings, "invalid-record",
		    HY_SEV_ERROR, "the DMARC record at _dmarc.%s has errors; "
		    "it is reported invalid even where a receiver would fall "
		    "back to p=none (RFC 9989 §4.10.1)", ps->name);
	}
	e->status = HY_DMARC_VALID;
	return apply_policy(ps, &s[0], exists, e);
}

static int
evaluate_walk(const struct hy_dmarc_step *s, size_t n,
    enum hy_dmarc_exists exists, struct hy_dmarc_eval *e)
{
	size_t used = walk_used(s, n), i;
	const struct hy_dmarc_step *ps;

	for (i = 0; i < used; i++)
		if (s[i].lookup == HY_DMARC_L_FAILED ||
		    s[i].lookup == HY_DMARC_L_PENDING)
			break;
	if (note_multiple(s, i, e) != 0)
		return -1;
	if (i == 0) {
		e->status = HY_DMARC_TEMPERROR;
		return hy_findings_add(&e->findings, "dns-error", HY_SEV_WARNING,
		    "the lookup of _dmarc.%s could not be completed", s[0].name);
	}
	if (i < used) {
		/* The domain's own record still decides the policy; only
		 * the Organizational Domain stays unknown. */
		if (s[0].lookup == HY_DMARC_L_ONE) {
			if (hy_findings_add(&e->findings, "org-domain-unknown",
			    HY_SEV_INFO, "the Tree Walk stopped at _dmarc.%s "
			    "(lookup failed); the Organizational Domain is "
			    "undetermined (RFC 9989 §4.10.2)", s[i].name) != 0)
				return -1;
			return eval_policy(s, &s[0], exists, e);
		}
		if (s[0].lookup == HY_DMARC_L_MULTIPLE) {
			e->status = HY_DMARC_INVALID;
			return 0;
		}
		e->status = HY_DMARC_TEMPERROR;
		return hy_findings_add(&e->findings, "dns-error",
		    HY_SEV_WARNING, "the Tree Walk could not query _dmarc.%s, "
		    "where the policy may be published (RFC 9989 §4.10)",
		    s[i].name);
	}
	select_org(s, used, s[0].name, e);
	if (s[0].lookup == HY_DMARC_L_MULTIPLE) {
		e->status = HY_DMARC_INVALID;
		return 0;
	}
	if ((ps = select_policy(s, used, e->org_domain)) != NULL)
		return eval_policy(s, ps, exists, e);
	/* Discarded duplicates elsewhere leave no usable policy either. */
	for (i = 0; i < used; i++)
		if (s[i].lookup == HY_DMARC_L_MULTIPLE) {
			e->status = HY_DMARC_INVALID;
			return 0;
		}
	e->status = HY_DMARC_ABSENT;
	return 0;
}

static int
evaluate_psl(const struct hy_dmarc_step *s, size_t n, const char *org,
    enum hy_dmarc_exists exists, struct hy_dmarc_eval *e)
{
	set_org(e, org);
	if (note_multiple(s, n, e) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		switch (s[i].lookup) {
		case HY_DMARC_L_ONE:
			return eval_policy(s, &s[i], exists, e);
		case HY_DMARC_L_MULTIPLE:
			e->status = HY_DMARC_INVALID;
			return 0;
		case HY_DMARC_L_FAILED:
		case HY_DMARC_L_PENDING:
			e->status = HY_DMARC_TEMPERROR;
			return hy_findings_add(&e->findings, "dns-error",
			    HY_SEV_WARNING, "the lookup of _dmarc.%s could not "
			    "be completed", s[i].name);
		case HY_DMARC_L_NONE:
			break;
		}
	}
	e->status = HY_DMARC_ABSENT;
	return 0;
}

int
hy_dmarc_evaluate(const struct hy_dmarc_step *steps, size_t nsteps, bool psl,
    const char *psl_org, enum hy_dmarc_exists exists, struct hy_dmarc_eval *e)
{
	memset(e, 0, sizeof(*e));
	if (nsteps == 0)
		return -1;
	if (psl)
		return evaluate_psl(steps, nsteps, psl_org, exists, e);
	return evaluate_walk(steps, nsteps, exists, e);
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
