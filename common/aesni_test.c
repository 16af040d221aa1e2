/* SPDX-License-Identifier: Apache-2.0 */
/* aesni_test.c: the multi-buffer AES-CBC of aesni.c against NIST SP 800-38A's CBC vectors
 * (F.2.1, F.2.3, F.2.5) and against OpenSSL's AES-128/192/256-CBC on random keys, IVs,
 * lengths and batches (mixed key sizes, empty jobs, more jobs than lanes). */
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/aesni.h"
#include "tests/lib/test.h"

/* SP 800-38A Appendix F.2: the same IV and four plaintext blocks for the three key sizes. */
static void
test_sp800_38a(void)
{
	static const struct {
		const char *key, *ct;
	} v[] = {
		{ "2b7e151628aed2a6abf7158809cf4f3c",
		  "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
		  "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7" },
		{ "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
		  "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a"
		  "571b242012fb7ae07fa9baac3df102e008b0e27988598881d920a9e64f5615cd" },
		{ "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
		  "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
		  "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b" },
	};
	const char *pt = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
	    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";
	static const char *const name[] = { "F.2.1 CBC-AES128", "F.2.3 CBC-AES192",
	    "F.2.5 CBC-AES256" };
	uint8_t key[32], iv[16], buf[3][64], want[64], zero[sizeof(struct aesni_key)];
	struct aesni_key k[3];
	struct aesni_cbc_job j[3];

	t_unhex("000102030405060708090a0b0c0d0e0f", iv, sizeof(iv));
	for (int i = 0; i < 3; i++) {
		T_EQ(aesni_key_init(&k[i], key, t_unhex(v[i].key, key, sizeof(key))), 0,
		    "SP 800-38A key %d", i);
		t_unhex(pt, buf[i], sizeof(buf[i]));
		j[i] = (struct aesni_cbc_job){ &k[i], iv, buf[i], 64 };
	}
	aesni_cbc_encrypt_mb(j, 3);
	for (int i = 0; i < 3; i++) {
		t_unhex(v[i].ct, want, sizeof(want));
		T_MEMEQ(buf[i], want, 64, "SP 800-38A %s.Encrypt", name[i]);
	}
	T_EQ(aesni_key_init(&k[0], key, 15), -1, "a bad key length refused");
	aesni_key_wipe(&k[0]);
	memset(zero, 0, sizeof(zero));
	T_MEMEQ(&k[0], zero, sizeof(zero), "wiped");
}

enum { NJOB = 37, MAXLEN = 1536 };

/* Random batches, each job checked against OpenSSL encrypting it alone. */
static void
test_random(void)
{
	static uint8_t pt[NJOB][MAXLEN], buf[NJOB][MAXLEN], want[MAXLEN];
	static const int klen[6] = { 16, 16, 24, 24, 32, 32 };
	uint8_t keys[6][32], ivs[NJOB][16];
	struct aesni_key k[6];
	struct aesni_cbc_job j[NJOB];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int bad = 0, olen;

	for (int round = 0; round < 200; round++) {
		unsigned n = 1 + (unsigned)(round % NJOB);
		uint8_t r[NJOB * 2];

		RAND_bytes(&keys[0][0], sizeof(keys));
		RAND_bytes(&ivs[0][0], sizeof(ivs));
		RAND_bytes(r, sizeof(r));
		for (int i = 0; i < 6; i++)
			aesni_key_init(&k[i], keys[i], (size_t)klen[i]);
		for (unsigned i = 0; i < n; i++) {
			/* lengths 0..MAXLEN in blocks; runs of equal length, as a TSO burst */
			size_t len = round % 3 == 0 ? 1408 : (r[i] % (MAXLEN / 16 + 1)) * 16;

			RAND_bytes(pt[i], (int)MAXLEN);
			memcpy(buf[i], pt[i], MAXLEN);
			j[i] = (struct aesni_cbc_job){ &k[r[NJOB + i] % 6], ivs[i], buf[i], len };
		}
		aesni_cbc_encrypt_mb(j, n);
		for (unsigned i = 0; i < n; i++) {
			int ki = (int)(j[i].k - k);

			memcpy(want, pt[i], MAXLEN);
			if (EVP_EncryptInit_ex(c, klen[ki] == 16 ? EVP_aes_128_cbc() :
			    klen[ki] == 24 ? EVP_aes_192_cbc() : EVP_aes_256_cbc(),
			    NULL, keys[ki], ivs[i]) != 1 || EVP_CIPHER_CTX_set_padding(c, 0) != 1 ||
			    EVP_EncryptUpdate(c, want, &olen, want, (int)j[i].len) != 1)
				abort();
			/* the job's bytes as OpenSSL has them, and nothing after them touched */
			if (memcmp(buf[i], want, MAXLEN) != 0)
				bad++;
		}
	}
	T_EQ(bad, 0, "200 random batches of 1-37 jobs, AES-128, -192, -256 mixed: as OpenSSL");
	EVP_CIPHER_CTX_free(c);
}

int
main(void)
{
	if (!aesni_usable()) {
		printf("SKIP: no AES-NI on this CPU (datad uses OpenSSL alone)\n");
		return 77;
	}
	test_sp800_38a();
	test_random();
	return t_done();
}
