/* SPDX-License-Identifier: Apache-2.0 */
/* udpencap_test.c: what arrives on UDP 4500 (RFC 3948 §2.1-2.3): ESP (SPI never 0), IKE behind
 * the non-ESP marker, the one-byte NAT-keepalive, and everything else refused; and the UDP
 * header udpencap_push puts in front of an ESP packet (§2.1: length, checksum 0). */
#include <arpa/inet.h>

#include "common/udpencap.h"
#include "tests/lib/test.h"

/* The start of an IKEv2 IKE_SA_INIT (RFC 7296 §3.1): SPIi, SPIr 0, next payload SA, version
 * 2.0, exchange 34, flags I, message ID 0, length. */
#define IKE_HDR	"\x5f\x3a\x11\x02\x9c\x00\x41\x7e" "\0\0\0\0\0\0\0\0" "\x21\x20\x22\x08" \
		"\0\0\0\0" "\0\0\x01\x20"

static const struct {
	const char		*what;
	const char		*b;
	size_t			len;
	enum udpencap_kind	kind;
} cases[] = {
	{ "empty", "", 0, UDPENCAP_BAD },
	{ "NAT-keepalive (§2.3)", "\xff", 1, UDPENCAP_NAT_KEEPALIVE },
	{ "one byte, not 0xFF", "\x00", 1, UDPENCAP_BAD },
	{ "one byte 0xFE", "\xfe", 1, UDPENCAP_BAD },
	{ "0xFF and more", "\xff\xff", 2, UDPENCAP_BAD },
	{ "three bytes", "\x01\x02\x03", 3, UDPENCAP_BAD },
	{ "marker alone (§2.2)", "\0\0\0\0", 4, UDPENCAP_BAD },
	{ "ESP: SPI and Seq# only", "\x00\x00\x10\x01\x00\x00\x00\x01", 8, UDPENCAP_ESP },
	{ "ESP: seven bytes", "\x00\x00\x10\x01\x00\x00\x00", 7, UDPENCAP_BAD },
	{ "ESP: SPI 1 (reserved, an SA lookup fails)", "\0\0\0\x01\0\0\0\x05", 8, UDPENCAP_ESP },
	{ "ESP: SPI 0x80000000", "\x80\0\0\0\0\0\0\x05\x99", 9, UDPENCAP_ESP },
	{ "marker + a short IKE header", "\0\0\0\0" IKE_HDR, 4 + 27, UDPENCAP_BAD },
	{ "marker + IKE header (§2.2)", "\0\0\0\0" IKE_HDR, 4 + 28, UDPENCAP_IKE },
	{ "marker + IKE message", "\0\0\0\0" IKE_HDR "\x22\0\0\x30", 4 + 32, UDPENCAP_IKE },
	{ "IKE without the marker (port 500 style)", IKE_HDR, 28, UDPENCAP_ESP },
};

static void
test_push(void)
{
	static struct pkt p;
	static const uint8_t esp[12] = { 0, 0, 0x12, 0x34, 0, 0, 0, 1, 0xaa, 0xbb, 0xcc, 0xdd };
	static const uint8_t want[8] = { 0x11, 0x94, 0x11, 0x94, 0, 20, 0, 0 };

	pkt_reset(&p);
	memcpy(p.data, esp, sizeof(esp));
	p.len = sizeof(esp);
	T_EQ(udpencap_push(&p, htons(UDP_ENCAP_PORT), htons(UDP_ENCAP_PORT)), DROP_NONE, "push");
	T_EQ(p.len, 20, "length");
	T_MEMEQ(p.data, want, 8, "4500 -> 4500, length 20, checksum 0");
	T_MEMEQ(p.data + 8, esp, sizeof(esp), "ESP behind it");
	T_EQ(udpencap_classify(p.data + 8, p.len - 8), UDPENCAP_ESP, "classified back");

	pkt_reset(&p);
	p.data = p.buf + 7;
	p.len = 12;
	T_EQ(udpencap_push(&p, 1, 1), DROP_TOO_BIG, "no headroom");
	T_OK(p.data == p.buf + 7 && p.len == 12, "no headroom: untouched");
	pkt_reset(&p);
	p.len = 0xffff - 7;
	T_EQ(udpencap_push(&p, 1, 1), DROP_TOO_BIG, "length past 65535");
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t b[64];

		memcpy(b, cases[i].b, cases[i].len);
		T_EQ(udpencap_classify(b, cases[i].len), cases[i].kind, "%s", cases[i].what);
	}
	test_push();
	return t_done();
}
