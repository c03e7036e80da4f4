/*
 * Unit tests of the DMARC record parser. Each test names the section of
 * RFC 9989 (or of RFC 6376, whose tag-list syntax RFC 9989 §4.7 adopts)
 * that its decision rests on.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dmarc.h"

static enum hy_dmarc_parse
parse(const char *s, struct hy_dmarc_record *r)
{
	return hy_dmarc_parse(s, strlen(s), r);
}

/* The message of the first finding with this code, or NULL. */
static const char *
message(const struct hy_dmarc_record *r, const char *code)
{
	for (size_t i = 0; i < r->findings.n; i++)
		if (strcmp(r->findings.v[i].code, code) == 0)
			return r->findings.v[i].message;
	return NULL;
}

/* RFC 9989 §4.7: defaults of the optional tags. */
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
	assert_true(r.syntax_ok);
	assert_int_equal(r.findings.n, 0);
	hy_dmarc_record_clear(&r);
}

/* RFC 9989 §4.7 every tag, §4.8 WSP around "=" and ";", trailing ";". */
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

/*
 * RFC 9989 §4.7 v tag: "MUST be the first tag", value "DMARC1" exactly
 * (§4.8 %s, case-sensitive), else "the entire record MUST be ignored";
 * the tag name itself is case-sensitive (RFC 6376 §3.2).
 */
static void
test_version(void **st)
{
	struct hy_dmarc_record r;
	const char *bad[] = {
		"", "v=spf1 -all", "p=reject; v=DMARC1", "v=dmarc1; p=none",
		"v=DMARC10; p=none", "v=DMARC1p=none", " ; v=DMARC1",
		"V=DMARC1; p=reject", "v=DMARC1 p=reject", "v=DMARC1, p=none",
		"v=DMARC 1; p=none",
	};

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse(bad[i], &r), HY_DMARC_PARSE_NOT_DMARC);
	/* A bare version is a DMARC record (treated as p=none, §4.7). */
	assert_int_equal(parse("v=DMARC1", &r), HY_DMARC_PARSE_VALID);
	assert_true(hy_findings_has(&r.findings, "missing-policy"));
	hy_dmarc_record_clear(&r);
	assert_int_equal(parse(" \tv=DMARC1 ; p=none ; ", &r),
	    HY_DMARC_PARSE_VALID);
	hy_dmarc_record_clear(&r);
}

static void
expect_why(const char *txt, const char *part)
{
	const char *why = hy_dmarc_why_not(txt, strlen(txt));

	if (part == NULL) {
		if (why != NULL)
			fail_msg("%s: unexpected reason %s", txt, why);
		return;
	}
	if (why == NULL || strstr(why, part) == NULL)
		fail_msg("%s: reason %s, want one with \"%s\"", txt,
		    why ? why : "(none)", part);
}

/* RFC 9989 §4.7, §4.10 step 2: why a TXT string that looks like DMARC is
 * discarded; unrelated TXT has no reason (it is not an attempt). */
static void
test_why_not(void **st)
{
	(void)st;
	expect_why("p=reject; v=DMARC1", "MUST come first");
	expect_why("p=reject; V=DMARC1", "MUST come first");
	expect_why("V=DMARC1; p=reject", "\"V\"");
	expect_why("v=dmarc1; p=reject", "case-sensitive");
	expect_why("v = DMARC 1", "exactly \"DMARC1\"");
	expect_why("v=DMARC1 p=reject", "not followed by \";\"");
	expect_why("v=DMARC1,p=reject", "not followed by \";\"");
	expect_why("dmarc policy: reject", "MUST come first");
	expect_why("v=spf1 -all", NULL);
	expect_why("google-site-verification=abc", NULL);
	expect_why("", NULL);
}

/*
 * RFC 6376 §3.2 (adopted by RFC 9989 §4.7): "Tags MUST be interpreted in
 * a case-sensitive manner." "P" is an unknown tag a receiver ignores; we
 * ignore it too and say so with an error, since the owner meant p.
 */
static void
test_tag_case(void **st)
{
	struct hy_dmarc_record r;
	const char *m;

	(void)st;
	assert_int_equal(parse("v=DMARC1; P=reject; ADKIM=s; Rua=mailto:a@b.jp",
	    &r), HY_DMARC_PARSE_INVALID);
	assert_int_equal(r.p, HY_DMARC_P_UNSET);
	assert_int_equal(r.adkim, 'r');
	assert_int_equal(r.nrua, 0);
	/* Unknown tags are legal syntax: the record is otherwise valid. */
	assert_true(r.syntax_ok);
	assert_int_equal(r.nerrors, 3);
	assert_non_null(m = message(&r, "tag-case"));
	assert_non_null(strstr(m, "\"P\" is not the tag \"p\""));
	assert_non_null(strstr(m, "RFC 6376 §3.2"));
	assert_true(hy_findings_has(&r.findings, "missing-policy"));
	hy_dmarc_record_clear(&r);

	/* The lower-case tag still counts beside a mis-cased one. */
	assert_int_equal(parse("v=DMARC1; P=reject; p=quarantine", &r),
	    HY_DMARC_PARSE_INVALID);
	assert_int_equal(r.p, HY_DMARC_P_QUARANTINE);
	assert_false(hy_findings_has(&r.findings, "duplicate-tag"));
	hy_dmarc_record_clear(&r);
}

/*
 * RFC 9989 §4.8 ABNF: only the version is %s (case-sensitive); quoted
 * strings elsewhere are case-insensitive (RFC 5234 §2.3).
 */
static void
test_value_case(void **st)
{
	struct hy_dmarc_record r;

	(void)st;
	assert_int_equal(parse("v=DMARC1; p=REJECT; sp=Quarantine; np=None; "
	    "adkim=S; aspf=R; t=Y; psd=N; fo=D:1", &r), HY_DMARC_PARSE_VALID);
	assert_int_equal(r.p, HY_DMARC_P_REJECT);
	assert_int_equal(r.sp, HY_DMARC_P_QUARANTINE);
	assert_int_equal(r.np, HY_DMARC_P_NONE);
	assert_int_equal(r.adkim, 's');
	assert_true(r.testing);
	assert_int_equal(r.psd, HY_DMARC_PSD_N);
	assert_int_equal(r.findings.n, 0);
	hy_dmarc_record_clear(&r);
}

/*
 * RFC 9989 §4.7: "unknown tags MUST be ignored", reported as info. A
 * DKIM tag-name with digits or "_" (RFC 6376 §3.2 ALNUMPUNC) cannot be a
 * registered DMARC tag (1*ALPHA): unknown as well, not a syntax error.
 */
static void
test_unknown_tags(void **st)
{
	struct hy_dmarc_record r;

	(void)st;
	assert_int_equal(parse("v=DMARC1; p=reject; foo=bar; x_1=2; a9=b c",
	    &r), HY_DMARC_PARSE_VALID);
	assert_int_equal(r.p, HY_DMARC_P_REJECT);
	assert_int_equal(r.findings.n, 3);
	for (size_t i = 0; i < r.findings.n; i++) {
		assert_string_equal(r.findings.v[i].code, "unknown-tag");
		assert_int_equal(r.findings.v[i].sev, HY_SEV_INFO);
	}
	hy_dmarc_record_clear(&r);
}

/* RFC 9989 Appendix C: pct, rf and ri were removed; reported, ignored. */
static void
test_removed(void **st)
{
	struct hy_dmarc_record r;

	(void)st;
	assert_int_equal(parse("v=DMARC1; p=reject; pct=50; rf=afrf; "
	    "ri=86400", &r), HY_DMARC_PARSE_VALID);
	assert_true(r.has_pct);
	assert_int_equal(r.pct, 50);
	assert_int_equal(r.findings.n, 3);
	assert_true(hy_findings_has(&r.findings, "removed-tag"));
	hy_dmarc_record_clear(&r);

	assert_int_equal(parse("v=DMARC1; p=none; pct=abc", &r),
	    HY_DMARC_PARSE_VALID);
	assert_false(r.has_pct);
	hy_dmarc_record_clear(&r);
}

/*
 * RFC 6376 §3.2: "if a tag name does occur more than once, the entire
 * tag-list is invalid". Every occurrence is ignored (RFC 9989 §4.8:
 * syntax errors are discarded), so a duplicated p is an invalid p.
 */
static void
test_duplicate(void **st)
{
	struct hy_dmarc_record r;
	const char *m;

	(void)st;
	assert_int_equal(parse("v=DMARC1; p=reject; p=reject; "
	    "rua=mailto:a@example.jp; rua=mailto:b@example.jp; adkim=s; "
	    "adkim=s; sp=none", &r), HY_DMARC_PARSE_INVALID);
	assert_int_equal(r.p, HY_DMARC_P_INVALID);
	assert_int_equal(r.nrua, 0);
	assert_int_equal(r.adkim, 'r');
	assert_int_equal(r.sp, HY_DMARC_P_NONE);
	assert_false(r.syntax_ok);
	assert_non_null(m = message(&r, "duplicate-tag"));
	assert_non_null(strstr(m, "\"p\" appears 2 times"));
	/* One finding per duplicated tag, not per occurrence. */
	assert_int_equal(r.nerrors, 3);
	hy_dmarc_record_clear(&r);
}

static void
expect_invalid(const char *txt, const char *code)
{
	struct hy_dmarc_record r;

	assert_int_equal(parse(txt, &r), HY_DMARC_PARSE_INVALID);
	if (!hy_findings_has(&r.findings, code))
		fail_msg("%s: no finding %s", txt, code);
	assert_false(r.syntax_ok);
	hy_dmarc_record_clear(&r);
}

/*
 * RFC 9989 §4.8: "Syntax errors in the remainder of the record MUST be
 * discarded in favor of default values (if any) or ignored outright."
 * Reported as errors; the defaults stay.
 */
static void
test_syntax_errors(void **st)
{
	struct hy_dmarc_record r;

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
	expect_invalid("v=DMARC1; p=none; =x", "syntax-error");
	expect_invalid("v=DMARC1; p=none;; sp=none", "syntax-error");
	expect_invalid("v=DMARC1; p=none; v=DMARC1", "syntax-error");
	expect_invalid("v=DMARC1; p=none; x-y=1", "syntax-error");
	expect_invalid("v=DMARC1; p=none; 1x=1", "syntax-error");

	/* Defaults stay; an empty or bad p is an invalid p (§4.10.1). */
	assert_int_equal(parse("v=DMARC1; p=; adkim=x; t=1; psd=yes", &r),
	    HY_DMARC_PARSE_INVALID);
	assert_int_equal(r.p, HY_DMARC_P_INVALID);
	assert_int_equal(r.adkim, 'r');
	assert_false(r.testing);
	assert_int_equal(r.psd, HY_DMARC_PSD_U);
	hy_dmarc_record_clear(&r);

	/* Parsing goes on after an error. */
	assert_int_equal(parse("v=DMARC1; x-y=1; p=reject; =; sp=none", &r),
	    HY_DMARC_PARSE_INVALID);
	assert_int_equal(r.p, HY_DMARC_P_REJECT);
	assert_int_equal(r.sp, HY_DMARC_P_NONE);
	hy_dmarc_record_clear(&r);
}

/*
 * RFC 9989 §4.7 p tag: missing in "an otherwise syntactically valid"
 * record means p=none; with syntax errors the record is not treated so
 * (§4.10.1 then decides; see test_dmarc_walk).
 */
static void
test_missing_p(void **st)
{
	struct hy_dmarc_record r;

	(void)st;
	assert_int_equal(parse("v=DMARC1; sp=reject", &r), HY_DMARC_PARSE_VALID);
	assert_int_equal(r.p, HY_DMARC_P_UNSET);
	assert_true(r.syntax_ok);
	assert_non_null(strstr(message(&r, "missing-policy"), "p=none"));
	hy_dmarc_record_clear(&r);

	assert_int_equal(parse("v=DMARC1; sp=reject; adkim=x", &r),
	    HY_DMARC_PARSE_INVALID);
	assert_false(r.syntax_ok);
	assert_non_null(strstr(message(&r, "missing-policy"), "not treated"));
	hy_dmarc_record_clear(&r);
}

/* RFC 9989 §4.7 rua/ruf, §4.8 dmarc-urilist: only syntactically valid
 * URIs are kept (§4.10.1 counts them); "!size" is obsolete syntax. */
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

	assert_int_equal(parse("v=DMARC1; p=none; rua=mailto:nobody, bad uri,"
	    " mailto:ok@example.jp ; ruf=x", &r), HY_DMARC_PARSE_INVALID);
	assert_int_equal(r.nrua, 1);
	assert_string_equal(r.rua[0].uri, "mailto:ok@example.jp");
	assert_int_equal(r.nruf, 0);
	hy_dmarc_record_clear(&r);
}

/* RFC 9989 §4.8 dmarc-value: printable ASCII only. */
static void
test_binary(void **st)
{
	struct hy_dmarc_record r;
	const char txt[] = "v=DMARC1; p=none; rua=mailto:a@b\0c";

	(void)st;
	assert_int_equal(hy_dmarc_parse(txt, sizeof(txt) - 1, &r),
	    HY_DMARC_PARSE_INVALID);
	assert_int_equal(r.nrua, 0);
	hy_dmarc_record_clear(&r);
	hy_dmarc_record_clear(NULL);
}

/* A hostile record with thousands of tags: findings are capped, every
 * error still counts. */
static void
test_many_tags(void **st)
{
	struct hy_dmarc_record r;
	size_t n = 5000, len = 0;
	char *txt = malloc(16 + n * 6);

	(void)st;
	assert_non_null(txt);
	len = (size_t)sprintf(txt, "v=DMARC1; p=reject");
	for (size_t i = 0; i < n; i++)
		len += (size_t)sprintf(txt + len, "; %s", i % 2 ? "=" : "x=1");
	assert_int_equal(hy_dmarc_parse(txt, len, &r), HY_DMARC_PARSE_INVALID);
	assert_int_equal(r.p, HY_DMARC_P_REJECT);
	assert_int_equal(r.nerrors, n / 2);
	assert_int_equal(r.findings.n, 33);
	assert_string_equal(r.findings.v[32].code, "more-findings");
	hy_dmarc_record_clear(&r);
	free(txt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_why_not),
		cmocka_unit_test(test_tag_case),
		cmocka_unit_test(test_value_case),
		cmocka_unit_test(test_unknown_tags),
		cmocka_unit_test(test_removed),
		cmocka_unit_test(test_duplicate),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_missing_p),
		cmocka_unit_test(test_uris),
		cmocka_unit_test(test_binary),
		cmocka_unit_test(test_many_tags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
