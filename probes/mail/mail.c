/*
 * The `mail` summary section. It issues no queries: start() only
 * schedules done, emit() reads the sections emitted before it (the
 * registry in src/probes.c keeps this probe last).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hygiene/cursor.h"
#include "mail.h"

struct mail_state {
	struct hy_check	*chk;
	struct hy_timer	 timer;
};

const char *
hy_mail_nomail_str(enum hy_mail_nomail v)
{
	switch (v) {
	case HY_NOMAIL_NOT:
		return "no";
	case HY_NOMAIL_PROTECTED:
		return "protected";
	case HY_NOMAIL_PARTIAL:
		return "partially-protected";
	case HY_NOMAIL_INDETERMINATE:
		break;
	}
	return "indeterminate";
}

static const char *
tri_str(enum hy_mail_tri t)
{
	return t == HY_MAIL_YES ? "yes" : t == HY_MAIL_NO ? "no" : "unknown";
}

static int
is_term(int ch)
{
	return ch != ' ' && ch != '\t';
}

int
hy_mail_spf_rejects_all(const char *record)
{
	struct hy_cursor c;
	struct hy_span t;
	bool all = false;

	hy_cursor_init(&c, record, strlen(record));
	hy_cursor_skip_ws(&c);
	t = hy_cursor_while(&c, is_term);
	if (!hy_span_eq_ci(t, "v=spf1"))
		return 0;
	for (;;) {
		hy_cursor_skip_ws(&c);
		if (hy_cursor_eof(&c))
			break;
		t = hy_cursor_while(&c, is_term);
		if (hy_span_eq_ci(t, "-all"))
			all = true;
		else if (memchr(t.p, '=', t.len) == NULL || (t.len >= 9 &&
		    strncasecmp(t.p, "redirect=", 9) == 0))
			return 0;	/* a mechanism, or redirect */
	}
	return all;
}

static const char *
str_at(const json_t *obj, const char *sec, const char *key)
{
	return json_string_value(json_object_get(json_object_get(obj, sec),
	    key));
}

static enum hy_mail_tri
spf_tri(const json_t *obj)
{
	const char *st = str_at(obj, "spf", "status");
	const char *rec = str_at(obj, "spf", "record");

	if (st == NULL || strcmp(st, "temperror") == 0)
		return HY_MAIL_UNKNOWN;
	return strcmp(st, "valid") == 0 && rec != NULL &&
	    hy_mail_spf_rejects_all(rec) ? HY_MAIL_YES : HY_MAIL_NO;
}

static enum hy_mail_tri
dmarc_tri(const json_t *obj)
{
	const char *st = str_at(obj, "dmarc", "status");
	const char *pol = str_at(obj, "dmarc", "policy");
	json_t *t = json_object_get(json_object_get(obj, "dmarc"), "testing");

	if (st == NULL || strcmp(st, "temperror") == 0)
		return HY_MAIL_UNKNOWN;
	/* policy is what receivers apply, also from a record with errors
	 * (RFC 9989 §4.10.1); t=y asks them to apply one level less
	 * (§4.7). */
	return pol != NULL && strcmp(pol, "reject") == 0 && !json_is_true(t) ?
	    HY_MAIL_YES : HY_MAIL_NO;
}

int
hy_mail_summarize(const json_t *obj, struct hy_mail_summary *s)
{
	json_t *nm = json_object_get(obj, "null_mx");

	memset(s, 0, sizeof(*s));
	s->null_mx = json_is_boolean(nm) ? (json_is_true(nm) ? HY_MAIL_YES :
	    HY_MAIL_NO) : HY_MAIL_UNKNOWN;
	s->spf_rejects_all = spf_tri(obj);
	s->dmarc_reject = dmarc_tri(obj);
	if (s->null_mx == HY_MAIL_UNKNOWN) {
		s->verdict = HY_NOMAIL_INDETERMINATE;
		return 0;
	}
	if (s->null_mx == HY_MAIL_NO) {
		s->verdict = HY_NOMAIL_NOT;
		return 0;
	}
	if (s->spf_rejects_all == HY_MAIL_YES &&
	    s->dmarc_reject == HY_MAIL_YES) {
		s->verdict = HY_NOMAIL_PROTECTED;
		return 0;
	}
	/* One known gap is enough to say "not fully protected". */
	s->verdict = s->spf_rejects_all == HY_MAIL_NO ||
	    s->dmarc_reject == HY_MAIL_NO ? HY_NOMAIL_PARTIAL :
	    HY_NOMAIL_INDETERMINATE;
	if (s->spf_rejects_all == HY_MAIL_NO && hy_findings_add(&s->findings,
	    "no-mail-without-spf-fail", HY_SEV_WARNING, "the domain "
	    "publishes a null MX (RFC 7505) but no SPF record \"v=spf1 -all\" "
	    "that authorizes no sender (RFC 7208 §5.1), so its name can be "
	    "used in forged mail") != 0)
		return -1;
	if (s->dmarc_reject == HY_MAIL_NO && hy_findings_add(&s->findings,
	    "no-mail-without-dmarc-reject", HY_SEV_WARNING, "the domain "
	    "publishes a null MX (RFC 7505) but no DMARC policy of reject "
	    "for itself (RFC 9989 §4.7), so receivers are not asked to "
	    "reject forged mail") != 0)
		return -1;
	return 0;
}

static void
mail_finish(void *arg)
{
	struct mail_state *s = arg;

	hy_check_probe_done(s->chk, &hy_probe_mail);
}

static int
mail_start(struct hy_check *c, void **state)
{
	struct mail_state *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	*state = s;
	s->chk = c;
	hy_timer_start(hy_run_loop(hy_check_run(c)), &s->timer, 0,
	    mail_finish, s);
	return 0;
}

static int
mail_emit(struct hy_check *c, void *state, json_t *obj)
{
	struct hy_mail_summary s;
	json_t *o = NULL;
	int rc = -1;

	(void)c;
	(void)state;
	if (hy_mail_summarize(obj, &s) != 0)
		goto out;
	o = json_pack("{s:s, s:s, s:s, s:s, s:o}",
	    "no_mail_domain", hy_mail_nomail_str(s.verdict),
	    "null_mx", tri_str(s.null_mx),
	    "spf_rejects_all", tri_str(s.spf_rejects_all),
	    "dmarc_reject", tri_str(s.dmarc_reject),
	    "issues", hy_findings_to_json(&s.findings));
	if (o == NULL)
		goto out;
	rc = json_object_set_new(obj, "mail", o);
out:
	hy_findings_clear(&s.findings);
	return rc;
}

const struct hy_probe hy_probe_mail = {
	.name = "mail",
	.phase = HY_PHASE_AFTER_BASE,
	.start = mail_start,
	.emit = mail_emit,
	.free = free,
};
