/* SPDX-License-Identifier: Apache-2.0 */
/* out_test.c: the outbound path through the real fast path from memory: each TUN read (a
 * virtio_net_hdr and a packet, or a TCP super-packet) goes through out_read(), the seam under
 * out_batch(), and what would leave is read off the worker's send batches before any flush.
 * No socket.  The crypto map:
 *
 *   vpn 10  deny   192.0.2.0/25 -> 192.0.2.200      (the entry ends: on in the clear)
 *           permit 192.0.2.0/25 -> 192.0.2.128/25   ESP SA 101, SPI 3000, to the peer
 *   vpn 20  permit 192.0.2.0/25 -> 198.18.0.0/24    no SA: dropped, counted "no-out-sa"
 *   vpn 30  permit 192.0.2.0/25 -> 203.0.113.0/24   ESP SA 102, its numbers spent
 *
 * Checked: a permit leaves as ESP with the SA's SPI and consecutive sequence numbers, opens
 * with the peer's half of the keys to the packet sent, from the crypto map's local address
 * with the inner TOS (or, DF set, in an outer header built here, DF copied); a deny leaves
 * as it came; a drop is counted once, on the SA it is charged to or on the worker (worker.h);
 * a TSO super-packet leaves as the segments the kernel would have sent, each encapsulated, and
 * a UDP one (USO) as its datagrams, each with its own lengths, Identification and checksums;
 * DF set and too big for the path is answered with ICMP frag-needed (RFC 1191).
 *
 * And negotiated flows (test_flows has its own crypto map): each flow of an ipsec-isakmp or
 * dynamic entry leaves by its own SAs, the newest of a flow winning; a permitted flow that
 * none covers is dropped as no-out-sa (an isakmp entry acquires); a flow naming an SA the
 * generation lacks refuses the generation.
 *
 * And hard lifetimes (test_hard): an SA past its deadline or its bytes sends nothing more and
 * counts "expired", spending no sequence number; within them it sends.
 *
 * And no allocation per packet (test_no_alloc), OpenSSL's included. */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/esp.h"
#include "common/ip4.h"
#include "datad/worker.h"
#include "tests/lib/alloc_count.h"
#include "tests/lib/test.h"
#include "tests/lib/test_sa.h"

enum {
	LOCAL = 0xc6336402,		/* 198.51.100.2, us */
	PEER = 0xc6336401,		/* 198.51.100.1 */
	HOST_A = 0xc000020a,		/* 192.0.2.10, behind us */
	HOST_B = 0xc0000282,		/* 192.0.2.130, behind the peer */
	DENIED = 0xc00002c8,		/* 192.0.2.200 */
	NO_SA = 0xc6120005,		/* 198.18.0.5 */
	SPENT = 0xcb007105,		/* 203.0.113.5 */
	SPI = 3000,
};

static struct worker W;

static struct gen *
gen(void)
{
	static struct test_ace vpn10[2], vpn20[1], vpn30[1];
	const struct test_sa sa[] = {
		{ .id = 101, .proto = 50, .spi = SPI, .local = LOCAL, .peer = PEER },
		{ .id = 102, .proto = 50, .spi = 3100, .local = LOCAL, .peer = PEER },
		/* the peer's inbound end of SA 101, to open what we send */
		{ .id = 201, .inbound = true, .proto = 50, .spi = SPI, .local = PEER,
		    .peer = LOCAL },
	};
	const struct test_policy pol[] = {
		{ .seq = 10, .local = LOCAL, .peer = PEER, .sa_esp = 101, .aces = vpn10,
		    .n_aces = 2 },
		{ .seq = 20, .local = LOCAL, .peer = PEER, .aces = vpn20, .n_aces = 1 },
		{ .seq = 30, .local = LOCAL, .peer = PEER, .sa_esp = 102, .aces = vpn30,
		    .n_aces = 1 },
	};
	struct gw_err err = { 0, "" };
	struct gen *g;

	vpn10[0] = (struct test_ace){ false, test_sel(0xc0000200, 25, DENIED, 32) };
	vpn10[1] = (struct test_ace){ true, test_sel(0xc0000200, 25, 0xc0000280, 25) };
	vpn20[0] = (struct test_ace){ true, test_sel(0xc0000200, 25, 0xc6120000, 24) };
	vpn30[0] = (struct test_ace){ true, test_sel(0xc0000200, 25, 0xcb007100, 24) };
	g = tables_build(test_tables(1, sa, 3, pol, 3), "w1", NULL, &err);
	T_OK(g != NULL, "tables: %s", err.msg);
	return g;
}

/* A TUN read: a virtio_net_hdr (vh, or none of the offloads) and an IPv4 packet src -> dst of
 * protocol proto, len bytes, TOS tos, DF if df; payload bytes count up from 0. */
static uint32_t
tun_read(uint8_t *b, const struct virtio_net_hdr *vh, uint32_t src, uint32_t dst, uint8_t proto,
    uint32_t len, uint8_t tos, bool df)
{
	struct ip4_hdr *ip = (struct ip4_hdr *)(b + sizeof(*vh));

	memset(b, 0, sizeof(*vh));
	if (vh != NULL)
		memcpy(b, vh, sizeof(*vh));
	for (uint32_t i = 0; i < len; i++)
		b[sizeof(*vh) + i] = (uint8_t)i;
	memset(ip, 0, sizeof(*ip));
	ip->ver_ihl = 0x45;
	ip->tos = tos;
	ip->len_be = htons((uint16_t)len);
	ip->id_be = htons(0x100);
	ip->frag_be = htons(df ? IP4_DF : 0);
	ip->ttl = 64;
	ip->proto = proto;
	ip->src_be = htonl(src);
	ip->dst_be = htonl(dst);
	ip4_csum_set((uint8_t *)ip);
	return (uint32_t)sizeof(*vh) + len;
}

/* Reads through the outbound path as one batch; nothing is sent (what is queued is sealed). */
static void
run(const uint8_t *b, uint32_t len, unsigned times)
{
	unsigned slot = 0;

	for (unsigned i = 0; i < times; i++)
		out_read(&W, b, len, &slot);
	out_seal(&W);
}

static unsigned
queued(void)
{
	return W.esp_tx.n + W.udp_tx.n + W.hdr_tx.n + W.clear_tx.n;
}

static void
unqueue(void)
{
	W.esp_tx.n = W.udp_tx.n = W.hdr_tx.n = W.clear_tx.n = 0;
}

/* Open the ESP packet b[0..len) with the peer's end of SA 101 into p; its Seq# in *seq. */
static enum drop
open_esp(const void *b, size_t len, struct pkt *p, uint32_t *seq)
{
	struct sa_in *in = tables_sa_in(W.gen, htonl(SPI), 50);
	const struct esp_hdr *esp = b;
	uint8_t nh = 0;
	enum drop d;

	*seq = ntohl(esp->seq_be);
	T_EQ(ntohl(esp->spi_be), SPI, "SPI of SA 101");
	pkt_reset(p);
	memcpy(p->data, b, len);
	p->len = (uint32_t)len;
	if ((d = esp_decap(&in->xf, *seq, false, p, &nh)) == DROP_NONE)
		T_EQ(nh, IPPROTO_IPIP_, "tunnel mode: IPv4 inside");
	return d;
}

/* A permitted flow leaves as ESP, numbered in order, from the crypto map's local address. */
static void
test_permit(void)
{
	static uint8_t b[2048];
	struct sa_out *sa = tables_sa_out(W.gen, 101);
	uint32_t len = tun_read(b, NULL, HOST_A, HOST_B, 1, 84, 0xb8, false), seq;
	struct pkt p;

	run(b, len, 3);
	T_EQ(W.esp_tx.n, 3, "three packets, three ESP packets to send");
	T_EQ(queued(), 3, "nothing else");
	for (unsigned i = 0; i < W.esp_tx.n; i++) {
		struct msghdr *h = &W.esp_tx.msg[i].msg_hdr;
		struct cmsghdr *c = CMSG_FIRSTHDR(h);
		struct in_pktinfo pi;
		int tos;

		T_EQ(W.esp_tx.dst[i].sin_addr.s_addr, htonl(PEER), "to the peer");
		T_EQ(W.esp_tx.dst[i].sin_port, 0, "raw ESP");
		T_EQ(open_esp(W.esp_tx.iov[i].iov_base, W.esp_tx.iov[i].iov_len, &p, &seq),
		    DROP_NONE, "packet %u opens with the peer's keys", i);
		T_EQ(seq, 1 + i, "sequence number %u", 1 + i);
		T_OK(p.len == 84 && memcmp(p.data, b + sizeof(struct virtio_net_hdr), 84) == 0,
		    "the packet sent, unchanged");
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		T_EQ(pi.ipi_spec_dst.s_addr, htonl(LOCAL), "from the crypto map's local address");
		c = CMSG_NXTHDR(h, c);
		memcpy(&tos, CMSG_DATA(c), sizeof(tos));
		T_EQ(tos, 0xb8, "the inner TOS outside");
	}
	T_EQ(sa->ctr.pkts, 3, "SA 101 counts them");
	T_EQ(sa->seq, 4, "and has spent 1..3");
	unqueue();
}

/* DF set: the outer header is built here, DF copied (RFC 4301 §8.1), for IP_HDRINCL. */
static void
test_df(void)
{
	static uint8_t b[2048];
	uint32_t len = tun_read(b, NULL, HOST_A, HOST_B, 17, 200, 0, true), seq;
	const struct ip4_hdr *ip;
	struct pkt p;

	run(b, len, 1);
	T_EQ(W.hdr_tx.n, 1, "DF set: one whole packet built here");
	T_EQ(queued(), 1, "nothing else");
	if (W.hdr_tx.n != 1)
		return;
	ip = W.hdr_tx.iov[0].iov_base;
	T_EQ(W.hdr_tx.iov[0].iov_len, ntohs(ip->len_be), "Total Length is the packet's");
	T_OK(ip->ver_ihl == 0x45 && ip->proto == IPPROTO_ESP_, "IPv4, protocol 50");
	T_OK(ip->src_be == htonl(LOCAL) && ip->dst_be == htonl(PEER), "local -> peer");
	T_OK((ntohs(ip->frag_be) & IP4_DF) != 0, "DF copied from the inner packet");
	T_EQ(ip4_csum(ip, sizeof(*ip)), 0, "header checksum");
	T_EQ(W.hdr_tx.dst[0].sin_addr.s_addr, htonl(PEER), "to the peer");
	T_EQ(open_esp(ip + 1, W.hdr_tx.iov[0].iov_len - sizeof(*ip), &p, &seq), DROP_NONE,
	    "opens with the peer's keys");
	T_EQ(seq, 4, "the next sequence number");
	unqueue();
}

/* A deny ends its entry; no other permits the flow: it leaves in the clear, as it came. */
static void
test_deny(void)
{
	static uint8_t b[2048];
	uint32_t len = tun_read(b, NULL, HOST_A, DENIED, 1, 84, 0, false);

	run(b, len, 1);
	T_EQ(W.clear_tx.n, 1, "denied: in the clear");
	T_EQ(queued(), 1, "nothing else");
	T_EQ(W.clear_tx.iov[0].iov_len, 84, "as long as it came");
	T_OK(memcmp(W.clear_tx.iov[0].iov_base, b + sizeof(struct virtio_net_hdr), 84) == 0,
	    "and as it came");
	T_EQ(W.clear_tx.dst[0].sin_addr.s_addr, htonl(DENIED), "to its destination");
	unqueue();
}

/* Drops: counted once, on the SA when one is chosen, else on the worker. */
static void
test_drops(void)
{
	static uint8_t b[2048];
	struct sa_out *spent = tables_sa_out(W.gen, 102);
	uint64_t no_sa = W.drops[DROP_NO_OUT_SA];
	uint32_t len;

	len = tun_read(b, NULL, HOST_A, NO_SA, 1, 84, 0, false);
	run(b, len, 1);
	T_EQ(queued(), 0, "a permit without an SA: nothing leaves");
	T_EQ(W.drops[DROP_NO_OUT_SA], no_sa + 1, "counted as no-out-sa on the worker");

	spent->seq = (uint64_t)UINT32_MAX + 1;		/* without ESN: all 2^32 - 1 spent */
	spent->seq_end = spent->seq + 100;
	spent->lease_len = 100;
	len = tun_read(b, NULL, HOST_A, SPENT, 1, 84, 0, false);
	run(b, len, 2);
	T_EQ(queued(), 0, "an SA whose numbers are spent: nothing leaves");
	T_EQ(spent->ctr.drops[DROP_SEQ_WRAP], 2, "counted as seq-wrap on that SA");
	T_EQ(W.drops[DROP_SEQ_WRAP], 0, "not on the worker");
	T_EQ(spent->ctr.pkts, 0, "none counted as sent");

	len = tun_read(b, NULL, HOST_A, HOST_B, 1, 84, 0, false);
	b[sizeof(struct virtio_net_hdr)] = 0x65;	/* IPv6 version, IPv4 IHL */
	run(b, len, 1);
	T_EQ(queued(), 0, "not IPv4: nothing leaves");
	T_EQ(W.drops[DROP_BAD_IP], 1, "counted as bad-ip on the worker");
}

/* DF set and too big for the path once encapsulated: ICMP frag-needed to the source. */
static void
test_too_big(void)
{
	static uint8_t b[2048];
	struct sa_out *sa = tables_sa_out(W.gen, 101);
	uint32_t len = tun_read(b, NULL, HOST_A, HOST_B, 17, 1500, 0, true);
	const struct ip4_hdr *ip;
	const struct icmp_hdr *icmp;

	run(b, len, 1);
	T_EQ(W.clear_tx.n, 1, "one ICMP message");
	T_EQ(queued(), 1, "and no ESP");
	T_EQ(sa->ctr.drops[DROP_TOO_BIG], 1, "counted as too-big on SA 101");
	if (W.clear_tx.n != 1)
		return;
	ip = W.clear_tx.iov[0].iov_base;
	icmp = (const struct icmp_hdr *)(ip + 1);
	T_OK(ip->proto == 1 && ip->dst_be == htonl(HOST_A), "ICMP to the source");
	T_OK(icmp->type == 3 && icmp->code == 4, "fragmentation needed");
	T_OK(ntohs(icmp->mtu_be) > 1400 && ntohs(icmp->mtu_be) < 1500, "MTU %u: 1500 less ESP",
	    ntohs(icmp->mtu_be));
	unqueue();
}

/* A TSO super-packet: three segments, each its own ESP packet, numbered on. */
static void
test_tso(void)
{
	static uint8_t b[4096];
	struct virtio_net_hdr vh = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1000,
	    .hdr_len = 40 };
	uint32_t len = tun_read(b, &vh, HOST_A, HOST_B, 6, 40 + 2500, 0, false), seq;
	struct tcp_hdr *tcp = (struct tcp_hdr *)(b + sizeof(vh) + 20);
	static const uint32_t plen[3] = { 1000, 1000, 500 };
	struct pkt p;

	memset(tcp, 0, sizeof(*tcp));
	tcp->sport_be = htons(5000);
	tcp->dport_be = htons(80);
	tcp->seq_be = htonl(7000);
	tcp->off = 5 << 4;
	tcp->flags = TCP_ACK | TCP_PSH;
	tcp->win_be = htons(1024);
	run(b, len, 1);
	T_EQ(W.n_tso, 1, "one super-packet");
	T_EQ(W.n_tso_segs, 3, "cut into three segments");
	T_EQ(W.esp_tx.n, 3, "three ESP packets");
	for (unsigned i = 0; i < W.esp_tx.n && i < 3; i++) {
		const struct ip4_hdr *ip;
		const struct tcp_hdr *t;
		struct ip4_pseudo ph;
		uint8_t sum[12 + 1040];

		T_EQ(open_esp(W.esp_tx.iov[i].iov_base, W.esp_tx.iov[i].iov_len, &p, &seq),
		    DROP_NONE, "segment %u opens", i);
		T_EQ(seq, 5 + i, "numbered on: %u", 5 + i);
		ip = (const struct ip4_hdr *)p.data;
		t = (const struct tcp_hdr *)(ip + 1);
		T_EQ(p.len, 40 + plen[i], "segment %u: headers and %u bytes", i, plen[i]);
		T_EQ(ntohs(ip->len_be), p.len, "its Total Length");
		T_EQ(ntohs(ip->id_be), 0x100 + i, "Identification counts up");
		T_EQ(ip4_csum(ip, sizeof(*ip)), 0, "IPv4 checksum");
		T_EQ(ntohl(t->seq_be), 7000 + 1000 * i, "TCP sequence number");
		T_EQ((t->flags & TCP_PSH) != 0, i == 2, "PSH on the last only");
		ph = (struct ip4_pseudo){ ip->src_be, ip->dst_be, 0, 6,
		    htons((uint16_t)(p.len - 20)) };
		memcpy(sum, &ph, sizeof(ph));
		memcpy(sum + sizeof(ph), t, p.len - 20);
		T_EQ(ip4_csum(sum, sizeof(ph) + p.len - 20), 0, "TCP checksum");
		T_OK(memcmp(p.data + 40, b + sizeof(vh) + 40 + 1000 * i, plen[i]) == 0,
		    "segment %u carries its part of the payload", i);
	}
	unqueue();
}

/* A UDP super-packet (TUN_F_USO4: GRO of forwarded UDP, or UDP_SEGMENT): three datagrams, each
 * its own ESP packet with its own Total Length, Identification, UDP length and checksum. */
static void
test_uso(void)
{
	static uint8_t b[4096];
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4, .gso_size = 1000, .hdr_len = 28,
	    .csum_start = 20, .csum_offset = 6 };
	uint32_t len = tun_read(b, &vh, HOST_A, HOST_B, 17, 28 + 2500, 0, false), seq, seq0 = 0;
	struct udp_hdr *uh = (struct udp_hdr *)(b + sizeof(vh) + 20);
	static const uint32_t plen[3] = { 1000, 1000, 500 };
	struct pkt p;

	uh->sport_be = htons(5001);
	uh->dport_be = htons(5201);
	uh->len_be = htons(8 + 2500);
	uh->csum_be = 0x1234;			/* the partial sum: not kept */
	unqueue();
	run(b, len, 1);
	T_EQ(W.n_uso_in, 1, "one UDP super-packet");
	T_EQ(W.n_uso_dgrams, 3, "cut into three datagrams");
	T_EQ(W.esp_tx.n, 3, "three ESP packets");
	for (unsigned i = 0; i < W.esp_tx.n && i < 3; i++) {
		const struct ip4_hdr *ip;
		const struct udp_hdr *u;
		struct ip4_pseudo ph;

		T_EQ(open_esp(W.esp_tx.iov[i].iov_base, W.esp_tx.iov[i].iov_len, &p, &seq),
		    DROP_NONE, "datagram %u opens", i);
		if (i == 0)
			seq0 = seq;
		T_EQ(seq, seq0 + i, "numbered on");
		ip = (const struct ip4_hdr *)p.data;
		u = (const struct udp_hdr *)(ip + 1);
		T_EQ(p.len, 28 + plen[i], "datagram %u: headers and %u bytes", i, plen[i]);
		T_EQ(ntohs(ip->len_be), p.len, "its Total Length");
		T_EQ(ntohs(ip->id_be), 0x100 + i, "Identification counts up");
		T_EQ(ntohs(ip->frag_be), 0, "no DF, no fragment");
		T_EQ(ip4_csum(ip, sizeof(*ip)), 0, "IPv4 checksum");
		T_EQ(ntohs(u->len_be), 8 + plen[i], "UDP length");
		T_EQ(ntohs(u->sport_be), 5001, "ports kept");
		ph = (struct ip4_pseudo){ ip->src_be, ip->dst_be, 0, 17, u->len_be };
		T_EQ(tso_l4_csum(&ph, (const uint8_t *)u, p.len - 20), 0, "UDP checksum right");
		T_OK(u->csum_be != 0, "and present");
		T_OK(memcmp(p.data + 28, b + sizeof(vh) + 28 + 1000 * i, plen[i]) == 0,
		    "datagram %u carries its part of the payload", i);
	}
	unqueue();

	vh.gso_size = 0;			/* malformed: dropped, counted, nothing sent */
	len = tun_read(b, &vh, HOST_A, HOST_B, 17, 28 + 2500, 0, false);
	run(b, len, 1);
	T_EQ(queued(), 0, "gso_size 0: nothing sent");
	vh.gso_size = 1000;
	len = tun_read(b, &vh, HOST_A, HOST_B, 6, 28 + 2500, 0, false);
	run(b, len, 1);
	T_EQ(queued(), 0, "not UDP: nothing sent");
	len = tun_read(b, &vh, HOST_A, HOST_B, 17, 28, 0, false);
	run(b, len, 1);
	T_EQ(queued(), 0, "no payload: nothing sent");
	T_EQ(W.n_uso_in, 1, "only the good one counted as cut");
}

/* The same reads again and again allocate nothing, OpenSSL's allocations included
 * (tests/lib/alloc_count.h): a packet sealed and a TCP and a UDP super-packet cut and sealed. */
static void
test_no_alloc(void)
{
	static uint8_t b[2048], t[4096];
	struct virtio_net_hdr vh = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1000,
	    .hdr_len = 40 };
	uint32_t len = tun_read(b, NULL, HOST_A, HOST_B, 17, 1000, 0, false);
	uint32_t tlen = tun_read(t, &vh, HOST_A, HOST_B, 6, 40 + 2500, 0, false);
	struct virtio_net_hdr uvh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
	    .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4, .gso_size = 1000, .hdr_len = 28,
	    .csum_start = 20, .csum_offset = 6 };
	static uint8_t u[4096];
	uint32_t ulen = tun_read(u, &uvh, HOST_A, HOST_B, 17, 28 + 2500, 0, false);
	struct tcp_hdr *tcp = (struct tcp_hdr *)(t + sizeof(vh) + 20);
	uint64_t a0 = 0, sent = 0;
	struct sa_out *sa = tables_sa_out(W.gen, 101);
	uint64_t end = sa->seq_end, lease = sa->lease_len;

	memset(tcp, 0, sizeof(*tcp));
	tcp->off = 5 << 4;
	tcp->flags = TCP_ACK;
	/* a lease long enough for both rounds: half of it spent would ask controld for the next
	 * (link.c, once a lease, not per packet) */
	sa->seq_end = sa->seq + 10000;
	sa->lease_len = 10000;
	if (!alloc_counting()) {
		printf("# skipped: allocations are not counted in this build (sanitizers)\n");
		return;
	}
	for (int round = 0; round < 2; round++) {	/* round 0 warms up */
		a0 = alloc_calls();
		sent = 0;
		for (unsigned i = 0; i < 50; i++) {
			run(b, len, 1);
			run(t, tlen, 1);
			run(u, ulen, 1);
			sent += W.esp_tx.n;
			unqueue();
		}
	}
	T_EQ(sent, 350, "each round: 50 packets, 50 TCP and 50 UDP super-packets of 3, all sealed");
	T_EQ(alloc_calls() - a0, 0, "no allocation in 150 reads, 350 ESP packets");
	sa->seq_end = end;
	sa->lease_len = lease;
}

/* ---- Negotiated flows: ipsec-isakmp and dynamic entries (Policy.flow_sas) ----
 *
 *   vpn 40 isakmp   permit 10.0.0.0/24 -> 10.1.0.0/24, peer PEER; flows:
 *                   10.0.0.1 -> 10.1.0.1  ESP 301 (SPI 4001); then (generation 3) ESP 303
 *                   10.0.0.2 -> 10.1.0.2  ESP 302 (SPI 4002)
 *                   10.0.0.4 -> 10.1.0.4  AH 305 (SPI 4005) around ESP 304 (SPI 4004)
 *   vpn 50 dynamic  permit 10.0.0.0/24 -> 10.2.0.0/16; flows:
 *                   10.0.0.0/24 -> 10.2.1.0/24  ESP 401 (SPI 5001) to PEER
 *                   10.0.0.0/24 -> 10.2.2.0/24  ESP 402 (SPI 5002) to PEER2
 *   vpn 60 dynamic  no list; flow 10.0.0.0/24 -> 10.3.0.0/24  ESP 403 (SPI 5003) to PEER2 */
enum {
	PEER2 = 0xc6336403,		/* 198.51.100.3 */
	NET_L = 0x0a000000,		/* 10.0.0.0/24, behind us */
};

static struct gen *
flow_gen(uint64_t generation, bool rekeyed, const struct gen *old, struct gw_err *err)
{
	static struct test_ace v40[1], v50[1];
	static struct test_flow f40[4], f50[2], f60[1];
	const struct test_sa sa[] = {
		{ .id = 301, .proto = 50, .spi = 4001, .local = LOCAL, .peer = PEER },
		{ .id = 302, .proto = 50, .spi = 4002, .local = LOCAL, .peer = PEER },
		{ .id = 304, .proto = 50, .spi = 4004, .local = LOCAL, .peer = PEER,
		    .bundle = 305 },
		{ .id = 305, .proto = 51, .spi = 4005, .local = LOCAL, .peer = PEER,
		    .bundle = 304 },
		{ .id = 401, .proto = 50, .spi = 5001, .local = LOCAL, .peer = PEER },
		{ .id = 402, .proto = 50, .spi = 5002, .local = LOCAL, .peer = PEER2 },
		{ .id = 403, .proto = 50, .spi = 5003, .local = LOCAL, .peer = PEER2 },
		{ .id = 303, .proto = 50, .spi = 4003, .local = LOCAL, .peer = PEER },
	};
	const struct test_policy pol[] = {
		{ .seq = 40, .local = LOCAL, .peer = PEER, .aces = v40, .n_aces = 1,
		    .kind = GW__V1__ENTRY_KIND__KIND_ISAKMP, .flows = f40,
		    .n_flows = rekeyed ? 4 : 3 },
		{ .seq = 50, .local = LOCAL, .aces = v50, .n_aces = 1,
		    .kind = GW__V1__ENTRY_KIND__KIND_DYNAMIC, .flows = f50, .n_flows = 2 },
		{ .seq = 60, .local = LOCAL, .kind = GW__V1__ENTRY_KIND__KIND_DYNAMIC,
		    .no_acl = true, .flows = f60, .n_flows = 1 },
	};
	struct gen *g;

	v40[0] = (struct test_ace){ true, test_sel(NET_L, 24, 0x0a010000, 24) };
	v50[0] = (struct test_ace){ true, test_sel(NET_L, 24, 0x0a020000, 16) };
	f40[0] = (struct test_flow){ test_sel(0x0a000001, 32, 0x0a010001, 32), 301, 0 };
	f40[1] = (struct test_flow){ test_sel(0x0a000002, 32, 0x0a010002, 32), 302, 0 };
	f40[2] = (struct test_flow){ test_sel(0x0a000004, 32, 0x0a010004, 32), 304, 305 };
	f40[3] = (struct test_flow){ test_sel(0x0a000001, 32, 0x0a010001, 32), 303, 0 };
	f50[0] = (struct test_flow){ test_sel(NET_L, 24, 0x0a020100, 24), 401, 0 };
	f50[1] = (struct test_flow){ test_sel(NET_L, 24, 0x0a020200, 24), 402, 0 };
	f60[0] = (struct test_flow){ test_sel(NET_L, 24, 0x0a030000, 24), 403, 0 };
	g = tables_build(test_tables(generation, sa, rekeyed ? 8 : 7, pol, 3), "w1", old, err);
	if (g == NULL)
		return NULL;
	mtu_gen(&W, g);
	for (uint32_t i = 0; i < g->n_out; i++)
		if (g->out[i].seq_end == 0) {		/* leased 1..1000, as controld would */
			g->out[i].seq = 1;
			g->out[i].seq_end = g->out[i].lease_len = 1000;
		}
	return g;
}

/* One packet src -> dst through the outbound path; the SPI of the ESP packet it became (0 if
 * none) and where it went. */
static uint32_t
flow_send(uint32_t src, uint32_t dst, uint32_t *to)
{
	static uint8_t b[2048];
	uint32_t spi = 0;

	run(b, tun_read(b, NULL, src, dst, 17, 100, 0, false), 1);
	*to = 0;
	if (W.esp_tx.n == 1 && queued() == 1) {
		const struct esp_hdr *esp = W.esp_tx.iov[0].iov_base;

		spi = ntohl(esp->spi_be);
		*to = ntohl(W.esp_tx.dst[0].sin_addr.s_addr);
	}
	unqueue();
	return spi;
}

/* Each negotiated flow leaves by its own SA; a rekey's newer SA of a flow wins; a permitted
 * flow none covers is no-out-sa (and, isakmp, an acquire); a generation naming an SA it does
 * not have is refused. */
static void
test_flows(void)
{
	static uint8_t b[2048];
	struct gen *keep = W.gen, *g;
	struct gw_err err = { 0, "" };
	uint64_t no_sa, acq;
	uint32_t to;

	if ((g = flow_gen(2, false, NULL, &err)) == NULL) {
		T_OK(false, "flow tables: %s", err.msg);
		return;
	}
	W.gen = g;
	T_EQ(g->pol[0].n_flows, 3, "vpn 40: three flows");
	T_EQ(flow_send(0x0a000001, 0x0a010001, &to), 4001, "host pair 1 -> SA 301");
	T_EQ(to, PEER, "to the entry's peer");
	T_EQ(flow_send(0x0a000002, 0x0a010002, &to), 4002, "host pair 2 -> its own SA 302");
	T_EQ(flow_send(0x0a000002, 0x0a010002, &to), 4002, "and again");
	T_EQ(tables_sa_out(g, 302)->seq, 3, "SA 302 spent 1..2");
	T_EQ(tables_sa_out(g, 301)->ctr.pkts, 1, "SA 301 one packet");

	/* an AH+ESP bundle flow: the whole packet built here, AH outside */
	run(b, tun_read(b, NULL, 0x0a000004, 0x0a010004, 17, 100, 0, false), 1);
	T_EQ(W.hdr_tx.n, 1, "bundle: one packet with its outer header");
	T_EQ(queued(), 1, "nothing else");
	if (W.hdr_tx.n == 1) {
		const uint8_t *ip = W.hdr_tx.iov[0].iov_base;

		T_EQ(ip[9], 51, "AH outside");
		T_EQ((uint32_t)ip[24] << 24 | (uint32_t)ip[25] << 16 | ip[26] << 8 | ip[27], 4005,
		    "with the SPI of AH 305");
		T_EQ(ip[20], IPPROTO_ESP_, "ESP inside");
	}
	T_OK(tables_sa_out(g, 304)->ctr.pkts == 1 && tables_sa_out(g, 305)->ctr.pkts == 1,
	    "both SAs of the bundle count it");
	unqueue();

	/* DF set, too big for the flow's path: ICMP, counted on the flow's SA */
	run(b, tun_read(b, NULL, 0x0a000002, 0x0a010002, 17, 1500, 0, true), 1);
	T_EQ(W.clear_tx.n, 1, "too big for flow 2's path: ICMP frag-needed");
	T_EQ(tables_sa_out(g, 302)->ctr.drops[DROP_TOO_BIG], 1, "counted on SA 302");
	unqueue();

	/* permitted, no flow: dropped, counted, acquired (isakmp only) */
	no_sa = W.drops[DROP_NO_OUT_SA];
	acq = W.ike.acquires;
	T_EQ(flow_send(0x0a000003, 0x0a010003, &to), 0, "a flow no SA covers: nothing leaves");
	T_EQ(W.drops[DROP_NO_OUT_SA], no_sa + 1, "counted as no-out-sa");
	T_EQ(W.ike.acquires, acq + 1, "and acquired");

	/* dynamic: two peers' flows, each to its peer */
	T_EQ(flow_send(0x0a000009, 0x0a020107, &to), 5001, "dynamic, flow 1 -> SA 401");
	T_EQ(to, PEER, "to its peer");
	T_EQ(flow_send(0x0a000009, 0x0a020207, &to), 5002, "dynamic, flow 2 -> SA 402");
	T_EQ(to, PEER2, "to the other peer");
	T_EQ(flow_send(0x0a000009, 0x0a020307, &to), 0, "dynamic, no flow: nothing leaves");
	T_EQ(W.drops[DROP_NO_OUT_SA], no_sa + 2, "counted as no-out-sa");
	T_EQ(W.ike.acquires, acq + 1, "no acquire: dynamic entries never initiate");
	T_EQ(flow_send(0x0a000009, 0x0a030005, &to), 5003, "dynamic without a list: its flow");
	T_EQ(to, PEER2, "to its peer");
	run(b, tun_read(b, NULL, 0x0a000009, 0x0a030105, 17, 100, 0, false), 1);
	T_EQ(W.clear_tx.n, 1, "outside its flows: in the clear");
	T_EQ(queued(), 1, "nothing else");
	unqueue();

	/* a rekey: SA 303 for flow 1 comes after SA 301, which stays */
	W.gen = flow_gen(3, true, g, &err);
	T_OK(W.gen != NULL, "rekeyed tables: %s", err.msg);
	tables_free(g);
	if ((g = W.gen) == NULL) {
		W.gen = keep;
		return;
	}
	T_EQ(flow_send(0x0a000001, 0x0a010001, &to), 4003, "flow 1 -> the newer SA 303");
	T_EQ(tables_sa_out(g, 301)->ctr.pkts, 1, "SA 301 keeps its count, sends no more");
	T_EQ(flow_send(0x0a000002, 0x0a010002, &to), 4002, "flow 2 still SA 302");
	T_EQ(tables_sa_out(g, 302)->seq, 4, "numbered on from the old generation");
	W.gen = keep;
	tables_free(g);
}

/* ---- Hard lifetimes (gw.v1.Sa hard_expire_unix_ms, hard_bytes; docs/datad.md) ----
 *
 *   vpn 10  permit 10.0.0.0/24 -> 10.9.1.0/24   ESP 501: its deadline a second ago, no lease
 *   vpn 20  permit 10.0.0.0/24 -> 10.9.2.0/24   ESP 502: its deadline in an hour
 *   vpn 30  isakmp 10.0.0.0/24 -> 10.9.3.0/24   flow: ESP 503, 1000 bytes
 *   vpn 40  permit 10.0.0.0/24 -> 10.9.4.0/24   ESP 504 inside AH 505, the AH's deadline past */
static struct gen *
hard_gen(uint64_t generation, uint64_t now_ms, const struct gen *old)
{
	static struct test_ace a10[1], a20[1], a30[1], a40[1];
	static struct test_flow f30[1];
	const struct test_sa sa[] = {
		{ .id = 501, .proto = 50, .spi = 6001, .local = LOCAL, .peer = PEER,
		    .hard_expire_unix_ms = now_ms - 1000 },
		{ .id = 502, .proto = 50, .spi = 6002, .local = LOCAL, .peer = PEER,
		    .hard_expire_unix_ms = now_ms + 3600 * 1000 },
		{ .id = 503, .proto = 50, .spi = 6003, .local = LOCAL, .peer = PEER,
		    .hard_bytes = 1000 },
		{ .id = 504, .proto = 50, .spi = 6004, .local = LOCAL, .peer = PEER,
		    .bundle = 505 },
		{ .id = 505, .proto = 51, .spi = 6005, .local = LOCAL, .peer = PEER,
		    .bundle = 504, .hard_expire_unix_ms = now_ms - 1 },
	};
	const struct test_policy pol[] = {
		{ .seq = 10, .local = LOCAL, .peer = PEER, .sa_esp = 501, .aces = a10,
		    .n_aces = 1 },
		{ .seq = 20, .local = LOCAL, .peer = PEER, .sa_esp = 502, .aces = a20,
		    .n_aces = 1 },
		{ .seq = 30, .local = LOCAL, .peer = PEER, .aces = a30, .n_aces = 1,
		    .kind = GW__V1__ENTRY_KIND__KIND_ISAKMP, .flows = f30, .n_flows = 1 },
		{ .seq = 40, .local = LOCAL, .peer = PEER, .sa_esp = 504, .sa_ah = 505,
		    .aces = a40, .n_aces = 1 },
	};
	struct gw_err err = { 0, "" };
	struct gen *g;

	a10[0] = (struct test_ace){ true, test_sel(NET_L, 24, 0x0a090100, 24) };
	a20[0] = (struct test_ace){ true, test_sel(NET_L, 24, 0x0a090200, 24) };
	a30[0] = (struct test_ace){ true, test_sel(NET_L, 24, 0x0a090300, 24) };
	a40[0] = (struct test_ace){ true, test_sel(NET_L, 24, 0x0a090400, 24) };
	f30[0] = (struct test_flow){ test_sel(NET_L, 24, 0x0a090300, 24), 503, 0 };
	g = tables_build(test_tables(generation, sa, 5, pol, 4), "w1", old, &err);
	T_OK(g != NULL, "tables with hard lifetimes: %s", err.msg);
	if (g == NULL)
		return NULL;
	mtu_gen(&W, g);
	for (uint32_t i = 0; i < g->n_out; i++)
		if (g->out[i].seq_end == 0 && g->out[i].id != 501) {	/* leased 1..1000 */
			g->out[i].seq = 1;
			g->out[i].seq_end = g->out[i].lease_len = 1000;
		}
	return g;
}

/* An SA past its deadline or its bytes sends nothing more: "expired", on that SA, before a
 * sequence number is spent or a lease asked for; one within them sends; a deadline is seen
 * at the next turn of the loop (the worker's clock), not per packet. */
static void
test_hard(void)
{
	static uint8_t b[2048];
	struct gen *keep = W.gen, *g, *g2;
	struct sa_out *s502, *s503;
	uint64_t deadline, bytes_before = 0, now;
	unsigned sent = 0;
	uint32_t to;

	worker_clock(&W);
	now = W.wall_ms;
	T_OK(now > 1700000000000ull, "the worker's clock is the wall clock (ms since 1970)");
	if ((g = hard_gen(4, now, NULL)) == NULL)
		return;
	W.gen = g;
	T_EQ(flow_send(0x0a000001, 0x0a090101, &to), 0, "SA 501 past its deadline: nothing leaves");
	T_EQ(tables_sa_out(g, 501)->ctr.drops[DROP_EXPIRED], 1, "counted as expired on SA 501");
	T_EQ(tables_sa_out(g, 501)->lease_asked_ms, 0, "and no lease asked for");
	T_EQ(tables_sa_out(g, 501)->ctr.pkts, 0, "none counted as sent");
	T_EQ(W.drops[DROP_EXPIRED], 0, "not on the worker");

	s502 = tables_sa_out(g, 502);
	T_EQ(flow_send(0x0a000001, 0x0a090201, &to), 6002, "SA 502 within its deadline: sent");
	deadline = s502->hard.expire_ms;
	T_EQ(deadline, now + 3600 * 1000, "its deadline as the message said");
	W.wall_ms = deadline - 1;
	T_EQ(flow_send(0x0a000001, 0x0a090201, &to), 6002, "a millisecond before it: sent");
	W.wall_ms = deadline;		/* a later turn of the loop */
	T_EQ(flow_send(0x0a000001, 0x0a090201, &to), 0, "at its deadline: nothing leaves");
	T_EQ(s502->ctr.drops[DROP_EXPIRED], 1, "counted as expired");
	T_EQ(s502->seq, 3, "no sequence number spent on it");
	W.wall_ms = now;

	/* a negotiated flow's SA with 1000 bytes: what it sends stops once it has sent them */
	s503 = tables_sa_out(g, 503);
	for (unsigned i = 0; i < 20; i++) {
		if (flow_send(0x0a000001, 0x0a090301, &to) != 6003)
			break;
		sent++;
		T_OK(bytes_before < 1000, "packet %u went with %" PRIu64 " bytes sent before", i,
		    bytes_before);
		bytes_before = s503->ctr.bytes;
	}
	T_OK(sent > 1 && sent < 20, "the byte limit stopped SA 503 after %u packets", sent);
	T_OK(s503->ctr.bytes >= 1000 && s503->ctr.bytes < 1000 + PKT_MAX,
	    "%" PRIu64 " bytes: the limit, overshot by less than one packet", s503->ctr.bytes);
	T_EQ(s503->ctr.drops[DROP_EXPIRED], 1, "the next packet counted as expired");
	T_EQ(s503->ctr.pkts, sent, "and the ones before as sent");

	/* the bundle: its AH past its deadline ends the pair, charged to the AH */
	run(b, tun_read(b, NULL, 0x0a000001, 0x0a090401, 17, 100, 0, false), 1);
	T_EQ(queued(), 0, "a bundle whose AH is past its deadline: nothing leaves");
	T_EQ(tables_sa_out(g, 505)->ctr.drops[DROP_EXPIRED], 1, "counted on the AH SA");
	T_EQ(tables_sa_out(g, 504)->seq, 1, "the ESP SA spent no number");
	unqueue();

	/* the next generation keeps the counts, and with them the limit reached */
	g2 = hard_gen(5, now, g);
	tables_free(g);
	if ((W.gen = g2) != NULL) {
		T_EQ(flow_send(0x0a000001, 0x0a090301, &to), 0, "SA 503, next generation: still "
		    "past its bytes");
		T_EQ(tables_sa_out(g2, 503)->ctr.drops[DROP_EXPIRED], 2, "counted as expired");
		tables_free(g2);
	}
	W.gen = keep;
}

/* A flow naming an SA the generation does not have, or none, refuses the generation. */
static void
test_flow_refused(void)
{
	static struct test_ace ace[1];
	static struct test_flow fl[1];
	const struct test_sa sa[] = {
		{ .id = 301, .proto = 50, .spi = 4001, .local = LOCAL, .peer = PEER },
		{ .id = 305, .proto = 51, .spi = 4005, .local = LOCAL, .peer = PEER },
	};
	struct test_policy pol = { .seq = 40, .local = LOCAL, .peer = PEER, .aces = ace,
	    .n_aces = 1, .kind = GW__V1__ENTRY_KIND__KIND_ISAKMP, .flows = fl, .n_flows = 1 };
	static const uint64_t bad[][2] = { { 999, 0 }, { 0, 0 }, { 305, 0 }, { 301, 301 } };
	static const char *const why[] = { "a missing SA", "no SA", "AH as ESP", "ESP as AH" };
	struct gw_err err;

	ace[0] = (struct test_ace){ true, test_sel(NET_L, 24, 0x0a010000, 24) };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct gen *g;

		fl[0] = (struct test_flow){ test_sel(NET_L, 24, 0x0a010000, 24), bad[i][0],
		    bad[i][1] };
		err.msg[0] = '\0';
		g = tables_build(test_tables(9, sa, 2, &pol, 1), "w1", NULL, &err);
		T_OK(g == NULL && strstr(err.msg, "crypto map vpn 40 flow 0") != NULL,
		    "a flow with %s: refused (%s)", why[i], err.msg);
		tables_free(g);
	}
}

int
main(void)
{
	W.o.id = "w1";
	W.tun_fd = W.esp_fd = W.ah_fd = W.udp_fd = W.clear_fd = W.ike_fd = W.icmp_fd = -1;
	W.nl_fd = -1;
	W.icmp_tokens = 10;
	if ((W.pool = calloc(2 * BATCH, sizeof(*W.pool))) == NULL ||
	    (W.acq = calloc(ACQUIRE_SLOTS, sizeof(*W.acq))) == NULL || (W.gen = gen()) == NULL)
		return t_done();
	mtu_gen(&W, W.gen);		/* no interface to ask: media MTU 1500 */
	tables_sa_out(W.gen, 101)->seq = 1;	/* leased 1..1000, as controld would */
	tables_sa_out(W.gen, 101)->seq_end = 1000;
	tables_sa_out(W.gen, 101)->lease_len = 1000;
	test_permit();
	test_df();
	test_deny();
	test_drops();
	test_too_big();
	test_tso();
	test_uso();
	test_no_alloc();
	test_flows();
	test_flow_refused();
	test_hard();
	tables_free(W.gen);
	free(W.acq);
	free(W.pool);
	return t_done();
}
