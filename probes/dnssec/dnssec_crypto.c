/*
 * DNSSEC checks on RRs: signatures, DS digests, denial proofs, policy.
 * Nothing here does I/O; the crypto itself is ldns' (over OpenSSL).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "dnssec.h"

/* IANA root KSK-2017 and KSK-2024 (data.iana.org/root-anchors). */
const char *const hy_dnssec_iana_anchors[] = {
	". IN DS 20326 8 2 "
	    "E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D",
	". IN DS 38696 8 2 "
	    "683D2D0ACB8C9B712A1948B27F741219298D0A450D612C483AF444A4C0FB2B16",
	NULL,
};

const char *
hy_dnssec_status_str(enum hy_dnssec_status s)
{
	switch (s) {
	case HY_DNSSEC_SECURE:		return "secure";
	case HY_DNSSEC_INSECURE:	return "insecure";
	case HY_DNSSEC_BOGUS:		return "bogus";
	case HY_DNSSEC_INDETERMINATE:	return "indeterminate";
	}
	return "indeterminate";
}

const char *
hy_sig_verdict_str(enum hy_sig_verdict v)
{
	switch (v) {
	case HY_SIG_VALID:	return "valid";
	case HY_SIG_EXPIRED:	return "expired";
	case HY_SIG_NOT_YET:	return "not yet valid";
	case HY_SIG_INVALID:	return "invalid";
	case HY_SIG_NO_KEY:	return "made by no known key";
	case HY_SIG_UNSUPPORTED: return "of an unsupported algorithm";
	case HY_SIG_MISSING:	return "missing";
	}
	return "missing";
}

bool
hy_dnssec_alg_supported(unsigned alg)
{
	switch (alg) {
	case LDNS_DSA: case LDNS_RSASHA1: case LDNS_DSA_NSEC3:
	case LDNS_RSASHA1_NSEC3: case LDNS_RSASHA256: case LDNS_RSASHA512:
	case LDNS_ECDSAP256SHA256: case LDNS_ECDSAP384SHA384:
	case LDNS_ED25519: case LDNS_ED448:
		return true;
	}
	return false;
}

bool
hy_dnssec_alg_deprecated(unsigned alg)
{
	switch (alg) {
	case LDNS_RSAMD5: case LDNS_DSA: case LDNS_DSA_NSEC3:
	case LDNS_RSASHA1: case LDNS_RSASHA1_NSEC3: case LDNS_ECC_GOST:
		return true;
	}
	return false;
}

bool
hy_dnssec_digest_supported(unsigned digest)
{
	return digest == LDNS_SHA1 || digest == LDNS_SHA256 ||
	    digest == LDNS_SHA384;
}

const char *
hy_dnssec_alg_name(unsigned alg)
{
	switch (alg) {
	case LDNS_RSAMD5:		return "RSAMD5";
	case LDNS_DSA:			return "DSA";
	case LDNS_RSASHA1:		return "RSASHA1";
	case LDNS_DSA_NSEC3:		return "DSA-NSEC3-SHA1";
	case LDNS_RSASHA1_NSEC3:	return "RSASHA1-NSEC3-SHA1";
	case LDNS_RSASHA256:		return "RSASHA256";
	case LDNS_RSASHA512:		return "RSASHA512";
	case LDNS_ECC_GOST:		return "ECC-GOST";
	case LDNS_ECDSAP256SHA256:	return "ECDSAP256SHA256";
	case LDNS_ECDSAP384SHA384:	return "ECDSAP384SHA384";
	case LDNS_ED25519:		return "ED25519";
	case LDNS_ED448:		return "ED448";
	}
	return "unknown";
}

static unsigned
rdf_u8(const ldns_rdf *r)
{
	return r != NULL && ldns_rdf_size(r) >= 1 ? ldns_rdf2native_int8(r) : 0;
}

static unsigned
rdf_u16(const ldns_rdf *r)
{
	return r != NULL && ldns_rdf_size(r) >= 2 ? ldns_rdf2native_int16(r) : 0;
}

static uint32_t
rdf_u32(const ldns_rdf *r)
{
	return r != NULL && ldns_rdf_size(r) >= 4 ? ldns_rdf2native_int32(r) : 0;
}

/* RFC 4034 §2.1.1: only keys with the Zone Key bit verify RRSIGs; RFC 5011
 * §2.1: a revoked key is not used. */
static bool
key_usable(const ldns_rr *key)
{
	unsigned flags;

	if (ldns_rr_get_type(key) != LDNS_RR_TYPE_DNSKEY ||
	    ldns_rr_rd_count(key) < 4)
		return false;
	flags = rdf_u16(ldns_rr_rdf(key, 0));
	return (flags & LDNS_KEY_ZONE_KEY) && !(flags & LDNS_KEY_REVOKE_KEY) &&
	    rdf_u8(ldns_rr_rdf(key, 1)) == 3;
}

/* Map "how this one signature fared" onto the best verdict so far. */
static enum hy_sig_verdict
better(enum hy_sig_verdict a, enum hy_sig_verdict b)
{
	return a < b ? a : b;
}

/* ---- parsed public keys --------------------------------------------- */

struct hy_dnssec_pkeys {
	const ldns_rr_list	*keys;
	size_t			 n;
	EVP_PKEY		*pk[];	/* slot i: RR i of keys, or NULL */
};

struct hy_dnssec_pkeys *
hy_dnssec_pkeys_new(const ldns_rr_list *keys)
{
	size_t n = ldns_rr_list_rr_count(keys);
	struct hy_dnssec_pkeys *c;

	if ((c = calloc(1, sizeof(*c) + n * sizeof(c->pk[0]))) == NULL)
		return NULL;
	c->keys = keys;
	c->n = n;
	return c;
}

void
hy_dnssec_pkeys_free(struct hy_dnssec_pkeys *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		EVP_PKEY_free(c->pk[i]);
	free(c);
}

static bool
alg_ecdsa(unsigned alg)
{
	return alg == LDNS_ECDSAP256SHA256 || alg == LDNS_ECDSAP384SHA384;
}

/* ---- signature verification ------------------------------------------ */

/* The owner a wildcard expansion was signed under (RFC 4035 §5.3.2):
 * "*." and the rightmost labels labels of owner. */
static ldns_rdf *
wildcard_owner(const ldns_rdf *owner, unsigned labels)
{
	ldns_rdf *star = ldns_dname_new_frm_str("*"), *tail;

	tail = ldns_dname_clone_from(owner,
	    (uint16_t)(ldns_dname_label_count(owner) - labels));
	if (star == NULL || tail == NULL ||
	    ldns_dname_cat(star, tail) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(star);
		star = NULL;
	}
	ldns_rdf_deep_free(tail);
	return star;
}

/* The bytes sig signs (RFC 4034 §3.1.8.1): its RDATA up to the signature,
 * then the RRset in canonical form (§6.2) with the original TTL and the
 * wildcard owner where it was expanded, in canonical order (§6.3). */
static ldns_buffer *
signed_data(const ldns_rr_list *rrset, const ldns_rr *sig)
{
	ldns_rr_list *c = ldns_rr_list_clone(rrset);
	ldns_buffer *b = ldns_buffer_new(512);
	unsigned labels = rdf_u8(ldns_rr_rrsig_labels(sig));
	uint32_t ttl = rdf_u32(ldns_rr_rrsig_origttl(sig));
	int rc = -1;

	if (c == NULL || b == NULL)
		goto out;
	for (size_t i = 0; i < ldns_rr_list_rr_count(c); i++) {
		ldns_rr *rr = ldns_rr_list_rr(c, i);

		if (labels < ldns_dname_label_count(ldns_rr_owner(rr))) {
			ldns_rdf *w = wildcard_owner(ldns_rr_owner(rr), labels);

			if (w == NULL)
				goto out;
			ldns_rdf_deep_free(ldns_rr_owner(rr));
			ldns_rr_set_owner(rr, w);
		}
		ldns_rr_set_ttl(rr, ttl);
		ldns_rr2canonical(rr);
	}
	ldns_rr_list_sort(c);
	if (ldns_rrsig2buffer_wire(b, sig) != LDNS_STATUS_OK ||
	    ldns_rr_list2buffer_wire(b, c) != LDNS_STATUS_OK)
		goto out;
	rc = 0;
out:
	ldns_rr_list_deep_free(c);
	if (rc != 0) {
		ldns_buffer_free(b);
		b = NULL;
	}
	return b;
}

/* The signature in the form OpenSSL takes: DSA and ECDSA as DER
 * (RFC 2536 §3, RFC 6605 §4 give them as bare integers). */
static ldns_buffer *
sig_bytes(const ldns_rr *sig, unsigned alg)
{
	const ldns_rdf *r = ldns_rr_rdf(sig, 8);
	ldns_buffer *b = ldns_buffer_new(256);
	ldns_status st;

	if (b == NULL)
		return NULL;
	if (alg == LDNS_DSA || alg == LDNS_DSA_NSEC3)
		st = ldns_convert_dsa_rrsig_rdf2asn1(b, r);
	else if (alg_ecdsa(alg))
		st = ldns_convert_ecdsa_rrsig_rdf2asn1(b, r);
	else {
		ldns_buffer_write(b, ldns_rdf_data(r), ldns_rdf_size(r));
		st = ldns_buffer_status(b);
	}
	if (st != LDNS_STATUS_OK) {
		ldns_buffer_free(b);
		return NULL;
	}
	return b;
}

/* True if key made sig over data. An ECDSA key is parsed once into
 * *slot (when the caller keeps a cache): OpenSSL builds the curve group
 * for every parse, which costs as much as the verification itself. */
static bool
key_verifies(const ldns_rr *key, EVP_PKEY **slot, unsigned alg,
    ldns_buffer *sig, ldns_buffer *data)
{
	const ldns_rdf *k = ldns_rr_rdf(key, 3);

	if (slot != NULL && alg_ecdsa(alg)) {
		if (*slot == NULL)
			*slot = ldns_ecdsa2pkey_raw(ldns_rdf_data(k),
			    ldns_rdf_size(k), (uint8_t)alg);
		return *slot != NULL && ldns_verify_rrsig_evp_raw(
		    ldns_buffer_begin(sig), ldns_buffer_position(sig), data,
		    *slot, alg == LDNS_ECDSAP256SHA256 ? EVP_sha256() :
		    EVP_sha384()) == LDNS_STATUS_OK;
	}
	return ldns_verify_rrsig_buffers_raw(ldns_buffer_begin(sig),
	    ldns_buffer_position(sig), data, ldns_rdf_data(k),
	    ldns_rdf_size(k), (uint8_t)alg) == LDNS_STATUS_OK;
}

/* Whether any key in keys (with tag and algorithm of sig) made sig:
 * HY_SIG_VALID, HY_SIG_INVALID, or HY_SIG_NO_KEY when none could have. */
static enum hy_sig_verdict
sig_check(const ldns_rr_list *rrset, const ldns_rr *sig,
    const ldns_rr_list *keys, struct hy_dnssec_pkeys *pk, unsigned alg)
{
	unsigned tag = rdf_u16(ldns_rr_rrsig_keytag(sig));
	enum hy_sig_verdict v = HY_SIG_NO_KEY;
	ldns_buffer *data = NULL, *raw = NULL;

	if (pk != NULL && pk->keys != keys)
		pk = NULL;
	for (size_t i = 0; i < ldns_rr_list_rr_count(keys); i++) {
		const ldns_rr *k = ldns_rr_list_rr(keys, i);

		if (!key_usable(k) || rdf_u8(ldns_rr_rdf(k, 2)) != alg ||
		    ldns_calc_keytag(k) != tag)
			continue;
		v = HY_SIG_INVALID;
		if (data == NULL && ((data = signed_data(rrset, sig)) == NULL ||
		    (raw = sig_bytes(sig, alg)) == NULL))
			break;
		if (key_verifies(k, pk != NULL ? &pk->pk[i] : NULL, alg, raw,
		    data)) {
			v = HY_SIG_VALID;
			break;
		}
	}
	ldns_buffer_free(data);
	ldns_buffer_free(raw);
	return v;
}

static enum hy_sig_verdict
verify_one(const ldns_rr_list *rrset, const ldns_rr *sig,
    const ldns_rr_list *keys, struct hy_dnssec_pkeys *pk, time_t now,
    time_t *expires)
{
	uint32_t incep, expir, now32 = (uint32_t)now;
	unsigned alg = rdf_u8(ldns_rr_rrsig_algorithm(sig));
	enum hy_sig_verdict v;

	if (!hy_dnssec_alg_supported(alg))
		return HY_SIG_UNSUPPORTED;
	/* RFC 4035 §5.3.1: Labels may not exceed the owner's label count
	 * (RFC 8080's published examples broke this; erratum 4935). */
	if (rdf_u8(ldns_rr_rrsig_labels(sig)) >
	    ldns_dname_label_count(ldns_rr_owner(sig)))
		return HY_SIG_INVALID;
	if ((v = sig_check(rrset, sig, keys, pk, alg)) != HY_SIG_VALID)
		return v;
	/* RFC 4034 §3.1.5: serial number arithmetic on 32-bit times. */
	incep = rdf_u32(ldns_rr_rrsig_inception(sig));
	expir = rdf_u32(ldns_rr_rrsig_expiration(sig));
	if ((int32_t)(expir - now32) < 0)
		return HY_SIG_EXPIRED;
	if ((int32_t)(now32 - incep) < 0)
		return HY_SIG_NOT_YET;
	if (expires != NULL)
		*expires = now + (int32_t)(expir - now32);
	return HY_SIG_VALID;
}

enum hy_sig_verdict
hy_dnssec_verify_rrset(const ldns_rr_list *rrset, const ldns_rr_list *sigs,
    const ldns_rr_list *keys, struct hy_dnssec_pkeys *pk,
    const ldns_rdf *signer, time_t now, struct hy_sig_valid *valid)
{
	enum hy_sig_verdict best = HY_SIG_MISSING;
	const ldns_rr *first;
	time_t latest = 0, e;
	unsigned labels = 0;

	if (rrset == NULL || ldns_rr_list_rr_count(rrset) == 0)
		return HY_SIG_MISSING;
	first = ldns_rr_list_rr(rrset, 0);
	for (size_t i = 0; i < ldns_rr_list_rr_count(sigs); i++) {
		const ldns_rr *s = ldns_rr_list_rr(sigs, i);
		enum hy_sig_verdict v;

		if (ldns_rr_get_type(s) != LDNS_RR_TYPE_RRSIG ||
		    ldns_rr_rd_count(s) < 9 ||
		    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(s)) !=
		    ldns_rr_get_type(first) ||
		    ldns_dname_compare(ldns_rr_owner(s),
		    ldns_rr_owner(first)) != 0 ||
		    ldns_dname_compare(ldns_rr_rrsig_signame(s), signer) != 0)
			continue;
		e = 0;
		v = verify_one(rrset, s, keys, pk, now, &e);
		if (v == HY_SIG_VALID) {
			if (e > latest)
				latest = e;
			if (rdf_u8(ldns_rr_rrsig_labels(s)) > labels)
				labels = rdf_u8(ldns_rr_rrsig_labels(s));
		}
		best = better(best, v);
	}
	if (best == HY_SIG_VALID && valid != NULL) {
		valid->expires = latest;
		valid->labels = labels;
	}
	return best;
}

bool
hy_dnssec_ds_matches(const ldns_rr *ds, const ldns_rr *key)
{
	ldns_rr *calc;
	bool ok;

	if (ldns_rr_get_type(ds) != LDNS_RR_TYPE_DS || ldns_rr_rd_count(ds) < 4 ||
	    !key_usable(key))
		return false;
	if (rdf_u16(ldns_rr_rdf(ds, 0)) != ldns_calc_keytag(key) ||
	    rdf_u8(ldns_rr_rdf(ds, 1)) != rdf_u8(ldns_rr_rdf(key, 2)) ||
	    !hy_dnssec_digest_supported(rdf_u8(ldns_rr_rdf(ds, 2))) ||
	    ldns_dname_compare(ldns_rr_owner(ds), ldns_rr_owner(key)) != 0)
		return false;
	if ((calc = ldns_key_rr2ds(key,
	    (ldns_hash)rdf_u8(ldns_rr_rdf(ds, 2)))) == NULL)
		return false;
	ok = ldns_rdf_compare(ldns_rr_rdf(calc, 3), ldns_rr_rdf(ds, 3)) == 0;
	ldns_rr_free(calc);
	return ok;
}

bool
hy_dnssec_dnskey_equal(const ldns_rr *a, const ldns_rr *b)
{
	if (ldns_rr_get_type(a) != LDNS_RR_TYPE_DNSKEY ||
	    ldns_rr_get_type(b) != LDNS_RR_TYPE_DNSKEY ||
	    ldns_rr_rd_count(a) < 4 || ldns_rr_rd_count(b) < 4 ||
	    ldns_dname_compare(ldns_rr_owner(a), ldns_rr_owner(b)) != 0)
		return false;
	/* The REVOKE bit aside (RFC 5011 changes it), all fields match. */
	return (rdf_u16(ldns_rr_rdf(a, 0)) | LDNS_KEY_REVOKE_KEY) ==
	    (rdf_u16(ldns_rr_rdf(b, 0)) | LDNS_KEY_REVOKE_KEY) &&
	    rdf_u8(ldns_rr_rdf(a, 2)) == rdf_u8(ldns_rr_rdf(b, 2)) &&
	    ldns_rdf_compare(ldns_rr_rdf(a, 3), ldns_rr_rdf(b, 3)) == 0;
}

unsigned
hy_dnssec_key_bits(const ldns_rr *key)
{
	const ldns_rdf *k;

	if (ldns_rr_get_type(key) != LDNS_RR_TYPE_DNSKEY ||
	    ldns_rr_rd_count(key) < 4 || (k = ldns_rr_rdf(key, 3)) == NULL ||
	    ldns_rdf_size(k) == 0)
		return 0;
	return (unsigned)ldns_rr_dnskey_key_size_raw(ldns_rdf_data(k),
	    ldns_rdf_size(k), (ldns_algorithm)rdf_u8(ldns_rr_rdf(key, 2)));
}

/* ---- denial of existence ---------------------------------------------- */

static bool
nsec_has(const ldns_rr *nsec, ldns_rr_type t)
{
	const ldns_rdf *bm = ldns_rr_get_type(nsec) == LDNS_RR_TYPE_NSEC3 ?
	    ldns_nsec3_bitmap(nsec) : ldns_nsec_get_bitmap(nsec);

	return bm != NULL && ldns_nsec_bitmap_covers_type(bm, t);
}

/* NODATA from a matching NSEC/NSEC3 record: no qtype, no CNAME; for DS
 * the parent side of a delegation (NS, no SOA). */
static enum hy_denial
match_nodata(const ldns_rr *n, ldns_rr_type qtype)
{
	if (nsec_has(n, qtype) || nsec_has(n, LDNS_RR_TYPE_CNAME))
		return HY_DENIAL_NONE;
	if (qtype == LDNS_RR_TYPE_DS && (nsec_has(n, LDNS_RR_TYPE_SOA) ||
	    !nsec_has(n, LDNS_RR_TYPE_NS)))
		return HY_DENIAL_NONE;
	return HY_DENIAL_NODATA;
}

static bool
nsec_covers(const ldns_rr *n, const ldns_rdf *name)
{
	/* ldns_nsec_covers_name() wants canonical (lower-case) names; the
	 * caller's RRs were canonicalised. It also counts the owner itself
	 * as covered, but a name that matches the owner exists: a strict
	 * cover only, or a wildcard's own NSEC would "deny" the wildcard. */
	size_t need = ldns_rr_get_type(n) == LDNS_RR_TYPE_NSEC3 ? 5 : 1;

	return ldns_rr_rd_count(n) >= need &&
	    ldns_dname_compare(ldns_rr_owner(n), name) != 0 &&
	    ldns_nsec_covers_name(n, name);
}

/* The labels of qname below common: the closest encloser candidate is the
 * longest ancestor of qname that also ends a known name. */
static ldns_rdf *
common_ancestor(const ldns_rdf *a, const ldns_rdf *b)
{
	ldns_rdf *x = ldns_rdf_clone(a), *p;

	while (x != NULL && ldns_dname_label_count(x) > 0 &&
	    !ldns_dname_is_subdomain(b, x) && ldns_dname_compare(b, x) != 0) {
		p = ldns_dname_left_chop(x);
		ldns_rdf_deep_free(x);
		x = p;
	}
	return x;
}

static ldns_rdf *
wildcard_of(const ldns_rdf *ce)
{
	ldns_rdf *w = ldns_dname_new_frm_str("*"), *r;

	if (w == NULL)
		return NULL;
	r = ldns_dname_cat_clone(w, ce);
	ldns_rdf_deep_free(w);
	return r;
}

static enum hy_denial
denial_nsec(const ldns_rdf *qname, ldns_rr_type qtype,
    const ldns_rr_list *nsecs)
{
	ldns_rdf *ce = NULL, *wc = NULL;
	enum hy_denial d = HY_DENIAL_NONE;
	const ldns_rr *cover = NULL;
	size_t n = ldns_rr_list_rr_count(nsecs);

	for (size_t i = 0; i < n; i++) {
		const ldns_rr *r = ldns_rr_list_rr(nsecs, i);

		if (ldns_rr_get_type(r) != LDNS_RR_TYPE_NSEC)
			continue;
		if (ldns_dname_compare(ldns_rr_owner(r), qname) == 0)
			return match_nodata(r, qtype);
		if (nsec_covers(r, qname))
			cover = r;
	}
	if (cover == NULL)
		return HY_DENIAL_NONE;
	/* An empty non-terminal: the next name lies below qname. */
	if (ldns_dname_is_subdomain(ldns_rr_rdf(cover, 0), qname))
		return qtype == LDNS_RR_TYPE_DS ? HY_DENIAL_NONE :
		    HY_DENIAL_NODATA;
	/* RFC 4035 §5.4: also no wildcard at the closest encloser. */
	ce = common_ancestor(qname, ldns_rr_owner(cover));
	{
		ldns_rdf *ce2 = common_ancestor(qname, ldns_rr_rdf(cover, 0));

		if (ce != NULL && ce2 != NULL && ldns_dname_label_count(ce2) >
		    ldns_dname_label_count(ce)) {
			ldns_rdf_deep_free(ce);
			ce = ce2;
		} else
			ldns_rdf_deep_free(ce2);
	}
	if (ce == NULL || (wc = wildcard_of(ce)) == NULL)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const ldns_rr *r = ldns_rr_list_rr(nsecs, i);

		if (ldns_rr_get_type(r) != LDNS_RR_TYPE_NSEC)
			continue;
		if (nsec_covers(r, wc)) {
			d = HY_DENIAL_NXDOMAIN;
			break;
		}
		/* The wildcard exists without the type (RFC 4035 §3.1.3.4). */
		if (qtype != LDNS_RR_TYPE_DS &&
		    ldns_dname_compare(ldns_rr_owner(r), wc) == 0) {
			d = match_nodata(r, qtype);
			break;
		}
	}
out:
	ldns_rdf_deep_free(ce);
	ldns_rdf_deep_free(wc);
	return d;
}

/* The NSEC3 hash of name as a full owner name below zone. */
static ldns_rdf *
nsec3_owner_for(const ldns_rr *params, const ldns_rdf *name,
    const ldns_rdf *zone)
{
	ldns_rdf *h, *full;

	if ((h = ldns_nsec3_hash_name_frm_nsec3(params, (ldns_rdf *)name)) ==
	    NULL)
		return NULL;
	full = ldns_dname_cat_clone(h, zone);
	ldns_rdf_deep_free(h);
	if (full != NULL)
		ldns_dname2canonical(full);
	return full;
}

static const ldns_rr *
nsec3_find(const ldns_rr_list *nsecs, const ldns_rdf *hashed, bool cover)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(nsecs); i++) {
		const ldns_rr *r = ldns_rr_list_rr(nsecs, i);

		if (ldns_rr_get_type(r) != LDNS_RR_TYPE_NSEC3)
			continue;
		if (!cover && ldns_dname_compare(ldns_rr_owner(r), hashed) == 0)
			return r;
		if (cover && nsec_covers(r, hashed))
			return r;
	}
	return NULL;
}

/* RFC 5155 §8.3-8.6: matching NSEC3 for NODATA; else the closest encloser
 * proof, with an opt-out span (DS) or a denied wildcard (NXDOMAIN). */
static enum hy_denial
denial_nsec3(const ldns_rdf *qname, ldns_rr_type qtype,
    const ldns_rr_list *nsecs, const ldns_rdf *zone)
{
	const ldns_rr *params = NULL, *m, *nc_cover;
	ldns_rdf *h = NULL, *ce = NULL, *nc = NULL, *wc = NULL;
	enum hy_denial d = HY_DENIAL_NONE;

	for (size_t i = 0; i < ldns_rr_list_rr_count(nsecs) && !params; i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(nsecs, i)) ==
		    LDNS_RR_TYPE_NSEC3)
			params = ldns_rr_list_rr(nsecs, i);
	if (params == NULL || ldns_nsec3_algorithm(params) != 1)
		return HY_DENIAL_NONE;
	if (ldns_nsec3_iterations(params) > HY_NSEC3_MAX_ITERATIONS)
		return HY_DENIAL_INSECURE;
	if ((h = nsec3_owner_for(params, qname, zone)) == NULL)
		return HY_DENIAL_NONE;
	if ((m = nsec3_find(nsecs, h, false)) != NULL) {
		d = match_nodata(m, qtype);
		goto out;
	}
	/* Closest encloser: the longest ancestor of qname with a match. */
	nc = ldns_rdf_clone(qname);
	while (nc != NULL && ldns_dname_is_subdomain(nc, zone)) {
		ldns_rdf_deep_free(ce);
		ce = ldns_dname_left_chop(nc);
		ldns_rdf_deep_free(h);
		h = ce != NULL ? nsec3_owner_for(params, ce, zone) : NULL;
		if (h == NULL)
			goto out;
		if (nsec3_find(nsecs, h, false) != NULL)
			break;
		ldns_rdf_deep_free(nc);
		nc = ce;
		ce = NULL;
	}
	if (nc == NULL || ce == NULL)
		goto out;
	ldns_rdf_deep_free(h);
	if ((h = nsec3_owner_for(params, nc, zone)) == NULL ||
	    (nc_cover = nsec3_find(nsecs, h, true)) == NULL)
		goto out;
	/* RFC 5155 §9.2: under an opt-out span an unsigned delegation may
	 * hide the name, so the proof only makes the answer insecure. */
	if (ldns_nsec3_optout(nc_cover)) {
		d = HY_DENIAL_OPTOUT;
		goto out;
	}
	ldns_rdf_deep_free(h);
	if ((wc = wildcard_of(ce)) == NULL ||
	    (h = nsec3_owner_for(params, wc, zone)) == NULL)
		goto out;
	if (nsec3_find(nsecs, h, true) != NULL)
		d = HY_DENIAL_NXDOMAIN;
	else if ((m = nsec3_find(nsecs, h, false)) != NULL &&
	    qtype != LDNS_RR_TYPE_DS)
		d = match_nodata(m, qtype);	/* wildcard NODATA, §8.7 */
out:
	ldns_rdf_deep_free(h);
	ldns_rdf_deep_free(ce);
	ldns_rdf_deep_free(nc);
	ldns_rdf_deep_free(wc);
	return d;
}

enum hy_denial
hy_dnssec_denial(const ldns_rdf *qname, ldns_rr_type qtype,
    const ldns_rr_list *nsecs, const ldns_rdf *zone)
{
	ldns_rdf *q;
	enum hy_denial d = HY_DENIAL_NONE;
	bool any3 = false;

	if (nsecs == NULL || qname == NULL || zone == NULL ||
	    !(ldns_dname_is_subdomain(qname, zone) ||
	    ldns_dname_compare(qname, zone) == 0))
		return HY_DENIAL_NONE;
	if ((q = ldns_rdf_clone(qname)) == NULL)
		return HY_DENIAL_NONE;
	ldns_dname2canonical(q);
	for (size_t i = 0; i < ldns_rr_list_rr_count(nsecs); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(nsecs, i)) ==
		    LDNS_RR_TYPE_NSEC3)
			any3 = true;
	d = any3 ? denial_nsec3(q, qtype, nsecs, zone) :
	    denial_nsec(q, qtype, nsecs);
	ldns_rdf_deep_free(q);
	return d;
}

bool
hy_dnssec_wildcard_proof(const ldns_rdf *qname, unsigned labels,
    const ldns_rr_list *nsecs, const ldns_rdf *zone)
{
	ldns_rdf *nc = ldns_rdf_clone(qname), *h = NULL, *p;
	const ldns_rr *params = NULL;
	bool ok = false;

	if (nc == NULL)
		return false;
	ldns_dname2canonical(nc);
	/* The next closer name: qname cut down to labels + 1 labels. */
	while (ldns_dname_label_count(nc) > labels + 1 &&
	    (p = ldns_dname_left_chop(nc)) != NULL) {
		ldns_rdf_deep_free(nc);
		nc = p;
	}
	for (size_t i = 0; i < ldns_rr_list_rr_count(nsecs) && !ok; i++) {
		const ldns_rr *r = ldns_rr_list_rr(nsecs, i);

		if (ldns_rr_get_type(r) == LDNS_RR_TYPE_NSEC)
			ok = nsec_covers(r, qname);
		else if (ldns_rr_get_type(r) == LDNS_RR_TYPE_NSEC3 && !params)
			params = r;
	}
	if (!ok && params != NULL &&
	    (h = nsec3_owner_for(params, nc, zone)) != NULL)
		ok = nsec3_find(nsecs, h, true) != NULL;
	ldns_rdf_deep_free(h);
	ldns_rdf_deep_free(nc);
	return ok;
}

/* ---- trust anchors ---------------------------------------------------- */

static int
anchor_add(ldns_rr_list *l, ldns_rr *rr, const char **err)
{
	ldns_rr_type t = ldns_rr_get_type(rr);

	if (t != LDNS_RR_TYPE_DS && t != LDNS_RR_TYPE_DNSKEY) {
		*err = "trust anchor file holds a record that is not DS or "
		    "DNSKEY";
		ldns_rr_free(rr);
		return -1;
	}
	ldns_rr2canonical(rr);
	if (!ldns_rr_list_push_rr(l, rr)) {
		*err = "out of memory";
		ldns_rr_free(rr);
		return -1;
	}
	return 0;
}

static ldns_rr_list *
anchors_builtin(const char **err)
{
	ldns_rr_list *l = ldns_rr_list_new();
	ldns_rr *rr;

	if (l == NULL) {
		*err = "out of memory";
		return NULL;
	}
	for (size_t i = 0; hy_dnssec_iana_anchors[i] != NULL; i++) {
		if (ldns_rr_new_frm_str(&rr, hy_dnssec_iana_anchors[i], 0, NULL,
		    NULL) != LDNS_STATUS_OK || anchor_add(l, rr, err) != 0) {
			*err = "cannot parse the built-in trust anchors";
			ldns_rr_list_deep_free(l);
			return NULL;
		}
	}
	return l;
}

ldns_rr_list *
hy_dnssec_anchors_load(const char *file, const char **err)
{
	ldns_rr_list *l = NULL;
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	ldns_status st;
	ldns_rr *rr;
	FILE *f;
	int line = 0;

	*err = NULL;
	if (file == NULL)
		return anchors_builtin(err);
	if ((f = fopen(file, "r")) == NULL) {
		*err = "cannot open the trust anchor file";
		return NULL;
	}
	if ((l = ldns_rr_list_new()) == NULL) {
		*err = "out of memory";
		goto fail;
	}
	while (!feof(f)) {
		rr = NULL;
		st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin, &prev, &line);
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN ||
		    st == LDNS_STATUS_SYNTAX_INCLUDE)
			continue;
		if (st != LDNS_STATUS_OK) {
			if (feof(f) && rr == NULL)
				break;
			*err = "syntax error in the trust anchor file";
			goto fail;
		}
		if (anchor_add(l, rr, err) != 0)
			goto fail;
	}
	if (ldns_rr_list_rr_count(l) == 0) {
		*err = "the trust anchor file holds no DS or DNSKEY record";
		goto fail;
	}
	fclose(f);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	return l;
fail:
	fclose(f);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	ldns_rr_list_deep_free(l);
	return NULL;
}
