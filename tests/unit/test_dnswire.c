/*
 * src/dnswire.c: DNS messages parsed in memory proportional to their
 * size, into the very packet ldns_wire2pkt() builds (ldns is the oracle
 * for every message small enough for its own parser).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <malloc.h>

#include <cmocka.h>

#include "hygiene/dnswire.h"
#include "hygiene/txt.h"

#if defined(__SANITIZE_ADDRESS__)
/* The sanitizer runtime's heap in use (sanitizer/allocator_interface.h,
 * which gcc does not install). */
size_t	__sanitizer_get_current_allocated_bytes(void);
#endif

/* Bytes the heap holds now, from whichever allocator is in use. */
static size_t
heap_in_use(void)
{
#if defined(__SANITIZE_ADDRESS__)
	return __sanitizer_get_current_allocated_bytes();
#else
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
#endif
}

struct msg {
	uint8_t	b[HY_DNSWIRE_MSG_MAX];
	size_t	len;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	assert_true(m->len + n <= sizeof(m->b));
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void
put16(struct msg *m, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(m, b, 2);
}

static void
put32(struct msg *m, unsigned long v)
{
	put16(m, (unsigned)(v >> 16));
	put16(m, (unsigned)(v & 0xffff));
}

/* Header with the given counts, and the question "bomb.test IN TXT". */
static void
head(struct msg *m, unsigned an, unsigned ns, unsigned ar)
{
	static const uint8_t q[] = "\x04" "bomb" "\x04" "test";

	m->len = 0;
	put16(m, 0x1234);
	put16(m, 0x8180);
	put16(m, 1);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
	put(m, q, sizeof(q));		/* with the root label's 0 */
	put16(m, LDNS_RR_TYPE_TXT);
	put16(m, LDNS_RR_CLASS_IN);
}

/* An RR owned by the question name (compression pointer to offset 12). */
static void
rr(struct msg *m, unsigned type, const void *rdata, size_t rdlen)
{
	put16(m, 0xc00c);
	put16(m, type);
	put16(m, LDNS_RR_CLASS_IN);
	put32(m, 300);
	put16(m, (unsigned)rdlen);
	put(m, rdata, rdlen);
}

/* ldns's own text of what each parser made of the message. */
static void
assert_same_as_ldns(const struct msg *m)
{
	ldns_pkt *a = NULL, *b = NULL;
	ldns_status sa = ldns_wire2pkt(&a, m->b, m->len);
	ldns_status sb = hy_dnswire_parse(m->b, m->len, &b);
	char *ta, *tb;

	assert_int_equal(sa, sb);
	if (sa != LDNS_STATUS_OK)
		return;
	ta = ldns_pkt2str(a);
	tb = ldns_pkt2str(b);
	assert_non_null(ta);
	assert_non_null(tb);
	assert_string_equal(ta, tb);
	assert_int_equal(ldns_pkt_edns(a), ldns_pkt_edns(b));
	assert_int_equal(ldns_pkt_edns_do(a), ldns_pkt_edns_do(b));
	assert_int_equal(ldns_pkt_arcount(a), ldns_pkt_arcount(b));
	free(ta);
	free(tb);
	ldns_pkt_free(a);
	ldns_pkt_free(b);
}

/* The bomb, one TXT RR of 60,000 empty strings (ldns alone asks
 * for 60,000 x 60,000 bytes), is refused outright. */
static void
test_txt_bomb_refused(void **state)
{
	static struct msg m;
	static uint8_t rdata[60000];
	ldns_pkt *p = NULL;
	size_t before;

	(void)state;
	memset(rdata, 0, sizeof(rdata));
	head(&m, 1, 0, 0);
	rr(&m, LDNS_RR_TYPE_TXT, rdata, sizeof(rdata));
	before = heap_in_use();
	assert_int_equal(hy_dnswire_parse(m.b, m.len, &p),
	    LDNS_STATUS_WIRE_RDATA_ERR);
	assert_null(p);
	assert_true(heap_in_use() - before < 64u * 1024);
}

/* At HY_DNSWIRE_RR_STRINGS_MAX strings an RR is kept whole, string by
 * string, in memory linear in its size (ldns alone: strings x rdlength);
 * one string more and the message is refused. */
static void
test_strings_max(void **state)
{
	static struct msg m;
	static uint8_t rdata[HY_DNSWIRE_RR_STRINGS_MAX + 1];
	ldns_pkt *p = NULL;
	const ldns_rr *r;
	size_t before, used, len;
	char *txt;

	(void)state;
	memset(rdata, 0, sizeof(rdata));
	head(&m, 1, 0, 0);
	rr(&m, LDNS_RR_TYPE_TXT, rdata, HY_DNSWIRE_RR_STRINGS_MAX);
	before = heap_in_use();
	assert_int_equal(hy_dnswire_parse(m.b, m.len, &p), LDNS_STATUS_OK);
	used = heap_in_use() - before;
	/* About 75-150 bytes a string (the allocator's caches count too);
	 * ldns alone: 1,024 bytes each. */
	assert_true(used < 256u * HY_DNSWIRE_RR_STRINGS_MAX);
	r = ldns_rr_list_rr(ldns_pkt_answer(p), 0);
	assert_int_equal(ldns_rr_get_type(r), LDNS_RR_TYPE_TXT);
	assert_int_equal(ldns_rr_rd_count(r), HY_DNSWIRE_RR_STRINGS_MAX);
	for (size_t i = 0; i < ldns_rr_rd_count(r); i++) {
		assert_int_equal(ldns_rdf_get_type(ldns_rr_rdf(r, i)),
		    LDNS_RDF_TYPE_STR);
		assert_int_equal(ldns_rdf_size(ldns_rr_rdf(r, i)), 1);
	}
	assert_non_null(txt = hy_txt_join(r, &len));
	assert_int_equal(len, 0);
	free(txt);
	ldns_pkt_free(p);
	assert_same_as_ldns(&m);

	head(&m, 1, 0, 0);
	rr(&m, LDNS_RR_TYPE_TXT, rdata, sizeof(rdata));
	assert_int_equal(hy_dnswire_parse(m.b, m.len, &p),
	    LDNS_STATUS_WIRE_RDATA_ERR);
	assert_null(p);
	/* In any section, of any string-only type. */
	head(&m, 0, 0, 1);
	rr(&m, LDNS_RR_TYPE_SPF, rdata, sizeof(rdata));
	assert_int_equal(hy_dnswire_parse(m.b, m.len, &p),
	    LDNS_STATUS_WIRE_RDATA_ERR);
}

/* A full-size RR of 255-byte strings and many small RRs: the parse stays
 * within a few times the message size. */
static void
test_large_rrsets_linear(void **state)
{
	static struct msg m;
	uint8_t rdata[65000];
	ldns_pkt *p = NULL;
	size_t before, used, n = 0;

	(void)state;
	for (size_t i = 0; i + 256 <= sizeof(rdata); i += 256) {
		rdata[i] = 255;
		memset(rdata + i + 1, 'a' + (int)(i / 256) % 26, 255);
		n = i + 256;
	}
	head(&m, 1, 0, 0);
	rr(&m, LDNS_RR_TYPE_TXT, rdata, n);
	before = heap_in_use();
	assert_int_equal(hy_dnswire_parse(m.b, m.len, &p), LDNS_STATUS_OK);
	used = heap_in_use() - before;
	assert_true(used < 1024u * 1024);
	ldns_pkt_free(p);
	assert_same_as_ldns(&m);

	/* 4,000 TXT RRs of one empty string each. */
	head(&m, 4000, 0, 0);
	for (int i = 0; i < 4000; i++)
		rr(&m, LDNS_RR_TYPE_TXT, "\0", 1);
	before = heap_in_use();
	assert_int_equal(hy_dnswire_parse(m.b, m.len, &p), LDNS_STATUS_OK);
	used = heap_in_use() - before;
	assert_true(used < 4u * 1024 * 1024);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 4000);
	ldns_pkt_free(p);
}

/* Every section, OPT in the additional section, string RRs before and
 * after it: the same packet as ldns builds. With a TSIG RR, refused. */
static void
test_same_as_ldns(void **state)
{
	static struct msg m;
	static const uint8_t txt2[] = "\x01" "a" "\x02" "bc" "\x00";
	static const uint8_t a[] = { 192, 0, 2, 1 };
	static const uint8_t mx[] = "\x00\x0a" "\x02" "mx" "\xc0\x0c";
	static const uint8_t opt_tail[] = { 0x04, 0xd0, 0, 0, 0x80, 0 };
	static const uint8_t tsig[] = "\x04" "hmac" "\x00"
	    "\x00\x00\x5f\x00\x00\x00" "\x01\x2c" "\x00\x00" "\x12\x34"
	    "\x00\x00" "\x00\x00";
	ldns_pkt *p = NULL;

	(void)state;
	head(&m, 4, 1, 3);
	rr(&m, LDNS_RR_TYPE_TXT, txt2, sizeof(txt2) - 1);
	rr(&m, LDNS_RR_TYPE_A, a, sizeof(a));
	rr(&m, LDNS_RR_TYPE_SPF, txt2, sizeof(txt2) - 1);
	rr(&m, LDNS_RR_TYPE_MX, mx, sizeof(mx) - 1);
	rr(&m, LDNS_RR_TYPE_TXT, "\x03" "one", 4);	/* one string */
	rr(&m, LDNS_RR_TYPE_TXT, txt2, sizeof(txt2) - 1);
	put(&m, "\x00", 1);				/* OPT, root owner */
	put16(&m, LDNS_RR_TYPE_OPT);
	put(&m, opt_tail, sizeof(opt_tail));
	put16(&m, 0);
	rr(&m, LDNS_RR_TYPE_TXT, txt2, sizeof(txt2) - 1);
	assert_same_as_ldns(&m);
	m.b[11] = 4;		/* ARCOUNT */
	rr(&m, LDNS_RR_TYPE_TSIG, tsig, sizeof(tsig) - 1);
	assert_int_equal(hy_dnswire_parse(m.b, m.len, &p),
	    LDNS_STATUS_WIRE_RDATA_ERR);
	assert_null(p);
}

/* Broken messages fail exactly where ldns fails, and never read past the
 * end: every prefix of a good message, and a string overrunning its RR. */
static void
test_broken(void **state)
{
	static struct msg m, cut;
	static const uint8_t txt2[] = "\x01" "a" "\x02" "bc";
	static const uint8_t over[] = "\x01" "a" "\x05" "bc";
	static const uint8_t empty[1];

	(void)state;
	head(&m, 3, 0, 0);
	rr(&m, LDNS_RR_TYPE_TXT, txt2, sizeof(txt2) - 1);
	rr(&m, LDNS_RR_TYPE_TXT, txt2, sizeof(txt2) - 1);
	rr(&m, LDNS_RR_TYPE_TXT, empty, 0);		/* no strings at all */
	for (size_t n = 0; n <= m.len; n++) {
		memcpy(cut.b, m.b, n);
		cut.len = n;
		assert_same_as_ldns(&cut);
	}
	head(&m, 1, 0, 0);
	rr(&m, LDNS_RR_TYPE_TXT, over, sizeof(over) - 1);
	assert_same_as_ldns(&m);
}

/* An RR that already carries the private-use type is left alone. */
static void
test_park_type_in_message(void **state)
{
	static struct msg m;
	static const uint8_t txt2[] = "\x01" "a" "\x02" "bc";

	(void)state;
	head(&m, 3, 0, 0);
	rr(&m, HY_DNSWIRE_PARK_TYPE, txt2, sizeof(txt2) - 1);
	rr(&m, LDNS_RR_TYPE_TXT, txt2, sizeof(txt2) - 1);
	rr(&m, HY_DNSWIRE_PARK_TYPE, txt2, sizeof(txt2) - 1);
	assert_same_as_ldns(&m);
}

/* A second RR whose owner is a compression pointer to the first RR's
 * TYPE field (offset 29): ldns reads the name "." there. */
static void
pointer_rr(struct msg *m)
{
	put16(m, 0xc000 | 29);
	put16(m, LDNS_RR_TYPE_A);
	put16(m, LDNS_RR_CLASS_IN);
	put32(m, 300);
	put16(m, 4);
	put(m, "\xc0\x00\x02\x01", 4);
}

/* Names that read across a parked RR's header: the message is still
 * exactly what ldns makes of it (ldns's own parse, which the strings cap
 * keeps under 1,024 x 65,535 bytes). */
static void
test_pointer_across_header(void **state)
{
	static struct msg m;
	static uint8_t big[60000];
	size_t n = 0;

	(void)state;
	head(&m, 2, 0, 0);
	rr(&m, LDNS_RR_TYPE_TXT, "\x01" "a" "\x02" "bc", 5);
	pointer_rr(&m);
	assert_same_as_ldns(&m);

	/* 1,024 strings in 60,000 bytes: 61 MB for ldns. */
	for (int i = 0; i < HY_DNSWIRE_RR_STRINGS_MAX; i++) {
		size_t l = i + 1 < HY_DNSWIRE_RR_STRINGS_MAX ? 57 :
		    sizeof(big) - n - 1;

		big[n] = (uint8_t)l;
		memset(big + n + 1, 'x', l);
		n += l + 1;
	}
	assert_int_equal(n, sizeof(big));
	head(&m, 2, 0, 0);
	rr(&m, LDNS_RR_TYPE_TXT, big, sizeof(big));
	pointer_rr(&m);
	assert_same_as_ldns(&m);
}

/* An RR whose rdata is longer than its type's fields: ldns would read the
 * rest as more RRs, here a TXT bomb hidden in an A record's rdata. The
 * message is refused, without parsing the bomb. */
static void
test_rdata_past_fields(void **state)
{
	static struct msg m;
	static uint8_t rdata[4 + 12 + 2000];
	ldns_pkt *p = NULL;
	size_t before;

	(void)state;
	head(&m, 1, 0, 0);
	rr(&m, LDNS_RR_TYPE_A, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
	assert_int_equal(hy_dnswire_parse(m.b, m.len, &p),
	    LDNS_STATUS_WIRE_RDATA_ERR);
	memcpy(rdata, "\xc0\x00\x02\x01" "\xc0\x0c" "\x00\x10" "\x00\x01"
	    "\x00\x00\x01\x2c" "\x07\xd0", 16);	/* then 2,000 empty strings */
	head(&m, 1, 0, 0);
	rr(&m, LDNS_RR_TYPE_A, rdata, sizeof(rdata));
	m.b[7] = 2;		/* ldns would read the hidden RR as the 2nd */
	before = heap_in_use();
	assert_int_equal(hy_dnswire_parse(m.b, m.len, &p),
	    LDNS_STATUS_WIRE_RDATA_ERR);
	assert_null(p);
	assert_true(heap_in_use() - before < 64u * 1024);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_txt_bomb_refused),
		cmocka_unit_test(test_strings_max),
		cmocka_unit_test(test_large_rrsets_linear),
		cmocka_unit_test(test_same_as_ldns),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_park_type_in_message),
		cmocka_unit_test(test_pointer_across_header),
		cmocka_unit_test(test_rdata_past_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
