#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hygiene/domainlist.h"

static void
test_bom_crlf_blank_dups(void **state)
{
	char path[] = "/tmp/hy-dl-XXXXXX";
	int fd = mkstemp(path);
	const char data[] = "\xef\xbb\xbf" "example.jp\r\n"
	    "\r\n"
	    "  # a comment\r\n"
	    "日本語.jp\r\n"
	    "EXAMPLE.jp  \r\n"
	    "\t\n"
	    "last.jp";
	struct hy_domainlist *dl;
	const char *s;
	size_t line = 0;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, sizeof(data) - 1),
	    (ssize_t)sizeof(data) - 1);
	close(fd);
	dl = hy_domainlist_open(path);
	assert_non_null(dl);
	s = hy_domainlist_next(dl, &line);
	assert_string_equal(s, "example.jp");
	assert_int_equal(line, 1);
	s = hy_domainlist_next(dl, &line);
	assert_string_equal(s, "日本語.jp");
	assert_int_equal(line, 4);
	s = hy_domainlist_next(dl, &line);
	assert_string_equal(s, "last.jp");
	assert_int_equal(line, 7);
	assert_null(hy_domainlist_next(dl, &line));
	assert_int_equal(hy_domainlist_error(dl), 0);
	assert_int_equal(hy_domainlist_duplicates(dl), 1);
	hy_domainlist_free(dl);
	unlink(path);
}

static void
test_missing_file(void **state)
{
	(void)state;
	assert_null(hy_domainlist_open("/nonexistent/list.txt"));
	hy_domainlist_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bom_crlf_blank_dups),
		cmocka_unit_test(test_missing_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
