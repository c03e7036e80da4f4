/*
 * Parsers for the MTA-STS TXT record (RFC 8461 §3.1), the MTA-STS policy
 * (§3.2) and the TLS-RPT TXT record (RFC 8460 §3), and the MX pattern
 * match of RFC 8461 §4.1.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hygiene/cursor.h"
#include "sts.h"

static int
is_alnum(int ch)
{
	return isalnum(ch) != 0;
}

/* sts-ext-name / tlsrpt-ext-name characters after the first. */
static int
is_ext_name(int ch)
{
	return isalnum(ch) || ch == '_' || ch == '-' || ch == '.';
}

/* sts-ext-value / tlsrpt-ext-value: %x21-3A / %x3C / %x3E-7E */
static int
is_ext_value(int ch)
{
	return ch >= 0x21 && ch <= 0x7e && ch != ';' && ch != '=';
}

static int
is_wsp(int ch)
{
	return ch == ' ' || ch == '\t';
}

/* field-delim = *WSP ";" *WSP */
static bool
accept_delim(struct hy_cursor *c)
{
	size_t save = c->pos;

	hy_cursor_skip_ws(c);
	if (!hy_cursor_accept(c, ';')) {
		c->pos = save;
		return false;
	}
	hy_cursor_skip_ws(c);
	return true;
}

/* name "=" value with the extension syntax shared by both records. */
static bool
field(struct hy_cursor *c, struct hy_span *name, struct hy_span *val)
{
	int ch = hy_cursor_peek(c);

	if (ch < 0 || !isalnum(ch))
		return false;
	*name = hy_cursor_while(c, is_ext_name);
	if (name->len > 32 || !hy_cursor_accept(c, '='))
		return false;
	*val = hy_cursor_while(c, is_ext_value);
	return val->len > 0;
}

void
hy_sts_record_clear(struct hy_sts_record *r)
{
	if (r == NULL)
		return;
	hy_findings_clear(&r->findings);
	memset(r, 0, sizeof(*r));
}

#define ERR(f, code, ...) do {						\
	if (hy_findings_add(f, code, HY_SEV_ERROR, __VA_ARGS__) != 0)	\
		goto nomem;						\
} while (0)

enum hy_sts_txt
hy_sts_txt_parse(const char *txt, size_t len, struct hy_sts_record *r)
{
	struct hy_cursor c;
	struct hy_span name, val;
	bool ok = true, have_id = false;

	memset(r, 0, sizeof(*r));
	hy_cursor_init(&c, txt, len);
	if (!hy_cursor_accept_ci(&c, "v=STSv1") ||
	    memcmp(txt, "v=STSv1", 7) != 0)
		return HY_STS_TXT_NOT_STS;
	if (!hy_cursor_eof(&c) && !is_wsp(hy_cursor_peek(&c)) &&
	    hy_cursor_peek(&c) != ';')
		return HY_STS_TXT_NOT_STS;
	while (accept_delim(&c)) {
		if (hy_cursor_eof(&c))
			break;
		if (!field(&c, &name, &val)) {
			ERR(&r->findings, "syntax-error", "malformed field at "
			    "offset %zu (RFC 8461 §3.1)", c.pos);
			ok = false;
			break;
		}
		if (!(name.len == 2 && memcmp(name.p, "id", 2) == 0))
			continue;	/* extensions are ignored */
		if (have_id) {
			ERR(&r->findings, "syntax-error", "id appears twice "
			    "(RFC 8461 §3.1)");
			ok = false;
		} else if (val.len > 32 || hy_cursor_while(&(struct hy_cursor)
		    { val.p, val.len, 0 }, is_alnum).len != val.len) {
			ERR(&r->findings, "invalid-id", "id=%.*s is not 1 to "
			    "32 letters and digits (RFC 8461 §3.1)",
			    (int)val.len, val.p);
			ok = false;
		} else
			memcpy(r->id, val.p, val.len);
		have_id = true;
	}
	hy_cursor_skip_ws(&c);
	if (ok && !hy_cursor_eof(&c)) {
		ERR(&r->findings, "syntax-error", "unexpected text at offset "
		    "%zu (RFC 8461 §3.1)", c.pos);
		ok = false;
	}
	if (!have_id) {
		ERR(&r->findings, "missing-id", "no id field (RFC 8461 "
		    "§3.1)");
		ok = false;
	}
	return ok ? HY_STS_TXT_VALID : HY_STS_TXT_INVALID;
nomem:
	hy_sts_record_clear(r);
	return HY_STS_TXT_NOMEM;
}

const char *
hy_sts_mode_str(enum hy_sts_mode m)
{
	switch (m) {
	case HY_STS_MODE_ENFORCE:
		return "enforce";
	case HY_STS_MODE_TESTING:
		return "testing";
	case HY_STS_MODE_NONE:
		return "none";
	case HY_STS_MODE_UNSET:
		break;
	}
	return NULL;
}

void
hy_sts_policy_clear(struct hy_sts_policy *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->nmx; i++)
		free(p->mx[i]);
	free(p->mx);
	hy_findings_clear(&p->findings);
	memset(p, 0, sizeof(*p));
}

/* ["*."] Domain, RFC 5321 Domain: LDH labels. */
static bool
mx_pattern_ok(struct hy_span v)
{
	size_t i = 0, lab = 0;

	if (v.len >= 2 && v.p[0] == '*' && v.p[1] == '.')
		i = 2;
	if (i == v.len || v.len > 253)
		return false;
	for (; i < v.len; i++) {
		unsigned char ch = (unsigned char)v.p[i];

		if (ch == '.') {
			if (lab == 0 || v.p[i - 1] == '-')
				return false;
			lab = 0;
		} else if (isalnum(ch) || (ch == '-' && lab > 0)) {
			if (++lab > 63)
				return false;
		} else
			return false;
	}
	return lab > 0 && v.p[v.len - 1] != '-';
}

static int
policy_mx(struct hy_sts_policy *p, struct hy_span v)
{
	char **nv, *s;

	if (!mx_pattern_ok(v)) {
		ERR(&p->findings, "invalid-mx-pattern", "mx: \"%.*s\" is not "
		    "a domain or *.domain (RFC 8461 §3.2)", (int)v.len, v.p);
		p->valid = false;
		return 0;
	}
	if ((nv = reallocarray(p->mx, p->nmx + 1, sizeof(*nv))) == NULL)
		return -1;
	p->mx = nv;
	if ((s = hy_span_dup(v)) == NULL)
		return -1;
	for (char *q = s; *q; q++)
		*q = (char)tolower((unsigned char)*q);
	p->mx[p->nmx++] = s;
	return 0;
nomem:
	return -1;
}

static int
policy_field(struct hy_sts_policy *p, struct hy_span k, struct hy_span v,
    unsigned *seen)
{
	struct hy_cursor c;
	unsigned bit;

	/* Field names are case-sensitive (%s"..." in RFC 8461 §3.2). */
	bit = hy_span_eq_ci(k, "version") && memcmp(k.p, "version", 7) == 0 ?
	    1u : hy_span_eq_ci(k, "mode") && memcmp(k.p, "mode", 4) == 0 ?
	    2u : hy_span_eq_ci(k, "max_age") && memcmp(k.p, "max_age", 7) ==
	    0 ? 4u : 0u;
	if (k.len == 2 && memcmp(k.p, "mx", 2) == 0)
		return policy_mx(p, v);
	if (bit == 0)
		return 0;		/* extension: ignored */
	if (*seen & bit) {
		if (hy_findings_add(&p->findings, "duplicate-field",
		    HY_SEV_WARNING, "%.*s appears more than once; the first "
		    "is used (RFC 8461 §3.2)", (int)k.len, k.p) != 0)
			return -1;
		return 0;
	}
	*seen |= bit;
	if (bit == 1 && !(v.len == 5 && memcmp(v.p, "STSv1", 5) == 0)) {
		ERR(&p->findings, "invalid-version", "version: %.*s is not "
		    "STSv1 (RFC 8461 §3.2)", (int)v.len, v.p);
		p->valid = false;
	} else if (bit == 2) {
		if (v.len == 7 && memcmp(v.p, "enforce", 7) == 0)
			p->mode = HY_STS_MODE_ENFORCE;
		else if (v.len == 7 && memcmp(v.p, "testing", 7) == 0)
			p->mode = HY_STS_MODE_TESTING;
		else if (v.len == 4 && memcmp(v.p, "none", 4) == 0)
			p->mode = HY_STS_MODE_NONE;
		else {
			ERR(&p->findings, "invalid-mode", "mode: \"%.*s\" is "
			    "not enforce, testing or none (RFC 8461 §3.2)",
			    (int)v.len, v.p);
			p->valid = false;
		}
	} else if (bit == 4) {
		hy_cursor_init(&c, v.p, v.len);
		if (v.len > 10 || !hy_cursor_uint(&c, UINT64_MAX,
		    &p->max_age) || !hy_cursor_eof(&c)) {
			ERR(&p->findings, "invalid-max-age", "max_age: \"%.*s\" "
			    "is not 1 to 10 digits (RFC 8461 §3.2)", (int)v.len,
			    v.p);
			p->valid = false;
		} else if (p->max_age > HY_STS_MAX_AGE_MAX) {
			ERR(&p->findings, "invalid-max-age", "max_age %llu "
			    "exceeds %u (RFC 8461 §3.2)",
			    (unsigned long long)p->max_age, HY_STS_MAX_AGE_MAX);
			p->valid = false;
		} else
			p->has_max_age = true;
	}
	return 0;
nomem:
	return -1;
}

static int
policy_require(struct hy_sts_policy *p, unsigned seen)
{
	static const char *const names[] = { "version", "mode", "max_age" };

	for (unsigned i = 0; i < 3; i++)
		if (!(seen & (1u << i))) {
			ERR(&p->findings, "missing-field", "the policy has no "
			    "%s field (RFC 8461 §3.2)", names[i]);
			p->valid = false;
		}
	if (p->nmx == 0 && p->mode != HY_STS_MODE_NONE) {
		ERR(&p->findings, "missing-field", "the policy lists no mx "
		    "pattern (RFC 8461 §3.2)");
		p->valid = false;
	}
	if (p->has_max_age && p->max_age < 86400 && hy_findings_add(
	    &p->findings, "max-age-short", HY_SEV_WARNING, "max_age %llu is "
	    "under a day; RFC 8461 §3.2 recommends weeks or more",
	    (unsigned long long)p->max_age) != 0)
		return -1;
	return 0;
nomem:
	return -1;
}

int
hy_sts_policy_parse(const char *body, size_t len, struct hy_sts_policy *p)
{
	struct hy_cursor c, lc;
	struct hy_span line, k, v;
	unsigned seen = 0;
	size_t lineno = 0;

	memset(p, 0, sizeof(*p));
	p->valid = true;
	hy_cursor_init(&c, body, len);
	while (!hy_cursor_eof(&c)) {
		line = hy_cursor_until(&c, "\n");
		(void)hy_cursor_accept(&c, '\n');
		lineno++;
		if (line.len > 0 && line.p[line.len - 1] == '\r')
			line.len--;
		/* sts-policy-term ends a field; a final empty line is fine. */
		if (line.len == 0 && hy_cursor_eof(&c))
			break;
		hy_cursor_init(&lc, line.p, line.len);
		k = hy_cursor_while(&lc, is_ext_name);
		if (k.len == 0 || !hy_cursor_accept(&lc, ':')) {
			ERR(&p->findings, "syntax-error", "line %zu is not "
			    "\"key: value\" (RFC 8461 §3.2)", lineno);
			p->valid = false;
			continue;
		}
		hy_cursor_skip_ws(&lc);
		v = hy_span_trim(hy_cursor_until(&lc, ""));
		for (size_t i = 0; i < v.len; i++)
			if ((unsigned char)v.p[i] < 0x20 ||
			    (unsigned char)v.p[i] > 0x7e) {
				ERR(&p->findings, "syntax-error", "line %zu "
				    "holds a control or non-ASCII byte (RFC "
				    "8461 §3.2)", lineno);
				p->valid = false;
				v.len = 0;
				break;
			}
		if (v.len == 0)
			continue;
		if (policy_field(p, k, v, &seen) != 0)
			goto nomem;
	}
	if (policy_require(p, seen) != 0)
		goto nomem;
	return 0;
nomem:
	hy_sts_policy_clear(p);
	return -1;
}

bool
hy_sts_mx_match(const char *pattern, const char *host)
{
	size_t hl = strlen(host), pl = strlen(pattern);
	const char *dot;

	if (hl > 0 && host[hl - 1] == '.')
		hl--;
	if (pl >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* The wildcard is exactly one leftmost label (§4.1). */
		dot = memchr(host, '.', hl);
		if (dot == NULL || dot == host)
			return false;
		return hl - (size_t)(dot + 1 - host) == pl - 2 &&
		    strncasecmp(dot + 1, pattern + 2, pl - 2) == 0;
	}
	return hl == pl && strncasecmp(host, pattern, pl) == 0;
}

void
hy_tlsrpt_record_clear(struct hy_tlsrpt_record *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nrua; i++)
		free(r->rua[i]);
	free(r->rua);
	hy_findings_clear(&r->findings);
	memset(r, 0, sizeof(*r));
}

static int
is_uri_char(int ch)
{
	return ch > 0x20 && ch < 0x7f && ch != ',' && ch != ';';
}

/* tlsrpt-rua = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri) */
static int
tlsrpt_rua(struct hy_cursor *c, struct hy_tlsrpt_record *r, bool *ok)
{
	struct hy_span u;
	char **nv;

	do {
		hy_cursor_skip_ws(c);
		u = hy_cursor_while(c, is_uri_char);
		if (u.len == 0 || memchr(u.p, ':', u.len) == NULL) {
			ERR(&r->findings, "invalid-uri", "rua: not a URI at "
			    "offset %zu (RFC 8460 §3)", c->pos);
			*ok = false;
			return 0;
		}
		if (!hy_span_eq_ci((struct hy_span){ u.p, u.len < 7 ? u.len :
		    7 }, "mailto:") && !hy_span_eq_ci((struct hy_span){ u.p,
		    u.len < 8 ? u.len : 8 }, "https://")) {
			if (hy_findings_add(&r->findings, "unsupported-uri",
			    HY_SEV_WARNING, "rua: \"%.*s\" is neither mailto: "
			    "nor https: (RFC 8460 §3)", (int)u.len, u.p) != 0)
				goto nomem;
		}
		if ((nv = reallocarray(r->rua, r->nrua + 1, sizeof(*nv))) ==
		    NULL)
			goto nomem;
		r->rua = nv;
		if ((r->rua[r->nrua] = hy_span_dup(u)) == NULL)
			goto nomem;
		r->nrua++;
		hy_cursor_skip_ws(c);
	} while (hy_cursor_accept(c, ','));
	return 0;
nomem:
	return -1;
}

enum hy_tlsrpt_parse
hy_tlsrpt_parse(const char *txt, size_t len, struct hy_tlsrpt_record *r)
{
	struct hy_cursor c;
	struct hy_span name, val;
	bool ok = true, have_rua = false;

	memset(r, 0, sizeof(*r));
	hy_cursor_init(&c, txt, len);
	if (len < 10 || memcmp(txt, "v=TLSRPTv1", 10) != 0)
		return HY_TLSRPT_NOT_TLSRPT;
	c.pos = 10;
	if (!hy_cursor_eof(&c) && !is_wsp(hy_cursor_peek(&c)) &&
	    hy_cursor_peek(&c) != ';')
		return HY_TLSRPT_NOT_TLSRPT;
	while (ok && accept_delim(&c)) {
		if (hy_cursor_eof(&c))
			break;
		if (hy_cursor_left(&c) >= 4 && memcmp(c.buf + c.pos, "rua=",
		    4) == 0) {
			c.pos += 4;
			if (have_rua) {
				ERR(&r->findings, "syntax-error", "rua appears "
				    "twice (RFC 8460 §3)");
				ok = false;
				break;
			}
			have_rua = true;
			if (tlsrpt_rua(&c, r, &ok) != 0)
				goto nomem;
		} else if (!field(&c, &name, &val)) {
			ERR(&r->findings, "syntax-error", "malformed field at "
			    "offset %zu (RFC 8460 §3)", c.pos);
			ok = false;
		}
	}
	hy_cursor_skip_ws(&c);
	if (ok && !hy_cursor_eof(&c)) {
		ERR(&r->findings, "syntax-error", "unexpected text at offset "
		    "%zu (RFC 8460 §3)", c.pos);
		ok = false;
	}
	if (ok && !have_rua) {
		ERR(&r->findings, "missing-rua", "no rua field (RFC 8460 §3)");
		ok = false;
	}
	return ok ? HY_TLSRPT_VALID : HY_TLSRPT_INVALID;
nomem:
	hy_tlsrpt_record_clear(r);
	return HY_TLSRPT_NOMEM;
}
