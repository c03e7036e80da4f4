/* Unit tests of the MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) parsers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sts.h"

static enum hy_sts_txt
txt(const char *s, struct hy_sts_record *r)
{
	return hy_sts_txt_parse(s, strlen(s), r);
}

static void
test_txt(void **st)
{
	struct hy_sts_record r;

	(void)st;
	assert_int_equal(txt("v=STSv1; id=20260101T000000", &r),
	    HY_STS_TXT_VALID);
	assert_string_equal(r.id, "20260101T000000");
	hy_sts_record_clear(&r);
	assert_int_equal(txt("v=STSv1; id=20260101", &r), HY_STS_TXT_VALID);
	assert_string_equal(r.id, "20260101");
	hy_sts_record_clear(&r);
	assert_int_equal(txt("v=STSv1;id=abc;ext=x.y; ", &r),
	    HY_STS_TXT_VALID);
	assert_string_equal(r.id, "abc");
	hy_sts_record_clear(&r);
	assert_int_equal(txt("v=STSv1", &r), HY_STS_TXT_INVALID);
	assert_true(hy_findings_has(&r.findings, "missing-id"));
	hy_sts_record_clear(&r);
	assert_int_equal(txt("v=STSv1; id=a-b", &r), HY_STS_TXT_INVALID);
	hy_sts_record_clear(&r);
	assert_int_equal(txt("v=STSv1; id=0123456789012345678901234567890123",
	    &r), HY_STS_TXT_INVALID);
	assert_true(hy_findings_has(&r.findings, "invalid-id"));
	hy_sts_record_clear(&r);
	assert_int_equal(txt("v=STSv1; id=1; id=2", &r), HY_STS_TXT_INVALID);
	hy_sts_record_clear(&r);
	assert_int_equal(txt("v=STSv1; id = 1", &r), HY_STS_TXT_INVALID);
	hy_sts_record_clear(&r);
	assert_int_equal(txt("v=spf1 -all", &r), HY_STS_TXT_NOT_STS);
	assert_int_equal(txt("v=stsv1; id=1", &r), HY_STS_TXT_NOT_STS);
	assert_int_equal(txt("v=STSv10; id=1", &r), HY_STS_TXT_NOT_STS);
	assert_int_equal(txt("", &r), HY_STS_TXT_NOT_STS);
}

static void
pol(const char *s, struct hy_sts_policy *p)
{
	assert_int_equal(hy_sts_policy_parse(s, strlen(s), p), 0);
}

static void
test_policy_ok(void **st)
{
	struct hy_sts_policy p;

	(void)st;
	pol("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.jp\r\n"
	    "mx: *.Example.JP\r\nmax_age: 604800\r\n", &p);
	assert_true(p.valid);
	assert_int_equal(p.mode, HY_STS_MODE_ENFORCE);
	assert_int_equal(p.max_age, 604800);
	assert_int_equal(p.nmx, 2);
	assert_string_equal(p.mx[1], "*.example.jp");
	assert_int_equal(p.findings.n, 0);
	hy_sts_policy_clear(&p);

	/* LF endings, no final newline, extension ignored, mode none. */
	pol("version: STSv1\nmode: none\nmax_age: 86400\nfoo_bar: 1", &p);
	assert_true(p.valid);
	assert_int_equal(p.mode, HY_STS_MODE_NONE);
	hy_sts_policy_clear(&p);

	pol("version: STSv1\nmode: testing\nmx: mx.example.jp\nmax_age: 60\n",
	    &p);
	assert_true(p.valid);
	assert_true(hy_findings_has(&p.findings, "max-age-short"));
	hy_sts_policy_clear(&p);
}

static void
expect_bad(const char *s, const char *code)
{
	struct hy_sts_policy p;

	pol(s, &p);
	assert_false(p.valid);
	if (!hy_findings_has(&p.findings, code))
		fail_msg("%s: no %s", s, code);
	hy_sts_policy_clear(&p);
}

static void
test_policy_bad(void **st)
{
	(void)st;
	expect_bad("version: STSv2\nmode: enforce\nmx: a.jp\nmax_age: 86400\n",
	    "invalid-version");
	expect_bad("version: STSv1\nmode: Enforce\nmx: a.jp\nmax_age: 86400\n",
	    "invalid-mode");
	expect_bad("version: STSv1\nmode: enforce\nmax_age: 86400\n",
	    "missing-field");
	expect_bad("version: STSv1\nmode: enforce\nmx: a.jp\n",
	    "missing-field");
	expect_bad("mode: enforce\nmx: a.jp\nmax_age: 86400\n",
	    "missing-field");
	expect_bad("version: STSv1\nmode: enforce\nmx: a.jp\n"
	    "max_age: 31557601\n", "invalid-max-age");
	expect_bad("version: STSv1\nmode: enforce\nmx: a.jp\n"
	    "max_age: 12345678901\n", "invalid-max-age");
	expect_bad("version: STSv1\nmode: enforce\nmx: a.jp\nmax_age: -1\n",
	    "invalid-max-age");
	expect_bad("version: STSv1\nmode: enforce\nmx: a..jp\n"
	    "max_age: 86400\n", "invalid-mx-pattern");
	expect_bad("version: STSv1\nmode: enforce\nmx: *.*.jp\n"
	    "max_age: 86400\n", "invalid-mx-pattern");
	expect_bad("<html>not found</html>\n", "syntax-error");
	expect_bad("", "missing-field");
}

static void
test_mx_match(void **st)
{
	(void)st;
	assert_true(hy_sts_mx_match("mx.example.jp", "MX.example.jp."));
	assert_true(hy_sts_mx_match("*.example.jp", "mx1.example.jp"));
	assert_false(hy_sts_mx_match("*.example.jp", "example.jp"));
	assert_false(hy_sts_mx_match("*.example.jp", "a.b.example.jp"));
	assert_false(hy_sts_mx_match("*.example.jp", ".example.jp"));
	assert_false(hy_sts_mx_match("mx.example.jp", "mx.example.jp.evil"));
	assert_false(hy_sts_mx_match("example.jp", "mx.example.jp"));
}

static enum hy_tlsrpt_parse
rpt(const char *s, struct hy_tlsrpt_record *r)
{
	return hy_tlsrpt_parse(s, strlen(s), r);
}

static void
test_tlsrpt(void **st)
{
	struct hy_tlsrpt_record r;

	(void)st;
	assert_int_equal(rpt("v=TLSRPTv1; rua=mailto:tls@example.jp, "
	    "https://r.example.net/v1", &r), HY_TLSRPT_VALID);
	assert_int_equal(r.nrua, 2);
	assert_string_equal(r.rua[1], "https://r.example.net/v1");
	assert_int_equal(r.findings.n, 0);
	hy_tlsrpt_record_clear(&r);
	assert_int_equal(rpt("v=TLSRPTv1;rua=ftp://x.jp;ext=1;", &r),
	    HY_TLSRPT_VALID);
	assert_true(hy_findings_has(&r.findings, "unsupported-uri"));
	hy_tlsrpt_record_clear(&r);
	assert_int_equal(rpt("v=TLSRPTv1", &r), HY_TLSRPT_INVALID);
	assert_true(hy_findings_has(&r.findings, "missing-rua"));
	hy_tlsrpt_record_clear(&r);
	assert_int_equal(rpt("v=TLSRPTv1; rua=", &r), HY_TLSRPT_INVALID);
	hy_tlsrpt_record_clear(&r);
	assert_int_equal(rpt("v=TLSRPTv1; rua=mailto:a@b.jp; rua=mailto:c@d.jp",
	    &r), HY_TLSRPT_INVALID);
	hy_tlsrpt_record_clear(&r);
	assert_int_equal(rpt("v=TLSRPTv1; rua=mailto:a@b.jp junk", &r),
	    HY_TLSRPT_INVALID);
	hy_tlsrpt_record_clear(&r);
	assert_int_equal(rpt("v=TLSRPTv2; rua=mailto:a@b.jp", &r),
	    HY_TLSRPT_NOT_TLSRPT);
	assert_int_equal(rpt("v=tlsrptv1; rua=mailto:a@b.jp", &r),
	    HY_TLSRPT_NOT_TLSRPT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt),
		cmocka_unit_test(test_policy_ok),
		cmocka_unit_test(test_policy_bad),
		cmocka_unit_test(test_mx_match),
		cmocka_unit_test(test_tlsrpt),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
