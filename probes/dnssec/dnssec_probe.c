/*
 * The `dnssec` section of `hygiene check`: struct hy_probe glue around the
 * chain walk. The run-wide shared state is the zone key table (and the
 * trust anchors), so a survey validates the root and jp. once.
 */
#include <stdio.h>
#include <stdlib.h>

#include "hygiene/check.h"
#include "dnssec.h"

extern const struct hy_probe hy_probe_dnssec;

struct dnssec_state {
	struct hy_check		*check;
	struct hy_dnssec_walk	*walk;
	bool			 done;
};

static int
dnssec_run_init(struct hy_run *run, void **shared, char *errbuf,
    size_t errlen)
{
	const struct hy_config *cfg = hy_run_config(run);
	const char *err = NULL;
	ldns_rr_list *anchors;

	if ((anchors = hy_dnssec_anchors_load(cfg->trust_anchor, &err)) == NULL) {
		snprintf(errbuf, errlen, "--trust-anchor %s: %s",
		    cfg->trust_anchor ? cfg->trust_anchor : "(built in)",
		    err ? err : "cannot load");
		return -1;
	}
	if ((*shared = hy_dnssec_shared_new(anchors)) == NULL) {
		ldns_rr_list_deep_free(anchors);
		return -1;
	}
	return 0;
}

static void
dnssec_run_free(void *shared)
{
	hy_dnssec_shared_free(shared);
}

static int
dnssec_query(void *qarg, const char *name, ldns_rr_type type, hy_dns_fn cb,
    void *cbarg)
{
	struct dnssec_state *st = qarg;

	return hy_dns_query(hy_check_group(st->check), name, type, HY_DNS_CD,
	    cb, cbarg);
}

static void
dnssec_done(void *darg, struct hy_dnssec_walk *w)
{
	struct dnssec_state *st = darg;

	(void)w;
	st->done = true;
	hy_check_probe_done(st->check, &hy_probe_dnssec);
}

static int
dnssec_start(struct hy_check *c, void **state)
{
	struct dnssec_state *st = calloc(1, sizeof(*st));
	struct hy_dnssec_env env = {
		.shared = hy_run_shared(hy_check_run(c), &hy_probe_dnssec),
		.now = hy_check_now(c),
		.query = dnssec_query,
		.done = dnssec_done,
	};

	if (st == NULL)
		return -1;
	st->check = c;
	env.qarg = env.darg = st;
	if (env.shared == NULL ||
	    (st->walk = hy_dnssec_walk_new(&env, hy_check_domain(c))) == NULL ||
	    hy_dnssec_walk_start(st->walk) != 0) {
		hy_dnssec_walk_free(st->walk);
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

static int
dnssec_emit(struct hy_check *c, void *state, json_t *obj)
{
	struct dnssec_state *st = state;
	json_t *sec;

	(void)c;
	if (st == NULL)
		return json_object_set_new(obj, "dnssec", json_null());
	if ((sec = hy_dnssec_walk_json(st->walk)) == NULL)
		return -1;
	return json_object_set_new(obj, "dnssec", sec);
}

static void
dnssec_free(void *state)
{
	struct dnssec_state *st = state;

	if (st == NULL)
		return;
	hy_dnssec_walk_free(st->walk);
	free(st);
}

const struct hy_probe hy_probe_dnssec = {
	.name = "dnssec",
	.phase = HY_PHASE_START,
	.run_init = dnssec_run_init,
	.run_free = dnssec_run_free,
	.start = dnssec_start,
	.emit = dnssec_emit,
	.free = dnssec_free,
};
