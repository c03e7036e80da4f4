/*
 * A miniature signed DNS tree built at test time with ldns: a root with
 * child zones below it, each with its own ECDSA P-256 key, NSEC chains,
 * and answers shaped the way a resolver returns them with CD=1. Tests of
 * the chain walk use it as a fake resolver, including broken variants
 * (a stripped DS, a DS denial from the child side, a DS for another key).
 */
#ifndef HYGIENE_TEST_MINIZONE_H
#define HYGIENE_TEST_MINIZONE_H

#include <time.h>

#include <ldns/ldns.h>

#include "hygiene/dns.h"

enum mz_ds {
	MZ_DS_YES,		/* DS at the root, signed */
	MZ_DS_NONE,		/* no DS; the root's NSEC proves it */
	MZ_DS_STRIPPED,		/* DS exists, but the answer comes back empty
				 * without any NSEC (an on-path attacker) */
	MZ_DS_CHILD_NSEC,	/* empty DS answer proven by the child's own
				 * apex NSEC (the wrong side of the cut) */
	MZ_DS_MISMATCH,		/* DS for a key the child does not have */
	MZ_NO_DNSKEY,		/* DS at the root, but the child publishes
				 * no DNSKEY RRset */
	MZ_UNSIGNED_TXT,	/* DS and keys fine, the apex TXT has lost
				 * its RRSIG */
	MZ_FOREIGN_SIG_TXT,	/* the apex TXT has lost its RRSIG; the
				 * answer carries another RRSIG whose signer
				 * is a name below the zone */
	MZ_SOA_FROM_PARENT,	/* the SOA question is answered by the root:
				 * its SOA and its NSEC at the delegation */
	MZ_DS_SHORT_SIG,	/* the root's RRSIG over the DS RRset
				 * expires in 2 days, every other in 30 */
	MZ_DNSKEY_BY_ZSK,	/* a KSK (the DS names it) and a ZSK; the
				 * DNSKEY RRset is signed by the ZSK only */
	MZ_DS_EXTRA_ALG,	/* one more DS, for an algorithm 8 key the
				 * zone does not have */
	MZ_RSA_SHORT,		/* two 1024-bit RSA keys, KSK and ZSK */
};

struct mz;

/* Signatures valid from now - 1 day to now + 30 days. */
struct mz	*mz_new(time_t now);
/* name with trailing dot, directly below the root. 0 or -1. */
int		 mz_add_child(struct mz *, const char *name, enum mz_ds);
/* Build NSEC chains and sign everything. 0 or -1. */
int		 mz_finish(struct mz *);
/* The root's DNSKEY as a trust anchor list (caller owns it). */
ldns_rr_list	*mz_anchors(const struct mz *);
/* The answer to (qname, qtype) with CD=1, and its classification. The
 * caller frees the packet. */
ldns_pkt	*mz_answer(const struct mz *, const char *qname,
		    ldns_rr_type qtype, enum hy_dns_status *);
void		 mz_free(struct mz *);

#endif
