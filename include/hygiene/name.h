/*
 * Domain-name input: IDN conversion (libidn2, IDNA2008 with UTS#46
 * mapping) and syntax checks, so every later step sees a lower-case
 * A-label without a trailing dot.
 */
#ifndef HYGIENE_NAME_H
#define HYGIENE_NAME_H

enum hy_name_error {
	HY_NAME_OK,
	HY_NAME_EMPTY,
	HY_NAME_EMPTY_LABEL,
	HY_NAME_LABEL_TOO_LONG,	/* > 63 octets */
	HY_NAME_TOO_LONG,	/* > 253 octets */
	HY_NAME_BAD_CHAR,
	HY_NAME_BAD_IDN,	/* libidn2 rejected it */
	HY_NAME_NOMEM,
	HY_NAME_NOT_UTF8,	/* bytes that are not UTF-8 (Shift_JIS...) */
};

/*
 * Normalise user input into *alabel (always set on success) and *ulabel
 * (set only when the name is an IDN, else NULL). Both are malloc'd; the
 * caller frees them. On error returns the code, sets nothing, and
 * hy_name_error_str() explains it.
 */
enum hy_name_error hy_name_normalize(const char *input, char **alabel,
		    char **ulabel);
const char	*hy_name_error_str(enum hy_name_error);
/* Stable machine code for the error ("name-empty-label", ...). */
const char	*hy_name_error_code(enum hy_name_error);

/* Case-insensitive comparison of two names, ignoring a trailing dot. */
int		 hy_name_equal(const char *a, const char *b);

#endif
