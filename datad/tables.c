/* SPDX-License-Identifier: Apache-2.0 */
/* tables.c: building, merging and freeing table generations (docs/design.md invariant 3: a
 * generation is complete or rejected whole; the fast path never sees a half-built one). */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/link.h"
#include "datad/tables.h"

void
sel_from_msg(struct sel *s, const Gw__V1__Selector *m)
{
	memset(s, 0, sizeof(*s));
	s->tos = s->precedence = -1;
	s->sport_hi = s->dport_hi = 65535;
	if (m == NULL)
		return;
	s->src = m->src;
	s->src_mask = ~m->src_wild;
	s->src &= s->src_mask;
	s->dst = m->dst;
	s->dst_mask = ~m->dst_wild;
	s->dst &= s->dst_mask;
	s->proto = (uint8_t)m->proto;
	s->sport_lo = (uint16_t)m->sport_lo;
	s->sport_hi = (uint16_t)(m->sport_hi > 65535 ? 65535 : m->sport_hi);
	s->dport_lo = (uint16_t)m->dport_lo;
	s->dport_hi = (uint16_t)(m->dport_hi > 65535 ? 65535 : m->dport_hi);
	s->sport_neq = m->sport_neq;
	s->dport_neq = m->dport_neq;
	s->tos = (int16_t)(m->tos < 0 || m->tos > 15 ? -1 : m->tos);
	s->precedence = (int16_t)(m->precedence < 0 || m->precedence > 7 ? -1 : m->precedence);
}

static int
key_of(struct key *k, ProtobufCBinaryData b, struct gw_err *err, uint64_t id)
{
	memset(k, 0, sizeof(*k));
	if (b.len > sizeof(k->b))
		return gw_fail(err, 0, "SA %016llx: key of %zu bytes", (unsigned long long)id, b.len);
	if (b.len > 0)
		memcpy(k->b, b.data, b.len);
	k->len = (uint16_t)b.len;
	return 0;
}

static int
xform_of(struct xform *xf, const Gw__V1__Sa *m, bool encrypt, struct gw_err *err)
{
	struct key ck, ak;
	int rc;

	if ((unsigned)m->cipher >= XF_CIPHER_MAX || (unsigned)m->auth >= XF_AUTH_MAX)
		return gw_fail(err, 0, "SA %016llx: unknown transform %d/%d",
		    (unsigned long long)m->id, m->cipher, m->auth);
	if (key_of(&ck, m->cipher_key, err, m->id) != 0 || key_of(&ak, m->auth_key, err, m->id) != 0)
		return -1;
	rc = xform_init(xf, (enum xform_cipher)m->cipher, &ck, (enum xform_auth)m->auth, &ak,
	    encrypt, err);
	if (rc == 0 && m->cipher == GW__V1__CIPHER__CIPHER_DES_RFC1829 &&
	    (rc = xform_set_rfc1829_iv(xf, m->iv_size, err)) != 0)
		xform_free(xf);
	key_wipe(&ck);
	key_wipe(&ak);
	return rc;
}

struct sa_out *
tables_sa_out(const struct gen *g, uint64_t id)
{
	for (uint32_t i = 0; g != NULL && i < g->n_out; i++)
		if (g->out[i].id == id)
			return &g->out[i];
	return NULL;
}

static struct sa_in *
old_sa_in(const struct gen *g, uint64_t id)
{
	for (uint32_t i = 0; g != NULL && i < g->n_in; i++)
		if (g->in[i].id == id)
			return &g->in[i];
	return NULL;
}

static struct sa_hard
hard_of(const Gw__V1__Sa *m)
{
	return (struct sa_hard){
		.expire_ms = m->hard_expire_unix_ms != 0 ? m->hard_expire_unix_ms : UINT64_MAX,
		.bytes = m->hard_bytes != 0 ? m->hard_bytes : UINT64_MAX,
	};
}

static int
build_sas(struct gen *g, const char *self, const struct gen *old, struct gw_err *err)
{
	const Gw__V1__Tables *t = g->msg;
	uint32_t n_hash = 16, n_in = 0, n_out = 0;

	for (size_t i = 0; i < t->n_sas; i++) {
		if (t->sas[i]->proto != IPPROTO_ESP && t->sas[i]->proto != IPPROTO_AH)
			return gw_fail(err, 0, "SA %016llx: protocol %u is not ESP or AH",
			    (unsigned long long)t->sas[i]->id, t->sas[i]->proto);
		if (t->sas[i]->inbound)
			n_in++;
		else
			n_out++;
	}
	while (n_hash < 2 * n_in)
		n_hash *= 2;
	/* n_out and n_in count only what is built, so a failure half-way frees just that */
	g->out = calloc(n_out ? n_out : 1, sizeof(*g->out));
	g->in = calloc(n_in ? n_in : 1, sizeof(*g->in));
	g->hash = calloc(n_hash, sizeof(*g->hash));
	if (g->out == NULL || g->in == NULL || g->hash == NULL)
		return gw_fail(err, 0, "out of memory");
	g->hash_mask = n_hash - 1;
	for (size_t i = 0; i < t->n_sas; i++) {
		const Gw__V1__Sa *m = t->sas[i];

		if (!m->inbound) {
			struct sa_out *o = &g->out[g->n_out], *prev = tables_sa_out(old, m->id);

			if (xform_of(&o->xf, m, true, err) != 0)
				return -1;
			g->n_out++;
			o->id = m->id;
			o->spi_be = htonl(m->spi);
			o->local_be = htonl(m->local);
			o->peer_be = htonl(m->peer);
			o->proto = (uint8_t)m->proto;
			o->esn = m->esn;
			o->tunnel = m->mode == GW__V1__MODE__MODE_TUNNEL;
			o->udp_port_be = htons((uint16_t)m->udp_encap_port);
			o->hard = hard_of(m);
			o->seq = 1;
			o->seq_end = 0;			/* nothing to send until leased */
			if (prev != NULL) {
				o->seq = prev->seq;
				o->seq_end = prev->seq_end;
				o->lease_len = prev->lease_len;
				o->next_first = prev->next_first;
				o->next_last = prev->next_last;
				o->lease_asked_ms = prev->lease_asked_ms;
				o->learned_mtu = prev->learned_mtu;
				o->learned_ms = prev->learned_ms;
				o->ctr = prev->ctr;
			}
		} else {
			struct sa_in *s = &g->in[g->n_in], *prev = old_sa_in(old, m->id);
			uint32_t h;

			if (xform_of(&s->xf, m, false, err) != 0)
				return -1;
			g->n_in++;
			s->id = m->id;
			s->spi_be = htonl(m->spi);
			s->local_be = htonl(m->local);
			s->peer_be = htonl(m->peer);
			s->proto = (uint8_t)m->proto;
			s->mine = m->owner[0] == '\0' || strcmp(m->owner, self) == 0;
			snprintf(s->owner, sizeof(s->owner), "%s", m->owner);
			s->tunnel = m->mode == GW__V1__MODE__MODE_TUNNEL;
			s->udp = m->udp_encap_port != 0;
			s->icv = s->xf.icv_len > 0;
			s->bundle = m->bundle;
			s->hard = hard_of(m);
			sel_from_msg(&s->flow, m->flow);
			/* invariant 2: a window never moves back.  It lives on while this worker
			 * keeps the SA, unless controld's floor (the top another owner reported
			 * meanwhile) is above it; a new window (new owner, new size) starts at the
			 * highest top known, the floor or this worker's own */
			if (prev != NULL && prev->mine && s->mine &&
			    prev->replay.size == m->replay_window &&
			    prev->replay.top >= m->replay_floor)
				s->replay = prev->replay;
			else
				replay_init(&s->replay, m->replay_window, m->esn,
				    prev != NULL && prev->replay.top > m->replay_floor ?
				    prev->replay.top : m->replay_floor);
			if (prev != NULL)
				s->ctr = prev->ctr;
			h = tables_hash(s->spi_be, s->proto, g->hash_mask);
			s->next = g->hash[h];
			g->hash[h] = s;
		}
	}
	return 0;
}

/* The inbound SAs of an AH+ESP bundle find each other: one AH, one ESP, each naming the
 * other.  A partner that is not in this generation leaves partner NULL (in.c then takes
 * nothing of the SA); one that does not name the SA back is a broken table. */
static int
link_bundles(struct gen *g, struct gw_err *err)
{
	for (uint32_t i = 0; i < g->n_in; i++) {
		struct sa_in *s = &g->in[i], *o;

		if (s->bundle == 0)
			continue;
		if ((o = old_sa_in(g, s->bundle)) == NULL)
			continue;
		if (o->proto == s->proto || o->bundle != s->id || s->bundle == s->id || o->udp ||
		    s->udp)
			return gw_fail(err, 0, "SA %016llx: bundle partner %016llx does not match",
			    (unsigned long long)s->id, (unsigned long long)o->id);
		s->partner = o;
	}
	return 0;
}

/* The negotiated flows of policy p (message m): each names SAs of this generation, of the
 * right protocol, at least one. */
static int
build_flows(struct gen *g, struct policy *p, const Gw__V1__Policy *m, struct gw_err *err)
{
	if (m->n_flow_sas == 0)
		return 0;
	if ((p->flows = calloc(m->n_flow_sas, sizeof(*p->flows))) == NULL)
		return gw_fail(err, 0, "out of memory");
	for (size_t j = 0; j < m->n_flow_sas; j++) {
		const Gw__V1__FlowSa *f = m->flow_sas[j];
		struct flow_out *fo = &p->flows[p->n_flows++];

		sel_from_msg(&fo->flow, f->flow);
		if ((f->sa_out_esp != 0 && (fo->sa_esp = tables_sa_out(g, f->sa_out_esp)) == NULL) ||
		    (f->sa_out_ah != 0 && (fo->sa_ah = tables_sa_out(g, f->sa_out_ah)) == NULL))
			return gw_fail(err, 0, "crypto map %s %u flow %zu: an outbound SA is not in "
			    "the tables", m->map, m->seq, j);
		if ((fo->sa_esp == NULL && fo->sa_ah == NULL) ||
		    (fo->sa_esp != NULL && fo->sa_esp->proto != IPPROTO_ESP) ||
		    (fo->sa_ah != NULL && fo->sa_ah->proto != IPPROTO_AH))
			return gw_fail(err, 0, "crypto map %s %u flow %zu: no SA, or one of the "
			    "wrong protocol", m->map, m->seq, j);
	}
	return 0;
}

static int
build_policies(struct gen *g, struct gw_err *err)
{
	const Gw__V1__Tables *t = g->msg;

	g->pol = calloc(t->n_policies ? t->n_policies : 1, sizeof(*g->pol));
	if (g->pol == NULL)
		return gw_fail(err, 0, "out of memory");
	for (size_t i = 0; i < t->n_policies; i++) {
		const Gw__V1__Policy *m = t->policies[i];
		struct policy *p = &g->pol[i];

		g->n_pol++;
		snprintf(p->map, sizeof(p->map), "%s", m->map);
		p->seq = m->seq;
		p->kind = (uint8_t)m->kind;
		p->no_acl = m->no_acl;
		p->local_be = htonl(m->local);
		p->peer_be = htonl(m->peer);
		snprintf(p->ifname, sizeof(p->ifname), "%s", m->interface);
		p->aces = calloc(m->n_aces ? m->n_aces : 1, sizeof(*p->aces));
		if (p->aces == NULL)
			return gw_fail(err, 0, "out of memory");
		p->n_aces = (uint32_t)m->n_aces;
		for (size_t j = 0; j < m->n_aces; j++) {
			p->aces[j].permit = m->aces[j]->action == GW__V1__ACTION__ACTION_PERMIT;
			sel_from_msg(&p->aces[j].sel, m->aces[j]->sel);
		}
		if ((m->sa_out_esp != 0 && (p->sa_esp = tables_sa_out(g, m->sa_out_esp)) == NULL) ||
		    (m->sa_out_ah != 0 && (p->sa_ah = tables_sa_out(g, m->sa_out_ah)) == NULL))
			return gw_fail(err, 0, "crypto map %s %u: an outbound SA is not in the tables",
			    m->map, m->seq);
		if ((p->sa_esp != NULL && p->sa_esp->proto != IPPROTO_ESP) ||
		    (p->sa_ah != NULL && p->sa_ah->proto != IPPROTO_AH))
			return gw_fail(err, 0, "crypto map %s %u: SA of the wrong protocol", m->map,
			    m->seq);
		if (p->kind != GW__V1__ENTRY_KIND__KIND_MANUAL && build_flows(g, p, m, err) != 0)
			return -1;
	}
	return 0;
}

struct gen *
tables_build(Gw__V1__Tables *msg, const char *self, const struct gen *old, struct gw_err *err)
{
	struct gen *g;

	if ((g = calloc(1, sizeof(*g))) == NULL) {
		link_free(&msg->base);
		gw_fail(err, 0, "out of memory");
		return NULL;
	}
	g->msg = msg;
	g->generation = msg->generation;
	if (build_sas(g, self, old, err) != 0 || link_bundles(g, err) != 0 ||
	    build_policies(g, err) != 0 || (g->spd = spd_build(g, 0, err)) == NULL) {
		tables_free(g);
		return NULL;
	}
	return g;
}

void
tables_free(struct gen *g)
{
	if (g == NULL)
		return;
	for (uint32_t i = 0; i < g->n_out; i++)
		xform_free(&g->out[i].xf);
	for (uint32_t i = 0; i < g->n_in; i++)
		xform_free(&g->in[i].xf);
	for (uint32_t i = 0; i < g->n_pol; i++) {
		free(g->pol[i].aces);
		free(g->pol[i].flows);
	}
	spd_free(g->spd);
	free(g->pol);
	free(g->out);
	free(g->in);
	free(g->hash);
	if (g->msg != NULL)
		link_free(&g->msg->base);
	free(g);
}

Gw__V1__Tables *
tables_merge(const struct gen *g, const Gw__V1__Delta *d, struct gw_err *err)
{
	const Gw__V1__Tables *t = g->msg;
	Gw__V1__Tables m = GW__V1__TABLES__INIT, *out;
	Gw__V1__Sa **sas;
	size_t n = 0, len;
	uint8_t *buf;

	if (d->from_generation != g->generation) {
		gw_fail(err, 0, "delta %llu->%llu does not apply to generation %llu",
		    (unsigned long long)d->from_generation, (unsigned long long)d->generation,
		    (unsigned long long)g->generation);
		return NULL;
	}
	if ((sas = calloc(t->n_sas + d->n_sa_upsert + 1, sizeof(*sas))) == NULL) {
		gw_fail(err, 0, "out of memory");
		return NULL;
	}
	/* Borrow pointers from both messages, pack, and unpack into one owned message. */
	for (size_t i = 0; i < t->n_sas; i++) {
		bool drop = false;

		for (size_t j = 0; j < d->n_sa_remove && !drop; j++)
			drop = d->sa_remove[j] == t->sas[i]->id;
		for (size_t j = 0; j < d->n_sa_upsert && !drop; j++)
			drop = d->sa_upsert[j]->id == t->sas[i]->id;
		if (!drop)
			sas[n++] = t->sas[i];
	}
	for (size_t j = 0; j < d->n_sa_upsert; j++)
		sas[n++] = d->sa_upsert[j];
	m.generation = d->generation;
	m.n_sas = n;
	m.sas = sas;
	m.n_policies = d->policies_replace ? d->n_policies : t->n_policies;
	m.policies = d->policies_replace ? d->policies : t->policies;
	len = gw__v1__tables__get_packed_size(&m);
	if ((buf = malloc(len ? len : 1)) == NULL) {
		free(sas);
		gw_fail(err, 0, "out of memory");
		return NULL;
	}
	gw__v1__tables__pack(&m, buf);
	out = gw__v1__tables__unpack(NULL, len, buf);
	OPENSSL_cleanse(buf, len);		/* it held keys */
	free(buf);
	free(sas);
	if (out == NULL)
		gw_fail(err, 0, "merged tables do not unpack");
	return out;
}
