/* RIPEstat announced-prefixes answers (recorded in data/ripestat.json). */
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

static void
test_parse(void **state)
{
	json_t *rec, *a;
	struct hy_routes *r;
	char err[256], *s;

	(void)state;
	assert_non_null(rec = json_load_file(HY_RPKI_TEST_DATA
	    "/ripestat.json", 0, NULL));
	assert_non_null(r = hy_routes_new());
	a = json_object_get(rec, "AS64500");
	s = json_dumps(a, 0);
	assert_int_equal(hy_ripestat_parse(s, strlen(s), 64500, r, err,
	    sizeof(err)), 0);
	free(s);
	assert_int_equal(hy_routes_finish(r), 0);
	assert_int_equal(r->n, 4);
	assert_int_equal(r->v[0].asn, 64500);
	hy_routes_free(r);
	json_decref(rec);
}

static void
test_bad(void **state)
{
	static const char *const bad[] = {
	    "{\"status\":\"error\",\"data\":{\"prefixes\":[]}}",
	    "{\"status\":\"ok\",\"data\":{}}",
	    "{\"status\":\"ok\",\"data\":{\"prefixes\":[{\"prefix\":\"x\"}]}}",
	    "not json",
	};
	struct hy_routes *r;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_non_null(r = hy_routes_new());
		err[0] = '\0';
		assert_int_equal(hy_ripestat_parse(bad[i], strlen(bad[i]), 1, r,
		    err, sizeof(err)), -1);
		assert_non_null(strstr(err, "AS1"));
		hy_routes_free(r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
