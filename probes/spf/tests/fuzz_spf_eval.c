/*
 * Fuzz target for the check_host() state machine: the input scripts the
 * DNS. Each question is answered from the next bytes: one byte picks the
 * status and the number of records, then each record takes a length byte
 * and that many bytes (TXT text, MX/PTR name, or address bytes). The
 * first input byte picks the mode and the client address family. Any
 * answer sequence must lead to a result without crashes, leaks or
 * unbounded work.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/cursor.h"
#include "hygiene/spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
answer(struct hy_spf_eval *ev, struct hy_cursor *c)
{
	static const enum hy_spf_dns st[] = { HY_SPF_DNS_ANSWER,
	    HY_SPF_DNS_NODATA, HY_SPF_DNS_NXDOMAIN, HY_SPF_DNS_TEMPFAIL };
	struct hy_spf_rr rrs[12];
	int b = hy_cursor_next(c), n;

	if (b < 0) {
		hy_spf_answer(ev, HY_SPF_DNS_NXDOMAIN, NULL, 0);
		return;
	}
	n = (b >> 2) % 12;
	memset(rrs, 0, sizeof(rrs));
	for (int i = 0; i < n; i++) {
		int len = hy_cursor_next(c);
		size_t l = len < 0 ? 0 : (size_t)len;

		if (l > hy_cursor_left(c))
			l = hy_cursor_left(c);
		rrs[i].data = c->buf + c->pos;
		rrs[i].len = l;
		memcpy(rrs[i].addr, c->buf + c->pos, l < 16 ? l : 16);
		c->pos += l;
	}
	hy_spf_answer(ev, st[b & 3], rrs, (size_t)n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_spf_params p;
	struct hy_spf_eval *ev;
	struct hy_cursor c;
	enum hy_spf_step s;
	int mode, steps = 0;

	hy_cursor_init(&c, (const char *)data, size);
	if ((mode = hy_cursor_next(&c)) < 0)
		return 0;
	memset(&p, 0, sizeof(p));
	p.mode = mode & 1 ? HY_SPF_ANALYZE : HY_SPF_EVALUATE;
	p.domain = "example.com";
	p.sender = mode & 4 ? "" : "user@example.com";
	p.helo = "mx.example.net";
	p.now = 1700000000;
	hy_spf_ip_parse(mode & 2 ? "2001:db8::1" : "192.0.2.1", &p.ip);
	if ((ev = hy_spf_eval_new(&p)) == NULL)
		return 0;
	while ((s = hy_spf_step(ev)) == HY_SPF_STEP_DNS) {
		/* Every question costs a DNS answer; the limits bound them. */
		if (++steps > 2000)
			abort();
		answer(ev, &c);
	}
	hy_spf_eval_free(ev);
	return 0;
}
