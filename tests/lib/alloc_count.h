/* SPDX-License-Identifier: Apache-2.0 */
/* alloc_count.h: how many times the process called malloc, calloc or realloc, for the tests
 * that hold the packet paths to "no allocation per packet" (docs/design.md, invariant 6).
 * alloc_count.c replaces the three for the whole process, OpenSSL's and libc's callers
 * included (each forwards to glibc's own), so a per-packet EVP_CIPHER_CTX or HMAC context
 * counts as well as ours.  Under the sanitizers, which own malloc, alloc_none.c is linked
 * instead and alloc_counting() says false: the checks are skipped, never passed blind. */
#ifndef GW_ALLOC_COUNT_H
#define GW_ALLOC_COUNT_H

#include <stdbool.h>
#include <stdint.h>

bool		alloc_counting(void);	/* false: not counted in this build */
uint64_t	alloc_calls(void);	/* malloc + calloc + realloc calls so far, all threads */

#endif
