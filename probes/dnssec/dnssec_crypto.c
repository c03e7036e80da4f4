/*
 * DNSSEC checks on RRs: signatures, DS digests, denial proofs, policy.
 * Nothing here does I/O; the crypto itself is ldns' (over OpenSSL).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "dnssec_int.h"

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
	case HY_SIG_ERROR:	return "not checked (out of memory)";
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

unsigned
hy_dnssec_key_tag(const ldns_rr *key)
{
	uint32_t acc = 0;
	size_t pos = 0;

	/* RFC 4034 Appendix B over the RDATA, without ldns_calc_keytag(),
	 * which returns 0 when out of memory. */
	if (ldns_rr_get_type(key) != LDNS_RR_TYPE_DNSKEY ||
	    ldns_rr_rd_count(key) < 4)
		return 0;
	for (size_t f = 0; f < 4; f++) {
		const ldns_rdf *r = ldns_rr_rdf(key, f);

		for (size_t i = 0; r != NULL && i < ldns_rdf_size(r); i++, pos++)
			acc += pos & 1 ? ldns_rdf_data(r)[i] :
			    (uint32_t)ldns_rdf_data(r)[i] << 8;
	}
	acc += acc >> 16;
	return acc & 0xFFFF;
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

/* "*." and name, or NULL when too long or out of memory. */
static ldns_rdf *
star_dot(const ldns_rdf *name)
{
	uint8_t buf[LDNS_MAX_DOMAINLEN + 3];
	size_t n = ldns_rdf_size(name);

	if (n + 2 > LDNS_MAX_DOMAINLEN)
		return NULL;
	buf[0] = 1;
	buf[1] = '*';
	memcpy(buf + 2, ldns_rdf_data(name), n);
	return ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, n + 2, buf);
}

/* The owner a wildcard expansion was signed under (RFC 4035 §5.3.2):
 * "*." and the rightmost labels labels of owner. */
static ldns_rdf *
wildcard_owner(const ldns_rdf *owner, unsigned labels)
{
	ldns_rdf *tail, *star;

	tail = ldns_dname_clone_from(owner,
	    (uint16_t)(ldns_dname_label_count(owner) - labels));
	star = tail != NULL ? star_dot(tail) : NULL;
	ldns_rdf_deep_free(tail);
	return star;
}

/* The bytes sig signs (RFC 4034 §3.1.8.1): its RDATA up to the signature,
 * then the RRset in canonical form (§6.2) with the original TTL and the
 * wildcard owner where it was expanded, in canonical order (§6.3). */
static ldns_buffer *
signed_data(const ldns_rr_list *rrset, const ldns_rr *sig)
{
	ldns_rr_list *c = ldns_rr_list_new();
	ldns_buffer *b = ldns_buffer_new(512);
	unsigned labels = rdf_u8(ldns_rr_rrsig_labels(sig));
	uint32_t ttl = rdf_u32(ldns_rr_rrsig_origttl(sig));
	int rc = -1;

	if (c == NULL || b == NULL)
		goto out;
	for (size_t i = 0; i < ldns_rr_list_rr_count(rrset); i++) {
		ldns_rr *rr = hy_dns_rr_clone(ldns_rr_list_rr(rrset, i));

		if (rr == NULL || !ldns_rr_list_push_rr(c, rr)) {
			ldns_rr_free(rr);
			goto out;
		}
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
sig_bytes(const ldns_rr *sig, unsigned alg, bool *oom)
{
	const ldns_rdf *r = ldns_rr_rdf(sig, 8);
	ldns_buffer *b = ldns_buffer_new(256);
	ldns_status st;

	if (b == NULL) {
		*oom = true;
		return NULL;
	}
	if (alg == LDNS_DSA || alg == LDNS_DSA_NSEC3)
		st = ldns_convert_dsa_rrsig_rdf2asn1(b, r);
	else if (alg_ecdsa(alg))
		st = ldns_convert_ecdsa_rrsig_rdf2asn1(b, r);
	else {
		ldns_buffer_write(b, ldns_rdf_data(r), ldns_rdf_size(r));
		st = ldns_buffer_status(b);
	}
	if (st != LDNS_STATUS_OK) {
		if (st == LDNS_STATUS_MEM_ERR)
			*oom = true;
		ldns_buffer_free(b);
		return NULL;
	}
	return b;
}

/* After a failed call into OpenSSL: was it out of memory? Then the
 * signature was not checked, which is not the same as bad. */
static bool
ssl_oom(void)
{
	unsigned long e;
	bool oom = false;

	while ((e = ERR_get_error()) != 0)
		if (ERR_GET_REASON(e) == ERR_R_MALLOC_FAILURE)
			oom = true;
	return oom;
}

/* An OpenSSL public key from big-endian fields (name, bytes, length),
 * NULL-terminated names: "RSA" n/e, "DSA" p/q/g/pub. */
static EVP_PKEY *
pkey_from_fields(const char *type, const char *const names[],
    const uint8_t *const val[], const size_t len[], size_t n, bool *oom)
{
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pk = NULL;
	BIGNUM *bn[5] = { NULL };

	if (b == NULL)
		goto oom;
	for (size_t i = 0; i < n; i++)
		if ((bn[i] = BN_bin2bn(val[i], (int)len[i], NULL)) == NULL ||
		    OSSL_PARAM_BLD_push_BN(b, names[i], bn[i]) != 1)
			goto oom;
	if ((params = OSSL_PARAM_BLD_to_param(b)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1)
		goto oom;
	if (EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		pk = NULL;
		*oom = ssl_oom();
	}
	goto out;
oom:
	*oom = true;
out:
	for (size_t i = 0; i < n; i++)
		BN_free(bn[i]);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(ctx);
	return pk;
}

/* RSA (RFC 3110 §2): exponent length, exponent, modulus. */
static EVP_PKEY *
pkey_rsa(const uint8_t *k, size_t n, bool *oom)
{
	static const char *const names[] = { "n", "e" };
	const uint8_t *val[2];
	size_t len[2], off, elen;

	if (n < 3)
		return NULL;
	elen = k[0] != 0 ? k[0] : (size_t)k[1] << 8 | k[2];
	off = k[0] != 0 ? 1 : 3;
	if (elen == 0 || off + elen >= n)
		return NULL;
	val[1] = k + off;
	len[1] = elen;
	val[0] = k + off + elen;
	len[0] = n - off - elen;
	return pkey_from_fields("RSA", names, val, len, 2, oom);
}

/* DSA (RFC 2536 §2): T, Q, P, G, Y. */
static EVP_PKEY *
pkey_dsa(const uint8_t *k, size_t n, bool *oom)
{
	static const char *const names[] = { "q", "p", "g", "pub" };
	const uint8_t *val[4];
	size_t len[4], m;

	if (n < 1 || k[0] > 8 || n != 21 + 3 * (m = 64 + (size_t)k[0] * 8))
		return NULL;
	val[0] = k + 1;
	len[0] = 20;
	for (size_t i = 1; i < 4; i++) {
		val[i] = k + 21 + (i - 1) * m;
		len[i] = m;
	}
	return pkey_from_fields("DSA", names, val, len, 4, oom);
}

/* The public key of a DNSKEY as OpenSSL's, or NULL: *oom then says
 * whether memory ran out rather than the key being unusable. */
static EVP_PKEY *
pkey_of(const ldns_rr *key, unsigned alg, bool *oom)
{
	const ldns_rdf *r = ldns_rr_rdf(key, 3);
	const uint8_t *k = ldns_rdf_data(r);
	size_t n = ldns_rdf_size(r);
	EVP_PKEY *pk = NULL;

	ERR_clear_error();
	switch (alg) {
	case LDNS_RSASHA1: case LDNS_RSASHA1_NSEC3: case LDNS_RSASHA256:
	case LDNS_RSASHA512:
		return pkey_rsa(k, n, oom);
	case LDNS_DSA: case LDNS_DSA_NSEC3:
		return pkey_dsa(k, n, oom);
	case LDNS_ECDSAP256SHA256: case LDNS_ECDSAP384SHA384:
		pk = ldns_ecdsa2pkey_raw(k, n, (uint8_t)alg);
		break;
	case LDNS_ED25519:
		if (n == 32)
			pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
			    k, n);
		break;
	case LDNS_ED448:
		if (n == 57)
			pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED448, NULL,
			    k, n);
		break;
	}
	if (pk == NULL)
		*oom = ssl_oom();
	return pk;
}

static const EVP_MD *
alg_md(unsigned alg)
{
	switch (alg) {
	case LDNS_RSASHA1: case LDNS_RSASHA1_NSEC3: case LDNS_DSA:
	case LDNS_DSA_NSEC3:
		return EVP_sha1();
	case LDNS_RSASHA256: case LDNS_ECDSAP256SHA256:
		return EVP_sha256();
	case LDNS_RSASHA512:
		return EVP_sha512();
	case LDNS_ECDSAP384SHA384:
		return EVP_sha384();
	}
	return NULL;	/* EdDSA hashes itself */
}

/*
 * Whether key made sig over data: HY_SIG_VALID, HY_SIG_INVALID, or
 * HY_SIG_ERROR when it could not be checked (out of memory). OpenSSL is
 * called directly: ldns 1.8.3's verification goes on after a failed
 * EVP_VerifyInit() and crashes. A parsed key is kept in *slot when the
 * caller keeps a cache: setting up a key costs OpenSSL about as much as
 * a verification.
 */
static enum hy_sig_verdict
evp_verify(EVP_PKEY *pk, unsigned alg, ldns_buffer *sig, ldns_buffer *data)
{
	EVP_MD_CTX *ctx;
	enum hy_sig_verdict v = HY_SIG_ERROR;

	ERR_clear_error();
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return HY_SIG_ERROR;
	/* With a key that parsed and its own digest, setting up can only
	 * fail for want of memory. */
	if (EVP_DigestVerifyInit(ctx, NULL, alg_md(alg), NULL, pk) == 1)
		v = EVP_DigestVerify(ctx, ldns_buffer_begin(sig),
		    ldns_buffer_position(sig), ldns_buffer_begin(data),
		    ldns_buffer_position(data)) == 1 ? HY_SIG_VALID :
		    ssl_oom() ? HY_SIG_ERROR : HY_SIG_INVALID;
	EVP_MD_CTX_free(ctx);
	return v;
}

static enum hy_sig_verdict
key_verifies(const ldns_rr *key, EVP_PKEY **slot, unsigned alg,
    ldns_buffer *sig, ldns_buffer *data)
{
	EVP_PKEY *pk = slot != NULL ? *slot : NULL;
	enum hy_sig_verdict v;
	bool oom = false;
	void *probe;

	if (pk == NULL && (pk = pkey_of(key, alg, &oom)) == NULL)
		return oom ? HY_SIG_ERROR : HY_SIG_INVALID;
	if (slot != NULL)
		*slot = pk;
	/* OpenSSL 3 can report an allocation that failed inside the
	 * verification as a bad signature. A second attempt tells a passing
	 * shortage from a bad signature, and a shortage that lasts shows in
	 * a small allocation of our own. */
	if ((v = evp_verify(pk, alg, sig, data)) == HY_SIG_INVALID &&
	    (v = evp_verify(pk, alg, sig, data)) == HY_SIG_INVALID) {
		if ((probe = malloc(4096)) == NULL)
			v = HY_SIG_ERROR;
		free(probe);
	}
	if (slot == NULL)
		EVP_PKEY_free(pk);
	return v;
}

/* Whether any key in keys (with tag and algorithm of sig) made sig:
 * HY_SIG_VALID, HY_SIG_INVALID, HY_SIG_NO_KEY when none could have, or
 * HY_SIG_ERROR when out of memory. */
static enum hy_sig_verdict
sig_check(const ldns_rr_list *rrset, const ldns_rr *sig,
    const ldns_rr_list *keys, struct hy_dnssec_pkeys *pk, unsigned alg)
{
	unsigned tag = rdf_u16(ldns_rr_rrsig_keytag(sig));
	enum hy_sig_verdict v = HY_SIG_NO_KEY, kv;
	ldns_buffer *data = NULL, *raw = NULL;
	bool oom = false;

	if (pk != NULL && pk->keys != keys)
		pk = NULL;
	for (size_t i = 0; i < ldns_rr_list_rr_count(keys); i++) {
		const ldns_rr *k = ldns_rr_list_rr(keys, i);

		if (!key_usable(k) || rdf_u8(ldns_rr_rdf(k, 2)) != alg ||
		    hy_dnssec_key_tag(k) != tag)
			continue;
		if (v == HY_SIG_NO_KEY)
			v = HY_SIG_INVALID;
		if (data == NULL && (data = signed_data(rrset, sig)) == NULL) {
			v = HY_SIG_ERROR;
			break;
		}
		if (raw == NULL && (raw = sig_bytes(sig, alg, &oom)) == NULL) {
			if (oom)
				v = HY_SIG_ERROR;
			break;		/* else a malformed signature field */
		}
		kv = key_verifies(k, pk != NULL ? &pk->pk[i] : NULL, alg, raw,
		    data);
		v = better(v, kv);
		if (kv == HY_SIG_VALID)
			break;
	}
	ldns_buffer_free(data);
	ldns_buffer_free(raw);
	return v;
}

/* RFC 4034 §3.1.5 serial arithmetic, with unbound's allowance for clock
 * skew (val-sig-skew-min/max): a tenth of the validity period, at least
 * HY_SIG_SKEW_MIN and at most HY_SIG_SKEW_MAX seconds, on either side.
 * An inception after the expiration is never valid. */
static enum hy_sig_verdict
check_dates(uint32_t incep, uint32_t expir, uint32_t now32)
{
	uint32_t skew = (expir - incep) / 10;

	if ((int32_t)(incep - expir) > 0)
		return HY_SIG_NOT_YET;
	if (skew < HY_SIG_SKEW_MIN)
		skew = HY_SIG_SKEW_MIN;
	if (skew > HY_SIG_SKEW_MAX)
		skew = HY_SIG_SKEW_MAX;
	if ((int32_t)(incep - now32) > 0 && incep - now32 > skew)
		return HY_SIG_NOT_YET;
	if ((int32_t)(now32 - expir) > 0 && now32 - expir > skew)
		return HY_SIG_EXPIRED;
	return HY_SIG_VALID;
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
	incep = rdf_u32(ldns_rr_rrsig_inception(sig));
	expir = rdf_u32(ldns_rr_rrsig_expiration(sig));
	if ((v = check_dates(incep, expir, now32)) != HY_SIG_VALID)
		return v;
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

/* RFC 4034 §5.1.4: the digest of the owner and the DNSKEY RDATA; 1
 * equal, 0 not, -1 out of memory. (Not ldns_key_rr2ds(), which drops the
 * digest when memory runs out.) */
static int
ds_digest_matches(const ldns_rr *ds, const ldns_rr *key)
{
	const ldns_rdf *want = ldns_rr_rdf(ds, 3);
	const EVP_MD *md;
	uint8_t buf[LDNS_MAX_DOMAINLEN + 4 + 4096];
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int outlen;
	size_t n = 0;

	switch (rdf_u8(ldns_rr_rdf(ds, 2))) {
	case LDNS_SHA1:		md = EVP_sha1(); break;
	case LDNS_SHA256:	md = EVP_sha256(); break;
	case LDNS_SHA384:	md = EVP_sha384(); break;
	default:		return 0;
	}
	for (size_t f = 0; f < 5; f++) {
		const ldns_rdf *r = f == 0 ? ldns_rr_owner(key) :
		    ldns_rr_rdf(key, f - 1);
		size_t len = r != NULL ? ldns_rdf_size(r) : 0;

		if (r == NULL || n + len > sizeof(buf))
			return 0;
		for (size_t i = 0; i < len; i++) {
			uint8_t c = ldns_rdf_data(r)[i];

			/* the owner in canonical (lower) case */
			buf[n++] = f == 0 && c >= 'A' && c <= 'Z' ?
			    c + ('a' - 'A') : c;
		}
	}
	if (EVP_Digest(buf, n, out, &outlen, md, NULL) != 1)
		return -1;
	return want != NULL && ldns_rdf_size(want) == outlen &&
	    memcmp(ldns_rdf_data(want), out, outlen) == 0;
}

int
hy_dnssec_ds_matches(const ldns_rr *ds, const ldns_rr *key)
{
	if (ldns_rr_get_type(ds) != LDNS_RR_TYPE_DS || ldns_rr_rd_count(ds) < 4 ||
	    !key_usable(key))
		return 0;
	if (rdf_u16(ldns_rr_rdf(ds, 0)) != hy_dnssec_key_tag(key) ||
	    rdf_u8(ldns_rr_rdf(ds, 1)) != rdf_u8(ldns_rr_rdf(key, 2)) ||
	    !hy_dnssec_digest_supported(rdf_u8(ldns_rr_rdf(ds, 2))) ||
	    ldns_dname_compare(ldns_rr_owner(ds), ldns_rr_owner(key)) != 0)
		return 0;
	return ds_digest_matches(ds, key);
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

/* ---- names ------------------------------------------------------------ */

static unsigned
labels(const ldns_rdf *d)
{
	return ldns_dname_label_count(d);
}

/* a is b or below it. Unlike ldns_dname_is_subdomain() this allocates
 * nothing, so it cannot fail. */
bool
hy_dnssec_name_under(const ldns_rdf *a, const ldns_rdf *b)
{
	size_t la, lb, off = 0, n;
	const uint8_t *d, *e;

	if (a == NULL || b == NULL)
		return false;
	la = labels(a);
	lb = labels(b);
	if (la < lb)
		return false;
	d = ldns_rdf_data(a);
	for (size_t i = 0; i < la - lb; i++)
		off += (size_t)d[off] + 1;
	n = ldns_rdf_size(b);
	if (ldns_rdf_size(a) - off != n)
		return false;
	e = ldns_rdf_data(b);
	for (size_t i = 0; i < n; i++) {
		uint8_t x = d[off + i], y = e[i];

		if (x >= 'A' && x <= 'Z')
			x += 'a' - 'A';
		if (y >= 'A' && y <= 'Z')
			y += 'a' - 'A';
		if (x != y)
			return false;
	}
	return true;
}

static bool
strictly_under(const ldns_rdf *a, const ldns_rdf *b)
{
	return labels(a) > labels(b) && hy_dnssec_name_under(a, b);
}

/* The allocating helpers below set *oom when they run out of memory;
 * their result is then meaningless and the caller reports an error. */

static ldns_rdf *
chop(const ldns_rdf *d, bool *oom)
{
	ldns_rdf *p;

	if (labels(d) == 0)
		return NULL;
	if ((p = ldns_dname_left_chop(d)) == NULL)
		*oom = true;
	return p;
}

static ldns_rdf *
clone_name(const ldns_rdf *d, bool *oom)
{
	ldns_rdf *c = ldns_rdf_clone(d);

	if (c == NULL)
		*oom = true;
	return c;
}

/* The longest name that a and b both end in. */
static ldns_rdf *
common_ancestor(const ldns_rdf *a, const ldns_rdf *b, bool *oom)
{
	ldns_rdf *x = clone_name(a, oom), *p;

	while (x != NULL && labels(x) > 0 && !hy_dnssec_name_under(b, x)) {
		p = chop(x, oom);
		ldns_rdf_deep_free(x);
		x = p;
	}
	return x;
}

static ldns_rdf *
wildcard_of(const ldns_rdf *ce, bool *oom)
{
	ldns_rdf *r = star_dot(ce);

	if (r == NULL && ldns_rdf_size(ce) + 2 <= LDNS_MAX_DOMAINLEN)
		*oom = true;
	return r;
}

/* ---- denial of existence ---------------------------------------------- */

/*
 * The proofs of RFC 4035 §5.4, RFC 5155 §8 and RFC 6840 §4.1, read the
 * way unbound's validator reads them (the campaign in tests/differential
 * checks that both agree):
 *   - an NSEC or NSEC3 at a delegation (NS without SOA) speaks for the
 *     parent side only: it proves nothing about other types there, and
 *     nothing about names below it, nor does an NSEC at a DNAME;
 *   - the wildcard that could have produced a name is the one at the
 *     name's closest encloser, which the same records must prove;
 *   - a name at or below an insecure delegation (NS, no DS) is insecure.
 */

static bool
nsec_has(const ldns_rr *nsec, ldns_rr_type t)
{
	const ldns_rdf *bm = ldns_rr_get_type(nsec) == LDNS_RR_TYPE_NSEC3 ?
	    ldns_nsec3_bitmap(nsec) : ldns_nsec_get_bitmap(nsec);

	return bm != NULL && ldns_nsec_bitmap_covers_type(bm, t);
}

/* A delegation: NS without SOA (the parent side of a zone cut). */
static bool
nsec_cut(const ldns_rr *n)
{
	return nsec_has(n, LDNS_RR_TYPE_NS) && !nsec_has(n, LDNS_RR_TYPE_SOA);
}

static const ldns_rdf *
nsec_next(const ldns_rr *n)
{
	const ldns_rdf *r;

	if (ldns_rr_get_type(n) != LDNS_RR_TYPE_NSEC ||
	    ldns_rr_rd_count(n) < 1 || (r = ldns_rr_rdf(n, 0)) == NULL ||
	    ldns_rdf_get_type(r) != LDNS_RDF_TYPE_DNAME)
		return NULL;
	return r;
}

/* The NSEC n proves that qname does not exist. */
static bool
nsec_name_error(const ldns_rr *n, const ldns_rdf *qname)
{
	const ldns_rdf *owner = ldns_rr_owner(n), *next = nsec_next(n);
	int c;

	if (next == NULL || ldns_dname_compare(qname, owner) == 0)
		return false;
	/* RFC 6840 §4.1: not from a DNAME or delegation above qname. */
	if (strictly_under(qname, owner) &&
	    (nsec_has(n, LDNS_RR_TYPE_DNAME) || nsec_cut(n)))
		return false;
	c = ldns_dname_compare(owner, next);
	if (c == 0)		/* the zone's only NSEC */
		return strictly_under(qname, next);
	if (c > 0)		/* the last NSEC wraps to the apex */
		return ldns_dname_compare(owner, qname) < 0 &&
		    strictly_under(qname, next);
	return ldns_dname_compare(owner, qname) < 0 &&
	    ldns_dname_compare(qname, next) < 0;
}

/* The closest encloser n implies for qname (RFC 4592 §3.3.1). */
static ldns_rdf *
nsec_closest_encloser(const ldns_rdf *qname, const ldns_rr *n, bool *oom)
{
	ldns_rdf *a, *b;

	if (nsec_next(n) == NULL)
		return NULL;
	a = common_ancestor(qname, ldns_rr_owner(n), oom);
	b = common_ancestor(qname, nsec_next(n), oom);
	if (a != NULL && b != NULL && labels(a) > labels(b)) {
		ldns_rdf_deep_free(b);
		return a;
	}
	ldns_rdf_deep_free(a);
	return b;
}

/* n proves that no wildcard at qname's closest encloser exists. */
static bool
nsec_no_wildcard(const ldns_rr *n, const ldns_rdf *qname, bool *oom)
{
	ldns_rdf *ce = nsec_closest_encloser(qname, n, oom), *wc = NULL;
	bool ok = false;

	if (ce != NULL && labels(qname) > labels(ce) &&
	    (wc = wildcard_of(ce, oom)) != NULL)
		ok = nsec_name_error(n, wc);
	ldns_rdf_deep_free(ce);
	ldns_rdf_deep_free(wc);
	return ok;
}

/* The NSEC n proves that qname has no qtype. A wildcard NODATA sets *wc
 * to the wildcard's closest encloser, which another NSEC must confirm. */
static bool
nsec_nodata(const ldns_rr *n, const ldns_rdf *qname, ldns_rr_type qtype,
    ldns_rdf **wc, bool *oom)
{
	const ldns_rdf *owner = ldns_rr_owner(n), *next = nsec_next(n);
	ldns_rdf *nm, *p, *ce;

	if (ldns_dname_compare(owner, qname) == 0)
		return !nsec_has(n, qtype) && !nsec_has(n, LDNS_RR_TYPE_CNAME) &&
		    (qtype == LDNS_RR_TYPE_DS || !nsec_cut(n));
	if (next == NULL)
		return false;
	/* An empty non-terminal: the next name lies below qname. */
	if (strictly_under(next, qname) && ldns_dname_compare(owner, qname) < 0)
		return true;
	if (ldns_dname_is_wildcard(owner)) {
		if ((ce = chop(owner, oom)) != NULL &&
		    strictly_under(qname, ce) &&
		    !nsec_has(n, LDNS_RR_TYPE_CNAME) && !nsec_cut(n) &&
		    !nsec_has(n, qtype)) {
			ldns_rdf_deep_free(*wc);
			*wc = ce;
			return true;
		}
		ldns_rdf_deep_free(ce);
		return false;
	}
	/* The next name may show an empty non-terminal wildcard. */
	for (nm = clone_name(next, oom); nm != NULL &&
	    ldns_dname_compare(owner, nm) < 0 &&
	    !hy_dnssec_name_under(qname, nm); nm = p) {
		if (ldns_dname_is_wildcard(nm) && (ce = chop(nm, oom)) != NULL) {
			if (strictly_under(qname, ce)) {
				ldns_rdf_deep_free(nm);
				ldns_rdf_deep_free(*wc);
				*wc = ce;
				return true;
			}
			ldns_rdf_deep_free(ce);
		}
		p = chop(nm, oom);
		ldns_rdf_deep_free(nm);
	}
	ldns_rdf_deep_free(nm);
	return false;
}

/* qname (or, for DS, a name strictly below the owner) is at or below an
 * insecure delegation: NS without DS and SOA. */
static bool
nsec_insecure_cut(const ldns_rr *n, const ldns_rdf *qname, ldns_rr_type qtype)
{
	if (!nsec_cut(n) || nsec_has(n, LDNS_RR_TYPE_DS))
		return false;
	return qtype == LDNS_RR_TYPE_DS ?
	    strictly_under(qname, ldns_rr_owner(n)) :
	    hy_dnssec_name_under(qname, ldns_rr_owner(n));
}

/* For DS: the matching record shows a delegation without DS (NODATA), no
 * delegation at all (NO_CUT), or is the child's or a lie (NONE). */
static enum hy_denial
nsec_no_ds(const ldns_rr *n, const ldns_rdf *qname)
{
	if ((nsec_has(n, LDNS_RR_TYPE_SOA) && labels(qname) > 0) ||
	    nsec_has(n, LDNS_RR_TYPE_DS))
		return HY_DENIAL_NONE;
	return nsec_has(n, LDNS_RR_TYPE_NS) ? HY_DENIAL_NODATA :
	    HY_DENIAL_NO_CUT;
}

/* NODATA (or, for DS, the outcomes of nsec_no_ds) from NSEC records. */
static enum hy_denial
nsec_prove_nodata(const ldns_rdf *qname, ldns_rr_type qtype,
    const ldns_rr_list *l, bool *oom)
{
	ldns_rdf *wc = NULL, *ce = NULL;
	const ldns_rr *wc_nsec = NULL;
	enum hy_denial d = HY_DENIAL_NONE;
	bool valid = false;

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *n = ldns_rr_list_rr(l, i);

		if (ldns_rr_get_type(n) != LDNS_RR_TYPE_NSEC)
			continue;
		if (qtype == LDNS_RR_TYPE_DS &&
		    ldns_dname_compare(ldns_rr_owner(n), qname) == 0) {
			d = nsec_no_ds(n, qname);
			goto out;
		}
		if (qtype != LDNS_RR_TYPE_DS &&
		    nsec_insecure_cut(n, qname, qtype)) {
			d = HY_DENIAL_DELEGATION;
			goto out;
		}
		if (nsec_nodata(n, qname, qtype, &wc, oom)) {
			valid = true;
			if (wc != NULL && ldns_dname_is_wildcard(ldns_rr_owner(n)))
				wc_nsec = n;
		}
		if (nsec_name_error(n, qname)) {
			ldns_rdf_deep_free(ce);
			ce = nsec_closest_encloser(qname, n, oom);
		}
	}
	/* A wildcard NODATA needs the wildcard at the proven closest
	 * encloser (RFC 4035 §3.1.3.4). */
	if (wc != NULL && (ce == NULL || ldns_dname_compare(wc, ce) != 0))
		valid = false;
	if (valid && qtype == LDNS_RR_TYPE_DS)
		d = wc == NULL ? HY_DENIAL_NO_CUT : wc_nsec != NULL ?
		    nsec_no_ds(wc_nsec, qname) : HY_DENIAL_NONE;
	else if (valid)
		d = HY_DENIAL_NODATA;
out:
	ldns_rdf_deep_free(wc);
	ldns_rdf_deep_free(ce);
	return d;
}

/* NXDOMAIN from NSEC records: qname and the wildcard at its closest
 * encloser (the longest any record shows) do not exist. */
static enum hy_denial
nsec_prove_nxdomain(const ldns_rdf *qname, ldns_rr_type qtype,
    const ldns_rr_list *l, bool *oom)
{
	bool name = false, wild = false;
	unsigned prev = 0;

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *n = ldns_rr_list_rr(l, i);
		ldns_rdf *ce;
		unsigned lc;

		if (ldns_rr_get_type(n) != LDNS_RR_TYPE_NSEC)
			continue;
		if (nsec_insecure_cut(n, qname, qtype))
			return HY_DENIAL_DELEGATION;
		if (nsec_name_error(n, qname))
			name = true;
		if ((ce = nsec_closest_encloser(qname, n, oom)) == NULL)
			continue;
		lc = labels(ce);
		ldns_rdf_deep_free(ce);
		if (lc > prev || (lc == prev && !wild))
			wild = nsec_no_wildcard(n, qname, oom);
		prev = lc;
	}
	return name && wild ? HY_DENIAL_NXDOMAIN : HY_DENIAL_NONE;
}

/* ---- NSEC3 (RFC 5155 §8) ---- */

#define N3_HASH_MAX	112	/* base32hex of up to 69 octets, and NUL */

/* Records a validator may use: SHA-1 and no flags but opt-out (§8.1,
 * §8.2), owned directly below zone. */
static bool
n3_usable(const ldns_rr *r, const ldns_rdf *zone)
{
	const ldns_rdf *o = ldns_rr_owner(r);

	return ldns_rr_get_type(r) == LDNS_RR_TYPE_NSEC3 &&
	    ldns_rr_rd_count(r) >= 5 && ldns_nsec3_algorithm(r) == 1 &&
	    (ldns_nsec3_flags(r) & ~LDNS_NSEC3_VARS_OPTOUT_MASK) == 0 &&
	    labels(o) == labels(zone) + 1 && hy_dnssec_name_under(o, zone) &&
	    ldns_rdf_data(o)[0] < N3_HASH_MAX;
}

static void
lower_copy(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (char)(src[i] >= 'A' && src[i] <= 'Z' ?
		    src[i] + ('a' - 'A') : src[i]);
	dst[n] = '\0';
}

/* The base32hex hash of name with r's parameters, lower case (RFC 5155
 * §5; not ldns_nsec3_hash_name(), which asserts when out of memory). */
static bool
n3_hash(const ldns_rr *r, const ldns_rdf *name, char *buf, bool *oom)
{
	const ldns_rdf *salt = ldns_rr_rdf(r, 3);
	uint8_t in[LDNS_MAX_DOMAINLEN + 1 + 255 + EVP_MAX_MD_SIZE];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	size_t n = ldns_rdf_size(name), slen;
	unsigned iter = ldns_nsec3_iterations(r);
	const uint8_t *d = ldns_rdf_data(name);

	if (salt == NULL || ldns_rdf_size(salt) < 1 || n > LDNS_MAX_DOMAINLEN ||
	    (slen = ldns_rdf_data(salt)[0]) + 1 > ldns_rdf_size(salt))
		return false;
	for (size_t i = 0; i < n; i++)
		in[i] = d[i] >= 'A' && d[i] <= 'Z' ? d[i] + ('a' - 'A') : d[i];
	memcpy(in + n, ldns_rdf_data(salt) + 1, slen);
	for (unsigned k = 0; k <= iter; k++) {
		if (EVP_Digest(in, n + slen, md, &mdlen, EVP_sha1(), NULL) != 1) {
			*oom = true;
			return false;
		}
		memcpy(in, md, mdlen);
		memcpy(in + mdlen, ldns_rdf_data(salt) + 1, slen);
		n = mdlen;
	}
	if (ldns_b32_ntop_extended_hex(md, mdlen, buf, N3_HASH_MAX) < 0)
		return false;
	lower_copy(buf, (const uint8_t *)buf, strlen(buf));
	return true;
}

/* The hashed owner and the next hashed owner of r, lower case. */
static bool
n3_span(const ldns_rr *r, char *own, char *next)
{
	const ldns_rdf *nx = ldns_rr_rdf(r, 4);
	const uint8_t *o = ldns_rdf_data(ldns_rr_owner(r));
	int n;

	lower_copy(own, o + 1, o[0]);
	if (nx == NULL || ldns_rdf_size(nx) < 1 ||
	    (size_t)ldns_rdf_data(nx)[0] + 1 > ldns_rdf_size(nx))
		return false;
	n = ldns_b32_ntop_extended_hex(ldns_rdf_data(nx) + 1,
	    ldns_rdf_data(nx)[0], next, N3_HASH_MAX);
	if (n < 0)
		return false;
	lower_copy(next, (const uint8_t *)next, (size_t)n);
	return strlen(own) == strlen(next);
}

/* The usable NSEC3 that matches (cover false) or covers name. */
static const ldns_rr *
n3_find(const ldns_rr_list *l, const ldns_rdf *name, const ldns_rdf *zone,
    bool cover, bool *oom)
{
	char h[N3_HASH_MAX], own[N3_HASH_MAX], next[N3_HASH_MAX];

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *r = ldns_rr_list_rr(l, i);
		int lo, hi;

		if (!n3_usable(r, zone) || !n3_span(r, own, next) ||
		    !n3_hash(r, name, h, oom) || strlen(h) != strlen(own))
			continue;
		if (!cover) {
			if (strcmp(h, own) == 0)
				return r;
			continue;
		}
		lo = strcmp(own, h);
		hi = strcmp(h, next);
		if (strcmp(own, next) < 0 ? lo < 0 && hi < 0 :
		    lo < 0 || hi < 0)	/* the last one wraps */
			return r;
	}
	return NULL;
}

enum ce_result { CE_BOGUS, CE_PROVEN, CE_INSECURE };

/*
 * The closest encloser proof (§8.3): the longest ancestor of qname with
 * a matching NSEC3 is *ce, and an NSEC3 covers the next closer name
 * (*nc). The encloser may not be a delegation (then the answer should
 * have been a referral; an insecure one makes the name insecure) nor a
 * DNAME. qname itself must not match.
 */
static enum ce_result
n3_closest_encloser(const ldns_rr_list *l, const ldns_rdf *qname,
    const ldns_rdf *zone, ldns_rdf **ce, const ldns_rr **nc, bool *oom)
{
	ldns_rdf *nm = clone_name(qname, oom), *p, *next = NULL;
	const ldns_rr *m = NULL;
	enum ce_result res = CE_BOGUS;

	*ce = NULL;
	*nc = NULL;
	while (nm != NULL && hy_dnssec_name_under(nm, zone)) {
		if ((m = n3_find(l, nm, zone, false, oom)) != NULL)
			break;
		p = chop(nm, oom);
		ldns_rdf_deep_free(next);
		next = nm;
		nm = p;
	}
	if (m == NULL || next == NULL)	/* none, or qname matched */
		goto out;
	if (nsec_cut(m)) {
		res = nsec_has(m, LDNS_RR_TYPE_DS) ? CE_BOGUS : CE_INSECURE;
		goto out;
	}
	if (nsec_has(m, LDNS_RR_TYPE_DNAME) ||
	    (*nc = n3_find(l, next, zone, true, oom)) == NULL)
		goto out;
	res = CE_PROVEN;
out:
	if (res != CE_BOGUS) {
		*ce = nm;
		nm = NULL;
	}
	ldns_rdf_deep_free(nm);
	ldns_rdf_deep_free(next);
	return res;
}

/* The wildcard at the closest encloser matches: NODATA unless it has
 * qtype, a CNAME, or is a delegation. */
static enum hy_denial
n3_wildcard_nodata(const ldns_rr *w, ldns_rr_type qtype, const ldns_rr *nc)
{
	if (nsec_has(w, qtype) || nsec_has(w, LDNS_RR_TYPE_CNAME) ||
	    nsec_cut(w))
		return HY_DENIAL_NONE;
	return nc != NULL && ldns_nsec3_optout(nc) ? HY_DENIAL_OPTOUT :
	    HY_DENIAL_NODATA;
}

static enum hy_denial
n3_prove_nodata(const ldns_rr_list *l, const ldns_rdf *qname,
    ldns_rr_type qtype, const ldns_rdf *zone, bool *oom)
{
	const ldns_rr *m, *nc, *w;
	ldns_rdf *ce = NULL, *wc = NULL;
	enum hy_denial d = HY_DENIAL_NONE;
	enum ce_result r;

	if ((m = n3_find(l, qname, zone, false, oom)) != NULL) {
		if (nsec_has(m, qtype) || nsec_has(m, LDNS_RR_TYPE_CNAME))
			return HY_DENIAL_NONE;
		if (qtype == LDNS_RR_TYPE_DS)
			return nsec_no_ds(m, qname);
		if (nsec_cut(m))
			return nsec_has(m, LDNS_RR_TYPE_DS) ? HY_DENIAL_NONE :
			    HY_DENIAL_DELEGATION;
		return HY_DENIAL_NODATA;
	}
	r = n3_closest_encloser(l, qname, zone, &ce, &nc, oom);
	if (r == CE_BOGUS || (r == CE_INSECURE && qtype == LDNS_RR_TYPE_DS))
		goto out;
	if (r == CE_INSECURE) {
		d = HY_DENIAL_DELEGATION;
		goto out;
	}
	/* For DS only the opt-out case is left (§8.6). */
	if (qtype != LDNS_RR_TYPE_DS && (wc = wildcard_of(ce, oom)) != NULL &&
	    (w = n3_find(l, wc, zone, false, oom)) != NULL) {
		d = n3_wildcard_nodata(w, qtype, nc);
		goto out;
	}
	/* §8.6, §9.2: an opt-out span may hide an unsigned delegation. */
	if (nc != NULL && ldns_nsec3_optout(nc))
		d = HY_DENIAL_OPTOUT;
out:
	ldns_rdf_deep_free(ce);
	ldns_rdf_deep_free(wc);
	return d;
}

static enum hy_denial
n3_prove_nxdomain(const ldns_rr_list *l, const ldns_rdf *qname,
    const ldns_rdf *zone, bool *oom)
{
	const ldns_rr *nc;
	ldns_rdf *ce = NULL, *wc = NULL;
	enum hy_denial d = HY_DENIAL_NONE;
	enum ce_result r;

	r = n3_closest_encloser(l, qname, zone, &ce, &nc, oom);
	if (r == CE_INSECURE)
		d = HY_DENIAL_DELEGATION;
	else if (r == CE_PROVEN && (wc = wildcard_of(ce, oom)) != NULL &&
	    n3_find(l, wc, zone, true, oom) != NULL)
		d = ldns_nsec3_optout(nc) ? HY_DENIAL_OPTOUT :
		    HY_DENIAL_NXDOMAIN;
	ldns_rdf_deep_free(ce);
	ldns_rdf_deep_free(wc);
	return d;
}

/* RFC 9276 §3.2: validators may treat costly NSEC3 as insecure. */
static bool
n3_too_costly(const ldns_rr_list *l, const ldns_rdf *zone)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		if (n3_usable(ldns_rr_list_rr(l, i), zone) &&
		    ldns_nsec3_iterations(ldns_rr_list_rr(l, i)) >
		    HY_NSEC3_MAX_ITERATIONS)
			return true;
	return false;
}

static bool
any_of(const ldns_rr_list *l, ldns_rr_type t)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(l, i)) == t)
			return true;
	return false;
}

enum hy_denial
hy_dnssec_denial(const ldns_rdf *qname, ldns_rr_type qtype, bool nxdomain,
    const ldns_rr_list *nsecs, const ldns_rdf *zone)
{
	enum hy_denial d = HY_DENIAL_NONE;
	bool oom = false, nx = nxdomain && qtype != LDNS_RR_TYPE_DS;
	ldns_rdf *q;

	if (nsecs == NULL || qname == NULL || zone == NULL ||
	    !hy_dnssec_name_under(qname, zone) ||
	    (qtype == LDNS_RR_TYPE_DS && !strictly_under(qname, zone)))
		return HY_DENIAL_NONE;
	if ((q = ldns_rdf_clone(qname)) == NULL)
		return HY_DENIAL_ERROR;
	ldns_dname2canonical(q);
	if (nx)
		d = nsec_prove_nxdomain(q, qtype, nsecs, &oom);
	/* For NSEC, a name error that proves NODATA counts as NODATA
	 * (unbound is lenient with such rcodes); not for NSEC3. */
	if (d == HY_DENIAL_NONE && (!nx || !any_of(nsecs, LDNS_RR_TYPE_NSEC3)))
		d = nsec_prove_nodata(q, qtype, nsecs, &oom);
	if (d == HY_DENIAL_NONE && any_of(nsecs, LDNS_RR_TYPE_NSEC3)) {
		if (n3_too_costly(nsecs, zone))
			d = HY_DENIAL_INSECURE;
		else if (nx)
			d = n3_prove_nxdomain(nsecs, q, zone, &oom);
		else
			d = n3_prove_nodata(nsecs, q, qtype, zone, &oom);
	}
	ldns_rdf_deep_free(q);
	return oom ? HY_DENIAL_ERROR : d;
}

enum hy_denial
hy_dnssec_wildcard_proof(const ldns_rdf *qname, unsigned nlabels,
    const ldns_rr_list *nsecs, const ldns_rdf *zone)
{
	ldns_rdf *q, *wce = NULL, *nc = NULL, *p;
	enum hy_denial d = HY_DENIAL_NONE;
	const ldns_rr *cover;
	bool oom = false;

	if ((q = ldns_rdf_clone(qname)) == NULL)
		return HY_DENIAL_ERROR;
	ldns_dname2canonical(q);
	/* The wildcard's closest encloser: the rightmost nlabels labels;
	 * the next closer name one label longer (RFC 5155 §8.8). */
	wce = clone_name(q, &oom);
	while (wce != NULL && labels(wce) > nlabels) {
		p = chop(wce, &oom);
		ldns_rdf_deep_free(nc);
		nc = wce;
		wce = p;
	}
	if (wce == NULL || nc == NULL)
		goto out;
	/* RFC 4035 §5.3.4: an NSEC proves that qname does not exist and
	 * that its closest encloser is the wildcard's. */
	for (size_t i = 0; i < ldns_rr_list_rr_count(nsecs) && d == 0; i++) {
		const ldns_rr *n = ldns_rr_list_rr(nsecs, i);
		ldns_rdf *ce;

		if (ldns_rr_get_type(n) != LDNS_RR_TYPE_NSEC ||
		    !nsec_name_error(n, q))
			continue;
		ce = nsec_closest_encloser(q, n, &oom);
		if (ce != NULL && ldns_dname_compare(ce, wce) == 0)
			d = HY_DENIAL_NXDOMAIN;
		ldns_rdf_deep_free(ce);
	}
	if (d != HY_DENIAL_NONE || !any_of(nsecs, LDNS_RR_TYPE_NSEC3))
		goto out;
	if (n3_too_costly(nsecs, zone))
		d = HY_DENIAL_INSECURE;
	else if ((cover = n3_find(nsecs, nc, zone, true, &oom)) != NULL)
		d = ldns_nsec3_optout(cover) ? HY_DENIAL_OPTOUT :
		    HY_DENIAL_NXDOMAIN;
out:
	ldns_rdf_deep_free(q);
	ldns_rdf_deep_free(wce);
	ldns_rdf_deep_free(nc);
	return oom ? HY_DENIAL_ERROR : d;
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
