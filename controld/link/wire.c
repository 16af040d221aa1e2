/* SPDX-License-Identifier: Apache-2.0 */
/* wire.c: the SPD and the SAD as the workers get them (gw.v1.Tables of proto/gw.proto): the
 * one place where their wire messages are made.  A generation is built over pointers into the
 * SPD and the SAD, then packed and unpacked into one message of its own (the packed copy,
 * which holds the session keys, is wiped), so it outlives the SAs it was made from: the link
 * keeps it as the generation the workers have, to send again and to diff the next one with.
 * An ipsec-isakmp or dynamic entry carries its negotiated outbound SAs per flow (flow_sas), so
 * a change of them changes the entry and the delta replaces the policies (publish.c). */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

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

/* Is sa an outbound negotiated SA of entry p on the wire? */
static bool
flow_sa_of(const struct sa *sa, const struct policy *p)
{
	return sa->origin == SA_IKE && !sa->inbound && sa_published(sa) && sa->seq == p->seq &&
	    strcmp(sa->map, p->map) == 0;
}

/* The partner of sa in its AH+ESP bundle, when that is an SA of entry p on the wire too, of
 * the other protocol, naming sa back; else NULL (sa stands alone). */
static const struct sa *
flow_partner(const struct sa *sa, const struct policy *p, const struct sad *d)
{
	const struct sa *o = sa->bundle != 0 ? sad_find(d, sa->bundle) : NULL;

	if (o == NULL || !flow_sa_of(o, p) || o->proto == sa->proto || o->bundle != sa->id)
		return NULL;
	return o;
}

/* The negotiated flows of an ipsec-isakmp or dynamic entry p: its outbound SAs in SAD order
 * (the order they came: the newest last, which datad prefers).  An AH+ESP bundle is one
 * entry, where its ESP SA stands (the two come together).  O(SAD) per entry, so O(SPD x SAD)
 * per generation. */
static int
flow_sas(struct arena *a, Gw__V1__Policy *m, const struct policy *p, const struct sad *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += flow_sa_of(d->v[i], p);
	if (n == 0)
		return 0;
	if ((m->flow_sas = aalloc(a, n * sizeof(*m->flow_sas))) == NULL)
		return -1;
	for (size_t i = 0; i < d->n; i++) {
		const struct sa *sa = d->v[i], *o;
		Gw__V1__FlowSa *f;

		if (!flow_sa_of(sa, p))
			continue;
		o = flow_partner(sa, p, d);
		if (o != NULL && sa->proto == IPPROTO_AH)
			continue;		/* in its ESP partner's entry */
		if ((f = aalloc(a, sizeof(*f))) == NULL)
			return -1;
		gw__v1__flow_sa__init(f);
		if (sa->proto == IPPROTO_AH)
			f->sa_out_ah = sa->id;
		else
			f->sa_out_esp = sa->id;
		if (o != NULL)
			f->sa_out_ah = o->id;
		if ((f->flow = sel_msg(a, &sa->flow)) == NULL)
			return -1;
		m->flow_sas[m->n_flow_sas++] = f;
	}
	return 0;
}

static Gw__V1__Policy *
policy_msg(struct arena *a, const struct policy *p, const struct sad *d)
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
	if (p->kind != POLICY_MANUAL && flow_sas(a, m, p, d) != 0)
		return NULL;
	return m;
}

static Gw__V1__Sa *
sa_msg(struct arena *a, const struct sa *sa)
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

	t.generation = gen;
	if ((t.policies = aalloc(&a, (n_pol + 1) * sizeof(*t.policies))) == NULL ||
	    (t.sas = aalloc(&a, (d->n + 1) * sizeof(*t.sas))) == NULL)
		goto out;
	for (size_t i = 0; i < n_pol; i++)
		if ((t.policies[t.n_policies++] = policy_msg(&a, &spd->v[i], d)) == NULL)
			goto out;
	for (size_t i = 0; i < d->n; i++)
		if (sa_published(d->v[i]) && (t.sas[t.n_sas++] = sa_msg(&a, d->v[i])) == NULL)
			goto out;
	out = pack_copy(&t);
out:
	afree(&a);
	return out;
}
