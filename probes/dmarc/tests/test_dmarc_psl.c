/*
 * The PSL discovery option (RFC 7489 method): the pinned list from
 * tests/data (vendored) passes the PSL's own test_psl.txt cases, and
 * co.jp-style names give the expected Organizational Domain.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpsl.h>

#include "dmarc.h"

static psl_ctx_t *psl;

static int
setup(void **st)
{
	(void)st;
	psl = psl_load_file(HY_PSL_DIR "/public_suffix_list.dat");
	return psl == NULL ? -1 : 0;
}

static int
teardown(void **st)
{
	(void)st;
	psl_free(psl);
	return 0;
}

/* One quoted argument or null: returns its text in buf, or NULL. */
static const char *
arg(const char **p, char *buf, size_t size)
{
	const char *q = *p, *e;

	while (*q == ' ' || *q == ',' || *q == '(')
		q++;
	if (strncmp(q, "null", 4) == 0) {
		*p = q + 4;
		return NULL;
	}
	assert_int_equal(*q, '\'');
	e = strchr(q + 1, '\'');
	assert_non_null(e);
	assert_true((size_t)(e - q - 1) < size);
	memcpy(buf, q + 1, (size_t)(e - q - 1));
	buf[e - q - 1] = '\0';
	*p = e + 1;
	return buf;
}

static void
test_psl_suite(void **st)
{
	FILE *f = fopen(HY_PSL_DIR "/test_psl.txt", "r");
	char line[1024], in[512], want[512], *got;
	const char *p, *a, *b;
	unsigned n = 0, bad = 0;

	(void)st;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((p = strstr(line, "checkPublicSuffix(")) == NULL ||
		    strncmp(line, "//", 2) == 0)
			continue;
		p += strlen("checkPublicSuffix");
		a = arg(&p, in, sizeof(in));
		b = arg(&p, want, sizeof(want));
		got = a != NULL ? hy_dmarc_psl_org(psl, a) : NULL;
		if ((b == NULL) != (got == NULL) ||
		    (b != NULL && strcmp(b, got) != 0)) {
			fprintf(stderr, "%s -> %s, want %s\n", a ? a : "null",
			    got ? got : "null", b ? b : "null");
			bad++;
		}
		free(got);
		n++;
	}
	fclose(f);
	printf("test_psl.txt: %u of %u cases pass\n", n - bad, n);
	assert_int_equal(n, 78);
	assert_int_equal(bad, 0);
}

static void
test_japan(void **st)
{
	char *o;

	(void)st;
	assert_non_null(o = hy_dmarc_psl_org(psl, "mail.example.co.jp"));
	assert_string_equal(o, "example.co.jp");
	free(o);
	assert_null(hy_dmarc_psl_org(psl, "co.jp"));
	assert_non_null(o = hy_dmarc_psl_org(psl, "www.city.kobe.jp"));
	assert_string_equal(o, "city.kobe.jp");
	free(o);
	assert_null(hy_dmarc_psl_org(psl, "a..jp"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_psl_suite),
		cmocka_unit_test(test_japan),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
