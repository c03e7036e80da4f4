/*
 * The reports' provenance block: where the numbers came from. What the
 * report knows for itself (the tool that wrote it, the month, the run's
 * times from the history, the months of the trend, whether RPKI and ROV
 * figures were part of the survey), then stats.json's "provenance"
 * object when the survey recorded one, rendered generically: every leaf
 * becomes one line whose label joins the words of its path (known keys
 * in English or Japanese, others as written), so keys added later show
 * without a change here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "report_int.h"

static const struct {
	const char *key, *en, *ja;
} words[] = {
	{ "provenance", "Provenance", "来歴" },
	{ "tool", "Tool", "ツール" },
	{ "tool_version", "Survey tool version", "調査ツールの版" },
	{ "version", "version", "版" },
	{ "run", "Run", "実行" },
	{ "started_at", "started", "開始" },
	{ "finished_at", "finished", "終了" },
	{ "start", "start", "開始" },
	{ "end", "end", "終了" },
	{ "resolver", "Resolver", "リゾルバー" },
	{ "resolvers", "Resolvers", "リゾルバー" },
	{ "trust_anchor", "DNSSEC trust anchor", "DNSSECトラストアンカー" },
	{ "trust_anchors", "DNSSEC trust anchors", "DNSSECトラストアンカー" },
	{ "key_tags", "key tags", "鍵タグ" },
	{ "vrp", "VRPs", "VRP（検証済みROA）" },
	{ "vrps", "VRPs", "VRP（検証済みROA）" },
	{ "source", "source", "取得元" },
	{ "serial", "serial", "シリアル番号" },
	{ "session_id", "session", "セッションID" },
	{ "count", "count", "件数" },
	{ "sha256", "SHA-256", "SHA-256" },
	{ "hash", "hash", "ハッシュ" },
	{ "routes", "Routes", "経路表" },
	{ "date", "date", "日付" },
	{ "domain_list", "Domain list", "ドメインリスト" },
	{ "domains", "Domains", "ドメイン" },
	{ "isps", "ISP list", "事業者リスト" },
	{ "exclude", "Opt-out list", "除外リスト" },
	{ "paths", "Collector RIB dumps", "ルートコレクタのRIBダンプ" },
	{ "name", "name", "名称" },
	{ "file", "file", "ファイル" },
	{ "type", "type", "種別" },
	{ "host", "host", "ホスト" },
	{ "build_time", "build time", "生成時刻" },
	{ "options", "Options", "オプション" },
	{ "qps", "queries per second (--qps)", "毎秒問い合わせ数上限（--qps）" },
	{ "concurrency", "concurrency (--concurrency)",
	    "同時問い合わせ数（--concurrency）" },
	{ "timeout", "timeout (--timeout)", "タイムアウト（--timeout）" },
	{ "timeout_ms", "timeout, ms (--timeout)",
	    "タイムアウト（ミリ秒、--timeout）" },
	{ "at", "validation time (--at)", "検証時刻（--at）" },
};

static const char *
word(const char *key, enum hy_report_lang lang)
{
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(words[i].key, key) == 0)
			return tr(lang, words[i].en, words[i].ja);
	return key;
}

struct walk {
	hy_report_prov_fn	 fn;
	void			*arg;
	enum hy_report_lang	 lang;
};

/* A scalar as text (malloc'd). */
static char *
scalar_text(const json_t *v, enum hy_report_lang lang)
{
	char *s = NULL;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return strdup(json_string_value(v));
	case JSON_INTEGER:
		if (asprintf(&s, "%lld", (long long)json_integer_value(v)) < 0)
			return NULL;
		return s;
	case JSON_REAL:
		if (asprintf(&s, "%g", json_real_value(v)) < 0)
			return NULL;
		return s;
	case JSON_TRUE:
		return strdup(tr(lang, "yes", "あり"));
	case JSON_FALSE:
		return strdup(tr(lang, "no", "なし"));
	default:
		return strdup("—");
	}
}

static bool
all_scalars(const json_t *a)
{
	const json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_is_object(v) || json_is_array(v))
			return false;
	return true;
}

static int walk_value(struct walk *, const char *label, const json_t *v);

/* label + the word of key ("VRPs: count", 「VRP（検証済みROA）・件数」). */
static int
walk_member(struct walk *w, const char *label, const char *key,
    const json_t *v)
{
	char *l = NULL;
	int rc;

	if (label == NULL)
		l = strdup(word(key, w->lang));
	else if (asprintf(&l, "%s%s%s", label, tr(w->lang, ": ", "・"),
	    word(key, w->lang)) < 0)
		l = NULL;
	if (l == NULL)
		return -1;
	rc = walk_value(w, l, v);
	free(l);
	return rc;
}

static int
walk_value(struct walk *w, const char *label, const json_t *v)
{
	const json_t *m;
	const char *k;
	char *text = NULL, *idx = NULL, *t;
	size_t i, len = 0;
	FILE *f;
	int rc = 0;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, m)
			if ((rc = walk_member(w, label, k, m)) != 0)
				return rc;
		return 0;
	}
	if (json_is_array(v) && !all_scalars(v)) {
		json_array_foreach(v, i, m) {
			if (asprintf(&idx, "%s [%zu]", label, i + 1) < 0)
				return -1;
			rc = walk_value(w, idx, m);
			free(idx);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	if (json_is_array(v)) {
		if ((f = open_memstream(&text, &len)) == NULL)
			return -1;
		json_array_foreach(v, i, m) {
			if ((t = scalar_text(m, w->lang)) == NULL)
				continue;
			fprintf(f, "%s%s", i ? ", " : "", t);
			free(t);
		}
		if (fclose(f) != 0) {
			free(text);
			return -1;
		}
	} else if ((text = scalar_text(v, w->lang)) == NULL)
		return -1;
	rc = w->fn(w->arg, label, text);
	free(text);
	return rc;
}

static bool
any_rov(const json_t *stats)
{
	const json_t *isp;
	size_t i;

	json_array_foreach(json_object_get(stats, "isps"), i, isp)
		if (json_is_object(json_object_get(json_object_get(isp, "rpki"),
		    "rov")))
			return true;
	return false;
}

static bool
any_rpki(const json_t *stats)
{
	const json_t *isp;
	size_t i;

	json_array_foreach(json_object_get(stats, "isps"), i, isp)
		if (json_is_object(json_object_get(isp, "rpki")))
			return true;
	return false;
}

/* What the report knows without a recorded provenance. */
static int
walk_known(const struct hy_report_in *in, struct walk *w)
{
	const json_t *st = in->stats;
	char b[256], m1[32], m2[32];
	size_t nh = json_array_size(in->history);
	int rc;

	if ((rc = w->fn(w->arg, tr(w->lang, "Report written by",
	    "報告書の作成ツール"), "hygiene " HYGIENE_VERSION)) != 0)
		return rc;
	hy_report_month(m1, sizeof(m1), hy_jstr(st, "month"), w->lang);
	if ((rc = w->fn(w->arg, tr(w->lang, "Survey month", "調査月"),
	    m1)) != 0)
		return rc;
	if (in->prev != NULL) {
		hy_report_month(m2, sizeof(m2), hy_jstr(in->prev, "month"),
		    w->lang);
		if ((rc = w->fn(w->arg, tr(w->lang, "Compared with",
		    "比較対象月"), m2)) != 0)
			return rc;
	}
	if (in->run != NULL) {
		snprintf(b, sizeof(b), "%s – %s", hy_jstr(in->run,
		    "started_at"), *hy_jstr(in->run, "finished_at") ?
		    hy_jstr(in->run, "finished_at") : "…");
		if ((rc = w->fn(w->arg, tr(w->lang, "Survey run (UTC, from "
		    "the history)", "調査の実施日時（UTC、履歴より）"), b)) != 0)
			return rc;
	}
	if (nh > 0) {
		hy_report_month(m1, sizeof(m1), hy_jstr(json_array_get(
		    in->history, 0), "month"), w->lang);
		hy_report_month(m2, sizeof(m2), hy_jstr(st, "month"), w->lang);
		snprintf(b, sizeof(b), w->lang == HY_LANG_JA ?
		    "%s～%s（調査%zu回）" : "%s to %s (%zu surveys)", m1, m2,
		    nh);
		if ((rc = w->fn(w->arg, tr(w->lang, "Months in the trend",
		    "推移の対象期間"), b)) != 0)
			return rc;
	}
	snprintf(b, sizeof(b), "%lld", hy_jint(json_object_get(st, "totals"),
	    "domains"));
	if ((rc = w->fn(w->arg, tr(w->lang, "Domains surveyed",
	    "調査ドメイン数"), b)) != 0)
		return rc;
	if ((rc = w->fn(w->arg, tr(w->lang, "RPKI figures", "RPKIの集計"),
	    any_rpki(st) ? tr(w->lang, "each ISP's announced routes "
	    "validated against the survey's VRPs", "各事業者の広報経路を調査時"
	    "のVRPで検証") : tr(w->lang, "not part of this survey (no routes "
	    "source)", "この調査では未実施（経路表の指定なし）"))) != 0)
		return rc;
	if (!any_rov(st))
		return 0;
	return w->fn(w->arg, tr(w->lang, "ROV enforcement", "ROVの実施状況"),
	    tr(w->lang, "inferred from route collector RIB dumps",
	    "ルートコレクタのRIBダンプから推定"));
}

int
hy_report_prov_walk(const struct hy_report_in *in, enum hy_report_lang lang,
    hy_report_prov_fn fn, void *arg)
{
	struct walk w = { fn, arg, lang };
	const json_t *p = json_object_get(in->stats, "provenance");
	int rc;

	if ((rc = walk_known(in, &w)) != 0)
		return rc;
	if (json_is_object(p))
		return walk_value(&w, NULL, p);
	return fn(arg, tr(lang, "Resolver, trust anchor, VRP set, routes, "
	    "domain list, options", "リゾルバー、トラストアンカー、VRP、"
	    "経路表、ドメインリスト、オプション"), tr(lang, "not recorded "
	    "by the version of hygiene that ran this survey",
	    "この調査を実施した版のhygieneは記録していません"));
}

static int
prov_dl(void *arg, const char *label, const char *value)
{
	FILE *f = arg;

	fputs("<dt>", f);
	hy_html_escape(f, label);
	fputs("</dt><dd>", f);
	hy_html_escape(f, value);
	fputs("</dd>\n", f);
	return 0;
}

int
hy_report_prov_html(FILE *f, const struct hy_report_in *in,
    enum hy_report_lang lang)
{
	fprintf(f, "<h2 id=\"provenance\">%s</h2>\n<dl class=\"prov\">\n",
	    tr(lang, "Where the numbers come from", "データの出所"));
	if (hy_report_prov_walk(in, lang, prov_dl, f) != 0)
		return -1;
	fputs("</dl>\n", f);
	return ferror(f) ? -1 : 0;
}

static int
prov_li(void *arg, const char *label, const char *value)
{
	FILE *f = arg;

	fputs("- ", f);
	hy_report_md_escape(f, label);
	fputs(": ", f);
	hy_report_md_escape(f, value);
	fputc('\n', f);
	return 0;
}

int
hy_report_prov_md(FILE *f, const struct hy_report_in *in,
    enum hy_report_lang lang)
{
	fprintf(f, "\n### %s\n\n", tr(lang, "Where the numbers come from",
	    "データの出所"));
	if (hy_report_prov_walk(in, lang, prov_li, f) != 0)
		return -1;
	return ferror(f) ? -1 : 0;
}
