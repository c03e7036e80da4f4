/*
 * The `spf` section of `hygiene check`: analyse the domain's SPF policy
 * with the evaluator in HY_SPF_ANALYZE mode (no client IP), driven by the
 * DNS engine on the check's group.
 *
 * Fields: status (valid | none | permerror | temperror), record, all,
 * dns_lookups, void_lookups, includes (the include/redirect tree), issues
 * and reason (why the status was reached).
 */
#include <stdlib.h>
#include <string.h>

#include "hygiene/check.h"
#include "hygiene/spf.h"
#include "hygiene/txt.h"

struct spf_state {
	struct hy_check		*check;
	struct hy_spf_eval	*ev;
	bool			 finished;	/* the evaluator completed */
	bool			 nomem;
};

static void
spf_done(void *arg, struct hy_spf_eval *ev, bool nomem)
{
	struct spf_state *st = arg;

	(void)ev;
	st->finished = !nomem;
	st->nomem = nomem;
	hy_check_probe_done(st->check, &hy_probe_spf);
}

static int
spf_start(struct hy_check *c, void **state)
{
	struct hy_spf_params p;
	struct spf_state *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	st->check = c;
	memset(&p, 0, sizeof(p));
	p.mode = HY_SPF_ANALYZE;
	p.domain = hy_check_domain(c);
	p.sender = "";
	p.helo = hy_check_domain(c);
	p.now = hy_check_now(c);
	if ((st->ev = hy_spf_eval_new(&p)) == NULL ||
	    hy_spf_run(hy_run_loop(hy_check_run(c)), hy_check_group(c), st->ev,
	    spf_done, st) != 0) {
		hy_spf_eval_free(st->ev);
		free(st);
		return -1;
	}
	*state = st;
	return 0;
}

/* The node's status as the `spf` section names statuses. */
const char *
hy_spf_status_str(enum hy_spf_result r)
{
	switch (r) {
	case HY_SPF_NONE:
		return "none";
	case HY_SPF_PERMERROR:
		return "permerror";
	case HY_SPF_TEMPERROR:
		return "temperror";
	default:
		return "valid";
	}
}

/* Record text for JSON: a TXT record may hold any byte, a JSON string
 * only UTF-8, so it is shown as hy_txt_printable() shows it. */
json_t *
hy_spf_text_json(const char *s)
{
	json_t *j;
	char *p;

	if (s == NULL)
		return json_null();
	if ((p = hy_txt_printable(s, strlen(s))) == NULL)
		return NULL;
	j = json_string(p);
	free(p);
	return j;
}

static json_t *
tree_json(const struct hy_spf_node *n)
{
	json_t *arr = json_array(), *o;

	if (arr == NULL)
		return NULL;
	for (size_t i = 0; i < n->nkids; i++) {
		const struct hy_spf_node *k = n->kids[i];
		json_t *sub = tree_json(k);

		o = sub == NULL ? NULL : json_pack("{s:s, s:s, s:o, s:s, s:o}",
		    "mechanism", k->via, "domain", k->domain, "record",
		    k->record ? json_string(k->record) : json_null(), "status",
		    hy_spf_status_str(k->status), "includes", sub);
		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

json_t *
hy_spf_section_json(const struct hy_spf_eval *ev)
{
	enum hy_spf_result r = hy_spf_eval_result(ev);
	const char *status = hy_spf_status_str(r);
	const struct hy_spf_node *root = hy_spf_eval_tree(ev);
	json_t *o, *issues, *tree;

	issues = hy_findings_to_json(hy_spf_eval_findings(ev));
	tree = root != NULL ? tree_json(root) : json_array();
	if (issues == NULL || tree == NULL)
		goto oom;
	o = json_pack("{s:s, s:s?, s:s?, s:i, s:i, s:o, s:o, s:s?}",
	    "status", status,
	    "record", hy_spf_eval_record(ev),
	    "all", hy_spf_eval_all(ev),
	    "dns_lookups", (json_int_t)hy_spf_eval_lookups(ev),
	    "void_lookups", (json_int_t)hy_spf_eval_void(ev),
	    "includes", tree,
	    "issues", issues,
	    "reason", strcmp(status, "valid") == 0 ? NULL :
	    hy_spf_eval_reason(ev));
	return o;
oom:
	json_decref(issues);
	json_decref(tree);
	return NULL;
}

static int
spf_emit(struct hy_check *c, void *state, json_t *obj)
{
	struct spf_state *st = state;
	json_t *sec;

	/* An evaluation cut short by OOM is not a measurement: say so. */
	if (st != NULL && st->nomem && hy_check_error(c, "out-of-memory",
	    "spf: out of memory") != 0)
		return -1;
	if (st == NULL || !st->finished)
		return json_object_set_new(obj, "spf", json_null());
	if ((sec = hy_spf_section_json(st->ev)) == NULL)
		return -1;
	return json_object_set_new(obj, "spf", sec);
}

const struct hy_spf_eval *
hy_spf_probe_eval(const void *state)
{
	const struct spf_state *st = state;

	return st != NULL && st->finished ? st->ev : NULL;
}

static void
spf_free(void *state)
{
	struct spf_state *st = state;

	if (st == NULL)
		return;
	hy_spf_eval_free(st->ev);
	free(st);
}

const struct hy_probe hy_probe_spf = {
	.name = "spf",
	.phase = HY_PHASE_START,
	.start = spf_start,
	.emit = spf_emit,
	.free = spf_free,
};
