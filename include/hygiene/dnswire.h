/*
 * DNS messages from the wire into ldns packets, in memory proportional to
 * the message.
 *
 * ldns_wire2pkt() (ldns 1.8.3, wire2host.c: ldns_wire2rdf) allocates the
 * RR's whole rdata length for every field it splits off the rdata. A TXT
 * RR is one field per <character-string>, so a TXT RR of n strings costs
 * n x rdlength bytes: 60,000 empty strings (60 KB over TCP) ask for 3.6 GB.
 * hy_dnswire_parse() scans the message first, through the bounds-checked
 * cursor. A message with an RR of more than HY_DNSWIRE_RR_STRINGS_MAX
 * strings is refused; so is one with a TSIG RR (hygiene signs no query,
 * and a response carries a TSIG only when its request did, RFC 8945;
 * ldns_wire2pkt() leaks every TSIG RR of a message but the last), and one
 * with an RR whose rdata is longer than its type's fields (ldns would
 * read the rest as more RRs). Otherwise it hands ldns a copy in which
 * every RR
 * made only of <character-string>s (TXT, SPF, ...) that holds more than
 * one string is "parked" under a type ldns does not know, so ldns keeps
 * its rdata as one field, and then gives those RRs back their type and
 * their strings, each allocated at its own size. Every string and every
 * byte is kept, so the result is the packet ldns_wire2pkt() would build
 * (DNSSEC signatures over it still verify).
 */
#ifndef HYGIENE_DNSWIRE_H
#define HYGIENE_DNSWIRE_H

#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

/* The largest DNS message: TCP carries its length in 16 bits (RFC 1035
 * §4.2.2), so no answer hygiene reads is longer. */
#define HY_DNSWIRE_MSG_MAX	65535

/*
 * The most <character-string>s one RR may hold. A TXT RR of 65,535 bytes
 * in 255-byte strings has 257; SPF, DMARC, MTA-STS, TLS-RPT and DKIM
 * records have a handful. Thousands of tiny strings are only a bomb, and
 * every copy of such an RR (each probe's, the DNSSEC walk's) costs about
 * 75 bytes a string: the answer is refused (LDNS_STATUS_WIRE_RDATA_ERR,
 * so not measured) rather than kept.
 */
#define HY_DNSWIRE_RR_STRINGS_MAX	1024

/* The types an RR of <character-string>s carries while ldns parses it:
 * one for private use (RFC 6895 §3.1), one unassigned; they differ in
 * both octets (see hy_dnswire_parse() in src/dnswire.c). */
#define HY_DNSWIRE_PARK_TYPE	65534
#define HY_DNSWIRE_PARK_TYPE2	33153


/*
 * Parse len bytes of wire format into *out (the caller frees it with
 * ldns_pkt_free()). Returns what ldns_wire2pkt() returns for the same
 * bytes (LDNS_STATUS_OK, a wire error, or LDNS_STATUS_MEM_ERR), except
 * LDNS_STATUS_WIRE_RDATA_ERR for a message refused (an RR over
 * HY_DNSWIRE_RR_STRINGS_MAX, a TSIG RR, rdata ldns does not read to its
 * end).
 */
ldns_status	 hy_dnswire_parse(const uint8_t *wire, size_t len,
		    ldns_pkt **out);

#endif
