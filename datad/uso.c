/* SPDX-License-Identifier: Apache-2.0 */
/* uso.c: UDP segmentation offload on the TUN, both ways (docs/adr/0017-udp-offload-tun.md).
 *
 * Inbound (gro.c asks): which decapsulated UDP datagrams may travel to the TUN as one
 * super-packet (virtio_net_hdr gso_type VIRTIO_NET_HDR_GSO_UDP_L4) and the headers that
 * super-packet carries.  The kernel cuts it again (__udp_gso_segment, inet_gso_segment) into
 * exactly the datagrams it was made of: the same payloads at gso_size bytes (the last may be
 * shorter), Identification counting up by one from the first's, Total Length, UDP length and
 * checksum of each.  So a datagram joins only what that cutting gives back unchanged: IPv4
 * without options or fragments, the same addresses, ports, TOS, TTL and DF, the next
 * Identification, a nonzero and right UDP checksum (a datagram sent without one would get
 * one; a wrong one would be made right) and the payload length of the first (a shorter one
 * ends the run).  As for TCP in gro.c, only after
 * an ICV (ESP's, or the AH's around a bundle) was verified over each datagram, since the
 * kernel writes fresh checksums over the payloads as they are.
 *
 * Outbound (out.c asks): with TUN_F_USO4 advertised the kernel may hand datad a UDP
 * super-packet (a local UDP_SEGMENT sender, or GRO of forwarded UDP on the LAN interface:
 * `ethtool -K LAN rx-udp-gro-forwarding on`, the operator's switch).  It is cut here into the
 * datagrams the kernel would have sent, each with its own IPv4 header (Total Length,
 * Identification, checksum), UDP length and full UDP checksum, as tso.c does for TCP.
 * In place, into the caller's pool buffers: no allocation (invariant 6), no state. */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <stddef.h>
#include <string.h>

#include "common/ip4.h"
#include "datad/worker.h"

enum {
	USO_MAX_LEN = 65535,		/* an IPv4 total length */
};

/* A datagram USO takes: IPv4 without options, then UDP. */
struct udp4 {
	struct ip4_hdr	ip;
	struct udp_hdr	udp;
} __attribute__((packed));

static const struct udp4 *
udp4(const struct pkt *p)
{
	return (const struct udp4 *)p->data;
}

bool
uso_dgram(const struct pkt *p, uint32_t *plen)
{
	const struct udp4 *d = udp4(p);
	struct ip4_pseudo ph;
	uint32_t tot;

	if (p->len < sizeof(*d) || d->ip.ver_ihl != 0x45 || d->ip.proto != IPPROTO_UDP)
		return false;
	tot = ntohs(d->ip.len_be);
	if (tot != p->len || (ntohs(d->ip.frag_be) & (IP4_MF | IP4_OFF_MASK)) != 0)
		return false;
	if (ntohs(d->udp.len_be) != tot - sizeof(d->ip) || d->udp.csum_be == 0 ||
	    tot == sizeof(*d))
		return false;
	/* a wrong checksum stays wrong for the host to see: the kernel would write a right one */
	ph.src_be = d->ip.src_be;
	ph.dst_be = d->ip.dst_be;
	ph.zero = 0;
	ph.proto = IPPROTO_UDP;
	ph.len_be = d->udp.len_be;
	if (tso_l4_csum(&ph, (const uint8_t *)&d->udp, tot - (uint32_t)sizeof(d->ip)) != 0)
		return false;
	*plen = tot - (uint32_t)sizeof(*d);
	return true;
}

bool
uso_joins(const struct gro_flow *f, const struct pkt *q, uint32_t plen)
{
	const struct udp4 *a = udp4(f->seg[0]), *b = udp4(q);

	return !f->closed && f->proto == IPPROTO_UDP && plen <= f->mss &&
	    f->len + plen <= USO_MAX_LEN && f->n < GRO_SEGS &&
	    ntohs(b->ip.id_be) == (uint16_t)f->next_seq &&	/* what the cutting gives */
	    a->ip.tos == b->ip.tos && a->ip.ttl == b->ip.ttl &&
	    (a->ip.frag_be & htons(IP4_DF)) == (b->ip.frag_be & htons(IP4_DF));
}

void
uso_head(const struct gro_flow *f, struct virtio_net_hdr *vh)
{
	struct udp4 *s = (struct udp4 *)f->seg[0]->data;
	struct ip4_pseudo ph;
	uint16_t ulen = (uint16_t)(f->len - sizeof(s->ip));

	s->ip.len_be = htons((uint16_t)f->len);
	ip4_csum_set(f->seg[0]->data);
	/* as udp_send_skb leaves a UDP_SEGMENT super-packet: the length of it all, and in the
	 * checksum field the pseudo-header sum over that length, not inverted; the kernel
	 * adjusts it to each datagram's length and adds the rest (CHECKSUM_PARTIAL) */
	s->udp.len_be = htons(ulen);
	ph.src_be = s->ip.src_be;
	ph.dst_be = s->ip.dst_be;
	ph.zero = 0;
	ph.proto = IPPROTO_UDP;
	ph.len_be = htons(ulen);
	s->udp.csum_be = (uint16_t)~ip4_csum(&ph, sizeof(ph));
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	vh->hdr_len = sizeof(*s);
	vh->gso_size = (uint16_t)f->mss;
	vh->csum_start = sizeof(s->ip);
	vh->csum_offset = offsetof(struct udp_hdr, csum_be);
}

enum drop
uso_parse(struct tso *t, const struct virtio_net_hdr *vh, const uint8_t *sp, uint32_t n)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)sp;
	uint32_t ihl, mss = vh->gso_size;

	ihl = n >= sizeof(*ip) ? (uint32_t)(ip->ver_ihl & 0x0f) * 4 : 0;
	if (vh->gso_type != VIRTIO_NET_HDR_GSO_UDP_L4 || ihl < sizeof(*ip) ||
	    (ip->ver_ihl >> 4) != 4 || ip->proto != IPPROTO_UDP ||
	    ihl + sizeof(struct udp_hdr) > n || mss == 0 ||
	    ihl + sizeof(struct udp_hdr) + mss > PKT_MAX || n == ihl + sizeof(struct udp_hdr))
		return DROP_BAD_IP;
	t->sp = sp;
	t->n = n;
	t->ihl = ihl;
	t->hlen = ihl + (uint32_t)sizeof(struct udp_hdr);
	t->mss = mss;
	t->segs = (n - t->hlen + mss - 1) / mss;
	return DROP_NONE;
}

void
uso_segment(const struct tso *t, uint32_t i, struct pkt *p)
{
	struct ip4_hdr *ip = tso_copy_seg(t, i, p);
	struct udp_hdr *udp = (struct udp_hdr *)(p->data + t->ihl);
	uint16_t ulen = (uint16_t)(p->len - t->ihl);
	struct ip4_pseudo ph;

	ip4_csum_set(p->data);
	udp->len_be = htons(ulen);
	ph.src_be = ip->src_be;
	ph.dst_be = ip->dst_be;
	ph.zero = 0;
	ph.proto = IPPROTO_UDP;
	ph.len_be = htons(ulen);
	udp->csum_be = 0;
	udp->csum_be = tso_l4_csum(&ph, (const uint8_t *)udp, ulen);
	if (udp->csum_be == 0)
		udp->csum_be = 0xffff;		/* RFC 768: zero is "no checksum" */
}
