/*
 * Fuzz target: DNS messages through hy_dnswire_parse(). ldns_wire2pkt()
 * is the oracle: the same status, and the same packet (ldns's text of
 * it) whenever both succeed; except that a message ldns reads with an RR
 * of more than HY_DNSWIRE_RR_STRINGS_MAX strings or a TSIG RR must be
 * refused, and one refused so may be one ldns fails on further on. Inputs
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
	if (sa == LDNS_STATUS_OK && (over_cap(a) || ldns_pkt_tsig(a) != NULL)) {
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
