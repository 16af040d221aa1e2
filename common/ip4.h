/* SPDX-License-Identifier: Apache-2.0 */
/* ip4.h: the IPv4 header work that AH, ESP transport mode, NAT-T and PMTU share: checking a
 * header, its checksum, and pushing a tunnel's outer header into the headroom (invariant 6: in
 * place, no allocation).  Nothing here keeps state. */
#ifndef GW_IP4_H
#define GW_IP4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/drop.h"
#include "common/pkt.h"

enum {
	IP4_HDR_MIN	= 20,
	IP4_HDR_MAX	= 60,
	IP4_TTL		= 64,		/* TTL of the headers we make (RFC 1700) */
	IP4_RF		= 0x8000,	/* frag_be, host order: reserved flag */
	IP4_DF		= 0x4000,	/* don't fragment */
	IP4_MF		= 0x2000,	/* more fragments */
	IP4_OFF_MASK	= 0x1fff,	/* fragment offset, in 8-byte units */
	IP4_DSCP_MASK	= 0xfc,		/* tos: DSCP; the low 2 bits: ECN (RFC 3168) */
	IPPROTO_ICMP_	= 1,
	IPPROTO_UDP_	= 17,
};

/* RFC 1071 checksum of b[0..len): the value to store, in network order. */
uint16_t	ip4_csum(const void *b, size_t len);

/* Recompute the header checksum of the IPv4 header at ip (its IHL says how long it is). */
void		ip4_csum_set(uint8_t *ip);

/* ip[0..len) should start with an IPv4 header: version 4, 20 <= IHL <= Total Length <= len.
 * *ihl and *tot get the header length and Total Length in bytes.  DROP_RUNT shorter than 20
 * bytes, than its IHL or than its Total Length; DROP_BAD_IP not version 4 or IHL below 5.
 * Reads only ip[0..20). */
enum drop	ip4_parse(const uint8_t *ip, uint32_t len, uint32_t *ihl, uint32_t *tot);

/* p->data[0..len) should be one IPv4 packet.  Checks version 4, 20 <= IHL <= Total Length
 * <= len, and trims what follows Total Length (link padding).  *ihl gets the header length in
 * bytes.  DROP_RUNT shorter than 20 bytes, than its IHL or than its Total Length; DROP_BAD_IP
 * not version 4 or IHL below 5.  The checksum is the kernel's to check (raw sockets and TUN
 * get packets it has already checked or made). */
enum drop	ip4_check(struct pkt *p, uint32_t *ihl);

/* A fragment: MF set or a non-zero offset.  AH and ESP transport mode apply to whole
 * datagrams only (RFC 4302 §3.3.4, §3.4.1; RFC 4303 §3.3, §3.4.1). */
bool		ip4_is_fragment(const uint8_t *ip);

/* Prepend a 20-byte outer IPv4 header to p->data[0..len) (RFC 4301 §5.1.2.1, tunnel mode):
 * src_be -> dst_be, protocol proto, TTL IP4_TTL, the given Identification, DSCP taken from tos
 * and ECN left Not-ECT (RFC 6040 §4.1 compatibility mode, which every decapsulator and RFC
 * 1826 AH, which covers the TOS byte, can take), DF if df.  The caller reads tos and df from
 * the inner header before it encrypts it (ip4_inner_tos).  DROP_TOO_BIG if the headroom or
 * Total Length cannot take it. */
enum drop	ip4_push(struct pkt *p, uint32_t src_be, uint32_t dst_be, uint8_t proto,
		    uint8_t tos, bool df, uint16_t id_be);

/* What a tunnel copies from the inner IPv4 packet ip[0..len): its TOS byte and DF bit (RFC 4301
 * §8.1: copy DF).  0 and false if ip is not a readable IPv4 header. */
void		ip4_inner_tos(const uint8_t *ip, uint32_t len, uint8_t *tos, bool *df);

#endif
