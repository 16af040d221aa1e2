/* SPDX-License-Identifier: Apache-2.0 */
/* pmtu_test.c: the room ESP and AH leave in a path MTU (checked against what esp_encap and
 * ah_encap really make, for every MTU from 60 to 1500), the verdict for a too-big packet, the
 * ICMP "fragmentation needed" it turns into (RFC 792, RFC 1191 §4, RFC 1812 §4.3.2.3) and when
 * none may be sent (RFC 1122 §3.2.2), and IPv4 fragmentation (RFC 791): sizes, offsets, MF,
 * copied options, reassembly to the original. */
#include <arpa/inet.h>

#include "common/ah.h"
#include "common/esp.h"
#include "common/ip4.h"
#include "common/pmtu.h"
#include "tests/lib/test.h"

static const struct {
	enum xform_cipher	c;
	uint16_t		clen;
	unsigned		iv_size;
	enum xform_auth		a;
	uint16_t		alen;
} esps[] = {
	{ XF_CIPHER_AES_CBC, 16, 0, XF_AUTH_HMAC_SHA1_96, 20 },
	{ XF_CIPHER_AES_GCM, 20, 0, XF_AUTH_NONE, 0 },
	{ XF_CIPHER_CHACHA20_POLY1305, 36, 0, XF_AUTH_NONE, 0 },
	{ XF_CIPHER_NULL, 0, 0, XF_AUTH_HMAC_SHA256_128, 32 },
	{ XF_CIPHER_3DES, 24, 0, XF_AUTH_HMAC_MD5_96, 16 },
	{ XF_CIPHER_DES_RFC1829, 8, 4, XF_AUTH_NONE, 0 },
};

static void
pkt_copy(struct pkt *dst, const struct pkt *src)
{
	*dst = *src;
	dst->data = dst->buf + (src->data - src->buf);
}

static void
ip_make(struct pkt *p, uint8_t proto, uint32_t len, const uint8_t *opt, uint32_t ol,
    uint16_t frag, uint32_t src_be, uint32_t dst_be)
{
	uint8_t *b;

	pkt_reset(p);
	b = p->data;
	memset(b, 0, 20);
	b[0] = (uint8_t)(0x40 | (20 + ol) / 4);
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[4] = 0x77;
	b[5] = 0x01;
	b[6] = (uint8_t)(frag >> 8);
	b[7] = (uint8_t)frag;
	b[8] = 63;
	b[9] = proto;
	memcpy(b + 12, &src_be, 4);
	memcpy(b + 16, &dst_be, 4);
	if (ol != 0)
		memcpy(b + 20, opt, ol);
	for (uint32_t i = 20 + ol; i < len; i++)
		b[i] = (uint8_t)(i * 11 + 3);
	p->len = len;
	ip4_csum_set(b);
}

/* Bytes on the wire for an inner packet of len bytes: ESP (tunnel), outer header, AH. */
static uint32_t
wire_len(struct xform *esp, struct xform *ah, uint32_t len, uint32_t extra)
{
	static struct pkt p;

	ip_make(&p, 17, len < 20 ? 20 : len, NULL, 0, 0, inet_addr("192.0.2.1"),
	    inet_addr("192.0.2.129"));
	p.len = len;
	if (esp != NULL && esp_encap(esp, htonl(1), 1, false, 4, &p) != DROP_NONE)
		return 0;
	if (ah != NULL) {
		if (ip4_push(&p, inet_addr("198.51.100.1"), inet_addr("198.51.100.2"),
		    esp != NULL ? IPPROTO_ESP_ : IPPROTO_IPIP_, 0, false, htons(1)) != DROP_NONE ||
		    ah_encap(ah, htonl(2), 1, false, &p) != DROP_NONE)
			return 0;
		return p.len + extra - 20;
	}
	return p.len + extra;
}

static void
test_room(void)
{
	struct xform esp, ah;
	struct key ck, ak, hk;
	struct gw_err err;

	memset(&ck, 7, sizeof(ck));
	memset(&ak, 9, sizeof(ak));
	memset(&hk, 5, sizeof(hk));
	hk.len = 20;
	T_OK(xform_init(&ah, XF_CIPHER_NONE, NULL, XF_AUTH_HMAC_SHA1_96, &hk, true, &err) == 0,
	    "ah");
	for (size_t i = 0; i < sizeof(esps) / sizeof(esps[0]); i++) {
		const char *name = xform_cipher_name(esps[i].c);
		int bad = 0;

		ck.len = esps[i].clen;
		ak.len = esps[i].alen;
		if (xform_init(&esp, esps[i].c, &ck, esps[i].a, &ak, true, &err) != 0) {
			T_OK(0, "%s", err.msg);
			continue;
		}
		if (esps[i].iv_size != 0)
			xform_set_rfc1829_iv(&esp, esps[i].iv_size, NULL);
		for (uint32_t mtu = 60; mtu <= 1500 && bad < 3; mtu++) {
			uint32_t extra = mtu % 2 ? 28 : 20;	/* tunnel, tunnel + NAT-T */
			uint32_t r = pmtu_room(&esp, NULL, mtu, extra);
			uint32_t rb = pmtu_room(&esp, &ah, mtu, 20);
			int failed = t_failed;

			T_OK(r == 0 ? wire_len(&esp, NULL, 0, extra) > mtu :
			    wire_len(&esp, NULL, r, extra) <= mtu, "%s mtu %u: %u fits", name, mtu,
			    r);
			T_OK(wire_len(&esp, NULL, r + 1, extra) > mtu, "%s mtu %u: %u does not",
			    name, mtu, r + 1);
			T_OK(rb == 0 || wire_len(&esp, &ah, rb, 20) <= mtu,
			    "%s + AH mtu %u: %u fits", name, mtu, rb);
			T_OK(wire_len(&esp, &ah, rb + 1, 20) > mtu, "%s + AH mtu %u: %u does not",
			    name, mtu, rb + 1);
			bad += t_failed != failed;
		}
		xform_free(&esp);
	}
	T_EQ(pmtu_room(NULL, &ah, 1500, 20), 1500 - 20 - 24, "AH tunnel, SHA1-96");
	T_EQ(pmtu_room(NULL, &ah, 44, 20), 0, "AH: nothing fits");
	T_EQ(pmtu_room(NULL, NULL, 1500, 8), 1492, "nothing but extra");
	xform_free(&ah);
}

static void
test_verdict(void)
{
	static struct pkt p;

	ip_make(&p, 17, 1400, NULL, 0, IP4_DF, 1, 2);
	T_EQ(pmtu_check(p.data, p.len, 1400), PMTU_FITS, "fits");
	T_EQ(pmtu_check(p.data, p.len, 1399), PMTU_ICMP, "DF: ICMP");
	ip_make(&p, 17, 1400, NULL, 0, 0, 1, 2);
	T_EQ(pmtu_check(p.data, p.len, 1399), PMTU_FRAGMENT, "no DF: fragment");
}

static void
test_icmp(void)
{
	static struct pkt p, orig;
	const uint32_t a = inet_addr("192.0.2.1"), b = inet_addr("192.0.2.129");
	const uint32_t gw = inet_addr("192.0.2.126");
	static const struct {
		const char	*what;
		uint8_t		proto, icmp_type;
		uint16_t	frag;
		const char	*src, *dst;
		bool		sent;
	} cases[] = {
		{ "UDP", 17, 0, IP4_DF, "192.0.2.1", "192.0.2.129", true },
		{ "ICMP echo request", 1, 8, IP4_DF, "192.0.2.1", "192.0.2.129", true },
		{ "ICMP unreachable", 1, 3, IP4_DF, "192.0.2.1", "192.0.2.129", false },
		{ "ICMP time exceeded", 1, 11, IP4_DF, "192.0.2.1", "192.0.2.129", false },
		{ "first fragment", 17, 0, IP4_DF | IP4_MF, "192.0.2.1", "192.0.2.129", true },
		{ "later fragment", 17, 0, IP4_DF | 100, "192.0.2.1", "192.0.2.129", false },
		{ "from 0.0.0.0", 17, 0, IP4_DF, "0.0.0.0", "192.0.2.129", false },
		{ "from loopback", 17, 0, IP4_DF, "127.0.0.1", "192.0.2.129", false },
		{ "from multicast", 17, 0, IP4_DF, "224.0.0.5", "192.0.2.129", false },
		{ "from broadcast", 17, 0, IP4_DF, "255.255.255.255", "192.0.2.129", false },
		{ "to multicast", 17, 0, IP4_DF, "192.0.2.1", "239.1.2.3", false },
		{ "to broadcast", 17, 0, IP4_DF, "192.0.2.1", "255.255.255.255", false },
	};

	ip_make(&orig, 17, 1400, NULL, 0, IP4_DF, a, b);
	pkt_copy(&p, &orig);
	T_EQ(pmtu_icmp_frag_needed(&p, 1358, gw), 0, "ICMP made");
	T_EQ(p.len, PMTU_ICMP_MAX, "576 bytes at most");
	T_EQ(p.data[0], 0x45, "IPv4, 20 bytes");
	T_EQ(p.data[2] << 8 | p.data[3], PMTU_ICMP_MAX, "Total Length");
	T_EQ(p.data[9], 1, "protocol ICMP");
	T_EQ(p.data[8], 64, "TTL");
	T_OK(p.data[6] == 0 && p.data[7] == 0, "not a fragment");
	T_MEMEQ(p.data + 12, &gw, 4, "from the gateway");
	T_MEMEQ(p.data + 16, &a, 4, "to the source");
	T_EQ(ip4_csum(p.data, 20), 0, "IP checksum");
	T_EQ(p.data[20], 3, "type 3, destination unreachable");
	T_EQ(p.data[21], 4, "code 4, fragmentation needed and DF set");
	T_EQ(p.data[24] | p.data[25], 0, "unused");
	T_EQ(p.data[26] << 8 | p.data[27], 1358, "Next-Hop MTU (RFC 1191 §4)");
	T_EQ(ip4_csum(p.data + 20, p.len - 20), 0, "ICMP checksum");
	T_MEMEQ(p.data + 28, orig.data, p.len - 28, "the original header and payload");

	ip_make(&orig, 17, 100, NULL, 0, IP4_DF, a, b);
	pkt_copy(&p, &orig);
	T_EQ(pmtu_icmp_frag_needed(&p, 90, gw), 0, "small packet");
	T_EQ(p.len, 128, "small packet: all of it quoted");
	T_EQ(ip4_csum(p.data + 20, p.len - 20), 0, "small packet: ICMP checksum");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ip_make(&orig, cases[i].proto, 600, NULL, 0, cases[i].frag,
		    inet_addr(cases[i].src), inet_addr(cases[i].dst));
		if (cases[i].proto == 1) {
			orig.data[20] = cases[i].icmp_type;
			ip4_csum_set(orig.data);
		}
		pkt_copy(&p, &orig);
		T_EQ(pmtu_icmp_frag_needed(&p, 500, gw), cases[i].sent ? 0 : -1, "%s",
		    cases[i].what);
		if (!cases[i].sent)
			T_OK(p.data == orig.data - orig.buf + p.buf && p.len == orig.len &&
			    memcmp(p.data, orig.data, p.len) == 0, "%s: untouched", cases[i].what);
	}
	ip_make(&orig, 17, 600, NULL, 0, IP4_DF, a, b);
	pkt_copy(&p, &orig);
	memmove(p.buf + 27, p.data, p.len);
	p.data = p.buf + 27;
	T_EQ(pmtu_icmp_frag_needed(&p, 500, gw), -1, "27 bytes of headroom");
	p.len = 19;
	T_EQ(pmtu_icmp_frag_needed(&p, 500, gw), -1, "not IPv4");
}

/* Check fragments out[0..n) of orig: sizes, headers, offsets, and the payload they add up to. */
static void
frags_check(const struct pkt *orig, struct pkt *const out[], int n, uint32_t mtu,
    uint32_t hl2, const char *what)
{
	static uint8_t whole[PKT_MAX];
	uint32_t ihl = (uint32_t)(orig->data[0] & 15) * 4, got = 0;

	for (int i = 0; i < n; i++) {
		const uint8_t *f = out[i]->data;
		uint32_t hl = (uint32_t)(f[0] & 15) * 4, len = out[i]->len;
		uint16_t frag = (uint16_t)(f[6] << 8 | f[7]);

		T_OK(len <= mtu, "%s: fragment %d of %u bytes", what, i, len);
		T_EQ(f[2] << 8 | f[3], len, "%s: fragment %d Total Length", what, i);
		T_EQ(ip4_csum(f, hl), 0, "%s: fragment %d checksum", what, i);
		T_MEMEQ(f + 4, orig->data + 4, 2, "%s: fragment %d id", what, i);
		T_MEMEQ(f + 8, orig->data + 8, 2, "%s: fragment %d TTL, protocol", what, i);
		T_MEMEQ(f + 12, orig->data + 12, 8, "%s: fragment %d addresses", what, i);
		T_EQ(hl, i == 0 ? ihl : hl2, "%s: fragment %d header", what, i);
		T_EQ((frag & IP4_OFF_MASK) * 8u, got, "%s: fragment %d offset", what, i);
		T_EQ((frag & IP4_MF) != 0, i < n - 1, "%s: fragment %d MF", what, i);
		if (i < n - 1)
			T_EQ((len - hl) % 8, 0, "%s: fragment %d: 8-byte units", what, i);
		memcpy(whole + got, f + hl, len - hl);
		got += len - hl;
	}
	T_EQ(got, orig->len - ihl, "%s: all the payload", what);
	T_MEMEQ(whole, orig->data + ihl, got, "%s: reassembled", what);
}

static void
test_fragment(void)
{
	/* Router Alert (copied: type 148 has the copy bit), Record Route (not), EOL */
	static const uint8_t opt[16] = { 148, 4, 0, 0, 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	static struct pkt orig, f[8];
	struct pkt *const out[8] = { &f[0], &f[1], &f[2], &f[3], &f[4], &f[5], &f[6], &f[7] };
	int n;

	ip_make(&orig, 51, 1400, opt, 16, 0, inet_addr("198.51.100.1"),
	    inet_addr("198.51.100.2"));
	n = pmtu_fragment(&orig, 576, out, 8);
	T_EQ(n, 3, "1400 bytes in 576");
	frags_check(&orig, out, n, 576, 24, "options");
	T_MEMEQ(f[0].data + 20, opt, 16, "first fragment: all options");
	T_MEMEQ(f[1].data + 20, "\x94\x04\x00\x00", 4, "later fragments: Router Alert only");
	T_EQ(pmtu_fragment(&orig, 576, out, 2), -1, "3 fragments needed, room for 2");
	T_EQ(pmtu_fragment(&orig, 36 + 7, out, 8), -1, "mtu below header + 8");

	ip_make(&orig, 50, 1500, NULL, 0, 0, inet_addr("198.51.100.1"),
	    inet_addr("198.51.100.2"));
	for (uint32_t mtu = 68; mtu <= 1500; mtu += 97) {
		char what[32];

		snprintf(what, sizeof(what), "mtu %u", mtu);
		n = pmtu_fragment(&orig, mtu, out, 8);
		if (n < 0) {
			T_OK(mtu < 1500 / 8 + 20, "%s: too many", what);
			continue;
		}
		frags_check(&orig, out, n, mtu, 20, what);
	}
	n = pmtu_fragment(&orig, 1500, out, 8);
	T_EQ(n, 1, "fits: one");
	T_OK(f[0].len == 1500 && memcmp(f[0].data, orig.data, 1500) == 0, "fits: a copy");

	ip_make(&orig, 50, 1500, NULL, 0, IP4_DF, inet_addr("198.51.100.1"),
	    inet_addr("198.51.100.2"));
	T_EQ(pmtu_fragment(&orig, 1000, out, 8), -1, "DF");
	n = pmtu_fragment(&orig, 1500, out, 8);
	T_OK(n == 1 && f[0].data[6] == 0x40, "fits with DF: DF kept");

	ip_make(&orig, 50, 1000, NULL, 0, IP4_MF | 100, inet_addr("198.51.100.1"),
	    inet_addr("198.51.100.2"));			/* a fragment at 800, more follow */
	n = pmtu_fragment(&orig, 600, out, 8);
	T_EQ(n, 2, "a fragment cut again");
	T_EQ((f[0].data[6] << 8 | f[0].data[7]), IP4_MF | 100, "first piece: offset 800, MF");
	T_EQ((f[1].data[6] << 8 | f[1].data[7]), IP4_MF | (100 + 72),
	    "second piece: offset 800 + 576, MF kept");
}

int
main(void)
{
	test_room();
	test_verdict();
	test_icmp();
	test_fragment();
	return t_done();
}
