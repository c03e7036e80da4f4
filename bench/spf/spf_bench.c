/*
 * SPF check_host() throughput through the DNS engine: reads lines
 * "IP SENDER HELO" (spfquery's -file format), evaluates each with the
 * sender's domain, CONCURRENCY evaluations in flight on one loop, and
 * prints one JSON line of figures. With OUT, writes "result" per input
 * line (same order) for comparing with the reference.
 *
 *   hygiene-spfbench RESOLVER CONCURRENCY FILE [OUT]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hygiene/dns.h"
#include "hygiene/loop.h"
#include "hygiene/spf.h"

struct job {
	struct bench		*b;
	size_t			 idx;
	struct hy_spf_eval	*ev;
	struct hy_dns_group	*grp;
};

struct bench {
	struct hy_loop	*loop;
	struct hy_dns	*dns;
	char		**ip, **sender, **helo;
	size_t		 n, next, in_flight, window;
	enum hy_spf_result *res;
	unsigned	 counts[HY_SPF_PERMERROR + 1];
	int		 failed;
};

static void feed(struct bench *);

static void
on_done(void *arg, struct hy_spf_eval *ev, bool nomem)
{
	struct job *j = arg;
	struct bench *b = j->b;

	if (nomem)
		b->failed = 1;
	b->res[j->idx] = hy_spf_eval_result(ev);
	b->counts[b->res[j->idx]]++;
	hy_spf_eval_free(ev);
	hy_dns_group_free(j->grp);
	free(j);
	b->in_flight--;
	feed(b);
}

static int
start(struct bench *b, size_t i)
{
	struct hy_spf_params p;
	struct job *j;
	const char *at = strrchr(b->sender[i], '@');

	memset(&p, 0, sizeof(p));
	p.mode = HY_SPF_EVALUATE;
	p.domain = at ? at + 1 : b->sender[i];
	p.sender = b->sender[i];
	p.helo = b->helo[i];
	p.now = time(NULL);
	if (hy_spf_ip_parse(b->ip[i], &p.ip) != 0)
		return -1;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return -1;
	j->b = b;
	j->idx = i;
	if ((j->grp = hy_dns_group_new(b->dns, 20000)) == NULL ||
	    (j->ev = hy_spf_eval_new(&p)) == NULL ||
	    hy_spf_run(b->loop, j->grp, j->ev, on_done, j) != 0) {
		hy_spf_eval_free(j->ev);
		hy_dns_group_free(j->grp);
		free(j);
		return -1;
	}
	b->in_flight++;
	return 0;
}

static void
feed(struct bench *b)
{
	while (!b->failed && b->in_flight < b->window && b->next < b->n)
		if (start(b, b->next++) != 0)
			b->failed = 1;
	if (b->in_flight == 0 && (b->next == b->n || b->failed))
		hy_loop_stop(b->loop);
}

static int
load(struct bench *b, const char *path)
{
	char line[1024], ip[256], sender[512], helo[256];
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%255s %511s %255s", ip, sender, helo) != 3)
			continue;
		if (b->n == cap) {
			char **a, **s, **h;

			cap = cap ? cap * 2 : 1024;
			a = realloc(b->ip, cap * sizeof(char *));
			if (a != NULL)
				b->ip = a;
			s = realloc(b->sender, cap * sizeof(char *));
			if (s != NULL)
				b->sender = s;
			h = realloc(b->helo, cap * sizeof(char *));
			if (h != NULL)
				b->helo = h;
			if (a == NULL || s == NULL || h == NULL)
				goto fail;
		}
		b->ip[b->n] = strdup(ip);
		b->sender[b->n] = strdup(sender);
		b->helo[b->n] = strdup(helo);
		b->n++;
		if (!b->ip[b->n - 1] || !b->sender[b->n - 1] ||
		    !b->helo[b->n - 1])
			goto fail;
	}
	fclose(f);
	return b->n > 0 ? 0 : -1;
fail:
	fclose(f);
	return -1;
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
	struct hy_dns_stats st;
	const char *servers[1], *err = NULL;
	double t0, t1;
	FILE *out;

	if (argc < 4) {
		fprintf(stderr, "usage: %s RESOLVER CONCURRENCY FILE [OUT]\n",
		    argv[0]);
		return 2;
	}
	memset(&b, 0, sizeof(b));
	b.window = (size_t)atoi(argv[2]);
	if (load(&b, argv[3]) != 0) {
		fprintf(stderr, "cannot read %s\n", argv[3]);
		return 1;
	}
	if ((b.res = calloc(b.n, sizeof(*b.res))) == NULL) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	servers[0] = argv[1];
	memset(&o, 0, sizeof(o));
	o.servers = servers;
	o.nservers = 1;
	o.concurrency = (unsigned)b.window;
	t0 = now_s();
	if ((b.loop = hy_loop_new()) == NULL ||
	    (b.dns = hy_dns_new(b.loop, &o, &err)) == NULL) {
		fprintf(stderr, "engine: %s\n", err ? err : "out of memory");
		return 1;
	}
	feed(&b);
	if (hy_loop_run(b.loop) != 0 || b.failed) {
		fprintf(stderr, "evaluation failed\n");
		return 1;
	}
	t1 = now_s();
	hy_dns_get_stats(b.dns, &st);
	printf("{\"evaluations\": %zu, \"seconds\": %.4f, \"per_second\": %.1f, "
	    "\"dns_requests\": %llu, \"dns_sent\": %llu, \"cache_hits\": %llu, "
	    "\"coalesced\": %llu, \"pass\": %u, \"fail\": %u, \"softfail\": "
	    "%u, \"neutral\": %u, \"none\": %u, \"permerror\": %u, "
	    "\"temperror\": %u}\n", b.n, t1 - t0, (double)b.n / (t1 - t0),
	    (unsigned long long)st.requests, (unsigned long long)st.sent,
	    (unsigned long long)st.cache_hits,
	    (unsigned long long)st.coalesced, b.counts[HY_SPF_PASS],
	    b.counts[HY_SPF_FAIL], b.counts[HY_SPF_SOFTFAIL],
	    b.counts[HY_SPF_NEUTRAL], b.counts[HY_SPF_NONE],
	    b.counts[HY_SPF_PERMERROR], b.counts[HY_SPF_TEMPERROR]);
	if (argc > 4 && (out = fopen(argv[4], "w")) != NULL) {
		for (size_t i = 0; i < b.n; i++)
			fprintf(out, "%s\n", hy_spf_result_str(b.res[i]));
		fclose(out);
	}
	hy_dns_free(b.dns);
	hy_loop_free(b.loop);
	for (size_t i = 0; i < b.n; i++) {
		free(b.ip[i]);
		free(b.sender[i]);
		free(b.helo[i]);
	}
	free(b.ip);
	free(b.sender);
	free(b.helo);
	free(b.res);
	return 0;
}
