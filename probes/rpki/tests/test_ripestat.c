/* RIPEstat announced-prefixes answers (recorded in data/ripestat.json):
 * the window, timelines, and refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "hygiene/ripestat.h"

#define AT	1795262400	/* 2026-11-21T12:00:00Z */
#define DUMP	1795248000	/* 2026-11-21T08:00:00Z, the last RIS dump */

static void
test_parse(void **state)
{
	json_t *rec, *a;
	struct hy_routes *r;
	char err[256], *s;
	time_t t = 0;

	(void)state;
	assert_non_null(rec = json_load_file(HY_RPKI_TEST_DATA
	    "/ripestat.json", 0, NULL));
	assert_non_null(r = hy_routes_new());
	a = json_object_get(rec, "AS64500");
	s = json_dumps(a, 0);
	assert_int_equal(hy_ripestat_parse(s, strlen(s), 64500, AT, r, &t,
	    err, sizeof(err)), 0);
	free(s);
	assert_int_equal(t, DUMP);
	assert_int_equal(hy_routes_finish(r), 0);
	assert_int_equal(r->n, 4);
	assert_int_equal(r->v[0].asn, 64500);
	hy_routes_free(r);
	json_decref(rec);
}

#define HEAD "{\"status\":\"ok\",\"data\":{\"query_endtime\":" \
	"\"2026-11-21T08:00:00\",\"prefixes\":["
#define TL(s, e) "{\"starttime\":\"" s "\",\"endtime\":\"" e "\"}"

/* Only prefixes the RIS dump at query_endtime shows count. */
static void
test_timelines(void **state)
{
	static const char in[] = HEAD
	    "{\"prefix\":\"10.0.0.0/16\",\"timelines\":["
	    TL("2026-11-01T00:00:00", "2026-11-21T08:00:00") "]},"
	    "{\"prefix\":\"10.1.0.0/16\",\"timelines\":["
	    TL("2026-11-01T00:00:00", "2026-11-20T16:00:00") "]},"
	    "{\"prefix\":\"10.2.0.0/16\",\"timelines\":["
	    TL("2026-11-01T00:00:00", "2026-11-02T00:00:00") ","
	    TL("2026-11-21T00:00:00", "2026-11-21T08:00:00") "]},"
	    "{\"prefix\":\"10.3.0.0/16\",\"timelines\":[]}]}}";
	struct hy_routes *r;
	char err[256], buf[64];
	time_t t;

	(void)state;
	assert_non_null(r = hy_routes_new());
	assert_int_equal(hy_ripestat_parse(in, sizeof(in) - 1, 7, AT, r, &t,
	    err, sizeof(err)), 0);
	assert_int_equal(hy_routes_finish(r), 0);
	assert_int_equal(r->n, 2);
	hy_prefix_str(&r->v[0].pfx, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.0/16");
	hy_prefix_str(&r->v[1].pfx, buf, sizeof(buf));
	assert_string_equal(buf, "10.2.0.0/16");
	hy_routes_free(r);
}

static void
test_bad(void **state)
{
	static const char *const bad[] = {
	    "{\"status\":\"error\",\"data\":{\"prefixes\":[]}}",
	    "{\"status\":\"ok\",\"data\":{}}",
	    HEAD "{\"prefix\":\"x\",\"timelines\":[]}]}}",
	    "not json",
	    /* no query_endtime */
	    "{\"status\":\"ok\",\"data\":{\"prefixes\":[]}}",
	    /* an answer for a later time than asked */
	    "{\"status\":\"ok\",\"data\":{\"query_endtime\":"
	    "\"2026-11-21T16:00:00\",\"prefixes\":[]}}",
	    /* data more than a day older than the window's end */
	    "{\"status\":\"ok\",\"data\":{\"query_endtime\":"
	    "\"2026-11-20T08:00:00\",\"prefixes\":[]}}",
	    /* no timelines, or unusable ones; the good first prefix must not
	     * be added either */
	    HEAD "{\"prefix\":\"10.0.0.0/8\",\"timelines\":["
	    TL("2026-11-01T00:00:00", "2026-11-21T08:00:00") "]},"
	    "{\"prefix\":\"10.0.0.0/9\"}]}}",
	    HEAD "{\"prefix\":\"10.0.0.0/8\",\"timelines\":["
	    TL("2026-11-01T00:00:00", "2026-11-21T08:00:00") "]},"
	    "{\"prefix\":\"10.0.0.0/9\",\"timelines\":["
	    TL("yesterday", "2026-11-21T08:00:00") "]}]}}",
	};
	struct hy_routes *r;
	char err[256];
	time_t t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_non_null(r = hy_routes_new());
		err[0] = '\0';
		assert_int_equal(hy_ripestat_parse(bad[i], strlen(bad[i]), 1,
		    AT, r, &t, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "AS1"));
		assert_int_equal(r->n, 0);
		hy_routes_free(r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_timelines),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
