/*
 * Fuzz target: DNS messages through hy_dnswire_parse(). ldns_wire2pkt()
 * is the oracle: the same status, and the same packet (ldns's text of
 * it) whenever both succeed; except that a message ldns reads with an RR
 * of more than HY_DNSWIRE_RR_STRINGS_MAX strings or a TSIG RR, or reads
 * otherwise than RDLENGTH frames it, must be refused, and one refused so
 * may be one ldns fails on further on. Inputs
 * are at most 8 KB, so ldns's own parser (n strings x rdlength bytes)
 * stays affordable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/dnswire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* ldns_wire2pkt() leaks every TSIG RR of a message but the last: the
 * oracle's leak, not ours. The sanitizer's switch, when there is one. */
void	__lsan_disable(void) __attribute__((weak));
void	__lsan_enable(void) __attribute__((weak));

/* Past a name on the wire: labels up to the root label or a pointer. */
static int
walk_name(const uint8_t *d, size_t n, size_t *pos)
{
	while (*pos < n) {
		uint8_t l = d[(*pos)++];

		if (l == 0)
			return 1;
		if ((l & 0xc0) == 0xc0) {
			(*pos)++;
			return *pos <= n;
		}
		if (l & 0xc0)
			return 0;
		*pos += l;
	}
	return 0;
}

/* Does ldns, reading the RR at start on its own, stop short of or past
 * end? (An RR of strings it reads to the end or not at all.) */
static int
reads_off(const uint8_t *d, size_t n, size_t start, size_t end, unsigned t,
    ldns_pkt_section sec)
{
	const ldns_rr_descriptor *desc = ldns_rr_descript((uint16_t)t);
	ldns_rr *rr = NULL;
	size_t pos = start;
	int off;

	if (desc != NULL && desc->_variable == LDNS_RDF_TYPE_STR &&
	    ldns_rr_descriptor_field_type(desc, 0) == LDNS_RDF_TYPE_STR)
		return 0;
	off = ldns_wire2rr(&rr, d, n, &pos, sec) == LDNS_STATUS_OK &&
	    pos != end;
	ldns_rr_free(rr);
	return off;
}

/*
 * Does ldns's view of the message differ from the message as RDLENGTH
 * frames it (RFC 1035 §4.1.3)? Walks the RRs by their lengths, asks
 * whether ldns reads each to its end, and compares each section's types
 * with ldns's lists (which hold no OPT).
 */
static int
diverges(const uint8_t *d, size_t n, const ldns_pkt *p)
{
	const ldns_rr_list *l[3] = { ldns_pkt_answer(p),
	    ldns_pkt_authority(p), ldns_pkt_additional(p) };
	size_t pos = 12, idx;
	unsigned cnt[4];

	if (n < 12)
		return 1;
	for (int i = 0; i < 4; i++)
		cnt[i] = (unsigned)d[4 + 2 * i] << 8 | d[5 + 2 * i];
	for (unsigned q = 0; q < cnt[0]; q++) {
		if (!walk_name(d, n, &pos))
			return 1;
		pos += 4;
	}
	for (int k = 0; k < 3; k++) {
		idx = 0;
		for (unsigned i = 0; i < cnt[k + 1]; i++) {
			size_t start = pos;
			unsigned t, rdlen;

			if (!walk_name(d, n, &pos) || pos + 10 > n)
				return 1;
			t = (unsigned)d[pos] << 8 | d[pos + 1];
			rdlen = (unsigned)d[pos + 8] << 8 | d[pos + 9];
			pos += 10 + rdlen;
			if (pos > n)
				return 1;
			if (k == 2 && t == LDNS_RR_TYPE_OPT)
				continue;
			if (reads_off(d, n, start, pos, t, k == 0 ?
			    LDNS_SECTION_ANSWER : k == 1 ?
			    LDNS_SECTION_AUTHORITY : LDNS_SECTION_ADDITIONAL))
				return 1;
			if (idx >= ldns_rr_list_rr_count(l[k]) ||
			    ldns_rr_get_type(ldns_rr_list_rr(l[k], idx++)) != t)
				return 1;
		}
		if (idx != ldns_rr_list_rr_count(l[k]))
			return 1;
	}
	return 0;
}

/* Does ldns's packet hold a string-only RR over the cap? */
static int
over_cap(const ldns_pkt *p)
{
	const ldns_rr_list *l[3] = { ldns_pkt_answer(p),
	    ldns_pkt_authority(p), ldns_pkt_additional(p) };

	for (int k = 0; k < 3; k++)
		for (size_t i = 0; i < ldns_rr_list_rr_count(l[k]); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(l[k], i);
			const ldns_rr_descriptor *d =
			    ldns_rr_descript(ldns_rr_get_type(rr));

			if (d != NULL && d->_variable == LDNS_RDF_TYPE_STR &&
			    ldns_rr_descriptor_field_type(d, 0) ==
			    LDNS_RDF_TYPE_STR &&
			    ldns_rr_rd_count(rr) > HY_DNSWIRE_RR_STRINGS_MAX)
				return 1;
		}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ldns_pkt *a = NULL, *b = NULL;
	ldns_status sa, sb;
	char *ta, *tb;

	if (size > 8192)
		return 0;
	if (__lsan_disable != NULL)
		__lsan_disable();
	sa = ldns_wire2pkt(&a, data, size);
	if (__lsan_enable != NULL)
		__lsan_enable();
	sb = hy_dnswire_parse(data, size, &b);
	if (sa == LDNS_STATUS_OK && (over_cap(a) || ldns_pkt_tsig(a) != NULL ||
	    diverges(data, size, a))) {
		if (sb != LDNS_STATUS_WIRE_RDATA_ERR)
			abort();
		sa = sb;
	}
	/* Refused before the part ldns trips on: both refuse the message. */
	if (sa != LDNS_STATUS_OK && sb == LDNS_STATUS_WIRE_RDATA_ERR)
		sa = sb;
	if (sa != sb && sa != LDNS_STATUS_MEM_ERR && sb != LDNS_STATUS_MEM_ERR)
		abort();
	if (sa == LDNS_STATUS_OK && sb == LDNS_STATUS_OK) {
		ta = ldns_pkt2str(a);
		tb = ldns_pkt2str(b);
		if (ta != NULL && tb != NULL && strcmp(ta, tb) != 0)
			abort();
		free(ta);
		free(tb);
	}
	ldns_pkt_free(a);
	ldns_pkt_free(b);
	return 0;
}
