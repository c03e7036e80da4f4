/*
 * A small authoritative-style DNS server for engine tests, running on the
 * test's own hy_loop on 127.0.0.1 (UDP and TCP on one ephemeral port).
 * The first label of the question picks the behaviour:
 *   nx-*    NXDOMAIN            sf-*    SERVFAIL       rf-*  REFUSED
 *   drop-*  never answers       tc-*    truncated over UDP, full over TCP
 *   slow-*  answers after 50 ms (counts concurrent pending queries)
 *   hold-*  answers after 3 s (the same)
 *   fe-*    FORMERR without OPT to a query with EDNS0 (a server that does
 *           not know EDNS); the answer below, without OPT, to one without
 *   noopt-* the answer below without OPT
 *   nodo-*  the answer below with OPT but without the DO bit
 *   big-*   13 TXT RRs, about 900 octets: more than 512, less than 1232
 *   other   A 192.0.2.1 (TTL 300) for type A, NOERROR/empty otherwise
 * Every other answer carries OPT and echoes the query's DO bit, as a
 * validating resolver does (RFC 3225 §3).
 */
#ifndef TEST_DNS_SERVER_H
#define TEST_DNS_SERVER_H

#include "hygiene/loop.h"

struct test_dns_server {
	struct hy_loop	*loop;
	int		 udp, tcp;
	unsigned	 port;
	unsigned	 udp_queries, tcp_queries;
	unsigned	 pending, max_pending;
	unsigned	 id_zero, id_same;	/* IDs 0, and equal to the last */
	unsigned	 last_id;
	unsigned	 id_busy;	/* ID of a query still being answered */
	unsigned	 no_edns;	/* queries without OPT */
	unsigned char	 in_flight[65536];	/* per ID: slow-, hold-* held */
	char		 addr[32];	/* "127.0.0.1:PORT" */
};

int	test_dns_server_start(struct test_dns_server *, struct hy_loop *);
void	test_dns_server_stop(struct test_dns_server *);

#endif
