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
 * A printable copy of len bytes for reports and JSON: printable ASCII is
 * kept, every other byte becomes \xHH. malloc'd; NULL on OOM.
 */
char	*hy_txt_printable(const char *s, size_t len);

#endif
