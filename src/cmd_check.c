/*
 * `hygiene check`: domains from the command line and/or --file, a window
 * of checks in flight, one result per domain as it completes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "hygiene/rpki.h"
#include "render.h"
#include "hygiene/check.h"
#include "hygiene/domainlist.h"
#include "dmarc.h"

enum { OPT_FILE = 1000, OPT_DMARC_PSL };

static const struct hy_cli_opt check_opts[] = {
	{ "file", required_argument, OPT_FILE, "FILE",
	    "read domains from FILE, one per line ('-' for stdin; UTF-8, "
	    "BOM, CRLF, '#' comments and duplicates are handled)" },
	{ "dmarc-psl", required_argument, OPT_DMARC_PSL, "FILE|builtin",
	    "find DMARC Organizational Domains with the Public Suffix List "
	    "(the RFC 7489 method, for comparison) instead of the RFC 9989 "
	    "DNS Tree Walk" },
	{ NULL, 0, 0, NULL, NULL },
};

struct check_cmd {
	struct hy_config	 cfg;
	const char		*file;
	struct hy_dmarc_opts	 dmarc;
	struct hy_domainlist	*list;
	char			**args;
	int			 nargs, next_arg;
	struct hy_run		*run;
	size_t			 window;
	size_t			 started, done, incomplete;
	int			 fatal;
};

static int
check_opt(void *ctx, int id, const char *arg)
{
	struct check_cmd *cc = ctx;

	if (id == OPT_FILE)
		cc->file = arg;
	if (id == OPT_DMARC_PSL) {
		cc->dmarc.use_psl = true;
		cc->dmarc.psl_file = strcmp(arg, "builtin") == 0 ? NULL : arg;
	}
	return 0;
}

static void check_feed(struct check_cmd *);

static void
check_done(void *arg, struct hy_check *chk, json_t *obj)
{
	struct check_cmd *cc = arg;

	(void)chk;
	cc->done++;
	if (obj == NULL) {
		fprintf(stderr, "hygiene check: out of memory building a "
		    "result\n");
		cc->incomplete++;
		cc->fatal = 1;
	} else {
		if (hy_check_incomplete(obj))
			cc->incomplete++;
		if (cc->cfg.json) {
			/* Flushed per line: a reader of the pipe sees each domain
			 * as soon as it is done. */
			if (json_dumpf(obj, stdout, JSON_COMPACT) != 0 ||
			    fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
				cc->fatal = 1;
		} else {
			hy_render_domain(stdout, obj, cc->cfg.color);
			fputc('\n', stdout);
		}
		json_decref(obj);
	}
	check_feed(cc);
	/* Done when every input is: c-ares may still hold retries of
	 * abandoned queries, which must not delay the exit. */
	if (hy_run_in_flight(cc->run) == 0)
		hy_loop_stop(hy_run_loop(cc->run));
}

/* The next input: command-line domains first, then the file. */
static const char *
check_next_input(struct check_cmd *cc)
{
	size_t lineno;
	const char *s;

	if (cc->next_arg < cc->nargs)
		return cc->args[cc->next_arg++];
	if (cc->list == NULL)
		return NULL;
	if ((s = hy_domainlist_next(cc->list, &lineno)) == NULL &&
	    hy_domainlist_error(cc->list) != 0) {
		fprintf(stderr, "hygiene check: reading %s: %s\n", cc->file,
		    strerror(hy_domainlist_error(cc->list)));
		cc->fatal = 1;
	}
	return s;
}

static void
check_feed(struct check_cmd *cc)
{
	const char *in;

	while (!cc->fatal && hy_run_in_flight(cc->run) < cc->window &&
	    (in = check_next_input(cc)) != NULL) {
		if (hy_check_start(cc->run, in, check_done, cc) != 0) {
			fprintf(stderr, "hygiene check: out of memory\n");
			cc->fatal = 1;
		} else {
			cc->started++;
		}
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
		fprintf(stderr, "hygiene check: out of memory\n");
		goto out;
	}
	/* VRPs before the run, so a long RTR sync shows its progress. */
	if ((cc->cfg.vrps != NULL || cc->cfg.rtr_set) &&
	    hy_cli_vrps("check", &cc->cfg, &vrps) != 0)
		goto out;
	cc->cfg.vrp_set = vrps;
	if ((cc->run = hy_run_new(loop, &cc->cfg, err, sizeof(err))) == NULL) {
		fprintf(stderr, "hygiene check: %s\n", err);
		goto out;
	}
	json_array_foreach(hy_run_warnings(cc->run), i, w)
		fprintf(stderr, "hygiene check: %s\n", json_string_value(w));
	if (hy_dmarc_set_options(cc->run, &cc->dmarc) != 0) {
		fprintf(stderr, "hygiene check: cannot load the public suffix "
		    "list %s\n", cc->dmarc.psl_file);
		goto out;
	}
	cc->window = cc->cfg.concurrency;
	check_feed(cc);
	if (hy_loop_run(loop) != 0) {
		fprintf(stderr, "hygiene check: event loop failed: %s\n",
		    strerror(errno));
		goto out;
	}
	if (cc->done != cc->started) {
		/* A probe that never reported done: a bug, never a result. */
		fprintf(stderr, "hygiene check: internal error: %zu of %zu "
		    "checks did not finish\n", cc->started - cc->done,
		    cc->started);
		goto out;
	}
	hy_dns_get_stats(hy_run_dns(cc->run), &st);
	if (st.sent > 0 && st.answers == 0) {
		fprintf(stderr, "hygiene check: no answer from the resolver "
		    "(%s) within the deadline; check --resolver and the "
		    "network\n", hy_dns_servers(hy_run_dns(cc->run)));
		goto out;
	}
	if (cc->fatal)
		goto out;
	if (cc->list != NULL && hy_domainlist_duplicates(cc->list) > 0)
		fprintf(stderr, "hygiene check: skipped %zu duplicate "
		    "entr%s in %s\n", hy_domainlist_duplicates(cc->list),
		    hy_domainlist_duplicates(cc->list) == 1 ? "y" : "ies",
		    cc->file);
	rc = cc->incomplete > 0 ? HY_EXIT_INCOMPLETE : HY_EXIT_OK;
out:
	hy_run_free(cc->run);
	hy_loop_free(loop);
	hy_vrps_free(vrps);
	return rc;
}

int
cmd_check(int argc, char **argv)
{
	struct check_cmd cc;
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
	if (cc.nargs == 0 && cc.file == NULL) {
		hy_cli_usage_error("check", "no domain given");
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if (cc.file != NULL && (cc.list = hy_domainlist_open(cc.file)) == NULL) {
		fprintf(stderr, "hygiene check: cannot open %s: %s\n", cc.file,
		    strerror(errno));
		rc = HY_EXIT_FAIL;
		goto out;
	}
	rc = check_run(&cc);
out:
	hy_domainlist_free(cc.list);
	hy_config_free(&cc.cfg);
	return rc;
}
