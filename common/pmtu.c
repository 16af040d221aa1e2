/* SPDX-License-Identifier: Apache-2.0 */
/* pmtu.c: the room left in the path after ESP and AH, ICMP "fragmentation needed" (RFC 1191)
 * and IPv4 fragmentation (RFC 791) for the packets the kernel will not fragment for us (pmtu.h
 * says which).  No state, no allocation (invariant 6). */
#include <arpa/inet.h>
#include <string.h>

#include "common/ah.h"
#include "common/ip4.h"
#include "common/pmtu.h"

enum {
	ICMP_HDR_LEN	= 8,
	ICMP_UNREACH	= 3,
	ICMP_FRAG_NEEDED = 4,		/* code of ICMP_UNREACH */
	ICMP_TOS	= 0xc0,		/* internetwork control (RFC 1812 §4.3.2.5) */
};

uint32_t
pmtu_room(const struct xform *esp, const struct xform *ah, uint32_t path_mtu, uint32_t extra)
{
	uint32_t room, fixed, b;

	fixed = extra + (ah != NULL ? ah_overhead(ah) : 0);
	if (path_mtu <= fixed)
		return 0;
	room = path_mtu - fixed;
	if (esp == NULL)
		return room;
	/* RFC 4303 §2.4: header, IV, then payload + 2 trailer bytes padded to the block, ICV */
	fixed = (uint32_t)esp->hdr_len + esp->iv_len + esp->icv_len;
	b = esp->block_len;
	if (room <= fixed || (room - fixed) / b * b < 2)
		return 0;
	return (room - fixed) / b * b - 2;
}

enum pmtu_verdict
pmtu_check(const uint8_t *ip, uint32_t len, uint32_t room)
{
	if (len <= room)
		return PMTU_FITS;
	if (len >= IP4_HDR_MIN && (ntohs(((const struct ip4_hdr *)ip)->frag_be) & IP4_DF) != 0)
		return PMTU_ICMP;
	return PMTU_FRAGMENT;
}

/* RFC 1122 §3.2.2 / RFC 1812 §4.3.2.7: sources and destinations an ICMP error never goes to or
 * answers. */
static bool
icmp_addr_ok(uint32_t src_be, uint32_t dst_be)
{
	uint32_t s = ntohl(src_be), d = ntohl(dst_be);

	if (s == 0 || (s >> 24) == 127 || (s >> 28) >= 0xe)	/* 0, loopback, 224/4, 240/4 */
		return false;
	return (d >> 28) < 0xe;				/* multicast, class E, broadcast */
}

int
pmtu_icmp_frag_needed(struct pkt *p, uint16_t mtu, uint32_t src_be)
{
	const struct ip4_hdr *orig = (const struct ip4_hdr *)p->data;
	uint32_t ihl, tot, quote;
	struct ip4_hdr *ip;
	struct icmp_hdr *icmp;

	if (ip4_parse(p->data, p->len, &ihl, &tot) != DROP_NONE)
		return -1;
	if ((ntohs(orig->frag_be) & IP4_OFF_MASK) != 0 ||
	    !icmp_addr_ok(orig->src_be, orig->dst_be))
		return -1;
	if (orig->proto == IPPROTO_ICMP_ && tot > ihl) {	/* never about an ICMP error */
		switch (((const struct icmp_hdr *)(p->data + ihl))->type) {
		case 3: case 4: case 5: case 11: case 12:
			return -1;
		default:
			break;
		}
	}
	if (pkt_headroom(p) < IP4_HDR_MIN + ICMP_HDR_LEN)
		return -1;
	quote = tot < PMTU_ICMP_MAX - IP4_HDR_MIN - ICMP_HDR_LEN ?
	    tot : PMTU_ICMP_MAX - IP4_HDR_MIN - ICMP_HDR_LEN;
	p->data -= IP4_HDR_MIN + ICMP_HDR_LEN;
	p->len = IP4_HDR_MIN + ICMP_HDR_LEN + quote;
	ip = (struct ip4_hdr *)p->data;
	orig = (const struct ip4_hdr *)(p->data + IP4_HDR_MIN + ICMP_HDR_LEN);
	ip->ver_ihl = 0x45;
	ip->tos = ICMP_TOS;
	ip->len_be = htons((uint16_t)p->len);
	ip->id_be = orig->id_be;
	ip->frag_be = 0;
	ip->ttl = IP4_TTL;
	ip->proto = IPPROTO_ICMP_;
	ip->src_be = src_be;
	ip->dst_be = orig->src_be;
	ip4_csum_set(p->data);
	icmp = (struct icmp_hdr *)(p->data + IP4_HDR_MIN);
	icmp->type = ICMP_UNREACH;
	icmp->code = ICMP_FRAG_NEEDED;
	icmp->csum_be = 0;
	icmp->unused_be = 0;				/* RFC 1191 §4 */
	icmp->mtu_be = htons(mtu);			/* Next-Hop MTU */
	icmp->csum_be = ip4_csum(icmp, ICMP_HDR_LEN + quote);
	return 0;
}

/* The options of the header ip[20..ihl) that every fragment carries (copy flag set), into
 * opt, padded with End of Option List to 32 bits.  Returns their length, or -1 if the options
 * do not parse. */
static int
frag_opts(const uint8_t *ip, uint32_t ihl, uint8_t *opt)
{
	uint32_t i = IP4_HDR_MIN, n = 0, len;

	while (i < ihl && ip[i] != 0) {			/* End of Option List */
		if (ip[i] == 1) {			/* No Operation: not copied */
			i++;
			continue;
		}
		if (i + 1 >= ihl || (len = ip[i + 1]) < 2 || i + len > ihl)
			return -1;
		if ((ip[i] & 0x80) != 0) {
			memcpy(opt + n, ip + i, len);
			n += len;
		}
		i += len;
	}
	while (n % 4 != 0)
		opt[n++] = 0;
	return (int)n;
}

/* One fragment into q: header hdr[0..hl), then data[0..len), which starts off bytes into the
 * original datagram's payload; DF and the reserved flag as in hdr. */
static void
frag_put(struct pkt *q, const uint8_t *hdr, uint32_t hl, const uint8_t *data, uint32_t len,
    uint32_t off, bool mf)
{
	const struct ip4_hdr *orig = (const struct ip4_hdr *)hdr;
	struct ip4_hdr *ip;

	pkt_reset(q);
	memcpy(q->data, hdr, hl);
	memcpy(q->data + hl, data, len);
	q->len = hl + len;
	ip = (struct ip4_hdr *)q->data;
	ip->ver_ihl = (uint8_t)(0x40 | hl / 4);
	ip->len_be = htons((uint16_t)q->len);
	ip->frag_be = htons((uint16_t)((ntohs(orig->frag_be) & (IP4_DF | IP4_RF)) | (off / 8) |
	    (mf ? IP4_MF : 0)));
	ip4_csum_set(q->data);
}

int
pmtu_fragment(const struct pkt *p, uint32_t mtu, struct pkt *const out[], unsigned n_out)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)p->data;
	uint8_t later[IP4_HDR_MAX];
	uint32_t ihl, tot, hl2, first, step, off0, left, n, pos;
	uint16_t frag;
	bool mf0;
	int ol;

	if (ip4_parse(p->data, p->len, &ihl, &tot) != DROP_NONE || n_out == 0)
		return -1;
	frag = ntohs(ip->frag_be);
	if (tot <= mtu) {
		frag_put(out[0], p->data, ihl, p->data + ihl, tot - ihl,
		    (uint32_t)(frag & IP4_OFF_MASK) * 8, (frag & IP4_MF) != 0);
		return 1;
	}
	if ((frag & IP4_DF) != 0 || mtu < ihl + 8)
		return -1;
	memcpy(later, p->data, IP4_HDR_MIN);
	if ((ol = frag_opts(p->data, ihl, later + IP4_HDR_MIN)) < 0)
		return -1;
	hl2 = IP4_HDR_MIN + (uint32_t)ol;
	first = (mtu - ihl) / 8 * 8;
	step = (mtu - hl2) / 8 * 8;
	left = tot - ihl;
	n = 1 + (left - first + step - 1) / step;	/* left > first, since tot > mtu */
	if (n > n_out)
		return -1;
	off0 = (uint32_t)(frag & IP4_OFF_MASK) * 8;
	mf0 = (frag & IP4_MF) != 0;
	frag_put(out[0], p->data, ihl, p->data + ihl, first, off0, true);
	for (pos = first, n = 1; pos < left; pos += step, n++) {
		uint32_t len = left - pos < step ? left - pos : step;

		frag_put(out[n], later, hl2, p->data + ihl + pos, len, off0 + pos,
		    pos + len < left || mf0);
	}
	return (int)n;
}
