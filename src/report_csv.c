/*
 * CSV reports: one table per file, one header row, the same number of
 * fields on every line (tests/reports/check_csv.py reads every file back
 * with Python's csv module). UTF-8 with a BOM so Japanese Excel reads it;
 * every text cell is quoted and neutralised (hy_csv_cell); numbers are
 * bare, an empty cell is "no value" (a rate with nothing to count).
 * Verdicts are the schema's keys, not words: the tables are for
 * machines and analysts' formulas.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hygiene/catalog.h"
#include "hygiene/stats.h"
#include "report_int.h"

struct row {
	FILE	*f;
	size_t	 n;		/* cells written on this line */
	int	 err;
};

static void
sep(struct row *r)
{
	if (r->n++ > 0 && fputc(',', r->f) == EOF)
		r->err = -1;
}

/* A header name: a plain identifier, written bare. */
static void
head(struct row *r, const char *prefix, const char *name)
{
	sep(r);
	if (fprintf(r->f, "%s%s%s", prefix ? prefix : "", prefix ? "_" : "",
	    name) < 0)
		r->err = -1;
}

static void
cell_s(struct row *r, const char *s)
{
	char *c = hy_csv_cell(s != NULL ? s : "");

	sep(r);
	if (c == NULL || fputs(c, r->f) == EOF)
		r->err = -1;
	free(c);
}

static void
cell_i(struct row *r, long long v)
{
	sep(r);
	if (fprintf(r->f, "%lld", v) < 0)
		r->err = -1;
}

/* A number, or an empty cell for NAN. */
static void
cell_f(struct row *r, double v)
{
	sep(r);
	if (!isnan(v) && fprintf(r->f, "%.2f", v) < 0)
		r->err = -1;
}

static int
row_end(struct row *r)
{
	if (fputc('\n', r->f) == EOF)
		r->err = -1;
	r->n = 0;
	return r->err;
}

/* ---- isps: per ISP and scope (own, hosted) and all ---- */

static const char *const sec_names[] = { "dnssec", "spf", "dmarc",
    "mta_sts" };
#define NSECS	(sizeof(sec_names) / sizeof(sec_names[0]))

static int
isps_header(struct row *r)
{
	static const char *const fixed[] = { "month", "compare_month",
	    "isp_id", "name", "name_ja", "scope", "domains", NULL };
	const char *const *keys;
	size_t s, k;

	for (k = 0; fixed[k] != NULL; k++)
		head(r, NULL, fixed[k]);
	for (k = 0; k < HY_NSTATES; k++)
		head(r, NULL, hy_state_keys[k]);
	for (s = 0; s < NSECS; s++)
		for (keys = hy_stats_keys(sec_names[s]), k = 0;
		    keys[k] != NULL; k++)
			head(r, sec_names[s], keys[k]);
	for (k = 0; k < HY_NTECHS; k++) {
		head(r, hy_techs[k].id, "pct");
		head(r, hy_techs[k].id, "n");
		head(r, hy_techs[k].id, "delta_pts");
	}
	return row_end(r);
}

/* One row; isp NULL for "all". Hosted rows have no RPKI. */
static int
isps_row(struct row *r, const struct hy_report_in *in, const json_t *isp,
    const json_t *t, const json_t *pt, const char *scope)
{
	const char *const *keys;
	long long n;
	double cur;
	size_t s, k;
	bool hosted = strcmp(scope, "hosted") == 0;

	cell_s(r, hy_jstr(in->stats, "month"));
	cell_s(r, in->prev ? hy_jstr(in->prev, "month") : "");
	cell_s(r, isp ? hy_jstr(isp, "id") : "");
	cell_s(r, isp ? hy_jstr(isp, "name") : "");
	cell_s(r, isp ? hy_jstr(isp, "name_ja") : "");
	cell_s(r, scope);
	cell_i(r, hy_jint(t, "domains"));
	for (k = 0; k < HY_NSTATES; k++)
		cell_i(r, hy_jint(t, hy_state_keys[k]));
	for (s = 0; s < NSECS; s++)
		for (keys = hy_stats_keys(sec_names[s]), k = 0;
		    keys[k] != NULL; k++)
			cell_i(r, hy_jint(json_object_get(t, sec_names[s]),
			    keys[k]));
	for (k = 0; k < HY_NTECHS; k++) {
		if (hosted && hy_techs[k].routes) {
			cell_f(r, NAN);
			cell_f(r, NAN);
			cell_f(r, NAN);
			continue;
		}
		cur = hy_tech_rate(&hy_techs[k], t, &n);
		cell_f(r, cur);
		if (hy_tech_counts(&hy_techs[k], t) != NULL)
			cell_i(r, n);
		else
			cell_f(r, NAN);
		cell_f(r, cur - (pt ? hy_tech_rate(&hy_techs[k], pt, NULL) :
		    NAN));
	}
	return row_end(r);
}

static int
csv_isps(struct row *r, const struct hy_report_in *in)
{
	const json_t *isp, *p;
	json_t *all, *pall = NULL;
	size_t i;
	int rc;

	if (isps_header(r) != 0)
		return -1;
	json_array_foreach(json_object_get(in->stats, "isps"), i, isp) {
		p = in->prev ? hy_report_isp(in->prev, hy_jstr(isp, "id")) :
		    NULL;
		if (isps_row(r, in, isp, isp, p, "own") != 0 ||
		    isps_row(r, in, isp, json_object_get(isp, "hosted"),
		    p ? json_object_get(p, "hosted") : NULL, "hosted") != 0)
			return -1;
	}
	if ((all = hy_report_all_total(in->stats)) == NULL ||
	    (in->prev != NULL && (pall = hy_report_all_total(in->prev)) ==
	    NULL)) {
		json_decref(all);
		return -1;
	}
	rc = isps_row(r, in, NULL, all, pall, "all");
	json_decref(all);
	json_decref(pall);
	return rc;
}

/* ---- domains: one row per result ---- */

static const char *const dom_cols[] = { "domain", "domain_unicode",
    "input", "isp_id", "hosted_by", "measurement", "dnssec", "spf",
    "spf_all", "dmarc", "dmarc_rua", "mta_sts", "tls_rpt", "null_mx",
    "spf_record", "dmarc_record", "errors", NULL };

/* The strings of an array joined by spaces (malloc'd). */
static char *
joined(const json_t *arr)
{
	const json_t *v;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	json_array_foreach(arr, i, v)
		if (json_is_string(v))
			fprintf(f, "%s%s", i ? " " : "", json_string_value(v));
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int
dom_row(void *arg, const json_t *d)
{
	struct row *r = arg;
	const json_t *att = json_object_get(d, "attribution");
	char *hb = joined(json_object_get(att, "hosted_by")),
	    *rua = joined(json_object_get(json_object_get(d, "dmarc"), "rua")),
	    *errs = hy_report_dom_errors(d, HY_LANG_EN);
	const json_t *nm = json_object_get(d, "null_mx");
	int rc = -1;

	if (hb == NULL || rua == NULL || errs == NULL)
		goto out;
	cell_s(r, hy_jstr(d, "domain"));
	cell_s(r, hy_jstr(d, "domain_unicode"));
	cell_s(r, hy_jstr(d, "domain") [0] ? "" : hy_jstr(d, "input"));
	cell_s(r, hy_jstr(att, "own"));
	cell_s(r, hb);
	cell_s(r, hy_report_dom_state(d));
	cell_s(r, hy_report_dom_status(d, "dnssec"));
	cell_s(r, hy_report_dom_status(d, "spf"));
	cell_s(r, hy_jstr(json_object_get(d, "spf"), "all"));
	cell_s(r, hy_report_dom_status(d, "dmarc"));
	cell_s(r, rua);
	cell_s(r, hy_report_dom_status(d, "mta_sts"));
	cell_s(r, hy_report_dom_status(d, "tls_rpt"));
	cell_s(r, json_is_boolean(nm) ? (json_is_true(nm) ? "yes" : "no") :
	    "");
	cell_s(r, hy_jstr(json_object_get(d, "spf"), "record"));
	cell_s(r, hy_jstr(json_object_get(d, "dmarc"), "record"));
	cell_s(r, errs);
	rc = row_end(r);
out:
	free(hb);
	free(rua);
	free(errs);
	return rc;
}

static int
csv_domains(struct row *r, const struct hy_report_in *in)
{
	size_t k;

	for (k = 0; dom_cols[k] != NULL; k++)
		head(r, NULL, dom_cols[k]);
	if (row_end(r) != 0)
		return -1;
	return hy_report_domains_foreach(in, dom_row, r);
}

/* ---- rpki: per ISP, routes, coverage and ROV ---- */

static const char *const rpki_cols[] = { "isp_id", "name", "name_ja",
    "asns", "routes", "valid", "invalid", "invalid_asn", "invalid_length",
    "not_found", "valid_pct", "roa_coverage_pct", "vrps", "loose_roas",
    "routes_to_fix", "rov_status", "rov_evidence", "rov_feeds",
    "rov_full_feeds", "rov_routes_exported", "rov_invalid_exported",
    "rov_invalid_own", "rov_invalid_in_view", "rov_invalid_transit",
    "rov_reason", "rov_examples", NULL };

static char *
asns_text(const json_t *isp)
{
	const json_t *v;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	json_array_foreach(json_object_get(isp, "asns"), i, v)
		fprintf(f, "%sAS%lld", i ? " " : "",
		    (long long)json_integer_value(v));
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static char *
examples_text(const json_t *rov)
{
	const json_t *e;
	char *buf = NULL, *t;
	size_t len = 0, i;
	FILE *f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return NULL;
	json_array_foreach(json_object_get(rov, "examples"), i, e)
		if ((t = hy_report_rov_example(e)) != NULL) {
			fprintf(f, "%s%s", i ? "; " : "", t);
			free(t);
		}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int
rpki_row(struct row *r, const json_t *isp)
{
	const json_t *rp = json_object_get(isp, "rpki"),
	    *routes = json_object_get(rp, "routes"),
	    *rov = json_object_get(rp, "rov"),
	    *fix = json_object_get(rp, "routes_to_fix"),
	    *cov = json_object_get(rp, "roa_coverage");
	static const char *const states[] = { "valid", "invalid",
	    "invalid-asn", "invalid-length", "not-found" };
	char *asns = asns_text(isp), *ex = NULL;
	long long total = 0;
	size_t k;

	if (asns == NULL)
		return -1;
	cell_s(r, hy_jstr(isp, "id"));
	cell_s(r, hy_jstr(isp, "name"));
	cell_s(r, hy_jstr(isp, "name_ja"));
	cell_s(r, asns);
	free(asns);
	if (json_is_object(routes)) {
		total = hy_jint(routes, "valid") + hy_jint(routes, "invalid") +
		    hy_jint(routes, "not-found");
		cell_i(r, total);
		for (k = 0; k < 5; k++)
			cell_i(r, hy_jint(routes, states[k]));
		cell_f(r, hy_tech_rate(&hy_techs[HY_NTECHS - 1], isp, NULL));
		cell_f(r, json_is_number(cov) ? 100.0 *
		    json_number_value(cov) : NAN);
		cell_i(r, hy_jint(rp, "vrps"));
		cell_i(r, hy_jint(json_object_get(rp, "loose_roas"), "count"));
		if (json_is_array(fix))
			cell_i(r, (long long)json_array_size(fix));
		else
			cell_f(r, NAN);
	} else
		for (k = 0; k < 11; k++)
			cell_f(r, NAN);
	if (json_is_object(rov)) {
		if ((ex = examples_text(rov)) == NULL)
			return -1;
		cell_s(r, hy_jstr(rov, "status"));
		cell_s(r, hy_jstr(rov, "evidence"));
		cell_i(r, (long long)json_array_size(json_object_get(rov,
		    "feeds")));
		cell_i(r, hy_report_rov_full_feeds(rov));
		cell_i(r, hy_jint(rov, "routes_exported"));
		cell_i(r, hy_jint(rov, "invalid_exported"));
		cell_i(r, hy_jint(rov, "invalid_own"));
		cell_i(r, hy_jint(rov, "invalid_in_view"));
		cell_i(r, hy_jint(rov, "invalid_transit"));
		cell_s(r, hy_jstr(rov, "reason"));
		cell_s(r, ex);
		free(ex);
	} else {
		for (k = 0; k < 2; k++)
			cell_s(r, "");
		for (k = 0; k < 7; k++)
			cell_f(r, NAN);
		cell_s(r, "");
		cell_s(r, "");
	}
	return row_end(r);
}

static int
csv_rpki(struct row *r, const struct hy_report_in *in)
{
	const json_t *isp;
	size_t i;

	for (i = 0; rpki_cols[i] != NULL; i++)
		head(r, NULL, rpki_cols[i]);
	if (row_end(r) != 0)
		return -1;
	json_array_foreach(json_object_get(in->stats, "isps"), i, isp)
		if (rpki_row(r, isp) != 0)
			return -1;
	return 0;
}

/* ---- findings: one row per finding of every domain ---- */

/* rfc and remediation come from the findings catalogue (empty for a
 * code it does not have). */
static const char *const finding_cols[] = { "domain", "isp_id",
    "section", "severity", "code", "message", "rfc", "remediation", NULL };

static int
finding_row(struct row *r, const char *name, const char *own,
    const char *section, const char *sev, const json_t *fnd)
{
	const struct hy_catalog_entry *c = hy_catalog_find(section,
	    hy_jstr(fnd, "code"));

	cell_s(r, name);
	cell_s(r, own);
	cell_s(r, section);
	cell_s(r, sev);
	cell_s(r, hy_jstr(fnd, "code"));
	cell_s(r, hy_jstr(fnd, "message"));
	cell_s(r, c != NULL ? c->rfc : "");
	cell_s(r, c != NULL ? c->fix_en : "");
	return row_end(r);
}

static int
finding_rows(void *arg, const json_t *d)
{
	struct row *r = arg;
	const char *own = hy_jstr(json_object_get(d, "attribution"), "own"),
	    *name = *hy_jstr(d, "domain") ? hy_jstr(d, "domain") :
	    hy_jstr(d, "input"), *key;
	const json_t *sec, *fnd;
	size_t i;

	json_object_foreach((json_t *)d, key, sec)
		json_array_foreach(json_object_get(sec, "issues"), i, fnd)
			if (finding_row(r, name, own, key, hy_jstr(fnd,
			    "severity"), fnd) != 0)
				return -1;
	json_array_foreach(json_object_get(d, "errors"), i, fnd)
		if (finding_row(r, name, own, "errors", "error", fnd) != 0)
			return -1;
	return 0;
}

static int
csv_findings(struct row *r, const struct hy_report_in *in)
{
	size_t k;

	for (k = 0; finding_cols[k] != NULL; k++)
		head(r, NULL, finding_cols[k]);
	if (row_end(r) != 0)
		return -1;
	return hy_report_domains_foreach(in, finding_rows, r);
}

/* ---- the tables ---- */

static const struct {
	const char	*name;
	const char	*file;
	int		(*write)(struct row *, const struct hy_report_in *);
} tables[HY_TABLE_N] = {
	[HY_TABLE_ISPS] = { "isps", "stats.csv", csv_isps },
	[HY_TABLE_DOMAINS] = { "domains", "domains.csv", csv_domains },
	[HY_TABLE_RPKI] = { "rpki", "rpki.csv", csv_rpki },
	[HY_TABLE_FINDINGS] = { "findings", "findings.csv", csv_findings },
};

int
hy_report_csv(FILE *f, const struct hy_report_in *in, enum hy_report_table t)
{
	struct row r = { f, 0, 0 };

	if (t >= HY_TABLE_N)
		return -1;
	fputs("\xef\xbb\xbf", f);	/* BOM: Excel then reads UTF-8 */
	if (tables[t].write(&r, in) != 0 || r.err != 0)
		return -1;
	return ferror(f) ? -1 : 0;
}

const char *
hy_report_table_file(enum hy_report_table t)
{
	return t < HY_TABLE_N ? tables[t].file : NULL;
}

int
hy_report_table_parse(const char *s)
{
	int t;

	for (t = 0; t < HY_TABLE_N; t++)
		if (strcmp(s, tables[t].name) == 0)
			return t;
	return -1;
}
