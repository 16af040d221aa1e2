/* SPDX-License-Identifier: Apache-2.0 */
/* replay.c: the sliding anti-replay window of one inbound SA (RFC 4303 §3.4.3), kept as a ring
 * of bits indexed by sequence number as in RFC 6479: sliding right clears whole words, never
 * shifts.  The ring holds at least one word more than the window, so the words cleared for new
 * numbers never hold a number still inside the window.  Keeps invariant 2 with replay_init's
 * top: a restarted worker's window has already seen everything up to the reported top. */
#include <string.h>

#include "common/replay.h"

void
replay_init(struct replay *r, uint32_t size, bool esn, uint64_t top)
{
	uint32_t words = 1;
	uint64_t in_top;

	memset(r, 0, sizeof(*r));
	if (size > REPLAY_MAX)
		size = REPLAY_MAX;
	while ((uint64_t)words * 64 < (uint64_t)size + 64)
		words <<= 1;
	r->size = size;
	r->esn = esn;
	r->top = top;
	r->word_mask = words - 1;
	/* everything up to top is seen; numbers above it in top's word are not */
	memset(r->bitmap, 0xff, words * sizeof(r->bitmap[0]));
	in_top = (top & 63) == 63 ? ~0ULL : (1ULL << ((top & 63) + 1)) - 1;
	r->bitmap[(top >> 6) & r->word_mask] = in_top;
}

/* RFC 4303 Appendix A2.2: the high 32 bits are those that put the number nearest the window.
 * Without a window (size 0) the window is taken as half the number space. */
uint64_t
replay_infer(const struct replay *r, uint32_t wire)
{
	uint32_t tl = (uint32_t)r->top, th = (uint32_t)(r->top >> 32);
	uint32_t w = r->size != 0 ? r->size : 1U << 31;
	uint32_t bottom = tl - (w - 1);			/* mod 2^32 */
	uint32_t hi;

	if (!r->esn)
		return wire;
	if (tl >= w - 1)				/* window inside one subspace */
		hi = wire >= bottom ? th : th + 1;
	else if (wire >= bottom)			/* window spans two: wire in the lower one */
		hi = th != 0 ? th - 1 : 0;		/* nothing lies below subspace 0 */
	else
		hi = th;
	return (uint64_t)hi << 32 | wire;
}

bool
replay_check(const struct replay *r, uint64_t seq)
{
	if (r->size == 0 || seq > r->top)
		return true;
	if (r->top - seq >= r->size)			/* left of the window */
		return false;
	return !((r->bitmap[(seq >> 6) & r->word_mask] >> (seq & 63)) & 1);
}

void
replay_advance(struct replay *r, uint64_t seq)
{
	uint64_t diff;

	if (r->size == 0) {				/* no window: top only feeds replay_infer */
		if (seq > r->top)
			r->top = seq;
		return;
	}
	if (seq > r->top) {
		diff = (seq >> 6) - (r->top >> 6);	/* words that come into the window */
		if (diff > r->word_mask)
			memset(r->bitmap, 0, (r->word_mask + 1) * sizeof(r->bitmap[0]));
		else
			for (uint64_t i = 1; i <= diff; i++)
				r->bitmap[((r->top >> 6) + i) & r->word_mask] = 0;
		r->top = seq;
	} else if (r->top - seq >= r->size) {
		return;
	}
	r->bitmap[(seq >> 6) & r->word_mask] |= 1ULL << (seq & 63);
}
