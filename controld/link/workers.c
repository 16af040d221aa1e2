/* workers.c: the worker link's socket and the workers' records (DESIGN "The ZeroMQ link": the
 * Clone pattern over ROUTER/DEALER).  Reads what workers send and hands each message to its
 * concern (hello.c, report.c, grant.c), counts the connections that end, sends heartbeats and
 * presumes a worker dead after WORKER_DEAD_MS of silence (its inbound SAs then move:
 * owners.c).  A worker's record keeps its latest counts and lease blocks per SA, bounded by
 * the tables whatever it sends; a restarted or replaced worker's counts are kept in the
 * retired sums.
 *
 * Whatever reaches the link socket is untrusted (docs/threat-model.md): each refusal is
 * counted (show workers) and logged at a limited rate. */
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
#include "controld/link/worker.h"

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

int
workers_send(struct controld *cd, struct worker_rec *w, Gw__V1__Envelope *env)
{
	if (link_send_env(cd->link, w->rid, w->rid_len, env) != 0) {
		log_debug("send to %s: %s", w->id, zmq_strerror(errno));
		return -1;
	}
	return 0;
}

/* Count a refusal (on w when there is one) and say why, at a limited rate per reason. */
void __attribute__((format(printf, 4, 5)))
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

/* ---- A worker's counters and leases, by SA id ---- */

struct sa_stat *
workers_stat(struct worker_rec *w, uint64_t sa_id, bool add)
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

struct lease_hold *
workers_hold(struct worker_rec *w, uint64_t sa_id, bool add)
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
void
workers_prune(struct controld *cd, struct worker_rec *w)
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

struct worker_rec *
workers_by_rid(struct controld *cd, const uint8_t *rid, size_t len)
{
	for (int i = 0; i < WORKERS_MAX; i++)
		if (cd->w[i].rid_len == len && memcmp(cd->w[i].rid, rid, len) == 0)
			return &cd->w[i];
	return NULL;
}

struct worker_rec *
workers_by_id(struct controld *cd, const char *id)
{
	for (int i = 0; i < WORKERS_MAX; i++)
		if (cd->w[i].id[0] != '\0' && strcmp(cd->w[i].id, id) == 0)
			return &cd->w[i];
	return NULL;
}

void
workers_retire(struct controld *cd, struct worker_rec *w)
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

void
workers_msg(struct controld *cd, const struct link_peer *from, Gw__V1__Envelope *env)
{
	struct worker_rec *w;

	if (env->body_case == GW__V1__ENVELOPE__BODY_HELLO) {
		hello_msg(cd, from, env->hello);
		return;
	}
	if ((w = workers_by_rid(cd, from->id, from->id_len)) == NULL || !w->live ||
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
		publish_snapshot(cd, w);
		break;
	case GW__V1__ENVELOPE__BODY_REPORT:
		report_msg(cd, w, env->report);
		break;
	case GW__V1__ENVELOPE__BODY_LEASE_REQUEST:
		grant_msg(cd, w, env->lease_request);
		break;
	case GW__V1__ENVELOPE__BODY_HEARTBEAT:
		break;
	case GW__V1__ENVELOPE__BODY_IKE:
		report_ike(cd, w, env->ike);
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
workers_monitor(struct controld *cd)
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
workers_poll(struct controld *cd)
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
		workers_msg(cd, &from, env);
		link_free(&env->base);
	}
}

void
workers_tick(struct controld *cd)
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
		workers_send(cd, w, &env);
	}
	if (gone)
		owners_reassign(cd, NULL);
}

void
workers_sa_stat(const struct controld *cd, uint64_t sa_id, struct sa_stat *out)
{
	memset(out, 0, sizeof(*out));
	out->sa_id = sa_id;
	for (size_t j = 0; j < cd->n_retired; j++)
		if (cd->retired[j].sa_id == sa_id)
			*out = cd->retired[j];
	for (int k = 0; k < WORKERS_MAX; k++) {
		const struct worker_rec *w = &cd->w[k];
		const struct sa_stat *s = workers_stat((struct worker_rec *)w, sa_id, false);

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
workers_drops(const struct controld *cd, uint64_t drops[DROP_MAX])
{
	for (int d = 0; d < DROP_MAX; d++) {
		drops[d] = cd->retired_drops[d];
		for (int k = 0; k < WORKERS_MAX; k++)
			drops[d] += cd->w[k].drops[d];
	}
}

void
workers_free(struct controld *cd)
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
