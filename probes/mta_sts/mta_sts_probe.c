/*
 * The `mta_sts` probe (RFC 8461). Runs after the base data, since every
 * MX host must match the policy. States:
 *
 *   LOOKUP  TXT at _mta-sts.<domain> and A/AAAA of mta-sts.<domain>, in
 *           parallel (the policy host resolves through our engine; curl
 *           never resolves names).
 *   FETCH   GET https://mta-sts.<domain>/.well-known/mta-sts.txt, no
 *           redirects (§3.3), 64 KiB limit, bounded by the domain deadline.
 *   DONE
 *
 * Status: absent (no STS TXT), invalid (bad TXT, several TXT, a policy
 * host whose answer is evidence that senders get no policy, or a policy
 * that does not parse: with the reason), temperror (could not measure: a
 * DNS lookup failed, the fetch failed in a way that says nothing about
 * the policy, or memory ran out), else the policy mode
 * enforce|testing|none. fetch_is_evidence() draws the line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hygiene/http.h"
#include "hygiene/txt.h"
#include "sts.h"

enum sstate { ST_LOOKUP, ST_FETCH, ST_DONE };

enum sts_status {
	STS_ENFORCE, STS_TESTING, STS_NONE, STS_ABSENT, STS_INVALID,
	STS_TEMPERROR,
};

struct sts_q {
	struct sts_state	*s;
	int			 kind;	/* 0 TXT, 1 A, 2 AAAA */
};

struct sts_state {
	struct hy_check		*chk;
	enum sstate		 state;
	unsigned		 pending;
	enum sts_status		 status;
	struct sts_q		 q[3];
	enum hy_dns_status	 dns[3];
	size_t			 ntxt;		/* STS records seen */
	bool			 txt_valid;	/* the one record parsed ok */
	struct hy_sts_record	 rec;
	char			*record;
	char			 addr[64];	/* policy host address */
	char			*url;
	struct hy_http_req	*req;
	enum hy_http_status	 http_status;
	bool			 fetched;	/* measured: answer or none */
	bool			 fetch_fault;	/* failed, saying nothing */
	bool			 http_done;	/* a response arrived */
	bool			 oom;		/* memory ran out: no verdict */
	long			 http_code;
	char			*content_type;
	struct hy_sts_policy	 policy;
	bool			 have_policy;
	struct hy_findings	 findings;
	struct hy_timer		 timer;
};

static void sts_step(struct sts_state *);

static const char *
sts_status_str(enum sts_status s)
{
	switch (s) {
	case STS_ENFORCE:
		return "enforce";
	case STS_TESTING:
		return "testing";
	case STS_NONE:
		return "none";
	case STS_ABSENT:
		return "absent";
	case STS_INVALID:
		return "invalid";
	case STS_TEMPERROR:
		break;
	}
	return "temperror";
}

static int
sts_run_init(struct hy_run *r, void **shared, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	*shared = hy_http_new(hy_run_loop(r));
	/* The User-Agent names --contact, so hosts know who fetches. */
	return *shared == NULL || hy_http_set_contact(*shared,
	    hy_run_config(r)->contact) != 0 ? -1 : 0;
}

static void
sts_run_free(void *shared)
{
	hy_http_free(shared);
}

#define FIND(s, code, sev, ...) do {					\
	if (hy_findings_add(&(s)->findings, code, sev, __VA_ARGS__) != 0)	\
		return -1;						\
} while (0)

/* _mta-sts TXT: exactly one v=STSv1 record (RFC 8461 §3.1). */
static int
sts_txt(struct sts_state *s, const struct hy_dns_result *res)
{
	struct hy_sts_record rec;
	enum hy_sts_txt pr;
	ldns_rr_list *rrs;
	size_t len;
	char *txt;
	int rc = 0;

	if (hy_dns_answer_rrs(res, LDNS_RR_TYPE_TXT, &rrs) != 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < ldns_rr_list_rr_count(rrs); i++) {
		if ((txt = hy_txt_join(ldns_rr_list_rr(rrs, i), &len)) ==
		    NULL) {
			rc = -1;
			break;
		}
		pr = hy_sts_txt_parse(txt, len, &rec);
		if (pr == HY_STS_TXT_NOMEM)
			rc = -1;
		else if (pr != HY_STS_TXT_NOT_STS && ++s->ntxt == 1) {
			s->rec = rec;
			s->txt_valid = pr == HY_STS_TXT_VALID;
			if ((s->record = hy_txt_printable(txt, len)) == NULL)
				rc = -1;
		} else if (pr != HY_STS_TXT_NOT_STS)
			hy_sts_record_clear(&rec);
		free(txt);
	}
	ldns_rr_list_deep_free(rrs);
	return rc;
}

/* Keep the first address of the policy host's A or AAAA answer. */
static void
sts_keep_addr(struct sts_state *s, const struct hy_dns_result *res,
    ldns_rr_type t)
{
	ldns_rr_list *rrs;
	char *a = NULL;

	if (hy_dns_answer_rrs(res, t, &rrs) != 0 ||
	    (ldns_rr_list_rr_count(rrs) > 0 && (a = ldns_rdf2str(ldns_rr_rdf(
	    ldns_rr_list_rr(rrs, 0), 0))) == NULL))
		s->oom = true;
	else if (a != NULL)
		snprintf(s->addr, sizeof(s->addr), "%s", a);
	free(a);
	ldns_rr_list_deep_free(rrs);
}

static void
sts_dns_cb(void *arg, const struct hy_dns_result *res)
{
	struct sts_q *q = arg;
	struct sts_state *s = q->s;

	s->pending--;
	s->dns[q->kind] = res->status;
	if (q->kind == 0 && res->status == HY_DNS_ANSWER &&
	    sts_txt(s, res) != 0)
		s->oom = true;
	/* Keep the first address; IPv4 preferred (A is asked first). */
	if (q->kind != 0 && res->status == HY_DNS_ANSWER &&
	    (s->addr[0] == '\0' || q->kind == 1))
		sts_keep_addr(s, res, q->kind == 1 ? LDNS_RR_TYPE_A :
		    LDNS_RR_TYPE_AAAA);
	sts_step(s);
}

/*
 * Is a failed fetch evidence about the policy? RFC 8461 §3.3: senders
 * fetch the policy over HTTPS from a host whose certificate validates,
 * must not follow a 3xx redirect, and may stop reading at 64 KiB
 * (HY_STS_POLICY_MAX). So when the policy host answers, its answer is
 * what every sender gets: a certificate that does not validate, a 3xx, a
 * 4xx, a body over 64 KiB all mean senders see no policy (invalid).
 * Everything else says nothing about the policy and is a fault of the
 * measurement (temperror): no connection, a TLS handshake that failed
 * before any certificate was judged, a server error (5xx, RFC 9110
 * §15.6), "come back later" (408, RFC 9110 §15.5.9; 429, RFC 6585 §4), a
 * body cut short, no answer, bytes that are not HTTP, the deadline, our
 * own memory.
 */
static bool
fetch_is_evidence(const struct hy_http_result *r)
{
	switch (r->status) {
	case HY_HTTP_CERT:
	case HY_HTTP_TOO_LARGE:
		return true;
	case HY_HTTP_STATUS:
		return r->code < 500 && r->code != 408 && r->code != 429;
	default:
		return false;
	}
}

/* What went wrong with a fetch, in words: the HTTP status when there
 * was an answer, else the kind of failure and curl's message. */
static const char *
fetch_failure(const struct hy_http_result *r, char *buf, size_t len)
{
	if (r->status == HY_HTTP_STATUS)
		snprintf(buf, len, "HTTP status %ld%s", r->code, r->code >= 300 &&
		    r->code < 400 ? " (a redirect, which senders do not follow)" :
		    "");
	else if (r->status == HY_HTTP_TOO_LARGE)
		snprintf(buf, len, "the answer is larger than the %d-byte "
		    "limit for a policy", HY_STS_POLICY_MAX);
	else
		snprintf(buf, len, "%s%s%s", hy_http_status_str(r->status),
		    r->error[0] ? ": " : "", r->error);
	return buf;
}

static int
sts_fetch_failed(struct sts_state *s, const struct hy_http_result *r)
{
	char why[512];

	fetch_failure(r, why, sizeof(why));
	s->fetch_fault = !fetch_is_evidence(r);
	if (s->fetch_fault)
		return hy_findings_add(&s->findings, "policy-fetch-failed",
		    HY_SEV_WARNING, "GET %s: %s; this says nothing about the "
		    "policy, so MTA-STS could not be measured (RFC 8461 §3.3)",
		    s->url, why);
	return hy_findings_add(&s->findings, "policy-fetch-failed",
	    HY_SEV_ERROR, "GET %s: %s; senders take a policy only from a 200 "
	    "answer over HTTPS with a valid certificate, follow no redirect "
	    "and may stop reading at %d bytes, so they get no policy here "
	    "(RFC 8461 §3.3)", s->url, why, HY_STS_POLICY_MAX);
}

static void
sts_http_cb(void *arg, const struct hy_http_result *r)
{
	struct sts_state *s = arg;

	s->req = NULL;
	s->pending--;
	s->fetched = s->http_done = true;
	s->http_status = r->status;
	s->http_code = r->code;
	if (r->status == HY_HTTP_NOMEM ||
	    (r->content_type != NULL && (s->content_type = hy_txt_printable(
	    r->content_type, strlen(r->content_type))) == NULL))
		s->oom = true;
	else if (r->status == HY_HTTP_OK) {
		if (hy_sts_policy_parse(r->body, r->len, &s->policy) != 0)
			s->oom = true;
		else
			s->have_policy = true;
	} else if (sts_fetch_failed(s, r) != 0)
		s->oom = true;
	sts_step(s);
}

/* The media type must be text/plain; parameters such as charset are
 * allowed (RFC 8461 §3.3). */
static bool
media_ok(const char *ct)
{
	size_t n = strlen("text/plain");

	if (ct == NULL || strncasecmp(ct, "text/plain", n) != 0)
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

static int
check_mx(struct sts_state *s)
{
	const struct hy_base *b = hy_check_base(s->chk);
	enum hy_severity sev = s->policy.mode == HY_STS_MODE_ENFORCE ?
	    HY_SEV_ERROR : HY_SEV_WARNING;

	if (s->policy.mode == HY_STS_MODE_NONE || b->null_mx)
		return 0;
	if (!hy_dns_status_measured(b->mx_status)) {
		FIND(s, "mx-unknown", HY_SEV_INFO, "the MX lookup failed, so "
		    "MX coverage by the policy was not checked");
		return 0;
	}
	for (size_t i = 0; i < b->nmx; i++) {
		bool ok = false;

		for (size_t j = 0; !ok && j < s->policy.nmx; j++)
			ok = hy_sts_mx_match(s->policy.mx[j], b->mx[i].name);
		if (!ok)
			FIND(s, "mx-not-covered", sev, "MX host %s matches no "
			    "mx pattern of the policy; senders %s deliver to "
			    "it (RFC 8461 §4.1)", b->mx[i].name,
			    sev == HY_SEV_ERROR ? "will not" : "would not");
	}
	return 0;
}

/* The verdict once everything is known. */
static int
sts_conclude(struct sts_state *s)
{
	if (!hy_dns_status_measured(s->dns[0])) {
		s->status = STS_TEMPERROR;
		FIND(s, "dns-error", HY_SEV_WARNING, "the lookup of _mta-sts.%s "
		    "failed: %s", hy_check_domain(s->chk),
		    hy_dns_status_str(s->dns[0]));
		return 0;
	}
	if (s->ntxt == 0) {
		s->status = STS_ABSENT;
		return 0;
	}
	if (s->ntxt > 1) {
		s->status = STS_INVALID;
		FIND(s, "multiple-records", HY_SEV_ERROR, "_mta-sts.%s has "
		    "%zu STS records; senders then assume no policy (RFC 8461 "
		    "§3.1)", hy_check_domain(s->chk), s->ntxt);
		return 0;
	}
	if (!s->txt_valid) {
		/* The policy is still fetched and shown, but senders ignore
		 * a domain whose TXT record is malformed (RFC 8461 §3.1). */
		s->status = STS_INVALID;
		return 0;
	}
	if (!s->fetched || s->fetch_fault) {
		s->status = STS_TEMPERROR;
		return 0;
	}
	if (!s->have_policy) {
		s->status = STS_INVALID;
		return 0;
	}
	if (!media_ok(s->content_type))
		FIND(s, "policy-media-type", HY_SEV_ERROR, "the policy is "
		    "served as \"%s\", not text/plain (RFC 8461 §3.2)",
		    s->content_type ? s->content_type : "(none)");
	if (!s->policy.valid || !media_ok(s->content_type)) {
		s->status = STS_INVALID;
		return 0;
	}
	s->status = s->policy.mode == HY_STS_MODE_ENFORCE ? STS_ENFORCE :
	    s->policy.mode == HY_STS_MODE_TESTING ? STS_TESTING : STS_NONE;
	return check_mx(s);
}

static int
sts_fetch(struct sts_state *s)
{
	struct hy_run *run = hy_check_run(s->chk);
	const struct hy_config *cfg = hy_run_config(run);
	struct hy_http_get_opts o;
	uint64_t left = hy_check_time_left(s->chk);

	if (s->addr[0] == '\0') {
		bool failed = !hy_dns_status_measured(s->dns[1]) ||
		    !hy_dns_status_measured(s->dns[2]);

		FIND(s, failed ? "policy-host-unknown" :
		    "policy-host-unresolvable", failed ? HY_SEV_WARNING :
		    HY_SEV_ERROR, "mta-sts.%s has no address%s (RFC 8461 "
		    "§3.3)", hy_check_domain(s->chk), failed ?
		    ": the A/AAAA lookups failed" : "");
		if (!failed)
			s->fetched = true;	/* measured: nothing to fetch */
		return 0;
	}
	if (left == 0) {
		FIND(s, "deadline-passed", HY_SEV_WARNING, "the domain's "
		    "deadline passed before the policy could be fetched");
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.url = s->url;
	o.connect_ip = s->addr;
	o.port = cfg->https_port;
	o.ca_file = cfg->ca_file;
	o.max_body = HY_STS_POLICY_MAX;
	o.timeout_ms = left;
	/* NULL: out of memory, or options curl refused; not measured. */
	if ((s->req = hy_http_get(hy_run_shared(run, &hy_probe_mta_sts), &o,
	    sts_http_cb, s)) == NULL)
		return -1;
	s->pending++;
	return 0;
}

static void
sts_finish(void *arg)
{
	struct sts_state *s = arg;

	hy_check_probe_done(s->chk, &hy_probe_mta_sts);
}

/* Out of memory anywhere means no verdict: what was read so far may be
 * incomplete (an STS record missed, a policy half parsed). */
static void
sts_done(struct sts_state *s)
{
	s->state = ST_DONE;
	if (!s->oom && sts_conclude(s) != 0)
		s->oom = true;
	if (s->oom) {
		s->status = STS_TEMPERROR;
		(void)hy_check_error(s->chk, "out-of-memory",
		    "mta_sts: out of memory");
	}
	hy_timer_start(hy_run_loop(hy_check_run(s->chk)), &s->timer, 0,
	    sts_finish, s);
}

static void
sts_step(struct sts_state *s)
{
	if (s->pending > 0 || s->state == ST_DONE)
		return;
	/* The lookups are in: fetch when there is exactly one record. */
	if (s->state == ST_LOOKUP && !s->oom &&
	    hy_dns_status_measured(s->dns[0]) && s->ntxt > 0) {
		s->state = ST_FETCH;
		if (s->ntxt == 1 && sts_fetch(s) != 0)
			s->oom = true;
		if (s->pending > 0)
			return;
	}
	sts_done(s);
}

static int
sts_start(struct hy_check *c, void **state)
{
	static const ldns_rr_type t[3] = { LDNS_RR_TYPE_TXT, LDNS_RR_TYPE_A,
	    LDNS_RR_TYPE_AAAA };
	const char *d = hy_check_domain(c);
	struct sts_state *s;
	char name[300];

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return -1;
	*state = s;
	s->chk = c;
	s->state = ST_LOOKUP;
	s->status = STS_TEMPERROR;
	if (asprintf(&s->url, "https://mta-sts.%s/.well-known/mta-sts.txt",
	    d) < 0) {
		s->url = NULL;
		return -1;
	}
	for (int i = 0; i < 3; i++) {
		s->q[i].s = s;
		s->q[i].kind = i;
		s->dns[i] = HY_DNS_ERROR;
		snprintf(name, sizeof(name), "%s.%s", i == 0 ? "_mta-sts" :
		    "mta-sts", d);
		if (hy_dns_query(hy_check_group(c), name, t[i], 0, sts_dns_cb,
		    &s->q[i]) == 0)
			s->pending++;
	}
	sts_step(s);
	return 0;
}

static json_t *
policy_json(const struct sts_state *s)
{
	json_t *mx;

	if (!s->have_policy)
		return json_null();
	if ((mx = json_array()) == NULL)
		return NULL;
	for (size_t i = 0; i < s->policy.nmx; i++)
		if (json_array_append_new(mx, json_string(s->policy.mx[i])) !=
		    0) {
			json_decref(mx);
			return NULL;
		}
	return json_pack("{s:s?, s:o, s:o}", "mode",
	    hy_sts_mode_str(s->policy.mode), "max_age", s->policy.has_max_age ?
	    json_integer((json_int_t)s->policy.max_age) : json_null(),
	    "mx", mx);
}

static json_t *
fetch_json(const struct sts_state *s)
{
	if (!s->http_done)
		return json_null();
	return json_pack("{s:s, s:o, s:s?}", "result",
	    hy_http_status_str(s->http_status), "http_status", s->http_code ?
	    json_integer(s->http_code) : json_null(), "content_type",
	    s->content_type);
}

const char *
hy_sts_no_mx(const struct hy_check *c)
{
	const struct hy_base *b = hy_check_base(c);

	if (b->null_mx)
		return "; the domain accepts no mail (null MX, RFC 7505), so "
		    "this does not apply";
	if (hy_dns_status_measured(b->mx_status) && b->nmx == 0)
		return "; the domain has no MX records, so there is no mail "
		    "delivery for this to protect";
	return NULL;
}

/* Why the status, one sentence citing RFC 8461. NULL on OOM. */
static char *
sts_reason(const struct sts_state *s, const json_t *issues)
{
	const char *d = hy_check_domain(s->chk), *m, *nomx;
	char *r = NULL;
	int n = -1;

	switch (s->status) {
	case STS_ABSENT:
		nomx = hy_sts_no_mx(s->chk);
		n = asprintf(&r, "no v=STSv1 TXT record at _mta-sts.%s (RFC "
		    "8461 §3.1)%s", d, nomx != NULL ? nomx : "");
		break;
	case STS_ENFORCE:
		n = asprintf(&r, "the policy at %s is in enforce mode: senders "
		    "deliver only over TLS with a valid certificate, to the MX "
		    "hosts it lists (RFC 8461 §5)", s->url);
		break;
	case STS_TESTING:
		n = asprintf(&r, "the policy at %s is in testing mode: senders "
		    "report failed TLS but deliver anyway (RFC 8461 §5)",
		    s->url);
		break;
	case STS_NONE:
		n = asprintf(&r, "the policy at %s is in mode none: senders "
		    "treat the domain as having no policy (RFC 8461 §5)",
		    s->url);
		break;
	default:
		if ((m = hy_findings_json_first(issues, HY_SEV_ERROR)) != NULL ||
		    (m = hy_findings_json_first(issues, HY_SEV_WARNING)) !=
		    NULL)
			return strdup(m);
		return strdup(s->status == STS_INVALID ? "the MTA-STS record or "
		    "policy is not valid, so senders ignore it (RFC 8461 §3)" :
		    "MTA-STS could not be measured");
	}
	return n < 0 ? NULL : r;
}

static json_t *
issues_json(const struct sts_state *s)
{
	const struct hy_findings *fs[3] = { &s->findings, &s->rec.findings,
	    &s->policy.findings };

	return hy_findings_to_json_n(fs, 3);
}

static int
sts_emit(struct hy_check *c, void *state, json_t *obj)
{
	struct sts_state *s = state;
	json_t *o;
	char *why;

	(void)c;
	o = json_pack("{s:s, s:s?, s:s?, s:s?, s:o, s:o, s:o}",
	    "status", sts_status_str(s->status),
	    "record", s->record,
	    "id", s->rec.id[0] ? s->rec.id : NULL,
	    "policy_url", s->ntxt > 0 ? s->url : NULL,
	    "fetch", fetch_json(s),
	    "policy", policy_json(s),
	    "issues", issues_json(s));
	if (o == NULL)
		return -1;
	why = sts_reason(s, json_object_get(o, "issues"));
	if (why == NULL || json_object_set_new(o, "reason", json_string(why)) !=
	    0) {
		free(why);
		json_decref(o);
		return -1;
	}
	free(why);
	return json_object_set_new(obj, "mta_sts", o);
}

static void
sts_free(void *state)
{
	struct sts_state *s = state;

	if (s == NULL)
		return;
	hy_http_cancel(s->req);
	hy_sts_record_clear(&s->rec);
	hy_sts_policy_clear(&s->policy);
	hy_findings_clear(&s->findings);
	free(s->record);
	free(s->url);
	free(s->content_type);
	free(s);
}

const struct hy_probe hy_probe_mta_sts = {
	.name = "mta_sts",
	.phase = HY_PHASE_AFTER_BASE,
	.run_init = sts_run_init,
	.run_free = sts_run_free,
	.start = sts_start,
	.emit = sts_emit,
	.free = sts_free,
};
