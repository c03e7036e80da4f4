/*
 * Subcommand dispatch and the global options. Every subcommand parses
 * its arguments with hy_cli_parse(), so the global options mean the same
 * everywhere and --help lists them the same way.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

struct cli_cmd {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*usage;
	const char	*summary;
};

static const struct cli_cmd cli_cmds[] = {
	{ "check", cmd_check, "check [options] DOMAIN... | --file FILE",
	    "check domains: DNSSEC, SPF, DMARC, MTA-STS, TLS-RPT, MX, NS" },
	{ "spf", cmd_spf, "spf [options] DOMAIN --ip IP [--sender ADDR] "
	    "[--helo NAME]", "evaluate SPF check_host() (RFC 7208) for one "
	    "client address" },
	{ "rpki", cmd_rpki,
	    "rpki [--rtr HOST:PORT | --vrps FILE] --routes SRC --isps FILE "
	    "[--json] [--detail]",
	    "RPKI route origin validation of the ISPs' routes, per ISP "
	    "(--rtr-timeout bounds the RTR sync)" },
	{ "survey", cmd_survey, "survey --isps FILE [--domains FILE] --out DIR "
	    "[--month YYYY-MM] [--db FILE] [--resume] [options]",
	    "monthly survey: per-ISP statistics, history and reports.\n"
	    "Without --resolver (the system's, often a public service) --qps "
	    "defaults to 50.\nThe ISPs' routes come from RIPEstat unless "
	    "--routes FILE is given; VRPs from --vrps or the RTR cache" },
	{ "report", cmd_report, "report --db FILE --month YYYY-MM "
	    "[--compare YYYY-MM] [--format html|md|csv|json] [--lang ja|en]",
	    "report a surveyed month from the history" },
	{ "datasets", cmd_datasets, "datasets check [--strict] FILE...",
	    "validate an ISP list" },
};

enum {
	OPT_RESOLVER = 1,
	OPT_TIMEOUT,
	OPT_CONCURRENCY,
	OPT_QPS,
	OPT_TRUST_ANCHOR,
	OPT_RTR,
	OPT_ROUTES,
	OPT_VRPS,
	OPT_ASN_SERVICE,
	OPT_CA_FILE,
	OPT_RIPESTAT_URL,
	OPT_HTTPS_PORT,
	OPT_AT,
	OPT_JSON,
	OPT_HELP,
	/* RPKI data sources */
	OPT_RTR_TIMEOUT,
	OPT_VRPS_MAX_AGE,
	OPT_RIPESTAT_SOURCEAPP,
	OPT_CONTACT,
	OPT_ASN_QPS,
};

static const struct hy_cli_opt cli_global[] = {
	{ "resolver", required_argument, OPT_RESOLVER, "HOST[:PORT]",
	    "resolver to use (repeatable; IPv6 as [addr]:port); default: "
	    "/etc/resolv.conf" },
	{ "timeout", required_argument, OPT_TIMEOUT, "SECONDS",
	    "deadline per domain (default 15)" },
	{ "concurrency", required_argument, OPT_CONCURRENCY, "N",
	    "DNS queries in flight at most (default 200)" },
	{ "qps", required_argument, OPT_QPS, "N",
	    "cap on DNS queries per second (default: no cap)" },
	{ "trust-anchor", required_argument, OPT_TRUST_ANCHOR, "FILE",
	    "DNSSEC trust anchor: DNSKEY or DS records in zone-file syntax "
	    "(default: IANA root KSKs 20326 and 38696)" },
	{ "rtr", required_argument, OPT_RTR, "HOST:PORT",
	    "RPKI-to-Router cache (default " HY_DEFAULT_RTR ")" },
	{ "rtr-timeout", required_argument, OPT_RTR_TIMEOUT, "SECONDS",
	    "deadline of the whole RTR sync (default 300)" },
	{ "routes", required_argument, OPT_ROUTES, "FILE|ripestat",
	    "prefix-to-origin table (pfx2as, prefix/len<TAB>asn, bgpdump -m; "
	    "gzip ok)" },
	{ "vrps", required_argument, OPT_VRPS, "FILE",
	    "VRPs from a JSON file instead of an RTR cache" },
	{ "vrps-max-age", required_argument, OPT_VRPS_MAX_AGE, "HOURS",
	    "refuse a VRP file built longer ago than this before the "
	    "validation time (default 24; 0: any age)" },
	{ "ripestat-url", required_argument, OPT_RIPESTAT_URL, "URL",
	    "base URL of the RIPEstat data API for --routes ripestat "
	    "(default " HY_DEFAULT_RIPESTAT_URL ")" },
	{ "ripestat-sourceapp", required_argument, OPT_RIPESTAT_SOURCEAPP,
	    "NAME", "sourceapp sent to RIPEstat (default \"hygiene\", with "
	    "the --contact)" },
	{ "contact", required_argument, OPT_CONTACT, "URL|EMAIL",
	    "who runs the scan: sent in the HTTP User-Agent and RIPEstat's "
	    "sourceapp" },
	{ "asn-qps", required_argument, OPT_ASN_QPS, "N",
	    "cap on IP-to-ASN DNS lookups per second (default 10)" },
	{ "asn-service", required_argument, OPT_ASN_SERVICE,
	    "V4ZONE[,V6ZONE]", "IP-to-origin-AS DNS service used without "
	    "--routes (default " HY_DEFAULT_ASN_SERVICE ")" },
	{ "ca-file", required_argument, OPT_CA_FILE, "FILE",
	    "CA certificates for HTTPS (MTA-STS, data sources)" },
	{ "https-port", required_argument, OPT_HTTPS_PORT, "N",
	    "port for HTTPS fetches (default 443)" },
	{ "at", required_argument, OPT_AT, "TIME",
	    "validation time: RFC 3339 or UNIX seconds (default: now)" },
	{ "json", no_argument, OPT_JSON, NULL,
	    "machine-readable output (one JSON object per line)" },
	{ "help", no_argument, OPT_HELP, NULL, "show this help" },
	{ NULL, 0, 0, NULL, NULL },
};

void
hy_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "hygiene%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'hygiene %s%s--help' for more information.\n",
	    cmd ? cmd : "", cmd ? " " : "");
}

static void
cli_print_opts(const struct hy_cli_opt *o)
{
	char left[64];

	for (; o != NULL && o->name != NULL; o++) {
		snprintf(left, sizeof(left), "--%s%s%s", o->name,
		    o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
		printf("  %-26s %s\n", left, o->help);
	}
}

static void
cli_exit_codes(void)
{
	printf("\nExit status:\n"
	    "  0  every input was measured\n"
	    "  1  could not run (bad file, resolver or RTR cache unusable, I/O)\n"
	    "  2  usage error\n"
	    "  3  ran, but some inputs could not be measured (invalid name,\n"
	    "     timeout, SERVFAIL): see `errors` and the indeterminate or\n"
	    "     temperror verdicts\n");
}

void
hy_cli_help(const char *cmd, const struct hy_cli_opt *extra)
{
	size_t i;

	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		if (strcmp(cli_cmds[i].name, cmd) == 0)
			printf("Usage: hygiene %s\n%s.\n", cli_cmds[i].usage,
			    cli_cmds[i].summary);
	if (extra != NULL && extra->name != NULL) {
		printf("\nOptions:\n");
		cli_print_opts(extra);
	}
	printf("\nGlobal options:\n");
	cli_print_opts(cli_global);
	cli_exit_codes();
}

static void
cli_main_help(void)
{
	size_t i;

	printf("Usage: hygiene COMMAND [options] [ARGS]\n\n"
	    "Measures RPKI route origin validation, DNSSEC and mail sender\n"
	    "authentication (SPF, DMARC, MTA-STS, TLS-RPT) of domains and ISPs.\n"
	    "\nCommands:\n");
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
{
		/* The overview shows a summary's first clause; a command's own
		 * --help shows all of it. */
		const char *sm = cli_cmds[i].summary, *paren = strstr(sm, " (");
		size_t n = strcspn(sm, "\n");

		if (paren != NULL && (size_t)(paren - sm) < n)
			n = (size_t)(paren - sm);
		while (n > 0 && (sm[n - 1] == ' ' || sm[n - 1] == '.'))
			n--;
		printf("  %-10s %.*s\n", cli_cmds[i].name, (int)n, sm);
	}
	printf("\n'hygiene COMMAND --help' shows a command's options.\n"
	    "'hygiene --version' prints the version.\n");
	cli_exit_codes();
}

static int
cli_uint(const char *cmd, const char *opt, const char *arg, unsigned long min,
    unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || arg[0] == '-' ||
	    v < min || v > max) {
		hy_cli_usage_error(cmd, "--%s: expected a whole number from %lu "
		    "to %lu, got '%s'", opt, min, max, arg);
		return -1;
	}
	*out = v;
	return 0;
}

/* RFC 3339 ("2026-11-22T05:00:00Z", offsets allowed) or UNIX seconds. */
static int
cli_time(const char *arg, time_t *out)
{
	struct tm tm;
	const char *rest;
	char *end;
	long off = 0;

	if (isdigit((unsigned char)arg[0]) && strchr(arg, '-') == NULL) {
		long long v;

		errno = 0;
		v = strtoll(arg, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
		*out = (time_t)v;
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if ((rest = strptime(arg, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*rest == '.')
		for (rest++; isdigit((unsigned char)*rest); rest++)
			;
	if (*rest == 'Z' || *rest == 'z') {
		rest++;
	} else if ((*rest == '+' || *rest == '-') && strlen(rest) == 6 &&
	    rest[3] == ':') {
		off = (long)((rest[1] - '0') * 10 + (rest[2] - '0')) * 3600 +
		    (long)((rest[4] - '0') * 10 + (rest[5] - '0')) * 60;
		if (*rest == '+')
			off = -off;
		rest += 6;
	} else {
		return -1;
	}
	if (*rest != '\0')
		return -1;
	*out = timegm(&tm) + off;
	return 0;
}

static int
cli_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

static int
cli_add_resolver(struct hy_config *cfg, const char *arg)
{
	const char **n = realloc(cfg->resolvers,
	    (cfg->nresolvers + 1) * sizeof(*n));

	if (n == NULL)
		return -1;
	cfg->resolvers = n;
	cfg->resolvers[cfg->nresolvers++] = arg;
	return 0;
}

static int
cli_global_opt(const char *cmd, struct hy_config *cfg, int id, const char *arg)
{
	unsigned long v;

	switch (id) {
	case OPT_RESOLVER:
		if (*arg == '\0') {
			hy_cli_usage_error(cmd, "--resolver: empty address");
			return -1;
		}
		return cli_add_resolver(cfg, arg);
	case OPT_TIMEOUT:
		if (cli_uint(cmd, "timeout", arg, 1, 3600, &v) != 0)
			return -1;
		cfg->timeout_ms = (unsigned)v * 1000u;
		return 0;
	case OPT_RTR_TIMEOUT:
		if (cli_uint(cmd, "rtr-timeout", arg, 1, 86400, &v) != 0)
			return -1;
		cfg->rtr_timeout_ms = (unsigned)v * 1000u;
		return 0;
	case OPT_VRPS_MAX_AGE:
		if (cli_uint(cmd, "vrps-max-age", arg, 0, 24 * 366, &v) != 0)
			return -1;
		cfg->vrps_max_age_s = (unsigned)v * 3600u;
		return 0;
	case OPT_CONCURRENCY:
		if (cli_uint(cmd, "concurrency", arg, 1, 10000, &v) != 0)
			return -1;
		cfg->concurrency = (unsigned)v;
		return 0;
	case OPT_QPS:
		if (cli_uint(cmd, "qps", arg, 1, 1000000, &v) != 0)
			return -1;
		cfg->qps = (double)v;
		return 0;
	case OPT_HTTPS_PORT:
		if (cli_uint(cmd, "https-port", arg, 1, 65535, &v) != 0)
			return -1;
		cfg->https_port = (unsigned)v;
		return 0;
	case OPT_AT:
		if (cli_time(arg, &cfg->now) != 0) {
			hy_cli_usage_error(cmd, "--at: expected RFC 3339 time "
			    "(2026-11-22T05:00:00Z) or UNIX seconds, got '%s'",
			    arg);
			return -1;
		}
		cfg->at_set = true;
		return 0;
	case OPT_TRUST_ANCHOR:
		cfg->trust_anchor = arg;
		return 0;
	case OPT_RTR:
		cfg->rtr = arg;
		cfg->rtr_set = true;
		return 0;
	case OPT_ROUTES:
		cfg->routes = arg;
		return 0;
	case OPT_VRPS:
		cfg->vrps = arg;
		return 0;
	case OPT_ASN_SERVICE:
		if (*arg == '\0' || *arg == ',') {
			hy_cli_usage_error(cmd, "--asn-service: expected "
			    "V4ZONE[,V6ZONE]");
			return -1;
		}
		cfg->asn_service = arg;
		return 0;
	case OPT_CA_FILE:
		cfg->ca_file = arg;
		return 0;
	case OPT_RIPESTAT_URL:
		cfg->ripestat_url = arg;
		return 0;
	case OPT_RIPESTAT_SOURCEAPP:
	case OPT_CONTACT:
		/* Both go into HTTP requests: printable ASCII only. */
		if (*arg == '\0' || strlen(arg) > 200 || !cli_printable(arg)) {
			hy_cli_usage_error(cmd, "--%s: expected 1 to 200 "
			    "printable ASCII characters, got '%s'",
			    id == OPT_CONTACT ? "contact" :
			    "ripestat-sourceapp", arg);
			return -1;
		}
		if (id == OPT_CONTACT)
			cfg->contact = arg;
		else
			cfg->ripestat_sourceapp = arg;
		return 0;
	case OPT_ASN_QPS:
		if (cli_uint(cmd, "asn-qps", arg, 1, 100000, &v) != 0)
			return -1;
		cfg->asn_qps = (double)v;
		return 0;
	case OPT_JSON:
		cfg->json = true;
		return 0;
	}
	return -1;
}

static size_t
cli_count(const struct hy_cli_opt *o)
{
	size_t n = 0;

	while (o != NULL && o[n].name != NULL)
		n++;
	return n;
}

int
hy_cli_parse(int argc, char **argv, const char *cmd, struct hy_config *cfg,
    const struct hy_cli_opt *extra, hy_cli_opt_fn fn, void *ctx)
{
	size_t ng = cli_count(cli_global), ne = cli_count(extra), i;
	struct option *lo;
	int ch, rc = -1;

	if ((lo = calloc(ng + ne + 1, sizeof(*lo))) == NULL) {
		fprintf(stderr, "hygiene: out of memory\n");
		return -1;
	}
	for (i = 0; i < ng; i++)
		lo[i] = (struct option){ cli_global[i].name,
		    cli_global[i].has_arg, NULL, cli_global[i].id };
	for (i = 0; i < ne; i++)
		lo[ng + i] = (struct option){ extra[i].name, extra[i].has_arg,
		    NULL, extra[i].id };
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		if (ch == 'h' || ch == OPT_HELP) {
			hy_cli_help(cmd, extra);
			rc = -2;
			goto out;
		}
		if (ch == '?') {
			/* optopt names an unknown short option; argv[optind
			 * - 1] may be another argument while getopt is still
			 * inside a group such as "-bad.jp". */
			if (optopt != 0)
				hy_cli_usage_error(cmd, "unknown option '-%c'",
				    optopt);
			else
				hy_cli_usage_error(cmd, "unknown option '%s'",
				    argv[optind - 1]);
			goto out;
		}
		if (ch == ':') {
			hy_cli_usage_error(cmd, "option '%s' needs an argument",
			    argv[optind - 1]);
			goto out;
		}
		if (ch >= 1000) {
			if (fn == NULL || fn(ctx, ch, optarg) != 0)
				goto out;
		} else if (cli_global_opt(cmd, cfg, ch, optarg) != 0) {
			goto out;
		}
	}
	rc = optind;
out:
	free(lo);
	return rc;
}

int
hy_cli_main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		hy_cli_usage_error(NULL, "missing command");
		return HY_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		cli_main_help();
		return HY_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("hygiene %s\n", HYGIENE_VERSION);
		return HY_EXIT_OK;
	}
	for (i = 0; i < sizeof(cli_cmds) / sizeof(cli_cmds[0]); i++)
		if (strcmp(argv[1], cli_cmds[i].name) == 0)
			return cli_cmds[i].fn(argc - 1, argv + 1);
	hy_cli_usage_error(NULL, "unknown command '%s'", argv[1]);
	return HY_EXIT_USAGE;
}
