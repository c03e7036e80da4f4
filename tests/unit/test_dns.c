/*
 * DNS engine tests against a real UDP/TCP server on loopback
 * (dns_server.c) driven by the same event loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hygiene/dns.h"
#include "dns_server.h"
#include "failalloc.h"

struct fixture {
	struct hy_loop		*loop;
	struct test_dns_server	 srv;
	struct hy_dns		*dns;
	struct hy_dns_group	*grp;
	unsigned		 expected, got;
	enum hy_dns_status	 last;
	unsigned		 by_status[HY_DNS_BADEDNS + 1];
	unsigned		 from_cache;
};

static int
fixture_open(struct fixture *f, unsigned concurrency, unsigned try_ms,
    unsigned tries, uint64_t deadline_ms)
{
	struct hy_dns_opts o;
	const char *servers[1], *err = NULL;

	memset(f, 0, sizeof(*f));
	f->loop = hy_loop_new();
	assert_non_null(f->loop);
	assert_int_equal(test_dns_server_start(&f->srv, f->loop), 0);
	servers[0] = f->srv.addr;
	memset(&o, 0, sizeof(o));
	o.servers = servers;
	o.nservers = 1;
	o.concurrency = concurrency;
	o.try_timeout_ms = try_ms;
	o.tries = tries;
	f->dns = hy_dns_new(f->loop, &o, &err);
	assert_non_null(f->dns);
	f->grp = hy_dns_group_new(f->dns, deadline_ms);
	assert_non_null(f->grp);
	return 0;
}

static void
fixture_close(struct fixture *f)
{
	hy_dns_group_free(f->grp);
	hy_dns_free(f->dns);
	test_dns_server_stop(&f->srv);
	hy_loop_free(f->loop);
}

static void
count_cb(void *arg, const struct hy_dns_result *res)
{
	struct fixture *f = arg;

	f->last = res->status;
	f->by_status[res->status]++;
	if (res->from_cache)
		f->from_cache++;
	if (++f->got == f->expected)
		hy_loop_stop(f->loop);
}

static void
ask(struct fixture *f, const char *name, ldns_rr_type t)
{
	f->expected++;
	assert_int_equal(hy_dns_query(f->grp, name, t, 0, count_cb, f), 0);
}

static void
run_until_done(struct fixture *f)
{
	assert_int_equal(hy_loop_run(f->loop), 0);
	assert_int_equal(f->got, f->expected);
}

static void
test_classification(void **state)
{
	struct fixture f;

	(void)state;
	fixture_open(&f, 10, 200, 1, 0);
	ask(&f, "ok.test", LDNS_RR_TYPE_A);
	ask(&f, "ok.test", LDNS_RR_TYPE_AAAA);
	ask(&f, "nx-a.test", LDNS_RR_TYPE_A);
	ask(&f, "sf-a.test", LDNS_RR_TYPE_A);
	ask(&f, "rf-a.test", LDNS_RR_TYPE_A);
	ask(&f, "drop-a.test", LDNS_RR_TYPE_A);
	run_until_done(&f);
	assert_int_equal(f.by_status[HY_DNS_ANSWER], 1);
	assert_int_equal(f.by_status[HY_DNS_NODATA], 1);
	assert_int_equal(f.by_status[HY_DNS_NXDOMAIN], 1);
	assert_int_equal(f.by_status[HY_DNS_SERVFAIL], 1);
	assert_int_equal(f.by_status[HY_DNS_REFUSED], 1);
	assert_int_equal(f.by_status[HY_DNS_TIMEOUT], 1);
	fixture_close(&f);
}

static void
test_coalescing(void **state)
{
	struct fixture f;
	struct hy_dns_stats st;

	(void)state;
	fixture_open(&f, 10, 1000, 1, 0);
	for (int i = 0; i < 50; i++)
		ask(&f, i % 2 ? "slow-same.test" : "SLOW-same.test.",
		    LDNS_RR_TYPE_A);
	run_until_done(&f);
	assert_int_equal(f.by_status[HY_DNS_ANSWER], 50);
	assert_int_equal(f.srv.udp_queries, 1);

	/* Answered recently: served from the cache, still one on the wire. */
	ask(&f, "slow-same.test", LDNS_RR_TYPE_A);
	run_until_done(&f);
	assert_int_equal(f.srv.udp_queries, 1);
	assert_int_equal(f.from_cache, 1);
	hy_dns_get_stats(f.dns, &st);
	assert_int_equal(st.sent, 1);
	assert_int_equal(st.coalesced, 49);
	assert_int_equal(st.cache_hits, 1);
	fixture_close(&f);
}

static void
test_cd_flag_is_a_different_question(void **state)
{
	struct fixture f;

	(void)state;
	fixture_open(&f, 10, 1000, 1, 0);
	f.expected = 2;
	assert_int_equal(hy_dns_query(f.grp, "slow-cd.test", LDNS_RR_TYPE_A,
	    0, count_cb, &f), 0);
	assert_int_equal(hy_dns_query(f.grp, "slow-cd.test", LDNS_RR_TYPE_A,
	    HY_DNS_CD, count_cb, &f), 0);
	run_until_done(&f);
	assert_int_equal(f.srv.udp_queries, 2);
	fixture_close(&f);
}

static void
test_in_flight_bound(void **state)
{
	struct fixture f;
	struct hy_dns_stats st;
	char name[64];

	(void)state;
	fixture_open(&f, 5, 2000, 1, 0);
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "slow-%d.test", i);
		ask(&f, name, LDNS_RR_TYPE_A);
	}
	run_until_done(&f);
	assert_int_equal(f.by_status[HY_DNS_ANSWER], 40);
	assert_int_equal(f.srv.udp_queries, 40);
	assert_true(f.srv.max_pending <= 5);
	assert_true(f.srv.max_pending >= 2);	/* it did run in parallel */
	/* Query IDs are random: 40 queries, at most a couple of repeats. */
	assert_true(f.srv.id_zero <= 2);
	assert_true(f.srv.id_same <= 2);
	hy_dns_get_stats(f.dns, &st);
	assert_true(st.max_in_flight <= 5);
	fixture_close(&f);
}

static void
test_deadline_fires(void **state)
{
	struct fixture f;
	uint64_t t0, t1;

	(void)state;
	/* Each try may take 5 s, but the group's deadline is 200 ms. */
	fixture_open(&f, 10, 5000, 3, 200);
	t0 = hy_loop_now(f.loop);
	ask(&f, "drop-deadline.test", LDNS_RR_TYPE_A);
	ask(&f, "drop-deadline2.test", LDNS_RR_TYPE_MX);
	run_until_done(&f);
	t1 = hy_loop_now(f.loop);
	assert_int_equal(f.by_status[HY_DNS_TIMEOUT], 2);
	assert_true(t1 - t0 >= 200);
	assert_true(t1 - t0 < 3000);
	assert_true(hy_dns_group_expired(f.grp));
	/* After the deadline, new queries time out at once. */
	ask(&f, "ok.test", LDNS_RR_TYPE_A);
	run_until_done(&f);
	assert_int_equal(f.by_status[HY_DNS_TIMEOUT], 3);
	fixture_close(&f);
}

static void
test_truncated_retried_over_tcp(void **state)
{
	struct fixture f;

	(void)state;
	fixture_open(&f, 10, 1000, 2, 0);
	ask(&f, "tc-big.test", LDNS_RR_TYPE_A);
	run_until_done(&f);
	assert_int_equal(f.last, HY_DNS_ANSWER);
	assert_int_equal(f.srv.udp_queries, 1);
	assert_int_equal(f.srv.tcp_queries, 1);
	fixture_close(&f);
}

static void
test_unreachable_resolver_times_out(void **state)
{
	struct hy_loop *loop = hy_loop_new();
	struct hy_dns_opts o;
	struct hy_dns *dns;
	struct hy_dns_group *g;
	struct fixture f;
	const char *servers[] = { "127.0.0.1:9" }, *err = NULL;

	(void)state;
	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	o.servers = servers;
	o.nservers = 1;
	o.try_timeout_ms = 100;
	o.tries = 2;
	f.loop = loop;
	dns = hy_dns_new(loop, &o, &err);
	assert_non_null(dns);
	assert_string_equal(hy_dns_servers(dns), "127.0.0.1:9");
	g = hy_dns_group_new(dns, 2000);
	f.expected = 1;
	assert_int_equal(hy_dns_query(g, "example.jp", LDNS_RR_TYPE_A, 0,
	    count_cb, &f), 0);
	assert_int_equal(hy_loop_run(loop), 0);
	assert_int_equal(f.got, 1);
	assert_false(hy_dns_status_measured(f.last));
	hy_dns_group_free(g);
	hy_dns_free(dns);
	hy_loop_free(loop);
}

static void
test_bad_resolver_rejected(void **state)
{
	struct hy_loop *loop = hy_loop_new();
	struct hy_dns_opts o;
	const char *servers[] = { "not an address" }, *err = NULL;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.servers = servers;
	o.nservers = 1;
	assert_null(hy_dns_new(loop, &o, &err));
	assert_non_null(err);
	hy_loop_free(loop);
}

static void
test_group_free_drops_callbacks(void **state)
{
	struct fixture f;

	(void)state;
	fixture_open(&f, 10, 1000, 1, 0);
	ask(&f, "slow-dropped.test", LDNS_RR_TYPE_A);
	hy_dns_group_free(f.grp);
	f.grp = hy_dns_group_new(f.dns, 0);
	ask(&f, "slow-kept.test", LDNS_RR_TYPE_A);
	f.expected = 1;
	f.got = 0;
	run_until_done(&f);
	assert_int_equal(f.by_status[HY_DNS_ANSWER], 1);
	/* Let the dropped query's answer arrive too before tearing down;
	 * nothing may be delivered for it. */
	{
		struct hy_timer t = { 0 };

		hy_timer_start(f.loop, &t, 150, (hy_timer_fn)hy_loop_stop,
		    f.loop);
		hy_loop_run(f.loop);
	}
	assert_int_equal(f.srv.pending, 0);
	assert_int_equal(f.got, 1);
	fixture_close(&f);
}

static void
test_qps_cap(void **state)
{
	struct hy_loop *loop = hy_loop_new();
	struct test_dns_server srv;
	struct hy_dns_opts o;
	struct hy_dns *dns;
	struct fixture f;
	const char *servers[1], *err = NULL;
	char name[32];
	uint64_t t0;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.loop = loop;
	assert_int_equal(test_dns_server_start(&srv, loop), 0);
	servers[0] = srv.addr;
	memset(&o, 0, sizeof(o));
	o.servers = servers;
	o.nservers = 1;
	o.qps = 50;
	dns = hy_dns_new(loop, &o, &err);
	f.grp = hy_dns_group_new(dns, 0);
	t0 = hy_loop_now(loop);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "q%d.test", i);
		ask(&f, name, LDNS_RR_TYPE_A);
	}
	run_until_done(&f);
	/* 20 queries at 50/s with a burst of at most a few: well over 0.3 s.
	 * Only the lower bound is checked; speed is not this test's concern. */
	assert_true(hy_loop_now(loop) - t0 >= 300);
	assert_int_equal(srv.udp_queries, 20);
	hy_dns_group_free(f.grp);
	hy_dns_free(dns);
	test_dns_server_stop(&srv);
	hy_loop_free(loop);
}

static void
test_resolver_address_forms(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "127.0.0.1", "127.0.0.1:53" },
		{ "127.0.0.1:5353", "127.0.0.1:5353" },
		{ "[::1]:5353", "[::1]:5353" },
		{ "::1", "[::1]:53" },
		{ "[::1]", "[::1]:53" },
	};
	struct hy_loop *loop = hy_loop_new();

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hy_dns_opts o;
		const char *servers[1] = { cases[i].in }, *err = NULL;
		struct hy_dns *dns;

		memset(&o, 0, sizeof(o));
		o.servers = servers;
		o.nservers = 1;
		dns = hy_dns_new(loop, &o, &err);
		assert_non_null(dns);
		assert_string_equal(hy_dns_servers(dns), cases[i].out);
		hy_dns_free(dns);
	}
	hy_loop_free(loop);
}

/* Answer RRs of one type come back as copies; none gives an empty list,
 * which callers can tell from the -1 of an allocation failure. */
static void
test_answer_rrs(void **state)
{
	const char *rrs[] = { "example.jp. 300 IN TXT \"v=spf1 -all\"",
	    "example.jp. 300 IN TXT \"other\"", "example.jp. 300 IN A 192.0.2.1" };
	struct hy_dns_result res = { HY_DNS_ANSWER, NULL, 0, false, false };
	ldns_pkt *p = ldns_pkt_new();
	ldns_rr_list *out;
	ldns_rr *rr;

	(void)state;
	assert_non_null(p);
	for (size_t i = 0; i < sizeof(rrs) / sizeof(rrs[0]); i++) {
		assert_int_equal(ldns_rr_new_frm_str(&rr, rrs[i], 0, NULL, NULL),
		    LDNS_STATUS_OK);
		assert_true(ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr));
	}
	res.pkt = p;
	assert_int_equal(hy_dns_answer_rrs(&res, LDNS_RR_TYPE_TXT, &out), 0);
	assert_int_equal(ldns_rr_list_rr_count(out), 2);
	ldns_rr_list_deep_free(out);
	assert_int_equal(hy_dns_answer_rrs(&res, LDNS_RR_TYPE_MX, &out), 0);
	assert_non_null(out);
	assert_int_equal(ldns_rr_list_rr_count(out), 0);
	ldns_rr_list_deep_free(out);
	res.pkt = NULL;		/* no packet: nothing, still not an error */
	assert_int_equal(hy_dns_answer_rrs(&res, LDNS_RR_TYPE_A, &out), 0);
	assert_int_equal(ldns_rr_list_rr_count(out), 0);
	ldns_rr_list_deep_free(out);
	ldns_pkt_free(p);
}

/*
 * An answer that lost EDNS0 or its DO bit is no measurement: the
 * resolver (or c-ares' retry without EDNS after a FORMERR that carried
 * no OPT) would hand over data without its signatures, and a probe
 * would read a signed zone as bogus. Other queries are not affected.
 */
static void
test_answer_without_edns_do_is_not_measured(void **state)
{
	static const char *names[] = { "fe-a.test", "noopt-a.test",
	    "nodo-a.test" };
	struct fixture f;

	(void)state;
	fixture_open(&f, 10, 500, 2, 0);
	for (size_t i = 0; i < 3; i++) {
		f.expected = f.got = 0;
		ask(&f, names[i], LDNS_RR_TYPE_A);
		run_until_done(&f);
		assert_false(hy_dns_status_measured(f.last));
		assert_int_equal(f.last, HY_DNS_BADEDNS);
		f.expected = f.got = 0;
		ask(&f, i == 0 ? "ok-after-fe.test" : "ok-again.test",
		    LDNS_RR_TYPE_A);
		run_until_done(&f);
		assert_int_equal(f.last, HY_DNS_ANSWER);
	}
	fixture_close(&f);
}

/* After a FORMERR without OPT, c-ares 1.18 turns EDNS0 off for its whole
 * channel: answers above 512 octets are then refused over UDP and asked
 * again over TCP, and a second FORMERR is no longer retried. The engine
 * starts a fresh channel, so later queries keep EDNS0's 1232 octets. */
static void
test_formerr_does_not_downgrade_later_queries(void **state)
{
	struct fixture f;

	(void)state;
	fixture_open(&f, 10, 500, 2, 0);
	ask(&f, "fe-first.test", LDNS_RR_TYPE_A);
	run_until_done(&f);
	assert_int_equal(f.last, HY_DNS_BADEDNS);
	f.expected = f.got = 0;
	f.srv.udp_queries = f.srv.tcp_queries = f.srv.no_edns = 0;
	ask(&f, "big-after.test", LDNS_RR_TYPE_TXT);
	ask(&f, "fe-second.test", LDNS_RR_TYPE_A);
	run_until_done(&f);
	assert_int_equal(f.by_status[HY_DNS_ANSWER], 1);
	assert_int_equal(f.by_status[HY_DNS_BADEDNS], 2);
	assert_int_equal(f.srv.tcp_queries, 0);
	/* fe-second was retried without EDNS once, as c-ares does */
	assert_int_equal(f.srv.udp_queries, 3);
	assert_int_equal(f.srv.no_edns, 1);
	fixture_close(&f);
}

/* Query IDs are unique among the queries in flight: 3,000 held at once
 * would share about 68 IDs if each were drawn at random. They are asked
 * in waves of 100, 10 ms apart (the server holds each for 3 s), so that
 * no socket buffer has to hold more than a wave. */
struct waves {
	struct fixture	*f;
	struct hy_timer	 t;
	int		 sent;
};

static void
wave_fire(void *arg)
{
	struct waves *w = arg;
	char name[64];

	for (int i = 0; i < 100; i++, w->sent++) {
		snprintf(name, sizeof(name), "hold-id%d.test", w->sent);
		ask(w->f, name, LDNS_RR_TYPE_A);
	}
	if (w->sent < 3000)
		hy_timer_start(w->f->loop, &w->t, 10, wave_fire, w);
	else
		w->f->expected = 3000;	/* now count_cb may stop the loop */
}

static void
test_ids_unique_in_flight(void **state)
{
	struct fixture f;
	struct waves w;

	(void)state;
	fixture_open(&f, 3000, 5000, 1, 0);
	memset(&w, 0, sizeof(w));
	w.f = &f;
	f.expected = 100000;	/* not done before the last wave */
	hy_timer_start(f.loop, &w.t, 0, wave_fire, &w);
	assert_int_equal(hy_loop_run(f.loop), 0);
	assert_int_equal(f.got, 3000);
	assert_int_equal(f.by_status[HY_DNS_ANSWER], 3000);
	assert_true(f.srv.max_pending > 2000);
	assert_int_equal(f.srv.id_busy, 0);
	fixture_close(&f);
}

/*
 * With hygiene's own allocations failing from the n-th on (c-ares and
 * ldns unaffected), every query the engine accepted is still answered
 * exactly once and the loop goes on: an allocation failure may cost a
 * measurement, never a callback. Sweeps n until nothing fails any more.
 */
struct sweep {
	struct hy_loop	*loop;
	struct hy_timer	 stop, guard;
	unsigned	 calls[8], accepted, done;
};

struct sweep_arg {
	struct sweep	*s;
	int		 i;
};

static void
sweep_stop(void *arg)
{
	hy_loop_stop(((struct sweep *)arg)->loop);
}

static void
sweep_cb(void *arg, const struct hy_dns_result *res)
{
	struct sweep_arg *a = arg;
	struct sweep *s = a->s;

	(void)res;
	s->calls[a->i]++;
	/* All in: a short grace period shows a callback made twice. */
	if (++s->done == s->accepted)
		hy_timer_start(s->loop, &s->stop, 20, sweep_stop, s);
}

static void
test_allocation_failures_never_lose_a_callback(void **state)
{
	static const char *names[] = { "ok-1.test", "slow-2.test",
	    "nx-3.test", "tc-4.test", "ok-1.test", "drop-6.test",
	    "big-7.test", "sf-8.test" };
	struct test_dns_server srv;
	struct sweep_arg args[8];
	int accepted[8];
	long n;

	(void)state;
	for (n = 0;; n++) {
		struct sweep s;
		struct hy_dns_opts o;
		struct hy_dns *dns = NULL;
		struct hy_dns_group *g = NULL;
		const char *servers[1], *err = NULL;
		size_t refused;

		memset(&s, 0, sizeof(s));
		s.loop = hy_loop_new();
		assert_non_null(s.loop);
		assert_int_equal(test_dns_server_start(&srv, s.loop), 0);
		servers[0] = srv.addr;
		memset(&o, 0, sizeof(o));
		o.servers = servers;
		o.nservers = 1;
		o.try_timeout_ms = 100;
		o.tries = 1;
		failalloc_after(n);
		if ((dns = hy_dns_new(s.loop, &o, &err)) != NULL)
			g = hy_dns_group_new(dns, n % 2 ? 1000 : 0);
		for (int i = 0; g != NULL && i < 8; i++) {
			args[i] = (struct sweep_arg){ &s, i };
			accepted[i] = hy_dns_query(g, names[i],
			    i == 6 ? LDNS_RR_TYPE_TXT : LDNS_RR_TYPE_A, 0,
			    sweep_cb, &args[i]) == 0;
			s.accepted += (unsigned)accepted[i];
		}
		if (s.accepted > 0) {
			hy_timer_start(s.loop, &s.guard, 3000, sweep_stop, &s);
			assert_int_equal(hy_loop_run(s.loop), 0);
		}
		refused = failalloc_refused();
		failalloc_off();
		for (int i = 0; g != NULL && i < 8; i++)
			assert_int_equal(s.calls[i], accepted[i] ? 1 : 0);
		hy_timer_stop(s.loop, &s.stop);
		hy_timer_stop(s.loop, &s.guard);
		hy_dns_group_free(g);
		hy_dns_free(dns);
		test_dns_server_stop(&srv);
		hy_loop_free(s.loop);
		if (refused == 0)
			break;
	}
	assert_true(n > 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classification),
		cmocka_unit_test(test_coalescing),
		cmocka_unit_test(test_cd_flag_is_a_different_question),
		cmocka_unit_test(test_in_flight_bound),
		cmocka_unit_test(test_deadline_fires),
		cmocka_unit_test(test_truncated_retried_over_tcp),
		cmocka_unit_test(test_unreachable_resolver_times_out),
		cmocka_unit_test(test_bad_resolver_rejected),
		cmocka_unit_test(test_group_free_drops_callbacks),
		cmocka_unit_test(test_qps_cap),
		cmocka_unit_test(test_resolver_address_forms),
		cmocka_unit_test(test_answer_rrs),
		cmocka_unit_test(test_answer_without_edns_do_is_not_measured),
		cmocka_unit_test(test_formerr_does_not_downgrade_later_queries),
		cmocka_unit_test(test_ids_unique_in_flight),
		cmocka_unit_test(test_allocation_failures_never_lose_a_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
