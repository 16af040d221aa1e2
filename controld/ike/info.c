/* SPDX-License-Identifier: Apache-2.0 */
/* info.c: the INFORMATIONAL exchange (RFC 7296 §1.4, §2.4): deleting a child SA (each end
 * names the SPI it receives on, and the answer names the other direction's, §1.4.1),
 * deleting the IKE SA with everything under it, and liveness checks (an empty request, §2.4:
 * DPD).  A peer's delete of the old child of a rekey we answered is the signal that it uses
 * the new one: our larval outbound SA of the rekey goes into use (make before break).
 * Collisions (§2.25): a delete of a child we delete too is answered without a Delete payload
 * (§1.4.1), one of a child we rekey as usual; a delete of the IKE SA while we rekey it forgets
 * our rekey, its children going to the peer's new IKE SA if its rekey crossed ours (§2.8.2). */
#include <string.h>

#include "common/log.h"
#include "controld/ike/ikesa.h"

static uint32_t
spi_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void
put_spi(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The successor of a rekeyed child takes over our outbound traffic. */
static void
activate_successor(struct ike *ike, struct ike_sa *sa, const struct ike_child *old)
{
	struct ike_child *n;

	if (old->state != CHILD_REKEYED ||
	    (n = child_find_spi(sa, old->proto, old->succ_spi_in, true)) == NULL ||
	    !n->out_larval)
		return;
	n->out_larval = false;
	if (ike->io.activate != NULL)
		ike->io.activate(ike->io.ctx, n->id_out);
}

int
info_start_delete_child(struct ike *ike, struct ike_sa *sa, struct ike_child *c,
    uint64_t now_ms)
{
	struct ike_msg *m = &ike->out;
	struct ike_payload *pl;
	uint8_t spi[4];

	c->state = CHILD_DELETING;
	if (sa->req != REQ_NONE) {		/* window of one: ike_tick() sends it later */
		c->del_pending = true;
		return 0;
	}
	c->del_pending = false;
	put_spi(spi, c->spi_in);
	ike_msg_start(sa, m, IKE_INFORMATIONAL, false, sa->msg_id_out);
	if ((pl = ike_msg_add(m, IKE_PL_DELETE, true)) == NULL)
		return -1;
	pl->u.del.proto = c->proto == 51 ? IKE_PROTO_AH : IKE_PROTO_ESP;
	pl->u.del.spi_size = 4;
	pl->u.del.n_spi = 1;
	pl->u.del.spis = (struct ike_chunk){ spi, 4 };
	sa->req_child = c;
	return ike_send_request(ike, sa, m, REQ_DELETE_CHILD, now_ms);
}

int
info_start_delete_ike(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_msg *m = &ike->out;
	struct ike_payload *pl;

	ikesa_set_state(ike, sa, IKE_SA_DELETING);
	if (sa->req != REQ_NONE) {		/* ours is lost: the delete goes now */
		sa->req = REQ_NONE;
		sa->req_child = NULL;
	}
	ike_msg_start(sa, m, IKE_INFORMATIONAL, false, sa->msg_id_out);
	if ((pl = ike_msg_add(m, IKE_PL_DELETE, true)) == NULL)
		return -1;
	pl->u.del.proto = IKE_PROTO_IKE;
	return ike_send_request(ike, sa, m, REQ_DELETE_IKE, now_ms);
}

int
info_start_dpd(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_msg *m = &ike->out;

	if (sa->req != REQ_NONE)
		return 0;
	ike_count(ike, IKE_CTR_DPD);
	ike_msg_start(sa, m, IKE_INFORMATIONAL, false, sa->msg_id_out);
	return ike_send_request(ike, sa, m, REQ_DPD, now_ms);
}

void
info_response(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_child *c = sa->req_child;

	(void)now_ms;
	if (c == NULL && sa->req_child_spi != 0)	/* a delete adopted after a restart */
		for (c = sa->children; c != NULL && c->spi_in != sa->req_child_spi; c = c->next)
			;
	sa->req_child = NULL;
	sa->req_child_spi = 0;
	if (sa->state == IKE_SA_DELETING) {
		ike_sa_dead(ike, sa, "deleted");
		return;
	}
	if (c != NULL && c->state == CHILD_DELETING)
		child_free(ike, sa, c, true);
}

void
info_request(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	const struct ike_msg *in = &ike->m;
	const struct ike_payload *pl = NULL;
	struct ike_msg *m = &ike->out;
	struct ike_payload *d = NULL;
	uint8_t spis[4 * 64];
	uint16_t n = 0;
	uint8_t proto = IKE_PROTO_ESP;
	bool ike_gone = false;

	(void)now_ms;
	while ((pl = ike_msg_find(in, IKE_PL_DELETE, pl)) != NULL) {
		ike_count(ike, IKE_CTR_DELETE_RX);
		if (pl->u.del.proto == IKE_PROTO_IKE) {
			ike_gone = true;
			continue;
		}
		if (pl->u.del.spi_size != 4)
			continue;
		for (unsigned i = 0; i < pl->u.del.n_spi; i++) {
			uint8_t p = pl->u.del.proto == IKE_PROTO_AH ? 51 : 50;
			uint32_t spi = spi_at(pl->u.del.spis.p + 4 * i);
			struct ike_child *c = child_find_spi(sa, p, spi, false);
			struct ike_sa *owner = sa;

			/* §2.8.2 not resolved here yet: the peer has moved the children to this
			 * new SA, ours are still on the old one */
			if (c == NULL && sa->rekey_of != NULL &&
			    (c = child_find_spi(sa->rekey_of, p, spi, false)) != NULL)
				owner = sa->rekey_of;
			if (c == NULL)
				continue;
			/* §1.4.1: answer with ours, unless we are deleting it too */
			if (c->state != CHILD_DELETING && n < 64) {
				put_spi(spis + 4 * n++, c->spi_in);
				proto = pl->u.del.proto;
			}
			activate_successor(ike, owner, c);
			child_free(ike, owner, c, true);
		}
	}
	ike_msg_start(sa, m, IKE_INFORMATIONAL, true, in->hdr.msg_id);
	if (n > 0 && !ike_gone && (d = ike_msg_add(m, IKE_PL_DELETE, true)) != NULL) {
		d->u.del.proto = proto;
		d->u.del.spi_size = 4;
		d->u.del.n_spi = n;
		d->u.del.spis = (struct ike_chunk){ spis, 4u * n };
	}
	ike_send_response(ike, sa, m);
	if (ike_gone && sa->rekey_theirs != NULL) {
		/* §2.25.2: deleted while we rekeyed it, the peer's rekey made a new SA: it was
		 * the survivor for the peer (which deletes the old SA only then, §2.8.2), so the
		 * children go there and our own rekey is forgotten */
		struct ike_sa *t = sa->rekey_theirs;

		sa->rekey_theirs = NULL;
		t->rekey_of = NULL;
		child_move_all(ike, sa, t);
		ike_count(ike, IKE_CTR_IKE_REKEY_COLLISION);
	}
	if (ike_gone)
		ike_sa_dead(ike, sa, "the peer deleted it");
}
