/*
 * The findings catalogue: every code `hygiene check` can write into a
 * section's `issues` or into the domain's `errors`, with its severity,
 * the probe that emits it, the RFC section behind it, what it means in
 * English and Japanese, and a one-line remediation in both.
 *
 * This one table (src/catalog.c) is the source of doc/findings.md, of
 * the code enums in schema/check.schema.json and of `hygiene explain`.
 * A code is keyed by (section, code): "dns-error" means a different
 * lookup in `dmarc` than in `mta_sts`. tests/catalog/ fails when a code
 * the sources emit is missing here, or a row here is emitted nowhere.
 *
 * The table is static data; nothing here allocates.
 */
#ifndef HYGIENE_CATALOG_H
#define HYGIENE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "hygiene/findings.h"

/* Bits of hy_catalog_entry.severities. */
#define HY_CAT_INFO	(1u << HY_SEV_INFO)
#define HY_CAT_WARNING	(1u << HY_SEV_WARNING)
#define HY_CAT_ERROR	(1u << HY_SEV_ERROR)

struct hy_catalog_entry {
	const char	*section;	/* JSON section; "errors" for errors[] */
	const char	*code;
	const char	*probe;		/* module that emits it */
	unsigned	 severities;	/* HY_CAT_* it is emitted with */
	const char	*rfc;		/* "RFC 4035 §5.3.1"; "" when none */
	const char	*en;		/* what it means */
	const char	*ja;
	const char	*fix_en;	/* one-line remediation */
	const char	*fix_ja;
};

/* The sections in output order, with the names people read. */
struct hy_catalog_section {
	const char	*key;		/* "dnssec", ..., "errors" */
	const char	*title_en;
	const char	*title_ja;
};

extern const struct hy_catalog_entry hy_catalog[];
extern const size_t hy_catalog_len;
extern const struct hy_catalog_section hy_catalog_sections[];
extern const size_t hy_catalog_nsections;

/* The entry for (section, code), or NULL. */
const struct hy_catalog_entry *hy_catalog_find(const char *section,
		    const char *code);
/* True if some section lists code with this severity. */
bool		 hy_catalog_known(const char *code, enum hy_severity);
/* "error", or "warning / error" for an entry emitted with both; in
 * Japanese with ja. */
const char	*hy_catalog_severities_str(unsigned severities, bool ja);

/*
 * In builds without NDEBUG (Debug, the ASan build), abort with a message
 * saying what to add when code is not in the catalogue with severity sev:
 * hy_findings_add() and hy_check_error() call it, so every test run of
 * such a build checks every code it emits. A no-op with NDEBUG.
 */
void		 hy_catalog_assert(const char *code, enum hy_severity sev);

#endif
