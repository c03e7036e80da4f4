/*
 * SPF unit tests: the record parser (valid and invalid terms), macro
 * expansion (the RFC 7208 §7.4 examples), and the analysis mode of the
 * evaluator driven from a small in-memory zone through hy_spf_step().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "hygiene/spf.h"

/* ---- Parser ---------------------------------------------------------- */

static int
parse(const char *rec)
{
	struct hy_spf_record *r = NULL;
	struct hy_spf_perr e;
	int rc = hy_spf_parse(rec, strlen(rec), &r, &e);

	hy_spf_record_free(r);
	return rc;
}

static void
test_parse_valid(void **state)
{
	static const char *ok[] = {
		"v=spf1",
		"v=spf1 ",
		"V=SPF1 -ALL",
		"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all",
		"v=spf1 a mx a:mail.example.com/28//64 mx//0 ~all",
		"v=spf1 include:_spf.example.net ?all",
		"v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all",
		"v=spf1 redirect=_spf.example.com",
		"v=spf1 -all exp=explain._spf.%{d}",
		"v=spf1 ptr ptr:example.com -all",
		"v=spf1 foo=bar -all",
		"v=spf1 a:example.com. -all",
		"v=spf1 a:%{d} -all",
		"v=spf1   -all   ",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (parse(ok[i]) != 0)
			fail_msg("rejected: %s", ok[i]);
	}
}

static void
test_parse_invalid(void **state)
{
	static const char *bad[] = {
		"v=spf10 -all",			/* not a record */
		"v=spf1 -al",			/* unknown mechanism */
		"v=spf1 all:x",
		"v=spf1 ip4:192.0.2.0/33",
		"v=spf1 ip4:192.0.2.01",
		"v=spf1 ip4:2001:db8::1",
		"v=spf1 ip6:2001:db8::/129",
		"v=spf1 a/024",			/* leading zero */
		"v=spf1 a:example.123 -all",	/* numeric top label */
		"v=spf1 include -all",		/* include needs a domain */
		"v=spf1 exists -all",
		"v=spf1 redirect=a.example redirect=b.example",
		"v=spf1 exp=a.example exp=b.example",
		"v=spf1 -redirect=a.example",	/* qualified modifier */
		"v=spf1 a:%{x}.example.com",	/* unknown macro letter */
		"v=spf1 a:%{d0}.example.com",	/* zero digit transformer */
		"v=spf1 a:%{c}.example.com",	/* c only in exp text */
		"v=spf1 a:foo%.example.com",	/* bare percent */
		"v=spf1 a:%{d",			/* unterminated */
		"v=spf1 ip4:192.0.2.1\t-all",	/* tab is not a separator */
		"v=spf1 -all \xc3\xa9",		/* non-ASCII */
		"v=spf1 =foo",
		"v=spf1 foo=%",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i]) != -1)
			fail_msg("accepted: %s", bad[i]);
	}
}

static void
test_parse_terms(void **state)
{
	struct hy_spf_record *r = NULL;
	struct hy_spf_perr e;
	const char *rec = "v=spf1 -a:mail.example.com/24//64 ~ip6:2001:db8::/48 "
	    "redirect=x.example";

	(void)state;
	assert_int_equal(hy_spf_parse(rec, strlen(rec), &r, &e), 0);
	assert_int_equal(r->nterms, 3);
	assert_int_equal(r->terms[0].mech, HY_SPF_A);
	assert_int_equal(r->terms[0].qualifier, '-');
	assert_string_equal(r->terms[0].spec, "mail.example.com");
	assert_int_equal(r->terms[0].cidr4, 24);
	assert_int_equal(r->terms[0].cidr6, 64);
	assert_int_equal(r->terms[1].mech, HY_SPF_IP6);
	assert_int_equal(r->terms[1].cidr6, 48);
	assert_int_equal(r->redirect, 2);
	assert_string_equal(r->terms[2].spec, "x.example");
	assert_false(r->has_all);
	hy_spf_record_free(r);
}

/* ---- Macros (RFC 7208 §7.4) ------------------------------------------ */

static void
expect_macro(const struct hy_spf_macro_ctx *x, const char *in, bool exp,
    const char *want)
{
	char *out = NULL;

	if (hy_spf_macro_expand(x, in, exp, &out) != 0)
		fail_msg("cannot expand %s", in);
	if (strcmp(out, want) != 0)
		fail_msg("%s: got %s, want %s", in, out, want);
	free(out);
}

static void
test_macro_rfc_examples(void **state)
{
	struct hy_spf_ip ip4, ip6;
	struct hy_spf_macro_ctx x = {
		.sender = "strong-bad@email.example.com",
		.local = "strong-bad",
		.sender_domain = "email.example.com",
		.domain = "email.example.com",
		.helo = "mx.example.org",
	};
	char *out;

	(void)state;
	assert_int_equal(hy_spf_ip_parse("192.0.2.3", &ip4), 0);
	assert_int_equal(hy_spf_ip_parse("2001:db8::cb01", &ip6), 0);
	x.ip = &ip4;
	expect_macro(&x, "%{s}", false, "strong-bad@email.example.com");
	expect_macro(&x, "%{o}", false, "email.example.com");
	expect_macro(&x, "%{d}", false, "email.example.com");
	expect_macro(&x, "%{d4}", false, "email.example.com");
	expect_macro(&x, "%{d3}", false, "email.example.com");
	expect_macro(&x, "%{d2}", false, "example.com");
	expect_macro(&x, "%{d1}", false, "com");
	expect_macro(&x, "%{dr}", false, "com.example.email");
	expect_macro(&x, "%{d2r}", false, "example.email");
	expect_macro(&x, "%{l}", false, "strong-bad");
	expect_macro(&x, "%{l-}", false, "strong.bad");
	expect_macro(&x, "%{lr}", false, "strong-bad");
	expect_macro(&x, "%{lr-}", false, "bad.strong");
	expect_macro(&x, "%{l1r-}", false, "strong");
	expect_macro(&x, "%{ir}.%{v}._spf.%{d2}", false,
	    "3.2.0.192.in-addr._spf.example.com");
	expect_macro(&x, "%{lr-}.lp._spf.%{d2}", false,
	    "bad.strong.lp._spf.example.com");
	expect_macro(&x, "%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", false,
	    "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
	expect_macro(&x, "%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", false,
	    "3.2.0.192.in-addr.strong.lp._spf.example.com");
	expect_macro(&x, "%{d2}.trusted-domains.example.net", false,
	    "example.com.trusted-domains.example.net");
	expect_macro(&x, "%%%_%-", true, "% %20");
	expect_macro(&x, "%{L}", true, "strong-bad");
	expect_macro(&x, "%{S}", true, "strong-bad%40email.example.com");
	expect_macro(&x, "%{c} via %{h}", true, "192.0.2.3 via mx.example.org");
	x.ip = &ip6;
	expect_macro(&x, "%{ir}.%{v}._spf.%{d2}", false,
	    "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2."
	    "ip6._spf.example.com");
	expect_macro(&x, "%{c}", true, "2001:db8::cb01");
	/* c, r, t are only for explanations (§7.2). */
	out = NULL;
	assert_int_equal(hy_spf_macro_expand(&x, "%{c}", false, &out), -1);
	assert_null(out);
}

static void
test_macro_truncation(void **state)
{
	/* §4.8: longer than 253 octets: labels are dropped from the left. */
	char longl[64], dom[400], *out = NULL;
	struct hy_spf_macro_ctx x = { 0 };

	(void)state;
	memset(longl, 'a', 60);
	longl[60] = '\0';
	snprintf(dom, sizeof(dom), "%s.%s.%s.%s.%s.example", longl, longl,
	    longl, longl, longl);
	x.domain = dom;
	assert_int_equal(hy_spf_macro_expand(&x, "%{d}", false, &out), 0);
	assert_true(strlen(out) <= 253);
	assert_int_equal(strlen(out), 4 * 61 + 7);
	free(out);
}

/* ---- Evaluator over an in-memory zone -------------------------------- */

struct zrec {
	const char	*name;
	int		 type;
	const char	*data;	/* TXT text, name, or address text */
};

static const struct zrec zone[] = {
	{ "redir.example", HY_SPF_T_TXT, "v=spf1 redirect=pol.example" },
	{ "pol.example", HY_SPF_T_TXT, "v=spf1 ip4:192.0.2.0/24 ptr ~all" },
	{ "noall.example", HY_SPF_T_TXT, "v=spf1 a mx" },
	{ "noall.example", HY_SPF_T_A, "192.0.2.10" },
	{ "many.example", HY_SPF_T_TXT, "v=spf1 include:i1.example "
	    "include:i2.example include:i3.example include:i4.example "
	    "include:i5.example include:i6.example -all" },
	{ "i1.example", HY_SPF_T_TXT, "v=spf1 a a a" },
	{ "i2.example", HY_SPF_T_TXT, "v=spf1 a a a" },
	{ "i3.example", HY_SPF_T_TXT, "v=spf1 a" },
	{ "i4.example", HY_SPF_T_TXT, "v=spf1 a" },
	{ "i5.example", HY_SPF_T_TXT, "v=spf1 +all" },
	{ "i6.example", HY_SPF_T_TXT, "v=spf1 a" },
	{ "i1.example", HY_SPF_T_A, "192.0.2.1" },
	{ "i2.example", HY_SPF_T_A, "192.0.2.2" },
	{ "i3.example", HY_SPF_T_A, "192.0.2.3" },
	{ "i4.example", HY_SPF_T_A, "192.0.2.4" },
	{ "i6.example", HY_SPF_T_A, "192.0.2.6" },
	{ "tmp.example", HY_SPF_T_TXT, "v=spf1 include:down.example -all" },
	{ "down.example", 0, NULL },	/* temporary failure */
	{ "other.example", HY_SPF_T_TXT, "google-site-verification=x" },
};

static bool
zone_has_name(const char *name)
{
	for (size_t i = 0; i < sizeof(zone) / sizeof(zone[0]); i++)
		if (strcmp(zone[i].name, name) == 0)
			return true;
	return false;
}

static void
zone_answer(struct hy_spf_eval *ev)
{
	struct hy_spf_rr rrs[8];
	const char *name;
	int type;
	size_t n = 0;

	hy_spf_query(ev, &name, &type);
	for (size_t i = 0; i < sizeof(zone) / sizeof(zone[0]); i++) {
		if (strcmp(zone[i].name, name) != 0)
			continue;
		if (zone[i].type == 0) {
			assert_int_equal(hy_spf_answer(ev, HY_SPF_DNS_TEMPFAIL,
			    NULL, 0), 0);
			return;
		}
		if (zone[i].type != type)
			continue;
		memset(&rrs[n], 0, sizeof(rrs[n]));
		if (type == HY_SPF_T_A)
			inet_pton(AF_INET, zone[i].data, rrs[n].addr);
		rrs[n].data = zone[i].data;
		rrs[n].len = strlen(zone[i].data);
		n++;
	}
	assert_int_equal(hy_spf_answer(ev, n ? HY_SPF_DNS_ANSWER :
	    zone_has_name(name) ? HY_SPF_DNS_NODATA : HY_SPF_DNS_NXDOMAIN,
	    rrs, n), 0);
}

static struct hy_spf_eval *
run(enum hy_spf_mode mode, const char *domain, const char *ip)
{
	struct hy_spf_params p = { 0 };
	struct hy_spf_eval *ev;
	enum hy_spf_step s;

	p.mode = mode;
	p.domain = domain;
	p.sender = "";
	p.helo = domain;
	if (ip != NULL)
		assert_int_equal(hy_spf_ip_parse(ip, &p.ip), 0);
	assert_non_null(ev = hy_spf_eval_new(&p));
	while ((s = hy_spf_step(ev)) == HY_SPF_STEP_DNS)
		zone_answer(ev);
	assert_int_equal(s, HY_SPF_STEP_DONE);
	return ev;
}

static void
test_analyze_redirect(void **state)
{
	struct hy_spf_eval *ev = run(HY_SPF_ANALYZE, "redir.example", NULL);
	const struct hy_spf_node *t = hy_spf_eval_tree(ev);

	(void)state;
	assert_int_equal(hy_spf_eval_result(ev), HY_SPF_SOFTFAIL);
	assert_string_equal(hy_spf_eval_all(ev), "~all");
	assert_int_equal(hy_spf_eval_lookups(ev), 2);	/* redirect, ptr */
	assert_int_equal(t->nkids, 1);
	assert_string_equal(t->kids[0]->via, "redirect");
	assert_string_equal(t->kids[0]->domain, "pol.example");
	assert_true(hy_findings_has(hy_spf_eval_findings(ev), "ptr-mechanism"));
	assert_false(hy_findings_has(hy_spf_eval_findings(ev), "no-all"));
	hy_spf_eval_free(ev);
}

static void
test_analyze_noall(void **state)
{
	struct hy_spf_eval *ev = run(HY_SPF_ANALYZE, "noall.example", NULL);

	(void)state;
	assert_int_equal(hy_spf_eval_result(ev), HY_SPF_NEUTRAL);
	assert_null(hy_spf_eval_all(ev));
	assert_true(hy_findings_has(hy_spf_eval_findings(ev), "no-all"));
	/* mx at a name without MX is a void lookup; a has an address. */
	assert_int_equal(hy_spf_eval_void(ev), 1);
	hy_spf_eval_free(ev);
}

static void
test_analyze_counts_past_limit(void **state)
{
	struct hy_spf_eval *ev = run(HY_SPF_ANALYZE, "many.example", NULL);
	const struct hy_spf_node *t = hy_spf_eval_tree(ev);

	(void)state;
	/* 6 includes + 3 + 3 + 1 + 1 + 1 a-terms = 15, all counted. */
	assert_int_equal(hy_spf_eval_lookups(ev), 15);
	assert_int_equal(hy_spf_eval_result(ev), HY_SPF_PERMERROR);
	assert_true(hy_findings_has(hy_spf_eval_findings(ev),
	    "too-many-lookups"));
	/* +all inside an include authorizes everyone too. */
	assert_true(hy_findings_has(hy_spf_eval_findings(ev), "plus-all"));
	assert_string_equal(hy_spf_eval_all(ev), "-all");
	assert_int_equal(t->nkids, 6);
	hy_spf_eval_free(ev);
}

static void
test_evaluate_stops_at_limit(void **state)
{
	struct hy_spf_eval *ev = run(HY_SPF_EVALUATE, "many.example",
	    "198.51.100.1");

	(void)state;
	assert_int_equal(hy_spf_eval_result(ev), HY_SPF_PERMERROR);
	assert_int_equal(hy_spf_eval_lookups(ev), 11);
	hy_spf_eval_free(ev);
	/* i1's a matches before the limit is reached. */
	ev = run(HY_SPF_EVALUATE, "many.example", "192.0.2.1");
	assert_int_equal(hy_spf_eval_result(ev), HY_SPF_PASS);
	hy_spf_eval_free(ev);
}

static void
test_temperror_apart_from_none(void **state)
{
	struct hy_spf_eval *ev = run(HY_SPF_ANALYZE, "tmp.example", NULL);

	(void)state;
	assert_int_equal(hy_spf_eval_result(ev), HY_SPF_TEMPERROR);
	assert_string_equal(hy_spf_status_str(hy_spf_eval_result(ev)),
	    "temperror");
	hy_spf_eval_free(ev);
	ev = run(HY_SPF_ANALYZE, "other.example", NULL);
	assert_int_equal(hy_spf_eval_result(ev), HY_SPF_NONE);
	hy_spf_eval_free(ev);
	ev = run(HY_SPF_ANALYZE, "absent.example", NULL);
	assert_int_equal(hy_spf_eval_result(ev), HY_SPF_NONE);
	hy_spf_eval_free(ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_parse_terms),
		cmocka_unit_test(test_macro_rfc_examples),
		cmocka_unit_test(test_macro_truncation),
		cmocka_unit_test(test_analyze_redirect),
		cmocka_unit_test(test_analyze_noall),
		cmocka_unit_test(test_analyze_counts_past_limit),
		cmocka_unit_test(test_evaluate_stops_at_limit),
		cmocka_unit_test(test_temperror_apart_from_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
