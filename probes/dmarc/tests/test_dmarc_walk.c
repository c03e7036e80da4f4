/* Unit tests of the DNS Tree Walk and policy selection (RFC 9989 §4.10). */
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

/* Build the walk of domain; records[i] is the TXT at step i: NULL for
 * none, "FAIL" for a failed lookup, "MULTI" for two records. */
static void
walk_build(struct walk *w, const char *domain, const char *const *records)
{
	char name[256];

	memset(w, 0, sizeof(*w));
	snprintf(name, sizeof(name), "%s", domain);
	for (;;) {
		struct hy_dmarc_step *st = &w->s[w->n];
		const char *r = records[w->n];

		snprintf(st->name, sizeof(st->name), "%s", name);
		if (r == NULL)
			st->lookup = HY_DMARC_L_NONE;
		else if (strcmp(r, "FAIL") == 0)
			st->lookup = HY_DMARC_L_FAILED;
		else if (strcmp(r, "MULTI") == 0)
			st->lookup = HY_DMARC_L_MULTIPLE;
		else {
			st->lookup = HY_DMARC_L_ONE;
			st->parse = hy_dmarc_parse(r, strlen(r), &st->rec);
			assert_true(st->parse == HY_DMARC_PARSE_VALID ||
			    st->parse == HY_DMARC_PARSE_INVALID);
		}
		w->n++;
		if (!hy_dmarc_walk_next(name, name, sizeof(name)))
			break;
		assert_true(w->n < MAXSTEPS);
	}
}

static void
walk_free(struct walk *w)
{
	for (size_t i = 0; i < w->n; i++)
		hy_dmarc_record_clear(&w->s[i].rec);
}

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
	/* Exactly eight labels also jumps to seven. */
	assert_true(hy_dmarc_walk_next("a.b.c.d.e.f.g.h", n, sizeof(n)));
	assert_string_equal(n, "b.c.d.e.f.g.h");
	assert_true(hy_dmarc_walk_next("example.co.jp", n, sizeof(n)));
	assert_string_equal(n, "co.jp");
	assert_true(hy_dmarc_walk_next("jp", n, sizeof(n)) == false);
	assert_int_equal(hy_dmarc_labels("a.b.c"), 3);
	assert_int_equal(hy_dmarc_labels(""), 0);
}

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

static void
eval(struct walk *w, enum hy_dmarc_exists ex, struct hy_dmarc_eval *e)
{
	assert_int_equal(hy_dmarc_evaluate(w->s, w->n, false, NULL, ex, e), 0);
}

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
	/* The fewest-labels record is at co.jp, which claims nothing. */
	assert_string_equal(e.org_domain, "co.jp");
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/* co.jp-style public suffix: the suffix declares psd=y, the registrant
 * publishes at example.co.jp, a subdomain inherits sp. */
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

	/* A non-existent name takes np. */
	eval(&w, HY_DMARC_EXISTS_NO, &e);
	assert_int_equal(e.policy, HY_DMARC_P_REJECT);
	assert_int_equal(e.source, HY_DMARC_SRC_NP);
	hy_dmarc_eval_clear(&e);

	/* Unknown existence with sp != np cannot be decided. */
	eval(&w, HY_DMARC_EXISTS_UNKNOWN, &e);
	assert_int_equal(e.status, HY_DMARC_TEMPERROR);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

/* Without psd tags the record at the fewest labels is the
 * Organizational Domain (RFC 9989 §4.10.2 example). */
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

/* psd=n stops the walk: a failure above it does not matter. */
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

/* Only a PSD record: the PSD policy applies through sp/np, the
 * Organizational Domain is one label below it. */
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

static void
test_absent_and_failures(void **st)
{
	const char *none[MAXSTEPS] = { NULL };
	const char *fail0[MAXSTEPS] = { "FAIL" };
	const char *failmid[MAXSTEPS] = { NULL, "FAIL", NULL };
	const char *ownfail[MAXSTEPS] = { "v=DMARC1; p=reject", "FAIL" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "example.jp", none);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_ABSENT);
	assert_string_equal(e.org_domain, "example.jp");
	assert_null(e.policy_step);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "example.jp", fail0);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_TEMPERROR);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "a.example.jp", failmid);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_TEMPERROR);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	/* The domain's own record decides; only org_domain is unknown. */
	walk_build(&w, "example.jp", ownfail);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_int_equal(e.policy, HY_DMARC_P_REJECT);
	assert_string_equal(e.org_domain, "");
	assert_true(hy_findings_has(&e.findings, "org-domain-unknown"));
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

static void
test_multiple_and_invalid(void **st)
{
	const char *multi[MAXSTEPS] = { "MULTI", "v=DMARC1; p=reject" };
	const char *multiorg[MAXSTEPS] = { NULL, "MULTI", NULL };
	const char *bad[MAXSTEPS] = { "v=DMARC1; p=bogus; rua=mailto:a@x.jp" };
	struct walk w;
	struct hy_dmarc_eval e;

	(void)st;
	walk_build(&w, "example.jp", multi);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_true(hy_findings_has(&e.findings, "multiple-records"));
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "a.example.jp", multiorg);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	hy_dmarc_eval_clear(&e);
	walk_free(&w);

	walk_build(&w, "example.jp", bad);
	eval(&w, HY_DMARC_EXISTS_YES, &e);
	assert_int_equal(e.status, HY_DMARC_INVALID);
	assert_string_equal(e.policy_step->name, "example.jp");
	assert_true(hy_findings_has(&e.findings, "invalid-record"));
	hy_dmarc_eval_clear(&e);
	walk_free(&w);
}

static void
test_psl_mode(void **st)
{
	struct hy_dmarc_step s[2];
	struct hy_dmarc_eval e;
	const char *rec = "v=DMARC1; p=reject; sp=quarantine";

	(void)st;
	memset(s, 0, sizeof(s));
	snprintf(s[0].name, sizeof(s[0].name), "www.example.co.jp");
	snprintf(s[1].name, sizeof(s[1].name), "example.co.jp");
	s[0].lookup = HY_DMARC_L_NONE;
	s[1].lookup = HY_DMARC_L_ONE;
	s[1].parse = hy_dmarc_parse(rec, strlen(rec), &s[1].rec);
	assert_int_equal(hy_dmarc_evaluate(s, 2, true, "example.co.jp",
	    HY_DMARC_EXISTS_YES, &e), 0);
	assert_int_equal(e.status, HY_DMARC_VALID);
	assert_int_equal(e.policy, HY_DMARC_P_QUARANTINE);
	assert_string_equal(e.org_domain, "example.co.jp");
	hy_dmarc_eval_clear(&e);
	hy_dmarc_record_clear(&s[1].rec);
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
		cmocka_unit_test(test_absent_and_failures),
		cmocka_unit_test(test_multiple_and_invalid),
		cmocka_unit_test(test_psl_mode),
		cmocka_unit_test(test_name_under),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
