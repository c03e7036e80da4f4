/*
 * The survey history in SQLite: one survey per month, its target list
 * (the deduplicated input, in input order), one stored result per target
 * and the month's statistics.
 *
 * Resume safety: a result row is keyed by (month, domain), so a result is
 * stored at most once; results are written inside transactions the
 * caller commits (hy_store_begin/commit), so a process killed at any
 * moment loses only uncommitted results, and --resume measures exactly
 * the targets that have no result yet. WAL mode keeps readers (reports)
 * off the writer's back.
 *
 * Re-measurement: hy_store_survey_reopen() marks the month's results that
 * could not be measured completely; a marked result counts as pending
 * until its replacement is stored, which counts one more attempt. The
 * marks are committed with the reopening, so a kill during the
 * re-measurement loses nothing either.
 *
 * The layout is versioned (PRAGMA user_version); opening a history
 * written by an older hygiene brings it up to date.
 *
 * Errors: every function returns 0 or -1; hy_store_error() gives the
 * message of the last failure. A struct hy_store is one connection and is
 * not thread-safe (the survey is single-threaded).
 */
#ifndef HYGIENE_STORE_H
#define HYGIENE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

struct hy_store;

enum hy_survey_state {
	HY_SURVEY_NONE,		/* no survey for the month */
	HY_SURVEY_RUNNING,	/* started, not finished (resumable) */
	HY_SURVEY_DONE,
};

enum hy_store_mode {
	HY_STORE_WRITE,		/* create the file if needed (the survey) */
	HY_STORE_READ,		/* the history must exist (reports) */
};

/* 0, or -1 with "path: why" in err. */
int	hy_store_open(const char *path, enum hy_store_mode,
	    struct hy_store **out, char *err, size_t errlen);
void	hy_store_close(struct hy_store *);
const char *hy_store_error(const struct hy_store *);

int	hy_store_begin(struct hy_store *);
int	hy_store_commit(struct hy_store *);
int	hy_store_rollback(struct hy_store *);

int	hy_store_survey_state(struct hy_store *, const char *month,
	    enum hy_survey_state *);
/* Create the month's survey (state RUNNING); fails if it exists. */
int	hy_store_survey_create(struct hy_store *, const char *month,
	    time_t started_at);
/* Mark DONE and keep the statistics (stats.json text). Also used to
 * replace the statistics of a finished month. */
int	hy_store_survey_finish(struct hy_store *, const char *month,
	    const char *stats_json, time_t finished_at);
/* Mark the month's remeasurable results for re-measurement (*marked
 * says how many) and set the survey RUNNING again. */
int	hy_store_survey_reopen(struct hy_store *, const char *month,
	    size_t *marked);
/* Remove a month completely (survey, targets, results). */
int	hy_store_survey_delete(struct hy_store *, const char *month);

/* Add a target; a domain already listed for the month is ignored and
 * *added set false. */
int	hy_store_target_add(struct hy_store *, const char *month,
	    const char *domain, bool *added);

/* Remove the month's targets for which drop(arg, domain) is true, and
 * their results: a name whose owner opted out after it was planned or
 * measured. *removed counts them. Runs in the caller's transaction. */
typedef bool (*hy_store_drop_fn)(void *arg, const char *domain);
int	hy_store_targets_remove_if(struct hy_store *, const char *month,
	    hy_store_drop_fn drop, void *arg, size_t *removed);

/* Up to limit pending targets with seq > after, in seq order: without a
 * result, or with one marked for re-measurement. */
typedef int (*hy_store_target_fn)(void *arg, int64_t seq,
	    const char *domain);
int	hy_store_targets_pending(struct hy_store *, const char *month,
	    int64_t after, size_t limit, hy_store_target_fn fn, void *arg);

/* Store the result of a target (the JSON line); remeasurable marks one
 * that a re-measurement should try again. A second result for the same
 * (month, domain) is an error unless the first is marked for
 * re-measurement, which it then replaces. */
int	hy_store_result_put(struct hy_store *, const char *month,
	    const char *domain, const char *json, bool remeasurable);
/* The result a new one for (month, domain) follows: the one it replaces
 * in a re-measurement, else the domain's latest in an earlier month.
 * *month_out and *json_out are malloc'd, or both NULL if there is none. */
int	hy_store_result_earlier(struct hy_store *, const char *month,
	    const char *domain, char **month_out, char **json_out);
/* Every stored result of the month in target order with the number of
 * times it was measured; fn returning non-zero stops the walk with that
 * value. */
typedef int (*hy_store_result_fn)(void *arg, const char *json,
	    unsigned attempts);
int	hy_store_results_foreach(struct hy_store *, const char *month,
	    hy_store_result_fn fn, void *arg);

struct hy_store_counts {
	size_t	targets;
	size_t	results;	/* stored and not waiting to be measured again */
	size_t	remeasurable;	/* of those, marked remeasurable */
	size_t	redo;		/* waiting to be measured again */
};
int	hy_store_counts(struct hy_store *, const char *month,
	    struct hy_store_counts *);
/* The month's stats.json text (malloc'd), or *out = NULL if none. */
int	hy_store_stats_get(struct hy_store *, const char *month, char **out);
/* The latest DONE month before month (malloc'd), or *out = NULL. */
int	hy_store_previous_month(struct hy_store *, const char *month,
	    char **out);

#endif
