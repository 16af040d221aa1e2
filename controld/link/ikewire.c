/* SPDX-License-Identifier: Apache-2.0 */
/* ikewire.c: IKE through the workers (docs/design.md "The ZeroMQ link", IKE on the wire).  controld
 * never touches the network: IKE messages arrive relayed by the worker that holds UDP 500 or 4500
 * (IkeDatagram), leave through the worker that holds the local address and port (IkeSend), and
 * traffic that needs an SA arrives as an acquire.  This file checks each against what a worker may
 * say, limits the relay per peer address, and hands them to the hooks of whoever owns IKE
 * (link_set_ike_hooks); without hooks they are counted and dropped.  Every drop is counted (show
 * workers): what arrives is untrusted (docs/threat-model.md), from the worker and, behind it, from
 * anyone on the internet. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "common/log.h"
#include "common/pkt.h"
#include "controld/link/worker.h"

void
link_set_ike_hooks(struct link_state *l, link_ike_input_fn *input, link_acquire_fn *acquire,
    void *ctx)
{
	l->ike_input = input;
	l->ike_acquire = acquire;
	l->ike_ctx = ctx;
}

/* An IKE header that says the message is len bytes (RFC 2408 §3.1, RFC 7296 §3.1: 28 bytes,
 * major version 1 or 2). */
static bool
ike_shaped(const uint8_t *d, size_t len)
{
	uint32_t n;

	if (len < sizeof(struct ike_hdr))
		return false;
	n = (uint32_t)d[24] << 24 | (uint32_t)d[25] << 16 | (uint32_t)d[26] << 8 | d[27];
	return n == len && (d[17] >> 4) >= 1 && (d[17] >> 4) <= 2;
}

static const char *
ip(uint32_t a, char *buf)
{
	struct in_addr ia = { htonl(a) };

	return inet_ntop(AF_INET, &ia, buf, INET_ADDRSTRLEN);
}

void
ikewire_msg(struct controld *cd, const struct worker_rec *w, const Gw__V1__IkeDatagram *ike)
{
	struct link_state *l = &cd->link;
	const uint8_t *d = ike->data.data;
	char rb[INET_ADDRSTRLEN];
	struct link_ike_dgram g;

	if (!ike_shaped(d, ike->data.len) || ike->local_port > 65535 ||
	    ike->remote_port > 65535) {
		l->ike_bad++;
		log_debug("IKE from %s:%u via %s: not an IKE message (%zu bytes), dropped",
		    ip(ike->remote, rb), ike->remote_port, w->id, ike->data.len);
		return;
	}
	if (l->ike_peers.rate == 0)
		peer_rate_init(&l->ike_peers, LINK_IKE_PEER_PER_SEC, LINK_IKE_PEER_BURST);
	if (!peer_rate_take(&l->ike_peers, ike->remote, link_now_ms())) {
		static struct log_rl rl;

		l->ike_shed++;
		log_rl(&rl, LOG_LVL_INFO, "IKE from %s: more than %d a second from that address, "
		    "shed", ip(ike->remote, rb), LINK_IKE_PEER_PER_SEC);
		return;
	}
	l->ike_in++;
	if (l->ike_input == NULL) {
		l->ike_unhandled++;
		log_debug("IKE v%u exchange %u from %s:%u via %s (%zu bytes): no IKE engine, "
		    "dropped", d[17] >> 4, d[18], ip(ike->remote, rb), ike->remote_port, w->id,
		    ike->data.len);
		return;
	}
	g.local = ike->local;
	g.local_port = (uint16_t)ike->local_port;
	g.remote = ike->remote;
	g.remote_port = (uint16_t)ike->remote_port;
	g.msg = d;
	g.len = ike->data.len;
	g.worker = w->id;
	l->ike_input(l->ike_ctx, &g);
}

/* The entry map/seq of the running SPD, or NULL. */
static const struct policy *
spd_entry(const struct controld *cd, const char *map, uint32_t seq)
{
	const struct spd *spd = cd->conf.spd;

	for (size_t i = 0; spd != NULL && i < spd->n; i++)
		if (spd->v[i].seq == seq && strcmp(spd->v[i].map, map) == 0)
			return &spd->v[i];
	return NULL;
}

/* The worker's acquire is believed only as far as the SPD confirms it: the entry exists, is
 * ipsec-isakmp, and the first entry of its list that the flow matches is a permit (which one
 * is ours to say, not the worker's: its tables may be a generation behind). */
void
ikewire_acquire_msg(struct controld *cd, struct worker_rec *w, const Gw__V1__Acquire *a)
{
	struct link_state *l = &cd->link;
	struct link_acquire q;
	const struct policy *pol;
	char sb[INET_ADDRSTRLEN], db[INET_ADDRSTRLEN];
	uint64_t now = link_now_ms();
	size_t i;

	if (now - w->acq_refill_ms >= 1000) {
		w->acq_tokens = LINK_ACQUIRE_PER_SEC;
		w->acq_refill_ms = now;
	}
	if (w->acq_tokens == 0) {
		refuse(cd, w, REFUSE_ACQUIRE_FAST, "worker %s: more than %d acquires a second",
		    w->id, LINK_ACQUIRE_PER_SEC);
		return;
	}
	w->acq_tokens--;
	if (a->proto > 255 || a->sport > 65535 || a->dport > 65535 || a->tos > 255) {
		refuse(cd, w, REFUSE_ACQUIRE, "worker %s: acquire with a flow out of range", w->id);
		return;
	}
	memset(&q, 0, sizeof(q));
	q.flow.src = a->src;
	q.flow.dst = a->dst;
	q.flow.proto = (uint8_t)a->proto;
	q.flow.tos = (uint8_t)a->tos;
	q.flow.sport = (uint16_t)a->sport;
	q.flow.dport = (uint16_t)a->dport;
	q.flow.has_ports = a->proto == 6 || a->proto == 17 || a->proto == 132;
	q.worker = w->id;
	if ((pol = spd_entry(cd, a->map, a->seq)) == NULL || pol->kind != POLICY_ISAKMP) {
		refuse(cd, w, REFUSE_ACQUIRE, "worker %s: acquire for crypto map %.32s %u, which "
		    "is no ipsec-isakmp entry", w->id, a->map, a->seq);
		return;
	}
	for (i = 0; i < pol->n_aces && !sel_match(&pol->aces[i].sel, &q.flow); i++)
		;
	if (i == pol->n_aces || !pol->aces[i].permit) {
		refuse(cd, w, REFUSE_ACQUIRE, "worker %s: acquire for crypto map %s %u: %s -> %s "
		    "proto %u is not permitted by its list", w->id, pol->map, pol->seq,
		    ip(a->src, sb), ip(a->dst, db), a->proto);
		return;
	}
	q.pol = pol;
	q.ace = i;
	l->acq_in++;
	if (l->ike_acquire == NULL) {
		l->acq_unhandled++;
		log_debug("acquire from %s: crypto map %s %u, %s -> %s proto %u: no IKE engine, "
		    "dropped", w->id, pol->map, pol->seq, ip(a->src, sb), ip(a->dst, db),
		    a->proto);
		return;
	}
	l->ike_acquire(l->ike_ctx, &q);
}

/* Does w hold lport on its host? */
static bool
holds(const struct worker_rec *w, uint16_t lport)
{
	return w->live && (lport == IKE_PORT ? w->ike : lport == UDP_ENCAP_PORT && w->udp_encap);
}

static bool
has_addr(const struct worker_rec *w, uint32_t a)
{
	for (size_t i = 0; i < w->n_addrs; i++)
		if (w->addrs[i] == a)
			return true;
	return false;
}

/* The worker to send from local:lport: a holder of the port with that address; else, local 0
 * or an address no worker claimed (on lo, say), the holder if there is exactly one. */
static struct worker_rec *
sender(struct controld *cd, uint32_t local, uint16_t lport)
{
	struct worker_rec *only = NULL;
	unsigned n = 0;
	bool claimed = false;

	for (int k = 0; k < WORKERS_MAX; k++) {
		struct worker_rec *w = &cd->link.w[k];

		if (local != 0 && w->live && has_addr(w, local)) {
			claimed = true;
			if (holds(w, lport))
				return w;
		}
		if (holds(w, lport)) {
			only = w;
			n++;
		}
	}
	return !claimed && n == 1 ? only : NULL;
}

bool
link_ike_send(struct controld *cd, uint32_t local, uint16_t lport, uint32_t remote,
    uint16_t rport, const uint8_t *msg, size_t len)
{
	static struct log_rl rl;
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__IkeSend s = GW__V1__IKE_SEND__INIT;
	struct worker_rec *w = NULL;
	char lb[INET_ADDRSTRLEN], rb[INET_ADDRSTRLEN];
	const char *why = "no live worker holds that address and port";

	if (!ike_shaped(msg, len) || remote == 0 || rport == 0)
		why = "not an IKE message, or no destination";
	else if ((w = sender(cd, local, lport)) != NULL) {
		s.local = local;
		s.local_port = lport;
		s.remote = remote;
		s.remote_port = rport;
		s.data.data = (uint8_t *)msg;
		s.data.len = len;
		env.body_case = GW__V1__ENVELOPE__BODY_IKE_SEND;
		env.ike_send = &s;
		if (workers_send(cd, w, &env) == 0) {
			cd->link.ike_sent++;
			return true;
		}
		why = "the link to the worker refused it";
	}
	cd->link.ike_send_failed++;
	log_rl(&rl, LOG_LVL_WARN, "IKE to %s:%u from %s:%u not sent: %s", ip(remote, rb), rport,
	    ip(local, lb), lport, why);
	return false;
}

void
link_show_ike(const struct controld *cd, FILE *out)
{
	const struct link_state *l = &cd->link;

	fprintf(out, "IKE messages relayed by workers: %" PRIu64 " (and %" PRIu64 " that were not "
	    "IKE, %" PRIu64 " shed by the per-peer limit); %s\n", l->ike_in, l->ike_bad,
	    l->ike_shed, l->ike_input != NULL ? "to the IKE engine" : "no IKE engine: dropped");
	fprintf(out, "IKE messages sent through workers: %" PRIu64 " (%" PRIu64 " not sent: no "
	    "worker for the address and port)\n", l->ike_sent, l->ike_send_failed);
	fprintf(out, "Acquires from workers: %" PRIu64 " (%" PRIu64 " refused)%s\n", l->acq_in,
	    l->refused[REFUSE_ACQUIRE], l->ike_acquire != NULL ? "; to the IKE engine" :
	    "; no IKE engine: dropped");
	for (int k = 0; k < WORKERS_MAX; k++) {
		const struct worker_rec *w = &l->w[k];
		const struct link_ike_ctr *c = &w->ike_ctr;

		if (w->id[0] == '\0')
			continue;
		fprintf(out, "  %s: port 500 %s, 4500 %s; relayed %" PRIu64 ", shed %" PRIu64
		    " per peer, %" PRIu64 " per worker; sent %" PRIu64 ", failed %" PRIu64
		    "; acquires %" PRIu64 ", held %" PRIu64 ", shed %" PRIu64 "\n", w->id,
		    w->ike ? "held" : "not held", w->udp_encap ? "held" : "not held", c->relayed,
		    c->shed_peer, c->shed_worker, c->sent, c->send_failed, c->acquires,
		    c->acquires_held, c->acquires_shed);
	}
	fprintf(out, "\n");
}
