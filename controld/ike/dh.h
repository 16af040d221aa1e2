/* SPDX-License-Identifier: Apache-2.0 */
/* dh.h: the Diffie-Hellman groups of IKEv2 (the KE payload, RFC 7296 §3.4) over OpenSSL 3's
 * EVP_PKEY: MODP groups 2, 5, 14, 15, 16 (RFC 2409 §6.2, RFC 3526), ECP groups 19, 20, 21
 * (RFC 5903: the KE data is x | y, each the field's size, without SEC1's 0x04) and
 * Curve25519, group 31 (RFC 8031).  A peer's public value is checked before use: for MODP of
 * the modulus' length, within 1 < y < p - 1 and (groups 5 to 16) in g's subgroup, for ECP a
 * point of the curve, and for X25519 the all-zero shared secret of a small-order point is
 * refused (RFC 7748 §6.1).  A struct
 * ike_dh is one ephemeral key pair, used for one exchange and freed; shared secrets are in a
 * struct ike_dh_secret, which its owner wipes. */
#ifndef GW_IKE_DH_H
#define GW_IKE_DH_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/err.h"
#include "controld/ike/ikev2.h"

enum {
	IKE_DH_PUB_MAX		= 512,	/* KE data of MODP 4096 */
	IKE_DH_SECRET_MAX	= 512,
};

struct ike_dh {
	uint16_t	group;		/* enum ike_dh_group */
	EVP_PKEY	*key;		/* our key pair; NULL when none */
	uint16_t	pub_len;
	uint8_t		pub[IKE_DH_PUB_MAX];	/* our KE data */
};

/* g^ir: the MODP value padded to the modulus' length, ECP's x, X25519's 32 bytes. */
struct ike_dh_secret {
	uint16_t	len;
	uint8_t		b[IKE_DH_SECRET_MAX];
};

/* KE data bytes of group (as the peer must send it); 0 for a group we do not have. */
size_t	ike_dh_pub_len(uint16_t group);

/* Make a fresh key pair of group into dh and its KE data into dh->pub.  -1 with err on an
 * unknown group or an OpenSSL failure (dh then holds nothing to free). */
int	ike_dh_init(struct ike_dh *dh, uint16_t group, struct gw_err *err);

/* The same from a given private value, for known-answer tests: the MODP exponent or the ECP
 * scalar big-endian, the X25519 scalar as RFC 7748 writes it. */
int	ike_dh_init_private(struct ike_dh *dh, uint16_t group, struct ike_chunk priv,
	    struct gw_err *err);

/* Is pub an acceptable KE data of group: its exact length, and the checks above but the
 * X25519 one (that needs the derivation).  0, or -1 with the reason in err. */
int	ike_dh_check_public(uint16_t group, struct ike_chunk pub, struct gw_err *err);

/* g^ir from our key and the peer's KE data, checked as ike_dh_check_public() does and, for
 * X25519, refused when all zero.  -1 with err (s then wiped). */
int	ike_dh_derive(const struct ike_dh *dh, struct ike_chunk peer, struct ike_dh_secret *s,
	    struct gw_err *err);

void	ike_dh_free(struct ike_dh *dh);		/* a zeroed or freed dh: no-op */
void	ike_dh_secret_wipe(struct ike_dh_secret *s);

#endif
