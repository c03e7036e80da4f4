/*
 * Findings: what a probe observed and why a verdict was reached. Each is
 * {code, severity, message}; the message cites the RFC section. Codes are
 * stable kebab-case strings and are part of the JSON schema.
 *
 * A struct hy_findings is embedded in its owner; hy_findings_clear()
 * releases its contents and leaves it empty and reusable.
 */
#ifndef HYGIENE_FINDINGS_H
#define HYGIENE_FINDINGS_H

#include <stddef.h>

#include <jansson.h>

enum hy_severity {
	HY_SEV_INFO,
	HY_SEV_WARNING,
	HY_SEV_ERROR,
};

struct hy_finding {
	char		*code;
	enum hy_severity sev;
	char		*message;
};

struct hy_findings {
	struct hy_finding *v;
	size_t		   n;
	size_t		   cap;
};

/* Bytes a message keeps: findings quote DNS data, and one that lists
 * every record of a 64 KB answer says no more past this. A longer
 * message ends with "...(+N bytes)". */
#define HY_FINDING_MSG_MAX	1024

/* Returns 0, or -1 when out of memory (the finding is then lost). */
int		 hy_findings_add(struct hy_findings *, const char *code,
		    enum hy_severity, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
int		 hy_findings_has(const struct hy_findings *, const char *code);
void		 hy_findings_clear(struct hy_findings *);
const char	*hy_severity_str(enum hy_severity);
/* A new JSON array [{code, severity, message}], or NULL on OOM. */
json_t		*hy_findings_to_json(const struct hy_findings *);
/* The same for n lists in order, as one array (NULL lists are skipped). */
json_t		*hy_findings_to_json_n(const struct hy_findings *const *fs,
		    size_t n);
/* The message of the first finding of such an array with severity sev,
 * or NULL: a section's reason when its findings say why. */
const char	*hy_findings_json_first(const json_t *issues,
		    enum hy_severity sev);

#endif
