/*
 * The survey layers over hand-written results (tests/unit/data/):
 * attribution and per-ISP statistics against hand-computed counts, the
 * measurement states (measured, incomplete, nxdomain, invalid input),
 * the SQLite store, the driver, resume after kill -9 at every point of a
 * run (the resumed outputs must equal an uninterrupted run byte for
 * byte), re-measurement of incomplete domains, hostile TXT data in
 * HTML/CSV, the Japanese report and month-over-month deltas.
 *
 * The checker is a stand-in that answers from survey-results.ndjson and
 * delivers results in reverse order (LIFO), so output order must come
 * from the targets, not from completion order.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ftw.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "hygiene/isps.h"
#include "hygiene/report.h"
#include "hygiene/stats.h"
#include "hygiene/store.h"
#include "hygiene/survey.h"

#define DATA(f)	HY_TEST_DATA "/" f

/* ---- the stand-in checker ---- */

struct job {
	json_t			*obj;
	hy_survey_done_fn	 done;
	void			*arg;
};

struct fake {
	json_t		*canned;	/* domain -> result object */
	struct job	 jobs[64];
	size_t		 njobs;
	size_t		 delivered;
	size_t		 kill_at;	/* SIGKILL before delivering #n */
	size_t		 max_in_flight;
};

static int
fake_start(void *ctx, const char *domain, hy_survey_done_fn done, void *arg)
{
	struct fake *fk = ctx;
	json_t *o = json_object_get(fk->canned, domain);

	if (o == NULL)
		fail_msg("no canned result for %s", domain);
	assert_true(fk->njobs < 64);
	fk->jobs[fk->njobs].obj = json_deep_copy(o);
	fk->jobs[fk->njobs].done = done;
	fk->jobs[fk->njobs++].arg = arg;
	if (fk->njobs > fk->max_in_flight)
		fk->max_in_flight = fk->njobs;
	return 0;
}

static int
fake_run(void *ctx)
{
	struct fake *fk = ctx;
	struct job j;

	while (fk->njobs > 0) {
		j = fk->jobs[--fk->njobs];
		if (++fk->delivered == fk->kill_at)
			raise(SIGKILL);
		j.done(j.arg, j.obj);
	}
	return 0;
}

/* An error object for a canned result. */
static json_t *
canned_error(const char *code, const char *msg)
{
	return json_pack("[{s:s, s:s}]", "code", code, "message", msg);
}

/*
 * The canned results, as one month's variant sees them:
 *   NULL    November (tests/unit/data/survey-results.ndjson)
 *   "dec"   December: a2 has signed its zone and published p=reject
 *   "fixed" the incomplete b1 and x measure completely this time
 *   "mxfail" a2's MX lookup fails (SERVFAIL): its mail hoster (gamma)
 *           is unknown this time
 */
static json_t *
load_canned(const char *variant)
{
	json_t *map = json_object(), *o;
	const char *d;
	char line[8192];
	FILE *f = fopen(DATA("survey-results.ndjson"), "r");

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		o = json_loads(line, 0, NULL);
		assert_non_null(o);
		/* an invalid name is known by its input */
		if ((d = json_string_value(json_object_get(o, "domain"))) ==
		    NULL)
			d = json_string_value(json_object_get(o, "input"));
		if (variant != NULL && strcmp(variant, "dec") == 0 &&
		    strcmp(d, "a2.example.jp") == 0) {
			json_object_set_new(json_object_get(o, "dnssec"),
			    "status", json_string("secure"));
			json_object_set_new(o, "dmarc", json_pack("{s:s, s:s, "
			    "s:s}", "status", "valid", "policy", "reject",
			    "record", "v=DMARC1; p=reject"));
		}
		if (variant != NULL && strcmp(variant, "fixed") == 0 &&
		    strcmp(d, "b1.example.jp") == 0)
			json_object_set_new(json_object_get(o, "spf"),
			    "status", json_string("valid"));
		if (variant != NULL && strcmp(variant, "fixed") == 0 &&
		    strcmp(d, "x.example.com") == 0) {
			json_object_set_new(json_object_get(o, "dnssec"),
			    "status", json_string("insecure"));
			json_object_set_new(json_object_get(o, "dmarc"),
			    "status", json_string("absent"));
			json_object_set_new(o, "mta_sts", json_pack("{s:s}",
			    "status", "absent"));
			json_object_set_new(o, "errors", json_array());
		}
		if (variant != NULL && strcmp(variant, "mxfail") == 0 &&
		    strcmp(d, "a2.example.jp") == 0) {
			json_object_set_new(o, "mx", json_null());
			json_object_set_new(o, "errors", canned_error(
			    "mx-lookup-failed", "MX lookup for a2.example.jp: "
			    "servfail"));
		}
		json_object_set_new(map, d, o);
	}
	fclose(f);
	return map;
}

static struct hy_isp_list *
load_isps(void)
{
	struct hy_isp_list *l = NULL;
	char err[512];

	if (hy_isps_load(DATA("survey-isps.json"), &l, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	return l;
}

static char *
tmpdir(void)
{
	char *d = strdup("/tmp/hy-survey-test.XXXXXX");

	assert_non_null(mkdtemp(d));
	return d;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Remove a test directory and free its name. */
static void
rmdir_free(char *dir)
{
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static char *
slurp(const char *dir, const char *name)
{
	char path[1024], *buf;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* Resolver health stand-ins: abort_check reports a failure at its
 * abort_at-th call before a result, or at the end of the run when
 * final_dead; may_commit holds commits back while hold_commits. */
static size_t abort_at, abort_calls;
static bool final_dead, final_asked, hold_commits, opt_remeasure;

static const char *
fake_abort(void *arg, bool final)
{
	(void)arg;
	if (final) {
		final_asked = true;
		return final_dead ? "resolver gone at the end" : NULL;
	}
	return ++abort_calls == abort_at ? "resolver gone" : NULL;
}

static bool
fake_may_commit(void *arg)
{
	(void)arg;
	return !hold_commits;
}

/* One survey run of month into dir (db inside dir); returns its rc. */
static int
run_survey(const char *dir, const char *month, bool resume, size_t kill_at,
    const char *variant, struct hy_survey_summary *sum, char *err,
    size_t errlen)
{
	struct hy_isp_list *isps = load_isps();
	struct fake fk = { .canned = load_canned(variant), .kill_at = kill_at };
	struct hy_survey_checker ck = { &fk, fake_start, fake_run };
	struct hy_survey_opts o = {
		.month = month, .out_dir = dir, .isps = isps,
		.domains_path = DATA("survey-domains.txt"), .resume = resume,
		.remeasure = opt_remeasure, .window = 2, .commit_every = 2,
		.now = 1790000000, .abort_check = fake_abort,
		.may_commit = fake_may_commit,
	};
	struct hy_store *st = NULL;
	/* RPKI figures as `hygiene rpki --json` gives them; gamma has none. */
	json_t *rpki = json_pack("{s:{s:{s:i, s:i, s:i, s:i, s:i}}, "
	    "s:{s:{s:i, s:i, s:i, s:i, s:i}}}",
	    "alpha", "routes", "valid", 3, "invalid", 1, "not-found", 4,
	    "invalid-asn", 1, "invalid-length", 0,
	    "beta", "routes", "valid", 2, "invalid", 0, "not-found", 0,
	    "invalid-asn", 0, "invalid-length", 0);
	char db[1024];
	int rc;

	o.rpki = rpki;
	snprintf(db, sizeof(db), "%s/history.sqlite", dir);
	if (hy_store_open(db, HY_STORE_WRITE, &st, err, errlen) != 0)
		fail_msg("%s", err);
	abort_calls = 0;
	final_asked = false;
	rc = hy_survey_run(st, &o, &ck, sum, err, errlen);
	assert_true(fk.max_in_flight <= 2);
	hy_store_close(st);
	json_decref(fk.canned);
	json_decref(rpki);
	hy_isps_free(isps);
	return rc;
}

static json_t *
load_stats_file(const char *dir)
{
	char *text = slurp(dir, "stats.json");
	json_t *stats = json_loads(text, 0, NULL);

	assert_non_null(stats);
	free(text);
	return stats;
}

/* ---- statistics ---- */

static const json_t *
isp_of(const json_t *stats, const char *id)
{
	const json_t *isp;
	size_t i;

	json_array_foreach(json_object_get(stats, "isps"), i, isp)
		if (strcmp(json_string_value(json_object_get(isp, "id")), id)
		    == 0)
			return isp;
	fail_msg("no ISP %s", id);
	return NULL;
}

/* Compare section of tally with the expected counts, key=value,... */
static void
expect(const json_t *tally, const char *section, const char *want)
{
	const json_t *sec = json_object_get(tally, section);
	const char *const *keys = hy_stats_keys(section);
	char buf[512] = "", item[64];
	size_t k;

	assert_non_null(sec);
	for (k = 0; keys[k] != NULL; k++)
		;
	assert_int_equal(json_object_size(sec), k);	/* exactly these */
	for (k = 0; keys[k] != NULL; k++) {
		json_t *v = json_object_get(sec, keys[k]);

		assert_true(json_is_integer(v));	/* zeros are written */
		if (json_integer_value(v) == 0)
			continue;
		snprintf(item, sizeof(item), "%s%s=%lld", buf[0] ? "," : "",
		    keys[k], (long long)json_integer_value(v));
		strncat(buf, item, sizeof(buf) - strlen(buf) - 1);
	}
	if (strcmp(buf, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", section, buf, want);
}

/* domains, then measured, incomplete, nxdomain, invalid_input. */
static void
expect_n(const json_t *tally, long long domains, long long measured,
    long long incomplete, long long nxdomain, long long invalid)
{
	long long want[] = { measured, incomplete, nxdomain, invalid };
	size_t m;

	assert_int_equal(json_integer_value(json_object_get(tally, "domains")),
	    domains);
	for (m = 0; m < HY_MEAS_N; m++)
		if (json_integer_value(json_object_get(tally,
		    hy_measurement_str(m))) != want[m])
			fail_msg("%s: %lld, want %lld", hy_measurement_str(m),
			    (long long)json_integer_value(json_object_get(tally,
			    hy_measurement_str(m))), want[m]);
}

/* The hand-computed table (see the fixture's MX/NS origin ASNs):
 *   alpha(64500) own a1, a2; hosts b1 (NS)
 *   beta(64501,64502) own b1; hosts a1 (NS), x (both MX)
 *   gamma(64503) own gone (NXDOMAIN); hosts a2 (MX), x (NS)
 *   y: NS in AS65000 (no ISP); bad..name: invalid, no data.
 * States: a1, a2, y measured; b1 (SPF temperror) and x (timeout)
 * incomplete; gone nxdomain; bad..name invalid_input. The sections count
 * the measured and incomplete ones, never gone or bad..name. */
static void
check_stats(const json_t *s)
{
	const json_t *a = isp_of(s, "alpha"), *b = isp_of(s, "beta"),
	    *g = isp_of(s, "gamma"), *t = json_object_get(s, "totals");

	assert_string_equal(json_string_value(json_object_get(s, "month")),
	    "2026-11");
	expect_n(a, 2, 2, 0, 0, 0);
	expect(a, "dnssec", "secure=1,insecure=1");
	expect(a, "spf", "valid=1,permerror=1");
	expect(a, "dmarc", "reject=1,absent=1");
	expect(a, "mta_sts", "enforce=1,absent=1");
	expect_n(json_object_get(a, "hosted"), 1, 0, 1, 0, 0);
	expect(json_object_get(a, "hosted"), "dnssec", "bogus=1");
	expect(json_object_get(a, "hosted"), "spf", "temperror=1");
	expect(json_object_get(a, "hosted"), "dmarc", "none=1");
	expect(json_object_get(a, "hosted"), "mta_sts", "testing=1");

	expect_n(b, 1, 0, 1, 0, 0);
	expect(b, "dnssec", "bogus=1");
	expect_n(json_object_get(b, "hosted"), 2, 1, 1, 0, 0);
	expect(json_object_get(b, "hosted"), "dnssec",
	    "secure=1,indeterminate=1");
	expect(json_object_get(b, "hosted"), "spf", "valid=1,none=1");
	expect(json_object_get(b, "hosted"), "dmarc", "reject=1,temperror=1");
	expect(json_object_get(b, "hosted"), "mta_sts",
	    "enforce=1,not_measured=1");

	/* gone.example.jp does not exist: not SPF none, not DMARC absent. */
	expect_n(g, 1, 0, 0, 1, 0);
	expect(g, "dnssec", "");
	expect(g, "spf", "");
	expect(g, "dmarc", "");
	expect(g, "mta_sts", "");
	expect_n(json_object_get(g, "hosted"), 2, 1, 1, 0, 0);
	expect(json_object_get(g, "hosted"), "dnssec",
	    "insecure=1,indeterminate=1");
	expect(json_object_get(g, "hosted"), "spf", "none=1,permerror=1");
	expect(json_object_get(g, "hosted"), "dmarc", "absent=1,temperror=1");
	expect(json_object_get(g, "hosted"), "mta_sts",
	    "absent=1,not_measured=1");
	assert_true(json_is_null(json_object_get(g, "rpki")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_object_get(a, "rpki"), "routes"), "not-found")), 4);

	/* Neither gone nor bad..name is in a section. */
	expect_n(t, 7, 3, 2, 1, 1);
	expect(t, "dnssec", "secure=1,insecure=2,bogus=1,indeterminate=1");
	expect(t, "spf", "valid=2,none=1,permerror=1,temperror=1");
	expect(t, "dmarc", "reject=1,quarantine=1,none=1,absent=1,"
	    "temperror=1");
	expect(t, "mta_sts", "enforce=1,testing=1,none=1,absent=1,"
	    "not_measured=1");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s,
	    "remeasured"), "domains")), 0);
}

static void
test_attribution(void **state)
{
	struct hy_isp_list *isps = load_isps();
	json_t *canned = load_canned(NULL), *o, *att;

	(void)state;
	o = json_object_get(canned, "x.example.com");
	assert_int_equal(hy_stats_attribute(isps, o, NULL, NULL), 0);
	att = json_object_get(o, "attribution");
	assert_true(json_is_null(json_object_get(att, "own")));
	assert_int_equal(json_array_size(json_object_get(att, "mx_hosted_by")),
	    1);	/* two MX in beta's two ASNs: one ISP */
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(att, "hosted_by"), 0)), "beta");
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(att, "hosted_by"), 1)), "gamma");

	o = json_object_get(canned, "a1.example.jp");
	assert_int_equal(hy_stats_attribute(isps, o, NULL, NULL), 0);
	att = json_object_get(o, "attribution");
	assert_string_equal(json_string_value(json_object_get(att, "own")),
	    "alpha");
	/* own MX in alpha's network is not "hosted by alpha" */
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(att, "mx_hosted_by"), 0)), "alpha");
	assert_int_equal(json_array_size(json_object_get(att, "hosted_by")), 1);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(att, "hosted_by"), 0)), "beta");
	json_decref(canned);
	hy_isps_free(isps);
}

static void
test_measurement_rule(void **state)
{
	json_t *o;

	(void)state;
	o = json_pack("{s:s, s:[], s:{s:s}, s:{s:s}, s:{s:s, s:s}, s:{s:s}, "
	    "s:{s:s}}", "domain", "a.jp", "errors", "dnssec", "status",
	    "secure", "spf", "status", "none", "dmarc", "status", "valid",
	    "policy", "none", "mta_sts", "status", "absent", "tls_rpt",
	    "status", "temperror");
	assert_int_equal(hy_stats_measurement(o), HY_MEAS_INCOMPLETE);
	json_object_set_new(o, "tls_rpt", json_pack("{s:s}", "status",
	    "absent"));
	assert_int_equal(hy_stats_measurement(o), HY_MEAS_MEASURED);
	/* a counted section without a verdict: not measured */
	json_object_set_new(o, "mta_sts", json_null());
	assert_int_equal(hy_stats_measurement(o), HY_MEAS_INCOMPLETE);
	json_object_set_new(o, "mta_sts", json_pack("{s:s}", "status",
	    "unheard-of"));
	assert_int_equal(hy_stats_measurement(o), HY_MEAS_INCOMPLETE);
	json_object_set_new(o, "mta_sts", json_pack("{s:s}", "status",
	    "none"));
	json_object_set_new(o, "dnssec", json_pack("{s:s}", "status",
	    "indeterminate"));
	assert_int_equal(hy_stats_measurement(o), HY_MEAS_INCOMPLETE);
	json_object_set_new(o, "dnssec", json_pack("{s:s}", "status",
	    "insecure"));
	assert_int_equal(hy_stats_measurement(o), HY_MEAS_MEASURED);
	json_array_append_new(json_object_get(o, "errors"), json_pack(
	    "{s:s, s:s}", "code", "timeout", "message", "x"));
	assert_int_equal(hy_stats_measurement(o), HY_MEAS_INCOMPLETE);
	/* NS and MX both NXDOMAIN: the name does not exist, whatever else */
	json_array_append_new(json_object_get(o, "errors"), json_pack(
	    "{s:s, s:s}", "code", "nxdomain", "message", "x"));
	assert_int_equal(hy_stats_measurement(o), HY_MEAS_NXDOMAIN);
	json_object_set_new(o, "domain", json_null());
	assert_int_equal(hy_stats_measurement(o), HY_MEAS_INVALID_INPUT);
	assert_string_equal(hy_measurement_str(HY_MEAS_INVALID_INPUT),
	    "invalid_input");
	json_decref(o);
}

/* dmarc counts the policy receivers apply whenever there is one (RFC
 * 9989 §4.10.1: a record with errors may still apply, or fall back to
 * p=none), else the status. */
static void
test_dmarc_counting(void **state)
{
	struct hy_isp_list *isps = load_isps();
	struct hy_stats *st;
	json_t *o, *js;
	static const char *const rows[][2] = {
		{ "invalid", "reject" }, { "invalid", "none" },
		{ "invalid", NULL }, { "valid", "reject" },
		{ "temperror", NULL }, { "absent", NULL }, { "valid", NULL },
	};

	(void)state;
	assert_non_null(st = hy_stats_new(isps));
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		/* a domain that exists: its sections are counted */
		o = json_pack("{s:s, s:{s:s, s:s?}}", "domain", "x.jp", "dmarc",
		    "status", rows[i][0], "policy", rows[i][1]);
		assert_int_equal(hy_stats_add(st, o, 1), 0);
		json_decref(o);
	}
	assert_non_null(js = hy_stats_json(st, "2026-11", NULL));
	expect(json_object_get(js, "totals"), "dmarc",
	    "reject=2,none=1,absent=1,invalid=1,temperror=1,not_measured=1");
	json_decref(js);
	hy_stats_free(st);
	hy_isps_free(isps);
}

/* ---- survey runs ---- */

static void
test_survey_outputs(void **state)
{
	struct hy_survey_summary sum;
	char err[1024], *dir = tmpdir(), *text, *html, *csv;
	json_t *stats;

	(void)state;
	assert_int_equal(run_survey(dir, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), 0);
	/* 4 ISP domains + x, y, bad..name; X.EXAMPLE.COM, a1.example.jp.
	 * and the second y are duplicates. */
	assert_int_equal(sum.targets, 7);
	assert_int_equal(sum.stored, 7);
	assert_int_equal(sum.state[HY_MEAS_MEASURED], 3);
	assert_int_equal(sum.state[HY_MEAS_INCOMPLETE], 2);
	assert_int_equal(sum.state[HY_MEAS_NXDOMAIN], 1);
	assert_int_equal(sum.state[HY_MEAS_INVALID_INPUT], 1);
	assert_int_equal(sum.duplicates, 3);
	assert_false(final_asked);	/* nothing was held back */
	text = slurp(dir, "stats.json");
	stats = json_loads(text, 0, NULL);
	assert_non_null(stats);
	check_stats(stats);
	json_decref(stats);
	free(text);

	/* results.ndjson: target order, attribution added. */
	text = slurp(dir, "results.ndjson");
	assert_ptr_equal(strstr(text, "{\"schema_version\""), text);
	assert_true(strstr(text, "\"domain\": \"a1.example.jp\"") == NULL);
	assert_true(strstr(text, "\"domain\":\"a1.example.jp\"") <
	    strstr(text, "\"domain\":\"a2.example.jp\""));
	assert_true(strstr(text, "\"domain\":\"b1.example.jp\"") <
	    strstr(text, "\"domain\":\"x.example.com\""));
	assert_true(strstr(text, "\"domain\":\"y.example.org\"") <
	    strstr(text, "\"input\":\"bad..name\""));
	assert_non_null(strstr(text, "\"attribution\":{\"own\":\"alpha\""));
	/* Each line says its state. */
	assert_non_null(strstr(text, "\"input\":\"bad..name\""));
	assert_non_null(strstr(text, "\"measurement\":\"invalid_input\""));
	assert_non_null(strstr(text, "\"measurement\":\"nxdomain\""));
	assert_non_null(strstr(text, "\"measurement\":\"incomplete\""));
	assert_non_null(strstr(text, "\"measurement\":\"measured\""));
	free(text);

	/* Hostile TXT: escaped in HTML, neutralised in CSV. */
	html = slurp(dir, "report.html");
	assert_null(strstr(html, "<script"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)"
	    "&lt;/script&gt;"));
	assert_non_null(strstr(html, "=HYPERLINK(&quot;http://evil"));
	assert_null(strstr(html, "\xe2\x80\xae"));	/* bidi override */
	assert_non_null(strstr(html, "<svg"));
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "http://evil.example/\""));
	free(html);
	csv = slurp(dir, "stats.csv");
	assert_memory_equal(csv, "\xef\xbb\xbf", 3);
	assert_non_null(strstr(csv, ",\"'=HYPERLINK(\"\"http://evil.example/"
	    "\"\",\"\"click\"\") v=DMARC1; p=none"));
	assert_null(strstr(csv, ",\"=HYPERLINK"));
	assert_null(strstr(csv, ",=HYPERLINK"));
	assert_null(strstr(csv, "\xe2\x80\xae"));	/* bidi override */
	free(csv);
	rmdir_free(dir);
}

static void
test_survey_month_rules(void **state)
{
	struct hy_survey_summary sum;
	char err[1024], *dir = tmpdir(), *a, *b;

	(void)state;
	assert_int_equal(run_survey(dir, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), 0);
	a = slurp(dir, "stats.json");
	/* One survey per month: a second run needs --resume ... */
	assert_int_equal(run_survey(dir, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "one survey per month"));
	/* ... which measures nothing again and rewrites the same files. */
	assert_int_equal(run_survey(dir, "2026-11", true, 1, NULL, &sum, err,
	    sizeof(err)), 0);
	assert_int_equal(sum.resumed, 7);
	b = slurp(dir, "stats.json");
	assert_string_equal(a, b);
	free(a);
	free(b);
	rmdir_free(dir);
}

/* kill -9 before result k (k = 1..7), with commits every 2 results,
 * then --resume: the outputs equal an uninterrupted run's. */
static void
test_resume_after_kill(void **state)
{
	static const char *const files[] = { "results.ndjson", "stats.json",
	    "stats.csv", "report.html" };
	struct hy_survey_summary sum;
	char err[1024], *ref = tmpdir(), *dir, *x, *y;
	size_t k, f, ran;
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(run_survey(ref, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), 0);
	for (k = 1; k <= 7; k++) {
		dir = tmpdir();
		fflush(NULL);
		if ((pid = fork()) == 0) {
			run_survey(dir, "2026-11", false, k, NULL, &sum, err,
			    sizeof(err));
			_exit(0);	/* not reached: killed before result k */
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);
		/* Without --resume the interrupted month is refused. */
		assert_int_equal(run_survey(dir, "2026-11", false, 0, NULL,
		    &sum, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "--resume"));
		assert_int_equal(run_survey(dir, "2026-11", true, 0, NULL,
		    &sum, err, sizeof(err)), 0);
		/* Committed in pairs: k-1 delivered, floor((k-1)/2)*2 kept. */
		assert_int_equal(sum.resumed, (k - 1) / 2 * 2);
		ran = sum.stored - sum.resumed;
		assert_int_equal(sum.stored, 7);
		assert_int_equal(ran, 7 - (k - 1) / 2 * 2);
		for (f = 0; f < 4; f++) {
			x = slurp(ref, files[f]);
			y = slurp(dir, files[f]);
			if (strcmp(x, y) != 0)
				fail_msg("kill before result %zu: %s differs",
				    k, files[f]);
			free(x);
			free(y);
		}
		rmdir_free(dir);
	}
	rmdir_free(ref);
}

/* A checker-level failure (the CLI's "resolver never answered") stops
 * the run; the uncommitted batch is discarded, not stored as failures. */
static void
test_abort_discards_batch(void **state)
{
	struct hy_survey_summary sum;
	char err[1024], *ref = tmpdir(), *dir = tmpdir(), *x, *y;

	(void)state;
	assert_int_equal(run_survey(ref, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), 0);
	abort_at = 4;	/* results 1-2 committed, 3 pending, 4 aborts */
	assert_int_equal(run_survey(dir, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), -1);
	abort_at = 0;
	assert_non_null(strstr(err, "resolver gone"));
	assert_non_null(strstr(err, "--resume"));
	assert_int_equal(run_survey(dir, "2026-11", true, 0, NULL, &sum, err,
	    sizeof(err)), 0);
	assert_int_equal(sum.resumed, 2);
	x = slurp(ref, "results.ndjson");
	y = slurp(dir, "results.ndjson");
	assert_string_equal(x, y);
	free(x);
	free(y);
	rmdir_free(ref);
	rmdir_free(dir);
}

/* While the health check holds commits back (an outage not yet
 * confirmed), nothing is committed; at the end it is asked to decide:
 * an outage rolls every held result back, a working resolver keeps them. */
static void
test_held_commits(void **state)
{
	struct hy_survey_summary sum;
	char err[1024], *ref = tmpdir(), *dir = tmpdir(), *x, *y;

	(void)state;
	assert_int_equal(run_survey(ref, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), 0);
	hold_commits = final_dead = true;
	assert_int_equal(run_survey(dir, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), -1);
	assert_true(final_asked);
	assert_non_null(strstr(err, "resolver gone at the end"));
	final_dead = false;
	/* Nothing was kept: the resume measures all 7, and is held back
	 * too, but the final check finds the resolver working. */
	assert_int_equal(run_survey(dir, "2026-11", true, 0, NULL, &sum, err,
	    sizeof(err)), 0);
	hold_commits = false;
	assert_true(final_asked);
	assert_int_equal(sum.resumed, 0);
	assert_int_equal(sum.stored, 7);
	x = slurp(ref, "results.ndjson");
	y = slurp(dir, "results.ndjson");
	assert_string_equal(x, y);
	free(x);
	free(y);
	rmdir_free(ref);
	rmdir_free(dir);
}

/* --remeasure: the incomplete domains of a finished month are measured
 * again (not the measured, nonexistent or invalid ones), their new
 * results replace the old, and the stats say how many were re-measured.
 * A kill during the re-measurement loses nothing: --resume finishes it
 * with the same outputs. */
static void
test_remeasure(void **state)
{
	struct hy_survey_summary sum;
	char err[1024], *dir = tmpdir(), *dir2 = tmpdir(), *x, *y;
	json_t *stats, *t;
	pid_t pid;
	int status;

	(void)state;
	opt_remeasure = true;	/* nothing to re-measure yet */
	assert_int_equal(run_survey(dir, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "no survey for 2026-11"));
	opt_remeasure = false;
	assert_int_equal(run_survey(dir, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), 0);
	assert_int_equal(run_survey(dir2, "2026-11", false, 0, NULL, &sum,
	    err, sizeof(err)), 0);
	/* --resume of a finished month measures nothing again */
	assert_int_equal(run_survey(dir, "2026-11", true, 0, "fixed", &sum,
	    err, sizeof(err)), 0);
	assert_int_equal(sum.stored - sum.resumed, 0);
	assert_int_equal(sum.state[HY_MEAS_INCOMPLETE], 2);

	opt_remeasure = true;
	assert_int_equal(run_survey(dir, "2026-11", false, 0, "fixed", &sum,
	    err, sizeof(err)), 0);
	assert_int_equal(sum.marked, 2);	/* b1 and x */
	assert_int_equal(sum.resumed, 5);
	assert_int_equal(sum.stored, 7);
	assert_int_equal(sum.remeasured, 2);
	assert_int_equal(sum.state[HY_MEAS_MEASURED], 5);
	assert_int_equal(sum.state[HY_MEAS_INCOMPLETE], 0);
	assert_int_equal(sum.state[HY_MEAS_NXDOMAIN], 1);
	assert_int_equal(sum.state[HY_MEAS_INVALID_INPUT], 1);
	stats = load_stats_file(dir);
	t = json_object_get(stats, "remeasured");
	assert_int_equal(json_integer_value(json_object_get(t, "domains")), 2);
	assert_int_equal(json_integer_value(json_object_get(t, "measured")),
	    2);
	expect_n(isp_of(stats, "beta"), 1, 1, 0, 0, 0);
	expect(isp_of(stats, "beta"), "spf", "valid=1");
	json_decref(stats);
	/* Again: nothing is incomplete any more. */
	assert_int_equal(run_survey(dir, "2026-11", false, 0, "fixed", &sum,
	    err, sizeof(err)), 0);
	assert_int_equal(sum.marked, 0);
	assert_int_equal(sum.remeasured, 2);

	/* Killed before the second re-measured result is delivered. */
	fflush(NULL);
	if ((pid = fork()) == 0) {
		run_survey(dir2, "2026-11", false, 2, "fixed", &sum, err,
		    sizeof(err));
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	opt_remeasure = false;
	assert_int_equal(run_survey(dir2, "2026-11", false, 0, "fixed", &sum,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--resume"));
	assert_int_equal(run_survey(dir2, "2026-11", true, 0, "fixed", &sum,
	    err, sizeof(err)), 0);
	assert_int_equal(sum.stored, 7);
	x = slurp(dir, "stats.json");
	y = slurp(dir2, "stats.json");
	assert_string_equal(x, y);
	free(x);
	free(y);
	x = slurp(dir, "results.ndjson");
	y = slurp(dir2, "results.ndjson");
	assert_string_equal(x, y);
	free(x);
	free(y);
	rmdir_free(dir);
	rmdir_free(dir2);
}

/* An MX SERVFAIL hides who hosts a domain's mail: a2's mail is at gamma,
 * its name servers at its owner alpha. The incomplete a2 keeps counting
 * in gamma's hosted figures, as incomplete, from its previous result; a
 * month without history cannot know, and says nothing. */
static void
test_incomplete_keeps_hoster(void **state)
{
	struct hy_survey_summary sum;
	char err[1024], *dir = tmpdir(), *alone = tmpdir(), *text;
	json_t *stats, *g;

	(void)state;
	assert_int_equal(run_survey(dir, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), 0);
	assert_int_equal(run_survey(dir, "2026-12", false, 0, "mxfail", &sum,
	    err, sizeof(err)), 0);
	stats = load_stats_file(dir);
	g = json_object_get(isp_of(stats, "gamma"), "hosted");
	expect_n(g, 2, 0, 2, 0, 0);	/* a2 and x, both incomplete */
	expect(g, "dmarc", "absent=1,temperror=1");
	json_decref(stats);
	text = slurp(dir, "results.ndjson");
	assert_non_null(strstr(text, "\"mx_hosted_by\":[],\"ns_hosted_by\":"
	    "[\"alpha\"],\"hosted_by\":[\"gamma\"],\"earlier\":{\"month\":"
	    "\"2026-11\",\"hosted_by\":[\"gamma\"]}"));
	free(text);

	assert_int_equal(run_survey(alone, "2026-12", false, 0, "mxfail",
	    &sum, err, sizeof(err)), 0);
	stats = load_stats_file(alone);
	expect_n(json_object_get(isp_of(stats, "gamma"), "hosted"), 1, 0, 1,
	    0, 0);
	json_decref(stats);
	rmdir_free(dir);
	rmdir_free(alone);
}

/* ---- reports ---- */

static char *
render(const struct hy_report_in *in, enum hy_report_format fmt,
    enum hy_report_lang lang)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(hy_report_write(f, in, fmt, lang), 0);
	fclose(f);
	return buf;
}

/* With HY_REPORT_EXAMPLES=DIR, keep the rendered reports (this is how
 * reports/examples/ is regenerated). */
static void
write_examples(const struct hy_report_in *in)
{
	static const struct {
		const char *name;
		enum hy_report_format fmt;
		enum hy_report_lang lang;
	} ex[] = {
		{ "report-2026-12.en.html", HY_REPORT_HTML, HY_LANG_EN },
		{ "report-2026-12.ja.html", HY_REPORT_HTML, HY_LANG_JA },
		{ "report-2026-12.ja.md", HY_REPORT_MD, HY_LANG_JA },
		{ "report-2026-12.en.md", HY_REPORT_MD, HY_LANG_EN },
		{ "report-2026-12.csv", HY_REPORT_CSV, HY_LANG_EN },
		{ "report-2026-12.json", HY_REPORT_JSON, HY_LANG_EN },
	};
	const char *dir = getenv("HY_REPORT_EXAMPLES");
	char path[1024], *out;
	size_t i;
	FILE *f;

	for (i = 0; dir != NULL && i < sizeof(ex) / sizeof(ex[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, ex[i].name);
		out = render(in, ex[i].fmt, ex[i].lang);
		assert_non_null(f = fopen(path, "w"));
		fputs(out, f);
		fclose(f);
		free(out);
	}
}

static void
test_compare_and_lang(void **state)
{
	struct hy_survey_summary sum;
	struct hy_store *st = NULL;
	struct hy_report_in in;
	json_t *stats, *prev, *doms, *js;
	char err[1024], db[1024], *dir = tmpdir(), *out, *csv;

	(void)state;
	assert_int_equal(run_survey(dir, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), 0);
	assert_int_equal(run_survey(dir, "2026-12", false, 0, "dec", &sum,
	    err, sizeof(err)), 0);
	/* The survey compares with the previous finished month itself. */
	csv = slurp(dir, "stats.csv");
	assert_non_null(strstr(csv, "\"2026-12\",\"2026-11\",\"alpha\""));
	free(csv);

	snprintf(db, sizeof(db), "%s/history.sqlite", dir);
	assert_int_equal(hy_store_open(db, HY_STORE_READ, &st, err,
	    sizeof(err)), 0);
	assert_int_equal(hy_report_load(st, "2026-12", "2026-11", &stats,
	    &prev, &doms, err, sizeof(err)), 0);
	assert_int_equal(json_array_size(doms), 4);	/* own domains */
	in.stats = stats;
	in.prev = prev;
	in.domains = doms;

	/* alpha: DNSSEC secure 1/2 -> 2/2, DMARC enforced 1/2 -> 2/2. */
	out = render(&in, HY_REPORT_JSON, HY_LANG_EN);
	js = json_loads(out, 0, NULL);
	assert_non_null(js);
	assert_true(json_real_value(json_object_get(json_object_get(
	    json_object_get(json_array_get(json_object_get(js, "isps"), 0),
	    "own"), "delta_pts"), "dnssec_secure")) == 50.0);
	assert_true(json_real_value(json_object_get(json_object_get(
	    json_object_get(json_array_get(json_object_get(js, "isps"), 0),
	    "own"), "rates_pct"), "dmarc_enforced")) == 100.0);
	/* RPKI-valid share: valid / (valid + invalid + not-found) = 3/8;
	 * invalid-asn is inside invalid, not counted twice. */
	assert_true(json_real_value(json_object_get(json_object_get(
	    json_object_get(json_array_get(json_object_get(js, "isps"), 0),
	    "own"), "rates_pct"), "rpki_valid")) == 37.5);
	assert_true(json_is_null(json_object_get(json_object_get(
	    json_object_get(json_array_get(json_object_get(js, "isps"), 2),
	    "own"), "rates_pct"), "rpki_valid")));
	json_decref(js);
	free(out);

	out = render(&in, HY_REPORT_HTML, HY_LANG_JA);
	assert_non_null(strstr(out, "<html lang=\"ja\">"));
	assert_non_null(strstr(out, "ネットワーク衛生調査 2026-12"));
	assert_non_null(strstr(out, "比較対象月: 2026-11"));
	assert_non_null(strstr(out, "アルファネット"));
	assert_non_null(strstr(out, "自社ドメイン"));
	assert_non_null(strstr(out, "<td>100.0%</td><td>+50.0</td>"));
	assert_null(strstr(out, "<script"));
	free(out);

	/* The states beside the rates: gone.example.jp does not exist and
	 * is in no rate (n/a); b1 is incomplete, its DNSSEC bogus counts. */
	out = render(&in, HY_REPORT_MD, HY_LANG_EN);
	assert_non_null(strstr(out, "| ISP | Domains | Measured | Incomplete "
	    "| Do not exist | Invalid input | DNSSEC secure |"));
	assert_non_null(strstr(out, "| Alpha Net | 2 | 2 | 0 | 0 | 0 | "
	    "100.0% | +50.0 |"));
	assert_non_null(strstr(out, "| Beta Com | 1 | 0 | 1 | 0 | 0 | 0.0% |"));
	assert_non_null(strstr(out, "| Gamma Hosting | 1 | 0 | 0 | 1 | 0 | "
	    "n/a |"));
	assert_non_null(strstr(out, "| gone\\.example\\.jp | gamma | nxdomain "
	    "| n/a | n/a | n/a | n/a |"));
	assert_null(strstr(out, "<script"));
	free(out);
	out = render(&in, HY_REPORT_HTML, HY_LANG_EN);
	assert_non_null(strstr(out, "All surveyed domains: 7, Measured: 3, "
	    "Incomplete: 2, Do not exist: 1, Invalid input: 1"));
	free(out);
	out = render(&in, HY_REPORT_CSV, HY_LANG_EN);
	assert_non_null(strstr(out, "scope,domains,measured,incomplete,"
	    "nxdomain,invalid_input,dnssec_secure,"));
	assert_non_null(strstr(out, "\"gamma\",\"Gamma Hosting\",\"ガンマ\","
	    "\"own\",1,0,0,1,0,"));
	assert_non_null(strstr(out, "\"gone.example.jp\",\"\",\"gamma\","
	    "\"nxdomain\","));
	free(out);

	write_examples(&in);
	json_decref(stats);
	json_decref(prev);
	json_decref(doms);
	/* Comparing with a month that was never surveyed is an error. */
	assert_int_equal(hy_report_load(st, "2026-12", "2025-01", &stats,
	    &prev, &doms, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "2025-01"));
	hy_store_close(st);
	rmdir_free(dir);
}

static void
test_escapers(void **state)
{
	char *buf = NULL, *c;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	hy_html_escape(f, "<a href=\"x\">&'\x01</a>\xe2\x80\xaeZ");
	fclose(f);
	assert_string_equal(buf, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
	    "\xef\xbf\xbd&lt;/a&gt;\xef\xbf\xbdZ");
	free(buf);

	c = hy_csv_cell("=1+2");
	assert_string_equal(c, "\"'=1+2\"");
	free(c);
	c = hy_csv_cell("+81");
	assert_string_equal(c, "\"'+81\"");
	free(c);
	c = hy_csv_cell("-all");
	assert_string_equal(c, "\"'-all\"");
	free(c);
	c = hy_csv_cell("@SUM(A1)");
	assert_string_equal(c, "\"'@SUM(A1)\"");
	free(c);
	c = hy_csv_cell("\tx");
	assert_string_equal(c, "\"'\tx\"");
	free(c);
	c = hy_csv_cell("a \"b\", c\nd");
	assert_string_equal(c, "\"a \"\"b\"\", c\nd\"");
	free(c);
	c = hy_csv_cell("");
	assert_string_equal(c, "\"\"");
	free(c);
	c = hy_csv_cell("日本語=");
	assert_string_equal(c, "\"日本語=\"");
	free(c);
	assert_true(hy_month_valid("2026-11"));
	assert_false(hy_month_valid("2026-13"));
	assert_false(hy_month_valid("2026-00"));
	assert_false(hy_month_valid("2026-1"));
	assert_false(hy_month_valid("26-11-01"));
}

static void
test_store(void **state)
{
	struct hy_store *st = NULL;
	struct hy_store_counts c;
	enum hy_survey_state s;
	char err[512], db[1024], *dir = tmpdir(), *txt, *m;
	size_t marked;
	bool added;

	(void)state;
	snprintf(db, sizeof(db), "%s/h.sqlite", dir);
	assert_int_equal(hy_store_open(db, HY_STORE_WRITE, &st, err,
	    sizeof(err)), 0);
	assert_int_equal(hy_store_survey_state(st, "2026-10", &s), 0);
	assert_int_equal(s, HY_SURVEY_NONE);
	assert_int_equal(hy_store_survey_create(st, "2026-10", 1), 0);
	assert_int_equal(hy_store_survey_create(st, "2026-10", 1), -1);
	assert_int_equal(hy_store_target_add(st, "2026-10", "a.jp", &added), 0);
	assert_true(added);
	assert_int_equal(hy_store_target_add(st, "2026-10", "a.jp", &added), 0);
	assert_false(added);
	assert_int_equal(hy_store_target_add(st, "2026-10", "c.jp", &added), 0);
	assert_int_equal(hy_store_result_put(st, "2026-10", "a.jp", "{}",
	    true), 0);
	assert_int_equal(hy_store_result_put(st, "2026-10", "c.jp", "{\"c\":1}",
	    false), 0);
	/* a result is never stored twice */
	assert_int_equal(hy_store_result_put(st, "2026-10", "a.jp", "{}",
	    false), -1);
	assert_non_null(strstr(hy_store_error(st), "already stored"));
	/* nor for a domain that is not a target */
	assert_int_equal(hy_store_result_put(st, "2026-10", "b.jp", "{}",
	    false), -1);
	assert_int_equal(hy_store_counts(st, "2026-10", &c), 0);
	assert_int_equal(c.targets, 2);
	assert_int_equal(c.results, 2);
	assert_int_equal(c.remeasurable, 1);
	assert_int_equal(c.redo, 0);
	assert_int_equal(hy_store_survey_state(st, "2026-10", &s), 0);
	assert_int_equal(s, HY_SURVEY_RUNNING);
	assert_int_equal(hy_store_survey_finish(st, "2026-10", "{\"x\":1}", 2),
	    0);
	assert_int_equal(hy_store_survey_state(st, "2026-10", &s), 0);
	assert_int_equal(s, HY_SURVEY_DONE);
	assert_int_equal(hy_store_stats_get(st, "2026-10", &txt), 0);
	assert_string_equal(txt, "{\"x\":1}");
	free(txt);
	assert_int_equal(hy_store_previous_month(st, "2026-11", &txt), 0);
	assert_string_equal(txt, "2026-10");
	free(txt);
	assert_int_equal(hy_store_previous_month(st, "2026-10", &txt), 0);
	assert_null(txt);

	/* The latest earlier result of a domain: a later month sees it. */
	assert_int_equal(hy_store_result_earlier(st, "2026-11", "c.jp", &m,
	    &txt), 0);
	assert_string_equal(m, "2026-10");
	assert_string_equal(txt, "{\"c\":1}");
	free(m);
	free(txt);
	assert_int_equal(hy_store_result_earlier(st, "2026-10", "c.jp", &m,
	    &txt), 0);
	assert_null(m);
	assert_null(txt);

	/* Re-measurement: only the remeasurable result is pending again,
	 * and the month is running; its replacement is stored once. */
	assert_int_equal(hy_store_survey_reopen(st, "2026-10", &marked), 0);
	assert_int_equal(marked, 1);
	assert_int_equal(hy_store_survey_state(st, "2026-10", &s), 0);
	assert_int_equal(s, HY_SURVEY_RUNNING);
	assert_int_equal(hy_store_counts(st, "2026-10", &c), 0);
	assert_int_equal(c.results, 1);
	assert_int_equal(c.redo, 1);
	assert_int_equal(hy_store_result_earlier(st, "2026-10", "a.jp", &m,
	    &txt), 0);
	assert_string_equal(m, "2026-10");	/* the one it replaces */
	free(m);
	free(txt);
	assert_int_equal(hy_store_result_put(st, "2026-10", "c.jp", "{}",
	    false), -1);
	assert_int_equal(hy_store_result_put(st, "2026-10", "a.jp", "{\"a\":2}",
	    false), 0);
	assert_int_equal(hy_store_result_put(st, "2026-10", "a.jp", "{}",
	    false), -1);
	assert_int_equal(hy_store_counts(st, "2026-10", &c), 0);
	assert_int_equal(c.results, 2);
	assert_int_equal(c.remeasurable, 0);
	assert_int_equal(c.redo, 0);

	assert_int_equal(hy_store_survey_delete(st, "2026-10"), 0);
	assert_int_equal(hy_store_survey_state(st, "2026-10", &s), 0);
	assert_int_equal(s, HY_SURVEY_NONE);
	hy_store_close(st);
	hy_store_close(NULL);
	rmdir_free(dir);
}

/* Reading (reports) never creates a history where a path was mistyped,
 * and refuses a file that is not one. */
static void
test_store_read(void **state)
{
	struct hy_store *st = NULL;
	char err[512], db[1024], *dir = tmpdir();
	struct stat sb;
	FILE *f;

	(void)state;
	snprintf(db, sizeof(db), "%s/typo.sqlite", dir);
	assert_int_equal(hy_store_open(db, HY_STORE_READ, &st, err,
	    sizeof(err)), -1);
	assert_null(st);
	assert_non_null(strstr(err, "typo.sqlite: No such file"));
	assert_int_equal(stat(db, &sb), -1);	/* not created */
	assert_non_null(f = fopen(db, "w"));
	fputs("month,domain\n", f);
	fclose(f);
	assert_int_equal(hy_store_open(db, HY_STORE_READ, &st, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not a hygiene history"));
	/* An empty file is an empty SQLite database, but still no history. */
	assert_non_null(f = fopen(db, "w"));
	fclose(f);
	assert_int_equal(hy_store_open(db, HY_STORE_READ, &st, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "not a hygiene history"));
	assert_int_equal(stat(db, &sb), 0);
	assert_int_equal(sb.st_size, 0);	/* left as it was */
	rmdir_free(dir);
}

/* A history written before re-measurement existed (layout 0) is brought
 * up to date when opened, for reading too, and keeps its results. */
static void
test_store_upgrade(void **state)
{
	struct hy_store *st = NULL;
	struct hy_store_counts c;
	char err[512], db[1024], *dir = tmpdir(), *txt;
	sqlite3 *raw;

	(void)state;
	snprintf(db, sizeof(db), "%s/old.sqlite", dir);
	assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(raw,
	    "CREATE TABLE surveys(month TEXT PRIMARY KEY, started_at INTEGER "
	    "NOT NULL, finished_at INTEGER, stats TEXT);"
	    "CREATE TABLE targets(seq INTEGER PRIMARY KEY, month TEXT NOT NULL "
	    "REFERENCES surveys(month), domain TEXT NOT NULL, "
	    "UNIQUE(month, domain));"
	    "CREATE INDEX targets_order ON targets(month, seq);"
	    "CREATE TABLE results(month TEXT NOT NULL, domain TEXT NOT NULL, "
	    "incomplete INTEGER NOT NULL, json TEXT NOT NULL, "
	    "PRIMARY KEY(month, domain), FOREIGN KEY(month, domain) "
	    "REFERENCES targets(month, domain));"
	    "INSERT INTO surveys VALUES('2026-09', 1, 2, '{\"month\":\"2026-09\"}');"
	    "INSERT INTO targets(month, domain) VALUES('2026-09', 'a.jp');"
	    "INSERT INTO results VALUES('2026-09', 'a.jp', 1, '{}');",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(raw);
	assert_int_equal(hy_store_open(db, HY_STORE_READ, &st, err,
	    sizeof(err)), 0);
	assert_int_equal(hy_store_stats_get(st, "2026-09", &txt), 0);
	assert_string_equal(txt, "{\"month\":\"2026-09\"}");
	free(txt);
	assert_int_equal(hy_store_counts(st, "2026-09", &c), 0);
	assert_int_equal(c.results, 1);
	assert_int_equal(c.remeasurable, 1);
	hy_store_close(st);
	rmdir_free(dir);
}

/* Writes stats.json and results.ndjson for the schema tests (tests/unit/CMakeLists.txt). */
static void
test_write_schema_sample(void **state)
{
	struct hy_survey_summary sum;
	char err[1024], *dir = tmpdir(), *text;
	FILE *f;

	(void)state;
	/* A second month, so a line shows attribution.earlier too; every
	 * measurement state is in it. */
	assert_int_equal(run_survey(dir, "2026-11", false, 0, NULL, &sum, err,
	    sizeof(err)), 0);
	assert_int_equal(run_survey(dir, "2026-12", false, 0, "mxfail", &sum,
	    err, sizeof(err)), 0);
	text = slurp(dir, "stats.json");
	f = fopen(HY_SCHEMA_SAMPLE, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	text = slurp(dir, "results.ndjson");
	f = fopen(HY_RESULTS_SAMPLE, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	rmdir_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapers),
		cmocka_unit_test(test_store),
		cmocka_unit_test(test_store_read),
		cmocka_unit_test(test_store_upgrade),
		cmocka_unit_test(test_attribution),
		cmocka_unit_test(test_measurement_rule),
		cmocka_unit_test(test_dmarc_counting),
		cmocka_unit_test(test_survey_outputs),
		cmocka_unit_test(test_survey_month_rules),
		cmocka_unit_test(test_resume_after_kill),
		cmocka_unit_test(test_abort_discards_batch),
		cmocka_unit_test(test_held_commits),
		cmocka_unit_test(test_remeasure),
		cmocka_unit_test(test_incomplete_keeps_hoster),
		cmocka_unit_test(test_compare_and_lang),
		cmocka_unit_test(test_write_schema_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
