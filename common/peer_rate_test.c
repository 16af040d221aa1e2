/* SPDX-License-Identifier: Apache-2.0 */
/* peer_rate_test.c: one peer's burst, its refill, and that a flood from one address or from
 * many leaves another peer its own budget. */
#include <stdlib.h>

#include "common/peer_rate.h"
#include "tests/lib/test.h"

static unsigned
take_n(struct peer_rate *r, uint32_t addr, unsigned n, uint64_t now)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++)
		ok += peer_rate_take(r, addr, now);
	return ok;
}

int
main(void)
{
	struct peer_rate *r = calloc(1, sizeof(*r));
	const uint32_t A = 0xc6336401, B = 0xc6336442;	/* 198.51.100.1, .66 */

	peer_rate_init(r, 100, 50);
	T_EQ(take_n(r, A, 80, 1000), 50u, "a new peer gets a burst");
	T_EQ(take_n(r, B, 80, 1000), 50u, "another peer its own, whatever A did");
	T_EQ(take_n(r, A, 80, 1005), 0u, "5 ms later: half a token, none whole");
	T_EQ(take_n(r, A, 80, 1100), 10u, "100 ms later: 10 tokens");
	T_EQ(take_n(r, A, 80, 5000), 50u, "after a pause: a full burst, no more");
	/* a flood from 10000 forged addresses evicts slots; a peer seen again starts afresh,
	 * never with less than it had */
	for (uint32_t i = 1; i <= 10000; i++)
		take_n(r, 0x0a000000 + i, 1, 6000);
	T_EQ(take_n(r, B, 80, 6000), 50u, "B after the flood: its burst (evicted or refilled)");
	T_EQ(take_n(r, B, 1, 6001), 0u, "and then no more");
	free(r);
	return t_done();
}
