/*
 * `hygiene report`: a month's statistics from the SQLite history, in
 * HTML, Markdown, CSV or JSON, optionally compared with another month.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hygiene/report.h"
#include "hygiene/store.h"
#include "hygiene/survey.h"

enum { OPT_DB = 1000, OPT_MONTH, OPT_COMPARE, OPT_FORMAT, OPT_LANG };

static const struct hy_cli_opt report_opts[] = {
	{ "db", required_argument, OPT_DB, "FILE", "the SQLite history" },
	{ "month", required_argument, OPT_MONTH, "YYYY-MM", "the month" },
	{ "compare", required_argument, OPT_COMPARE, "YYYY-MM",
	    "show changes against this month" },
	{ "format", required_argument, OPT_FORMAT, "html|md|csv|json",
	    "output format (default html)" },
	{ "lang", required_argument, OPT_LANG, "ja|en",
	    "label language (default en)" },
	{ NULL, 0, 0, NULL, NULL },
};

struct report_cmd {
	const char	*db, *month, *compare;
	int		 format, lang;
};

static int
report_opt(void *ctx, int id, const char *arg)
{
	struct report_cmd *rc = ctx;

	switch (id) {
	case OPT_DB: rc->db = arg; break;
	case OPT_MONTH: rc->month = arg; break;
	case OPT_COMPARE: rc->compare = arg; break;
	case OPT_FORMAT:
		if ((rc->format = hy_report_format_parse(arg)) < 0) {
			hy_cli_usage_error("report", "unknown --format '%s' "
			    "(html, md, csv or json)", arg);
			return -1;
		}
		break;
	case OPT_LANG:
		if ((rc->lang = hy_report_lang_parse(arg)) < 0) {
			hy_cli_usage_error("report", "unknown --lang '%s' "
			    "(ja or en)", arg);
			return -1;
		}
		break;
	}
	return 0;
}

int
cmd_report(int argc, char **argv)
{
	struct report_cmd r = { .format = HY_REPORT_HTML, .lang = HY_LANG_EN };
	struct hy_config cfg;
	struct hy_store *st = NULL;
	struct hy_report_in in = { 0 };
	json_t *stats = NULL, *prev = NULL, *doms = NULL;
	char err[1024];
	int first, rc = HY_EXIT_FAIL;

	hy_config_init(&cfg);
	first = hy_cli_parse(argc, argv, "report", &cfg, report_opts,
	    report_opt, &r);
	if (first < 0) {
		rc = first == -2 ? HY_EXIT_OK : HY_EXIT_USAGE;
		goto out;
	}
	if (first < argc) {
		hy_cli_usage_error("report", "unexpected argument '%s'",
		    argv[first]);
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if (r.db == NULL || r.month == NULL) {
		hy_cli_usage_error("report", "--db and --month are required");
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if (!hy_month_valid(r.month) ||
	    (r.compare != NULL && !hy_month_valid(r.compare))) {
		hy_cli_usage_error("report", "months are written YYYY-MM");
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if (hy_store_open(r.db, HY_STORE_READ, &st, err, sizeof(err)) != 0 ||
	    hy_report_load(st, r.month, r.compare, &stats, &prev, &doms, err,
	    sizeof(err)) != 0) {
		hy_cli_error("report", "%s", err);
		goto out;
	}
	in.stats = stats;
	in.prev = prev;
	in.domains = doms;
	if (hy_report_write(stdout, &in, r.format, r.lang) != 0 ||
	    fflush(stdout) != 0) {
		hy_cli_error("report", "write error");
		goto out;
	}
	rc = HY_EXIT_OK;
out:
	json_decref(stats);
	json_decref(prev);
	json_decref(doms);
	hy_store_close(st);
	hy_config_free(&cfg);
	return rc;
}
