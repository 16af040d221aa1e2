/* SPDX-License-Identifier: Apache-2.0 */
/* udpencap.h: UDP encapsulation of ESP for NAT traversal (RFC 3948), as pure functions over
 * buffers: wrapping an ESP packet in UDP, and telling what arrived on UDP port 4500.  datad
 * receives 4500 on a UDP socket, so what it classifies is the UDP payload; the kernel has
 * checked (or, at 0, skipped) the UDP checksum. */
#ifndef GW_UDPENCAP_H
#define GW_UDPENCAP_H

#include <stddef.h>
#include <stdint.h>

#include "common/drop.h"
#include "common/pkt.h"

enum {
	UDPENCAP_HDR_LEN	= 8,	/* the UDP header */
	UDPENCAP_MARKER_LEN	= 4,	/* §2.2: four zero bytes where an SPI would be */
	UDPENCAP_IKE_HDR_LEN	= 28,	/* IKE header (RFC 2408 §3.1, RFC 7296 §3.1) */
	UDPENCAP_ESP_MIN	= 8,	/* SPI and Seq#: esp_decap checks the rest */
	UDPENCAP_KEEPALIVE_BYTE = 0xff,	/* §2.3: the one byte of a NAT-keepalive */
};

/* What a datagram received on UDP 4500 carries (RFC 3948 §2.1-2.3, §4). */
enum udpencap_kind {
	UDPENCAP_BAD = 0,	/* none of the below: count and drop */
	UDPENCAP_ESP,		/* an ESP packet, from its SPI (never 0) on */
	UDPENCAP_IKE,		/* non-ESP marker + IKE: to controld, from byte 4 on */
	UDPENCAP_NAT_KEEPALIVE,	/* one byte 0xFF: ignore (it only keeps the NAT mapping) */
};

/* Classify the UDP payload b[0..len) of a datagram received on port 4500:
 *   len 1, 0xFF                      NAT-keepalive (§2.3)
 *   4 zero bytes + an IKE header     IKE (§2.2: the non-ESP marker; at least 28 bytes follow)
 *   SPI != 0, at least 8 bytes       ESP (§2.1: "the SPI field ... MUST NOT be a zero value")
 *   anything else                    UDPENCAP_BAD (empty, 2..7 bytes, a marker with no IKE
 *                                    header behind it, one byte other than 0xFF)
 * Reads nothing outside b[0..len). */
enum udpencap_kind	udpencap_classify(const uint8_t *b, size_t len);

/* Prepend a UDP header to the ESP packet at p->data (RFC 3948 §2.1): sport_be -> dport_be
 * (4500 -> 4500, or the peer's NAT-mapped port), length 8 + len, checksum 0 (§2.1: SHOULD be
 * transmitted as zero for IPv4).  For a sender that builds the datagram itself (IP_HDRINCL or
 * a raw socket of protocol 17); a UDP socket bound to 4500 adds this header on its own.
 * DROP_TOO_BIG if the headroom is short or the length would pass 65535. */
enum drop	udpencap_push(struct pkt *p, uint16_t sport_be, uint16_t dport_be);

#endif
