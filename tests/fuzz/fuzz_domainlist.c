/* Fuzz target: the domain-list reader (BOM, CRLF, comments, duplicates). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hygiene/domainlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/hy-fuzz-dl-XXXXXX";
	int fd = mkstemp(path);
	struct hy_domainlist *dl;
	const char *s;
	size_t line, last = 0;
	char err[256];

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	if ((dl = hy_domainlist_open(path, err, sizeof(err))) != NULL) {
		while ((s = hy_domainlist_next(dl, &line)) != NULL) {
			/* Entries are trimmed, non-empty, in line order. */
			if (*s == '\0' || *s == ' ' || line <= last)
				abort();
			last = line;
		}
		hy_domainlist_free(dl);
	}
	unlink(path);
	return 0;
}
