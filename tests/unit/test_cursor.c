#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>

#include <cmocka.h>

#include "hygiene/cursor.h"
#include "hygiene/findings.h"

static int
is_alpha(int c)
{
	return isalpha(c);
}

static void
test_cursor_basics(void **state)
{
	const char in[] = "v=DMARC1; p=reject";
	struct hy_cursor c;
	struct hy_span s;
	uint64_t n;
	char *d;

	(void)state;
	hy_cursor_init(&c, in, strlen(in));
	assert_true(hy_cursor_accept_ci(&c, "V=dmarc"));
	assert_true(hy_cursor_uint(&c, 10, &n));
	assert_int_equal(n, 1);
	assert_true(hy_cursor_accept(&c, ';'));
	hy_cursor_skip_ws(&c);
	s = hy_cursor_while(&c, is_alpha);
	assert_true(hy_span_eq_ci(s, "P"));
	assert_false(hy_cursor_accept(&c, ';'));
	assert_true(hy_cursor_accept(&c, '='));
	s = hy_cursor_until(&c, ";");
	d = hy_span_dup(s);
	assert_string_equal(d, "reject");
	free(d);
	assert_true(hy_cursor_eof(&c));
	assert_int_equal(hy_cursor_peek(&c), -1);
	assert_int_equal(hy_cursor_next(&c), -1);
	assert_int_equal(hy_cursor_left(&c), 0);
}

/* MRT reads big-endian integers and slices; nothing past len. */
static void
test_cursor_binary(void **state)
{
	const char in[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	    (char)0xff, 0x7f };
	struct hy_cursor c;
	struct hy_span s;
	uint32_t u32;
	uint16_t u16;
	uint8_t u8;

	(void)state;
	hy_cursor_init(&c, in, 9);	/* 0x7f lies beyond len */
	assert_true(hy_cursor_u32(&c, &u32));
	assert_int_equal(u32, 0x01020304);
	assert_true(hy_cursor_u16(&c, &u16));
	assert_int_equal(u16, 0x0506);
	assert_true(hy_cursor_take(&c, 2, &s));
	assert_ptr_equal(s.p, in + 6);
	assert_int_equal(s.len, 2);
	/* One byte left: the wider reads fail and consume nothing. */
	assert_false(hy_cursor_u32(&c, &u32));
	assert_false(hy_cursor_u16(&c, &u16));
	assert_false(hy_cursor_take(&c, 2, &s));
	assert_int_equal(hy_cursor_left(&c), 1);
	assert_true(hy_cursor_u8(&c, &u8));
	assert_int_equal(u8, 0xff);
	assert_false(hy_cursor_u8(&c, &u8));
	assert_true(hy_cursor_take(&c, 0, &s));
	assert_true(hy_cursor_eof(&c));
}

static void
test_cursor_bounds(void **state)
{
	const char in[] = { '1', '2', '\0', 'x' };
	struct hy_cursor c;
	uint64_t n;
	struct hy_span s;

	(void)state;
	hy_cursor_init(&c, in, 2);	/* the NUL and 'x' lie beyond len */
	assert_true(hy_cursor_uint(&c, 99, &n));
	assert_int_equal(n, 12);
	assert_true(hy_cursor_eof(&c));
	hy_cursor_init(&c, in, 4);
	assert_false(hy_cursor_uint(&c, 5, &n));	/* 12 > max */
	assert_int_equal(c.pos, 0);
	s = hy_cursor_until(&c, "x");
	assert_int_equal(s.len, 3);		/* NUL is data */
	hy_cursor_init(&c, NULL, 10);
	assert_true(hy_cursor_eof(&c));
	assert_false(hy_cursor_accept_ci(&c, "a"));
	s = hy_span_trim((struct hy_span){ "  ab \t", 6 });
	assert_int_equal(s.len, 2);
	hy_cursor_init(&c, in, 4);
	assert_false(hy_cursor_skip(&c, 5));	/* all or nothing */
	assert_int_equal(c.pos, 0);
	assert_true(hy_cursor_skip(&c, 4));
	assert_true(hy_cursor_eof(&c));
	assert_true(hy_cursor_skip(&c, 0));
}

static void
test_findings(void **state)
{
	struct hy_findings f = { 0 };
	json_t *j;

	(void)state;
	assert_int_equal(hy_findings_add(&f, "nsec3-iterations", HY_SEV_WARNING,
	    "iterations %d > 0 (RFC 9276 section 3.1)", 10), 0);
	assert_true(hy_findings_has(&f, "nsec3-iterations"));
	assert_false(hy_findings_has(&f, "other"));
	j = hy_findings_to_json(&f);
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(j, 0), "severity")), "warning");
	json_decref(j);
	hy_findings_clear(&f);
	assert_int_equal(f.n, 0);
	hy_findings_clear(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_basics),
		cmocka_unit_test(test_cursor_bounds),
		cmocka_unit_test(test_cursor_binary),
		cmocka_unit_test(test_findings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
