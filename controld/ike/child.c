/* SPDX-License-Identifier: Apache-2.0 */
/* child.c: child SAs (RFC 7296 §2.17) and the CREATE_CHILD_SA exchange (§1.3), both roles:
 *
 *	new child:	HDR, SK { SA, Ni, [KEi], TSi, TSr }  -->  <-- HDR, SK { SA, Nr, [KEr], TSi, TSr }
 *	child rekey:	HDR, SK { N(REKEY_SA), SA, Ni, [KEi], TSi, TSr }  -->  (same answer)
 *	IKE SA rekey:	HDR, SK { SA, Ni, KEi }  -->  <-- HDR, SK { SA, Nr, KEr }
 *
 * KE only with PFS ("set pfs", §1.3.1) and always for an IKE SA rekey (§1.3.2).  A child's
 * two SAs are made here from KEYMAT and given to io->install.  Make before break (docs/design.md
 * "IKE"): the rekey's initiator installs the new pair when the response comes (the responder has
 * its inbound SA by then), uses the new outbound at once and deletes the old child; the responder
 * installs the new inbound at once and its outbound larval, used (activate) when the initiator
 * deletes the old child or after IKE_DRAIN_MS; the old inbound SA stays until the delete.
 * Simultaneous rekeys of one child (§2.8.1): the new child of the exchange with the lowest nonce is
 * deleted by its maker.  Simultaneous IKE SA rekeys (§2.8.2): the peer's rekey that crosses ours
 * makes its new IKE SA with no children (rekey_theirs); when ours ends, the new IKE SA of the
 * exchange with the lowest of the four nonces is deleted by its initiator, the children and
 * queued flows move to the other, and the initiator of the surviving exchange deletes the old one
 * (ike_rekey_resolve; a delete of the old SA meanwhile settles it for the peer's, info.c).
 * Exchange collisions (§2.25): a CREATE_CHILD_SA while we rekey or close the IKE SA, a rekey of a
 * child we delete, an IKE SA rekey while a child exchange of ours is out: TEMPORARY_FAILURE; ours
 * refused so come again (a child rekey after IKE_TEMP_FAIL_MS, a new child's flow queued again,
 * an IKE SA rekey after 10 s).  The original initiator rekeys first, so collisions are rare. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "controld/ike/ikesa.h"

/* ---------------------------------------------------------------- one child */

struct ike_child *
child_new(struct ike *ike, struct ike_sa *sa)
{
	struct ike_child *c = calloc(1, sizeof(*c));

	(void)ike;
	if (c == NULL)
		return NULL;
	c->state = CHILD_CREATING;
	if (sa != NULL) {
		c->next = sa->children;
		sa->children = c;
	}
	return c;
}

void
child_free(struct ike *ike, struct ike_sa *sa, struct ike_child *c, bool remove)
{
	struct ike_child **pp;

	if (c == NULL)
		return;
	for (pp = sa != NULL ? &sa->children : NULL; pp != NULL && *pp != NULL;
	    pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (sa != NULL && sa->req_child == c)
		sa->req_child = NULL;
	if (remove && c->id_in != 0 && ike->io.remove != NULL) {
		ike->io.remove(ike->io.ctx, c->id_in);
		ike->io.remove(ike->io.ctx, c->id_out);
	}
	OPENSSL_cleanse(c, sizeof(*c));
	free(c);
}

const struct conf_map_entry *
child_entry(const struct ike *ike, const struct ike_child *c)
{
	const struct conf_map_entry *s = ike_entry_find(ike, c->map, c->seq);
	const struct conf_map *dm;

	if (s == NULL || !c->dynamic)
		return s;
	if (s->kind != CONF_MAP_DYNAMIC ||
	    (dm = conf_dynmap_find(ike->conf, s->dynamic)) == NULL || c->dyn_idx >= dm->n_entries)
		return NULL;
	return dm->entries[c->dyn_idx];
}

struct ike_child *
child_find_spi(struct ike_sa *sa, uint8_t proto, uint32_t spi, bool inbound)
{
	for (struct ike_child *c = sa->children; c != NULL; c = c->next)
		if (c->proto == proto && (inbound ? c->spi_in : c->spi_out) == spi &&
		    c->state != CHILD_CREATING)
			return c;
	return NULL;
}

void
child_from_entry(struct ike *ike, struct ike_child *c, const struct conf_map_entry *e,
    const char *map, uint16_t seq, bool dynamic)
{
	snprintf(c->map, sizeof(c->map), "%s", map);
	c->seq = seq;
	c->dynamic = dynamic;
	c->dyn_idx = 0;
	if (dynamic) {
		const struct conf_map_entry *s = ike_entry_find(ike, map, seq);
		const struct conf_map *dm = s != NULL ? conf_dynmap_find(ike->conf, s->dynamic) :
		    NULL;

		for (size_t i = 0; dm != NULL && i < dm->n_entries; i++)
			if (dm->entries[i] == e)
				c->dyn_idx = (uint16_t)i;
	}
	c->life_s = conf_entry_lifetime_sec(ike->conf, e);
	c->life_kb = conf_entry_lifetime_kb(ike->conf, e);
	c->window = e->replay_window != 0 ? e->replay_window : CONF_REPLAY_DEFAULT;
}

static struct sa *
make_sa(const struct ike_sa *ike_sa, const struct ike_child *c, bool inbound)
{
	struct sa *s = sa_new();
	uint64_t soft_s, margin, kb_margin;

	if (s == NULL)
		return NULL;
	s->origin = SA_IKE;
	s->inbound = inbound;
	s->proto = c->proto;
	s->spi = inbound ? c->spi_in : c->spi_out;
	s->local = ike_sa->local;
	s->peer = ike_sa->remote;
	proposal_child_xform(&c->algs, &s->cipher, &s->auth);
	s->cipher_key = inbound ? c->ke_in : c->ke_out;
	s->auth_key = inbound ? c->ka_in : c->ka_out;
	s->mode = c->transport ? SA_TRANSPORT : SA_TUNNEL;
	s->replay_window = c->window;
	s->esn = c->algs.esn;
	/* RFC 3948 behind a NAT: out to the peer's port as its NAT maps it (the IKE SA's, which
	 * follows the mapping, §2.23), in on ours */
	if (ike_sa->nat_local || ike_sa->nat_remote)
		s->udp_encap_port = inbound ? ike_sa->lport : ike_sa->rport;
	snprintf(s->map, sizeof(s->map), "%s", c->map);
	s->seq = c->seq;
	snprintf(s->transform_set, sizeof(s->transform_set), "%s", c->tset);
	s->flow = c->flow;
	/* born when its hard lifetime began: for a child adopted from the state file, before
	 * this controld started, so the workers' hard deadline is the engine's, not a new one */
	if (c->hard_ms > (uint64_t)c->life_s * 1000)
		s->added_ms = c->hard_ms - (uint64_t)c->life_s * 1000;
	/* the rekey starts IKE_SOFT_MARGIN_S before the end (a quarter of a short life); the
	 * child's initiator first, so the two ends rarely rekey at once */
	margin = c->life_s / 4 < IKE_SOFT_MARGIN_S ? c->life_s / 4 : IKE_SOFT_MARGIN_S;
	soft_s = c->life_s - (c->initiated ? margin : margin / 2);
	s->hard.seconds = c->life_s;
	s->soft.seconds = soft_s;
	s->hard.kilobytes = c->life_kb;
	/* the workers report their bytes about once a second: the margin must outlast that
	 * and the exchange at full rate, so it grows with the life (a tenth; 512 KB at least,
	 * a quarter of a short life) */
	kb_margin = c->life_kb / 10 > 512 ? c->life_kb / 10 : 512;
	if (kb_margin > c->life_kb / 4)
		kb_margin = c->life_kb / 4;
	s->soft.kilobytes = c->life_kb - kb_margin;
	s->state = SA_MATURE;
	s->id = sa_hash_id(s);
	s->key_id = sa_key_id(s);
	return s;
}

/* Give the child's two SAs to the host (again after a restart: persist.c). */
int
child_publish(struct ike *ike, struct ike_sa *sa, struct ike_child *c)
{
	struct sa *in = make_sa(sa, c, true), *out = make_sa(sa, c, false);

	if (in == NULL || out == NULL)
		goto fail;
	if (c->out_larval)
		out->state = SA_LARVAL;
	c->id_in = in->id;
	c->id_out = out->id;
	c->pub_peer = out->peer;
	c->pub_port = out->udp_encap_port;
	if (ike->io.install == NULL) {	/* a test without a SAD */
		sa_free(in);
		sa_free(out);
		return 0;
	}
	if (ike->io.install(ike->io.ctx, in, out) == 0)
		return 0;
fail:
	c->id_in = c->id_out = 0;
	sa_free(in);
	sa_free(out);
	return -1;
}

/* Nonces as numbers (§2.8.1 "the lowest of the four nonces"): big-endian, the shorter one
 * first when they tie on their common part. */
static bool
nonce_lt(struct ike_chunk a, struct ike_chunk b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int d = memcmp(a.p, b.p, n);

	return d != 0 ? d < 0 : a.len < b.len;
}

int
child_install(struct ike *ike, struct ike_sa *sa, struct ike_child *c, struct ike_chunk gir,
    struct ike_chunk ni, struct ike_chunk nr, bool out_larval, uint64_t now_ms)
{
	uint8_t km[2 * (sizeof(c->ke_in.b) + sizeof(c->ka_in.b))];
	struct key *ke_ir, *ka_ir, *ke_ri, *ka_ri;
	size_t el, il;

	if (proposal_child_key_lens(&c->algs, &el, &il) != 0 || el > sizeof(c->ke_in.b) ||
	    il > sizeof(c->ka_in.b))
		return -1;
	c->proto = c->algs.proto == IKE_PROTO_AH ? 51 : 50;
	/* §2.17: the initiator's outbound SA's keys first (encryption, then integrity) */
	if (ike_kdf_child(sa->algs.prf, &sa->k.d, gir, ni, nr, km, 2 * (el + il)) != 0)
		return -1;
	ke_ir = c->initiated ? &c->ke_out : &c->ke_in;
	ka_ir = c->initiated ? &c->ka_out : &c->ka_in;
	ke_ri = c->initiated ? &c->ke_in : &c->ke_out;
	ka_ri = c->initiated ? &c->ka_in : &c->ka_out;
	ke_ir->len = (uint16_t)el;
	memcpy(ke_ir->b, km, el);
	ka_ir->len = (uint16_t)il;
	memcpy(ka_ir->b, km + el, il);
	ke_ri->len = (uint16_t)el;
	memcpy(ke_ri->b, km + el + il, el);
	ka_ri->len = (uint16_t)il;
	memcpy(ka_ri->b, km + 2 * el + il, il);
	OPENSSL_cleanse(km, sizeof(km));
	ike_bytes_set(&c->lo_nonce, nonce_lt(ni, nr) ? ni : nr);
	return child_commit(ike, sa, c, out_larval, now_ms);
}

int
child_commit(struct ike *ike, struct ike_sa *sa, struct ike_child *c, bool out_larval,
    uint64_t now_ms)
{
	uint64_t margin = c->life_s / 4 < IKE_SOFT_MARGIN_S ? c->life_s / 4 : IKE_SOFT_MARGIN_S;

	c->out_larval = out_larval;
	c->created_ms = now_ms;
	c->hard_ms = now_ms + (uint64_t)c->life_s * 1000;
	c->soft_ms = c->hard_ms - (c->initiated ? margin : margin / 2) * 1000;
	if (child_publish(ike, sa, c) != 0)
		return -1;
	ike_log_child_keys(ike, c);
	c->state = CHILD_INSTALLED;
	ike_count(ike, IKE_CTR_CHILD_UP);
	return 0;
}

/* ---------------------------------------------------------------- CREATE_CHILD_SA, ours */

/* KE of our pfs group (or none) into m, the key pair kept in sa->dh. */
static int
add_ke(struct ike_msg *m, struct ike_sa *sa, uint16_t group)
{
	struct ike_payload *pl;

	ike_dh_free(&sa->dh);
	if (group == 0)
		return 0;
	if (ike_dh_init(&sa->dh, group, NULL) != 0 || (pl = ike_msg_add(m, IKE_PL_KE, true)) == NULL)
		return -1;
	pl->u.ke.group = group;
	pl->u.ke.data = (struct ike_chunk){ sa->dh.pub, sa->dh.pub_len };
	return 0;
}

static int
add_nonce(struct ike_msg *m, struct ike_bytes *n)
{
	struct ike_payload *pl;

	n->len = IKE_NONCE_LEN;
	if (ike_random(n->b, n->len) != 0 || (pl = ike_msg_add(m, IKE_PL_NONCE, true)) == NULL)
		return -1;
	pl->u.nonce.data = ike_bytes_chunk(n);
	return 0;
}

/* A new child c (fields from its entry set) proposed over sa; rekey: the old one. */
static int
child_send(struct ike *ike, struct ike_sa *sa, struct ike_child *c, struct ike_child *old,
    uint64_t now_ms)
{
	const struct conf_map_entry *e = child_entry(ike, c);
	struct ike_msg *m = &ike->out;
	struct ike_payload *pl;
	uint8_t old_spi[4];

	if (e == NULL || ike->io.spi_alloc == NULL ||
	    ike->io.spi_alloc(ike->io.ctx, old != NULL ? old->proto : 50, sa->local,
	    &c->spi_in) != 0)
		return -1;
	c->initiated = true;
	/* a rekey keeps the child's mode (§1.3.1) */
	c->transport = old != NULL ? old->transport : ts_transport_wanted(ike, sa, e, &c->flow);
	ike_msg_start(sa, m, IKE_CREATE_CHILD_SA, false, sa->msg_id_out);
	if (old != NULL) {
		old_spi[0] = (uint8_t)(old->spi_in >> 24);
		old_spi[1] = (uint8_t)(old->spi_in >> 16);
		old_spi[2] = (uint8_t)(old->spi_in >> 8);
		old_spi[3] = (uint8_t)old->spi_in;
		if ((pl = ike_add_notify(m, IKE_N_REKEY_SA, (struct ike_chunk){ NULL, 0 },
		    true)) == NULL)
			return -1;
		pl->u.notify.proto = old->proto == 51 ? IKE_PROTO_AH : IKE_PROTO_ESP;
		pl->u.notify.spi = (struct ike_chunk){ old_spi, 4 };
	}
	if (ts_transport_notify(m, c) != 0 || (pl = ike_msg_add(m, IKE_PL_SA, true)) == NULL ||
	    proposal_add_child(ike, m, pl, e, e->pfs, c->spi_in) != 0 ||
	    add_nonce(m, &sa->req_nonce) != 0 || add_ke(m, sa, e->pfs) != 0 ||
	    ts_add(m, &c->flow, true) != 0)
		return -1;
	return ike_send_request(ike, sa, m, old != NULL ? REQ_CHILD_REKEY : REQ_CHILD_NEW, now_ms);
}

int
child_start_new(struct ike *ike, struct ike_sa *sa, const char *map, uint16_t seq,
    const struct sel *flow, uint64_t now_ms)
{
	const struct conf_map_entry *e = ike_entry_find(ike, map, seq);
	struct ike_child *c;

	if (e == NULL || sa->req != REQ_NONE || (c = child_new(ike, sa)) == NULL)
		return -1;
	child_from_entry(ike, c, e, map, seq, false);
	c->flow = *flow;
	if (child_send(ike, sa, c, NULL, now_ms) != 0) {
		child_free(ike, sa, c, false);
		return -1;
	}
	sa->req_child = c;
	return 0;
}

int
child_start_rekey(struct ike *ike, struct ike_sa *sa, struct ike_child *old, uint64_t now_ms)
{
	const struct conf_map_entry *e = child_entry(ike, old);
	struct ike_child *c;

	if (sa->req != REQ_NONE || old->state != CHILD_INSTALLED || e == NULL ||
	    (c = child_new(ike, NULL)) == NULL)
		return -1;
	child_from_entry(ike, c, e, old->map, old->seq, old->dynamic);
	c->flow = old->flow;
	if (child_send(ike, sa, c, old, now_ms) != 0) {
		child_free(ike, NULL, c, false);
		return -1;
	}
	old->state = CHILD_REKEYING;
	sa->req_child = old;
	sa->req_new = c;
	return 0;
}

int
child_start_ike_rekey(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_msg *m = &ike->out;
	struct ike_payload *pl;
	struct ike_sa *n;

	if (sa->req != REQ_NONE || sa->state != IKE_SA_ESTABLISHED || sa->rekey_of != NULL ||
	    (n = ikesa_alloc(ike, true, sa->local, sa->lport, sa->remote, sa->rport,
	    now_ms)) == NULL)
		return -1;
	ike_msg_start(sa, m, IKE_CREATE_CHILD_SA, false, sa->msg_id_out);
	if ((pl = ike_msg_add(m, IKE_PL_SA, true)) == NULL ||
	    proposal_add_ike(ike, m, pl, sa->local, n->spi_i, IKE_SPI_LEN) != 0 ||
	    add_nonce(m, &n->ni) != 0 || add_ke(m, n, sa->algs.dh) != 0 ||
	    ike_send_request(ike, sa, m, REQ_IKE_REKEY, now_ms) != 0) {
		ikesa_free(ike, n, false);
		return -1;
	}
	sa->req_ike = n;
	return 0;
}

/* The new IKE SA n of a rekey of old: keys from the rekey's g^ir (§2.18), old's profile, ports
 * and lifetime; linked and established, childless (child_move_all gives it old's). */
static int
ike_newsa(struct ike *ike, struct ike_sa *old, struct ike_sa *n, struct ike_chunk gir,
    uint64_t now_ms)
{
	struct key skeyseed;
	int rc;

	if (ike_kdf_rekey_skeyseed(old->algs.prf, &old->k.d, gir, ike_bytes_chunk(&n->ni),
	    ike_bytes_chunk(&n->nr), &skeyseed) != 0)
		return -1;
	rc = sa_init_keys(n, &skeyseed);
	key_wipe(&skeyseed);
	if (rc != 0)
		return -1;
	n->nat_local = old->nat_local;
	n->nat_remote = old->nat_remote;
	n->lport = old->lport;
	n->rport = old->rport;
	snprintf(n->profile, sizeof(n->profile), "%s", old->profile);
	snprintf(n->remote_id, sizeof(n->remote_id), "%s", old->remote_id);
	n->state = IKE_SA_ESTABLISHED;
	ike_log_keys(ike, n);
	n->lifetime_s = old->lifetime_s;
	n->expire_ms = now_ms + (uint64_t)n->lifetime_s * 1000;
	n->rekey_ms = n->expire_ms - (uint64_t)n->lifetime_s * (n->initiator ? 100 : 50);
	n->dpd_ms = old->dpd_ms;
	n->keepalive_ms = old->keepalive_ms;
	ikesa_link(ike, n);
	return 0;
}

void
child_move_all(struct ike *ike, struct ike_sa *old, struct ike_sa *n)
{
	struct ike_child **pp = &n->children;
	struct ike_flow *v;

	while (*pp != NULL)
		pp = &(*pp)->next;
	*pp = old->children;
	old->children = NULL;
	/* the flows waiting on old wait on n (its own first) */
	if (old->n_pending > 0 && (v = realloc(n->pending, (n->n_pending + old->n_pending) *
	    sizeof(*v))) != NULL) {
		memcpy(&v[n->n_pending], old->pending, old->n_pending * sizeof(*v));
		n->pending = v;
		n->n_pending += old->n_pending;
	}
	free(old->pending);
	old->pending = NULL;
	old->n_pending = 0;
	ike_count(ike, IKE_CTR_IKE_REKEY);
}

/* The new IKE SA n takes over from old: keys, children. */
static int
ike_takeover(struct ike *ike, struct ike_sa *old, struct ike_sa *n, struct ike_chunk gir,
    uint64_t now_ms)
{
	if (ike_newsa(ike, old, n, gir, now_ms) != 0)
		return -1;
	child_move_all(ike, old, n);
	return 0;
}

/* An IKE SA that the peer is to delete (one it rekeyed, or the redundant SA of its own
 * exchange, §2.8.2): nothing more starts on it; it goes when the delete comes, or anyway. */
static void
wait_peer_delete(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	ikesa_set_state(ike, sa, IKE_SA_DELETING);
	sa->rekey_ms = 0;
	sa->expire_ms = now_ms + IKE_REKEY_WAIT_MS;
}

static struct ike_chunk
lowest_nonce(const struct ike_sa *n)
{
	return nonce_lt(ike_bytes_chunk(&n->ni), ike_bytes_chunk(&n->nr)) ?
	    ike_bytes_chunk(&n->ni) : ike_bytes_chunk(&n->nr);
}

/* §2.8.2: both ends rekeyed old at once; our exchange made ours (NULL: it failed), the peer's
 * made theirs.  The new IKE SA of the exchange with the lowest of the four nonces is redundant
 * and deleted by whoever initiated that exchange; the children go to the other one, and old
 * is deleted by the initiator of the surviving exchange.  The peer computes the same. */
static void
ike_rekey_resolve(struct ike *ike, struct ike_sa *old, struct ike_sa *ours,
    struct ike_sa *theirs, uint64_t now_ms)
{
	old->rekey_theirs = NULL;
	theirs->rekey_of = NULL;
	ike_count(ike, IKE_CTR_IKE_REKEY_COLLISION);
	if (ours != NULL && nonce_lt(lowest_nonce(theirs), lowest_nonce(ours))) {
		/* theirs goes (the peer deletes it); ours survives: we delete old */
		log_debug("ikev2: simultaneous IKE SA rekey: ours survives");
		child_move_all(ike, old, ours);
		wait_peer_delete(ike, theirs, now_ms);
		info_start_delete_ike(ike, old, now_ms);
		return;
	}
	log_debug("ikev2: simultaneous IKE SA rekey: the peer's survives");
	child_move_all(ike, old, theirs);
	if (ours != NULL)
		info_start_delete_ike(ike, ours, now_ms);
	wait_peer_delete(ike, old, now_ms);	/* the peer initiated the survivor */
}

static uint32_t
spi32(struct ike_chunk c)
{
	return c.len == 4 ? (uint32_t)c.p[0] << 24 | (uint32_t)c.p[1] << 16 |
	    (uint32_t)c.p[2] << 8 | c.p[3] : 0;
}

/* g^ir of a KE exchange: ours in sa->dh, the peer's KE in m; none when no KE. */
static int
ke_secret(struct ike_sa *sa, const struct ike_msg *m, uint16_t group,
    struct ike_dh_secret *s)
{
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	int rc;

	s->len = 0;
	if (group == 0)
		return ke == NULL ? 0 : -1;
	if (ke == NULL || ke->u.ke.group != group || sa->dh.key == NULL)
		return -1;
	rc = ike_dh_derive(&sa->dh, ke->u.ke.data, s, NULL);
	ike_dh_free(&sa->dh);
	return rc;
}

/* §2.8.1: the peer rekeyed old too.  Of the two new children, the one whose exchange had the
 * lowest nonce is closed by whoever made it; the other end computes the same.  The old one
 * goes at once: both ends delete it, which each takes as the other's answer. */
static void
collision(struct ike *ike, struct ike_sa *sa, struct ike_child *old, struct ike_child *ours,
    uint64_t now_ms)
{
	struct ike_child *theirs = child_find_spi(sa, old->proto, old->succ_spi_in, true);

	if (theirs != NULL && nonce_lt(ike_bytes_chunk(&ours->lo_nonce),
	    ike_bytes_chunk(&theirs->lo_nonce))) {
		/* ours goes: theirs carries the traffic from now */
		if (theirs->out_larval) {
			theirs->out_larval = false;
			if (ike->io.activate != NULL)
				ike->io.activate(ike->io.ctx, theirs->id_out);
		}
		info_start_delete_child(ike, sa, ours, now_ms);
	}
	old->state = CHILD_INSTALLED;
	info_start_delete_child(ike, sa, old, now_ms);
}

void
child_response(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	const struct ike_msg *m = &ike->m;
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *nr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	struct ike_child *old = sa->req_child, *c;
	struct ike_sa *n = sa->req_ike;
	struct ike_dh_secret s;
	struct ike_algs a, mine;
	struct ike_chunk spi;
	struct sel proposed;
	const struct conf_map_entry *e;
	uint32_t spi_out;
	uint8_t num;
	bool rekey, busy = false;

	sa->req_child = NULL;
	sa->req_ike = NULL;
	c = sa->req_new;
	sa->req_new = NULL;
	if (n != NULL) {			/* IKE SA rekey */
		if (ike_msg_find_notify(m, IKE_N_TEMPORARY_FAILURE) != NULL)
			ike_count(ike, IKE_CTR_TEMP_FAIL);	/* the peer is busy (§2.25) */
		if (sap == NULL || nr == NULL || proposal_read_chosen(m, sap, &a, &spi) != 0 ||
		    a.proto != IKE_PROTO_IKE || spi.len != IKE_SPI_LEN ||
		    proposal_pick_ike(ike, m, sap, sa->local, a.dh, &mine, &num) != 0 ||
		    ke_secret(n, m, a.dh, &s) != 0) {
			ikesa_free(ike, n, false);
			if (sa->rekey_theirs != NULL) {	/* the peer's rekey is the one */
				ike_rekey_resolve(ike, sa, NULL, sa->rekey_theirs, now_ms);
				return;
			}
			log_debug("ikev2: IKE SA rekey refused by the peer; again in 10 s");
			sa->rekey_ms = now_ms + 10000;
			return;
		}
		memcpy(n->spi_r, spi.p, IKE_SPI_LEN);
		n->algs = a;
		ike_bytes_set(&n->nr, nr->u.nonce.data);
		if (ike_newsa(ike, sa, n, (struct ike_chunk){ s.b, s.len }, now_ms) != 0) {
			ike_dh_secret_wipe(&s);
			ikesa_free(ike, n, false);
			if (sa->rekey_theirs != NULL)
				ike_rekey_resolve(ike, sa, NULL, sa->rekey_theirs, now_ms);
			return;
		}
		ike_dh_secret_wipe(&s);
		if (sa->rekey_theirs != NULL) {		/* §2.8.2 */
			ike_rekey_resolve(ike, sa, n, sa->rekey_theirs, now_ms);
			return;
		}
		child_move_all(ike, sa, n);
		info_start_delete_ike(ike, sa, now_ms);	/* the old one goes */
		return;
	}
	rekey = c != NULL;		/* a rekey's new child is not in the list yet */
	if (!rekey) {			/* a new child: it is in the list already */
		c = old;
		old = NULL;
	}
	if (c == NULL)			/* deleted by the peer meanwhile */
		return;
	e = child_entry(ike, c);
	proposed = c->flow;
	if (ike_msg_find_notify(m, IKE_N_TS_UNACCEPTABLE) != NULL)
		ike_count(ike, IKE_CTR_TS_UNACCEPTABLE);
	if (ike_msg_find_notify(m, IKE_N_NO_PROPOSAL_CHOSEN) != NULL)
		ike_count(ike, IKE_CTR_NO_PROPOSAL);
	if (ike_msg_find_notify(m, IKE_N_INVALID_KE_PAYLOAD) != NULL)
		ike_count(ike, IKE_CTR_INVALID_KE);	/* our "set pfs" is not the peer's */
	if ((busy = ike_msg_find_notify(m, IKE_N_TEMPORARY_FAILURE) != NULL))
		ike_count(ike, IKE_CTR_TEMP_FAIL);	/* §2.25: again a little later */
	if (e == NULL || sap == NULL || nr == NULL ||
	    proposal_read_chosen(m, sap, &a, &spi) != 0 || spi.len != 4 ||
	    proposal_pick_child(ike, m, sap, e, a.dh, &mine, &spi_out, &num, c->tset) != 0 ||
	    ts_initiator(m, &proposed, &c->flow) != 0 || ts_transport_answer(c, m) != 0 ||
	    ke_secret(sa, m, a.dh, &s) != 0)
		goto fail;
	c->algs = a;
	c->spi_out = spi32(spi);
	if (child_install(ike, sa, c, (struct ike_chunk){ s.b, s.len },
	    ike_bytes_chunk(&sa->req_nonce), nr->u.nonce.data, false, now_ms) != 0) {
		ike_dh_secret_wipe(&s);
		goto fail;
	}
	ike_dh_secret_wipe(&s);
	if (rekey) {
		c->next = sa->children;
		sa->children = c;
		ike_count(ike, IKE_CTR_CHILD_REKEY);
		if (old != NULL && old->state == CHILD_REKEYED)
			collision(ike, sa, old, c, now_ms);
		if (old != NULL && old->state == CHILD_REKEYING) {	/* the old one goes */
			old->state = CHILD_INSTALLED;
			info_start_delete_child(ike, sa, old, now_ms);
		}
	}
	return;
fail:
	ike_dh_free(&sa->dh);
	if (old != NULL && old->state == CHILD_REKEYING) {	/* lives to its end */
		/* again soon after a collision (§2.25), later after a refusal */
		uint64_t again = now_ms + (busy ? IKE_TEMP_FAIL_MS : 10000);

		old->state = CHILD_INSTALLED;
		old->soft_ms = again < old->hard_ms ? again : old->hard_ms;
	}
	if (!rekey && busy)		/* the flow waits its turn again */
		if (ike_sa_queue(ike, sa, c->map, c->seq, &proposed, true) == 0)
			sa->pending_ms = now_ms + IKE_TEMP_FAIL_MS;
	child_free(ike, rekey ? NULL : sa, c, true);
}

/* ---------------------------------------------------------------- CREATE_CHILD_SA, theirs */

static void
answer_notify(struct ike *ike, struct ike_sa *sa, uint16_t type)
{
	struct ike_msg *m = &ike->out;

	ike_msg_start(sa, m, IKE_CREATE_CHILD_SA, true, ike->m.hdr.msg_id);
	if (ike_add_notify(m, type, (struct ike_chunk){ NULL, 0 }, true) != NULL)
		ike_send_response(ike, sa, m);
}

/* §2.25: the peer's request collides with one of ours that it cannot go with. */
static void
temporary_failure(struct ike *ike, struct ike_sa *sa, const char *what)
{
	ike_count(ike, IKE_CTR_TEMP_FAIL);
	log_debug("ikev2: peer %s: %s collides with an exchange under way: TEMPORARY_FAILURE",
	    sa->remote_id, what);
	answer_notify(ike, sa, IKE_N_TEMPORARY_FAILURE);
}

/* Can the peer not rekey the IKE SA now (§2.25.2)?  We are closing it (or it was rekeyed
 * already), or a child exchange of ours is out on it: its answer would come on an SA whose
 * children have moved.  Our own IKE SA rekey is no obstacle: that is §2.8.2. */
static bool
busy_for_ike_rekey(const struct ike_sa *sa)
{
	return sa->state != IKE_SA_ESTABLISHED || sa->rekey_theirs != NULL ||
	    sa->rekey_of != NULL || sa->req == REQ_CHILD_NEW || sa->req == REQ_CHILD_REKEY ||
	    sa->req == REQ_DELETE_CHILD || sa->req == REQ_DELETE_IKE || sa->req == REQ_ORPHAN;
}

/* The peer rekeys our IKE SA (§1.3.2). */
static void
ike_rekey_request(struct ike *ike, struct ike_sa *sa, const struct ike_payload *sap,
    uint64_t now_ms)
{
	const struct ike_msg *in = &ike->m;
	const struct ike_payload *ke = ike_msg_find(in, IKE_PL_KE, NULL);
	const struct ike_payload *ni = ike_msg_find(in, IKE_PL_NONCE, NULL);
	struct ike_msg *m = &ike->out;
	struct ike_payload *pl;
	struct ike_dh_secret s;
	struct ike_algs a;
	struct ike_sa *n;
	uint8_t num;
	const struct ike_proposal *pp;

	if (ke == NULL || ni == NULL ||
	    proposal_pick_ike(ike, in, sap, sa->local, ke->u.ke.group, &a, &num) != 0 ||
	    a.dh != ke->u.ke.group) {
		ike_count(ike, IKE_CTR_NO_PROPOSAL);
		answer_notify(ike, sa, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	for (pp = &in->prop[sap->u.sa.prop]; pp->num != num; pp++)
		;
	if (pp->spi.len != IKE_SPI_LEN ||
	    (n = ikesa_alloc(ike, false, sa->local, sa->lport, sa->remote, sa->rport,
	    now_ms)) == NULL) {
		answer_notify(ike, sa, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	memcpy(n->spi_i, pp->spi.p, IKE_SPI_LEN);
	n->algs = a;
	ike_bytes_set(&n->ni, ni->u.nonce.data);
	n->nr.len = IKE_NONCE_LEN;
	if (ike_random(n->nr.b, n->nr.len) != 0 || ike_dh_init(&n->dh, a.dh, NULL) != 0)
		goto fail;
	ike_msg_start(sa, m, IKE_CREATE_CHILD_SA, true, in->hdr.msg_id);
	if ((pl = ike_msg_add(m, IKE_PL_SA, true)) == NULL ||
	    proposal_add_chosen(m, pl, num, &a, n->spi_r, IKE_SPI_LEN) != 0 ||
	    (pl = ike_msg_add(m, IKE_PL_NONCE, true)) == NULL)
		goto fail;
	pl->u.nonce.data = ike_bytes_chunk(&n->nr);
	if ((pl = ike_msg_add(m, IKE_PL_KE, true)) == NULL)
		goto fail;
	pl->u.ke.group = a.dh;
	pl->u.ke.data = (struct ike_chunk){ n->dh.pub, n->dh.pub_len };
	if (ike_send_response(ike, sa, m) != 0)
		goto fail;
	if (ike_dh_derive(&n->dh, ke->u.ke.data, &s, NULL) != 0)
		goto fail;
	ike_dh_free(&n->dh);
	n->initiator = false;
	if (sa->req == REQ_IKE_REKEY) {
		/* §2.25.2: we rekey it too; answered as usual, the children stay on the old SA
		 * until our own exchange ends and says which new SA survives (§2.8.2) */
		if (ike_newsa(ike, sa, n, (struct ike_chunk){ s.b, s.len }, now_ms) != 0) {
			ike_dh_secret_wipe(&s);
			goto fail;
		}
		ike_dh_secret_wipe(&s);
		sa->rekey_theirs = n;
		n->rekey_of = sa;
		return;
	}
	if (ike_takeover(ike, sa, n, (struct ike_chunk){ s.b, s.len }, now_ms) != 0) {
		ike_dh_secret_wipe(&s);
		goto fail;
	}
	ike_dh_secret_wipe(&s);
	wait_peer_delete(ike, sa, now_ms);	/* the old SA: the peer deletes it */
	return;
fail:
	ikesa_free(ike, n, false);
}

void
child_request(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	const struct ike_msg *in = &ike->m;
	const struct ike_payload *sap = ike_msg_find(in, IKE_PL_SA, NULL);
	const struct ike_payload *ni = ike_msg_find(in, IKE_PL_NONCE, NULL);
	const struct ike_payload *ke = ike_msg_find(in, IKE_PL_KE, NULL);
	const struct ike_payload *rk = ike_msg_find_notify(in, IKE_N_REKEY_SA);
	const struct conf_map_entry *e;
	const struct policy *pol;
	struct ike_child *old = NULL, *c;
	struct ike_msg *m = &ike->out;
	/* our PFS key pair of this answer: not sa->dh, which holds the pair of a request of ours
	 * that may be out at the same time (both ends rekeying one child, §2.8.1) */
	struct ike_dh dh = { 0 };
	struct ike_payload *pl;
	struct ike_dh_secret s;
	struct ike_algs a;
	struct sel flow, sw;
	uint32_t spi_out;
	uint16_t pfs;
	uint8_t num;
	size_t k;
	char why[96], tset[CONF_NAME_MAX];
	struct ike_bytes nr;

	if (sap == NULL || ni == NULL) {
		answer_notify(ike, sa, IKE_N_INVALID_SYNTAX);
		return;
	}
	if (in->prop[sap->u.sa.prop].proto == IKE_PROTO_IKE) {
		if (busy_for_ike_rekey(sa))
			temporary_failure(ike, sa, "a rekey of the IKE SA");
		else
			ike_rekey_request(ike, sa, sap, now_ms);
		return;
	}
	/* §2.25.2: no new or rekeyed child while the IKE SA is rekeyed or closed */
	if (sa->state != IKE_SA_ESTABLISHED || sa->req == REQ_IKE_REKEY ||
	    sa->rekey_theirs != NULL || sa->rekey_of != NULL) {
		temporary_failure(ike, sa, "a CREATE_CHILD_SA");
		return;
	}
	if (rk != NULL && (old = child_find_spi(sa, rk->u.notify.proto == IKE_PROTO_AH ? 51 : 50,
	    spi32(rk->u.notify.spi), false)) == NULL) {
		answer_notify(ike, sa, IKE_N_CHILD_SA_NOT_FOUND);
		return;
	}
	if (old != NULL && old->state == CHILD_DELETING) {	/* §2.25.1: we close it */
		temporary_failure(ike, sa, "a rekey of a child SA being deleted");
		return;
	}
	if (ts_responder(ike, in, sa->local, sa->remote, sa->profile, &k, &flow, why,
	    sizeof(why)) != 0) {
		ike_count(ike, IKE_CTR_TS_UNACCEPTABLE);
		log_debug("ikev2: peer %s proposed a flow %s", sa->remote_id, why);
		answer_notify(ike, sa, IKE_N_TS_UNACCEPTABLE);
		return;
	}
	pol = &ike->spd.v[k];
	e = ts_policy_entry(ike, k);
	/* PFS: ours if set, else the peer's if it asks (IOS accepts it) */
	pfs = e != NULL && e->pfs != 0 ? e->pfs : ke != NULL ? ke->u.ke.group : 0;
	if (e == NULL || proposal_pick_child(ike, in, sap, e, pfs, &a, &spi_out, &num, tset) != 0) {
		ike_count(ike, IKE_CTR_NO_PROPOSAL);
		answer_notify(ike, sa, IKE_N_NO_PROPOSAL_CHOSEN);
		return;
	}
	if (pfs != 0 && (ke == NULL || ke->u.ke.group != pfs)) {
		uint8_t g[2] = { (uint8_t)(pfs >> 8), (uint8_t)pfs };

		ike_count(ike, IKE_CTR_INVALID_KE);
		ike_msg_start(sa, m, IKE_CREATE_CHILD_SA, true, in->hdr.msg_id);
		if (ike_add_notify(m, IKE_N_INVALID_KE_PAYLOAD, (struct ike_chunk){ g, 2 },
		    true) != NULL)
			ike_send_response(ike, sa, m);
		return;
	}
	if ((c = child_new(ike, NULL)) == NULL)
		return;
	child_from_entry(ike, c, e, pol->map, pol->seq, pol->kind == POLICY_DYNAMIC);
	c->flow = flow;
	c->algs = a;
	c->spi_out = spi_out;
	snprintf(c->tset, sizeof(c->tset), "%s", tset);
	c->transport = ike_msg_find_notify(in, IKE_N_USE_TRANSPORT_MODE) != NULL &&
	    ts_transport_allowed(ike, sa, tset, &flow);
	nr.len = IKE_NONCE_LEN;
	s.len = 0;
	if (ike_random(nr.b, nr.len) != 0 || ike->io.spi_alloc == NULL ||
	    ike->io.spi_alloc(ike->io.ctx, a.proto == IKE_PROTO_AH ? 51 : 50, sa->local,
	    &c->spi_in) != 0)
		goto fail;
	if (pfs != 0 && (ike_dh_init(&dh, pfs, NULL) != 0 ||
	    ike_dh_derive(&dh, ke->u.ke.data, &s, NULL) != 0))
		goto fail;
	ike_msg_start(sa, m, IKE_CREATE_CHILD_SA, true, in->hdr.msg_id);
	ike->spi_be[0] = (uint8_t)(c->spi_in >> 24);
	ike->spi_be[1] = (uint8_t)(c->spi_in >> 16);
	ike->spi_be[2] = (uint8_t)(c->spi_in >> 8);
	ike->spi_be[3] = (uint8_t)c->spi_in;
	sw = flow;
	sw.src = flow.dst;
	sw.src_mask = flow.dst_mask;
	sw.dst = flow.src;
	sw.dst_mask = flow.src_mask;
	sw.sport_lo = flow.dport_lo;
	sw.sport_hi = flow.dport_hi;
	sw.dport_lo = flow.sport_lo;
	sw.dport_hi = flow.sport_hi;
	if (ts_transport_notify(m, c) != 0 || (pl = ike_msg_add(m, IKE_PL_SA, true)) == NULL ||
	    proposal_add_chosen(m, pl, num, &a, ike->spi_be, 4) != 0 ||
	    (pl = ike_msg_add(m, IKE_PL_NONCE, true)) == NULL)
		goto fail;
	pl->u.nonce.data = ike_bytes_chunk(&nr);
	if (pfs != 0) {
		if ((pl = ike_msg_add(m, IKE_PL_KE, true)) == NULL)
			goto fail;
		pl->u.ke.group = pfs;
		pl->u.ke.data = (struct ike_chunk){ dh.pub, dh.pub_len };
	}
	if (ts_add(m, &sw, true) != 0)
		goto fail;
	/* make before break: our new inbound now; our new outbound once the peer has its
	 * inbound, which it installs on this response (activate on its delete of old) */
	if (child_install(ike, sa, c, (struct ike_chunk){ s.b, s.len }, ni->u.nonce.data,
	    ike_bytes_chunk(&nr), old != NULL, now_ms) != 0)
		goto fail;
	ike_dh_secret_wipe(&s);
	c->next = sa->children;
	sa->children = c;
	if (old != NULL) {
		old->state = CHILD_REKEYED;
		old->succ_spi_in = c->spi_in;
		old->drain_ms = now_ms + IKE_DRAIN_MS;
		ike_count(ike, IKE_CTR_CHILD_REKEY);
	}
	if (ike_send_response(ike, sa, m) != 0)	/* m points at our KE: free it after */
		log_debug("ikev2: CREATE_CHILD_SA response could not be sent");
	ike_dh_free(&dh);
	return;
fail:
	ike_dh_free(&dh);
	ike_dh_secret_wipe(&s);
	child_free(ike, NULL, c, true);
	answer_notify(ike, sa, IKE_N_TEMPORARY_FAILURE);
}
