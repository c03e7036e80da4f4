/*
 * BGP RIB dumps read as a stream: every route (one collector peer's path
 * to one prefix) is handed to a callback and forgotten, so memory stays
 * bounded by the largest record, whatever the size of the dump.
 *
 * Inputs, recognised from their first bytes, plain, gzip or bzip2:
 *   - MRT (RFC 6396): TABLE_DUMP_V2 (PEER_INDEX_TABLE, RIB_IPV4_UNICAST,
 *     RIB_IPV6_UNICAST and their RFC 8050 ADD-PATH variants) and the
 *     older TABLE_DUMP. AS_PATH with 4-byte ASNs (TABLE_DUMP_V2, RFC 6396
 *     section 4.3.4) or 2-byte ASNs (TABLE_DUMP, and a TABLE_DUMP_V2
 *     path that only parses that way), merged with AS4_PATH as RFC 6793
 *     section 4.2.3 says. Other records (BGP4MP updates, multicast,
 *     RIB_GENERIC) are counted as skipped.
 *   - the text of `bgpdump -m`: TABLE_DUMP2, TABLE_DUMP2_AP (ADD-PATH,
 *     with the path identifier before the path) and TABLE_DUMP lines;
 *     other lines (updates, state changes) are skipped.
 *
 * Every record and line is read through the bounds-checked cursor. A
 * malformed record or entry is counted, the first few kept with their
 * record or line numbers, and skipped. A truncated file or compressed
 * stream is an error: a view cut short would make peers look like they
 * carry fewer routes than they do.
 */
#ifndef HYGIENE_MRT_H
#define HYGIENE_MRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hygiene/rpki.h"

/* AS path segment types (RFC 4271 section 4.3, RFC 5065). */
enum {
	HY_AS_SET = 1,
	HY_AS_SEQUENCE = 2,
	HY_AS_CONFED_SEQUENCE = 3,
	HY_AS_CONFED_SET = 4,
};

/* Longer paths are malformed entries: real paths are far shorter. */
#define HY_ASPATH_MAX_ASNS	2048
#define HY_ASPATH_MAX_SEGS	512

struct hy_asseg {
	uint8_t		 type;
	uint16_t	 off;	/* first ASN in hy_aspath.asns */
	uint16_t	 len;
};

struct hy_aspath {
	const uint32_t	*asns;
	size_t		 nasns;
	const struct hy_asseg *segs;
	size_t		 nsegs;
};

/* One route of the dump; everything is borrowed for the callback only. */
struct hy_rib_route {
	uint32_t	 time;		/* the dump's time (MRT header) */
	uint8_t		 peer_family;	/* 4 or 6 */
	uint8_t		 peer_ip[16];
	uint32_t	 peer_asn;
	struct hy_prefix pfx;
	bool		 has_path_id;	/* RFC 8050 ADD-PATH */
	uint32_t	 path_id;
	struct hy_aspath path;
};

enum hy_rib_format { HY_RIB_EMPTY, HY_RIB_MRT, HY_RIB_BGPDUMP };
enum hy_rib_compression { HY_RIB_PLAIN, HY_RIB_GZIP, HY_RIB_BZIP2 };

#define HY_RIB_MAX_ERRORS	20

struct hy_rib_error {
	uint64_t	 where;		/* MRT record or text line, from 1 */
	char		 reason[80];
};

struct hy_rib_stats {
	enum hy_rib_format format;
	enum hy_rib_compression compression;
	uint64_t	 records;	/* MRT records or text lines read */
	uint64_t	 routes;	/* routes handed to the callback */
	uint64_t	 skipped;	/* records or lines of other kinds */
	uint64_t	 malformed;	/* records, entries or lines */
	struct hy_rib_error errors[HY_RIB_MAX_ERRORS];
	bool		 has_time;
	uint32_t	 time_min, time_max;	/* over the routes */
};

/* Return nonzero to stop reading (the reader then fails). */
typedef int	(*hy_rib_route_fn)(void *arg, const struct hy_rib_route *);

/*
 * Read a whole dump held in memory (uncompressed). st is zeroed first.
 * 0, or -1 with err when it is truncated or the callback stopped it.
 */
int	hy_rib_parse(const uint8_t *buf, size_t len, hy_rib_route_fn fn,
	    void *arg, struct hy_rib_stats *st, char *err, size_t errlen);
/* Read a dump file, plain, gzip or bzip2, in one streaming pass. */
int	hy_rib_read_file(const char *path, hy_rib_route_fn fn, void *arg,
	    struct hy_rib_stats *st, char *err, size_t errlen);

/* "mrt", "bgpdump", "empty"; "none", "gzip", "bzip2". */
const char *hy_rib_format_str(enum hy_rib_format);
const char *hy_rib_compression_str(enum hy_rib_compression);

/*
 * The origin AS as RFC 6811 section 2 defines it: the last AS of a final
 * AS_SEQUENCE. A final AS_SET gives *as_set (origin NONE: never valid,
 * *origin 0). Confederation segments are not part of the origin; a path
 * that is empty or holds only them gives peer_asn (the collector's peer
 * originated the route).
 */
void	hy_aspath_origin(const struct hy_aspath *, uint32_t peer_asn,
	    uint32_t *origin, bool *as_set);
/* The path as `bgpdump -m` prints it: "1 2 {3,4}", confederation
 * segments as "(5 6)" and "[7,8]"; "..." when cut. */
void	hy_aspath_str(const struct hy_aspath *, char *buf, size_t len);

#endif
