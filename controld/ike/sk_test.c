/* SPDX-License-Identifier: Apache-2.0 */
/* sk_test.c: the Encrypted payload (sk.c).  Every cipher and integrity transform seals a
 * message that opens to the same inner payloads, at every padding length; every one-bit change
 * of a sealed message is refused with nothing decrypted left behind; a message assembled here
 * by hand from RFC 7296 §3.14 (AES-CBC, HMAC-SHA2-256-128) opens, and the same with a pad
 * length past the data is refused.  strongSwan's own messages are opened in interop_test.c. */
#include <stdbool.h>

#include <openssl/evp.h>

#include "controld/ike/ike_test.h"
#include "controld/ike/kdf.h"
#include "controld/ike/msg.h"
#include "controld/ike/sk.h"

static const struct {
	uint16_t	encr, key_bits, integ;
} combos[] = {
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96 },
	{ IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_256_128 },
	{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_384_192 },
	{ IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256 },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_MD5_96 },
	{ IKE_ENCR_AES_CBC, 128, IKE_INTEG_AES_XCBC_96 },
	{ IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_96 },
	{ IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_GCM_12, 192, IKE_INTEG_NONE },
	{ IKE_ENCR_AES_GCM_8, 128, IKE_INTEG_NONE },
	{ IKE_ENCR_CHACHA20_POLY1305, 0, IKE_INTEG_NONE },
};

static struct ike_msg M, M2;
static uint8_t clear[4096], buf[4096], copy[4096], out[4096];

/* An IKE_AUTH request: SK { IDi AUTH V(extra bytes) N(INITIAL_CONTACT) }. */
static size_t
make(size_t extra, size_t *sk_off)
{
	static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, spi_r[8] = { 8, 7, 6, 5 };
	static const uint8_t id[4] = { 198, 51, 100, 1 }, v[64] = { 0x5a, 0x5a, 0x5a, 0x5a };
	static uint8_t auth[32];
	struct ike_payload *pl;
	size_t len;

	memset(auth, 0xa5, sizeof(auth));
	ike_msg_init(&M, spi_i, spi_r, IKE_AUTH, IKE_F_INITIATOR, 1);
	ike_msg_add(&M, IKE_PL_SK, false);
	pl = ike_msg_add(&M, IKE_PL_IDI, true);
	pl->u.id.type = IKE_ID_IPV4_ADDR;
	pl->u.id.data = (struct ike_chunk){ id, 4 };
	pl = ike_msg_add(&M, IKE_PL_AUTH, true);
	pl->u.auth.method = IKE_AUTH_PSK;
	pl->u.auth.data = (struct ike_chunk){ auth, 32 };
	pl = ike_msg_add(&M, IKE_PL_VENDOR, true);
	pl->u.raw = (struct ike_chunk){ v, extra };
	pl = ike_msg_add(&M, IKE_PL_NOTIFY, true);
	pl->u.notify.type = IKE_N_INITIAL_CONTACT;
	if (ike_msg_build(&M, clear, sizeof(clear), &len, sk_off) != 0)
		abort();
	return len;
}

static void
keys(uint16_t encr, uint16_t bits, uint16_t integ, struct key *ek, struct key *ak)
{
	memset(ek, 0, sizeof(*ek));
	memset(ak, 0, sizeof(*ak));
	ek->len = (uint16_t)ike_sk_encr_key_len(encr, bits);
	ak->len = (uint16_t)ike_sk_integ_key_len(integ);
	for (int i = 0; i < 64; i++) {
		ek->b[i] = (uint8_t)(0x10 + i);
		ak->b[i] = (uint8_t)(0x80 ^ i);
	}
}

static void
test_combo(uint16_t encr, uint16_t bits, uint16_t integ)
{
	struct key ek, ak;
	struct ike_sk sk;
	struct gw_err err = { 0 };
	char what[64];

	snprintf(what, sizeof(what), "encr %u/%u integ %u", encr, bits, integ);
	keys(encr, bits, integ, &ek, &ak);
	T_EQ(ike_sk_init(&sk, encr, bits, integ, &ek, &ak, &err), 0, "%s: %s", what, err.msg);
	for (size_t extra = 0; extra <= 17; extra++) {
		size_t sk_off, clen = make(extra, &sk_off), len = clen, plen, ct, off2, l2;
		const struct ike_payload *skp;
		enum ike_perr e;
		uint8_t *plain;

		memcpy(buf, clear, clen);
		T_EQ(ike_sk_seal(&sk, buf, sizeof(buf), &len, sk_off, NULL), 0, "%s: seal", what);
		ct = len - sk_off - 4 - sk.iv_len - sk.icv_len;
		T_EQ(ct % sk.block_len, 0, "%s: whole blocks", what);
		T_OK(ct - (clen - sk_off - 4) - 1 < sk.block_len, "%s: minimal padding", what);
		T_EQ(len - clen, sk.iv_len + (ct - (clen - sk_off - 4)) + sk.icv_len, "%s: growth",
		    what);
		e = ike_msg_parse(&M2, buf, len);
		T_EQ(e, IKE_PERR_OK, "%s, %zu: parse sealed: %s", what, extra, ike_perr_text(e));
		skp = ike_msg_find(&M2, IKE_PL_SK, NULL);
		if (skp == NULL)
			return;
		off2 = (size_t)(skp->u.sk.body.p - buf) - IKE_PL_HDR_LEN;
		T_EQ(off2, sk_off, "%s: SK where it was", what);
		memcpy(copy, buf, len);
		T_EQ(ike_sk_open(&sk, buf, len, off2, &plain, &plen), IKE_SK_OK, "%s: open", what);
		T_EQ(plen, clen - sk_off - 4, "%s, %zu: inner length", what, extra);
		T_MEMEQ(plain, clear + sk_off + 4, plen, "%s: inner bytes", what);
		T_EQ(ike_msg_parse_inner(&M2, plain, plen), IKE_PERR_OK, "%s: inner parse", what);
		T_EQ(ike_msg_build(&M2, out, sizeof(out), &l2, NULL), 0, "%s: rebuild", what);
		T_OK(l2 == clen && memcmp(out + IKE_HDR_LEN, clear + IKE_HDR_LEN,
		    clen - IKE_HDR_LEN) == 0, "%s: rebuilt in the clear as built", what);
		if (extra == 5)
			memcpy(buf, copy, len);		/* sealed again below */
	}

	/* the same IV, the same bytes; random IVs, others */
	{
		static const uint8_t iv[16] = { 0xaa, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
		size_t sk_off, l1 = make(7, &sk_off), l2 = l1;

		memcpy(buf, clear, l1);
		memcpy(copy, clear, l1);
		ike_sk_seal(&sk, buf, sizeof(buf), &l1, sk_off, iv);
		ike_sk_seal(&sk, copy, sizeof(copy), &l2, sk_off, iv);
		T_OK(l1 == l2 && memcmp(buf, copy, l1) == 0, "%s: given IV, same bytes", what);
		T_MEMEQ(buf + sk_off + 4, iv, sk.iv_len, "%s: the IV on the wire", what);
		l2 = make(7, &sk_off);
		memcpy(copy, clear, l2);
		ike_sk_seal(&sk, copy, sizeof(copy), &l2, sk_off, NULL);
		T_OK(memcmp(buf, copy, l1) != 0, "%s: random IV, other bytes", what);
		l2 = make(7, &sk_off);
		memcpy(copy, clear, l2);
		T_EQ(ike_sk_seal(&sk, copy, l2 + 8, &l2, sk_off, NULL), -1, "%s: no room", what);
	}

	/* every bit of a sealed message matters */
	{
		size_t sk_off, len = make(3, &sk_off), plen, bad = 0;
		uint8_t *plain;

		memcpy(buf, clear, len);
		ike_sk_seal(&sk, buf, sizeof(buf), &len, sk_off, NULL);
		memcpy(copy, buf, len);
		for (size_t i = 0; i < len; i++) {
			for (unsigned b = 0; b < 8; b += 7) {
				enum ike_sk_err r;

				memcpy(buf, copy, len);
				buf[i] ^= (uint8_t)(1u << b);
				r = ike_sk_open(&sk, buf, len, sk_off, &plain, &plen);
				if (r != IKE_SK_ICV || plain != NULL ||
				    memmem(buf, len, clear + sk_off + 4 + 4, 8) != NULL)
					bad++;
			}
		}
		T_EQ(bad, 0, "%s: every changed bit refused, no plaintext left", what);
		memcpy(buf, copy, len);
		T_OK(ike_sk_open(&sk, buf, len - 1, sk_off, &plain, &plen) != IKE_SK_OK,
		    "%s: one byte short", what);
		T_EQ(ike_sk_open(&sk, buf, sk_off + 4 + sk.iv_len + sk.icv_len, sk_off, &plain,
		    &plen), IKE_SK_SHORT, "%s: nothing encrypted", what);
	}
	ike_sk_wipe(&sk);
}

/* RFC 7296 §3.14 by hand: header | SK header | IV | AES-128-CBC(plain | pad | pad length) |
 * HMAC-SHA2-256(everything before)[0 .. 16). */
static size_t
by_hand(const struct key *ek, const struct key *ak, const uint8_t *plain, size_t n,
    uint8_t pad_len_byte)
{
	static const uint8_t iv[16] = { 0x0f, 0x0e, 0x0d };
	size_t ct = (n + 1 + 15) / 16 * 16, total = 28 + 4 + 16 + ct + 16;
	uint8_t md[IKE_PRF_MAX];
	struct ike_chunk in;
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int outl;

	memset(buf, 0, sizeof(buf));
	buf[0] = 0x11;
	buf[16] = IKE_PL_SK;
	buf[17] = IKE_VERSION;
	buf[18] = IKE_INFORMATIONAL;
	buf[19] = IKE_F_RESPONSE;
	buf[26] = (uint8_t)(total >> 8);
	buf[27] = (uint8_t)total;
	buf[28] = IKE_PL_DELETE;	/* first inner payload */
	buf[30] = (uint8_t)((total - 28) >> 8);
	buf[31] = (uint8_t)(total - 28);
	memcpy(buf + 32, iv, 16);
	memcpy(buf + 48, plain, n);
	for (size_t i = n; i < ct - 1; i++)
		buf[48 + i] = (uint8_t)(0xe0 + i);	/* padding: any value */
	buf[48 + ct - 1] = pad_len_byte;
	EVP_EncryptInit_ex2(c, EVP_aes_128_cbc(), ek->b, iv, NULL);
	EVP_CIPHER_CTX_set_padding(c, 0);
	EVP_EncryptUpdate(c, buf + 48, &outl, buf + 48, (int)ct);
	EVP_CIPHER_CTX_free(c);
	in = (struct ike_chunk){ buf, total - 16 };
	ike_prf(IKE_PRF_HMAC_SHA2_256, (struct ike_chunk){ ak->b, ak->len }, &in, 1, md);
	memcpy(buf + total - 16, md, 16);
	return total;
}

static void
test_by_hand(void)
{
	static const uint8_t del[8] = { 0, 0, 0, 8, 1, 0, 0, 0 };	/* D: the IKE SA */
	struct key ek, ak;
	struct ike_sk sk;
	uint8_t *plain;
	size_t len, plen;

	keys(IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, &ek, &ak);
	T_EQ(ike_sk_init(&sk, IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, &ek, &ak,
	    NULL), 0, "init");
	len = by_hand(&ek, &ak, del, 8, 7);
	T_EQ(ike_sk_open(&sk, buf, len, 28, &plain, &plen), IKE_SK_OK, "by hand: opens");
	T_OK(plen == 8 && memcmp(plain, del, 8) == 0, "by hand: the Delete payload");
	T_EQ(ike_msg_parse(&M, buf, len), IKE_PERR_OK, "by hand: parses");
	T_EQ(ike_msg_parse_inner(&M, plain, plen), IKE_PERR_OK, "by hand: inner");
	T_OK(M.n_pl == 2 && M.pl[1].type == IKE_PL_DELETE && M.pl[1].u.del.proto == 1,
	    "by hand: D(IKE)");
	len = by_hand(&ek, &ak, del, 8, 23);
	T_EQ(ike_sk_open(&sk, buf, len, 28, &plain, &plen), IKE_SK_PAD, "pad length 23 of 16");
	T_OK(plain == NULL && memmem(buf, len, del + 4, 4) == NULL, "bad pad: nothing left");
	len = by_hand(&ek, &ak, del, 8, 15);
	T_EQ(ike_sk_open(&sk, buf, len, 28, &plain, &plen), IKE_SK_OK, "pad length 15 of 16");
	T_EQ(plen, 0, "all padding: no payloads");
	ike_sk_wipe(&sk);
}

static void
test_init(void)
{
	struct key ek, ak;
	struct ike_sk sk;
	struct gw_err err = { 0 };

	keys(IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_HMAC_SHA1_96, &ek, &ak);
	T_EQ(ike_sk_init(&sk, IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_HMAC_SHA1_96, &ek, &ak, &err),
	    -1, "GCM with an integrity transform");
	keys(IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, &ek, &ak);
	T_EQ(ike_sk_init(&sk, IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, &ek, &ak, &err), -1,
	    "CBC without integrity");
	T_EQ(ike_sk_init(&sk, IKE_ENCR_AES_CBC, 100, IKE_INTEG_HMAC_SHA1_96, &ek, &ak, &err), -1,
	    "100-bit AES");
	T_OK(strstr(err.msg, "100-bit") != NULL, "%s", err.msg);
	keys(IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, &ek, &ak);
	ek.len++;
	T_EQ(ike_sk_init(&sk, IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, &ek, &ak, &err), -1,
	    "17-byte AES-128 key");
	T_EQ(ike_sk_encr_key_len(IKE_ENCR_CHACHA20_POLY1305, 0), 36, "ChaCha20: 32 + salt");
	T_EQ(ike_sk_encr_key_len(IKE_ENCR_AES_GCM_16, 256), 36, "GCM-256: 32 + salt");
	T_EQ(ike_sk_encr_key_len(IKE_ENCR_CHACHA20_POLY1305, 256), 0, "ChaCha20 has no length");
	T_EQ(ike_sk_encr_key_len(IKE_ENCR_NULL, 0), 0, "no NULL encryption for IKE");
	T_EQ(ike_sk_integ_key_len(IKE_INTEG_HMAC_SHA2_384_192), 48, "SHA-384 key");
	T_STREQ(ike_sk_err_text(IKE_SK_ICV), "integrity check failed", "text");
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++)
		test_combo(combos[i].encr, combos[i].key_bits, combos[i].integ);
	test_by_hand();
	test_init();
	return t_done();
}
