/*
 * Test helper: writes MRT records byte by byte from RFC 6396/8050, with
 * no code shared with the reader, so the tests' dumps are an independent
 * rendering of the format.
 */
#ifndef MRT_BUILD_H
#define MRT_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mb {
	uint8_t		*p;
	size_t		 n, cap;
};

struct mb_peer {
	const char	*ip;		/* IPv4 or IPv6 text */
	uint32_t	 asn;
	bool		 as4;		/* 4-byte AS field in the table */
};

void	mb_free(struct mb *);
void	mb_u8(struct mb *, uint8_t);
void	mb_u16(struct mb *, uint16_t);
void	mb_u32(struct mb *, uint32_t);
void	mb_bytes(struct mb *, const void *, size_t);
/* An MRT header whose length mb_end() fills in. */
size_t	mb_begin(struct mb *, uint32_t ts, uint16_t type, uint16_t sub);
void	mb_end(struct mb *, size_t at);

/* A TABLE_DUMP_V2 PEER_INDEX_TABLE record. */
void	mb_peer_table(struct mb *, uint32_t ts, const struct mb_peer *, size_t);
/*
 * An AS path attribute (type 2 AS_PATH or 17 AS4_PATH) from text like
 * "1 2 {3,4} (5 6) [7]" with asn_size-byte ASNs; extended sets the
 * extended-length flag.
 */
void	mb_aspath(struct mb *, uint8_t type, const char *path,
	    unsigned asn_size, bool extended);
/* ORIGIN IGP and NEXT_HOP 192.0.2.1, as real entries carry them. */
void	mb_common_attrs(struct mb *);

/* A RIB record (TABLE_DUMP_V2 RIB_IPV4/6_UNICAST[_ADDPATH]) header: the
 * prefix as "addr/len"; entries follow with mb_rib_entry(). */
size_t	mb_rib_begin(struct mb *, uint32_t ts, const char *prefix,
	    bool addpath, uint32_t seq, uint16_t nentries);
/* One entry with the standard attributes and an AS_PATH of 4-byte ASNs. */
void	mb_rib_entry(struct mb *, uint16_t peer, uint32_t path_id,
	    bool addpath, const char *path);
/* The whole buffer to a file; 0 or -1. */
int	mb_write(const struct mb *, const char *path);

#endif
