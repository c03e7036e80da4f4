/*
 * The reference for bench/rpki/run.sh: a bare rtrlib client. It syncs
 * with the RTR cache through rtr_mgr and runs pfx_table_validate() over
 * the same routes hygiene validates, timing only the sync and the loop.
 * Route parsing and conversion to rtrlib addresses are not timed.
 *
 *   hygiene-rpki-bare HOST PORT ROUTES_FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rtrlib/rtrlib.h>

#include "hygiene/rpki.h"

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
to_ip(const struct hy_prefix *p, struct lrtr_ip_addr *ip)
{
	char buf[64], *slash;

	hy_prefix_str(p, buf, sizeof(buf));
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	lrtr_ip_str_to_addr(buf, ip);
}

int
main(int argc, char **argv)
{
	struct tr_tcp_config tcfg = { 0 };
	struct tr_socket tr;
	struct rtr_socket rs = { 0 }, *rsp = &rs;
	struct rtr_mgr_group grp = { 0 };
	struct rtr_mgr_config *conf;
	struct hy_routes *r;
	struct lrtr_ip_addr *ips;
	enum pfxv_state st;
	unsigned long count[3] = { 0 };
	char err[256];
	double t0, t_sync, t_val;
	size_t i;

	if (argc != 4) {
		fprintf(stderr, "usage: %s HOST PORT ROUTES\n", argv[0]);
		return 2;
	}
	if (hy_routes_load(argv[3], &r, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if ((ips = calloc(r->n + 1, sizeof(*ips))) == NULL)
		return 1;
	for (i = 0; i < r->n; i++)
		to_ip(&r->v[i].pfx, &ips[i]);
	tcfg.host = argv[1];
	tcfg.port = argv[2];
	tcfg.connect_timeout = 10;
	t0 = now_ms();
	if (tr_tcp_init(&tcfg, &tr) != TR_SUCCESS)
		return 1;
	rs.tr_socket = &tr;
	grp.sockets = &rsp;
	grp.sockets_len = 1;
	grp.preference = 1;
	if (rtr_mgr_init(&conf, &grp, 1, 3600, 7200, 600, NULL, NULL, NULL,
	    NULL) != RTR_SUCCESS || rtr_mgr_start(conf) != RTR_SUCCESS)
		return 1;
	while (!rtr_mgr_conf_in_sync(conf)) {
		if (now_ms() - t0 > 60000) {
			fprintf(stderr, "no sync\n");
			return 1;
		}
		usleep(1000);
	}
	t_sync = now_ms() - t0;
	t0 = now_ms();
	for (i = 0; i < r->n; i++) {
		pfx_table_validate(conf->pfx_table, r->v[i].asn, &ips[i],
		    r->v[i].pfx.len, &st);
		count[st]++;
	}
	t_val = now_ms() - t0;
	printf("{\"routes\": %zu, \"sync_ms\": %.1f, \"validate_ms\": %.1f, "
	    "\"valid\": %lu, \"not_found\": %lu, \"invalid\": %lu}\n", r->n,
	    t_sync, t_val, count[BGP_PFXV_STATE_VALID],
	    count[BGP_PFXV_STATE_NOT_FOUND], count[BGP_PFXV_STATE_INVALID]);
	rtr_mgr_stop(conf);
	rtr_mgr_free(conf);
	free(ips);
	hy_routes_free(r);
	return 0;
}
