/* SPDX-License-Identifier: Apache-2.0 */
/* wire.c: the SPD and the SAD as the workers get them (gw.v1.Tables of proto/gw.proto): the
 * one place where their wire messages are made.  A generation is built over pointers into the
 * SPD and the SAD, then packed and unpacked into one message of its own (the packed copy,
 * which holds the session keys, is wiped), so it outlives the SAs it was made from: the link
 * keeps it as the generation the workers have, to send again and to diff the next one with.
 * An ipsec-isakmp or dynamic entry carries its negotiated outbound SAs per flow (flow_sas), so
 * a change of them changes the entry and the delta replaces the policies (publish.c).
 * A negotiated SA carries its hard lifetime as a wall-clock deadline and a byte count, which
 * the workers enforce themselves (docs/datad.md, "Hard lifetimes"). */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>

#include "controld/link/worker.h"

/* Everything a message under construction points to, freed at once after packing. */
struct arena {
	void	**p;
	size_t	n, cap;
};

static void *
aalloc(struct arena *a, size_t size)
{
	void *m;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		void **p = realloc(a->p, cap * sizeof(*p));

		if (p == NULL)
			return NULL;
		a->p = p;
		a->cap = cap;
	}
	if ((m = calloc(1, size ? size : 1)) == NULL)
		return NULL;
	a->p[a->n++] = m;
	return m;
}

static void
afree(struct arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->p[i]);
	free(a->p);
}

static Gw__V1__Selector *
sel_msg(struct arena *a, const struct sel *e)
{
	Gw__V1__Selector *s = aalloc(a, sizeof(*s));

	if (s == NULL)
		return NULL;
	gw__v1__selector__init(s);
	s->proto = e->proto;
	s->src = e->src;
	s->src_wild = ~e->src_mask;
	s->dst = e->dst;
	s->dst_wild = ~e->dst_mask;
	s->sport_lo = e->sport_lo;
	s->sport_hi = e->sport_hi;
	s->sport_neq = e->sport_neq;
	s->dport_lo = e->dport_lo;
	s->dport_hi = e->dport_hi;
	s->dport_neq = e->dport_neq;
	s->tos = e->tos;
	s->precedence = e->precedence;
	return s;
}

/* Is sa a negotiated outbound SA on the wire, one a flow of its entry uses? */
static bool
flow_sa(const struct sa *sa)
{
	return sa->origin == SA_IKE && !sa->inbound && sa_published(sa);
}

static bool
entry_of(const struct policy *p, const struct sa *sa)
{
	return p->seq == sa->seq && strcmp(p->map, sa->map) == 0;
}

/* Entries in (map, sequence) order, to find an SA's by binary search. */
static int
entry_cmp(const void *a, const void *b)
{
	const struct policy *x = *(const struct policy *const *)a;
	const struct policy *y = *(const struct policy *const *)b;
	int c = strcmp(x->map, y->map);

	return c != 0 ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The first of e[0..n) (in entry_cmp order) that is not before sa's entry. */
static size_t
entry_first(const struct policy *const *e, size_t n, const struct sa *sa)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(e[mid]->map, sa->map);

		if (c < 0 || (c == 0 && e[mid]->seq < sa->seq))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The partner of sa in its AH+ESP bundle, when that is on the wire too, of the same entry and
 * the other protocol, naming sa back; else NULL (sa stands alone). */
static const struct sa *
flow_partner(const struct sa *sa, const struct sad *d)
{
	const struct sa *o = sa->bundle != 0 ? sad_find(d, sa->bundle) : NULL;

	if (o == NULL || !flow_sa(o) || o->seq != sa->seq || strcmp(o->map, sa->map) != 0 ||
	    o->proto == sa->proto || o->bundle != sa->id)
		return NULL;
	return o;
}

/* One negotiated flow: sa's, with its bundle partner o (may be NULL). */
static Gw__V1__FlowSa *
flow_msg(struct arena *a, const struct sa *sa, const struct sa *o)
{
	Gw__V1__FlowSa *f = aalloc(a, sizeof(*f));

	if (f == NULL)
		return NULL;
	gw__v1__flow_sa__init(f);
	if (sa->proto == IPPROTO_AH)
		f->sa_out_ah = sa->id;
	else
		f->sa_out_esp = sa->id;
	if (o != NULL)
		f->sa_out_ah = o->id;
	if ((f->flow = sel_msg(a, &sa->flow)) == NULL)
		return NULL;
	return f;
}

/* The negotiated flows of the ipsec-isakmp and dynamic entries (policies[i] is spd->v[i]'s):
 * each entry's outbound SAs in SAD order (the order they came: the newest last, which datad
 * prefers), an AH+ESP bundle as one flow where its ESP SA stands (the two come together).
 * Entries that share map and sequence number (those of one dynamic set) each list the SA.
 * Two passes over the SAD (count, fill), each SA's entries found by binary search:
 * O((SPD + SAD) log SPD) per generation. */
static int
flows_msg(struct arena *a, Gw__V1__Policy **policies, const struct spd *spd,
    const struct sad *d)
{
	const struct policy **e = malloc((spd->n + 1) * sizeof(*e));
	size_t *count = calloc(spd->n + 1, sizeof(*count)), n = 0;
	int rc = -1;

	if (e == NULL || count == NULL)
		goto out;
	for (size_t i = 0; i < spd->n; i++)
		if (spd->v[i].kind != POLICY_MANUAL)
			e[n++] = &spd->v[i];
	qsort(e, n, sizeof(*e), entry_cmp);
	for (int pass = 0; pass < 2 && n > 0; pass++) {
		for (size_t j = 0; j < d->n; j++) {
			const struct sa *sa = d->v[j], *o;
			Gw__V1__FlowSa *f = NULL;

			if (!flow_sa(sa))
				continue;
			if ((o = flow_partner(sa, d)) != NULL && sa->proto == IPPROTO_AH)
				continue;		/* in its ESP partner's flow */
			for (size_t k = entry_first(e, n, sa); k < n && entry_of(e[k], sa); k++) {
				Gw__V1__Policy *m = policies[e[k] - spd->v];

				if (pass == 0) {
					count[e[k] - spd->v]++;
					continue;
				}
				if (f == NULL && (f = flow_msg(a, sa, o)) == NULL)
					goto out;
				m->flow_sas[m->n_flow_sas++] = f;
			}
		}
		for (size_t i = 0; pass == 0 && i < spd->n; i++)
			if (count[i] != 0 && (policies[i]->flow_sas =
			    aalloc(a, count[i] * sizeof(*policies[i]->flow_sas))) == NULL)
				goto out;
	}
	rc = 0;
out:
	free(e);
	free(count);
	return rc;
}

static Gw__V1__Policy *
policy_msg(struct arena *a, const struct policy *p)
{
	static const Gw__V1__EntryKind kind[] = {
		[POLICY_MANUAL] = GW__V1__ENTRY_KIND__KIND_MANUAL,
		[POLICY_ISAKMP] = GW__V1__ENTRY_KIND__KIND_ISAKMP,
		[POLICY_DYNAMIC] = GW__V1__ENTRY_KIND__KIND_DYNAMIC,
	};
	Gw__V1__Policy *m = aalloc(a, sizeof(*m));

	if (m == NULL)
		return NULL;
	gw__v1__policy__init(m);
	if ((m->aces = aalloc(a, (p->n_aces + 1) * sizeof(*m->aces))) == NULL)
		return NULL;
	m->map = (char *)p->map;
	m->seq = p->seq;
	m->kind = kind[p->kind];
	m->peer = p->peer;
	m->local = p->local;
	m->interface = (char *)p->interface;
	m->no_acl = p->no_acl;
	m->sa_out_esp = p->sa_out_esp;
	m->sa_out_ah = p->sa_out_ah;
	for (size_t i = 0; i < p->n_aces; i++) {
		Gw__V1__Ace *x = aalloc(a, sizeof(*x));

		if (x == NULL)
			return NULL;
		gw__v1__ace__init(x);
		x->action = p->aces[i].permit ? GW__V1__ACTION__ACTION_PERMIT :
		    GW__V1__ACTION__ACTION_DENY;
		x->line = p->aces[i].line;
		if ((x->sel = sel_msg(a, &p->aces[i].sel)) == NULL)
			return NULL;
		m->aces[m->n_aces++] = x;
	}
	return m;
}

/* The wall clock steps (settimeofday, an NTP step) by more than this before the offset
 * follows it; a slew moves both clocks alike. */
enum { WALL_STEP_MS = 1000 };

int64_t
wire_wall_offset(void)
{
	static int64_t off;
	static bool known;
	struct timespec rt, mt;
	int64_t now;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	now = ((int64_t)rt.tv_sec - (int64_t)mt.tv_sec) * 1000 +
	    ((int64_t)rt.tv_nsec - (int64_t)mt.tv_nsec) / 1000000;
	if (!known || now - off > WALL_STEP_MS || off - now > WALL_STEP_MS) {
		off = now;
		known = true;
	}
	return off;
}

/* The hard lifetime of a negotiated SA as the workers enforce it: the instant it ends (the
 * SAD's added_ms, CLOCK_MONOTONIC, on the wall clock by wall_off) and its bytes.  Manual SAs
 * and unlimited ones: 0, none. */
static void
hard_life(const struct sa *sa, int64_t wall_off, uint64_t *expire_unix_ms, uint64_t *bytes)
{
	*expire_unix_ms = *bytes = 0;
	if (sa->origin != SA_IKE)
		return;
	if (sa->hard.seconds != 0 && sa->hard.seconds < UINT64_MAX / 2000)
		*expire_unix_ms = (uint64_t)((int64_t)sa->added_ms + wall_off) +
		    sa->hard.seconds * 1000;
	if (sa->hard.kilobytes != 0)
		*bytes = sa->hard.kilobytes < UINT64_MAX / 1024 ? sa->hard.kilobytes * 1024 :
		    UINT64_MAX;
}

static Gw__V1__Sa *
sa_msg(struct arena *a, const struct sa *sa, int64_t wall_off)
{
	Gw__V1__Sa *m = aalloc(a, sizeof(*m));

	if (m == NULL)
		return NULL;
	gw__v1__sa__init(m);
	m->id = sa->id;
	m->inbound = sa->inbound;
	m->proto = sa->proto;
	m->spi = sa->spi;
	m->local = sa->local;
	m->peer = sa->peer;
	m->cipher = (Gw__V1__Cipher)sa->cipher;		/* the same numbers (xform.h) */
	m->cipher_key.data = (uint8_t *)sa->cipher_key.b;
	m->cipher_key.len = sa->cipher_key.len;
	m->auth = (Gw__V1__Auth)sa->auth;
	m->auth_key.data = (uint8_t *)sa->auth_key.b;
	m->auth_key.len = sa->auth_key.len;
	m->mode = sa->mode == SA_TRANSPORT ? GW__V1__MODE__MODE_TRANSPORT :
	    GW__V1__MODE__MODE_TUNNEL;
	m->replay_window = sa->replay_window;
	m->esn = sa->esn;
	m->map = (char *)sa->map;
	m->seq = sa->seq;
	m->owner = (char *)sa->owner;
	m->iv_size = sa->iv_size;
	m->transform_set = (char *)sa->transform_set;
	m->replay_floor = sa->replay_floor;
	m->udp_encap_port = sa->udp_encap_port;
	m->bundle = sa->bundle;
	hard_life(sa, wall_off, &m->hard_expire_unix_ms, &m->hard_bytes);
	if ((m->flow = sel_msg(a, &sa->flow)) == NULL)
		return NULL;
	return m;
}

static Gw__V1__Tables *
pack_copy(const Gw__V1__Tables *t)
{
	size_t len = gw__v1__tables__get_packed_size(t);
	uint8_t *buf = malloc(len ? len : 1);
	Gw__V1__Tables *out;

	if (buf == NULL)
		return NULL;
	gw__v1__tables__pack(t, buf);
	out = gw__v1__tables__unpack(NULL, len, buf);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return out;
}

Gw__V1__Tables *
wire_tables(const struct spd *spd, const struct sad *d, uint64_t gen)
{
	Gw__V1__Tables t = GW__V1__TABLES__INIT, *out = NULL;
	struct arena a = { NULL, 0, 0 };
	size_t n_pol = spd != NULL ? spd->n : 0;
	int64_t wall_off = wire_wall_offset();

	t.generation = gen;
	if ((t.policies = aalloc(&a, (n_pol + 1) * sizeof(*t.policies))) == NULL ||
	    (t.sas = aalloc(&a, (d->n + 1) * sizeof(*t.sas))) == NULL)
		goto out;
	for (size_t i = 0; i < n_pol; i++)
		if ((t.policies[t.n_policies++] = policy_msg(&a, &spd->v[i])) == NULL)
			goto out;
	if (n_pol > 0 && flows_msg(&a, t.policies, spd, d) != 0)
		goto out;
	for (size_t i = 0; i < d->n; i++)
		if (sa_in_tables(d->v[i]) && (t.sas[t.n_sas++] = sa_msg(&a, d->v[i], wall_off)) ==
		    NULL)
			goto out;
	out = pack_copy(&t);
out:
	afree(&a);
	return out;
}
