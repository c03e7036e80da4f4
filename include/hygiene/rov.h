/*
 * Route origin validation *enforcement* per ISP, inferred from public BGP
 * collector RIB dumps (include/hygiene/mrt.h): does an ISP drop the
 * RPKI-invalid routes it receives? This is the control-plane method of
 * the ROV measurement literature (Reuter et al., "Towards a Rigorous
 * Methodology for Measuring Adoption of RPKI Route Validation and
 * Filtering", ACM SIGCOMM CCR 48(1), 2018); probes/rpki/README.md states
 * the rule, its thresholds and its caveats.
 *
 * Every route of every dump is validated against the VRPs (RFC 6811).
 * A collector session (feed) belongs to an ISP when the collector's peer
 * AS is one of the ISP's ASNs. Per ISP:
 *   - routes_exported, invalid_exported: routes on its feeds, and those
 *     of them that are invalid (its own originations excluded: ROV is
 *     about routes an ISP receives; invalid_own counts them);
 *   - invalid_in_view: distinct invalid (prefix, origin) routes in the
 *     whole view of the collectors it feeds (all dumps without a feed);
 *   - invalid_transit: distinct invalid routes whose path crosses one of
 *     its ASNs on another peer's feed (it passed them on: weaker
 *     evidence, as the path could be poisoned or the route a customer's).
 *
 * Classification, per feed and address family, then per ISP:
 *   - a feed is a full table for a family when it carries at least
 *     HY_ROV_FULL_SHARE of the routes of the largest feed of that family
 *     in the same dump; other feeds count as weak evidence only;
 *   - a full feed without invalid routes is "filtering" if the dump's
 *     view of that family holds at least HY_ROV_MIN_VIEW_INVALID invalid
 *     routes, else "inconclusive";
 *   - a full feed with invalid routes is "partial" when it carries at
 *     most HY_ROV_FEW_SHARE of the invalid routes of the median
 *     invalid-carrying full feed of that family in the dump, else
 *     "not-filtering";
 *   - the ISP is "filtering" when every conclusive full feed is filtering
 *     and there is no weak evidence against it (an invalid route crossing
 *     it elsewhere, or carried on a partial feed), "not-filtering" when
 *     every one is not-filtering, else "partial"; without a conclusive
 *     full feed it is "not-filtering" on weak evidence (transit or a
 *     partial feed carrying invalid routes), else "no-data".
 *
 * Memory: per session counters, the distinct invalid routes and a few
 * examples per ISP; the routes themselves are streamed and forgotten.
 * Ownership: a struct hy_rov borrows the ISP list and the VRPs, which
 * must outlive it; hy_rov_free(NULL) is safe.
 */
#ifndef HYGIENE_ROV_H
#define HYGIENE_ROV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "hygiene/isps.h"
#include "hygiene/rpki.h"

#define HY_ROV_FULL_SHARE	0.75	/* of the largest feed's routes */
#define HY_ROV_MIN_VIEW_INVALID	10	/* invalid routes a view must hold */
#define HY_ROV_FEW_SHARE	0.10	/* of the median invalid feed */
#define HY_ROV_MAX_EXAMPLES	5	/* evidence kept per ISP */
#define HY_ROV_MAX_FILES	64
/* A dump validated against VRPs of another day misjudges routes whose
 * ROAs changed in between: at most this far apart. */
#define HY_ROV_MAX_SKEW		(24 * 3600)

enum hy_rov_status {
	HY_ROV_NO_DATA,
	HY_ROV_FILTERING,
	HY_ROV_PARTIAL,
	HY_ROV_NOT_FILTERING,
};

enum hy_rov_evidence {
	HY_ROV_EVIDENCE_NONE,
	HY_ROV_EVIDENCE_FEED,		/* full-table feeds */
	HY_ROV_EVIDENCE_TRANSIT,	/* transit paths or partial feeds */
};

/* "filtering", "partial", "not-filtering", "no-data". */
const char	*hy_rov_status_str(enum hy_rov_status);

struct hy_rov_summary {
	enum hy_rov_status status;
	enum hy_rov_evidence evidence;
	size_t		 feeds;		/* sessions from the ISP's ASNs */
	size_t		 full_feeds;	/* of them a full table (any family) */
	uint64_t	 routes_exported;
	uint64_t	 invalid_exported;
	uint64_t	 invalid_own;
	uint64_t	 invalid_in_view;
	uint64_t	 invalid_transit;
	char		 reason[400];
};

struct hy_rov;

/* NULL on OOM. */
struct hy_rov	*hy_rov_new(const struct hy_isp_list *, const struct hy_vrps *);
void		 hy_rov_free(struct hy_rov *);

/*
 * Read one dump (MRT or bgpdump -m, plain, gzip or bzip2) in one pass.
 * Malformed records are counted (hy_rov_malformed); -1 with err when the
 * file cannot be read, is truncated, more than HY_ROV_MAX_FILES were
 * given, or memory ran out.
 */
int		 hy_rov_add_file(struct hy_rov *, const char *path, char *err,
		    size_t errlen);
/* The same for a dump held in memory (uncompressed), named name. */
int		 hy_rov_add_buffer(struct hy_rov *, const char *name,
		    const uint8_t *buf, size_t len, char *err, size_t errlen);
/* Classify, once every dump is in. -1 on OOM. */
int		 hy_rov_finish(struct hy_rov *);

/*
 * Fail (-1 with err) when a dump's time lies more than HY_ROV_MAX_SKEW
 * from vrp_time, the time the VRPs are valid for (now for an RTR cache,
 * --at or now for a file).
 */
int		 hy_rov_check_time(const struct hy_rov *, time_t vrp_time,
		    char *err, size_t errlen);
/* Malformed records, entries and lines over all dumps. */
uint64_t	 hy_rov_malformed(const struct hy_rov *);

/*
 * All of it: read the n dumps, check their time against vrp_time and
 * classify. *out is set on success (and on a failure after reading, so
 * the caller can still list malformed records); -1 with err.
 */
int		 hy_rov_analyse(const struct hy_isp_list *,
		    const struct hy_vrps *, const char *const *paths, size_t n,
		    time_t vrp_time, struct hy_rov **out, char *err,
		    size_t errlen);

/* After hy_rov_finish(): ISP i (the ISP list's order). */
const struct hy_rov_summary *hy_rov_isp(const struct hy_rov *, size_t i);
/* The ISP's "rov" object: status, evidence, reason, feeds,
 * routes_exported, invalid_exported, invalid_own, invalid_in_view,
 * invalid_transit, examples. New reference, NULL on OOM. */
json_t		*hy_rov_isp_json(const struct hy_rov *, size_t i);
/* "path_source": the dumps read, their times and counts, and the rule's
 * thresholds. New reference, NULL on OOM. */
json_t		*hy_rov_source_json(const struct hy_rov *);

#endif
