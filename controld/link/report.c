/* SPDX-License-Identifier: Apache-2.0 */
/* report.c: what workers report: their counters per SA, the replay window tops of the
 * inbound SAs they own (the replay floors, docs/adr/0009) and their drops outside any SA;
 * and the IKE datagrams they relay.  A report costs what it carries (each SA found by its id
 * in the SAD's index, its counts kept with it), never more than the tables hold; a top counts
 * only from the SA's owner. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "common/log.h"
#include "controld/link/worker.h"

/* The owner of an inbound SA with a window reported its top (datad reports tops that moved
 * every 50 ms): the floor of its key becomes the top plus a margin for what the owner may
 * accept after this report and before its next one arrives, one lost report included: twice
 * the largest rise between two of its reports (span, slowly forgotten), plus
 * REPLAY_MARGIN_MIN.  At a steady rate that is 100 ms of its traffic, far less than the 3 s
 * it takes to see an owner is gone, so a failover under traffic costs no packet the dead
 * owner would not have lost anyway; after a quiet spell the new owner refuses a few (counted
 * as replay).  The file is written once a second, and at most every FLOORS_FLUSH_MS when a
 * floor ran a span ahead of it (a reboot of controld and its workers together).  What
 * remains (docs/threat-model.md): a packet accepted in the last 100 ms before its owner
 * died, when the rate had more than doubled in that time. */
static void
note_top(struct controld *cd, const struct sa *sa, struct sa_stat *s, uint64_t top)
{
	uint64_t rise = top > s->seq_top && s->seq_top != 0 ? top - s->seq_top : 0;
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
	w->generation = r->generation;
}

/* An IKE message a worker relayed (docs/design.md).  Its header is checked (RFC 2408 §3.1, RFC 7296
 * §3.1: 28 bytes, version 1.x or 2.x, Length = the message) and it is counted; there is no IKE
 * in this version to answer it, so it goes no further. */
void
report_ike(struct controld *cd, const struct worker_rec *w, const Gw__V1__IkeDatagram *ike)
{
	const uint8_t *d = ike->data.data;
	struct in_addr a = { htonl(ike->remote) };
	char ip[INET_ADDRSTRLEN];
	uint32_t len;

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	len = ike->data.len >= 28 ? (uint32_t)d[24] << 24 | (uint32_t)d[25] << 16 |
	    (uint32_t)d[26] << 8 | d[27] : 0;
	if (ike->data.len < 28 || len != ike->data.len || (d[17] >> 4) < 1 || (d[17] >> 4) > 2) {
		cd->link.ike_bad++;
		log_debug("IKE from %s:%u via %s: not an IKE message (%zu bytes), dropped", ip,
		    ike->remote_port, w->id, ike->data.len);
		return;
	}
	cd->link.ike_in++;
	log_debug("IKE v%u exchange %u from %s:%u via %s (%zu bytes): no IKE in this version, "
	    "dropped", d[17] >> 4, d[18], ip, ike->remote_port, w->id, ike->data.len);
}
