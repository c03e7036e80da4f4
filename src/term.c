/*
 * Terminal width and line wrapping (contract in term.h).
 *
 * Character widths come from wcwidth() in the C.UTF-8 locale, which glibc
 * always has, so they do not depend on the user's locale settings; if it
 * is missing every character counts one column.
 */
#include <sys/ioctl.h>

#include <ctype.h>
#include <locale.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wchar.h>

#include "term.h"

/* One piece of a line: a character, a space, or a colour sequence. */
struct unit {
	const char	*p;
	size_t		 len;
	int		 width;
	uint32_t	 cp;		/* the character; 0 for a sequence */
	bool		 space;
};

int
hy_term_width(int fd)
{
	struct winsize ws;
	const char *c = getenv("COLUMNS");
	long w = 0;
	char *end;

	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		w = ws.ws_col;
	else if (c != NULL && isdigit((unsigned char)c[0])) {
		w = strtol(c, &end, 10);
		if (*end != '\0' || w > 10000)
			w = 0;
	}
	if (w <= 0)
		w = 80;
	return w < HY_TERM_MIN_WIDTH ? HY_TERM_MIN_WIDTH : (int)w;
}

static int
cp_width(uint32_t cp)
{
	static locale_t utf8;
	static bool tried;
	locale_t old;
	int w;

	if (cp < 0x80)
		return cp >= 0x20 && cp != 0x7f ? 1 : 0;
	if (!tried) {
		tried = true;
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	if (utf8 == (locale_t)0)
		return 1;
	old = uselocale(utf8);
	w = wcwidth((wchar_t)cp);
	uselocale(old);
	return w < 0 ? 1 : w;
}

/* The unit at s (not at its end). A byte that does not start a valid
 * UTF-8 sequence is a unit of its own, one column wide. */
static struct unit
unit_at(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	struct unit t = { s, 1, 1, u[0], false };
	size_t n = u[0] >= 0xf0 ? 4 : u[0] >= 0xe0 ? 3 : u[0] >= 0xc0 ? 2 : 1;
	uint32_t cp;

	if (u[0] == '\033' && u[1] == '[') {
		for (t.len = 2; u[t.len] != '\0' && (u[t.len] < 0x40 ||
		    u[t.len] > 0x7e); t.len++)
			;
		t.len += u[t.len] != '\0';
		t.width = 0;
		t.cp = 0;
		return t;
	}
	t.space = u[0] == ' ';
	if (u[0] < 0xc0 || u[0] >= 0xf8)
		return t;
	cp = u[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return t;
		cp = cp << 6 | (u[i] & 0x3f);
	}
	t.len = n;
	t.cp = cp;
	t.width = cp_width(cp);
	return t;
}

/* Japanese line breaking (JIS X 4051 kinsoku, the common subset): these
 * never start a line ... */
static bool
no_start(uint32_t cp)
{
	static const uint32_t v[] = { 0x3001, 0x3002, 0xff0c, 0xff0e, 0x30fb,
	    0xff1a, 0xff1b, 0xff1f, 0xff01, 0x30fc, 0xff09, 0x300d, 0x300f,
	    0x3011, 0x3009, 0x300b, 0x3015, 0xff3d, 0xff5d, 0x3005, 0x301c,
	    0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063, 0x3083, 0x3085,
	    0x3087, 0x308e, 0x30a1, 0x30a3, 0x30a5, 0x30a7, 0x30a9, 0x30c3,
	    0x30e3, 0x30e5, 0x30e7, 0x30ee, 0x30f5, 0x30f6, ')', ']', '}',
	    ',', '.', ':', ';', '!', '?', '%' };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i] == cp)
			return true;
	return false;
}

/* ... and these never end one. */
static bool
no_end(uint32_t cp)
{
	static const uint32_t v[] = { 0xff08, 0x300c, 0x300e, 0x3010, 0x3008,
	    0x300a, 0x3014, 0xff3b, 0xff5b, '(', '[', '{' };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i] == cp)
			return true;
	return false;
}

/* May a line break between characters a and b (neither a space)? Only
 * next to a wide character: Latin text breaks at spaces alone. */
static bool
break_between(const struct unit *a, const struct unit *b)
{
	if (a->cp == 0 || b->cp == 0)
		return false;
	if (a->width < 2 && b->width < 2)
		return false;
	return !no_start(b->cp) && !no_end(a->cp);
}

/* The end of the word at s: up to a space or a place to break. *w gets
 * its width. */
static const char *
word_end(const char *s, int *w)
{
	struct unit prev = { NULL, 0, 0, 0, false }, u;

	*w = 0;
	while (*s != '\0') {
		u = unit_at(s);
		if (u.space || (prev.p != NULL && break_between(&prev, &u)))
			break;
		*w += u.width;
		if (u.cp != 0)
			prev = u;
		s += u.len;
	}
	return s;
}

static int
newline(FILE *fp, int indent)
{
	return fprintf(fp, "\n%*s", indent, "") < 0 ? -1 : indent;
}

/* Write a word wider than any line, cutting it where the line is full.
 * Returns the column after it, or -1. */
static int
cut_word(FILE *fp, const char *s, const char *end, int col, int indent,
    int width)
{
	struct unit u;

	for (; s < end; s += u.len) {
		u = unit_at(s);
		if (col + u.width > width && col > indent &&
		    (col = newline(fp, indent)) < 0)
			return -1;
		if (fwrite(u.p, 1, u.len, fp) != u.len)
			return -1;
		col += u.width;
	}
	return col;
}

int
hy_term_wrap(FILE *fp, const char *text, int indent, int width)
{
	const char *s = text, *sp, *end;
	int col = 0, ww, nsp;
	bool content = false;

	if (indent > width / 2)
		indent = width / 2;
	while (*s != '\0') {
		for (sp = s; *s == ' '; s++)
			;
		nsp = (int)(s - sp);
		if (*s == '\0')
			break;
		end = word_end(s, &ww);
		if (content && col + nsp + ww > width) {
			if ((col = newline(fp, indent)) < 0)
				return -1;
			nsp = 0;
		} else if (!content && nsp > width / 2)
			nsp = width / 2;	/* a line must start in view */
		if (fprintf(fp, "%*s", nsp, "") < 0)
			return -1;
		col += nsp;
		if (col + ww > width)
			col = cut_word(fp, s, end, col, indent, width);
		else if (fwrite(s, 1, (size_t)(end - s), fp) != (size_t)(end - s))
			col = -1;
		else
			col += ww;
		if (col < 0)
			return -1;
		content = true;
		s = end;
	}
	return fputc('\n', fp) == EOF ? -1 : 0;
}

int
hy_term_strwidth(const char *s)
{
	int w = 0;
	struct unit u;

	for (; *s != '\0'; s += u.len) {
		u = unit_at(s);
		w += u.width;
	}
	return w;
}
