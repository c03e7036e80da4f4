/*
 * `hygiene datasets check [--strict] FILE...`: validate ISP lists
 * (rules in include/hygiene/isps.h and datasets/README.md). Every ASN or
 * domain listed twice is named, not only the first.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "hygiene/isps.h"
#include "hygiene/txt.h"

enum { OPT_STRICT = 1000 };

static const struct hy_cli_opt datasets_opts[] = {
	{ "strict", no_argument, OPT_STRICT, NULL,
	    "treat warnings (reserved or private ASNs) as errors" },
	{ NULL, 0, 0, NULL, NULL },
};

static int
datasets_opt(void *ctx, int id, const char *arg)
{
	(void)arg;
	if (id == OPT_STRICT)
		*(bool *)ctx = true;
	return 0;
}

/* One problem of the rules across entries; all of them are named. */
struct datasets_problems {
	const char	*path;
	size_t		 n;
};

static void
datasets_problem(void *arg, const char *msg)
{
	struct datasets_problems *p = arg;

	p->n++;
	hy_cli_error("datasets", "error: %s: %s", p->path, msg);
}

static int
datasets_check(const char *path, bool strict)
{
	struct datasets_problems probs = {
		.path = strcmp(path, "-") == 0 ? "standard input" : path,
	};
	struct hy_isp_list *l = NULL;
	char err[1024];
	size_t i, nasn = 0, ndom = 0;

	if (hy_isps_load_all(path, &l, datasets_problem, &probs, err,
	    sizeof(err)) != 0) {
		if (probs.n == 0)
			hy_cli_error("datasets", "error: %s", err);
		else if (probs.n > 1)
			hy_cli_error("datasets", "%s: %zu problems", probs.path,
			    probs.n);
		return -1;
	}
	for (i = 0; i < l->nwarnings; i++)
		hy_cli_error("datasets", "%s: %s: %s",
		    strict ? "error" : "warning", path, l->warnings[i]);
	for (i = 0; i < l->n; i++) {
		nasn += l->v[i].nasns;
		ndom += l->v[i].ndomains;
	}
	if (!(strict && l->nwarnings > 0)) {
		hy_txt_fputs(path, stdout);
		printf(": valid: %zu ISPs, %zu ASNs, %zu domains%s\n", l->n,
		    nasn, ndom, l->nwarnings ? " (with warnings)" : "");
	}
	i = l->nwarnings;
	hy_isps_free(l);
	return strict && i > 0 ? -1 : 0;
}

int
cmd_datasets(int argc, char **argv)
{
	struct hy_config cfg;
	bool strict = false;
	int first, i, rc = HY_EXIT_OK;

	hy_config_init(&cfg);
	first = hy_cli_parse(argc, argv, "datasets", &cfg, datasets_opts,
	    datasets_opt, &strict);
	if (first < 0) {
		rc = first == -2 ? HY_EXIT_OK : HY_EXIT_USAGE;
		goto out;
	}
	if (first >= argc || strcmp(argv[first], "check") != 0) {
		hy_cli_usage_error("datasets", "expected 'check FILE...'");
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if (first + 1 >= argc) {
		hy_cli_usage_error("datasets", "no file given");
		rc = HY_EXIT_USAGE;
		goto out;
	}
	for (i = first + 1; i < argc; i++)
		if (datasets_check(argv[i], strict) != 0)
			rc = HY_EXIT_FAIL;
out:
	hy_config_free(&cfg);
	return rc;
}
