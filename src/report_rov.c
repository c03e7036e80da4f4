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
		"経路情報の正当性検証（ROV）の実施状況：RPKIでInvalidとなる経路を"
		"破棄しているか",
		"事業者", "状態", "根拠", "フィード数（フルテーブル）", "広報経路数",
		"うちInvalid", "コレクタが観測したInvalid経路", "通過するInvalid経路",
		"理由（英語）", "例",
		"公開BGPルートコレクタの経路表（RIBダンプ）から推定しています。"
		"事業者自身のルータがコレクタに送るフルテーブルに、コレクタが"
		"観測する多数のRPKI Invalid経路が一つも含まれなければ、破棄している"
		"と判定します。他事業者のASパス上で当該事業者を経由するInvalid経路は、"
		"より弱い根拠として扱います。制御プレーンでの根拠に限られ、"
		"デフォルト経路を持つ事業者はInvalidな宛先へも転送し得ます。"
		"判定の閾値と注意点は probes/rpki/README.md を参照してください。",
	},
};

const char *
hy_report_rov_status(const char *s, enum hy_report_lang lang)
{
	static const char *const keys[] = { "filtering", "partial",
	    "not-filtering", "no-data" };
	static const char *const names[2][4] = {
		[HY_LANG_EN] = { "filtering", "partial", "not filtering",
		    "no data" },
		[HY_LANG_JA] = { "破棄している", "一部のみ破棄",
		    "破棄していない", "データなし" },
	};
	size_t i;

	for (i = 0; i < 4; i++)
		if (s != NULL && strcmp(s, keys[i]) == 0)
			return names[lang][i];
	return "?";
}

const char *
hy_report_rov_evidence(const char *s, enum hy_report_lang lang)
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

long long
hy_report_rov_full_feeds(const json_t *rov)
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

char *
hy_report_rov_example(const json_t *e)
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
	fputs("<h2 id=\"rov\">", f);
	hy_html_escape(f, rl[lang][R_TITLE]);
	fprintf(f, "</h2>\n<table class=\"rov\">\n<thead><tr><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s"
	    "</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>\n<tbody>\n",
	    rl[lang][R_ISP], rl[lang][R_STATUS],
	    rl[lang][R_EVIDENCE], rl[lang][R_FEEDS], rl[lang][R_EXPORTED],
	    rl[lang][R_INVALID], rl[lang][R_IN_VIEW], rl[lang][R_TRANSIT],
	    rl[lang][R_WHY], rl[lang][R_EXAMPLES]);
	json_array_foreach(json_object_get(stats, "isps"), i, isp) {
		if ((rov = isp_rov(isp)) == NULL)
			continue;
		fputs("<tr><td class=\"t\">", f);
		hy_html_escape(f, str(isp, lang == HY_LANG_JA ? "name_ja" :
		    "name"));
		fprintf(f, "</td><td class=\"v\">%s</td><td class=\"t\">%s</td>"
		    "<td>%zu (%lld)</td><td>%lld</td><td>%lld</td><td>%lld</td>"
		    "<td>%lld</td><td class=\"t\">",
		    hy_report_rov_status(str(rov, "status"), lang),
		    hy_report_rov_evidence(str(rov, "evidence"), lang),
		    json_array_size(json_object_get(rov, "feeds")),
		    hy_report_rov_full_feeds(rov), num(rov, "routes_exported"),
		    num(rov, "invalid_exported"), num(rov, "invalid_in_view"),
		    num(rov, "invalid_transit"));
		hy_html_escape(f, str(rov, "reason"));
		fputs("</td><td class=\"t\">", f);
		json_array_foreach(json_object_get(rov, "examples"), j, e) {
			if ((t = hy_report_rov_example(e)) == NULL)
				continue;
			fputs(j ? "<br><code>" : "<code>", f);
			hy_html_escape_wrap(f, t);
			fputs("</code>", f);
			free(t);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n<p>", f);
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
		    "| ", hy_report_rov_status(str(rov, "status"), lang),
		    hy_report_rov_evidence(str(rov, "evidence"), lang),
		    json_array_size(json_object_get(rov, "feeds")),
		    hy_report_rov_full_feeds(rov), num(rov, "routes_exported"),
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
			if ((t = hy_report_rov_example(e)) == NULL)
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
