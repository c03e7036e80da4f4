/*
 * The bounds-checked cursor every parser reads through (SPF, DMARC,
 * MTA-STS, TLS-RPT, route files, ISP lists, VRP JSON glue, and the binary
 * MRT records of BGP RIB dumps). Nothing reads
 * past len; every accessor returns a value that says "end of input".
 * The cursor does not own its buffer.
 */
#ifndef HYGIENE_CURSOR_H
#define HYGIENE_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hy_cursor {
	const char	*buf;
	size_t		 len;
	size_t		 pos;
};

/* A borrowed slice of the buffer; not NUL-terminated. */
struct hy_span {
	const char	*p;
	size_t		 len;
};

void	 hy_cursor_init(struct hy_cursor *, const char *buf, size_t len);
bool	 hy_cursor_eof(const struct hy_cursor *);
size_t	 hy_cursor_left(const struct hy_cursor *);
/* The next byte (0..255) without consuming it, or -1 at the end. */
int	 hy_cursor_peek(const struct hy_cursor *);
/* Consume and return the next byte, or -1 at the end. */
int	 hy_cursor_next(struct hy_cursor *);
/* Consume n bytes if that many are left; false (nothing consumed)
 * otherwise. */
bool	 hy_cursor_skip(struct hy_cursor *, size_t n);
/* Consume ch if it is next. */
bool	 hy_cursor_accept(struct hy_cursor *, char ch);
/* Consume the literal if it is next, ASCII case-insensitively. */
bool	 hy_cursor_accept_ci(struct hy_cursor *, const char *lit);
/* Consume bytes while pred() holds; the consumed span is returned. */
struct hy_span hy_cursor_while(struct hy_cursor *, int (*pred)(int));
/* Consume up to (not including) the first byte in stop, or to the end. */
struct hy_span hy_cursor_until(struct hy_cursor *, const char *stop);
/* Skip spaces and tabs. */
void	 hy_cursor_skip_ws(struct hy_cursor *);
/* Decimal unsigned integer <= max; false (nothing consumed) otherwise. */
bool	 hy_cursor_uint(struct hy_cursor *, uint64_t max, uint64_t *out);

/* Binary input: big-endian integers and raw slices. Each returns false,
 * consuming nothing, when fewer bytes are left than it needs. */
bool	 hy_cursor_u8(struct hy_cursor *, uint8_t *);
bool	 hy_cursor_u16(struct hy_cursor *, uint16_t *);
bool	 hy_cursor_u32(struct hy_cursor *, uint32_t *);
/* Consume n bytes, borrowed as a span (read it with a cursor of its own). */
bool	 hy_cursor_take(struct hy_cursor *, size_t n, struct hy_span *out);

/* Span helpers. */
bool	 hy_span_eq_ci(struct hy_span, const char *lit);
struct hy_span hy_span_trim(struct hy_span);
/* malloc'd NUL-terminated copy, or NULL on OOM. */
char	*hy_span_dup(struct hy_span);

#endif
