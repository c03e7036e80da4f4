#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/txt.h"

char *
hy_txt_join(const ldns_rr *rr, size_t *len)
{
	size_t total = 0, off = 0, i;
	char *out;

	if (rr == NULL || ldns_rr_get_type(rr) != LDNS_RR_TYPE_TXT)
		return NULL;
	/* Each rdf is a <character-string>: one length byte, then data. */
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);

		if (ldns_rdf_size(f) > 0)
			total += ldns_rdf_size(f) - 1;
	}
	if ((out = malloc(total + 1)) == NULL)
		return NULL;
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		size_t n = ldns_rdf_size(f);

		if (n == 0)
			continue;
		memcpy(out + off, ldns_rdf_data(f) + 1, n - 1);
		off += n - 1;
	}
	out[off] = '\0';
	if (len != NULL)
		*len = off;
	return out;
}

char *
hy_txt_printable(const char *s, size_t len)
{
	size_t n = 0, i;
	char *out, *p;

	for (i = 0; i < len; i++)
		n += (s[i] >= 0x20 && s[i] <= 0x7e && s[i] != '\\') ? 1 : 4;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0, p = out; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch <= 0x7e && ch != '\\')
			*p++ = (char)ch;
		else
			p += sprintf(p, "\\x%02x", ch);
	}
	*p = '\0';
	return out;
}
