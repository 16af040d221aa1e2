/* pkt.h: one packet buffer and the wire headers.  Buffers come from a per-worker pool made at
 * start (DESIGN invariant 6), with headroom for outer IP + ESP/AH header + IV and tailroom for
 * padding + ICV, so encapsulation never copies the payload. */
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

#endif
