/*
 * An LD_PRELOAD library that makes one chosen allocation fail, for tests
 * that prove out-of-memory never turns into a verdict.
 *
 *   HY_FAILALLOC_RANGES  "START+SIZE,..." (hex offsets into the main
 *                        executable, from `nm -S`): the code to target
 *   HY_FAILALLOC_NTH     N: the N-th allocation (malloc, calloc, realloc,
 *                        aligned allocations) made while a function of
 *                        the ranges is on the call stack returns NULL
 *   HY_FAILALLOC_REPORT  file that receives "SEEN INJECTED" at exit: how
 *                        many allocations the ranges made, and whether the
 *                        N-th failed
 *   HY_FAILALLOC_TRACE   if set, the call stack of the failed allocation
 *                        goes to standard error (to debug a finding)
 *
 * Everything else is passed to glibc's allocator. The call stack comes
 * from backtrace(); allocations made while it runs (its first call loads
 * libgcc_s) go straight through.
 */
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

#define MAX_RANGES	256

static struct { uintptr_t lo, hi; } ranges[MAX_RANGES];
static size_t nranges;
static uintptr_t exe_base;
static unsigned long nth, seen;
static int injected, ready;
static __thread int busy;

static int
first_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	*(uintptr_t *)arg = info->dlpi_addr;
	return 1;	/* the first object is the main program */
}

/* Is a function of the ranges on the stack? */
static int
in_ranges(void)
{
	void *frames[128];
	int n;

	n = backtrace(frames, 128);
	for (int i = 0; i < n; i++) {
		uintptr_t off = (uintptr_t)frames[i] - exe_base;

		for (size_t r = 0; r < nranges; r++)
			if (off >= ranges[r].lo && off < ranges[r].hi)
				return 1;
	}
	return 0;
}

/* True when this allocation must fail. */
static int
fail_now(void)
{
	int hit;

	if (!ready || busy || injected)
		return 0;
	busy = 1;
	hit = in_ranges() && ++seen == nth;
	if (hit) {
		injected = 1;
		if (getenv("HY_FAILALLOC_TRACE") != NULL) {
			void *frames[64];

			backtrace_symbols_fd(frames, backtrace(frames, 64), 2);
		}
		errno = ENOMEM;
	}
	busy = 0;
	return hit;
}

void *
malloc(size_t n)
{
	return fail_now() ? NULL : __libc_malloc(n);
}

void *
calloc(size_t a, size_t b)
{
	return fail_now() ? NULL : __libc_calloc(a, b);
}

void *
realloc(void *p, size_t n)
{
	return fail_now() ? NULL : __libc_realloc(p, n);
}

void *
aligned_alloc(size_t align, size_t n)
{
	return fail_now() ? NULL : __libc_memalign(align, n);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (fail_now())
		return ENOMEM;
	if ((p = __libc_memalign(align, n)) == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

__attribute__((constructor)) static void
failalloc_init(void)
{
	const char *r = getenv("HY_FAILALLOC_RANGES");
	const char *n = getenv("HY_FAILALLOC_NTH");
	void *frames[4];
	char *end;

	busy = 1;
	backtrace(frames, 4);	/* loads libgcc_s now, not mid-test */
	dl_iterate_phdr(first_object, &exe_base);
	while (r != NULL && *r != '\0' && nranges < MAX_RANGES) {
		uintptr_t lo = strtoull(r, &end, 16), len;

		if (*end != '+')
			break;
		len = strtoull(end + 1, &end, 16);
		ranges[nranges].lo = lo;
		ranges[nranges++].hi = lo + len;
		r = *end == ',' ? end + 1 : end;
	}
	nth = n != NULL ? strtoul(n, NULL, 10) : 0;
	busy = 0;
	ready = nranges > 0 && nth > 0;
}

__attribute__((destructor)) static void
failalloc_report(void)
{
	const char *path = getenv("HY_FAILALLOC_REPORT");
	FILE *f;

	busy = 1;
	if (path != NULL && (f = fopen(path, "w")) != NULL) {
		fprintf(f, "%lu %d\n", seen, injected);
		fclose(f);
	}
}
