/*
 * DMARC Policy Record parser (RFC 9989 §4.7 tags, §4.8 formal definition).
 *
 * The record is a DKIM tag-list (RFC 6376 §3.2, which §4.7 adopts), read
 * the way a receiver reads it, with a finding for every deviation:
 *
 *   - "v=DMARC1" must be the first tag and its value exactly "DMARC1"
 *     (§4.7 v tag, §4.8 %s); otherwise the string is no DMARC record at
 *     all and hy_dmarc_why_not() says why, when it looks like an attempt.
 *   - Tag names are case-sensitive (RFC 6376 §3.2): "P=reject" is not p=.
 *     A receiver ignores it as an unknown tag and so do we, with a
 *     "tag-case" error, since the owner's intent is lost.
 *   - Unknown tags are ignored (§4.7) and noted ("unknown-tag", info);
 *     pct, rf and ri, which RFC 9989 removed (Appendix C), get
 *     "removed-tag". A name that is a valid DKIM tag-name (ALPHA
 *     *ALNUMPUNC) but not DMARC's 1*ALPHA cannot be a registered tag, so
 *     it is an unknown tag too.
 *   - Values are case-insensitive except the version: RFC 5234 §2.3 makes
 *     quoted ABNF strings case-insensitive, and §4.8 marks only "DMARC1"
 *     with %s. So p=REJECT is reject.
 *   - A syntax error is discarded in favour of the default (§4.8). For p,
 *     sp and np that leaves an invalid policy, which §4.10.1 resolves
 *     (dmarc_walk.c).
 *   - A tag that occurs twice makes a DKIM tag-list invalid (RFC 6376
 *     §3.2). We ignore every occurrence of that tag (§4.8: discarded), not
 *     the whole record: a duplicated p is then "no valid p" for §4.10.1.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hygiene/cursor.h"
#include "hygiene/txt.h"
#include "dmarc.h"

/* Findings listed per record; a hostile record may hold thousands. */
#define NOTES_MAX 32

/* Known tags (the RFC 9989 §9.3 registry, with the removed ones). */
enum tag_id {
	T_V, T_P, T_SP, T_NP, T_PSD, T_T, T_ADKIM, T_ASPF, T_RUA, T_RUF,
	T_FO, T_PCT, T_RF, T_RI, T_N
};
static const char *const tag_names[T_N] = {
	"v", "p", "sp", "np", "psd", "t", "adkim", "aspf", "rua", "ruf", "fo",
	"pct", "rf", "ri",
};

struct parser {
	struct hy_dmarc_record	*r;
	unsigned		 unlisted;	/* findings past NOTES_MAX */
	unsigned		 count[T_N];	/* occurrences of each tag */
};

/* One tag-spec (RFC 6376 §3.2). */
struct tag {
	struct hy_span	 name, value;
	size_t		 off;		/* where the tag-spec starts */
	const char	*err;		/* why it is malformed, or NULL */
};

const char *
hy_dmarc_policy_str(enum hy_dmarc_policy p)
{
	switch (p) {
	case HY_DMARC_P_NONE:
		return "none";
	case HY_DMARC_P_QUARANTINE:
		return "quarantine";
	case HY_DMARC_P_REJECT:
		return "reject";
	case HY_DMARC_P_UNSET:
	case HY_DMARC_P_INVALID:
		break;
	}
	return NULL;
}

static void
uris_free(struct hy_dmarc_uri *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].uri);
		free(v[i].domain);
	}
	free(v);
}

void
hy_dmarc_record_clear(struct hy_dmarc_record *r)
{
	if (r == NULL)
		return;
	free(r->text);
	uris_free(r->rua, r->nrua);
	uris_free(r->ruf, r->nruf);
	hy_findings_clear(&r->findings);
	memset(r, 0, sizeof(*r));
}

/* A finding about the record; only the first NOTES_MAX are listed, but
 * every error counts. */
static int __attribute__((format(printf, 4, 5)))
note(struct parser *ps, const char *code, enum hy_severity sev,
    const char *fmt, ...)
{
	struct hy_dmarc_record *r = ps->r;
	char msg[512];
	va_list ap;

	if (sev == HY_SEV_ERROR)
		r->nerrors++;
	if (r->findings.n >= NOTES_MAX) {
		ps->unlisted++;
		return 0;
	}
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hy_findings_add(&r->findings, code, sev, "%s", msg);
}

/* A syntax error (§4.8): discarded, and the record is not "otherwise
 * syntactically valid" (§4.7 p tag). */
#define BAD(ps, code, ...) do {						\
	(ps)->r->syntax_ok = false;					\
	if (note((ps), (code), HY_SEV_ERROR, __VA_ARGS__) != 0)		\
		return -1;						\
} while (0)

static int
is_alnumpunc(int ch)
{
	return isalnum(ch) || ch == '_';
}

static bool
is_wsp(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* WSP around a value is not part of it (RFC 6376 §3.2). */
static struct hy_span
trim_wsp(struct hy_span s)
{
	while (s.len > 0 && is_wsp(s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && is_wsp(s.p[s.len - 1]))
		s.len--;
	return s;
}

static int
tag_index(struct hy_span name, bool ci)
{
	for (int i = 0; i < T_N; i++)
		if (strlen(tag_names[i]) == name.len && (ci ?
		    strncasecmp(tag_names[i], name.p, name.len) :
		    memcmp(tag_names[i], name.p, name.len)) == 0)
			return i;
	return -1;
}

/* The next tag-spec after a ";". False at the end of the record (a
 * trailing separator is allowed). */
static bool
next_tag(struct hy_cursor *c, struct tag *t)
{
	memset(t, 0, sizeof(*t));
	if (!hy_cursor_accept(c, ';'))
		return false;
	hy_cursor_skip_ws(c);
	if (hy_cursor_eof(c))
		return false;
	t->off = c->pos;
	t->name = hy_cursor_while(c, is_alnumpunc);
	hy_cursor_skip_ws(c);
	if (t->name.len == 0 || !isalpha((unsigned char)t->name.p[0]) ||
	    !hy_cursor_accept(c, '=')) {
		(void)hy_cursor_until(c, ";");
		t->name.len = 0;
		t->err = "is not a tag=value pair";
		return true;
	}
	t->value = trim_wsp(hy_cursor_until(c, ";"));
	if (t->value.len == 0)
		t->err = "has an empty value";
	for (size_t i = 0; i < t->value.len; i++)
		if ((unsigned char)t->value.p[i] < 0x20 ||
		    (unsigned char)t->value.p[i] > 0x7e) {
			t->err = "has a byte outside printable ASCII in its "
			    "value";
			break;
		}
	return true;
}

static enum hy_dmarc_policy
policy_value(struct hy_span v)
{
	if (hy_span_eq_ci(v, "none"))
		return HY_DMARC_P_NONE;
	if (hy_span_eq_ci(v, "quarantine"))
		return HY_DMARC_P_QUARANTINE;
	if (hy_span_eq_ci(v, "reject"))
		return HY_DMARC_P_REJECT;
	return HY_DMARC_P_INVALID;
}

static enum hy_dmarc_policy *
policy_slot(struct hy_dmarc_record *r, int id)
{
	switch (id) {
	case T_P:
		return &r->p;
	case T_SP:
		return &r->sp;
	case T_NP:
		return &r->np;
	default:
		return NULL;
	}
}

static int
tag_policy(struct parser *ps, int id, struct hy_span v)
{
	enum hy_dmarc_policy *out = policy_slot(ps->r, id);

	*out = policy_value(v);
	if (*out == HY_DMARC_P_INVALID)
		BAD(ps, "invalid-policy", "%s=%.*s is not none, quarantine or "
		    "reject (RFC 9989 §4.7)", tag_names[id], (int)v.len, v.p);
	return 0;
}

/* The domain a report URI points at: the host of a mailto: address or
 * of a scheme://authority URI. NULL (not an error) when there is none. */
static int
uri_domain(struct hy_span u, char **out)
{
	struct hy_cursor c;
	struct hy_span host;
	const char *at;

	*out = NULL;
	hy_cursor_init(&c, u.p, u.len);
	if (hy_cursor_accept_ci(&c, "mailto:")) {
		(void)hy_cursor_until(&c, "@?");
		if (!hy_cursor_accept(&c, '@'))
			return 0;
		host = hy_cursor_until(&c, "?!>,");
	} else {
		(void)hy_cursor_until(&c, ":");
		if (!hy_cursor_accept_ci(&c, "://"))
			return 0;
		host = hy_cursor_until(&c, "/?#!");
		/* Drop userinfo and port from the authority. */
		at = memrchr(host.p, '@', host.len);
		if (at != NULL) {
			host.len -= (size_t)(at + 1 - host.p);
			host.p = at + 1;
		}
		if (host.len > 0 && host.p[0] == '[')
			return 0;	/* an IP literal has no domain */
		hy_cursor_init(&c, host.p, host.len);
		host = hy_cursor_until(&c, ":");
	}
	/* A trailing dot is allowed in a domain; drop it. */
	if (host.len > 0 && host.p[host.len - 1] == '.')
		host.len--;
	if (host.len == 0)
		return 0;
	if ((*out = hy_span_dup(host)) == NULL)
		return -1;
	for (char *p = *out; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return 0;
}

static bool
uri_syntax_ok(struct hy_span u)
{
	size_t i = 0;

	if (u.len == 0 || !isalpha((unsigned char)u.p[0]))
		return false;
	while (i < u.len && (isalnum((unsigned char)u.p[i]) || u.p[i] == '+' ||
	    u.p[i] == '-' || u.p[i] == '.'))
		i++;
	if (i >= u.len - 1 || u.p[i] != ':')
		return false;
	for (; i < u.len; i++)
		if (u.p[i] <= 0x20 || u.p[i] >= 0x7f || u.p[i] == ',' ||
		    u.p[i] == ';')
			return false;
	return true;
}

/* One URI of a list: kept when it is a syntactically valid reporting URI
 * (a mailto: one needs an address with a domain). */
static int
uri_add(struct parser *ps, const char *tag, struct hy_span u,
    struct hy_dmarc_uri **out, size_t *nout)
{
	struct hy_dmarc_uri *nv, uri = { NULL, NULL };
	bool mailto = u.len >= 7 && hy_span_eq_ci((struct hy_span){ u.p, 7 },
	    "mailto:");

	if (!uri_syntax_ok(u)) {
		BAD(ps, "invalid-uri", "%s: \"%.*s\" is not a URI (RFC 9989 "
		    "§4.8)", tag, (int)u.len, u.p);
		return 0;
	}
	if (uri_domain(u, &uri.domain) != 0)
		return -1;
	if (mailto && uri.domain == NULL) {
		BAD(ps, "invalid-uri", "%s: \"%.*s\" has no domain (RFC 9989 "
		    "§4.7)", tag, (int)u.len, u.p);
		return 0;
	}
	if ((uri.uri = hy_span_dup(u)) == NULL ||
	    (nv = reallocarray(*out, *nout + 1, sizeof(*nv))) == NULL) {
		free(uri.uri);
		free(uri.domain);
		return -1;
	}
	*out = nv;
	nv[(*nout)++] = uri;
	if (memchr(u.p, '!', u.len) != NULL && note(ps, "uri-size-limit",
	    HY_SEV_WARNING, "%s: \"%.*s\" carries a size limit; RFC 9989 "
	    "Appendix C removed them and \"!\" must be encoded", tag,
	    (int)u.len, u.p) != 0)
		return -1;
	return 0;
}

/* dmarc-urilist = dmarc-uri *(*WSP "," *WSP dmarc-uri) */
static int
tag_urilist(struct parser *ps, int id, struct hy_span v)
{
	struct hy_dmarc_record *r = ps->r;
	struct hy_cursor c;

	hy_cursor_init(&c, v.p, v.len);
	do {
		if (uri_add(ps, tag_names[id], trim_wsp(hy_cursor_until(&c,
		    ",")), id == T_RUA ? &r->rua : &r->ruf, id == T_RUA ?
		    &r->nrua : &r->nruf) != 0)
			return -1;
	} while (hy_cursor_accept(&c, ','));
	return 0;
}

/* A one-letter value from allowed, case-insensitive; invalid keeps the
 * default (§4.8). */
static int
tag_flag(struct parser *ps, int id, struct hy_span v, const char *allowed,
    char *out)
{
	if (v.len != 1 || strchr(allowed, tolower((unsigned char)v.p[0])) ==
	    NULL) {
		BAD(ps, "syntax-error", "%s=%.*s: expected one of \"%s\"; the "
		    "default applies (RFC 9989 §4.7, §4.8)", tag_names[id],
		    (int)v.len, v.p, allowed);
		return 0;
	}
	*out = (char)tolower((unsigned char)v.p[0]);
	return 0;
}

/* fo: colon-separated 0, 1, d, s (RFC 9989 §4.7). */
static int
tag_fo(struct parser *ps, struct hy_span v)
{
	struct hy_cursor c;
	struct hy_span o;

	hy_cursor_init(&c, v.p, v.len);
	do {
		o = trim_wsp(hy_cursor_until(&c, ":"));
		if (o.len != 1 || strchr("01ds", tolower((unsigned char)o.p[0]))
		    == NULL) {
			BAD(ps, "syntax-error", "fo=%.*s: options are 0, 1, d "
			    "and s separated by colons (RFC 9989 §4.7)",
			    (int)v.len, v.p);
			break;
		}
	} while (hy_cursor_accept(&c, ':'));
	return 0;
}

/* pct, rf and ri existed in RFC 7489 and were removed (RFC 9989
 * Appendix C): reported, otherwise ignored. */
static int
tag_removed(struct parser *ps, int id, struct hy_span v)
{
	struct hy_cursor c;
	uint64_t n;

	if (id == T_PCT) {
		hy_cursor_init(&c, v.p, v.len);
		if (hy_cursor_uint(&c, 100, &n) && hy_cursor_eof(&c)) {
			ps->r->has_pct = true;
			ps->r->pct = (unsigned)n;
		}
	}
	return note(ps, "removed-tag", HY_SEV_WARNING, "%s=%.*s: RFC 9989 "
	    "removed the \"%s\" tag (Appendix C); receivers ignore it%s",
	    tag_names[id], (int)v.len, v.p, tag_names[id], id == T_PCT ?
	    ", use t=y for testing instead" : "");
}

static int
tag_apply(struct parser *ps, int id, struct hy_span v)
{
	struct hy_dmarc_record *r = ps->r;
	char ch = 0;

	switch (id) {
	case T_P:
	case T_SP:
	case T_NP:
		return tag_policy(ps, id, v);
	case T_RUA:
	case T_RUF:
		return tag_urilist(ps, id, v);
	case T_FO:
		return tag_fo(ps, v);
	case T_ADKIM:
		return tag_flag(ps, id, v, "rs", &r->adkim);
	case T_ASPF:
		return tag_flag(ps, id, v, "rs", &r->aspf);
	case T_T:
		if (tag_flag(ps, id, v, "yn", &ch) != 0)
			return -1;
		r->testing = ch == 'y';
		return 0;
	case T_PSD:
		if (tag_flag(ps, id, v, "ynu", &ch) != 0)
			return -1;
		r->psd = ch == 'y' ? HY_DMARC_PSD_Y : ch == 'n' ?
		    HY_DMARC_PSD_N : HY_DMARC_PSD_U;
		return 0;
	default:
		return tag_removed(ps, id, v);
	}
}

/* A name that is no known tag: mis-cased, or unknown (§4.7). */
static int
tag_other(struct parser *ps, struct hy_span name)
{
	int k = tag_index(name, true);

	if (k >= 0)
		return note(ps, "tag-case", HY_SEV_ERROR, "\"%.*s\" is not the "
		    "tag \"%s\": tag names are case-sensitive (RFC 6376 §3.2, "
		    "adopted by RFC 9989 §4.7), so receivers ignore it as an "
		    "unknown tag", (int)name.len, name.p, tag_names[k]);
	return note(ps, "unknown-tag", HY_SEV_INFO, "unknown tag \"%.*s\" "
	    "ignored (RFC 9989 §4.7: unknown tags MUST be ignored)",
	    (int)name.len, name.p);
}

static int
tag_one(struct parser *ps, const struct tag *t, bool *dup_noted)
{
	int k;

	if (t->name.len == 0) {
		BAD(ps, "syntax-error", "the text at offset %zu %s (RFC 6376 "
		    "§3.2, RFC 9989 §4.8); ignored", t->off, t->err);
		return 0;
	}
	if ((k = tag_index(t->name, false)) < 0) {
		if (tag_other(ps, t->name) != 0)
			return -1;
		if (t->err != NULL)
			BAD(ps, "syntax-error", "tag \"%.*s\" %s (RFC 9989 "
			    "§4.8)", (int)t->name.len, t->name.p, t->err);
		return 0;
	}
	if (t->err != NULL || k == T_V || ps->count[k] > 1) {
		/* Ignored: a p, sp or np left without a value is invalid. */
		if (policy_slot(ps->r, k) != NULL)
			*policy_slot(ps->r, k) = HY_DMARC_P_INVALID;
		if (t->err != NULL)
			BAD(ps, "syntax-error", "%s %s (RFC 9989 §4.8); "
			    "ignored", tag_names[k], t->err);
		else if (k == T_V)
			BAD(ps, "syntax-error", "v= may appear only once, "
			    "first (RFC 9989 §4.7)");
		else if (!dup_noted[k]) {
			dup_noted[k] = true;
			BAD(ps, "duplicate-tag", "tag \"%s\" appears %u times: "
			    "a duplicate tag makes the tag-list invalid (RFC "
			    "6376 §3.2, adopted by RFC 9989 §4.7), so every "
			    "occurrence is ignored", tag_names[k],
			    ps->count[k]);
		}
		return 0;
	}
	return tag_apply(ps, k, t->value);
}

static int
parse_tags(struct hy_cursor *c, struct parser *ps)
{
	bool dup_noted[T_N] = { false };
	size_t start = c->pos;
	struct tag t;
	int k;

	/* First pass: how often each known tag occurs (RFC 6376 §3.2). */
	while (next_tag(c, &t))
		if (t.name.len > 0 && (k = tag_index(t.name, false)) >= 0)
			ps->count[k]++;
	c->pos = start;
	while (next_tag(c, &t))
		if (tag_one(ps, &t, dup_noted) != 0)
			return -1;
	return 0;
}

/* v=DMARC1 exactly (case-sensitive, RFC 9989 §4.8), then a separator or
 * the end. */
static bool
parse_version(struct hy_cursor *c)
{
	hy_cursor_skip_ws(c);
	if (!hy_cursor_accept(c, 'v'))
		return false;
	hy_cursor_skip_ws(c);
	if (!hy_cursor_accept(c, '='))
		return false;
	hy_cursor_skip_ws(c);
	if (hy_cursor_left(c) < 6 || memcmp(c->buf + c->pos, "DMARC1", 6) != 0)
		return false;
	c->pos += 6;
	hy_cursor_skip_ws(c);
	return hy_cursor_eof(c) || hy_cursor_peek(c) == ';';
}

/* No p tag: §4.7 treats an otherwise syntactically valid record as
 * p=none; with syntax errors §4.10.1 decides (dmarc_walk.c). */
static int
note_missing_p(struct parser *ps)
{
	if (ps->r->syntax_ok)
		return note(ps, "missing-policy", HY_SEV_WARNING, "no p= tag: "
		    "the record is treated as p=none (RFC 9989 §4.7)");
	return note(ps, "missing-policy", HY_SEV_WARNING, "no p= tag in a "
	    "record with syntax errors, so it is not treated as p=none "
	    "(RFC 9989 §4.7); §4.10.1 decides");
}

enum hy_dmarc_parse
hy_dmarc_parse(const char *txt, size_t len, struct hy_dmarc_record *r)
{
	struct parser ps = { .r = r };
	struct hy_cursor c;

	memset(r, 0, sizeof(*r));
	hy_cursor_init(&c, txt, len);
	if (!parse_version(&c))
		return HY_DMARC_PARSE_NOT_DMARC;
	r->syntax_ok = true;
	r->adkim = r->aspf = 'r';
	if ((r->text = hy_txt_printable(txt, len)) == NULL)
		goto nomem;
	if (parse_tags(&c, &ps) != 0)
		goto nomem;
	if (r->p == HY_DMARC_P_UNSET && note_missing_p(&ps) != 0)
		goto nomem;
	if (ps.unlisted > 0 && hy_findings_add(&r->findings, "more-findings",
	    HY_SEV_INFO, "%u further findings about this record are not "
	    "listed", ps.unlisted) != 0)
		goto nomem;
	return r->nerrors == 0 ? HY_DMARC_PARSE_VALID : HY_DMARC_PARSE_INVALID;
nomem:
	hy_dmarc_record_clear(r);
	return HY_DMARC_PARSE_NOMEM;
}

/* Case-insensitive substring search over len bytes. */
static bool
mentions(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, word, n) == 0)
			return true;
	return false;
}

const char *
hy_dmarc_why_not(const char *txt, size_t len)
{
	struct hy_cursor c;
	struct hy_span v;
	int first;

	if (!mentions(txt, len, "dmarc"))
		return NULL;
	hy_cursor_init(&c, txt, len);
	hy_cursor_skip_ws(&c);
	first = hy_cursor_next(&c);
	hy_cursor_skip_ws(&c);
	if ((first != 'v' && first != 'V') || !hy_cursor_accept(&c, '='))
		return "it does not begin with the tag v=DMARC1, which MUST "
		    "come first (RFC 9989 §4.7)";
	if (first == 'V')
		return "its first tag is \"V\", but tag names are "
		    "case-sensitive: it must be \"v\" (RFC 6376 §3.2, RFC 9989 "
		    "§4.7)";
	hy_cursor_skip_ws(&c);
	v = hy_cursor_until(&c, ";");
	if (v.len >= 6 && memcmp(v.p, "DMARC1", 6) == 0)
		return "\"v=DMARC1\" is not followed by \";\" or the end of "
		    "the record (RFC 9989 §4.8)";
	return "the version must be exactly \"DMARC1\", which is "
	    "case-sensitive (RFC 9989 §4.7, §4.8)";
}
