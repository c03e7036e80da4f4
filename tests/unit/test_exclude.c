/* Opt-out lists: which names a rule covers, how rules are normalised,
 * and that a list with one bad rule is refused whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hygiene/exclude.h"

/* Load data as an opt-out list; NULL with the message in err. */
static struct hy_exclude *
load(const char *data, size_t len, char *err, size_t errlen)
{
	char path[] = "/tmp/hy-ex-XXXXXX";
	struct hy_exclude *ex = NULL;
	int fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	if (hy_exclude_load(path, &ex, err, errlen) != 0)
		assert_null(ex);
	unlink(path);
	return ex;
}

#define LOAD(s, err) load(s, sizeof(s) - 1, err, sizeof(err))

static void
test_rules(void **state)
{
	char err[256] = "";
	struct hy_exclude *ex;
	size_t line = 0;

	(void)state;
	ex = LOAD("\xef\xbb\xbf# owners who asked to be left out\r\n"
	    "Example.JP.\r\n"
	    "\r\n"
	    "*.shop.example.co.jp\r\n"
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e.jp\n", err);
	assert_non_null(ex);
	assert_int_equal(hy_exclude_count(ex), 3);
	/* A plain rule: the name and everything below it. */
	assert_string_equal(hy_exclude_match(ex, "example.jp", &line),
	    "Example.JP.");
	assert_int_equal(line, 2);
	assert_non_null(hy_exclude_match(ex, "mail.example.jp", NULL));
	assert_non_null(hy_exclude_match(ex, "a.b.example.jp", NULL));
	/* Not a label suffix, not a parent. */
	assert_null(hy_exclude_match(ex, "xexample.jp", NULL));
	assert_null(hy_exclude_match(ex, "jp", NULL));
	/* "*.": below the name only. */
	assert_null(hy_exclude_match(ex, "shop.example.co.jp", NULL));
	assert_string_equal(hy_exclude_match(ex, "a.shop.example.co.jp",
	    &line), "*.shop.example.co.jp");
	assert_int_equal(line, 4);
	assert_null(hy_exclude_match(ex, "example.co.jp", NULL));
	/* A U-label rule covers the A-label name. */
	assert_non_null(hy_exclude_match(ex, "xn--wgv71a119e.jp", NULL));
	assert_non_null(hy_exclude_match(ex, "www.xn--wgv71a119e.jp", NULL));
	hy_exclude_free(ex);
	hy_exclude_free(NULL);
}

/* The same name as a plain and a "*." rule: the plain one covers it. */
static void
test_both_kinds(void **state)
{
	char err[256] = "";
	struct hy_exclude *ex;
	size_t line = 0;

	(void)state;
	ex = LOAD("*.example.jp\nexample.jp\n", err);
	assert_non_null(ex);
	assert_string_equal(hy_exclude_match(ex, "example.jp", &line),
	    "example.jp");
	assert_int_equal(line, 2);
	assert_non_null(hy_exclude_match(ex, "www.example.jp", NULL));
	hy_exclude_free(ex);
	ex = LOAD("*.example.jp\n", err);
	assert_null(hy_exclude_match(ex, "example.jp", NULL));
	hy_exclude_free(ex);
}

/* Nobody has opted out: valid, and it covers nothing. */
static void
test_empty(void **state)
{
	char err[256] = "";
	struct hy_exclude *ex;

	(void)state;
	ex = LOAD("# no opt-outs yet\n\n", err);
	assert_non_null(ex);
	assert_int_equal(hy_exclude_count(ex), 0);
	assert_null(hy_exclude_match(ex, "example.jp", NULL));
	hy_exclude_free(ex);
	ex = LOAD("", err);
	assert_non_null(ex);
	hy_exclude_free(ex);
}

/* One bad rule refuses the whole list, naming the line. */
static void
test_bad_rules(void **state)
{
	static const struct {
		const char	*data;
		const char	*want;
	} cases[] = {
		{ "ok.jp\nbad..jp\n", "line 2: \"bad..jp\" is not a rule" },
		{ "*\n", "line 1: \"*\" is not a rule" },
		{ "*.\n", "line 1: \"*.\" is not a rule" },
		{ "a.*.example.jp\n", "line 1: \"a.*.example.jp\"" },
		{ "**.example.jp\n", "line 1" },
		{ "jp\n", "line 1: \"jp\" is a public suffix" },
		{ "ok.jp\nCO.JP.\n", "line 2: \"CO.JP.\" is a public suffix" },
		{ "*.co.jp\n", "\"*.co.jp\" is a public suffix" },
		{ "*.jp\n", "public suffix" },
		{ "\x1f\x8b\x08\x00rest", "gzip" },
	};
	struct hy_exclude *ex;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		ex = load(cases[i].data, strlen(cases[i].data), err,
		    sizeof(err));
		if (ex != NULL)
			fail_msg("case %zu loaded", i);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err,
			    cases[i].want);
	}
	assert_int_equal(hy_exclude_load("/nonexistent/optout.txt", &ex, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/optout.txt"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_both_kinds),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bad_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
