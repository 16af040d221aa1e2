/* lease_test.c: sequence-number leases are disjoint, durable across a reopen (a controld
 * restart), and end at 2^32-1 without ESN (DESIGN invariant 1); replay tops only rise and
 * survive a reopen. */
#include <stdlib.h>
#include <unistd.h>

#include "controld/lease.h"
#include "tests/lib/test.h"

int
main(void)
{
	char dir[] = "/tmp/lease_testXXXXXX";
	struct lease_db db;
	struct gw_err err;
	uint64_t f1, l1, f2, l2, f3, l3;
	char path[64];
	FILE *f;

	T_OK(mkdtemp(dir) != NULL, "mkdtemp");
	T_EQ(lease_open(&db, dir, &err), 0, "open empty");
	T_EQ(lease_grant(&db, 42, false, &f1, &l1, &err), 0, "first grant");
	T_EQ(f1, 1, "sequence numbers start at 1");
	T_EQ(l1, LEASE_BLOCK, "one block");
	T_EQ(lease_grant(&db, 42, false, &f2, &l2, &err), 0, "second grant");
	T_EQ(f2, l1 + 1, "disjoint and contiguous");
	T_EQ(lease_grant(&db, 7, false, &f3, &l3, &err), 0, "another SA");
	T_EQ(f3, 1, "its own space");
	lease_close(&db);

	T_EQ(lease_open(&db, dir, &err), 0, "reopen (controld restart)");
	T_EQ(lease_grant(&db, 42, false, &f3, &l3, &err), 0, "grant after restart");
	T_EQ(f3, l2 + 1, "never below what was granted before the restart");
	lease_close(&db);

	/* the end of the 32-bit space */
	snprintf(path, sizeof(path), "%s/leases", dir);
	f = fopen(path, "w");
	fprintf(f, "000000000000002a %llu\n", 4294967295ULL - 10);
	fclose(f);
	T_EQ(lease_open(&db, dir, &err), 0, "reopen near the end");
	T_EQ(lease_grant(&db, 42, false, &f1, &l1, &err), 0, "last block");
	T_EQ(l1, 4294967295ULL, "stops at 2^32-1, never wraps");
	T_EQ(lease_grant(&db, 42, false, &f1, &l1, &err), -1, "used up: rekey needed");
	T_OK(strstr(err.msg, "rekey") != NULL, "says why: %s", err.msg);
	T_EQ(lease_grant(&db, 42, true, &f1, &l1, &err), 0, "with ESN it goes on");
	lease_close(&db);

	/* the same store for replay window tops: only rises, durable once flushed */
	T_EQ(lease_open_named(&db, dir, "replay-tops", "tops", &err), 0, "open replay-tops");
	T_EQ(lease_get(&db, 9), 0, "an SA never seen: 0");
	T_EQ(lease_raise(&db, 9, 2000), 0, "raise");
	T_EQ(lease_raise(&db, 9, 1500), 0, "a lower top");
	T_EQ(lease_get(&db, 9), 2000, "never lowered");
	T_EQ(lease_flush(&db, &err), 0, "flush");
	lease_close(&db);
	T_EQ(lease_open_named(&db, dir, "replay-tops", "tops", &err), 0, "reopen replay-tops");
	T_EQ(lease_get(&db, 9), 2000, "durable across a restart");
	lease_close(&db);
	snprintf(path, sizeof(path), "%s/replay-tops", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/leases", dir);

	f = fopen(path, "w");
	fprintf(f, "garbage\n");
	fclose(f);
	T_EQ(lease_open(&db, dir, &err), -1, "a corrupt file is refused, not guessed");
	lease_close(&db);
	unlink(path);
	rmdir(dir);
	return t_done();
}
