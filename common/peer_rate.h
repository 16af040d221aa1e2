/* SPDX-License-Identifier: Apache-2.0 */
/* peer_rate.h: a token bucket per peer address, for what anyone on the internet can make us
 * pass on (IKE relayed from datad to controld: docs/design.md "The ZeroMQ link").  A fixed
 * table made once (no allocation per message: invariant 6), set-associative by address
 * hash: a peer new to its set takes the slot used least recently, with a full bucket.  So one
 * peer cannot spend the budget of others, and forged sources cost at most a burst each, which
 * a caller's own total limit bounds.  Single-threaded: nothing locks. */
#ifndef GW_PEER_RATE_H
#define GW_PEER_RATE_H

#include <stdbool.h>
#include <stdint.h>

enum {
	PEER_RATE_WAYS	= 4,		/* slots per set */
	PEER_RATE_SETS	= 1024,		/* 4096 peers tracked at once */
};

struct peer_rate_slot {
	uint32_t	addr;		/* host order; 0 = free */
	uint32_t	tokens;		/* messages it may still pass */
	uint64_t	refill_ms;	/* when tokens were last topped up */
};

struct peer_rate {
	uint32_t		rate;	/* tokens a second per peer */
	uint32_t		burst;	/* the bucket's size, and what a new peer gets */
	struct peer_rate_slot	s[PEER_RATE_SETS][PEER_RATE_WAYS];
};

/* Empty table: each peer may pass rate a second, in bursts of burst (>= 1). */
void	peer_rate_init(struct peer_rate *r, uint32_t rate, uint32_t burst);
/* May addr pass one more now?  Takes its token when it may. */
bool	peer_rate_take(struct peer_rate *r, uint32_t addr, uint64_t now_ms);

#endif
