/*
 * Reports over one month's statistics (stats.json), optionally compared
 * with an earlier month, plus a per-domain table of the ISPs' own domains.
 * Formats: self-contained HTML with inline SVG charts (no script, no
 * network, printable), Markdown, CSV (UTF-8 with BOM, cells neutralised
 * against formula injection) and JSON.
 *
 * Every string that can come from the network (record text, names,
 * finding messages) goes through the format's escaping: HTML entity
 * escaping, Markdown escaping, CSV quoting with a leading apostrophe for
 * cells starting with = + - @ (and tab/CR, which Excel also treats as
 * formula starts).
 */
#ifndef HYGIENE_REPORT_H
#define HYGIENE_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "hygiene/store.h"

enum hy_report_format {
	HY_REPORT_HTML,
	HY_REPORT_MD,
	HY_REPORT_CSV,
	HY_REPORT_JSON,
};

enum hy_report_lang {
	HY_LANG_EN,
	HY_LANG_JA,
};

struct hy_report_in {
	const json_t	*stats;		/* the month's stats.json */
	const json_t	*prev;		/* the compared month's, or NULL */
	const json_t	*domains;	/* array of own-domain results, or NULL */
};

/* 0, or -1 on a write error / OOM. */
int	hy_report_write(FILE *, const struct hy_report_in *,
	    enum hy_report_format, enum hy_report_lang);

/* Load the inputs of a report from the store. compare may be NULL.
 * New references in *stats, *prev (NULL without compare), *domains. */
int	hy_report_load(struct hy_store *, const char *month,
	    const char *compare, json_t **stats, json_t **prev,
	    json_t **domains, char *err, size_t errlen);

/* Escapers, public for tests. */
int	hy_html_escape(FILE *, const char *);
/* One CSV cell, quoted when needed and neutralised; malloc'd. */
char	*hy_csv_cell(const char *);

/* Parse a format / language name; -1 if unknown. */
int	hy_report_format_parse(const char *);
int	hy_report_lang_parse(const char *);

#endif
