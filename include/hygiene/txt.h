/*
 * TXT record helpers shared by the mail probes: the character-strings of
 * one TXT RR joined without separator (RFC 7208 §3.3, RFC 7489 §6.1);
 * and the one way untrusted bytes are shown, in JSON and on a terminal.
 */
#ifndef HYGIENE_TXT_H
#define HYGIENE_TXT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>
#include <ldns/ldns.h>

/*
 * The rdata of a TXT RR as one malloc'd buffer (NUL-terminated for
 * convenience; embedded NULs are kept and counted in *len). Returns NULL
 * on OOM or if rr is not a TXT RR.
 */
char	*hy_txt_join(const ldns_rr *rr, size_t *len);

/*
 * Bytes of DNS text a shown copy keeps (a `record` field, a report cell).
 * A TXT RR holds up to 65,535 bytes, escaped up to four times that; the
 * first HY_TXT_SHOW_MAX bytes say what the record is, and the copy then
 * says how many more there were. Parsers always read every byte.
 */
#define HY_TXT_SHOW_MAX	2048

/*
 * A printable copy of len bytes for reports and JSON: printable ASCII is
 * kept, every other byte becomes \xHH. Past HY_TXT_SHOW_MAX input bytes
 * the copy ends with "...(+N bytes)". malloc'd; NULL on OOM.
 */
char	*hy_txt_printable(const char *s, size_t len);

/*
 * A copy of len bytes that is valid UTF-8 and safe on a terminal, for
 * anything that shows untrusted text (DNS data, input lines, file
 * contents): a JSON string must be UTF-8, and a TXT record or an input
 * line may hold any byte. Well-formed UTF-8 is kept; every other byte and
 * every control character (C0 such as NUL, ESC and newline; DEL; C1,
 * U+0080..U+009F) becomes \xHH, one per byte. This is how the schemas
 * say bytes that are not text are shown. malloc'd; NULL on OOM.
 */
char	*hy_txt_utf8(const char *s, size_t len);

/*
 * Why a file whose first len bytes are head is not text, as a phrase to
 * follow its name ("is gzip-compressed; decompress it first"), or NULL
 * when it may be: compressed files, ZIP and OLE files (Excel workbooks),
 * UTF-16, NUL bytes. For input files users may confuse with a text list
 * or JSON.
 */
const char *hy_txt_sniff(const void *head, size_t len);

/* A JSON string of s as hy_txt_utf8() shows it: the one way untrusted
 * text enters JSON. JSON null for s == NULL; NULL on OOM. */
json_t	*hy_txt_json(const char *s);

/* Write s as hy_txt_utf8() shows it, without allocating: the one way
 * untrusted text reaches a terminal (human output, messages on stderr).
 * 0, or -1 on a write error. */
int	 hy_txt_fputs(const char *s, FILE *fp);

#endif
