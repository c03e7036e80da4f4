/* Fuzz target: name normalisation (IDN conversion and syntax checks). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hygiene/name.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in, *a = NULL, *u = NULL;

	if ((in = malloc(size + 1)) == NULL)
		return 0;
	memcpy(in, data, size);
	in[size] = '\0';
	if (hy_name_normalize(in, &a, &u) == HY_NAME_OK) {
		/* What comes out must itself be a valid, stable name. */
		char *a2 = NULL, *u2 = NULL;

		if (hy_name_normalize(a, &a2, &u2) != HY_NAME_OK ||
		    strcmp(a, a2) != 0)
			abort();
		free(a2);
		free(u2);
	}
	free(a);
	free(u);
	free(in);
	return 0;
}
