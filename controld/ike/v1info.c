/* SPDX-License-Identifier: Apache-2.0 */
/* v1info.c: IKEv1 informational exchanges (RFC 2408 §4.8, RFC 2409 §5.7) and the timers of an
 * ISAKMP SA.  Once phase 1 is up every informational message is protected:
 *	HDR*, HASH(1), N/D	with HASH(1) = prf(SKEYID_a, M-ID | N/D), a fresh M-ID and IV
 * Deletes of phase 2 SAs (the sender's inbound SPIs) and of the ISAKMP SA (its cookies); DPD
 * (RFC 3706: R-U-THERE answered with R-U-THERE-ACK; ours sent after "crypto isakmp keepalive"
 * seconds without a word from the peer, on-demand only when we sent it traffic meanwhile, and
 * the SA declared dead after the retries); INITIAL-CONTACT.  An informational message that
 * does not open or whose hash is wrong is dropped and counted.  Timers: retransmission of
 * phase 1 and quick mode messages, the phase 1 lifetime (a new phase 1 ahead of it; the phase
 * 2 SAs move to it), the children's soft (quick mode rekey) and hard (delete) lifetimes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "controld/ike/bytes.h"
#include "controld/ike/ikesa.h"

/* ---------------------------------------------------------------- sending */

/* Build, hash, seal and send m (its first payload a HASH of the right length, zeroed). */
static int
send_info(struct ike *ike, struct ike_sa *sa, struct v1_msg *m)
{
	struct ike1 *v = sa->v1;
	size_t len, hl = ike1_hash_len(v->hash);
	uint8_t iv[V1_CBC_BLOCK_MAX];

	if (v->st != V1_QM_IDLE && v->st != V1_MM_DELETED)
		return -1;
	if (ike1_kdf_iv2(v->hash, (struct ike_chunk){ v->iv, v->block }, m->hdr.msg_id, v->block,
	    iv) != 0 || v1_msg_build(m, ike->buf, sizeof(ike->buf) - V1_CBC_BLOCK_MAX, &len) != 0)
		return -1;
	if (ike1_kdf_info_hash(v->hash, &v->k.a, m->hdr.msg_id,
	    (struct ike_chunk){ ike->buf + V1_HDR_LEN + V1_PL_HDR_LEN + hl,
	    len - V1_HDR_LEN - V1_PL_HDR_LEN - hl }, ike->buf + V1_HDR_LEN + V1_PL_HDR_LEN) != 0 ||
	    v1_msg_pad(ike->buf, &len, sizeof(ike->buf), v->block) != 0 ||
	    v1_cbc(v->encr, v->k.enc.b, v->key_len, iv, ike->buf + V1_HDR_LEN,
	    ike->buf + V1_HDR_LEN, len - V1_HDR_LEN, true) != 0)
		return -1;
	v1_wire(ike, sa, ike->buf, len);
	return 0;
}

static struct v1_msg *
start_info(struct ike *ike, struct ike_sa *sa, uint8_t *zero)
{
	struct v1_msg *m = &ike->v1out;
	struct v1_payload *pl;
	uint32_t mid = 0;

	while (mid == 0)
		if (ike_random(&mid, sizeof(mid)) != 0)
			return NULL;
	v1_msg_init(m, sa->spi_i, sa->spi_r, V1_X_INFO, V1_F_ENCRYPTED, mid);
	if ((pl = v1_msg_add(m, V1_PL_HASH)) == NULL)
		return NULL;
	memset(zero, 0, IKE1_HASH_MAX);
	pl->u.data = (struct ike_chunk){ zero, ike1_hash_len(sa->v1->hash) };
	return m;
}

int
v1_send_notify(struct ike *ike, struct ike_sa *sa, uint16_t type, uint8_t proto,
    struct ike_chunk spi, struct ike_chunk data)
{
	uint8_t zero[IKE1_HASH_MAX];
	struct v1_msg *m = start_info(ike, sa, zero);
	struct v1_payload *pl;

	if (m == NULL || (pl = v1_msg_add(m, V1_PL_NOTIFY)) == NULL)
		return -1;
	pl->u.notify.doi = V1_DOI_IPSEC;
	pl->u.notify.proto = proto;
	pl->u.notify.type = type;
	pl->u.notify.spi = spi;
	pl->u.notify.data = data;
	return send_info(ike, sa, m);
}

int
v1_send_delete_isakmp(struct ike *ike, struct ike_sa *sa)
{
	uint8_t zero[IKE1_HASH_MAX], ck[2 * V1_COOKIE_LEN];
	struct v1_msg *m = start_info(ike, sa, zero);
	struct v1_payload *pl;

	if (m == NULL || (pl = v1_msg_add(m, V1_PL_DELETE)) == NULL)
		return -1;
	memcpy(ck, sa->spi_i, V1_COOKIE_LEN);
	memcpy(ck + V1_COOKIE_LEN, sa->spi_r, V1_COOKIE_LEN);
	pl->u.del.doi = V1_DOI_IPSEC;
	pl->u.del.proto = V1_PROTO_ISAKMP;
	pl->u.del.spi_size = 2 * V1_COOKIE_LEN;
	pl->u.del.n_spi = 1;
	pl->u.del.spis = (struct ike_chunk){ ck, sizeof(ck) };
	return send_info(ike, sa, m);
}

int
v1_send_delete_child(struct ike *ike, struct ike_sa *sa, const struct ike_child *c)
{
	uint8_t zero[IKE1_HASH_MAX], spi[4];
	struct v1_msg *m = start_info(ike, sa, zero);
	struct v1_payload *pl;

	if (m == NULL || (pl = v1_msg_add(m, V1_PL_DELETE)) == NULL)
		return -1;
	put_be32(spi, c->spi_in);
	pl->u.del.doi = V1_DOI_IPSEC;
	pl->u.del.proto = c->proto == 51 ? V1_PROTO_AH : V1_PROTO_ESP;
	pl->u.del.spi_size = 4;
	pl->u.del.n_spi = 1;
	pl->u.del.spis = (struct ike_chunk){ spi, 4 };
	return send_info(ike, sa, m);
}

/* ---------------------------------------------------------------- receiving */

static void
delete_in(struct ike *ike, struct ike_sa *sa, const struct v1_payload *d)
{
	if (d->u.del.proto == V1_PROTO_ISAKMP) {
		/* phase 1 gone at the peer; the phase 2 SAs stay (RFC 2409: independent) until
		 * their own delete or lifetime: they wait on this SA, which takes no exchange */
		ike_count(ike, IKE_CTR_DELETE_RX);
		log_info("isakmp: peer %s deleted the ISAKMP SA", sa->remote_id);
		if (sa->children == NULL) {
			ike_sa_dead(ike, sa, "deleted by the peer");
			return;
		}
		ikesa_set_state(ike, sa, IKE_SA_DELETING);
		sa->v1->st = V1_MM_DELETED;
		return;
	}
	if ((d->u.del.proto != V1_PROTO_ESP && d->u.del.proto != V1_PROTO_AH) ||
	    d->u.del.spi_size != 4)
		return;
	for (unsigned i = 0; i < d->u.del.n_spi; i++) {
		uint32_t spi = be32(d->u.del.spis.p + 4 * i);
		uint8_t proto = d->u.del.proto == V1_PROTO_AH ? 51 : 50;
		struct ike_sa *h = sa;		/* the ISAKMP SA that holds it */
		struct ike_child *c = child_find_spi(h, proto, spi, false);

		/* a phase 2 SA is the peer's, whichever of its ISAKMP SAs says so: one that moved
		 * to a newer ISAKMP SA (a new phase 1) is deleted through the old one too */
		for (struct ike_sa *o = ike->sas; c == NULL && o != NULL; o = o->next)
			if (o != sa && o->v1 != NULL && o->remote == sa->remote &&
			    o->local == sa->local && (c = child_find_spi(o, proto, spi, false)) != NULL)
				h = o;
		ike_count(ike, IKE_CTR_DELETE_RX);
		if (c == NULL)
			continue;
		/* a successor waiting for its QM3 takes over now */
		for (struct ike_child *n = h->children; n != NULL; n = n->next)
			if (n != c && n->out_larval && strcmp(n->map, c->map) == 0 &&
			    n->seq == c->seq && memcmp(&n->flow, &c->flow, sizeof(n->flow)) == 0) {
				n->out_larval = false;
				if (ike->io.activate != NULL)
					ike->io.activate(ike->io.ctx, n->id_out);
			}
		for (struct ike1_qm *q = h->v1->qms; q != NULL; q = q->next)
			if (q->old == c)
				q->old = NULL;
		log_debug("isakmp: peer %s deleted SA %08x", sa->remote_id, spi);
		child_free(ike, h, c, true);
	}
}

void
v1_info_input(struct ike *ike, struct ike_sa *sa, size_t len, uint64_t now_ms)
{
	struct v1_msg *in = &ike->v1in;
	struct ike1 *v = sa->v1;
	uint8_t iv[V1_CBC_BLOCK_MAX], next[V1_CBC_BLOCK_MAX], want[IKE1_HASH_MAX];
	size_t chain, hl = ike1_hash_len(v->hash);

	(void)now_ms;
	if (!(in->hdr.flags & V1_F_ENCRYPTED) ||
	    ike1_kdf_iv2(v->hash, (struct ike_chunk){ v->iv, v->block }, in->hdr.msg_id, v->block,
	    iv) != 0 || v1_open(ike, sa, iv, len, &chain, next) != 0 ||
	    chain < V1_PL_HDR_LEN + hl ||
	    ike1_kdf_info_hash(v->hash, &v->k.a, in->hdr.msg_id, (struct ike_chunk){
	    ike->v1plain + V1_PL_HDR_LEN + hl, chain - V1_PL_HDR_LEN - hl }, want) != 0 ||
	    v1_hash_check(sa, want, in) != 0) {
		ike_count(ike, IKE_CTR_SK_FAIL);
		log_debug("isakmp: informational message dropped: it does not open or its hash is "
		    "wrong");
		return;
	}
	for (unsigned i = 0; i < in->n_pl; i++) {
		const struct v1_payload *p = &in->pl[i];

		if (p->type == V1_PL_DELETE) {
			delete_in(ike, sa, p);
			if (ikesa_find(ike, sa->spi_i, sa->spi_r) != sa)
				return;
		} else if (p->type == V1_PL_NOTIFY) {
			switch (p->u.notify.type) {
			case V1_N_R_U_THERE:
				if (p->u.notify.data.len == 4)
					v1_send_notify(ike, sa, V1_N_R_U_THERE_ACK, V1_PROTO_ISAKMP,
					    p->u.notify.spi, p->u.notify.data);
				break;
			case V1_N_R_U_THERE_ACK:
				if (p->u.notify.data.len == 4 &&
				    be32(p->u.notify.data.p) == v->dpd_seq) {
					v->dpd_sent_ms = 0;
					v->dpd_tries = 0;
				}
				break;
			case V1_N_INITIAL_CONTACT:
				break;
			default:
				if (p->u.notify.type < 16384)
					log_debug("isakmp: peer %s says error %u", sa->remote_id,
					    p->u.notify.type);
				if (p->u.notify.type == V1_N_NO_PROPOSAL_CHOSEN)
					ike_count(ike, IKE_CTR_NO_PROPOSAL);
				break;
			}
		}
	}
}

/* ---------------------------------------------------------------- clear */

static struct ike_sa *live_sa(struct ike *ike, const struct ike_sa *sa);

void
v1_clear_child(struct ike *ike, struct ike_sa *sa, struct ike_child *c, uint64_t now_ms)
{
	/* told over its ISAKMP SA, or over the one that replaced it when it was cleared */
	struct ike_sa *l = sa->v1->st == V1_QM_IDLE ? sa : live_sa(ike, sa);

	(void)now_ms;
	if (l != NULL)
		v1_send_delete_child(ike, l, c);
	child_free(ike, sa, c, true);
}

void
v1_clear_sa(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	(void)now_ms;
	/* clear crypto isakmp: the ISAKMP SA only (IOS); its phase 2 SAs stay until their own
	 * delete or lifetime.  Ours keep this SA as their holder, with no exchange. */
	if (sa->v1->st == V1_QM_IDLE)
		v1_send_delete_isakmp(ike, sa);
	if (sa->children == NULL) {
		ike_sa_dead(ike, sa, "cleared");
		return;
	}
	ikesa_set_state(ike, sa, IKE_SA_DELETING);
	sa->v1->st = V1_MM_DELETED;
	sa->rekey_ms = 0;
}

/* ---------------------------------------------------------------- timers */

static uint64_t
min_t(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* The ISAKMP SA to the same peer that is up, other than sa; NULL if none. */
static struct ike_sa *
live_sa(struct ike *ike, const struct ike_sa *sa)
{
	for (struct ike_sa *o = ike->sas; o != NULL; o = o->next)
		if (o != sa && o->v1 != NULL && o->v1->st == V1_QM_IDLE && o->remote == sa->remote &&
		    o->local == sa->local && o->state == IKE_SA_ESTABLISHED)
			return o;
	return NULL;
}

static bool
under_negotiation(struct ike *ike, const struct ike_sa *sa)
{
	for (struct ike_sa *o = ike->sas; o != NULL; o = o->next)
		if (o != sa && o->v1 != NULL && o->remote == sa->remote && o->local == sa->local &&
		    o->state != IKE_SA_ESTABLISHED && o->state != IKE_SA_DELETING)
			return true;
	return false;
}

static uint64_t
tick_children(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_child *c, *next;
	uint64_t t = UINT64_MAX;
	struct ike_sa *live = sa->v1->st == V1_QM_IDLE ? sa : live_sa(ike, sa);

	for (c = sa->children; c != NULL; c = next) {
		next = c->next;
		switch (c->state) {
		case CHILD_INSTALLED:
			if (now_ms >= c->hard_ms) {
				if (live != NULL)
					v1_send_delete_child(ike, live, c);
				child_free(ike, sa, c, true);
				break;
			}
			if (now_ms >= c->soft_ms) {
				bool used = ike->io.used == NULL ||
				    ike->io.used(ike->io.ctx, c->id_in) ||
				    ike->io.used(ike->io.ctx, c->id_out);

				/* IOS: an idle SA is not rekeyed; it ends at its hard life */
				if (!used || live == NULL ||
				    v1_qm_start(ike, live, c->map, c->seq, &c->flow, c, now_ms) != 0)
					c->soft_ms = c->hard_ms;
				else if (live != sa)
					c->soft_ms = c->hard_ms;
			}
			t = min_t(t, now_ms < c->soft_ms ? c->soft_ms : c->hard_ms);
			break;
		case CHILD_REKEYED:
			if (c->drain_ms != 0 && now_ms >= c->drain_ms) {
				/* ours made the new pair: the old one goes, the peer told */
				if (live != NULL)
					v1_send_delete_child(ike, live, c);
				child_free(ike, sa, c, true);
				break;
			}
			if (now_ms >= c->hard_ms) {
				child_free(ike, sa, c, true);
				break;
			}
			t = min_t(t, c->drain_ms != 0 ? c->drain_ms : c->hard_ms);
			break;
		case CHILD_REKEYING:
			t = min_t(t, c->hard_ms);
			if (now_ms >= c->hard_ms) {
				for (struct ike1_qm *q = sa->v1->qms; q != NULL; q = q->next)
					if (q->old == c)
						q->old = NULL;
				child_free(ike, sa, c, true);
			}
			break;
		default:
			break;
		}
	}
	return t;
}

static uint64_t
tick_qms(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike1_qm *q, *next, **pp;
	uint64_t t = UINT64_MAX;

	for (pp = &sa->v1->qms; (q = *pp) != NULL; q = next) {
		next = q->next;
		if (!q->done && q->initiator && q->next_ms != 0 && now_ms >= q->next_ms) {
			if (q->tries >= IKE_RETX_TRIES) {
				log_debug("isakmp: peer %s: no answer to quick mode", sa->remote_id);
				if (q->old != NULL && q->old->state == CHILD_REKEYING)
					q->old->state = CHILD_INSTALLED;
				q->old = NULL;
				*pp = next;
				v1_qm_free(q);
				continue;
			}
			q->tries++;
			q->next_ms = now_ms + ((uint64_t)IKE_RETX_FIRST_MS << q->tries);
			ike_count(ike, IKE_CTR_RETX);
			v1_wire(ike, sa, q->tx, q->tx_len);
		}
		if (q->act_ms != 0 && now_ms >= q->act_ms) {
			struct ike_child *c = child_find_spi(sa, 50, q->act_spi, true);

			if (c == NULL)
				c = child_find_spi(sa, 51, q->act_spi, true);
			q->act_ms = 0;
			if (c != NULL && c->out_larval) {
				c->out_larval = false;
				if (ike->io.activate != NULL)
					ike->io.activate(ike->io.ctx, c->id_out);
			}
		}
		if (q->act_ms != 0)
			t = min_t(t, q->act_ms);
		if (now_ms >= q->end_ms && (q->done || !q->initiator)) {
			/* R: no message 3 came; the initiator has the SAs: use ours */
			if (!q->initiator && !q->done && q->old != NULL && q->old->out_larval) {
				q->old->out_larval = false;
				if (ike->io.activate != NULL)
					ike->io.activate(ike->io.ctx, q->old->id_out);
			}
			*pp = next;
			v1_qm_free(q);
			continue;
		}
		if (!q->done && q->initiator && q->next_ms != 0)
			t = min_t(t, q->next_ms);
		t = min_t(t, q->end_ms);
		pp = &q->next;
	}
	return t;
}

/* DPD (RFC 3706), IOS's "crypto isakmp keepalive SECONDS [RETRY] [periodic|on-demand]": every
 * second the IPsec SAs' counts are looked at; when nothing came from the peer for SECONDS (no
 * IKE message, no packet on an inbound SA) an R-U-THERE goes (on-demand: only if we sent it
 * traffic meanwhile), again every RETRY seconds, and after five unanswered the SA is dead. */
static uint64_t
tick_dpd(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	const struct conf_isakmp *ci = &ike->conf->isakmp;
	struct ike1 *v = sa->v1;
	uint64_t iv = (uint64_t)ci->keepalive * 1000, heard;
	uint64_t retry = (uint64_t)(ci->keepalive_retry != 0 ? ci->keepalive_retry : 2) * 1000;
	uint8_t ck[2 * V1_COOKIE_LEN], seq[4];

	if (ci->keepalive == 0 || !v->dpd)
		return UINT64_MAX;
	if (v->dpd_sent_ms != 0) {
		if (sa->last_rx_ms > v->dpd_sent_ms) {		/* it spoke: alive */
			v->dpd_sent_ms = 0;
			v->dpd_tries = 0;
		} else if (now_ms < v->dpd_sent_ms + retry) {
			return v->dpd_sent_ms + retry;
		} else if (++v->dpd_tries >= 5) {
			ike_count(ike, IKE_CTR_TIMEOUT);
			ike_sa_dead(ike, sa, "the peer does not answer DPD");
			return 0;
		}
	}
	if (v->dpd_sent_ms == 0) {
		if (now_ms < sa->dpd_ms)
			return sa->dpd_ms;
		sa->dpd_ms = now_ms + 1000;
		for (struct ike_child *c = sa->children; c != NULL && ike->io.packets != NULL;
		    c = c->next) {
			uint64_t n;

			if (c->id_in == 0)
				continue;
			if ((n = ike->io.packets(ike->io.ctx, c->id_in)) != c->dpd_pkts_in)
				v->dpd_heard_ms = now_ms;
			c->dpd_pkts_in = n;
			if ((n = ike->io.packets(ike->io.ctx, c->id_out)) != c->dpd_pkts_out)
				v->dpd_out = true;
			c->dpd_pkts_out = n;
		}
		heard = sa->last_rx_ms > v->dpd_heard_ms ? sa->last_rx_ms : v->dpd_heard_ms;
		if (now_ms < heard + iv || (!ci->keepalive_periodic && !v->dpd_out &&
		    ike->io.packets != NULL))
			return sa->dpd_ms;
		v->dpd_seq++;
		v->dpd_tries = 0;
		v->dpd_out = false;
	}
	memcpy(ck, sa->spi_i, V1_COOKIE_LEN);
	memcpy(ck + V1_COOKIE_LEN, sa->spi_r, V1_COOKIE_LEN);
	put_be32(seq, v->dpd_seq);
	ike_count(ike, IKE_CTR_DPD);
	v1_send_notify(ike, sa, V1_N_R_U_THERE, V1_PROTO_ISAKMP, (struct ike_chunk){ ck, 16 },
	    (struct ike_chunk){ seq, 4 });
	v->dpd_sent_ms = now_ms;
	return now_ms + retry;
}

uint64_t
v1_tick_sa(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike1 *v = sa->v1;
	uint64_t t = UINT64_MAX;

	if (v->st != V1_QM_IDLE && v->st != V1_MM_DELETED) {
		/* phase 1 under way: the initiator retransmits; a half-open responder goes */
		if (sa->initiator && v->next_ms != 0 && now_ms >= v->next_ms) {
			if (v->tries >= IKE_RETX_TRIES) {
				ike_count(ike, IKE_CTR_TIMEOUT);
				ike_sa_dead(ike, sa, "no answer in phase 1");
				return UINT64_MAX;
			}
			v->tries++;
			v->next_ms = now_ms + ((uint64_t)IKE_RETX_FIRST_MS << v->tries);
			ike_count(ike, IKE_CTR_RETX);
			v1_wire(ike, sa, v->tx, v->tx_len);
		}
		if (!sa->initiator && now_ms >= sa->created_ms + 30000) {
			ike_sa_dead(ike, sa, "phase 1 not completed");
			return UINT64_MAX;
		}
		return sa->initiator ? v->next_ms : sa->created_ms + 30000;
	}
	if (v->st == V1_MM_DELETED) {
		/* no exchange here any more; its phase 2 SAs live on to their end, then it goes */
		t = tick_children(ike, sa, now_ms);
		if (sa->children == NULL) {
			ike_sa_dead(ike, sa, "deleted");
			return UINT64_MAX;
		}
		return t;
	}
	if (sa->expire_ms != 0 && now_ms >= sa->expire_ms) {
		struct ike_sa *n = live_sa(ike, sa);

		if (n != NULL)
			child_move_all(ike, sa, n);
		v1_send_delete_isakmp(ike, sa);
		if (sa->children == NULL) {
			ike_sa_dead(ike, sa, "lifetime expired");
			return UINT64_MAX;
		}
		ikesa_set_state(ike, sa, IKE_SA_DELETING);
		v->st = V1_MM_DELETED;
		return now_ms + 1000;
	}
	t = min_t(t, sa->expire_ms);
	if (sa->rekey_ms != 0 && now_ms >= sa->rekey_ms) {
		/* a new phase 1 to the same peer; established, it takes the children */
		sa->rekey_ms = 0;
		if (!under_negotiation(ike, sa) && live_sa(ike, sa) == NULL) {
			if (v1_initiate(ike, sa->remote, sa->local, NULL, NULL, 0, NULL, now_ms) ==
			    NULL)
				log_debug("isakmp: peer %s: the next phase 1 could not start",
				    sa->remote_id);
		}
	}
	if (sa->rekey_ms != 0)
		t = min_t(t, sa->rekey_ms);
	if (ike->conf->isakmp.nat_keepalive != 0 && sa->nat_local) {
		/* crypto isakmp nat keepalive: RFC 3948 §2.3, our NAT's binding kept while idle */
		static const uint8_t ka = 0xff;
		uint64_t every = (uint64_t)ike->conf->isakmp.nat_keepalive * 1000;

		if (sa->keepalive_ms == 0)
			sa->keepalive_ms = now_ms + every;
		if (now_ms >= sa->keepalive_ms) {
			v1_wire(ike, sa, &ka, 1);
			sa->keepalive_ms = now_ms + every;
		}
		t = min_t(t, sa->keepalive_ms);
	}
	t = min_t(t, tick_qms(ike, sa, now_ms));
	t = min_t(t, tick_children(ike, sa, now_ms));
	if (ikesa_find(ike, sa->spi_i, sa->spi_r) != sa)
		return UINT64_MAX;
	t = min_t(t, tick_dpd(ike, sa, now_ms));
	return t;
}

/* ---------------------------------------------------------------- show and clear */

unsigned
ike_clear_isakmp(struct ike *ike, uint64_t id, uint64_t now_ms)
{
	struct ike_sa *sa, *next;
	unsigned n = 0;

	for (sa = ike->sas; sa != NULL; sa = next) {
		next = sa->next;
		if (sa->v1 == NULL || (id != 0 && sa->handle != id) ||
		    sa->v1->st == V1_MM_DELETED)
			continue;
		n++;
		v1_clear_sa(ike, sa, now_ms);
	}
	return n;
}

static unsigned
n_children(const struct ike_sa *sa)
{
	unsigned k = 0;

	for (const struct ike_child *c = sa->children; c != NULL; c = c->next)
		k++;
	return k;
}

void
ike_show_isakmp_sa(const struct ike *ike, bool detail, uint64_t now_ms, FILE *out)
{
	if (detail)
		fprintf(out, "Codes: C - IKE configuration mode, D - Dead Peer Detection\n"
		    "       K - Keepalives, N - NAT-traversal\n"
		    "       T - cTCP encapsulation, X - IKE Extended Authentication\n"
		    "       psk - Preshared key, rsig - RSA signature\n"
		    "       renc - RSA encryption\n");
	fprintf(out, "IPv4 Crypto ISAKMP SA\n");
	if (detail)
		fprintf(out, "\nC-id  Local           Remote          I-VRF  Status Encr Hash   "
		    "Auth DH Lifetime Cap.\n\n");
	else
		fprintf(out, "dst             src             state          conn-id status\n");
	for (const struct ike_sa *sa = ike->sas; sa != NULL; sa = sa->next) {
		const struct ike1 *v = sa->v1;
		char dst[16], src[16], l[16], r[16], life[64] = "", cap[8] = "";
		const char *enc, *hash;
		bool up;

		if (v == NULL)
			continue;
		up = v->st == V1_QM_IDLE;
		v1_ip_text(dst, sizeof(dst), sa->initiator ? sa->remote : sa->local);
		v1_ip_text(src, sizeof(src), sa->initiator ? sa->local : sa->remote);
		if (!detail) {
			fprintf(out, "%-15s %-15s %-14s %7" PRIu64 " %s\n", dst, src,
			    v1_state_name(v->st), sa->handle, up ? "ACTIVE" :
			    v->st == V1_MM_DELETED ? "DELETED" : "");
			continue;
		}
		v1_ip_text(l, sizeof(l), sa->local);
		v1_ip_text(r, sizeof(r), sa->remote);
		enc = v->encr == V1_ENCR_AES ? (v->key_bits == 256 ? "aes256" : v->key_bits == 192 ?
		    "aes192" : "aes") : v->encr == V1_ENCR_3DES ? "3des" : "des";
		hash = v->hash == V1_HASH_MD5 ? "md5" : v->hash == V1_HASH_SHA ? "sha" :
		    v->hash == V1_HASH_SHA2_256 ? "sha256" : v->hash == V1_HASH_SHA2_384 ?
		    "sha384" : "sha512";
		if (up && sa->expire_ms > now_ms) {
			uint64_t left = (sa->expire_ms - now_ms) / 1000;

			snprintf(life, sizeof(life), "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
			    left / 3600, left / 60 % 60, left % 60);
		}
		snprintf(cap, sizeof(cap), "%s%s", v->dpd && ike->conf != NULL &&
		    ike->conf->isakmp.keepalive != 0 ? "D" : "",
		    sa->nat_local || sa->nat_remote ? "N" : "");
		fprintf(out, "%-5" PRIu64 " %-15s %-15s        %-6s %-4s %-6s %-4s %-2u %-8s %s\n",
		    sa->handle, l, r, up ? "ACTIVE" : "", enc, hash,
		    v->auth == V1_AUTH_RSA_SIG ? "rsig" : "psk", v->group, life, cap);
		fprintf(out, "       Engine-id:Conn-id =  SW:%" PRIu64 "\n", sa->handle);
		fprintf(out, "       State: %s, %s mode, %s, policy %u, peer id %s\n",
		    v1_state_name(v->st), v->aggressive ? "aggressive" : "main",
		    sa->initiator ? "initiator" : "responder", v->policy,
		    sa->remote_id[0] != '\0' ? sa->remote_id : "-");
		fprintf(out, "       Local %s port %u, remote %s port %u, phase 2 SAs %u\n\n",
		    l, sa->lport, r, sa->rport, n_children(sa));
	}
}
