/*
 * The SPF evaluator driven by the real DNS engine (probes/spf/spf_dns.c)
 * against the loopback test server of tests/unit/dns_server.c: a
 * SERVFAIL or an unanswered query must give temperror, and NXDOMAIN or
 * an empty answer must give none. The done callback must run from the
 * loop, never from inside hy_spf_run().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hygiene/dns.h"
#include "hygiene/loop.h"
#include "hygiene/spf.h"
#include "dns_server.h"

struct fx {
	struct hy_loop		*loop;
	struct test_dns_server	 srv;
	struct hy_dns		*dns;
	struct hy_dns_group	*grp;
	bool			 done, nomem, in_run;
};

static void
on_done(void *arg, struct hy_spf_eval *ev, bool nomem)
{
	struct fx *f = arg;

	(void)ev;
	assert_false(f->in_run);
	f->done = true;
	f->nomem = nomem;
	hy_loop_stop(f->loop);
}

static enum hy_spf_result
evaluate(const char *domain, uint64_t deadline_ms)
{
	struct hy_dns_opts o;
	struct hy_spf_params p;
	struct hy_spf_eval *ev;
	const char *servers[1], *err = NULL;
	enum hy_spf_result r;
	struct fx f;

	memset(&f, 0, sizeof(f));
	assert_non_null(f.loop = hy_loop_new());
	assert_int_equal(test_dns_server_start(&f.srv, f.loop), 0);
	servers[0] = f.srv.addr;
	memset(&o, 0, sizeof(o));
	o.servers = servers;
	o.nservers = 1;
	o.try_timeout_ms = 100;
	o.tries = 2;
	assert_non_null(f.dns = hy_dns_new(f.loop, &o, &err));
	assert_non_null(f.grp = hy_dns_group_new(f.dns, deadline_ms));
	memset(&p, 0, sizeof(p));
	p.mode = HY_SPF_EVALUATE;
	p.domain = domain;
	p.sender = "";
	p.helo = domain;
	assert_int_equal(hy_spf_ip_parse("192.0.2.1", &p.ip), 0);
	assert_non_null(ev = hy_spf_eval_new(&p));
	f.in_run = true;
	assert_int_equal(hy_spf_run(f.loop, f.grp, ev, on_done, &f), 0);
	f.in_run = false;
	assert_int_equal(hy_loop_run(f.loop), 0);
	assert_true(f.done);
	assert_false(f.nomem);
	r = hy_spf_eval_result(ev);
	hy_spf_eval_free(ev);
	hy_dns_group_free(f.grp);
	hy_dns_free(f.dns);
	test_dns_server_stop(&f.srv);
	hy_loop_free(f.loop);
	return r;
}

static void
test_servfail_is_temperror(void **state)
{
	(void)state;
	assert_int_equal(evaluate("sf-spf.example", 2000), HY_SPF_TEMPERROR);
}

static void
test_timeout_is_temperror(void **state)
{
	(void)state;
	assert_int_equal(evaluate("drop-spf.example", 500), HY_SPF_TEMPERROR);
}

static void
test_refused_is_temperror(void **state)
{
	(void)state;
	assert_int_equal(evaluate("rf-spf.example", 2000), HY_SPF_TEMPERROR);
}

static void
test_nxdomain_is_none(void **state)
{
	(void)state;
	assert_int_equal(evaluate("nx-spf.example", 2000), HY_SPF_NONE);
}

static void
test_nodata_is_none(void **state)
{
	(void)state;
	assert_int_equal(evaluate("plain.example", 2000), HY_SPF_NONE);
}

static void
test_invalid_domain_is_async(void **state)
{
	/* Decided without any query; done still comes from the loop. */
	(void)state;
	assert_int_equal(evaluate("nodots", 2000), HY_SPF_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_servfail_is_temperror),
		cmocka_unit_test(test_timeout_is_temperror),
		cmocka_unit_test(test_refused_is_temperror),
		cmocka_unit_test(test_nxdomain_is_none),
		cmocka_unit_test(test_nodata_is_none),
		cmocka_unit_test(test_invalid_domain_is_async),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
