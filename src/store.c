/*
 * SQLite survey history. Prepared statements are compiled once per
 * connection; every call resets its statement before returning.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "hygiene/store.h"

enum {
	Q_STATE, Q_CREATE, Q_FINISH, Q_REOPEN, Q_REDO, Q_DEL_RESULTS,
	Q_DEL_TARGETS, Q_DEL_SURVEY, Q_TARGET_ADD, Q_PENDING, Q_RESULT_PUT,
	Q_RESULTS, Q_EARLIER, Q_COUNT_T, Q_COUNT_R, Q_STATS, Q_PREV, Q_N
};

static const char *const queries[Q_N] = {
	[Q_STATE] = "SELECT finished_at IS NOT NULL FROM surveys WHERE month=?1",
	[Q_CREATE] = "INSERT INTO surveys(month, started_at) VALUES(?1, ?2)",
	[Q_FINISH] = "UPDATE surveys SET finished_at=?3, stats=?2 "
	    "WHERE month=?1",
	[Q_REOPEN] = "UPDATE surveys SET finished_at=NULL WHERE month=?1",
	[Q_REDO] = "UPDATE results SET redo=1 WHERE month=?1 AND "
	    "incomplete=1 AND redo=0",
	[Q_DEL_RESULTS] = "DELETE FROM results WHERE month=?1",
	[Q_DEL_TARGETS] = "DELETE FROM targets WHERE month=?1",
	[Q_DEL_SURVEY] = "DELETE FROM surveys WHERE month=?1",
	[Q_TARGET_ADD] = "INSERT OR IGNORE INTO targets(month, domain) "
	    "VALUES(?1, ?2)",
	/* Targets without a result, or whose result waits to be measured
	 * again; LEFT JOIN keeps the walk a range scan of targets_order. */
	[Q_PENDING] = "SELECT t.seq, t.domain FROM targets t LEFT JOIN "
	    "results r ON r.month=t.month AND r.domain=t.domain "
	    "WHERE t.month=?1 AND t.seq>?2 AND (r.domain IS NULL OR "
	    "r.redo=1) ORDER BY t.seq LIMIT ?3",
	/* A second result for a target is refused unless the first one is
	 * marked for re-measurement (changes() tells which happened). */
	[Q_RESULT_PUT] = "INSERT INTO results(month, domain, incomplete, json) "
	    "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(month, domain) DO UPDATE SET "
	    "incomplete=excluded.incomplete, json=excluded.json, "
	    "attempts=attempts+1, redo=0 WHERE redo=1",
	/* CROSS JOIN keeps targets as the outer loop: input order without
	 * a temporary sort of every result. */
	[Q_RESULTS] = "SELECT r.json, r.attempts FROM targets t CROSS JOIN "
	    "results r ON r.month=t.month AND r.domain=t.domain "
	    "WHERE t.month=?1 ORDER BY t.seq",
	/* The result being replaced by a re-measurement, else the latest
	 * one of an earlier month. */
	[Q_EARLIER] = "SELECT month, json FROM results WHERE domain=?2 AND "
	    "(month<?1 OR (month=?1 AND redo=1)) ORDER BY month DESC LIMIT 1",
	[Q_COUNT_T] = "SELECT count(*) FROM targets WHERE month=?1",
	[Q_COUNT_R] = "SELECT coalesce(sum(redo=0), 0), "
	    "coalesce(sum(incomplete=1 AND redo=0), 0), "
	    "coalesce(sum(redo=1), 0) FROM results WHERE month=?1",
	[Q_STATS] = "SELECT stats FROM surveys WHERE month=?1",
	[Q_PREV] = "SELECT month FROM surveys WHERE month<?1 AND "
	    "finished_at IS NOT NULL ORDER BY month DESC LIMIT 1",
};

/* Layout version 0: the first one. Each later version is one step in
 * migrations[]; PRAGMA user_version says which have run. */
static const char schema_v0[] =
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

static const char *const migrations[] = {
	/* 1: re-measurement. attempts counts the measurements of a result;
	 * redo marks one to measure again; a domain's earlier results are
	 * found by domain. */
	"ALTER TABLE results ADD COLUMN attempts INTEGER NOT NULL DEFAULT 1;"
	"ALTER TABLE results ADD COLUMN redo INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX results_domain ON results(domain, month);"
	"PRAGMA user_version=1;",
};
#define STORE_VERSION	(sizeof(migrations) / sizeof(migrations[0]))

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

static int
store_user_version(struct hy_store *st, int *version)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s, NULL) !=
	    SQLITE_OK)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* Create the tables if needed and bring the layout to STORE_VERSION. */
static int
store_setup(struct hy_store *st)
{
	int v = 0;

	if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return -1;
	if (sqlite3_exec(st->db, schema_v0, NULL, NULL, NULL) != SQLITE_OK ||
	    store_user_version(st, &v) != 0)
		goto fail;
	if (v > (int)STORE_VERSION) {
		snprintf(st->err, sizeof(st->err), "written by a newer hygiene "
		    "(layout %d; this one knows %zu)", v, STORE_VERSION);
		goto fail;
	}
	for (; v < (int)STORE_VERSION; v++)
		if (sqlite3_exec(st->db, migrations[v], NULL, NULL, NULL) !=
		    SQLITE_OK)
			goto fail;
	if (sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		return 0;
fail:
	if (st->err[0] == '\0')
		snprintf(st->err, sizeof(st->err), "%s", sqlite3_errmsg(st->db));
	sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* For reading: the file must be a history at this layout (an older one
 * is brought up to date, which needs write access once). 1 when it needs
 * the upgrade, 0 when it is usable as it is, -1 when it is no history. */
static int
store_check(struct hy_store *st)
{
	sqlite3_stmt *s = NULL;
	int rc, v = 0;

	if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM sqlite_master WHERE "
	    "type='table' AND name='surveys'", -1, &s, NULL) != SQLITE_OK) {
		snprintf(st->err, sizeof(st->err), "not a hygiene history "
		    "(%s)", sqlite3_errmsg(st->db));
		return -1;
	}
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW) {
		snprintf(st->err, sizeof(st->err), "not a hygiene history (%s)",
		    rc == SQLITE_DONE ? "it holds no surveys table" :
		    sqlite3_errmsg(st->db));
		return -1;
	}
	if (store_user_version(st, &v) != 0) {
		snprintf(st->err, sizeof(st->err), "%s",
		    sqlite3_errmsg(st->db));
		return -1;
	}
	return v < (int)STORE_VERSION ? 1 : 0;
}

static int
store_connect(struct hy_store *st, const char *path, int flags)
{
	/* A report run may overlap a survey's commit: wait, don't fail. */
	if (sqlite3_open_v2(path, &st->db, flags, NULL) == SQLITE_OK &&
	    sqlite3_busy_timeout(st->db, 10000) == SQLITE_OK)
		return 0;
	snprintf(st->err, sizeof(st->err), "%s", st->db ?
	    sqlite3_errmsg(st->db) : "cannot open");
	return -1;
}

int
hy_store_open(const char *path, enum hy_store_mode mode,
    struct hy_store **out, char *err, size_t errlen)
{
	struct hy_store *st;
	struct stat sb;
	size_t i;
	int rc;

	*out = NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (mode == HY_STORE_READ) {
		/* Never create a history where a path was mistyped. */
		if (stat(path, &sb) != 0) {
			snprintf(st->err, sizeof(st->err), "%s",
			    strerror(errno));
			goto fail;
		}
		if (store_connect(st, path, SQLITE_OPEN_READONLY) != 0 ||
		    (rc = store_check(st)) < 0)
			goto fail;
		if (rc == 1) {
			sqlite3_close(st->db);
			st->db = NULL;
			if (store_connect(st, path, SQLITE_OPEN_READWRITE) != 0 ||
			    store_setup(st) != 0)
				goto fail;
		}
	} else if (store_connect(st, path, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE) != 0 || store_setup(st) != 0)
		goto fail;
	for (i = 0; i < Q_N; i++)
		if (sqlite3_prepare_v3(st->db, queries[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->q[i], NULL) != SQLITE_OK) {
			snprintf(st->err, sizeof(st->err), "%s",
			    sqlite3_errmsg(st->db));
			goto fail;
		}
	*out = st;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, st->err);
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
hy_store_survey_reopen(struct hy_store *st, const char *month,
    size_t *marked)
{
	sqlite3_stmt *s = st->q[Q_REDO];

	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	if (store_step_done(st, s, "mark results to measure again") != 0)
		return -1;
	*marked = (size_t)sqlite3_changes(st->db);
	s = st->q[Q_REOPEN];
	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	return store_step_done(st, s, "reopen survey");
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
    const char *domain, const char *json, bool remeasurable)
{
	sqlite3_stmt *s = st->q[Q_RESULT_PUT];

	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, remeasurable ? 1 : 0);
	sqlite3_bind_text(s, 4, json, -1, SQLITE_STATIC);
	if (store_step_done(st, s, "store result") != 0)
		return -1;
	if (sqlite3_changes(st->db) != 1) {
		snprintf(st->err, sizeof(st->err), "store result: a result "
		    "for %s is already stored", domain);
		return -1;
	}
	return 0;
}

int
hy_store_result_earlier(struct hy_store *st, const char *month,
    const char *domain, char **month_out, char **json_out)
{
	sqlite3_stmt *s = st->q[Q_EARLIER];
	int rc, ret = 0;

	*month_out = *json_out = NULL;
	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, domain, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW &&
	    ((*month_out = strdup((const char *)sqlite3_column_text(s, 0))) ==
	    NULL ||
	    (*json_out = strdup((const char *)sqlite3_column_text(s, 1))) ==
	    NULL)) {
		free(*month_out);
		*month_out = NULL;
		snprintf(st->err, sizeof(st->err), "out of memory");
		ret = -1;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "earlier result");
	return ret;
}

int
hy_store_results_foreach(struct hy_store *st, const char *month,
    hy_store_result_fn fn, void *arg)
{
	sqlite3_stmt *s = st->q[Q_RESULTS];
	int rc, cbrc = 0;

	sqlite3_bind_text(s, 1, month, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if ((cbrc = fn(arg, (const char *)sqlite3_column_text(s, 0),
		    (unsigned)sqlite3_column_int(s, 1))) != 0)
			break;
	sqlite3_reset(s);
	if (cbrc != 0)
		return cbrc;
	if (rc != SQLITE_DONE)
		return store_fail(st, "read results");
	return 0;
}

int
hy_store_counts(struct hy_store *st, const char *month,
    struct hy_store_counts *c)
{
	sqlite3_stmt *t = st->q[Q_COUNT_T], *r = st->q[Q_COUNT_R];
	int rc;

	memset(c, 0, sizeof(*c));
	sqlite3_bind_text(t, 1, month, -1, SQLITE_STATIC);
	rc = sqlite3_step(t);
	if (rc == SQLITE_ROW)
		c->targets = (size_t)sqlite3_column_int64(t, 0);
	sqlite3_reset(t);
	if (rc != SQLITE_ROW)
		return store_fail(st, "count targets");
	sqlite3_bind_text(r, 1, month, -1, SQLITE_STATIC);
	rc = sqlite3_step(r);
	if (rc == SQLITE_ROW) {
		c->results = (size_t)sqlite3_column_int64(r, 0);
		c->remeasurable = (size_t)sqlite3_column_int64(r, 1);
		c->redo = (size_t)sqlite3_column_int64(r, 2);
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
