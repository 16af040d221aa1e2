/* xform.h: the transform engine of one SA, OpenSSL 3 EVP keyed once at install; per packet only
 * the IV/nonce changes (../shared/PERF.md: EVP's fixed cost is per call, not per key).
 * Owned by one worker; nothing here locks. */
#ifndef GW_XFORM_H
#define GW_XFORM_H

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/err.h"
#include "common/key.h"

/* Values equal gw.v1.Cipher / gw.v1.Auth of proto/gw.proto, so the wire enum casts over. */
enum xform_cipher {
	XF_CIPHER_NONE = 0, XF_CIPHER_NULL, XF_CIPHER_DES, XF_CIPHER_3DES, XF_CIPHER_AES_CBC,
	XF_CIPHER_AES_GCM, XF_CIPHER_AES_GMAC, XF_CIPHER_CHACHA20_POLY1305, XF_CIPHER_DES_RFC1829,
	XF_CIPHER_MAX
};
enum xform_auth {
	XF_AUTH_NONE = 0, XF_AUTH_HMAC_MD5_96, XF_AUTH_HMAC_SHA1_96, XF_AUTH_HMAC_SHA256_128,
	XF_AUTH_HMAC_SHA384_192, XF_AUTH_HMAC_SHA512_256, XF_AUTH_KEYED_MD5_RFC1828,
	XF_AUTH_MAX
};

struct xform {
	enum xform_cipher	cipher;
	enum xform_auth		auth;
	bool			encrypt;	/* direction this context was keyed for */
	bool			aead;		/* GCM, GMAC, ChaCha20-Poly1305: ICV from the cipher */
	uint8_t			iv_len;		/* bytes of IV on the wire */
	uint8_t			icv_len;	/* bytes of ICV on the wire */
	uint8_t			block_len;	/* padding boundary, >= 4 */
	uint8_t			salt[4];	/* AEAD: last 4 bytes of the configured key */
	EVP_CIPHER_CTX		*cctx;		/* NULL for NONE/NULL */
	EVP_MAC_CTX		*mctx;		/* HMAC, keyed; NULL if auth NONE or AEAD */
	/* private state of the implementation (IV generator, key copies for RFC 1828) */
	uint64_t		iv_ctr;
	uint8_t			iv_key[16];
	EVP_CIPHER_CTX		*ivctx;
	struct key		akey;
};

/* Key cipher and auth for one direction.  Key lengths are checked against the algorithm
 * (AES-GCM: 16 or 32 + 4 salt bytes, ...).  -1 with err on a bad length or an algorithm
 * OpenSSL cannot give (legacy provider missing); xf is then freed. */
int	xform_init(struct xform *xf, enum xform_cipher c, const struct key *ck,
	    enum xform_auth a, const struct key *ak, bool encrypt, struct gw_err *err);
void	xform_free(struct xform *xf);			/* wipes keys; NULL-safe on a zeroed xf */
const char *xform_cipher_name(enum xform_cipher c);	/* "esp-aes", for show */
const char *xform_auth_name(enum xform_auth a);

#endif
