/* The probe registry: the order here is the order probes start in, and
 * the order their emit() runs (the `mail` summary reads the sections
 * emitted before it, so it stays last). */
#include "hygiene/check.h"
#include "hygiene/spf.h"
#include "dmarc.h"
#include "mail.h"
#include "sts.h"

extern const struct hy_probe hy_probe_dnssec;
extern const struct hy_probe hy_probe_rpki;

const struct hy_probe *const hy_probes[] = {
	&hy_probe_dnssec,
	&hy_probe_spf,
	&hy_probe_dmarc,
	&hy_probe_mta_sts,
	&hy_probe_tls_rpt,
	&hy_probe_rpki,
	&hy_probe_mail,
	NULL,
};
const size_t hy_nprobes = sizeof(hy_probes) / sizeof(hy_probes[0]) - 1;
