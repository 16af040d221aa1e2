/* SPDX-License-Identifier: Apache-2.0 */
/* grant.c: sequence-number leases to workers (docs/design.md invariant 1: a sequence number is
 * never sent twice under one key).  Blocks come from the key's own space (lease.h) and are granted
 * by use, not on demand (docs/adr/0008): a flood of requests gets one short block a second.
 * The blocks asked in one turn of the loop are taken in memory, written to disk together (one
 * fsync for a burst of new SAs, not one each) and only then sent: a block reaches a worker
 * only once its mark is durable. */
#include <inttypes.h>
#include <string.h>

#include "common/log.h"
#include "controld/link/worker.h"

void
grant_msg(struct controld *cd, struct worker_rec *w, const Gw__V1__LeaseRequest *q)
{
	static const enum refuse why[] = { [LEASE_EARLY] = REFUSE_LEASE_EARLY,
	    [LEASE_SOON] = REFUSE_LEASE_SOON, [LEASE_FAST] = REFUSE_LEASE_FAST };
	const struct sa *sa = workers_sa(cd, q->sa_id);
	struct grant_pending *p;
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
	if (cd->link.n_grants == LINK_GRANTS_MAX)
		grant_flush(cd);
	p = &cd->link.grants[cd->link.n_grants];
	if (lease_take(&cd->link.leases, sa->key_id, sa->esn, len, &p->first, &p->last,
	    &err) != 0) {
		log_err("lease for SA %016" PRIx64 " (spi %u): %s", sa->id, sa->spi, err.msg);
		return;
	}
	cd->link.n_grants++;
	p->slot = (int)(w - cd->link.w);
	memcpy(p->rid, w->rid, w->rid_len);
	p->rid_len = w->rid_len;
	p->sa_id = sa->id;
	p->spi = sa->spi;
	p->fresh = v == LEASE_FRESH;
	h->first = p->first;
	h->last = p->last;
	h->granted_ms = now;
}

void
grant_flush(struct controld *cd)
{
	struct gw_err err = { 0, "" };
	size_t n = cd->link.n_grants;

	if (n == 0)
		return;
	cd->link.n_grants = 0;
	if (lease_flush(&cd->link.leases, &err) != 0) {
		/* the marks stay raised: those numbers are skipped, never used twice */
		log_err("sequence-number leases not saved, %zu blocks not granted: %s", n,
		    err.msg);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct grant_pending *p = &cd->link.grants[i];
		struct worker_rec *w = &cd->link.w[p->slot];
		Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
		Gw__V1__LeaseGrant g = GW__V1__LEASE_GRANT__INIT;

		if (!w->live || w->rid_len != p->rid_len || memcmp(w->rid, p->rid, p->rid_len))
			continue;	/* it left in this turn: the block burns */
		g.sa_id = p->sa_id;
		g.first = p->first;
		g.last = p->last;
		env.body_case = GW__V1__ENVELOPE__BODY_LEASE_GRANT;
		env.lease_grant = &g;
		workers_send(cd, w, &env);
		if (cd->link.debug_ipsec)
			log_info("IPSEC(lease): SA spi 0x%08X to %s: %" PRIu64 "..%" PRIu64 " (%s)",
			    p->spi, w->id, p->first, p->last, p->fresh ? "fresh" : "next");
	}
}
