/*
 * The global options every subcommand accepts, after parsing. Strings
 * point into argv or are owned by the struct (see hy_config_free()).
 */
#ifndef HYGIENE_CONFIG_H
#define HYGIENE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define HY_DEFAULT_TIMEOUT_S	15
#define HY_DEFAULT_CONCURRENCY	200
#define HY_DEFAULT_HTTPS_PORT	443
/* The RTR sync's own deadline: a full public table is ~800k VRPs. */
#define HY_DEFAULT_RTR_TIMEOUT_S	300
/* VRP files older than this (at the validation time) are refused. */
#define HY_DEFAULT_VRPS_MAX_AGE_H	24
/* A public RTR cache (Cloudflare's); overridable with --rtr. */
#define HY_DEFAULT_RTR		"rtr.rpki.cloudflare.com:8282"
/* RIPEstat's data API, for --routes ripestat. */
#define HY_DEFAULT_RIPESTAT_URL	"https://stat.ripe.net"
/* IP-to-origin-AS over DNS TXT (Team Cymru) when no --routes is given,
 * and its rate cap (lookups per second). */
#define HY_DEFAULT_ASN_QPS	10
#define HY_DEFAULT_ASN_SERVICE	"origin.asn.cymru.com,origin6.asn.cymru.com"

struct hy_vrps;

struct hy_config {
	const char	**resolvers;	/* --resolver, repeatable */
	size_t		  nresolvers;
	unsigned	  timeout_ms;	/* --timeout: per-domain deadline */
	unsigned	  concurrency;	/* --concurrency: queries on the wire */
	double		  qps;		/* --qps: 0 = unlimited */
	const char	 *trust_anchor;	/* --trust-anchor FILE; NULL = IANA */
	const char	 *rtr;		/* --rtr HOST:PORT */
	bool		  rtr_set;	/* use the RTR cache: --rtr, or the survey */
	unsigned	  rtr_timeout_ms; /* --rtr-timeout: the whole sync */
	const char	 *routes;	/* --routes FILE|ripestat */
	const char	 *ripestat_url;	/* --ripestat-url; NULL: default */
	const char	 *ripestat_sourceapp; /* --ripestat-sourceapp; NULL:
					   "hygiene", with --contact */
	const char	 *contact;	/* --contact URL-or-email; NULL */
	double		  asn_qps;	/* --asn-qps: IP-to-ASN lookups/s */
	const char	 *vrps;		/* --vrps FILE */
	unsigned	  vrps_max_age_s; /* --vrps-max-age; 0: any age */
	/* VRPs the CLI loaded (hy_cli_vrps); the check run borrows them
	 * instead of loading its own. NULL: the rpki probe loads them. */
	const struct hy_vrps *vrp_set;
	const char	 *asn_service;	/* --asn-service V4ZONE[,V6ZONE] */
	const char	 *ca_file;	/* --ca-file */
	unsigned	  https_port;	/* --https-port */
	time_t		  now;		/* --at: validation time */
	bool		  at_set;	/* --at was given */
	bool		  json;		/* --json */
	bool		  color;	/* TTY and no NO_COLOR */
};

void	hy_config_init(struct hy_config *);
void	hy_config_free(struct hy_config *);

#endif
