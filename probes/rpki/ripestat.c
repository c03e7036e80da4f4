/*
 * RIPEstat announced-prefixes as a route source. `hygiene rpki` runs it
 * before anything else, on its own hy_loop: the API host is resolved
 * through the DNS engine (c-ares) and the requests go through the loop's
 * libcurl multi (include/hygiene/http.h), like every other HTTPS fetch.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hygiene/dns.h"
#include "hygiene/http.h"
#include "hygiene/loop.h"
#include "hygiene/ripestat.h"

#define RIPESTAT_MAX_BODY	(64u << 20)

int
hy_ripestat_parse(const char *buf, size_t len, uint32_t asn,
    struct hy_routes *r, char *err, size_t errlen)
{
	json_t *root, *pfxs, *e, *p;
	json_error_t je;
	struct hy_prefix pfx;
	size_t i;
	int rc = -1;

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
	pfxs = json_object_get(json_object_get(root, "data"), "prefixes");
	if (!json_is_array(pfxs)) {
		snprintf(err, errlen, "AS%u: no data.prefixes array", asn);
		goto out;
	}
	json_array_foreach(pfxs, i, e) {
		p = json_object_get(e, "prefix");
		if (!json_is_string(p) || hy_prefix_parse(json_string_value(p),
		    json_string_length(p), &pfx) != 0) {
			snprintf(err, errlen, "AS%u: data.prefixes[%zu]: bad "
			    "prefix", asn, i);
			goto out;
		}
		if (hy_routes_add(r, &pfx, asn, NULL, 0) != 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

struct fetch {
	struct hy_ripestat_run	*run;
	uint32_t		 asn;
	struct hy_http_req	*req;
};

struct hy_ripestat_run {
	const struct hy_ripestat_opts *o;
	struct hy_loop		*loop;
	struct hy_dns		*dns;
	struct hy_dns_group	*grp;
	struct hy_http		*http;
	struct hy_routes	*r;
	struct fetch		*f;
	size_t			 nf, pending;
	char			 host[256], addr[INET6_ADDRSTRLEN];
	unsigned		 port;
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

static void
fetch_cb(void *arg, const struct hy_http_result *res)
{
	struct fetch *f = arg;
	struct hy_ripestat_run *rs = f->run;
	char asn[16], code[32];

	f->req = NULL;
	rs->pending--;
	snprintf(asn, sizeof(asn), "AS%u", f->asn);
	if (res->status == HY_HTTP_STATUS) {
		snprintf(code, sizeof(code), "%ld", res->code);
		run_fail(rs, "%s: HTTP status %s", asn, code);
	} else if (res->status != HY_HTTP_OK) {
		run_fail(rs, "%s: %s", asn, res->error && *res->error ?
		    res->error : hy_http_status_str(res->status));
	} else if (!rs->failed && hy_ripestat_parse(res->body, res->len,
	    f->asn, rs->r, rs->err, rs->errlen) != 0) {
		rs->failed = 1;
		hy_loop_stop(rs->loop);
	}
	if (rs->pending == 0)
		hy_loop_stop(rs->loop);
}

static void
fetch_all(struct hy_ripestat_run *rs)
{
	struct hy_http_get_opts o;
	char url[1024];
	size_t i;

	for (i = 0; i < rs->nf; i++) {
		snprintf(url, sizeof(url),
		    "%s/data/announced-prefixes/data.json?resource=AS%u",
		    rs->o->base_url ? rs->o->base_url :
		    HY_DEFAULT_RIPESTAT_URL, rs->f[i].asn);
		memset(&o, 0, sizeof(o));
		o.url = url;
		o.connect_ip = rs->addr;
		o.port = rs->port;
		o.ca_file = rs->o->ca_file;
		o.max_body = RIPESTAT_MAX_BODY;
		o.timeout_ms = rs->o->timeout_ms ? rs->o->timeout_ms : 60000;
		if ((rs->f[i].req = hy_http_get(rs->http, &o, fetch_cb,
		    &rs->f[i])) == NULL) {
			run_fail(rs, "%s%s: cannot start the request", url, "");
			return;
		}
		rs->pending++;
	}
	if (rs->pending == 0)
		hy_loop_stop(rs->loop);
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
		fetch_all(rs);
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
}

int
hy_ripestat_routes(const struct hy_ripestat_opts *o, const uint32_t *asns,
    size_t nasns, struct hy_routes **out, char *err, size_t errlen)
{
	struct hy_ripestat_run rs;
	struct hy_dns_opts dopts;
	unsigned char buf[16];
	const char *why = NULL;
	size_t i;
	int rc = -1;

	*out = NULL;
	memset(&rs, 0, sizeof(rs));
	rs.o = o;
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
	if ((rs.r = hy_routes_new()) == NULL ||
	    (rs.f = calloc(nasns + 1, sizeof(*rs.f))) == NULL ||
	    (rs.loop = hy_loop_new()) == NULL ||
	    (rs.http = hy_http_new(rs.loop)) == NULL)
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
	if (inet_pton(AF_INET, rs.host, buf) == 1) {
		inet_ntop(AF_INET, buf, rs.addr, sizeof(rs.addr));
		fetch_all(&rs);
	} else if (inet_pton(AF_INET6, rs.host, buf) == 1) {
		inet_ntop(AF_INET6, buf, rs.addr, sizeof(rs.addr));
		fetch_all(&rs);
	} else if (hy_dns_query(rs.grp, rs.host, LDNS_RR_TYPE_A, 0, a_cb,
	    &rs) != 0) {
		snprintf(err, errlen, "RIPEstat: %s: cannot query", rs.host);
		goto out;
	}
	if (!rs.failed && hy_loop_run(rs.loop) != 0 && !rs.failed)
		run_fail(&rs, "RIPEstat: event loop failed%s%s", "", "");
	if (rs.failed)
		goto out;
	if (rs.pending > 0) {
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
	for (i = 0; rs.f != NULL && i < rs.nf; i++)
		if (rs.f[i].req != NULL)
			hy_http_cancel(rs.f[i].req);
	hy_http_free(rs.http);
	hy_dns_group_free(rs.grp);
	hy_dns_free(rs.dns);
	hy_loop_free(rs.loop);
	free(rs.f);
	hy_routes_free(rs.r);
	return rc;
}
