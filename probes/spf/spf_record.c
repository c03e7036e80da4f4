/*
 * SPF record parser (RFC 7208 §4.5, §4.6, §5, §6) and macro expander (§7).
 * Everything reads through the bounds-checked cursor; records are not
 * NUL-terminated (they come from TXT RDATA).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/cursor.h"
#include "hygiene/spf.h"

#define SPF_MAX_NAME	253

bool
hy_spf_is_record(const char *txt, size_t len)
{
	struct hy_cursor c;

	hy_cursor_init(&c, txt, len);
	if (!hy_cursor_accept_ci(&c, "v=spf1"))
		return false;
	return hy_cursor_eof(&c) || hy_cursor_peek(&c) == ' ';
}

/* ---- Macro strings --------------------------------------------------- */

static int
is_macro_letter(int ch, bool exp)
{
	switch (tolower(ch)) {
	case 's': case 'l': case 'o': case 'd': case 'i': case 'p':
	case 'h': case 'v':
		return 1;
	case 'c': case 'r': case 't':
		return exp;
	}
	return 0;
}

static int
is_delimiter(int ch)
{
	return ch > 0 && strchr(".-+,/_=", ch) != NULL;
}

/* A parsed %{...}: letter, digits (0 = all), reverse, delimiter set. */
struct macro {
	int		 letter;
	unsigned	 digits;
	bool		 reverse;
	char		 delims[8];
};

/*
 * Parse what follows a '%' at the cursor: "%", "_", "-" or "{...}". On
 * success returns the literal to emit (>0) or 0 for a macro in *m.
 * Returns -1 on a syntax error.
 */
static int
macro_escape(struct hy_cursor *c, bool exp, struct macro *m)
{
	uint64_t n;
	int ch;
	size_t nd = 0;

	if (hy_cursor_accept(c, '%'))
		return '%';
	if (hy_cursor_accept(c, '_'))
		return ' ';
	if (hy_cursor_accept(c, '-'))
		return -2;	/* "%20", handled by the caller */
	if (!hy_cursor_accept(c, '{'))
		return -1;
	ch = hy_cursor_next(c);
	if (ch < 0 || !is_macro_letter(ch, exp))
		return -1;
	memset(m, 0, sizeof(*m));
	m->letter = ch;
	if (hy_cursor_uint(c, 128, &n)) {
		/* §7.1: the digit transformer must be nonzero. */
		if (n == 0)
			return -1;
		m->digits = (unsigned)n;
	}
	if (hy_cursor_accept(c, 'r') || hy_cursor_accept(c, 'R'))
		m->reverse = true;
	while (is_delimiter(hy_cursor_peek(c))) {
		ch = hy_cursor_next(c);
		if (nd + 1 < sizeof(m->delims) && strchr(m->delims, ch) == NULL)
			m->delims[nd++] = (char)ch;
	}
	if (!hy_cursor_accept(c, '}'))
		return -1;
	return 0;
}

/* macro-literal = %x21-24 / %x26-7E; exp text also allows spaces (§6.2
 * explanation strings are macro-strings over visible chars and SP). */
static bool
is_literal(int ch, bool exp)
{
	if (exp && ch == ' ')
		return true;
	return ch >= 0x21 && ch <= 0x7e && ch != '%';
}

bool
hy_spf_macro_valid(const char *s, size_t len, bool exp)
{
	struct hy_cursor c;
	struct macro m;
	int ch;

	hy_cursor_init(&c, s, len);
	while ((ch = hy_cursor_next(&c)) >= 0) {
		if (ch == '%') {
			if (macro_escape(&c, exp, &m) == -1)
				return false;
		} else if (!is_literal(ch, exp))
			return false;
	}
	return true;
}

bool
hy_spf_macro_uses(const char *s, const char *letters)
{
	struct hy_cursor c;
	struct macro m;

	hy_cursor_init(&c, s, strlen(s));
	while (!hy_cursor_eof(&c)) {
		if (hy_cursor_next(&c) != '%')
			continue;
		if (macro_escape(&c, true, &m) == 0 &&
		    strchr(letters, tolower(m.letter)) != NULL)
			return true;
	}
	return false;
}

/* A growable output buffer. */
struct buf {
	char	*p;
	size_t	 len, cap;
	bool	 oom;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	char *np;
	size_t ncap;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		ncap = b->cap ? b->cap : 64;
		while (ncap < b->len + n + 1)
			ncap *= 2;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* The dotted-nibble or dotted-quad form of an address (%{i}). */
static void
ip_dotted(const struct hy_spf_ip *ip, char *out, size_t outlen)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (ip->family == 4) {
		snprintf(out, outlen, "%u.%u.%u.%u", ip->b[0], ip->b[1],
		    ip->b[2], ip->b[3]);
		return;
	}
	for (int i = 0; i < 16 && o + 4 < outlen; i++) {
		out[o++] = hex[ip->b[i] >> 4];
		out[o++] = '.';
		out[o++] = hex[ip->b[i] & 0xf];
		out[o++] = '.';
	}
	out[o ? o - 1 : 0] = '\0';
}

static void
ip_text(const struct hy_spf_ip *ip, char *out, size_t outlen)
{
	if (inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->b, out,
	    (socklen_t)outlen) == NULL)
		snprintf(out, outlen, "unknown");
}

/* The raw value of a macro letter; NULL if it has none here. */
static const char *
macro_value(const struct hy_spf_macro_ctx *x, int letter, char *tmp,
    size_t tmplen)
{
	switch (tolower(letter)) {
	case 's': return x->sender;
	case 'l': return x->local;
	case 'o': return x->sender_domain;
	case 'd': return x->domain;
	case 'h': return x->helo;
	case 'p': return x->validated ? x->validated : "unknown";
	case 'r': return x->receiver ? x->receiver : "unknown";
	case 'i':
		if (x->ip == NULL)
			return NULL;
		ip_dotted(x->ip, tmp, tmplen);
		return tmp;
	case 'c':
		if (x->ip == NULL)
			return NULL;
		ip_text(x->ip, tmp, tmplen);
		return tmp;
	case 'v':
		if (x->ip == NULL)
			return NULL;
		return x->ip->family == 4 ? "in-addr" : "ip6";
	case 't':
		snprintf(tmp, tmplen, "%lld", (long long)x->now);
		return tmp;
	}
	return NULL;
}

/* URL-escape (§7.3) for upper-case macro letters: keep unreserved. */
static void
buf_add_escaped(struct buf *b, const char *s, size_t n)
{
	char esc[4];

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' ||
		    ch == '~') {
			buf_add(b, (const char *)&ch, 1);
		} else {
			snprintf(esc, sizeof(esc), "%%%02X", ch);
			buf_add(b, esc, 3);
		}
	}
}

/*
 * Apply the transformers of m to value and append the result: split on
 * the delimiters, optionally reverse, keep the rightmost m->digits parts,
 * join with dots (§7.3).
 */
static void
macro_apply(struct buf *out, const struct macro *m, const char *value)
{
	const char *delims = m->delims[0] ? m->delims : ".";
	struct { const char *p; size_t len; } *parts = NULL;
	size_t nparts = 1, k = 0, first;
	struct buf joined = { 0 };
	const char *p, *start;

	for (p = value; *p; p++)
		if (strchr(delims, *p) != NULL)
			nparts++;
	if ((parts = calloc(nparts, sizeof(*parts))) == NULL) {
		out->oom = true;
		return;
	}
	for (start = p = value;; p++) {
		if (*p == '\0' || strchr(delims, *p) != NULL) {
			parts[k].p = start;
			parts[k++].len = (size_t)(p - start);
			start = p + 1;
			if (*p == '\0')
				break;
		}
	}
	if (m->reverse)
		for (size_t i = 0; i < nparts / 2; i++) {
			__typeof__(*parts) t = parts[i];

			parts[i] = parts[nparts - 1 - i];
			parts[nparts - 1 - i] = t;
		}
	first = m->digits && m->digits < nparts ? nparts - m->digits : 0;
	for (size_t i = first; i < nparts; i++) {
		if (i > first)
			buf_add(&joined, ".", 1);
		buf_add(&joined, parts[i].p, parts[i].len);
	}
	if (joined.oom)
		out->oom = true;
	else if (isupper(m->letter))
		buf_add_escaped(out, joined.p ? joined.p : "", joined.len);
	else
		buf_add(out, joined.p ? joined.p : "", joined.len);
	free(joined.p);
	free(parts);
}

/* §4.8: drop labels from the left until the name fits in 253 octets. */
static void
shorten_name(struct buf *b)
{
	size_t off = 0;

	while (b->len - off > SPF_MAX_NAME) {
		const char *dot = memchr(b->p + off, '.', b->len - off);

		if (dot == NULL)
			break;
		off = (size_t)(dot - b->p) + 1;
	}
	if (off > 0) {
		memmove(b->p, b->p + off, b->len - off + 1);
		b->len -= off;
	}
}

int
hy_spf_macro_expand(const struct hy_spf_macro_ctx *x, const char *s, bool exp,
    char **out)
{
	struct hy_cursor c;
	struct buf b = { 0 };
	struct macro m;
	char tmp[80];
	const char *v;
	int ch, r, rc = -1;

	*out = NULL;
	hy_cursor_init(&c, s, strlen(s));
	buf_add(&b, "", 0);
	while ((ch = hy_cursor_next(&c)) >= 0) {
		char lit = (char)ch;

		if (ch != '%') {
			if (!is_literal(ch, exp))
				goto out;
			buf_add(&b, &lit, 1);
			continue;
		}
		if ((r = macro_escape(&c, exp, &m)) == -1)
			goto out;
		if (r == -2)
			buf_add(&b, "%20", 3);
		else if (r > 0) {
			lit = (char)r;
			buf_add(&b, &lit, 1);
		} else {
			if ((v = macro_value(x, m.letter, tmp, sizeof(tmp))) ==
			    NULL)
				goto out;
			macro_apply(&b, &m, v);
		}
	}
	if (b.oom) {
		rc = -2;
		goto out;
	}
	if (!exp)
		shorten_name(&b);
	*out = b.p;
	b.p = NULL;
	rc = 0;
out:
	if (b.oom)
		rc = -2;
	free(b.p);
	return rc;
}

/* ---- Records --------------------------------------------------------- */

static void
perr_set(struct hy_spf_perr *err, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
perr_set(struct hy_spf_perr *err, size_t pos, const char *fmt, ...)
{
	va_list ap;

	err->pos = pos;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

void
hy_spf_record_free(struct hy_spf_record *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nterms; i++) {
		free(r->terms[i].spec);
		free(r->terms[i].text);
	}
	free(r->terms);
	free(r);
}

static int
is_name_char(int ch)
{
	return isalnum(ch) || ch == '-' || ch == '_' || ch == '.';
}

static int
is_alnum(int ch)
{
	return ch >= 0 && isalnum(ch);
}

/*
 * domain-end (§7.1): the domain-spec ends in a macro-expand or in
 * "." toplabel ["."], where a toplabel is not all digits and neither
 * starts nor ends with '-'.
 */
static bool
domain_end_valid(const char *s, size_t len)
{
	size_t end = len, start;
	bool alpha = false;

	if (len > 0 && s[len - 1] == '}')
		return true;
	/* A trailing %-escape also ends in a macro-expand. */
	if (len >= 2 && s[len - 2] == '%' &&
	    (s[len - 1] == '%' || s[len - 1] == '_' || s[len - 1] == '-'))
		return true;
	if (end > 0 && s[end - 1] == '.')
		end--;
	start = end;
	while (start > 0 && s[start - 1] != '.')
		start--;
	if (start == 0 || start == end)
		return false;
	if (s[start] == '-' || s[end - 1] == '-')
		return false;
	for (size_t i = start; i < end; i++) {
		if (!is_alnum((unsigned char)s[i]) && s[i] != '-')
			return false;
		if (isalpha((unsigned char)s[i]))
			alpha = true;
	}
	/* All-alnum toplabels need a letter; ones with '-' may be digits. */
	if (!alpha && memchr(s + start, '-', end - start) == NULL)
		return false;
	return true;
}

static int
set_spec(struct hy_spf_term *t, struct hy_span s, bool domain,
    struct hy_spf_perr *err, size_t pos)
{
	if (s.len == 0) {
		perr_set(err, pos, "empty domain-spec in \"%s\" (RFC 7208 §7.1)",
		    t->text);
		return -1;
	}
	if (!hy_spf_macro_valid(s.p, s.len, false)) {
		perr_set(err, pos, "invalid macro-string in \"%s\" (RFC 7208 "
		    "§7.1)", t->text);
		return -1;
	}
	if (domain && !domain_end_valid(s.p, s.len)) {
		perr_set(err, pos, "\"%s\" does not end in a valid top label "
		    "or macro (RFC 7208 §7.1)", t->text);
		return -1;
	}
	if ((t->spec = hy_span_dup(s)) == NULL)
		return -2;
	return 0;
}

/* "/" followed by a CIDR length without leading zeros, <= max. */
static bool
parse_cidr(struct hy_cursor *c, unsigned max, unsigned *out)
{
	uint64_t v;
	size_t start;

	if (!hy_cursor_accept(c, '/'))
		return false;
	start = c->pos;
	if (!hy_cursor_uint(c, 1000, &v) || v > max)
		return false;
	if (c->buf[start] == '0' && c->pos - start > 1)
		return false;
	*out = (unsigned)v;
	return true;
}

/*
 * Split a trailing dual-cidr-length off a/mx arguments. rest is the term
 * after the mechanism name (":domain-spec" and/or the CIDR part).
 */
static int
split_dual_cidr(struct hy_spf_term *t, struct hy_span *rest,
    struct hy_spf_perr *err, size_t pos)
{
	struct hy_cursor c;
	size_t i;

	/* The CIDR part starts at the first '/' followed by a digit that runs
	 * to the end as ( "/" n [ "//" n ] ) or ( "//" n ). */
	for (i = 0; i < rest->len; i++) {
		if (rest->p[i] != '/')
			continue;
		hy_cursor_init(&c, rest->p + i, rest->len - i);
		if (hy_cursor_peek(&c) == '/' && c.len > 1 && c.buf[1] == '/') {
			hy_cursor_next(&c);
			if (!parse_cidr(&c, 128, &t->cidr6) || !hy_cursor_eof(&c))
				continue;
		} else {
			if (!parse_cidr(&c, 32, &t->cidr4))
				continue;
			if (!hy_cursor_eof(&c)) {
				if (!hy_cursor_accept(&c, '/') ||
				    !parse_cidr(&c, 128, &t->cidr6) ||
				    !hy_cursor_eof(&c)) {
					t->cidr4 = 32;
					continue;
				}
			}
		}
		rest->len = i;
		return 0;
	}
	/* A '/' that did not form a valid CIDR suffix at the end. */
	if (rest->len > 0 && memchr(rest->p, '/', rest->len) != NULL) {
		const char *sl = memchr(rest->p, '/', rest->len);

		if (sl + 1 < rest->p + rest->len &&
		    isdigit((unsigned char)sl[1])) {
			perr_set(err, pos, "invalid CIDR length in \"%s\" "
			    "(RFC 7208 §5.6)", t->text);
			return -1;
		}
	}
	return 0;
}

static int
parse_ip(struct hy_spf_term *t, struct hy_span s, struct hy_spf_perr *err,
    size_t pos)
{
	struct hy_cursor c;
	struct hy_span net;
	char tmp[64];
	int af = t->mech == HY_SPF_IP4 ? AF_INET : AF_INET6;

	hy_cursor_init(&c, s.p, s.len);
	net = hy_cursor_until(&c, "/");
	if (net.len == 0 || net.len >= sizeof(tmp))
		goto bad;
	memcpy(tmp, net.p, net.len);
	tmp[net.len] = '\0';
	if (inet_pton(af, tmp, t->addr) != 1)
		goto bad;
	if (!hy_cursor_eof(&c)) {
		if (!parse_cidr(&c, af == AF_INET ? 32 : 128,
		    af == AF_INET ? &t->cidr4 : &t->cidr6) || !hy_cursor_eof(&c))
			goto bad;
	}
	return 0;
bad:
	perr_set(err, pos, "invalid address or prefix in \"%s\" (RFC 7208 §5.6)",
	    t->text);
	return -1;
}

static const struct {
	const char	*name;
	enum hy_spf_mech mech;
} mechs[] = {
	{ "all", HY_SPF_ALL }, { "include", HY_SPF_INCLUDE },
	{ "a", HY_SPF_A }, { "mx", HY_SPF_MX }, { "ptr", HY_SPF_PTR },
	{ "ip4", HY_SPF_IP4 }, { "ip6", HY_SPF_IP6 },
	{ "exists", HY_SPF_EXISTS },
};

/* The arguments of a directive: what follows the mechanism name. */
static int
parse_directive_args(struct hy_spf_term *t, struct hy_span rest,
    struct hy_spf_perr *err, size_t pos)
{
	bool colon = rest.len > 0 && rest.p[0] == ':';
	struct hy_span arg = rest;

	if (colon) {
		arg.p++;
		arg.len--;
	}
	switch (t->mech) {
	case HY_SPF_ALL:
		if (rest.len == 0)
			return 0;
		break;
	case HY_SPF_INCLUDE:
	case HY_SPF_EXISTS:
		if (colon)
			return set_spec(t, arg, true, err, pos);
		break;
	case HY_SPF_PTR:
		if (rest.len == 0)
			return 0;
		if (colon)
			return set_spec(t, arg, true, err, pos);
		break;
	case HY_SPF_A:
	case HY_SPF_MX:
		if (split_dual_cidr(t, &rest, err, pos) != 0)
			return -1;
		if (rest.len == 0)
			return 0;
		if (rest.p[0] == ':') {
			arg.p = rest.p + 1;
			arg.len = rest.len - 1;
			return set_spec(t, arg, true, err, pos);
		}
		break;
	case HY_SPF_IP4:
	case HY_SPF_IP6:
		if (colon)
			return parse_ip(t, arg, err, pos);
		break;
	}
	perr_set(err, pos, "malformed mechanism \"%s\" (RFC 7208 §5)", t->text);
	return -1;
}

/* One term (§4.6.1); t->text is already set. */
static int
parse_term(struct hy_spf_record *r, struct hy_spf_term *t, struct hy_span s,
    struct hy_spf_perr *err, size_t pos)
{
	struct hy_cursor c;
	struct hy_span name, rest;
	char q = 0;

	hy_cursor_init(&c, s.p, s.len);
	if (hy_cursor_peek(&c) > 0 && strchr("+-~?", hy_cursor_peek(&c)) != NULL)
		q = (char)hy_cursor_next(&c);
	if (!isalpha(hy_cursor_peek(&c) < 0 ? 0 : hy_cursor_peek(&c))) {
		perr_set(err, pos, "unknown term \"%s\" (RFC 7208 §4.6.1)",
		    t->text);
		return -1;
	}
	name = hy_cursor_while(&c, is_name_char);
	rest.p = s.p + c.pos;
	rest.len = hy_cursor_left(&c);
	if (hy_cursor_accept(&c, '=')) {
		/* A modifier (§6). */
		struct hy_span val = { s.p + c.pos, hy_cursor_left(&c) };

		if (q != 0) {
			perr_set(err, pos, "modifier \"%s\" has a qualifier "
			    "(RFC 7208 §4.6.1)", t->text);
			return -1;
		}
		if (hy_span_eq_ci(name, "redirect") || hy_span_eq_ci(name, "exp")) {
			bool redir = name.len == 8;
			int *slot = redir ? &r->redirect : &r->exp;

			if (*slot >= 0) {
				perr_set(err, pos, "\"%.*s\" appears twice "
				    "(RFC 7208 §6)", (int)name.len, name.p);
				return -1;
			}
			*slot = (int)r->nterms;
			t->kind = redir ? HY_SPF_REDIRECT : HY_SPF_EXP;
			return set_spec(t, val, true, err, pos);
		}
		t->kind = HY_SPF_UNKNOWN_MOD;
		if (!hy_spf_macro_valid(val.p, val.len, false)) {
			perr_set(err, pos, "invalid macro-string in \"%s\" "
			    "(RFC 7208 §6)", t->text);
			return -1;
		}
		return 0;
	}
	t->kind = HY_SPF_DIRECTIVE;
	t->qualifier = q ? q : '+';
	for (size_t i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		if (hy_span_eq_ci(name, mechs[i].name)) {
			t->mech = mechs[i].mech;
			if (t->mech == HY_SPF_ALL)
				r->has_all = true;
			return parse_directive_args(t, rest, err, pos);
		}
	}
	perr_set(err, pos, "unknown mechanism \"%s\" (RFC 7208 §5)", t->text);
	return -1;
}

static int
is_term_char(int ch)
{
	return ch != ' ';
}

int
hy_spf_parse(const char *txt, size_t len, struct hy_spf_record **out,
    struct hy_spf_perr *err)
{
	struct hy_spf_record *r;
	struct hy_cursor c;
	struct hy_span s;
	size_t cap = 0;
	int rc = -2;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return -2;
	r->redirect = r->exp = -1;
	hy_cursor_init(&c, txt, len);
	if (!hy_spf_is_record(txt, len)) {
		perr_set(err, 0, "not an SPF record (RFC 7208 §4.5)");
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)txt[i];

		/* §3.1 / §4.6.1: records are 7-bit ASCII, terms split by SP. */
		if (ch >= 0x80 || ch < 0x20 || ch == 0x7f) {
			perr_set(err, i, "byte 0x%02x at offset %zu is not "
			    "printable ASCII (RFC 7208 §3.1)", ch, i);
			rc = -1;
			goto out;
		}
	}
	hy_cursor_accept_ci(&c, "v=spf1");
	for (;;) {
		struct hy_spf_term *t, *nt;
		size_t pos;

		while (hy_cursor_accept(&c, ' '))
			;
		if (hy_cursor_eof(&c))
			break;
		pos = c.pos;
		s = hy_cursor_while(&c, is_term_char);
		if (r->nterms == cap) {
			cap = cap ? cap * 2 : 8;
			if ((nt = reallocarray(r->terms, cap, sizeof(*nt))) ==
			    NULL)
				goto out;
			r->terms = nt;
		}
		t = &r->terms[r->nterms];
		memset(t, 0, sizeof(*t));
		t->cidr4 = 32;
		t->cidr6 = 128;
		if ((t->text = hy_span_dup(s)) == NULL)
			goto out;
		rc = parse_term(r, t, s, err, pos);
		r->nterms++;
		if (rc != 0)
			goto out;
		rc = -2;
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	hy_spf_record_free(r);
	return rc;
}

int
hy_spf_ip_parse(const char *text, struct hy_spf_ip *ip)
{
	static const unsigned char mapped[12] =
	    { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, text, ip->b) == 1) {
		ip->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, ip->b) != 1)
		return -1;
	ip->family = 6;
	if (memcmp(ip->b, mapped, sizeof(mapped)) == 0) {
		memmove(ip->b, ip->b + 12, 4);
		memset(ip->b + 4, 0, 12);
		ip->family = 4;
	}
	return 0;
}

const char *
hy_spf_result_str(enum hy_spf_result r)
{
	switch (r) {
	case HY_SPF_NONE: return "none";
	case HY_SPF_NEUTRAL: return "neutral";
	case HY_SPF_PASS: return "pass";
	case HY_SPF_FAIL: return "fail";
	case HY_SPF_SOFTFAIL: return "softfail";
	case HY_SPF_TEMPERROR: return "temperror";
	case HY_SPF_PERMERROR: return "permerror";
	}
	return "permerror";
}
