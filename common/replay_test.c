/* SPDX-License-Identifier: Apache-2.0 */
/* replay_test.c: the anti-replay window (replay.c, RFC 4303 §3.4.3) and ESN inference (App. A),
 * each case a packet that arrives: accepted or not, and the window advanced if accepted. */
#include <stdbool.h>

#include "common/replay.h"
#include "tests/lib/test.h"

struct step {
	uint64_t	seq;
	bool		ok;
};

static int
run(const char *name, struct replay *r, const struct step *s, size_t n)
{
	int failed = t_failed;

	for (size_t i = 0; i < n; i++) {
		bool ok = replay_check(r, s[i].seq);

		if (ok)
			replay_advance(r, s[i].seq);
		T_EQ(ok, s[i].ok, "%s: case %zu, seq %" PRIu64, name, i, s[i].seq);
	}
	return t_failed - failed;
}

#define RUN(name, r, steps) run(name, r, steps, sizeof(steps) / sizeof(steps[0]))

static const struct step style_64[] = {		/* the default window of 64 */
	{ 1, true },	{ 1, false },		/* duplicate */
	{ 64, true },	{ 2, true },	{ 2, false },
	{ 128, true },				/* slides: now 65..128 */
	{ 64, false },	{ 65, true },		/* left edge */
};

static const struct step edges_64[] = {
	{ 0, false },				/* 0 is never sent (§3.3.3) */
	{ 5, true },	{ 3, true },	{ 4, true },	{ 4, false },
	{ 63, true },	{ 127, true },		/* window 64..127 */
	{ 63, false },	{ 64, true },	{ 64, false },	{ 126, true },	{ 127, false },
	{ 1000, true },	{ 937, true },	{ 936, false },	{ 999, true },	{ 999, false },
	{ 100000, true },			/* a jump far past the ring */
	{ 99937, true },	{ 99936, false },	{ 1000, false },
	{ 100064, true },			/* a jump of exactly one window */
	{ 100001, true },	{ 100000, false },	{ 100063, true },	{ 100064, false },
};

/* init at top 1000 (a restarted worker, invariant 2): nothing at or below it comes back */
static const struct step floor_64[] = {
	{ 1000, false },	{ 999, false },	{ 937, false },	{ 1, false },
	{ 1003, true },	{ 1001, true },		/* reordered, just above the floor */
	{ 1002, true },	{ 1002, false },	{ 1001, false },
};

static const struct step window_32[] = {	/* smaller than a word */
	{ 10, true },	{ 40, true },	{ 9, true },	{ 8, false },	/* 9..40 */
	{ 20, true },	{ 30, true },	{ 30, false },	{ 9, false },
	{ 72, true },	{ 41, true },	{ 40, false },	{ 71, true },
};

static void
test_tables(void)
{
	struct replay r;

	replay_init(&r, 64, false, 0);
	RUN("style 64", &r, style_64);
	replay_init(&r, 64, false, 0);
	RUN("edges 64", &r, edges_64);
	replay_init(&r, 64, false, 1000);
	RUN("floor 64", &r, floor_64);
	replay_init(&r, 32, false, 0);
	RUN("window 32", &r, window_32);
}

/* No replay service: everything passes, nothing is kept but top (for ESN inference). */
static void
test_size0(void)
{
	struct replay r;

	replay_init(&r, 0, false, 0);
	for (uint64_t s = 0; s < 5; s++) {
		T_OK(replay_check(&r, s), "size 0, seq %" PRIu64, s);
		replay_advance(&r, s);
		T_OK(replay_check(&r, s), "size 0, again %" PRIu64, s);
	}
	T_EQ(r.top, 4, "size 0 keeps top");
}

/* The largest window, against a model: a set of seen numbers, and the window rule. */
static void
test_model(uint32_t size, uint64_t start)
{
	static uint8_t seen[1 << 16];
	uint64_t top = start, x = 88172645463325252ULL;
	struct replay r;
	int bad = 0;

	memset(seen, 0, sizeof(seen));
	replay_init(&r, size, false, start);
	for (int i = 0; i < 200000 && bad < 5; i++) {
		uint64_t seq;
		bool want, got;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		/* mostly near the top, some far behind, some jumps ahead */
		seq = top + 2 * size / 3 - x % (size + size / 2);
		if (x % 97 == 0)
			seq = top + size + x % 300;
		if (seq - start >= sizeof(seen) || seq <= start)
			continue;
		want = !seen[seq - start] && (seq > top || top - seq < size);
		got = replay_check(&r, seq);
		if (got != want)
			bad++;
		T_EQ(got, want, "model %u: seq %" PRIu64 " top %" PRIu64, size, seq, top);
		if (got) {
			replay_advance(&r, seq);
			seen[seq - start] = 1;
			if (seq > top)
				top = seq;
		}
	}
}

static const struct {
	uint32_t	size;
	uint64_t	top;
	uint32_t	wire;
	uint64_t	want;
} infer[] = {
	/* window in one subspace (Tl >= W - 1) */
	{ 64, 1000,			1000,		1000 },
	{ 64, 1000,			937,		937 },
	{ 64, 1000,			936,		0x100000000ULL + 936 },	/* ahead: next */
	{ 64, 1000,			5000,		5000 },
	{ 64, 0x1FFFFFFF0ULL,		0xFFFFFFF0,	0x1FFFFFFF0ULL },
	{ 64, 0x1FFFFFFF0ULL,		3,		0x200000003ULL },	/* wraps */
	{ 64, 0x1FFFFFFF0ULL,		0xFFFFFFB1,	0x1FFFFFFB1ULL },	/* left edge */
	{ 64, 0x1FFFFFFF0ULL,		0xFFFFFFB0,	0x2FFFFFFB0ULL },	/* taken as next */
	/* window spanning two subspaces (Tl < W - 1) */
	{ 64, 0x200000005ULL,		0xFFFFFFF0,	0x1FFFFFFF0ULL },	/* previous one */
	{ 64, 0x200000005ULL,		0xFFFFFFC6,	0x1FFFFFFC6ULL },	/* bottom edge */
	{ 64, 0x200000005ULL,		0xFFFFFFC5,	0x2FFFFFFC5ULL },
	{ 64, 0x200000005ULL,		2,		0x200000002ULL },
	{ 64, 0x200000005ULL,		100,		0x200000064ULL },
	/* subspace 0 has nothing below it */
	{ 64, 5,			0xFFFFFFF0,	0xFFFFFFF0ULL },
	{ 64, 0,			1,		1 },
	/* no window: nearest half of the number space */
	{ 0, 0x180000000ULL,		0x00000010,	0x100000010ULL },
	{ 0, 0x180000000ULL,		0x00000000,	0x200000000ULL },
	{ 0, 0x180000000ULL,		0x7FFFFFFF,	0x17FFFFFFFULL },
	{ 0, 0x180000000ULL,		0x80000000,	0x180000000ULL },
	{ 0, 0x180000000ULL,		0x80000001,	0x180000001ULL },
	{ 0, 0x100000010ULL,		0xFFFFFF00,	0x0FFFFFF00ULL },
	{ 4096, 0x300000800ULL,		0xFFFFF900,	0x2FFFFF900ULL },
	{ 4096, 0x300000800ULL,		0xFFFFF800,	0x3FFFFF800ULL },
};

static void
test_infer(void)
{
	struct replay r;

	for (size_t i = 0; i < sizeof(infer) / sizeof(infer[0]); i++) {
		replay_init(&r, infer[i].size, true, infer[i].top);
		T_EQ(replay_infer(&r, infer[i].wire), infer[i].want,
		    "infer %zu: size %u top %" PRIx64 " wire %08x", i, infer[i].size,
		    infer[i].top, infer[i].wire);
	}
	replay_init(&r, 64, false, 0x1FFFFFFF0ULL);	/* no ESN: the wire is the number */
	T_EQ(replay_infer(&r, 3), 3, "no ESN");
}

/* ESN across the 2^32 boundary: infer, check, advance, as datad's in.c does. */
static const struct {
	uint32_t	wire;
	bool		ok;
	uint64_t	seq;
} esn_wrap[] = {
	{ 0xFFFFFFFE, true,	0x0FFFFFFFEULL },
	{ 0xFFFFFFFF, true,	0x0FFFFFFFFULL },
	{ 0x00000000, true,	0x100000000ULL },	/* 0 of the next subspace is a number */
	{ 0x00000002, true,	0x100000002ULL },
	{ 0xFFFFFFFF, false,	0x0FFFFFFFFULL },	/* seen, in the lower subspace */
	{ 0xFFFFFFFD, true,	0x0FFFFFFFDULL },	/* late, still in the window */
	{ 0x00000001, true,	0x100000001ULL },
	{ 0x00000001, false,	0x100000001ULL },
	{ 0x00000050, true,	0x100000050ULL },	/* window now 0x11 .. 0x50 */
	{ 0xFFFFFFFC, false,	0x1FFFFFFFCULL },	/* inferred ahead; ICV would fail */
	{ 0x00000010, false,	0x200000010ULL },	/* left of the window: next subspace */
	{ 0x00000011, true,	0x100000011ULL },
};

static void
test_esn_wrap(void)
{
	struct replay r;

	replay_init(&r, 64, true, 0xFFFFFFF0ULL);
	for (size_t i = 0; i < sizeof(esn_wrap) / sizeof(esn_wrap[0]); i++) {
		uint64_t seq = replay_infer(&r, esn_wrap[i].wire);
		bool ok = replay_check(&r, seq);

		T_EQ(seq, esn_wrap[i].seq, "esn wrap %zu", i);
		/* the ahead case is accepted by the window but would fail its ICV: no advance */
		if (ok && esn_wrap[i].ok)
			replay_advance(&r, seq);
		T_EQ(ok, esn_wrap[i].ok || esn_wrap[i].seq > r.top, "esn wrap %zu", i);
	}
}

int
main(void)
{
	test_tables();
	test_size0();
	test_model(64, 0);
	test_model(32, 7);
	test_model(1024, 100);
	test_model(REPLAY_MAX, 0);
	test_model(REPLAY_MAX, 0xFFFFFFF00ULL);
	test_infer();
	test_esn_wrap();
	return t_done();
}
