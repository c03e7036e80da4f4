/*
 * BGP RIB dumps as a stream of routes (include/hygiene/mrt.h): MRT
 * TABLE_DUMP_V2 and TABLE_DUMP records (RFC 6396, RFC 8050 ADD-PATH) or
 * `bgpdump -m` lines, plain, gzip (zlib) or bzip2 (libbz2).
 *
 * One buffer holds the current MRT record or text line and grows to the
 * largest one seen; nothing else grows with the dump. The AS path of a
 * route is decoded into fixed scratch arrays of the reader.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bzlib.h>
#include <zlib.h>

#include "hygiene/cursor.h"
#include "hygiene/mrt.h"

#define MRT_HEADER_LEN	12
#define MRT_MAX_RECORD	(64u << 20)	/* larger records are skipped */
#define TEXT_MAX_LINE	(1u << 20)
#define READ_CHUNK	(1u << 17)

/* MRT types, subtypes and BGP attribute codes (RFC 6396, 8050, 4271). */
enum {
	MRT_TABLE_DUMP = 12,
	MRT_TABLE_DUMP_V2 = 13,
	TD1_AFI_IPV4 = 1,
	TD1_AFI_IPV6 = 2,
	TD2_PEER_INDEX_TABLE = 1,
	TD2_RIB_IPV4_UNICAST = 2,
	TD2_RIB_IPV6_UNICAST = 4,
	TD2_RIB_IPV4_UNICAST_ADDPATH = 8,
	TD2_RIB_IPV6_UNICAST_ADDPATH = 10,
	PEER_TYPE_IPV6 = 0x01,
	PEER_TYPE_AS4 = 0x02,
	ATTR_FLAG_EXTENDED = 0x10,
	ATTR_AS_PATH = 2,
	ATTR_AS4_PATH = 17,
};

/* ---- input: memory, gzip/plain (zlib), bzip2 ---- */

struct src {
	enum hy_rib_compression comp;
	bool		 is_mem;
	const uint8_t	*mem;
	size_t		 memlen, mempos;
	gzFile		 gz;	/* gzip or plain */
	FILE		*f;
	BZFILE		*bz;	/* bzip2 */
	const char	*name;
};

/* bzip2 files may hold several streams (pbzip2, concatenation). */
static long
bz_read(struct src *s, uint8_t *buf, size_t n, char *err, size_t errlen)
{
	char unused[BZ_MAX_UNUSED];
	void *up;
	int e, nu, got;

	while (s->bz != NULL) {
		got = BZ2_bzRead(&e, s->bz, buf, (int)n);
		if (e == BZ_OK)
			return got;
		if (e != BZ_STREAM_END) {
			snprintf(err, errlen, "%s: bzip2: %s", s->name,
			    e == BZ_UNEXPECTED_EOF ? "truncated file" :
			    e == BZ_MEM_ERROR ? "out of memory" :
			    e == BZ_IO_ERROR ? strerror(errno) : "corrupt data");
			return -1;
		}
		BZ2_bzReadGetUnused(&e, s->bz, &up, &nu);
		memcpy(unused, up, (size_t)nu);
		BZ2_bzReadClose(&e, s->bz);
		s->bz = NULL;
		if (nu > 0 || ungetc(getc(s->f), s->f) != EOF) {
			s->bz = BZ2_bzReadOpen(&e, s->f, 0, 0, unused, nu);
			if (e != BZ_OK) {
				snprintf(err, errlen, "%s: bzip2: cannot read "
				    "the next stream", s->name);
				return -1;
			}
		}
		if (got > 0)
			return got;
	}
	return 0;
}

/* Up to n bytes; 0 at the end; -1 with err on a read error or a
 * truncated compressed stream. */
static long
src_read(struct src *s, uint8_t *buf, size_t n, char *err, size_t errlen)
{
	const char *msg;
	int got, e;

	if (n > READ_CHUNK * 64)
		n = READ_CHUNK * 64;
	if (s->is_mem) {
		if (n > s->memlen - s->mempos)
			n = s->memlen - s->mempos;
		if (n > 0)
			memcpy(buf, s->mem + s->mempos, n);
		s->mempos += n;
		return (long)n;
	}
	if (s->comp == HY_RIB_BZIP2)
		return bz_read(s, buf, n, err, errlen);
	got = gzread(s->gz, buf, (unsigned)n);
	msg = gzerror(s->gz, &e);
	/* zlib reports a gzip stream cut short as Z_BUF_ERROR at the end. */
	if (got < 0 || (got == 0 && e == Z_BUF_ERROR) || (e != Z_OK &&
	    e != Z_BUF_ERROR)) {
		snprintf(err, errlen, "%s: gzip: %s", s->name,
		    e == Z_BUF_ERROR ? "truncated file" : e == Z_ERRNO ?
		    strerror(errno) : msg);
		return -1;
	}
	return got;
}

/* Grows to the largest record or line; everything else is fixed. */
struct inbuf {
	struct src	*src;
	uint8_t		*buf;
	size_t		 cap, pos, end;
	bool		 eof;
};

/* At least need bytes from pos (fewer only at the end of the input). */
static int
inbuf_fill(struct inbuf *b, size_t need, char *err, size_t errlen)
{
	uint8_t *nb;
	size_t ncap;
	long n;

	if (b->end - b->pos >= need || b->eof)
		return 0;
	if (b->pos > 0) {
		memmove(b->buf, b->buf + b->pos, b->end - b->pos);
		b->end -= b->pos;
		b->pos = 0;
	}
	if (need > b->cap) {
		ncap = b->cap == 0 ? READ_CHUNK : b->cap;
		while (ncap < need)
			ncap *= 2;
		if ((nb = realloc(b->buf, ncap)) == NULL) {
			snprintf(err, errlen, "%s: out of memory", b->src->name);
			return -1;
		}
		b->buf = nb;
		b->cap = ncap;
	}
	while (b->end < need && !b->eof) {
		if ((n = src_read(b->src, b->buf + b->end, b->cap - b->end,
		    err, errlen)) < 0)
			return -1;
		if (n == 0)
			b->eof = true;
		b->end += (size_t)n;
	}
	return 0;
}

/* ---- the reader ---- */

struct peer {
	uint8_t		 family;
	uint8_t		 ip[16];
	uint32_t	 asn;
};

struct scratch {
	uint32_t	 asns[HY_ASPATH_MAX_ASNS];
	struct hy_asseg	 segs[HY_ASPATH_MAX_SEGS];
	size_t		 nasns, nsegs;
};

struct rd {
	hy_rib_route_fn	 fn;
	void		*arg;
	struct hy_rib_stats *st;
	const char	*name;
	struct peer	*peers;		/* the current PEER_INDEX_TABLE */
	size_t		 npeers;
	bool		 have_peers;
	bool		 stopped;	/* the callback asked to stop */
	struct scratch	 path, as4, merged;
};

static void
malformed(struct rd *rd, const char *fmt, ...)
{
	struct hy_rib_stats *st = rd->st;
	va_list ap;

	if (st->malformed < HY_RIB_MAX_ERRORS) {
		st->errors[st->malformed].where = st->records;
		va_start(ap, fmt);
		vsnprintf(st->errors[st->malformed].reason,
		    sizeof(st->errors[st->malformed].reason), fmt, ap);
		va_end(ap);
	}
	st->malformed++;
}

static void
emit(struct rd *rd, struct hy_rib_route *r, const struct scratch *p)
{
	struct hy_rib_stats *st = rd->st;

	r->path.asns = p->asns;
	r->path.nasns = p->nasns;
	r->path.segs = p->segs;
	r->path.nsegs = p->nsegs;
	if (!st->has_time || r->time < st->time_min)
		st->time_min = r->time;
	if (!st->has_time || r->time > st->time_max)
		st->time_max = r->time;
	st->has_time = true;
	st->routes++;
	if (rd->fn(rd->arg, r) != 0)
		rd->stopped = true;
}

/* Zero the bits past the prefix length (MRT leaves them undefined). */
static void
prefix_mask(struct hy_prefix *p)
{
	unsigned i;

	for (i = p->len; i < 128; i++)
		p->addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

static size_t
path_count(const struct scratch *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->nsegs; i++)
		if (p->segs[i].type == HY_AS_SEQUENCE)
			n += p->segs[i].len;
		else if (p->segs[i].type == HY_AS_SET)
			n++;
	return n;
}

static bool
seg_push(struct scratch *p, uint8_t type, const uint32_t *asns, size_t n)
{
	struct hy_asseg *s;

	if (p->nsegs == HY_ASPATH_MAX_SEGS || p->nasns + n >
	    HY_ASPATH_MAX_ASNS)
		return false;
	s = &p->segs[p->nsegs++];
	s->type = type;
	s->off = (uint16_t)p->nasns;
	s->len = (uint16_t)n;
	memcpy(p->asns + p->nasns, asns, n * sizeof(*asns));
	p->nasns += n;
	return true;
}

/*
 * AS_PATH with 2-byte ASNs plus AS4_PATH (RFC 6793 section 4.2.3): the
 * leading ASes of AS_PATH that AS4_PATH does not cover, then AS4_PATH.
 * AS_SET counts one, confederation segments none; an AS4_PATH longer
 * than AS_PATH is ignored, as are its confederation segments.
 */
static const struct scratch *
as4_merge(struct rd *rd, const struct scratch *p2, const struct scratch *p4)
{
	struct scratch *m = &rd->merged;
	const struct hy_asseg *s;
	size_t n2 = path_count(p2), n4 = path_count(p4), keep, take, i;

	if (n2 < n4)
		return p2;
	keep = n2 - n4;
	m->nasns = m->nsegs = 0;
	for (i = 0; i < p2->nsegs && keep > 0; i++) {
		s = &p2->segs[i];
		take = s->len;
		if (s->type == HY_AS_SEQUENCE && take > keep)
			take = keep;
		if (!seg_push(m, s->type, p2->asns + s->off, take))
			return NULL;
		if (s->type == HY_AS_SEQUENCE)
			keep -= take;
		else if (s->type == HY_AS_SET)
			keep--;
	}
	for (i = 0; i < p4->nsegs; i++) {
		s = &p4->segs[i];
		if (s->type != HY_AS_SEQUENCE && s->type != HY_AS_SET)
			continue;
		if (!seg_push(m, s->type, p4->asns + s->off, s->len))
			return NULL;
	}
	return m;
}

/* An AS_PATH/AS4_PATH attribute value with asn_size-byte ASNs; false
 * unless it parses exactly. */
static bool
aspath_decode(struct hy_span a, size_t asn_size, struct scratch *p)
{
	struct hy_cursor c;
	uint32_t asns[255], v;
	uint16_t v16;
	uint8_t type, count, i;

	p->nasns = p->nsegs = 0;
	hy_cursor_init(&c, a.p, a.len);
	while (!hy_cursor_eof(&c)) {
		if (!hy_cursor_u8(&c, &type) || !hy_cursor_u8(&c, &count) ||
		    type < HY_AS_SET || type > HY_AS_CONFED_SET)
			return false;
		for (i = 0; i < count; i++) {
			if (asn_size == 4 ? !hy_cursor_u32(&c, &v) :
			    !hy_cursor_u16(&c, &v16))
				return false;
			asns[i] = asn_size == 4 ? v : v16;
		}
		if (!seg_push(p, type, asns, count))
			return false;
	}
	return true;
}

/*
 * The AS path of a RIB entry from its attributes. TABLE_DUMP_V2 paths
 * carry 4-byte ASNs (RFC 6396 section 4.3.4); a path that only parses
 * with 2-byte ASNs, and every TABLE_DUMP path, is 2-byte and merged with
 * AS4_PATH. No AS_PATH at all reads as an empty path.
 */
static const struct scratch *
entry_path(struct rd *rd, struct hy_span attrs, bool v2, const char **why)
{
	struct hy_span as_path = { NULL, 0 }, as4_path = { NULL, 0 }, val;
	struct hy_cursor c;
	bool have = false, have4 = false;
	uint8_t flags, type, len8;
	uint16_t len;

	hy_cursor_init(&c, attrs.p, attrs.len);
	while (!hy_cursor_eof(&c)) {
		if (!hy_cursor_u8(&c, &flags) || !hy_cursor_u8(&c, &type)) {
			*why = "attribute header cut short";
			return NULL;
		}
		if (flags & ATTR_FLAG_EXTENDED ? !hy_cursor_u16(&c, &len) :
		    !hy_cursor_u8(&c, &len8)) {
			*why = "attribute length cut short";
			return NULL;
		}
		if (!(flags & ATTR_FLAG_EXTENDED))
			len = len8;
		if (!hy_cursor_take(&c, len, &val)) {
			*why = "attribute longer than the entry";
			return NULL;
		}
		/* The first of duplicated attributes counts (RFC 7606 s3). */
		if (type == ATTR_AS_PATH && !have) {
			as_path = val;
			have = true;
		} else if (type == ATTR_AS4_PATH && !have4) {
			as4_path = val;
			have4 = true;
		}
	}
	*why = "AS_PATH does not parse or is too long";
	if (v2 && aspath_decode(as_path, 4, &rd->path))
		return &rd->path;
	if (!aspath_decode(as_path, 2, &rd->path))
		return NULL;
	/* A malformed AS4_PATH is discarded (RFC 6793 section 6). */
	if (!have4 || !aspath_decode(as4_path, 4, &rd->as4))
		return &rd->path;
	return as4_merge(rd, &rd->path, &rd->as4);
}

static void
td2_peers(struct rd *rd, struct hy_cursor *c)
{
	struct hy_span view, ip;
	struct peer *np;
	uint32_t bgp_id, asn;
	uint16_t vlen, n, i, as16;
	uint8_t type;

	rd->have_peers = false;
	rd->npeers = 0;
	if (!hy_cursor_u32(c, &bgp_id) || !hy_cursor_u16(c, &vlen) ||
	    !hy_cursor_take(c, vlen, &view) || !hy_cursor_u16(c, &n)) {
		malformed(rd, "PEER_INDEX_TABLE header cut short");
		return;
	}
	if ((np = reallocarray(rd->peers, (size_t)n + 1, sizeof(*np))) ==
	    NULL) {
		malformed(rd, "PEER_INDEX_TABLE: out of memory");
		return;
	}
	rd->peers = np;
	for (i = 0; i < n; i++) {
		memset(&np[i], 0, sizeof(np[i]));
		if (!hy_cursor_u8(c, &type) || !hy_cursor_u32(c, &bgp_id) ||
		    !hy_cursor_take(c, type & PEER_TYPE_IPV6 ? 16 : 4, &ip) ||
		    ((type & PEER_TYPE_AS4) ? !hy_cursor_u32(c, &asn) :
		    !hy_cursor_u16(c, &as16))) {
			malformed(rd, "PEER_INDEX_TABLE cut short at peer %u "
			    "of %u", i, n);
			return;
		}
		np[i].family = type & PEER_TYPE_IPV6 ? 6 : 4;
		memcpy(np[i].ip, ip.p, ip.len);
		np[i].asn = (type & PEER_TYPE_AS4) ? asn : as16;
	}
	rd->npeers = n;
	rd->have_peers = true;
}

static void
td2_rib(struct rd *rd, struct hy_cursor *c, uint32_t ts, uint8_t family,
    bool addpath)
{
	struct hy_rib_route r;
	const struct scratch *p;
	struct hy_span pb, attrs;
	const char *why;
	uint32_t seq, otime;
	uint16_t n, i, pi, alen;
	uint8_t plen;

	if (!rd->have_peers) {
		malformed(rd, "RIB record without a PEER_INDEX_TABLE before it");
		return;
	}
	memset(&r, 0, sizeof(r));
	if (!hy_cursor_u32(c, &seq) || !hy_cursor_u8(c, &plen) ||
	    plen > (family == 4 ? 32 : 128) ||
	    !hy_cursor_take(c, (plen + 7u) / 8, &pb) ||
	    !hy_cursor_u16(c, &n)) {
		malformed(rd, "RIB record header malformed");
		return;
	}
	r.pfx.family = family;
	r.pfx.len = plen;
	memcpy(r.pfx.addr, pb.p, pb.len);
	prefix_mask(&r.pfx);
	r.time = ts;
	r.has_path_id = addpath;
	for (i = 0; i < n && !rd->stopped; i++) {
		if (!hy_cursor_u16(c, &pi) || !hy_cursor_u32(c, &otime) ||
		    (addpath && !hy_cursor_u32(c, &r.path_id)) ||
		    !hy_cursor_u16(c, &alen) ||
		    !hy_cursor_take(c, alen, &attrs)) {
			malformed(rd, "RIB entry %u of %u cut short", i + 1, n);
			return;
		}
		if (pi >= rd->npeers) {
			malformed(rd, "RIB entry names peer %u of %zu", pi,
			    rd->npeers);
			continue;
		}
		if ((p = entry_path(rd, attrs, true, &why)) == NULL) {
			malformed(rd, "RIB entry %u: %s", i + 1, why);
			continue;
		}
		r.peer_family = rd->peers[pi].family;
		memcpy(r.peer_ip, rd->peers[pi].ip, sizeof(r.peer_ip));
		r.peer_asn = rd->peers[pi].asn;
		emit(rd, &r, p);
	}
	if (!hy_cursor_eof(c) && !rd->stopped)
		malformed(rd, "RIB record: %zu bytes after the last entry",
		    hy_cursor_left(c));
}

/* TABLE_DUMP (RFC 6396 section 4.2): one route per record. */
static void
td1_route(struct rd *rd, struct hy_cursor *c, uint32_t ts, uint8_t family)
{
	struct hy_rib_route r;
	const struct scratch *p;
	struct hy_span a, peer, attrs;
	const char *why;
	uint32_t otime;
	uint16_t view, seq, as16, alen;
	uint8_t plen, status;
	size_t alen_ip = family == 4 ? 4 : 16;

	memset(&r, 0, sizeof(r));
	if (!hy_cursor_u16(c, &view) || !hy_cursor_u16(c, &seq) ||
	    !hy_cursor_take(c, alen_ip, &a) || !hy_cursor_u8(c, &plen) ||
	    !hy_cursor_u8(c, &status) || !hy_cursor_u32(c, &otime) ||
	    !hy_cursor_take(c, alen_ip, &peer) || !hy_cursor_u16(c, &as16) ||
	    !hy_cursor_u16(c, &alen) || !hy_cursor_take(c, alen, &attrs) ||
	    plen > alen_ip * 8) {
		malformed(rd, "TABLE_DUMP record malformed");
		return;
	}
	if ((p = entry_path(rd, attrs, false, &why)) == NULL) {
		malformed(rd, "TABLE_DUMP record: %s", why);
		return;
	}
	r.time = ts;
	r.pfx.family = family;
	r.pfx.len = plen;
	memcpy(r.pfx.addr, a.p, a.len);
	prefix_mask(&r.pfx);
	r.peer_family = family;
	memcpy(r.peer_ip, peer.p, peer.len);
	r.peer_asn = as16;
	emit(rd, &r, p);
}

static void
mrt_record(struct rd *rd, uint32_t ts, uint16_t type, uint16_t sub,
    const uint8_t *body, size_t len)
{
	struct hy_cursor c;

	hy_cursor_init(&c, (const char *)body, len);
	if (type == MRT_TABLE_DUMP_V2 && sub == TD2_PEER_INDEX_TABLE)
		td2_peers(rd, &c);
	else if (type == MRT_TABLE_DUMP_V2 && (sub == TD2_RIB_IPV4_UNICAST ||
	    sub == TD2_RIB_IPV4_UNICAST_ADDPATH))
		td2_rib(rd, &c, ts, 4, sub == TD2_RIB_IPV4_UNICAST_ADDPATH);
	else if (type == MRT_TABLE_DUMP_V2 && (sub == TD2_RIB_IPV6_UNICAST ||
	    sub == TD2_RIB_IPV6_UNICAST_ADDPATH))
		td2_rib(rd, &c, ts, 6, sub == TD2_RIB_IPV6_UNICAST_ADDPATH);
	else if (type == MRT_TABLE_DUMP && (sub == TD1_AFI_IPV4 ||
	    sub == TD1_AFI_IPV6))
		td1_route(rd, &c, ts, sub == TD1_AFI_IPV4 ? 4 : 6);
	else
		rd->st->skipped++;
}

/* Drop n bytes of an oversized record without keeping them. */
static int
mrt_discard(struct inbuf *b, size_t n, char *err, size_t errlen)
{
	size_t k;

	while (n > 0) {
		if (b->pos == b->end && inbuf_fill(b, 1, err, errlen) != 0)
			return -1;
		if (b->pos == b->end)
			return 1;
		k = b->end - b->pos < n ? b->end - b->pos : n;
		b->pos += k;
		n -= k;
	}
	return 0;
}

static int
mrt_stream(struct rd *rd, struct inbuf *b, char *err, size_t errlen)
{
	struct hy_cursor h;
	uint32_t ts, len;
	uint16_t type, sub;
	int r;

	for (;;) {
		if (inbuf_fill(b, MRT_HEADER_LEN, err, errlen) != 0)
			return -1;
		if (b->pos == b->end)
			return 0;
		rd->st->records++;
		hy_cursor_init(&h, (const char *)b->buf + b->pos,
		    b->end - b->pos);
		if (!hy_cursor_u32(&h, &ts) || !hy_cursor_u16(&h, &type) ||
		    !hy_cursor_u16(&h, &sub) || !hy_cursor_u32(&h, &len))
			goto cut;
		b->pos += MRT_HEADER_LEN;
		if (len > MRT_MAX_RECORD) {
			malformed(rd, "record of %u bytes (limit %u) skipped",
			    len, MRT_MAX_RECORD);
			if ((r = mrt_discard(b, len, err, errlen)) != 0) {
				if (r < 0)
					return -1;
				goto cut;
			}
			continue;
		}
		if (inbuf_fill(b, len, err, errlen) != 0)
			return -1;
		if (b->end - b->pos < len)
			goto cut;
		mrt_record(rd, ts, type, sub, b->buf + b->pos, len);
		b->pos += len;
		if (rd->stopped) {
			snprintf(err, errlen, "%s: stopped at record %llu",
			    rd->name, (unsigned long long)rd->st->records);
			return -1;
		}
	}
cut:
	snprintf(err, errlen, "%s: MRT record %llu cut short: the file is "
	    "truncated or not an MRT dump", rd->name,
	    (unsigned long long)rd->st->records);
	return -1;
}

/* ---- bgpdump -m text ---- */

static int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static bool
text_asn(struct hy_cursor *c, uint32_t *asn)
{
	uint64_t v;

	if (!hy_cursor_uint(c, UINT32_MAX, &v))
		return false;
	*asn = (uint32_t)v;
	return true;
}

/* "a,b,c" up to close, as one segment. */
static bool
text_group(struct hy_cursor *c, struct scratch *p, uint8_t type, char sep,
    char close)
{
	uint32_t asns[255];
	size_t n = 0;

	do {
		hy_cursor_skip_ws(c);
		if (n == 255 || !text_asn(c, &asns[n]))
			return false;
		n++;
		hy_cursor_skip_ws(c);
	} while (sep == ' ' ? is_digit(hy_cursor_peek(c)) :
	    hy_cursor_accept(c, sep));
	return hy_cursor_accept(c, close) && seg_push(p, type, asns, n);
}

/* "1 2 {3,4}", "(5 6) 7", "[8,9] 10"; empty is an empty path. */
static bool
text_path(struct hy_span s, struct scratch *p)
{
	struct hy_cursor c;
	struct hy_asseg *last;
	uint32_t asn;
	bool seq_open = false;	/* digits extend the last segment */
	int ch;

	p->nasns = p->nsegs = 0;
	hy_cursor_init(&c, s.p, s.len);
	for (;;) {
		hy_cursor_skip_ws(&c);
		if ((ch = hy_cursor_peek(&c)) < 0)
			return true;
		if (is_digit(ch)) {
			if (!text_asn(&c, &asn))
				return false;
			last = seq_open ? &p->segs[p->nsegs - 1] : NULL;
			if (last != NULL && p->nasns < HY_ASPATH_MAX_ASNS &&
			    last->len < UINT16_MAX) {
				p->asns[p->nasns++] = asn;
				last->len++;
			} else if (!seg_push(p, HY_AS_SEQUENCE, &asn, 1))
				return false;
			seq_open = true;
			continue;
		}
		(void)hy_cursor_next(&c);
		seq_open = false;
		if (!(ch == '{' ? text_group(&c, p, HY_AS_SET, ',', '}') :
		    ch == '[' ? text_group(&c, p, HY_AS_CONFED_SET, ',', ']') :
		    ch == '(' ? text_group(&c, p, HY_AS_CONFED_SEQUENCE, ' ',
		    ')') : false))
			return false;
	}
}

/* "addr/len", host bits masked as MRT's are. */
static bool
text_prefix(struct hy_span s, struct hy_prefix *p)
{
	char a[INET6_ADDRSTRLEN + 1];
	struct hy_cursor c;
	struct hy_span addr;
	uint64_t len;

	hy_cursor_init(&c, s.p, s.len);
	addr = hy_cursor_until(&c, "/");
	if (addr.len == 0 || addr.len >= sizeof(a) ||
	    !hy_cursor_accept(&c, '/') || !hy_cursor_uint(&c, 128, &len) ||
	    !hy_cursor_eof(&c))
		return false;
	memcpy(a, addr.p, addr.len);
	a[addr.len] = '\0';
	memset(p, 0, sizeof(*p));
	p->family = memchr(a, ':', addr.len) != NULL ? 6 : 4;
	if (inet_pton(p->family == 4 ? AF_INET : AF_INET6, a, p->addr) != 1 ||
	    len > (p->family == 4 ? 32u : 128u))
		return false;
	p->len = (uint8_t)len;
	prefix_mask(p);
	return true;
}

static bool
text_ip(struct hy_span s, struct hy_rib_route *r)
{
	char a[INET6_ADDRSTRLEN + 1];

	if (s.len == 0 || s.len >= sizeof(a))
		return false;
	memcpy(a, s.p, s.len);
	a[s.len] = '\0';
	r->peer_family = memchr(a, ':', s.len) != NULL ? 6 : 4;
	return inet_pton(r->peer_family == 4 ? AF_INET : AF_INET6, a,
	    r->peer_ip) == 1;
}

/* TYPE|time|B|peer_ip|peer_as|prefix|[path_id|]path|origin|... */
static void
text_line(struct rd *rd, struct hy_span line)
{
	struct hy_rib_route r;
	struct hy_cursor c, fc;
	struct hy_span f[8];
	uint64_t v;
	size_t i, nf;
	bool ap;

	line = hy_span_trim(line);
	if (line.len == 0)
		return;
	hy_cursor_init(&c, line.p, line.len);
	f[0] = hy_cursor_until(&c, "|");
	ap = hy_span_eq_ci(f[0], "TABLE_DUMP2_AP");
	if (!ap && !hy_span_eq_ci(f[0], "TABLE_DUMP2") &&
	    !hy_span_eq_ci(f[0], "TABLE_DUMP")) {
		rd->st->skipped++;	/* updates, state changes */
		return;
	}
	nf = ap ? 8 : 7;
	for (i = 1; i < nf; i++) {
		if (!hy_cursor_accept(&c, '|')) {
			malformed(rd, "bgpdump line with %zu fields", i);
			return;
		}
		f[i] = hy_cursor_until(&c, "|");
	}
	memset(&r, 0, sizeof(r));
	hy_cursor_init(&fc, f[1].p, f[1].len);
	if (!hy_cursor_uint(&fc, UINT32_MAX, &v) || !hy_cursor_eof(&fc) ||
	    !hy_span_eq_ci(f[2], "B")) {
		malformed(rd, "bgpdump line: bad time or type");
		return;
	}
	r.time = (uint32_t)v;
	hy_cursor_init(&fc, f[4].p, f[4].len);
	if (!text_ip(f[3], &r) || !text_asn(&fc, &r.peer_asn) ||
	    !hy_cursor_eof(&fc)) {
		malformed(rd, "bgpdump line: bad peer");
		return;
	}
	if (!text_prefix(f[5], &r.pfx)) {
		malformed(rd, "bgpdump line: bad prefix");
		return;
	}
	if (ap) {
		hy_cursor_init(&fc, f[6].p, f[6].len);
		if (!text_asn(&fc, &r.path_id) || !hy_cursor_eof(&fc)) {
			malformed(rd, "bgpdump line: bad path identifier");
			return;
		}
		r.has_path_id = true;
	}
	if (!text_path(f[nf - 1], &rd->path)) {
		malformed(rd, "bgpdump line: bad AS path");
		return;
	}
	emit(rd, &r, &rd->path);
}

static int
text_stream(struct rd *rd, struct inbuf *b, char *err, size_t errlen)
{
	struct hy_span line;
	uint8_t *nl;
	size_t scanned = 0;
	bool skipping = false;

	for (;;) {
		nl = memchr(b->buf + b->pos + scanned, '\n',
		    b->end - b->pos - scanned);
		if (nl == NULL && !b->eof) {
			scanned = b->end - b->pos;
			if (scanned >= TEXT_MAX_LINE) {
				/* Drop the long line's head; its end follows. */
				if (!skipping) {
					rd->st->records++;
					malformed(rd, "line longer than %u "
					    "bytes", TEXT_MAX_LINE);
				}
				skipping = true;
				b->pos = b->end;
				scanned = 0;
			}
			if (inbuf_fill(b, scanned + 1, err, errlen) != 0)
				return -1;
			continue;
		}
		if (nl == NULL && b->pos == b->end)
			return 0;
		line.p = (const char *)b->buf + b->pos;
		line.len = nl != NULL ? (size_t)(nl - (b->buf + b->pos)) :
		    b->end - b->pos;
		b->pos += line.len + (nl != NULL);
		scanned = 0;
		if (skipping) {
			skipping = false;
			continue;
		}
		rd->st->records++;
		text_line(rd, line);
		if (rd->stopped) {
			snprintf(err, errlen, "%s: stopped at line %llu",
			    rd->name, (unsigned long long)rd->st->records);
			return -1;
		}
	}
}

static bool
starts_with(const struct inbuf *b, const char *lit)
{
	size_t n = strlen(lit);

	return b->end - b->pos >= n && memcmp(b->buf + b->pos, lit, n) == 0;
}

static int
rib_run(struct src *s, hy_rib_route_fn fn, void *arg,
    struct hy_rib_stats *st, char *err, size_t errlen)
{
	struct inbuf b = { 0 };
	struct rd *rd;
	int rc = -1;

	if ((rd = calloc(1, sizeof(*rd))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", s->name);
		return -1;
	}
	rd->fn = fn;
	rd->arg = arg;
	rd->st = st;
	rd->name = s->name;
	b.src = s;
	if (inbuf_fill(&b, 16, err, errlen) != 0)
		goto out;
	/* An MRT file starts with a binary time stamp and type; these
	 * words are not plausible as either. */
	if (b.end == 0) {
		st->format = HY_RIB_EMPTY;
		rc = 0;
	} else if (starts_with(&b, "TABLE_DUMP") || starts_with(&b, "BGP4MP")) {
		st->format = HY_RIB_BGPDUMP;
		rc = text_stream(rd, &b, err, errlen);
	} else {
		st->format = HY_RIB_MRT;
		rc = mrt_stream(rd, &b, err, errlen);
	}
out:
	free(b.buf);
	free(rd->peers);
	free(rd);
	return rc;
}

int
hy_rib_parse(const uint8_t *buf, size_t len, hy_rib_route_fn fn, void *arg,
    struct hy_rib_stats *st, char *err, size_t errlen)
{
	struct src s;

	memset(st, 0, sizeof(*st));
	memset(&s, 0, sizeof(s));
	s.is_mem = true;
	s.mem = buf;
	s.memlen = buf == NULL ? 0 : len;
	s.name = "input";
	return rib_run(&s, fn, arg, st, err, errlen);
}

int
hy_rib_read_file(const char *path, hy_rib_route_fn fn, void *arg,
    struct hy_rib_stats *st, char *err, size_t errlen)
{
	struct src s;
	unsigned char magic[3] = { 0 };
	size_t n;
	int e, rc;

	memset(st, 0, sizeof(*st));
	memset(&s, 0, sizeof(s));
	s.name = path;
	if ((s.f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(magic, 1, sizeof(magic), s.f);
	rewind(s.f);
	if (n == 3 && memcmp(magic, "BZh", 3) == 0) {
		s.comp = HY_RIB_BZIP2;
		s.bz = BZ2_bzReadOpen(&e, s.f, 0, 0, NULL, 0);
		if (e != BZ_OK) {
			snprintf(err, errlen, "%s: bzip2: cannot open", path);
			fclose(s.f);
			return -1;
		}
	} else {
		/* zlib reads plain files unchanged. */
		s.comp = n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b ?
		    HY_RIB_GZIP : HY_RIB_PLAIN;
		if ((s.gz = gzdopen(dup(fileno(s.f)), "rb")) == NULL) {
			snprintf(err, errlen, "%s: cannot open", path);
			fclose(s.f);
			return -1;
		}
		(void)gzbuffer(s.gz, READ_CHUNK);
	}
	rc = rib_run(&s, fn, arg, st, err, errlen);
	st->compression = s.comp;
	if (s.bz != NULL)
		BZ2_bzReadClose(&e, s.bz);
	if (s.gz != NULL)
		gzclose(s.gz);
	fclose(s.f);
	return rc;
}

const char *
hy_rib_format_str(enum hy_rib_format f)
{
	return f == HY_RIB_MRT ? "mrt" : f == HY_RIB_BGPDUMP ? "bgpdump" :
	    "empty";
}

const char *
hy_rib_compression_str(enum hy_rib_compression c)
{
	return c == HY_RIB_GZIP ? "gzip" : c == HY_RIB_BZIP2 ? "bzip2" :
	    "none";
}

void
hy_aspath_origin(const struct hy_aspath *p, uint32_t peer_asn,
    uint32_t *origin, bool *as_set)
{
	const struct hy_asseg *s;
	size_t i;

	*origin = peer_asn;
	*as_set = false;
	for (i = p->nsegs; i > 0; i--) {
		s = &p->segs[i - 1];
		if (s->type == HY_AS_CONFED_SEQUENCE ||
		    s->type == HY_AS_CONFED_SET || s->len == 0)
			continue;
		if (s->type == HY_AS_SET) {
			*origin = 0;
			*as_set = true;
		} else
			*origin = p->asns[s->off + s->len - 1];
		return;
	}
}

void
hy_aspath_str(const struct hy_aspath *p, char *buf, size_t len)
{
	static const char open[] = { 0, '{', 0, '(', '[' };
	static const char close[] = { 0, '}', 0, ')', ']' };
	const struct hy_asseg *s;
	size_t i, j, off = 0;
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < p->nsegs; i++) {
		s = &p->segs[i];
		n = snprintf(buf + off, len - off, "%s%.*s", off ? " " : "",
		    open[s->type] ? 1 : 0, &open[s->type]);
		for (j = 0; n >= 0 && (size_t)n < len - off && j < s->len;
		    j++) {
			off += (size_t)n;
			n = snprintf(buf + off, len - off, "%s%u", j == 0 ? "" :
			    s->type == HY_AS_SET || s->type == HY_AS_CONFED_SET ?
			    "," : " ", p->asns[s->off + j]);
		}
		if (n >= 0 && (size_t)n < len - off) {
			off += (size_t)n;
			n = snprintf(buf + off, len - off, "%.*s",
			    close[s->type] ? 1 : 0, &close[s->type]);
		}
		if (n < 0 || (size_t)n >= len - off)
			goto cut;
		off += (size_t)n;
	}
	return;
cut:
	if (len >= 4)
		memcpy(buf + len - 4, "...", 4);
}
