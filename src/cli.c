/*
 * Subcommand dispatch and the global options. Every subcommand parses
 * its arguments with hy_cli_parse(), so the global options mean the same
 * everywhere and --help lists them the same way.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hygiene/txt.h"

struct cli_cmd {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*usage;
	const char	*summary;
};

static const struct cli_cmd cli_cmds[] = {
	{ "check", cmd_check, "check [options] DOMAIN... | --file FILE | -",
	    "check domains: DNSSEC, SPF, DMARC, MTA-STS, TLS-RPT, MX, NS" },
	{ "spf", cmd_spf, "spf [options] DOMAIN --ip IP [--sender ADDR] "
	    "[--helo NAME]", "evaluate SPF check_host() (RFC 7208) for one "
	    "client address" },
	{ "rpki", cmd_rpki,
	    "rpki [--rtr HOST:PORT | --vrps FILE] --routes SRC --isps FILE "
	    "[--json] [--detail] [--paths DUMP...]",
	    "RPKI route origin validation of the ISPs' routes, per ISP "
	    "(--rtr-timeout bounds the RTR sync)" },
	{ "survey", cmd_survey, "survey --isps FILE [--domains FILE] --out DIR "
	    "[--month YYYY-MM] [--db FILE] [--resume] [--paths DUMP...] "
	    "[options]",
	    "monthly survey: per-ISP statistics, history and reports.\n"
	    "Without --resolver (the system's, often a public service) --qps "
	    "defaults to 50.\nThe ISPs' routes come from RIPEstat unless "
	    "--routes FILE is given; VRPs from --vrps or the RTR cache" },
	{ "report", cmd_report, "report --db FILE --month YYYY-MM "
	    "[--compare YYYY-MM] [--format html|md|csv|json] [--lang ja|en]",
	    "report a surveyed month from the history" },
	{ "datasets", cmd_datasets, "datasets check [--strict] FILE...",
	    "validate an ISP list" },
	{ "explain", cmd_explain, "explain [--lang en|ja] CODE... | --list | "
	    "--json | --markdown | --schema-enum",
	    "explain finding and error codes: what each means, its RFC "
	    "section and how to fix it" },
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
	    "resolver to use: numeric IPv4 or IPv6 address (repeatable; "
	    "IPv6 as [addr]:port); default: /etc/resolv.conf" },
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

/* "hygiene CMD: message" without its newline. The message quotes input
 * (names, file names and contents, DNS data): it reaches the terminal as
 * hy_txt_fputs() shows it, so no escape sequence in it is obeyed. */
static void
cli_vmessage(const char *cmd, const char *fmt, va_list ap)
{
	char *msg = NULL;

	fprintf(stderr, "hygiene%s%s: ", cmd ? " " : "", cmd ? cmd : "");
	if (vasprintf(&msg, fmt, ap) < 0) {
		fputs("out of memory", stderr);
		return;
	}
	hy_txt_fputs(msg, stderr);
	free(msg);
}

void
hy_cli_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmessage(cmd, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
hy_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_vmessage(cmd, fmt, ap);
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

/* The decimal number arg, digits only (no sign, space or suffix). */
static int
cli_digits(const char *arg, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!isdigit((unsigned char)arg[0]))
		return -1;
	errno = 0;
	*out = strtoull(arg, &end, 10);
	return errno != 0 || *end != '\0' || *out > max ? -1 : 0;
}

static int
cli_uint(const char *cmd, const char *opt, const char *arg, unsigned long min,
    unsigned long max, unsigned long *out)
{
	unsigned long long v;

	if (cli_digits(arg, max, &v) != 0 || v < min) {
		hy_cli_usage_error(cmd, "--%s: expected a whole number from %lu "
		    "to %lu, got '%s'", opt, min, max, arg);
		return -1;
	}
	*out = (unsigned long)v;
	return 0;
}

/* n digits at s as a number, or -1. */
static int
cli_fixed(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
cli_mdays(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/*
 * RFC 3339 date-time (§5.6: "2026-11-22T05:00:00Z", fraction and offset
 * allowed, T and Z in either case) or UNIX seconds. Every field is range
 * checked: 2026-02-30 is an error, not 2026-03-02. A leap second (:60)
 * is refused: time_t cannot hold it.
 */
static int
cli_time(const char *arg, time_t *out)
{
	unsigned long long secs;
	struct tm tm;
	const char *p = arg;
	int y, mo, d, h, mi, sec, oh = 0, om = 0;
	long off = 0;

	if (strchr(arg, '-') == NULL && strchr(arg, ':') == NULL) {
		/* Up to 9999-12-31T23:59:59Z, as in RFC 3339. */
		if (cli_digits(arg, 253402300799ULL, &secs) != 0)
			return -1;
		*out = (time_t)secs;
		return 0;
	}
	if (strlen(p) < 20 || p[4] != '-' || p[7] != '-' ||
	    (p[10] != 'T' && p[10] != 't') || p[13] != ':' || p[16] != ':')
		return -1;
	y = cli_fixed(p, 4);
	mo = cli_fixed(p + 5, 2);
	d = cli_fixed(p + 8, 2);
	h = cli_fixed(p + 11, 2);
	mi = cli_fixed(p + 14, 2);
	sec = cli_fixed(p + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > cli_mdays(y, mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return -1;
	p += 19;
	if (*p == '.') {
		if (!isdigit((unsigned char)p[1]))
			return -1;
		for (p++; isdigit((unsigned char)*p); p++)
			;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		if ((oh = cli_fixed(p + 1, 2)) < 0 || oh > 23 ||
		    (om = cli_fixed(p + 4, 2)) < 0 || om > 59)
			return -1;
		off = (long)oh * 3600 + (long)om * 60;
		if (*p == '+')
			off = -off;
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm) + off;
	return 0;
}

/* A port: digits only, 1..65535. */
static int
cli_port_ok(const char *s)
{
	unsigned long long v;

	return cli_digits(s, 65535, &v) == 0 && v > 0;
}

/*
 * --resolver: a numeric address, as c-ares takes it: IPv4 "a.b.c.d" or
 * "a.b.c.d:PORT", IPv6 bare or "[addr]" or "[addr]:PORT". NULL, or what
 * is wrong.
 */
static const char *
cli_resolver_error(const char *arg)
{
	char host[INET6_ADDRSTRLEN];
	unsigned char bin[sizeof(struct in6_addr)];
	const char *end, *port = NULL;
	size_t n;
	int fam;

	if (arg[0] == '[') {
		if ((end = strchr(arg, ']')) == NULL)
			return "missing ']' after the IPv6 address";
		if (end[1] == ':')
			port = end + 2;
		else if (end[1] != '\0')
			return "expected ':PORT' after ']'";
		arg++;
		n = (size_t)(end - arg);
		fam = AF_INET6;
	} else if ((end = strchr(arg, ':')) != NULL &&
	    strchr(end + 1, ':') != NULL) {
		n = strlen(arg);	/* a bare IPv6 address: no port */
		fam = AF_INET6;
	} else {
		n = end != NULL ? (size_t)(end - arg) : strlen(arg);
		if (end != NULL)
			port = end + 1;
		fam = AF_INET;
	}
	if (n == 0 || n >= sizeof(host))
		return "not a numeric IPv4 or IPv6 address";
	memcpy(host, arg, n);
	host[n] = '\0';
	if (inet_pton(fam, host, bin) != 1)
		return fam == AF_INET6 ? "not a numeric IPv6 address (zone "
		    "indices are not supported)" : "not a numeric IPv4 "
		    "address (or IPv6 as [addr]:port); host names are not "
		    "resolved";
	if (port != NULL && !cli_port_ok(port))
		return "the port must be a number from 1 to 65535";
	return NULL;
}

/* --rtr HOST:PORT: a host name or address (IPv6 in brackets) and a port
 * 1..65535. */
static int
cli_rtr_ok(const char *arg)
{
	const char *colon, *h;
	size_t n;

	if (arg[0] == '[') {
		if ((colon = strstr(arg, "]:")) == NULL)
			return 0;
		h = arg + 1;
		n = (size_t)(colon - h);
		colon++;
	} else {
		if ((colon = strrchr(arg, ':')) == NULL)
			return 0;
		h = arg;
		n = (size_t)(colon - arg);
		if (memchr(h, ':', n) != NULL)
			return 0;	/* IPv6 needs brackets */
	}
	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)h[i]) && strchr(".-_:", h[i]) ==
		    NULL)
			return 0;
	return cli_port_ok(colon + 1);
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
	const char *why;
	unsigned long v;

	switch (id) {
	case OPT_RESOLVER:
		if ((why = cli_resolver_error(arg)) != NULL) {
			hy_cli_usage_error(cmd, "--resolver '%s': %s (expected "
			    "HOST[:PORT] or [IPv6]:PORT)", arg, why);
			return -1;
		}
		if (cli_add_resolver(cfg, arg) != 0) {
			hy_cli_error(cmd, "out of memory");
			return -1;
		}
		return 0;
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
		if (!cli_rtr_ok(arg)) {
			hy_cli_usage_error(cmd, "--rtr: expected HOST:PORT "
			    "(IPv6 as [addr]:PORT, port 1 to 65535), got '%s'",
			    arg);
			return -1;
		}
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
		if ((strncmp(arg, "https://", 8) != 0 || arg[8] == '\0') &&
		    (strncmp(arg, "http://", 7) != 0 || arg[7] == '\0')) {
			hy_cli_usage_error(cmd, "--ripestat-url: expected an "
			    "http:// or https:// URL, got '%s'", arg);
			return -1;
		}
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
