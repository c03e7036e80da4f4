/* Fuzz target: the policy parser (RFC 8461 / RFC 8460). */
#include <stddef.h>
#include <stdint.h>

#include "sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_sts_policy p;

	if (hy_sts_policy_parse((const char *)data, size, &p) == 0) {
		/* Every pattern the parser accepted must be matchable. */
		for (size_t i = 0; i < p.nmx; i++)
			(void)hy_sts_mx_match(p.mx[i], "mx.example.jp");
		hy_sts_policy_clear(&p);
	}
	return 0;
}
