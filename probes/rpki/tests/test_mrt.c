/*
 * The RIB dump reader (include/hygiene/mrt.h): real RIS dumps against
 * bgpdump's recorded output, hand-built MRT records (peer table, 2- and
 * 4-byte ASNs, AS4_PATH merge, AS_SET, confederations, ADD-PATH,
 * TABLE_DUMP), malformed and truncated input, gzip and bzip2, and the
 * `bgpdump -m` text form.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>
#include <cmocka.h>
#include <zlib.h>

#include "hygiene/mrt.h"
#include "mrt_build.h"

#define MAX_LINES 256

/* Every route as "peer|peer_as|prefix|path_id|path|origin". */
struct lines {
	char	*v[MAX_LINES];
	size_t	 n;
	size_t	 stop_after;	/* 0: never stop */
};

static int
collect(void *arg, const struct hy_rib_route *r)
{
	struct lines *l = arg;
	char peer[64], pfx[64], path[512], pid[16] = "", line[1024];
	uint32_t origin;
	bool set;

	inet_ntop(r->peer_family == 4 ? AF_INET : AF_INET6, r->peer_ip, peer,
	    sizeof(peer));
	hy_prefix_str(&r->pfx, pfx, sizeof(pfx));
	hy_aspath_str(&r->path, path, sizeof(path));
	hy_aspath_origin(&r->path, r->peer_asn, &origin, &set);
	if (r->has_path_id)
		snprintf(pid, sizeof(pid), "%u", r->path_id);
	snprintf(line, sizeof(line), "%s|%u|%s|%s|%s|%s%u", peer, r->peer_asn,
	    pfx, pid, path, set ? "set" : "", origin);
	assert_true(l->n < MAX_LINES);
	l->v[l->n++] = strdup(line);
	if (l->stop_after != 0 && l->n == l->stop_after)
		return 1;
	return 0;
}

static void
lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static void
expect_lines(const struct lines *l, const char *const *want, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < l->n; i++)
		assert_string_equal(l->v[i], want[i]);
	assert_int_equal(l->n, n);
}

/* ---- real dumps against bgpdump's recorded output ---- */

/* bgpdump -m's first fields, in collect()'s form (origin not compared). */
static void
bgpdump_fields(char *line, char *out, size_t len)
{
	char *f[9], *t;
	size_t n = 0;
	bool ap;

	/* strsep, not strtok: empty fields (an empty path) count. */
	while (n < 9 && (t = strsep(&line, "|")) != NULL)
		f[n++] = t;
	assert_true(n >= 7);
	ap = strcmp(f[0], "TABLE_DUMP2_AP") == 0;
	snprintf(out, len, "%s|%s|%s|%s|%s", f[3], f[4], f[5],
	    ap ? f[6] : "", ap ? f[7] : f[6]);
}

static void
oracle_one(const char *dump)
{
	struct lines l = { 0 };
	struct hy_rib_stats st;
	char path[512], err[256], line[4096], want[1024], *bar;
	gzFile f;
	size_t i = 0;

	snprintf(path, sizeof(path), "%s/bgpdump/%s", HY_RPKI_TEST_DATA, dump);
	assert_int_equal(hy_rib_read_file(path, collect, &l, &st, err,
	    sizeof(err)), 0);
	assert_int_equal(st.format, HY_RIB_MRT);
	assert_int_equal(st.compression, HY_RIB_GZIP);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.routes, l.n);
	snprintf(path, sizeof(path), "%s/bgpdump/%s.bgp.gz",
	    HY_RPKI_TEST_DATA, dump);
	assert_non_null(f = gzopen(path, "rb"));
	while (gzgets(f, line, sizeof(line)) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		bgpdump_fields(line, want, sizeof(want));
		assert_true(i < l.n);
		/* compare without the origin collect() appends */
		bar = strrchr(l.v[i], '|');
		assert_int_equal(strncmp(l.v[i], want, strlen(want)), 0);
		assert_ptr_equal(l.v[i] + strlen(want), bar);
		i++;
	}
	gzclose(f);
	assert_int_equal(i, l.n);

	/* The recorded text reads back to the same routes. */
	{
		struct lines t = { 0 };

		assert_int_equal(hy_rib_read_file(path, collect, &t, &st, err,
		    sizeof(err)), 0);
		assert_int_equal(st.format, HY_RIB_BGPDUMP);
		assert_int_equal(st.malformed, 0);
		expect_lines(&t, (const char *const *)l.v, l.n);
		lines_free(&t);
	}
	lines_free(&l);
}

static void
test_bgpdump_oracle(void **state)
{
	(void)state;
	oracle_one("bview.ipv4_unicast_add_path.gz");
	oracle_one("bview.ipv6_unicast_add_path.gz");
	oracle_one("bview.64k_stream_overflow.gz");	/* a > 64 KiB record */
}

/* ---- hand-built records ---- */

static const struct mb_peer peers[] = {
	{ "192.0.2.1", 64500, false },		/* 2-byte AS field */
	{ "2001:db8::2", 4200000000u, true },	/* IPv6, 4-byte AS */
	{ "198.51.100.3", 64502, true },
};

/* An entry whose attributes are given in full (AS_PATH and AS4_PATH). */
static void
entry_raw(struct mb *b, uint16_t peer, const struct mb *attrs)
{
	mb_u16(b, peer);
	mb_u32(b, 1500000000);
	mb_u16(b, (uint16_t)attrs->n);
	mb_bytes(b, attrs->p, attrs->n);
}

static void
build_paths(struct mb *b)
{
	struct mb a = { 0 };
	size_t at;

	mb_peer_table(b, 1700000000, peers, 3);
	/* 1: plain paths, two peers; a prefix with a stray host bit. */
	at = mb_rib_begin(b, 1700000000, "10.0.0.0/15", false, 0, 2);
	mb_rib_entry(b, 0, 0, false, "64500 3356 64496");
	mb_rib_entry(b, 1, 0, false, "4200000000 2914 64496");
	mb_end(b, at);
	b->p[at + 4 + 4 + 1 + 1] |= 0x01;	/* 10.0/15 written as 10.1 */
	/* 2: final AS_SET; confederation segments; extended length. */
	at = mb_rib_begin(b, 1700000001, "2001:db8:100::/40", false, 1, 2);
	mb_rib_entry(b, 1, 0, false, "4200000000 174 {64497,64498}");
	mb_common_attrs(&a);
	mb_aspath(&a, 2, "(65001 65002) 64502 64499", 4, true);
	entry_raw(b, 2, &a);
	mb_free(&a);
	mb_end(b, at);
	/* 3: a 2-byte AS_PATH with AS_TRANS and its AS4_PATH, and one whose
	 * AS4_PATH is longer than AS_PATH (ignored, RFC 6793 4.2.3). */
	at = mb_rib_begin(b, 1700000002, "192.0.2.0/24", false, 2, 3);
	mb_common_attrs(&a);
	mb_aspath(&a, 2, "64500 23456 23456", 2, false);
	mb_aspath(&a, 17, "4200000001 4200000002", 4, false);
	entry_raw(b, 0, &a);
	mb_free(&a);
	mb_aspath(&a, 2, "64502 23456", 2, false);
	mb_aspath(&a, 17, "1 2 3", 4, false);
	entry_raw(b, 2, &a);
	mb_free(&a);
	/* An empty AS_PATH: the peer's own route. */
	mb_common_attrs(&a);
	mb_aspath(&a, 2, "", 4, false);
	entry_raw(b, 2, &a);
	mb_free(&a);
	mb_end(b, at);
	/* 4: ADD-PATH, two paths from one peer; a default route. */
	at = mb_rib_begin(b, 1700000003, "0.0.0.0/0", true, 3, 2);
	mb_rib_entry(b, 0, 7, true, "64500 64496");
	mb_rib_entry(b, 0, 9, true, "64500 1299 64496");
	mb_end(b, at);
}

static const char *const build_paths_want[] = {
	"192.0.2.1|64500|10.0.0.0/15||64500 3356 64496|64496",
	"2001:db8::2|4200000000|10.0.0.0/15||4200000000 2914 64496|64496",
	"2001:db8::2|4200000000|2001:db8:100::/40||4200000000 174 "
	    "{64497,64498}|set0",
	"198.51.100.3|64502|2001:db8:100::/40||(65001 65002) 64502 64499|64499",
	"192.0.2.1|64500|192.0.2.0/24||64500 4200000001 4200000002|4200000002",
	"198.51.100.3|64502|192.0.2.0/24||64502 23456|23456",
	"198.51.100.3|64502|192.0.2.0/24|||64502",
	"192.0.2.1|64500|0.0.0.0/0|7|64500 64496|64496",
	"192.0.2.1|64500|0.0.0.0/0|9|64500 1299 64496|64496",
};

static void
test_mrt_paths(void **state)
{
	struct mb b = { 0 };
	struct lines l = { 0 };
	struct hy_rib_stats st;
	char err[256];

	(void)state;
	build_paths(&b);
	assert_int_equal(hy_rib_parse(b.p, b.n, collect, &l, &st, err,
	    sizeof(err)), 0);
	expect_lines(&l, build_paths_want, sizeof(build_paths_want) /
	    sizeof(build_paths_want[0]));
	assert_int_equal(st.format, HY_RIB_MRT);
	assert_int_equal(st.records, 5);
	assert_int_equal(st.routes, 9);
	assert_int_equal(st.malformed, 0);
	assert_true(st.has_time);
	assert_int_equal(st.time_min, 1700000000);
	assert_int_equal(st.time_max, 1700000003);
	lines_free(&l);
	mb_free(&b);
}

/* TABLE_DUMP (v1): 2-byte peer AS and AS_PATH, merged with AS4_PATH. */
static void
test_mrt_table_dump(void **state)
{
	static const char *const want[] = {
		"192.0.2.9|64510|203.0.113.0/24||64510 4200000005 64496|64496",
		"2001:db8::9|64511|2001:db8:1::/48||64511 64497|64497",
	};
	struct mb b = { 0 }, a = { 0 };
	struct lines l = { 0 };
	struct hy_rib_stats st;
	uint8_t addr[16];
	char err[256];
	size_t at;

	(void)state;
	at = mb_begin(&b, 1200000000, 12, 1);
	mb_u16(&b, 0);			/* view */
	mb_u16(&b, 1);			/* sequence */
	inet_pton(AF_INET, "203.0.113.0", addr);
	mb_bytes(&b, addr, 4);
	mb_u8(&b, 24);
	mb_u8(&b, 1);			/* status */
	mb_u32(&b, 1199999999);
	inet_pton(AF_INET, "192.0.2.9", addr);
	mb_bytes(&b, addr, 4);
	mb_u16(&b, 64510);
	mb_common_attrs(&a);
	mb_aspath(&a, 2, "64510 23456 64496", 2, false);
	mb_aspath(&a, 17, "4200000005 64496", 4, false);
	mb_u16(&b, (uint16_t)a.n);
	mb_bytes(&b, a.p, a.n);
	mb_free(&a);
	mb_end(&b, at);
	at = mb_begin(&b, 1200000000, 12, 2);
	mb_u16(&b, 0);
	mb_u16(&b, 2);
	inet_pton(AF_INET6, "2001:db8:1::", addr);
	mb_bytes(&b, addr, 16);
	mb_u8(&b, 48);
	mb_u8(&b, 1);
	mb_u32(&b, 1199999999);
	inet_pton(AF_INET6, "2001:db8::9", addr);
	mb_bytes(&b, addr, 16);
	mb_u16(&b, 64511);
	mb_aspath(&a, 2, "64511 64497", 2, false);
	mb_u16(&b, (uint16_t)a.n);
	mb_bytes(&b, a.p, a.n);
	mb_free(&a);
	mb_end(&b, at);
	assert_int_equal(hy_rib_parse(b.p, b.n, collect, &l, &st, err,
	    sizeof(err)), 0);
	expect_lines(&l, want, 2);
	assert_int_equal(st.malformed, 0);
	lines_free(&l);
	mb_free(&b);
}

/* Bad records and entries are counted with their record numbers and
 * skipped; the rest of the dump is read. */
static void
test_mrt_malformed(void **state)
{
	static const char *const want[] = {
		"192.0.2.1|64500|10.2.0.0/16||64500 64496|64496",
		"192.0.2.1|64500|10.4.0.0/16||64500 64496|64496",
		"192.0.2.1|64500|10.5.0.0/16||64500 64496|64496",
	};
	static const uint64_t where[] = { 1, 3, 3, 3, 4, 6 };
	struct mb b = { 0 }, a = { 0 };
	struct lines l = { 0 };
	struct hy_rib_stats st;
	char err[256];
	size_t at, i;

	(void)state;
	/* 1: a RIB record before any peer table */
	at = mb_rib_begin(&b, 1, "10.0.0.0/8", false, 0, 1);
	mb_rib_entry(&b, 0, 0, false, "64500 64496");
	mb_end(&b, at);
	mb_peer_table(&b, 1, peers, 1);				/* 2 */
	/* 3: unknown peer; bad segment type; attribute too long; then a
	 * good entry */
	at = mb_rib_begin(&b, 1, "10.2.0.0/16", false, 1, 4);
	mb_rib_entry(&b, 5, 0, false, "64500 64496");
	mb_u8(&a, 0x40); mb_u8(&a, 2); mb_u8(&a, 4);
	mb_u8(&a, 9); mb_u8(&a, 1); mb_u16(&a, 64500);	/* segment type 9 */
	entry_raw(&b, 0, &a);
	mb_free(&a);
	mb_u8(&a, 0x40); mb_u8(&a, 2); mb_u8(&a, 200);	/* runs past */
	mb_u8(&a, 2);
	entry_raw(&b, 0, &a);
	mb_free(&a);
	mb_rib_entry(&b, 0, 0, false, "64500 64496");
	mb_end(&b, at);
	/* 4: a prefix length of 33 */
	at = mb_rib_begin(&b, 1, "10.3.0.0/16", false, 2, 1);
	b.p[at + 4 + 4] = 33;
	mb_rib_entry(&b, 0, 0, false, "64500 64496");
	mb_end(&b, at);
	/* 5: a multicast RIB and a BGP4MP update: skipped, not malformed */
	at = mb_begin(&b, 1, 13, 3);
	mb_u32(&b, 0);
	mb_end(&b, at);
	/* 6: entry count says 2, one entry present */
	at = mb_rib_begin(&b, 1, "10.4.0.0/16", false, 3, 2);
	mb_rib_entry(&b, 0, 0, false, "64500 64496");
	mb_end(&b, at);
	/* 7: BGP4MP */
	at = mb_begin(&b, 1, 16, 4);
	mb_u32(&b, 0);
	mb_end(&b, at);
	at = mb_rib_begin(&b, 1, "10.5.0.0/16", false, 4, 1);	/* 8 */
	mb_rib_entry(&b, 0, 0, false, "64500 64496");
	mb_end(&b, at);
	assert_int_equal(hy_rib_parse(b.p, b.n, collect, &l, &st, err,
	    sizeof(err)), 0);
	expect_lines(&l, want, 3);
	assert_int_equal(st.records, 8);
	assert_int_equal(st.skipped, 2);
	assert_int_equal(st.malformed, sizeof(where) / sizeof(where[0]));
	for (i = 0; i < st.malformed; i++)
		assert_int_equal(st.errors[i].where, where[i]);
	assert_non_null(strstr(st.errors[0].reason, "PEER_INDEX_TABLE"));
	assert_non_null(strstr(st.errors[1].reason, "peer 5"));
	assert_non_null(strstr(st.errors[5].reason, "cut short"));
	lines_free(&l);

	/* Cut anywhere inside the last record: an error, never a shorter
	 * view read as complete. */
	for (i = 1; i < 30; i++) {
		assert_int_equal(hy_rib_parse(b.p, b.n - i, collect, &l, &st,
		    err, sizeof(err)), -1);
		assert_non_null(strstr(err, "cut short"));
		lines_free(&l);
	}
	mb_free(&b);
}

static void
test_mrt_stop(void **state)
{
	struct mb b = { 0 };
	struct lines l = { .stop_after = 2 };
	struct hy_rib_stats st;
	char err[256];

	(void)state;
	build_paths(&b);
	assert_int_equal(hy_rib_parse(b.p, b.n, collect, &l, &st, err,
	    sizeof(err)), -1);
	assert_int_equal(l.n, 2);
	assert_non_null(strstr(err, "stopped"));
	lines_free(&l);
	mb_free(&b);
}

/* ---- compression ---- */

static void
write_gz(const struct mb *b, const char *path, size_t cut)
{
	gzFile f = gzopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(gzwrite(f, b->p, (unsigned)b->n), (int)b->n);
	assert_int_equal(gzclose(f), Z_OK);
	if (cut > 0)
		assert_int_equal(truncate(path, 30), 0);
}

static void
write_bz2(const struct mb *b, const char *path, unsigned streams)
{
	FILE *f = fopen(path, "wb");
	BZFILE *bz;
	size_t half = b->n / 2;
	int e;

	assert_non_null(f);
	if (streams == 1) {
		bz = BZ2_bzWriteOpen(&e, f, 9, 0, 0);
		BZ2_bzWrite(&e, bz, b->p, (int)b->n);
		BZ2_bzWriteClose(&e, bz, 0, NULL, NULL);
	} else {
		/* Two streams back to back, as pbzip2 writes. */
		bz = BZ2_bzWriteOpen(&e, f, 9, 0, 0);
		BZ2_bzWrite(&e, bz, b->p, (int)half);
		BZ2_bzWriteClose(&e, bz, 0, NULL, NULL);
		bz = BZ2_bzWriteOpen(&e, f, 9, 0, 0);
		BZ2_bzWrite(&e, bz, b->p + half, (int)(b->n - half));
		BZ2_bzWriteClose(&e, bz, 0, NULL, NULL);
	}
	assert_int_equal(e, BZ_OK);
	assert_int_equal(fclose(f), 0);
}

static void
read_expect(const char *path, enum hy_rib_compression comp)
{
	struct lines l = { 0 };
	struct hy_rib_stats st;
	char err[256];

	assert_int_equal(hy_rib_read_file(path, collect, &l, &st, err,
	    sizeof(err)), 0);
	assert_int_equal(st.compression, comp);
	expect_lines(&l, build_paths_want, sizeof(build_paths_want) /
	    sizeof(build_paths_want[0]));
	lines_free(&l);
}

static void
read_fails(const char *path, const char *why)
{
	struct lines l = { 0 };
	struct hy_rib_stats st;
	char err[256];

	assert_int_equal(hy_rib_read_file(path, collect, &l, &st, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, why));
	lines_free(&l);
}

static void
test_mrt_compressed(void **state)
{
	char dir[] = "/tmp/hy-mrt-XXXXXX", p[256];
	struct mb b = { 0 };
	size_t i;

	(void)state;
	assert_non_null(mkdtemp(dir));
	build_paths(&b);
	snprintf(p, sizeof(p), "%s/plain.mrt", dir);
	assert_int_equal(mb_write(&b, p), 0);
	read_expect(p, HY_RIB_PLAIN);
	snprintf(p, sizeof(p), "%s/rib.gz", dir);
	write_gz(&b, p, 0);
	read_expect(p, HY_RIB_GZIP);
	snprintf(p, sizeof(p), "%s/rib.bz2", dir);
	write_bz2(&b, p, 1);
	read_expect(p, HY_RIB_BZIP2);
	snprintf(p, sizeof(p), "%s/multi.bz2", dir);
	write_bz2(&b, p, 2);
	read_expect(p, HY_RIB_BZIP2);
	/* truncated compressed streams */
	snprintf(p, sizeof(p), "%s/cut.gz", dir);
	write_gz(&b, p, 30);
	read_fails(p, "truncated");
	snprintf(p, sizeof(p), "%s/cut.bz2", dir);
	write_bz2(&b, p, 1);
	assert_int_equal(truncate(p, 60), 0);
	read_fails(p, "truncated");
	snprintf(p, sizeof(p), "%s/missing", dir);
	read_fails(p, "No such file");
	/* an empty file is an empty view, not an error */
	snprintf(p, sizeof(p), "%s/empty", dir);
	b.n = 0;
	assert_int_equal(mb_write(&b, p), 0);
	{
		struct lines l = { 0 };
		struct hy_rib_stats st;
		char err[256];

		assert_int_equal(hy_rib_read_file(p, collect, &l, &st, err,
		    sizeof(err)), 0);
		assert_int_equal(st.format, HY_RIB_EMPTY);
		assert_int_equal(l.n, 0);
	}
	static const char *const names[] = { "plain.mrt", "rib.gz", "rib.bz2",
	    "multi.bz2", "cut.gz", "cut.bz2", "empty" };
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	rmdir(dir);
	mb_free(&b);
}

/* ---- bgpdump -m text ---- */

static void
test_text(void **state)
{
	static const char text[] =
	    "TABLE_DUMP2|1700000000|B|192.0.2.1|64500|10.1.0.0/16|"
	    "64500 3356 64496|IGP|192.0.2.1|0|0||NAG||\n"		/* 1 */
	    "TABLE_DUMP2_AP|1700000000|B|2001:db8::2|4200000000|"
	    "2001:db8:100::/40|5|4200000000 174 {64497,64498}|IGP\r\n"	/* 2 */
	    "BGP4MP|1700000000|A|192.0.2.1|64500|10.9.0.0/16|64500 1|IGP\n"
	    "TABLE_DUMP|1200000000|B|192.0.2.9|64510|10.1.2.0/24|"
	    "(65001 65002) 64510 [1,2] 64496|IGP\n"			/* 4 */
	    "TABLE_DUMP2|1|B|192.0.2.1|64500|10.0.0.0/33|64500|IGP\n"	/* 5 */
	    "TABLE_DUMP2|1|B|192.0.2.1|64500|10.0.0.0/8\n"		/* 6 */
	    "TABLE_DUMP2|1|B|192.0.2.1|64500|10.0.0.0/8|64500 {1,|IGP\n"
	    "TABLE_DUMP2|1|B|not-an-ip|64500|10.0.0.0/8|64500|IGP\n"	/* 8 */
	    "TABLE_DUMP2_AP|1|B|192.0.2.1|64500|10.0.0.0/8|x|64500|IGP\n"
	    "\n"
	    "TABLE_DUMP2|1700000009|B|192.0.2.1|64500|10.1.0.1/16||IGP";	/* 11 */
	static const char *const want[] = {
		"192.0.2.1|64500|10.1.0.0/16||64500 3356 64496|64496",
		"2001:db8::2|4200000000|2001:db8:100::/40|5|4200000000 174 "
		    "{64497,64498}|set0",
		"192.0.2.9|64510|10.1.2.0/24||(65001 65002) 64510 [1,2] "
		    "64496|64496",
		"192.0.2.1|64500|10.1.0.0/16|||64500",
	};
	static const uint64_t where[] = { 5, 6, 7, 8, 9 };
	struct lines l = { 0 };
	struct hy_rib_stats st;
	char err[256];
	size_t i;

	(void)state;
	assert_int_equal(hy_rib_parse((const uint8_t *)text, sizeof(text) - 1,
	    collect, &l, &st, err, sizeof(err)), 0);
	expect_lines(&l, want, 4);
	assert_int_equal(st.format, HY_RIB_BGPDUMP);
	assert_int_equal(st.records, 11);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(st.malformed, sizeof(where) / sizeof(where[0]));
	for (i = 0; i < st.malformed; i++)
		assert_int_equal(st.errors[i].where, where[i]);
	assert_int_equal(st.time_min, 1200000000);
	assert_int_equal(st.time_max, 1700000009);
	lines_free(&l);
}

/* A line longer than the limit is one malformed line; reading goes on. */
static void
test_text_long_line(void **state)
{
	const char head[] = "TABLE_DUMP2|1|B|192.0.2.1|64500|10.1.0.0/16|64500";
	const char tail[] = "\nTABLE_DUMP2|2|B|192.0.2.1|64500|10.2.0.0/16|"
	    "64500 64496|IGP\n";
	size_t big = (1u << 20) + 4096, n = 0;
	struct lines l = { 0 };
	struct hy_rib_stats st;
	char err[256], *buf;

	(void)state;
	assert_non_null(buf = malloc(big + 256));
	memcpy(buf, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	while (n < big)
		buf[n++] = ' ';
	memcpy(buf + n, tail, sizeof(tail) - 1);
	n += sizeof(tail) - 1;
	assert_int_equal(hy_rib_parse((uint8_t *)buf, n, collect, &l, &st,
	    err, sizeof(err)), 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0],
	    "192.0.2.1|64500|10.2.0.0/16||64500 64496|64496");
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.errors[0].where, 1);
	assert_int_equal(st.records, 2);
	lines_free(&l);
	free(buf);
}

static void
test_aspath_str(void **state)
{
	static const uint32_t asns[] = { 1, 2, 3, 4, 5, 6 };
	static const struct hy_asseg segs[] = {
		{ HY_AS_CONFED_SEQUENCE, 0, 2 }, { HY_AS_SEQUENCE, 2, 1 },
		{ HY_AS_SET, 3, 2 }, { HY_AS_CONFED_SET, 5, 1 },
	};
	struct hy_aspath p = { asns, 6, segs, 4 };
	char buf[64];
	uint32_t o;
	bool set;

	(void)state;
	hy_aspath_str(&p, buf, sizeof(buf));
	assert_string_equal(buf, "(1 2) 3 {4,5} [6]");
	hy_aspath_str(&p, buf, 10);
	assert_string_equal(buf, "(1 2) ...");
	/* a final confederation segment is not the origin: the AS_SET is */
	hy_aspath_origin(&p, 64500, &o, &set);
	assert_true(set);
	assert_int_equal(o, 0);
	p.nsegs = 2;
	hy_aspath_origin(&p, 64500, &o, &set);
	assert_false(set);
	assert_int_equal(o, 3);
	p.nsegs = 1;	/* confederation only: the peer's route */
	hy_aspath_origin(&p, 64500, &o, &set);
	assert_int_equal(o, 64500);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bgpdump_oracle),
		cmocka_unit_test(test_mrt_paths),
		cmocka_unit_test(test_mrt_table_dump),
		cmocka_unit_test(test_mrt_malformed),
		cmocka_unit_test(test_mrt_stop),
		cmocka_unit_test(test_mrt_compressed),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_long_line),
		cmocka_unit_test(test_aspath_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
