/*
 * Published DNSSEC test vectors, checked with the probe's own crypto
 * helpers at the vectors' fixed validation times:
 *   RFC 4034 §5.4 (DS), RFC 6605 §6.1/§6.2 (ECDSA P-256/P-384),
 *   RFC 8080 §6.1 with erratum 4935 (Ed25519), RFC 5155 Appendix A
 *   (NSEC3 hashes), and the IANA root anchors' digests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dnssec.h"

static ldns_rr *
rr(const char *s)
{
	ldns_rr *r = NULL;

	assert_int_equal(ldns_rr_new_frm_str(&r, s, 3600, NULL, NULL),
	    LDNS_STATUS_OK);
	ldns_rr2canonical(r);
	return r;
}

static ldns_rr_list *
list1(const char *s)
{
	ldns_rr_list *l = ldns_rr_list_new();

	ldns_rr_list_push_rr(l, rr(s));
	return l;
}

static time_t
ts(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	assert_non_null(strptime(s, "%Y%m%d%H%M%S", &tm));
	return timegm(&tm);
}

/* One RRset, one signing key, one RRSIG: valid inside the window, and
 * classified right outside it and with a flipped bit. With cache, the
 * parsed key is made by the first check and reused by the others. */
static void
check_sig_with(const char *key, const char *data, const char *sig,
    const char *signer, time_t inside, time_t before, time_t after,
    bool cache)
{
	ldns_rr_list *keys = list1(key), *set = list1(data), *sigs = list1(sig);
	ldns_rdf *sgn = ldns_dname_new_frm_str(signer);
	ldns_rr *s = ldns_rr_list_rr(sigs, 0);
	struct hy_dnssec_pkeys *pk = cache ? hy_dnssec_pkeys_new(keys) : NULL;
	struct hy_sig_valid sv = { 0, 0 };
	ldns_rdf *b;

	assert_true(!cache || pk != NULL);
	assert_int_equal(hy_dnssec_verify_rrset(set, sigs, keys, pk, sgn,
	    inside, &sv), HY_SIG_VALID);
	assert_true(sv.expires > inside);
	/* The Labels field comes back from the same verification. */
	assert_int_equal(sv.labels,
	    ldns_rdf2native_int8(ldns_rr_rrsig_labels(s)));
	assert_int_equal(hy_dnssec_verify_rrset(set, sigs, keys, pk, sgn,
	    after, NULL), HY_SIG_EXPIRED);
	assert_int_equal(hy_dnssec_verify_rrset(set, sigs, keys, pk, sgn,
	    before, NULL), HY_SIG_NOT_YET);
	/* A record altered after signing. */
	b = ldns_rr_rdf(s, 8);
	ldns_rdf_data(b)[ldns_rdf_size(b) / 2] ^= 0x01;
	assert_int_equal(hy_dnssec_verify_rrset(set, sigs, keys, pk, sgn,
	    inside, NULL), HY_SIG_INVALID);
	/* Another signer's signature is not considered at all. */
	ldns_rdf_deep_free(sgn);
	sgn = ldns_dname_new_frm_str("other.example.");
	assert_int_equal(hy_dnssec_verify_rrset(set, sigs, keys, pk, sgn,
	    inside, NULL), HY_SIG_MISSING);
	hy_dnssec_pkeys_free(pk);
	ldns_rdf_deep_free(sgn);
	ldns_rr_list_deep_free(keys);
	ldns_rr_list_deep_free(set);
	ldns_rr_list_deep_free(sigs);
}

static void
check_sig(const char *key, const char *data, const char *sig,
    const char *signer, time_t inside, time_t before, time_t after)
{
	check_sig_with(key, data, sig, signer, inside, before, after, false);
	check_sig_with(key, data, sig, signer, inside, before, after, true);
}

static void
check_ds(const char *key, const char *ds, unsigned tag)
{
	ldns_rr *k = rr(key), *d = rr(ds);

	assert_int_equal(ldns_calc_keytag(k), tag);
	assert_true(hy_dnssec_ds_matches(d, k));
	/* One flipped digest bit: no match. */
	ldns_rdf_data(ldns_rr_rdf(d, 3))[0] ^= 0x80;
	assert_false(hy_dnssec_ds_matches(d, k));
	ldns_rr_free(k);
	ldns_rr_free(d);
}

#define RFC4034_KEY "dskey.example.com. 86400 IN DNSKEY 256 3 5 " \
	"AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMz" \
	"NXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJ" \
	"BjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw=="

static void
test_rfc4034_ds(void **state)
{
	(void)state;
	check_ds(RFC4034_KEY, "dskey.example.com. 86400 IN DS 60485 5 1 "
	    "2BB183AF5F22588179A53B0A98631FAD1A292118", 60485);
}

#define P256_KEY "example.net. 3600 IN DNSKEY 257 3 13 " \
	"GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edb" \
	"krSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA=="
#define P384_KEY "example.net. 3600 IN DNSKEY 257 3 14 " \
	"xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/eg" \
	"sXvSADtNJhyem5RCOpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40"

static void
test_rfc6605_p256(void **state)
{
	(void)state;
	check_ds(P256_KEY, "example.net. 3600 IN DS 55648 13 2 "
	    "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17",
	    55648);
	check_sig(P256_KEY, "www.example.net. 3600 IN A 192.0.2.1",
	    "www.example.net. 3600 IN RRSIG A 13 3 3600 20100909100439 "
	    "20100812100439 55648 example.net. "
	    "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXA"
	    "yGmt+3SNruPFKG7tZoLBLlUzGGus7ZwmwWep666VCw==",
	    "example.net.", ts("20100820000000"), ts("20100801000000"),
	    ts("20101001000000"));
}

static void
test_rfc6605_p384(void **state)
{
	(void)state;
	check_ds(P384_KEY, "example.net. 3600 IN DS 10771 14 4 "
	    "72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9"
	    "495f27e305c6a9b0563a9b5f4d288405c3008a946df983d6", 10771);
	check_sig(P384_KEY, "www.example.net. 3600 IN A 192.0.2.1",
	    "www.example.net. 3600 IN RRSIG A 14 3 3600 20100909102025 "
	    "20100812102025 10771 example.net. "
	    "/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP"
	    "95hxQouuroGCeZOvzFaxsT8Glr74hbavRKayJNuydCuz"
	    "WTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm",
	    "example.net.", ts("20100820000000"), ts("20100801000000"),
	    ts("20101001000000"));
}

#define ED1_KEY "example.com. 3600 IN DNSKEY 257 3 15 " \
	"l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="
#define ED2_KEY "example.com. 3600 IN DNSKEY 257 3 15 " \
	"zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs="
#define ED_MX "example.com. 3600 IN MX 10 mail.example.com."

/* RFC 8080 §6.1 as corrected by erratum 4935: the published RRSIGs had
 * Labels 3 and signatures over that; the corrected ones have Labels 2. */
static void
test_rfc8080_ed25519(void **state)
{
	ldns_rr_list *keys = list1(ED1_KEY), *set = list1(ED_MX), *sigs;
	ldns_rdf *signer = ldns_dname_new_frm_str("example.com.");

	(void)state;
	check_ds(ED1_KEY, "example.com. 3600 IN DS 3613 15 2 "
	    "3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b",
	    3613);
	check_ds(ED2_KEY, "example.com. 3600 IN DS 35217 15 2 "
	    "401781b934e392de492ec77ae2e15d70f6575a1c0bc59c5275c04ebe80c6614c",
	    35217);
	check_sig(ED1_KEY, ED_MX,
	    "example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 "
	    "3613 example.com. oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeR"
	    "AvTdszaPD+QLs3fx8A4M3e23mRZ9VrbpMngwcrqNAg==",
	    "example.com.", 1439000000, 1438000000, 1441000000);
	check_sig(ED2_KEY, ED_MX,
	    "example.com. 3600 IN RRSIG MX 15 2 3600 1440021600 1438207200 "
	    "35217 example.com. zXQ0bkYgQTEFyfLyi9QoiY6D8ZdYo4wyUhVioYZXFdT4"
	    "10QPRITQSqJSnzQoSm5poJ7gD7AQR0O7KuI5k2pcBg==",
	    "example.com.", 1439000000, 1438000000, 1441000000);
	/* The uncorrected RFC text (Labels 3) must not validate. */
	sigs = list1("example.com. 3600 IN RRSIG MX 15 3 3600 1440021600 "
	    "1438207200 3613 example.com. "
	    "Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+ey"
	    "sqcUOMIjWoevFkjH5GaMWeG96GUVZu6ECKOQmemHDg==");
	assert_int_equal(hy_dnssec_verify_rrset(set, sigs, keys, NULL, signer,
	    1439000000, NULL), HY_SIG_INVALID);
	ldns_rr_list_deep_free(sigs);
	ldns_rr_list_deep_free(keys);
	ldns_rr_list_deep_free(set);
	ldns_rdf_deep_free(signer);
}

static void
test_rfc5155_hashes(void **state)
{
	static const char *const v[][2] = {
		{ "example.", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" },
		{ "a.example.", "35mthgpgcu1qg68fab165klnsnk3dpvl" },
		{ "ai.example.", "gjeqe526plbf1g8mklp59enfd789njgi" },
		{ "ns1.example.", "2t7b4g4vsa5smi47k61mv5bv1a22bojr" },
		{ "ns2.example.", "q04jkcevqvmu85r014c7dkba38o0ji5r" },
		{ "w.example.", "k8udemvp1j2f7eg6jebps17vp3n8i58h" },
		{ "*.w.example.", "r53bq7cc2uvmubfu5ocmm6pers9tk9en" },
		{ "x.w.example.", "b4um86eghhds6nea196smvmlo4ors995" },
		{ "y.w.example.", "ji6neoaepv8b5o6k4ev33abha8ht9fgc" },
		{ "x.y.w.example.", "2vptu5timamqttgl4luu9kg21e0aor3s" },
		{ "xx.example.", "t644ebqk9bibcna874givr6joj62mlhv" },
	};
	static const uint8_t salt[] = { 0xaa, 0xbb, 0xcc, 0xdd };

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ldns_rdf *n = ldns_dname_new_frm_str(v[i][0]), *h;
		char *s;

		h = ldns_nsec3_hash_name(n, 1, 12, sizeof(salt), salt);
		assert_non_null(h);
		s = ldns_rdf2str(h);
		assert_non_null(s);
		/* ldns prints the hashed label as a name: "hash." */
		assert_int_equal(strncasecmp(s, v[i][1], 32), 0);
		assert_string_equal(s + 32, ".");
		free(s);
		ldns_rdf_deep_free(h);
		ldns_rdf_deep_free(n);
	}
}

/*
 * Denial proofs over the RFC 5155 Appendix A example zone's NSEC3 chain
 * (salt aabbccdd, 12 iterations; the hashes are the RFC's; the type
 * bitmaps follow its zone: a.example is a signed delegation, c.example an
 * opt-out one, w.example an empty non-terminal).
 */
static const char *const n3_chain[][2] = {
	{ "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "NS SOA MX RRSIG DNSKEY NSEC3PARAM" },
	{ "2t7b4g4vsa5smi47k61mv5bv1a22bojr", "A RRSIG" },
	{ "2vptu5timamqttgl4luu9kg21e0aor3s", "MX RRSIG" },
	{ "35mthgpgcu1qg68fab165klnsnk3dpvl", "NS DS RRSIG" },
	{ "b4um86eghhds6nea196smvmlo4ors995", "MX RRSIG" },
	{ "gjeqe526plbf1g8mklp59enfd789njgi", "A HINFO AAAA RRSIG" },
	{ "ji6neoaepv8b5o6k4ev33abha8ht9fgc", "" },
	{ "k8udemvp1j2f7eg6jebps17vp3n8i58h", "" },
	{ "kohar7mbb8dc2ce8a9qvl8hon4k53uhi", "A RRSIG" },
	{ "q04jkcevqvmu85r014c7dkba38o0ji5r", "A RRSIG" },
	{ "r53bq7cc2uvmubfu5ocmm6pers9tk9en", "MX RRSIG" },
	{ "t644ebqk9bibcna874givr6joj62mlhv", "A HINFO AAAA RRSIG" },
};
#define N3_LEN (sizeof(n3_chain) / sizeof(n3_chain[0]))

/* The chain, without entry skip (or none with N3_LEN), with the given
 * flags and iterations. */
static ldns_rr_list *
n3_list(size_t skip, unsigned flags, unsigned iter)
{
	ldns_rr_list *l = ldns_rr_list_new();
	char buf[300];

	for (size_t i = 0; i < N3_LEN; i++) {
		if (i == skip)
			continue;
		snprintf(buf, sizeof(buf), "%s.example. 3600 IN NSEC3 1 %u %u "
		    "aabbccdd %s %s", n3_chain[i][0], flags, iter,
		    n3_chain[(i + 1) % N3_LEN][0], n3_chain[i][1]);
		ldns_rr_list_push_rr(l, rr(buf));
	}
	return l;
}

/* nx: the answer's rcode is NXDOMAIN. */
static enum hy_denial
denial_rc(const ldns_rr_list *l, const char *q, ldns_rr_type t, bool nx)
{
	ldns_rdf *qn = ldns_dname_new_frm_str(q);
	ldns_rdf *zn = ldns_dname_new_frm_str("example.");
	enum hy_denial d = hy_dnssec_denial(qn, t, nx, l, zn);

	ldns_rdf_deep_free(qn);
	ldns_rdf_deep_free(zn);
	return d;
}

static enum hy_denial
denial(const ldns_rr_list *l, const char *q, ldns_rr_type t)
{
	return denial_rc(l, q, t, false);
}

static enum hy_denial
nxdomain(const ldns_rr_list *l, const char *q, ldns_rr_type t)
{
	return denial_rc(l, q, t, true);
}

/* Index of the chain entry covering (or matching) name's hash. */
static size_t
n3_covering(const ldns_rr_list *l, const char *name)
{
	ldns_rdf *n = ldns_dname_new_frm_str(name), *z, *h;
	size_t found = N3_LEN;

	z = ldns_dname_new_frm_str("example.");
	h = ldns_nsec3_hash_name_frm_nsec3(ldns_rr_list_rr(l, 0), n);
	ldns_rdf *full = ldns_dname_cat_clone(h, z);

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++)
		if (ldns_nsec_covers_name(ldns_rr_list_rr(l, i), full))
			found = i;
	ldns_rdf_deep_free(full);
	ldns_rdf_deep_free(h);
	ldns_rdf_deep_free(z);
	ldns_rdf_deep_free(n);
	return found;
}

static void
test_rfc5155_denials(void **state)
{
	ldns_rr_list *l = n3_list(N3_LEN, 0, 12), *part, *opt, *heavy;
	size_t nc, wc;

	(void)state;
	/* NODATA from the matching NSEC3; an existing type proves nothing. */
	assert_int_equal(denial(l, "ns1.example.", LDNS_RR_TYPE_MX),
	    HY_DENIAL_NODATA);
	assert_int_equal(denial(l, "ns1.example.", LDNS_RR_TYPE_A),
	    HY_DENIAL_NONE);
	/* The empty non-terminal w.example exists without data. */
	assert_int_equal(denial(l, "w.example.", LDNS_RR_TYPE_TXT),
	    HY_DENIAL_NODATA);
	/* DS: only the parent side of a delegation without DS counts; a
	 * name that is no delegation has no zone below it. */
	assert_int_equal(denial(l, "a.example.", LDNS_RR_TYPE_DS),
	    HY_DENIAL_NONE);
	assert_int_equal(denial(l, "ns1.example.", LDNS_RR_TYPE_DS),
	    HY_DENIAL_NO_CUT);
	assert_int_equal(denial(l, "example.", LDNS_RR_TYPE_DS),
	    HY_DENIAL_NONE);
	/* Name error (RFC 5155 B.1): closest encloser x.w.example, next
	 * closer c.x.w.example and the wildcard *.x.w.example covered. */
	assert_int_equal(nxdomain(l, "a.c.x.w.example.", LDNS_RR_TYPE_A),
	    HY_DENIAL_NXDOMAIN);
	/* Each part of the proof is needed. */
	nc = n3_covering(l, "c.x.w.example.");
	wc = n3_covering(l, "*.x.w.example.");
	assert_true(nc < N3_LEN && wc < N3_LEN && nc != wc);
	part = n3_list(nc, 0, 12);
	assert_int_equal(nxdomain(part, "a.c.x.w.example.", LDNS_RR_TYPE_A),
	    HY_DENIAL_NONE);
	ldns_rr_list_deep_free(part);
	part = n3_list(wc, 0, 12);
	assert_int_equal(nxdomain(part, "a.c.x.w.example.", LDNS_RR_TYPE_A),
	    HY_DENIAL_NONE);
	ldns_rr_list_deep_free(part);
	/* Opt-out: an unsigned delegation such as c.example may hide in a
	 * span; its DS is "insecure", not proven absent (RFC 5155 B.3). */
	opt = n3_list(N3_LEN, 1, 12);
	assert_int_equal(denial(opt, "c.example.", LDNS_RR_TYPE_DS),
	    HY_DENIAL_OPTOUT);
	/* Without opt-out the same records say c.example does not exist,
	 * which proves no delegation without DS there. */
	assert_int_equal(denial(l, "c.example.", LDNS_RR_TYPE_DS),
	    HY_DENIAL_NONE);
	/* RFC 9276 §3.2: too many iterations to be worth checking. */
	heavy = n3_list(N3_LEN, 0, HY_NSEC3_MAX_ITERATIONS + 1);
	assert_int_equal(denial(heavy, "ns1.example.", LDNS_RR_TYPE_MX),
	    HY_DENIAL_INSECURE);
	ldns_rr_list_deep_free(opt);
	ldns_rr_list_deep_free(heavy);
	ldns_rr_list_deep_free(l);
}

/* RFC 5155 B.4: a.z.w.example MX synthesised from *.w.example (RRSIG
 * Labels 2) is only secure with the next closer z.w.example covered;
 * B.5: a TXT at the same name is wildcard NODATA. */
static void
test_rfc5155_wildcard(void **state)
{
	ldns_rr_list *l = n3_list(N3_LEN, 0, 12), *part;
	ldns_rdf *q = ldns_dname_new_frm_str("a.z.w.example.");
	ldns_rdf *z = ldns_dname_new_frm_str("example.");
	size_t nc;

	(void)state;
	assert_int_equal(hy_dnssec_wildcard_proof(q, 2, l, z),
	    HY_DENIAL_NXDOMAIN);
	nc = n3_covering(l, "z.w.example.");
	assert_true(nc < N3_LEN);
	part = n3_list(nc, 0, 12);
	assert_int_equal(hy_dnssec_wildcard_proof(q, 2, part, z),
	    HY_DENIAL_NONE);
	assert_int_equal(denial(l, "a.z.w.example.", LDNS_RR_TYPE_TXT),
	    HY_DENIAL_NODATA);
	assert_int_equal(denial(l, "a.z.w.example.", LDNS_RR_TYPE_MX),
	    HY_DENIAL_NONE);
	ldns_rr_list_deep_free(part);
	ldns_rr_list_deep_free(l);
	ldns_rdf_deep_free(q);
	ldns_rdf_deep_free(z);
}

/* RFC 5155 §8.3 (issue 11): an NSEC3 closest encloser may not be a
 * delegation, and the parent's NSEC3 at a delegation says nothing about
 * other types there. In the appendix chain a.example is a signed
 * delegation (NS DS). */
static void
test_rfc5155_delegation(void **state)
{
	ldns_rr_list *l = n3_list(N3_LEN, 0, 12);

	(void)state;
	/* The chain covers every hash: without the rule these are proofs. */
	assert_int_equal(nxdomain(l, "x.a.example.", LDNS_RR_TYPE_A),
	    HY_DENIAL_NONE);
	assert_int_equal(denial(l, "x.a.example.", LDNS_RR_TYPE_TXT),
	    HY_DENIAL_NONE);
	assert_int_equal(denial(l, "a.example.", LDNS_RR_TYPE_TXT),
	    HY_DENIAL_NONE);
	assert_int_equal(denial(l, "a.example.", LDNS_RR_TYPE_SOA),
	    HY_DENIAL_NONE);
	ldns_rr_list_deep_free(l);
}

/*
 * A small NSEC chain of example.: a signed delegation (sub, NS DS), an
 * unsigned one (ins, NS), a DNAME (dn), a wildcard *.w and a name x.w.
 */
static ldns_rr_list *
nsec_list(void)
{
	static const char *const recs[] = {
		"example. 60 IN NSEC dn.example. NS SOA RRSIG NSEC DNSKEY",
		"dn.example. 60 IN NSEC ins.example. DNAME RRSIG NSEC",
		"ins.example. 60 IN NSEC sub.example. NS RRSIG NSEC",
		"sub.example. 60 IN NSEC *.w.example. NS DS RRSIG NSEC",
		"*.w.example. 60 IN NSEC x.w.example. TXT RRSIG NSEC",
		"x.w.example. 60 IN NSEC example. A RRSIG NSEC",
	};
	ldns_rr_list *l = ldns_rr_list_new();

	for (size_t i = 0; i < sizeof(recs) / sizeof(recs[0]); i++)
		ldns_rr_list_push_rr(l, rr(recs[i]));
	return l;
}

/* RFC 4035 §5.4 and RFC 6840 §4.1 (issue 11 item 2). */
static void
test_nsec_cuts(void **state)
{
	ldns_rr_list *l = nsec_list();

	(void)state;
	/* A plain name error, for contrast: e.example and *.example. */
	assert_int_equal(nxdomain(l, "e.example.", LDNS_RR_TYPE_A),
	    HY_DENIAL_NXDOMAIN);
	/* The parent side of a signed delegation proves no DS... */
	assert_int_equal(denial(l, "sub.example.", LDNS_RR_TYPE_DS),
	    HY_DENIAL_NONE);	/* ...here it has one */
	assert_int_equal(denial(l, "ins.example.", LDNS_RR_TYPE_DS),
	    HY_DENIAL_NODATA);
	/* ...and nothing about the child's data. */
	assert_int_equal(denial(l, "sub.example.", LDNS_RR_TYPE_TXT),
	    HY_DENIAL_NONE);
	assert_int_equal(denial(l, "sub.example.", LDNS_RR_TYPE_SOA),
	    HY_DENIAL_NONE);
	/* Below an unsigned delegation everything is insecure. */
	assert_int_equal(denial(l, "ins.example.", LDNS_RR_TYPE_TXT),
	    HY_DENIAL_DELEGATION);
	assert_int_equal(nxdomain(l, "x.ins.example.", LDNS_RR_TYPE_A),
	    HY_DENIAL_DELEGATION);
	/* An NSEC at a delegation or DNAME proves no name error below it,
	 * although it covers the name. */
	assert_int_equal(nxdomain(l, "x.sub.example.", LDNS_RR_TYPE_A),
	    HY_DENIAL_NONE);
	assert_int_equal(nxdomain(l, "x.dn.example.", LDNS_RR_TYPE_A),
	    HY_DENIAL_NONE);
	ldns_rr_list_deep_free(l);
}

/* RFC 4035 §5.3.4: a wildcard answer's proof must show that the name's
 * closest encloser is the wildcard's (issue 11 item 2). */
static void
test_nsec_wildcard_encloser(void **state)
{
	ldns_rr_list *l = nsec_list();
	ldns_rdf *z = ldns_dname_new_frm_str("example.");
	ldns_rdf *a = ldns_dname_new_frm_str("a.w.example.");
	ldns_rdf *q = ldns_dname_new_frm_str("q.x.w.example.");

	(void)state;
	/* *.w.example (Labels 2) for a.w.example: proven. */
	assert_int_equal(hy_dnssec_wildcard_proof(a, 2, l, z),
	    HY_DENIAL_NXDOMAIN);
	/* For q.x.w.example the NSEC at x.w.example covers the name, but
	 * x.w.example exists: *.w.example cannot have made the answer. */
	assert_int_equal(hy_dnssec_wildcard_proof(q, 2, l, z),
	    HY_DENIAL_NONE);
	ldns_rdf_deep_free(z);
	ldns_rdf_deep_free(a);
	ldns_rdf_deep_free(q);
	ldns_rr_list_deep_free(l);
}

/* An ECDSA key and an RRSIG over one TXT RRset with the given window. */
static void
sign_window(uint32_t inception, uint32_t expiration, ldns_rr_list **keys,
    ldns_rr_list **set, ldns_rr_list **sigs)
{
	ldns_key *k = ldns_key_new_frm_algorithm(LDNS_SIGN_ECDSAP256SHA256,
	    256);
	ldns_key_list *kl = ldns_key_list_new();
	ldns_rr *pub;

	assert_non_null(k);
	ldns_key_set_pubkey_owner(k, ldns_dname_new_frm_str("example."));
	ldns_key_set_flags(k, 257);
	ldns_key_set_inception(k, inception);
	ldns_key_set_expiration(k, expiration);
	pub = ldns_key2rr(k);
	ldns_key_set_keytag(k, ldns_calc_keytag(pub));
	ldns_key_list_push_key(kl, k);
	*keys = ldns_rr_list_new();
	ldns_rr_list_push_rr(*keys, pub);
	*set = list1("example. 3600 IN TXT \"v=spf1 -all\"");
	assert_non_null(*sigs = ldns_sign_public(*set, kl));
	ldns_key_list_free(kl);
}

static enum hy_sig_verdict
verify_at(uint32_t inception, uint32_t expiration, time_t now)
{
	ldns_rr_list *keys, *set, *sigs;
	ldns_rdf *signer = ldns_dname_new_frm_str("example.");
	enum hy_sig_verdict v;

	sign_window(inception, expiration, &keys, &set, &sigs);
	v = hy_dnssec_verify_rrset(set, sigs, keys, NULL, signer, now, NULL);
	ldns_rdf_deep_free(signer);
	ldns_rr_list_deep_free(keys);
	ldns_rr_list_deep_free(set);
	ldns_rr_list_deep_free(sigs);
	return v;
}

/* Clock skew as unbound's val-sig-skew-min/max (issue 11 item 5): a
 * tenth of the validity period, at least an hour, at most a day, on
 * either side; an inception after the expiration never validates. */
static void
test_clock_skew(void **state)
{
	const uint32_t t = 1700000000, h = 3600, d = 86400;

	(void)state;
	/* 30 days: the allowance is the day at most. */
	assert_int_equal(verify_at(t - 30 * d, t - 30 * 60, t), HY_SIG_VALID);
	assert_int_equal(verify_at(t - 30 * d, t - 23 * h, t), HY_SIG_VALID);
	assert_int_equal(verify_at(t - 30 * d, t - 25 * h, t),
	    HY_SIG_EXPIRED);
	assert_int_equal(verify_at(t + 30 * 60, t + 30 * d, t), HY_SIG_VALID);
	assert_int_equal(verify_at(t + 25 * h, t + 30 * d, t),
	    HY_SIG_NOT_YET);
	/* 10 hours: a tenth is 1 hour, the minimum. */
	assert_int_equal(verify_at(t - 10 * h, t - 50 * 60, t), HY_SIG_VALID);
	assert_int_equal(verify_at(t - 10 * h, t - 70 * 60, t),
	    HY_SIG_EXPIRED);
	/* 5 days: a tenth is 12 hours. */
	assert_int_equal(verify_at(t - 5 * d - 11 * h, t - 11 * h, t),
	    HY_SIG_VALID);
	assert_int_equal(verify_at(t - 5 * d - 13 * h, t - 13 * h, t),
	    HY_SIG_EXPIRED);
	/* Inception after expiration, both within any allowance. */
	assert_int_equal(verify_at(t + 600, t - 600, t), HY_SIG_NOT_YET);
}

/* RFC 4034 §3.1.5: RRSIG times are serial numbers (RFC 1982); a window
 * across 2^32 seconds (2106-02-07) works, judged by a 64-bit now. */
static void
test_serial_wrap(void **state)
{
	const time_t wrap = (time_t)1 << 32;
	const uint32_t d = 86400;
	const uint32_t incep = (uint32_t)(wrap - 10 * (time_t)d);
	const uint32_t expir = (uint32_t)(wrap + 20 * (time_t)d); /* 1728000 */

	(void)state;
	assert_true(expir < incep);
	assert_int_equal(verify_at(incep, expir, wrap + d), HY_SIG_VALID);
	assert_int_equal(verify_at(incep, expir, wrap - d), HY_SIG_VALID);
	assert_int_equal(verify_at(incep, expir, wrap + 25 * (time_t)d),
	    HY_SIG_EXPIRED);
	assert_int_equal(verify_at(incep, expir, wrap - 12 * (time_t)d),
	    HY_SIG_NOT_YET);
	/* Expired 30 minutes ago, just past the wrap: the allowance holds
	 * in serial arithmetic too. */
	assert_int_equal(verify_at((uint32_t)(wrap - 10 * (time_t)d),
	    (uint32_t)(wrap + 3600), wrap + 3600 + 1800), HY_SIG_VALID);
}

/* The built-in anchors parse and are the DS of the IANA root KSKs. */
static void
test_iana_anchors(void **state)
{
	const char *err = NULL;
	ldns_rr_list *a = hy_dnssec_anchors_load(NULL, &err);
	ldns_rr *ksk2017 = rr(". 172800 IN DNSKEY 257 3 8 "
	    "AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3"
	    "+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kv"
	    "ArMtNROxVQuCaSnIDdD5LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF"
	    "0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+sqqls3eNbuv7pr+e"
	    "oZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfd"
	    "RUfhHdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwN"
	    "R1AkUTV74bU=");

	(void)state;
	assert_non_null(a);
	assert_int_equal(ldns_rr_list_rr_count(a), 2);
	assert_int_equal(ldns_calc_keytag(ksk2017), 20326);
	assert_true(hy_dnssec_ds_matches(ldns_rr_list_rr(a, 0), ksk2017));
	assert_false(hy_dnssec_ds_matches(ldns_rr_list_rr(a, 1), ksk2017));
	ldns_rr_free(ksk2017);
	ldns_rr_list_deep_free(a);
}

/* --trust-anchor FILE: DS and DNSKEY lines in zone-file syntax, with
 * comments and $TTL; anything else is refused with a reason. */
static void
test_anchor_file(void **state)
{
	char path[] = "/tmp/hy-anchor-XXXXXX";
	const char *err = NULL;
	ldns_rr_list *a;
	FILE *f;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fprintf(f, "; the RFC 6605 key and a DS for it\n$TTL 3600\n%s\n"
	    "example.net. IN DS 55648 13 2 b4c8c1fe2e7477127b27115656ad6256"
	    "f424625bf5c1e2770ce6d6e37df61d17\n", P256_KEY);
	fclose(f);
	assert_non_null(a = hy_dnssec_anchors_load(path, &err));
	assert_int_equal(ldns_rr_list_rr_count(a), 2);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(a, 0)),
	    LDNS_RR_TYPE_DNSKEY);
	assert_true(hy_dnssec_ds_matches(ldns_rr_list_rr(a, 1),
	    ldns_rr_list_rr(a, 0)));
	ldns_rr_list_deep_free(a);

	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "example.net. IN A 192.0.2.1\n");
	fclose(f);
	assert_null(hy_dnssec_anchors_load(path, &err));
	assert_non_null(strstr(err, "not DS or DNSKEY"));
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_null(hy_dnssec_anchors_load(path, &err));
	assert_non_null(strstr(err, "no DS or DNSKEY"));
	unlink(path);
	assert_null(hy_dnssec_anchors_load(path, &err));
	assert_non_null(strstr(err, "cannot open"));
}

static void
test_policy(void **state)
{
	(void)state;
	assert_true(hy_dnssec_alg_supported(8));
	assert_true(hy_dnssec_alg_supported(13));
	assert_true(hy_dnssec_alg_supported(15));
	assert_false(hy_dnssec_alg_supported(1));
	assert_false(hy_dnssec_alg_supported(12));
	assert_false(hy_dnssec_alg_supported(253));
	assert_true(hy_dnssec_alg_deprecated(5));
	assert_true(hy_dnssec_alg_deprecated(7));
	assert_false(hy_dnssec_alg_deprecated(8));
	assert_true(hy_dnssec_digest_supported(2));
	assert_false(hy_dnssec_digest_supported(3));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4034_ds),
		cmocka_unit_test(test_rfc6605_p256),
		cmocka_unit_test(test_rfc6605_p384),
		cmocka_unit_test(test_rfc8080_ed25519),
		cmocka_unit_test(test_rfc5155_hashes),
		cmocka_unit_test(test_rfc5155_denials),
		cmocka_unit_test(test_rfc5155_wildcard),
		cmocka_unit_test(test_rfc5155_delegation),
		cmocka_unit_test(test_nsec_cuts),
		cmocka_unit_test(test_nsec_wildcard_encloser),
		cmocka_unit_test(test_clock_skew),
		cmocka_unit_test(test_serial_wrap),
		cmocka_unit_test(test_iana_anchors),
		cmocka_unit_test(test_anchor_file),
		cmocka_unit_test(test_policy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
