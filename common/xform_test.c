/* SPDX-License-Identifier: Apache-2.0 */
/* xform_test.c: the primitives of xform.c against published vectors, through the same calls
 * esp.c makes: HMAC (RFC 2202, RFC 4231), RFC 1828 keyed MD5, AES-CBC (RFC 3602 §4), DES-CBC
 * (FIPS 81), AES-GCM and GMAC in ESP (draft-mcgrew-gcm-test-01), ChaCha20-Poly1305 (RFC 7539
 * §2.8.2); then key checks, the IV generator, wiping, and the lazy legacy provider. */
#include <stdlib.h>

#include <openssl/provider.h>

#include "common/esp.h"
#include "common/xform.h"
#include "tests/lib/test.h"

/* n bytes of fill, or the bytes of hex */
struct pat {
	uint8_t		fill;
	uint16_t	n;
	const char	*hex;
};

static size_t
pat_bytes(const struct pat *p, uint8_t *out, size_t max)
{
	if (p->hex != NULL)
		return t_unhex(p->hex, out, max);
	if (p->n > max)
		abort();
	memset(out, p->fill, p->n);
	return p->n;
}

static struct key
key_of(const char *hex)
{
	struct key k;

	memset(&k, 0, sizeof(k));
	k.len = (uint16_t)t_unhex(hex, k.b, sizeof(k.b));
	return k;
}

/* RFC 2202 §2 (HMAC-MD5), §3 (HMAC-SHA1); RFC 4231 §4.2-4.8 (HMAC-SHA-256/384/512; case 5 is
 * the 128-bit truncation).  Full digests: ESP sends their first icv_len bytes. */
static const struct {
	enum xform_auth	alg;
	const char	*name;
	struct pat	key, data;
	const char	*md;
} hmac_vec[] = {
	{ XF_AUTH_HMAC_MD5_96, "RFC 2202 §2 MD5 case 1",
	    { 0x0b, 16, NULL },
	    { 0, 0, "4869205468657265" },
	    "9294727a3638bb1c13f48ef8158bfc9d" },
	{ XF_AUTH_HMAC_MD5_96, "RFC 2202 §2 MD5 case 2",
	    { 0, 0, "4a656665" },
	    { 0, 0, "7768617420646f2079612077616e7420666f72206e6f7468696e673f" },
	    "750c783e6ab0b503eaa86e310a5db738" },
	{ XF_AUTH_HMAC_MD5_96, "RFC 2202 §2 MD5 case 3",
	    { 0xaa, 16, NULL },
	    { 0xdd, 50, NULL },
	    "56be34521d144c88dbb8c733f0e8b3f6" },
	{ XF_AUTH_HMAC_MD5_96, "RFC 2202 §2 MD5 case 4",
	    { 0, 0, "0102030405060708090a0b0c0d0e0f10111213141516171819" },
	    { 0xcd, 50, NULL },
	    "697eaf0aca3a3aea3a75164746ffaa79" },
	{ XF_AUTH_HMAC_MD5_96, "RFC 2202 §2 MD5 case 5",
	    { 0x0c, 16, NULL },
	    { 0, 0, "546573742057697468205472756e636174696f6e" },
	    "56461ef2342edc00f9bab995690efd4c" },
	{ XF_AUTH_HMAC_MD5_96, "RFC 2202 §2 MD5 case 6",
	    { 0xaa, 80, NULL },
	    { 0, 0, "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	    "65204b6579202d2048617368204b6579204669727374" },
	    "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd" },
	{ XF_AUTH_HMAC_MD5_96, "RFC 2202 §2 MD5 case 7",
	    { 0xaa, 80, NULL },
	    { 0, 0, "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	    "65204b657920616e64204c6172676572205468616e204f6e6520426c6f636b2d"
	    "53697a652044617461" },
	    "6f630fad67cda0ee1fb1f562db3aa53e" },
	{ XF_AUTH_HMAC_SHA1_96, "RFC 2202 §3 SHA1 case 1",
	    { 0x0b, 20, NULL },
	    { 0, 0, "4869205468657265" },
	    "b617318655057264e28bc0b6fb378c8ef146be00" },
	{ XF_AUTH_HMAC_SHA1_96, "RFC 2202 §3 SHA1 case 2",
	    { 0, 0, "4a656665" },
	    { 0, 0, "7768617420646f2079612077616e7420666f72206e6f7468696e673f" },
	    "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ XF_AUTH_HMAC_SHA1_96, "RFC 2202 §3 SHA1 case 3",
	    { 0xaa, 20, NULL },
	    { 0xdd, 50, NULL },
	    "125d7342b9ac11cd91a39af48aa17b4f63f175d3" },
	{ XF_AUTH_HMAC_SHA1_96, "RFC 2202 §3 SHA1 case 4",
	    { 0, 0, "0102030405060708090a0b0c0d0e0f10111213141516171819" },
	    { 0xcd, 50, NULL },
	    "4c9007f4026250c6bc8414f9bf50c86c2d7235da" },
	{ XF_AUTH_HMAC_SHA1_96, "RFC 2202 §3 SHA1 case 5",
	    { 0x0c, 20, NULL },
	    { 0, 0, "546573742057697468205472756e636174696f6e" },
	    "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04" },
	{ XF_AUTH_HMAC_SHA1_96, "RFC 2202 §3 SHA1 case 6",
	    { 0xaa, 80, NULL },
	    { 0, 0, "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	    "65204b6579202d2048617368204b6579204669727374" },
	    "aa4ae5e15272d00e95705637ce8a3b55ed402112" },
	{ XF_AUTH_HMAC_SHA1_96, "RFC 2202 §3 SHA1 case 7",
	    { 0xaa, 80, NULL },
	    { 0, 0, "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	    "65204b657920616e64204c6172676572205468616e204f6e6520426c6f636b2d"
	    "53697a652044617461" },
	    "e8e99d0f45237d786d6bbaa7965c7808bbff1a91" },
};

/* RFC 4231 §4.2-4.8: each case's key and data, and their HMAC-SHA-256, -384 and -512 */
static const struct {
	int		case_no;
	struct pat	key, data;
	const char	*md[3];		/* SHA-256, SHA-384, SHA-512 */
} rfc4231[] = {
	{ 1, { 0x0b, 20, NULL },
	    { 0, 0, "4869205468657265" },
	    { "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	    "faea9ea9076ede7f4af152e8b2fa9cb6",
	    "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	    "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854" } },
	{ 2, { 0, 0, "4a656665" },
	    { 0, 0, "7768617420646f2079612077616e7420666f72206e6f7468696e673f" },
	    { "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
	    "8e2240ca5e69e2c78b3239ecfab21649",
	    "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
	    "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737" } },
	{ 3, { 0xaa, 20, NULL },
	    { 0xdd, 50, NULL },
	    { "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	    "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	    "2a5ab39dc13814b94e3ab6e101a34f27",
	    "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	    "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb" } },
	{ 4, { 0, 0, "0102030405060708090a0b0c0d0e0f10111213141516171819" },
	    { 0xcd, 50, NULL },
	    { "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	    "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
	    "6801dd23c4a7d679ccf8a386c674cffb",
	    "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	    "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd" } },
	{ 5, { 0x0c, 20, NULL },
	    { 0, 0, "546573742057697468205472756e636174696f6e" },
	    { "a3b6167473100ee06e0c796c2955552b",
	    "3abf34c3503b2a23a46efc619baef897",
	    "415fad6271580a531d4179bc891d87a6" } },
	{ 6, { 0xaa, 131, NULL },
	    { 0, 0, "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	    "65204b6579202d2048617368204b6579204669727374" },
	    { "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	    "0c2ef6ab4030fe8296248df163f44952",
	    "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	    "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598" } },
	{ 7, { 0xaa, 131, NULL },
	    { 0, 0, "5468697320697320612074657374207573696e672061206c6172676572207468"
	    "616e20626c6f636b2d73697a65206b657920616e642061206c61726765722074"
	    "68616e20626c6f636b2d73697a6520646174612e20546865206b6579206e6565"
	    "647320746f20626520686173686564206265666f7265206265696e6720757365"
	    "642062792074686520484d414320616c676f726974686d2e" },
	    { "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
	    "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
	    "a678cc31e799176d3860e6110c46523e",
	    "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	    "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" } },
};

/* One HMAC vector: through xform_mac twice, then the ESP road when the key has the length
 * the RFC wants. */
struct hmac_case {
	enum xform_auth	alg;
	const char	*name;
	struct pat	key, data;
	const char	*md;
};

static void
check_hmac(const struct hmac_case *v)
{
	static const uint8_t icv[XF_AUTH_MAX] = {
		[XF_AUTH_HMAC_MD5_96] = 12, [XF_AUTH_HMAC_SHA1_96] = 12,
		[XF_AUTH_HMAC_SHA256_128] = 16, [XF_AUTH_HMAC_SHA384_192] = 24,
		[XF_AUTH_HMAC_SHA512_256] = 32,
	};
	uint8_t key[256], data[256], want[XF_MD_MAX], md[XF_MD_MAX];
	struct xform_mac m;
	size_t kl = pat_bytes(&v->key, key, sizeof(key));
	size_t dl = pat_bytes(&v->data, data, sizeof(data));
	size_t wl = t_unhex(v->md, want, sizeof(want));
	struct xform xf;
	struct key k;

	T_EQ(xform_mac_key(&m, v->alg, key, kl), 0, "%s", v->name);
	for (int round = 0; round < 2; round++) {	/* keyed once, used twice */
		xform_mac_begin(&m);
		xform_mac_update(&m, data, dl / 3);	/* in pieces, as ESN does */
		xform_mac_update(&m, data + dl / 3, dl - dl / 3);
		xform_mac_end(&m, md);
		T_MEMEQ(md, want, wl, "%s, round %d", v->name, round);
	}
	xform_mac_wipe(&m);
	/* the ESP road, where the key has the length the RFC wants */
	if (kl != m.md_len && !(kl == 20 && v->alg == XF_AUTH_HMAC_SHA1_96) &&
	    !(kl == 16 && v->alg == XF_AUTH_HMAC_MD5_96))
		return;
	memset(&k, 0, sizeof(k));
	memcpy(k.b, key, kl);
	k.len = (uint16_t)kl;
	if (xform_init(&xf, XF_CIPHER_NULL, NULL, v->alg, &k, true, NULL) != 0) {
		T_OK(0, "%s: xform_init", v->name);
		return;
	}
	T_EQ(xf.icv_len, icv[v->alg], "%s", v->name);
	xform_mac_begin(&xf.mac);
	xform_mac_update(&xf.mac, data, dl);
	xform_mac_end(&xf.mac, md);
	T_MEMEQ(md, want, xf.icv_len, "%s via xform_init", v->name);
	xform_free(&xf);
}

static void
test_hmac(void)
{
	static const enum xform_auth sha2[3] = {
		XF_AUTH_HMAC_SHA256_128, XF_AUTH_HMAC_SHA384_192, XF_AUTH_HMAC_SHA512_256,
	};

	for (size_t i = 0; i < sizeof(hmac_vec) / sizeof(hmac_vec[0]); i++) {
		struct hmac_case v = { hmac_vec[i].alg, hmac_vec[i].name, hmac_vec[i].key,
		    hmac_vec[i].data, hmac_vec[i].md };

		check_hmac(&v);
	}
	for (size_t i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++)
		for (int h = 0; h < 3; h++) {
			char name[64];
			struct hmac_case v = { sha2[h], name, rfc4231[i].key, rfc4231[i].data,
			    rfc4231[i].md[h] };

			snprintf(name, sizeof(name), "RFC 4231 §4 SHA%d case %d",
			    h == 0 ? 256 : h == 1 ? 384 : 512, rfc4231[i].case_no);
			check_hmac(&v);
		}
}

/* RFC 1828 §2 has no vectors: these are MD5(key || keyfill || data || key) computed with
 * Python's hashlib, keyfill built by hand (the 60-byte key fills to two blocks). */
static void
test_keyed_md5(void)
{
	static const struct {
		const char	*key, *md;
	} v[] = {
		{ "00112233445566778899aabbccddeeff", "8a1bc7be1c27c4cf3005f36384fc463a" },
		{ "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
		  "202122232425262728292a2b2c2d2e2f303132333435363738393a3b",
		  "ba2ae97fe3760edac0dc2a05ea98ad5f" },
	};
	static const char data[] = "RFC 1828 keyed MD5 over an AH datagram";
	uint8_t md[XF_MD_MAX], want[16];
	struct xform xf;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct key k = key_of(v[i].key);

		t_unhex(v[i].md, want, sizeof(want));
		T_EQ(xform_init(&xf, XF_CIPHER_NONE, NULL, XF_AUTH_KEYED_MD5_RFC1828, &k, true,
		    NULL), 0, "rfc1828 %zu", i);
		T_EQ(xf.icv_len, 16, "rfc1828 %zu", i);
		for (int round = 0; round < 2; round++) {
			xform_mac_begin(&xf.mac);
			xform_mac_update(&xf.mac, data, 7);
			xform_mac_update(&xf.mac, data + 7, strlen(data) - 7);
			xform_mac_end(&xf.mac, md);
			T_MEMEQ(md, want, 16, "rfc1828 %zu round %d", i, round);
		}
		xform_free(&xf);
	}
}

/* RFC 3602 §4, cases 1-4 (AES-128-CBC); FIPS 81 appendix C (DES-CBC, "Now is the time for all
 * "). */
static const struct {
	enum xform_cipher	c;
	const char		*name, *key, *iv, *pt, *ct;
} cbc_vec[] = {
	{ XF_CIPHER_AES_CBC, "RFC 3602 case 1",
	    "06a9214036b8a15b512e03d534120006", "3dafba429d9eb430b422da802c9fac41",
	    "53696e676c6520626c6f636b206d7367", "e353779c1079aeb82708942dbe77181a" },
	{ XF_CIPHER_AES_CBC, "RFC 3602 case 2",
	    "c286696d887c9aa0611bbb3e2025a45a", "562e17996d093d28ddb3ba695a2e6f58",
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
	    "d296cd94c2cccf8a3a863028b5e1dc0a7586602d253cfff91b8266bea6d61ab1" },
	{ XF_CIPHER_AES_CBC, "RFC 3602 case 3",
	    "6c3ea0477630ce21a2ce334aa746c2cd", "c782dc4c098c66cbd9cd27d825682c81",
	    "5468697320697320612034382d62797465206d657373616765202865786163746c"
	    "7920332041455320626c6f636b7329",
	    "d0a02b3836451753d493665d33f0e8862dea54cdb293abc7506939276772f8d5"
	    "021c19216bad525c8579695d83ba2684" },
	{ XF_CIPHER_AES_CBC, "RFC 3602 case 4",
	    "56e47a38c5598974bc46903dba290349", "8ce82eefbea0da3c44699ed7db51b7d9",
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf",
	    "c30e32ffedc0774e6aff6af0869f71aa0f3af07a9a31a9c684db207eb0ef8e4e"
	    "35907aa632c3ffdf868bb7b29d3d46ad83ce9f9a102ee99d49a53e87f4c3da55" },
	{ XF_CIPHER_DES, "FIPS 81 DES-CBC",
	    "0123456789abcdef", "1234567890abcdef",
	    "4e6f77206973207468652074696d6520666f7220616c6c20",
	    "e5c7cdde872bf27c43e934008c389c0f683788499a7c05f6" },
};

static void
test_cbc(void)
{
	uint8_t iv[16], pt[128], ct[128], buf[128];

	for (size_t i = 0; i < sizeof(cbc_vec) / sizeof(cbc_vec[0]); i++) {
		struct key k = key_of(cbc_vec[i].key);
		size_t n = t_unhex(cbc_vec[i].pt, pt, sizeof(pt));
		struct xform enc, dec;

		t_unhex(cbc_vec[i].iv, iv, sizeof(iv));
		t_unhex(cbc_vec[i].ct, ct, sizeof(ct));
		T_EQ(xform_init(&enc, cbc_vec[i].c, &k, XF_AUTH_NONE, NULL, true, NULL), 0,
		    "%s", cbc_vec[i].name);
		T_EQ(xform_init(&dec, cbc_vec[i].c, &k, XF_AUTH_NONE, NULL, false, NULL), 0,
		    "%s", cbc_vec[i].name);
		for (int round = 0; round < 2; round++) {	/* the IV is all that changes */
			memcpy(buf, pt, n);
			T_EQ(xform_cbc(&enc, iv, buf, n), 0, "%s", cbc_vec[i].name);
			T_MEMEQ(buf, ct, n, "%s encrypt, round %d", cbc_vec[i].name, round);
			T_EQ(xform_cbc(&dec, iv, buf, n), 0, "%s", cbc_vec[i].name);
			T_MEMEQ(buf, pt, n, "%s decrypt, round %d", cbc_vec[i].name, round);
		}
		xform_free(&enc);
		xform_free(&dec);
	}
}

/* draft-mcgrew-gcm-test-01 §4, the AES-GCM ESP test cases in their order: key || salt as ESP is
 * configured (RFC 4106 §8.1), the IV on the wire, the AAD (SPI, [ESN high], Seq# low), the
 * plaintext from the payload to Next Header, then ciphertext and ICV. */
static const struct {
	int		n;
	const char	*key, *iv, *aad, *pt, *ct, *tag;
} gcm_vec[] = {
	{ 1,
	    "4c80cdefbb5d10da906ac73c3613a6342e443b68",
	    "4956ed7e3b244cfe", "000043218765432100000000",
	    "45000048699a000080114db7c0a80102c0a801010a9bf15638d3010000010000"
	    "00000000045f736970045f756470037369700963796265726369747902646b00"
	    "0021000101020201",
	    "fecf537e729d5b07dc30df528dd22b768d1b98736696a6fd348509fa13ceac34"
	    "cfa2436f14a3f3cf65925bf1f4a13c5d15b21e1884f5ff6247aeabb786b93bce"
	    "61bc17d768fd9732",
	    "459018148f6cbe722fd04796562dfdb4" },
	{ 2,
	    "feffe9928665731c6d6a8f9467308308cafebabe",
	    "facedbaddecaf888", "0000a5f80000000a",
	    "4500003e698f000080114dccc0a80102c0a801010a980035002a2343b2d00100"
	    "0001000000000000037369700963796265726369747902646b00000100010001",
	    "deb22cd9b07c72c16e3a65beeb8df304a5a5897d33ae530f1ba76d5d114d2a5c"
	    "3de81827c10e9a4f51330d0eec416642cfbb85a5b47e48a4ec3b9ba95d918bd1",
	    "83b70d3aa8bc6ee4c309e9d85a41ad4a" },
	{ 3,
	    "abbccddef00112233445566778899aababbccddef00112233445566778899aab"
	    "11223344",
	    "0102030405060708", "4a2cbfe300000002",
	    "4500003069a6400080062690c0a801029389155e0a9e008b2dc57ee000000000"
	    "7002400020bf0000020405b40101040201020201",
	    "ff425c9b724599df7a3bcd510194e00d6a78107f1b0b1cbf06efae9d65a5d763"
	    "748a637985771d347f0545659f14e99def842d8e",
	    "b335f4eecfdbf831824b4c4915956c96" },
	{ 4,
	    "0000000000000000000000000000000000000000",
	    "0000000000000000", "0000000000000001",
	    "4500003c99c500008001cb7a40679318010101010800075c0200440061626364"
	    "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
	    "4688daf2f973a392732909c331d56d60f694abaa414b5e7ff5fdcdfff5e9a284"
	    "456476492719ffb64de7d9dca1e1d894bc3bd57873ed4d181d19d4d5c8c18af3",
	    "f821d496eeb096e98ad2b69e4799c71d" },
	{ 5,
	    "3de09874b388e6491988d0c3607eae1f57690e43",
	    "4e280000a2fca1a3", "42f67e3f1010101010101010",
	    "4500003c99c300008001cb7c40679318010101010800085c0200430061626364"
	    "65666768696a6b6c6d6e6f707172737475767761626364656667686901020201",
	    "fba2caa4853cf9f0f22cb10d86dd83b0fec75691cf1a04b00d1138ec9c357917"
	    "65acbd8701ad79845bf9fe3fba487bc91755e6662b4c8d0d1f5e22739530320a",
	    "e0d731cc978ecafaeae88f00e80d6e48" },
	{ 6,
	    "3de09874b388e6491988d0c3607eae1f57690e43",
	    "4e280000a2fca1a3", "42f67e3f1010101010101010",
	    "4500001c42a200008001441f406793b6e00000020a00f5ff01020201",
	    "fba2ca845e5df9f0f22c3e6e86dd831e1fc65792cd1af9130e1379ed",
	    "369f071f35e034be95f112e4e7d05d35" },
	{ 7,
	    "feffe9928665731c6d6a8f9467308308feffe9928665731ccafebabe",
	    "facedbaddecaf888", "0000a5f80000000a",
	    "45000028a4ad4000400678800a01038f0a010612802306b8cb712602dd6bb03e"
	    "501016d075680001",
	    "a5b1f8066029aea40e598b8122de02420938b3ab33f828e687b8858b5bfbdbd0"
	    "315b27452144cc77",
	    "95457b9652037f5318027b5b4cd7a636" },
	{ 8,
	    "abbccddef00112233445566778899aabdecaf888",
	    "cafedebaceface74", "000001000000000000000001",
	    "4500004933ba00007f119106c3fb1d10c2b1d326c02831ce0035dd7b800302d5"
	    "00004e20001e8c18d75b81dc91baa0476b91b924b280389d92c963bac046ec95"
	    "9b6266c04722b14923010101",
	    "18a6fd42f72cbf4ab2a2ea901f73d814e3e7f243d95412e1c349c1d2fbec168f"
	    "9190feebaf2cb01984e65863965d7472b79da345e0e780191f0d2f0e0f496c22"
	    "6f2127b27db35724e7845d68",
	    "651f57e65f354f75ff17015769623436" },
	{ 9,
	    "abbccddef00112233445566778899aababbccddef00112233445566778899aab"
	    "73616c74",
	    "616e640169766563", "17405e67156f3126dd0db99b",
	    "45080028732c00004006e9f90a0106120a01038f06b88023dd6bafbecb712602"
	    "50101f646d540001",
	    "f2d69ecdbd5a0d5b8d5ef38bad4da58d1f278fde98ef67549d524a3018d9a57f"
	    "f4d3a31ce673119e",
	    "451626c2415771e3b7eebca614c89b35" },
	{ 10,
	    "3de09874b388e6491988d0c3607eae1f57690e43",
	    "4e280000a2fca1a3", "42f67e3f1010101010101010",
	    "45000049333e00007f119182c3fb1d10c2b1d326c02831ce0035cb458003025b"
	    "000001e0001e8c18d65759d52284a0352c71475c8880391c764d6e5ee0496b32"
	    "5ae270c03899493915010101",
	    "fba2cad12fc1f9f00d3cebf305410db83d7784b607323d220f24b0a97d541828"
	    "00cadb0f68d99ef0e0c0c89ae9bea8884e52d65bc1afd0740f742444747b5b39"
	    "ab533163aad4550ee5160975",
	    "cdb608c5769189609763b8e18caa81e2" },
	{ 11,
	    "abbccddef00112233445566778899aababbccddef00112233445566778899aab"
	    "73616c74",
	    "616e640169766563", "17405e67156f3126dd0db99b",
	    "636973636f0172756c657301746865016e6574776501646566696e6501746865"
	    "746563686e6f6c6f67696573017468617477696c6c01646566696e65746f6d6f"
	    "72726f7701020201",
	    "d4b7ed86a1777f2ea13d6973d324c69e7b43f826fb56831226508bebd2dceb18"
	    "d0a6df10e5487df074113e14c641024e3e6773d91a62ee429b043a10e3efe6b0"
	    "12a49363412364f8",
	    "c0cac587f249e56b11e24f30e44ccc76" },
	{ 12,
	    "7d773d00c144c525ac619d18c84a3f47d9664267",
	    "43457e9182443bc6", "335467aeffffffff",
	    "01020201",
	    "437f866b",
	    "cb3f699fe9b0822bac961c4504bef270" },
	{ 13,
	    "abbccddef00112233445566778899aabdecaf888",
	    "cafedebaceface74", "000001000000000000000001",
	    "746f016265016f72016e6f7401746f0162650001",
	    "29c9fc69a197d038ccdd14e2ddfcaa0543332164",
	    "412503524303ed3c6c5f283843af8c3e" },
	{ 14,
	    "6c6567616c697a656d6172696a75616e61616e64646f69746265666f72656961"
	    "7475726e",
	    "333021696765746d", "796b6963ffffffffffffffff",
	    "45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364"
	    "65666768696a6b6c6d6e6f707172737401020201",
	    "f97ab2aa356d8edce17644ac8c78e25dd24dedbb29ebf1b64a274b39b49c3a86"
	    "4cd3d78ca4ae68a32b42458fb57dbe821dcc63b9",
	    "d0937ba2945f669368661a329fb4c053" },
};

static void
test_gcm(void)
{
	uint8_t iv[8], aad[12], pt[256], ct[256], tag[16], buf[256], t[16];

	for (size_t i = 0; i < sizeof(gcm_vec) / sizeof(gcm_vec[0]); i++) {
		struct key k = key_of(gcm_vec[i].key);
		size_t an = t_unhex(gcm_vec[i].aad, aad, sizeof(aad));
		size_t n = t_unhex(gcm_vec[i].pt, pt, sizeof(pt));
		struct xform enc, dec;

		t_unhex(gcm_vec[i].iv, iv, sizeof(iv));
		t_unhex(gcm_vec[i].ct, ct, sizeof(ct));
		t_unhex(gcm_vec[i].tag, tag, sizeof(tag));
		T_EQ(xform_init(&enc, XF_CIPHER_AES_GCM, &k, XF_AUTH_NONE, NULL, true, NULL), 0,
		    "gcm case %d", gcm_vec[i].n);
		T_EQ(xform_init(&dec, XF_CIPHER_AES_GCM, &k, XF_AUTH_NONE, NULL, false, NULL), 0,
		    "gcm case %d", gcm_vec[i].n);
		for (int round = 0; round < 2; round++) {
			memcpy(buf, pt, n);
			T_EQ(xform_aead(&enc, iv, aad, an, NULL, 0, buf, n, t), 0, "gcm %d",
			    gcm_vec[i].n);
			T_MEMEQ(buf, ct, n, "gcm case %d ciphertext", gcm_vec[i].n);
			T_MEMEQ(t, tag, 16, "gcm case %d ICV", gcm_vec[i].n);
			T_EQ(xform_aead(&dec, iv, aad, an, NULL, 0, buf, n, t), 0, "gcm %d open",
			    gcm_vec[i].n);
			T_MEMEQ(buf, pt, n, "gcm case %d open", gcm_vec[i].n);
		}
		memcpy(buf, ct, n);
		t[15] ^= 1;
		T_EQ(xform_aead(&dec, iv, aad, an, NULL, 0, buf, n, t), -1, "gcm %d bad ICV",
		    gcm_vec[i].n);
		T_OK(n < 4 || memcmp(buf, pt, 4) != 0, "gcm %d: no plaintext left", gcm_vec[i].n);
		xform_free(&enc);
		xform_free(&dec);
	}
}

/* The same cases as ESP packets (SPI | Seq# | IV | ciphertext | ICV) through esp_decap. */
static void
test_gcm_esp(void)
{
	static struct pkt p;
	uint8_t aad[12], pt[256];

	for (size_t i = 0; i < sizeof(gcm_vec) / sizeof(gcm_vec[0]); i++) {
		struct key k = key_of(gcm_vec[i].key);
		size_t an = t_unhex(gcm_vec[i].aad, aad, sizeof(aad));
		size_t n = t_unhex(gcm_vec[i].pt, pt, sizeof(pt));
		bool esn = an == 12;
		uint64_t seq = 0;
		struct xform dec;
		uint8_t *b, nh = 0;
		enum drop d;

		for (size_t j = 4; j < an; j++)
			seq = seq << 8 | aad[j];
		pkt_reset(&p);
		b = p.data;
		memcpy(b, aad, 4);
		memcpy(b + 4, aad + an - 4, 4);
		p.len = 8;
		p.len += (uint32_t)t_unhex(gcm_vec[i].iv, b + p.len, 8);
		p.len += (uint32_t)t_unhex(gcm_vec[i].ct, b + p.len, 256);
		p.len += (uint32_t)t_unhex(gcm_vec[i].tag, b + p.len, 16);
		T_EQ(xform_init(&dec, XF_CIPHER_AES_GCM, &k, XF_AUTH_NONE, NULL, false, NULL), 0,
		    "gcm esp %d", gcm_vec[i].n);
		d = esp_decap(&dec, seq, esn, &p, &nh);
		T_EQ(d, DROP_NONE, "gcm esp case %d", gcm_vec[i].n);
		if (d == DROP_NONE) {
			T_EQ(p.len, n - 2 - pt[n - 2], "gcm esp case %d length", gcm_vec[i].n);
			T_MEMEQ(p.data, pt, p.len, "gcm esp case %d payload", gcm_vec[i].n);
			T_EQ(nh, pt[n - 1], "gcm esp case %d next header", gcm_vec[i].n);
		}
		xform_free(&dec);
	}
}

/* AES-GMAC in ESP (RFC 4543), the GMAC test case of draft-mcgrew-gcm-test-01: SPI 0x4321,
 * Seq# 7, IV 0; AAD = SPI, Seq#, IV, payload .. Next Header; nothing encrypted. */
static void
test_gmac(void)
{
	static const char key[] = "4c80cdefbb5d10da906ac73c3613a63422433c64";
	static const char body[] =
	    "45000030da3a00008001df3bc0a80005c0a800010800c6cd0200070061626364"
	    "65666768696a6b6c6d6e6f707172737401020201";
	static const char icv[] = "f2a9a836e155106aa8dcd618e4099aaa";
	static struct pkt p;
	struct key k = key_of(key);
	struct xform enc, dec;
	uint8_t t[16], want[16], pb[128], *b;
	size_t bn;
	uint8_t nh;

	t_unhex(icv, want, sizeof(want));
	bn = t_unhex(body, pb, sizeof(pb));
	pkt_reset(&p);
	b = p.data;
	memcpy(b, "\x00\x00\x43\x21\x00\x00\x00\x07", 8);
	memset(b + 8, 0, 8);
	memcpy(b + 16, pb, bn);
	T_EQ(xform_init(&enc, XF_CIPHER_AES_GMAC, &k, XF_AUTH_NONE, NULL, true, NULL), 0, "gmac");
	T_EQ(xform_init(&dec, XF_CIPHER_AES_GMAC, &k, XF_AUTH_NONE, NULL, false, NULL), 0, "gmac");
	T_EQ(xform_aead(&enc, b + 8, b, 8, b + 8, 8 + bn, NULL, 0, t), 0, "gmac seal");
	T_MEMEQ(t, want, 16, "gmac ICV");
	memcpy(b + 16 + bn, want, 16);
	p.len = (uint32_t)(16 + bn + 16);
	T_EQ(esp_decap(&dec, 7, false, &p, &nh), DROP_NONE, "gmac esp_decap");
	T_EQ(p.len, bn - 4, "gmac payload length");
	T_MEMEQ(p.data, pb, p.len, "gmac payload");
	T_EQ(nh, 1, "gmac next header");
	xform_free(&enc);
	xform_free(&dec);
}

/* RFC 7539 §2.8.2 (AEAD_CHACHA20_POLY1305): nonce 07000000 || 4041424344454647, which is how
 * RFC 7634 §2 builds it from a salt of 07000000 and the IV. */
static void
test_chacha(void)
{
	static const char key[] =
	    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f07000000";
	static const char pt[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
	    "only one tip for the future, sunscreen would be it.";
	static const char ct[] =
	    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	    "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	    "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	    "3ff4def08e4b7a9de576d26586cec64b6116";
	static const char tag[] = "1ae10b594f09e26a7e902ecbd0600691";
	uint8_t iv[8], aad[12], buf[128], c[128], t[16], want[16];
	struct key k = key_of(key);
	struct xform enc, dec;
	size_t n = strlen(pt);

	t_unhex("4041424344454647", iv, sizeof(iv));
	t_unhex("50515253c0c1c2c3c4c5c6c7", aad, sizeof(aad));
	t_unhex(ct, c, sizeof(c));
	t_unhex(tag, want, sizeof(want));
	memcpy(buf, pt, n);
	T_EQ(xform_init(&enc, XF_CIPHER_CHACHA20_POLY1305, &k, XF_AUTH_NONE, NULL, true, NULL), 0,
	    "chacha");
	T_EQ(xform_init(&dec, XF_CIPHER_CHACHA20_POLY1305, &k, XF_AUTH_NONE, NULL, false, NULL), 0,
	    "chacha");
	T_EQ(xform_aead(&enc, iv, aad, 4, aad + 4, 8, buf, n, t), 0, "chacha seal");
	T_MEMEQ(buf, c, n, "chacha ciphertext");
	T_MEMEQ(t, want, 16, "chacha tag");
	T_EQ(xform_aead(&dec, iv, aad, 12, NULL, 0, buf, n, t), 0, "chacha open");
	T_MEMEQ(buf, pt, n, "chacha plaintext");
	xform_free(&enc);
	xform_free(&dec);
}

/* Keys of the wrong length and combinations ESP and AH do not have are refused, saying why. */
static const struct {
	enum xform_cipher	c;
	uint16_t		clen;
	enum xform_auth		a;
	uint16_t		alen;
	const char		*says;		/* NULL: accepted */
} key_vec[] = {
	{ XF_CIPHER_AES_CBC, 16, XF_AUTH_HMAC_SHA1_96, 20, NULL },
	{ XF_CIPHER_AES_CBC, 24, XF_AUTH_HMAC_SHA256_128, 32, NULL },
	{ XF_CIPHER_AES_CBC, 32, XF_AUTH_HMAC_SHA512_256, 64, NULL },
	{ XF_CIPHER_AES_CBC, 15, XF_AUTH_NONE, 0, "esp-aes: key must be 16, 24 or 32 bytes" },
	{ XF_CIPHER_AES_CBC, 16, XF_AUTH_HMAC_SHA1_96, 16, "sha-hmac: key must be 20 bytes" },
	{ XF_CIPHER_AES_CBC, 16, XF_AUTH_HMAC_MD5_96, 20, "md5-hmac: key must be 16 bytes" },
	{ XF_CIPHER_AES_CBC, 16, XF_AUTH_HMAC_SHA384_192, 32, "sha384-hmac: key must be 48" },
	{ XF_CIPHER_AES_CBC, 16, XF_AUTH_NONE, 20, "no auth transform but an auth key" },
	{ XF_CIPHER_3DES, 24, XF_AUTH_HMAC_MD5_96, 16, NULL },
	{ XF_CIPHER_3DES, 16, XF_AUTH_NONE, 0, "esp-3des: key must be 24 bytes" },
	{ XF_CIPHER_DES, 8, XF_AUTH_HMAC_SHA1_96, 20, NULL },
	{ XF_CIPHER_DES, 7, XF_AUTH_NONE, 0, "esp-des: key must be 8 bytes" },
	{ XF_CIPHER_AES_GCM, 20, XF_AUTH_NONE, 0, NULL },
	{ XF_CIPHER_AES_GCM, 28, XF_AUTH_NONE, 0, NULL },
	{ XF_CIPHER_AES_GCM, 36, XF_AUTH_NONE, 0, NULL },
	{ XF_CIPHER_AES_GCM, 16, XF_AUTH_NONE, 0, "esp-gcm: key must be 20, 28 or 36 bytes" },
	{ XF_CIPHER_AES_GCM, 20, XF_AUTH_HMAC_SHA1_96, 20, "carries its own ICV" },
	{ XF_CIPHER_AES_GMAC, 32, XF_AUTH_NONE, 0, "esp-gmac: key must be 20, 28 or 36" },
	{ XF_CIPHER_CHACHA20_POLY1305, 36, XF_AUTH_NONE, 0, NULL },
	{ XF_CIPHER_CHACHA20_POLY1305, 32, XF_AUTH_NONE, 0, "key must be 36 bytes" },
	{ XF_CIPHER_NULL, 0, XF_AUTH_HMAC_SHA1_96, 20, NULL },
	{ XF_CIPHER_NULL, 0, XF_AUTH_NONE, 0, NULL },	/* with AH around it (IOS bundles) */
	{ XF_CIPHER_NULL, 8, XF_AUTH_NONE, 0, "esp-null: takes no key" },
	{ XF_CIPHER_NONE, 0, XF_AUTH_NONE, 0, "neither a cipher nor an auth" },
	{ XF_CIPHER_NONE, 0, XF_AUTH_HMAC_SHA1_96, 20, NULL },		/* AH */
	{ XF_CIPHER_NONE, 0, XF_AUTH_KEYED_MD5_RFC1828, 16, NULL },	/* AH, RFC 1828 */
	{ XF_CIPHER_NONE, 0, XF_AUTH_KEYED_MD5_RFC1828, 0, "rfc1828: needs a key" },
	{ XF_CIPHER_NULL, 0, XF_AUTH_KEYED_MD5_RFC1828, 16, "for AH only" },
	{ XF_CIPHER_DES_RFC1829, 8, XF_AUTH_NONE, 0, NULL },
	{ XF_CIPHER_DES_RFC1829, 8, XF_AUTH_HMAC_MD5_96, 16, "esp-rfc1829 has no authenticator" },
	{ XF_CIPHER_MAX, 0, XF_AUTH_NONE, 0, "unknown transform" },
	{ XF_CIPHER_NULL, 0, XF_AUTH_MAX, 0, "unknown transform" },
};

static void
test_keys(void)
{
	struct gw_err err;
	struct xform xf;
	struct key ck, ak;

	for (size_t i = 0; i < sizeof(key_vec) / sizeof(key_vec[0]); i++) {
		int rc;

		memset(&ck, 0x11, sizeof(ck));
		memset(&ak, 0x22, sizeof(ak));
		ck.len = key_vec[i].clen;
		ak.len = key_vec[i].alen;
		err.msg[0] = '\0';
		rc = xform_init(&xf, key_vec[i].c, &ck, key_vec[i].a, &ak, i % 2 == 0, &err);
		T_EQ(rc, key_vec[i].says == NULL ? 0 : -1, "key case %zu: %s", i, err.msg);
		if (key_vec[i].says != NULL) {
			T_OK(strstr(err.msg, key_vec[i].says) != NULL, "key case %zu: \"%s\"", i,
			    err.msg);
			T_OK(xf.cctx == NULL && xf.mac.alg == XF_AUTH_NONE, "key case %zu: freed", i);
		}
		xform_free(&xf);
	}
	T_EQ(xform_init(&xf, XF_CIPHER_AES_CBC, NULL, XF_AUTH_NONE, NULL, true, &err), -1,
	    "no key at all");
	T_EQ(xform_set_rfc1829_iv(&xf, 4, &err), -1, "iv size on a freed xform");
	ck.len = 16;
	T_EQ(xform_init(&xf, XF_CIPHER_AES_CBC, &ck, XF_AUTH_NONE, NULL, true, &err), 0, "aes");
	T_EQ(xform_set_rfc1829_iv(&xf, 4, &err), -1, "iv size on esp-aes");
	T_OK(strstr(err.msg, "esp-rfc1829 only") != NULL, "%s", err.msg);
	xform_free(&xf);
	ck.len = 8;
	T_EQ(xform_init(&xf, XF_CIPHER_DES_RFC1829, &ck, XF_AUTH_NONE, NULL, true, &err), 0, "1829");
	T_EQ(xf.iv_len, 8, "rfc1829 default IV");
	T_EQ(xf.hdr_len, 4, "rfc1829 has no Seq#");
	T_EQ(xform_set_rfc1829_iv(&xf, 6, &err), -1, "iv size 6");
	T_OK(strstr(err.msg, "4 or 8") != NULL, "%s", err.msg);
	T_EQ(xform_set_rfc1829_iv(&xf, 4, &err), 0, "iv size 4");
	T_EQ(xf.iv_len, 4, "rfc1829 IV 4");
	T_EQ(xform_set_rfc1829_iv(&xf, 0, &err), 0, "iv size default");
	T_EQ(xf.iv_len, 8, "rfc1829 IV default");
	xform_free(&xf);
}

static int
cmp_iv(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* The CBC IV generator: the IVs of one SA never repeat (over a sample), two SAs differ. */
static void
test_iv(void)
{
	enum { N = 100000 };
	static const struct {
		enum xform_cipher	c;
		uint16_t		klen;
		unsigned		iv_size;
	} gen[] = {
		{ XF_CIPHER_AES_CBC, 16, 0 }, { XF_CIPHER_3DES, 24, 0 },
		{ XF_CIPHER_DES_RFC1829, 8, 4 }, { XF_CIPHER_DES_RFC1829, 8, 8 },
	};
	uint8_t (*ivs)[16] = calloc(N, 16), first[16];
	struct key k;

	memset(&k, 0x5a, sizeof(k));
	for (size_t g = 0; g < sizeof(gen) / sizeof(gen[0]); g++) {
		struct xform xf, xf2;
		size_t dup = 0;

		k.len = gen[g].klen;
		T_EQ(xform_init(&xf, gen[g].c, &k, XF_AUTH_NONE, NULL, true, NULL), 0, "iv %zu", g);
		T_EQ(xform_init(&xf2, gen[g].c, &k, XF_AUTH_NONE, NULL, true, NULL), 0, "iv %zu", g);
		if (gen[g].iv_size != 0) {
			xform_set_rfc1829_iv(&xf, gen[g].iv_size, NULL);
			xform_set_rfc1829_iv(&xf2, gen[g].iv_size, NULL);
		}
		for (size_t i = 0; i < N; i++)
			T_EQ(xform_iv(&xf, ivs[i]), 0, "iv %zu/%zu", g, i);
		memset(first, 0, sizeof(first));
		xform_iv(&xf2, first);
		T_OK(memcmp(first, ivs[0], xf.iv_len) != 0, "iv %zu: two SAs, two sequences", g);
		qsort(ivs, N, 16, cmp_iv);
		for (size_t i = 1; i < N; i++)
			dup += memcmp(ivs[i - 1], ivs[i], 16) == 0;
		T_EQ(dup, 0, "iv %zu: %s IV %u repeats", g, xform_cipher_name(gen[g].c), xf.iv_len);
		xform_free(&xf);
		xform_free(&xf2);
	}
	free(ivs);
}

/* RFC 1829 §2: a 32-bit IV is used as IV || ~IV.  Same bytes as esp-des with that 64-bit IV. */
static void
test_rfc1829_iv4(void)
{
	uint8_t iv4[4] = { 0x12, 0x34, 0xfe, 0x01 }, iv8[8], a[64], b[64];
	struct xform x4, x8;
	struct key k = key_of("0123456789abcdef");

	for (int i = 0; i < 4; i++) {
		iv8[i] = iv4[i];
		iv8[i + 4] = (uint8_t)~iv4[i];
	}
	for (int i = 0; i < 64; i++)
		a[i] = b[i] = (uint8_t)(i * 7);
	T_EQ(xform_init(&x4, XF_CIPHER_DES_RFC1829, &k, XF_AUTH_NONE, NULL, true, NULL), 0, "x4");
	T_EQ(xform_set_rfc1829_iv(&x4, 4, NULL), 0, "x4");
	T_EQ(xform_init(&x8, XF_CIPHER_DES, &k, XF_AUTH_NONE, NULL, true, NULL), 0, "x8");
	T_EQ(xform_cbc(&x4, iv4, a, sizeof(a)), 0, "x4 cbc");
	T_EQ(xform_cbc(&x8, iv8, b, sizeof(b)), 0, "x8 cbc");
	T_MEMEQ(a, b, sizeof(a), "rfc1829 IV || ~IV");
	xform_free(&x4);
	xform_free(&x8);
}

static void
test_free(void)
{
	static const uint8_t zero[sizeof(struct xform)];
	struct key k = key_of("000102030405060708090a0b0c0d0e0f10111213");
	struct xform xf;

	T_EQ(xform_init(&xf, XF_CIPHER_AES_GCM, &k, XF_AUTH_NONE, NULL, true, NULL), 0, "free");
	T_OK(memcmp(xf.salt, "\x10\x11\x12\x13", 4) == 0, "salt is the key's last 4 bytes");
	xform_free(&xf);
	T_OK(memcmp(&xf, zero, sizeof(xf)) == 0, "xform_free wipes everything");
	xform_free(&xf);				/* twice, and NULL: no-ops */
	xform_free(NULL);
	k.len = 20;
	T_EQ(xform_init(&xf, XF_CIPHER_NULL, NULL, XF_AUTH_HMAC_SHA1_96, &k, true, NULL), 0, "f");
	xform_free(&xf);
	T_OK(memcmp(&xf, zero, sizeof(xf)) == 0, "xform_free wipes the HMAC states");
}

static void
test_names(void)
{
	T_STREQ(xform_cipher_name(XF_CIPHER_AES_CBC), "esp-aes", "name");
	T_STREQ(xform_cipher_name(XF_CIPHER_DES_RFC1829), "esp-rfc1829", "name");
	T_STREQ(xform_cipher_name(XF_CIPHER_MAX), "unknown", "name");
	T_STREQ(xform_auth_name(XF_AUTH_HMAC_SHA1_96), "sha-hmac", "name");
	T_STREQ(xform_auth_name(XF_AUTH_KEYED_MD5_RFC1828), "rfc1828", "name");
	T_STREQ(xform_auth_name((enum xform_auth)-1), "unknown", "name");
	for (int c = 0; c < XF_CIPHER_MAX; c++)
		T_OK(strcmp(xform_cipher_name((enum xform_cipher)c), "unknown") != 0, "c %d", c);
	for (int a = 0; a < XF_AUTH_MAX; a++)
		T_OK(strcmp(xform_auth_name((enum xform_auth)a), "unknown") != 0, "a %d", a);
}

/* The legacy provider is loaded by the first DES SA and not before (3DES needs only default). */
static void
test_legacy_lazy(void)
{
	struct key k = key_of("0123456789abcdef0123456789abcdef0123456789abcdef");
	struct xform xf;

	T_EQ(OSSL_PROVIDER_available(NULL, "legacy"), 0, "legacy not loaded at start");
	T_EQ(xform_init(&xf, XF_CIPHER_3DES, &k, XF_AUTH_NONE, NULL, true, NULL), 0, "3des");
	xform_free(&xf);
	T_EQ(OSSL_PROVIDER_available(NULL, "legacy"), 0, "3DES does not load it");
	k.len = 8;
	T_EQ(xform_init(&xf, XF_CIPHER_DES, &k, XF_AUTH_NONE, NULL, true, NULL), 0, "des");
	xform_free(&xf);
	T_EQ(OSSL_PROVIDER_available(NULL, "legacy"), 1, "DES loaded it");
}

int
main(void)
{
	test_legacy_lazy();		/* first: nothing else may have loaded a provider */
	test_hmac();
	test_keyed_md5();
	test_cbc();
	test_gcm();
	test_gcm_esp();
	test_gmac();
	test_chacha();
	test_keys();
	test_iv();
	test_rfc1829_iv4();
	test_free();
	test_names();
	return t_done();
}
