/*
 * Unit tests of the DNS Tree Walk, policy discovery and the effective
 * policy (RFC 9989 §4.10, §4.10.1, §4.10.2). Each test names the section
 * its decision rests on. Steps are built through hy_dmarc_step_add() and
 * hy_dmarc_step_end(), the code the probe feeds its DNS answers to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc.h"

#define MAXSTEPS 8

struct walk {
	struct hy_dmarc_step	s[MAXSTEPS];
	size_t			n;
};

/* One step's answer: NULL for no TXT, "FAIL" for a failed lookup,
 * otherwise the TXT strings of the answer separated by newlines. */
static void
step_fill(struct hy_dmarc_step *st, const char *answer)
{
	const char *p, *nl;

	if (answer == NULL) {
		hy_dmarc_step_end(st);
		return;
	}
	if (strcmp(answer, "FAIL") == 0) {
		st->lookup = HY_DMARC_L_FAILED;
		return;
	}
	for (p = answer; ; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_int_equal(hy_dmarc_step_add(st, p, nl ? (size_t)(nl - p) :
		    strlen(p)), 0);
		if (nl == NULL)
			break;
	}
	hy_dmarc_step_end(st);
}

/* The Tree Walk targets of domain with answers[i] at step i. */
static void
walk_build(struct walk *w, const char *domain, const char *const *answers)
{
	char name[256];

	memset(w, 0, sizeof(*w));
	snprintf(name, sizeof(name), "%s", domain);
	do {
		assert_true(w->n < MAXSTEPS);
		snprintf(w->s[w->n].name, sizeof(w->s[w->n].name), "%s", name);
		step_fill(&w->s[w->n], answers[w->n]);
		w->n++;
	} while (hy_dmarc_walk_next(name, name, sizeof(name)));
}

/* The PSL method's steps: [domain, org] (or just [domain]). */
static void
psl_build(struct walk *w, const char *domain, const char *org,
    const char *const *answers)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->s[0].name, sizeof(w->s[0].name), "%s", domain);
	step_fill(&w->s[0], answers[0]);
	w->n = 1;
	if (strcmp(domain, org) != 0) {
		snprintf(w->s[1].name, sizeof(w->s[1].name), "%s", org);
		step_fill(&w->s[1], answers[1]);
		w->n = 2;
	}
}

static void
walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++)
		hy_dmarc_step_clear(&w->s[i]);
}

static void
eval(struct walk *w, enum hy_dmarc_exists ex, struct hy_dmarc_eval *e)
{
	assert_int_equal(hy_dmarc_evaluate(w->s, w->n, false, NULL, ex, e), 0);
}

/* The finding with this code among the evaluation's and the applied
 * record's, or NULL. */
static const struct hy_finding *
finding(const struct hy_dmarc_eval *e, const char *code)
{
	const struct hy_findings *fs[2] = { &e->findings,
	    e->policy_step ? &e->policy_step->rec.findings : NULL };

	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; fs[k] != NULL && i < fs[k]->n; i++)
			if (strcmp(fs[k]->v[i].code, code) == 0)
				return &fs[k]->v[i];
	return NULL;
}

static void
expect_finding(const struct hy_dmarc_eval *e, const char *code,
    enum hy_severity sev, const char *part)
{
	const struct hy_finding *f = finding(e, code);

	if (f == NULL)
		fail_msg("no finding %s", code);
	if (f->sev != sev)
		fail_msg("%s: severity %d, want %d", code, f->sev, sev);
	if (part != NULL && strstr(f->message, part) == NULL)
		fail_msg("%s: \"%s\" does not say \"%s\"", code, f->message,
		    part);
}

/* §4.10 steps 3-4: the next target; eight or more labels jump to seven. */
static void
test_next(void **st)
{
	char n[256];

	(void)st;
	assert_true(hy_dmarc_walk_next("a.b.c.d.e.f.g.h.i.j.mail.example.com",
	    n, sizeof(n)));
	assert_string_equal(n, "g.h.i.j.mail.example.com");
	assert_true(hy_dmarc_walk_next(n, n, sizeof(n)));
	assert_string_equal(n, "h.i.j.mail.example.com");
	assert_true(hy_dmarc_walk_next("a.b.c.d.e.f.g.h", n, sizeof(n)));
	assert_string_equal(n, "b.c.d.e.f.g.h");
	assert_true(hy_dmarc_walk_next("example.co.jp", n, sizeof(n)));
	assert_string_equal(n, "co.jp");
	assert_true(hy_dmarc_walk_next("jp", n, sizeof(n)) == false);
	assert_int_equal(hy_dmarc_labels("a.b.c"), 3);
	assert_int_equal(hy_dmarc_labels(""), 0);
}

/* §4.10: the example's eight queries, ending at _dmarc.com. */
static void
test_eight_queries(void **st)
{
	const char *none[MAXSTEPS] = { NULL };
	struct walk w;

	(void)st;
	walk_build(&w, "a.b.c.d.e.f.g.h.i.j.mail.example.com", none);
	assert_int_equal(w.n, 8);
	assert_string_equal(w.s[7].name, "com");
	walk_free(&w);
}

/* §4.10.1: the Author Domain's own record applies, its p. */
static void
test_own_record(void **st)
{
	const char *rr[MAXSTEPS] = { "v=DMARC1; p=reject; sp=none",
	    "v=DMARC1; p=none" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "example.co.jp", rr);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_ptr_equal(e.policy_step, &w.s[0]);
	assert_int_equal(e.policy, HY_DMARC_P_REJECT);
	assert_int_equal(e.source, HY_DMARC_SRC_P);
	assert_int_equal(e.subdomain_policy, HY_DMARC_P_NONE);
	/* §4.10.2: the fewest-labels record is at co.jp, which claims
	 * nothing. */
	assert_string_equal(e.org_domain, "co.jp");
	assert_int_equal(e.findings.n, 0);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/* §4.10.1 (sp for an existing name, np for a non-existent one) under a
 * co.jp-style public suffix that declares psd=y (§4.10.2). */
static void
test_inherit_under_psd(void **st)
{
	const char *rr[MAXSTEPS] = { NULL, NULL,
	    "v=DMARC1; p=reject; sp=quarantine; np=reject",
	    "v=DMARC1; p=none; psd=y" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "a.mail.example.co.jp", rr);
	assert_int_equal(w.n, 5);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_string_equal(e.org_domain, "example.co.jp");
	assert_string_equal(e.policy_step->name, "example.co.jp");
	assert_int_equal(e.policy, HY_DMARC_P_QUARANTINE);
	assert_int_equal(e.source, HY_DMARC_SRC_SP);
	hy_dmarc_eval_clear(&e);

	eval(&w, HY_DMARC_EXISTS_NO, &e);
	assert_int_equal(e.policy, HY_DMARC_P_REJECT);
	assert_int_equal(e.source, HY_DMARC_SRC_NP);
	hy_dmarc_eval_clear(&e);

	/* Unknown existence with sp != np cannot be decided. */
	eval(&w, HY_DMARC_EXISTS_UNKNOWN, &e);
	assert_int_equal(e.status, HY_DMARC_TEMPERROR);
	assert_int_equal(e.policy, HY_DMARC_P_UNSET);
	assert_int_equal(e.subdomain_policy, HY_DMARC_P_UNSET);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/* §4.10.2 step 3 and its first example: the fewest labels win. */
static void
test_fewest_labels(void **st)
{
	const char *rr[MAXSTEPS] = { NULL, "v=DMARC1; p=none",
	    "v=DMARC1; p=reject" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "a.mail.example.com", rr);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_string_equal(e.org_domain, "example.com");
	assert_string_equal(e.policy_step->name, "example.com");
	assert_int_equal(e.policy, HY_DMARC_P_REJECT);
	assert_int_equal(e.source, HY_DMARC_SRC_P);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/* §4.10 step 6: psd=n stops the walk; a failure above it is irrelevant. */
static void
test_psd_n_stops(void **st)
{
	const char *rr[MAXSTEPS] = { NULL, "v=DMARC1; p=quarantine; psd=n",
	    "FAIL", "FAIL" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "a.mail.example.com", rr);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_string_equal(e.org_domain, "mail.example.com");
	assert_int_equal(e.policy, HY_DMARC_P_QUARANTINE);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/* §4.10.1 third location: only a PSD record; §4.10.2 step 2 puts the
 * Organizational Domain one label below it. */
static void
test_psd_policy(void **st)
{
	const char *rr[MAXSTEPS] = { NULL, NULL,
	    "v=DMARC1; p=reject; psd=y; np=reject; sp=none" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "a.example.jp", rr);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_string_equal(e.org_domain, "example.jp");
	assert_string_equal(e.policy_step->name, "jp");
	assert_int_equal(e.policy, HY_DMARC_P_NONE);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/*
 * §4.10.1: "If a retrieved DMARC Policy Record does not contain a valid
 * "p" tag ... If a "rua" tag is present and contains at least one
 * syntactically valid reporting URI, the Mail Receiver MUST act as if a
 * record containing "p=none" was retrieved". We report that none (with
 * the record and a finding), not null.
 */
static void
test_invalid_p_with_rua(void **st)
{
	const char *rr[MAXSTEPS] = {
	    "v=DMARC1; p=block; sp=reject; rua=bad, mailto:a@example.jp" };
	const char *inh[MAXSTEPS] = { NULL,
	    "v=DMARC1; p=block; sp=reject; rua=mailto:a@example.jp" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "example.jp", rr);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_ptr_equal(e.policy_step, &w.s[0]);
	assert_int_equal(e.policy, HY_DMARC_P_NONE);
	assert_int_equal(e.source, HY_DMARC_SRC_P);
	/* "a record containing p=none": the valid sp is not kept. */
	assert_int_equal(e.subdomain_policy, HY_DMARC_P_NONE);
	expect_finding(&e, "invalid-policy", HY_SEV_ERROR, "p=block");
	expect_finding(&e, "policy-fallback", HY_SEV_WARNING, "p=none");
	expect_finding(&e, "policy-fallback", HY_SEV_WARNING, "§4.10.1");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	/* The same for a subdomain inheriting the record. */
	walk_build(&w, "sub.example.jp", inh);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.policy, HY_DMARC_P_NONE);
	assert_string_equal(e.policy_step->name, "example.jp");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/* §4.10.1: "Otherwise, the Mail Receiver applies no DMARC processing to
 * this message": no policy, status invalid, the record still shown. */
static void
test_invalid_p_without_rua(void **st)
{
	const char *rr[MAXSTEPS] = { "v=DMARC1; p=block; rua=mailto:nobody",
	    "v=DMARC1; p=reject" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "example.jp", rr);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	/* The retrieved record decides; the parent's is not used. */
	assert_ptr_equal(e.policy_step, &w.s[0]);
	assert_int_equal(e.policy, HY_DMARC_P_UNSET);
	assert_int_equal(e.subdomain_policy, HY_DMARC_P_UNSET);
	assert_int_equal(e.source, HY_DMARC_SRC_NONE);
	expect_finding(&e, "no-dmarc-processing", HY_SEV_ERROR,
	    "no DMARC processing");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/* §4.10.1: "... or contains an "sp" or "np" tag that is not valid":
 * the same fallback, even for the domain whose own p is valid. */
static void
test_invalid_sp_np(void **st)
{
	const char *sp[MAXSTEPS] = {
	    "v=DMARC1; p=reject; sp=bogus; rua=mailto:a@example.jp" };
	const char *np[MAXSTEPS] = { "v=DMARC1; p=reject; np=" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "example.jp", sp);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_int_equal(e.policy, HY_DMARC_P_NONE);
	expect_finding(&e, "policy-fallback", HY_SEV_WARNING, "sp is not valid");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "example.jp", np);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.policy, HY_DMARC_P_UNSET);
	expect_finding(&e, "no-dmarc-processing", HY_SEV_ERROR,
	    "np is not valid");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/* §4.8: a syntax error elsewhere is discarded; the valid p still
 * applies. The status says the record has errors. */
static void
test_other_errors_keep_policy(void **st)
{
	const char *rr[MAXSTEPS] = {
	    "v=DMARC1; p=reject; rua=not a uri; adkim=x" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "example.jp", rr);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_int_equal(e.policy, HY_DMARC_P_REJECT);
	assert_null(finding(&e, "policy-fallback"));
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/*
 * §4.7 p tag: a record without p that is otherwise syntactically valid is
 * p=none, its sp still applies to subdomains. With syntax errors it has
 * no valid p and §4.10.1 decides.
 */
static void
test_missing_p(void **st)
{
	const char *ok[MAXSTEPS] = { NULL, "v=DMARC1; sp=reject" };
	const char *bad[MAXSTEPS] = { "v=DMARC1; sp=reject; adkim=x" };
	const char *badrua[MAXSTEPS] = {
	    "v=DMARC1; sp=reject; adkim=x; rua=mailto:a@example.jp" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "sub.example.jp", ok);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_int_equal(e.policy, HY_DMARC_P_REJECT);
	assert_int_equal(e.source, HY_DMARC_SRC_SP);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "example.jp", ok + 1);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.policy, HY_DMARC_P_NONE);
	assert_int_equal(e.subdomain_policy, HY_DMARC_P_REJECT);
	expect_finding(&e, "missing-policy", HY_SEV_WARNING, "p=none");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "example.jp", bad);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.policy, HY_DMARC_P_UNSET);
	expect_finding(&e, "no-dmarc-processing", HY_SEV_ERROR, "no p");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "example.jp", badrua);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.policy, HY_DMARC_P_NONE);
	assert_int_equal(e.subdomain_policy, HY_DMARC_P_NONE);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/*
 * RFC 6376 §3.2 (via §4.7): tag names are case-sensitive, so "P=reject"
 * is an unknown tag a receiver ignores; the record has no p and, being
 * otherwise valid, is p=none (§4.7). Reported with an error.
 */
static void
test_tag_case_policy(void **st)
{
	const char *rr[MAXSTEPS] = { "v=DMARC1; P=reject; SP=reject" };
	const char *both[MAXSTEPS] = { "v=DMARC1; P=none; p=quarantine" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "example.jp", rr);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_int_equal(e.policy, HY_DMARC_P_NONE);
	assert_int_equal(e.subdomain_policy, HY_DMARC_P_NONE);
	expect_finding(&e, "tag-case", HY_SEV_ERROR, "\"P\"");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "example.jp", both);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.policy, HY_DMARC_P_QUARANTINE);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/* RFC 6376 §3.2: a duplicated tag is not trusted; a duplicated p is no
 * valid p, so §4.10.1 applies (here: a valid rua, so none). */
static void
test_duplicate_p(void **st)
{
	const char *rr[MAXSTEPS] = {
	    "v=DMARC1; p=reject; p=reject; rua=mailto:a@example.jp" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "example.jp", rr);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_int_equal(e.policy, HY_DMARC_P_NONE);
	expect_finding(&e, "duplicate-tag", HY_SEV_ERROR, "\"p\"");
	expect_finding(&e, "policy-fallback", HY_SEV_WARNING, NULL);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/*
 * §4.10 step 2: "If multiple DMARC Policy Records are returned for a
 * single target, they are all discarded." Discarded, the walk goes on
 * (steps 5-7), so a parent's policy can apply.
 */
static void
test_multiple_continues(void **st)
{
	const char *own[MAXSTEPS] = {
	    "v=DMARC1; p=none\nv=DMARC1; p=reject",
	    "v=DMARC1; p=reject; sp=quarantine" };
	const char *nothing[MAXSTEPS] = { NULL,
	    "v=DMARC1; p=none; psd=n\nv=DMARC1; p=none; psd=n", NULL };
	const char *psdmulti[MAXSTEPS] = { NULL,
	    "v=DMARC1; p=none; psd=n\nv=DMARC1; p=none; psd=n",
	    "v=DMARC1; p=reject" };
	const char *above[MAXSTEPS] = { "v=DMARC1; p=reject",
	    "v=DMARC1; p=none\nv=DMARC1; p=none" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "sub.example.jp", own);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_string_equal(e.policy_step->name, "example.jp");
	assert_string_equal(e.org_domain, "example.jp");
	assert_int_equal(e.policy, HY_DMARC_P_QUARANTINE);
	assert_int_equal(e.source, HY_DMARC_SRC_SP);
	/* The owner's records were ignored: an error, status invalid. */
	assert_int_equal(e.status, HY_DMARC_INVALID);
	expect_finding(&e, "multiple-records", HY_SEV_ERROR,
	    "_dmarc.sub.example.jp has 2 DMARC records");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	/* Nothing else: no policy, but invalid, not absent. */
	walk_build(&w, "a.example.jp", nothing);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_null(e.policy_step);
	assert_int_equal(e.policy, HY_DMARC_P_UNSET);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	/* Discarded psd=n records do not stop the walk (step 2 needs "a
	 * single record" to stop). */
	walk_build(&w, "a.mail.example.com", psdmulti);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_string_equal(e.org_domain, "example.com");
	assert_int_equal(e.policy, HY_DMARC_P_REJECT);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	/* Above the record that applies, they concern another domain. */
	walk_build(&w, "example.jp", above);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_int_equal(e.policy, HY_DMARC_P_REJECT);
	expect_finding(&e, "multiple-records", HY_SEV_INFO, "_dmarc.jp");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/*
 * §4.7 v tag ("If the tag is not the first in the list ... the entire
 * record MUST be ignored") and §4.10 step 2 (such records are
 * discarded): never silent. A DMARC-like TXT is an error, and with
 * nothing else the status is invalid, not a bare absent; unrelated TXT
 * is a warning.
 */
static void
test_not_dmarc_txt(void **st)
{
	const char *vlast[MAXSTEPS] = { "p=reject; v=DMARC1" };
	const char *junk[MAXSTEPS] = { "hello" };
	const char *mixed[MAXSTEPS] = { "v=DMARC1; p=none\nhello\nworld" };
	const char *parent[MAXSTEPS] = { "v=dmarc1; p=reject",
	    "v=DMARC1; p=quarantine" };
	const char *prefer[MAXSTEPS] = { "hello\nV=DMARC1; p=reject\nx" };
	const char *beside[MAXSTEPS] = { "v=DMARC1; p=reject\np=none; v=DMARC1" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "example.jp", vlast);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_null(e.policy_step);
	expect_finding(&e, "discarded-record", HY_SEV_ERROR,
	    "\"p=reject; v=DMARC1\" at _dmarc.example.jp");
	expect_finding(&e, "discarded-record", HY_SEV_ERROR, "MUST come first");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "example.jp", junk);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_ABSENT);
	expect_finding(&e, "non-dmarc-txt", HY_SEV_WARNING, "\"hello\"");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	/* The one DMARC record remains and applies. */
	walk_build(&w, "example.jp", mixed);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_int_equal(e.policy, HY_DMARC_P_NONE);
	expect_finding(&e, "non-dmarc-txt", HY_SEV_WARNING, "2 TXT records");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	/* Discarded, the walk goes on to the parent's policy. */
	walk_build(&w, "sub.example.jp", parent);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_int_equal(e.policy, HY_DMARC_P_QUARANTINE);
	expect_finding(&e, "discarded-record", HY_SEV_ERROR, "case-sensitive");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	/* The DMARC-like one is quoted, whatever its position. */
	walk_build(&w, "example.jp", prefer);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	expect_finding(&e, "discarded-record", HY_SEV_ERROR, "\"V\"");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	/* Beside the one DMARC record, which applies: a warning. */
	walk_build(&w, "example.jp", beside);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_int_equal(e.policy, HY_DMARC_P_REJECT);
	expect_finding(&e, "discarded-record", HY_SEV_WARNING, NULL);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/*
 * A failed lookup (SERVFAIL, timeout) at any step the outcome depends on
 * is temperror: never absent, never the policy of a name further up.
 * §4.10.1 leaves DNS errors to the receiver; for a survey the policy is
 * then unknown.
 */
static void
test_fault_anywhere(void **st)
{
	const char *base[MAXSTEPS] = { NULL, NULL, NULL,
	    "v=DMARC1; p=reject" };
	const char *rr[MAXSTEPS];
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	for (size_t f = 0; f < 4; f++) {
		memcpy(rr, base, sizeof(rr));
		rr[f] = "FAIL";
		walk_build(&w, "a.b.example.jp", rr);
		eval(&w, HY_DMARC_EXISTS_YES, &e);
		assert_int_equal(e.status, HY_DMARC_TEMPERROR);
		assert_null(e.policy_step);
		assert_int_equal(e.policy, HY_DMARC_P_UNSET);
		assert_string_equal(e.org_domain, "");
		expect_finding(&e, "dns-error", HY_SEV_WARNING, w.s[f].name);
		hy_dmarc_eval_clear(&e);
		walk_free(&w);
	}
}

/* Discarded records continue the walk (§4.10 step 2), so a fault past
 * them is temperror, not invalid. */
static void
test_fault_after_discarded(void **st)
{
	const char *multi[MAXSTEPS] = {
	    "v=DMARC1; p=none\nv=DMARC1; p=reject", "FAIL" };
	const char *vlast[MAXSTEPS] = { "p=reject; v=DMARC1", "FAIL" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "sub.example.jp", multi);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_TEMPERROR);
	assert_int_equal(e.policy, HY_DMARC_P_UNSET);
	expect_finding(&e, "multiple-records", HY_SEV_ERROR, NULL);
	expect_finding(&e, "dns-error", HY_SEV_WARNING, "_dmarc.example.jp");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "sub.example.jp", vlast);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_TEMPERROR);
	expect_finding(&e, "discarded-record", HY_SEV_ERROR, NULL);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/*
 * Where a fault does not matter: the domain's own record is its policy
 * whatever the walk finds (§4.10.1), and only the Organizational Domain
 * (§4.10.2) stays unknown. A fault above a record without psd does
 * matter: a record there could be the Organizational Domain's (§4.10.2
 * step 3, fewest labels).
 */
static void
test_fault_that_matters(void **st)
{
	const char *own[MAXSTEPS] = { "v=DMARC1; p=reject", "FAIL" };
	const char *above[MAXSTEPS] = { NULL, "v=DMARC1; p=reject", "FAIL" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "example.jp", own);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_int_equal(e.policy, HY_DMARC_P_REJECT);
	assert_string_equal(e.org_domain, "");
	expect_finding(&e, "org-domain-unknown", HY_SEV_INFO, "_dmarc.jp");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "sub.example.jp", above);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_TEMPERROR);
	assert_int_equal(e.policy, HY_DMARC_P_UNSET);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/*
 * The PSL method (RFC 7489's Organizational Domain, kept for comparison)
 * with RFC 9989's record rules: discarded records at the domain go on to
 * the Organizational Domain (§4.10 step 2), faults are temperror, the
 * §4.10.1 fallback applies.
 */
static void
test_psl_mode(void **st)
{
	const char *plain[2] = { NULL, "v=DMARC1; p=reject; sp=quarantine" };
	const char *multi[2] = { "v=DMARC1; p=none\nv=DMARC1; p=none",
	    "v=DMARC1; p=reject; sp=quarantine" };
	const char *vlast[2] = { "p=none; v=DMARC1", NULL };
	const char *fail0[2] = { "FAIL", "v=DMARC1; p=reject" };
	const char *fail1[2] = { NULL, "FAIL" };
	const char *ownfail[2] = { "v=DMARC1; p=reject", "FAIL" };
	const char *badp[2] = { NULL, "v=DMARC1; p=x; rua=mailto:a@b.jp" };
	const char *org = "example.co.jp";
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	psl_build(&w, "www.example.co.jp", org, plain);
	assert_int_equal(hy_dmarc_evaluate(w.s, w.n, true, org,
	    HY_DMARC_EXISTS_YES, &e), 0);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_int_equal(e.policy, HY_DMARC_P_QUARANTINE);
	assert_string_equal(e.org_domain, org);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	psl_build(&w, "www.example.co.jp", org, multi);
	hy_dmarc_evaluate(w.s, w.n, true, org, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_int_equal(e.policy, HY_DMARC_P_QUARANTINE);
	expect_finding(&e, "multiple-records", HY_SEV_ERROR, NULL);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	psl_build(&w, "www.example.co.jp", org, vlast);
	hy_dmarc_evaluate(w.s, w.n, true, org, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	expect_finding(&e, "discarded-record", HY_SEV_ERROR, NULL);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	psl_build(&w, "www.example.co.jp", org, fail0);
	hy_dmarc_evaluate(w.s, w.n, true, org, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_TEMPERROR);
	assert_int_equal(e.policy, HY_DMARC_P_UNSET);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	psl_build(&w, "www.example.co.jp", org, fail1);
	hy_dmarc_evaluate(w.s, w.n, true, org, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_TEMPERROR);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	/* The Organizational Domain comes from the PSL: nothing unknown. */
	psl_build(&w, "www.example.co.jp", org, ownfail);
	hy_dmarc_evaluate(w.s, w.n, true, org, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_null(finding(&e, "org-domain-unknown"));
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	psl_build(&w, "www.example.co.jp", org, badp);
	hy_dmarc_evaluate(w.s, w.n, true, org, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_int_equal(e.policy, HY_DMARC_P_NONE);
	expect_finding(&e, "policy-fallback", HY_SEV_WARNING, NULL);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

static void
test_name_under(void **st)
{
	(void)st;
	assert_true(hy_dmarc_name_under("example.jp", "example.jp"));
	assert_true(hy_dmarc_name_under("r.Example.JP", "example.jp"));
	assert_false(hy_dmarc_name_under("badexample.jp", "example.jp"));
	assert_false(hy_dmarc_name_under("jp", "example.jp"));
	assert_false(hy_dmarc_name_under("example.jp", ""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next),
		cmocka_unit_test(test_eight_queries),
		cmocka_unit_test(test_own_record),
		cmocka_unit_test(test_inherit_under_psd),
		cmocka_unit_test(test_fewest_labels),
		cmocka_unit_test(test_psd_n_stops),
		cmocka_unit_test(test_psd_policy),
		cmocka_unit_test(test_invalid_p_with_rua),
		cmocka_unit_test(test_invalid_p_without_rua),
		cmocka_unit_test(test_invalid_sp_np),
		cmocka_unit_test(test_other_errors_keep_policy),
		cmocka_unit_test(test_missing_p),
		cmocka_unit_test(test_tag_case_policy),
		cmocka_unit_test(test_duplicate_p),
		cmocka_unit_test(test_multiple_continues),
		cmocka_unit_test(test_not_dmarc_txt),
		cmocka_unit_test(test_fault_anywhere),
		cmocka_unit_test(test_fault_after_discarded),
		cmocka_unit_test(test_fault_that_matters),
		cmocka_unit_test(test_psl_mode),
		cmocka_unit_test(test_name_under),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
