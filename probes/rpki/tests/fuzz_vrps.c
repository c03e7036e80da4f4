/* Fuzz target: VRP JSON loading and validation against what loaded. */
#include <stddef.h>
#include <stdint.h>

#include "hygiene/rpki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_vrps *vs;
	struct hy_prefix p;
	struct hy_rpki_verdict v;
	char err[256];

	if (hy_vrps_load_json((const char *)data, size, "fuzz", 1, &vs, err,
	    sizeof(err)) != 0)
		return 0;
	if (hy_vrps_count(vs) > 0) {
		p = hy_vrps_all(vs)[0].pfx;
		(void)hy_vrps_validate(vs, &p, 64500, false, true, &v);
		(void)hy_vrps_validate(vs, &p, 0, true, false, &v);
	}
	hy_vrps_free(vs);
	return 0;
}
