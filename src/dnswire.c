/*
 * See include/hygiene/dnswire.h. The scan finds the RRs to park and the
 * RRs that refuse a message; it never decides whether a message is otherwise
 * valid: ldns still parses every byte, so a broken message fails exactly
 * as it did.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/cursor.h"
#include "hygiene/dnswire.h"

/* One RR of <character-string>s that ldns gets with the park type. */
struct park {
	ldns_pkt_section	 section;
	size_t			 index;		/* in ldns's list of it */
	size_t			 type_off;	/* of the TYPE field */
	size_t			 rdata_off;
	uint16_t		 rdlen;
	uint16_t		 type;
};

struct scan {
	struct park	*parks;
	size_t		 nparks, cap;
	bool		 refuse;	/* an RR over HY_DNSWIRE_RR_STRINGS_MAX,
					 * or a TSIG */
};

static bool
get16(struct hy_cursor *c, uint16_t *v)
{
	int hi = hy_cursor_next(c), lo = hy_cursor_next(c);

	if (hi < 0 || lo < 0)
		return false;
	*v = (uint16_t)(hi << 8 | lo);
	return true;
}

/* Past an owner name: labels up to the root label or a pointer. */
static bool
skip_name(struct hy_cursor *c)
{
	int len;

	while ((len = hy_cursor_next(c)) > 0) {
		if ((len & 0xc0) == 0xc0)
			return hy_cursor_next(c) >= 0;
		if ((len & 0xc0) != 0 || !hy_cursor_skip(c, (size_t)len))
			return false;
	}
	return len == 0;
}

/* Is every rdata field of t a <character-string> (TXT, SPF, ...)? */
static bool
strings_only(uint16_t t)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(t);

	if (d == NULL || t == HY_DNSWIRE_PARK_TYPE ||
	    t == HY_DNSWIRE_PARK_TYPE2 ||
	    ldns_rr_descriptor_field_type(d, 0) != LDNS_RDF_TYPE_STR)
		return false;
	for (size_t i = 0; i < ldns_rr_descriptor_minimum(d); i++)
		if (ldns_rr_descriptor_field_type(d, i) != LDNS_RDF_TYPE_STR)
			return false;
	return d->_variable == LDNS_RDF_TYPE_STR;
}

/* The number of strings that exactly fill the rdata, or 0 if they
 * don't (ldns then reports the error itself). */
static size_t
count_strings(const uint8_t *p, size_t len)
{
	size_t n = 0, off = 0;

	while (off < len) {
		off += (size_t)p[off] + 1;
		n++;
	}
	return off == len ? n : 0;
}

static bool
park_add(struct scan *s, const struct park *p)
{
	struct park *np;

	if (s->nparks == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 8;

		if ((np = reallocarray(s->parks, ncap, sizeof(*np))) == NULL)
			return false;
		s->parks = np;
		s->cap = ncap;
	}
	s->parks[s->nparks++] = *p;
	return true;
}

/*
 * Does ldns read the RR at [start, end) exactly to its end, as RDLENGTH
 * frames it? ldns_wire2rdf() stops after the fields of the type, so an RR
 * whose rdata is longer (or holds a name that runs past it) makes
 * ldns_wire2pkt() read the rest as further RRs: a view of the message
 * that is not the message, and one where a TXT bomb hides from the scan.
 * An RR ldns fails on fails its whole parse anyway.
 */
static bool
ldns_frames(const uint8_t *wire, size_t len, size_t start, size_t end,
    ldns_pkt_section sec)
{
	ldns_rr *rr = NULL;
	size_t pos = start;
	ldns_status st = ldns_wire2rr(&rr, wire, len, &pos, sec);

	ldns_rr_free(rr);
	return st != LDNS_STATUS_OK || pos == end;
}

/*
 * Find the RRs to park, or one that refuses the message: over
 * HY_DNSWIRE_RR_STRINGS_MAX, a TSIG (see dnswire.h), or one ldns would
 * read past or short of its RDLENGTH. RRs of strings need no such check:
 * ldns reads strings to the end or fails (and asking it would cost
 * strings x rdlength). Returns
 * false only on OOM; a message that does not scan simply ends the scan
 * (ldns will say what is wrong with it).
 */
static bool
scan_msg(const uint8_t *wire, size_t len, struct scan *s)
{
	static const ldns_pkt_section sec[3] = { LDNS_SECTION_ANSWER,
	    LDNS_SECTION_AUTHORITY, LDNS_SECTION_ADDITIONAL };
	struct hy_cursor c;
	uint16_t count[4], type, rdlen;
	struct park p;
	size_t n;

	hy_cursor_init(&c, (const char *)wire, len);
	if (!hy_cursor_skip(&c, 4))
		return true;
	for (int i = 0; i < 4; i++)
		if (!get16(&c, &count[i]))
			return true;
	for (uint16_t q = 0; q < count[0]; q++)
		if (!skip_name(&c) || !hy_cursor_skip(&c, 4))
			return true;
	for (int k = 0; k < 3; k++) {
		size_t index = 0;

		for (uint16_t i = 0; i < count[k + 1]; i++) {
			size_t start = c.pos;

			if (!skip_name(&c))
				return true;
			p.type_off = c.pos;
			if (!get16(&c, &type) || !hy_cursor_skip(&c, 6) ||
			    !get16(&c, &rdlen) || hy_cursor_left(&c) < rdlen)
				return true;
			p.rdata_off = c.pos;
			(void)hy_cursor_skip(&c, rdlen);
			if (k == 2 && type == LDNS_RR_TYPE_TSIG) {
				s->refuse = true;
				return true;
			}
			/* ldns keeps OPT out of its additional list. */
			if (k == 2 && type == LDNS_RR_TYPE_OPT)
				continue;
			if (!strings_only(type) && !ldns_frames(wire, len, start,
			    c.pos, sec[k])) {
				s->refuse = true;
				return true;
			}
			p.section = sec[k];
			p.index = index++;
			p.rdlen = rdlen;
			p.type = type;
			if (!strings_only(type) || (n = count_strings(wire +
			    p.rdata_off, rdlen)) < 2)
				continue;
			if (n > HY_DNSWIRE_RR_STRINGS_MAX) {
				s->refuse = true;
				return true;
			}
			if (!park_add(s, &p))
				return false;
		}
	}
	return true;
}

static ldns_rr_list *
section_list(ldns_pkt *pkt, ldns_pkt_section s)
{
	switch (s) {
	case LDNS_SECTION_ANSWER:
		return ldns_pkt_answer(pkt);
	case LDNS_SECTION_AUTHORITY:
		return ldns_pkt_authority(pkt);
	default:
		return ldns_pkt_additional(pkt);
	}
}

/* Give a parked RR its type and its strings back. */
static ldns_status
unpark(ldns_pkt *pkt, const uint8_t *wire, const struct park *p,
    uint16_t park)
{
	ldns_rr *rr = ldns_rr_list_rr(section_list(pkt, p->section),
	    p->index);
	const uint8_t *d = wire + p->rdata_off;
	ldns_rdf *f;

	/* ldns parsed the parked rdata as one opaque field. */
	if (rr == NULL || ldns_rr_get_type(rr) != park ||
	    ldns_rr_rd_count(rr) != 1 ||
	    ldns_rdf_size(ldns_rr_rdf(rr, 0)) != p->rdlen ||
	    memcmp(ldns_rdf_data(ldns_rr_rdf(rr, 0)), d, p->rdlen) != 0)
		return LDNS_STATUS_INTERNAL_ERR;
	ldns_rdf_deep_free(ldns_rr_pop_rdf(rr));
	ldns_rr_set_type(rr, p->type);
	for (size_t off = 0; off < p->rdlen; off += (size_t)d[off] + 1) {
		if ((f = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR,
		    (size_t)d[off] + 1, d + off)) == NULL)
			return LDNS_STATUS_MEM_ERR;
		if (!ldns_rr_push_rdf(rr, f)) {
			ldns_rdf_deep_free(f);
			return LDNS_STATUS_MEM_ERR;
		}
	}
	return LDNS_STATUS_OK;
}

/*
 * ldns's parse of the message with the parked RRs under type park, their
 * strings given back. copy is a scratch buffer of len bytes.
 */
static ldns_status
parse_parked(const uint8_t *wire, size_t len, const struct scan *s,
    uint16_t park, uint8_t *copy, ldns_pkt **out)
{
	ldns_status st;

	memcpy(copy, wire, len);
	for (size_t i = 0; i < s->nparks; i++)
		ldns_write_uint16(copy + s->parks[i].type_off, park);
	if ((st = ldns_wire2pkt(out, copy, len)) != LDNS_STATUS_OK)
		return st;
	for (size_t i = 0; st == LDNS_STATUS_OK && i < s->nparks; i++)
		st = unpark(*out, wire, &s->parks[i], park);
	if (st != LDNS_STATUS_OK) {
		ldns_pkt_free(*out);
		*out = NULL;
	}
	return st;
}

/* Do two packets have the same wire form? */
static bool
same_pkt(const ldns_pkt *a, const ldns_pkt *b)
{
	uint8_t *wa = NULL, *wb = NULL;
	size_t la = 0, lb = 0;
	bool same;

	same = ldns_pkt2wire(&wa, a, &la) == LDNS_STATUS_OK &&
	    ldns_pkt2wire(&wb, b, &lb) == LDNS_STATUS_OK && la == lb &&
	    memcmp(wa, wb, la) == 0;
	free(wa);
	free(wb);
	return same;
}

/*
 * A compression pointer may make ldns read a name across the TYPE field
 * of a parked RR (no honest message does that). So the message is parsed
 * twice, parked under two types that differ in both octets: a name that
 * read them would come out different. If the parses disagree or fail,
 * only ldns's own parse of the message is exact, and it is made: with at
 * most HY_DNSWIRE_RR_STRINGS_MAX strings an RR, it allocates at most
 * 1,024 x 65,535 bytes.
 */
ldns_status
hy_dnswire_parse(const uint8_t *wire, size_t len, ldns_pkt **out)
{
	struct scan s = { 0 };
	uint8_t *copy = NULL;
	ldns_pkt *other = NULL;
	ldns_status st;

	*out = NULL;
	if (!scan_msg(wire, len, &s)) {
		st = LDNS_STATUS_MEM_ERR;
		goto done;
	}
	if (s.refuse) {
		st = LDNS_STATUS_WIRE_RDATA_ERR;
		goto done;
	}
	if (s.nparks == 0) {
		st = ldns_wire2pkt(out, wire, len);
		goto done;
	}
	if ((copy = malloc(len)) == NULL) {
		st = LDNS_STATUS_MEM_ERR;
		goto done;
	}
	st = parse_parked(wire, len, &s, HY_DNSWIRE_PARK_TYPE, copy, out);
	if (st == LDNS_STATUS_OK)
		st = parse_parked(wire, len, &s, HY_DNSWIRE_PARK_TYPE2, copy,
		    &other);
	if (st == LDNS_STATUS_MEM_ERR)
		goto done;
	if (st == LDNS_STATUS_OK && same_pkt(*out, other))
		goto done;
	ldns_pkt_free(*out);
	*out = NULL;
	st = ldns_wire2pkt(out, wire, len);
done:
	if (st != LDNS_STATUS_OK) {
		ldns_pkt_free(*out);
		*out = NULL;
	}
	ldns_pkt_free(other);
	free(copy);
	free(s.parks);
	return st;
}
