/* VRP JSON loading, RFC 6811 validation with the invalid split, and the
 * per-ISP statistics checked against the hand-computed table in
 * data/EXPECTED.md. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "hygiene/rpki.h"

#define DATA HY_RPKI_TEST_DATA

struct fixture {
	struct hy_vrps	 *vs;
	struct hy_routes *r;
};

static int
setup(void **state)
{
	static struct fixture f;
	char err[256];

	if (hy_vrps_load_file(DATA "/vrps.json", 0, &f.vs, err,
	    sizeof(err)) != 0 ||
	    hy_routes_load(DATA "/routes.txt", &f.r, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	*state = &f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	hy_vrps_free(f->vs);
	hy_routes_free(f->r);
	return 0;
}

static enum hy_rpki_state
state_of(const struct hy_vrps *vs, const char *pfx, uint32_t asn, bool set,
    bool why)
{
	struct hy_prefix p;
	struct hy_rpki_verdict v;

	assert_int_equal(hy_prefix_parse(pfx, strlen(pfx), &p), 0);
	assert_int_equal(hy_vrps_validate(vs, &p, asn, set, why, &v), 0);
	return v.state;
}

static void
test_validate(void **state)
{
	struct fixture *f = *state;
	int why;

	assert_int_equal(hy_vrps_count(f->vs), 7);
	for (why = 0; why < 2; why++) {
		assert_int_equal(state_of(f->vs, "192.0.2.0/24", 64500, 0, why),
		    HY_RPKI_VALID);
		assert_int_equal(state_of(f->vs, "192.0.2.0/25", 64500, 0, why),
		    HY_RPKI_INVALID_LENGTH);
		assert_int_equal(state_of(f->vs, "192.0.2.0/24", 64501, 0, why),
		    HY_RPKI_INVALID_ASN);
		assert_int_equal(state_of(f->vs, "192.0.3.0/24", 64500, 0, why),
		    HY_RPKI_NOT_FOUND);
		assert_int_equal(state_of(f->vs, "2001:db8:1::/48", 64500, 0,
		    why), HY_RPKI_VALID);
		assert_int_equal(state_of(f->vs, "2001:db8:1::/49", 64500, 0,
		    why), HY_RPKI_INVALID_LENGTH);
		assert_int_equal(state_of(f->vs, "2001:db9::/32", 64500, 0,
		    why), HY_RPKI_NOT_FOUND);
		/* An AS_SET and AS 0 never match. */
		assert_int_equal(state_of(f->vs, "192.0.2.0/24", 0, 1, why),
		    HY_RPKI_INVALID_ASN);
		assert_int_equal(state_of(f->vs, "192.0.2.0/24", 0, 0, why),
		    HY_RPKI_INVALID_ASN);
		assert_int_equal(state_of(f->vs, "192.0.3.0/24", 0, 1, why),
		    HY_RPKI_NOT_FOUND);
	}
}

static void
test_reason(void **state)
{
	struct fixture *f = *state;
	struct hy_prefix p;
	struct hy_rpki_verdict v;
	char buf[256];

	assert_int_equal(hy_prefix_parse("192.0.2.0/25", 12, &p), 0);
	assert_int_equal(hy_vrps_validate(f->vs, &p, 64500, false, true, &v), 0);
	hy_rpki_reason(&v, 64500, false, buf, sizeof(buf));
	assert_string_equal(buf,
	    "VRP 192.0.2.0/24-24 AS64500 allows AS64500 only up to /24");
	assert_int_equal(hy_prefix_parse("198.51.100.0/24", 15, &p), 0);
	assert_int_equal(hy_vrps_validate(f->vs, &p, 64500, false, true, &v),
	    0);
	hy_rpki_reason(&v, 64500, false, buf, sizeof(buf));
	assert_string_equal(buf, "1 VRP(s) cover the prefix, none for "
	    "AS64500 (e.g. 198.51.100.0/24-24 AS64501)");
	/* Without why the state is the same and the sentence still true. */
	assert_int_equal(hy_vrps_validate(f->vs, &p, 64500, false, false, &v),
	    0);
	assert_int_equal(v.state, HY_RPKI_INVALID_ASN);
	hy_rpki_reason(&v, 64500, false, buf, sizeof(buf));
	assert_string_equal(buf, "VRPs cover the prefix, none for AS64500");
}

static void
test_json_forms(void **state)
{
	static const char bare[] = "[{\"prefix\":\"10.0.0.0/8\","
	    "\"maxLength\":8,\"asn\":\"0\"},{\"prefix\":\"10.0.0.0/8\","
	    "\"asn\":\"as7\"},{\"prefix\":\"10.0.0.0/8\",\"maxLength\":8,"
	    "\"asn\":7}]";
	static const char *const bad[] = {
	    "{\"roas\":[{\"prefix\":\"10.0.0.0/8\",\"maxLength\":7,\"asn\":1}]}",
	    "{\"roas\":[{\"prefix\":\"10.0.0.0/8\",\"maxLength\":33,\"asn\":1}]}",
	    "{\"roas\":[{\"prefix\":\"10.0.0.1/8\",\"maxLength\":8,\"asn\":1}]}",
	    "{\"roas\":[{\"prefix\":\"10.0.0.0/8\",\"maxLength\":8,\"asn\":\"ASx\"}]}",
	    "{\"roas\":[{\"prefix\":\"10.0.0.0/8\",\"maxLength\":8,\"asn\":-1}]}",
	    "{\"roas\":[{\"maxLength\":8,\"asn\":1}]}",
	    "[{\"prefix\":\"::/0\",\"asn\":\"0\"}]",
	    "[{\"prefix\":\"0.0.0.0/0\",\"maxLength\":32,\"asn\":1}]",
	    "{\"roas\":{}}",
	    "{\"roas\":[]}",
	    "[]",
	    "{\"roas\":[",
	};
	struct hy_vrps *vs;
	char err[256];
	size_t i;

	(void)state;
	assert_int_equal(hy_vrps_load_json(bare, sizeof(bare) - 1, "t", 0, &vs,
	    err, sizeof(err)), 0);
	/* The second and third entries are the same VRP. */
	assert_int_equal(hy_vrps_count(vs), 2);
	assert_int_equal(state_of(vs, "10.0.0.0/8", 7, 0, 0), HY_RPKI_VALID);
	assert_int_equal(state_of(vs, "10.0.0.0/9", 7, 0, 0),
	    HY_RPKI_INVALID_LENGTH);
	hy_vrps_free(vs);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(hy_vrps_load_json(bad[i], strlen(bad[i]), "t",
		    0,
		    &vs, err, sizeof(err)), -1);
		assert_null(vs);
		assert_true(err[0] != '\0');
	}
}

static void
write_file(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/*
 * A VRP file cut short is refused wherever the cut falls, plain (the JSON
 * document is incomplete) or gzip (CRC and length): a partial VRP set
 * would turn invalid routes into not-found.
 */
static void
test_truncated(void **state)
{
	char path[] = "/tmp/hy-vrps-XXXXXX", gzpath[64], err[512];
	char *doc, *gz;
	struct hy_vrps *vs;
	size_t len = 0, gzlen, cut, i, end;
	gzFile g;
	FILE *f;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	assert_non_null(doc = malloc(128 * 200 + 256));
	len += (size_t)sprintf(doc, "{\"metadata\": {\"buildtime\": "
	    "\"2026-11-01T00:00:00Z\"}, \"roas\": [");
	for (i = 0; i < 200; i++)
		len += (size_t)sprintf(doc + len, "%s{\"prefix\": "
		    "\"10.%zu.%zu.0/24\", \"maxLength\": 24, \"asn\": "
		    "\"AS%zu\"}", i ? ", " : "", i % 256, (i * 7) % 256,
		    64500 + i);
	len += (size_t)sprintf(doc + len, "]}\n");
	end = len - 1;			/* the closing brace's end */
	write_file(path, doc, len);
	assert_int_equal(hy_vrps_load_file(path, 0, &vs, err, sizeof(err)), 0);
	assert_int_equal(hy_vrps_count(vs), 200);
	hy_vrps_free(vs);
	for (cut = 0; cut < end; cut++) {
		write_file(path, doc, cut);
		if (hy_vrps_load_file(path, 0, &vs, err, sizeof(err)) != -1)
			fail_msg("VRP file cut at %zu of %zu bytes was "
			    "accepted", cut, len);
		assert_null(vs);
	}
	snprintf(gzpath, sizeof(gzpath), "%s.gz", path);
	assert_non_null(g = gzopen(gzpath, "wb9"));
	assert_int_equal(gzwrite(g, doc, (unsigned)len), (int)len);
	assert_int_equal(gzclose(g), Z_OK);
	assert_non_null(f = fopen(gzpath, "rb"));
	assert_non_null(gz = malloc(len));
	gzlen = fread(gz, 1, len, f);
	fclose(f);
	assert_int_equal(hy_vrps_load_file(gzpath, 0, &vs, err,
	    sizeof(err)), 0);
	assert_int_equal(hy_vrps_count(vs), 200);
	hy_vrps_free(vs);
	for (cut = 0; cut < gzlen; cut++) {
		write_file(gzpath, gz, cut);
		err[0] = '\0';
		if (hy_vrps_load_file(gzpath, 0, &vs, err, sizeof(err)) != -1)
			fail_msg("gzip VRP file cut at %zu of %zu bytes was "
			    "accepted", cut, gzlen);
		assert_non_null(strstr(err, gzpath));
	}
	unlink(path);
	unlink(gzpath);
	free(doc);
	free(gz);
}

struct expect {
	uint32_t	asns[2];
	size_t		nasns;
	uint64_t	valid, inv_asn, inv_len, not_found;
	double		v4[HY_RPKI_NSTATES + 2], v6[HY_RPKI_NSTATES + 2];
	size_t		nvrps, nloose;
};

/* data/EXPECTED.md; v4/v6 in state order then total, invalid. */
static const struct expect expected[] = {
	{ { 64500 }, 1, 5, 3, 2, 2,
	    { 257, 3, 0.5, 768, 1027, 3 }, { 65536, 0, 0.5, 0, 65536, 0.5 },
	    3, 1 },
	{ { 64502 }, 1, 1, 0, 0, 0,
	    { 1, 0, 0, 0, 1, 0 }, { 0, 0, 0, 0, 0, 0 }, 1, 1 },
	{ { 64503, 64501 }, 2, 3, 0, 0, 1,
	    { 4096, 0, 0, 512, 4608, 0 }, { 0, 0, 0, 0, 0, 0 }, 2, 0 },
};

static void
test_isp_stats(void **state)
{
	static const uint32_t all[] = { 64500, 64501, 64502, 64503 };
	struct fixture *f = *state;
	struct hy_rpki_stats *st;
	const struct expect *e;
	uint8_t *states;
	size_t i, pass;
	int s;

	/* Pass 0 validates ISP by ISP (with reasons), pass 1 reads the states
	 * precomputed in table order; both must give the same table. */
	assert_non_null(states = hy_rpki_states(f->vs, f->r, all, 4));
	for (pass = 0; pass < 2; pass++)
	for (i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		e = &expected[i];
		assert_int_equal(hy_rpki_isp_stats(f->vs, f->r,
		    pass ? states : NULL, e->asns, e->nasns, pass == 0, &st), 0);
		assert_int_equal(st->routes[HY_RPKI_VALID], e->valid);
		assert_int_equal(st->routes[HY_RPKI_INVALID_ASN], e->inv_asn);
		assert_int_equal(st->routes[HY_RPKI_INVALID_LENGTH], e->inv_len);
		assert_int_equal(st->routes[HY_RPKI_NOT_FOUND], e->not_found);
		assert_int_equal(st->ndetail, pass == 0 ? st->nroutes : 0);
		for (s = 0; s < HY_RPKI_NSTATES + 2; s++) {
			assert_float_equal(st->v4_24[s], e->v4[s], 1e-9);
			assert_float_equal(st->v6_48[s], e->v6[s], 1e-9);
		}
		assert_int_equal(st->nvrps, e->nvrps);
		assert_int_equal(st->nloose, e->nloose);
		hy_rpki_stats_free(st);
	}
	free(states);
}

static void
test_stats_json(void **state)
{
	struct fixture *f = *state;
	struct hy_rpki_stats *st;
	uint32_t asn = 64500;
	json_t *j, *routes;

	assert_int_equal(hy_rpki_isp_stats(f->vs, f->r, NULL, &asn, 1, true,
	    &st), 0);
	assert_non_null(j = hy_rpki_stats_json(st, f->r));
	routes = json_object_get(j, "routes");
	assert_int_equal(json_object_size(routes), 5);
	assert_int_equal(json_integer_value(json_object_get(routes, "valid")), 5);
	assert_int_equal(json_integer_value(json_object_get(routes, "invalid")), 5);
	assert_int_equal(json_integer_value(json_object_get(routes,
	    "not-found")), 2);
	assert_int_equal(json_integer_value(json_object_get(routes,
	    "invalid-asn")), 3);
	assert_int_equal(json_integer_value(json_object_get(routes,
	    "invalid-length")), 2);
	assert_float_equal(json_real_value(json_object_get(j, "roa_coverage")),
	    10.0 / 12.0, 1e-9);
	assert_int_equal(json_array_size(json_object_get(j, "routes_detail")),
	    12);
	json_decref(j);
	hy_rpki_stats_free(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_json_forms),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_isp_stats),
		cmocka_unit_test(test_stats_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
