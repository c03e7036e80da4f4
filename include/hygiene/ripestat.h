/*
 * Routes from RIPEstat's announced-prefixes data API
 * (GET BASE/data/announced-prefixes/data.json?resource=ASnnn), one
 * request per ASN, all in flight at once on a hy_loop (host resolved by
 * the DNS engine, HTTPS by include/hygiene/http.h). Used by
 * `hygiene rpki --routes ripestat` and by the survey's per-ISP figures;
 * the base URL is configurable so tests can serve recorded answers from a
 * local HTTPS server.
 */
#ifndef HYGIENE_RIPESTAT_H
#define HYGIENE_RIPESTAT_H

#include <stddef.h>
#include <stdint.h>

#include "hygiene/config.h"
#include "hygiene/rpki.h"

struct hy_ripestat_opts {
	const char	*base_url;	/* https://HOST[:PORT]; NULL: default */
	const char	*ca_file;	/* NULL: system CAs */
	unsigned	 timeout_ms;	/* whole fetch; 0: 60 s */
	const char *const *resolvers;	/* --resolver; NULL: resolv.conf */
	size_t		 nresolvers;
};

/* Options from the global ones: --ripestat-url, --ca-file, --timeout,
 * --resolver. The strings stay cfg's. */
void	hy_ripestat_opts_init(struct hy_ripestat_opts *,
	    const struct hy_config *cfg);

/*
 * Fetch the prefixes each ASN announces and build a route table (each
 * prefix originated by that ASN). Any failed request or unusable answer
 * fails the whole fetch (-1 with err): a partial table would undercount.
 */
int	hy_ripestat_routes(const struct hy_ripestat_opts *,
	    const uint32_t *asns, size_t nasns, struct hy_routes **out,
	    char *err, size_t errlen);
/* Parse one answer for asn into r (exposed for tests). 0 or -1 with err. */
int	hy_ripestat_parse(const char *buf, size_t len, uint32_t asn,
	    struct hy_routes *r, char *err, size_t errlen);

#endif
