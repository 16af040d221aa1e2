/* SPDX-License-Identifier: Apache-2.0 */
/* tso.c: the outbound half of the TUN's offloads, beside gro.c which does the inbound half.
 * The TUN hands out.c a TCP super-packet (TSO: one read of up to 64 KiB, a virtio_net_hdr
 * saying TCPv4 and the segment size) or a packet whose checksum the kernel left partial
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM); here it is cut into the segments the kernel would have sent,
 * each with its own IPv4 and TCP checksum, or its checksum completed.  Far fewer system calls
 * per byte (docs/bench.md).  In place into the caller's pool buffers: no allocation
 * (invariant 6), no state. */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <string.h>

#include "datad/worker.h"

/* Internet checksum (RFC 1071) over native-order words: byte-order independent when the
 * result is stored back the same way. */
static uint64_t
csum_add(uint64_t sum, const uint8_t *b, size_t len)
{
	uint32_t w;
	uint16_t h;

	for (; len >= 4; b += 4, len -= 4) {
		memcpy(&w, b, 4);
		sum += w;
	}
	if (len >= 2) {
		memcpy(&h, b, 2);
		sum += h;
		b += 2;
		len -= 2;
	}
	if (len)		/* the odd byte is the high half of a word in network order */
		sum += ntohs((uint16_t)(*b << 8));
	return sum;
}

static uint16_t
csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int
tso_csum(uint8_t *b, uint32_t len, uint16_t start, uint16_t off)
{
	uint16_t c;

	if ((uint32_t)start + off + 2 > len)
		return -1;
	c = csum_fold(csum_add(0, b + start, len - start));
	memcpy(b + start + off, &c, 2);
	return 0;
}

uint16_t
tso_l4_csum(const struct ip4_pseudo *ph, const uint8_t *b, uint32_t len)
{
	return csum_fold(csum_add(csum_add(0, (const uint8_t *)ph, sizeof(*ph)), b, len));
}

enum drop
tso_parse(struct tso *t, const struct virtio_net_hdr *vh, const uint8_t *sp, uint32_t n)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)sp;
	const struct tcp_hdr *tcp;
	uint32_t ihl, hlen, mss;

	/* TCPv4 segmentation offload: the headers, then payload in gso_size pieces */
	ihl = n >= sizeof(*ip) ? (uint32_t)(ip->ver_ihl & 0x0f) * 4 : 0;
	tcp = (const struct tcp_hdr *)(sp + ihl);
	hlen = ihl + (n >= ihl + sizeof(*tcp) ? (uint32_t)(tcp->off >> 4) * 4 : 0);
	mss = vh->gso_size;
	if ((vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_TCPV4 ||
	    ihl < sizeof(*ip) || ip->proto != IPPROTO_TCP || hlen < ihl + sizeof(*tcp) ||
	    hlen > n || mss == 0 || hlen + mss > PKT_MAX)
		return DROP_BAD_IP;
	t->sp = sp;
	t->n = n;
	t->ihl = ihl;
	t->hlen = hlen;
	t->mss = mss;
	t->segs = (n - hlen + mss - 1) / mss;
	return DROP_NONE;
}

struct ip4_hdr *
tso_copy_seg(const struct tso *t, uint32_t i, struct pkt *p)
{
	uint32_t off = t->hlen + i * t->mss, dlen = t->n - off < t->mss ? t->n - off : t->mss;
	struct ip4_hdr *ip;

	pkt_reset(p);
	memcpy(p->data, t->sp, t->hlen);
	memcpy(p->data + t->hlen, t->sp + off, dlen);
	p->len = t->hlen + dlen;
	ip = (struct ip4_hdr *)p->data;
	ip->len_be = htons((uint16_t)p->len);
	ip->id_be = htons((uint16_t)(ntohs(ip->id_be) + i));
	return ip;
}

void
tso_segment(const struct tso *t, uint32_t i, struct pkt *p)
{
	struct ip4_hdr *ip = tso_copy_seg(t, i, p);
	struct tcp_hdr *tcp = (struct tcp_hdr *)(p->data + t->ihl);
	uint32_t tcp_len = p->len - t->ihl;
	struct ip4_pseudo ph;

	ip->csum_be = 0;
	ip->csum_be = csum_fold(csum_add(0, p->data, t->ihl));
	tcp->seq_be = htonl(ntohl(tcp->seq_be) + i * t->mss);
	if (i + 1 != t->segs)
		tcp->flags &= (uint8_t)~(TCP_FIN | TCP_PSH);	/* only on the last */
	if (i > 0)
		tcp->flags &= (uint8_t)~TCP_CWR;		/* only on the first */
	ph.src_be = ip->src_be;
	ph.dst_be = ip->dst_be;
	ph.zero = 0;
	ph.proto = IPPROTO_TCP;
	ph.len_be = htons((uint16_t)tcp_len);
	tcp->csum_be = 0;
	tcp->csum_be = csum_fold(csum_add(csum_add(0, (const uint8_t *)&ph, sizeof(ph)),
	    (const uint8_t *)tcp, tcp_len));
}
