/*
 * Reports over one month's statistics (stats.json), optionally compared
 * with an earlier month, with a trend over the months of the history and
 * per-domain tables. Formats:
 *   - HTML: self-contained (inline CSS and SVG charts, no script, no
 *     network), printable on A4, English or Japanese;
 *   - Markdown; JSON;
 *   - CSV, one table per file (UTF-8 with BOM, cells neutralised against
 *     formula injection): ISPs, domains, RPKI, findings;
 *   - Excel (stats.xlsx): one worksheet per table, typed cells;
 *   - a remediation sheet per ISP (HTML, or xlsx with a Japanese and an
 *     English worksheet) to send to the operator.
 *
 * Every string that can come from the network (record text, names,
 * finding messages) goes through the format's escaping: HTML entity
 * escaping, Markdown escaping, CSV quoting with a leading apostrophe for
 * cells starting with = + - @ (and tab/CR, which Excel also treats as
 * formula starts); xlsx cells are written as strings, never formulas.
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
	HY_REPORT_XLSX,
};

enum hy_report_lang {
	HY_LANG_EN,
	HY_LANG_JA,
};

/* The CSV tables, one per file. */
enum hy_report_table {
	HY_TABLE_ISPS,		/* per ISP and scope (own, hosted) and all */
	HY_TABLE_DOMAINS,	/* per domain */
	HY_TABLE_RPKI,		/* per ISP: routes, coverage, ROV */
	HY_TABLE_FINDINGS,	/* per finding of every domain */
	HY_TABLE_N
};

struct hy_report_in {
	const json_t	*stats;		/* the month's stats.json */
	const json_t	*prev;		/* the compared month's, or NULL */
	const json_t	*domains;	/* array of own-domain results, or NULL */
	/* stats.json of the months of the trend, oldest first, the last
	 * one being the month's (hy_report_load_history); NULL: none */
	const json_t	*history;
	/* {"started_at", "finished_at"} of the month's survey, or NULL */
	const json_t	*run;
	/* With a store, the per-domain and findings tables cover every
	 * result of the month; without, the own domains. */
	struct hy_store	*store;
};

/* HTML, Markdown, CSV (the ISP table) or JSON into the stream. 0, or -1
 * on a write error / OOM. */
int	hy_report_write(FILE *, const struct hy_report_in *,
	    enum hy_report_format, enum hy_report_lang);
/* One CSV table. */
int	hy_report_csv(FILE *, const struct hy_report_in *,
	    enum hy_report_table);
/* The file name of a CSV table in a survey directory ("stats.csv"). */
const char *hy_report_table_file(enum hy_report_table);

/* stats.xlsx into path (headers in lang). 0, or -1 with err. */
int	hy_report_xlsx(const char *path, const struct hy_report_in *,
	    enum hy_report_lang, char *err, size_t errlen);

/* The remediation sheet of one ISP: HTML in lang, or an xlsx file with
 * a Japanese and an English worksheet. -1 with err (unknown ISP, I/O). */
int	hy_report_sheet_html(FILE *, const struct hy_report_in *,
	    const char *isp_id, enum hy_report_lang, char *err,
	    size_t errlen);
int	hy_report_sheet_xlsx(const char *path, const struct hy_report_in *,
	    const char *isp_id, char *err, size_t errlen);

/* Load the inputs of a report from the store. compare may be NULL.
 * New references in *stats, *prev (NULL without compare), *domains. */
int	hy_report_load(struct hy_store *, const char *month,
	    const char *compare, json_t **stats, json_t **prev,
	    json_t **domains, char *err, size_t errlen);
/* The trend's months (up to 24 finished surveys up to month, oldest
 * first) and the month's run times. New references. */
int	hy_report_load_history(struct hy_store *, const char *month,
	    json_t **history, json_t **run, char *err, size_t errlen);

/* Escapers, public for tests. */
int	hy_html_escape(FILE *, const char *);
/* One CSV cell, quoted when needed and neutralised; malloc'd. */
char	*hy_csv_cell(const char *);

/* Parse a format / language / table name; -1 if unknown. */
int	hy_report_format_parse(const char *);
int	hy_report_lang_parse(const char *);
int	hy_report_table_parse(const char *);

#endif
