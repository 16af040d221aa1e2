/* SPDX-License-Identifier: Apache-2.0 */
/* ah_test.c: AH in place (ah.c) for every AH transform: round trips of many sizes and payload
 * protocols (transport, tunnel, ESP inside); the ICV against one computed here from the RFC
 * text with OpenSSL's one-shot HMAC() and MD5 (RFC 4302 §3.3.3.1, RFC 1828 §2); the wire format
 * (RFC 4302 §2, RFC 1826 §3.2); routers changing mutable fields (TTL, TOS, DF, checksum,
 * mutable options) still verify, every flipped bit of an immutable field, AH or the payload
 * fails; ESN; source routes; malformed packets; AH+ESP bundles in tunnel and transport mode;
 * and no packet allocates (invariant 6), counted through OpenSSL's allocator hooks. */
#include <arpa/inet.h>
#include <stdlib.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/ah.h"
#include "common/esp.h"
#include "tests/lib/xform_cases.h"
#include "common/ip4.h"
#include "tests/lib/test.h"

static const struct ah_def {
	enum xform_auth	a;
	uint16_t	klen;
	const char	*name;
	const char	*md;		/* OpenSSL's name of the digest */
} ahs[] = {
	{ XF_AUTH_HMAC_MD5_96, 16, "ah-md5-hmac", "MD5" },
	{ XF_AUTH_HMAC_SHA1_96, 20, "ah-sha-hmac", "SHA1" },
	{ XF_AUTH_HMAC_SHA256_128, 32, "ah-sha256-hmac", "SHA256" },
	{ XF_AUTH_HMAC_SHA384_192, 48, "ah-sha384-hmac", "SHA384" },
	{ XF_AUTH_HMAC_SHA512_256, 64, "ah-sha512-hmac", "SHA512" },
	{ XF_AUTH_KEYED_MD5_RFC1828, 16, "ah-rfc1828/16", "MD5" },
	{ XF_AUTH_KEYED_MD5_RFC1828, 5, "ah-rfc1828/5", "MD5" },	/* any key length */
	{ XF_AUTH_KEYED_MD5_RFC1828, 55, "ah-rfc1828/55", "MD5" },	/* keyfill: 9 bytes */
	{ XF_AUTH_KEYED_MD5_RFC1828, 56, "ah-rfc1828/56", "MD5" },	/* keyfill: 72 bytes */
	{ XF_AUTH_KEYED_MD5_RFC1828, 64, "ah-rfc1828/64", "MD5" },	/* keyfill: a block */
};
enum { N_AH = sizeof(ahs) / sizeof(ahs[0]) };

static const uint8_t	wire_icv[] = { 12, 12, 16, 24, 32, 16, 16, 16, 16, 16 };

/* Record Route (mutable, 2 slots), Router Alert (immutable), End of Option List. */
static const uint8_t opt_rr_ra[16] = {
	7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 148, 4, 0, 0, 0,
};

static struct key
key_of(const struct ah_def *d)
{
	struct key k;

	memset(&k, 0, sizeof(k));
	for (int i = 0; i < 64; i++)
		k.b[i] = (uint8_t)(0x30 + 7 * i);
	k.len = d->klen;
	return k;
}

static int
sa_make(const struct ah_def *d, struct xform *enc, struct xform *dec)
{
	struct key k = key_of(d);
	struct gw_err err;

	if (xform_init(enc, XF_CIPHER_NONE, NULL, d->a, &k, true, &err) != 0 ||
	    xform_init(dec, XF_CIPHER_NONE, NULL, d->a, &k, false, &err) != 0) {
		T_OK(0, "%s: %s", d->name, err.msg);
		return -1;
	}
	return 0;
}

static bool
is_1826(const struct ah_def *d)
{
	return d->a == XF_AUTH_KEYED_MD5_RFC1828;
}

/* An IPv4 packet 198.51.100.1 -> 198.51.100.2 of len bytes into p, with options opt[0..ol)
 * (a multiple of 4), a patterned payload and a good checksum. */
static void
ip_make(struct pkt *p, uint8_t proto, uint32_t len, const uint8_t *opt, uint32_t ol,
    uint8_t tos, uint16_t frag, uint16_t id)
{
	uint8_t *b;

	pkt_reset(p);
	b = p->data;
	memset(b, 0, 20);
	b[0] = (uint8_t)(0x40 | (20 + ol) / 4);
	b[1] = tos;
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[4] = (uint8_t)(id >> 8);
	b[5] = (uint8_t)id;
	b[6] = (uint8_t)(frag >> 8);
	b[7] = (uint8_t)frag;
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, "\xc6\x33\x64\x01\xc6\x33\x64\x02", 8);
	if (ol != 0)
		memcpy(b + 20, opt, ol);
	for (uint32_t i = 20 + ol; i < len; i++)
		b[i] = (uint8_t)(i * 7 + proto);
	p->len = len;
	ip4_csum_set(b);
}

/* *dst = *src, data pointing into dst's own buffer. */
static void
pkt_copy(struct pkt *dst, const struct pkt *src)
{
	*dst = *src;
	dst->data = dst->buf + (src->data - src->buf);
}

static bool
csum_ok(const uint8_t *ip)
{
	return ip4_csum(ip, (size_t)(ip[0] & 15) * 4) == 0;
}

/* RFC 1321 §3.1-3.2 padding of a klen-byte message: what RFC 1828 calls keyfill. */
static size_t
md5_fill(uint8_t *out, size_t klen)
{
	uint64_t bits = (uint64_t)klen * 8;
	size_t n = 0;

	out[n++] = 0x80;
	while ((klen + n) % 64 != 56)
		out[n++] = 0;
	for (int i = 0; i < 8; i++)
		out[n++] = (uint8_t)(bits >> (8 * i));
	return n;
}

/* The ICV as the RFCs define it, with OpenSSL one-shots over a zeroed copy.  opt_mutable[i]
 * marks the option bytes to zero. */
static void
icv_expect(const struct ah_def *d, const uint8_t *pkt, uint32_t len, const bool *opt_zero,
    uint64_t seq, bool esn, uint8_t *icv)
{
	static uint8_t buf[3 * PKT_BUF];
	struct key k = key_of(d);
	uint32_t ihl = (uint32_t)(pkt[0] & 15) * 4, n = 0, hi_be = htonl((uint32_t)(seq >> 32));
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;

	if (is_1826(d)) {
		memcpy(buf, k.b, k.len);
		n = k.len + (uint32_t)md5_fill(buf + k.len, k.len);
	}
	memcpy(buf + n, pkt, len);
	if (!is_1826(d)) {
		buf[n + 1] = 0;
		buf[n + 6] = buf[n + 7] = 0;
	}
	buf[n + 8] = 0;
	buf[n + 10] = buf[n + 11] = 0;
	for (uint32_t i = 20; i < ihl; i++)
		if (opt_zero != NULL && opt_zero[i - 20])
			buf[n + i] = 0;
	memset(buf + n + ihl + (is_1826(d) ? 8 : 12), 0, wire_icv[d - ahs]);
	n += len;
	if (is_1826(d)) {
		memcpy(buf + n, k.b, k.len);
		n += k.len;
		EVP_Digest(buf, n, md, &mdlen, EVP_md5(), NULL);
	} else {
		if (esn) {
			memcpy(buf + n, &hi_be, 4);
			n += 4;
		}
		HMAC(EVP_get_digestbyname(d->md), k.b, k.len, buf, n, md, &mdlen);
	}
	memcpy(icv, md, wire_icv[d - ahs]);
}

/* Encapsulate, check the wire format and the ICV, decapsulate to the same packet. */
static void
test_round_trip(const struct ah_def *d, struct xform *enc, struct xform *dec)
{
	static const uint8_t protos[] = { 17, 6, 1, 50, 4, 47 };
	static struct pkt p, orig;
	static const bool rr_zero[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	const uint32_t spi_be = htonl(0x2000u + (uint32_t)(d - ahs));
	uint32_t over = ah_overhead(enc), fixed = is_1826(d) ? 8 : 12, icv = wire_icv[d - ahs];
	int bad = 0;

	T_EQ(over, fixed + icv, "%s overhead", d->name);
	for (uint32_t len = 20, i = 0; len <= 1500 && bad < 3; len += 1 + len / 5, i++) {
		bool opts = i % 3 == 1 && len >= 36, esn = i % 2 == 1;
		uint64_t seq = esn ? 0x700000000ULL + i : 1 + i;
		uint8_t proto = protos[i % sizeof(protos)], nh = 0, want[XF_ICV_MAX];
		uint32_t ihl = opts ? 36 : 20, hdr_len;
		int failed = t_failed;
		enum drop r;

		ip_make(&orig, proto, len, opt_rr_ra, opts ? 16 : 0, (uint8_t)(i * 4 + 1),
		    i % 2 ? IP4_DF : 0, (uint16_t)(0x100 + i));
		pkt_copy(&p, &orig);
		r = ah_encap(enc, spi_be, seq, esn, &p);
		T_EQ(r, DROP_NONE, "%s encap %u", d->name, len);
		if (r != DROP_NONE) {
			bad++;
			continue;
		}
		T_EQ(p.len, len + over, "%s length %u", d->name, len);
		T_EQ(p.data + ihl + over - p.buf, orig.data + ihl - orig.buf,
		    "%s payload did not move %u", d->name, len);
		T_EQ(p.data[9], IPPROTO_AH_, "%s protocol %u", d->name, len);
		T_EQ(p.data[2] << 8 | p.data[3], len + over, "%s Total Length %u", d->name, len);
		T_OK(csum_ok(p.data), "%s checksum %u", d->name, len);
		T_MEMEQ(p.data + 12, orig.data + 12, ihl - 12, "%s addresses, options %u", d->name,
		    len);
		T_MEMEQ(p.data, orig.data, 2, "%s version, TOS %u", d->name, len);
		T_MEMEQ(p.data + 4, orig.data + 4, 5, "%s id, flags, TTL %u", d->name, len);
		T_EQ(p.data[ihl], proto, "%s Next Header %u", d->name, len);
		T_EQ(p.data[ihl + 1], is_1826(d) ? icv / 4 : over / 4 - 2, "%s length byte %u",
		    d->name, len);
		T_EQ(p.data[ihl + 2] | p.data[ihl + 3], 0, "%s reserved %u", d->name, len);
		T_MEMEQ(p.data + ihl + 4, &spi_be, 4, "%s SPI %u", d->name, len);
		if (!is_1826(d))
			T_EQ((uint32_t)ntohl(*(const uint32_t *)(const void *)(p.data + ihl + 8)),
			    (uint32_t)seq, "%s Seq# %u", d->name, len);
		T_MEMEQ(p.data + ihl + over, orig.data + ihl, len - ihl, "%s payload %u", d->name,
		    len);
		hdr_len = (ihl + fixed) % 4;
		T_EQ(hdr_len, 0, "%s ICV aligned %u", d->name, len);
		icv_expect(d, p.data, p.len, opts ? rr_zero : NULL, seq, esn, want);
		T_MEMEQ(p.data + ihl + fixed, want, icv, "%s ICV per the RFC %u", d->name, len);
		r = ah_decap(dec, seq, esn, &p, &nh);
		T_EQ(r, DROP_NONE, "%s decap %u", d->name, len);
		T_EQ(nh, proto, "%s next header %u", d->name, len);
		T_EQ(p.len, len, "%s decap length %u", d->name, len);
		T_OK(p.len == len && memcmp(p.data, orig.data, len) == 0, "%s same packet %u",
		    d->name, len);
		bad += t_failed != failed;
	}
}

/* Routers change TTL, TOS (DSCP, ECN), set DF and fix the checksum, rewrite mutable options:
 * RFC 4302 AH still verifies; RFC 1826 AH covers TOS and flags, so those break it. */
static void
test_mutable(const struct ah_def *d, struct xform *enc, struct xform *dec)
{
	static const struct {
		const char	*what;
		uint32_t	at;
		uint8_t		val;
		bool		ok4302, ok1826;
	} edits[] = {
		{ "TTL", 8, 17, true, true },		{ "checksum", 10, 0xab, true, true },
		{ "TOS", 1, 0xb9, true, false },	{ "ECN CE", 1, 0x03, true, false },
		{ "DF", 6, 0x40, true, false },
		{ "reserved flag", 6, 0x80, true, false },
		{ "RR pointer", 22, 8, true, true },	{ "RR address", 24, 198, true, true },
		{ "RA value", 34, 1, false, false },	{ "id", 5, 0x99, false, false },
	};
	static struct pkt p, enc_pkt;
	uint8_t nh;

	ip_make(&p, 17, 200, opt_rr_ra, 16, 0, 0, 0x4242);
	T_EQ(ah_encap(enc, htonl(0x77), 5, false, &p), DROP_NONE, "%s encap", d->name);
	pkt_copy(&enc_pkt, &p);
	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		bool ok = is_1826(d) ? edits[i].ok1826 : edits[i].ok4302;
		enum drop r;

		pkt_copy(&p, &enc_pkt);
		p.data[edits[i].at] = edits[i].val;
		if (edits[i].at != 10)
			ip4_csum_set(p.data);		/* the router fixes it */
		r = ah_decap(dec, 5, false, &p, &nh);
		T_EQ(r, ok ? DROP_NONE : DROP_ICV, "%s: %s changed in transit", d->name,
		    edits[i].what);
	}
}

/* What flipping bit m of byte b of the AH packet of test_bit_flips must give: header (options
 * RR at 20..30, RA at 31..34, EOL at 35), AH at 36, payload.  *any: some drop, which one
 * depends on how the framing now reads; *skip: the length and type bytes of the zeroed Record
 * Route, whose flips may leave the zeroed bytes alike (the RFCs zero a mutable option whole). */
static enum drop
flip_want(uint32_t b, uint8_t m, bool rfc1826, bool *any, bool *skip)
{
	*any = *skip = false;
	if (b == 20 || b == 21) {
		*skip = true;
		return DROP_NONE;
	}
	if (b == 0 || b == 2 || b == 3 || b == 9 || b == 31 || b == 32 || b == 35) {
		*any = true;
		return DROP_NONE;
	}
	if ((b == 6 && m < 0x40) || b == 7)
		return DROP_BAD_IP;			/* MF or offset: a fragment */
	if (b == 8 || b == 10 || b == 11 || (b >= 22 && b <= 30))
		return DROP_NONE;			/* TTL, checksum, Record Route */
	if (b == 1 || b == 6)				/* TOS, DF, reserved flag */
		return rfc1826 ? DROP_ICV : DROP_NONE;
	return DROP_ICV;
}

/* Every bit of the packet flipped once: immutable header fields, AH and the payload fail;
 * mutable fields do not matter (RFC 4302; RFC 1826 only TTL and checksum); fragment bits make a
 * fragment (dropped). */
static void
test_bit_flips(const struct ah_def *d, struct xform *enc, struct xform *dec)
{
	static struct pkt p, enc_pkt;
	uint32_t n_ok = 0, n_bad = 0;

	ip_make(&p, 6, 36 + 40, opt_rr_ra, 16, 0, 0, 0x1234);
	T_EQ(ah_encap(enc, htonl(0x99), 0x100000007ULL, true, &p), DROP_NONE, "%s encap",
	    d->name);
	pkt_copy(&enc_pkt, &p);
	for (uint32_t byte = 0; byte < enc_pkt.len; byte++)
		for (int bit = 0; bit < 8; bit++) {
			uint8_t nh, m = (uint8_t)(1u << bit);
			bool any, skip;
			enum drop r, want = flip_want(byte, m, is_1826(d), &any, &skip);

			if (skip)
				continue;
			pkt_copy(&p, &enc_pkt);
			p.data[byte] ^= m;
			r = ah_decap(dec, 0x100000007ULL, true, &p, &nh);
			if (any ? r != DROP_NONE : r == want)
				n_ok++;
			else if (n_bad++ < 5)
				T_OK(0, "%s: bit %d of byte %u: %s, want %s", d->name, bit, byte,
				    drop_name[r], any ? "a drop" : drop_name[want]);
		}
	T_EQ(n_bad, 0, "%s: %u bit flips as expected", d->name, n_ok);
}

/* RFC 4302 §2.5.1: the high half of an ESN is in the ICV, never on the wire. */
static void
test_esn(const struct ah_def *d, struct xform *enc, struct xform *dec)
{
	static struct pkt p, enc_pkt;
	uint8_t nh;

	ip_make(&p, 17, 100, NULL, 0, 0, 0, 9);
	T_EQ(ah_encap(enc, htonl(0x55), 0x300000009ULL, true, &p), DROP_NONE, "%s", d->name);
	pkt_copy(&enc_pkt, &p);
	T_EQ(ah_decap(dec, 0x400000009ULL, true, &p, &nh), is_1826(d) ? DROP_NONE : DROP_ICV,
	    "%s: other high half", d->name);
	pkt_copy(&p, &enc_pkt);
	T_EQ(ah_decap(dec, 0x300000009ULL, true, &p, &nh), DROP_NONE, "%s: its high half",
	    d->name);
	ip_make(&p, 17, 100, NULL, 0, 0, 0, 9);
	T_EQ(ah_encap(enc, htonl(0x55), 0x300000009ULL, false, &p), DROP_NONE, "%s", d->name);
	T_EQ(ah_decap(dec, 0x9, false, &p, &nh), DROP_NONE, "%s: no ESN, high half ignored",
	    d->name);
}

/* A loose source route: the sender's header names the first hop, the ICV the final
 * destination (§3.3.3.1.1.1); at the receiver the header names it and the route has been
 * rewritten on the way. */
static void
test_source_route(const struct ah_def *d, struct xform *enc, struct xform *dec)
{
	static const uint8_t lsrr[8] = {		/* via 198.51.100.9 to 198.51.100.2 */
		131, 7, 4, 198, 51, 100, 2, 0,
	};
	static struct pkt p;
	uint8_t nh;

	ip_make(&p, 17, 80, lsrr, 8, 0, 0, 0x33);
	memcpy(p.data + 16, "\xc6\x33\x64\x09", 4);	/* first hop */
	ip4_csum_set(p.data);
	T_EQ(ah_encap(enc, htonl(0x66), 3, false, &p), DROP_NONE, "%s LSRR encap", d->name);
	memcpy(p.data + 16, "\xc6\x33\x64\x02", 4);	/* as the last hop leaves it */
	memcpy(p.data + 23, "\xc6\x33\x64\x09", 4);	/* recorded: the hop's address */
	p.data[22] = 8;
	ip4_csum_set(p.data);
	T_EQ(ah_decap(dec, 3, false, &p, &nh), DROP_NONE, "%s LSRR at the destination",
	    d->name);
}

/* An option neither RFC lists: RFC 4302 zeroes it (App. A), RFC 1826 covers it. */
static void
test_unknown_option(const struct ah_def *d, struct xform *enc, struct xform *dec)
{
	static const uint8_t opt[4] = { 0x9e, 4, 0x11, 0x22 };
	static struct pkt p;
	uint8_t nh;

	ip_make(&p, 17, 80, opt, 4, 0, 0, 0x34);
	T_EQ(ah_encap(enc, htonl(0x67), 4, false, &p), DROP_NONE, "%s encap", d->name);
	p.data[22] ^= 0xff;
	T_EQ(ah_decap(dec, 4, false, &p, &nh), is_1826(d) ? DROP_ICV : DROP_NONE,
	    "%s: unknown option changed", d->name);
}

/* Malformed packets and wrong transforms, each with its drop. */
static void
test_malformed(const struct ah_def *d, struct xform *enc, struct xform *dec)
{
	static const uint8_t bad_len0[4] = { 7, 0, 0, 0 }, bad_past[4] = { 7, 9, 4, 0 };
	static struct pkt p, q;
	uint32_t spi, seq;
	uint8_t nh;

	ip_make(&p, 17, 60, bad_len0, 4, 0, 0, 1);
	T_EQ(ah_encap(enc, 1, 1, false, &p), DROP_BAD_IP, "%s option length 0", d->name);
	ip_make(&p, 17, 60, bad_past, 4, 0, 0, 1);
	T_EQ(ah_encap(enc, 1, 1, false, &p), DROP_BAD_IP, "%s option past the header", d->name);
	ip_make(&p, 17, 60, NULL, 0, 0, IP4_MF, 1);
	T_EQ(ah_encap(enc, 1, 1, false, &p), DROP_BAD_IP, "%s fragment (MF)", d->name);
	ip_make(&p, 17, 60, NULL, 0, 0, 10, 1);
	T_EQ(ah_encap(enc, 1, 1, false, &p), DROP_BAD_IP, "%s fragment (offset)", d->name);
	ip_make(&p, 17, 60, NULL, 0, 0, 0, 1);
	memset(p.data + 12, 0, 4);
	T_EQ(ah_encap(enc, 1, 1, false, &p), DROP_BAD_IP, "%s source 0", d->name);
	ip_make(&p, 17, 60, NULL, 0, 0, 0, 1);
	p.len = 59;
	T_EQ(ah_encap(enc, 1, 1, false, &p), DROP_RUNT, "%s Total Length past the data",
	    d->name);
	ip_make(&p, 17, 60, NULL, 0, 0, 0, 1);
	p.data[0] = 0x65;
	T_EQ(ah_encap(enc, 1, 1, false, &p), DROP_BAD_IP, "%s version 6", d->name);
	ip_make(&p, 17, 60, NULL, 0, 0, 0, 1);
	memmove(p.buf + 4, p.data, p.len);
	p.data = p.buf + 4;
	T_EQ(ah_encap(enc, 1, 1, false, &p), DROP_TOO_BIG, "%s no headroom", d->name);
	ip_make(&p, 17, 60, NULL, 0, 0, 0, 1);
	T_EQ(ah_encap(dec, 1, 1, false, &p), DROP_PROTO, "%s inbound xform", d->name);
	T_EQ(ah_decap(enc, 1, false, &p, &nh), DROP_PROTO, "%s outbound xform", d->name);
	T_EQ(ah_decap(dec, 1, false, &p, &nh), DROP_PROTO, "%s not AH", d->name);
	T_EQ(ah_peek(&p, &spi, &seq), DROP_PROTO, "%s peek: not AH", d->name);

	/* Identification: 0 without DF would be filled in by the kernel after the ICV */
	ip_make(&p, 17, 60, NULL, 0, 0, 0, 0);
	T_EQ(ah_encap(enc, 1, 0x10005, false, &p), DROP_NONE, "%s id 0", d->name);
	T_OK(p.data[4] != 0 || p.data[5] != 0, "%s id 0 without DF gets one", d->name);
	pkt_copy(&q, &p);
	T_EQ(ah_decap(dec, 0x10005, false, &q, &nh), DROP_NONE, "%s id given", d->name);
	ip_make(&p, 17, 60, NULL, 0, 0, IP4_DF, 0);
	T_EQ(ah_encap(enc, 1, 1, false, &p), DROP_NONE, "%s id 0 DF", d->name);
	T_EQ(p.data[4] | p.data[5], 0, "%s id 0 with DF stays 0", d->name);

	/* link padding after Total Length is trimmed, a short packet is a runt */
	ip_make(&p, 17, 60, NULL, 0, 0, 0, 1);
	T_EQ(ah_encap(enc, htonl(0xabc), 7, false, &p), DROP_NONE, "%s encap", d->name);
	T_EQ(ah_peek(&p, &spi, &seq), DROP_NONE, "%s peek", d->name);
	T_EQ(spi, htonl(0xabc), "%s peek SPI", d->name);
	if (!is_1826(d))
		T_EQ(seq, 7, "%s peek Seq#", d->name);
	pkt_copy(&q, &p);
	memset(q.data + q.len, 0xee, 6);
	q.len += 6;
	T_EQ(ah_decap(dec, 7, false, &q, &nh), DROP_NONE, "%s link padding", d->name);
	T_EQ(q.len, 60, "%s link padding trimmed", d->name);
	pkt_copy(&q, &p);
	q.len = 20 + ah_overhead(dec) - 1;
	q.data[2] = 0;
	q.data[3] = (uint8_t)q.len;
	T_EQ(ah_decap(dec, 7, false, &q, &nh), DROP_RUNT, "%s shorter than AH", d->name);
	q.len = 28;
	q.data[3] = 28;
	T_EQ(ah_peek(&q, &spi, &seq), DROP_NONE, "%s peek: SPI only", d->name);
	q.len = 27;
	q.data[3] = 27;
	T_EQ(ah_peek(&q, &spi, &seq), DROP_RUNT, "%s peek: no SPI", d->name);
}

/* AH outside, ESP inside (RFC 4301 §4.5): tunnel mode (ESP, outer header with protocol 50,
 * AH) and transport mode (ESP transport, AH), and back. */
static void
test_bundle(const struct ah_def *d, struct xform *enc, struct xform *dec)
{
	static struct pkt p, orig;
	struct xform eenc, edec;
	struct key ck, ak;
	struct gw_err err;
	uint8_t nh = 0, tos;
	bool df;

	memset(&ck, 0x5a, sizeof(ck));
	memset(&ak, 0xa5, sizeof(ak));
	ck.len = 16;
	ak.len = 20;
	if (xform_init(&eenc, XF_CIPHER_AES_CBC, &ck, XF_AUTH_HMAC_SHA1_96, &ak, true, &err) ||
	    xform_init(&edec, XF_CIPHER_AES_CBC, &ck, XF_AUTH_HMAC_SHA1_96, &ak, false, &err)) {
		T_OK(0, "%s", err.msg);
		return;
	}
	ip_make(&orig, 1, 300, NULL, 0, 0x28, IP4_DF, 77);
	memcpy(orig.data + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x81", 8);	/* hostA -> hostB */
	ip4_csum_set(orig.data);
	pkt_copy(&p, &orig);
	ip4_inner_tos(p.data, p.len, &tos, &df);
	T_EQ(esp_encap(&eenc, htonl(0x300), 11, false, IPPROTO_IPIP_, &p), DROP_NONE, "esp");
	T_EQ(ip4_push(&p, inet_addr("198.51.100.1"), inet_addr("198.51.100.2"), IPPROTO_ESP_,
	    tos, df, htons(5)), DROP_NONE, "outer");
	T_EQ(p.data[1], 0x28, "outer DSCP copied, ECN not");
	T_EQ(p.data[6], 0x40, "outer DF copied");
	T_EQ(ah_encap(enc, htonl(0x301), 11, false, &p), DROP_NONE, "%s bundle encap", d->name);
	T_EQ(p.data[9], IPPROTO_AH_, "%s outer protocol AH", d->name);
	T_EQ(p.data[20], IPPROTO_ESP_, "%s AH Next Header ESP", d->name);
	T_EQ(ah_decap(dec, 11, false, &p, &nh), DROP_NONE, "%s bundle AH", d->name);
	T_EQ(nh, IPPROTO_ESP_, "%s bundle: ESP inside", d->name);
	p.data += 20;					/* the tunnel's outer header */
	p.len -= 20;
	T_EQ(esp_decap(&edec, 11, false, &p, &nh), DROP_NONE, "%s bundle ESP", d->name);
	T_OK(nh == 4 && p.len == orig.len && memcmp(p.data, orig.data, p.len) == 0,
	    "%s bundle: the inner packet", d->name);

	ip_make(&orig, 6, 500, opt_rr_ra, 16, 0, 0, 78);
	pkt_copy(&p, &orig);
	T_EQ(esp_transport_encap(&eenc, htonl(0x300), 12, false, &p), DROP_NONE, "esp transp");
	T_EQ(ah_encap(enc, htonl(0x301), 12, false, &p), DROP_NONE, "%s transport", d->name);
	T_EQ(ah_decap(dec, 12, false, &p, &nh), DROP_NONE, "%s transport AH", d->name);
	T_EQ(esp_transport_decap(&edec, 12, false, &p), DROP_NONE, "%s transport ESP", d->name);
	T_OK(p.len == orig.len && memcmp(p.data, orig.data, p.len) == 0,
	    "%s transport bundle: the packet", d->name);
	xform_free(&eenc);
	xform_free(&edec);
}

/* invariant 6: the loop of encap and decap allocates nothing. */
static void
test_no_alloc(const struct ah_def *d, struct xform *enc, struct xform *dec)
{
	static struct pkt p;
	long before = n_alloc;
	uint8_t nh;

	for (int i = 0; i < 200; i++) {
		ip_make(&p, 17, 64 + (uint32_t)i * 7, NULL, 0, 0, 0, (uint16_t)i + 1);
		(void)ah_encap(enc, htonl(1), (uint64_t)i + 1, i % 2, &p);
		(void)ah_decap(dec, (uint64_t)i + 1, i % 2, &p, &nh);
	}
	T_EQ(n_alloc - before, 0, "%s: allocations in 200 round trips", d->name);
}

int
main(void)
{
	struct xform enc, dec;

	T_OK(CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free) == 1,
	    "allocator hooks");
	for (size_t i = 0; i < N_AH; i++) {
		const struct ah_def *d = &ahs[i];

		if (sa_make(d, &enc, &dec) != 0)
			continue;
		test_round_trip(d, &enc, &dec);
		test_mutable(d, &enc, &dec);
		test_bit_flips(d, &enc, &dec);
		test_esn(d, &enc, &dec);
		test_source_route(d, &enc, &dec);
		test_unknown_option(d, &enc, &dec);
		test_malformed(d, &enc, &dec);
		test_bundle(d, &enc, &dec);
		test_no_alloc(d, &enc, &dec);
		xform_free(&enc);
		xform_free(&dec);
	}
	return t_done();
}
