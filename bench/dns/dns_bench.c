/*
 * Resolves every name of a file (one per line, type A) through the hygiene
 * DNS engine with a fixed number of questions outstanding, like dnsperf's
 * -q, and prints one JSON line: names, seconds, queries/s, answers by
 * status, peak RSS. Names are streamed, so memory depends on the
 * concurrency and the engine's cache bound, not on the file's length.
 *
 * usage: hygiene-dnsbench RESOLVER CONCURRENCY FILE
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hygiene/dns.h"

struct bench {
	struct hy_loop		*loop;
	struct hy_dns_group	*grp;
	FILE			*fp;
	char			*line;
	size_t			 cap;
	unsigned		 window, outstanding;
	unsigned long		 sent, done;
	unsigned long		 by_status[HY_DNS_ERROR + 1];
	int			 eof;
};

static void bench_feed(struct bench *);

static void
bench_cb(void *arg, const struct hy_dns_result *res)
{
	struct bench *b = arg;

	b->outstanding--;
	b->done++;
	b->by_status[res->status]++;
	bench_feed(b);
}

static void
bench_feed(struct bench *b)
{
	ssize_t n;

	while (!b->eof && b->outstanding < b->window) {
		if ((n = getline(&b->line, &b->cap, b->fp)) < 0) {
			b->eof = 1;
			break;
		}
		/* dnsperf's format is "name type": keep the name. */
		b->line[strcspn(b->line, " \t\r\n")] = '\0';
		if (b->line[0] == '\0')
			continue;
		if (hy_dns_query(b->grp, b->line, LDNS_RR_TYPE_A, 0, bench_cb,
		    b) != 0) {
			fprintf(stderr, "dnsbench: query failed: %s\n", b->line);
			exit(1);
		}
		b->outstanding++;
		b->sent++;
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct bench b;
	struct hy_dns_opts o;
	struct hy_dns *dns;
	struct hy_dns_stats st;
	struct rusage ru;
	const char *err = NULL, *servers[1];
	double t0, t1;

	if (argc != 4) {
		fprintf(stderr, "usage: %s RESOLVER CONCURRENCY FILE\n", argv[0]);
		return 2;
	}
	memset(&b, 0, sizeof(b));
	memset(&o, 0, sizeof(o));
	servers[0] = argv[1];
	o.servers = servers;
	o.nservers = 1;
	o.concurrency = (unsigned)atoi(argv[2]);
	b.window = o.concurrency;
	if ((b.fp = fopen(argv[3], "r")) == NULL) {
		perror(argv[3]);
		return 1;
	}
	b.loop = hy_loop_new();
	if ((dns = hy_dns_new(b.loop, &o, &err)) == NULL) {
		fprintf(stderr, "dnsbench: %s\n", err);
		return 1;
	}
	b.grp = hy_dns_group_new(dns, 0);
	t0 = now_s();
	bench_feed(&b);
	hy_loop_run(b.loop);
	t1 = now_s();
	hy_dns_get_stats(dns, &st);
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"names\":%lu,\"seconds\":%.3f,\"qps\":%.0f,"
	    "\"answer\":%lu,\"nxdomain\":%lu,\"timeout\":%lu,\"other\":%lu,"
	    "\"sent\":%llu,\"max_in_flight\":%u,\"peak_rss_kb\":%ld}\n",
	    b.done, t1 - t0, (double)b.done / (t1 - t0),
	    b.by_status[HY_DNS_ANSWER], b.by_status[HY_DNS_NXDOMAIN],
	    b.by_status[HY_DNS_TIMEOUT], b.done - b.by_status[HY_DNS_ANSWER] -
	    b.by_status[HY_DNS_NXDOMAIN] - b.by_status[HY_DNS_TIMEOUT],
	    (unsigned long long)st.sent, st.max_in_flight, ru.ru_maxrss);
	hy_dns_group_free(b.grp);
	hy_dns_free(dns);
	hy_loop_free(b.loop);
	free(b.line);
	fclose(b.fp);
	return b.by_status[HY_DNS_ANSWER] == b.done ? 0 : 1;
}
