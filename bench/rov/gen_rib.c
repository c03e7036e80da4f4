/*
 * A synthetic full-size collector RIB for bench/rov: an MRT TABLE_DUMP_V2
 * dump (gzip, as RIPE RIS publishes them), its VRPs, an ISP list and a
 * manifest of what the dump holds by construction.
 *
 *   hygiene-rov-gen [-p PREFIXES] [-n PEERS] [-s SEED] OUTDIR
 *
 * Defaults: 1,000,000 prefixes (90% IPv4 /24, 10% IPv6 /48) seen by 30
 * peers, seed 2025. Half of the prefixes have an exact VRP; 2% of those
 * are announced by another AS (invalid-asn). Every path is
 * peer, 1-3 transit ASes (AS3000-3199), origin. Peer j (AS2000+j):
 * j % 3 == 0 drops every invalid route (filtering), 1 passes all
 * (not-filtering), 2 passes one in twenty (partial); each peer misses
 * one prefix in a hundred. Peers 0-9 are the ISPs of isps.json.
 *
 * The manifest (manifest.json) lists the routes, the invalid routes per
 * peer and the distinct invalid routes, so a test can check a reader
 * against the generator's own count.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#define DUMP_TIME	1735689600u	/* 2025-01-01T00:00:00Z */
#define MAX_PEERS	256
#define NISPS		10

struct buf {
	uint8_t		*p;
	size_t		 n, cap;
};

static void
put(struct buf *b, const void *v, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(b->p + b->n, v, n);
	b->n += n;
}

static void
put8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void
put16(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(b, x, 2);
}

static void
put32(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	put(b, x, 4);
}

/* A stateless hash: the same (prefix, peer) always decides the same. */
static uint64_t
mix(uint64_t seed, uint64_t a, uint64_t b)
{
	uint64_t x = seed ^ (a * 0x9e3779b97f4a7c15ULL) ^
	    (b * 0xc2b2ae3d27d4eb4fULL);

	x ^= x >> 31;
	x *= 0x7fb5d7c2ad6b2d1dULL;
	x ^= x >> 29;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 32;
	return x;
}

struct prefix {
	int		 v6;
	uint8_t		 addr[16];
	uint8_t		 len;
	uint32_t	 origin;	/* as announced */
	uint32_t	 roa_asn;	/* 0: no VRP */
};

static void
prefix_of(uint64_t seed, uint64_t i, uint64_t n, struct prefix *p)
{
	uint64_t nv4 = n - n / 10, k;

	memset(p, 0, sizeof(*p));
	if (i < nv4) {
		k = (11ULL << 16) + i;	/* 11.0.0.0/24 onwards */
		p->addr[0] = (uint8_t)(k >> 16);
		p->addr[1] = (uint8_t)(k >> 8);
		p->addr[2] = (uint8_t)k;
		p->len = 24;
	} else {
		k = i - nv4;	/* 2a00:XXXX:XXXX::/48 */
		p->v6 = 1;
		p->addr[0] = 0x2a;
		p->addr[2] = (uint8_t)(k >> 24);
		p->addr[3] = (uint8_t)(k >> 16);
		p->addr[4] = (uint8_t)(k >> 8);
		p->addr[5] = (uint8_t)k;
		p->len = 48;
	}
	p->origin = 10000 + (uint32_t)((i / 8) % 50000);
	if (mix(seed, i, 1000) % 2 == 0) {
		p->roa_asn = p->origin;
		if (mix(seed, i, 1001) % 50 == 0)
			p->origin = 4200000000u + (uint32_t)(i % 1000);
	}
}

static int
invalid(const struct prefix *p)
{
	return p->roa_asn != 0 && p->origin != p->roa_asn;
}

/* Does peer j carry this route? */
static int
carries(uint64_t seed, uint64_t i, unsigned j, const struct prefix *p)
{
	if (mix(seed, i, 2000 + j) % 100 == 0)
		return 0;
	if (!invalid(p))
		return 1;
	return j % 3 == 1 || (j % 3 == 2 && mix(seed, i, 3000 + j) % 20 == 0);
}

static void
entry(struct buf *b, uint64_t seed, uint64_t i, unsigned j,
    const struct prefix *p)
{
	uint8_t attrs[64], *a = attrs;
	unsigned ntransit = 1 + (unsigned)(mix(seed, i, 4000 + j) % 3), t,
	    segn = ntransit + 2, k;
	uint32_t asn;

	*a++ = 0x40; *a++ = 1; *a++ = 1; *a++ = 0;		/* ORIGIN IGP */
	*a++ = 0x40; *a++ = 2; *a++ = (uint8_t)(2 + 4 * segn);	/* AS_PATH */
	*a++ = 2; *a++ = (uint8_t)segn;
	for (k = 0; k < segn; k++) {
		if (k == 0)
			asn = 2000 + j;
		else if (k == segn - 1)
			asn = p->origin;
		else {
			t = (unsigned)(mix(seed, i, 5000 + j * 8 + k) % 200);
			asn = 3000 + t;
		}
		*a++ = (uint8_t)(asn >> 24); *a++ = (uint8_t)(asn >> 16);
		*a++ = (uint8_t)(asn >> 8); *a++ = (uint8_t)asn;
	}
	if (!p->v6) {
		*a++ = 0x40; *a++ = 3; *a++ = 4;		/* NEXT_HOP */
		*a++ = 100; *a++ = 127; *a++ = (uint8_t)(j >> 8);
		*a++ = (uint8_t)j;
	}
	put16(b, (uint16_t)j);
	put32(b, DUMP_TIME);
	put16(b, (uint16_t)(a - attrs));
	put(b, attrs, (size_t)(a - attrs));
}

static void
record(struct buf *b, uint16_t sub, const struct buf *body)
{
	put32(b, DUMP_TIME);
	put16(b, 13);
	put16(b, sub);
	put32(b, (uint32_t)body->n);
	put(b, body->p, body->n);
}

static void
flush(gzFile gz, struct buf *b)
{
	if (b->n > 0 && gzwrite(gz, b->p, (unsigned)b->n) != (int)b->n) {
		fprintf(stderr, "gzwrite failed\n");
		exit(1);
	}
	b->n = 0;
}

static FILE *
open_out(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		exit(1);
	}
	return f;
}

static void
prefix_text(const struct prefix *p, char *s, size_t len)
{
	if (p->v6)
		snprintf(s, len, "2a00:%02x%02x:%02x%02x::/48", p->addr[2],
		    p->addr[3], p->addr[4], p->addr[5]);
	else
		snprintf(s, len, "%u.%u.%u.0/24", p->addr[0], p->addr[1],
		    p->addr[2]);
}

int
main(int argc, char **argv)
{
	uint64_t n = 1000000, seed = 2025, i, routes = 0, distinct = 0;
	uint64_t per_routes[MAX_PEERS] = { 0 }, per_invalid[MAX_PEERS] = { 0 };
	unsigned npeers = 30, j, c;
	struct buf out = { 0 }, body = { 0 };
	struct prefix p;
	char path[4096], pt[64];
	gzFile gz;
	FILE *f;
	int ch, first = 1;

	while ((ch = getopt(argc, argv, "p:n:s:")) != -1) {
		switch (ch) {
		case 'p': n = strtoull(optarg, NULL, 10); break;
		case 'n': npeers = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		default: goto usage;
		}
	}
	if (optind + 1 != argc || n == 0 || npeers < NISPS ||
	    npeers > MAX_PEERS)
		goto usage;
	if (mkdir(argv[optind], 0777) != 0 && errno != EEXIST) {
		fprintf(stderr, "%s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	snprintf(path, sizeof(path), "%s/rib.mrt.gz", argv[optind]);
	if ((gz = gzopen(path, "wb1")) == NULL) {
		fprintf(stderr, "%s: cannot write\n", path);
		return 1;
	}
	/* PEER_INDEX_TABLE: IPv4 peers 100.127.0.j with 4-byte ASNs. */
	put32(&body, 0xc0000201);
	put16(&body, 5);
	put(&body, "bench", 5);
	put16(&body, (uint16_t)npeers);
	for (j = 0; j < npeers; j++) {
		put8(&body, 0x02);
		put32(&body, 0x0a000000 + j);
		put8(&body, 100); put8(&body, 127);
		put8(&body, (uint8_t)(j >> 8)); put8(&body, (uint8_t)j);
		put32(&body, 2000 + j);
	}
	record(&out, 1, &body);
	f = open_out(argv[optind], "vrps.json");
	fprintf(f, "{\"metadata\": {\"buildtime\": \"2025-01-01T00:00:00Z\"}"
	    ", \"roas\": [\n");
	for (i = 0; i < n; i++) {
		prefix_of(seed, i, n, &p);
		if (p.roa_asn != 0) {
			prefix_text(&p, pt, sizeof(pt));
			fprintf(f, "%s{\"prefix\": \"%s\", \"maxLength\": %u, "
			    "\"asn\": %u}", first ? "" : ",\n", pt, p.len,
			    p.roa_asn);
			first = 0;
		}
		body.n = 0;
		put32(&body, (uint32_t)i);
		put8(&body, p.len);
		put(&body, p.addr, p.len / 8);
		put16(&body, 0);	/* entry count, set below */
		for (j = c = 0; j < npeers; j++) {
			if (!carries(seed, i, j, &p))
				continue;
			entry(&body, seed, i, j, &p);
			per_routes[j]++;
			per_invalid[j] += (uint64_t)invalid(&p);
			c++;
		}
		body.p[4 + 1 + p.len / 8] = (uint8_t)(c >> 8);
		body.p[4 + 1 + p.len / 8 + 1] = (uint8_t)c;
		routes += c;
		if (invalid(&p) && c > 0)
			distinct++;
		record(&out, p.v6 ? 4 : 2, &body);
		if (out.n > (1u << 20))
			flush(gz, &out);
	}
	flush(gz, &out);
	if (gzclose(gz) != Z_OK) {
		fprintf(stderr, "%s: write error\n", path);
		return 1;
	}
	fprintf(f, "\n]}\n");
	fclose(f);
	f = open_out(argv[optind], "isps.json");
	fprintf(f, "{\"isps\": [\n");
	for (j = 0; j < NISPS; j++)
		fprintf(f, "  {\"id\": \"isp-%u\", \"name\": \"ISP %u\", "
		    "\"name_ja\": \"ISP %u\", \"asns\": [%u], \"domains\": []}%s\n",
		    j, j, j, 2000 + j, j + 1 < NISPS ? "," : "");
	fprintf(f, "]}\n");
	fclose(f);
	f = open_out(argv[optind], "manifest.json");
	fprintf(f, "{\"prefixes\": %llu, \"peers\": %u, \"routes\": %llu, "
	    "\"invalid_routes\": %llu, \"isps\": {", (unsigned long long)n,
	    npeers, (unsigned long long)routes, (unsigned long long)distinct);
	for (j = 0; j < NISPS; j++)
		fprintf(f, "%s\"isp-%u\": {\"status\": \"%s\", "
		    "\"routes_exported\": %llu, \"invalid_exported\": %llu}",
		    j ? ", " : "", j, j % 3 == 0 ? "filtering" : j % 3 == 1 ?
		    "not-filtering" : "partial",
		    (unsigned long long)per_routes[j],
		    (unsigned long long)per_invalid[j]);
	fprintf(f, "}}\n");
	fclose(f);
	free(out.p);
	free(body.p);
	printf("%llu routes (%llu prefixes x %u peers), %llu distinct invalid "
	    "routes\n", (unsigned long long)routes, (unsigned long long)n,
	    npeers, (unsigned long long)distinct);
	return 0;
usage:
	fprintf(stderr, "usage: hygiene-rov-gen [-p PREFIXES] [-n PEERS 10-256] "
	    "[-s SEED] OUTDIR\n");
	return 2;
}
