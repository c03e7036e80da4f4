/* The ISP list parser: accepted shapes, and an error with the JSON path
 * of the bad entry for every rule in include/hygiene/isps.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hygiene/isps.h"

static struct hy_isp_list *
parse_ok(const char *json)
{
	struct hy_isp_list *l = NULL;
	char err[512] = "";

	if (hy_isps_parse(json, strlen(json), &l, err, sizeof(err)) != 0)
		fail_msg("unexpected error: %s", err);
	return l;
}

/* Parse must fail with an error that contains want. */
static void
parse_err(const char *json, const char *want)
{
	struct hy_isp_list *l = NULL;
	char err[512] = "";

	assert_int_equal(hy_isps_parse(json, strlen(json), &l, err,
	    sizeof(err)), -1);
	assert_null(l);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

static void
test_valid(void **state)
{
	struct hy_isp_list *l;
	const struct hy_isp *isp;

	(void)state;
	l = parse_ok("{\"isps\": ["
	    "{\"id\": \"iij\", \"name\": \"IIJ\", \"name_ja\": \"\xe3\x82\xa4\","
	    " \"asns\": [2497, \"AS4713\"], \"domains\": [\"IIJ.ad.jp.\","
	    " \"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.jp\"]},"
	    "{\"id\": \"kddi\", \"name\": \"KDDI\", \"name_ja\": \"KDDI\","
	    " \"asns\": [\"as2516\"], \"domains\": [], \"note\": \"x\"}]}");
	assert_int_equal(l->n, 2);
	assert_string_equal(l->v[0].id, "iij");
	assert_int_equal(l->v[0].nasns, 2);
	assert_int_equal(l->v[0].asns[1], 4713);
	assert_int_equal(l->v[0].ndomains, 2);
	assert_string_equal(l->v[0].domains[0], "iij.ad.jp");
	assert_string_equal(l->v[0].domains[1], "xn--wgv71a119e.jp");
	assert_int_equal(l->nwarnings, 0);
	isp = hy_isps_by_asn(l, 2516);
	assert_non_null(isp);
	assert_string_equal(isp->id, "kddi");
	assert_ptr_equal(hy_isps_by_asn(l, 4713), &l->v[0]);
	assert_null(hy_isps_by_asn(l, 1));
	assert_ptr_equal(hy_isps_by_id(l, "kddi"), &l->v[1]);
	assert_null(hy_isps_by_id(l, "nope"));
	hy_isps_free(l);
}

static void
test_reserved_asn_warns(void **state)
{
	struct hy_isp_list *l;

	(void)state;
	l = parse_ok("{\"isps\": [{\"id\": \"t\", \"name\": \"T\","
	    " \"name_ja\": \"T\", \"asns\": [64500, 65001, 4200000001, 23456],"
	    " \"domains\": []}]}");
	assert_int_equal(l->nwarnings, 4);
	assert_non_null(strstr(l->warnings[0], "isps[0].asns[0]"));
	assert_non_null(strstr(l->warnings[0], "RFC 5398"));
	assert_non_null(strstr(l->warnings[1], "RFC 6996"));
	assert_non_null(strstr(l->warnings[3], "AS_TRANS"));
	hy_isps_free(l);
	assert_null(hy_asn_reserved(2497));
	assert_null(hy_asn_reserved(131072));
	assert_non_null(hy_asn_reserved(4294967295u));
}

#define E(asns, doms) "{\"isps\": [{\"id\": \"a\", \"name\": \"A\"," \
	" \"name_ja\": \"A\", \"asns\": " asns ", \"domains\": " doms "}]}"

static void
test_errors(void **state)
{
	(void)state;
	parse_err("", "line 1");
	parse_err("[]", "top level");
	parse_err("{\"isp\": []}", "unexpected key \"isp\"");
	parse_err("{\"isps\": {}}", "isps: missing, or not an array");
	parse_err("{\"isps\": [1]}", "isps[0]: must be an object");
	parse_err(E("[0]", "[]"), "isps[0].asns[0]: AS0 is outside");
	parse_err(E("[4294967296]", "[]"), "isps[0].asns[0]: AS4294967296");
	parse_err(E("[-5]", "[]"), "isps[0].asns[0]: ASN -5 is negative");
	parse_err(E("[\"AS12x\"]", "[]"), "isps[0].asns[0]: \"AS12x\"");
	parse_err(E("[\"AS\"]", "[]"), "isps[0].asns[0]");
	parse_err(E("[1.5]", "[]"), "isps[0].asns[0]: must be a number");
	parse_err(E("[]", "[]"), "isps[0].asns: must be a non-empty array");
	parse_err(E("[1, 2, 1]", "[]"), "isps[0].asns[2]: AS1 is listed twice");
	parse_err(E("[1]", "[\"a..jp\"]"), "isps[0].domains[0]: \"a..jp\"");
	parse_err(E("[1]", "[\"a b.jp\"]"), "isps[0].domains[0]");
	parse_err(E("[1]", "[3]"), "isps[0].domains[0]: must be a string");
	parse_err(E("[1]", "[\"x.jp\", \"X.JP.\"]"),
	    "isps[0].domains[1]: \"X.JP.\" (x.jp) is also listed at "
	    "isps[0].domains[0]");
	/* A U-label and its A-label are one domain. */
	parse_err(E("[1]", "[\"xn--wgv71a119e.jp\", \"\xe6\x97\xa5"
	    "\xe6\x9c\xac\xe8\xaa\x9e.jp\"]"), "isps[0].domains[1]: "
	    "\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.jp\" "
	    "(xn--wgv71a119e.jp) is also listed at isps[0].domains[0]");
	parse_err(E("[1]", "\"x.jp\""), "isps[0].domains: must be an array");
	parse_err("{\"isps\": [{\"id\": \"a\", \"name\": \"A\", \"asns\": [1],"
	    " \"domains\": []}]}", "isps[0]: missing \"name_ja\"");
	parse_err("{\"isps\": [{\"id\": \"A B\", \"name\": \"A\","
	    " \"name_ja\": \"A\", \"asns\": [1], \"domains\": []}]}",
	    "isps[0].id: \"A B\"");
	parse_err("{\"isps\": [{\"id\": \"a\", \"name\": \"\","
	    " \"name_ja\": \"A\", \"asns\": [1], \"domains\": []}]}",
	    "isps[0].name: must be a non-empty string");
	parse_err("{\"isps\": [{\"id\": \"a\", \"name\": \"A\", \"asn\": 1,"
	    " \"name_ja\": \"A\", \"asns\": [1], \"domains\": []}]}",
	    "isps[0]: unknown key \"asn\"");
	parse_err("{\"isps\": [{\"id\": \"a\", \"id\": \"b\"}]}", "duplicate");
}

static void
test_cross_entry(void **state)
{
	(void)state;
	parse_err("{\"isps\": ["
	    "{\"id\": \"a\", \"name\": \"A\", \"name_ja\": \"A\", \"asns\": [1],"
	    " \"domains\": []},"
	    "{\"id\": \"a\", \"name\": \"B\", \"name_ja\": \"B\", \"asns\": [2],"
	    " \"domains\": []}]}", "isps[1].id: duplicate id \"a\" (also isps[0])");
	parse_err("{\"isps\": ["
	    "{\"id\": \"a\", \"name\": \"A\", \"name_ja\": \"A\", \"asns\": [7],"
	    " \"domains\": []},"
	    "{\"id\": \"b\", \"name\": \"B\", \"name_ja\": \"B\", \"asns\": [7],"
	    " \"domains\": []}]}",
	    "isps[1].asns[0]: AS7 is also listed for \"a\" (isps[0])");
	parse_err("{\"isps\": ["
	    "{\"id\": \"a\", \"name\": \"A\", \"name_ja\": \"A\", \"asns\": [1],"
	    " \"domains\": [\"a.jp\", \"b.jp\"]},"
	    "{\"id\": \"b\", \"name\": \"B\", \"name_ja\": \"B\", \"asns\": [2],"
	    " \"domains\": [\"B.jp\"]}]}",
	    "isps[1].domains[0]: \"B.jp\" (b.jp) is also listed at "
	    "isps[0].domains[1]");
}

struct problems {
	char	 msg[8][256];
	size_t	 n;
};

static void
collect(void *arg, const char *msg)
{
	struct problems *p = arg;

	if (p->n < 8)
		snprintf(p->msg[p->n], sizeof(p->msg[0]), "%s", msg);
	p->n++;
}

/* datasets check names every repeat in one run, not only the first:
 * an ASN twice in one entry and under two ISPs, a domain twice by case
 * and trailing dot, as U-label and A-label, and across ISPs. */
static void
test_all_problems(void **state)
{
	static const char json[] = "{\"isps\": ["
	    "{\"id\": \"a\", \"name\": \"A\", \"name_ja\": \"A\","
	    " \"asns\": [7, 8, \"AS7\"], \"domains\": [\"x.jp\", \"X.JP.\","
	    " \"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.jp\"]},"
	    "{\"id\": \"b\", \"name\": \"B\", \"name_ja\": \"B\","
	    " \"asns\": [9, 8], \"domains\": [\"xn--wgv71a119e.jp\","
	    " \"y.jp\", \"x.jp\"]}]}";
	struct problems p = { .n = 0 };
	struct hy_isp_list *l = NULL;
	char err[512] = "";

	(void)state;
	assert_int_equal(hy_isps_parse_all(json, strlen(json), &l, collect,
	    &p, err, sizeof(err)), -1);
	assert_null(l);
	assert_int_equal(p.n, 5);
	assert_string_equal(p.msg[0], "isps[0].asns[2]: AS7 is listed twice "
	    "(also asns[0])");
	assert_string_equal(p.msg[1], "isps[1].asns[1]: AS8 is also listed "
	    "for \"a\" (isps[0]); an ASN belongs to one ISP");
	assert_string_equal(p.msg[2], "isps[0].domains[1]: \"X.JP.\" (x.jp) "
	    "is also listed at isps[0].domains[0]");
	assert_string_equal(p.msg[3], "isps[1].domains[0]: "
	    "\"xn--wgv71a119e.jp\" is also listed at isps[0].domains[2]");
	assert_string_equal(p.msg[4], "isps[1].domains[2]: \"x.jp\" is also "
	    "listed at isps[0].domains[0]");
	/* err holds the first, as hy_isps_parse() gives it. */
	assert_string_equal(err, p.msg[0]);
	/* A valid list reports nothing. */
	p.n = 0;
	assert_int_equal(hy_isps_parse_all("{\"isps\": []}", 12, &l, collect,
	    &p, err, sizeof(err)), 0);
	assert_int_equal(p.n, 0);
	hy_isps_free(l);
}

static void
test_load(void **state)
{
	struct hy_isp_list *l = NULL;
	char err[512];

	(void)state;
	assert_int_equal(hy_isps_load("/nonexistent/isps.json", &l, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/isps.json"));
	assert_int_equal(hy_isps_load(HY_TEST_ISPS, &l, err, sizeof(err)), 0);
	assert_int_equal(l->n, 2);
	assert_string_equal(l->v[1].name_ja, "KDDI\xe6\xa0\xaa\xe5\xbc\x8f"
	    "\xe4\xbc\x9a\xe7\xa4\xbe");
	assert_int_equal(l->nwarnings, 0);
	assert_string_equal(hy_isps_by_asn(l, 2497)->id, "iij");
	hy_isps_free(l);
	hy_isps_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_reserved_asn_warns),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_cross_entry),
		cmocka_unit_test(test_all_problems),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
