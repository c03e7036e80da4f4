/* Test helper: MRT records written from the RFCs (see mrt_build.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrt_build.h"

void
mb_free(struct mb *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}

void
mb_bytes(struct mb *b, const void *v, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	memcpy(b->p + b->n, v, n);
	b->n += n;
}

void
mb_u8(struct mb *b, uint8_t v)
{
	mb_bytes(b, &v, 1);
}

void
mb_u16(struct mb *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	mb_bytes(b, x, 2);
}

void
mb_u32(struct mb *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	mb_bytes(b, x, 4);
}

size_t
mb_begin(struct mb *b, uint32_t ts, uint16_t type, uint16_t sub)
{
	size_t at;

	mb_u32(b, ts);
	mb_u16(b, type);
	mb_u16(b, sub);
	at = b->n;
	mb_u32(b, 0);
	return at;
}

void
mb_end(struct mb *b, size_t at)
{
	uint32_t len = (uint32_t)(b->n - at - 4);

	b->p[at] = (uint8_t)(len >> 24);
	b->p[at + 1] = (uint8_t)(len >> 16);
	b->p[at + 2] = (uint8_t)(len >> 8);
	b->p[at + 3] = (uint8_t)len;
}

void
mb_peer_table(struct mb *b, uint32_t ts, const struct mb_peer *p, size_t n)
{
	uint8_t a[16];
	size_t at = mb_begin(b, ts, 13, 1), i;
	bool v6;

	mb_u32(b, 0xc0000201);		/* collector BGP ID */
	mb_u16(b, 4);
	mb_bytes(b, "test", 4);		/* view name */
	mb_u16(b, (uint16_t)n);
	for (i = 0; i < n; i++) {
		v6 = strchr(p[i].ip, ':') != NULL;
		if (inet_pton(v6 ? AF_INET6 : AF_INET, p[i].ip, a) != 1)
			abort();
		mb_u8(b, (uint8_t)((v6 ? 1 : 0) | (p[i].as4 ? 2 : 0)));
		mb_u32(b, (uint32_t)(0x0a000000 + i));	/* BGP ID */
		mb_bytes(b, a, v6 ? 16 : 4);
		if (p[i].as4)
			mb_u32(b, p[i].asn);
		else
			mb_u16(b, (uint16_t)p[i].asn);
	}
	mb_end(b, at);
}

/* One segment's ASNs from "1 2 3" or "1,2,3", up to the closing byte. */
static const char *
segment(struct mb *b, const char *s, uint8_t type, unsigned asn_size,
    char close)
{
	uint32_t asns[256];
	size_t n = 0, i;
	char *end;

	while (*s != '\0' && *s != close) {
		if (*s == ' ' || *s == ',') {
			if (close == '\0' && *s == ' ' && (s[1] == '{' ||
			    s[1] == '(' || s[1] == '['))
				break;
			s++;
			continue;
		}
		asns[n++] = (uint32_t)strtoul(s, &end, 10);
		s = end;
	}
	mb_u8(b, type);
	mb_u8(b, (uint8_t)n);
	for (i = 0; i < n; i++)
		if (asn_size == 4)
			mb_u32(b, asns[i]);
		else
			mb_u16(b, (uint16_t)asns[i]);
	return *s == close && close != '\0' ? s + 1 : s;
}

void
mb_aspath(struct mb *b, uint8_t type, const char *path, unsigned asn_size,
    bool extended)
{
	struct mb v = { 0 };
	const char *s = path;

	while (*s != '\0') {
		if (*s == ' ')
			s++;
		else if (*s == '{')
			s = segment(&v, s + 1, 1, asn_size, '}');
		else if (*s == '(')
			s = segment(&v, s + 1, 3, asn_size, ')');
		else if (*s == '[')
			s = segment(&v, s + 1, 4, asn_size, ']');
		else
			s = segment(&v, s, 2, asn_size, '\0');
	}
	mb_u8(b, (uint8_t)(0x40 | (extended ? 0x10 : 0)));
	mb_u8(b, type);
	if (extended)
		mb_u16(b, (uint16_t)v.n);
	else
		mb_u8(b, (uint8_t)v.n);
	if (v.n > 0)
		mb_bytes(b, v.p, v.n);
	mb_free(&v);
}

void
mb_common_attrs(struct mb *b)
{
	static const uint8_t origin[] = { 0x40, 1, 1, 0 };
	static const uint8_t nexthop[] = { 0x40, 3, 4, 192, 0, 2, 1 };

	mb_bytes(b, origin, sizeof(origin));
	mb_bytes(b, nexthop, sizeof(nexthop));
}

size_t
mb_rib_begin(struct mb *b, uint32_t ts, const char *prefix, bool addpath,
    uint32_t seq, uint16_t nentries)
{
	char a[64];
	uint8_t addr[16];
	unsigned len;
	bool v6 = strchr(prefix, ':') != NULL;
	size_t at;

	if (sscanf(prefix, "%63[^/]/%u", a, &len) != 2 ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, a, addr) != 1)
		abort();
	at = mb_begin(b, ts, 13, (uint16_t)((v6 ? 4 : 2) + (addpath ? 6 : 0)));
	mb_u32(b, seq);
	mb_u8(b, (uint8_t)len);
	mb_bytes(b, addr, (len + 7) / 8);
	mb_u16(b, nentries);
	return at;
}

void
mb_rib_entry(struct mb *b, uint16_t peer, uint32_t path_id, bool addpath,
    const char *path)
{
	struct mb a = { 0 };

	mb_common_attrs(&a);
	mb_aspath(&a, 2, path, 4, false);
	mb_u16(b, peer);
	mb_u32(b, 1500000000);		/* originated time */
	if (addpath)
		mb_u32(b, path_id);
	mb_u16(b, (uint16_t)a.n);
	mb_bytes(b, a.p, a.n);
	mb_free(&a);
}

int
mb_write(const struct mb *b, const char *path)
{
	FILE *f = fopen(path, "wb");
	int rc = 0;

	if (f == NULL)
		return -1;
	if (b->n > 0 && fwrite(b->p, 1, b->n, f) != b->n)
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}
