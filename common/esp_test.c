/* SPDX-License-Identifier: Apache-2.0 */
/* esp_test.c: ESP in place (esp.c) for every cipher and auth combination: round trips of every
 * size from 0 to 1500, a flipped bit anywhere is DROP_ICV, a short packet DROP_RUNT, a bad
 * trailer DROP_PAD; RFC 3602 §4 ESP packets (cases 5-8) decapsulate; packets sealed in a batch
 * (AES-CBC on AES-NI, aesni.h) open; and no packet allocates (invariant 6), counted through
 * OpenSSL's allocator hooks. */
#include <arpa/inet.h>
#include <stdlib.h>

#include <openssl/crypto.h>

#include "common/esp.h"
#include "tests/lib/xform_cases.h"
#include "tests/lib/test.h"

struct combo {
	enum xform_cipher	c;
	uint16_t		clen;
	unsigned		iv_size;	/* esp-rfc1829 */
	enum xform_auth		a;
	char			name[64];
};

static struct combo	combos[128];
static size_t		n_combos;

static void
combos_make(void)
{
	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++)
		for (size_t a = 0; a < sizeof(auths) / sizeof(auths[0]); a++) {
			struct combo *k = &combos[n_combos];
			bool aead = ciphers[c].c == XF_CIPHER_AES_GCM ||
			    ciphers[c].c == XF_CIPHER_AES_GMAC ||
			    ciphers[c].c == XF_CIPHER_CHACHA20_POLY1305;

			if ((aead || ciphers[c].c == XF_CIPHER_DES_RFC1829) &&
			    auths[a].a != XF_AUTH_NONE)
				continue;
			k->c = ciphers[c].c;
			k->clen = ciphers[c].clen;
			k->iv_size = ciphers[c].iv_size;
			k->a = auths[a].a;
			snprintf(k->name, sizeof(k->name), "%s/%u%s%s %s",
			    xform_cipher_name(k->c), k->clen, k->iv_size ? "/iv" : "",
			    k->iv_size == 4 ? "4" : k->iv_size == 8 ? "8" : "",
			    xform_auth_name(k->a));
			n_combos++;
		}
}

/* Both directions of one SA, keyed alike. */
static int
sa_make(const struct combo *k, struct xform *enc, struct xform *dec)
{
	struct key ck, ak;
	struct gw_err err;

	memset(&ck, 0, sizeof(ck));
	memset(&ak, 0, sizeof(ak));
	for (int i = 0; i < 64; i++) {
		ck.b[i] = (uint8_t)(0x40 + i);
		ak.b[i] = (uint8_t)(0x90 + i);
	}
	ck.len = k->clen;
	for (size_t a = 0; a < sizeof(auths) / sizeof(auths[0]); a++)
		if (auths[a].a == k->a)
			ak.len = auths[a].alen;
	if (xform_init(enc, k->c, &ck, k->a, &ak, true, &err) != 0 ||
	    xform_init(dec, k->c, &ck, k->a, &ak, false, &err) != 0) {
		T_OK(0, "%s: %s", k->name, err.msg);
		return -1;
	}
	if (k->iv_size != 0 && (xform_set_rfc1829_iv(enc, k->iv_size, &err) != 0 ||
	    xform_set_rfc1829_iv(dec, k->iv_size, &err) != 0)) {
		T_OK(0, "%s: %s", k->name, err.msg);
		return -1;
	}
	return 0;
}

static bool
integrity(const struct xform *xf)
{
	return xf->aead || xf->mac.alg != XF_AUTH_NONE;
}

static void
payload_fill(struct pkt *p, uint32_t len, uint32_t salt)
{
	pkt_reset(p);
	for (uint32_t i = 0; i < len; i++)
		p->data[i] = (uint8_t)(i * 31 + salt);
	p->len = len;
}

static bool
payload_ok(const struct pkt *p, uint32_t len, uint32_t salt)
{
	if (p->len != len)
		return false;
	for (uint32_t i = 0; i < len; i++)
		if (p->data[i] != (uint8_t)(i * 31 + salt))
			return false;
	return true;
}

/* Encapsulate, look at the wire format, decapsulate: every size 0..1500, ESN on odd sizes. */
static void
test_round_trip(const struct combo *k, struct xform *enc, struct xform *dec)
{
	static struct pkt p;
	const uint32_t spi_be = htonl(0x1000 + (uint32_t)k->c);
	int bad = 0;

	for (uint32_t len = 0; len <= 1500 && bad < 3; len++) {
		bool esn = len % 2 == 1;
		uint64_t seq = esn ? 0x500000000ULL + len : 1 + len;
		uint32_t over = esp_overhead(enc, len), ct_len, seq_be;
		uint8_t nh = 0;
		enum drop d;
		int failed = t_failed;

		payload_fill(&p, len, len);
		d = esp_encap(enc, spi_be, seq, esn, len % 3 == 0 ? 4 : 41, &p);
		T_EQ(d, DROP_NONE, "%s encap %u", k->name, len);
		T_EQ(p.len, len + over, "%s overhead %u", k->name, len);
		T_OK(memcmp(p.data, &spi_be, 4) == 0, "%s SPI %u", k->name, len);
		if (enc->hdr_len == 8) {
			seq_be = htonl((uint32_t)seq);
			T_OK(memcmp(p.data + 4, &seq_be, 4) == 0, "%s Seq# %u", k->name, len);
		}
		ct_len = p.len - enc->hdr_len - enc->iv_len - enc->icv_len;
		T_EQ(ct_len % enc->block_len, 0, "%s block %u", k->name, len);
		T_EQ((enc->hdr_len + enc->iv_len + ct_len) % 4, 0, "%s ICV aligned %u", k->name,
		    len);
		if (enc->aead)				/* IV = the 64-bit sequence number */
			T_EQ((uint64_t)p.data[8] << 56 | (uint64_t)p.data[12] << 24 | p.data[15],
			    (seq & 0xff000000000000ffULL) | (seq & 0xff000000ULL),
			    "%s IV %u", k->name, len);
		d = esp_decap(dec, seq, esn, &p, &nh);
		T_EQ(d, DROP_NONE, "%s decap %u", k->name, len);
		T_OK(payload_ok(&p, len, len), "%s payload %u", k->name, len);
		T_EQ(nh, len % 3 == 0 ? 4 : 41, "%s next header %u", k->name, len);
		bad += t_failed != failed;
	}
}

/* With NULL encryption the trailer is readable: 1, 2, 3 ..., pad length, next header. */
/* Batched sealing (esp_encap_begin, then esp_encap_finish for the whole batch, as datad's
 * out_flush does): 41 packets of sizes 0..1480, ESN on odd ones, all open as the peer's; an
 * SA that cannot batch seals at once and leaves nothing to finish. */
static void
test_batched(const struct combo *k, struct xform *enc, struct xform *dec)
{
	static struct pkt p[41];
	struct esp_job jobs[41];
	unsigned n = 0, bad = 0;
	uint8_t nh;

	for (uint32_t i = 0; i < 41; i++) {
		payload_fill(&p[i], i * 37, i);
		if (esp_encap_begin(enc, htonl(0x1234), 100 + i, i & 1, 4, &p[i], &jobs[n]) !=
		    DROP_NONE) {
			bad++;
			continue;
		}
		bad += p[i].len != i * 37 + esp_overhead(enc, i * 37);
		n += jobs[n].xf != NULL;
	}
	T_EQ(n, enc->cbc_mb ? 41u : 0u, "%s: jobs left to finish", k->name);
	esp_encap_finish(jobs, n);
	for (uint32_t i = 0; i < 41; i++)
		if (esp_decap(dec, 100 + i, i & 1, &p[i], &nh) != DROP_NONE || nh != 4 ||
		    !payload_ok(&p[i], i * 37, i))
			bad++;
	T_EQ(bad, 0u, "%s: 41 packets sealed in a batch open", k->name);
}

static void
test_padding_bytes(void)
{
	static struct pkt p;
	struct xform enc, dec;
	struct combo k = { XF_CIPHER_NULL, 0, 0, XF_AUTH_NONE, "esp-null" };

	if (sa_make(&k, &enc, &dec) != 0)
		return;
	for (uint32_t len = 0; len < 8; len++) {
		uint32_t pad = (4 - (len + 2) % 4) % 4;
		uint8_t *t;

		payload_fill(&p, len, 0);
		T_EQ(esp_encap(&enc, htonl(1), 1, false, 4, &p), DROP_NONE, "null %u", len);
		t = p.data + 8 + len;
		for (uint32_t i = 0; i < pad; i++)
			T_EQ(t[i], i + 1, "null %u pad byte %u", len, i);
		T_EQ(t[pad], pad, "null %u pad length", len);
		T_EQ(t[pad + 1], 4, "null %u next header", len);
		T_EQ(p.len, 8 + len + pad + 2, "null %u length", len);
	}
	xform_free(&enc);
	xform_free(&dec);
}

/* Any flipped bit is DROP_ICV where there is integrity; so is the wrong ESN high half. */
static void
test_bit_flips(const struct combo *k, struct xform *enc, struct xform *dec)
{
	static const uint32_t sizes[] = { 0, 1, 17, 100, 1400 };
	static struct pkt p, orig;
	uint8_t nh;

	if (!integrity(dec))
		return;
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		uint32_t step = sizes[s] > 200 ? 13 : 1, n_bad = 0;
		uint64_t seq = 0x700000000ULL + s;

		payload_fill(&orig, sizes[s], 7);
		if (esp_encap(enc, htonl(0x4242), seq, true, 4, &orig) != DROP_NONE) {
			T_OK(0, "%s encap %u", k->name, sizes[s]);
			continue;
		}
		for (uint32_t bit = 0; bit < orig.len * 8; bit += step) {
			enum drop d;

			p = orig;
			p.data = p.buf + (orig.data - orig.buf);
			p.data[bit / 8] ^= (uint8_t)(1 << (bit % 8));
			d = esp_decap(dec, seq, true, &p, &nh);
			n_bad += d != DROP_ICV;
			if (d != DROP_ICV)
				T_EQ(d, DROP_ICV, "%s size %u bit %u", k->name, sizes[s], bit);
		}
		T_EQ(n_bad, 0, "%s size %u: all flips caught", k->name, sizes[s]);
		p = orig;
		p.data = p.buf + (orig.data - orig.buf);
		T_EQ(esp_decap(dec, seq + (1ULL << 32), true, &p, &nh), DROP_ICV,
		    "%s wrong ESN high half", k->name);
		p = orig;
		p.data = p.buf + (orig.data - orig.buf);
		T_EQ(esp_decap(dec, seq, false, &p, &nh), DROP_ICV, "%s ESN packet, no ESN",
		    k->name);
		p = orig;
		p.data = p.buf + (orig.data - orig.buf);
		T_EQ(esp_decap(dec, seq, true, &p, &nh), DROP_NONE, "%s untouched", k->name);
	}
}

/* Shorter than SPI, Seq#, IV, one block (or 4 bytes) and ICV: DROP_RUNT; a cut above that
 * breaks the ICV or, without integrity, the block or trailer. */
static void
test_truncation(const struct combo *k, struct xform *enc, struct xform *dec)
{
	static struct pkt p, orig;
	uint32_t min = dec->hdr_len + dec->iv_len + dec->block_len + dec->icv_len;
	uint8_t nh;

	payload_fill(&orig, 40, 3);
	if (esp_encap(enc, htonl(0x77), 9, false, 4, &orig) != DROP_NONE) {
		T_OK(0, "%s encap", k->name);
		return;
	}
	for (uint32_t len = 0; len < orig.len; len++) {
		enum drop d, want;

		p = orig;
		p.data = p.buf + (orig.data - orig.buf);
		p.len = len;
		d = esp_decap(dec, 9, false, &p, &nh);
		if (len < min)
			want = DROP_RUNT;
		else if (integrity(dec))
			want = DROP_ICV;
		else
			want = d == DROP_NONE ? DROP_PAD : d;	/* anything but success */
		T_EQ(d, want, "%s cut to %u of %u", k->name, len, orig.len);
	}
}

/* Trailers that are wrong after a good ICV (or with none): DROP_PAD.  CBC without integrity is
 * malleable, which lets the test set any plaintext byte of the last block through the one
 * before it; with HMAC the ICV is recomputed over the changed packet. */
static void
test_bad_padding(void)
{
	static struct pkt p;
	static const struct combo ks[] = {
		{ XF_CIPHER_NULL, 0, 0, XF_AUTH_NONE, "esp-null" },
		{ XF_CIPHER_NULL, 0, 0, XF_AUTH_HMAC_SHA1_96, "esp-null sha-hmac" },
		{ XF_CIPHER_AES_CBC, 16, 0, XF_AUTH_NONE, "esp-aes" },
		{ XF_CIPHER_3DES, 24, 0, XF_AUTH_NONE, "esp-3des" },
		{ XF_CIPHER_DES_RFC1829, 8, 8, XF_AUTH_NONE, "esp-rfc1829" },
	};
	uint8_t nh, md[XF_MD_MAX];

	for (size_t i = 0; i < sizeof(ks) / sizeof(ks[0]); i++) {
		struct xform enc, dec;
		uint32_t len = ks[i].c == XF_CIPHER_NULL ? 4 : 20;	/* pad of 2 or 10 */

		if (sa_make(&ks[i], &enc, &dec) != 0)
			continue;
		/* 0: a pad byte that is not its index; 1: a pad length past the start; 2: a pad
		 * length one short, so the padding reads 2, 3, ... */
		for (int c = 0; c < 3; c++) {
			uint32_t ct_len, pad;
			uint8_t *ct, *prev, delta;
			size_t off;

			payload_fill(&p, len, 1);
			T_EQ(esp_encap(&enc, htonl(5), 5, false, 4, &p), DROP_NONE, "%s", ks[i].name);
			ct_len = p.len - enc.hdr_len - enc.iv_len - enc.icv_len;
			ct = p.data + enc.hdr_len + enc.iv_len;
			pad = (enc.block_len - (len + 2) % enc.block_len) % enc.block_len;
			off = c == 0 ? ct_len - 2 - pad : ct_len - 2;	/* first pad byte / pad len */
			delta = (uint8_t)(c == 0 ? 0x40 : c == 1 ? 0xc0 : pad ^ (pad - 1));
			if (ks[i].c == XF_CIPHER_NULL) {
				ct[off] ^= delta;
			} else {	/* the block before the last is the IV or ciphertext */
				prev = off < enc.block_len ? p.data + enc.hdr_len :
				    ct + (off / enc.block_len - 1) * enc.block_len;
				prev[off % enc.block_len] ^= delta;
			}
			if (enc.mac.alg != XF_AUTH_NONE) {
				xform_mac_begin(&enc.mac);
				xform_mac_update(&enc.mac, p.data, p.len - enc.icv_len);
				xform_mac_end(&enc.mac, md);
				memcpy(p.data + p.len - enc.icv_len, md, enc.icv_len);
			}
			/* RFC 1829 padding is arbitrary: only a length past the start is wrong */
			T_EQ(esp_decap(&dec, 5, false, &p, &nh),
			    c != 1 && ks[i].c == XF_CIPHER_DES_RFC1829 ? DROP_NONE : DROP_PAD,
			    "%s case %d", ks[i].name, c);
		}
		/* not a whole number of blocks (or 4-byte words) */
		payload_fill(&p, len, 1);
		T_EQ(esp_encap(&enc, htonl(5), 5, false, 4, &p), DROP_NONE, "%s", ks[i].name);
		if (enc.mac.alg == XF_AUTH_NONE) {
			p.len -= 1;
			T_EQ(esp_decap(&dec, 5, false, &p, &nh), DROP_PAD, "%s misaligned",
			    ks[i].name);
		}
		xform_free(&enc);
		xform_free(&dec);
	}
}

/* RFC 3602 §4 cases 5-8: ESP packets with AES-128-CBC and no authenticator. */
static const struct {
	int		n;
	const char	*key;
	uint64_t	seq;
	uint8_t		nh;
	const char	*esp, *payload;
} rfc3602[] = {
	{ 5, "90d382b410eeba7ad938c46cec1a82bf", 1, 1,
	    "0000432100000001e96e8c08ab465763fd098d45dd3ff893f663c25d325c18c6"
	    "a9453e194e120849a4870b66cc6b9965330013b4898dc856a4699e523a55db08"
	    "0b59ec3a8e4b7e52775b07d1db34ed9c538ab50c551b874aa269add047ad2d59"
	    "13ac19b7cfbad4a6",
	    "08000ebda70a00008e9c083db95b070008090a0b0c0d0e0f1011121314151617"
	    "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637" },
	{ 6, "90d382b410eeba7ad938c46cec1a82bf", 8, 1,
	    "000043210000000869d08df7d203329db093fc4924e5bd80f51995881ec4e0c4"
	    "488987ce742e8109689bb379d2d750c0d915dca346a89f75",
	    "0800b5e8a80a0500a69c083d0b660e00777777777777777777777777" },
	{ 7, "0123456789abcdef0123456789abcdef", 2, 4,
	    "0000876500000002f4e765244f6407adf13dc1380f673f37773b5241a4c44922"
	    "5e4f3ce5ed611b0c237ca96cf74a93013c1b0ea1a0cf70f8e4ecaec78ac53aad"
	    "7a0f022b859243c647752e94a859352b8a4d4d2decd136e5c177f132ad3fbfb2"
	    "201ac9904c74ee0a109e0ca1e4dfe9d5a100b842f1c22f0d",
	    "45000054090400004001f988c0a87b03c0a87bc808009f76a90a0100b49c083d"
	    "02a2040008090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
	    "2425262728292a2b2c2d2e2f3031323334353637" },
	{ 8, "0123456789abcdef0123456789abcdef", 5, 4,
	    "000087650000000585d47224b5f3dd5d2101d4ea8dffab2215b92683819596a8"
	    "047232cc00f7048fe45318e11f8a0f62ede3c3fc61203bb50f980a08c9843fd3"
	    "a1b06d5c07ff9639b7eb7dfb3512e5de435e7207ed971ef3d2726d9b5ef6affc"
	    "6d17a0decbb13892",
	    "45000044090c00004001f990c0a87b03c0a87bc80800d63caa0a0200c69c083d"
	    "a3de0300ffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
	    "ffffffff" },
};

static void
test_rfc3602(void)
{
	static struct pkt p;
	uint8_t want[256], nh = 0;

	for (size_t i = 0; i < sizeof(rfc3602) / sizeof(rfc3602[0]); i++) {
		struct xform dec;
		struct key k;
		size_t wn = t_unhex(rfc3602[i].payload, want, sizeof(want));

		memset(&k, 0, sizeof(k));
		k.len = (uint16_t)t_unhex(rfc3602[i].key, k.b, sizeof(k.b));
		pkt_reset(&p);
		p.len = (uint32_t)t_unhex(rfc3602[i].esp, p.data, pkt_tailroom(&p));
		T_EQ(xform_init(&dec, XF_CIPHER_AES_CBC, &k, XF_AUTH_NONE, NULL, false, NULL), 0,
		    "rfc3602 %d", rfc3602[i].n);
		T_EQ(esp_decap(&dec, rfc3602[i].seq, false, &p, &nh), DROP_NONE, "rfc3602 case %d",
		    rfc3602[i].n);
		T_EQ(p.len, wn, "rfc3602 case %d length", rfc3602[i].n);
		T_MEMEQ(p.data, want, wn, "rfc3602 case %d payload", rfc3602[i].n);
		T_EQ(nh, rfc3602[i].nh, "rfc3602 case %d next header", rfc3602[i].n);
		xform_free(&dec);
	}
}

/* Head- and tailroom, direction, and AH-only transforms. */
static void
test_limits(void)
{
	static struct pkt p;
	struct xform enc, dec, ah, ah_in;
	struct combo k = { XF_CIPHER_AES_CBC, 32, 0, XF_AUTH_HMAC_SHA512_256, "aes sha512" };
	struct combo kah = { XF_CIPHER_NONE, 0, 0, XF_AUTH_HMAC_SHA1_96, "ah" };
	uint8_t nh;

	if (sa_make(&k, &enc, &dec) != 0 || sa_make(&kah, &ah, &ah_in) != 0)
		return;
	payload_fill(&p, 100, 0);
	p.data = p.buf + 8 + 16 - 1;			/* one byte short of SPI, Seq#, IV */
	T_EQ(esp_encap(&enc, 1, 1, false, 4, &p), DROP_TOO_BIG, "headroom");
	payload_fill(&p, PKT_MAX, 0);			/* no room for pad, trailer, ICV */
	p.len = PKT_MAX + PKT_TAILROOM - 32 - 1;
	T_EQ(esp_encap(&enc, 1, 1, false, 4, &p), DROP_TOO_BIG, "tailroom");
	payload_fill(&p, PKT_MAX, 0);			/* the largest packet fits */
	T_EQ(esp_encap(&enc, 1, 1, false, 4, &p), DROP_NONE, "PKT_MAX");
	T_EQ(esp_decap(&dec, 1, false, &p, &nh), DROP_NONE, "PKT_MAX decap");
	T_EQ(p.len, PKT_MAX, "PKT_MAX decap");
	payload_fill(&p, 10, 0);
	T_EQ(esp_encap(&dec, 1, 1, false, 4, &p), DROP_PROTO, "encap on an inbound SA");
	T_EQ(esp_decap(&enc, 1, false, &p, &nh), DROP_PROTO, "decap on an outbound SA");
	T_EQ(esp_encap(&ah, 1, 1, false, 4, &p), DROP_PROTO, "ESP on an AH transform");
	T_EQ(esp_decap(&ah_in, 1, false, &p, &nh), DROP_PROTO, "ESP on an AH transform");
	T_EQ(esp_overhead(&enc, 0), 8 + 16 + 14 + 2 + 32, "overhead aes sha512, 0");
	T_EQ(esp_overhead(&enc, 14), 8 + 16 + 0 + 2 + 32, "overhead aes sha512, 14");
	xform_free(&enc);
	xform_free(&dec);
	xform_free(&ah);
	xform_free(&ah_in);
}

/* Invariant 6: after the first packet of an SA, encap and decap allocate nothing, also when
 * the ICV is wrong. */
static void
test_no_alloc(const struct combo *k, struct xform *enc, struct xform *dec)
{
	static struct pkt p;
	long before;
	uint8_t nh;

	for (int round = 0; round < 2; round++) {
		before = n_alloc;
		for (uint32_t i = 0; i < 40; i++) {
			payload_fill(&p, 64 + 37 * i, i);
			esp_encap(enc, 1, 100 + i, i % 2, 4, &p);
			if (i % 4 == 3)
				p.data[p.len - 1] ^= 1;		/* a forgery now and then */
			esp_decap(dec, 100 + i, i % 2, &p, &nh);
		}
		if (round == 1)				/* round 0 may warm up */
			T_EQ(n_alloc - before, 0, "%s: allocations per packet", k->name);
	}
}

int
main(void)
{
	if (!CRYPTO_set_mem_functions(count_malloc, count_realloc, count_free))
		fprintf(stderr, "allocations not counted\n");
	combos_make();
	T_OK(n_combos == 6 * 6 + 8, "combinations: %zu", n_combos);
	for (size_t i = 0; i < n_combos; i++) {
		struct xform enc, dec;

		if (sa_make(&combos[i], &enc, &dec) != 0)
			continue;
		test_round_trip(&combos[i], &enc, &dec);
		test_bit_flips(&combos[i], &enc, &dec);
		test_truncation(&combos[i], &enc, &dec);
		test_no_alloc(&combos[i], &enc, &dec);
		test_batched(&combos[i], &enc, &dec);
		xform_free(&enc);
		xform_free(&dec);
	}
	test_padding_bytes();
	test_bad_padding();
	test_rfc3602();
	test_limits();
	T_OK(n_alloc > 0, "the allocator hook counts (%ld)", n_alloc);
	return t_done();
}
