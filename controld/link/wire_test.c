/* SPDX-License-Identifier: Apache-2.0 */
/* wire_test.c: the negotiated outbound SAs of ipsec-isakmp and dynamic entries as the workers
 * get them (wire.c, Policy.flow_sas of proto/gw.proto), from a real SAD and a real compiled
 * configuration, and the deltas that carry them to a worker through a real ROUTER and DEALER
 * (publish.c).  Checked:
 *
 *   - an entry lists the published outbound SA_IKE SAs of its map and sequence number, in SAD
 *     order (the newest last), each with its flow; an AH+ESP bundle is one entry with both
 *   - inbound, larval, manual SAs and those of other entries (another crypto map with the
 *     same sequence number) are not listed; a manual entry
 *     keeps its sa_out_esp and gets no flows
 *   - a larval SA that goes into use (activate) is listed from then on
 *   - entries that share map and sequence number (one dynamic set) each list the SA
 *   - a change of an entry's flows alone replaces the policies in the delta; no change, none
 *   - a negotiated SA carries its hard lifetime (a wall-clock deadline, bytes); a manual one
 *     none; the deadline stays the same from one generation to the next
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "common/log.h"
#include "controld/cli/cli.h"
#include "controld/conf/compile.h"
#include "controld/controld.h"
#include "controld/link/worker.h"
#include "tests/lib/example.h"
#include "controld/link/link_test.h"
#include "tests/lib/test.h"

/* deploy/examples/gwB.conf with an ipsec-isakmp entry and a dynamic one */
static const char conf_extra[] =
	"access-list 102 permit ip 10.0.0.0 0.0.0.255 10.1.0.0 0.0.0.255\n"
	"crypto map vpn 20 ipsec-isakmp\n match address 102\n set peer 198.51.100.3\n"
	" set transform-set AES-SHA\n"
	"access-list 103 permit ip 10.0.0.0 0.0.0.255 10.2.0.0 0.0.255.255\n"
	"crypto dynamic-map DYN 5\n set transform-set AES-SHA\n"
	"crypto dynamic-map DYN 6\n set transform-set AES-SHA\n match address 103\n"
	"crypto map vpn 30 ipsec-isakmp dynamic DYN\n"
	"crypto map alt 20 ipsec-isakmp\n match address 102\n set peer 198.51.100.3\n"
	" set transform-set AES-SHA\n"
	"interface lan0\n ip address 192.0.2.129 255.255.255.128\n crypto map alt\n";

enum {
	GWB = 0xc6336402,		/* 198.51.100.2, the SAs' local address */
	PEER = 0xc6336403,
	H1 = 0x0a000001, R1 = 0x0a010001,
	H2 = 0x0a000002, R2 = 0x0a010002,
};

static struct controld cd;
static char dir[64];

/* A negotiated SA of entry vpn seq, flow src -> dst; its keys from spi, so each its own id. */
static struct sa *
ike_sa(uint32_t seq, bool inbound, uint8_t proto, uint32_t spi, uint32_t src, uint32_t dst)
{
	struct sa *sa = sa_new();

	if (sa == NULL)
		abort();
	sa->origin = SA_IKE;
	sa->inbound = inbound;
	sa->proto = proto;
	sa->spi = spi;
	sa->local = GWB;
	sa->peer = PEER;
	if (proto == 50) {
		sa->cipher = XF_CIPHER_AES_CBC;
		sa->cipher_key.len = 32;
		memcpy(sa->cipher_key.b, &spi, sizeof(spi));
	}
	sa->auth = XF_AUTH_HMAC_SHA1_96;
	sa->auth_key.len = 20;
	memcpy(sa->auth_key.b, &spi, sizeof(spi));
	snprintf(sa->map, sizeof(sa->map), "vpn");
	sa->seq = seq;
	sa->flow = (struct sel){ .src = src, .src_mask = 0xffffffffu, .dst = dst,
	    .dst_mask = 0xffffffffu, .sport_hi = 65535, .dport_hi = 65535, .tos = -1,
	    .precedence = -1 };
	sa->id = sa_hash_id(sa);
	sa->key_id = sa_key_id(sa);
	return sa;
}

static struct sa *
add(struct sa *sa)
{
	struct gw_err err;

	T_EQ(sad_add(&cd.sad, sa, &err), 0, "sad_add: %s", err.msg);
	return sa;
}

static const Gw__V1__Policy *
policy(const Gw__V1__Tables *t, uint32_t seq)
{
	for (size_t i = 0; t != NULL && i < t->n_policies; i++)
		if (t->policies[i]->seq == seq && strcmp(t->policies[i]->map, "vpn") == 0)
			return t->policies[i];
	return NULL;
}

/* Does flow entry f name esp and ah and carry the flow src -> dst? */
static bool
flow_is(const Gw__V1__FlowSa *f, uint64_t esp, uint64_t ah, uint32_t src, uint32_t dst)
{
	return f->sa_out_esp == esp && f->sa_out_ah == ah && f->flow != NULL &&
	    f->flow->src == src && f->flow->dst == dst && f->flow->src_wild == 0 &&
	    f->flow->dst_wild == 0;
}

/* The delta the DEALER d got within ms, or NULL (other messages are skipped). */
static Gw__V1__Envelope *
delta(void *d, int ms)
{
	zmq_pollitem_t it = { d, 0, ZMQ_POLLIN, 0 };
	struct gw_err err;

	while (zmq_poll(&it, 1, ms) == 1) {
		Gw__V1__Envelope *e = link_recv_env(d, NULL, &err);

		if (e != NULL && e->body_case == GW__V1__ENVELOPE__BODY_DELTA)
			return e;
		if (e != NULL)
			link_free(&e->base);
	}
	return NULL;
}

static void
test_flows(void)
{
	struct sa *a, *b, *c, *l, *e, *dd, *x;
	Gw__V1__Tables *t;
	const Gw__V1__Policy *p;
	size_t n_dyn;

	a = add(ike_sa(20, false, 50, 0x1001, H1, R1));
	add(ike_sa(20, true, 50, 0x2001, R1, H1));		/* inbound: not a flow's */
	c = ike_sa(20, false, 51, 0x1003, H2, R2);		/* the bundle, AH added first */
	b = ike_sa(20, false, 50, 0x1002, H2, R2);
	c->bundle = b->id;
	b->bundle = c->id;
	add(c);
	add(b);
	l = ike_sa(20, false, 50, 0x1004, H1, R1);		/* larval: not on the wire */
	l->state = SA_LARVAL;
	add(l);
	e = add(ike_sa(30, false, 50, 0x1005, H2, 0x0a020001));	/* the dynamic entry's */
	dd = add(ike_sa(20, false, 50, 0x1006, H1, R1));		/* flow 1 rekeyed */
	x = ike_sa(20, false, 50, 0x1008, H1, R1);		/* of crypto map alt 20 */
	snprintf(x->map, sizeof(x->map), "alt");
	x->id = sa_hash_id(x);
	add(x);

	t = wire_tables(cd.conf.spd, &cd.sad, 7);
	T_OK(t != NULL, "tables");
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n_policies; i++)
		if (strcmp(t->policies[i]->map, "alt") == 0)
			T_OK(t->policies[i]->n_flow_sas == 1 &&
			    flow_is(t->policies[i]->flow_sas[0], x->id, 0, H1, R1),
			    "alt 20: only its own SA");
	p = policy(t, 20);
	T_OK(p != NULL && p->kind == GW__V1__ENTRY_KIND__KIND_ISAKMP, "vpn 20, isakmp");
	T_EQ(p != NULL ? p->n_flow_sas : 0, 3, "three flows: SA a, the bundle, SA d");
	if (p != NULL && p->n_flow_sas == 3) {
		T_OK(flow_is(p->flow_sas[0], a->id, 0, H1, R1), "first SA a, its flow");
		T_OK(flow_is(p->flow_sas[1], b->id, c->id, H2, R2),
		    "then the bundle: ESP b and AH c in one entry");
		T_OK(flow_is(p->flow_sas[2], dd->id, 0, H1, R1), "the newest last: SA d");
	}
	T_EQ(p != NULL ? p->sa_out_esp : 1, 0, "no SA of its own");
	n_dyn = 0;
	for (size_t i = 0; i < t->n_policies; i++) {
		p = t->policies[i];
		if (p->seq != 30)
			continue;
		n_dyn++;
		T_OK(p->kind == GW__V1__ENTRY_KIND__KIND_DYNAMIC && p->n_flow_sas == 1 &&
		    flow_is(p->flow_sas[0], e->id, 0, H2, 0x0a020001),
		    "dynamic entry %zu of vpn 30: its SA e", n_dyn);
	}
	T_EQ(n_dyn, 2, "both entries of the dynamic set (they share map and sequence number)");
	p = policy(t, 10);
	T_OK(p != NULL && p->kind == GW__V1__ENTRY_KIND__KIND_MANUAL && p->n_flow_sas == 0 &&
	    p->sa_out_esp != 0, "the manual entry: its own SA, no flows");
	link_free(&t->base);

	T_EQ(sa_set_state(l, SA_MATURE), 0, "the larval SA goes into use");
	t = wire_tables(cd.conf.spd, &cd.sad, 8);
	p = policy(t, 20);
	T_OK(p != NULL && p->n_flow_sas == 4 && flow_is(p->flow_sas[2], l->id, 0, H1, R1) &&
	    flow_is(p->flow_sas[3], dd->id, 0, H1, R1),
	    "listed from then on, in its SAD place (d stays the newest)");
	if (t != NULL)
		link_free(&t->base);
	sad_remove(&cd.sad, l);
}

static const Gw__V1__Sa *
sa_of(const Gw__V1__Tables *t, uint64_t id)
{
	for (size_t i = 0; t != NULL && i < t->n_sas; i++)
		if (t->sas[i]->id == id)
			return t->sas[i];
	return NULL;
}

static int64_t
clock_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A negotiated SA carries its hard lifetime to the workers: a wall-clock deadline (when it
 * entered the SAD, plus its seconds) and its kilobytes in bytes; a manual SA, and a lifetime
 * of 0, none.  The deadline is the same in the next generation (no upsert for nothing). */
static void
test_hard(void)
{
	struct sa *h = ike_sa(20, false, 50, 0x1011, H1, R1), *z = ike_sa(20, true, 50, 0x2011,
	    R1, H1);
	const Gw__V1__Sa *m, *mz;
	Gw__V1__Tables *t, *t2;
	int64_t want, manual = 0;

	h->hard = (struct sa_lifetime){ 120, 1000 };
	h->soft = (struct sa_lifetime){ 100, 744 };
	add(h);
	add(z);					/* z: no lifetime */
	h->added_ms -= 30000;			/* it came 30 s ago */
	want = clock_ms(CLOCK_REALTIME) - clock_ms(CLOCK_MONOTONIC) + (int64_t)h->added_ms +
	    120 * 1000;
	t = wire_tables(cd.conf.spd, &cd.sad, 9);
	T_OK(t != NULL, "tables");
	m = sa_of(t, h->id);
	T_OK(m != NULL, "the negotiated SA is on the wire");
	if (m != NULL) {
		T_OK((int64_t)m->hard_expire_unix_ms > want - 1500 &&
		    (int64_t)m->hard_expire_unix_ms < want + 1500,
		    "its deadline: 90 s from now on the wall clock (%" PRIu64 ", want %" PRId64 ")",
		    m->hard_expire_unix_ms, want);
		T_EQ(m->hard_bytes, 1000 * 1024, "its bytes: 1000 KB");
	}
	mz = sa_of(t, z->id);
	T_OK(mz != NULL && mz->hard_expire_unix_ms == 0 && mz->hard_bytes == 0,
	    "a negotiated SA without lifetimes: none on the wire");
	for (size_t i = 0; t != NULL && i < t->n_sas; i++) {
		const struct sa *sa = sad_find(&cd.sad, t->sas[i]->id);

		if (sa == NULL || sa->origin != SA_MANUAL)
			continue;
		manual++;
		T_OK(t->sas[i]->hard_expire_unix_ms == 0 && t->sas[i]->hard_bytes == 0,
		    "manual SA %08x: no lifetime", t->sas[i]->spi);
	}
	T_OK(manual > 0, "the manual SAs were looked at (%" PRId64 ")", manual);
	t2 = wire_tables(cd.conf.spd, &cd.sad, 10);
	T_OK(m != NULL && sa_of(t2, h->id) != NULL &&
	    sa_of(t2, h->id)->hard_expire_unix_ms == m->hard_expire_unix_ms,
	    "the same deadline in the next generation");
	if (t != NULL)
		link_free(&t->base);
	if (t2 != NULL)
		link_free(&t2->base);
	sad_remove(&cd.sad, h);
	sad_remove(&cd.sad, z);
}

/* A worker at the current generation gets the flows in deltas: policies replaced when only
 * the flows changed, and not when nothing did. */
static void
test_delta(void)
{
	char ep[128];
	void *ctx = zmq_ctx_new(), *router = zmq_socket(ctx, ZMQ_ROUTER), *d;
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT, *e;
	Gw__V1__Hello h = GW__V1__HELLO__INIT;
	struct link_peer from;
	struct gw_err err;
	uint32_t addr = GWB;
	const Gw__V1__Policy *p = NULL;
	struct sa *n;

	snprintf(ep, sizeof(ep), "ipc://%s/wire.sock", dir);
	cd.zctx = ctx;
	cd.link.sock = router;
	T_EQ(link_bind(router, ep, LINK_MAX_TO_CONTROLD, &err), 0, "bind: %s", err.msg);
	d = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(d, ZMQ_ROUTING_ID, "w1", 2);
	T_EQ(link_connect(d, ep, LINK_MAX_FROM_CONTROLD, &err), 0, "connect");
	usleep(100000);				/* the ROUTER learns the routing id */
	memset(&from, 0, sizeof(from));
	from.id_len = 2;
	memcpy(from.id, "w1", 2);
	h.worker_id = (char *)"test/1";
	h.host = (char *)"test";
	h.boot = 1;
	h.n_addrs = 1;
	h.addrs = &addr;
	env.body_case = GW__V1__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	workers_msg(&cd, &from, &env);		/* welcome, snapshot */
	while ((e = delta(d, 300)) != NULL)	/* and the deltas of its inbound SAs' owner */
		link_free(&e->base);

	n = add(ike_sa(20, false, 50, 0x1007, H2, R2));	/* a new flow SA: only that */
	publish_tables(&cd);
	e = delta(d, 1000);
	T_OK(e != NULL, "a delta");
	if (e != NULL) {
		for (size_t i = 0; i < e->delta->n_policies; i++)
			if (e->delta->policies[i]->seq == 20 &&
			    strcmp(e->delta->policies[i]->map, "vpn") == 0)
				p = e->delta->policies[i];
		T_OK(e->delta->policies_replace, "the flows changed: policies replaced");
		T_OK(p != NULL && p->n_flow_sas == 4 &&
		    flow_is(p->flow_sas[3], n->id, 0, H2, R2), "with the new flow last");
		T_EQ(e->delta->n_sa_upsert, 1, "and the new SA");
		link_free(&e->base);
	}
	publish_tables(&cd);
	e = delta(d, 1000);
	T_OK(e != NULL && !e->delta->policies_replace && e->delta->n_sa_upsert == 0,
	    "nothing changed: a delta without policies");
	if (e != NULL)
		link_free(&e->base);
	sad_remove(&cd.sad, n);
	publish_tables(&cd);
	e = delta(d, 1000);
	T_OK(e != NULL && e->delta->policies_replace && e->delta->n_sa_remove == 1,
	    "the SA gone: policies replaced, the SA removed");
	if (e != NULL)
		link_free(&e->base);

	zmq_close(d);
	zmq_close(router);
	cd.link.sock = NULL;
	cd.zctx = NULL;
	zmq_ctx_term(ctx);
	snprintf(ep, sizeof(ep), "%s/wire.sock", dir);
	unlink(ep);
}

int
main(void)
{
	if (link_test_up(&cd, dir, "wire_test", test_example("gwB.conf", conf_extra)) != 0)
		return 2;
	test_flows();
	test_hard();
	test_delta();
	link_test_down(&cd, dir);
	return t_done();
}
