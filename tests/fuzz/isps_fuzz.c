/* Fuzz target: arbitrary bytes as an ISP list (hy_isps_parse). */
#include <stddef.h>
#include <stdint.h>

#include "hygiene/isps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_isp_list *l = NULL;
	char err[256];
	size_t i;

	if (hy_isps_parse((const char *)data, size, &l, err, sizeof(err)) == 0) {
		for (i = 0; i < l->n; i++)
			if (l->v[i].nasns > 0 &&
			    hy_isps_by_asn(l, l->v[i].asns[0]) == NULL)
				__builtin_trap();
		hy_isps_free(l);
	}
	return 0;
}
