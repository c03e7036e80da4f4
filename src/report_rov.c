/*
 * The reports' ROV enforcement section (see report_int.h): one row per
 * ISP from stats.json's isps[].rpki.rov (survey --paths), with the
 * status, the counts behind it, why, and the evidence an operator can
 * check. Nothing is printed when no ISP has ROV figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report_int.h"

enum rl {
	R_TITLE, R_ISP, R_STATUS, R_EVIDENCE, R_FEEDS, R_EXPORTED, R_INVALID,
	R_IN_VIEW, R_TRANSIT, R_WHY, R_EXAMPLES, R_NOTE, R_N
};

static const char *const rl[2][R_N] = {
	[HY_LANG_EN] = {
		"Route origin validation (ROV) enforcement: does the ISP drop "
		"RPKI-invalid routes?",
		"ISP", "Status", "Evidence", "Feeds (full)", "Routes exported",
		"Invalid exported", "Invalid in view", "Invalid as transit",
		"Why", "Examples",
		"Inferred from public BGP route collectors (RIB dumps): an ISP "
		"whose full routing table, as its own routers send it to a "
		"collector, carries none of the many RPKI-invalid routes the "
		"collector sees is filtering them. Invalid routes crossing the "
		"ISP on other networks' paths are weaker evidence. This is "
		"control-plane evidence only (a filtering ISP with a default "
		"route still forwards traffic to invalid destinations); the "
		"thresholds and caveats are in probes/rpki/README.md.",
	},
	[HY_LANG_JA] = {
		"経路origin検証 (ROV) の実施状況: RPKI で無効な経路を破棄しているか",
		"事業者", "状態", "根拠", "フィード数 (フルテーブル)", "広報経路数",
		"うち無効経路", "コレクタが見る無効経路", "トランジットの無効経路",
		"理由 (英語)", "例",
		"公開 BGP ルートコレクタの経路表 (RIB ダンプ) から推定しています。"
		"事業者自身のルータがコレクタに送るフルテーブルに、コレクタが"
		"観測する多数の RPKI 無効経路が一つも含まれなければ、破棄している"
		"と判定します。他網の AS パス上で当該事業者を経由する無効経路は、"
		"より弱い根拠として扱います。制御プレーンの根拠のみであり、"
		"デフォルト経路を持つ事業者は無効な宛先へも転送し得ます。"
		"閾値と注意点は probes/rpki/README.md を参照してください。",
	},
};

static const char *
status_label(const char *s, enum hy_report_lang lang)
{
	static const char *const keys[] = { "filtering", "partial",
	    "not-filtering", "no-data" };
	static const char *const names[2][4] = {
		[HY_LANG_EN] = { "filtering", "partial", "not filtering",
		    "no data" },
		[HY_LANG_JA] = { "破棄している", "一部のみ破棄", "破棄していない",
		    "データなし" },
	};
	size_t i;

	for (i = 0; i < 4; i++)
		if (s != NULL && strcmp(s, keys[i]) == 0)
			return names[lang][i];
	return "?";
}

static const char *
evidence_label(const char *s, enum hy_report_lang lang)
{
	if (s != NULL && strcmp(s, "feed") == 0)
		return lang == HY_LANG_JA ? "フルテーブルのフィード" :
		    "full-table feeds";
	if (s != NULL && strcmp(s, "transit") == 0)
		return lang == HY_LANG_JA ? "トランジット経路のみ" :
		    "transit paths only";
	return lang == HY_LANG_JA ? "なし" : "none";
}

static const json_t *
isp_rov(const json_t *isp)
{
	const json_t *r = json_object_get(json_object_get(isp, "rpki"), "rov");

	return json_is_object(r) ? r : NULL;
}

static bool
any_rov(const json_t *stats)
{
	const json_t *isp;
	size_t i;

	json_array_foreach(json_object_get(stats, "isps"), i, isp)
		if (isp_rov(isp) != NULL)
			return true;
	return false;
}

static long long
num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static const char *
str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

/* Feeds with a full table in either family. */
static long long
full_feeds(const json_t *rov)
{
	const json_t *f, *fam;
	const char *k;
	long long n = 0;
	size_t i;
	bool full;

	json_array_foreach(json_object_get(rov, "feeds"), i, f) {
		full = false;
		json_object_foreach((json_t *)json_object_get(f, "families"), k,
		    fam)
			full |= json_is_true(json_object_get(fam, "full_table"));
		n += full;
	}
	return n;
}

/* "exported 192.0.2.0/24 (AS64500, invalid-asn) path 2497 64500, peer
 * AS2497 192.0.2.1" (malloc'd). */
static char *
example_text(const json_t *e)
{
	const json_t *set = json_object_get(e, "origin_as_set"), *m;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	fprintf(f, "%s %s (", str(e, "kind"), str(e, "prefix"));
	if (json_is_array(set)) {
		fputs("AS_SET {", f);
		json_array_foreach(set, i, m)
			fprintf(f, "%s%lld", i ? "," : "",
			    json_integer_value(m));
		fputs("}", f);
	} else
		fprintf(f, "AS%lld", num(e, "origin_asn"));
	fprintf(f, ", %s) path %s, peer AS%lld %s", str(e, "state"),
	    str(e, "path"), num(e, "peer_asn"), str(e, "peer_ip"));
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int
hy_report_rov_html(FILE *f, const json_t *stats, enum hy_report_lang lang)
{
	const json_t *isp, *rov, *e;
	char *t;
	size_t i, j;

	if (!any_rov(stats))
		return 0;
	fputs("<table>\n<caption>", f);
	hy_html_escape(f, rl[lang][R_TITLE]);
	fprintf(f, "</caption>\n<tr><th>%s</th><th>%s</th><th>%s</th><th>%s"
	    "</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th></tr>\n", rl[lang][R_ISP], rl[lang][R_STATUS],
	    rl[lang][R_EVIDENCE], rl[lang][R_FEEDS], rl[lang][R_EXPORTED],
	    rl[lang][R_INVALID], rl[lang][R_IN_VIEW], rl[lang][R_TRANSIT],
	    rl[lang][R_WHY], rl[lang][R_EXAMPLES]);
	json_array_foreach(json_object_get(stats, "isps"), i, isp) {
		if ((rov = isp_rov(isp)) == NULL)
			continue;
		fputs("<tr><td class=\"t\">", f);
		hy_html_escape(f, str(isp, lang == HY_LANG_JA ? "name_ja" :
		    "name"));
		fprintf(f, "</td><td class=\"t\">%s</td><td class=\"t\">%s</td>"
		    "<td>%zu (%lld)</td><td>%lld</td><td>%lld</td><td>%lld</td>"
		    "<td>%lld</td><td class=\"t\">",
		    status_label(str(rov, "status"), lang),
		    evidence_label(str(rov, "evidence"), lang),
		    json_array_size(json_object_get(rov, "feeds")),
		    full_feeds(rov), num(rov, "routes_exported"),
		    num(rov, "invalid_exported"), num(rov, "invalid_in_view"),
		    num(rov, "invalid_transit"));
		hy_html_escape(f, str(rov, "reason"));
		fputs("</td><td class=\"t\">", f);
		json_array_foreach(json_object_get(rov, "examples"), j, e) {
			if ((t = example_text(e)) == NULL)
				continue;
			fputs(j ? "<br><code>" : "<code>", f);
			hy_html_escape(f, t);
			fputs("</code>", f);
			free(t);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<p>", f);
	hy_html_escape(f, rl[lang][R_NOTE]);
	fputs("</p>\n", f);
	return ferror(f) ? -1 : 0;
}

int
hy_report_rov_md(FILE *f, const json_t *stats, enum hy_report_lang lang)
{
	const json_t *isp, *rov, *e;
	char *t;
	size_t i, j;

	if (!any_rov(stats))
		return 0;
	fprintf(f, "\n### %s\n\n| %s | %s | %s | %s | %s | %s | %s | %s | %s "
	    "|\n|---|---|---|---:|---:|---:|---:|---:|---|\n", rl[lang][R_TITLE],
	    rl[lang][R_ISP], rl[lang][R_STATUS], rl[lang][R_EVIDENCE],
	    rl[lang][R_FEEDS], rl[lang][R_EXPORTED], rl[lang][R_INVALID],
	    rl[lang][R_IN_VIEW], rl[lang][R_TRANSIT], rl[lang][R_WHY]);
	json_array_foreach(json_object_get(stats, "isps"), i, isp) {
		if ((rov = isp_rov(isp)) == NULL)
			continue;
		fputs("| ", f);
		hy_report_md_escape(f, str(isp, lang == HY_LANG_JA ? "name_ja" :
		    "name"));
		fprintf(f, " | %s | %s | %zu (%lld) | %lld | %lld | %lld | %lld "
		    "| ", status_label(str(rov, "status"), lang),
		    evidence_label(str(rov, "evidence"), lang),
		    json_array_size(json_object_get(rov, "feeds")),
		    full_feeds(rov), num(rov, "routes_exported"),
		    num(rov, "invalid_exported"), num(rov, "invalid_in_view"),
		    num(rov, "invalid_transit"));
		hy_report_md_escape(f, str(rov, "reason"));
		fputs(" |\n", f);
	}
	/* The evidence, ISP by ISP, below the table. */
	json_array_foreach(json_object_get(stats, "isps"), i, isp) {
		if ((rov = isp_rov(isp)) == NULL ||
		    json_array_size(json_object_get(rov, "examples")) == 0)
			continue;
		fprintf(f, "\n%s: ", rl[lang][R_EXAMPLES]);
		hy_report_md_escape(f, str(isp, lang == HY_LANG_JA ? "name_ja" :
		    "name"));
		fputs("\n\n", f);
		json_array_foreach(json_object_get(rov, "examples"), j, e) {
			if ((t = example_text(e)) == NULL)
				continue;
			fputs("- ", f);
			hy_report_md_escape(f, t);
			fputc('\n', f);
			free(t);
		}
	}
	fprintf(f, "\n%s\n", rl[lang][R_NOTE]);
	return ferror(f) ? -1 : 0;
}

static int
csv_cell(FILE *f, const char *s, bool last)
{
	char *c = hy_csv_cell(s);
	int rc;

	if (c == NULL)
		return -1;
	rc = fputs(c, f);
	free(c);
	return rc < 0 || fputc(last ? '\n' : ',', f) == EOF ? -1 : 0;
}

int
hy_report_rov_csv(FILE *f, const json_t *stats)
{
	const json_t *isp, *rov, *e;
	char *t = NULL, *ex = NULL;
	size_t i, j, len = 0;
	FILE *m;

	if (!any_rov(stats))
		return 0;
	fputs("\nisp_id,rov_status,rov_evidence,feeds,full_feeds,"
	    "routes_exported,invalid_exported,invalid_own,invalid_in_view,"
	    "invalid_transit,reason,examples\n", f);
	json_array_foreach(json_object_get(stats, "isps"), i, isp) {
		if ((rov = isp_rov(isp)) == NULL)
			continue;
		if ((m = open_memstream(&ex, &len)) == NULL)
			return -1;
		json_array_foreach(json_object_get(rov, "examples"), j, e)
			if ((t = example_text(e)) != NULL) {
				fprintf(m, "%s%s", j ? "; " : "", t);
				free(t);
			}
		if (fclose(m) != 0 || csv_cell(f, str(isp, "id"), false) ||
		    csv_cell(f, str(rov, "status"), false) ||
		    csv_cell(f, str(rov, "evidence"), false) ||
		    fprintf(f, "%zu,%lld,%lld,%lld,%lld,%lld,%lld,",
		    json_array_size(json_object_get(rov, "feeds")),
		    full_feeds(rov), num(rov, "routes_exported"),
		    num(rov, "invalid_exported"), num(rov, "invalid_own"),
		    num(rov, "invalid_in_view"), num(rov, "invalid_transit")) < 0 ||
		    csv_cell(f, str(rov, "reason"), false) ||
		    csv_cell(f, ex != NULL ? ex : "", true)) {
			free(ex);
			return -1;
		}
		free(ex);
		ex = NULL;
	}
	return ferror(f) ? -1 : 0;
}
