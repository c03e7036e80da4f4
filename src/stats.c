/*
 * Per-ISP adoption statistics over result objects (see stats.h for the
 * counting rules).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hygiene/isps.h"
#include "hygiene/stats.h"

enum { SEC_DNSSEC, SEC_SPF, SEC_DMARC, SEC_MTA_STS, SEC_N };
#define KEYS_MAX 8

/* Each section's verdicts, then the keys of "could not measure" (a
 * section that is null, missing or holds an unknown status counts as
 * not_measured). */
static const char *const dnssec_keys[] = {
	"secure", "insecure", "bogus", "indeterminate", "not_measured", NULL,
};
static const char *const spf_keys[] = {
	"valid", "none", "permerror", "temperror", "not_measured", NULL,
};
static const char *const dmarc_keys[] = {
	"reject", "quarantine", "none", "absent", "invalid", "temperror",
	"not_measured", NULL,
};
static const char *const mta_sts_keys[] = {
	"enforce", "testing", "none", "absent", "invalid", "temperror",
	"not_measured", NULL,
};

static const struct {
	const char		*name;
	const char *const	*keys;
	int			 nverdicts;	/* keys before the failures */
} sections[SEC_N] = {
	{ "dnssec", dnssec_keys, 3 },
	{ "spf", spf_keys, 3 },
	{ "dmarc", dmarc_keys, 5 },
	{ "mta_sts", mta_sts_keys, 5 },
};

static const char *const measurement_names[HY_MEAS_N] = {
	"measured", "incomplete", "nxdomain", "invalid_input",
};

/* One breakdown: domains per state; the sections of the domains that
 * exist and have a valid name. */
struct tally {
	unsigned long	domains;
	unsigned long	state[HY_MEAS_N];
	unsigned long	counts[SEC_N][KEYS_MAX];
};

struct hy_stats {
	const struct hy_isp_list *isps;
	struct tally	*own;		/* one per ISP */
	struct tally	*hosted;	/* one per ISP */
	struct tally	 total;
	unsigned long	 remeasured, remeasured_ok;
};

const char *const *
hy_stats_keys(const char *section)
{
	size_t i;

	for (i = 0; i < SEC_N; i++)
		if (strcmp(sections[i].name, section) == 0)
			return sections[i].keys;
	return NULL;
}

struct hy_stats *
hy_stats_new(const struct hy_isp_list *isps)
{
	struct hy_stats *s;
	size_t n = isps->n ? isps->n : 1;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->isps = isps;
	s->own = calloc(n, sizeof(*s->own));
	s->hosted = calloc(n, sizeof(*s->hosted));
	if (s->own == NULL || s->hosted == NULL) {
		hy_stats_free(s);
		return NULL;
	}
	return s;
}

void
hy_stats_free(struct hy_stats *s)
{
	if (s == NULL)
		return;
	free(s->own);
	free(s->hosted);
	free(s);
}

static const struct hy_isp *
stats_owner(const struct hy_isp_list *l, const char *domain)
{
	size_t i, j;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->v[i].ndomains; j++)
			if (strcmp(l->v[i].domains[j], domain) == 0)
				return &l->v[i];
	return NULL;
}

/* Mark in hit[] every ISP originating an address of hosts[]. */
static void
stats_hosts(const struct hy_isp_list *l, const json_t *hosts, bool *hit)
{
	const json_t *h, *a, *asn;
	const struct hy_isp *isp;
	size_t i, j;

	if (!json_is_array(hosts))
		return;
	json_array_foreach(hosts, i, h) {
		json_array_foreach(json_object_get(h, "addresses"), j, a) {
			asn = json_object_get(a, "origin_asn");
			if (!json_is_integer(asn) || json_integer_value(asn) < 0 ||
			    json_integer_value(asn) > UINT32_MAX)
				continue;
			isp = hy_isps_by_asn(l,
			    (uint32_t)json_integer_value(asn));
			if (isp != NULL)
				hit[isp - l->v] = true;
		}
	}
}

static json_t *
stats_ids(const struct hy_isp_list *l, const bool *hit,
    const struct hy_isp *skip)
{
	json_t *arr;
	size_t i;

	if ((arr = json_array()) == NULL)
		return NULL;
	for (i = 0; i < l->n; i++) {
		if (!hit[i] || &l->v[i] == skip)
			continue;
		if (json_array_append_new(arr, json_string(l->v[i].id)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

/* Mark in hit[] the ISPs of the earlier result's hosted_by that are
 * still in the list. */
static void
stats_earlier(const struct hy_isp_list *l, const json_t *earlier, bool *hit)
{
	const struct hy_isp *isp;
	const json_t *v;
	size_t i;

	json_array_foreach(json_object_get(json_object_get(earlier,
	    "attribution"), "hosted_by"), i, v)
		if (json_is_string(v) && (isp = hy_isps_by_id(l,
		    json_string_value(v))) != NULL)
			hit[isp - l->v] = true;
}

int
hy_stats_attribute(const struct hy_isp_list *l, json_t *obj,
    const char *earlier_month, const json_t *earlier)
{
	const char *domain = json_string_value(json_object_get(obj, "domain"));
	const struct hy_isp *own = domain ? stats_owner(l, domain) : NULL;
	size_t n = l->n ? l->n : 1, i;
	bool *mx = NULL, *ns = NULL, *any = NULL, *old = NULL;
	json_t *att = NULL, *e;
	int rc = -1;

	if ((mx = calloc(n, sizeof(*mx))) == NULL ||
	    (ns = calloc(n, sizeof(*ns))) == NULL ||
	    (any = calloc(n, sizeof(*any))) == NULL ||
	    (old = calloc(n, sizeof(*old))) == NULL)
		goto out;
	stats_hosts(l, json_object_get(obj, "mx"), mx);
	stats_hosts(l, json_object_get(obj, "ns"), ns);
	if (earlier != NULL &&
	    hy_stats_measurement(obj) != HY_MEAS_INCOMPLETE)
		earlier = NULL;
	if (earlier != NULL)
		stats_earlier(l, earlier, old);
	for (i = 0; i < l->n; i++)
		any[i] = mx[i] || ns[i] || old[i];
	att = json_pack("{s:o, s:o*, s:o*, s:o*}",
	    "own", own ? json_string(own->id) : json_null(),
	    "mx_hosted_by", stats_ids(l, mx, NULL),
	    "ns_hosted_by", stats_ids(l, ns, NULL),
	    "hosted_by", stats_ids(l, any, own));
	if (att == NULL || json_object_size(att) != 4)
		goto out;
	if (earlier != NULL && ((e = json_pack("{s:s, s:o*}", "month",
	    earlier_month ? earlier_month : "", "hosted_by", stats_ids(l, old,
	    own))) == NULL || json_object_set_new(att, "earlier", e) != 0 ||
	    json_object_size(e) != 2))
		goto out;
	if (json_object_set_new(obj, "attribution", att) != 0) {
		att = NULL;
		goto out;
	}
	att = NULL;
	rc = 0;
out:
	json_decref(att);
	free(mx);
	free(ns);
	free(any);
	free(old);
	return rc;
}

/* The key index a section of obj counts under. */
static int
stats_key(size_t sec, const json_t *obj)
{
	const json_t *s = json_object_get(obj, sections[sec].name);
	const char *const *keys = sections[sec].keys;
	const char *status, *policy;
	int i, nm = 0;

	while (keys[nm + 1] != NULL)
		nm++;		/* "not_measured" is last */
	status = json_string_value(json_object_get(s, "status"));
	if (status == NULL)
		return nm;
	if (sec == SEC_DMARC && (strcmp(status, "reject") == 0 ||
	    strcmp(status, "quarantine") == 0 || strcmp(status, "none") == 0))
		return nm;	/* policies are not statuses */
	/* The policy receivers apply, also from a record with errors (RFC
	 * 9989 §4.10.1); never for a failed measurement. */
	policy = json_string_value(json_object_get(s, "policy"));
	if (sec == SEC_DMARC && policy != NULL &&
	    strcmp(status, "temperror") != 0)
		status = policy;
	else if (sec == SEC_DMARC && strcmp(status, "valid") == 0)
		return nm;
	for (i = 0; i < nm; i++)
		if (strcmp(keys[i], status) == 0)
			return i;
	return nm;
}

static bool
stats_has_error(const json_t *obj, const char *code)
{
	const json_t *e;
	const char *c;
	size_t i;

	json_array_foreach(json_object_get(obj, "errors"), i, e)
		if ((c = json_string_value(json_object_get(e, "code"))) !=
		    NULL && strcmp(c, code) == 0)
			return true;
	return false;
}

enum hy_measurement
hy_stats_measurement(const json_t *obj)
{
	const char *key, *st;
	json_t *v;
	size_t sec;

	if (!json_is_string(json_object_get(obj, "domain")))
		return HY_MEAS_INVALID_INPUT;
	if (stats_has_error(obj, "nxdomain"))
		return HY_MEAS_NXDOMAIN;
	if (json_array_size(json_object_get(obj, "errors")) > 0)
		return HY_MEAS_INCOMPLETE;
	/* Every section (tls_rpt and mail too) that says "could not
	 * measure". */
	json_object_foreach((json_t *)obj, key, v) {
		st = json_string_value(json_object_get(v, "status"));
		if (st != NULL && (strcmp(st, "indeterminate") == 0 ||
		    strcmp(st, "temperror") == 0))
			return HY_MEAS_INCOMPLETE;
	}
	for (sec = 0; sec < SEC_N; sec++)
		if (stats_key(sec, obj) >= sections[sec].nverdicts)
			return HY_MEAS_INCOMPLETE;
	return HY_MEAS_MEASURED;
}

const char *
hy_measurement_str(enum hy_measurement m)
{
	return m < HY_MEAS_N ? measurement_names[m] : "incomplete";
}

static void
tally_add(struct tally *t, const json_t *obj, enum hy_measurement m)
{
	size_t sec;

	t->domains++;
	t->state[m]++;
	/* An incomplete domain's sections still count, each under its own
	 * key: a section that could not be measured never reaches a rate,
	 * and one that was (say DNSSEC bogus, whose validating resolver
	 * then SERVFAILs every mail lookup) must not drop out of it. */
	if (m == HY_MEAS_NXDOMAIN || m == HY_MEAS_INVALID_INPUT)
		return;
	for (sec = 0; sec < SEC_N; sec++)
		t->counts[sec][stats_key(sec, obj)]++;
}

int
hy_stats_add(struct hy_stats *s, const json_t *obj, unsigned attempts)
{
	const json_t *att = json_object_get(obj, "attribution");
	const json_t *v;
	const struct hy_isp *isp;
	enum hy_measurement m = hy_stats_measurement(obj);
	size_t i;

	tally_add(&s->total, obj, m);
	if (attempts > 1) {
		s->remeasured++;
		if (m == HY_MEAS_MEASURED)
			s->remeasured_ok++;
	}
	if (!json_is_object(att))
		return 0;
	if (json_is_string(v = json_object_get(att, "own")) &&
	    (isp = hy_isps_by_id(s->isps, json_string_value(v))) != NULL)
		tally_add(&s->own[isp - s->isps->v], obj, m);
	json_array_foreach(json_object_get(att, "hosted_by"), i, v) {
		if (json_is_string(v) && (isp = hy_isps_by_id(s->isps,
		    json_string_value(v))) != NULL)
			tally_add(&s->hosted[isp - s->isps->v], obj, m);
	}
	return 0;
}

/* {"domains": n, "measured": n, "incomplete": n, "nxdomain": n,
 *  "invalid_input": n, "dnssec": {...}, ...} */
static json_t *
tally_json(const struct tally *t)
{
	json_t *o, *m;
	size_t sec, k;

	if ((o = json_object()) == NULL)
		return NULL;
	if (json_object_set_new(o, "domains", json_integer(t->domains)))
		goto fail;
	for (k = 0; k < HY_MEAS_N; k++)
		if (json_object_set_new(o, measurement_names[k],
		    json_integer(t->state[k])) != 0)
			goto fail;
	for (sec = 0; sec < SEC_N; sec++) {
		if ((m = json_object()) == NULL ||
		    json_object_set_new(o, sections[sec].name, m) != 0)
			goto fail;
		for (k = 0; sections[sec].keys[k] != NULL; k++)
			if (json_object_set_new(m, sections[sec].keys[k],
			    json_integer(t->counts[sec][k])) != 0)
				goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *
stats_isp_json(const struct hy_stats *s, size_t i, const json_t *rpki)
{
	const struct hy_isp *isp = &s->isps->v[i];
	json_t *o = NULL, *asns, *t = NULL, *r;
	size_t a;

	/* Identity first, then the counts: easier to read by eye. */
	if ((asns = json_array()) == NULL)
		return NULL;
	for (a = 0; a < isp->nasns; a++)
		if (json_array_append_new(asns, json_integer(isp->asns[a]))) {
			json_decref(asns);
			return NULL;
		}
	o = json_pack("{s:s, s:s, s:s, s:o}", "id", isp->id, "name",
	    isp->name, "name_ja", isp->name_ja, "asns", asns);
	if (o == NULL || (t = tally_json(&s->own[i])) == NULL ||
	    json_object_update(o, t) != 0)
		goto fail;
	r = rpki ? json_object_get(rpki, isp->id) : NULL;
	if (json_object_set_new(o, "rpki", r ? json_deep_copy(r) :
	    json_null()) ||
	    json_object_set_new(o, "hosted", tally_json(&s->hosted[i])))
		goto fail;
	json_decref(t);
	return o;
fail:
	json_decref(t);
	json_decref(o);
	return NULL;
}

json_t *
hy_stats_json(const struct hy_stats *s, const char *month, const json_t *rpki)
{
	json_t *o, *arr;
	size_t i;

	o = json_pack("{s:s, s:s, s:{s:I, s:I}, s:[], s:o*}",
	    "schema_version", HY_STATS_SCHEMA_VERSION, "month", month,
	    "remeasured", "domains", (json_int_t)s->remeasured, "measured",
	    (json_int_t)s->remeasured_ok, "isps", "totals",
	    tally_json(&s->total));
	if (o == NULL || json_object_get(o, "totals") == NULL)
		goto fail;
	arr = json_object_get(o, "isps");
	for (i = 0; i < s->isps->n; i++)
		if (json_array_append_new(arr, stats_isp_json(s, i, rpki)) != 0)
			goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}
