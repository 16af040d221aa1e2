/* SPDX-License-Identifier: Apache-2.0 */
/* aesni.c: multi-buffer AES-CBC encryption on AES-NI (aesni.h says why).  FIPS 197 for the
 * cipher and its key expansion (word by word, SubWord on AESKEYGENASSIST), NIST SP 800-38A
 * §6.2 for CBC.
 * Constant time: AESENC and AESENCLAST have no data-dependent timing and nothing here branches
 * on key or data.  aesni_test.c holds it to OpenSSL's AES-128/192/256-CBC on random inputs. */
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

/* SubWord(w) (FIPS 197 §5.2), on the AES unit: AESKEYGENASSIST substitutes the bytes of its
 * second and fourth words; with round constant 0 its first result word is SubWord of the
 * second input word, constant time. */
AESNI_TARGET static uint32_t
aesni_subword(uint32_t w)
{
	return (uint32_t)_mm_cvtsi128_si32(_mm_aeskeygenassist_si128(
	    _mm_set_epi32(0, 0, (int)w, 0), 0));
}

/* FIPS 197 §5.2 for Nk = 4, 6, 8 words of key: 4 (Nr + 1) words of round keys, each word the
 * key's bytes in memory order (little-endian here), so that RotWord is a rotation right by 8
 * and Rcon goes in the low byte. */
static void
aesni_expand(uint32_t *w, const uint8_t *key, unsigned nk, unsigned nr)
{
	uint32_t rcon = 1, t;

	memcpy(w, key, 4 * nk);
	for (unsigned i = nk; i < 4 * (nr + 1); i++) {
		t = w[i - 1];
		if (i % nk == 0) {
			t = aesni_subword((t >> 8) | (t << 24)) ^ rcon;
			rcon = (rcon << 1) ^ (rcon & 0x80 ? 0x11b : 0);
		} else if (nk > 6 && i % nk == 4) {
			t = aesni_subword(t);
		}
		w[i] = w[i - nk] ^ t;
	}
}

int
aesni_key_init(struct aesni_key *k, const uint8_t *key, size_t len)
{
	uint32_t w[4 * (AESNI_ROUNDS_MAX + 1)];

	if ((len != 16 && len != 24 && len != 32) || !aesni_usable())
		return -1;
	k->rounds = (unsigned)len / 4 + 6;		/* 10, 12, 14 */
	aesni_expand(w, key, (unsigned)len / 4, k->rounds);
	memcpy(k->rk, w, (k->rounds + 1) * 16);
	OPENSSL_cleanse(w, sizeof(w));
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
aesni_pass12(const struct aesni_cbc_job *jobs, unsigned n)
{
	aesni_pass(jobs, n, 12);
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
	aesni_pass12(jobs, n);
	aesni_pass14(jobs, n);
}
