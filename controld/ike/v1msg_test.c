/* SPDX-License-Identifier: Apache-2.0 */
/* v1msg_test.c: the IKEv1 / ISAKMP codec (v1msg.c) against strongSwan 5.9.8's messages and
 * messages we make: every message of five captured exchanges parses and rebuilds byte for byte
 * (main mode 1-4 and aggressive mode 1-2 checked payload by payload, the encrypted ones by
 * header, exchange and whole blocks); the encrypted ones are then opened with charon's logged
 * Ka (a CBC of RFC 2409 Appendix B in this file only), read as charon logged them (quick mode's
 * SA and IDs checked) and, built and padded by us, are charon's plaintext byte for byte.  Every
 * payload type round-trips through the builder; the E flag's framing and padding; the phase 1
 * and phase 2 attributes read back; each reason a malformed message is refused for, with the
 * notification it calls for; the pool limits counted.  Every prefix and every one-bit
 * corruption of three of strongSwan's messages is parsed too (under ASan in build-asan). */
#include <stdbool.h>

#include <openssl/evp.h>

#include "controld/ike/ike_test.h"
#include "controld/ike/v1msg.h"

static struct v1_msg M, M2;		/* 50 KB each: not on the stack */
static uint8_t buf[8192], out[8192], out2[8192];

/* The vector files of testdata/v1/ (capture_v1.sh; apart from the IKEv2 ones): name, messages, block size of the cipher. */
static const struct {
	const char	*file;
	bool		aggressive;
	unsigned	n_msg, block;
	uint16_t	encr, hash, group, key_len;
	uint8_t		id_type;	/* aggressive: the initiator's ID type */
	const char	*id;
} runs[] = {
	{ "v1/charon-v1-main-aes128-sha1-modp2048.txt", false, 15, 16,
	  V1_ENCR_AES, V1_HASH_SHA, 14, 128, 0, NULL },
	{ "v1/charon-v1-main-3des-md5-modp1024.txt", false, 15, 8,
	  V1_ENCR_3DES, V1_HASH_MD5, 2, 0, 0, NULL },
	{ "v1/charon-v1-main-aes256-sha256-ecp256.txt", false, 15, 16,
	  V1_ENCR_AES, V1_HASH_SHA2_256, 19, 256, 0, NULL },
	{ "v1/charon-v1-aggr-aes128-sha1-modp1536.txt", true, 12, 16,
	  V1_ENCR_AES, V1_HASH_SHA, 5, 128, V1_ID_FQDN, "client.example.net" },
	{ "v1/charon-v1-aggr-aes192-sha384-modp2048.txt", true, 12, 16,
	  V1_ENCR_AES, V1_HASH_SHA2_384, 14, 192, V1_ID_USER_FQDN, "road@example.net" },
};

/* strongSwan's Vendor IDs in its first message: XAuth, DPD (RFC 3706), FRAGMENTATION, RFC 3947
 * NAT-T and draft-ietf-ipsec-nat-t-ike-02\n; the responder leaves the draft out. */
static const char *const vids[] = {
	"09002689dfd6b712", "afcad71368a1f1c96b8696fc77570100",
	"4048b7d56ebce88525e7de7f00d6c2d380000000", "4a131c81070358455c5728f20e95452f",
	"90cb80913ebb696e086381b5ec427b1f",
};

/* parse -> build -> the same bytes and, parsed again, the same struct */
static void
roundtrip(const char *what, const uint8_t *b, size_t n)
{
	size_t len;
	enum v1_perr e;

	e = v1_msg_parse(&M, b, n);
	T_EQ(e, V1_PERR_OK, "%s: parse: %s at %u", what, v1_perr_text(e), M.err_off);
	if (e != V1_PERR_OK)
		return;
	T_EQ(v1_msg_build(&M, out, sizeof(out), &len), 0, "%s: build", what);
	T_EQ(len, n, "%s: rebuilt length", what);
	T_MEMEQ(out, b, n, "%s: rebuilt bytes", what);
	T_EQ(v1_msg_parse(&M2, out, len), V1_PERR_OK, "%s: parse rebuilt", what);
	T_OK(v1_msg_equal(&M, &M2), "%s: same struct after rebuild", what);
}

/* The SA of a first message: DOI IPsec, identity only, one ISAKMP proposal of one KEY_IKE
 * transform whose attributes say the run's algorithms, PSK, and a lifetime in seconds. */
static void
check_sa(const char *what, unsigned r)
{
	const struct v1_payload *sa = v1_msg_find(&M, V1_PL_SA, NULL);
	const struct v1_proposal *p;
	struct v1_phase1 p1;

	T_OK(sa != NULL && sa->u.sa.n_prop == 1, "%s: SA, one proposal", what);
	if (sa == NULL || sa->u.sa.n_prop != 1)
		return;
	T_EQ(sa->u.sa.doi, V1_DOI_IPSEC, "%s: DOI", what);
	T_EQ(sa->u.sa.situation, V1_SIT_IDENTITY_ONLY, "%s: situation", what);
	p = &M.prop[sa->u.sa.prop];
	T_OK(p->proto == V1_PROTO_ISAKMP && p->spi.len == 0 && p->n_xf == 1 && p->num == 1,
	    "%s: ISAKMP proposal, no SPI, one transform", what);
	T_EQ(M.xf[p->xf].id, V1_KEY_IKE, "%s: KEY_IKE", what);
	T_EQ(v1_xf_phase1(&M, &M.xf[p->xf], &p1), 0, "%s: phase 1 attributes", what);
	T_EQ(p1.encr, runs[r].encr, "%s: encryption", what);
	T_EQ(p1.hash, runs[r].hash, "%s: hash", what);
	T_EQ(p1.auth, V1_AUTH_PSK, "%s: pre-shared key", what);
	T_EQ(p1.group, runs[r].group, "%s: group", what);
	T_EQ(p1.key_len, runs[r].key_len, "%s: key length", what);
	T_OK(p1.life_seconds > 0 && p1.life_seconds <= 86400 && p1.life_kilobytes == 0,
	    "%s: life in seconds (%llu)", what, (unsigned long long)p1.life_seconds);
}

static void
check_vids(const char *what, unsigned n)
{
	const struct v1_payload *v = NULL;
	uint8_t want[32];

	for (unsigned i = 0; i < n; i++) {
		size_t k = unhex(vids[i], want, sizeof(want));

		v = v1_msg_find(&M, V1_PL_VENDOR, v);
		T_OK(v != NULL && v->u.data.len == k && memcmp(v->u.data.p, want, k) == 0,
		    "%s: vendor ID %u", what, i);
		if (v == NULL)
			return;
	}
	T_OK(v1_msg_find(&M, V1_PL_VENDOR, v) == NULL, "%s: %u vendor IDs", what, n);
}

/* Main mode 1-4 (RFC 2409 §5): SA, SA, KE No NAT-D NAT-D both ways (RFC 3947 §3.2: one hash
 * of the peer's address, one of ours, each as long as the negotiated hash). */
static void
check_main(unsigned r, unsigned i, size_t hash_len)
{
	char what[96], s[256];
	const struct v1_payload *ke, *no, *d;

	snprintf(what, sizeof(what), "%s msg%u", runs[r].file, i);
	T_EQ(M.hdr.exchange, V1_X_ID_PROT, "%s: main mode", what);
	T_EQ(M.hdr.flags, 0, "%s: in the clear", what);
	T_EQ(M.hdr.msg_id, 0, "%s: message id 0", what);
	T_OK(i == 0 ? memcmp(M.hdr.rcookie, "\0\0\0\0\0\0\0\0", 8) == 0 :
	    memcmp(M.hdr.rcookie, "\0\0\0\0\0\0\0\0", 8) != 0, "%s: responder cookie", what);
	if (i < 2) {
		T_STREQ(v1_msg_summary(&M, s, sizeof(s)), i == 0 ? "ID_PROT 0 [ SA V V V V V ]" :
		    "ID_PROT 0 [ SA V V V V ]", "%s: summary", what);
		check_sa(what, r);
		check_vids(what, i == 0 ? 5 : 4);
		return;
	}
	T_STREQ(v1_msg_summary(&M, s, sizeof(s)), "ID_PROT 0 [ KE No NAT-D NAT-D ]",
	    "%s: summary", what);
	ke = v1_msg_find(&M, V1_PL_KE, NULL);
	no = v1_msg_find(&M, V1_PL_NONCE, NULL);
	T_OK(ke != NULL && ke->u.data.len == (runs[r].group == 2 ? 128 : runs[r].group == 19 ?
	    64 : 256), "%s: KE of group %u", what, runs[r].group);
	T_OK(no != NULL && no->u.data.len == 32, "%s: 32-byte nonce", what);
	d = v1_msg_find(&M, V1_PL_NATD, NULL);
	T_OK(d != NULL && d->u.data.len == hash_len, "%s: NAT-D of %zu", what, hash_len);
	d = v1_msg_find(&M, V1_PL_NATD, d);
	T_OK(d != NULL && d->u.data.len == hash_len, "%s: second NAT-D", what);
}

/* Aggressive mode 1 and 2 (RFC 2409 §5.4): SA KE Ni IDii V..., then SA KE Nr IDir V...
 * NAT-D NAT-D HASH_R, all in the clear. */
static void
check_aggressive(unsigned r, unsigned i, size_t hash_len)
{
	char what[96], s[256];
	const struct v1_payload *id, *h;
	const char *name = i == 0 ? runs[r].id : "gw.example.net";

	snprintf(what, sizeof(what), "%s msg%u", runs[r].file, i);
	T_EQ(M.hdr.exchange, V1_X_AGGRESSIVE, "%s: aggressive mode", what);
	T_EQ(M.hdr.flags, 0, "%s: in the clear", what);
	T_STREQ(v1_msg_summary(&M, s, sizeof(s)), i == 0 ?
	    "AGGRESSIVE 0 [ SA KE No ID V V V V V ]" :
	    "AGGRESSIVE 0 [ SA KE No ID V V V V NAT-D NAT-D HASH ]", "%s: summary", what);
	check_sa(what, r);
	check_vids(what, i == 0 ? 5 : 4);
	id = v1_msg_find(&M, V1_PL_ID, NULL);
	T_OK(id != NULL && id->u.id.type == (i == 0 ? runs[r].id_type : V1_ID_FQDN) &&
	    id->u.id.proto == 0 && id->u.id.port == 0 && id->u.id.data.len == strlen(name) &&
	    memcmp(id->u.id.data.p, name, strlen(name)) == 0, "%s: ID %s", what, name);
	if (i == 1) {
		h = v1_msg_find(&M, V1_PL_HASH, NULL);
		T_OK(h != NULL && h->u.data.len == hash_len, "%s: HASH_R of %zu", what, hash_len);
	}
}

/* The rest: encrypted (RFC 2408 §3.1 E flag), a body of whole cipher blocks, the exchange each
 * is (phase 1's last one or two, three of quick mode twice, three deletes). */
static void
check_encrypted(unsigned r, unsigned i, size_t n)
{
	unsigned first_qm = runs[r].aggressive ? 3 : 6, want_x;
	char what[96];

	snprintf(what, sizeof(what), "%s msg%u", runs[r].file, i);
	T_EQ(M.hdr.flags, V1_F_ENCRYPTED, "%s: E flag", what);
	T_EQ(M.n_pl, 0, "%s: no payload read", what);
	T_OK(M.enc.len == n - V1_HDR_LEN && M.enc.len > 0 && M.enc.len % runs[r].block == 0,
	    "%s: body of %zu, whole %u-byte blocks", what, M.enc.len, runs[r].block);
	want_x = i < first_qm ? (runs[r].aggressive ? V1_X_AGGRESSIVE : V1_X_ID_PROT) :
	    i < first_qm + 6 ? V1_X_QUICK : V1_X_INFO;
	T_EQ(M.hdr.exchange, want_x, "%s: exchange", what);
	T_OK((M.hdr.msg_id == 0) == (i < first_qm), "%s: message id", what);
	T_EQ(M.hdr.next, i < first_qm ? (runs[r].aggressive ? V1_PL_HASH : V1_PL_ID) :
	    V1_PL_HASH, "%s: first payload (ID or HASH)", what);
}

static void
test_strongswan(void)
{
	for (unsigned r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		size_t hash_len = runs[r].hash == V1_HASH_MD5 ? 16 : runs[r].hash == V1_HASH_SHA ?
		    20 : runs[r].hash == V1_HASH_SHA2_256 ? 32 : 48;
		unsigned clear = runs[r].aggressive ? 2 : 4;

		for (unsigned i = 0; i < runs[r].n_msg; i++) {
			char key[16], what[96];
			size_t n;

			snprintf(key, sizeof(key), "msg%u", i);
			snprintf(what, sizeof(what), "%s %s", runs[r].file, key);
			n = testdata_get(runs[r].file, key, buf, sizeof(buf));
			roundtrip(what, buf, n);
			if (v1_msg_parse(&M, buf, n) != V1_PERR_OK)
				continue;
			T_EQ(M.hdr.version, V1_VERSION, "%s: version 1.0", what);
			T_EQ(M.hdr.length, n, "%s: length", what);
			if (i < clear && runs[r].aggressive)
				check_aggressive(r, i, hash_len);
			else if (i < clear)
				check_main(r, i, hash_len);
			else
				check_encrypted(r, i, n);
		}
	}
}

/* ------------------------------------------------------------------ behind the E flag */

/* The CBC of RFC 2409 Appendix B, here only to open strongSwan's messages for the codec (the
 * engine's own is another module's): Ka as charon logged it, the phase 1 IV the first block of
 * HASH(g^xi | g^xr), then each message's last ciphertext block; a quick mode or informational
 * exchange starts from HASH(last phase 1 block | M-ID).  XXX: test code, not the engine's. */
struct cbc {
	const EVP_CIPHER *cipher;
	const EVP_MD	*md;
	uint8_t		ka[32];
	size_t		bs;
	uint8_t		p1[16];			/* IV of the next phase 1 message */
	uint8_t		p1_last[16];		/* last phase 1 block, for the others */
	unsigned	n_x;
	struct { uint32_t mid; uint8_t iv[16]; } x[8];	/* IVs of exchanges under way */
};

static void
cbc_hash(const struct cbc *c, const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
    uint8_t *iv)
{
	uint8_t h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, c->md, NULL);
	EVP_DigestUpdate(ctx, a, na);
	EVP_DigestUpdate(ctx, b, nb);
	EVP_DigestFinal_ex(ctx, h, &hl);
	EVP_MD_CTX_free(ctx);
	memcpy(iv, h, c->bs);
}

/* Decrypt m->enc of the message in b into plain; its length, 0 on failure. */
static size_t
cbc_open(struct cbc *c, const struct v1_msg *m, uint8_t *plain)
{
	uint8_t *iv = NULL, mid[4];
	EVP_CIPHER_CTX *ctx;
	int n1 = 0, n2 = 0;

	if (m->hdr.msg_id == 0) {
		iv = c->p1;
	} else {
		for (unsigned k = 0; k < c->n_x && iv == NULL; k++)
			if (c->x[k].mid == m->hdr.msg_id)
				iv = c->x[k].iv;
		if (iv == NULL && c->n_x < 8) {
			mid[0] = (uint8_t)(m->hdr.msg_id >> 24);
			mid[1] = (uint8_t)(m->hdr.msg_id >> 16);
			mid[2] = (uint8_t)(m->hdr.msg_id >> 8);
			mid[3] = (uint8_t)m->hdr.msg_id;
			c->x[c->n_x].mid = m->hdr.msg_id;
			iv = c->x[c->n_x++].iv;
			cbc_hash(c, c->p1_last, c->bs, mid, 4, iv);
		}
	}
	if (iv == NULL || m->enc.len == 0 || m->enc.len % c->bs != 0)
		return 0;
	ctx = EVP_CIPHER_CTX_new();
	if (EVP_DecryptInit_ex(ctx, c->cipher, NULL, c->ka, iv) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1 ||
	    EVP_DecryptUpdate(ctx, plain, &n1, m->enc.p, (int)m->enc.len) != 1 ||
	    EVP_DecryptFinal_ex(ctx, plain + n1, &n2) != 1)
		n1 = n2 = 0;
	EVP_CIPHER_CTX_free(ctx);
	memcpy(iv, m->enc.p + m->enc.len - c->bs, c->bs);	/* chained */
	if (m->hdr.msg_id == 0)
		memcpy(c->p1_last, iv, c->bs);
	return (size_t)(n1 + n2);
}

/* What charon logged it made or parsed (the initiator's log of each run), after the M-ID. */
static const char *
expected_inner(unsigned r, unsigned i)
{
	bool pfs = strstr(runs[r].file, "modp1024") != NULL || strstr(runs[r].file, "ecp256");
	unsigned qm = runs[r].aggressive ? 3 : 6;

	if (runs[r].aggressive && i == 2)
		return "[ HASH NAT-D NAT-D ]";
	if (!runs[r].aggressive && i == 4)
		return "[ ID HASH N(INITIAL_CONTACT) ]";
	if (!runs[r].aggressive && i == 5)
		return "[ ID HASH ]";
	if (i == qm || i == qm + 1 || i == qm + 3 || i == qm + 4)
		return pfs ? "[ HASH SA No KE ID ID ]" : "[ HASH SA No ID ID ]";
	if (i == qm + 2 || i == qm + 5)
		return "[ HASH ]";
	return "[ HASH D ]";
}

/* Quick mode's SA: one ESP proposal with a 4-byte SPI, one transform of the run's ESP cipher,
 * UDP-encapsulated tunnel (strongSwan here always sees a NAT), the integrity algorithm and,
 * with PFS, the group; its IDs are the two /25 subnets. */
static void
check_quick(const char *what, unsigned r)
{
	const struct v1_payload *sa = v1_msg_find(&M, V1_PL_SA, NULL), *id;
	static const uint8_t lo[8] = { 192, 0, 2, 0, 255, 255, 255, 128 };
	static const uint8_t hi[8] = { 192, 0, 2, 128, 255, 255, 255, 128 };
	const struct v1_proposal *p;
	struct v1_phase2 p2;

	T_OK(sa != NULL && sa->u.sa.n_prop == 1, "%s: one proposal", what);
	if (sa == NULL || sa->u.sa.n_prop != 1)
		return;
	p = &M.prop[sa->u.sa.prop];
	T_OK(p->proto == V1_PROTO_ESP && p->spi.len == 4 && p->n_xf == 1, "%s: ESP", what);
	T_EQ(M.xf[p->xf].id, r == 1 ? V1_ESP_3DES : V1_ESP_AES, "%s: ESP transform", what);
	T_EQ(v1_xf_phase2(&M, &M.xf[p->xf], &p2), 0, "%s: phase 2 attributes", what);
	T_EQ(p2.encap, V1_ENCAP_UDP_TUNNEL, "%s: UDP-encapsulated tunnel", what);
	T_EQ(p2.auth, r == 1 ? V1_AALG_HMAC_MD5 : r == 0 || r == 3 ? V1_AALG_HMAC_SHA :
	    V1_AALG_HMAC_SHA2_256, "%s: integrity", what);
	T_EQ(p2.group, r == 1 ? 2 : r == 2 ? 14 : 0, "%s: PFS group", what);
	T_EQ(p2.key_len, r == 1 ? 0 : r == 0 || r == 3 ? 128 : 256, "%s: key length", what);
	T_EQ(p2.life_seconds, 3960, "%s: charon's default life_time, 66 min", what);
	id = v1_msg_find(&M, V1_PL_ID, NULL);
	T_OK(id != NULL && id->u.id.type == V1_ID_IPV4_ADDR_SUBNET && id->u.id.proto == 0 &&
	    id->u.id.port == 0, "%s: IDci a subnet", what);
	if (id == NULL)
		return;
	T_OK(id->u.id.data.len == 8 && memcmp(id->u.id.data.p, lo, 8) == 0 &&
	    (id = v1_msg_find(&M, V1_PL_ID, id)) != NULL && id->u.id.data.len == 8 &&
	    memcmp(id->u.id.data.p, hi, 8) == 0, "%s: 192.0.2.0/25 to 192.0.2.128/25", what);
}

/* The deletes of the end: the two children (the first and its rekey), then phase 1 by its
 * cookies (those of the message in buf). */
static void
check_delete(const char *what, unsigned k)
{
	const struct v1_payload *d = v1_msg_find(&M, V1_PL_DELETE, NULL);

	if (k < 2)
		T_OK(d->u.del.proto == V1_PROTO_ESP && d->u.del.spi_size == 4 &&
		    d->u.del.n_spi == 1, "%s: delete of a child SA", what);
	else
		T_OK(d->u.del.proto == V1_PROTO_ISAKMP && d->u.del.spi_size == 16 &&
		    d->u.del.n_spi == 1 && memcmp(d->u.del.spis.p, buf, 16) == 0,
		    "%s: delete of the ISAKMP SA", what);
}

static void
test_strongswan_inner(void)
{
	static uint8_t plain[8192], ke_i[512], ke_r[512];

	for (unsigned r = 0; r < sizeof(runs) / sizeof(runs[0]); r++) {
		unsigned clear = runs[r].aggressive ? 2 : 4, n_del = 0;
		size_t n_i = 0, n_r = 0;
		struct cbc c;

		memset(&c, 0, sizeof(c));
		c.bs = runs[r].block;
		c.cipher = runs[r].encr == V1_ENCR_3DES ? EVP_des_ede3_cbc() :
		    runs[r].key_len == 128 ? EVP_aes_128_cbc() : runs[r].key_len == 192 ?
		    EVP_aes_192_cbc() : EVP_aes_256_cbc();
		c.md = runs[r].hash == V1_HASH_MD5 ? EVP_md5() : runs[r].hash == V1_HASH_SHA ?
		    EVP_sha1() : runs[r].hash == V1_HASH_SHA2_256 ? EVP_sha256() : EVP_sha384();
		T_EQ(testdata_get(runs[r].file, "keys.ka", c.ka, sizeof(c.ka)),
		    (size_t)EVP_CIPHER_key_length(c.cipher), "%s: Ka", runs[r].file);
		for (unsigned i = 0; i < runs[r].n_msg; i++) {
			char key[16], what[96], s[256];
			const char *want, *got;
			size_t n, pn, len;

			snprintf(key, sizeof(key), "msg%u", i);
			snprintf(what, sizeof(what), "%s %s", runs[r].file, key);
			n = testdata_get(runs[r].file, key, buf, sizeof(buf));
			if (v1_msg_parse(&M, buf, n) != V1_PERR_OK)
				continue;
			if (i < clear) {	/* g^xi, g^xr for the phase 1 IV */
				const struct v1_payload *ke = v1_msg_find(&M, V1_PL_KE, NULL);

				if (ke != NULL && i == clear - 2)
					memcpy(ke_i, ke->u.data.p, n_i = ke->u.data.len);
				else if (ke != NULL)
					memcpy(ke_r, ke->u.data.p, n_r = ke->u.data.len);
				if (i == clear - 1)
					cbc_hash(&c, ke_i, n_i, ke_r, n_r, c.p1);
				continue;
			}
			pn = cbc_open(&c, &M, plain);
			T_EQ(pn, M.enc.len, "%s: decrypted", what);
			T_EQ(v1_msg_parse_inner(&M, plain, pn), V1_PERR_OK,
			    "%s: parse inner at %u", what, M.err_off);
			want = expected_inner(r, i);
			got = strchr(v1_msg_summary(&M, s, sizeof(s)), '[');
			T_STREQ(got != NULL ? got : s, want, "%s: as charon logged it", what);
			T_OK(M.pad_len >= 1 && M.pad_len <= runs[r].block,
			    "%s: 1 to %u bytes of padding", what, runs[r].block);
			if (v1_msg_find(&M, V1_PL_SA, NULL) != NULL)
				check_quick(what, r);
			if (v1_msg_find(&M, V1_PL_DELETE, NULL) != NULL)
				check_delete(what, n_del++);
			/* built in the clear and padded: strongSwan's plaintext */
			T_EQ(v1_msg_build(&M, out, sizeof(out), &len), 0, "%s: build", what);
			T_EQ(v1_msg_pad(out, &len, sizeof(out), runs[r].block), 0, "%s: pad",
			    what);
			T_OK(len == n && memcmp(out + V1_HDR_LEN, plain, pn) == 0,
			    "%s: rebuilt and padded to charon's plaintext", what);
		}
		T_EQ(n_del, 3, "%s: three deletes", runs[r].file);
	}
}

/* Every payload through the builder: an aggressive-mode-like first message with all phase 1
 * attributes (a TLV lifetime too), a quick-mode-like one with AH+ESP proposals and every phase 2
 * attribute, and the informational payloads. */
static void
test_build_all(void)
{
	static const uint8_t ck_i[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, ck_r[8] = { 8, 7 };
	static const uint8_t ke[128] = { 0xab }, nonce[16] = { 0x4e }, hash[20] = { 0x11 };
	static const uint8_t sig[64] = { 0x51 }, natd[20] = { 0xd0 }, vid[16] = { 0xaf };
	static const uint8_t spi_esp[4] = { 0xc0, 0x01, 0xca, 0xfe }, spi_ah[4] = { 0xa4 };
	static const uint8_t cookies[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 8, 7 };
	static const uint8_t spis[12] = { 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3 };
	static const uint8_t subnet[8] = { 192, 0, 2, 0, 255, 255, 255, 128 };
	static const uint8_t range[8] = { 192, 0, 2, 128, 192, 0, 2, 255 };
	static const uint8_t v4[4] = { 10, 0, 0, 1 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, cert[3] = { 0x30 };
	static const struct { uint8_t type; const void *data; size_t len; } ids[] = {
		{ V1_ID_IPV4_ADDR, v4, 4 }, { V1_ID_FQDN, "gw.example.net", 14 },
		{ V1_ID_USER_FQDN, "road@example.net", 16 },
		{ V1_ID_IPV4_ADDR_SUBNET, subnet, 8 }, { V1_ID_IPV4_ADDR_RANGE, range, 8 },
		{ V1_ID_IPV6_ADDR, v6, 16 },
	};
	static struct v1_msg b;
	struct v1_payload *pl;
	struct v1_proposal *p;
	struct v1_transform *t;
	struct v1_phase1 p1;
	struct v1_phase2 p2;
	size_t len, len2;
	char s[256];

	v1_msg_init(&b, ck_i, ck_r, V1_X_AGGRESSIVE, 0, 0);
	pl = v1_msg_add(&b, V1_PL_SA);
	p = v1_msg_add_proposal(&b, pl, 1, V1_PROTO_ISAKMP, (struct ike_chunk){ NULL, 0 });
	T_OK(p != NULL, "proposal");
	for (unsigned k = 0; k < 2; k++) {
		t = v1_msg_add_transform(&b, p, (uint8_t)(k + 1), V1_KEY_IKE);
		T_OK(t != NULL, "transform %u", k);
		v1_msg_add_attr(&b, t, V1_A1_ENCR, k == 0 ? V1_ENCR_AES : V1_ENCR_3DES);
		v1_msg_add_attr(&b, t, V1_A1_HASH, V1_HASH_SHA2_256);
		v1_msg_add_attr(&b, t, V1_A1_AUTH, V1_AUTH_PSK);
		v1_msg_add_attr(&b, t, V1_A1_GROUP, 14);
		v1_msg_add_attr(&b, t, V1_A1_LIFE_TYPE, V1_LIFE_SECONDS);
		T_OK(v1_msg_add_attr(&b, t, V1_A1_LIFE_DUR, 86400)->tlv, "86400 s: TLV");
		v1_msg_add_attr(&b, t, V1_A1_LIFE_TYPE, V1_LIFE_KILOBYTES);
		v1_msg_add_attr(&b, t, V1_A1_LIFE_DUR, 4608000);
		if (k == 0)
			v1_msg_add_attr(&b, t, V1_A1_KEY_LEN, 256);
	}
	T_OK(v1_msg_add_transform(&b, &b.prop[0], 3, 1) != NULL, "transform of the last one");
	T_OK(v1_msg_add_attr(&b, &b.xf[0], V1_A1_ENCR, 1) == NULL,
	    "no attribute for a transform that is not the last");
	b.n_xf--;
	b.prop[0].n_xf--;
	pl = v1_msg_add(&b, V1_PL_KE);
	pl->u.data = (struct ike_chunk){ ke, sizeof(ke) };
	pl = v1_msg_add(&b, V1_PL_NONCE);
	pl->u.data = (struct ike_chunk){ nonce, sizeof(nonce) };
	for (size_t k = 0; k < sizeof(ids) / sizeof(ids[0]); k++) {
		pl = v1_msg_add(&b, V1_PL_ID);
		pl->u.id.type = ids[k].type;
		pl->u.id.proto = k == 3 ? 17 : 0;	/* the subnet, pl[6] */
		pl->u.id.port = k == 3 ? 500 : 0;
		pl->u.id.data = (struct ike_chunk){ ids[k].data, ids[k].len };
	}
	pl = v1_msg_add(&b, V1_PL_VENDOR);
	pl->u.data = (struct ike_chunk){ vid, sizeof(vid) };
	pl = v1_msg_add(&b, V1_PL_NATD);
	pl->u.data = (struct ike_chunk){ natd, sizeof(natd) };
	pl = v1_msg_add(&b, V1_PL_NATOA);
	pl->u.natoa.type = V1_ID_IPV4_ADDR;
	pl->u.natoa.addr = (struct ike_chunk){ v4, 4 };
	pl = v1_msg_add(&b, V1_PL_NATOA);
	pl->u.natoa.type = V1_ID_IPV6_ADDR;
	pl->u.natoa.addr = (struct ike_chunk){ v6, 16 };
	pl = v1_msg_add(&b, V1_PL_HASH);
	pl->u.data = (struct ike_chunk){ hash, sizeof(hash) };
	pl = v1_msg_add(&b, V1_PL_SIG);
	pl->u.data = (struct ike_chunk){ sig, sizeof(sig) };
	pl = v1_msg_add(&b, V1_PL_CERT);
	pl->u.cert.encoding = 4;	/* X.509 signature */
	pl->u.cert.data = (struct ike_chunk){ cert, sizeof(cert) };
	pl = v1_msg_add(&b, V1_PL_CR);
	pl->u.cert.encoding = 4;
	pl = v1_msg_add(&b, 200);	/* private use */
	pl->u.data = (struct ike_chunk){ vid, 3 };
	T_EQ(v1_msg_build(&b, out, sizeof(out), &len), 0, "build phase 1");
	T_EQ(out[16], V1_PL_SA, "header's Next Payload");
	T_STREQ(v1_msg_summary(&b, s, sizeof(s)), "AGGRESSIVE 0 [ SA KE No ID ID ID ID ID ID V "
	    "NAT-D NAT-OA NAT-OA HASH SIG CERT CR PL(200) ]", "summary");
	roundtrip("phase 1, every payload", out, len);
	T_OK(v1_msg_equal(&b, &M), "the struct we built");
	T_EQ(v1_xf_phase1(&M, &M.xf[0], &p1), 0, "phase 1 attributes");
	T_OK(p1.encr == V1_ENCR_AES && p1.hash == V1_HASH_SHA2_256 && p1.auth == V1_AUTH_PSK &&
	    p1.group == 14 && p1.key_len == 256 && p1.life_seconds == 86400 &&
	    p1.life_kilobytes == 4608000, "phase 1 values, TLV durations");
	T_OK(M.attr[M.xf[0].attr + 5].tlv && M.attr[M.xf[0].attr + 5].len == 4,
	    "86400 as a 4-byte TLV");
	T_EQ(v1_xf_phase1(&M, &M.xf[1], &p1), 0, "second transform");
	T_EQ(p1.encr, V1_ENCR_3DES, "3DES");
	T_EQ(M.pl[6].u.id.port, 500, "ID port");
	T_EQ(M.pl[6].u.id.proto, 17, "ID protocol");
	T_EQ(v1_msg_build(&b, out2, len - 1, &len2), -1, "one byte short of room");

	/* quick mode: HASH SA(ESP + AH proposals) No KE ID ID NAT-OA NAT-OA */
	v1_msg_init(&b, ck_i, ck_r, V1_X_QUICK, V1_F_ENCRYPTED, 0x12345678);
	pl = v1_msg_add(&b, V1_PL_HASH);
	pl->u.data = (struct ike_chunk){ hash, sizeof(hash) };
	pl = v1_msg_add(&b, V1_PL_SA);
	p = v1_msg_add_proposal(&b, pl, 1, V1_PROTO_ESP, (struct ike_chunk){ spi_esp, 4 });
	t = v1_msg_add_transform(&b, p, 1, V1_ESP_AES);
	v1_msg_add_attr(&b, t, V1_A2_LIFE_TYPE, V1_LIFE_SECONDS);
	v1_msg_add_attr(&b, t, V1_A2_LIFE_DUR, 3600);
	v1_msg_add_attr(&b, t, V1_A2_LIFE_TYPE, V1_LIFE_KILOBYTES);
	v1_msg_add_attr(&b, t, V1_A2_LIFE_DUR, 4608000);
	v1_msg_add_attr(&b, t, V1_A2_ENCAP, V1_ENCAP_UDP_TUNNEL);
	v1_msg_add_attr(&b, t, V1_A2_AUTH, V1_AALG_HMAC_SHA2_256);
	v1_msg_add_attr(&b, t, V1_A2_KEY_LEN, 128);
	v1_msg_add_attr(&b, t, V1_A2_GROUP, 14);
	t = v1_msg_add_transform(&b, p, 2, V1_ESP_3DES);
	v1_msg_add_attr(&b, t, V1_A2_ENCAP, V1_ENCAP_UDP_TRANSPORT);
	v1_msg_add_attr(&b, t, V1_A2_AUTH, V1_AALG_HMAC_MD5);
	p = v1_msg_add_proposal(&b, pl, 2, V1_PROTO_AH, (struct ike_chunk){ spi_ah, 4 });
	t = v1_msg_add_transform(&b, p, 1, V1_AH_SHA);
	v1_msg_add_attr(&b, t, V1_A2_AUTH, V1_AALG_HMAC_SHA);
	v1_msg_add_attr(&b, t, V1_A2_ENCAP, V1_ENCAP_TUNNEL);
	p = v1_msg_add_proposal(&b, pl, 2, V1_PROTO_ESP, (struct ike_chunk){ spi_esp, 4 });
	t = v1_msg_add_transform(&b, p, 1, V1_ESP_DES);
	v1_msg_add_attr(&b, t, V1_A2_ENCAP, V1_ENCAP_TRANSPORT);
	pl = v1_msg_add(&b, V1_PL_NONCE);
	pl->u.data = (struct ike_chunk){ nonce, sizeof(nonce) };
	pl = v1_msg_add(&b, V1_PL_KE);
	pl->u.data = (struct ike_chunk){ ke, sizeof(ke) };
	pl = v1_msg_add(&b, V1_PL_ID);
	pl->u.id.type = V1_ID_IPV4_ADDR_SUBNET;
	pl->u.id.data = (struct ike_chunk){ subnet, 8 };
	pl = v1_msg_add(&b, V1_PL_ID);
	pl->u.id.type = V1_ID_IPV4_ADDR_RANGE;
	pl->u.id.proto = 6;
	pl->u.id.port = 443;
	pl->u.id.data = (struct ike_chunk){ range, 8 };
	T_EQ(v1_msg_build(&b, out, sizeof(out), &len), 0, "build quick mode");
	T_EQ(out[19], V1_F_ENCRYPTED, "E flag written");
	T_EQ(v1_msg_parse(&M, out, len), V1_PERR_OK, "parse: framing only");
	T_EQ(M.n_pl, 0, "nothing read behind the E flag");
	T_EQ(v1_msg_parse_inner(&M, M.enc.p, M.enc.len), V1_PERR_OK, "open");
	T_EQ(M.pad_len, 0, "no padding");
	T_OK(v1_msg_equal(&b, &M) == false, "opened is not built from scratch");
	b.opened = true;
	T_OK(v1_msg_equal(&b, &M), "same payloads");
	T_STREQ(v1_msg_summary(&M, s, sizeof(s)), "QUICK_MODE 305419896 [ HASH SA No KE ID ID ]",
	    "summary");
	T_EQ(M.pl[1].u.sa.n_prop, 3, "three proposals");
	T_OK(M.prop[1].num == 2 && M.prop[2].num == 2 && M.prop[1].proto == V1_PROTO_AH,
	    "AH and ESP under one proposal number");
	T_EQ(v1_xf_phase2(&M, &M.xf[0], &p2), 0, "phase 2 attributes");
	T_OK(p2.life_seconds == 3600 && p2.life_kilobytes == 4608000 &&
	    p2.encap == V1_ENCAP_UDP_TUNNEL && p2.auth == V1_AALG_HMAC_SHA2_256 &&
	    p2.key_len == 128 && p2.group == 14, "phase 2 values");
	T_EQ(v1_xf_phase2(&M, &M.xf[1], &p2), 0, "3DES transform");
	T_OK(p2.encap == V1_ENCAP_UDP_TRANSPORT && p2.auth == V1_AALG_HMAC_MD5 &&
	    p2.life_seconds == 0, "UDP-encapsulated transport, no lifetime");
	T_OK(M.pl[5].u.id.proto == 6 && M.pl[5].u.id.port == 443 &&
	    M.pl[5].u.id.data.p[3] == 128, "range with protocol and port");

	/* informational: HASH N(INITIAL_CONTACT, ISAKMP SPI) N(R_U_THERE) D(3 ESP SPIs) */
	v1_msg_init(&b, ck_i, ck_r, V1_X_INFO, 0, 7);
	pl = v1_msg_add(&b, V1_PL_HASH);
	pl->u.data = (struct ike_chunk){ hash, sizeof(hash) };
	pl = v1_msg_add(&b, V1_PL_NOTIFY);
	pl->u.notify.proto = V1_PROTO_ISAKMP;
	pl->u.notify.type = V1_N_INITIAL_CONTACT;
	pl->u.notify.spi = (struct ike_chunk){ cookies, 16 };
	pl = v1_msg_add(&b, V1_PL_NOTIFY);
	pl->u.notify.proto = V1_PROTO_ISAKMP;
	pl->u.notify.type = V1_N_R_U_THERE;
	pl->u.notify.spi = (struct ike_chunk){ cookies, 16 };
	pl->u.notify.data = (struct ike_chunk){ (const uint8_t *)"\0\0\0\x2a", 4 };
	pl = v1_msg_add(&b, V1_PL_DELETE);
	pl->u.del.proto = V1_PROTO_ESP;
	pl->u.del.spi_size = 4;
	pl->u.del.n_spi = 3;
	pl->u.del.spis = (struct ike_chunk){ spis, 12 };
	pl = v1_msg_add(&b, V1_PL_DELETE);
	pl->u.del.proto = V1_PROTO_ISAKMP;
	pl->u.del.spi_size = 16;
	pl->u.del.n_spi = 1;
	pl->u.del.spis = (struct ike_chunk){ cookies, 16 };
	T_EQ(v1_msg_build(&b, out, sizeof(out), &len), 0, "build informational");
	roundtrip("informational", out, len);
	T_OK(v1_msg_equal(&b, &M), "the struct we built");
	T_STREQ(v1_msg_summary(&M, s, sizeof(s)), "INFORMATIONAL 7 [ HASH N(INITIAL_CONTACT) "
	    "N(R_U_THERE) D D ]", "summary");
	T_OK(v1_msg_find_notify(&M, V1_N_R_U_THERE) == &M.pl[2] &&
	    M.pl[2].u.notify.spi.len == 16 && M.pl[2].u.notify.data.len == 4, "R-U-THERE");
	T_OK(v1_msg_find_notify(&M, V1_N_R_U_THERE_ACK) == NULL, "no ACK");
	T_OK(M.pl[3].u.del.n_spi == 3 && memcmp(M.pl[3].u.del.spis.p + 8, spis + 8, 4) == 0,
	    "three SPIs");
	b.pl[3].u.del.n_spi = 2;
	T_EQ(v1_msg_build(&b, out, sizeof(out), &len), -1, "Delete count and SPIs disagree");
}

/* The E flag: built in the clear, padded, "encrypted" (left as it is: the cipher is the
 * caller's), parsed, opened with the padding; a ciphertext wrapped in a header. */
static void
test_encrypted(void)
{
	static const uint8_t ck[8] = { 9 }, hash[20] = { 1 }, body[32] = { 0xee };
	static struct v1_msg b;
	struct v1_payload *pl;
	size_t len, len2;
	char s[128];

	v1_msg_init(&b, ck, ck, V1_X_ID_PROT, V1_F_ENCRYPTED, 0);
	pl = v1_msg_add(&b, V1_PL_ID);
	pl->u.id.type = V1_ID_IPV4_ADDR;
	pl->u.id.data = (struct ike_chunk){ (const uint8_t *)"\xc6\x33\x64\x01", 4 };
	pl = v1_msg_add(&b, V1_PL_HASH);
	pl->u.data = (struct ike_chunk){ hash, sizeof(hash) };
	T_EQ(v1_msg_build(&b, out, sizeof(out), &len), 0, "build");
	T_EQ(len, V1_HDR_LEN + 12 + 24, "ID 12, HASH 24");
	T_EQ(v1_msg_pad(out, &len, sizeof(out), 16), 0, "pad to 16");
	T_EQ(len, V1_HDR_LEN + 48, "36 -> 48");
	T_OK(out[V1_HDR_LEN + 36] == 0 && out[len - 1] == 0, "zero padding");
	T_EQ(out[27], V1_HDR_LEN + 48, "header length counts it");
	len2 = len;
	memcpy(out2, out, len);
	T_EQ(v1_msg_pad(out2, &len2, sizeof(out2), 16), 0, "aligned already");
	T_EQ(len2, V1_HDR_LEN + 64, "a whole block added, as strongSwan does");
	len2 = V1_HDR_LEN + 36;
	T_EQ(v1_msg_pad(out2, &len2, V1_HDR_LEN + 40, 8), 0, "pad to 8 in exactly the room");
	len2 = V1_HDR_LEN + 36;
	T_EQ(v1_msg_pad(out2, &len2, V1_HDR_LEN + 39, 8), -1, "no room for the padding");
	T_EQ(v1_msg_pad(out2, &len2, sizeof(out2), 0), -1, "block 0");
	len2 = 3;
	T_EQ(v1_msg_pad(out2, &len2, sizeof(out2), 8), -1, "below the header");

	T_EQ(v1_msg_parse(&M, out, len), V1_PERR_OK, "parse");
	T_EQ(M.enc.len, 48, "body kept");
	T_STREQ(v1_msg_summary(&M, s, sizeof(s)), "ID_PROT 0 [ encrypted 48 ]", "summary");
	T_EQ(M.hdr.next, V1_PL_ID, "first payload named in the clear");
	T_EQ(v1_msg_parse_inner(&M, M.enc.p, M.enc.len), V1_PERR_OK, "open");
	T_EQ(M.pad_len, 12, "12 bytes of padding");
	T_EQ(M.n_pl, 2, "ID HASH");
	T_EQ(v1_msg_parse_inner(&M, M.enc.p, M.enc.len), V1_PERR_ENCRYPTED, "opened twice");
	T_EQ(v1_msg_build(&M, out2, sizeof(out2), &len2), 0, "rebuild in the clear");
	T_EQ(len2, V1_HDR_LEN + 36, "without the padding");
	T_EQ(v1_msg_parse(&M2, out2, len2), V1_PERR_OK, "parse");
	T_OK(v1_msg_parse_inner(&M2, M2.enc.p, M2.enc.len) == V1_PERR_OK &&
	    v1_msg_equal(&M, &M2), "same payloads");
	/* a decryption that gives garbage: refused with nothing left half-parsed */
	T_EQ(v1_msg_parse(&M, out, len), V1_PERR_OK, "parse again");
	T_EQ(v1_msg_parse_inner(&M, body, sizeof(body)), V1_PERR_TRUNCATED, "garbage inside");
	T_OK(M.n_pl == 0 && !M.opened, "nothing kept");
	b.hdr.flags = 0;
	T_EQ(v1_msg_build(&b, out, sizeof(out), &len), 0, "in the clear");
	T_EQ(v1_msg_parse(&M, out, len), V1_PERR_OK, "parse");
	T_EQ(v1_msg_parse_inner(&M, out, 0), V1_PERR_ENCRYPTED, "no E flag: nothing to open");

	/* a message around a ciphertext made elsewhere */
	v1_msg_init(&b, ck, ck, V1_X_QUICK, V1_F_ENCRYPTED, 99);
	b.hdr.next = V1_PL_HASH;
	b.enc = (struct ike_chunk){ body, sizeof(body) };
	T_EQ(v1_msg_build(&b, out, sizeof(out), &len), 0, "wrap");
	T_OK(len == V1_HDR_LEN + 32 && out[16] == V1_PL_HASH && out[19] == V1_F_ENCRYPTED &&
	    memcmp(out + V1_HDR_LEN, body, 32) == 0, "header + body");
	T_EQ(v1_msg_parse(&M, out, len), V1_PERR_OK, "parse");
	T_OK(v1_msg_equal(&b, &M), "same");
}

/* A message of header + payloads given as hex bodies; returns its length. */
static size_t
mk(uint8_t *b, uint8_t first, const char *payloads)
{
	size_t n;

	memset(b, 0, V1_HDR_LEN);
	b[0] = 0x11;
	b[16] = first;
	b[17] = V1_VERSION;
	b[18] = V1_X_INFO;
	n = V1_HDR_LEN + unhex(payloads, b + V1_HDR_LEN, sizeof(buf) - V1_HDR_LEN);
	b[26] = (uint8_t)(n >> 8);
	b[27] = (uint8_t)n;
	return n;
}

struct bad {
	const char	*what;
	uint8_t		first;
	const char	*payloads;
	enum v1_perr	e;
};

/* SA bodies below: DOI 1, SIT 1, then proposals ("P") and transforms ("T"). */
static const struct bad bad[] = {
	{ "payload length 0", V1_PL_VENDOR, "00000000", V1_PERR_TRUNCATED },
	{ "payload length 3", V1_PL_NONCE, "000000 03", V1_PERR_TRUNCATED },
	{ "payload past the end", V1_PL_VENDOR, "00000009 0102 03 04", V1_PERR_TRUNCATED },
	{ "next payload but no bytes", V1_PL_VENDOR, "0d000005 ff", V1_PERR_TRUNCATED },
	{ "header cut inside a payload header", V1_PL_VENDOR, "0d000005 ff 0000",
	  V1_PERR_TRUNCATED },
	{ "bytes after the last payload", V1_PL_VENDOR, "00000005 ff 00", V1_PERR_TRAILING },
	{ "Proposal at top level", V1_PL_PROPOSAL, "00000008 01010000", V1_PERR_PAYLOAD_TYPE },
	{ "Transform at top level", V1_PL_VENDOR, "03000005 ff 00000008 01010000",
	  V1_PERR_PAYLOAD_TYPE },
	{ "unassigned payload type 14", 14, "00000004", V1_PERR_PAYLOAD_TYPE },
	{ "unassigned payload type 127", V1_PL_VENDOR, "7f000005 ff 00000004",
	  V1_PERR_PAYLOAD_TYPE },
	{ "zero-length vendor ID", V1_PL_VENDOR, "00000004", V1_PERR_EMPTY },
	{ "zero-length KE", V1_PL_KE, "00000004", V1_PERR_EMPTY },
	{ "zero-length HASH", V1_PL_HASH, "00000004", V1_PERR_EMPTY },
	{ "zero-length SIG", V1_PL_SIG, "00000004", V1_PERR_EMPTY },
	{ "zero-length NAT-D", V1_PL_NATD, "00000004", V1_PERR_EMPTY },
	{ "zero-length nonce", V1_PL_NONCE, "00000004", V1_PERR_EMPTY },
	{ "nonce of 7", V1_PL_NONCE, "0000000b 01020304050607", V1_PERR_SYNTAX },
	{ "SA without proposals", V1_PL_SA, "0000000c 00000001 00000001", V1_PERR_EMPTY },
	{ "SA of 7 bytes", V1_PL_SA, "0000000b 00000001 000000", V1_PERR_SYNTAX },
	{ "SA of DOI 2", V1_PL_SA, "00000014 00000002 00000001 00000008 01010000",
	  V1_PERR_DOI },
	{ "SA with secrecy", V1_PL_SA, "00000014 00000001 00000003 00000008 01010000",
	  V1_PERR_SITUATION },
	{ "proposal with no transform", V1_PL_SA,
	  "00000014 00000001 00000001 00000008 01010000", V1_PERR_PROPOSAL },
	{ "proposal marked last, another follows", V1_PL_SA,
	  "00000024 00000001 00000001 00000010 01010001 00000008 01010000"
	  " 00000008 02010000", V1_PERR_PROPOSAL },
	{ "proposal marked more, none follows", V1_PL_SA,
	  "0000001c 00000001 00000001 02000010 01010001 00000008 01010000", V1_PERR_PROPOSAL },
	{ "proposal chained as a Transform", V1_PL_SA,
	  "0000001c 00000001 00000001 03000010 01010001 00000008 01010000", V1_PERR_PROPOSAL },
	{ "transform marked more, none follows", V1_PL_SA,
	  "0000001c 00000001 00000001 00000010 01010001 03000008 01010000", V1_PERR_PROPOSAL },
	{ "transform chained as a Proposal", V1_PL_SA,
	  "00000024 00000001 00000001 00000018 01010002 02000008 01010000 00000008 02010000",
	  V1_PERR_PROPOSAL },
	{ "two transforms announced, one there", V1_PL_SA,
	  "0000001c 00000001 00000001 00000010 01010002 00000008 01010000", V1_PERR_PROPOSAL },
	{ "transform length 7", V1_PL_SA,
	  "0000001c 00000001 00000001 00000010 01010001 00000007 01010000", V1_PERR_PROPOSAL },
	{ "transform past its proposal", V1_PL_SA,
	  "0000001c 00000001 00000001 00000010 01010001 0000000c 01010000", V1_PERR_PROPOSAL },
	{ "ESP proposal with a 2-byte SPI", V1_PL_SA,
	  "0000001e 00000001 00000001 00000012 01030201 abcd 00000008 010c0000",
	  V1_PERR_PROPOSAL },
	{ "proposal SPI past its length", V1_PL_SA,
	  "00000014 00000001 00000001 00000008 01030400", V1_PERR_PROPOSAL },
	{ "TLV attribute past the transform", V1_PL_SA,
	  "00000020 00000001 00000001 00000014 01010001 0000000c 01010000 000c0005",
	  V1_PERR_PROPOSAL },
	{ "attribute cut in two", V1_PL_SA,
	  "0000001e 00000001 00000001 00000012 01010001 0000000a 01010000 8001",
	  V1_PERR_PROPOSAL },
	{ "notify SPI past the end", V1_PL_NOTIFY, "0000000d 00000001 0310 6002 ff",
	  V1_PERR_SYNTAX },
	{ "notify of 7", V1_PL_NOTIFY, "0000000b 00000001 031060", V1_PERR_SYNTAX },
	{ "notify of DOI 3", V1_PL_NOTIFY, "0000000c 00000003 03006002", V1_PERR_DOI },
	{ "delete count and length disagree", V1_PL_DELETE,
	  "00000010 00000001 03040002 01020304", V1_PERR_SYNTAX },
	{ "delete of no SPI", V1_PL_DELETE, "0000000c 00000001 03040000", V1_PERR_EMPTY },
	{ "ID_IPV4_ADDR of 5", V1_PL_ID, "0000000d 01000000 c000020100", V1_PERR_ID },
	{ "ID_IPV4_ADDR_SUBNET of 4", V1_PL_ID, "0000000c 04000000 c0000200", V1_PERR_ID },
	{ "ID_IPV4_ADDR_RANGE of 12", V1_PL_ID,
	  "00000014 07000000 c0000200 c00002ff 00000000", V1_PERR_ID },
	{ "empty ID_FQDN", V1_PL_ID, "00000008 02000000", V1_PERR_ID },
	{ "ID type 12", V1_PL_ID, "00000009 0c000000 41", V1_PERR_ID },
	{ "ID of 3", V1_PL_ID, "00000007 010000", V1_PERR_SYNTAX },
	{ "NAT-OA of an FQDN", V1_PL_NATOA, "0000000c 02000000 c0000201", V1_PERR_ID },
	{ "NAT-OA IPv4 of 3", V1_PL_NATOA, "0000000b 01000000 c00002", V1_PERR_ID },
	{ "empty CERT", V1_PL_CERT, "00000005 04", V1_PERR_EMPTY },
};

static void
test_bad(void)
{
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum v1_perr e;

		n = mk(buf, bad[i].first, bad[i].payloads);
		e = v1_msg_parse(&M, buf, n);
		T_EQ(e, bad[i].e, "%s: got \"%s\"", bad[i].what, v1_perr_text(e));
		T_EQ(M.n_pl + M.n_prop + M.n_xf + M.n_attr, 0, "%s: nothing half-parsed",
		    bad[i].what);
	}
	T_EQ(v1_perr_notify(V1_PERR_PAYLOAD_TYPE), V1_N_INVALID_PAYLOAD_TYPE, "its notify");
	T_EQ(v1_perr_notify(V1_PERR_PROPOSAL), V1_N_BAD_PROPOSAL_SYNTAX, "its notify");
	T_EQ(v1_perr_notify(V1_PERR_TRUNCATED), V1_N_PAYLOAD_MALFORMED, "its notify");
	T_EQ(v1_perr_notify(V1_PERR_ID), V1_N_INVALID_ID_INFORMATION, "its notify");
	T_EQ(v1_perr_notify(V1_PERR_DOI), V1_N_DOI_NOT_SUPPORTED, "its notify");
	T_EQ(v1_perr_notify(V1_PERR_TOO_MANY), 0, "dropped silently");
	T_STREQ(v1_perr_text(V1_PERR_MAX), "?", "out of range");

	n = mk(buf, V1_PL_VENDOR, "0d000005 ff 03000005 ff 00000004");
	v1_msg_parse(&M, buf, n);
	T_EQ(M.err_type, 3, "the payload type that broke the chain");
	T_EQ(M.err_off, V1_HDR_LEN + 10, "and where");

	n = mk(buf, V1_PL_NONE, "");
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_OK, "header alone");
	T_EQ(v1_msg_parse(&M, buf, V1_HDR_LEN - 1), V1_PERR_SHORT, "27 bytes");
	buf[17] = 0x20;
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_VERSION, "IKEv2");
	T_EQ(v1_perr_notify(V1_PERR_VERSION), V1_N_INVALID_MAJOR_VERSION, "its notify");
	buf[17] = 0x11;
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_OK, "minor version 1 is fine");
	buf[17] = V1_VERSION;
	buf[27]++;
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_LENGTH, "header says 29");
	buf[27] -= 2;
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_LENGTH, "header says 27");
	buf[27]++;
	buf[19] = 0xf8;
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_OK, "unknown flags");
	T_EQ(M.hdr.flags, 0, "unknown flags dropped");
}

/* The fixed pools, each filled to its limit (parses) and one past it (V1_PERR_TOO_MANY). */
static size_t
mk_many(unsigned n_pl, unsigned n_prop, unsigned n_xf, unsigned n_attr)
{
	size_t off = V1_HDR_LEN, sa;

	memset(buf, 0, V1_HDR_LEN);
	buf[17] = V1_VERSION;
	buf[16] = n_prop > 0 ? V1_PL_SA : V1_PL_VENDOR;
	if (n_prop > 0) {			/* one SA: n_prop proposals, n_xf transforms */
		sa = off;
		memcpy(buf + off, "\0\0\0\0\0\0\0\1\0\0\0\1", 12);
		off += 12;
		for (unsigned p = 0; p < n_prop; p++) {
			size_t po = off;
			unsigned nx = p + 1 == n_prop ? n_xf - (n_prop - 1) : 1;

			buf[off] = p + 1 == n_prop ? 0 : V1_PL_PROPOSAL;
			buf[off + 1] = 0;
			buf[off + 4] = (uint8_t)(p + 1);
			buf[off + 5] = V1_PROTO_ISAKMP;
			buf[off + 6] = 0;
			buf[off + 7] = (uint8_t)nx;
			off += 8;
			for (unsigned x = 0; x < nx; x++) {
				size_t xo = off;
				unsigned na = x == 0 && p + 1 == n_prop ? n_attr - (n_xf - 1) : 1;

				buf[off] = x + 1 == nx ? 0 : V1_PL_TRANSFORM;
				buf[off + 1] = 0;
				buf[off + 4] = (uint8_t)(x + 1);
				buf[off + 5] = V1_KEY_IKE;
				buf[off + 6] = buf[off + 7] = 0;
				off += 8;
				for (unsigned a = 0; a < na; a++) {
					memcpy(buf + off, "\x80\x01\x00\x07", 4);
					off += 4;
				}
				buf[xo + 2] = (uint8_t)((off - xo) >> 8);
				buf[xo + 3] = (uint8_t)(off - xo);
			}
			buf[po + 2] = (uint8_t)((off - po) >> 8);
			buf[po + 3] = (uint8_t)(off - po);
		}
		buf[sa] = n_pl > 1 ? V1_PL_VENDOR : 0;
		buf[sa + 2] = (uint8_t)((off - sa) >> 8);
		buf[sa + 3] = (uint8_t)(off - sa);
		n_pl--;
	}
	for (unsigned i = 0; i < n_pl; i++) {
		buf[off] = i + 1 < n_pl ? V1_PL_VENDOR : 0;
		buf[off + 1] = buf[off + 2] = 0;
		buf[off + 3] = 5;
		buf[off + 4] = 0xff;
		off += 5;
	}
	buf[24] = (uint8_t)(off >> 24);
	buf[25] = (uint8_t)(off >> 16);
	buf[26] = (uint8_t)(off >> 8);
	buf[27] = (uint8_t)off;
	return off;
}

static void
test_limits(void)
{
	size_t n;

	n = mk_many(V1_MSG_MAX_PL, 0, 0, 0);
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_OK, "32 payloads");
	T_EQ(M.n_pl, V1_MSG_MAX_PL, "all kept");
	n = mk_many(V1_MSG_MAX_PL + 1, 0, 0, 0);
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_TOO_MANY, "33 payloads");
	T_EQ(M.n_pl, 0, "nothing half-parsed");
	n = mk_many(2, V1_MSG_MAX_PROP, V1_MSG_MAX_PROP, V1_MSG_MAX_PROP);
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_OK, "32 proposals");
	T_EQ(M.n_prop, V1_MSG_MAX_PROP, "all kept");
	n = mk_many(2, V1_MSG_MAX_PROP + 1, V1_MSG_MAX_PROP + 1, V1_MSG_MAX_PROP + 1);
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_TOO_MANY, "33 proposals");
	n = mk_many(1, 1, V1_MSG_MAX_XF, V1_MSG_MAX_XF);
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_OK, "128 transforms");
	T_EQ(M.n_xf, V1_MSG_MAX_XF, "all kept");
	n = mk_many(1, 2, V1_MSG_MAX_XF + 1, V1_MSG_MAX_XF + 1);
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_TOO_MANY, "129 transforms");
	n = mk_many(1, 1, 1, V1_MSG_MAX_ATTR);
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_OK, "1024 attributes");
	T_EQ(M.n_attr, V1_MSG_MAX_ATTR, "all kept");
	n = mk_many(1, 1, 1, V1_MSG_MAX_ATTR + 1);
	T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_TOO_MANY, "1025 attributes");
	T_EQ(M.n_attr, 0, "nothing half-parsed");
}

/* Transform attributes the policy cannot use: -1, so it skips the transform. */
static const struct {
	const char	*what;
	bool		phase2;
	const char	*attrs;		/* after the transform header */
	int		want;
} xfs[] = {
	{ "phase 1, TV and TLV", false, "80010007 800e0080 800b0001 000c0004 00015180", 0 },
	{ "phase 1, 8-byte duration", false, "800b0002 000c0008 0000000100000000", 0 },
	{ "phase 1, duration without type", false, "80010007 800c0e10", -1 },
	{ "phase 1, two durations for one type", false, "800b0001 800c0e10 800c0e10", -1 },
	{ "phase 1, the same type twice", false, "800b0001 800c0e10 800b0001 800c0e10", -1 },
	{ "phase 1, life type 3", false, "800b0003 800c0e10", -1 },
	{ "phase 1, type with no duration", false, "800b0001", -1 },
	{ "phase 1, encryption twice", false, "80010007 80010005", -1 },
	{ "phase 1, encryption in TLV form", false, "00010002 0007", -1 },
	{ "phase 1, duration of 0", false, "800b0001 800c0000", -1 },
	{ "phase 1, duration of 12 bytes", false, "800b0001 000c000c 000000000000000000000e10",
	  -1 },
	{ "phase 1, custom group prime", false, "00060004 ffffffff", -1 },
	{ "phase 1, group type MODP", false, "80050001 80040002", 0 },
	{ "phase 1, group type EC2N", false, "80050003", -1 },
	{ "phase 2, all", true, "80010001 00020004 00015180 80030002 80040003 80050002 80060080",
	  0 },
	{ "phase 2, ESN", true, "800b0001", -1 },
	{ "phase 2, encapsulation twice", true, "80040001 80040002", -1 },
};

/* An SA of one proposal (phase 2: ESP with an SPI) of one transform with these attributes;
 * returns the message's length. */
static size_t
mk_sa(bool phase2, const char *attrs)
{
	size_t n, sa = V1_HDR_LEN, pr = sa + 12, tr = pr + 8 + (phase2 ? 4 : 0);
	char hex[512];

	if (phase2)
		snprintf(hex, sizeof(hex), "00000000 00000001 00000001 00000000 01030401 "
		    "c001cafe 00000000 01%02x0000 %s", V1_ESP_AES, attrs);
	else
		snprintf(hex, sizeof(hex), "00000000 00000001 00000001 00000000 01010001 "
		    "00000000 01%02x0000 %s", V1_KEY_IKE, attrs);
	n = mk(buf, V1_PL_SA, hex);
	buf[sa + 2] = (uint8_t)((n - sa) >> 8);		/* the lengths of SA, P and T */
	buf[sa + 3] = (uint8_t)(n - sa);
	buf[pr + 2] = (uint8_t)((n - pr) >> 8);
	buf[pr + 3] = (uint8_t)(n - pr);
	buf[tr + 2] = (uint8_t)((n - tr) >> 8);
	buf[tr + 3] = (uint8_t)(n - tr);
	return n;
}

static void
test_attrs(void)
{
	struct v1_phase1 p1;
	struct v1_phase2 p2;

	for (size_t i = 0; i < sizeof(xfs) / sizeof(xfs[0]); i++) {
		size_t n = mk_sa(xfs[i].phase2, xfs[i].attrs);
		int r;

		T_EQ(v1_msg_parse(&M, buf, n), V1_PERR_OK, "%s: parses", xfs[i].what);
		if (xfs[i].phase2)
			r = v1_xf_phase2(&M, &M.xf[0], &p2);
		else
			r = v1_xf_phase1(&M, &M.xf[0], &p1);
		T_EQ(r, xfs[i].want, "%s", xfs[i].what);
		roundtrip(xfs[i].what, buf, n);
	}
	v1_msg_parse(&M, buf, mk_sa(false, xfs[0].attrs));
	T_OK(v1_xf_phase1(&M, &M.xf[0], &p1) == 0 && p1.encr == V1_ENCR_AES &&
	    p1.key_len == 128 && p1.life_seconds == 86400, "%s: values", xfs[0].what);
	v1_msg_parse(&M, buf, mk_sa(false, xfs[1].attrs));
	T_OK(v1_xf_phase1(&M, &M.xf[0], &p1) == 0 && p1.life_kilobytes == 1ull << 32,
	    "%s: value", xfs[1].what);
	v1_msg_parse(&M, buf, mk_sa(true, xfs[14].attrs));
	T_OK(v1_xf_phase2(&M, &M.xf[0], &p2) == 0 && p2.life_seconds == 86400 &&
	    p2.group == 2 && p2.encap == V1_ENCAP_UDP_TUNNEL && p2.auth == V1_AALG_HMAC_SHA &&
	    p2.key_len == 128, "%s: values", xfs[14].what);
}

/* Every prefix (header length fixed up) and every bit flipped of strongSwan's main mode 1 and
 * 3 and aggressive mode 2: parsed without reading outside the message; what parses rebuilds
 * to the same struct. */
static void
test_mutations(void)
{
	static const struct { const char *file, *key; } vs[] = {
		{ "v1/charon-v1-main-aes128-sha1-modp2048.txt", "msg0" },
		{ "v1/charon-v1-main-aes128-sha1-modp2048.txt", "msg2" },
		{ "v1/charon-v1-aggr-aes128-sha1-modp1536.txt", "msg1" },
	};
	static uint8_t v[8192];

	for (size_t f = 0; f < sizeof(vs) / sizeof(vs[0]); f++) {
		size_t n = testdata_get(vs[f].file, vs[f].key, v, sizeof(v)), ok = 0;

		for (size_t k = V1_HDR_LEN; k < n; k++) {
			memcpy(buf, v, k);
			buf[26] = (uint8_t)(k >> 8);
			buf[27] = (uint8_t)k;
			if (v1_msg_parse(&M, buf, k) == V1_PERR_OK)
				ok++;
		}
		T_EQ(ok, 0, "%s %s: no prefix parses", vs[f].file, vs[f].key);
		for (size_t i = 0; i < n; i++) {
			for (unsigned bit = 0; bit < 8; bit++) {
				size_t len;

				memcpy(buf, v, n);
				buf[i] ^= (uint8_t)(1u << bit);
				if (v1_msg_parse(&M, buf, n) != V1_PERR_OK)
					continue;
				if (v1_msg_build(&M, out, sizeof(out), &len) != 0 ||
				    v1_msg_parse(&M2, out, len) != V1_PERR_OK ||
				    !v1_msg_equal(&M, &M2)) {
					T_OK(false, "%s: byte %zu bit %u: rebuild differs",
					    vs[f].key, i, bit);
					return;
				}
			}
		}
	}
}

int
main(void)
{
	test_strongswan();
	test_strongswan_inner();
	test_build_all();
	test_encrypted();
	test_bad();
	test_limits();
	test_attrs();
	test_mutations();
	return t_done();
}
