/* SPDX-License-Identifier: Apache-2.0 */
/* kdf.h: IKEv2 key derivation (RFC 7296 §2.13 to §2.18) and the AUTH of a pre-shared key
 * (§2.15): the negotiated prf, prf+, SKEYSEED and the seven keys of an IKE SA, a child SA's
 * KEYMAT with and without PFS, the SKEYSEED of a rekeyed IKE SA.  Stateless: each call takes
 * its inputs and writes its outputs.  Keys are struct key (common/key.h), owned by the caller,
 * who wipes them with key_wipe() / ike_sa_keys_wipe(); every intermediate value is wiped here.
 * PRFs are named by their IKEv2 transform ID (enum ike_prf_id): HMAC-MD5, -SHA1, -SHA2-256,
 * -384, -512 (OpenSSL EVP_MAC) and AES-XCBC-PRF-128 (RFC 4434, over AES-ECB). */
#ifndef GW_IKE_KDF_H
#define GW_IKE_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "common/key.h"
#include "controld/ike/ikev2.h"

enum {
	IKE_PRF_MAX	= 64,		/* bytes of prf output, at most (HMAC-SHA2-512) */
};

/* Output bytes of prf, and its preferred key length (§2.14: the length of SK_d, SK_pi, SK_pr);
 * 0 for a PRF we do not have. */
size_t	ike_prf_len(uint16_t prf);
size_t	ike_prf_key_len(uint16_t prf);

/* prf(key, in[0] | in[1] | ... | in[n_in - 1]) into out[0 .. ike_prf_len(prf)).  Any key
 * length (XCBC: as RFC 4434 §2 says).  -1 for an unknown prf or an OpenSSL failure. */
int	ike_prf(uint16_t prf, struct ike_chunk key, const struct ike_chunk *in, size_t n_in,
	    uint8_t *out);

/* §2.13: prf+(key, seed) = T1 | T2 | ..., Tn = prf(key, Tn-1 | seed | n), the seed being the
 * concatenation of seed[0 .. n_seed); len bytes into out.  -1 if len needs more than 255
 * blocks or as ike_prf. */
int	ike_prf_plus(uint16_t prf, struct ike_chunk key, const struct ike_chunk *seed,
	    size_t n_seed, uint8_t *out, size_t len);

/* §2.14: SKEYSEED = prf(Ni | Nr, g^ir).  With AES-XCBC-PRF-128 the key is the first 64 bits
 * of Ni and of Nr, as the RFC says.  -1 on a nonce too short for that, or as ike_prf. */
int	ike_kdf_skeyseed(uint16_t prf, struct ike_chunk ni, struct ike_chunk nr,
	    struct ike_chunk gir, struct key *skeyseed);

/* §2.18: the new IKE SA's SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old IKE
 * SA's prf (the exchange belongs to it); the new SA's keys then come from ike_kdf_sa_keys()
 * with the new prf, the new nonces and the new SPIs. */
int	ike_kdf_rekey_skeyseed(uint16_t old_prf, const struct key *sk_d_old,
	    struct ike_chunk gir, struct ike_chunk ni, struct ike_chunk nr, struct key *skeyseed);

/* The keys of one IKE SA, in the order of §2.14's prf+ output. */
struct ike_sa_keys {
	struct key	d;		/* SK_d: child SAs and rekeying */
	struct key	ai, ar;		/* the Encrypted payload's ICV; len 0 with AEAD */
	struct key	ei, er;		/* encryption; an AEAD key ends with its salt */
	struct key	pi, pr;		/* AUTH of each side (§2.15) */
};

/* §2.14: {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr} = prf+(SKEYSEED, Ni | Nr |
 * SPIi | SPIr), SK_d/pi/pr of the prf's key length, integ_len and encr_len bytes the others
 * (encr_len with the salt of an AEAD cipher: ike_sk_key_len() of sk.h).  -1 on a length above
 * a struct key, or as ike_prf. */
int	ike_kdf_sa_keys(uint16_t prf, const struct key *skeyseed, struct ike_chunk ni,
	    struct ike_chunk nr, const uint8_t spi_i[IKE_SPI_LEN],
	    const uint8_t spi_r[IKE_SPI_LEN], size_t integ_len, size_t encr_len, struct ike_sa_keys *k);
void	ike_sa_keys_wipe(struct ike_sa_keys *k);

/* §2.17: KEYMAT = prf+(SK_d, Ni | Nr), or prf+(SK_d, g^ir (new) | Ni | Nr) with PFS (gir.len
 * > 0), len bytes into keymat.  For ESP: encryption then integrity key of the initiator's
 * outbound SA, then the same for the responder's (the caller cuts and wipes it). */
int	ike_kdf_child(uint16_t prf, const struct key *sk_d, struct ike_chunk gir,
	    struct ike_chunk ni, struct ike_chunk nr, uint8_t *keymat, size_t len);

/* §2.15: AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>), the signed
 * octets being msg (the sender's IKE_SA_INIT message as sent), nonce (the peer's Nonce Data)
 * and prf(SK_p, id), id the sender's ID payload body from the ID Type on (RestOfIDPayload).
 * sk_p is SK_pi for the initiator's AUTH, SK_pr for the responder's.  ike_prf_len(prf) bytes
 * into auth; a received AUTH is compared with CRYPTO_memcmp. */
int	ike_kdf_auth_psk(uint16_t prf, struct ike_chunk psk, const struct key *sk_p,
	    struct ike_chunk msg, struct ike_chunk nonce, struct ike_chunk id, uint8_t *auth);

#endif
