/*
 * Terminal widths and wrapping (src/term.c): display columns of Latin,
 * Japanese and colour sequences; where lines break; nothing lost.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "term.h"

/* hy_term_wrap() of text into a new string. */
static char *
wrap(const char *text, int indent, int width)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	assert_non_null(fp);
	assert_int_equal(hy_term_wrap(fp, text, indent, width), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

/* Every line of s fits width columns. */
static void
assert_fits(const char *s, int width)
{
	char *copy = strdup(s), *save = NULL;

	for (char *ln = strtok_r(copy, "\n", &save); ln != NULL;
	    ln = strtok_r(NULL, "\n", &save))
		if (hy_term_strwidth(ln) > width)
			fail_msg("line wider than %d: \"%s\"", width, ln);
	free(copy);
}

/* s without spaces and newlines: what wrapping must not change. */
static char *
squeeze(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	for (; *s != '\0'; s++)
		if (*s != ' ' && *s != '\n')
			*o++ = *s;
	*o = '\0';
	return out;
}

static void
test_width(void **state)
{
	(void)state;
	assert_int_equal(hy_term_strwidth("abc"), 3);
	assert_int_equal(hy_term_strwidth("日本語.jp"), 9);
	assert_int_equal(hy_term_strwidth("\033[31merror\033[0m"), 5);
	assert_int_equal(hy_term_strwidth("e\xcc\x81"), 1);	/* e + U+0301 */
	assert_int_equal(hy_term_strwidth("ＡＢ"), 4);		/* fullwidth */
	assert_int_equal(hy_term_strwidth("\xff"), 1);		/* not UTF-8 */
}

static void
test_latin(void **state)
{
	char *s;

	(void)state;
	s = wrap("  SPF      none: no SPF record at example.jp (RFC 7208 "
	    "§4.5)", 11, 30);
	assert_string_equal(s, "  SPF      none: no SPF record\n"
	    "           at example.jp (RFC\n           7208 §4.5)\n");
	free(s);
	/* Spaces inside a line stay: labels keep their column. */
	s = wrap("  NS       ns1.example.jp", 11, 80);
	assert_string_equal(s, "  NS       ns1.example.jp\n");
	free(s);
	/* A word wider than the line is cut, never lost. */
	s = wrap("GET https://mta-sts.example.jp/.well-known/mta-sts.txt: 404",
	    4, 24);
	assert_fits(s, 24);
	assert_string_equal(s, "GET\n    https://mta-sts.exam\n"
	    "    ple.jp/.well-known/m\n    ta-sts.txt: 404\n");
	free(s);
}

static void
test_japanese(void **state)
{
	const char *ja = "信頼の連鎖に必要な署名（RRSIG）の有効期限が切れており、"
	    "検証を行うリゾルバーは応答を不正（bogus）として扱う。";
	char *s, *a, *b;

	(void)state;
	for (int w = 20; w <= 40; w++) {
		s = wrap(ja, 2, w);
		assert_fits(s, w);
		/* No line starts with closing punctuation. */
		assert_null(strstr(s, "\n  、"));
		assert_null(strstr(s, "\n  。"));
		assert_null(strstr(s, "\n  ）"));
		/* No line ends with opening punctuation. */
		assert_null(strstr(s, "（\n"));
		a = squeeze(s);
		b = squeeze(ja);
		assert_string_equal(a, b);
		free(a);
		free(b);
		free(s);
	}
	/* Wide characters count two: 10 of them fill 20 columns. */
	s = wrap("あいうえおかきくけこさしすせそ", 0, 20);
	assert_string_equal(s, "あいうえおかきくけこ\nさしすせそ\n");
	free(s);
	/* 。 stays with the character before it. */
	s = wrap("あいうえおかきくけ。こ", 0, 18);
	assert_string_equal(s, "あいうえおかきく\nけ。こ\n");
	free(s);
}

static void
test_colour(void **state)
{
	char *s;

	(void)state;
	/* Colour sequences take no column and are never cut. */
	s = wrap("  DMARC    \033[31mabsent\033[0m: no DMARC record", 11, 31);
	assert_string_equal(s, "  DMARC    \033[31mabsent\033[0m: no DMARC\n"
	    "           record\n");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_width),
		cmocka_unit_test(test_latin),
		cmocka_unit_test(test_japanese),
		cmocka_unit_test(test_colour),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
