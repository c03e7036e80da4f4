#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "hygiene/loop.h"

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
		assert_int_equal(hy_timer_start(r.loop, &t[i].t, delays[i],
		    record, &t[i]), 0);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers_fire_in_order),
		cmocka_unit_test(test_fd_watch),
		cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
