/*
 * Reports over stats.json (see report.h): HTML, Markdown and JSON here;
 * CSV in report_csv.c, Excel in report_xlsx.c, the per-ISP remediation
 * sheets in report_sheet.c, charts in report_chart.c. All figures are
 * derived from the stats objects, so a report can be rebuilt from the
 * history at any time; strings are escaped at the last moment, per
 * output format.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "hygiene/report.h"
#include "hygiene/stats.h"
#include "hygiene/survey.h"
#include "report_int.h"

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

/* A character of an ASCII word: letters, digits, - and _. */
static bool
word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Where an SPF qualifier (~all, +all, ?all) may start: at the
 * beginning, after a space or an opening bracket (ASCII or fullwidth). */
static bool
token_start(const unsigned char *s, const unsigned char *p)
{
	if (p == s || p[-1] == ' ' || p[-1] == '(')
		return true;
	/* U+FF08 （ = EF BC 88, U+FF0F ／ = EF BC 8F */
	return p - s >= 3 && p[-3] == 0xef && p[-2] == 0xbc &&
	    (p[-1] == 0x88 || p[-1] == 0x8f);
}

/* The end of the word at p that must not be broken (with a hyphen:
 * "dmarc-invalid", "MTA-STS", "-all", "2026-12"; or an SPF qualifier
 * "~all"), or NULL. */
static const unsigned char *
keep_whole(const unsigned char *s, const unsigned char *p)
{
	const unsigned char *q = p, *r;

	if (p > s && word_char(p[-1]))
		return NULL;		/* not a word's start */
	if (strchr("~+?", *q) != NULL && token_start(s, q) &&
	    word_char(q[1]))
		q++;
	for (r = q; word_char(*r); r++)
		;
	if (r - p > 1 && (q != p || memchr(p, '-', (size_t)(r - p)) != NULL))
		return r;
	return NULL;
}

/*
 * wrap: text (never an attribute) that may carry markup. Browsers break
 * lines after a hyphen and anywhere in a long run; here a word with a
 * hyphen or an SPF qualifier is kept whole (a nowrap span), and a break
 * opportunity (<wbr>) follows a separator (. ; , @) that has more of
 * the same run after it, never inside an IP address.
 */
static int
html_escape(FILE *f, const char *s, bool wrap)
{
	const unsigned char *p, *b = (const unsigned char *)s, *end = NULL;
	int rc = 0;

	for (p = b; *p && rc >= 0; p++) {
		if (wrap && end == NULL && (end = keep_whole(b, p)) != NULL)
			rc = fputs("<span class=\"nw\">", f);
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
		if (end != NULL && p + 1 >= end) {
			if (rc >= 0)
				rc = fputs("</span>", f);
			end = NULL;
		}
		if (wrap && end == NULL && rc >= 0 && p[1] != '\0' &&
		    p[1] != ' ' && strchr(".;,@", *p) != NULL &&
		    strchr(".;,@", p[1]) == NULL &&
		    !(*p == '.' && p[1] >= '0' && p[1] <= '9'))
			rc = fputs("<wbr>", f);
	}
	return rc < 0 ? -1 : 0;
}

int
hy_html_escape(FILE *f, const char *s)
{
	return html_escape(f, s, false);
}

int
hy_html_escape_wrap(FILE *f, const char *s)
{
	return html_escape(f, s, true);
}

/* Markdown: HTML-escape, then backslash every punctuation character that
 * could start markup; line breaks become spaces so a table stays one row. */
int
hy_report_md_escape(FILE *f, const char *s)
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

/* ---- the HTML document ---- */

#define FONTS_JA "\"Yu Gothic Medium\",\"Yu Gothic\",YuGothic," \
	"\"Hiragino Sans\",\"Hiragino Kaku Gothic ProN\",Meiryo," \
	"\"Noto Sans CJK JP\",\"Noto Sans JP\",sans-serif"
#define FONTS_EN "\"Segoe UI\",\"Helvetica Neue\",Arial,\"Noto Sans\"," \
	"\"Yu Gothic Medium\",\"Yu Gothic\",\"Hiragino Sans\",Meiryo," \
	"\"Noto Sans CJK JP\",sans-serif"

/* Line breaks only where they belong: verdicts never break, names and
 * records at their separators (<wbr>), a run without any only as the
 * last resort (overflow-wrap), never mid-word elsewhere. */
static const char html_style[] =
	"body{margin:2em auto;max-width:62em;padding:0 1.5em;color:#1f1f1f;"
	"line-height:1.55;font-size:10.5pt}"
	"h1{font-size:1.55em;margin:.2em 0 .1em;line-height:1.35}"
	"p.sub{margin:0 0 1.2em;color:#444}"
	"h2{font-size:1.2em;border-bottom:2px solid #1f4e79;"
	"padding-bottom:.15em;margin:1.8em 0 .6em}"
	"h3{font-size:1.02em;margin:1.2em 0 .3em}"
	"table{border-collapse:collapse;margin:.5em 0 1.2em;font-size:.88em}"
	"th,td{border:1px solid #b5b5b5;padding:.18em .45em;"
	"vertical-align:top}"
	"th{background:#eef1f5;font-weight:600;text-align:center}"
	"td{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}"
	"td.t{text-align:left;white-space:normal;overflow-wrap:break-word}"
	"td.v{text-align:left}"
	"code{font-family:Consolas,\"BIZ UDGothic\",\"Noto Sans Mono CJK JP\","
	"monospace;font-size:.92em}"
	"caption{text-align:left;font-weight:600;padding:.3em 0}"
	"figure{margin:.8em 0 1.4em}"
	"figcaption{font-size:.85em;color:#444}"
	"svg{max-width:100%;height:auto}"
	".mark{color:#b2182b;font-weight:600}"
	"ul.notes li{margin:.25em 0}.nw{white-space:nowrap}"
	"table.rates{font-size:.8em}table.rates td,table.rates th{"
	"padding:.15em .3em}"
	"td.t{min-width:5em}tr.rec td{font-size:.92em;color:#333;"
	"border-top:none}tr.rec td span.k{color:#666;margin-right:.3em}"
	"dl.prov{display:grid;grid-template-columns:max-content 1fr;"
	"gap:.15em 1.2em;font-size:.9em}"
	"dl.prov dt{font-weight:600}dl.prov dd{margin:0;overflow-wrap:anywhere}"
	"@page{size:A4;margin:14mm 12mm 16mm}"
	"@media print{body{margin:0;max-width:none;padding:0;font-size:9pt}"
	"h2,h3,caption{break-after:avoid}figure,table.kv{break-inside:avoid}"
	"tr{break-inside:avoid}thead{display:table-header-group}"
	"table{font-size:.85em}}";

void
hy_report_html_head(FILE *f, const char *title, enum hy_report_lang lang)
{
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
	    "<title>", lang == HY_LANG_JA ? "ja" : "en");
	hy_html_escape(f, title);
	fprintf(f, "</title>\n<style>body{font-family:%s}%s</style>\n"
	    "</head>\n<body>\n", lang == HY_LANG_JA ? FONTS_JA : FONTS_EN,
	    html_style);
}

static const char *
title_of(enum hy_report_lang lang)
{
	return tr(lang, "DNSSEC, mail sender authentication and RPKI at "
	    "Japanese ISPs", "国内ISPにおけるDNSSEC・送信ドメイン認証・RPKIの"
	    "導入状況");
}

/* The compared month's tally of the same ISP and scope, or NULL. */
static const json_t *
prev_tally(const struct hy_report_in *in, const json_t *isp,
    const char *scope)
{
	const json_t *p;

	if (in->prev == NULL ||
	    (p = hy_report_isp(in->prev, hy_jstr(isp, "id"))) == NULL)
		return NULL;
	return scope ? json_object_get(p, scope) : p;
}

/* The rate of t and its change against pt, with † when either rests
 * on fewer than HY_REPORT_SMALL_N; rb/db get the texts. */
static void
rate_delta(const struct hy_tech *t, const json_t *tally, const json_t *pt,
    char *rb, size_t rlen, char *db, size_t dlen, bool *small,
    enum hy_report_lang lang)
{
	long long n, pn = 0;
	double cur = hy_tech_rate(t, tally, &n), old = NAN;

	if (pt != NULL)
		old = hy_tech_rate(t, pt, &pn);
	hy_report_fmt_rate(rb, rlen, cur, lang);
	hy_report_fmt_delta(db, dlen, cur, old);
	*small = !isnan(cur) && !isnan(old) &&
	    (n < HY_REPORT_SMALL_N || pn < HY_REPORT_SMALL_N);
}

static bool
tech_in_scope(const struct hy_tech *t, const char *scope)
{
	return !(scope != NULL && t->routes);
}

/* Two header rows: the groups (states, technologies), then their
 * columns, so a table of 16 columns still fits A4. */
static void
html_rates_head(FILE *f, const struct hy_report_in *in, const char *scope,
    enum hy_report_lang lang)
{
	size_t m;
	int span = in->prev != NULL ? 2 : 1;

	fprintf(f, "<thead><tr><th rowspan=\"2\">%s</th><th rowspan=\"2\">"
	    "%s</th><th colspan=\"%d\">%s</th>", tr(lang, "ISP", "事業者"),
	    tr(lang, "Domains", "ドメイン数"), HY_NSTATES, tr(lang,
	    "Measurement", "測定状態"));
	for (m = 0; m < HY_NTECHS; m++)
		if (tech_in_scope(&hy_techs[m], scope))
			fprintf(f, "<th colspan=\"%d\">%s</th>", span,
			    hy_techs[m].name);
	fputs("</tr>\n<tr>", f);
	for (m = 0; m < HY_NSTATES; m++)
		fprintf(f, "<th>%s</th>", hy_state_label(m, lang));
	for (m = 0; m < HY_NTECHS; m++) {
		if (!tech_in_scope(&hy_techs[m], scope))
			continue;
		fprintf(f, "<th>%s</th>", tr(lang, "Rate", "導入率"));
		if (in->prev != NULL)
			fprintf(f, "<th>%s</th>", tr(lang, "Change (pt)",
			    "増減（pt）"));
	}
	fputs("</tr></thead>\n", f);
}

static void
html_rates_table(FILE *f, const struct hy_report_in *in, const char *scope,
    const char *caption, enum hy_report_lang lang)
{
	const json_t *isp, *t, *pt;
	char rb[32], db[32];
	size_t i, m;
	bool small;

	fputs("<table class=\"rates\">\n<caption>", f);
	hy_html_escape(f, caption);
	fputs("</caption>\n", f);
	html_rates_head(f, in, scope, lang);
	fputs("<tbody>\n", f);
	json_array_foreach(json_object_get(in->stats, "isps"), i, isp) {
		t = scope ? json_object_get(isp, scope) : isp;
		pt = prev_tally(in, isp, scope);
		fputs("<tr><td class=\"t\">", f);
		hy_html_escape(f, hy_report_isp_name(isp, lang));
		fprintf(f, "</td><td>%lld</td>", hy_jint(t, "domains"));
		for (m = 0; m < HY_NSTATES; m++)
			fprintf(f, "<td>%lld</td>", hy_jint(t,
			    hy_state_keys[m]));
		for (m = 0; m < HY_NTECHS; m++) {
			if (!tech_in_scope(&hy_techs[m], scope))
				continue;
			rate_delta(&hy_techs[m], t, pt, rb, sizeof(rb), db,
			    sizeof(db), &small, lang);
			fprintf(f, "<td>%s</td>", rb);
			if (in->prev != NULL)
				fprintf(f, "<td>%s%s</td>", db, small ?
				    "<span class=\"mark\">†</span>" : "");
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

/* What each rate column measures. */
static void
html_rate_legend(FILE *f, enum hy_report_lang lang)
{
	size_t m;

	fprintf(f, "<p class=\"small\">%s", tr(lang, "Rates: ", "導入率の定義："));
	for (m = 0; m < HY_NTECHS; m++) {
		fprintf(f, "%s%s %s ", m ? tr(lang, "; ", "、") : "",
		    hy_techs[m].name, tr(lang, "=", "＝"));
		hy_html_escape(f, hy_techs[m].metric[lang]);
	}
	fputs(tr(lang, ".</p>\n", "。</p>\n"), f);
}

/* The counts behind a distribution chart, so print keeps every number. */
static void
html_dist_table(FILE *f, const struct hy_report_in *in,
    const struct hy_tech *t, const json_t *all, const char *all_name,
    enum hy_report_lang lang)
{
	const json_t *isp, *tally;
	long long n;
	size_t i, c;

	fprintf(f, "<table class=\"dist\">\n<thead><tr><th>%s</th><th>n</th>",
	    tr(lang, "ISP", "事業者"));
	for (c = 0; c < t->ncats; c++) {
		fputs("<th>", f);
		hy_html_escape(f, t->cats[c].label[lang]);
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (i = 0; i <= json_array_size(json_object_get(in->stats, "isps"));
	    i++) {
		isp = i == 0 ? NULL : json_array_get(json_object_get(in->stats,
		    "isps"), i - 1);
		tally = isp == NULL ? all : (t->routes && !json_is_object(
		    json_object_get(isp, "rpki"))) ? NULL : isp;
		fputs("<tr><td class=\"t\">", f);
		hy_html_escape(f, isp ? hy_report_isp_name(isp, lang) :
		    all_name);
		for (n = 0, c = 0; tally != NULL && c < t->ncats; c++)
			n += hy_cat_count(t, &t->cats[c], tally);
		fprintf(f, "</td><td>%lld</td>", n);
		for (c = 0; c < t->ncats; c++) {
			if (tally == NULL || n == 0)
				fprintf(f, "<td>%s</td>", tr(lang, "n/a",
				    "該当なし"));
			else
				fprintf(f, "<td>%lld</td>", hy_cat_count(t,
				    &t->cats[c], tally));
		}
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

static int
html_charts(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	const struct hy_tech *t;
	json_t *own, *all;
	size_t m;
	int rc = 0;

	fprintf(f, "<h2 id=\"charts\">%s</h2>\n<p>%s</p>\n", tr(lang,
	    "Deployment by technology", "技術別の導入状況"), tr(lang,
	    "Each bar is one ISP's own domains (for RPKI, the routes it "
	    "announces), split over every result, those that could not be "
	    "measured included; the table under each chart gives the counts.",
	    "各帯は事業者ごとの自社ドメイン（RPKIは広報経路）の内訳で、測定でき"
	    "なかったものも含みます。各グラフの下の表に件数を示します。"));
	if ((own = hy_report_own_total(in->stats)) == NULL ||
	    (all = hy_report_all_total(in->stats)) == NULL) {
		json_decref(own);
		return -1;
	}
	for (m = 0; m < HY_NTECHS && rc == 0; m++) {
		t = &hy_techs[m];
		fprintf(f, "<figure id=\"chart-%s\">\n", t->id);
		rc = hy_report_chart_dist(f, in, t, lang);
		fputs("</figure>\n", f);
		html_dist_table(f, in, t, t->routes ? all : own, t->routes ?
		    tr(lang, "All ISPs' routes", "全事業者の経路") : tr(lang,
		    "All ISPs' own domains", "全事業者の自社ドメイン"), lang);
	}
	json_decref(own);
	json_decref(all);
	return rc;
}

static int
html_trends(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	size_t m, n = in->history ? json_array_size(in->history) :
	    (in->prev ? 2 : 1);
	int rc = 0;

	fprintf(f, "<h2 id=\"trend\">%s</h2>\n<p>", tr(lang,
	    "Trend over the months", "推移"));
	if (n < 2)
		fputs(tr(lang, "The history holds one survey so far: the "
		    "charts show one point each.", "履歴にはまだ1回分の調査しか"
		    "ないため、各グラフの点は一つです。"), f);
	else
		fputs(tr(lang, "Adoption rates of every survey in the history "
		    "(up to 24 months). A month without a survey leaves a gap; "
		    "a hollow point rests on fewer than 30 domains (routes).",
		    "履歴にある各月の調査の導入率（最大24か月）。調査のない月は"
		    "線を切っています。白抜きの点は分母が30未満の値です。"), f);
	fputs("</p>\n", f);
	for (m = 0; m < HY_NTECHS && rc == 0; m++) {
		fprintf(f, "<figure id=\"trend-%s\">\n", hy_techs[m].id);
		rc = hy_report_chart_trend(f, in, &hy_techs[m], lang);
		fputs("</figure>\n", f);
	}
	return rc;
}

/* The headline rates of everything surveyed and of the ISPs' own
 * domains, with their n and change. */
static int
html_summary(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	const json_t *tot = json_object_get(in->stats, "totals");
	json_t *cur[2], *old[2] = { NULL, NULL };
	char rb[32], db[32];
	long long n;
	size_t m, s;
	bool small;

	fprintf(f, "<h2 id=\"summary\">%s</h2>\n<table class=\"kv\">\n"
	    "<tbody>\n<tr><th>%s</th><td>%lld</td></tr>\n", tr(lang, "Summary",
	    "調査の概要"), tr(lang, "Domains surveyed", "調査ドメイン数"),
	    hy_jint(tot, "domains"));
	for (m = 0; m < HY_NSTATES; m++)
		fprintf(f, "<tr><th>%s</th><td>%lld</td></tr>\n",
		    hy_state_label(m, lang), hy_jint(tot, hy_state_keys[m]));
	fprintf(f, "<tr><th>%s</th><td>%lld</td></tr>\n</tbody>\n</table>\n",
	    tr(lang, "Measured again after an incomplete result",
	    "測定できなかったため再測定"), hy_jint(json_object_get(in->stats,
	    "remeasured"), "domains"));
	cur[0] = hy_report_all_total(in->stats);
	cur[1] = hy_report_own_total(in->stats);
	if (in->prev != NULL) {
		old[0] = hy_report_all_total(in->prev);
		old[1] = hy_report_own_total(in->prev);
	}
	if (cur[0] == NULL || cur[1] == NULL || (in->prev != NULL &&
	    (old[0] == NULL || old[1] == NULL)))
		goto fail;
	fprintf(f, "<table class=\"headline\">\n<thead><tr><th>%s</th>",
	    tr(lang, "Technology", "技術"));
	for (s = 0; s < 2; s++) {
		fprintf(f, "<th>%s</th><th>n</th>", s == 0 ? tr(lang,
		    "All surveyed domains", "全調査ドメイン") : tr(lang,
		    "ISPs' own domains", "事業者の自社ドメイン"));
		if (in->prev != NULL)
			fprintf(f, "<th>%s</th>", tr(lang, "Change (pt)",
			    "増減（pt）"));
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	for (m = 0; m < HY_NTECHS; m++) {
		fputs("<tr><td class=\"t\">", f);
		hy_html_escape(f, hy_techs[m].metric[lang]);
		fputs("</td>", f);
		for (s = 0; s < 2; s++) {
			rate_delta(&hy_techs[m], cur[s], old[s], rb,
			    sizeof(rb), db, sizeof(db), &small, lang);
			hy_tech_rate(&hy_techs[m], cur[s], &n);
			fprintf(f, "<td>%s</td><td>%lld</td>", rb, n);
			if (in->prev != NULL)
				fprintf(f, "<td>%s%s</td>", db, small ?
				    "<span class=\"mark\">†</span>" : "");
		}
		fputs("</tr>\n", f);
	}
	fprintf(f, "</tbody>\n</table>\n<p>%s</p>\n", tr(lang, "For RPKI, "
	    "both columns count the routes the listed ISPs announce.",
	    "RPKIはどちらの列も、対象事業者が広報する経路を数えています。"));
	json_decref(cur[0]);
	json_decref(cur[1]);
	json_decref(old[0]);
	json_decref(old[1]);
	return 0;
fail:
	json_decref(cur[0]);
	json_decref(cur[1]);
	json_decref(old[0]);
	json_decref(old[1]);
	return -1;
}

static void
html_verdict(FILE *f, const json_t *d, const char *section,
    enum hy_report_lang lang)
{
	fputs("<td class=\"v\">", f);
	hy_html_escape(f, hy_report_verdict(section,
	    hy_report_dom_status(d, section), lang));
	fputs("</td>", f);
}

/* One labelled part of a domain's details row. */
static void
html_detail(FILE *f, const char *label, const char *text, bool code)
{
	if (text == NULL || *text == '\0')
		return;
	fprintf(f, "<span class=\"k\">%s</span>%s", label, code ?
	    "<code>" : "");
	hy_html_escape_wrap(f, text);
	fprintf(f, "%s ", code ? "</code>" : "");
}

static void
html_domains(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	static const char *const secs[] = { "dnssec", "spf", "dmarc",
	    "mta_sts", "tls_rpt" };
	static const char *const names[] = { "DNSSEC", "SPF", "DMARC",
	    "MTA-STS", "TLS-RPT" };
	const json_t *d, *isp;
	const char *own, *spf, *dmarc;
	char *errs;
	size_t i, s;

	fprintf(f, "<h2 id=\"domains\">%s</h2>\n<table class=\"domains\">\n"
	    "<thead><tr><th>%s</th><th>%s</th><th>%s</th>", tr(lang,
	    "Own domains in detail", "自社ドメインの詳細"), tr(lang, "Domain",
	    "ドメイン"), tr(lang, "ISP", "事業者"), tr(lang, "Measurement",
	    "測定状態"));
	for (s = 0; s < 5; s++)
		fprintf(f, "<th>%s</th>", names[s]);
	fputs("</tr></thead>\n<tbody>\n", f);
	json_array_foreach(in->domains, i, d) {
		fputs("<tr><td class=\"t\">", f);
		hy_html_escape_wrap(f, hy_jstr(d, "domain"));
		if (json_is_string(json_object_get(d, "domain_unicode"))) {
			fputs(" (", f);
			hy_html_escape(f, hy_jstr(d, "domain_unicode"));
			fputs(")", f);
		}
		fputs("</td><td class=\"t\">", f);
		own = hy_jstr(json_object_get(d, "attribution"), "own");
		isp = hy_report_isp(in->stats, own);
		hy_html_escape(f, isp ? hy_report_isp_name(isp, lang) : own);
		fputs("</td><td class=\"v\">", f);
		for (s = 0; s < HY_NSTATES; s++)
			if (strcmp(hy_state_keys[s], hy_report_dom_state(d)) == 0)
				hy_html_escape(f, hy_state_label(s, lang));
		fputs("</td>", f);
		for (s = 0; s < 5; s++)
			html_verdict(f, d, secs[s], lang);
		fputs("</tr>\n", f);
		/* records and errors under the verdicts, full width */
		spf = json_string_value(json_object_get(json_object_get(d,
		    "spf"), "record"));
		dmarc = json_string_value(json_object_get(json_object_get(d,
		    "dmarc"), "record"));
		errs = hy_report_dom_errors(d, lang);
		if (spf != NULL || dmarc != NULL || (errs != NULL && *errs)) {
			fputs("<tr class=\"rec\"><td></td><td class=\"t\" "
			    "colspan=\"7\">", f);
			html_detail(f, tr(lang, "SPF record", "SPFレコード"), spf,
			    true);
			html_detail(f, tr(lang, "DMARC record", "DMARCレコード"),
			    dmarc, true);
			html_detail(f, tr(lang, "Errors", "エラー"), errs, false);
			fputs("</td></tr>\n", f);
		}
		free(errs);
	}
	fputs("</tbody>\n</table>\n", f);
}

/* The notes, one string each; the change note names the month. */
static size_t
notes(const struct hy_report_in *in, enum hy_report_lang lang,
    char **out)
{
	char m[32];
	size_t n = 0;

	out[n++] = strdup(tr(lang,
	    "Each rate is a share of the domains whose part in question could "
	    "be measured: what timed out or failed (indeterminate, temperror, "
	    "not measured) is never counted as absent, and is left out of the "
	    "denominator. Domains that could not be measured completely, that "
	    "do not exist (NXDOMAIN) or whose name is invalid are counted "
	    "beside the rates; the last two are in no rate at all.",
	    "導入率は、当該項目を測定できたドメインに占める割合です。タイムアウ"
	    "トや応答エラーで測定できなかったもの（indeterminate、temperror、"
	    "未測定）は「なし」に数えず、分母からも除いています。一部を測定でき"
	    "なかったドメイン、存在しないドメイン（NXDOMAIN）、ドメイン名が不正"
	    "な入力は導入率の横に別に数え、後の二つはどの導入率にも含めません。"));
	out[n++] = strdup(tr(lang,
	    "A domain is hosted by an ISP when one of its MX or NS addresses "
	    "is originated by one of the ISP's ASNs; an ISP's own domains are "
	    "never counted as hosted by it. An incomplete domain also counts, "
	    "as incomplete, for the ISPs that hosted it in its previous "
	    "result.",
	    "MXまたはNSのアドレスを事業者のASが広報している場合、そのドメインを"
	    "当該事業者のホスティング先ドメインとして数えます。自社ドメインは自"
	    "社のホスティング先には数えません。一部を測定できなかったドメイン"
	    "は、前回の結果でホスティングしていた事業者にも「一部測定できず」と"
	    "して数えます。"));
	out[n++] = strdup(tr(lang,
	    "The bars show every domain counted in the part, those that could "
	    "not be measured (grey) included; the rates in the tables leave "
	    "those out. A hatched bar marked n/a has nothing to count: it is "
	    "not 0%.",
	    "帯グラフは各項目で数えたすべてのドメイン（測定できなかったもの＝灰"
	    "色を含む）の内訳です。表の導入率は測定できなかったものを除いて計算"
	    "しています。斜線の帯（該当なし）は数える対象がないことを示し、0%"
	    "とは異なります。"));
	out[n++] = strdup(tr(lang,
	    "RPKI shares count the routes (prefix and origin AS) the ISPs "
	    "announce, not domains, and are charted on their own axis.",
	    "RPKIの値は、事業者が広報する経路（プレフィックスと起源ASの組）の数"
	    "に基づく割合で、ドメイン数に基づく他の割合とは別のグラフで示してい"
	    "ます。"));
	out[n++] = strdup(tr(lang,
	    "“SPF valid record”: the domain publishes one SPF record that "
	    "evaluates without error. It does not say how strict the record's "
	    "final “all” is (-all or ~all): see the domain table.",
	    "「SPF正しいレコードあり」は、SPFレコードが一つだけ公開され、エラー"
	    "なく評価できることを表します。末尾の all の厳しさ（-all／~all）は"
	    "問いません（ドメイン別の表を参照）。"));
	if (in->prev != NULL) {
		hy_report_month(m, sizeof(m), hy_jstr(in->prev, "month"), lang);
		if (asprintf(&out[n], lang == HY_LANG_JA ?
		    "増減は%sに対するポイント差（pt）です。†は、いずれかの月の"
		    "分母が30未満の値です（1件の変化で3.3pt以上動きます）。" :
		    "Changes are percentage points (pt) against %s. † marks a "
		    "change where either rate rests on fewer than 30 domains "
		    "(routes): one of them then moves the rate by more than "
		    "3.3 pt.", m) < 0)
			out[n] = NULL;
		n++;
	}
	return n;
}

static void
html_notes(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	char *v[8];
	size_t n = notes(in, lang, v), i;

	fprintf(f, "<h2 id=\"notes\">%s</h2>\n<ul class=\"notes\">\n",
	    tr(lang, "Notes", "注記"));
	for (i = 0; i < n; i++) {
		if (v[i] != NULL) {
			fputs("<li>", f);
			hy_html_escape_wrap(f, v[i]);
			fputs("</li>\n", f);
		}
		free(v[i]);
	}
	fputs("</ul>\n", f);
}

static int
report_html(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	char title[512], m[32], pm[32];

	hy_report_month(m, sizeof(m), hy_jstr(in->stats, "month"), lang);
	snprintf(title, sizeof(title), "%s %s%s", title_of(lang), m,
	    tr(lang, "", "調査"));
	hy_report_html_head(f, title, lang);
	fputs("<header>\n<h1>", f);
	hy_html_escape(f, title_of(lang));
	fputs("</h1>\n<p class=\"sub\">", f);
	fprintf(f, "%s: %s", tr(lang, "Survey month", "調査月"), m);
	if (in->prev != NULL) {
		hy_report_month(pm, sizeof(pm), hy_jstr(in->prev, "month"),
		    lang);
		fprintf(f, tr(lang, " (compared with %s)", "（比較対象月：%s）"),
		    pm);
	}
	fputs("</p>\n</header>\n", f);
	if (html_summary(f, in, lang) != 0 || html_charts(f, in, lang) != 0 ||
	    html_trends(f, in, lang) != 0)
		return -1;
	fprintf(f, "<h2 id=\"rates\">%s</h2>\n", tr(lang, "Adoption by ISP",
	    "事業者別の導入率"));
	html_rate_legend(f, lang);
	html_rates_table(f, in, NULL, tr(lang, "Own domains",
	    "自社ドメイン"), lang);
	html_rates_table(f, in, "hosted", tr(lang, "Hosted domains (mail or "
	    "name servers in the ISP's network)", "ホスティング先ドメイン（MX"
	    "またはNSが当該事業者のネットワーク内）"), lang);
	if (hy_report_rov_html(f, in->stats, lang) != 0)
		return -1;
	if (in->domains != NULL)
		html_domains(f, in, lang);
	html_notes(f, in, lang);
	if (hy_report_prov_html(f, in, lang) != 0)
		return -1;
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? -1 : 0;
}

/* ---- Markdown ---- */

static void
md_rates_table(FILE *f, const struct hy_report_in *in, const char *scope,
    const char *caption, enum hy_report_lang lang)
{
	const json_t *isp, *t, *pt;
	char rb[32], db[32];
	size_t i, m, ncols = 2;
	bool small;

	fprintf(f, "\n### %s\n\n| %s | %s |", caption, tr(lang, "ISP",
	    "事業者"), tr(lang, "Domains", "ドメイン数"));
	for (m = 0; m < HY_NSTATES; m++, ncols++)
		fprintf(f, " %s |", hy_state_label(m, lang));
	for (m = 0; m < HY_NTECHS; m++) {
		if (!tech_in_scope(&hy_techs[m], scope))
			continue;
		fprintf(f, " %s |", hy_techs[m].metric[lang]);
		ncols++;
		if (in->prev != NULL) {
			fprintf(f, " %s |", tr(lang, "Change (pt)",
			    "増減（pt）"));
			ncols++;
		}
	}
	fputs("\n|", f);
	for (i = 0; i < ncols; i++)
		fputs(i == 0 ? "---|" : "---:|", f);
	fputc('\n', f);
	json_array_foreach(json_object_get(in->stats, "isps"), i, isp) {
		t = scope ? json_object_get(isp, scope) : isp;
		pt = prev_tally(in, isp, scope);
		fputs("| ", f);
		hy_report_md_escape(f, hy_report_isp_name(isp, lang));
		fprintf(f, " | %lld |", hy_jint(t, "domains"));
		for (m = 0; m < HY_NSTATES; m++)
			fprintf(f, " %lld |", hy_jint(t, hy_state_keys[m]));
		for (m = 0; m < HY_NTECHS; m++) {
			if (!tech_in_scope(&hy_techs[m], scope))
				continue;
			rate_delta(&hy_techs[m], t, pt, rb, sizeof(rb), db,
			    sizeof(db), &small, lang);
			fprintf(f, " %s |", rb);
			if (in->prev != NULL)
				fprintf(f, " %s%s |", db, small ? " †" : "");
		}
		fputc('\n', f);
	}
}

/* The trend as a table: one row per surveyed month, the rates of every
 * surveyed domain. */
static int
md_trend(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	const json_t *st;
	json_t *all;
	char rb[32];
	size_t i, m, n = json_array_size(in->history);

	if (n < 2)
		return 0;
	fprintf(f, "\n### %s\n\n| %s |", tr(lang, "Trend (all surveyed "
	    "domains; RPKI: all ISPs' routes)", "推移（全調査ドメイン、RPKIは"
	    "全事業者の経路）"), tr(lang, "Month", "調査月"));
	for (m = 0; m < HY_NTECHS; m++)
		fprintf(f, " %s |", hy_techs[m].metric[lang]);
	fputs("\n|---|", f);
	for (m = 0; m < HY_NTECHS; m++)
		fputs("---:|", f);
	fputc('\n', f);
	for (i = n > HY_REPORT_TREND_MONTHS ? n - HY_REPORT_TREND_MONTHS : 0;
	    i < n; i++) {
		st = json_array_get(in->history, i);
		if ((all = hy_report_all_total(st)) == NULL)
			return -1;
		fprintf(f, "| %s |", hy_jstr(st, "month"));
		for (m = 0; m < HY_NTECHS; m++) {
			hy_report_fmt_rate(rb, sizeof(rb), hy_tech_rate(
			    &hy_techs[m], all, NULL), lang);
			fprintf(f, " %s |", rb);
		}
		fputc('\n', f);
		json_decref(all);
	}
	return 0;
}

static void
md_domains(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	static const char *const secs[] = { "dnssec", "spf", "dmarc",
	    "mta_sts" };
	const json_t *d;
	const char *rec;
	size_t i, s;

	fprintf(f, "\n### %s\n\n| %s | %s | %s | DNSSEC | SPF | DMARC | "
	    "MTA-STS | %s |\n|---|---|---|---|---|---|---|---|\n",
	    tr(lang, "Own domains in detail", "自社ドメインの詳細"),
	    tr(lang, "Domain", "ドメイン"), tr(lang, "ISP", "事業者"),
	    tr(lang, "Measurement", "測定状態"), tr(lang, "DMARC record",
	    "DMARCレコード"));
	json_array_foreach(in->domains, i, d) {
		fputs("| ", f);
		hy_report_md_escape(f, hy_jstr(d, "domain"));
		fputs(" | ", f);
		hy_report_md_escape(f, hy_jstr(json_object_get(d,
		    "attribution"), "own"));
		fputs(" | ", f);
		for (s = 0; s < HY_NSTATES; s++)
			if (strcmp(hy_state_keys[s], hy_report_dom_state(d)) == 0)
				hy_report_md_escape(f, hy_state_label(s, lang));
		for (s = 0; s < 4; s++) {
			fputs(" | ", f);
			hy_report_md_escape(f, hy_report_verdict(secs[s],
			    hy_report_dom_status(d, secs[s]), lang));
		}
		fputs(" | ", f);
		if ((rec = json_string_value(json_object_get(json_object_get(d,
		    "dmarc"), "record"))) != NULL)
			hy_report_md_escape(f, rec);
		fputs(" |\n", f);
	}
}

static int
report_md(FILE *f, const struct hy_report_in *in, enum hy_report_lang lang)
{
	char m[32], *v[8];
	size_t n, i;

	hy_report_month(m, sizeof(m), hy_jstr(in->stats, "month"), lang);
	fputs("# ", f);
	hy_report_md_escape(f, title_of(lang));
	fprintf(f, "\n\n%s: %s\n", tr(lang, "Survey month", "調査月"), m);
	if (in->prev != NULL) {
		hy_report_month(m, sizeof(m), hy_jstr(in->prev, "month"), lang);
		fprintf(f, "\n%s: %s\n", tr(lang, "Compared with",
		    "比較対象月"), m);
	}
	md_rates_table(f, in, NULL, tr(lang, "Own domains", "自社ドメイン"),
	    lang);
	md_rates_table(f, in, "hosted", tr(lang, "Hosted domains (mail or "
	    "name servers in the ISP's network)", "ホスティング先ドメイン（MX"
	    "またはNSが当該事業者のネットワーク内）"), lang);
	if (md_trend(f, in, lang) != 0 ||
	    hy_report_rov_md(f, in->stats, lang) != 0)
		return -1;
	if (in->domains != NULL)
		md_domains(f, in, lang);
	fprintf(f, "\n%s: %lld\n", tr(lang, "Measured again after an "
	    "incomplete result", "測定できなかったため再測定"),
	    hy_jint(json_object_get(in->stats, "remeasured"), "domains"));
	fprintf(f, "\n### %s\n\n", tr(lang, "Notes", "注記"));
	n = notes(in, lang, v);
	for (i = 0; i < n; i++) {
		if (v[i] != NULL)
			fprintf(f, "- %s\n", v[i]);
		free(v[i]);
	}
	if (hy_report_prov_md(f, in, lang) != 0)
		return -1;
	return ferror(f) ? -1 : 0;
}

/* ---- JSON ---- */

static json_t *
json_rates(const json_t *t, const json_t *pt)
{
	json_t *o = json_object(), *r = json_object(), *d = json_object(),
	    *nn = json_object();
	size_t m;
	long long n;
	double cur, old;

	if (o == NULL || r == NULL || d == NULL || nn == NULL)
		goto fail;
	json_object_set_new(o, "domains", json_integer(hy_jint(t, "domains")));
	for (m = 0; m < HY_NSTATES; m++)
		json_object_set_new(o, hy_state_keys[m],
		    json_integer(hy_jint(t, hy_state_keys[m])));
	for (m = 0; m < HY_NTECHS; m++) {
		cur = hy_tech_rate(&hy_techs[m], t, &n);
		old = pt ? hy_tech_rate(&hy_techs[m], pt, NULL) : NAN;
		json_object_set_new(r, hy_techs[m].id, isnan(cur) ?
		    json_null() : json_real(round(cur * 100) / 100));
		json_object_set_new(d, hy_techs[m].id, isnan(cur - old) ?
		    json_null() : json_real(round((cur - old) * 100) / 100));
		json_object_set_new(nn, hy_techs[m].id, json_integer(n));
	}
	json_object_set_new(o, "rates_pct", r);
	json_object_set_new(o, "delta_pts", d);
	json_object_set_new(o, "n", nn);
	return o;
fail:
	json_decref(o);
	json_decref(r);
	json_decref(d);
	json_decref(nn);
	return NULL;
}

/* [{"month", "all": rates, "own": rates}] over the history. */
static json_t *
json_trend(const struct hy_report_in *in)
{
	const json_t *st;
	json_t *arr = json_array(), *all, *own;
	size_t i, n = json_array_size(in->history);

	if (arr == NULL)
		return NULL;
	for (i = n > HY_REPORT_TREND_MONTHS ? n - HY_REPORT_TREND_MONTHS : 0;
	    i < n; i++) {
		st = json_array_get(in->history, i);
		all = hy_report_all_total(st);
		own = hy_report_own_total(st);
		if (all == NULL || own == NULL ||
		    json_array_append_new(arr, json_pack("{s:O, s:o*, s:o*}",
		    "month", json_object_get(st, "month"), "all",
		    json_rates(all, NULL), "own", json_rates(own, NULL))) != 0) {
			json_decref(all);
			json_decref(own);
			json_decref(arr);
			return NULL;
		}
		json_decref(all);
		json_decref(own);
	}
	return arr;
}

static int
prov_obj(void *arg, const char *label, const char *value)
{
	return json_array_append_new(arg, json_pack("{s:s, s:s}", "label",
	    label, "value", value));
}

static int
report_json(FILE *f, const struct hy_report_in *in)
{
	const json_t *isp, *pt;
	json_t *o, *arr, *prov;
	size_t i;
	int rc;

	if ((prov = json_array()) == NULL ||
	    hy_report_prov_walk(in, HY_LANG_EN, prov_obj, prov) != 0) {
		json_decref(prov);
		return -1;
	}
	o = json_pack("{s:s, s:O, s:o?, s:O?, s:[], s:o*, s:o*, s:o, s:O, "
	    "s:O?}", "schema_version", HY_STATS_SCHEMA_VERSION,
	    "month", json_object_get(in->stats, "month"),
	    "compare", in->prev ? json_copy(json_object_get(in->prev,
	    "month")) : NULL,
	    "remeasured", json_object_get(in->stats, "remeasured"),
	    "isps", "totals", json_rates(json_object_get(in->stats, "totals"),
	    in->prev ? json_object_get(in->prev, "totals") : NULL),
	    "trend", json_trend(in), "provenance", prov,
	    "stats", in->stats, "compare_stats", in->prev);
	if (o == NULL)
		return -1;
	arr = json_object_get(o, "isps");
	json_array_foreach(json_object_get(in->stats, "isps"), i, isp) {
		pt = in->prev ? hy_report_isp(in->prev, hy_jstr(isp, "id")) :
		    NULL;
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
		return hy_report_csv(f, in, HY_TABLE_ISPS);
	case HY_REPORT_JSON:
		return report_json(f, in);
	case HY_REPORT_XLSX:
		return -1;	/* a file: hy_report_xlsx() */
	}
	return -1;
}

int
hy_report_format_parse(const char *s)
{
	static const char *const names[] = { "html", "md", "csv", "json",
	    "xlsx" };
	int i;

	for (i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
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

static json_t *
time_json(time_t t)
{
	char b[32];
	struct tm tm;

	if (t <= 0 || gmtime_r(&t, &tm) == NULL)
		return json_null();
	strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(b);
}

int
hy_report_load_history(struct hy_store *st, const char *month,
    json_t **history, json_t **run, char *err, size_t errlen)
{
	json_t *one = NULL;
	char *m = NULL, *pm = NULL;
	time_t t0, t1;
	size_t n;

	*run = NULL;
	if ((*history = json_array()) == NULL)
		goto oom;
	/* newest first, then reversed */
	if ((m = strdup(month)) == NULL)
		goto oom;
	for (n = 0; m != NULL && n < HY_REPORT_TREND_MONTHS; n++) {
		if (load_stats(st, m, &one, err, errlen) != 0)
			goto fail;
		if (json_array_insert_new(*history, 0, one) != 0)
			goto oom;
		if (hy_store_previous_month(st, m, &pm) != 0) {
			snprintf(err, errlen, "%s", hy_store_error(st));
			goto fail;
		}
		free(m);
		m = pm;
		pm = NULL;
	}
	free(m);
	m = NULL;
	if (hy_store_survey_times(st, month, &t0, &t1) != 0) {
		snprintf(err, errlen, "%s", hy_store_error(st));
		goto fail;
	}
	if ((*run = json_pack("{s:o, s:o}", "started_at", time_json(t0),
	    "finished_at", time_json(t1))) == NULL)
		goto oom;
	return 0;
oom:
	snprintf(err, errlen, "out of memory");
fail:
	free(m);
	json_decref(*history);
	*history = NULL;
	return -1;
}
