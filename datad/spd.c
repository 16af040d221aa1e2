/* SPDX-License-Identifier: Apache-2.0 */
/* spd.c: the crypto map lookup, by flow cache and tuple-space classifier, held to the plain walk
 * (docs/design.md invariant 5: entries in map order, ACEs in order, a deny ends its entry).
 *
 * The classifier (Srinivasan, Suri, Varghese, "Packet Classification using Tuple Space
 * Search", SIGCOMM 1999; Open vSwitch's classifier is one): every (entry, ACE) pair is a rule,
 * numbered in the walk's order.  A rule's tuple is the pair (length of the leading run of ones
 * of its destination mask, the same of its source mask); within a tuple, rules are grouped by
 * the addresses under those prefixes, in one hash.  A packet looks up each tuple present (a
 * handful in real configurations, at most 33 x 33 whatever the number of entries) and gets the
 * few groups whose prefixes it falls in: lists of rule numbers in order, merged by number,
 * each rule checked in full by sel_match().  An IOS wildcard that is not a prefix
 * (0.0.255.0) hashes on its leading prefix only (a subset of its mask's bits, so no match is
 * lost) and the rest is sel_match's: the worst case, masks with no leading ones, is one group
 * walked in order, as before.  Ports, protocol and TOS are left to sel_match: the groups are
 * already a few rules.
 *
 * The flow cache: SPD_CACHE slots (96 KB), direct-mapped, made with the generation, keyed by everything sel_match reads of a
 * packet (addresses, protocol, ports and whether it has them, the TOS bits some selector of
 * the generation reads), holding the answer, a "no entry" too.  It lives and dies with its
 * generation, so it needs no invalidation: what the answer depends on, the policies, their
 * ACEs and their negotiated flows (an entry without a list matches by them), is all in the
 * generation and never changes inside one.  What does change inside a generation (the
 * sequence leases that out_flow_ready() reads to choose among a flow's SAs) is read after
 * the lookup, per packet, and not cached. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "datad/spd.h"
#include "datad/tables.h"

enum {
	SPD_NONE	= UINT32_MAX,	/* no rule, no entry */
	SPD_LENS	= 33,		/* prefix lengths 0..32 */
};

struct spd_rule {
	struct sel	sel;
	uint32_t	pol, ace;
	uint32_t	next;		/* the first rule of the entries after this one's */
	bool		permit;
};

struct spd_tuple {
	uint32_t	dst_mask, src_mask;
};

struct spd_group {
	uint32_t	dst, src;	/* under the tuple's masks */
	uint32_t	tuple;
	uint32_t	first, n;	/* its rules: idx[first .. first + n), in order */
};

struct spd_cursor {
	const uint32_t	*r;
	uint32_t	n, pos;
	uint32_t	m;		/* the rule it matched last, SPD_NONE: none left */
};

struct spd_slot {
	uint32_t	src, dst;
	uint16_t	sport, dport;
	uint8_t		proto, tos;
	uint8_t		state;		/* 0: empty; 1 + has_ports */
	uint32_t	pol;		/* index into gen->pol, SPD_NONE: no entry */
	uint32_t	ace;
};

struct spd {
	struct spd_rule		*rules;
	uint32_t		n_rules;
	struct spd_tuple	*tuples;
	uint32_t		n_tuples;
	struct spd_group	*groups;
	uint32_t		n_groups;
	uint32_t		*idx;		/* rule numbers, grouped */
	uint32_t		*hash;		/* group number + 1; 0: empty */
	uint32_t		hash_mask;
	struct spd_cursor	*cur;		/* n_tuples: a lookup's scratch */
	uint8_t			tos_mask;	/* TOS bits some selector reads */
	uint64_t		hits, misses;
	struct spd_slot		*cache;
	uint32_t		cache_mask;
};

static struct policy *
hit(const struct gen *g, uint32_t pol, uint32_t ace, uint32_t *acep)
{
	if (pol == SPD_NONE)
		return NULL;
	*acep = ace;
	return &g->pol[pol];
}

struct policy *
spd_walk(const struct gen *g, const struct flow *f, uint32_t *ace)
{
	for (uint32_t i = 0; i < g->n_pol; i++) {
		const struct policy *p = &g->pol[i];

		if (p->no_acl) {
			for (uint32_t j = 0; j < p->n_flows; j++)
				if (sel_match(&p->flows[j].flow, f))
					return hit(g, i, 0, ace);
			continue;
		}
		for (uint32_t j = 0; j < p->n_aces; j++) {
			if (!sel_match(&p->aces[j].sel, f))
				continue;
			if (p->aces[j].permit)
				return hit(g, i, j, ace);
			break;				/* a deny ends the entry */
		}
	}
	return NULL;
}

static unsigned
lead_ones(uint32_t mask)
{
	unsigned n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return n;
}

static uint32_t
prefix_mask(unsigned len)
{
	return len == 0 ? 0 : 0xffffffffu << (32 - len);
}

static uint32_t
group_hash(uint32_t dst, uint32_t src, uint32_t tuple, uint32_t mask)
{
	uint32_t h = dst * 0x9e3779b1u ^ src * 0x85ebca77u ^ tuple * 0xc2b2ae3du;

	return (h ^ h >> 15) & mask;
}

static const struct spd_group *
group_find(const struct spd *s, uint32_t dst, uint32_t src, uint32_t tuple)
{
	for (uint32_t h = group_hash(dst, src, tuple, s->hash_mask);; h = (h + 1) & s->hash_mask) {
		const struct spd_group *gr;

		if (s->hash[h] == 0)
			return NULL;
		gr = &s->groups[s->hash[h] - 1];
		if (gr->dst == dst && gr->src == src && gr->tuple == tuple)
			return gr;
	}
}

/* The group of (dst, src, tuple), made if new; its number. */
static uint32_t
group_add(struct spd *s, uint32_t dst, uint32_t src, uint32_t tuple)
{
	uint32_t h = group_hash(dst, src, tuple, s->hash_mask);
	struct spd_group *gr;

	for (; s->hash[h] != 0; h = (h + 1) & s->hash_mask) {
		gr = &s->groups[s->hash[h] - 1];
		if (gr->dst == dst && gr->src == src && gr->tuple == tuple)
			return s->hash[h] - 1;
	}
	gr = &s->groups[s->n_groups++];
	*gr = (struct spd_group){ .dst = dst, .src = src, .tuple = tuple };
	s->hash[h] = s->n_groups;
	return s->n_groups - 1;
}

static void
rule_add(struct spd *s, const struct sel *sel, uint32_t pol, uint32_t ace, bool permit)
{
	struct spd_rule *r = &s->rules[s->n_rules++];

	r->sel = *sel;
	r->pol = pol;
	r->ace = ace;
	r->permit = permit;
	if (sel->tos >= 0)
		s->tos_mask |= 0x1e;		/* sel.c: (tos >> 1) & 0x0f */
	if (sel->precedence >= 0)
		s->tos_mask |= 0xe0;		/* tos >> 5 */
}

/* The rules in the walk's order: an entry's ACEs, or the negotiated flows of an entry without
 * a list (permits all: any of them matching is the entry matching). */
static int
build_rules(struct spd *s, const struct gen *g)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < g->n_pol; i++)
		n += g->pol[i].no_acl ? g->pol[i].n_flows : g->pol[i].n_aces;
	if ((s->rules = calloc(n ? n : 1, sizeof(*s->rules))) == NULL)
		return -1;
	for (uint32_t i = 0; i < g->n_pol; i++) {
		const struct policy *p = &g->pol[i];
		uint32_t first = s->n_rules;

		if (p->no_acl)
			for (uint32_t j = 0; j < p->n_flows; j++)
				rule_add(s, &p->flows[j].flow, i, 0, true);
		else
			for (uint32_t j = 0; j < p->n_aces; j++)
				rule_add(s, &p->aces[j].sel, i, j, p->aces[j].permit);
		for (uint32_t j = first; j < s->n_rules; j++)
			s->rules[j].next = s->n_rules;
	}
	return 0;
}

/* Tuples, then groups, then each group's rule numbers in order (counted, then placed). */
static int
build_groups(struct spd *s)
{
	uint16_t tuple_of[SPD_LENS * SPD_LENS];
	uint32_t *gid, n_hash = 16, *fill;

	memset(tuple_of, 0xff, sizeof(tuple_of));
	while (n_hash < 2 * s->n_rules)
		n_hash *= 2;
	s->tuples = calloc(SPD_LENS * SPD_LENS, sizeof(*s->tuples));
	s->groups = calloc(s->n_rules ? s->n_rules : 1, sizeof(*s->groups));
	s->idx = calloc(s->n_rules ? s->n_rules : 1, sizeof(*s->idx));
	s->hash = calloc(n_hash, sizeof(*s->hash));
	gid = calloc(s->n_rules ? s->n_rules : 1, sizeof(*gid));
	if (s->tuples == NULL || s->groups == NULL || s->idx == NULL || s->hash == NULL ||
	    gid == NULL) {
		free(gid);
		return -1;
	}
	s->hash_mask = n_hash - 1;
	for (uint32_t r = 0; r < s->n_rules; r++) {
		const struct sel *sel = &s->rules[r].sel;
		unsigned dl = lead_ones(sel->dst_mask), sl = lead_ones(sel->src_mask);
		uint16_t *t = &tuple_of[dl * SPD_LENS + sl];

		if (*t == 0xffff) {
			*t = (uint16_t)s->n_tuples;
			s->tuples[s->n_tuples++] = (struct spd_tuple){ prefix_mask(dl),
			    prefix_mask(sl) };
		}
		gid[r] = group_add(s, sel->dst & s->tuples[*t].dst_mask,
		    sel->src & s->tuples[*t].src_mask, *t);
		s->groups[gid[r]].n++;
	}
	for (uint32_t i = 1; i < s->n_groups; i++)
		s->groups[i].first = s->groups[i - 1].first + s->groups[i - 1].n;
	fill = calloc(s->n_groups ? s->n_groups : 1, sizeof(*fill));
	if (fill == NULL) {
		free(gid);
		return -1;
	}
	for (uint32_t r = 0; r < s->n_rules; r++)
		s->idx[s->groups[gid[r]].first + fill[gid[r]]++] = r;
	free(fill);
	free(gid);
	return 0;
}

struct spd *
spd_build(const struct gen *g, uint32_t slots, struct gw_err *err)
{
	struct spd *s;

	if (slots == 0 || (slots & (slots - 1)) != 0)
		slots = SPD_CACHE;
	if ((s = calloc(1, sizeof(*s))) == NULL || build_rules(s, g) != 0 ||
	    build_groups(s) != 0 ||
	    (s->cur = calloc(s->n_tuples ? s->n_tuples : 1, sizeof(*s->cur))) == NULL ||
	    (s->cache = calloc(slots, sizeof(*s->cache))) == NULL) {
		spd_free(s);
		gw_fail(err, 0, "out of memory");
		return NULL;
	}
	s->cache_mask = slots - 1;
	return s;
}

void
spd_free(struct spd *s)
{
	if (s == NULL)
		return;
	free(s->rules);
	free(s->tuples);
	free(s->groups);
	free(s->idx);
	free(s->hash);
	free(s->cur);
	free(s->cache);
	free(s);
}

/* The next rule of c numbered floor or more that matches f, or SPD_NONE. */
static uint32_t
cursor_next(struct spd_cursor *c, const struct spd_rule *rules, uint32_t floor,
    const struct flow *f)
{
	while (c->pos < c->n) {
		uint32_t r = c->r[c->pos++];

		if (r >= floor && sel_match(&rules[r].sel, f))
			return r;
	}
	return SPD_NONE;
}

/* The walk's answer as a rule number, or SPD_NONE: the lowest-numbered matching rule among the
 * groups f falls in; a deny moves the floor past its entry's rules and the search goes on. */
static uint32_t
classify(struct spd *s, const struct flow *f)
{
	uint32_t n = 0, floor = 0;

	for (uint32_t t = 0; t < s->n_tuples; t++) {
		const struct spd_tuple *tp = &s->tuples[t];
		const struct spd_group *gr = group_find(s, f->dst & tp->dst_mask,
		    f->src & tp->src_mask, t);

		if (gr != NULL)
			s->cur[n++] = (struct spd_cursor){ .r = s->idx + gr->first, .n = gr->n };
	}
	for (uint32_t i = 0; i < n; i++)
		s->cur[i].m = cursor_next(&s->cur[i], s->rules, 0, f);
	for (;;) {
		uint32_t best = SPD_NONE;

		for (uint32_t i = 0; i < n; i++)
			if (s->cur[i].m < best)
				best = s->cur[i].m;
		if (best == SPD_NONE || s->rules[best].permit)
			return best;
		floor = s->rules[best].next;
		for (uint32_t i = 0; i < n; i++)
			if (s->cur[i].m < floor)
				s->cur[i].m = cursor_next(&s->cur[i], s->rules, floor, f);
	}
}

struct policy *
spd_classify(struct spd *s, const struct gen *g, const struct flow *f, uint32_t *ace)
{
	uint32_t r = classify(s, f);

	return r == SPD_NONE ? NULL : hit(g, s->rules[r].pol, s->rules[r].ace, ace);
}

static uint32_t
slot_of(uint32_t src, uint32_t dst, uint32_t ports, uint8_t proto, uint32_t mask)
{
	uint32_t h = src * 0x9e3779b1u ^ dst * 0x85ebca77u ^ ports * 0xc2b2ae3du ^ proto;

	h ^= h >> 16;
	h *= 0x7feb352du;
	h ^= h >> 15;
	return h & mask;
}

struct policy *
spd_lookup(struct spd *s, const struct gen *g, const struct flow *f, uint32_t *ace)
{
	uint8_t tos = f->tos & s->tos_mask, state = (uint8_t)(1 + f->has_ports);
	struct spd_slot *c = &s->cache[slot_of(f->src, f->dst,
	    (uint32_t)f->sport << 16 | f->dport, f->proto, s->cache_mask)];
	uint32_t r;

	if (c->state == state && c->src == f->src && c->dst == f->dst &&
	    c->sport == f->sport && c->dport == f->dport && c->proto == f->proto &&
	    c->tos == tos) {
		s->hits++;
		return hit(g, c->pol, c->ace, ace);
	}
	s->misses++;
	r = classify(s, f);
	*c = (struct spd_slot){
		.src = f->src, .dst = f->dst, .sport = f->sport, .dport = f->dport,
		.proto = f->proto, .tos = tos, .state = state,
		.pol = r == SPD_NONE ? SPD_NONE : s->rules[r].pol,
		.ace = r == SPD_NONE ? 0 : s->rules[r].ace,
	};
	return hit(g, c->pol, c->ace, ace);
}

void
spd_stats(const struct spd *s, struct spd_stats *st)
{
	st->hits = s->hits;
	st->misses = s->misses;
	st->n_rules = s->n_rules;
	st->n_tuples = s->n_tuples;
	st->n_groups = s->n_groups;
}
