/*
 * MTA-STS (RFC 8461) and SMTP TLS Reporting (RFC 8460): the parsers for
 * the `_mta-sts` TXT record, the policy file and the `_smtp._tls` TXT
 * record, MX pattern matching, and the probes `mta_sts` and `tls_rpt`.
 *
 * Parsers are pure and read through the bounds-checked cursor; every
 * problem becomes a finding citing the RFC.
 */
#ifndef HYGIENE_PROBE_STS_H
#define HYGIENE_PROBE_STS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hygiene/check.h"
#include "hygiene/findings.h"

/* Size limit for the policy body (RFC 8461 §3.3: 64 KiB). */
#define HY_STS_POLICY_MAX	65536
/* max_age upper bound (RFC 8461 §3.2). */
#define HY_STS_MAX_AGE_MAX	31557600u

enum hy_sts_txt {
	HY_STS_TXT_NOMEM = -1,
	HY_STS_TXT_NOT_STS,	/* does not start with v=STSv1: ignored */
	HY_STS_TXT_VALID,
	HY_STS_TXT_INVALID,
};

struct hy_sts_record {
	char			 id[33];	/* 1*32 ALPHA/DIGIT */
	struct hy_findings	 findings;
};

enum hy_sts_txt	 hy_sts_txt_parse(const char *txt, size_t len,
		    struct hy_sts_record *);
void		 hy_sts_record_clear(struct hy_sts_record *);

enum hy_sts_mode {
	HY_STS_MODE_UNSET,
	HY_STS_MODE_ENFORCE,
	HY_STS_MODE_TESTING,
	HY_STS_MODE_NONE,
};

struct hy_sts_policy {
	bool			 valid;
	enum hy_sts_mode	 mode;
	bool			 has_max_age;
	uint64_t		 max_age;
	char			**mx;		/* patterns, lower case */
	size_t			 nmx;
	struct hy_findings	 findings;
};

/* Parse a policy body. Returns 0 (see p->valid), -1 on OOM. Release with
 * hy_sts_policy_clear(). */
int		 hy_sts_policy_parse(const char *body, size_t len,
		    struct hy_sts_policy *p);
void		 hy_sts_policy_clear(struct hy_sts_policy *);
const char	*hy_sts_mode_str(enum hy_sts_mode);

/* RFC 8461 §4.1: does host match pattern ("mx.example.jp" or
 * "*.example.jp", the wildcard covering exactly one label)? */
bool		 hy_sts_mx_match(const char *pattern, const char *host);

/* TLS-RPT record (RFC 8460 §3). */
enum hy_tlsrpt_parse {
	HY_TLSRPT_NOMEM = -1,
	HY_TLSRPT_NOT_TLSRPT,
	HY_TLSRPT_VALID,
	HY_TLSRPT_INVALID,
};

struct hy_tlsrpt_record {
	char			**rua;
	size_t			 nrua;
	struct hy_findings	 findings;
};

enum hy_tlsrpt_parse hy_tlsrpt_parse(const char *txt, size_t len,
		    struct hy_tlsrpt_record *);
void		 hy_tlsrpt_record_clear(struct hy_tlsrpt_record *);

/*
 * When the check's domain has no MX hosts (a null MX, or no MX records),
 * the clause saying so for an absent verdict's reason, starting "; ":
 * MTA-STS and TLS-RPT then have no delivery to protect or report on.
 * NULL when it has MX hosts or the MX lookup failed.
 */
const char	*hy_sts_no_mx(const struct hy_check *);

extern const struct hy_probe hy_probe_mta_sts;
extern const struct hy_probe hy_probe_tls_rpt;

#endif
