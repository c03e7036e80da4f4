/*
 * SQLite survey history. Prepared statements are compiled once per
 * connection; every call resets its statement before returning.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "hygiene/store.h"

enum {
	Q_STATE, Q_CREATE, Q_FINISH, Q_DEL_RESULTS, Q_DEL_TARGETS, Q_DEL_SURVEY,
	Q_TARGET_ADD, Q_PENDING, Q_RESULT_PUT, Q_RESULTS, Q_COUNT_T, Q_COUNT_R,
	Q_STATS, Q_PREV, Q_N
};

static const char *const queries[Q_N] = {
	[Q_STATE] = "SELECT finished_at IS NOT NULL FROM surveys WHERE month=?1",
	[Q_CREATE] = "INSERT INTO surveys(month, started_at) VALUES(?1, ?2)",
	[Q_FINISH] = "UPDATE surveys SET finished_at=?3, stats=?2 "
	    "WHERE month=?1",
	[Q_DEL_RESULTS] = "DELETE FROM results WHERE month=?1",
	[Q_DEL_TARGETS] = "DELETE FROM targets WHERE month=?1",
	[Q_DEL_SURVEY] = "DELETE FROM surveys WHERE month=?1",
	[Q_TARGET_ADD] = "INSERT OR IGNORE INTO targets(month, domain) "
	    "VALUES(?1, ?2)",
	[Q_PENDING] = "SELECT t.seq, t.domain FROM targets t WHERE t.month=?1 "
	    "AND t.seq>?2 AND NOT EXISTS (SELECT 1 FROM results r "
	    "WHERE r.month=t.month AND r.domain=t.domain) "
	    "ORDER BY t.seq LIMIT ?3",
	[Q_RESULT_PUT] = "INSERT INTO results(month, domain, incomplete, json) "
	    "VALUES(?1, ?2, ?3, ?4)",
	/* CROSS JOIN keeps targets as the outer loop: input order without
	 * a temporary sort of every result. */
	[Q_RESULTS] = "SELECT r.json FROM targets t CROSS JOIN results r "
	    "ON r.month=t.month AND r.domain=t.domain WHERE t.month=?1 "
	    "ORDER BY t.seq",
	[Q_COUNT_T] = "SELECT count(*) FROM targets WHERE month=?1",
	[Q_COUNT_R] = "SELECT count(*), coalesce(sum(incomplete), 0) "
	    "FROM results WHERE month=?1",
	[Q_STATS] = "SELECT stats FROM surveys WHERE month=?1",
	[Q_PREV] = "SELECT month FROM surveys WHERE month<?1 AND "
	    "finished_at IS NOT NULL ORDER BY month DESC LIMIT 1",
};

static const char schema[] =
	"PRAGMA journal_mode=WAL;"
	"PRAGMA synchronous=NORMAL;"
	"PRAGMA foreign_keys=ON;"
	"CREATE TABLE IF NOT EXISTS surveys("
	"  month TEXT PRIMARY KEY,"
	"  started_at INTEGER NOT NULL,"
	"  finished_at INTEGER,"
	"  stats TEXT);"
	"CREATE TABLE IF NOT EXISTS targets("
	"  seq INTEGER PRIMARY KEY,"
	"  month TEXT NOT NULL REFERENCES surveys(month),"
	"  domain TEXT NOT NULL,"
	"  UNIQUE(month, domain));"
	/* Walks in input order (pending targets, results for the outputs)
	 * are range scans of this index, not a sort per batch. */
	"CREATE INDEX IF NOT EXISTS targets_order ON targets(month, seq);"
	"CREATE TABLE IF NOT EXISTS results("
	"  month TEXT NOT NULL,"
	"  domain TEXT NOT NULL,"
	"  incomplete INTEGER NOT NULL,"
	"  json TEXT NOT NULL,"
	"  PRIMARY KEY(month, domain),"
	"  FOREIGN KEY(month, domain) REFERENCES targets(month, domain));";

struct hy_store {
	sqlite3		*db;
	sqlite3_stmt	*q[Q_N];
	char		 err[256];
};

static int
store_fail(struct hy_store *st, const char *what)
{
	snprintf(st->err, sizeof(st->err), "%s: %s", what,
	    sqlite3_errmsg(st->db));
	return -1;
}

const char *
hy_store_error(const struct hy_store *st)
{
	return st->err;
}

int
hy_store_open(const char *path, struct hy_store **out, char *err,
    size_t errlen)
{
	struct hy_store *st;
	size_t i;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, st->db ?
		    sqlite3_errmsg(st->db) : "cannot open");
		goto fail;
	}
	/* A report run may overlap a survey's commit: wait, don't fail. */
	sqlite3_busy_timeout(st->db, 10000);
	if (sqlite3_exec(st->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(st->db));
		goto fail;
	}
	for (i = 0; i < Q_N; i++)
		if (sqlite3_prepare_v3(st->db, queries[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->q[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", path,
			    sqlite3_errmsg(st->db));
			goto fail;
		}
	*out = st;
	return 0;
fail:
	hy_store_close(st);
	return -1;
}

void
hy_store_close(struct hy_store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < Q_N; i++)
		sqlite3_finalize(st->q[i]);
	sqlite3_close(st->db);
	free(st);
}

static int
store_exec(struct hy_store *st, const char *sql)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st, sql);
	return 0;
}

int
hy_store_begin(struct hy_store *st)
{
	return store_exec(st, "BEGIN IMMEDIATE");
}

int
hy_store_commit(struct hy_store *st)
{
	return store_exec(st, "COMMIT");
}

int
hy_store_rollback(struct hy_store *st)
{
	return store_exec(st, "ROLLBACK");
}

/* Run a statement that returns no rows, after binding. */
static int
store_step_done(struct hy_store *st, sqlite3_stmt *s, const char *what)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, what);
	return 0;
}

int
hy_store_survey_state(struct hy_store *st, const char *month,
    enum hy_survey_state *state)
{
	sqlite3_stmt *s = st->q[Q_STATE];
	int rc;

	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*state = sqlite3_column_int(s, 0) ? HY_SURVEY_DONE :
		    HY_SURVEY_RUNNING;
	else if (rc == SQLITE_DONE)
		*state = HY_SURVEY_NONE;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "survey state");
	return 0;
}

int
hy_store_survey_create(struct hy_store *st, const char *month,
    time_t started_at)
{
	sqlite3_stmt *s = st->q[Q_CREATE];

	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)started_at);
	return store_step_done(st, s, "create survey");
}

int
hy_store_survey_finish(struct hy_store *st, const char *month,
    const char *stats_json, time_t finished_at)
{
	sqlite3_stmt *s = st->q[Q_FINISH];

	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, stats_json, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)finished_at);
	if (store_step_done(st, s, "finish survey") != 0)
		return -1;
	if (sqlite3_changes(st->db) != 1) {
		snprintf(st->err, sizeof(st->err), "no survey for %s", month);
		return -1;
	}
	return 0;
}

int
hy_store_survey_delete(struct hy_store *st, const char *month)
{
	int q[] = { Q_DEL_RESULTS, Q_DEL_TARGETS, Q_DEL_SURVEY };
	size_t i;

	for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		sqlite3_bind_text(st->q[q[i]], 1, month, -1, SQLITE_STATIC);
		if (store_step_done(st, st->q[q[i]], "delete survey") != 0)
			return -1;
	}
	return 0;
}

int
hy_store_target_add(struct hy_store *st, const char *month,
    const char *domain, bool *added)
{
	sqlite3_stmt *s = st->q[Q_TARGET_ADD];

	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, domain, -1, SQLITE_STATIC);
	if (store_step_done(st, s, "add target") != 0)
		return -1;
	if (added != NULL)
		*added = sqlite3_changes(st->db) == 1;
	return 0;
}

int
hy_store_targets_pending(struct hy_store *st, const char *month,
    int64_t after, size_t limit, hy_store_target_fn fn, void *arg)
{
	sqlite3_stmt *s = st->q[Q_PENDING];
	int rc, cbrc = 0;

	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		cbrc = fn(arg, sqlite3_column_int64(s, 0),
		    (const char *)sqlite3_column_text(s, 1));
		if (cbrc != 0)
			break;
	}
	sqlite3_reset(s);
	if (cbrc != 0)
		return cbrc;
	if (rc != SQLITE_DONE)
		return store_fail(st, "pending targets");
	return 0;
}

int
hy_store_result_put(struct hy_store *st, const char *month,
    const char *domain, const char *json, bool incomplete)
{
	sqlite3_stmt *s = st->q[Q_RESULT_PUT];

	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, incomplete ? 1 : 0);
	sqlite3_bind_text(s, 4, json, -1, SQLITE_STATIC);
	return store_step_done(st, s, "store result");
}

int
hy_store_results_foreach(struct hy_store *st, const char *month,
    hy_store_result_fn fn, void *arg)
{
	sqlite3_stmt *s = st->q[Q_RESULTS];
	int rc, cbrc = 0;

	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((cbrc = fn(arg, (const char *)sqlite3_column_text(s, 0)))
		    != 0)
			break;
	sqlite3_reset(s);
	if (cbrc != 0)
		return cbrc;
	if (rc != SQLITE_DONE)
		return store_fail(st, "read results");
	return 0;
}

int
hy_store_counts(struct hy_store *st, const char *month, size_t *targets,
    size_t *results, size_t *incomplete)
{
	sqlite3_stmt *t = st->q[Q_COUNT_T], *r = st->q[Q_COUNT_R];
	int rc;

	sqlite3_bind_text(t, 1, month, -1, SQLITE_STATIC);
	rc = sqlite3_step(t);
	if (rc == SQLITE_ROW && targets != NULL)
		*targets = (size_t)sqlite3_column_int64(t, 0);
	sqlite3_reset(t);
	if (rc != SQLITE_ROW)
		return store_fail(st, "count targets");
	sqlite3_bind_text(r, 1, month, -1, SQLITE_STATIC);
	rc = sqlite3_step(r);
	if (rc == SQLITE_ROW) {
		if (results != NULL)
			*results = (size_t)sqlite3_column_int64(r, 0);
		if (incomplete != NULL)
			*incomplete = (size_t)sqlite3_column_int64(r, 1);
	}
	sqlite3_reset(r);
	if (rc != SQLITE_ROW)
		return store_fail(st, "count results");
	return 0;
}

/* One text column of a one-row query bound to month, copied. */
static int
store_text(struct hy_store *st, int q, const char *month, char **out)
{
	sqlite3_stmt *s = st->q[q];
	const unsigned char *v;
	int rc, ret = 0;

	*out = NULL;
	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && (v = sqlite3_column_text(s, 0)) != NULL &&
	    (*out = strdup((const char *)v)) == NULL) {
		snprintf(st->err, sizeof(st->err), "out of memory");
		ret = -1;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "read survey");
	return ret;
}

int
hy_store_stats_get(struct hy_store *st, const char *month, char **out)
{
	return store_text(st, Q_STATS, month, out);
}

int
hy_store_previous_month(struct hy_store *st, const char *month, char **out)
{
	return store_text(st, Q_PREV, month, out);
}

/* Delete one target and its result, if any. */
static int
store_target_drop(struct hy_store *st, sqlite3_stmt *del_res,
    sqlite3_stmt *del_tgt, const char *month, const char *domain)
{
	sqlite3_stmt *s[2] = { del_res, del_tgt };
	size_t i;

	for (i = 0; i < 2; i++) {
		sqlite3_bind_text(s[i], 1, month, -1, SQLITE_STATIC);
		sqlite3_bind_text(s[i], 2, domain, -1, SQLITE_STATIC);
		if (store_step_done(st, s[i], "remove target") != 0)
			return -1;
	}
	return 0;
}

int
hy_store_targets_remove_if(struct hy_store *st, const char *month,
    hy_store_drop_fn drop, void *arg, size_t *removed)
{
	sqlite3_stmt *sel = NULL, *del_res = NULL, *del_tgt = NULL;
	char **v = NULL, **nv;
	size_t n = 0, cap = 0, i;
	const char *d;
	int rc, ret = -1;

	*removed = 0;
	/* Rare (an opt-out list): prepared here, not kept. */
	if (sqlite3_prepare_v2(st->db, "SELECT domain FROM targets WHERE "
	    "month = ?1 ORDER BY seq", -1, &sel, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM results WHERE month = ?1 "
	    "AND domain = ?2", -1, &del_res, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(st->db, "DELETE FROM targets WHERE month = ?1 "
	    "AND domain = ?2", -1, &del_tgt, NULL) != SQLITE_OK) {
		store_fail(st, "remove targets");
		goto out;
	}
	sqlite3_bind_text(sel, 1, month, -1, SQLITE_STATIC);
	/* Collect first: rows are not deleted under a running SELECT. */
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		d = (const char *)sqlite3_column_text(sel, 0);
		if (d == NULL || !drop(arg, d))
			continue;
		if (n == cap) {
			if ((nv = reallocarray(v, cap ? cap * 2 : 16,
			    sizeof(*v))) == NULL)
				goto oom;
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		if ((v[n] = strdup(d)) == NULL)
			goto oom;
		n++;
	}
	if (rc != SQLITE_DONE) {
		store_fail(st, "read targets");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (store_target_drop(st, del_res, del_tgt, month, v[i]) != 0)
			goto out;
	*removed = n;
	ret = 0;
	goto out;
oom:
	snprintf(st->err, sizeof(st->err), "out of memory");
out:
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
	sqlite3_finalize(sel);
	sqlite3_finalize(del_res);
	sqlite3_finalize(del_tgt);
	return ret;
}
