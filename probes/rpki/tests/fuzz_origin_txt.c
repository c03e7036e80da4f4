/* Fuzz target: the IP-to-ASN TXT parser of the check probe. */
#include <stddef.h>
#include <stdint.h>

#include "hygiene/rpki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_prefix p;
	uint32_t o[8];
	size_t n;

	(void)hy_rpki_parse_origin_txt((const char *)data, size, &p, o, 8, &n);
	return 0;
}
