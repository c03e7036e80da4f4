/* Fuzz target: an opt-out list (--exclude), and matching names with it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hygiene/exclude.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"example.jp", "www.example.jp", "jp", "co.jp",
		"a.b.c.example.co.jp", "xn--wgv71a119e.jp",
	};
	char path[] = "/tmp/hy-fuzz-ex-XXXXXX";
	struct hy_exclude *ex = NULL;
	char err[256];
	size_t i, line;
	int fd = mkstemp(path);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	if (hy_exclude_load(path, &ex, err, sizeof(err)) == 0) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			/* A public suffix is never covered: no rule may be
			 * on one, and a rule covers only its name and below. */
			if ((i == 2 || i == 3) &&
			    hy_exclude_match(ex, names[i], &line) != NULL)
				abort();
			else
				(void)hy_exclude_match(ex, names[i], &line);
		hy_exclude_free(ex);
	} else if (ex != NULL || err[0] == '\0')
		abort();
	unlink(path);
	return 0;
}
