/* SPDX-License-Identifier: Apache-2.0 */
/* v1kdf.h: IKEv1 key derivation and the hashes that authenticate its messages (RFC 2409 §5
 * and Appendix B): SKEYID for pre-shared keys and for signatures, SKEYID_d/_a/_e, the ISAKMP
 * SA's cipher key from SKEYID_e, HASH_I/HASH_R, the phase 1 and phase 2 IVs, quick mode's
 * HASH(1)/(2)/(3) and KEYMAT, the informational HASH(1).  Stateless: each call takes its
 * inputs and writes its outputs.  Keys are struct key (common/key.h), owned by the caller, who
 * wipes them with key_wipe() / ike1_sa_keys_wipe(); every intermediate value is wiped here.
 *
 * The hash is named by the IKEv1 "Hash Algorithm" attribute value (RFC 2409 Appendix A, IANA
 * "IPSEC Hash Algorithm"); the prf is its HMAC (no PRF attribute is negotiated: §4), computed
 * by ike_prf() of kdf.h.  Octets are as on the wire: Ni_b, Nr_b, SAi_b, IDii_b, IDir_b are
 * payload bodies (after the generic payload header), CKY-I/CKY-R the header's cookies. */
#ifndef GW_IKE_V1KDF_H
#define GW_IKE_V1KDF_H

#include <stddef.h>
#include <stdint.h>

#include "common/key.h"
#include "controld/ike/ikev2.h"

enum ike1_kdf_hash {			/* the Hash Algorithm attribute (class 2) */
	IKE1_KDF_MD5		= 1,
	IKE1_KDF_SHA1		= 2,
	IKE1_KDF_SHA2_256	= 4,
	IKE1_KDF_SHA2_384	= 5,
	IKE1_KDF_SHA2_512	= 6,
};

enum {
	IKE1_COOKIE_LEN		= 8,
	IKE1_HASH_MAX		= 64,	/* bytes of hash and prf output, at most (SHA2-512) */
	IKE1_BLOCK_MAX		= 16,	/* cipher block, at most (AES) */
	IKE1_KEYMAT_MAX		= 255 * IKE1_HASH_MAX,
};

/* Output bytes of hash (and of its HMAC, the prf); 0 for a hash we do not have. */
size_t	ike1_hash_len(uint16_t hash);

/* prf(key, in[0] | ... | in[n_in - 1]) = HMAC-hash, ike1_hash_len(hash) bytes into out.  -1 for
 * an unknown hash or an OpenSSL failure. */
int	ike1_prf(uint16_t hash, struct ike_chunk key, const struct ike_chunk *in, size_t n_in,
	    uint8_t *out);

/* §5: SKEYID = prf(pre-shared-key, Ni_b | Nr_b). */
int	ike1_kdf_skeyid_psk(uint16_t hash, struct ike_chunk psk, struct ike_chunk ni_b,
	    struct ike_chunk nr_b, struct key *skeyid);

/* §5: SKEYID = prf(Ni_b | Nr_b, g^xy), for signatures.  -1 on a nonce above IKE_NONCE_MAX. */
int	ike1_kdf_skeyid_sig(uint16_t hash, struct ike_chunk ni_b, struct ike_chunk nr_b,
	    struct ike_chunk gxy, struct key *skeyid);

/* The keys of one ISAKMP SA. */
struct ike1_sa_keys {
	struct key	skeyid;		/* HASH_I / HASH_R */
	struct key	d;		/* SKEYID_d: quick mode's KEYMAT */
	struct key	a;		/* SKEYID_a: HASH(1..3), informational HASH(1) */
	struct key	e;		/* SKEYID_e */
	struct key	enc;		/* the cipher key made from SKEYID_e (Appendix B) */
};

/* §5:	SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0)
 *	SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1)
 *	SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2)
 * and enc the first enc_len bytes of ike1_kdf_enc_key(SKEYID_e) (DES 8, 3DES 24, AES 16, 24
 * or 32).  skeyid is copied into k.  -1 on an enc_len above a struct key, or as ike1_prf. */
int	ike1_kdf_sa_keys(uint16_t hash, const struct key *skeyid, struct ike_chunk gxy,
	    const uint8_t cky_i[IKE1_COOKIE_LEN], const uint8_t cky_r[IKE1_COOKIE_LEN],
	    size_t enc_len, struct ike1_sa_keys *k);
void	ike1_sa_keys_wipe(struct ike1_sa_keys *k);

/* Appendix B: the cipher key from SKEYID_e: its first len bytes when the prf's output is at
 * least that long, else the first len bytes of K1 | K2 | ..., K1 = prf(SKEYID_e, 0) (one zero
 * octet), Kn = prf(SKEYID_e, Kn-1).  len bytes into out (at most IKE1_KEYMAT_MAX). */
int	ike1_kdf_enc_key(uint16_t hash, const struct key *skeyid_e, uint8_t *out, size_t len);

/* The expansion of quick mode's KEYMAT (§5.5): K1 = prf(key, seed), Kn = prf(key, Kn-1 |
 * seed), the seed being seed[0 .. n_seed) concatenated (at most 6 parts); len bytes of
 * K1 | K2 | ... into out (at most IKE1_KEYMAT_MAX).  ike1_kdf_keymat() is this with its seed. */
int	ike1_kdf_expand(uint16_t hash, struct ike_chunk key, const struct ike_chunk *seed,
	    size_t n_seed, uint8_t *out, size_t len);

/* §5.5: KEYMAT of the SA of spi (the SPI in the SA payload's proposal, that is the one the
 * receiving end chose: each end's inbound SA is keyed by its own SPI) and protocol proto (ISAKMP
 * protocol ID: 2 AH, 3 ESP): K1 | K2 | ..., K1 = prf(SKEYID_d, [g(qm)^xy |] protocol | SPI |
 * Ni_b | Nr_b), Kn = prf(SKEYID_d, Kn-1 | [g(qm)^xy |] protocol | SPI | Ni_b | Nr_b), with PFS
 * when gxy.len > 0.  len bytes into keymat, the encryption key first, then the
 * authentication key; the caller cuts it and wipes it. */
int	ike1_kdf_keymat(uint16_t hash, const struct key *skeyid_d, struct ike_chunk gxy,
	    uint8_t proto, uint32_t spi, struct ike_chunk ni_b, struct ike_chunk nr_b,
	    uint8_t *keymat, size_t len);

/* §5:	HASH_I = prf(SKEYID, g^xi | g^xr | CKY-I | CKY-R | SAi_b | IDii_b)
 *	HASH_R = prf(SKEYID, g^xr | g^xi | CKY-R | CKY-I | SAi_b | IDir_b)
 * (main and aggressive mode; signed for rsa-sig).  gx_own is the sender's KE data and id_b its
 * ID payload body, so one call serves both: initiator = (g^xi, g^xr, CKY-I, CKY-R), responder =
 * (g^xr, g^xi, CKY-R, CKY-I); sa_i_b is the initiator's SA body either way.
 * ike1_hash_len(hash) bytes into out; a received one is compared with CRYPTO_memcmp. */
int	ike1_kdf_hash_auth(uint16_t hash, const struct key *skeyid, struct ike_chunk gx_own,
	    struct ike_chunk gx_peer, const uint8_t cky_own[IKE1_COOKIE_LEN],
	    const uint8_t cky_peer[IKE1_COOKIE_LEN], struct ike_chunk sa_i_b,
	    struct ike_chunk id_b, uint8_t *out);

/* §5 and Appendix B: the phase 1 IV = hash(g^xi | g^xr), its first block_len bytes into iv. */
int	ike1_kdf_iv1(uint16_t hash, struct ike_chunk gxi, struct ike_chunk gxr, size_t block_len,
	    uint8_t *iv);

/* Appendix B: the first IV of a quick mode or informational exchange of message ID mid =
 * hash(last | M-ID), last being the last CBC output block of phase 1 (the final phase 1
 * message's last ciphertext block), M-ID the 4 octets of the ISAKMP header; block_len bytes. */
int	ike1_kdf_iv2(uint16_t hash, struct ike_chunk last, uint32_t mid, size_t block_len,
	    uint8_t *iv);

/* §5.5	HASH(1) = prf(SKEYID_a, M-ID | rest), rest being the message after the HASH payload
 *	(SA | Ni [| KE] [| IDci | IDcr], every payload with its generic header); the same formula
 *	is §5.7's informational HASH(1) = prf(SKEYID_a, M-ID | N/D).
 *	HASH(2) = prf(SKEYID_a, M-ID | Ni_b | rest)
 *	HASH(3) = prf(SKEYID_a, 0 | M-ID | Ni_b | Nr_b)
 * ike1_hash_len(hash) bytes into out. */
int	ike1_kdf_qm_hash1(uint16_t hash, const struct key *skeyid_a, uint32_t mid,
	    struct ike_chunk rest, uint8_t *out);
int	ike1_kdf_qm_hash2(uint16_t hash, const struct key *skeyid_a, uint32_t mid,
	    struct ike_chunk ni_b, struct ike_chunk rest, uint8_t *out);
int	ike1_kdf_qm_hash3(uint16_t hash, const struct key *skeyid_a, uint32_t mid,
	    struct ike_chunk ni_b, struct ike_chunk nr_b, uint8_t *out);
int	ike1_kdf_info_hash(uint16_t hash, const struct key *skeyid_a, uint32_t mid,
	    struct ike_chunk rest, uint8_t *out);

#endif
