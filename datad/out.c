/* SPDX-License-Identifier: Apache-2.0 */
/* out.c: the outbound fast path.  Cleartext from the TUN -> crypto map lookup (entries in map
 * order, access-list entries in order; docs/design.md invariant 5) -> ESP tunnel mode -> raw socket
 * to the peer; a flow no entry permits leaves in the clear.  The lookup (spd.c) costs the same
 * for ten entries or ten thousand: a flow cache, then a classifier built per generation.  A
 * manual entry has its SAs; an ipsec-isakmp or dynamic entry those of its negotiated flows,
 * the newest that covers the packet.  An SA past its hard lifetime (seconds or bytes) sends nothing: "expired"
 * (docs/datad.md, "Hard lifetimes").  No allocation, no lock (invariant 6). */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/ah.h"
#include "common/esp.h"
#include "common/ip4.h"
#include "common/log.h"
#include "common/pmtu.h"
#include <linux/virtio_net.h>

#include "datad/worker.h"

/* Can sa send now: it has numbers of its lease left, or the next lease is here already? */
static bool
out_has_seq(const struct sa_out *sa)
{
	return sa == NULL || sa->seq <= sa->seq_end || sa->next_first != 0;
}

/* The newest negotiated flow of p (an ipsec-isakmp or dynamic entry) that covers the packet
 * (local -> remote, as the flow is written), for sending.  Flows are oldest first, so the
 * scan runs backwards: during a make-before-break rekey the new SA wins.  O(n_flows) of the
 * one entry the lookup chose, never of the whole map.  A new SA of a rekey has no sequence
 * numbers until its first lease comes back from controld (a round trip), so while it waits
 * the flow's older SA, still valid at the peer (make before break), carries the packets, and
 * the lease is asked for.  Only when no older SA covers the packet does the newest one take
 * it (and drop it, no-lease, as before). */
static struct flow_out *
out_flow_ready(struct worker *w, const struct policy *p, const struct flow *f)
{
	struct flow_out *newest = NULL;

	for (uint32_t i = p->n_flows; i-- > 0;) {
		struct flow_out *fo = &p->flows[i];

		if (!sel_match(&fo->flow, f))
			continue;
		if (out_has_seq(fo->sa_esp) && out_has_seq(fo->sa_ah))
			return fo;
		if (newest == NULL) {
			newest = fo;
			if (fo->sa_esp != NULL && !out_has_seq(fo->sa_esp))
				link_need_lease(w, fo->sa_esp);
			if (fo->sa_ah != NULL && !out_has_seq(fo->sa_ah))
				link_need_lease(w, fo->sa_ah);
		}
	}
	return newest;
}

/* Take the next sequence number of the lease; never past it (invariant 1). */
static enum drop
out_seq(struct worker *w, struct sa_out *sa, uint64_t *seq)
{
	if (sa->seq > sa->seq_end) {
		if (sa->next_first == 0) {
			link_need_lease(w, sa);
			return DROP_NO_LEASE;
		}
		sa->seq = sa->next_first;
		sa->seq_end = sa->next_last;
		sa->lease_len = sa->next_last - sa->next_first + 1;
		sa->next_first = sa->next_last = 0;
	}
	if (!sa->esn && sa->seq > UINT32_MAX)
		return DROP_SEQ_WRAP;
	*seq = sa->seq++;
	if (sa->next_first == 0 && sa->seq_end - *seq < sa->lease_len / 2)
		link_need_lease(w, sa);	/* half used: ask for the next one ahead */
	return DROP_NONE;
}

/* ESP in tunnel mode around p: sealed now, or (CBC on AES-NI) framed now and sealed with the
 * rest of the batch in out_flush (esp.h: esp_encap_begin). */
static enum drop
out_encap(struct worker *w, struct sa_out *sa, uint64_t seq, struct pkt *p)
{
	struct esp_job *j = &w->cbc_jobs[w->n_cbc_jobs];
	enum drop d;

	if (w->n_cbc_jobs == BATCH)		/* never: one job per pool slot */
		return esp_encap(&sa->xf, sa->spi_be, seq, sa->esn, IPPROTO_IPIP_, p);
	d = esp_encap_begin(&sa->xf, sa->spi_be, seq, sa->esn, IPPROTO_IPIP_, p, j);
	if (d == DROP_NONE && j->xf != NULL)
		w->n_cbc_jobs++;
	return d;
}

/* Seal what out_encap left framed: before any batch is sent, and before a packet is copied. */
void
out_seal(struct worker *w)
{
	if (w->n_cbc_jobs == 0)
		return;
	esp_encap_finish(w->cbc_jobs, w->n_cbc_jobs);
	w->n_cbc_jobs = 0;
}

static void
queue(struct tx_batch *b, struct pkt *p, uint32_t dst_be)
{
	b->iov[b->n].iov_base = p->data;
	b->iov[b->n].iov_len = p->len;
	b->dst[b->n].sin_addr.s_addr = dst_be;
	b->dst[b->n].sin_port = 0;
	b->msg[b->n].msg_hdr.msg_control = NULL;
	b->msg[b->n].msg_hdr.msg_controllen = 0;
	b->no_gso[b->n] = true;
	b->n++;
}

/* The common case: ESP alone, tunnel mode; the kernel builds the outer header (and the UDP
 * header, checksum 0, for ESP in UDP: RFC 3948 §2.1).  A drop is sa's. */
static enum drop
out_esp_tunnel(struct worker *w, struct sa_out *sa, struct pkt *p)
{
	struct tx_batch *b = sa->udp_port_be ? &w->udp_tx : &w->esp_tx;
	struct msghdr *h;
	struct cmsghdr *c;
	struct in_pktinfo pi;
	uint64_t seq;
	enum drop d;
	int tos = ((const struct ip4_hdr *)p->data)->tos;	/* ECN too (RFC 6040 normal) */

	if (sa->udp_port_be && w->udp_fd < 0)
		return DROP_PROTO;		/* port 4500 was not ours to bind */
	if ((d = out_seq(w, sa, &seq)) != DROP_NONE ||
	    (d = out_encap(w, sa, seq, p)) != DROP_NONE)
		return d;
	sa->ctr.pkts++;
	sa->ctr.bytes += p->len;
	queue(b, p, sa->peer_be);
	b->dst[b->n - 1].sin_port = sa->udp_port_be;
	/* the kernel cuts a UDP_SEGMENT send only to datagrams that fit the route: a larger one
	 * (fragmented by the kernel) goes alone (udpgso.c) */
	b->no_gso[b->n - 1] = p->len + IP4_HDR_MIN + 8 > sa->path_mtu;
	h = &b->msg[b->n - 1].msg_hdr;
	h->msg_control = b->ctl[b->n - 1].buf;
	h->msg_controllen = sizeof(b->ctl[b->n - 1].buf);
	c = CMSG_FIRSTHDR(h);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memset(&pi, 0, sizeof(pi));
	pi.ipi_spec_dst.s_addr = sa->local_be;	/* the crypto map's local address */
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	c = CMSG_NXTHDR(h, c);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TOS;
	c->cmsg_len = CMSG_LEN(sizeof(tos));
	memcpy(CMSG_DATA(c), &tos, sizeof(tos));
	return DROP_NONE;
}

/* The outer packet p is larger than the path MTU and may be fragmented (RFC 791; the seed's
 * "packet expansion"): we cut it, since the kernel will not for IP_HDRINCL beyond the device
 * MTU (common/pmtu.h), and send the pieces at once, behind what is already queued.  The slow
 * path: a few copies, no allocation. */
static enum drop
out_fragments(struct worker *w, struct sa_out *sa, const struct pkt *p, uint32_t mtu)
{
	struct pkt *f[PMTU_FRAGS];
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = sa->peer_be };
	int n;

	for (unsigned i = 0; i < PMTU_FRAGS; i++)
		f[i] = &w->frags[i];
	if ((n = pmtu_fragment(p, mtu, f, PMTU_FRAGS)) < 0)
		return DROP_TOO_BIG;
	if (w->hdr_tx.n)
		io_flush(w, &w->hdr_tx, w->clear_fd);
	for (int i = 0; i < n; i++)
		if (sendto(w->clear_fd, f[i]->data, f[i]->len, 0, (struct sockaddr *)&to,
		    sizeof(to)) < 0)
			worker_drop(w, NULL, DROP_TX);	/* a send: where it fails */
	w->n_frags += (uint64_t)n;
	return DROP_NONE;
}

/* An inner packet with DF set that does not fit the SA's path once encapsulated: dropped,
 * and its source told the MTU it may use (RFC 1191, RFC 4301 §8.2.1), at a bounded rate
 * (RFC 1812 §4.3.2.8).  The ICMP leaves from us with the kernel's choice of source address
 * (0 in the header we build), marked past our routing table like cleartext. */
static enum drop
out_too_big(struct worker *w, struct pkt *p, uint32_t room)
{
	if (w->icmp_tokens == 0)
		return DROP_TOO_BIG;
	if (pmtu_icmp_frag_needed(p, (uint16_t)(room > UINT16_MAX ? UINT16_MAX : room), 0) != 0)
		return DROP_TOO_BIG;
	w->icmp_tokens--;
	w->n_icmp_sent++;
	queue(&w->clear_tx, p, ((const struct ip4_hdr *)p->data)->dst_be);
	return DROP_TOO_BIG;		/* the packet itself is dropped all the same */
}

/* The path MTU of SAs esp and ah (the lowest of the two) and the room it leaves, worked out
 * again only when the path MTU changed: *room_mtu and *room are the cache, the policy's or
 * its flow's. */
static uint32_t
out_room(const struct sa_out *esp, const struct sa_out *ah, uint16_t *room_mtu, uint32_t *room,
    uint32_t *mtu)
{
	const struct sa_out *first = esp ? esp : ah;
	uint32_t m = first->path_mtu;

	if (esp != NULL && ah != NULL && ah->path_mtu < m)
		m = ah->path_mtu;
	*mtu = m;
	if (*room_mtu != m) {
		/* tunnel: the outer header; transport: the packet's own, which stays */
		uint32_t extra = IP4_HDR_MIN;

		if (esp != NULL && esp->udp_port_be != 0)
			extra += 8;			/* RFC 3948 UDP header */
		*room = pmtu_room(esp ? &esp->xf : NULL, ah ? &ah->xf : NULL, m, extra);
		if (!first->tunnel && *room != 0)
			*room += IP4_HDR_MIN;		/* room was for what follows the header */
		*room_mtu = (uint16_t)m;
	}
	return *room;
}

/* Everything that needs the whole IP packet built here: AH (its ICV covers the outer header),
 * AH+ESP bundles (ESP inside, AH outside: RFC 4301 §4.3), and transport mode (the peers' own
 * traffic).  Sent with IP_HDRINCL.  A drop is *sap's: the SA whose step failed. */
static enum drop
out_hdr(struct worker *w, struct sa_out *esp, struct sa_out *ah, struct pkt *p, uint32_t mtu,
    struct sa_out **sap)
{
	struct sa_out *first = esp != NULL ? esp : ah, *bad = NULL;
	uint64_t seq_e = 0, seq_a = 0;
	uint8_t tos = 0;
	bool df = false;
	enum drop d = DROP_NONE;

	if (esp != NULL && (d = out_seq(w, esp, &seq_e)) != DROP_NONE)
		bad = esp;
	else if (ah != NULL && (d = out_seq(w, ah, &seq_a)) != DROP_NONE)
		bad = ah;		/* ESP's number is spent, never reused */
	if (bad != NULL) {
		*sap = bad;
		return d;
	}
	ip4_inner_tos(p->data, p->len, &tos, &df);
	if (first->tunnel) {
		/* AH covers ESP's cipher text: ESP sealed at once under AH */
		if (esp != NULL && (d = ah != NULL ?
		    esp_encap(&esp->xf, esp->spi_be, seq_e, esp->esn, IPPROTO_IPIP_, p) :
		    out_encap(w, esp, seq_e, p)) != DROP_NONE)
			bad = esp;
		else if ((d = ip4_push(p, first->local_be, first->peer_be,
		    esp != NULL ? IPPROTO_ESP_ : IPPROTO_IPIP_, tos, df, 0)) != DROP_NONE)
			bad = first;
	} else if (esp != NULL &&
	    (d = esp_transport_encap(&esp->xf, esp->spi_be, seq_e, esp->esn, p)) != DROP_NONE) {
		bad = esp;
	}
	if (bad == NULL && ah != NULL &&
	    (d = ah_encap(&ah->xf, ah->spi_be, seq_a, ah->esn, p)) != DROP_NONE)
		bad = ah;
	if (bad != NULL) {
		*sap = bad;
		return d;
	}
	if (esp != NULL) {
		esp->ctr.pkts++;
		esp->ctr.bytes += p->len;
	}
	if (ah != NULL) {
		ah->ctr.pkts++;
		ah->ctr.bytes += p->len;
	}
	if (p->len > mtu) {			/* DF clear (else out_one answered it) */
		out_seal(w);			/* the fragments copy it */
		*sap = first;
		return out_fragments(w, first, p, mtu);
	}
	queue(&w->hdr_tx, p, first->peer_be);
	return DROP_NONE;
}

/* The SA of esp and ah (either may be NULL) that is past its hard lifetime, or NULL: checked
 * before a sequence number is taken, so an expired SA spends none and asks for no lease.
 * Bundles: both count the same bytes, so either may end it. */
static struct sa_out *
out_expired(const struct worker *w, struct sa_out *esp, struct sa_out *ah)
{
	if (esp != NULL && tables_expired(&esp->hard, &esp->ctr, w->wall_ms))
		return esp;
	if (ah != NULL && tables_expired(&ah->hard, &ah->ctr, w->wall_ms))
		return ah;
	return NULL;
}

/* One cleartext packet through the crypto map; a drop is charged to *sap, or to the worker
 * while *sap is NULL (before an SA is chosen).  A manual entry's SAs are its own; an
 * ipsec-isakmp or dynamic entry's are those of its newest flow that covers the packet (none
 * is "no SA" as for a manual entry without one). */
static enum drop
out_one(struct worker *w, struct pkt *p, struct sa_out **sap)
{
	struct policy *pol;
	struct flow_out *fo = NULL;
	struct sa_out *esp, *ah;
	struct flow f;
	uint32_t room, mtu, ace = 0;
	bool df;

	if (sel_flow(&f, p->data, p->len) != 0)
		return DROP_BAD_IP;
	/* the generation is this worker's own copy: its caches (room, the flow cache) are ours
	 * to write.  First match in map order, a deny ending its entry (spd.h) */
	if ((pol = spd_lookup(w->gen->spd, w->gen, &f, &ace)) == NULL) {
		/* no entry protects it: on in the clear, marked past our routing table */
		queue(&w->clear_tx, p, htonl(f.dst));
		return DROP_NONE;
	}
	if (pol->n_flows != 0)				/* never for manual entries */
		fo = out_flow_ready(w, pol, &f);
	esp = fo != NULL ? fo->sa_esp : pol->sa_esp;
	ah = fo != NULL ? fo->sa_ah : pol->sa_ah;
	if (esp == NULL && ah == NULL) {
		/* seed: the packet is dropped; an ipsec-isakmp entry asks IKE for SAs (an
		 * acquire, docs/design.md "The ZeroMQ link"), once per flow in a hold time */
		if (pol->kind == GW__V1__ENTRY_KIND__KIND_ISAKMP)
			ikewire_acquire(w, pol, ace, &f);
		return DROP_NO_OUT_SA;
	}
	if ((*sap = out_expired(w, esp, ah)) != NULL)
		return DROP_EXPIRED;	/* controld away, or its delete still on the way */
	room = out_room(esp, ah, fo != NULL ? &fo->room_mtu : &pol->room_mtu,
	    fo != NULL ? &fo->room : &pol->room, &mtu);
	df = (((const struct ip4_hdr *)p->data)->frag_be & htons(IP4_DF)) != 0;
	if (p->len > room && df) {
		*sap = esp ? esp : ah;
		return out_too_big(w, p, room);
	}
	/* ESP tunnel mode: the kernel builds the outer header, DF clear, and fragments what
	 * exceeds the route's MTU; with DF on the inner packet we build it, DF copied (RFC 4301
	 * §8.1), so that routers on the path tell us their MTU (mtu.c).  ESP in UDP always the
	 * first way. */
	if (ah == NULL && esp->tunnel && (!df || esp->udp_port_be)) {
		*sap = esp;
		return out_esp_tunnel(w, esp, p);
	}
	return out_hdr(w, esp, ah, p, mtu, sap);
}

/* AF_XDP first, where it is in use (xdp.c): what it cannot send stays in the batch for the
 * raw sockets.  Either way every packet was sealed once, its number taken (invariant 1). */
void
out_flush(struct worker *w)
{
	out_seal(w);
	xdp_tx(w, &w->esp_tx, XDP_TX_ESP);
	if (w->esp_tx.n)
		io_flush(w, &w->esp_tx, w->esp_fd);
	if (w->clear_tx.n)
		io_flush(w, &w->clear_tx, w->clear_fd);
	xdp_tx(w, &w->hdr_tx, XDP_TX_HDR);
	if (w->hdr_tx.n)
		io_flush(w, &w->hdr_tx, w->clear_fd);
	xdp_tx(w, &w->udp_tx, XDP_TX_UDP);
	if (w->udp_tx.n)
		udpgso_flush(w);	/* runs of one size in one send (UDP_SEGMENT) */
}

/* Next free buffer of the outbound pool, flushing what was built when all are in use. */
static struct pkt *
out_slot(struct worker *w, unsigned *slot)
{
	if (*slot == BATCH) {
		out_flush(w);
		*slot = 0;
	}
	return &w->pool[(*slot)++];
}

/* One packet, and where its drop is counted (worker.h). */
static void
out_pkt(struct worker *w, struct pkt *p)
{
	struct sa_out *sa = NULL;
	enum drop d;

	d = w->gen == NULL ? DROP_NO_OUT_SA : out_one(w, p, &sa);
	if (d != DROP_NONE)
		worker_drop(w, sa != NULL ? &sa->ctr : NULL, d);
}

/* One read from the TUN: a plain packet, or a TCP super-packet to cut into segments (tso.c),
 * or a UDP one to cut into datagrams (uso.c). */
void
out_read(struct worker *w, const uint8_t *b, uint32_t len, unsigned *slot)
{
	const struct virtio_net_hdr *vh = (const struct virtio_net_hdr *)b;
	uint8_t *sp = (uint8_t *)b + sizeof(*vh);
	uint32_t n = len - (uint32_t)sizeof(*vh);
	struct tso t;
	struct pkt *p;
	enum drop d;

	if ((vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_NONE) {
		if (n > PKT_MAX) {
			worker_drop(w, NULL, DROP_TOO_BIG);
			return;
		}
		if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    tso_csum(sp, n, vh->csum_start, vh->csum_offset) != 0) {
			worker_drop(w, NULL, DROP_BAD_IP);
			return;
		}
		p = out_slot(w, slot);
		pkt_reset(p);
		memcpy(p->data, sp, n);
		p->len = n;
		out_pkt(w, p);
		return;
	}
	if (vh->gso_type == VIRTIO_NET_HDR_GSO_UDP_L4) {
		/* a UDP super-packet (TUN_F_USO4): its datagrams, each sealed (uso.c) */
		if ((d = uso_parse(&t, vh, sp, n)) != DROP_NONE) {
			worker_drop(w, NULL, d);
			return;
		}
		w->n_uso_in++;
		w->n_uso_dgrams += t.segs;
		for (uint32_t i = 0; i < t.segs; i++) {
			p = out_slot(w, slot);
			uso_segment(&t, i, p);
			out_pkt(w, p);
		}
		return;
	}
	if ((d = tso_parse(&t, vh, sp, n)) != DROP_NONE) {
		worker_drop(w, NULL, d);
		return;
	}
	w->n_tso++;
	w->n_tso_segs += t.segs;
	for (uint32_t i = 0; i < t.segs; i++) {
		p = out_slot(w, slot);
		tso_segment(&t, i, p);
		out_pkt(w, p);
	}
}

unsigned
out_batch(struct worker *w)
{
	unsigned n, slot = 0;

	if (w->tunring != NULL) {	/* what the multishot read holds (tunring.c) */
		n = tunring_batch(w, &slot);
	} else {
		for (n = 0; n < READS; n++) {
			ssize_t r = read(w->tun_fd, w->rbuf, RBUF);

			if (r <= (ssize_t)sizeof(struct virtio_net_hdr))
				break;
			out_read(w, w->rbuf, (uint32_t)r, &slot);
		}
	}
	out_flush(w);
	w->n_tun_reads += n;
	return n;
}
