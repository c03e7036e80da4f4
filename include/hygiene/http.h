/*
 * HTTPS GET inside the hy_loop: libcurl's multi interface driven by the
 * loop's fd watches and timers (CURLMOPT_SOCKETFUNCTION/TIMERFUNCTION and
 * curl_multi_socket_action). No threads, no blocking.
 *
 * curl never resolves names: the caller resolves the host through the
 * hygiene DNS engine and passes the address; curl connects there
 * (CURLOPT_CONNECT_TO) while SNI, certificate checks and the Host header
 * still use the URL's host name. Proxy variables in the environment are
 * ignored then (MTA-STS must reach the address our resolver gave). A data
 * source (RIPEstat) may instead name a proxy (hy_http_proxy_for(), the
 * standard https_proxy/all_proxy/no_proxy variables): curl then tunnels
 * through it with CONNECT and the proxy resolves the host (the proxy's own
 * name, if it is not an address, is resolved by libcurl through the
 * system resolver: the one name hygiene does not resolve). Redirects are
 * never followed (HY_HTTP_MAX_REDIRECTS: RFC 8461 §3.3 forbids it for
 * MTA-STS; other users want the same honesty): a 3xx is returned as
 * HY_HTTP_STATUS.
 *
 * Ownership: struct hy_http belongs to its creator and must outlive its
 * requests. A struct hy_http_req is owned by the module; it is freed
 * right after its callback returns, or by hy_http_cancel() (then without
 * a callback; cancelling from inside the request's own callback is a
 * no-op). The result and its body are valid only during the
 * callback. Callbacks are never invoked from inside hy_http_get().
 */
#ifndef HYGIENE_HTTP_H
#define HYGIENE_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "hygiene/loop.h"

/* Redirects followed: none (see above). */
#define HY_HTTP_MAX_REDIRECTS	0

/*
 * How a request ended. Only OK, STATUS, CERT and TOO_LARGE say something
 * about the server's content: it answered, or showed a certificate that
 * does not validate. The others are faults of the fetch (no connection,
 * handshake cut off, body cut short, garbage, deadline, our memory).
 */
enum hy_http_status {
	HY_HTTP_OK,		/* 2xx, body complete */
	HY_HTTP_STATUS,		/* any other HTTP status (see code) */
	HY_HTTP_TIMEOUT,
	HY_HTTP_TLS,		/* TLS handshake failed (not the certificate) */
	HY_HTTP_CERT,		/* the server's certificate did not verify */
	HY_HTTP_CONNECT,	/* could not connect */
	HY_HTTP_TOO_LARGE,	/* body over max_body */
	HY_HTTP_NOMEM,		/* out of memory */
	HY_HTTP_ERROR,		/* anything else: body cut short, no answer,
				 * not HTTP, local failure */
};

struct hy_http_result {
	enum hy_http_status	 status;
	long			 code;		/* HTTP status, 0 if none */
	const char		*body;		/* NUL-terminated; may hold NULs */
	size_t			 len;
	const char		*content_type;	/* NULL if none */
	const char		*error;		/* curl's message, or "" */
	long			 retry_after;	/* Retry-After in seconds (RFC
						   9110 §10.2.3), -1 if none */
};

typedef void (*hy_http_fn)(void *arg, const struct hy_http_result *);

struct hy_http_get_opts {
	const char	*url;		/* https://host/path */
	const char	*connect_ip;	/* address from our resolver; required
					   unless proxy is set */
	unsigned	 port;		/* 0: 443 (--https-port) */
	const char	*ca_file;	/* NULL: system store (--ca-file) */
	size_t		 max_body;	/* 0: no limit */
	uint64_t	 timeout_ms;	/* 0: none */
	const char	*proxy;		/* tunnel through this proxy URL
					   (hy_http_proxy_for); NULL: direct */
};

struct hy_http;
struct hy_http_req;

struct hy_http	*hy_http_new(struct hy_loop *);
/* Cancels every request still in flight (no callbacks). */
void		 hy_http_free(struct hy_http *);

/*
 * The User-Agent of every request: "hygiene/VERSION", with contact (a URL
 * or mail address, --contact) "hygiene/VERSION (+contact)". The string
 * is copied. -1 on OOM.
 */
int		 hy_http_set_contact(struct hy_http *, const char *contact);
/* The User-Agent for contact into buf. */
void		 hy_http_user_agent(const char *contact, char *buf,
		    size_t len);

/*
 * The proxy for an https URL to host from the environment, as curl reads
 * it: https_proxy or HTTPS_PROXY, else all_proxy or ALL_PROXY; none when
 * no_proxy (or NO_PROXY) is "*" or names host or a domain above it
 * (comma-separated, a leading dot optional). NULL: connect directly.
 */
const char	*hy_http_proxy_for(const char *host);

/* NULL on error (OOM, bad options); cb will not run then. */
struct hy_http_req *hy_http_get(struct hy_http *,
		    const struct hy_http_get_opts *, hy_http_fn cb, void *arg);
void		 hy_http_cancel(struct hy_http_req *);

const char	*hy_http_status_str(enum hy_http_status);

#endif
