/* SPDX-License-Identifier: Apache-2.0 */
/* in.c: the inbound fast path.  ESP from the raw socket or UDP 4500, AH from its raw socket ->
 * SA by SPI -> is this the way the SA arrives? -> replay check -> ICV and decrypt in place ->
 * replay advance -> inner packet inside the SA's selectors -> TUN (TCP segments of a flow
 * coalesced, gro.c).
 *
 * Each SA is taken only the one way it was set up to arrive (tests/integration/bundle_strip.sh,
 * datad/in_test.c):
 *   - ESP alone: as raw ESP (protocol 50) if it has no udp_encap_port, in UDP 4500 (RFC 3948)
 *     if it has one; the other way is dropped as "encap" (a peer behind a NAT cannot send raw
 *     ESP through it, and one that is not has no reason to wrap it).
 *   - AH+ESP bundle (RFC 4301 §4.5: ESP inside, AH outside): the ESP SA only inside its own
 *     AH SA, never bare (raw or in UDP); the AH SA only with that ESP SA inside (next header
 *     50 and the partner's SPI).  Anything else is "bundle".  The ESP of a bundle is often a
 *     cipher alone (ah-sha-hmac esp-aes, the seed's ah-md5-hmac esp-des), with no ICV and no
 *     replay window of its own: with the AH stripped, its packets would be taken without any
 *     authentication, as often as they were sent again.
 *   - AH alone: tunnel mode carries an inner IPv4 packet (next header 4), transport mode the
 *     peers' own payload; ESP inside an AH SA without an ESP partner is "bundle", any other
 *     next header that does not fit the mode is "proto".
 *   - Transport mode (ESP or AH, alone or bundled): raw only, not over NAT-T ("proto", and
 *     controld refuses the configuration); the payload is never IP-in-IP, ESP or AH ("proto").
 *   - An ESP cipher alone (esp-des, esp-aes, esp-rfc1829 without an authenticator): taken as
 *     it arrives, because nothing can be checked: anyone on the path can flip bits of the
 *     plaintext (in CBC, predictably in the first block, through the IV) and resend what was
 *     sent (no authenticated sequence number, so no replay service).  Inherently malleable:
 *     pair it with AH.  Its TCP is never coalesced (gro.c), so the host behind us checks each
 *     segment's own checksum.
 *
 * An SA past its hard lifetime (seconds or bytes) takes nothing more: "expired", checked
 * before any crypto (docs/datad.md, "Hard lifetimes").
 *
 * A read is one whole datagram or nothing: one cut at the buffer's end (MSG_TRUNC; PKT_MAX,
 * docs/datad.md), or a raw datagram whose IP Total Length is not what was read, is dropped as
 * "truncated" ("bad-ip" if it says less), never taken for the packet. */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "common/ah.h"
#include "common/esp.h"
#include "common/udpencap.h"
#include "common/log.h"
#include <linux/virtio_net.h>

#include "datad/worker.h"

/* p->data is an IPv4 packet: its header length, or 0 if it is not one. */
static uint32_t
ip_hlen(const struct pkt *p)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)p->data;
	uint32_t ihl;

	if (p->len < sizeof(*ip) || (ip->ver_ihl >> 4) != 4)
		return 0;
	ihl = (uint32_t)(ip->ver_ihl & 0x0f) * 4;
	return ihl >= sizeof(*ip) && ihl <= p->len ? ihl : 0;
}

/* What is left after the outermost protection: an inner packet (tunnel) or the packet itself
 * (transport) must lie inside the SA's flow, selectors reversed (the SA carries only its own
 * flow; seed: inbound traffic is evaluated against the same list, mirrored). */
static enum drop
in_flow(struct sa_in *sa, struct pkt *p)
{
	struct flow f;

	if (sel_flow(&f, p->data, p->len) != 0)
		return DROP_BAD_IP;
	if (!sel_match_rev(&sa->flow, &f))
		return DROP_SELECTOR;
	return DROP_NONE;
}

/* How an ESP packet reached us: raw, in UDP 4500, or inside an AH SA's packet. */
enum via { VIA_RAW, VIA_UDP, VIA_AH };

/* A transport-mode payload is the peers' own traffic: never a packet to open again. */
static bool
transport_payload_ok(const struct pkt *p)
{
	uint8_t proto = ((const struct ip4_hdr *)p->data)->proto;

	return proto != IPPROTO_IPIP_ && proto != IPPROTO_ESP_ && proto != IPPROTO_AH_;
}

/* Open one ESP packet in place (RFC 4303 §3.4); p->data is its IP header, or VIA_UDP the
 * ESP header itself (ESP in UDP, RFC 3948: p->peer_be already set).  DROP_NONE leaves the
 * packet to deliver. */
static enum drop
in_esp(struct worker *w, struct pkt *p, enum via via, struct sa_in **sap)
{
	const struct esp_hdr *esp;
	struct sa_in *sa;
	uint32_t ihl = 0;
	uint64_t seq;
	uint8_t nh;
	enum drop d;

	if (via != VIA_UDP && (ihl = ip_hlen(p)) == 0)
		return DROP_BAD_IP;
	if (p->len < ihl + sizeof(*esp))
		return DROP_RUNT;
	if (via != VIA_UDP)
		p->peer_be = ((const struct ip4_hdr *)p->data)->src_be;
	esp = (const struct esp_hdr *)(p->data + ihl);
	if ((sa = tables_sa_in(w->gen, esp->spi_be, IPPROTO_ESP_)) == NULL)
		return DROP_NO_SA;
	if (!sa->mine)
		return DROP_NOT_OWNER;
	*sap = sa;
	if (tables_expired(&sa->hard, &sa->ctr, w->wall_ms))
		return DROP_EXPIRED;			/* before any crypto */
	if ((via == VIA_AH) != (sa->bundle != 0))	/* a bundle's ESP only inside its AH */
		return DROP_BUNDLE;
	if (via != VIA_AH && (via == VIA_UDP) != sa->udp)
		return DROP_ENCAP;
	seq = replay_infer(&sa->replay, ntohl(esp->seq_be));
	if (!replay_check(&sa->replay, seq))		/* cheap reject before any crypto */
		return DROP_REPLAY;
	if (sa->tunnel) {
		p->data += ihl;
		p->len -= ihl;
		if ((d = esp_decap(&sa->xf, seq, sa->replay.esn, p, &nh)) != DROP_NONE)
			return d;
		if (nh != IPPROTO_IPIP_)
			return DROP_PROTO;
	} else if (via == VIA_UDP) {
		return DROP_PROTO;		/* transport over NAT-T: not supported */
	} else if ((d = esp_transport_decap(&sa->xf, seq, sa->replay.esn, p)) != DROP_NONE) {
		return d;
	} else if (!transport_payload_ok(p)) {
		return DROP_PROTO;
	}
	replay_advance(&sa->replay, seq);		/* §3.4.3: only once authenticated */
	if ((d = in_flow(sa, p)) != DROP_NONE)
		return d;
	sa->ctr.pkts++;
	sa->ctr.bytes += p->len;
	return DROP_NONE;
}

/* Is p (an IPv4 packet) ESP of the SA with this SPI? */
static bool
esp_spi_is(const struct pkt *p, uint32_t spi_be)
{
	uint32_t ihl = ip_hlen(p);

	return ihl != 0 && p->len >= ihl + sizeof(spi_be) &&
	    ((const struct esp_hdr *)(p->data + ihl))->spi_be == spi_be;
}

/* Open one AH packet (RFC 4302 §3.4), then what it carried: an inner packet (tunnel), its
 * bundle's ESP (ESP inside), or a transport payload. */
static enum drop
in_ah(struct worker *w, struct pkt *p, struct sa_in **sap)
{
	struct sa_in *sa, *esp_sa = NULL;
	uint32_t spi_be, seq_lo, ihl;
	uint64_t seq;
	uint8_t nh;
	enum drop d;

	if ((d = ah_peek(p, &spi_be, &seq_lo)) != DROP_NONE)
		return d;
	p->peer_be = ((const struct ip4_hdr *)p->data)->src_be;
	if ((sa = tables_sa_in(w->gen, spi_be, IPPROTO_AH_)) == NULL)
		return DROP_NO_SA;
	if (!sa->mine)
		return DROP_NOT_OWNER;
	*sap = sa;
	if (tables_expired(&sa->hard, &sa->ctr, w->wall_ms))
		return DROP_EXPIRED;
	seq = replay_infer(&sa->replay, seq_lo);
	if (!replay_check(&sa->replay, seq))
		return DROP_REPLAY;
	if ((d = ah_decap(&sa->xf, seq, sa->replay.esn, p, &nh)) != DROP_NONE)
		return d;
	replay_advance(&sa->replay, seq);
	sa->ctr.pkts++;
	sa->ctr.bytes += p->len;
	if (sa->bundle != 0 || nh == IPPROTO_ESP_) {
		/* a bundle's AH carries its own ESP partner and nothing else; an AH alone
		 * carries no ESP */
		if (nh != IPPROTO_ESP_ || sa->partner == NULL || !esp_spi_is(p, sa->partner->spi_be))
			return DROP_BUNDLE;
		if ((d = in_esp(w, p, VIA_AH, &esp_sa)) != DROP_NONE && esp_sa != NULL)
			*sap = esp_sa;		/* a drop inside is the ESP SA's */
		return d;
	}
	if (sa->tunnel != (nh == IPPROTO_IPIP_))
		return DROP_PROTO;		/* tunnel: IPv4 inside; transport: a payload */
	if (nh == IPPROTO_IPIP_) {
		if ((ihl = ip_hlen(p)) == 0)
			return DROP_BAD_IP;
		p->data += ihl;
		p->len -= ihl;
	} else if (!transport_payload_ok(p)) {
		return DROP_PROTO;
	}
	return in_flow(sa, p);
}

/* One datagram of UDP 4500 (RFC 3948 §2.2): ESP; IKE behind the non-ESP marker, relayed to
 * controld (or shed by the relay's limits, and counted there); or a NAT keepalive (ignored).
 * A marker without a sane IKE header behind it is proto. */
static enum drop
in_udp(struct worker *w, struct pkt *p, unsigned i, struct sa_in **sap)
{
	switch (udpencap_classify(p->data, p->len)) {
	case UDPENCAP_ESP:
		p->peer_be = w->rx_from[i].sin_addr.s_addr;
		return in_esp(w, p, VIA_UDP, sap);
	case UDPENCAP_NAT_KEEPALIVE:
		return DROP_NONE;		/* no SA: nothing to deliver, nothing to count */
	case UDPENCAP_IKE:
		/* shed by the relay's limits: counted there (show workers), not as a drop */
		return link_ike(w, ikewire_local(&w->rx_msg[i].msg_hdr), UDP_ENCAP_PORT,
		    w->rx_from[i].sin_addr.s_addr, w->rx_from[i].sin_port,
		    p->data + UDPENCAP_MARKER_LEN, p->len - UDPENCAP_MARKER_LEN) ?
		    DROP_NONE : DROP_PROTO;
	default:
		return DROP_PROTO;
	}
}

/* A read is one whole datagram: not cut at the buffer's end, and for a raw socket (IP header
 * included) its Total Length is what was read (the kernel trims link padding and reassembles
 * fragments before a raw socket sees the datagram, so anything else is a cut read). */
static enum drop
in_whole(const struct mmsghdr *m, const struct pkt *p, bool raw)
{
	uint32_t tot;

	if (m->msg_hdr.msg_flags & MSG_TRUNC)
		return DROP_TRUNCATED;
	if (!raw)
		return DROP_NONE;
	if (p->len < sizeof(struct ip4_hdr))
		return DROP_RUNT;
	tot = ntohs(((const struct ip4_hdr *)p->data)->len_be);
	return tot == p->len ? DROP_NONE : tot > p->len ? DROP_TRUNCATED : DROP_BAD_IP;
}

/* The SA whose SPI the start of a datagram names, to count a cut read where the operator
 * looks for it.  Not authenticated: only a counter moves. */
static struct sa_in *
in_claimed(const struct worker *w, const struct pkt *p, bool ah, bool udp)
{
	uint32_t off = 0, spi_be;

	if (!udp && (off = ip_hlen(p)) == 0)
		return NULL;
	if (ah)
		off += offsetof(struct ah_hdr, spi_be);	/* Next Header, Payload Len, Reserved */
	else if (udp && udpencap_classify(p->data, p->len) != UDPENCAP_ESP)
		return NULL;
	if (p->len < off + sizeof(spi_be))
		return NULL;
	spi_be = ((const struct esp_hdr *)(p->data + off))->spi_be;	/* AH's too, at off */
	return tables_sa_in(w->gen, spi_be, ah ? IPPROTO_AH_ : IPPROTO_ESP_);
}

/* A drop the operator is told of (worker.h, struct drop_event): the packet's addresses, SPI
 * and sequence number from b[0..len), the datagram as it was read (the IP header, or from UDP
 * 4500 the ESP header: a failed open changes neither).  Not authenticated: for the log. */
static void
in_event(struct worker *w, enum drop d, const uint8_t *b, uint32_t len, bool ah, bool udp,
    unsigned i, const struct sa_in *sa)
{
	struct drop_event *e;
	uint32_t off = 0, src_be, dst_be;

	switch (d) {
	case DROP_NO_SA: e = &w->ev[EV_NO_SA]; break;
	case DROP_REPLAY: e = &w->ev[EV_REPLAY]; break;
	case DROP_ICV: e = &w->ev[EV_ICV]; break;
	default: return;
	}
	if (udp) {
		src_be = w->rx_from[i].sin_addr.s_addr;
		dst_be = ikewire_local(&w->rx_msg[i].msg_hdr);
	} else {
		if (len < sizeof(struct ip4_hdr) || (off = (b[0] & 0x0fu) * 4u) <
		    sizeof(struct ip4_hdr) || off > len)
			return;
		memcpy(&src_be, b + 12, 4);
		memcpy(&dst_be, b + 16, 4);
	}
	if (ah)
		off += offsetof(struct ah_hdr, spi_be);	/* AH: SPI then sequence, as ESP's */
	if (len < off + 8)
		return;
	memcpy(&e->spi_be, b + off, 4);
	memcpy(&e->seq, b + off + 4, 4);
	e->seq = ntohl(e->seq);
	e->src_be = src_be;
	e->dst_be = dst_be;
	e->proto = ah ? IPPROTO_AH_ : IPPROTO_ESP_;
	e->sa_id = d == DROP_NO_SA || sa == NULL ? 0 : sa->id;
	e->count++;
}

struct pkt *
in_buf(struct worker *w, unsigned i)
{
	struct pkt *p = &w->pool[BATCH + i];

	pkt_reset(p);
	p->data = p->buf + PKT_HEADROOM - 64;	/* outer IP header lands in headroom */
	return p;
}

void
in_run(struct worker *w, enum in_from from, unsigned n)
{
	bool ah = from == IN_AH, udp = from == IN_UDP;

	for (unsigned i = 0; i < n; i++) {
		struct pkt *p = &w->pool[BATCH + i];
		const uint8_t *start = p->data;
		struct sa_in *sa = NULL;
		enum drop d;

		p->len = w->rx_msg[i].msg_len;
		if (w->gen == NULL) {
			worker_drop(w, NULL, DROP_NO_SA);
			continue;
		}
		if ((d = in_whole(&w->rx_msg[i], p, !udp)) != DROP_NONE) {
			if ((sa = in_claimed(w, p, ah, udp)) != NULL && !sa->mine)
				continue;	/* its owner sees it too, and counts it */
		} else {
			d = ah ? in_ah(w, p, &sa) : udp ? in_udp(w, p, i, &sa) :
			    in_esp(w, p, VIA_RAW, &sa);
		}
		if (d != DROP_NONE) {
			worker_drop(w, sa != NULL ? &sa->ctr : NULL, d);
			in_event(w, d, start, w->rx_msg[i].msg_len, ah, udp, i, sa);
			if (d != DROP_NOT_OWNER)
				log_debug("inbound %s dropped: %s", ah ? "AH" : udp ? "UDP 4500" :
				    "ESP", drop_text[d]);
			continue;
		}
		if (sa != NULL)
			gro_add(w, sa, p);
	}
	gro_flush(w);
}

unsigned
in_batch(struct worker *w, int fd)
{
	bool udp = fd == w->udp_fd;
	int n;

	if (udp && w->udp_gro)
		return udpgro_batch(w);		/* up to 64 KB a read (udpgso.c) */
	for (unsigned i = 0; i < BATCH; i++) {
		w->rx_iov[i].iov_base = in_buf(w, i)->data;
		w->rx_iov[i].iov_len = PKT_MAX;
		w->rx_msg[i].msg_hdr.msg_name = udp ? &w->rx_from[i] : NULL;
		w->rx_msg[i].msg_hdr.msg_namelen = udp ? sizeof(w->rx_from[i]) : 0;
		/* UDP 4500: where it was sent, for IKE relayed to controld (IP_PKTINFO) */
		w->rx_msg[i].msg_hdr.msg_control = udp ? w->rx_ctl[i].buf : NULL;
		w->rx_msg[i].msg_hdr.msg_controllen = udp ? sizeof(w->rx_ctl[i].buf) : 0;
		w->rx_msg[i].msg_hdr.msg_flags = 0;
	}
	n = recvmmsg(fd, w->rx_msg, BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	in_run(w, fd == w->ah_fd ? IN_AH : udp ? IN_UDP : IN_ESP, (unsigned)n);
	w->n_rx_pkts += (unsigned)n;
	return (unsigned)n;
}

/* UDP 500 (RFC 7296 §2.23: IKE without a marker there): every IKE message to controld, at
 * the rate link_ike allows (it counts what it sheds); what is not IKE is counted as proto.
 * Rare, so one recv at a time, into the TUN read buffer (free between TUN reads; RBUF holds
 * any UDP datagram: IKE messages may be far longer than PKT_MAX).  A cut one is counted as truncated, never relayed. */
void
in_ike(struct worker *w)
{
	for (int i = 0; i < 32; i++) {
		struct iovec iov = { w->rbuf, RBUF };
		struct msghdr m = {
			.msg_name = &w->rx_from[0], .msg_namelen = sizeof(w->rx_from[0]),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = w->rx_ctl[0].buf, .msg_controllen = sizeof(w->rx_ctl[0].buf),
		};
		ssize_t n;

		n = recvmsg(w->ike_fd, &m, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0)
			return;
		if ((size_t)n > RBUF) {			/* MSG_TRUNC: the datagram's real length */
			worker_drop(w, NULL, DROP_TRUNCATED);
			continue;
		}
		if (!link_ike(w, ikewire_local(&m), IKE_PORT, w->rx_from[0].sin_addr.s_addr,
		    w->rx_from[0].sin_port, w->rbuf, (size_t)n))
			worker_drop(w, NULL, DROP_PROTO);
	}
}
