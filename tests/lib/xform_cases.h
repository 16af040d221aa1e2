/* SPDX-License-Identifier: Apache-2.0 */
/* xform_cases.h: for tests and tools only.  The cipher and authenticator cases every ESP/AH
 * test walks (key lengths as configured: AEAD keys end in their 4 salt bytes), and OpenSSL
 * allocation hooks that count, to prove the per-packet path allocates nothing (docs/design.md
 * invariant 6).  Static: each includer gets its own copy. */
#ifndef GW_XFORM_CASES_H
#define GW_XFORM_CASES_H

#include <stdint.h>
#include <stdlib.h>

#include "common/xform.h"

static const struct {
	enum xform_cipher	c;
	uint16_t		clen;
	unsigned		iv_size;	/* esp-rfc1829 */
} ciphers[] __attribute__((unused)) = {
	{ XF_CIPHER_NULL, 0, 0 },		{ XF_CIPHER_DES, 8, 0 },
	{ XF_CIPHER_3DES, 24, 0 },		{ XF_CIPHER_AES_CBC, 16, 0 },
	{ XF_CIPHER_AES_CBC, 24, 0 },		{ XF_CIPHER_AES_CBC, 32, 0 },
	{ XF_CIPHER_AES_GCM, 20, 0 },		{ XF_CIPHER_AES_GCM, 28, 0 },
	{ XF_CIPHER_AES_GCM, 36, 0 },		{ XF_CIPHER_AES_GMAC, 20, 0 },
	{ XF_CIPHER_AES_GMAC, 36, 0 },		{ XF_CIPHER_CHACHA20_POLY1305, 36, 0 },
	{ XF_CIPHER_DES_RFC1829, 8, 4 },	{ XF_CIPHER_DES_RFC1829, 8, 8 },
};

static const struct {
	enum xform_auth	a;
	uint16_t	alen;
} auths[] __attribute__((unused)) = {
	{ XF_AUTH_NONE, 0 },			{ XF_AUTH_HMAC_MD5_96, 16 },
	{ XF_AUTH_HMAC_SHA1_96, 20 },		{ XF_AUTH_HMAC_SHA256_128, 32 },
	{ XF_AUTH_HMAC_SHA384_192, 48 },	{ XF_AUTH_HMAC_SHA512_256, 64 },
};

/* CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free) before OpenSSL's first
 * allocation; n_alloc then counts them. */
static long n_alloc __attribute__((unused));

__attribute__((unused)) static void *
count_malloc(size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	n_alloc++;
	return malloc(n);
}

__attribute__((unused)) static void *
count_realloc(void *p, size_t n, const char *file, int line)
{
	(void)file;
	(void)line;
	n_alloc++;
	return realloc(p, n);
}

__attribute__((unused)) static void
count_free(void *p, const char *file, int line)
{
	(void)file;
	(void)line;
	free(p);
}

#endif
