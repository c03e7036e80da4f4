/*
 * Reports over stats.json (see report.h). All figures are derived from
 * the stats objects, so a report can be rebuilt from the history at any
 * time; strings are escaped at the last moment, per output format.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hygiene/report.h"
#include "hygiene/stats.h"
#include "hygiene/survey.h"
#include "report_int.h"

/* ---- labels ---- */

enum lbl {
	L_TITLE, L_MONTH, L_COMPARE, L_ISP, L_DOMAINS, L_MEASURED,
	L_INCOMPLETE, L_NXDOMAIN, L_INVALID, L_OWN, L_HOSTED, L_TOTALS,
	L_CHART, L_DOMAIN_TABLE, L_DOMAIN, L_STATE, L_NOTES, L_NOTE_RATES,
	L_NOTE_HOSTED, L_NOTE_DELTA, L_NA, L_ERRORS, L_RECORD, L_NONE_YET,
	L_REMEASURED, L_N
};

static const char *const labels[2][L_N] = {
	[HY_LANG_EN] = {
		"Network hygiene survey", "Month", "compared with", "ISP",
		"Domains", "Measured", "Incomplete", "Do not exist",
		"Invalid input", "Own domains",
		"Hosted domains (mail or name servers in the ISP's network)",
		"All surveyed domains", "Adoption by ISP (own domains)",
		"Own domains in detail", "Domain", "Measurement", "Notes",
		"Each rate is a share of the domains whose part in question "
		"could be measured: what timed out or failed (indeterminate, "
		"temperror, not measured) is never counted as absent. Domains "
		"that could not be measured completely, that do not exist "
		"(NXDOMAIN) or whose name is invalid are counted beside the "
		"rates; the last two are in no rate at all.",
		"A domain is hosted by an ISP when one of its MX or NS addresses "
		"is originated by one of the ISP's ASNs; an ISP's own domains "
		"are never counted as hosted by it. An incomplete domain also "
		"counts, as incomplete, for the ISPs that hosted it in its "
		"previous result.",
		"Changes are in percentage points against the compared month.",
		"n/a", "Errors", "record", "no data",
		"Measured again after an incomplete result",
	},
	[HY_LANG_JA] = {
		"ネットワーク衛生調査", "調査月", "比較対象月", "事業者",
		"ドメイン数", "測定済み", "測定不完全", "存在しない",
		"無効な入力", "自社ドメイン",
		"ホスティング先ドメイン(MX または NS が当該事業者のネットワーク内)",
		"全調査ドメイン", "事業者別の導入率(自社ドメイン)",
		"自社ドメインの詳細", "ドメイン", "測定状態", "注記",
		"導入率は当該項目を測定できたドメインに占める割合です。"
		"タイムアウトや失敗(indeterminate、temperror、未測定)は"
		"「なし」には数えません。完全には測定できなかったドメイン、"
		"存在しないドメイン(NXDOMAIN)、名前が無効な入力は導入率の"
		"横に別に数え、後の二つはどの導入率にも含めません。",
		"MX または NS のアドレスが事業者の AS から広報されている場合、"
		"そのドメインを当該事業者のホスティング先として数えます。"
		"自社ドメインは自社のホスティング先には数えません。"
		"測定不完全のドメインは、前回の結果でホスティングしていた"
		"事業者にも測定不完全として数えます。",
		"増減は比較対象月に対するポイント差です。",
		"該当なし", "エラー", "レコード", "データなし",
		"測定不完全のため再測定",
	},
};

/* The measurement states as stats.json keys, in column order. */
static const char *const state_keys[] = {
	"measured", "incomplete", "nxdomain", "invalid_input",
};
static const enum lbl state_labels[] = {
	L_MEASURED, L_INCOMPLETE, L_NXDOMAIN, L_INVALID,
};
#define NSTATES (sizeof(state_keys) / sizeof(state_keys[0]))

/* ---- metrics ---- */

struct metric {
	const char		*id;
	const char		*section;
	const char *const	*good;		/* keys that count as adopted */
	const char		*label[2];
	const char		*color;
};

static const char *const good_secure[] = { "secure", NULL };
static const char *const good_valid[] = { "valid", NULL };
static const char *const good_enforced[] = { "reject", "quarantine", NULL };
static const char *const good_enforce[] = { "enforce", NULL };

#define NMETRICS 5
static const struct metric metrics[NMETRICS] = {
	{ "dnssec_secure", "dnssec", good_secure,
	    { "DNSSEC secure", "DNSSEC 検証成功" }, "#1b6ca8" },
	{ "spf_valid", "spf", good_valid,
	    { "SPF valid", "SPF 有効" }, "#2e8b57" },
	{ "dmarc_enforced", "dmarc", good_enforced,
	    { "DMARC reject/quarantine", "DMARC reject/quarantine" },
	    "#c77c02" },
	{ "mta_sts_enforce", "mta_sts", good_enforce,
	    { "MTA-STS enforce", "MTA-STS enforce" }, "#8e44ad" },
	{ "rpki_valid", "rpki", NULL,
	    { "RPKI-valid routes", "RPKI 検証済み経路" }, "#b03a2e" },
};

static bool
key_in(const char *k, const char *const *set)
{
	for (; *set != NULL; set++)
		if (strcmp(k, *set) == 0)
			return true;
	return false;
}

static bool
key_unmeasured(const char *k)
{
	return strcmp(k, "indeterminate") == 0 ||
	    strcmp(k, "temperror") == 0 || strcmp(k, "not_measured") == 0;
}

/* Adoption rate in percent, or NAN when nothing could be measured. */
static double
metric_rate(const struct metric *m, const json_t *tally)
{
	const json_t *sec, *v;
	const char *k;
	double good = 0, den = 0;

	if (strcmp(m->section, "rpki") == 0) {
		sec = json_object_get(json_object_get(tally, "rpki"), "routes");
		if (!json_is_object(sec))
			return NAN;
		json_object_foreach((json_t *)sec, k, v) {
			/* the invalid-* subcategories are inside "invalid" */
			if (strncmp(k, "invalid-", 8) == 0 ||
			    !json_is_integer(v))
				continue;
			den += (double)json_integer_value(v);
			if (strcmp(k, "valid") == 0)
				good += (double)json_integer_value(v);
		}
		return den > 0 ? 100.0 * good / den : NAN;
	}
	sec = json_object_get(tally, m->section);
	json_object_foreach((json_t *)sec, k, v) {
		if (!json_is_integer(v) || key_unmeasured(k))
			continue;
		den += (double)json_integer_value(v);
		if (key_in(k, m->good))
			good += (double)json_integer_value(v);
	}
	return den > 0 ? 100.0 * good / den : NAN;
}

static const json_t *
prev_isp(const json_t *prev, const char *id)
{
	const json_t *isp;
	size_t i;

	json_array_foreach(json_object_get(prev, "isps"), i, isp)
		if (json_is_string(json_object_get(isp, "id")) &&
		    strcmp(json_string_value(json_object_get(isp, "id")),
		    id) == 0)
			return isp;
	return NULL;
}

/* The tally to compare with: scope NULL = own (the ISP object itself). */
static const json_t *
scope_of(const json_t *isp, const char *scope)
{
	return scope ? json_object_get(isp, scope) : isp;
}

static const char *
jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static long long
jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* ---- escaping ---- */

/* Code points that reorder text (bidi controls) are replaced: a hostile
 * record must not make a report line read differently than it is. */
static bool
utf8_bidi(const unsigned char *p)
{
	/* U+202A..U+202E = E2 80 AA..AE; U+2066..U+2069 = E2 81 A6..A9 */
	return p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
	    (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
}

int
hy_html_escape(FILE *f, const char *s)
{
	const unsigned char *p;
	int rc = 0;

	for (p = (const unsigned char *)s; *p && rc >= 0; p++) {
		switch (*p) {
		case '&': rc = fputs("&amp;", f); break;
		case '<': rc = fputs("&lt;", f); break;
		case '>': rc = fputs("&gt;", f); break;
		case '"': rc = fputs("&quot;", f); break;
		case '\'': rc = fputs("&#39;", f); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				rc = fputs("\xef\xbf\xbd", f);
			else if (utf8_bidi(p)) {
				rc = fputs("\xef\xbf\xbd", f);
				p += 2;
			} else
				rc = fputc(*p, f) == EOF ? -1 : 0;
		}
	}
	return rc < 0 ? -1 : 0;
}

/* Markdown: HTML-escape, then backslash every punctuation character that
 * could start markup; line breaks become spaces so a table stays one row. */
static int
md_escape(FILE *f, const char *s)
{
	const unsigned char *p;
	int rc = 0;

	for (p = (const unsigned char *)s; *p && rc >= 0; p++) {
		if (*p == '&')
			rc = fputs("&amp;", f);
		else if (*p == '<')
			rc = fputs("&lt;", f);
		else if (*p == '>')
			rc = fputs("&gt;", f);
		else if (*p < 0x20 || *p == 0x7f)
			rc = fputc(' ', f) == EOF ? -1 : 0;
		else if (utf8_bidi(p)) {
			rc = fputs("\xef\xbf\xbd", f);
			p += 2;
		} else if (strchr("\\`*_{}[]()#+-.!|~=@:", *p) != NULL)
			rc = fprintf(f, "\\%c", *p);
		else
			rc = fputc(*p, f) == EOF ? -1 : 0;
	}
	return rc < 0 ? -1 : 0;
}

int
hy_report_md_escape(FILE *f, const char *s)
{
	return md_escape(f, s);
}

char *
hy_csv_cell(const char *s)
{
	size_t len = strlen(s), i, n = 0;
	char *out;

	if ((out = malloc(2 * len + 4)) == NULL)
		return NULL;
	out[n++] = '"';
	/* A leading = + - @ (or tab/CR, also formula starts in Excel) makes
	 * a spreadsheet evaluate the cell; an apostrophe keeps it text. */
	if (len > 0 && strchr("=+-@\t\r", s[0]) != NULL)
		out[n++] = '\'';
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			out[n++] = '"';
		if (i + 2 < len && utf8_bidi((const unsigned char *)s + i)) {
			/* same length: U+FFFD is three octets too */
			memcpy(out + n, "\xef\xbf\xbd", 3);
			n += 3;
			i += 2;
			continue;
		}
		out[n++] = s[i];
	}
	out[n++] = '"';
	out[n] = '\0';
	return out;
}

static int
csv_put(FILE *f, const char *s, bool last)
{
	char *c = hy_csv_cell(s ? s : "");
	int rc;

	if (c == NULL)
		return -1;
	rc = fputs(c, f);
	free(c);
	if (rc < 0 || fputc(last ? '\n' : ',', f) == EOF)
		return -1;
	return 0;
}

/* ---- shared pieces ---- */

static void
fmt_rate(char *buf, size_t len, double r, enum hy_report_lang lang)
{
	if (isnan(r))
		snprintf(buf, len, "%s", labels[lang][L_NA]);
	else
		snprintf(buf, len, "%.1f%%", r);
}

static void
fmt_delta(char *buf, size_t len, double cur, double old)
{
	if (isnan(cur) || isnan(old))
		snprintf(buf, len, "–");
	else
		snprintf(buf, len, "%+.1f", cur - old);
}

/* The verdict summary of one domain section for the detail table; a
 * name that does not exist has none (its "none" and "absent" only say
 * so again). */
static const char *
dom_status(const json_t *obj, const char *section)
{
	const json_t *s = json_object_get(obj, section);
	const char *st;

	if (hy_stats_measurement(obj) == HY_MEAS_NXDOMAIN)
		return "n/a";
	if (!json_is_object(s))
		return "not measured";
	st = json_string_value(json_object_get(s, "status"));
	if (st == NULL)
		return "not measured";
	if (strcmp(section, "dmarc") == 0 && strcmp(st, "valid") == 0 &&
	    json_is_string(json_object_get(s, "policy")))
		return json_string_value(json_object_get(s, "policy"));
	return st;
}

/* The domain's measurement state, recomputed: a stored line's own
 * "measurement" is not trusted over its verdicts. */
static const char *
dom_state(const json_t *obj)
{
	return hy_measurement_str(hy_stats_measurement(obj));
}

static const char *
dom_record(const json_t *obj, const char *section)
{
	return json_string_value(json_object_get(json_object_get(obj, section),
	    "record"));
}

/* The errors of a domain as "code: message; ..." (malloc'd). */
static char *
dom_errors(const json_t *obj)
{
	const json_t *e;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	json_array_foreach(json_object_get(obj, "errors"), i, e)
		fprintf(f, "%s%s: %s", i ? "; " : "", jstr(e, "code"),
		    jstr(e, "message"));
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* ---- HTML ---- */

static const char html_style[] =
	"body{font-family:sans-serif;margin:2em;color:#222}"
	"table{border-collapse:collapse;margin:1em 0}"
	"th,td{border:1px solid #999;padding:.25em .5em;text-align:right}"
	"th{background:#eee}td.t{text-align:left;word-break:break-all}"
	"caption{text-align:left;font-weight:bold;margin:.5em 0}"
	"@media print{body{margin:0}svg{max-width:100%}}";

/*
 * One ISP row's rate cells (and month-over-month deltas when there is a
 * previous month), each printed through cellfmt: shared by the HTML and
 * Markdown tables. Hosted scopes have no RPKI column.
 */
static void
rate_cells(FILE *f, const char *cellfmt, const json_t *t, const json_t *pt,
    int with_delta, const char *scope, enum hy_report_lang lang)
{
	char rb[32], db[32];
	size_t m;

	for (m = 0; m < NMETRICS; m++) {
		if (scope != NULL && strcmp(metrics[m].section, "rpki") == 0)
			continue;
		fmt_rate(rb, sizeof(rb), metric_rate(&metrics[m], t), lang);
		fprintf(f, cellfmt, rb);
		if (!with_delta)
			continue;
		fmt_delta(db, sizeof(db), metric_rate(&metrics[m], t),
		    pt ? metric_rate(&metrics[m], pt) : NAN);
		fprintf(f, cellfmt, db);
	}
}

static void
html_rates_table(FILE *f, const struct hy_report_in *in, const char *scope,
    const char *caption, enum hy_report_lang lang)
{
	const json_t *isp, *t, *pt;
	size_t i, m;

	fputs("<table>\n<caption>", f);
	hy_html_escape(f, caption);
	fprintf(f, "</caption>\n<tr><th>%s</th><th>%s</th>",
	    labels[lang][L_ISP], labels[lang][L_DOMAINS]);
	for (m = 0; m < NSTATES; m++)
		fprintf(f, "<th>%s</th>", labels[lang][state_labels[m]]);
	for (m = 0; m < NMETRICS; m++) {
		if (scope != NULL && strcmp(metrics[m].section, "rpki") == 0)
			continue;
		fprintf(f, "<th>%s</th>", metrics[m].label[lang]);
		if (in->prev != NULL)
			fprintf(f, "<th>±</th>");
	}
	fputs("</tr>\n", f);
	json_array_foreach(json_object_get(in->stats, "isps"), i, isp) {
		t = scope_of(isp, scope);
		pt = in->prev ? prev_isp(in->prev, jstr(isp, "id")) : NULL;
		pt = pt ? scope_of(pt, scope) : NULL;
		fputs("<tr><td class=\"t\">", f);
		hy_html_escape(f, jstr(isp, lang == HY_LANG_JA ? "name_ja" :
		    "name"));
		fprintf(f, "</td><td>%lld</td>", jint(t, "domains"));
		for (m = 0; m < NSTATES; m++)
			fprintf(f, "<td>%lld</td>", jint(t, state_keys[m]));
		rate_cells(f, "<td>%s</td>", t, pt, in->prev != NULL, scope,
		    lang);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* Grouped horizontal bars: one group per ISP, one bar per metric. */
static void
html_chart(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	const json_t *isps = json_object_get(in->stats, "isps"), *isp;
	const int label_w = 260, bar_w = 400, bar_h = 9, group_h =
	    NMETRICS * bar_h + 12, top = 40;
	size_t i, m, n = json_array_size(isps);
	int h = top + (int)n * group_h + 10, y;
	double r;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" role=\"img\" aria-label=\"%s\" "
	    "font-family=\"sans-serif\" font-size=\"11\">\n",
	    label_w + bar_w + 60, h, labels[lang][L_CHART]);
	for (m = 0; m < NMETRICS; m++) {
		fprintf(f, "<rect x=\"%zu\" y=\"8\" width=\"10\" height=\"10\" "
		    "fill=\"%s\"/><text x=\"%zu\" y=\"17\">%s</text>\n",
		    10 + m * 140, metrics[m].color, 24 + m * 140,
		    metrics[m].label[lang]);
	}
	for (i = 0; i < 5; i++)
		fprintf(f, "<line x1=\"%zu\" y1=\"%d\" x2=\"%zu\" y2=\"%d\" "
		    "stroke=\"#ccc\"/><text x=\"%zu\" y=\"%d\">%zu%%</text>\n",
		    label_w + i * bar_w / 4, top - 6, label_w + i * bar_w / 4,
		    h - 10, label_w + i * bar_w / 4 + 2, top - 8, i * 25);
	json_array_foreach(isps, i, isp) {
		y = top + (int)i * group_h;
		fprintf(f, "<text x=\"4\" y=\"%d\">", y + group_h / 2);
		hy_html_escape(f, jstr(isp, lang == HY_LANG_JA ? "name_ja" :
		    "name"));
		fputs("</text>\n", f);
		for (m = 0; m < NMETRICS; m++) {
			r = metric_rate(&metrics[m], isp);
			if (isnan(r))
				continue;
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" "
			    "height=\"%d\" fill=\"%s\"><title>%s %.1f%%"
			    "</title></rect>\n", label_w, y + (int)m * bar_h,
			    r * bar_w / 100.0, bar_h - 1, metrics[m].color,
			    metrics[m].label[lang], r);
		}
	}
	fputs("</svg>\n", f);
}

static void
html_domains(FILE *f, const json_t *doms, enum hy_report_lang lang)
{
	static const char *const secs[] = { "dnssec", "spf", "dmarc",
	    "mta_sts", "tls_rpt" };
	const json_t *d;
	const char *rec;
	char *errs;
	size_t i, s;

	fprintf(f, "<table>\n<caption>%s</caption>\n<tr><th>%s</th><th>%s"
	    "</th><th>%s</th><th>DNSSEC</th><th>SPF</th><th>DMARC</th>"
	    "<th>MTA-STS</th><th>TLS-RPT</th><th>SPF %s</th><th>DMARC %s</th>"
	    "<th>%s</th></tr>\n", labels[lang][L_DOMAIN_TABLE],
	    labels[lang][L_DOMAIN], labels[lang][L_ISP], labels[lang][L_STATE],
	    labels[lang][L_RECORD], labels[lang][L_RECORD],
	    labels[lang][L_ERRORS]);
	json_array_foreach(doms, i, d) {
		fputs("<tr><td class=\"t\">", f);
		hy_html_escape(f, jstr(d, "domain"));
		if (json_is_string(json_object_get(d, "domain_unicode"))) {
			fputs(" (", f);
			hy_html_escape(f, jstr(d, "domain_unicode"));
			fputs(")", f);
		}
		fputs("</td><td class=\"t\">", f);
		hy_html_escape(f, jstr(json_object_get(d, "attribution"),
		    "own"));
		fputs("</td><td class=\"t\">", f);
		hy_html_escape(f, dom_state(d));
		fputs("</td>", f);
		for (s = 0; s < sizeof(secs) / sizeof(secs[0]); s++) {
			fputs("<td class=\"t\">", f);
			hy_html_escape(f, dom_status(d, secs[s]));
			fputs("</td>", f);
		}
		fputs("<td class=\"t\"><code>", f);
		if ((rec = dom_record(d, "spf")) != NULL)
			hy_html_escape(f, rec);
		fputs("</code></td><td class=\"t\"><code>", f);
		if ((rec = dom_record(d, "dmarc")) != NULL)
			hy_html_escape(f, rec);
		fputs("</code></td><td class=\"t\">", f);
		if ((errs = dom_errors(d)) != NULL)
			hy_html_escape(f, errs);
		free(errs);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void
html_notes(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	fprintf(f, "<h2>%s</h2>\n<ul><li>%s</li><li>%s</li>",
	    labels[lang][L_NOTES], labels[lang][L_NOTE_RATES],
	    labels[lang][L_NOTE_HOSTED]);
	if (in->prev != NULL)
		fprintf(f, "<li>%s</li>", labels[lang][L_NOTE_DELTA]);
	fputs("</ul>\n", f);
}

static int
report_html(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	const json_t *tot = json_object_get(in->stats, "totals");
	char rb[32];
	size_t m;

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<title>%s ", lang == HY_LANG_JA ? "ja" : "en",
	    labels[lang][L_TITLE]);
	hy_html_escape(f, jstr(in->stats, "month"));
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>%s ",
	    html_style, labels[lang][L_TITLE]);
	hy_html_escape(f, jstr(in->stats, "month"));
	fputs("</h1>\n", f);
	if (in->prev != NULL) {
		fprintf(f, "<p>%s: ", labels[lang][L_COMPARE]);
		hy_html_escape(f, jstr(in->prev, "month"));
		fputs("</p>\n", f);
	}
	fprintf(f, "<p>%s: %lld", labels[lang][L_TOTALS],
	    jint(tot, "domains"));
	for (m = 0; m < NSTATES; m++)
		fprintf(f, ", %s: %lld", labels[lang][state_labels[m]],
		    jint(tot, state_keys[m]));
	fprintf(f, ", %s: %lld", labels[lang][L_REMEASURED],
	    jint(json_object_get(in->stats, "remeasured"), "domains"));
	for (m = 0; m + 1 < NMETRICS; m++) {
		fmt_rate(rb, sizeof(rb), metric_rate(&metrics[m], tot), lang);
		fprintf(f, ", %s: %s", metrics[m].label[lang], rb);
	}
	fputs("</p>\n", f);
	html_chart(f, in, lang);
	html_rates_table(f, in, NULL, labels[lang][L_OWN], lang);
	html_rates_table(f, in, "hosted", labels[lang][L_HOSTED], lang);
	if (hy_report_rov_html(f, in->stats, lang) != 0)
		return -1;
	if (in->domains != NULL)
		html_domains(f, in->domains, lang);
	html_notes(f, in, lang);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

/* ---- Markdown ---- */

static void
md_rates_table(FILE *f, const struct hy_report_in *in, const char *scope,
    const char *caption, enum hy_report_lang lang)
{
	const json_t *isp, *t, *pt;
	size_t i, m, ncols = 2;

	fprintf(f, "\n### %s\n\n| %s | %s |", caption, labels[lang][L_ISP],
	    labels[lang][L_DOMAINS]);
	for (m = 0; m < NSTATES; m++, ncols++)
		fprintf(f, " %s |", labels[lang][state_labels[m]]);
	for (m = 0; m < NMETRICS; m++) {
		if (scope != NULL && strcmp(metrics[m].section, "rpki") == 0)
			continue;
		fprintf(f, " %s |", metrics[m].label[lang]);
		ncols++;
		if (in->prev != NULL) {
			fputs(" ± |", f);
			ncols++;
		}
	}
	fputs("\n|", f);
	for (i = 0; i < ncols; i++)
		fputs(i == 0 ? "---|" : "---:|", f);
	fputc('\n', f);
	json_array_foreach(json_object_get(in->stats, "isps"), i, isp) {
		t = scope_of(isp, scope);
		pt = in->prev ? prev_isp(in->prev, jstr(isp, "id")) : NULL;
		pt = pt ? scope_of(pt, scope) : NULL;
		fputs("| ", f);
		md_escape(f, jstr(isp, lang == HY_LANG_JA ? "name_ja" : "name"));
		fprintf(f, " | %lld |", jint(t, "domains"));
		for (m = 0; m < NSTATES; m++)
			fprintf(f, " %lld |", jint(t, state_keys[m]));
		rate_cells(f, " %s |", t, pt, in->prev != NULL, scope, lang);
		fputc('\n', f);
	}
}

static int
report_md(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	const json_t *d;
	const char *rec;
	size_t i;

	/* Months are YYYY-MM (checked when loaded): no escaping needed. */
	fprintf(f, "# %s %s\n", labels[lang][L_TITLE],
	    jstr(in->stats, "month"));
	if (in->prev != NULL)
		fprintf(f, "\n%s: %s\n", labels[lang][L_COMPARE],
		    jstr(in->prev, "month"));
	md_rates_table(f, in, NULL, labels[lang][L_OWN], lang);
	md_rates_table(f, in, "hosted", labels[lang][L_HOSTED], lang);
	if (hy_report_rov_md(f, in->stats, lang) != 0)
		return -1;
	if (in->domains != NULL) {
		fprintf(f, "\n### %s\n\n| %s | %s | %s | DNSSEC | SPF | "
		    "DMARC | MTA-STS | DMARC %s |\n"
		    "|---|---|---|---|---|---|---|---|\n",
		    labels[lang][L_DOMAIN_TABLE], labels[lang][L_DOMAIN],
		    labels[lang][L_ISP], labels[lang][L_STATE],
		    labels[lang][L_RECORD]);
		json_array_foreach(in->domains, i, d) {
			fputs("| ", f);
			md_escape(f, jstr(d, "domain"));
			fputs(" | ", f);
			md_escape(f, jstr(json_object_get(d, "attribution"),
			    "own"));
			fputs(" | ", f);
			md_escape(f, dom_state(d));
			fputs(" | ", f);
			md_escape(f, dom_status(d, "dnssec"));
			fputs(" | ", f);
			md_escape(f, dom_status(d, "spf"));
			fputs(" | ", f);
			md_escape(f, dom_status(d, "dmarc"));
			fputs(" | ", f);
			md_escape(f, dom_status(d, "mta_sts"));
			fputs(" | ", f);
			if ((rec = dom_record(d, "dmarc")) != NULL)
				md_escape(f, rec);
			fputs(" |\n", f);
		}
	}
	fprintf(f, "\n%s: %lld\n", labels[lang][L_REMEASURED],
	    jint(json_object_get(in->stats, "remeasured"), "domains"));
	fprintf(f, "\n### %s\n\n- %s\n- %s\n", labels[lang][L_NOTES],
	    labels[lang][L_NOTE_RATES], labels[lang][L_NOTE_HOSTED]);
	if (in->prev != NULL)
		fprintf(f, "- %s\n", labels[lang][L_NOTE_DELTA]);
	return ferror(f) ? -1 : 0;
}

/* ---- CSV ---- */

static int
csv_tally(FILE *f, const json_t *isp, const json_t *t, const json_t *pt,
    const char *scope, const struct hy_report_in *in)
{
	static const char *const secs[] = { "dnssec", "spf", "dmarc",
	    "mta_sts" };
	const char *const *keys;
	size_t s, k, m;
	double r;

	if (csv_put(f, jstr(in->stats, "month"), false) ||
	    csv_put(f, in->prev ? jstr(in->prev, "month") : "", false) ||
	    csv_put(f, isp ? jstr(isp, "id") : "", false) ||
	    csv_put(f, isp ? jstr(isp, "name") : "", false) ||
	    csv_put(f, isp ? jstr(isp, "name_ja") : "", false) ||
	    csv_put(f, scope, false))
		return -1;
	fprintf(f, "%lld", jint(t, "domains"));
	for (k = 0; k < NSTATES; k++)
		fprintf(f, ",%lld", jint(t, state_keys[k]));
	for (s = 0; s < 4; s++) {
		keys = hy_stats_keys(secs[s]);
		for (k = 0; keys[k] != NULL; k++)
			fprintf(f, ",%lld", jint(json_object_get(t, secs[s]),
			    keys[k]));
	}
	for (m = 0; m < NMETRICS; m++) {
		r = metric_rate(&metrics[m], t);
		isnan(r) ? fputs(",", f) : fprintf(f, ",%.2f", r);
		r = pt ? metric_rate(&metrics[m], pt) : NAN;
		r = metric_rate(&metrics[m], t) - r;
		isnan(r) ? fputs(",", f) : fprintf(f, ",%.2f", r);
	}
	fputc('\n', f);
	return 0;
}

static int
report_csv(FILE *f, const struct hy_report_in *in)
{
	static const char *const secs[] = { "dnssec", "spf", "dmarc",
	    "mta_sts" };
	const char *const *keys;
	const json_t *isp, *pt, *d;
	const char *rec;
	char *errs;
	size_t i, s, k, m;

	fputs("\xef\xbb\xbf", f);	/* BOM: Excel then reads UTF-8 */
	fputs("month,compare_month,isp_id,name,name_ja,scope,domains", f);
	for (k = 0; k < NSTATES; k++)
		fprintf(f, ",%s", state_keys[k]);
	for (s = 0; s < 4; s++) {
		keys = hy_stats_keys(secs[s]);
		for (k = 0; keys[k] != NULL; k++)
			fprintf(f, ",%s_%s", secs[s], keys[k]);
	}
	for (m = 0; m < NMETRICS; m++)
		fprintf(f, ",%s_pct,%s_delta_pts", metrics[m].id, metrics[m].id);
	fputc('\n', f);
	json_array_foreach(json_object_get(in->stats, "isps"), i, isp) {
		pt = in->prev ? prev_isp(in->prev, jstr(isp, "id")) : NULL;
		if (csv_tally(f, isp, isp, pt, "own", in) != 0 ||
		    csv_tally(f, isp, json_object_get(isp, "hosted"),
		    pt ? json_object_get(pt, "hosted") : NULL, "hosted", in))
			return -1;
	}
	if (csv_tally(f, NULL, json_object_get(in->stats, "totals"),
	    in->prev ? json_object_get(in->prev, "totals") : NULL, "all",
	    in) != 0 || hy_report_rov_csv(f, in->stats) != 0)
		return -1;
	if (in->domains != NULL) {
		fputs("\ndomain,domain_unicode,isp_id,measurement,dnssec,spf,"
		    "dmarc,mta_sts,tls_rpt,spf_record,dmarc_record,errors\n", f);
		json_array_foreach(in->domains, i, d) {
			errs = dom_errors(d);
			if (csv_put(f, jstr(d, "domain"), false) ||
			    csv_put(f, jstr(d, "domain_unicode"), false) ||
			    csv_put(f, jstr(json_object_get(d, "attribution"),
			    "own"), false) ||
			    csv_put(f, dom_state(d), false) ||
			    csv_put(f, dom_status(d, "dnssec"), false) ||
			    csv_put(f, dom_status(d, "spf"), false) ||
			    csv_put(f, dom_status(d, "dmarc"), false) ||
			    csv_put(f, dom_status(d, "mta_sts"), false) ||
			    csv_put(f, dom_status(d, "tls_rpt"), false) ||
			    csv_put(f, (rec = dom_record(d, "spf")) ? rec : "",
			    false) ||
			    csv_put(f, (rec = dom_record(d, "dmarc")) ? rec :
			    "", false) ||
			    csv_put(f, errs ? errs : "", true)) {
				free(errs);
				return -1;
			}
			free(errs);
		}
	}
	return ferror(f) ? -1 : 0;
}

/* ---- JSON ---- */

static json_t *
json_rates(const json_t *t, const json_t *pt)
{
	json_t *o = json_object(), *r = json_object(), *d = json_object();
	size_t m;
	double cur, old;

	if (o == NULL || r == NULL || d == NULL)
		goto fail;
	json_object_set_new(o, "domains", json_integer(jint(t, "domains")));
	for (m = 0; m < NSTATES; m++)
		json_object_set_new(o, state_keys[m],
		    json_integer(jint(t, state_keys[m])));
	json_object_set_new(o, "rates_pct", r);
	json_object_set_new(o, "delta_pts", d);
	r = d = NULL;
	for (m = 0; m < NMETRICS; m++) {
		cur = metric_rate(&metrics[m], t);
		old = pt ? metric_rate(&metrics[m], pt) : NAN;
		json_object_set_new(json_object_get(o, "rates_pct"),
		    metrics[m].id, isnan(cur) ? json_null() : json_real(
		    round(cur * 100) / 100));
		json_object_set_new(json_object_get(o, "delta_pts"),
		    metrics[m].id, isnan(cur - old) ? json_null() :
		    json_real(round((cur - old) * 100) / 100));
	}
	return o;
fail:
	json_decref(o);
	json_decref(r);
	json_decref(d);
	return NULL;
}

static int
report_json(FILE *f, const struct hy_report_in *in)
{
	const json_t *isp, *pt;
	json_t *o, *arr;
	size_t i;
	int rc;

	o = json_pack("{s:s, s:O, s:o?, s:O?, s:[], s:o*, s:O, s:O?}",
	    "schema_version", HY_STATS_SCHEMA_VERSION,
	    "month", json_object_get(in->stats, "month"),
	    "compare", in->prev ? json_copy(json_object_get(in->prev,
	    "month")) : NULL,
	    "remeasured", json_object_get(in->stats, "remeasured"),
	    "isps", "totals", json_rates(json_object_get(in->stats, "totals"),
	    in->prev ? json_object_get(in->prev, "totals") : NULL),
	    "stats", in->stats, "compare_stats", in->prev);
	if (o == NULL)
		return -1;
	arr = json_object_get(o, "isps");
	json_array_foreach(json_object_get(in->stats, "isps"), i, isp) {
		pt = in->prev ? prev_isp(in->prev, jstr(isp, "id")) : NULL;
		if (json_array_append_new(arr, json_pack("{s:O, s:O, s:O, "
		    "s:o*, s:o*}", "id", json_object_get(isp, "id"), "name",
		    json_object_get(isp, "name"), "name_ja",
		    json_object_get(isp, "name_ja"), "own", json_rates(isp, pt),
		    "hosted", json_rates(json_object_get(isp, "hosted"),
		    pt ? json_object_get(pt, "hosted") : NULL))) != 0) {
			json_decref(o);
			return -1;
		}
	}
	rc = json_dumpf(o, f, JSON_INDENT(2));
	json_decref(o);
	if (rc != 0 || fputc('\n', f) == EOF)
		return -1;
	return 0;
}

int
hy_report_write(FILE *f, const struct hy_report_in *in,
    enum hy_report_format fmt, enum hy_report_lang lang)
{
	switch (fmt) {
	case HY_REPORT_HTML:
		return report_html(f, in, lang);
	case HY_REPORT_MD:
		return report_md(f, in, lang);
	case HY_REPORT_CSV:
		return report_csv(f, in);
	case HY_REPORT_JSON:
		return report_json(f, in);
	}
	return -1;
}

int
hy_report_format_parse(const char *s)
{
	if (strcmp(s, "html") == 0)
		return HY_REPORT_HTML;
	if (strcmp(s, "md") == 0)
		return HY_REPORT_MD;
	if (strcmp(s, "csv") == 0)
		return HY_REPORT_CSV;
	if (strcmp(s, "json") == 0)
		return HY_REPORT_JSON;
	return -1;
}

int
hy_report_lang_parse(const char *s)
{
	if (strcmp(s, "en") == 0)
		return HY_LANG_EN;
	if (strcmp(s, "ja") == 0)
		return HY_LANG_JA;
	return -1;
}

/* ---- loading from the store ---- */

static int
load_own(void *arg, const char *json, unsigned attempts)
{
	json_t *arr = arg, *obj;

	(void)attempts;
	if ((obj = json_loads(json, 0, NULL)) == NULL)
		return -1;
	if (!json_is_string(json_object_get(json_object_get(obj,
	    "attribution"), "own"))) {
		json_decref(obj);
		return 0;
	}
	return json_array_append_new(arr, obj);
}

static int
load_stats(struct hy_store *st, const char *month, json_t **out, char *err,
    size_t errlen)
{
	json_error_t je;
	char *text = NULL;

	if (hy_store_stats_get(st, month, &text) != 0) {
		snprintf(err, errlen, "%s", hy_store_error(st));
		return -1;
	}
	if (text == NULL) {
		snprintf(err, errlen, "the history has no finished survey for "
		    "%s", month);
		return -1;
	}
	*out = json_loads(text, 0, &je);
	free(text);
	if (*out == NULL) {
		snprintf(err, errlen, "statistics of %s are damaged: %s",
		    month, je.text);
		return -1;
	}
	if (!hy_month_valid(json_string_value(json_object_get(*out,
	    "month")))) {
		snprintf(err, errlen, "statistics of %s have no valid month",
		    month);
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int
hy_report_load(struct hy_store *st, const char *month, const char *compare,
    json_t **stats, json_t **prev, json_t **domains, char *err,
    size_t errlen)
{
	*stats = NULL;
	if (prev != NULL)
		*prev = NULL;
	if (domains != NULL)
		*domains = NULL;
	if (load_stats(st, month, stats, err, errlen) != 0)
		return -1;
	if (compare != NULL && prev != NULL &&
	    load_stats(st, compare, prev, err, errlen) != 0)
		goto fail;
	if (domains == NULL)
		return 0;
	if ((*domains = json_array()) == NULL ||
	    hy_store_results_foreach(st, month, load_own, *domains) != 0) {
		snprintf(err, errlen, "reading results of %s: %s", month,
		    hy_store_error(st));
		goto fail;
	}
	return 0;
fail:
	json_decref(*stats);
	*stats = NULL;
	if (prev != NULL) {
		json_decref(*prev);
		*prev = NULL;
	}
	if (domains != NULL) {
		json_decref(*domains);
		*domains = NULL;
	}
	return -1;
}
