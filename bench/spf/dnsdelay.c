/*
 * A DNS-over-UDP forwarder that holds every packet for a fixed time in
 * each direction, to give benchmarks on loopback the round-trip time of a
 * resolver that is not on the same machine (this kernel has no netem).
 *
 *   hygiene-dnsdelay LISTEN UPSTREAM DELAY_US
 *
 * LISTEN and UPSTREAM are IPv4 "ADDRESS:PORT". Each query received on
 * LISTEN is sent to UPSTREAM DELAY_US microseconds later, each answer is
 * sent back to its client DELAY_US microseconds after it arrived: the
 * added round trip is 2 * DELAY_US. On SIGTERM or SIGINT it prints one
 * JSON line of counters (packets, drops, lateness of the releases, CPU
 * time) and exits.
 *
 * Queries go upstream from one socket with the message ID rewritten to a
 * 16-bit counter; the slot of that counter keeps the client's address and
 * ID until the answer comes back, or until 65,536 later queries reuse it
 * (far more than are ever in flight here). Because the delay is the same
 * for every packet, each direction is a FIFO: one timerfd, armed at the
 * release time of the oldest packet, drives both. Packets are received
 * with recvmmsg(2) straight into the queue and sent with sendmmsg(2), so
 * the forwarder costs about one system call per batch, not per packet.
 * The event loop is hygiene's own; the timerfd gives it microsecond
 * resolution (its timers count milliseconds).
 *
 * TCP is not forwarded: answers with the TC bit are counted ("truncated")
 * so that a run in which a client would need TCP shows it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hygiene/loop.h"

#define PKT_MAX		4096	/* larger datagrams are dropped, counted */
#define QUEUE_CAP	8192	/* packets held per direction */
#define BATCH		64
#define NSLOTS		65536

struct pkt {
	uint64_t		 due_ns;
	struct sockaddr_in	 peer;	/* the client (both directions) */
	uint16_t		 len;
	unsigned char		 buf[PKT_MAX];
};

struct queue {
	struct pkt	*ring;
	size_t		 head, n;
	int		 fd;		/* sends from this socket */
	int		 to_client;	/* sendto the packet's peer */
	uint64_t	 sent, send_errors, full_drops;
	uint64_t	 late_sum_ns, late_max_ns;
};

struct slot {
	struct sockaddr_in	 peer;
	uint16_t		 id;
	uint8_t			 used;
};

struct proxy {
	struct hy_loop	*loop;
	int		 lfd, ufd, tfd, sfd;
	uint64_t	 delay_ns, armed_ns;
	struct queue	 up, down;
	struct slot	*slots;
	uint16_t	 next_id;
	uint64_t	 queries, answers, unmatched, truncated, oversize;
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static struct pkt *
queue_slot(struct queue *q, size_t i)
{
	return &q->ring[(q->head + i) % QUEUE_CAP];
}

/* Arm the timerfd at the earliest release time, if it changed. */
static void
proxy_arm(struct proxy *p)
{
	struct itimerspec its;
	uint64_t due = 0;

	if (p->up.n > 0)
		due = queue_slot(&p->up, 0)->due_ns;
	if (p->down.n > 0 && (due == 0 ||
	    queue_slot(&p->down, 0)->due_ns < due))
		due = queue_slot(&p->down, 0)->due_ns;
	if (due == 0 || due == p->armed_ns)
		return;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = (time_t)(due / 1000000000u);
	its.it_value.tv_nsec = (long)(due % 1000000000u);
	if (timerfd_settime(p->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		p->armed_ns = due;
}

/* Send every packet whose time has come, in batches. */
static void
queue_flush(struct queue *q, uint64_t now)
{
	struct mmsghdr mh[BATCH];
	struct iovec iov[BATCH];
	size_t k;
	int r;

	for (;;) {
		for (k = 0; k < BATCH && k < q->n; k++) {
			struct pkt *pk = queue_slot(q, k);

			if (pk->due_ns > now)
				break;
			iov[k].iov_base = pk->buf;
			iov[k].iov_len = pk->len;
			memset(&mh[k], 0, sizeof(mh[k]));
			mh[k].msg_hdr.msg_iov = &iov[k];
			mh[k].msg_hdr.msg_iovlen = 1;
			if (q->to_client) {
				mh[k].msg_hdr.msg_name = &pk->peer;
				mh[k].msg_hdr.msg_namelen = sizeof(pk->peer);
			}
		}
		if (k == 0)
			return;
		r = sendmmsg(q->fd, mh, (unsigned)k, 0);
		if (r <= 0) {
			/* Lost, as on a real network; the client retries. */
			r = 1;
			q->send_errors++;
		} else {
			for (int i = 0; i < r; i++) {
				uint64_t late = now - queue_slot(q, (size_t)i)->due_ns;

				q->late_sum_ns += late;
				if (late > q->late_max_ns)
					q->late_max_ns = late;
			}
			q->sent += (uint64_t)r;
		}
		q->head = (q->head + (size_t)r) % QUEUE_CAP;
		q->n -= (size_t)r;
	}
}

static void
proxy_flush(struct proxy *p)
{
	uint64_t now = now_ns();

	queue_flush(&p->up, now);
	queue_flush(&p->down, now);
	proxy_arm(p);
}

/*
 * Receive up to one batch from fd straight into q's free ring slots.
 * Returns the number received; a full queue drops one datagram so the
 * socket does not stay readable forever.
 */
static int
queue_recv(struct queue *q, int fd, int from_client)
{
	struct mmsghdr mh[BATCH];
	struct iovec iov[BATCH];
	unsigned char junk[PKT_MAX];
	size_t k, room = QUEUE_CAP - q->n;
	int r;

	if (room == 0) {
		if (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) >= 0)
			q->full_drops++;
		return 0;
	}
	for (k = 0; k < BATCH && k < room; k++) {
		struct pkt *pk = queue_slot(q, q->n + k);

		iov[k].iov_base = pk->buf;
		iov[k].iov_len = sizeof(pk->buf);
		memset(&mh[k], 0, sizeof(mh[k]));
		mh[k].msg_hdr.msg_iov = &iov[k];
		mh[k].msg_hdr.msg_iovlen = 1;
		if (from_client) {
			mh[k].msg_hdr.msg_name = &pk->peer;
			mh[k].msg_hdr.msg_namelen = sizeof(pk->peer);
		}
	}
	r = recvmmsg(fd, mh, (unsigned)k, MSG_DONTWAIT, NULL);
	if (r < 0)
		return 0;
	for (int i = 0; i < r; i++)
		queue_slot(q, q->n + (size_t)i)->len =
		    (uint16_t)(mh[i].msg_len);
	/* Truncated datagrams are flagged, not silently forwarded. */
	for (int i = 0; i < r; i++)
		if (mh[i].msg_hdr.msg_flags & MSG_TRUNC)
			queue_slot(q, q->n + (size_t)i)->len = 0;
	return r;
}

/*
 * Take the i-th of the datagrams queue_recv() just put after q's tail:
 * returns it moved to the tail (earlier ones may have been dropped), or
 * NULL for a datagram that is not a DNS message or was too big.
 */
static struct pkt *
queue_take(struct proxy *p, struct queue *q, size_t base, int i)
{
	struct pkt *src = queue_slot(q, base + (size_t)i);
	struct pkt *dst = queue_slot(q, q->n);

	if (src->len < 12) {
		p->oversize += src->len == 0;
		return NULL;
	}
	if (dst != src) {
		dst->peer = src->peer;
		dst->len = src->len;
		memcpy(dst->buf, src->buf, src->len);
	}
	return dst;
}

static void
on_client(void *arg, int fd, unsigned events)
{
	struct proxy *p = arg;
	size_t base = p->up.n;
	int r = queue_recv(&p->up, fd, 1);
	uint64_t due = now_ns() + p->delay_ns;	/* held from receipt */

	(void)events;
	for (int i = 0; i < r; i++) {
		struct pkt *pk = queue_take(p, &p->up, base, i);
		struct slot *s;

		if (pk == NULL)
			continue;
		s = &p->slots[p->next_id];
		s->peer = pk->peer;
		s->id = (uint16_t)(pk->buf[0] << 8 | pk->buf[1]);
		s->used = 1;
		pk->buf[0] = (unsigned char)(p->next_id >> 8);
		pk->buf[1] = (unsigned char)(p->next_id & 0xff);
		p->next_id++;
		pk->due_ns = due;
		p->up.n++;
		p->queries++;
	}
	proxy_flush(p);
}

static void
on_upstream(void *arg, int fd, unsigned events)
{
	struct proxy *p = arg;
	size_t base = p->down.n;
	int r = queue_recv(&p->down, fd, 0);
	uint64_t due = now_ns() + p->delay_ns;	/* held from receipt */

	(void)events;
	for (int i = 0; i < r; i++) {
		struct pkt *pk = queue_take(p, &p->down, base, i);
		struct slot *s;

		if (pk == NULL)
			continue;
		s = &p->slots[pk->buf[0] << 8 | pk->buf[1]];
		if (!s->used) {
			p->unmatched++;
			continue;
		}
		s->used = 0;
		pk->peer = s->peer;
		pk->buf[0] = (unsigned char)(s->id >> 8);
		pk->buf[1] = (unsigned char)(s->id & 0xff);
		if (pk->buf[2] & 0x02)
			p->truncated++;
		pk->due_ns = due;
		p->down.n++;
		p->answers++;
	}
	proxy_flush(p);
}

static void
on_timer(void *arg, int fd, unsigned events)
{
	struct proxy *p = arg;
	uint64_t ticks;

	(void)events;
	if (read(fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	p->armed_ns = 0;
	proxy_flush(p);
}

static void
on_signal(void *arg, int fd, unsigned events)
{
	struct proxy *p = arg;
	struct signalfd_siginfo si;

	(void)events;
	if (read(fd, &si, sizeof(si)) > 0)
		hy_loop_stop(p->loop);
}

static int
parse_addr(const char *s, struct sockaddr_in *sin)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	char *end;
	long port;

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port <= 0 || port > 65535)
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

static int
udp_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int sz = 8 << 20;

	if (fd < 0)
		return -1;
	/* Root may exceed rmem_max; others get what the sysctl allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sz, sizeof(sz)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	return fd;
}

static double
tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static void
print_stats(const struct proxy *p, double wall)
{
	struct rusage ru;
	uint64_t sent = p->up.sent + p->down.sent;
	uint64_t late = p->up.late_sum_ns + p->down.late_sum_ns;
	uint64_t lmax = p->up.late_max_ns > p->down.late_max_ns ?
	    p->up.late_max_ns : p->down.late_max_ns;

	getrusage(RUSAGE_SELF, &ru);
	printf("{\"delay_us\": %.1f, \"queries\": %llu, \"answers\": %llu, "
	    "\"sent_up\": %llu, \"sent_down\": %llu, \"unmatched\": %llu, "
	    "\"truncated\": %llu, \"oversize\": %llu, \"dropped\": %llu, "
	    "\"late_mean_us\": %.1f, \"late_max_us\": %.1f, "
	    "\"cpu_user_s\": %.3f, \"cpu_sys_s\": %.3f, \"wall_s\": %.3f}\n",
	    (double)p->delay_ns / 1e3,
	    (unsigned long long)p->queries, (unsigned long long)p->answers,
	    (unsigned long long)p->up.sent, (unsigned long long)p->down.sent,
	    (unsigned long long)p->unmatched,
	    (unsigned long long)p->truncated, (unsigned long long)p->oversize,
	    (unsigned long long)(p->up.full_drops + p->down.full_drops +
	    p->up.send_errors + p->down.send_errors),
	    sent ? (double)late / (double)sent / 1e3 : 0.0,
	    (double)lmax / 1e3, tv_s(ru.ru_utime), tv_s(ru.ru_stime), wall);
}

int
main(int argc, char **argv)
{
	struct proxy p;
	struct sockaddr_in lsin, usin, any;
	sigset_t mask;
	char *end;
	long us;
	double t0;
	int rc = 1;

	if (argc != 4) {
		fprintf(stderr, "usage: %s LISTEN UPSTREAM DELAY_US\n",
		    argv[0]);
		return 2;
	}
	us = strtol(argv[3], &end, 10);
	if (parse_addr(argv[1], &lsin) != 0 || parse_addr(argv[2], &usin) !=
	    0 || *end != '\0' || us < 0 || us > 10000000) {
		fprintf(stderr, "usage: %s LISTEN UPSTREAM DELAY_US\n",
		    argv[0]);
		return 2;
	}
	memset(&p, 0, sizeof(p));
	p.lfd = p.ufd = p.tfd = p.sfd = -1;
	p.delay_ns = (uint64_t)us * 1000u;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	memset(&any, 0, sizeof(any));
	any.sin_family = AF_INET;
	any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) != 0 ||
	    (p.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (p.tfd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) < 0 ||
	    (p.lfd = udp_socket()) < 0 || (p.ufd = udp_socket()) < 0) {
		perror("dnsdelay: setup");
		goto out;
	}
	if (bind(p.lfd, (struct sockaddr *)&lsin, sizeof(lsin)) != 0 ||
	    bind(p.ufd, (struct sockaddr *)&any, sizeof(any)) != 0 ||
	    connect(p.ufd, (struct sockaddr *)&usin, sizeof(usin)) != 0) {
		perror("dnsdelay: bind/connect");
		goto out;
	}
	p.up.fd = p.ufd;
	p.down.fd = p.lfd;
	p.down.to_client = 1;
	if ((p.slots = calloc(NSLOTS, sizeof(*p.slots))) == NULL ||
	    (p.up.ring = calloc(QUEUE_CAP, sizeof(struct pkt))) == NULL ||
	    (p.down.ring = calloc(QUEUE_CAP, sizeof(struct pkt))) == NULL ||
	    (p.loop = hy_loop_new()) == NULL) {
		fprintf(stderr, "dnsdelay: out of memory\n");
		goto out;
	}
	if (hy_loop_watch(p.loop, p.lfd, HY_IO_READ, on_client, &p) != 0 ||
	    hy_loop_watch(p.loop, p.ufd, HY_IO_READ, on_upstream, &p) != 0 ||
	    hy_loop_watch(p.loop, p.tfd, HY_IO_READ, on_timer, &p) != 0 ||
	    hy_loop_watch(p.loop, p.sfd, HY_IO_READ, on_signal, &p) != 0) {
		fprintf(stderr, "dnsdelay: out of memory\n");
		goto out;
	}
	t0 = (double)now_ns() / 1e9;
	if (hy_loop_run(p.loop) != 0) {
		perror("dnsdelay: poll");
		goto out;
	}
	print_stats(&p, (double)now_ns() / 1e9 - t0);
	rc = 0;
out:
	hy_loop_free(p.loop);
	free(p.slots);
	free(p.up.ring);
	free(p.down.ring);
	if (p.lfd >= 0)
		close(p.lfd);
	if (p.ufd >= 0)
		close(p.ufd);
	if (p.tfd >= 0)
		close(p.tfd);
	if (p.sfd >= 0)
		close(p.sfd);
	return rc;
}
