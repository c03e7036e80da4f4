/*
 * RIPEstat announced-prefixes as a route source (include/hygiene/
 * ripestat.h). `hygiene rpki` and the survey run it before anything
 * else, on its own hy_loop: the API host is resolved through the DNS
 * engine (c-ares), unless a proxy resolves it, and the requests go
 * through the loop's libcurl multi, like every other HTTPS fetch.
 *
 * Each ASN is one fetch: QUEUED -> INFLIGHT -> (WAIT -> QUEUED)* -> DONE.
 * pump() keeps at most HY_RIPESTAT_MAX_INFLIGHT in flight; a retryable
 * failure waits (Retry-After, else exponential back-off) on the fetch's
 * timer and queues it again.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "hygiene/dns.h"
#include "hygiene/http.h"
#include "hygiene/loop.h"
#include "hygiene/ripestat.h"

#define RIPESTAT_MAX_BODY	(64u << 20)
/* Saved answers: save_dir/ripestat-20261130T235959Z/AS64500.json */
#define SAVED_PREFIX		"ripestat-"
#define SAVED_STAMP		"%Y%m%dT%H%M%SZ"
#define RIPESTAT_MAX_BACKOFF_MS	60000

/* Is the prefix in the RIS dump at t? Timelines are [start, end] runs of
 * dumps in which it was seen. -1 if a timeline is unusable. */
static int
announced_at(json_t *timelines, time_t t)
{
	json_t *tl;
	time_t start, end;
	size_t i;
	int seen = 0;

	if (!json_is_array(timelines))
		return -1;
	json_array_foreach(timelines, i, tl) {
		if (hy_rpki_parse_time(json_string_value(json_object_get(tl,
		    "starttime")) ?: "", &start) != 0 ||
		    hy_rpki_parse_time(json_string_value(json_object_get(tl,
		    "endtime")) ?: "", &end) != 0)
			return -1;
		if (start <= t && t <= end)
			seen = 1;
	}
	return seen;
}

/* The RIS dump the answer describes: query_endtime, within the window. */
static int
answer_time(json_t *data, uint32_t asn, time_t at, time_t *out, char *err,
    size_t errlen)
{
	const char *qe = json_string_value(json_object_get(data,
	    "query_endtime"));

	if (qe == NULL || hy_rpki_parse_time(qe, out) != 0) {
		snprintf(err, errlen, "AS%u: no usable data.query_endtime",
		    asn);
		return -1;
	}
	if (*out > at || at - *out > HY_RIPESTAT_MAX_LAG_S) {
		snprintf(err, errlen, "AS%u: the answer describes %s, not the "
		    "day before the window's end", asn, qe);
		return -1;
	}
	return 0;
}

int
hy_ripestat_parse(const char *buf, size_t len, uint32_t asn, time_t at,
    struct hy_routes *r, time_t *data_time, char *err, size_t errlen)
{
	json_t *root, *data, *pfxs, *e, *p;
	json_error_t je;
	struct hy_prefix pfx;
	size_t i;
	int pass, seen, rc = -1;

	if ((root = json_loadb(buf, len, 0, &je)) == NULL) {
		snprintf(err, errlen, "AS%u: bad JSON: %s", asn, je.text);
		return -1;
	}
	if (!json_is_string(json_object_get(root, "status")) ||
	    strcmp(json_string_value(json_object_get(root, "status")),
	    "ok") != 0) {
		snprintf(err, errlen, "AS%u: answer status is not \"ok\"", asn);
		goto out;
	}
	data = json_object_get(root, "data");
	pfxs = json_object_get(data, "prefixes");
	if (!json_is_array(pfxs)) {
		snprintf(err, errlen, "AS%u: no data.prefixes array", asn);
		goto out;
	}
	if (answer_time(data, asn, at, data_time, err, errlen) != 0)
		goto out;
	/* Check every entry first, so a bad answer adds nothing. */
	for (pass = 0; pass < 2; pass++)
		json_array_foreach(pfxs, i, e) {
			p = json_object_get(e, "prefix");
			if (!json_is_string(p) || hy_prefix_parse(
			    json_string_value(p), json_string_length(p),
			    &pfx) != 0) {
				snprintf(err, errlen, "AS%u: data.prefixes"
				    "[%zu]: bad prefix", asn, i);
				goto out;
			}
			if ((seen = announced_at(json_object_get(e,
			    "timelines"), *data_time)) < 0) {
				snprintf(err, errlen, "AS%u: data.prefixes"
				    "[%zu]: bad timelines", asn, i);
				goto out;
			}
			if (pass == 1 && seen &&
			    hy_routes_add(r, &pfx, asn, NULL, 0) != 0) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
		}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

enum fetch_state { F_QUEUED, F_INFLIGHT, F_WAIT, F_DONE };

struct fetch {
	struct hy_ripestat_run	*run;
	uint32_t		 asn;
	enum fetch_state	 state;
	unsigned		 tries;
	struct hy_http_req	*req;
	struct hy_timer		 timer;
};

struct hy_ripestat_run {
	const struct hy_ripestat_opts *o;
	struct hy_ripestat_info	*info;
	struct hy_loop		*loop;
	struct hy_dns		*dns;
	struct hy_dns_group	*grp;
	struct hy_http		*http;
	struct hy_routes	*r;
	struct fetch		*f;
	size_t			 nf, inflight, done;
	char			 host[256], addr[INET6_ADDRSTRLEN];
	unsigned		 port;
	const char		*proxy;		/* NULL: direct */
	char			*sourceapp;	/* percent-encoded */
	char			*dir;		/* save_dir/ripestat-STAMP */
	int			 failed;	/* err is set */
	char			*err;
	size_t			 errlen;
};

static void
run_fail(struct hy_ripestat_run *rs, const char *fmt, const char *a,
    const char *b)
{
	if (!rs->failed)
		snprintf(rs->err, rs->errlen, fmt, a, b);
	rs->failed = 1;
	hy_loop_stop(rs->loop);
}

/* "https://host[:port][/...]" into host and port. */
static int
parse_base(struct hy_ripestat_run *rs, const char *url)
{
	const char *h, *end, *colon;
	size_t n;

	if (strncmp(url, "https://", 8) != 0)
		return -1;
	h = url + 8;
	end = h + strcspn(h, "/");
	if (*h == '[') {
		if ((colon = memchr(h, ']', (size_t)(end - h))) == NULL)
			return -1;
		n = (size_t)(colon - h - 1);
		h++;
		colon++;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		n = (size_t)((colon ? colon : end) - h);
	}
	if (n == 0 || n >= sizeof(rs->host))
		return -1;
	memcpy(rs->host, h, n);
	rs->host[n] = '\0';
	rs->port = 443;
	if (colon != NULL && colon < end && *colon == ':')
		rs->port = (unsigned)strtoul(colon + 1, NULL, 10);
	return rs->port > 0 && rs->port < 65536 ? 0 : -1;
}

/* RFC 3986 percent-encoding of everything but unreserved characters. */
static char *
pct_encode(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out, *o;

	if ((out = malloc(strlen(s) * 3 + 1)) == NULL)
		return NULL;
	for (o = out; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL)
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		}
	}
	*o = '\0';
	return out;
}

static void
saved_path(const struct hy_ripestat_run *rs, uint32_t asn, const char *ext,
    char *buf, size_t len)
{
	snprintf(buf, len, "%s/AS%u.json%s", rs->dir, asn, ext);
}

/* Keep the raw answer for --resume and audits: written to a temporary
 * file and renamed, so a killed run never leaves half an answer. */
static int
save_answer(struct hy_ripestat_run *rs, uint32_t asn, const char *body,
    size_t len)
{
	char tmp[4200], path[4200];
	FILE *f;
	int ok;

	saved_path(rs, asn, ".tmp", tmp, sizeof(tmp));
	saved_path(rs, asn, "", path, sizeof(path));
	if ((mkdir(rs->dir, 0777) != 0 && errno != EEXIST) ||
	    (f = fopen(tmp, "wb")) == NULL)
		return -1;
	ok = fwrite(body, 1, len, f) == len;
	ok = fclose(f) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

static void
note_time(struct hy_ripestat_run *rs, time_t t)
{
	if (rs->info->data_time == 0 || t < rs->info->data_time)
		rs->info->data_time = t;
}

/* A saved answer that parses is used instead of a request. */
static int
load_saved(struct hy_ripestat_run *rs, struct fetch *f)
{
	char path[4200], *buf, err[256];
	size_t len;
	time_t t;
	int rc;

	saved_path(rs, f->asn, "", path, sizeof(path));
	if (access(path, R_OK) != 0 ||
	    hy_rpki_slurp(path, false, &buf, &len, err, sizeof(err)) != 0)
		return -1;
	rc = hy_ripestat_parse(buf, len, f->asn, rs->o->at, rs->r, &t, err,
	    sizeof(err));
	free(buf);
	if (rc != 0)
		return -1;	/* damaged: fetch it again */
	note_time(rs, t);
	return 0;
}

static void pump(struct hy_ripestat_run *);

static void
fetch_done(struct fetch *f)
{
	struct hy_ripestat_run *rs = f->run;

	f->state = F_DONE;
	if (++rs->done == rs->nf)
		hy_loop_stop(rs->loop);
}

static void
retry_timer(void *arg)
{
	struct fetch *f = arg;

	f->state = F_QUEUED;
	pump(f->run);
}

static bool
retryable(const struct hy_http_result *res)
{
	switch (res->status) {
	case HY_HTTP_STATUS:
		return res->code == 429 || (res->code >= 500 &&
		    res->code < 600);
	case HY_HTTP_TIMEOUT:
	case HY_HTTP_CONNECT:
	case HY_HTTP_ERROR:
		return true;
	default:
		return false;
	}
}

static void
describe(const struct hy_http_result *res, char *buf, size_t len)
{
	if (res->status == HY_HTTP_STATUS)
		snprintf(buf, len, "HTTP status %ld", res->code);
	else
		snprintf(buf, len, "%s", res->error && *res->error ?
		    res->error : hy_http_status_str(res->status));
}

/* Wait before the next attempt: Retry-After if the server gave one,
 * else 1 s, 2 s, 4 s, ... */
static void
schedule_retry(struct fetch *f, const struct hy_http_result *res)
{
	struct hy_ripestat_run *rs = f->run;
	char what[160], asn[16], wait[64];
	uint64_t ms;

	describe(res, what, sizeof(what));
	snprintf(asn, sizeof(asn), "AS%u", f->asn);
	if (f->tries >= HY_RIPESTAT_TRIES) {
		snprintf(wait, sizeof(wait), " (after %u attempts)", f->tries);
		strncat(what, wait, sizeof(what) - strlen(what) - 1);
		run_fail(rs, "RIPEstat %s: %s", asn, what);
		return;
	}
	if (res->retry_after > HY_RIPESTAT_MAX_WAIT_S) {
		snprintf(wait, sizeof(wait), " and asks to wait %ld s",
		    res->retry_after);
		strncat(what, wait, sizeof(what) - strlen(what) - 1);
		run_fail(rs, "RIPEstat %s: %s", asn, what);
		return;
	}
	ms = res->retry_after >= 0 ? (uint64_t)res->retry_after * 1000 :
	    (uint64_t)HY_RIPESTAT_BACKOFF_MS << (f->tries - 1);
	if (ms > RIPESTAT_MAX_BACKOFF_MS && res->retry_after < 0)
		ms = RIPESTAT_MAX_BACKOFF_MS;
	f->state = F_WAIT;
	hy_timer_start(rs->loop, &f->timer, ms, retry_timer, f);
}

static void
fetch_cb(void *arg, const struct hy_http_result *res)
{
	struct fetch *f = arg;
	struct hy_ripestat_run *rs = f->run;
	time_t t;

	f->req = NULL;
	rs->inflight--;
	if (rs->failed)
		return;
	if (res->status != HY_HTTP_OK) {
		if (retryable(res))
			schedule_retry(f, res);
		else {
			char what[160], asn[16];

			describe(res, what, sizeof(what));
			snprintf(asn, sizeof(asn), "AS%u", f->asn);
			run_fail(rs, "RIPEstat %s: %s", asn, what);
		}
	} else if (hy_ripestat_parse(res->body, res->len, f->asn, rs->o->at,
	    rs->r, &t, rs->err, rs->errlen) != 0) {
		rs->failed = 1;
		hy_loop_stop(rs->loop);
		return;
	} else {
		note_time(rs, t);
		if (rs->dir != NULL && save_answer(rs, f->asn, res->body,
		    res->len) != 0) {
			run_fail(rs, "cannot save the RIPEstat answer under "
			    "%s: %s", rs->dir, strerror(errno));
			return;
		}
		fetch_done(f);
	}
	pump(rs);
}

static int
fetch_start(struct hy_ripestat_run *rs, struct fetch *f)
{
	struct hy_http_get_opts o;
	char url[2048];

	snprintf(url, sizeof(url), "%s/data/announced-prefixes/data.json?"
	    "resource=AS%u&starttime=%lld&endtime=%lld&sourceapp=%s",
	    rs->o->base_url ? rs->o->base_url : HY_DEFAULT_RIPESTAT_URL,
	    f->asn, (long long)(rs->o->at - HY_RIPESTAT_WINDOW_S),
	    (long long)rs->o->at, rs->sourceapp);
	memset(&o, 0, sizeof(o));
	o.url = url;
	o.connect_ip = rs->proxy ? NULL : rs->addr;
	o.proxy = rs->proxy;
	o.port = rs->port;
	o.ca_file = rs->o->ca_file;
	o.max_body = RIPESTAT_MAX_BODY;
	o.timeout_ms = rs->o->timeout_ms ? rs->o->timeout_ms : 60000;
	if ((f->req = hy_http_get(rs->http, &o, fetch_cb, f)) == NULL)
		return -1;
	if (f->tries++ > 0)
		rs->info->retries++;
	rs->info->requests++;
	f->state = F_INFLIGHT;
	rs->inflight++;
	return 0;
}

/* Start queued fetches while fewer than the limit are in flight. */
static void
pump(struct hy_ripestat_run *rs)
{
	char asn[16];
	size_t i;

	for (i = 0; i < rs->nf && !rs->failed &&
	    rs->inflight < HY_RIPESTAT_MAX_INFLIGHT; i++) {
		if (rs->f[i].state != F_QUEUED)
			continue;
		if (fetch_start(rs, &rs->f[i]) != 0) {
			snprintf(asn, sizeof(asn), "AS%u", rs->f[i].asn);
			run_fail(rs, "RIPEstat %s: cannot start the request%s",
			    asn, "");
		}
	}
}

static void
addr_cb(void *arg, const struct hy_dns_result *res, ldns_rr_type t)
{
	struct hy_ripestat_run *rs = arg;
	ldns_rr_list *rrs;
	char *a;

	if (rs->addr[0] != '\0' || rs->failed)
		return;
	if (hy_dns_answer_rrs(res, t, &rrs) != 0) {
		run_fail(rs, "out of memory reading the address of %s%s",
		    rs->host, "");
		return;
	}
	if (ldns_rr_list_rr_count(rrs) > 0) {
		a = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(rrs, 0), 0));
		if (a != NULL)
			snprintf(rs->addr, sizeof(rs->addr), "%s", a);
		free(a);
	}
	ldns_rr_list_deep_free(rrs);
	if (rs->addr[0] != '\0')
		pump(rs);
	else if (t == LDNS_RR_TYPE_AAAA)
		run_fail(rs, "cannot resolve the API host %s (%s)", rs->host,
		    hy_dns_status_str(res->status));
}

static void
aaaa_cb(void *arg, const struct hy_dns_result *res)
{
	addr_cb(arg, res, LDNS_RR_TYPE_AAAA);
}

static void
a_cb(void *arg, const struct hy_dns_result *res)
{
	struct hy_ripestat_run *rs = arg;

	addr_cb(arg, res, LDNS_RR_TYPE_A);
	/* Only when there is no IPv4 address: ask for IPv6. */
	if (rs->addr[0] == '\0' && !rs->failed &&
	    hy_dns_query(rs->grp, rs->host, LDNS_RR_TYPE_AAAA, 0, aaaa_cb,
	    rs) != 0)
		run_fail(rs, "%s: cannot query%s", rs->host, "");
}

void
hy_ripestat_opts_init(struct hy_ripestat_opts *o, const struct hy_config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->base_url = cfg->ripestat_url;
	o->ca_file = cfg->ca_file;
	o->timeout_ms = cfg->timeout_ms;
	o->resolvers = cfg->resolvers;
	o->nresolvers = cfg->nresolvers;
	o->at = cfg->now;
	o->sourceapp = cfg->ripestat_sourceapp;
	o->contact = cfg->contact;
}

/* sourceapp, percent-encoded, and the directory of saved answers. */
static int
run_names(struct hy_ripestat_run *rs)
{
	const struct hy_ripestat_opts *o = rs->o;
	char app[512], stamp[32];
	struct tm tm;

	if (o->sourceapp != NULL)
		snprintf(app, sizeof(app), "%s", o->sourceapp);
	else if (o->contact != NULL)
		snprintf(app, sizeof(app), "hygiene (%s)", o->contact);
	else
		snprintf(app, sizeof(app), "hygiene");
	if ((rs->sourceapp = pct_encode(app)) == NULL)
		return -1;
	if (o->save_dir == NULL)
		return 0;
	gmtime_r(&o->at, &tm);
	strftime(stamp, sizeof(stamp), SAVED_STAMP, &tm);
	return asprintf(&rs->dir, "%s/" SAVED_PREFIX "%s", o->save_dir,
	    stamp) < 0 ?
	    (rs->dir = NULL, -1) : 0;
}

time_t
hy_ripestat_saved_window(const char *save_dir)
{
	struct dirent *de;
	struct tm tm;
	const char *rest;
	time_t t, best = 0;
	DIR *d;

	if ((d = opendir(save_dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, SAVED_PREFIX,
		    strlen(SAVED_PREFIX)) != 0)
			continue;
		memset(&tm, 0, sizeof(tm));
		rest = strptime(de->d_name + strlen(SAVED_PREFIX), SAVED_STAMP,
		    &tm);
		if (rest != NULL && *rest == '\0' && (t = timegm(&tm)) > best)
			best = t;
	}
	closedir(d);
	return best;
}

/* Saved answers first; then the API host's address unless a proxy
 * resolves it or the URL names an address. */
static int
run_start(struct hy_ripestat_run *rs)
{
	unsigned char buf[16];
	size_t i;

	for (i = 0; i < rs->nf; i++)
		if (rs->dir != NULL && load_saved(rs, &rs->f[i]) == 0) {
			rs->info->saved++;
			fetch_done(&rs->f[i]);
		}
	if (rs->done == rs->nf)
		return 0;
	rs->proxy = hy_http_proxy_for(rs->host);
	if (rs->proxy != NULL) {
		pump(rs);
		return 0;
	}
	if (inet_pton(AF_INET, rs->host, buf) == 1 ||
	    inet_pton(AF_INET6, rs->host, buf) == 1) {
		inet_ntop(strchr(rs->host, ':') ? AF_INET6 : AF_INET, buf,
		    rs->addr, sizeof(rs->addr));
		pump(rs);
		return 0;
	}
	return hy_dns_query(rs->grp, rs->host, LDNS_RR_TYPE_A, 0, a_cb, rs);
}

int
hy_ripestat_routes(const struct hy_ripestat_opts *o, const uint32_t *asns,
    size_t nasns, struct hy_routes **out, struct hy_ripestat_info *info,
    char *err, size_t errlen)
{
	struct hy_ripestat_run rs;
	struct hy_ripestat_info scratch;
	struct hy_dns_opts dopts;
	const char *why = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	memset(&rs, 0, sizeof(rs));
	rs.o = o;
	rs.info = info != NULL ? info : &scratch;
	memset(rs.info, 0, sizeof(*rs.info));
	rs.info->at = o->at;
	rs.err = err;
	rs.errlen = errlen;
	if (parse_base(&rs, o->base_url ? o->base_url :
	    HY_DEFAULT_RIPESTAT_URL) != 0) {
		snprintf(err, errlen, "RIPEstat: base URL must be "
		    "https://HOST[:PORT]");
		return -1;
	}
	memset(&dopts, 0, sizeof(dopts));
	dopts.servers = o->resolvers;
	dopts.nservers = o->nresolvers;
	if (run_names(&rs) != 0 || (rs.r = hy_routes_new()) == NULL ||
	    (rs.f = calloc(nasns + 1, sizeof(*rs.f))) == NULL ||
	    (rs.loop = hy_loop_new()) == NULL ||
	    (rs.http = hy_http_new(rs.loop)) == NULL ||
	    hy_http_set_contact(rs.http, o->contact) != 0)
		goto oom;
	if ((rs.dns = hy_dns_new(rs.loop, &dopts, &why)) == NULL) {
		snprintf(err, errlen, "RIPEstat: DNS: %s", why ? why : "?");
		goto out;
	}
	if ((rs.grp = hy_dns_group_new(rs.dns, o->timeout_ms ?
	    o->timeout_ms : 60000)) == NULL)
		goto oom;
	rs.nf = nasns;
	for (i = 0; i < nasns; i++) {
		rs.f[i].run = &rs;
		rs.f[i].asn = asns[i];
	}
	if (run_start(&rs) != 0) {
		snprintf(err, errlen, "RIPEstat: %s: cannot query", rs.host);
		goto out;
	}
	if (rs.done < rs.nf && !rs.failed && hy_loop_run(rs.loop) != 0 &&
	    !rs.failed)
		run_fail(&rs, "RIPEstat: event loop failed%s%s", "", "");
	if (rs.failed)
		goto out;
	if (rs.done < rs.nf) {
		snprintf(err, errlen, "RIPEstat: requests did not finish");
		goto out;
	}
	if (hy_routes_finish(rs.r) != 0)
		goto oom;
	*out = rs.r;
	rs.r = NULL;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "RIPEstat: out of memory");
out:
	for (i = 0; rs.f != NULL && i < rs.nf; i++) {
		if (rs.f[i].req != NULL)
			hy_http_cancel(rs.f[i].req);
		if (rs.loop != NULL)
			hy_timer_stop(rs.loop, &rs.f[i].timer);
	}
	hy_http_free(rs.http);
	hy_dns_group_free(rs.grp);
	hy_dns_free(rs.dns);
	hy_loop_free(rs.loop);
	free(rs.f);
	free(rs.sourceapp);
	free(rs.dir);
	hy_routes_free(rs.r);
	return rc;
}
