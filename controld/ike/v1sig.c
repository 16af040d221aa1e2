/* SPDX-License-Identifier: Apache-2.0 */
/* v1sig.c: IKEv1's RSA signatures (RFC 2409 §5.1): PKCS#1 v1.5 type 1 padding of the raw
 * HASH_I / HASH_R, no DigestInfo, through OpenSSL's EVP_PKEY_sign/verify with
 * RSA_PKCS1_PADDING and no message digest set (then OpenSSL pads and compares the bytes as
 * they are).  Holds nothing; OpenSSL's error queue is emptied on every path. */
#include <stdbool.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "controld/ike/v1sig.h"

/* A context for op (sign or verify) on k with PKCS#1 v1.5 padding and no digest, or NULL. */
static EVP_PKEY_CTX *
ctx_new(EVP_PKEY *k, bool sign)
{
	EVP_PKEY_CTX *ctx;

	if (k == NULL || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA ||
	    (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, k, NULL)) == NULL)
		return NULL;
	if ((sign ? EVP_PKEY_sign_init(ctx) : EVP_PKEY_verify_init(ctx)) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int
v1sig_sign(EVP_PKEY *priv, const uint8_t *hash, size_t hash_len, uint8_t *sig,
    size_t *sig_len, struct gw_err *err)
{
	EVP_PKEY_CTX *ctx;
	size_t mod;
	int rc = -1;

	if (priv == NULL || EVP_PKEY_get_base_id(priv) != EVP_PKEY_RSA)
		return gw_fail(err, 0, "rsa-sig: our key is not an RSA key");
	mod = (size_t)EVP_PKEY_get_size(priv);
	if (hash_len + 11 > mod)		/* RFC 8017 §9.2: at least 8 bytes of FF */
		return gw_fail(err, 0, "rsa-sig: a %zu-byte hash does not fit a %zu-bit key",
		    hash_len, mod * 8);
	if (*sig_len < mod)
		return gw_fail(err, 0, "rsa-sig: %zu bytes for a %zu-byte signature", *sig_len,
		    mod);
	if ((ctx = ctx_new(priv, true)) == NULL) {
		gw_fail(err, 0, "rsa-sig: OpenSSL refused the key for signing");
		goto out;
	}
	if (EVP_PKEY_sign(ctx, sig, sig_len, hash, hash_len) <= 0) {
		gw_fail(err, 0, "rsa-sig: OpenSSL could not sign (%s)",
		    ERR_reason_error_string(ERR_peek_last_error()) != NULL ?
		    ERR_reason_error_string(ERR_peek_last_error()) : "no reason");
		goto out;
	}
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	return rc;
}

int
v1sig_verify(EVP_PKEY *pub, const uint8_t *hash, size_t hash_len, const uint8_t *sig,
    size_t sig_len)
{
	EVP_PKEY_CTX *ctx;
	int ok = 0;

	/* a signature is exactly the modulus' bytes (RFC 8017 §8.2.2 step 1) */
	if (pub != NULL && sig_len == (size_t)EVP_PKEY_get_size(pub) &&
	    (ctx = ctx_new(pub, false)) != NULL) {
		ok = EVP_PKEY_verify(ctx, sig, sig_len, hash, hash_len) == 1;
		EVP_PKEY_CTX_free(ctx);
	}
	ERR_clear_error();
	return ok ? 0 : -1;
}
