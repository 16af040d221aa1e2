/* SPDX-License-Identifier: Apache-2.0 */
/* workers.c: the worker link's socket and the workers' records (docs/design.md "The ZeroMQ link":
 * the Clone pattern over ROUTER/DEALER).  Reads what workers send and hands each message to its
 * concern (hello.c, report.c, grant.c, ikewire.c), sends heartbeats, and presumes a worker
 * dead as soon as its connection ends (the socket monitor), or else after WORKER_DEAD_MS of
 * silence: its inbound SAs then move (owners.c; docs/design.md invariant 2, docs/adr/0013).
 * A worker's record keeps its lease blocks per SA, bounded by the tables whatever it sends;
 * its counts are kept by the SAD, with each SA, under the worker's slot (the index of its
 * record), and go to the SA's retired sums when the worker restarts or its slot is reused.
 *
 * Whatever reaches the link socket is untrusted (docs/threat-model.md): each refusal is
 * counted (show workers) and logged at a limited rate. */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zmq.h>

#include "common/log.h"
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
	if (link_send_env(cd->link.sock, w->rid, w->rid_len, env) != 0) {
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

	cd->link.refused[why]++;
	if (w != NULL)
		w->refused[why]++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_rl(&rl[why], LOG_LVL_WARN, "link: refused (%s): %s", refuse_name[why], msg);
}

/* ---- A worker's record, its lease holds, its slot ---- */

unsigned
workers_slot(const struct controld *cd, const struct worker_rec *w)
{
	return (unsigned)(w - cd->link.w);
}

uint64_t
workers_live(const struct controld *cd)
{
	uint64_t live = 0;

	for (int k = 0; k < WORKERS_MAX; k++)
		live |= (uint64_t)cd->link.w[k].live << k;
	return live;
}

struct sa *
workers_sa(const struct controld *cd, uint64_t sa_id)
{
	struct sa *sa = sad_find(&cd->sad, sa_id);

	return sa != NULL && sa_in_tables(sa) ? sa : NULL;
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

/* Forget the holds of SAs that left the tables: what a worker keeps is bounded by the
 * tables, whatever it sends (its counts live and die with the SAs, in the SAD). */
void
workers_prune(struct controld *cd, struct worker_rec *w)
{
	size_t k = 0;

	for (size_t i = 0; i < w->n_holds; i++)
		if (workers_sa(cd, w->holds[i].sa_id) != NULL)
			w->holds[k++] = w->holds[i];
	w->n_holds = k;
}

struct worker_rec *
workers_by_rid(struct controld *cd, const uint8_t *rid, size_t len)
{
	for (int i = 0; i < WORKERS_MAX; i++)
		if (cd->link.w[i].rid_len == len && memcmp(cd->link.w[i].rid, rid, len) == 0)
			return &cd->link.w[i];
	return NULL;
}

struct worker_rec *
workers_by_id(struct controld *cd, const char *id)
{
	for (int i = 0; i < WORKERS_MAX; i++)
		if (cd->link.w[i].id[0] != '\0' && strcmp(cd->link.w[i].id, id) == 0)
			return &cd->link.w[i];
	return NULL;
}

void
workers_proc(struct worker_rec *w, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	int pidfd;

	workers_proc_forget(w);
	/* ZeroMQ's I/O thread owns fd; reading an option of it is harmless */
	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 || cr.pid <= 0 ||
	    (pidfd = pidfd_open(cr.pid, 0)) < 0)
		return;			/* tcp://, or a kernel without pidfd_open (5.3) */
	w->pidfd = pidfd;
	w->has_proc = true;
}

void
workers_proc_forget(struct worker_rec *w)
{
	if (w->has_proc)
		close(w->pidfd);
	w->has_proc = false;
	w->pidfd = -1;
}

void
workers_retire(struct controld *cd, struct worker_rec *w)
{
	sad_retire(&cd->sad, workers_slot(cd, w));
	for (int d = 0; d < DROP_MAX; d++)
		cd->link.retired_drops[d] += w->drops[d];
	memset(w->drops, 0, sizeof(w->drops));
	memset(&w->ike_ctr, 0, sizeof(w->ike_ctr));	/* a new boot counts afresh */
	free(w->holds);			/* a new boot's blocks start afresh (its old ones burn) */
	w->holds = NULL;
	w->n_holds = 0;
	workers_proc_forget(w);
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
		link_send_env(cd->link.sock, from->id, from->id_len, &r);
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
		ikewire_msg(cd, w, env->ike);
		break;
	case GW__V1__ENVELOPE__BODY_ACQUIRE:
		ikewire_acquire_msg(cd, w, env->acquire);
		break;
	case GW__V1__ENVELOPE__BODY_DROP_EVENTS:
		events_msg(cd, w, env->drop_events);
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

/* ---- Workers gone: silent too long, or their connection ended ---- */

/* w is gone: it no longer owns anything (owners_reassign, by the caller, moves its SAs). */
static void __attribute__((format(printf, 2, 3)))
presume_dead(struct worker_rec *w, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_warn("worker %s %s: presumed dead", w->id, why);
	w->live = false;
}

/* Connections of the link socket that end: a worker exited, or the socket cut one off for a
 * message over LINK_MAX_TO_CONTROLD or a protocol error (ZeroMQ tells no more).  A worker's
 * death is seen here at once (the kernel closes its ipc:// or tcp:// connection, even on kill
 * -9), where its silence takes WORKER_DEAD_MS (docs/adr/0013). */
void
workers_monitor(struct controld *cd)
{
	const char *ep = "inproc://controld-link-monitor";

	/* (refused CURVE handshakes are counted by the ZAP handler) */
	if (zmq_socket_monitor(cd->link.sock, ep, ZMQ_EVENT_DISCONNECTED |
	    ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) != 0 ||
	    (cd->link.mon = zmq_socket(cd->zctx, ZMQ_PAIR)) == NULL ||
	    zmq_connect(cd->link.mon, ep) != 0) {
		log_warn("link monitor: %s (disconnects will not be counted, a dead worker is "
		    "seen after %d ms of silence)", zmq_strerror(errno), WORKER_DEAD_MS);
		if (cd->link.mon != NULL)
			zmq_close(cd->link.mon);
		cd->link.mon = NULL;
	}
}

void
workers_monitor_stop(struct controld *cd)
{
	if (cd->link.mon == NULL)
		return;
	zmq_socket_monitor(cd->link.sock, NULL, 0);	/* no more events from here on */
	zmq_close(cd->link.mon);
	cd->link.mon = NULL;
}

/* Has w's connection left the link socket?  The monitor names a connection that ended by its
 * descriptor, which the kernel may already have given to a new one (the same worker back, or
 * another client), and a ROUTER says nothing of which routing id it had.  So ask the socket:
 * with ZMQ_ROUTER_MANDATORY a send to a routing id without a connection fails, EHOSTUNREACH.
 * ZeroMQ's I/O thread tears the connection's pipe down a moment after the event (well under a
 * millisecond here), so ask until it has, for WORKER_GONE_PROBE_MS at most, then take w for
 * alive: the descriptor was reused.  The question is a heartbeat, harmless to a live w. */
static bool
conn_gone(struct controld *cd, struct worker_rec *w)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Heartbeat hb = GW__V1__HEARTBEAT__INIT;
	uint64_t until = link_now_ms() + WORKER_GONE_PROBE_MS;
	int on = 1, off = 0, events;
	size_t sz = sizeof(events);
	bool gone = false;

	hb.generation = cd->link.gen;
	env.body_case = GW__V1__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	if (zmq_setsockopt(cd->link.sock, ZMQ_ROUTER_MANDATORY, &on, sizeof(on)) != 0)
		return false;
	for (;;) {
		/* reading ZMQ_EVENTS runs the socket's pending commands: a pipe's end among them */
		zmq_getsockopt(cd->link.sock, ZMQ_EVENTS, &events, &sz);
		if (link_send_env(cd->link.sock, w->rid, w->rid_len, &env) != 0 &&
		    errno == EHOSTUNREACH) {
			gone = true;
			break;
		}
		if (link_now_ms() >= until)
			break;
		usleep(1000);
	}
	zmq_setsockopt(cd->link.sock, ZMQ_ROUTER_MANDATORY, &off, sizeof(off));
	return gone;
}

/* Has w's process exited?  Its connection closes as the kernel closes its files, a moment
 * before it becomes a zombie (the pidfd readable): wait WORKER_GONE_PROBE_MS at most. */
static bool
proc_exited(const struct worker_rec *w)
{
	struct pollfd p = { .fd = w->pidfd, .events = POLLIN };

	return poll(&p, 1, WORKER_GONE_PROBE_MS) == 1;
}

/* The connection with descriptor fd ended: the live worker whose connection it was, if its
 * connection is really gone (conn_gone) and, on ipc://, its process too, else NULL.  A worker
 * that lives on (ZeroMQ cut its connection: a message over LINK_MAX_TO_CONTROLD) still
 * forwards with its tables: to presume it dead would give its inbound SAs a second owner
 * until it says hello again (invariant 2), so it stays live until it does, or falls silent
 * for WORKER_DEAD_MS.  On tcp:// there is no process to ask, and a reset may cut a live
 * worker off: its silence decides, as before (docs/adr/0013). */
static struct worker_rec *
gone_by_fd(struct controld *cd, int fd)
{
	for (int k = 0; k < WORKERS_MAX; k++) {
		struct worker_rec *w = &cd->link.w[k];

		if (!w->live || w->fd != fd || fd < 0)
			continue;
		if (!conn_gone(cd, w))
			return NULL;		/* fd was given to a new connection */
		if (!w->has_proc) {
			/* tcp://: no process to ask; a reset may have cut a live worker off */
			log_info("worker %s: its link connection ended; no process to ask "
			    "(tcp://): presumed dead only after %d ms of silence", w->id,
			    WORKER_DEAD_MS);
			return NULL;
		}
		if (!proc_exited(w)) {
			log_info("worker %s: its link connection ended but its process lives on: "
			    "not presumed dead (it says hello again, or falls silent)", w->id);
			return NULL;
		}
		return w;
	}
	return NULL;
}

/* The monitor's events: connections ended, counted; the workers whose connection it was, a
 * bit per slot (presumed dead by the caller once it has read what they sent before). */
static uint64_t
monitor_poll(struct controld *cd)
{
	static struct log_rl rl;
	uint64_t gone = 0;
	zmq_msg_t m;

	for (int i = 0; cd->link.mon != NULL && i < 64; i++) {
		struct worker_rec *w;
		uint16_t ev = 0;
		uint32_t fd = UINT32_MAX;
		int more = 0;
		size_t sz = sizeof(more);

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, cd->link.mon, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			break;
		}
		if (zmq_msg_size(&m) >= 6) {	/* event (16 bits), value (32: the fd) */
			memcpy(&ev, zmq_msg_data(&m), 2);
			memcpy(&fd, (const uint8_t *)zmq_msg_data(&m) + 2, 4);
		}
		zmq_msg_close(&m);
		while (zmq_getsockopt(cd->link.mon, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
			zmq_msg_init(&m);
			zmq_msg_recv(&m, cd->link.mon, 0);
			zmq_msg_close(&m);
		}
		if (ev != ZMQ_EVENT_DISCONNECTED) {
			cd->link.refused[REFUSE_BAD_MSG]++;
			continue;
		}
		cd->link.disconnects++;
		if ((w = gone_by_fd(cd, (int)fd)) != NULL) {
			gone |= (uint64_t)1 << workers_slot(cd, w);
			continue;
		}
		log_rl(&rl, LOG_LVL_INFO, "link: a connection ended (a worker exited, or "
		    "sent more than %d bytes or broke the protocol)", LINK_MAX_TO_CONTROLD);
	}
	return gone;
}

void
workers_poll(struct controld *cd)
{
	static struct log_rl rl;
	struct link_peer from;
	struct gw_err err = { 0, "" };
	Gw__V1__Envelope *env;
	uint64_t gone = monitor_poll(cd);

	/* what the gone sent before its connection ended is read first (its last tops raise
	 * the floors its SAs move with: owners.c) */
	for (int i = 0; i < 256; i++) {
		if ((env = link_recv_env(cd->link.sock, &from, &err)) == NULL) {
			if (errno == EAGAIN)
				break;
			cd->link.refused[REFUSE_BAD_MSG]++;
			log_rl(&rl, LOG_LVL_WARN, "dropped a link message: %s", err.msg);
			continue;
		}
		workers_msg(cd, &from, env);
		link_free(&env->base);
	}
	grant_flush(cd);
	if (gone == 0)
		return;
	for (int k = 0; k < WORKERS_MAX; k++) {
		if ((gone >> k & 1) == 0 || !cd->link.w[k].live)
			continue;
		presume_dead(&cd->link.w[k], "(pid %u): its link connection ended",
		    cd->link.w[k].pid);
		cd->link.gone++;
	}
	owners_reassign(cd, NULL);		/* its SAs move now, the new owners told */
}

void
workers_tick(struct controld *cd)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Heartbeat hb = GW__V1__HEARTBEAT__INIT;
	uint64_t now = link_now_ms();
	bool gone = false;

	if (now - cd->link.last_tick_ms < CTL_HEARTBEAT_MS)
		return;
	cd->link.last_tick_ms = now;
	{
		struct gw_err err;

		if (lease_flush(&cd->link.floors, &err) != 0)
			log_warn("replay floors not saved: %s", err.msg);
		cd->link.floors_flushed_ms = now;
		if (cd->link.owners_dirty && owners_save(cd, false, &err) != 0)
			log_warn("inbound SA owners not saved: %s", err.msg);
	}
	hb.generation = cd->link.gen;
	env.body_case = GW__V1__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	for (int k = 0; k < WORKERS_MAX; k++) {
		struct worker_rec *w = &cd->link.w[k];

		if (!w->live)
			continue;
		if (now - w->last_ms > WORKER_DEAD_MS) {
			presume_dead(w, "silent for %" PRIu64 " ms", now - w->last_ms);
			gone = true;
			continue;
		}
		workers_send(cd, w, &env);
	}
	if (gone)
		owners_reassign(cd, NULL);
}

void
workers_drops(const struct controld *cd, uint64_t drops[DROP_MAX])
{
	for (int d = 0; d < DROP_MAX; d++) {
		drops[d] = cd->link.retired_drops[d];
		for (int k = 0; k < WORKERS_MAX; k++)
			drops[d] += cd->link.w[k].drops[d];
	}
}

void
workers_free(struct controld *cd)
{
	for (int k = 0; k < WORKERS_MAX; k++) {
		free(cd->link.w[k].holds);
		cd->link.w[k].holds = NULL;
		cd->link.w[k].n_holds = 0;
		workers_proc_forget(&cd->link.w[k]);
	}
	if (cd->link.sent != NULL)
		link_free(&cd->link.sent->base);
	cd->link.sent = NULL;
	free(cd->link.owners_was);
	cd->link.owners_was = NULL;
	cd->link.n_owners_was = 0;
}
