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

enum drop
tso_parse(struct tso *t, const struct virtio_net_hdr *vh, const uint8_t *sp, uint32_t n)
{
	uint32_t ihl, hlen, mss;

	/* TCPv4 segmentation offload: the headers, then payload in gso_size pieces */
	ihl = n >= 20 ? (uint32_t)(sp[0] & 0x0f) * 4 : 0;
	hlen = ihl + (n >= ihl + 20 ? (uint32_t)(sp[ihl + 12] >> 4) * 4 : 0);
	mss = vh->gso_size;
	if ((vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_TCPV4 || ihl < 20 ||
	    sp[9] != 6 || hlen < ihl + 20 || hlen > n || mss == 0 || hlen + mss > PKT_MAX)
		return DROP_BAD_IP;
	t->sp = sp;
	t->n = n;
	t->ihl = ihl;
	t->hlen = hlen;
	t->mss = mss;
	t->segs = (n - hlen + mss - 1) / mss;
	return DROP_NONE;
}

void
tso_segment(const struct tso *t, uint32_t i, struct pkt *p)
{
	uint32_t off = t->hlen + i * t->mss, dlen = t->n - off < t->mss ? t->n - off : t->mss;
	uint32_t ihl = t->ihl, hlen = t->hlen, mss = t->mss;
	bool last = i + 1 == t->segs;
	struct ip4_hdr *ip;
	uint8_t *tcp, pseudo[12];
	uint32_t seq;
	uint16_t c;

	pkt_reset(p);
	memcpy(p->data, t->sp, hlen);
	memcpy(p->data + hlen, t->sp + off, dlen);
	p->len = hlen + dlen;
	ip = (struct ip4_hdr *)p->data;
	tcp = p->data + ihl;
	ip->len_be = htons((uint16_t)p->len);
	ip->id_be = htons((uint16_t)(ntohs(ip->id_be) + i));
	ip->csum_be = 0;
	ip->csum_be = csum_fold(csum_add(0, p->data, ihl));
	memcpy(&seq, tcp + 4, 4);
	seq = htonl(ntohl(seq) + i * mss);
	memcpy(tcp + 4, &seq, 4);
	if (!last)
		tcp[13] &= (uint8_t)~0x09;	/* FIN and PSH only on the last */
	if (i > 0)
		tcp[13] &= (uint8_t)~0x80;	/* CWR only on the first */
	memcpy(pseudo, &ip->src_be, 8);
	pseudo[8] = 0;
	pseudo[9] = 6;
	pseudo[10] = (uint8_t)((p->len - ihl) >> 8);
	pseudo[11] = (uint8_t)(p->len - ihl);
	tcp[16] = tcp[17] = 0;
	c = csum_fold(csum_add(csum_add(0, pseudo, 12), tcp, p->len - ihl));
	memcpy(tcp + 16, &c, 2);
}
