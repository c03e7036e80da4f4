/*
 * The findings catalogue (contract in include/hygiene/catalog.h).
 *
 * Adding a code: add its row here, in its section, then regenerate the
 * two files made from this table:
 *
 *	build/hygiene explain --markdown > doc/findings.md
 *	python3 tests/catalog/update_schema.py build/hygiene
 *
 * English says what was seen and why it matters; Japanese uses the terms
 * of JPRS, JPCERT/CC and the 総務省 guidance (送信ドメイン認証, 署名, 信頼の
 * 連鎖, 不在証明, 組織ドメイン, 集約レポート). A remediation is one
 * sentence an operator can act on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/catalog.h"

#define E	HY_CAT_ERROR
#define W	HY_CAT_WARNING
#define I	HY_CAT_INFO

/* What to do when a measurement failed: the same advice everywhere. */
#define RETRY_EN "Check that the domain's authoritative DNS servers " \
	"answer, then measure again."
#define RETRY_JA "ドメインの権威DNSサーバーが応答するか確認し、再度測定して" \
	"ください。"
#define LIST_EN "Correct the entry in the domain list."
#define LIST_JA "ドメインリストの記載を修正してください。"

const struct hy_catalog_section hy_catalog_sections[] = {
	{ "dnssec", "DNSSEC", "DNSSEC（DNS応答の署名検証）" },
	{ "spf", "SPF", "SPF（送信ドメイン認証）" },
	{ "dmarc", "DMARC", "DMARC（送信ドメイン認証）" },
	{ "mta_sts", "MTA-STS", "MTA-STS（メール配送の暗号化）" },
	{ "tls_rpt", "TLS-RPT", "TLS-RPT（暗号化の失敗のレポート）" },
	{ "mail", "Domains that receive no mail",
	    "メールを受信しないドメインの保護" },
	{ "errors", "Domain errors (errors[])",
	    "ドメイン単位のエラー（errors[]）" },
};
const size_t hy_catalog_nsections =
    sizeof(hy_catalog_sections) / sizeof(hy_catalog_sections[0]);

const struct hy_catalog_entry hy_catalog[] = {
	/* ---- dnssec ---------------------------------------------------- */
	{ "dnssec", "signature-expired", "dnssec", E, "RFC 4035 §5.3.1",
	    "A signature (RRSIG) the chain of trust needs has expired, so "
	    "validating resolvers reject the data (bogus).",
	    "信頼の連鎖に必要な署名（RRSIG）の有効期限が切れており、検証を"
	    "行うリゾルバーは応答を不正（bogus）として扱う。",
	    "Re-sign the zone and make sure re-signing runs automatically "
	    "well before signatures expire.",
	    "ゾーンを再署名し、署名の有効期限より十分前に自動で再署名される"
	    "ようにしてください。" },
	{ "dnssec", "signature-not-yet-valid", "dnssec", E, "RFC 4035 §5.3.1",
	    "A signature's inception time lies in the future, so validation "
	    "fails until then.",
	    "署名（RRSIG）の有効期間の開始時刻が未来になっており、それまでは"
	    "検証に失敗する。",
	    "Check the signer's clock and re-sign with an inception time in "
	    "the past.",
	    "署名を行うサーバーの時刻を確認し、開始時刻が現在より前になるよう"
	    "再署名してください。" },
	{ "dnssec", "signature-invalid", "dnssec", E, "RFC 4035 §5.3",
	    "A signature does not verify: the data changed after signing, the "
	    "signature is corrupt, or it names a key outside the validated "
	    "DNSKEY set.",
	    "署名（RRSIG）の検証に失敗した。署名後にデータが変更された、署名が"
	    "壊れている、または検証済みのDNSKEYにない鍵を指している。",
	    "Re-sign the zone from its current data and make sure every "
	    "authoritative server serves the same signed copy.",
	    "現在のゾーンデータから再署名し、すべての権威DNSサーバーが同じ署名"
	    "済みゾーンを応答するようにしてください。" },
	{ "dnssec", "signature-expires-soon", "dnssec", W, "RFC 6781 §4.4.2",
	    "A signature the verdict relies on expires within 7 days.",
	    "検証結果が依存する署名の有効期限が7日以内に切れる。",
	    "Check that automatic re-signing works and re-sign before the "
	    "signatures expire.",
	    "自動再署名が機能しているか確認し、有効期限が切れる前に再署名して"
	    "ください。" },
	{ "dnssec", "ds-mismatch", "dnssec", E, "RFC 4035 §5.2",
	    "No DNSKEY of the zone matches a DS record at the parent (or the "
	    "trust anchor), so the chain of trust is broken.",
	    "親ゾーンのDSレコード（またはトラストアンカー）に一致するDNSKEYが"
	    "ゾーンになく、信頼の連鎖が切れている。",
	    "Register the DS of the zone's current KSK through the registrar, "
	    "or bring back the key the DS points to.",
	    "現在のKSKに対応するDSレコードをレジストラ（指定事業者）経由で登録"
	    "し直すか、DSが指す鍵を元に戻してください。" },
	{ "dnssec", "no-ds-at-parent", "dnssec", W, "RFC 4035 §5.2",
	    "The zone publishes DNSKEYs but its parent holds no DS record for "
	    "it, so validators treat it as unsigned.",
	    "ゾーンはDNSKEYを公開しているが親ゾーンにDSレコードがなく、検証を"
	    "行うリゾルバーは署名のないゾーンとして扱う。",
	    "Register the DS record of the zone's KSK in the parent zone "
	    "through the registrar.",
	    "KSKに対応するDSレコードを、レジストラ（指定事業者）を通じて親ゾーン"
	    "に登録してください。" },
	{ "dnssec", "missing-rrsig", "dnssec", E, "RFC 4035 §3.1.1, §5.3",
	    "An answer from a signed zone comes without its signature "
	    "(RRSIG).",
	    "署名済みゾーンからの応答に署名（RRSIG）が付いていない。",
	    "Re-sign the zone and check that every authoritative server "
	    "serves the signed zone.",
	    "ゾーンを再署名し、すべての権威DNSサーバーが署名済みゾーンを応答"
	    "しているか確認してください。" },
	{ "dnssec", "no-dnskey", "dnssec", E, "RFC 4035 §5.2",
	    "The parent publishes a DS record for the zone, but the zone "
	    "returns no DNSKEY records.",
	    "親ゾーンにDSレコードがあるのに、ゾーンがDNSKEYレコードを応答しない。",
	    "Publish the zone's DNSKEYs again, or remove the DS record at the "
	    "parent if the zone is no longer signed.",
	    "ゾーンのDNSKEYを再び公開するか、署名をやめた場合は親ゾーンのDS"
	    "レコードを削除してください。" },
	{ "dnssec", "deprecated-algorithm", "dnssec", W, "RFC 8624 §3.1",
	    "The zone is signed with an algorithm that must no longer be used "
	    "for signing (such as RSASHA1).",
	    "署名に、もはや使用してはならないアルゴリズム（RSASHA1など）を"
	    "使っている。",
	    "Roll the zone over to ECDSAP256SHA256 (13) or RSASHA256 (8).",
	    "ECDSAP256SHA256（13）またはRSASHA256（8）へアルゴリズムを移行"
	    "（ロールオーバー）してください。" },
	{ "dnssec", "unsupported-algorithm", "dnssec", W | E,
	    "RFC 4035 §5.2, RFC 6840 §5.2",
	    "Only algorithms or DS digest types this validator does not "
	    "implement are used, so the data is treated as unsigned.",
	    "本ツールの検証器が実装していないアルゴリズムまたはDSダイジェスト"
	    "方式だけが使われており、署名のないものとして扱う。",
	    "Use widely implemented algorithms: ECDSAP256SHA256 (13) or "
	    "RSASHA256 (8), with DS digest type SHA-256 (2).",
	    "広く実装されているアルゴリズム（ECDSAP256SHA256（13）または"
	    "RSASHA256（8））と、DSダイジェスト方式SHA-256（2）を使ってください。" },
	{ "dnssec", "ds-digest-sha1", "dnssec", W, "RFC 8624 §3.3",
	    "A DS record uses the SHA-1 digest, which must not be used for "
	    "new DS records.",
	    "DSレコードのダイジェスト方式にSHA-1が使われている。新たなDSレコード"
	    "にSHA-1を使ってはならない。",
	    "Register a DS record with digest type 2 (SHA-256), then remove "
	    "the SHA-1 one.",
	    "ダイジェスト方式2（SHA-256）のDSレコードを登録し、その後SHA-1の"
	    "DSレコードを削除してください。" },
	{ "dnssec", "rsa-key-short", "dnssec", W, "RFC 8624 §3.1",
	    "An RSA key (DNSKEY) is shorter than 2048 bits.",
	    "RSA鍵（DNSKEY）の鍵長が2048ビット未満である。",
	    "Roll over to RSA keys of at least 2048 bits, or to "
	    "ECDSAP256SHA256 (13).",
	    "2048ビット以上のRSA鍵、またはECDSAP256SHA256（13）へ鍵を更新"
	    "してください。" },
	{ "dnssec", "nsec3-iterations", "dnssec", W | E, "RFC 9276 §3.1, §3.2",
	    "NSEC3 uses extra iterations. They must be 0; above 150, "
	    "validators treat the zone's denials of existence as insecure.",
	    "NSEC3の追加反復回数が0でない。0にしなければならず、150回を超える"
	    "と検証を行うリゾルバーは不在証明を安全でないものとして扱う。",
	    "Set the NSEC3 iterations to 0 (NSEC3PARAM 1 0 0 -) and re-sign.",
	    "NSEC3の反復回数を0にして（NSEC3PARAM 1 0 0 -）再署名してください。" },
	{ "dnssec", "nsec3-salt", "dnssec", I, "RFC 9276 §3.1",
	    "NSEC3 uses a salt; it should be empty.",
	    "NSEC3にソルトが設定されている。ソルトは空にすべきである。",
	    "Re-sign with an empty NSEC3 salt (\"-\").",
	    "NSEC3のソルトを空（\"-\"）にして再署名してください。" },
	{ "dnssec", "nsec3-opt-out", "dnssec", I, "RFC 5155 §6, RFC 9276 §3.1",
	    "NSEC3 opt-out is in use: unsigned delegations are not proven "
	    "absent one by one.",
	    "NSEC3オプトアウトを使用しており、署名のない委任の不在を個別には"
	    "証明しない。",
	    "Unless the zone holds very many unsigned delegations, turn "
	    "opt-out off and re-sign.",
	    "署名のない委任が非常に多いゾーンでなければ、オプトアウトを無効に"
	    "して再署名してください。" },
	{ "dnssec", "ds-denial-missing", "dnssec", E, "RFC 4035 §5.2",
	    "The parent returned neither a DS record nor an authenticated "
	    "proof that none exists, so the answer may have been stripped "
	    "(bogus).",
	    "親ゾーンがDSレコードも、DSレコードが存在しないことの検証可能な"
	    "不在証明も返さなかった。応答が改ざんされた可能性があるため不正"
	    "（bogus）とする。",
	    "Check that the parent zone's servers return signed NSEC/NSEC3 "
	    "records for the delegation.",
	    "親ゾーンの権威DNSサーバーが、委任に対する署名付きのNSEC/NSEC3"
	    "レコードを返しているか確認してください。" },
	{ "dnssec", "denial-invalid", "dnssec", E, "RFC 4035 §5.4, RFC 5155 §8",
	    "A negative or wildcard answer comes without a valid NSEC/NSEC3 "
	    "proof.",
	    "否定応答またはワイルドカードによる応答に、有効なNSEC/NSEC3の不在"
	    "証明が付いていない。",
	    "Re-sign the zone and check that every server returns the "
	    "NSEC/NSEC3 records with negative answers.",
	    "ゾーンを再署名し、すべての権威DNSサーバーが否定応答にNSEC/NSEC3"
	    "レコードを付けて返すか確認してください。" },
	{ "dnssec", "query-failed", "dnssec", W | E, "RFC 4035 §4.3",
	    "A DNS query the validation needs failed (timeout, SERVFAIL), so "
	    "the result could not be measured (indeterminate).",
	    "検証に必要なDNS問い合わせが失敗した（タイムアウト、SERVFAILなど）"
	    "ため、結果を測定できなかった（判定不能）。",
	    RETRY_EN, RETRY_JA },
	{ "dnssec", "out-of-memory", "dnssec", E, "RFC 4035 §4.3",
	    "The validation ran out of memory, so the result could not be "
	    "measured (indeterminate); it is never reported as bogus.",
	    "検証中にメモリが不足したため、結果を測定できなかった（判定不能）。"
	    "不正（bogus）とは扱わない。",
	    "Give the run more memory or fewer domains at once, then measure "
	    "again.",
	    "実行環境のメモリを増やすか、同時に測定するドメイン数を減らし、再度"
	    "測定してください。" },
	{ "dnssec", "signer-not-zone", "dnssec", E, "RFC 4035 §5.3.1",
	    "Data is signed by a zone above the one that holds it (a validated "
	    "zone cut lies between them), so the signature does not count: an "
	    "old record of the parent replayed, or a forgery.",
	    "データに付いた署名が、そのデータを持つゾーンより上位のゾーン"
	    "（間に検証済みのゾーンの区切りがある）によるもので、有効な署名と"
	    "認められない。親ゾーンの古いレコードの再送か偽造が考えられる。",
	    "Make sure every server of the zone answers with the zone's own "
	    "signed data, and remove stale copies of the name from the parent.",
	    "ゾーンのすべての権威DNSサーバーがそのゾーン自身の署名付きデータを"
	    "返すようにし、親ゾーンに残る古い同名のレコードを削除してください。" },
	{ "dnssec", "not-a-zone", "dnssec", E, "RFC 4035 §5.2",
	    "An answer names a zone that the parent proves is no delegation: "
	    "the zone does not exist (bogus).",
	    "応答が示すゾーンについて、親ゾーンが委任でないことを証明しており、"
	    "そのゾーンは存在しない（不正）。",
	    "Check the authoritative servers' SOA answers and the delegation "
	    "at the parent.",
	    "権威DNSサーバーのSOA応答と、親ゾーンでの委任の設定を確認して"
	    "ください。" },
	{ "dnssec", "insecure-delegation", "dnssec", I, "RFC 4035 §5.2",
	    "The name lies at or below a delegation without DS, so its data is "
	    "unsigned (insecure).",
	    "名前がDSのない委任以下にあるため、そのデータは署名されていない"
	    "（非署名）。",
	    "To protect it, sign the delegated zone and publish its DS at the "
	    "parent.",
	    "保護するには、委任先のゾーンに署名し、親ゾーンにDSを登録してくだ"
	    "さい。" },
	{ "dnssec", "algorithm-rollover-incomplete", "dnssec", W,
	    "RFC 4035 §2.2, RFC 6781 §4.1.4",
	    "An algorithm rollover was left half done: the DS names an "
	    "algorithm the zone has no key of, or a key algorithm signs "
	    "nothing. Validators still accept the zone (RFC 6840 §5.11).",
	    "アルゴリズムの切り替え（ロールオーバー）が途中で止まっている。DSが"
	    "ゾーンに鍵のないアルゴリズムを示しているか、署名に使われていない"
	    "アルゴリズムの鍵がある。検証は引き続き成功する（RFC 6840 §5.11）。",
	    "Finish the rollover: sign with every algorithm you publish, and "
	    "remove DS records and keys of algorithms no longer used.",
	    "ロールオーバーを完了させてください。公開するすべてのアルゴリズムで"
	    "署名し、使わなくなったアルゴリズムのDSと鍵を削除してください。" },
	{ "dnssec", "dnskey-not-signed-by-ds-key", "dnssec", E,
	    "RFC 4035 §5.2",
	    "The DNSKEY RRset is signed only by keys that no DS at the parent "
	    "names, so the chain of trust breaks (bogus).",
	    "DNSKEYレコードが、親ゾーンのDSが示さない鍵でしか署名されておらず、"
	    "信頼の連鎖が切れている（不正）。",
	    "Sign the DNSKEY RRset with the key the DS points to (the KSK), or "
	    "publish a DS for the key that signs it.",
	    "DSが示す鍵（KSK）でDNSKEYレコードに署名するか、署名している鍵の"
	    "DSを親ゾーンに登録してください。" },
	{ "dnssec", "alias-chain-too-long", "dnssec", W, "RFC 4035 §4.3",
	    "An answer follows more than 8 CNAME/DNAME links (or a loop); the "
	    "rest was not checked (indeterminate).",
	    "応答のCNAME/DNAMEの連鎖が8段を超える（またはループしている）ため、"
	    "残りを検証できなかった（判定不能）。",
	    "Shorten the alias chain and remove loops.",
	    "別名（CNAME/DNAME）の連鎖を短くし、ループを解消してください。" },
	{ "dnssec", "too-many-zones", "dnssec", W, "RFC 4035 §4.3",
	    "The answers involve more than 8 zones; the rest were not checked "
	    "(indeterminate).",
	    "応答が8を超えるゾーンにまたがるため、残りを検証できなかった"
	    "（判定不能）。",
	    "Reduce the aliases into other zones.",
	    "他のゾーンへの別名を減らしてください。" },

	/* ---- spf ------------------------------------------------------- */
	{ "spf", "too-many-lookups", "spf", E, "RFC 7208 §4.6.4",
	    "Evaluating the policy takes more than 10 DNS-querying terms, so "
	    "receivers return permerror.",
	    "SPFの評価に必要なDNS参照が上限の10回を超えており、受信側は"
	    "permerrorとする。",
	    "Reduce include:, a, mx, ptr and exists: terms until at most 10 "
	    "lookups remain.",
	    "include:、a、mx、ptr、exists: などDNS参照を伴う記述を整理し、参照"
	    "回数を10回以内にしてください。" },
	{ "spf", "too-many-void-lookups", "spf", E, "RFC 7208 §4.6.4",
	    "More than 2 DNS lookups of the policy return no records, so "
	    "receivers return permerror.",
	    "SPFの評価中に、レコードが返らないDNS参照（void lookup）が上限の"
	    "2回を超えており、受信側はpermerrorとする。",
	    "Remove the terms that name domains without records.",
	    "存在しないドメインやレコードのないドメインを参照する記述を削除"
	    "してください。" },
	{ "spf", "dns-temporary-error", "spf", W, "RFC 7208 §4.4, §5",
	    "A DNS lookup of the policy failed temporarily, so the policy "
	    "could not be measured (temperror).",
	    "SPFレコードのDNS参照が一時的に失敗したため、ポリシーを測定でき"
	    "なかった（temperror）。",
	    RETRY_EN, RETRY_JA },
	{ "spf", "no-all", "spf", W, "RFC 7208 §4.7, §5.1",
	    "The policy ends without an all mechanism, so mail from hosts it "
	    "does not list gets the neutral result.",
	    "SPFレコードが all で終わっておらず、列挙されていないホストからの"
	    "メールは neutral と評価される。",
	    "End the record with -all (~all while still testing).",
	    "SPFレコードの末尾に -all（試験中は ~all）を記述してください。" },
	{ "spf", "multiple-records", "spf", E, "RFC 7208 §4.5",
	    "The domain publishes more than one SPF record, so receivers "
	    "return permerror.",
	    "ドメインに複数のSPFレコードがあり、受信側はpermerrorとする。",
	    "Merge them into a single v=spf1 record.",
	    "1つの v=spf1 レコードにまとめてください。" },
	{ "spf", "syntax-error", "spf", E, "RFC 7208 §4.6.1, §12",
	    "The SPF record breaks the RFC 7208 syntax, so receivers return "
	    "permerror.",
	    "SPFレコードに構文誤りがあり、受信側はpermerrorとする。",
	    "Correct the record to the syntax of RFC 7208.",
	    "RFC 7208の構文に従ってSPFレコードを修正してください。" },
	{ "spf", "include-loop", "spf", E, "RFC 7208 §4.6.4, §5.2",
	    "An include or redirect leads back to a record already being "
	    "evaluated, so receivers end with permerror.",
	    "include または redirect が評価中のレコードに戻るループになって"
	    "おり、受信側はpermerrorとなる。",
	    "Remove the include or redirect that points back.",
	    "循環を起こしている include または redirect を削除してください。" },
	{ "spf", "ptr-mechanism", "spf", W, "RFC 7208 §5.5",
	    "The policy uses the ptr mechanism, which is slow and unreliable "
	    "and should not be used.",
	    "SPFレコードで ptr を使っている。ptr は遅く信頼性が低いため使う"
	    "べきでない。",
	    "Replace ptr with ip4:, ip6: or a: terms.",
	    "ptr を ip4:、ip6: または a: に置き換えてください。" },
	{ "spf", "plus-all", "spf", E, "RFC 7208 §5.1",
	    "+all authorizes every host on the Internet to send mail in the "
	    "domain's name.",
	    "+all により、インターネット上のすべてのホストがそのドメイン名で"
	    "メールを送信できてしまう。",
	    "List the real sending hosts and replace +all with -all.",
	    "実際の送信サーバーを列挙したうえで、+all を -all に置き換えて"
	    "ください。" },
	{ "spf", "too-many-mx", "spf", E, "RFC 7208 §4.6.4",
	    "An mx term names a domain with more than 10 MX records, so "
	    "receivers return permerror.",
	    "mx で参照するドメインのMXレコードが10件を超えており、受信側は"
	    "permerrorとする。",
	    "Replace the mx term with ip4: and ip6: terms for the sending "
	    "hosts.",
	    "mx の代わりに、送信ホストの ip4: / ip6: を記述してください。" },

	/* ---- dmarc ----------------------------------------------------- */
	{ "dmarc", "invalid-policy", "dmarc", E, "RFC 9989 §4.7",
	    "p, sp or np holds a value other than none, quarantine or reject.",
	    "p、sp または np の値が none、quarantine、reject のいずれでもない。",
	    "Set p (and sp, np) to none, quarantine or reject.",
	    "p（および sp、np）を none、quarantine、reject のいずれかにして"
	    "ください。" },
	{ "dmarc", "invalid-uri", "dmarc", E, "RFC 9989 §4.7, §4.8",
	    "A rua or ruf entry is not a valid URI with a domain.",
	    "rua または ruf の値が、ドメインを含む正しいURIでない。",
	    "Write report destinations as mailto:user@domain URIs.",
	    "レポート送信先を mailto:user@ドメイン名 の形式で記述してください。" },
	{ "dmarc", "uri-size-limit", "dmarc", W, "RFC 9989 Appendix C",
	    "A report URI carries a size limit (\"!\"), which RFC 9989 "
	    "removed.",
	    "レポート送信先のURIにサイズ制限（\"!\"）が付いている。RFC 9989で"
	    "廃止された記法である。",
	    "Remove the \"!size\" suffix from the URI.",
	    "URIから「!サイズ」の部分を削除してください。" },
	{ "dmarc", "syntax-error", "dmarc", E, "RFC 9989 §4.8",
	    "The record breaks the DMARC tag syntax; the tag is ignored or "
	    "the record discarded.",
	    "DMARCレコードのタグの構文に誤りがあり、そのタグは無視されるか、"
	    "レコード全体が破棄される。",
	    "Rewrite the record as \"v=DMARC1; p=...;\" with tags separated "
	    "by semicolons.",
	    "\"v=DMARC1; p=...;\" のように、セミコロンで区切った正しい構文で"
	    "記述し直してください。" },
	{ "dmarc", "duplicate-tag", "dmarc", E, "RFC 9989 §4.7, RFC 6376 §3.2",
	    "A tag appears more than once, which makes the tag list invalid.",
	    "同じタグが複数回現れており、タグリストが無効になる。",
	    "Keep one occurrence of each tag.",
	    "各タグは1回だけ記述してください。" },
	{ "dmarc", "tag-case", "dmarc", E, "RFC 9989 §4.7, RFC 6376 §3.2",
	    "A tag name is not in lower case; tag names are case-sensitive, "
	    "so receivers ignore it.",
	    "タグ名が小文字でない。タグ名は大文字と小文字を区別するため、"
	    "受信側はそのタグを無視する。",
	    "Write tag names in lower case (p=, not P=).",
	    "タグ名は小文字で記述してください（P= ではなく p=）。" },
	{ "dmarc", "unknown-tag", "dmarc", I, "RFC 9989 §4.7",
	    "The record holds a tag DMARC does not define; receivers ignore "
	    "it.",
	    "DMARCで定義されていないタグがあり、受信側は無視する。",
	    "Remove the tag or correct its spelling.",
	    "そのタグを削除するか、綴りを修正してください。" },
	{ "dmarc", "removed-tag", "dmarc", W, "RFC 9989 Appendix C",
	    "The record uses a tag RFC 9989 removed (pct, rf, ri); receivers "
	    "ignore it.",
	    "RFC 9989で廃止されたタグ（pct、rf、ri）を使っており、受信側は"
	    "無視する。",
	    "Remove the tag; for a gradual start use t=y instead of pct.",
	    "そのタグを削除してください。段階的な導入には pct の代わりに t=y "
	    "を使ってください。" },
	{ "dmarc", "missing-policy", "dmarc", W, "RFC 9989 §4.7",
	    "The record has no p tag.",
	    "DMARCレコードに p タグがない。",
	    "Add p=none, then move to quarantine or reject.",
	    "p=none を追加し、その後 quarantine または reject へ移行して"
	    "ください。" },
	{ "dmarc", "more-findings", "dmarc", I, "",
	    "Further findings about the record are not listed; every error "
	    "still counts in the verdict.",
	    "このレコードに関するその他の指摘は一覧から省略した。エラーは"
	    "すべて判定に反映している。",
	    "Correct the findings listed, then check again.",
	    "一覧の指摘を修正したうえで、再度確認してください。" },
	{ "dmarc", "multiple-records", "dmarc", I | E, "RFC 9989 §4.10",
	    "A name holds more than one DMARC record; receivers discard them "
	    "all.",
	    "同じ名前に複数のDMARCレコードがあり、受信側はすべて破棄する。",
	    "Keep exactly one v=DMARC1 record at _dmarc.<domain>.",
	    "_dmarc.<ドメイン名> にはDMARCレコードを1つだけ置いてください。" },
	{ "dmarc", "discarded-record", "dmarc", I | W | E,
	    "RFC 9989 §4.7, §4.10",
	    "A DMARC-like TXT record is not valid DMARC (v=DMARC1 must come "
	    "first), so receivers discard it.",
	    "DMARCに似たTXTレコードが正しいDMARCレコードでない（v=DMARC1 が"
	    "先頭にないなど）ため、受信側は破棄する。",
	    "Start the record with \"v=DMARC1;\" and fix its syntax, or "
	    "delete it.",
	    "レコードを \"v=DMARC1;\" で始めて構文を修正するか、削除して"
	    "ください。" },
	{ "dmarc", "non-dmarc-txt", "dmarc", I | W, "RFC 9989 §4.10",
	    "The _dmarc name holds TXT records that are not DMARC; receivers "
	    "discard them.",
	    "_dmarc の名前にDMARC以外のTXTレコードがあり、受信側は破棄する。",
	    "Remove TXT records other than the DMARC record from the _dmarc "
	    "name.",
	    "_dmarc の名前から、DMARCレコード以外のTXTレコードを削除して"
	    "ください。" },
	{ "dmarc", "policy-fallback", "dmarc", W, "RFC 9989 §4.10.1",
	    "The record has no usable policy but a valid rua, so receivers "
	    "act as if it said p=none: reports, but no enforcement.",
	    "有効なポリシーはないが rua が正しいため、受信側は p=none として"
	    "扱う（レポートは送られるが、なりすましメールへの対処は行われない）。",
	    "Set a valid p: none, quarantine or reject.",
	    "正しい p（none、quarantine、reject）を記述してください。" },
	{ "dmarc", "no-dmarc-processing", "dmarc", E, "RFC 9989 §4.10.1",
	    "The record has neither a usable policy nor a valid rua, so "
	    "receivers apply no DMARC processing at all.",
	    "有効なポリシーも正しい rua もないため、受信側はDMARCの処理を一切"
	    "行わない。",
	    "Publish \"v=DMARC1; p=none; rua=mailto:...\", then move to "
	    "quarantine or reject.",
	    "\"v=DMARC1; p=none; rua=mailto:...\" を公開し、その後 quarantine "
	    "または reject へ移行してください。" },
	{ "dmarc", "existence-unknown", "dmarc", W, "RFC 9989 §4.10.1",
	    "Lookups failed, so whether the domain exists, and so whether sp "
	    "or np applies, is unknown.",
	    "DNS参照が失敗したため、ドメインが存在するか（sp と np のどちらを"
	    "適用するか）を判定できなかった。",
	    RETRY_EN, RETRY_JA },
	{ "dmarc", "dns-error", "dmarc", W, "RFC 9989 §4.10",
	    "A _dmarc lookup failed, so the policy could not be measured "
	    "(temperror).",
	    "_dmarc のDNS参照に失敗したため、ポリシーを測定できなかった"
	    "（temperror）。",
	    RETRY_EN, RETRY_JA },
	{ "dmarc", "org-domain-unknown", "dmarc", I, "RFC 9989 §4.10.2",
	    "The DNS Tree Walk could not finish, so the Organizational Domain "
	    "is unknown.",
	    "DNSツリーウォークを完了できなかったため、組織ドメインを判定でき"
	    "なかった。",
	    "Check that the parent domains' servers answer _dmarc queries, "
	    "then measure again.",
	    "上位ドメインの権威DNSサーバーが _dmarc の問い合わせに応答するか"
	    "確認し、再度測定してください。" },
	{ "dmarc", "external-rua-unauthorized", "dmarc", W,
	    "RFC 9990 (Verifying External Destinations)",
	    "An aggregate report destination outside the Organizational "
	    "Domain has not authorized the reports, so receivers will not "
	    "send them.",
	    "組織ドメイン外の集約レポート送信先がレポートの受信を許可して"
	    "いないため、受信側はレポートを送らない。",
	    "Have the destination publish <domain>._report._dmarc.<destination> "
	    "TXT \"v=DMARC1\", or use an address in your own domain.",
	    "送信先に <ドメイン名>._report._dmarc.<送信先> TXT \"v=DMARC1\" を"
	    "公開してもらうか、自ドメインのアドレスを使ってください。" },
	{ "dmarc", "external-ruf-unauthorized", "dmarc", W,
	    "RFC 9990 (Verifying External Destinations)",
	    "A failure report destination outside the Organizational Domain "
	    "has not authorized the reports, so receivers will not send them.",
	    "組織ドメイン外の失敗レポート送信先がレポートの受信を許可して"
	    "いないため、受信側はレポートを送らない。",
	    "Have the destination publish <domain>._report._dmarc.<destination> "
	    "TXT \"v=DMARC1\", or use an address in your own domain.",
	    "送信先に <ドメイン名>._report._dmarc.<送信先> TXT \"v=DMARC1\" を"
	    "公開してもらうか、自ドメインのアドレスを使ってください。" },
	{ "dmarc", "external-auth-unknown", "dmarc", I,
	    "RFC 9990 (Verifying External Destinations)",
	    "Whether an external report destination authorized the reports "
	    "could not be looked up.",
	    "外部のレポート送信先がレポートの受信を許可しているかを参照でき"
	    "なかった。",
	    "Measure again; if it persists, check the destination domain's "
	    "DNS.",
	    "再度測定し、解消しない場合は送信先ドメインのDNSを確認してください。" },

	/* ---- mta_sts --------------------------------------------------- */
	{ "mta_sts", "dns-error", "mta_sts", W, "RFC 8461 §3.1",
	    "The _mta-sts TXT lookup failed, so MTA-STS could not be measured "
	    "(temperror).",
	    "_mta-sts のTXT参照に失敗したため、MTA-STSを測定できなかった"
	    "（temperror）。",
	    RETRY_EN, RETRY_JA },
	{ "mta_sts", "multiple-records", "mta_sts", E, "RFC 8461 §3.1",
	    "The domain publishes more than one MTA-STS record, so senders "
	    "assume it has no policy.",
	    "_mta-sts に複数のMTA-STSレコードがあり、送信側はポリシーがない"
	    "ものとみなす。",
	    "Keep exactly one v=STSv1 record.",
	    "v=STSv1 のレコードを1つだけにしてください。" },
	{ "mta_sts", "syntax-error", "mta_sts", E, "RFC 8461 §3.1, §3.2",
	    "The _mta-sts TXT record or the policy file has a syntax error.",
	    "_mta-sts のTXTレコードまたはポリシーファイルに構文誤りがある。",
	    "Correct the record (v=STSv1; id=...) or the policy file "
	    "(\"key: value\" lines).",
	    "TXTレコード（v=STSv1; id=...）またはポリシーファイル（「キー: 値」"
	    "の行）を修正してください。" },
	{ "mta_sts", "invalid-id", "mta_sts", E, "RFC 8461 §3.1",
	    "The id field is not 1 to 32 letters and digits.",
	    "id の値が1〜32文字の英数字でない。",
	    "Use an id of letters and digits, such as the date and time of "
	    "the policy (20260101000000).",
	    "id を英数字にしてください（例: ポリシーの更新日時 20260101000000）。" },
	{ "mta_sts", "missing-id", "mta_sts", E, "RFC 8461 §3.1",
	    "The _mta-sts TXT record has no id field.",
	    "_mta-sts のTXTレコードに id がない。",
	    "Add id=... and change it whenever the policy changes.",
	    "id=... を追加し、ポリシーを変更するたびに値を更新してください。" },
	{ "mta_sts", "invalid-mx-pattern", "mta_sts", E, "RFC 8461 §3.2",
	    "An mx line of the policy is neither a host name nor *.domain.",
	    "ポリシーの mx 行が、ホスト名または *.ドメイン名 の形式でない。",
	    "List each MX host name (or *.domain) on its own mx: line.",
	    "MXホスト名（または *.ドメイン名）を1行に1つずつ mx: 行に記述して"
	    "ください。" },
	{ "mta_sts", "invalid-version", "mta_sts", E, "RFC 8461 §3.2",
	    "The policy's version is not STSv1.",
	    "ポリシーの version が STSv1 でない。",
	    "Write \"version: STSv1\" in the policy file.",
	    "ポリシーファイルに「version: STSv1」を記述してください。" },
	{ "mta_sts", "invalid-mode", "mta_sts", E, "RFC 8461 §3.2",
	    "The policy's mode is not enforce, testing or none.",
	    "ポリシーの mode が enforce、testing、none のいずれでもない。",
	    "Set \"mode: testing\" first, then \"mode: enforce\".",
	    "まず「mode: testing」とし、その後「mode: enforce」にしてください。" },
	{ "mta_sts", "invalid-max-age", "mta_sts", E, "RFC 8461 §3.2",
	    "max_age is not a number of seconds up to 31557600.",
	    "max_age が31557600以下の秒数でない。",
	    "Set max_age to a number of seconds from 604800 (a week) to "
	    "31557600.",
	    "max_age を604800（1週間）から31557600までの秒数にしてください。" },
	{ "mta_sts", "max-age-short", "mta_sts", W, "RFC 8461 §3.2",
	    "max_age is under a day; weeks or more are recommended.",
	    "max_age が1日未満である。数週間以上が推奨される。",
	    "Raise max_age to at least 604800 (a week).",
	    "max_age を604800（1週間）以上にしてください。" },
	{ "mta_sts", "missing-field", "mta_sts", E, "RFC 8461 §3.2",
	    "The policy lacks a required field (version, mode, max_age or mx).",
	    "ポリシーに必須の項目（version、mode、max_age、mx）がない。",
	    "Add the missing field to the policy file.",
	    "不足している項目をポリシーファイルに追加してください。" },
	{ "mta_sts", "duplicate-field", "mta_sts", W, "RFC 8461 §3.2",
	    "A policy field appears more than once; the first is used.",
	    "ポリシーの同じ項目が複数回現れており、最初のものが使われる。",
	    "Remove the repeated line.",
	    "重複している行を削除してください。" },
	{ "mta_sts", "policy-fetch-failed", "mta_sts", W | E, "RFC 8461 §3.3",
	    "The policy file could not be fetched over HTTPS with a valid "
	    "certificate and status 200, without redirects.",
	    "ポリシーファイルを、正しい証明書によるHTTPSでステータス200（リダ"
	    "イレクトなし）として取得できなかった。",
	    "Serve https://mta-sts.<domain>/.well-known/mta-sts.txt with a "
	    "valid certificate and status 200.",
	    "https://mta-sts.<ドメイン名>/.well-known/mta-sts.txt を、正しい"
	    "証明書とステータス200で応答するようにしてください。" },
	{ "mta_sts", "policy-media-type", "mta_sts", E, "RFC 8461 §3.2",
	    "The policy file is not served as text/plain.",
	    "ポリシーファイルが text/plain として応答されていない。",
	    "Serve the policy file with Content-Type: text/plain.",
	    "ポリシーファイルを Content-Type: text/plain で応答するようにして"
	    "ください。" },
	{ "mta_sts", "policy-host-unknown", "mta_sts", W, "RFC 8461 §3.3",
	    "The address lookups of mta-sts.<domain> failed, so the policy "
	    "could not be fetched (could not measure).",
	    "mta-sts.<ドメイン名> のアドレスの参照に失敗したため、ポリシーを"
	    "取得できなかった（測定不能）。",
	    RETRY_EN, RETRY_JA },
	{ "mta_sts", "policy-host-unresolvable", "mta_sts", E, "RFC 8461 §3.3",
	    "mta-sts.<domain> has no address, so senders cannot fetch the "
	    "policy.",
	    "mta-sts.<ドメイン名> にアドレスがなく、送信側はポリシーを取得できない。",
	    "Publish A/AAAA records for mta-sts.<domain> that point at the "
	    "web server holding the policy.",
	    "mta-sts.<ドメイン名> に、ポリシーを置いたWebサーバーを指すA/AAAA"
	    "レコードを登録してください。" },
	{ "mta_sts", "mx-not-covered", "mta_sts", W | E, "RFC 8461 §4.1",
	    "An MX host matches no mx line of the policy; in enforce mode "
	    "senders will not deliver to it.",
	    "MXホストがポリシーのどの mx 行にも一致しない。enforce モードでは"
	    "送信側はそのホストへ配送しない。",
	    "Add the MX host (or a matching *.domain) to the policy's mx "
	    "lines.",
	    "そのMXホスト（または一致する *.ドメイン名）をポリシーの mx 行に"
	    "追加してください。" },
	{ "mta_sts", "mx-unknown", "mta_sts", I, "RFC 8461 §4.1",
	    "The MX lookup failed, so whether the policy covers the MX hosts "
	    "was not checked.",
	    "MXの参照に失敗したため、ポリシーがMXホストを網羅しているかは"
	    "確認していない。",
	    RETRY_EN, RETRY_JA },
	{ "mta_sts", "deadline-passed", "mta_sts", W, "",
	    "The domain's time limit ran out before the policy could be "
	    "fetched (could not measure).",
	    "ポリシーを取得する前にドメインごとの制限時間が過ぎた（測定不能）。",
	    "Measure again, with a longer --timeout if needed.",
	    "再度測定してください。必要に応じて --timeout を長くしてください。" },

	/* ---- tls_rpt --------------------------------------------------- */
	{ "tls_rpt", "dns-error", "tls_rpt", W, "RFC 8460 §3",
	    "The _smtp._tls TXT lookup failed, so TLS-RPT could not be "
	    "measured (temperror).",
	    "_smtp._tls のTXT参照に失敗したため、TLS-RPTを測定できなかった"
	    "（temperror）。",
	    RETRY_EN, RETRY_JA },
	{ "tls_rpt", "multiple-records", "tls_rpt", E, "RFC 8460 §3",
	    "The domain publishes more than one TLS-RPT record, so senders "
	    "assume it has none.",
	    "_smtp._tls に複数のTLS-RPTレコードがあり、送信側はレコードがない"
	    "ものとみなす。",
	    "Keep exactly one v=TLSRPTv1 record.",
	    "v=TLSRPTv1 のレコードを1つだけにしてください。" },
	{ "tls_rpt", "syntax-error", "tls_rpt", E, "RFC 8460 §3",
	    "The TLS-RPT record has a syntax error.",
	    "TLS-RPTレコードに構文誤りがある。",
	    "Rewrite the record as \"v=TLSRPTv1; rua=mailto:...\".",
	    "\"v=TLSRPTv1; rua=mailto:...\" の形式で記述し直してください。" },
	{ "tls_rpt", "invalid-uri", "tls_rpt", E, "RFC 8460 §3",
	    "A rua entry is not a URI.",
	    "rua の値がURIでない。",
	    "Write report destinations as mailto: or https: URIs.",
	    "レポート送信先を mailto: または https: のURIで記述してください。" },
	{ "tls_rpt", "unsupported-uri", "tls_rpt", W, "RFC 8460 §3",
	    "A rua URI is neither mailto: nor https:, so senders do not use "
	    "it.",
	    "rua のURIが mailto: でも https: でもなく、送信側は使わない。",
	    "Use a mailto: or https: URI.",
	    "mailto: または https: のURIを使ってください。" },
	{ "tls_rpt", "missing-rua", "tls_rpt", E, "RFC 8460 §3",
	    "The TLS-RPT record has no rua field.",
	    "TLS-RPTレコードに rua がない。",
	    "Add rua=mailto:... with the address that receives the reports.",
	    "レポートを受け取るアドレスを rua=mailto:... として追加してください。" },

	/* ---- mail ------------------------------------------------------ */
	{ "mail", "no-mail-without-spf-fail", "mail", W,
	    "RFC 7505, RFC 7208 §5.1",
	    "The domain accepts no mail (null MX) but has no SPF record "
	    "\"v=spf1 -all\", so its name can be forged in mail.",
	    "ドメインはメールを受信しない（null MX）が、SPFレコード "
	    "\"v=spf1 -all\" がなく、ドメイン名を詐称したメールを防げない。",
	    "Publish the TXT record \"v=spf1 -all\" at the domain.",
	    "ドメインにTXTレコード \"v=spf1 -all\" を公開してください。" },
	{ "mail", "no-mail-without-dmarc-reject", "mail", W,
	    "RFC 7505, RFC 9989 §4.7",
	    "The domain accepts no mail (null MX) but has no DMARC policy "
	    "p=reject, so receivers are not asked to reject forged mail.",
	    "ドメインはメールを受信しない（null MX）が、DMARCポリシー p=reject "
	    "がなく、受信側になりすましメールの拒否を求めていない。",
	    "Publish \"v=DMARC1; p=reject;\" at _dmarc.<domain>.",
	    "_dmarc.<ドメイン名> に \"v=DMARC1; p=reject;\" を公開してください。" },

	/* ---- errors ---------------------------------------------------- */
	{ "errors", "name-empty", "check", E, "RFC 1035 §2.3.4",
	    "The input is empty.",
	    "入力が空である。",
	    LIST_EN, LIST_JA },
	{ "errors", "name-empty-label", "check", E, "RFC 1035 §2.3.4",
	    "The name has an empty label (two dots in a row, or a leading "
	    "dot).",
	    "ドメイン名に空のラベルがある（ドットの連続、または先頭のドット）。",
	    LIST_EN, LIST_JA },
	{ "errors", "name-label-too-long", "check", E, "RFC 1035 §2.3.4",
	    "A label of the name is longer than 63 octets.",
	    "ドメイン名のラベルが63オクテットを超えている。",
	    LIST_EN, LIST_JA },
	{ "errors", "name-too-long", "check", E, "RFC 1035 §2.3.4",
	    "The name is longer than 253 octets.",
	    "ドメイン名が253オクテットを超えている。",
	    LIST_EN, LIST_JA },
	{ "errors", "name-bad-character", "check", E, "RFC 1123 §2.1",
	    "The name holds a character host names cannot have.",
	    "ドメイン名にホスト名として使えない文字が含まれている。",
	    LIST_EN, LIST_JA },
	{ "errors", "name-bad-idn", "check", E, "RFC 5891",
	    "The internationalized name is not valid IDNA2008.",
	    "国際化ドメイン名がIDNA2008として正しくない。",
	    LIST_EN, LIST_JA },
	{ "errors", "name-not-utf8", "check", E, "RFC 3629",
	    "The input is not valid UTF-8.",
	    "入力が正しいUTF-8でない。",
	    "Save the domain list as UTF-8.",
	    "ドメインリストをUTF-8で保存してください。" },
	{ "errors", "name-invalid", "check", E, "RFC 1035 §2.3.4",
	    "The input is not a valid domain name.",
	    "入力が正しいドメイン名でない。",
	    LIST_EN, LIST_JA },
	{ "errors", "nxdomain", "check", E, "RFC 1035 §4.1.1",
	    "The domain does not exist (NXDOMAIN).",
	    "ドメインが存在しない（NXDOMAIN）。",
	    "Check the spelling, or remove the domain from the list.",
	    "綴りを確認するか、ドメインをリストから削除してください。" },
	{ "errors", "ns-lookup-failed", "check", E, "RFC 1035",
	    "The NS lookup of the domain failed, so its name servers are not "
	    "known (could not measure).",
	    "ドメインのNS参照に失敗したため、ネームサーバーが分からない"
	    "（測定不能）。",
	    RETRY_EN, RETRY_JA },
	{ "errors", "mx-lookup-failed", "check", E, "RFC 5321 §5.1",
	    "The MX lookup of the domain failed, so its mail servers are not "
	    "known (could not measure).",
	    "ドメインのMX参照に失敗したため、メールサーバーが分からない"
	    "（測定不能）。",
	    RETRY_EN, RETRY_JA },
	{ "errors", "address-lookup-failed", "check", E, "RFC 1035",
	    "The A or AAAA lookup of an NS or MX host failed, so its "
	    "addresses are not known (could not measure).",
	    "NSまたはMXホストのA／AAAA参照に失敗したため、そのアドレスが"
	    "分からない（測定不能）。",
	    RETRY_EN, RETRY_JA },
	{ "errors", "dmarc-lookup-failed", "dmarc", E, "RFC 9989 §4.10.2",
	    "A DNS lookup of the DMARC Tree Walk failed, so the "
	    "Organizational Domain is undetermined (could not measure).",
	    "DMARCのツリーウォークでDNS参照に失敗したため、組織ドメインが"
	    "定まらない（測定不能）。",
	    RETRY_EN, RETRY_JA },
	{ "errors", "too-many-hosts", "check", E, "",
	    "The domain has more than 16 NS or MX records; only the first 16 "
	    "are followed.",
	    "NSまたはMXレコードが16件を超えており、最初の16件だけを調べた。",
	    "Check whether so many NS or MX records are intended.",
	    "これほど多くのNSまたはMXレコードが意図したものか確認してください。" },
	{ "errors", "rpki-origin-lookup", "rpki", E, "RFC 6811",
	    "The origin AS of an address could not be looked up, so its RPKI "
	    "state is unknown.",
	    "アドレスを含む経路広告のオリジンASを参照できなかったため、RPKIに"
	    "よる経路の検証結果が分からない。",
	    "Check --asn-service or --routes, then measure again.",
	    "--asn-service または --routes の指定を確認し、再度測定してください。" },
	{ "errors", "rpki-validation-failed", "rpki", E, "RFC 6811 §2",
	    "The route of an address could not be validated against the VRPs "
	    "(out of memory), so its RPKI state is unknown.",
	    "メモリ不足のため、アドレスを含む経路をVRPと照合できず、RPKIによる"
	    "経路の検証結果が分からない。",
	    "Run again with a lower --concurrency or more memory.",
	    "--concurrency を下げるか、メモリを増やして再度実行してください。" },
	{ "errors", "out-of-memory", "check", E, "",
	    "The program ran out of memory; some results of the domain are "
	    "missing.",
	    "メモリが不足し、このドメインの結果の一部が欠けている。",
	    "Run again with a lower --concurrency or more memory.",
	    "--concurrency を下げるか、メモリを増やして再度実行してください。" },
};
const size_t hy_catalog_len = sizeof(hy_catalog) / sizeof(hy_catalog[0]);

const struct hy_catalog_entry *
hy_catalog_find(const char *section, const char *code)
{
	for (size_t i = 0; i < hy_catalog_len; i++)
		if (strcmp(hy_catalog[i].section, section) == 0 &&
		    strcmp(hy_catalog[i].code, code) == 0)
			return &hy_catalog[i];
	return NULL;
}

bool
hy_catalog_known(const char *code, enum hy_severity sev)
{
	for (size_t i = 0; i < hy_catalog_len; i++)
		if (strcmp(hy_catalog[i].code, code) == 0 &&
		    (hy_catalog[i].severities & (1u << sev)) != 0)
			return true;
	return false;
}

const char *
hy_catalog_severities_str(unsigned sevs, bool ja)
{
	static const char *const en[8] = { "", "info", "warning",
	    "info / warning", "error", "info / error", "warning / error",
	    "info / warning / error" };
	static const char *const jp[8] = { "", "情報", "警告", "情報／警告",
	    "エラー", "情報／エラー", "警告／エラー", "情報／警告／エラー" };

	return (ja ? jp : en)[sevs & 7u];
}

void
hy_catalog_assert(const char *code, enum hy_severity sev)
{
#ifndef NDEBUG
	if (hy_catalog_known(code, sev))
		return;
	fprintf(stderr, "hygiene: internal error: the code \"%s\" (severity "
	    "%s) is not in the findings catalogue. Add its row to the table in "
	    "src/catalog.c (section, code, probe, severity, RFC, English, "
	    "Japanese, remediation), then regenerate doc/findings.md and the "
	    "schema enum as the top of that file says.\n", code,
	    hy_severity_str(sev));
	abort();
#else
	(void)code;
	(void)sev;
#endif
}
