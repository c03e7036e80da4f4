/* The probe registry: the order here is the order probes start in. */
#include "hygiene/check.h"

extern const struct hy_probe hy_probe_rpki;

const struct hy_probe *const hy_probes[] = {
	&hy_probe_rpki,
	NULL,
};
const size_t hy_nprobes = sizeof(hy_probes) / sizeof(hy_probes[0]) - 1;
