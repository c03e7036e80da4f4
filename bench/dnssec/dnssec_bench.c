/*
 * Validates every domain of a file with the DNSSEC probe's chain walk,
 * through the hygiene DNS engine, with a fixed number of domains in
 * flight, and prints one JSON line: domains, seconds, domains/s, verdicts,
 * DNS queries that reached the wire per domain, zone validations (crypto)
 * run, peak RSS. The zone table is shared by all walks, as in a survey.
 *
 * usage: hygiene-dnssecbench RESOLVER TRUST_ANCHOR CONCURRENCY FILE [chain]
 *
 * With "chain" the walks validate the chain, SOA and DNSKEY only; without
 * it also the TXT, MX and _dmarc TXT RRsets, as `hygiene check` does.
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hygiene/dns.h"
#include "hygiene/loop.h"
#include "dnssec.h"

struct bench;

struct slot {
	struct bench		*b;
	struct hy_dnssec_walk	*walk;
	struct hy_dns_group	*grp;
};

struct bench {
	struct hy_loop		*loop;
	struct hy_dns		*dns;
	struct hy_dnssec_shared	*shared;
	FILE			*fp;
	char			*line;
	size_t			 cap;
	unsigned		 window, outstanding;
	unsigned long		 started, done;
	unsigned long		 by_status[HY_DNSSEC_INDETERMINATE + 1];
	int			 eof;
	time_t			 now;
	bool			 chain_only;
};

static void bench_feed(struct bench *);

static int
bench_query(void *qarg, const char *name, ldns_rr_type type, hy_dns_fn cb,
    void *cbarg)
{
	struct slot *s = qarg;

	return hy_dns_query(s->grp, name, type, HY_DNS_CD, cb, cbarg);
}

static void
bench_done(void *darg, struct hy_dnssec_walk *w)
{
	struct slot *s = darg;
	struct bench *b = s->b;

	b->by_status[hy_dnssec_walk_status(w)]++;
	b->done++;
	b->outstanding--;
	/* The walk is done; its group has nothing left we care about. */
	hy_dnssec_walk_free(w);
	hy_dns_group_free(s->grp);
	free(s);
	bench_feed(b);
}

static void
bench_feed(struct bench *b)
{
	ssize_t n;

	while (!b->eof && b->outstanding < b->window) {
		struct slot *s;
		struct hy_dnssec_env env;

		if ((n = getline(&b->line, &b->cap, b->fp)) < 0) {
			b->eof = 1;
			break;
		}
		b->line[strcspn(b->line, " \t\r\n")] = '\0';
		if (b->line[0] == '\0')
			continue;
		if ((s = calloc(1, sizeof(*s))) == NULL ||
		    (s->grp = hy_dns_group_new(b->dns, 15000)) == NULL) {
			fprintf(stderr, "dnssecbench: out of memory\n");
			exit(1);
		}
		s->b = b;
		memset(&env, 0, sizeof(env));
		env.shared = b->shared;
		env.now = b->now;
		env.query = bench_query;
		env.qarg = s;
		env.done = bench_done;
		env.darg = s;
		env.chain_only = b->chain_only;
		if ((s->walk = hy_dnssec_walk_new(&env, b->line)) == NULL ||
		    hy_dnssec_walk_start(s->walk) != 0) {
			fprintf(stderr, "dnssecbench: cannot start %s\n",
			    b->line);
			exit(1);
		}
		b->outstanding++;
		b->started++;
	}
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct bench b;
	struct hy_dns_opts o;
	struct hy_dns_stats st;
	struct rusage ru;
	const char *err = NULL, *servers[1];
	ldns_rr_list *anchors;
	double t0, t1;

	if (argc != 5 && !(argc == 6 && strcmp(argv[5], "chain") == 0)) {
		fprintf(stderr, "usage: %s RESOLVER TRUST_ANCHOR CONCURRENCY "
		    "FILE [chain]\n", argv[0]);
		return 2;
	}
	memset(&b, 0, sizeof(b));
	b.chain_only = argc == 6;
	memset(&o, 0, sizeof(o));
	servers[0] = argv[1];
	o.servers = servers;
	o.nservers = 1;
	o.concurrency = 200;
	b.window = (unsigned)strtoul(argv[3], NULL, 10);
	b.now = time(NULL);
	if ((anchors = hy_dnssec_anchors_load(argv[2], &err)) == NULL) {
		fprintf(stderr, "dnssecbench: %s\n", err);
		return 1;
	}
	if ((b.fp = fopen(argv[4], "r")) == NULL ||
	    (b.loop = hy_loop_new()) == NULL ||
	    (b.dns = hy_dns_new(b.loop, &o, &err)) == NULL ||
	    (b.shared = hy_dnssec_shared_new(anchors)) == NULL) {
		fprintf(stderr, "dnssecbench: setup failed: %s\n",
		    err ? err : "");
		return 1;
	}
	t0 = mono();
	bench_feed(&b);
	hy_loop_run(b.loop);
	t1 = mono();
	hy_dns_get_stats(b.dns, &st);
	getrusage(RUSAGE_SELF, &ru);
	printf("{\"domains\": %lu, \"seconds\": %.3f, \"domains_per_s\": %.1f, "
	    "\"secure\": %lu, \"insecure\": %lu, \"bogus\": %lu, "
	    "\"indeterminate\": %lu, \"requests\": %llu, \"sent\": %llu, "
	    "\"cache_hits\": %llu, \"coalesced\": %llu, "
	    "\"sent_per_domain\": %.3f, \"zone_validations\": %llu, "
	    "\"peak_rss_kb\": %ld}\n",
	    b.done, t1 - t0, b.done / (t1 - t0),
	    b.by_status[HY_DNSSEC_SECURE], b.by_status[HY_DNSSEC_INSECURE],
	    b.by_status[HY_DNSSEC_BOGUS], b.by_status[HY_DNSSEC_INDETERMINATE],
	    (unsigned long long)st.requests, (unsigned long long)st.sent,
	    (unsigned long long)st.cache_hits,
	    (unsigned long long)st.coalesced,
	    b.done ? (double)st.sent / b.done : 0.0,
	    (unsigned long long)hy_dnssec_shared_validations(b.shared),
	    ru.ru_maxrss);
	hy_dnssec_shared_free(b.shared);
	hy_dns_free(b.dns);
	hy_loop_free(b.loop);
	fclose(b.fp);
	free(b.line);
	return b.started == b.done ? 0 : 1;
}
