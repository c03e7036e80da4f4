/*
 * The named limits on hostile data (README "Limits"): each at its edge.
 * HY_DNSWIRE_MSG_MAX and HY_DNSWIRE_RR_STRINGS_MAX are tested in
 * test_dnswire.c, HY_STS_POLICY_MAX and HY_HTTP_MAX_REDIRECTS in
 * tests/http/test_http.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hygiene/dns.h"
#include "hygiene/findings.h"
#include "hygiene/txt.h"
#include "dns_server.h"

static ldns_rr *
rr(const char *text)
{
	ldns_rr *r = NULL;

	assert_int_equal(ldns_rr_new_frm_str(&r, text, 300, NULL, NULL),
	    LDNS_STATUS_OK);
	return r;
}

/* An answer to "q.test TXT" with rcode, holding a CNAME chain of links
 * RRs (q -> c1 -> ... -> cN), then a TXT at its end when data, or with
 * the last link pointing back to q when loop. */
static ldns_pkt *
chain(unsigned links, int data, int loop, ldns_pkt_rcode rcode)
{
	ldns_pkt *p = ldns_pkt_new();
	char buf[128], from[32], to[32];

	assert_non_null(p);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_rcode(p, (uint8_t)rcode);
	{
		ldns_rr *q = NULL;

		assert_int_equal(ldns_rr_new_question_frm_str(&q,
		    "q.test. IN TXT", NULL, NULL), LDNS_STATUS_OK);
		assert_true(ldns_pkt_push_rr(p, LDNS_SECTION_QUESTION, q));
	}
	for (unsigned i = 0; i < links; i++) {
		snprintf(from, sizeof(from), i ? "c%u.test." : "q.test.", i);
		snprintf(to, sizeof(to), loop && i + 1 == links ? "q.test." :
		    "c%u.test.", i + 1);
		snprintf(buf, sizeof(buf), "%s 300 IN CNAME %s", from, to);
		assert_true(ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr(buf)));
	}
	if (data) {
		snprintf(buf, sizeof(buf), "c%u.test. 300 IN TXT \"v=x\"",
		    links);
		assert_true(ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr(buf)));
	}
	return p;
}

static enum hy_dns_status
classify(ldns_pkt *p)
{
	enum hy_dns_status st = hy_dns_classify(p, LDNS_RR_TYPE_TXT);

	ldns_pkt_free(p);
	return st;
}

static void
test_cname_chain(void **state)
{
	(void)state;
	assert_int_equal(classify(chain(HY_DNS_CNAME_MAX, 1, 0,
	    LDNS_RCODE_NOERROR)), HY_DNS_ANSWER);
	assert_int_equal(classify(chain(HY_DNS_CNAME_MAX + 1, 1, 0,
	    LDNS_RCODE_NOERROR)), HY_DNS_MALFORMED);
	/* A chain ending at a name without data: NODATA, or NXDOMAIN. */
	assert_int_equal(classify(chain(HY_DNS_CNAME_MAX, 0, 0,
	    LDNS_RCODE_NOERROR)), HY_DNS_ANSWER);
	assert_int_equal(classify(chain(HY_DNS_CNAME_MAX, 0, 0,
	    LDNS_RCODE_NXDOMAIN)), HY_DNS_NXDOMAIN);
	assert_int_equal(classify(chain(HY_DNS_CNAME_MAX + 1, 0, 0,
	    LDNS_RCODE_NXDOMAIN)), HY_DNS_MALFORMED);
	/* Loops: a name on itself, a ring of two, however few RRs. */
	assert_int_equal(classify(chain(1, 0, 1, LDNS_RCODE_NOERROR)),
	    HY_DNS_MALFORMED);
	assert_int_equal(classify(chain(2, 0, 1, LDNS_RCODE_NOERROR)),
	    HY_DNS_MALFORMED);
}

static void
test_txt_show_max(void **state)
{
	char *in, *out, want[64];

	(void)state;
	assert_non_null(in = malloc(HY_TXT_SHOW_MAX + 100));
	memset(in, 'a', HY_TXT_SHOW_MAX + 100);
	in[0] = '\x01';			/* escaped, still one input byte */
	assert_non_null(out = hy_txt_printable(in, HY_TXT_SHOW_MAX));
	assert_int_equal(strlen(out), HY_TXT_SHOW_MAX + 3);
	free(out);
	assert_non_null(out = hy_txt_printable(in, HY_TXT_SHOW_MAX + 100));
	snprintf(want, sizeof(want), "a...(+100 bytes)");
	assert_int_equal(strlen(out), HY_TXT_SHOW_MAX + 3 + strlen(want) - 1);
	assert_string_equal(out + strlen(out) - strlen(want), want);
	assert_memory_equal(out, "\\x01aa", 6);
	free(out);
	free(in);
}

static void
test_finding_msg_max(void **state)
{
	struct hy_findings f = { 0 };
	char *big;

	(void)state;
	assert_non_null(big = malloc(4 * HY_FINDING_MSG_MAX));
	memset(big, 'b', 4 * HY_FINDING_MSG_MAX - 1);
	big[4 * HY_FINDING_MSG_MAX - 1] = '\0';
	/* Exactly at the limit: kept whole. */
	assert_int_equal(hy_findings_add(&f, "unknown-tag", HY_SEV_INFO, "%.*s",
	    HY_FINDING_MSG_MAX, big), 0);
	assert_int_equal(strlen(f.v[0].message), HY_FINDING_MSG_MAX);
	/* Longer: cut, and says by how much. */
	assert_int_equal(hy_findings_add(&f, "unknown-tag", HY_SEV_INFO, "%s", big), 0);
	assert_int_equal(strlen(f.v[1].message), HY_FINDING_MSG_MAX +
	    strlen("...(+3071 bytes)"));
	assert_non_null(strstr(f.v[1].message, "...(+3071 bytes)"));
	/* Never inside a UTF-8 sequence: "日" is 3 bytes. */
	memset(big, 'b', HY_FINDING_MSG_MAX - 1);
	memcpy(big + HY_FINDING_MSG_MAX - 1, "\xe6\x97\xa5", 3);
	assert_int_equal(hy_findings_add(&f, "unknown-tag", HY_SEV_INFO, "%s", big), 0);
	assert_null(strstr(f.v[2].message, "\\x"));
	assert_int_equal(f.v[2].message[HY_FINDING_MSG_MAX - 1], '.');
	hy_findings_clear(&f);
	free(big);
}

struct cache_run {
	struct hy_loop		*loop;
	struct test_dns_server	 srv;
	struct hy_dns		*dns;
	struct hy_dns_group	*grp;
	unsigned		 pending, hits;
};

static void
cache_cb(void *arg, const struct hy_dns_result *res)
{
	struct cache_run *r = arg;

	assert_int_equal(res->status, HY_DNS_ANSWER);
	r->hits += res->from_cache;
	if (--r->pending == 0)
		hy_loop_stop(r->loop);
}

static void
cache_ask(struct cache_run *r, const char *name)
{
	r->pending++;
	assert_int_equal(hy_dns_query(r->grp, name, LDNS_RR_TYPE_A, 0,
	    cache_cb, r), 0);
	assert_int_equal(hy_loop_run(r->loop), 0);
}

/* The answer cache keeps at most cache_bytes (HY_DNS_CACHE_BYTES_MAX by
 * default) of parsed answers, the oldest going first, and no answer
 * bigger than that on its own. An A answer costs under 1,000 bytes. */
static void
test_cache_bytes(void **state)
{
	static const size_t budgets[] = { 0, 2000, 1 };
	const char *servers[1], *err = NULL;
	struct hy_dns_opts o;
	struct cache_run r;
	char name[32];

	(void)state;
	for (size_t b = 0; b < 3; b++) {
		memset(&r, 0, sizeof(r));
		assert_non_null(r.loop = hy_loop_new());
		assert_int_equal(test_dns_server_start(&r.srv, r.loop), 0);
		servers[0] = r.srv.addr;
		memset(&o, 0, sizeof(o));
		o.servers = servers;
		o.nservers = 1;
		o.cache_bytes = budgets[b];
		assert_non_null(r.dns = hy_dns_new(r.loop, &o, &err));
		assert_non_null(r.grp = hy_dns_group_new(r.dns, 0));
		for (int i = 0; i < 5; i++) {
			snprintf(name, sizeof(name), "a%d.test", i);
			cache_ask(&r, name);
		}
		cache_ask(&r, "a4.test");	/* the newest */
		cache_ask(&r, "a0.test");	/* the oldest */
		if (b == 0)		/* the default keeps both */
			assert_int_equal(r.hits, 2);
		else if (b == 1)	/* 2,000 bytes: the newest only */
			assert_int_equal(r.hits, 1);
		else			/* no answer fits: nothing kept */
			assert_int_equal(r.hits, 0);
		assert_int_equal(r.srv.udp_queries, 7 - r.hits);
		hy_dns_group_free(r.grp);
		hy_dns_free(r.dns);
		test_dns_server_stop(&r.srv);
		hy_loop_free(r.loop);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_txt_show_max),
		cmocka_unit_test(test_finding_msg_max),
		cmocka_unit_test(test_cache_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
