/* SPDX-License-Identifier: Apache-2.0 */
/* sk.h: the Encrypted payload of IKEv2 (RFC 7296 §3.14): sealing a built message and opening
 * a received one, in place in the caller's buffer, for one direction of one IKE SA.  Ciphers:
 * AES-CBC (128/192/256) and 3DES with HMAC-MD5-96, HMAC-SHA1-96, HMAC-SHA2-256-128/384-192/
 * 512-256 or AES-XCBC-96; AES-GCM with 8-, 12- or 16-byte ICVs (RFC 5282) and ChaCha20-Poly1305
 * (RFC 7634), whose keys end with a 4-byte salt.  A struct ike_sk is plain data, keys and
 * numbers with no pointer (so it can be saved and adopted after a restart); OpenSSL contexts
 * live only inside a call.  The ICV is checked, in constant time, before anything decrypted
 * is handed out; a message that fails is dropped and its buffer holds no plaintext. */
#ifndef GW_IKE_SK_H
#define GW_IKE_SK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/key.h"
#include "controld/ike/ikev2.h"

enum {
	IKE_SK_IV_MAX	= 16,
	IKE_SK_ICV_MAX	= 32,
	IKE_SK_OVERHEAD	= IKE_SK_IV_MAX + 16 + IKE_SK_ICV_MAX,	/* IV, pad, ICV: at most */
};

struct ike_sk {
	uint16_t	encr;		/* enum ike_encr */
	uint16_t	key_bits;	/* AES: 128, 192, 256; else 0 */
	uint16_t	integ;		/* enum ike_integ; IKE_INTEG_NONE with AEAD */
	bool		aead;
	uint8_t		iv_len, icv_len, block_len;	/* block 1 for AEAD (RFC 5282 §3) */
	uint8_t		salt[4];	/* AEAD: the last 4 bytes of SK_e */
	struct key	ek;		/* cipher key, without the salt */
	struct key	ak;		/* integrity key; len 0 with AEAD */
};

/* Why a received Encrypted payload is dropped (§3.14: silently, but counted). */
#define IKE_SK_ERR_LIST(X)							\
	X(SHORT,	"Encrypted payload too short or not whole blocks")	\
	X(ICV,		"integrity check failed")				\
	X(PAD,		"pad length past the decrypted data")			\
	X(CRYPTO,	"cipher operation failed")

enum ike_sk_err {
	IKE_SK_OK = 0,
#define X(n, t) IKE_SK_##n,
	IKE_SK_ERR_LIST(X)
#undef X
	IKE_SK_ERR_MAX
};

const char	*ike_sk_err_text(enum ike_sk_err e);

/* Bytes of SK_e (with the AEAD salt) and SK_a for ike_kdf_sa_keys(); 0 for what we do not have
 * (and for SK_a of an AEAD cipher or of IKE_INTEG_NONE). */
size_t		ike_sk_encr_key_len(uint16_t encr, uint16_t key_bits);
size_t		ike_sk_integ_key_len(uint16_t integ);

/* Key one direction: ek is SK_ei or SK_er, ak SK_ai or SK_ar (NULL or empty with AEAD); both
 * are copied.  -1 with err on an unknown or disallowed combination (AEAD with an integrity
 * transform, a plain cipher without one) or a key of the wrong length. */
int		ike_sk_init(struct ike_sk *sk, uint16_t encr, uint16_t key_bits, uint16_t integ,
		    const struct key *ek, const struct key *ak, struct gw_err *err);
void		ike_sk_wipe(struct ike_sk *sk);

/* Seal the message in buf[0 .. *len), which ike_msg_build() made with its Encrypted payload's
 * header at sk_off and the inner payloads in the clear after it: insert the IV (iv, or random
 * when NULL), pad (zeros, to the block; none for AEAD), encrypt, write the ICV, and fix the
 * payload's and the header's lengths, which the ICV covers.  *len grows by at most
 * IKE_SK_OVERHEAD; -1 if that does not fit in cap (buf is then garbage) or on a failure. */
int		ike_sk_seal(const struct ike_sk *sk, uint8_t *buf, size_t cap, size_t *len,
		    size_t sk_off, const uint8_t *iv);

/* Open the Encrypted payload at sk_off of the received message buf[0 .. len), which must be
 * its last payload (as ike_msg_parse() checked): ICV first, then decrypt in place; *plain and
 * *plain_len then give the inner payloads (padding cut) inside buf, for ike_msg_parse_inner().
 * On any error the ciphertext is left as it was or wiped, never as plaintext. */
enum ike_sk_err	ike_sk_open(const struct ike_sk *sk, uint8_t *buf, size_t len, size_t sk_off,
		    uint8_t **plain, size_t *plain_len);

#endif
