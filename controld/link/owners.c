/* SPDX-License-Identifier: Apache-2.0 */
/* owners.c: the one owner of each inbound SA (docs/design.md invariant 2: an inbound SA is
 * processed by exactly one worker at a time, its replay window lives there).  An SA that moves, or
 * whose owner restarted with empty windows, starts its window at the replay floor kept for its key
 * (docs/adr/0009), so no packet an earlier owner accepted is accepted again.  A live owner keeps
 * its SA against a worker of another CURVE key.  Owners and floors are kept with the SA in the SAD:
 * an SA a reload keeps (the same id) keeps both, so it moves, and its floor rises, only when its
 * owner really changes. */
#include <string.h>

#include "controld/link/worker.h"

/* Invariant 2 across workers: an inbound SA that starts over on a worker (a new owner, or its
 * owner restarted) must not accept again what an earlier owner accepted, so its window starts
 * at the floor kept for its key: the highest top its owners reported plus a margin for what an
 * owner may have accepted after its last report (note_top).  True if the floor rose. */
static bool
raise_floor(const struct controld *cd, struct sa *sa)
{
	uint64_t floor;

	if (sa->replay_window == 0)
		return false;		/* no window to start anywhere */
	floor = lease_get(&cd->link.floors, sa->key_id);
	if (floor <= sa->replay_floor)
		return false;
	sa->replay_floor = floor;
	return true;
}

/* May w own sa: a live worker with the SA's local address (for an SA in UDP 4500 one that
 * holds the port, RFC 3948, when there is such a worker)?  Ranked: 2 best, 1 any local, 0
 * not local. */
static int
rank(const struct worker_rec *w, const struct sa *sa, bool udp_holder_exists)
{
	bool local = false;

	for (size_t a = 0; a < w->n_addrs && !local; a++)
		local = w->addrs[a] == sa->local;
	if (!local)
		return 0;
	if (sa->udp_encap_port != 0 && udp_holder_exists)
		return w->udp_encap ? 2 : 1;
	return 2;
}

/* The one owner of each inbound SA: the first of the best by id, a live worker on a host with
 * the SA's local address, for an SA in UDP 4500 (RFC 3948) the one that holds the port; else
 * the first live worker.  But a live owner that is still among the best keeps its SA against
 * a worker of another CURVE key: a key cannot take another's SAs by choosing an id that sorts
 * first (docs/threat-model.md); workers of one key (one host, or ipc://) share them by id.
 * The SAs that move, and those of restarted (a worker that came back with empty windows; may
 * be NULL), get a new replay floor.  True if anything changed. */
bool
owners_assign(struct controld *cd, const char *restarted)
{
	bool changed = false;

	for (size_t i = 0; i < cd->sad.n; i++) {
		struct sa *sa = cd->sad.v[i];
		const char *best = "", *any = "", *best_key = "", *cur_key = "";
		bool udp = false;
		int top = 0, cur = -1;

		if (!sa->inbound || !sa_published(sa))
			continue;
		for (int k = 0; k < WORKERS_MAX && sa->udp_encap_port != 0; k++)
			udp |= cd->link.w[k].live && cd->link.w[k].udp_encap &&
			    rank(&cd->link.w[k], sa, false);
		for (int k = 0; k < WORKERS_MAX; k++) {
			const struct worker_rec *w = &cd->link.w[k];
			int r;

			if (!w->live)
				continue;
			r = rank(w, sa, udp);
			if (strcmp(w->id, sa->owner) == 0) {
				cur = r;
				cur_key = w->key;
			}
			if (r > top || (r == top && r > 0 && strcmp(w->id, best) < 0)) {
				top = r;
				best = w->id;
				best_key = w->key;
			}
			if (any[0] == '\0' || strcmp(w->id, any) < 0)
				any = w->id;
		}
		if (top == 0)
			best = any;
		if (sa->owner[0] != '\0' && cur >= 0 && cur == top &&
		    strcmp(cur_key, best_key) != 0)
			best = sa->owner;	/* not to another key */
		if (strcmp(sa->owner, best) != 0) {
			snprintf(sa->owner, sizeof(sa->owner), "%s", best);
			raise_floor(cd, sa);
			changed = true;
		} else if (restarted != NULL && strcmp(best, restarted) == 0) {
			changed |= raise_floor(cd, sa);
		}
	}
	return changed;
}

/* Owners changed because workers came or went, or restarted (its id, else NULL): the same
 * SAs, a new generation. */
void
owners_reassign(struct controld *cd, const char *restarted)
{
	if (cd->link.sent == NULL)
		return;			/* nothing published yet */
	if (owners_assign(cd, restarted))
		publish_tables(cd);
}
