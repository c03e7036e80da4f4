/*
 * bench/rov: the RIB dump reader alone (no validation, no analysis), to
 * tell reading from classifying in the figures.
 *
 *   hygiene-rov-read FILE
 *
 * Prints {"routes", "asns", "ms"} (asns: ASNs on all paths, so the paths
 * are really decoded).
 */
#include <stdio.h>
#include <time.h>

#include "hygiene/mrt.h"

struct count {
	unsigned long long routes, asns;
};

static int
count(void *arg, const struct hy_rib_route *r)
{
	struct count *c = arg;

	c->routes++;
	c->asns += r->path.nasns;
	return 0;
}

int
main(int argc, char **argv)
{
	struct hy_rib_stats st;
	struct count c = { 0, 0 };
	struct timespec a, b;
	char err[512];

	if (argc != 2) {
		fprintf(stderr, "usage: hygiene-rov-read FILE\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	if (hy_rib_read_file(argv[1], count, &c, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("{\"routes\": %llu, \"asns\": %llu, \"malformed\": %llu, "
	    "\"ms\": %.1f}\n", c.routes, c.asns,
	    (unsigned long long)st.malformed, (double)(b.tv_sec - a.tv_sec) *
	    1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6);
	return 0;
}
