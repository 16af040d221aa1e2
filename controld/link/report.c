/* SPDX-License-Identifier: Apache-2.0 */
/* report.c: what workers report: their counters per SA, the replay window tops of the
 * inbound SAs they own (the replay floors, docs/adr/0009), their drops outside any SA and
 * what they did with IKE (ikewire.c handles the IKE itself), how their packets were batched
 * (offloads, shown by show workers as they last said).  A report costs what it carries
 * (each SA found by its id in the SAD's index, its counts kept with it), never more than the
 * tables hold; a top counts only from the SA's owner. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "common/log.h"
#include "controld/link/worker.h"

/* The owner of an inbound SA with a window reported its top (datad reports tops that moved
 * every 50 ms): the floor of its key becomes the top plus a margin for what the owner may
 * accept after this report and before its next one arrives, one lost report included: twice
 * the largest rise between two of its reports (span, slowly forgotten), plus
 * REPLAY_MARGIN_MIN.  At a steady rate that is 100 ms of its traffic: an owner that dies is
 * seen at once (its connection ends, workers.c), and the new owner refuses what the peer sent
 * in the 50 to 100 ms after the dead one's last report (counted as replay): the price of
 * invariant 2 (docs/adr/0013); after a quiet spell it refuses a few.  The file is written
 * once a second, and at most every FLOORS_FLUSH_MS when a floor ran a span ahead of it (a
 * reboot of controld and its workers together).  What remains (docs/threat-model.md): a
 * packet accepted in the last 100 ms before its owner died, when the rate had more than
 * doubled in that time. */
static void
note_top(struct controld *cd, const struct sa *sa, struct sa_stat *s, uint64_t top)
{
	/* the rise is what the window took since the last report: above the floor it started
	 * at, never the jump to that floor (the owner's first top after a move, or a top of an
	 * earlier turn as owner), else every move would widen the next one's margin */
	uint64_t base = s->seq_top > sa->replay_floor ? s->seq_top : sa->replay_floor;
	uint64_t rise = top > base && s->seq_top != 0 ? top - base : 0;
	uint64_t floor, on_disk = lease_saved(&cd->link.floors, sa->key_id), now = link_now_ms();

	s->span = rise > s->span - s->span / 16 ? rise : s->span - s->span / 16;
	s->seq_top = top;
	floor = top + 2 * s->span + REPLAY_MARGIN_MIN;
	if (floor < top)
		floor = UINT64_MAX;
	lease_raise(&cd->link.floors, sa->key_id, floor);
	if (floor > on_disk + s->span + REPLAY_MARGIN_MIN &&
	    now - cd->link.floors_flushed_ms >= FLOORS_FLUSH_MS) {
		struct gw_err err;

		if (lease_flush(&cd->link.floors, &err) != 0)
			log_warn("replay floors not saved: %s", err.msg);
		cd->link.floors_flushed_ms = now;
	}
}

/* A worker's offload counters as it said (absolute since its boot: taken as they are). */
static void
note_offload(struct link_offload_ctr *o, const Gw__V1__OffloadCounters *r)
{
	o->known = true;
	o->tun_uso = r->tun_uso;
	o->tun_reads = r->tun_reads;
	o->tso = r->tso;
	o->tso_segs = r->tso_segs;
	o->uso = r->uso;
	o->uso_dgrams = r->uso_dgrams;
	o->tun_writes = r->tun_writes;
	o->coalesced = r->coalesced;
	o->coalesced_segs = r->coalesced_segs;
	o->uso_writes = r->uso_writes;
	o->uso_segs = r->uso_segs;
	o->gso_sends = r->gso_sends;
	o->gso_dgrams = r->gso_dgrams;
	o->gro_reads = r->gro_reads;
	o->gro_dgrams = r->gro_dgrams;
	o->xdp_sent = r->xdp_sent;
	o->xdp_raw = r->xdp_raw;
	o->xdp_refused = r->xdp_refused;
}

void
report_msg(struct controld *cd, struct worker_rec *w, const Gw__V1__Report *r)
{
	size_t n = r->n_sas, held = cd->link.sent != NULL ? cd->link.sent->n_sas : 0;
	unsigned slot = workers_slot(cd, w);

	if (r->boot != w->boot)		/* from before the worker's restart: stale */
		return;
	if (n > held) {
		refuse(cd, w, REFUSE_REPORT_SA, "worker %s reported %zu SAs, the tables hold %zu",
		    w->id, n, held);
		n = held;
	}
	for (size_t i = 0; i < n; i++) {
		const Gw__V1__SaCounters *c = r->sas[i];
		struct sa *sa = workers_sa(cd, c->sa_id);
		struct sa_stat *s;

		if (sa == NULL) {
			refuse(cd, w, REFUSE_REPORT_SA, "worker %s reported SA %016" PRIx64
			    ", not in the tables", w->id, c->sa_id);
			continue;
		}
		if ((s = sa_count(sa, slot, true)) == NULL)
			return;
		s->pkts = c->pkts;
		s->bytes = c->bytes;
		s->path_mtu = c->path_mtu;
		s->media_mtu = c->media_mtu;
		for (size_t d = 0; d < DROP_MAX; d++)
			s->drops[d] = d < c->n_drops ? c->drops[d] : 0;
		if (!sa->inbound) {
			s->seq_top = c->seq_top;
		} else if (strcmp(sa->owner, w->id) != 0) {
			if (c->seq_top != 0)
				refuse(cd, w, REFUSE_TOP_OWNER, "worker %s reported a top for SA "
				    "spi %u, owned by %s", w->id, sa->spi,
				    sa->owner[0] ? sa->owner : "(none)");
			s->seq_top = 0;		/* not the owner: its window is not the SA's */
		} else if (sa->replay_window != 0 && c->seq_top != 0) {
			note_top(cd, sa, s, c->seq_top);
		} else {
			s->seq_top = c->seq_top;
		}
	}
	for (size_t d = 0; d < r->n_drops && d < DROP_MAX; d++)
		w->drops[d] = r->drops[d];
	if (r->ike != NULL) {
		w->ike_ctr.relayed = r->ike->relayed;
		w->ike_ctr.shed_peer = r->ike->shed_peer;
		w->ike_ctr.shed_worker = r->ike->shed_worker;
		w->ike_ctr.sent = r->ike->sent;
		w->ike_ctr.send_failed = r->ike->send_failed;
		w->ike_ctr.acquires = r->ike->acquires;
		w->ike_ctr.acquires_held = r->ike->acquires_held;
		w->ike_ctr.acquires_shed = r->ike->acquires_shed;
	}
	if (r->offload != NULL)
		note_offload(&w->offload, r->offload);
	w->generation = r->generation;
}
