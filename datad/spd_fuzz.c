/* SPDX-License-Identifier: Apache-2.0 */
/* spd_fuzz: libFuzzer target for the crypto map lookup (spd.c).  The input's bytes choose a
 * crypto map (spd_case.h: entries of every kind, permits and denies, prefixes and wildcards
 * that are not, protocols, port operators, TOS) and then packets until they run out; each
 * packet is looked up twice (the second time from the flow cache), by the classifier alone
 * and through a one-slot cache (which each packet finds holding the one before), and must get what the plain walk gives: the same entry and ACE, or none.  Beyond not
 * crashing, a difference aborts. */
#include <stdio.h>
#include <stdlib.h>

#include "datad/spd.h"
#include "datad/spd_case.h"
#include "datad/tables.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(struct gen *g, struct spd *tiny, const struct flow *f)
{
	uint32_t a_walk = 0, a_fast = 0, a_again = 0, a_class = 0, a_tiny = 0;
	struct policy *walk = spd_walk(g, f, &a_walk);
	struct policy *fast = spd_lookup(g->spd, g, f, &a_fast);
	struct policy *again = spd_lookup(g->spd, g, f, &a_again);
	struct policy *cls = spd_classify(g->spd, g, f, &a_class);
	struct policy *one = spd_lookup(tiny, g, f, &a_tiny);

	if (walk != fast || walk != again || walk != cls || walk != one)
		abort();
	if (walk != NULL && (a_walk != a_fast || a_walk != a_again || a_walk != a_class ||
	    a_walk != a_tiny))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spd_case c;
	struct spd_rand r = { .d = data, .n = size };
	struct gw_err err = { 0, "" };
	struct gen *g;
	struct spd *tiny;
	struct flow f;

	if ((g = tables_build(spd_case_tables(&c, &r, 1, 16), "w1", NULL, &err)) == NULL) {
		fprintf(stderr, "spd_fuzz: %s\n", err.msg);
		abort();			/* every case is a valid generation */
	}
	if ((tiny = spd_build(g, 1, &err)) == NULL)
		abort();
	for (unsigned i = 0; i < 512 && r.n > 0; i++) {
		spd_case_flow(&f, &r);
		check(g, tiny, &f);
	}
	spd_free(tiny);
	tables_free(g);
	return 0;
}
