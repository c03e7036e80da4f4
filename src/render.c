/*
 * The readable summary of `hygiene check`. It works from the JSON object
 * alone, so every probe's section is shown without the renderer knowing
 * the probe: status, a few well-known detail fields, then the findings
 * with their reasons.
 *
 * Every string of the object may come from input or DNS data: each is
 * written through render_str(), which shows control characters as \xHH,
 * so the only escape sequences on the terminal are the colours below.
 */
#include <string.h>

#include "render.h"
#include "hygiene/txt.h"

#define C_RESET	"\033[0m"
#define C_GOOD	"\033[32m"
#define C_BAD	"\033[31m"
#define C_WARN	"\033[33m"
#define C_DIM	"\033[2m"

/* An untrusted string, "?" when missing. */
static void
render_str(FILE *fp, const char *s)
{
	hy_txt_fputs(s != NULL ? s : "?", fp);
}

static const char *
status_color(const char *st)
{
	static const char *good[] = { "secure", "valid", "enforce", "reject",
	    NULL };
	static const char *bad[] = { "bogus", "invalid", "permerror", "none",
	    "absent", NULL };

	for (size_t i = 0; good[i]; i++)
		if (strcmp(st, good[i]) == 0)
			return C_GOOD;
	for (size_t i = 0; bad[i]; i++)
		if (strcmp(st, bad[i]) == 0)
			return C_BAD;
	return C_WARN;
}

static void
render_addrs(FILE *fp, const json_t *addrs)
{
	size_t i;
	json_t *a;

	fputs(" (", fp);
	json_array_foreach(addrs, i, a) {
		const char *rpki = json_string_value(json_object_get(a, "rpki"));

		fputs(i ? ", " : "", fp);
		render_str(fp, json_string_value(json_object_get(a, "ip")));
		if (rpki != NULL) {
			fputs(" rpki:", fp);
			render_str(fp, rpki);
		}
	}
	fputs(json_array_size(addrs) ? ")" : "no address)", fp);
}

static void
render_hosts(FILE *fp, const char *label, const json_t *hosts, bool mx)
{
	size_t i;
	json_t *h;

	fprintf(fp, "  %-8s", label);
	if (json_is_null(hosts)) {
		fputs("could not be measured\n", fp);
		return;
	}
	if (json_array_size(hosts) == 0) {
		fputs("none\n", fp);
		return;
	}
	json_array_foreach(hosts, i, h) {
		if (i > 0)
			fprintf(fp, "  %-8s", "");
		if (mx)
			fprintf(fp, "%lld ", (long long)json_integer_value(
			    json_object_get(h, "preference")));
		render_str(fp, json_string_value(json_object_get(h,
		    mx ? "host" : "name")));
		render_addrs(fp, json_object_get(h, "addresses"));
		fputc('\n', fp);
	}
}

/* Detail fields worth a glance, when a section has them. */
static void
render_details(FILE *fp, const json_t *sec)
{
	static const char *keys[] = { "zone", "policy", "all", "mode",
	    "record", "found_at", NULL };

	for (size_t i = 0; keys[i]; i++) {
		json_t *v = json_object_get(sec, keys[i]);

		if (json_is_string(v)) {
			fprintf(fp, "  %s=", keys[i]);
			render_str(fp, json_string_value(v));
		}
	}
}

static void
render_issues(FILE *fp, const json_t *issues, bool color)
{
	size_t i;
	json_t *f;

	json_array_foreach(issues, i, f) {
		const char *sev = json_string_value(json_object_get(f, "severity"));
		const char *c = sev && strcmp(sev, "error") == 0 ? C_BAD :
		    sev && strcmp(sev, "warning") == 0 ? C_WARN : C_DIM;

		fprintf(fp, "           %s", color ? c : "");
		render_str(fp, sev);
		fprintf(fp, "%s ", color ? C_RESET : "");
		render_str(fp, json_string_value(json_object_get(f, "code")));
		fputs(": ", fp);
		render_str(fp, json_string_value(json_object_get(f, "message")));
		fputc('\n', fp);
	}
}

static void
render_section(FILE *fp, const char *label, const json_t *sec, bool color)
{
	const char *st;

	fprintf(fp, "  %-8s", label);
	if (json_is_null(sec) || sec == NULL) {
		fprintf(fp, "%snot checked%s\n", color ? C_DIM : "",
		    color ? C_RESET : "");
		return;
	}
	st = json_string_value(json_object_get(sec, "status"));
	fputs(color && st ? status_color(st) : "", fp);
	render_str(fp, st);
	fputs(color ? C_RESET : "", fp);
	render_details(fp, sec);
	fputc('\n', fp);
	render_issues(fp, json_object_get(sec, "issues"), color);
}

/* The no-mail summary: only worth a line when the domain says it sends
 * no mail (null MX), protected or not. */
static void
render_mail(FILE *fp, const json_t *mail, bool color)
{
	const char *v = json_string_value(json_object_get(mail, "no_mail_domain"));

	if (v == NULL || strcmp(v, "no") == 0)
		return;
	fprintf(fp, "  %-8s%sno-mail domain: ", "Mail",
	    color ? (strcmp(v, "protected") == 0 ? C_GOOD : C_WARN) : "");
	render_str(fp, v);
	fprintf(fp, "%s\n", color ? C_RESET : "");
	render_issues(fp, json_object_get(mail, "issues"), color);
}

void
hy_render_domain(FILE *fp, const json_t *o, bool color)
{
	static const struct { const char *key, *label; } secs[] = {
		{ "dnssec", "DNSSEC" }, { "spf", "SPF" }, { "dmarc", "DMARC" },
		{ "mta_sts", "MTA-STS" }, { "tls_rpt", "TLS-RPT" },
	};
	const char *dom = json_string_value(json_object_get(o, "domain"));
	const char *u = json_string_value(json_object_get(o, "domain_unicode"));
	json_t *errs = json_object_get(o, "errors"), *e;
	size_t i;

	if (dom == NULL)
		dom = json_string_value(json_object_get(o, "input"));
	fputs(color ? "\033[1m" : "", fp);
	render_str(fp, dom);
	fputs(color ? C_RESET : "", fp);
	if (u != NULL) {
		fputs(" (", fp);
		render_str(fp, u);
		fputc(')', fp);
	}
	fputc('\n', fp);
	if (json_object_get(o, "domain") != NULL &&
	    !json_is_null(json_object_get(o, "domain"))) {
		render_hosts(fp, "NS", json_object_get(o, "ns"), false);
		render_hosts(fp, "MX", json_object_get(o, "mx"), true);
		if (json_is_true(json_object_get(o, "null_mx")))
			fputs("           null MX (RFC 7505): the domain accepts "
			    "no mail\n", fp);
		for (i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
			render_section(fp, secs[i].label,
			    json_object_get(o, secs[i].key), color);
		render_mail(fp, json_object_get(o, "mail"), color);
	}
	json_array_foreach(errs, i, e) {
		fprintf(fp, "  %serror%s   ", color ? C_BAD : "",
		    color ? C_RESET : "");
		render_str(fp, json_string_value(json_object_get(e, "code")));
		fputs(": ", fp);
		render_str(fp, json_string_value(json_object_get(e, "message")));
		fputc('\n', fp);
	}
}
