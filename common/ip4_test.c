/* SPDX-License-Identifier: Apache-2.0 */
/* ip4_test.c: IPv4 header helpers (ip4.c): the RFC 1071 checksum against known values, header
 * checks and their drops, link padding trimmed, fragments recognised, and the outer header of a
 * tunnel (RFC 4301 §5.1.2.1: DSCP and DF copied, ECN not, RFC 6040 compatibility mode). */
#include <arpa/inet.h>

#include "common/ip4.h"
#include "tests/lib/test.h"

static void
test_csum(void)
{
	/* a textbook header: 192.168.0.1 -> 192.168.0.199, UDP, checksum 0xb861 */
	uint8_t h[20] = { 0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11, 0, 0,
	    0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7 };
	static const uint8_t rfc[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	ip4_csum_set(h);
	T_EQ(h[10] << 8 | h[11], 0xb861, "header checksum");
	T_EQ(ip4_csum(h, 20), 0, "a good header sums to 0");
	/* RFC 1071 §3: 0001 f203 f4f5 f6f7 sums to 0x2ddf0 -> 0xddf2, checksum 0x220d */
	T_EQ(ntohs(ip4_csum(rfc, sizeof(rfc))), 0x220d, "RFC 1071 §3 example");
	/* odd length: the last byte is padded with a zero, 0001 f203 f4f5 f600 -> 0x2304 */
	T_EQ(ntohs(ip4_csum(rfc, 7)), 0x2304, "odd length");
}

static void
hdr(struct pkt *p, uint8_t vihl, uint16_t tot, uint32_t len, uint16_t frag)
{
	pkt_reset(p);
	memset(p->data, 0, len);
	p->data[0] = vihl;
	p->data[2] = (uint8_t)(tot >> 8);
	p->data[3] = (uint8_t)tot;
	p->data[6] = (uint8_t)(frag >> 8);
	p->data[7] = (uint8_t)frag;
	p->len = len;
}

static void
test_check(void)
{
	static const struct {
		const char	*what;
		uint8_t		vihl;
		uint16_t	tot;
		uint32_t	len;
		enum drop	d;
		uint32_t	ihl, after;
	} cases[] = {
		{ "plain", 0x45, 40, 40, DROP_NONE, 20, 40 },
		{ "options", 0x4f, 60, 60, DROP_NONE, 60, 60 },
		{ "link padding", 0x45, 46, 60, DROP_NONE, 20, 46 },
		{ "19 bytes", 0x45, 19, 19, DROP_RUNT, 0, 19 },
		{ "IPv6", 0x65, 40, 40, DROP_BAD_IP, 0, 40 },
		{ "IHL 4", 0x44, 40, 40, DROP_BAD_IP, 0, 40 },
		{ "IHL past the data", 0x4f, 40, 40, DROP_RUNT, 0, 40 },
		{ "Total Length below IHL", 0x46, 20, 40, DROP_RUNT, 0, 40 },
		{ "Total Length past the data", 0x45, 41, 40, DROP_RUNT, 0, 40 },
	};
	static struct pkt p;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t ihl = 0, tot = 0;

		hdr(&p, cases[i].vihl, cases[i].tot, cases[i].len, 0);
		T_EQ(ip4_parse(p.data, p.len, &ihl, &tot), cases[i].d, "parse: %s", cases[i].what);
		ihl = 0;
		T_EQ(ip4_check(&p, &ihl), cases[i].d, "check: %s", cases[i].what);
		T_EQ(ihl, cases[i].ihl, "IHL: %s", cases[i].what);
		T_EQ(p.len, cases[i].after, "length after: %s", cases[i].what);
	}
	hdr(&p, 0x45, 20, 20, IP4_DF);
	T_OK(!ip4_is_fragment(p.data), "DF alone: whole");
	hdr(&p, 0x45, 20, 20, IP4_MF);
	T_OK(ip4_is_fragment(p.data), "MF: fragment");
	hdr(&p, 0x45, 20, 20, IP4_DF | 185);
	T_OK(ip4_is_fragment(p.data), "offset: fragment");
}

static void
test_push(void)
{
	static struct pkt p;
	static const uint8_t want[20] = { 0x45, 0xb8, 0, 120, 0x12, 0x34, 0x40, 0, 64, 50, 0, 0,
	    198, 51, 100, 1, 198, 51, 100, 2 };
	uint8_t tos;
	bool df;

	hdr(&p, 0x45, 100, 100, IP4_DF);
	p.data[1] = 0xbb;				/* EF and ECN CE */
	ip4_inner_tos(p.data, p.len, &tos, &df);
	T_EQ(tos, 0xbb, "inner TOS");
	T_OK(df, "inner DF");
	T_EQ(ip4_push(&p, inet_addr("198.51.100.1"), inet_addr("198.51.100.2"), IPPROTO_ESP_,
	    tos, df, htons(0x1234)), DROP_NONE, "push");
	T_EQ(p.len, 120, "length");
	T_MEMEQ(p.data, want, 10, "version .. protocol; DSCP copied, ECN Not-ECT");
	T_MEMEQ(p.data + 12, want + 12, 8, "addresses");
	T_EQ(ip4_csum(p.data, 20), 0, "checksum");
	ip4_inner_tos((const uint8_t *)"\x60", 1, &tos, &df);
	T_OK(tos == 0 && !df, "not IPv4: TOS 0, no DF");
	hdr(&p, 0x45, 100, 100, 0);
	p.data = p.buf + 19;
	T_EQ(ip4_push(&p, 1, 2, 4, 0, false, 0), DROP_TOO_BIG, "no headroom");
	T_EQ(p.len, 100, "no headroom: untouched");
}

int
main(void)
{
	test_csum();
	test_check();
	test_push();
	return t_done();
}
