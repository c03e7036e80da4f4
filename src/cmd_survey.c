/*
 * `hygiene survey`: the monthly survey (src/survey.c) over the real check
 * orchestrator, with progress on a terminal and a one-line summary.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "hygiene/check.h"
#include "hygiene/isps.h"
#include "hygiene/ripestat.h"
#include "hygiene/rov.h"
#include "hygiene/rpki.h"
#include "hygiene/store.h"
#include "hygiene/survey.h"

/* Without --resolver the system resolver is usually a public or ISP
 * service: ask it politely unless --qps says otherwise. */
#define SURVEY_PUBLIC_QPS	50.0
/* Resolver health: after this many queries in a row without a usable
 * answer (REFUSED, no answer, garbage; SERVFAIL does not count), check
 * queries ask the resolver directly. So many check queries all have to
 * fail to stop the survey that random faults, even one query in two,
 * practically never do. */
#define SURVEY_SUSPECT_STREAK	24
#define SURVEY_CHECKS		8

enum {
	OPT_ISPS = 1000, OPT_DOMAINS, OPT_OUT, OPT_MONTH, OPT_DB, OPT_RESUME,
	OPT_PATHS, OPT_EXCLUDE, OPT_REMEASURE,
};

static const struct hy_cli_opt survey_opts[] = {
	{ "isps", required_argument, OPT_ISPS, "FILE",
	    "the ISP list (datasets/jp-isps.json format)" },
	{ "domains", required_argument, OPT_DOMAINS, "FILE",
	    "more domains, one per line (UTF-8, BOM, CRLF, duplicates ok)" },
	{ "out", required_argument, OPT_OUT, "DIR",
	    "write results.ndjson, stats.json, stats.csv, report.html here" },
	{ "month", required_argument, OPT_MONTH, "YYYY-MM",
	    "the survey month (default: the current UTC month)" },
	{ "db", required_argument, OPT_DB, "FILE",
	    "SQLite history (default: hygiene-history.sqlite beside DIR)" },
	{ "resume", no_argument, OPT_RESUME, NULL,
	    "continue an interrupted survey of the month" },
	{ "remeasure", no_argument, OPT_REMEASURE, NULL,
	    "measure the month's incomplete domains again (and continue it "
	    "if it was interrupted)" },
	{ "paths", required_argument, OPT_PATHS, "DUMP...",
	    "collector RIB dumps (MRT or bgpdump -m; gzip, bzip2): ROV "
	    "enforcement per ISP (more DUMPs may follow)" },
	{ "exclude", required_argument, OPT_EXCLUDE, "FILE",
	    "never measure the names FILE lists, nor names below them "
	    "(\"*.NAME\": only below); names already in the month leave it" },
	{ NULL, 0, 0, NULL, NULL },
};

struct survey_cmd {
	struct hy_config	 cfg;
	const char		*isps, *domains, *out, *month, *db, *exclude;
	int			 resume, remeasure;
	const char		**paths;	/* into argv */
	size_t			 npaths;
	char			 month_buf[8];
	char			*db_buf;
	/* checker */
	struct hy_loop		*loop;
	struct hy_run		*run;
	/* progress */
	int			 tty;
	uint64_t		 t0_ms, last_ms;
	size_t			 first_done;
	/* resolver health */
	struct hy_dns_group	*checks;	/* the last round's queries */
	unsigned		 checks_pending, checks_usable;
	enum hy_dns_status	 check_status;	/* of a failed one */
	bool			 checks_final;	/* the loop runs for them */
	bool			 dead;
	char			 abort_why[512];
};

static int
survey_opt(void *ctx, int id, const char *arg)
{
	struct survey_cmd *sc = ctx;

	switch (id) {
	case OPT_ISPS: sc->isps = arg; break;
	case OPT_DOMAINS: sc->domains = arg; break;
	case OPT_OUT: sc->out = arg; break;
	case OPT_MONTH: sc->month = arg; break;
	case OPT_DB: sc->db = arg; break;
	case OPT_RESUME: sc->resume = 1; break;
	case OPT_REMEASURE: sc->remeasure = 1; break;
	case OPT_PATHS: sc->paths[sc->npaths++] = arg; break;
	case OPT_EXCLUDE: sc->exclude = arg; break;
	}
	return 0;
}

/* ---- the checker over hy_check_start() ---- */

struct real_cb {
	hy_survey_done_fn	 done;
	void			*arg;
};

static void
real_done(void *arg, struct hy_check *chk, json_t *obj)
{
	struct real_cb cb = *(struct real_cb *)arg;

	(void)chk;
	free(arg);
	cb.done(cb.arg, obj);
}

static int
real_start(void *ctx, const char *domain, hy_survey_done_fn done, void *arg)
{
	struct survey_cmd *sc = ctx;
	struct real_cb *cb;

	if ((cb = malloc(sizeof(*cb))) == NULL)
		return -1;
	cb->done = done;
	cb->arg = arg;
	if (hy_check_start(sc->run, domain, real_done, cb) != 0) {
		free(cb);
		return -1;
	}
	return 0;
}

static int
real_run(void *ctx)
{
	struct survey_cmd *sc = ctx;

	return hy_loop_run(sc->loop);
}

/* ---- resolver health ---- */

static void
survey_dead_why(struct survey_cmd *sc)
{
	struct hy_dns *dns = hy_run_dns(sc->run);
	struct hy_dns_stats ds;

	hy_dns_get_stats(dns, &ds);
	if (ds.answers == 0)
		snprintf(sc->abort_why, sizeof(sc->abort_why), "no answer from "
		    "the resolver (%s) to %llu queries", hy_dns_servers(dns),
		    (unsigned long long)ds.sent);
	else
		snprintf(sc->abort_why, sizeof(sc->abort_why), "the resolver "
		    "(%s) gives no usable answer any more: the last %llu "
		    "queries failed (so far %llu REFUSED, %llu unanswered, "
		    "unreachable or garbled, of %llu sent), and %d check "
		    "queries for "
		    "names that cannot exist failed too (%s)",
		    hy_dns_servers(dns),
		    (unsigned long long)ds.fail_streak,
		    (unsigned long long)ds.refused,
		    (unsigned long long)ds.failed,
		    (unsigned long long)ds.sent, SURVEY_CHECKS,
		    hy_dns_status_str(sc->check_status));
}

static void
survey_check_cb(void *arg, const struct hy_dns_result *res)
{
	struct survey_cmd *sc = arg;

	if (hy_dns_status_measured(res->status))
		sc->checks_usable++;
	else
		sc->check_status = res->status;
	if (--sc->checks_pending > 0)
		return;
	if (sc->checks_usable == 0) {
		sc->dead = true;
		survey_dead_why(sc);
	}
	if (sc->checks_final)
		hy_loop_stop(sc->loop);
}

/* A round of check queries straight to the resolver: names under
 * .invalid (RFC 6761 §6.4), new each time so no cache answers them and
 * any working resolver answers NXDOMAIN. No deadline: they end when the
 * resolver answers or the engine gives up, never while queued. */
static void
survey_checks_start(struct survey_cmd *sc)
{
	char name[64];
	int i;

	hy_dns_group_free(sc->checks);
	if ((sc->checks = hy_dns_group_new(hy_run_dns(sc->run), 0)) == NULL)
		return;
	sc->checks_usable = 0;
	for (i = 0; i < SURVEY_CHECKS; i++) {
		snprintf(name, sizeof(name), "hygiene-check-%08x.invalid",
		    arc4random());
		if (hy_dns_query(sc->checks, name, LDNS_RR_TYPE_SOA, 0,
		    survey_check_cb, sc) == 0)
			sc->checks_pending++;
	}
}

/*
 * Before a result is stored: has the resolver stopped answering? The
 * engine counts the queries in a row that got no usable answer; a run
 * of them starts check queries, and only when every check fails too is
 * the resolver dead. Finished domains prove nothing: an invalid name
 * finishes before any query is answered. At the end of the run (final)
 * the last results wait for this decision, so it runs the loop for it.
 */
static const char *
survey_abort_check(void *arg, bool final)
{
	struct survey_cmd *sc = arg;
	struct hy_dns_stats ds;

	hy_dns_get_stats(hy_run_dns(sc->run), &ds);
	if (!sc->dead && sc->checks_pending == 0 && (final ?
	    ds.fail_streak > 0 : ds.fail_streak >= SURVEY_SUSPECT_STREAK))
		survey_checks_start(sc);
	if (final && sc->checks_pending > 0) {
		sc->checks_final = true;
		hy_loop_run(sc->loop);
	}
	return sc->dead ? sc->abort_why : NULL;
}

/* Results are committed only while the resolver's latest answer was
 * usable: those finished after an outage began stay uncommitted, and are
 * rolled back if the outage is confirmed. */
static bool
survey_may_commit(void *arg)
{
	struct survey_cmd *sc = arg;
	struct hy_dns_stats ds;

	hy_dns_get_stats(hy_run_dns(sc->run), &ds);
	return !sc->dead && sc->checks_pending == 0 && ds.fail_streak == 0;
}

/* ---- per-ISP RPKI figures (the same as `hygiene rpki --json`) ---- */

/* The time the month's routes describe: --at, else the month's last
 * second, or now while the month runs; a resumed survey keeps the time
 * of the answers it saved. */
static time_t
survey_routes_time(const struct survey_cmd *sc)
{
	struct tm tm;
	time_t end, saved, now = time(NULL);

	if (sc->cfg.at_set)
		return sc->cfg.now;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = atoi(sc->month) - 1900;
	tm.tm_mon = atoi(sc->month + 5);	/* the next month, 0-based */
	tm.tm_mday = 1;
	end = timegm(&tm) - 1;
	if (sc->resume && (saved = hy_ripestat_saved_window(sc->out)) != 0 &&
	    saved <= end)
		return saved;
	return end < now ? end : now;
}

/* The ISPs' routes: from --routes FILE, or with --routes ripestat the
 * prefixes RIPEstat says each of the ISPs' ASNs announced at the
 * month's end (the raw answers are kept in the survey's directory). */
static int
survey_routes(const struct survey_cmd *sc, const uint32_t *asns, size_t n,
    struct hy_routes **out, char *err, size_t errlen)
{
	struct hy_ripestat_opts ro;

	if (strcmp(sc->cfg.routes, "ripestat") != 0)
		return hy_routes_load(sc->cfg.routes, out, err, errlen);
	hy_ripestat_opts_init(&ro, &sc->cfg);
	ro.at = survey_routes_time(sc);
	ro.save_dir = sc->out;		/* for --resume and audits */
	return hy_ripestat_routes(&ro, asns, n, out, NULL, err, errlen);
}

/*
 * ROV enforcement per ISP from the collector dumps (--paths), against the
 * survey's VRPs: of now for an RTR cache, of --at for a file. Malformed
 * records are skipped and listed on stderr; an unreadable or truncated
 * dump stops the survey before anything is measured.
 */
static int
survey_rov(const struct survey_cmd *sc, const struct hy_isp_list *isps,
    const struct hy_vrps *vrps, struct hy_rov **out, char *err,
    size_t errlen)
{
	json_t *src, *f, *e;
	size_t i, j;
	int rc;

	rc = hy_rov_analyse(isps, vrps, sc->paths, sc->npaths,
	    sc->cfg.vrps != NULL ? sc->cfg.now : time(NULL), out, err, errlen);
	if (rc != 0 && strncmp(err, "paths: ", 7) != 0) {
		/* say which input failed; no routes-source hint applies */
		memmove(err + 7, err, strnlen(err, errlen - 8) + 1);
		memcpy(err, "paths: ", 7);
	}
	if (*out == NULL || (src = hy_rov_source_json(*out)) == NULL)
		return rc;
	json_array_foreach(json_object_get(src, "files"), i, f)
		json_array_foreach(json_object_get(f, "malformed_records"), j,
		    e)
			hy_cli_error("survey", "%s: record %lld skipped: %s",
			    json_string_value(json_object_get(f, "name")),
			    (long long)json_integer_value(json_object_get(e,
			    "record")), json_string_value(json_object_get(e,
			    "reason")));
	json_decref(src);
	return rc;
}

/*
 * Validate every route of every ISP's ASNs (--routes FILE|ripestat) once
 * against the VRPs (--vrps, or the --rtr cache, by default a public one)
 * and keep each ISP's figures, keyed by ISP id, for stats.json. -1 with
 * err: fail closed, never report routes that were not validated.
 */
static int
survey_rpki(const struct survey_cmd *sc, const struct hy_isp_list *isps,
    const struct hy_vrps *vrps, json_t **out, char *err, size_t errlen)
{
	struct hy_routes *routes = NULL;
	struct hy_rpki_stats *st = NULL;
	struct hy_rov *rov = NULL;
	uint32_t *asns = NULL;
	uint8_t *states = NULL;
	json_t *map = NULL, *one;
	size_t i, j, n = 0;
	int rc = -1;

	*out = NULL;
	for (i = 0; i < isps->n; i++)
		n += isps->v[i].nasns;
	if ((asns = calloc(n + 1, sizeof(*asns))) == NULL)
		goto oom;
	for (i = 0, n = 0; i < isps->n; i++)
		for (j = 0; j < isps->v[i].nasns; j++)
			asns[n++] = isps->v[i].asns[j];
	if (survey_routes(sc, asns, n, &routes, err, errlen) != 0)
		goto out;
	if (sc->npaths > 0 && survey_rov(sc, isps, vrps, &rov, err,
	    errlen) != 0)
		goto out;
	if ((states = hy_rpki_states(vrps, routes, asns, n)) == NULL ||
	    (map = json_object()) == NULL)
		goto oom;
	for (i = 0; i < isps->n; i++) {
		/* With the routes that are not valid: each ISP's
		 * remediation sheet lists them (report --sheet). */
		if (hy_rpki_isp_stats(vrps, routes, states, isps->v[i].asns,
		    isps->v[i].nasns, true, &st) != 0 ||
		    (one = hy_rpki_stats_json(st, routes)) == NULL ||
		    json_object_set_new(map, isps->v[i].id, one) != 0 ||
		    json_object_del(one, "routes_detail") != 0 ||
		    json_object_set_new(one, "routes_to_fix",
		    hy_rpki_stats_fix_json(st, routes)) != 0 ||
		    (rov != NULL && json_object_set_new(one, "rov",
		    hy_rov_isp_json(rov, i)) != 0))
			goto oom;
		hy_rpki_stats_free(st);
		st = NULL;
	}
	*out = map;
	map = NULL;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	hy_rpki_stats_free(st);
	hy_rov_free(rov);
	json_decref(map);
	free(states);
	free(asns);
	hy_routes_free(routes);
	return rc;
}

/* An invalid line of --domains: named on stderr, recorded as invalid
 * input in the results. */
static void
survey_warn(void *arg, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;

	(void)arg;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	hy_cli_error("survey", "%s", msg != NULL ? msg : "out of memory");
	free(msg);
}

/* ---- progress ---- */

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
survey_progress(void *arg, size_t done, size_t total)
{
	struct survey_cmd *sc = arg;
	uint64_t t = now_ms();
	double rate, secs;
	size_t run_done;

	if (sc->first_done == (size_t)-1)
		sc->first_done = done - 1;
	if (t - sc->last_ms < 250 && done != total)
		return;
	sc->last_ms = t;
	secs = (double)(t - sc->t0_ms) / 1000.0;
	run_done = done - sc->first_done;
	rate = secs > 0 ? (double)run_done / secs : 0;
	if (rate > 0 && total > done)
		fprintf(stderr, "\r%zu/%zu domains  %.0f/s  ETA %lus   ", done,
		    total, rate, (unsigned long)((double)(total - done) /
		    rate));
	else
		fprintf(stderr, "\r%zu/%zu domains  %.0f/s            ", done,
		    total, rate);
	if (done == total)
		fputc('\n', stderr);
}

/* ---- setup ---- */

static int
survey_paths(struct survey_cmd *sc)
{
	struct tm tm;
	time_t t = time(NULL);
	char *copy;

	if (sc->month == NULL) {
		gmtime_r(&t, &tm);
		strftime(sc->month_buf, sizeof(sc->month_buf), "%Y-%m", &tm);
		sc->month = sc->month_buf;
	}
	if (!hy_month_valid(sc->month)) {
		hy_cli_usage_error("survey", "--month must be YYYY-MM, not "
		    "'%s'", sc->month);
		return -1;
	}
	if (sc->db == NULL) {
		/* Beside the month's directory, so months share one history. */
		if ((copy = strdup(sc->out)) == NULL ||
		    asprintf(&sc->db_buf, "%s/hygiene-history.sqlite",
		    dirname(copy)) < 0) {
			free(copy);
			sc->db_buf = NULL;
			hy_cli_error("survey", "out of memory");
			return -1;
		}
		free(copy);
		sc->db = sc->db_buf;
	}
	return 0;
}

/* mkdir -p: the month's directory usually sits in a new year folder. */
static int
survey_mkdirs(const char *path)
{
	char buf[4096], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

static void
survey_print_summary(const struct survey_cmd *sc,
    const struct hy_survey_summary *sum, const struct hy_dns_stats *ds,
    uint64_t ms)
{
	printf("survey %s: %zu domains: %zu measured, %zu incomplete, %zu do "
	    "not exist, %zu invalid input%s", sc->month, sum->targets,
	    sum->state[HY_MEAS_MEASURED], sum->state[HY_MEAS_INCOMPLETE],
	    sum->state[HY_MEAS_NXDOMAIN], sum->state[HY_MEAS_INVALID_INPUT],
	    sum->state[HY_MEAS_MEASURED] < sum->targets ? " (see `errors` in "
	    "results.ndjson)" : "");
	if (sc->remeasure)
		printf("; %zu incomplete measured again", sum->marked);
	if (sum->remeasured > 0)
		printf("; %zu measured more than once this month",
		    sum->remeasured);
	printf("; %zu measured in this run, %llu DNS queries sent, %.1f s; "
	    "wrote %s/{results.ndjson,stats.json,stats.csv,domains.csv,"
	    "rpki.csv,findings.csv,stats.xlsx,report.html,report-ja.html,"
	    "sheets/}, "
	    "history %s\n", sum->stored - sum->resumed,
	    (unsigned long long)ds->sent, (double)ms / 1000.0, sc->out,
	    sc->db);
}

static int
survey_exec(struct survey_cmd *sc)
{
	struct hy_isp_list *isps = NULL;
	struct hy_exclude *ex = NULL;
	struct hy_store *st = NULL;
	struct hy_survey_opts o = { 0 };
	struct hy_survey_checker ck = { sc, real_start, real_run };
	struct hy_survey_summary sum;
	struct hy_dns_stats ds;
	struct hy_vrps *vrps = NULL;
	uint64_t t0;
	const json_t *w;
	json_t *rpki = NULL;
	size_t i;
	char err[1024];
	int rc = HY_EXIT_FAIL;

	if (hy_isps_load(sc->isps, &isps, err, sizeof(err)) != 0) {
		hy_cli_error("survey", "%s", err);
		goto out;
	}
	/* Read whole before anything is measured, or not at all. */
	if (sc->exclude != NULL && hy_exclude_load(sc->exclude, &ex, err,
	    sizeof(err)) != 0) {
		hy_cli_error("survey", "--exclude: %s", err);
		goto out;
	}
	if (survey_mkdirs(sc->out) != 0) {
		hy_cli_error("survey", "%s: %s", sc->out,
		    strerror(errno));
		goto out;
	}
	if (hy_store_open(sc->db, HY_STORE_WRITE, &st, err,
	    sizeof(err)) != 0) {
		hy_cli_error("survey", "%s", err);
		goto out;
	}
	/* Hosted-domain attribution reads the origin AS the rpki probe finds
	 * for every MX and NS address, and the probe runs only with a VRP
	 * source: without --vrps the survey uses the RTR cache, by default a
	 * public one. */
	if (sc->cfg.vrps == NULL)
		sc->cfg.rtr_set = true;
	/* Every survey has per-ISP RPKI figures: without --routes, the
	 * ISPs' prefixes come from RIPEstat. */
	if (sc->cfg.routes == NULL)
		sc->cfg.routes = "ripestat";
	/* One VRP set for the per-ISP figures and the domains' probe. */
	if (hy_cli_vrps("survey", &sc->cfg, &vrps) != 0)
		goto out;
	sc->cfg.vrp_set = vrps;
	if (survey_rpki(sc, isps, vrps, &rpki, err, sizeof(err)) != 0) {
		hy_cli_error("survey", "RPKI: %s%s", err,
		    strcmp(sc->cfg.routes, "ripestat") == 0 &&
		    strncmp(err, "paths: ", 7) != 0 ? " (--routes "
		    "FILE reads the ISPs' routes from a file instead)" : "");
		goto out;
	}
	/* RIPEstat knows the ISPs' prefixes, not the origin of every mail
	 * and name server address: the domains' rpki probe and attribution
	 * ask the --asn-service instead. */
	if (sc->cfg.routes != NULL && strcmp(sc->cfg.routes, "ripestat") == 0) {
		sc->cfg.routes = NULL;
		hy_cli_error("survey", "the origin AS of mail and name server "
		    "addresses comes from %s, at most %g lookups/s "
		    "(--asn-qps); --routes FILE (e.g. CAIDA pfx2as) avoids it",
		    sc->cfg.asn_service, sc->cfg.asn_qps);
	}
	if (sc->cfg.nresolvers == 0 && sc->cfg.qps == 0)
		sc->cfg.qps = SURVEY_PUBLIC_QPS;
	if ((sc->loop = hy_loop_new()) == NULL) {
		hy_cli_error("survey", "out of memory");
		goto out;
	}
	if ((sc->run = hy_run_new(sc->loop, &sc->cfg, err, sizeof(err))) ==
	    NULL) {
		hy_cli_error("survey", "%s", err);
		goto out;
	}
	json_array_foreach(hy_run_warnings(sc->run), i, w)
		hy_cli_error("survey", "%s", json_string_value(w));
	/* Run-wide sanity (the trust anchor): stop before any domain. A
	 * survey of ISP routes alone checks no domain and needs no DNS. */
	for (i = 0; sc->domains == NULL && i < isps->n; i++)
		if (isps->v[i].ndomains > 0)
			break;
	if ((sc->domains != NULL || i < isps->n) &&
	    hy_run_preflight(sc->run, err, sizeof(err)) != 0) {
		hy_cli_error("survey", "%s", err);
		goto out;
	}
	o.month = sc->month;
	o.out_dir = sc->out;
	o.isps = isps;
	o.domains_path = sc->domains;
	o.exclude = ex;
	o.rpki = rpki;
	o.resume = sc->resume;
	o.remeasure = sc->remeasure;
	o.window = sc->cfg.concurrency;
	o.commit_every = 256;
	o.now = time(NULL);
	o.abort_check = survey_abort_check;
	o.may_commit = survey_may_commit;
	o.abort_arg = sc;
	o.warn = survey_warn;
	sc->tty = isatty(STDERR_FILENO);
	if (sc->tty) {
		o.progress = survey_progress;
		o.progress_arg = sc;
		/* The first line after 250 ms, when the rate means something. */
		sc->t0_ms = sc->last_ms = now_ms();
		sc->first_done = (size_t)-1;
	}
	t0 = now_ms();
	if (hy_survey_run(st, &o, &ck, &sum, err, sizeof(err)) != 0) {
		hy_cli_error("survey", "%s", err);
		goto out;
	}
	if (sum.excluded > 0)
		hy_cli_error("survey", "left out %zu name%s listed in %s (their "
		    "owners opted out)", sum.excluded, sum.excluded == 1 ? "" :
		    "s", sc->exclude);
	hy_dns_get_stats(hy_run_dns(sc->run), &ds);
	survey_print_summary(sc, &sum, &ds, now_ms() - t0);
	rc = sum.state[HY_MEAS_MEASURED] == sum.targets ? HY_EXIT_OK :
	    HY_EXIT_INCOMPLETE;
out:
	hy_dns_group_free(sc->checks);
	hy_run_free(sc->run);
	hy_loop_free(sc->loop);
	hy_store_close(st);
	hy_isps_free(isps);
	hy_exclude_free(ex);
	json_decref(rpki);
	hy_vrps_free(vrps);
	return rc;
}

int
cmd_survey(int argc, char **argv)
{
	struct survey_cmd sc;
	int first, rc;

	memset(&sc, 0, sizeof(sc));
	hy_config_init(&sc.cfg);
	if ((sc.paths = calloc((size_t)argc + 1, sizeof(*sc.paths))) == NULL) {
		rc = HY_EXIT_FAIL;
		goto out;
	}
	first = hy_cli_parse(argc, argv, "survey", &sc.cfg, survey_opts,
	    survey_opt, &sc);
	if (first < 0) {
		rc = first == -2 ? HY_EXIT_OK : HY_EXIT_USAGE;
		goto out;
	}
	/* "--paths A B C": the files after the first are arguments. */
	while (sc.npaths > 0 && first < argc)
		sc.paths[sc.npaths++] = argv[first++];
	if (first < argc) {
		hy_cli_usage_error("survey", "unexpected argument '%s'",
		    argv[first]);
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if (sc.isps == NULL || sc.out == NULL) {
		hy_cli_usage_error("survey", "--isps and --out are required");
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if ((strcmp(sc.isps, "-") == 0) + (sc.domains != NULL &&
	    strcmp(sc.domains, "-") == 0) + (sc.exclude != NULL &&
	    strcmp(sc.exclude, "-") == 0) > 1) {
		hy_cli_usage_error("survey", "only one of --isps, --domains "
		    "and --exclude can read standard input ('-')");
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if (survey_paths(&sc) != 0) {
		rc = HY_EXIT_USAGE;
		goto out;
	}
	rc = survey_exec(&sc);
out:
	free(sc.paths);
	free(sc.db_buf);
	hy_config_free(&sc.cfg);
	return rc;
}
