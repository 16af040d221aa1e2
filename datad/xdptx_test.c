/* SPDX-License-Identifier: Apache-2.0 */
/* xdptx_test.c: what AF_XDP transmit puts on the wire and where (datad/xdptx.c,
 * docs/adr/0016-af-xdp-transmit.md): the Ethernet frame around a sealed ESP packet, ESP in UDP
 * (RFC 3948 §2.1) and a whole IP packet, checked byte by byte; received frames read back as
 * the raw and UDP sockets would (padding, UDP length, sender); the next-hop cache (per
 * generation, expiry, collisions); and the kernel's answers to RTM_GETROUTE and RTM_GETNEIGH
 * in a network namespace of its own with a veth pair (root; without it that part is
 * skipped and says so). */
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/ip4.h"
#include "datad/xdptx.h"
#include "tests/lib/test.h"

static const uint8_t DMAC[6] = { 2, 0, 0, 0, 0, 2 }, SMAC[6] = { 2, 0, 0, 0, 0, 1 };

static void
test_frame(void)
{
	uint8_t esp[100], f[2048], ip[40];
	struct xdptx_hdr h = {
		.src_be = htonl(0xc6336401), .dst_be = htonl(0xc6336402), .id = 0x1234,
		.sport_be = htons(4500), .dport_be = htons(4501), .tos = 0x0a,
		.proto = IPPROTO_ESP,
	};
	uint32_t n;

	memcpy(h.dmac, DMAC, 6);
	memcpy(h.smac, SMAC, 6);
	for (unsigned i = 0; i < sizeof(esp); i++)
		esp[i] = (uint8_t)i;
	n = xdptx_frame(f, sizeof(f), &h, esp, sizeof(esp));
	T_EQ(n, 14 + 20 + 100, "ESP frame length");
	T_MEMEQ(f, DMAC, 6, "destination MAC");
	T_MEMEQ(f + 6, SMAC, 6, "source MAC");
	T_EQ(f[12] << 8 | f[13], 0x0800, "EtherType IPv4");
	T_EQ(f[14], 0x45, "version, IHL");
	T_EQ(f[15], 0x0a, "TOS as the inner packet's");
	T_EQ(f[16] << 8 | f[17], 120, "total length");
	T_EQ(f[18] << 8 | f[19], 0x1234, "identification");
	T_EQ(f[20] << 8 | f[21], 0, "DF clear, not a fragment");
	T_EQ(f[22], 64, "TTL");
	T_EQ(f[23], 50, "protocol ESP");
	T_EQ(ip4_csum(f + 14, 20), 0, "header checksum verifies");
	T_MEMEQ(f + 26, &h.src_be, 4, "source");
	T_MEMEQ(f + 30, &h.dst_be, 4, "destination");
	T_MEMEQ(f + 34, esp, sizeof(esp), "the ESP packet untouched");

	h.proto = IPPROTO_UDP;
	n = xdptx_frame(f, sizeof(f), &h, esp, sizeof(esp));
	T_EQ(n, 14 + 20 + 8 + 100, "ESP in UDP frame length");
	T_EQ(f[23], 17, "protocol UDP");
	T_EQ(f[16] << 8 | f[17], 128, "total length with UDP");
	T_EQ(ip4_csum(f + 14, 20), 0, "header checksum verifies");
	T_EQ(f[34] << 8 | f[35], 4500, "source port 4500");
	T_EQ(f[36] << 8 | f[37], 4501, "destination port: the peer's (NAT)");
	T_EQ(f[38] << 8 | f[39], 108, "UDP length");
	T_EQ(f[40] << 8 | f[41], 0, "UDP checksum 0 (RFC 3948 2.1)");
	T_MEMEQ(f + 42, esp, sizeof(esp), "the ESP packet untouched");

	/* room: the interface's MTU + 14; a larger packet is the raw socket's (fragmented) */
	T_EQ(xdptx_frame(f, 14 + 20 + 99, &(struct xdptx_hdr){ .proto = IPPROTO_ESP }, esp, 100),
	    0, "too large for the room");
	T_EQ(xdptx_frame(f, 14 + 20 + 100, &(struct xdptx_hdr){ .proto = IPPROTO_ESP }, esp,
	    100), 134, "exactly the room");

	/* a whole IP packet (IP_HDRINCL): id set if 0 without DF, checksum computed, the rest
	 * as built: AH's ICV covers the Identification, so it must be what the kernel sends */
	memset(ip, 0, sizeof(ip));
	ip[0] = 0x45;
	ip[3] = sizeof(ip);
	ip[6] = 0x40;			/* DF, as the inner packet had it */
	ip[8] = 64;
	ip[9] = 51;
	ip[12] = 198, ip[15] = 1, ip[16] = 198, ip[19] = 2;
	h.proto = 0;
	h.id = 7;
	n = xdptx_frame(f, sizeof(f), &h, ip, sizeof(ip));
	T_EQ(n, 14 + 40, "whole packet frame");
	T_EQ(f[18] << 8 | f[19], 0, "DF: identification stays 0, as the kernel leaves it");
	T_EQ(f[20], 0x40, "DF kept");
	T_EQ(ip4_csum(f + 14, 20), 0, "checksum filled in");
	ip[6] = 0;
	n = xdptx_frame(f, sizeof(f), &h, ip, sizeof(ip));
	T_EQ(f[18] << 8 | f[19], 7, "no DF: identification filled in");
	T_EQ(ip4_csum(f + 14, 20), 0, "checksum filled in");
	ip[4] = 0x12;
	ip[5] = 0x34;
	n = xdptx_frame(f, sizeof(f), &h, ip, sizeof(ip));
	T_EQ(f[18] << 8 | f[19], 0x1234, "an identification of its own kept");
	T_EQ(xdptx_frame(f, sizeof(f), &h, ip, sizeof(ip) - 1), 0, "length not its own: refused");
	ip[0] = 0x65;
	T_EQ(xdptx_frame(f, sizeof(f), &h, ip, sizeof(ip)), 0, "not IPv4: refused");
}

/* What we send, read back as the receiving socket would read it. */
static void
test_parse(void)
{
	uint8_t esp[100], f[2048];
	struct xdptx_hdr h = {
		.src_be = htonl(0xc6336401), .dst_be = htonl(0xc6336402),
		.sport_be = htons(4500), .dport_be = htons(4500), .proto = IPPROTO_ESP,
	};
	struct xdptx_rx r;
	uint32_t n;

	for (unsigned i = 0; i < sizeof(esp); i++)
		esp[i] = (uint8_t)(i + 1);
	n = xdptx_frame(f, sizeof(f), &h, esp, sizeof(esp));
	memset(f + n, 0xee, 20);		/* Ethernet padding or a longer frame */
	xdptx_parse(f, n + 20, &r);
	T_OK(!r.udp, "plain ESP");
	T_EQ(r.off, 14, "the IP packet");
	T_EQ(r.len, 120, "trimmed to its Total Length");
	h.proto = IPPROTO_UDP;
	n = xdptx_frame(f, sizeof(f), &h, esp, sizeof(esp));
	memset(f + n, 0xee, 20);
	xdptx_parse(f, n + 20, &r);
	T_OK(r.udp, "ESP in UDP");
	T_EQ(r.off, 14 + 28, "the UDP payload");
	T_EQ(r.len, 100, "trimmed to the UDP length");
	T_MEMEQ(f + r.off, esp, 100, "the ESP packet");
	T_EQ(r.src_be, h.src_be, "sender");
	T_EQ(r.sport_be, htons(4500), "sender's port");
	T_EQ(r.dst_be, h.dst_be, "sent to");
	xdptx_parse(f, 14 + 20 + 4, &r);
	T_EQ(r.len, 0, "UDP header cut: nothing");
	xdptx_parse(f, 14 + 10, &r);
	T_EQ(r.len, 0, "IP header cut: nothing");
}

static void
test_cache(void)
{
	static struct xdptx_cache c;
	struct xdptx_hop h = { .peer_be = 1, .gen = 5, .until_ms = 1000, .oif = 3,
	    .have_mac = true };
	const struct xdptx_hop *g;

	T_OK(xdptx_get(&c, 1, 5, 0) == NULL, "empty");
	xdptx_put(&c, &h);
	g = xdptx_get(&c, 1, 5, 999);
	T_OK(g != NULL && g->oif == 3 && g->have_mac, "found");
	T_OK(xdptx_get(&c, 1, 5, 1000) == NULL, "expired");
	T_OK(xdptx_get(&c, 1, 6, 10) == NULL, "another generation asks again");
	T_OK(xdptx_get(&c, 2, 5, 10) == NULL, "another peer");
	h.gen = 6;
	h.oif = 4;
	xdptx_put(&c, &h);
	g = xdptx_get(&c, 1, 6, 10);
	T_OK(g != NULL && g->oif == 4, "replaced in place");
	/* many peers: every one just put is found, older ones may be pushed out, none wrong */
	for (uint32_t p = 100; p < 100 + 4 * XDPTX_HOPS; p++) {
		h.peer_be = p;
		h.oif = (int)p;
		h.until_ms = 2000 + p;
		xdptx_put(&c, &h);
		g = xdptx_get(&c, p, 6, 10);
		T_OK(g != NULL && g->oif == (int)p, "peer %u just put", p);
	}
	for (uint32_t p = 100; p < 100 + 4 * XDPTX_HOPS; p++) {
		g = xdptx_get(&c, p, 6, 10);
		T_OK(g == NULL || g->oif == (int)p, "peer %u: its own entry or none", p);
	}
	xdptx_forget(&c);
	T_OK(xdptx_get(&c, 100 + 4 * XDPTX_HOPS - 1, 6, 10) == NULL, "forgotten");
}

static int
sh(const char *cmd)
{
	return system(cmd);
}

/* The kernel's next hops in a namespace of ours: a neighbour, a route through it, an address
 * without a neighbour, no route, and a local address. */
static void
test_resolve(void)
{
	struct xdptx_hop h;
	int nl, d0;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("# skip: next hops from the kernel need root (a namespace of its own)\n");
		return;
	}
	if (sh("ip link add d0 type veth peer name d1 && ip link set d1 up && "
	    "ip link set d0 up && "
	    "ip addr add 10.9.0.1/24 dev d0 && "
	    "ip neigh add 10.9.0.2 lladdr 02:00:00:00:00:02 dev d0 nud permanent && "
	    "ip route add 10.8.0.0/24 via 10.9.0.2") != 0) {
		printf("# skip: cannot make a veth pair here\n");
		return;
	}
	d0 = (int)if_nametoindex("d0");
	T_OK((nl = xdptx_nl_open()) >= 0, "rtnetlink socket");
	T_EQ(xdptx_resolve(nl, htonl(0x0a090002), htonl(0x0a090001), 0, &h), 0, "asked");
	T_EQ(h.oif, d0, "on link: d0");
	T_OK(h.have_mac && memcmp(h.mac, DMAC, 6) == 0, "its MAC");
	T_EQ(xdptx_resolve(nl, htonl(0x0a080005), 0, 0, &h), 0, "asked");
	T_EQ(h.oif, d0, "through a gateway: d0");
	T_OK(h.have_mac && memcmp(h.mac, DMAC, 6) == 0, "the gateway's MAC");
	T_EQ(xdptx_resolve(nl, htonl(0x0a090003), 0, 0, &h), 0, "asked");
	T_EQ(h.oif, d0, "no neighbour yet: d0");
	T_OK(!h.have_mac, "no MAC: the raw socket resolves it");
	xdptx_resolve(nl, htonl(0xcb007101), 0, 0, &h);
	T_EQ(h.oif, 0, "no route");
	xdptx_resolve(nl, htonl(0x0a090001), 0, 0, &h);
	T_OK(h.oif == 0 || !h.have_mac, "our own address: never a frame");
	close(nl);
}

int
main(void)
{
	test_frame();
	test_parse();
	test_cache();
	test_resolve();
	return t_done();
}
