/*
 * The reports' vocabulary and figures (see report_int.h): technologies,
 * their verdict categories with English and Japanese words, adoption
 * rates, and the per-domain helpers every format shares.
 *
 * Japanese follows the usage of 総務省, JPRS and JPCERT/CC material on
 * these technologies: 送信ドメイン認証, DNSSEC署名, 経路情報の正当性検証
 * (ROV), ROA; RFC terms (secure, p=reject, enforce, Valid/Invalid/
 * NotFound) stay in Latin letters beside the Japanese, as those reports
 * write them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hygiene/catalog.h"
#include "hygiene/stats.h"
#include "report_int.h"

/* Colours: adopted in greens/blues, partial in amber, missing in sand,
 * errors in red, "could not measure" in grey (the charts also hatch
 * it). Chosen to stay apart in greyscale print. */
#define C_GOOD		"#1b7837"
#define C_GOOD2		"#5aae61"
#define C_PART		"#e0a800"
#define C_NONE		"#f1dca7"
#define C_ERR		"#b2182b"
#define C_ERR2		"#e66a5c"
#define C_UNMEAS	"#8c8c8c"

#define UNMEASURED(k1, k2) { { k1, k2, NULL }, \
	{ "Could not be measured", "測定できず" }, C_UNMEAS, false, false }

static const struct hy_cat cats_dnssec[] = {
	{ { "secure", NULL }, { "Signed and validated (secure)",
	    "署名・検証成功（secure）" }, C_GOOD, true, true },
	{ { "insecure", NULL }, { "Not signed (insecure)",
	    "署名なし（insecure）" }, C_NONE, true, false },
	{ { "bogus", NULL }, { "Validation fails (bogus)",
	    "検証失敗（bogus）" }, C_ERR, true, false },
	UNMEASURED("indeterminate", "not_measured"),
};

static const struct hy_cat cats_spf[] = {
	{ { "valid", NULL }, { "Valid record", "正しいレコードあり" }, C_GOOD,
	    true, true },
	{ { "permerror", NULL }, { "Record with errors (permerror)",
	    "レコードに誤り（permerror）" }, C_ERR, true, false },
	{ { "none", NULL }, { "No record", "レコードなし" }, C_NONE, true,
	    false },
	UNMEASURED("temperror", "not_measured"),
};

static const struct hy_cat cats_dmarc[] = {
	{ { "reject", NULL }, { "p=reject", "p=reject（拒否）" }, C_GOOD,
	    true, true },
	{ { "quarantine", NULL }, { "p=quarantine",
	    "p=quarantine（隔離）" }, C_GOOD2, true, true },
	{ { "none", NULL }, { "p=none (monitoring only)",
	    "p=none（監視のみ）" }, C_PART, true, false },
	{ { "invalid", NULL }, { "Invalid record", "レコードに誤り" }, C_ERR,
	    true, false },
	{ { "absent", NULL }, { "No record", "レコードなし" }, C_NONE, true,
	    false },
	UNMEASURED("temperror", "not_measured"),
};

static const struct hy_cat cats_mta_sts[] = {
	{ { "enforce", NULL }, { "mode: enforce", "enforce（適用）" }, C_GOOD,
	    true, true },
	{ { "testing", NULL }, { "mode: testing", "testing（試行）" },
	    C_PART, true, false },
	{ { "none", NULL }, { "mode: none", "none（無効化）" }, C_ERR2, true,
	    false },
	{ { "invalid", NULL }, { "Invalid record or policy",
	    "レコード・ポリシーに誤り" }, C_ERR, true, false },
	{ { "absent", NULL }, { "Not deployed", "未導入" }, C_NONE, true,
	    false },
	UNMEASURED("temperror", "not_measured"),
};

static const struct hy_cat cats_rpki[] = {
	{ { "valid", NULL }, { "Valid (matches a ROA)",
	    "Valid（ROAと一致）" }, C_GOOD, true, true },
	{ { "invalid-asn", NULL }, { "Invalid: origin AS not in the ROA",
	    "Invalid（起源ASがROAと不一致）" }, C_ERR, true, false },
	{ { "invalid-length", NULL }, { "Invalid: longer than maxLength",
	    "Invalid（maxLengthを超える長さ）" }, C_ERR2, true, false },
	{ { "not-found", NULL }, { "NotFound (no ROA)",
	    "NotFound（ROA未登録）" }, C_NONE, true, false },
};

#define NCATS(a)	(sizeof(a) / sizeof(a[0]))

const struct hy_tech hy_techs[HY_NTECHS] = {
	{ "dnssec_secure", "dnssec", "DNSSEC",
	    { "DNSSEC signed and validated", "DNSSEC署名・検証成功" },
	    { "DNSSEC: validation result of each ISP's own domains",
	    "DNSSEC署名の検証結果（各事業者の自社ドメイン）" },
	    cats_dnssec, NCATS(cats_dnssec), false },
	{ "spf_valid", "spf", "SPF",
	    { "SPF valid record", "SPF正しいレコードあり" },
	    { "SPF (sender authentication): record of each ISP's own "
	    "domains", "SPF（送信ドメイン認証）の設定状況（各事業者の自社ドメイン）" },
	    cats_spf, NCATS(cats_spf), false },
	{ "dmarc_enforced", "dmarc", "DMARC",
	    { "DMARC reject or quarantine",
	    "DMARCポリシー reject/quarantine" },
	    { "DMARC: policy of each ISP's own domains",
	    "DMARCポリシーの設定状況（各事業者の自社ドメイン）" },
	    cats_dmarc, NCATS(cats_dmarc), false },
	{ "mta_sts_enforce", "mta_sts", "MTA-STS",
	    { "MTA-STS enforce", "MTA-STS enforce（適用）" },
	    { "MTA-STS (mail transport encryption): policy of each ISP's "
	    "own domains", "MTA-STS（メール配送経路の暗号化）の導入状況"
	    "（各事業者の自社ドメイン）" },
	    cats_mta_sts, NCATS(cats_mta_sts), false },
	{ "rpki_valid", "rpki", "RPKI",
	    { "RPKI-valid routes (share of routes)",
	    "RPKI Valid経路の割合（経路数ベース）" },
	    { "RPKI: validation of the routes each ISP announces (share of "
	    "routes)", "経路情報の正当性（RPKI）：各事業者が広報する経路の検証"
	    "結果（経路数ベース）" },
	    cats_rpki, NCATS(cats_rpki), true },
};

const char *const hy_state_keys[HY_NSTATES] = {
	"measured", "incomplete", "nxdomain", "invalid_input",
};

static const char *const state_words[HY_NSTATES][2] = {
	{ "Measured", "測定完了" },
	{ "Incomplete", "一部測定できず" },
	{ "Do not exist", "ドメイン不存在" },
	{ "Invalid input", "ドメイン名が不正" },
};

const char *
hy_state_label(size_t i, enum hy_report_lang lang)
{
	return i < HY_NSTATES ? state_words[i][lang] : "?";
}

const char *
hy_jstr(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

long long
hy_jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* ---- figures ---- */

const json_t *
hy_tech_counts(const struct hy_tech *t, const json_t *tally)
{
	const json_t *c;

	if (t->routes)
		c = json_object_get(json_object_get(tally, "rpki"), "routes");
	else
		c = json_object_get(tally, t->section);
	return json_is_object(c) ? c : NULL;
}

long long
hy_cat_count(const struct hy_tech *t, const struct hy_cat *c,
    const json_t *tally)
{
	const json_t *counts = hy_tech_counts(t, tally);
	long long n = 0;
	size_t k;

	for (k = 0; c->keys[k] != NULL; k++)
		n += hy_jint(counts, c->keys[k]);
	return n;
}

double
hy_tech_rate(const struct hy_tech *t, const json_t *tally, long long *n)
{
	long long good = 0, den = 0, v;
	size_t c;

	if (n != NULL)
		*n = 0;
	if (hy_tech_counts(t, tally) == NULL)
		return NAN;
	for (c = 0; c < t->ncats; c++) {
		if (!t->cats[c].measured)
			continue;
		v = hy_cat_count(t, &t->cats[c], tally);
		den += v;
		if (t->cats[c].good)
			good += v;
	}
	if (n != NULL)
		*n = den;
	return den > 0 ? 100.0 * (double)good / (double)den : NAN;
}

/* Add the integer members of src into dst (created as needed). */
static int
sum_into(json_t *dst, const json_t *src)
{
	const char *k;
	json_t *v, *d;

	json_object_foreach((json_t *)src, k, v) {
		if (json_is_integer(v)) {
			d = json_object_get(dst, k);
			if (json_object_set_new(dst, k, json_integer(
			    json_integer_value(d) + json_integer_value(v))))
				return -1;
		} else if (json_is_object(v)) {
			if ((d = json_object_get(dst, k)) == NULL) {
				if ((d = json_object()) == NULL ||
				    json_object_set_new(dst, k, d) != 0)
					return -1;
			}
			if (json_is_object(d) && sum_into(d, v) != 0)
				return -1;
		}
	}
	return 0;
}

/* The RPKI routes of every ISP that has RPKI figures, into tally.rpki;
 * none when no ISP has any. */
static int
sum_routes(json_t *tally, const json_t *stats)
{
	const json_t *isp, *r;
	json_t *sum = NULL;
	size_t i;

	json_array_foreach(json_object_get(stats, "isps"), i, isp) {
		r = json_object_get(json_object_get(isp, "rpki"), "routes");
		if (!json_is_object(r))
			continue;
		if (sum == NULL && ((sum = json_object()) == NULL ||
		    json_object_set_new(tally, "rpki", json_pack("{s:o}",
		    "routes", sum)) != 0))
			return -1;
		if (sum_into(sum, r) != 0)
			return -1;
	}
	return 0;
}

json_t *
hy_report_own_total(const json_t *stats)
{
	static const char *const secs[] = { "dnssec", "spf", "dmarc",
	    "mta_sts" };
	const json_t *isp;
	json_t *t = json_object(), *part;
	size_t i, s;
	int rc = 0;

	if (t == NULL)
		return NULL;
	json_array_foreach(json_object_get(stats, "isps"), i, isp) {
		/* only the tally's own members: not rpki or hosted */
		if ((part = json_object()) == NULL)
			goto fail;
		json_object_set(part, "domains", json_object_get(isp,
		    "domains"));
		for (s = 0; s < HY_NSTATES; s++)
			json_object_set(part, hy_state_keys[s],
			    json_object_get(isp, hy_state_keys[s]));
		for (s = 0; s < 4; s++)
			json_object_set(part, secs[s], json_object_get(isp,
			    secs[s]));
		rc = sum_into(t, part);
		json_decref(part);
		if (rc != 0)
			goto fail;
	}
	if (sum_routes(t, stats) != 0)
		goto fail;
	return t;
fail:
	json_decref(t);
	return NULL;
}

json_t *
hy_report_all_total(const json_t *stats)
{
	json_t *t = json_deep_copy(json_object_get(stats, "totals"));

	if (t == NULL)
		t = json_object();
	if (t == NULL || sum_routes(t, stats) != 0) {
		json_decref(t);
		return NULL;
	}
	return t;
}

const json_t *
hy_report_isp(const json_t *stats, const char *id)
{
	const json_t *isp;
	size_t i;

	json_array_foreach(json_object_get(stats, "isps"), i, isp)
		if (strcmp(hy_jstr(isp, "id"), id) == 0)
			return isp;
	return NULL;
}

const char *
hy_report_isp_name(const json_t *isp, enum hy_report_lang lang)
{
	return hy_jstr(isp, lang == HY_LANG_JA ? "name_ja" : "name");
}

/* ---- verdict words ---- */

static const struct {
	const char *section, *key, *ja;
} verdict_ja[] = {
	{ "dnssec", "secure", "検証成功" },
	{ "dnssec", "insecure", "署名なし" },
	{ "dnssec", "bogus", "検証失敗" },
	{ "dnssec", "indeterminate", "判定不能" },
	{ "spf", "valid", "正常" },
	{ "spf", "none", "なし" },
	{ "spf", "permerror", "誤り（permerror）" },
	{ "dmarc", "valid", "正常" },
	{ "dmarc", "none", "none（監視のみ）" },
	{ "dmarc", "absent", "なし" },
	{ "dmarc", "invalid", "誤り" },
	{ "mta_sts", "absent", "なし" },
	{ "mta_sts", "invalid", "誤り" },
	{ "tls_rpt", "valid", "あり" },
	{ "tls_rpt", "absent", "なし" },
	{ "tls_rpt", "invalid", "誤り" },
	{ NULL, "temperror", "一時エラー" },
	{ NULL, "not_measured", "未測定" },
	{ NULL, "n/a", "該当なし" },
};

const char *
hy_report_verdict(const char *section, const char *key,
    enum hy_report_lang lang)
{
	size_t i;

	if (lang == HY_LANG_EN)
		return strcmp(key, "not_measured") == 0 ? "not measured" : key;
	for (i = 0; i < sizeof(verdict_ja) / sizeof(verdict_ja[0]); i++)
		if (strcmp(verdict_ja[i].key, key) == 0 &&
		    (verdict_ja[i].section == NULL ||
		    strcmp(verdict_ja[i].section, section) == 0))
			return verdict_ja[i].ja;
	return key;
}

const char *
hy_report_dom_status(const json_t *obj, const char *section)
{
	const json_t *s = json_object_get(obj, section);
	const char *st;

	if (hy_stats_measurement(obj) == HY_MEAS_NXDOMAIN)
		return "n/a";
	if (!json_is_object(s))
		return "not_measured";
	st = json_string_value(json_object_get(s, "status"));
	if (st == NULL)
		return "not_measured";
	if (strcmp(section, "dmarc") == 0 && strcmp(st, "valid") == 0 &&
	    json_is_string(json_object_get(s, "policy")))
		return json_string_value(json_object_get(s, "policy"));
	return st;
}

const char *
hy_report_dom_state(const json_t *obj)
{
	/* recomputed: a stored line's own "measurement" is not trusted
	 * over its verdicts */
	return hy_measurement_str(hy_stats_measurement(obj));
}

char *
hy_report_dom_errors(const json_t *obj, enum hy_report_lang lang)
{
	const json_t *e;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	json_array_foreach(json_object_get(obj, "errors"), i, e)
		fprintf(f, "%s%s: %s", i ? "; " : "", hy_jstr(e, "code"),
		    hy_report_finding_text("errors", e, lang));
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

const char *
hy_report_finding_text(const char *section, const json_t *f,
    enum hy_report_lang lang)
{
	const struct hy_catalog_entry *c;

	if (lang == HY_LANG_JA &&
	    (c = hy_catalog_find(section, hy_jstr(f, "code"))) != NULL)
		return c->ja;
	return hy_jstr(f, "message");
}

/* ---- formatting ---- */

void
hy_report_month(char *buf, size_t len, const char *month,
    enum hy_report_lang lang)
{
	int y, m;

	if (lang == HY_LANG_JA && sscanf(month, "%4d-%2d", &y, &m) == 2)
		snprintf(buf, len, "%d年%d月", y, m);
	else
		snprintf(buf, len, "%s", month);
}

void
hy_report_fmt_rate(char *buf, size_t len, double r, enum hy_report_lang lang)
{
	if (isnan(r))
		snprintf(buf, len, "%s", tr(lang, "n/a", "該当なし"));
	else
		snprintf(buf, len, "%.1f%%", r);
}

void
hy_report_fmt_delta(char *buf, size_t len, double cur, double old)
{
	if (isnan(cur) || isnan(old))
		snprintf(buf, len, "–");
	else
		/* never "-0.0" */
		snprintf(buf, len, "%+.1f", fabs(cur - old) < 0.05 ? 0.0 :
		    cur - old);
}

/* ---- the per-domain tables' rows ---- */

struct dom_walk {
	hy_report_dom_fn fn;
	void		*arg;
};

static int
dom_walk_one(void *arg, const char *json, unsigned attempts)
{
	struct dom_walk *w = arg;
	json_t *obj;
	int rc;

	(void)attempts;
	if ((obj = json_loads(json, 0, NULL)) == NULL)
		return -1;
	rc = w->fn(w->arg, obj);
	json_decref(obj);
	return rc;
}

int
hy_report_domains_foreach(const struct hy_report_in *in, hy_report_dom_fn fn,
    void *arg)
{
	struct dom_walk w = { fn, arg };
	const json_t *d;
	size_t i;
	int rc;

	if (in->store != NULL)
		return hy_store_results_foreach(in->store,
		    hy_jstr(in->stats, "month"), dom_walk_one, &w) != 0 ? -1 :
		    0;
	json_array_foreach(in->domains, i, d)
		if ((rc = fn(arg, d)) != 0)
			return rc;
	return 0;
}
