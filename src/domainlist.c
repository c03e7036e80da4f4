#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/domainlist.h"

struct hy_domainlist {
	FILE		*fp;
	int		 own_fp;
	char		*line;
	size_t		 cap;
	size_t		 lineno;
	int		 error;
	uint64_t	*seen;		/* open-addressing set of hashes */
	size_t		 nseen, seen_cap;
	size_t		 dups;
};

struct hy_domainlist *
hy_domainlist_open(const char *path)
{
	struct hy_domainlist *dl = calloc(1, sizeof(*dl));

	if (dl == NULL)
		return NULL;
	if (strcmp(path, "-") == 0) {
		dl->fp = stdin;
	} else if ((dl->fp = fopen(path, "r")) == NULL) {
		free(dl);
		return NULL;
	} else {
		dl->own_fp = 1;
	}
	return dl;
}

void
hy_domainlist_free(struct hy_domainlist *dl)
{
	if (dl == NULL)
		return;
	if (dl->own_fp)
		fclose(dl->fp);
	free(dl->line);
	free(dl->seen);
	free(dl);
}

/* 64-bit FNV-1a of the lower-cased entry; 0 is reserved for "empty". */
static uint64_t
entry_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)tolower((unsigned char)*s)) *
		    1099511628211ull;
	return h ? h : 1;
}

static int
seen_grow(struct hy_domainlist *dl)
{
	size_t ncap = dl->seen_cap ? dl->seen_cap * 2 : 1024, i, j;
	uint64_t *ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL)
		return -1;
	for (i = 0; i < dl->seen_cap; i++) {
		if (dl->seen[i] == 0)
			continue;
		for (j = dl->seen[i] % ncap; ns[j] != 0; j = (j + 1) % ncap)
			;
		ns[j] = dl->seen[i];
	}
	free(dl->seen);
	dl->seen = ns;
	dl->seen_cap = ncap;
	return 0;
}

/* 1 if already seen, 0 if newly added, -1 on OOM. */
static int
seen_add(struct hy_domainlist *dl, const char *s)
{
	uint64_t h = entry_hash(s);
	size_t j;

	if ((dl->nseen + 1) * 2 > dl->seen_cap && seen_grow(dl) != 0)
		return -1;
	for (j = h % dl->seen_cap; dl->seen[j] != 0; j = (j + 1) % dl->seen_cap)
		if (dl->seen[j] == h)
			return 1;
	dl->seen[j] = h;
	dl->nseen++;
	return 0;
}

static char *
entry_trim(char *s)
{
	char *end;

	/* A UTF-8 BOM may open the file (Windows editors write one). */
	if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb &&
	    (unsigned char)s[2] == 0xbf)
		s += 3;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '#')
		*s = '\0';
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

const char *
hy_domainlist_next(struct hy_domainlist *dl, size_t *lineno)
{
	ssize_t n;
	char *s;
	int r;

	while ((n = getline(&dl->line, &dl->cap, dl->fp)) >= 0) {
		dl->lineno++;
		s = entry_trim(dl->line);
		if (*s == '\0')
			continue;
		if ((r = seen_add(dl, s)) < 0) {
			dl->error = ENOMEM;
			return NULL;
		}
		if (r == 1) {
			dl->dups++;
			continue;
		}
		*lineno = dl->lineno;
		return s;
	}
	if (ferror(dl->fp))
		dl->error = errno ? errno : EIO;
	return NULL;
}

int
hy_domainlist_error(const struct hy_domainlist *dl)
{
	return dl->error;
}

size_t
hy_domainlist_duplicates(const struct hy_domainlist *dl)
{
	return dl->dups;
}
