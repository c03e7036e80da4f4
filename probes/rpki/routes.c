/*
 * Route files: which prefixes each AS originates. Three line formats are
 * recognised per line, so concatenated inputs work too:
 *
 *   CAIDA pfx2as	"192.0.2.0<TAB>24<TAB>64500_64501,64502"
 *   ipasn		"192.0.2.0/24<TAB>64500"   (';' comments)
 *   bgpdump -m	"TABLE_DUMP2|ts|B|peer|peeras|192.0.2.0/24|1 2 64500|IGP|..."
 *		(TABLE_DUMP2_AP: "...|192.0.2.0/24|PATH_ID|1 2 64500|...")
 *
 * In an origin field '_' separates the origins of a multi-origin prefix
 * (one route each) and ',' the members of an AS_SET (one route whose
 * origin is the set). Every line is read through the bounds-checked
 * cursor; a bad line is recorded and skipped.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "hygiene/cursor.h"
#include "hygiene/rpki.h"

#define MAX_SET	64	/* AS_SET members kept; more is malformed */

struct origin {
	uint32_t	asn;
	uint32_t	set[MAX_SET];
	size_t		nset;	/* 0: single AS */
};

static int
is_digit(int ch)
{
	return ch >= '0' && ch <= '9';
}

static int
not_ws(int ch)
{
	return ch != ' ' && ch != '\t';
}

void
hy_prefix_str(const struct hy_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a,
	    sizeof(a)) == NULL)
		snprintf(a, sizeof(a), "?");
	snprintf(buf, len, "%s/%u", a, p->len);
}

static bool
host_bits_zero(const struct hy_prefix *p)
{
	unsigned bits = p->family == 4 ? 32 : 128, i;

	for (i = p->len; i < bits; i++)
		if (p->addr[i / 8] & (0x80u >> (i % 8)))
			return false;
	return true;
}

/* addr (text, not NUL-terminated) and len into out. */
static int
prefix_make(struct hy_span a, uint64_t len, struct hy_prefix *out)
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (a.len == 0 || a.len >= sizeof(buf))
		return -1;
	memcpy(buf, a.p, a.len);
	buf[a.len] = '\0';
	memset(out, 0, sizeof(*out));
	if (memchr(a.p, ':', a.len) != NULL) {
		if (inet_pton(AF_INET6, buf, out->addr) != 1 || len > 128)
			return -1;
		out->family = 6;
	} else {
		if (inet_pton(AF_INET, buf, out->addr) != 1 || len > 32)
			return -1;
		out->family = 4;
	}
	out->len = (uint8_t)len;
	return host_bits_zero(out) ? 0 : -1;
}

int
hy_prefix_parse(const char *s, size_t n, struct hy_prefix *out)
{
	struct hy_cursor c;
	struct hy_span a;
	uint64_t len;

	hy_cursor_init(&c, s, n);
	a = hy_cursor_until(&c, "/");
	if (!hy_cursor_accept(&c, '/') || !hy_cursor_uint(&c, 128, &len) ||
	    !hy_cursor_eof(&c))
		return -1;
	return prefix_make(a, len, out);
}

int
hy_prefix_cmp(const struct hy_prefix *a, const struct hy_prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if ((c = memcmp(a->addr, b->addr, sizeof(a->addr))) != 0)
		return c;
	return (a->len > b->len) - (a->len < b->len);
}

bool
hy_prefix_covers(const struct hy_prefix *outer, const struct hy_prefix *inner)
{
	unsigned full, rest;

	if (outer->family != inner->family || outer->len > inner->len)
		return false;
	full = outer->len / 8;
	rest = outer->len % 8;
	if (memcmp(outer->addr, inner->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((outer->addr[full] ^ inner->addr[full]) &
	    (0xffu << (8 - rest))) == 0;
}

static bool
parse_asn(struct hy_cursor *c, uint32_t *asn)
{
	uint64_t v;

	(void)hy_cursor_accept_ci(c, "AS");
	if (!hy_cursor_uint(c, UINT32_MAX, &v))
		return false;
	*asn = (uint32_t)v;
	return true;
}

/* "A,B,C" up to a byte in stop; out->nset >= 1 afterwards. */
static bool
parse_set(struct hy_cursor *c, struct origin *o)
{
	o->nset = 0;
	o->asn = 0;
	do {
		if (o->nset == MAX_SET || !parse_asn(c, &o->set[o->nset]))
			return false;
		o->nset++;
	} while (hy_cursor_accept(c, ','));
	return true;
}

struct parser {
	struct hy_routes *r;
	size_t		 line;
	bool		 oom;
};

static void
line_error(struct parser *ps, const char *fmt, ...)
{
	struct hy_routes *r = ps->r;
	va_list ap;

	if (r->nerrors < HY_ROUTES_MAX_ERRORS) {
		r->errors[r->nerrors].line = ps->line;
		va_start(ap, fmt);
		vsnprintf(r->errors[r->nerrors].reason,
		    sizeof(r->errors[r->nerrors].reason), fmt, ap);
		va_end(ap);
	}
	r->nerrors++;
}

static int
add_origin(struct parser *ps, const struct hy_prefix *p, struct origin *o)
{
	/* A one-member set is just that AS (CAIDA writes no braces). */
	if (o->nset == 1) {
		o->asn = o->set[0];
		o->nset = 0;
	}
	if (hy_routes_add(ps->r, p, o->asn, o->set, o->nset) != 0) {
		ps->oom = true;
		return -1;
	}
	return 0;
}

/* The origin field of CAIDA/ipasn lines: "A", "A_B", "A,B", "A_B,C". */
static void
parse_origin_field(struct parser *ps, struct hy_cursor *c,
    const struct hy_prefix *p)
{
	struct origin o[8];
	size_t n = 0, i;

	do {
		if (n == 8 || !parse_set(c, &o[n])) {
			line_error(ps, "bad origin AS field");
			return;
		}
		n++;
	} while (hy_cursor_accept(c, '_'));
	hy_cursor_skip_ws(c);
	if (!hy_cursor_eof(c)) {
		line_error(ps, "trailing data after the origin AS");
		return;
	}
	for (i = 0; i < n; i++)
		if (add_origin(ps, p, &o[i]) != 0)
			return;
}

/* "addr/len ASN" or "addr len ASN". */
static void
parse_plain(struct parser *ps, struct hy_cursor *c)
{
	struct hy_span a, l;
	struct hy_cursor lc;
	struct hy_prefix p;
	uint64_t len;

	a = hy_cursor_while(c, not_ws);
	hy_cursor_init(&lc, a.p, a.len);
	a = hy_cursor_until(&lc, "/");
	if (hy_cursor_accept(&lc, '/')) {
		/* ipasn: the length follows the slash. */
		l = hy_cursor_while(&lc, is_digit);
	} else {
		/* CAIDA: the length is the next field. */
		hy_cursor_skip_ws(c);
		l = hy_cursor_while(c, not_ws);
	}
	hy_cursor_init(&lc, l.p, l.len);
	if (!hy_cursor_uint(&lc, 128, &len) || !hy_cursor_eof(&lc) ||
	    prefix_make(a, len, &p) != 0) {
		line_error(ps, "bad prefix");
		return;
	}
	hy_cursor_skip_ws(c);
	if (hy_cursor_eof(c)) {
		line_error(ps, "no origin AS");
		return;
	}
	parse_origin_field(ps, c, &p);
}

/* The last element of an AS path: "1 2 3" or "1 2 {3,4}". */
static bool
path_origin(struct hy_span path, struct origin *o)
{
	struct hy_cursor c;
	struct hy_span last = { NULL, 0 }, tok;

	hy_cursor_init(&c, path.p, path.len);
	for (;;) {
		hy_cursor_skip_ws(&c);
		if (hy_cursor_eof(&c))
			break;
		tok = hy_cursor_while(&c, not_ws);
		last = tok;
	}
	if (last.len == 0)
		return false;
	hy_cursor_init(&c, last.p, last.len);
	if (hy_cursor_accept(&c, '{')) {
		if (!parse_set(&c, o) || !hy_cursor_accept(&c, '}'))
			return false;
	} else {
		o->nset = 0;
		if (!parse_asn(&c, &o->asn))
			return false;
	}
	return hy_cursor_eof(&c);
}

/* bgpdump -m: TYPE|time|B/A/W|peer_ip|peer_as|prefix|path|origin|... */
static void
parse_bgpdump(struct parser *ps, struct hy_cursor *c)
{
	struct hy_span f[7];
	struct hy_prefix p;
	struct origin o;
	size_t i;

	for (i = 0; i < 7; i++) {
		f[i] = hy_cursor_until(c, "|");
		if (!hy_cursor_accept(c, '|') && i < 6) {
			/* Withdrawals and state changes carry no path. */
			if (i >= 2 && (hy_span_eq_ci(f[2], "W") ||
			    hy_span_eq_ci(f[2], "STATE")))
				return;
			line_error(ps, "bgpdump line with %zu fields", i + 1);
			return;
		}
	}
	if (hy_span_eq_ci(f[2], "W") || hy_span_eq_ci(f[2], "STATE"))
		return;
	/* ADD-PATH lines put the path identifier before the path. */
	if (hy_span_eq_ci(f[0], "TABLE_DUMP2_AP")) {
		(void)hy_cursor_accept(c, '|');
		f[6] = hy_cursor_until(c, "|");
	}
	if (hy_prefix_parse(f[5].p, f[5].len, &p) != 0) {
		line_error(ps, "bad prefix");
		return;
	}
	if (!path_origin(f[6], &o)) {
		line_error(ps, "bad or empty AS path");
		return;
	}
	(void)add_origin(ps, &p, &o);
}

static void
parse_line(struct parser *ps, struct hy_span line)
{
	struct hy_cursor c;

	line = hy_span_trim(line);
	if (line.len == 0 || line.p[0] == ';' || line.p[0] == '#')
		return;
	hy_cursor_init(&c, line.p, line.len);
	if (memchr(line.p, '|', line.len) != NULL)
		parse_bgpdump(ps, &c);
	else
		parse_plain(ps, &c);
}

struct hy_routes *
hy_routes_new(void)
{
	return calloc(1, sizeof(struct hy_routes));
}

void
hy_routes_free(struct hy_routes *r)
{
	if (r == NULL)
		return;
	free(r->v);
	free(r->sets);
	free(r->by_asn);
	free(r->setroutes);
	free(r);
}

static int
grow(void **p, size_t *cap, size_t need, size_t size)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap == 0 ? 1024 : *cap;
	while (ncap < need)
		ncap *= 2;
	if ((np = reallocarray(*p, ncap, size)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

int
hy_routes_add(struct hy_routes *r, const struct hy_prefix *p, uint32_t asn,
    const uint32_t *set, size_t nset)
{
	struct hy_route *rt;

	if (nset > UINT16_MAX || r->nsets + nset > UINT32_MAX)
		return -1;
	if (grow((void **)&r->v, &r->vcap, r->n + 1, sizeof(*r->v)) != 0)
		return -1;
	if (nset > 0 && grow((void **)&r->sets, &r->setscap, r->nsets + nset,
	    sizeof(*r->sets)) != 0)
		return -1;
	rt = &r->v[r->n++];
	rt->pfx = *p;
	rt->asn = nset > 0 ? 0 : asn;
	rt->set_len = (uint16_t)nset;
	rt->set_off = (uint32_t)r->nsets;
	if (nset > 0) {
		memcpy(r->sets + r->nsets, set, nset * sizeof(*set));
		r->nsets += nset;
	}
	return 0;
}

/* Prefix, then single origins before sets, then the origin itself. */
static int
route_cmp(const void *pa, const void *pb, void *arg)
{
	const struct hy_route *a = pa, *b = pb;
	const uint32_t *sets = arg;
	int c;

	if ((c = hy_prefix_cmp(&a->pfx, &b->pfx)) != 0)
		return c;
	if (a->set_len != b->set_len)
		return a->set_len < b->set_len ? -1 : 1;
	if (a->set_len > 0)
		return memcmp(sets + a->set_off, sets + b->set_off,
		    a->set_len * sizeof(*sets));
	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	return 0;
}

static int
by_asn_cmp(const void *pa, const void *pb, void *arg)
{
	const struct hy_route *v = arg;
	size_t ia = *(const size_t *)pa, ib = *(const size_t *)pb;

	if (v[ia].asn != v[ib].asn)
		return v[ia].asn < v[ib].asn ? -1 : 1;
	/* v is sorted by prefix: index order is prefix order. */
	return ia < ib ? -1 : ia > ib;
}

static int
u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

int
hy_routes_finish(struct hy_routes *r)
{
	size_t i, o, nset = 0;

	/* Set members in order so {1,2} and {2,1} merge. */
	for (i = 0; i < r->n; i++)
		if (r->v[i].set_len > 1)
			qsort(r->sets + r->v[i].set_off, r->v[i].set_len,
			    sizeof(*r->sets), u32_cmp);
	if (r->n > 0)
		qsort_r(r->v, r->n, sizeof(*r->v), route_cmp, r->sets);
	for (i = o = 0; i < r->n; i++) {
		if (o > 0 && route_cmp(&r->v[o - 1], &r->v[i], r->sets) == 0)
			continue;
		r->v[o++] = r->v[i];
	}
	r->n = o;
	memset(r->lens4, 0, sizeof(r->lens4));
	memset(r->lens6, 0, sizeof(r->lens6));
	for (i = 0; i < r->n; i++) {
		if (r->v[i].pfx.family == 4)
			r->lens4[r->v[i].pfx.len] = 1;
		else
			r->lens6[r->v[i].pfx.len] = 1;
		if (r->v[i].set_len > 0)
			nset++;
	}
	free(r->by_asn);
	free(r->setroutes);
	r->by_asn = reallocarray(NULL, r->n - nset + 1, sizeof(size_t));
	r->setroutes = reallocarray(NULL, nset + 1, sizeof(size_t));
	if (r->by_asn == NULL || r->setroutes == NULL)
		return -1;
	r->nby_asn = r->nsetroutes = 0;
	for (i = 0; i < r->n; i++) {
		if (r->v[i].set_len > 0)
			r->setroutes[r->nsetroutes++] = i;
		else
			r->by_asn[r->nby_asn++] = i;
	}
	qsort_r(r->by_asn, r->nby_asn, sizeof(size_t), by_asn_cmp, r->v);
	return 0;
}

int
hy_routes_parse(const char *buf, size_t len, struct hy_routes **out)
{
	struct parser ps = { 0 };
	struct hy_cursor c;
	struct hy_span line;

	*out = NULL;
	if ((ps.r = hy_routes_new()) == NULL)
		return -1;
	hy_cursor_init(&c, buf, len);
	while (!hy_cursor_eof(&c) && !ps.oom) {
		line = hy_cursor_until(&c, "\n");
		(void)hy_cursor_accept(&c, '\n');
		ps.line++;
		parse_line(&ps, line);
	}
	ps.r->lines = ps.line;
	if (ps.oom || hy_routes_finish(ps.r) != 0) {
		hy_routes_free(ps.r);
		return -1;
	}
	*out = ps.r;
	return 0;
}

/* The first bytes of a gzip member (RFC 1952). zlib reads anything else
 * as plain data, so a file cut inside those two bytes would pass as a
 * one-byte text file. */
static int
gzip_cut_magic(const char *path, char *err, size_t errlen)
{
	unsigned char b[2];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = fread(b, 1, sizeof(b), f);
	fclose(f);
	if (n >= 1 && b[0] == 0x1f && (n == 1 || b[1] != 0x8b)) {
		snprintf(err, errlen, "%s: truncated or corrupt gzip header",
		    path);
		return -1;
	}
	return 0;
}

int
hy_rpki_slurp(const char *path, bool lines, char **out, size_t *outlen,
    char *err, size_t errlen)
{
	gzFile f;
	char *buf = NULL, *nb;
	size_t len = 0, cap = 0;
	int n, rc = -1, e;
	const char *msg;

	*out = NULL;
	*outlen = 0;
	errno = 0;
	if (gzip_cut_magic(path, err, errlen) != 0)
		return -1;
	if ((f = gzopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path,
		    errno ? strerror(errno) : "cannot open");
		return -1;
	}
	(void)gzbuffer(f, 1 << 17);
	for (;;) {
		if (cap - len < (1u << 20)) {
			cap = cap == 0 ? (1u << 22) : cap * 2;
			if ((nb = realloc(buf, cap)) == NULL) {
				snprintf(err, errlen, "%s: out of memory", path);
				goto out;
			}
			buf = nb;
		}
		n = gzread(f, buf + len, (unsigned)(cap - len - 1));
		if (n < 0) {
			msg = gzerror(f, &e);
			snprintf(err, errlen, "%s: truncated or corrupt: %s",
			    path, e == Z_ERRNO ? strerror(errno) : msg);
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	/* zlib reports a gzip stream that ends early only through gzerror()
	 * (Z_BUF_ERROR, "unexpected end of file") after a clean EOF. */
	msg = gzerror(f, &e);
	if (e != Z_OK) {
		snprintf(err, errlen, "%s: truncated or corrupt: %s", path,
		    msg);
		goto out;
	}
	if (lines && gzdirect(f) && len > 0 && buf[len - 1] != '\n') {
		snprintf(err, errlen, "%s: truncated: the last line has no "
		    "newline", path);
		goto out;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	gzclose(f);
	return rc;
}

int
hy_routes_load(const char *path, struct hy_routes **out, char *err,
    size_t errlen)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (hy_rpki_slurp(path, true, &buf, &len, err, errlen) != 0)
		return -1;
	rc = hy_routes_parse(buf, len, out);
	free(buf);
	if (rc != 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if ((*out)->n == 0) {
		/* Validating nothing would report an ISP without routes. */
		snprintf(err, errlen, "%s: no routes in the file (%zu lines, "
		    "%zu malformed)", path, (*out)->lines, (*out)->nerrors);
		hy_routes_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static void
mask(struct hy_prefix *p)
{
	unsigned i;

	for (i = p->len; i < 128; i++)
		p->addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

/* First route with exactly prefix p, or r->n. */
static size_t
find_prefix(const struct hy_routes *r, const struct hy_prefix *p)
{
	size_t lo = 0, hi = r->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (hy_prefix_cmp(&r->v[mid].pfx, p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < r->n && hy_prefix_cmp(&r->v[lo].pfx, p) == 0)
		return lo;
	return r->n;
}

const struct hy_route *
hy_routes_lookup(const struct hy_routes *r, int family, const uint8_t *addr,
    size_t *norigins)
{
	struct hy_prefix p;
	const uint8_t *lens = family == 4 ? r->lens4 : r->lens6;
	int len = family == 4 ? 32 : 128;
	size_t i, j;

	memset(&p, 0, sizeof(p));
	p.family = (uint8_t)family;
	memcpy(p.addr, addr, family == 4 ? 4 : 16);
	for (; len >= 0; len--) {
		if (!lens[len])
			continue;
		p.len = (uint8_t)len;
		mask(&p);
		if ((i = find_prefix(r, &p)) == r->n)
			continue;
		for (j = i; j < r->n && hy_prefix_cmp(&r->v[j].pfx, &p) == 0; j++)
			;
		if (norigins != NULL)
			*norigins = j - i;
		return &r->v[i];
	}
	if (norigins != NULL)
		*norigins = 0;
	return NULL;
}

int
hy_rpki_parse_origin_txt(const char *s, size_t len, struct hy_prefix *pfx,
    uint32_t *origins, size_t max, size_t *n)
{
	struct hy_cursor c;
	struct hy_span p;
	uint64_t asn;

	hy_cursor_init(&c, s, len);
	*n = 0;
	for (;;) {
		hy_cursor_skip_ws(&c);
		if (!is_digit(hy_cursor_peek(&c)))
			break;
		if (*n == max || !hy_cursor_uint(&c, UINT32_MAX, &asn))
			return -1;
		origins[(*n)++] = (uint32_t)asn;
	}
	if (*n == 0 || !hy_cursor_accept(&c, '|'))
		return -1;
	p = hy_span_trim(hy_cursor_until(&c, "|"));
	return hy_prefix_parse(p.p, p.len, pfx);
}
