/* SPDX-License-Identifier: Apache-2.0 */
/* pmtu.h: packets that no longer fit the path once IPsec adds its bytes (the seed: "IPSec
 * introduces packet expansion, which is more likely to require fragmentation/reassembly of
 * IPSec packets").
 *
 * For an inner packet on its way into a tunnel (RFC 4301 §8.1, RFC 1191):
 *   fits pmtu_room()        encapsulate;
 *   too big, DF set         drop it (DROP_TOO_BIG) and send back to its source the ICMP
 *                           "fragmentation needed" that pmtu_icmp_frag_needed() makes of it,
 *                           with the MTU the source may use (datad/out.c);
 *   too big, DF clear       encapsulate anyway: the outer packet is fragmented and the peer
 *                           reassembles (post-fragmentation, as IOS 11.3 does).
 *
 * Who fragments the outer packet (Linux 6.18, measured over veth with device and route MTUs):
 *   - a raw socket of protocol 50 or 51 without IP_HDRINCL (ESP tunnel mode, datad/out.c): the
 *     kernel builds the outer header and, with the default IP_PMTUDISC_WANT, fragments what is
 *     larger than the route's MTU itself; with IP_PMTUDISC_DO it fails with EMSGSIZE instead;
 *   - IP_HDRINCL (AH, ESP transport mode, any header we built): larger than the device MTU, the
 *     send fails with EMSGSIZE whatever DF says; larger than the route's MTU only, the kernel
 *     fragments when DF is clear and fails with EMSGSIZE when it is set.  So the caller cuts
 *     such packets itself with pmtu_fragment() before sending them;
 *   - inbound, the kernel reassembles before a raw socket sees the packet (AH and ESP need the
 *     whole datagram, RFC 4302 §3.4.1, RFC 4303 §3.4.1).
 * Nothing here allocates or keeps state. */
#ifndef GW_PMTU_H
#define GW_PMTU_H

#include <stdbool.h>
#include <stdint.h>

#include "common/pkt.h"
#include "common/xform.h"

enum {
	PMTU_MIN	= 68,		/* RFC 791: every IPv4 link carries 68 bytes */
	PMTU_ICMP_MAX	= 576,		/* RFC 1812 §4.3.2.3: ICMP errors stay within */
};

enum pmtu_verdict {
	PMTU_FITS,			/* encapsulate */
	PMTU_FRAGMENT,			/* too big, DF clear: encapsulate, outer fragmented */
	PMTU_ICMP,			/* too big, DF set: drop, pmtu_icmp_frag_needed */
};

/* Largest packet that still fits path_mtu once IPsec adds its bytes: ESP with esp (NULL: no
 * ESP; its padding depends on the length, so this is exact, not path_mtu - esp_overhead()),
 * AH with ah (NULL: no AH), and extra more bytes: tunnel mode 20 (the outer header), + 8 with
 * NAT-T (RFC 3948), and the result is the largest inner IPv4 packet; transport mode the IP
 * header's length (it stays), and the result is the largest payload behind it.  0 if nothing
 * fits. */
uint32_t	pmtu_room(const struct xform *esp, const struct xform *ah, uint32_t path_mtu,
		    uint32_t extra);

/* What to do with the IPv4 packet ip[0..len) given room = pmtu_room(...). */
enum pmtu_verdict	pmtu_check(const uint8_t *ip, uint32_t len, uint32_t room);

/* Turn p, an IPv4 packet too big for the tunnel with DF set, into the ICMP destination
 * unreachable / fragmentation needed and DF set (type 3, code 4; RFC 792, RFC 1191 §4: the
 * Next-Hop MTU field says mtu, which should be pmtu_room()) for its source, in place: from
 * src_be (an address of ours the source can reach; 0 lets a raw socket fill it in), to the
 * packet's source, TTL 64, carrying as much of the packet as fits in 576 bytes (RFC 1812
 * §4.3.2.3; at least its header and 8 bytes, RFC 792).  0: p now holds that ICMP packet, to be sent to its destination.  -1, p
 * unchanged: no ICMP may be sent (RFC 1122 §3.2.2: the packet is an ICMP error itself, a
 * fragment other than the first, from 0.0.0.0, loopback, multicast or class E, or to a
 * multicast or broadcast address), or it is not a readable IPv4 packet, or the headroom lacks
 * 28 bytes. */
int		pmtu_icmp_frag_needed(struct pkt *p, uint16_t mtu, uint32_t src_be);

/* Cut the IPv4 packet p into fragments of at most mtu bytes (RFC 791 §3.2, "fragmentation
 * procedure"), for senders on IP_HDRINCL sockets: out[0..n) get them in order, each from its
 * own pkt_reset().  Options without the copy flag go in the first fragment only; a packet that
 * already is a fragment keeps its offset and MF.  Returns the number of fragments (1: it fit,
 * out[0] is a copy), or -1 with out[] undefined: DF set (send ICMP instead), mtu below the
 * header plus 8 bytes, more than n_out fragments needed, or a malformed header.  It copies:
 * this is the slow path, with no allocation. */
int		pmtu_fragment(const struct pkt *p, uint32_t mtu, struct pkt *const out[],
		    unsigned n_out);

#endif
