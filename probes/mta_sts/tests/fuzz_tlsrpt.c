/* Fuzz target: the tlsrpt parser (RFC 8461 / RFC 8460). */
#include <stddef.h>
#include <stdint.h>

#include "sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_tlsrpt_record r;

	if (hy_tlsrpt_parse((const char *)data, size, &r) >= HY_TLSRPT_VALID)
		hy_tlsrpt_record_clear(&r);
	return 0;
}
