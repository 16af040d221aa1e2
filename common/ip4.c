/* SPDX-License-Identifier: Apache-2.0 */
/* ip4.c: IPv4 header checks, checksums and tunnel headers for ah.c, esp.c (transport mode),
 * pmtu.c and udpencap.c.  In place, no state, no allocation (invariant 6). */
#include <arpa/inet.h>
#include <string.h>

#include "common/ip4.h"

uint16_t
ip4_csum(const void *b, size_t len)
{
	const uint8_t *d = b;
	uint32_t s = 0;
	uint16_t c;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)d[i] << 8 | d[i + 1];
	if (len % 2 != 0)
		s += (uint32_t)d[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	c = htons((uint16_t)~s);
	return c;
}

void
ip4_csum_set(uint8_t *ip)
{
	struct ip4_hdr *h = (struct ip4_hdr *)ip;

	h->csum_be = 0;
	h->csum_be = ip4_csum(ip, (size_t)(h->ver_ihl & 0x0f) * 4);
}

enum drop
ip4_parse(const uint8_t *ip, uint32_t len, uint32_t *ihl, uint32_t *tot)
{
	const struct ip4_hdr *h = (const struct ip4_hdr *)ip;
	uint32_t hl, t;

	if (len < IP4_HDR_MIN)
		return DROP_RUNT;
	hl = (uint32_t)(h->ver_ihl & 0x0f) * 4;
	if ((h->ver_ihl >> 4) != 4 || hl < IP4_HDR_MIN)
		return DROP_BAD_IP;
	t = ntohs(h->len_be);
	if (hl > len || t < hl || t > len)
		return DROP_RUNT;
	*ihl = hl;
	*tot = t;
	return DROP_NONE;
}

enum drop
ip4_check(struct pkt *p, uint32_t *ihl)
{
	uint32_t tot;
	enum drop d;

	if ((d = ip4_parse(p->data, p->len, ihl, &tot)) != DROP_NONE)
		return d;
	p->len = tot;
	return DROP_NONE;
}

bool
ip4_is_fragment(const uint8_t *ip)
{
	return (ntohs(((const struct ip4_hdr *)ip)->frag_be) & (IP4_MF | IP4_OFF_MASK)) != 0;
}

enum drop
ip4_push(struct pkt *p, uint32_t src_be, uint32_t dst_be, uint8_t proto, uint8_t tos, bool df,
    uint16_t id_be)
{
	struct ip4_hdr *ip;
	uint16_t frag_be = htons(df ? IP4_DF : 0);

	if (pkt_headroom(p) < IP4_HDR_MIN || p->len + IP4_HDR_MIN > 0xffff)
		return DROP_TOO_BIG;
	p->data -= IP4_HDR_MIN;
	p->len += IP4_HDR_MIN;
	ip = (struct ip4_hdr *)p->data;
	ip->ver_ihl = 0x45;
	ip->tos = tos & IP4_DSCP_MASK;
	ip->len_be = htons((uint16_t)p->len);
	ip->id_be = id_be;
	ip->frag_be = frag_be;
	ip->ttl = IP4_TTL;
	ip->proto = proto;
	ip->src_be = src_be;
	ip->dst_be = dst_be;
	ip4_csum_set(p->data);
	return DROP_NONE;
}

void
ip4_inner_tos(const uint8_t *ip, uint32_t len, uint8_t *tos, bool *df)
{
	const struct ip4_hdr *h = (const struct ip4_hdr *)ip;

	*tos = 0;
	*df = false;
	if (len < IP4_HDR_MIN || (h->ver_ihl >> 4) != 4)
		return;
	*tos = h->tos;
	*df = (ntohs(h->frag_be) & IP4_DF) != 0;
}
