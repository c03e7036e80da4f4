/*
 * Survey statistics, computed from the per-domain JSON objects only
 * (results.ndjson lines: the `check --json` schema plus `attribution`),
 * never from probe internals, so they can be recomputed from stored
 * results and tested with hand-written fixtures.
 *
 * Counting rules (also printed in the report's notes):
 *   - every domain has one measurement state (hy_stats_measurement()):
 *     measured, incomplete, nxdomain (does not exist) or invalid_input;
 *     each tally counts its domains per state;
 *   - the sections count the measured and incomplete domains, each
 *     domain once under exactly one key; a section that could not be
 *     measured counts as indeterminate/temperror, or "not_measured" when
 *     it is null, missing or holds an unknown status, and never reaches
 *     an adoption rate. A domain that does not exist or whose name is
 *     invalid counts in no section: it is never SPF "none" or DMARC
 *     "absent". (Dropping incomplete domains whole would drop every
 *     DNSSEC-bogus one: a validating resolver SERVFAILs its mail
 *     lookups. The rates would then overstate adoption.);
 *   - dmarc counts the policy receivers apply (reject/quarantine/none)
 *     whenever there is one, also for a record with errors that they
 *     still act on (status invalid, RFC 9989 §4.10.1), else the status
 *     (absent/invalid/temperror);
 *   - an ISP's own domains are those listed under it in the ISP list;
 *     its hosted domains are the other surveyed domains whose MX or NS
 *     addresses are originated by one of its ASNs. A domain owned by an
 *     ISP is never also "hosted" by that same ISP. An incomplete domain
 *     (say its MX lookup failed) also counts as hosted by the ISPs its
 *     previous result found, so it stays in their figures as incomplete.
 */
#ifndef HYGIENE_STATS_H
#define HYGIENE_STATS_H

#include <stdbool.h>

#include <jansson.h>

#include "hygiene/isps.h"

#define HY_STATS_SCHEMA_VERSION "2.0"

struct hy_stats;

/* The measurement state of a domain's result. */
enum hy_measurement {
	HY_MEAS_MEASURED,	/* every section has a verdict */
	HY_MEAS_INCOMPLETE,	/* something could not be measured */
	HY_MEAS_NXDOMAIN,	/* the name does not exist */
	HY_MEAS_INVALID_INPUT,	/* the input is not a valid domain name */
	HY_MEAS_N
};

/* isps must outlive the stats object. NULL on OOM. */
struct hy_stats	*hy_stats_new(const struct hy_isp_list *isps);
void		 hy_stats_free(struct hy_stats *);

/*
 * The state of a result object, from its JSON alone (so stored results
 * recount identically): invalid_input without a `domain`; nxdomain with
 * an `nxdomain` error (NS and MX both NXDOMAIN); incomplete with any
 * other error, an indeterminate/temperror verdict in any section, or a
 * counted section (dnssec, spf, dmarc, mta_sts) without a known verdict;
 * else measured.
 */
enum hy_measurement hy_stats_measurement(const json_t *obj);
/* "measured", "incomplete", "nxdomain", "invalid_input". */
const char	*hy_measurement_str(enum hy_measurement);

/*
 * Add `attribution` to a result object in place, from the ISP list and
 * the origin_asn of mx[].addresses[] and ns[].addresses[]:
 *   {"own": ID|null, "mx_hosted_by": [ID..], "ns_hosted_by": [ID..],
 *    "hosted_by": [ID..]}  (hosted_by: union of both, without own)
 * IDs follow the ISP list order. earlier (may be NULL) is the domain's
 * previous result, from month earlier_month: when obj is incomplete, the
 * ISPs in its hosted_by that are still listed join hosted_by, and
 * "earlier": {"month", "hosted_by"} says so. 0, or -1 on OOM.
 */
int		 hy_stats_attribute(const struct hy_isp_list *, json_t *obj,
		    const char *earlier_month, const json_t *earlier);

/* Count one result object (already attributed), measured attempts
 * times. 0, or -1 on OOM. */
int		 hy_stats_add(struct hy_stats *, const json_t *obj,
		    unsigned attempts);

/*
 * Build stats.json: {"schema_version", "month", "remeasured": {"domains",
 * "measured"}, "isps": [...], "totals": {...}}; remeasured counts the
 * domains measured more than once and, of them, those now measured.
 * rpki, if not NULL, maps ISP id to that ISP's RPKI figures (as `hygiene
 * rpki --json` gives them); an ISP without an entry gets "rpki": null. Returns a new reference, NULL on OOM.
 */
json_t		*hy_stats_json(const struct hy_stats *, const char *month,
		    const json_t *rpki);

/* The fixed verdict keys of a section ("dnssec", "spf", "dmarc",
 * "mta_sts"), NULL-terminated; NULL for an unknown section. */
const char *const *hy_stats_keys(const char *section);

#endif
