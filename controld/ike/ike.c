/* SPDX-License-Identifier: Apache-2.0 */
/* ike.c: the engine itself: its configuration (the SPD copied, the conf borrowed), the
 * dispatch of a received datagram to its exchange (after the header, the message ID and the
 * Encrypted payload's ICV are checked, RFC 7296 §2.2, §3.14), sending with
 * the request kept for retransmission (§2.1: only the exchange's initiator retransmits,
 * doubling the wait) and the response kept to answer a retransmitted request (§2.1), the
 * timers (liveness checks periodic or on demand, from the workers' packet counts), the flows
 * that wait for a busy IKE SA (window of one: ike_sa_kick starts the next request when the
 * exchange in flight ends), and what show and clear read.  Keeps docs/design.md "IKE",
 * Untrusted input: a message that is not from an established peer and not an IKE_SA_INIT
 * request costs nothing but a counter; a peer's queue of flows is bounded (IKE_PENDING_MAX). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/log.h"
#include "controld/ike/ikesa.h"

static const char *const ctr_text[] = {
#define X(n, t) t,
	IKE_CTR_LIST(X)
#undef X
};

const char *
ike_ctr_text(enum ike_ctr c)
{
	return c < IKE_CTR_MAX ? ctr_text[c] : "?";
}

void
ike_count(struct ike *ike, enum ike_ctr c)
{
	ike->ctr[c]++;
}

/* ---------------------------------------------------------------- life and configuration */

struct ike *
ike_new(const struct ike_io *io, struct gw_err *err)
{
	struct ike *ike = calloc(1, sizeof(*ike));

	if (ike == NULL) {
		gw_fail(err, 0, "out of memory");
		return NULL;
	}
	ike->io = *io;
	ike->cookie_threshold = IKE_HALF_OPEN_COOKIE;
	if (ike_random(ike->cookie_secret, sizeof(ike->cookie_secret)) != 0) {
		free(ike);
		gw_fail(err, 0, "no random bytes");
		return NULL;
	}
	return ike;
}

static void
spd_clear(struct spd *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].aces);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

void
ike_free(struct ike *ike)
{
	if (ike == NULL)
		return;
	while (ike->sas != NULL)
		ikesa_free(ike, ike->sas, false);
	spd_clear(&ike->spd);
	EVP_PKEY_free(ike->rsa);
	OPENSSL_cleanse(ike, sizeof(*ike));
	free(ike);
}

int
ike_set_conf(struct ike *ike, const struct conf *c, const struct spd *spd, struct gw_err *err)
{
	struct spd ns = { NULL, 0 };

	if (spd != NULL && spd->n > 0) {
		if ((ns.v = calloc(spd->n, sizeof(*ns.v))) == NULL)
			goto oom;
		for (; ns.n < spd->n; ns.n++) {
			const struct policy *p = &spd->v[ns.n];

			ns.v[ns.n] = *p;
			ns.v[ns.n].aces = calloc(p->n_aces + 1, sizeof(*p->aces));
			if (ns.v[ns.n].aces == NULL)
				goto oom;
			memcpy(ns.v[ns.n].aces, p->aces, p->n_aces * sizeof(*p->aces));
		}
	}
	spd_clear(&ike->spd);
	ike->conf = c;
	ike->spd = ns;
	return 0;
oom:
	spd_clear(&ns);
	return gw_fail(err, 0, "out of memory");
}

void
ike_set_cookie_threshold(struct ike *ike, unsigned n)
{
	ike->cookie_threshold = n;
}

void
ike_set_rsa_key(struct ike *ike, EVP_PKEY *key)
{
	if (key != NULL && EVP_PKEY_up_ref(key) != 1)
		key = NULL;
	EVP_PKEY_free(ike->rsa);
	ike->rsa = key;
}

void
ike_set_debug_keys(struct ike *ike, bool on)
{
	ike->debug_keys = on;
}

static void
hex(char *out, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	out[2 * len] = '\0';
}

void
ike_log_keys(const struct ike *ike, const struct ike_sa *sa)
{
	char si[17], sr[17], ei[129], er[129], ai[129], ar[129];
	const struct key *k[4] = { &sa->k.ei, &sa->k.er, &sa->k.ai, &sa->k.ar };
	char *o[4] = { ei, er, ai, ar };

	if (!ike->debug_keys || log_level < LOG_LVL_DEBUG)
		return;
	hex(si, sa->spi_i, IKE_SPI_LEN);
	hex(sr, sa->spi_r, IKE_SPI_LEN);
	for (int i = 0; i < 4; i++)
		hex(o[i], k[i]->b, k[i]->len);
	log_debug("ikev2 keys %s %s encr %u/%u integ %u sk_ei %s sk_er %s sk_ai %s sk_ar %s", si,
	    sr, sa->algs.encr, sa->algs.bits, sa->algs.integ, ei, er, ai[0] ? ai : "-",
	    ar[0] ? ar : "-");
	OPENSSL_cleanse(ei, sizeof(ei));
	OPENSSL_cleanse(er, sizeof(er));
	OPENSSL_cleanse(ai, sizeof(ai));
	OPENSSL_cleanse(ar, sizeof(ar));
}

void
ike_log_child_keys(const struct ike *ike, const struct ike_child *c)
{
	char e[129], a[129];

	if (!ike->debug_keys || log_level < LOG_LVL_DEBUG)
		return;
	for (int dir = 0; dir < 2; dir++) {
		const struct key *ek = dir == 0 ? &c->ke_in : &c->ke_out;
		const struct key *ak = dir == 0 ? &c->ka_in : &c->ka_out;

		hex(e, ek->b, ek->len);
		hex(a, ak->b, ak->len);
		log_debug("ikev2 child keys %s %08x encr %s auth %s", dir == 0 ? "in" : "out",
		    dir == 0 ? c->spi_in : c->spi_out, e[0] ? e : "-", a[0] ? a : "-");
	}
	OPENSSL_cleanse(e, sizeof(e));
	OPENSSL_cleanse(a, sizeof(a));
}

const struct conf_ikev2_profile *
ike_profile_find(const struct ike *ike, const char *name)
{
	for (size_t i = 0; ike->conf != NULL && i < ike->conf->n_ikev2_profiles; i++)
		if (strcmp(ike->conf->ikev2_profiles[i]->name, name) == 0)
			return ike->conf->ikev2_profiles[i];
	return NULL;
}

const struct conf_map_entry *
ike_entry_find(const struct ike *ike, const char *map, uint16_t seq)
{
	const struct conf_map *m = ike->conf != NULL ? conf_map_find(ike->conf, map) : NULL;

	return m != NULL ? conf_map_entry_find(m, seq) : NULL;
}

/* ---------------------------------------------------------------- sending */

void
ike_msg_start(struct ike_sa *sa, struct ike_msg *m, uint8_t exchange, bool response,
    uint32_t msg_id)
{
	ike_msg_init(m, sa->spi_i, sa->spi_r, exchange,
	    (uint8_t)((sa->initiator ? IKE_F_INITIATOR : 0) | (response ? IKE_F_RESPONSE : 0)),
	    msg_id);
	ike_msg_add(m, IKE_PL_SK, false);
}

struct ike_payload *
ike_add_notify(struct ike_msg *m, uint16_t type, struct ike_chunk data, bool inner)
{
	struct ike_payload *pl = ike_msg_add(m, IKE_PL_NOTIFY, inner);

	if (pl != NULL) {
		pl->u.notify.type = type;
		pl->u.notify.data = data;
	}
	return pl;
}

/* Build m into ike->buf, sealed with sa's keys when it has an Encrypted payload. */
static int
build(struct ike *ike, struct ike_sa *sa, struct ike_msg *m, size_t *len)
{
	size_t sk_off = 0;

	if (ike_msg_build(m, ike->buf, sizeof(ike->buf) - IKE_SK_OVERHEAD, len, &sk_off) != 0)
		return -1;
	if (sk_off != 0 &&
	    ike_sk_seal(&sa->sk_out, ike->buf, sizeof(ike->buf), len, sk_off, NULL) != 0)
		return -1;
	return 0;
}

static void
wire(struct ike *ike, uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport,
    const uint8_t *b, size_t len)
{
	ike_count(ike, IKE_CTR_TX);
	ike->io.send(ike->io.ctx, local, lport, remote, rport, b, len);
}

uint8_t *
ike_keep(const uint8_t *b, size_t len, uint8_t *old, size_t old_len)
{
	uint8_t *p = malloc(len != 0 ? len : 1);

	if (old != NULL) {
		OPENSSL_cleanse(old, old_len);
		free(old);
	}
	if (p != NULL)
		memcpy(p, b, len);
	return p;
}

int
ike_send_request(struct ike *ike, struct ike_sa *sa, struct ike_msg *m, enum ike_req req,
    uint64_t now_ms)
{
	size_t len;

	if (build(ike, sa, m, &len) != 0)
		return -1;
	if ((sa->req_buf = ike_keep(ike->buf, len, sa->req_buf, sa->req_len)) == NULL)
		return -1;
	sa->req_len = len;
	sa->req = req;
	sa->req_tries = 0;
	sa->req_next_ms = now_ms + IKE_RETX_FIRST_MS;
	sa->msg_id_out = m->hdr.msg_id + 1;
	wire(ike, sa->local, sa->lport, sa->remote, sa->rport, ike->buf, len);
	return 0;
}

int
ike_send_response(struct ike *ike, struct ike_sa *sa, struct ike_msg *m)
{
	size_t len;

	if (build(ike, sa, m, &len) != 0)
		return -1;
	if ((sa->resp_buf = ike_keep(ike->buf, len, sa->resp_buf, sa->resp_len)) == NULL)
		return -1;
	sa->resp_len = len;
	sa->msg_id_in = m->hdr.msg_id + 1;
	wire(ike, sa->local, sa->lport, sa->remote, sa->rport, ike->buf, len);
	return 0;
}

void
ike_send_plain(struct ike *ike, uint32_t local, uint16_t lport, uint32_t remote,
    uint16_t rport, struct ike_msg *m)
{
	size_t len;

	if (ike_msg_build(m, ike->buf, sizeof(ike->buf), &len, NULL) == 0)
		wire(ike, local, lport, remote, rport, ike->buf, len);
}

/* ---------------------------------------------------------------- receiving */

void
ike_sa_dead(struct ike *ike, struct ike_sa *sa, const char *why)
{
	char spi[17];

	for (int i = 0; i < 8; i++)
		snprintf(spi + 2 * i, 3, "%02x", sa->spi_i[i]);
	log_debug("%s SA %s with %u.%u.%u.%u gone: %s", sa->v1 != NULL ? "isakmp: ISAKMP" :
	    "ikev2: IKE", spi, sa->remote >> 24,
	    (sa->remote >> 16) & 0xff, (sa->remote >> 8) & 0xff, sa->remote & 0xff, why);
	ikesa_free(ike, sa, true);
}

/* Open the Encrypted payload of the message in ike->rx (parsed into ike->m) with sa's key. */
static int
open_sk(struct ike *ike, struct ike_sa *sa, size_t len)
{
	const struct ike_payload *skp = ike_msg_find(&ike->m, IKE_PL_SK, NULL);
	uint8_t *plain;
	size_t plain_len, sk_off;

	if (skp == NULL || sa->sk_in.ek.len == 0)
		return -1;
	sk_off = (size_t)(skp->u.sk.body.p - ike->rx) - IKE_PL_HDR_LEN;
	if (ike_sk_open(&sa->sk_in, ike->rx, len, sk_off, &plain, &plain_len) != IKE_SK_OK) {
		ike_count(ike, IKE_CTR_SK_FAIL);
		return -1;
	}
	if (ike_msg_parse_inner(&ike->m, plain, plain_len) != IKE_PERR_OK) {
		ike_count(ike, IKE_CTR_MALFORMED);
		return -1;
	}
	return 0;
}

/* A request of an IKE SA: retransmission answered from the cache, else opened and handled. */
static void
request(struct ike *ike, struct ike_sa *sa, size_t len, uint64_t now_ms)
{
	const struct ike_hdr *h = &ike->m.hdr;

	if (h->msg_id + 1 == sa->msg_id_in && sa->resp_buf != NULL) {
		ike_count(ike, IKE_CTR_RESP_CACHED);
		wire(ike, sa->local, sa->lport, sa->remote, sa->rport, sa->resp_buf, sa->resp_len);
		return;
	}
	if (h->msg_id != sa->msg_id_in) {
		ike_count(ike, IKE_CTR_BAD_MSG_ID);
		return;
	}
	if (open_sk(ike, sa, len) != 0)
		return;
	ike->authentic = true;
	sa->last_rx_ms = now_ms;
	switch (h->exchange) {
	case IKE_AUTH:
		if (sa->state == IKE_SA_HALF_OPEN && !sa->initiator)
			auth_request(ike, sa, now_ms);
		break;
	case IKE_CREATE_CHILD_SA:
		if (sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING)
			child_request(ike, sa, now_ms);
		break;
	case IKE_INFORMATIONAL:
		if (sa->state != IKE_SA_HALF_OPEN)
			info_request(ike, sa, now_ms);
		break;
	default:
		ike_count(ike, IKE_CTR_MALFORMED);
	}
}

/* A response to our outstanding request. */
static void
response(struct ike *ike, struct ike_sa *sa, size_t len, uint64_t now_ms)
{
	const struct ike_hdr *h = &ike->m.hdr;
	enum ike_req req = sa->req;
	uint8_t spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];

	if (sa->req == REQ_NONE || h->msg_id + 1 != sa->msg_id_out) {
		ike_count(ike, IKE_CTR_BAD_MSG_ID);
		return;
	}
	if (open_sk(ike, sa, len) != 0)
		return;
	ike->authentic = true;
	sa->last_rx_ms = now_ms;
	sa->req = REQ_NONE;
	sa->req_tries = 0;
	memcpy(spi_i, sa->spi_i, IKE_SPI_LEN);
	memcpy(spi_r, sa->spi_r, IKE_SPI_LEN);
	switch (req) {
	case REQ_AUTH:
		auth_response(ike, sa, now_ms);
		break;
	case REQ_CHILD_NEW:
	case REQ_CHILD_REKEY:
	case REQ_IKE_REKEY:
		child_response(ike, sa, now_ms);
		break;
	case REQ_DPD:		/* the peer lives; an SA it rekeyed meanwhile waits for its delete */
		if (sa->state != IKE_SA_DELETING)
			info_response(ike, sa, now_ms);
		break;
	case REQ_DELETE_CHILD:
	case REQ_DELETE_IKE:
		info_response(ike, sa, now_ms);
		break;
	default:
		break;
	}
	/* the window is free: what waited goes now, if the SA is still there */
	if ((sa = ikesa_find(ike, spi_i, spi_r)) != NULL)
		ike_sa_kick(ike, sa, now_ms);
}

/* May an established IKE SA follow its peer to another address or port (§2.23)?  When a NAT
 * was detected in front of the peer and none in front of us: a host behind a NAT does not (one
 * forged packet would move it); without a NAT nothing moves. */
static bool
may_move(const struct ike_sa *sa)
{
	return sa->nat_remote && !sa->nat_local;
}

/* sa's peer moved from old_a:old_r to where the last authenticated message came from: the
 * child SAs follow.  Outbound SAs in UDP take the new port in place; a new address makes a new
 * pair of the same keys and SPIs (the peer is part of an SA's id; the key id, and with it the
 * sequence numbers and replay floors, stays). */
static void
peer_moved(struct ike *ike, struct ike_sa *sa, uint32_t old_a, uint16_t old_r)
{
	struct ike_child *c, *next;

	log_info("ikev2: peer %u.%u.%u.%u:%u now at %u.%u.%u.%u:%u (its NAT moved): following",
	    old_a >> 24, (old_a >> 16) & 0xff, (old_a >> 8) & 0xff, old_a & 0xff, old_r,
	    sa->remote >> 24, (sa->remote >> 16) & 0xff, (sa->remote >> 8) & 0xff,
	    sa->remote & 0xff, sa->rport);
	ike_count(ike, IKE_CTR_PEER_MOVED);
	for (c = sa->children; c != NULL; c = next) {
		next = c->next;
		if (c->id_in == 0)
			continue;			/* not installed (yet) */
		if (c->pub_peer != sa->remote) {
			if (ike->io.remove != NULL) {
				ike->io.remove(ike->io.ctx, c->id_in);
				ike->io.remove(ike->io.ctx, c->id_out);
			}
			if (child_publish(ike, sa, c) != 0) {
				log_warn("ikev2: child SA %08" PRIx32 " lost following its peer",
				    c->spi_in);
				child_free(ike, sa, c, false);
			}
		} else if (c->pub_port != 0 && c->pub_port != sa->rport) {
			c->pub_port = sa->rport;
			if (ike->io.set_encap_port != NULL)
				ike->io.set_encap_port(ike->io.ctx, c->id_out, sa->rport);
		}
	}
}

void
ike_input(struct ike *ike, uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport,
    const uint8_t *data, size_t len, uint64_t now_ms)
{
	const struct ike_hdr *h = &ike->m.hdr;
	struct ike_sa *sa;
	bool resp;

	ike_count(ike, IKE_CTR_RX);
	if (ike->conf == NULL || len > sizeof(ike->rx) || len < IKE_HDR_LEN) {
		ike_count(ike, IKE_CTR_MALFORMED);
		return;
	}
	if (data[17] >> 4 == 1) {		/* ISAKMP: IKEv1 (RFC 2408 §3.1) */
		v1_input(ike, local, lport, remote, rport, data, len, now_ms);
		return;
	}
	memcpy(ike->rx, data, len);
	if (ike_msg_parse(&ike->m, ike->rx, len) != IKE_PERR_OK) {
		/* XXX: §2.21.1 lets us answer some of these; we drop them all, as unauthenticated */
		ike_count(ike, IKE_CTR_MALFORMED);
		return;
	}
	resp = h->flags & IKE_F_RESPONSE;
	if (h->exchange == IKE_SA_INIT) {
		if (!resp) {
			sa_init_request(ike, local, lport, remote, rport, ike->rx, len, now_ms);
			return;
		}
		for (sa = ike->sas; sa != NULL; sa = sa->next)
			if (sa->v1 == NULL && sa->initiator && sa->state == IKE_SA_INIT_SENT &&
			    memcmp(sa->spi_i, h->spi_i, IKE_SPI_LEN) == 0 && sa->remote == remote)
				break;
		if (sa == NULL) {
			ike_count(ike, IKE_CTR_NO_SA);
			return;
		}
		sa_init_response(ike, sa, ike->rx, len, now_ms);
		return;
	}
	if ((sa = ikesa_find(ike, h->spi_i, h->spi_r)) == NULL || sa->v1 != NULL ||
	    sa->state == IKE_SA_INIT_SENT ||
	    (sa->remote != remote && (sa->state != IKE_SA_ESTABLISHED || !may_move(sa)))) {
		ike_count(ike, IKE_CTR_NO_SA);
		return;
	}
	/* the I flag says who sent it: the peer is the original initiator iff we are not */
	if (!(h->flags & IKE_F_INITIATOR) != sa->initiator) {
		ike_count(ike, IKE_CTR_MALFORMED);
		return;
	}
	/* §2.23: the peer floated to 4500 (or its NAT moved): follow it, once authenticated
	 * (request() and response() return early when the ICV fails, and for a retransmission or
	 * an old message: the address and ports are set back), then its child SAs */
	if (rport != sa->rport || lport != sa->lport || remote != sa->remote) {
		uint32_t old_a = sa->remote;
		uint16_t old_r = sa->rport, old_l = sa->lport;
		bool was_up = sa->state == IKE_SA_ESTABLISHED;	/* not the float (§2.23) */

		if (sa->state == IKE_SA_ESTABLISHED && !may_move(sa)) {
			ike_count(ike, IKE_CTR_NO_SA);
			return;
		}
		sa->remote = remote;
		sa->rport = rport;
		sa->lport = lport;
		ike->authentic = false;
		if (resp)
			response(ike, sa, len, now_ms);
		else
			request(ike, sa, len, now_ms);
		if (ikesa_find(ike, h->spi_i, h->spi_r) != sa)
			return;			/* it is gone */
		if (!ike->authentic) {
			sa->remote = old_a;
			sa->rport = old_r;
			sa->lport = old_l;
		} else if (was_up && (old_a != remote || old_r != rport)) {
			peer_moved(ike, sa, old_a, old_r);
		}
		return;
	}
	if (resp)
		response(ike, sa, len, now_ms);
	else
		request(ike, sa, len, now_ms);
}

/* ---------------------------------------------------------------- acquire */

/* The packet's flow as struct flow, for sel_match. */
static void
packet_flow(const struct sel *packet, struct flow *f)
{
	memset(f, 0, sizeof(*f));
	f->src = packet->src;
	f->dst = packet->dst;
	f->proto = packet->proto;
	f->has_ports = packet->proto == 6 || packet->proto == 17 || packet->proto == 132;
	f->sport = packet->sport_lo;
	f->dport = packet->dport_lo;
}

static bool
flow_eq(const struct sel *a, const struct sel *b)
{
	return a->src == b->src && a->src_mask == b->src_mask && a->dst == b->dst &&
	    a->dst_mask == b->dst_mask && a->proto == b->proto && a->sport_lo == b->sport_lo &&
	    a->sport_hi == b->sport_hi && a->dport_lo == b->dport_lo && a->dport_hi == b->dport_hi;
}

/* Is the flow of map seq up or being negotiated already? */
static bool
under_way(const struct ike *ike, const char *map, uint16_t seq, const struct sel *flow)
{
	for (const struct ike_sa *s = ike->sas; s != NULL; s = s->next) {
		if ((s->state == IKE_SA_INIT_SENT || s->state == IKE_SA_AUTH_SENT) &&
		    strcmp(s->acq_map, map) == 0 && s->acq_seq == seq && flow_eq(&s->acq_flow, flow))
			return true;
		if (s->state != IKE_SA_ESTABLISHED)
			continue;
		for (const struct ike_child *c = s->children; c != NULL; c = c->next)
			if (c->state != CHILD_DELETING && strcmp(c->map, map) == 0 && c->seq == seq &&
			    flow_eq(&c->flow, flow))
				return true;
		if (s->req_new != NULL && flow_eq(&s->req_new->flow, flow))
			return true;
		for (const struct ike1_qm *q = s->v1 != NULL ? s->v1->qms : NULL; q != NULL;
		    q = q->next)
			if (q->child != NULL && strcmp(q->child->map, map) == 0 &&
			    q->child->seq == seq && flow_eq(&q->child->flow, flow))
				return true;
	}
	for (const struct ike_sa *s = ike->sas; s != NULL; s = s->next)
		for (unsigned i = 0; i < s->n_pending; i++)
			if (strcmp(s->pending[i].map, map) == 0 && s->pending[i].seq == seq &&
			    flow_eq(&s->pending[i].flow, flow))
				return true;
	return false;
}

int
ike_sa_queue(struct ike *ike, struct ike_sa *sa, const char *map, uint16_t seq,
    const struct sel *flow, bool front)
{
	struct ike_flow *v;

	if (sa->n_pending >= IKE_PENDING_MAX ||
	    (v = realloc(sa->pending, (sa->n_pending + 1) * sizeof(*v))) == NULL) {
		ike_count(ike, IKE_CTR_FLOW_QUEUE_FULL);
		return -1;
	}
	sa->pending = v;
	if (front)
		memmove(&v[1], &v[0], sa->n_pending * sizeof(*v));
	else
		v += sa->n_pending;
	memset(v, 0, sizeof(*v));
	snprintf(v->map, sizeof(v->map), "%s", map);
	v->seq = seq;
	v->flow = *flow;
	sa->n_pending++;
	ike_count(ike, IKE_CTR_FLOW_QUEUED);
	return 0;
}

void
ike_sa_kick(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_flow f;

	if (sa->v1 != NULL || sa->state != IKE_SA_ESTABLISHED || sa->req != REQ_NONE ||
	    sa->rekey_of != NULL)
		return;
	for (struct ike_child *c = sa->children; c != NULL; c = c->next)
		if (c->state == CHILD_DELETING && c->del_pending) {
			info_start_delete_child(ike, sa, c, now_ms);
			return;
		}
	while (sa->n_pending > 0 && now_ms >= sa->pending_ms && sa->req == REQ_NONE) {
		f = sa->pending[0];
		memmove(&sa->pending[0], &sa->pending[1], --sa->n_pending * sizeof(f));
		if (under_way(ike, f.map, f.seq, &f.flow))
			continue;	/* up meanwhile (the peer made it, or a rekey) */
		if (child_start_new(ike, sa, f.map, f.seq, &f.flow, now_ms) != 0)
			log_debug("ikev2: queued flow of crypto map %s %u dropped: CREATE_CHILD_SA "
			    "could not be sent", f.map, f.seq);
	}
}

/* A new IKE SA to peer number i of the entry, for the flow; NULL when it could not start. */
static struct ike_sa *
initiate(struct ike *ike, const struct conf_map_entry *e, const char *map, uint32_t local,
    unsigned i, const struct sel *flow, uint64_t now_ms)
{
	struct ike_sa *sa = ikesa_new(ike, true, local, 500, e->peers[i], 500, now_ms);

	if (sa == NULL)
		return NULL;
	snprintf(sa->acq_map, sizeof(sa->acq_map), "%s", map);
	sa->acq_seq = e->seq;
	sa->acq_flow = *flow;
	sa->acq_peer = i;
	snprintf(sa->profile, sizeof(sa->profile), "%s", e->ikev2_profile);
	if (sa_init_start(ike, sa, now_ms) != 0) {
		ike_sa_dead(ike, sa, "IKE_SA_INIT could not be sent");
		return NULL;
	}
	return sa;
}

/* IKEv1: a quick mode over the ISAKMP SA to the entry's peer, or phase 1 first (the flow
 * waits on it), or queued on the phase 1 under way. */
static int
acquire_v1(struct ike *ike, const struct conf_map_entry *e, const char *map, uint32_t local,
    const struct sel *flow, uint64_t now_ms, struct gw_err *err)
{
	for (unsigned i = 0; i < e->n_peers; i++)
		for (struct ike_sa *sa = ike->sas; sa != NULL; sa = sa->next) {
			if (sa->v1 == NULL || sa->local != local || sa->remote != e->peers[i] ||
			    sa->state == IKE_SA_DELETING)
				continue;
			if (sa->state == IKE_SA_ESTABLISHED) {
				if (v1_qm_start(ike, sa, map, e->seq, flow, NULL, now_ms) != 0)
					return gw_fail(err, 0, "crypto map %s %u: quick mode could "
					    "not start", map, e->seq);
				return 0;
			}
			if (ike_sa_queue(ike, sa, map, e->seq, flow, false) != 0)
				return gw_fail(err, 0, "crypto map %s %u: too many flows wait for "
				    "phase 1", map, e->seq);
			return 0;
		}
	if (v1_initiate(ike, e->peers[0], local, e, map, 0, flow, now_ms) == NULL)
		return gw_fail(err, 0, "crypto map %s %u: main mode could not start (a crypto "
		    "isakmp policy with pre-share?)", map, e->seq);
	return 0;
}

int
ike_acquire(struct ike *ike, const char *map, uint16_t seq, const struct sel *packet,
    uint64_t now_ms, struct gw_err *err)
{
	const struct conf_map_entry *e = ike->conf != NULL ? ike_entry_find(ike, map, seq) : NULL;
	const struct policy *p = NULL;
	const struct policy_ace *ace = NULL;
	struct flow f;
	struct sel flow;

	bool v1;

	if (e == NULL || e->kind != CONF_MAP_ISAKMP)
		return gw_fail(err, 0, "crypto map %s %u: not a static ipsec-isakmp entry", map, seq);
	v1 = conf_entry_ike_version(e) == CONF_IKE_V1;
	if (v1 && (e->n_peers == 0 || ike->conf->isakmp.disabled))
		return gw_fail(err, 0, "crypto map %s %u: no peer, or ISAKMP disabled", map, seq);
	if (!v1 && (e->n_peers == 0 || e->ikev2_profile[0] == '\0' ||
	    ike_profile_find(ike, e->ikev2_profile) == NULL))
		return gw_fail(err, 0, "crypto map %s %u: no peer or no ikev2 profile to negotiate "
		    "with", map, seq);
	for (size_t i = 0; i < ike->spd.n && p == NULL; i++)
		if (ike->spd.v[i].kind == POLICY_ISAKMP && ike->spd.v[i].seq == seq &&
		    strcmp(ike->spd.v[i].map, map) == 0)
			p = &ike->spd.v[i];
	if (p == NULL)
		return gw_fail(err, 0, "crypto map %s %u: not applied to an interface", map, seq);
	packet_flow(packet, &f);
	for (size_t i = 0; i < p->n_aces && ace == NULL; i++)
		if (sel_match(&p->aces[i].sel, &f))
			ace = &p->aces[i];
	if (ace == NULL || !ace->permit)
		return gw_fail(err, 0, "crypto map %s %u: the packet matches no permit", map, seq);
	flow = ace->sel;
	if (e->per_host) {		/* seed: "level per-host": the host pair */
		flow.src = packet->src;
		flow.dst = packet->dst;
		flow.src_mask = flow.dst_mask = 0xffffffffu;
	}
	if (under_way(ike, map, seq, &flow))
		return 0;
	if (v1)
		return acquire_v1(ike, e, map, p->local, &flow, now_ms, err);
	for (unsigned i = 0; i < e->n_peers; i++) {
		struct ike_sa *sa = ikesa_find_peer(ike, p->local, e->peers[i]);

		if (sa == NULL)
			continue;
		/* busy (IKE_SA_INIT, IKE_AUTH or a request out: a window of one): the flow
		 * waits on the IKE SA and goes when the exchange in flight ends */
		if (sa->state != IKE_SA_ESTABLISHED || sa->req != REQ_NONE || sa->n_pending > 0) {
			if (ike_sa_queue(ike, sa, map, seq, &flow, false) != 0)
				return gw_fail(err, 0, "crypto map %s %u: %u flows wait for the IKE "
				    "SA to %u.%u.%u.%u already", map, seq, sa->n_pending,
				    sa->remote >> 24, (sa->remote >> 16) & 0xff,
				    (sa->remote >> 8) & 0xff, sa->remote & 0xff);
			ike_sa_kick(ike, sa, now_ms);
			return 0;
		}
		if (child_start_new(ike, sa, map, seq, &flow, now_ms) != 0)
			return gw_fail(err, 0, "crypto map %s %u: CREATE_CHILD_SA could not be sent",
			    map, seq);
		return 0;
	}
	if (initiate(ike, e, map, p->local, 0, &flow, now_ms) == NULL)
		return gw_fail(err, 0, "crypto map %s %u: IKE_SA_INIT could not be sent", map, seq);
	return 0;
}

/* ---------------------------------------------------------------- timers */

static uint64_t
min_t(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* No answer to our request after every retransmission: the peer is gone (§2.4). */
static void
give_up(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	const struct conf_map_entry *e;

	ike_count(ike, IKE_CTR_TIMEOUT);
	if (sa->initiator && sa->state == IKE_SA_INIT_SENT &&
	    (e = ike_entry_find(ike, sa->acq_map, sa->acq_seq)) != NULL &&
	    sa->acq_peer + 1u < e->n_peers) {
		/* seed: the next "set peer" when the first does not answer */
		char map[CONF_NAME_MAX];
		struct sel flow = sa->acq_flow;
		unsigned next = sa->acq_peer + 1;
		uint32_t local = sa->local;
		struct ike_flow *pending = sa->pending;
		unsigned n_pending = sa->n_pending;
		struct ike_sa *n;

		snprintf(map, sizeof(map), "%s", sa->acq_map);
		sa->pending = NULL;		/* the flows queued go to the next peer */
		sa->n_pending = 0;
		ike_sa_dead(ike, sa, "no answer to IKE_SA_INIT: trying the next peer");
		if ((n = initiate(ike, e, map, local, next, &flow, now_ms)) != NULL) {
			n->pending = pending;
			n->n_pending = n_pending;
		} else {
			free(pending);
		}
		return;
	}
	if (sa->rekey_theirs != NULL) {
		/* our rekey of it unanswered, the peer's done (§2.8.2): its SA carries on */
		struct ike_sa *t = sa->rekey_theirs;

		sa->rekey_theirs = NULL;
		t->rekey_of = NULL;
		child_move_all(ike, sa, t);
	}
	ike_sa_dead(ike, sa, "no answer to our retransmissions");
}

/* The children's timers of an established IKE SA; the next deadline. */
static uint64_t
tick_children(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_child *c, *next;
	uint64_t t = UINT64_MAX;

	for (c = sa->children; c != NULL; c = next) {
		next = c->next;
		switch (c->state) {
		case CHILD_INSTALLED:
			if (now_ms >= c->hard_ms) {
				info_start_delete_child(ike, sa, c, now_ms);
				break;
			}
			if (now_ms >= c->soft_ms && sa->req == REQ_NONE) {
				bool used = ike->io.used == NULL ||
				    ike->io.used(ike->io.ctx, c->id_in) ||
				    ike->io.used(ike->io.ctx, c->id_out);

				/* IOS: an idle SA is not rekeyed; it ends at its hard life */
				if (!used || child_start_rekey(ike, sa, c, now_ms) != 0)
					c->soft_ms = c->hard_ms;
			}
			t = min_t(t, now_ms < c->soft_ms ? c->soft_ms : c->hard_ms);
			break;
		case CHILD_REKEYED:
			if (c->drain_ms != 0 && now_ms >= c->drain_ms) {
				struct ike_child *n = child_find_spi(sa, c->proto, c->succ_spi_in, true);

				c->drain_ms = 0;
				if (n != NULL && n->out_larval) {
					n->out_larval = false;
					if (ike->io.activate != NULL)
						ike->io.activate(ike->io.ctx, n->id_out);
				}
			}
			if (now_ms >= c->hard_ms) {
				child_free(ike, sa, c, true);
				break;
			}
			t = min_t(t, c->drain_ms != 0 ? c->drain_ms : c->hard_ms);
			break;
		case CHILD_DELETING:		/* a delete waiting for the window: ike_sa_kick */
			if (c->del_pending)
				t = min_t(t, sa->req_next_ms);
			break;
		default:
			break;
		}
	}
	return t;
}

/* Is a liveness check (§2.4) due, one DPD interval after the last look (since_ms)?  Nothing
 * came from the peer in that interval: no IKE message, and no packet on an inbound child SA
 * (the workers' counts, io->packets).  "dpd ... periodic" asks then; "on-demand" (IOS's default)
 * only when we sent it something meanwhile: an outbound child SA carried packets. */
static bool
dpd_due(struct ike *ike, struct ike_sa *sa, bool on_demand, uint64_t since_ms)
{
	bool in = sa->last_rx_ms > since_ms, out = false;
	uint64_t n;

	for (struct ike_child *c = sa->children; c != NULL; c = c->next) {
		if (c->id_in == 0 || ike->io.packets == NULL)
			continue;
		if ((n = ike->io.packets(ike->io.ctx, c->id_in)) != c->dpd_pkts_in)
			in = true;
		c->dpd_pkts_in = n;
		if ((n = ike->io.packets(ike->io.ctx, c->id_out)) != c->dpd_pkts_out)
			out = true;
		c->dpd_pkts_out = n;
	}
	if (in)
		return false;
	return !on_demand || ike->io.packets == NULL || out;
}

static uint64_t
tick_sa(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	const struct conf_ikev2_profile *p;
	uint64_t t = UINT64_MAX;

	if (sa->v1 != NULL)
		return v1_tick_sa(ike, sa, now_ms);
	if (sa->req != REQ_NONE) {
		if (now_ms >= sa->req_next_ms) {
			if (sa->req_tries >= (sa->req == REQ_SA_INIT ? IKE_RETX_TRIES_INIT :
			    IKE_RETX_TRIES)) {
				give_up(ike, sa, now_ms);
				return UINT64_MAX;
			}
			sa->req_tries++;
			sa->req_next_ms = now_ms + ((uint64_t)IKE_RETX_FIRST_MS << sa->req_tries);
			/* a liveness check retries at the profile's "dpd INTERVAL RETRY" pace */
			if (sa->req == REQ_DPD &&
			    (p = ike_profile_find(ike, sa->profile)) != NULL && p->dpd_retry != 0)
				sa->req_next_ms = now_ms + (uint64_t)p->dpd_retry * 1000;
			ike_count(ike, IKE_CTR_RETX);
			wire(ike, sa->local, sa->lport, sa->remote, sa->rport, sa->req_buf,
			    sa->req_len);
		}
		t = sa->req_next_ms;
	}
	if (sa->state == IKE_SA_HALF_OPEN) {	/* an IKE_AUTH that never came */
		if (now_ms >= sa->created_ms + 30000) {
			ike_sa_dead(ike, sa, "half-open: no IKE_AUTH");
			return UINT64_MAX;
		}
		return min_t(t, sa->created_ms + 30000);
	}
	if (sa->state != IKE_SA_ESTABLISHED && sa->state != IKE_SA_DELETING)
		return t;
	if (sa->expire_ms != 0 && now_ms >= sa->expire_ms) {
		ike_sa_dead(ike, sa, "lifetime expired");
		return UINT64_MAX;
	}
	if (sa->expire_ms != 0)
		t = min_t(t, sa->expire_ms);
	if (sa->state == IKE_SA_DELETING)
		return t;
	if (sa->rekey_ms != 0 && now_ms >= sa->rekey_ms && sa->req == REQ_NONE) {
		if (child_start_ike_rekey(ike, sa, now_ms) == 0)
			sa->rekey_ms = 0;
		else
			sa->rekey_ms = now_ms + 10000;
	}
	if (sa->rekey_ms != 0)
		t = min_t(t, sa->rekey_ms);
	p = ike_profile_find(ike, sa->profile);
	if (p != NULL && p->nat_keepalive != 0 && sa->nat_local) {
		/* RFC 3948 §2.3: keep our NAT's binding while the tunnel is idle */
		static const uint8_t ka = 0xff;

		if (sa->keepalive_ms == 0)
			sa->keepalive_ms = now_ms + (uint64_t)p->nat_keepalive * 1000;
		if (now_ms >= sa->keepalive_ms) {
			wire(ike, sa->local, sa->lport, sa->remote, sa->rport, &ka, 1);
			sa->keepalive_ms = now_ms + (uint64_t)p->nat_keepalive * 1000;
		}
		t = min_t(t, sa->keepalive_ms);
	}
	if (p != NULL && p->dpd_interval != 0 && sa->dpd_ms != 0) {
		uint64_t iv = (uint64_t)p->dpd_interval * 1000;

		if (now_ms >= sa->dpd_ms) {
			if (dpd_due(ike, sa, p->dpd_mode == CONF_DPD_ON_DEMAND, now_ms - iv))
				info_start_dpd(ike, sa, now_ms);
			sa->dpd_ms = now_ms + iv;
		}
		t = min_t(t, sa->dpd_ms);
	}
	t = min_t(t, tick_children(ike, sa, now_ms));
	ike_sa_kick(ike, sa, now_ms);		/* deletes and queued flows that wait */
	if (sa->req != REQ_NONE)
		t = min_t(t, sa->req_next_ms);
	else if (sa->n_pending > 0)
		t = min_t(t, sa->pending_ms > now_ms ? sa->pending_ms : now_ms + 1000);
	return t;
}

uint64_t
ike_tick(struct ike *ike, uint64_t now_ms)
{
	struct ike_sa *sa;
	uint64_t t = UINT64_MAX, gen = ++ike->tick_gen, changes;

	/* a step may free SAs or link new ones: then the walk starts again from the head,
	 * skipping those done in this round */
	for (sa = ike->sas; sa != NULL;) {
		if (sa->tick_gen == gen) {
			sa = sa->next;
			continue;
		}
		sa->tick_gen = gen;
		changes = ike->list_changes;
		t = min_t(t, tick_sa(ike, sa, now_ms));
		sa = ike->list_changes == changes ? sa->next : ike->sas;
	}
	return t;
}

unsigned
ike_rekey_sa(struct ike *ike, uint64_t id, uint64_t now_ms)
{
	unsigned n = 0;

	for (struct ike_sa *sa = ike->sas; sa != NULL; sa = sa->next) {
		if ((id != 0 && sa->handle != id) || sa->state != IKE_SA_ESTABLISHED ||
		    sa->rekey_of != NULL || sa->v1 != NULL)
			continue;
		n++;
		sa->rekey_ms = now_ms;		/* ike_tick() when the window is busy */
		if (sa->req == REQ_NONE && child_start_ike_rekey(ike, sa, now_ms) == 0)
			sa->rekey_ms = 0;
	}
	return n;
}

int
ike_soft_expired(struct ike *ike, uint64_t sa_id, uint64_t now_ms)
{
	for (struct ike_sa *sa = ike->sas; sa != NULL; sa = sa->next)
		for (struct ike_child *c = sa->children; c != NULL; c = c->next)
			if (c->id_in == sa_id || c->id_out == sa_id) {
				if (c->state == CHILD_INSTALLED && sa->state == IKE_SA_ESTABLISHED &&
				    sa->v1 != NULL)
					v1_qm_start(ike, sa, c->map, c->seq, &c->flow, c, now_ms);
				else if (c->state == CHILD_INSTALLED &&
				    sa->state == IKE_SA_ESTABLISHED)
					child_start_rekey(ike, sa, c, now_ms);
				return 0;
			}
	return -1;
}

/* ---------------------------------------------------------------- show and clear */

void
ike_get_stats(const struct ike *ike, struct ike_stats *st)
{
	memset(st, 0, sizeof(*st));
	memcpy(st->c, ike->ctr, sizeof(st->c));
	st->n_sa = ike->n_sa;
	st->n_half_open = ike->n_half_open;
	for (const struct ike_sa *sa = ike->sas; sa != NULL; sa = sa->next)
		for (const struct ike_child *c = sa->children; c != NULL; c = c->next)
			st->n_children++;
}

bool
ike_sa_next(const struct ike *ike, uint64_t *h, struct ike_sa_info *info)
{
	const struct ike_sa *best = NULL;

	/* in handle order, so a walk survives SAs coming and going */
	for (const struct ike_sa *sa = ike->sas; sa != NULL; sa = sa->next)
		if (sa->handle > *h && (best == NULL || sa->handle < best->handle))
			best = sa;
	if (best == NULL)
		return false;
	*h = best->handle;
	memset(info, 0, sizeof(*info));
	info->id = best->handle;
	memcpy(info->spi_i, best->spi_i, IKE_SPI_LEN);
	memcpy(info->spi_r, best->spi_r, IKE_SPI_LEN);
	info->initiator = best->initiator;
	info->state = best->state;
	info->local = best->local;
	info->remote = best->remote;
	info->lport = best->lport;
	info->rport = best->rport;
	info->nat = best->nat_local || best->nat_remote;
	info->encr = best->algs.encr;
	info->encr_bits = best->algs.bits;
	info->integ = best->algs.integ;
	info->prf = best->algs.prf;
	info->dh = best->algs.dh;
	snprintf(info->profile, sizeof(info->profile), "%s", best->profile);
	snprintf(info->remote_id, sizeof(info->remote_id), "%s", best->remote_id);
	info->created_ms = best->created_ms;
	info->lifetime_s = best->lifetime_s;
	info->msg_id_out = best->msg_id_out;
	info->msg_id_in = best->msg_id_in;
	info->version = best->v1 != NULL ? 1 : 2;
	if (best->v1 != NULL) {
		snprintf(info->v1_state, sizeof(info->v1_state), "%s",
		    v1_state_name(best->v1->st));
		info->aggressive = best->v1->aggressive;
		info->v1_policy = best->v1->policy;
		info->v1_auth = best->v1->auth;
	}
	for (const struct ike_child *c = best->children; c != NULL; c = c->next)
		info->n_children++;
	return true;
}

static const char *
encr_name(uint16_t id)
{
	switch (id) {
	case IKE_ENCR_3DES:			return "3DES";
	case IKE_ENCR_AES_CBC:			return "AES-CBC";
	case IKE_ENCR_AES_GCM_16:		return "AES-GCM";
	case IKE_ENCR_CHACHA20_POLY1305:	return "CHACHA20-POLY1305";
	default:				return "?";
	}
}

static const char *
prf_name(uint16_t id)
{
	switch (id) {
	case IKE_PRF_HMAC_MD5:		return "MD5";
	case IKE_PRF_HMAC_SHA1:		return "SHA1";
	case IKE_PRF_AES128_XCBC:	return "AES-XCBC";
	case IKE_PRF_HMAC_SHA2_256:	return "SHA256";
	case IKE_PRF_HMAC_SHA2_384:	return "SHA384";
	case IKE_PRF_HMAC_SHA2_512:	return "SHA512";
	default:			return "?";
	}
}

static const char *
state_name(enum ike_sa_state s)
{
	static const char *const n[] = { "IN-NEG", "IN-NEG", "IN-NEG", "READY", "DELETE" };

	return (unsigned)s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static void
addr_port(char *b, size_t cap, uint32_t a, uint16_t port)
{
	snprintf(b, cap, "%u.%u.%u.%u/%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff,
	    port);
}

void
ike_show_sa(const struct ike *ike, bool detail, uint64_t now_ms, FILE *out)
{
	struct ike_sa_info in;
	uint64_t h = 0;

	fprintf(out, " IPv4 Crypto IKEv2  SA \n\n");
	fprintf(out, "Tunnel-id Local                 Remote                fvrf/ivrf"
	    "            Status \n");
	while (ike_sa_next(ike, &h, &in)) {
		char l[32], r[32], hash[16];

		if (in.version != 2)
			continue;

		addr_port(l, sizeof(l), in.local, in.lport);
		addr_port(r, sizeof(r), in.remote, in.rport);
		snprintf(hash, sizeof(hash), "%s", in.integ == 0 ? "None" :
		    prf_name(proposal_prf_of_integ(in.integ)));
		fprintf(out, "%-9" PRIu64 " %-21s %-21s %-20s %s\n", in.id, l, r, "none/none",
		    state_name(in.state));
		fprintf(out, "      Encr: %s, keysize: %u, PRF: %s, Hash: %s, DH Grp:%u, "
		    "Auth sign: PSK, Auth verify: PSK\n", encr_name(in.encr), in.encr_bits,
		    prf_name(in.prf), hash, in.dh);
		fprintf(out, "      Life/Active Time: %" PRIu64 "/%" PRIu64 " sec\n",
		    in.lifetime_s, now_ms > in.created_ms ? (now_ms - in.created_ms) / 1000 : 0);
		if (!detail)
			continue;
		fprintf(out, "      CE id: 0, Session-id: %" PRIu64 "\n", in.id);
		fprintf(out, "      Status Description: %s\n", in.state == IKE_SA_ESTABLISHED ?
		    "Negotiation done" : "Negotiation in progress");
		fprintf(out, "      Local spi: %02X%02X%02X%02X%02X%02X%02X%02X       Remote spi: "
		    "%02X%02X%02X%02X%02X%02X%02X%02X\n",
		    (in.initiator ? in.spi_i : in.spi_r)[0], (in.initiator ? in.spi_i : in.spi_r)[1],
		    (in.initiator ? in.spi_i : in.spi_r)[2], (in.initiator ? in.spi_i : in.spi_r)[3],
		    (in.initiator ? in.spi_i : in.spi_r)[4], (in.initiator ? in.spi_i : in.spi_r)[5],
		    (in.initiator ? in.spi_i : in.spi_r)[6], (in.initiator ? in.spi_i : in.spi_r)[7],
		    (in.initiator ? in.spi_r : in.spi_i)[0], (in.initiator ? in.spi_r : in.spi_i)[1],
		    (in.initiator ? in.spi_r : in.spi_i)[2], (in.initiator ? in.spi_r : in.spi_i)[3],
		    (in.initiator ? in.spi_r : in.spi_i)[4], (in.initiator ? in.spi_r : in.spi_i)[5],
		    (in.initiator ? in.spi_r : in.spi_i)[6], (in.initiator ? in.spi_r : in.spi_i)[7]);
		fprintf(out, "      Remote id: %s\n", in.remote_id);
		fprintf(out, "      Profile: %s, Child SAs: %u\n", in.profile, in.n_children);
		fprintf(out, "      Initiator of SA : %s\n", in.initiator ? "Yes" : "No");
		fprintf(out, "      NAT-T is %s\n", in.nat ? "detected outside" : "not detected");
		fprintf(out, "      Message IDs: next request %u, next expected %u\n", in.msg_id_out,
		    in.msg_id_in);
	}
}

unsigned
ike_clear_sa(struct ike *ike, uint64_t id, uint64_t now_ms)
{
	struct ike_sa *sa, *next;
	unsigned n = 0;

	for (sa = ike->sas; sa != NULL; sa = next) {
		next = sa->next;
		if (id != 0 && sa->handle != id)
			continue;
		if (sa->v1 != NULL)
			continue;
		n++;
		while (sa->children != NULL)	/* the SAs go now; the peer is told */
			child_free(ike, sa, sa->children, true);
		if (sa->state == IKE_SA_ESTABLISHED) {
			if (info_start_delete_ike(ike, sa, now_ms) != 0)
				ike_sa_dead(ike, sa, "cleared");
		} else if (sa->state != IKE_SA_DELETING) {
			ike_sa_dead(ike, sa, "cleared");
		}
	}
	return n;
}

int
ike_clear_child(struct ike *ike, uint64_t sa_id, uint64_t now_ms)
{
	for (struct ike_sa *sa = ike->sas; sa != NULL; sa = sa->next)
		for (struct ike_child *c = sa->children; c != NULL; c = c->next)
			if (c->id_in == sa_id || c->id_out == sa_id) {
				if (sa->v1 != NULL)
					v1_clear_child(ike, sa, c, now_ms);
				else if (c->state != CHILD_DELETING)
					info_start_delete_child(ike, sa, c, now_ms);
				return 0;
			}
	return -1;
}
