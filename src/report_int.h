/*
 * Internal to the reports (src/report*.c): the technologies and their
 * verdict categories, the words of both languages, the figures every
 * format derives from stats.json, and the escapers.
 *
 * All figures come from stats.json objects (and result objects for the
 * per-domain tables), so every format can be rebuilt from the history.
 */
#ifndef HYGIENE_REPORT_INT_H
#define HYGIENE_REPORT_INT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "hygiene/report.h"

/* A rate whose denominator is smaller than this gets a marker: one
 * domain then moves it by more than 3.3 percentage points. */
#define HY_REPORT_SMALL_N	30
/* The trend charts cover at most this many months. */
#define HY_REPORT_TREND_MONTHS	24

/* The text of the language: tr(lang, "Month", "調査月"). */
static inline const char *
tr(enum hy_report_lang lang, const char *en, const char *ja)
{
	return lang == HY_LANG_JA ? ja : en;
}

/* One category of a technology's distribution: the stats keys it sums
 * (NULL-terminated), its words and colour, and whether it was measured
 * (a category that was not is never in a rate's denominator). */
struct hy_cat {
	const char	*keys[3];
	const char	*label[2];
	const char	*color;
	bool		 measured;
	bool		 good;		/* counts as adopted */
};

/* A technology as the reports show it. RPKI counts routes, the others
 * count domains (never on the same axis). */
struct hy_tech {
	const char	*id;		/* metric id: "dnssec_secure" */
	const char	*section;	/* stats key: "dnssec", "rpki" */
	const char	*name;		/* "DNSSEC" */
	const char	*metric[2];	/* what the rate measures */
	const char	*title[2];	/* distribution chart title */
	const struct hy_cat *cats;
	size_t		 ncats;
	bool		 routes;	/* counts routes, not domains */
};

#define HY_NTECHS	5
extern const struct hy_tech hy_techs[HY_NTECHS];

/* The measurement states of stats.json, in column order. */
#define HY_NSTATES	4
extern const char *const hy_state_keys[HY_NSTATES];
const char	*hy_state_label(size_t i, enum hy_report_lang);

/* The count of one category in a tally (or in rpki.routes). */
long long	hy_cat_count(const struct hy_tech *, const struct hy_cat *,
		    const json_t *tally);
/* The section's counts of tally: NULL when it has none (no RPKI). */
const json_t	*hy_tech_counts(const struct hy_tech *, const json_t *tally);
/* Adoption rate in percent (NAN when nothing could be measured) and its
 * denominator (*n, may be NULL). */
double		 hy_tech_rate(const struct hy_tech *, const json_t *tally,
		    long long *n);

/* A tally summing the own domains of every ISP (and their RPKI routes);
 * new reference, NULL on OOM. */
json_t		*hy_report_own_total(const json_t *stats);
/* A copy of the totals with the RPKI routes of every ISP; new
 * reference, NULL on OOM. */
json_t		*hy_report_all_total(const json_t *stats);

/* The ISP of prev with the id, or NULL. */
const json_t	*hy_report_isp(const json_t *stats, const char *id);
/* The name of an ISP in the language. */
const char	*hy_report_isp_name(const json_t *isp, enum hy_report_lang);

/* A verdict of a domain section ("dmarc", "reject") in words; the key
 * itself when unknown. */
const char	*hy_report_verdict(const char *section, const char *key,
		    enum hy_report_lang);
/* The verdict key a domain table shows for section of obj: "n/a" for a
 * name that does not exist, "not_measured" without a verdict, the DMARC
 * policy when there is one, else the status. */
const char	*hy_report_dom_status(const json_t *obj, const char *section);
/* The measurement state of a result, recomputed from its verdicts. */
const char	*hy_report_dom_state(const json_t *obj);
/* What a finding or error ({code, message}) of section says: the probe's
 * own message (English, with the specifics), or in Japanese what the
 * findings catalogue says the code means (the message when the
 * catalogue has no row for it). */
const char	*hy_report_finding_text(const char *section, const json_t *f,
		    enum hy_report_lang);
/* "code: message; ..." of a result's errors (malloc'd, NULL on OOM),
 * each text as hy_report_finding_text() gives it. */
char		*hy_report_dom_errors(const json_t *obj, enum hy_report_lang);

/* "2026年12月" or "2026-12" (buf at least 32 bytes). */
void		 hy_report_month(char *buf, size_t len, const char *month,
		    enum hy_report_lang);
/* 12.5% / n/a; +1.5 / – */
void		 hy_report_fmt_rate(char *buf, size_t len, double r,
		    enum hy_report_lang);
void		 hy_report_fmt_delta(char *buf, size_t len, double cur,
		    double old);

/* json helpers: "" / 0 when missing. */
const char	*hy_jstr(const json_t *, const char *key);
long long	 hy_jint(const json_t *, const char *key);

/* Escapers (report.c). */
int	hy_report_md_escape(FILE *, const char *);
/* HTML-escape text that may wrap: a line-break opportunity (<wbr>)
 * after the characters that separate the parts of names and records
 * (. ; , @), and words with a hyphen or an SPF qualifier ("dmarc-
 * invalid", "-all") kept whole, so a long value wraps there and never
 * mid-word. Not for attributes. */
int	hy_html_escape_wrap(FILE *, const char *);

/* The document head shared by the report and the sheets: doctype, CSP,
 * title, the stylesheet (fonts, print). title is plain text. */
void	hy_report_html_head(FILE *, const char *title, enum hy_report_lang);

/* Charts (report_chart.c): one SVG each, self-contained. */
int	hy_report_chart_dist(FILE *, const struct hy_report_in *,
	    const struct hy_tech *, enum hy_report_lang);
int	hy_report_chart_trend(FILE *, const struct hy_report_in *,
	    const struct hy_tech *, enum hy_report_lang);

/* The provenance block (report_prov.c). */
int	hy_report_prov_html(FILE *, const struct hy_report_in *,
	    enum hy_report_lang);
int	hy_report_prov_md(FILE *, const struct hy_report_in *,
	    enum hy_report_lang);
/* The provenance as flat (label, value) pairs: fn called per line. */
typedef int (*hy_report_prov_fn)(void *arg, const char *label,
	    const char *value);
int	hy_report_prov_walk(const struct hy_report_in *, enum hy_report_lang,
	    hy_report_prov_fn, void *arg);

/* The ROV enforcement section from stats.json's isps[].rpki.rov; writes
 * nothing when no ISP has one. 0, or -1 on a write error / OOM. */
int	hy_report_rov_html(FILE *, const json_t *stats, enum hy_report_lang);
int	hy_report_rov_md(FILE *, const json_t *stats, enum hy_report_lang);
const char *hy_report_rov_status(const char *status, enum hy_report_lang);
const char *hy_report_rov_evidence(const char *evidence,
	    enum hy_report_lang);
/* Collector sessions with a full table in either family. */
long long hy_report_rov_full_feeds(const json_t *rov);
/* An example route as text: "exported 192.0.2.0/24 (AS64500,
 * invalid-asn) path 2497 64500, peer AS2497 192.0.2.1" (malloc'd). */
char	*hy_report_rov_example(const json_t *example);

/* Every domain result the per-domain tables cover: every result of the
 * month when in->store is set, else in->domains. fn returning non-zero
 * stops the walk with that value. */
typedef int (*hy_report_dom_fn)(void *arg, const json_t *obj);
int	hy_report_domains_foreach(const struct hy_report_in *,
	    hy_report_dom_fn, void *arg);

#endif
