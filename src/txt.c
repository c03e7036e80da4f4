#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/txt.h"

/* Magic numbers of files users mistake for text, with what to do. */
static const struct {
	const char	*magic;
	size_t		 len;
	const char	*what;
} txt_magic[] = {
	{ "\x1f\x8b", 2, "is gzip-compressed; decompress it first" },
	{ "BZh", 3, "is bzip2-compressed; decompress it first" },
	{ "\xfd" "7zXZ\0", 6, "is xz-compressed; decompress it first" },
	{ "\x28\xb5\x2f\xfd", 4, "is zstd-compressed; decompress it first" },
	{ "PK\x03\x04", 4, "is a ZIP archive (an Excel workbook?), not text; "
	    "save it as text (UTF-8)" },
	{ "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "is an Excel 97-2003 "
	    "workbook or another OLE file, not text; save it as text (UTF-8)" },
	{ "\xff\xfe", 2, "is UTF-16 text (Excel's \"Unicode Text\"); save it "
	    "as UTF-8, e.g. iconv -f UTF-16 -t UTF-8" },
	{ "\xfe\xff", 2, "is UTF-16 text; save it as UTF-8, e.g. iconv -f "
	    "UTF-16 -t UTF-8" },
};

const char *
hy_txt_sniff(const void *head, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(txt_magic) / sizeof(txt_magic[0]); i++)
		if (len >= txt_magic[i].len &&
		    memcmp(head, txt_magic[i].magic, txt_magic[i].len) == 0)
			return txt_magic[i].what;
	if (memchr(head, '\0', len) != NULL)
		return "holds NUL bytes: it is not a text file (UTF-16 "
		    "without a BOM, or binary data?)";
	return NULL;
}

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
	size_t n = 0, i, shown = len > HY_TXT_SHOW_MAX ? HY_TXT_SHOW_MAX : len;
	char *out, *p;
	char more[40] = "";

	if (shown < len)
		snprintf(more, sizeof(more), "...(+%zu bytes)", len - shown);
	for (i = 0; i < shown; i++)
		n += (s[i] >= 0x20 && s[i] <= 0x7e && s[i] != '\\') ? 1 : 4;
	if ((out = malloc(n + strlen(more) + 1)) == NULL)
		return NULL;
	for (i = 0, p = out; i < shown; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch >= 0x20 && ch <= 0x7e && ch != '\\')
			*p++ = (char)ch;
		else
			p += sprintf(p, "\\x%02x", ch);
	}
	strcpy(p, more);
	return out;
}

/* Bytes of the well-formed UTF-8 sequence at s (RFC 3629 §4: no overlong
 * form, no surrogate, nothing above U+10FFFF), or 0; 0 also for a control
 * character, which quoted data could use to drive a terminal: C0 (NUL,
 * ESC, newline...), DEL, and C1 (U+0080..U+009F; U+009B is CSI). */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;	/* no control bytes */
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (s[0] == 0xc2)
		lo = 0xa0;	/* C1 controls */
	else if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

char *
hy_txt_utf8(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i, k;
	char *out, *p;

	/* At most 4 output bytes per input byte. */
	if (len > (SIZE_MAX - 1) / 4 || (out = malloc(len * 4 + 1)) == NULL)
		return NULL;
	for (i = 0, p = out; i < len; i += k) {
		if ((k = utf8_seq(u + i, len - i)) > 0) {
			memcpy(p, u + i, k);
			p += k;
		} else {
			p += sprintf(p, "\\x%02x", u[i]);
			k = 1;
		}
	}
	*p = '\0';
	return out;
}

json_t *
hy_txt_json(const char *s)
{
	char *safe;
	json_t *j;

	if (s == NULL)
		return json_null();
	if ((safe = hy_txt_utf8(s, strlen(s))) == NULL)
		return NULL;
	j = json_string(safe);
	free(safe);
	return j;
}

int
hy_txt_fputs(const char *s, FILE *fp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len = strlen(s), i, k;

	for (i = 0; i < len; i += k) {
		if ((k = utf8_seq(u + i, len - i)) > 0) {
			if (fwrite(u + i, 1, k, fp) != k)
				return -1;
		} else {
			if (fprintf(fp, "\\x%02x", u[i]) < 0)
				return -1;
			k = 1;
		}
	}
	return 0;
}
