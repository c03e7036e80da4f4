/*
 * The `mail` summary: combines the sections emitted before it (null_mx,
 * spf, dmarc) into one verdict on whether a domain that sends and
 * receives no mail is protected against spoofing: null MX (RFC 7505),
 * an SPF record that authorizes nobody ("v=spf1 -all", RFC 7208) and a
 * DMARC policy of reject (RFC 9989).
 */
#ifndef HYGIENE_PROBE_MAIL_H
#define HYGIENE_PROBE_MAIL_H

#include <jansson.h>

#include "hygiene/check.h"
#include "hygiene/findings.h"

enum hy_mail_tri { HY_MAIL_NO, HY_MAIL_YES, HY_MAIL_UNKNOWN };

enum hy_mail_nomail {
	HY_NOMAIL_NOT,		/* not declared a no-mail domain */
	HY_NOMAIL_PROTECTED,	/* null MX + v=spf1 -all + p=reject */
	HY_NOMAIL_PARTIAL,	/* null MX, but SPF or DMARC missing */
	HY_NOMAIL_INDETERMINATE,
};

struct hy_mail_summary {
	enum hy_mail_tri	 null_mx, spf_rejects_all, dmarc_reject;
	enum hy_mail_nomail	 verdict;
	struct hy_findings	 findings;
};

/* Summarize a domain object (as emitted so far). Pure; 0 or -1 (OOM).
 * Release with hy_findings_clear(&s->findings). */
int		 hy_mail_summarize(const json_t *obj, struct hy_mail_summary *s);
/* The SPF record authorizes no host at all (only "-all", and modifiers
 * other than redirect). */
int		 hy_mail_spf_rejects_all(const char *record);
const char	*hy_mail_nomail_str(enum hy_mail_nomail);

extern const struct hy_probe hy_probe_mail;

#endif
