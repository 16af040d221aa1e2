/* SPDX-License-Identifier: Apache-2.0 */
/* sel.h: selector (extended access-list entry) matching with IOS semantics.  An entry is written
 * for traffic leaving towards the peer; inbound traffic is evaluated against the same entry
 * with source and destination swapped (seed: "Crypto Access List Tips"). */
#ifndef GW_SEL_H
#define GW_SEL_H

#include <stdbool.h>
#include <stdint.h>

struct sel {
	uint32_t	src, src_mask;		/* host order; mask = ~wildcard */
	uint32_t	dst, dst_mask;
	uint8_t		proto;			/* 0 = any */
	bool		sport_neq, dport_neq;
	uint16_t	sport_lo, sport_hi;
	uint16_t	dport_lo, dport_hi;
	int16_t		tos;			/* IOS 4-bit TOS, -1 = any */
	int16_t		precedence;		/* 3 bits, -1 = any */
};

/* What a packet offers to selectors, read once per packet. */
struct flow {
	uint32_t	src, dst;		/* host order */
	uint8_t		proto;
	uint8_t		tos;			/* the whole IPv4 TOS byte */
	bool		has_ports;		/* first fragment of TCP/UDP/SCTP */
	uint16_t	sport, dport;
};

/* Parse the IPv4 header (and ports) of ip[0..len).  -1 if it is not a sane IPv4 packet. */
int	sel_flow(struct flow *f, const uint8_t *ip, uint32_t len);

bool	sel_match(const struct sel *s, const struct flow *f);		/* outbound */
bool	sel_match_rev(const struct sel *s, const struct flow *f);	/* inbound */

/* Smallest prefix covering every destination s permits (for routing into the TUN): the
 * leading run of ones of the mask.  Returns the prefix length. */
unsigned	sel_dst_prefix(const struct sel *s, uint32_t *net);

/* Render as an IOS access-list entry ("permit ip 192.0.2.0 0.0.0.127 host 192.0.2.130"). */
void	sel_format(const struct sel *s, bool permit, char *buf, unsigned len);

#endif
