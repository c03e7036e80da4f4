/*
 * Survey statistics, computed from the per-domain JSON objects only
 * (results.ndjson lines: the `check --json` schema plus `attribution`),
 * never from probe internals, so they can be recomputed from stored
 * results and tested with hand-written fixtures.
 *
 * Counting rules (also printed in the report's notes):
 *   - every section counts each domain once under exactly one key; a
 *     section that is null or missing (the probe did not run, the name
 *     was invalid) or holds an unknown status counts as "not_measured";
 *   - dmarc counts the policy receivers apply (reject/quarantine/none)
 *     whenever there is one, also for a record with errors that they
 *     still act on (status invalid, RFC 9989 §4.10.1), else the status
 *     (absent/invalid/temperror);
 *   - an ISP's own domains are those listed under it in the ISP list;
 *     its hosted domains are the other surveyed domains whose MX or NS
 *     addresses are originated by one of its ASNs. A domain owned by an
 *     ISP is never also "hosted" by that same ISP.
 */
#ifndef HYGIENE_STATS_H
#define HYGIENE_STATS_H

#include <stdbool.h>

#include <jansson.h>

#include "hygiene/isps.h"

#define HY_STATS_SCHEMA_VERSION "1.0"

struct hy_stats;

/* isps must outlive the stats object. NULL on OOM. */
struct hy_stats	*hy_stats_new(const struct hy_isp_list *isps);
void		 hy_stats_free(struct hy_stats *);

/*
 * Add `attribution` to a result object in place, from the ISP list and
 * the origin_asn of mx[].addresses[] and ns[].addresses[]:
 *   {"own": ID|null, "mx_hosted_by": [ID..], "ns_hosted_by": [ID..],
 *    "hosted_by": [ID..]}  (hosted_by: union of both, without own)
 * IDs follow the ISP list order. 0, or -1 on OOM.
 */
int		 hy_stats_attribute(const struct hy_isp_list *, json_t *obj);

/* True if the object shows something that could not be measured:
 * `errors`, or an indeterminate/temperror verdict (JSON only, so
 * stored results recount identically). */
bool		 hy_stats_incomplete(const json_t *obj);

/* Count one result object (already attributed). 0, or -1 on OOM. */
int		 hy_stats_add(struct hy_stats *, const json_t *obj);

/*
 * Build stats.json: {"schema_version", "month", "isps": [...],
 * "totals": {...}}. rpki, if not NULL, maps ISP id to that ISP's RPKI
 * figures (as `hygiene rpki --json` gives them); an ISP without an entry
 * gets "rpki": null. Returns a new reference, NULL on OOM.
 */
json_t		*hy_stats_json(const struct hy_stats *, const char *month,
		    const json_t *rpki);

/* The fixed verdict keys of a section ("dnssec", "spf", "dmarc",
 * "mta_sts"), NULL-terminated; NULL for an unknown section. */
const char *const *hy_stats_keys(const char *section);

#endif
