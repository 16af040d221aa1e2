/* SPDX-License-Identifier: Apache-2.0 */
/* grant.c: sequence-number leases to workers (docs/design.md invariant 1: a sequence number is
 * never sent twice under one key).  Blocks come from the key's own space (lease.h) and are granted
 * by use, not on demand (docs/adr/0008): a flood of requests gets one short block a second. */
#include <inttypes.h>

#include "common/log.h"
#include "controld/link/worker.h"

void
grant_msg(struct controld *cd, struct worker_rec *w, const Gw__V1__LeaseRequest *q)
{
	static const enum refuse why[] = { [LEASE_EARLY] = REFUSE_LEASE_EARLY,
	    [LEASE_SOON] = REFUSE_LEASE_SOON, [LEASE_FAST] = REFUSE_LEASE_FAST };
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__LeaseGrant g = GW__V1__LEASE_GRANT__INIT;
	const struct sa *sa = workers_sa(cd, q->sa_id);
	struct gw_err err = { 0, "" };
	struct lease_hold *h;
	enum lease_verdict v;
	uint64_t now = link_now_ms(), len;

	if (sa == NULL || sa->inbound) {
		refuse(cd, w, REFUSE_LEASE_SA, "worker %s asked a lease for SA %016" PRIx64
		    ", not outbound in the tables", w->id, q->sa_id);
		return;
	}
	h = workers_hold(w, sa->id, false);
	v = lease_decide(h, q->next, now, &len);
	if (v != LEASE_FRESH && v != LEASE_MORE) {
		refuse(cd, w, why[v], "worker %s, SA spi %u: lease asked at %" PRIu64 " of %"
		    PRIu64 "..%" PRIu64 " after %" PRIu64 " ms", w->id, sa->spi, q->next,
		    h->first, h->last, now - h->granted_ms);
		return;
	}
	if (h == NULL && (h = workers_hold(w, sa->id, true)) == NULL)
		return;
	if (lease_grant(&cd->link.leases, sa->key_id, sa->esn, len, &g.first, &g.last,
	    &err) != 0) {
		log_err("lease for SA %016" PRIx64 " (spi %u): %s", sa->id, sa->spi, err.msg);
		return;
	}
	h->first = g.first;
	h->last = g.last;
	h->granted_ms = now;
	g.sa_id = sa->id;
	env.body_case = GW__V1__ENVELOPE__BODY_LEASE_GRANT;
	env.lease_grant = &g;
	workers_send(cd, w, &env);
	if (cd->link.debug_ipsec)
		log_info("IPSEC(lease): SA spi 0x%08X to %s: %" PRIu64 "..%" PRIu64 " (%s)",
		    sa->spi, w->id, g.first, g.last, v == LEASE_FRESH ? "fresh" : "next");
}
