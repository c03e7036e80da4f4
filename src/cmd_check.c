/*
 * `hygiene check`: domains from the command line and/or --file, a window
 * of checks in flight, one result per domain in input order.
 *
 * Results are printed as soon as every earlier input's result is: a
 * finished result waits in a ring until its turn, so a slow domain (at
 * most --timeout) holds back the ones after it, which then come at once.
 * The ring bounds that memory: no check starts while HOLD_FACTOR windows
 * of results are started but not yet printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hygiene/rpki.h"
#include "render.h"
#include "term.h"
#include "hygiene/check.h"
#include "hygiene/domainlist.h"
#include "hygiene/exclude.h"
#include "hygiene/name.h"
#include "dmarc.h"

enum { OPT_FILE = 1000, OPT_DMARC_PSL, OPT_EXCLUDE };

static const struct hy_cli_opt check_opts[] = {
	{ "file", required_argument, OPT_FILE, "FILE",
	    "read domains from FILE, one per line ('-' for stdin; UTF-8, "
	    "BOM, CRLF, '#' comments and duplicates are handled)" },
	{ "dmarc-psl", required_argument, OPT_DMARC_PSL, "FILE|builtin",
	    "find DMARC Organizational Domains with the Public Suffix List "
	    "(the RFC 7489 method, for comparison) instead of the RFC 9989 "
	    "DNS Tree Walk" },
	{ "exclude", required_argument, OPT_EXCLUDE, "FILE",
	    "never measure the names FILE lists, nor names below them "
	    "(\"*.NAME\": only below): owners who opted out" },
	{ NULL, 0, 0, NULL, NULL },
};

struct check_cmd {
	struct hy_config	 cfg;
	struct hy_render_opts	 render;
	const char		*file;
	struct hy_dmarc_opts	 dmarc;
	struct hy_domainlist	*list;
	const char		*exclude_path;	/* --exclude */
	struct hy_exclude	*exclude;
	size_t			 excluded;	/* inputs left out */
	char			**args;
	int			 nargs, next_arg;
	struct hy_run		*run;
	size_t			 window;
	size_t			 started, done, printed, incomplete;
	struct check_slot	*ring;		/* by sequence number % nring */
	size_t			 nring;
	size_t			 from_file;	/* entries the list gave */
	int			 fatal;
	int			 write_failed;	/* said so once */
};

#define HOLD_FACTOR	4

/* One domain in flight: where its input came from. */
struct check_item {
	struct check_cmd	*cc;
	size_t			 seq;		/* position in the input */
	size_t			 lineno;	/* in --file; 0: command line */
};

/* A result waiting for its turn. */
struct check_slot {
	bool			 done;
	json_t			*obj;		/* NULL: lost to OOM */
	size_t			 lineno;
};

static int
check_opt(void *ctx, int id, const char *arg)
{
	struct check_cmd *cc = ctx;

	if (id == OPT_FILE)
		cc->file = arg;
	if (id == OPT_EXCLUDE)
		cc->exclude_path = arg;
	if (id == OPT_DMARC_PSL) {
		cc->dmarc.use_psl = true;
		cc->dmarc.psl_file = strcmp(arg, "builtin") == 0 ? NULL : arg;
	}
	return 0;
}

static void check_feed(struct check_cmd *);

/* --file as messages name it. */
static const char *
check_file_name(const struct check_cmd *cc)
{
	return strcmp(cc->file, "-") == 0 ? "standard input" : cc->file;
}

/* An entry of --file that is not a valid name: the result says why, and
 * stderr names the line, so the list can be fixed. */
static void
check_report_line(const struct check_cmd *cc, size_t lineno, const json_t *obj)
{
	const json_t *e = json_array_get(json_object_get(obj, "errors"), 0);

	if (lineno == 0 || !json_is_null(json_object_get(obj, "domain")))
		return;
	hy_cli_error("check", "%s line %zu: invalid input: %s",
	    check_file_name(cc), lineno, json_string_value(json_object_get(e, "message")));
}

/* Standard output failed (EPIPE when the reader went away: SIGPIPE is
 * ignored). Said once; no more inputs are started. */
static void
check_write_failed(struct check_cmd *cc)
{
	if (!cc->write_failed)
		hy_cli_error("check", "cannot write the results: %s",
		    strerror(errno));
	cc->write_failed = 1;
	cc->fatal = 1;
}

static void
check_print(struct check_cmd *cc, size_t lineno, json_t *obj)
{
	if (obj == NULL) {
		hy_cli_error("check", "out of memory building a result");
		cc->fatal = 1;
		return;
	}
	check_report_line(cc, lineno, obj);
	if (cc->cfg.json) {
		/* Flushed per line: a reader of the pipe sees each domain as
		 * soon as it is printed. */
		if (json_dumpf(obj, stdout, JSON_COMPACT) != 0 ||
		    fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
			check_write_failed(cc);
	} else {
		hy_render_domain(stdout, obj, &cc->render);
		if (fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
			check_write_failed(cc);
	}
	json_decref(obj);
}

/* Print every result whose predecessors are all printed. */
static void
check_flush(struct check_cmd *cc)
{
	struct check_slot *sl;

	while (cc->printed < cc->started &&
	    (sl = &cc->ring[cc->printed % cc->nring])->done) {
		check_print(cc, sl->lineno, sl->obj);
		memset(sl, 0, sizeof(*sl));
		cc->printed++;
	}
}

static void
check_done(void *arg, struct hy_check *chk, json_t *obj)
{
	struct check_item it = *(struct check_item *)arg;
	struct check_cmd *cc = it.cc;
	struct check_slot *sl = &cc->ring[it.seq % cc->nring];

	(void)chk;
	free(arg);
	cc->done++;
	if (obj == NULL || hy_check_incomplete(obj))
		cc->incomplete++;
	sl->done = true;
	sl->obj = obj;
	sl->lineno = it.lineno;
	check_flush(cc);
	check_feed(cc);
	/* Done when every input is: c-ares may still hold retries of
	 * abandoned queries, which must not delay the exit. */
	if (hy_run_in_flight(cc->run) == 0)
		hy_loop_stop(hy_run_loop(cc->run));
}

/* The next input: command-line domains first, then the file. *lineno
 * is its line in the file, 0 for the command line. A list that stops
 * early (corrupt, unreadable) is fatal: the rest of it is unknown. */
static const char *
check_next_input(struct check_cmd *cc, size_t *lineno)
{
	const char *s;

	*lineno = 0;
	if (cc->next_arg < cc->nargs)
		return cc->args[cc->next_arg++];
	if (cc->list == NULL)
		return NULL;
	if ((s = hy_domainlist_next(cc->list, lineno)) != NULL)
		cc->from_file++;
	else if (hy_domainlist_error(cc->list) != NULL) {
		hy_cli_error("check", "%s", hy_domainlist_error(cc->list));
		cc->fatal = 1;
	}
	return s;
}

/* An input whose owner opted out (--exclude) is never measured; stderr
 * names it and the rule. 1 if left out, 0 if not, -1 on OOM. */
static int
check_excluded(struct check_cmd *cc, const char *in)
{
	char *a = NULL, *u = NULL;
	const char *rule;
	size_t line = 0;
	enum hy_name_error ne;

	if (cc->exclude == NULL)
		return 0;
	/* A name that is not valid matches no rule; its check says why. */
	if ((ne = hy_name_normalize(in, &a, &u)) != HY_NAME_OK)
		return ne == HY_NAME_NOMEM ? -1 : 0;
	if ((rule = hy_exclude_match(cc->exclude, a, &line)) != NULL) {
		hy_cli_error("check", "%s: not measured: its owner opted out "
		    "(%s line %zu: %s)", a, cc->exclude_path, line, rule);
		cc->excluded++;
	}
	free(a);
	free(u);
	return rule != NULL;
}

static void
check_feed(struct check_cmd *cc)
{
	struct check_item *it;
	const char *in;
	size_t lineno;
	int ex;

	while (!cc->fatal && hy_run_in_flight(cc->run) < cc->window &&
	    cc->started - cc->printed < cc->nring &&
	    (in = check_next_input(cc, &lineno)) != NULL) {
		if ((ex = check_excluded(cc, in)) != 0) {
			if (ex < 0) {
				hy_cli_error("check", "out of memory");
				cc->fatal = 1;
			}
			continue;
		}
		if ((it = malloc(sizeof(*it))) != NULL) {
			it->cc = cc;
			it->seq = cc->started;
			it->lineno = lineno;
		}
		if (it == NULL || hy_check_start(cc->run, in, check_done,
		    it) != 0) {
			free(it);
			hy_cli_error("check", "out of memory");
			cc->fatal = 1;
			break;
		}
		cc->started++;
	}
}

static int
check_run(struct check_cmd *cc)
{
	struct hy_loop *loop = NULL;
	struct hy_vrps *vrps = NULL;
	struct hy_dns_stats st;
	char err[512];
	const json_t *w;
	size_t i;
	int rc = HY_EXIT_FAIL;

	if ((loop = hy_loop_new()) == NULL) {
		hy_cli_error("check", "out of memory");
		goto out;
	}
	/* VRPs before the run, so a long RTR sync shows its progress. */
	if ((cc->cfg.vrps != NULL || cc->cfg.rtr_set) &&
	    hy_cli_vrps("check", &cc->cfg, &vrps) != 0)
		goto out;
	cc->cfg.vrp_set = vrps;
	if ((cc->run = hy_run_new(loop, &cc->cfg, err, sizeof(err))) == NULL) {
		hy_cli_error("check", "%s", err);
		goto out;
	}
	json_array_foreach(hy_run_warnings(cc->run), i, w)
		hy_cli_error("check", "%s", json_string_value(w));
	if (hy_dmarc_set_options(cc->run, &cc->dmarc) != 0) {
		hy_cli_error("check", "cannot load the public suffix "
		    "list %s", cc->dmarc.psl_file);
		goto out;
	}
	/* Run-wide sanity (the trust anchor): stop before any domain. */
	if (hy_run_preflight(cc->run, err, sizeof(err)) != 0) {
		hy_cli_error("check", "%s", err);
		goto out;
	}
	cc->window = cc->cfg.concurrency;
	cc->nring = cc->window * HOLD_FACTOR;
	if ((cc->ring = calloc(cc->nring, sizeof(*cc->ring))) == NULL) {
		hy_cli_error("check", "out of memory");
		goto out;
	}
	cc->render.color = cc->cfg.color;
	cc->render.width = hy_term_width(STDOUT_FILENO);
	check_feed(cc);
	if (hy_loop_run(loop) != 0) {
		hy_cli_error("check", "event loop failed: %s",
		    strerror(errno));
		goto out;
	}
	if (cc->done != cc->started) {
		/* A probe that never reported done: a bug, never a result. */
		hy_cli_error("check", "internal error: %zu of %zu "
		    "checks did not finish", cc->started - cc->done,
		    cc->started);
		goto out;
	}
	hy_dns_get_stats(hy_run_dns(cc->run), &st);
	if (st.sent > 0 && st.answers == 0) {
		hy_cli_error("check", "no answer from the resolver "
		    "(%s) within the deadline; check --resolver and the "
		    "network", hy_dns_servers(hy_run_dns(cc->run)));
		goto out;
	}
	if (cc->fatal)
		goto out;
	if (cc->list != NULL && cc->from_file == 0) {
		/* A list that was saved empty (or exported without its
		 * column) must not pass as "all measured". */
		hy_cli_error("check", "%s holds no domain names (it is empty "
		    "or has only blank lines and comments)",
		    check_file_name(cc));
		goto out;
	}
	if (cc->excluded > 0)
		hy_cli_error("check", "left out %zu name%s listed in %s",
		    cc->excluded, cc->excluded == 1 ? "" : "s",
		    cc->exclude_path);
	if (cc->list != NULL && hy_domainlist_duplicates(cc->list) > 0)
		hy_cli_error("check", "skipped %zu duplicate "
		    "entr%s in %s", hy_domainlist_duplicates(cc->list),
		    hy_domainlist_duplicates(cc->list) == 1 ? "y" : "ies",
		    check_file_name(cc));
	rc = cc->incomplete > 0 ? HY_EXIT_INCOMPLETE : HY_EXIT_OK;
out:
	/* Results still held (the run stopped early) are not printed. */
	for (i = 0; cc->ring != NULL && i < cc->nring; i++)
		json_decref(cc->ring[i].obj);
	free(cc->ring);
	hy_run_free(cc->run);
	hy_loop_free(loop);
	hy_vrps_free(vrps);
	return rc;
}

/* A "-" operand reads the list from standard input, as --file - does
 * (once: one list per run). 0, or -1 after a usage error. */
static int
check_stdin_operand(struct check_cmd *cc)
{
	int i, j;

	for (i = j = 0; i < cc->nargs; i++) {
		if (strcmp(cc->args[i], "-") != 0) {
			cc->args[j++] = cc->args[i];
			continue;
		}
		if (cc->file != NULL) {
			hy_cli_usage_error("check", "'-' reads the list from "
			    "standard input; give one list (--file or '-')");
			return -1;
		}
		cc->file = "-";
	}
	cc->nargs = j;
	return 0;
}

int
cmd_check(int argc, char **argv)
{
	struct check_cmd cc;
	char err[512];
	int first, rc;

	memset(&cc, 0, sizeof(cc));
	hy_config_init(&cc.cfg);
	first = hy_cli_parse(argc, argv, "check", &cc.cfg, check_opts,
	    check_opt, &cc);
	if (first < 0) {
		rc = first == -2 ? HY_EXIT_OK : HY_EXIT_USAGE;
		goto out;
	}
	cc.args = argv + first;
	cc.nargs = argc - first;
	if (check_stdin_operand(&cc) != 0) {
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if (cc.exclude_path != NULL && strcmp(cc.exclude_path, "-") == 0 &&
	    cc.file != NULL && strcmp(cc.file, "-") == 0) {
		hy_cli_usage_error("check", "--exclude and the domain list "
		    "cannot both read standard input ('-')");
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if (cc.nargs == 0 && cc.file == NULL) {
		hy_cli_usage_error("check", "no domain given");
		rc = HY_EXIT_USAGE;
		goto out;
	}
	/* An opt-out list that cannot be read whole stops the run: without
	 * it names whose owners opted out would be measured. */
	if (cc.exclude_path != NULL && hy_exclude_load(cc.exclude_path,
	    &cc.exclude, err, sizeof(err)) != 0) {
		hy_cli_error("check", "--exclude: %s", err);
		rc = HY_EXIT_FAIL;
		goto out;
	}
	if (cc.file != NULL && (cc.list = hy_domainlist_open(cc.file, err,
	    sizeof(err))) == NULL) {
		hy_cli_error("check", "%s", err);
		rc = HY_EXIT_FAIL;
		goto out;
	}
	rc = check_run(&cc);
out:
	hy_domainlist_free(cc.list);
	hy_exclude_free(cc.exclude);
	hy_config_free(&cc.cfg);
	return rc;
}
