/*
 * A small authoritative-style DNS server for engine tests, running on the
 * test's own hy_loop on 127.0.0.1 (UDP and TCP on one ephemeral port).
 * The first label of the question picks the behaviour:
 *   nx-*    NXDOMAIN            sf-*    SERVFAIL       rf-*  REFUSED
 *   drop-*  never answers       tc-*    truncated over UDP, full over TCP
 *   slow-*  answers after 50 ms (counts concurrent pending queries)
 *   other   A 192.0.2.1 (TTL 300) for type A, NOERROR/empty otherwise
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
	char		 addr[32];	/* "127.0.0.1:PORT" */
};

int	test_dns_server_start(struct test_dns_server *, struct hy_loop *);
void	test_dns_server_stop(struct test_dns_server *);

#endif
