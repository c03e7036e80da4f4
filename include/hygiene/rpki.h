/*
 * RPKI route origin validation (RFC 6811): VRPs, routes, and the per-ISP
 * statistics that `hygiene rpki`, the check probe (probes/rpki/) and the
 * survey share.
 *
 * VRPs come from an RTR cache (rtrlib, hy_vrps_sync_rtr) or from an
 * rpki-client/stayrtr JSON file (hy_vrps_load_json). Either way they end
 * up in an rtrlib pfx_table, which answers the validation queries, plus
 * a copy sorted by ASN for the RFC 9319 loose-ROA analysis.
 *
 * Routes come from a route file (hy_routes_parse/hy_routes_load): CAIDA
 * pfx2as, "prefix/len<TAB>asn" (RouteViews ipasn) or `bgpdump -m` lines,
 * optionally gzip-compressed. A multi-origin prefix becomes one route per
 * origin; an AS_SET origin is kept as a set and is never valid.
 *
 * Ownership: every struct returned through an out-pointer is owned by the
 * caller and released with its _free(), which accepts NULL.
 */
#ifndef HYGIENE_RPKI_H
#define HYGIENE_RPKI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "hygiene/config.h"

/* RFC 6811 states, with "invalid" split the NIST RPKI Monitor way. */
enum hy_rpki_state {
	HY_RPKI_VALID,
	HY_RPKI_INVALID_ASN,	/* covered, but no VRP for the origin AS */
	HY_RPKI_INVALID_LENGTH,	/* a VRP for the origin AS, route too long */
	HY_RPKI_NOT_FOUND,	/* no VRP covers the prefix */
	HY_RPKI_NSTATES
};

/* "valid", "invalid-asn", "invalid-length", "not-found". */
const char	*hy_rpki_state_str(enum hy_rpki_state);
/* "valid", "invalid", "not-found": the RFC 6811 state. */
const char	*hy_rpki_state_rfc(enum hy_rpki_state);

/* An IP prefix; IPv4 uses addr[0..3], the rest is zero. */
struct hy_prefix {
	uint8_t		family;		/* 4 or 6 */
	uint8_t		len;
	uint8_t		addr[16];	/* network byte order, host bits 0 */
};

/* "192.0.2.0/24" into buf (at least 50 bytes). */
void	hy_prefix_str(const struct hy_prefix *, char *buf, size_t len);
/* Parse "addr/len" (no spaces). Host bits must be zero. */
int	hy_prefix_parse(const char *s, size_t n, struct hy_prefix *out);
/* Order: family, then address, then length (shorter first). */
int	hy_prefix_cmp(const struct hy_prefix *, const struct hy_prefix *);
/* True if inner lies inside outer (or equals it). */
bool	hy_prefix_covers(const struct hy_prefix *outer,
	    const struct hy_prefix *inner);

/*
 * Read a whole data file, gunzipped when it is gzip (zlib reads a plain
 * file unchanged). A file cut short is refused with -1 and err naming the
 * path: gzip through its CRC and length; with lines, a plain file whose
 * last line has no newline. *out is malloc'd and NUL-terminated.
 */
int	hy_rpki_slurp(const char *path, bool lines, char **out, size_t *len,
	    char *err, size_t errlen);

/* RFC 3339 UTC time ("2026-11-30T08:00:00Z"; a fraction and an offset
 * are allowed; no zone means UTC, as Routinator and RIPEstat write it).
 * 0, or -1. */
int	hy_rpki_parse_time(const char *s, time_t *out);

/* ---- VRPs ---- */

struct hy_vrp {
	struct hy_prefix pfx;
	uint8_t		 max_len;
	uint32_t	 asn;
};

enum hy_vrps_source { HY_VRPS_FILE, HY_VRPS_RTR };

struct hy_vrps;

/*
 * Parse a VRP file: rpki-client, Routinator (json, jsonext) or stayrtr
 * JSON ({"metadata": {...}, "roas": [{prefix, maxLength, asn}]}, asn as a
 * number, "ASnnn" or "nnn"; a bare array is accepted too). The metadata
 * gives the generator and the build time (buildtime, generated or
 * generatedTime). A VRP whose expiry ("expires", or jsonext's chain
 * validity) is before at is dropped and counted, as stayrtr does; at 0
 * keeps all. Any bad entry fails the whole file: a partial VRP set would
 * turn invalids into not-found; so does a file without VRPs. name is
 * recorded as the source. 0 or -1 with err.
 */
int	hy_vrps_load_json(const char *buf, size_t len, const char *name,
	    time_t at, struct hy_vrps **out, char *err, size_t errlen);
/* The same from a file, plain or gzip (hy_rpki_slurp). */
int	hy_vrps_load_file(const char *path, time_t at, struct hy_vrps **out,
	    char *err, size_t errlen);

/* Progress of an RTR sync: prefix PDUs received so far. */
typedef void (*hy_vrps_progress_fn)(void *arg, size_t vrps,
	    uint64_t elapsed_ms);

struct hy_rtr_sync_opts {
	const char	*hostport;	/* HOST:PORT, IPv6 as [addr]:port */
	unsigned	 timeout_ms;	/* the whole sync (--rtr-timeout) */
	hy_vrps_progress_fn progress;	/* every 250 ms while waiting, from
					   the calling thread; may be NULL */
	void		*progress_arg;
};

/*
 * Connect to the RTR cache with rtrlib and wait for a full sync for at
 * most timeout_ms. Fails closed (-1 with err) if the cache is
 * unreachable, answers with an Error Report PDU (at once, with the
 * cache's error text), does not finish a sync in time or sent no VRPs.
 * rtrlib's debug output on stderr is diverted to /dev/null while it runs
 * (set HYGIENE_RTRLIB_DEBUG=1 to keep it); stdout is never touched.
 */
int	hy_vrps_sync_rtr(const struct hy_rtr_sync_opts *, struct hy_vrps **out,
	    char *err, size_t errlen);

/* Clock skew allowed between a file's build time and now. */
#define HY_VRPS_CLOCK_SKEW_S	300

/* Where the VRPs come from, after the global options. */
struct hy_vrps_opts {
	const char	*file;		/* --vrps FILE; NULL: the RTR cache */
	struct hy_rtr_sync_opts rtr;	/* --rtr, --rtr-timeout */
	time_t		 at;		/* validation time: --at, or now */
	bool		 at_pinned;	/* --at was given */
	unsigned	 max_age_s;	/* --vrps-max-age; 0: any age */
};

/* From --vrps, --rtr, --rtr-timeout, --at, --vrps-max-age. The strings
 * stay cfg's. */
void	hy_vrps_opts_init(struct hy_vrps_opts *, const struct hy_config *);
/*
 * Load the file or sync from the cache. A file must describe the
 * validation time: built at most max_age_s before it and not after it
 * (HY_VRPS_CLOCK_SKEW_S allowed); without a build time it is refused
 * unless max_age_s is 0. 0, or -1 with err.
 */
int	hy_vrps_open(const struct hy_vrps_opts *, struct hy_vrps **out,
	    char *err, size_t errlen);
void	hy_vrps_free(struct hy_vrps *);

size_t	hy_vrps_count(const struct hy_vrps *);
/* VRPs sorted by (asn, prefix). */
const struct hy_vrp *hy_vrps_all(const struct hy_vrps *);
/* JSON description of the source: {"type": "rtr", "host", "serial",
 * "session_id", "vrps"} or {"type": "file", "file", "format",
 * "build_time", "vrps", "expired"}. New reference, NULL on OOM. */
json_t	*hy_vrps_source_json(const struct hy_vrps *);

/* Why a route got its state: the deciding VRP if any. */
struct hy_rpki_verdict {
	enum hy_rpki_state state;
	unsigned	 ncovering;	/* VRPs covering the prefix */
	bool		 has_vrp;
	struct hy_vrp	 vrp;	/* matching (valid), same-AS (invalid-length)
				   or first covering VRP (invalid-asn) */
};

/*
 * Validate pfx originated by asn (or by an AS_SET: asn is ignored and the
 * route can only be invalid-asn or not-found, RFC 6811 section 2). Origin
 * AS 0 is never valid either (RFC 7607). With why, out->vrp and
 * out->ncovering are filled for every state; without, they may be left
 * empty (faster; the state is the same). 0, or -1 on error.
 */
int	hy_vrps_validate(const struct hy_vrps *, const struct hy_prefix *pfx,
	    uint32_t asn, bool as_set, bool why, struct hy_rpki_verdict *out);
/* A human sentence for a verdict ("AS64500 authorises ... up to /24"). */
void	hy_rpki_reason(const struct hy_rpki_verdict *, uint32_t asn,
	    bool as_set, char *buf, size_t len);

/* ---- Routes ---- */

struct hy_route {
	struct hy_prefix pfx;
	uint32_t	 asn;		/* origin AS (0 for an AS_SET) */
	uint32_t	 set_off;	/* AS_SET: members at sets[set_off..] */
	uint16_t	 set_len;	/* 0: a single origin AS */
};

#define HY_ROUTES_MAX_ERRORS	20	/* malformed lines kept for reports */

struct hy_route_error {
	size_t		 line;
	char		 reason[80];
};

struct hy_routes {
	struct hy_route	*v;		/* sorted by prefix, then origin */
	size_t		 n;
	uint32_t	*sets;		/* AS_SET members */
	size_t		 nsets;
	size_t		 lines;		/* lines read */
	size_t		 nerrors;	/* malformed lines, all of them */
	struct hy_route_error errors[HY_ROUTES_MAX_ERRORS];
	size_t		*by_asn;	/* indexes of single-origin routes,
					   sorted by (asn, prefix) */
	size_t		 nby_asn;
	size_t		*setroutes;	/* indexes of AS_SET routes */
	size_t		 nsetroutes;
	size_t		 vcap, setscap;		/* internal */
	uint8_t		 lens4[33], lens6[129];	/* internal: lengths seen */
};

/*
 * Parse a route file held in memory. The format is recognised per line:
 * "a|b|c|..." is `bgpdump -m`, "addr/len ASN" is ipasn, "addr len ASN" is
 * CAIDA pfx2as. Lines starting with ';' or '#' and blank lines are
 * skipped. Malformed lines are counted, the first HY_ROUTES_MAX_ERRORS
 * kept with their line numbers; they are not fatal. Duplicate
 * (prefix, origin) pairs are merged. -1 only on OOM.
 */
int	hy_routes_parse(const char *buf, size_t len, struct hy_routes **out);
/* Read a file (gzip or plain, hy_rpki_slurp) and parse it. -1 with err
 * on I/O error, a truncated file, or a file without any route. */
int	hy_routes_load(const char *path, struct hy_routes **out, char *err,
	    size_t errlen);
/* Add one route (the RIPEstat source). set/nset describe an AS_SET. */
int	hy_routes_add(struct hy_routes *, const struct hy_prefix *,
	    uint32_t asn, const uint32_t *set, size_t nset);
/* Sort, merge duplicates and build the indexes; after adding routes. */
int	hy_routes_finish(struct hy_routes *);
struct hy_routes *hy_routes_new(void);
void	hy_routes_free(struct hy_routes *);

/*
 * Longest-prefix match of an address (4 or 16 bytes): the first route
 * (lowest origin) of the most specific prefix covering it, or NULL. With
 * a multi-origin prefix, *norigins says how many routes share it; they
 * follow the returned one in the array.
 */
const struct hy_route *hy_routes_lookup(const struct hy_routes *,
	    int family, const uint8_t *addr, size_t *norigins);

/*
 * One TXT string of an IP-to-ASN service in Team Cymru's format:
 * "64500 64501 | 192.0.2.0/24 | CC | registry | date". Up to max origins
 * into origins (*n set), the prefix into pfx. 0, or -1 if unusable.
 */
int	hy_rpki_parse_origin_txt(const char *s, size_t len,
	    struct hy_prefix *pfx, uint32_t *origins, size_t max, size_t *n);

/* ---- Per-ISP statistics ---- */

struct hy_rpki_route_result {
	size_t		 route;		/* index into hy_routes.v */
	struct hy_rpki_verdict verdict;
};

struct hy_loose_roa {
	struct hy_vrp	 vrp;
	uint64_t	 announced;	/* distinct prefixes the ROA allows
					   that the AS announces */
	double		 allowed;	/* prefixes the ROA allows */
};

#define HY_RPKI_ALL	HY_RPKI_NSTATES
#define HY_RPKI_INVALID	(HY_RPKI_NSTATES + 1)

struct hy_rpki_stats {
	uint64_t	 routes[HY_RPKI_NSTATES];
	uint64_t	 nroutes;
	/* Union of the address space of the routes in each state, of all
	 * routes ([HY_RPKI_ALL]) and of both invalid states
	 * ([HY_RPKI_INVALID]); IPv4 in /24s, IPv6 in /48s. A prefix and its
	 * more-specific in another state count in both states. */
	double		 v4_24[HY_RPKI_NSTATES + 2];
	double		 v6_48[HY_RPKI_NSTATES + 2];
	size_t		 nvrps;		/* VRPs naming the ISP's ASNs */
	struct hy_loose_roa *loose;	/* RFC 9319 loose ROAs */
	size_t		 nloose;
	bool		 detailed;	/* want_detail was set */
	struct hy_rpki_route_result *detail;
	size_t		 ndetail;
};

/*
 * Validate every route originated by one of asns (a route with an AS_SET
 * origin counts if any member is one of asns) and compute the statistics.
 * states, if not NULL, comes from hy_rpki_states() over a superset of
 * asns and saves validating again. -1 on OOM.
 */
int	hy_rpki_isp_stats(const struct hy_vrps *, const struct hy_routes *,
	    const uint8_t *states, const uint32_t *asns, size_t nasns,
	    bool want_detail, struct hy_rpki_stats **out);
/*
 * Validate, in table order, every route originated by one of asns (all
 * ISPs' ASNs together): one enum hy_rpki_state per route of r, 0xff for
 * routes not originated by them. Validating in table order is about
 * twice as fast on a full table as validating ISP by ISP (neighbouring
 * prefixes share trie nodes). malloc'd; NULL on OOM.
 */
uint8_t	*hy_rpki_states(const struct hy_vrps *, const struct hy_routes *,
	    const uint32_t *asns, size_t nasns);
void	hy_rpki_stats_free(struct hy_rpki_stats *);
/*
 * The statistics as JSON: {"routes": {valid, invalid, not-found,
 * invalid-asn, invalid-length}, "address_space", "roa_coverage",
 * "vrps", "loose_roas", and "routes_detail" if computed}. New reference,
 * NULL on OOM.
 */
json_t	*hy_rpki_stats_json(const struct hy_rpki_stats *,
	    const struct hy_routes *);

#endif
