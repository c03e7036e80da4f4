/*
 * The single event loop: file-descriptor watches and timers, driven by
 * poll(2). c-ares and libcurl register their sockets here; nothing in
 * hygiene runs a thread or blocks on the network.
 *
 * Ownership: the loop owns nothing it is given. A struct hy_timer is
 * embedded in the caller's object and must stay alive while armed;
 * hy_timer_stop() on a timer that is not armed is a no-op. Timers are
 * linked through their own fields, so arming one needs no memory and
 * cannot fail: no caller has a failed arm to handle, and no check can
 * hang waiting for a timer that was never armed.
 */
#ifndef HYGIENE_LOOP_H
#define HYGIENE_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HY_IO_READ  0x1u
#define HY_IO_WRITE 0x2u

struct hy_loop;

typedef void (*hy_io_fn)(void *arg, int fd, unsigned events);
typedef void (*hy_timer_fn)(void *arg);

/* Private to the loop; zero-initialise it before the first use. */
struct hy_timer {
	uint64_t	 due_ms;	/* monotonic milliseconds */
	uint64_t	 seq;		/* arming order: ties fire FIFO */
	hy_timer_fn	 fn;
	void		*arg;
	struct hy_timer	*child, *next, *prev;	/* pairing-heap links */
	bool		 armed;
};

struct hy_loop	*hy_loop_new(void);
void		 hy_loop_free(struct hy_loop *);

/* Monotonic milliseconds, cached per loop iteration. */
uint64_t	 hy_loop_now(struct hy_loop *);

/*
 * Watch fd for events (HY_IO_READ|HY_IO_WRITE). events == 0 stops the
 * watch (never fails). Re-watching an fd replaces its events, callback
 * and argument. Returns 0, or -1 when memory runs out (nothing changed).
 *
 * A watched fd that is closed without being unwatched (poll(2) says
 * POLLNVAL) is unwatched by the loop, and its callback is called once
 * with every event it watched, so that its owner's read or write fails
 * and the owner cleans up.
 */
int		 hy_loop_watch(struct hy_loop *, int fd, unsigned events,
		    hy_io_fn fn, void *arg);

/* Arm t (re-arm if armed) to fire once after delay_ms. With delay 0 it
 * fires on the next pass, after I/O had its turn, never in the pass
 * that armed it. Timers due at the same time fire in arming order. */
void		 hy_timer_start(struct hy_loop *, struct hy_timer *t,
		    uint64_t delay_ms, hy_timer_fn fn, void *arg);
void		 hy_timer_stop(struct hy_loop *, struct hy_timer *t);
bool		 hy_timer_armed(const struct hy_timer *);

/*
 * Run until nothing is watched and no timer is armed, or until
 * hy_loop_stop(). Returns 0, or -1 if poll(2) fails (never for lack of
 * memory).
 */
int		 hy_loop_run(struct hy_loop *);
void		 hy_loop_stop(struct hy_loop *);

#endif
