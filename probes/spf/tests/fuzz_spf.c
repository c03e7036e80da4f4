/*
 * Fuzz target for the SPF record parser and the macro expander. The input
 * is parsed as a record; every domain-spec of a parsed record, and the
 * input itself as a macro-string, are expanded both as a domain-spec and
 * as explanation text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/spf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
expand_both(const struct hy_spf_macro_ctx *x, const char *s)
{
	char *out = NULL;

	if (hy_spf_macro_expand(x, s, false, &out) == 0)
		free(out);
	out = NULL;
	if (hy_spf_macro_expand(x, s, true, &out) == 0)
		free(out);
	(void)hy_spf_macro_uses(s, "p");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hy_spf_record *r = NULL;
	struct hy_spf_perr err;
	struct hy_spf_ip ip;
	struct hy_spf_macro_ctx x = {
		.sender = "a.b-c@sub.example.com",
		.local = "a.b-c",
		.sender_domain = "sub.example.com",
		.domain = "sub.example.com",
		.helo = "mx.example.net",
		.receiver = "rcv.example.org",
		.now = 1700000000,
	};
	char *s;

	(void)hy_spf_is_record((const char *)data, size);
	if (hy_spf_parse((const char *)data, size, &r, &err) == 0) {
		x.ip = &ip;
		hy_spf_ip_parse("2001:db8::1", &ip);
		for (size_t i = 0; i < r->nterms; i++)
			if (r->terms[i].spec != NULL)
				expand_both(&x, r->terms[i].spec);
		hy_spf_record_free(r);
	}
	(void)hy_spf_macro_valid((const char *)data, size, false);
	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	hy_spf_ip_parse("192.0.2.3", &ip);
	x.ip = &ip;
	expand_both(&x, s);
	free(s);
	return 0;
}
