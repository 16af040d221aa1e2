/* SPDX-License-Identifier: Apache-2.0 */
/* peer_rate.c: token buckets per peer address in a fixed table (peer_rate.h).  Refilled
 * lazily, when the peer is next seen: rate tokens a second, never above burst. */
#include <string.h>

#include "common/peer_rate.h"

void
peer_rate_init(struct peer_rate *r, uint32_t rate, uint32_t burst)
{
	memset(r->s, 0, sizeof(r->s));
	r->rate = rate;
	r->burst = burst ? burst : 1;
}

static void
refill(const struct peer_rate *r, struct peer_rate_slot *s, uint64_t now_ms)
{
	uint64_t dt = now_ms - s->refill_ms, add;

	if (now_ms <= s->refill_ms)
		return;
	add = dt >= 1000 ? r->burst : dt * r->rate / 1000;
	if (add == 0)
		return;				/* keep refill_ms: the fraction is not lost */
	s->tokens = s->tokens + add >= r->burst ? r->burst : s->tokens + (uint32_t)add;
	s->refill_ms = now_ms;
}

bool
peer_rate_take(struct peer_rate *r, uint32_t addr, uint64_t now_ms)
{
	struct peer_rate_slot *set = r->s[(addr * 2654435761u) >> 22 & (PEER_RATE_SETS - 1)];
	struct peer_rate_slot *s = NULL, *old = &set[0];

	for (unsigned i = 0; i < PEER_RATE_WAYS; i++) {
		if (set[i].addr == addr && addr != 0) {
			s = &set[i];
			break;
		}
		if (set[i].refill_ms < old->refill_ms)
			old = &set[i];
	}
	if (s == NULL) {			/* new here: the least recent slot, a full bucket */
		s = old;
		s->addr = addr;
		s->tokens = r->burst;
		s->refill_ms = now_ms;
	} else {
		refill(r, s, now_ms);
	}
	if (s->tokens == 0)
		return false;
	s->tokens--;
	return true;
}
