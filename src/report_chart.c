/*
 * The reports' SVG charts (see report_int.h). Each chart is one
 * self-contained <svg>: no script, no external font, image or style, so
 * it survives being copied into another document. Every number a reader
 * needs is printed (titles, n per bar, value labels), never only in a
 * tooltip, and layout is computed from estimated text widths so legend
 * items and labels never overlap (tests/reports/ checks this with the
 * real fonts in Chromium).
 *
 *   distribution: one 100% stacked bar per ISP (and one for everything)
 *     over every category of the technology, "could not be measured"
 *     included; a bar with nothing to count is hatched and says n/a,
 *     which never looks like 0%.
 *   trend: the adoption rate per calendar month over the history (up to
 *     24 months), a gap for a month without a survey or a value, a
 *     hollow marker where fewer than HY_REPORT_SMALL_N domains (routes)
 *     stand behind the rate.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report_int.h"

#define W		680	/* chart width, px: fits A4 portrait */
#define FONT		"'Yu Gothic Medium','Yu Gothic',YuGothic," \
			"'Hiragino Sans','Hiragino Kaku Gothic ProN',Meiryo," \
			"'Noto Sans CJK JP','Noto Sans JP',sans-serif"
#define TITLE_PX	13.0
#define TEXT_PX		11.0
#define SMALL_PX	9.5

/* ---- text measure ---- */

/* Decode one UTF-8 code point; *len gets its length (1 for a bad one). */
static unsigned
utf8_cp(const unsigned char *p, size_t *len)
{
	if (p[0] < 0x80) {
		*len = 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0 && (p[1] & 0xc0) == 0x80) {
		*len = 2;
		return ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
	}
	if ((p[0] & 0xf0) == 0xe0 && (p[1] & 0xc0) == 0x80 &&
	    (p[2] & 0xc0) == 0x80) {
		*len = 3;
		return ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) |
		    (p[2] & 0x3fu);
	}
	if ((p[0] & 0xf8) == 0xf0 && (p[1] & 0xc0) == 0x80 &&
	    (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80) {
		*len = 4;
		return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) |
		    ((p[2] & 0x3fu) << 6) | (p[3] & 0x3fu);
	}
	*len = 1;
	return 0xfffd;
}

static bool
cp_wide(unsigned cp)
{
	return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 &&
	    cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
	    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 &&
	    cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || cp >= 0x20000;
}

/* Advance of one code point in ems, on the generous side of the common
 * sans-serif fonts (a wider estimate only costs space). */
static double
cp_em(unsigned cp)
{
	if (cp_wide(cp))
		return 1.0;
	if (cp == ' ')
		return 0.3;
	if (strchr("iljtf.,:;'|!()[]/", (int)cp) != NULL && cp < 0x80)
		return 0.36;
	if (cp >= 'A' && cp <= 'Z')
		return cp == 'M' || cp == 'W' ? 0.9 : 0.7;
	if (cp == 'm' || cp == 'w' || cp == '%')
		return 0.86;
	return 0.6;
}

static double
text_w(const char *s, double px)
{
	const unsigned char *p = (const unsigned char *)s;
	double em = 0;
	size_t len;

	while (*p) {
		em += cp_em(utf8_cp(p, &len));
		p += len;
	}
	return em * px;
}

/* Japanese line breaking (kinsoku): never before closing punctuation or
 * after an opening bracket. */
static bool
no_break_before(unsigned cp)
{
	static const unsigned closing[] = { 0x3001, 0x3002, 0xff09, 0x300d,
	    0x300f, 0xff0c, 0xff0e, 0x30fb, 0x30fc, 0xff1a, 0xff1b, ')', ',',
	    '.', ':', ';', '%' };
	size_t i;

	for (i = 0; i < sizeof(closing) / sizeof(closing[0]); i++)
		if (cp == closing[i])
			return true;
	return false;
}

static bool
no_break_after(unsigned cp)
{
	return cp == 0xff08 || cp == 0x300c || cp == 0x300e || cp == '(';
}

/*
 * Split s into at most max lines no wider than maxw: at spaces, between
 * two characters of which one is wide (CJK), or before an opening
 * bracket, never against the kinsoku rules. The lines are malloc'd into
 * out[]; returns how many (0 on OOM). A word that does not fit alone
 * makes its line wider than maxw; the last line takes the rest.
 */
static size_t
wrap(const char *s, double px, double maxw, char **out, size_t max)
{
	const unsigned char *start = (const unsigned char *)s, *p, *brk;
	unsigned cp, prev;
	size_t n = 0, len;
	double w;

	while (n + 1 < max) {
		w = 0;
		brk = NULL;
		prev = 0;
		for (p = start; *p; p += len) {
			cp = utf8_cp(p, &len);
			if (p != start && !no_break_before(cp) &&
			    !no_break_after(prev) && (cp == ' ' || cp == '(' ||
			    cp_wide(cp) || cp_wide(prev)))
				brk = p;
			w += cp_em(cp) * px;
			if (w > maxw && brk != NULL)
				break;
			prev = cp;
		}
		if (*p == '\0')
			break;
		if ((out[n] = strndup((const char *)start,
		    (size_t)(brk - start))) == NULL)
			goto oom;
		n++;
		for (start = brk; *start == ' '; start++)
			;
	}
	if ((out[n] = strdup((const char *)start)) == NULL)
		goto oom;
	return n + 1;
oom:
	while (n > 0)
		free(out[--n]);
	return 0;
}

/* s cut to maxw with an ellipsis ("…") when it is wider, so a name too
 * long for the label column never runs into its bar. Takes s, returns
 * the string to use (s itself when it fits or memory is short). */
static char *
ellipsize(char *s, double px, double maxw)
{
	const unsigned char *p = (const unsigned char *)s;
	double w = text_w("…", px);
	size_t len, n;
	char *o;

	if (text_w(s, px) <= maxw)
		return s;
	while (*p) {
		w += cp_em(utf8_cp(p, &len)) * px;
		if (w > maxw)
			break;
		p += len;
	}
	n = (size_t)(p - (const unsigned char *)s);
	if ((o = malloc(n + sizeof("…"))) == NULL)
		return s;
	memcpy(o, s, n);
	memcpy(o + n, "…", sizeof("…"));
	free(s);
	return o;
}

static void
wrap_free(char **lines, size_t n)
{
	while (n > 0)
		free(lines[--n]);
}

/* Dark fills get white text. */
static bool
fill_dark(const char *hex)
{
	unsigned r, g, b;

	if (sscanf(hex, "#%2x%2x%2x", &r, &g, &b) != 3)
		return false;
	return 0.299 * r + 0.587 * g + 0.114 * b < 150;
}

/* Text lines at x, from baseline y, line height lh; returns the y after
 * the last line. */
static double
put_lines(FILE *f, char **lines, size_t n, double x, double y, double lh,
    const char *attrs)
{
	size_t i;

	for (i = 0; i < n; i++, y += lh) {
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\"%s>", x, y, attrs);
		hy_html_escape(f, lines[i]);
		fputs("</text>\n", f);
	}
	return y;
}

/* The chart's title, wrapped to the width; returns the y below it. */
static double
put_title(FILE *f, const char *title)
{
	char *lines[3];
	size_t n = wrap(title, TITLE_PX, W - 8, lines, 3);
	double y = put_lines(f, lines, n, 4, 16, 17,
	    " class=\"title\" font-size=\"13\" font-weight=\"bold\"");

	wrap_free(lines, n);
	return y - 6;
}

struct legend_item {
	const char	*label;
	const char	*color;
	int		 kind;		/* 0 swatch, 1 solid line, 2 dashed
					   line, 3 hollow marker */
};

/* Legend items flowing left to right, wrapping at the chart width;
 * returns the y below the legend. */
static double
put_legend(FILE *f, const struct legend_item *it, size_t n, double y)
{
	double x = 4, w;
	size_t i;

	y += 4;
	for (i = 0; i < n; i++) {
		w = 18 + text_w(it[i].label, TEXT_PX);
		if (x > 4 && x + w > W - 4) {
			x = 4;
			y += 17;
		}
		fputs("<g class=\"legend\">", f);
		switch (it[i].kind) {
		case 0:
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"11\" "
			    "height=\"11\" fill=\"%s\" stroke=\"#555\" "
			    "stroke-width=\"0.5\"/>", x, y, it[i].color);
			break;
		case 1:
		case 2:
			fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
			    "y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>",
			    x - 1, y + 5.5, x + 12, y + 5.5, it[i].color,
			    it[i].kind == 2 ? " stroke-dasharray=\"4 2\"" : "");
			break;
		default:
			fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" "
			    "fill=\"#fff\" stroke=\"%s\" stroke-width=\"1.5\"/>",
			    x + 5.5, y + 5.5, it[i].color);
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"11\">",
		    x + 15, y + 10);
		hy_html_escape(f, it[i].label);
		fputs("</text></g>\n", f);
		x += w + 14;
	}
	return y + 17;
}

static void
svg_open(FILE *f, const char *cls, const char *title, double h)
{
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"%s\" "
	    "width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" role=\"img\" "
	    "font-family=\"%s\" font-size=\"11\" aria-label=\"", cls, W, h, W,
	    h, FONT);
	hy_html_escape(f, title);
	fputs("\">\n<title>", f);
	hy_html_escape(f, title);
	fputs("</title>\n", f);
}

/* ---- distribution ---- */

#define ROW_H		22
#define BAR_H		15

/* One 100% stacked bar; tally NULL or n = 0 draws the n/a bar. */
static void
dist_bar(FILE *f, const struct hy_tech *t, const json_t *tally,
    const char *name, double y, double lw, double x0, double bw,
    enum hy_report_lang lang)
{
	char *lines[2], pct[16], nb[32];
	long long n = 0, c;
	size_t i, nl;
	double x = x0, w, ly;

	for (i = 0; tally != NULL && i < t->ncats; i++)
		n += hy_cat_count(t, &t->cats[i], tally);
	nl = wrap(name, TEXT_PX, lw, lines, 2);
	if (nl > 0)
		lines[nl - 1] = ellipsize(lines[nl - 1], TEXT_PX, lw);
	ly = nl > 1 ? y + 7 : y + 12;
	put_lines(f, lines, nl, 4, ly, 11, " class=\"bar-label\"");
	wrap_free(lines, nl);
	snprintf(nb, sizeof(nb), "n=%lld", n);
	fprintf(f, "<text class=\"n\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
	    x0 + bw + 6, y + 12, nb);
	if (n == 0) {
		fprintf(f, "<g class=\"na\"><rect x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%d\" fill=\"url(#hatch-%s)\" "
		    "stroke=\"#888\" stroke-width=\"0.8\"/><text x=\"%.1f\" "
		    "y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\" "
		    "fill=\"#333\">", x0, y + 1, bw, BAR_H, t->id,
		    x0 + bw / 2, y + 12);
		hy_html_escape(f, t->routes ? tr(lang, "n/a: no route figures",
		    "該当なし（経路データなし）") : tr(lang,
		    "n/a: no domain to count", "該当なし（対象ドメインなし）"));
		fputs("</text></g>\n", f);
		return;
	}
	for (i = 0; i < t->ncats; i++) {
		if ((c = hy_cat_count(t, &t->cats[i], tally)) <= 0)
			continue;
		w = bw * (double)c / (double)n;
		fprintf(f, "<rect class=\"seg\" x=\"%.2f\" y=\"%.1f\" "
		    "width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>", x, y + 1,
		    w, BAR_H, t->cats[i].color);
		hy_html_escape(f, name);
		fputs(": ", f);
		hy_html_escape(f, t->cats[i].label[lang]);
		fprintf(f, " %lld/%lld</title></rect>\n", c, n);
		snprintf(pct, sizeof(pct), "%.0f%%", 100.0 * (double)c /
		    (double)n);
		if (w >= text_w(pct, 10) + 4)
			fprintf(f, "<text class=\"val\" x=\"%.2f\" y=\"%.1f\" "
			    "text-anchor=\"middle\" font-size=\"10\" "
			    "fill=\"%s\">%s</text>\n", x + w / 2, y + 12,
			    fill_dark(t->cats[i].color) ? "#fff" : "#111", pct);
		x += w;
	}
}

int
hy_report_chart_dist(FILE *f, const struct hy_report_in *in,
    const struct hy_tech *t, enum hy_report_lang lang)
{
	const json_t *isps = json_object_get(in->stats, "isps"), *isp;
	struct legend_item leg[8];
	json_t *all;
	double lw = 0, x0, bw, y, h, w;
	size_t i, nleg = 0;
	const char *all_name = t->routes ? tr(lang, "All ISPs' routes",
	    "全事業者の経路") : tr(lang, "All ISPs' own domains",
	    "全事業者の自社ドメイン");
	char *tl[3];
	size_t ntl;
	FILE *mem;
	char *body = NULL;
	size_t blen = 0;

	if ((all = t->routes ? hy_report_all_total(in->stats) :
	    hy_report_own_total(in->stats)) == NULL)
		return -1;
	lw = text_w(all_name, TEXT_PX);
	json_array_foreach(isps, i, isp)
		if ((w = text_w(hy_report_isp_name(isp, lang), TEXT_PX)) > lw)
			lw = w;
	if (lw > 200)
		lw = 200;	/* longer names take two lines */
	x0 = lw + 12;
	bw = W - x0 - 62;

	/* The body first, to know the height. */
	if ((mem = open_memstream(&body, &blen)) == NULL) {
		json_decref(all);
		return -1;
	}
	ntl = wrap(t->title[lang], TITLE_PX, W - 8, tl, 3);
	y = 16 + 17.0 * (double)ntl - 6;
	wrap_free(tl, ntl);
	for (i = 0; i < t->ncats && nleg < 8; i++) {
		leg[nleg].label = t->cats[i].label[lang];
		leg[nleg].color = t->cats[i].color;
		leg[nleg++].kind = 0;
	}
	y = put_legend(mem, leg, nleg, y);
	/* the axis: 0..100% */
	y += 12;
	for (i = 0; i <= 4; i++)
		fprintf(mem, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#ccc\" stroke-width=\"0.7\"/>"
		    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
		    "font-size=\"9.5\" fill=\"#555\">%zu%%</text>\n",
		    x0 + bw * (double)i / 4, y + 3, x0 + bw * (double)i / 4,
		    y + 6 + ROW_H * (double)(json_array_size(isps) + 1) + 6,
		    x0 + bw * (double)i / 4, y, i * 25);
	y += 6;
	dist_bar(mem, t, all, all_name, y, lw, x0, bw, lang);
	y += ROW_H + 6;
	fprintf(mem, "<line x1=\"4\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
	    "stroke=\"#999\" stroke-width=\"0.6\"/>\n", y - 4, W - 4, y - 4);
	json_array_foreach(isps, i, isp) {
		dist_bar(mem, t, t->routes ? (json_is_object(json_object_get(
		    isp, "rpki")) ? isp : NULL) : isp,
		    hy_report_isp_name(isp, lang), y, lw, x0, bw, lang);
		y += ROW_H;
	}
	h = y + 6;
	json_decref(all);
	if (fclose(mem) != 0) {
		free(body);
		return -1;
	}
	svg_open(f, "chart dist", t->title[lang], h);
	fprintf(f, "<defs><pattern id=\"hatch-%s\" width=\"6\" height=\"6\" "
	    "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
	    "<rect width=\"6\" height=\"6\" fill=\"#fff\"/><line x1=\"0\" "
	    "y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#aaa\" stroke-width=\"2\"/>"
	    "</pattern></defs>\n", t->id);
	put_title(f, t->title[lang]);
	fwrite(body, 1, blen, f);
	free(body);
	fputs("</svg>\n", f);
	return ferror(f) ? -1 : 0;
}

/* ---- trend ---- */

static int
month_index(const char *m)
{
	int y, mo;

	if (m == NULL || sscanf(m, "%4d-%2d", &y, &mo) != 2)
		return -1;
	return y * 12 + mo - 1;
}

#define NSERIES		2
#define PLOT_H		150.0

struct series {
	const char	*label;
	const char	*color;
	int		 kind;		/* legend: 1 solid, 2 dashed */
	double		 v[HY_REPORT_TREND_MONTHS];
	long long	 n[HY_REPORT_TREND_MONTHS];
};

/* The months of the trend, oldest first: in->history, else the compared
 * month and the month. */
static size_t
trend_months(const struct hy_report_in *in, const json_t **out)
{
	size_t n = 0, i, len = json_array_size(in->history);

	if (in->history != NULL) {
		i = len > HY_REPORT_TREND_MONTHS ? len -
		    HY_REPORT_TREND_MONTHS : 0;
		for (; i < len; i++)
			out[n++] = json_array_get(in->history, i);
		return n;
	}
	if (in->prev != NULL)
		out[n++] = in->prev;
	out[n++] = in->stats;
	return n;
}

/* Fill a series' values over the calendar months first..first+nm-1. */
static int
trend_fill(struct series *s, const struct hy_tech *t, const json_t **ms,
    size_t nms, int first, int nm, bool own)
{
	json_t *tally;
	size_t i;
	int k;

	for (k = 0; k < nm; k++) {
		s->v[k] = NAN;
		s->n[k] = 0;
	}
	for (i = 0; i < nms; i++) {
		k = month_index(hy_jstr(ms[i], "month")) - first;
		if (k < 0 || k >= nm)
			continue;
		if ((tally = own || t->routes ? hy_report_own_total(ms[i]) :
		    json_incref(json_object_get(ms[i], "totals"))) == NULL)
			return -1;
		s->v[k] = hy_tech_rate(t, tally, &s->n[k]);
		json_decref(tally);
	}
	return 0;
}

static double
trend_y(double top, double v)
{
	return top + PLOT_H * (1.0 - v / 100.0);
}

static void
trend_series(FILE *f, const struct series *s, int nm, const double *xs,
    double top)
{
	bool pen = false;
	int k;

	fprintf(f, "<path class=\"line\" fill=\"none\" stroke=\"%s\" "
	    "stroke-width=\"2\"%s d=\"", s->color, s->kind == 2 ?
	    " stroke-dasharray=\"5 3\"" : "");
	for (k = 0; k < nm; k++) {
		if (isnan(s->v[k])) {
			pen = false;
			continue;
		}
		fprintf(f, "%s%.1f %.1f ", pen ? "L" : "M", xs[k],
		    trend_y(top, s->v[k]));
		pen = true;
	}
	fputs("\"/>\n", f);
	for (k = 0; k < nm; k++) {
		if (isnan(s->v[k]))
			continue;
		fprintf(f, "<circle class=\"pt%s\" cx=\"%.1f\" cy=\"%.1f\" "
		    "r=\"3.5\" fill=\"%s\" stroke=\"%s\" stroke-width=\"1.5\">"
		    "<title>%.1f%% (n=%lld)</title></circle>\n",
		    s->n[k] < HY_REPORT_SMALL_N ? " small" : "", xs[k],
		    trend_y(top, s->v[k]), s->n[k] < HY_REPORT_SMALL_N ?
		    "#fff" : s->color, s->color, s->v[k], s->n[k]);
	}
}

/* The value labels: of two values in a month, the higher one above its
 * point and the lower one below, so they never meet. */
static void
trend_labels(FILE *f, const struct series *s, size_t ns, int nm,
    const double *xs, double top)
{
	char b[16];
	size_t i, j;
	int k;
	bool above;

	for (k = 0; k < nm; k++)
		for (i = 0; i < ns; i++) {
			if (isnan(s[i].v[k]))
				continue;
			above = true;
			for (j = 0; j < ns; j++)
				if (j != i && !isnan(s[j].v[k]) &&
				    (s[j].v[k] > s[i].v[k] ||
				    (s[j].v[k] == s[i].v[k] && j < i)))
					above = false;
			snprintf(b, sizeof(b), nm > 12 ? "%.0f" : "%.1f",
			    s[i].v[k]);
			fprintf(f, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"middle\" font-size=\"9.5\" "
			    "fill=\"%s\">%s</text>\n", xs[k],
			    trend_y(top, s[i].v[k]) + (above ? -6 : 14),
			    s[i].color, b);
		}
}

int
hy_report_chart_trend(FILE *f, const struct hy_report_in *in,
    const struct hy_tech *t, enum hy_report_lang lang)
{
	const json_t *ms[HY_REPORT_TREND_MONTHS + 1];
	struct series s[NSERIES];
	struct legend_item leg[NSERIES + 1];
	double xs[HY_REPORT_TREND_MONTHS], x0 = 44, x1 = W - 24, top, y, h;
	size_t nms, ns, i;
	int first, last, nm, k;
	char title[512], *body = NULL, mb[16], *tl[3];
	size_t blen = 0, ntl;
	FILE *mem;

	nms = trend_months(in, ms);
	last = month_index(hy_jstr(in->stats, "month"));
	first = month_index(hy_jstr(ms[0], "month"));
	if (first < 0 || first > last)
		first = last;
	if (last - first >= HY_REPORT_TREND_MONTHS)
		first = last - (HY_REPORT_TREND_MONTHS - 1);
	nm = last - first + 1;
	snprintf(title, sizeof(title), "%s: %s", tr(lang, "Trend",
	    "推移"), t->metric[lang]);

	memset(s, 0, sizeof(s));
	if (t->routes) {
		s[0].label = tr(lang, "All ISPs' routes", "全事業者の経路");
		ns = 1;
	} else {
		s[0].label = tr(lang, "All surveyed domains",
		    "全調査ドメイン");
		s[1].label = tr(lang, "ISPs' own domains",
		    "事業者の自社ドメイン");
		s[1].color = "#c0392b";
		s[1].kind = 2;
		ns = 2;
	}
	s[0].color = "#1f4e79";
	s[0].kind = 1;
	for (i = 0; i < ns; i++)
		if (trend_fill(&s[i], t, ms, nms, first, nm, i == 1) != 0)
			return -1;
	for (i = 0; i < ns; i++) {
		leg[i].label = s[i].label;
		leg[i].color = s[i].color;
		leg[i].kind = s[i].kind;
	}
	leg[ns].label = t->routes ? tr(lang, "fewer than 30 routes",
	    "経路数30未満") : tr(lang, "fewer than 30 domains",
	    "ドメイン数30未満");
	leg[ns].color = "#555";
	leg[ns].kind = 3;

	if ((mem = open_memstream(&body, &blen)) == NULL)
		return -1;
	ntl = wrap(title, TITLE_PX, W - 8, tl, 3);
	y = 16 + 17.0 * (double)ntl - 6;
	wrap_free(tl, ntl);
	y = put_legend(mem, leg, ns + 1, y);
	top = y + 18;
	for (k = 0; k <= 4; k++)
		fprintf(mem, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\" stroke=\"#ccc\" stroke-width=\"0.7\"/>"
		    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
		    "font-size=\"9.5\" fill=\"#555\">%d%%</text>\n", x0,
		    trend_y(top, k * 25.0), x1, trend_y(top, k * 25.0),
		    x0 - 5, trend_y(top, k * 25.0) + 3, k * 25);
	for (k = 0; k < nm; k++)
		xs[k] = nm == 1 ? (x0 + x1) / 2 : x0 + 12 + (x1 - x0 - 24) *
		    (double)k / (double)(nm - 1);
	for (i = 0; i < ns; i++)
		trend_series(mem, &s[i], nm, xs, top);
	trend_labels(mem, s, ns, nm, xs, top);
	y = top + PLOT_H + 26;
	for (k = 0; k < nm; k++) {
		snprintf(mb, sizeof(mb), "%04d-%02d", (first + k) / 12,
		    (first + k) % 12 + 1);
		if (nm <= 8)
			fprintf(mem, "<text class=\"month\" x=\"%.1f\" "
			    "y=\"%.1f\" text-anchor=\"middle\" "
			    "font-size=\"9.5\">%s</text>\n", xs[k], y, mb);
		else
			fprintf(mem, "<text class=\"month\" x=\"%.1f\" "
			    "y=\"%.1f\" text-anchor=\"end\" font-size=\"9.5\" "
			    "transform=\"rotate(-45 %.1f %.1f)\">%s</text>\n",
			    xs[k], y - 4, xs[k], y - 4, mb);
	}
	h = y + (nm <= 8 ? 8 : 40);
	if (fclose(mem) != 0) {
		free(body);
		return -1;
	}
	svg_open(f, "chart trend", title, h);
	put_title(f, title);
	fwrite(body, 1, blen, f);
	free(body);
	fputs("</svg>\n", f);
	return ferror(f) ? -1 : 0;
}
