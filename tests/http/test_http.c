/*
 * The HTTP module against a private nginx (tests/http/run.sh starts it and
 * passes HY_HTTP_TEST_PORT and HY_HTTP_TEST_CA): status classes, no
 * redirects, size limit, TLS verification, timeouts, cancel, concurrency.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "hygiene/http.h"
#include "sts.h"

struct got {
	int			 n;
	enum hy_http_status	 status;
	long			 code;
	char			 body[256];
	size_t			 len;
	char			 ctype[64];
};

static void
on_done(void *arg, const struct hy_http_result *r)
{
	struct got *g = arg;

	g->n++;
	g->status = r->status;
	g->code = r->code;
	g->len = r->len;
	snprintf(g->body, sizeof(g->body), "%s", r->body);
	snprintf(g->ctype, sizeof(g->ctype), "%s",
	    r->content_type ? r->content_type : "");
}

struct selfcancel {
	struct hy_http_req	*req;
	int			 n;
};

static void
on_done_cancel(void *arg, const struct hy_http_result *r)
{
	struct selfcancel *sc = arg;

	(void)r;
	sc->n++;
	hy_http_cancel(sc->req);	/* must be harmless */
}

static unsigned
port(void)
{
	const char *p = getenv("HY_HTTP_TEST_PORT");

	return p ? (unsigned)atoi(p) : 23443;
}

static void
fetch(const char *url, const char *ip, unsigned prt, const char *ca,
    size_t max, uint64_t tmo, struct got *g)
{
	struct hy_loop *l = hy_loop_new();
	struct hy_http *h = hy_http_new(l);
	struct hy_http_get_opts o = { url, ip, prt, ca, max, tmo, NULL };

	assert_non_null(h);
	memset(g, 0, sizeof(*g));
	assert_non_null(hy_http_get(h, &o, on_done, g));
	assert_int_equal(g->n, 0);	/* never synchronous */
	assert_int_equal(hy_loop_run(l), 0);
	assert_int_equal(g->n, 1);
	hy_http_free(h);
	hy_loop_free(l);
}

#define URL "https://mta-sts.example.jp/.well-known/mta-sts.txt"

static void
test_ok(void **st)
{
	struct got g;

	(void)st;
	fetch(URL, "127.0.0.1", port(), getenv("HY_HTTP_TEST_CA"), 65536,
	    5000, &g);
	assert_int_equal(g.status, HY_HTTP_OK);
	assert_int_equal(g.code, 200);
	assert_string_equal(g.ctype, "text/plain");
	assert_non_null(strstr(g.body, "mode: enforce"));
}

static void
test_404_and_redirect(void **st)
{
	struct got g;
	const char *ca = getenv("HY_HTTP_TEST_CA");

	(void)st;
	fetch("https://mta-sts.example.jp/missing", "127.0.0.1", port(), ca, 0,
	    5000, &g);
	assert_int_equal(g.status, HY_HTTP_STATUS);
	assert_int_equal(g.code, 404);
	fetch("https://mta-sts.example.jp/redirect", "127.0.0.1", port(), ca,
	    0, 5000, &g);
	/* HY_HTTP_MAX_REDIRECTS is 0: the 301 itself is the answer. */
	assert_int_equal(HY_HTTP_MAX_REDIRECTS, 0);
	assert_int_equal(g.status, HY_HTTP_STATUS);
	assert_int_equal(g.code, 301);
	fetch("https://mta-sts.example.jp/html", "127.0.0.1", port(), ca, 0,
	    5000, &g);
	assert_int_equal(g.status, HY_HTTP_OK);
	assert_string_equal(g.ctype, "text/html");
}

static void
test_too_large(void **st)
{
	struct got g;

	(void)st;
	fetch("https://mta-sts.example.jp/big/file.txt", "127.0.0.1", port(),
	    getenv("HY_HTTP_TEST_CA"), 65536, 5000, &g);
	assert_int_equal(g.status, HY_HTTP_TOO_LARGE);
	fetch("https://mta-sts.example.jp/big/file.txt", "127.0.0.1", port(),
	    getenv("HY_HTTP_TEST_CA"), 0, 5000, &g);
	assert_int_equal(g.status, HY_HTTP_OK);
	assert_int_equal(g.len, 70000);
	/* The policy limit of RFC 8461 §3.3 at its edge. */
	fetch("https://mta-sts.example.jp/big/limit.txt", "127.0.0.1", port(),
	    getenv("HY_HTTP_TEST_CA"), HY_STS_POLICY_MAX, 5000, &g);
	assert_int_equal(g.status, HY_HTTP_OK);
	assert_int_equal(g.len, HY_STS_POLICY_MAX);
	fetch("https://mta-sts.example.jp/big/over.txt", "127.0.0.1", port(),
	    getenv("HY_HTTP_TEST_CA"), HY_STS_POLICY_MAX, 5000, &g);
	assert_int_equal(g.status, HY_HTTP_TOO_LARGE);
}

static void
test_tls(void **st)
{
	struct got g;

	(void)st;
	/* Unknown CA: the system store does not hold the test CA. */
	fetch(URL, "127.0.0.1", port(), NULL, 0, 5000, &g);
	assert_int_equal(g.status, HY_HTTP_CERT);
	/* Name not in the certificate. */
	fetch("https://mta-sts.example.net/.well-known/mta-sts.txt",
	    "127.0.0.1", port(), getenv("HY_HTTP_TEST_CA"), 0, 5000, &g);
	assert_int_equal(g.status, HY_HTTP_CERT);
	/* The server refuses the handshake: nothing is known about its
	 * certificate, so this is not a certificate verdict. */
	fetch("https://reject.example.jp/.well-known/mta-sts.txt",
	    "127.0.0.1", port(), getenv("HY_HTTP_TEST_CA"), 0, 5000, &g);
	assert_int_equal(g.status, HY_HTTP_TLS);
}

/* A listening socket that never accepts: the handshake never ends. */
static void
test_timeout_and_connect(void **st)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct got g;
	int s;

	(void)st;
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 1), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
	fetch(URL, "127.0.0.1", ntohs(sa.sin_port), getenv("HY_HTTP_TEST_CA"),
	    0, 300, &g);
	assert_int_equal(g.status, HY_HTTP_TIMEOUT);
	close(s);
	/* Nothing listens there any more. */
	fetch(URL, "127.0.0.1", ntohs(sa.sin_port), getenv("HY_HTTP_TEST_CA"),
	    0, 2000, &g);
	assert_int_equal(g.status, HY_HTTP_CONNECT);
}

static void
test_many_and_cancel(void **st)
{
	struct hy_loop *l = hy_loop_new();
	struct hy_http *h = hy_http_new(l);
	struct hy_http_get_opts o = { URL, "127.0.0.1", port(),
	    getenv("HY_HTTP_TEST_CA"), 65536, 5000, NULL };
	struct got g[20], gc;
	struct hy_http_req *c;

	(void)st;
	memset(&gc, 0, sizeof(gc));
	for (int i = 0; i < 20; i++) {
		memset(&g[i], 0, sizeof(g[i]));
		assert_non_null(hy_http_get(h, &o, on_done, &g[i]));
	}
	assert_non_null(c = hy_http_get(h, &o, on_done, &gc));
	hy_http_cancel(c);
	assert_int_equal(hy_loop_run(l), 0);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(g[i].n, 1);
		assert_int_equal(g[i].status, HY_HTTP_OK);
	}
	assert_int_equal(gc.n, 0);
	/* Cancelling from inside its own callback is a no-op. */
	{
		struct selfcancel sc = { NULL, 0 };

		assert_non_null(sc.req = hy_http_get(h, &o, on_done_cancel,
		    &sc));
		assert_int_equal(hy_loop_run(l), 0);
		assert_int_equal(sc.n, 1);
	}
	/* Free with requests in flight: no callbacks, no leaks. */
	assert_non_null(hy_http_get(h, &o, on_done, &gc));
	hy_http_free(h);
	assert_int_equal(gc.n, 0);
	hy_loop_free(l);
}

/* MTA-STS fetches connect to our resolver's address even when the
 * environment names a proxy (here one that does not exist). */
static void
test_env_proxy_ignored(void **st)
{
	struct got g;

	(void)st;
	setenv("https_proxy", "http://127.0.0.1:1", 1);
	setenv("all_proxy", "http://127.0.0.1:1", 1);
	fetch(URL, "127.0.0.1", port(), getenv("HY_HTTP_TEST_CA"), 65536,
	    5000, &g);
	unsetenv("https_proxy");
	unsetenv("all_proxy");
	assert_int_equal(g.status, HY_HTTP_OK);
}

/* Data sources read the standard proxy variables as curl does. */
static void
test_proxy_for(void **st)
{
	(void)st;
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	unsetenv("no_proxy");
	unsetenv("NO_PROXY");
	assert_null(hy_http_proxy_for("stat.ripe.net"));
	setenv("ALL_PROXY", "http://all:1", 1);
	assert_string_equal(hy_http_proxy_for("stat.ripe.net"), "http://all:1");
	setenv("HTTPS_PROXY", "http://upper:3128", 1);
	assert_string_equal(hy_http_proxy_for("stat.ripe.net"),
	    "http://upper:3128");
	setenv("https_proxy", "proxy.example.jp:8080", 1);
	assert_string_equal(hy_http_proxy_for("stat.ripe.net"),
	    "proxy.example.jp:8080");
	setenv("no_proxy", "localhost, .ripe.net", 1);
	assert_null(hy_http_proxy_for("stat.ripe.net"));
	assert_null(hy_http_proxy_for("ripe.net"));
	assert_non_null(hy_http_proxy_for("notripe.net"));
	setenv("no_proxy", "stat.ripe.net", 1);
	assert_null(hy_http_proxy_for("STAT.ripe.net"));
	assert_non_null(hy_http_proxy_for("other.ripe.net"));
	setenv("no_proxy", "*", 1);
	assert_null(hy_http_proxy_for("anything.example"));
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("ALL_PROXY");
	unsetenv("no_proxy");
}

/* --contact goes into the User-Agent. */
static void
test_user_agent(void **st)
{
	char ua[256];

	(void)st;
	hy_http_user_agent(NULL, ua, sizeof(ua));
	assert_string_equal(ua, "hygiene/" HYGIENE_VERSION);
	hy_http_user_agent("ops@example.jp", ua, sizeof(ua));
	assert_string_equal(ua, "hygiene/" HYGIENE_VERSION " (+ops@example.jp)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_404_and_redirect),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_timeout_and_connect),
		cmocka_unit_test(test_many_and_cancel),
		cmocka_unit_test(test_env_proxy_ignored),
		cmocka_unit_test(test_proxy_for),
		cmocka_unit_test(test_user_agent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
