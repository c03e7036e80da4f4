/* Fuzz target: the route-file parser (all three line formats). */
#include <stddef.h>
#include <stdint.h>

#include "hygiene/rpki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_routes *r;
	uint8_t a[16] = { 10, 1, 2, 3 };

	if (hy_routes_parse((const char *)data, size, &r) != 0)
		return 0;
	(void)hy_routes_lookup(r, 4, a, NULL);
	(void)hy_routes_lookup(r, 6, a, NULL);
	hy_routes_free(r);
	return 0;
}
