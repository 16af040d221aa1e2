/* SPDX-License-Identifier: Apache-2.0 */
/* tables_test.c: an inbound SA's replay window across table generations (docs/design.md invariant
 * 2).  The window never moves back: it lives on while this worker keeps the SA, rises to the floor
 * controld sends when another worker had the SA meanwhile, and a new window (new owner, new size)
 * starts at the highest top known, the floor or the worker's own. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "datad/tables.h"
#include "tests/lib/test.h"
#include "tests/lib/test_sa.h"

/* One generation: one inbound ESP SA (id 7, SPI 1000), owned by owner, as controld sends it
 * (packed and unpacked, so tables_build can take it). */
static Gw__V1__Tables *
msg(uint64_t gen, const char *owner, uint32_t window, uint64_t floor)
{
	static const Gw__V1__Selector sel = GW__V1__SELECTOR__INIT;
	const struct test_sa sa = { .id = 7, .inbound = true, .proto = 50, .spi = 1000,
	    .local = 0xc6336402, .peer = 0xc6336401, .replay_window = window,
	    .replay_floor = floor, .flow = &sel, .owner = owner };

	return test_tables(gen, &sa, 1, NULL, 0);
}

/* The next generation over old (freed), or NULL. */
static struct gen *
next(struct gen *old, uint64_t gen, const char *owner, uint32_t window, uint64_t floor)
{
	struct gw_err err = { 0, "" };
	struct gen *g = tables_build(msg(gen, owner, window, floor), "w1", old, &err);

	T_OK(g != NULL, "generation %llu builds: %s", (unsigned long long)gen, err.msg);
	tables_free(old);
	return g;
}

static bool
take(struct sa_in *sa, uint64_t seq)
{
	if (!replay_check(&sa->replay, seq))
		return false;
	replay_advance(&sa->replay, seq);
	return true;
}

static struct sa_in *
sa_of(struct gen *g)
{
	return g != NULL ? tables_sa_in(g, htonl(1000), 50) : NULL;
}

int
main(void)
{
	struct gen *g;
	struct sa_in *sa;

	/* gen 1: ours, window 64, nothing seen */
	g = next(NULL, 1, "w1", 64, 0);
	if ((sa = sa_of(g)) == NULL)
		return t_done();
	T_OK(sa->mine, "w1 owns it");
	T_OK(take(sa, 1000), "1000 accepted");
	T_OK(take(sa, 990), "990, inside the window, accepted");
	T_OK(!take(sa, 990), "990 again: replay");

	/* gen 2: unchanged SA: the window lives on, holes and all */
	g = next(g, 2, "w1", 64, 0);
	sa = sa_of(g);
	T_EQ(sa->replay.top, 1000, "top carried");
	T_OK(!take(sa, 990), "990 still seen");
	T_OK(take(sa, 995), "995 still a hole in the window: accepted");

	/* gen 3: another worker had it meanwhile and reported up to 5000 */
	g = next(g, 3, "w1", 64, 5000);
	sa = sa_of(g);
	T_EQ(sa->replay.top, 5000, "a floor above the carried window raises it");
	T_OK(!take(sa, 4990), "4990: accepted by the other worker, a replay here");
	T_OK(take(sa, 5001), "5001 accepted");

	/* gen 4: a floor below the window never moves it back */
	g = next(g, 4, "w1", 64, 100);
	sa = sa_of(g);
	T_EQ(sa->replay.top, 5001, "a lower floor changes nothing");
	T_OK(!take(sa, 5001), "5001 still seen");

	/* gen 5: the window grows to 1024: a new window, from the top reached, not from 0 */
	g = next(g, 5, "w1", 1024, 100);
	sa = sa_of(g);
	T_EQ(sa->replay.size, 1024, "new size");
	T_EQ(sa->replay.top, 5001, "the new window starts at the old top");
	T_OK(!take(sa, 4500), "4500 (left of the old window) is not taken as new");
	T_OK(take(sa, 6000), "6000 accepted");
	T_OK(take(sa, 5500), "5500, inside the new 1024 window, accepted");

	/* gen 6: the SA moves to w2; gen 7: back to w1 with a stale floor (controld restarted):
	 * the window still starts at what this worker had seen */
	g = next(g, 6, "w2", 1024, 6000);
	sa = sa_of(g);
	T_OK(!sa->mine, "w2 owns it now");
	g = next(g, 7, "w1", 1024, 0);
	sa = sa_of(g);
	T_OK(sa->mine, "back to w1");
	T_EQ(sa->replay.top, 6000, "new owner: the highest top known, not the floor 0");
	T_OK(!take(sa, 5500), "5500 replayed: dropped");

	/* a worker that starts (no old generation) starts at the floor */
	tables_free(g);
	g = next(NULL, 8, "w1", 64, 7000);
	sa = sa_of(g);
	T_EQ(sa->replay.top, 7000, "a fresh worker starts at the floor");
	T_OK(!take(sa, 6999), "6999: dropped");
	T_OK(take(sa, 7001), "7001: accepted");

	/* no anti-replay service (window 0): all accepted, the top still tracked */
	g = next(g, 9, "w1", 0, 0);
	sa = sa_of(g);
	T_EQ(sa->replay.top, 7001, "window 0: the top is kept");
	T_OK(take(sa, 5), "window 0: 5 accepted");
	T_OK(take(sa, 5), "window 0: 5 accepted again");
	tables_free(g);
	return t_done();
}
