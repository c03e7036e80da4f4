/*
 * `hygiene survey`: measure every ISP's own domains and every --domains
 * entry, keep the results in the SQLite history, and write the month's
 * files (results.ndjson, stats.json, stats.csv, report.html).
 *
 * The driver does not know how a domain is measured: a struct
 * hy_survey_checker starts one check and reports its JSON object later.
 * The CLI plugs in hy_check_start() over the event loop; tests plug in
 * canned results, so the resume logic is tested without a network.
 *
 * Flow: (1) plan: the month's targets go into the store, deduplicated,
 * in input order (ISP domains first); (2) measure: targets without a
 * stored result are checked with a bounded window in flight, and results
 * are committed in batches; (3) finish: the outputs are regenerated from
 * the store alone. A kill at any moment loses at most the uncommitted
 * batch, which --resume measures again; a result is never stored twice.
 * --remeasure first marks the month's incomplete results, which are then
 * pending again until their new results replace them.
 *
 * Each result gets its measurement state (stats.h) as "measurement" and
 * its ISP attribution before it is stored.
 */
#ifndef HYGIENE_SURVEY_H
#define HYGIENE_SURVEY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "hygiene/exclude.h"
#include "hygiene/isps.h"
#include "hygiene/stats.h"
#include "hygiene/store.h"

/* done receives a new reference (NULL on OOM in the checker). */
typedef void (*hy_survey_done_fn)(void *arg, json_t *obj);

struct hy_survey_checker {
	void	*ctx;
	/* Start measuring domain; 0, or -1 (done will not follow). */
	int	(*start)(void *ctx, const char *domain, hy_survey_done_fn done,
		    void *arg);
	/* Run until every started check is done; 0, or -1 on failure. */
	int	(*run)(void *ctx);
};

struct hy_survey_opts {
	const char		*month;		/* YYYY-MM */
	const char		*out_dir;
	const struct hy_isp_list *isps;
	const char		*domains_path;	/* NULL: ISP domains only */
	/* Optional opt-out list: its names are never measured, and a name
	 * planned or measured before it opted out leaves the month. */
	const struct hy_exclude	*exclude;
	bool			 resume;
	bool			 remeasure;	/* measure incomplete ones again */
	size_t			 window;	/* domains in flight */
	size_t			 commit_every;	/* results per transaction */
	const json_t		*rpki;		/* per-ISP RPKI figures or NULL */
	time_t			 now;
	/* Optional resolver health. abort_check is asked before each result
	 * is stored (final false), and once more at the end of the run when
	 * results wait for a commit that may_commit held back (final true:
	 * it may then run the loop to decide). A non-NULL reason (e.g. "no
	 * answer from the resolver") stops the survey, and the uncommitted
	 * results are rolled back rather than stored as "could not
	 * measure", so --resume measures them again. may_commit says
	 * whether results finished so far can be trusted to an outage not
	 * yet confirmed; commits wait while it says false. */
	const char		*(*abort_check)(void *arg, bool final);
	bool			(*may_commit)(void *arg);
	void			*abort_arg;
	/* Optional: told about each invalid line of the --domains list
	 * (file and line number, the input as typed, why). */
	void			(*warn)(void *arg, const char *fmt, ...)
				    __attribute__((format(printf, 2, 3)));
	void			*warn_arg;
	/* Optional progress callback, called after each stored result. */
	void			(*progress)(void *arg, size_t done,
				    size_t total);
	void			*progress_arg;
};

struct hy_survey_summary {
	size_t	targets;	/* distinct domains surveyed this month */
	size_t	stored;		/* results stored */
	size_t	resumed;	/* results already stored before this run */
	size_t	marked;		/* incomplete results this run measured again */
	size_t	duplicates;	/* input lines skipped as duplicates */
	size_t	excluded;	/* names left out: their owners opted out */
	/* the month's domains by measurement state, after the run */
	size_t	state[HY_MEAS_N];
	size_t	remeasured;	/* domains measured more than once */
};

/* 0, or -1 with a message in err. */
int	hy_survey_run(struct hy_store *, const struct hy_survey_opts *,
	    const struct hy_survey_checker *, struct hy_survey_summary *,
	    char *err, size_t errlen);
/* Step 3 alone: regenerate DIR's files from the store (also used by the
 * run). The latest finished survey before month, if any, gives the
 * report's deltas. sum, if not NULL, gets the states and remeasured. */
int	hy_survey_write_outputs(struct hy_store *,
	    const struct hy_survey_opts *, struct hy_survey_summary *sum,
	    char *err, size_t errlen);

/* True for "YYYY-MM" with a month 01..12. */
bool	hy_month_valid(const char *);

#endif
