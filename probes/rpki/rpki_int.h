/*
 * Internals shared by vrps.c (VRP files, validation) and rtr.c (the RTR
 * sync); not part of the public API.
 */
#ifndef HYGIENE_RPKI_INT_H
#define HYGIENE_RPKI_INT_H

#include <time.h>

#include <rtrlib/rtrlib.h>

#include "hygiene/rpki.h"

struct hy_vrps {
	struct pfx_table	 table;
	struct hy_vrp		*v;	/* sorted by (asn, prefix) */
	size_t			 n, cap;
	enum hy_vrps_source	 source;
	char			*name;		/* file or host:port */
	/* file metadata */
	const char		*format;	/* "rpki-client", "routinator",
						   "stayrtr", "unknown" */
	time_t			 built;		/* build time, 0 unknown */
	size_t			 expired;	/* VRPs dropped as expired */
	/* RTR */
	uint32_t		 serial, session_id;
};

/* An empty set named name. NULL on OOM. */
struct hy_vrps	*vrps_new(enum hy_vrps_source, const char *name);
/* Append one VRP to the array (not the table). -1 on OOM. */
int		 vrps_push(struct hy_vrps *, const struct hy_vrp *);
/* Sort the array by (asn, prefix, maxLength) and drop duplicates. */
void		 vrps_sort(struct hy_vrps *);
void		 from_lrtr(const struct lrtr_ip_addr *, uint8_t len,
		    struct hy_prefix *);

#endif
