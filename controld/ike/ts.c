/* SPDX-License-Identifier: Apache-2.0 */
/* ts.c: traffic selectors (RFC 7296 §2.9, §3.13) against crypto access lists.  As initiator
 * we propose the flow of the permit entry that matched (TSi our side, TSr the peer's); as
 * responder we accept a proposed flow only as the seed's mirror-image rules say (docs/design.md
 * "IKE" "Responder policy"): it must lie inside one permit entry of an ipsec-isakmp entry naming
 * the peer (Case 3, a subset, accepted; Case 4, more than the entry permits, refused), the first
 * entry of the list it touches being that permit, or inside a dynamic map entry's list (any flow
 * for a dynamic entry without a list).  No narrowing of a broader proposal: what we accept is what
 * the peer asked for, so both ends carry the same flow.  IPv4 only.  Also the mode a flow may
 * have (USE_TRANSPORT_MODE, §1.3.1): transport only for the gateways' own traffic, as the seed's
 * "mode transport" says, and never across a NAT. */
#include <stdio.h>
#include <string.h>

#include "common/log.h"
#include "controld/ike/bytes.h"
#include "controld/ike/ikesa.h"

#define range4 ts_range

static void
port_range(bool neq, uint16_t lo, uint16_t hi, uint16_t *plo, uint16_t *phi)
{
	/* XXX: "neq P" has no single range; we propose every port and rely on the list */
	if (neq) {
		*plo = 0;
		*phi = 65535;
	} else {
		*plo = lo;
		*phi = hi;
	}
}

int
ts_add(struct ike_msg *m, const struct sel *flow, bool inner)
{
	struct ike_payload *tsi = ike_msg_add(m, IKE_PL_TSI, inner), *tsr;
	struct ike_ts *t;

	if (tsi == NULL || (t = ike_msg_add_ts(m, tsi)) == NULL)
		return -1;
	t->type = IKE_TS_IPV4_RANGE;
	t->proto = flow->proto;
	port_range(flow->sport_neq, flow->sport_lo, flow->sport_hi, &t->sport, &t->eport);
	/* XXX: a non-contiguous wildcard is proposed as the range that encloses it */
	put_be32(t->start, flow->src & flow->src_mask);
	put_be32(t->end, flow->src | ~flow->src_mask);
	if ((tsr = ike_msg_add(m, IKE_PL_TSR, inner)) == NULL || (t = ike_msg_add_ts(m, tsr)) == NULL)
		return -1;
	t->type = IKE_TS_IPV4_RANGE;
	t->proto = flow->proto;
	port_range(flow->dport_neq, flow->dport_lo, flow->dport_hi, &t->sport, &t->eport);
	put_be32(t->start, flow->dst & flow->dst_mask);
	put_be32(t->end, flow->dst | ~flow->dst_mask);
	return 0;
}

static int
range_of(const struct ike_ts *t, struct range4 *r)
{
	if (t->type != IKE_TS_IPV4_RANGE)
		return -1;
	r->lo = be32(t->start);
	r->hi = be32(t->end);
	r->plo = t->sport;
	r->phi = t->eport;
	r->proto = t->proto;
	return r->lo <= r->hi && r->plo <= r->phi ? 0 : -1;
}

/* Is every address of lo .. hi in the set {a : a & mask == addr & mask}?  The range is cut
 * into aligned blocks; a block is inside when the mask leaves its host bits free. */
static bool
range_in(uint32_t lo, uint32_t hi, uint32_t addr, uint32_t mask)
{
	uint64_t a = lo;

	while (a <= hi) {
		unsigned bits = 0;

		while (bits < 32 && (a & ((2ull << bits) - 1)) == 0 &&
		    a + (2ull << bits) - 1 <= hi)
			bits++;
		/* the block a .. a + 2^bits - 1 */
		if ((mask & (uint32_t)((1ull << bits) - 1)) != 0 ||
		    (((uint32_t)a ^ addr) & mask) != 0)
			return false;
		a += 1ull << bits;
	}
	return true;
}

static bool
ports_in(uint16_t lo, uint16_t hi, bool neq, uint16_t plo, uint16_t phi)
{
	if (lo == 0 && hi == 65535 && !neq)
		return true;
	return neq ? (phi < lo || plo > hi) : (plo >= lo && phi <= hi);
}

/* The flow local (our side) <-> remote within selector s, written for traffic leaving. */
static bool
sel_contains(const struct sel *s, const struct range4 *l, const struct range4 *r,
    uint8_t proto)
{
	return range_in(l->lo, l->hi, s->src, s->src_mask) &&
	    range_in(r->lo, r->hi, s->dst, s->dst_mask) &&
	    (s->proto == 0 || s->proto == proto) &&
	    ports_in(s->sport_lo, s->sport_hi, s->sport_neq, l->plo, l->phi) &&
	    ports_in(s->dport_lo, s->dport_hi, s->dport_neq, r->plo, r->phi);
}

/* A range as a prefix and mask; -1 when it is not one. */
static int
prefix_of(uint32_t lo, uint32_t hi, uint32_t *addr, uint32_t *mask)
{
	uint32_t span = hi - lo;

	if ((span & (span + 1)) != 0 || (lo & span) != 0)
		return -1;
	*addr = lo;
	*mask = ~span;
	return 0;
}

static int
flow_of(const struct range4 *l, const struct range4 *r, uint8_t proto, struct sel *f)
{
	memset(f, 0, sizeof(*f));
	if (prefix_of(l->lo, l->hi, &f->src, &f->src_mask) != 0 ||
	    prefix_of(r->lo, r->hi, &f->dst, &f->dst_mask) != 0)
		return -1;
	f->proto = proto;
	f->sport_lo = l->plo;
	f->sport_hi = l->phi;
	f->dport_lo = r->plo;
	f->dport_hi = r->phi;
	f->tos = f->precedence = -1;
	return 0;
}

const struct conf_map_entry *
ts_policy_entry(const struct ike *ike, size_t i)
{
	const struct policy *p = &ike->spd.v[i];
	const struct conf_map *m = conf_map_find(ike->conf, p->map), *dm;
	const struct conf_map_entry *e = m != NULL ? conf_map_entry_find(m, p->seq) : NULL;
	size_t k = 0;

	if (e == NULL || p->kind != POLICY_DYNAMIC)
		return e;
	if ((dm = conf_dynmap_find(ike->conf, e->dynamic)) == NULL)
		return NULL;
	/* the k-th policy of this static entry is its dynamic set's k-th entry (compile.c) */
	while (k < i && ike->spd.v[i - k - 1].kind == POLICY_DYNAMIC &&
	    ike->spd.v[i - k - 1].seq == p->seq && strcmp(ike->spd.v[i - k - 1].map, p->map) == 0)
		k++;
	return k < dm->n_entries ? dm->entries[k] : NULL;
}

static bool
names_peer(const struct conf_map_entry *e, uint32_t remote)
{
	for (unsigned i = 0; i < e->n_peers; i++)
		if (e->peers[i] == remote)
			return true;
	return false;
}

/* Does policy p accept the flow l <-> r?  Its first permit that holds all of the flow does,
 * unless a deny before it holds all of it.  A deny that holds part of the flow does not stop
 * it: the data path carves that part out in the clear, on both sides (mirror lists such as
 * the examples' "deny udp ... eq 7" before "permit ip ..."), as the initiator proposes the
 * permit's whole flow (IOS negotiates the permit entry, not the packet's remainder). */
static bool
policy_accepts(const struct policy *p, const struct range4 *l, const struct range4 *r,
    uint8_t proto)
{
	if (p->no_acl)
		return true;
	for (size_t i = 0; i < p->n_aces; i++) {
		const struct policy_ace *a = &p->aces[i];

		if (!sel_contains(&a->sel, l, r, proto))
			continue;
		return a->permit;
	}
	return false;
}

/* The first policy that accepts the flow l <-> r (mirror rule), into *pol and *flow.  v1: only
 * entries without an IKEv2 profile; else only those of profile (when not NULL). */
static int
accept_pair(struct ike *ike, const struct range4 *l, const struct range4 *r, uint8_t proto,
    uint32_t local, uint32_t remote, const char *profile, bool v1, size_t *pol,
    struct sel *flow, char *why, size_t why_len)
{
	for (size_t k = 0; k < ike->spd.n; k++) {
		const struct policy *p = &ike->spd.v[k];
		const struct conf_map_entry *e;
		struct sel f;

		if (p->kind == POLICY_MANUAL || p->local != local)
			continue;
		if ((e = ts_policy_entry(ike, k)) == NULL)
			continue;
		if (p->kind == POLICY_ISAKMP && !names_peer(e, remote))
			continue;
		if (p->kind == POLICY_DYNAMIC && e->n_peers > 0 && !names_peer(e, remote))
			continue;
		if (v1 ? e->ikev2_profile[0] != '\0' : e->ikev2_profile[0] != '\0' &&
		    profile != NULL && strcmp(e->ikev2_profile, profile) != 0)
			continue;
		if (!policy_accepts(p, l, r, proto))
			continue;
		if (flow_of(l, r, proto, &f) != 0) {
			snprintf(why, why_len, "a range that is not a prefix");
			continue;
		}
		*pol = k;
		*flow = f;
		return 0;
	}
	return -1;
}

int
ts_responder(struct ike *ike, const struct ike_msg *m, uint32_t local, uint32_t remote,
    const char *profile, size_t *pol, struct sel *flow, char *why, size_t why_len)
{
	const struct ike_payload *tsi = ike_msg_find(m, IKE_PL_TSI, NULL);
	const struct ike_payload *tsr = ike_msg_find(m, IKE_PL_TSR, NULL);
	uint64_t best_size = 0;
	bool found = false;

	snprintf(why, why_len, "no TSi or TSr");
	if (tsi == NULL || tsr == NULL)
		return -1;
	snprintf(why, why_len, "not permitted by any crypto map entry naming it");
	/* among the pairs offered, the broadest accepted (§2.9: a first pair may be the packet
	 * that started the peer's negotiation) */
	for (unsigned i = 0; i < tsi->u.ts.n_ts; i++)
		for (unsigned j = 0; j < tsr->u.ts.n_ts; j++) {
			struct range4 r, l;
			uint8_t proto;
			uint64_t size;

			if (range_of(&m->ts[tsi->u.ts.ts + i], &r) != 0 ||
			    range_of(&m->ts[tsr->u.ts.ts + j], &l) != 0)
				continue;
			if (r.proto != 0 && l.proto != 0 && r.proto != l.proto)
				continue;
			proto = r.proto != 0 ? r.proto : l.proto;
			size = ((uint64_t)(l.hi - l.lo) + 1) * ((uint64_t)(r.hi - r.lo) + 1);
			if (found && size <= best_size)
				continue;
			if (accept_pair(ike, &l, &r, proto, local, remote, profile, false, pol, flow,
			    why, why_len) == 0) {
				best_size = size;
				found = true;
			}
		}
	return found ? 0 : -1;
}

int
ts_responder_v1(struct ike *ike, const struct ts_range *l, const struct ts_range *r,
    uint32_t local, uint32_t remote, size_t *pol, struct sel *flow, char *why, size_t why_len)
{
	uint8_t proto = r->proto != 0 ? r->proto : l->proto;

	snprintf(why, why_len, "not permitted by any crypto map entry naming it");
	if (r->proto != 0 && l->proto != 0 && r->proto != l->proto)
		return -1;
	return accept_pair(ike, l, r, proto, local, remote, NULL, true, pol, flow, why, why_len);
}

int
ts_initiator(const struct ike_msg *m, const struct sel *proposed, struct sel *flow)
{
	const struct ike_payload *tsi = ike_msg_find(m, IKE_PL_TSI, NULL);
	const struct ike_payload *tsr = ike_msg_find(m, IKE_PL_TSR, NULL);
	struct range4 l, r;
	uint8_t proto;

	if (tsi == NULL || tsr == NULL || tsi->u.ts.n_ts < 1 || tsr->u.ts.n_ts < 1 ||
	    range_of(&m->ts[tsi->u.ts.ts], &l) != 0 || range_of(&m->ts[tsr->u.ts.ts], &r) != 0)
		return -1;
	proto = l.proto != 0 ? l.proto : r.proto;
	/* §2.9: the responder may narrow, never widen */
	if (!range_in(l.lo, l.hi, proposed->src, proposed->src_mask) ||
	    !range_in(r.lo, r.hi, proposed->dst, proposed->dst_mask) ||
	    (proposed->proto != 0 && proto != proposed->proto))
		return -1;
	return flow_of(&l, &r, proto, flow);
}

/* ---------------------------------------------------------------- transport mode */

/* IOS: "mode transport" applies only to traffic between the peers themselves (seed: "mode");
 * datad does no transport mode in UDP (RFC 3948 §3.1.3, not done): never across a NAT. */
static bool
transport_flow(const struct ike_sa *sa, const struct sel *flow)
{
	return !sa->nat_local && !sa->nat_remote && flow->src == sa->local &&
	    flow->src_mask == 0xffffffffu && flow->dst == sa->remote &&
	    flow->dst_mask == 0xffffffffu;
}

bool
ts_transport_wanted(const struct ike *ike, const struct ike_sa *sa,
    const struct conf_map_entry *e, const struct sel *flow)
{
	if (e == NULL || e->n_tsets == 0 || !transport_flow(sa, flow))
		return false;
	for (unsigned i = 0; i < e->n_tsets; i++) {
		const struct conf_transform_set *t = conf_tset_find(ike->conf, e->tsets[i]);

		if (t == NULL || t->mode != CONF_MODE_TRANSPORT)
			return false;
	}
	return true;
}

bool
ts_transport_allowed(const struct ike *ike, const struct ike_sa *sa, const char *tset,
    const struct sel *flow)
{
	const struct conf_transform_set *t = conf_tset_find(ike->conf, tset);

	return t != NULL && t->mode == CONF_MODE_TRANSPORT && transport_flow(sa, flow);
}

int
ts_transport_answer(struct ike_child *c, const struct ike_msg *m)
{
	bool said = ike_msg_find_notify(m, IKE_N_USE_TRANSPORT_MODE) != NULL;

	if (said && !c->transport) {
		log_debug("ikev2: the peer answered transport mode to our tunnel mode: child refused");
		return -1;
	}
	c->transport = said;
	return 0;
}

int
ts_transport_notify(struct ike_msg *m, const struct ike_child *c)
{
	if (!c->transport)
		return 0;
	return ike_add_notify(m, IKE_N_USE_TRANSPORT_MODE, (struct ike_chunk){ NULL, 0 },
	    true) != NULL ? 0 : -1;
}
