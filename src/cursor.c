#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/cursor.h"

void
hy_cursor_init(struct hy_cursor *c, const char *buf, size_t len)
{
	c->buf = buf;
	c->len = buf == NULL ? 0 : len;
	c->pos = 0;
}

bool
hy_cursor_eof(const struct hy_cursor *c)
{
	return c->pos >= c->len;
}

size_t
hy_cursor_left(const struct hy_cursor *c)
{
	return c->pos >= c->len ? 0 : c->len - c->pos;
}

int
hy_cursor_peek(const struct hy_cursor *c)
{
	if (c->pos >= c->len)
		return -1;
	return (unsigned char)c->buf[c->pos];
}

int
hy_cursor_next(struct hy_cursor *c)
{
	int ch = hy_cursor_peek(c);

	if (ch >= 0)
		c->pos++;
	return ch;
}

bool
hy_cursor_skip(struct hy_cursor *c, size_t n)
{
	if (hy_cursor_left(c) < n)
		return false;
	c->pos += n;
	return true;
}

bool
hy_cursor_accept(struct hy_cursor *c, char ch)
{
	if (hy_cursor_peek(c) != (unsigned char)ch)
		return false;
	c->pos++;
	return true;
}

bool
hy_cursor_accept_ci(struct hy_cursor *c, const char *lit)
{
	size_t n = strlen(lit);

	if (hy_cursor_left(c) < n || strncasecmp(c->buf + c->pos, lit, n) != 0)
		return false;
	c->pos += n;
	return true;
}

struct hy_span
hy_cursor_while(struct hy_cursor *c, int (*pred)(int))
{
	struct hy_span s = { c->buf + c->pos, 0 };

	while (c->pos < c->len && pred((unsigned char)c->buf[c->pos])) {
		c->pos++;
		s.len++;
	}
	return s;
}

struct hy_span
hy_cursor_until(struct hy_cursor *c, const char *stop)
{
	struct hy_span s = { c->buf + c->pos, 0 };
	size_t nstop = strlen(stop);

	/* memchr, not strchr: a NUL byte in the input is data, not a stop. */
	while (c->pos < c->len && memchr(stop, c->buf[c->pos], nstop) == NULL) {
		c->pos++;
		s.len++;
	}
	return s;
}

void
hy_cursor_skip_ws(struct hy_cursor *c)
{
	while (c->pos < c->len && (c->buf[c->pos] == ' ' || c->buf[c->pos] == '\t'))
		c->pos++;
}

bool
hy_cursor_uint(struct hy_cursor *c, uint64_t max, uint64_t *out)
{
	size_t start = c->pos, p = c->pos;
	uint64_t v = 0;

	while (p < c->len && c->buf[p] >= '0' && c->buf[p] <= '9') {
		unsigned d = (unsigned)(c->buf[p] - '0');

		if (v > (max - d) / 10)
			return false;
		v = v * 10 + d;
		p++;
	}
	if (p == start)
		return false;
	c->pos = p;
	*out = v;
	return true;
}

bool
hy_cursor_take(struct hy_cursor *c, size_t n, struct hy_span *out)
{
	if (hy_cursor_left(c) < n)
		return false;
	out->p = c->buf + c->pos;
	out->len = n;
	c->pos += n;
	return true;
}

/* n (<= 4) bytes as a big-endian integer. */
static bool
cursor_be(struct hy_cursor *c, size_t n, uint32_t *out)
{
	const unsigned char *p;
	uint32_t v = 0;
	size_t i;

	if (hy_cursor_left(c) < n)
		return false;
	p = (const unsigned char *)c->buf + c->pos;
	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	c->pos += n;
	*out = v;
	return true;
}

bool
hy_cursor_u8(struct hy_cursor *c, uint8_t *out)
{
	uint32_t v;

	if (!cursor_be(c, 1, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

bool
hy_cursor_u16(struct hy_cursor *c, uint16_t *out)
{
	uint32_t v;

	if (!cursor_be(c, 2, &v))
		return false;
	*out = (uint16_t)v;
	return true;
}

bool
hy_cursor_u32(struct hy_cursor *c, uint32_t *out)
{
	return cursor_be(c, 4, out);
}

bool
hy_span_eq_ci(struct hy_span s, const char *lit)
{
	return strlen(lit) == s.len && strncasecmp(s.p, lit, s.len) == 0;
}

struct hy_span
hy_span_trim(struct hy_span s)
{
	while (s.len > 0 && isspace((unsigned char)s.p[0])) {
		s.p++;
		s.len--;
	}
	while (s.len > 0 && isspace((unsigned char)s.p[s.len - 1]))
		s.len--;
	return s;
}

char *
hy_span_dup(struct hy_span s)
{
	char *d = malloc(s.len + 1);

	if (d == NULL)
		return NULL;
	if (s.len > 0)
		memcpy(d, s.p, s.len);
	d[s.len] = '\0';
	return d;
}
