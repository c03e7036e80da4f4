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

/* ---- dnssec_answer.c -------------------------------------------------- */

/*
 * One answer to judge: pkt answered (qname, qtype). The caller (the walk)
 * provides the zones. With collect set nothing is validated: need() is
 * called for every zone the answer's links belong to.
 */
struct hy_dnssec_answer {
	const ldns_pkt		*pkt;
	const char		*qname;		/* with the trailing dot */
	ldns_rr_type		 qtype;
	time_t			 now;
	bool			 collect;
	void			*arg;
	void			(*need)(void *arg, const char *zone);
	/* The zone of an unsigned link at owner (a new string, NULL on
	 * OOM): in the collect pass the walk asks for its SOA. */
	char			*(*zone_of)(void *arg, const ldns_rdf *owner);
	/* A done zone, or NULL if the walk could not get it. */
	const struct hy_dnssec_zone_info *(*lookup)(void *arg,
				    const char *zone);
	/* True if a validated zone cut lies below zone, at or above
	 * owner: then zone cannot hold owner's data. */
	bool			(*cut_below)(void *arg, const char *zone,
				    const ldns_rdf *owner);
	/* The validated NSEC/NSEC3 records of a denial, for reporting. */
	void			(*note_denial)(void *arg, const char *zone,
				    const ldns_rr_list *dens);
	/* out */
	struct hy_findings	*findings;
	time_t			 expires;	/* merged, 0 none */
	bool			 present;	/* the answer holds the data */
	bool			 oom;
};

enum hy_dnssec_status hy_dnssec_answer_judge(struct hy_dnssec_answer *);

/* Helpers shared by the walk and the answer judge. */
void		 hy_dnssec_status_combine(enum hy_dnssec_status *acc,
		    enum hy_dnssec_status s);
ldns_rdf	*hy_dnssec_dname(const char *);		/* canonical */
char		*hy_dnssec_dname_str(const ldns_rdf *);	/* lower case */
bool		 hy_dnssec_name_eq(const ldns_rdf *, const ldns_rdf *);
const ldns_rr_list *hy_dnssec_section(const ldns_pkt *, ldns_pkt_section);
/* A copy that is whole or NULL (ldns_pkt_clone() dereferences NULL when
 * memory runs out); RRs copied with hy_dns_rr_clone(). */
ldns_pkt	*hy_dnssec_pkt_copy(const ldns_pkt *);
/* RRs of a section matching owner (NULL: any) and type, canonical copies
 * (deep-free); NULL on OOM. */
ldns_rr_list	*hy_dnssec_section_rrs(const ldns_pkt *, ldns_pkt_section,
		    const ldns_rdf *owner, ldns_rr_type);
void		 hy_dnssec_merge_expiry(time_t *acc, time_t e);
void		 hy_dnssec_sig_finding(struct hy_findings *,
		    enum hy_sig_verdict, const char *what);
/* The NSEC/NSEC3 records of the authority section at or below zone zn
 * whose signatures validate with zi's keys (NULL on OOM). Every SOA,
 * NSEC and NSEC3 RRset there is checked: *bad is the worst failure
 * (HY_SIG_VALID if none) and *bad_rr a record of that RRset. */
ldns_rr_list	*hy_dnssec_auth_denials(const ldns_pkt *,
		    const struct hy_dnssec_zone_info *zi, const ldns_rdf *zn,
		    time_t now, time_t *expires, enum hy_sig_verdict *bad,
		    const ldns_rr **bad_rr);

#endif
