/* SPDX-License-Identifier: Apache-2.0 */
/* v1sig_test.c: v1sig.c against an independent implementation, the openssl command line:
 * for 1024-, 2048- and 3072-bit keys and the hash lengths of MD5, SHA-1, SHA-256, SHA-384 and
 * SHA-512, "openssl pkeyutl -sign -pkeyopt rsa_padding_mode:pkcs1" of the raw hash (no
 * -digest: no DigestInfo) gives v1sig_sign()'s bytes (PKCS#1 v1.5 is deterministic), and
 * "openssl pkeyutl -verify" accepts ours; v1sig_verify() accepts theirs.  The padding is
 * also read back raw (00 01 FF..FF 00 || hash, RFC 2409 §5.1 with RFC 8017 §9.2 minus the
 * DigestInfo), and every wrong signature, hash, key or length is refused. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include "controld/ike/v1sig.h"
#include "tests/lib/test.h"

static char	dir[] = "/tmp/v1sig_test.XXXXXX";

static void
file_put(const char *name, const uint8_t *b, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s", name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(b, 1, len, f) != len)
		abort();
	fclose(f);
}

static size_t
file_get(const char *name, uint8_t *b, size_t cap)
{
	char path[256];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s", name);
	if ((f = fopen(path, "rb")) == NULL)
		return 0;
	n = fread(b, 1, cap, f);
	fclose(f);
	return n;
}

static void
keys_put(EVP_PKEY *k)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "k.pem");
	if ((f = fopen(path, "w")) == NULL || !PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL,
	    NULL))
		abort();
	fclose(f);
	snprintf(path, sizeof(path), "pub.pem");
	if ((f = fopen(path, "w")) == NULL || !PEM_write_PUBKEY(f, k))
		abort();
	fclose(f);
}

/* A command in the test's directory; its exit status. */
static int
sh(const char *cmd)
{
	int st = system(cmd);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The signature opened without padding checks: 00 01 FF.. 00 || hash, nothing else. */
static bool
padding_raw_ok(EVP_PKEY *k, const uint8_t *sig, size_t sig_len, const uint8_t *h, size_t hl)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL);
	uint8_t em[512];
	size_t n = sizeof(em), i;
	bool ok;

	ok = ctx != NULL && EVP_PKEY_verify_recover_init(ctx) > 0 &&
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) > 0 &&
	    EVP_PKEY_verify_recover(ctx, em, &n, sig, sig_len) > 0;
	EVP_PKEY_CTX_free(ctx);
	if (!ok || n != sig_len || em[0] != 0 || em[1] != 1)
		return false;
	for (i = 2; i < n - hl - 1; i++)
		if (em[i] != 0xff)
			return false;
	return i >= 10 && em[i] == 0 && memcmp(em + i + 1, h, hl) == 0;
}

static void
one_key(unsigned bits)
{
	static const size_t hls[] = { 16, 20, 32, 48, 64 };
	EVP_PKEY *k = EVP_RSA_gen(bits), *pub;
	uint8_t h[64], sig[512], theirs[512];
	size_t sl, tl;
	struct gw_err err;
	FILE *f;
	char path[256];

	T_OK(k != NULL, "a %u-bit key", bits);
	if (k == NULL)
		return;
	keys_put(k);
	snprintf(path, sizeof(path), "pub.pem");
	f = fopen(path, "r");
	pub = f != NULL ? PEM_read_PUBKEY(f, NULL, NULL, NULL) : NULL;
	if (f != NULL)
		fclose(f);
	T_OK(pub != NULL, "the public half alone");
	for (size_t i = 0; i < sizeof(hls) / sizeof(hls[0]); i++) {
		size_t hl = hls[i];

		RAND_bytes(h, (int)hl);
		file_put("h.bin", h, hl);
		sl = sizeof(sig);
		T_OK(v1sig_sign(k, h, hl, sig, &sl, &err) == 0, "%u bits, %zu-byte hash: %s",
		    bits, hl, err.msg);
		T_EQ(sl, bits / 8, "a modulus' bytes");
		file_put("ours.bin", sig, sl);
		T_EQ(sh("openssl pkeyutl -sign -inkey k.pem -pkeyopt rsa_padding_mode:pkcs1 "
		    "-in h.bin -out theirs.bin"), 0, "openssl pkeyutl -sign");
		tl = file_get("theirs.bin", theirs, sizeof(theirs));
		T_EQ(tl, sl, "openssl's signature length, %u bits, %zu-byte hash", bits, hl);
		T_MEMEQ(theirs, sig, sl, "openssl pkeyutl -sign gives our bytes, %u bits, "
		    "%zu-byte hash", bits, hl);
		T_EQ(sh("openssl pkeyutl -verify -pubin -inkey pub.pem -pkeyopt "
		    "rsa_padding_mode:pkcs1 -in h.bin -sigfile ours.bin >/dev/null"), 0,
		    "openssl pkeyutl -verify accepts ours, %u bits, %zu-byte hash", bits, hl);
		T_OK(v1sig_verify(pub, h, hl, theirs, tl) == 0, "we accept openssl's");
		T_OK(padding_raw_ok(pub, sig, sl, h, hl), "00 01 FF.. 00 || hash, no DigestInfo");
		/* refusals */
		sig[sl / 2] ^= 0x10;
		T_OK(v1sig_verify(pub, h, hl, sig, sl) != 0, "a flipped bit");
		sig[sl / 2] ^= 0x10;
		h[0] ^= 1;
		T_OK(v1sig_verify(pub, h, hl, sig, sl) != 0, "another hash");
		h[0] ^= 1;
		T_OK(v1sig_verify(pub, h, hl - 1, sig, sl) != 0, "a shorter hash");
		T_OK(v1sig_verify(pub, h, hl, sig, sl - 1) != 0, "a shorter signature");
		T_OK(v1sig_verify(pub, h, hl, sig, sl) == 0, "and ours again");
	}
	/* a signature of a DigestInfo (what "openssl dgst -sign" makes) is not ours */
	RAND_bytes(h, 20);
	file_put("h.bin", h, 20);
	T_EQ(sh("openssl dgst -sha1 -sign k.pem -out di.bin h.bin"), 0, "openssl dgst -sign");
	tl = file_get("di.bin", theirs, sizeof(theirs));
	{
		uint8_t d[20];
		unsigned dl = 0;

		EVP_Digest(h, 20, d, &dl, EVP_sha1(), NULL);
		T_OK(tl == bits / 8 && v1sig_verify(pub, d, dl, theirs, tl) != 0,
		    "a SHA-1 DigestInfo signature refused");
	}
	sl = sizeof(sig);
	T_OK(v1sig_sign(k, h, bits / 8 - 10, sig, &sl, &err) != 0 && strstr(err.msg,
	    "does not fit") != NULL, "too long a hash: %s", err.msg);
	sl = bits / 8 - 1;
	T_OK(v1sig_sign(k, h, 20, sig, &sl, &err) != 0, "too small a buffer: %s", err.msg);
	T_OK(v1sig_sign(pub, h, 20, sig, &sl, &err) != 0, "a public key cannot sign");
	EVP_PKEY_free(pub);
	EVP_PKEY_free(k);
}

int
main(void)
{
	EVP_PKEY *ec = EVP_EC_gen("P-256");
	uint8_t h[20] = { 0 }, sig[512];
	size_t sl = sizeof(sig);
	struct gw_err err;
	char cmd[300];

	if (system("openssl version >/dev/null 2>&1") != 0) {
		printf("no openssl command: skipped\n");
		return 77;
	}
	if (mkdtemp(dir) == NULL || chdir(dir) != 0)
		abort();
	one_key(1024);
	one_key(2048);
	one_key(3072);
	T_OK(v1sig_sign(ec, h, sizeof(h), sig, &sl, &err) != 0 && strstr(err.msg, "not an RSA")
	    != NULL, "an EC key: %s", err.msg);
	T_OK(v1sig_verify(ec, h, sizeof(h), sig, 64) != 0, "an EC key verifies nothing");
	EVP_PKEY_free(ec);
	if (chdir("/") != 0)
		return 1;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return t_done();
}
