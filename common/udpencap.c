/* SPDX-License-Identifier: Apache-2.0 */
/* udpencap.c: RFC 3948 framing and the classification of what arrives on UDP 4500.  Pure
 * functions over the caller's buffers: no state, no allocation (invariant 6). */
#include <arpa/inet.h>
#include <string.h>

#include "common/udpencap.h"

enum udpencap_kind
udpencap_classify(const uint8_t *b, size_t len)
{
	if (len == 1)
		return b[0] == UDPENCAP_KEEPALIVE_BYTE ? UDPENCAP_NAT_KEEPALIVE : UDPENCAP_BAD;
	if (len < UDPENCAP_ESP_MIN)
		return UDPENCAP_BAD;
	if (((const struct esp_hdr *)b)->spi_be != 0)	/* else the non-ESP marker */
		return UDPENCAP_ESP;
	return len >= UDPENCAP_MARKER_LEN + UDPENCAP_IKE_HDR_LEN ? UDPENCAP_IKE : UDPENCAP_BAD;
}

enum drop
udpencap_push(struct pkt *p, uint16_t sport_be, uint16_t dport_be)
{
	struct udp_hdr *u;

	if (pkt_headroom(p) < UDPENCAP_HDR_LEN || p->len + UDPENCAP_HDR_LEN > 0xffff)
		return DROP_TOO_BIG;
	p->data -= UDPENCAP_HDR_LEN;
	p->len += UDPENCAP_HDR_LEN;
	u = (struct udp_hdr *)p->data;
	u->sport_be = sport_be;
	u->dport_be = dport_be;
	u->len_be = htons((uint16_t)p->len);
	u->csum_be = 0;				/* §2.1: no checksum */
	return DROP_NONE;
}
