/*
 * The readable summary of `hygiene check`, from the domain's JSON object
 * alone: per section the verdict and why (the section's `reason`, or for
 * a valid SPF policy what its `all` means), a few detail fields, then the
 * findings. Each logical line is composed in memory and written wrapped
 * to the terminal width (term.h).
 *
 * A verdict's colour says what it means for the domain, not only its
 * status word: SPF `valid` with +all is red, `absent` MTA-STS or TLS-RPT
 * of a domain without MX is "not applicable" and dim.
 *
 * Every string of the object may come from input or DNS data: each is
 * written through hy_txt_fputs(), which shows control characters as
 * \xHH, so the only escape sequences on the terminal are the colours
 * below (and the only ones the wrapper sees).
 */
#include <stdlib.h>
#include <string.h>

#include "render.h"
#include "term.h"
#include "hygiene/txt.h"

#define C_RESET	"\033[0m"
#define C_BOLD	"\033[1m"
#define C_DIM	"\033[2m"

/* Where things start: labels at 2, values at VALUE_COL; continuation
 * lines of a value at VALUE_COL, of a finding or detail at HANG_COL. */
#define VALUE_COL	11
#define HANG_COL	13

enum tone { TONE_GOOD, TONE_WARN, TONE_BAD, TONE_DIM };

static const char *const tone_sgr[] = {
	[TONE_GOOD] = "\033[32m", [TONE_WARN] = "\033[33m",
	[TONE_BAD] = "\033[31m", [TONE_DIM] = C_DIM,
};

/* The line being composed. When no memory stream can be opened the line
 * goes straight to out, unwrapped, rather than not at all. */
struct rd {
	FILE				*out;
	const struct hy_render_opts	*o;
	FILE				*fp;
	char				*buf;
	size_t				 len;
};

/* What a section's line says. */
struct verdict {
	enum tone	 tone;
	const char	*status;	/* shown; may be more than the word */
	const char	*reason;	/* why; NULL when the findings say it */
};

static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void
rd_begin(struct rd *r)
{
	r->buf = NULL;
	r->len = 0;
	if ((r->fp = open_memstream(&r->buf, &r->len)) == NULL)
		r->fp = r->out;
}

static void
rd_end(struct rd *r, int indent)
{
	if (r->fp == r->out) {
		fputc('\n', r->out);
		return;
	}
	if (fclose(r->fp) == 0 && r->buf != NULL)
		(void)hy_term_wrap(r->out, r->buf, indent, r->o->width);
	free(r->buf);
}

static void
put(struct rd *r, const char *s)
{
	fputs(s, r->fp);
}

/* Untrusted text, "?" when missing. */
static void
put_data(struct rd *r, const char *s)
{
	hy_txt_fputs(s != NULL ? s : "?", r->fp);
}

static void
put_sgr(struct rd *r, const char *sgr)
{
	if (r->o->color)
		put(r, sgr);
}

/* "  LABEL    " up to VALUE_COL. */
static void
put_label(struct rd *r, const char *label)
{
	fprintf(r->fp, "  %-*s", VALUE_COL - 2, label);
}

static enum tone
status_tone(const char *st)
{
	static const char *const good[] = { "secure", "valid", "enforce",
	    NULL };
	static const char *const bad[] = { "bogus", "invalid", "permerror",
	    "none", "absent", NULL };

	for (size_t i = 0; good[i] != NULL; i++)
		if (strcmp(st, good[i]) == 0)
			return TONE_GOOD;
	for (size_t i = 0; bad[i] != NULL; i++)
		if (strcmp(st, bad[i]) == 0)
			return TONE_BAD;
	return TONE_WARN;
}

static bool
has_error_issue(const json_t *sec)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(sec, "issues"), i, f)
		if (str(f, "severity") != NULL &&
		    strcmp(str(f, "severity"), "error") == 0)
			return true;
	return false;
}

/* True when a finding of the section already says s. */
static bool
said_by_issue(const json_t *sec, const char *s)
{
	size_t i;
	json_t *f;

	json_array_foreach(json_object_get(sec, "issues"), i, f)
		if (str(f, "message") != NULL && strcmp(str(f, "message"), s) ==
		    0)
			return true;
	return false;
}

/* A valid SPF policy: what its final `all` does to everyone else. */
static void
spf_verdict(const json_t *sec, struct verdict *v)
{
	const char *all = str(sec, "all");

	if (all == NULL) {
		v->tone = TONE_WARN;
		v->reason = "it ends without all, so hosts it does not list "
		    "get the neutral result, as if there were no policy (RFC "
		    "7208 §4.7)";
	} else if (strcmp(all, "-all") == 0) {
		v->reason = "mail from hosts it does not list fails (-all)";
	} else if (strcmp(all, "~all") == 0) {
		v->tone = TONE_WARN;
		v->reason = "mail from hosts it does not list only soft-fails "
		    "(~all); end with -all once every sender is listed (RFC "
		    "7208 §8.5)";
	} else if (strcmp(all, "?all") == 0) {
		v->tone = TONE_WARN;
		v->reason = "hosts it does not list get the neutral result "
		    "(?all), as if there were no policy (RFC 7208 §8.2)";
	} else if (strcmp(all, "+all") == 0) {
		v->tone = TONE_BAD;
		v->status = "valid, but +all";
		v->reason = "every host on the Internet may send mail in this "
		    "domain's name (RFC 7208 §5.1)";
	}
}

/* MTA-STS and TLS-RPT protect delivery to MX hosts: a domain without
 * any (none published, or a null MX) has nothing for them to do. */
static bool
receives_no_mail(const json_t *o)
{
	const json_t *mx = json_object_get(o, "mx");

	return json_is_true(json_object_get(o, "null_mx")) ||
	    (json_is_array(mx) && json_array_size(mx) == 0);
}

static struct verdict
section_verdict(const json_t *o, const char *key, const json_t *sec)
{
	const char *st = str(sec, "status");
	struct verdict v = { TONE_WARN, st != NULL ? st : "?",
	    str(sec, "reason") };

	if (st == NULL)
		return v;
	v.tone = status_tone(st);
	if (strcmp(key, "spf") == 0 && strcmp(st, "valid") == 0)
		spf_verdict(sec, &v);
	if (strcmp(key, "dmarc") == 0 && strcmp(st, "valid") == 0 &&
	    str(sec, "policy") != NULL && strcmp(str(sec, "policy"), "none") ==
	    0)
		v.tone = TONE_WARN;	/* reports only: nothing enforced */
	if ((strcmp(key, "mta_sts") == 0 || strcmp(key, "tls_rpt") == 0) &&
	    strcmp(st, "absent") == 0 && receives_no_mail(o)) {
		v.tone = TONE_DIM;
		v.status = "not applicable";
	}
	if (v.tone == TONE_GOOD && has_error_issue(sec))
		v.tone = TONE_WARN;
	if (v.reason != NULL && said_by_issue(sec, v.reason))
		v.reason = NULL;
	return v;
}

static void
render_addrs(struct rd *r, const json_t *addrs)
{
	size_t i;
	json_t *a;

	put(r, " (");
	json_array_foreach(addrs, i, a) {
		put(r, i ? ", " : "");
		put_data(r, str(a, "ip"));
		if (str(a, "rpki") != NULL) {
			put(r, " rpki:");
			put_data(r, str(a, "rpki"));
		}
	}
	put(r, json_array_size(addrs) ? ")" : "no address)");
}

static void
render_hosts(struct rd *r, const char *label, const json_t *hosts, bool mx)
{
	size_t i;
	json_t *h;

	if (json_is_null(hosts) || json_array_size(hosts) == 0) {
		rd_begin(r);
		put_label(r, label);
		put(r, json_is_null(hosts) ? "could not be measured" : "none");
		rd_end(r, VALUE_COL);
		return;
	}
	json_array_foreach(hosts, i, h) {
		rd_begin(r);
		put_label(r, i == 0 ? label : "");
		if (mx)
			fprintf(r->fp, "%lld ", (long long)json_integer_value(
			    json_object_get(h, "preference")));
		put_data(r, str(h, mx ? "host" : "name"));
		render_addrs(r, json_object_get(h, "addresses"));
		rd_end(r, HANG_COL);
	}
}

/* Detail fields worth a glance, when a section has them; a name the
 * same as the domain's says nothing new. */
static void
render_details(struct rd *r, const json_t *sec, const char *domain)
{
	static const struct { const char *key; bool name; } keys[] = {
		{ "zone", true }, { "policy", false }, { "mode", false },
		{ "found_at", true }, { "record", false }, { NULL, false },
	};
	const char *v;
	bool any = false;

	for (size_t i = 0; keys[i].key != NULL; i++) {
		if ((v = str(sec, keys[i].key)) == NULL || (keys[i].name &&
		    domain != NULL && strcmp(v, domain) == 0))
			continue;
		if (!any) {
			rd_begin(r);
			fprintf(r->fp, "%*s", VALUE_COL, "");
		}
		fprintf(r->fp, "%s%s=", any ? "  " : "", keys[i].key);
		put_data(r, v);
		any = true;
	}
	if (any)
		rd_end(r, HANG_COL);
}

/* One finding or error: "SEVERITY code: message". */
static void
render_finding(struct rd *r, const json_t *f)
{
	const char *sev = str(f, "severity");

	rd_begin(r);
	put_label(r, "");
	if (sev == NULL)
		sev = "error";
	put_sgr(r, tone_sgr[strcmp(sev, "error") == 0 ? TONE_BAD :
	    strcmp(sev, "warning") == 0 ? TONE_WARN : TONE_DIM]);
	put_data(r, sev);
	put_sgr(r, C_RESET);
	put(r, " ");
	put_data(r, str(f, "code"));
	put(r, ": ");
	put_data(r, str(f, "message"));
	rd_end(r, HANG_COL);
}

static void
render_issues(struct rd *r, const json_t *issues)
{
	size_t i;
	json_t *f;

	json_array_foreach(issues, i, f)
		render_finding(r, f);
}

static void
render_section(struct rd *r, const json_t *o, const char *key,
    const char *label)
{
	const json_t *sec = json_object_get(o, key);
	struct verdict v;

	rd_begin(r);
	put_label(r, label);
	if (!json_is_object(sec)) {
		put_sgr(r, C_DIM);
		put(r, "not checked");
		put_sgr(r, C_RESET);
		rd_end(r, VALUE_COL);
		return;
	}
	v = section_verdict(o, key, sec);
	put_sgr(r, tone_sgr[v.tone]);
	put_data(r, v.status);
	put_sgr(r, C_RESET);
	if (v.reason != NULL) {
		put(r, ": ");
		put_data(r, v.reason);
	}
	rd_end(r, VALUE_COL);
	render_details(r, sec, str(o, "domain"));
	render_issues(r, json_object_get(sec, "issues"));
}

/* The no-mail summary: only worth a line when the domain says it takes
 * no mail (null MX), protected or not. */
static void
render_mail(struct rd *r, const json_t *mail)
{
	const char *v = str(mail, "no_mail_domain");

	if (v == NULL || strcmp(v, "no") == 0)
		return;
	rd_begin(r);
	put_label(r, "Mail");
	put(r, "no-mail domain: ");
	put_sgr(r, tone_sgr[strcmp(v, "protected") == 0 ? TONE_GOOD :
	    TONE_WARN]);
	put_data(r, v);
	put_sgr(r, C_RESET);
	rd_end(r, VALUE_COL);
	render_issues(r, json_object_get(mail, "issues"));
}

static void
render_errors(struct rd *r, const json_t *errs)
{
	size_t i;
	json_t *e;

	json_array_foreach(errs, i, e) {
		rd_begin(r);
		put(r, "  ");
		put_sgr(r, tone_sgr[TONE_BAD]);
		fprintf(r->fp, "%-*s", VALUE_COL - 2, "error");
		put_sgr(r, C_RESET);
		put_data(r, str(e, "code"));
		put(r, ": ");
		put_data(r, str(e, "message"));
		rd_end(r, HANG_COL);
	}
}

void
hy_render_domain(FILE *fp, const json_t *o, const struct hy_render_opts *opts)
{
	static const struct { const char *key, *label; } secs[] = {
		{ "dnssec", "DNSSEC" }, { "spf", "SPF" }, { "dmarc", "DMARC" },
		{ "mta_sts", "MTA-STS" }, { "tls_rpt", "TLS-RPT" },
	};
	struct rd r = { fp, opts, NULL, NULL, 0 };
	const char *dom = str(o, "domain");

	rd_begin(&r);
	put_sgr(&r, C_BOLD);
	put_data(&r, dom != NULL ? dom : str(o, "input"));
	put_sgr(&r, C_RESET);
	if (str(o, "domain_unicode") != NULL) {
		put(&r, " (");
		put_data(&r, str(o, "domain_unicode"));
		put(&r, ")");
	}
	rd_end(&r, 2);
	if (dom != NULL) {
		render_hosts(&r, "NS", json_object_get(o, "ns"), false);
		render_hosts(&r, "MX", json_object_get(o, "mx"), true);
		if (json_is_true(json_object_get(o, "null_mx"))) {
			rd_begin(&r);
			fprintf(r.fp, "%*snull MX (RFC 7505): the domain "
			    "accepts no mail", VALUE_COL, "");
			rd_end(&r, HANG_COL);
		}
		for (size_t i = 0; i < sizeof(secs) / sizeof(secs[0]); i++)
			render_section(&r, o, secs[i].key, secs[i].label);
		render_mail(&r, json_object_get(o, "mail"));
	}
	render_errors(&r, json_object_get(o, "errors"));
}
