/*
 * The remediation sheet of one ISP (report.h): what the operator should
 * fix, item by item, from the month's statistics and its own domains'
 * results. The sheet is first built as a small document model (title,
 * facts, sections of rows; a JSON object) in one language, then written
 * as HTML here or as an xlsx worksheet by report_xlsx.c, so both say the
 * same thing.
 *
 * Routing: the announced prefixes no ROA covers (with the ROA to
 * create), the RPKI-invalid routes with the likely cause (origin AS not
 * in the ROA, or longer than its maxLength) and the VRP behind it, the
 * loose-maxLength ROAs (RFC 9319), the ROV enforcement status. Domains:
 * each own domain's verdicts that need action, with the concrete fix,
 * the verdict or finding code and the RFC. Could-not-measure is said as
 * such, never as a fault.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hygiene/catalog.h"
#include "report_int.h"
#include "report_sheet.h"

/* ---- what to do per verdict ---- */

struct fix {
	const char	*section, *key, *rfc;
	const char	*en, *ja;	/* printf formats: %1$s the domain */
};

static const struct fix fixes[] = {
	{ "dnssec", "insecure", "RFC 4035 §2, RFC 9364",
	    "Sign the zone (for example ECDSA P-256, algorithm 13) and "
	    "register its DS record in the parent zone through the "
	    "registrar.",
	    "ゾーンにDNSSEC署名を行い（例：アルゴリズム13、ECDSA P-256）、DS"
	    "レコードをレジストラ（指定事業者）経由で親ゾーンに登録してください。" },
	{ "dnssec", "bogus", "RFC 4035 §5",
	    "Repair the chain of trust now: validating resolvers cannot "
	    "resolve the domain. Re-sign the zone and make the DS in the "
	    "parent match the zone's key.",
	    "検証を行うリゾルバーからは名前解決できない状態です。ゾーンを再署名"
	    "し、親ゾーンのDSをゾーンの鍵と一致させて信頼の連鎖を修復してくださ"
	    "い。" },
	{ "spf", "none", "RFC 7208 §3, §5.1",
	    "Publish an SPF record that lists the servers sending the "
	    "domain's mail and ends in -all (for a domain that sends no mail: "
	    "\"v=spf1 -all\").",
	    "メールを送信するサーバーを列挙し、-all で終わるSPFレコードを公開"
	    "してください（メールを送信しないドメインは \"v=spf1 -all\"）。" },
	{ "spf", "permerror", "RFC 7208 §4.6",
	    "Correct the record: receivers treat it as an error and apply no "
	    "SPF at all.",
	    "レコードを修正してください。受信側はエラーとして扱い、SPFが適用さ"
	    "れません。" },
	{ "dmarc", "absent", "RFC 9989 §4.7",
	    "Publish a DMARC record, starting with monitoring: _dmarc.%1$s TXT "
	    "\"v=DMARC1; p=none; rua=mailto:…\". Read the aggregate reports, "
	    "then move to p=quarantine and p=reject.",
	    "まず監視から始めるDMARCレコードを公開してください：_dmarc.%1$s "
	    "TXT \"v=DMARC1; p=none; rua=mailto:…\"。集約レポートを確認したう"
	    "えで、p=quarantine、p=reject へ移行してください。" },
	{ "dmarc", "none", "RFC 9989 §4.7",
	    "Move to p=quarantine, then p=reject, once the aggregate reports "
	    "show that the domain's legitimate mail passes.",
	    "集約レポートで正規のメールが認証に成功していることを確認し、"
	    "p=quarantine、続いて p=reject へ移行してください。" },
	{ "dmarc", "quarantine", "RFC 9989 §4.7",
	    "Move to p=reject once the aggregate reports allow it.",
	    "集約レポートで問題がなければ p=reject へ移行してください。" },
	{ "dmarc", "invalid", "RFC 9989 §4.7",
	    "Correct the record: receivers may "
	    "ignore it.",
	    "レコードを修正してください。受信側に無視され"
	    "ることがあります。" },
	{ "mta_sts", "absent", "RFC 8461 §3",
	    "Deploy MTA-STS: serve the policy at https://mta-sts.%1$s/"
	    ".well-known/mta-sts.txt (mode: testing first, then enforce) and "
	    "publish _mta-sts.%1$s TXT \"v=STSv1; id=…\".",
	    "MTA-STSを導入してください：https://mta-sts.%1$s/.well-known/"
	    "mta-sts.txt にポリシー（まず mode: testing、のちに enforce）を置"
	    "き、_mta-sts.%1$s TXT \"v=STSv1; id=…\" を公開します。" },
	{ "mta_sts", "testing", "RFC 8461 §5",
	    "Switch the policy to mode: enforce once the TLS reports show no "
	    "failures.",
	    "TLSレポートで失敗がないことを確認し、ポリシーを mode: enforce に切"
	    "り替えてください。" },
	{ "mta_sts", "none", "RFC 8461 §5",
	    "The policy is withdrawn (mode: none): publish mode: enforce "
	    "again, or remove the records.",
	    "ポリシーが取り下げられています（mode: none）。mode: enforce を再び"
	    "公開するか、レコードを削除してください。" },
	{ "mta_sts", "invalid", "RFC 8461 §3",
	    "Correct the policy or the TXT record.",
	    "ポリシーまたはTXTレコードを修正してください。" },
	{ "tls_rpt", "absent", "RFC 8460 §3",
	    "Publish TLS-RPT to receive reports of failed TLS deliveries: "
	    "_smtp._tls.%1$s TXT \"v=TLSRPTv1; rua=mailto:…\".",
	    "TLS接続の失敗レポートを受け取るため、TLS-RPTを導入してください："
	    "_smtp._tls.%1$s TXT \"v=TLSRPTv1; rua=mailto:…\" を公開します。" },
	{ "tls_rpt", "invalid", "RFC 8460 §3",
	    "Correct the record.",
	    "レコードを修正してください。" },
};

static const struct fix *
fix_find(const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(fixes) / sizeof(fixes[0]); i++)
		if (strcmp(fixes[i].section, section) == 0 &&
		    strcmp(fixes[i].key, key) == 0)
			return &fixes[i];
	return NULL;
}

/* ---- the model ---- */

/* A row of strings and numbers: "s" a string, "i" an integer. */
static json_t *
row(const char *fmt, ...)
{
	json_t *r = json_array(), *v;
	va_list ap;

	if (r == NULL)
		return NULL;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt == 'i')
			v = json_integer(va_arg(ap, long long));
		else
			v = json_string(va_arg(ap, const char *));
		if (v == NULL || json_array_append_new(r, v) != 0) {
			json_decref(r);
			r = NULL;
			break;
		}
	}
	va_end(ap);
	return r;
}

static json_t *
section(json_t *model, const char *id, const char *title, const char *intro,
    const char *empty, ...)
{
	json_t *s, *cols;
	const char *c;
	va_list ap;

	if ((cols = json_array()) == NULL)
		return NULL;
	va_start(ap, empty);
	while ((c = va_arg(ap, const char *)) != NULL)
		json_array_append_new(cols, json_string(c));
	va_end(ap);
	s = json_pack("{s:s, s:s, s:s, s:s, s:o, s:[]}", "id", id, "title",
	    title, "intro", intro, "empty", empty, "columns", cols, "rows");
	if (s == NULL || json_array_append_new(json_object_get(model,
	    "sections"), s) != 0)
		return NULL;
	return json_object_get(s, "rows");
}

static char *
fmt(const char *f, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, f);
	if (vasprintf(&s, f, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

static int
add(json_t *rows, json_t *r)
{
	return r == NULL || json_array_append_new(rows, r) != 0 ? -1 : 0;
}

static char *
origin_text(const json_t *r)
{
	const json_t *set = json_object_get(r, "origin_as_set"), *v;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if (!json_is_array(set))
		return fmt("AS%lld", hy_jint(r, "origin_asn"));
	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	fputs("AS_SET {", f);
	json_array_foreach(set, i, v)
		fprintf(f, "%s%lld", i ? " " : "", (long long)
		    json_integer_value(v));
	fputs("}", f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int
prefix_len(const char *p)
{
	const char *s = strrchr(p, '/');

	return s ? atoi(s + 1) : 0;
}

/* A. prefixes no ROA covers, with the ROA to create */
static int
sheet_uncovered(json_t *m, const json_t *fix, enum hy_report_lang lang)
{
	const json_t *r;
	json_t *rows;
	char *o, *roa, *note;
	size_t i;
	int rc = 0;

	rows = section(m, "roas", tr(lang, "ROAs to create: announced prefixes "
	    "that no ROA covers (RPKI NotFound)", "作成すべきROA：ROAが登録され"
	    "ていない広報経路（RPKI NotFound）"), tr(lang, "Create one ROA per "
	    "announced prefix, for the AS that originates it, with maxLength "
	    "equal to the prefix length (RFC 6482, RFC 9319), in the RPKI "
	    "service of the address registry (JPNIC or APNIC).", "広報している"
	    "プレフィックスごとに、それを広報するASを指定し、maxLengthをプレフィ"
	    "ックス長と同じにしたROAを、アドレスの登録先（JPNICまたはAPNIC）の"
	    "RPKIサービスで作成してください（RFC 6482、RFC 9319）。"),
	    tr(lang, "None: every announced prefix is covered by a ROA.",
	    "該当なし：すべての広報経路にROAがあります。"),
	    tr(lang, "Prefix", "プレフィックス"), tr(lang, "Origin AS",
	    "起源AS"), tr(lang, "ROA to create", "作成するROA"),
	    tr(lang, "Note", "備考"), NULL);
	if (rows == NULL)
		return -1;
	json_array_foreach(fix, i, r) {
		if (strcmp(hy_jstr(r, "reason_code"), "not-found") != 0)
			continue;
		o = origin_text(r);
		if (json_is_array(json_object_get(r, "origin_as_set"))) {
			roa = strdup("—");
			note = strdup(tr(lang, "The AS_SET origin can never be "
			    "RPKI-valid: announce the prefix without AS_SET "
			    "(RFC 6472), then create its ROA.", "AS_SETを起源とす"
			    "る経路はRPKIで正当と判定されません。AS_SETを使わずに広報"
			    "したうえでROAを作成してください（RFC 6472）。"));
		} else {
			roa = fmt("%s maxLength %d AS%lld", hy_jstr(r,
			    "prefix"), prefix_len(hy_jstr(r, "prefix")),
			    hy_jint(r, "origin_asn"));
			note = strdup("");
		}
		if (o == NULL || roa == NULL || note == NULL ||
		    add(rows, row("ssss", hy_jstr(r, "prefix"), o, roa,
		    note)) != 0)
			rc = -1;
		free(o);
		free(roa);
		free(note);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* B. RPKI-invalid routes with the likely cause */
static int
sheet_invalid(json_t *m, const json_t *fix, enum hy_report_lang lang)
{
	const json_t *r, *vrp;
	json_t *rows;
	char *o, *cause, *vt, *todo;
	const char *p;
	size_t i;
	bool len;
	int rc = 0;

	rows = section(m, "invalid", tr(lang, "RPKI-invalid routes: "
	    "networks that drop invalid routes cannot reach these prefixes",
	    "RPKIでInvalidとなる経路：ROVを実施する事業者からは到達できません"),
	    tr(lang, "The cause is read from the VRP that decides the route "
	    "(RFC 6811): a ROA of another origin AS, or a ROA of the same AS "
	    "whose maxLength is shorter than the route.", "原因は、判定を決めた"
	    "VRP（RFC 6811）から推定しています：別の起源ASを指定したROA、または"
	    "同じASでmaxLengthが経路より短いROAです。"),
	    tr(lang, "None.", "該当なし。"), tr(lang, "Prefix",
	    "プレフィックス"), tr(lang, "Origin AS", "起源AS"), tr(lang,
	    "Likely cause", "推定される原因"), tr(lang, "ROA in place (VRP)",
	    "登録済みのROA（VRP）"), tr(lang, "What to do", "対策"), NULL);
	if (rows == NULL)
		return -1;
	json_array_foreach(fix, i, r) {
		if (strcmp(hy_jstr(r, "state"), "invalid") != 0)
			continue;
		len = strcmp(hy_jstr(r, "reason_code"), "invalid-length") == 0;
		vrp = json_object_get(r, "vrp");
		p = hy_jstr(r, "prefix");
		o = origin_text(r);
		vt = json_is_object(vrp) ? fmt("%s maxLength %lld AS%lld",
		    hy_jstr(vrp, "prefix"), hy_jint(vrp, "max_length"),
		    hy_jint(vrp, "asn")) : strdup("—");
		if (len) {
			cause = fmt(tr(lang, "Longer than the ROA allows "
			    "(maxLength /%lld)", "ROAのmaxLength（/%lld）より長い"
			    "プレフィックス"), hy_jint(vrp, "max_length"));
			todo = fmt(tr(lang, "Create a ROA for exactly %1$s "
			    "(maxLength %3$d) with %2$s, or stop announcing this "
			    "more specific; do not raise maxLength for the whole "
			    "block (RFC 9319).", "%1$sについて%2$sのROA（maxLength "
			    "%3$d）を作成するか、この詳細経路の広報を止めてください。"
			    "ブロック全体のmaxLengthを広げることは避けてください"
			    "（RFC 9319）。"), p, o ? o : "", prefix_len(p));
		} else {
			cause = fmt(tr(lang, "The ROA names another origin AS "
			    "(AS%lld)", "ROAが別の起源AS（AS%lld）を指定"),
			    hy_jint(vrp, "asn"));
			todo = fmt(tr(lang, "If %2$s may originate %1$s, create a "
			    "ROA for it with %2$s; if not, stop the announcement "
			    "(it may be a leak or a hijack).", "%2$sによる%1$sの広"
			    "報が正当であれば%2$sのROAを作成してください。正当でなけ"
			    "れば広報を停止してください（経路リークや経路ハイジャック"
			    "の可能性があります）。"), p, o ? o : "");
		}
		if (o == NULL || vt == NULL || cause == NULL || todo == NULL ||
		    add(rows, row("sssss", p, o, cause, vt, todo)) != 0)
			rc = -1;
		free(o);
		free(vt);
		free(cause);
		free(todo);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* C. loose maxLength ROAs (RFC 9319) */
static int
sheet_loose(json_t *m, const json_t *rpki, enum hy_report_lang lang)
{
	const json_t *v;
	json_t *rows;
	char *roa;
	size_t i;
	int rc;

	rows = section(m, "loose", tr(lang, "ROAs with a loose maxLength "
	    "(RFC 9319)", "maxLengthが緩いROA（RFC 9319）"), tr(lang, "These "
	    "ROAs allow more prefixes than the AS announces, so anyone "
	    "forging the origin AS can announce the others as RPKI-valid "
	    "(a forged-origin sub-prefix hijack). Replace each with ROAs for "
	    "the announced prefixes only, maxLength equal to their length.",
	    "これらのROAは実際に広報しているより多くのプレフィックスを許可してい"
	    "るため、起源ASを詐称した第三者が残りのプレフィックスをRPKIで正当な"
	    "経路として広報できてしまいます（起源詐称による詳細経路ハイジャッ"
	    "ク）。広報しているプレフィックスだけを、プレフィックス長と同じ"
	    "maxLengthで登録したROAに置き換えてください。"), tr(lang,
	    "None.", "該当なし。"), tr(lang, "ROA", "ROA"), tr(lang,
	    "Prefixes announced", "広報中のプレフィックス数"), tr(lang,
	    "Prefixes it allows", "許可されるプレフィックス数"), NULL);
	if (rows == NULL)
		return -1;
	json_array_foreach(json_object_get(json_object_get(rpki,
	    "loose_roas"), "vrps"), i, v) {
		if ((roa = fmt("%s maxLength %lld AS%lld", hy_jstr(v, "prefix"),
		    hy_jint(v, "max_length"), hy_jint(v, "asn"))) == NULL)
			return -1;
		rc = add(rows, row("sii", roa, hy_jint(v, "announced"),
		    (long long)json_number_value(json_object_get(v,
		    "allowed"))));
		free(roa);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* D. ROV enforcement */
static int
sheet_rov(json_t *m, const json_t *rpki, bool any, enum hy_report_lang lang)
{
	const json_t *rov = json_object_get(rpki, "rov");
	const char *st = hy_jstr(rov, "status"), *todo;
	json_t *rows;

	rows = section(m, "rov", tr(lang, "Route origin validation (ROV): "
	    "does the ISP drop RPKI-invalid routes?", "経路情報の正当性検証"
	    "（ROV）：RPKIでInvalidとなる経路を破棄しているか"), tr(lang,
	    "Inferred from public BGP route collectors; see the survey "
	    "report for the evidence.", "公開BGPルートコレクタの経路表から推定"
	    "しています。根拠は調査報告書を参照してください。"), any ? tr(lang,
	    "The collectors' data gave no figures for this ISP.",
	    "ルートコレクタのデータからは、この事業者の判定ができませんでした。") :
	    tr(lang, "Not part of this survey.", "この調査では対象外です。"),
	    tr(lang, "Status", "状態"), tr(lang, "Why", "理由"),
	    tr(lang, "What to do", "対策"), NULL);
	if (rows == NULL)
		return -1;
	if (!json_is_object(rov))
		return 0;
	if (strcmp(st, "filtering") == 0)
		todo = tr(lang, "Nothing: keep it up.", "対応は不要です。");
	else if (strcmp(st, "partial") == 0)
		todo = tr(lang, "Drop RPKI-invalid routes on every eBGP session "
		    "and in both address families (RFC 6811, RFC 8893).",
		    "すべてのeBGPセッションと両方のアドレスファミリーで、RPKI "
		    "Invalidの経路を破棄してください（RFC 6811、RFC 8893）。");
	else if (strcmp(st, "not-filtering") == 0)
		todo = tr(lang, "Validate routes against the RPKI on the eBGP "
		    "sessions and drop the invalid ones (RFC 6811, RFC 8893).",
		    "eBGPセッションで受信経路をRPKIで検証し、Invalidの経路を破棄"
		    "してください（RFC 6811、RFC 8893）。");
	else
		todo = tr(lang, "Could not be judged from the collectors' "
		    "data; tell us your ROV status if you can.",
		    "ルートコレクタのデータからは判定できませんでした。可能であれ"
		    "ばROVの実施状況をお知らせください。");
	return add(rows, row("sss", hy_report_rov_status(st, lang),
	    hy_jstr(rov, "reason"), todo));
}

/* Does the domain take mail (an MX that is not null MX)? */
static bool
takes_mail(const json_t *d)
{
	return !json_is_true(json_object_get(d, "null_mx")) &&
	    json_array_size(json_object_get(d, "mx")) > 0;
}

static const char *const dom_secs[] = { "dnssec", "spf", "dmarc",
    "mta_sts", "tls_rpt", "mail" };

/* The name people read for a section: the technology's own for the
 * five of them, the catalogue's title for the others ("mail"). */
static const char *
section_title(const char *key, enum hy_report_lang lang)
{
	static const char *const names[] = { "DNSSEC", "SPF", "DMARC",
	    "MTA-STS", "TLS-RPT" };
	size_t i;

	for (i = 0; i < 5; i++)
		if (strcmp(dom_secs[i], key) == 0)
			return names[i];
	for (i = 0; i < hy_catalog_nsections; i++)
		if (strcmp(hy_catalog_sections[i].key, key) == 0)
			return tr(lang, hy_catalog_sections[i].title_en,
			    hy_catalog_sections[i].title_ja);
	return key;
}

/* The verdict row of one section, when it needs action. */
static int
dom_verdict_row(json_t *rows, const json_t *d, size_t s,
    enum hy_report_lang lang)
{
	const char *dom = hy_jstr(d, "domain"), *key, *all, *reason;
	const json_t *sec = json_object_get(d, dom_secs[s]);
	const struct fix *fx;
	char *todo = NULL, *state = NULL;
	int rc;

	key = hy_report_dom_status(d, dom_secs[s]);
	if (strcmp(key, "temperror") == 0 || strcmp(key, "indeterminate") ==
	    0 || strcmp(key, "not_measured") == 0) {
		if (strcmp(dom_secs[s], "mail") == 0)
			return 0;
		return add(rows, row("ssssss", dom, section_title(dom_secs[s], lang),
		    hy_report_verdict(dom_secs[s], key, lang), tr(lang,
		    "Could not be measured (not a finding): check that the "
		    "domain's authoritative DNS servers answer.",
		    "測定できませんでした（不備の指摘ではありません）。権威DNS"
		    "サーバーが応答するか確認してください。"), key, ""));
	}
	if ((strcmp(dom_secs[s], "mta_sts") == 0 ||
	    strcmp(dom_secs[s], "tls_rpt") == 0) && !takes_mail(d))
		return 0;	/* not applicable without mail */
	all = json_string_value(json_object_get(sec, "all"));
	if (strcmp(dom_secs[s], "spf") == 0 && strcmp(key, "valid") == 0 &&
	    (all == NULL || strcmp(all, "-all") != 0)) {
		todo = fmt(tr(lang, "End the record with -all once it lists "
		    "every server that sends the domain's mail (it now ends "
		    "in %s).", "送信サーバーをすべて列挙したうえで、末尾を -all "
		    "にしてください（現在は %s）。"), all ? all : tr(lang,
		    "no all", "allなし"));
		rc = todo == NULL ? -1 : add(rows, row("ssssss", dom, "SPF",
		    all ? all : "—", todo, all ? all : "no-all",
		    "RFC 7208 §5.1"));
		free(todo);
		return rc;
	}
	if ((fx = fix_find(dom_secs[s], key)) == NULL)
		return 0;
	todo = fmt(tr(lang, fx->en, fx->ja), dom);
	if (strcmp(key, "none") == 0 && strcmp(dom_secs[s], "dmarc") == 0 &&
	    json_array_size(json_object_get(sec, "rua")) == 0) {
		state = todo;
		todo = fmt(tr(lang, "Add rua=mailto:… to receive the aggregate "
		    "reports. %s", "集約レポートを受け取るため rua=mailto:… を追"
		    "加してください。%s"), state ? state : "");
		free(state);
	}
	/* the probe's reason beside the verdict (it is English: the
	 * Japanese sheet keeps to the verdict, its findings follow) */
	reason = lang == HY_LANG_EN ? json_string_value(json_object_get(sec,
	    "reason")) : NULL;
	state = reason != NULL ? fmt("%s: %s", hy_report_verdict(dom_secs[s],
	    key, lang), reason) : strdup(hy_report_verdict(dom_secs[s], key,
	    lang));
	rc = todo == NULL || state == NULL ? -1 : add(rows, row("ssssss", dom,
	    section_title(dom_secs[s], lang), state, todo, key, fx->rfc));
	free(todo);
	free(state);
	return rc;
}

/* One finding or error as a row: what it says, and the catalogue's
 * remediation and RFC (the message itself when the catalogue has no
 * row for the code). */
static int
finding_row(json_t *rows, const json_t *d, const char *section,
    const char *tech, const char *sev, const json_t *fnd,
    enum hy_report_lang lang)
{
	const struct hy_catalog_entry *c = hy_catalog_find(section,
	    hy_jstr(fnd, "code"));
	char *now;
	int rc;

	if ((now = fmt("%s: %s", sev, hy_report_finding_text(section, fnd,
	    lang))) == NULL)
		return -1;
	rc = add(rows, row("ssssss", hy_jstr(d, "domain"), tech, now,
	    c != NULL ? tr(lang, c->fix_en, c->fix_ja) : hy_jstr(fnd,
	    "message"), hy_jstr(fnd, "code"), c != NULL ? c->rfc : ""));
	free(now);
	return rc;
}

/* The findings of one section that are warnings or errors. */
static int
dom_finding_rows(json_t *rows, const json_t *d, size_t s,
    enum hy_report_lang lang)
{
	const json_t *fnd;
	const char *sev;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(d, dom_secs[s]),
	    "issues"), i, fnd) {
		sev = hy_jstr(fnd, "severity");
		if (strcmp(sev, "info") == 0)
			continue;
		if (finding_row(rows, d, dom_secs[s], section_title(
		    dom_secs[s], lang), strcmp(sev, "error") == 0 ?
		    tr(lang, "error", "エラー") : tr(lang, "warning", "警告"),
		    fnd, lang) != 0)
			return -1;
	}
	return 0;
}

/* The domain's errors: what could not be measured, and why. */
static int
dom_error_rows(json_t *rows, const json_t *d, enum hy_report_lang lang)
{
	const json_t *e;
	size_t i;

	json_array_foreach(json_object_get(d, "errors"), i, e)
		if (finding_row(rows, d, "errors", tr(lang, "Measurement",
		    "測定"), tr(lang, "could not be measured", "測定できず"), e,
		    lang) != 0)
			return -1;
	return 0;
}

/* E. the ISP's own domains */
static int
sheet_domains(json_t *m, const struct hy_report_in *in, const char *id,
    enum hy_report_lang lang)
{
	const json_t *d;
	json_t *rows;
	size_t i, s;

	rows = section(m, "domains", tr(lang, "The ISP's own domains: what "
	    "to fix", "自社ドメインの改善項目"), tr(lang, "One row per item "
	    "that needs action: the concrete fix, the verdict or finding code "
	    "it answers, and the RFC. MTA-STS and TLS-RPT are only asked of "
	    "domains that receive mail.", "対応が必要な項目ごとに、具体的な対策、"
	    "対応する判定またはコード、根拠となるRFCを示します。MTA-STSとTLS-"
	    "RPTはメールを受信するドメインにのみ求めています。"), tr(lang,
	    "None: every own domain is in order.", "該当なし：すべての自社ドメ"
	    "インで対応済みです。"), tr(lang, "Domain", "ドメイン"),
	    tr(lang, "Technology", "技術"), tr(lang, "Now", "現状"),
	    tr(lang, "What to do", "対策"), tr(lang, "Verdict / finding",
	    "判定・コード"), "RFC", NULL);
	if (rows == NULL)
		return -1;
	json_array_foreach(in->domains, i, d) {
		if (strcmp(hy_jstr(json_object_get(d, "attribution"), "own"),
		    id) != 0)
			continue;
		if (strcmp(hy_report_dom_state(d), "nxdomain") == 0) {
			if (add(rows, row("ssssss", hy_jstr(d, "domain"), "DNS",
			    tr(lang, "does not exist", "ドメイン不存在"),
			    tr(lang, "The name does not exist (NXDOMAIN): "
			    "correct the ISP list or register the domain again.",
			    "ドメインが存在しません（NXDOMAIN）。調査対象リストの修正"
			    "をご連絡いただくか、ドメインを登録し直してください。"),
			    "nxdomain", "RFC 1035 §4.1.1")) != 0)
				return -1;
			continue;
		}
		if (dom_error_rows(rows, d, lang) != 0)
			return -1;
		for (s = 0; s < sizeof(dom_secs) / sizeof(dom_secs[0]); s++)
			if (dom_verdict_row(rows, d, s, lang) != 0 ||
			    dom_finding_rows(rows, d, s, lang) != 0)
				return -1;
	}
	return 0;
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

static int
fact(json_t *m, const char *label, const char *value)
{
	return add(json_object_get(m, "facts"), row("ss", label, value));
}

static int
sheet_facts(json_t *m, const struct hy_report_in *in, const json_t *isp,
    enum hy_report_lang lang)
{
	const json_t *rpki = json_object_get(isp, "rpki"), *v;
	char b[512], mon[32];
	size_t i, len = 0;
	char *asns = NULL;
	FILE *f;
	double r;

	if ((f = open_memstream(&asns, &len)) == NULL)
		return -1;
	json_array_foreach(json_object_get(isp, "asns"), i, v)
		fprintf(f, "%sAS%lld", i ? ", " : "", (long long)
		    json_integer_value(v));
	if (fclose(f) != 0 || fact(m, tr(lang, "ISP", "事業者"),
	    hy_report_isp_name(isp, lang)) || fact(m, "AS", asns)) {
		free(asns);
		return -1;
	}
	free(asns);
	hy_report_month(mon, sizeof(mon), hy_jstr(in->stats, "month"), lang);
	if (fact(m, tr(lang, "Survey month", "調査月"), mon) != 0)
		return -1;
	if (json_is_object(rpki)) {
		r = hy_tech_rate(&hy_techs[HY_NTECHS - 1], isp, NULL);
		hy_report_fmt_rate(mon, sizeof(mon), r, lang);
		snprintf(b, sizeof(b), tr(lang, "%lld routes; RPKI Valid %s, "
		    "Invalid %lld, NotFound %lld", "経路%lld件：RPKI Valid %s、"
		    "Invalid %lld件、NotFound %lld件"),
		    (long long)hy_jint(rpki, "route_count"), mon,
		    hy_jint(json_object_get(rpki, "routes"), "invalid"),
		    hy_jint(json_object_get(rpki, "routes"), "not-found"));
	} else
		snprintf(b, sizeof(b), "%s", tr(lang, "not part of this survey",
		    "この調査では対象外"));
	if (fact(m, tr(lang, "Announced routes", "広報経路"), b) != 0)
		return -1;
	snprintf(b, sizeof(b), "%lld", hy_jint(isp, "domains"));
	return fact(m, tr(lang, "Own domains surveyed", "調査した自社ドメイン"),
	    b);
}

json_t *
hy_sheet_build(const struct hy_report_in *in, const char *id,
    enum hy_report_lang lang, char *err, size_t errlen)
{
	const json_t *isp = hy_report_isp(in->stats, id), *rpki, *fix;
	json_t *m;
	char mon[32], *title;

	if (isp == NULL) {
		snprintf(err, errlen, "no ISP '%s' in the survey of %s", id,
		    hy_jstr(in->stats, "month"));
		return NULL;
	}
	rpki = json_object_get(isp, "rpki");
	fix = json_object_get(rpki, "routes_to_fix");
	hy_report_month(mon, sizeof(mon), hy_jstr(in->stats, "month"), lang);
	title = fmt(tr(lang, "%s: what to fix in routing security, DNSSEC "
	    "and mail authentication (survey of %s)", "%s：経路情報の正当性・"
	    "DNSSEC・送信ドメイン認証の改善項目（%s調査）"),
	    hy_report_isp_name(isp, lang), mon);
	m = title ? json_pack("{s:s, s:s, s:[], s:[], s:s, s:s}", "title",
	    title, "id", id, "facts", "sections", "lang", lang == HY_LANG_JA ?
	    "ja" : "en", "intro", tr(lang, "What the monthly survey found that "
	    "the ISP can fix in its announced routes and its own domains, item "
	    "by item, each with the RFC behind it. Items that could not be "
	    "measured are said to be so; they are not faults.", "月次調査で"
	    "見つかった、広報経路と自社ドメインについて改善できる項目を、根拠と"
	    "なるRFCとともに一つずつ示します。測定できなかった項目はその旨を記"
	    "しており、不備の指摘ではありません。")) : NULL;
	free(title);
	if (m == NULL || sheet_facts(m, in, isp, lang) != 0)
		goto oom;
	if (!json_is_object(rpki)) {
		if (json_object_set_new(m, "rpki_note", json_string(tr(lang,
		    "Routes were not part of this survey (no routes source): "
		    "the routing sections are left out.", "この調査では経路を対"
		    "象としていない（経路表の指定なし）ため、経路の項目は省略し"
		    "ています。"))) != 0)
			goto oom;
	} else {
		if (!json_is_array(fix) && json_object_set_new(m, "rpki_note",
		    json_string(tr(lang, "These statistics hold no per-route "
		    "list (written by an earlier version): survey again to list "
		    "the routes.", "この統計には経路ごとの一覧がありません（以前"
		    "の版で作成）。経路の一覧には再調査が必要です。"))) != 0)
			goto oom;
		if (sheet_uncovered(m, fix, lang) != 0 ||
		    sheet_invalid(m, fix, lang) != 0 ||
		    sheet_loose(m, rpki, lang) != 0 ||
		    sheet_rov(m, rpki, any_rov(in->stats), lang) != 0)
			goto oom;
	}
	if (sheet_domains(m, in, id, lang) != 0)
		goto oom;
	return m;
oom:
	json_decref(m);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

/* ---- HTML ---- */

static void
html_cell(FILE *f, const json_t *v)
{
	if (json_is_integer(v))
		fprintf(f, "<td>%lld</td>", (long long)json_integer_value(v));
	else {
		fputs("<td class=\"t\">", f);
		hy_html_escape_wrap(f, json_string_value(v) ?
		    json_string_value(v) : "");
		fputs("</td>", f);
	}
}

static void
html_section(FILE *f, const json_t *s)
{
	const json_t *v, *r, *c;
	size_t i, j;

	fprintf(f, "<h2 id=\"%s\">", hy_jstr(s, "id"));
	hy_html_escape(f, hy_jstr(s, "title"));
	fputs("</h2>\n<p>", f);
	hy_html_escape(f, hy_jstr(s, "intro"));
	fputs("</p>\n", f);
	if (json_array_size(json_object_get(s, "rows")) == 0) {
		fputs("<p class=\"none\">", f);
		hy_html_escape(f, hy_jstr(s, "empty"));
		fputs("</p>\n", f);
		return;
	}
	fputs("<table>\n<thead><tr>", f);
	json_array_foreach(json_object_get(s, "columns"), i, c) {
		fputs("<th>", f);
		hy_html_escape(f, json_string_value(c));
		fputs("</th>", f);
	}
	fputs("</tr></thead>\n<tbody>\n", f);
	json_array_foreach(json_object_get(s, "rows"), i, r) {
		fputs("<tr>", f);
		json_array_foreach(r, j, v)
			html_cell(f, v);
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

int
hy_report_sheet_html(FILE *f, const struct hy_report_in *in,
    const char *isp_id, enum hy_report_lang lang, char *err, size_t errlen)
{
	const json_t *s, *r;
	json_t *m;
	size_t i;

	if ((m = hy_sheet_build(in, isp_id, lang, err, errlen)) == NULL)
		return -1;
	hy_report_html_head(f, hy_jstr(m, "title"), lang);
	fputs("<header>\n<h1>", f);
	hy_html_escape(f, hy_jstr(m, "title"));
	fputs("</h1>\n<p>", f);
	hy_html_escape(f, hy_jstr(m, "intro"));
	fputs("</p>\n</header>\n<table class=\"kv\">\n<tbody>\n", f);
	json_array_foreach(json_object_get(m, "facts"), i, r) {
		fputs("<tr><th>", f);
		hy_html_escape(f, json_string_value(json_array_get(r, 0)));
		fputs("</th><td class=\"t\">", f);
		hy_html_escape(f, json_string_value(json_array_get(r, 1)));
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
	if (json_is_string(json_object_get(m, "rpki_note"))) {
		fputs("<p>", f);
		hy_html_escape(f, hy_jstr(m, "rpki_note"));
		fputs("</p>\n", f);
	}
	json_array_foreach(json_object_get(m, "sections"), i, s)
		html_section(f, s);
	if (hy_report_prov_html(f, in, lang) != 0) {
		json_decref(m);
		snprintf(err, errlen, "write error");
		return -1;
	}
	fputs("</body>\n</html>\n", f);
	json_decref(m);
	if (ferror(f)) {
		snprintf(err, errlen, "write error");
		return -1;
	}
	return 0;
}
