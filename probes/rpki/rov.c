/*
 * ROV enforcement per ISP from collector RIB dumps (include/hygiene/rov.h
 * states the rule). One pass over each dump: every route is counted on
 * its session and validated (once per prefix and origin: a RIB record
 * lists all peers' paths to one prefix together); an invalid route is
 * remembered once, with the dumps it appears in, and credited to the
 * ISPs it crosses. Classification happens in hy_rov_finish().
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/mrt.h"
#include "hygiene/rov.h"

#define NONE		((size_t)-1)	/* no ISP, no session */
#define CACHE_N		4	/* origins of one prefix validated */
#define MAX_SET_KEPT	16	/* AS_SET members kept in an example */

enum feed_verdict {
	FV_NONE,		/* no routes of the family */
	FV_NOT_FULL,
	FV_INCONCLUSIVE,
	FV_FILTERING,
	FV_PARTIAL,
	FV_NOT_FILTERING,
};

static const char *const fv_names[] = {
	"none", "not-full-table", "inconclusive", "filtering", "partial",
	"not-filtering",
};

/* Hashed byte for byte: zeroed before it is filled. */
struct sess_key {
	uint32_t	 file;
	uint32_t	 asn;
	uint8_t		 family;
	uint8_t		 ip[16];
	uint8_t		 pad[3];
};

struct sess {
	struct sess_key	 key;
	size_t		 isp;		/* NONE: not a listed ISP's */
	uint64_t	 routes[2];	/* [0] IPv4, [1] IPv6 */
	uint64_t	 invalid[2];	/* invalid, not its own */
	uint64_t	 own[2];	/* invalid, originated by its ISP */
	bool		 full[2];
	enum feed_verdict verdict[2];
};

struct inv_key {
	uint8_t		 family, len, as_set, pad;
	uint8_t		 addr[16];
	uint32_t	 origin;
	uint64_t	 set_hash;	/* AS_SET origin: its sorted members */
};

struct inv {
	struct inv_key	 key;
	uint64_t	 files;		/* bit per dump it appears in */
	uint32_t	 id;
	bool		 used;
};

struct example {
	bool		 transit;
	struct hy_prefix pfx;
	uint32_t	 origin;
	uint32_t	 set[MAX_SET_KEPT];
	size_t		 nset;		/* 0: a single origin AS */
	char		 path[256];
	uint8_t		 peer_family;
	uint8_t		 peer_ip[16];
	uint32_t	 peer_asn;
	unsigned	 file;
	enum hy_rpki_state state;
	char		 reason[160];
};

struct isp_acc {
	struct example	 ex[HY_ROV_MAX_EXAMPLES];	/* exported */
	struct example	 tx[HY_ROV_MAX_EXAMPLES];	/* transit */
	size_t		 nex, ntx;
	uint64_t	*transit;	/* bit per invalid route id */
	size_t		 ntransit;	/* words */
	struct hy_rov_summary sum;
};

struct dump {
	char		*name;
	struct hy_rib_stats st;
	uint64_t	 max_routes[2];		/* largest feed */
	uint64_t	 view_invalid[2];	/* distinct invalid routes */
	uint64_t	 ref_invalid[2];	/* median invalid full feed */
};

struct cache_ent {
	uint32_t	 origin;
	bool		 as_set;
	uint64_t	 set_hash;
	enum hy_rpki_state state;
};

struct hy_rov {
	const struct hy_isp_list *isps;
	const struct hy_vrps *vrps;
	struct dump	 dumps[HY_ROV_MAX_FILES];
	size_t		 ndumps;
	struct sess	*sess;
	size_t		 nsess, sesscap;
	size_t		*slots;		/* session index + 1, 0 = empty */
	size_t		 nslots;
	size_t		 last;		/* session of the previous route */
	struct inv	*inv;		/* open addressing */
	size_t		 ninv, invcap;
	struct isp_acc	*acc;
	struct hy_prefix cache_pfx;
	struct cache_ent cache[CACHE_N];
	size_t		 ncache, cache_next;
	unsigned	 cur;		/* the dump being read */
	bool		 oom, finished;
};

const char *
hy_rov_status_str(enum hy_rov_status s)
{
	switch (s) {
	case HY_ROV_FILTERING:
		return "filtering";
	case HY_ROV_PARTIAL:
		return "partial";
	case HY_ROV_NOT_FILTERING:
		return "not-filtering";
	default:
		return "no-data";
	}
}

static const char *
evidence_str(enum hy_rov_evidence e)
{
	return e == HY_ROV_EVIDENCE_FEED ? "feed" : e ==
	    HY_ROV_EVIDENCE_TRANSIT ? "transit" : "none";
}

static uint64_t
fnv(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct hy_rov *
hy_rov_new(const struct hy_isp_list *isps, const struct hy_vrps *vrps)
{
	struct hy_rov *rv;

	if ((rv = calloc(1, sizeof(*rv))) == NULL)
		return NULL;
	rv->isps = isps;
	rv->vrps = vrps;
	rv->last = NONE;
	if ((rv->acc = calloc(isps->n + 1, sizeof(*rv->acc))) == NULL) {
		free(rv);
		return NULL;
	}
	return rv;
}

void
hy_rov_free(struct hy_rov *rv)
{
	size_t i;

	if (rv == NULL)
		return;
	for (i = 0; i < rv->ndumps; i++)
		free(rv->dumps[i].name);
	for (i = 0; i < rv->isps->n; i++)
		free(rv->acc[i].transit);
	free(rv->acc);
	free(rv->sess);
	free(rv->slots);
	free(rv->inv);
	free(rv);
}

/* ---- sessions ---- */

static int
slots_grow(struct hy_rov *rv)
{
	size_t n = rv->nslots == 0 ? 256 : rv->nslots * 2, i, j;
	size_t *s;

	if ((s = calloc(n, sizeof(*s))) == NULL)
		return -1;
	for (i = 0; i < rv->nsess; i++) {
		j = fnv(&rv->sess[i].key, sizeof(rv->sess[i].key)) & (n - 1);
		while (s[j] != 0)
			j = (j + 1) & (n - 1);
		s[j] = i + 1;
	}
	free(rv->slots);
	rv->slots = s;
	rv->nslots = n;
	return 0;
}

static struct sess *
sess_get(struct hy_rov *rv, const struct hy_rib_route *r)
{
	const struct hy_isp *isp;
	struct sess_key k;
	struct sess *s, *ns;
	size_t j;

	memset(&k, 0, sizeof(k));
	k.file = rv->cur;
	k.asn = r->peer_asn;
	k.family = r->peer_family;
	memcpy(k.ip, r->peer_ip, sizeof(k.ip));
	/* MRT lists a prefix's paths peer by peer, text lines likewise:
	 * the previous route's session is often this one's. */
	if (rv->last != NONE && memcmp(&rv->sess[rv->last].key, &k,
	    sizeof(k)) == 0)
		return &rv->sess[rv->last];
	if (2 * (rv->nsess + 1) > rv->nslots && slots_grow(rv) != 0)
		return NULL;
	j = fnv(&k, sizeof(k)) & (rv->nslots - 1);
	for (; rv->slots[j] != 0; j = (j + 1) & (rv->nslots - 1))
		if (memcmp(&rv->sess[rv->slots[j] - 1].key, &k,
		    sizeof(k)) == 0) {
			rv->last = rv->slots[j] - 1;
			return &rv->sess[rv->last];
		}
	if (rv->nsess == rv->sesscap) {
		size_t cap = rv->sesscap == 0 ? 64 : rv->sesscap * 2;

		if ((ns = reallocarray(rv->sess, cap, sizeof(*ns))) == NULL)
			return NULL;
		rv->sess = ns;
		rv->sesscap = cap;
	}
	s = &rv->sess[rv->nsess];
	memset(s, 0, sizeof(*s));
	s->key = k;
	isp = hy_isps_by_asn(rv->isps, r->peer_asn);
	s->isp = isp != NULL ? (size_t)(isp - rv->isps->v) : NONE;
	rv->slots[j] = ++rv->nsess;
	rv->last = rv->nsess - 1;
	return s;
}

/* ---- invalid routes ---- */

static struct inv *
inv_get(struct hy_rov *rv, const struct inv_key *k)
{
	struct inv *t, *old = rv->inv;
	size_t n, i, j, oldcap = rv->invcap;

	if (2 * (rv->ninv + 1) > rv->invcap) {
		n = rv->invcap == 0 ? 1024 : rv->invcap * 2;
		if ((t = calloc(n, sizeof(*t))) == NULL)
			return NULL;
		for (i = 0; i < oldcap; i++) {
			if (!old[i].used)
				continue;
			j = fnv(&old[i].key, sizeof(old[i].key)) & (n - 1);
			while (t[j].used)
				j = (j + 1) & (n - 1);
			t[j] = old[i];
		}
		free(old);
		rv->inv = t;
		rv->invcap = n;
	}
	j = fnv(k, sizeof(*k)) & (rv->invcap - 1);
	for (; rv->inv[j].used; j = (j + 1) & (rv->invcap - 1))
		if (memcmp(&rv->inv[j].key, k, sizeof(*k)) == 0)
			return &rv->inv[j];
	rv->inv[j].used = true;
	rv->inv[j].key = *k;
	rv->inv[j].files = 0;
	rv->inv[j].id = (uint32_t)rv->ninv++;
	return &rv->inv[j];
}

/* The final AS_SET (the route's NONE origin), or NULL. */
static const struct hy_asseg *
origin_set(const struct hy_aspath *p)
{
	size_t i;

	for (i = p->nsegs; i > 0; i--) {
		if (p->segs[i - 1].type == HY_AS_CONFED_SEQUENCE ||
		    p->segs[i - 1].type == HY_AS_CONFED_SET ||
		    p->segs[i - 1].len == 0)
			continue;
		return p->segs[i - 1].type == HY_AS_SET ? &p->segs[i - 1] :
		    NULL;
	}
	return NULL;
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* {1,2} and {2,1} are the same origin. */
static uint64_t
set_hash(const struct hy_aspath *p, const struct hy_asseg *s)
{
	uint32_t m[UINT8_MAX + 1];
	size_t n = s->len > UINT8_MAX + 1 ? UINT8_MAX + 1 : s->len;

	memcpy(m, p->asns + s->off, n * sizeof(*m));
	qsort(m, n, sizeof(*m), u32_cmp);
	return fnv(m, n * sizeof(*m));
}

/* ---- validation, cached per prefix ---- */

static int
validate(struct hy_rov *rv, const struct hy_prefix *p, uint32_t origin,
    bool as_set, uint64_t sh, enum hy_rpki_state *out)
{
	struct hy_rpki_verdict v;
	struct cache_ent *c;
	size_t i;

	if (memcmp(&rv->cache_pfx, p, sizeof(*p)) != 0) {
		rv->cache_pfx = *p;
		rv->ncache = rv->cache_next = 0;
	}
	for (i = 0; i < rv->ncache; i++) {
		c = &rv->cache[i];
		if (c->origin == origin && c->as_set == as_set &&
		    c->set_hash == sh) {
			*out = c->state;
			return 0;
		}
	}
	/* No VRP can cover a /0 (the loader refuses them), and rtrlib
	 * cannot look one up. */
	if (p->len == 0)
		v.state = HY_RPKI_NOT_FOUND;
	else if (hy_vrps_validate(rv->vrps, p, origin, as_set, false, &v) != 0)
		return -1;
	c = &rv->cache[rv->cache_next];
	rv->cache_next = (rv->cache_next + 1) % CACHE_N;
	if (rv->ncache < CACHE_N)
		rv->ncache++;
	c->origin = origin;
	c->as_set = as_set;
	c->set_hash = sh;
	c->state = v.state;
	*out = v.state;
	return 0;
}

/* ---- evidence ---- */

/* Does ISP isp originate the route (its AS, or a member of the set)? */
static bool
isp_originates(const struct hy_rov *rv, size_t isp, const struct hy_aspath *p,
    const struct hy_asseg *set, uint32_t origin)
{
	const struct hy_isp *o;
	size_t i;

	if (set == NULL) {
		o = hy_isps_by_asn(rv->isps, origin);
		return o != NULL && (size_t)(o - rv->isps->v) == isp;
	}
	for (i = 0; i < set->len; i++) {
		o = hy_isps_by_asn(rv->isps, p->asns[set->off + i]);
		if (o != NULL && (size_t)(o - rv->isps->v) == isp)
			return true;
	}
	return false;
}

static bool
example_same(const struct example *e, const struct hy_rib_route *r,
    uint32_t origin, const struct hy_asseg *set)
{
	return hy_prefix_cmp(&e->pfx, &r->pfx) == 0 && e->origin == origin &&
	    (e->nset > 0) == (set != NULL);
}

static void
example_add(struct hy_rov *rv, struct example *ex, size_t *n, bool transit,
    const struct hy_rib_route *r, uint32_t origin,
    const struct hy_asseg *set, enum hy_rpki_state state)
{
	struct hy_rpki_verdict v;
	struct example *e;
	size_t i;

	if (*n == HY_ROV_MAX_EXAMPLES)
		return;
	for (i = 0; i < *n; i++)
		if (example_same(&ex[i], r, origin, set))
			return;
	e = &ex[(*n)++];
	memset(e, 0, sizeof(*e));
	e->transit = transit;
	e->pfx = r->pfx;
	e->origin = origin;
	for (i = 0; set != NULL && i < set->len && i < MAX_SET_KEPT; i++)
		e->set[e->nset++] = r->path.asns[set->off + i];
	hy_aspath_str(&r->path, e->path, sizeof(e->path));
	e->peer_family = r->peer_family;
	memcpy(e->peer_ip, r->peer_ip, sizeof(e->peer_ip));
	e->peer_asn = r->peer_asn;
	e->file = rv->cur;
	e->state = state;
	/* The reason names the VRP that makes it invalid. */
	if (hy_vrps_validate(rv->vrps, &r->pfx, origin, set != NULL, true,
	    &v) == 0)
		hy_rpki_reason(&v, origin, set != NULL, e->reason,
		    sizeof(e->reason));
}

static int
transit_mark(struct isp_acc *a, uint32_t id)
{
	size_t w = id / 64, n;
	uint64_t *t;

	if (w >= a->ntransit) {
		n = a->ntransit == 0 ? 64 : a->ntransit;
		while (n <= w)
			n *= 2;
		if ((t = reallocarray(a->transit, n, sizeof(*t))) == NULL)
			return -1;
		memset(t + a->ntransit, 0, (n - a->ntransit) * sizeof(*t));
		a->transit = t;
		a->ntransit = n;
	}
	if (a->transit[w] & (1ULL << (id % 64)))
		return 0;
	a->transit[w] |= 1ULL << (id % 64);
	return 1;
}

/*
 * Credit an invalid route to the ISPs on its path: the feed's own ISP
 * exported it; any other listed ISP whose AS appears on the path (the
 * origin's ISP aside) passed it on as transit.
 */
static int
invalid_route(struct hy_rov *rv, struct sess *s, const struct hy_rib_route *r,
    uint32_t origin, const struct hy_asseg *set, uint64_t sh,
    enum hy_rpki_state state)
{
	const struct hy_aspath *p = &r->path;
	const struct hy_isp *o;
	struct inv_key k;
	struct inv *iv;
	size_t g, i, isp;
	int f = r->pfx.family == 4 ? 0 : 1, m;

	memset(&k, 0, sizeof(k));
	k.family = r->pfx.family;
	k.len = r->pfx.len;
	memcpy(k.addr, r->pfx.addr, sizeof(k.addr));
	k.origin = origin;
	k.as_set = set != NULL;
	k.set_hash = sh;
	if ((iv = inv_get(rv, &k)) == NULL)
		return -1;
	iv->files |= 1ULL << rv->cur;
	if (s->isp != NONE && isp_originates(rv, s->isp, p, set, origin))
		s->own[f]++;
	else {
		/* Other peers' counts make the reference of a typical feed. */
		s->invalid[f]++;
		if (s->isp != NONE)
			example_add(rv, rv->acc[s->isp].ex,
			    &rv->acc[s->isp].nex, false, r, origin, set, state);
	}
	for (g = 0; g < p->nsegs; g++) {
		if (p->segs[g].type != HY_AS_SEQUENCE &&
		    p->segs[g].type != HY_AS_SET)
			continue;
		for (i = 0; i < p->segs[g].len; i++) {
			o = hy_isps_by_asn(rv->isps, p->asns[p->segs[g].off + i]);
			if (o == NULL)
				continue;
			isp = (size_t)(o - rv->isps->v);
			if (isp == s->isp || isp_originates(rv, isp, p, set,
			    origin))
				continue;
			if ((m = transit_mark(&rv->acc[isp], iv->id)) < 0)
				return -1;
			if (m > 0)
				example_add(rv, rv->acc[isp].tx,
				    &rv->acc[isp].ntx, true, r, origin, set,
				    state);
		}
	}
	return 0;
}

static int
rov_route(void *arg, const struct hy_rib_route *r)
{
	struct hy_rov *rv = arg;
	const struct hy_asseg *set;
	struct sess *s;
	enum hy_rpki_state state;
	uint64_t sh = 0;
	uint32_t origin;
	bool as_set;

	if ((s = sess_get(rv, r)) == NULL) {
		rv->oom = true;
		return -1;
	}
	s->routes[r->pfx.family == 4 ? 0 : 1]++;
	hy_aspath_origin(&r->path, r->peer_asn, &origin, &as_set);
	set = as_set ? origin_set(&r->path) : NULL;
	if (set != NULL)
		sh = set_hash(&r->path, set);
	if (validate(rv, &r->pfx, origin, as_set, sh, &state) != 0) {
		rv->oom = true;
		return -1;
	}
	if (state != HY_RPKI_INVALID_ASN && state != HY_RPKI_INVALID_LENGTH)
		return 0;
	if (invalid_route(rv, s, r, origin, set, sh, state) != 0) {
		rv->oom = true;
		return -1;
	}
	return 0;
}

/* ---- reading ---- */

static struct dump *
dump_begin(struct hy_rov *rv, const char *name, char *err, size_t errlen)
{
	struct dump *d;

	if (rv->ndumps == HY_ROV_MAX_FILES) {
		snprintf(err, errlen, "%s: at most %d dumps", name,
		    HY_ROV_MAX_FILES);
		return NULL;
	}
	d = &rv->dumps[rv->ndumps];
	memset(d, 0, sizeof(*d));
	if ((d->name = strdup(name)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	rv->cur = (unsigned)rv->ndumps++;
	rv->last = NONE;
	memset(&rv->cache_pfx, 0xff, sizeof(rv->cache_pfx));
	return d;
}

static int
dump_end(struct hy_rov *rv, int rc, char *err, size_t errlen)
{
	if (rv->oom) {
		snprintf(err, errlen, "%s: out of memory",
		    rv->dumps[rv->cur].name);
		return -1;
	}
	return rc;
}

int
hy_rov_add_file(struct hy_rov *rv, const char *path, char *err,
    size_t errlen)
{
	struct dump *d;

	if ((d = dump_begin(rv, path, err, errlen)) == NULL)
		return -1;
	return dump_end(rv, hy_rib_read_file(path, rov_route, rv, &d->st,
	    err, errlen), err, errlen);
}

int
hy_rov_add_buffer(struct hy_rov *rv, const char *name, const uint8_t *buf,
    size_t len, char *err, size_t errlen)
{
	struct dump *d;

	if ((d = dump_begin(rv, name, err, errlen)) == NULL)
		return -1;
	return dump_end(rv, hy_rib_parse(buf, len, rov_route, rv, &d->st, err,
	    errlen), err, errlen);
}

/* ---- classification ---- */

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Largest feed, full tables and the median invalid full feed. */
static int
dumps_finish(struct hy_rov *rv)
{
	struct sess *s;
	struct dump *d;
	uint64_t *v;
	size_t i, n;
	int f;

	for (i = 0; i < rv->nsess; i++)
		for (f = 0; f < 2; f++) {
			d = &rv->dumps[rv->sess[i].key.file];
			if (rv->sess[i].routes[f] > d->max_routes[f])
				d->max_routes[f] = rv->sess[i].routes[f];
		}
	for (i = 0; i < rv->invcap; i++)
		if (rv->inv[i].used)
			for (n = 0; n < rv->ndumps; n++)
				if (rv->inv[i].files & (1ULL << n))
					rv->dumps[n].view_invalid[
					    rv->inv[i].key.family == 4 ? 0 : 1]++;
	if ((v = calloc(rv->nsess + 1, sizeof(*v))) == NULL)
		return -1;
	for (i = 0; i < rv->nsess; i++) {
		s = &rv->sess[i];
		for (f = 0; f < 2; f++)
			s->full[f] = s->routes[f] > 0 &&
			    (double)s->routes[f] >= HY_ROV_FULL_SHARE *
			    (double)rv->dumps[s->key.file].max_routes[f];
	}
	for (n = 0; n < rv->ndumps; n++)
		for (f = 0; f < 2; f++) {
			size_t k = 0;

			for (i = 0; i < rv->nsess; i++) {
				s = &rv->sess[i];
				if (s->key.file == n && s->full[f] &&
				    s->invalid[f] > 0)
					v[k++] = s->invalid[f];
			}
			qsort(v, k, sizeof(*v), u64_cmp);
			/* the upper median: with two feeds, the larger */
			rv->dumps[n].ref_invalid[f] = k > 0 ? v[k / 2] : 0;
		}
	free(v);
	return 0;
}

static enum feed_verdict
feed_verdict(const struct hy_rov *rv, const struct sess *s, int f)
{
	const struct dump *d = &rv->dumps[s->key.file];

	if (s->routes[f] == 0)
		return FV_NONE;
	if (!s->full[f])
		return FV_NOT_FULL;
	if (s->invalid[f] == 0)
		return d->view_invalid[f] >= HY_ROV_MIN_VIEW_INVALID ?
		    FV_FILTERING : FV_INCONCLUSIVE;
	if ((double)s->invalid[f] <= HY_ROV_FEW_SHARE *
	    (double)d->ref_invalid[f])
		return FV_PARTIAL;
	return FV_NOT_FILTERING;
}

struct tally {
	size_t		 clean, few, many, inconclusive;
	uint64_t	 ref;			/* a few-feed's reference */
	uint64_t	 partial_feed_invalid;	/* on feeds not full */
	uint64_t	 dumps;			/* bit per dump it feeds */
};

/* "1 invalid route" / "2 invalid routes", with the verb agreeing. */
static void
routes_verb(char *buf, size_t len, uint64_t n, const char *one,
    const char *many)
{
	snprintf(buf, len, "%llu invalid route%s %s", (unsigned long long)n,
	    n == 1 ? "" : "s", n == 1 ? one : many);
}

/* Why the weak evidence exists, or "" without any. */
static void
weak_text(char *buf, size_t len, const struct hy_rov_summary *sm,
    const struct tally *t)
{
	char tr[64], pf[64];

	routes_verb(tr, sizeof(tr), sm->invalid_transit, "crosses",
	    "cross");
	snprintf(pf, sizeof(pf), "%llu invalid route%s",
	    (unsigned long long)t->partial_feed_invalid,
	    t->partial_feed_invalid == 1 ? "" : "s");
	buf[0] = '\0';
	if (sm->invalid_transit > 0 && t->partial_feed_invalid > 0)
		snprintf(buf, len, "%s its ASNs on other peers' paths and its "
		    "partial feeds carry %s", tr, pf);
	else if (sm->invalid_transit > 0)
		snprintf(buf, len, "%s its ASNs on other peers' paths", tr);
	else if (t->partial_feed_invalid > 0)
		snprintf(buf, len, "its partial feeds carry %s", pf);
}

/* The verdict and a sentence that says why. */
static void
isp_classify(struct hy_rov_summary *sm, const struct tally *t)
{
	char inv[48], weak[200];
	size_t n = sizeof(sm->reason);
	bool has_weak;

	snprintf(inv, sizeof(inv), "%llu invalid route%s",
	    (unsigned long long)sm->invalid_in_view,
	    sm->invalid_in_view == 1 ? "" : "s");
	weak_text(weak, sizeof(weak), sm, t);
	has_weak = weak[0] != '\0';
	sm->evidence = HY_ROV_EVIDENCE_FEED;
	if (t->clean + t->few + t->many == 0) {
		sm->evidence = has_weak ? HY_ROV_EVIDENCE_TRANSIT :
		    HY_ROV_EVIDENCE_NONE;
		sm->status = has_weak ? HY_ROV_NOT_FILTERING : HY_ROV_NO_DATA;
		if (has_weak)
			snprintf(sm->reason, n, "no conclusive full-table "
			    "feed, but %s (weaker evidence: it passes invalid "
			    "routes; whether it drops others is unknown)", weak);
		else if (sm->feeds == 0)
			snprintf(sm->reason, n, "no feed from its ASNs in the "
			    "dumps and no invalid route crossing them");
		else if (t->inconclusive > 0)
			snprintf(sm->reason, n, "its full-table feeds carry no "
			    "invalid route, but the view holds fewer than %d "
			    "(%s): too few to tell", HY_ROV_MIN_VIEW_INVALID,
			    inv);
		else
			snprintf(sm->reason, n, "no full-table feed (%zu "
			    "partial feed%s without invalid routes) and no "
			    "invalid route crossing its ASNs", sm->feeds,
			    sm->feeds == 1 ? "" : "s");
	} else if (t->few == 0 && t->many == 0) {
		sm->status = has_weak ? HY_ROV_PARTIAL : HY_ROV_FILTERING;
		snprintf(sm->reason, n, "its full-table feeds carry none of "
		    "the %s in the collectors' view%s%s", inv,
		    has_weak ? ", but " : "", weak);
	} else if (t->clean == 0 && t->few == 0) {
		sm->status = HY_ROV_NOT_FILTERING;
		snprintf(sm->reason, n, "its full-table feeds carry %llu of "
		    "the %s in the collectors' view",
		    (unsigned long long)sm->invalid_exported, inv);
	} else if (t->clean > 0) {
		sm->status = HY_ROV_PARTIAL;
		snprintf(sm->reason, n, "invalid routes pass on some of its "
		    "full-table feeds only (per feed and address family: %zu "
		    "without invalid routes, %zu with few, %zu with many; "
		    "%llu exported of the %s in view)", t->clean, t->few,
		    t->many, (unsigned long long)sm->invalid_exported, inv);
	} else {
		sm->status = HY_ROV_PARTIAL;
		snprintf(sm->reason, n, "few invalid routes pass its "
		    "full-table feeds: %llu exported, where the median feed "
		    "carrying invalid routes at that collector has %llu (per "
		    "feed and address family: %zu with few, %zu with many)",
		    (unsigned long long)sm->invalid_exported,
		    (unsigned long long)t->ref, t->few, t->many);
	}
}

static uint64_t
popcount_all(const uint64_t *w, size_t n)
{
	uint64_t c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += (uint64_t)__builtin_popcountll(w[i]);
	return c;
}

int
hy_rov_finish(struct hy_rov *rv)
{
	struct hy_rov_summary *sm;
	struct tally *t;
	struct sess *s;
	uint64_t mask;
	size_t i, j;
	int f;

	if (rv->finished)
		return 0;
	if (dumps_finish(rv) != 0 ||
	    (t = calloc(rv->isps->n + 1, sizeof(*t))) == NULL)
		return -1;
	for (i = 0; i < rv->nsess; i++) {
		s = &rv->sess[i];
		for (f = 0; f < 2; f++)
			s->verdict[f] = feed_verdict(rv, s, f);
		if (s->isp == NONE)
			continue;
		sm = &rv->acc[s->isp].sum;
		sm->feeds++;
		sm->full_feeds += s->full[0] || s->full[1];
		t[s->isp].dumps |= 1ULL << s->key.file;
		for (f = 0; f < 2; f++) {
			sm->routes_exported += s->routes[f];
			sm->invalid_exported += s->invalid[f];
			sm->invalid_own += s->own[f];
			switch (s->verdict[f]) {
			case FV_FILTERING: t[s->isp].clean++; break;
			case FV_PARTIAL:
				t[s->isp].few++;
				if (rv->dumps[s->key.file].ref_invalid[f] >
				    t[s->isp].ref)
					t[s->isp].ref =
					    rv->dumps[s->key.file].ref_invalid[f];
				break;
			case FV_NOT_FILTERING: t[s->isp].many++; break;
			case FV_INCONCLUSIVE: t[s->isp].inconclusive++; break;
			case FV_NOT_FULL:
				t[s->isp].partial_feed_invalid += s->invalid[f];
				break;
			default:
				break;
			}
		}
	}
	for (i = 0; i < rv->isps->n; i++) {
		sm = &rv->acc[i].sum;
		sm->invalid_transit = popcount_all(rv->acc[i].transit,
		    rv->acc[i].ntransit);
		/* The view of the collectors it feeds; all without a feed. */
		mask = t[i].dumps != 0 ? t[i].dumps : ~0ULL;
		for (j = 0; j < rv->invcap; j++)
			if (rv->inv[j].used && (rv->inv[j].files & mask))
				sm->invalid_in_view++;
		isp_classify(sm, &t[i]);
	}
	free(t);
	rv->finished = true;
	return 0;
}

int
hy_rov_check_time(const struct hy_rov *rv, time_t vrp_time, char *err,
    size_t errlen)
{
	const struct dump *d;
	char a[32], b[32];
	struct tm tm;
	time_t t;
	size_t i;

	for (i = 0; i < rv->ndumps; i++) {
		d = &rv->dumps[i];
		if (!d->st.has_time)
			continue;
		if (vrp_time - (time_t)d->st.time_min > HY_ROV_MAX_SKEW)
			t = (time_t)d->st.time_min;
		else if ((time_t)d->st.time_max - vrp_time > HY_ROV_MAX_SKEW)
			t = (time_t)d->st.time_max;
		else
			continue;
		gmtime_r(&t, &tm);
		strftime(a, sizeof(a), "%Y-%m-%dT%H:%M:%SZ", &tm);
		gmtime_r(&vrp_time, &tm);
		strftime(b, sizeof(b), "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(err, errlen, "%s: routes dumped at %s, VRPs valid at "
		    "%s: more than %d h apart, routes whose ROAs changed in "
		    "between would be misjudged (validate an old dump with "
		    "--at TIME and --vrps FILE of that time)", d->name, a, b,
		    HY_ROV_MAX_SKEW / 3600);
		return -1;
	}
	return 0;
}

int
hy_rov_analyse(const struct hy_isp_list *isps, const struct hy_vrps *vrps,
    const char *const *paths, size_t n, time_t vrp_time,
    struct hy_rov **out, char *err, size_t errlen)
{
	struct hy_rov *rv;
	size_t i;

	*out = NULL;
	if ((rv = hy_rov_new(isps, vrps)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (hy_rov_add_file(rv, paths[i], err, errlen) != 0) {
			hy_rov_free(rv);
			return -1;
		}
	*out = rv;
	if (hy_rov_check_time(rv, vrp_time, err, errlen) != 0)
		return -1;
	if (hy_rov_finish(rv) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

uint64_t
hy_rov_malformed(const struct hy_rov *rv)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < rv->ndumps; i++)
		n += rv->dumps[i].st.malformed;
	return n;
}

const struct hy_rov_summary *
hy_rov_isp(const struct hy_rov *rv, size_t i)
{
	return &rv->acc[i].sum;
}

/* ---- JSON ---- */

static json_t *
ip_json(uint8_t family, const uint8_t *ip)
{
	char a[INET6_ADDRSTRLEN];

	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, ip, a, sizeof(a)) ==
	    NULL)
		return json_null();
	return json_string(a);
}

static json_t *
family_json(const struct sess *s, int f)
{
	if (s->routes[f] == 0)
		return NULL;
	return json_pack("{s:I, s:I, s:I, s:b, s:s}",
	    "routes", (json_int_t)s->routes[f],
	    "invalid", (json_int_t)s->invalid[f],
	    "invalid_own", (json_int_t)s->own[f],
	    "full_table", s->full[f], "verdict", fv_names[s->verdict[f]]);
}

static json_t *
feed_json(const struct hy_rov *rv, const struct sess *s)
{
	return json_pack("{s:s, s:o, s:I, s:{s:o*, s:o*}}",
	    "file", rv->dumps[s->key.file].name,
	    "peer_ip", ip_json(s->key.family, s->key.ip),
	    "peer_asn", (json_int_t)s->key.asn,
	    "families", "ipv4", family_json(s, 0), "ipv6", family_json(s, 1));
}

static json_t *
example_json(const struct hy_rov *rv, const struct example *e)
{
	char p[64];
	json_t *o, *set;
	size_t i;

	hy_prefix_str(&e->pfx, p, sizeof(p));
	o = json_pack("{s:s, s:s, s:s, s:o, s:I, s:s, s:s, s:s}",
	    "kind", e->transit ? "transit" : "exported", "prefix", p,
	    "path", e->path, "peer_ip", ip_json(e->peer_family, e->peer_ip),
	    "peer_asn", (json_int_t)e->peer_asn,
	    "file", rv->dumps[e->file].name,
	    "state", hy_rpki_state_str(e->state), "reason", e->reason);
	if (o == NULL)
		return NULL;
	if (e->nset == 0) {
		if (json_object_set_new(o, "origin_asn",
		    json_integer(e->origin)) != 0)
			goto fail;
		return o;
	}
	if ((set = json_array()) == NULL ||
	    json_object_set_new(o, "origin_as_set", set) != 0)
		goto fail;
	for (i = 0; i < e->nset; i++)
		if (json_array_append_new(set, json_integer(e->set[i])) != 0)
			goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

json_t *
hy_rov_isp_json(const struct hy_rov *rv, size_t i)
{
	const struct isp_acc *a = &rv->acc[i];
	const struct hy_rov_summary *sm = &a->sum;
	json_t *o, *feeds, *ex;
	size_t j;

	o = json_pack("{s:s, s:s, s:s, s:[], s:I, s:I, s:I, s:I, s:I, s:[]}",
	    "status", hy_rov_status_str(sm->status),
	    "evidence", evidence_str(sm->evidence), "reason", sm->reason,
	    "feeds", "routes_exported", (json_int_t)sm->routes_exported,
	    "invalid_exported", (json_int_t)sm->invalid_exported,
	    "invalid_own", (json_int_t)sm->invalid_own,
	    "invalid_in_view", (json_int_t)sm->invalid_in_view,
	    "invalid_transit", (json_int_t)sm->invalid_transit,
	    "examples");
	if (o == NULL)
		return NULL;
	feeds = json_object_get(o, "feeds");
	ex = json_object_get(o, "examples");
	for (j = 0; j < rv->nsess; j++)
		if (rv->sess[j].isp == i && json_array_append_new(feeds,
		    feed_json(rv, &rv->sess[j])) != 0)
			goto fail;
	/* Exported evidence first: it is the stronger. */
	for (j = 0; j < a->nex + a->ntx && j < HY_ROV_MAX_EXAMPLES; j++)
		if (json_array_append_new(ex, example_json(rv, j < a->nex ?
		    &a->ex[j] : &a->tx[j - a->nex])) != 0)
			goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *
time_json(uint32_t t)
{
	char buf[32];
	struct tm tm;
	time_t tt = (time_t)t;

	gmtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *
dump_json(const struct dump *d)
{
	json_t *o, *bad;
	size_t i;

	if ((bad = json_array()) == NULL)
		return NULL;
	for (i = 0; i < d->st.malformed && i < HY_RIB_MAX_ERRORS; i++)
		if (json_array_append_new(bad, json_pack("{s:I, s:s}",
		    "record", (json_int_t)d->st.errors[i].where, "reason",
		    d->st.errors[i].reason)) != 0) {
			json_decref(bad);
			return NULL;
		}
	o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
	    "name", d->name, "format", hy_rib_format_str(d->st.format),
	    "compression", hy_rib_compression_str(d->st.compression),
	    "records", (json_int_t)d->st.records,
	    "routes", (json_int_t)d->st.routes,
	    "skipped", (json_int_t)d->st.skipped,
	    "malformed", (json_int_t)d->st.malformed,
	    "malformed_records", bad,
	    "dump_time_first", d->st.has_time ? time_json(d->st.time_min) :
	    json_null(),
	    "dump_time_last", d->st.has_time ? time_json(d->st.time_max) :
	    json_null());
	return o;
}

json_t *
hy_rov_source_json(const struct hy_rov *rv)
{
	json_t *o, *files;
	uint64_t routes = 0;
	size_t i;

	if ((files = json_array()) == NULL)
		return NULL;
	for (i = 0; i < rv->ndumps; i++) {
		routes += rv->dumps[i].st.routes;
		if (json_array_append_new(files, dump_json(&rv->dumps[i])) != 0) {
			json_decref(files);
			return NULL;
		}
	}
	o = json_pack("{s:o, s:I, s:I, s:I, s:{s:f, s:i, s:f, s:i}}",
	    "files", files, "sessions", (json_int_t)rv->nsess,
	    "routes", (json_int_t)routes,
	    "invalid_routes", (json_int_t)rv->ninv,
	    "rule", "full_table_share", HY_ROV_FULL_SHARE,
	    "min_view_invalid", HY_ROV_MIN_VIEW_INVALID,
	    "few_invalid_share", HY_ROV_FEW_SHARE,
	    "max_time_skew_s", HY_ROV_MAX_SKEW);
	return o;
}
