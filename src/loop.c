/*
 * A small poll(2) loop. File descriptors are few (c-ares keeps one UDP
 * socket per server, TCP only on truncation; curl a handful), so poll is
 * enough and keeps the loop portable. Timers live in a pairing heap
 * linked through the timers themselves: arming allocates nothing, so it
 * cannot fail. The pollfd array grows when an fd is first watched, so
 * running the loop allocates nothing either.
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
	struct pollfd	  *pfd;		/* room for every watched fd */
	size_t		   npfd_cap;
	struct hy_timer	  *timers;	/* root of the pairing heap */
	size_t		   ntimers;
	uint64_t	   seq;		/* next arming's sequence number */
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
	free(l);
}

uint64_t
hy_loop_now(struct hy_loop *l)
{
	return l->now;
}

/* Room for fd in the watch table and for one more pollfd. */
static int
loop_reserve(struct hy_loop *l, int fd)
{
	if ((size_t)fd >= l->nwatch_cap) {
		size_t ncap = l->nwatch_cap ? l->nwatch_cap : 64;
		struct loop_watch *nw;

		while (ncap <= (size_t)fd)
			ncap *= 2;
		if ((nw = realloc(l->watch, ncap * sizeof(*nw))) == NULL)
			return -1;
		memset(nw + l->nwatch_cap, 0,
		    (ncap - l->nwatch_cap) * sizeof(*nw));
		l->watch = nw;
		l->nwatch_cap = ncap;
	}
	if (l->npfd_cap <= l->nwatched) {
		size_t ncap = l->npfd_cap ? l->npfd_cap * 2 : 16;
		struct pollfd *np = realloc(l->pfd, ncap * sizeof(*np));

		if (np == NULL)
			return -1;
		l->pfd = np;
		l->npfd_cap = ncap;
	}
	return 0;
}

int
hy_loop_watch(struct hy_loop *l, int fd, unsigned events, hy_io_fn fn,
    void *arg)
{
	bool watched;

	if (fd < 0)
		return -1;
	watched = (size_t)fd < l->nwatch_cap && l->watch[fd].events != 0;
	if (!watched) {
		if (events == 0)
			return 0;
		if (loop_reserve(l, fd) != 0)
			return -1;
		l->nwatched++;
	} else if (events == 0) {
		l->nwatched--;
	}
	l->watch[fd].events = events;
	l->watch[fd].fn = events ? fn : NULL;
	l->watch[fd].arg = events ? arg : NULL;
	return 0;
}

/* ---- timers: a pairing heap ordered by (due, seq) --------------------- */

static int
timer_before(const struct hy_timer *a, const struct hy_timer *b)
{
	return a->due_ms < b->due_ms ||
	    (a->due_ms == b->due_ms && a->seq < b->seq);
}

/* Two heaps (roots, either NULL) into one: the later root becomes the
 * first child of the earlier. A child's prev is its left sibling, or the
 * parent for the first child. */
static struct hy_timer *
heap_meld(struct hy_timer *a, struct hy_timer *b)
{
	struct hy_timer *tmp;

	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	if (timer_before(b, a)) {
		tmp = a;
		a = b;
		b = tmp;
	}
	b->prev = a;
	b->next = a->child;
	if (a->child != NULL)
		a->child->prev = b;
	a->child = b;
	a->next = a->prev = NULL;
	return a;
}

/* A list of sibling heaps into one heap: meld pairs left to right, then
 * the pairs right to left (the two-pass rule that keeps removal at
 * O(log n) amortised). */
static struct hy_timer *
heap_merge_pairs(struct hy_timer *first)
{
	struct hy_timer *stack = NULL, *a, *b, *m = NULL;

	while ((a = first) != NULL) {
		b = a->next;
		first = b != NULL ? b->next : NULL;
		a->next = a->prev = NULL;
		if (b != NULL)
			b->next = b->prev = NULL;
		a = heap_meld(a, b);
		a->next = stack;
		stack = a;
	}
	while ((a = stack) != NULL) {
		stack = a->next;
		a->next = NULL;
		m = heap_meld(m, a);
	}
	return m;
}

void
hy_timer_stop(struct hy_loop *l, struct hy_timer *t)
{
	struct hy_timer *sub;

	if (t == NULL || !t->armed)
		return;
	sub = heap_merge_pairs(t->child);
	if (t == l->timers) {
		l->timers = sub;
	} else {
		if (t->prev->child == t)
			t->prev->child = t->next;
		else
			t->prev->next = t->next;
		if (t->next != NULL)
			t->next->prev = t->prev;
		l->timers = heap_meld(l->timers, sub);
	}
	t->child = t->next = t->prev = NULL;
	t->armed = false;
	l->ntimers--;
}

void
hy_timer_start(struct hy_loop *l, struct hy_timer *t, uint64_t delay_ms,
    hy_timer_fn fn, void *arg)
{
	hy_timer_stop(l, t);
	t->due_ms = l->now + delay_ms;
	t->seq = l->seq++;
	t->fn = fn;
	t->arg = arg;
	t->child = t->next = t->prev = NULL;
	t->armed = true;
	l->timers = heap_meld(l->timers, t);
	l->ntimers++;
}

bool
hy_timer_armed(const struct hy_timer *t)
{
	return t->armed;
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

	if (l->timers == NULL)
		return -1;
	due = l->timers->due_ms;
	if (due <= l->now)
		return 0;
	return due - l->now > 60000 ? 60000 : (int)(due - l->now);
}

static void
loop_run_timers(struct hy_loop *l)
{
	/* Only timers due when this pass started and armed before it: one
	 * that a callback re-arms with delay 0 runs on the next pass, after
	 * I/O had its turn. */
	uint64_t limit = l->now, seq_limit = l->seq;
	struct hy_timer *t;

	while ((t = l->timers) != NULL && !l->stopped &&
	    t->due_ms <= limit && t->seq < seq_limit) {
		hy_timer_stop(l, t);
		t->fn(t->arg);
	}
}

static size_t
loop_build_pollfds(struct hy_loop *l)
{
	size_t fd, n = 0;

	for (fd = 0; fd < l->nwatch_cap && n < l->nwatched; fd++) {
		unsigned ev = l->watch[fd].events;

		if (ev == 0)
			continue;
		l->pfd[n].fd = (int)fd;
		l->pfd[n].events = (short)(((ev & HY_IO_READ) ? POLLIN : 0) |
		    ((ev & HY_IO_WRITE) ? POLLOUT : 0));
		l->pfd[n].revents = 0;
		n++;
	}
	return n;
}

/* fd is not open (POLLNVAL): its owner closed it without unwatching it.
 * poll would report it on every pass, so drop the watch, then call the
 * owner once with everything it watched so that it notices. */
static void
loop_invalid_fd(struct hy_loop *l, int fd)
{
	struct loop_watch w = l->watch[fd];

	hy_loop_watch(l, fd, 0, NULL, NULL);
	w.fn(w.arg, fd, w.events);
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
		if (re & POLLNVAL) {
			loop_invalid_fd(l, fd);
			continue;
		}
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
	while (!l->stopped && (l->nwatched > 0 || l->ntimers > 0)) {
		int rc;

		n = loop_build_pollfds(l);
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
