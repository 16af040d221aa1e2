/* SPDX-License-Identifier: Apache-2.0 */
/* replay.h: anti-replay window of one inbound SA (RFC 4303 §3.4.3, RFC 6479).  Owned by one
 * worker, so nothing here locks; the struct is public only so an SA can embed it. */
#ifndef GW_REPLAY_H
#define GW_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

enum { REPLAY_MAX = 4096 };

struct replay {
	uint64_t	top;			/* highest sequence number accepted */
	uint32_t	size;			/* bits, a power of two <= REPLAY_MAX; 0 = no service */
	bool		esn;
	uint32_t	word_mask;		/* bitmap words in use, minus 1 (a power of two - 1) */
	/* a ring of bits by sequence number; one spare word beyond size (RFC 6479 §2) */
	uint64_t	bitmap[2 * REPLAY_MAX / 64];
};

/* Start a window that has seen everything up to top (invariant 2: after a restart, windows start
 * above the last reported top); sizes above REPLAY_MAX are clamped to it. */
void		replay_init(struct replay *r, uint32_t size, bool esn, uint64_t top);
uint64_t	replay_infer(const struct replay *r, uint32_t wire);	/* ESN, RFC 4303 App. A */
bool		replay_check(const struct replay *r, uint64_t seq);	/* changes nothing */
void		replay_advance(struct replay *r, uint64_t seq);	/* only after authentication */

#endif
