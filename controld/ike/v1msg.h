/* SPDX-License-Identifier: Apache-2.0 */
/* v1msg.h: the IKEv1 / ISAKMP message codec (RFC 2408 §3 with the IPsec DOI of RFC 2407, the
 * attributes of RFC 2409 Appendix A, NAT-D and NAT-OA of RFC 3947, the DPD notifies of RFC 3706),
 * pure functions over bytes with no protocol state.  A parsed message is a struct v1_msg that
 * points into the caller's buffer: the header, the payloads in order, and for SA payloads their
 * proposals, transforms and attributes in per-message pools of fixed size, so parsing allocates
 * nothing and bounds what one datagram can make us hold (docs/design.md "IKE", Untrusted input).
 * Building is the reverse, into a caller's buffer; what parsing gave builds to bytes that parse
 * to the same struct (v1msg_fuzz.c checks it).
 *
 * Encryption (the E flag, RFC 2408 §3.1) is framing only here: parsing an encrypted message keeps
 * everything after the header opaque (enc); the caller decrypts it (CBC, IV chaining: RFC 2409
 * Appendix B) and v1_msg_parse_inner() reads the payloads.  Building writes the payloads in the
 * clear after the header, v1_msg_pad() pads them for the cipher, and the caller encrypts
 * buf[V1_HDR_LEN .. len) in place; a message with no payloads but an enc body is built around
 * that body (a ciphertext made elsewhere, or a retransmission). */
#ifndef GW_IKE_V1MSG_H
#define GW_IKE_V1MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "controld/ike/ikev2.h"		/* struct ike_chunk */

enum {
	V1_HDR_LEN	= 28,
	V1_PL_HDR_LEN	= 4,
	V1_COOKIE_LEN	= 8,
	V1_VERSION	= 0x10,		/* major 1, minor 0 */
	V1_MSG_MAX_PL	= 32,		/* payloads of a message */
	V1_MSG_MAX_PROP	= 32,		/* proposals of all SA payloads of one message */
	V1_MSG_MAX_XF	= 128,		/* transforms of all those proposals */
	V1_MSG_MAX_ATTR	= 1024,		/* attributes of all those transforms */
};

/* RFC 2408 §3.1 exchange types, RFC 2409 §5 and §5.5 */
enum v1_exchange {
	V1_X_BASE	= 1,
	V1_X_ID_PROT	= 2,		/* main mode */
	V1_X_AUTH_ONLY	= 3,
	V1_X_AGGRESSIVE	= 4,
	V1_X_INFO	= 5,
	V1_X_QUICK	= 32,
	V1_X_NEW_GROUP	= 33,
};

enum v1_flags {					/* RFC 2408 §3.1 */
	V1_F_ENCRYPTED	= 0x01,
	V1_F_COMMIT	= 0x02,
	V1_F_AUTH_ONLY	= 0x04,
	V1_F_ALL	= 0x07,
};

/* RFC 2408 §3.1 payload types; NAT-D and NAT-OA of RFC 3947 §3.2, §5.2, and their numbers of
 * the drafts some peers still send (kept, read the same way). */
enum v1_pl_type {
	V1_PL_NONE	= 0,
	V1_PL_SA	= 1,
	V1_PL_PROPOSAL	= 2,		/* inside SA only */
	V1_PL_TRANSFORM	= 3,		/* inside a proposal only */
	V1_PL_KE	= 4,
	V1_PL_ID	= 5,
	V1_PL_CERT	= 6,
	V1_PL_CR	= 7,
	V1_PL_HASH	= 8,
	V1_PL_SIG	= 9,
	V1_PL_NONCE	= 10,
	V1_PL_NOTIFY	= 11,
	V1_PL_DELETE	= 12,
	V1_PL_VENDOR	= 13,
	V1_PL_NATD	= 20,
	V1_PL_NATOA	= 21,
	V1_PL_NATD_DRAFT = 130,
	V1_PL_NATOA_DRAFT = 131,
	V1_PL_PRIVATE	= 128,		/* 128 .. 255: private use, kept unread */
};

enum { V1_DOI_IPSEC = 1, V1_SIT_IDENTITY_ONLY = 1 };	/* RFC 2407 §4.2 */

enum v1_proto {					/* RFC 2407 §4.4.1 */
	V1_PROTO_ISAKMP	= 1,
	V1_PROTO_AH	= 2,
	V1_PROTO_ESP	= 3,
	V1_PROTO_IPCOMP	= 4,
};

enum { V1_KEY_IKE = 1 };			/* RFC 2407 §4.4.2: the phase 1 transform */

enum v1_esp_id {				/* RFC 2407 §4.4.4, RFC 3602 */
	V1_ESP_DES	= 2,
	V1_ESP_3DES	= 3,
	V1_ESP_NULL	= 11,
	V1_ESP_AES	= 12,
};

enum v1_ah_id {					/* RFC 2407 §4.4.3, RFC 4868 */
	V1_AH_MD5	= 2,
	V1_AH_SHA	= 3,
	V1_AH_SHA2_256	= 5,
	V1_AH_SHA2_384	= 6,
	V1_AH_SHA2_512	= 7,
};

/* RFC 2409 Appendix A: phase 1 attribute classes and values */
enum v1_p1_attr {
	V1_A1_ENCR	= 1,
	V1_A1_HASH	= 2,
	V1_A1_AUTH	= 3,
	V1_A1_GROUP	= 4,
	V1_A1_GROUP_TYPE = 5,
	V1_A1_LIFE_TYPE	= 11,
	V1_A1_LIFE_DUR	= 12,		/* variable */
	V1_A1_PRF	= 13,
	V1_A1_KEY_LEN	= 14,
};

enum { V1_ENCR_DES = 1, V1_ENCR_3DES = 5, V1_ENCR_AES = 7 };
enum { V1_HASH_MD5 = 1, V1_HASH_SHA = 2, V1_HASH_SHA2_256 = 4, V1_HASH_SHA2_384 = 5,
	V1_HASH_SHA2_512 = 6 };
enum { V1_AUTH_PSK = 1, V1_AUTH_DSS = 2, V1_AUTH_RSA_SIG = 3 };
enum { V1_LIFE_SECONDS = 1, V1_LIFE_KILOBYTES = 2 };	/* phase 1 and phase 2 alike */

/* RFC 2407 §4.5: phase 2 (IPsec SA) attribute classes and values */
enum v1_p2_attr {
	V1_A2_LIFE_TYPE	= 1,
	V1_A2_LIFE_DUR	= 2,		/* variable */
	V1_A2_GROUP	= 3,
	V1_A2_ENCAP	= 4,
	V1_A2_AUTH	= 5,
	V1_A2_KEY_LEN	= 6,
	V1_A2_KEY_ROUNDS = 7,
};

enum v1_encap {					/* RFC 2407 §4.5, RFC 3947 §5.1 */
	V1_ENCAP_TUNNEL		= 1,
	V1_ENCAP_TRANSPORT	= 2,
	V1_ENCAP_UDP_TUNNEL	= 3,
	V1_ENCAP_UDP_TRANSPORT	= 4,
	V1_ENCAP_UDP_TUNNEL_DRAFT = 61443,
	V1_ENCAP_UDP_TRANSPORT_DRAFT = 61444,
};

enum v1_aalg {					/* RFC 2407 §4.5 Authentication Algorithm */
	V1_AALG_HMAC_MD5 = 1, V1_AALG_HMAC_SHA = 2, V1_AALG_HMAC_SHA2_256 = 5,
	V1_AALG_HMAC_SHA2_384 = 6, V1_AALG_HMAC_SHA2_512 = 7,
};

enum v1_id_type {				/* RFC 2407 §4.6.2.1 */
	V1_ID_IPV4_ADDR		= 1,
	V1_ID_FQDN		= 2,
	V1_ID_USER_FQDN		= 3,
	V1_ID_IPV4_ADDR_SUBNET	= 4,
	V1_ID_IPV6_ADDR		= 5,
	V1_ID_IPV6_ADDR_SUBNET	= 6,
	V1_ID_IPV4_ADDR_RANGE	= 7,
	V1_ID_IPV6_ADDR_RANGE	= 8,
	V1_ID_DER_ASN1_DN	= 9,
	V1_ID_KEY_ID		= 11,
};

enum v1_notify {				/* RFC 2408 §3.14.1, RFC 2407 §4.6.3, RFC 3706 */
	V1_N_INVALID_PAYLOAD_TYPE	= 1,
	V1_N_DOI_NOT_SUPPORTED		= 2,
	V1_N_SITUATION_NOT_SUPPORTED	= 3,
	V1_N_INVALID_COOKIE		= 4,
	V1_N_INVALID_MAJOR_VERSION	= 5,
	V1_N_INVALID_EXCHANGE_TYPE	= 7,
	V1_N_INVALID_FLAGS		= 8,
	V1_N_INVALID_MESSAGE_ID		= 9,
	V1_N_INVALID_PROTOCOL_ID	= 10,
	V1_N_INVALID_SPI		= 11,
	V1_N_INVALID_TRANSFORM_ID	= 12,
	V1_N_ATTRIBUTES_NOT_SUPPORTED	= 13,
	V1_N_NO_PROPOSAL_CHOSEN		= 14,
	V1_N_BAD_PROPOSAL_SYNTAX	= 15,
	V1_N_PAYLOAD_MALFORMED		= 16,
	V1_N_INVALID_KEY_INFORMATION	= 17,
	V1_N_INVALID_ID_INFORMATION	= 18,
	V1_N_INVALID_HASH_INFORMATION	= 23,
	V1_N_AUTHENTICATION_FAILED	= 24,
	V1_N_INVALID_SIGNATURE		= 25,
	V1_N_UNEQUAL_PAYLOAD_LENGTHS	= 30,
	V1_N_CONNECTED			= 16384,
	V1_N_RESPONDER_LIFETIME		= 24576,
	V1_N_REPLAY_STATUS		= 24577,
	V1_N_INITIAL_CONTACT		= 24578,
	V1_N_R_U_THERE			= 36136,
	V1_N_R_U_THERE_ACK		= 36137,
};

/* Why a message was refused: the name, the notification to answer with (RFC 2408 §3.14.1; 0:
 * drop it silently) and the words for "debug crypto isakmp".  The state machine decides whether
 * it answers at all (RFC 2408 §5: never to an unauthenticated message in a way that costs us). */
#define V1_PERR_LIST(X)								\
	X(SHORT,	0,	"shorter than the ISAKMP header")			\
	X(VERSION,	V1_N_INVALID_MAJOR_VERSION, "major version is not 1")		\
	X(LENGTH,	V1_N_UNEQUAL_PAYLOAD_LENGTHS,					\
			"ISAKMP header length is not the datagram's")			\
	X(TRUNCATED,	V1_N_PAYLOAD_MALFORMED,						\
			"a payload length below 4 or past the end")			\
	X(TRAILING,	V1_N_PAYLOAD_MALFORMED, "bytes after the last payload")	\
	X(PAYLOAD_TYPE,	V1_N_INVALID_PAYLOAD_TYPE,					\
			"a Next Payload that is unknown or out of place")		\
	X(EMPTY,	V1_N_PAYLOAD_MALFORMED,						\
			"a payload without the body its type requires")		\
	X(SYNTAX,	V1_N_PAYLOAD_MALFORMED, "malformed payload body")		\
	X(DOI,		V1_N_DOI_NOT_SUPPORTED, "DOI is not IPsec (1)")			\
	X(SITUATION,	V1_N_SITUATION_NOT_SUPPORTED,					\
			"situation is not SIT_IDENTITY_ONLY")				\
	X(PROPOSAL,	V1_N_BAD_PROPOSAL_SYNTAX,					\
			"malformed proposal, transform or attribute")			\
	X(ID,		V1_N_INVALID_ID_INFORMATION,					\
			"identification data of the wrong length for its type")	\
	X(ENCRYPTED,	0,	"encrypted payloads where none, or none where expected")	\
	X(TOO_MANY,	0,	"more payloads, proposals, transforms or attributes than we keep")

enum v1_perr {
	V1_PERR_OK = 0,
#define X(n, notify, text) V1_PERR_##n,
	V1_PERR_LIST(X)
#undef X
	V1_PERR_MAX
};

struct v1_hdr {
	uint8_t		icookie[V1_COOKIE_LEN];
	uint8_t		rcookie[V1_COOKIE_LEN];
	uint8_t		next;		/* building computes it, but around an enc body */
	uint8_t		version;	/* V1_VERSION */
	uint8_t		exchange;	/* enum v1_exchange */
	uint8_t		flags;		/* V1_F_*, unknown bits cleared */
	uint32_t	msg_id;
	uint32_t	length;		/* set by parsing; building computes it */
};

/* One data attribute (RFC 2408 §3.3).  TV (basic) form: value in 16 bits.  TLV (variable) form:
 * len bytes; when len <= 8 value holds them (a Life Duration of 4 bytes, say), longer ones are
 * in data.  Building writes what these say: TV 2 bytes, TLV len bytes of value or data. */
struct v1_attr {
	uint16_t	type;		/* the class, AF bit cleared */
	bool		tlv;
	uint16_t	len;		/* TLV: length of the value */
	uint64_t	value;
	struct ike_chunk data;		/* TLV longer than 8 bytes */
};

struct v1_transform {
	uint8_t		num;		/* Transform # */
	uint8_t		id;		/* Transform-Id: V1_KEY_IKE, enum v1_esp_id, v1_ah_id */
	uint16_t	attr;		/* its attributes: m->attr[attr .. attr + n_attr) */
	uint16_t	n_attr;
};

struct v1_proposal {
	uint8_t		num;		/* Proposal #: equal numbers are ANDed (AH+ESP) */
	uint8_t		proto;		/* enum v1_proto */
	struct ike_chunk spi;		/* 0 .. 16 bytes for ISAKMP, 4 for AH and ESP */
	uint16_t	xf;		/* its transforms: m->xf[xf .. xf + n_xf) */
	uint16_t	n_xf;
};

struct v1_payload {
	uint8_t		type;		/* enum v1_pl_type, or private use (128 and up) */
	struct ike_chunk body;		/* parsing only: what follows the generic header */
	union {
		struct {
			uint32_t	doi, situation;	/* V1_DOI_IPSEC, V1_SIT_IDENTITY_ONLY */
			uint16_t	prop, n_prop;	/* m->prop[prop .. prop + n_prop) */
		} sa;
		struct {
			uint8_t		type;		/* enum v1_id_type */
			uint8_t		proto;		/* IP protocol; 0 = any */
			uint16_t	port;		/* host order; 0 = any */
			struct ike_chunk data;		/* checked against type's length */
		} id;
		struct {
			uint32_t	doi;
			uint8_t		proto;
			uint16_t	type;		/* enum v1_notify */
			struct ike_chunk spi, data;
		} notify;
		struct {
			uint32_t	doi;
			uint8_t		proto, spi_size;
			uint16_t	n_spi;
			struct ike_chunk spis;		/* n_spi * spi_size bytes */
		} del;
		struct {
			uint8_t		type;		/* enum v1_id_type: IPv4 or IPv6 address */
			struct ike_chunk addr;		/* 4 or 16 bytes */
		} natoa;
		struct {
			uint8_t		encoding;	/* CERT: encoding, CR: certificate type */
			struct ike_chunk data;
		} cert;				/* CERT, CR */
		/* KE, HASH, SIG, NONCE, VENDOR, NAT-D, private use: the body */
		struct ike_chunk data;
	} u;
};

struct v1_msg {
	struct v1_hdr		hdr;
	uint16_t		n_pl, n_prop, n_xf, n_attr;
	struct ike_chunk	enc;		/* E flag: the body as received, to decrypt */
	bool			opened;		/* v1_msg_parse_inner() read the payloads */
	uint32_t		pad_len;	/* v1_msg_parse_inner(): bytes after the chain */
	uint32_t		err_off;	/* on a parse error: offset of the bad payload */
	uint8_t			err_type;	/* its type */
	struct v1_payload	pl[V1_MSG_MAX_PL];
	struct v1_proposal	prop[V1_MSG_MAX_PROP];
	struct v1_transform	xf[V1_MSG_MAX_XF];
	struct v1_attr		attr[V1_MSG_MAX_ATTR];
};

/* Parse one ISAKMP message (the UDP payload, the non-ESP marker of port 4500 already stripped).
 * m then points into buf: keep buf unchanged while m is in use.  With the E flag only the header
 * is read and the rest kept in m->enc.  V1_PERR_OK, or why the message is bad with m->err_off and
 * m->err_type saying where; never reads outside buf[0 .. len). */
enum v1_perr	v1_msg_parse(struct v1_msg *m, const uint8_t *buf, size_t len);

/* The payloads of an encrypted m, once the caller decrypted m->enc into plain[0 .. len) (again
 * borrowed): the chain from the header's Next Payload, then padding (m->pad_len bytes, of any
 * value: RFC 2409 does not say which).  Same results; V1_PERR_ENCRYPTED when m is not an
 * encrypted message or was already opened. */
enum v1_perr	v1_msg_parse_inner(struct v1_msg *m, const uint8_t *plain, size_t len);

/* Write m into buf[0 .. cap): the header, then its payloads in the clear (every Next Payload and
 * length computed here; flags as m says, E included), or, when m has an enc body it was not
 * opened (no v1_msg_parse_inner()) and no payloads, the header (hdr.next as given) and that
 * body.  -1 when the message does not fit in cap or m is inconsistent (pool indices out of
 * range, a field too long for its length field). */
int		v1_msg_build(const struct v1_msg *m, uint8_t *buf, size_t cap, size_t *len);

/* Pad the message built in buf[0 .. *len) with zero bytes so that its body (after the header) is
 * a whole number of block bytes, for the CBC encryption of RFC 2409 Appendix B, and set the
 * header's length to the new *len.  1 to block bytes, as strongSwan pads (a body already aligned
 * gets a whole block), so what we send looks like what it sends.  -1 when cap is too small,
 * *len is below the header or block is 0. */
int		v1_msg_pad(uint8_t *buf, size_t *len, size_t cap, size_t block);

/* Making a message: start it, then append payloads, and for SA payloads their proposals,
 * transforms and attributes, each right after the previous (the last SA, its last proposal, its
 * last transform).  v1_msg_add_attr() picks TV when value fits in 16 bits, else TLV of 4 or 8
 * bytes (RFC 2408 §3.3: a variable attribute may be basic when it fits; a basic one must stay
 * basic, the caller's to respect).  NULL when a pool is full or the order is broken. */
void			v1_msg_init(struct v1_msg *m, const uint8_t icookie[V1_COOKIE_LEN],
			    const uint8_t rcookie[V1_COOKIE_LEN], uint8_t exchange, uint8_t flags,
			    uint32_t msg_id);
struct v1_payload	*v1_msg_add(struct v1_msg *m, uint8_t type);
struct v1_proposal	*v1_msg_add_proposal(struct v1_msg *m, struct v1_payload *sa, uint8_t num,
			    uint8_t proto, struct ike_chunk spi);
struct v1_transform	*v1_msg_add_transform(struct v1_msg *m, struct v1_proposal *p,
			    uint8_t num, uint8_t id);
struct v1_attr		*v1_msg_add_attr(struct v1_msg *m, struct v1_transform *t, uint16_t type,
			    uint64_t value);

/* The next payload of type after `after` (NULL: from the first); NULL if none. */
const struct v1_payload *v1_msg_find(const struct v1_msg *m, uint8_t type,
			    const struct v1_payload *after);
const struct v1_payload *v1_msg_find_notify(const struct v1_msg *m, uint16_t type);

/* What a transform's attributes say, each known class at most once (durations may come once per
 * life type), values in range.  0, or -1 (V1_N_ATTRIBUTES_NOT_SUPPORTED to answer) when an
 * attribute is unknown, repeated, a Life Duration has no Life Type before it, or a basic one
 * came in TLV form; the policy then skips the transform. */
struct v1_phase1 {					/* RFC 2409 Appendix A */
	uint16_t	encr, hash, auth, group, key_len, prf;
	uint64_t	life_seconds, life_kilobytes;	/* 0: not given */
};
struct v1_phase2 {					/* RFC 2407 §4.5 */
	uint16_t	group, encap, auth, key_len, key_rounds;
	uint64_t	life_seconds, life_kilobytes;
};
int		v1_xf_phase1(const struct v1_msg *m, const struct v1_transform *t,
		    struct v1_phase1 *out);
int		v1_xf_phase2(const struct v1_msg *m, const struct v1_transform *t,
		    struct v1_phase2 *out);

/* Same content: header but its length (padding), the encrypted body of a message not opened,
 * payloads in order with their proposals, transforms and attributes (byte ranges compared by
 * value; payload bodies, pool positions, pad_len not). */
bool		v1_msg_equal(const struct v1_msg *a, const struct v1_msg *b);

/* "ID_PROT 0 [ SA V V V ]", "QUICK_MODE 432046066 [ encrypted 160 ]" into buf (always
 * terminated, cut to cap); returns buf. */
char		*v1_msg_summary(const struct v1_msg *m, char *buf, size_t cap);

const char	*v1_perr_text(enum v1_perr e);
uint16_t	v1_perr_notify(enum v1_perr e);		/* enum v1_notify; 0: drop silently */

#endif
