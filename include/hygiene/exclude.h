/*
 * Opt-out lists (`check --exclude FILE`, `survey --exclude FILE`): names
 * whose owners asked not to be measured. The file has the format of a
 * domain list (--file: UTF-8, BOM, CRLF, '#' comments, blank lines); each
 * line is one rule:
 *
 *   example.jp      example.jp and every name below it
 *   *.example.jp    every name below example.jp, not example.jp itself
 *
 * Rules are normalised as inputs are (case, a trailing dot, U-label to
 * A-label), so a rule covers a name however either was typed. A line that
 * is not a valid name, or a rule on an ICANN public suffix ("jp",
 * "co.jp": it would drop every domain registered below it), makes the
 * whole file invalid: an opt-out list is applied whole or not at all. An
 * empty list is valid (nobody has opted out).
 *
 * A struct hy_exclude owns its rules; hy_exclude_free(NULL) is safe.
 */
#ifndef HYGIENE_EXCLUDE_H
#define HYGIENE_EXCLUDE_H

#include <stddef.h>

struct hy_exclude;

/* path "-" reads standard input. 0 (*out set), or -1 with "FILE line N:
 * why" (or why the file cannot be read) in err. */
int	hy_exclude_load(const char *path, struct hy_exclude **out, char *err,
	    size_t errlen);
void	hy_exclude_free(struct hy_exclude *);
/*
 * The rule that covers name (a normalised A-label, as hy_name_normalize()
 * gives it) as the file has it ("*.example.jp"), with its line in *lineno;
 * NULL when no rule does. Valid while the list is.
 */
const char *hy_exclude_match(const struct hy_exclude *, const char *name,
	    size_t *lineno);
/* Number of rules. */
size_t	hy_exclude_count(const struct hy_exclude *);

#endif
