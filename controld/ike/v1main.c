/* SPDX-License-Identifier: Apache-2.0 */
/* v1main.c: IKEv1 phase 1 (RFC 2409 §5) on the engine, both roles, and what every IKEv1
 * message goes through: dispatch by cookies and exchange, the CBC of protected bodies with
 * their IV chain (Appendix B), duplicates and retransmission.
 *
 *   main mode (pre-shared key looked up by the peer's address, conf_isakmp_key_find):
 *	HDR, SA, VID...  -->			<--  HDR, SA, VID...
 *	HDR, KE, Ni, NAT-D, NAT-D  -->		<--  HDR, KE, Nr, NAT-D, NAT-D
 *	HDR*, IDii, HASH_I [, N(INITIAL-CONTACT)]  -->	<--  HDR*, IDir, HASH_R
 *   aggressive mode, responder only (a peer known by name, e.g. through a dynamic map; refused
 *   with "crypto isakmp aggressive-mode disable"; the key by its ID, then by its address):
 *	HDR, SA, KE, Ni, IDii, VID...  -->
 *	<--  HDR, SA, KE, Nr, IDir, HASH_R, NAT-D, NAT-D, VID...
 *	HDR*, HASH_I [, NAT-D, NAT-D]  -->
 *
 * NAT-T (RFC 3947): both ends say so with a vendor ID; the NAT-D hashes of message 3 and 4
 * show a NAT (strongSwan here always claims one) and message 5 then goes to UDP 4500, the
 * quick mode asks for UDP encapsulation, and the child SAs are ESP in UDP (RFC 3948).
 *
 * The responder keeps one half-open SA per initiator cookie and peer, counted with IKEv2's
 * (IKE_HALF_OPEN_MAX); nothing is derived before message 3.  Only the initiator retransmits
 * (IKE_RETX_FIRST_MS doubling, IKE_RETX_TRIES); the responder answers a duplicate of the last
 * message it got with the last it sent (RFC 2408 §5).  A phase 1 message that fails its hash
 * or decryption changes nothing (the IV chain moves only on an authentic message). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/log.h"
#include "controld/ike/bytes.h"
#include "controld/ike/ikesa.h"
#include "controld/ike/v1sig.h"

enum { V1_SIG_MAX = 512 };		/* an RSA signature of a 4096-bit key */

static const uint8_t zero_cky[V1_COOKIE_LEN];

/* Vendor IDs we send and read: RFC 3947 NAT-T, its draft 02 (strongSwan sends both), DPD. */
static const uint8_t vid_natt[16] = { 0x4a, 0x13, 0x1c, 0x81, 0x07, 0x03, 0x58, 0x45,
	0x5c, 0x57, 0x28, 0xf2, 0x0e, 0x95, 0x45, 0x2f };
static const uint8_t vid_natt_02[16] = { 0x90, 0xcb, 0x80, 0x91, 0x3e, 0xbb, 0x69, 0x6e,
	0x08, 0x63, 0x81, 0xb5, 0xec, 0x42, 0x7b, 0x1f };
static const uint8_t vid_dpd[16] = { 0xaf, 0xca, 0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9,
	0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00 };

/* ---------------------------------------------------------------- small things */

const char *
v1_state_name(enum ike1_state st)
{
	switch (st) {
	case V1_MM_NO_STATE:	return "MM_NO_STATE";
	case V1_MM_SA_SETUP:	return "MM_SA_SETUP";
	case V1_MM_KEY_EXCH:	return "MM_KEY_EXCH";
	case V1_AG_INIT_EXCH:	return "AG_INIT_EXCH";
	case V1_QM_IDLE:	return "QM_IDLE";
	case V1_MM_DELETED:	return "MM_NO_STATE";
	default:		return "?";
	}
}

void
v1_sum(const uint8_t *b, size_t len, uint8_t sum[32])
{
	unsigned int n = 32;

	if (EVP_Digest(b, len, sum, &n, EVP_sha256(), NULL) != 1)
		memset(sum, 0, 32);
}

void
v1_free(struct ike1 *v)
{
	struct ike1_qm *q;

	if (v == NULL)
		return;
	while ((q = v->qms) != NULL) {
		v->qms = q->next;
		v1_qm_free(q);
	}
	ike1_sa_keys_wipe(&v->k);
	free(v->sa_i_b);
	free(v->id_i_b);
	if (v->tx != NULL)
		OPENSSL_cleanse(v->tx, v->tx_len);
	free(v->tx);
	OPENSSL_cleanse(v, sizeof(*v));
	free(v);
}

void
v1_wire(struct ike *ike, struct ike_sa *sa, const uint8_t *b, size_t len)
{
	ike_count(ike, IKE_CTR_TX);
	ike->io.send(ike->io.ctx, sa->local, sa->lport, sa->remote, sa->rport, b, len);
}

static const EVP_MD *
md_of(uint16_t hash)
{
	switch (hash) {
	case V1_HASH_MD5:	return EVP_md5();
	case V1_HASH_SHA:	return EVP_sha1();
	case V1_HASH_SHA2_256:	return EVP_sha256();
	case V1_HASH_SHA2_384:	return EVP_sha384();
	case V1_HASH_SHA2_512:	return EVP_sha512();
	default:		return NULL;
	}
}

void
v1_ip_text(char *b, size_t cap, uint32_t a)
{
	snprintf(b, cap, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
}

/* ---------------------------------------------------------------- sealing and opening */

static int
build(struct ike *ike, const struct v1_msg *m, size_t *len)
{
	return v1_msg_build(m, ike->buf, sizeof(ike->buf) - V1_CBC_BLOCK_MAX, len);
}

/* ike->buf[0 .. *len) built: padded and its body encrypted under iv (chained). */
static int
seal_built(struct ike *ike, struct ike_sa *sa, uint8_t *iv, size_t *len)
{
	struct ike1 *v = sa->v1;

	if (v1_msg_pad(ike->buf, len, sizeof(ike->buf), v->block) != 0)
		return -1;
	return v1_cbc(v->encr, v->k.enc.b, v->key_len, iv, ike->buf + V1_HDR_LEN,
	    ike->buf + V1_HDR_LEN, *len - V1_HDR_LEN, true);
}

int
v1_seal(struct ike *ike, struct ike_sa *sa, const struct v1_msg *m, uint8_t *iv, size_t *len)
{
	if (build(ike, m, len) != 0)
		return -1;
	return seal_built(ike, sa, iv, len);
}

int
v1_open(struct ike *ike, struct ike_sa *sa, const uint8_t *iv, size_t len, size_t *chain,
    uint8_t *next_iv)
{
	struct ike1 *v = sa->v1;
	struct v1_msg *m = &ike->v1in;
	uint8_t ivc[V1_CBC_BLOCK_MAX];

	(void)len;
	if (!(m->hdr.flags & V1_F_ENCRYPTED) || m->enc.len == 0 || m->enc.len % v->block != 0 ||
	    m->enc.len > sizeof(ike->v1plain))
		return -1;
	memcpy(ivc, iv, v->block);
	if (v1_cbc(v->encr, v->k.enc.b, v->key_len, ivc, m->enc.p, ike->v1plain, m->enc.len,
	    false) != 0)
		return -1;
	if (v1_msg_parse_inner(m, ike->v1plain, m->enc.len) != V1_PERR_OK)
		return -1;
	*chain = m->enc.len - m->pad_len;
	memcpy(next_iv, ivc, v->block);
	return 0;
}

int
v1_hash_check(const struct ike_sa *sa, const uint8_t *want, const struct v1_msg *m)
{
	size_t hl = ike1_hash_len(sa->v1->hash);

	if (m->n_pl < 1 || m->pl[0].type != V1_PL_HASH || m->pl[0].u.data.len != hl)
		return -1;
	return CRYPTO_memcmp(m->pl[0].u.data.p, want, hl) == 0 ? 0 : -1;
}

/* Send our phase 1 message in ike->buf[0 .. len) and keep it (retransmission, duplicates). */
static int
send_p1(struct ike *ike, struct ike_sa *sa, size_t len, bool wait, uint64_t now_ms)
{
	struct ike1 *v = sa->v1;

	if ((v->tx = ike_keep(ike->buf, len, v->tx, v->tx_len)) == NULL)
		return -1;
	v->tx_len = len;
	v->tries = 0;
	v->next_ms = wait ? now_ms + IKE_RETX_FIRST_MS : 0;
	v1_wire(ike, sa, ike->buf, len);
	return 0;
}

/* ---------------------------------------------------------------- proposals */

static uint16_t
encr_of(enum conf_isakmp_encr e)
{
	return e == CONF_ISAKMP_DES ? V1_ENCR_DES : e == CONF_ISAKMP_3DES ? V1_ENCR_3DES :
	    V1_ENCR_AES;
}

static uint16_t
hash_of(enum conf_isakmp_hash h)
{
	switch (h) {
	case CONF_ISAKMP_MD5:		return V1_HASH_MD5;
	case CONF_ISAKMP_SHA256:	return V1_HASH_SHA2_256;
	case CONF_ISAKMP_SHA384:	return V1_HASH_SHA2_384;
	case CONF_ISAKMP_SHA512:	return V1_HASH_SHA2_512;
	default:			return V1_HASH_SHA;
	}
}

static uint16_t
auth_of(enum conf_isakmp_auth a)
{
	return a == CONF_ISAKMP_PRE_SHARE ? V1_AUTH_PSK : V1_AUTH_RSA_SIG;
}

/* A policy's authentication we can do: pre-share, or rsa-sig once we have a key pair. */
static bool
auth_usable(const struct ike *ike, const struct conf_isakmp_policy *p)
{
	return p->auth == CONF_ISAKMP_PRE_SHARE || (p->auth == CONF_ISAKMP_RSA_SIG && ike->rsa != NULL);
}

/* The policies in the order IOS tries them: configured by priority, then the default. */
static const struct conf_isakmp_policy *
policy_at(const struct ike *ike, size_t i)
{
	const struct conf_isakmp *c = &ike->conf->isakmp;

	if (i < c->n_policies)
		return c->policies[i];
	return i == c->n_policies ? conf_isakmp_default_policy() : NULL;
}

static const char *
encr_text(uint16_t encr, uint16_t bits, char *b, size_t cap)
{
	if (encr == V1_ENCR_AES)
		snprintf(b, cap, "AES-%u", bits != 0 ? bits : 128);
	else
		snprintf(b, cap, "%s", encr == V1_ENCR_DES ? "DES" : encr == V1_ENCR_3DES ?
		    "3DES" : "cipher?");
	return b;
}

static const char *
hash_text(uint16_t h)
{
	switch (h) {
	case V1_HASH_MD5:	return "MD5";
	case V1_HASH_SHA:	return "SHA";
	case V1_HASH_SHA2_256:	return "SHA256";
	case V1_HASH_SHA2_384:	return "SHA384";
	case V1_HASH_SHA2_512:	return "SHA512";
	default:		return "hash?";
	}
}

static bool
policy_matches(const struct conf_isakmp_policy *p, const struct v1_phase1 *x)
{
	uint16_t bits = p->encr == CONF_ISAKMP_AES ? p->bits : 0;

	/* IOS: the same cipher, hash, authentication and group, and the peer's lifetime no
	 * longer than the policy's (the shorter is used) */
	return x->encr == encr_of(p->encr) && (x->encr != V1_ENCR_AES || x->key_len == bits) &&
	    x->hash == hash_of(p->hash) && x->auth == auth_of(p->auth) && x->group == p->group &&
	    (x->life_seconds == 0 || x->life_seconds <= p->lifetime);
}

static int
add_p1_transform(struct v1_msg *m, struct v1_proposal *pr, uint8_t num,
    const struct conf_isakmp_policy *p)
{
	struct v1_transform *t = v1_msg_add_transform(m, pr, num, V1_KEY_IKE);

	if (t == NULL || v1_msg_add_attr(m, t, V1_A1_ENCR, encr_of(p->encr)) == NULL ||
	    (p->encr == CONF_ISAKMP_AES &&
	    v1_msg_add_attr(m, t, V1_A1_KEY_LEN, p->bits) == NULL) ||
	    v1_msg_add_attr(m, t, V1_A1_HASH, hash_of(p->hash)) == NULL ||
	    v1_msg_add_attr(m, t, V1_A1_AUTH, auth_of(p->auth)) == NULL ||
	    v1_msg_add_attr(m, t, V1_A1_GROUP, p->group) == NULL ||
	    v1_msg_add_attr(m, t, V1_A1_LIFE_TYPE, V1_LIFE_SECONDS) == NULL)
		return -1;
	/* a Life Duration is variable: 4 bytes even when it fits in 2 (strongSwan's form) */
	if (v1_msg_add_attr(m, t, V1_A1_LIFE_DUR, p->lifetime) == NULL)
		return -1;
	m->attr[m->n_attr - 1].tlv = true;
	m->attr[m->n_attr - 1].len = 4;
	return 0;
}

/* The chosen transform's algorithms into sa->v1; -1 when we cannot do them. */
static int
take_algs(struct ike_sa *sa, const struct v1_phase1 *x, uint16_t prio, uint32_t life)
{
	struct ike1 *v = sa->v1;

	v->encr = x->encr;
	v->key_bits = x->key_len;
	v->hash = x->hash;
	v->auth = x->auth;
	v->group = x->group;
	v->policy = prio;
	v->block = v1_cbc_block(x->encr);
	v->key_len = x->encr == V1_ENCR_DES ? 8 : x->encr == V1_ENCR_3DES ? 24 : x->key_len / 8u;
	sa->lifetime_s = x->life_seconds != 0 && x->life_seconds < life ?
	    (uint32_t)x->life_seconds : life;
	sa->algs.encr = x->encr;
	sa->algs.bits = x->key_len;
	sa->algs.integ = x->hash;
	sa->algs.dh = x->group;
	return v->block != 0 && ike1_hash_len(x->hash) != 0 && v->key_len != 0 ? 0 : -1;
}

/* Our SA payload (every policy for pre-shared keys, lowest number first) into m. */
static int
add_our_sa(struct ike *ike, struct v1_msg *m)
{
	struct v1_payload *pl = v1_msg_add(m, V1_PL_SA);
	struct v1_proposal *pr;
	const struct conf_isakmp_policy *p;
	uint8_t num = 0;

	if (pl == NULL)
		return -1;
	pl->u.sa.doi = V1_DOI_IPSEC;
	pl->u.sa.situation = V1_SIT_IDENTITY_ONLY;
	if ((pr = v1_msg_add_proposal(m, pl, 1, V1_PROTO_ISAKMP, (struct ike_chunk){ NULL, 0 }))
	    == NULL)
		return -1;
	for (size_t i = 0; (p = policy_at(ike, i)) != NULL; i++) {
		if (!auth_usable(ike, p) || !conf_isakmp_group_ok(p->group) ||
		    ike_dh_pub_len(p->group) == 0)
			continue;
		if (add_p1_transform(m, pr, ++num, p) != 0)
			return -1;
	}
	return num > 0 ? 0 : -1;
}

static int
add_vids(struct v1_msg *m)
{
	static const uint8_t *const v[] = { vid_natt, vid_natt_02, vid_dpd };

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct v1_payload *pl = v1_msg_add(m, V1_PL_VENDOR);

		if (pl == NULL)
			return -1;
		pl->u.data = (struct ike_chunk){ v[i], 16 };
	}
	return 0;
}

static void
read_vids(struct ike1 *v, const struct v1_msg *m)
{
	for (const struct v1_payload *pl = NULL; (pl = v1_msg_find(m, V1_PL_VENDOR, pl)) != NULL;) {
		if (pl->u.data.len != 16)
			continue;
		if (memcmp(pl->u.data.p, vid_natt, 16) == 0 ||
		    memcmp(pl->u.data.p, vid_natt_02, 16) == 0)
			v->natt = true;
		if (memcmp(pl->u.data.p, vid_dpd, 16) == 0)
			v->dpd = true;
	}
}

/* ---------------------------------------------------------------- NAT-D (RFC 3947 §3.2) */

/* HASH(CKY-I | CKY-R | IP | port) with the negotiated hash, into out; its length. */
static size_t
natd_hash(const struct ike_sa *sa, uint32_t ip, uint16_t port, uint8_t *out)
{
	uint8_t in[2 * V1_COOKIE_LEN + 6];
	unsigned int n = IKE1_HASH_MAX;
	const EVP_MD *md = md_of(sa->v1->hash);

	memcpy(in, sa->spi_i, V1_COOKIE_LEN);
	memcpy(in + V1_COOKIE_LEN, sa->spi_r, V1_COOKIE_LEN);
	in[16] = (uint8_t)(ip >> 24);
	in[17] = (uint8_t)(ip >> 16);
	in[18] = (uint8_t)(ip >> 8);
	in[19] = (uint8_t)ip;
	in[20] = (uint8_t)(port >> 8);
	in[21] = (uint8_t)port;
	if (md == NULL || EVP_Digest(in, sizeof(in), out, &n, md, NULL) != 1)
		return 0;
	return n;
}

/* The peer's address first (the packet's destination), then ours (RFC 3947 §3.2). */
static int
natd_add(struct ike_sa *sa, struct v1_msg *m, uint8_t h[2][IKE1_HASH_MAX])
{
	size_t n0 = natd_hash(sa, sa->remote, sa->rport, h[0]);
	size_t n1 = natd_hash(sa, sa->local, sa->lport, h[1]);
	struct v1_payload *a, *b;

	if (!sa->v1->natt)
		return 0;
	if (n0 == 0 || n1 == 0 || (a = v1_msg_add(m, V1_PL_NATD)) == NULL ||
	    (b = v1_msg_add(m, V1_PL_NATD)) == NULL)
		return -1;
	a->u.data = (struct ike_chunk){ h[0], n0 };
	b->u.data = (struct ike_chunk){ h[1], n1 };
	return 0;
}

/* The peer's NAT-D payloads: the first hashes our address as it saw it, the others its own. */
static void
natd_check(struct ike_sa *sa, const struct v1_msg *m)
{
	uint8_t h[IKE1_HASH_MAX];
	const struct v1_payload *pl = v1_msg_find(m, V1_PL_NATD, NULL);
	bool src_match = false;
	size_t n;

	if (pl == NULL)
		pl = v1_msg_find(m, V1_PL_NATD_DRAFT, NULL);
	if (pl == NULL || !sa->v1->natt)
		return;
	n = natd_hash(sa, sa->local, sa->lport, h);
	sa->nat_local = pl->u.data.len != n || memcmp(pl->u.data.p, h, n) != 0;
	n = natd_hash(sa, sa->remote, sa->rport, h);
	for (const struct v1_payload *q = pl; (q = v1_msg_find(m, pl->type, q)) != NULL;)
		if (q->u.data.len == n && memcmp(q->u.data.p, h, n) == 0)
			src_match = true;
	sa->nat_remote = !src_match;
}

/* ---------------------------------------------------------------- keys */

static int
add_ke_nonce(struct ike *ike, struct ike_sa *sa, struct v1_msg *m)
{
	struct v1_payload *ke, *no;
	struct ike_bytes *n = sa->initiator ? &sa->ni : &sa->nr;
	struct gw_err err;

	if (sa->dh.key == NULL && ike_dh_init(&sa->dh, sa->v1->group, &err) != 0) {
		log_debug("isakmp: %s", err.msg);
		return -1;
	}
	if (n->len == 0) {
		n->len = IKE_NONCE_LEN;
		if (ike_random(n->b, n->len) != 0)
			return -1;
	}
	(void)ike;
	if ((ke = v1_msg_add(m, V1_PL_KE)) == NULL || (no = v1_msg_add(m, V1_PL_NONCE)) == NULL)
		return -1;
	ke->u.data = (struct ike_chunk){ sa->dh.pub, sa->dh.pub_len };
	no->u.data = ike_bytes_chunk(n);
	return 0;
}

/* The peer's KE and nonce of m into sa. */
static int
read_ke_nonce(struct ike_sa *sa, const struct v1_msg *m, const char **why)
{
	const struct v1_payload *ke = v1_msg_find(m, V1_PL_KE, NULL);
	const struct v1_payload *no = v1_msg_find(m, V1_PL_NONCE, NULL);

	*why = "no KE or nonce";
	if (ke == NULL || no == NULL || ke->u.data.len > sizeof(sa->v1->gx_peer.b))
		return -1;
	*why = "a nonce shorter than 8 or longer than 256 bytes";
	if (no->u.data.len < 8 || no->u.data.len > 256)
		return -1;
	*why = "a KE of the wrong length for the group";
	if (ke->u.data.len != ike_dh_pub_len(sa->v1->group))
		return -1;
	ike_bytes_set(&sa->v1->gx_peer, ke->u.data);
	ike_bytes_set(sa->initiator ? &sa->nr : &sa->ni, no->u.data);
	return 0;
}

/* SKEYID (pre-shared key) and the SA's keys, the phase 1 IV.  name: the peer's ID as a name
 * (aggressive mode), or NULL. */
static int
derive(struct ike *ike, struct ike_sa *sa, const char *name, const char **why)
{
	struct ike1 *v = sa->v1;
	const struct conf_isakmp_key *k = v->auth == V1_AUTH_RSA_SIG ? NULL :
	    conf_isakmp_key_find(ike->conf, sa->remote, name);
	struct ike_dh_secret s;
	struct key skeyid;
	struct gw_err err;
	struct ike_chunk gxi, gxr, ours = { sa->dh.pub, sa->dh.pub_len };
	int rc = -1;

	*why = "no pre-shared key for the peer (crypto isakmp key)";
	if (k == NULL && v->auth != V1_AUTH_RSA_SIG)
		return -1;
	*why = "its KE is not a value of the group";
	if (ike_dh_derive(&sa->dh, ike_bytes_chunk(&v->gx_peer), &s, &err) != 0)
		return -1;
	*why = "key derivation failed";
	gxi = sa->initiator ? ours : ike_bytes_chunk(&v->gx_peer);
	gxr = sa->initiator ? ike_bytes_chunk(&v->gx_peer) : ours;
	memset(&skeyid, 0, sizeof(skeyid));
	/* §5: SKEYID of signatures from the nonces and g^xy, of a pre-shared key from it */
	if ((k != NULL ? ike1_kdf_skeyid_psk(v->hash, (struct ike_chunk){ k->psk.b, k->psk.len },
	    ike_bytes_chunk(&sa->ni), ike_bytes_chunk(&sa->nr), &skeyid) :
	    ike1_kdf_skeyid_sig(v->hash, ike_bytes_chunk(&sa->ni), ike_bytes_chunk(&sa->nr),
	    (struct ike_chunk){ s.b, s.len }, &skeyid)) == 0 &&
	    ike1_kdf_sa_keys(v->hash, &skeyid, (struct ike_chunk){ s.b, s.len }, sa->spi_i,
	    sa->spi_r, v->key_len, &v->k) == 0 &&
	    ike1_kdf_iv1(v->hash, gxi, gxr, v->block, v->iv) == 0)
		rc = 0;
	key_wipe(&skeyid);
	ike_dh_secret_wipe(&s);
	if (rc == 0 && ike->debug_keys) {
		char ci[17], cr[17], ka[2 * sizeof(v->k.enc.b) + 1];

		for (int i = 0; i < 8; i++) {
			snprintf(ci + 2 * i, 3, "%02x", sa->spi_i[i]);
			snprintf(cr + 2 * i, 3, "%02x", sa->spi_r[i]);
		}
		for (size_t i = 0; i < v->key_len; i++)
			snprintf(ka + 2 * i, 3, "%02x", v->k.enc.b[i]);
		/* Wireshark's ISAKMP decryption table: initiator cookie, encryption key */
		log_debug("ikev1 keys %s %s encr %s", ci, cr, ka);
	}
	return rc;
}

enum { V1_ID_BODY_MAX = 4 + CONF_NAME_MAX };

/* Our ID payload into m (RFC 2407 §4.6.2: protocol and port 0): our address, or with "crypto
 * isakmp identity hostname" our hostname as ID_FQDN (IOS; ours has no domain part).  Its body
 * into b, its length into *len. */
static int
add_id(struct ike *ike, struct ike_sa *sa, struct v1_msg *m, uint8_t b[V1_ID_BODY_MAX],
    size_t *len)
{
	struct v1_payload *pl = v1_msg_add(m, V1_PL_ID);
	const char *host = ike->conf->hostname;
	size_t hl = strlen(host);

	if (pl == NULL)
		return -1;
	b[1] = b[2] = b[3] = 0;
	if (ike->conf->isakmp.identity == CONF_ISAKMP_ID_HOSTNAME && hl > 0 &&
	    hl <= V1_ID_BODY_MAX - 4) {
		b[0] = V1_ID_FQDN;
		memcpy(b + 4, host, hl);
		*len = 4 + hl;
	} else {
		b[0] = V1_ID_IPV4_ADDR;
		put_be32(b + 4, sa->local);
		*len = 8;
	}
	pl->u.id.type = b[0];
	pl->u.id.data = (struct ike_chunk){ b + 4, *len - 4 };
	return 0;
}

/* The peer's ID as text into sa->remote_id. */
static void
peer_id(struct ike_sa *sa, const struct v1_payload *id)
{
	const struct ike_chunk d = id->u.id.data;

	if (id->u.id.type == V1_ID_IPV4_ADDR && d.len == 4)
		snprintf(sa->remote_id, sizeof(sa->remote_id), "%u.%u.%u.%u", d.p[0], d.p[1],
		    d.p[2], d.p[3]);
	else if ((id->u.id.type == V1_ID_FQDN || id->u.id.type == V1_ID_USER_FQDN) &&
	    d.len < sizeof(sa->remote_id)) {
		size_t i;

		for (i = 0; i < d.len; i++)
			sa->remote_id[i] = d.p[i] >= 0x20 && d.p[i] < 0x7f ? (char)d.p[i] : '?';
		sa->remote_id[i] = '\0';
	} else {
		snprintf(sa->remote_id, sizeof(sa->remote_id), "(id type %u)", id->u.id.type);
	}
}

/* HASH_I (ours when we are the initiator) or HASH_R over id_b. */
static int
auth_hash(struct ike_sa *sa, bool of_initiator, struct ike_chunk id_b, uint8_t *out)
{
	struct ike1 *v = sa->v1;
	struct ike_chunk ours = { sa->dh.pub, sa->dh.pub_len }, theirs = ike_bytes_chunk(&v->gx_peer);
	bool own = of_initiator == sa->initiator;

	return ike1_kdf_hash_auth(v->hash, &v->k.skeyid, own ? ours : theirs, own ? theirs : ours,
	    of_initiator ? sa->spi_i : sa->spi_r, of_initiator ? sa->spi_r : sa->spi_i,
	    (struct ike_chunk){ v->sa_i_b, v->sa_i_len }, id_b, out);
}

/* Our HASH_I/HASH_R (pre-shared key) or SIG_I/SIG_R (rsa-sig) over id_b into m; sig must
 * outlive the build (V1_SIG_MAX bytes; the hash is written there for a HASH payload too). */
static int
add_auth(struct ike *ike, struct ike_sa *sa, struct v1_msg *m, struct ike_chunk id_b,
    uint8_t sig[V1_SIG_MAX])
{
	uint8_t hash[IKE1_HASH_MAX];
	size_t hl = ike1_hash_len(sa->v1->hash), sl = V1_SIG_MAX;
	struct v1_payload *pl;
	struct gw_err err;

	if (auth_hash(sa, sa->initiator, id_b, hash) != 0)
		return -1;
	if (sa->v1->auth != V1_AUTH_RSA_SIG) {
		memcpy(sig, hash, hl);
		if ((pl = v1_msg_add(m, V1_PL_HASH)) == NULL)
			return -1;
		pl->u.data = (struct ike_chunk){ sig, hl };
		return 0;
	}
	if (ike->rsa == NULL || v1sig_sign(ike->rsa, hash, hl, sig, &sl, &err) != 0 ||
	    (pl = v1_msg_add(m, V1_PL_SIG)) == NULL) {
		log_debug("isakmp: no signature made: %s", ike->rsa == NULL ? "no RSA key pair "
		    "(crypto key generate rsa)" : err.msg);
		return -1;
	}
	pl->u.data = (struct ike_chunk){ sig, sl };
	return 0;
}

/* The peer's HASH or SIG in m over its id_b: 0 when it proves the peer; -1 with why. */
static int
check_auth(struct ike *ike, struct ike_sa *sa, const struct v1_msg *m, bool of_initiator,
    struct ike_chunk id_b, const char **why)
{
	uint8_t hash[IKE1_HASH_MAX];
	size_t hl = ike1_hash_len(sa->v1->hash);
	const struct v1_payload *pl;
	const struct conf_rsa_key *k;
	struct gw_err err;
	EVP_PKEY *pub;
	int rc;

	*why = "key derivation failed";
	if (auth_hash(sa, of_initiator, id_b, hash) != 0)
		return -1;
	if (sa->v1->auth != V1_AUTH_RSA_SIG) {
		*why = "its HASH is wrong (the pre-shared keys differ?)";
		pl = v1_msg_find(m, V1_PL_HASH, NULL);
		return pl != NULL && pl->u.data.len == hl &&
		    CRYPTO_memcmp(pl->u.data.p, hash, hl) == 0 ? 0 : -1;
	}
	*why = "no SIG payload";
	if ((pl = v1_msg_find(m, V1_PL_SIG, NULL)) == NULL)
		return -1;
	*why = "no public key for the peer (crypto key pubkey-chain rsa)";
	if ((k = conf_rsa_key_find(ike->conf, sa->remote, sa->remote_id[0] != '\0' ?
	    sa->remote_id : NULL)) == NULL || (pub = conf_rsa_key_pkey(k, &err)) == NULL)
		return -1;
	rc = v1sig_verify(pub, hash, hl, pl->u.data.p, pl->u.data.len);
	EVP_PKEY_free(pub);
	*why = "its signature does not verify with the key configured for it";
	return rc;
}

/* ---------------------------------------------------------------- established */

void
v1_established(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike1 *v = sa->v1;
	char ip[16];

	ikesa_set_state(ike, sa, IKE_SA_ESTABLISHED);
	v->st = V1_QM_IDLE;
	v->next_ms = 0;
	sa->created_ms = now_ms;
	sa->expire_ms = now_ms + (uint64_t)sa->lifetime_s * 1000;
	/* the original initiator starts the next phase 1 ahead of the end, so the phase 2 SAs
	 * move to it (IOS re-establishes on demand; both are fine for the peer) */
	sa->rekey_ms = sa->initiator ? sa->expire_ms - (uint64_t)sa->lifetime_s * 100 : 0;
	ike_dh_free(&sa->dh);
	ike_count(ike, IKE_CTR_IKE_UP);
	v1_ip_text(ip, sizeof(ip), sa->remote);
	log_info("isakmp: SA with %s (%s) up, %s mode, %s/%s/group %u, %u s%s", ip, sa->remote_id,
	    v->aggressive ? "aggressive" : "main",
	    v->encr == V1_ENCR_AES ? "AES" : v->encr == V1_ENCR_3DES ? "3DES" : "DES",
	    hash_text(v->hash), v->group, sa->lifetime_s,
	    sa->nat_local || sa->nat_remote ? ", NAT-T" : "");
	v->dpd_heard_ms = now_ms;
	/* the flow that made us initiate, then the ones queued meanwhile */
	if (sa->initiator && sa->acq_map[0] != '\0' && sa->rekey_of == NULL) {
		if (v1_qm_start(ike, sa, sa->acq_map, sa->acq_seq, &sa->acq_flow, NULL, now_ms) != 0)
			log_debug("isakmp: quick mode for crypto map %s %u could not start",
			    sa->acq_map, sa->acq_seq);
		sa->acq_map[0] = '\0';
	}
	/* phase 1 made again: the phase 2 SAs of the old one move here (RFC 2409 §5: they are
	 * not bound to the ISAKMP SA that made them), and the old one is deleted */
	for (struct ike_sa *o = ike->sas; o != NULL; o = o->next) {
		if (o == sa || o->v1 == NULL || o->remote != sa->remote || o->local != sa->local ||
		    (o->state != IKE_SA_ESTABLISHED && o->state != IKE_SA_DELETING))
			continue;
		if (o->children == NULL && o->state == IKE_SA_DELETING)
			continue;
		child_move_all(ike, o, sa);
		if (o->state == IKE_SA_ESTABLISHED && o->v1->st == V1_QM_IDLE &&
		    o->rekey_ms == 0 && o->expire_ms != 0) {
			o->rekey_ms = 0;
			o->expire_ms = now_ms + 10000;	/* the peer's quick modes in flight */
		}
	}
	/* the flows that waited (on this SA or on the one it replaces) */
	while (sa->n_pending > 0) {
		struct ike_flow f = sa->pending[--sa->n_pending];

		if (v1_qm_start(ike, sa, f.map, f.seq, &f.flow, NULL, now_ms) != 0)
			log_debug("isakmp: quick mode for crypto map %s %u could not start",
			    f.map, f.seq);
	}
}

/* ---------------------------------------------------------------- initiator */

struct ike_sa *
v1_initiate(struct ike *ike, uint32_t remote, uint32_t local, const struct conf_map_entry *e,
    const char *map, unsigned i, const struct sel *flow, uint64_t now_ms)
{
	struct ike_sa *sa;
	struct v1_msg *m = &ike->v1out;
	size_t len;

	if (ike->conf->isakmp.disabled)
		return NULL;
	if ((sa = ikesa_new(ike, true, local, 500, remote, 500, now_ms)) == NULL)
		return NULL;
	if ((sa->v1 = calloc(1, sizeof(*sa->v1))) == NULL)
		goto fail;
	if (e != NULL && flow != NULL) {
		snprintf(sa->acq_map, sizeof(sa->acq_map), "%s", map);
		sa->acq_seq = e->seq;
		sa->acq_flow = *flow;
		sa->acq_peer = i;
	}
	ikesa_set_state(ike, sa, IKE_SA_AUTH_SENT);
	sa->v1->st = V1_MM_NO_STATE;
	v1_msg_init(m, sa->spi_i, zero_cky, V1_X_ID_PROT, 0, 0);
	if (add_our_sa(ike, m) != 0 || add_vids(m) != 0 || build(ike, m, &len) != 0) {
		log_debug("isakmp: no crypto isakmp policy to offer (pre-share, or rsa-sig with "
		    "crypto key generate rsa)");
		goto fail;
	}
	/* SAi_b: the body of the SA payload, the first after the header */
	{
		size_t pl_len = (size_t)ike->buf[V1_HDR_LEN + 2] << 8 | ike->buf[V1_HDR_LEN + 3];

		if (pl_len < V1_PL_HDR_LEN || V1_HDR_LEN + pl_len > len ||
		    (sa->v1->sa_i_b = ike_keep(ike->buf + V1_HDR_LEN + V1_PL_HDR_LEN,
		    pl_len - V1_PL_HDR_LEN, NULL, 0)) == NULL)
			goto fail;
		sa->v1->sa_i_len = pl_len - V1_PL_HDR_LEN;
	}
	if (send_p1(ike, sa, len, true, now_ms) != 0)
		goto fail;
	return sa;
fail:
	ike_sa_dead(ike, sa, "main mode could not start");
	return NULL;
}

/* I: message 2 (SA chosen) -> message 3. */
static void
i_msg2(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct v1_msg *in = &ike->v1in, *m = &ike->v1out;
	const struct v1_payload *sap = v1_msg_find(in, V1_PL_SA, NULL);
	const struct conf_isakmp_policy *p = NULL;
	struct v1_phase1 x;
	uint8_t natd[2][IKE1_HASH_MAX];
	size_t len;

	if (sap == NULL || sap->u.sa.n_prop != 1 || in->prop[sap->u.sa.prop].n_xf != 1 ||
	    v1_xf_phase1(in, &in->xf[in->prop[sap->u.sa.prop].xf], &x) != 0) {
		log_debug("isakmp: main mode message 2 without one transform chosen");
		return;
	}
	for (size_t i = 0; (p = policy_at(ike, i)) != NULL; i++)
		if (auth_usable(ike, p) && policy_matches(p, &x))
			break;
	if (p == NULL || take_algs(sa, &x, p->priority, p->lifetime) != 0) {
		log_debug("isakmp: the peer chose a transform we did not offer");
		return;
	}
	memcpy(sa->spi_r, in->hdr.rcookie, V1_COOKIE_LEN);
	read_vids(sa->v1, in);
	v1_msg_init(m, sa->spi_i, sa->spi_r, V1_X_ID_PROT, 0, 0);
	if (add_ke_nonce(ike, sa, m) != 0 || natd_add(sa, m, natd) != 0 || build(ike, m, &len) != 0)
		return;
	sa->v1->st = V1_MM_SA_SETUP;
	send_p1(ike, sa, len, true, now_ms);
}

static bool
other_sa_with(const struct ike *ike, const struct ike_sa *sa)
{
	for (const struct ike_sa *o = ike->sas; o != NULL; o = o->next)
		if (o != sa && o->remote == sa->remote && o->state == IKE_SA_ESTABLISHED)
			return true;
	return false;
}

/* I: message 4 (KE, Nr) -> message 5 (IDii, HASH_I), encrypted, on 4500 behind a NAT. */
static void
i_msg4(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct v1_msg *in = &ike->v1in, *m = &ike->v1out;
	uint8_t idb[V1_ID_BODY_MAX], sig[V1_SIG_MAX];
	struct v1_payload *pl;
	const char *why;
	size_t len, idl;

	if (read_ke_nonce(sa, in, &why) != 0 || derive(ike, sa, NULL, &why) != 0) {
		log_debug("isakmp: main mode message 4: %s", why);
		ike_sa_dead(ike, sa, why);
		return;
	}
	natd_check(sa, in);
	if (sa->nat_local || sa->nat_remote)
		sa->lport = sa->rport = 4500;		/* RFC 3947 §4 */
	v1_msg_init(m, sa->spi_i, sa->spi_r, V1_X_ID_PROT, V1_F_ENCRYPTED, 0);
	if (add_id(ike, sa, m, idb, &idl) != 0 ||
	    add_auth(ike, sa, m, (struct ike_chunk){ idb, idl }, sig) != 0)
		return;
	if (!other_sa_with(ike, sa)) {
		static const uint8_t none[1];

		if ((pl = v1_msg_add(m, V1_PL_NOTIFY)) == NULL)
			return;
		pl->u.notify.doi = V1_DOI_IPSEC;
		pl->u.notify.proto = V1_PROTO_ISAKMP;
		pl->u.notify.type = V1_N_INITIAL_CONTACT;
		pl->u.notify.spi = (struct ike_chunk){ sa->spi_i, 2 * V1_COOKIE_LEN };
		pl->u.notify.data = (struct ike_chunk){ none, 0 };
	}
	if (v1_seal(ike, sa, m, sa->v1->iv, &len) != 0)
		return;
	sa->v1->st = V1_MM_KEY_EXCH;
	send_p1(ike, sa, len, true, now_ms);
}

/* I: message 6 (IDir, HASH_R): established. */
static void
i_msg6(struct ike *ike, struct ike_sa *sa, size_t len, uint64_t now_ms)
{
	struct v1_msg *in = &ike->v1in;
	const struct v1_payload *id;
	uint8_t next[V1_CBC_BLOCK_MAX];
	const char *why = "it does not open, or has no ID";
	size_t chain;

	if (v1_open(ike, sa, sa->v1->iv, len, &chain, next) != 0 ||
	    (id = v1_msg_find(in, V1_PL_ID, NULL)) == NULL ||
	    (peer_id(sa, id), check_auth(ike, sa, in, false, id->body, &why)) != 0) {
		ike_count(ike, IKE_CTR_AUTH_FAILED);
		log_debug("isakmp: peer %s: main mode message 6 refused: %s", sa->remote_id, why);
		return;
	}
	memcpy(sa->v1->iv, next, sa->v1->block);
	v1_established(ike, sa, now_ms);
}

/* ---------------------------------------------------------------- responder */

/* Choose one of the peer's phase 1 transforms: our policies by priority, each against every
 * transform offered (IOS).  0 with *chosen and *pol, or -1 with the offer as text in why. */
static int
pick(struct ike *ike, const struct v1_msg *in, const struct v1_payload *sap,
    const struct v1_transform **chosen, const struct conf_isakmp_policy **pol, char *why,
    size_t cap)
{
	const struct conf_isakmp_policy *p;
	size_t used = 0;

	for (size_t i = 0; (p = policy_at(ike, i)) != NULL; i++)
		for (unsigned j = 0; j < sap->u.sa.n_prop; j++) {
			const struct v1_proposal *pr = &in->prop[sap->u.sa.prop + j];

			if (pr->proto != V1_PROTO_ISAKMP)
				continue;
			for (unsigned k = 0; k < pr->n_xf; k++) {
				struct v1_phase1 x;

				if (pr->xf + k >= in->n_xf ||
				    v1_xf_phase1(in, &in->xf[pr->xf + k], &x) != 0)
					continue;
				if (auth_usable(ike, p) && policy_matches(p, &x) &&
				    ike_dh_pub_len(x.group) != 0) {
					*chosen = &in->xf[pr->xf + k];
					*pol = p;
					return 0;
				}
			}
		}
	/* none: say what was offered, for debug crypto isakmp */
	why[0] = '\0';
	for (unsigned j = 0; j < sap->u.sa.n_prop; j++) {
		const struct v1_proposal *pr = &in->prop[sap->u.sa.prop + j];

		for (unsigned k = 0; k < pr->n_xf && used + 48 < cap; k++) {
			struct v1_phase1 x;
			char e[16];

			if (pr->xf + k >= in->n_xf || v1_xf_phase1(in, &in->xf[pr->xf + k], &x) != 0)
				continue;
			used += (size_t)snprintf(why + used, cap - used, "%s%s/%s/%s/group %u",
			    used != 0 ? ", " : "", encr_text(x.encr, x.key_len, e, sizeof(e)),
			    hash_text(x.hash), x.auth == V1_AUTH_PSK ? "pre-share" :
			    x.auth == V1_AUTH_RSA_SIG ? "rsa-sig" : "auth?", x.group);
		}
	}
	return -1;
}

/* R: message 1 of main or aggressive mode from a peer we have nothing with. */
static void
r_msg1(struct ike *ike, uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport,
    uint64_t now_ms)
{
	struct v1_msg *in = &ike->v1in, *m = &ike->v1out;
	const struct v1_payload *sap = v1_msg_find(in, V1_PL_SA, NULL);
	const struct v1_transform *chosen = NULL;
	const struct conf_isakmp_policy *p = NULL;
	bool aggr = in->hdr.exchange == V1_X_AGGRESSIVE;
	char ip[16], offer[512];
	struct v1_phase1 x;
	struct ike_sa *sa;
	struct v1_payload *pl;
	struct v1_proposal *pr;
	size_t len;

	v1_ip_text(ip, sizeof(ip), remote);
	if (ike->conf->isakmp.disabled) {
		log_debug("isakmp: %s: ISAKMP is disabled (no crypto isakmp)", ip);
		return;
	}
	if (aggr && ike->conf->isakmp.aggressive_disabled) {
		log_debug("isakmp: %s: aggressive mode refused (crypto isakmp aggressive-mode "
		    "disable)", ip);
		return;
	}
	if (ike->n_half_open >= IKE_HALF_OPEN_MAX) {
		ike_count(ike, IKE_CTR_HALF_OPEN_FULL);
		return;
	}
	if (sap == NULL || sap->u.sa.doi != V1_DOI_IPSEC || sap->u.sa.n_prop == 0) {
		ike_count(ike, IKE_CTR_MALFORMED);
		return;
	}
	if (pick(ike, in, sap, &chosen, &p, offer, sizeof(offer)) != 0) {
		ike_count(ike, IKE_CTR_NO_PROPOSAL);
		p = policy_at(ike, 0);
		log_debug("isakmp: %s: no offered proposal matches policy %u: peer offered %s", ip,
		    p != NULL ? p->priority : 0, offer);
		return;
	}
	if ((sa = ikesa_new(ike, false, local, lport, remote, rport, now_ms)) == NULL)
		return;
	if ((sa->v1 = calloc(1, sizeof(*sa->v1))) == NULL ||
	    v1_xf_phase1(in, chosen, &x) != 0 || take_algs(sa, &x, p->priority, p->lifetime) != 0)
		goto fail;
	memcpy(sa->spi_i, in->hdr.icookie, V1_COOKIE_LEN);
	sa->v1->aggressive = aggr;
	sa->v1->st = aggr ? V1_AG_INIT_EXCH : V1_MM_NO_STATE;
	if ((sa->v1->sa_i_b = ike_keep(sap->body.p, sap->body.len, NULL, 0)) == NULL)
		goto fail;
	sa->v1->sa_i_len = sap->body.len;
	read_vids(sa->v1, in);
	v1_sum(ike->rx, in->hdr.length, sa->v1->rx_sum);
	v1_msg_init(m, sa->spi_i, sa->spi_r, in->hdr.exchange, 0, 0);
	if ((pl = v1_msg_add(m, V1_PL_SA)) == NULL)
		goto fail;
	pl->u.sa.doi = V1_DOI_IPSEC;
	pl->u.sa.situation = V1_SIT_IDENTITY_ONLY;
	if ((pr = v1_msg_add_proposal(m, pl, in->prop[sap->u.sa.prop].num, V1_PROTO_ISAKMP,
	    (struct ike_chunk){ NULL, 0 })) == NULL)
		goto fail;
	{	/* the chosen transform back as offered (RFC 2408 §4.2) */
		struct v1_transform *t = v1_msg_add_transform(m, pr, chosen->num, chosen->id);

		if (t == NULL)
			goto fail;
		for (unsigned i = 0; i < chosen->n_attr; i++) {
			const struct v1_attr *a = &in->attr[chosen->attr + i];
			struct v1_attr *b = v1_msg_add_attr(m, t, a->type, a->value);

			if (b == NULL)
				goto fail;
			*b = *a;
		}
	}
	if (aggr) {
		const struct v1_payload *id = v1_msg_find(in, V1_PL_ID, NULL);
		uint8_t idb[V1_ID_BODY_MAX], sig[V1_SIG_MAX], natd[2][IKE1_HASH_MAX];
		size_t idl;
		char name[CONF_ISAKMP_HOST_MAX];
		const char *why;

		if (id == NULL || read_ke_nonce(sa, in, &why) != 0) {
			log_debug("isakmp: %s: aggressive mode message 1 without KE, nonce or ID",
			    ip);
			goto fail;
		}
		peer_id(sa, id);
		snprintf(name, sizeof(name), "%s", sa->remote_id);
		if ((sa->v1->id_i_b = ike_keep(id->body.p, id->body.len, NULL, 0)) == NULL)
			goto fail;
		sa->v1->id_i_len = id->body.len;
		if (add_ke_nonce(ike, sa, m) != 0)
			goto fail;
		if (derive(ike, sa, id->u.id.type == V1_ID_IPV4_ADDR ? NULL : name, &why) != 0) {
			log_debug("isakmp: %s (%s): aggressive mode: %s", ip, name, why);
			goto fail;
		}
		if (add_id(ike, sa, m, idb, &idl) != 0 ||
		    add_auth(ike, sa, m, (struct ike_chunk){ idb, idl }, sig) != 0)
			goto fail;
		if (natd_add(sa, m, natd) != 0 || add_vids(m) != 0 || build(ike, m, &len) != 0)
			goto fail;
	} else if (add_vids(m) != 0 || build(ike, m, &len) != 0) {
		goto fail;
	}
	send_p1(ike, sa, len, false, now_ms);
	return;
fail:
	ike_sa_dead(ike, sa, "phase 1 refused");
}

/* R: main mode message 3 (KE, Ni) -> message 4. */
static void
r_msg3(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct v1_msg *in = &ike->v1in, *m = &ike->v1out;
	uint8_t natd[2][IKE1_HASH_MAX];
	const char *why;
	size_t len;

	if (read_ke_nonce(sa, in, &why) != 0) {
		log_debug("isakmp: main mode message 3: %s", why);
		return;
	}
	v1_msg_init(m, sa->spi_i, sa->spi_r, V1_X_ID_PROT, 0, 0);
	if (add_ke_nonce(ike, sa, m) != 0 || derive(ike, sa, NULL, &why) != 0) {
		log_debug("isakmp: main mode message 3: %s", why);
		ike_sa_dead(ike, sa, why);
		return;
	}
	natd_check(sa, in);
	if (natd_add(sa, m, natd) != 0 || build(ike, m, &len) != 0)
		return;
	sa->v1->st = V1_MM_SA_SETUP;
	send_p1(ike, sa, len, false, now_ms);
}

static void
initial_contact(struct ike *ike, struct ike_sa *sa)
{
	struct ike_sa *o, *next;

	/* the peer has no SA with us any more: ours with it are stale (RFC 2407 §4.6.3.3) */
	for (o = ike->sas; o != NULL; o = next) {
		next = o->next;
		if (o != sa && o->v1 != NULL && o->remote == sa->remote && o->local == sa->local &&
		    o->state == IKE_SA_ESTABLISHED)
			ike_sa_dead(ike, o, "the peer's INITIAL-CONTACT");
	}
}

/* R: main mode message 5 (IDii, HASH_I) -> message 6 (IDir, HASH_R); established.  Or
 * aggressive mode message 3 (HASH_I): established. */
static void
r_msg5(struct ike *ike, struct ike_sa *sa, size_t len, uint64_t now_ms)
{
	struct v1_msg *in = &ike->v1in, *m = &ike->v1out;
	struct ike1 *v = sa->v1;
	const struct v1_payload *id;
	uint8_t sig[V1_SIG_MAX], next[V1_CBC_BLOCK_MAX], idb[V1_ID_BODY_MAX];
	const char *why = "it does not open";
	struct ike_chunk id_b;
	size_t chain, out_len, idl;

	if (in->hdr.flags & V1_F_ENCRYPTED) {
		if (v1_open(ike, sa, v->iv, len, &chain, next) != 0)
			goto bad;
	} else if (!v->aggressive) {
		goto bad;
	} else {
		memcpy(next, v->iv, v->block);
	}
	id = v->aggressive ? NULL : v1_msg_find(in, V1_PL_ID, NULL);
	id_b = v->aggressive ? (struct ike_chunk){ v->id_i_b, v->id_i_len } :
	    id != NULL ? id->body : (struct ike_chunk){ NULL, 0 };
	why = "no ID";
	if (!v->aggressive && id == NULL)
		goto bad;
	if (id != NULL)
		peer_id(sa, id);
	if (check_auth(ike, sa, in, true, id_b, &why) != 0)
		goto bad;
	memcpy(v->iv, next, v->block);
	if (v->aggressive) {
		natd_check(sa, in);
		v1_established(ike, sa, now_ms);
		goto contact;
	}
	v1_msg_init(m, sa->spi_i, sa->spi_r, V1_X_ID_PROT, V1_F_ENCRYPTED, 0);
	if (add_id(ike, sa, m, idb, &idl) != 0 ||
	    add_auth(ike, sa, m, (struct ike_chunk){ idb, idl }, sig) != 0)
		return;
	if (v1_seal(ike, sa, m, v->iv, &out_len) != 0)
		return;
	send_p1(ike, sa, out_len, false, now_ms);
	v1_established(ike, sa, now_ms);
contact:
	for (const struct v1_payload *n = NULL; (n = v1_msg_find(in, V1_PL_NOTIFY, n)) != NULL;)
		if (n->u.notify.type == V1_N_INITIAL_CONTACT)
			initial_contact(ike, sa);
	return;
bad:
	ike_count(ike, IKE_CTR_AUTH_FAILED);
	log_debug("isakmp: peer %s: phase 1 authentication failed: %s",
	    sa->remote_id[0] != '\0' ? sa->remote_id : "?", why);
}

/* ---------------------------------------------------------------- input */

static void
phase1(struct ike *ike, struct ike_sa *sa, size_t len, uint64_t now_ms)
{
	struct ike1 *v = sa->v1;
	uint8_t sum[32];

	v1_sum(ike->rx, len, sum);
	if (memcmp(sum, v->rx_sum, sizeof(sum)) == 0) {
		/* the peer's last message again: ours was lost (RFC 2408 §5) */
		if (v->tx != NULL) {
			ike_count(ike, IKE_CTR_RESP_CACHED);
			v1_wire(ike, sa, v->tx, v->tx_len);
		}
		return;
	}
	if (sa->initiator) {
		switch (v->st) {
		case V1_MM_NO_STATE:	i_msg2(ike, sa, now_ms);	break;
		case V1_MM_SA_SETUP:	i_msg4(ike, sa, now_ms);	break;
		case V1_MM_KEY_EXCH:	i_msg6(ike, sa, len, now_ms);	break;
		default:		return;
		}
	} else {
		switch (v->st) {
		case V1_MM_NO_STATE:	r_msg3(ike, sa, now_ms);	break;
		case V1_MM_SA_SETUP:
		case V1_AG_INIT_EXCH:	r_msg5(ike, sa, len, now_ms);	break;
		default:		return;
		}
	}
	if (ikesa_find(ike, sa->spi_i, sa->spi_r) == sa)
		memcpy(sa->v1->rx_sum, sum, sizeof(sum));
}

void
v1_input(struct ike *ike, uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport,
    const uint8_t *data, size_t len, uint64_t now_ms)
{
	struct v1_msg *in = &ike->v1in;
	const struct v1_hdr *h = &in->hdr;
	struct ike_sa *sa;
	enum v1_perr e;

	memcpy(ike->rx, data, len);
	if ((e = v1_msg_parse(in, ike->rx, len)) != V1_PERR_OK) {
		ike_count(ike, IKE_CTR_MALFORMED);
		log_debug("isakmp: message dropped: %s", v1_perr_text(e));
		return;
	}
	if (memcmp(h->rcookie, zero_cky, V1_COOKIE_LEN) == 0) {
		if ((h->exchange != V1_X_ID_PROT && h->exchange != V1_X_AGGRESSIVE) ||
		    (h->flags & V1_F_ENCRYPTED) || h->msg_id != 0) {
			ike_count(ike, IKE_CTR_NO_SA);
			return;
		}
		for (sa = ike->sas; sa != NULL; sa = sa->next)
			if (sa->v1 != NULL && !sa->initiator && sa->remote == remote &&
			    memcmp(sa->spi_i, h->icookie, V1_COOKIE_LEN) == 0)
				break;
		if (sa != NULL) {
			phase1(ike, sa, len, now_ms);	/* a duplicate of message 1 */
			return;
		}
		r_msg1(ike, local, lport, remote, rport, now_ms);
		return;
	}
	if ((sa = ikesa_find(ike, h->icookie, h->rcookie)) == NULL) {
		/* message 2: our SA does not know the responder's cookie yet */
		for (sa = ike->sas; sa != NULL; sa = sa->next)
			if (sa->v1 != NULL && sa->initiator && sa->v1->st == V1_MM_NO_STATE &&
			    memcmp(sa->spi_i, h->icookie, V1_COOKIE_LEN) == 0 &&
			    memcmp(sa->spi_r, zero_cky, V1_COOKIE_LEN) == 0 && sa->remote == remote)
				break;
	}
	if (sa == NULL || sa->v1 == NULL || sa->remote != remote) {
		ike_count(ike, IKE_CTR_NO_SA);
		return;
	}
	/* RFC 3947 §4: the initiator floats to 4500 with message 5; follow it */
	if (rport != sa->rport || lport != sa->lport) {
		if (lport != 4500)
			return;
		sa->rport = rport;
		sa->lport = lport;
		if (sa->state == IKE_SA_ESTABLISHED) {	/* its NAT moved: the children follow */
			for (struct ike_child *c = sa->children; c != NULL; c = c->next)
				if (c->id_out != 0 && ike->io.set_encap_port != NULL &&
				    (sa->nat_local || sa->nat_remote))
					ike->io.set_encap_port(ike->io.ctx, c->id_out, rport);
		}
	}
	sa->last_rx_ms = now_ms;
	switch (h->exchange) {
	case V1_X_ID_PROT:
	case V1_X_AGGRESSIVE:		/* established: a late duplicate, answered */
		phase1(ike, sa, len, now_ms);
		break;
	case V1_X_QUICK:
		if (sa->state == IKE_SA_ESTABLISHED && (h->flags & V1_F_ENCRYPTED))
			v1_qm_input(ike, sa, len, now_ms);
		break;
	case V1_X_INFO:
		if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING)
			v1_info_input(ike, sa, len, now_ms);
		break;
	default:
		ike_count(ike, IKE_CTR_MALFORMED);
		break;
	}
}
