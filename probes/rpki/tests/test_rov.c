/*
 * The ROV enforcement rule (include/hygiene/rov.h) at its edges, on small
 * views written as bgpdump -m text: the full-table share, the minimum of
 * invalid routes in view, the "few" share, own originations, AS_SET
 * origins, transit credit, per-collector views, ADD-PATH, the time check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hygiene/isps.h"
#include "hygiene/rov.h"
#include "hygiene/rpki.h"

#define T0 1735689600u

/* 10.0.0.0/8-24 for AS65100: 10.x/24 from AS65100 valid, from others
 * invalid; 20.x is not covered. */
static const char vrps_json[] =
    "{\"roas\": [{\"prefix\": \"10.0.0.0/8\", \"maxLength\": 24, "
    "\"asn\": 65100}, {\"prefix\": \"2001:db8::/32\", \"maxLength\": 48, "
    "\"asn\": 65100}]}";

static const char isps_json[] =
    "{\"isps\": ["
    "{\"id\": \"a\", \"name\": \"A\", \"name_ja\": \"A\", \"asns\": [64501], \"domains\": []},"
    "{\"id\": \"b\", \"name\": \"B\", \"name_ja\": \"B\", \"asns\": [64502,"
    " 64512], \"domains\": []},"
    "{\"id\": \"c\", \"name\": \"C\", \"name_ja\": \"C\", \"asns\": [64503], \"domains\": []}"
    "]}";

struct fx {
	struct hy_vrps		*vrps;
	struct hy_isp_list	*isps;
	struct hy_rov		*rov;
	char			*buf;
	size_t			 len;
	FILE			*f;
};

static int
setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));
	char err[256];

	assert_non_null(fx);
	assert_int_equal(hy_vrps_load_json(vrps_json, strlen(vrps_json), "t",
	    0, &fx->vrps, err, sizeof(err)), 0);
	assert_int_equal(hy_isps_parse(isps_json, strlen(isps_json),
	    &fx->isps, err, sizeof(err)), 0);
	assert_non_null(fx->rov = hy_rov_new(fx->isps, fx->vrps));
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *fx = *state;

	if (fx->f != NULL)
		fclose(fx->f);
	free(fx->buf);
	hy_rov_free(fx->rov);
	hy_isps_free(fx->isps);
	hy_vrps_free(fx->vrps);
	free(fx);
	return 0;
}

/* One route of the dump being written. */
static void
route(struct fx *fx, const char *peer, unsigned peer_as, const char *prefix,
    const char *path)
{
	if (fx->f == NULL)
		assert_non_null(fx->f = open_memstream(&fx->buf, &fx->len));
	fprintf(fx->f, "TABLE_DUMP2|%u|B|%s|%u|%s|%s|IGP|%s|0|0||NAG||\n", T0,
	    peer, peer_as, prefix, path, peer);
}

/* n not-found routes 20.N.0.0/16 on a peer (to fill its table). */
static void
filler(struct fx *fx, const char *peer, unsigned peer_as, unsigned n)
{
	char p[32], path[32];
	unsigned i;

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "20.%u.0.0/16", i);
		snprintf(path, sizeof(path), "%u 65400", peer_as);
		route(fx, peer, peer_as, p, path);
	}
}

/* n invalid routes 10.1.N.0/24 from AS65666 on a peer. */
static void
invalids(struct fx *fx, const char *peer, unsigned peer_as, unsigned n)
{
	char p[32], path[32];
	unsigned i;

	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "10.1.%u.0/24", i);
		snprintf(path, sizeof(path), "%u 65666", peer_as);
		route(fx, peer, peer_as, p, path);
	}
}

/* Close the dump being written and read it into the analysis. */
static void
dump(struct fx *fx, const char *name)
{
	char err[256];

	assert_int_equal(fclose(fx->f), 0);
	fx->f = NULL;
	assert_int_equal(hy_rov_add_buffer(fx->rov, name,
	    (const uint8_t *)fx->buf, fx->len, err, sizeof(err)), 0);
	free(fx->buf);
	fx->buf = NULL;
}

static const struct hy_rov_summary *
isp(struct fx *fx, size_t i)
{
	return hy_rov_isp(fx->rov, i);
}

/* 0.75 of the largest feed is a full table; less is not. */
static void
test_full_share(void **state)
{
	struct fx *fx = *state;

	filler(fx, "192.0.2.9", 65010, 30);
	invalids(fx, "192.0.2.9", 65010, 10);		/* 40 routes */
	filler(fx, "192.0.2.1", 64501, 30);		/* 30 = 0.75 x 40 */
	filler(fx, "192.0.2.2", 64502, 29);		/* 29 < 30 */
	dump(fx, "d");
	assert_int_equal(hy_rov_finish(fx->rov), 0);
	assert_int_equal(isp(fx, 0)->status, HY_ROV_FILTERING);
	assert_int_equal(isp(fx, 0)->full_feeds, 1);
	assert_int_equal(isp(fx, 1)->status, HY_ROV_NO_DATA);
	assert_int_equal(isp(fx, 1)->full_feeds, 0);
	assert_non_null(strstr(isp(fx, 1)->reason, "partial feed"));
}

/* A clean full feed means "filtering" only with 10 invalid routes in
 * view; with 9 it cannot tell. */
static void
test_min_view(void **state)
{
	struct fx *fx = *state;

	filler(fx, "192.0.2.9", 65010, 40);
	invalids(fx, "192.0.2.9", 65010, HY_ROV_MIN_VIEW_INVALID - 1);
	filler(fx, "192.0.2.1", 64501, 40);
	dump(fx, "d");
	assert_int_equal(hy_rov_finish(fx->rov), 0);
	assert_int_equal(isp(fx, 0)->status, HY_ROV_NO_DATA);
	assert_int_equal(isp(fx, 0)->invalid_in_view,
	    HY_ROV_MIN_VIEW_INVALID - 1);
	assert_non_null(strstr(isp(fx, 0)->reason, "too few"));
}

/* At most a tenth of the median invalid-carrying feed is "few": partial;
 * more is not-filtering. */
static void
test_few_share(void **state)
{
	struct fx *fx = *state;

	filler(fx, "192.0.2.9", 65010, 40);
	invalids(fx, "192.0.2.9", 65010, 20);
	filler(fx, "192.0.2.8", 65011, 40);
	invalids(fx, "192.0.2.8", 65011, 20);
	/* 60-route tables: 58 and 59 routes are full (>= 45) */
	filler(fx, "192.0.2.1", 64501, 56);
	invalids(fx, "192.0.2.1", 64501, 2);		/* 2 <= 0.1 x 20 */
	filler(fx, "192.0.2.2", 64502, 56);
	invalids(fx, "192.0.2.2", 64502, 3);		/* 3 > 2 */
	dump(fx, "d");
	assert_int_equal(hy_rov_finish(fx->rov), 0);
	/* feeds with invalid routes: 2, 3, 20, 20: upper median 20 */
	assert_int_equal(isp(fx, 0)->status, HY_ROV_PARTIAL);
	assert_int_equal(isp(fx, 0)->invalid_exported, 2);
	assert_int_equal(isp(fx, 1)->status, HY_ROV_NOT_FILTERING);
	assert_int_equal(isp(fx, 1)->invalid_exported, 3);
	assert_int_equal(isp(fx, 2)->status, HY_ROV_NO_DATA);
}

/*
 * An ISP's own invalid origination is not a route it received: counted
 * as invalid_own, not against its filtering; nor is a route it
 * originates transit. AS_SET origins {1,2} and {2,1} are one route.
 */
static void
test_own_and_sets(void **state)
{
	struct fx *fx = *state;
	json_t *o;

	filler(fx, "192.0.2.9", 65010, 40);
	invalids(fx, "192.0.2.9", 65010, 10);
	route(fx, "192.0.2.9", 65010, "10.9.0.0/24", "65010 64501");
	route(fx, "192.0.2.9", 65010, "10.8.0.0/24", "65010 {65201,65200}");
	route(fx, "192.0.2.8", 65011, "10.8.0.0/24", "65011 {65200,65201}");
	filler(fx, "192.0.2.1", 64501, 40);
	route(fx, "192.0.2.1", 64501, "10.9.0.0/24", "64501");
	dump(fx, "d");
	assert_int_equal(hy_rov_finish(fx->rov), 0);
	assert_int_equal(isp(fx, 0)->status, HY_ROV_FILTERING);
	assert_int_equal(isp(fx, 0)->invalid_exported, 0);
	assert_int_equal(isp(fx, 0)->invalid_own, 1);
	assert_int_equal(isp(fx, 0)->invalid_transit, 0);
	/* 10 + the own one + one AS_SET route */
	assert_int_equal(isp(fx, 0)->invalid_in_view, 12);
	o = hy_rov_source_json(fx->rov);
	assert_int_equal(json_integer_value(json_object_get(o,
	    "invalid_routes")), 12);
	json_decref(o);
}

/*
 * Transit: an ISP anywhere on another peer's path (prepended or not, a
 * route server's path without the peer's AS) is credited once per
 * distinct invalid route, never on its own feed.
 */
static void
test_transit(void **state)
{
	struct fx *fx = *state;
	json_t *o, *e;

	route(fx, "192.0.2.9", 65010, "10.1.0.0/24", "65010 64502 64502 65666");
	route(fx, "192.0.2.8", 65011, "10.1.0.0/24", "65011 64512 65666");
	/* a route server peer: its AS is not on the path */
	route(fx, "192.0.2.7", 65012, "10.1.1.0/24", "64502 65666");
	/* on its own feed (through its other ASN): exported, not transit */
	route(fx, "192.0.2.2", 64502, "10.1.2.0/24", "64502 64512 65666");
	route(fx, "192.0.2.9", 65010, "10.0.0.0/24", "65010 64503 65100");
	dump(fx, "d");
	assert_int_equal(hy_rov_finish(fx->rov), 0);
	assert_int_equal(isp(fx, 1)->invalid_transit, 2);
	assert_int_equal(isp(fx, 1)->invalid_exported, 1);
	/* C crosses only a valid route */
	assert_int_equal(isp(fx, 2)->invalid_transit, 0);
	assert_int_equal(isp(fx, 2)->status, HY_ROV_NO_DATA);
	/* B's one-route feed is no full table (1 < 0.75 x 2): it passes
	 * invalid routes, on weak evidence only */
	assert_int_equal(isp(fx, 1)->full_feeds, 0);
	assert_int_equal(isp(fx, 1)->status, HY_ROV_NOT_FILTERING);
	assert_int_equal(isp(fx, 1)->evidence, HY_ROV_EVIDENCE_TRANSIT);
	assert_non_null(strstr(isp(fx, 1)->reason, "2 invalid routes cross"));
	assert_non_null(strstr(isp(fx, 1)->reason, "partial feeds carry 1 "));
	assert_non_null(o = hy_rov_isp_json(fx->rov, 1));
	e = json_array_get(json_object_get(o, "examples"), 0);
	assert_string_equal(json_string_value(json_object_get(e, "kind")),
	    "exported");
	e = json_array_get(json_object_get(o, "examples"), 1);
	assert_string_equal(json_string_value(json_object_get(e, "kind")),
	    "transit");
	assert_string_equal(json_string_value(json_object_get(e, "path")),
	    "65010 64502 64502 65666");
	assert_string_equal(json_string_value(json_object_get(e, "state")),
	    "invalid-asn");
	assert_int_equal(json_array_size(json_object_get(o, "examples")), 3);
	json_decref(o);
}

/* Each ISP is judged against the view of the collectors it feeds. */
static void
test_two_collectors(void **state)
{
	struct fx *fx = *state;

	filler(fx, "192.0.2.9", 65010, 40);
	invalids(fx, "192.0.2.9", 65010, 12);
	filler(fx, "192.0.2.1", 64501, 40);
	dump(fx, "one");
	filler(fx, "198.51.100.9", 65020, 40);
	route(fx, "198.51.100.9", 65020, "10.7.0.0/24", "65020 65777");
	filler(fx, "198.51.100.2", 64502, 40);
	dump(fx, "two");
	assert_int_equal(hy_rov_finish(fx->rov), 0);
	assert_int_equal(isp(fx, 0)->invalid_in_view, 12);
	assert_int_equal(isp(fx, 0)->status, HY_ROV_FILTERING);
	/* the second collector's view holds one invalid route: too few */
	assert_int_equal(isp(fx, 1)->invalid_in_view, 1);
	assert_int_equal(isp(fx, 1)->status, HY_ROV_NO_DATA);
	/* without a feed: the union */
	assert_int_equal(isp(fx, 2)->invalid_in_view, 13);
}

/* ADD-PATH: every path a peer sends is a route it exports; a default
 * route is never covered by a VRP (and must not reach rtrlib). */
static void
test_addpath_default(void **state)
{
	struct fx *fx = *state;
	const char ap[] =
	    "TABLE_DUMP2_AP|1735689600|B|192.0.2.1|64501|10.1.0.0/24|1|"
	    "64501 65666|IGP\n"
	    "TABLE_DUMP2_AP|1735689600|B|192.0.2.1|64501|10.1.0.0/24|2|"
	    "64501 3356 65666|IGP\n"
	    "TABLE_DUMP2|1735689600|B|192.0.2.1|64501|0.0.0.0/0|64501 3356|"
	    "IGP\n"
	    "TABLE_DUMP2|1735689600|B|2001:db8::1|64501|::/0|64501 3356|IGP\n";
	char err[256];

	assert_int_equal(hy_rov_add_buffer(fx->rov, "ap", (const uint8_t *)ap,
	    sizeof(ap) - 1, err, sizeof(err)), 0);
	assert_int_equal(hy_rov_finish(fx->rov), 0);
	assert_int_equal(isp(fx, 0)->routes_exported, 4);
	assert_int_equal(isp(fx, 0)->invalid_exported, 2);
	assert_int_equal(isp(fx, 0)->invalid_in_view, 1);
	assert_int_equal(isp(fx, 0)->feeds, 2);
}

/* A dump more than a day from the VRPs' time is refused, either way. */
static void
test_time(void **state)
{
	struct fx *fx = *state;
	char err[512];

	filler(fx, "192.0.2.9", 65010, 2);
	dump(fx, "d");
	assert_int_equal(hy_rov_check_time(fx->rov, T0 + HY_ROV_MAX_SKEW, err,
	    sizeof(err)), 0);
	assert_int_equal(hy_rov_check_time(fx->rov, T0 - HY_ROV_MAX_SKEW, err,
	    sizeof(err)), 0);
	assert_int_equal(hy_rov_check_time(fx->rov, T0 + HY_ROV_MAX_SKEW + 1,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "2025-01-01T00:00:00Z"));
	assert_int_equal(hy_rov_check_time(fx->rov, T0 - HY_ROV_MAX_SKEW - 1,
	    err, sizeof(err)), -1);
}

static void
test_limits(void **state)
{
	struct fx *fx = *state;
	char err[256];
	int i;

	hy_rov_free(NULL);
	for (i = 0; i < HY_ROV_MAX_FILES; i++)
		assert_int_equal(hy_rov_add_buffer(fx->rov, "e", NULL, 0, err,
		    sizeof(err)), 0);
	assert_int_equal(hy_rov_add_buffer(fx->rov, "e", NULL, 0, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "at most"));
	assert_int_equal(hy_rov_finish(fx->rov), 0);
	assert_int_equal(isp(fx, 0)->status, HY_ROV_NO_DATA);
	assert_int_equal(hy_rov_malformed(fx->rov), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full_share, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_min_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_few_share, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_and_sets, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_transit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_collectors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_addpath_default, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
