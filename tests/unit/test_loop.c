#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hygiene/loop.h"
#include "failalloc.h"

struct rec {
	struct hy_loop	*loop;
	int		 order[16];
	int		 n;
};

struct tagged {
	struct rec	*r;
	int		 tag;
	struct hy_timer	 t;
};

static void
record(void *arg)
{
	struct tagged *tg = arg;

	tg->r->order[tg->r->n++] = tg->tag;
}

static void
test_timers_fire_in_order(void **state)
{
	struct rec r = { hy_loop_new(), { 0 }, 0 };
	struct tagged t[5];
	uint64_t delays[5] = { 40, 10, 30, 0, 20 };

	(void)state;
	for (int i = 0; i < 5; i++) {
		t[i] = (struct tagged){ &r, i, { 0 } };
		hy_timer_start(r.loop, &t[i].t, delays[i], record, &t[i]);
	}
	hy_timer_stop(r.loop, &t[2].t);
	hy_timer_stop(r.loop, &t[2].t);		/* twice is harmless */
	assert_int_equal(hy_loop_run(r.loop), 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.order[0], 3);
	assert_int_equal(r.order[1], 1);
	assert_int_equal(r.order[2], 4);
	assert_int_equal(r.order[3], 0);
	hy_loop_free(r.loop);
}

struct pipe_ctx {
	struct hy_loop	*loop;
	int		 fds[2];
	int		 reads;
};

static void
on_read(void *arg, int fd, unsigned ev)
{
	struct pipe_ctx *p = arg;
	char c;

	assert_true(ev & HY_IO_READ);
	assert_int_equal(read(fd, &c, 1), 1);
	p->reads++;
	hy_loop_watch(p->loop, fd, 0, NULL, NULL);
}

static void
write_later(void *arg)
{
	struct pipe_ctx *p = arg;

	assert_int_equal(write(p->fds[1], "x", 1), 1);
}

static void
test_fd_watch(void **state)
{
	struct pipe_ctx p = { hy_loop_new(), { -1, -1 }, 0 };
	struct hy_timer t = { 0 };

	(void)state;
	assert_int_equal(pipe(p.fds), 0);
	hy_loop_watch(p.loop, p.fds[0], HY_IO_READ, on_read, &p);
	hy_timer_start(p.loop, &t, 5, write_later, &p);
	assert_int_equal(hy_loop_run(p.loop), 0);
	assert_int_equal(p.reads, 1);
	close(p.fds[0]);
	close(p.fds[1]);
	hy_loop_free(p.loop);
}

static void
test_free_null(void **state)
{
	(void)state;
	hy_loop_free(NULL);
}

/* A watched descriptor that was closed behind the loop's back makes
 * poll(2) report POLLNVAL on every pass: the watch must be dropped and
 * its owner told once, not skipped (the loop would spin at full speed). */
struct nval_ctx {
	struct hy_loop	*loop;
	int		 calls;
	unsigned	 events;
};

static void
on_nval(void *arg, int fd, unsigned ev)
{
	struct nval_ctx *n = arg;

	(void)fd;
	n->calls++;
	n->events = ev;
}

static void
test_pollnval_drops_the_watch(void **state)
{
	struct nval_ctx n = { hy_loop_new(), 0, 0 };
	struct hy_timer guard = { 0 };
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	hy_loop_watch(n.loop, fds[0], HY_IO_READ, on_nval, &n);
	close(fds[0]);
	close(fds[1]);
	hy_timer_start(n.loop, &guard, 300, (hy_timer_fn)hy_loop_stop, n.loop);
	assert_int_equal(hy_loop_run(n.loop), 0);
	assert_int_equal(n.calls, 1);
	assert_true(n.events & HY_IO_READ);
	hy_loop_free(n.loop);
}

/* A timer that re-arms itself with delay 0 runs again on the next pass,
 * after I/O had its turn; it must not starve the descriptors. */
struct spin_ctx {
	struct hy_loop	*loop;
	struct hy_timer	 t;
	int		 fires, io_at, wfd;
};

static void
spin_fire(void *arg)
{
	struct spin_ctx *s = arg;

	if (++s->fires == 1)	/* the descriptor is ready from now on */
		assert_int_equal(write(s->wfd, "x", 1), 1);
	if (s->fires < 1000)
		hy_timer_start(s->loop, &s->t, 0, spin_fire, s);
}

static void
spin_io(void *arg, int fd, unsigned ev)
{
	struct spin_ctx *s = arg;
	char c;

	(void)ev;
	assert_int_equal(read(fd, &c, 1), 1);
	s->io_at = s->fires;
	hy_loop_watch(s->loop, fd, 0, NULL, NULL);
}

static void
test_zero_delay_rearm_lets_io_run(void **state)
{
	struct spin_ctx s = { hy_loop_new(), { 0 }, 0, -1, -1 };
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	s.wfd = fds[1];
	hy_timer_start(s.loop, &s.t, 0, spin_fire, &s);
	hy_loop_watch(s.loop, fds[0], HY_IO_READ, spin_io, &s);
	assert_int_equal(hy_loop_run(s.loop), 0);
	assert_int_equal(s.fires, 1000);
	assert_true(s.io_at >= 1 && s.io_at <= 3);
	close(fds[0]);
	close(fds[1]);
	hy_loop_free(s.loop);
}

/* Arming a timer needs no memory, so it cannot fail: with every
 * allocation refused, 2,000 timers armed, stopped and re-armed in a
 * pseudo-random pattern still fire, in order of their due times and, for
 * equal due times, in the order they were (last) armed. */
struct order_ctx {
	int		 last_delay, last_seq, fired, misordered;
};

struct ordered {
	struct order_ctx *o;
	struct hy_timer	  t;
	int		  delay, seq, armed;
};

static void
ordered_fire(void *arg)
{
	struct ordered *x = arg;
	struct order_ctx *o = x->o;

	if (x->delay < o->last_delay ||
	    (x->delay == o->last_delay && x->seq < o->last_seq))
		o->misordered++;
	o->last_delay = x->delay;
	o->last_seq = x->seq;
	o->fired++;
	x->armed = 0;
}

static void
test_timers_need_no_memory(void **state)
{
	struct hy_loop *l = hy_loop_new();
	struct order_ctx o = { -1, -1, 0, 0 };
	static struct ordered x[2000];
	uint32_t rnd = 12345;
	int seq = 0, armed = 0;

	(void)state;
	memset(x, 0, sizeof(x));
	failalloc_after(0);
	for (int round = 0; round < 4000; round++) {
		struct ordered *p;

		rnd = rnd * 1103515245u + 12345u;
		p = &x[(rnd >> 8) % 2000];
		if (p->armed && (rnd >> 4) % 4 == 0) {
			hy_timer_stop(l, &p->t);
			p->armed = 0;
			continue;
		}
		p->o = &o;
		p->delay = (int)((rnd >> 16) % 20);
		p->seq = seq++;
		p->armed = 1;
		hy_timer_start(l, &p->t, (uint64_t)p->delay, ordered_fire, p);
	}
	for (int i = 0; i < 2000; i++)
		armed += x[i].armed;
	assert_true(armed > 500);
	assert_int_equal(hy_loop_run(l), 0);
	failalloc_off();
	assert_int_equal(o.fired, armed);
	assert_int_equal(o.misordered, 0);
	hy_loop_free(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_order),
		cmocka_unit_test(test_fd_watch),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_pollnval_drops_the_watch),
		cmocka_unit_test(test_zero_delay_rearm_lets_io_run),
		cmocka_unit_test(test_timers_need_no_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
