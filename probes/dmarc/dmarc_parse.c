/*
 * DMARC Policy Record parser (RFC 9989 §4.7 tags, §4.8 formal
 * definition). The record is a DKIM-style tag-list; "v=DMARC1" must come
 * first and match exactly, otherwise the TXT string is not a DMARC record
 * at all. Every other deviation makes the record INVALID with a finding,
 * even where a receiver would fall back to defaults: the survey reports
 * what the owner published, not what a lenient receiver would guess.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hygiene/cursor.h"
#include "hygiene/txt.h"
#include "dmarc.h"

#define TAG_MAX 16

static int
is_alpha(int ch)
{
	return isalpha(ch) != 0;
}

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

/* An error finding that also marks the record as not syntactically ok. */
#define BAD(r, code, ...) do {						\
	(r)->syntax_ok = false;						\
	if (hy_findings_add(&(r)->findings, code, HY_SEV_ERROR,		\
	    __VA_ARGS__) != 0)						\
		return -1;						\
} while (0)

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

static int
tag_policy(struct hy_dmarc_record *r, const char *tag, struct hy_span v,
    enum hy_dmarc_policy *out)
{
	*out = policy_value(v);
	if (*out == HY_DMARC_P_INVALID)
		BAD(r, "invalid-policy", "%s=%.*s is not none, quarantine or "
		    "reject (RFC 9989 §4.7)", tag, (int)v.len, v.p);
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

/* dmarc-urilist = dmarc-uri *(*WSP "," *WSP dmarc-uri) */
static int
tag_urilist(struct hy_dmarc_record *r, const char *tag, struct hy_span v,
    struct hy_dmarc_uri **out, size_t *nout)
{
	struct hy_cursor c;
	struct hy_span u;
	struct hy_dmarc_uri *nv;

	hy_cursor_init(&c, v.p, v.len);
	for (;;) {
		hy_cursor_skip_ws(&c);
		u = hy_span_trim(hy_cursor_until(&c, ","));
		if (!uri_syntax_ok(u))
			BAD(r, "invalid-uri", "%s: \"%.*s\" is not a URI "
			    "(RFC 9989 §4.8)", tag, (int)u.len, u.p);
		else {
			if ((nv = reallocarray(*out, *nout + 1,
			    sizeof(*nv))) == NULL)
				return -1;
			*out = nv;
			memset(&nv[*nout], 0, sizeof(*nv));
			if ((nv[*nout].uri = hy_span_dup(u)) == NULL)
				return -1;
			(*nout)++;
			if (uri_domain(u, &nv[*nout - 1].domain) != 0)
				return -1;
			if (hy_span_eq_ci((struct hy_span){ u.p, 7 },
			    "mailto:") && nv[*nout - 1].domain == NULL)
				BAD(r, "invalid-uri", "%s: \"%.*s\" has no "
				    "domain (RFC 9989 §4.7)", tag, (int)u.len,
				    u.p);
			if (memchr(u.p, '!', u.len) != NULL &&
			    hy_findings_add(&r->findings, "uri-size-limit",
			    HY_SEV_WARNING, "%s: \"%.*s\" carries a size "
			    "limit; RFC 9989 Appendix C removed them and "
			    "\"!\" must be encoded", tag, (int)u.len,
			    u.p) != 0)
				return -1;
		}
		if (!hy_cursor_accept(&c, ','))
			break;
	}
	return 0;
}

static int
tag_flag(struct hy_dmarc_record *r, const char *tag, struct hy_span v,
    const char *allowed, char *out)
{
	if (v.len != 1 || strchr(allowed, tolower((unsigned char)v.p[0])) ==
	    NULL) {
		BAD(r, "syntax-error", "%s=%.*s: expected one of \"%s\" "
		    "(RFC 9989 §4.7)", tag, (int)v.len, v.p, allowed);
		return 0;
	}
	*out = (char)tolower((unsigned char)v.p[0]);
	return 0;
}

/* fo: colon-separated 0, 1, d, s (RFC 9989 §4.7). */
static int
tag_fo(struct hy_dmarc_record *r, struct hy_span v)
{
	struct hy_cursor c;
	struct hy_span o;

	hy_cursor_init(&c, v.p, v.len);
	do {
		o = hy_span_trim(hy_cursor_until(&c, ":"));
		if (o.len != 1 || strchr("01ds", tolower((unsigned char)o.p[0]))
		    == NULL) {
			BAD(r, "syntax-error", "fo=%.*s: options are 0, 1, d "
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
tag_removed(struct hy_dmarc_record *r, const char *tag, struct hy_span v)
{
	struct hy_cursor c;
	uint64_t n;

	if (strcmp(tag, "pct") == 0) {
		hy_cursor_init(&c, v.p, v.len);
		if (hy_cursor_uint(&c, 100, &n) && hy_cursor_eof(&c)) {
			r->has_pct = true;
			r->pct = (unsigned)n;
		}
	}
	if (hy_findings_add(&r->findings, "removed-tag", HY_SEV_WARNING,
	    "%s=%.*s: RFC 9989 removed the \"%s\" tag (Appendix C); "
	    "receivers ignore it%s", tag, (int)v.len, v.p, tag,
	    strcmp(tag, "pct") == 0 ? ", use t=y for testing instead" :
	    "") != 0)
		return -1;
	return 0;
}

static int
tag_apply(struct hy_dmarc_record *r, const char *tag, struct hy_span v)
{
	char ch = 0;

	if (strcmp(tag, "p") == 0)
		return tag_policy(r, tag, v, &r->p);
	if (strcmp(tag, "sp") == 0)
		return tag_policy(r, tag, v, &r->sp);
	if (strcmp(tag, "np") == 0)
		return tag_policy(r, tag, v, &r->np);
	if (strcmp(tag, "rua") == 0)
		return tag_urilist(r, tag, v, &r->rua, &r->nrua);
	if (strcmp(tag, "ruf") == 0)
		return tag_urilist(r, tag, v, &r->ruf, &r->nruf);
	if (strcmp(tag, "fo") == 0)
		return tag_fo(r, v);
	if (strcmp(tag, "adkim") == 0)
		return tag_flag(r, tag, v, "rs", &r->adkim);
	if (strcmp(tag, "aspf") == 0)
		return tag_flag(r, tag, v, "rs", &r->aspf);
	if (strcmp(tag, "t") == 0) {
		if (tag_flag(r, tag, v, "yn", &ch) != 0)
			return -1;
		r->testing = ch == 'y';
		return 0;
	}
	if (strcmp(tag, "psd") == 0) {
		if (tag_flag(r, tag, v, "ynu", &ch) != 0)
			return -1;
		r->psd = ch == 'y' ? HY_DMARC_PSD_Y : ch == 'n' ?
		    HY_DMARC_PSD_N : HY_DMARC_PSD_U;
		return 0;
	}
	if (strcmp(tag, "pct") == 0 || strcmp(tag, "rf") == 0 ||
	    strcmp(tag, "ri") == 0)
		return tag_removed(r, tag, v);
	if (strcmp(tag, "v") == 0) {
		BAD(r, "syntax-error", "v= may appear only once, first "
		    "(RFC 9989 §4.7)");
		return 0;
	}
	if (hy_findings_add(&r->findings, "unknown-tag", HY_SEV_INFO,
	    "unknown tag \"%s\" ignored (RFC 9989 §4.7: unknown tags MUST "
	    "be ignored)", tag) != 0)
		return -1;
	return 0;
}

/* Known tags, for duplicate detection (RFC 6376 §3.2 tag-list rules,
 * which RFC 9989 §4.7 adopts). */
static const char *const known_tags[] = {
	"v", "p", "sp", "np", "psd", "t", "adkim", "aspf", "rua", "ruf", "fo",
	"pct", "rf", "ri",
};
#define NKNOWN (sizeof(known_tags) / sizeof(known_tags[0]))

static int
known_index(const char *tag)
{
	for (size_t i = 0; i < NKNOWN; i++)
		if (strcmp(known_tags[i], tag) == 0)
			return (int)i;
	return -1;
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

static int
parse_tags(struct hy_cursor *c, struct hy_dmarc_record *r)
{
	bool seen[NKNOWN] = { false };
	struct hy_span name, val;
	char tag[TAG_MAX + 1];
	int k;

	seen[0] = true;
	while (hy_cursor_accept(c, ';')) {
		hy_cursor_skip_ws(c);
		if (hy_cursor_eof(c))
			break;			/* trailing separator */
		name = hy_cursor_while(c, is_alpha);
		hy_cursor_skip_ws(c);
		if (name.len == 0 || name.len > TAG_MAX ||
		    !hy_cursor_accept(c, '=')) {
			(void)hy_cursor_until(c, ";");
			BAD(r, "syntax-error", "the text at offset %zu is not "
			    "a tag=value pair (RFC 9989 §4.8)",
			    (size_t)(name.p - c->buf));
			continue;
		}
		memcpy(tag, name.p, name.len);
		tag[name.len] = '\0';
		for (char *p = tag; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		hy_cursor_skip_ws(c);
		val = hy_span_trim(hy_cursor_until(c, ";"));
		for (size_t i = 0; i < val.len; i++)
			if ((unsigned char)val.p[i] < 0x20 ||
			    (unsigned char)val.p[i] > 0x7e) {
				BAD(r, "syntax-error", "%s: value holds a "
				    "byte outside printable ASCII (RFC 9989 "
				    "§4.8)", tag);
				val.len = 0;
				break;
			}
		if (val.len == 0) {
			if (r->syntax_ok)
				BAD(r, "syntax-error", "%s has an empty value "
				    "(RFC 9989 §4.8)", tag);
			continue;
		}
		if ((k = known_index(tag)) >= 0) {
			if (seen[k] && k != 0) {
				BAD(r, "duplicate-tag", "tag \"%s\" appears "
				    "more than once (RFC 6376 §3.2, adopted by "
				    "RFC 9989 §4.7)", tag);
				continue;
			}
			seen[k] = true;
		}
		if (tag_apply(r, tag, val) != 0)
			return -1;
	}
	if (!hy_cursor_eof(c))
		BAD(r, "syntax-error", "unexpected text after the last tag "
		    "(RFC 9989 §4.8)");
	return 0;
}

enum hy_dmarc_parse
hy_dmarc_parse(const char *txt, size_t len, struct hy_dmarc_record *r)
{
	struct hy_cursor c;

	memset(r, 0, sizeof(*r));
	hy_cursor_init(&c, txt, len);
	if (!parse_version(&c))
		return HY_DMARC_PARSE_NOT_DMARC;
	r->syntax_ok = true;
	r->adkim = r->aspf = 'r';
	if ((r->text = hy_txt_printable(txt, len)) == NULL)
		goto nomem;
	if (parse_tags(&c, r) != 0)
		goto nomem;
	if (r->p == HY_DMARC_P_UNSET && hy_findings_add(&r->findings,
	    "missing-policy", HY_SEV_WARNING, "no p= tag: the record is "
	    "treated as p=none (RFC 9989 §4.7)") != 0)
		goto nomem;
	return r->syntax_ok ? HY_DMARC_PARSE_VALID : HY_DMARC_PARSE_INVALID;
nomem:
	hy_dmarc_record_clear(r);
	return HY_DMARC_PARSE_NOMEM;
}
