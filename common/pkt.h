/* SPDX-License-Identifier: Apache-2.0 */
/* pkt.h: one packet buffer and the wire headers.  Buffers come from a per-worker pool made at
 * start (docs/design.md invariant 6), with headroom for outer IP + ESP/AH header + IV and tailroom
 * for padding + ICV, so encapsulation never copies the payload. */
#ifndef GW_PKT_H
#define GW_PKT_H

#include <stdint.h>

enum {
	PKT_HEADROOM	= 128,
	PKT_MAX		= 2048,		/* largest IP packet we carry */
	PKT_TAILROOM	= 128,
	PKT_BUF		= PKT_HEADROOM + PKT_MAX + PKT_TAILROOM,
};

enum {
	IPPROTO_ESP_	= 50,
	IPPROTO_AH_	= 51,
	IPPROTO_IPIP_	= 4,
	UDP_ENCAP_PORT	= 4500,		/* RFC 3948 */
	IKE_PORT	= 500,
};

struct pkt {
	uint8_t		*data;		/* first byte of the packet, inside buf */
	uint32_t	len;
	uint32_t	peer_be;	/* outer source (in) or destination (out), network order */
	uint8_t		buf[PKT_BUF];
};

static inline void
pkt_reset(struct pkt *p)
{
	p->data = p->buf + PKT_HEADROOM;
	p->len = 0;
	p->peer_be = 0;
}

static inline uint32_t
pkt_headroom(const struct pkt *p)
{
	return (uint32_t)(p->data - p->buf);
}

static inline uint32_t
pkt_tailroom(const struct pkt *p)
{
	return (uint32_t)(PKT_BUF - pkt_headroom(p) - p->len);
}

struct ip4_hdr {
	uint8_t		ver_ihl;
	uint8_t		tos;
	uint16_t	len_be;
	uint16_t	id_be;
	uint16_t	frag_be;
	uint8_t		ttl;
	uint8_t		proto;
	uint16_t	csum_be;
	uint32_t	src_be;
	uint32_t	dst_be;
} __attribute__((packed));

struct esp_hdr {
	uint32_t	spi_be;
	uint32_t	seq_be;
} __attribute__((packed));

struct ah_hdr {
	uint8_t		next;
	uint8_t		len;		/* in 32-bit words, minus 2 */
	uint16_t	reserved;
	uint32_t	spi_be;
	uint32_t	seq_be;
} __attribute__((packed));

struct l4_ports {
	uint16_t	sport_be;
	uint16_t	dport_be;
} __attribute__((packed));

/* The IPv4 pseudo-header TCP and UDP checksums cover (RFC 793 §3.1, RFC 768). */
struct ip4_pseudo {
	uint32_t	src_be;
	uint32_t	dst_be;
	uint8_t		zero;
	uint8_t		proto;
	uint16_t	len_be;		/* of the TCP or UDP header and payload */
} __attribute__((packed));

struct udp_hdr {
	uint16_t	sport_be;
	uint16_t	dport_be;
	uint16_t	len_be;		/* header and payload */
	uint16_t	csum_be;
} __attribute__((packed));

enum {
	TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10,
	TCP_URG = 0x20, TCP_ECE = 0x40, TCP_CWR = 0x80,
};

struct tcp_hdr {
	uint16_t	sport_be;
	uint16_t	dport_be;
	uint32_t	seq_be;
	uint32_t	ack_be;
	uint8_t		off;		/* data offset in 32-bit words, in the high 4 bits */
	uint8_t		flags;		/* TCP_* */
	uint16_t	win_be;
	uint16_t	csum_be;
	uint16_t	urg_be;
} __attribute__((packed));		/* options follow, to off * 4 bytes */

/* ICMP destination unreachable, as RFC 1191 §4 lays out "fragmentation needed"; the header
 * of the packet it is about follows. */
struct icmp_hdr {
	uint8_t		type;
	uint8_t		code;
	uint16_t	csum_be;
	uint16_t	unused_be;
	uint16_t	mtu_be;		/* Next-Hop MTU; 0 from routers before RFC 1191 */
} __attribute__((packed));

/* The IKE header (RFC 2408 §3.1 for IKEv1, RFC 7296 §3.1 for IKEv2: the same 28 bytes). */
struct ike_hdr {
	uint8_t		spi_i[8];	/* initiator's cookie or SPI */
	uint8_t		spi_r[8];
	uint8_t		next;		/* next payload */
	uint8_t		version;	/* major in the high 4 bits, minor in the low */
	uint8_t		exchange;
	uint8_t		flags;
	uint32_t	msg_id_be;
	uint32_t	len_be;		/* of the whole message, this header included */
} __attribute__((packed));

#endif
