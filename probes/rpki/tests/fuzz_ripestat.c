/* Fuzz target: RIPEstat announced-prefixes answers (window, timelines). */
#include <stddef.h>
#include <stdint.h>

#include "hygiene/ripestat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_routes *r;
	char err[256];
	time_t t;

	if ((r = hy_routes_new()) == NULL)
		return 0;
	/* 2026-11-21T12:00:00Z, the recorded answers' day. */
	if (hy_ripestat_parse((const char *)data, size, 64500, 1795262400, r,
	    &t, err, sizeof(err)) == 0)
		(void)hy_routes_finish(r);
	hy_routes_free(r);
	return 0;
}
