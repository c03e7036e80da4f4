/*
 * The single event loop: file-descriptor watches and timers, driven by
 * poll(2). c-ares and libcurl register their sockets here; nothing in
 * hygiene runs a thread or blocks on the network.
 *
 * Ownership: the loop owns nothing it is given. A struct hy_timer is
 * embedded in the caller's object and must stay alive while armed;
 * hy_timer_stop() on a timer that is not armed is a no-op.
 */
#ifndef HYGIENE_LOOP_H
#define HYGIENE_LOOP_H

#include <stddef.h>
#include <stdint.h>

#define HY_IO_READ  0x1u
#define HY_IO_WRITE 0x2u

struct hy_loop;

typedef void (*hy_io_fn)(void *arg, int fd, unsigned events);
typedef void (*hy_timer_fn)(void *arg);

struct hy_timer {
	uint64_t     due_ms;   /* monotonic milliseconds */
	hy_timer_fn  fn;
	void        *arg;
	size_t       slot;     /* heap index + 1; 0 when not armed */
};

struct hy_loop	*hy_loop_new(void);
void		 hy_loop_free(struct hy_loop *);

/* Monotonic milliseconds, cached per loop iteration. */
uint64_t	 hy_loop_now(struct hy_loop *);

/*
 * Watch fd for events (HY_IO_READ|HY_IO_WRITE). events == 0 stops the
 * watch. Re-watching an fd replaces its events, callback and argument.
 */
int		 hy_loop_watch(struct hy_loop *, int fd, unsigned events,
		    hy_io_fn fn, void *arg);

/* Arm t to fire once after delay_ms (0: on the next iteration). */
int		 hy_timer_start(struct hy_loop *, struct hy_timer *t,
		    uint64_t delay_ms, hy_timer_fn fn, void *arg);
void		 hy_timer_stop(struct hy_loop *, struct hy_timer *t);

/*
 * Run until nothing is watched and no timer is armed, or until
 * hy_loop_stop(). Returns 0, or -1 if poll(2) fails.
 */
int		 hy_loop_run(struct hy_loop *);
void		 hy_loop_stop(struct hy_loop *);

#endif
