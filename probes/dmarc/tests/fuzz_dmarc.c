/* Fuzz target: the DMARC record parser. */
#include <stddef.h>
#include <stdint.h>

#include "dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_dmarc_record r;

	switch (hy_dmarc_parse((const char *)data, size, &r)) {
	case HY_DMARC_PARSE_VALID:
	case HY_DMARC_PARSE_INVALID:
		hy_dmarc_record_clear(&r);
		break;
	default:
		break;
	}
	return 0;
}
