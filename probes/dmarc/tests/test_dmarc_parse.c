/* Unit tests of the DMARC record parser (RFC 9989 §4.7, §4.8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc.h"

static enum hy_dmarc_parse
parse(const char *s, struct hy_dmarc_record *r)
{
	return hy_dmarc_parse(s, strlen(s), r);
}

static void
test_minimal(void **st)
{
	struct hy_dmarc_record r;

	(void)st;
	assert_int_equal(parse("v=DMARC1; p=reject", &r), HY_DMARC_PARSE_VALID);
	assert_int_equal(r.p, HY_DMARC_P_REJECT);
	assert_int_equal(r.sp, HY_DMARC_P_UNSET);
	assert_int_equal(r.psd, HY_DMARC_PSD_U);
	assert_int_equal(r.adkim, 'r');
	assert_false(r.testing);
	assert_int_equal(r.findings.n, 0);
	hy_dmarc_record_clear(&r);
}

static void
test_full(void **st)
{
	struct hy_dmarc_record r;

	(void)st;
	assert_int_equal(parse("v = DMARC1 ;p=quarantine; sp=none; np=reject;"
	    "psd=n; t=y; adkim=s; aspf=s; fo=1:d:s; "
	    "rua=mailto:a@example.jp, mailto:b@Reports.Example.NET.;"
	    "ruf=mailto:f@example.jp;", &r), HY_DMARC_PARSE_VALID);
	assert_int_equal(r.p, HY_DMARC_P_QUARANTINE);
	assert_int_equal(r.sp, HY_DMARC_P_NONE);
	assert_int_equal(r.np, HY_DMARC_P_REJECT);
	assert_int_equal(r.psd, HY_DMARC_PSD_N);
	assert_true(r.testing);
	assert_int_equal(r.adkim, 's');
	assert_int_equal(r.aspf, 's');
	assert_int_equal(r.nrua, 2);
	assert_string_equal(r.rua[0].uri, "mailto:a@example.jp");
	assert_string_equal(r.rua[0].domain, "example.jp");
	assert_string_equal(r.rua[1].domain, "reports.example.net");
	assert_int_equal(r.nruf, 1);
	assert_int_equal(r.findings.n, 0);
	hy_dmarc_record_clear(&r);
}

static void
test_not_dmarc(void **st)
{
	struct hy_dmarc_record r;
	const char *bad[] = {
		"", "v=spf1 -all", "p=reject; v=DMARC1", "v=dmarc1; p=none",
		"v=DMARC10; p=none", "v=DMARC1p=none", " ; v=DMARC1",
	};

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &r), HY_DMARC_PARSE_NOT_DMARC);
	/* Bare version is a DMARC record (treated as p=none). */
	assert_int_equal(parse("v=DMARC1", &r), HY_DMARC_PARSE_VALID);
	assert_true(hy_findings_has(&r.findings, "missing-policy"));
	hy_dmarc_record_clear(&r);
}

static void
expect_invalid(const char *txt, const char *code)
{
	struct hy_dmarc_record r;

	assert_int_equal(parse(txt, &r), HY_DMARC_PARSE_INVALID);
	if (!hy_findings_has(&r.findings, code))
		fail_msg("%s: no finding %s", txt, code);
	hy_dmarc_record_clear(&r);
}

static void
test_invalid(void **st)
{
	(void)st;
	expect_invalid("v=DMARC1; p=rejectt", "invalid-policy");
	expect_invalid("v=DMARC1; p=reject; sp=block", "invalid-policy");
	expect_invalid("v=DMARC1; p=none; np=", "syntax-error");
	expect_invalid("v=DMARC1; p=none; adkim=x", "syntax-error");
	expect_invalid("v=DMARC1; p=none; psd=yes", "syntax-error");
	expect_invalid("v=DMARC1; p=none; t=1", "syntax-error");
	expect_invalid("v=DMARC1; p=none; fo=2", "syntax-error");
	expect_invalid("v=DMARC1; p=none; rua=a@example.jp", "invalid-uri");
	expect_invalid("v=DMARC1; p=none; rua=mailto:nobody", "invalid-uri");
	expect_invalid("v=DMARC1; p=none; p=reject", "duplicate-tag");
	expect_invalid("v=DMARC1; p=none; =x", "syntax-error");
	expect_invalid("v=DMARC1; p=none; v=DMARC1", "syntax-error");
	expect_invalid("v=DMARC1; p=none; x-y=1", "syntax-error");
}

static void
test_removed_and_unknown(void **st)
{
	struct hy_dmarc_record r;

	(void)st;
	assert_int_equal(parse("v=DMARC1; p=reject; pct=50; rf=afrf; "
	    "ri=86400; foo=bar", &r), HY_DMARC_PARSE_VALID);
	assert_true(r.has_pct);
	assert_int_equal(r.pct, 50);
	assert_int_equal(r.findings.n, 4);
	assert_true(hy_findings_has(&r.findings, "removed-tag"));
	assert_true(hy_findings_has(&r.findings, "unknown-tag"));
	hy_dmarc_record_clear(&r);

	assert_int_equal(parse("v=DMARC1; p=none; pct=abc", &r),
	    HY_DMARC_PARSE_VALID);
	assert_false(r.has_pct);
	hy_dmarc_record_clear(&r);
}

static void
test_uris(void **st)
{
	struct hy_dmarc_record r;

	(void)st;
	assert_int_equal(parse("v=DMARC1; p=none; rua=mailto:x@example.jp!10m,"
	    "https://user@Collector.example.com:8443/r", &r),
	    HY_DMARC_PARSE_VALID);
	assert_int_equal(r.nrua, 2);
	assert_string_equal(r.rua[0].domain, "example.jp");
	assert_string_equal(r.rua[1].domain, "collector.example.com");
	assert_true(hy_findings_has(&r.findings, "uri-size-limit"));
	hy_dmarc_record_clear(&r);
}

static void
test_binary(void **st)
{
	struct hy_dmarc_record r;
	const char txt[] = "v=DMARC1; p=none; rua=mailto:a@b\0c";

	(void)st;
	assert_int_equal(hy_dmarc_parse(txt, sizeof(txt) - 1, &r),
	    HY_DMARC_PARSE_INVALID);
	hy_dmarc_record_clear(&r);
	hy_dmarc_record_clear(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_not_dmarc),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_removed_and_unknown),
		cmocka_unit_test(test_uris),
		cmocka_unit_test(test_binary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
