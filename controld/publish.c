/* publish.c: controld's side of the link (DESIGN "The ZeroMQ link", the Clone pattern over
 * ROUTER/DEALER): workers say hello, get a snapshot, then ordered deltas; heartbeats both
 * ways; counter reports in; sequence-number leases out (invariant 1); each inbound SA is given
 * to exactly one worker (invariant 2). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "common/log.h"
#include "controld/compile.h"
#include "controld/controld.h"

static int
send_env(struct controld *cd, struct worker_rec *w, Gw__V1__Envelope *env)
{
	if (link_send_env(cd->link, w->rid, w->rid_len, env) != 0) {
		log_debug("send to %s: %s", w->id, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

static struct worker_rec *
worker_by_rid(struct controld *cd, const uint8_t *rid, size_t len)
{
	for (int i = 0; i < WORKERS_MAX; i++)
		if (cd->w[i].rid_len == len && memcmp(cd->w[i].rid, rid, len) == 0)
			return &cd->w[i];
	return NULL;
}

static void
retire(struct controld *cd, struct worker_rec *w)
{
	for (size_t i = 0; i < w->n_stats; i++) {
		const struct sa_stat *s = &w->stats[i];
		struct sa_stat *r = NULL;

		for (size_t j = 0; j < cd->n_retired && r == NULL; j++)
			if (cd->retired[j].sa_id == s->sa_id)
				r = &cd->retired[j];
		if (r == NULL) {
			struct sa_stat *n = realloc(cd->retired, (cd->n_retired + 1) * sizeof(*n));

			if (n == NULL)
				continue;
			cd->retired = n;
			r = &n[cd->n_retired++];
			memset(r, 0, sizeof(*r));
			r->sa_id = s->sa_id;
		}
		r->pkts += s->pkts;
		r->bytes += s->bytes;
		if (s->seq_top > r->seq_top)
			r->seq_top = s->seq_top;
		for (int d = 0; d < DROP_MAX; d++)
			r->drops[d] += s->drops[d];
	}
	for (int d = 0; d < DROP_MAX; d++)
		cd->retired_drops[d] += w->drops[d];
	memset(w->drops, 0, sizeof(w->drops));
	free(w->stats);
	w->stats = NULL;
	w->n_stats = 0;
}

/* Invariant 2 across workers: an inbound SA that starts over on a worker (a new owner, or its
 * owner restarted) must not accept again what an earlier owner accepted, so its window starts
 * at the highest top any worker, live or retired, reported for it.  Reports come every second:
 * what the old owner accepted in its last second can still be replayed once to the new one
 * (docs/transforms.md).  True if the floor rose. */
static bool
raise_floor(const struct controld *cd, Gw__V1__Sa *sa)
{
	struct sa_stat st;

	if (sa->replay_window == 0)
		return false;		/* no window to start anywhere */
	publish_sa_stat(cd, sa->id, &st);
	if (lease_get(&cd->tops, sa->id) > st.seq_top)	/* from before a restart of ours */
		st.seq_top = lease_get(&cd->tops, sa->id);
	if (st.seq_top <= sa->replay_floor)
		return false;
	sa->replay_floor = st.seq_top;
	return true;
}

/* The one owner of each inbound SA: the first live worker (by id) on a host that has the SA's
 * local address, else the first live worker; for an SA in UDP 4500 (RFC 3948), first of all
 * the one worker on such a host that holds the port, since only its socket receives them.
 * The SAs that move, and those of restarted (a worker that came back with empty windows;
 * may be NULL), get a new replay floor.  True if anything changed. */
static bool
assign_owners(struct controld *cd, Gw__V1__Tables *t, const char *restarted)
{
	bool changed = false;

	for (size_t i = 0; i < t->n_sas; i++) {
		Gw__V1__Sa *sa = t->sas[i];
		const char *best = "", *any = "", *udp = "";

		if (!sa->inbound)
			continue;
		for (int k = 0; k < WORKERS_MAX; k++) {
			const struct worker_rec *w = &cd->w[k];
			bool local = false;

			if (!w->live)
				continue;
			for (size_t a = 0; a < w->n_addrs && !local; a++)
				local = w->addrs[a] == sa->local;
			if (local && (best[0] == '\0' || strcmp(w->id, best) < 0))
				best = w->id;
			if (local && w->udp_encap && (udp[0] == '\0' || strcmp(w->id, udp) < 0))
				udp = w->id;
			if (any[0] == '\0' || strcmp(w->id, any) < 0)
				any = w->id;
		}
		if (sa->udp_encap_port != 0 && udp[0] != '\0')
			best = udp;
		if (best[0] == '\0')
			best = any;
		if (strcmp(sa->owner, best) != 0) {
			char *o = strdup(best);

			if (o == NULL)
				continue;
			/* protobuf-c frees strings other than its default "" with free() */
			if (sa->owner != NULL && sa->owner != protobuf_c_empty_string)
				free(sa->owner);
			sa->owner = o;
			raise_floor(cd, sa);
			changed = true;
		} else if (restarted != NULL && strcmp(best, restarted) == 0) {
			changed |= raise_floor(cd, sa);
		}
	}
	return changed;
}

/* Freshly compiled tables (a reload) know neither owners nor floors: an SA that was already
 * there keeps both, so it moves, and its floor rises, only when its owner really changes. */
static void
inherit_owners(const Gw__V1__Tables *old, Gw__V1__Tables *t)
{
	for (size_t i = 0; old != NULL && i < t->n_sas; i++) {
		Gw__V1__Sa *sa = t->sas[i];
		const Gw__V1__Sa *o;
		char *owner;

		if (!sa->inbound || sa->owner[0] != '\0')
			continue;
		for (size_t j = 0; j < old->n_sas; j++) {
			o = old->sas[j];
			if (o->id != sa->id || !o->inbound)
				continue;
			if (o->replay_floor > sa->replay_floor)
				sa->replay_floor = o->replay_floor;
			if (o->owner[0] != '\0' && (owner = strdup(o->owner)) != NULL) {
				if (sa->owner != protobuf_c_empty_string)
					free(sa->owner);
				sa->owner = owner;
			}
			break;
		}
	}
}

static bool
same_msg(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
	size_t la = protobuf_c_message_get_packed_size(a);
	size_t lb = protobuf_c_message_get_packed_size(b);
	uint8_t *x, *y;
	bool same;

	if (la != lb)
		return false;
	x = malloc(la + 1);
	y = malloc(lb + 1);
	same = x != NULL && y != NULL;
	if (same) {
		protobuf_c_message_pack(a, x);
		protobuf_c_message_pack(b, y);
		same = memcmp(x, y, la) == 0;
	}
	free(x);
	free(y);
	return same;
}

static bool
same_policies(const Gw__V1__Tables *a, const Gw__V1__Tables *b)
{
	if (a->n_policies != b->n_policies)
		return false;
	for (size_t i = 0; i < a->n_policies; i++)
		if (!same_msg(&a->policies[i]->base, &b->policies[i]->base))
			return false;
	return true;
}

static const Gw__V1__Sa *
sa_by_id(const Gw__V1__Tables *t, uint64_t id)
{
	for (size_t i = 0; t != NULL && i < t->n_sas; i++)
		if (t->sas[i]->id == id)
			return t->sas[i];
	return NULL;
}

static void
send_snapshot(struct controld *cd, struct worker_rec *w)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;

	if (cd->tables == NULL)
		return;
	env.body_case = GW__V1__ENVELOPE__BODY_SNAPSHOT;
	env.snapshot = cd->tables;
	if (send_env(cd, w, &env) == 0)
		log_info("snapshot of generation %" PRIu64 " to %s", cd->gen, w->id);
}

void
publish_tables(struct controld *cd, Gw__V1__Tables *t)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Delta d = GW__V1__DELTA__INIT;
	Gw__V1__Sa **up = calloc(t->n_sas + 1, sizeof(*up));
	uint64_t *rm = calloc((cd->tables ? cd->tables->n_sas : 0) + 1, sizeof(*rm));
	Gw__V1__Tables *old = cd->tables;

	inherit_owners(old, t);
	assign_owners(cd, t, NULL);
	t->generation = ++cd->gen;
	if (old != NULL && up != NULL && rm != NULL) {
		d.from_generation = old->generation;
		d.generation = t->generation;
		d.policies_replace = !same_policies(old, t);
		if (d.policies_replace) {
			d.policies = t->policies;
			d.n_policies = t->n_policies;
		}
		for (size_t i = 0; i < t->n_sas; i++) {
			const Gw__V1__Sa *o = sa_by_id(old, t->sas[i]->id);

			if (o == NULL || !same_msg(&o->base, &t->sas[i]->base))
				up[d.n_sa_upsert++] = t->sas[i];
		}
		for (size_t i = 0; i < old->n_sas; i++)
			if (sa_by_id(t, old->sas[i]->id) == NULL)
				rm[d.n_sa_remove++] = old->sas[i]->id;
		d.sa_upsert = up;
		d.sa_remove = rm;
		env.body_case = GW__V1__ENVELOPE__BODY_DELTA;
		env.delta = &d;
		for (int k = 0; k < WORKERS_MAX; k++)
			if (cd->w[k].live)
				send_env(cd, &cd->w[k], &env);
	}
	cd->tables = t;
	log_info("generation %" PRIu64 ": %zu policies, %zu SAs (%zu changed, %zu removed)",
	    cd->gen, t->n_policies, t->n_sas, d.n_sa_upsert, d.n_sa_remove);
	if (old != NULL)
		protobuf_c_message_free_unpacked(&old->base, NULL);
	else
		for (int k = 0; k < WORKERS_MAX; k++)
			if (cd->w[k].live)
				send_snapshot(cd, &cd->w[k]);
	free(up);
	free(rm);
}

/* Owners changed because workers came or went, or restarted (its id, else NULL): the same
 * tables, a new generation. */
static void
reassign(struct controld *cd, const char *restarted)
{
	Gw__V1__Tables *t;

	if (cd->tables == NULL || (t = tables_copy(cd->tables)) == NULL)
		return;
	if (!assign_owners(cd, t, restarted)) {
		protobuf_c_message_free_unpacked(&t->base, NULL);
		return;
	}
	publish_tables(cd, t);
}

static void
on_hello(struct controld *cd, const uint8_t *rid, size_t rid_len, const Gw__V1__Hello *h)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Welcome wel = GW__V1__WELCOME__INIT;
	struct worker_rec *w = worker_by_rid(cd, rid, rid_len);
	bool was_live, restarted = false, moved = false;

	if (w == NULL) {
		for (int i = 0; i < WORKERS_MAX && w == NULL; i++)
			if (!cd->w[i].live && cd->w[i].rid_len == 0)
				w = &cd->w[i];
		for (int i = 0; i < WORKERS_MAX && w == NULL; i++)
			if (!cd->w[i].live)
				w = &cd->w[i];
		if (w == NULL) {
			log_warn("worker %s refused: %d workers already", h->worker_id, WORKERS_MAX);
			return;
		}
		if (w->rid_len != 0)
			retire(cd, w);
		memset(w, 0, sizeof(*w));
		memcpy(w->rid, rid, rid_len);
		w->rid_len = rid_len;
	}
	if (w->boot != 0 && w->boot != h->boot) {
		log_info("worker %s restarted (pid %u): its old leases are void", h->worker_id,
		    h->pid);
		retire(cd, w);
		restarted = true;
	}
	was_live = w->live;
	w->live = true;
	w->boot = h->boot;
	w->pid = h->pid;
	w->last_ms = link_now_ms();
	snprintf(w->id, sizeof(w->id), "%s", h->worker_id);
	snprintf(w->host, sizeof(w->host), "%s", h->host);
	if (was_live && w->udp_encap != h->udp_encap)
		moved = true;			/* ESP-in-UDP SAs follow port 4500 */
	w->udp_encap = h->udp_encap;
	w->n_addrs = h->n_addrs < 64 ? h->n_addrs : 64;
	if (w->n_addrs != 0)		/* h->addrs is NULL when there are none */
		memcpy(w->addrs, h->addrs, w->n_addrs * sizeof(uint32_t));
	log_info("worker %s (host %s, pid %u) %s at generation %" PRIu64, w->id, w->host, w->pid,
	    was_live ? "said hello again" : "joined", h->have_generation);
	if (!was_live || restarted || moved)	/* a restart's windows start at a new floor */
		reassign(cd, restarted ? w->id : NULL);
	wel.generation = cd->gen;
	wel.heartbeat_ms = CTL_HEARTBEAT_MS;
	env.body_case = GW__V1__ENVELOPE__BODY_WELCOME;
	env.welcome = &wel;
	send_env(cd, w, &env);
}

/* An inbound SA's reported top, kept on disk (written once a second by publish_tick) so that a
 * restart of controld and its workers together (a reboot) cannot open old windows again. */
static void
note_top(struct controld *cd, const Gw__V1__SaCounters *c)
{
	for (size_t j = 0; cd->tables != NULL && j < cd->tables->n_sas; j++) {
		const Gw__V1__Sa *sa = cd->tables->sas[j];

		if (sa->id == c->sa_id) {
			if (sa->inbound && sa->replay_window != 0 && c->seq_top != 0)
				lease_raise(&cd->tops, sa->id, c->seq_top);
			return;
		}
	}
}

static void
on_report(struct controld *cd, struct worker_rec *w, const Gw__V1__Report *r)
{
	struct sa_stat *s;

	if (r->boot != w->boot)		/* from before the worker's restart: stale */
		return;
	if ((s = calloc(r->n_sas + 1, sizeof(*s))) == NULL)
		return;
	for (size_t i = 0; i < r->n_sas; i++) {
		const Gw__V1__SaCounters *c = r->sas[i];

		s[i].sa_id = c->sa_id;
		s[i].pkts = c->pkts;
		s[i].bytes = c->bytes;
		s[i].seq_top = c->seq_top;
		s[i].path_mtu = c->path_mtu;
		note_top(cd, c);
		s[i].media_mtu = c->media_mtu;
		for (size_t d = 0; d < c->n_drops && d < DROP_MAX; d++)
			s[i].drops[d] = c->drops[d];
	}
	free(w->stats);
	w->stats = s;
	w->n_stats = r->n_sas;
	for (size_t d = 0; d < r->n_drops && d < DROP_MAX; d++)
		w->drops[d] = r->drops[d];
	w->generation = r->generation;
}

static void
on_lease(struct controld *cd, struct worker_rec *w, const Gw__V1__LeaseRequest *q)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__LeaseGrant g = GW__V1__LEASE_GRANT__INIT;
	const Gw__V1__Sa *sa = sa_by_id(cd->tables, q->sa_id);
	struct gw_err err = { 0, "" };

	if (sa == NULL || sa->inbound) {
		log_debug("worker %s asked a lease for unknown SA %016" PRIx64, w->id, q->sa_id);
		return;
	}
	if (lease_grant(&cd->leases, sa->id, sa->esn, &g.first, &g.last, &err) != 0) {
		log_err("lease for SA %016" PRIx64 " (spi %u): %s", sa->id, sa->spi, err.msg);
		return;
	}
	g.sa_id = sa->id;
	env.body_case = GW__V1__ENVELOPE__BODY_LEASE_GRANT;
	env.lease_grant = &g;
	send_env(cd, w, &env);
	if (cd->debug_ipsec)
		log_info("IPSEC(lease): SA spi 0x%08X to %s: %" PRIu64 "..%" PRIu64, sa->spi, w->id,
		    g.first, g.last);
}

/* An IKE message a worker relayed (DESIGN.md).  Its header is checked (RFC 2408 §3.1, RFC 7296
 * §3.1: 28 bytes, version 1.x or 2.x, Length = the message) and it is counted; there is no IKE
 * in this version to answer it, so it goes no further. */
static void
on_ike(struct controld *cd, const struct worker_rec *w, const Gw__V1__IkeDatagram *ike)
{
	const uint8_t *d = ike->data.data;
	struct in_addr a = { htonl(ike->remote) };
	char ip[INET_ADDRSTRLEN];
	uint32_t len;

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	len = ike->data.len >= 28 ? (uint32_t)d[24] << 24 | (uint32_t)d[25] << 16 |
	    (uint32_t)d[26] << 8 | d[27] : 0;
	if (ike->data.len < 28 || len != ike->data.len || (d[17] >> 4) < 1 || (d[17] >> 4) > 2) {
		cd->ike_bad++;
		log_debug("IKE from %s:%u via %s: not an IKE message (%zu bytes), dropped", ip,
		    ike->remote_port, w->id, ike->data.len);
		return;
	}
	cd->ike_in++;
	log_debug("IKE v%u exchange %u from %s:%u via %s (%zu bytes): no IKE in this version, "
	    "dropped", d[17] >> 4, d[18], ip, ike->remote_port, w->id, ike->data.len);
}

void
publish_msg(struct controld *cd, const uint8_t *rid, size_t rid_len, Gw__V1__Envelope *env)
{
	struct worker_rec *w;

	if (env->body_case == GW__V1__ENVELOPE__BODY_HELLO) {
		on_hello(cd, rid, rid_len, env->hello);
		return;
	}
	if ((w = worker_by_rid(cd, rid, rid_len)) == NULL || !w->live) {
		/* a worker we do not know (we restarted): ask it to introduce itself */
		Gw__V1__Envelope r = GW__V1__ENVELOPE__INIT;
		Gw__V1__Reject rej = GW__V1__REJECT__INIT;

		rej.reason = (char *)"unknown worker: say hello";
		r.body_case = GW__V1__ENVELOPE__BODY_REJECT;
		r.reject = &rej;
		link_send_env(cd->link, rid, rid_len, &r);
		return;
	}
	w->last_ms = link_now_ms();
	switch (env->body_case) {
	case GW__V1__ENVELOPE__BODY_SNAPSHOT_REQUEST:
		send_snapshot(cd, w);
		break;
	case GW__V1__ENVELOPE__BODY_REPORT:
		on_report(cd, w, env->report);
		break;
	case GW__V1__ENVELOPE__BODY_LEASE_REQUEST:
		on_lease(cd, w, env->lease_request);
		break;
	case GW__V1__ENVELOPE__BODY_HEARTBEAT:
		break;
	case GW__V1__ENVELOPE__BODY_IKE:
		on_ike(cd, w, env->ike);
		break;
	case GW__V1__ENVELOPE__BODY_REJECT:
		snprintf(w->reject, sizeof(w->reject), "%s", env->reject->reason);
		log_err("worker %s rejected generation %" PRIu64 ": %s", w->id,
		    env->reject->generation, env->reject->reason);
		break;
	default:
		cd->bad_msgs++;
		log_debug("worker %s sent unexpected message %d", w->id, (int)env->body_case);
		break;
	}
}

void
publish_poll(struct controld *cd)
{
	uint8_t rid[LINK_ID_MAX];
	size_t rid_len = 0;
	struct gw_err err = { 0, "" };
	Gw__V1__Envelope *env;

	for (int i = 0; i < 256; i++) {
		if ((env = link_recv_env(cd->link, true, rid, &rid_len, &err)) == NULL) {
			if (errno == EAGAIN)
				return;
			cd->bad_msgs++;
			log_warn("dropped a link message: %s", err.msg);
			continue;
		}
		publish_msg(cd, rid, rid_len, env);
		protobuf_c_message_free_unpacked(&env->base, NULL);
	}
}

void
publish_tick(struct controld *cd)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Heartbeat hb = GW__V1__HEARTBEAT__INIT;
	uint64_t now = link_now_ms();
	bool gone = false;

	if (now - cd->last_tick_ms < CTL_HEARTBEAT_MS)
		return;
	cd->last_tick_ms = now;
	{
		struct gw_err err;

		if (lease_flush(&cd->tops, &err) != 0)
			log_warn("replay tops not saved: %s", err.msg);
	}
	hb.generation = cd->gen;
	env.body_case = GW__V1__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	for (int k = 0; k < WORKERS_MAX; k++) {
		struct worker_rec *w = &cd->w[k];

		if (!w->live)
			continue;
		if (now - w->last_ms > WORKER_DEAD_MS) {
			log_warn("worker %s silent for %" PRIu64 " ms: presumed dead", w->id,
			    now - w->last_ms);
			w->live = false;
			gone = true;
			continue;
		}
		send_env(cd, w, &env);
	}
	if (gone)
		reassign(cd, NULL);
}

void
publish_sa_stat(const struct controld *cd, uint64_t sa_id, struct sa_stat *out)
{
	memset(out, 0, sizeof(*out));
	out->sa_id = sa_id;
	for (size_t j = 0; j < cd->n_retired; j++)
		if (cd->retired[j].sa_id == sa_id)
			*out = cd->retired[j];
	for (int k = 0; k < WORKERS_MAX; k++) {
		const struct worker_rec *w = &cd->w[k];

		for (size_t i = 0; i < w->n_stats; i++) {
			const struct sa_stat *s = &w->stats[i];

			if (s->sa_id != sa_id)
				continue;
			out->pkts += s->pkts;
			out->bytes += s->bytes;
			if (s->seq_top > out->seq_top)
				out->seq_top = s->seq_top;
			/* the lowest any live worker holds its packets to */
			if (w->live && s->path_mtu != 0 &&
			    (out->path_mtu == 0 || s->path_mtu < out->path_mtu)) {
				out->path_mtu = s->path_mtu;
				out->media_mtu = s->media_mtu;
			}
			for (int d = 0; d < DROP_MAX; d++)
				out->drops[d] += s->drops[d];
		}
	}
}

void
publish_drops(const struct controld *cd, uint64_t drops[DROP_MAX])
{
	for (int d = 0; d < DROP_MAX; d++) {
		drops[d] = cd->retired_drops[d];
		for (int k = 0; k < WORKERS_MAX; k++)
			drops[d] += cd->w[k].drops[d];
	}
}
