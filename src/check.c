/*
 * Per-domain orchestration (contract in include/hygiene/check.h).
 *
 * A check moves through explicit states:
 *   CHK_BASE    NS and MX queries and the A/AAAA lookups of their hosts
 *               are outstanding; START-phase probes run alongside.
 *   CHK_PROBES  base data complete; AFTER_BASE probes started; waiting
 *               for every probe to report done.
 *   CHK_DONE    the JSON object is built and handed to the caller.
 * check_step() is the one transition function; every callback funnels
 * into it.
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/catalog.h"
#include "hygiene/check.h"
#include "hygiene/name.h"
#include "hygiene/txt.h"

/* Hostile or broken answers must not make one domain fan out without
 * bound: at most this many NS or MX hosts are followed. */
#define CHECK_MAX_HOSTS 16

enum check_state {
	CHK_BASE,
	CHK_PROBES,
	CHK_DONE,
};

/* The run-wide sanity checks in progress (hy_run_preflight). */
struct preflight {
	size_t		 pending;
	bool		 failed;
	char		*err;
	size_t		 errlen;
};

struct hy_run {
	struct hy_loop		*loop;
	struct hy_dns		*dns;
	const struct hy_config	*cfg;
	void			**shared;	/* one per registered probe */
	json_t			*warnings;	/* strings for the CLI */
	size_t			 in_flight;
	struct preflight	*pre;
};

struct probe_slot {
	void	*state;
	int	 started;
	int	 done;
	int	 failed;	/* start() failed: no emit, state unusable */
};

struct hy_check {
	struct hy_run		*run;
	char			*domain;	/* A-label */
	char			*ulabel;	/* U-label for IDNs */
	char			*input;
	struct hy_dns_group	*grp;
	time_t			 checked_at;
	uint64_t		 deadline_at;
	hy_check_done_fn	 done;
	void			*arg;
	enum check_state	 state;
	struct hy_base		 base;
	unsigned		 base_pending;
	struct probe_slot	*slots;
	size_t			 probes_pending;
	json_t			*errors;
	struct hy_timer		 step_timer;
	int			 oom;
};

/* The context of one A/AAAA lookup for an NS or MX host. */
struct addr_query {
	struct hy_check	*chk;
	struct hy_host	*host;
	int		 family;
};

static void check_step(struct hy_check *);

/* ---- run --------------------------------------------------------------- */

struct hy_run *
hy_run_new(struct hy_loop *loop, const struct hy_config *cfg, char *err,
    size_t errlen)
{
	struct hy_run *r;
	struct hy_dns_opts o;
	const char *derr = NULL;
	size_t i;

	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->shared = calloc(hy_nprobes + 1, sizeof(void *))) == NULL ||
	    (r->warnings = json_array()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	r->loop = loop;
	r->cfg = cfg;
	memset(&o, 0, sizeof(o));
	o.servers = cfg->resolvers;
	o.nservers = cfg->nresolvers;
	o.concurrency = cfg->concurrency;
	o.qps = cfg->qps;
	/* Three tries must fit in the per-domain deadline. */
	o.try_timeout_ms = cfg->timeout_ms / 4 < 2000 ? cfg->timeout_ms / 4 : 2000;
	if (o.try_timeout_ms < 100)
		o.try_timeout_ms = 100;
	if ((r->dns = hy_dns_new(loop, &o, &derr)) == NULL) {
		snprintf(err, errlen, "%s", derr);
		goto fail;
	}
	for (i = 0; i < hy_nprobes; i++) {
		if (hy_probes[i]->run_init == NULL)
			continue;
		snprintf(err, errlen, "%s: could not start (out of memory)",
		    hy_probes[i]->name);
		if (hy_probes[i]->run_init(r, &r->shared[i], err, errlen) != 0)
			goto fail;
	}
	return r;
fail:
	hy_run_free(r);
	return NULL;
}

void
hy_run_free(struct hy_run *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; r->shared != NULL && i < hy_nprobes; i++)
		if (hy_probes[i]->run_free != NULL)
			hy_probes[i]->run_free(r->shared[i]);
	hy_dns_free(r->dns);
	json_decref(r->warnings);
	free(r->shared);
	free(r);
}

const json_t *
hy_run_warnings(const struct hy_run *r)
{
	return r->warnings;
}

int
hy_run_warn(struct hy_run *r, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -1;
	rc = json_array_append_new(r->warnings, hy_txt_json(msg));
	free(msg);
	return rc;
}

void
hy_run_check_done(struct hy_run *r, const struct hy_probe *p, bool ok,
    const char *msg)
{
	struct preflight *pf = r->pre;

	if (!ok && !pf->failed) {
		pf->failed = true;
		snprintf(pf->err, pf->errlen, "%s: %s", p->name, msg);
	}
	if (--pf->pending == 0)
		hy_loop_stop(r->loop);
}

int
hy_run_preflight(struct hy_run *r, char *err, size_t errlen)
{
	struct preflight pf = { .pending = 1, .err = err, .errlen = errlen };
	struct hy_dns_stats st;

	r->pre = &pf;
	for (size_t i = 0; i < hy_nprobes && !pf.failed; i++) {
		if (hy_probes[i]->run_check == NULL)
			continue;
		pf.pending++;
		if (hy_probes[i]->run_check(r, r->shared[i]) != 0) {
			pf.pending--;
			pf.failed = true;
			snprintf(err, errlen, "%s: out of memory",
			    hy_probes[i]->name);
		}
	}
	/* The loop runs until every check has reported. */
	if (--pf.pending > 0 && hy_loop_run(r->loop) != 0 && !pf.failed) {
		pf.failed = true;
		snprintf(err, errlen, "event loop failed");
	}
	r->pre = NULL;
	if (!pf.failed)
		return 0;
	/* When the resolver itself is the problem, say that (SERVFAIL
	 * alone says nothing about the resolver: the root's answer may be
	 * what fails). */
	hy_dns_get_stats(r->dns, &st);
	if (st.sent > 0 && st.answers == 0)
		snprintf(err, errlen, "no answer from the resolver (%s) within "
		    "the deadline; check --resolver and the network",
		    hy_dns_servers(r->dns));
	else if (st.sent > 0 && st.usable == 0 && st.refused + st.failed > 0)
		snprintf(err, errlen, "the resolver (%s) gave no usable answer "
		    "to %llu queries (%llu REFUSED, %llu SERVFAIL, %llu "
		    "unanswered, unreachable or garbled); check --resolver",
		    hy_dns_servers(r->dns), (unsigned long long)st.sent,
		    (unsigned long long)st.refused,
		    (unsigned long long)st.servfail,
		    (unsigned long long)st.failed);
	return -1;
}

struct hy_loop *
hy_run_loop(struct hy_run *r)
{
	return r->loop;
}

struct hy_dns *
hy_run_dns(struct hy_run *r)
{
	return r->dns;
}

const struct hy_config *
hy_run_config(const struct hy_run *r)
{
	return r->cfg;
}

static size_t
probe_index(const struct hy_probe *p)
{
	size_t i;

	for (i = 0; i < hy_nprobes; i++)
		if (hy_probes[i] == p)
			return i;
	return hy_nprobes;
}

void *
hy_run_shared(struct hy_run *r, const struct hy_probe *p)
{
	size_t i = probe_index(p);

	return i < hy_nprobes ? r->shared[i] : NULL;
}

size_t
hy_run_in_flight(const struct hy_run *r)
{
	return r->in_flight;
}

/* ---- accessors ----------------------------------------------------------- */

struct hy_run *
hy_check_run(struct hy_check *c)
{
	return c->run;
}

const char *
hy_check_domain(const struct hy_check *c)
{
	return c->domain;
}

struct hy_dns_group *
hy_check_group(struct hy_check *c)
{
	return c->grp;
}

const struct hy_base *
hy_check_base(const struct hy_check *c)
{
	return &c->base;
}

time_t
hy_check_now(const struct hy_check *c)
{
	return c->run->cfg->now;
}

uint64_t
hy_check_time_left(struct hy_check *c)
{
	uint64_t now = hy_loop_now(c->run->loop);

	return c->deadline_at > now ? c->deadline_at - now : 0;
}

void *
hy_check_probe_state(struct hy_check *c, const char *name)
{
	size_t i;

	for (i = 0; i < hy_nprobes; i++)
		if (strcmp(hy_probes[i]->name, name) == 0 && c->slots[i].done &&
		    !c->slots[i].failed)
			return c->slots[i].state;
	return NULL;
}

int
hy_check_error(struct hy_check *c, const char *code, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	json_t *o;
	int rc;

	hy_catalog_assert(code, HY_SEV_ERROR);
	va_start(ap, fmt);
	rc = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (rc < 0) {
		c->oom = 1;
		return -1;
	}
	/* The message may quote the input or DNS data: any byte. */
	o = json_pack("{s:s, s:o}", "code", code, "message", hy_txt_json(msg));
	free(msg);
	if (o == NULL || json_array_append_new(c->errors, o) != 0) {
		c->oom = 1;
		return -1;
	}
	return 0;
}

/* ---- base lookups -------------------------------------------------------- */

/* Add one address; an RR without a well-sized address (a hostile server
 * can send an A with empty rdata, which ldns keeps with no rdf) is
 * skipped. -1 on OOM. */
static int
host_add_addr(struct hy_host *h, int family, const ldns_rdf *rd)
{
	struct hy_addr *na, *a;
	size_t len = family == AF_INET ? 4 : 16;

	if (rd == NULL || ldns_rdf_size(rd) != len)
		return 0;
	if ((na = realloc(h->addrs, (h->naddrs + 1) * sizeof(*na))) == NULL)
		return -1;
	h->addrs = na;
	a = &h->addrs[h->naddrs++];
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->bytes, ldns_rdf_data(rd), len);
	inet_ntop(family, a->bytes, a->text, sizeof(a->text));
	return 0;
}

static void
check_addr_cb(void *arg, const struct hy_dns_result *res)
{
	struct addr_query *q = arg;
	struct hy_check *c = q->chk;
	ldns_rr_type t = q->family == AF_INET ? LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA;
	ldns_rr_list *rrs;
	size_t i;

	if (q->family == AF_INET)
		q->host->a_status = res->status;
	else
		q->host->aaaa_status = res->status;
	if (res->status == HY_DNS_ANSWER) {
		if (hy_dns_answer_rrs(res, t, &rrs) != 0)
			c->oom = 1;
		for (i = 0; i < ldns_rr_list_rr_count(rrs); i++)
			if (host_add_addr(q->host, q->family,
			    ldns_rr_rdf(ldns_rr_list_rr(rrs, i), 0)) != 0)
				c->oom = 1;
		ldns_rr_list_deep_free(rrs);
	} else if (!hy_dns_status_measured(res->status)) {
		hy_check_error(c, "address-lookup-failed",
		    "%s lookup for %s: %s", q->family == AF_INET ? "A" : "AAAA",
		    q->host->name, hy_dns_status_str(res->status));
	}
	free(q);
	c->base_pending--;
	check_step(c);
}

static void
check_lookup_addrs(struct hy_check *c, struct hy_host *h)
{
	int fam[2] = { AF_INET, AF_INET6 };

	for (int i = 0; i < 2; i++) {
		struct addr_query *q = calloc(1, sizeof(*q));

		if (q == NULL) {
			c->oom = 1;
			return;
		}
		q->chk = c;
		q->host = h;
		q->family = fam[i];
		if (hy_dns_query(c->grp, h->name, fam[i] == AF_INET ?
		    LDNS_RR_TYPE_A : LDNS_RR_TYPE_AAAA, 0, check_addr_cb, q) != 0) {
			free(q);
			c->oom = 1;
			return;
		}
		c->base_pending++;
	}
}

static char *
rdf_name(const ldns_rdf *rd)
{
	char *s = ldns_rdf2str(rd);
	size_t n;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		s[n - 1] = '\0';
	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

/* MX by preference, then name; NS by name: output that does not depend
 * on the resolver's RRset order. */
static int
host_cmp(const void *a, const void *b)
{
	const struct hy_host *x = a, *y = b;

	if (x->preference != y->preference)
		return x->preference < y->preference ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Fill hosts from NS or MX RRs; the name is rdata field name_field. */
static int
check_hosts_from(struct hy_check *c, ldns_rr_list *rrs, size_t name_field,
    struct hy_host **out, size_t *nout)
{
	size_t n = ldns_rr_list_rr_count(rrs), i;
	struct hy_host *h;

	if (n > CHECK_MAX_HOSTS) {
		hy_check_error(c, "too-many-hosts", "%zu records; only the "
		    "first %d are followed", n, CHECK_MAX_HOSTS);
		n = CHECK_MAX_HOSTS;
	}
	if ((h = calloc(n ? n : 1, sizeof(*h))) == NULL)
		return -1;
	*out = h;
	for (i = 0; i < n; i++) {
		ldns_rr *rr = ldns_rr_list_rr(rrs, i);

		if (ldns_rr_rd_count(rr) <= name_field ||
		    (h[*nout].name = rdf_name(ldns_rr_rdf(rr, name_field))) == NULL)
			continue;
		if (name_field == 1)
			h[*nout].preference =
			    ldns_rdf2native_int16(ldns_rr_rdf(rr, 0));
		(*nout)++;
	}
	qsort(h, *nout, sizeof(*h), host_cmp);
	return 0;
}

/* RFC 7505 §3: a null MX is a single MX RR with preference 0 and the
 * root as exchange. */
static int
mx_is_null(const struct hy_base *b)
{
	return b->nmx == 1 && b->mx[0].preference == 0 &&
	    strcmp(b->mx[0].name, ".") == 0;
}

/*
 * Record the NS or MX answer into hosts and look up their addresses
 * (none for a null MX). A failure to measure becomes a domain error.
 */
static void
check_hosts_answer(struct hy_check *c, const struct hy_dns_result *res,
    ldns_rr_type t, struct hy_host **hosts, size_t *nhosts)
{
	int mx = t == LDNS_RR_TYPE_MX;
	ldns_rr_list *rrs;

	if (res->status == HY_DNS_ANSWER) {
		/* The host name is rdata field 0 of NS, field 1 of MX. */
		if (hy_dns_answer_rrs(res, t, &rrs) != 0 ||
		    check_hosts_from(c, rrs, mx ? 1 : 0, hosts, nhosts) != 0)
			c->oom = 1;
		ldns_rr_list_deep_free(rrs);
		if (mx)
			c->base.null_mx = mx_is_null(&c->base);
		/* A null MX has no host to look up; the NS hosts still do,
		 * whichever answer came first. */
		for (size_t i = 0; !(mx && c->base.null_mx) && i < *nhosts;
		    i++)
			if (strcmp((*hosts)[i].name, ".") != 0)
				check_lookup_addrs(c, &(*hosts)[i]);
	} else if (!hy_dns_status_measured(res->status)) {
		hy_check_error(c, mx ? "mx-lookup-failed" : "ns-lookup-failed",
		    "%s lookup for %s: %s", mx ? "MX" : "NS", c->domain,
		    hy_dns_status_str(res->status));
	}
	c->base_pending--;
	check_step(c);
}

static void
check_ns_cb(void *arg, const struct hy_dns_result *res)
{
	struct hy_check *c = arg;

	c->base.ns_status = res->status;
	check_hosts_answer(c, res, LDNS_RR_TYPE_NS, &c->base.ns, &c->base.nns);
}

static void
check_mx_cb(void *arg, const struct hy_dns_result *res)
{
	struct hy_check *c = arg;

	c->base.mx_status = res->status;
	check_hosts_answer(c, res, LDNS_RR_TYPE_MX, &c->base.mx, &c->base.nmx);
}

/* ---- probes -------------------------------------------------------------- */

static void
check_start_probes(struct hy_check *c, enum hy_probe_phase phase)
{
	for (size_t i = 0; i < hy_nprobes; i++) {
		if (hy_probes[i]->phase != phase)
			continue;
		c->slots[i].started = 1;
		c->probes_pending++;
		if (hy_probes[i]->start(c, &c->slots[i].state) != 0) {
			/* Its section stays null (not measured); free() still
			 * releases what start() allocated. */
			c->slots[i].done = 1;
			c->slots[i].failed = 1;
			c->probes_pending--;
			c->oom = 1;
		}
	}
}

void
hy_check_probe_done(struct hy_check *c, const struct hy_probe *p)
{
	size_t i = probe_index(p);

	if (i >= hy_nprobes || !c->slots[i].started || c->slots[i].done)
		return;
	c->slots[i].done = 1;
	c->probes_pending--;
	check_step(c);
}

/* ---- JSON ---------------------------------------------------------------- */

/* A host's addresses, or null when its A or AAAA lookup could not be
 * measured: a shorter list would claim the host has no other address. */
static json_t *
host_json(const struct hy_host *h, int with_pref)
{
	json_t *o, *addrs;

	if (!hy_dns_status_measured(h->a_status) ||
	    !hy_dns_status_measured(h->aaaa_status))
		addrs = json_null();
	else
		addrs = json_array();
	if (addrs == NULL)
		return NULL;
	for (size_t i = 0; json_is_array(addrs) && i < h->naddrs; i++)
		if (json_array_append_new(addrs,
		    json_pack("{s:s}", "ip", h->addrs[i].text)) != 0) {
			json_decref(addrs);
			return NULL;
		}
	if (with_pref)
		o = json_pack("{s:s, s:i, s:o}", "host", h->name,
		    "preference", (json_int_t)h->preference, "addresses", addrs);
	else
		o = json_pack("{s:s, s:o}", "name", h->name, "addresses", addrs);
	return o;
}

static json_t *
hosts_json(enum hy_dns_status st, const struct hy_host *h, size_t n,
    int with_pref)
{
	json_t *arr;

	if (!hy_dns_status_measured(st))
		return json_null();
	if ((arr = json_array()) == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(arr, host_json(&h[i], with_pref)) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

static void
rfc3339(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static json_t *
check_json(struct hy_check *c)
{
	static const char *sections[] = { "dnssec", "spf", "dmarc", "mta_sts",
	    "tls_rpt" };
	char ts[32];
	json_t *o;
	int measured = c->domain != NULL;

	rfc3339(c->checked_at, ts, sizeof(ts));
	o = json_pack("{s:s, s:s?, s:s?, s:s, s:s}",
	    "schema_version", HY_SCHEMA_VERSION,
	    "domain", c->domain, "domain_unicode", c->ulabel,
	    "checked_at", ts, "resolver", hy_dns_servers(c->run->dns));
	if (o == NULL)
		return NULL;
	if (c->domain == NULL && json_object_set_new(o, "input",
	    hy_txt_json(c->input)) != 0)
		goto fail;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (json_object_set_new(o, sections[i], json_null()) != 0)
			goto fail;
	if (json_object_set_new(o, "ns", measured ? hosts_json(c->base.ns_status,
	    c->base.ns, c->base.nns, 0) : json_null()) != 0 ||
	    json_object_set_new(o, "mx", measured ? hosts_json(c->base.mx_status,
	    c->base.mx, c->base.nmx, 1) : json_null()) != 0 ||
	    json_object_set_new(o, "null_mx", measured &&
	    hy_dns_status_measured(c->base.mx_status) ?
	    json_boolean(c->base.null_mx) : json_null()) != 0)
		goto fail;
	for (size_t i = 0; i < hy_nprobes; i++)
		if (c->slots != NULL && c->slots[i].started &&
		    !c->slots[i].failed &&
		    hy_probes[i]->emit(c, c->slots[i].state, o) != 0)
			goto fail;
	if (c->oom)
		hy_check_error(c, "out-of-memory", "out of memory: some "
		    "results of this domain are missing");
	if (json_object_set(o, "errors", c->errors) != 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void
hosts_free(struct hy_host *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].addrs);
	}
	free(h);
}

static void
check_free(struct hy_check *c)
{
	if (c == NULL)
		return;
	hy_timer_stop(c->run->loop, &c->step_timer);
	for (size_t i = 0; c->slots != NULL && i < hy_nprobes; i++)
		if (c->slots[i].started && hy_probes[i]->free != NULL)
			hy_probes[i]->free(c->slots[i].state);
	/* Probes are done, so the group has no callbacks left to deliver. */
	hy_dns_group_free(c->grp);
	hosts_free(c->base.ns, c->base.nns);
	hosts_free(c->base.mx, c->base.nmx);
	json_decref(c->errors);
	free(c->slots);
	free(c->domain);
	free(c->ulabel);
	free(c->input);
	free(c);
}

static void
check_finish(void *arg)
{
	struct hy_check *c = arg;
	json_t *o;

	c->state = CHK_DONE;
	if (c->base.ns_status == HY_DNS_NXDOMAIN &&
	    c->base.mx_status == HY_DNS_NXDOMAIN)
		hy_check_error(c, "nxdomain", "%s does not exist (NXDOMAIN)",
		    c->domain);
	o = check_json(c);
	c->run->in_flight--;
	c->done(c->arg, c, o);
	check_free(c);
}

/* The one transition function. Completion is deferred to a timer so that
 * a probe reporting done from inside a callback never sees its check
 * freed under it. */
static void
check_step(struct hy_check *c)
{
	if (c->state == CHK_BASE && c->base_pending == 0) {
		c->state = CHK_PROBES;
		check_start_probes(c, HY_PHASE_AFTER_BASE);
	}
	if (c->state == CHK_PROBES && c->probes_pending == 0 &&
	    !hy_timer_armed(&c->step_timer))
		hy_timer_start(c->run->loop, &c->step_timer, 0, check_finish, c);
}

static int
check_query(struct hy_check *c, ldns_rr_type t, hy_dns_fn cb)
{
	if (hy_dns_query(c->grp, c->domain, t, 0, cb, c) != 0)
		return -1;
	c->base_pending++;
	return 0;
}

int
hy_check_start(struct hy_run *r, const char *input, hy_check_done_fn done,
    void *arg)
{
	struct hy_check *c;
	enum hy_name_error ne;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return -1;
	c->run = r;
	c->done = done;
	c->arg = arg;
	c->checked_at = time(NULL);
	c->deadline_at = hy_loop_now(r->loop) + r->cfg->timeout_ms;
	c->base.ns_status = c->base.mx_status = HY_DNS_ERROR;
	if ((c->input = strdup(input)) == NULL ||
	    (c->errors = json_array()) == NULL ||
	    (c->slots = calloc(hy_nprobes + 1, sizeof(*c->slots))) == NULL)
		goto fail;
	r->in_flight++;
	ne = hy_name_normalize(input, &c->domain, &c->ulabel);
	if (ne != HY_NAME_OK) {
		c->state = CHK_PROBES;	/* nothing to look up */
		if (hy_check_error(c, hy_name_error_code(ne), "%s: %s", input,
		    hy_name_error_str(ne)) != 0)
			goto fail_run;
		check_step(c);
		return 0;
	}
	if ((c->grp = hy_dns_group_new(r->dns, r->cfg->timeout_ms)) == NULL)
		goto fail_run;
	/* A failed send is recorded; whatever was sent completes normally. */
	if (check_query(c, LDNS_RR_TYPE_NS, check_ns_cb) != 0 ||
	    check_query(c, LDNS_RR_TYPE_MX, check_mx_cb) != 0)
		c->oom = 1;
	check_start_probes(c, HY_PHASE_START);
	check_step(c);
	return 0;
fail_run:
	r->in_flight--;
fail:
	check_free(c);
	return -1;
}

static int
status_incomplete(const char *s)
{
	return strcmp(s, "indeterminate") == 0 || strcmp(s, "temperror") == 0;
}

bool
hy_check_incomplete(const json_t *obj)
{
	const char *key;
	json_t *v, *st;

	if (json_array_size(json_object_get(obj, "errors")) > 0)
		return true;
	json_object_foreach((json_t *)obj, key, v) {
		if (json_is_object(v) && json_is_string(st = json_object_get(v,
		    "status")) && status_incomplete(json_string_value(st)))
			return true;
	}
	return false;
}
