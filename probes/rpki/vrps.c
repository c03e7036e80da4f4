/*
 * VRP sets: loaded from rpki-client/Routinator/stayrtr JSON or synced
 * from an RTR cache (rtr.c), held in an rtrlib pfx_table for validation
 * and in an array sorted by (asn, prefix) for per-AS questions.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <rtrlib/rtrlib.h>

#include "hygiene/rpki.h"
#include "rpki_int.h"

static const char *const state_names[HY_RPKI_NSTATES] = {
	"valid", "invalid-asn", "invalid-length", "not-found",
};

const char *
hy_rpki_state_str(enum hy_rpki_state s)
{
	return s < HY_RPKI_NSTATES ? state_names[s] : "?";
}

const char *
hy_rpki_state_rfc(enum hy_rpki_state s)
{
	switch (s) {
	case HY_RPKI_VALID:
		return "valid";
	case HY_RPKI_INVALID_ASN:
	case HY_RPKI_INVALID_LENGTH:
		return "invalid";
	default:
		return "not-found";
	}
}

static void
to_lrtr(const struct hy_prefix *p, struct lrtr_ip_addr *ip)
{
	int i;

	memset(ip, 0, sizeof(*ip));
	if (p->family == 4) {
		ip->ver = LRTR_IPV4;
		ip->u.addr4.addr = (uint32_t)p->addr[0] << 24 |
		    (uint32_t)p->addr[1] << 16 | (uint32_t)p->addr[2] << 8 |
		    p->addr[3];
		return;
	}
	ip->ver = LRTR_IPV6;
	for (i = 0; i < 4; i++)
		ip->u.addr6.addr[i] = (uint32_t)p->addr[4 * i] << 24 |
		    (uint32_t)p->addr[4 * i + 1] << 16 |
		    (uint32_t)p->addr[4 * i + 2] << 8 | p->addr[4 * i + 3];
}

void
from_lrtr(const struct lrtr_ip_addr *ip, uint8_t len, struct hy_prefix *p)
{
	int i, w;

	memset(p, 0, sizeof(*p));
	p->len = len;
	if (ip->ver == LRTR_IPV4) {
		p->family = 4;
		for (i = 0; i < 4; i++)
			p->addr[i] = (uint8_t)(ip->u.addr4.addr >> (24 - 8 * i));
		return;
	}
	p->family = 6;
	for (w = 0; w < 4; w++)
		for (i = 0; i < 4; i++)
			p->addr[4 * w + i] =
			    (uint8_t)(ip->u.addr6.addr[w] >> (24 - 8 * i));
}

struct hy_vrps *
vrps_new(enum hy_vrps_source src, const char *name)
{
	struct hy_vrps *vs;

	if ((vs = calloc(1, sizeof(*vs))) == NULL)
		return NULL;
	if ((vs->name = strdup(name)) == NULL) {
		free(vs);
		return NULL;
	}
	vs->source = src;
	pfx_table_init(&vs->table, NULL);
	return vs;
}

void
hy_vrps_free(struct hy_vrps *vs)
{
	if (vs == NULL)
		return;
	pfx_table_free(&vs->table);
	free(vs->v);
	free(vs->name);
	free(vs);
}

/* Append to the array. -1 on OOM. */
int
vrps_push(struct hy_vrps *vs, const struct hy_vrp *v)
{
	struct hy_vrp *nv;

	if (vs->n == vs->cap) {
		size_t ncap = vs->cap == 0 ? 4096 : vs->cap * 2;

		if ((nv = reallocarray(vs->v, ncap, sizeof(*nv))) == NULL)
			return -1;
		vs->v = nv;
		vs->cap = ncap;
	}
	vs->v[vs->n++] = *v;
	return 0;
}

static int
vrp_cmp(const void *pa, const void *pb)
{
	const struct hy_vrp *a = pa, *b = pb;
	int c;

	if (a->asn != b->asn)
		return a->asn < b->asn ? -1 : 1;
	if ((c = hy_prefix_cmp(&a->pfx, &b->pfx)) != 0)
		return c;
	return (a->max_len > b->max_len) - (a->max_len < b->max_len);
}

/* Sort by (asn, prefix, maxLength) and drop duplicates. */
void
vrps_sort(struct hy_vrps *vs)
{
	size_t i, o;

	if (vs->n == 0)
		return;
	qsort(vs->v, vs->n, sizeof(*vs->v), vrp_cmp);
	for (i = o = 0; i < vs->n; i++)
		if (o == 0 || vrp_cmp(&vs->v[o - 1], &vs->v[i]) != 0)
			vs->v[o++] = vs->v[i];
	vs->n = o;
}

/* Shorter prefixes first: rtrlib's trie then keeps covering prefixes
 * near the root and lookups stay short (file order made validation
 * about 3x slower on a 400k-VRP set). */
static int
by_len_cmp(const void *pa, const void *pb)
{
	const struct hy_vrp *a = *(const struct hy_vrp *const *)pa;
	const struct hy_vrp *b = *(const struct hy_vrp *const *)pb;

	if (a->pfx.len != b->pfx.len)
		return a->pfx.len < b->pfx.len ? -1 : 1;
	return hy_prefix_cmp(&a->pfx, &b->pfx);
}

/* Fill the pfx_table from the sorted, unique array. -1 on OOM. */
static int
vrps_build_table(struct hy_vrps *vs)
{
	const struct hy_vrp **order;
	struct pfx_record rec;
	size_t i;
	int rc = -1;

	if ((order = reallocarray(NULL, vs->n + 1, sizeof(*order))) == NULL)
		return -1;
	for (i = 0; i < vs->n; i++)
		order[i] = &vs->v[i];
	qsort(order, vs->n, sizeof(*order), by_len_cmp);
	memset(&rec, 0, sizeof(rec));
	for (i = 0; i < vs->n; i++) {
		to_lrtr(&order[i]->pfx, &rec.prefix);
		rec.asn = order[i]->asn;
		rec.min_len = order[i]->pfx.len;
		rec.max_len = order[i]->max_len;
		if (pfx_table_add(&vs->table, &rec) == PFX_ERROR)
			goto out;
	}
	rc = 0;
out:
	free(order);
	return rc;
}

/* "AS64500", "as64500", "64500" or 64500. */
static int
json_asn(json_t *j, uint32_t *asn)
{
	const char *s;
	char *end;
	unsigned long long v;

	if (json_is_integer(j)) {
		if (json_integer_value(j) < 0 ||
		    json_integer_value(j) > (json_int_t)UINT32_MAX)
			return -1;
		*asn = (uint32_t)json_integer_value(j);
		return 0;
	}
	if (!json_is_string(j))
		return -1;
	s = json_string_value(j);
	if (strncasecmp(s, "AS", 2) == 0)
		s += 2;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return -1;
	*asn = (uint32_t)v;
	return 0;
}

static int
json_vrp(json_t *e, struct hy_vrp *v, const char **why)
{
	json_t *p = json_object_get(e, "prefix");
	json_t *ml = json_object_get(e, "maxLength");
	unsigned maxbits;

	*why = "not an object";
	if (!json_is_object(e))
		return -1;
	*why = "bad prefix";
	if (!json_is_string(p) || hy_prefix_parse(json_string_value(p),
	    json_string_length(p), &v->pfx) != 0)
		return -1;
	/* rtrlib 0.8 aborts on a zero-length prefix (an assertion in
	 * lrtr_get_bits); refuse the file rather than drop the VRP, which
	 * would turn the invalids it causes into not-found. */
	*why = "a /0 prefix, which rtrlib cannot hold";
	if (v->pfx.len == 0)
		return -1;
	*why = "bad asn";
	if (json_asn(json_object_get(e, "asn"), &v->asn) != 0)
		return -1;
	maxbits = v->pfx.family == 4 ? 32 : 128;
	*why = "bad maxLength";
	if (ml == NULL)
		v->max_len = v->pfx.len;	/* RFC 6482: absent = length */
	else if (!json_is_integer(ml) || json_integer_value(ml) <
	    v->pfx.len || json_integer_value(ml) > maxbits)
		return -1;
	else
		v->max_len = (uint8_t)json_integer_value(ml);
	return 0;
}

int
hy_rpki_parse_time(const char *s, time_t *out)
{
	struct tm tm;
	const char *rest;
	long off = 0;

	memset(&tm, 0, sizeof(tm));
	if ((rest = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++)
			;
	if (*rest == 'Z' || *rest == 'z')
		rest++;
	else if ((*rest == '+' || *rest == '-') && strlen(rest) == 6 &&
	    rest[3] == ':') {
		off = ((rest[1] - '0') * 10L + (rest[2] - '0')) * 3600 +
		    ((rest[4] - '0') * 10L + (rest[5] - '0')) * 60;
		if (*rest == '+')
			off = -off;
		rest += 6;
	}
	if (*rest != '\0')
		return -1;
	*out = timegm(&tm) + off;
	return 0;
}

/*
 * When a VRP stops being valid, 0 if the file does not say: rpki-client
 * and stayrtr write "expires" (UNIX seconds), Routinator's jsonext the
 * validity of each ROA chain that yields it (the VRP holds while any of
 * them does). -1 if present but unusable.
 */
static int
json_vrp_expires(json_t *e, time_t *exp)
{
	json_t *x = json_object_get(e, "expires"), *src;
	const char *na;
	time_t t;
	size_t i;

	*exp = 0;
	if (x != NULL) {
		if (!json_is_integer(x) || json_integer_value(x) <= 0)
			return -1;
		*exp = (time_t)json_integer_value(x);
		return 0;
	}
	json_array_foreach(json_object_get(e, "source"), i, src) {
		na = json_string_value(json_object_get(json_object_get(src,
		    "chainValidity"), "notAfter"));
		if (na == NULL)
			continue;
		if (hy_rpki_parse_time(na, &t) != 0)
			return -1;
		if (t > *exp)
			*exp = t;
	}
	return 0;
}

/*
 * The generator and the build time from "metadata": rpki-client writes
 * buildmachine and buildtime, Routinator generated and generatedTime,
 * stayrtr (and the Cloudflare-style files it reads) buildtime and/or
 * generated. -1 with *why if a build time is there but unusable.
 */
static int
vrps_meta(struct hy_vrps *vs, json_t *meta, const char **why)
{
	json_t *bt = json_object_get(meta, "buildtime");
	json_t *gen = json_object_get(meta, "generated");
	json_t *gt = json_object_get(meta, "generatedTime");

	if (json_object_get(meta, "buildmachine") != NULL)
		vs->format = "rpki-client";
	else if (gt != NULL)
		vs->format = "routinator";
	else if (bt != NULL || gen != NULL)
		vs->format = "stayrtr";
	else
		vs->format = "unknown";
	*why = "metadata: bad build time";
	if (bt != NULL)
		return json_is_string(bt) && hy_rpki_parse_time(
		    json_string_value(bt), &vs->built) == 0 ? 0 : -1;
	if (gen != NULL) {
		if (!json_is_integer(gen) || json_integer_value(gen) <= 0)
			return -1;
		vs->built = (time_t)json_integer_value(gen);
		return 0;
	}
	if (gt != NULL)
		return json_is_string(gt) && hy_rpki_parse_time(
		    json_string_value(gt), &vs->built) == 0 ? 0 : -1;
	return 0;
}

static int vrps_check_age(const struct hy_vrps *,
    const struct hy_vrps_opts *, char *, size_t);

/* hy_vrps_load_json(), with the file's age checked against o (if not
 * NULL) before its VRPs are read. */
static int
vrps_parse(const char *buf, size_t len, const char *name, time_t at,
    const struct hy_vrps_opts *o, struct hy_vrps **out, char *err,
    size_t errlen)
{
	struct hy_vrps *vs = NULL;
	json_t *root, *roas, *e;
	json_error_t je;
	struct hy_vrp v;
	const char *why;
	time_t exp;
	size_t i;
	int rc = -1;

	*out = NULL;
	if ((root = json_loadb(buf, len, 0, &je)) == NULL) {
		snprintf(err, errlen, "%s: not a complete JSON document "
		    "(truncated or corrupt?): line %d: %s", name, je.line,
		    je.text);
		return -1;
	}
	roas = json_is_array(root) ? root : json_object_get(root, "roas");
	if (!json_is_array(roas)) {
		snprintf(err, errlen, "%s: no \"roas\" array", name);
		goto out;
	}
	if ((vs = vrps_new(HY_VRPS_FILE, name)) == NULL)
		goto oom;
	if (vrps_meta(vs, json_object_get(root, "metadata"), &why) != 0) {
		snprintf(err, errlen, "%s: %s", name, why);
		goto out;
	}
	if (o != NULL && vrps_check_age(vs, o, err, errlen) != 0)
		goto out;
	json_array_foreach(roas, i, e) {
		if (json_vrp(e, &v, &why) != 0) {
			snprintf(err, errlen, "%s: roas[%zu]: %s", name, i, why);
			goto out;
		}
		if (json_vrp_expires(e, &exp) != 0) {
			snprintf(err, errlen, "%s: roas[%zu]: bad expiry", name,
			    i);
			goto out;
		}
		/* Expired at the validation time: dropped, as stayrtr does
		 * when it serves such a file. */
		if (at != 0 && exp != 0 && exp < at) {
			vs->expired++;
			continue;
		}
		if (vrps_push(vs, &v) != 0)
			goto oom;
	}
	if (vs->n == 0) {
		/* Validating against nothing says not-found for everything. */
		snprintf(err, errlen, "%s: no VRPs in the file%s", name,
		    vs->expired ? " that have not expired" : "");
		goto out;
	}
	vrps_sort(vs);
	if (vrps_build_table(vs) != 0)
		goto oom;
	*out = vs;
	vs = NULL;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "%s: out of memory", name);
out:
	hy_vrps_free(vs);
	json_decref(root);
	return rc;
}

int
hy_vrps_load_json(const char *buf, size_t len, const char *name, time_t at,
    struct hy_vrps **out, char *err, size_t errlen)
{
	return vrps_parse(buf, len, name, at, NULL, out, err, errlen);
}

static int
vrps_read(const char *path, time_t at, const struct hy_vrps_opts *o,
    struct hy_vrps **out, char *err, size_t errlen)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if (hy_rpki_slurp(path, false, &buf, &len, err, errlen) != 0)
		return -1;
	rc = vrps_parse(buf, len, path, at, o, out, err, errlen);
	free(buf);
	return rc;
}

int
hy_vrps_load_file(const char *path, time_t at, struct hy_vrps **out,
    char *err, size_t errlen)
{
	return vrps_read(path, at, NULL, out, err, errlen);
}

void
hy_vrps_opts_init(struct hy_vrps_opts *o, const struct hy_config *cfg)
{
	memset(o, 0, sizeof(*o));
	o->file = cfg->vrps;
	o->rtr.hostport = cfg->rtr;
	o->rtr.timeout_ms = cfg->rtr_timeout_ms;
	o->at = cfg->now;
	o->at_pinned = cfg->at_set;
	o->max_age_s = cfg->vrps_max_age_s;
}

static void
fmt_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/*
 * Does the file describe the validation time? Built at most max_age
 * before it, and not after it (a few minutes of clock skew allowed).
 */
static int
vrps_check_age(const struct hy_vrps *vs, const struct hy_vrps_opts *o,
    char *err, size_t errlen)
{
	const char *when = o->at_pinned ? "--at" : "now";
	char built[32], at[32];
	double hours;

	if (o->max_age_s == 0)
		return 0;
	if (vs->built == 0) {
		snprintf(err, errlen, "%s: no build time in its metadata "
		    "(buildtime, generated or generatedTime), so its age is "
		    "unknown; --vrps-max-age 0 accepts it anyway", vs->name);
		return -1;
	}
	fmt_time(vs->built, built, sizeof(built));
	fmt_time(o->at, at, sizeof(at));
	if (vs->built > o->at + HY_VRPS_CLOCK_SKEW_S) {
		snprintf(err, errlen, "%s: built %s, after %s (%s): the data "
		    "does not describe that time%s", vs->name, built, when, at,
		    o->at_pinned ? "" : "; check the clocks");
		return -1;
	}
	hours = (double)(o->at - vs->built) / 3600.0;
	if (o->at - vs->built > (time_t)o->max_age_s) {
		snprintf(err, errlen, "%s: built %s, %.1f h before %s (%s): "
		    "older than --vrps-max-age %u h; %s", vs->name, built,
		    hours, when, at, o->max_age_s / 3600, o->at_pinned ?
		    "pin --at to a time the file covers" : "regenerate it, or "
		    "pin the time it describes with --at");
		return -1;
	}
	return 0;
}

int
hy_vrps_open(const struct hy_vrps_opts *o, struct hy_vrps **out, char *err,
    size_t errlen)
{
	if (o->file == NULL)
		return hy_vrps_sync_rtr(&o->rtr, out, err, errlen);
	return vrps_read(o->file, o->at, o, out, err, errlen);
}

size_t
hy_vrps_count(const struct hy_vrps *vs)
{
	return vs->n;
}

const struct hy_vrp *
hy_vrps_all(const struct hy_vrps *vs)
{
	return vs->v;
}

json_t *
hy_vrps_source_json(const struct hy_vrps *vs)
{
	char built[32];

	if (vs->source == HY_VRPS_RTR)
		return json_pack("{s:s, s:s, s:I, s:I, s:I}", "type", "rtr",
		    "host", vs->name, "serial", (json_int_t)vs->serial,
		    "session_id", (json_int_t)vs->session_id,
		    "vrps", (json_int_t)vs->n);
	if (vs->built != 0)
		fmt_time(vs->built, built, sizeof(built));
	return json_pack("{s:s, s:s, s:s, s:s?, s:I, s:I}", "type", "file",
	    "file", vs->name, "format", vs->format, "build_time",
	    vs->built != 0 ? built : NULL, "vrps", (json_int_t)vs->n,
	    "expired", (json_int_t)vs->expired);
}

/* Decide from the covering records (RFC 6811 section 2). */
static void
decide(const struct pfx_record *rec, unsigned n, const struct hy_prefix *p,
    uint32_t asn, bool as_set, struct hy_rpki_verdict *out)
{
	const struct pfx_record *same_as = NULL;
	unsigned i;

	out->ncovering = n;
	out->has_vrp = false;
	out->state = n == 0 ? HY_RPKI_NOT_FOUND : HY_RPKI_INVALID_ASN;
	for (i = 0; i < n; i++) {
		/* An AS_SET or AS 0 origin matches no VRP (RFC 6811, 6483). */
		if (as_set || asn == 0 || rec[i].asn != asn)
			continue;
		if (p->len <= rec[i].max_len) {
			same_as = &rec[i];
			out->state = HY_RPKI_VALID;
			break;
		}
		if (same_as == NULL) {
			same_as = &rec[i];
			out->state = HY_RPKI_INVALID_LENGTH;
		}
	}
	if (same_as == NULL && n > 0)
		same_as = &rec[0];
	if (same_as != NULL) {
		out->has_vrp = true;
		from_lrtr(&same_as->prefix, same_as->min_len, &out->vrp.pfx);
		out->vrp.max_len = same_as->max_len;
		out->vrp.asn = same_as->asn;
	}
}

/*
 * An invalid route is invalid-length if a VRP of its origin AS covers it,
 * else invalid-asn. For an AS with few VRPs, scanning them is cheaper than
 * a second trie walk; -1 means "ask rtrlib" (many VRPs).
 */
static int
split_invalid(const struct hy_vrps *vs, const struct hy_prefix *p,
    uint32_t asn, struct hy_rpki_verdict *out)
{
	size_t lo = 0, hi = vs->n, mid, j;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (vs->v[mid].asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (hi = lo; hi < vs->n && vs->v[hi].asn == asn; hi++)
		if (hi - lo > 64)
			return -1;
	out->state = HY_RPKI_INVALID_ASN;
	for (j = lo; j < hi; j++)
		if (hy_prefix_covers(&vs->v[j].pfx, p)) {
			/* Covering and same AS, yet rtrlib said invalid: the
			 * route is longer than maxLength. */
			out->state = HY_RPKI_INVALID_LENGTH;
			out->has_vrp = true;
			out->vrp = vs->v[j];
			break;
		}
	return 0;
}

int
hy_vrps_validate(const struct hy_vrps *vs, const struct hy_prefix *p,
    uint32_t asn, bool as_set, bool why, struct hy_rpki_verdict *out)
{
	struct pfx_table *t = (struct pfx_table *)&vs->table;
	struct pfx_record *rec = NULL;
	struct lrtr_ip_addr ip;
	enum pfxv_state st;
	unsigned n = 0;

	to_lrtr(p, &ip);
	if (!as_set && asn != 0 && !why) {
		/* The common cases need no reasons: take rtrlib's answer. */
		if (pfx_table_validate(t, asn, &ip, p->len, &st) != PFX_SUCCESS)
			return -1;
		memset(out, 0, sizeof(*out));
		if (st == BGP_PFXV_STATE_NOT_FOUND) {
			out->state = HY_RPKI_NOT_FOUND;
			return 0;
		}
		if (st == BGP_PFXV_STATE_VALID) {
			out->state = HY_RPKI_VALID;
			return 0;
		}
		if (split_invalid(vs, p, asn, out) == 0)
			return 0;
	}
	/* Invalid (to split), an AS_SET/AS 0 origin, or reasons wanted. */
	if (pfx_table_validate_r(t, &rec, &n, asn, &ip, p->len, &st) !=
	    PFX_SUCCESS) {
		free(rec);
		return -1;
	}
	decide(rec, n, p, asn, as_set, out);
	free(rec);
	return 0;
}

void
hy_rpki_reason(const struct hy_rpki_verdict *v, uint32_t asn, bool as_set,
    char *buf, size_t len)
{
	char vp[64];

	if (v->has_vrp)
		hy_prefix_str(&v->vrp.pfx, vp, sizeof(vp));
	switch (v->state) {
	case HY_RPKI_VALID:
		if (v->has_vrp)
			snprintf(buf, len, "VRP %s-%u AS%u matches", vp,
			    v->vrp.max_len, v->vrp.asn);
		else
			snprintf(buf, len, "a VRP for AS%u matches", asn);
		break;
	case HY_RPKI_INVALID_LENGTH:
		if (v->has_vrp)
			snprintf(buf, len, "VRP %s-%u AS%u allows AS%u only up "
			    "to /%u", vp, v->vrp.max_len, v->vrp.asn, asn,
			    v->vrp.max_len);
		else
			snprintf(buf, len, "a VRP for AS%u covers the prefix "
			    "with a shorter maxLength", asn);
		break;
	case HY_RPKI_INVALID_ASN:
		if (!v->has_vrp)	/* validated without reasons */
			snprintf(buf, len, "VRPs cover the prefix, none for "
			    "AS%u", asn);
		else if (as_set)
			snprintf(buf, len, "AS_SET origin matches no VRP; "
			    "%u VRP(s) cover the prefix, e.g. %s-%u AS%u",
			    v->ncovering, vp, v->vrp.max_len, v->vrp.asn);
		else
			snprintf(buf, len, "%u VRP(s) cover the prefix, none "
			    "for AS%u (e.g. %s-%u AS%u)", v->ncovering, asn,
			    vp, v->vrp.max_len, v->vrp.asn);
		break;
	default:
		snprintf(buf, len, "no VRP covers the prefix");
		break;
	}
}
