/* SPDX-License-Identifier: Apache-2.0 */
/* aesni.c: multi-buffer AES-CBC encryption on AES-NI (aesni.h says why).  FIPS 197 for the
 * cipher and its key expansion, NIST SP 800-38A §6.2 for CBC; the key expansion follows the
 * structure of Intel's AES-NI white paper (AESKEYGENASSIST gives SubWord(RotWord(w)) ^ Rcon,
 * the three shifted XORs give the running XOR of the previous round key's words).
 * Constant time: AESENC and AESENCLAST have no data-dependent timing and nothing here branches
 * on key or data.  aesni_test.c holds it to OpenSSL's AES-128/256-CBC on random inputs. */
#include <string.h>

#include <immintrin.h>
#include <openssl/crypto.h>

#include "aesni.h"

#define AESNI_TARGET __attribute__((target("aes,sse4.1")))

bool
aesni_usable(void)
{
	static int usable = -1;

	if (usable < 0) {
		__builtin_cpu_init();
		usable = __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.1");
	}
	return usable != 0;
}

/* w0..w3 of the next round key: prev's running XOR, then t's chosen word in every lane. */
AESNI_TARGET static __m128i
aesni_expand(__m128i prev, __m128i t)
{
	prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
	prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
	prev = _mm_xor_si128(prev, _mm_slli_si128(prev, 4));
	return _mm_xor_si128(prev, t);
}

/* AESKEYGENASSIST takes its round constant as an immediate: one macro step per constant. */
#define EXP128(i, rcon) \
	(rk[i] = aesni_expand(rk[(i) - 1], \
	    _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[(i) - 1], rcon), 0xff)))
#define EXP256A(i, rcon) \
	(rk[i] = aesni_expand(rk[(i) - 2], \
	    _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[(i) - 1], rcon), 0xff)))
#define EXP256B(i) \
	(rk[i] = aesni_expand(rk[(i) - 2], \
	    _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[(i) - 1], 0), 0xaa)))

AESNI_TARGET static void
aesni_expand128(__m128i rk[11], const uint8_t *key)
{
	rk[0] = _mm_loadu_si128((const __m128i *)key);
	EXP128(1, 0x01); EXP128(2, 0x02); EXP128(3, 0x04); EXP128(4, 0x08); EXP128(5, 0x10);
	EXP128(6, 0x20); EXP128(7, 0x40); EXP128(8, 0x80); EXP128(9, 0x1b); EXP128(10, 0x36);
}

AESNI_TARGET static void
aesni_expand256(__m128i rk[15], const uint8_t *key)
{
	rk[0] = _mm_loadu_si128((const __m128i *)key);
	rk[1] = _mm_loadu_si128((const __m128i *)(key + 16));
	EXP256A(2, 0x01); EXP256B(3); EXP256A(4, 0x02); EXP256B(5); EXP256A(6, 0x04);
	EXP256B(7); EXP256A(8, 0x08); EXP256B(9); EXP256A(10, 0x10); EXP256B(11);
	EXP256A(12, 0x20); EXP256B(13); EXP256A(14, 0x40);
}

int
aesni_key_init(struct aesni_key *k, const uint8_t *key, size_t len)
{
	__m128i rk[AESNI_ROUNDS_MAX + 1];

	if ((len != 16 && len != 32) || !aesni_usable())
		return -1;
	if (len == 16)
		aesni_expand128(rk, key);
	else
		aesni_expand256(rk, key);
	k->rounds = len == 16 ? 10 : 14;
	memcpy(k->rk, rk, (k->rounds + 1) * 16);
	OPENSSL_cleanse(rk, sizeof(rk));
	return 0;
}

void
aesni_key_wipe(struct aesni_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

/* The lanes: the packet each works on, how far it is, and its chaining value (the IV, then
 * the last ciphertext block).  An idle lane keeps computing on its last state with a valid key
 * (cheaper than branching in the round loop) and stores nothing.  Nothing here is secret: the
 * round keys stay in the caller's struct aesni_key, the states end as ciphertext. */
struct aesni_lanes {
	const uint8_t	*rk[AESNI_LANES];
	uint8_t		*p[AESNI_LANES];
	size_t		left[AESNI_LANES];
	__m128i		chain[AESNI_LANES];
};

/* Give lane l the next job of this many rounds with bytes to do; false when none is left. */
AESNI_TARGET static bool
aesni_refill(struct aesni_lanes *ln, unsigned l, const struct aesni_cbc_job *jobs, unsigned n,
    unsigned *next, unsigned rounds)
{
	for (; *next < n; (*next)++) {
		const struct aesni_cbc_job *j = &jobs[*next];

		if (j->k->rounds != rounds || j->len == 0)
			continue;
		ln->rk[l] = &j->k->rk[0][0];
		ln->p[l] = j->buf;
		ln->left[l] = j->len;
		ln->chain[l] = _mm_loadu_si128((const __m128i *)j->iv);
		(*next)++;
		return true;
	}
	ln->left[l] = 0;
	return false;
}

/* One pass over the jobs of one key size.  Inlined into a function per key size, so that the
 * round count is a constant: every loop unrolls and the lanes' states stay in registers
 * (rolled, they went through the stack, and the store-to-load latency halved the speed). */
AESNI_TARGET static inline __attribute__((always_inline)) void
aesni_pass(const struct aesni_cbc_job *jobs, unsigned n, unsigned rounds)
{
	struct aesni_lanes ln;
	__m128i x[AESNI_LANES];
	unsigned next = 0, active = 0, l;
	const uint8_t *any = NULL;

	for (l = 0; l < AESNI_LANES; l++) {
		if (aesni_refill(&ln, l, jobs, n, &next, rounds)) {
			active++;
			any = ln.rk[l];
		} else {
			ln.chain[l] = _mm_setzero_si128();
		}
	}
	if (active == 0)
		return;
	for (l = 0; l < AESNI_LANES; l++)
		if (ln.left[l] == 0)
			ln.rk[l] = any;
	while (active > 0) {
#pragma GCC unroll 8
		for (l = 0; l < AESNI_LANES; l++) {
			__m128i in = ln.left[l] != 0 ?
			    _mm_loadu_si128((const __m128i *)ln.p[l]) : _mm_setzero_si128();

			x[l] = _mm_xor_si128(_mm_xor_si128(in, ln.chain[l]),
			    _mm_load_si128((const __m128i *)ln.rk[l]));
		}
#pragma GCC unroll 14
		for (unsigned r = 1; r < rounds; r++)
#pragma GCC unroll 8
			for (l = 0; l < AESNI_LANES; l++)
				x[l] = _mm_aesenc_si128(x[l],
				    _mm_load_si128((const __m128i *)(ln.rk[l] + 16 * r)));
#pragma GCC unroll 8
		for (l = 0; l < AESNI_LANES; l++) {
			x[l] = _mm_aesenclast_si128(x[l],
			    _mm_load_si128((const __m128i *)(ln.rk[l] + 16 * rounds)));
			ln.chain[l] = x[l];
			if (ln.left[l] == 0)
				continue;
			_mm_storeu_si128((__m128i *)ln.p[l], x[l]);
			ln.p[l] += 16;
			if ((ln.left[l] -= 16) == 0 &&
			    !aesni_refill(&ln, l, jobs, n, &next, rounds)) {
				active--;
				ln.rk[l] = any;
			}
		}
	}
}

AESNI_TARGET static void
aesni_pass10(const struct aesni_cbc_job *jobs, unsigned n)
{
	aesni_pass(jobs, n, 10);
}

AESNI_TARGET static void
aesni_pass14(const struct aesni_cbc_job *jobs, unsigned n)
{
	aesni_pass(jobs, n, 14);
}

void
aesni_cbc_encrypt_mb(const struct aesni_cbc_job *jobs, unsigned n)
{
	aesni_pass10(jobs, n);
	aesni_pass14(jobs, n);
}
