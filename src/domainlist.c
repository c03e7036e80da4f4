#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hygiene/domainlist.h"
#include "hygiene/txt.h"

/* What the first bytes show, checked before any entry is returned. */
#define DL_SNIFF	4096

struct hy_domainlist {
	int		 fd;
	int		 own_fd;
	const char	*path;		/* for messages; the caller's string */
	char		*buf;		/* unread bytes are buf[pos..len) */
	size_t		 len, pos, cap;
	int		 eof;
	size_t		 lineno;
	int		 failed;	/* reading stopped: see error */
	char		 error[512];
	uint64_t	*seen;		/* open-addressing set of hashes */
	size_t		 nseen, seen_cap;
	size_t		 dups;
};

static void
dl_fail(struct hy_domainlist *dl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
dl_fail(struct hy_domainlist *dl, const char *fmt, ...)
{
	va_list ap;

	if (dl->failed)
		return;		/* keep the first reason */
	dl->failed = 1;
	va_start(ap, fmt);
	vsnprintf(dl->error, sizeof(dl->error), fmt, ap);
	va_end(ap);
}

/* Read more bytes after buf[len]; 0, or -1 with dl->error set. */
static int
dl_fill(struct hy_domainlist *dl)
{
	ssize_t n;

	if (dl->pos > 0) {
		memmove(dl->buf, dl->buf + dl->pos, dl->len - dl->pos);
		dl->len -= dl->pos;
		dl->pos = 0;
	}
	if (dl->len + 1 >= dl->cap) {
		/* The line does not fit: no domain list has such lines. */
		dl_fail(dl, "%s: line %zu is longer than %d bytes: not a list "
		    "of domain names", dl->path, dl->lineno + 1,
		    HY_DOMAINLIST_MAX_LINE);
		return -1;
	}
	do
		n = read(dl->fd, dl->buf + dl->len, dl->cap - 1 - dl->len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		dl_fail(dl, "reading %s: %s", dl->path, strerror(errno));
		return -1;
	}
	if (n == 0)
		dl->eof = 1;
	dl->len += (size_t)n;
	return 0;
}

struct hy_domainlist *
hy_domainlist_open(const char *path, char *err, size_t errlen)
{
	struct hy_domainlist *dl = calloc(1, sizeof(*dl));
	const char *why;

	if (dl == NULL || (dl->buf = malloc(HY_DOMAINLIST_MAX_LINE + 1)) ==
	    NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	dl->cap = HY_DOMAINLIST_MAX_LINE + 1;
	dl->path = strcmp(path, "-") == 0 ? "standard input" : path;
	if (strcmp(path, "-") == 0) {
		dl->fd = STDIN_FILENO;
	} else if ((dl->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		goto fail;
	} else {
		dl->own_fd = 1;
	}
	while (!dl->eof && dl->len < DL_SNIFF)
		if (dl_fill(dl) != 0) {
			snprintf(err, errlen, "%s", dl->error);
			goto fail;
		}
	if ((why = hy_txt_sniff(dl->buf, dl->len < DL_SNIFF ? dl->len :
	    DL_SNIFF)) != NULL) {
		snprintf(err, errlen, "%s %s", dl->path, why);
		goto fail;
	}
	return dl;
fail:
	hy_domainlist_free(dl);
	return NULL;
}

void
hy_domainlist_free(struct hy_domainlist *dl)
{
	if (dl == NULL)
		return;
	if (dl->own_fd)
		close(dl->fd);
	free(dl->buf);
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

/* The next line without its '\n' (NUL-terminated in buf), or NULL at
 * the end or on an error. *n is its length. */
static char *
dl_line(struct hy_domainlist *dl, size_t *n)
{
	char *line, *nl;

	for (;;) {
		line = dl->buf + dl->pos;
		if ((nl = memchr(line, '\n', dl->len - dl->pos)) != NULL) {
			*nl = '\0';
			*n = (size_t)(nl - line);
			dl->pos += *n + 1;
			return line;
		}
		if (dl->eof) {
			if (dl->pos == dl->len)
				return NULL;
			*n = dl->len - dl->pos;
			line[*n] = '\0';	/* cap > len always */
			dl->pos = dl->len;
			return line;
		}
		if (dl_fill(dl) != 0)
			return NULL;
	}
}

const char *
hy_domainlist_next(struct hy_domainlist *dl, size_t *lineno)
{
	size_t n;
	char *line, *s;
	int r;

	while (!dl->failed && (line = dl_line(dl, &n)) != NULL) {
		dl->lineno++;
		/* Past the first block a NUL means a corrupt file (a tail of
		 * zeros after a crash); an entry must not be cut at it. */
		if (memchr(line, '\0', n) != NULL) {
			dl_fail(dl, "%s: line %zu holds a NUL byte: the file is "
			    "corrupt or not text", dl->path, dl->lineno);
			return NULL;
		}
		s = entry_trim(line);
		if (*s == '\0')
			continue;
		if ((r = seen_add(dl, s)) < 0) {
			dl_fail(dl, "out of memory");
			return NULL;
		}
		if (r == 1) {
			dl->dups++;
			continue;
		}
		*lineno = dl->lineno;
		return s;
	}
	return NULL;
}

const char *
hy_domainlist_error(const struct hy_domainlist *dl)
{
	return dl->failed ? dl->error : NULL;
}

size_t
hy_domainlist_duplicates(const struct hy_domainlist *dl)
{
	return dl->dups;
}
