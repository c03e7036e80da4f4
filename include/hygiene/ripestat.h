/*
 * Routes from RIPEstat's announced-prefixes data API
 * (GET BASE/data/announced-prefixes/data.json?resource=ASnnn), one
 * request per ASN, run on a hy_loop (host resolved by the DNS engine,
 * HTTPS by include/hygiene/http.h). Used by `hygiene rpki --routes
 * ripestat` and by the survey's per-ISP figures.
 *
 * It follows RIPEstat's documented etiquette: a fixed window ending at
 * opts.at (so the figures do not depend on the day of the run), only the
 * prefixes whose timelines show them in the RIS dump at the window's end,
 * at most 8 requests in flight, a sourceapp, and retries with exponential
 * back-off that honour Retry-After on 429, 5xx and timeouts. Through a
 * proxy when the standard environment variables name one
 * (hy_http_proxy_for). The base URL is configurable so tests can use a
 * local stand-in.
 */
#ifndef HYGIENE_RIPESTAT_H
#define HYGIENE_RIPESTAT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hygiene/config.h"
#include "hygiene/rpki.h"

#define HY_RIPESTAT_MAX_INFLIGHT 8	/* RIPEstat: 8 concurrent per IP */
#define HY_RIPESTAT_TRIES	5	/* attempts per ASN */
#define HY_RIPESTAT_BACKOFF_MS	1000	/* first wait without Retry-After */
#define HY_RIPESTAT_MAX_WAIT_S	300	/* a longer Retry-After fails */
#define HY_RIPESTAT_WINDOW_S	(2 * 86400)	/* the window's length */
/* The RIS dump an answer describes may end this long before the window's
 * end (RIPEstat's data lags a few hours); more is refused. */
#define HY_RIPESTAT_MAX_LAG_S	86400

struct hy_ripestat_opts {
	const char	*base_url;	/* https://HOST[:PORT]; NULL: default */
	const char	*ca_file;	/* NULL: system CAs */
	unsigned	 timeout_ms;	/* per request; 0: 60 s */
	const char *const *resolvers;	/* --resolver; NULL: resolv.conf */
	size_t		 nresolvers;
	time_t		 at;		/* the window ends here */
	const char	*sourceapp;	/* NULL: "hygiene" (with the contact) */
	const char	*contact;	/* --contact, for the User-Agent */
	const char	*save_dir;	/* keep the raw answers in
					   save_dir/ripestat-TIME/ASn.json and
					   reuse them; NULL: neither */
};

/* What a fetch did, for the route source's description. */
struct hy_ripestat_info {
	time_t		 at;		/* the window's end */
	time_t		 data_time;	/* earliest RIS dump of the answers */
	unsigned	 requests;	/* HTTP requests sent */
	unsigned	 retries;	/* of which retries */
	unsigned	 saved;		/* answers read from save_dir */
};

/* Options from the global ones: --ripestat-url, --ca-file, --timeout,
 * --resolver, --at (or now), --ripestat-sourceapp, --contact. The
 * strings stay cfg's. */
void	hy_ripestat_opts_init(struct hy_ripestat_opts *,
	    const struct hy_config *cfg);

/*
 * Fetch the prefixes each ASN announced at opts.at and build a route
 * table (each prefix originated by that ASN). A request that still fails
 * after HY_RIPESTAT_TRIES attempts, or an unusable answer, fails the
 * whole fetch (-1 with err): a partial table would undercount. info may
 * be NULL.
 */
int	hy_ripestat_routes(const struct hy_ripestat_opts *,
	    const uint32_t *asns, size_t nasns, struct hy_routes **out,
	    struct hy_ripestat_info *info, char *err, size_t errlen);
/* The latest window whose answers are saved in save_dir, so a resumed
 * survey asks for the same time; 0 if none. */
time_t	hy_ripestat_saved_window(const char *save_dir);

/*
 * Parse one answer for asn into r: the prefixes announced in the RIS dump
 * at query_endtime, which must lie within HY_RIPESTAT_MAX_LAG_S before at
 * (and not after it); *data_time gets it. Nothing is added on error.
 * Exposed for tests. 0 or -1 with err.
 */
int	hy_ripestat_parse(const char *buf, size_t len, uint32_t asn,
	    time_t at, struct hy_routes *r, time_t *data_time, char *err,
	    size_t errlen);

#endif
