/* Route file parsing: the three line formats, multi-origin prefixes,
 * AS_SETs, comments, malformed lines with their numbers, gzip input and
 * longest-prefix match. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>
#include <zlib.h>

#include "hygiene/rpki.h"

static const char sample[] =
    "; IP-ASN32-DAT file\n"				/* 1 */
    "# another comment\n"				/* 2 */
    "\n"						/* 3 */
    "192.0.2.0/24\t64500\n"				/* 4 ipasn */
    "192.0.2.0\t24\t64501_64502\r\n"			/* 5 CAIDA multi */
    "198.51.100.0\t24\t64504,64503\n"			/* 6 CAIDA set */
    "2001:db8::/32\t64505\n"				/* 7 ipasn v6 */
    "TABLE_DUMP2|1446336000|B|203.0.113.1|65000|203.0.113.0/24|"
    "65000 3356 64506|IGP|203.0.113.1|0|0||NAG||\n"	/* 8 bgpdump */
    "TABLE_DUMP2|1446336000|B|203.0.113.1|65000|203.0.113.128/25|"
    "65000 {64507,64508}|IGP|203.0.113.1|0|0||NAG||\n"	/* 9 set */
    "BGP4MP|1446336000|W|203.0.113.1|65000|10.0.0.0/8\n"	/* 10 W */
    "this is not a route\n"				/* 11 bad */
    "10.0.0.1/8\t1\n"					/* 12 host bits */
    "10.0.0.0/33\t1\n"					/* 13 bad len */
    "10.0.0.0/8\t4294967296\n"				/* 14 bad AS */
    "10.0.0.0/8\n"					/* 15 no AS */
    "192.0.2.0/24\tAS64500\n"				/* 16 duplicate */
    "TABLE_DUMP2|1|B|203.0.113.1|65000|10.0.0.0/8||IGP\n"	/* 17 no path */
    "10.0.0.0\t8\t1_\n";				/* 18 bad multi */

static const struct hy_route *
find(const struct hy_routes *r, const char *pfx, uint32_t asn, size_t nset)
{
	char buf[64];
	size_t i;

	for (i = 0; i < r->n; i++) {
		hy_prefix_str(&r->v[i].pfx, buf, sizeof(buf));
		if (strcmp(buf, pfx) == 0 && r->v[i].asn == asn &&
		    r->v[i].set_len == nset)
			return &r->v[i];
	}
	return NULL;
}

static void
check_sample(const struct hy_routes *r)
{
	static const size_t bad[] = { 11, 12, 13, 14, 15, 17, 18 };
	const struct hy_route *rt;
	size_t i;

	assert_int_equal(r->lines, 18);
	assert_int_equal(r->n, 7);
	assert_non_null(find(r, "192.0.2.0/24", 64500, 0));
	assert_non_null(find(r, "192.0.2.0/24", 64501, 0));
	assert_non_null(find(r, "192.0.2.0/24", 64502, 0));
	assert_non_null(find(r, "2001:db8::/32", 64505, 0));
	assert_non_null(find(r, "203.0.113.0/24", 64506, 0));
	rt = find(r, "198.51.100.0/24", 0, 2);
	assert_non_null(rt);
	assert_int_equal(r->sets[rt->set_off], 64503);	/* sorted */
	assert_int_equal(r->sets[rt->set_off + 1], 64504);
	rt = find(r, "203.0.113.128/25", 0, 2);
	assert_non_null(rt);
	assert_int_equal(r->sets[rt->set_off], 64507);
	assert_int_equal(r->nerrors, sizeof(bad) / sizeof(bad[0]));
	for (i = 0; i < r->nerrors; i++)
		assert_int_equal(r->errors[i].line, bad[i]);
	assert_int_equal(r->nsetroutes, 2);
	assert_int_equal(r->nby_asn, 5);
}

static void
test_parse(void **state)
{
	struct hy_routes *r;

	(void)state;
	assert_int_equal(hy_routes_parse(sample, sizeof(sample) - 1, &r), 0);
	check_sample(r);
	hy_routes_free(r);
}

static void
test_gzip(void **state)
{
	char path[] = "/tmp/hy-routes-XXXXXX", err[256];
	struct hy_routes *r;
	gzFile gz;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(gz = gzdopen(fd, "wb"));
	assert_int_equal(gzwrite(gz, sample, sizeof(sample) - 1),
	    (int)sizeof(sample) - 1);
	assert_int_equal(gzclose(gz), Z_OK);
	assert_int_equal(hy_routes_load(path, &r, err, sizeof(err)), 0);
	check_sample(r);
	hy_routes_free(r);
	unlink(path);
	assert_int_equal(hy_routes_load(path, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
}

/* A route file of n lines, varied enough that gzip has real work. */
static char *
make_table(size_t n, size_t *len)
{
	char *buf = malloc(n * 40 + 1);
	size_t off = 0, i;

	assert_non_null(buf);
	for (i = 0; i < n; i++)
		off += (size_t)sprintf(buf + off, "%zu.%zu.%zu.0/24\t%zu\n",
		    1 + i % 200, (i * 7) % 256, (i * 13) % 256,
		    64496 + (i * 31) % 1000);
	*len = off;
	return buf;
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
 * A cut copy of a route file is refused wherever the cut falls (issue 10
 * item 11): a gzip file through its CRC and length (every cut point is
 * tried), a plain file because its last line then lacks its newline. A
 * plain file cut exactly at a line end cannot be told from a shorter file;
 * it must still hold every line before the cut, and an empty one is
 * refused as holding no routes.
 */
static void
test_truncated(void **state)
{
	char path[] = "/tmp/hy-routes-XXXXXX", gzpath[64], err[512];
	struct hy_routes *r;
	char *plain, *gz;
	size_t plen, gzlen, cut, lines;
	gzFile g;
	FILE *f;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	plain = make_table(300, &plen);
	snprintf(gzpath, sizeof(gzpath), "%s.gz", path);
	assert_non_null(g = gzopen(gzpath, "wb9"));
	assert_int_equal(gzwrite(g, plain, (unsigned)plen), (int)plen);
	assert_int_equal(gzclose(g), Z_OK);
	assert_non_null(f = fopen(gzpath, "rb"));
	gz = malloc(plen + 1024);
	assert_non_null(gz);
	gzlen = fread(gz, 1, plen + 1024, f);
	fclose(f);
	assert_true(gzlen > 100 && gzlen < plen);
	assert_int_equal(hy_routes_load(gzpath, &r, err, sizeof(err)), 0);
	assert_int_equal(r->n, 300);
	hy_routes_free(r);
	for (cut = 0; cut < gzlen; cut++) {
		write_file(gzpath, gz, cut);
		err[0] = '\0';
		if (hy_routes_load(gzpath, &r, err, sizeof(err)) != -1)
			fail_msg("gzip cut at %zu of %zu bytes was accepted "
			    "(%zu routes)", cut, gzlen, r->n);
		assert_non_null(strstr(err, gzpath));
	}
	for (cut = 0, lines = 0; cut < plen; cut++) {
		write_file(path, plain, cut);
		if (cut > 0 && plain[cut - 1] == '\n') {
			lines++;
			assert_int_equal(hy_routes_load(path, &r, err,
			    sizeof(err)), 0);
			assert_int_equal(r->lines, lines);
			hy_routes_free(r);
			continue;
		}
		err[0] = '\0';
		if (hy_routes_load(path, &r, err, sizeof(err)) != -1)
			fail_msg("plain cut at %zu of %zu bytes was accepted",
			    cut, plen);
		assert_non_null(strstr(err, path));
	}
	/* The refusals say why. */
	write_file(path, plain, 20);
	assert_int_equal(hy_routes_load(path, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	write_file(gzpath, gz, gzlen - 3);
	assert_int_equal(hy_routes_load(gzpath, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	write_file(path, "# nothing\n", 10);
	assert_int_equal(hy_routes_load(path, &r, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no routes"));
	unlink(path);
	unlink(gzpath);
	free(plain);
	free(gz);
}

static void
test_lookup(void **state)
{
	static const char in[] =
	    "10.0.0.0/8\t1\n10.1.0.0/16\t2\n10.1.0.0/16\t3\n"
	    "10.1.2.0/24\t4\n2001:db8::/32\t5\n2001:db8:1::/48\t6\n";
	struct hy_routes *r;
	const struct hy_route *rt;
	uint8_t a[16];
	size_t n;

	(void)state;
	assert_int_equal(hy_routes_parse(in, sizeof(in) - 1, &r), 0);
	inet_pton(AF_INET, "10.1.2.3", a);
	assert_non_null(rt = hy_routes_lookup(r, 4, a, &n));
	assert_int_equal(rt->asn, 4);
	assert_int_equal(rt->pfx.len, 24);
	inet_pton(AF_INET, "10.1.3.3", a);
	assert_non_null(rt = hy_routes_lookup(r, 4, a, &n));
	assert_int_equal(n, 2);
	assert_int_equal(rt[0].asn, 2);
	assert_int_equal(rt[1].asn, 3);
	inet_pton(AF_INET, "10.200.0.1", a);
	assert_non_null(rt = hy_routes_lookup(r, 4, a, &n));
	assert_int_equal(rt->asn, 1);
	inet_pton(AF_INET, "11.0.0.1", a);
	assert_null(hy_routes_lookup(r, 4, a, &n));
	assert_int_equal(n, 0);
	inet_pton(AF_INET6, "2001:db8:1::53", a);
	assert_non_null(rt = hy_routes_lookup(r, 6, a, &n));
	assert_int_equal(rt->asn, 6);
	inet_pton(AF_INET6, "2001:db8:2::53", a);
	assert_non_null(rt = hy_routes_lookup(r, 6, a, &n));
	assert_int_equal(rt->asn, 5);
	hy_routes_free(r);
}

static void
test_prefix(void **state)
{
	struct hy_prefix a, b;

	(void)state;
	assert_int_equal(hy_prefix_parse("10.0.0.0/8", 10, &a), 0);
	assert_int_equal(hy_prefix_parse("10.1.0.0/16", 11, &b), 0);
	assert_true(hy_prefix_covers(&a, &b));
	assert_false(hy_prefix_covers(&b, &a));
	assert_int_equal(hy_prefix_parse("10.0.0.0/", 9, &a), -1);
	assert_int_equal(hy_prefix_parse("10.0.0.0/8x", 11, &a), -1);
	assert_int_equal(hy_prefix_parse("::/0", 4, &a), 0);
	assert_int_equal(hy_prefix_parse("2001:db8::1/128", 15, &b), 0);
	assert_true(hy_prefix_covers(&a, &b));
}

static void
test_origin_txt(void **state)
{
	static const char good[] =
	    "64500 64501 | 192.0.2.0/24 | JP | apnic | 2026-01-01";
	static const char *const bad[] = {
	    "", "|", "garbled", "64500", "64500 | ", "64500 | 192.0.2.0/33",
	    "AS64500 | 192.0.2.0/24", "64500 | 192.0.2.1/24 | JP",
	    "1 2 3 4 5 6 7 8 9 | 10.0.0.0/8",
	};
	struct hy_prefix p;
	uint32_t o[8];
	char buf[64];
	size_t n, i;

	(void)state;
	assert_int_equal(hy_rpki_parse_origin_txt(good, sizeof(good) - 1, &p,
	    o, 8, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(o[0], 64500);
	assert_int_equal(o[1], 64501);
	hy_prefix_str(&p, buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.0/24");
	assert_int_equal(hy_rpki_parse_origin_txt("64500|2001:db8::/32",
	    strlen("64500|2001:db8::/32"), &p, o, 8, &n), 0);
	assert_int_equal(p.family, 6);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(hy_rpki_parse_origin_txt(bad[i], strlen(bad[i]),
		    &p, o, 8, &n), -1);
}

/* bgpdump -m of an ADD-PATH dump: the path identifier is not the path. */
static void
test_bgpdump_addpath(void **state)
{
	static const char text[] =
	    "TABLE_DUMP2_AP|1452168107|B|10.0.15.1|65015|10.0.10.0/24|36|"
	    "65015 65014 65011|IGP|10.0.15.1|100|0||NAG||\n";
	struct hy_routes *r;

	(void)state;
	assert_int_equal(hy_routes_parse(text, sizeof(text) - 1, &r), 0);
	assert_int_equal(r->nerrors, 0);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->v[0].asn, 65011);
	hy_routes_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_origin_txt),
		cmocka_unit_test(test_bgpdump_addpath),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
