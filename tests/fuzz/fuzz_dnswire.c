/*
 * Fuzz target: DNS messages through hy_dnswire_parse(). ldns_wire2pkt()
 * is the oracle: the same status, and the same packet (ldns's text of
 * it) whenever both succeed. Inputs are at most a DNS message long, so
 * ldns's own parser (n strings x rdlength bytes) stays affordable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/dnswire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ldns_pkt *a = NULL, *b = NULL;
	ldns_status sa, sb;
	char *ta, *tb;

	if (size > 8192)
		return 0;
	sa = ldns_wire2pkt(&a, data, size);
	sb = hy_dnswire_parse(data, size, &b);
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
