/*
 * RIPEstat announced-prefixes as a route source. The CLI runs this before
 * anything else, so it drives its own curl multi handle to completion
 * rather than the check loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "hygiene/ripestat.h"

#define RIPESTAT_MAX_BODY	(64u << 20)

struct fetch {
	CURL		*easy;
	uint32_t	 asn;
	char		*body;
	size_t		 len;
	bool		 too_big;
	char		 errbuf[CURL_ERROR_SIZE];
};

static size_t
fetch_write(char *p, size_t size, size_t n, void *arg)
{
	struct fetch *f = arg;
	size_t add = size * n;
	char *nb;

	if (f->len + add > RIPESTAT_MAX_BODY) {
		f->too_big = true;
		return 0;
	}
	if ((nb = realloc(f->body, f->len + add + 1)) == NULL)
		return 0;
	f->body = nb;
	memcpy(f->body + f->len, p, add);
	f->len += add;
	return add;
}

int
hy_ripestat_parse(const char *buf, size_t len, uint32_t asn,
    struct hy_routes *r, char *err, size_t errlen)
{
	json_t *root, *pfxs, *e, *p;
	json_error_t je;
	struct hy_prefix pfx;
	size_t i;
	int rc = -1;

	if ((root = json_loadb(buf, len, 0, &je)) == NULL) {
		snprintf(err, errlen, "AS%u: bad JSON: %s", asn, je.text);
		return -1;
	}
	if (!json_is_string(json_object_get(root, "status")) ||
	    strcmp(json_string_value(json_object_get(root, "status")),
	    "ok") != 0) {
		snprintf(err, errlen, "AS%u: answer status is not \"ok\"", asn);
		goto out;
	}
	pfxs = json_object_get(json_object_get(root, "data"), "prefixes");
	if (!json_is_array(pfxs)) {
		snprintf(err, errlen, "AS%u: no data.prefixes array", asn);
		goto out;
	}
	json_array_foreach(pfxs, i, e) {
		p = json_object_get(e, "prefix");
		if (!json_is_string(p) || hy_prefix_parse(json_string_value(p),
		    json_string_length(p), &pfx) != 0) {
			snprintf(err, errlen, "AS%u: data.prefixes[%zu]: bad "
			    "prefix", asn, i);
			goto out;
		}
		if (hy_routes_add(r, &pfx, asn, NULL, 0) != 0) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(root);
	return rc;
}

static int
fetch_setup(struct fetch *f, const struct hy_ripestat_opts *o, CURLM *m)
{
	char url[1024];

	snprintf(url, sizeof(url),
	    "%s/data/announced-prefixes/data.json?resource=AS%u",
	    o->base_url ? o->base_url : HY_RIPESTAT_DEFAULT_URL, f->asn);
	if ((f->easy = curl_easy_init()) == NULL)
		return -1;
	curl_easy_setopt(f->easy, CURLOPT_URL, url);
	curl_easy_setopt(f->easy, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(f->easy, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(f->easy, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(f->easy, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(f->easy, CURLOPT_USERAGENT, "hygiene/" HYGIENE_VERSION);
	curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS,
	    (long)(o->timeout_ms ? o->timeout_ms : 60000));
	curl_easy_setopt(f->easy, CURLOPT_NOSIGNAL, 1L);
	if (o->ca_file != NULL)
		curl_easy_setopt(f->easy, CURLOPT_CAINFO, o->ca_file);
	return curl_multi_add_handle(m, f->easy) == CURLM_OK ? 0 : -1;
}

/* Check one finished transfer; 0 or -1 with err. */
static int
fetch_check(struct fetch *f, CURLcode res, struct hy_routes *r, char *err,
    size_t errlen)
{
	long status = 0;

	if (res != CURLE_OK) {
		snprintf(err, errlen, "AS%u: %s", f->asn, f->too_big ?
		    "answer too large" : f->errbuf[0] ? f->errbuf :
		    curl_easy_strerror(res));
		return -1;
	}
	curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		snprintf(err, errlen, "AS%u: HTTP status %ld", f->asn, status);
		return -1;
	}
	return hy_ripestat_parse(f->body ? f->body : "", f->len, f->asn, r,
	    err, errlen);
}

int
hy_ripestat_routes(const struct hy_ripestat_opts *o, const uint32_t *asns,
    size_t nasns, struct hy_routes **out, char *err, size_t errlen)
{
	struct fetch *f = NULL;
	struct hy_routes *r = NULL;
	CURLM *m = NULL;
	CURLMsg *msg;
	int running, left, rc = -1;
	size_t i;

	*out = NULL;
	if ((r = hy_routes_new()) == NULL ||
	    (f = calloc(nasns + 1, sizeof(*f))) == NULL ||
	    (m = curl_multi_init()) == NULL)
		goto oom;
	curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, 8L);
	for (i = 0; i < nasns; i++) {
		f[i].asn = asns[i];
		if (fetch_setup(&f[i], o, m) != 0)
			goto oom;
	}
	do {
		if (curl_multi_perform(m, &running) != CURLM_OK ||
		    curl_multi_poll(m, NULL, 0, 1000, NULL) != CURLM_OK) {
			snprintf(err, errlen, "RIPEstat: libcurl failed");
			goto out;
		}
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			for (i = 0; i < nasns && f[i].easy != msg->easy_handle;
			    i++)
				;
			if (i < nasns && fetch_check(&f[i], msg->data.result,
			    r, err, errlen) != 0)
				goto out;
		}
	} while (running > 0);
	if (hy_routes_finish(r) != 0)
		goto oom;
	*out = r;
	r = NULL;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "RIPEstat: out of memory");
out:
	for (i = 0; f != NULL && i < nasns; i++) {
		if (f[i].easy != NULL) {
			curl_multi_remove_handle(m, f[i].easy);
			curl_easy_cleanup(f[i].easy);
		}
		free(f[i].body);
	}
	free(f);
	curl_multi_cleanup(m);
	hy_routes_free(r);
	return rc;
}
