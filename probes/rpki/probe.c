/*
 * The rpki probe of `hygiene check`: the RPKI state of the routes that
 * carry a domain's mail and name service. Each address in `mx[].addresses`
 * and `ns[].addresses` gets
 *
 *   prefix, origin_asn   longest-prefix match in --routes, or the answer
 *                        of an IP-to-ASN DNS service (--asn-service,
 *                        Team Cymru's TXT format) without --routes
 *   rpki                 valid | invalid | not-found (RFC 6811), unknown
 *                        (no route covers the address), or null when the
 *                        origin lookup failed (could not measure)
 *   rpki_reason          why, in words
 *
 * The probe runs only when VRPs were asked for (--rtr or --vrps): it
 * never reports not-found without a VRP set, and `check` stays offline
 * by default. The VRPs are synced once per run (run_init) and fail the
 * run closed if the cache cannot be synced.
 *
 * State machine per domain: LOOKUP (origin queries in flight) -> DONE.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/check.h"
#include "hygiene/cursor.h"
#include "hygiene/rpki.h"

#define MAX_ORIGINS	8
#define SEEN_MAX	(1u << 22)	/* addresses remembered at most */

struct seen_key {
	uint8_t		 used;
	uint8_t		 k[17];		/* family, address */
};

struct rpki_shared {
	const struct hy_vrps *vrps;	/* own_vrps, or the CLI's set */
	struct hy_vrps	 *own_vrps;
	struct hy_routes *routes;	/* NULL: ask the DNS service */
	char		 *svc4, *svc6;
	/* The IP-to-ASN service's throttle (--asn-qps): a token bucket of
	 * one second's lookups; the others wait in a FIFO queue. */
	struct hy_loop	 *loop;
	double		  rate, tokens;
	uint64_t	  refilled_ms;
	struct rpki_addr *qhead, *qtail;
	struct hy_timer	  qtimer;
	/* Addresses already asked about: a repeat is answered by the DNS
	 * engine's cache or the resolver's and does not count. */
	struct seen_key	 *seen;
	size_t		  nseen, seencap;
};

enum addr_result {
	AR_PENDING,
	AR_ROUTE,	/* a route covers the address */
	AR_NO_ROUTE,	/* none does: "unknown" */
	AR_FAILED,	/* the origin lookup failed: not measured */
};

struct rpki_addr {
	struct rpki_state	*st;
	const struct hy_addr	*addr;
	enum addr_result	 result;
	struct hy_prefix	 pfx;
	uint32_t		 origins[MAX_ORIGINS];
	size_t			 norigins;
	bool			 as_set;	/* the origins form an AS_SET */
	struct hy_rpki_verdict	 verdict[MAX_ORIGINS];
	char			 why[400];	/* AR_NO_ROUTE / AR_FAILED */
	bool			 queued;	/* waiting for the throttle */
	struct rpki_addr	*qnext, *qprev;
};

enum rpki_phase { RP_LOOKUP, RP_DONE };

struct rpki_state {
	struct hy_check		*chk;
	struct rpki_shared	*sh;
	enum rpki_phase		 phase;
	struct rpki_addr	*a;	/* NS addresses, then MX addresses */
	size_t			 n, pending;
	struct hy_timer		 timer;
	struct hy_timer		 deadline;	/* queued lookups give up */
};

extern const struct hy_probe hy_probe_rpki;

static int
rpki_run_init(struct hy_run *run, void **shared, char *errbuf, size_t errlen)
{
	const struct hy_config *cfg = hy_run_config(run);
	struct rpki_shared *sh;
	struct hy_vrps_opts vo;
	const char *comma;
	char err[512];

	*shared = NULL;
	if (cfg->vrps == NULL && !cfg->rtr_set) {
		if (cfg->routes != NULL)
			hy_run_warn(run, "--routes has no effect without --rtr "
			    "or --vrps (RPKI annotations are off)");
		return 0;
	}
	if ((sh = calloc(1, sizeof(*sh))) == NULL)
		goto oom;
	*shared = sh;
	sh->loop = hy_run_loop(run);
	sh->rate = cfg->asn_qps > 0 ? cfg->asn_qps : HY_DEFAULT_ASN_QPS;
	sh->tokens = sh->rate < 1 ? 1 : sh->rate;
	sh->refilled_ms = hy_loop_now(sh->loop);
	comma = strchr(cfg->asn_service, ',');
	sh->svc4 = comma ? strndup(cfg->asn_service,
	    (size_t)(comma - cfg->asn_service)) : strdup(cfg->asn_service);
	sh->svc6 = strdup(comma ? comma + 1 : cfg->asn_service);
	if (sh->svc4 == NULL || sh->svc6 == NULL)
		goto oom;
	if (cfg->routes != NULL) {
		if (strcmp(cfg->routes, "ripestat") == 0) {
			snprintf(errbuf, errlen, "--routes ripestat works with "
			    "`hygiene rpki` and `hygiene survey` only; give "
			    "a route file");
			return -1;
		}
		if (hy_routes_load(cfg->routes, &sh->routes, err,
		    sizeof(err)) != 0) {
			snprintf(errbuf, errlen, "routes: %s", err);
			return -1;
		}
		if (sh->routes->nerrors > 0)
			hy_run_warn(run, "%s: %zu malformed line(s) skipped "
			    "(first: line %zu: %s)",
			    cfg->routes, sh->routes->nerrors,
			    sh->routes->errors[0].line,
			    sh->routes->errors[0].reason);
	}
	if (cfg->vrp_set != NULL) {
		sh->vrps = cfg->vrp_set;	/* borrowed from the CLI */
		return 0;
	}
	hy_vrps_opts_init(&vo, cfg);
	if (hy_vrps_open(&vo, &sh->own_vrps, err, sizeof(err)) != 0) {
		snprintf(errbuf, errlen, "rpki: %s", err);
		return -1;
	}
	sh->vrps = sh->own_vrps;
	return 0;
oom:
	snprintf(errbuf, errlen, "rpki: out of memory");
	return -1;
}

static void
rpki_run_free(void *p)
{
	struct rpki_shared *sh = p;

	if (sh == NULL)
		return;
	hy_timer_stop(sh->loop, &sh->qtimer);
	free(sh->seen);
	hy_vrps_free(sh->own_vrps);
	hy_routes_free(sh->routes);
	free(sh->svc4);
	free(sh->svc6);
	free(sh);
}

/* Validate each origin of a found route. */
static void
addr_validate(struct rpki_addr *a)
{
	size_t i;

	char p[64];

	for (i = 0; i < a->norigins; i++) {
		if (hy_vrps_validate(a->st->sh->vrps, &a->pfx, a->origins[i],
		    a->as_set, true, &a->verdict[i]) != 0) {
			/* Not measured, so never a complete-looking domain. */
			a->result = AR_FAILED;
			hy_prefix_str(&a->pfx, p, sizeof(p));
			snprintf(a->why, sizeof(a->why), "validating %s from "
			    "AS%u failed (out of memory)", p, a->origins[i]);
			hy_check_error(a->st->chk, "rpki-validation-failed",
			    "%s: %s", a->addr->text, a->why);
			return;
		}
		if (a->as_set)
			break;	/* the set is one origin */
	}
}

static void
addr_from_table(struct rpki_addr *a)
{
	const struct hy_routes *r = a->st->sh->routes;
	const struct hy_route *rt;
	size_t n, i;

	rt = hy_routes_lookup(r, a->addr->family == AF_INET ? 4 : 6,
	    a->addr->bytes, &n);
	if (rt == NULL) {
		a->result = AR_NO_ROUTE;
		snprintf(a->why, sizeof(a->why), "no route in the route "
		    "table covers %s", a->addr->text);
		return;
	}
	a->result = AR_ROUTE;
	a->pfx = rt->pfx;
	if (rt->set_len > 0 && n == 1) {
		a->as_set = true;
		for (i = 0; i < rt->set_len && i < MAX_ORIGINS; i++)
			a->origins[a->norigins++] = r->sets[rt->set_off + i];
	} else {
		/* Multi-origin: each origin on its own; AS_SET routes of a
		 * multi-origin prefix are left out of the annotation. */
		for (i = 0; i < n && a->norigins < MAX_ORIGINS; i++)
			if (rt[i].set_len == 0)
				a->origins[a->norigins++] = rt[i].asn;
	}
	addr_validate(a);
}

static void rpki_step(struct rpki_state *);

/* The most specific usable record of the answer. */
static int
origin_from_answer(const struct hy_dns_result *res, struct rpki_addr *a)
{
	ldns_rr_list *rrs;
	struct rpki_addr best = *a, cand;
	ldns_rdf *rd;
	size_t i, j;
	bool found = false;

	if (hy_dns_answer_rrs(res, LDNS_RR_TYPE_TXT, &rrs) != 0)
		return -1;
	for (i = 0; i < ldns_rr_list_rr_count(rrs); i++) {
		ldns_rr *rr = ldns_rr_list_rr(rrs, i);
		char buf[512];
		size_t len = 0;

		/* The character-strings of one TXT record, concatenated. */
		for (j = 0; j < ldns_rr_rd_count(rr); j++) {
			rd = ldns_rr_rdf(rr, j);
			if (ldns_rdf_size(rd) < 1 || len + ldns_rdf_size(rd) >
			    sizeof(buf))
				break;
			memcpy(buf + len, ldns_rdf_data(rd) + 1,
			    ldns_rdf_size(rd) - 1);
			len += ldns_rdf_size(rd) - 1;
		}
		cand = *a;
		cand.as_set = false;
		if (hy_rpki_parse_origin_txt(buf, len, &cand.pfx, cand.origins,
		    MAX_ORIGINS, &cand.norigins) != 0)
			continue;
		if (!found || cand.pfx.len > best.pfx.len)
			best = cand;
		found = true;
	}
	ldns_rr_list_deep_free(rrs);
	if (!found)
		return -1;
	*a = best;
	return 0;
}

static void
origin_cb(void *arg, const struct hy_dns_result *res)
{
	struct rpki_addr *a = arg;

	if (res->status == HY_DNS_NXDOMAIN || res->status == HY_DNS_NODATA) {
		a->result = AR_NO_ROUTE;
		snprintf(a->why, sizeof(a->why), "the origin service knows no "
		    "route covering %s (%s)", a->addr->text,
		    hy_dns_status_str(res->status));
	} else if (res->status != HY_DNS_ANSWER) {
		a->result = AR_FAILED;
		snprintf(a->why, sizeof(a->why), "origin lookup for %s failed: "
		    "%s", a->addr->text, hy_dns_status_str(res->status));
		hy_check_error(a->st->chk, "rpki-origin-lookup", "%s", a->why);
	} else if (origin_from_answer(res, a) != 0) {
		a->result = AR_FAILED;
		snprintf(a->why, sizeof(a->why), "origin service answer for "
		    "%s is not in the expected format", a->addr->text);
		hy_check_error(a->st->chk, "rpki-origin-lookup", "%s", a->why);
	} else {
		a->result = AR_ROUTE;
		addr_validate(a);
	}
	a->st->pending--;
	rpki_step(a->st);
}

/* d.c.b.a.SVC4 or the 32 reversed nibbles .SVC6. */
static void
origin_qname(const struct rpki_addr *a, char *buf, size_t len)
{
	const unsigned char *b = a->addr->bytes;
	size_t off = 0;
	int i;

	if (a->addr->family == AF_INET) {
		snprintf(buf, len, "%u.%u.%u.%u.%s", b[3], b[2], b[1], b[0],
		    a->st->sh->svc4);
		return;
	}
	for (i = 15; i >= 0 && off + 4 < len; i--)
		off += (size_t)snprintf(buf + off, len - off, "%x.%x.",
		    b[i] & 0xf, b[i] >> 4);
	snprintf(buf + off, len - off, "%s", a->st->sh->svc6);
}

static void
rpki_timer(void *arg)
{
	rpki_step(arg);
}

/* The transition function. */
static void
rpki_step(struct rpki_state *st)
{
	if (st->phase == RP_LOOKUP && st->pending == 0) {
		st->phase = RP_DONE;
		hy_timer_stop(hy_run_loop(hy_check_run(st->chk)),
		    &st->deadline);
		hy_check_probe_done(st->chk, &hy_probe_rpki);
	}
}

/* ---- the IP-to-ASN service's throttle ---- */

static void
tokens_refill(struct rpki_shared *sh)
{
	uint64_t now = hy_loop_now(sh->loop);
	double cap = sh->rate < 1 ? 1 : sh->rate;

	sh->tokens += (double)(now - sh->refilled_ms) * sh->rate / 1000.0;
	if (sh->tokens > cap)
		sh->tokens = cap;
	sh->refilled_ms = now;
}

static void
queue_unlink(struct rpki_shared *sh, struct rpki_addr *a)
{
	if (!a->queued)
		return;
	if (a->qprev != NULL)
		a->qprev->qnext = a->qnext;
	else
		sh->qhead = a->qnext;
	if (a->qnext != NULL)
		a->qnext->qprev = a->qprev;
	else
		sh->qtail = a->qprev;
	a->qnext = a->qprev = NULL;
	a->queued = false;
}

/* Send the TXT query; on failure the address is not measured. */
static int
lookup_send(struct rpki_addr *a)
{
	char qname[300];

	origin_qname(a, qname, sizeof(qname));
	if (hy_dns_query(hy_check_group(a->st->chk), qname, LDNS_RR_TYPE_TXT,
	    0, origin_cb, a) == 0)
		return 0;
	a->result = AR_FAILED;
	snprintf(a->why, sizeof(a->why), "cannot query %s", qname);
	hy_check_error(a->st->chk, "rpki-origin-lookup", "%s", a->why);
	return -1;
}

static void queue_timer(void *);

static void
queue_arm(struct rpki_shared *sh)
{
	uint64_t ms;

	if (sh->qhead == NULL || hy_timer_armed(&sh->qtimer))
		return;
	ms = sh->tokens >= 1 ? 0 :
	    (uint64_t)((1 - sh->tokens) * 1000.0 / sh->rate) + 1;
	hy_timer_start(sh->loop, &sh->qtimer, ms, queue_timer, sh);
}

/* Send what the bucket allows, oldest first. */
static void
queue_timer(void *arg)
{
	struct rpki_shared *sh = arg;
	struct rpki_addr *a;
	struct rpki_state *st;

	tokens_refill(sh);
	while ((a = sh->qhead) != NULL && sh->tokens >= 1) {
		queue_unlink(sh, a);
		sh->tokens -= 1;
		if (lookup_send(a) != 0) {
			st = a->st;
			st->pending--;
			rpki_step(st);
		}
	}
	queue_arm(sh);
}

/* The domain's deadline passed with lookups still queued: they are not
 * measured, and the error says why. */
static void
deadline_timer(void *arg)
{
	struct rpki_state *st = arg;
	struct rpki_addr *a;
	size_t i;

	for (i = 0; i < st->n; i++) {
		a = &st->a[i];
		if (!a->queued)
			continue;
		queue_unlink(st->sh, a);
		a->result = AR_FAILED;
		snprintf(a->why, sizeof(a->why), "the origin lookup for %s was "
		    "not sent within the domain's deadline: IP-to-ASN lookups "
		    "are capped at %g/s (--asn-qps)", a->addr->text,
		    st->sh->rate);
		hy_check_error(st->chk, "rpki-origin-lookup", "%s", a->why);
		st->pending--;
	}
	rpki_step(st);
}

static size_t
seen_slot(const struct seen_key *t, size_t cap, const uint8_t k[17])
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < 17; i++)
		h = (h ^ k[i]) * 1099511628211ULL;
	for (i = h & (cap - 1); t[i].used && memcmp(t[i].k, k, 17) != 0;
	    i = (i + 1) & (cap - 1))
		;
	return i;
}

/* Remember the address; true if it was asked about before. Out of memory
 * or past SEEN_MAX it is simply not remembered (the cap then counts it). */
static bool
seen_before(struct rpki_shared *sh, const struct hy_addr *addr)
{
	struct seen_key *nt;
	uint8_t k[17];
	size_t i, j, ncap;

	k[0] = (uint8_t)addr->family;
	memcpy(k + 1, addr->bytes, 16);
	if (sh->seencap > 0 && sh->seen[seen_slot(sh->seen, sh->seencap,
	    k)].used)
		return true;
	if (sh->nseen >= SEEN_MAX)
		return false;
	if (2 * (sh->nseen + 1) > sh->seencap) {
		ncap = sh->seencap ? 2 * sh->seencap : 1024;
		if ((nt = calloc(ncap, sizeof(*nt))) == NULL)
			return false;
		for (i = 0; i < sh->seencap; i++)
			if (sh->seen[i].used) {
				j = seen_slot(nt, ncap, sh->seen[i].k);
				nt[j] = sh->seen[i];
			}
		free(sh->seen);
		sh->seen = nt;
		sh->seencap = ncap;
	}
	i = seen_slot(sh->seen, sh->seencap, k);
	sh->seen[i].used = 1;
	memcpy(sh->seen[i].k, k, 17);
	sh->nseen++;
	return false;
}

/* Ask the IP-to-ASN service now, or queue the lookup behind the cap. */
static int
lookup_request(struct rpki_addr *a)
{
	struct rpki_state *st = a->st;
	struct rpki_shared *sh = st->sh;
	struct hy_loop *loop = sh->loop;

	if (seen_before(sh, a->addr))
		return lookup_send(a);
	tokens_refill(sh);
	if (sh->qhead == NULL && sh->tokens >= 1) {
		sh->tokens -= 1;
		return lookup_send(a);
	}
	a->queued = true;
	a->qprev = sh->qtail;
	if (sh->qtail != NULL)
		sh->qtail->qnext = a;
	else
		sh->qhead = a;
	sh->qtail = a;
	queue_arm(sh);
	if (!hy_timer_armed(&st->deadline))
		hy_timer_start(loop, &st->deadline,
		    hy_check_time_left(st->chk), deadline_timer, st);
	return 0;
}

static int
collect(struct rpki_state *st, const struct hy_host *h, size_t nh)
{
	struct rpki_addr *na;
	size_t i, j;

	for (i = 0; i < nh; i++)
		for (j = 0; j < h[i].naddrs; j++) {
			if ((na = reallocarray(st->a, st->n + 1,
			    sizeof(*na))) == NULL)
				return -1;
			st->a = na;
			memset(&st->a[st->n], 0, sizeof(*na));
			st->a[st->n].addr = &h[i].addrs[j];
			st->n++;
		}
	return 0;
}

static int
rpki_start(struct hy_check *chk, void **state)
{
	struct rpki_shared *sh = hy_run_shared(hy_check_run(chk),
	    &hy_probe_rpki);
	const struct hy_base *b = hy_check_base(chk);
	struct rpki_state *st;
	size_t i;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	*state = st;
	st->chk = chk;
	st->sh = sh;
	st->phase = RP_LOOKUP;
	if (sh != NULL && (collect(st, b->ns, b->nns) != 0 ||
	    collect(st, b->mx, b->nmx) != 0))
		return -1;
	for (i = 0; i < st->n; i++) {
		st->a[i].st = st;
		if (sh->routes != NULL) {
			addr_from_table(&st->a[i]);
			continue;
		}
		if (lookup_request(&st->a[i]) == 0)
			st->pending++;
	}
	/* done must come from the loop, never from inside start(). */
	if (st->pending == 0)
		hy_timer_start(hy_run_loop(hy_check_run(chk)), &st->timer, 0,
		    rpki_timer, st);
	return 0;
}

static json_t *
origins_json(const struct rpki_addr *a)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < a->norigins; i++)
		if (json_array_append_new(arr, json_pack("{s:I, s:s}", "asn",
		    (json_int_t)a->origins[i], "rpki",
		    hy_rpki_state_rfc(a->verdict[i].state))) != 0) {
			json_decref(arr);
			return NULL;
		}
	return arr;
}

/* Annotate one {"ip": ...} object. */
static int
annotate(json_t *o, const struct rpki_addr *a)
{
	char p[64], why[256];

	if (a->result != AR_ROUTE)
		return json_object_set_new(o, "prefix", json_null()) ||
		    json_object_set_new(o, "origin_asn", json_null()) ||
		    json_object_set_new(o, "rpki", a->result == AR_NO_ROUTE ?
		    json_string("unknown") : json_null()) ||
		    json_object_set_new(o, "rpki_reason", json_string(a->why));
	hy_prefix_str(&a->pfx, p, sizeof(p));
	hy_rpki_reason(&a->verdict[0], a->origins[0], a->as_set, why,
	    sizeof(why));
	if (json_object_set_new(o, "prefix", json_string(p)) ||
	    json_object_set_new(o, "origin_asn", a->as_set ? json_null() :
	    json_integer(a->origins[0])) ||
	    json_object_set_new(o, "rpki",
	    json_string(hy_rpki_state_rfc(a->verdict[0].state))) ||
	    json_object_set_new(o, "rpki_reason", json_string(why)))
		return -1;
	if (a->as_set || a->norigins > 1) {
		/* An AS_SET is one origin; a multi-origin prefix has several,
		 * each validated on its own (the first one is shown above). */
		if (json_object_set_new(o, a->as_set ? "origin_as_set" :
		    "origins", a->as_set ? json_pack("[]") : origins_json(a)))
			return -1;
		if (a->as_set) {
			json_t *set = json_object_get(o, "origin_as_set");
			size_t i;

			for (i = 0; i < a->norigins; i++)
				if (json_array_append_new(set,
				    json_integer(a->origins[i])))
					return -1;
		}
	}
	return 0;
}

/* Walk obj[key][i].addresses[j] in the order collect() used. */
static int
annotate_hosts(json_t *hosts, const struct hy_host *h, size_t nh,
    const struct rpki_addr *a, size_t *k)
{
	json_t *addrs, *o;
	size_t i, j;

	for (i = 0; i < nh; i++) {
		addrs = json_object_get(json_array_get(hosts, i), "addresses");
		for (j = 0; j < h[i].naddrs; j++, (*k)++) {
			o = json_array_get(addrs, j);
			if (o == NULL || strcmp(json_string_value(
			    json_object_get(o, "ip")) ?: "", a[*k].addr->text))
				continue;
			if (annotate(o, &a[*k]) != 0)
				return -1;
		}
	}
	return 0;
}

static int
rpki_emit(struct hy_check *chk, void *state, json_t *obj)
{
	struct rpki_state *st = state;
	const struct hy_base *b = hy_check_base(chk);
	size_t k = 0;

	if (st == NULL || st->sh == NULL || st->n == 0)
		return 0;
	if (json_is_array(json_object_get(obj, "ns")) &&
	    annotate_hosts(json_object_get(obj, "ns"), b->ns, b->nns, st->a,
	    &k) != 0)
		return -1;
	k = 0;
	for (size_t i = 0; i < b->nns; i++)
		k += b->ns[i].naddrs;
	if (json_is_array(json_object_get(obj, "mx")) &&
	    annotate_hosts(json_object_get(obj, "mx"), b->mx, b->nmx, st->a,
	    &k) != 0)
		return -1;
	return 0;
}

static void
rpki_free(void *state)
{
	struct rpki_state *st = state;
	size_t i;

	if (st == NULL)
		return;
	hy_timer_stop(hy_run_loop(hy_check_run(st->chk)), &st->timer);
	hy_timer_stop(hy_run_loop(hy_check_run(st->chk)), &st->deadline);
	for (i = 0; st->sh != NULL && i < st->n; i++)
		queue_unlink(st->sh, &st->a[i]);
	free(st->a);
	free(st);
}

const struct hy_probe hy_probe_rpki = {
	.name = "rpki",
	.phase = HY_PHASE_AFTER_BASE,
	.run_init = rpki_run_init,
	.run_free = rpki_run_free,
	.start = rpki_start,
	.emit = rpki_emit,
	.free = rpki_free,
};
