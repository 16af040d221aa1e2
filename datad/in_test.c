/* SPDX-License-Identifier: Apache-2.0 */
/* in_test.c: the inbound path as a peer and an attacker reach it (issue 8), through the real
 * fast path from memory: each datagram goes into the pool as recvmmsg would put it there (its
 * length, MSG_TRUNC when it was longer than PKT_MAX, the sender on UDP 4500) and through
 * in_run(), the seam under in_batch(); what is delivered is read back from the TUN, a memfd
 * here.  No socket.  Packets are built with the outbound half of the same keys (esp_encap,
 * ah_encap):
 *
 *   - each SA is taken only the way it arrives: an AH+ESP bundle's ESP only inside its AH
 *     ("bundle" when bare, raw or in UDP), its AH only around that ESP; raw ESP SAs not in
 *     UDP 4500 and ESP-in-UDP SAs not raw ("encap"); transport-mode payloads never IP-in-IP;
 *     a cipher-only ESP SA as it comes (nothing to check: malleable by nature)
 *   - a cut read (MSG_TRUNC, or an IP Total Length beyond what was read) is never taken for the
 *     packet: a 65000-byte datagram whose first 2048 bytes are valid ESP is not delivered, and
 *     a 3000-byte one is counted as "truncated", not as "icv"
 *   - TCP of an SA without an ICV is never coalesced nor given checksum offload flags (gro.c)
 *   - UDP of one flow, size and SA is coalesced into one GSO_UDP_L4 write (uso.c), and the
 *     host behind gets each datagram as it was sent; nothing across flows, SAs or sizes, nor
 *     a datagram without a checksum or with a wrong one
 *   - a drop is counted once, on the SA it is charged to (worker.h)
 *   - an SA past its hard lifetime (deadline or bytes) takes nothing more: "expired"
 *   - an unknown SPI and a failed ICV leave their drop event (worker.h, struct drop_event):
 *     the packet's SPI, addresses and sequence number, the SA, a count; UDP 4500 too
 *   - no allocation per packet, OpenSSL's included (tests/lib/alloc_count.h): ESP with
 *     HMAC-SHA1 and with AES-GCM, in UDP 4500, AH, and a TCP and a UDP burst coalesced */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/ah.h"
#include "common/esp.h"
#include "common/ip4.h"
#include "datad/worker.h"
#include "tests/lib/alloc_count.h"
#include "tests/lib/test.h"
#include "tests/lib/test_sa.h"

enum {
	LOCAL = 0xc6336402,		/* 198.51.100.2, us */
	PEER = 0xc6336401,		/* 198.51.100.1 */
	INNER_SRC = 0xc000020a,		/* 192.0.2.10 */
	INNER_DST = 0xc0000282,		/* 192.0.2.130 */
};

/* Each inbound SA, and id + 100 its outbound twin with the same keys (the peer's side, to
 * build packets with). */
static const struct {
	uint64_t	id;
	uint8_t		proto;
	uint32_t	spi;
	bool		auth, udp, transport;
	uint64_t	bundle;
	bool		gcm;
} SAS[] = {
	{ 1, 50, 1000, true, false, false, 0, false },	/* ESP, raw */
	{ 2, 50, 1100, true, true, false, 0, false },	/* ESP in UDP 4500 */
	{ 3, 50, 1200, false, false, false, 4, false },	/* bundle: ESP cipher alone ... */
	{ 4, 51, 2200, true, false, false, 3, false },	/* ... inside this AH */
	{ 5, 50, 1300, false, false, false, 0, false },	/* ESP cipher alone */
	{ 6, 51, 2300, true, false, false, 0, false },	/* AH alone */
	{ 7, 50, 1400, true, false, true, 0, false },	/* ESP transport, the peers' own */
	{ 8, 50, 1500, true, false, false, 0, true },	/* ESP AES-GCM, raw */
};
enum { N_SAS = sizeof(SAS) / sizeof(SAS[0]) };

static Gw__V1__Tables *
tables(const char *owner_of_1)
{
	/* 192.0.2.128/25 -> 192.0.2.0/25 and the peers' own: local -> remote */
	static Gw__V1__Selector tun, tra;
	struct test_sa sa[2 * N_SAS];

	tun = test_sel(0xc0000280, 25, 0xc0000200, 25);
	tra = test_sel(LOCAL, 32, PEER, 32);
	for (unsigned i = 0; i < 2 * N_SAS; i++) {
		unsigned k = i % N_SAS;
		bool in = i < N_SAS;

		sa[i] = (struct test_sa){
			.id = SAS[k].id + (in ? 0 : 100), .inbound = in, .proto = SAS[k].proto,
			.spi = SAS[k].spi, .local = in ? LOCAL : PEER, .peer = in ? PEER : LOCAL,
			.no_auth = !SAS[k].auth, .gcm = SAS[k].gcm, .udp = SAS[k].udp,
			.transport = SAS[k].transport,
			.bundle = SAS[k].bundle ? SAS[k].bundle + (in ? 0 : 100) : 0,
			.flow = SAS[k].transport ? &tra : &tun,
			.owner = in && SAS[k].id == 1 ? owner_of_1 : "w1",
		};
	}
	return test_tables(1, sa, 2 * N_SAS, NULL, 0);
}

static struct worker W;
static uint64_t next_seq = 1;
static off_t tun_seen;		/* bytes of the TUN memfd read back so far */

static struct sa_out *
out_sa(uint64_t id)
{
	return tables_sa_out(W.gen, id + 100);
}

static struct sa_in *
in_sa(unsigned k)
{
	return tables_sa_in(W.gen, htonl(SAS[k - 1].spi), SAS[k - 1].proto);
}

/* An IPv4 packet a -> b of protocol proto with len bytes in all, payload from pay (or zeros). */
static void
ip_pkt(struct pkt *p, uint32_t a, uint32_t b, uint8_t proto, uint32_t len, const uint8_t *pay,
    uint32_t pay_len)
{
	uint8_t *h;
	uint32_t a_be = htonl(a), b_be = htonl(b);

	pkt_reset(p);
	h = p->data;
	memset(h, 0, len);
	h[0] = 0x45;
	h[2] = (uint8_t)(len >> 8);
	h[3] = (uint8_t)len;
	h[5] = 1;
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, &a_be, 4);
	memcpy(h + 16, &b_be, 4);
	if (pay != NULL)
		memcpy(h + 20, pay, pay_len);
	ip4_csum_set(h);
	p->len = len;
}

/* An outer header peer -> us, protocol 50, with 8 bytes of options (NOPs), at h. */
static void
ip_pkt_hdr(uint8_t *h, uint32_t len)
{
	uint32_t a_be = htonl(PEER), b_be = htonl(LOCAL);

	memset(h, 0, 28);
	h[0] = 0x47;
	h[2] = (uint8_t)(len >> 8);
	h[3] = (uint8_t)len;
	h[8] = 64;
	h[9] = 50;
	memcpy(h + 12, &a_be, 4);
	memcpy(h + 16, &b_be, 4);
	memset(h + 20, 1, 8);
	ip4_csum_set(h);
}

/* An ICMP echo hostA -> hostB (inner), len bytes. */
static void
inner(struct pkt *p, uint32_t len)
{
	static const uint8_t echo[8] = { 8, 0, 0, 0, 0xf0, 0xf0, 0, 1 };

	ip_pkt(p, INNER_SRC, INNER_DST, 1, len, echo, sizeof(echo));
}

/* Wrap p in ESP of SA k (tunnel: next header 4; with outer, the outer IPv4 header too). */
static void
esp(struct pkt *p, unsigned k, uint8_t nh, bool outer)
{
	struct sa_out *o = out_sa(k);

	if (esp_encap(&o->xf, o->spi_be, next_seq++, false, nh, p) != DROP_NONE)
		abort();
	if (outer && ip4_push(p, htonl(PEER), htonl(LOCAL), 50, 0, false, htons(7)) != DROP_NONE)
		abort();
}

static void
ah(struct pkt *p, unsigned k)
{
	struct sa_out *o = out_sa(k);

	if (ah_encap(&o->xf, o->spi_be, next_seq++, false, p) != DROP_NONE)
		abort();
}

/* What reached the TUN since the last call: the number of writes, the last one's
 * virtio_net_hdr in *vh.  Each write is a virtio_net_hdr and an IPv4 packet (a super-packet's
 * Total Length covers all of it), so the memfd splits at Total Length; all of it must. */
static unsigned
tun_writes(struct virtio_net_hdr *vh)
{
	off_t end = lseek(W.tun_fd, 0, SEEK_END);
	uint8_t b[sizeof(*vh) + sizeof(struct ip4_hdr)];
	unsigned n = 0;

	while (tun_seen + (off_t)sizeof(b) <= end) {
		if (pread(W.tun_fd, b, sizeof(b), tun_seen) != (ssize_t)sizeof(b))
			abort();
		if (vh != NULL)
			memcpy(vh, b, sizeof(*vh));
		tun_seen += (off_t)(sizeof(*vh) +
		    ntohs(((const struct ip4_hdr *)(b + sizeof(*vh)))->len_be));
		n++;
	}
	T_EQ(tun_seen, end, "the TUN writes split at their Total Lengths");
	tun_seen = end;
	return n;
}

/* Datagram i of the next read: b[0..len) as recvmmsg leaves it in a PKT_MAX buffer. */
static void
rx(unsigned i, const void *b, size_t len)
{
	struct pkt *p = in_buf(&W, i);
	size_t got = len > PKT_MAX ? PKT_MAX : len;

	memcpy(p->data, b, got);
	W.rx_msg[i].msg_len = (unsigned)got;
	W.rx_msg[i].msg_hdr.msg_flags = len > PKT_MAX ? MSG_TRUNC : 0;
	W.rx_from[i].sin_family = AF_INET;		/* UDP 4500: the peer's port 4500 */
	W.rx_from[i].sin_addr.s_addr = htonl(PEER);
	W.rx_from[i].sin_port = htons(4500);
}

/* b[0..len) through the inbound path as read from socket `from`: the number of packets that
 * reached the TUN, the last one's virtio_net_hdr in *vh. */
static unsigned
run(enum in_from from, const void *b, size_t len, struct virtio_net_hdr *vh)
{
	rx(0, b, len);
	in_run(&W, from, 1);
	return tun_writes(vh);
}

static unsigned
run_pkt(enum in_from from, const struct pkt *p)
{
	return run(from, p->data, p->len, NULL);
}

static uint64_t
drops(unsigned k, enum drop d)
{
	return in_sa(k)->ctr.drops[d];
}

/* Each SA taken only the way it arrives. */
static void
test_ways(void)
{
	struct pkt p;

	inner(&p, 84);
	esp(&p, 1, 4, true);
	T_EQ(run_pkt(IN_ESP, &p), 1, "raw ESP of a raw-ESP SA: delivered");
	inner(&p, 84);
	esp(&p, 1, 4, false);
	T_EQ(run_pkt(IN_UDP, &p), 0, "ESP of a raw-ESP SA in UDP 4500: dropped");
	T_EQ(drops(1, DROP_ENCAP), 1, "and counted as encap");

	inner(&p, 84);
	esp(&p, 2, 4, false);
	T_EQ(run_pkt(IN_UDP, &p), 1, "ESP in UDP of a NAT-T SA: delivered");
	inner(&p, 84);
	esp(&p, 2, 4, true);
	T_EQ(run_pkt(IN_ESP, &p), 0, "raw ESP of a NAT-T SA: dropped");
	T_EQ(drops(2, DROP_ENCAP), 1, "and counted as encap");

	/* the bundle: ESP (cipher alone) then AH, as out.c sends it */
	inner(&p, 84);
	esp(&p, 3, 4, true);
	ah(&p, 4);
	T_EQ(run_pkt(IN_AH, &p), 1, "AH+ESP bundle, intact: delivered");
	T_EQ(in_sa(3)->ctr.pkts, 1, "the bundle's ESP SA counts it");
	inner(&p, 84);
	esp(&p, 3, 4, true);	/* what is left when an attacker strips the AH */
	T_EQ(run_pkt(IN_ESP, &p), 0, "the bundle's ESP stripped of its AH: dropped");
	T_EQ(drops(3, DROP_BUNDLE), 1, "and counted as bundle on the ESP SA");
	T_EQ(drops(3, DROP_ICV) + drops(3, DROP_PAD), 0, "nothing else was tried on it");
	inner(&p, 84);
	esp(&p, 3, 4, false);
	T_EQ(run_pkt(IN_UDP, &p), 0, "the bundle's ESP in UDP 4500: dropped");
	T_EQ(drops(3, DROP_BUNDLE), 2, "counted as bundle");
	inner(&p, 84);
	esp(&p, 1, 4, true);
	ah(&p, 4);
	T_EQ(run_pkt(IN_AH, &p), 0, "the bundle's AH around another ESP SA: dropped");
	T_EQ(drops(4, DROP_BUNDLE), 1, "counted as bundle on the AH SA");
	T_EQ(in_sa(1)->ctr.pkts, 1, "the other ESP SA never saw it");
	inner(&p, 84);
	if (ip4_push(&p, htonl(PEER), htonl(LOCAL), 4, 0, false, htons(9)) != DROP_NONE)
		abort();
	ah(&p, 4);
	T_EQ(run_pkt(IN_AH, &p), 0, "the bundle's AH around a bare inner packet: dropped");
	T_EQ(drops(4, DROP_BUNDLE), 2, "counted as bundle on the AH SA");

	/* AH alone */
	inner(&p, 84);
	if (ip4_push(&p, htonl(PEER), htonl(LOCAL), 4, 0, false, htons(9)) != DROP_NONE)
		abort();
	ah(&p, 6);
	T_EQ(run_pkt(IN_AH, &p), 1, "AH alone, tunnel mode: delivered");
	inner(&p, 84);
	esp(&p, 1, 4, true);
	ah(&p, 6);
	T_EQ(run_pkt(IN_AH, &p), 0, "AH alone around an ESP packet: dropped");
	T_EQ(drops(6, DROP_BUNDLE), 1, "counted as bundle on the AH SA");

	/* an ESP cipher alone: nothing to check, taken as it comes (malleable by nature) */
	inner(&p, 84);
	esp(&p, 5, 4, true);
	T_EQ(run_pkt(IN_ESP, &p), 1, "cipher-only ESP: delivered");

	/* transport mode: the peers' own payload, never IP-in-IP */
	ip_pkt(&p, PEER, LOCAL, 1, 60, NULL, 0);
	if (esp_transport_encap(&out_sa(7)->xf, out_sa(7)->spi_be, next_seq++, false, &p) !=
	    DROP_NONE)
		abort();
	T_EQ(run_pkt(IN_ESP, &p), 1, "transport ESP, ICMP between the peers: delivered");
	inner(&p, 84);
	if (ip4_push(&p, htonl(PEER), htonl(LOCAL), 4, 0, false, htons(9)) != DROP_NONE ||
	    esp_transport_encap(&out_sa(7)->xf, out_sa(7)->spi_be, next_seq++, false, &p) !=
	    DROP_NONE)
		abort();
	T_EQ(run_pkt(IN_ESP, &p), 0, "transport ESP carrying IP-in-IP: dropped");
	T_EQ(drops(7, DROP_PROTO), 1, "counted as proto");
}

/* A read cut at PKT_MAX is never the packet. */
static void
test_truncated(void)
{
	static uint8_t big[65000];
	struct pkt p;
	uint32_t n;

	/* an ESP datagram of exactly PKT_MAX bytes, valid as read, in a 65000-byte datagram:
	 * 28 (IPv4 with 8 bytes of options) + 8 + 16 (IV) + 1984 (1982 + trailer) + 12 (ICV) */
	inner(&p, 1982);
	esp(&p, 1, 4, false);
	p.data -= 28;
	p.len += 28;
	ip_pkt_hdr(p.data, p.len);
	T_EQ(p.len, PKT_MAX, "the valid prefix is PKT_MAX bytes");
	T_EQ(run_pkt(IN_ESP, &p), 1, "which alone is delivered");
	memset(big, 0xa5, sizeof(big));
	memcpy(big, p.data, p.len);
	big[2] = (uint8_t)(sizeof(big) >> 8);
	big[3] = (uint8_t)sizeof(big);
	n = (uint32_t)in_sa(1)->ctr.pkts;
	T_EQ(run(IN_ESP, big, sizeof(big), NULL), 0,
	    "65000 bytes, the first 2048 valid ESP: not delivered");
	T_EQ(drops(1, DROP_TRUNCATED), 1, "counted as truncated");
	T_EQ(in_sa(1)->ctr.pkts, n, "not counted as decapsulated");
	T_EQ(run(IN_ESP, big, PKT_MAX, NULL), 0,
	    "the same prefix alone, Total Length 65000: not delivered");
	T_EQ(drops(1, DROP_TRUNCATED), 2, "counted as truncated");

	/* a peer with a jumbo MTU: 3000 bytes of ESP */
	memset(big, 0x5a, 3000);
	memcpy(big, p.data, 40);
	big[2] = 3000 >> 8;
	big[3] = 3000 & 0xff;
	T_EQ(run(IN_ESP, big, 3000, NULL), 0, "3000-byte ESP: not delivered");
	T_EQ(drops(1, DROP_TRUNCATED), 3, "counted as truncated");
	T_EQ(drops(1, DROP_ICV), 0, "not as icv");

	inner(&p, 84);
	esp(&p, 2, 4, false);
	memset(big, 0, 3000);
	memcpy(big, p.data, p.len);
	T_EQ(run(IN_UDP, big, 3000, NULL), 0, "3000 bytes in UDP 4500: not delivered");
	T_EQ(drops(2, DROP_TRUNCATED), 1, "counted as truncated on the NAT-T SA");

	inner(&p, 84);
	esp(&p, 3, 4, true);
	ah(&p, 4);
	memset(big, 0, 3000);
	memcpy(big, p.data, p.len);
	big[2] = 3000 >> 8;
	big[3] = 3000 & 0xff;
	T_EQ(run(IN_AH, big, 3000, NULL), 0, "3000 bytes of AH: not delivered");
	T_EQ(drops(4, DROP_TRUNCATED), 1, "counted as truncated on the AH SA");
}

/* A TCP segment 192.0.2.10:5000 -> 192.0.2.130:80, ACK, seq, 1000 bytes. */
static void
tcp(struct pkt *p, uint32_t seq)
{
	uint8_t t[20] = { 0x13, 0x88, 0, 80 };
	uint32_t seq_be = htonl(seq);

	memcpy(t + 4, &seq_be, 4);
	t[12] = 5 << 4;
	t[13] = 0x10;
	t[14] = 0x20;
	ip_pkt(p, INNER_SRC, INNER_DST, 6, 1040, t, sizeof(t));
}

/* Three segments of one flow in one read: coalesced only with an ICV. */
static unsigned
tcp_burst(unsigned k, struct virtio_net_hdr *vh)
{
	unsigned n;
	struct pkt p;

	for (unsigned i = 0; i < 3; i++) {
		tcp(&p, 1 + 1000 * i);
		esp(&p, k, 4, true);
		rx(i, p.data, p.len);
	}
	in_run(&W, IN_ESP, 3);
	n = tun_writes(vh);
	T_OK(k == 1 || vh->flags == 0, "SA %u: no checksum offload flags", k);
	return n;
}

static void
test_gro(void)
{
	struct virtio_net_hdr vh;
	uint64_t g0 = W.n_gro_pkts;

	T_EQ(tcp_burst(1, &vh), 1, "SA with an ICV: three segments, one super-packet");
	T_EQ(vh.gso_type, VIRTIO_NET_HDR_GSO_TCPV4, "TCPv4 GSO");
	T_EQ(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM, "checksum left to the kernel");
	T_EQ(W.n_gro_pkts, g0 + 1, "one coalesced");
	T_EQ(tcp_burst(5, &vh), 3, "cipher-only SA: three segments, three writes");
	T_EQ(vh.gso_type, VIRTIO_NET_HDR_GSO_NONE, "no GSO");
	T_EQ(W.n_gro_pkts, g0 + 1, "none coalesced");
}

/* A UDP datagram 192.0.2.10:sport -> 192.0.2.130:5201, DF, Identification id, plen bytes of
 * payload counting up from seed, its checksum right (or broken by one if bad, or 0 if none). */
static void
udp(struct pkt *p, uint16_t sport, uint16_t id, uint32_t plen, uint8_t seed, int csum)
{
	uint8_t u[8] = { (uint8_t)(sport >> 8), (uint8_t)sport, 0x14, 0x51 };
	struct ip4_pseudo ph;
	struct ip4_hdr *ip;
	struct udp_hdr *uh;

	ip_pkt(p, INNER_SRC, INNER_DST, 17, 28 + plen, u, sizeof(u));
	ip = (struct ip4_hdr *)p->data;
	uh = (struct udp_hdr *)(p->data + 20);
	ip->id_be = htons(id);
	ip->frag_be = htons(IP4_DF);
	ip4_csum_set(p->data);
	uh->len_be = htons((uint16_t)(8 + plen));
	for (uint32_t i = 0; i < plen; i++)
		p->data[28 + i] = (uint8_t)(seed + i);
	ph = (struct ip4_pseudo){ ip->src_be, ip->dst_be, 0, 17, uh->len_be };
	uh->csum_be = tso_l4_csum(&ph, (const uint8_t *)uh, 8 + plen);
	if (uh->csum_be == 0)
		uh->csum_be = 0xffff;
	if (csum == 0)
		uh->csum_be = 0;
	else if (csum < 0)
		uh->csum_be ^= htons(1);
}

/* The datagrams d[0..n) through SA k in one read (ESP, tunnel mode): the TUN writes, each as
 * the host behind the TUN gets it (a super-packet cut as the kernel cuts it: uso.c's outbound
 * half does the same), into got[] (at most 8); returns the number of writes, the last
 * one's virtio_net_hdr in *vh. */
static unsigned
udp_batch(unsigned k, const struct pkt *d, unsigned n, struct virtio_net_hdr *vh,
    struct pkt *got, unsigned *n_got)
{
	static uint8_t b[sizeof(struct virtio_net_hdr) + 65536];
	off_t at = tun_seen, end;
	unsigned writes;
	struct pkt p;

	for (unsigned i = 0; i < n; i++) {
		p = d[i];
		p.data = p.buf + (d[i].data - d[i].buf);
		esp(&p, k, 4, true);
		rx(i, p.data, p.len);
	}
	in_run(&W, IN_ESP, n);
	end = lseek(W.tun_fd, 0, SEEK_END);
	writes = tun_writes(vh);
	*n_got = 0;
	while (at < end) {
		struct virtio_net_hdr h;
		uint32_t len;
		ssize_t r = pread(W.tun_fd, b, sizeof(b), at);

		if (r < (ssize_t)(sizeof(h) + 20))
			abort();
		memcpy(&h, b, sizeof(h));
		len = ntohs(((const struct ip4_hdr *)(b + sizeof(h)))->len_be);
		at += (off_t)(sizeof(h) + len);
		if (h.gso_type == VIRTIO_NET_HDR_GSO_UDP_L4) {
			struct tso t;

			T_EQ(uso_parse(&t, &h, b + sizeof(h), len), DROP_NONE, "a UDP super-packet");
			for (uint32_t i = 0; i < t.segs && *n_got < 8; i++)
				uso_segment(&t, i, &got[(*n_got)++]);
		} else if (*n_got < 8) {
			pkt_reset(&got[*n_got]);
			memcpy(got[*n_got].data, b + sizeof(h), len);
			got[(*n_got)++].len = len;
		}
	}
	return writes;
}

/* What the host gets is what was sent: the same datagrams, byte for byte. */
static void
same_dgrams(const struct pkt *d, unsigned n, const struct pkt *got, unsigned n_got,
    const char *what)
{
	T_EQ(n_got, n, "%s: %u datagrams arrive", what, n);
	for (unsigned i = 0; i < n && i < n_got; i++)
		T_OK(got[i].len == d[i].len && memcmp(got[i].data, d[i].data, d[i].len) == 0,
		    "%s: datagram %u as sent", what, i);
}

/* UDP of one flow and size, consecutive in a read, goes to the TUN as one GSO_UDP_L4
 * super-packet (uso.c); nothing else is coalesced, and nothing changes what the host gets. */
static void
test_uso(void)
{
	struct virtio_net_hdr vh;
	struct pkt d[6], got[8];
	unsigned n_got;
	uint64_t u0 = W.n_uso_pkts;
	uint8_t b[sizeof(vh) + 28];

	udp(&d[0], 5001, 10, 1000, 1, 1);
	udp(&d[1], 5001, 11, 1000, 2, 1);
	udp(&d[2], 5001, 12, 500, 3, 1);
	T_EQ(udp_batch(1, d, 3, &vh, got, &n_got), 1, "SA with an ICV: three datagrams, one write");
	T_EQ(vh.gso_type, VIRTIO_NET_HDR_GSO_UDP_L4, "UDP GSO");
	T_EQ(vh.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM, "checksum left to the kernel");
	T_EQ(vh.gso_size, 1000, "cut at the first's payload");
	T_EQ(vh.hdr_len, 28, "IPv4 and UDP headers");
	T_EQ(vh.csum_start, 20, "the checksum starts at UDP");
	T_EQ(vh.csum_offset, 6, "at UDP's checksum field");
	T_EQ(W.n_uso_pkts, u0 + 1, "one UDP super-packet");
	T_EQ(W.n_uso_segs, 3, "of three datagrams");
	if (pread(W.tun_fd, b, sizeof(b), tun_seen - (off_t)(sizeof(vh) + 28 + 2500)) ==
	    (ssize_t)sizeof(b)) {
		const struct ip4_hdr *ip = (const struct ip4_hdr *)(b + sizeof(vh));
		const struct udp_hdr *uh = (const struct udp_hdr *)(ip + 1);
		struct ip4_pseudo ph = { ip->src_be, ip->dst_be, 0, 17, htons(8 + 2500) };

		T_EQ(ntohs(ip->len_be), 28 + 2500, "Total Length of it all");
		T_EQ(ip4_csum(ip, sizeof(*ip)), 0, "its IPv4 checksum");
		T_EQ(ntohs(uh->len_be), 8 + 2500, "UDP length of it all");
		T_EQ(uh->csum_be, (uint16_t)~ip4_csum(&ph, sizeof(ph)),
		    "the pseudo-header sum, for CHECKSUM_PARTIAL");
	} else
		T_OK(false, "the super-packet read back");
	same_dgrams(d, 3, got, n_got, "coalesced");

	T_EQ(udp_batch(5, d, 3, &vh, got, &n_got), 3, "cipher-only SA: three writes");
	T_EQ(vh.flags, 0, "no checksum offload flags");
	same_dgrams(d, 3, got, n_got, "cipher-only");

	udp(&d[1], 5001, 11, 1200, 2, 1);		/* longer than the first */
	T_EQ(udp_batch(1, d, 2, &vh, got, &n_got), 2, "sizes 1000, 1200: two writes");
	same_dgrams(d, 2, got, n_got, "a longer second");

	udp(&d[1], 5001, 11, 500, 2, 1);		/* shorter: it ends the run */
	udp(&d[2], 5001, 12, 500, 3, 1);
	T_EQ(udp_batch(1, d, 3, &vh, got, &n_got), 2, "1000, 500, 500: two writes (1000 + 500)");
	same_dgrams(d, 3, got, n_got, "a short one ends it");

	udp(&d[1], 5001, 13, 1000, 2, 1);		/* not the next Identification */
	udp(&d[2], 5001, 14, 1000, 3, 1);
	T_EQ(udp_batch(1, d, 3, &vh, got, &n_got), 2, "IDs 10, 13, 14: two writes (13 + 14)");
	same_dgrams(d, 3, got, n_got, "Identification");

	udp(&d[1], 5001, 11, 1000, 2, 0);		/* no checksum */
	udp(&d[2], 5001, 12, 1000, 3, -1);		/* a wrong one */
	T_EQ(udp_batch(1, d, 3, &vh, got, &n_got), 3, "no checksum, a wrong one: alone");
	same_dgrams(d, 3, got, n_got, "checksums kept as sent");

	udp(&d[0], 5001, 10, 1000, 1, 1);		/* two flows interleaved */
	udp(&d[1], 5002, 20, 1000, 2, 1);
	udp(&d[2], 5001, 11, 1000, 3, 1);
	udp(&d[3], 5002, 21, 1000, 4, 1);
	T_EQ(udp_batch(1, d, 4, &vh, got, &n_got), 2, "two flows interleaved: one write each");
	T_EQ(n_got, 4, "four datagrams");
	T_OK(n_got == 4 && got[0].len == d[0].len && !memcmp(got[0].data, d[0].data, d[0].len) &&
	    !memcmp(got[1].data, d[2].data, d[2].len) && !memcmp(got[2].data, d[1].data, d[1].len) &&
	    !memcmp(got[3].data, d[3].data, d[3].len), "each flow in its order, as sent");

	/* the same flow across two SAs (1, then GCM 8): never one super-packet */
	udp(&d[0], 5001, 10, 1000, 1, 1);
	udp(&d[1], 5001, 11, 1000, 2, 1);
	for (unsigned i = 0; i < 2; i++) {
		struct pkt p = d[i];

		p.data = p.buf + (d[i].data - d[i].buf);
		esp(&p, i == 0 ? 1 : 8, 4, true);
		rx(i, p.data, p.len);
	}
	in_run(&W, IN_ESP, 2);
	T_EQ(tun_writes(&vh), 2, "two SAs: two writes");
	T_EQ(W.n_uso_pkts, u0 + 5, "coalesced: only the five above");
}

/* The same reads again and again allocate nothing (manual SAs here have no replay window, so
 * a packet sent twice is delivered twice): what is allocated once is allocated at the first. */
static void
test_no_alloc(void)
{
	struct virtio_net_hdr vh;
	struct pkt esp1, esp8, udp2, ah6, ud[3], ugot[8];
	uint64_t a0;
	unsigned got = 0, n_ugot;

	inner(&esp1, 1000);
	esp(&esp1, 1, 4, true);
	inner(&esp8, 1000);
	esp(&esp8, 8, 4, true);
	inner(&udp2, 1000);
	esp(&udp2, 2, 4, false);
	inner(&ah6, 1000);
	if (ip4_push(&ah6, htonl(PEER), htonl(LOCAL), 4, 0, false, htons(9)) != DROP_NONE)
		abort();
	ah(&ah6, 6);
	for (unsigned i = 0; i < 3; i++)
		udp(&ud[i], 5003, (uint16_t)(30 + i), 1000, (uint8_t)i, 1);
	if (!alloc_counting()) {
		printf("# skipped: allocations are not counted in this build (sanitizers)\n");
		return;
	}
	for (int round = 0; round < 2; round++) {	/* round 0 warms up */
		a0 = alloc_calls();
		got = 0;
		for (unsigned i = 0; i < 50; i++) {
			got += run_pkt(IN_ESP, &esp1);
			got += run_pkt(IN_ESP, &esp8);
			got += run_pkt(IN_UDP, &udp2);
			got += run_pkt(IN_AH, &ah6);
			got += tcp_burst(1, &vh);
			got += udp_batch(1, ud, 3, &vh, ugot, &n_ugot);
		}
	}
	T_EQ(got, 300, "every packet delivered, the bursts coalesced");
	T_EQ(alloc_calls() - a0, 0,
	    "no allocation in 500 packets (ESP SHA-1, GCM, UDP, AH, GRO of TCP and UDP)");
}

/* Bundles that do not hold together are refused whole; a missing partner accepts nothing. */
static void
test_bundle_tables(void)
{
	Gw__V1__Tables *t = tables("w1");
	struct gw_err err = { 0, "" };
	struct gen *g;

	for (size_t i = 0; i < t->n_sas; i++)
		if (t->sas[i]->id == 3)
			t->sas[i]->bundle = 6;		/* names AH 6, which names nothing */
	T_OK(tables_build(t, "w1", NULL, &err) == NULL, "a one-sided bundle is refused");
	T_OK(strstr(err.msg, "bundle") != NULL, "and says why: %s", err.msg);
	t = tables("w1");
	for (size_t i = 0; i < t->n_sas; i++)
		if (t->sas[i]->id == 4) {		/* AH 4 gone, ESP 3 still names it */
			Gw__V1__Sa *x = t->sas[i];

			t->sas[i] = t->sas[--t->n_sas];
			protobuf_c_message_free_unpacked(&x->base, NULL);
			break;
		}
	g = tables_build(t, "w1", NULL, &err);
	T_OK(g != NULL && tables_sa_in(g, htonl(1200), 50)->partner == NULL,
	    "a missing partner: the SA stays, partnerless: %s", err.msg);
	tables_free(g);
}

/* Hard lifetimes (gw.v1.Sa; docs/datad.md): an inbound SA past its deadline or its bytes
 * takes nothing more ("expired", before any crypto); within them it takes what comes.
 *
 *   ESP 21 (SPI 1500): its deadline a second ago;  ESP 22 (SPI 1600): its deadline in an hour;
 *   ESP 23 (SPI 1700): 500 bytes;  AH 24 (SPI 2400): its deadline a second ago
 * and the peer's outbound twins, id + 100, to build the packets with. */
static void
test_hard(void)
{
	static Gw__V1__Selector tun;
	static const struct { uint64_t id; uint8_t proto; uint32_t spi; } H[] = {
		{ 21, 50, 1500 }, { 22, 50, 1600 }, { 23, 50, 1700 }, { 24, 51, 2400 },
	};
	struct test_sa sa[8];
	struct gw_err err = { 0, "" };
	struct gen *keep = W.gen, *g;
	struct sa_in *s22, *s23;
	uint64_t now, before = 0;
	unsigned taken = 0;
	struct pkt p;

	worker_clock(&W);
	now = W.wall_ms;
	tun = test_sel(0xc0000280, 25, 0xc0000200, 25);
	for (unsigned i = 0; i < 8; i++) {
		unsigned k = i % 4;
		bool in = i < 4;

		sa[i] = (struct test_sa){ .id = H[k].id + (in ? 0 : 100), .inbound = in,
		    .proto = H[k].proto, .spi = H[k].spi, .local = in ? LOCAL : PEER,
		    .peer = in ? PEER : LOCAL, .flow = &tun };
		if (in && k != 2)
			sa[i].hard_expire_unix_ms = k == 1 ? now + 3600 * 1000 : now - 1000;
		if (in && k == 2)
			sa[i].hard_bytes = 500;
	}
	g = tables_build(test_tables(2, sa, 8, NULL, 0), "w1", NULL, &err);
	T_OK(g != NULL, "tables with hard lifetimes: %s", err.msg);
	if (g == NULL)
		return;
	W.gen = g;
	inner(&p, 84);
	esp(&p, 21, 4, true);
	T_EQ(run_pkt(IN_ESP, &p), 0, "ESP of an SA past its deadline: dropped");
	T_EQ(tables_sa_in(g, htonl(1500), 50)->ctr.drops[DROP_EXPIRED], 1, "counted as expired");
	T_EQ(tables_sa_in(g, htonl(1500), 50)->replay.top, 0, "before the replay window moved");

	s22 = tables_sa_in(g, htonl(1600), 50);
	inner(&p, 84);
	esp(&p, 22, 4, true);
	T_EQ(run_pkt(IN_ESP, &p), 1, "ESP of an SA within its deadline: delivered");
	W.wall_ms = s22->hard.expire_ms;	/* a later turn of the loop, at the deadline */
	inner(&p, 84);
	esp(&p, 22, 4, true);
	T_EQ(run_pkt(IN_ESP, &p), 0, "the same SA at its deadline: dropped");
	T_EQ(s22->ctr.drops[DROP_EXPIRED], 1, "counted as expired");
	T_EQ(s22->ctr.drops[DROP_ICV] + s22->ctr.drops[DROP_REPLAY], 0, "nothing else tried");
	W.wall_ms = now;

	s23 = tables_sa_in(g, htonl(1700), 50);
	for (unsigned i = 0; i < 20; i++) {
		inner(&p, 84);
		esp(&p, 23, 4, true);
		if (run_pkt(IN_ESP, &p) != 1)
			break;
		taken++;
		T_OK(before < 500, "packet %u taken with %" PRIu64 " bytes before", i, before);
		before = s23->ctr.bytes;
	}
	T_OK(taken > 1 && taken < 20, "the byte limit stopped SA 23 after %u packets", taken);
	T_OK(s23->ctr.bytes >= 500 && s23->ctr.bytes < 500 + PKT_MAX,
	    "%" PRIu64 " bytes: the limit, overshot by less than one packet", s23->ctr.bytes);
	T_EQ(s23->ctr.drops[DROP_EXPIRED], 1, "the next counted as expired");

	inner(&p, 84);
	if (ip4_push(&p, htonl(PEER), htonl(LOCAL), 4, 0, false, htons(9)) != DROP_NONE)
		abort();
	ah(&p, 24);
	T_EQ(run_pkt(IN_AH, &p), 0, "AH of an SA past its deadline: dropped");
	T_EQ(tables_sa_in(g, htonl(2400), 51)->ctr.drops[DROP_EXPIRED], 1, "counted as expired");
	W.gen = keep;
	tables_free(g);
}

/* The drops controld logs (%CRYPTO-4-RECVD_PKT_INV_SPI, RECVD_PKT_MAC_ERR): their events. */
static void
test_events(void)
{
	const struct drop_event *e;
	struct pkt p;
	uint32_t ihl, unknown_be = htonl(2000);

	memset(W.ev, 0, sizeof(W.ev));
	inner(&p, 84);
	esp(&p, 1, 4, true);
	ihl = (p.data[0] & 0xfu) * 4;
	memcpy(p.data + ihl, &unknown_be, 4);
	T_EQ(run_pkt(IN_ESP, &p), 0, "an unknown SPI: dropped");
	e = &W.ev[EV_NO_SA];
	T_EQ(e->count, 1, "an unknown-SPI event");
	T_EQ(ntohl(e->spi_be), 2000, "its SPI");
	T_EQ(ntohl(e->src_be), PEER, "its source");
	T_EQ(ntohl(e->dst_be), LOCAL, "its destination");
	T_EQ(e->seq, next_seq - 1, "its sequence number");
	T_EQ(e->proto, 50, "ESP");
	T_EQ(e->sa_id, 0, "no SA");

	inner(&p, 84);
	esp(&p, 1, 4, true);
	p.data[p.len - 1] ^= 1;
	T_EQ(run_pkt(IN_ESP, &p), 0, "a bad ICV: dropped");
	e = &W.ev[EV_ICV];
	T_EQ(e->count, 1, "an ICV event");
	T_EQ(e->sa_id, 1, "of SA 1");
	T_EQ(ntohl(e->spi_be), 1000, "its SPI");
	T_EQ(e->seq, next_seq - 1, "its sequence number");

	inner(&p, 84);
	esp(&p, 2, 4, false);			/* ESP in UDP 4500: the sender from recvmmsg */
	memcpy(p.data, &unknown_be, 4);
	T_EQ(run_pkt(IN_UDP, &p), 0, "an unknown SPI in UDP: dropped");
	e = &W.ev[EV_NO_SA];
	T_EQ(e->count, 2, "a second unknown-SPI event");
	T_EQ(ntohl(e->src_be), PEER, "its sender");
	T_EQ(e->dst_be, 0, "its destination not known (no IP_PKTINFO here)");

	rx(0, "\x45", 1);			/* a runt: no event, nothing read beyond it */
	in_run(&W, IN_ESP, 1);
	T_EQ(W.ev[EV_NO_SA].count + W.ev[EV_ICV].count + W.ev[EV_REPLAY].count, 3,
	    "no event for a runt");
	memset(W.ev, 0, sizeof(W.ev));
}

int
main(void)
{
	struct gw_err err = { 0, "" };

	W.o.id = "w1";
	W.esp_fd = W.ah_fd = W.udp_fd = W.clear_fd = W.ike_fd = W.icmp_fd = W.nl_fd = -1;
	if ((W.tun_fd = memfd_create("tun", 0)) < 0 ||
	    (W.pool = calloc(2 * BATCH, sizeof(*W.pool))) == NULL)
		abort();
	W.gen = tables_build(tables("w1"), "w1", NULL, &err);
	T_OK(W.gen != NULL, "tables: %s", err.msg);
	if (W.gen == NULL)
		return t_done();
	T_OK(in_sa(3)->partner == in_sa(4) && in_sa(4)->partner == in_sa(3), "bundle linked");
	T_OK(!in_sa(3)->icv && in_sa(4)->icv && in_sa(1)->icv, "ICVs known");
	test_ways();
	test_truncated();
	test_gro();
	test_uso();
	test_bundle_tables();
	test_hard();
	test_events();
	test_no_alloc();
	tables_free(W.gen);
	free(W.pool);
	close(W.tun_fd);
	return t_done();
}
