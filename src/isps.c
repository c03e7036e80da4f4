/*
 * The ISP list: JSON through jansson, checked entry by entry so that an
 * analyst editing datasets/jp-isps.json learns exactly which entry is
 * wrong ("isps[3].asns[1]: ...").
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hygiene/cursor.h"
#include "hygiene/isps.h"
#include "hygiene/name.h"
#include "hygiene/txt.h"

#define ISPS_ID_MAX	64

struct isps_ctx {
	struct hy_isp_list *list;
	json_t		*arr;		/* the "isps" array, for typed names */
	char		*err;
	size_t		 errlen;
	hy_isps_problem_fn each;	/* optional: every cross-entry problem */
	void		*each_arg;
	size_t		 nproblems;
};

static void
isps_err(struct isps_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void
isps_problem(struct isps_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
isps_err(struct isps_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

/* A problem of the rules that span entries: the first goes to err, and
 * every one to the caller's callback, so one run names them all. */
static void
isps_problem(struct isps_ctx *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->nproblems++ == 0)
		snprintf(c->err, c->errlen, "%s", msg);
	if (c->each != NULL)
		c->each(c->each_arg, msg);
}

static int
isps_warn(struct isps_ctx *c, const char *fmt, ...)
{
	va_list ap;
	char *s, **nv;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto oom;
	nv = reallocarray(c->list->warnings, c->list->nwarnings + 1,
	    sizeof(*nv));
	if (nv == NULL) {
		free(s);
		goto oom;
	}
	c->list->warnings = nv;
	nv[c->list->nwarnings++] = s;
	return 0;
oom:
	isps_err(c, "out of memory");
	return -1;
}

const char *
hy_asn_reserved(uint32_t asn)
{
	if (asn == 0)
		return "AS0 is reserved (RFC 7607)";
	if (asn == 23456)
		return "AS23456 is AS_TRANS (RFC 6793)";
	if (asn >= 64496 && asn <= 64511)
		return "reserved for documentation (RFC 5398)";
	if (asn >= 64512 && asn <= 65534)
		return "reserved for private use (RFC 6996)";
	if (asn == 65535 || asn == 4294967295u)
		return "reserved (RFC 7300)";
	if (asn >= 65536 && asn <= 65551)
		return "reserved for documentation (RFC 5398)";
	if (asn >= 65552 && asn <= 131071)
		return "reserved by IANA";
	if (asn >= 4200000000u)
		return "reserved for private use (RFC 6996)";
	return NULL;
}

static bool
isps_id_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > ISPS_ID_MAX || s[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-'))
			return false;
	}
	return true;
}

/* A required non-empty string member; the copy goes to *out. */
static int
isps_string(struct isps_ctx *c, json_t *o, const char *key, size_t i,
    char **out)
{
	json_t *v = json_object_get(o, key);

	if (v == NULL) {
		isps_err(c, "isps[%zu]: missing \"%s\"", i, key);
		return -1;
	}
	if (!json_is_string(v) || json_string_length(v) == 0) {
		isps_err(c, "isps[%zu].%s: must be a non-empty string", i, key);
		return -1;
	}
	if ((*out = strdup(json_string_value(v))) == NULL) {
		isps_err(c, "out of memory");
		return -1;
	}
	return 0;
}

/* "AS2497", "as2497" or "2497" as a string. */
static int
isps_asn_text(const char *s, size_t len, uint64_t *asn)
{
	struct hy_cursor cur;

	hy_cursor_init(&cur, s, len);
	(void)hy_cursor_accept_ci(&cur, "AS");
	if (!hy_cursor_uint(&cur, UINT64_MAX / 16, asn) || !hy_cursor_eof(&cur))
		return -1;
	return 0;
}

static int
isps_asn(struct isps_ctx *c, json_t *v, size_t i, size_t j, uint32_t *out)
{
	uint64_t asn;
	const char *why;

	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0) {
			isps_err(c, "isps[%zu].asns[%zu]: ASN %lld is negative",
			    i, j, (long long)json_integer_value(v));
			return -1;
		}
		asn = (uint64_t)json_integer_value(v);
	} else if (json_is_string(v)) {
		if (isps_asn_text(json_string_value(v), json_string_length(v),
		    &asn) != 0) {
			isps_err(c, "isps[%zu].asns[%zu]: \"%s\" is not an ASN "
			    "(a number or \"ASnnn\")", i, j,
			    json_string_value(v));
			return -1;
		}
	} else {
		isps_err(c, "isps[%zu].asns[%zu]: must be a number or an "
		    "\"ASnnn\" string", i, j);
		return -1;
	}
	if (asn == 0 || asn > UINT32_MAX) {
		isps_err(c, "isps[%zu].asns[%zu]: AS%llu is outside "
		    "1..4294967295", i, j, (unsigned long long)asn);
		return -1;
	}
	if ((why = hy_asn_reserved((uint32_t)asn)) != NULL &&
	    isps_warn(c, "isps[%zu].asns[%zu]: AS%llu is %s; it does not "
	    "originate routes on the public Internet", i, j,
	    (unsigned long long)asn, why) != 0)
		return -1;
	*out = (uint32_t)asn;
	return 0;
}

static int
isps_asns(struct isps_ctx *c, json_t *o, size_t i, struct hy_isp *isp)
{
	json_t *a = json_object_get(o, "asns"), *v;
	size_t j;

	if (a == NULL) {
		isps_err(c, "isps[%zu]: missing \"asns\"", i);
		return -1;
	}
	if (!json_is_array(a) || json_array_size(a) == 0) {
		isps_err(c, "isps[%zu].asns: must be a non-empty array", i);
		return -1;
	}
	if ((isp->asns = calloc(json_array_size(a), sizeof(*isp->asns))) ==
	    NULL) {
		isps_err(c, "out of memory");
		return -1;
	}
	json_array_foreach(a, j, v) {
		if (isps_asn(c, v, i, j, &isp->asns[j]) != 0)
			return -1;
		isp->nasns++;
	}
	return 0;
}

static int
isps_domains(struct isps_ctx *c, json_t *o, size_t i, struct hy_isp *isp)
{
	json_t *a = json_object_get(o, "domains"), *v;
	enum hy_name_error ne;
	char *al, *ul;
	size_t j;

	if (a == NULL) {
		isps_err(c, "isps[%zu]: missing \"domains\"", i);
		return -1;
	}
	if (!json_is_array(a)) {
		isps_err(c, "isps[%zu].domains: must be an array", i);
		return -1;
	}
	if (json_array_size(a) > 0 && (isp->domains =
	    calloc(json_array_size(a), sizeof(*isp->domains))) == NULL) {
		isps_err(c, "out of memory");
		return -1;
	}
	json_array_foreach(a, j, v) {
		if (!json_is_string(v)) {
			isps_err(c, "isps[%zu].domains[%zu]: must be a string",
			    i, j);
			return -1;
		}
		ne = hy_name_normalize(json_string_value(v), &al, &ul);
		if (ne == HY_NAME_NOMEM) {
			isps_err(c, "out of memory");
			return -1;
		}
		if (ne != HY_NAME_OK) {
			isps_err(c, "isps[%zu].domains[%zu]: \"%s\": %s", i, j,
			    json_string_value(v), hy_name_error_str(ne));
			return -1;
		}
		free(ul);
		isp->domains[isp->ndomains++] = al;
	}
	return 0;
}

static const char *const isps_keys[] = {
	"id", "name", "name_ja", "asns", "domains", "note", NULL,
};

static int
isps_entry(struct isps_ctx *c, json_t *o, size_t i, struct hy_isp *isp)
{
	const char *key;
	json_t *v, *note;
	size_t k;

	if (!json_is_object(o)) {
		isps_err(c, "isps[%zu]: must be an object", i);
		return -1;
	}
	json_object_foreach(o, key, v) {
		for (k = 0; isps_keys[k] != NULL; k++)
			if (strcmp(key, isps_keys[k]) == 0)
				break;
		if (isps_keys[k] == NULL) {
			isps_err(c, "isps[%zu]: unknown key \"%s\" (expected "
			    "id, name, name_ja, asns, domains, note)", i, key);
			return -1;
		}
	}
	if (isps_string(c, o, "id", i, &isp->id) != 0)
		return -1;
	if (!isps_id_valid(isp->id)) {
		isps_err(c, "isps[%zu].id: \"%s\" must be 1-%d characters of "
		    "a-z, 0-9 and '-', not starting with '-'", i, isp->id,
		    ISPS_ID_MAX);
		return -1;
	}
	if (isps_string(c, o, "name", i, &isp->name) != 0 ||
	    isps_string(c, o, "name_ja", i, &isp->name_ja) != 0)
		return -1;
	if ((note = json_object_get(o, "note")) != NULL &&
	    !json_is_string(note)) {
		isps_err(c, "isps[%zu].note: must be a string", i);
		return -1;
	}
	if (isps_asns(c, o, i, isp) != 0 || isps_domains(c, o, i, isp) != 0)
		return -1;
	return 0;
}

static int
isps_asn_cmp(const void *a, const void *b)
{
	const struct hy_isp_asn *x = a, *y = b;

	if (x->asn != y->asn)
		return x->asn < y->asn ? -1 : 1;
	return x->isp < y->isp ? -1 : x->isp > y->isp;
}

/* Where the n-th ASN of the file (counting across entries) is listed. */
static void
isps_asn_at(const struct hy_isp_list *l, size_t n, size_t *i, size_t *j)
{
	for (*i = 0; n >= l->v[*i].nasns; (*i)++)
		n -= l->v[*i].nasns;
	*j = n;
}

/*
 * An ASN decides which ISP hosts a server, so it belongs to one entry
 * and appears there once. Every repeat is named, in file order, against
 * its first listing. byasn is sorted by (ASN, file position) here, with
 * the position in .isp: a run of equal ASNs starts with the first
 * listing.
 */
static int
isps_asn_repeats(struct isps_ctx *c, struct hy_isp_asn *byasn, size_t n)
{
	const struct hy_isp_list *l = c->list;
	size_t *first, k, run = 0, i, j, fi, fj;

	if ((first = calloc(n ? n : 1, sizeof(*first))) == NULL) {
		isps_err(c, "out of memory");
		return -1;
	}
	qsort(byasn, n, sizeof(*byasn), isps_asn_cmp);
	for (k = 0; k < n; k++) {
		if (k == 0 || byasn[k].asn != byasn[k - 1].asn)
			run = k;
		first[byasn[k].isp] = run == k ? SIZE_MAX : byasn[run].isp;
	}
	for (k = 0; k < n; k++) {
		if (first[k] == SIZE_MAX)
			continue;
		isps_asn_at(l, k, &i, &j);
		isps_asn_at(l, first[k], &fi, &fj);
		if (fi == i)
			isps_problem(c, "isps[%zu].asns[%zu]: AS%u is listed "
			    "twice (also asns[%zu])", i, j, l->v[i].asns[j],
			    fj);
		else
			isps_problem(c, "isps[%zu].asns[%zu]: AS%u is also "
			    "listed for \"%s\" (isps[%zu]); an ASN belongs to "
			    "one ISP", i, j, l->v[i].asns[j], l->v[fi].id, fi);
	}
	free(first);
	return 0;
}

/* The ASN -> ISP index behind hy_isps_by_asn(), after the repeats are
 * checked: each ASN once. */
static int
isps_asn_index(struct isps_ctx *c)
{
	struct hy_isp_list *l = c->list;
	size_t i, j, k, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->v[i].nasns;
	if ((l->byasn = calloc(n ? n : 1, sizeof(*l->byasn))) == NULL) {
		isps_err(c, "out of memory");
		return -1;
	}
	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->v[i].nasns; j++) {
			l->byasn[l->nbyasn].asn = l->v[i].asns[j];
			l->byasn[l->nbyasn].isp = l->nbyasn;
			l->nbyasn++;
		}
	if (isps_asn_repeats(c, l->byasn, n) != 0)
		return -1;
	/* File position -> entry: the order (ASN, entry) is kept. */
	for (k = 0; k < n; k++)
		isps_asn_at(l, l->byasn[k].isp, &l->byasn[k].isp, &j);
	return 0;
}

/* The first listing of isps[i].domains[a] before it, or 0. */
static int
isps_domain_first(const struct hy_isp_list *l, size_t i, size_t a,
    size_t *fj, size_t *fb)
{
	size_t j, b;

	for (j = 0; j <= i; j++)
		for (b = 0; b < (j == i ? a : l->v[j].ndomains); b++)
			if (strcmp(l->v[i].domains[a],
			    l->v[j].domains[b]) == 0) {
				*fj = j;
				*fb = b;
				return 1;
			}
	return 0;
}

/*
 * A domain is measured once and owned by one ISP. Names are compared
 * normalised, so "IIJ.ad.jp." and "iij.ad.jp", or a U-label and its
 * A-label, are one domain; the message shows the name as typed and, if
 * that differs, its A-label. Lists are tens of entries: quadratic is fine.
 */
static void
isps_domain_repeats(struct isps_ctx *c)
{
	const struct hy_isp_list *l = c->list;
	const char *typed, *al;
	size_t i, a, j, b;
	int same;

	for (i = 0; i < l->n; i++)
		for (a = 0; a < l->v[i].ndomains; a++) {
			if (!isps_domain_first(l, i, a, &j, &b))
				continue;
			al = l->v[i].domains[a];
			typed = json_string_value(json_array_get(
			    json_object_get(json_array_get(c->arr, i),
			    "domains"), a));
			same = strcmp(typed, al) == 0;
			isps_problem(c, "isps[%zu].domains[%zu]: \"%s\"%s%s%s "
			    "is also listed at isps[%zu].domains[%zu]", i, a,
			    typed, same ? "" : " (", same ? "" : al,
			    same ? "" : ")", j, b);
		}
}

/* Uniqueness across entries: ids, ASNs, domains. Every problem is
 * reported before the list is refused. Builds the ASN index. */
static int
isps_cross_check(struct isps_ctx *c)
{
	const struct hy_isp_list *l = c->list;
	size_t i, j;

	if (isps_asn_index(c) != 0)
		return -1;
	for (i = 0; i < l->n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(l->v[i].id, l->v[j].id) == 0) {
				isps_problem(c, "isps[%zu].id: duplicate id "
				    "\"%s\" (also isps[%zu])", i, l->v[i].id,
				    j);
				break;
			}
	isps_domain_repeats(c);
	return c->nproblems > 0 ? -1 : 0;
}

static int
isps_top(struct isps_ctx *c, json_t *root)
{
	const char *key;
	json_t *v, *arr;
	size_t i;

	if (!json_is_object(root)) {
		isps_err(c, "top level: must be an object with \"isps\"");
		return -1;
	}
	json_object_foreach(root, key, v) {
		if (strcmp(key, "isps") == 0)
			continue;
		if ((strcmp(key, "schema_version") == 0 ||
		    strcmp(key, "description") == 0) && json_is_string(v))
			continue;
		isps_err(c, "top level: unexpected key \"%s\" (expected isps, "
		    "schema_version, description)", key);
		return -1;
	}
	c->arr = arr = json_object_get(root, "isps");
	if (arr == NULL || !json_is_array(arr)) {
		isps_err(c, "isps: missing, or not an array");
		return -1;
	}
	if (json_array_size(arr) > 0 && (c->list->v =
	    calloc(json_array_size(arr), sizeof(*c->list->v))) == NULL) {
		isps_err(c, "out of memory");
		return -1;
	}
	json_array_foreach(arr, i, v) {
		/* Count first so hy_isps_free() sees a partial entry. */
		c->list->n++;
		if (isps_entry(c, v, i, &c->list->v[i]) != 0)
			return -1;
	}
	return isps_cross_check(c);
}

int
hy_isps_parse(const char *buf, size_t len, struct hy_isp_list **out,
    char *err, size_t errlen)
{
	return hy_isps_parse_all(buf, len, out, NULL, NULL, err, errlen);
}

int
hy_isps_parse_all(const char *buf, size_t len, struct hy_isp_list **out,
    hy_isps_problem_fn each, void *arg, char *err, size_t errlen)
{
	struct isps_ctx c = {
		.err = err, .errlen = errlen, .each = each, .each_arg = arg,
	};
	json_error_t je;
	json_t *root = NULL;
	int rc = -1;

	*out = NULL;
	if ((c.list = calloc(1, sizeof(*c.list))) == NULL) {
		isps_err(&c, "out of memory");
		return -1;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (root == NULL) {
		/* An error at the last byte: the file was cut short (a copy
		 * or download that did not finish), or is empty. */
		isps_err(&c, "line %d, column %d: %s%s", je.line, je.column,
		    je.text, len == 0 ? " (the file is empty)" :
		    je.position >= (int)len ? " (the file ends there: is it "
		    "truncated?)" : "");
		goto out;
	}
	if (isps_top(&c, root) != 0)
		goto out;
	*out = c.list;
	c.list = NULL;
	rc = 0;
out:
	json_decref(root);
	hy_isps_free(c.list);
	return rc;
}

int
hy_isps_load(const char *path, struct hy_isp_list **out, char *err,
    size_t errlen)
{
	return hy_isps_load_all(path, out, NULL, NULL, err, errlen);
}

int
hy_isps_load_all(const char *path, struct hy_isp_list **out,
    hy_isps_problem_fn each, void *arg, char *err, size_t errlen)
{
	FILE *f;
	const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
	const char *why;
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc = -1;

	*out = NULL;
	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (cap - len < 4096) {
			char *nb = realloc(buf, cap ? cap * 2 : 8192);

			if (nb == NULL) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
			buf = nb;
			cap = cap ? cap * 2 : 8192;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errlen, "%s: read error", name);
		goto out;
	}
	/* A compressed or binary file would only get a parser's complaint
	 * about its first byte. */
	if ((why = hy_txt_sniff(buf, len < 4096 ? len : 4096)) != NULL) {
		snprintf(err, errlen, "%s %s", name, why);
		goto out;
	}
	if (hy_isps_parse_all(buf, len, out, each, arg, err, errlen) != 0) {
		/* Prefix the file name, keeping the path of the entry. */
		char tmp[512];

		snprintf(tmp, sizeof(tmp), "%s", err);
		snprintf(err, errlen, "%s: %s", name, tmp);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	if (f != stdin)
		fclose(f);
	return rc;
}

void
hy_isps_free(struct hy_isp_list *l)
{
	size_t i, j;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].name);
		free(l->v[i].name_ja);
		free(l->v[i].asns);
		for (j = 0; j < l->v[i].ndomains; j++)
			free(l->v[i].domains[j]);
		free(l->v[i].domains);
	}
	free(l->v);
	for (i = 0; i < l->nwarnings; i++)
		free(l->warnings[i]);
	free(l->warnings);
	free(l->byasn);
	free(l);
}

const struct hy_isp *
hy_isps_by_asn(const struct hy_isp_list *l, uint32_t asn)
{
	size_t lo = 0, hi, mid;

	if (l == NULL)
		return NULL;
	hi = l->nbyasn;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l->byasn[mid].asn == asn)
			return &l->v[l->byasn[mid].isp];
		if (l->byasn[mid].asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct hy_isp *
hy_isps_by_id(const struct hy_isp_list *l, const char *id)
{
	size_t i;

	if (l == NULL)
		return NULL;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].id, id) == 0)
			return &l->v[i];
	return NULL;
}
