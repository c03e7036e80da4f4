/*
 * The DNS engine: every query hygiene makes goes through here.
 *
 * Queries are built with ldns (EDNS0 with the DO bit, optional CD bit),
 * sent with c-ares' ares_send() in caller-driven mode on the hy_loop, and
 * parsed back into ldns packets. The engine bounds the number of queries
 * on the wire (concurrency), optionally caps the rate (qps), retries,
 * falls back to TCP on truncation (c-ares does this), and coalesces
 * identical questions: while one is in flight, or while its answer is
 * fresh in the cache, the same (name, type, CD) never reaches the wire
 * twice.
 *
 * Queries are made on behalf of a group (one per checked domain). A group
 * has a deadline: when it passes, every pending query of the group is
 * answered HY_DNS_TIMEOUT, and later queries on the group are answered
 * HY_DNS_TIMEOUT at once. Probes therefore need no timers of their own.
 *
 * Every query carries EDNS0 with the DO bit, and only an answer that
 * echoes both (RFC 6891 §7, RFC 3225 §3) is a measurement. Anything else
 * is HY_DNS_BADEDNS: a resolver or middlebox that drops EDNS0 or DO also
 * drops the DNSSEC records, and c-ares answers a FORMERR without OPT by
 * asking again without EDNS0. Such an answer must never reach a probe as
 * "signed zone, signatures missing" (bogus) or "unsigned" (insecure).
 *
 * Query IDs are random and unique among the engine's queries in flight.
 *
 * Callbacks are never invoked from inside hy_dns_query(); they always run
 * from the loop. The packet in a result is owned by the engine and valid
 * only during the callback: clone what must be kept.
 */
#ifndef HYGIENE_DNS_H
#define HYGIENE_DNS_H

#include <stdbool.h>
#include <stdint.h>

#include <ldns/ldns.h>

#include "hygiene/loop.h"

/* How an answer is classified. Only ANSWER, NODATA and NXDOMAIN are
 * measurements; the rest mean "could not measure". */
enum hy_dns_status {
	HY_DNS_ANSWER,		/* NOERROR with RRs of the asked type (or CNAME) */
	HY_DNS_NODATA,		/* NOERROR, name exists, no RRs of the type */
	HY_DNS_NXDOMAIN,	/* name does not exist */
	HY_DNS_SERVFAIL,
	HY_DNS_REFUSED,
	HY_DNS_TIMEOUT,		/* no answer within the deadline / retries */
	HY_DNS_MALFORMED,	/* unparsable or mismatched answer, or a
				 * CNAME chain over HY_DNS_CNAME_MAX */
	HY_DNS_ERROR,		/* other rcode, or a local failure */
	HY_DNS_BADEDNS,		/* no OPT, or DO not echoed: see below */
};

#define HY_DNS_CD	0x1u	/* set Checking Disabled */

/* The longest CNAME chain an answer may hold, counted in CNAME RRs from
 * the question name. The resolver follows chains; an answer with a
 * longer one (or a loop, which never ends) is HY_DNS_MALFORMED: not
 * measured. unbound stops at 11 restarts when it must ask again, but
 * passes longer chains that one answer holds. */
#define HY_DNS_CNAME_MAX	16

/* What the answer cache keeps, estimated from the parsed packets (each RR
 * and field with its allocator overhead): at most HY_DNS_CACHE_BYTES_MAX
 * in all (the oldest answers go first), and no answer over
 * HY_DNS_CACHE_ENTRY_BYTES_MAX (a TXT bomb of 60,000 strings costs about
 * 4 MB): such an answer reaches its waiters and is not kept. Typical
 * answers cost 1-3 KB, so the entry count binds first. */
#define HY_DNS_CACHE_BYTES_MAX		(128u * 1024 * 1024)
#define HY_DNS_CACHE_ENTRY_BYTES_MAX	(1024u * 1024)

struct hy_dns_result {
	enum hy_dns_status	 status;
	const ldns_pkt		*pkt;	/* NULL unless a packet was parsed */
	int			 rcode;	/* LDNS_RCODE_*, -1 without packet */
	bool			 ad;	/* resolver's AD bit */
	bool			 from_cache;
};

typedef void (*hy_dns_fn)(void *arg, const struct hy_dns_result *res);

struct hy_dns_opts {
	/* Resolvers as "HOST", "HOST:PORT", "[V6]:PORT"; NULL/0 means the
	 * system configuration (/etc/resolv.conf). */
	const char *const *servers;
	size_t		   nservers;
	unsigned	   try_timeout_ms;	/* per attempt; default 2000 */
	unsigned	   tries;		/* default 3 */
	unsigned	   concurrency;		/* on the wire; default 200 */
	double		   qps;			/* 0 = unlimited */
	unsigned	   cache_entries;	/* answer cache; default 20000 */
	unsigned	   cache_max_ttl;	/* seconds; default 300 */
	size_t		   cache_bytes;		/* default HY_DNS_CACHE_BYTES_MAX */
};

struct hy_dns_stats {
	uint64_t	requests;	/* hy_dns_query() calls */
	uint64_t	sent;		/* queries that reached the wire */
	uint64_t	coalesced;	/* joined a query in flight */
	uint64_t	cache_hits;
	uint64_t	timeouts;
	uint64_t	answers;	/* packets received from a resolver */
	unsigned	max_in_flight;	/* highest concurrency observed */
	/* How the queries that reached the wire ended, for resolver health
	 * checks: usable = ANSWER/NODATA/NXDOMAIN; refused; servfail;
	 * failed = no answer, an unreachable resolver, or garbage. */
	uint64_t	usable, refused, servfail, failed;
	/* Queries that ended REFUSED or failed since the last usable answer.
	 * SERVFAIL leaves it alone: a working resolver gives it for broken
	 * domains, so it says nothing about the resolver itself. */
	uint64_t	fail_streak;
};

struct hy_dns;
struct hy_dns_group;

/* On failure returns NULL and, if err is not NULL, a static message. */
struct hy_dns	*hy_dns_new(struct hy_loop *, const struct hy_dns_opts *,
		    const char **err);
/* Pending queries are dropped without callbacks. */
void		 hy_dns_free(struct hy_dns *);

/* A printable list of the servers in use ("127.0.0.1:5353,..."); owned by
 * the engine. */
const char	*hy_dns_servers(const struct hy_dns *);
void		 hy_dns_get_stats(const struct hy_dns *, struct hy_dns_stats *);

/* deadline_ms is relative to now; 0 means no deadline. */
struct hy_dns_group *hy_dns_group_new(struct hy_dns *, uint64_t deadline_ms);
/* Pending queries of the group are dropped without callbacks. */
void		 hy_dns_group_free(struct hy_dns_group *);
bool		 hy_dns_group_expired(const struct hy_dns_group *);

/*
 * Ask (name, type) on behalf of the group. name is an A-label with or
 * without the trailing dot. Returns 0, or -1 on a local error (bad name,
 * out of memory), in which case cb will not be called.
 */
int		 hy_dns_query(struct hy_dns_group *, const char *name,
		    ldns_rr_type type, unsigned flags, hy_dns_fn cb, void *arg);

const char	*hy_dns_status_str(enum hy_dns_status);
/* True for the statuses that are measurements (ANSWER/NODATA/NXDOMAIN). */
bool		 hy_dns_status_measured(enum hy_dns_status);
/* How the engine classifies a parsed answer to a question of type t by
 * its rcode and records; exported so tests and fuzz targets exercise the
 * same rule. The engine then turns a measurement whose packet does not
 * echo EDNS0 and DO into HY_DNS_BADEDNS. */
enum hy_dns_status hy_dns_classify(const ldns_pkt *, ldns_rr_type t);

/* Copies of the RRs of the given type in the answer section (owner not
 * checked beyond CNAME chains ldns leaves in place) into *out, a new list
 * (empty when there are none) the caller frees with
 * ldns_rr_list_deep_free(). Returns 0, or -1 with *out NULL when memory
 * ran out: the caller reports that as not measured, never as absent. */
int		 hy_dns_answer_rrs(const struct hy_dns_result *, ldns_rr_type,
		    ldns_rr_list **out);
/* A deep copy of rr, or NULL when memory ran out: unlike ldns_rr_clone(),
 * never a copy with a missing or NULL field. Free with ldns_rr_free(). */
ldns_rr		*hy_dns_rr_clone(const ldns_rr *rr);

#endif
