/*
 * VRPs from an RTR cache (RFC 8210) with rtrlib.
 *
 * The sync is a snapshot: rtrlib syncs in its own thread while we wait
 * with our own deadline (--rtr-timeout, apart from the per-domain
 * --timeout: a full public table is about 800k VRPs), then we take over
 * the prefix tries rtrlib built and close the connection. Nothing is
 * reported without a completed sync.
 *
 * rtrlib keeps the text of a cache's Error Report PDU to its debug log
 * and, after "No Data Available", sleeps its retry interval with
 * cancellation disabled. So the transport is wrapped in a tap that reads
 * the PDU stream as rtrlib receives it: it counts prefix PDUs (progress)
 * and keeps an Error Report's code and text, which end the wait at once;
 * and the retry interval is 1 s, so stopping rtrlib's thread never waits
 * long.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rtrlib/rtrlib.h>

#include "hygiene/cursor.h"
#include "hygiene/rpki.h"
#include "rpki_int.h"

#define RTR_RETRY_S		1	/* see the top comment */
#define RTR_PROGRESS_MS		250
#define PDU_IPV4_PREFIX		4
#define PDU_IPV6_PREFIX		6
#define PDU_ERROR_REPORT	10
#define ERR_UNSUPPORTED_VERSION	4	/* rtrlib downgrades and retries */
#define ERR_BODY_MAX		2048	/* Error Report bytes kept */

/* The transport tap; its parser runs in rtrlib's thread. */
struct rtr_tap {
	struct tr_socket inner;
	atomic_bool	 abort;		/* fail every receive from now on */
	pthread_mutex_t	 mtx;
	/* parser state (rtrlib's thread only) */
	uint8_t		 hdr[8];
	size_t		 hlen;
	uint32_t	 body_left;
	uint8_t		 type;
	uint16_t	 code;
	char		 body[ERR_BODY_MAX];
	size_t		 blen;
	/* shared, under mtx */
	size_t		 prefixes;	/* prefix PDUs received */
	bool		 error_seen;
	uint16_t	 error_code;
	char		 error_text[256];
};

struct rtr_wait {
	pthread_mutex_t	 mtx;
	enum rtr_socket_state last;	/* last socket state seen */
	bool		 connected;	/* reached ESTABLISHED or SYNC once */
	bool		 failed;	/* an error state was seen (rtrlib
					   leaves it at once: kept here) */
};

static bool
rtr_error_state(enum rtr_socket_state s)
{
	return s == RTR_ERROR_TRANSPORT || s == RTR_ERROR_FATAL ||
	    s == RTR_ERROR_NO_DATA_AVAIL;
}

static const char *
rtr_error_name(uint16_t code)
{
	static const char *const names[] = {
	    "Corrupt Data", "Internal Error", "No Data Available",
	    "Invalid Request", "Unsupported Protocol Version",
	    "Unsupported PDU Type", "Withdrawal of Unknown Record",
	    "Duplicate Announcement Received", "Unexpected Protocol Version",
	};

	return code < sizeof(names) / sizeof(names[0]) ? names[code] :
	    "unknown error code";
}

static bool
cur_u32(struct hy_cursor *c, uint32_t *v)
{
	int i, b;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if ((b = hy_cursor_next(c)) < 0)
			return false;
		*v = *v << 8 | (uint32_t)b;
	}
	return true;
}

/* The error text of a complete Error Report body (RFC 8210 section
 * 5.11), printable ASCII only: it comes from the network. */
static void
tap_error_text(const char *body, size_t len, char *out, size_t outlen)
{
	struct hy_cursor c;
	uint32_t n, i;
	size_t o = 0;
	int ch;

	out[0] = '\0';
	hy_cursor_init(&c, body, len);
	if (!cur_u32(&c, &n) || n > hy_cursor_left(&c))
		return;
	for (i = 0; i < n; i++)
		(void)hy_cursor_next(&c);
	if (!cur_u32(&c, &n))
		return;
	for (i = 0; i < n && o + 1 < outlen; i++) {
		if ((ch = hy_cursor_next(&c)) < 0)
			break;
		out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[o] = '\0';
}

static void
tap_pdu_done(struct rtr_tap *t)
{
	pthread_mutex_lock(&t->mtx);
	if (t->type == PDU_IPV4_PREFIX || t->type == PDU_IPV6_PREFIX)
		t->prefixes++;
	else if (t->type == PDU_ERROR_REPORT && !t->error_seen) {
		t->error_seen = true;
		t->error_code = t->code;
		tap_error_text(t->body, t->blen, t->error_text,
		    sizeof(t->error_text));
	}
	pthread_mutex_unlock(&t->mtx);
}

/* Follow the PDU boundaries of the received bytes. */
static void
tap_feed(struct rtr_tap *t, const uint8_t *p, size_t n)
{
	size_t k;
	uint32_t len;

	while (n > 0) {
		if (t->hlen < sizeof(t->hdr)) {
			t->hdr[t->hlen++] = *p++;
			n--;
			if (t->hlen < sizeof(t->hdr))
				continue;
			t->type = t->hdr[1];
			t->code = (uint16_t)(t->hdr[2] << 8 | t->hdr[3]);
			len = (uint32_t)t->hdr[4] << 24 |
			    (uint32_t)t->hdr[5] << 16 |
			    (uint32_t)t->hdr[6] << 8 | t->hdr[7];
			t->body_left = len > 8 ? len - 8 : 0;
			t->blen = 0;
		} else {
			k = n < t->body_left ? n : t->body_left;
			if (t->type == PDU_ERROR_REPORT &&
			    t->blen < sizeof(t->body)) {
				size_t keep = sizeof(t->body) - t->blen;

				if (keep > k)
					keep = k;
				memcpy(t->body + t->blen, p, keep);
				t->blen += keep;
			}
			t->body_left -= (uint32_t)k;
			p += k;
			n -= k;
		}
		if (t->hlen == sizeof(t->hdr) && t->body_left == 0) {
			tap_pdu_done(t);
			t->hlen = 0;
		}
	}
}

static int
tap_open(void *s)
{
	struct rtr_tap *t = s;

	t->hlen = 0;		/* a new connection, a new stream */
	t->body_left = 0;
	return t->inner.open_fp(t->inner.socket);
}

static void
tap_close(void *s)
{
	struct rtr_tap *t = s;

	t->inner.close_fp(t->inner.socket);
}

static void
tap_free(struct tr_socket *ts)
{
	struct rtr_tap *t = ts->socket;

	t->inner.free_fp(&t->inner);
}

static int
tap_send(const void *s, const void *pdu, const size_t len, const time_t to)
{
	const struct rtr_tap *t = s;

	return t->inner.send_fp(t->inner.socket, pdu, len, to);
}

static int
tap_recv(const void *s, void *buf, const size_t len, const time_t to)
{
	struct rtr_tap *t = (struct rtr_tap *)s;
	int n;

	if (atomic_load(&t->abort))
		return TR_ERROR;
	n = t->inner.recv_fp(t->inner.socket, buf, len, to);
	if (atomic_load(&t->abort))
		return TR_ERROR;
	if (n > 0)
		tap_feed(t, buf, (size_t)n);
	return n;
}

static const char *
tap_ident(void *s)
{
	struct rtr_tap *t = s;

	return t->inner.ident_fp(t->inner.socket);
}

static void
rtr_status(const struct rtr_mgr_group *g, enum rtr_mgr_status st,
    const struct rtr_socket *s, void *arg)
{
	struct rtr_wait *w = arg;

	(void)g;
	(void)st;
	if (s == NULL)
		return;
	pthread_mutex_lock(&w->mtx);
	if (!w->failed) {
		w->last = s->state;
		w->failed = rtr_error_state(s->state);
	}
	if (s->state == RTR_ESTABLISHED || s->state == RTR_SYNC)
		w->connected = true;
	pthread_mutex_unlock(&w->mtx);
}

/*
 * Debian's librtr writes debug lines to stderr from its own thread. Point
 * fd 2 at /dev/null while rtrlib runs; -1 if nothing was diverted.
 */
static int
stderr_divert(void)
{
	int saved, null;

	if (getenv("HYGIENE_RTRLIB_DEBUG") != NULL)
		return -1;
	fflush(stderr);
	if ((null = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
		return -1;
	if ((saved = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3)) < 0 ||
	    dup2(null, STDERR_FILENO) < 0) {
		if (saved >= 0)
			close(saved);
		saved = -1;
	}
	close(null);
	return saved;
}

static void
stderr_restore(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	(void)dup2(saved, STDERR_FILENO);
	close(saved);
}

static void
collect_record(const struct pfx_record *rec, void *arg)
{
	struct hy_vrps *vs = arg;
	struct hy_vrp v;

	if (vs->cap == SIZE_MAX)	/* an earlier record had no memory */
		return;
	from_lrtr(&rec->prefix, rec->min_len, &v.pfx);
	v.max_len = rec->max_len;
	v.asn = rec->asn;
	if (vrps_push(vs, &v) != 0) {
		free(vs->v);
		vs->v = NULL;
		vs->n = 0;
		vs->cap = SIZE_MAX;
	}
}

/*
 * Take over the tries rtrlib built during the sync instead of copying
 * 400k records into a second table (that doubled the sync time). The
 * socket is stopped right after, which would purge its records; with
 * the tries moved here there is nothing left to purge. struct pfx_table
 * is public in rtrlib/pfx/trie/trie-pfx.h; its lock keeps rtrlib's
 * thread from updating the tries while they move.
 */
static void
take_tries(struct hy_vrps *vs, struct pfx_table *from)
{
	pthread_rwlock_wrlock(&from->lock);
	pfx_table_free(&vs->table);
	pfx_table_init(&vs->table, NULL);
	vs->table.ipv4 = from->ipv4;
	vs->table.ipv6 = from->ipv6;
	from->ipv4 = NULL;
	from->ipv6 = NULL;
	pthread_rwlock_unlock(&from->lock);
}

static int
split_hostport(const char *hp, char *host, size_t hostlen, char *port,
    size_t portlen)
{
	const char *colon;
	size_t n;

	if (hp[0] == '[') {
		if ((colon = strstr(hp, "]:")) == NULL)
			return -1;
		n = (size_t)(colon - hp - 1);
		hp++;
		colon++;
	} else {
		if ((colon = strrchr(hp, ':')) == NULL)
			return -1;
		n = (size_t)(colon - hp);
	}
	if (n == 0 || n >= hostlen || colon[1] == '\0' ||
	    strlen(colon + 1) >= portlen ||
	    strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return -1;
	memcpy(host, hp, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

enum wait_result { WAIT_SYNCED, WAIT_ERROR_PDU, WAIT_FAILED, WAIT_TIMEOUT };

/*
 * Poll rtrlib until it is in sync, the cache sends an Error Report,
 * the connection fails or the deadline passes.
 */
static enum wait_result
rtr_wait_sync(struct rtr_mgr_config *conf, struct rtr_tap *tap,
    struct rtr_wait *w, const struct hy_rtr_sync_opts *o)
{
	uint64_t t0 = mono_ms(), next = t0 + RTR_PROGRESS_MS, now;
	size_t n;
	bool err, failed;

	for (;;) {
		if (rtr_mgr_conf_in_sync(conf))
			return WAIT_SYNCED;
		pthread_mutex_lock(&tap->mtx);
		err = tap->error_seen &&
		    tap->error_code != ERR_UNSUPPORTED_VERSION;
		n = tap->prefixes;
		pthread_mutex_unlock(&tap->mtx);
		if (err)
			return WAIT_ERROR_PDU;
		pthread_mutex_lock(&w->mtx);
		failed = w->failed;
		pthread_mutex_unlock(&w->mtx);
		if (failed)
			return WAIT_FAILED;
		now = mono_ms();
		if (now >= t0 + o->timeout_ms)
			return WAIT_TIMEOUT;
		if (o->progress != NULL && now >= next) {
			o->progress(o->progress_arg, n, now - t0);
			next = now + RTR_PROGRESS_MS;
		}
		usleep(5000);
	}
}

static const char *
rtr_failure(const struct rtr_wait *w)
{
	switch (w->last) {
	case RTR_ERROR_NO_DATA_AVAIL:
		return "the cache has no data yet (No Data Available)";
	case RTR_ERROR_TRANSPORT:
	case RTR_CONNECTING:
		return w->connected ? "the connection failed" :
		    "cannot connect to the cache";
	case RTR_ERROR_FATAL:
		return "RTR protocol error";
	default:
		return w->connected ? "connected, but the cache did not "
		    "complete a sync" : "cannot connect to the cache";
	}
}

static void
rtr_explain(enum wait_result wr, const char *hostport, struct rtr_tap *tap,
    struct rtr_wait *w, const struct hy_rtr_sync_opts *o, char *err,
    size_t errlen)
{
	pthread_mutex_lock(&tap->mtx);
	pthread_mutex_lock(&w->mtx);
	if (wr == WAIT_ERROR_PDU)
		snprintf(err, errlen, "RTR cache %s answered with an Error "
		    "Report: %s (code %u)%s%s%s", hostport,
		    rtr_error_name(tap->error_code), tap->error_code,
		    tap->error_text[0] ? ": \"" : "", tap->error_text,
		    tap->error_text[0] ? "\"" : "");
	else if (wr == WAIT_FAILED && !w->connected)
		snprintf(err, errlen, "RTR cache %s: %s (state %s)", hostport,
		    rtr_failure(w), rtr_state_to_str(w->last));
	else if (wr == WAIT_FAILED)
		snprintf(err, errlen, "RTR cache %s: %s after %zu VRPs "
		    "(state %s)", hostport, rtr_failure(w), tap->prefixes,
		    rtr_state_to_str(w->last));
	else
		snprintf(err, errlen, "RTR cache %s: no complete sync within "
		    "%u s (--rtr-timeout): %s; %zu VRPs received (last state "
		    "%s)", hostport, (o->timeout_ms + 999) / 1000,
		    rtr_failure(w), tap->prefixes, rtr_state_to_str(w->last));
	pthread_mutex_unlock(&w->mtx);
	pthread_mutex_unlock(&tap->mtx);
}

/*
 * Give up a sync in progress. rtrlib 0.8 leaks the records of a sync
 * whose thread is cancelled while it receives (its cancellation cleanup
 * frees the arrays as they were before the first record); a receive
 * that fails instead frees them. So make receives fail and give rtrlib's
 * thread a moment to notice before it is stopped.
 */
static void
rtr_abort(struct rtr_tap *tap, struct rtr_wait *w)
{
	uint64_t end = mono_ms() + 500;
	bool failed = false;

	atomic_store(&tap->abort, true);
	while (!failed && mono_ms() < end) {
		usleep(5000);
		pthread_mutex_lock(&w->mtx);
		failed = w->failed || !w->connected;
		pthread_mutex_unlock(&w->mtx);
	}
}

/* The synced records into a new set that owns rtrlib's tries. */
static int
rtr_snapshot(struct rtr_mgr_config *conf, const struct rtr_socket *rs,
    const char *hostport, struct hy_vrps **out, char *err, size_t errlen)
{
	struct hy_vrps *vs;

	if ((vs = vrps_new(HY_VRPS_RTR, hostport)) == NULL)
		goto oom;
	vs->serial = rs->serial_number;
	vs->session_id = rs->session_id;
	rtr_mgr_for_each_ipv4_record(conf, collect_record, vs);
	rtr_mgr_for_each_ipv6_record(conf, collect_record, vs);
	if (vs->cap == SIZE_MAX)
		goto oom;
	if (vs->n == 0) {
		/* In sync with nothing: validating would say not-found for
		 * every route. */
		snprintf(err, errlen, "RTR cache %s: synced, but the cache "
		    "sent no VRPs", hostport);
		hy_vrps_free(vs);
		return -1;
	}
	vrps_sort(vs);
	take_tries(vs, conf->pfx_table);
	*out = vs;
	return 0;
oom:
	snprintf(err, errlen, "RTR cache %s: out of memory", hostport);
	hy_vrps_free(vs);
	return -1;
}

int
hy_vrps_sync_rtr(const struct hy_rtr_sync_opts *o, struct hy_vrps **out,
    char *err, size_t errlen)
{
	struct rtr_wait w = { .mtx = PTHREAD_MUTEX_INITIALIZER,
	    .last = RTR_CLOSED };
	struct rtr_tap tap;
	char host[256], port[16];
	struct tr_tcp_config tcfg;
	struct tr_socket tr;
	struct rtr_socket rs, *rsp = &rs;
	struct rtr_mgr_group grp;
	struct rtr_mgr_config *conf = NULL;
	enum wait_result wr;
	bool started = false, inner_ok = false;
	int saved = -1, rc = -1;

	*out = NULL;
	if (split_hostport(o->hostport, host, sizeof(host), port,
	    sizeof(port)) != 0) {
		snprintf(err, errlen, "RTR cache \"%s\": expected HOST:PORT",
		    o->hostport);
		return -1;
	}
	memset(&tcfg, 0, sizeof(tcfg));
	memset(&tap, 0, sizeof(tap));
	memset(&tr, 0, sizeof(tr));
	memset(&rs, 0, sizeof(rs));
	memset(&grp, 0, sizeof(grp));
	pthread_mutex_init(&tap.mtx, NULL);
	atomic_init(&tap.abort, false);
	tcfg.host = host;
	tcfg.port = port;
	tcfg.connect_timeout = o->timeout_ms / 1000 + 1;
	saved = stderr_divert();
	if (tr_tcp_init(&tcfg, &tap.inner) != TR_SUCCESS) {
		snprintf(err, errlen, "RTR cache %s: cannot set up the "
		    "transport", o->hostport);
		goto out;
	}
	inner_ok = true;
	tr = (struct tr_socket){ &tap, tap_open, tap_close, tap_free,
	    tap_send, tap_recv, tap_ident };
	rs.tr_socket = &tr;
	grp.sockets = &rsp;
	grp.sockets_len = 1;
	grp.preference = 1;
	if (rtr_mgr_init(&conf, &grp, 1, 3600, 7200, RTR_RETRY_S, NULL, NULL,
	    rtr_status, &w) != RTR_SUCCESS) {
		snprintf(err, errlen, "RTR cache %s: rtrlib failed to start",
		    o->hostport);
		goto out;
	}
	inner_ok = false;	/* rtr_mgr_free() frees the transport now */
	if (rtr_mgr_start(conf) != RTR_SUCCESS) {
		snprintf(err, errlen, "RTR cache %s: rtrlib failed to start",
		    o->hostport);
		goto out;
	}
	started = true;
	if ((wr = rtr_wait_sync(conf, &tap, &w, o)) != WAIT_SYNCED) {
		rtr_explain(wr, o->hostport, &tap, &w, o, err, errlen);
		rtr_abort(&tap, &w);
		goto out;
	}
	rc = rtr_snapshot(conf, &rs, o->hostport, out, err, errlen);
out:
	if (started)
		rtr_mgr_stop(conf);
	if (conf != NULL)
		rtr_mgr_free(conf);
	if (inner_ok)
		tap.inner.free_fp(&tap.inner);
	stderr_restore(saved);
	pthread_mutex_destroy(&tap.mtx);
	return rc;
}
