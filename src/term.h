/*
 * Text for a terminal: its width, and lines wrapped to it. Widths are
 * display columns: East Asian wide characters (日本語) count two,
 * combining marks none, and the SGR colour sequences the CLI writes
 * ("\033[...m") none.
 */
#ifndef HYGIENE_TERM_H
#define HYGIENE_TERM_H

#include <stdio.h>

/* The narrowest width wrapping works to. */
#define HY_TERM_MIN_WIDTH	20

/*
 * The width to wrap output on fd at: the terminal's when fd is one, else
 * $COLUMNS when it holds a number, else 80; never below
 * HY_TERM_MIN_WIDTH.
 */
int	hy_term_width(int fd);

/* Display columns of a UTF-8 string. */
int	hy_term_strwidth(const char *s);

/*
 * Write one logical line, text (UTF-8, without a newline), wrapped to
 * width columns, and end it with a newline. Lines break at spaces (which
 * are dropped there) and between wide characters, never before closing
 * punctuation such as 、。」 nor after an opening one such as 「; a word
 * wider than the line is cut. Continuation lines start with indent
 * spaces. Spaces inside a line are kept, so aligned columns stay. 0, or
 * -1 on a write error.
 */
int	hy_term_wrap(FILE *fp, const char *text, int indent, int width);

#endif
