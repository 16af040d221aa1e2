/* SPDX-License-Identifier: Apache-2.0 */
/* v1sig.h: the RSA signature of IKEv1's rsa-sig authentication (RFC 2409 §5.1): SIG_I and
 * SIG_R are HASH_I and HASH_R "signed" with PKCS#1 v1.5 type 1 padding of the raw hash, with
 * no DigestInfo around it (the hash algorithm is the negotiated one, not named in the
 * signature), as strongSwan's "RSA_EMSA_PKCS1_NULL" and IOS do.  PKCS#1 v1.5 is deterministic,
 * so the same key and hash give the same bytes on every implementation.  Stateless; keys are
 * borrowed (the caller's EVP_PKEY: rsakey.h for ours, conf_rsa_key_pkey() for a peer's). */
#ifndef GW_IKE_V1SIG_H
#define GW_IKE_V1SIG_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

#include "common/err.h"

/* SIG = RSA private-key operation on 00 01 FF..FF 00 || hash (RFC 8017 §9.2 without the
 * DigestInfo).  *sig_len is sig's size on entry (at least the modulus' bytes), the
 * signature's length (the modulus' bytes) on return.  0, or -1 with err (line 0): not an RSA
 * private key, hash longer than the modulus' bytes - 11, sig too small, OpenSSL failed. */
int	v1sig_sign(EVP_PKEY *priv, const uint8_t *hash, size_t hash_len, uint8_t *sig,
	    size_t *sig_len, struct gw_err *err);
/* 0 when sig is hash signed by pub's private key as v1sig_sign() does (padding checked in
 * full, the recovered hash compared whole); -1 otherwise (wrong key, hash, length or padding,
 * a DigestInfo-wrapped hash included).  OpenSSL's error queue is left empty. */
int	v1sig_verify(EVP_PKEY *pub, const uint8_t *hash, size_t hash_len, const uint8_t *sig,
	    size_t sig_len);

#endif
