/* SPDX-License-Identifier: Apache-2.0 */
/* link.c: datad's side of the link (docs/design.md "The ZeroMQ link"): hello, snapshot and deltas
 * in, heartbeats and counter reports out, sequence-number leases (invariant 1). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ifaddrs.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <zmq.h>

#include "common/link.h"
#include "common/log.h"
#include "datad/worker.h"

static int
send_env(struct worker *w, Gw__V1__Envelope *env)
{
	if (link_send_env(w->link, NULL, 0, env) != 0) {
		log_debug("link send: %s", zmq_strerror(errno));
		return -1;
	}
	return 0;
}

/* An IKE message from UDP 500, or from 4500 behind the non-ESP marker, to controld, at a
 * bounded rate (it comes from anyone on the internet): IKE_PEER_PER_SEC per peer address in
 * bursts of IKE_PEER_BURST, so one peer cannot spend the others' share, and IKE_PER_SEC for
 * the worker (worker.h says how they are sized); what is shed is counted (w->ike, reported).
 * Only what has an IKE header spends the budget (RFC 2408 §3.1, RFC 7296 §3.1: 28 bytes,
 * major version 1 or 2, a Length that is the datagram's): garbage cannot starve real IKE.
 * False if it is not IKE (the caller counts it as proto); true if relayed or shed. */
bool
link_ike(struct worker *w, uint32_t local_be, uint16_t local_port, uint32_t remote_be,
    uint16_t port_be, const uint8_t *d, size_t len)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__IkeDatagram ike = GW__V1__IKE_DATAGRAM__INIT;
	const struct ike_hdr *h = (const struct ike_hdr *)d;
	uint64_t now = link_now_ms();

	if (len < sizeof(*h) || (h->version >> 4) < 1 || (h->version >> 4) > 2 ||
	    ntohl(h->len_be) != len)
		return false;
	if (now - w->ike_refill_ms >= 1000) {
		w->ike_tokens = IKE_PER_SEC;
		w->ike_refill_ms = now;
	}
	if (w->ike_tokens == 0) {
		w->ike.shed_worker++;
		return true;
	}
	if (w->ike_peers != NULL && !peer_rate_take(w->ike_peers, ntohl(remote_be), now)) {
		w->ike.shed_peer++;
		return true;
	}
	w->ike_tokens--;
	ike.local = ntohl(local_be);
	ike.local_port = local_port;
	ike.remote = ntohl(remote_be);
	ike.remote_port = ntohs(port_be);
	ike.data.data = (uint8_t *)d;
	ike.data.len = len;
	env.body_case = GW__V1__ENVELOPE__BODY_IKE;
	env.ike = &ike;
	if (send_env(w, &env) != 0)
		w->ike.shed_worker++;		/* the link is full (or down): shed here */
	else
		w->ike.relayed++;
	return true;
}

void
link_acquire(struct worker *w, const struct policy *pol, uint32_t ace, const struct flow *f)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Acquire a = GW__V1__ACQUIRE__INIT;
	const Gw__V1__Policy *m = w->gen->msg->policies[pol - w->gen->pol];

	a.generation = w->gen->generation;
	a.map = (char *)pol->map;
	a.seq = pol->seq;
	a.ace = ace;
	a.line = ace < m->n_aces ? m->aces[ace]->line : 0;
	a.local = ntohl(pol->local_be);
	a.peer = ntohl(pol->peer_be);
	a.src = f->src;
	a.dst = f->dst;
	a.proto = f->proto;
	a.sport = f->sport;
	a.dport = f->dport;
	a.tos = f->tos;
	env.body_case = GW__V1__ENVELOPE__BODY_ACQUIRE;
	env.acquire = &a;
	send_env(w, &env);
	if (log_level >= LOG_LVL_DEBUG) {
		struct in_addr s = { htonl(f->src) }, d = { htonl(f->dst) };
		char sb[INET_ADDRSTRLEN], db[INET_ADDRSTRLEN];

		log_debug("acquire: crypto map %s %u, %s -> %s proto %u ports %u -> %u",
		    pol->map, pol->seq, inet_ntop(AF_INET, &s, sb, sizeof(sb)),
		    inet_ntop(AF_INET, &d, db, sizeof(db)), f->proto, f->sport, f->dport);
	}
}

int
link_hello(struct worker *w)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Hello h = GW__V1__HELLO__INIT;
	struct ifaddrs *ifa = NULL, *i;
	uint32_t addrs[64];
	char host[64] = "";

	gethostname(host, sizeof(host) - 1);
	h.worker_id = (char *)w->o.id;
	h.host = host;
	h.pid = (uint32_t)getpid();
	h.boot = w->boot;
	h.have_generation = w->gen ? w->gen->generation : 0;
	h.udp_encap = w->udp_fd >= 0;
	h.ike = w->ike_fd >= 0;
	h.io = (char *)xdp_describe(w);
	h.tun_read = (char *)tunring_describe(w);
	if (getifaddrs(&ifa) == 0) {
		for (i = ifa; i != NULL && h.n_addrs < 64; i = i->ifa_next)
			if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
			    !(i->ifa_flags & IFF_LOOPBACK))	/* never an SA's address */
				addrs[h.n_addrs++] = ntohl(
				    ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr);
		freeifaddrs(ifa);
	}
	h.addrs = addrs;
	env.body_case = GW__V1__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	w->last_hello_ms = link_now_ms();
	return send_env(w, &env);
}

void
link_need_lease(struct worker *w, struct sa_out *sa)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__LeaseRequest r = GW__V1__LEASE_REQUEST__INIT;
	uint64_t now = link_now_ms();

	if (sa->lease_asked_ms != 0 && now - sa->lease_asked_ms < LEASE_RETRY_MS)
		return;
	sa->lease_asked_ms = now;
	r.sa_id = sa->id;
	/* controld grants by use (its lease.h): where we are in our latest block; 0 if we never
	 * had one of this SA */
	r.next = sa->seq_end != 0 ? sa->seq : 0;
	env.body_case = GW__V1__ENVELOPE__BODY_LEASE_REQUEST;
	env.lease_request = &r;
	send_env(w, &env);
}

static void
on_lease(struct worker *w, const Gw__V1__LeaseGrant *g)
{
	struct sa_out *sa = tables_sa_out(w->gen, g->sa_id);

	if (sa == NULL || g->first == 0 || g->last < g->first)
		return;
	sa->lease_asked_ms = 0;
	if (sa->seq > sa->seq_end) {
		sa->seq = g->first;
		sa->seq_end = g->last;
		sa->lease_len = g->last - g->first + 1;
	} else if (sa->next_first == 0) {
		sa->next_first = g->first;
		sa->next_last = g->last;
	}
	log_debug("lease SA %016llx: %llu..%llu", (unsigned long long)g->sa_id,
	    (unsigned long long)g->first, (unsigned long long)g->last);
}

static void
reject(struct worker *w, uint64_t generation, const char *reason)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Reject r = GW__V1__REJECT__INIT;

	log_err("generation %llu rejected: %s", (unsigned long long)generation, reason);
	r.generation = generation;
	r.reason = (char *)reason;
	env.body_case = GW__V1__ENVELOPE__BODY_REJECT;
	env.reject = &r;
	send_env(w, &env);
}

static void
ask_snapshot(struct worker *w)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__SnapshotRequest r = GW__V1__SNAPSHOT_REQUEST__INIT;
	uint64_t now = link_now_ms();

	if (w->snapshot_asked_ms != 0 && now - w->snapshot_asked_ms < SNAPSHOT_RETRY_MS)
		return;			/* one is on its way */
	w->snapshot_asked_ms = now;

	r.have_generation = w->gen ? w->gen->generation : 0;
	env.body_case = GW__V1__ENVELOPE__BODY_SNAPSHOT_REQUEST;
	env.snapshot_request = &r;
	send_env(w, &env);
}

/* Install msg (taken) as the next generation, all or nothing. */
static void
install(struct worker *w, Gw__V1__Tables *msg)
{
	struct gw_err err = { 0, "" };
	uint64_t generation = msg->generation;
	struct gen *g;

	if (w->gen != NULL && w->gen->generation == generation) {
		/* generations are unique per controld start: this one is what we run */
		link_free(&msg->base);
		w->snapshot_asked_ms = 0;
		return;
	}
	if ((g = tables_build(msg, w->o.id, w->gen, &err)) == NULL) {
		reject(w, generation, err.msg);
		return;
	}
	mtu_gen(w, g);
	if (nft_apply(w, g, &err) != 0 || route_apply(w, g, &err) != 0 ||
	    io_filter_spis(w, g, &err) != 0) {
		reject(w, generation, err.msg);
		tables_free(g);
		return;
	}
	tables_free(w->gen);
	w->gen = g;
	w->snapshot_asked_ms = 0;
	xdp_gen(w, g);			/* AF_XDP's SPIs follow the filter's */
	log_info("generation %llu applied: %u policies, %u outbound and %u inbound SAs",
	    (unsigned long long)g->generation, g->n_pol, g->n_out, g->n_in);
	for (uint32_t i = 0; i < g->n_out; i++)
		if (g->out[i].seq > g->out[i].seq_end && g->out[i].next_first == 0)
			link_need_lease(w, &g->out[i]);
}

static void
on_env(struct worker *w, Gw__V1__Envelope *env)
{
	struct gw_err err = { 0, "" };
	Gw__V1__Tables *t;

	switch (env->body_case) {
	case GW__V1__ENVELOPE__BODY_WELCOME:
		log_info("controld welcomes us at generation %llu",
		    (unsigned long long)env->welcome->generation);
		if (w->gen == NULL || w->gen->generation != env->welcome->generation)
			ask_snapshot(w);
		break;
	case GW__V1__ENVELOPE__BODY_SNAPSHOT:
		t = env->snapshot;
		env->snapshot = NULL;		/* taken */
		env->body_case = GW__V1__ENVELOPE__BODY__NOT_SET;
		install(w, t);
		break;
	case GW__V1__ENVELOPE__BODY_DELTA:
		if (w->gen == NULL || (t = tables_merge(w->gen, env->delta, &err)) == NULL) {
			log_info("delta to %llu does not apply (%s): asking for a snapshot",
			    (unsigned long long)env->delta->generation,
			    w->gen ? err.msg : "no tables yet");
			ask_snapshot(w);
			break;
		}
		install(w, t);
		break;
	case GW__V1__ENVELOPE__BODY_LEASE_GRANT:
		on_lease(w, env->lease_grant);
		break;
	case GW__V1__ENVELOPE__BODY_IKE_SEND:
		ikewire_send(w, env->ike_send);
		break;
	case GW__V1__ENVELOPE__BODY_HEARTBEAT:
		/* behind, or our last install failed: ask again (at most once a second) */
		if (w->gen == NULL || env->heartbeat->generation != w->gen->generation)
			ask_snapshot(w);
		break;
	case GW__V1__ENVELOPE__BODY_REJECT:
		/* controld does not know us (it restarted): introduce ourselves again */
		link_hello(w);
		break;
	default:
		log_debug("unexpected message %d from controld", (int)env->body_case);
		break;
	}
}

void
link_poll(struct worker *w)
{
	struct gw_err err = { 0, "" };
	Gw__V1__Envelope *env;

	for (int i = 0; i < 64; i++) {
		if ((env = link_recv_env(w->link, NULL, &err)) == NULL) {
			if (errno == EAGAIN)
				return;
			log_warn("dropped a message from controld: %s", err.msg);
			continue;
		}
		w->last_heard_ms = link_now_ms();
		on_env(w, env);
		link_free(&env->base);
	}
}

/* The replay tops of w->gen->in[] as last reported: reset (nothing reported) when the
 * generation changes.  NULL if out of memory. */
static uint64_t *
tops_sent(struct worker *w)
{
	uint64_t gen = w->gen ? w->gen->generation : 0;

	if (w->tops_sent == NULL || w->tops_gen != gen) {
		free(w->tops_sent);
		w->tops_sent = calloc(w->gen && w->gen->n_in ? w->gen->n_in : 1,
		    sizeof(*w->tops_sent));
		w->tops_gen = gen;
	}
	return w->tops_sent;
}

/* How our packets were batched (gw.v1.OffloadCounters): the numbers of the stop line
 * (main.c), for show workers. */
static void
report_offload(const struct worker *w, Gw__V1__OffloadCounters *o)
{
	o->tun_reads = w->n_tun_reads;
	o->tso = w->n_tso;
	o->tso_segs = w->n_tso_segs;
	o->uso = w->n_uso_in;
	o->uso_dgrams = w->n_uso_dgrams;
	o->tun_writes = w->n_tun_writes;
	o->coalesced = w->n_gro_pkts;
	o->coalesced_segs = w->n_gro_segs;
	o->uso_writes = w->n_uso_pkts;
	o->uso_segs = w->n_uso_segs;
	o->gso_sends = w->n_gso_sends;
	o->gso_dgrams = w->n_gso_segs;
	o->gro_reads = w->n_gro_reads;
	o->gro_dgrams = w->n_gro_dgrams;
	o->xdp_sent = w->n_xdp_tx;
	o->xdp_raw = w->n_xdp_tx_raw;
	o->xdp_refused = w->n_xdp_tx_err;
	o->tun_uso = w->tun_uso;
}

/* Counters of our SAs to controld, in parts of at most REPORT_PART_SAS (each part amends
 * controld's record of us; docs/threat-model.md: what controld takes is bounded).  With
 * tops_only, only the inbound SAs with a window whose top moved since we last said: the floor
 * a next owner starts above follows the tops closely (controld/link/report.c, note_top); false
 * if there was nothing to say. */
static bool
send_report(struct worker *w, bool tops_only)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Report r = GW__V1__REPORT__INIT;
	Gw__V1__IkeCounters ike = GW__V1__IKE_COUNTERS__INIT;
	Gw__V1__OffloadCounters off = GW__V1__OFFLOAD_COUNTERS__INIT;
	Gw__V1__SaCounters *c, **cp;
	uint32_t n = w->gen ? w->gen->n_out + w->gen->n_in : 0, k = 0;
	uint64_t *sent = tops_sent(w);
	bool any = false;

	c = calloc(REPORT_PART_SAS, sizeof(*c));
	cp = calloc(REPORT_PART_SAS, sizeof(*cp));
	if (c == NULL || cp == NULL || sent == NULL)
		goto out;
	r.generation = w->gen ? w->gen->generation : 0;
	r.boot = w->boot;
	r.n_drops = DROP_MAX;
	r.drops = w->drops;
	r.sas = cp;
	ike.relayed = w->ike.relayed;
	ike.shed_peer = w->ike.shed_peer;
	ike.shed_worker = w->ike.shed_worker;
	ike.sent = w->ike.sent;
	ike.send_failed = w->ike.send_failed;
	ike.acquires = w->ike.acquires;
	ike.acquires_held = w->ike.acquires_held;
	ike.acquires_shed = w->ike.acquires_shed;
	r.ike = &ike;
	report_offload(w, &off);
	r.offload = &off;
	env.body_case = GW__V1__ENVELOPE__BODY_REPORT;
	env.report = &r;
	for (uint32_t i = 0; i < n; i++) {
		bool out = i < w->gen->n_out;
		const struct sa_out *o = out ? &w->gen->out[i] : NULL;
		const struct sa_in *in = out ? NULL : &w->gen->in[i - w->gen->n_out];
		const struct sa_ctr *ctr = out ? &o->ctr : &in->ctr;

		if (in != NULL && !in->mine)
			continue;
		if (tops_only && (out || in->replay.size == 0 ||
		    in->replay.top == sent[i - w->gen->n_out]))
			continue;
		gw__v1__sa_counters__init(&c[k]);
		c[k].sa_id = out ? o->id : in->id;
		c[k].pkts = ctr->pkts;
		c[k].bytes = ctr->bytes;
		c[k].seq_top = out ? (o->seq > 0 ? o->seq - 1 : 0) : in->replay.top;
		c[k].path_mtu = out ? o->path_mtu : 0;
		c[k].media_mtu = out ? o->media_mtu : 0;
		c[k].n_drops = DROP_MAX;
		c[k].drops = (uint64_t *)ctr->drops;
		cp[k] = &c[k];
		k++;
		if (in != NULL)
			sent[i - w->gen->n_out] = in->replay.top;
		if (k == REPORT_PART_SAS) {
			r.n_sas = k;
			send_env(w, &env);
			any = true;
			k = 0;
		}
	}
	if (k > 0 || (!tops_only && !any)) {	/* the last part, or an empty heartbeat */
		r.n_sas = k;
		send_env(w, &env);
		any = true;
	}
out:
	free(c);
	free(cp);
	return any;
}

/* The drop events since the last (worker.h, struct drop_event): one message of at most
 * EV_MAX events, nothing when there were none. */
static void
send_events(struct worker *w)
{
	static const uint32_t reason[EV_MAX] = { DROP_NO_SA, DROP_REPLAY, DROP_ICV };
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__DropEvents m = GW__V1__DROP_EVENTS__INIT;
	Gw__V1__DropEvent ev[EV_MAX], *evp[EV_MAX];
	size_t n = 0;

	for (int k = 0; k < EV_MAX; k++) {
		const struct drop_event *e = &w->ev[k];

		if (e->count == 0)
			continue;
		gw__v1__drop_event__init(&ev[n]);
		ev[n].drop = reason[k];
		ev[n].proto = e->proto;
		ev[n].spi = ntohl(e->spi_be);
		ev[n].src = ntohl(e->src_be);
		ev[n].dst = ntohl(e->dst_be);
		ev[n].seq = e->seq;
		ev[n].sa_id = e->sa_id;
		ev[n].count = e->count;
		evp[n] = &ev[n];
		n++;
	}
	if (n == 0)
		return;
	memset(w->ev, 0, sizeof(w->ev));
	m.boot = w->boot;
	m.n_events = n;
	m.events = evp;
	env.body_case = GW__V1__ENVELOPE__BODY_DROP_EVENTS;
	env.drop_events = &m;
	send_env(w, &env);
}

void
link_tick(struct worker *w)
{
	uint64_t now = link_now_ms();

	if (now - w->last_events_ms >= EVENTS_MS) {
		w->last_events_ms = now;
		send_events(w);
	}

	if (now - w->last_nft_ms >= 2000 && w->gen != NULL) {
		w->last_nft_ms = now;
		nft_check(w);
	}
	if (now - w->last_report_ms >= HEARTBEAT_MS) {
		if ((w->udp_fd < 0 || w->ike_fd < 0) && io_udp_retry(w))
			link_hello(w);	/* controld moves the ESP-in-UDP SAs and IKE here */
		w->last_report_ms = now;
		w->last_tops_ms = now;
		send_report(w, false);	/* doubles as our heartbeat */
	} else if (now - w->last_tops_ms >= TOPS_MS && w->gen != NULL) {
		w->last_tops_ms = now;
		send_report(w, true);
	}
	if (now - w->last_heard_ms > DEAD_MS && now - w->last_hello_ms > DEAD_MS) {
		if (w->last_heard_ms != 0)
			log_warn("controld silent for %llu ms: forwarding with generation %llu, "
			    "saying hello again", (unsigned long long)(now - w->last_heard_ms),
			    (unsigned long long)(w->gen ? w->gen->generation : 0));
		link_hello(w);
	}
	/* RFC 3948 §2.3: keep NAT mappings of UDP-encapsulated SAs alive (one byte 0xFF) */
	if (w->udp_fd >= 0 && w->gen != NULL && now - w->last_keepalive_ms >= 20000) {
		w->last_keepalive_ms = now;
		for (uint32_t i = 0; i < w->gen->n_out; i++) {
			const struct sa_out *sa = &w->gen->out[i];
			struct sockaddr_in to = { .sin_family = AF_INET,
			    .sin_port = sa->udp_port_be, .sin_addr.s_addr = sa->peer_be };

			if (sa->udp_port_be != 0)
				sendto(w->udp_fd, "\xff", 1, MSG_DONTWAIT, (struct sockaddr *)&to,
				    sizeof(to));
		}
	}
	/* an SA still waiting for its lease asks again */
	for (uint32_t i = 0; w->gen != NULL && i < w->gen->n_out; i++) {
		struct sa_out *sa = &w->gen->out[i];

		if (sa->lease_asked_ms != 0 && now - sa->lease_asked_ms >= LEASE_RETRY_MS)
			link_need_lease(w, sa);
	}
}
