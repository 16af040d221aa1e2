/* SPDX-License-Identifier: Apache-2.0 */
/* compile.c: policy compiler.  Walks the crypto map sets applied to interfaces, entries in
 * sequence order, and emits one policy per entry (access-list entries in order; for
 * ipsec-manual only up to the first permit, seed: "subsequent entries are ignored") and the
 * manual SAs with stable ids: the id hashes the SA's whole definition, keys included, so a
 * changed entry is a new SA to the workers (sad/sa.c).  Sequence numbers do not follow the SA
 * id but the key (sa_key_id(), link/lease.h): a key that moves to a new entry, map or SPI goes
 * on where it stopped (docs/design.md invariant 1).  The replay window is left out of the id: a
 * changed window is the same SA, and datad resizes its window from the top it had reached (never
 * back). */
#include <stdlib.h>
#include <string.h>

#include "controld/conf/compile.h"

_Static_assert(SA_NAME_MAX >= CONF_NAME_MAX, "SA names hold configuration names");

struct build {
	struct policy	*pol;
	size_t		n_pol, cap_pol;
	struct sa_list	sas;
	size_t		cap_sas;
};

/* An access-list entry as the data path matches it (common/sel.h: mask = ~wildcard). */
static struct sel
sel_of(const struct conf_ace *e)
{
	struct sel s = {
		.src = e->src.addr, .src_mask = ~e->src.wild,
		.dst = e->dst.addr, .dst_mask = ~e->dst.wild,
		.proto = e->proto,
		.sport_neq = e->sport.neq, .dport_neq = e->dport.neq,
		.sport_lo = e->sport.lo, .sport_hi = e->sport.hi,
		.dport_lo = e->dport.lo, .dport_hi = e->dport.hi,
		.tos = e->tos, .precedence = e->precedence,
	};

	return s;
}

static int
push_sa(struct build *b, struct sa *sa)
{
	if (b->sas.n == b->cap_sas) {
		size_t c = b->cap_sas ? 2 * b->cap_sas : 16;
		struct sa **v = realloc(b->sas.v, c * sizeof(*v));

		if (v == NULL)
			return -1;
		b->sas.v = v;
		b->cap_sas = c;
	}
	b->sas.v[b->sas.n++] = sa;
	return 0;
}

static struct policy *
push_policy(struct build *b)
{
	struct policy *p;

	if (b->n_pol == b->cap_pol) {
		size_t c = b->cap_pol ? 2 * b->cap_pol : 16;

		if ((p = realloc(b->pol, c * sizeof(*p))) == NULL)
			return NULL;
		b->pol = p;
		b->cap_pol = c;
	}
	p = &b->pol[b->n_pol++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* IOS: "mode transport" applies only to traffic between the peers themselves; an SA whose
 * flow is anything else is tunnelled (seed: "mode"). */
static bool
transport_flow(const struct conf_transform_set *ts, const struct conf_ace *flow, uint32_t local,
    uint32_t peer)
{
	return ts->mode == CONF_MODE_TRANSPORT && flow->src.wild == 0 && flow->dst.wild == 0 &&
	    flow->src.addr == local && flow->dst.addr == peer;
}

/* Seed: "the [anti-replay] service is not available for manually established security
 * associations".  Ours, beyond IOS 11.3: an explicit set security-association replay
 * window-size gives one to each SA of the entry that authenticates its own sequence number
 * (conf_validate refuses an entry where none does).  Safe only because our sender never
 * restarts its count (invariant 1); a peer that starts again at 1 after a reboot is dropped
 * as replays, hence opt-in.  Outbound SAs carry it too, for show; only inbound checks it. */
static uint32_t
manual_window(const struct conf_map_entry *e, const struct conf_transform_set *ts,
    enum conf_proto proto)
{
	if (e->replay_window == 0 || conf_tset_no_seq(ts))
		return 0;
	if (proto == CONF_PROTO_ESP && !conf_tset_esp_integrity(ts))
		return 0;		/* an ESP cipher alone: the AH beside it has the window */
	return e->replay_window;
}

static struct sa *
manual_sa(struct build *b, const struct conf_map *m, const struct conf_map_entry *e,
    const struct conf_transform_set *ts, enum conf_dir dir, enum conf_proto proto, uint32_t local,
    const struct conf_ace *flow)
{
	const struct conf_session_key *k = &e->keys[dir][proto];
	struct sa *sa = sa_new();

	if (sa == NULL)
		return NULL;
	sa->inbound = dir == CONF_DIR_IN;
	sa->proto = proto == CONF_PROTO_ESP ? 50 : 51;
	sa->spi = k->spi;
	sa->local = local;
	sa->peer = e->peers[0];
	if (proto == CONF_PROTO_ESP) {
		sa->cipher = ts->esp_cipher == XF_CIPHER_NONE ? XF_CIPHER_NULL : ts->esp_cipher;
		sa->auth = ts->esp_auth;
		sa->cipher_key = k->cipher;
	} else {
		sa->cipher = XF_CIPHER_NONE;
		sa->auth = ts->ah;
	}
	sa->auth_key = k->auth;
	sa->mode = transport_flow(ts, flow, local, e->peers[0]) ? SA_TRANSPORT : SA_TUNNEL;
	sa->replay_window = manual_window(e, ts, proto);
	sa->udp_encap_port = e->nat_t ? 4500 : 0;	/* RFC 3948 */
	snprintf(sa->map, sizeof(sa->map), "%s", m->name);
	sa->seq = e->seq;
	sa->flow = sel_of(flow);
	sa->iv_size = ts->iv_size;
	snprintf(sa->transform_set, sizeof(sa->transform_set), "%s", ts->name);
	if (push_sa(b, sa) != 0) {
		sa_free(sa);
		return NULL;
	}
	sa->id = sa_hash_id(sa);
	sa->key_id = sa_key_id(sa);
	return sa;
}

/* The two SAs of one direction of an AH+ESP bundle name each other (not part of their ids). */
static void
bundle(struct sa *esp, struct sa *ah)
{
	esp->bundle = ah->id;
	ah->bundle = esp->id;
}

/* One crypto map entry (or one entry of a dynamic set it refers to) as a policy. */
static int
entry(struct build *b, const struct conf *c, const struct conf_map *m,
    const struct conf_map_entry *e, const char *ifname, uint32_t local, bool dyn,
    struct gw_err *err)
{
	const struct conf_acl *acl = e->acl[0] ? conf_acl_find(c, e->acl) : NULL;
	struct policy *p = push_policy(b);
	const struct conf_ace *flow = NULL;

	if (p == NULL)
		return gw_fail(err, e->line, "out of memory");
	snprintf(p->map, sizeof(p->map), "%s", m->name);
	p->seq = e->seq;
	p->kind = dyn ? POLICY_DYNAMIC : e->kind == CONF_MAP_MANUAL ? POLICY_MANUAL :
	    POLICY_ISAKMP;
	p->peer = e->n_peers ? e->peers[0] : 0;
	p->local = local;
	snprintf(p->interface, sizeof(p->interface), "%s", ifname);
	/* seed: a dynamic entry without an access list is ignored for filtering; one whose
	 * list is missing or empty drops its traffic (an empty permit-less policy does) */
	p->no_acl = dyn && e->acl[0] == '\0';
	p->aces = calloc((acl ? acl->n_aces : 0) + 1, sizeof(*p->aces));
	if (p->aces == NULL)
		return gw_fail(err, e->line, "out of memory");
	for (size_t i = 0; acl != NULL && i < acl->n_aces; i++) {
		const struct conf_ace *a = &acl->aces[i];

		if (a->action == CONF_ACE_REMARK)
			continue;
		p->aces[p->n_aces++] = (struct policy_ace){ a->action == CONF_ACE_PERMIT, a->line,
		    sel_of(a) };
		if (a->action == CONF_ACE_PERMIT && e->kind == CONF_MAP_MANUAL && !dyn) {
			flow = a;
			break;
		}
	}
	/* seed: a dynamic entry whose list "does not exist or is empty" drops all packets: one
	 * permit-any entry without an SA does exactly that (DROP_NO_OUT_SA, and inbound
	 * cleartext is refused by the same entry) */
	if (dyn && e->acl[0] != '\0' && p->n_aces == 0) {
		struct conf_ace any = { .action = CONF_ACE_PERMIT, .src = { 0, 0xffffffffu },
		    .dst = { 0, 0xffffffffu }, .sport = { CONF_PORT_ANY, 0, 65535, false },
		    .dport = { CONF_PORT_ANY, 0, 65535, false }, .precedence = -1, .tos = -1 };

		p->aces[p->n_aces++] = (struct policy_ace){ true, e->line, sel_of(&any) };
	}
	if (e->kind == CONF_MAP_MANUAL && !dyn && flow != NULL) {
		const struct conf_transform_set *ts = conf_tset_find(c, e->tsets[0]);
		struct sa *out, *in, *esp[2] = { NULL, NULL };

		if (ts == NULL)
			return gw_fail(err, e->line, "crypto map %s %u: transform set %s is not "
			    "defined", m->name, e->seq, e->tsets[0]);
		if (e->nat_t && (ts->ah != XF_AUTH_NONE || !conf_tset_has_esp(ts) ||
		    transport_flow(ts, flow, local, e->peers[0])))
			return gw_fail(err, e->line, "crypto map %s %u: set nat-t needs ESP alone in "
			    "tunnel mode (AH cannot cross a NAT; transport over NAT-T is not "
			    "supported)", m->name, e->seq);
		if (conf_tset_has_esp(ts)) {
			if ((out = manual_sa(b, m, e, ts, CONF_DIR_OUT, CONF_PROTO_ESP, local, flow)) ==
			    NULL || (in = manual_sa(b, m, e, ts, CONF_DIR_IN, CONF_PROTO_ESP, local,
			    flow)) == NULL)
				return gw_fail(err, e->line, "out of memory");
			p->sa_out_esp = out->id;
			esp[0] = out;
			esp[1] = in;
		}
		if (ts->ah != XF_AUTH_NONE) {
			if ((out = manual_sa(b, m, e, ts, CONF_DIR_OUT, CONF_PROTO_AH, local, flow)) ==
			    NULL || (in = manual_sa(b, m, e, ts, CONF_DIR_IN, CONF_PROTO_AH, local,
			    flow)) == NULL)
				return gw_fail(err, e->line, "out of memory");
			p->sa_out_ah = out->id;
			/* AH+ESP: each SA names its partner, and datad takes the inbound ESP SA
			 * only inside its AH (an ESP cipher alone has no integrity of its own:
			 * without the AH, the bare ESP would be malleable and replayable) */
			if (esp[0] != NULL) {
				bundle(esp[0], out);
				bundle(esp[1], in);
			}
		}
	}
	return 0;
}

static int
map_set(struct build *b, const struct conf *c, const struct conf_map *m, const char *ifname,
    uint32_t local, struct gw_err *err)
{
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct conf_map_entry *e = m->entries[i];
		const struct conf_map *dm;

		if (!conf_entry_active(c, m, e))
			continue;		/* incomplete: disabled, as IOS (conf_validate) */
		if (e->kind != CONF_MAP_DYNAMIC) {
			if (entry(b, c, m, e, ifname, local, false, err) != 0)
				return -1;
			continue;
		}
		if ((dm = conf_dynmap_find(c, e->dynamic)) == NULL)
			continue;		/* conf_validate refuses this */
		for (size_t j = 0; j < dm->n_entries; j++) {
			struct conf_map_entry de = *dm->entries[j];

			de.seq = e->seq;	/* the static entry's place in the order */
			if (entry(b, c, m, &de, ifname, local, true, err) != 0)
				return -1;
		}
	}
	return 0;
}

void
spd_free(struct spd *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].aces);
	free(s->v);
	free(s);
}

int
conf_compile(const struct conf *c, struct spd **spd, struct sa_list *sas, struct gw_err *err)
{
	struct build b;
	const char **done;
	size_t n_done = 0;
	int rc = -1;

	memset(&b, 0, sizeof(b));
	*spd = NULL;
	sas->v = NULL;
	sas->n = 0;
	if ((done = calloc(c->n_ifs + 1, sizeof(*done))) == NULL)
		return gw_fail(err, 0, "out of memory");
	for (size_t i = 0; i < c->n_ifs; i++) {
		const struct conf_if *ifp = c->ifs[i];
		const struct conf_map *m;
		const struct conf_if *lif;
		bool seen = false;

		if (ifp->crypto_map[0] == '\0' || ifp->shutdown)
			continue;
		if ((m = conf_map_find(c, ifp->crypto_map)) == NULL)
			continue;		/* conf_validate refuses this */
		for (size_t j = 0; j < n_done; j++)
			seen |= strcmp(done[j], m->name) == 0;
		if (seen)		/* one set on several interfaces: one SA database */
			continue;
		done[n_done++] = m->name;
		lif = m->local_address[0] ? conf_if_find(c, m->local_address) : ifp;
		if (lif == NULL || !lif->has_addr) {
			gw_fail(err, ifp->line, "interface %s: crypto map %s needs an IP address on "
			    "%s", ifp->name, m->name, lif ? lif->name : m->local_address);
			goto out;
		}
		if (map_set(&b, c, m, ifp->name, lif->addr, err) != 0)
			goto out;
	}
	if ((*spd = calloc(1, sizeof(**spd))) == NULL) {
		gw_fail(err, 0, "out of memory");
		goto out;
	}
	(*spd)->v = b.pol;
	(*spd)->n = b.n_pol;
	b.pol = NULL;
	b.n_pol = 0;
	*sas = b.sas;
	b.sas.v = NULL;
	b.sas.n = 0;
	rc = 0;
out:
	free(done);
	for (size_t i = 0; i < b.n_pol; i++)
		free(b.pol[i].aces);
	free(b.pol);
	sa_list_free(&b.sas);
	return rc;
}
