/* SPDX-License-Identifier: Apache-2.0 */
/* lease_test.c: sequence-number leases are disjoint, durable across a reopen (a controld
 * restart), belong to the key and not the SA, end at 2^32-1 without ESN (docs/design.md invariant
 * 1); marks of an older version (by SA id) are adopted by the keys; replay floors only rise and
 * survive a reopen; lease_decide grants by use, never on demand. */
#include <stdlib.h>
#include <unistd.h>

#include "controld/link/lease.h"
#include "tests/lib/test.h"

static void
test_store(const char *dir)
{
	struct lease_db db;
	struct gw_err err;
	uint64_t f1, l1, f2, l2, f3, l3;
	char path[128];
	FILE *f;

	T_EQ(lease_open(&db, dir, &err), 0, "open empty");
	T_EQ(lease_grant(&db, 42, false, LEASE_MIN, &f1, &l1, &err), 0, "first grant");
	T_EQ(f1, 1, "sequence numbers start at 1");
	T_EQ(l1, LEASE_MIN, "a block of the length asked");
	T_EQ(lease_grant(&db, 42, false, 100, &f2, &l2, &err), 0, "second grant");
	T_EQ(f2, l1 + 1, "disjoint and contiguous");
	T_EQ(l2, l1 + 100, "100 long");
	T_EQ(lease_grant(&db, 7, false, LEASE_MIN, &f3, &l3, &err), 0, "another key");
	T_EQ(f3, 1, "its own space");
	lease_close(&db);

	T_EQ(lease_open(&db, dir, &err), 0, "reopen (controld restart)");
	T_EQ(lease_grant(&db, 42, false, LEASE_MIN, &f3, &l3, &err), 0, "grant after restart");
	T_EQ(f3, l2 + 1, "never below what was granted before the restart");
	lease_close(&db);

	/* the end of the 32-bit space */
	snprintf(path, sizeof(path), "%s/key-leases", dir);
	f = fopen(path, "w");
	fprintf(f, "000000000000002a %llu\n", 4294967295ULL - 10);
	fclose(f);
	T_EQ(lease_open(&db, dir, &err), 0, "reopen near the end");
	T_EQ(lease_grant(&db, 42, false, LEASE_MIN, &f1, &l1, &err), 0, "last block");
	T_EQ(l1, 4294967295ULL, "stops at 2^32-1, never wraps");
	T_EQ(lease_grant(&db, 42, false, LEASE_MIN, &f1, &l1, &err), -1, "used up: rekey");
	T_OK(strstr(err.msg, "rekey") != NULL, "says why: %s", err.msg);
	T_EQ(lease_grant(&db, 42, true, LEASE_MIN, &f1, &l1, &err), 0, "with ESN it goes on");
	lease_close(&db);
	unlink(path);

	/* an older version kept marks by SA id in "leases": adopted by the key, never lowered */
	snprintf(path, sizeof(path), "%s/leases", dir);
	f = fopen(path, "w");
	fprintf(f, "# old\n00000000000000aa 5000\n00000000000000bb 7\n");
	fclose(f);
	T_EQ(lease_open(&db, dir, &err), 0, "open with a legacy file");
	T_OK(lease_adopt(&db, 99, 0xaa), "SA aa's mark adopted by key 99");
	T_OK(!lease_adopt(&db, 99, 0xbb), "a lower legacy mark changes nothing");
	T_OK(!lease_adopt(&db, 98, 0xcc), "an SA the legacy file does not know: nothing");
	T_EQ(lease_grant(&db, 99, false, 10, &f1, &l1, &err), 0, "grant to key 99");
	T_EQ(f1, 5000, "starts where the SA stopped under the old version");
	lease_close(&db);
	T_EQ(lease_open(&db, dir, &err), 0, "reopen");
	T_EQ(lease_get(&db, 99), 5010, "durable");
	lease_close(&db);
	f = fopen(path, "r");
	T_OK(f != NULL && fgetc(f) == '#', "the legacy file is never written");
	if (f != NULL)
		fclose(f);
	unlink(path);

	/* replay floors: only rise, durable once flushed */
	T_EQ(lease_open_named(&db, dir, "replay-floors", "replay-tops", "floors", &err), 0,
	    "open replay-floors");
	T_EQ(lease_get(&db, 9), 0, "a key never seen: 0");
	T_EQ(lease_raise(&db, 9, 2000), 0, "raise");
	T_EQ(lease_raise(&db, 9, 1500), 0, "a lower floor");
	T_EQ(lease_get(&db, 9), 2000, "never lowered");
	T_EQ(lease_flush(&db, &err), 0, "flush");
	lease_close(&db);
	T_EQ(lease_open_named(&db, dir, "replay-floors", "replay-tops", "floors", &err), 0,
	    "reopen replay-floors");
	T_EQ(lease_get(&db, 9), 2000, "durable across a restart");
	lease_close(&db);
	snprintf(path, sizeof(path), "%s/replay-floors", dir);
	unlink(path);

	snprintf(path, sizeof(path), "%s/key-leases", dir);
	f = fopen(path, "w");
	fprintf(f, "garbage\n");
	fclose(f);
	T_EQ(lease_open(&db, dir, &err), -1, "a corrupt file is refused, not guessed");
	lease_close(&db);
	unlink(path);
}

/* lease_decide: what a worker holding [1000, 1999] since t = 10000 ms gets. */
static void
test_decide(void)
{
	static const struct {
		uint64_t		next, now;
		bool			none;
		enum lease_verdict	v;
		uint64_t		len;
		const char		*what;
	} c[] = {
		{ 0, 0, true, LEASE_FRESH, LEASE_MIN, "nothing held yet: a first, short block" },
		{ 1000, 10500, false, LEASE_EARLY, 0, "nothing used: refused" },
		{ 1499, 10500, false, LEASE_EARLY, 0, "just under half: refused" },
		{ 1500, 10500, false, LEASE_MORE, 2000, "half used quickly: the next, twice" },
		{ 2000, 11000, false, LEASE_MORE, 2000, "all used: the next" },
		{ 1500, 13000, false, LEASE_MORE, 1000, "used slowly: the same length" },
		{ 1500, 45000, false, LEASE_MORE, 1000, "very slowly, but already small" },
		{ 0, 10500, false, LEASE_SOON, 0, "lost track within a second: refused" },
		{ 0, 11000, false, LEASE_FRESH, LEASE_MIN, "lost track, a second later: fresh" },
		{ 5, 11500, false, LEASE_FRESH, LEASE_MIN, "a number it was never given: fresh" },
		{ 2001, 10200, false, LEASE_SOON, 0, "beyond its block, too soon: refused" },
	};
	struct lease_hold h = { .sa_id = 1, .first = 1000, .last = 1999, .granted_ms = 10000 };

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		uint64_t len = 0;
		enum lease_verdict v = lease_decide(c[i].none ? NULL : &h, c[i].next, c[i].now,
		    &len);

		T_EQ(v, c[i].v, "case %zu: %s", i, c[i].what);
		if (v == LEASE_FRESH || v == LEASE_MORE)
			T_EQ(len, c[i].len, "case %zu: length", i);
	}
	{
		struct lease_hold h2 = { 1, 1, 100000, 10000 };
		uint64_t len;

		T_EQ(lease_decide(&h2, 60000, 10001, &len), LEASE_FAST,
		    "60000 numbers in 1 ms: faster than any worker sends");
		T_EQ(lease_decide(&h2, 60000, 10100, &len), LEASE_MORE, "in 100 ms: believable");
	}
	/* grown blocks stop at LEASE_MAX, old big ones shrink */
	{
		struct lease_hold big = { 1, 1, LEASE_MAX, 0 };
		uint64_t len;

		T_EQ(lease_decide(&big, LEASE_MAX / 2 + 1, 1000, &len), LEASE_MORE, "big, fast");
		T_EQ(len, LEASE_MAX, "never beyond LEASE_MAX");
		T_EQ(lease_decide(&big, LEASE_MAX, LEASE_SHRINK_MS + 1, &len), LEASE_MORE, "slow");
		T_EQ(len, LEASE_MAX / 2, "a block that lasted long: the next is half");
	}
}

int
main(void)
{
	char dir[] = "/tmp/lease_testXXXXXX";

	T_OK(mkdtemp(dir) != NULL, "mkdtemp");
	test_store(dir);
	test_decide();
	rmdir(dir);
	return t_done();
}
