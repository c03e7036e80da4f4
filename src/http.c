/*
 * libcurl multi on the hy_loop. curl tells us which sockets to watch
 * (socket callback) and when to call it back (timer callback); the loop
 * reports readiness and we hand it to curl_multi_socket_action(). Finished
 * transfers are collected with curl_multi_info_read() and reported from
 * a zero-delay timer, so no callback ever runs inside hy_http_get().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "hygiene/http.h"

struct hy_http {
	struct hy_loop	*loop;
	char		*user_agent;	/* NULL: "hygiene/VERSION" */
	CURLM		*multi;
	struct hy_timer	 timer;		/* curl's timeout */
	struct hy_timer	 done_timer;	/* deliver finished requests */
	struct hy_http_req *reqs;	/* in flight */
	struct hy_http_req *finished;	/* waiting for delivery */
};

struct hy_http_req {
	struct hy_http		*http;
	CURL			*easy;
	struct curl_slist	*connect_to;
	hy_http_fn		 cb;
	void			*arg;
	char			*body;
	size_t			 len, cap, max;
	int			 too_large;
	int			 nomem;		/* the body could not grow */
	int			 delivering;	/* inside its callback */
	CURLcode		 result;
	char			 errbuf[CURL_ERROR_SIZE];
	struct hy_http_req	*next, **prevp;
};

static int curl_global_done;

const char *
hy_http_status_str(enum hy_http_status s)
{
	switch (s) {
	case HY_HTTP_OK:
		return "ok";
	case HY_HTTP_STATUS:
		return "http-status";
	case HY_HTTP_TIMEOUT:
		return "timeout";
	case HY_HTTP_TLS:
		return "tls-error";
	case HY_HTTP_CERT:
		return "certificate";
	case HY_HTTP_NOMEM:
		return "out-of-memory";
	case HY_HTTP_CONNECT:
		return "connect-error";
	case HY_HTTP_TOO_LARGE:
		return "too-large";
	case HY_HTTP_ERROR:
		break;
	}
	return "error";
}

static void
req_unlink(struct hy_http_req *q)
{
	if (q->prevp == NULL)
		return;
	*q->prevp = q->next;
	if (q->next != NULL)
		q->next->prevp = q->prevp;
	q->next = NULL;
	q->prevp = NULL;
}

static void
req_link(struct hy_http_req **head, struct hy_http_req *q)
{
	q->next = *head;
	if (*head != NULL)
		(*head)->prevp = &q->next;
	*head = q;
	q->prevp = head;
}

static void
req_free(struct hy_http_req *q)
{
	if (q == NULL)
		return;
	req_unlink(q);
	if (q->easy != NULL) {
		curl_multi_remove_handle(q->http->multi, q->easy);
		curl_easy_cleanup(q->easy);
	}
	curl_slist_free_all(q->connect_to);
	free(q->body);
	free(q);
}

static void http_collect(struct hy_http *);

static void
http_io(void *arg, int fd, unsigned events)
{
	struct hy_http *h = arg;
	int mask = 0, running;

	if (events & HY_IO_READ)
		mask |= CURL_CSELECT_IN;
	if (events & HY_IO_WRITE)
		mask |= CURL_CSELECT_OUT;
	curl_multi_socket_action(h->multi, fd, mask, &running);
	http_collect(h);
}

static void
http_timeout(void *arg)
{
	struct hy_http *h = arg;
	int running;

	curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_collect(h);
}

static int
http_socket_cb(CURL *e, curl_socket_t s, int what, void *userp, void *sockp)
{
	struct hy_http *h = userp;
	unsigned ev = 0;

	(void)e;
	(void)sockp;
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		ev |= HY_IO_READ;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		ev |= HY_IO_WRITE;
	/* CURL_POLL_REMOVE leaves ev == 0, which stops the watch. */
	return hy_loop_watch(h->loop, s, ev, ev ? http_io : NULL, h) == 0 ?
	    0 : -1;
}

static int
http_timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct hy_http *h = userp;

	(void)m;
	hy_timer_stop(h->loop, &h->timer);
	if (timeout_ms < 0)
		return 0;
	hy_timer_start(h->loop, &h->timer, (uint64_t)timeout_ms,
	    http_timeout, h);
	return 0;
}

static enum hy_http_status
classify(const struct hy_http_req *q, long code)
{
	if (q->nomem || q->result == CURLE_OUT_OF_MEMORY)
		return HY_HTTP_NOMEM;
	if (q->too_large || q->result == CURLE_FILESIZE_EXCEEDED)
		return HY_HTTP_TOO_LARGE;
	switch (q->result) {
	case CURLE_OK:
		return code >= 200 && code < 300 ? HY_HTTP_OK : HY_HTTP_STATUS;
	case CURLE_OPERATION_TIMEDOUT:
		return HY_HTTP_TIMEOUT;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return HY_HTTP_CONNECT;
	/* The server's certificate failed verification: chain, validity,
	 * name (curl's OpenSSL backend), issuer, OCSP status, pinned key. */
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		return HY_HTTP_CERT;
	/* The handshake failed before a certificate was judged: an alert, a
	 * reset, no common cipher. */
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CIPHER:
		return HY_HTTP_TLS;
	default:
		return HY_HTTP_ERROR;
	}
}

/* Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). */
static long
retry_after(CURL *e)
{
	struct curl_header *h;
	const char *v;
	char *end;
	time_t t;
	long n;

	if (curl_easy_header(e, "Retry-After", 0, CURLH_HEADER, -1, &h) !=
	    CURLHE_OK || (v = h->value) == NULL)
		return -1;
	if (*v >= '0' && *v <= '9') {
		n = strtol(v, &end, 10);
		return *end == '\0' && n >= 0 ? n : -1;
	}
	if ((t = curl_getdate(v, NULL)) == -1)
		return -1;
	return t > time(NULL) ? (long)(t - time(NULL)) : 0;
}

static void
deliver(void *arg)
{
	struct hy_http *h = arg;
	struct hy_http_req *q;
	struct hy_http_result r;
	char *ctype;
	long code;

	while ((q = h->finished) != NULL) {
		req_unlink(q);
		code = 0;
		ctype = NULL;
		curl_easy_getinfo(q->easy, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_getinfo(q->easy, CURLINFO_CONTENT_TYPE, &ctype);
		memset(&r, 0, sizeof(r));
		r.status = classify(q, code);
		r.code = code;
		r.body = q->body != NULL ? q->body : "";
		r.len = q->len;
		r.content_type = ctype;
		/* curl_easy_strerror(CURLE_OK) is "No error": an HTTP
		 * status other than 2xx is not a transfer error. */
		r.error = q->result == CURLE_OK ? "" : q->errbuf[0] ?
		    q->errbuf : curl_easy_strerror(q->result);
		r.retry_after = retry_after(q->easy);
		q->delivering = 1;
		q->cb(q->arg, &r);
		req_free(q);
	}
}

static void
http_collect(struct hy_http *h)
{
	CURLMsg *m;
	int left;
	struct hy_http_req *q;

	while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&q);
		q->result = m->data.result;
		req_unlink(q);
		req_link(&h->finished, q);
	}
	if (h->finished != NULL && !hy_timer_armed(&h->done_timer))
		hy_timer_start(h->loop, &h->done_timer, 0, deliver, h);
}

static size_t
http_write(char *data, size_t size, size_t nmemb, void *userp)
{
	struct hy_http_req *q = userp;
	size_t n = size * nmemb, ncap;
	char *nb;

	if (q->max > 0 && q->len + n > q->max) {
		q->too_large = 1;
		return 0;	/* aborts the transfer (CURLE_WRITE_ERROR) */
	}
	if (q->len + n + 1 > q->cap) {
		ncap = q->cap ? q->cap : 4096;
		while (ncap < q->len + n + 1)
			ncap *= 2;
		if ((nb = realloc(q->body, ncap)) == NULL) {
			q->nomem = 1;
			return 0;	/* aborts the transfer */
		}
		q->body = nb;
		q->cap = ncap;
	}
	memcpy(q->body + q->len, data, n);
	q->len += n;
	q->body[q->len] = '\0';
	return n;
}

struct hy_http *
hy_http_new(struct hy_loop *loop)
{
	struct hy_http *h;

	if (!curl_global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return NULL;
		curl_global_done = 1;
	}
	if ((h = calloc(1, sizeof(*h))) == NULL)
		return NULL;
	h->loop = loop;
	if ((h->multi = curl_multi_init()) == NULL) {
		free(h);
		return NULL;
	}
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
	return h;
}

void
hy_http_free(struct hy_http *h)
{
	if (h == NULL)
		return;
	while (h->reqs != NULL)
		req_free(h->reqs);
	while (h->finished != NULL)
		req_free(h->finished);
	hy_timer_stop(h->loop, &h->timer);
	hy_timer_stop(h->loop, &h->done_timer);
	curl_multi_cleanup(h->multi);
	free(h->user_agent);
	free(h);
}

void
hy_http_cancel(struct hy_http_req *q)
{
	/* From inside its own callback: it is freed when that returns. */
	if (q != NULL && !q->delivering)
		req_free(q);
}

void
hy_http_user_agent(const char *contact, char *buf, size_t len)
{
	if (contact != NULL && *contact != '\0')
		snprintf(buf, len, "hygiene/%s (+%s)", HYGIENE_VERSION,
		    contact);
	else
		snprintf(buf, len, "hygiene/%s", HYGIENE_VERSION);
}

int
hy_http_set_contact(struct hy_http *h, const char *contact)
{
	char ua[512];

	hy_http_user_agent(contact, ua, sizeof(ua));
	free(h->user_agent);
	return (h->user_agent = strdup(ua)) != NULL ? 0 : -1;
}

static const char *
env_either(const char *lower, const char *upper)
{
	const char *v = getenv(lower);

	if (v == NULL || *v == '\0')
		v = getenv(upper);
	return v != NULL && *v != '\0' ? v : NULL;
}

/* Does no_proxy (curl's syntax, without CIDR) cover host? */
static int
no_proxy_match(const char *list, const char *host)
{
	size_t hl = strlen(host), n;
	const char *p = list, *e;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',')
			p++;
		e = p + strcspn(p, ", ");
		n = (size_t)(e - p);
		if (n == 1 && *p == '*')
			return 1;
		if (n > 0 && *p == '.') {
			p++;
			n--;
		}
		if (n > 0 && n <= hl && strncasecmp(host + hl - n, p, n) == 0 &&
		    (n == hl || host[hl - n - 1] == '.'))
			return 1;
		p = e;
	}
	return 0;
}

const char *
hy_http_proxy_for(const char *host)
{
	const char *proxy = env_either("https_proxy", "HTTPS_PROXY");
	const char *no = env_either("no_proxy", "NO_PROXY");

	if (proxy == NULL)
		proxy = env_either("all_proxy", "ALL_PROXY");
	if (proxy == NULL || (no != NULL && no_proxy_match(no, host)))
		return NULL;
	return proxy;
}

/* Where to connect: through the proxy, or to our resolver's address. */
static int
req_route(struct hy_http_req *q, const struct hy_http_get_opts *o)
{
	char spec[128];
	const char *fmt;
	CURL *e = q->easy;

	if (o->proxy != NULL)
		/* "" overrides no_proxy: the caller has decided. */
		return curl_easy_setopt(e, CURLOPT_PROXY, o->proxy) !=
		    CURLE_OK || curl_easy_setopt(e, CURLOPT_NOPROXY, "") !=
		    CURLE_OK || curl_easy_setopt(e, CURLOPT_HTTPPROXYTUNNEL,
		    1L) != CURLE_OK ? -1 : 0;
	/* "::ADDR:PORT": whatever host and port the URL names, connect to
	 * our resolver's address on the chosen port; never via a proxy. */
	fmt = strchr(o->connect_ip, ':') ? "::[%s]:%u" : "::%s:%u";
	if ((size_t)snprintf(spec, sizeof(spec), fmt, o->connect_ip,
	    o->port ? o->port : 443u) >= sizeof(spec) ||
	    (q->connect_to = curl_slist_append(NULL, spec)) == NULL)
		return -1;
	return curl_easy_setopt(e, CURLOPT_CONNECT_TO, q->connect_to) !=
	    CURLE_OK || curl_easy_setopt(e, CURLOPT_NOPROXY, "*") != CURLE_OK ?
	    -1 : 0;
}

static int
req_setup(struct hy_http_req *q, const struct hy_http_get_opts *o)
{
	CURL *e = q->easy;

	if (req_route(q, o) != 0)
		return -1;
	if (curl_easy_setopt(e, CURLOPT_URL, o->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https") != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION,
	    (long)(HY_HTTP_MAX_REDIRECTS > 0)) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_MAXREDIRS,
	    (long)HY_HTTP_MAX_REDIRECTS) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEDATA, q) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, q) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, q->errbuf) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT, q->http->user_agent ?
	    q->http->user_agent : "hygiene/" HYGIENE_VERSION) != CURLE_OK)
		return -1;
	if (o->ca_file != NULL &&
	    curl_easy_setopt(e, CURLOPT_CAINFO, o->ca_file) != CURLE_OK)
		return -1;
	if (o->max_body > 0 && curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)o->max_body) != CURLE_OK)
		return -1;
	if (o->timeout_ms > 0 && curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
	    (long)o->timeout_ms) != CURLE_OK)
		return -1;
	return 0;
}

struct hy_http_req *
hy_http_get(struct hy_http *h, const struct hy_http_get_opts *o,
    hy_http_fn cb, void *arg)
{
	struct hy_http_req *q;

	if (o->url == NULL || (o->connect_ip == NULL && o->proxy == NULL) ||
	    cb == NULL)
		return NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->http = h;
	q->cb = cb;
	q->arg = arg;
	q->max = o->max_body;
	if ((q->easy = curl_easy_init()) == NULL || req_setup(q, o) != 0)
		goto fail;
	if (curl_multi_add_handle(h->multi, q->easy) != CURLM_OK) {
		curl_easy_cleanup(q->easy);
		q->easy = NULL;
		goto fail;
	}
	req_link(&h->reqs, q);
	return q;
fail:
	req_free(q);
	return NULL;
}
