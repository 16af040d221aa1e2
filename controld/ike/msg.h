/* SPDX-License-Identifier: Apache-2.0 */
/* msg.h: the IKEv2 message codec (RFC 7296 §3), pure functions over bytes.  A parsed message is
 * a struct ike_msg that points into the caller's buffer: the header, the payloads in order, and
 * for SA and TS payloads their proposals, transforms and selectors in per-message pools of
 * fixed size, so parsing allocates nothing and bounds what one datagram can make us hold
 * (docs/design.md "IKE", Untrusted input).  Building is the reverse, into a caller's buffer; a
 * message built from what parsing gave is the same struct when parsed again (msg_fuzz.c checks it).
 *
 * The Encrypted payload (§3.14) is framing only here: parsing keeps its body (IV, ciphertext,
 * ICV) opaque; sk.c opens it and ike_msg_parse_inner() adds what was inside.  Building writes
 * the inner payloads in the clear after the Encrypted payload's header for ike_sk_seal(). */
#ifndef GW_IKE_MSG_H
#define GW_IKE_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "controld/ike/ikev2.h"

enum {
	IKE_HDR_LEN	= 28,
	IKE_PL_HDR_LEN	= 4,
	IKE_MSG_MAX_PL	= 48,		/* payloads of a message, outer and inner */
	IKE_MSG_MAX_PROP = 64,		/* proposals of all SA payloads of one message */
	IKE_MSG_MAX_XF	= 256,		/* transforms of all those proposals */
	IKE_MSG_MAX_TS	= 32,		/* traffic selectors of all TS payloads */
};

/* Why a message was refused: the name, the notification to answer with (RFC 7296 §2.21; 0:
 * drop it silently) and the words for "debug crypto ikev2".  The state machine decides whether
 * it answers at all (never to a response; to unauthenticated requests as §2.21.1 says). */
#define IKE_PERR_LIST(X)							\
	X(SHORT,	0,	"shorter than the IKE header")			\
	X(OLD_VERSION,	0,	"major version below 2 (IKEv1)")		\
	X(VERSION,	IKE_N_INVALID_MAJOR_VERSION,				\
			"major version above 2")				\
	X(LENGTH,	0,	"IKE header length is not the datagram's")	\
	X(TRUNCATED,	IKE_N_INVALID_SYNTAX,					\
			"a payload length below 4 or past the end")		\
	X(TRAILING,	IKE_N_INVALID_SYNTAX,					\
			"bytes after the last payload")				\
	X(CRITICAL,	IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD,			\
			"unknown payload type marked critical")			\
	X(SK_NOT_LAST,	IKE_N_INVALID_SYNTAX,					\
			"Encrypted payload not last, or inside another")	\
	X(SYNTAX,	IKE_N_INVALID_SYNTAX,					\
			"malformed payload body")				\
	X(TOO_MANY,	0,						\
			"more payloads, proposals, transforms or selectors than we keep")

enum ike_perr {
	IKE_PERR_OK = 0,
#define X(n, notify, text) IKE_PERR_##n,
	IKE_PERR_LIST(X)
#undef X
	IKE_PERR_MAX
};

struct ike_hdr {
	uint8_t		spi_i[IKE_SPI_LEN];
	uint8_t		spi_r[IKE_SPI_LEN];
	uint8_t		version;	/* IKE_VERSION */
	uint8_t		exchange;	/* enum ike_exchange */
	uint8_t		flags;		/* IKE_F_*, reserved bits cleared */
	uint32_t	msg_id;
	uint8_t		next;		/* set by parsing; building computes it */
	uint32_t	length;		/* set by parsing; building computes it */
};

struct ike_transform {
	uint8_t		type;		/* enum ike_xf_type */
	uint16_t	id;
	uint16_t	key_len;	/* Key Length attribute, bits; 0: none */
	/* Set only when the attributes are not just one Key Length: all of them, verbatim, and
	 * building writes them instead of key_len.  Such a transform has an attribute we do not
	 * know and must be skipped (§3.3.6). */
	struct ike_chunk attrs;
};

struct ike_proposal {
	uint8_t		num;		/* Proposal Num */
	uint8_t		proto;		/* enum ike_proto */
	struct ike_chunk spi;		/* SPI Size bytes: 0 or 8 for IKE, 4 for ESP and AH */
	uint16_t	xf;		/* its transforms: m->xf[xf .. xf + n_xf) */
	uint16_t	n_xf;
};

struct ike_ts {
	uint8_t		type;		/* IKE_TS_IPV4_RANGE (4-byte addresses), _IPV6_RANGE */
	uint8_t		proto;		/* IP protocol; 0 = any */
	uint16_t	sport, eport;	/* host order */
	uint8_t		start[16], end[16];	/* network order; unused bytes zero */
};

struct ike_payload {
	uint8_t		type;		/* enum ike_pl_type, or unknown and not critical */
	uint8_t		flags;		/* IKE_PL_CRITICAL as received or to send */
	bool		inner;		/* inside the Encrypted payload */
	struct ike_chunk body;		/* parsing only: what follows the generic header */
	union {
		struct { uint16_t prop, n_prop; } sa;	/* m->prop[prop .. prop + n_prop) */
		struct { uint16_t group; struct ike_chunk data; } ke;
		struct { uint8_t type; struct ike_chunk data; } id;	/* IDi, IDr */
		struct { uint8_t method; struct ike_chunk data; } auth;
		struct { struct ike_chunk data; } nonce;
		struct {
			uint8_t		proto;
			uint16_t	type;		/* enum ike_notify */
			struct ike_chunk spi, data;
		} notify;
		struct {
			uint8_t		proto, spi_size;
			uint16_t	n_spi;
			struct ike_chunk spis;		/* n_spi * spi_size bytes */
		} del;
		struct { uint16_t ts, n_ts; } ts;		/* m->ts[ts .. ts + n_ts) */
		struct {
			uint8_t		first;	/* type of the first inner payload */
			struct ike_chunk body;	/* IV, ciphertext, ICV (SKF: numbers first) */
		} sk;						/* SK and SKF */
		struct ike_chunk raw;	/* CERT, CERTREQ, V, CP, EAP, unknown: the body */
	} u;
};

struct ike_msg {
	struct ike_hdr		hdr;
	uint16_t		n_pl, n_prop, n_xf, n_ts;
	uint32_t		err_off;	/* on a parse error: offset of the bad payload */
	uint8_t			err_type;	/* its type: UNSUPPORTED_CRITICAL_PAYLOAD data */
	struct ike_payload	pl[IKE_MSG_MAX_PL];
	struct ike_proposal	prop[IKE_MSG_MAX_PROP];
	struct ike_transform	xf[IKE_MSG_MAX_XF];
	struct ike_ts		ts[IKE_MSG_MAX_TS];
};

/* Parse one IKE message (the UDP payload, the non-ESP marker of port 4500 already stripped).
 * m then points into buf: keep buf unchanged while m is in use.  Parsing stops at an Encrypted
 * payload, which must be the last.  IKE_PERR_OK, or why the message is bad with m->err_off and
 * m->err_type saying where; never reads outside buf[0 .. len). */
enum ike_perr	ike_msg_parse(struct ike_msg *m, const uint8_t *buf, size_t len);

/* Add the payloads found inside m's Encrypted payload, once ike_sk_open() has left them in
 * plain[0 .. len) (again borrowed), as inner payloads after the others.  Same results. */
enum ike_perr	ike_msg_parse_inner(struct ike_msg *m, const uint8_t *plain, size_t len);

/* Write m into buf[0 .. cap): the header, the outer payloads in order, then after the
 * Encrypted payload's generic header either its inner payloads in the clear, none at all when
 * its body is {NULL, 0} as ike_msg_add() leaves it (for ike_sk_seal(), which needs *sk_off,
 * the offset of that header), or, a parsed one with no inner payloads, the body it came with.
 * Every Next Payload and length is computed here.
 * *sk_off is 0 when there is no Encrypted payload (sk_off may be NULL).  -1 when the message
 * does not fit in cap or m is inconsistent (pool indices out of range, a field too long for
 * its length field, inner payloads without an Encrypted payload, that one not last). */
int		ike_msg_build(const struct ike_msg *m, uint8_t *buf, size_t cap, size_t *len,
		    size_t *sk_off);

/* Building a message: start it, then append payloads, and for SA and TS payloads their
 * proposals, transforms and selectors, each right after the previous (a proposal's transforms
 * are contiguous in the pool).  NULL when a pool is full or the order is broken. */
void			ike_msg_init(struct ike_msg *m, const uint8_t spi_i[IKE_SPI_LEN],
			    const uint8_t spi_r[IKE_SPI_LEN], uint8_t exchange, uint8_t flags,
			    uint32_t msg_id);
struct ike_payload	*ike_msg_add(struct ike_msg *m, uint8_t type, bool inner);
struct ike_proposal	*ike_msg_add_proposal(struct ike_msg *m, struct ike_payload *sa,
			    uint8_t num, uint8_t proto, struct ike_chunk spi);
struct ike_transform	*ike_msg_add_transform(struct ike_msg *m, struct ike_proposal *p,
			    uint8_t type, uint16_t id, uint16_t key_len);
struct ike_ts		*ike_msg_add_ts(struct ike_msg *m, struct ike_payload *tsp);

/* The next payload of type after `after` (NULL: from the first), outer or inner; NULL if none. */
const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type,
			    const struct ike_payload *after);
const struct ike_payload *ike_msg_find_notify(const struct ike_msg *m, uint16_t type);

/* Same content: header, payloads in order, their proposals, transforms and selectors (byte
 * ranges compared by value, payload bodies and pool positions not at all). */
bool		ike_msg_equal(const struct ike_msg *a, const struct ike_msg *b);

/* "IKE_AUTH request 1 [ SK { IDi N(INITIAL_CONTACT) AUTH SA TSi TSr } ]" into buf (always
 * terminated, cut to cap); returns buf. */
char		*ike_msg_summary(const struct ike_msg *m, char *buf, size_t cap);

const char	*ike_perr_text(enum ike_perr e);
uint16_t	ike_perr_notify(enum ike_perr e);	/* enum ike_notify; 0: drop silently */

#endif
