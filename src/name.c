#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "hygiene/name.h"

static int
name_is_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 0;
	return 1;
}

/* LDH labels plus '_' (service labels such as _dmarc are legitimate
 * owner names); a label may not start or end with '-'. */
static enum hy_name_error
name_check_ascii(const char *n)
{
	size_t len = strlen(n), lab = 0;
	const char *p;

	if (len == 0)
		return HY_NAME_EMPTY;
	if (len > 253)
		return HY_NAME_TOO_LONG;
	for (p = n; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '.') {
			if (lab == 0)
				return HY_NAME_EMPTY_LABEL;
			if (p[-1] == '-')
				return HY_NAME_BAD_CHAR;
			lab = 0;
			continue;
		}
		if (!isalnum(ch) && ch != '-' && ch != '_')
			return HY_NAME_BAD_CHAR;
		if (ch == '-' && lab == 0)
			return HY_NAME_BAD_CHAR;
		if (++lab > 63)
			return HY_NAME_LABEL_TOO_LONG;
	}
	if (lab == 0)
		return HY_NAME_EMPTY_LABEL;
	if (p[-1] == '-')
		return HY_NAME_BAD_CHAR;
	return HY_NAME_OK;
}

static int
name_has_alabel(const char *s)
{
	return strncmp(s, "xn--", 4) == 0 || strstr(s, ".xn--") != NULL;
}

static void
name_lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

enum hy_name_error
hy_name_normalize(const char *input, char **alabel, char **ulabel)
{
	char *a = NULL, *u = NULL, *in = NULL;
	size_t len;
	enum hy_name_error err;

	if (input == NULL || *input == '\0')
		return HY_NAME_EMPTY;
	if ((in = strdup(input)) == NULL)
		return HY_NAME_NOMEM;
	len = strlen(in);
	if (len > 1 && in[len - 1] == '.')
		in[--len] = '\0';
	if (strcmp(in, ".") == 0) {
		err = HY_NAME_EMPTY;
		goto fail;
	}
	/* Empty labels first: libidn2 would report them less clearly. */
	if (in[0] == '.' || strstr(in, "..") != NULL) {
		err = HY_NAME_EMPTY_LABEL;
		goto fail;
	}
	if (name_is_ascii(in)) {
		name_lower(in);
		if ((err = name_check_ascii(in)) != HY_NAME_OK)
			goto fail;
		a = in;
		in = NULL;
	} else {
		int rc = idn2_to_ascii_8z(in, &a,
		    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);

		if (rc != IDN2_OK) {
			a = NULL;
			err = rc == IDN2_MALLOC ? HY_NAME_NOMEM :
			    rc == IDN2_ENCODING_ERROR ? HY_NAME_NOT_UTF8 :
			    rc == IDN2_TOO_BIG_DOMAIN ? HY_NAME_TOO_LONG :
			    rc == IDN2_TOO_BIG_LABEL ? HY_NAME_LABEL_TOO_LONG :
			    HY_NAME_BAD_IDN;
			goto fail;
		}
		name_lower(a);
		if ((err = name_check_ascii(a)) != HY_NAME_OK)
			goto fail;
	}
	/* The U-label is reported only for real IDNs (an xn-- label), and
	 * decoding it also proves the punycode is valid. */
	if (name_has_alabel(a) && idn2_to_unicode_8z8z(a, &u, 0) != IDN2_OK) {
		u = NULL;
		err = HY_NAME_BAD_IDN;
		goto fail;
	}
	free(in);
	*alabel = a;
	*ulabel = u;
	return HY_NAME_OK;
fail:
	free(in);
	free(a);
	free(u);
	return err;
}

const char *
hy_name_error_str(enum hy_name_error e)
{
	switch (e) {
	case HY_NAME_OK:
		return "valid name";
	case HY_NAME_EMPTY:
		return "the name is empty";
	case HY_NAME_EMPTY_LABEL:
		return "the name has an empty label (leading dot or '..')";
	case HY_NAME_LABEL_TOO_LONG:
		return "a label is longer than 63 octets (RFC 1035 section 2.3.4)";
	case HY_NAME_TOO_LONG:
		return "the name is longer than 253 octets (RFC 1035 section 2.3.4)";
	case HY_NAME_BAD_CHAR:
		return "the name has a character not allowed in a host name "
		    "(letters, digits, '-' inside a label, '_')";
	case HY_NAME_BAD_IDN:
		return "the name is not a valid internationalized domain name "
		    "(IDNA2008, RFC 5891)";
	case HY_NAME_NOMEM:
		return "out of memory";
	case HY_NAME_NOT_UTF8:
		return "the name is not UTF-8 text (a list saved as Shift_JIS "
		    "or another legacy encoding? save it as UTF-8)";
	}
	return "invalid name";
}

const char *
hy_name_error_code(enum hy_name_error e)
{
	switch (e) {
	case HY_NAME_OK:
		return "ok";
	case HY_NAME_EMPTY:
		return "name-empty";
	case HY_NAME_EMPTY_LABEL:
		return "name-empty-label";
	case HY_NAME_LABEL_TOO_LONG:
		return "name-label-too-long";
	case HY_NAME_TOO_LONG:
		return "name-too-long";
	case HY_NAME_BAD_CHAR:
		return "name-bad-character";
	case HY_NAME_BAD_IDN:
		return "name-bad-idn";
	case HY_NAME_NOMEM:
		return "out-of-memory";
	case HY_NAME_NOT_UTF8:
		return "name-not-utf8";
	}
	return "name-invalid";
}

int
hy_name_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}
