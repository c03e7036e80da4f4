/*
 * Excel workbooks with libxlsxwriter: stats.xlsx (one worksheet per
 * table) and the remediation sheet of an ISP (report.h).
 *
 * Cells are typed: counts are numbers, rates are fractions with a
 * percent format, changes are numbers with a "pt" format; a rate with
 * nothing to count is the text n/a (該当なし), never 0. Text from the
 * network is written as a string cell (Excel never evaluates those, so
 * no apostrophe is needed), with control characters and bidi overrides
 * replaced by U+FFFD and cut at Excel's 32,767-character cell limit.
 * Each table has one frozen header row, headers in the report language,
 * set column widths and an autofilter.
 *
 * The workbook is written in libxlsxwriter's constant-memory mode, row
 * by row, so a month of millions of domains does not grow memory; its
 * creation time is the survey's finishing time, so the same history
 * gives the same file.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <xlsxwriter.h>

#include "hygiene/catalog.h"
#include "report_int.h"
#include "report_sheet.h"

#define CELL_MAX	32000	/* bytes: below Excel's 32,767 characters */

struct xw {
	lxw_workbook		*wb;
	lxw_format		*head, *pct, *pt, *num, *na, *text, *title,
				*bold, *wrap;
	enum hy_report_lang	 lang;
	lxw_error		 err;
	bool			 truncated;	/* domains beyond the last row */
};

/* A string safe for a cell (malloc'd). */
static char *
clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	char *out = malloc(strlen(s) + 1);

	if (out == NULL)
		return NULL;
	while (*p && n + 4 < CELL_MAX) {
		if ((*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f ||
		    (p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa &&
		    p[2] <= 0xae) || (p[1] == 0x81 && p[2] >= 0xa6 &&
		    p[2] <= 0xa9)))) {
			if (*p >= 0x80)
				p += 2;
			memcpy(out + n, "\xef\xbf\xbd", 3);
			n += 3;
			p++;
			continue;
		}
		out[n++] = (char)*p++;
	}
	/* cut in the middle of a UTF-8 sequence: drop its first bytes */
	if ((*p & 0xc0) == 0x80) {
		while (n > 0 && ((unsigned char)out[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0)
			n--;
	}
	out[n] = '\0';
	return out;
}

static void
put_s(struct xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
    const char *s, lxw_format *fmt)
{
	char *v;
	lxw_error e;

	if (s == NULL || *s == '\0') {
		if (fmt != NULL)
			worksheet_write_blank(ws, r, c, fmt);
		return;
	}
	if ((v = clean(s)) == NULL) {
		x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	if ((e = worksheet_write_string(ws, r, c, v, fmt)) != LXW_NO_ERROR)
		x->err = e;
	free(v);
}

static void
put_n(struct xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v,
    lxw_format *fmt)
{
	lxw_error e;

	if ((e = worksheet_write_number(ws, r, c, v, fmt)) != LXW_NO_ERROR)
		x->err = e;
}

static void
put_na(struct xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c)
{
	put_s(x, ws, r, c, tr(x->lang, "n/a", "該当なし"), x->na);
}

/* A rate in percent as a typed fraction, or n/a. */
static void
put_rate(struct xw *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
    double pct)
{
	if (isnan(pct))
		put_na(x, ws, r, c);
	else
		put_n(x, ws, r, c, pct / 100.0, x->pct);
}

/* The header row, column widths, frozen header and autofilter. */
static void
header(struct xw *x, lxw_worksheet *ws, const char *const *names,
    const double *widths, size_t n, lxw_col_t freeze_cols)
{
	size_t i;

	for (i = 0; i < n; i++) {
		put_s(x, ws, 0, (lxw_col_t)i, names[i], x->head);
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, widths[i],
		    NULL);
	}
	worksheet_set_row(ws, 0, 30, NULL);
	worksheet_freeze_panes(ws, 1, freeze_cols);
}

/* ---- the ISP tables (own, hosted) ---- */

/* Column names of a tally table; returns how many. */
static size_t
tally_columns(const char **names, double *widths, size_t max, bool hosted,
    bool delta, enum hy_report_lang lang)
{
	static char buf[HY_NTECHS][3][160];
	const struct hy_tech *t;
	size_t n = 0, k, c;

	names[n] = tr(lang, "ISP ID", "事業者ID");
	widths[n++] = 12;
	names[n] = tr(lang, "ISP", "事業者");
	widths[n++] = 24;
	names[n] = tr(lang, "Domains", "ドメイン数");
	widths[n++] = 9;
	for (k = 0; k < HY_NSTATES; k++) {
		names[n] = hy_state_label(k, lang);
		widths[n++] = 10;
	}
	for (k = 0; k < HY_NTECHS && n + 3 + 8 < max; k++) {
		t = &hy_techs[k];
		if (hosted && t->routes)
			continue;
		names[n] = t->metric[lang];
		widths[n++] = 14;
		snprintf(buf[k][0], sizeof(buf[k][0]), "%s: n", t->name);
		names[n] = buf[k][0];
		widths[n++] = 8;
		if (delta) {
			snprintf(buf[k][1], sizeof(buf[k][1]), "%s: %s",
			    t->name, tr(lang, "change (pt)", "増減（pt）"));
			names[n] = buf[k][1];
			widths[n++] = 10;
		}
		for (c = 0; c < t->ncats && n < max; c++) {
			names[n] = t->cats[c].label[lang];
			widths[n++] = 12;
		}
	}
	return n;
}

static void
tally_row(struct xw *x, lxw_worksheet *ws, lxw_row_t r, const json_t *isp,
    const char *name, const json_t *t, const json_t *pt, bool hosted,
    bool delta)
{
	const struct hy_tech *tc;
	lxw_col_t c = 0;
	long long n;
	double cur, old;
	size_t k, i;

	put_s(x, ws, r, c++, isp ? hy_jstr(isp, "id") : "", NULL);
	put_s(x, ws, r, c++, name, isp ? NULL : x->bold);
	put_n(x, ws, r, c++, (double)hy_jint(t, "domains"), x->num);
	for (k = 0; k < HY_NSTATES; k++)
		put_n(x, ws, r, c++, (double)hy_jint(t, hy_state_keys[k]),
		    x->num);
	for (k = 0; k < HY_NTECHS; k++) {
		tc = &hy_techs[k];
		if (hosted && tc->routes)
			continue;
		cur = hy_tech_rate(tc, t, &n);
		put_rate(x, ws, r, c++, cur);
		if (hy_tech_counts(tc, t) != NULL)
			put_n(x, ws, r, c++, (double)n, x->num);
		else
			put_na(x, ws, r, c++);
		if (delta) {
			old = pt ? hy_tech_rate(tc, pt, NULL) : NAN;
			if (isnan(cur) || isnan(old))
				put_na(x, ws, r, c++);
			else
				put_n(x, ws, r, c++, cur - old, x->pt);
		}
		for (i = 0; i < tc->ncats; i++) {
			if (hy_tech_counts(tc, t) == NULL)
				put_na(x, ws, r, c++);
			else
				put_n(x, ws, r, c++, (double)hy_cat_count(tc,
				    &tc->cats[i], t), x->num);
		}
	}
}

static void
sheet_tallies(struct xw *x, const struct hy_report_in *in, bool hosted)
{
	const char *names[128];
	double widths[128];
	const json_t *isp, *p;
	json_t *tot, *ptot = NULL;
	lxw_worksheet *ws;
	lxw_row_t r = 1;
	size_t n, i;
	bool delta = in->prev != NULL;

	ws = workbook_add_worksheet(x->wb, hosted ? tr(x->lang,
	    "Hosted domains", "ホスティング先ドメイン") : tr(x->lang,
	    "Own domains", "自社ドメイン"));
	if (ws == NULL) {
		x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	n = tally_columns(names, widths, 128, hosted, delta, x->lang);
	header(x, ws, names, widths, n, 2);
	json_array_foreach(json_object_get(in->stats, "isps"), i, isp) {
		p = in->prev ? hy_report_isp(in->prev, hy_jstr(isp, "id")) :
		    NULL;
		tally_row(x, ws, r++, isp, hy_report_isp_name(isp, x->lang),
		    hosted ? json_object_get(isp, "hosted") : isp,
		    hosted && p ? json_object_get(p, "hosted") : p, hosted,
		    delta);
	}
	/* own: every ISP's own domains together; hosted: everything */
	tot = hosted ? hy_report_all_total(in->stats) :
	    hy_report_own_total(in->stats);
	if (in->prev != NULL)
		ptot = hosted ? hy_report_all_total(in->prev) :
		    hy_report_own_total(in->prev);
	if (tot == NULL || (in->prev != NULL && ptot == NULL))
		x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
	else
		tally_row(x, ws, r++, NULL, hosted ? tr(x->lang,
		    "All surveyed domains (for reference)",
		    "全調査ドメイン（参考）") : tr(x->lang,
		    "All ISPs' own domains", "全事業者の自社ドメイン"), tot, ptot,
		    hosted, delta);
	json_decref(tot);
	json_decref(ptot);
	worksheet_autofilter(ws, 0, 0, r - 1, (lxw_col_t)(n - 1));
}

/* ---- RPKI and ROV ---- */

static void
sheet_rpki(struct xw *x, const struct hy_report_in *in)
{
	enum hy_report_lang l = x->lang;
	const char *names[] = { tr(l, "ISP ID", "事業者ID"),
	    tr(l, "ISP", "事業者"), "AS", tr(l, "Routes", "経路数"), "Valid",
	    "Invalid", tr(l, "Invalid (origin AS)", "Invalid（起源AS不一致）"),
	    tr(l, "Invalid (maxLength)", "Invalid（maxLength超過）"),
	    "NotFound", tr(l, "Valid share", "Valid割合"),
	    tr(l, "ROA coverage", "ROAカバー率"), tr(l, "VRPs", "VRP数"),
	    tr(l, "Loose-maxLength ROAs", "maxLengthが緩いROA"),
	    tr(l, "Routes to fix", "要対応の経路"),
	    tr(l, "ROV status", "ROVの実施状況"), tr(l, "Evidence", "根拠"),
	    tr(l, "Collector sessions", "フィード数"),
	    tr(l, "Full-table sessions", "フルテーブルのフィード数"),
	    tr(l, "Routes exported", "広報経路数"),
	    tr(l, "Invalid exported", "うちInvalid"),
	    tr(l, "Invalid in the collectors' view",
	    "コレクタが観測したInvalid経路"),
	    tr(l, "Invalid as transit", "通過するInvalid経路"),
	    tr(l, "Why (ROV)", "理由（英語）") };
	static const double widths[] = { 12, 24, 16, 9, 9, 9, 11, 11, 10, 10,
	    10, 8, 10, 10, 14, 14, 9, 9, 10, 10, 12, 12, 60 };
	static const char *const states[] = { "valid", "invalid",
	    "invalid-asn", "invalid-length", "not-found" };
	const json_t *isp, *rp, *rov, *v, *cov;
	lxw_worksheet *ws;
	lxw_row_t r = 1;
	lxw_col_t c;
	char asns[512];
	size_t i, k, len;

	ws = workbook_add_worksheet(x->wb, tr(l, "RPKI and ROV", "RPKI・ROV"));
	if (ws == NULL) {
		x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	header(x, ws, names, widths, sizeof(widths) / sizeof(widths[0]), 2);
	json_array_foreach(json_object_get(in->stats, "isps"), i, isp) {
		rp = json_object_get(isp, "rpki");
		rov = json_object_get(rp, "rov");
		c = 0;
		put_s(x, ws, r, c++, hy_jstr(isp, "id"), NULL);
		put_s(x, ws, r, c++, hy_report_isp_name(isp, l), NULL);
		len = 0;
		asns[0] = '\0';
		json_array_foreach(json_object_get(isp, "asns"), k, v)
			if (len < sizeof(asns) - 24)
				len += (size_t)snprintf(asns + len,
				    sizeof(asns) - len, "%sAS%lld", k ? " " : "",
				    (long long)json_integer_value(v));
		put_s(x, ws, r, c++, asns, NULL);
		if (json_is_object(rp)) {
			put_n(x, ws, r, c++, (double)hy_jint(rp, "route_count"),
			    x->num);
			for (k = 0; k < 5; k++)
				put_n(x, ws, r, c++, (double)hy_jint(
				    json_object_get(rp, "routes"), states[k]),
				    x->num);
			put_rate(x, ws, r, c++, hy_tech_rate(
			    &hy_techs[HY_NTECHS - 1], isp, NULL));
			cov = json_object_get(rp, "roa_coverage");
			put_rate(x, ws, r, c++, json_is_number(cov) ?
			    100.0 * json_number_value(cov) : NAN);
			put_n(x, ws, r, c++, (double)hy_jint(rp, "vrps"), x->num);
			put_n(x, ws, r, c++, (double)hy_jint(json_object_get(rp,
			    "loose_roas"), "count"), x->num);
			if (json_is_array(json_object_get(rp, "routes_to_fix")))
				put_n(x, ws, r, c++, (double)json_array_size(
				    json_object_get(rp, "routes_to_fix")),
				    x->num);
			else
				put_na(x, ws, r, c++);
		} else
			for (k = 0; k < 11; k++)
				put_na(x, ws, r, c++);
		if (json_is_object(rov)) {
			put_s(x, ws, r, c++, hy_report_rov_status(hy_jstr(rov,
			    "status"), l), NULL);
			put_s(x, ws, r, c++, hy_report_rov_evidence(hy_jstr(rov,
			    "evidence"), l), NULL);
			put_n(x, ws, r, c++, (double)json_array_size(
			    json_object_get(rov, "feeds")), x->num);
			put_n(x, ws, r, c++, (double)hy_report_rov_full_feeds(
			    rov), x->num);
			put_n(x, ws, r, c++, (double)hy_jint(rov,
			    "routes_exported"), x->num);
			put_n(x, ws, r, c++, (double)hy_jint(rov,
			    "invalid_exported"), x->num);
			put_n(x, ws, r, c++, (double)hy_jint(rov,
			    "invalid_in_view"), x->num);
			put_n(x, ws, r, c++, (double)hy_jint(rov,
			    "invalid_transit"), x->num);
			put_s(x, ws, r, c++, hy_jstr(rov, "reason"), NULL);
		} else
			for (k = 0; k < 9; k++)
				put_na(x, ws, r, c++);
		r++;
	}
	worksheet_autofilter(ws, 0, 0, r - 1, (lxw_col_t)(sizeof(widths) /
	    sizeof(widths[0]) - 1));
}

/* ---- per domain ---- */

struct dom_sheet {
	struct xw	*x;
	lxw_worksheet	*ws;
	lxw_row_t	 r;
};

static void
put_verdict(struct dom_sheet *ds, lxw_col_t c, const json_t *d,
    const char *section)
{
	put_s(ds->x, ds->ws, ds->r, c, hy_report_verdict(section,
	    hy_report_dom_status(d, section), ds->x->lang), NULL);
}

static void
put_joined(struct dom_sheet *ds, lxw_col_t c, const json_t *arr)
{
	const json_t *v;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL) {
		ds->x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	json_array_foreach(arr, i, v)
		fprintf(f, "%s%s", i ? " " : "", json_string_value(v) ?
		    json_string_value(v) : "");
	if (fclose(f) == 0)
		put_s(ds->x, ds->ws, ds->r, c, buf, NULL);
	free(buf);
}

static int
dom_row(void *arg, const json_t *d)
{
	struct dom_sheet *ds = arg;
	const json_t *att = json_object_get(d, "attribution"),
	    *nm = json_object_get(d, "null_mx");
	const char *st = hy_report_dom_state(d);
	char *errs;
	size_t k;
	lxw_col_t c = 0;

	if (ds->r >= LXW_ROW_MAX) {
		ds->x->truncated = true;
		return 0;
	}
	put_s(ds->x, ds->ws, ds->r, c++, hy_jstr(d, "domain"), NULL);
	put_s(ds->x, ds->ws, ds->r, c++, hy_jstr(d, "domain_unicode"), NULL);
	put_s(ds->x, ds->ws, ds->r, c++, *hy_jstr(d, "domain") ? "" :
	    hy_jstr(d, "input"), NULL);
	put_s(ds->x, ds->ws, ds->r, c++, hy_jstr(att, "own"), NULL);
	put_joined(ds, c++, json_object_get(att, "hosted_by"));
	for (k = 0; k < HY_NSTATES; k++)
		if (strcmp(hy_state_keys[k], st) == 0)
			put_s(ds->x, ds->ws, ds->r, c, hy_state_label(k,
			    ds->x->lang), NULL);
	c++;
	put_verdict(ds, c++, d, "dnssec");
	put_verdict(ds, c++, d, "spf");
	put_s(ds->x, ds->ws, ds->r, c++, hy_jstr(json_object_get(d, "spf"),
	    "all"), NULL);
	put_verdict(ds, c++, d, "dmarc");
	put_joined(ds, c++, json_object_get(json_object_get(d, "dmarc"),
	    "rua"));
	put_verdict(ds, c++, d, "mta_sts");
	put_verdict(ds, c++, d, "tls_rpt");
	put_s(ds->x, ds->ws, ds->r, c++, json_is_boolean(nm) ? (json_is_true(
	    nm) ? tr(ds->x->lang, "yes", "あり") : tr(ds->x->lang, "no",
	    "なし")) : "", NULL);
	put_s(ds->x, ds->ws, ds->r, c++, hy_jstr(json_object_get(d, "spf"),
	    "record"), NULL);
	put_s(ds->x, ds->ws, ds->r, c++, hy_jstr(json_object_get(d, "dmarc"),
	    "record"), NULL);
	if ((errs = hy_report_dom_errors(d, ds->x->lang)) != NULL)
		put_s(ds->x, ds->ws, ds->r, c++, errs, NULL);
	free(errs);
	ds->r++;
	return ds->x->err != LXW_NO_ERROR ? -1 : 0;
}

static void
sheet_domains(struct xw *x, const struct hy_report_in *in)
{
	enum hy_report_lang l = x->lang;
	const char *names[] = { tr(l, "Domain", "ドメイン"),
	    tr(l, "Domain (Unicode)", "ドメイン（日本語表記）"),
	    tr(l, "Input (invalid name)", "入力（不正な名前）"),
	    tr(l, "ISP ID (own)", "事業者ID（自社）"),
	    tr(l, "Hosted by", "ホスティング事業者"),
	    tr(l, "Measurement", "測定状態"), "DNSSEC", "SPF", "SPF all",
	    "DMARC", "DMARC rua", "MTA-STS", "TLS-RPT", "null MX",
	    tr(l, "SPF record", "SPFレコード"),
	    tr(l, "DMARC record", "DMARCレコード"), tr(l, "Errors", "エラー") };
	static const double widths[] = { 28, 20, 16, 12, 16, 14, 10, 10, 8,
	    14, 28, 10, 8, 8, 40, 40, 40 };
	struct dom_sheet ds = { x, NULL, 1 };

	ds.ws = workbook_add_worksheet(x->wb, tr(l, "Domains",
	    "ドメイン別結果"));
	if (ds.ws == NULL) {
		x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	header(x, ds.ws, names, widths, sizeof(widths) / sizeof(widths[0]), 1);
	if (hy_report_domains_foreach(in, dom_row, &ds) != 0 &&
	    x->err == LXW_NO_ERROR)
		x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
	worksheet_autofilter(ds.ws, 0, 0, ds.r - 1, (lxw_col_t)(sizeof(widths) /
	    sizeof(widths[0]) - 1));
}

/* ---- findings ---- */

static const char *
severity_word(const char *sev, enum hy_report_lang lang)
{
	if (strcmp(sev, "error") == 0)
		return tr(lang, "error", "エラー");
	if (strcmp(sev, "warning") == 0)
		return tr(lang, "warning", "警告");
	if (strcmp(sev, "info") == 0)
		return tr(lang, "info", "情報");
	return sev;
}

static void
finding_row(struct dom_sheet *ds, const char *name, const char *own,
    const char *section, const char *sev, const json_t *fnd)
{
	const struct hy_catalog_entry *cat = hy_catalog_find(section,
	    hy_jstr(fnd, "code"));
	lxw_col_t c = 0;

	if (ds->r >= LXW_ROW_MAX) {
		ds->x->truncated = true;
		return;
	}
	put_s(ds->x, ds->ws, ds->r, c++, name, NULL);
	put_s(ds->x, ds->ws, ds->r, c++, own, NULL);
	put_s(ds->x, ds->ws, ds->r, c++, section, NULL);
	put_s(ds->x, ds->ws, ds->r, c++, severity_word(sev, ds->x->lang), NULL);
	put_s(ds->x, ds->ws, ds->r, c++, hy_jstr(fnd, "code"), NULL);
	put_s(ds->x, ds->ws, ds->r, c++, cat != NULL ? tr(ds->x->lang,
	    cat->en, cat->ja) : "", NULL);
	put_s(ds->x, ds->ws, ds->r, c++, cat != NULL ? tr(ds->x->lang,
	    cat->fix_en, cat->fix_ja) : "", NULL);
	put_s(ds->x, ds->ws, ds->r, c++, cat != NULL ? cat->rfc : "", NULL);
	put_s(ds->x, ds->ws, ds->r, c++, hy_jstr(fnd, "message"), NULL);
	ds->r++;
}

static int
finding_rows(void *arg, const json_t *d)
{
	struct dom_sheet *ds = arg;
	const char *own = hy_jstr(json_object_get(d, "attribution"), "own"),
	    *name = *hy_jstr(d, "domain") ? hy_jstr(d, "domain") :
	    hy_jstr(d, "input"), *key;
	const json_t *sec, *fnd;
	size_t i;

	json_object_foreach((json_t *)d, key, sec)
		json_array_foreach(json_object_get(sec, "issues"), i, fnd)
			finding_row(ds, name, own, key, hy_jstr(fnd,
			    "severity"), fnd);
	json_array_foreach(json_object_get(d, "errors"), i, fnd)
		finding_row(ds, name, own, "errors", "error", fnd);
	return ds->x->err != LXW_NO_ERROR ? -1 : 0;
}

static void
sheet_findings(struct xw *x, const struct hy_report_in *in)
{
	enum hy_report_lang l = x->lang;
	const char *names[] = { tr(l, "Domain", "ドメイン"),
	    tr(l, "ISP ID (own)", "事業者ID（自社）"), tr(l, "Part", "項目"),
	    tr(l, "Severity", "重要度"), tr(l, "Code", "コード"),
	    tr(l, "Meaning", "内容"), tr(l, "Remediation", "対策"), "RFC",
	    tr(l, "Message", "メッセージ（英語）") };
	static const double widths[] = { 28, 12, 10, 9, 26, 50, 50, 18, 60 };
	struct dom_sheet ds = { x, NULL, 1 };

	ds.ws = workbook_add_worksheet(x->wb, tr(l, "Findings", "検出事項"));
	if (ds.ws == NULL) {
		x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	header(x, ds.ws, names, widths, sizeof(widths) / sizeof(widths[0]), 1);
	if (hy_report_domains_foreach(in, finding_rows, &ds) != 0 &&
	    x->err == LXW_NO_ERROR)
		x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
	worksheet_autofilter(ds.ws, 0, 0, ds.r - 1, (lxw_col_t)(sizeof(widths) /
	    sizeof(widths[0]) - 1));
}

/* ---- provenance ---- */

struct prov_sheet {
	struct xw	*x;
	lxw_worksheet	*ws;
	lxw_row_t	 r;
};

static int
prov_row(void *arg, const char *label, const char *value)
{
	struct prov_sheet *ps = arg;

	put_s(ps->x, ps->ws, ps->r, 0, label, NULL);
	put_s(ps->x, ps->ws, ps->r++, 1, value, NULL);
	return 0;
}

static void
sheet_prov(struct xw *x, const struct hy_report_in *in)
{
	const char *names[] = { tr(x->lang, "Item", "項目"),
	    tr(x->lang, "Value", "内容") };
	static const double widths[] = { 44, 90 };
	struct prov_sheet ps = { x, NULL, 1 };

	ps.ws = workbook_add_worksheet(x->wb, tr(x->lang, "Provenance",
	    "データの出所"));
	if (ps.ws == NULL) {
		x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	header(x, ps.ws, names, widths, 2, 0);
	hy_report_prov_walk(in, x->lang, prov_row, &ps);
	if (x->truncated)
		prov_row(&ps, tr(x->lang, "Note", "注意"), tr(x->lang,
		    "The per-domain sheets stop at Excel's row limit "
		    "(1,048,576 rows): domains.csv and findings.csv have every "
		    "row.", "ドメイン別の表はExcelの行数の上限（1,048,576行）で打ち"
		    "切っています。全件は domains.csv と findings.csv にあります。"));
}

/* ---- workbooks ---- */

static time_t
created_at(const struct hy_report_in *in)
{
	struct tm tm;
	const char *s = hy_jstr(in->run, "finished_at");

	memset(&tm, 0, sizeof(tm));
	if (strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return 1;	/* a fixed time: reproducible files */
	return timegm(&tm);
}

static int
xw_open(struct xw *x, const char *path, const char *title,
    const struct hy_report_in *in, enum hy_report_lang lang)
{
	lxw_workbook_options opt = { .constant_memory = LXW_TRUE };
	lxw_doc_properties props = { 0 };

	memset(x, 0, sizeof(*x));
	x->lang = lang;
	if ((x->wb = workbook_new_opt(path, &opt)) == NULL)
		return -1;
	props.title = (char *)title;
	props.author = (char *)"hygiene " HYGIENE_VERSION;
	props.created = created_at(in);
	workbook_set_properties(x->wb, &props);
	x->head = workbook_add_format(x->wb);
	format_set_bold(x->head);
	format_set_bg_color(x->head, 0xEEF1F5);
	format_set_text_wrap(x->head);
	format_set_align(x->head, LXW_ALIGN_VERTICAL_TOP);
	format_set_border(x->head, LXW_BORDER_THIN);
	x->pct = workbook_add_format(x->wb);
	format_set_num_format(x->pct, "0.0%");
	x->pt = workbook_add_format(x->wb);
	format_set_num_format(x->pt, "+0.0\" pt\";-0.0\" pt\";0.0\" pt\"");
	x->num = workbook_add_format(x->wb);
	format_set_num_format(x->num, "#,##0");
	x->na = workbook_add_format(x->wb);
	format_set_italic(x->na);
	format_set_font_color(x->na, 0x777777);
	format_set_align(x->na, LXW_ALIGN_RIGHT);
	x->title = workbook_add_format(x->wb);
	format_set_bold(x->title);
	format_set_font_size(x->title, 14);
	x->bold = workbook_add_format(x->wb);
	format_set_bold(x->bold);
	x->wrap = workbook_add_format(x->wb);
	format_set_text_wrap(x->wrap);
	format_set_align(x->wrap, LXW_ALIGN_VERTICAL_TOP);
	return 0;
}

static int
xw_close(struct xw *x, char *err, size_t errlen)
{
	lxw_error e = workbook_close(x->wb);

	if (x->err == LXW_NO_ERROR)
		x->err = e;
	if (x->err != LXW_NO_ERROR) {
		snprintf(err, errlen, "writing the workbook: %s",
		    lxw_strerror(x->err));
		return -1;
	}
	return 0;
}

int
hy_report_xlsx(const char *path, const struct hy_report_in *in,
    enum hy_report_lang lang, char *err, size_t errlen)
{
	struct xw x;
	char title[256];

	snprintf(title, sizeof(title), "hygiene %s %s", tr(lang, "survey",
	    "調査"), hy_jstr(in->stats, "month"));
	if (xw_open(&x, path, title, in, lang) != 0) {
		snprintf(err, errlen, "%s: cannot create the workbook", path);
		return -1;
	}
	sheet_tallies(&x, in, false);
	sheet_tallies(&x, in, true);
	sheet_rpki(&x, in);
	sheet_domains(&x, in);
	sheet_findings(&x, in);
	sheet_prov(&x, in);
	return xw_close(&x, err, errlen);
}

/* ---- the remediation sheet ---- */

static void
sheet_section(struct xw *x, lxw_worksheet *ws, lxw_row_t *r,
    const json_t *s)
{
	const json_t *row, *v, *c;
	size_t i, j;

	(*r)++;
	put_s(x, ws, (*r)++, 0, hy_jstr(s, "title"), x->bold);
	put_s(x, ws, (*r)++, 0, hy_jstr(s, "intro"), NULL);
	if (json_array_size(json_object_get(s, "rows")) == 0) {
		put_s(x, ws, (*r)++, 0, hy_jstr(s, "empty"), NULL);
		return;
	}
	json_array_foreach(json_object_get(s, "columns"), i, c)
		put_s(x, ws, *r, (lxw_col_t)i, json_string_value(c), x->head);
	(*r)++;
	json_array_foreach(json_object_get(s, "rows"), i, row) {
		json_array_foreach(row, j, v) {
			if (json_is_integer(v))
				put_n(x, ws, *r, (lxw_col_t)j, (double)
				    json_integer_value(v), x->num);
			else
				put_s(x, ws, *r, (lxw_col_t)j,
				    json_string_value(v), x->wrap);
		}
		(*r)++;
	}
}

static void
sheet_one(struct xw *x, const json_t *m, const char *name)
{
	static const double widths[] = { 26, 18, 24, 64, 26, 20 };
	const json_t *f, *s;
	lxw_worksheet *ws;
	lxw_row_t r = 0;
	size_t i;

	if ((ws = workbook_add_worksheet(x->wb, name)) == NULL) {
		x->err = LXW_ERROR_MEMORY_MALLOC_FAILED;
		return;
	}
	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
		worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, widths[i],
		    NULL);
	put_s(x, ws, r++, 0, hy_jstr(m, "title"), x->title);
	put_s(x, ws, r++, 0, hy_jstr(m, "intro"), NULL);
	json_array_foreach(json_object_get(m, "facts"), i, f) {
		put_s(x, ws, r, 0, json_string_value(json_array_get(f, 0)),
		    x->bold);
		put_s(x, ws, r++, 1, json_string_value(json_array_get(f, 1)),
		    NULL);
	}
	if (json_is_string(json_object_get(m, "rpki_note")))
		put_s(x, ws, r++, 0, hy_jstr(m, "rpki_note"), NULL);
	json_array_foreach(json_object_get(m, "sections"), i, s)
		sheet_section(x, ws, &r, s);
}

int
hy_report_sheet_xlsx(const char *path, const struct hy_report_in *in,
    const char *isp_id, char *err, size_t errlen)
{
	json_t *ja, *en;
	struct xw x;
	int rc;

	if ((ja = hy_sheet_build(in, isp_id, HY_LANG_JA, err, errlen)) == NULL)
		return -1;
	if ((en = hy_sheet_build(in, isp_id, HY_LANG_EN, err, errlen)) ==
	    NULL) {
		json_decref(ja);
		return -1;
	}
	if (xw_open(&x, path, hy_jstr(ja, "title"), in, HY_LANG_JA) != 0) {
		snprintf(err, errlen, "%s: cannot create the workbook", path);
		rc = -1;
	} else {
		sheet_one(&x, ja, "改善項目");
		x.lang = HY_LANG_EN;
		sheet_one(&x, en, "Remediation");
		rc = xw_close(&x, err, errlen);
	}
	json_decref(ja);
	json_decref(en);
	return rc;
}
