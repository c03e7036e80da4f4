/*
 * src/txt.c: the escaping that keeps DNS text valid in JSON strings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "hygiene/findings.h"
#include "hygiene/txt.h"

static void
check_utf8(const char *in, size_t len, const char *want)
{
	char *out = hy_txt_utf8(in, len);

	assert_non_null(out);
	assert_string_equal(out, want);
	free(out);
}

static void
test_utf8_keeps_valid(void **state)
{
	(void)state;
	check_utf8("", 0, "");
	check_utf8("plain", 5, "plain");
	check_utf8("\xc2\xa7 4.5 \xe6\x97\xa5 \xf0\x9f\x98\x80", 15,
	    "\xc2\xa7 4.5 \xe6\x97\xa5 \xf0\x9f\x98\x80");
}

static void
test_utf8_escapes_invalid(void **state)
{
	(void)state;
	check_utf8("a\xff" "b", 3, "a\\xffb");
	check_utf8("a\0b", 3, "a\\x00b");
	check_utf8("\x1b[31m\n\x7f", 7, "\\x1b[31m\\x0a\\x7f");
	check_utf8("\xc3", 1, "\\xc3");			/* truncated */
	check_utf8("\xc0\xaf", 2, "\\xc0\\xaf");	/* overlong */
	check_utf8("\xe0\x80\xaf", 3, "\\xe0\\x80\\xaf");	/* overlong */
	check_utf8("\xed\xa0\x80", 3, "\\xed\\xa0\\x80");	/* surrogate */
	check_utf8("\xf4\x90\x80\x80", 4, "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	check_utf8("\xe6\x97" "x", 3, "\\xe6\\x97x");
	/* C1 controls: raw (not UTF-8) and as UTF-8 (U+009B is CSI, which
	 * some terminals obey like ESC [). */
	check_utf8("\x9b" "2J", 3, "\\x9b2J");
	check_utf8("\xc2\x9b" "2J\xc2\x80\xc2\x9f\xc2\xa0", 10,
	    "\\xc2\\x9b2J\\xc2\\x80\\xc2\\x9f\xc2\xa0");
}

/* The terminal writer shows exactly what hy_txt_utf8() would. */
static void
test_fputs(void **state)
{
	static const char *in[] = { "plain \xe6\x97\xa5",
	    "\x1b]0;title\x07\x1b[2J", "\xc2\x9b" "31m \x93\xfa \xc3",
	    "tab\tcr\rnl\ndel\x7f", "" };
	char *buf = NULL, *want;
	size_t len = 0;
	FILE *fp;

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		assert_non_null(fp = open_memstream(&buf, &len));
		assert_int_equal(hy_txt_fputs(in[i], fp), 0);
		assert_int_equal(fclose(fp), 0);
		assert_non_null(want = hy_txt_utf8(in[i], strlen(in[i])));
		assert_string_equal(buf, want);
		for (const char *p = buf; *p; p++)
			assert_true((unsigned char)*p >= 0x20 &&
			    (unsigned char)*p != 0x7f);
		free(want);
		free(buf);
		buf = NULL;
	}
}

/* Untrusted bytes always become a JSON string (jansson refuses bytes
 * that are not UTF-8, which once read as "out of memory"). */
static void
test_json(void **state)
{
	json_t *j;

	(void)state;
	assert_non_null(j = hy_txt_json("\x93\xfa\x96{.jp\x1b"));
	assert_string_equal(json_string_value(j), "\\x93\\xfa\\x96{.jp\\x1b");
	json_decref(j);
	assert_non_null(j = hy_txt_json("日本語.jp"));
	assert_string_equal(json_string_value(j), "日本語.jp");
	json_decref(j);
	assert_true(json_is_null(j = hy_txt_json(NULL)));
	json_decref(j);
}

/* A finding quoting bytes that are not UTF-8 still becomes JSON. */
static void
test_finding_not_utf8(void **state)
{
	struct hy_findings f = { 0 };
	json_t *a;

	(void)state;
	assert_int_equal(hy_findings_add(&f, "syntax-error", HY_SEV_ERROR, "record "
	    "\"%s\" (RFC 7208 \xc2\xa7" "4.5)", "v=spf1 \xfe"), 0);
	assert_non_null(a = hy_findings_to_json(&f));
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(a, 0), "message")),
	    "record \"v=spf1 \\xfe\" (RFC 7208 \xc2\xa7" "4.5)");
	json_decref(a);
	hy_findings_clear(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_keeps_valid),
		cmocka_unit_test(test_utf8_escapes_invalid),
		cmocka_unit_test(test_finding_not_utf8),
		cmocka_unit_test(test_fputs),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
