/* SPDX-License-Identifier: Apache-2.0 */
/* ah.h: AH over whole IPv4 packets, in place (RFC 4302; RFC 1826 + RFC 1828 for ah-rfc1828),
 * over struct xform (cipher XF_CIPHER_NONE, one auth algorithm).
 *
 * AH covers the IP header in front of it, so these calls take and give whole IPv4 packets:
 * the caller sends them on an IP_HDRINCL raw socket (protocol 51) and gets them, outer header
 * included, from a raw socket.  Tunnel mode = the caller first pushes an outer header (protocol
 * 4, ip4_push) in front of the inner packet; transport mode = the packet as it is (IOS: only
 * traffic between the peers themselves, "mode transport").  AH+ESP bundles: ESP first
 * (esp_encap + ip4_push with protocol 50, or esp_transport_encap), then ah_encap on the result;
 * inbound ah_decap first, then ESP on what it leaves.
 *
 * The kernel changes three fields of an IP_HDRINCL packet after ah_encap has covered them
 * (raw(7), verified on Linux 6.18): it fills Source Address when 0 and Identification when 0
 * (unless DF is set), and refuses packets above the device MTU with EMSGSIZE instead of
 * fragmenting them (below it but above the route's MTU it fragments when DF is clear; see
 * pmtu.h).  ah_encap therefore refuses source 0 and gives a packet with Identification 0 and no
 * DF one of its own before computing the ICV. */
#ifndef GW_AH_H
#define GW_AH_H

#include <stdbool.h>
#include <stdint.h>

#include "common/drop.h"
#include "common/pkt.h"
#include "common/xform.h"

enum {
	AH_HDR_LEN	= 12,		/* RFC 4302: Next Header .. Seq#, before the ICV */
	AH1826_HDR_LEN	= 8,		/* RFC 1826: Next Header .. SPI, then Auth Data */
	AH_MAX		= AH_HDR_LEN + XF_ICV_MAX,
};

/* Bytes AH inserts into an IPv4 packet with this transform: the header and the ICV, padded to
 * 32 bits (RFC 4302 §3.3.3.2.1; all of ours are multiples of 4 already).  0 if xf is not AH. */
uint32_t	ah_overhead(const struct xform *xf);

/* p->data[0..len) is a complete IPv4 packet, its header built by the caller (tunnel: the outer
 * one).  Insert AH after the header (options included): Next Header = the packet's protocol,
 * SPI, Seq# = low 32 bits of seq (ah-rfc1828: no Seq#, seq and esn ignored), and the ICV over
 * the header with its mutable fields zeroed (RFC 4302 §3.3.3.1.1: TOS, flags, fragment offset,
 * TTL, checksum, and the mutable options of App. A; RFC 1826: TTL and checksum), AH with the
 * ICV zeroed, the payload and, with ESN, the high 32 bits of seq (§2.5.1, never sent).  Sets
 * protocol 51, Total Length and the checksum; p->data moves back by ah_overhead() into the
 * headroom, the payload does not move.  DROP_BAD_IP malformed header or options, source 0, or
 * a fragment (AH is applied to whole datagrams, §3.3.4); DROP_RUNT Total Length above len;
 * DROP_TOO_BIG no headroom or above 65535 bytes; DROP_PROTO xf is not an outbound AH
 * transform. */
enum drop	ah_encap(struct xform *xf, uint32_t spi_be, uint64_t seq, bool esn,
		    struct pkt *p);

/* What the SA lookup and the replay check need before ah_decap: the SPI and the Seq# field (in
 * host order, for replay_infer) of the AH packet at p->data, a whole IPv4 packet as a raw
 * socket gives it.  *seq_lo means something for RFC 4302 SAs only (RFC 1826 has no Seq#:
 * ah-rfc1828 SAs have no replay service).  DROP_RUNT / DROP_BAD_IP malformed, DROP_PROTO not
 * protocol 51.  Changes nothing. */
enum drop	ah_peek(const struct pkt *p, uint32_t *spi_be, uint32_t *seq_lo);

/* p->data[0..len) is a whole received IPv4 packet carrying AH right after its header.  Verify
 * the ICV (constant time; seq is the full sequence number the caller inferred, its high half
 * counting only with esn) and remove AH: on DROP_NONE p->data is the same IPv4 packet without
 * AH, protocol = AH's Next Header (4: tunnel, strip the outer header next; 50: an ESP inside,
 * open it next; else a transport payload), Total Length and checksum fixed, mutable fields as
 * received; *next_hdr is that protocol.  Otherwise: DROP_RUNT / DROP_BAD_IP malformed header or
 * options, or a fragment (§3.4.1: reassembly comes first; the kernel does it for raw sockets);
 * DROP_PROTO not AH or xf not an inbound AH transform; DROP_ICV Payload Length not this SA's or
 * integrity check failed.  Apart from trimming bytes past Total Length, nothing changes unless
 * DROP_NONE. */
enum drop	ah_decap(struct xform *xf, uint64_t seq, bool esn, struct pkt *p,
		    uint8_t *next_hdr);

#endif
