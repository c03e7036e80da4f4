#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "dns_server.h"

struct delayed {
	struct test_dns_server	*srv;
	struct hy_timer		 t;
	uint8_t			*wire;
	size_t			 len;
	struct sockaddr_storage	 peer;
	socklen_t		 peerlen;
};

static const char *
first_label(const ldns_pkt *q, char *buf, size_t len)
{
	ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	char *s = ldns_rdf2str(ldns_rr_owner(qr));

	snprintf(buf, len, "%s", s ? s : "");
	free(s);
	return buf;
}

static void
push_rr(ldns_pkt *a, const char *line)
{
	ldns_rr *rr = NULL;

	if (ldns_rr_new_frm_str(&rr, line, 0, NULL, NULL) == LDNS_STATUS_OK)
		ldns_pkt_push_rr(a, LDNS_SECTION_ANSWER, rr);
}

/* Build the answer for q; *drop set when the server should stay silent. */
static ldns_pkt *
answer_for(const ldns_pkt *q, int tcp, int *drop, int *slow)
{
	ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(q), 0);
	ldns_pkt *a = ldns_pkt_new();
	char name[300], line[400];
	int edns = 1;

	first_label(q, name, sizeof(name));
	*drop = strncasecmp(name, "drop-", 5) == 0;
	*slow = strncasecmp(name, "slow-", 5) == 0 ? 50 :
	    strncasecmp(name, "hold-", 5) == 0 ? 3000 : 0;
	ldns_pkt_set_id(a, ldns_pkt_id(q));
	ldns_pkt_set_qr(a, true);
	ldns_pkt_set_rd(a, ldns_pkt_rd(q));
	ldns_pkt_set_ra(a, true);
	ldns_pkt_push_rr(a, LDNS_SECTION_QUESTION, ldns_rr_clone(qr));
	if (strncasecmp(name, "nx-", 3) == 0) {
		ldns_pkt_set_rcode(a, LDNS_RCODE_NXDOMAIN);
	} else if (strncasecmp(name, "sf-", 3) == 0) {
		ldns_pkt_set_rcode(a, LDNS_RCODE_SERVFAIL);
	} else if (strncasecmp(name, "rf-", 3) == 0) {
		ldns_pkt_set_rcode(a, LDNS_RCODE_REFUSED);
	} else if (strncasecmp(name, "tc-", 3) == 0 && !tcp) {
		ldns_pkt_set_tc(a, true);
	} else if (strncasecmp(name, "fe-", 3) == 0 && ldns_pkt_edns(q)) {
		ldns_pkt_set_rcode(a, LDNS_RCODE_FORMERR);
		edns = 0;
	} else if (strncasecmp(name, "big-", 4) == 0) {
		for (int i = 0; i < 13; i++) {
			snprintf(line, sizeof(line), "%s 300 IN TXT \"%02d "
			    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			    "\"", name, i);
			push_rr(a, line);
		}
	} else if (ldns_rr_get_type(qr) == LDNS_RR_TYPE_A) {
		snprintf(line, sizeof(line), "%s 300 IN A 192.0.2.1", name);
		push_rr(a, line);
	}
	if (strncasecmp(name, "noopt-", 6) == 0 || !ldns_pkt_edns(q))
		edns = 0;
	if (edns) {
		ldns_pkt_set_edns_udp_size(a, 1232);
		ldns_pkt_set_edns_do(a, ldns_pkt_edns_do(q) &&
		    strncasecmp(name, "nodo-", 5) != 0);
	}
	return a;
}

static void
delayed_fire(void *arg)
{
	struct delayed *d = arg;

	sendto(d->srv->udp, d->wire, d->len, 0, (struct sockaddr *)&d->peer,
	    d->peerlen);
	d->srv->in_flight[ldns_read_uint16(d->wire)]--;
	d->srv->pending--;
	free(d->wire);
	free(d);
}

/* One datagram, if one is waiting: 1, else 0. */
static int
udp_read_one(struct test_dns_server *srv, int fd)
{
	struct sockaddr_storage peer;
	socklen_t plen = sizeof(peer);
	uint8_t buf[4096], *wire = NULL;
	size_t wlen;
	ssize_t n;
	ldns_pkt *q = NULL, *a;
	int drop, slow;

	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
	    (struct sockaddr *)&peer, &plen);
	if (n <= 0)
		return 0;
	if (ldns_wire2pkt(&q, buf, (size_t)n) != LDNS_STATUS_OK)
		return 1;
	srv->udp_queries++;
	if (ldns_pkt_id(q) == 0)
		srv->id_zero++;
	if (ldns_pkt_id(q) == srv->last_id)
		srv->id_same++;
	srv->last_id = ldns_pkt_id(q);
	if (!ldns_pkt_edns(q))
		srv->no_edns++;
	a = answer_for(q, 0, &drop, &slow);
	ldns_pkt_free(q);
	if (!drop && ldns_pkt2wire(&wire, a, &wlen) == LDNS_STATUS_OK) {
		if (slow) {
			struct delayed *d = calloc(1, sizeof(*d));

			if (d == NULL)	/* allocation failure injected: drop */
				goto out;
			d->srv = srv;
			d->wire = wire;
			d->len = wlen;
			d->peer = peer;
			d->peerlen = plen;
			wire = NULL;
			if (++srv->pending > srv->max_pending)
				srv->max_pending = srv->pending;
			if (srv->in_flight[ldns_pkt_id(a)]++ > 0)
				srv->id_busy++;
			hy_timer_start(srv->loop, &d->t, (uint64_t)slow,
			    delayed_fire, d);
		} else {
			sendto(fd, wire, wlen, 0, (struct sockaddr *)&peer, plen);
		}
	}
out:
	free(wire);
	ldns_pkt_free(a);
	return 1;
}

/* Drain a burst per wakeup, so that a slow (sanitizer) build does not
 * let the socket buffer overflow. */
static void
udp_read(void *arg, int fd, unsigned ev)
{
	(void)ev;
	for (int i = 0; i < 256 && udp_read_one(arg, fd); i++)
		;
}

static void
tcp_conn_read(void *arg, int fd, unsigned ev)
{
	struct test_dns_server *srv = arg;
	uint8_t buf[4096], *wire = NULL, hdr[2];
	ssize_t n;
	size_t wlen;
	ldns_pkt *q = NULL, *a;
	int drop, slow;

	(void)ev;
	n = read(fd, buf, sizeof(buf));
	if (n <= 2 || ldns_wire2pkt(&q, buf + 2, (size_t)n - 2) !=
	    LDNS_STATUS_OK) {
		hy_loop_watch(srv->loop, fd, 0, NULL, NULL);
		close(fd);
		return;
	}
	srv->tcp_queries++;
	a = answer_for(q, 1, &drop, &slow);
	ldns_pkt_free(q);
	if (!drop && ldns_pkt2wire(&wire, a, &wlen) == LDNS_STATUS_OK) {
		hdr[0] = (uint8_t)(wlen >> 8);
		hdr[1] = (uint8_t)wlen;
		if (write(fd, hdr, 2) != 2 || write(fd, wire, wlen) < 0)
			fprintf(stderr, "test dns server: tcp write failed\n");
	}
	free(wire);
	ldns_pkt_free(a);
}

static void
tcp_accept(void *arg, int fd, unsigned ev)
{
	struct test_dns_server *srv = arg;
	int c = accept(fd, NULL, NULL);

	(void)ev;
	if (c >= 0)
		hy_loop_watch(srv->loop, c, HY_IO_READ, tcp_conn_read, srv);
}

/* UDP on an ephemeral port, then TCP on the same number; that number may
 * already be taken for TCP, so take another one. 0, or -1. */
static int
server_bind(struct test_dns_server *srv)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int one = 1, rcvbuf = 4 << 20;	/* capped by net.core.rmem_max */

	srv->udp = srv->tcp = -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((srv->udp = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    setsockopt(srv->udp, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
	    sizeof(rcvbuf)) != 0 ||
	    bind(srv->udp, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(srv->udp, (struct sockaddr *)&sin, &len) != 0)
		goto fail;
	srv->port = ntohs(sin.sin_port);
	if ((srv->tcp = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    setsockopt(srv->tcp, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 ||
	    bind(srv->tcp, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    listen(srv->tcp, 16) != 0)
		goto fail;
	return 0;
fail:
	if (srv->udp >= 0)
		close(srv->udp);
	if (srv->tcp >= 0)
		close(srv->tcp);
	return -1;
}

int
test_dns_server_start(struct test_dns_server *srv, struct hy_loop *loop)
{
	int tries;

	memset(srv, 0, sizeof(*srv));
	srv->loop = loop;
	for (tries = 0; server_bind(srv) != 0; tries++)
		if (tries == 50)
			return -1;
	snprintf(srv->addr, sizeof(srv->addr), "127.0.0.1:%u", srv->port);
	hy_loop_watch(loop, srv->udp, HY_IO_READ, udp_read, srv);
	hy_loop_watch(loop, srv->tcp, HY_IO_READ, tcp_accept, srv);
	return 0;
}

void
test_dns_server_stop(struct test_dns_server *srv)
{
	hy_loop_watch(srv->loop, srv->udp, 0, NULL, NULL);
	hy_loop_watch(srv->loop, srv->tcp, 0, NULL, NULL);
	close(srv->udp);
	close(srv->tcp);
}
