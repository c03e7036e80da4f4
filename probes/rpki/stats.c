/*
 * Per-ISP route origin validation statistics: route counts by state,
 * address space by state, ROA coverage and RFC 9319 loose ROAs. Shared by
 * `hygiene rpki` and the survey's stats.json.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/rpki.h"

/* One of the ISP's routes and its state. */
struct item {
	uint32_t	route;		/* index into hy_routes.v */
	uint8_t		state;
};

static int u32_cmp(const void *, const void *);

struct acc {
	struct hy_rpki_stats *st;
	struct item	*items;
	size_t		 nitems, itemcap;
	size_t		 detailcap;
	bool		 detail;
	const uint8_t	*states;	/* precomputed, may be NULL */
};

static int
item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	return (a->route > b->route) - (a->route < b->route);
}

static unsigned __int128
addr_value(const struct hy_prefix *p)
{
	unsigned __int128 v = 0;
	unsigned i, bytes = p->family == 4 ? 4 : 16;

	for (i = 0; i < bytes; i++)
		v = v << 8 | p->addr[i];
	return v;
}

/* A range size in units of 2^shift addresses: exact for whole units, the
 * fraction covers prefixes longer than the unit. */
static double
units(unsigned __int128 n, unsigned shift)
{
	return (double)(n >> shift) + (double)(n &
	    (((unsigned __int128)1 << shift) - 1)) / ldexp(1.0, (int)shift);
}

/*
 * Size of the union of the prefixes of family fam whose state is in the
 * mask. The items are in table order, which is address order, so the
 * ranges arrive sorted by their start and one pass merges them.
 */
static double
space_union(const struct acc *a, const struct hy_routes *r, uint8_t fam,
    unsigned mask)
{
	unsigned bits = fam == 4 ? 32 : 128, shift = fam == 4 ? 8 : 80;
	unsigned __int128 lo = 0, hi = 0, total = 0, l, h;
	const struct hy_prefix *p;
	bool open = false;
	size_t i;

	for (i = 0; i < a->nitems; i++) {
		p = &r->v[a->items[i].route].pfx;
		if (p->family != fam || !(mask & (1u << a->items[i].state)))
			continue;
		l = addr_value(p);
		h = l + ((unsigned __int128)1 << (bits - p->len));
		if (open && l <= hi) {
			if (h > hi)
				hi = h;
			continue;
		}
		if (open)
			total += hi - lo;
		lo = l;
		hi = h;
		open = true;
	}
	if (open)
		total += hi - lo;
	return units(total, shift);
}

static void
space_all(struct acc *a, const struct hy_routes *r)
{
	struct hy_rpki_stats *st = a->st;
	unsigned all = (1u << HY_RPKI_NSTATES) - 1;
	unsigned inv = 1u << HY_RPKI_INVALID_ASN |
	    1u << HY_RPKI_INVALID_LENGTH;
	size_t i;
	int s;

	/* Table order; one ISP's single-AS routes usually are already. */
	for (i = 1; i < a->nitems; i++)
		if (a->items[i - 1].route > a->items[i].route) {
			qsort(a->items, a->nitems, sizeof(*a->items),
			    item_cmp);
			break;
		}
	for (s = 0; s < HY_RPKI_NSTATES; s++) {
		st->v4_24[s] = space_union(a, r, 4, 1u << s);
		st->v6_48[s] = space_union(a, r, 6, 1u << s);
	}
	st->v4_24[HY_RPKI_INVALID] = space_union(a, r, 4, inv);
	st->v6_48[HY_RPKI_INVALID] = space_union(a, r, 6, inv);
	st->v4_24[HY_RPKI_ALL] = space_union(a, r, 4, all);
	st->v6_48[HY_RPKI_ALL] = space_union(a, r, 6, all);
}

static int
account(struct acc *a, size_t idx, const struct hy_rpki_verdict *v)
{
	struct hy_rpki_stats *st = a->st;
	struct hy_rpki_route_result *nd;

	st->routes[v->state]++;
	st->nroutes++;
	if (a->nitems == a->itemcap) {
		size_t ncap = a->itemcap == 0 ? 64 : a->itemcap * 2;
		struct item *ni;

		if ((ni = reallocarray(a->items, ncap, sizeof(*ni))) == NULL)
			return -1;
		a->items = ni;
		a->itemcap = ncap;
	}
	a->items[a->nitems].route = (uint32_t)idx;
	a->items[a->nitems].state = (uint8_t)v->state;
	a->nitems++;
	if (!a->detail)
		return 0;
	if (st->ndetail == a->detailcap) {
		size_t ncap = a->detailcap == 0 ? 64 : a->detailcap * 2;

		if ((nd = reallocarray(st->detail, ncap, sizeof(*nd))) == NULL)
			return -1;
		st->detail = nd;
		a->detailcap = ncap;
	}
	st->detail[st->ndetail].route = idx;
	st->detail[st->ndetail].verdict = *v;
	st->ndetail++;
	return 0;
}

static bool
has_asn(const uint32_t *asns, size_t n, uint32_t asn)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (asns[mid] == asn)
			return true;
		if (asns[mid] < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* First index in by_asn whose route has origin >= asn. */
static size_t
asn_lower(const struct hy_routes *r, uint32_t asn)
{
	size_t lo = 0, hi = r->nby_asn, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (r->v[r->by_asn[mid]].asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* One route's verdict: from the precomputed states when there are any
 * (and no reason is wanted), else from the VRPs. */
static int
verdict_of(struct acc *a, const struct hy_vrps *vs, const struct hy_routes *r,
    size_t idx, struct hy_rpki_verdict *v)
{
	const struct hy_route *rt = &r->v[idx];

	if (a->states != NULL && !a->detail &&
	    a->states[idx] < HY_RPKI_NSTATES) {
		memset(v, 0, sizeof(*v));
		v->state = (enum hy_rpki_state)a->states[idx];
		return 0;
	}
	return hy_vrps_validate(vs, &rt->pfx, rt->asn, rt->set_len > 0,
	    a->detail, v);
}

static bool
set_hits(const struct hy_routes *r, const struct hy_route *rt,
    const uint32_t *asns, size_t nasns)
{
	size_t k;

	for (k = 0; k < rt->set_len; k++)
		if (has_asn(asns, nasns, r->sets[rt->set_off + k]))
			return true;
	return false;
}

static int
validate_routes(struct acc *a, const struct hy_vrps *vs,
    const struct hy_routes *r, const uint32_t *asns, size_t nasns)
{
	struct hy_rpki_verdict v;
	size_t i, j;

	for (i = 0; i < nasns; i++) {
		for (j = asn_lower(r, asns[i]); j < r->nby_asn &&
		    r->v[r->by_asn[j]].asn == asns[i]; j++)
			if (verdict_of(a, vs, r, r->by_asn[j], &v) != 0 ||
			    account(a, r->by_asn[j], &v) != 0)
				return -1;
	}
	/* AS_SET origins: the ISP's if any member is one of its ASNs. */
	for (i = 0; i < r->nsetroutes; i++) {
		if (!set_hits(r, &r->v[r->setroutes[i]], asns, nasns))
			continue;
		if (verdict_of(a, vs, r, r->setroutes[i], &v) != 0 ||
		    account(a, r->setroutes[i], &v) != 0)
			return -1;
	}
	return 0;
}

/* Sorted, duplicate-free copy of asns (a spare slot for n == 0). */
static uint32_t *
asns_sorted(const uint32_t *in, size_t n, size_t *nout)
{
	uint32_t *a;
	size_t i, k = 0;

	if ((a = reallocarray(NULL, n + 1, sizeof(*a))) == NULL)
		return NULL;
	if (n > 0)
		memcpy(a, in, n * sizeof(*a));
	qsort(a, n, sizeof(*a), u32_cmp);
	for (i = 0; i < n; i++)
		if (k == 0 || a[k - 1] != a[i])
			a[k++] = a[i];
	*nout = k;
	return a;
}

uint8_t *
hy_rpki_states(const struct hy_vrps *vs, const struct hy_routes *r,
    const uint32_t *asns_in, size_t nasns_in)
{
	struct hy_rpki_verdict v;
	const struct hy_route *rt;
	uint8_t *st = NULL;
	uint32_t *asns;
	size_t nasns, i, j;

	if ((asns = asns_sorted(asns_in, nasns_in, &nasns)) == NULL ||
	    (st = malloc(r->n + 1)) == NULL)
		goto fail;
	memset(st, 0xff, r->n + 1);
	for (i = 0; i < nasns; i++)
		for (j = asn_lower(r, asns[i]); j < r->nby_asn &&
		    r->v[r->by_asn[j]].asn == asns[i]; j++)
			st[r->by_asn[j]] = HY_RPKI_NSTATES;
	for (i = 0; i < r->nsetroutes; i++)
		if (set_hits(r, &r->v[r->setroutes[i]], asns, nasns))
			st[r->setroutes[i]] = HY_RPKI_NSTATES;
	/* In table order: neighbouring prefixes walk the same trie nodes. */
	for (i = 0; i < r->n; i++) {
		if (st[i] != HY_RPKI_NSTATES)
			continue;
		rt = &r->v[i];
		if (hy_vrps_validate(vs, &rt->pfx, rt->asn, rt->set_len > 0,
		    false, &v) != 0)
			goto fail;
		st[i] = (uint8_t)v.state;
	}
	free(asns);
	return st;
fail:
	free(asns);
	free(st);
	return NULL;
}

/* Distinct prefixes asn announces inside v.pfx up to v.max_len. */
static uint64_t
announced_within(const struct hy_routes *r, const struct hy_vrp *v)
{
	size_t lo = asn_lower(r, v->asn), hi, mid, j;
	uint64_t n = 0;

	hi = lo;
	while (hi < r->nby_asn && r->v[r->by_asn[hi]].asn == v->asn)
		hi++;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (hy_prefix_cmp(&r->v[r->by_asn[mid]].pfx, &v->pfx) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (j = lo; j < r->nby_asn && r->v[r->by_asn[j]].asn == v->asn &&
	    hy_prefix_covers(&v->pfx, &r->v[r->by_asn[j]].pfx); j++)
		if (r->v[r->by_asn[j]].pfx.len <= v->max_len)
			n++;
	return n;
}

/* First VRP with asn >= the given one. */
static size_t
vrp_lower(const struct hy_vrp *v, size_t n, uint32_t asn)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (v[mid].asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * RFC 9319: a ROA whose maxLength exceeds its prefix length is loose
 * unless the AS announces every prefix it allows.
 */
static int
find_loose(struct hy_rpki_stats *st, const struct hy_vrps *vs,
    const struct hy_routes *r, const uint32_t *asns, size_t nasns)
{
	const struct hy_vrp *all = hy_vrps_all(vs);
	size_t n = hy_vrps_count(vs), i, j, cap = 0;
	struct hy_loose_roa *nl;
	uint64_t ann;
	double allowed;

	for (i = 0; i < nasns; i++) {
		for (j = vrp_lower(all, n, asns[i]); j < n &&
		    all[j].asn == asns[i]; j++) {
			st->nvrps++;
			if (all[j].max_len <= all[j].pfx.len)
				continue;
			allowed = ldexp(1.0, all[j].max_len - all[j].pfx.len +
			    1) - 1;
			ann = announced_within(r, &all[j]);
			if ((double)ann >= allowed)
				continue;
			if (st->nloose == cap) {
				cap = cap == 0 ? 16 : cap * 2;
				if ((nl = reallocarray(st->loose, cap,
				    sizeof(*nl))) == NULL)
					return -1;
				st->loose = nl;
			}
			st->loose[st->nloose].vrp = all[j];
			st->loose[st->nloose].announced = ann;
			st->loose[st->nloose].allowed = allowed;
			st->nloose++;
		}
	}
	return 0;
}

static int
u32_cmp(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;

	return a < b ? -1 : a > b;
}

int
hy_rpki_isp_stats(const struct hy_vrps *vs, const struct hy_routes *r,
    const uint8_t *states, const uint32_t *asns_in, size_t nasns_in,
    bool want_detail, struct hy_rpki_stats **out)
{
	struct acc a;
	uint32_t *asns;
	size_t nasns = 0;
	int rc = -1;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.detail = want_detail;
	a.states = states;
	/* Sorted and unique, so no route is counted twice. */
	if ((asns = asns_sorted(asns_in, nasns_in, &nasns)) == NULL)
		return -1;
	if ((a.st = calloc(1, sizeof(*a.st))) == NULL)
		goto out;
	a.st->detailed = want_detail;
	if (validate_routes(&a, vs, r, asns, nasns) != 0 ||
	    find_loose(a.st, vs, r, asns, nasns) != 0)
		goto out;
	space_all(&a, r);
	rc = 0;
out:
	free(a.items);
	free(asns);
	if (rc == 0)
		*out = a.st;
	else
		hy_rpki_stats_free(a.st);
	return rc;
}

void
hy_rpki_stats_free(struct hy_rpki_stats *st)
{
	if (st == NULL)
		return;
	free(st->loose);
	free(st->detail);
	free(st);
}

/* {"valid", "invalid", "not-found", "invalid-asn", "invalid-length"}
 * from five values in state order plus the invalid total. */
static json_t *
by_state(const double *v, bool integers, double invalid)
{
	json_t *o = json_object();
	static const enum hy_rpki_state order[] = { HY_RPKI_VALID,
	    HY_RPKI_NOT_FOUND, HY_RPKI_INVALID_ASN, HY_RPKI_INVALID_LENGTH };
	size_t i;

	if (o == NULL)
		return NULL;
	for (i = 0; i < 4; i++)
		if (json_object_set_new(o, hy_rpki_state_str(order[i]),
		    integers ? json_integer((json_int_t)v[order[i]]) :
		    json_real(v[order[i]])) != 0)
			goto fail;
	if (json_object_set_new(o, "invalid", integers ?
	    json_integer((json_int_t)invalid) : json_real(invalid)) != 0)
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *
space_json(const double *v)
{
	json_t *o = by_state(v, false, v[HY_RPKI_INVALID]);

	if (o != NULL && json_object_set_new(o, "total",
	    json_real(v[HY_RPKI_ALL])) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *
origin_json(const struct hy_routes *r, const struct hy_route *rt)
{
	json_t *a;
	size_t k;

	if (rt->set_len == 0)
		return json_integer(rt->asn);
	if ((a = json_array()) == NULL)
		return NULL;
	for (k = 0; k < rt->set_len; k++)
		if (json_array_append_new(a,
		    json_integer(r->sets[rt->set_off + k])) != 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *
detail_json(const struct hy_rpki_stats *st, const struct hy_routes *r)
{
	const struct hy_route *rt;
	char p[64], why[256];
	json_t *a, *e;
	size_t i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < st->ndetail; i++) {
		rt = &r->v[st->detail[i].route];
		hy_prefix_str(&rt->pfx, p, sizeof(p));
		hy_rpki_reason(&st->detail[i].verdict, rt->asn,
		    rt->set_len > 0, why, sizeof(why));
		e = json_pack("{s:s, s:o, s:s, s:s, s:s}", "prefix", p,
		    rt->set_len > 0 ? "origin_as_set" : "origin_asn",
		    origin_json(r, rt),
		    "state", hy_rpki_state_rfc(st->detail[i].verdict.state),
		    "reason_code", hy_rpki_state_str(st->detail[i].verdict.state),
		    "reason", why);
		if (e == NULL || json_array_append_new(a, e) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *
hy_rpki_stats_fix_json(const struct hy_rpki_stats *st,
    const struct hy_routes *r)
{
	const struct hy_rpki_verdict *v;
	const struct hy_route *rt;
	char p[64], vp[64], why[256];
	json_t *a, *e;
	size_t i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < st->ndetail; i++) {
		v = &st->detail[i].verdict;
		if (v->state == HY_RPKI_VALID)
			continue;
		rt = &r->v[st->detail[i].route];
		hy_prefix_str(&rt->pfx, p, sizeof(p));
		hy_rpki_reason(v, rt->asn, rt->set_len > 0, why, sizeof(why));
		e = json_pack("{s:s, s:o, s:s, s:s, s:s}", "prefix", p,
		    rt->set_len > 0 ? "origin_as_set" : "origin_asn",
		    origin_json(r, rt), "state", hy_rpki_state_rfc(v->state),
		    "reason_code", hy_rpki_state_str(v->state), "reason", why);
		if (e != NULL && v->state != HY_RPKI_NOT_FOUND && v->has_vrp) {
			hy_prefix_str(&v->vrp.pfx, vp, sizeof(vp));
			if (json_object_set_new(e, "vrp", json_pack("{s:s, s:i, "
			    "s:I}", "prefix", vp, "max_length", v->vrp.max_len,
			    "asn", (json_int_t)v->vrp.asn)) != 0) {
				json_decref(e);
				e = NULL;
			}
		}
		if (e == NULL || json_array_append_new(a, e) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *
loose_json(const struct hy_rpki_stats *st)
{
	json_t *a, *e;
	char p[64];
	size_t i;

	if ((a = json_array()) == NULL)
		return NULL;
	for (i = 0; i < st->nloose; i++) {
		hy_prefix_str(&st->loose[i].vrp.pfx, p, sizeof(p));
		e = json_pack("{s:s, s:i, s:I, s:I, s:f}", "prefix", p,
		    "max_length", st->loose[i].vrp.max_len,
		    "asn", (json_int_t)st->loose[i].vrp.asn,
		    "announced", (json_int_t)st->loose[i].announced,
		    "allowed", st->loose[i].allowed);
		if (e == NULL || json_array_append_new(a, e) != 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *
hy_rpki_stats_json(const struct hy_rpki_stats *st, const struct hy_routes *r)
{
	double counts[HY_RPKI_NSTATES];
	uint64_t covered = st->nroutes - st->routes[HY_RPKI_NOT_FOUND];
	json_t *o;
	int s;

	for (s = 0; s < HY_RPKI_NSTATES; s++)
		counts[s] = (double)st->routes[s];
	o = json_pack("{s:o, s:{s:o, s:o}, s:o, s:I, s:I, s:{s:I, s:o}}",
	    "routes", by_state(counts, true,
	    (double)(st->routes[HY_RPKI_INVALID_ASN] +
	    st->routes[HY_RPKI_INVALID_LENGTH])),
	    "address_space", "ipv4_24s", space_json(st->v4_24),
	    "ipv6_48s", space_json(st->v6_48),
	    "roa_coverage", st->nroutes == 0 ? json_null() :
	    json_real((double)covered / (double)st->nroutes),
	    "route_count", (json_int_t)st->nroutes,
	    "vrps", (json_int_t)st->nvrps,
	    "loose_roas", "count", (json_int_t)st->nloose,
	    "vrps", loose_json(st));
	if (o != NULL && st->detailed &&
	    json_object_set_new(o, "routes_detail", detail_json(st, r)) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}
