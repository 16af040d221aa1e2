/* SPDX-License-Identifier: Apache-2.0 */
/* auth.c: the IKE_AUTH exchange with pre-shared keys (RFC 7296 §1.2, §2.15) and the first
 * child SA it carries:
 *
 *	HDR, SK { IDi, [N(INITIAL_CONTACT)], AUTH, SAi2, TSi, TSr }  -->
 *	<--  HDR, SK { IDr, AUTH, SAr2, TSi, TSr }
 *
 * The profile (crypto ikev2 profile) is the crypto map entry's as initiator and, as
 * responder, the first whose "match identity remote" matches IDi; its keyring's peer block
 * (by identity, else by address) gives the keys: "pre-shared-key local" signs our AUTH,
 * "remote" checks the peer's.  A wrong AUTH ends the IKE SA with N(AUTHENTICATION_FAILED) and
 * nothing installed.  A child SA that cannot be made (TS_UNACCEPTABLE, NO_PROPOSAL_CHOSEN)
 * leaves the IKE SA up without it (§1.2). */
#include <stdio.h>
#include <strings.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "controld/ike/ikesa.h"

/* The ID payload of ours for profile p (none: our address), its body (type, 3 reserved,
 * data: RestOfIDPayload of §2.15) in buf. */
static size_t
our_id(const struct conf_ikev2_profile *p, uint32_t local, uint8_t *buf, size_t cap)
{
	const struct conf_ikev2_id *id = p != NULL ? &p->local_id : NULL;
	size_t n;

	memset(buf, 0, 4);
	if (id == NULL || id->type == CONF_ID_NONE || id->type == CONF_ID_ADDRESS) {
		uint32_t a = id != NULL && id->type == CONF_ID_ADDRESS ? id->addr : local;

		buf[0] = IKE_ID_IPV4_ADDR;
		buf[4] = (uint8_t)(a >> 24);
		buf[5] = (uint8_t)(a >> 16);
		buf[6] = (uint8_t)(a >> 8);
		buf[7] = (uint8_t)a;
		return 8;
	}
	buf[0] = id->type == CONF_ID_FQDN ? IKE_ID_FQDN : IKE_ID_RFC822_ADDR;
	n = strnlen(id->text, sizeof(id->text));
	if (n > cap - 4)
		n = cap - 4;
	memcpy(buf + 4, id->text, n);
	return 4 + n;
}

static bool
id_matches(const struct conf_ikev2_id *c, uint8_t type, struct ike_chunk d)
{
	size_t n;

	switch (c->type) {
	case CONF_ID_ADDRESS:
		/* "match identity remote address A MASK" is a range (docs/ikev2.md) */
		return type == IKE_ID_IPV4_ADDR && d.len == 4 &&
		    (((uint32_t)d.p[0] << 24 | (uint32_t)d.p[1] << 16 | (uint32_t)d.p[2] << 8 |
		    d.p[3]) & c->mask) == c->addr;
	case CONF_ID_FQDN:
	case CONF_ID_EMAIL:
		n = strnlen(c->text, sizeof(c->text));
		return type == (c->type == CONF_ID_FQDN ? IKE_ID_FQDN : IKE_ID_RFC822_ADDR) &&
		    d.len == n && strncasecmp((const char *)d.p, c->text, n) == 0;
	default:
		return false;
	}
}

/* The keyring peer of profile p for remote (and the peer's ID when known): conf's lookup, as
 * IOS: the peer whose "identity" is the ID, else the one whose "address A MASK" holds remote
 * with the longest mask (a host entry wins over 0.0.0.0 0.0.0.0 whatever their order). */
static const struct conf_ikev2_peer *
keyring_peer(const struct ike *ike, const struct conf_ikev2_profile *p, uint32_t remote,
    uint8_t id_type, struct ike_chunk id)
{
	const struct conf_ikev2_keyring *kr = NULL;
	struct conf_ikev2_id want;

	for (size_t i = 0; i < ike->conf->n_ikev2_keyrings; i++)
		if (strcmp(ike->conf->ikev2_keyrings[i]->name, p->keyring) == 0)
			kr = ike->conf->ikev2_keyrings[i];
	if (kr == NULL)
		return NULL;
	memset(&want, 0, sizeof(want));
	if (id.p != NULL && id_type == IKE_ID_IPV4_ADDR && id.len == 4) {
		want.type = CONF_ID_ADDRESS;
		want.addr = (uint32_t)id.p[0] << 24 | (uint32_t)id.p[1] << 16 |
		    (uint32_t)id.p[2] << 8 | id.p[3];
		want.mask = 0xffffffffu;
	} else if (id.p != NULL && (id_type == IKE_ID_FQDN || id_type == IKE_ID_RFC822_ADDR) &&
	    id.len < sizeof(want.text)) {
		want.type = id_type == IKE_ID_FQDN ? CONF_ID_FQDN : CONF_ID_EMAIL;
		memcpy(want.text, id.p, id.len);
		if (memchr(want.text, '\0', id.len) != NULL)	/* not a name we could match */
			want.type = CONF_ID_NONE;
	}
	return conf_ikev2_peer_find(kr, remote, want.type != CONF_ID_NONE ? &want : NULL);
}

/* AUTH of one side (§2.15) into out; its length, 0 on failure. */
static size_t
auth_of(const struct ike_sa *sa, const struct key *psk, bool of_initiator,
    struct ike_chunk id_body, uint8_t *out)
{
	struct ike_chunk msg = of_initiator ?
	    (struct ike_chunk){ sa->init_i, sa->init_i_len } :
	    (struct ike_chunk){ sa->init_r, sa->init_r_len };
	struct ike_chunk nonce = ike_bytes_chunk(of_initiator ? &sa->nr : &sa->ni);

	if (psk->len == 0 || ike_kdf_auth_psk(sa->algs.prf, (struct ike_chunk){ psk->b, psk->len },
	    of_initiator ? &sa->k.pi : &sa->k.pr, msg, nonce, id_body, out) != 0)
		return 0;
	return ike_prf_len(sa->algs.prf);
}

static void
id_text(uint8_t type, struct ike_chunk d, char *out, size_t cap)
{
	if (type == IKE_ID_IPV4_ADDR && d.len == 4)
		snprintf(out, cap, "%u.%u.%u.%u", d.p[0], d.p[1], d.p[2], d.p[3]);
	else if (type == IKE_ID_FQDN || type == IKE_ID_RFC822_ADDR)
		snprintf(out, cap, "%.*s", (int)(d.len < cap ? d.len : cap - 1),
		    (const char *)d.p);
	else
		snprintf(out, cap, "(id type %u)", type);
	for (char *c = out; *c != '\0'; c++)		/* for show and logs: printable only */
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
}

/* Does another IKE SA with this peer exist (so INITIAL_CONTACT would be a lie)? */
static bool
other_sa(const struct ike *ike, const struct ike_sa *sa)
{
	for (const struct ike_sa *s = ike->sas; s != NULL; s = s->next)
		if (s != sa && s->remote == sa->remote && s->state == IKE_SA_ESTABLISHED)
			return true;
	return false;
}

static void
established(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	const struct conf_ikev2_profile *p = ike_profile_find(ike, sa->profile);

	ikesa_set_state(ike, sa, IKE_SA_ESTABLISHED);
	ike_count(ike, IKE_CTR_IKE_UP);
	sa->lifetime_s = p != NULL && p->lifetime_sec != 0 ? p->lifetime_sec : IKE_SA_LIFETIME_S;
	sa->expire_ms = now_ms + (uint64_t)sa->lifetime_s * 1000;
	/* rekeyed at 90% of its life by the original initiator, at 95% by the responder if
	 * the initiator has not (a peer that never rekeys does not lose its tunnel) */
	sa->rekey_ms = sa->expire_ms - (uint64_t)sa->lifetime_s * (sa->initiator ? 100 : 50);
	if (p != NULL && p->dpd_interval != 0)
		sa->dpd_ms = now_ms + (uint64_t)p->dpd_interval * 1000;
	if (p != NULL && p->nat_keepalive != 0)
		sa->keepalive_ms = now_ms + (uint64_t)p->nat_keepalive * 1000;
}

/* ---------------------------------------------------------------- initiator */

int
auth_start(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	const struct conf_ikev2_profile *p = ike_profile_find(ike, sa->profile);
	const struct conf_map_entry *e = ike_entry_find(ike, sa->acq_map, sa->acq_seq);
	const struct conf_ikev2_peer *pe;
	struct ike_msg *m = &ike->out;
	struct ike_payload *pl;
	struct ike_child *c;
	uint8_t idb[4 + CONF_IKEV2_ID_MAX], auth[IKE_PRF_MAX];
	size_t idl, al;

	if (p == NULL || e == NULL ||
	    (pe = keyring_peer(ike, p, sa->remote, 0, (struct ike_chunk){ NULL, 0 })) == NULL)
		return -1;
	idl = our_id(p, sa->local, idb, sizeof(idb));
	if ((al = auth_of(sa, &pe->psk_local, true, (struct ike_chunk){ idb, idl }, auth)) == 0)
		return -1;
	if ((c = child_new(ike, sa)) == NULL)
		return -1;
	child_from_entry(ike, c, e, sa->acq_map, sa->acq_seq, false);
	c->flow = sa->acq_flow;
	c->initiated = true;
	c->transport = ts_transport_wanted(ike, sa, e, &c->flow);
	if (ike->io.spi_alloc == NULL || ike->io.spi_alloc(ike->io.ctx, 50, sa->local,
	    &c->spi_in) != 0)
		goto fail;
	ike_msg_start(sa, m, IKE_AUTH, false, sa->msg_id_out);
	if ((pl = ike_msg_add(m, IKE_PL_IDI, true)) == NULL)
		goto fail;
	pl->u.id.type = idb[0];
	pl->u.id.data = (struct ike_chunk){ idb + 4, idl - 4 };
	if (!other_sa(ike, sa) && ike_add_notify(m, IKE_N_INITIAL_CONTACT,
	    (struct ike_chunk){ NULL, 0 }, true) == NULL)
		goto fail;
	if ((pl = ike_msg_add(m, IKE_PL_AUTH, true)) == NULL)
		goto fail;
	pl->u.auth.method = IKE_AUTH_PSK;
	pl->u.auth.data = (struct ike_chunk){ auth, al };
	if (ts_transport_notify(m, c) != 0 || (pl = ike_msg_add(m, IKE_PL_SA, true)) == NULL ||
	    proposal_add_child(ike, m, pl, e, 0, c->spi_in) != 0 ||
	    ts_add(m, &c->flow, true) != 0)
		goto fail;
	sa->req_child = c;
	ikesa_set_state(ike, sa, IKE_SA_AUTH_SENT);
	if (ike_send_request(ike, sa, m, REQ_AUTH, now_ms) != 0)	/* m points at auth */
		goto fail;
	OPENSSL_cleanse(auth, sizeof(auth));
	return 0;
fail:
	OPENSSL_cleanse(auth, sizeof(auth));
	child_free(ike, sa, c, false);
	return -1;
}

/* The child of IKE_AUTH's response; the IKE SA stays whatever becomes of it. */
static void
auth_child(struct ike *ike, struct ike_sa *sa, struct ike_child *c, uint64_t now_ms)
{
	const struct ike_msg *m = &ike->m;
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct conf_map_entry *e = child_entry(ike, c);
	struct ike_algs a, mine;
	struct ike_chunk spi;
	struct sel proposed = c->flow;
	uint32_t spi_out;
	uint8_t num;

	if (ike_msg_find_notify(m, IKE_N_TS_UNACCEPTABLE) != NULL) {
		ike_count(ike, IKE_CTR_TS_UNACCEPTABLE);
		goto fail;
	}
	if (ike_msg_find_notify(m, IKE_N_NO_PROPOSAL_CHOSEN) != NULL) {
		ike_count(ike, IKE_CTR_NO_PROPOSAL);
		goto fail;
	}
	if (e == NULL || proposal_read_chosen(m, sap, &a, &spi) != 0 || spi.len != 4 ||
	    proposal_pick_child(ike, m, sap, e, 0, &mine, &spi_out, &num, c->tset) != 0 ||
	    mine.encr != a.encr || mine.integ != a.integ || mine.esn != a.esn ||
	    ts_initiator(m, &proposed, &c->flow) != 0 || ts_transport_answer(c, m) != 0)
		goto fail;
	c->algs = a;
	c->spi_out = spi_out;
	if (child_install(ike, sa, c, (struct ike_chunk){ NULL, 0 }, ike_bytes_chunk(&sa->ni),
	    ike_bytes_chunk(&sa->nr), false, now_ms) != 0)
		goto fail;
	return;
fail:
	child_free(ike, sa, c, false);
}

void
auth_response(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	const struct ike_msg *m = &ike->m;
	const struct ike_payload *idr = ike_msg_find(m, IKE_PL_IDR, NULL);
	const struct ike_payload *ap = ike_msg_find(m, IKE_PL_AUTH, NULL);
	const struct conf_ikev2_profile *p = ike_profile_find(ike, sa->profile);
	const struct conf_ikev2_peer *pe;
	struct ike_child *c = sa->req_child;
	uint8_t auth[IKE_PRF_MAX];
	size_t al;

	sa->req_child = NULL;
	if (ike_msg_find_notify(m, IKE_N_AUTHENTICATION_FAILED) != NULL) {
		ike_count(ike, IKE_CTR_AUTH_FAILED);
		ike_sa_dead(ike, sa, "peer: AUTHENTICATION_FAILED (pre-shared keys differ?)");
		return;
	}
	if (idr == NULL || ap == NULL || p == NULL || ap->u.auth.method != IKE_AUTH_PSK ||
	    (pe = keyring_peer(ike, p, sa->remote, idr->u.id.type, idr->u.id.data)) == NULL ||
	    (al = auth_of(sa, &pe->psk_remote, false, idr->body, auth)) == 0 ||
	    ap->u.auth.data.len != al || CRYPTO_memcmp(ap->u.auth.data.p, auth, al) != 0) {
		OPENSSL_cleanse(auth, sizeof(auth));
		ike_count(ike, IKE_CTR_AUTH_FAILED);
		ike_sa_dead(ike, sa, "the responder's AUTH is not its pre-shared key's");
		return;
	}
	OPENSSL_cleanse(auth, sizeof(auth));
	id_text(idr->u.id.type, idr->u.id.data, sa->remote_id, sizeof(sa->remote_id));
	established(ike, sa, now_ms);
	if (c != NULL)
		auth_child(ike, sa, c, now_ms);
}

/* ---------------------------------------------------------------- responder */

static const struct conf_ikev2_profile *
profile_for(const struct ike *ike, uint8_t type, struct ike_chunk id)
{
	for (size_t i = 0; i < ike->conf->n_ikev2_profiles; i++) {
		const struct conf_ikev2_profile *p = ike->conf->ikev2_profiles[i];

		for (unsigned j = 0; j < p->n_match_remote; j++)
			if (id_matches(&p->match_remote[j], type, id))
				return p;
	}
	return NULL;
}

/* Send an IKE_AUTH response that is only a notify, then forget the IKE SA (§2.21.2). */
static void
auth_refuse(struct ike *ike, struct ike_sa *sa, uint16_t type, const char *why)
{
	struct ike_msg *m = &ike->out;

	ike_msg_start(sa, m, IKE_AUTH, true, ike->m.hdr.msg_id);
	if (ike_add_notify(m, type, (struct ike_chunk){ NULL, 0 }, true) != NULL)
		ike_send_response(ike, sa, m);
	ike_sa_dead(ike, sa, why);
}

/* §2.9: the child of the request, as responder: its policy, its proposal, its keys, into
 * the response m.  0, or the notify to send instead. */
static uint16_t
auth_child_responder(struct ike *ike, struct ike_sa *sa, struct ike_msg *m, uint64_t now_ms)
{
	const struct ike_msg *in = &ike->m;
	const struct ike_payload *sap = ike_msg_find(in, IKE_PL_SA, NULL);
	const struct conf_map_entry *e;
	const struct policy *pol;
	struct ike_payload *pl;
	struct ike_child *c;
	struct sel flow, swapped;
	struct ike_algs a;
	uint32_t spi_out;
	uint8_t num;
	size_t k;
	char why[96], tset[CONF_NAME_MAX];

	if (ts_responder(ike, in, sa->local, sa->remote, sa->profile, &k, &flow, why,
	    sizeof(why)) != 0) {
		ike_count(ike, IKE_CTR_TS_UNACCEPTABLE);
		log_debug("ikev2: peer %s proposed a flow %s", sa->remote_id, why);
		return IKE_N_TS_UNACCEPTABLE;
	}
	pol = &ike->spd.v[k];
	if ((e = ts_policy_entry(ike, k)) == NULL || sap == NULL ||
	    proposal_pick_child(ike, in, sap, e, 0, &a, &spi_out, &num, tset) != 0) {
		ike_count(ike, IKE_CTR_NO_PROPOSAL);
		return IKE_N_NO_PROPOSAL_CHOSEN;
	}
	if ((c = child_new(ike, sa)) == NULL)
		return IKE_N_TEMPORARY_FAILURE;
	child_from_entry(ike, c, e, pol->map, pol->seq, pol->kind == POLICY_DYNAMIC);
	c->flow = flow;
	c->algs = a;
	c->spi_out = spi_out;
	snprintf(c->tset, sizeof(c->tset), "%s", tset);
	c->transport = ike_msg_find_notify(in, IKE_N_USE_TRANSPORT_MODE) != NULL &&
	    ts_transport_allowed(ike, sa, tset, &flow);
	if (ike->io.spi_alloc == NULL ||
	    ike->io.spi_alloc(ike->io.ctx, a.proto == IKE_PROTO_AH ? 51 : 50, sa->local,
	    &c->spi_in) != 0 ||
	    child_install(ike, sa, c, (struct ike_chunk){ NULL, 0 }, ike_bytes_chunk(&sa->ni),
	    ike_bytes_chunk(&sa->nr), false, now_ms) != 0) {
		child_free(ike, sa, c, false);
		return IKE_N_TEMPORARY_FAILURE;
	}
	/* TSi is the initiator's side: our remote */
	swapped = flow;
	swapped.src = flow.dst;
	swapped.src_mask = flow.dst_mask;
	swapped.dst = flow.src;
	swapped.dst_mask = flow.src_mask;
	swapped.sport_lo = flow.dport_lo;
	swapped.sport_hi = flow.dport_hi;
	swapped.dport_lo = flow.sport_lo;
	swapped.dport_hi = flow.sport_hi;
	ike->spi_be[0] = (uint8_t)(c->spi_in >> 24);
	ike->spi_be[1] = (uint8_t)(c->spi_in >> 16);
	ike->spi_be[2] = (uint8_t)(c->spi_in >> 8);
	ike->spi_be[3] = (uint8_t)c->spi_in;
	if (ts_transport_notify(m, c) != 0 || (pl = ike_msg_add(m, IKE_PL_SA, true)) == NULL ||
	    proposal_add_chosen(m, pl, num, &a, ike->spi_be, 4) != 0 ||
	    ts_add(m, &swapped, true) != 0) {
		child_free(ike, sa, c, true);
		return IKE_N_TEMPORARY_FAILURE;
	}
	return 0;
}

/* INITIAL_CONTACT (§2.4): the peer has no other IKE SA with us: drop the ones we have. */
static void
initial_contact(struct ike *ike, struct ike_sa *sa)
{
	struct ike_sa *s, *next;

	for (s = ike->sas; s != NULL; s = next) {
		next = s->next;
		if (s != sa && s->remote == sa->remote && s->state == IKE_SA_ESTABLISHED &&
		    strcmp(s->remote_id, sa->remote_id) == 0)
			ike_sa_dead(ike, s, "INITIAL_CONTACT from its peer");
	}
}

void
auth_request(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	const struct ike_msg *in = &ike->m;
	const struct ike_payload *idi = ike_msg_find(in, IKE_PL_IDI, NULL);
	const struct ike_payload *ap = ike_msg_find(in, IKE_PL_AUTH, NULL);
	const struct conf_ikev2_profile *p;
	const struct conf_ikev2_peer *pe;
	struct ike_msg *m = &ike->out;
	struct ike_payload *pl;
	uint8_t auth[IKE_PRF_MAX], idb[4 + CONF_IKEV2_ID_MAX], our_auth[IKE_PRF_MAX];
	size_t al, idl, oal;
	uint16_t err;

	if (idi == NULL || ap == NULL) {
		auth_refuse(ike, sa, IKE_N_INVALID_SYNTAX, "IKE_AUTH without IDi or AUTH");
		return;
	}
	id_text(idi->u.id.type, idi->u.id.data, sa->remote_id, sizeof(sa->remote_id));
	if ((p = profile_for(ike, idi->u.id.type, idi->u.id.data)) == NULL ||
	    (pe = keyring_peer(ike, p, sa->remote, idi->u.id.type, idi->u.id.data)) == NULL ||
	    ap->u.auth.method != IKE_AUTH_PSK ||
	    (al = auth_of(sa, &pe->psk_remote, true, idi->body, auth)) == 0 ||
	    ap->u.auth.data.len != al || CRYPTO_memcmp(ap->u.auth.data.p, auth, al) != 0) {
		OPENSSL_cleanse(auth, sizeof(auth));
		ike_count(ike, IKE_CTR_AUTH_FAILED);
		log_debug("ikev2: peer %s: authentication failed (%s)", sa->remote_id,
		    p == NULL ? "no ikev2 profile matches its identity" :
		    "its AUTH is not the pre-shared key's");
		auth_refuse(ike, sa, IKE_N_AUTHENTICATION_FAILED, "AUTHENTICATION_FAILED");
		return;
	}
	OPENSSL_cleanse(auth, sizeof(auth));
	snprintf(sa->profile, sizeof(sa->profile), "%s", p->name);
	idl = our_id(p, sa->local, idb, sizeof(idb));
	if ((oal = auth_of(sa, &pe->psk_local, false, (struct ike_chunk){ idb, idl },
	    our_auth)) == 0) {
		auth_refuse(ike, sa, IKE_N_AUTHENTICATION_FAILED, "no local pre-shared key");
		return;
	}
	established(ike, sa, now_ms);
	if (ike_msg_find_notify(in, IKE_N_INITIAL_CONTACT) != NULL)
		initial_contact(ike, sa);
	ike_msg_start(sa, m, IKE_AUTH, true, in->hdr.msg_id);
	if ((pl = ike_msg_add(m, IKE_PL_IDR, true)) == NULL)
		goto fail;
	pl->u.id.type = idb[0];
	pl->u.id.data = (struct ike_chunk){ idb + 4, idl - 4 };
	if ((pl = ike_msg_add(m, IKE_PL_AUTH, true)) == NULL)
		goto fail;
	pl->u.auth.method = IKE_AUTH_PSK;
	pl->u.auth.data = (struct ike_chunk){ our_auth, oal };
	if ((err = auth_child_responder(ike, sa, m, now_ms)) != 0) {
		/* the IKE SA stands without the child (§1.2): drop what the child added */
		while (m->n_pl > 0 && m->pl[m->n_pl - 1].type != IKE_PL_AUTH)
			m->n_pl--;
		if (ike_add_notify(m, err, (struct ike_chunk){ NULL, 0 }, true) == NULL)
			goto fail;
	}
	ike_send_response(ike, sa, m);
	OPENSSL_cleanse(our_auth, sizeof(our_auth));
	return;
fail:
	OPENSSL_cleanse(our_auth, sizeof(our_auth));
	ike_sa_dead(ike, sa, "IKE_AUTH response could not be made");
}
