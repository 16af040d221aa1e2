/* SPDX-License-Identifier: Apache-2.0 */
/* msg_test.c: the IKEv2 codec (msg.c) against a message of strongSwan's and messages we make:
 * parse, rebuild byte for byte, build from scratch the bytes strongSwan sent, and each reason a
 * malformed message is refused for, with the notification it calls for.  Every prefix and every
 * one-byte corruption of the vectors is parsed too (under ASan in build-asan). */
#include <stdbool.h>

#include "controld/ike/ike_test.h"
#include "controld/ike/msg.h"

/* IKE_SA_INIT request of strongSwan 5.9.8 (198.51.100.1 to .2, proposal aes128-sha256-modp2048),
 * msg0 of testdata/charon-aes128-sha256-modp2048.txt: SA KE No N(NATD_S_IP) N(NATD_D_IP)
 * N(FRAG_SUP) N(HASH_ALG) N(REDIR_SUP). */
#define SA_INIT_FILE	"charon-aes128-sha256-modp2048.txt"	/* its msg0 */

static struct ike_msg M, M2;		/* 13 KB each: not on the stack */
static uint8_t buf[4096], out[4096];

/* parse -> build -> same bytes and, parsed again, the same struct */
static void
roundtrip(const char *what, const uint8_t *b, size_t n, bool exact)
{
	size_t len, sk;
	enum ike_perr e;

	e = ike_msg_parse(&M, b, n);
	T_EQ(e, IKE_PERR_OK, "%s: parse: %s at %u", what, ike_perr_text(e), M.err_off);
	if (e != IKE_PERR_OK)
		return;
	T_EQ(ike_msg_build(&M, out, sizeof(out), &len, &sk), 0, "%s: build", what);
	if (exact) {
		T_EQ(len, n, "%s: rebuilt length", what);
		T_MEMEQ(out, b, n, "%s: rebuilt bytes", what);
	}
	T_EQ(ike_msg_parse(&M2, out, len), IKE_PERR_OK, "%s: parse rebuilt", what);
	T_OK(ike_msg_equal(&M, &M2), "%s: same struct after rebuild", what);
}

static void
test_strongswan(void)
{
	size_t n = testdata_get(SA_INIT_FILE, "msg0", buf, sizeof(buf));
	const struct ike_payload *sa, *ke, *no, *nt;
	const struct ike_proposal *p;
	char s[256];

	roundtrip("strongSwan IKE_SA_INIT", buf, n, true);
	T_EQ(ike_msg_parse(&M, buf, n), IKE_PERR_OK, "parse");
	T_STREQ(ike_msg_summary(&M, s, sizeof(s)), "IKE_SA_INIT request 0 [ SA KE No "
	    "N(NAT_DETECTION_SOURCE_IP) N(NAT_DETECTION_DESTINATION_IP) "
	    "N(IKEV2_FRAGMENTATION_SUPPORTED) N(SIGNATURE_HASH_ALGORITHMS) N(16406) ]", "summary");
	T_EQ(M.hdr.exchange, IKE_SA_INIT, "exchange");
	T_EQ(M.hdr.flags, IKE_F_INITIATOR, "flags");
	T_EQ(M.hdr.msg_id, 0, "message id");
	T_EQ(M.hdr.length, 464, "length");
	sa = ike_msg_find(&M, IKE_PL_SA, NULL);
	T_OK(sa != NULL && sa->u.sa.n_prop == 1, "one proposal");
	p = &M.prop[sa->u.sa.prop];
	T_EQ(p->proto, IKE_PROTO_IKE, "IKE proposal");
	T_EQ(p->spi.len, 0, "no SPI in IKE_SA_INIT");
	T_EQ(p->n_xf, 4, "four transforms");
	T_EQ(M.xf[p->xf].type, IKE_XF_ENCR, "ENCR");
	T_EQ(M.xf[p->xf].id, IKE_ENCR_AES_CBC, "AES-CBC");
	T_EQ(M.xf[p->xf].key_len, 128, "key length 128");
	T_EQ(M.xf[p->xf + 1].id, IKE_INTEG_HMAC_SHA2_256_128, "INTEG");
	T_EQ(M.xf[p->xf + 2].id, IKE_PRF_HMAC_SHA2_256, "PRF");
	T_EQ(M.xf[p->xf + 3].id, IKE_DH_MODP2048, "DH");
	ke = ike_msg_find(&M, IKE_PL_KE, NULL);
	T_OK(ke != NULL && ke->u.ke.group == 14 && ke->u.ke.data.len == 256, "KE group 14");
	no = ike_msg_find(&M, IKE_PL_NONCE, NULL);
	T_OK(no != NULL && no->u.nonce.data.len == 32, "32-byte nonce");
	nt = ike_msg_find_notify(&M, IKE_N_NAT_DETECTION_SOURCE_IP);
	T_OK(nt != NULL && nt->u.notify.data.len == 20 && nt->u.notify.spi.len == 0, "NATD_S_IP");
	T_OK(ike_msg_find_notify(&M, IKE_N_COOKIE) == NULL, "no cookie");
}

/* The same message made with the builder from its values alone: strongSwan's bytes. */
static void
test_build_like_strongswan(void)
{
	size_t n = testdata_get(SA_INIT_FILE, "msg0", buf, sizeof(buf)), len, sk = 99;
	static struct ike_msg b;
	struct ike_payload *pl;
	struct ike_proposal *p;

	T_EQ(ike_msg_parse(&M, buf, n), IKE_PERR_OK, "parse");
	ike_msg_init(&b, M.hdr.spi_i, M.hdr.spi_r, IKE_SA_INIT, IKE_F_INITIATOR, 0);
	pl = ike_msg_add(&b, IKE_PL_SA, false);
	p = ike_msg_add_proposal(&b, pl, 1, IKE_PROTO_IKE, (struct ike_chunk){ NULL, 0 });
	T_OK(p != NULL, "proposal");
	T_OK(ike_msg_add_transform(&b, p, IKE_XF_ENCR, IKE_ENCR_AES_CBC, 128) != NULL, "ENCR");
	ike_msg_add_transform(&b, p, IKE_XF_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	ike_msg_add_transform(&b, p, IKE_XF_PRF, IKE_PRF_HMAC_SHA2_256, 0);
	ike_msg_add_transform(&b, p, IKE_XF_DH, IKE_DH_MODP2048, 0);
	pl = ike_msg_add(&b, IKE_PL_KE, false);
	pl->u.ke.group = IKE_DH_MODP2048;
	pl->u.ke.data = ike_msg_find(&M, IKE_PL_KE, NULL)->u.ke.data;
	pl = ike_msg_add(&b, IKE_PL_NONCE, false);
	pl->u.nonce.data = ike_msg_find(&M, IKE_PL_NONCE, NULL)->u.nonce.data;
	for (const struct ike_payload *n0 = NULL;
	    (n0 = ike_msg_find(&M, IKE_PL_NOTIFY, n0)) != NULL;) {
		pl = ike_msg_add(&b, IKE_PL_NOTIFY, false);
		pl->u.notify.type = n0->u.notify.type;
		pl->u.notify.data = n0->u.notify.data;
	}
	T_EQ(ike_msg_build(&b, out, sizeof(out), &len, &sk), 0, "build");
	T_EQ(len, n, "length");
	T_MEMEQ(out, buf, n, "strongSwan's bytes from the builder");
	T_EQ(sk, 0, "no Encrypted payload");
	T_EQ(ike_msg_build(&b, out, n - 1, &len, NULL), -1, "one byte short of room");
}

/* An IKE_AUTH as the state machine will make it: SK { IDi AUTH SA(ESP) TSi TSr N }, then the
 * same bytes read back as if sk.c had opened them. */
static void
test_inner(void)
{
	static const uint8_t spi_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, spi_r[8] = { 9, 9, 9, 9 };
	static const uint8_t esp_spi[4] = { 0xc0, 0x01, 0xca, 0xfe }, id[4] = { 198, 51, 100, 1 };
	static const uint8_t auth[32] = { 0xaa }, ts6[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	static struct ike_msg b;
	struct ike_payload *pl, *tsi;
	struct ike_proposal *p;
	struct ike_ts *t;
	size_t len, len2, sk;
	char s[256];

	ike_msg_init(&b, spi_i, spi_r, IKE_AUTH, IKE_F_INITIATOR, 1);
	T_OK(ike_msg_add(&b, IKE_PL_SK, false) != NULL, "SK");
	pl = ike_msg_add(&b, IKE_PL_IDI, true);
	pl->u.id.type = IKE_ID_IPV4_ADDR;
	pl->u.id.data = (struct ike_chunk){ id, 4 };
	pl = ike_msg_add(&b, IKE_PL_AUTH, true);
	pl->u.auth.method = IKE_AUTH_PSK;
	pl->u.auth.data = (struct ike_chunk){ auth, sizeof(auth) };
	pl = ike_msg_add(&b, IKE_PL_SA, true);
	p = ike_msg_add_proposal(&b, pl, 1, IKE_PROTO_ESP, (struct ike_chunk){ esp_spi, 4 });
	ike_msg_add_transform(&b, p, IKE_XF_ENCR, IKE_ENCR_AES_GCM_16, 256);
	ike_msg_add_transform(&b, p, IKE_XF_ESN, 1, 0);
	ike_msg_add_transform(&b, p, IKE_XF_ESN, 0, 0);
	p = ike_msg_add_proposal(&b, pl, 2, IKE_PROTO_ESP, (struct ike_chunk){ esp_spi, 4 });
	ike_msg_add_transform(&b, p, IKE_XF_ENCR, IKE_ENCR_CHACHA20_POLY1305, 0);
	T_OK(ike_msg_add_transform(&b, &b.prop[0], IKE_XF_ESN, 0, 0) == NULL,
	    "no transform for a proposal that is not the last");
	tsi = ike_msg_add(&b, IKE_PL_TSI, true);
	t = ike_msg_add_ts(&b, tsi);
	t->type = IKE_TS_IPV4_RANGE;
	t->eport = 65535;
	memcpy(t->start, (uint8_t[]){ 192, 0, 2, 0 }, 4);
	memcpy(t->end, (uint8_t[]){ 192, 0, 2, 127 }, 4);
	pl = ike_msg_add(&b, IKE_PL_TSR, true);
	t = ike_msg_add_ts(&b, pl);
	t->type = IKE_TS_IPV6_RANGE;
	t->proto = 17;
	t->sport = t->eport = 500;
	memcpy(t->start, ts6, 16);
	memcpy(t->end, ts6, 16);
	T_OK(ike_msg_add_ts(&b, tsi) == NULL, "no selector for a TS payload that is not the last");
	pl = ike_msg_add(&b, IKE_PL_NOTIFY, true);
	pl->u.notify.type = IKE_N_INITIAL_CONTACT;
	T_EQ(ike_msg_build(&b, out, sizeof(out), &len, &sk), 0, "build");
	T_EQ(sk, IKE_HDR_LEN, "Encrypted payload right after the header");
	T_EQ(out[16], IKE_PL_SK, "header's Next Payload");
	T_EQ(out[sk], IKE_PL_IDI, "SK's Next Payload is the first inner payload");
	T_STREQ(ike_msg_summary(&b, s, sizeof(s)), "IKE_AUTH request 1 [ SK { IDi AUTH SA TSi "
	    "TSr N(INITIAL_CONTACT) } ]", "summary");

	/* what sk.c would hand back: the inner chain, in the clear */
	T_EQ(ike_msg_parse(&M, out, len), IKE_PERR_OK, "parse");
	T_EQ(M.n_pl, 1, "the Encrypted payload alone before opening it");
	T_EQ(ike_msg_parse_inner(&M, M.pl[0].u.sk.body.p, M.pl[0].u.sk.body.len), IKE_PERR_OK,
	    "parse inner");
	T_EQ(M.n_pl, 7, "six inner payloads");
	T_EQ(ike_msg_parse_inner(&M, M.pl[0].u.sk.body.p, M.pl[0].u.sk.body.len),
	    IKE_PERR_SK_NOT_LAST, "opened twice");
	T_EQ(ike_msg_build(&M, buf, sizeof(buf), &len2, &sk), 0, "rebuild");
	T_EQ(len2, len, "same length");
	T_MEMEQ(buf, out, len, "same bytes");
	T_OK(M.pl[3].inner && M.prop[1].n_xf == 1 && M.xf[0].key_len == 256, "inner SA");
	T_OK(M.ts[1].type == IKE_TS_IPV6_RANGE && memcmp(M.ts[1].start, ts6, 16) == 0 &&
	    M.ts[1].sport == 500, "IPv6 selector");
	T_OK(M.ts[0].end[3] == 127 && M.ts[0].eport == 65535, "IPv4 selector");

	/* an empty Encrypted payload (a liveness check, its answer) is sealed too */
	ike_msg_init(&M2, spi_i, spi_r, IKE_INFORMATIONAL, IKE_F_RESPONSE, 7);
	ike_msg_add(&M2, IKE_PL_SK, false);
	T_EQ(ike_msg_build(&M2, out, sizeof(out), &len, &sk), 0, "empty SK");
	T_OK(len == IKE_HDR_LEN + 4 && sk == IKE_HDR_LEN && out[sk] == IKE_PL_NONE &&
	    out[sk + 3] == 4, "empty SK: header only, to seal");
	T_STREQ(ike_msg_summary(&M2, s, sizeof(s)), "INFORMATIONAL response 7 [ SK ]", "summary");

	/* inner payloads without an Encrypted payload cannot be built */
	b.pl[0].type = IKE_PL_NOTIFY;
	T_EQ(ike_msg_build(&b, out, sizeof(out), &len, &sk), -1, "inner without SK");
	b.pl[0].type = IKE_PL_SK;
	T_OK(ike_msg_add(&b, IKE_PL_NONCE, false) != NULL, "outer payload after SK");
	T_EQ(ike_msg_build(&b, out, sizeof(out), &len, &sk), -1, "SK not last");
}

/* A message of header + payloads given as hex bodies; returns its length. */
static size_t
mk(uint8_t *b, uint8_t first, const char *payloads)
{
	size_t n;

	memset(b, 0, IKE_HDR_LEN);
	b[0] = 0x11;
	b[16] = first;
	b[17] = IKE_VERSION;
	b[18] = IKE_INFORMATIONAL;
	n = IKE_HDR_LEN + unhex(payloads, b + IKE_HDR_LEN, 2048);
	b[26] = (uint8_t)(n >> 8);
	b[27] = (uint8_t)n;
	return n;
}

struct bad {
	const char	*what;
	uint8_t		first;
	const char	*payloads;
	enum ike_perr	e;
	uint16_t	notify;
};

static const struct bad bad[] = {
	{ "payload length 3", IKE_PL_NONCE, "000000 03", IKE_PERR_TRUNCATED, 7 },
	{ "payload past the end", IKE_PL_VENDOR, "00000009 0102 03 04", IKE_PERR_TRUNCATED, 7 },
	{ "next payload but no bytes", IKE_PL_VENDOR, "2b000005 ff", IKE_PERR_TRUNCATED, 7 },
	{ "bytes after the last payload", IKE_PL_VENDOR, "00000005 ff 00", IKE_PERR_TRAILING,
	  7 },
	{ "unknown critical payload", 200, "00800004", IKE_PERR_CRITICAL, 1 },
	{ "SK followed by a payload", IKE_PL_SK, "00000008 01020304 00000004",
	  IKE_PERR_SK_NOT_LAST, 7 },
	{ "nonce of 15", IKE_PL_NONCE, "00000013 000102030405060708090a0b0c0d0e",
	  IKE_PERR_SYNTAX, 7 },
	{ "nonce of 257", IKE_PL_NONCE, "00000105", IKE_PERR_TRUNCATED, 7 },
	{ "KE of 3", IKE_PL_KE, "00000007 000e00", IKE_PERR_SYNTAX, 7 },
	{ "notify SPI past the end", IKE_PL_NOTIFY, "00000009 0308 4000 ff", IKE_PERR_SYNTAX,
	  7 },
	{ "delete count and length disagree", IKE_PL_DELETE,
	  "0000000c 03040002 01020304", IKE_PERR_SYNTAX, 7 },
	{ "proposal marked last, another follows", IKE_PL_SA,
	  "00000014 00000008 01010000 00000008 02010000", IKE_PERR_SYNTAX, 7 },
	{ "transform marked more, none follows", IKE_PL_SA,
	  "00000014 00000010 01010001 03000008 0100000c", IKE_PERR_SYNTAX, 7 },
	{ "transform length 7", IKE_PL_SA,
	  "00000014 00000010 01010001 00000007 0100000c", IKE_PERR_SYNTAX, 7 },
	{ "proposal SPI past its length", IKE_PL_SA, "0000000c 00000008 01030400",
	  IKE_PERR_SYNTAX, 7 },
	{ "key length 0", IKE_PL_SA,
	  "00000018 00000014 01010001 0000000c 0100000c 800e0000", IKE_PERR_SYNTAX, 7 },
	{ "TLV attribute past the transform", IKE_PL_SA,
	  "00000018 00000014 01010001 0000000c 0100000c 00010009", IKE_PERR_SYNTAX, 7 },
	{ "IPv4 selector of length 24", IKE_PL_TSI,
	  "0000001c 01000000 07000018 0000ffff c0000200 c00002ff 00000000", IKE_PERR_SYNTAX,
	  7 },
	{ "unknown selector type", IKE_PL_TSR,
	  "00000018 01000000 09000010 0000ffff c0000200 c00002ff", IKE_PERR_SYNTAX, 7 },
	{ "two selectors announced, one there", IKE_PL_TSR,
	  "00000018 02000000 07000010 0000ffff c0000200 c00002ff", IKE_PERR_SYNTAX, 7 },
	{ "SK inside nothing but SKF not last", IKE_PL_SKF, "2b000008 00010001 00000004",
	  IKE_PERR_SK_NOT_LAST, 7 },
};

static void
test_bad(void)
{
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum ike_perr e;

		n = mk(buf, bad[i].first, bad[i].payloads);
		e = ike_msg_parse(&M, buf, n);
		T_EQ(e, bad[i].e, "%s: got \"%s\"", bad[i].what, ike_perr_text(e));
		T_EQ(ike_perr_notify(e), bad[i].notify, "%s: notify", bad[i].what);
		T_EQ(M.n_pl, 0, "%s: nothing half-parsed", bad[i].what);
	}
	n = mk(buf, 200, "00800004");
	ike_msg_parse(&M, buf, n);
	T_EQ(M.err_type, 200, "critical: the unknown type for the notification's data");
	T_EQ(M.err_off, IKE_HDR_LEN, "critical: where");

	n = mk(buf, IKE_PL_NONE, "");
	T_EQ(ike_msg_parse(&M, buf, IKE_HDR_LEN - 1), IKE_PERR_SHORT, "27 bytes");
	buf[17] = 0x10;
	T_EQ(ike_msg_parse(&M, buf, n), IKE_PERR_OLD_VERSION, "IKEv1");
	buf[17] = 0x30;
	T_EQ(ike_msg_parse(&M, buf, n), IKE_PERR_VERSION, "IKEv3");
	T_EQ(ike_perr_notify(IKE_PERR_VERSION), IKE_N_INVALID_MAJOR_VERSION, "its notify");
	buf[17] = 0x21;
	T_EQ(ike_msg_parse(&M, buf, n), IKE_PERR_OK, "minor version 1 is fine");
	buf[17] = IKE_VERSION;
	buf[27]++;
	T_EQ(ike_msg_parse(&M, buf, n), IKE_PERR_LENGTH, "header says 29");
	buf[27] -= 2;
	T_EQ(ike_msg_parse(&M, buf, n), IKE_PERR_LENGTH, "header says 27");
	buf[27]++;
	buf[19] = 0xff;
	T_EQ(ike_msg_parse(&M, buf, n), IKE_PERR_OK, "reserved flags");
	T_EQ(M.hdr.flags, IKE_F_ALL, "reserved flags dropped");

	/* 49 payloads: one more than we keep */
	memset(buf + IKE_HDR_LEN, 0, 49 * 4);
	for (unsigned i = 0; i < 48; i++)
		buf[IKE_HDR_LEN + 4 * i] = IKE_PL_VENDOR;
	for (unsigned i = 0; i < 49; i++)
		buf[IKE_HDR_LEN + 4 * i + 3] = 4;
	buf[16] = IKE_PL_VENDOR;
	n = IKE_HDR_LEN + 49 * 4;
	buf[26] = (uint8_t)(n >> 8);
	buf[27] = (uint8_t)n;
	T_EQ(ike_msg_parse(&M, buf, n), IKE_PERR_TOO_MANY, "49 payloads");
	T_EQ(ike_msg_parse(&M, buf, n - 4), IKE_PERR_LENGTH, "48 payloads, length not fixed");
	buf[IKE_HDR_LEN + 47 * 4] = 0;
	n -= 4;
	buf[27] = (uint8_t)n;
	T_EQ(ike_msg_parse(&M, buf, n), IKE_PERR_OK, "48 payloads");
}

/* What we keep but do not read: it rebuilds as it came. */
static const struct {
	const char	*what;
	uint8_t		first;
	const char	*payloads;
} good[] = {
	{ "unknown non-critical payload, then V", 200, "2b000006 abcd 00000005 ff" },
	{ "known payload with the critical bit", IKE_PL_VENDOR, "00800005 ff" },
	{ "CERTREQ, CERT, CP, EAP", IKE_PL_CERTREQ,
	  "25000005 04 2f000006 0401 30000008 01000000 0000000a 01000006 0101" },
	{ "transform with an unknown attribute", IKE_PL_SA,
	  "0000001c 00000018 01010001 00000010 0100000c 00010000 800e0080" },
	{ "transform with two key lengths", IKE_PL_SA,
	  "0000001c 00000018 01010001 00000010 0100000c 800e0080 800e0100" },
	{ "ESP proposal with SPI, ESN", IKE_PL_SA,
	  "00000018 00000014 01030401 c001cafe 00000008 05000001" },
	{ "delete of two ESP SPIs", IKE_PL_DELETE, "00000010 03040002 01020304 05060708" },
	{ "delete of the IKE SA", IKE_PL_DELETE, "00000008 01000000" },
	{ "notify with an ESP SPI", IKE_PL_NOTIFY, "0000000c 03044009 c001cafe" },
	{ "TS with no selector", IKE_PL_TSI, "00000008 00000000" },
	{ "empty Encrypted payload", IKE_PL_SK, "00000004" },
	{ "fragment", IKE_PL_SKF, "2b00000c 00010002 aabbccdd" },
};

static void
test_good(void)
{
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		size_t n = mk(buf, good[i].first, good[i].payloads);

		roundtrip(good[i].what, buf, n, true);
	}
	mk(buf, IKE_PL_SA, good[3].payloads);
	ike_msg_parse(&M, buf, mk(buf, IKE_PL_SA, good[3].payloads));
	T_OK(M.xf[0].key_len == 128 && M.xf[0].attrs.len == 8, "unknown attribute: kept all");
	ike_msg_parse(&M, buf, mk(buf, IKE_PL_SA, good[5].payloads));
	T_OK(M.prop[0].spi.len == 4 && M.prop[0].proto == IKE_PROTO_ESP && M.xf[0].attrs.len == 0,
	    "ESP proposal");
}

/* Every prefix (with the header length fixed up) and every byte flipped: parsed without
 * reading outside the message; what parses rebuilds to the same struct. */
static void
test_mutations(void)
{
	static uint8_t v[4096];
	size_t n = testdata_get(SA_INIT_FILE, "msg0", v, sizeof(v)), ok = 0;

	for (size_t k = IKE_HDR_LEN; k < n; k++) {
		memcpy(buf, v, k);
		buf[26] = (uint8_t)(k >> 8);
		buf[27] = (uint8_t)k;
		if (ike_msg_parse(&M, buf, k) == IKE_PERR_OK)
			ok++;
	}
	T_EQ(ok, 0, "no prefix of the message parses");
	for (size_t i = 0; i < n; i++) {
		for (unsigned bit = 0; bit < 8; bit++) {
			size_t len;

			memcpy(buf, v, n);
			buf[i] ^= (uint8_t)(1u << bit);
			if (ike_msg_parse(&M, buf, n) != IKE_PERR_OK)
				continue;
			if (ike_msg_build(&M, out, sizeof(out), &len, NULL) != 0 ||
			    ike_msg_parse(&M2, out, len) != IKE_PERR_OK ||
			    !ike_msg_equal(&M, &M2)) {
				T_OK(false, "byte %zu bit %u: rebuild differs", i, bit);
				return;
			}
		}
	}
}

int
main(void)
{
	test_strongswan();
	test_build_like_strongswan();
	test_inner();
	test_bad();
	test_good();
	test_mutations();
	return t_done();
}
