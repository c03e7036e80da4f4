/*
 * The survey driver: plan targets into the store, measure the pending
 * ones through a checker with a bounded window, commit results in
 * batches, then regenerate the month's files from the store.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "hygiene/domainlist.h"
#include "hygiene/name.h"
#include "hygiene/report.h"
#include "hygiene/stats.h"
#include "hygiene/survey.h"

#define SURVEY_BATCH	512	/* pending targets fetched at a time */

struct pending {
	int64_t		 seq;
	char		*domain;
};

struct survey {
	struct hy_store			*st;
	const struct hy_survey_opts	*o;
	const struct hy_survey_checker	*ck;
	struct pending			 q[SURVEY_BATCH];
	size_t				 qhead, qlen;
	int64_t				 last_seq;
	bool				 exhausted;
	size_t				 in_flight;
	size_t				 ran;		/* stored by this run */
	size_t				 uncommitted;
	bool				 in_txn;
	struct hy_survey_summary	*sum;
	int				 fatal;
	bool				 discard;	/* roll back */
	char				*err;
	size_t				 errlen;
};

/* One domain in flight. */
struct survey_item {
	struct survey	*sv;
	char		*domain;
};

static void
survey_err(struct survey *sv, const char *fmt, ...)
{
	va_list ap;

	if (sv->fatal)
		return;		/* keep the first error */
	va_start(ap, fmt);
	vsnprintf(sv->err, sv->errlen, fmt, ap);
	va_end(ap);
	sv->fatal = 1;
}

bool
hy_month_valid(const char *m)
{
	return m != NULL && strlen(m) == 7 &&
	    m[0] >= '1' && m[0] <= '9' && m[1] >= '0' && m[1] <= '9' &&
	    m[2] >= '0' && m[2] <= '9' && m[3] >= '0' && m[3] <= '9' &&
	    m[4] == '-' && ((m[5] == '0' && m[6] >= '1' && m[6] <= '9') ||
	    (m[5] == '1' && m[6] >= '0' && m[6] <= '2'));
}

/* --domains as messages name it. */
static const char *
survey_list_name(const struct survey *sv)
{
	return strcmp(sv->o->domains_path, "-") == 0 ? "standard input" :
	    sv->o->domains_path;
}

/* Targets are stored normalised when the name is valid, so "IIJ.ad.jp."
 * and "iij.ad.jp" are one target; an invalid name is stored as typed and
 * the checker reports it as a per-domain error. An invalid line of the
 * --domains list is also named to the caller, so the list can be fixed. */
static int
survey_add_target(struct survey *sv, const char *input, size_t lineno)
{
	enum hy_name_error ne;
	char *a = NULL, *u = NULL;
	bool added;
	int rc;

	if ((ne = hy_name_normalize(input, &a, &u)) != HY_NAME_OK) {
		a = NULL;
		if (lineno > 0 && sv->o->warn != NULL)
			sv->o->warn(sv->o->warn_arg, "%s line %zu: invalid "
			    "input, recorded as such: %s: %s",
			    survey_list_name(sv), lineno, input,
			    hy_name_error_str(ne));
	}
	rc = hy_store_target_add(sv->st, sv->o->month, a ? a : input, &added);
	if (rc == 0 && !added)
		sv->sum->duplicates++;
	free(a);
	free(u);
	if (rc != 0)
		survey_err(sv, "%s", hy_store_error(sv->st));
	return rc;
}

static int
survey_plan_inputs(struct survey *sv)
{
	const struct hy_isp_list *l = sv->o->isps;
	struct hy_domainlist *dl;
	const char *s;
	size_t i, j, lineno, n = 0;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->v[i].ndomains; j++)
			if (survey_add_target(sv, l->v[i].domains[j], 0) != 0)
				return -1;
	if (sv->o->domains_path == NULL)
		return 0;
	if ((dl = hy_domainlist_open(sv->o->domains_path, sv->err,
	    sv->errlen)) == NULL) {
		sv->fatal = 1;
		return -1;
	}
	while ((s = hy_domainlist_next(dl, &lineno)) != NULL) {
		n++;
		if (survey_add_target(sv, s, lineno) != 0)
			break;
	}
	/* A list that stops early (corrupt, unreadable) is not planned at
	 * all: its missing tail would pass as a finished month. */
	if (!sv->fatal && hy_domainlist_error(dl) != NULL)
		survey_err(sv, "%s", hy_domainlist_error(dl));
	else if (!sv->fatal && n == 0)
		survey_err(sv, "%s holds no domain names (it is empty or has "
		    "only blank lines and comments)", survey_list_name(sv));
	sv->sum->duplicates += hy_domainlist_duplicates(dl);
	hy_domainlist_free(dl);
	return sv->fatal ? -1 : 0;
}

static bool
survey_drop(void *arg, const char *domain)
{
	return hy_exclude_match(arg, domain, NULL) != NULL;
}

/* Create or reopen the month's survey and load its targets; with
 * --remeasure, mark its incomplete results to be measured again. */
static int
survey_plan(struct survey *sv)
{
	enum hy_survey_state state;
	const char *m = sv->o->month;
	bool cont = sv->o->resume || sv->o->remeasure;

	if (hy_store_survey_state(sv->st, m, &state) != 0) {
		survey_err(sv, "%s", hy_store_error(sv->st));
		return -1;
	}
	if (state == HY_SURVEY_NONE && sv->o->remeasure) {
		survey_err(sv, "the history holds no survey for %s to measure "
		    "again", m);
		return -1;
	}
	if (state == HY_SURVEY_DONE && !cont) {
		survey_err(sv, "the history already holds a finished survey "
		    "for %s (one survey per month); use --resume to rewrite "
		    "its files, --remeasure to measure its incomplete domains "
		    "again, or another --month", m);
		return -1;
	}
	if (state == HY_SURVEY_RUNNING && !cont) {
		survey_err(sv, "an interrupted survey for %s is in the "
		    "history; continue it with --resume", m);
		return -1;
	}
	if (hy_store_begin(sv->st) != 0)
		goto dberr;
	if (state == HY_SURVEY_NONE &&
	    hy_store_survey_create(sv->st, m, sv->o->now) != 0)
		goto dberr_rb;
	/* On resume the inputs are read again: nothing is added twice, and a
	 * domain appended to the list since the interruption is included. */
	if (state != HY_SURVEY_DONE && survey_plan_inputs(sv) != 0) {
		hy_store_rollback(sv->st);
		return -1;
	}
	/* Opt-outs leave the month whenever they arrive: the inputs are
	 * planned whole, then every target the list covers is removed, with
	 * any result it already has (so --resume rewrites a finished
	 * month's files without it). */
	if (sv->o->exclude != NULL && hy_store_targets_remove_if(sv->st, m,
	    survey_drop, (void *)sv->o->exclude, &sv->sum->excluded) != 0)
		goto dberr_rb;
	if (sv->o->remeasure &&
	    hy_store_survey_reopen(sv->st, m, &sv->sum->marked) != 0)
		goto dberr_rb;
	if (hy_store_commit(sv->st) != 0)
		goto dberr_rb;
	return 0;
dberr_rb:
	survey_err(sv, "%s", hy_store_error(sv->st));
	hy_store_rollback(sv->st);
	return -1;
dberr:
	survey_err(sv, "%s", hy_store_error(sv->st));
	return -1;
}

static int
survey_queue_add(void *arg, int64_t seq, const char *domain)
{
	struct survey *sv = arg;
	struct pending *p = &sv->q[sv->qlen];

	if ((p->domain = strdup(domain)) == NULL)
		return -1;
	p->seq = seq;
	sv->qlen++;
	sv->last_seq = seq;
	return 0;
}

static int
survey_refill(struct survey *sv)
{
	sv->qhead = sv->qlen = 0;
	if (hy_store_targets_pending(sv->st, sv->o->month, sv->last_seq,
	    SURVEY_BATCH, survey_queue_add, sv) != 0) {
		survey_err(sv, "reading targets: %s", hy_store_error(sv->st));
		return -1;
	}
	if (sv->qlen == 0)
		sv->exhausted = true;
	return 0;
}

static int
survey_commit(struct survey *sv)
{
	if (!sv->in_txn)
		return 0;
	sv->in_txn = false;
	sv->uncommitted = 0;
	if (hy_store_commit(sv->st) != 0) {
		survey_err(sv, "%s", hy_store_error(sv->st));
		return -1;
	}
	return 0;
}

static void survey_pump(struct survey *);

/* Ask the resolver health check; on a reason, stop and roll back what
 * is not committed. True when stopped. */
static bool
survey_resolver_dead(struct survey *sv, bool final)
{
	const char *why;

	if (sv->o->abort_check == NULL ||
	    (why = sv->o->abort_check(sv->o->abort_arg, final)) == NULL)
		return false;
	survey_err(sv, "%s; stopped without storing the results of this "
	    "batch: fix the cause and continue with --resume", why);
	sv->discard = true;
	return true;
}

static bool
survey_may_commit(const struct survey *sv)
{
	return sv->o->may_commit == NULL ||
	    sv->o->may_commit(sv->o->abort_arg);
}

/* Attribution, with the domain's earlier result when this one is
 * incomplete (its MX or NS may be unknown this time), and the state. */
static int
survey_annotate(struct survey *sv, const char *domain, json_t *obj,
    enum hy_measurement m)
{
	char *em = NULL, *ej = NULL;
	json_t *earlier = NULL;
	int rc = -1;

	if (m == HY_MEAS_INCOMPLETE) {
		if (hy_store_result_earlier(sv->st, sv->o->month, domain, &em,
		    &ej) != 0) {
			survey_err(sv, "%s: %s", domain,
			    hy_store_error(sv->st));
			return -1;
		}
		/* A stored line that does not parse is no earlier result. */
		earlier = ej ? json_loads(ej, 0, NULL) : NULL;
	}
	if (hy_stats_attribute(sv->o->isps, obj, em, earlier) != 0 ||
	    json_object_set_new(obj, "measurement",
	    json_string(hy_measurement_str(m))) != 0)
		survey_err(sv, "out of memory");
	else
		rc = 0;
	json_decref(earlier);
	free(em);
	free(ej);
	return rc;
}

static void
survey_done(void *arg, json_t *obj)
{
	struct survey_item *it = arg;
	struct survey *sv = it->sv;
	enum hy_measurement m;
	char *line = NULL;

	sv->in_flight--;
	if (obj == NULL) {
		survey_err(sv, "out of memory building the result of %s",
		    it->domain);
		goto out;
	}
	if (sv->fatal || survey_resolver_dead(sv, false))
		goto out;
	m = hy_stats_measurement(obj);
	if (!sv->in_txn) {
		if (hy_store_begin(sv->st) != 0) {
			survey_err(sv, "%s", hy_store_error(sv->st));
			goto out;
		}
		sv->in_txn = true;
	}
	if (survey_annotate(sv, it->domain, obj, m) != 0)
		goto out;
	if ((line = json_dumps(obj, JSON_COMPACT)) == NULL) {
		survey_err(sv, "out of memory");
		goto out;
	}
	if (hy_store_result_put(sv->st, sv->o->month, it->domain, line,
	    m == HY_MEAS_INCOMPLETE) != 0) {
		survey_err(sv, "%s: %s", it->domain, hy_store_error(sv->st));
		goto out;
	}
	sv->ran++;
	if (++sv->uncommitted >= sv->o->commit_every && survey_may_commit(sv))
		survey_commit(sv);
	if (sv->o->progress != NULL)
		sv->o->progress(sv->o->progress_arg, sv->sum->resumed +
		    sv->ran, sv->sum->targets);
out:
	free(line);
	json_decref(obj);
	free(it->domain);
	free(it);
	survey_pump(sv);
}

/* Keep the window full; called at start and after each result. */
static void
survey_pump(struct survey *sv)
{
	struct survey_item *it;
	struct pending *p;

	while (!sv->fatal && sv->in_flight < sv->o->window) {
		if (sv->qhead == sv->qlen &&
		    (sv->exhausted || survey_refill(sv) != 0 || sv->exhausted))
			return;
		p = &sv->q[sv->qhead++];
		if ((it = calloc(1, sizeof(*it))) == NULL) {
			free(p->domain);
			survey_err(sv, "out of memory");
			return;
		}
		it->sv = sv;
		it->domain = p->domain;
		p->domain = NULL;
		sv->in_flight++;
		if (sv->ck->start(sv->ck->ctx, it->domain, survey_done,
		    it) != 0) {
			sv->in_flight--;
			survey_err(sv, "out of memory starting %s",
			    it->domain);
			free(it->domain);
			free(it);
			return;
		}
	}
}

int
hy_survey_run(struct hy_store *st, const struct hy_survey_opts *o,
    const struct hy_survey_checker *ck, struct hy_survey_summary *sum,
    char *err, size_t errlen)
{
	struct survey sv = {
		.st = st, .o = o, .ck = ck, .sum = sum, .err = err,
		.errlen = errlen,
	};
	struct hy_store_counts c;
	size_t i;

	memset(sum, 0, sizeof(*sum));
	if (survey_plan(&sv) != 0)
		return -1;
	if (hy_store_counts(st, o->month, &c) != 0) {
		survey_err(&sv, "%s", hy_store_error(st));
		return -1;
	}
	sum->targets = c.targets;
	sum->resumed = c.results;
	survey_pump(&sv);
	if (ck->run(ck->ctx) != 0)
		survey_err(&sv, "the measurement loop failed");
	/* Results held back for fear of an outage: decide before the last
	 * commit. */
	if (!sv.fatal && sv.in_txn && !survey_may_commit(&sv))
		survey_resolver_dead(&sv, true);
	/* Commit whatever finished, even after an error, since it is
	 * valid; unless the error says the measurements were not. */
	if (sv.discard && sv.in_txn) {
		sv.in_txn = false;
		hy_store_rollback(st);
	} else
		survey_commit(&sv);
	for (i = sv.qhead; i < sv.qlen; i++)
		free(sv.q[i].domain);
	if (sv.fatal)
		return -1;
	if (hy_store_counts(st, o->month, &c) != 0) {
		survey_err(&sv, "%s", hy_store_error(st));
		return -1;
	}
	sum->targets = c.targets;
	sum->stored = c.results;
	if (c.results != c.targets) {
		survey_err(&sv, "%zu of %zu domains have no result",
		    c.targets - c.results, c.targets);
		return -1;
	}
	return hy_survey_write_outputs(st, o, sum, err, errlen);
}

/* ---- outputs ---- */

struct outputs {
	FILE		*ndjson;
	struct hy_stats	*stats;
	json_t		*own;		/* own-domain results for the report */
	int		 err;
};

static int
outputs_row(void *arg, const char *json, unsigned attempts)
{
	struct outputs *w = arg;
	json_t *obj, *att;

	if (fputs(json, w->ndjson) == EOF || fputc('\n', w->ndjson) == EOF)
		return w->err = -1;
	if ((obj = json_loads(json, 0, NULL)) == NULL)
		return w->err = -1;
	if (hy_stats_add(w->stats, obj, attempts) != 0)
		goto fail;
	att = json_object_get(obj, "attribution");
	if (json_is_string(json_object_get(att, "own"))) {
		if (json_array_append(w->own, obj) != 0)
			goto fail;
	}
	json_decref(obj);
	return 0;
fail:
	json_decref(obj);
	return w->err = -1;
}

/* Write path via a temporary file and rename, so a reader never sees a
 * half-written file. */
static FILE *
outputs_open(const char *dir, const char *name, char *tmp, size_t tmplen)
{
	snprintf(tmp, tmplen, "%s/.%s.tmp", dir, name);
	return fopen(tmp, "w");
}

static int
outputs_close(FILE *f, const char *dir, const char *name, const char *tmp)
{
	char path[4096];
	int bad = ferror(f);

	if (fclose(f) != 0 || bad) {
		unlink(tmp);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return rename(tmp, path);
}

static int
outputs_report(const char *dir, const char *name,
    const struct hy_report_in *in, enum hy_report_format fmt)
{
	char tmp[4096];
	FILE *f;

	if ((f = outputs_open(dir, name, tmp, sizeof(tmp))) == NULL)
		return -1;
	if (hy_report_write(f, in, fmt, HY_LANG_EN) != 0) {
		fclose(f);
		unlink(tmp);
		return -1;
	}
	return outputs_close(f, dir, name, tmp);
}

/* The month's states and re-measurements from stats.json. */
static void
outputs_summary(const json_t *stats, struct hy_survey_summary *sum)
{
	const json_t *t = json_object_get(stats, "totals");
	size_t m;

	for (m = 0; m < HY_MEAS_N; m++)
		sum->state[m] = (size_t)json_integer_value(json_object_get(t,
		    hy_measurement_str(m)));
	sum->remeasured = (size_t)json_integer_value(json_object_get(
	    json_object_get(stats, "remeasured"), "domains"));
}

int
hy_survey_write_outputs(struct hy_store *st, const struct hy_survey_opts *o,
    struct hy_survey_summary *sum, char *err, size_t errlen)
{
	struct outputs w = { 0 };
	struct hy_report_in in = { 0 };
	json_t *stats = NULL, *prev = NULL;
	char tmp[4096], *text = NULL, *pm = NULL;
	FILE *f;
	int rc = -1;

	if ((w.stats = hy_stats_new(o->isps)) == NULL ||
	    (w.own = json_array()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((w.ndjson = outputs_open(o->out_dir, "results.ndjson", tmp,
	    sizeof(tmp))) == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (hy_store_results_foreach(st, o->month, outputs_row, &w) != 0 ||
	    w.err != 0) {
		snprintf(err, errlen, "writing %s: %s", tmp, w.err ?
		    strerror(errno) : hy_store_error(st));
		fclose(w.ndjson);
		unlink(tmp);
		goto out;
	}
	if (outputs_close(w.ndjson, o->out_dir, "results.ndjson", tmp) != 0) {
		snprintf(err, errlen, "writing results.ndjson in %s: %s",
		    o->out_dir, strerror(errno));
		goto out;
	}
	if ((stats = hy_stats_json(w.stats, o->month, o->rpki)) == NULL ||
	    (text = json_dumps(stats, JSON_INDENT(2))) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (sum != NULL)
		outputs_summary(stats, sum);
	if (hy_store_survey_finish(st, o->month, text, o->now) != 0) {
		snprintf(err, errlen, "%s", hy_store_error(st));
		goto out;
	}
	if ((f = outputs_open(o->out_dir, "stats.json", tmp,
	    sizeof(tmp))) == NULL || fputs(text, f) == EOF ||
	    fputc('\n', f) == EOF ||
	    outputs_close(f, o->out_dir, "stats.json", tmp) != 0) {
		snprintf(err, errlen, "writing stats.json in %s: %s",
		    o->out_dir, strerror(errno));
		goto out;
	}
	if (hy_store_previous_month(st, o->month, &pm) != 0) {
		snprintf(err, errlen, "%s", hy_store_error(st));
		goto out;
	}
	if (pm != NULL && hy_report_load(st, pm, NULL, &prev, NULL, NULL, err,
	    errlen) != 0)
		goto out;
	in.stats = stats;
	in.prev = prev;
	in.domains = w.own;
	if (outputs_report(o->out_dir, "stats.csv", &in, HY_REPORT_CSV) != 0 ||
	    outputs_report(o->out_dir, "report.html", &in, HY_REPORT_HTML)
	    != 0) {
		snprintf(err, errlen, "writing the report in %s: %s",
		    o->out_dir, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	hy_stats_free(w.stats);
	json_decref(w.own);
	json_decref(stats);
	json_decref(prev);
	free(text);
	free(pm);
	return rc;
}
