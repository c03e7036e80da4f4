#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hygiene/name.h"

static void
expect_ok(const char *in, const char *alabel, const char *ulabel)
{
	char *a = NULL, *u = NULL;

	assert_int_equal(hy_name_normalize(in, &a, &u), HY_NAME_OK);
	assert_string_equal(a, alabel);
	if (ulabel == NULL)
		assert_null(u);
	else
		assert_string_equal(u, ulabel);
	free(a);
	free(u);
}

static void
expect_err(const char *in, enum hy_name_error want)
{
	char *a = NULL, *u = NULL;

	assert_int_equal(hy_name_normalize(in, &a, &u), want);
	assert_null(a);
	assert_null(u);
}

static void
test_ascii(void **state)
{
	(void)state;
	expect_ok("Example.CO.JP.", "example.co.jp", NULL);
	expect_ok("_dmarc.example.jp", "_dmarc.example.jp", NULL);
	expect_ok("xn--wgv71a119e.jp", "xn--wgv71a119e.jp", "日本語.jp");
}

static void
test_idn(void **state)
{
	(void)state;
	expect_ok("日本語.jp", "xn--wgv71a119e.jp", "日本語.jp");
	/* Full-width letters are mapped (UTS #46) before conversion. */
	expect_ok("ＥＸＡＭＰＬＥ.jp", "example.jp", NULL);
	expect_ok("ドメイン名例.jp", "xn--eckwd4c7cu47r2wf.jp", "ドメイン名例.jp");
}

static void
test_invalid(void **state)
{
	char label64[80], long_name[300];

	(void)state;
	expect_err("", HY_NAME_EMPTY);
	expect_err(".", HY_NAME_EMPTY);
	expect_err("a..jp", HY_NAME_EMPTY_LABEL);
	expect_err(".jp", HY_NAME_EMPTY_LABEL);
	expect_err("exa mple.jp", HY_NAME_BAD_CHAR);
	expect_err("-bad.jp", HY_NAME_BAD_CHAR);
	expect_err("bad-.jp", HY_NAME_BAD_CHAR);
	expect_err("a/b.jp", HY_NAME_BAD_CHAR);
	memset(label64, 'a', 64);
	strcpy(label64 + 64, ".jp");
	expect_err(label64, HY_NAME_LABEL_TOO_LONG);
	for (int i = 0; i < 50; i++)
		memcpy(long_name + i * 6, "abcde.", 6);
	strcpy(long_name + 300 - 6, "jp");
	expect_err(long_name, HY_NAME_TOO_LONG);
	/* Bytes that are not UTF-8 (a Shift_JIS list) say so, not "IDN". */
	expect_err("\xff\xfe.jp", HY_NAME_NOT_UTF8);
	expect_err("\x93\xfa\x96\x7b.jp", HY_NAME_NOT_UTF8);
	expect_err("ok.\xe6\x97.jp", HY_NAME_NOT_UTF8);	/* truncated */
	assert_string_equal(hy_name_error_code(HY_NAME_NOT_UTF8),
	    "name-not-utf8");
	assert_non_null(strstr(hy_name_error_str(HY_NAME_NOT_UTF8), "UTF-8"));
	/* A control byte is a bad character, in ASCII or beside an IDN. */
	expect_err("\x1b[31mred.jp", HY_NAME_BAD_CHAR);
	expect_err("\xe6\x97\xa5\x1b.jp", HY_NAME_BAD_IDN);
	assert_non_null(strstr(hy_name_error_str(HY_NAME_LABEL_TOO_LONG), "63"));
	assert_string_equal(hy_name_error_code(HY_NAME_EMPTY_LABEL),
	    "name-empty-label");
}

static void
test_equal(void **state)
{
	(void)state;
	assert_true(hy_name_equal("Example.JP.", "example.jp"));
	assert_false(hy_name_equal("example.jp", "example.co.jp"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_idn),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
