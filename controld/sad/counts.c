/* SPDX-License-Identifier: Apache-2.0 */
/* counts.c: what the workers count of each SA.  Each worker reports absolute counts since its
 * boot; the SA keeps the latest of each worker (by slot, sorted), the sums of the workers that
 * restarted or left (retired), and the sums at its last "clear crypto sa" (base), which show
 * subtracts.  A count lives and dies with its SA: what a worker keeps is bounded by the SAD,
 * whatever it sends.  Sequence numbers are never reset (invariant 1): clear leaves seq_top. */
#include <stdlib.h>
#include <string.h>

#include "controld/sad/sad.h"

/* Where slot's counts are in sa->counts, or would be. */
static size_t
count_at(const struct sa *sa, unsigned slot)
{
	size_t lo = 0, hi = sa->n_counts;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (sa->counts[mid].slot < slot)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct sa_stat *
sa_count(struct sa *sa, unsigned slot, bool add)
{
	size_t lo = count_at(sa, slot);
	struct sa_count *c;

	if (lo < sa->n_counts && sa->counts[lo].slot == slot)
		return &sa->counts[lo].st;
	if (!add || (c = realloc(sa->counts, (sa->n_counts + 1) * sizeof(*c))) == NULL)
		return NULL;
	sa->counts = c;
	memmove(&c[lo + 1], &c[lo], (sa->n_counts - lo) * sizeof(*c));
	memset(&c[lo], 0, sizeof(*c));
	c[lo].slot = slot;
	sa->n_counts++;
	return &c[lo].st;
}

void
sad_retire(struct sad *d, unsigned slot)
{
	for (size_t i = 0; i < d->n; i++) {
		struct sa *sa = d->v[i];
		size_t at = count_at(sa, slot);
		struct sa_stat *s, *r = &sa->retired;

		if (at == sa->n_counts || sa->counts[at].slot != slot)
			continue;
		s = &sa->counts[at].st;
		r->pkts += s->pkts;
		r->bytes += s->bytes;
		if (s->seq_top > r->seq_top)
			r->seq_top = s->seq_top;
		for (int k = 0; k < DROP_MAX; k++)
			r->drops[k] += s->drops[k];
		memmove(&sa->counts[at], &sa->counts[at + 1],
		    (sa->n_counts - at - 1) * sizeof(*sa->counts));
		sa->n_counts--;
	}
}

void
sa_sum(const struct sa *sa, uint64_t live, struct sa_stat *out)
{
	*out = sa->retired;
	for (size_t i = 0; i < sa->n_counts; i++) {
		const struct sa_stat *s = &sa->counts[i].st;
		unsigned slot = sa->counts[i].slot;

		out->pkts += s->pkts;
		out->bytes += s->bytes;
		if (s->seq_top > out->seq_top)
			out->seq_top = s->seq_top;
		/* the lowest any live worker holds its packets to */
		if (slot < SAD_SLOTS_MAX && (live >> slot & 1) && s->path_mtu != 0 &&
		    (out->path_mtu == 0 || s->path_mtu < out->path_mtu)) {
			out->path_mtu = s->path_mtu;
			out->media_mtu = s->media_mtu;
		}
		for (int k = 0; k < DROP_MAX; k++)
			out->drops[k] += s->drops[k];
	}
}

void
sa_shown(const struct sa *sa, uint64_t live, struct sa_stat *out)
{
	const struct sa_stat *b = &sa->base;

	sa_sum(sa, live, out);
	/* clamped: counts restart below the baseline only if controld lost them */
	out->pkts = out->pkts > b->pkts ? out->pkts - b->pkts : 0;
	out->bytes = out->bytes > b->bytes ? out->bytes - b->bytes : 0;
	for (int k = 0; k < DROP_MAX; k++)
		out->drops[k] = out->drops[k] > b->drops[k] ? out->drops[k] - b->drops[k] : 0;
}

void
sa_clear(struct sa *sa, uint64_t live)
{
	sa_sum(sa, live, &sa->base);
}

size_t
sad_slot_counts(const struct sad *d, unsigned slot, uint64_t *out, uint64_t *in)
{
	size_t n = 0;

	if (out != NULL)
		*out = 0;
	if (in != NULL)
		*in = 0;
	for (size_t i = 0; i < d->n; i++) {
		struct sa_stat *s = sa_count(d->v[i], slot, false);
		uint64_t *p = d->v[i]->inbound ? in : out;

		if (s == NULL)
			continue;
		n++;
		if (p != NULL)
			*p += s->pkts;
	}
	return n;
}
