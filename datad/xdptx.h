/* SPDX-License-Identifier: Apache-2.0 */
/* xdptx.h: the frames of AF_XDP beside the socket (datad/xdp.c,
 * docs/adr/0016-af-xdp-transmit.md): the Ethernet frame around a sealed packet, what a
 * received frame holds as the raw or UDP socket would have read it, the next hop of each
 * peer as the kernel resolves it (rtnetlink RTM_GETROUTE, RTM_GETNEIGH), and a small cache
 * of those next hops per generation.  No socket of its own but the netlink one the
 * caller passes; nothing allocated: the cache is the caller's.
 *
 * Invariant: a frame is built only around a packet already sealed, with a number already
 * taken; failing here never touches the packet, and the caller sends it on the raw socket. */
#ifndef GW_XDPTX_H
#define GW_XDPTX_H

#include <stdbool.h>
#include <stdint.h>

enum {
	XDPTX_ETH	= 14,		/* Ethernet header: destination, source, EtherType */
	XDPTX_HOPS	= 256,		/* peers cached (a power of two) */
	XDPTX_WAYS	= 4,		/* slots a peer may take in the cache */
};

/* The outer headers of one frame.  proto IPPROTO_ESP: the payload is the ESP packet and an
 * IPv4 header is built; IPPROTO_UDP: ESP in UDP (RFC 3948 §2.1, checksum 0) from sport to
 * dport; 0: the payload is already a whole IPv4 packet (AH, transport, DF kept), whose
 * Identification is set if zero without DF (with DF it stays 0: AH's ICV covers it) and
 * whose checksum is computed, as the kernel does for IP_HDRINCL. */
struct xdptx_hdr {
	uint8_t		dmac[6], smac[6];
	uint32_t	src_be, dst_be;
	uint16_t	id;		/* host order; used when the header is ours or has 0 */
	uint16_t	sport_be, dport_be;
	uint8_t		tos, proto;
};

/* Write the frame of payload pl[0..len) with h's headers into f[0..room); its length, or 0 if
 * it does not fit (or, proto 0, pl is not an IPv4 packet of exactly len bytes). */
uint32_t	xdptx_frame(uint8_t *f, uint32_t room, const struct xdptx_hdr *h, const uint8_t *pl,
		    uint32_t len);

/* A frame the XDP program steered, as the socket it bypassed would have read it: the raw ESP
 * socket the IPv4 packet (Ethernet padding trimmed by its Total Length), UDP 4500 its payload
 * (trimmed by the UDP length) with the sender's address and port and where it was sent. */
struct xdptx_rx {
	uint32_t	off, len;	/* the datagram in the frame: f[off..off + len) */
	bool		udp;
	uint32_t	src_be, dst_be;
	uint16_t	sport_be;
};

/* Parse frame f[0..len) into r.  Never reads past len; a frame too short for its headers
 * gives len 0 (the caller's checks then count it as a runt, as the socket's path would). */
void		xdptx_parse(const uint8_t *f, uint32_t len, struct xdptx_rx *r);

/* One peer's next hop: which interface the kernel sends it on, and to which MAC. */
struct xdptx_hop {
	uint32_t	peer_be;
	uint64_t	gen;		/* the generation it was resolved in */
	uint64_t	until_ms;	/* resolved again after this */
	int		oif;		/* 0: no route */
	bool		have_mac;	/* a valid neighbour (else the raw socket resolves it) */
	uint8_t		mac[6];
};

struct xdptx_cache {
	struct xdptx_hop	hop[XDPTX_HOPS];
};

/* peer's entry if it is of generation gen and not older than now_ms, else NULL. */
const struct xdptx_hop *xdptx_get(const struct xdptx_cache *c, uint32_t peer_be, uint64_t gen,
		    uint64_t now_ms);
/* Keep h (its peer_be) in c, in place of a stale entry, an expired one, or the oldest of its
 * slots; returns the copy. */
const struct xdptx_hop *xdptx_put(struct xdptx_cache *c, const struct xdptx_hop *h);
/* Forget everything (a send failed: the next packets resolve again). */
void		xdptx_forget(struct xdptx_cache *c);

/* Ask the kernel (nl: a NETLINK_ROUTE socket with a receive timeout) how it would send to
 * dst_be from src_be with mark: fills h's oif (0: no route), have_mac and mac.  -1 if the
 * kernel did not answer (h says no route then). */
int		xdptx_resolve(int nl, uint32_t dst_be, uint32_t src_be, uint32_t mark,
		    struct xdptx_hop *h);
/* A NETLINK_ROUTE socket for xdptx_resolve (blocking, 200 ms timeout), or -1. */
int		xdptx_nl_open(void);

#endif
