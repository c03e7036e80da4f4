/*
 * The DNS engine (see include/hygiene/dns.h for the contract).
 *
 * Data structures:
 *  - dns_entry: one question (name, type, CD). It is in the hash table
 *    while queued, in flight, or cached; it holds the parsed answer.
 *    Reference counted: one reference per waiter plus one while it is in
 *    the table.
 *  - dns_waiter: one hy_dns_query() call waiting for an entry. It sits on
 *    its group's list until delivered, and on the ready list once its
 *    result is known. Results are always delivered from a zero-delay
 *    timer, never from inside hy_dns_query() or a c-ares callback, so
 *    probes never re-enter themselves.
 *  - dns_chan: a c-ares channel. Queries go out on the current one; one
 *    that c-ares downgraded to plain DNS is retired (dns_chan_check) and
 *    destroyed once its last query has finished.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>

#include "hygiene/dns.h"
#include "hygiene/dnswire.h"

enum entry_state {
	ENTRY_QUEUED,		/* waiting for a slot on the wire */
	ENTRY_IN_FLIGHT,
	ENTRY_DONE,
};

struct dns_waiter;
TAILQ_HEAD(waiter_list, dns_waiter);

struct dns_chan {
	struct hy_dns		*dns;
	ares_channel		 ch;
	unsigned		 queries;	/* sent on it, not finished */
	TAILQ_ENTRY(dns_chan)	 link;		/* the retired list */
};
TAILQ_HEAD(chan_list, dns_chan);

struct dns_entry {
	struct hy_dns		*dns;
	char			*key;		/* "CD|TYPE|name" */
	size_t			 hash;		/* dns_hash(key) */
	char			*name;
	ldns_rr_type		 type;
	unsigned		 flags;
	enum entry_state	 state;
	struct dns_chan		*chan;		/* in flight on it */
	uint16_t		 qid;		/* in flight with this ID */
	unsigned		 refs;
	int			 in_table;
	struct dns_entry	*hnext;		/* hash chain */
	TAILQ_ENTRY(dns_entry)	 qlink;		/* send queue or cache LRU */
	struct waiter_list	 waiters;	/* waiting for the answer */
	/* Result, valid in ENTRY_DONE. */
	enum hy_dns_status	 status;
	ldns_pkt		*pkt;
	uint64_t		 expires;	/* monotonic ms; 0 = not cached */
	size_t			 cost;		/* pkt_cost() while cached */
};
TAILQ_HEAD(entry_list, dns_entry);

struct dns_waiter {
	struct dns_entry	*entry;		/* NULL for a forced result */
	struct hy_dns_group	*grp;
	hy_dns_fn		 cb;
	void			*arg;
	enum hy_dns_status	 forced;	/* when entry == NULL */
	int			 from_cache;
	int			 ready;
	TAILQ_ENTRY(dns_waiter)	 elink;		/* entry's waiters */
	TAILQ_ENTRY(dns_waiter)	 glink;		/* group's pending */
	TAILQ_ENTRY(dns_waiter)	 rlink;		/* engine's ready list */
};

struct hy_dns_group {
	struct hy_dns		*dns;
	struct waiter_list	 pending;
	struct hy_timer		 deadline;
	int			 expired;
};

struct hy_dns {
	struct hy_loop		*loop;
	struct dns_chan		*chan;		/* where new queries go */
	struct chan_list	 retired;
	struct ares_options	 ao;		/* to make a new channel */
	int			 optmask;
	char			*csv;		/* servers; NULL: system's */
	char			*servers;
	struct hy_dns_opts	 opts;
	struct dns_entry	**table;
	size_t			 nbuckets, nentries;
	struct entry_list	 sendq;
	struct entry_list	 lru;		/* cached DONE entries */
	size_t			 ncached;
	size_t			 cached_bytes;	/* their pkt_cost() */
	unsigned		 in_flight;
	struct waiter_list	 ready;
	struct hy_timer		 ready_timer;
	struct hy_timer		 ares_timer;
	struct hy_timer		 rate_timer;
	struct hy_timer		 send_timer;
	ldns_buffer		*wire;		/* reused for every query */
	double			 tokens;
	uint64_t		 tokens_at;
	int			 destroying;
	struct hy_dns_stats	 stats;
	uint8_t			 ids[65536 / 8];	/* IDs in flight */
};

/* At most this many queries are in flight, so a free ID always exists. */
#define DNS_MAX_IN_FLIGHT	60000u

static void dns_dispatch(struct hy_dns *);
static void dns_dispatch_fire(void *);
static void dns_ares_rearm(struct hy_dns *);
static void dns_chan_check(struct hy_dns *, struct dns_chan *);
static void dns_chan_reap(struct hy_dns *);

/* ---- hash table -------------------------------------------------------- */

static size_t
dns_hash(const char *s)
{
	size_t h = 14695981039346656037u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static struct dns_entry *
table_find(struct hy_dns *d, const char *key, size_t hash)
{
	struct dns_entry *e;

	if (d->nbuckets == 0)
		return NULL;
	for (e = d->table[hash % d->nbuckets]; e; e = e->hnext)
		if (e->hash == hash && strcmp(e->key, key) == 0)
			return e;
	return NULL;
}

static int
table_grow(struct hy_dns *d)
{
	size_t nb = d->nbuckets ? d->nbuckets * 2 : 1024, i;
	struct dns_entry **nt = calloc(nb, sizeof(*nt)), *e, *next;

	if (nt == NULL)
		return -1;
	for (i = 0; i < d->nbuckets; i++)
		for (e = d->table[i]; e; e = next) {
			next = e->hnext;
			e->hnext = nt[e->hash % nb];
			nt[e->hash % nb] = e;
		}
	free(d->table);
	d->table = nt;
	d->nbuckets = nb;
	return 0;
}

static int
table_add(struct hy_dns *d, struct dns_entry *e)
{
	size_t b;

	if (d->nentries >= d->nbuckets && table_grow(d) != 0)
		return -1;
	b = e->hash % d->nbuckets;
	e->hnext = d->table[b];
	d->table[b] = e;
	e->in_table = 1;
	e->refs++;
	d->nentries++;
	return 0;
}

static void
entry_unref(struct dns_entry *e)
{
	if (--e->refs > 0)
		return;
	ldns_pkt_free(e->pkt);
	free(e->key);
	free(e->name);
	free(e);
}

/* Remove from the table (and the LRU if cached); drops the table's ref. */
static void
table_remove(struct hy_dns *d, struct dns_entry *e)
{
	struct dns_entry **pp;

	if (!e->in_table)
		return;
	for (pp = &d->table[e->hash % d->nbuckets]; *pp;
	    pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	e->in_table = 0;
	d->nentries--;
	if (e->state == ENTRY_DONE && e->expires != 0) {
		TAILQ_REMOVE(&d->lru, e, qlink);
		d->ncached--;
		d->cached_bytes -= e->cost;
	} else if (e->state == ENTRY_QUEUED) {
		TAILQ_REMOVE(&d->sendq, e, qlink);
	}
	entry_unref(e);
}

/* ---- query IDs ------------------------------------------------------- */

static int
dns_id_used(const struct hy_dns *d, unsigned id)
{
	return d->ids[id / 8] & (1u << (id % 8));
}

static void
dns_id_put(struct hy_dns *d, unsigned id)
{
	d->ids[id / 8] &= (uint8_t)~(1u << (id % 8));
}

/*
 * A query ID no query in flight has. c-ares 1.18's ares_send() keeps the
 * caller's ID, so it must be unpredictable (RFC 5452 §4: ID and port are
 * the defence against forged answers), and unique: two queries in flight
 * with one ID on one socket can be given each other's answers (a question
 * asked with and without CD looks the same to c-ares) or be taken for a
 * retransmission. A free ID exists (DNS_MAX_IN_FLIGHT); a few random
 * draws find one unless the table is crowded.
 */
static uint16_t
dns_id_take(struct hy_dns *d)
{
	unsigned id = arc4random_uniform(65536);

	for (int i = 0; i < 8 && dns_id_used(d, id); i++)
		id = arc4random_uniform(65536);
	while (dns_id_used(d, id))
		id = (id + 1) & 0xffffu;
	d->ids[id / 8] |= (uint8_t)(1u << (id % 8));
	return (uint16_t)id;
}

/* ---- delivery ---------------------------------------------------------- */

static void
dns_ready_fire(void *arg)
{
	struct hy_dns *d = arg;
	struct dns_waiter *w;

	while ((w = TAILQ_FIRST(&d->ready)) != NULL) {
		struct hy_dns_result res;
		struct dns_entry *e = w->entry;

		TAILQ_REMOVE(&d->ready, w, rlink);
		TAILQ_REMOVE(&w->grp->pending, w, glink);
		if (e != NULL)
			TAILQ_REMOVE(&e->waiters, w, elink);
		memset(&res, 0, sizeof(res));
		res.rcode = -1;
		if (e != NULL) {
			res.status = e->status;
			res.pkt = e->pkt;
			if (e->pkt != NULL) {
				res.rcode = (int)ldns_pkt_get_rcode(e->pkt);
				res.ad = ldns_pkt_ad(e->pkt);
			}
			res.from_cache = w->from_cache;
		} else {
			res.status = w->forced;
		}
		if (res.status == HY_DNS_TIMEOUT)
			d->stats.timeouts++;
		w->cb(w->arg, &res);
		free(w);
		if (e != NULL)
			entry_unref(e);
	}
}

static void
dns_make_ready(struct hy_dns *d, struct dns_waiter *w)
{
	if (w->ready)
		return;
	w->ready = 1;
	TAILQ_INSERT_TAIL(&d->ready, w, rlink);
	if (!hy_timer_armed(&d->ready_timer))
		hy_timer_start(d->loop, &d->ready_timer, 0, dns_ready_fire, d);
}

/* ---- answers ----------------------------------------------------------- */

static int
pkt_has_type(const ldns_pkt *p, ldns_rr_type t)
{
	ldns_rr_list *an = ldns_pkt_answer(p);

	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr_type rt = ldns_rr_get_type(ldns_rr_list_rr(an, i));

		if (rt == t || rt == LDNS_RR_TYPE_CNAME)
			return 1;
	}
	return 0;
}

/* Did the answer echo EDNS0 and the DO bit of our query? Without them
 * it may lack every DNSSEC record (see dns.h). */
static int
pkt_dnssec_ok(const ldns_pkt *p)
{
	return ldns_pkt_edns(p) && ldns_pkt_edns_do(p);
}

/* The CNAME RR of the answer owned by name, or NULL. */
static const ldns_rr *
answer_cname(const ldns_pkt *p, const ldns_rdf *name)
{
	const ldns_rr_list *an = ldns_pkt_answer(p);

	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_CNAME &&
		    ldns_rr_rd_count(rr) == 1 &&
		    ldns_dname_compare(ldns_rr_owner(rr), name) == 0)
			return rr;
	}
	return NULL;
}

/* Does the CNAME chain from the question name stay within
 * HY_DNS_CNAME_MAX links? A loop never ends, so it does not. */
static int
cname_chain_ok(const ldns_pkt *p)
{
	const ldns_rr_list *q = ldns_pkt_question(p);
	const ldns_rdf *name;
	const ldns_rr *rr;
	unsigned links = 0;

	if (ldns_rr_list_rr_count(q) == 0)
		return 1;
	name = ldns_rr_owner(ldns_rr_list_rr(q, 0));
	while ((rr = answer_cname(p, name)) != NULL) {
		if (++links > HY_DNS_CNAME_MAX)
			return 0;
		name = ldns_rr_rdf(rr, 0);
	}
	return 1;
}

enum hy_dns_status
hy_dns_classify(const ldns_pkt *p, ldns_rr_type t)
{
	switch (ldns_pkt_get_rcode(p)) {
	case LDNS_RCODE_NOERROR:
		if (!cname_chain_ok(p))
			return HY_DNS_MALFORMED;
		return pkt_has_type(p, t) ? HY_DNS_ANSWER : HY_DNS_NODATA;
	case LDNS_RCODE_NXDOMAIN:
		return cname_chain_ok(p) ? HY_DNS_NXDOMAIN : HY_DNS_MALFORMED;
	case LDNS_RCODE_SERVFAIL:
		return HY_DNS_SERVFAIL;
	case LDNS_RCODE_REFUSED:
		return HY_DNS_REFUSED;
	default:
		return HY_DNS_ERROR;
	}
}

/* Seconds an answer may be reused: the smallest TTL in it (for negative
 * answers the SOA minimum, RFC 2308 §5), capped. 0 = don't cache. */
static uint32_t
dns_cache_ttl(const struct hy_dns *d, const ldns_pkt *p,
    enum hy_dns_status st)
{
	ldns_rr_list *sec;
	uint32_t ttl = d->opts.cache_max_ttl;
	size_t i;

	if (st != HY_DNS_ANSWER && st != HY_DNS_NODATA && st != HY_DNS_NXDOMAIN)
		return 0;
	sec = st == HY_DNS_ANSWER ? ldns_pkt_answer(p) : ldns_pkt_authority(p);
	if (st != HY_DNS_ANSWER && ldns_rr_list_rr_count(sec) == 0)
		return 0;
	for (i = 0; i < ldns_rr_list_rr_count(sec); i++) {
		ldns_rr *rr = ldns_rr_list_rr(sec, i);
		uint32_t t = ldns_rr_ttl(rr);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
		    ldns_rr_rd_count(rr) == 7) {
			uint32_t min = ldns_rdf2native_int32(ldns_rr_rdf(rr, 6));

			if (min < t)
				t = min;
		}
		if (t < ttl)
			ttl = t;
	}
	return ttl;
}

static enum hy_dns_status
ares_status_map(int status)
{
	switch (status) {
	case ARES_ETIMEOUT:
		return HY_DNS_TIMEOUT;
	case ARES_ESERVFAIL:
		return HY_DNS_SERVFAIL;
	case ARES_EREFUSED:
		return HY_DNS_REFUSED;
	case ARES_ENOTFOUND:
		return HY_DNS_NXDOMAIN;
	case ARES_ENODATA:
		return HY_DNS_NODATA;
	case ARES_EBADRESP:
	case ARES_EFORMERR:
		return HY_DNS_MALFORMED;
	default:
		return HY_DNS_ERROR;
	}
}

/* About what a parsed packet holds in memory: each RR and each field
 * with its allocator overhead. Counted for the cache's byte budget. */
static size_t
pkt_cost(const ldns_pkt *p)
{
	size_t cost = 512;	/* the packet and its lists */

	for (size_t k = 0; k < 4; k++) {
		const ldns_rr_list *l = k == 0 ? ldns_pkt_question(p) :
		    k == 1 ? ldns_pkt_answer(p) : k == 2 ?
		    ldns_pkt_authority(p) : ldns_pkt_additional(p);

		for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
			const ldns_rr *rr = ldns_rr_list_rr(l, i);

			cost += 96 + ldns_rdf_size(ldns_rr_owner(rr));
			for (size_t j = 0; j < ldns_rr_rd_count(rr); j++)
				cost += 64 + ldns_rdf_size(ldns_rr_rdf(rr, j));
		}
	}
	return cost;
}

static void
entry_finish(struct hy_dns *d, struct dns_entry *e, enum hy_dns_status st,
    ldns_pkt *pkt)
{
	struct dns_waiter *w;
	uint32_t ttl;

	e->state = ENTRY_DONE;
	e->status = st;
	e->pkt = pkt;
	TAILQ_FOREACH(w, &e->waiters, elink)
		dns_make_ready(d, w);
	ttl = pkt != NULL ? dns_cache_ttl(d, pkt, st) : 0;
	e->cost = pkt != NULL ? pkt_cost(pkt) : 0;
	/* A hostile answer (a TXT bomb) is delivered, not kept. */
	if (e->cost > HY_DNS_CACHE_ENTRY_BYTES_MAX ||
	    e->cost > d->opts.cache_bytes)
		ttl = 0;
	if (ttl > 0 && d->opts.cache_entries > 0 && e->in_table) {
		e->expires = hy_loop_now(d->loop) + (uint64_t)ttl * 1000u;
		TAILQ_INSERT_TAIL(&d->lru, e, qlink);
		d->ncached++;
		d->cached_bytes += e->cost;
		while (d->ncached > d->opts.cache_entries ||
		    d->cached_bytes > d->opts.cache_bytes)
			table_remove(d, TAILQ_FIRST(&d->lru));
	} else {
		table_remove(d, e);
	}
}

/* Health counters of one query that went on the wire (see dns.h). */
static void
dns_count_outcome(struct hy_dns *d, enum hy_dns_status st)
{
	if (hy_dns_status_measured(st)) {
		d->stats.usable++;
		d->stats.fail_streak = 0;
		return;
	}
	if (st == HY_DNS_SERVFAIL) {
		d->stats.servfail++;
		return;
	}
	if (st == HY_DNS_REFUSED)
		d->stats.refused++;
	else
		d->stats.failed++;
	d->stats.fail_streak++;
}

static void
dns_ares_cb(void *arg, int status, int timeouts, unsigned char *abuf,
    int alen)
{
	struct dns_entry *e = arg;
	struct hy_dns *d = e->dns;
	ldns_pkt *pkt = NULL;
	enum hy_dns_status st;

	(void)timeouts;
	if (d->destroying) {
		entry_unref(e);
		return;
	}
	d->in_flight--;
	e->chan->queries--;
	dns_id_put(d, e->qid);
	if (status == ARES_SUCCESS && abuf != NULL && alen > 0) {
		if (hy_dnswire_parse(abuf, (size_t)alen, &pkt) !=
		    LDNS_STATUS_OK) {
			pkt = NULL;
			st = HY_DNS_MALFORMED;
		} else {
			st = hy_dns_classify(pkt, e->type);
			if (hy_dns_status_measured(st) && !pkt_dnssec_ok(pkt))
				st = HY_DNS_BADEDNS;
		}
		d->stats.answers++;
	} else {
		st = ares_status_map(status);
	}
	dns_count_outcome(d, st);
	if (!hy_dns_status_measured(st))
		dns_chan_check(d, e->chan);
	entry_finish(d, e, st, pkt);
	entry_unref(e);		/* the reference c-ares held */
	if (!hy_timer_armed(&d->send_timer))
		hy_timer_start(d->loop, &d->send_timer, 0, dns_dispatch_fire, d);
}

/* ---- sending ----------------------------------------------------------- */

/*
 * The query's wire form, written with ldns' buffer and name routines:
 * header, one question, and an OPT RR (RFC 6891) with a 1232-octet UDP
 * size and the DO bit. Building a whole ldns_pkt (and its compression
 * tree) for one name cost more than everything else a query does.
 */
static int
dns_build_query(struct hy_dns *d, const struct dns_entry *e, uint16_t id)
{
	ldns_buffer *w = d->wire;
	ldns_rdf *qname = NULL;
	uint16_t fl = LDNS_RD_MASK << 8;	/* RD is in the first flags octet */
	int rc = -1;

	if (e->flags & HY_DNS_CD)
		fl |= LDNS_CD_MASK;
	if (ldns_str2rdf_dname(&qname, e->name) != LDNS_STATUS_OK)
		goto out;
	ldns_buffer_clear(w);
	ldns_buffer_write_u16(w, id);
	ldns_buffer_write_u16(w, fl);
	ldns_buffer_write_u16(w, 1);		/* QDCOUNT */
	ldns_buffer_write_u16(w, 0);		/* ANCOUNT */
	ldns_buffer_write_u16(w, 0);		/* NSCOUNT */
	ldns_buffer_write_u16(w, 1);		/* ARCOUNT: the OPT RR */
	if (ldns_dname2buffer_wire(w, qname) != LDNS_STATUS_OK)
		goto out;
	ldns_buffer_write_u16(w, (uint16_t)e->type);
	ldns_buffer_write_u16(w, LDNS_RR_CLASS_IN);
	ldns_buffer_write_u8(w, 0);		/* OPT owner: root */
	ldns_buffer_write_u16(w, LDNS_RR_TYPE_OPT);
	ldns_buffer_write_u16(w, 1232);		/* UDP payload size */
	ldns_buffer_write_u8(w, 0);		/* extended RCODE */
	ldns_buffer_write_u8(w, 0);		/* EDNS version */
	ldns_buffer_write_u16(w, 0x8000);	/* DO */
	ldns_buffer_write_u16(w, 0);		/* RDLEN */
	if (ldns_buffer_status(w) != LDNS_STATUS_OK)
		goto out;
	ldns_buffer_flip(w);
	rc = 0;
out:
	ldns_rdf_deep_free(qname);
	return rc;
}

/* Token bucket: true if a query may go out now. */
static int
dns_rate_ok(struct hy_dns *d)
{
	uint64_t now = hy_loop_now(d->loop);
	double burst = d->opts.qps / 20.0 < 1.0 ? 1.0 : d->opts.qps / 20.0;

	if (d->opts.qps <= 0)
		return 1;
	d->tokens += (double)(now - d->tokens_at) * d->opts.qps / 1000.0;
	d->tokens_at = now;
	if (d->tokens > burst)
		d->tokens = burst;
	if (d->tokens >= 1.0) {
		d->tokens -= 1.0;
		return 1;
	}
	return 0;
}

/* Deferred work of a loop pass: send what queued up, rearm c-ares. */
static void
dns_dispatch_fire(void *arg)
{
	dns_dispatch(arg);
}

static void
dns_send(struct hy_dns *d, struct dns_entry *e)
{
	TAILQ_REMOVE(&d->sendq, e, qlink);
	e->state = ENTRY_IN_FLIGHT;
	e->qid = dns_id_take(d);
	if (dns_build_query(d, e, e->qid) != 0) {
		dns_id_put(d, e->qid);
		entry_finish(d, e, HY_DNS_ERROR, NULL);
		return;
	}
	e->refs++;	/* held by c-ares until dns_ares_cb */
	e->chan = d->chan;
	e->chan->queries++;
	d->in_flight++;
	d->stats.sent++;
	if (d->in_flight > d->stats.max_in_flight)
		d->stats.max_in_flight = d->in_flight;
	ares_send(e->chan->ch, ldns_buffer_begin(d->wire),
	    (int)ldns_buffer_limit(d->wire), dns_ares_cb, e);
}

static void
dns_dispatch(struct hy_dns *d)
{
	struct dns_entry *e;

	while (d->in_flight < d->opts.concurrency &&
	    (e = TAILQ_FIRST(&d->sendq)) != NULL) {
		if (!dns_rate_ok(d)) {
			uint64_t wait = (uint64_t)(1000.0 / d->opts.qps) + 1;

			if (!hy_timer_armed(&d->rate_timer))
				hy_timer_start(d->loop, &d->rate_timer, wait,
				    dns_dispatch_fire, d);
			break;
		}
		dns_send(d, e);
	}
	dns_chan_reap(d);
	dns_ares_rearm(d);
}

/* ---- c-ares in the loop ------------------------------------------------ */

static void
dns_ares_timer_fire(void *arg)
{
	struct hy_dns *d = arg;
	struct dns_chan *c;

	ares_process_fd(d->chan->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	TAILQ_FOREACH(c, &d->retired, link)
		ares_process_fd(c->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	dns_ares_rearm(d);
}

/* Lower *best to channel c's next timeout; *have says whether it is set. */
static void
dns_chan_timeout(struct dns_chan *c, struct timeval *best, int *have)
{
	struct timeval tv, *tvp;

	tvp = ares_timeout(c->ch, NULL, &tv);
	if (tvp != NULL && (!*have || timercmp(tvp, best, <))) {
		*best = *tvp;
		*have = 1;
	}
}

static void
dns_ares_rearm(struct hy_dns *d)
{
	struct timeval best = { 0, 0 };
	struct dns_chan *c;
	int have = 0;

	dns_chan_timeout(d->chan, &best, &have);
	TAILQ_FOREACH(c, &d->retired, link)
		dns_chan_timeout(c, &best, &have);
	if (!have) {
		hy_timer_stop(d->loop, &d->ares_timer);
		return;
	}
	hy_timer_start(d->loop, &d->ares_timer,
	    (uint64_t)best.tv_sec * 1000u + (uint64_t)best.tv_usec / 1000u + 1,
	    dns_ares_timer_fire, d);
}

static void
dns_io(void *arg, int fd, unsigned events)
{
	struct dns_chan *c = arg;
	struct hy_dns *d = c->dns;

	ares_process_fd(c->ch,
	    (events & HY_IO_READ) ? fd : ARES_SOCKET_BAD,
	    (events & HY_IO_WRITE) ? fd : ARES_SOCKET_BAD);
	/* ares_timeout() scans every query in flight: rearm once per loop
	 * pass, after all I/O, rather than once per packet. */
	if (!hy_timer_armed(&d->send_timer))
		hy_timer_start(d->loop, &d->send_timer, 0, dns_dispatch_fire, d);
}

/* A socket the loop cannot watch (out of memory) is never read: its
 * queries end through c-ares' own timeouts, as if the answers were lost,
 * so they are reported as not measured rather than left hanging. */
static void
dns_sock_state(void *arg, ares_socket_t fd, int readable, int writable)
{
	struct dns_chan *c = arg;

	(void)hy_loop_watch(c->dns->loop, fd, (readable ? HY_IO_READ : 0) |
	    (writable ? HY_IO_WRITE : 0), dns_io, c);
}

/* ---- channels ---------------------------------------------------------- */

/* A channel with the engine's options and servers; NULL with *err set. */
static struct dns_chan *
dns_chan_new(struct hy_dns *d, const char **err)
{
	struct dns_chan *c;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	c->dns = d;
	d->ao.sock_state_cb_data = c;
	if ((rc = ares_init_options(&c->ch, &d->ao, d->optmask)) !=
	    ARES_SUCCESS) {
		*err = rc == ARES_EFILE ? "cannot read /etc/resolv.conf" :
		    "cannot initialise c-ares";
		free(c);
		return NULL;
	}
	if (d->csv != NULL &&
	    ares_set_servers_ports_csv(c->ch, d->csv) != ARES_SUCCESS) {
		*err = "invalid --resolver address (use HOST, HOST:PORT "
		    "or [IPv6]:PORT with numeric addresses)";
		ares_destroy(c->ch);
		free(c);
		return NULL;
	}
	return c;
}

static void
dns_chan_free(struct dns_chan *c)
{
	if (c == NULL)
		return;
	ares_destroy(c->ch);
	free(c);
}

/*
 * c-ares 1.18 answers a FORMERR that carries no OPT by clearing
 * ARES_FLAG_EDNS on the whole channel and asking again without EDNS0.
 * That answer is HY_DNS_BADEDNS (hy_dns_classify), but the channel stays
 * downgraded: it refuses UDP answers above 512 octets (asking again over
 * TCP) and no longer retries a FORMERR. After a query that could not be
 * measured, look at the flag; when it is gone, send on a fresh channel
 * and retire this one until its queries have finished.
 */
static void
dns_chan_check(struct hy_dns *d, struct dns_chan *c)
{
	struct ares_options o;
	struct dns_chan *fresh;
	const char *err;
	int mask, flags;

	if (c != d->chan || ares_save_options(c->ch, &o, &mask) != ARES_SUCCESS)
		return;
	flags = o.flags;
	ares_destroy_options(&o);
	if ((flags & ARES_FLAG_EDNS) || (fresh = dns_chan_new(d, &err)) == NULL)
		return;		/* fine, or: keep the slower channel */
	TAILQ_INSERT_TAIL(&d->retired, c, link);
	d->chan = fresh;
}

/* Destroy retired channels with nothing in flight; never called from a
 * c-ares callback (a channel cannot be destroyed from inside itself). */
static void
dns_chan_reap(struct hy_dns *d)
{
	struct dns_chan *c, *next;

	for (c = TAILQ_FIRST(&d->retired); c != NULL; c = next) {
		next = TAILQ_NEXT(c, link);
		if (c->queries > 0)
			continue;
		TAILQ_REMOVE(&d->retired, c, link);
		dns_chan_free(c);
	}
}

/* ---- setup ------------------------------------------------------------- */

/* c-ares 1.18 takes "v4", "v4:port", "v6" and "[v6]:port", but not
 * "[v6]" without a port: give that one the default port. */
static int
dns_servers_csv(const struct hy_dns_opts *o, char **out)
{
	size_t cap = 1, i, n;
	char *csv;

	for (i = 0; i < o->nservers; i++)
		cap += strlen(o->servers[i]) + 5;
	if ((csv = calloc(1, cap)) == NULL)
		return -1;
	for (i = 0; i < o->nservers; i++) {
		const char *s = o->servers[i];

		if (i > 0)
			strcat(csv, ",");
		strcat(csv, s);
		n = strlen(s);
		if (n > 0 && s[0] == '[' && s[n - 1] == ']')
			strcat(csv, ":53");
	}
	*out = csv;
	return 0;
}

/* The servers c-ares actually uses, as "addr:port,[v6]:port". */
static int
dns_servers_text(struct hy_dns *d)
{
	struct ares_addr_port_node *list = NULL, *n;
	char addr[INET6_ADDRSTRLEN], one[INET6_ADDRSTRLEN + 10];
	size_t cap = 1, len = 0;
	int rc = -1;

	if (ares_get_servers_ports(d->chan->ch, &list) != ARES_SUCCESS)
		return -1;
	for (n = list; n; n = n->next)
		cap += sizeof(one) + 1;
	if (list == NULL || (d->servers = calloc(1, cap)) == NULL)
		goto out;
	for (n = list; n; n = n->next) {
		int port = n->udp_port ? n->udp_port : 53;

		if (inet_ntop(n->family, &n->addr, addr, sizeof(addr)) == NULL)
			goto out;
		if (n->family == AF_INET6)
			snprintf(one, sizeof(one), "[%s]:%d", addr, port);
		else
			snprintf(one, sizeof(one), "%s:%d", addr, port);
		len += (size_t)snprintf(d->servers + len, cap - len, "%s%s",
		    len ? "," : "", one);
	}
	rc = 0;
out:
	ares_free_data(list);
	return rc;
}

static void
dns_opts_defaults(struct hy_dns_opts *o)
{
	if (o->try_timeout_ms == 0)
		o->try_timeout_ms = 2000;
	if (o->tries == 0)
		o->tries = 3;
	if (o->concurrency == 0)
		o->concurrency = 200;
	if (o->concurrency > DNS_MAX_IN_FLIGHT)
		o->concurrency = DNS_MAX_IN_FLIGHT;
	if (o->cache_max_ttl == 0)
		o->cache_max_ttl = 300;
	if (o->cache_entries == 0)
		o->cache_entries = 20000;
	if (o->cache_bytes == 0)
		o->cache_bytes = HY_DNS_CACHE_BYTES_MAX;
}

struct hy_dns *
hy_dns_new(struct hy_loop *loop, const struct hy_dns_opts *opts,
    const char **err)
{
	struct hy_dns *d;

	if ((d = calloc(1, sizeof(*d))) == NULL) {
		*err = "out of memory";
		return NULL;
	}
	d->loop = loop;
	d->opts = *opts;
	d->opts.servers = NULL;
	dns_opts_defaults(&d->opts);
	TAILQ_INIT(&d->sendq);
	TAILQ_INIT(&d->lru);
	TAILQ_INIT(&d->ready);
	TAILQ_INIT(&d->retired);
	d->tokens = 1.0;
	d->tokens_at = hy_loop_now(loop);
	if ((d->wire = ldns_buffer_new(512)) == NULL ||
	    (opts->nservers > 0 && dns_servers_csv(opts, &d->csv) != 0)) {
		*err = "out of memory";
		goto fail;
	}
	/* NOCHECKRESP: we want SERVFAIL/REFUSED packets back to classify them
	 * ourselves, not c-ares' retries of them. EDNS: c-ares then takes UDP
	 * answers up to ednspsz (our queries carry their own OPT RR). */
	d->ao.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS |
	    ARES_FLAG_NOSEARCH;
	d->ao.timeout = (int)d->opts.try_timeout_ms;
	d->ao.tries = (int)d->opts.tries;
	d->ao.ednspsz = 1232;
	d->ao.sock_state_cb = dns_sock_state;
	/* A full window of cache-hot answers arrives as one burst: the
	 * default 208 KiB receive buffer drops some (Udp RcvbufErrors) and
	 * c-ares then waits a whole try timeout to resend them. */
	d->ao.socket_receive_buffer_size = 4 << 20;
	d->optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_EDNSPSZ | ARES_OPT_SOCK_STATE_CB | ARES_OPT_SOCK_RCVBUF;
	if ((d->chan = dns_chan_new(d, err)) == NULL)
		goto fail;
	if (dns_servers_text(d) != 0) {
		*err = "no DNS resolver configured";
		goto fail;
	}
	return d;
fail:
	hy_dns_free(d);
	return NULL;
}

void
hy_dns_free(struct hy_dns *d)
{
	struct dns_waiter *w;
	struct dns_chan *c;
	size_t i;

	if (d == NULL)
		return;
	/* Waiters belong to groups; detach them so nothing is delivered. */
	while ((w = TAILQ_FIRST(&d->ready)) != NULL) {
		TAILQ_REMOVE(&d->ready, w, rlink);
		w->ready = 0;
	}
	d->destroying = 1;
	dns_chan_free(d->chan);
	while ((c = TAILQ_FIRST(&d->retired)) != NULL) {
		TAILQ_REMOVE(&d->retired, c, link);
		dns_chan_free(c);
	}
	for (i = 0; i < d->nbuckets; i++)
		while (d->table[i] != NULL)
			table_remove(d, d->table[i]);
	hy_timer_stop(d->loop, &d->ready_timer);
	hy_timer_stop(d->loop, &d->ares_timer);
	hy_timer_stop(d->loop, &d->rate_timer);
	hy_timer_stop(d->loop, &d->send_timer);
	if (d->wire != NULL)
		ldns_buffer_free(d->wire);
	free(d->csv);
	free(d->servers);
	free(d->table);
	free(d);
}

const char *
hy_dns_servers(const struct hy_dns *d)
{
	return d->servers;
}

void
hy_dns_get_stats(const struct hy_dns *d, struct hy_dns_stats *s)
{
	*s = d->stats;
}

/* ---- groups and queries ------------------------------------------------ */

/* Detach a waiter from its entry; an entry nobody waits for any more is
 * dropped from the send queue (it would only cost a query). */
static void
waiter_detach(struct hy_dns *d, struct dns_waiter *w)
{
	struct dns_entry *e = w->entry;

	if (e == NULL)
		return;
	TAILQ_REMOVE(&e->waiters, w, elink);
	w->entry = NULL;
	if (e->state == ENTRY_QUEUED && TAILQ_EMPTY(&e->waiters))
		table_remove(d, e);
	entry_unref(e);
}

static void
group_deadline_fire(void *arg)
{
	struct hy_dns_group *g = arg;
	struct dns_waiter *w;

	g->expired = 1;
	TAILQ_FOREACH(w, &g->pending, glink) {
		if (w->ready && w->entry != NULL)
			continue;	/* its answer is already here */
		if (w->entry != NULL)
			waiter_detach(g->dns, w);
		w->forced = HY_DNS_TIMEOUT;
		dns_make_ready(g->dns, w);
	}
}

struct hy_dns_group *
hy_dns_group_new(struct hy_dns *d, uint64_t deadline_ms)
{
	struct hy_dns_group *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->dns = d;
	TAILQ_INIT(&g->pending);
	if (deadline_ms > 0)
		hy_timer_start(d->loop, &g->deadline, deadline_ms,
		    group_deadline_fire, g);
	return g;
}

void
hy_dns_group_free(struct hy_dns_group *g)
{
	struct dns_waiter *w;

	if (g == NULL)
		return;
	hy_timer_stop(g->dns->loop, &g->deadline);
	while ((w = TAILQ_FIRST(&g->pending)) != NULL) {
		TAILQ_REMOVE(&g->pending, w, glink);
		if (w->ready)
			TAILQ_REMOVE(&g->dns->ready, w, rlink);
		waiter_detach(g->dns, w);
		free(w);
	}
	free(g);
}

bool
hy_dns_group_expired(const struct hy_dns_group *g)
{
	return g->expired != 0;
}

/* Decimal digits of v at p; returns the end. */
static char *
put_uint(char *p, unsigned v)
{
	char tmp[10];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

/* "CD|TYPE|name." in lower case: the coalescing and cache key. Built by
 * hand: it is made for every query, and printf cost more than the rest. */
static char *
dns_make_key(const char *name, ldns_rr_type type, unsigned flags)
{
	char *key, *p;
	size_t n = strlen(name);

	if (n > 0 && name[n - 1] == '.')
		n--;
	if ((key = malloc(n + 16)) == NULL)
		return NULL;
	p = put_uint(key, flags & HY_DNS_CD);
	*p++ = '|';
	p = put_uint(p, (unsigned)type);
	*p++ = '|';
	for (; n > 0; n--, name++)
		*p++ = (char)(*name >= 'A' && *name <= 'Z' ? *name + 32 : *name);
	*p++ = '.';
	*p = '\0';
	return key;
}

static struct dns_entry *
dns_entry_new(struct hy_dns *d, char *key, size_t hash, ldns_rr_type type,
    unsigned flags)
{
	struct dns_entry *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return NULL;
	e->dns = d;
	e->key = key;
	e->hash = hash;
	/* The name is the key's tail, after "CD|TYPE|". */
	e->name = strdup(strchr(strchr(key, '|') + 1, '|') + 1);
	e->type = type;
	e->flags = flags & HY_DNS_CD;
	e->state = ENTRY_QUEUED;
	TAILQ_INIT(&e->waiters);
	if (e->name == NULL || table_add(d, e) != 0) {
		free(e->name);
		free(e);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&d->sendq, e, qlink);
	return e;
}

/* The entry for key, fresh from the cache or in progress, or NULL. */
static struct dns_entry *
dns_lookup(struct hy_dns *d, const char *key, size_t hash)
{
	struct dns_entry *e = table_find(d, key, hash);

	if (e != NULL && e->state == ENTRY_DONE &&
	    e->expires <= hy_loop_now(d->loop)) {
		table_remove(d, e);
		return NULL;
	}
	return e;
}

int
hy_dns_query(struct hy_dns_group *g, const char *name, ldns_rr_type type,
    unsigned flags, hy_dns_fn cb, void *arg)
{
	struct hy_dns *d = g->dns;
	struct dns_waiter *w;
	struct dns_entry *e;
	size_t hash;
	char *key;

	if (name == NULL || strlen(name) > 254 ||
	    (w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->grp = g;
	w->cb = cb;
	w->arg = arg;
	d->stats.requests++;
	TAILQ_INSERT_TAIL(&g->pending, w, glink);
	if (g->expired) {
		w->forced = HY_DNS_TIMEOUT;
		dns_make_ready(d, w);
		return 0;
	}
	if ((key = dns_make_key(name, type, flags)) == NULL)
		goto fail;
	hash = dns_hash(key);
	if ((e = dns_lookup(d, key, hash)) != NULL) {
		free(key);
		if (e->state == ENTRY_DONE) {
			d->stats.cache_hits++;
			w->from_cache = 1;
		} else {
			d->stats.coalesced++;
		}
	} else if ((e = dns_entry_new(d, key, hash, type, flags)) == NULL) {
		free(key);
		goto fail;
	}
	w->entry = e;
	e->refs++;
	TAILQ_INSERT_TAIL(&e->waiters, w, elink);
	if (e->state == ENTRY_DONE)
		dns_make_ready(d, w);
	else if (e->state == ENTRY_QUEUED && !hy_timer_armed(&d->send_timer))
		/* Sent from the loop in one batch: one ares_timeout() scan for
		 * the batch instead of one per query. */
		hy_timer_start(d->loop, &d->send_timer, 0, dns_dispatch_fire, d);
	return 0;
fail:
	TAILQ_REMOVE(&g->pending, w, glink);
	free(w);
	return -1;
}

/* ---- helpers ----------------------------------------------------------- */

const char *
hy_dns_status_str(enum hy_dns_status s)
{
	switch (s) {
	case HY_DNS_ANSWER:
		return "answer";
	case HY_DNS_NODATA:
		return "nodata";
	case HY_DNS_NXDOMAIN:
		return "nxdomain";
	case HY_DNS_SERVFAIL:
		return "servfail";
	case HY_DNS_REFUSED:
		return "refused";
	case HY_DNS_TIMEOUT:
		return "timeout";
	case HY_DNS_MALFORMED:
		return "malformed";
	case HY_DNS_ERROR:
		return "error";
	case HY_DNS_BADEDNS:
		return "bad-edns";
	}
	return "error";
}

bool
hy_dns_status_measured(enum hy_dns_status s)
{
	return s == HY_DNS_ANSWER || s == HY_DNS_NODATA || s == HY_DNS_NXDOMAIN;
}

ldns_rr *
hy_dns_rr_clone(const ldns_rr *rr)
{
	ldns_rr *c = ldns_rr_clone(rr);
	size_t i;

	/* ldns_rr_clone() (ldns 1.8.3) does not check its copies of the
	 * owner and the rdata fields: one that fails leaves a NULL field,
	 * or the field is silently dropped. */
	if (c == NULL)
		return NULL;
	if ((ldns_rr_owner(rr) != NULL && ldns_rr_owner(c) == NULL) ||
	    ldns_rr_rd_count(c) != ldns_rr_rd_count(rr))
		goto fail;
	for (i = 0; i < ldns_rr_rd_count(c); i++)
		if (ldns_rr_rdf(c, i) == NULL)
			goto fail;
	return c;
fail:
	ldns_rr_free(c);
	return NULL;
}

int
hy_dns_answer_rrs(const struct hy_dns_result *res, ldns_rr_type type,
    ldns_rr_list **out)
{
	const ldns_rr_list *an = res->pkt ? ldns_pkt_answer(res->pkt) : NULL;
	ldns_rr_list *l;
	ldns_rr *c;

	/* Not ldns_pkt_rr_list_by_type(): its NULL means both "none" and
	 * "out of memory". */
	*out = NULL;
	if ((l = ldns_rr_list_new()) == NULL)
		return -1;
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		if (ldns_rr_get_type(ldns_rr_list_rr(an, i)) != type)
			continue;
		if ((c = hy_dns_rr_clone(ldns_rr_list_rr(an, i))) == NULL ||
		    !ldns_rr_list_push_rr(l, c)) {
			ldns_rr_free(c);
			ldns_rr_list_deep_free(l);
			return -1;
		}
	}
	*out = l;
	return 0;
}
