/* SPDX-License-Identifier: Apache-2.0 */
/* v1cbc.h: the encrypted body of an ISAKMP message (RFC 2409 §5 and Appendix B): CBC under the
 * key from SKEYID_e (ike1_kdf_cipher_key, v1kdf.h), no padding of its own (the sender pads
 * with v1_msg_pad, v1msg.h), and an IV that chains: the last ciphertext block of one message is
 * the IV of the next in phase 1; each informational or quick mode exchange starts from the IV
 * ike1_kdf_iv2 derives for its Message ID.  Pure functions; nothing kept. */
#ifndef GW_IKE_V1CBC_H
#define GW_IKE_V1CBC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { V1_CBC_BLOCK_MAX = 16 };

/* The block size of IKEv1 encryption algorithm encr (V1_ENCR_*: DES and 3DES 8, AES 16); 0
 * for one we do not do. */
size_t	v1_cbc_block(uint16_t encr);

/* in[0 .. len) encrypted (encrypt) or decrypted into out[0 .. len) (in == out is fine) with
 * encr under key[0 .. key_len) (DES 8, 3DES 24, AES 16, 24 or 32 bytes) from iv[0 .. block);
 * on success iv holds the last ciphertext block: the IV of what comes next in the chain.  0,
 * or -1 (iv untouched) for an algorithm or key length we do not do, a len that is not a
 * multiple of the block, or an OpenSSL failure. */
int	v1_cbc(uint16_t encr, const uint8_t *key, size_t key_len, uint8_t *iv,
	    const uint8_t *in, uint8_t *out, size_t len, bool encrypt);

#endif
