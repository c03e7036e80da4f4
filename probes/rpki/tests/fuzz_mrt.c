/* Fuzz target: the RIB dump reader (MRT records and bgpdump -m lines),
 * with every route's path rendered and its origin taken. */
#include <stddef.h>
#include <stdint.h>

#include "hygiene/mrt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
route(void *arg, const struct hy_rib_route *r)
{
	char path[256], pfx[64];
	uint32_t origin;
	bool set;

	(void)arg;
	hy_aspath_str(&r->path, path, sizeof(path));
	hy_aspath_origin(&r->path, r->peer_asn, &origin, &set);
	hy_prefix_str(&r->pfx, pfx, sizeof(pfx));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_rib_stats st;
	char err[256];

	(void)hy_rib_parse(data, size, route, NULL, &st, err, sizeof(err));
	return 0;
}
