/*
 * A small poll(2) loop. File descriptors are few (c-ares keeps one UDP
 * socket per server, TCP only on truncation; curl a handful), so poll is
 * enough and keeps the loop portable. Timers live in a binary min-heap.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hygiene/loop.h"

struct loop_watch {
	unsigned	 events;
	hy_io_fn	 fn;
	void		*arg;
};

struct hy_loop {
	struct loop_watch *watch;	/* indexed by fd */
	size_t		   nwatch_cap;
	size_t		   nwatched;
	struct pollfd	  *pfd;
	size_t		   npfd_cap;
	struct hy_timer	 **heap;
	size_t		   nheap, heap_cap;
	uint64_t	   now;
	int		   stopped;
};

static uint64_t
loop_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct hy_loop *
hy_loop_new(void)
{
	struct hy_loop *l = calloc(1, sizeof(*l));

	if (l != NULL)
		l->now = loop_clock();
	return l;
}

void
hy_loop_free(struct hy_loop *l)
{
	if (l == NULL)
		return;
	free(l->watch);
	free(l->pfd);
	free(l->heap);
	free(l);
}

uint64_t
hy_loop_now(struct hy_loop *l)
{
	return l->now;
}

int
hy_loop_watch(struct hy_loop *l, int fd, unsigned events, hy_io_fn fn,
    void *arg)
{
	if (fd < 0)
		return -1;
	if ((size_t)fd >= l->nwatch_cap) {
		size_t ncap = l->nwatch_cap ? l->nwatch_cap : 64;
		struct loop_watch *nw;

		if (events == 0)
			return 0;
		while (ncap <= (size_t)fd)
			ncap *= 2;
		if ((nw = realloc(l->watch, ncap * sizeof(*nw))) == NULL)
			return -1;
		memset(nw + l->nwatch_cap, 0,
		    (ncap - l->nwatch_cap) * sizeof(*nw));
		l->watch = nw;
		l->nwatch_cap = ncap;
	}
	if (l->watch[fd].events == 0 && events != 0)
		l->nwatched++;
	else if (l->watch[fd].events != 0 && events == 0)
		l->nwatched--;
	l->watch[fd].events = events;
	l->watch[fd].fn = events ? fn : NULL;
	l->watch[fd].arg = events ? arg : NULL;
	return 0;
}

/* Heap helpers: slot is index + 1 so that 0 means "not armed". */
static void
heap_set(struct hy_loop *l, size_t i, struct hy_timer *t)
{
	l->heap[i] = t;
	t->slot = i + 1;
}

static void
heap_up(struct hy_loop *l, size_t i)
{
	struct hy_timer *t = l->heap[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (l->heap[p]->due_ms <= t->due_ms)
			break;
		heap_set(l, i, l->heap[p]);
		i = p;
	}
	heap_set(l, i, t);
}

static void
heap_down(struct hy_loop *l, size_t i)
{
	struct hy_timer *t = l->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->due_ms < l->heap[c]->due_ms)
			c++;
		if (t->due_ms <= l->heap[c]->due_ms)
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void
hy_timer_stop(struct hy_loop *l, struct hy_timer *t)
{
	size_t i;

	if (t == NULL || t->slot == 0)
		return;
	i = t->slot - 1;
	t->slot = 0;
	if (--l->nheap == i)
		return;
	heap_set(l, i, l->heap[l->nheap]);
	heap_up(l, i);
	heap_down(l, i);
}

int
hy_timer_start(struct hy_loop *l, struct hy_timer *t, uint64_t delay_ms,
    hy_timer_fn fn, void *arg)
{
	hy_timer_stop(l, t);
	if (l->nheap == l->heap_cap) {
		size_t ncap = l->heap_cap ? l->heap_cap * 2 : 64;
		struct hy_timer **nh = realloc(l->heap, ncap * sizeof(*nh));

		if (nh == NULL)
			return -1;
		l->heap = nh;
		l->heap_cap = ncap;
	}
	t->due_ms = l->now + delay_ms;
	t->fn = fn;
	t->arg = arg;
	heap_set(l, l->nheap++, t);
	heap_up(l, l->nheap - 1);
	return 0;
}

void
hy_loop_stop(struct hy_loop *l)
{
	l->stopped = 1;
}

static int
loop_timeout(struct hy_loop *l)
{
	uint64_t due;

	if (l->nheap == 0)
		return -1;
	due = l->heap[0]->due_ms;
	if (due <= l->now)
		return 0;
	return due - l->now > 60000 ? 60000 : (int)(due - l->now);
}

static void
loop_run_timers(struct hy_loop *l)
{
	/* Only timers due before this pass started: a callback that re-arms
	 * with delay 0 runs on the next pass, after I/O had its turn. */
	uint64_t limit = l->now;

	while (l->nheap > 0 && l->heap[0]->due_ms <= limit && !l->stopped) {
		struct hy_timer *t = l->heap[0];

		hy_timer_stop(l, t);
		t->fn(t->arg);
	}
}

static int
loop_build_pollfds(struct hy_loop *l, size_t *n)
{
	size_t fd;

	if (l->npfd_cap < l->nwatched) {
		struct pollfd *np = realloc(l->pfd, l->nwatched * sizeof(*np));

		if (np == NULL)
			return -1;
		l->pfd = np;
		l->npfd_cap = l->nwatched;
	}
	*n = 0;
	for (fd = 0; fd < l->nwatch_cap && *n < l->nwatched; fd++) {
		unsigned ev = l->watch[fd].events;

		if (ev == 0)
			continue;
		l->pfd[*n].fd = (int)fd;
		l->pfd[*n].events = (short)(((ev & HY_IO_READ) ? POLLIN : 0) |
		    ((ev & HY_IO_WRITE) ? POLLOUT : 0));
		l->pfd[*n].revents = 0;
		(*n)++;
	}
	return 0;
}

static void
loop_dispatch(struct hy_loop *l, size_t n)
{
	for (size_t i = 0; i < n && !l->stopped; i++) {
		int fd = l->pfd[i].fd;
		short re = l->pfd[i].revents;
		unsigned ev = 0;

		if (re == 0 || l->watch[fd].events == 0)
			continue;	/* unwatched by an earlier callback */
		if (re & (POLLIN | POLLHUP | POLLERR))
			ev |= HY_IO_READ;
		if (re & (POLLOUT | POLLERR))
			ev |= HY_IO_WRITE;
		ev &= l->watch[fd].events;
		if (ev != 0)
			l->watch[fd].fn(l->watch[fd].arg, fd, ev);
	}
}

int
hy_loop_run(struct hy_loop *l)
{
	size_t n;

	l->stopped = 0;
	while (!l->stopped && (l->nwatched > 0 || l->nheap > 0)) {
		int rc;

		if (loop_build_pollfds(l, &n) != 0)
			return -1;
		rc = poll(l->pfd, n, loop_timeout(l));
		l->now = loop_clock();
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (rc > 0)
			loop_dispatch(l, n);
		loop_run_timers(l);
	}
	return 0;
}
