/*
 * TXT record helpers shared by the mail probes: the character-strings of
 * one TXT RR joined without separator (RFC 7208 §3.3, RFC 7489 §6.1).
 */
#ifndef HYGIENE_TXT_H
#define HYGIENE_TXT_H

#include <stddef.h>

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
 * A copy of len bytes that is valid UTF-8, for messages that quote DNS
 * data (a JSON string must be UTF-8; a TXT record may hold any byte):
 * well-formed UTF-8 is kept, every other byte and every ASCII control
 * byte (NUL, ESC, newline...) becomes \xHH.
 * malloc'd; NULL on OOM.
 */
char	*hy_txt_utf8(const char *s, size_t len);

#endif
