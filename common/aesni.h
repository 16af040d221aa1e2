/* SPDX-License-Identifier: Apache-2.0 */
/* aesni.h: AES-CBC encryption of many packets at once on the CPU's AES instructions (AES-NI),
 * interleaved so that the cipher's serial chain stops being the limit (invariant 6: no
 * allocation per packet; the caller owns every buffer and key).
 *
 * CBC encryption is serial within a packet: block i needs block i-1's ciphertext, so one
 * packet uses a fraction of what the AES unit can do (OpenSSL here: 1.3 GB/s encrypting,
 * 10 GB/s decrypting, where blocks are independent).  Blocks of different packets are
 * independent: aesni_cbc_encrypt_mb runs AESNI_LANES packets side by side, one block of each
 * per round step, as VPP and Intel's ipsec-mb do.  docs/adr/0018-multi-buffer-aes-cbc.md has
 * the why and the figures.  Decryption stays with OpenSSL, which already interleaves.
 *
 * AES-128, AES-192 and AES-256 keys.  Only on a CPU with AES-NI (aesni_usable). */
#ifndef GW_AESNI_H
#define GW_AESNI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { AESNI_LANES = 8, AESNI_ROUNDS_MAX = 14 };

/* An expanded encryption key: rounds + 1 round keys.  Holds key material: aesni_key_wipe. */
struct aesni_key {
	_Alignas(16) uint8_t	rk[AESNI_ROUNDS_MAX + 1][16];
	unsigned		rounds;		/* 10, 12, 14 (AES-128, -192, -256) */
};

/* One packet: len bytes at buf (a multiple of 16, may be 0), encrypted in place under k with
 * the 16-byte iv.  k, iv and buf belong to the caller and must not overlap other jobs' bufs. */
struct aesni_cbc_job {
	const struct aesni_key	*k;
	const uint8_t		*iv;
	uint8_t			*buf;
	size_t			len;
};

/* Whether this CPU has AES-NI (and SSE4.1); the answer does not change. */
bool	aesni_usable(void);
/* Expand a 16-, 24- or 32-byte key.  -1 for any other length or without AES-NI. */
int	aesni_key_init(struct aesni_key *k, const uint8_t *key, size_t len);
void	aesni_key_wipe(struct aesni_key *k);
/* Encrypt every job (any mix of keys and lengths).  Only after aesni_usable() said yes. */
void	aesni_cbc_encrypt_mb(const struct aesni_cbc_job *jobs, unsigned n);

#endif
