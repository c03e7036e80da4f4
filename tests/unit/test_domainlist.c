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

/* A temporary file holding len bytes of data; the path is static. */
static const char *
tmpfile_with(const void *data, size_t len)
{
	static char path[32];
	int fd;

	snprintf(path, sizeof(path), "/tmp/hy-dl-XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	return path;
}

static void
test_bom_crlf_blank_dups(void **state)
{
	char path[] = "/tmp/hy-dl-XXXXXX";
	int fd = mkstemp(path);
	char err[256];
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
	dl = hy_domainlist_open(path, err, sizeof(err));
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
	assert_null(hy_domainlist_error(dl));
	assert_int_equal(hy_domainlist_duplicates(dl), 1);
	hy_domainlist_free(dl);
	unlink(path);
}

static void
test_missing_file(void **state)
{
	char err[256];

	(void)state;
	assert_null(hy_domainlist_open("/nonexistent/list.txt", err,
	    sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/list.txt"));
	assert_non_null(strstr(err, "No such file"));
	hy_domainlist_free(NULL);
}

/* A line that is not UTF-8 (Shift_JIS from Japanese Excel) is an entry
 * like any other: the name check reports it, the lines after it are
 * read. */
static void
test_not_utf8_line_is_an_entry(void **state)
{
	static const char data[] = "a.jp\n\x93\xfa\x96\x7b.jp\r\nb.jp\n";
	const char *path = tmpfile_with(data, sizeof(data) - 1);
	struct hy_domainlist *dl;
	char err[256];
	size_t line;

	(void)state;
	assert_non_null(dl = hy_domainlist_open(path, err, sizeof(err)));
	assert_string_equal(hy_domainlist_next(dl, &line), "a.jp");
	assert_string_equal(hy_domainlist_next(dl, &line),
	    "\x93\xfa\x96\x7b.jp");
	assert_int_equal(line, 2);
	assert_string_equal(hy_domainlist_next(dl, &line), "b.jp");
	assert_null(hy_domainlist_next(dl, &line));
	assert_null(hy_domainlist_error(dl));
	hy_domainlist_free(dl);
	unlink(path);
}

/* Files that are not a text list are refused when opened, before any
 * domain is checked, with a reason a user can act on. */
static void
expect_refused(const void *data, size_t len, const char *why)
{
	const char *path = tmpfile_with(data, len);
	char err[256];

	assert_null(hy_domainlist_open(path, err, sizeof(err)));
	if (strstr(err, why) == NULL || strstr(err, path) == NULL)
		fail_msg("'%s' lacks '%s'", err, why);
	unlink(path);
}

static void
test_not_text_refused(void **state)
{
	static const unsigned char gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00 };
	static const unsigned char utf16[] = { 0xff, 0xfe, 'a', 0, '.', 0,
	    'j', 0, 'p', 0, '\n', 0 };
	static const unsigned char nul[] = "a.jp\nb\0.jp\n";
	static const unsigned char zip[] = "PK\x03\x04\x14\x00\x06\x00";

	(void)state;
	expect_refused(gz, sizeof(gz), "gzip");
	expect_refused("BZh91AY&SY", 10, "bzip2");
	expect_refused("\xfd" "7zXZ\0\0", 7, "xz");
	expect_refused(zip, sizeof(zip) - 1, "ZIP");
	expect_refused("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "Excel");
	expect_refused(utf16, sizeof(utf16), "UTF-16");
	expect_refused(nul, sizeof(nul) - 1, "NUL");
}

/* Corruption past the first block (a NUL-filled tail after a crash) or
 * a line no domain list has stops the reading with the line number. */
static void
test_corrupt_later(void **state)
{
	size_t n = 200000, line;
	char *data = malloc(n + 1), err[256];
	const char *path, *s, *e;
	struct hy_domainlist *dl;
	size_t count = 0;

	(void)state;
	assert_non_null(data);
	for (size_t i = 0; i < n; i += 10)
		memcpy(data + i, "abcde.jp\n\n", 10);
	memset(data + 150000, 0, 100);
	path = tmpfile_with(data, n);
	assert_non_null(dl = hy_domainlist_open(path, err, sizeof(err)));
	while ((s = hy_domainlist_next(dl, &line)) != NULL)
		count++;
	assert_int_equal(count, 1);	/* the rest are duplicates */
	assert_non_null(e = hy_domainlist_error(dl));
	if (strstr(e, "line 30001") == NULL || strstr(e, "NUL") == NULL)
		fail_msg("%s", e);
	hy_domainlist_free(dl);
	unlink(path);

	/* One line of 1 MB without a newline. */
	memset(data, 'a', n);
	memcpy(data, "x.jp\n", 5);
	path = tmpfile_with(data, n);
	assert_non_null(dl = hy_domainlist_open(path, err, sizeof(err)));
	assert_string_equal(hy_domainlist_next(dl, &line), "x.jp");
	assert_null(hy_domainlist_next(dl, &line));
	assert_non_null(e = hy_domainlist_error(dl));
	if (strstr(e, "line 2") == NULL || strstr(e, "longer") == NULL)
		fail_msg("%s", e);
	hy_domainlist_free(dl);
	unlink(path);
	free(data);
}

/* A list of only comments and blank lines opens and yields nothing; an
 * empty list is the caller's error to report. */
static void
test_empty(void **state)
{
	const char *path = tmpfile_with("# nothing\n\n", 11);
	struct hy_domainlist *dl;
	char err[256];
	size_t line;

	(void)state;
	assert_non_null(dl = hy_domainlist_open(path, err, sizeof(err)));
	assert_null(hy_domainlist_next(dl, &line));
	assert_null(hy_domainlist_error(dl));
	hy_domainlist_free(dl);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bom_crlf_blank_dups),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_not_utf8_line_is_an_entry),
		cmocka_unit_test(test_not_text_refused),
		cmocka_unit_test(test_corrupt_later),
		cmocka_unit_test(test_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
