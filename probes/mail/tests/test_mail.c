/* Unit tests of the `mail` no-mail-domain summary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mail.h"

static void
summarize(const char *json, struct hy_mail_summary *s)
{
	json_error_t err;
	json_t *o = json_loads(json, 0, &err);

	assert_non_null(o);
	assert_int_equal(hy_mail_summarize(o, s), 0);
	json_decref(o);
}

#define PROTECTED "{\"null_mx\": true, " \
	"\"spf\": {\"status\": \"valid\", \"record\": \"v=spf1 -all\"}, " \
	"\"dmarc\": {\"status\": \"valid\", \"policy\": \"reject\", " \
	"\"testing\": false}}"

static void
test_protected(void **st)
{
	struct hy_mail_summary s;

	(void)st;
	summarize(PROTECTED, &s);
	assert_int_equal(s.verdict, HY_NOMAIL_PROTECTED);
	assert_int_equal(s.findings.n, 0);
	hy_findings_clear(&s.findings);
}

/* The DMARC policy is what receivers apply (RFC 9989 §4.10.1): a record
 * with an error elsewhere still rejects; one applied as p=none does not. */
static void
test_dmarc_effective_policy(void **st)
{
	struct hy_mail_summary s;

	(void)st;
	summarize("{\"null_mx\": true, \"spf\": {\"status\": \"valid\", "
	    "\"record\": \"v=spf1 -all\"}, \"dmarc\": {\"status\": "
	    "\"invalid\", \"policy\": \"reject\", \"testing\": false}}", &s);
	assert_int_equal(s.dmarc_reject, HY_MAIL_YES);
	assert_int_equal(s.verdict, HY_NOMAIL_PROTECTED);
	hy_findings_clear(&s.findings);

	summarize("{\"null_mx\": true, \"spf\": {\"status\": \"valid\", "
	    "\"record\": \"v=spf1 -all\"}, \"dmarc\": {\"status\": "
	    "\"invalid\", \"policy\": \"none\", \"testing\": false}}", &s);
	assert_int_equal(s.dmarc_reject, HY_MAIL_NO);
	assert_int_equal(s.verdict, HY_NOMAIL_PARTIAL);
	hy_findings_clear(&s.findings);

	summarize("{\"null_mx\": true, \"spf\": {\"status\": \"valid\", "
	    "\"record\": \"v=spf1 -all\"}, \"dmarc\": {\"status\": "
	    "\"invalid\", \"policy\": null, \"testing\": false}}", &s);
	assert_int_equal(s.dmarc_reject, HY_MAIL_NO);
	hy_findings_clear(&s.findings);
}

static void
test_partial_and_unknown(void **st)
{
	struct hy_mail_summary s;

	(void)st;
	summarize("{\"null_mx\": true, \"spf\": {\"status\": \"valid\", "
	    "\"record\": \"v=spf1 ip4:192.0.2.1 -all\"}, \"dmarc\": "
	    "{\"status\": \"valid\", \"policy\": \"reject\"}}", &s);
	assert_int_equal(s.verdict, HY_NOMAIL_PARTIAL);
	assert_true(hy_findings_has(&s.findings, "no-mail-without-spf-fail"));
	hy_findings_clear(&s.findings);

	summarize("{\"null_mx\": true, \"spf\": {\"status\": \"valid\", "
	    "\"record\": \"v=spf1 -all\"}, \"dmarc\": {\"status\": \"valid\", "
	    "\"policy\": \"reject\", \"testing\": true}}", &s);
	assert_int_equal(s.verdict, HY_NOMAIL_PARTIAL);
	assert_true(hy_findings_has(&s.findings,
	    "no-mail-without-dmarc-reject"));
	hy_findings_clear(&s.findings);

	summarize("{\"null_mx\": true, \"spf\": {\"status\": \"temperror\"},"
	    "\"dmarc\": {\"status\": \"valid\", \"policy\": \"reject\"}}", &s);
	assert_int_equal(s.verdict, HY_NOMAIL_INDETERMINATE);
	hy_findings_clear(&s.findings);

	summarize("{\"null_mx\": true, \"spf\": {\"status\": \"temperror\"},"
	    "\"dmarc\": {\"status\": \"absent\"}}", &s);
	assert_int_equal(s.verdict, HY_NOMAIL_PARTIAL);
	assert_int_equal(s.findings.n, 1);
	hy_findings_clear(&s.findings);

	summarize("{\"null_mx\": null, \"spf\": null, \"dmarc\": null}", &s);
	assert_int_equal(s.verdict, HY_NOMAIL_INDETERMINATE);
	hy_findings_clear(&s.findings);

	summarize("{\"null_mx\": false, \"spf\": null, \"dmarc\": null}", &s);
	assert_int_equal(s.verdict, HY_NOMAIL_NOT);
	hy_findings_clear(&s.findings);
}

static void
test_spf_rejects_all(void **st)
{
	(void)st;
	assert_true(hy_mail_spf_rejects_all("v=spf1 -all"));
	assert_true(hy_mail_spf_rejects_all("V=SPF1   -ALL "));
	assert_true(hy_mail_spf_rejects_all("v=spf1 exp=why.example.jp -all"));
	assert_false(hy_mail_spf_rejects_all("v=spf1 ~all"));
	assert_false(hy_mail_spf_rejects_all("v=spf1 a -all"));
	assert_false(hy_mail_spf_rejects_all("v=spf1 redirect=x.jp"));
	assert_false(hy_mail_spf_rejects_all("v=spf1"));
	assert_false(hy_mail_spf_rejects_all("spf1 -all"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protected),
		cmocka_unit_test(test_dmarc_effective_policy),
		cmocka_unit_test(test_partial_and_unknown),
		cmocka_unit_test(test_spf_rejects_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
