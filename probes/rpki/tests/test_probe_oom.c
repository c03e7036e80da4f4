/*
 * The rpki probe records a validation failure in `errors` (issue 10 item
 * 15): `hygiene check` over the test world's rpki.jp, in process, while
 * rtrlib's allocator fails, so every validation that needs a reason
 * fails. Without the record the domain looked complete (exit 0) with
 * null RPKI states.
 *
 *     test_rpki_probe_oom WORLD_DIR/world.env ROUTES VRPS
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <rtrlib/lib/alloc_utils.h>

#include "hygiene/check.h"
#include "hygiene/loop.h"

static const char *env_path, *routes_path, *vrps_path;
static char resolver[64], anchor[4096];
static json_t *result;

static void *
no_realloc(void *p, size_t n)
{
	(void)p;
	(void)n;
	return NULL;
}

/* KEY='value' lines of world.env. */
static void
read_env(void)
{
	char line[4096], *eq, *v;
	FILE *f = fopen(env_path, "r");
	size_t n;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		v = eq + 1;
		if (*v == '\'' && (n = strlen(v)) >= 2 && v[n - 1] == '\'') {
			v[n - 1] = '\0';
			v++;
		}
		if (strcmp(line, "HY_RESOLVER") == 0)
			snprintf(resolver, sizeof(resolver), "%s", v);
		else if (strcmp(line, "HY_TRUST_ANCHOR") == 0)
			snprintf(anchor, sizeof(anchor), "%s", v);
	}
	fclose(f);
	assert_true(resolver[0] != '\0' && anchor[0] != '\0');
}

static void
on_done(void *arg, struct hy_check *chk, json_t *obj)
{
	(void)chk;
	result = obj;
	hy_loop_stop(arg);
}

static void
test_validation_failure_recorded(void **state)
{
	struct hy_config cfg;
	struct hy_loop *loop;
	struct hy_run *run;
	json_t *e, *mx, *h, *a;
	size_t i, j, nnull = 0;
	char err[512];
	bool recorded = false;

	(void)state;
	read_env();
	hy_config_init(&cfg);
	/* hy_config_free() frees the array. */
	assert_non_null(cfg.resolvers = malloc(sizeof(*cfg.resolvers)));
	cfg.resolvers[0] = resolver;
	cfg.nresolvers = 1;
	cfg.trust_anchor = anchor;
	cfg.timeout_ms = 10000;
	cfg.vrps = vrps_path;
	cfg.vrps_max_age_s = 0;		/* fixed test data */
	cfg.routes = routes_path;
	assert_non_null(loop = hy_loop_new());
	run = hy_run_new(loop, &cfg, err, sizeof(err));
	if (run == NULL)
		fail_msg("hy_run_new: %s", err);
	/* The VRP table is built; from now on rtrlib cannot allocate. */
	lrtr_set_alloc_functions(malloc, no_realloc, free);
	assert_int_equal(hy_check_start(run, "rpki.jp", on_done, loop), 0);
	assert_int_equal(hy_loop_run(loop), 0);
	lrtr_set_alloc_functions(malloc, realloc, free);
	assert_non_null(result);
	json_array_foreach(json_object_get(result, "errors"), i, e)
		if (strcmp(json_string_value(json_object_get(e, "code")) ?: "",
		    "rpki-validation-failed") == 0)
			recorded = true;
	mx = json_object_get(result, "mx");
	json_array_foreach(mx, i, h)
		json_array_foreach(json_object_get(h, "addresses"), j, a)
			if (json_is_null(json_object_get(a, "rpki")))
				nnull++;
	assert_true(nnull > 0);		/* the failure happened */
	assert_true(recorded);
	assert_true(hy_check_incomplete(result));
	json_decref(result);
	hy_run_free(run);
	hy_loop_free(loop);
	hy_config_free(&cfg);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation_failure_recorded),
	};

	if (argc != 4) {
		fprintf(stderr, "usage: %s WORLD.env ROUTES VRPS\n", argv[0]);
		return 2;
	}
	env_path = argv[1];
	routes_path = argv[2];
	vrps_path = argv[3];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
