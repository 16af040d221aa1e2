/* SPDX-License-Identifier: Apache-2.0 */
/* spd_test.c: the fast crypto map lookup (spd.c: flow cache, then classifier) against the plain
 * walk (every entry, every ACE, in order), differentially: random crypto maps built as datad
 * builds a generation (tables_build, each from the one before), random packets, half of them
 * seen before so that the cache answers, a quarter the last one with one field changed (with a
 * second, one-slot cache that must tell them apart), over many generations; the same (entry, ACE) or the
 * same "none" every time.  Then the shapes the benchmark uses (bench/spd.sh): thousands of
 * one-line entries ahead of the one that matches, looked up without an allocation; a deny
 * that ends an entry and lets a later one match, and a cache that must not outlive its
 * generation. */
#include <stdlib.h>

#include "datad/spd.h"
#include "datad/spd_case.h"
#include "datad/tables.h"
#include "tests/lib/test.h"

/* Every allocation from the objects linked in (spd.c among them: -Wl,--wrap in
 * datad/CMakeLists.txt) is counted, to show a lookup makes none. */
void	*__real_malloc(size_t n);
void	*__real_calloc(size_t n, size_t m);
void	*__real_realloc(void *p, size_t n);
void	*__wrap_malloc(size_t n);
void	*__wrap_calloc(size_t n, size_t m);
void	*__wrap_realloc(void *p, size_t n);
static unsigned long n_alloc;

void *
__wrap_malloc(size_t n)
{
	n_alloc++;
	return __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	n_alloc++;
	return __real_calloc(n, m);
}

void *
__wrap_realloc(void *p, size_t n)
{
	n_alloc++;
	return __real_realloc(p, n);
}

enum {
	ROUNDS = 400,
	PACKETS = 1500,
	SEEN = 64,		/* flows kept to send again */
};

static const char *
name(const struct gen *g, const struct policy *p)
{
	static char buf[4][32];
	static unsigned k;

	k = (k + 1) % 4;
	if (p == NULL)
		snprintf(buf[k], sizeof(buf[k]), "none");
	else
		snprintf(buf[k], sizeof(buf[k]), "entry %u", (unsigned)(p - g->pol));
	return buf[k];
}

/* The four lookups agree on f (tiny: a one-slot cache, so that a flow differing from the last
 * one in a single field finds that slot); false (and a message) when not. */
static bool
same(struct gen *g, struct spd *tiny, const struct flow *f, uint64_t seed, unsigned round)
{
	uint32_t a_walk = 99, a_fast = 99, a_class = 99, a_tiny = 99;
	struct policy *walk = spd_walk(g, f, &a_walk);
	struct policy *fast = spd_lookup(g->spd, g, f, &a_fast);
	struct policy *cls = spd_classify(g->spd, g, f, &a_class);
	struct policy *one = spd_lookup(tiny, g, f, &a_tiny);
	bool ok = walk == fast && walk == cls && walk == one &&
	    (walk == NULL || (a_walk == a_fast && a_walk == a_class && a_walk == a_tiny));

	T_OK(ok, "seed %llu round %u: %08x -> %08x proto %u ports %u/%u (%d) tos %02x: walk %s "
	    "ace %u, fast %s ace %u, classifier %s ace %u, one slot %s ace %u",
	    (unsigned long long)seed, round, f->src, f->dst, f->proto, f->sport, f->dport,
	    f->has_ports, f->tos, name(g, walk), a_walk, name(g, fast), a_fast, name(g, cls),
	    a_class, name(g, one), a_tiny);
	return ok;
}

/* f with one of the fields the cache keys on changed. */
static void
nudge(struct flow *f, struct spd_rand *r)
{
	struct flow o;

	spd_case_flow(&o, r);
	switch (spd_rand_u(r, 7)) {
	case 0: f->src = o.src; break;
	case 1: f->dst = o.dst; break;
	case 2: f->proto = o.proto; break;
	case 3: f->sport = o.sport; break;
	case 4: f->dport = o.dport; break;
	case 5: f->tos = o.tos; break;
	default: f->has_ports = !f->has_ports; break;
	}
}

static void
test_random(uint64_t seed)
{
	struct spd_rand r = { .x = seed };
	struct spd_case *c = calloc(1, sizeof(*c));
	struct flow seen[SEEN];
	struct gen *g = NULL, *ng;
	struct spd *tiny = NULL;
	struct gw_err err = { 0, "" };
	struct spd_stats st;
	uint64_t hits = 0, matched = 0, none = 0;
	unsigned fails = 0;

	T_OK(c != NULL, "calloc");
	memset(seen, 0, sizeof(seen));
	for (unsigned round = 0; round < ROUNDS && fails < 5; round++) {
		ng = tables_build(spd_case_tables(c, &r, round + 1, round % 10 == 9 ? CASE_POL : 12),
		    "w1", g, &err);
		T_OK(ng != NULL, "round %u: %s", round, err.msg);
		if (ng == NULL)
			break;
		tables_free(g);
		g = ng;
		spd_free(tiny);
		tiny = spd_build(g, 1, &err);
		T_OK(tiny != NULL, "%s", err.msg);
		for (unsigned i = 0; i < PACKETS; i++) {
			struct flow f;
			uint32_t ace;

			switch (i < SEEN ? 0 : spd_rand_u(&r, 4)) {
			case 0: spd_case_flow(&f, &r); break;
			case 1: f = seen[(i - 1) % SEEN]; nudge(&f, &r); break;
			default: f = seen[spd_rand_u(&r, SEEN)]; break;
			}
			seen[i % SEEN] = f;
			if (!same(g, tiny, &f, seed, round))
				fails++;
			if (spd_walk(g, &f, &ace) != NULL)
				matched++;
			else
				none++;
		}
		spd_stats(g->spd, &st);
		hits += st.hits;
	}
	/* the test tests something: both answers often, and the cache answers */
	T_OK(matched > ROUNDS * PACKETS / 20, "seed %llu: %llu matched", (unsigned long long)seed,
	    (unsigned long long)matched);
	T_OK(none > ROUNDS * PACKETS / 20, "seed %llu: %llu unmatched", (unsigned long long)seed,
	    (unsigned long long)none);
	T_OK(hits > ROUNDS * PACKETS / 4, "seed %llu: %llu cache hits", (unsigned long long)seed,
	    (unsigned long long)hits);
	spd_free(tiny);
	tables_free(g);
	free(c);
}

/* n one-line entries ahead (10.200.x.y/32 -> 10.100.x.y/32), then the one that matches
 * (192.0.2.0/25 -> 192.0.2.128/25) behind a deny of one host; n_tuples stays 2 or 3 however
 * large n is, and the answer is the walk's. */
static void
test_many(uint32_t n)
{
	struct test_ace *aces = calloc(n + 2, sizeof(*aces));
	struct test_policy *pol = calloc(n + 2, sizeof(*pol));
	const struct test_sa sa = { .id = CASE_SA, .proto = 50, .spi = 1000,
	    .local = 0xc6336402, .peer = 0xc6336401 };
	struct gw_err err = { 0, "" };
	struct spd_stats st;
	struct gen *g;
	struct flow f = { .src = 0xc000020a, .dst = 0xc0000282, .proto = 17, .has_ports = true,
	    .sport = 5000, .dport = 5201 };
	uint32_t ace = 99;
	unsigned long n0;

	for (uint32_t i = 0; i < n; i++) {
		aces[i] = (struct test_ace){ true, test_sel(0x0ac80000 + i, 32, 0x0a640000 + i, 32) };
		pol[i] = (struct test_policy){ .seq = 10 + i, .aces = &aces[i], .n_aces = 1,
		    .kind = GW__V1__ENTRY_KIND__KIND_ISAKMP };
	}
	aces[n] = (struct test_ace){ false, test_sel(0xc0000200, 25, 0xc00002c8, 32) };
	aces[n + 1] = (struct test_ace){ true, test_sel(0xc0000200, 25, 0xc0000280, 25) };
	pol[n] = (struct test_policy){ .seq = 10 + n, .aces = &aces[n], .n_aces = 2,
	    .sa_esp = CASE_SA };
	g = tables_build(test_tables(1, &sa, 1, pol, n + 1), "w1", NULL, &err);
	T_OK(g != NULL, "%u entries: %s", n, err.msg);
	if (g == NULL)
		goto out;
	spd_stats(g->spd, &st);
	T_EQ(st.n_rules, n + 2, "%u entries", n);
	T_OK(st.n_tuples <= 3, "%u entries: %u tuples", n, st.n_tuples);
	n0 = n_alloc;
	T_OK(spd_lookup(g->spd, g, &f, &ace) == &g->pol[n] && ace == 1, "%u: the last entry", n);
	T_OK(spd_lookup(g->spd, g, &f, &ace) == &g->pol[n] && ace == 1, "%u: again", n);
	f.dst = 0xc00002c8;		/* denied in the last entry: no entry after it */
	T_OK(spd_lookup(g->spd, g, &f, &ace) == NULL, "%u: the deny ends the entry", n);
	f.src = 0x0ac80000 + n / 2;
	f.dst = 0x0a640000 + n / 2;
	T_OK(n == 0 || (spd_lookup(g->spd, g, &f, &ace) == &g->pol[n / 2] && ace == 0),
	    "%u: an entry ahead", n);
	T_EQ(n_alloc - n0, 0, "%u entries: no allocation per packet (miss or hit)", n);
	spd_stats(g->spd, &st);
	T_EQ(st.hits, 1, "%u entries", n);
	T_EQ(st.misses, n ? 3 : 2, "%u entries", n);
	tables_free(g);
out:
	free(aces);
	free(pol);
}

/* A deny in an earlier entry does not hide a later entry's permit, nor does an entry without
 * a list that no negotiated flow covers; the new generation answers anew (no stale slot). */
static void
test_order_and_generations(void)
{
	static struct test_ace e10[2], e30[1];
	struct test_flow fl[1] = { { test_sel(0xc0000200, 25, 0xc6120000, 24), CASE_SA, 0 } };
	const struct test_sa sa = { .id = CASE_SA, .proto = 50, .spi = 1000,
	    .local = 0xc6336402, .peer = 0xc6336401 };
	struct test_policy pol[3] = {
		{ .seq = 10, .aces = e10, .n_aces = 2, .sa_esp = CASE_SA },
		{ .seq = 20, .kind = GW__V1__ENTRY_KIND__KIND_DYNAMIC, .no_acl = true,
		    .flows = fl, .n_flows = 1 },
		{ .seq = 30, .aces = e30, .n_aces = 1, .sa_esp = CASE_SA },
	};
	struct gw_err err = { 0, "" };
	struct flow f = { .src = 0xc000020a, .dst = 0xc6120005, .proto = 1 };
	struct gen *g1, *g2;
	uint32_t ace = 99;

	e10[0] = (struct test_ace){ false, test_sel(0xc0000200, 25, 0xc6120000, 16) };
	e10[1] = (struct test_ace){ true, test_sel(0xc0000200, 25, 0xcb007100, 24) };
	e30[0] = (struct test_ace){ true, test_sel(0xc0000200, 24, 0xc6100000, 12) };
	g1 = tables_build(test_tables(1, &sa, 1, pol, 3), "w1", NULL, &err);
	T_OK(g1 != NULL, "%s", err.msg);
	if (g1 == NULL)
		return;
	/* the deny of 10 ends 10; 20 has a flow for it */
	T_OK(spd_lookup(g1->spd, g1, &f, &ace) == &g1->pol[1] && ace == 0, "dynamic entry 20");
	f.dst = 0xc6130005;		/* 20's flow does not cover it: 30 */
	T_OK(spd_lookup(g1->spd, g1, &f, &ace) == &g1->pol[2] && ace == 0, "entry 30");
	f.dst = 0xc6120005;
	/* generation 2: entry 20 has no flow left; 30 takes it */
	pol[1].n_flows = 0;
	g2 = tables_build(test_tables(2, &sa, 1, pol, 3), "w1", g1, &err);
	T_OK(g2 != NULL, "%s", err.msg);
	tables_free(g1);
	if (g2 == NULL)
		return;
	T_OK(spd_lookup(g2->spd, g2, &f, &ace) == &g2->pol[2] && ace == 0, "after: entry 30");
	T_OK(spd_walk(g2, &f, &ace) == &g2->pol[2], "the walk agrees");
	tables_free(g2);
}

int
main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 0x5eed0013;

	test_order_and_generations();
	n_alloc = 0;
	test_many(0);
	T_OK(n_alloc > 0, "the allocation counter counts (%lu)", n_alloc);
	test_many(500);
	test_many(10000);
	for (unsigned i = 0; i < 4; i++)
		test_random(seed + i * 0x9e3779b97f4a7c15ull);
	return t_done();
}
