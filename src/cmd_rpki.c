/*
 * `hygiene rpki`: RFC 6811 route origin validation of every route the
 * ISPs' ASNs originate, with per-ISP statistics (include/hygiene/rpki.h).
 *
 * VRPs come from --vrps FILE or from the RTR cache (--rtr, default a
 * public cache); a cache that cannot be synced within --rtr-timeout is
 * fatal (exit 1): without a full VRP set every route would look
 * "not-found".
 *
 * With --paths (collector RIB dumps), each ISP also gets "rov": whether
 * it drops RPKI-invalid routes (include/hygiene/rov.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "hygiene/isps.h"
#include "hygiene/mrt.h"
#include "hygiene/rpki.h"
#include "hygiene/ripestat.h"
#include "hygiene/rov.h"
#include "hygiene/txt.h"

enum { OPT_ISPS = 1000, OPT_DETAIL, OPT_PATHS };

static const struct hy_cli_opt rpki_opts[] = {
	{ "isps", required_argument, OPT_ISPS, "FILE",
	    "ISP list: {\"isps\": [{id, name, name_ja, asns, domains}]}" },
	{ "detail", no_argument, OPT_DETAIL, NULL,
	    "list every route with its state and the reason" },
	{ "paths", required_argument, OPT_PATHS, "DUMP...",
	    "collector RIB dumps (MRT or bgpdump -m; gzip, bzip2): does each "
	    "ISP drop RPKI-invalid routes? (more DUMPs may follow)" },
	{ NULL, 0, 0, NULL, NULL },
};

struct rpki_cmd {
	struct hy_config	 cfg;
	const char		*isps_path;
	bool			 detail;
	const char		**paths;	/* into argv */
	size_t			 npaths;
	struct hy_isp_list	*isps;
	struct hy_rov		*rov;
	struct hy_routes	*routes;
	struct hy_vrps		*vrps;
	struct hy_rpki_stats	**stats;
	struct hy_ripestat_info	 ripe;		/* --routes ripestat */
	double			 ms_routes, ms_vrps, ms_validate, ms_stats,
				 ms_paths;
};

static int
rpki_opt(void *ctx, int id, const char *arg)
{
	struct rpki_cmd *rc = ctx;

	switch (id) {
	case OPT_ISPS:
		rc->isps_path = arg;
		break;
	case OPT_DETAIL:
		rc->detail = true;
		break;
	case OPT_PATHS:
		rc->paths[rc->npaths++] = arg;
		break;
	}
	return 0;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Every ASN of every ISP, for the RIPEstat source. */
static int
all_asns(const struct hy_isp_list *l, uint32_t **out, size_t *n)
{
	size_t i, j, k = 0, total = 0;

	for (i = 0; i < l->n; i++)
		total += l->v[i].nasns;
	if ((*out = reallocarray(NULL, total + 1, sizeof(**out))) == NULL)
		return -1;
	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->v[i].nasns; j++)
			(*out)[k++] = l->v[i].asns[j];
	*n = k;
	return 0;
}

static int
load_routes(struct rpki_cmd *rc, char *err, size_t errlen)
{
	struct hy_ripestat_opts ro;
	uint32_t *asns;
	size_t nasns;
	int r;

	if (strcmp(rc->cfg.routes, "ripestat") != 0)
		return hy_routes_load(rc->cfg.routes, &rc->routes, err, errlen);
	if (all_asns(rc->isps, &asns, &nasns) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	hy_ripestat_opts_init(&ro, &rc->cfg);
	r = hy_ripestat_routes(&ro, asns, nasns, &rc->routes, &rc->ripe, err,
	    errlen);
	free(asns);
	return r;
}

static void
report_malformed(const struct rpki_cmd *rc)
{
	const struct hy_routes *r = rc->routes;
	size_t i;

	if (r->nerrors == 0)
		return;
	hy_cli_error("rpki", "%s: %zu malformed line%s skipped:",
	    rc->cfg.routes, r->nerrors, r->nerrors == 1 ? "" : "s");
	for (i = 0; i < r->nerrors && i < HY_ROUTES_MAX_ERRORS; i++)
		fprintf(stderr, "  line %zu: %s\n", r->errors[i].line,
		    r->errors[i].reason);
	if (r->nerrors > HY_ROUTES_MAX_ERRORS)
		fprintf(stderr, "  (%zu more not shown)\n",
		    r->nerrors - HY_ROUTES_MAX_ERRORS);
}

static void
fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The RIPEstat window, the RIS dump the answers describe, requests. */
static int
ripestat_json(json_t *o, const struct hy_ripestat_info *ri)
{
	char at[32], data[32];

	fmt_time(ri->at, at, sizeof(at));
	fmt_time(ri->data_time, data, sizeof(data));
	return json_object_set_new(o, "at", json_string(at)) ||
	    json_object_set_new(o, "data_time", ri->data_time ?
	    json_string(data) : json_null()) ||
	    json_object_set_new(o, "requests", json_integer(ri->requests)) ||
	    json_object_set_new(o, "retries", json_integer(ri->retries)) ? -1 :
	    0;
}

/* Malformed dump records are listed like malformed route lines. */
static void
report_malformed_paths(const struct rpki_cmd *rc)
{
	json_t *src = hy_rov_source_json(rc->rov), *f, *e;
	size_t i, j, n;

	json_array_foreach(json_object_get(src, "files"), i, f) {
		n = (size_t)json_integer_value(json_object_get(f, "malformed"));
		if (n == 0)
			continue;
		hy_cli_error("rpki", "%s: %zu malformed record%s skipped:",
		    json_string_value(json_object_get(f, "name")), n,
		    n == 1 ? "" : "s");
		json_array_foreach(json_object_get(f, "malformed_records"), j,
		    e)
			fprintf(stderr, "  %s %lld: %s\n", strcmp(
			    json_string_value(json_object_get(f, "format")),
			    "bgpdump") == 0 ? "line" : "record",
			    (long long)json_integer_value(json_object_get(e,
			    "record")),
			    json_string_value(json_object_get(e, "reason")));
		if (n > HY_RIB_MAX_ERRORS)
			fprintf(stderr, "  (%zu more not shown)\n",
			    n - HY_RIB_MAX_ERRORS);
	}
	json_decref(src);
}

/* Read the dumps once the VRPs are in. The VRPs are of now for an RTR
 * cache, of --at (default now) for a file. */
static int
load_paths(struct rpki_cmd *rc)
{
	char err[512];
	double t = now_ms();
	int r;

	r = hy_rov_analyse(rc->isps, rc->vrps, rc->paths, rc->npaths,
	    rc->cfg.vrps != NULL ? rc->cfg.now : time(NULL), &rc->rov, err,
	    sizeof(err));
	rc->ms_paths = now_ms() - t;
	if (rc->rov != NULL)
		report_malformed_paths(rc);
	if (r != 0)
		hy_cli_error("rpki", "paths: %s", err);
	return r;
}

static json_t *
route_source_json(const struct rpki_cmd *rc)
{
	const struct hy_routes *r = rc->routes;
	json_t *o, *bad;
	size_t i;

	if ((bad = json_array()) == NULL)
		return NULL;
	for (i = 0; i < r->nerrors && i < HY_ROUTES_MAX_ERRORS; i++)
		if (json_array_append_new(bad, json_pack("{s:I, s:s}", "line",
		    (json_int_t)r->errors[i].line, "reason",
		    r->errors[i].reason)) != 0) {
			json_decref(bad);
			return NULL;
		}
	o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o}",
	    "type", strcmp(rc->cfg.routes, "ripestat") == 0 ? "ripestat" :
	    "file", "name", strcmp(rc->cfg.routes, "ripestat") == 0 ?
	    (rc->cfg.ripestat_url ? rc->cfg.ripestat_url :
	    HY_DEFAULT_RIPESTAT_URL) :
	    rc->cfg.routes, "lines", (json_int_t)r->lines,
	    "routes", (json_int_t)r->n, "malformed", (json_int_t)r->nerrors,
	    "malformed_lines", bad);
	if (o != NULL && strcmp(rc->cfg.routes, "ripestat") == 0 &&
	    ripestat_json(o, &rc->ripe) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
isp_json(const struct rpki_cmd *rc, size_t i)
{
	const struct hy_isp *isp = &rc->isps->v[i];
	json_t *o, *asns;
	size_t j;

	if ((o = hy_rpki_stats_json(rc->stats[i], rc->routes)) == NULL)
		return NULL;
	if ((asns = json_array()) == NULL)
		goto fail;
	for (j = 0; j < isp->nasns; j++)
		if (json_array_append_new(asns, json_integer(isp->asns[j])) != 0) {
			json_decref(asns);
			goto fail;
		}
	if (rc->rov != NULL && json_object_set_new(o, "rov",
	    hy_rov_isp_json(rc->rov, i)) != 0)
		goto fail;
	if (json_object_set_new(o, "asns", asns) != 0 ||
	    json_object_set_new(o, "id", json_string(isp->id)) != 0 ||
	    json_object_set_new(o, "name", json_string(isp->name)) != 0 ||
	    json_object_set_new(o, "name_ja", json_string(isp->name_ja)) != 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static int
print_json(const struct rpki_cmd *rc)
{
	char when[32];
	struct tm tm;
	json_t *o, *isps;
	size_t i;
	int r = -1;

	gmtime_r(&rc->cfg.now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((isps = json_array()) == NULL)
		return -1;
	for (i = 0; i < rc->isps->n; i++)
		if (json_array_append_new(isps, isp_json(rc, i)) != 0) {
			json_decref(isps);
			return -1;
		}
	o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:f, s:f, s:f, s:f}}",
	    "schema_version", "1.0", "generated_at", when,
	    "vrp_source", hy_vrps_source_json(rc->vrps),
	    "route_source", route_source_json(rc), "isps", isps,
	    "timing_ms", "routes", rc->ms_routes, "vrps", rc->ms_vrps,
	    "validate", rc->ms_validate, "stats", rc->ms_stats);
	if (o == NULL)
		return -1;
	if (rc->rov != NULL && (json_object_set_new(o, "path_source",
	    hy_rov_source_json(rc->rov)) != 0 || json_object_set_new(
	    json_object_get(o, "timing_ms"), "paths",
	    json_real(rc->ms_paths)) != 0)) {
		json_decref(o);
		return -1;
	}
	if (json_dumpf(o, stdout, JSON_COMPACT) == 0 && fputc('\n', stdout) !=
	    EOF)
		r = 0;
	json_decref(o);
	return r;
}

static void
print_source(const struct rpki_cmd *rc)
{
	json_t *s = hy_vrps_source_json(rc->vrps);
	const char *bt;

	if (s == NULL)
		return;
	if (strcmp(json_string_value(json_object_get(s, "type")), "rtr") == 0)
		printf("VRPs:   %zu from RTR cache %s (serial %lld)\n",
		    hy_vrps_count(rc->vrps),
		    json_string_value(json_object_get(s, "host")),
		    (long long)json_integer_value(json_object_get(s, "serial")));
	else {
		/* The build time is the VRP file's text: any character. */
		bt = json_string_value(json_object_get(s, "build_time"));
		printf("VRPs:   %zu from %s (built ", hy_vrps_count(rc->vrps),
		    json_string_value(json_object_get(s, "file")));
		hy_txt_fputs(bt ? bt : "unknown", stdout);
		printf(")\n");
	}
	json_decref(s);
	printf("Routes: %zu from %s (%zu malformed lines skipped)\n\n",
	    rc->routes->n, rc->cfg.routes, rc->routes->nerrors);
}

/* "AS64500", or "{64500,64501}" for an AS_SET ("...}" when cut). */
static void
origin_str(const struct hy_routes *r, const struct hy_route *rt, char *buf,
    size_t len)
{
	size_t i, off;

	if (rt->set_len == 0) {
		snprintf(buf, len, "AS%u", rt->asn);
		return;
	}
	off = (size_t)snprintf(buf, len, "{");
	for (i = 0; i < rt->set_len && off + 16 < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u",
		    i ? "," : "", r->sets[rt->set_off + i]);
	snprintf(buf + off, len - off, "%s}", i < rt->set_len ? ",..." : "");
}

static void
print_detail(const struct rpki_cmd *rc, size_t i)
{
	const struct hy_rpki_stats *st = rc->stats[i];
	const struct hy_route *rt;
	char p[64], why[256], origin[64];
	size_t j;

	/* The name is the ISP list's text: any character. */
	printf("\n%s (", rc->isps->v[i].id);
	hy_txt_fputs(rc->isps->v[i].name, stdout);
	printf("): %zu routes\n", st->ndetail);
	for (j = 0; j < st->ndetail; j++) {
		rt = &rc->routes->v[st->detail[j].route];
		hy_prefix_str(&rt->pfx, p, sizeof(p));
		origin_str(rc->routes, rt, origin, sizeof(origin));
		hy_rpki_reason(&st->detail[j].verdict, rt->asn,
		    rt->set_len > 0, why, sizeof(why));
		printf("  %-22s %-16s %-14s %s\n", p, origin,
		    hy_rpki_state_str(st->detail[j].verdict.state), why);
	}
}

/* The ROV table, each ISP's reason and its evidence. */
static void
print_rov(const struct rpki_cmd *rc)
{
	const struct hy_rov_summary *sm;
	const json_t *e;
	json_t *o;
	size_t i, j;

	printf("\nROV enforcement (whether the ISP drops RPKI-invalid routes; "
	    "from %zu collector dump%s):\n%-16s %-13s %5s %4s %9s %8s %8s "
	    "%8s\n", rc->npaths, rc->npaths == 1 ? "" : "s", "ISP", "status",
	    "feeds", "full", "exported", "invalid", "in-view", "transit");
	for (i = 0; i < rc->isps->n; i++) {
		sm = hy_rov_isp(rc->rov, i);
		printf("%-16.16s %-13s %5zu %4zu %9llu %8llu %8llu %8llu\n",
		    rc->isps->v[i].id, hy_rov_status_str(sm->status), sm->feeds,
		    sm->full_feeds, (unsigned long long)sm->routes_exported,
		    (unsigned long long)sm->invalid_exported,
		    (unsigned long long)sm->invalid_in_view,
		    (unsigned long long)sm->invalid_transit);
	}
	for (i = 0; i < rc->isps->n; i++) {
		printf("\n%s: %s: %s\n", rc->isps->v[i].id,
		    hy_rov_status_str(hy_rov_isp(rc->rov, i)->status),
		    hy_rov_isp(rc->rov, i)->reason);
		if ((o = hy_rov_isp_json(rc->rov, i)) == NULL)
			continue;
		json_array_foreach(json_object_get(o, "examples"), j, e)
			printf("  %-8s %-20s %-12s path %s, peer AS%lld %s\n"
			    "           %s\n",
			    json_string_value(json_object_get(e, "kind")),
			    json_string_value(json_object_get(e, "prefix")),
			    json_string_value(json_object_get(e, "state")),
			    json_string_value(json_object_get(e, "path")),
			    (long long)json_integer_value(json_object_get(e,
			    "peer_asn")),
			    json_string_value(json_object_get(e, "peer_ip")),
			    json_string_value(json_object_get(e, "reason")));
		json_decref(o);
	}
}

static void
print_table(const struct rpki_cmd *rc)
{
	const struct hy_rpki_stats *st;
	char cov[16];
	size_t i;

	print_source(rc);
	printf("%-16s %7s %7s %7s %7s %7s %9s %8s %12s %6s\n", "ISP", "routes",
	    "valid", "inv-asn", "inv-len", "not-fnd", "ROA-cover", "v4-/24s",
	    "v4-valid-/24", "loose");
	for (i = 0; i < rc->isps->n; i++) {
		st = rc->stats[i];
		if (st->nroutes == 0)
			snprintf(cov, sizeof(cov), "-");
		else
			snprintf(cov, sizeof(cov), "%.1f%%", 100.0 *
			    (double)(st->nroutes -
			    st->routes[HY_RPKI_NOT_FOUND]) /
			    (double)st->nroutes);
		printf("%-16.16s %7llu %7llu %7llu %7llu %7llu %9s %8.0f %12.0f "
		    "%6zu\n", rc->isps->v[i].id,
		    (unsigned long long)st->nroutes,
		    (unsigned long long)st->routes[HY_RPKI_VALID],
		    (unsigned long long)st->routes[HY_RPKI_INVALID_ASN],
		    (unsigned long long)st->routes[HY_RPKI_INVALID_LENGTH],
		    (unsigned long long)st->routes[HY_RPKI_NOT_FOUND], cov,
		    st->v4_24[HY_RPKI_ALL], st->v4_24[HY_RPKI_VALID],
		    st->nloose);
	}
	if (rc->rov != NULL)
		print_rov(rc);
	if (rc->detail)
		for (i = 0; i < rc->isps->n; i++)
			print_detail(rc, i);
}

static int
rpki_run(struct rpki_cmd *rc)
{
	char err[512];
	uint32_t *asns;
	uint8_t *states;
	size_t i, nasns;
	double t;

	if (hy_isps_load(rc->isps_path, &rc->isps, err, sizeof(err)) != 0) {
		hy_cli_error("rpki", "%s", err);
		return HY_EXIT_FAIL;
	}
	for (i = 0; i < rc->isps->nwarnings; i++)
		hy_cli_error("rpki", "%s: warning: %s",
		    rc->isps_path, rc->isps->warnings[i]);
	t = now_ms();
	if (load_routes(rc, err, sizeof(err)) != 0) {
		hy_cli_error("rpki", "routes: %s", err);
		return HY_EXIT_FAIL;
	}
	rc->ms_routes = now_ms() - t;
	report_malformed(rc);
	t = now_ms();
	if (hy_cli_vrps("rpki", &rc->cfg, &rc->vrps) != 0)
		return HY_EXIT_FAIL;
	rc->ms_vrps = now_ms() - t;
	if (rc->npaths > 0 && load_paths(rc) != 0)
		return HY_EXIT_FAIL;
	t = now_ms();
	if ((rc->stats = calloc(rc->isps->n + 1, sizeof(*rc->stats))) == NULL ||
	    all_asns(rc->isps, &asns, &nasns) != 0)
		goto oom;
	states = hy_rpki_states(rc->vrps, rc->routes, asns, nasns);
	free(asns);
	if (states == NULL)
		goto oom;
	rc->ms_validate = now_ms() - t;
	t = now_ms();
	for (i = 0; i < rc->isps->n; i++)
		if (hy_rpki_isp_stats(rc->vrps, rc->routes, states,
		    rc->isps->v[i].asns, rc->isps->v[i].nasns, rc->detail,
		    &rc->stats[i]) != 0) {
			free(states);
			goto oom;
		}
	free(states);
	rc->ms_stats = now_ms() - t;
	if (rc->cfg.json) {
		if (print_json(rc) != 0)
			goto oom;
	} else
		print_table(rc);
	if (fflush(stdout) != 0) {
		hy_cli_error("rpki", "write error on stdout");
		return HY_EXIT_FAIL;
	}
	/* Skipped lines are routes that were not measured. */
	return rc->routes->nerrors > 0 || (rc->rov != NULL &&
	    hy_rov_malformed(rc->rov) > 0) ? HY_EXIT_INCOMPLETE : HY_EXIT_OK;
oom:
	hy_cli_error("rpki", "out of memory");
	return HY_EXIT_FAIL;
}

int
cmd_rpki(int argc, char **argv)
{
	struct rpki_cmd rc;
	size_t i;
	int idx, ret;

	memset(&rc, 0, sizeof(rc));
	hy_config_init(&rc.cfg);
	ret = HY_EXIT_FAIL;
	if ((rc.paths = calloc((size_t)argc + 1, sizeof(*rc.paths))) == NULL)
		goto out;
	idx = hy_cli_parse(argc, argv, "rpki", &rc.cfg, rpki_opts, rpki_opt,
	    &rc);
	if (idx == -2) {
		ret = HY_EXIT_OK;
		goto out;
	}
	ret = HY_EXIT_USAGE;
	if (idx < 0)
		goto out;
	/* "--paths A B C": the files after the first are arguments. */
	while (rc.npaths > 0 && idx < argc)
		rc.paths[rc.npaths++] = argv[idx++];
	if (idx < argc) {
		hy_cli_usage_error("rpki", "unexpected argument '%s'", argv[idx]);
		goto out;
	}
	if (rc.isps_path == NULL || rc.cfg.routes == NULL) {
		hy_cli_usage_error("rpki", "--isps FILE and --routes SRC are "
		    "required");
		goto out;
	}
	if (rc.cfg.vrps != NULL && rc.cfg.rtr_set) {
		hy_cli_usage_error("rpki", "give --rtr or --vrps, not both");
		goto out;
	}
	if (rc.cfg.vrps == NULL && (strrchr(rc.cfg.rtr, ':') == NULL ||
	    strrchr(rc.cfg.rtr, ':')[1] == '\0')) {
		hy_cli_usage_error("rpki", "--rtr: expected HOST:PORT, got '%s'",
		    rc.cfg.rtr);
		goto out;
	}
	ret = rpki_run(&rc);
out:
	if (rc.stats != NULL && rc.isps != NULL)
		for (i = 0; i < rc.isps->n; i++)
			hy_rpki_stats_free(rc.stats[i]);
	free(rc.stats);
	hy_rov_free(rc.rov);
	free(rc.paths);
	hy_vrps_free(rc.vrps);
	hy_routes_free(rc.routes);
	hy_isps_free(rc.isps);
	hy_config_free(&rc.cfg);
	return ret;
}
