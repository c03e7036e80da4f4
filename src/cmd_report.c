/*
 * `hygiene report`: a month's statistics from the SQLite history, in
 * HTML, Markdown, CSV (one table), JSON or Excel, optionally compared
 * with another month; or, with --sheet, one ISP's remediation sheet.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "hygiene/report.h"
#include "hygiene/store.h"
#include "hygiene/survey.h"

enum {
	OPT_DB = 1000, OPT_MONTH, OPT_COMPARE, OPT_FORMAT, OPT_LANG, OPT_TABLE,
	OPT_SHEET, OPT_OUTPUT
};

static const struct hy_cli_opt report_opts[] = {
	{ "db", required_argument, OPT_DB, "FILE", "the SQLite history" },
	{ "month", required_argument, OPT_MONTH, "YYYY-MM", "the month" },
	{ "compare", required_argument, OPT_COMPARE, "YYYY-MM",
	    "show changes against this month" },
	{ "format", required_argument, OPT_FORMAT, "html|md|csv|json|xlsx",
	    "output format (default html)" },
	{ "lang", required_argument, OPT_LANG, "ja|en",
	    "language (default en)" },
	{ "table", required_argument, OPT_TABLE, "isps|domains|rpki|findings",
	    "the CSV table (default isps)" },
	{ "sheet", required_argument, OPT_SHEET, "ISP_ID",
	    "the ISP's remediation sheet (html or xlsx)" },
	{ "output", required_argument, OPT_OUTPUT, "FILE",
	    "write to FILE instead of standard output" },
	{ NULL, 0, 0, NULL, NULL },
};

struct report_cmd {
	const char	*db, *month, *compare, *sheet, *output;
	int		 format, lang, table;
};

static int
report_opt(void *ctx, int id, const char *arg)
{
	struct report_cmd *rc = ctx;

	switch (id) {
	case OPT_DB: rc->db = arg; break;
	case OPT_MONTH: rc->month = arg; break;
	case OPT_COMPARE: rc->compare = arg; break;
	case OPT_SHEET: rc->sheet = arg; break;
	case OPT_OUTPUT: rc->output = arg; break;
	case OPT_FORMAT:
		if ((rc->format = hy_report_format_parse(arg)) < 0) {
			hy_cli_usage_error("report", "unknown --format '%s' "
			    "(html, md, csv, json or xlsx)", arg);
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
	case OPT_TABLE:
		if ((rc->table = hy_report_table_parse(arg)) < 0) {
			hy_cli_usage_error("report", "unknown --table '%s' "
			    "(isps, domains, rpki or findings)", arg);
			return -1;
		}
		break;
	}
	return 0;
}

/* Copy a finished file to f. */
static int
copy_to(const char *path, FILE *f)
{
	char buf[65536];
	FILE *in = fopen(path, "rb");
	size_t n;
	int rc = 0;

	if (in == NULL)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, f) != n) {
			rc = -1;
			break;
		}
	if (ferror(in))
		rc = -1;
	fclose(in);
	return rc;
}

/*
 * An xlsx file: written by name (libxlsxwriter), into --output, or into
 * a temporary file copied to standard output, which must not be a
 * terminal.
 */
static int
report_xlsx(const struct report_cmd *r, const struct hy_report_in *in,
    char *err, size_t errlen)
{
	const char *dir = getenv("TMPDIR");
	char tmp[512];
	int fd, rc;

	if (r->output != NULL)
		return r->sheet ? hy_report_sheet_xlsx(r->output, in, r->sheet,
		    err, errlen) : hy_report_xlsx(r->output, in,
		    (enum hy_report_lang)r->lang, err, errlen);
	snprintf(tmp, sizeof(tmp), "%s/hygiene-report.XXXXXX", dir && *dir ?
	    dir : "/tmp");
	if ((fd = mkstemp(tmp)) < 0) {
		snprintf(err, errlen, "%.400s: %s", tmp, strerror(errno));
		return -1;
	}
	close(fd);
	rc = r->sheet ? hy_report_sheet_xlsx(tmp, in, r->sheet, err, errlen) :
	    hy_report_xlsx(tmp, in, (enum hy_report_lang)r->lang, err, errlen);
	if (rc == 0 && (copy_to(tmp, stdout) != 0 || fflush(stdout) != 0)) {
		snprintf(err, errlen, "write error");
		rc = -1;
	}
	unlink(tmp);
	return rc;
}

static int
report_stream(const struct report_cmd *r, const struct hy_report_in *in,
    FILE *f, char *err, size_t errlen)
{
	int rc;

	if (r->sheet != NULL)
		return hy_report_sheet_html(f, in, r->sheet,
		    (enum hy_report_lang)r->lang, err, errlen);
	if (r->format == HY_REPORT_CSV)
		rc = hy_report_csv(f, in, (enum hy_report_table)r->table);
	else
		rc = hy_report_write(f, in, (enum hy_report_format)r->format,
		    (enum hy_report_lang)r->lang);
	if (rc != 0)
		snprintf(err, errlen, "write error");
	return rc;
}

static int
report_check(const struct report_cmd *r)
{
	if (r->db == NULL || r->month == NULL) {
		hy_cli_usage_error("report", "--db and --month are required");
		return -1;
	}
	if (!hy_month_valid(r->month) ||
	    (r->compare != NULL && !hy_month_valid(r->compare))) {
		hy_cli_usage_error("report", "months are written YYYY-MM");
		return -1;
	}
	if (r->sheet != NULL && r->format != HY_REPORT_HTML &&
	    r->format != HY_REPORT_XLSX) {
		hy_cli_usage_error("report", "a --sheet is html or xlsx");
		return -1;
	}
	if (r->table != 0 && r->format != HY_REPORT_CSV) {
		hy_cli_usage_error("report", "--table goes with --format csv");
		return -1;
	}
	if (r->format == HY_REPORT_XLSX && r->output == NULL &&
	    isatty(STDOUT_FILENO)) {
		hy_cli_usage_error("report", "an xlsx workbook is not for a "
		    "terminal: give --output FILE or redirect");
		return -1;
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
	json_t *stats = NULL, *prev = NULL, *doms = NULL, *hist = NULL,
	    *run = NULL;
	char err[1024];
	int first, rc = HY_EXIT_FAIL;
	FILE *f = stdout;
	bool fail;

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
	if (report_check(&r) != 0) {
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if (hy_store_open(r.db, HY_STORE_READ, &st, err, sizeof(err)) != 0 ||
	    hy_report_load(st, r.month, r.compare, &stats, &prev, &doms, err,
	    sizeof(err)) != 0 || hy_report_load_history(st, r.month, &hist,
	    &run, err, sizeof(err)) != 0) {
		hy_cli_error("report", "%s", err);
		goto out;
	}
	in.stats = stats;
	in.prev = prev;
	in.domains = doms;
	in.history = hist;
	in.run = run;
	in.store = st;
	if (r.format == HY_REPORT_XLSX) {
		if (report_xlsx(&r, &in, err, sizeof(err)) != 0) {
			hy_cli_error("report", "%s", err);
			goto out;
		}
		rc = HY_EXIT_OK;
		goto out;
	}
	if (r.output != NULL && (f = fopen(r.output, "w")) == NULL) {
		hy_cli_error("report", "%s: %s", r.output, strerror(errno));
		f = stdout;
		goto out;
	}
	first = report_stream(&r, &in, f, err, sizeof(err));
	fail = fflush(f) != 0;
	if (f != stdout && fclose(f) != 0)
		fail = true;
	if (fail) {
		if (first == 0)
			snprintf(err, sizeof(err), "write error");
		first = -1;
	}
	f = stdout;
	if (first != 0) {
		if (r.output != NULL)
			unlink(r.output);
		hy_cli_error("report", "%s", err);
		goto out;
	}
	rc = HY_EXIT_OK;
out:
	json_decref(stats);
	json_decref(prev);
	json_decref(doms);
	json_decref(hist);
	json_decref(run);
	hy_store_close(st);
	hy_config_free(&cfg);
	return rc;
}
