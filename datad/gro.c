/* SPDX-License-Identifier: Apache-2.0 */
/* gro.c: inbound TCP segments (and UDP datagrams: uso.c says which) of one flow, decapsulated
 * in the same batch, go to the TUN as one super-packet (generic receive offload, done here:
 * docs/bench.md, "fewer kernel crossings per packet").  The TUN takes it with a
 * virtio_net_hdr saying TCPv4 GSO: the kernel forwards it whole over links that take GSO
 * (veth, most NICs) and cuts it where one does not, exactly into the segments it was made of.
 * One write instead of up to BATCH.
 *
 * Segments join a super-packet only as Linux's own GRO would take them (tcp_gro_receive):
 * IPv4 without options or fragments, same addresses, ports, TOS, TTL and DF, contiguous
 * sequence numbers, the same acknowledgment, window and TCP options, no SYN, RST, URG, CWR or
 * ECE, and all but the last of the same payload length (the GSO size); a segment with PSH or
 * FIN, or a shorter one, ends it.  Anything else is written as it came, after what is already
 * queued of its flow, so no flow sees its packets reordered.  Payloads are not copied: one
 * writev() of the first segment's headers and every segment's payload.  The TCP checksum of a
 * super-packet is left to the kernel (VIRTIO_NET_HDR_F_NEEDS_CSUM), which computes it over
 * the payload as it is: safe only because an ICV (ESP's, or the AH's around a bundle) was
 * just verified over each segment.  The packets of an SA without one (an ESP cipher alone:
 * in.c) are never coalesced and go to the TUN as they are, without checksum offload flags,
 * so the host behind us checks each segment's own checksum and a tampered one fails there
 * instead of being given a fresh valid checksum here (in_test).  UDP datagrams of one flow
 * and size go the same way as one VIRTIO_NET_HDR_GSO_UDP_L4 super-packet, by uso.c's rules
 * (docs/adr/0017-udp-offload-tun.md). */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <stddef.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/ip4.h"
#include "datad/worker.h"

enum {
	GRO_MAX_LEN = 65535,		/* an IPv4 total length */
};

/* A segment GRO takes: IPv4 without options, then TCP. */
struct tcp4 {
	struct ip4_hdr	ip;
	struct tcp_hdr	tcp;
} __attribute__((packed));

static const struct tcp4 *
tcp4(const struct pkt *p)
{
	return (const struct tcp4 *)p->data;
}

/* The TCP segment in p: header lengths and payload, if GRO may take it at all. */
static bool
tcp_seg(const struct pkt *p, uint32_t *thl, uint32_t *plen)
{
	const struct tcp4 *s = tcp4(p);
	uint32_t tot;

	if (p->len < sizeof(*s) || s->ip.ver_ihl != 0x45 || s->ip.proto != IPPROTO_TCP)
		return false;
	tot = ntohs(s->ip.len_be);
	if (tot != p->len || (ntohs(s->ip.frag_be) & (IP4_MF | IP4_OFF_MASK)) != 0)
		return false;
	*thl = (uint32_t)(s->tcp.off >> 4) * 4;
	if (*thl < sizeof(s->tcp) || sizeof(s->ip) + *thl > tot)
		return false;
	if (s->tcp.flags & (TCP_SYN | TCP_RST | TCP_URG | TCP_CWR | TCP_ECE) ||
	    !(s->tcp.flags & TCP_ACK))
		return false;
	*plen = tot - (uint32_t)sizeof(s->ip) - *thl;
	return *plen > 0;
}

/* Does segment q (thl, plen) continue flow f? */
static bool
joins(const struct gro_flow *f, const struct pkt *q, uint32_t thl, uint32_t plen)
{
	const struct tcp4 *a = tcp4(f->seg[0]), *b = tcp4(q);

	return !f->closed && thl == f->thl && plen <= f->mss &&
	    f->len + plen <= GRO_MAX_LEN && f->n < GRO_SEGS &&
	    ntohl(b->tcp.seq_be) == f->next_seq &&		/* contiguous */
	    a->tcp.ack_be == b->tcp.ack_be && a->tcp.win_be == b->tcp.win_be &&
	    memcmp(a + 1, b + 1, thl - sizeof(b->tcp)) == 0 &&	/* options */
	    a->ip.tos == b->ip.tos && a->ip.ttl == b->ip.ttl &&
	    (a->ip.frag_be & htons(IP4_DF)) == (b->ip.frag_be & htons(IP4_DF));
}

/* Addresses and ports (q may be any packet of 24 bytes or more: then what stands where
 * a segment's ports would). */
static bool
same_flow(const struct gro_flow *f, const struct pkt *q)
{
	const struct tcp4 *a = tcp4(f->seg[0]), *b = tcp4(q);

	return a->ip.src_be == b->ip.src_be && a->ip.dst_be == b->ip.dst_be &&
	    a->tcp.sport_be == b->tcp.sport_be && a->tcp.dport_be == b->tcp.dport_be;
}

static void
write_one(struct worker *w, struct sa_in *sa, struct pkt *p)
{
	p->data -= sizeof(struct virtio_net_hdr);
	memset(p->data, 0, sizeof(struct virtio_net_hdr));
	if (write(w->tun_fd, p->data, p->len + sizeof(struct virtio_net_hdr)) < 0)
		worker_drop(w, &sa->ctr, DROP_TX);
	w->n_tun_writes++;
}

/* f->seg[0]'s headers made the TCP super-packet's, and its virtio_net_hdr into *vh. */
static void
tcp_head(const struct gro_flow *f, struct virtio_net_hdr *vh)
{
	struct tcp4 *s = (struct tcp4 *)f->seg[0]->data;
	struct ip4_pseudo ph;
	uint8_t flags = 0;

	for (unsigned i = 0; i < f->n; i++)
		flags |= tcp4(f->seg[i])->tcp.flags & (TCP_PSH | TCP_FIN);
	s->tcp.flags |= flags;			/* as tcp_gro_receive does */
	s->ip.len_be = htons((uint16_t)f->len);
	ip4_csum_set(f->seg[0]->data);
	/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum (RFC 793: addresses, protocol,
	 * TCP length), not inverted; the kernel adds the rest */
	ph.src_be = s->ip.src_be;
	ph.dst_be = s->ip.dst_be;
	ph.zero = 0;
	ph.proto = IPPROTO_TCP;
	ph.len_be = htons((uint16_t)(f->len - sizeof(s->ip)));
	s->tcp.csum_be = (uint16_t)~ip4_csum(&ph, sizeof(ph));	/* network order already */
	memset(vh, 0, sizeof(*vh));
	vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh->hdr_len = (uint16_t)(sizeof(s->ip) + f->thl);
	vh->gso_size = (uint16_t)f->mss;
	vh->csum_start = sizeof(s->ip);
	vh->csum_offset = offsetof(struct tcp_hdr, csum_be);
}

static void
flush_flow(struct worker *w, struct gro_flow *f)
{
	struct virtio_net_hdr vh;
	struct pkt *h = f->seg[0];
	uint32_t hl = (uint32_t)sizeof(struct ip4_hdr) + f->thl;
	unsigned k = 0;

	if (f->n == 1) {
		write_one(w, f->sa, h);
		f->n = 0;
		return;
	}
	if (f->proto == IPPROTO_UDP) {
		uso_head(f, &vh);
		w->n_uso_pkts++;
		w->n_uso_segs += f->n;
	} else
		tcp_head(f, &vh);
	memcpy(h->data - sizeof(vh), &vh, sizeof(vh));	/* in the headroom, as write_one does */
	w->gro_iov[k].iov_base = h->data - sizeof(vh);
	w->gro_iov[k++].iov_len = sizeof(vh) + h->len;	/* headers and the first payload */
	for (unsigned i = 1; i < f->n; i++) {
		w->gro_iov[k].iov_base = f->seg[i]->data + hl;
		w->gro_iov[k++].iov_len = f->seg[i]->len - hl;
	}
	if (writev(w->tun_fd, w->gro_iov, (int)k) < 0)
		worker_drops(w, &f->sa->ctr, DROP_TX, f->n);
	w->n_tun_writes++;
	w->n_gro_pkts++;
	w->n_gro_segs += f->n;
	f->n = 0;
}

void
gro_flush(struct worker *w)
{
	for (unsigned i = 0; i < w->n_gro; i++)
		if (w->gro[i].n)
			flush_flow(w, &w->gro[i]);
	w->n_gro = 0;
}

void
gro_add(struct worker *w, struct sa_in *sa, struct pkt *p)
{
	struct gro_flow *f = NULL;
	uint32_t thl = 0, plen = 0;
	uint8_t proto = 0;
	bool ok;

	if (!w->o.no_offload && sa->icv) {
		if (tcp_seg(p, &thl, &plen))
			proto = IPPROTO_TCP;
		else if (uso_dgram(p, &plen))
			proto = IPPROTO_UDP;
	}
	if (proto == 0) {
		/* not for GRO (nothing authenticated it: no offload flags); but what is queued
		 * of its flow goes first */
		for (unsigned i = 0; p->len >= 24 && i < w->n_gro; i++)
			if (w->gro[i].n && same_flow(&w->gro[i], p))
				flush_flow(w, &w->gro[i]);
		write_one(w, sa, p);
		return;
	}
	for (unsigned i = 0; i < w->n_gro && f == NULL; i++)
		if (w->gro[i].n && same_flow(&w->gro[i], p))
			f = &w->gro[i];
	ok = f != NULL && f->sa == sa && f->proto == proto;
	if (ok && proto == IPPROTO_TCP && joins(f, p, thl, plen)) {
		f->seg[f->n++] = p;
		f->len += plen;
		f->next_seq += plen;
		f->closed = plen < f->mss || (tcp4(p)->tcp.flags & (TCP_PSH | TCP_FIN));
		return;
	}
	if (ok && proto == IPPROTO_UDP && uso_joins(f, p, plen)) {
		f->seg[f->n++] = p;
		f->len += plen;
		f->next_seq = (uint16_t)(f->next_seq + 1);
		f->closed = plen < f->mss;
		return;
	}
	if (f != NULL)
		flush_flow(w, f);		/* same flow, cannot join: it goes first */
	else if (w->n_gro < GRO_FLOWS)
		f = &w->gro[w->n_gro++];
	else {
		f = &w->gro[0];			/* full: the oldest goes */
		flush_flow(w, f);
	}
	f->sa = sa;
	f->seg[0] = p;
	f->n = 1;
	f->proto = proto;
	f->thl = proto == IPPROTO_TCP ? thl : (uint32_t)sizeof(struct udp_hdr);
	f->mss = plen;
	f->len = p->len;
	if (proto == IPPROTO_TCP) {
		f->next_seq = ntohl(tcp4(p)->tcp.seq_be) + plen;
		f->closed = (tcp4(p)->tcp.flags & (TCP_PSH | TCP_FIN)) != 0;
	} else {
		f->next_seq = (uint16_t)(ntohs(((const struct ip4_hdr *)p->data)->id_be) + 1);
		f->closed = false;
	}
}
