/* SPDX-License-Identifier: Apache-2.0 */
/* proposal.c: SA payloads (RFC 7296 §3.3).  Ours: the IKE proposals of the "crypto ikev2
 * policy" matching the local address (else every proposal configured, else a default), and
 * one ESP or AH proposal per transform set of a crypto map entry in its priority order (ESN
 * offered, then no ESN, where the set has integrity).  Theirs: as responder we take the
 * first of the peer's proposals (its preference order, §2.7) that one of ours covers, each
 * transform type taken as the peer's first one we allow.  Transform ids are IANA's
 * (ikev2.h); the child SA's xform enums come from them here and nowhere else. */
#include <string.h>

#include "controld/ike/ikesa.h"

/* Our default IKE proposal when none is configured: IOS 15's "default" in spirit (AES-CBC,
 * SHA-2, groups 19 and 14), without its weak members. */
static const struct conf_ikev2_proposal default_prop = {
	.name = "default",
	.encr = { { IKE_ENCR_AES_CBC, 256 }, { IKE_ENCR_AES_CBC, 128 } }, .n_encr = 2,
	.integ = { IKE_INTEG_HMAC_SHA2_512_256, IKE_INTEG_HMAC_SHA2_256_128,
	    IKE_INTEG_HMAC_SHA1_96 }, .n_integ = 3,
	.group = { IKE_DH_ECP256, IKE_DH_MODP2048, IKE_DH_X25519 }, .n_group = 3,
};

static bool
aead(uint16_t encr)
{
	return encr == IKE_ENCR_AES_GCM_8 || encr == IKE_ENCR_AES_GCM_12 ||
	    encr == IKE_ENCR_AES_GCM_16 || encr == IKE_ENCR_CHACHA20_POLY1305;
}

uint16_t
proposal_prf_of_integ(uint16_t integ)
{
	switch (integ) {
	case IKE_INTEG_HMAC_MD5_96:		return IKE_PRF_HMAC_MD5;
	case IKE_INTEG_HMAC_SHA1_96:		return IKE_PRF_HMAC_SHA1;
	case IKE_INTEG_AES_XCBC_96:		return IKE_PRF_AES128_XCBC;
	case IKE_INTEG_HMAC_SHA2_256_128:	return IKE_PRF_HMAC_SHA2_256;
	case IKE_INTEG_HMAC_SHA2_384_192:	return IKE_PRF_HMAC_SHA2_384;
	case IKE_INTEG_HMAC_SHA2_512_256:	return IKE_PRF_HMAC_SHA2_512;
	default:				return 0;
	}
}

/* The PRFs of one of our proposals: configured, else from integrity, else (AEAD only)
 * SHA-256 and SHA-512 as IOS does. */
static unsigned
prop_prfs(const struct conf_ikev2_proposal *p, uint16_t *out)
{
	unsigned n = 0;

	if (p->n_prf > 0) {
		for (unsigned i = 0; i < p->n_prf; i++)
			out[n++] = p->prf[i];
		return n;
	}
	for (unsigned i = 0; i < p->n_integ; i++) {
		uint16_t prf = proposal_prf_of_integ(p->integ[i]);
		bool dup = false;

		for (unsigned j = 0; j < n; j++)
			dup |= out[j] == prf;
		if (prf != 0 && !dup)
			out[n++] = prf;
	}
	if (n == 0) {
		out[n++] = IKE_PRF_HMAC_SHA2_256;
		out[n++] = IKE_PRF_HMAC_SHA2_512;
	}
	return n;
}

/* Our IKE proposals for local, in order; n of at most max. */
static unsigned
ike_props(const struct ike *ike, uint32_t local, const struct conf_ikev2_proposal **v,
    unsigned max)
{
	const struct conf *c = ike->conf;
	const struct conf_ikev2_policy *pol = NULL;
	unsigned n = 0;

	for (size_t i = 0; c != NULL && i < c->n_ikev2_policies && pol == NULL; i++) {
		const struct conf_ikev2_policy *p = c->ikev2_policies[i];

		for (unsigned j = 0; j < p->n_match_local; j++)
			if (p->match_local[j] == local)
				pol = p;
	}
	for (size_t i = 0; c != NULL && i < c->n_ikev2_policies && pol == NULL; i++)
		if (c->ikev2_policies[i]->n_match_local == 0)
			pol = c->ikev2_policies[i];
	if (pol != NULL) {
		for (unsigned i = 0; i < pol->n_proposals && n < max; i++)
			for (size_t j = 0; j < c->n_ikev2_proposals; j++)
				if (strcmp(c->ikev2_proposals[j]->name, pol->proposals[i]) == 0 &&
				    n < max)
					v[n++] = c->ikev2_proposals[j];
	} else {
		for (size_t j = 0; c != NULL && j < c->n_ikev2_proposals && n < max; j++)
			v[n++] = c->ikev2_proposals[j];
	}
	if (n == 0)
		v[n++] = &default_prop;
	return n;
}

int
proposal_add_ike(struct ike *ike, struct ike_msg *m, struct ike_payload *sa, uint32_t local,
    const uint8_t *spi, size_t spi_len)
{
	const struct conf_ikev2_proposal *v[CONF_IKEV2_MATCH_MAX];
	unsigned n = ike_props(ike, local, v, CONF_IKEV2_MATCH_MAX), num = 0;

	/* RFC 5282 §8: combined-mode ciphers go in proposals of their own, without
	 * integrity: a proposal configured with both kinds is sent as two (as IOS does) */
	for (unsigned i = 0; i < n; i++)
		for (int kind = 0; kind < 2; kind++) {
			const struct conf_ikev2_proposal *p = v[i];
			struct ike_proposal *pp = NULL;
			uint16_t prfs[CONF_IKEV2_ALGS_MAX + 2];
			unsigned n_prf = prop_prfs(p, prfs);

			for (unsigned j = 0; j < p->n_encr; j++) {
				if (aead(p->encr[j].id) != (kind == 1))
					continue;
				if (pp == NULL && (num == 255 || (pp = ike_msg_add_proposal(m, sa,
				    (uint8_t)++num, IKE_PROTO_IKE,
				    (struct ike_chunk){ spi, spi_len })) == NULL))
					return -1;
				if (ike_msg_add_transform(m, pp, IKE_XF_ENCR, p->encr[j].id,
				    p->encr[j].bits) == NULL)
					return -1;
			}
			if (pp == NULL)
				continue;
			for (unsigned j = 0; j < n_prf; j++)
				if (ike_msg_add_transform(m, pp, IKE_XF_PRF, prfs[j], 0) == NULL)
					return -1;
			for (unsigned j = 0; j < p->n_integ && kind == 0; j++)
				if (ike_msg_add_transform(m, pp, IKE_XF_INTEG, p->integ[j], 0) ==
				    NULL)
					return -1;
			for (unsigned j = 0; j < p->n_group; j++)
				if (ike_msg_add_transform(m, pp, IKE_XF_DH, p->group[j], 0) == NULL)
					return -1;
		}
	return num > 0 ? 0 : -1;
}

/* Does one of our proposals allow transform t? */
static bool
allows(const struct conf_ikev2_proposal *p, const struct ike_transform *t)
{
	uint16_t prfs[CONF_IKEV2_ALGS_MAX + 2];
	unsigned n;

	if (t->attrs.p != NULL)		/* an attribute we do not know: skip it (§3.3.6) */
		return false;
	switch (t->type) {
	case IKE_XF_ENCR:
		for (unsigned i = 0; i < p->n_encr; i++)
			if (p->encr[i].id == t->id && p->encr[i].bits == t->key_len)
				return true;
		return false;
	case IKE_XF_PRF:
		n = prop_prfs(p, prfs);
		for (unsigned i = 0; i < n; i++)
			if (prfs[i] == t->id)
				return true;
		return false;
	case IKE_XF_INTEG:
		for (unsigned i = 0; i < p->n_integ; i++)
			if (p->integ[i] == t->id)
				return true;
		return false;
	case IKE_XF_DH:
		for (unsigned i = 0; i < p->n_group; i++)
			if (p->group[i] == t->id)
				return true;
		return false;
	default:
		return false;
	}
}

/* The peer's proposal pp against our proposal p: a the choice, or -1. */
static int
match_ike(const struct ike_msg *m, const struct ike_proposal *pp,
    const struct conf_ikev2_proposal *p, uint16_t ke_group, struct ike_algs *a)
{
	bool has_integ = false, has_encr = false, has_prf = false, has_dh = false;

	memset(a, 0, sizeof(*a));
	a->proto = IKE_PROTO_IKE;
	for (unsigned i = 0; i < pp->n_xf; i++) {
		const struct ike_transform *t = &m->xf[pp->xf + i];

		if (t->type > IKE_XF_DH)
			return -1;		/* ESN in an IKE proposal: not ours */
		if (!allows(p, t))
			continue;
		switch (t->type) {
		case IKE_XF_ENCR:
			if (!has_encr && ike_sk_encr_key_len(t->id, t->key_len) > 0) {
				a->encr = t->id;
				a->bits = t->key_len;
				has_encr = true;
			}
			break;
		case IKE_XF_PRF:
			if (!has_prf && ike_prf_len(t->id) > 0) {
				a->prf = t->id;
				has_prf = true;
			}
			break;
		case IKE_XF_INTEG:
			if (!has_integ && ike_sk_integ_key_len(t->id) > 0) {
				a->integ = t->id;
				has_integ = true;
			}
			break;
		case IKE_XF_DH:
			/* the group of the peer's KE if the proposal has it, else the first */
			if (ike_dh_pub_len(t->id) > 0 && (!has_dh || t->id == ke_group)) {
				a->dh = t->id;
				has_dh = true;
			}
			break;
		}
	}
	if (!has_encr || !has_prf || !has_dh)
		return -1;
	if (aead(a->encr) != !has_integ) {
		/* AEAD needs no integrity: a proposal offering both gets none */
		if (!aead(a->encr))
			return -1;
		a->integ = IKE_INTEG_NONE;
	}
	return 0;
}

int
proposal_pick_ike(struct ike *ike, const struct ike_msg *m, const struct ike_payload *sa,
    uint32_t local, uint16_t ke_group, struct ike_algs *a, uint8_t *num)
{
	const struct conf_ikev2_proposal *v[CONF_IKEV2_MATCH_MAX];
	unsigned n = ike_props(ike, local, v, CONF_IKEV2_MATCH_MAX);

	for (unsigned i = 0; i < sa->u.sa.n_prop; i++) {
		const struct ike_proposal *pp = &m->prop[sa->u.sa.prop + i];

		if (pp->proto != IKE_PROTO_IKE)
			continue;
		for (unsigned j = 0; j < n; j++)
			if (match_ike(m, pp, v[j], ke_group, a) == 0) {
				*num = pp->num;
				return 0;
			}
	}
	return -1;
}

/* ---- child SAs: transform sets as ESP / AH proposals ---- */

/* The ESP ENCR transform of a set: id and key bits; -1 if IKEv2 cannot carry it. */
static int
tset_encr(const struct conf_transform_set *t, uint16_t *id, uint16_t *bits)
{
	*bits = 0;
	switch (t->esp_cipher) {
	case XF_CIPHER_NONE:
	case XF_CIPHER_NULL:
		*id = IKE_ENCR_NULL;
		return 0;
	case XF_CIPHER_DES:
		*id = 2;			/* ENCR_DES */
		return 0;
	case XF_CIPHER_3DES:
		*id = IKE_ENCR_3DES;
		return 0;
	case XF_CIPHER_AES_CBC:
		*id = IKE_ENCR_AES_CBC;
		*bits = t->esp_key_bits;
		return 0;
	case XF_CIPHER_AES_GCM:
		*id = IKE_ENCR_AES_GCM_16;
		*bits = t->esp_key_bits;
		return 0;
	case XF_CIPHER_AES_GMAC:
		*id = 21;			/* ENCR_NULL_AUTH_AES_GMAC, RFC 4543 */
		*bits = t->esp_key_bits;
		return 0;
	case XF_CIPHER_CHACHA20_POLY1305:
		*id = IKE_ENCR_CHACHA20_POLY1305;
		return 0;
	default:
		return -1;			/* esp-rfc1829 has no IKEv2 number */
	}
}

static uint16_t
integ_of_auth(enum xform_auth a)
{
	switch (a) {
	case XF_AUTH_HMAC_MD5_96:	return IKE_INTEG_HMAC_MD5_96;
	case XF_AUTH_HMAC_SHA1_96:	return IKE_INTEG_HMAC_SHA1_96;
	case XF_AUTH_HMAC_SHA256_128:	return IKE_INTEG_HMAC_SHA2_256_128;
	case XF_AUTH_HMAC_SHA384_192:	return IKE_INTEG_HMAC_SHA2_384_192;
	case XF_AUTH_HMAC_SHA512_256:	return IKE_INTEG_HMAC_SHA2_512_256;
	default:			return 0;
	}
}

/* A transform set as one child proposal's algorithms; -1 when IKEv2 cannot negotiate it
 * (AH with ESP: RFC 7296 has no bundles; the RFC 1828/1829 transforms). */
int
proposal_tset_algs(const struct conf_transform_set *t, struct ike_algs *a)
{
	memset(a, 0, sizeof(*a));
	if (conf_tset_no_seq(t))
		return -1;
	if (t->ah != XF_AUTH_NONE) {
		if (conf_tset_has_esp(t))
			return -1;
		a->proto = IKE_PROTO_AH;
		a->integ = integ_of_auth(t->ah);
		return a->integ != 0 ? 0 : -1;
	}
	a->proto = IKE_PROTO_ESP;
	if (tset_encr(t, &a->encr, &a->bits) != 0)
		return -1;
	a->integ = integ_of_auth(t->esp_auth);
	if (t->esp_auth != XF_AUTH_NONE && a->integ == 0)
		return -1;
	return 0;
}

static bool
child_has_integrity(const struct ike_algs *a)
{
	return a->integ != 0 || a->encr == IKE_ENCR_AES_GCM_16 || a->encr == 21 ||
	    a->encr == IKE_ENCR_CHACHA20_POLY1305;
}

int
proposal_add_child(struct ike *ike, struct ike_msg *m, struct ike_payload *sa,
    const struct conf_map_entry *e, uint16_t pfs, uint32_t spi)
{
	uint8_t num = 0;

	/* the SPI bytes must outlive the message's build: the engine's buffer holds them */
	ike->spi_be[0] = (uint8_t)(spi >> 24);
	ike->spi_be[1] = (uint8_t)(spi >> 16);
	ike->spi_be[2] = (uint8_t)(spi >> 8);
	ike->spi_be[3] = (uint8_t)spi;

	for (unsigned i = 0; i < e->n_tsets; i++) {
		const struct conf_transform_set *t = conf_tset_find(ike->conf, e->tsets[i]);
		struct ike_proposal *pp;
		struct ike_algs a;

		if (t == NULL || proposal_tset_algs(t, &a) != 0 || num == IKE_MSG_MAX_PROP)
			continue;
		num++;
		if ((pp = ike_msg_add_proposal(m, sa, num, a.proto,
		    (struct ike_chunk){ ike->spi_be, 4 })) == NULL)
			return -1;
		if (a.proto == IKE_PROTO_ESP &&
		    ike_msg_add_transform(m, pp, IKE_XF_ENCR, a.encr, a.bits) == NULL)
			return -1;
		if (a.integ != 0 &&
		    ike_msg_add_transform(m, pp, IKE_XF_INTEG, a.integ, 0) == NULL)
			return -1;
		if (pfs != 0 && ike_msg_add_transform(m, pp, IKE_XF_DH, pfs, 0) == NULL)
			return -1;
		/* RFC 4303 §2.2.1: ESN needs integrity; offered first where allowed */
		if (child_has_integrity(&a) &&
		    ike_msg_add_transform(m, pp, IKE_XF_ESN, 1, 0) == NULL)
			return -1;
		if (ike_msg_add_transform(m, pp, IKE_XF_ESN, 0, 0) == NULL)
			return -1;
	}
	return num > 0 ? 0 : -1;
}

int
proposal_pick_child(struct ike *ike, const struct ike_msg *m, const struct ike_payload *sa,
    const struct conf_map_entry *e, uint16_t pfs, struct ike_algs *a, uint32_t *spi,
    uint8_t *num, char *tset)
{
	for (unsigned i = 0; i < sa->u.sa.n_prop; i++) {
		const struct ike_proposal *pp = &m->prop[sa->u.sa.prop + i];

		if ((pp->proto != IKE_PROTO_ESP && pp->proto != IKE_PROTO_AH) ||
		    pp->spi.len != 4)
			continue;
		for (unsigned j = 0; j < e->n_tsets; j++) {
			const struct conf_transform_set *t = conf_tset_find(ike->conf, e->tsets[j]);
			bool has_encr = false, has_integ = false, has_dh = false, has_esn = false;
			bool bad = false;
			struct ike_algs want;

			if (t == NULL || proposal_tset_algs(t, &want) != 0 || want.proto != pp->proto)
				continue;
			memset(a, 0, sizeof(*a));
			a->proto = pp->proto;
			for (unsigned k = 0; k < pp->n_xf; k++) {
				const struct ike_transform *x = &m->xf[pp->xf + k];

				if (x->attrs.p != NULL)
					continue;
				switch (x->type) {
				case IKE_XF_ENCR:
					if (x->id == want.encr && x->key_len == want.bits) {
						a->encr = x->id;
						a->bits = x->key_len;
						has_encr = true;
					}
					break;
				case IKE_XF_INTEG:
					if (x->id == want.integ)
						has_integ = true;
					break;
				case IKE_XF_DH:
					if (x->id == pfs || (pfs == 0 && x->id == IKE_DH_NONE))
						has_dh = true;
					break;
				case IKE_XF_ESN:
					/* our preference: ESN when the peer offers it */
					if (x->id == 1 && child_has_integrity(&want)) {
						a->esn = true;
						has_esn = true;
					} else if (x->id == 0) {
						has_esn = true;
					}
					break;
				default:
					bad = true;
				}
			}
			if (bad || !has_esn || (want.proto == IKE_PROTO_ESP && !has_encr) ||
			    (want.integ != 0 && !has_integ) || (pfs != 0 && !has_dh))
				continue;
			a->integ = want.integ;
			a->dh = pfs;
			*spi = (uint32_t)pp->spi.p[0] << 24 | (uint32_t)pp->spi.p[1] << 16 |
			    (uint32_t)pp->spi.p[2] << 8 | pp->spi.p[3];
			*num = pp->num;
			snprintf(tset, CONF_NAME_MAX, "%s", t->name);
			return 0;
		}
	}
	return -1;
}

int
proposal_add_chosen(struct ike_msg *m, struct ike_payload *sa, uint8_t num,
    const struct ike_algs *a, const uint8_t *spi, size_t spi_len)
{
	struct ike_proposal *pp = ike_msg_add_proposal(m, sa, num, a->proto,
	    (struct ike_chunk){ spi, spi_len });

	if (pp == NULL)
		return -1;
	if (a->proto != IKE_PROTO_AH &&
	    ike_msg_add_transform(m, pp, IKE_XF_ENCR, a->encr, a->bits) == NULL)
		return -1;
	if (a->proto == IKE_PROTO_IKE &&
	    ike_msg_add_transform(m, pp, IKE_XF_PRF, a->prf, 0) == NULL)
		return -1;
	if (a->integ != 0 && ike_msg_add_transform(m, pp, IKE_XF_INTEG, a->integ, 0) == NULL)
		return -1;
	if (a->dh != 0 && ike_msg_add_transform(m, pp, IKE_XF_DH, a->dh, 0) == NULL)
		return -1;
	if (a->proto != IKE_PROTO_IKE &&
	    ike_msg_add_transform(m, pp, IKE_XF_ESN, a->esn ? 1 : 0, 0) == NULL)
		return -1;
	return 0;
}

int
proposal_read_chosen(const struct ike_msg *m, const struct ike_payload *sa, struct ike_algs *a,
    struct ike_chunk *spi)
{
	const struct ike_proposal *pp;

	memset(a, 0, sizeof(*a));
	if (sa == NULL || sa->u.sa.n_prop != 1)
		return -1;
	pp = &m->prop[sa->u.sa.prop];
	a->proto = pp->proto;
	*spi = pp->spi;
	for (unsigned i = 0; i < pp->n_xf; i++) {
		const struct ike_transform *t = &m->xf[pp->xf + i];

		switch (t->type) {
		case IKE_XF_ENCR:
			a->encr = t->id;
			a->bits = t->key_len;
			break;
		case IKE_XF_PRF:
			a->prf = t->id;
			break;
		case IKE_XF_INTEG:
			a->integ = t->id;
			break;
		case IKE_XF_DH:
			a->dh = t->id;
			break;
		case IKE_XF_ESN:
			a->esn = t->id == 1;
			break;
		default:
			return -1;
		}
	}
	return 0;
}

int
proposal_child_xform(const struct ike_algs *a, enum xform_cipher *c, enum xform_auth *au)
{
	*c = XF_CIPHER_NONE;
	switch (a->integ) {
	case 0:				*au = XF_AUTH_NONE; break;
	case IKE_INTEG_HMAC_MD5_96:	*au = XF_AUTH_HMAC_MD5_96; break;
	case IKE_INTEG_HMAC_SHA1_96:	*au = XF_AUTH_HMAC_SHA1_96; break;
	case IKE_INTEG_HMAC_SHA2_256_128: *au = XF_AUTH_HMAC_SHA256_128; break;
	case IKE_INTEG_HMAC_SHA2_384_192: *au = XF_AUTH_HMAC_SHA384_192; break;
	case IKE_INTEG_HMAC_SHA2_512_256: *au = XF_AUTH_HMAC_SHA512_256; break;
	default:			return -1;
	}
	if (a->proto == IKE_PROTO_AH)
		return *au != XF_AUTH_NONE ? 0 : -1;
	switch (a->encr) {
	case IKE_ENCR_NULL:		*c = XF_CIPHER_NULL; break;
	case 2:				*c = XF_CIPHER_DES; break;
	case IKE_ENCR_3DES:		*c = XF_CIPHER_3DES; break;
	case IKE_ENCR_AES_CBC:		*c = XF_CIPHER_AES_CBC; break;
	case IKE_ENCR_AES_GCM_16:	*c = XF_CIPHER_AES_GCM; break;
	case 21:			*c = XF_CIPHER_AES_GMAC; break;
	case IKE_ENCR_CHACHA20_POLY1305: *c = XF_CIPHER_CHACHA20_POLY1305; break;
	default:			return -1;
	}
	return 0;
}

int
proposal_child_key_lens(const struct ike_algs *a, size_t *el, size_t *il)
{
	static const uint8_t integ_len[] = { [IKE_INTEG_HMAC_MD5_96] = 16,
	    [IKE_INTEG_HMAC_SHA1_96] = 20, [IKE_INTEG_HMAC_SHA2_256_128] = 32,
	    [IKE_INTEG_HMAC_SHA2_384_192] = 48, [IKE_INTEG_HMAC_SHA2_512_256] = 64 };

	*el = 0;
	*il = a->integ < sizeof(integ_len) ? integ_len[a->integ] : 0;
	if (a->integ != 0 && *il == 0)
		return -1;
	if (a->proto == IKE_PROTO_AH)
		return 0;
	switch (a->encr) {
	case IKE_ENCR_NULL:		*el = 0; break;
	case 2:				*el = 8; break;
	case IKE_ENCR_3DES:		*el = 24; break;
	case IKE_ENCR_AES_CBC:		*el = a->bits / 8u; break;
	case IKE_ENCR_AES_GCM_16:
	case 21:			*el = a->bits / 8u + 4; break;	/* RFC 4106 §8.1 salt */
	case IKE_ENCR_CHACHA20_POLY1305: *el = 36; break;		/* RFC 7634 §2 */
	default:			return -1;
	}
	return 0;
}
