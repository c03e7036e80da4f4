/*
 * Streaming reader for domain lists (`check --file`, `survey --domains`).
 * Accepts a UTF-8 BOM, CRLF or LF line ends, blank lines, '#' comments
 * and surrounding white space; skips exact duplicates (compared case-
 * insensitively), remembering only a hash of each entry seen so memory
 * stays small for long lists. Entries are returned as typed; name
 * validation happens per domain later so one bad line loses nothing else.
 */
#ifndef HYGIENE_DOMAINLIST_H
#define HYGIENE_DOMAINLIST_H

#include <stddef.h>
#include <stdio.h>

struct hy_domainlist;

/* path "-" reads stdin. NULL on error (errno set). */
struct hy_domainlist *hy_domainlist_open(const char *path);
void	hy_domainlist_free(struct hy_domainlist *);
/*
 * The next entry (valid until the next call), or NULL at the end or on
 * a read error (see hy_domainlist_error()). *lineno is its line number.
 */
const char *hy_domainlist_next(struct hy_domainlist *, size_t *lineno);
int	hy_domainlist_error(const struct hy_domainlist *);
size_t	hy_domainlist_duplicates(const struct hy_domainlist *);

#endif
