/* SPDX-License-Identifier: Apache-2.0 */
/* spd.h: the crypto map lookup of one table generation at a cost that does not grow with the
 * configuration (docs/adr/0012-spd-classifier-flow-cache.md): a flow cache keyed by what
 * selectors read of a packet, in front of a classifier built once per generation (tuple space:
 * the (policy, ACE) pairs hashed by their source and destination prefixes).  Both give exactly
 * what the plain walk spd_walk() gives: the first entry in map order whose list permits the
 * flow, a deny ending only its own entry (docs/design.md invariant 5).
 *
 * Ownership: a struct spd belongs to its generation (tables_build makes it, tables_free frees
 * it) and so to one worker (invariant 6): spd_lookup writes its cache without a lock.  What it
 * reads of the generation (policies, their ACEs and negotiated flows) does not change while
 * the generation lives, so a cached answer stays right until the generation goes. */
#ifndef GW_SPD_H
#define GW_SPD_H

#include <stdint.h>

#include "common/err.h"
#include "common/sel.h"

struct gen;
struct policy;
struct spd;

enum {
	SPD_CACHE	= 4096,		/* flow cache slots (a power of two), per generation */
};

/* The classifier and an empty flow cache of slots (a power of two; 0: SPD_CACHE) for g's
 * policies (borrowed: g outlives it).  NULL with err when out of memory. */
struct spd	*spd_build(const struct gen *g, uint32_t slots, struct gw_err *err);
void		spd_free(struct spd *s);

/* The entry of g (whose spd is s) that protects f, and in *ace the index of the permit that
 * matched (0 for an entry without a list, matched by its negotiated flows); NULL when no entry
 * does.  No allocation; the flow cache first, the classifier on a miss. */
struct policy	*spd_lookup(struct spd *s, const struct gen *g, const struct flow *f,
		    uint32_t *ace);
/* The same without the cache: the classifier alone (for the tests). */
struct policy	*spd_classify(struct spd *s, const struct gen *g, const struct flow *f,
		    uint32_t *ace);
/* The same by walking every entry and every ACE in order: the reference the others are held
 * to (datad/spd_test.c, datad/spd_fuzz.c). */
struct policy	*spd_walk(const struct gen *g, const struct flow *f, uint32_t *ace);

/* Flow cache counters since s was built. */
struct spd_stats {
	uint64_t	hits, misses;
	uint32_t	n_rules, n_tuples, n_groups;	/* the classifier's shape */
};
void		spd_stats(const struct spd *s, struct spd_stats *st);

#endif
