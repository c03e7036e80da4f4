/*
 * Allocation failure injection for unit tests. A test linked with
 * hy_unit_test_failalloc() has malloc, calloc, realloc and strdup wrapped
 * (ld --wrap) in hygiene's own objects, not in the libraries it uses
 * (c-ares, ldns, libc): after failalloc_after(n), the first n of hygiene's
 * allocations succeed and every later one fails, until failalloc_off().
 * Unlike tests/faultalloc (an LD_PRELOAD library that fails one chosen
 * allocation of the whole program, in the normal build), this works in
 * the sanitizer build too.
 */
#ifndef TEST_FAILALLOC_H
#define TEST_FAILALLOC_H

#include <stddef.h>

void	failalloc_after(long n);
void	failalloc_off(void);
/* Allocations refused since the last failalloc_after(). */
size_t	failalloc_refused(void);

#endif
