/*
 * Opt-out lists: read with the domain-list reader, each rule normalised
 * like any input, kept sorted so a name is matched by looking up itself
 * and each of its parents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpsl.h>

#include "hygiene/domainlist.h"
#include "hygiene/exclude.h"
#include "hygiene/name.h"

struct exclude_rule {
	char	*name;		/* normalised A-label, without "*." */
	char	*text;		/* the line as written, for messages */
	int	 below_only;	/* "*.name": names below it, not name */
	size_t	 lineno;
};

struct hy_exclude {
	struct exclude_rule	*v;
	size_t			 n, cap;
};

void
hy_exclude_free(struct hy_exclude *ex)
{
	size_t i;

	if (ex == NULL)
		return;
	for (i = 0; i < ex->n; i++) {
		free(ex->v[i].name);
		free(ex->v[i].text);
	}
	free(ex->v);
	free(ex);
}

size_t
hy_exclude_count(const struct hy_exclude *ex)
{
	return ex->n;
}

static int
exclude_cmp(const void *a, const void *b)
{
	const struct exclude_rule *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : x->below_only - y->below_only;
}

/*
 * A rule on a public suffix would drop every domain registered below it:
 * surely a mistake in an opt-out list. Only the ICANN section counts, so
 * a hosting provider may opt out its customers' names ("*.host.example").
 * Without libpsl's built-in list, a single label (a TLD) is still refused.
 */
static int
exclude_is_suffix(const char *name)
{
	const psl_ctx_t *psl = psl_builtin();

	if (psl == NULL)
		return strchr(name, '.') == NULL;
	return psl_is_public_suffix2(psl, name, PSL_TYPE_ICANN);
}

/* One line as a rule; -1 with err naming the line. */
static int
exclude_add(struct hy_exclude *ex, const char *path, const char *line,
    size_t lineno, char *err, size_t errlen)
{
	struct exclude_rule r = { .lineno = lineno };
	const char *name = line;
	enum hy_name_error ne;
	char *ul = NULL;
	void *nv;

	if (strncmp(line, "*.", 2) == 0) {
		r.below_only = 1;
		name += 2;
	}
	if ((ne = hy_name_normalize(name, &r.name, &ul)) != HY_NAME_OK) {
		if (ne == HY_NAME_NOMEM)
			snprintf(err, errlen, "out of memory");
		else
			snprintf(err, errlen, "%s line %zu: \"%s\" is not a "
			    "rule (a name, or \"*.\" and a name): %s", path,
			    lineno, line, hy_name_error_str(ne));
		return -1;
	}
	free(ul);
	if (exclude_is_suffix(r.name)) {
		snprintf(err, errlen, "%s line %zu: \"%s\" is a public suffix: "
		    "the rule would leave out every domain registered below "
		    "it", path, lineno, line);
		free(r.name);
		return -1;
	}
	if (ex->n == ex->cap) {
		if ((nv = reallocarray(ex->v, ex->cap ? ex->cap * 2 : 16,
		    sizeof(*ex->v))) == NULL)
			goto oom;
		ex->v = nv;
		ex->cap = ex->cap ? ex->cap * 2 : 16;
	}
	if ((r.text = strdup(line)) == NULL)
		goto oom;
	ex->v[ex->n++] = r;
	return 0;
oom:
	free(r.name);
	snprintf(err, errlen, "out of memory");
	return -1;
}

int
hy_exclude_load(const char *path, struct hy_exclude **out, char *err,
    size_t errlen)
{
	const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
	struct hy_domainlist *dl;
	struct hy_exclude *ex;
	const char *line;
	size_t lineno;
	int rc = -1;

	*out = NULL;
	if ((ex = calloc(1, sizeof(*ex))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((dl = hy_domainlist_open(path, err, errlen)) == NULL)
		goto out;
	while ((line = hy_domainlist_next(dl, &lineno)) != NULL)
		if (exclude_add(ex, name, line, lineno, err, errlen) != 0)
			goto out;
	/* A list cut short would measure the names it no longer holds. */
	if (hy_domainlist_error(dl) != NULL) {
		snprintf(err, errlen, "%s", hy_domainlist_error(dl));
		goto out;
	}
	if (ex->n > 0)
		qsort(ex->v, ex->n, sizeof(*ex->v), exclude_cmp);
	*out = ex;
	ex = NULL;
	rc = 0;
out:
	hy_domainlist_free(dl);
	hy_exclude_free(ex);
	return rc;
}

/* The rule for exactly name that applies: for the name itself only a
 * plain rule (self), for a parent either kind. */
static const struct exclude_rule *
exclude_find(const struct hy_exclude *ex, const char *name, int self)
{
	size_t lo = 0, hi = ex->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(ex->v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* lo is the first rule for name, the plain one if there is one. */
	for (; lo < ex->n && strcmp(ex->v[lo].name, name) == 0; lo++)
		if (!self || !ex->v[lo].below_only)
			return &ex->v[lo];
	return NULL;
}

const char *
hy_exclude_match(const struct hy_exclude *ex, const char *name,
    size_t *lineno)
{
	const struct exclude_rule *r;
	const char *p;

	if (ex == NULL || name == NULL)
		return NULL;
	/* The name itself, then each parent: "a.b.jp", "b.jp", "jp". */
	for (p = name;; p++) {
		if ((r = exclude_find(ex, p, p == name)) != NULL) {
			if (lineno != NULL)
				*lineno = r->lineno;
			return r->text;
		}
		if ((p = strchr(p, '.')) == NULL)
			return NULL;
	}
}
