/* tables_test.c: an inbound SA's replay window across table generations (DESIGN invariant 2).
 * The window never moves back: it lives on while this worker keeps the SA, rises to the floor
 * controld sends when another worker had the SA meanwhile, and a new window (new owner, new
 * size) starts at the highest top known, the floor or the worker's own. */
#include <arpa/inet.h>
#include <stdlib.h>

#include "datad/tables.h"
#include "tests/lib/test.h"

static uint8_t ckey[32] = { 1 }, akey[20] = { 2 };

/* One generation: one inbound ESP SA (id 7, SPI 1000), owned by owner, as controld sends it
 * (packed and unpacked, so tables_build can take it). */
static Gw__V1__Tables *
msg(uint64_t gen, const char *owner, uint32_t window, uint64_t floor)
{
	Gw__V1__Tables t = GW__V1__TABLES__INIT;
	Gw__V1__Sa sa = GW__V1__SA__INIT, *sas[1] = { &sa };
	Gw__V1__Selector sel = GW__V1__SELECTOR__INIT;
	uint8_t buf[512];
	size_t len;

	sa.id = 7;
	sa.inbound = true;
	sa.proto = 50;
	sa.spi = 1000;
	sa.local = 0xc6336402;
	sa.peer = 0xc6336401;
	sa.cipher = GW__V1__CIPHER__CIPHER_AES_CBC;
	sa.cipher_key.data = ckey;
	sa.cipher_key.len = sizeof(ckey);
	sa.auth = GW__V1__AUTH__AUTH_HMAC_SHA1_96;
	sa.auth_key.data = akey;
	sa.auth_key.len = sizeof(akey);
	sa.replay_window = window;
	sa.replay_floor = floor;
	sa.owner = (char *)owner;
	sa.map = (char *)"vpn";
	sa.flow = &sel;
	t.generation = gen;
	t.sas = sas;
	t.n_sas = 1;
	len = gw__v1__tables__get_packed_size(&t);
	if (len > sizeof(buf))
		return NULL;
	gw__v1__tables__pack(&t, buf);
	return gw__v1__tables__unpack(NULL, len, buf);
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
