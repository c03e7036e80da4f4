#include <stdlib.h>
#include <string.h>

#include "failalloc.h"

void	*__real_malloc(size_t);
void	*__real_calloc(size_t, size_t);
void	*__real_realloc(void *, size_t);
void	*__wrap_malloc(size_t);
void	*__wrap_calloc(size_t, size_t);
void	*__wrap_realloc(void *, size_t);
char	*__wrap_strdup(const char *);

static long	budget = -1;	/* allocations left; -1: no limit */
static size_t	refused;

void
failalloc_after(long n)
{
	budget = n;
	refused = 0;
}

void
failalloc_off(void)
{
	budget = -1;
}

size_t
failalloc_refused(void)
{
	return refused;
}

/* True when this allocation must fail. */
static int
fail_now(void)
{
	if (budget < 0)
		return 0;
	if (budget == 0) {
		refused++;
		return 1;
	}
	budget--;
	return 0;
}

void *
__wrap_malloc(size_t n)
{
	return fail_now() ? NULL : __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t size)
{
	return fail_now() ? NULL : __real_calloc(n, size);
}

void *
__wrap_realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __real_realloc(p, n);
}

char *
__wrap_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = fail_now() ? NULL : __real_malloc(n);

	if (d != NULL)
		memcpy(d, s, n);
	return d;
}
