/* publish.c: controld's side of the link (DESIGN "The ZeroMQ link", the Clone pattern over
 * ROUTER/DEALER): workers say hello, get a snapshot, then ordered deltas; heartbeats both
 * ways; counter reports in; sequence-number leases out (invariant 1); each inbound SA is given
 * to exactly one worker (invariant 2).
 *
 * Whatever reaches the link socket is untrusted (docs/threat-model.md): a worker is known by
 * the id of its hello and the CURVE key it proved, and a key may claim only the ids,
 * addresses and number of slots its allow-list line gives it; leases are granted by use, not
 * on demand; replay window tops count only from the SA's owner; reports cost what they
 * carry, never more than the tables hold.  Each refusal is counted (show workers) and logged
 * at a limited rate. */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "common/log.h"
#include "controld/conf/compile.h"
#include "controld/controld.h"

const char *const refuse_name[REFUSE_MAX] = {
#define X(n, c, t) c,
	REFUSE_LIST(X)
#undef X
};

const char *const refuse_text[REFUSE_MAX] = {
#define X(n, c, t) t,
	REFUSE_LIST(X)
#undef X
};

static int
send_env(struct controld *cd, struct worker_rec *w, Gw__V1__Envelope *env)
{
	if (link_send_env(cd->link, w->rid, w->rid_len, env) != 0) {
		log_debug("send to %s: %s", w->id, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

/* Count a refusal (on w when there is one) and say why, at a limited rate per reason. */
static void __attribute__((format(printf, 4, 5)))
refuse(struct controld *cd, struct worker_rec *w, enum refuse why, const char *fmt, ...)
{
	static struct log_rl rl[REFUSE_MAX];
	char msg[256];
	va_list ap;

	cd->refused[why]++;
	if (w != NULL)
		w->refused[why]++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_rl(&rl[why], LOG_LVL_WARN, "link: refused (%s): %s", refuse_name[why], msg);
}

/* ---- The SAs of the current generation, by id ---- */

static int
ix_cmp(const void *a, const void *b)
{
	const struct sa_ix *x = a, *y = b;

	return x->sa_id < y->sa_id ? -1 : x->sa_id > y->sa_id;
}

static void
ix_build(struct controld *cd)
{
	size_t n = cd->tables ? cd->tables->n_sas : 0;
	struct sa_ix *ix = calloc(n + 1, sizeof(*ix));

	if (ix == NULL)
		fatal("out of memory");
	for (size_t i = 0; i < n; i++) {
		ix[i].sa_id = cd->tables->sas[i]->id;
		ix[i].key_id = sa_key_id(cd->tables->sas[i]);
		ix[i].sa = cd->tables->sas[i];
	}
	qsort(ix, n, sizeof(*ix), ix_cmp);
	free(cd->ix);
	cd->ix = ix;
	cd->n_ix = n;
}

const struct sa_ix *
publish_find_sa(const struct controld *cd, uint64_t sa_id)
{
	struct sa_ix k = { .sa_id = sa_id };

	return cd->n_ix ? bsearch(&k, cd->ix, cd->n_ix, sizeof(k), ix_cmp) : NULL;
}

/* ---- A worker's counters and leases, by SA id ---- */

static struct sa_stat *
stat_find(struct worker_rec *w, uint64_t sa_id, bool add)
{
	size_t lo = 0, hi = w->n_stats;
	struct sa_stat *s;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->stats[mid].sa_id < sa_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < w->n_stats && w->stats[lo].sa_id == sa_id)
		return &w->stats[lo];
	if (!add || (s = realloc(w->stats, (w->n_stats + 1) * sizeof(*s))) == NULL)
		return NULL;
	w->stats = s;
	memmove(&s[lo + 1], &s[lo], (w->n_stats - lo) * sizeof(*s));
	memset(&s[lo], 0, sizeof(*s));
	s[lo].sa_id = sa_id;
	w->n_stats++;
	return &s[lo];
}

static struct lease_hold *
hold_find(struct worker_rec *w, uint64_t sa_id, bool add)
{
	struct lease_hold *h;

	for (size_t i = 0; i < w->n_holds; i++)
		if (w->holds[i].sa_id == sa_id)
			return &w->holds[i];
	if (!add || (h = realloc(w->holds, (w->n_holds + 1) * sizeof(*h))) == NULL)
		return NULL;
	w->holds = h;
	memset(&h[w->n_holds], 0, sizeof(*h));
	h[w->n_holds].sa_id = sa_id;
	return &h[w->n_holds++];
}

/* Forget counters and holds of SAs that left the tables: what a worker keeps is bounded by
 * the tables, whatever it sends. */
static void
prune(struct controld *cd, struct worker_rec *w)
{
	size_t k = 0;

	for (size_t i = 0; i < w->n_stats; i++)
		if (publish_find_sa(cd, w->stats[i].sa_id) != NULL)
			w->stats[k++] = w->stats[i];
	w->n_stats = k;
	k = 0;
	for (size_t i = 0; i < w->n_holds; i++)
		if (publish_find_sa(cd, w->holds[i].sa_id) != NULL)
			w->holds[k++] = w->holds[i];
	w->n_holds = k;
}

static struct worker_rec *
worker_by_rid(struct controld *cd, const uint8_t *rid, size_t len)
{
	for (int i = 0; i < WORKERS_MAX; i++)
		if (cd->w[i].rid_len == len && memcmp(cd->w[i].rid, rid, len) == 0)
			return &cd->w[i];
	return NULL;
}

static struct worker_rec *
worker_by_id(struct controld *cd, const char *id)
{
	for (int i = 0; i < WORKERS_MAX; i++)
		if (cd->w[i].id[0] != '\0' && strcmp(cd->w[i].id, id) == 0)
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
	free(w->holds);			/* a new boot's blocks start afresh (its old ones burn) */
	w->holds = NULL;
	w->n_holds = 0;
}

/* Invariant 2 across workers: an inbound SA that starts over on a worker (a new owner, or its
 * owner restarted) must not accept again what an earlier owner accepted, so its window starts
 * at the floor kept for its key: the highest top its owners reported plus a margin for what an
 * owner may have accepted after its last report (note_top).  True if the floor rose. */
static bool
raise_floor(const struct controld *cd, Gw__V1__Sa *sa)
{
	uint64_t floor;

	if (sa->replay_window == 0)
		return false;		/* no window to start anywhere */
	floor = lease_get(&cd->tops, sa_key_id(sa));
	if (floor <= sa->replay_floor)
		return false;
	sa->replay_floor = floor;
	return true;
}

/* May w own sa: a live worker with the SA's local address (for an SA in UDP 4500 one that
 * holds the port, RFC 3948, when there is such a worker)?  Ranked: 2 best, 1 any local, 0
 * not local. */
static int
rank(const struct worker_rec *w, const Gw__V1__Sa *sa, bool udp_holder_exists)
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
static bool
assign_owners(struct controld *cd, Gw__V1__Tables *t, const char *restarted)
{
	bool changed = false;

	for (size_t i = 0; i < t->n_sas; i++) {
		Gw__V1__Sa *sa = t->sas[i];
		const char *best = "", *any = "", *best_key = "", *cur_key = "";
		bool udp = false;
		int top = 0, cur = -1;

		if (!sa->inbound)
			continue;
		for (int k = 0; k < WORKERS_MAX && sa->udp_encap_port != 0; k++)
			udp |= cd->w[k].live && cd->w[k].udp_encap && rank(&cd->w[k], sa, false);
		for (int k = 0; k < WORKERS_MAX; k++) {
			const struct worker_rec *w = &cd->w[k];
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

/* Marks kept by the SA ids of an older version become the marks of the SAs' keys (lease.h):
 * an upgrade does not start a key's numbers again. */
static void
adopt_legacy(struct controld *cd, const Gw__V1__Tables *t)
{
	struct gw_err err;
	bool any = false;

	for (size_t i = 0; i < t->n_sas; i++) {
		const Gw__V1__Sa *sa = t->sas[i];

		if (!sa->inbound)
			any |= lease_adopt(&cd->leases, sa_key_id(sa), sa->id);
		else if (sa->replay_window != 0)
			lease_adopt(&cd->tops, sa_key_id(sa), sa->id);
	}
	if (any && lease_flush(&cd->leases, &err) != 0)
		fatal("sequence-number leases: %s", err.msg);
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
	if (x != NULL)
		OPENSSL_cleanse(x, la);
	if (y != NULL)
		OPENSSL_cleanse(y, lb);
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

	adopt_legacy(cd, t);
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
	ix_build(cd);
	for (int k = 0; k < WORKERS_MAX; k++)
		prune(cd, &cd->w[k]);
	log_info("generation %" PRIu64 ": %zu policies, %zu SAs (%zu changed, %zu removed)",
	    cd->gen, t->n_policies, t->n_sas, d.n_sa_upsert, d.n_sa_remove);
	if (old != NULL)
		link_free(&old->base);
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
		link_free(&t->base);
		return;
	}
	publish_tables(cd, t);
}

/* ---- Hello: who may be which worker ---- */

static bool
id_allowed(const struct allow *a, const char *id)
{
	char pats[sizeof(a->ids)], *p, *save = NULL;

	if (a == NULL || a->ids[0] == '\0')
		return true;
	snprintf(pats, sizeof(pats), "%s", a->ids);
	for (p = strtok_r(pats, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
		if (fnmatch(p, id, 0) == 0)
			return true;
	return false;
}

static bool
addr_allowed(const struct allow *a, uint32_t addr)
{
	if (a == NULL || a->n_nets == 0)
		return true;
	for (size_t i = 0; i < a->n_nets; i++)
		if ((addr & a->mask[i]) == a->net[i])
			return true;
	return false;
}

/* The key that first claimed id (NULL: none yet); binds it to key when bind. */
static const char *
id_bound(struct controld *cd, const char *id, const char *key, bool bind)
{
	for (size_t i = 0; i < cd->n_binds; i++)
		if (strcmp(cd->binds[i].id, id) == 0)
			return cd->binds[i].key;
	if (!bind || cd->n_binds == ID_BINDS_MAX)
		return NULL;
	snprintf(cd->binds[cd->n_binds].id, sizeof(cd->binds[0].id), "%s", id);
	snprintf(cd->binds[cd->n_binds].key, sizeof(cd->binds[0].key), "%s", key);
	return cd->binds[cd->n_binds++].key;
}

/* May a client that proved key say hello as h?  0, or -1 with the refusal counted. */
static int
hello_check(struct controld *cd, const struct link_peer *from, const Gw__V1__Hello *h,
    struct worker_rec *same)
{
	const struct allow *a = zap_find(&cd->allow_link, from->key);
	const char *bound;
	unsigned slots = 0, max = a ? a->max : WORKERS_MAX;

	if (h->worker_id[0] == '\0' || strlen(h->worker_id) >= sizeof(cd->w[0].id)) {
		refuse(cd, NULL, REFUSE_HELLO_ALLOW, "a hello without a worker id (or too long)");
		return -1;
	}
	if (!id_allowed(a, h->worker_id)) {
		refuse(cd, NULL, REFUSE_HELLO_ALLOW, "worker id %s is not allowed for key %s",
		    h->worker_id, from->key);
		return -1;
	}
	for (size_t i = 0; i < h->n_addrs; i++) {
		if (h->addrs[i] >> 24 != 127 && !addr_allowed(a, h->addrs[i])) {
			struct in_addr ia = { htonl(h->addrs[i]) };

			refuse(cd, NULL, REFUSE_HELLO_ALLOW, "worker %s (key %s) claims "
			    "address %s, not in its addrs=", h->worker_id, from->key,
			    inet_ntoa(ia));
			return -1;
		}
	}
	if ((bound = id_bound(cd, h->worker_id, from->key, false)) != NULL &&
	    strcmp(bound, from->key) != 0) {
		refuse(cd, NULL, REFUSE_HELLO_KEY, "worker id %s belongs to key %s, not %s",
		    h->worker_id, bound[0] ? bound : "(ipc)", from->key[0] ? from->key : "(ipc)");
		return -1;
	}
	for (int k = 0; k < WORKERS_MAX; k++)
		slots += cd->w[k].live && &cd->w[k] != same && strcmp(cd->w[k].key, from->key) == 0;
	if (slots >= max) {
		refuse(cd, NULL, REFUSE_HELLO_FULL, "worker %s: key %s has all its %u slots",
		    h->worker_id, from->key[0] ? from->key : "(ipc)", max);
		return -1;
	}
	if (id_bound(cd, h->worker_id, from->key, true) == NULL) {
		refuse(cd, NULL, REFUSE_HELLO_FULL, "worker %s: %d worker ids known already",
		    h->worker_id, ID_BINDS_MAX);
		return -1;
	}
	return 0;
}

/* A slot for a new worker: one never used, else the first that is down (its counts kept in
 * the retired sums); NULL if all are live. */
static struct worker_rec *
free_slot(struct controld *cd)
{
	struct worker_rec *w = NULL;

	for (int i = 0; i < WORKERS_MAX && w == NULL; i++)
		if (cd->w[i].id[0] == '\0')
			w = &cd->w[i];
	for (int i = 0; i < WORKERS_MAX && w == NULL; i++)
		if (!cd->w[i].live)
			w = &cd->w[i];
	if (w == NULL)
		return NULL;
	if (w->id[0] != '\0')
		retire(cd, w);
	free(w->stats);
	free(w->holds);
	memset(w, 0, sizeof(*w));
	return w;
}

static void
on_hello(struct controld *cd, const struct link_peer *from, const Gw__V1__Hello *h)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Welcome wel = GW__V1__WELCOME__INIT;
	struct worker_rec *w = worker_by_rid(cd, from->id, from->id_len);
	bool was_live, restarted = false, moved = false;

	if (w != NULL && strcmp(w->id, h->worker_id) != 0) {
		/* the connection of one worker says it is another: the first is gone */
		w->live = false;
		w->rid_len = 0;
		w = NULL;
	}
	/* the same worker on a new connection (it restarted, or reconnected): its record */
	if (w == NULL)
		w = worker_by_id(cd, h->worker_id);
	if (hello_check(cd, from, h, w) != 0)
		return;
	if (w == NULL && (w = free_slot(cd)) == NULL) {
		refuse(cd, NULL, REFUSE_HELLO_FULL, "worker %s: all %d worker slots in use",
		    h->worker_id, WORKERS_MAX);
		return;
	}
	memcpy(w->rid, from->id, from->id_len);
	w->rid_len = from->id_len;
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
	snprintf(w->key, sizeof(w->key), "%s", from->key);
	snprintf(w->host, sizeof(w->host), "%s", h->host);
	if (was_live && w->udp_encap != h->udp_encap)
		moved = true;			/* ESP-in-UDP SAs follow port 4500 */
	w->udp_encap = h->udp_encap;
	w->n_addrs = h->n_addrs < 64 ? h->n_addrs : 64;
	if (w->n_addrs != 0)		/* h->addrs is NULL when there are none */
		memcpy(w->addrs, h->addrs, w->n_addrs * sizeof(uint32_t));
	log_info("worker %s (host %s, pid %u%s%s) %s at generation %" PRIu64, w->id, w->host,
	    w->pid, w->key[0] ? ", key " : "", w->key, was_live ? "said hello again" : "joined",
	    h->have_generation);
	if (!was_live || restarted || moved)	/* a restart's windows start at a new floor */
		reassign(cd, restarted ? w->id : NULL);
	wel.generation = cd->gen;
	wel.heartbeat_ms = CTL_HEARTBEAT_MS;
	env.body_case = GW__V1__ENVELOPE__BODY_WELCOME;
	env.welcome = &wel;
	send_env(cd, w, &env);
}

/* ---- Reports: counters, and the replay floors of inbound SAs ---- */

/* The owner of an inbound SA with a window reported its top (datad reports tops that moved
 * every 50 ms): the floor of its key becomes the top plus a margin for what the owner may
 * accept after this report and before its next one arrives, one lost report included: twice
 * the largest rise between two of its reports (span, slowly forgotten), plus
 * REPLAY_MARGIN_MIN.  At a steady rate that is 100 ms of its traffic, far less than the 3 s
 * it takes to see an owner is gone, so a failover under traffic costs no packet the dead
 * owner would not have lost anyway; after a quiet spell the new owner refuses a few (counted
 * as replay).  The file is written once a second, and at most every FLOORS_FLUSH_MS when a
 * floor ran a span ahead of it (a reboot of controld and its workers together).  What
 * remains (docs/threat-model.md): a packet accepted in the last 100 ms before its owner
 * died, when the rate had more than doubled in that time. */
static void
note_top(struct controld *cd, const struct sa_ix *x, struct sa_stat *s, uint64_t top)
{
	uint64_t rise = top > s->seq_top && s->seq_top != 0 ? top - s->seq_top : 0;
	uint64_t floor, on_disk = lease_saved(&cd->tops, x->key_id), now = link_now_ms();

	s->span = rise > s->span - s->span / 16 ? rise : s->span - s->span / 16;
	s->seq_top = top;
	floor = top + 2 * s->span + REPLAY_MARGIN_MIN;
	if (floor < top)
		floor = UINT64_MAX;
	lease_raise(&cd->tops, x->key_id, floor);
	if (floor > on_disk + s->span + REPLAY_MARGIN_MIN &&
	    now - cd->tops_flushed_ms >= FLOORS_FLUSH_MS) {
		struct gw_err err;

		if (lease_flush(&cd->tops, &err) != 0)
			log_warn("replay floors not saved: %s", err.msg);
		cd->tops_flushed_ms = now;
	}
}

static void
on_report(struct controld *cd, struct worker_rec *w, const Gw__V1__Report *r)
{
	size_t n = r->n_sas;

	if (r->boot != w->boot)		/* from before the worker's restart: stale */
		return;
	if (n > cd->n_ix) {
		refuse(cd, w, REFUSE_REPORT_SA, "worker %s reported %zu SAs, the tables hold %zu",
		    w->id, n, cd->n_ix);
		n = cd->n_ix;
	}
	for (size_t i = 0; i < n; i++) {
		const Gw__V1__SaCounters *c = r->sas[i];
		const struct sa_ix *x = publish_find_sa(cd, c->sa_id);
		struct sa_stat *s;

		if (x == NULL) {
			refuse(cd, w, REFUSE_REPORT_SA, "worker %s reported SA %016" PRIx64
			    ", not in the tables", w->id, c->sa_id);
			continue;
		}
		if ((s = stat_find(w, c->sa_id, true)) == NULL)
			return;
		s->pkts = c->pkts;
		s->bytes = c->bytes;
		s->path_mtu = c->path_mtu;
		s->media_mtu = c->media_mtu;
		for (size_t d = 0; d < DROP_MAX; d++)
			s->drops[d] = d < c->n_drops ? c->drops[d] : 0;
		if (!x->sa->inbound) {
			s->seq_top = c->seq_top;
		} else if (strcmp(x->sa->owner, w->id) != 0) {
			if (c->seq_top != 0)
				refuse(cd, w, REFUSE_TOP_OWNER, "worker %s reported a top for SA "
				    "spi %u, owned by %s", w->id, x->sa->spi,
				    x->sa->owner[0] ? x->sa->owner : "(none)");
			s->seq_top = 0;		/* not the owner: its window is not the SA's */
		} else if (x->sa->replay_window != 0 && c->seq_top != 0) {
			note_top(cd, x, s, c->seq_top);
		} else {
			s->seq_top = c->seq_top;
		}
	}
	for (size_t d = 0; d < r->n_drops && d < DROP_MAX; d++)
		w->drops[d] = r->drops[d];
	w->generation = r->generation;
}

/* ---- Leases (invariant 1): by use, from the key's own space ---- */

static void
on_lease(struct controld *cd, struct worker_rec *w, const Gw__V1__LeaseRequest *q)
{
	static const enum refuse why[] = { [LEASE_EARLY] = REFUSE_LEASE_EARLY,
	    [LEASE_SOON] = REFUSE_LEASE_SOON, [LEASE_FAST] = REFUSE_LEASE_FAST };
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__LeaseGrant g = GW__V1__LEASE_GRANT__INIT;
	const struct sa_ix *x = publish_find_sa(cd, q->sa_id);
	struct gw_err err = { 0, "" };
	struct lease_hold *h;
	enum lease_verdict v;
	uint64_t now = link_now_ms(), len;

	if (x == NULL || x->sa->inbound) {
		refuse(cd, w, REFUSE_LEASE_SA, "worker %s asked a lease for SA %016" PRIx64
		    ", not outbound in the tables", w->id, q->sa_id);
		return;
	}
	h = hold_find(w, x->sa_id, false);
	v = lease_decide(h, q->next, now, &len);
	if (v != LEASE_FRESH && v != LEASE_MORE) {
		refuse(cd, w, why[v], "worker %s, SA spi %u: lease asked at %" PRIu64 " of %"
		    PRIu64 "..%" PRIu64 " after %" PRIu64 " ms", w->id, x->sa->spi, q->next,
		    h->first, h->last, now - h->granted_ms);
		return;
	}
	if (h == NULL && (h = hold_find(w, x->sa_id, true)) == NULL)
		return;
	if (lease_grant(&cd->leases, x->key_id, x->sa->esn, len, &g.first, &g.last, &err) != 0) {
		log_err("lease for SA %016" PRIx64 " (spi %u): %s", x->sa_id, x->sa->spi, err.msg);
		return;
	}
	h->first = g.first;
	h->last = g.last;
	h->granted_ms = now;
	g.sa_id = x->sa_id;
	env.body_case = GW__V1__ENVELOPE__BODY_LEASE_GRANT;
	env.lease_grant = &g;
	send_env(cd, w, &env);
	if (cd->debug_ipsec)
		log_info("IPSEC(lease): SA spi 0x%08X to %s: %" PRIu64 "..%" PRIu64 " (%s)",
		    x->sa->spi, w->id, g.first, g.last, v == LEASE_FRESH ? "fresh" : "next");
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
publish_msg(struct controld *cd, const struct link_peer *from, Gw__V1__Envelope *env)
{
	struct worker_rec *w;

	if (env->body_case == GW__V1__ENVELOPE__BODY_HELLO) {
		on_hello(cd, from, env->hello);
		return;
	}
	if ((w = worker_by_rid(cd, from->id, from->id_len)) == NULL || !w->live ||
	    strcmp(w->key, from->key) != 0) {
		/* a worker we do not know (we restarted): ask it to introduce itself */
		Gw__V1__Envelope r = GW__V1__ENVELOPE__INIT;
		Gw__V1__Reject rej = GW__V1__REJECT__INIT;

		rej.reason = (char *)"unknown worker: say hello";
		r.body_case = GW__V1__ENVELOPE__BODY_REJECT;
		r.reject = &rej;
		link_send_env(cd->link, from->id, from->id_len, &r);
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
		refuse(cd, w, REFUSE_BAD_MSG, "worker %s sent message %d, which workers do not "
		    "send", w->id, (int)env->body_case);
		break;
	}
}

/* Connections of the link socket that end: a worker exited, or the socket cut one off for a
 * message over LINK_MAX_TO_CONTROLD or a protocol error (ZeroMQ tells no more). */
void
publish_monitor(struct controld *cd)
{
	const char *ep = "inproc://controld-link-monitor";

	/* (refused CURVE handshakes are counted by the ZAP handler) */
	if (zmq_socket_monitor(cd->link, ep, ZMQ_EVENT_DISCONNECTED |
	    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) != 0 ||
	    (cd->link_mon = zmq_socket(cd->zctx, ZMQ_PAIR)) == NULL ||
	    zmq_connect(cd->link_mon, ep) != 0) {
		log_warn("link monitor: %s (disconnects will not be counted)", zmq_strerror(errno));
		if (cd->link_mon != NULL)
			zmq_close(cd->link_mon);
		cd->link_mon = NULL;
	}
}

static void
monitor_poll(struct controld *cd)
{
	static struct log_rl rl;
	zmq_msg_t m;

	for (int i = 0; cd->link_mon != NULL && i < 64; i++) {
		uint16_t ev = 0;
		int more = 0;
		size_t sz = sizeof(more);

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, cd->link_mon, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return;
		}
		if (zmq_msg_size(&m) >= 2)
			memcpy(&ev, zmq_msg_data(&m), 2);
		zmq_msg_close(&m);
		while (zmq_getsockopt(cd->link_mon, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
			zmq_msg_init(&m);
			zmq_msg_recv(&m, cd->link_mon, 0);
			zmq_msg_close(&m);
		}
		if (ev == ZMQ_EVENT_DISCONNECTED) {
			cd->link_disconnects++;
			log_rl(&rl, LOG_LVL_INFO, "link: a connection ended (a worker exited, or "
			    "sent more than %d bytes or broke the protocol)", LINK_MAX_TO_CONTROLD);
		} else {
			cd->refused[REFUSE_BAD_MSG]++;
		}
	}
}

void
publish_poll(struct controld *cd)
{
	static struct log_rl rl;
	struct link_peer from;
	struct gw_err err = { 0, "" };
	Gw__V1__Envelope *env;

	monitor_poll(cd);
	for (int i = 0; i < 256; i++) {
		if ((env = link_recv_env(cd->link, &from, &err)) == NULL) {
			if (errno == EAGAIN)
				return;
			cd->refused[REFUSE_BAD_MSG]++;
			log_rl(&rl, LOG_LVL_WARN, "dropped a link message: %s", err.msg);
			continue;
		}
		publish_msg(cd, &from, env);
		link_free(&env->base);
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
			log_warn("replay floors not saved: %s", err.msg);
		cd->tops_flushed_ms = now;
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
		const struct sa_stat *s = stat_find((struct worker_rec *)w, sa_id, false);

		if (s == NULL)
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

void
publish_drops(const struct controld *cd, uint64_t drops[DROP_MAX])
{
	for (int d = 0; d < DROP_MAX; d++) {
		drops[d] = cd->retired_drops[d];
		for (int k = 0; k < WORKERS_MAX; k++)
			drops[d] += cd->w[k].drops[d];
	}
}

void
publish_free(struct controld *cd)
{
	for (int k = 0; k < WORKERS_MAX; k++) {
		free(cd->w[k].stats);
		free(cd->w[k].holds);
	}
	free(cd->retired);
	free(cd->ix);
	cd->ix = NULL;
	cd->n_ix = 0;
}
