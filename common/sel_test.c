/* SPDX-License-Identifier: Apache-2.0 */
/* sel_test.c: access-list entry matching, forward and reversed (seed: "Crypto Access List
 * Tips": the same list is applied in the reverse direction to inbound traffic). */
#include <arpa/inet.h>
#include <stdbool.h>

#include "common/pkt.h"
#include "common/sel.h"
#include "tests/lib/test.h"

#define A(a, b, c, d) (((uint32_t)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

static struct sel
mk(uint8_t proto, uint32_t src, uint32_t swild, uint32_t dst, uint32_t dwild)
{
	struct sel s = { .src = src, .src_mask = ~swild, .dst = dst, .dst_mask = ~dwild,
	    .proto = proto, .sport_hi = 65535, .dport_hi = 65535, .tos = -1, .precedence = -1 };

	return s;
}

/* A minimal IPv4 + 4 bytes of ports. */
static void
pkt(uint8_t *b, uint8_t proto, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
    uint16_t frag)
{
	struct ip4_hdr *h = (struct ip4_hdr *)b;
	struct l4_ports *p = (struct l4_ports *)(b + 20);

	memset(b, 0, 28);
	h->ver_ihl = 0x45;
	h->len_be = htons(28);
	h->frag_be = htons(frag);
	h->ttl = 64;
	h->proto = proto;
	h->src_be = htonl(src);
	h->dst_be = htonl(dst);
	p->sport_be = htons(sp);
	p->dport_be = htons(dp);
}

int
main(void)
{
	uint8_t b[28];
	struct flow f;
	struct sel net = mk(0, A(192, 0, 2, 0), 0x7f, A(192, 0, 2, 128), 0x7f);
	struct sel echo = mk(17, A(192, 0, 2, 0), 0x7f, A(192, 0, 2, 128), 0x7f);
	struct sel odd = mk(0, A(192, 0, 2, 1), 0x0000ff00, 0, 0xffffffff);	/* 192.0.x.1 */
	char buf[128];
	uint32_t n;

	echo.dport_lo = echo.dport_hi = 7;

	pkt(b, 1, A(192, 0, 2, 10), A(192, 0, 2, 130), 0, 0, 0);
	T_EQ(sel_flow(&f, b, sizeof(b)), 0, "parse");
	T_OK(sel_match(&net, &f), "A->B matches the A->B entry");
	T_OK(!sel_match_rev(&net, &f), "A->B does not match it reversed");
	T_OK(!sel_match(&echo, &f), "icmp is not udp");

	pkt(b, 17, A(192, 0, 2, 130), A(192, 0, 2, 10), 7, 40000, 0);
	sel_flow(&f, b, sizeof(b));
	T_OK(!sel_match(&net, &f), "B->A not forward");
	T_OK(sel_match_rev(&net, &f), "B->A matches reversed");
	T_OK(sel_match_rev(&echo, &f), "reply from port 7 matches the echo entry reversed");

	pkt(b, 17, A(192, 0, 2, 10), A(192, 0, 2, 130), 40000, 7, 0);
	sel_flow(&f, b, sizeof(b));
	T_OK(sel_match(&echo, &f), "udp to 7");
	pkt(b, 17, A(192, 0, 2, 10), A(192, 0, 2, 130), 40000, 7, 0x10);
	sel_flow(&f, b, sizeof(b));
	T_OK(!sel_match(&echo, &f), "a later fragment has no ports: a port entry cannot match");
	T_OK(sel_match(&net, &f), "but the address entry does");
	echo.dport_neq = true;
	pkt(b, 17, A(192, 0, 2, 10), A(192, 0, 2, 130), 40000, 8, 0);
	sel_flow(&f, b, sizeof(b));
	T_OK(sel_match(&echo, &f), "neq 7 matches 8");

	pkt(b, 6, A(192, 0, 77, 1), A(203, 0, 113, 5), 1, 2, 0);
	sel_flow(&f, b, sizeof(b));
	T_OK(sel_match(&odd, &f), "non-contiguous wildcard");
	pkt(b, 6, A(192, 0, 77, 2), A(203, 0, 113, 5), 1, 2, 0);
	sel_flow(&f, b, sizeof(b));
	T_OK(!sel_match(&odd, &f), "non-contiguous wildcard, last octet differs");

	T_EQ(sel_dst_prefix(&net, &n), 25, "prefix of 0.0.0.127");
	T_EQ(n, A(192, 0, 2, 128), "network");
	T_EQ(sel_dst_prefix(&odd, &n), 0, "any");

	sel_format(&net, true, buf, sizeof(buf));
	T_STREQ(buf, "permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127", "format");
	echo.dport_neq = false;
	sel_format(&echo, false, buf, sizeof(buf));
	T_STREQ(buf, "deny udp 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127 eq 7", "format ports");

	T_EQ(sel_flow(&f, b, 10), -1, "runt");
	b[0] = 0x65;
	T_EQ(sel_flow(&f, b, sizeof(b)), -1, "IPv6 version nibble");
	b[0] = 0x4f;
	T_EQ(sel_flow(&f, b, sizeof(b)), -1, "header longer than the packet");
	return t_done();
}
