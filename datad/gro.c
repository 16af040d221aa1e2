/* gro.c: inbound TCP segments of one flow, decapsulated in the same batch, go to the TUN as one
 * super-packet (generic receive offload, done here: docs/bench.md, "fewer kernel crossings
 * per packet").  The TUN takes it with a virtio_net_hdr saying TCPv4 GSO: the kernel forwards
 * it whole over links that take GSO (veth, most NICs) and cuts it where one does not, exactly
 * into the segments it was made of.  One write instead of up to BATCH.
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
 * instead of being given a fresh valid checksum here (in_test). */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/ip4.h"
#include "datad/worker.h"

enum {
	TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_RST = 0x04, TCP_PSH = 0x08, TCP_ACK = 0x10,
	TCP_URG = 0x20, TCP_ECE = 0x40, TCP_CWR = 0x80,
	GRO_MAX_LEN = 65535,		/* an IPv4 total length */
};

/* The TCP segment in p: header lengths and payload, if GRO may take it at all. */
static bool
tcp_seg(const struct pkt *p, uint32_t *thl, uint32_t *plen)
{
	const uint8_t *b = p->data;
	uint32_t tot;

	if (p->len < 40 || b[0] != 0x45 || b[9] != IPPROTO_TCP)
		return false;
	tot = (uint32_t)b[2] << 8 | b[3];
	if (tot != p->len || (b[6] & 0x3f) != 0 || b[7] != 0)	/* MF or an offset */
		return false;
	*thl = (uint32_t)(b[32] >> 4) * 4;
	if (*thl < 20 || 20 + *thl > tot)
		return false;
	if (b[33] & (TCP_SYN | TCP_RST | TCP_URG | TCP_CWR | TCP_ECE) || !(b[33] & TCP_ACK))
		return false;
	*plen = tot - 20 - *thl;
	return *plen > 0;
}

static uint32_t
rd32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Does segment q (thl, plen) continue flow f? */
static bool
joins(const struct gro_flow *f, const struct pkt *q, uint32_t thl, uint32_t plen)
{
	const uint8_t *a = f->seg[0]->data, *b = q->data;

	return !f->closed && thl == f->thl && plen <= f->mss &&
	    f->len + plen <= GRO_MAX_LEN && f->n < GRO_SEGS &&
	    rd32(b + 24) == f->next_seq &&		/* contiguous */
	    memcmp(a + 28, b + 28, 4) == 0 &&		/* acknowledgment */
	    memcmp(a + 34, b + 34, 2) == 0 &&		/* window */
	    memcmp(a + 40, b + 40, thl - 20) == 0 &&	/* options */
	    a[1] == b[1] && a[8] == b[8] && (a[6] & 0x40) == (b[6] & 0x40);
}

static bool
same_flow(const struct gro_flow *f, const struct pkt *q)
{
	/* addresses (12..19) and ports (20..23) */
	return memcmp(f->seg[0]->data + 12, q->data + 12, 12) == 0;
}

static void
write_one(struct worker *w, struct sa_in *sa, struct pkt *p)
{
	p->data -= sizeof(struct virtio_net_hdr);
	memset(p->data, 0, sizeof(struct virtio_net_hdr));
	if (write(w->tun_fd, p->data, p->len + sizeof(struct virtio_net_hdr)) < 0)
		sa->ctr.drops[DROP_TX]++;
	w->n_tun_writes++;
}

static void
flush_flow(struct worker *w, struct gro_flow *f)
{
	struct virtio_net_hdr vh;
	struct pkt *h = f->seg[0];
	uint8_t *b = h->data, flags = 0, pseudo[12];
	uint32_t tcp_len, hl = 20 + f->thl;
	uint16_t c;
	unsigned k = 0;

	if (f->n == 1) {
		write_one(w, f->sa, h);
		f->n = 0;
		return;
	}
	for (unsigned i = 0; i < f->n; i++)
		flags |= f->seg[i]->data[33] & (TCP_PSH | TCP_FIN);
	b[33] |= flags;				/* as tcp_gro_receive does */
	b[2] = (uint8_t)(f->len >> 8);
	b[3] = (uint8_t)f->len;
	ip4_csum_set(b);
	/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum (RFC 793: addresses, protocol,
	 * TCP length), not inverted; the kernel adds the rest */
	tcp_len = f->len - 20;
	memcpy(pseudo, b + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = (uint8_t)(tcp_len >> 8);
	pseudo[11] = (uint8_t)tcp_len;
	c = (uint16_t)~ip4_csum(pseudo, sizeof(pseudo));	/* network order already */
	memcpy(b + 36, &c, 2);
	memset(&vh, 0, sizeof(vh));
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.hdr_len = (uint16_t)hl;
	vh.gso_size = (uint16_t)f->mss;
	vh.csum_start = 20;
	vh.csum_offset = 16;
	memcpy(b - sizeof(vh), &vh, sizeof(vh));	/* in the headroom, as write_one does */
	w->gro_iov[k].iov_base = b - sizeof(vh);
	w->gro_iov[k++].iov_len = sizeof(vh) + h->len;	/* headers and the first payload */
	for (unsigned i = 1; i < f->n; i++) {
		w->gro_iov[k].iov_base = f->seg[i]->data + hl;
		w->gro_iov[k++].iov_len = f->seg[i]->len - hl;
	}
	if (writev(w->tun_fd, w->gro_iov, (int)k) < 0)
		f->sa->ctr.drops[DROP_TX] += f->n;
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
	uint32_t thl, plen;

	if (w->o.no_offload || !sa->icv || !tcp_seg(p, &thl, &plen)) {
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
	if (f != NULL && joins(f, p, thl, plen) && f->sa == sa) {
		f->seg[f->n++] = p;
		f->len += plen;
		f->next_seq += plen;
		f->closed = plen < f->mss || (p->data[33] & (TCP_PSH | TCP_FIN));
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
	f->thl = thl;
	f->mss = plen;
	f->len = p->len;
	f->next_seq = rd32(p->data + 24) + plen;
	f->closed = (p->data[33] & (TCP_PSH | TCP_FIN)) != 0;
}
