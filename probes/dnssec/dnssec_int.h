/*
 * Internals shared by dnssec_cache.c and dnssec_walk.c only.
 */
#ifndef HYGIENE_PROBE_DNSSEC_INT_H
#define HYGIENE_PROBE_DNSSEC_INT_H

#include "dnssec.h"

/* A walk (or one of its zone jobs) waiting for a zone entry. Embedded in
 * the waiting object; unlink it before freeing that object. */
struct hy_dnssec_waiter {
	struct hy_dnssec_waiter	*next, *prev;
	struct hy_dnssec_zone	*zone;
	bool			 linked;
	const void		*owner;		/* the walk that waits */
	/* retry: the entry's owner gave up (its deadline); start over. */
	void			(*fn)(void *arg, struct hy_dnssec_zone *,
				    bool retry);
	void			*arg;
};

/* Look name up, or create a pending entry (*created). Returns a new
 * reference, or NULL on OOM. */
struct hy_dnssec_zone *hy_dnssec_zone_get(struct hy_dnssec_shared *,
		    const char *name, bool *created);
void		 hy_dnssec_zone_ref(struct hy_dnssec_zone *);
void		 hy_dnssec_zone_unref(struct hy_dnssec_zone *);
bool		 hy_dnssec_zone_done(const struct hy_dnssec_zone *);
struct hy_dnssec_zone_info *hy_dnssec_zone_info_mut(struct hy_dnssec_zone *);
int		 hy_dnssec_zone_wait(struct hy_dnssec_zone *,
		    struct hy_dnssec_waiter *);
void		 hy_dnssec_zone_unwait(struct hy_dnssec_waiter *);
void		 hy_dnssec_zone_finish(struct hy_dnssec_shared *,
		    struct hy_dnssec_zone *, bool keep, const void *owner,
		    bool retry);
void		 hy_dnssec_shared_count_validation(struct hy_dnssec_shared *);

#endif
