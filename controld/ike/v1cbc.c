/* SPDX-License-Identifier: Apache-2.0 */
/* v1cbc.c: CBC of ISAKMP bodies with the IKEv1 IV chain; see v1cbc.h.  Keys are the caller's;
 * the cipher context is freed (and so wiped by OpenSSL) before returning. */
#include <string.h>

#include <openssl/evp.h>

#include "common/xform.h"
#include "controld/ike/v1cbc.h"
#include "controld/ike/v1msg.h"

size_t
v1_cbc_block(uint16_t encr)
{
	switch (encr) {
	case V1_ENCR_DES:
	case V1_ENCR_3DES:
		return 8;
	case V1_ENCR_AES:
		return 16;
	default:
		return 0;
	}
}

static const EVP_CIPHER *
cipher(uint16_t encr, size_t key_len)
{
	switch (encr) {
	case V1_ENCR_DES:
		return key_len == 8 ? EVP_des_cbc() : NULL;
	case V1_ENCR_3DES:
		return key_len == 24 ? EVP_des_ede3_cbc() : NULL;
	case V1_ENCR_AES:
		return key_len == 16 ? EVP_aes_128_cbc() : key_len == 24 ? EVP_aes_192_cbc() :
		    key_len == 32 ? EVP_aes_256_cbc() : NULL;
	default:
		return NULL;
	}
}

int
v1_cbc(uint16_t encr, const uint8_t *key, size_t key_len, uint8_t *iv, const uint8_t *in,
    uint8_t *out, size_t len, bool encrypt)
{
	const EVP_CIPHER *c = encr != V1_ENCR_DES || xform_legacy() ? cipher(encr, key_len) : NULL;
	size_t bl = v1_cbc_block(encr);
	uint8_t last[V1_CBC_BLOCK_MAX];
	EVP_CIPHER_CTX *ctx;
	int n = 0, fin = 0, ok;

	/* single DES needs OpenSSL's legacy provider; without it there is no cipher to get */
	if (c == NULL || bl == 0 || len == 0 || len % bl != 0 || len > INT32_MAX ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	if (!encrypt)
		memcpy(last, in + len - bl, bl);	/* before out overwrites an in == out */
	ok = EVP_CipherInit_ex2(ctx, c, key, iv, encrypt ? 1 : 0, NULL) == 1 &&
	    EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 &&
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) == 1 &&
	    EVP_CipherFinal_ex(ctx, out + n, &fin) == 1 && (size_t)(n + fin) == len;
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return -1;
	memcpy(iv, encrypt ? out + len - bl : last, bl);
	return 0;
}
