/* SPDX-License-Identifier: Apache-2.0 */
/* sk.c: seal and open IKEv2's Encrypted payload (RFC 7296 §3.14, RFC 5282 for AES-GCM in IKEv2,
 * RFC 7634 for ChaCha20-Poly1305).  The payload is the last of its message:
 *
 *	IKE header | clear payloads | SK header | IV | E(inner payloads | pad | pad length) | ICV
 *
 * Plain ciphers: the ICV is the truncated HMAC (or AES-XCBC-96) under SK_a of everything from
 * the IKE header to the end of the ciphertext (§3.14), so lengths are final before it is made.
 * AEAD: nonce = salt | IV (8 bytes), the additional data is everything before the IV (RFC 5282
 * §5.1), the ICV is the cipher's tag.  Opening checks the ICV first, compared in constant time
 * (plain ciphers), or wipes the region when the tag fails (AEAD, whose OpenSSL decryption
 * writes before it verifies), so nothing unauthenticated leaves here.
 *
 * IVs: CBC wants unpredictable IVs (RFC 3602 §2.1), AEAD unique ones per key (RFC 5282 §3.1):
 * both are RAND_bytes().  XXX: 64 random bits could repeat after about 2^32 messages under one
 * SK_e; an IKE SA sends a few thousand in its life, and a counter would have to survive
 * restarts (docs/design.md "IKE", Restart and persistence) to be better. */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "controld/ike/kdf.h"
#include "controld/ike/sk.h"

static const char *const sk_err_text[IKE_SK_ERR_MAX] = {
	[IKE_SK_OK] = "opened",
#define X(n, t) [IKE_SK_##n] = t,
	IKE_SK_ERR_LIST(X)
#undef X
};

const char *
ike_sk_err_text(enum ike_sk_err e)
{
	return (unsigned)e < IKE_SK_ERR_MAX ? sk_err_text[e] : "?";
}

/* The integrity transforms: the prf of kdf.c that computes them, and their sizes. */
static const struct {
	uint16_t	integ, prf;
	uint8_t		key_len, icv_len;
} integs[] = {
	{ IKE_INTEG_HMAC_MD5_96, IKE_PRF_HMAC_MD5, 16, 12 },
	{ IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, 20, 12 },
	{ IKE_INTEG_AES_XCBC_96, IKE_PRF_AES128_XCBC, 16, 12 },
	{ IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256, 32, 16 },
	{ IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384, 48, 24 },
	{ IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512, 64, 32 },
};

static int
integ_find(uint16_t integ)
{
	for (size_t i = 0; i < sizeof(integs) / sizeof(integs[0]); i++)
		if (integs[i].integ == integ)
			return (int)i;
	return -1;
}

size_t
ike_sk_integ_key_len(uint16_t integ)
{
	int i = integ_find(integ);

	return i < 0 ? 0 : integs[i].key_len;
}

/* Bytes of cipher key (without salt), or 0. */
static size_t
cipher_key_len(uint16_t encr, uint16_t key_bits)
{
	switch (encr) {
	case IKE_ENCR_AES_CBC:
	case IKE_ENCR_AES_GCM_8:
	case IKE_ENCR_AES_GCM_12:
	case IKE_ENCR_AES_GCM_16:
		return key_bits == 128 || key_bits == 192 || key_bits == 256 ? key_bits / 8u : 0;
	case IKE_ENCR_3DES:
		return key_bits == 0 ? 24 : 0;
	case IKE_ENCR_CHACHA20_POLY1305:
		return key_bits == 0 ? 32 : 0;
	default:
		return 0;
	}
}

static bool
is_aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_8 || encr == IKE_ENCR_AES_GCM_12 ||
	    encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

size_t
ike_sk_encr_key_len(uint16_t encr, uint16_t key_bits)
{
	size_t n = cipher_key_len(encr, key_bits);

	return n == 0 ? 0 : n + (is_aead(encr) ? 4 : 0);
}

static const char *
cipher_name(const struct ike_sk *sk)
{
	switch (sk->encr) {
	case IKE_ENCR_3DES:
		return "DES-EDE3-CBC";
	case IKE_ENCR_AES_CBC:
		return sk->key_bits == 128 ? "AES-128-CBC" : sk->key_bits == 192 ?
		    "AES-192-CBC" : "AES-256-CBC";
	case IKE_ENCR_CHACHA20_POLY1305:
		return "ChaCha20-Poly1305";
	default:
		return sk->key_bits == 128 ? "AES-128-GCM" : sk->key_bits == 192 ?
		    "AES-192-GCM" : "AES-256-GCM";
	}
}

int
ike_sk_init(struct ike_sk *sk, uint16_t encr, uint16_t key_bits, uint16_t integ,
    const struct key *ek, const struct key *ak, struct gw_err *err)
{
	size_t klen = cipher_key_len(encr, key_bits), ak_len = ak != NULL ? ak->len : 0;
	int i = integ_find(integ);

	memset(sk, 0, sizeof(*sk));
	if (klen == 0)
		return gw_fail(err, 0, "encryption %u with a %u-bit key is not supported", encr,
		    key_bits);
	sk->encr = encr;
	sk->key_bits = key_bits;
	sk->aead = is_aead(encr);
	if (sk->aead ? integ != IKE_INTEG_NONE : i < 0)
		return gw_fail(err, 0, "encryption %u does not go with integrity %u", encr, integ);
	if (ek->len != ike_sk_encr_key_len(encr, key_bits) ||
	    ak_len != (sk->aead ? 0 : integs[i].key_len))
		return gw_fail(err, 0, "SK_e of %u bytes or SK_a of %zu for %u/%u", ek->len,
		    ak_len, encr, integ);
	sk->integ = integ;
	memcpy(sk->ek.b, ek->b, klen);
	sk->ek.len = (uint16_t)klen;
	if (sk->aead) {
		memcpy(sk->salt, ek->b + klen, 4);
		sk->iv_len = 8;
		sk->block_len = 1;
		sk->icv_len = encr == IKE_ENCR_AES_GCM_8 ? 8 :
		    encr == IKE_ENCR_AES_GCM_12 ? 12 : 16;
	} else {
		memcpy(sk->ak.b, ak->b, ak_len);
		sk->ak.len = (uint16_t)ak_len;
		sk->block_len = sk->iv_len = encr == IKE_ENCR_3DES ? 8 : 16;
		sk->icv_len = integs[i].icv_len;
	}
	return 0;
}

void
ike_sk_wipe(struct ike_sk *sk)
{
	OPENSSL_cleanse(sk, sizeof(*sk));
}

/* The plain ciphers' ICV over buf[0 .. n), full length into md. */
static int
icv(const struct ike_sk *sk, const uint8_t *buf, size_t n, uint8_t md[IKE_PRF_MAX])
{
	struct ike_chunk in = { buf, n };

	return ike_prf(integs[integ_find(sk->integ)].prf,
	    (struct ike_chunk){ sk->ak.b, sk->ak.len }, &in, 1, md);
}

/* One pass of the cipher over data[0 .. n) in place.  AEAD: aad[0 .. aad_len) authenticated,
 * tag written (enc) or checked (dec). */
static int
sk_crypt(const struct ike_sk *sk, bool enc, const uint8_t *iv, const uint8_t *aad,
    size_t aad_len, uint8_t *data, size_t n, uint8_t *tag)
{
	uint8_t nonce[12], tail[IKE_SK_IV_MAX];
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cipher_name(sk), NULL);
	int rc = -1, outl;

	if (ctx == NULL || c == NULL)
		goto out;
	if (sk->aead) {		/* RFC 5282 §4, RFC 7634 §2: salt | IV */
		memcpy(nonce, sk->salt, 4);
		memcpy(nonce + 4, iv, 8);
		if (!EVP_CipherInit_ex2(ctx, c, NULL, NULL, enc, NULL) ||
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) <= 0 ||
		    !EVP_CipherInit_ex2(ctx, NULL, sk->ek.b, nonce, enc, NULL) ||
		    !EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len))
			goto out;
	} else if (!EVP_CipherInit_ex2(ctx, c, sk->ek.b, iv, enc, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0)) {
		goto out;
	}
	if (!EVP_CipherUpdate(ctx, data, &outl, data, (int)n) || (size_t)outl != n ||
	    (sk->aead && !enc &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, sk->icv_len, tag) <= 0) ||
	    !EVP_CipherFinal_ex(ctx, tail, &outl) || outl != 0)
		goto out;		/* AEAD decryption: a wrong tag fails Final */
	if (sk->aead && enc &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, sk->icv_len, tag) <= 0)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_free(c);
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(nonce, sizeof(nonce));
	return rc;
}

static void
put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

int
ike_sk_seal(const struct ike_sk *sk, uint8_t *buf, size_t cap, size_t *len, size_t sk_off,
    const uint8_t *iv)
{
	size_t body = sk_off + 4, plain, pad, ct, total;
	uint8_t md[IKE_PRF_MAX], *p;

	if (sk->ek.len == 0 || sk_off < 28 || *len < body)
		return -1;
	plain = *len - body;
	pad = (sk->block_len - (plain + 1) % sk->block_len) % sk->block_len;
	ct = plain + pad + 1;
	total = body + sk->iv_len + ct + sk->icv_len;
	if (total > cap || total - sk_off > 0xffff || total > 0xffffffffu)
		return -1;
	p = buf + body;
	memmove(p + sk->iv_len, p, plain);
	if (iv != NULL)
		memcpy(p, iv, sk->iv_len);
	else if (RAND_bytes(p, sk->iv_len) != 1)
		return -1;
	memset(p + sk->iv_len + plain, 0, pad);		/* "any value" (§3.14): zeros */
	p[sk->iv_len + plain + pad] = (uint8_t)pad;
	put16(buf + sk_off + 2, total - sk_off);	/* lengths first: the ICV covers them */
	put32(buf + 24, total);
	if (sk_crypt(sk, true, p, buf, body, p + sk->iv_len, ct, p + sk->iv_len + ct) != 0)
		return -1;
	if (!sk->aead) {
		if (icv(sk, buf, total - sk->icv_len, md) != 0)
			return -1;
		memcpy(buf + total - sk->icv_len, md, sk->icv_len);
		OPENSSL_cleanse(md, sizeof(md));
	}
	*len = total;
	return 0;
}

enum ike_sk_err
ike_sk_open(const struct ike_sk *sk, uint8_t *buf, size_t len, size_t sk_off, uint8_t **plain,
    size_t *plain_len)
{
	size_t body = sk_off + 4, ct;
	uint8_t md[IKE_PRF_MAX], *iv, *data;
	unsigned pad;

	*plain = NULL;
	*plain_len = 0;
	if (sk->ek.len == 0 || sk_off < 28 || len < body ||
	    len - body < (size_t)sk->iv_len + sk->icv_len + sk->block_len)
		return IKE_SK_SHORT;
	ct = len - body - sk->iv_len - sk->icv_len;
	if (ct % sk->block_len != 0)
		return IKE_SK_SHORT;
	iv = buf + body;
	data = iv + sk->iv_len;
	if (!sk->aead) {		/* ICV before decrypting, constant time */
		if (icv(sk, buf, len - sk->icv_len, md) != 0)
			return IKE_SK_CRYPTO;
		if (CRYPTO_memcmp(md, buf + len - sk->icv_len, sk->icv_len) != 0)
			return IKE_SK_ICV;
		OPENSSL_cleanse(md, sizeof(md));
	}
	if (sk_crypt(sk, false, iv, buf, body, data, ct, data + ct) != 0) {
		OPENSSL_cleanse(data, ct);	/* AEAD: decrypted before the tag failed */
		return sk->aead ? IKE_SK_ICV : IKE_SK_CRYPTO;
	}
	pad = data[ct - 1];
	if (pad + 1u > ct) {
		OPENSSL_cleanse(data, ct);
		return IKE_SK_PAD;
	}
	*plain = data;
	*plain_len = ct - pad - 1;
	return IKE_SK_OK;
}
