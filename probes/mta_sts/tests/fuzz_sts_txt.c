/* Fuzz target: the txt parser (RFC 8461 / RFC 8460). */
#include <stddef.h>
#include <stdint.h>

#include "sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_sts_record r;

	if (hy_sts_txt_parse((const char *)data, size, &r) >= HY_STS_TXT_VALID)
		hy_sts_record_clear(&r);
	return 0;
}
