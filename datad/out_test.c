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
 * a TSO super-packet leaves as the segments the kernel would have sent, each encapsulated;
 * DF set and too big for the path is answered with ICMP frag-needed (RFC 1191). */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/esp.h"
#include "common/ip4.h"
#include "datad/worker.h"
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

/* Reads through the outbound path as one batch; nothing is sent. */
static void
run(const uint8_t *b, uint32_t len, unsigned times)
{
	unsigned slot = 0;

	for (unsigned i = 0; i < times; i++)
		out_read(&W, b, len, &slot);
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

int
main(void)
{
	W.o.id = "w1";
	W.tun_fd = W.esp_fd = W.ah_fd = W.udp_fd = W.clear_fd = W.ike_fd = W.icmp_fd = -1;
	W.nl_fd = -1;
	W.icmp_tokens = 10;
	if ((W.pool = calloc(2 * BATCH, sizeof(*W.pool))) == NULL || (W.gen = gen()) == NULL)
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
	tables_free(W.gen);
	free(W.pool);
	return t_done();
}
