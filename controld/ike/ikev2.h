/* SPDX-License-Identifier: Apache-2.0 */
/* ikev2.h: IKEv2 wire constants (RFC 7296 §3 and IANA's "IKEv2 Parameters" registry) and the
 * byte range every ike/ module passes around.  Values are the numbers on the wire, so a field
 * read from a message compares against them directly.  Nothing here has state. */
#ifndef GW_IKE_IKEV2_H
#define GW_IKE_IKEV2_H

#include <stddef.h>
#include <stdint.h>

/* Bytes owned by someone else: into a received message, a key, a buffer of the caller's. */
struct ike_chunk {
	const uint8_t	*p;
	size_t		len;
};

enum {
	IKE_VERSION	= 0x20,		/* major 2, minor 0 (§3.1) */
	IKE_SPI_LEN	= 8,
	IKE_NONCE_MIN	= 16,		/* §3.9 */
	IKE_NONCE_MAX	= 256,
};

enum ike_exchange {			/* §3.1 Exchange Type */
	IKE_SA_INIT		= 34,
	IKE_AUTH		= 35,
	IKE_CREATE_CHILD_SA	= 36,
	IKE_INFORMATIONAL	= 37,
};

enum {					/* §3.1 Flags */
	IKE_F_INITIATOR	= 0x08,		/* sent by the IKE SA's original initiator */
	IKE_F_VERSION	= 0x10,		/* sender could speak a higher major version */
	IKE_F_RESPONSE	= 0x20,
	IKE_F_ALL	= 0x38,		/* others reserved: sent as zero, ignored */
};

enum ike_pl_type {			/* §3.2 Next Payload */
	IKE_PL_NONE	= 0,
	IKE_PL_SA	= 33,
	IKE_PL_KE	= 34,
	IKE_PL_IDI	= 35,
	IKE_PL_IDR	= 36,
	IKE_PL_CERT	= 37,
	IKE_PL_CERTREQ	= 38,
	IKE_PL_AUTH	= 39,
	IKE_PL_NONCE	= 40,
	IKE_PL_NOTIFY	= 41,
	IKE_PL_DELETE	= 42,
	IKE_PL_VENDOR	= 43,
	IKE_PL_TSI	= 44,
	IKE_PL_TSR	= 45,
	IKE_PL_SK	= 46,
	IKE_PL_CP	= 47,
	IKE_PL_EAP	= 48,
	IKE_PL_SKF	= 53,		/* RFC 7383 encrypted fragment */
};

enum {
	IKE_PL_CRITICAL	= 0x80,		/* §3.2 C bit, byte after Next Payload */
};

enum ike_proto {			/* §3.3.1 Protocol ID */
	IKE_PROTO_IKE	= 1,
	IKE_PROTO_AH	= 2,
	IKE_PROTO_ESP	= 3,
};

enum ike_xf_type {			/* §3.3.2 Transform Type */
	IKE_XF_ENCR	= 1,
	IKE_XF_PRF	= 2,
	IKE_XF_INTEG	= 3,
	IKE_XF_DH	= 4,
	IKE_XF_ESN	= 5,
};

enum ike_encr {				/* Transform Type 1 */
	IKE_ENCR_3DES			= 3,
	IKE_ENCR_NULL			= 11,
	IKE_ENCR_AES_CBC		= 12,
	IKE_ENCR_AES_CTR		= 13,
	IKE_ENCR_AES_GCM_8		= 18,
	IKE_ENCR_AES_GCM_12		= 19,
	IKE_ENCR_AES_GCM_16		= 20,
	IKE_ENCR_CHACHA20_POLY1305	= 28,
};

enum ike_prf_id {			/* Transform Type 2 */
	IKE_PRF_HMAC_MD5	= 1,
	IKE_PRF_HMAC_SHA1	= 2,
	IKE_PRF_AES128_XCBC	= 4,
	IKE_PRF_HMAC_SHA2_256	= 5,
	IKE_PRF_HMAC_SHA2_384	= 6,
	IKE_PRF_HMAC_SHA2_512	= 7,
};

enum ike_integ {			/* Transform Type 3 */
	IKE_INTEG_NONE			= 0,
	IKE_INTEG_HMAC_MD5_96		= 1,
	IKE_INTEG_HMAC_SHA1_96		= 2,
	IKE_INTEG_AES_XCBC_96		= 5,
	IKE_INTEG_HMAC_SHA2_256_128	= 12,
	IKE_INTEG_HMAC_SHA2_384_192	= 13,
	IKE_INTEG_HMAC_SHA2_512_256	= 14,
};

enum ike_dh_group {			/* Transform Type 4 */
	IKE_DH_NONE	= 0,
	IKE_DH_MODP768	= 1,		/* RFC 2409 §6.1: IKEv1's Oakley group 1 only */
	IKE_DH_MODP1024	= 2,		/* RFC 2409 §6.2 */
	IKE_DH_MODP1536	= 5,		/* RFC 3526 */
	IKE_DH_MODP2048	= 14,
	IKE_DH_MODP3072	= 15,
	IKE_DH_MODP4096	= 16,
	IKE_DH_ECP256	= 19,		/* RFC 5903 */
	IKE_DH_ECP384	= 20,
	IKE_DH_ECP521	= 21,
	IKE_DH_X25519	= 31,		/* RFC 8031 */
};

enum {
	IKE_ATTR_KEY_LEN	= 14,	/* §3.3.5, TV format, bits */
	IKE_ATTR_TV		= 0x8000,
};

enum ike_id_type {			/* §3.5 */
	IKE_ID_IPV4_ADDR	= 1,
	IKE_ID_FQDN		= 2,
	IKE_ID_RFC822_ADDR	= 3,
	IKE_ID_IPV6_ADDR	= 5,
	IKE_ID_DER_ASN1_DN	= 9,
	IKE_ID_DER_ASN1_GN	= 10,
	IKE_ID_KEY_ID		= 11,
};

enum ike_auth_method {			/* §3.8 */
	IKE_AUTH_RSA_SIG	= 1,
	IKE_AUTH_PSK		= 2,	/* Shared Key Message Integrity Code */
	IKE_AUTH_DSS_SIG	= 3,
	IKE_AUTH_DIGITAL_SIG	= 14,	/* RFC 7427 */
};

enum ike_ts_type {			/* §3.13.1 */
	IKE_TS_IPV4_RANGE	= 7,
	IKE_TS_IPV6_RANGE	= 8,
};

enum ike_notify {			/* §3.10.1; errors below 16384, status from 16384 */
	IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD	= 1,
	IKE_N_INVALID_IKE_SPI			= 4,
	IKE_N_INVALID_MAJOR_VERSION		= 5,
	IKE_N_INVALID_SYNTAX			= 7,
	IKE_N_INVALID_MESSAGE_ID		= 9,
	IKE_N_INVALID_SPI			= 11,
	IKE_N_NO_PROPOSAL_CHOSEN		= 14,
	IKE_N_INVALID_KE_PAYLOAD		= 17,
	IKE_N_AUTHENTICATION_FAILED		= 24,
	IKE_N_SINGLE_PAIR_REQUIRED		= 34,
	IKE_N_NO_ADDITIONAL_SAS			= 35,
	IKE_N_INTERNAL_ADDRESS_FAILURE		= 36,
	IKE_N_FAILED_CP_REQUIRED		= 37,
	IKE_N_TS_UNACCEPTABLE			= 38,
	IKE_N_INVALID_SELECTORS			= 39,
	IKE_N_TEMPORARY_FAILURE			= 43,
	IKE_N_CHILD_SA_NOT_FOUND		= 44,
	IKE_N_INITIAL_CONTACT			= 16384,
	IKE_N_SET_WINDOW_SIZE			= 16385,
	IKE_N_ADDITIONAL_TS_POSSIBLE		= 16386,
	IKE_N_IPCOMP_SUPPORTED			= 16387,
	IKE_N_NAT_DETECTION_SOURCE_IP		= 16388,
	IKE_N_NAT_DETECTION_DESTINATION_IP	= 16389,
	IKE_N_COOKIE				= 16390,
	IKE_N_USE_TRANSPORT_MODE		= 16391,
	IKE_N_REKEY_SA				= 16393,
	IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED	= 16394,
	IKE_N_NON_FIRST_FRAGMENTS_ALSO		= 16395,
	IKE_N_IKEV2_FRAGMENTATION_SUPPORTED	= 16430,	/* RFC 7383 */
	IKE_N_SIGNATURE_HASH_ALGORITHMS		= 16431,	/* RFC 7427 */
};

#endif
