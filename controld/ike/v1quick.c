/* SPDX-License-Identifier: Apache-2.0 */
/* v1quick.c: IKEv1 quick mode (RFC 2409 §5.5), both roles, over an established ISAKMP SA:
 *
 *	HDR*, HASH(1), SA, Ni [, KE] [, IDci, IDcr]  -->
 *	<--  HDR*, HASH(2), SA, Nr [, KE] [, IDci, IDcr] [, N(RESPONDER-LIFETIME)]
 *	HDR*, HASH(3)  -->
 *
 * Proposals are the entry's transform sets in order (one proposal each, ESP or AH, our inbound
 * SPI; RFC 2407 §4.5 attributes: life in seconds and kilobytes, encapsulation mode, the
 * authentication algorithm, key length, the PFS group of "set pfs").  The IDs carry the flow
 * (the permit entry, or the host pair with "level per-host"); the responder accepts a flow only
 * as the seed's mirror rule says (ts.c: Case 3 accepted, Case 4 refused) and takes the shorter
 * lifetime, saying so with RESPONDER-LIFETIME (RFC 2407 §4.6.3.1).  Keys: KEYMAT of each
 * direction's SPI (§5.5); the child SAs go to the host as IKEv2's do (child_commit).  Make
 * before break: the initiator installs both SAs on message 2 and uses them at once; the
 * responder installs its inbound SA on message 1 and its outbound larval, used from message 3
 * (or when message 3 never comes, after the exchange's time).  A new quick mode for a flow
 * that has SAs is a rekey: the old pair drains (IKE_DRAIN_MS), then its maker deletes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "controld/ike/bytes.h"
#include "controld/ike/ikesa.h"

enum { QM_KEEP_MS = 30000 };		/* a finished exchange is kept this long for duplicates */

void
v1_qm_free(struct ike1_qm *q)
{
	if (q == NULL)
		return;
	ike_dh_free(&q->dh);
	if (q->child != NULL) {		/* never installed: not in any list */
		OPENSSL_cleanse(q->child, sizeof(*q->child));
		free(q->child);
	}
	if (q->tx != NULL)
		OPENSSL_cleanse(q->tx, q->tx_len);
	free(q->tx);
	OPENSSL_cleanse(q, sizeof(*q));
	free(q);
}

struct ike1_qm *
v1_qm_find(struct ike_sa *sa, uint32_t mid)
{
	for (struct ike1_qm *q = sa->v1->qms; q != NULL; q = q->next)
		if (q->mid == mid)
			return q;
	return NULL;
}

static void
qm_unlink(struct ike_sa *sa, struct ike1_qm *q)
{
	for (struct ike1_qm **pp = &sa->v1->qms; *pp != NULL; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			return;
		}
}

/* ---------------------------------------------------------------- algorithms */

static uint16_t
aalg_of_integ(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_MD5_96:		return V1_AALG_HMAC_MD5;
	case IKE_INTEG_HMAC_SHA1_96:		return V1_AALG_HMAC_SHA;
	case IKE_INTEG_HMAC_SHA2_256_128:	return V1_AALG_HMAC_SHA2_256;
	case IKE_INTEG_HMAC_SHA2_384_192:	return V1_AALG_HMAC_SHA2_384;
	case IKE_INTEG_HMAC_SHA2_512_256:	return V1_AALG_HMAC_SHA2_512;
	default:				return 0;
	}
}

static uint16_t
integ_of_aalg(uint16_t a)
{
	switch (a) {
	case V1_AALG_HMAC_MD5:		return IKE_INTEG_HMAC_MD5_96;
	case V1_AALG_HMAC_SHA:		return IKE_INTEG_HMAC_SHA1_96;
	case V1_AALG_HMAC_SHA2_256:	return IKE_INTEG_HMAC_SHA2_256_128;
	case V1_AALG_HMAC_SHA2_384:	return IKE_INTEG_HMAC_SHA2_384_192;
	case V1_AALG_HMAC_SHA2_512:	return IKE_INTEG_HMAC_SHA2_512_256;
	default:			return 0;
	}
}

static uint8_t
ah_id_of_integ(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_MD5_96:		return V1_AH_MD5;
	case IKE_INTEG_HMAC_SHA1_96:		return V1_AH_SHA;
	case IKE_INTEG_HMAC_SHA2_256_128:	return V1_AH_SHA2_256;
	case IKE_INTEG_HMAC_SHA2_384_192:	return V1_AH_SHA2_384;
	case IKE_INTEG_HMAC_SHA2_512_256:	return V1_AH_SHA2_512;
	default:				return 0;
	}
}

/* A transform set as a phase 2 transform: proto (V1_PROTO_*), transform ID and the algs; -1
 * when IKEv1 cannot carry it (ChaCha20, AH+ESP bundles: XXX ours to ours only, not yet). */
static int
tset_v1(const struct conf_transform_set *t, struct ike_algs *a, uint8_t *proto, uint8_t *id)
{
	if (proposal_tset_algs(t, a) != 0)
		return -1;
	if (a->proto == IKE_PROTO_AH) {
		*proto = V1_PROTO_AH;
		*id = ah_id_of_integ(a->integ);
		return *id != 0 ? 0 : -1;
	}
	*proto = V1_PROTO_ESP;
	switch (a->encr) {
	case 2:
	case IKE_ENCR_3DES:
	case IKE_ENCR_NULL:
	case IKE_ENCR_AES_CBC:
	case IKE_ENCR_AES_GCM_16:
		*id = (uint8_t)a->encr;		/* RFC 2407 §4.4.4 numbers are IKEv2's here */
		break;
	default:
		return -1;
	}
	return a->integ == 0 || aalg_of_integ(a->integ) != 0 ? 0 : -1;
}

/* What a peer's transform says, as algs; -1 when we do not know it. */
static int
xf_algs(uint8_t proto, const struct v1_transform *x, const struct v1_phase2 *p2,
    struct ike_algs *a)
{
	memset(a, 0, sizeof(*a));
	if (proto == V1_PROTO_AH) {
		a->proto = IKE_PROTO_AH;
		a->integ = integ_of_aalg(p2->auth);
		return a->integ != 0 ? 0 : -1;
	}
	if (proto != V1_PROTO_ESP)
		return -1;
	a->proto = IKE_PROTO_ESP;
	a->encr = x->id;
	a->bits = x->id == IKE_ENCR_AES_CBC || x->id == IKE_ENCR_AES_GCM_16 ?
	    (p2->key_len != 0 ? p2->key_len : 128) : 0;
	a->integ = p2->auth != 0 ? integ_of_aalg(p2->auth) : 0;
	return p2->auth != 0 && a->integ == 0 ? -1 : 0;
}

static bool
algs_eq(const struct ike_algs *a, const struct ike_algs *b)
{
	return a->proto == b->proto && a->encr == b->encr && a->bits == b->bits &&
	    a->integ == b->integ;
}

static uint16_t
encap_of(const struct ike_sa *sa, bool transport)
{
	if (sa->nat_local || sa->nat_remote)
		return transport ? V1_ENCAP_UDP_TRANSPORT : V1_ENCAP_UDP_TUNNEL;
	return transport ? V1_ENCAP_TRANSPORT : V1_ENCAP_TUNNEL;
}

static struct v1_attr *
add_life(struct v1_msg *m, struct v1_transform *t, uint16_t type, uint32_t value)
{
	struct v1_attr *a;

	if (v1_msg_add_attr(m, t, V1_A2_LIFE_TYPE, type) == NULL ||
	    (a = v1_msg_add_attr(m, t, V1_A2_LIFE_DUR, value)) == NULL)
		return NULL;
	a->tlv = true;			/* variable: 4 bytes, as strongSwan and IOS send it */
	a->len = 4;
	return a;
}

/* ---------------------------------------------------------------- IDs */

/* An ID payload body for one side of a flow: a host, else a subnet (RFC 2407 §4.6.2). */
static void
add_flow_id(struct v1_msg *m, uint32_t addr, uint32_t mask, uint8_t proto, uint16_t plo,
    uint16_t phi, uint8_t data[8])
{
	struct v1_payload *pl = v1_msg_add(m, V1_PL_ID);

	if (pl == NULL)
		return;
	put_be32(data, addr & mask);
	put_be32(data + 4, mask);
	pl->u.id.type = mask == 0xffffffffu ? V1_ID_IPV4_ADDR : V1_ID_IPV4_ADDR_SUBNET;
	pl->u.id.proto = proto;
	pl->u.id.port = plo == phi ? plo : 0;
	pl->u.id.data = (struct ike_chunk){ data, mask == 0xffffffffu ? 4 : 8 };
}

static int
id_range(const struct v1_payload *id, struct ts_range *r)
{
	const uint8_t *d = id->u.id.data.p;

	switch (id->u.id.type) {
	case V1_ID_IPV4_ADDR:
		r->lo = r->hi = be32(d);
		break;
	case V1_ID_IPV4_ADDR_SUBNET:
		r->lo = be32(d) & be32(d + 4);
		r->hi = r->lo | ~be32(d + 4);
		break;
	case V1_ID_IPV4_ADDR_RANGE:
		r->lo = be32(d);
		r->hi = be32(d + 4);
		break;
	default:
		return -1;
	}
	r->proto = id->u.id.proto;
	r->plo = id->u.id.port;
	r->phi = id->u.id.port != 0 ? id->u.id.port : 65535;
	return r->lo <= r->hi ? 0 : -1;
}

/* ---------------------------------------------------------------- keys */

/* The child's keys (KEYMAT of each direction's SPI, §5.5) from the exchange's nonces. */
static int
child_keys(struct ike_sa *sa, struct ike1_qm *q, struct ike_child *c, struct ike_chunk gxy)
{
	uint8_t km[sizeof(c->ke_in.b) + sizeof(c->ka_in.b)];
	uint8_t proto = c->algs.proto == IKE_PROTO_AH ? V1_PROTO_AH : V1_PROTO_ESP;
	size_t el, il;

	if (proposal_child_key_lens(&c->algs, &el, &il) != 0 || el > sizeof(c->ke_in.b) ||
	    il > sizeof(c->ka_in.b))
		return -1;
	c->proto = c->algs.proto == IKE_PROTO_AH ? 51 : 50;
	for (int dir = 0; dir < 2; dir++) {
		struct key *ke = dir == 0 ? &c->ke_in : &c->ke_out;
		struct key *ka = dir == 0 ? &c->ka_in : &c->ka_out;

		if (ike1_kdf_keymat(sa->v1->hash, &sa->v1->k.d, gxy, proto,
		    dir == 0 ? c->spi_in : c->spi_out, ike_bytes_chunk(&q->ni),
		    ike_bytes_chunk(&q->nr), km, el + il) != 0)
			return -1;
		ke->len = (uint16_t)el;
		memcpy(ke->b, km, el);
		ka->len = (uint16_t)il;
		memcpy(ka->b, km + el, il);
	}
	OPENSSL_cleanse(km, sizeof(km));
	return 0;
}

/* HASH(1) or HASH(2) into the HASH payload of the message built in ike->buf[0 .. len). */
static int
patch_hash(struct ike *ike, struct ike_sa *sa, struct ike1_qm *q, size_t len, bool two)
{
	size_t hl = ike1_hash_len(sa->v1->hash);
	const uint8_t *rest = ike->buf + V1_HDR_LEN + V1_PL_HDR_LEN + hl;
	struct ike_chunk r = { rest, len - (V1_HDR_LEN + V1_PL_HDR_LEN + hl) };

	if (two)
		return ike1_kdf_qm_hash2(sa->v1->hash, &sa->v1->k.a, q->mid,
		    ike_bytes_chunk(&q->ni), r, ike->buf + V1_HDR_LEN + V1_PL_HDR_LEN);
	return ike1_kdf_qm_hash1(sa->v1->hash, &sa->v1->k.a, q->mid, r,
	    ike->buf + V1_HDR_LEN + V1_PL_HDR_LEN);
}

/* Seal the message in ike->buf (built, hash patched), send it and keep it in q. */
static int
qm_send(struct ike *ike, struct ike_sa *sa, struct ike1_qm *q, size_t len, bool wait,
    uint64_t now_ms)
{
	struct ike1 *v = sa->v1;

	if (v1_msg_pad(ike->buf, &len, sizeof(ike->buf), v->block) != 0 ||
	    v1_cbc(v->encr, v->k.enc.b, v->key_len, q->iv, ike->buf + V1_HDR_LEN,
	    ike->buf + V1_HDR_LEN, len - V1_HDR_LEN, true) != 0)
		return -1;
	if ((q->tx = ike_keep(ike->buf, len, q->tx, q->tx_len)) == NULL)
		return -1;
	q->tx_len = len;
	q->tries = 0;
	q->next_ms = wait ? now_ms + IKE_RETX_FIRST_MS : 0;
	v1_wire(ike, sa, ike->buf, len);
	return 0;
}

static struct ike1_qm *
qm_new(struct ike_sa *sa, uint32_t mid, bool initiator, uint64_t now_ms)
{
	struct ike1_qm *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return NULL;
	while (mid == 0) {
		if (ike_random(&mid, sizeof(mid)) != 0) {
			free(q);
			return NULL;
		}
		if (v1_qm_find(sa, mid) != NULL)
			mid = 0;
	}
	q->mid = mid;
	q->initiator = initiator;
	q->end_ms = now_ms + QM_KEEP_MS;
	if (ike1_kdf_iv2(sa->v1->hash, (struct ike_chunk){ sa->v1->iv, sa->v1->block }, mid,
	    sa->v1->block, q->iv) != 0) {
		free(q);
		return NULL;
	}
	q->next = sa->v1->qms;
	sa->v1->qms = q;
	return q;
}

/* ---------------------------------------------------------------- initiator */

int
v1_qm_start(struct ike *ike, struct ike_sa *sa, const char *map, uint16_t seq,
    const struct sel *flow, struct ike_child *old, uint64_t now_ms)
{
	const struct conf_map_entry *e;
	struct v1_msg *m = &ike->v1out;
	struct ike_child *c;
	struct ike1_qm *q;
	struct v1_payload *pl;
	uint8_t zero[IKE1_HASH_MAX] = { 0 }, idi[8], idr[8], spi_b[2][4];
	uint32_t spi[2] = { 0, 0 };		/* ESP, AH */
	uint8_t num = 0;
	size_t len;

	if (sa->v1 == NULL || sa->v1->st != V1_QM_IDLE || (c = child_new(ike, NULL)) == NULL)
		return -1;
	if (old != NULL) {
		e = child_entry(ike, old);
		if (e != NULL)
			child_from_entry(ike, c, e, old->map, old->seq, old->dynamic);
		c->dyn_idx = old->dyn_idx;
	} else {
		e = ike_entry_find(ike, map, seq);
		if (e != NULL)
			child_from_entry(ike, c, e, map, seq, false);
	}
	if (e == NULL || (q = qm_new(sa, 0, true, now_ms)) == NULL) {
		free(c);
		return -1;
	}
	q->child = c;
	q->old = old;
	c->flow = *flow;
	c->initiated = true;
	c->transport = old != NULL ? old->transport : ts_transport_wanted(ike, sa, e, &c->flow);
	q->pfs = e->pfs;
	q->ni.len = IKE_NONCE_LEN;
	if (ike_random(q->ni.b, q->ni.len) != 0)
		goto fail;
	if (q->pfs != 0) {
		struct gw_err err;

		if (ike_dh_init(&q->dh, q->pfs, &err) != 0)
			goto fail;
	}
	v1_msg_init(m, sa->spi_i, sa->spi_r, V1_X_QUICK, V1_F_ENCRYPTED, q->mid);
	if ((pl = v1_msg_add(m, V1_PL_HASH)) == NULL)
		goto fail;
	pl->u.data = (struct ike_chunk){ zero, ike1_hash_len(sa->v1->hash) };
	if ((pl = v1_msg_add(m, V1_PL_SA)) == NULL)
		goto fail;
	pl->u.sa.doi = V1_DOI_IPSEC;
	pl->u.sa.situation = V1_SIT_IDENTITY_ONLY;
	for (unsigned i = 0; i < e->n_tsets; i++) {
		const struct conf_transform_set *t = conf_tset_find(ike->conf, e->tsets[i]);
		struct ike_algs a;
		struct v1_proposal *pr;
		struct v1_transform *x;
		uint8_t proto, id;
		int k;

		if (t == NULL || tset_v1(t, &a, &proto, &id) != 0)
			continue;
		k = proto == V1_PROTO_AH;
		if (spi[k] == 0) {
			if (ike->io.spi_alloc != NULL) {
				if (ike->io.spi_alloc(ike->io.ctx, k ? 51 : 50, sa->local,
				    &spi[k]) != 0)
					continue;
			} else if (ike_random(&spi[k], 4) != 0) {
				goto fail;
			}
			put_be32(spi_b[k], spi[k]);
		}
		if ((pr = v1_msg_add_proposal(m, pl, ++num, proto,
		    (struct ike_chunk){ spi_b[k], 4 })) == NULL ||
		    (x = v1_msg_add_transform(m, pr, 1, id)) == NULL ||
		    add_life(m, x, V1_LIFE_SECONDS, c->life_s) == NULL ||
		    add_life(m, x, V1_LIFE_KILOBYTES, c->life_kb) == NULL ||
		    v1_msg_add_attr(m, x, V1_A2_ENCAP, encap_of(sa, c->transport)) == NULL ||
		    (a.integ != 0 && v1_msg_add_attr(m, x, V1_A2_AUTH, aalg_of_integ(a.integ))
		    == NULL) ||
		    (a.bits != 0 && v1_msg_add_attr(m, x, V1_A2_KEY_LEN, a.bits) == NULL) ||
		    (q->pfs != 0 && v1_msg_add_attr(m, x, V1_A2_GROUP, q->pfs) == NULL))
			goto fail;
	}
	if (num == 0) {
		log_debug("isakmp: crypto map %s %u: no transform set IKEv1 can offer", map, seq);
		goto fail;
	}
	c->spi_in = spi[0] != 0 ? spi[0] : spi[1];	/* XXX: the AH SPI when ESP is refused */
	if ((pl = v1_msg_add(m, V1_PL_NONCE)) == NULL)
		goto fail;
	pl->u.data = ike_bytes_chunk(&q->ni);
	if (q->pfs != 0) {
		if ((pl = v1_msg_add(m, V1_PL_KE)) == NULL)
			goto fail;
		pl->u.data = (struct ike_chunk){ q->dh.pub, q->dh.pub_len };
	}
	add_flow_id(m, flow->src, flow->src_mask, flow->proto, flow->sport_lo, flow->sport_hi, idi);
	add_flow_id(m, flow->dst, flow->dst_mask, flow->proto, flow->dport_lo, flow->dport_hi, idr);
	if (v1_msg_build(m, ike->buf, sizeof(ike->buf) - V1_CBC_BLOCK_MAX, &len) != 0 ||
	    patch_hash(ike, sa, q, len, false) != 0 || qm_send(ike, sa, q, len, true, now_ms) != 0)
		goto fail;
	q->child->spi_out = spi[1];		/* the AH SPI we offered, until the answer */
	if (old != NULL)
		old->state = CHILD_REKEYING;
	return 0;
fail:
	qm_unlink(sa, q);
	v1_qm_free(q);
	return -1;
}

/* The proposal the responder chose, checked against what we offered; 0 with c's algs, SPI. */
static int
read_chosen(struct ike *ike, struct ike1_qm *q, const struct v1_msg *in, struct v1_phase2 *p2)
{
	const struct v1_payload *sap = v1_msg_find(in, V1_PL_SA, NULL);
	const struct conf_map_entry *e = child_entry(ike, q->child);
	const struct v1_proposal *pr;
	struct ike_child *c = q->child;
	struct ike_algs a;

	if (sap == NULL || e == NULL || sap->u.sa.n_prop != 1)
		return -1;
	pr = &in->prop[sap->u.sa.prop];
	if (pr->n_xf != 1 || pr->spi.len != 4 ||
	    v1_xf_phase2(in, &in->xf[pr->xf], p2) != 0 ||
	    xf_algs(pr->proto, &in->xf[pr->xf], p2, &a) != 0 || p2->group != q->pfs)
		return -1;
	for (unsigned i = 0; i < e->n_tsets; i++) {
		const struct conf_transform_set *t = conf_tset_find(ike->conf, e->tsets[i]);
		struct ike_algs want;
		uint8_t proto, id;

		if (t == NULL || tset_v1(t, &want, &proto, &id) != 0 || !algs_eq(&want, &a))
			continue;
		c->algs = a;
		snprintf(c->tset, sizeof(c->tset), "%s", t->name);
		c->spi_out = be32(pr->spi.p);
		if (pr->proto == V1_PROTO_AH && c->spi_in == 0)
			return -1;
		return 0;
	}
	return -1;
}

/* RESPONDER-LIFETIME (RFC 2407 §4.6.3.1): the responder's shorter lifetimes for our SA. */
static void
responder_lifetime(struct ike_child *c, const struct v1_msg *in)
{
	const struct v1_payload *n = v1_msg_find_notify(in, V1_N_RESPONDER_LIFETIME);
	const uint8_t *d, *end;
	uint16_t type = 0;

	if (n == NULL)
		return;
	d = n->u.notify.data.p;
	end = d + n->u.notify.data.len;
	while (d != NULL && end - d >= 4) {
		uint16_t at = (uint16_t)(d[0] << 8 | d[1]) & 0x7fff;
		bool tv = d[0] & 0x80;
		uint16_t l = tv ? 0 : (uint16_t)(d[2] << 8 | d[3]);
		uint64_t val = 0;

		if (!tv && (l > 8 || end - d < 4 + l))
			break;
		if (tv)
			val = (uint16_t)(d[2] << 8 | d[3]);
		else
			for (unsigned i = 0; i < l; i++)
				val = val << 8 | d[4 + i];
		if (at == V1_A2_LIFE_TYPE)
			type = (uint16_t)val;
		else if (at == V1_A2_LIFE_DUR && type == V1_LIFE_SECONDS && val != 0 &&
		    val < c->life_s)
			c->life_s = (uint32_t)val;
		else if (at == V1_A2_LIFE_DUR && type == V1_LIFE_KILOBYTES && val != 0 &&
		    val < c->life_kb)
			c->life_kb = (uint32_t)val;
		d += 4 + l;
	}
}

/* I: message 2 -> install, message 3. */
static void
qm_i2(struct ike *ike, struct ike_sa *sa, struct ike1_qm *q, size_t len, uint64_t now_ms)
{
	struct v1_msg *in = &ike->v1in;
	struct ike1 *v = sa->v1;
	const struct v1_payload *no, *ke;
	struct ike_dh_secret s = { 0 };
	struct v1_phase2 p2;
	struct ike_child *c = q->child;
	uint8_t want[IKE1_HASH_MAX], next[V1_CBC_BLOCK_MAX], h3[IKE1_HASH_MAX];
	size_t chain, hl = ike1_hash_len(v->hash), out_len;
	struct v1_msg *m = &ike->v1out;
	struct v1_payload *pl;
	struct gw_err err;

	if (v1_open(ike, sa, q->iv, len, &chain, next) != 0 || chain < V1_PL_HDR_LEN + hl ||
	    (no = v1_msg_find(in, V1_PL_NONCE, NULL)) == NULL)
		goto bad;
	if (ike1_kdf_qm_hash2(v->hash, &v->k.a, q->mid, ike_bytes_chunk(&q->ni),
	    (struct ike_chunk){ ike->v1plain + V1_PL_HDR_LEN + hl, chain - V1_PL_HDR_LEN - hl },
	    want) != 0 || v1_hash_check(sa, want, in) != 0)
		goto bad;
	memcpy(q->iv, next, v->block);
	ike_bytes_set(&q->nr, no->u.data);
	if (read_chosen(ike, q, in, &p2) != 0) {
		log_debug("isakmp: quick mode: the peer chose a proposal we did not make");
		goto drop;
	}
	if (q->pfs != 0 && ((ke = v1_msg_find(in, V1_PL_KE, NULL)) == NULL ||
	    ike_dh_derive(&q->dh, ke->u.data, &s, &err) != 0)) {
		log_debug("isakmp: quick mode: no PFS KE from the peer, or a bad one");
		goto drop;
	}
	responder_lifetime(c, in);
	if (p2.life_seconds != 0 && p2.life_seconds < c->life_s)
		c->life_s = (uint32_t)p2.life_seconds;
	c->transport = p2.encap == V1_ENCAP_TRANSPORT || p2.encap == V1_ENCAP_UDP_TRANSPORT;
	if (child_keys(sa, q, c, (struct ike_chunk){ s.b, s.len }) != 0)
		goto drop;
	ike_dh_secret_wipe(&s);
	/* message 3 first: the responder's outbound SA waits for it */
	if (ike1_kdf_qm_hash3(v->hash, &v->k.a, q->mid, ike_bytes_chunk(&q->ni),
	    ike_bytes_chunk(&q->nr), h3) != 0)
		goto drop;
	v1_msg_init(m, sa->spi_i, sa->spi_r, V1_X_QUICK, V1_F_ENCRYPTED, q->mid);
	if ((pl = v1_msg_add(m, V1_PL_HASH)) == NULL)
		goto drop;
	pl->u.data = (struct ike_chunk){ h3, hl };
	if (v1_msg_build(m, ike->buf, sizeof(ike->buf) - V1_CBC_BLOCK_MAX, &out_len) != 0 ||
	    qm_send(ike, sa, q, out_len, false, now_ms) != 0)
		goto drop;
	q->done = true;
	q->end_ms = now_ms + QM_KEEP_MS;
	q->child = NULL;
	c->next = sa->children;
	sa->children = c;
	/* a rekey's new outbound SA waits V1_ACTIVATE_MS: the responder installs its inbound SA
	 * when message 3 reaches it (strongSwan does); the old one carries the traffic meanwhile */
	if (child_commit(ike, sa, c, q->old != NULL, now_ms) != 0) {
		log_debug("isakmp: quick mode: the SAs could not be installed");
		child_free(ike, sa, c, false);
		if (q->old != NULL && q->old->state == CHILD_REKEYING)
			q->old->state = CHILD_INSTALLED;
		return;
	}
	if (q->old != NULL) {
		q->act_spi = c->spi_in;
		q->act_ms = now_ms + V1_ACTIVATE_MS;
	}
	if (q->old != NULL) {			/* a rekey: the old pair drains, then goes */
		ike_count(ike, IKE_CTR_CHILD_REKEY);
		q->old->state = CHILD_REKEYED;
		q->old->drain_ms = now_ms + V1_ACTIVATE_MS + IKE_DRAIN_MS;
		q->old = NULL;
	}
	return;
bad:
	ike_count(ike, IKE_CTR_SK_FAIL);
	log_debug("isakmp: quick mode message 2 does not open or its HASH(2) is wrong");
	return;
drop:
	ike_dh_secret_wipe(&s);
	if (q->old != NULL && q->old->state == CHILD_REKEYING)
		q->old->state = CHILD_INSTALLED;
	qm_unlink(sa, q);
	v1_qm_free(q);
}

/* ---------------------------------------------------------------- responder */

/* Choose among the peer's proposals one our entry e has, with its PFS rule: 0 with the
 * proposal, transform, algs, phase 2 attributes, the set's name. */
static int
pick(struct ike *ike, const struct v1_msg *in, const struct v1_payload *sap,
    const struct conf_map_entry *e, bool has_ke, const struct v1_proposal **ppr,
    const struct v1_transform **px, struct ike_algs *pa, struct v1_phase2 *pp2, char *tset)
{
	for (unsigned i = 0; i < sap->u.sa.n_prop; i++) {
		const struct v1_proposal *pr = &in->prop[sap->u.sa.prop + i];

		/* XXX: a bundle (two proposals of one number, AH+ESP) is not taken yet */
		if ((i + 1 < sap->u.sa.n_prop && pr[1].num == pr->num) ||
		    (i > 0 && pr[-1].num == pr->num) || pr->spi.len != 4)
			continue;
		for (unsigned k = 0; k < pr->n_xf; k++) {
			const struct v1_transform *x = &in->xf[pr->xf + k];
			struct v1_phase2 p2;
			struct ike_algs a;

			if (v1_xf_phase2(in, x, &p2) != 0 || xf_algs(pr->proto, x, &p2, &a) != 0)
				continue;
			/* the seed: with "set pfs" the peer must do that group; without it, we
			 * do the peer's */
			if ((e->pfs != 0 && p2.group != e->pfs) || (p2.group != 0) != has_ke ||
			    (p2.group != 0 && ike_dh_pub_len(p2.group) == 0))
				continue;
			for (unsigned j = 0; j < e->n_tsets; j++) {
				const struct conf_transform_set *t =
				    conf_tset_find(ike->conf, e->tsets[j]);
				struct ike_algs want;
				uint8_t proto, id;

				if (t == NULL || tset_v1(t, &want, &proto, &id) != 0 ||
				    !algs_eq(&want, &a))
					continue;
				*ppr = pr;
				*px = x;
				*pa = a;
				*pp2 = p2;
				snprintf(tset, CONF_NAME_MAX, "%s", t->name);
				return 0;
			}
		}
	}
	return -1;
}

/* An older child of the same flow: the new one rekeys it. */
static struct ike_child *
rekeyed(struct ike_sa *sa, const struct ike_child *c)
{
	for (struct ike_child *o = sa->children; o != NULL; o = o->next)
		if (o != c && o->state == CHILD_INSTALLED && strcmp(o->map, c->map) == 0 &&
		    o->seq == c->seq && memcmp(&o->flow, &c->flow, sizeof(o->flow)) == 0)
			return o;
	return NULL;
}

/* R: message 1 of a new exchange -> message 2; the inbound SA installed. */
static void
qm_r1(struct ike *ike, struct ike_sa *sa, uint32_t mid, size_t len, uint64_t now_ms)
{
	struct v1_msg *in = &ike->v1in, *m = &ike->v1out;
	struct ike1 *v = sa->v1;
	struct ike1_qm *q = qm_new(sa, mid, false, now_ms);
	const struct v1_payload *sap, *no, *ke, *idi, *idr;
	const struct v1_proposal *pr = NULL;
	const struct v1_transform *x = NULL;
	const struct conf_map_entry *e;
	const struct policy *pol;
	struct ike_dh_secret s = { 0 };
	struct ts_range l, r;
	struct v1_phase2 p2;
	struct ike_algs a;
	struct ike_child *c = NULL;
	struct v1_payload *pl;
	uint8_t want[IKE1_HASH_MAX], zero[IKE1_HASH_MAX] = { 0 }, spi_b[4], life[16];
	char why[96], tset[CONF_NAME_MAX];
	size_t chain, hl = ike1_hash_len(v->hash), k, out_len;
	struct sel flow;
	struct gw_err err;
	bool short_s = false, short_kb = false;

	if (q == NULL)
		return;
	if (v1_open(ike, sa, q->iv, len, &chain, q->iv) != 0 || chain < V1_PL_HDR_LEN + hl ||
	    ike1_kdf_qm_hash1(v->hash, &v->k.a, mid, (struct ike_chunk){ ike->v1plain +
	    V1_PL_HDR_LEN + hl, chain - V1_PL_HDR_LEN - hl }, want) != 0 ||
	    v1_hash_check(sa, want, in) != 0) {
		ike_count(ike, IKE_CTR_SK_FAIL);
		log_debug("isakmp: quick mode message 1 does not open or its HASH(1) is wrong");
		goto drop;
	}
	v1_sum(ike->rx, len, q->rx_sum);
	sap = v1_msg_find(in, V1_PL_SA, NULL);
	no = v1_msg_find(in, V1_PL_NONCE, NULL);
	ke = v1_msg_find(in, V1_PL_KE, NULL);
	idi = v1_msg_find(in, V1_PL_ID, NULL);
	idr = idi != NULL ? v1_msg_find(in, V1_PL_ID, idi) : NULL;
	if (sap == NULL || no == NULL || no->u.data.len < 8 || no->u.data.len > 256 ||
	    (idi != NULL) != (idr != NULL)) {
		log_debug("isakmp: quick mode message 1 without SA or nonce");
		goto drop;
	}
	if (idi != NULL) {
		if (id_range(idi, &r) != 0 || id_range(idr, &l) != 0) {
			log_debug("isakmp: quick mode: IDs we do not read (IPv4 only)");
			goto drop;
		}
	} else {			/* no IDs: the two gateways (RFC 2409 §5.5) */
		memset(&l, 0, sizeof(l));
		memset(&r, 0, sizeof(r));
		l.lo = l.hi = sa->local;
		r.lo = r.hi = sa->remote;
		l.phi = r.phi = 65535;
	}
	if (ts_responder_v1(ike, &l, &r, sa->local, sa->remote, &k, &flow, why,
	    sizeof(why)) != 0) {
		ike_count(ike, IKE_CTR_TS_UNACCEPTABLE);
		log_debug("isakmp: peer %s proposed a flow %s", sa->remote_id, why);
		goto refuse;
	}
	pol = &ike->spd.v[k];
	if ((e = ts_policy_entry(ike, k)) == NULL ||
	    pick(ike, in, sap, e, ke != NULL, &pr, &x, &a, &p2, tset) != 0) {
		ike_count(ike, IKE_CTR_NO_PROPOSAL);
		log_debug("isakmp: peer %s: no proposal matches the transform sets of crypto map "
		    "%s %u", sa->remote_id, pol->map, pol->seq);
		goto refuse;
	}
	if ((c = child_new(ike, NULL)) == NULL)
		goto drop;
	child_from_entry(ike, c, e, pol->map, pol->seq, pol->kind == POLICY_DYNAMIC);
	c->flow = flow;
	c->algs = a;
	snprintf(c->tset, sizeof(c->tset), "%s", tset);
	c->spi_out = be32(pr->spi.p);
	c->transport = (p2.encap == V1_ENCAP_TRANSPORT || p2.encap == V1_ENCAP_UDP_TRANSPORT) &&
	    ts_transport_allowed(ike, sa, tset, &flow);
	if ((p2.encap == V1_ENCAP_TRANSPORT || p2.encap == V1_ENCAP_UDP_TRANSPORT) &&
	    !c->transport) {
		log_debug("isakmp: peer %s asked for transport mode, not allowed here",
		    sa->remote_id);
		goto refuse;
	}
	/* the seed: the responder takes the smaller lifetime and says so */
	if (p2.life_seconds != 0 && p2.life_seconds <= c->life_s)
		c->life_s = (uint32_t)p2.life_seconds;
	else
		short_s = true;
	if (p2.life_kilobytes != 0 && p2.life_kilobytes <= c->life_kb)
		c->life_kb = (uint32_t)p2.life_kilobytes;
	else if (p2.life_kilobytes != 0)
		short_kb = true;
	if (ike->io.spi_alloc != NULL ? ike->io.spi_alloc(ike->io.ctx, pr->proto == V1_PROTO_AH ?
	    51 : 50, sa->local, &c->spi_in) != 0 : ike_random(&c->spi_in, 4) != 0)
		goto drop;
	put_be32(spi_b, c->spi_in);
	ike_bytes_set(&q->ni, no->u.data);
	q->nr.len = IKE_NONCE_LEN;
	if (ike_random(q->nr.b, q->nr.len) != 0)
		goto drop;
	if (p2.group != 0 && (ike_dh_init(&q->dh, p2.group, &err) != 0 ||
	    ike_dh_derive(&q->dh, ke->u.data, &s, &err) != 0)) {
		log_debug("isakmp: quick mode PFS: %s", err.msg);
		goto drop;
	}
	q->pfs = p2.group;
	v1_msg_init(m, sa->spi_i, sa->spi_r, V1_X_QUICK, V1_F_ENCRYPTED, mid);
	if ((pl = v1_msg_add(m, V1_PL_HASH)) == NULL)
		goto drop;
	pl->u.data = (struct ike_chunk){ zero, hl };
	if ((pl = v1_msg_add(m, V1_PL_SA)) == NULL)
		goto drop;
	pl->u.sa.doi = V1_DOI_IPSEC;
	pl->u.sa.situation = V1_SIT_IDENTITY_ONLY;
	{
		struct v1_proposal *opr = v1_msg_add_proposal(m, pl, pr->num, pr->proto,
		    (struct ike_chunk){ spi_b, 4 });
		struct v1_transform *ox = opr != NULL ? v1_msg_add_transform(m, opr, x->num, x->id) :
		    NULL;

		if (ox == NULL)
			goto drop;
		uint16_t ltype = 0;

		for (unsigned i = 0; i < x->n_attr; i++) {
			const struct v1_attr *at = &in->attr[x->attr + i];
			struct v1_attr *b = v1_msg_add_attr(m, ox, at->type, at->value);

			if (b == NULL)
				goto drop;
			*b = *at;
			/* the lifetime we take, also in the SA we answer with: strongSwan reads
			 * it there, IOS from RESPONDER-LIFETIME (both are sent) */
			if (at->type == V1_A2_LIFE_TYPE)
				ltype = (uint16_t)at->value;
			else if (at->type == V1_A2_LIFE_DUR && (!at->tlv || at->len <= 8) &&
			    ((ltype == V1_LIFE_SECONDS && short_s) ||
			    (ltype == V1_LIFE_KILOBYTES && short_kb)))
				b->value = ltype == V1_LIFE_SECONDS ? c->life_s : c->life_kb;
		}
	}
	if ((pl = v1_msg_add(m, V1_PL_NONCE)) == NULL)
		goto drop;
	pl->u.data = ike_bytes_chunk(&q->nr);
	if (q->pfs != 0) {
		if ((pl = v1_msg_add(m, V1_PL_KE)) == NULL)
			goto drop;
		pl->u.data = (struct ike_chunk){ q->dh.pub, q->dh.pub_len };
	}
	if (idi != NULL) {
		struct v1_payload *a1 = v1_msg_add(m, V1_PL_ID), *a2 = v1_msg_add(m, V1_PL_ID);

		if (a1 == NULL || a2 == NULL)
			goto drop;
		a1->u.id = idi->u.id;
		a2->u.id = idr->u.id;
	}
	if (short_s || short_kb) {
		size_t n = 0;

		/* RFC 2407 §4.6.3.1: attributes Life Type / Life Duration, the SPI ours */
		if (short_s) {
			const uint8_t b[] = { 0x80, V1_A2_LIFE_TYPE, 0, V1_LIFE_SECONDS, 0,
				V1_A2_LIFE_DUR, 0, 4 };

			memcpy(life + n, b, sizeof(b));
			put_be32(life + n + 8, c->life_s);
			n += 12;
		}
		if (short_kb && n == 0) {
			const uint8_t b[] = { 0x80, V1_A2_LIFE_TYPE, 0, V1_LIFE_KILOBYTES, 0,
				V1_A2_LIFE_DUR, 0, 4 };

			memcpy(life + n, b, sizeof(b));
			put_be32(life + n + 8, c->life_kb);
			n += 12;
		}
		if ((pl = v1_msg_add(m, V1_PL_NOTIFY)) == NULL)
			goto drop;
		pl->u.notify.doi = V1_DOI_IPSEC;
		pl->u.notify.proto = pr->proto;
		pl->u.notify.type = V1_N_RESPONDER_LIFETIME;
		pl->u.notify.spi = (struct ike_chunk){ spi_b, 4 };
		pl->u.notify.data = (struct ike_chunk){ life, n };
	}
	if (v1_msg_build(m, ike->buf, sizeof(ike->buf) - V1_CBC_BLOCK_MAX, &out_len) != 0 ||
	    patch_hash(ike, sa, q, out_len, true) != 0)
		goto drop;
	if (child_keys(sa, q, c, (struct ike_chunk){ s.b, s.len }) != 0)
		goto drop;
	ike_dh_secret_wipe(&s);
	c->next = sa->children;
	sa->children = c;
	if (child_commit(ike, sa, c, true, now_ms) != 0) {
		log_debug("isakmp: quick mode: the SAs could not be installed");
		child_free(ike, sa, c, false);
		qm_unlink(sa, q);
		v1_qm_free(q);
		return;
	}
	{
		struct ike_child *o = rekeyed(sa, c);

		if (o != NULL) {		/* the peer's rekey: the old pair goes on its delete
					 * or at its hard life; its outbound yields on message 3 */
			ike_count(ike, IKE_CTR_CHILD_REKEY);
			o->state = CHILD_REKEYED;
			o->drain_ms = 0;
		}
	}
	q->child = NULL;
	q->old = c;			/* R: the child whose outbound message 3 activates */
	if (qm_send(ike, sa, q, out_len, false, now_ms) != 0)
		return;
	q->next_ms = 0;
	q->end_ms = now_ms + QM_KEEP_MS;
	return;
refuse:
	v1_send_notify(ike, sa, V1_N_NO_PROPOSAL_CHOSEN, V1_PROTO_ESP, (struct ike_chunk){ NULL, 0 },
	    (struct ike_chunk){ NULL, 0 });
drop:
	ike_dh_secret_wipe(&s);
	if (c != NULL) {
		OPENSSL_cleanse(c, sizeof(*c));
		free(c);
	}
	qm_unlink(sa, q);
	v1_qm_free(q);
}

/* R: message 3: the outbound SA goes into use. */
static void
qm_r3(struct ike *ike, struct ike_sa *sa, struct ike1_qm *q, size_t len)
{
	struct ike1 *v = sa->v1;
	uint8_t want[IKE1_HASH_MAX], next[V1_CBC_BLOCK_MAX];
	size_t chain;

	if (v1_open(ike, sa, q->iv, len, &chain, next) != 0 ||
	    ike1_kdf_qm_hash3(v->hash, &v->k.a, q->mid, ike_bytes_chunk(&q->ni),
	    ike_bytes_chunk(&q->nr), want) != 0 || v1_hash_check(sa, want, &ike->v1in) != 0) {
		ike_count(ike, IKE_CTR_SK_FAIL);
		log_debug("isakmp: quick mode message 3 does not open or its HASH(3) is wrong");
		return;
	}
	q->done = true;
	if (q->old != NULL && q->old->out_larval) {
		q->old->out_larval = false;
		if (ike->io.activate != NULL)
			ike->io.activate(ike->io.ctx, q->old->id_out);
	}
	q->old = NULL;
}

void
v1_qm_input(struct ike *ike, struct ike_sa *sa, size_t len, uint64_t now_ms)
{
	uint32_t mid = ike->v1in.hdr.msg_id;
	struct ike1_qm *q = v1_qm_find(sa, mid);
	uint8_t sum[32];

	if (mid == 0) {
		ike_count(ike, IKE_CTR_BAD_MSG_ID);
		return;
	}
	if (q == NULL) {
		qm_r1(ike, sa, mid, len, now_ms);
		return;
	}
	v1_sum(ike->rx, len, sum);
	if (memcmp(sum, q->rx_sum, sizeof(sum)) == 0) {
		if (q->tx != NULL) {		/* ours was lost: again */
			ike_count(ike, IKE_CTR_RESP_CACHED);
			v1_wire(ike, sa, q->tx, q->tx_len);
		}
		return;
	}
	if (q->done)
		return;
	memcpy(q->rx_sum, sum, sizeof(sum));
	if (q->initiator)
		qm_i2(ike, sa, q, len, now_ms);
	else
		qm_r3(ike, sa, q, len);
}
