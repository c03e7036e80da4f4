/*
 * Streaming reader for domain lists (`check --file`, `survey --domains`).
 * Accepts a UTF-8 BOM, CRLF or LF line ends, blank lines, '#' comments
 * and surrounding white space; skips exact duplicates (compared case-
 * insensitively), remembering only a hash of each entry seen so memory
 * stays small for long lists. Entries are returned as typed; name
 * validation happens per domain later so one bad line loses nothing else.
 * Reads with read(2), so entries from a pipe are returned as they come.
 */
#ifndef HYGIENE_DOMAINLIST_H
#define HYGIENE_DOMAINLIST_H

#include <stddef.h>
#include <stdio.h>

struct hy_domainlist;

/* No domain list has a line this long; reading stops at one. */
#define HY_DOMAINLIST_MAX_LINE	65536

/*
 * path "-" reads standard input. NULL with a message in err when the
 * file cannot be opened or its first bytes show it is not a text list:
 * compressed (gzip, bzip2, xz, zstd), a ZIP or OLE file (an Excel
 * workbook), UTF-16, or NUL bytes (binary).
 */
struct hy_domainlist *hy_domainlist_open(const char *path, char *err,
	    size_t errlen);
void	hy_domainlist_free(struct hy_domainlist *);
/*
 * The next entry (valid until the next call), or NULL at the end or when
 * reading stopped (see hy_domainlist_error()). *lineno is its line
 * number. An entry may hold any byte but NUL: a line that is not UTF-8
 * is returned like any other, for the name check to report.
 */
const char *hy_domainlist_next(struct hy_domainlist *, size_t *lineno);
/*
 * NULL, or why reading stopped before the end, naming the file and line:
 * a read error, a NUL byte (a corrupt file), a line longer than
 * HY_DOMAINLIST_MAX_LINE, out of memory. Entries returned before it are
 * valid; the list is incomplete.
 */
const char *hy_domainlist_error(const struct hy_domainlist *);
size_t	hy_domainlist_duplicates(const struct hy_domainlist *);

#endif
