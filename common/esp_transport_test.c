/* SPDX-License-Identifier: Apache-2.0 */
/* esp_transport_test.c: ESP transport mode (esp_transport_encap / esp_transport_decap, RFC 4303
 * §3.1.1) for every cipher and auth combination: the IP header stays (options too) with
 * protocol 50, Total Length and checksum fixed, ESP starts right after it with Next Header =
 * the original protocol, and decapsulation gives back the original packet byte for byte;
 * fragments, runts, wrong protocols and forgeries are dropped with their reason; esp_peek. */
#include <arpa/inet.h>

#include "common/esp.h"
#include "common/ip4.h"
#include "tests/lib/test.h"

static const struct {
	enum xform_cipher	c;
	uint16_t		clen;
	unsigned		iv_size;
} ciphers[] = {
	{ XF_CIPHER_NULL, 0, 0 },		{ XF_CIPHER_DES, 8, 0 },
	{ XF_CIPHER_3DES, 24, 0 },		{ XF_CIPHER_AES_CBC, 16, 0 },
	{ XF_CIPHER_AES_CBC, 32, 0 },		{ XF_CIPHER_AES_GCM, 20, 0 },
	{ XF_CIPHER_AES_GCM, 36, 0 },		{ XF_CIPHER_AES_GMAC, 20, 0 },
	{ XF_CIPHER_CHACHA20_POLY1305, 36, 0 },	{ XF_CIPHER_DES_RFC1829, 8, 4 },
	{ XF_CIPHER_DES_RFC1829, 8, 8 },
};

static const struct {
	enum xform_auth	a;
	uint16_t	alen;
} auths[] = {
	{ XF_AUTH_NONE, 0 },			{ XF_AUTH_HMAC_MD5_96, 16 },
	{ XF_AUTH_HMAC_SHA1_96, 20 },		{ XF_AUTH_HMAC_SHA256_128, 32 },
	{ XF_AUTH_HMAC_SHA384_192, 48 },	{ XF_AUTH_HMAC_SHA512_256, 64 },
};

static const uint8_t opts[8] = { 148, 4, 0, 0, 1, 1, 1, 0 };	/* Router Alert, NOPs, EOL */

static void
pkt_copy(struct pkt *dst, const struct pkt *src)
{
	*dst = *src;
	dst->data = dst->buf + (src->data - src->buf);
}

/* 198.51.100.1 -> 198.51.100.2 (the peers themselves: transport mode), len bytes. */
static void
ip_make(struct pkt *p, uint8_t proto, uint32_t len, bool with_opts, uint16_t frag)
{
	uint8_t *b;
	uint32_t ihl = with_opts ? 28 : 20;

	pkt_reset(p);
	b = p->data;
	memset(b, 0, ihl);
	b[0] = (uint8_t)(0x40 | ihl / 4);
	b[1] = 0x2a;
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[4] = 0x12;
	b[5] = (uint8_t)len;
	b[6] = (uint8_t)(frag >> 8);
	b[7] = (uint8_t)frag;
	b[8] = 61;
	b[9] = proto;
	memcpy(b + 12, "\xc6\x33\x64\x01\xc6\x33\x64\x02", 8);
	if (with_opts)
		memcpy(b + 20, opts, sizeof(opts));
	for (uint32_t i = ihl; i < len; i++)
		b[i] = (uint8_t)(i * 13 + proto);
	p->len = len;
	ip4_csum_set(b);
}

static void
test_combo(struct xform *enc, struct xform *dec, const char *name)
{
	static struct pkt p, orig, sent;
	static const uint8_t protos[] = { 6, 17, 1, 47, 4 };
	bool integrity = enc->aead || enc->mac.alg != XF_AUTH_NONE;
	int bad = 0;

	for (uint32_t len = 20, i = 0; len <= 1480 && bad < 3; len += 1 + len / 7, i++) {
		bool o = i % 2 == 1 && len >= 28, esn = i % 3 == 2 && enc->hdr_len == 8;
		uint32_t ihl = o ? 28 : 20, spi, seq_lo;
		uint8_t proto = protos[i % sizeof(protos)];
		uint64_t seq = esn ? 0x200000000ULL + i : i + 1;
		int failed = t_failed;
		enum drop r;

		ip_make(&orig, proto, len, o, i % 2 ? IP4_DF : 0);
		pkt_copy(&p, &orig);
		r = esp_transport_encap(enc, htonl(0x4000 + i), seq, esn, &p);
		T_EQ(r, DROP_NONE, "%s encap %u", name, len);
		if (r != DROP_NONE) {
			bad++;
			continue;
		}
		T_EQ(p.len, len + esp_overhead(enc, len - ihl), "%s length %u", name, len);
		T_EQ(p.data[9], IPPROTO_ESP_, "%s protocol %u", name, len);
		T_EQ(p.data[2] << 8 | p.data[3], p.len, "%s Total Length %u", name, len);
		T_EQ(ip4_csum(p.data, ihl), 0, "%s checksum %u", name, len);
		T_MEMEQ(p.data, orig.data, 2, "%s version, TOS %u", name, len);
		T_MEMEQ(p.data + 4, orig.data + 4, 5, "%s id, flags, TTL %u", name, len);
		T_MEMEQ(p.data + 12, orig.data + 12, ihl - 12, "%s addresses, options %u", name,
		    len);
		T_EQ(ntohl(*(const uint32_t *)(const void *)(p.data + ihl)), 0x4000 + i,
		    "%s SPI after the header %u", name, len);
		T_EQ(esp_peek(&p, &spi, &seq_lo), DROP_NONE, "%s peek %u", name, len);
		T_EQ(spi, htonl(0x4000 + i), "%s peek SPI %u", name, len);
		if (enc->hdr_len == 8)
			T_EQ(seq_lo, (uint32_t)seq, "%s peek Seq# %u", name, len);
		pkt_copy(&sent, &p);
		p.data[8] -= 3;				/* a router on the way */
		ip4_csum_set(p.data);
		r = esp_transport_decap(dec, seq, esn, &p);
		T_EQ(r, DROP_NONE, "%s decap %u", name, len);
		p.data[8] += 3;
		ip4_csum_set(p.data);
		T_OK(p.len == len && memcmp(p.data, orig.data, len) == 0, "%s same packet %u",
		    name, len);
		if (integrity && len > 100) {		/* a forgery in the payload */
			pkt_copy(&p, &sent);
			p.data[ihl + 20] ^= 1;
			T_EQ(esp_transport_decap(dec, seq, esn, &p), DROP_ICV, "%s forged %u",
			    name, len);
			T_OK(p.data[9] == IPPROTO_ESP_ && p.len == sent.len,
			    "%s forged: untouched %u", name, len);
		}
		bad += t_failed != failed;
	}
}

static void
test_drops(struct xform *enc, struct xform *dec)
{
	static struct pkt p, q;
	uint32_t spi, seq;

	ip_make(&p, 17, 100, false, IP4_MF);
	T_EQ(esp_transport_encap(enc, 1, 1, false, &p), DROP_BAD_IP, "fragment (MF)");
	ip_make(&p, 17, 100, false, 1);
	T_EQ(esp_transport_encap(enc, 1, 1, false, &p), DROP_BAD_IP, "fragment (offset)");
	ip_make(&p, 17, 100, false, 0);
	p.len = 99;
	T_EQ(esp_transport_encap(enc, 1, 1, false, &p), DROP_RUNT, "Total Length past the data");
	ip_make(&p, 17, 100, false, 0);
	p.data[0] = 0x44;
	T_EQ(esp_transport_encap(enc, 1, 1, false, &p), DROP_BAD_IP, "IHL 4");
	ip_make(&p, 17, 100, false, 0);
	memmove(p.buf + 8, p.data, p.len);
	p.data = p.buf + 8;
	pkt_copy(&q, &p);
	T_EQ(esp_transport_encap(enc, 1, 1, false, &p), DROP_TOO_BIG, "no headroom");
	T_OK(p.data == p.buf + 8 && p.len == 100 && memcmp(p.data, q.data, 100) == 0,
	    "no headroom: untouched");
	ip_make(&p, 17, 100, false, 0);
	T_EQ(esp_transport_decap(dec, 1, false, &p), DROP_PROTO, "decap: not ESP");
	T_EQ(esp_peek(&p, &spi, &seq), DROP_PROTO, "peek: not ESP");
	ip_make(&p, 17, 100, false, 0);
	T_EQ(esp_transport_encap(enc, htonl(9), 1, false, &p), DROP_NONE, "encap");
	p.data[7] = 1;
	T_EQ(esp_transport_decap(dec, 1, false, &p), DROP_BAD_IP, "decap: fragment");
	ip_make(&p, 17, 100, false, 0);
	T_EQ(esp_transport_encap(enc, htonl(9), 1, false, &p), DROP_NONE, "encap");
	p.len = 20 + 8 + 16 + 16;	/* header, ESP header, IV, a block: no room for the ICV */
	p.data[2] = 0;
	p.data[3] = (uint8_t)p.len;
	T_EQ(esp_transport_decap(dec, 1, false, &p), DROP_RUNT, "decap: runt");
	p.len = 23;
	p.data[3] = 23;
	T_EQ(esp_peek(&p, &spi, &seq), DROP_RUNT, "peek: runt");
}

int
main(void)
{
	struct xform enc, dec;
	struct key ck, ak;
	struct gw_err err;
	int n = 0;

	memset(&ck, 0, sizeof(ck));
	memset(&ak, 0, sizeof(ak));
	for (int i = 0; i < 64; i++) {
		ck.b[i] = (uint8_t)(0x21 + 5 * i);
		ak.b[i] = (uint8_t)(0x71 + 3 * i);
	}
	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++)
		for (size_t a = 0; a < sizeof(auths) / sizeof(auths[0]); a++) {
			char name[64];

			ck.len = ciphers[c].clen;
			ak.len = auths[a].alen;
			if (xform_init(&enc, ciphers[c].c, &ck, auths[a].a, &ak, true, &err) != 0)
				continue;		/* not a combination ESP has */
			T_OK(xform_init(&dec, ciphers[c].c, &ck, auths[a].a, &ak, false,
			    &err) == 0, "%s", err.msg);
			if (ciphers[c].iv_size != 0) {
				xform_set_rfc1829_iv(&enc, ciphers[c].iv_size, NULL);
				xform_set_rfc1829_iv(&dec, ciphers[c].iv_size, NULL);
			}
			snprintf(name, sizeof(name), "%s/%u/%u %s",
			    xform_cipher_name(ciphers[c].c), ciphers[c].clen, ciphers[c].iv_size,
			    xform_auth_name(auths[a].a));
			test_combo(&enc, &dec, name);
			if (ciphers[c].c == XF_CIPHER_AES_CBC &&
			    auths[a].a == XF_AUTH_HMAC_SHA1_96)
				test_drops(&enc, &dec);
			xform_free(&enc);
			xform_free(&dec);
			n++;
		}
	T_EQ(n, 36, "combinations");
	return t_done();
}
