/* SPDX-License-Identifier: Apache-2.0 */
/* dh_test.c: the Diffie-Hellman groups of dh.c against known answers, and the refusal of
 * every kind of bad peer value.  Vectors:
 *   RFC 5903 §8.1-8.3  ECP 256, 384, 521: i, g^i = x | y, r, g^r, and g^ir's x (the secret);
 *   RFC 7748 §6.1      X25519, Alice and Bob;
 *   RFC 8031 App. A    X25519 in IKEv2 (as strongSwan's test_vectors/curve25519.c has it);
 *   strongSwan's test_vectors/modp.c, modp1024: MODP 1024 (group 2) with given exponents
 *                      ("no test vectors found, so generated": another implementation's).
 * Every other group agrees with itself both ways, secrets of the right length. */
#include <stdbool.h>

#include "controld/ike/dh.h"
#include "controld/ike/ike_test.h"

struct kat {
	const char	*src;
	uint16_t	group;
	const char	*i, *gi, *r, *gr, *gir;
};

static const struct kat kats[] = {
{ "RFC 5903 §8.1", IKE_DH_ECP256,
  "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433",
  "dad0b65394221cf9b051e1feca5787d098dfe637fc90b9ef945d0c3772581180"
  "5271a0461cdb8252d61f1c456fa3e59ab1f45b33accf5f58389e0577b8990bb3",
  "c6ef9c5d78ae012a011164acb397ce2088685d8f06bf9be0b283ab46476bee53",
  "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63"
  "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab",
  "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de" },
{ "RFC 5903 §8.2", IKE_DH_ECP384,
  "099f3c7034d4a2c699884d73a375a67f7624ef7c6b3c0f160647b67414dce655e35b538041e649ee3faef896"
  "783ab194",
  "667842d7d180ac2cde6f74f37551f55755c7645c20ef73e31634fe72b4c55ee6de3ac808acb4bdb4c88732ae"
  "e95f41aa"
  "9482ed1fc0eeb9cafc4984625ccfc23f65032149e0e144ada024181535a0f38eeb9fcff3c2c947dae69b4c63"
  "4573a81c",
  "41cb0779b4bdb85d47846725fbec3c9430fab46cc8dc5060855cc9bda0aa2942e0308312916b8ed2960e4bd5"
  "5a7448fc",
  "e558dbef53eecde3d3fccfc1aea08a89a987475d12fd950d83cfa41732bc509d0d1ac43a0336def96fda41d0"
  "774a3571"
  "dcfbec7aacf3196472169e838430367f66eebe3c6e70c416dd5f0c68759dd1fff83fa40142209dff5eaad96d"
  "b9e6386c",
  "11187331c279962d93d604243fd592cb9d0a926f422e47187521287e7156c5c4d603135569b9e9d09cf5d4a2"
  "70f59746" },
{ "RFC 5903 §8.3", IKE_DH_ECP521,
  "0037ade9319a89f4dabdb3ef411aaccca5123c61acab57b5393dce47608172a095aa85a30fe1c2952c6771d9"
  "37ba9777f5957b2639bab072462f68c27a57382d4a52",
  "0015417e84dbf28c0ad3c278713349dc7df153c897a1891bd98bab4357c9ecbee1e3bf42e00b8e380aeae57c"
  "2d107564941885942af5a7f4601723c4195d176ced3e"
  "017cae20b6641d2eeb695786d8c946146239d099e18e1d5a514c739d7cb4a10ad8a788015ac405d7799dc75e"
  "7b7d5b6cf2261a6a7f1507438bf01beb6ca3926f9582",
  "0145ba99a847af43793fdd0e872e7cdfa16be30fdc780f97bccc3f078380201e9c677d600b343757a3bdbf2a"
  "3163e4c2f869cca7458aa4a4effc311f5cb151685eb9",
  "00d0b3975ac4b799f5bea16d5e13e9af971d5e9b984c9f39728b5e5739735a219b97c356436adc6e95bb0352"
  "f6be64a6c2912d4ef2d0433ced2b6171640012d9460f"
  "015c68226383956e3bd066e797b623c27ce0eac2f551a10c2c724d9852077b87220b6536c5c408a1d2aebb8e"
  "86d678ae49cb57091f4732296579ab44fcd17f0fc56a",
  "01144c7d79ae6956bc8edb8e7c787c4521cb086fa64407f97894e5e6b2d79b04d1427e73ca4baa240a347868"
  "59810c06b3c715a3a8cc3151f2bee417996d19f3ddea" },
{ "RFC 7748 §6.1", IKE_DH_X25519,
  "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
  "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
  "5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
  "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
  "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742" },
{ "RFC 8031 App. A", IKE_DH_X25519,
  "751fb4308655b476b6789b7325f9ea8cddd16a58533ff6d9e60009464a5f9d94",
  "48d5ddd4061257ba166fa3f9bbdb74f1a4e81c089384fa77f790709f0dfbc766",
  "0a54645253290d60ddadd0e030bacd9e5501efdc220755a1e978f1b839a05688",
  "0be7c1f5aad87d7e448662673298a443478b859745179eaf564c79c0ef6eee25",
  "c74950607a12327f3204d94b6825bfb068b7f8319a9e3708ed3d43ce8130c950" },
{ "strongSwan modp1024", IKE_DH_MODP1024,
  "e53c205da0d8e4bfb4174944320fc6e4ea66fe44e3c931ac5da1450aea47ebcf",
  "66617c9bbe91ee9900d806415b7384ecb0b6b80a39bd5b070396ee32375a8f68376b352b97baf32f95c4d18c"
  "06ab96bfe3f3752df1e3c55741b6f4244117eebda1015983c6ba008fe89fe51cf4c9692592ebf742436c393d"
  "f61a60ccc64fd7907a6d26267c0f1556230c3e332b2e11d118a6982589793a2f6d66b86676bae47a",
  "7f9af721eb7cd2a900a36e399ebc5c65eecce6629c8e1c5a7ff33293645fd3e3",
  "7b9010609ebf2c497017458afaab4202885d25de7b5e5ce9b05bd442a3e97b52cea760d7dbcb21dd71d80cd4"
  "347caa9edfbc2df4c1cdc1669b8ad244eb345b331d875492883df04a3d0b1a8b8927d50991fe03e7357eb6bd"
  "fce3d8c684c9861bc5ce03962ffb87bf05dabd5a3727994ddee5d3c6ecc589859991b93255761fd5",
  "95790f5c46ae7ca1a471dd786aa8e444073ecec9695d004620cd7c9d3609a6973c89a230750935638b86d1e6"
  "5b27b7848881f9013abd036280d1862bb03ca60ba90b70f9ae7edf71ff80f5a7eefbe26729b5bbb1bb1feb0d"
  "240e53c9d74b4fe9d262b53bd5d8a7383f90f01e359647d04802d74a4f753b294a96503f2605d3f1" },
};

static struct ike_chunk
ck(const uint8_t *p, size_t len)
{
	return (struct ike_chunk){ p, len };
}

static void
test_kat(const struct kat *k)
{
	uint8_t i[128], gi[IKE_DH_PUB_MAX], r[128], gr[IKE_DH_PUB_MAX], gir[IKE_DH_SECRET_MAX];
	size_t il = unhex(k->i, i, sizeof(i)), gil = unhex(k->gi, gi, sizeof(gi));
	size_t rl = unhex(k->r, r, sizeof(r)), grl = unhex(k->gr, gr, sizeof(gr));
	size_t girl = unhex(k->gir, gir, sizeof(gir));
	struct ike_dh a, b;
	struct ike_dh_secret s;
	struct gw_err err = { 0 };

	T_EQ(ike_dh_init_private(&a, k->group, ck(i, il), &err), 0, "%s: i: %s", k->src, err.msg);
	T_EQ(ike_dh_init_private(&b, k->group, ck(r, rl), &err), 0, "%s: r: %s", k->src, err.msg);
	T_EQ(a.pub_len, gil, "%s: g^i length", k->src);
	T_MEMEQ(a.pub, gi, gil, "%s: g^i", k->src);
	T_MEMEQ(b.pub, gr, grl, "%s: g^r", k->src);
	T_EQ(ike_dh_derive(&a, ck(gr, grl), &s, &err), 0, "%s: derive i: %s", k->src, err.msg);
	T_OK(s.len == girl && memcmp(s.b, gir, girl) == 0, "%s: g^ir on i's side", k->src);
	T_EQ(ike_dh_derive(&b, ck(gi, gil), &s, &err), 0, "%s: derive r: %s", k->src, err.msg);
	T_OK(s.len == girl && memcmp(s.b, gir, girl) == 0, "%s: g^ir on r's side", k->src);
	ike_dh_secret_wipe(&s);
	ike_dh_free(&a);
	ike_dh_free(&b);
}

static const struct {
	uint16_t	group;
	size_t		pub, secret;
} sizes[] = {
	{ IKE_DH_MODP1024, 128, 128 }, { IKE_DH_MODP1536, 192, 192 },
	{ IKE_DH_MODP2048, 256, 256 }, { IKE_DH_MODP3072, 384, 384 },
	{ IKE_DH_MODP4096, 512, 512 }, { IKE_DH_ECP256, 64, 32 }, { IKE_DH_ECP384, 96, 48 },
	{ IKE_DH_ECP521, 132, 66 }, { IKE_DH_X25519, 32, 32 },
};

static void
test_agree(void)
{
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct ike_dh a, b;
		struct ike_dh_secret sa, sb;
		struct gw_err err = { 0 };
		uint16_t g = sizes[i].group;

		T_EQ(ike_dh_pub_len(g), sizes[i].pub, "group %u KE length", g);
		T_EQ(ike_dh_init(&a, g, &err), 0, "group %u: %s", g, err.msg);
		T_EQ(ike_dh_init(&b, g, &err), 0, "group %u: %s", g, err.msg);
		T_EQ(a.pub_len, sizes[i].pub, "group %u: our KE length", g);
		T_OK(memcmp(a.pub, b.pub, a.pub_len) != 0, "group %u: two fresh keys", g);
		T_EQ(ike_dh_check_public(g, ck(b.pub, b.pub_len), &err), 0, "group %u: check: %s",
		    g, err.msg);
		T_EQ(ike_dh_derive(&a, ck(b.pub, b.pub_len), &sa, &err), 0, "group %u: %s", g,
		    err.msg);
		T_EQ(ike_dh_derive(&b, ck(a.pub, a.pub_len), &sb, &err), 0, "group %u: %s", g,
		    err.msg);
		T_EQ(sa.len, sizes[i].secret, "group %u: secret length", g);
		T_OK(sa.len == sb.len && memcmp(sa.b, sb.b, sa.len) == 0, "group %u: agree", g);
		ike_dh_free(&a);
		ike_dh_free(&b);
		ike_dh_free(&b);		/* twice: a no-op */
		ike_dh_secret_wipe(&sa);
		ike_dh_secret_wipe(&sb);
	}
}

/* The modulus of group 14 (RFC 3526 §3), to make y = p - 1 and y = p. */
static const char p2048[] =
	"ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a0879"
	"8e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b"
	"0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da4836"
	"1c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804"
	"f1746c08ca18217c32905e462e36ce3be39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6"
	"955817183995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff";

static void
test_bad_modp(void)
{
	static uint8_t y[257];
	struct ike_dh a;
	struct ike_dh_secret s;
	struct gw_err err = { 0 };

	T_EQ(ike_dh_init(&a, IKE_DH_MODP2048, &err), 0, "group 14");
	memset(y, 0, 256);
	T_EQ(ike_dh_derive(&a, ck(y, 256), &s, &err), -1, "y = 0");
	T_OK(strstr(err.msg, "1 < y < p - 1") != NULL, "y = 0: %s", err.msg);
	y[255] = 1;
	T_EQ(ike_dh_derive(&a, ck(y, 256), &s, &err), -1, "y = 1");
	y[255] = 2;
	T_EQ(ike_dh_derive(&a, ck(y, 256), &s, &err), 0, "y = 2: %s", err.msg);
	unhex(p2048, y, sizeof(y));
	T_EQ(ike_dh_check_public(IKE_DH_MODP2048, ck(y, 256), &err), -1, "y = p: %s", err.msg);
	y[255] = 0xfe;
	T_EQ(ike_dh_check_public(IKE_DH_MODP2048, ck(y, 256), &err), -1, "y = p - 1");
	y[255] = 0xfd;		/* -2 is not a square mod p: order 2q, taken (RFC 6989 §2.2) */
	T_EQ(ike_dh_check_public(IKE_DH_MODP2048, ck(y, 256), &err), 0, "y = p - 2: %s",
	    err.msg);
	memset(y, 0, 256);
	y[255] = 4;
	T_EQ(ike_dh_check_public(IKE_DH_MODP2048, ck(y, 256), &err), 0, "y = 4 = g^2: %s",
	    err.msg);
	memset(y, 0xff, 256);
	T_EQ(ike_dh_check_public(IKE_DH_MODP2048, ck(y, 256), &err), -1, "y > p");
	T_EQ(ike_dh_derive(&a, ck(a.pub, 255), &s, &err), -1, "255 bytes");
	T_OK(strstr(err.msg, "not 256") != NULL, "length: %s", err.msg);
	T_EQ(ike_dh_derive(&a, ck(y, 257), &s, &err), -1, "257 bytes");
	T_EQ(s.len, 0, "nothing left in the secret");
	ike_dh_free(&a);
}

static void
test_bad_ecp(void)
{
	static const char p256[] =	/* the field prime of P-256 */
		"ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
	uint8_t pt[64], good[64];
	struct ike_dh a;
	struct ike_dh_secret s;
	struct gw_err err = { 0 };

	T_EQ(ike_dh_init(&a, IKE_DH_ECP256, &err), 0, "group 19");
	unhex(kats[0].gr, good, sizeof(good));
	memcpy(pt, good, 64);
	pt[63] ^= 1;
	T_EQ(ike_dh_derive(&a, ck(pt, 64), &s, &err), -1, "y off by one: off the curve");
	T_OK(strstr(err.msg, "not a point of the curve") != NULL, "%s", err.msg);
	memset(pt, 0, 64);
	T_EQ(ike_dh_check_public(IKE_DH_ECP256, ck(pt, 64), &err), -1, "(0, 0)");
	unhex(p256, pt, 32);
	memcpy(pt + 32, good + 32, 32);
	T_EQ(ike_dh_check_public(IKE_DH_ECP256, ck(pt, 64), &err), -1, "x = p");
	T_EQ(ike_dh_check_public(IKE_DH_ECP256, ck(good, 63), &err), -1, "63 bytes");
	T_EQ(ike_dh_check_public(IKE_DH_ECP256, ck(good, 64), &err), 0, "RFC 5903's g^r: %s",
	    err.msg);
	T_EQ(ike_dh_check_public(IKE_DH_ECP384, ck(good, 64), &err), -1, "P-256 point for P-384");
	ike_dh_free(&a);
}

static void
test_bad_x25519(void)
{
	uint8_t u[32] = { 0 };
	struct ike_dh a;
	struct ike_dh_secret s;
	struct gw_err err = { 0 };

	T_EQ(ike_dh_init(&a, IKE_DH_X25519, &err), 0, "group 31");
	T_EQ(ike_dh_check_public(IKE_DH_X25519, ck(u, 32), &err), 0, "u = 0 looks fine alone");
	T_EQ(ike_dh_derive(&a, ck(u, 32), &s, &err), -1, "u = 0: small order");
	T_EQ(s.len, 0, "u = 0: no secret");
	u[0] = 1;
	T_EQ(ike_dh_derive(&a, ck(u, 32), &s, &err), -1, "u = 1: small order");
	T_EQ(ike_dh_derive(&a, ck(u, 31), &s, &err), -1, "31 bytes");
	ike_dh_free(&a);
}

static void
test_unknown(void)
{
	struct ike_dh a;
	struct gw_err err = { 0 };
	uint8_t x[32] = { 1 };

	T_EQ(ike_dh_init(&a, 17, &err), -1, "MODP 6144 not offered");
	T_OK(strstr(err.msg, "group 17 is not supported") != NULL, "%s", err.msg);
	T_EQ(ike_dh_pub_len(32), 0, "Curve448: not ours");
	T_EQ(ike_dh_check_public(1, ck(x, 32), &err), -1, "MODP 768");
	T_EQ(ike_dh_init_private(&a, IKE_DH_X25519, ck(x, 31), &err), -1, "short X25519 key");
	ike_dh_free(&a);
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++)
		test_kat(&kats[i]);
	test_agree();
	test_bad_modp();
	test_bad_ecp();
	test_bad_x25519();
	test_unknown();
	return t_done();
}
