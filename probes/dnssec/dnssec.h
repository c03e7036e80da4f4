/*
 * The DNSSEC probe (issue 3): validates the chain of trust from the trust
 * anchor down to a domain's zone and that zone's own RRsets, locally with
 * ldns, from answers fetched with CD=1 through the resolver.
 *
 * Three layers, each testable alone:
 *   - dnssec_crypto.c: pure checks on RRs (signatures at a given time, DS
 *     against DNSKEY, NSEC/NSEC3 denial proofs, algorithm policy);
 *   - dnssec_cache.c: the run-wide table of validated zone keys, so the
 *     root and jp. are validated once per run, with waiters so concurrent
 *     walks for the same zone share one job;
 *   - dnssec_walk.c: the per-domain state machine (one transition
 *     function fed DNS results and zone-ready events).
 * dnssec_probe.c adapts it to struct hy_probe and writes the JSON section.
 */
#ifndef HYGIENE_PROBE_DNSSEC_H
#define HYGIENE_PROBE_DNSSEC_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <ldns/ldns.h>

#include "hygiene/dns.h"
#include "hygiene/findings.h"

/* RFC 4035 §4.3. */
enum hy_dnssec_status {
	HY_DNSSEC_SECURE,
	HY_DNSSEC_INSECURE,
	HY_DNSSEC_BOGUS,
	HY_DNSSEC_INDETERMINATE,
};
const char	*hy_dnssec_status_str(enum hy_dnssec_status);

/* ---- dnssec_crypto.c ------------------------------------------------ */

/* Why an RRset's signatures did or did not validate, best first. */
enum hy_sig_verdict {
	HY_SIG_VALID,
	HY_SIG_ERROR,		/* could not be checked: out of memory */
	HY_SIG_EXPIRED,		/* crypto fine, expiration passed */
	HY_SIG_NOT_YET,		/* crypto fine, inception in the future */
	HY_SIG_INVALID,		/* a matching key, the crypto fails */
	HY_SIG_NO_KEY,		/* no DNSKEY with the RRSIG's tag/algorithm */
	HY_SIG_UNSUPPORTED,	/* only algorithms we cannot verify */
	HY_SIG_MISSING,		/* no RRSIG by the zone over the RRset */
};
const char	*hy_sig_verdict_str(enum hy_sig_verdict);

/* Algorithms this validator implements (RFC 8624 §3.1 plus DSA/ED448 as
 * ldns offers them); RSAMD5 and ECC-GOST are not. */
bool		 hy_dnssec_alg_supported(unsigned alg);
/* Signing algorithms RFC 8624/RFC 9904 say MUST NOT be used. */
bool		 hy_dnssec_alg_deprecated(unsigned alg);
bool		 hy_dnssec_digest_supported(unsigned digest);
const char	*hy_dnssec_alg_name(unsigned alg);

/* What the valid signatures over an RRset say besides "valid". */
struct hy_sig_valid {
	time_t		 expires;	/* latest expiration, absolute time */
	unsigned	 labels;	/* largest Labels field (RFC 4034 §3.1.3) */
};

/*
 * Parsed public keys for the RRs of one key list, made on first use and
 * kept for the list's lifetime: setting up an ECDSA key costs OpenSSL as
 * much as a verification. Slot i belongs to RR i of keys, which must
 * outlive the cache unchanged. _free accepts NULL.
 */
struct hy_dnssec_pkeys;
struct hy_dnssec_pkeys *hy_dnssec_pkeys_new(const ldns_rr_list *keys);
void		 hy_dnssec_pkeys_free(struct hy_dnssec_pkeys *);

/* The clock-skew allowance around a signature's validity period, as
 * unbound's val-sig-skew-min/max: a tenth of the period, clamped. */
#define HY_SIG_SKEW_MIN	3600
#define HY_SIG_SKEW_MAX	86400

/*
 * Verify rrset (one owner, one type) against the RRSIGs in sigs made by
 * signer with keys, at time now (RFC 4034 §3.1.5 serial arithmetic, with
 * the skew allowance above).
 * pk, if not NULL, is the parsed-key cache made for keys.
 * Only RRSIGs whose owner, type covered and signer match are considered.
 * On HY_SIG_VALID, *valid (if not NULL) is filled from the valid
 * signatures. A Labels field smaller than the owner's label count means
 * the answer was synthesised from a wildcard (RFC 4035 §5.3.4); it comes
 * from the same verification, so a wildcard check costs no second one.
 */
enum hy_sig_verdict hy_dnssec_verify_rrset(const ldns_rr_list *rrset,
		    const ldns_rr_list *sigs, const ldns_rr_list *keys,
		    struct hy_dnssec_pkeys *pk, const ldns_rdf *signer,
		    time_t now, struct hy_sig_valid *valid);

/* 1 if ds (a DS RR, supported digest) is the digest of key, 0 if not,
 * -1 when out of memory. */
int		 hy_dnssec_ds_matches(const ldns_rr *ds, const ldns_rr *key);
/* True if the DNSKEY a equals the DNSKEY b (flags, alg, key). */
bool		 hy_dnssec_dnskey_equal(const ldns_rr *a, const ldns_rr *b);
/* The key tag of a DNSKEY RR (RFC 4034 Appendix B); cannot fail. */
unsigned	 hy_dnssec_key_tag(const ldns_rr *key);
/* Key size in bits as the JSON reports it (RSA modulus, curve size). */
unsigned	 hy_dnssec_key_bits(const ldns_rr *key);

/* What an authenticated NSEC/NSEC3 set proves about (qname, qtype). */
enum hy_denial {
	HY_DENIAL_NONE,		/* proves nothing about the question: bogus */
	HY_DENIAL_NODATA,	/* the name exists without the type; for DS:
				 * a delegation without DS (RFC 4035 §5.2) */
	HY_DENIAL_NXDOMAIN,	/* the name and any wildcard that could make
				 * it do not exist */
	HY_DENIAL_OPTOUT,	/* an NSEC3 opt-out span covers the name: an
				 * unsigned delegation may be there, so the
				 * answer is insecure (RFC 5155 §9.2) */
	HY_DENIAL_INSECURE,	/* NSEC3 with more iterations than validators
				 * check (RFC 9276 §3.2): insecure */
	HY_DENIAL_DELEGATION,	/* the name is at or below an insecure
				 * delegation (NS, no DS): insecure */
	HY_DENIAL_NO_CUT,	/* DS only: the name exists and is no
				 * delegation, so no zone starts there */
	HY_DENIAL_ERROR,	/* not checked: out of memory */
};

/* RFC 9276 §3.2: above this many NSEC3 iterations a validator may treat
 * the denial as insecure; unbound and others use 150. */
#define HY_NSEC3_MAX_ITERATIONS	150

/* a is b or a name below it (case-insensitive; allocates nothing). */
bool		 hy_dnssec_name_under(const ldns_rdf *a, const ldns_rdf *b);

/*
 * nsecs: NSEC or NSEC3 RRs whose signatures the caller already verified
 * with zone's keys. nxdomain: the answer's rcode was NXDOMAIN. A parent-
 * side record at a delegation proves nothing but the absence of DS; an
 * NSEC at a delegation or DNAME above qname, or an NSEC3 closest
 * encloser at one, proves nothing about qname (RFC 4035 §5.4, RFC 5155
 * §8, RFC 6840 §4.1).
 */
enum hy_denial	 hy_dnssec_denial(const ldns_rdf *qname, ldns_rr_type qtype,
		    bool nxdomain, const ldns_rr_list *nsecs,
		    const ldns_rdf *zone);

/* For an answer synthesised from a wildcard whose RRSIG has nlabels
 * labels: HY_DENIAL_NXDOMAIN if the authenticated nsecs prove that qname
 * does not exist and that the wildcard's closest encloser is qname's
 * (RFC 4035 §5.3.4, RFC 5155 §8.8); OPTOUT or INSECURE make the answer
 * insecure; NONE bogus. */
enum hy_denial	 hy_dnssec_wildcard_proof(const ldns_rdf *qname,
		    unsigned nlabels, const ldns_rr_list *nsecs,
		    const ldns_rdf *zone);

/* The trust anchors: DS or DNSKEY RRs. NULL file means the IANA root
 * KSKs 20326 and 38696. Returns NULL and sets *err on failure. */
ldns_rr_list	*hy_dnssec_anchors_load(const char *file, const char **err);
/* RR-by-RR form of the built-in anchors, for tests and --help. */
extern const char *const hy_dnssec_iana_anchors[];

/* ---- dnssec_cache.c ------------------------------------------------- */

struct hy_dnssec_zone;		/* a validated (or failed) zone */
struct hy_dnssec_shared;	/* the run-wide state */
struct hy_dnssec_walk;

/* What a zone entry holds once done. Read-only for walks. */
struct hy_dnssec_zone_info {
	char			*name;		/* "jp." (with the dot) */
	enum hy_dnssec_status	 status;
	ldns_rr_list		*ds;		/* DS RRset at the parent (or anchors) */
	ldns_rr_list		*dnskeys;	/* the DNSKEY RRset as fetched */
	ldns_rr_list		*keys;		/* validated zone keys (secure only) */
	struct hy_dnssec_pkeys	*pkeys;		/* keys parsed, made for keys */
	time_t			 expires;	/* earliest relied-on expiry, 0 none */
	struct hy_findings	 findings;
	const struct hy_dnssec_zone *parent;	/* NULL at the anchor */
};

struct hy_dnssec_shared *hy_dnssec_shared_new(ldns_rr_list *anchors);
void		 hy_dnssec_shared_free(struct hy_dnssec_shared *);
const ldns_rr_list *hy_dnssec_shared_anchors(const struct hy_dnssec_shared *);
/* Number of zone validations run (crypto), to show caching works. */
uint64_t	 hy_dnssec_shared_validations(const struct hy_dnssec_shared *);

const struct hy_dnssec_zone_info *hy_dnssec_zone_info(
		    const struct hy_dnssec_zone *);

/* ---- dnssec_walk.c -------------------------------------------------- */

/* How a walk asks questions: CD=1 queries through the resolver. Returns 0
 * (cb will be called later, never from inside) or -1. */
typedef int (*hy_dnssec_query_fn)(void *qarg, const char *name,
		    ldns_rr_type type, hy_dns_fn cb, void *cbarg);
typedef void (*hy_dnssec_done_fn)(void *darg, struct hy_dnssec_walk *);

struct hy_dnssec_env {
	struct hy_dnssec_shared	*shared;
	time_t			 now;
	hy_dnssec_query_fn	 query;
	void			*qarg;
	hy_dnssec_done_fn	 done;
	void			*darg;
	/* Only the chain, SOA and DNSKEY (benchmarks); otherwise also the
	 * TXT, MX and _dmarc TXT RRsets mail checks rely on. */
	bool			 chain_only;
	/* The domain is a trust anchor's zone: validate its DNSKEY RRset
	 * against the anchors and nothing else (the run's sanity check). */
	bool			 anchor_only;
};

/* domain: A-label, with or without the trailing dot. */
struct hy_dnssec_walk *hy_dnssec_walk_new(const struct hy_dnssec_env *,
		    const char *domain);
/* 0: done will follow from a callback. -1: nothing was started. */
int		 hy_dnssec_walk_start(struct hy_dnssec_walk *);
/* Pending queries are forgotten: the caller drops their callbacks. */
void		 hy_dnssec_walk_free(struct hy_dnssec_walk *);
enum hy_dnssec_status hy_dnssec_walk_status(const struct hy_dnssec_walk *);
const struct hy_findings *hy_dnssec_walk_findings(
		    const struct hy_dnssec_walk *);
/* The `dnssec` JSON section (new reference) or NULL on OOM. */
json_t		*hy_dnssec_walk_json(const struct hy_dnssec_walk *);
/* The error findings behind a walk's verdict, "; "-separated, into buf. */
void		 hy_dnssec_walk_explain(const struct hy_dnssec_walk *,
		    char *buf, size_t len);

/* The `dnssec` probe (dnssec_probe.c), listed in src/probes.c. */
struct hy_probe;
extern const struct hy_probe hy_probe_dnssec;

#endif
