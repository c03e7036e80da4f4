/*
 * `hygiene explain`: the findings catalogue (include/hygiene/catalog.h)
 * for people, and the files made from it.
 *
 *   explain CODE...        what a code means, its RFC, how to fix it
 *   explain --list         every code, one short entry each
 *   explain --json         the table as JSON (for scripts and tests)
 *   explain --markdown     doc/findings.md
 *   explain --schema-enum  the "codes" block of schema/check.schema.json
 *
 * Text for people is wrapped to the terminal width; the generated files
 * do not depend on it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "term.h"
#include "hygiene/catalog.h"

enum { OPT_LIST = 1000, OPT_LANG, OPT_MARKDOWN, OPT_SCHEMA_ENUM };

static const struct hy_cli_opt explain_opts[] = {
	{ "list", no_argument, OPT_LIST, NULL,
	    "list every code with its section, severity and meaning" },
	{ "lang", required_argument, OPT_LANG, "en|ja",
	    "language of the explanations (default en)" },
	{ "markdown", no_argument, OPT_MARKDOWN, NULL,
	    "write the catalogue as Markdown in both languages "
	    "(doc/findings.md)" },
	{ "schema-enum", no_argument, OPT_SCHEMA_ENUM, NULL,
	    "write the code enums for schema/check.schema.json" },
	{ NULL, 0, 0, NULL, NULL },
};

struct explain_cmd {
	struct hy_config	 cfg;
	int			 mode;		/* 0: codes, else OPT_* */
	bool			 ja;
	int			 width;
};

static int
explain_opt(void *ctx, int id, const char *arg)
{
	struct explain_cmd *ec = ctx;

	if (id == OPT_LANG) {
		if (strcmp(arg, "ja") != 0 && strcmp(arg, "en") != 0) {
			hy_cli_usage_error("explain", "--lang: expected ja or "
			    "en, got '%s'", arg);
			return -1;
		}
		ec->ja = strcmp(arg, "ja") == 0;
		return 0;
	}
	if (ec->mode != 0 && ec->mode != id) {
		hy_cli_usage_error("explain", "give one of --list, --markdown "
		    "and --schema-enum");
		return -1;
	}
	ec->mode = id;
	return 0;
}

static const struct hy_catalog_section *
section_of(const struct hy_catalog_entry *e)
{
	for (size_t i = 0; i < hy_catalog_nsections; i++)
		if (strcmp(hy_catalog_sections[i].key, e->section) == 0)
			return &hy_catalog_sections[i];
	return NULL;
}

static const char *
section_title(const struct hy_catalog_entry *e, bool ja)
{
	const struct hy_catalog_section *s = section_of(e);

	return s == NULL ? e->section : ja ? s->title_ja : s->title_en;
}

/* One wrapped line: "LABEL text", continuation under the text. */
static void
explain_line(const struct explain_cmd *ec, const char *label,
    const char *text)
{
	char *line = NULL;

	if (asprintf(&line, "  %s%s", label, text) < 0)
		return;
	(void)hy_term_wrap(stdout, line, 2 + hy_term_strwidth(label),
	    ec->width);
	free(line);
}

static void
explain_entry(const struct explain_cmd *ec, const struct hy_catalog_entry *e)
{
	char *head = NULL;
	int n;

	if (ec->ja)
		n = asprintf(&head, "%s：%s、プローブ %s、%s", e->code,
		    section_title(e, true), e->probe,
		    hy_catalog_severities_str(e->severities, true));
	else
		n = asprintf(&head, "%s in %s (probe %s): %s", e->code,
		    section_title(e, false), e->probe,
		    hy_catalog_severities_str(e->severities, false));
	if (n < 0)
		return;
	(void)hy_term_wrap(stdout, head, 2, ec->width);
	free(head);
	explain_line(ec, "", ec->ja ? e->ja : e->en);
	if (e->rfc[0] != '\0')
		explain_line(ec, ec->ja ? "根拠: " : "RFC:  ", e->rfc);
	explain_line(ec, ec->ja ? "対処: " : "Fix:  ", ec->ja ? e->fix_ja :
	    e->fix_en);
}

/* Each argument is CODE (every section that has it) or SECTION/CODE. */
static int
explain_codes(const struct explain_cmd *ec, char **args, int n)
{
	int rc = HY_EXIT_OK, shown = 0;

	for (int a = 0; a < n; a++) {
		const char *slash = strchr(args[a], '/');
		size_t found = 0;

		for (size_t i = 0; i < hy_catalog_len; i++) {
			const struct hy_catalog_entry *e = &hy_catalog[i];

			if (slash != NULL ? strncmp(args[a], e->section,
			    (size_t)(slash - args[a])) != 0 ||
			    e->section[slash - args[a]] != '\0' ||
			    strcmp(slash + 1, e->code) != 0 :
			    strcmp(args[a], e->code) != 0)
				continue;
			if (shown++ > 0)
				putchar('\n');
			explain_entry(ec, e);
			found++;
		}
		if (found == 0) {
			hy_cli_usage_error("explain", "unknown code '%s' ('hygiene "
			    "explain --list' lists them)", args[a]);
			rc = HY_EXIT_USAGE;
		}
	}
	return rc;
}

static int
explain_list(const struct explain_cmd *ec)
{
	char *head = NULL;

	for (size_t i = 0; i < hy_catalog_len; i++) {
		const struct hy_catalog_entry *e = &hy_catalog[i];

		if (asprintf(&head, "%s/%s (%s)", e->section, e->code,
		    hy_catalog_severities_str(e->severities, ec->ja)) < 0)
			return HY_EXIT_FAIL;
		(void)hy_term_wrap(stdout, head, 2, ec->width);
		free(head);
		explain_line(ec, "  ", ec->ja ? e->ja : e->en);
	}
	return HY_EXIT_OK;
}

static int
explain_json(void)
{
	json_t *a = json_array(), *o;
	int rc = HY_EXIT_FAIL;

	for (size_t i = 0; a != NULL && i < hy_catalog_len; i++) {
		const struct hy_catalog_entry *e = &hy_catalog[i];
		json_t *sev = json_array();

		for (int k = HY_SEV_INFO; sev != NULL && k <= HY_SEV_ERROR; k++)
			if ((e->severities & (1u << k)) != 0 &&
			    json_array_append_new(sev, json_string(
			    hy_severity_str(k))) != 0)
				goto out;
		o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s}",
		    "section", e->section, "code", e->code, "probe", e->probe,
		    "severities", sev, "rfc", e->rfc, "en", e->en, "ja", e->ja,
		    "fix_en", e->fix_en, "fix_ja", e->fix_ja);
		if (o == NULL || json_array_append_new(a, o) != 0)
			goto out;
	}
	if (a != NULL && json_dumpf(a, stdout, JSON_INDENT(1)) == 0 &&
	    putchar('\n') != EOF)
		rc = HY_EXIT_OK;
out:
	json_decref(a);
	return rc;
}

/* Markdown table cell text: a '|' would end the cell. */
static void
md_cell(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			putchar('\\');
		putchar(*s);
	}
}

static int
explain_markdown(void)
{
	printf("# Findings catalogue / 指摘コード一覧\n\n"
	    "<!-- Generated by `hygiene explain --markdown` from the table in "
	    "src/catalog.c; do not edit. -->\n\n"
	    "Every finding in the `issues` of a section of `hygiene check "
	    "--json`, and every\nentry of its `errors`, has a code listed "
	    "here, with its severity, the probe\nthat emits it, the RFC "
	    "section behind it, what it means and how to fix it,\nin English "
	    "and Japanese. A code is named by its section: `dns-error` is "
	    "a\ndifferent lookup in `dmarc` than in `mta_sts`. `hygiene "
	    "explain CODE` (or\n`SECTION/CODE`, `--lang ja`) prints an entry; "
	    "the message in the output\nsays what was seen in the domain at "
	    "hand.\n\n"
	    "To add a code: add its row to src/catalog.c, then run\n"
	    "`python3 scripts/catalog_update.py build/hygiene`, which rewrites "
	    "this file\nand the code enums in `schema/check.schema.json`. "
	    "`ctest -L catalog` fails\nwhen either differs from the table, "
	    "when the sources emit a code the table\nlacks, or when a row is "
	    "emitted nowhere.\n");
	for (size_t k = 0; k < hy_catalog_nsections; k++) {
		const struct hy_catalog_section *s = &hy_catalog_sections[k];

		if (strcmp(s->title_en, s->title_ja) == 0)
			printf("\n## %s (`%s`)\n\n", s->title_en, s->key);
		else
			printf("\n## %s / %s (`%s`)\n\n", s->title_en,
			    s->title_ja, s->key);
		printf("| code | severity | probe | RFC | meaning / 意味 | "
		    "remediation / 対処 |\n|---|---|---|---|---|---|\n");
		for (size_t i = 0; i < hy_catalog_len; i++) {
			const struct hy_catalog_entry *e = &hy_catalog[i];

			if (strcmp(e->section, s->key) != 0)
				continue;
			printf("| `%s` | %s | %s | ", e->code,
			    hy_catalog_severities_str(e->severities, false),
			    e->probe);
			md_cell(e->rfc[0] != '\0' ? e->rfc : "—");
			fputs(" | ", stdout);
			md_cell(e->en);
			fputs("<br>", stdout);
			md_cell(e->ja);
			fputs(" | ", stdout);
			md_cell(e->fix_en);
			fputs("<br>", stdout);
			md_cell(e->fix_ja);
			fputs(" |\n", stdout);
		}
	}
	return HY_EXIT_OK;
}

/* The last entry of schema/check.schema.json's $defs, which scripts/
 * catalog_update.py replaces: codes.$defs.SECTION = {"enum": [...]}. */
static int
explain_schema_enum(void)
{
	printf("    \"codes\": {\n"
	    "      \"$comment\": \"Generated by `hygiene explain --schema-enum` "
	    "from src/catalog.c (scripts/catalog_update.py); do not edit.\",\n"
	    "      \"$defs\": {\n");
	for (size_t k = 0; k < hy_catalog_nsections; k++) {
		const char *key = hy_catalog_sections[k].key;
		int col = 78, n = 0;

		printf("        \"%s\": {\"enum\": [", key);
		for (size_t i = 0; i < hy_catalog_len; i++) {
			const char *code = hy_catalog[i].code;
			int w = (int)strlen(code) + 3;

			if (strcmp(hy_catalog[i].section, key) != 0)
				continue;
			if (n++ > 0)
				putchar(',');
			if (col + w > 78) {
				printf("\n%10s", "");
				col = 10;
			} else
				putchar(' ');
			printf("\"%s\"", code);
			col += w;
		}
		printf("\n        ]}%s\n", k + 1 < hy_catalog_nsections ? "," :
		    "");
	}
	printf("      }\n    }\n");
	return HY_EXIT_OK;
}

int
cmd_explain(int argc, char **argv)
{
	struct explain_cmd ec;
	int first, rc;

	memset(&ec, 0, sizeof(ec));
	hy_config_init(&ec.cfg);
	first = hy_cli_parse(argc, argv, "explain", &ec.cfg, explain_opts,
	    explain_opt, &ec);
	if (first < 0) {
		rc = first == -2 ? HY_EXIT_OK : HY_EXIT_USAGE;
		goto out;
	}
	ec.width = hy_term_width(STDOUT_FILENO);
	if ((ec.mode != 0 || ec.cfg.json) && first < argc) {
		hy_cli_usage_error("explain", "codes cannot be given with "
		    "--list, --json, --markdown or --schema-enum");
		rc = HY_EXIT_USAGE;
		goto out;
	}
	if (ec.cfg.json)
		rc = explain_json();
	else if (ec.mode == OPT_LIST)
		rc = explain_list(&ec);
	else if (ec.mode == OPT_MARKDOWN)
		rc = explain_markdown();
	else if (ec.mode == OPT_SCHEMA_ENUM)
		rc = explain_schema_enum();
	else if (first == argc) {
		hy_cli_usage_error("explain", "no code given (--list lists "
		    "them)");
		rc = HY_EXIT_USAGE;
	} else
		rc = explain_codes(&ec, argv + first, argc - first);
	if (fflush(stdout) != 0 && rc == HY_EXIT_OK) {
		hy_cli_error("explain", "write error");
		rc = HY_EXIT_FAIL;
	}
out:
	hy_config_free(&ec.cfg);
	return rc;
}
