/*
 * Fuzz target: line wrapping (src/term.c) of any bytes. The first byte
 * picks the width and the indent; the rest is the text (newlines become
 * spaces: a logical line has none). No line of the output may be wider
 * than the width, and no character other than a space may be lost.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The bytes of s other than spaces and newlines, in order. */
static size_t
squeeze(const char *s, size_t len, char *out)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\n')
			out[n++] = s[i];
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *out = NULL, *a, *b, *line, *save = NULL;
	size_t outlen = 0, na, nb;
	int width, indent;
	FILE *fp;

	if (size < 1)
		return 0;
	width = HY_TERM_MIN_WIDTH + data[0] % 61;
	indent = data[0] / 61 * 4;
	if ((in = malloc(size)) == NULL)
		return 0;
	for (size_t i = 1; i < size; i++)
		in[i - 1] = data[i] == '\n' || data[i] == '\0' ? ' ' : data[i];
	in[size - 1] = '\0';
	if ((fp = open_memstream(&out, &outlen)) == NULL) {
		free(in);
		return 0;
	}
	if (hy_term_wrap(fp, in, indent, width) != 0)
		abort();
	fclose(fp);
	a = malloc(size);
	b = malloc(outlen + 1);
	if (a != NULL && b != NULL) {
		na = squeeze(in, size - 1, a);
		nb = squeeze(out, outlen, b);
		if (na != nb || memcmp(a, b, na) != 0)
			abort();
	}
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (hy_term_strwidth(line) > width)
			abort();
	free(a);
	free(b);
	free(out);
	free(in);
	return 0;
}
