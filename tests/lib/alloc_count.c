/* SPDX-License-Identifier: Apache-2.0 */
/* alloc_count.c: malloc, calloc and realloc for the whole process, counted, forwarding to
 * glibc's own (__libc_malloc and friends); free and the aligned allocators stay glibc's.
 * Linked into the tests that check "no allocation per packet" (alloc_count.h); not into
 * sanitizer builds (alloc_none.c). */
#include <stddef.h>
#include <stdlib.h>

#include "tests/lib/alloc_count.h"

extern void	*__libc_malloc(size_t n);
extern void	*__libc_calloc(size_t n, size_t size);
extern void	*__libc_realloc(void *p, size_t n);

static uint64_t n_calls;

void *
malloc(size_t n)
{
	__atomic_fetch_add(&n_calls, 1, __ATOMIC_RELAXED);
	return __libc_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	__atomic_fetch_add(&n_calls, 1, __ATOMIC_RELAXED);
	return __libc_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	__atomic_fetch_add(&n_calls, 1, __ATOMIC_RELAXED);
	return __libc_realloc(p, n);
}

bool
alloc_counting(void)
{
	return true;
}

uint64_t
alloc_calls(void)
{
	return __atomic_load_n(&n_calls, __ATOMIC_RELAXED);
}
