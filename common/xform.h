/* SPDX-License-Identifier: Apache-2.0 */
/* xform.h: the transform engine of one SA, OpenSSL 3 EVP keyed once at install; per packet only
 * the IV/nonce changes (docs/bench.md: EVP's fixed cost is per call, not per key).
 * Owned by one worker; nothing here locks.  No call below allocates per packet (invariant 6):
 * esp.c and ah.c frame the packet, this file only runs the primitives over their bytes. */
#ifndef GW_XFORM_H
#define GW_XFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/sha.h>

#include "common/aesni.h"
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

enum {
	XF_IV_MAX	= 16,		/* bytes of IV on the wire, at most */
	XF_ICV_MAX	= 32,		/* bytes of ICV on the wire, at most */
	XF_MD_MAX	= 64,		/* bytes of a full digest, at most */
	XF_IV_BATCH	= 16,		/* CBC IVs made per call of the IV generator */
};

/* Hash state of one integrity primitive.  OpenSSL 3.0's EVP_DigestInit and EVP_MD_CTX_copy
 * allocate on every call, so keyed HMAC lives here as plain structs copied by assignment:
 * xform.c explains the choice and its measurements. */
union xform_md {
	MD5_CTX		md5;
	SHA_CTX		sha1;
	SHA256_CTX	sha256;
	SHA512_CTX	sha512;		/* also SHA-384 */
};

/* An integrity primitive keyed once: RFC 2104 HMAC with the inner and outer pad blocks already
 * absorbed, or RFC 1828 keyed MD5 with key || keyfill already absorbed. */
struct xform_mac {
	enum xform_auth	alg;
	uint8_t		md_len;		/* bytes of the full digest */
	union xform_md	in, out;	/* keyed states, never touched per packet */
	union xform_md	w;		/* this packet's state */
	struct key	key;		/* RFC 1828 only: the key again after the datagram */
};

struct xform {
	enum xform_cipher	cipher;
	enum xform_auth		auth;
	bool			encrypt;	/* direction this context was keyed for */
	bool			aead;		/* GCM, GMAC, ChaCha20-Poly1305: ICV from the cipher */
	uint8_t			hdr_len;	/* ESP header before the IV: 8, or 4 (RFC 1829: SPI only) */
	uint8_t			iv_len;		/* bytes of IV on the wire */
	uint8_t			icv_len;	/* bytes of ICV on the wire */
	uint8_t			block_len;	/* padding boundary, >= 4 */
	uint8_t			salt[4];	/* AEAD: last 4 bytes of the configured key */
	EVP_CIPHER_CTX		*cctx;		/* NULL for NONE/NULL */
	struct xform_mac	mac;		/* alg XF_AUTH_NONE if no separate integrity */
	/* private state of the CBC IV generator (encrypt side only), see xform_iv() */
	EVP_CIPHER_CTX		*ivctx;		/* AES-128-ECB under a random key of this SA */
	uint64_t		iv_ctr;
	uint8_t			iv_pos;
	uint8_t			iv_buf[XF_IV_BATCH * 16];
	/* encrypting AES-CBC on a CPU with AES-NI: its key expanded for aesni.c, which
	 * encrypts many packets at once (esp_encap_begin, esp_encap_finish) */
	bool			cbc_mb;
	struct aesni_key	cbc_key;
};

/* Key cipher and auth for one direction.  Key lengths are checked against the algorithm
 * (AES-GCM: 16, 24 or 32 + 4 salt bytes, ...); ck and ak may be NULL for no key.  AEAD ciphers
 * and esp-rfc1829 take no separate auth; RFC 1828 keyed MD5 goes with cipher NONE (AH) only.
 * -1 with err on a bad length or combination, or an algorithm OpenSSL cannot give (legacy
 * provider missing); xf is then freed.  xf must be new or freed; the caller keeps ck and ak
 * (copied, never kept). */
int	xform_init(struct xform *xf, enum xform_cipher c, const struct key *ck,
	    enum xform_auth a, const struct key *ak, bool encrypt, struct gw_err *err);
/* Load OpenSSL's legacy provider once (for single DES: ESP's and IKEv1's); whether it is. */
bool	xform_legacy(void);
void	xform_free(struct xform *xf);			/* wipes keys; NULL-safe on a zeroed xf */
const char *xform_cipher_name(enum xform_cipher c);	/* "esp-aes", for show */
const char *xform_auth_name(enum xform_auth a);

/* esp-rfc1829: IV of 4 or 8 bytes ("initialization-vector size", RFC 1829 §2; 0 = the default,
 * 8).  After xform_init, before the first packet.  -1 with err if not 4 or 8 or not rfc1829. */
int	xform_set_rfc1829_iv(struct xform *xf, unsigned iv_size, struct gw_err *err);

/* --- per packet: the primitives esp.c and ah.c frame --- */

/* Next unpredictable CBC IV (iv_len bytes) for an encrypting CBC xform.  -1 if OpenSSL fails. */
int	xform_iv(struct xform *xf, uint8_t *iv);

/* CBC (or NULL) in place over len bytes, a multiple of the block, in the keyed direction. iv is
 * the wire IV (iv_len bytes).  -1 if OpenSSL fails. */
int	xform_cbc(struct xform *xf, const uint8_t *iv, uint8_t *buf, size_t len);

/* AEAD in place.  The nonce is salt || iv8.  The AAD is aad[0..aad_len) || aad2[0..aad2_len)
 * (GMAC puts IV, payload and trailer in aad2 and has len 0).  Encrypt writes the 16-byte tag
 * to tag; decrypt checks it (OpenSSL compares in constant time).  -1 on a bad tag or failure. */
int	xform_aead(struct xform *xf, const uint8_t iv8[8], const uint8_t *aad, size_t aad_len,
	    const uint8_t *aad2, size_t aad2_len, uint8_t *buf, size_t len, uint8_t *tag);

/* The integrity primitive: begin, any number of updates, then end.  end writes the full
 * digest (m->md_len bytes; ESP and AH send the first icv_len of them). */
int	xform_mac_key(struct xform_mac *m, enum xform_auth a, const uint8_t *key, size_t len);
void	xform_mac_begin(struct xform_mac *m);
void	xform_mac_update(struct xform_mac *m, const void *data, size_t len);
void	xform_mac_end(struct xform_mac *m, uint8_t *md);
void	xform_mac_wipe(struct xform_mac *m);

#endif
