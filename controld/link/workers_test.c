/* SPDX-License-Identifier: Apache-2.0 */
/* workers_test.c: what a client of the worker link can do to controld, driven through the
 * real handlers (workers_msg) with real stores, and through a real ROUTER socket
 * (docs/threat-model.md; issue "Security": "the worker link trusts whoever reaches it").
 * Each case is an abuse that worked before and must now be refused and counted:
 *
 *   - a flood of lease requests burns at most one short block a second, not the key's space
 *   - a replay window top from a worker that does not own the SA is not the SA's floor
 *   - a hello that names an owner's address and an id that sorts first does not take its SAs
 *   - a worker id belongs to the CURVE key that claimed it first; a key has its slots, its ids
 *     (ids=) and its addresses (addrs=)
 *   - a report of more SAs than the tables hold costs what the tables hold
 *   - a message over LINK_MAX_TO_CONTROLD never reaches controld; the connection is counted
 *   - a worker whose connection ends (kill -9) is presumed dead at once and its inbound SA
 *     moves; the same id back is one worker and one owner; a connection that ends on a
 *     descriptor the kernel reused, or whose process lives on, does not take a worker down
 *
 * and the IKE wire (ikewire.c), through a real ROUTER and real DEALERs:
 *
 *   - link_ike_send() goes to the worker that holds the port on a host with the address, and
 *     fails (counted) when none does, or the message is not IKE
 *   - relayed IKE and acquires reach the hooks, checked: garbage is not IKE, a peer over its
 *     burst is shed, an acquire for a manual entry or a flow its list does not permit is
 *     refused; with no hook they are counted and dropped
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
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

/* deploy/examples/gwB.conf with anti-replay, and an ipsec-isakmp entry (for acquires) */
static const char conf_extra[] =
	"crypto map vpn 10 ipsec-manual\n set security-association replay window-size 64\n"
	"access-list 102 deny udp host 10.0.0.99 10.1.0.0 0.0.0.255\n"
	"access-list 102 permit ip 10.0.0.0 0.0.0.255 10.1.0.0 0.0.0.255\n"
	"crypto map vpn 20 ipsec-isakmp\n match address 102\n set peer 198.51.100.3\n"
	" set transform-set AES-SHA\n";

enum { GWB = 0xc6336402 };		/* 198.51.100.2, the SAs' local address */
static const char KEY_A[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
static const char KEY_B[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";

static struct controld cd;
static char dir[64];

static const struct sa *
sa(bool inbound)
{
	for (size_t i = 0; i < cd.sad.n; i++)
		if (cd.sad.v[i]->inbound == inbound)
			return cd.sad.v[i];
	return NULL;
}

/* The SAs a worker has counts of (in the SAD). */
static size_t
n_counts(const struct worker_rec *w)
{
	return sad_slot_counts(&cd.sad, (unsigned)(w - cd.link.w), NULL, NULL);
}

static struct link_peer
peer(const char *rid, const char *key)
{
	struct link_peer p;

	memset(&p, 0, sizeof(p));
	p.fd = -1;			/* no connection */
	p.id_len = strlen(rid);
	memcpy(p.id, rid, p.id_len);
	snprintf(p.key, sizeof(p.key), "%s", key);
	return p;
}

static void
hello(const char *rid, const char *key, const char *id, uint64_t boot, uint32_t addr)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Hello h = GW__V1__HELLO__INIT;
	struct link_peer p = peer(rid, key);

	h.worker_id = (char *)id;
	h.host = (char *)"test";
	h.boot = boot;
	h.n_addrs = addr ? 1 : 0;
	h.addrs = &addr;
	env.body_case = GW__V1__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	workers_msg(&cd, &p, &env);
}

static void
lease(const char *rid, const char *key, uint64_t sa_id, uint64_t next)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__LeaseRequest q = GW__V1__LEASE_REQUEST__INIT;
	struct link_peer p = peer(rid, key);

	q.sa_id = sa_id;
	q.next = next;
	env.body_case = GW__V1__ENVELOPE__BODY_LEASE_REQUEST;
	env.lease_request = &q;
	workers_msg(&cd, &p, &env);
}

static void
report(const char *rid, const char *key, uint64_t boot, uint64_t sa_id, uint64_t top, size_t n)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Report r = GW__V1__REPORT__INIT;
	Gw__V1__SaCounters *c = calloc(n, sizeof(*c)), **cp = calloc(n, sizeof(*cp));
	struct link_peer p = peer(rid, key);

	for (size_t i = 0; i < n; i++) {
		gw__v1__sa_counters__init(&c[i]);
		c[i].sa_id = i == 0 ? sa_id : 0x1000 + i;	/* the rest: no such SA */
		c[i].seq_top = top;
		c[i].pkts = 1;
		cp[i] = &c[i];
	}
	r.boot = boot;
	r.n_sas = n;
	r.sas = cp;
	env.body_case = GW__V1__ENVELOPE__BODY_REPORT;
	env.report = &r;
	workers_msg(&cd, &p, &env);
	free(c);
	free(cp);
}

static struct worker_rec *
worker(const char *id)
{
	for (int k = 0; k < WORKERS_MAX; k++)
		if (strcmp(cd.link.w[k].id, id) == 0)
			return &cd.link.w[k];
	return NULL;
}

/* 4096 lease requests (the harness of the issue used up a 32-bit space in 10 s with them). */
static void
test_lease_flood(void)
{
	uint64_t key, mark, out;

	hello("r1", "", "gwB/1", 11, GWB);	/* (a new generation: it owns the inbound SA) */
	out = sa(false)->id;
	key = sa_key_id(sa(false));
	T_OK(worker("gwB/1") != NULL && worker("gwB/1")->live, "gwB/1 joined");
	for (int i = 0; i < 4096; i++)
		lease("r1", "", out, 0);
	mark = lease_get(&cd.link.leases, key);
	T_EQ(mark, LEASE_MIN + 1, "4096 requests at once: one fresh block of %d", LEASE_MIN);
	T_EQ(worker("gwB/1")->refused[REFUSE_LEASE_SOON], 4095, "the rest refused (lease-soon)");
	/* taken in memory, waiting for the turn's one write: not sent, not on disk yet */
	T_EQ(cd.link.n_grants, 1, "the block waits for the end of the turn");
	T_OK(lease_saved(&cd.link.leases, key) < mark, "its mark is not on disk yet");
	grant_flush(&cd);
	T_EQ(cd.link.n_grants, 0, "end of the turn: sent");
	T_EQ(lease_saved(&cd.link.leases, key), mark, "after its mark was written");
	for (int i = 0; i < 100; i++)
		lease("r1", "", out, 2);		/* 1 of 16384 used */
	T_EQ(lease_get(&cd.link.leases, key), mark, "asking again before half is used: nothing");
	T_EQ(worker("gwB/1")->refused[REFUSE_LEASE_EARLY], 100, "counted as lease-early");
	/* 8192 numbers in 20 ms: a believable rate (lease_test has the others: here the
	 * clock is the machine's) */
	usleep(20000);
	lease("r1", "", out, LEASE_MIN / 2 + 1);
	T_EQ(lease_get(&cd.link.leases, key), mark + 2 * LEASE_MIN, "half used: the next, twice");
	lease("r1", "", out, LEASE_MIN / 2 + 2);
	T_EQ(lease_get(&cd.link.leases, key), mark + 2 * LEASE_MIN,
	    "the old block again: nothing");
	lease("r1", "", sa(true)->id, 0);
	T_EQ(worker("gwB/1")->refused[REFUSE_LEASE_SA], 1, "a lease for an inbound SA: refused");
}

/* The owner of the inbound SA is gwB/1; gwB/2 (same host) reports a top for it. */
static void
test_top_from_non_owner(void)
{
	uint64_t key, in;

	hello("r2", "", "gwB/2", 22, GWB);
	in = sa(true)->id;
	key = sa_key_id(sa(true));
	T_STREQ(sa(true)->owner, "gwB/1", "the first worker owns the inbound SA");
	report("r1", "", 11, in, 100, 1);
	report("r1", "", 11, in, 150, 1);
	T_OK(lease_get(&cd.link.floors, key) >= 150,
	    "the owner's top 150 is the floor's base (%llu)",
	    (unsigned long long)lease_get(&cd.link.floors, key));
	T_OK(lease_get(&cd.link.floors, key) <= 150 + 2 * 50 + REPLAY_MARGIN_MIN, "plus a margin");
	report("r2", "", 22, in, 0xffffffffu, 1);
	T_OK(lease_get(&cd.link.floors, key) < 1000,
	    "a non-owner's top 0xffffffff is not the floor");
	T_EQ(worker("gwB/2")->refused[REFUSE_TOP_OWNER], 1, "counted as top-owner");
}

/* A hello of another key with the SA's address and an id that sorts before the owner's. */
static void
test_steal_owner(void)
{
	hello("r3", KEY_B, "0000", 33, GWB);
	T_OK(worker("0000") != NULL && worker("0000")->live, "key B's worker 0000 joined");
	T_STREQ(sa(true)->owner, "gwB/1", "a live owner keeps its SA against another key");
}

/* controld restarts while gwB/1 runs on: the file gives gwB/1 its inbound SA back without a
 * floor (its window goes on); a gwB/1 that restarted (another boot) starts at the floor. */
static void
test_owners_restart(void)
{
	struct gw_err err = { 0, "" };
	struct sa *in = NULL;
	uint64_t key;

	for (size_t i = 0; i < cd.sad.n && in == NULL; i++)
		if (cd.sad.v[i]->inbound)
			in = cd.sad.v[i];
	key = sa_key_id(in);
	T_STREQ(in->owner, "gwB/1", "gwB/1 owns the inbound SA");
	T_EQ(owners_save(&cd, true, &err), 0, "owners written (%s)", err.msg);
	T_EQ(owners_load(&cd, &err), 0, "and read back (%s)", err.msg);
	T_EQ(cd.link.n_owners_was, 1, "one inbound SA with a window, one line");
	/* what a restarted controld knows: no owner, a floor on disk above the window */
	in->owner[0] = '\0';
	in->replay_floor = 0;
	worker("gwB/1")->live = false;
	lease_raise(&cd.link.floors, key, 5000);
	hello("r1", "", "gwB/1", 11, GWB);
	T_STREQ(in->owner, "gwB/1", "gwB/1, same boot: its SA again");
	T_EQ(in->replay_floor, 0, "no floor: its window goes on");
	in->owner[0] = '\0';
	worker("gwB/1")->live = false;
	hello("r1", "", "gwB/1", 12, GWB);
	T_OK(in->owner[0] != '\0', "gwB/1 restarted (another boot): the SA has an owner (%s)",
	    in->owner);
	T_EQ(in->replay_floor, 5000, "and its window starts at the floor");
	/* a file of no SA (a gateway whose SAs have no window): nothing to sort, nothing read */
	{
		char path[128];
		FILE *f;

		snprintf(path, sizeof(path), "%s/inbound-owners", dir);
		T_OK((f = fopen(path, "w")) != NULL && fputs("# no SA\n", f) >= 0 &&
		    fclose(f) == 0, "an owners file of no SA written");
		T_EQ(owners_load(&cd, &err), 0, "read (%s)", err.msg);
		T_EQ(cd.link.n_owners_was, 0, "no owner from it");
	}
}

static void
test_keys(void)
{
	unsigned full;

	/* an allow-list: key A may be gwC/1..2 on 203.0.113.0/24, two slots; key B anything */
	cd.link.allow_workers.n = 2;
	memset(cd.link.allow_workers.a, 0, 2 * sizeof(cd.link.allow_workers.a[0]));
	snprintf(cd.link.allow_workers.a[0].z85, LINK_KEY_Z85, "%s", KEY_A);
	snprintf(cd.link.allow_workers.a[0].ids, sizeof(cd.link.allow_workers.a[0].ids), "gwC/*");
	cd.link.allow_workers.a[0].net[0] = 0xcb007100;
	cd.link.allow_workers.a[0].mask[0] = 0xffffff00;
	cd.link.allow_workers.a[0].n_nets = 1;
	cd.link.allow_workers.a[0].max = 2;
	snprintf(cd.link.allow_workers.a[1].z85, LINK_KEY_Z85, "%s", KEY_B);
	cd.link.allow_workers.a[1].max = 4;

	hello("k1", KEY_B, "gwB/1", 44, GWB);
	T_EQ(cd.link.refused[REFUSE_HELLO_KEY], 1,
	    "gwB/1 (claimed over ipc) under key B: hello-key");
	T_OK(worker("gwB/1")->live && worker("gwB/1")->boot == 11, "the real gwB/1 untouched");
	hello("k2", KEY_A, "gwB/9", 45, 0xcb00710a);
	T_EQ(cd.link.refused[REFUSE_HELLO_ALLOW], 1,
	    "key A as gwB/9, outside ids=gwC/*: hello-allow");
	hello("k3", KEY_A, "gwC/1", 46, GWB);
	T_EQ(cd.link.refused[REFUSE_HELLO_ALLOW], 2, "key A with gwB's address, outside addrs=");
	hello("k4", KEY_A, "gwC/1", 47, 0xcb00710a);
	hello("k5", KEY_A, "gwC/2", 48, 0xcb00710a);
	T_OK(worker("gwC/1") && worker("gwC/2"), "key A's two workers joined");
	full = (unsigned)cd.link.refused[REFUSE_HELLO_FULL];
	for (int i = 0; i < 64; i++) {
		char id[24];

		snprintf(id, sizeof(id), "gwC/x%d", i);
		hello("k6", KEY_A, id, 49, 0xcb00710a);
	}
	T_EQ(cd.link.refused[REFUSE_HELLO_FULL] - full, 64,
	    "64 more hellos of key A: all hello-full");
	T_OK(worker("gwC/x0") == NULL, "no slot taken by them");
	hello("k7", KEY_B, "gwC/1", 50, 0xcb00710a);
	T_EQ(cd.link.refused[REFUSE_HELLO_KEY], 2, "key B as gwC/1 (key A's): hello-key");
	hello("k8", KEY_A, "gwC/1", 51, 0xcb00710a);
	T_OK(worker("gwC/1")->boot == 51 && worker("gwC/1")->rid[1] == '8',
	    "gwC/1 restarted on a new connection with its own key: the same record");
	report("k4", KEY_A, 47, sa(false)->id, 1, 1);
	T_EQ(n_counts(worker("gwC/1")), 0, "its old connection is not heard any more");
	cd.link.allow_workers.n = 0;
}

static void
test_big_report(void)
{
	struct worker_rec *w = worker("gwB/2");
	uint64_t before = w->refused[REFUSE_REPORT_SA];

	report("r2", "", 22, sa(false)->id, 5, 100000);
	T_OK(n_counts(w) <= cd.sad.n, "100000 counters: the worker keeps at most what the tables "
	    "hold (%zu)", n_counts(w));
	T_OK(w->refused[REFUSE_REPORT_SA] > before, "and the rest is counted as report-sa");
}

/* A real ROUTER socket with the link's options: 2 MiB never arrives, 1 KiB does. */
static void
test_oversize(void)
{
	char ep[128];
	void *ctx = zmq_ctx_new(), *router = zmq_socket(ctx, ZMQ_ROUTER);
	void *big = zmq_socket(ctx, ZMQ_DEALER), *small = zmq_socket(ctx, ZMQ_DEALER);
	struct gw_err err;
	struct link_peer from;
	zmq_pollitem_t it = { router, 0, ZMQ_POLLIN, 0 };
	size_t len = 2 << 20;
	uint8_t *buf = calloc(1, len);
	ProtobufCMessage *m;
	Gw__V1__Heartbeat hb = GW__V1__HEARTBEAT__INIT;
	struct controld save = cd;

	snprintf(ep, sizeof(ep), "ipc://%s/link.sock", dir);
	cd.zctx = ctx;
	cd.link.sock = router;
	cd.link.disconnects = 0;
	workers_monitor(&cd);
	T_EQ(link_bind(router, ep, LINK_MAX_TO_CONTROLD, &err), 0, "bind: %s", err.msg);
	T_EQ(link_connect(big, ep, LINK_MAX_FROM_CONTROLD, &err), 0, "connect");
	T_EQ(zmq_send(big, buf, len, 0), (int)len, "a worker sends 2 MiB");
	T_EQ(zmq_poll(&it, 1, 1000), 0, "nothing arrives at controld");
	for (int i = 0; i < 20 && cd.link.disconnects == 0; i++) {
		usleep(50000);
		workers_poll(&cd);
	}
	T_EQ(cd.link.disconnects, 1, "the connection is cut and counted");
	T_EQ(link_connect(small, ep, LINK_MAX_FROM_CONTROLD, &err), 0, "connect");
	T_EQ(link_send(small, NULL, 0, &hb.base), 0, "another sends a small message");
	T_EQ(zmq_poll(&it, 1, 2000), 1, "it arrives");
	m = link_recv(router, &from, &gw__v1__heartbeat__descriptor, &err);
	T_OK(m != NULL, "and unpacks");
	link_free(m);
	free(buf);
	workers_monitor_stop(&cd);
	zmq_close(big);
	zmq_close(small);
	zmq_close(router);
	zmq_ctx_term(ctx);
	save.link.disconnects = cd.link.disconnects;
	cd = save;
	snprintf(ep, sizeof(ep), "%s/link.sock", dir);
	unlink(ep);
}

/* ---- the IKE wire ---- */

enum { GWC = 0xc6336403, PEER = 0xc6336401 };	/* 198.51.100.3, another host; a peer */

static struct {
	unsigned		n_in, n_acq;
	bool			ctx_ok;
	struct link_ike_dgram	last_in;
	uint8_t			msg[64];
	struct link_acquire	last_acq;
} hook;

static void
on_ike(void *ctx, const struct link_ike_dgram *d)
{
	hook.ctx_ok = ctx == &hook;
	hook.n_in++;
	hook.last_in = *d;
	memcpy(hook.msg, d->msg, d->len < sizeof(hook.msg) ? d->len : sizeof(hook.msg));
	hook.last_in.msg = hook.msg;
}

static void
on_acquire(void *ctx, const struct link_acquire *a)
{
	(void)ctx;
	hook.n_acq++;
	hook.last_acq = *a;
}

static void
hello_ports(const char *rid, const char *id, uint64_t boot, uint32_t addr, bool ike, bool udp)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Hello h = GW__V1__HELLO__INIT;
	struct link_peer p = peer(rid, "");

	h.worker_id = (char *)id;
	h.host = (char *)"test";
	h.boot = boot;
	h.n_addrs = 1;
	h.addrs = &addr;
	h.ike = ike;
	h.udp_encap = udp;
	env.body_case = GW__V1__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	workers_msg(&cd, &p, &env);
}

static size_t
ike_hdr(uint8_t *b, size_t len)
{
	memset(b, 0, len);
	b[17] = 0x20;
	b[18] = 34;
	b[27] = (uint8_t)len;
	return len;
}

static void
relay(const char *rid, uint32_t remote, const uint8_t *m, size_t len)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__IkeDatagram d = GW__V1__IKE_DATAGRAM__INIT;
	struct link_peer p = peer(rid, "");

	d.local = GWB;
	d.local_port = 4500;
	d.remote = remote;
	d.remote_port = 4500;
	d.data.data = (uint8_t *)m;
	d.data.len = len;
	env.body_case = GW__V1__ENVELOPE__BODY_IKE;
	env.ike = &d;
	workers_msg(&cd, &p, &env);
}

static void
acquire(const char *rid, uint32_t seq, uint32_t src, uint32_t dst, uint32_t proto)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Acquire a = GW__V1__ACQUIRE__INIT;
	struct link_peer p = peer(rid, "");

	a.map = (char *)"vpn";
	a.seq = seq;
	a.src = src;
	a.dst = dst;
	a.proto = proto;
	a.sport = 1000;
	a.dport = 2000;
	env.body_case = GW__V1__ENVELOPE__BODY_ACQUIRE;
	env.acquire = &a;
	workers_msg(&cd, &p, &env);
}

/* Which of the DEALERs d[0..n) got an IkeSend within ms (-1: none), its message in *out. */
static int
got_send(void **d, int n, int ms, Gw__V1__IkeSend *out)
{
	zmq_pollitem_t it[4];
	struct gw_err err;

	for (int i = 0; i < n; i++)
		it[i] = (zmq_pollitem_t){ d[i], 0, ZMQ_POLLIN, 0 };
	if (zmq_poll(it, n, ms) < 1)
		return -1;
	for (int i = 0; i < n; i++) {
		Gw__V1__Envelope *e;

		if (!(it[i].revents & ZMQ_POLLIN))
			continue;
		while ((e = link_recv_env(d[i], NULL, &err)) != NULL) {
			bool ike = e->body_case == GW__V1__ENVELOPE__BODY_IKE_SEND;

			if (ike && out != NULL) {
				*out = *e->ike_send;
				out->data.data = NULL;
			}
			link_free(&e->base);
			if (ike)
				return i;
		}
	}
	return -1;
}

static void
test_ike_wire(void)
{
	char ep[128];
	void *ctx = zmq_ctx_new(), *router = zmq_socket(ctx, ZMQ_ROUTER), *d[3];
	const char *rids[3] = { "i1", "i2", "i3" };
	struct controld save = cd;
	struct gw_err err;
	Gw__V1__IkeSend s;
	uint8_t m[40];
	char *text = NULL;
	size_t text_len = 0;
	FILE *f;
	unsigned n;

	snprintf(ep, sizeof(ep), "ipc://%s/ike.sock", dir);
	cd.zctx = ctx;
	cd.link.sock = router;
	T_EQ(link_bind(router, ep, LINK_MAX_TO_CONTROLD, &err), 0, "bind: %s", err.msg);
	for (int i = 0; i < 3; i++) {
		d[i] = zmq_socket(ctx, ZMQ_DEALER);
		zmq_setsockopt(d[i], ZMQ_ROUTING_ID, rids[i], 2);
		T_EQ(link_connect(d[i], ep, LINK_MAX_FROM_CONTROLD, &err), 0, "connect");
	}
	usleep(100000);				/* the ROUTER learns the routing ids */
	hello_ports("i1", "ike/1", 61, GWB, false, false);	/* gwB: holds neither port */
	hello_ports("i2", "ike/2", 62, GWB, true, true);	/* gwB: holds both */
	hello_ports("i3", "ike/3", 63, GWC, true, false);	/* gwC: holds 500 */
	for (int i = 0; i < 3; i++)
		got_send(&d[i], 1, 50, NULL);	/* the welcomes */

	/* --> from gwB's address: the worker of gwB that holds the port */
	T_OK(link_ike_send(&cd, GWB, 500, PEER, 500, m, ike_hdr(m, 40)), "gwB:500 to the peer");
	T_EQ(got_send(d, 3, 1000, &s), 1, "goes to ike/2, gwB's holder of 500");
	T_OK(s.local == GWB && s.local_port == 500 && s.remote == PEER && s.remote_port == 500,
	    "with the addresses and ports asked for");
	T_OK(link_ike_send(&cd, GWB, 4500, PEER, 4500, m, 40), "gwB:4500");
	T_EQ(got_send(d, 3, 1000, &s), 1, "ike/2 again: it holds 4500 too");
	T_OK(link_ike_send(&cd, GWC, 500, PEER, 500, m, 40), "gwC:500");
	T_EQ(got_send(d, 3, 1000, &s), 2, "goes to ike/3, on gwC");
	T_OK(!link_ike_send(&cd, GWC, 4500, PEER, 4500, m, 40),
	    "gwC:4500: no worker there holds 4500, not sent");
	T_OK(!link_ike_send(&cd, 0x0a090909, 500, PEER, 500, m, 40),
	    "an address nobody claims, two holders of 500: not sent");
	m[27] = 41;
	T_OK(!link_ike_send(&cd, GWB, 500, PEER, 500, m, 40), "a Length that lies: not sent");
	T_EQ(got_send(d, 3, 200, NULL), -1, "none of them reached a worker");
	T_EQ(cd.link.ike_sent, 3u, "3 sent");
	T_EQ(cd.link.ike_send_failed, 3u, "3 counted as not sent");

	/* <-- relayed IKE, first with no hook */
	relay("i2", PEER, m, ike_hdr(m, 40));
	T_EQ(cd.link.ike_unhandled, 1u, "no hook: counted and dropped");
	link_set_ike_hooks(&cd.link, on_ike, on_acquire, &hook);
	relay("i2", PEER, m, 40);
	T_EQ(hook.n_in, 1u, "with the hook: handed over");
	T_OK(hook.last_in.local == GWB && hook.last_in.local_port == 4500 &&
	    hook.last_in.remote == PEER && hook.last_in.remote_port == 4500 &&
	    hook.last_in.len == 40 && hook.msg[18] == 34, "as the worker relayed it");
	T_STREQ(hook.last_in.worker, "ike/2", "naming the worker");
	T_OK(hook.ctx_ok, "the hook gets its context");
	m[27] = 39;
	relay("i2", PEER, m, 40);
	T_EQ(hook.n_in, 1u, "a Length that lies: not IKE, not handed over");
	T_EQ(cd.link.ike_bad, 1u, "counted as not IKE");

	/* one peer over its burst, through two workers: shed; another peer is not */
	ike_hdr(m, 40);
	for (int i = 0; i < LINK_IKE_PEER_BURST + 500; i++)
		relay(i % 2 ? "i2" : "i3", PEER, m, 40);
	T_OK(hook.n_in >= LINK_IKE_PEER_BURST - 2 && hook.n_in < LINK_IKE_PEER_BURST + 200,
	    "a peer gets about its burst of %d (%u)", LINK_IKE_PEER_BURST, hook.n_in);
	T_OK(cd.link.ike_shed >= 300, "the rest is shed and counted (%llu)",
	    (unsigned long long)cd.link.ike_shed);
	n = hook.n_in;
	relay("i2", GWC + 100, m, 40);
	T_EQ(hook.n_in, n + 1, "another peer still passes");

	/* acquires */
	acquire("i2", 20, 0x0a000001, 0x0a010001, 17);
	T_EQ(hook.n_acq, 1u, "an acquire for ipsec-isakmp vpn 20 and a permitted flow: handed over");
	T_OK(hook.last_acq.pol != NULL && hook.last_acq.pol->seq == 20 &&
	    hook.last_acq.pol->kind == POLICY_ISAKMP, "with its SPD entry");
	T_EQ(hook.last_acq.ace, 1u, "and its permit, as the SPD says");
	T_OK(hook.last_acq.flow.src == 0x0a000001 && hook.last_acq.flow.sport == 1000 &&
	    hook.last_acq.flow.has_ports, "and the flow");
	acquire("i2", 10, 0xc0000281, 0xc0000201, 17);
	T_EQ(hook.n_acq, 1u, "an acquire for a manual entry: refused");
	acquire("i2", 20, 0x0a000063, 0x0a010001, 17);
	T_EQ(hook.n_acq, 1u, "for a flow the entry's list denies: refused");
	acquire("i2", 20, 0x0a050001, 0x0a010001, 17);
	T_EQ(hook.n_acq, 1u, "for a flow it does not match: refused");
	T_EQ(worker("ike/2")->refused[REFUSE_ACQUIRE], 3u, "three counted as acquire");
	/* a worker that ignores its own limit (ACQUIRE_PER_SEC, datad) */
	n = hook.n_acq;
	for (int i = 0; i < LINK_ACQUIRE_PER_SEC + 100; i++)
		acquire("i3", 20, 0x0a000001, 0x0a010001, 17);
	T_OK(hook.n_acq - n >= LINK_ACQUIRE_PER_SEC - 1 && hook.n_acq - n <= LINK_ACQUIRE_PER_SEC,
	    "a flood of acquires from one worker: %d a second reach the hook (%u)",
	    LINK_ACQUIRE_PER_SEC, hook.n_acq - n);
	T_OK(worker("ike/3")->refused[REFUSE_ACQUIRE_FAST] >= 100, "the rest refused, acquire-fast");
	T_EQ(worker("ike/2")->refused[REFUSE_ACQUIRE_FAST], 0u, "another worker is not held back");
	link_set_ike_hooks(&cd.link, NULL, NULL, NULL);
	acquire("i2", 20, 0x0a000001, 0x0a010001, 6);
	T_EQ(cd.link.acq_unhandled, 1u, "no hook: counted and dropped");

	f = open_memstream(&text, &text_len);
	show_workers(&cd, f);
	fclose(f);
	T_OK(strstr(text, "IKE messages relayed by workers: ") != NULL &&
	    strstr(text, "IKE messages sent through workers: 3 (3 not sent") != NULL &&
	    strstr(text, "Acquires from workers: ") != NULL &&
	    strstr(text, " (3 refused); no IKE engine: dropped") != NULL &&
	    strstr(text, "acquire-fast") != NULL,
	    "show workers says so:\n%s", text);
	free(text);

	for (int i = 0; i < 3; i++)
		zmq_close(d[i]);
	zmq_close(router);
	zmq_ctx_term(ctx);
	save.link = cd.link;
	save.link.sock = NULL;
	save.zctx = NULL;
	cd = save;
	snprintf(ep, sizeof(ep), "%s/ike.sock", dir);
	unlink(ep);
}

/* ---- a worker's connection that ends (workers.c, the socket monitor) ---- */

/* A worker on a real DEALER: says hello as id, routing id given by the ROUTER (as datad). */
static void *
dealer_hello(void *ctx, const char *ep, const char *id, uint64_t boot)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Hello h = GW__V1__HELLO__INIT;
	uint32_t addr = GWB;
	struct gw_err err;
	void *d = zmq_socket(ctx, ZMQ_DEALER);

	T_EQ(link_connect(d, ep, LINK_MAX_FROM_CONTROLD, &err), 0, "connect %s", id);
	h.worker_id = (char *)id;
	h.host = (char *)"test";
	h.boot = boot;
	h.n_addrs = 1;
	h.addrs = &addr;
	env.body_case = GW__V1__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	T_EQ(link_send_env(d, NULL, 0, &env), 0, "%s says hello", id);
	return d;
}

/* Run controld's loop (workers_poll) for up to ms, until done() holds; how long it took. */
static uint64_t
loop_until(bool (*done)(void), int ms)
{
	zmq_pollitem_t it[2] = { { cd.link.sock, 0, ZMQ_POLLIN, 0 },
	    { cd.link.mon, 0, ZMQ_POLLIN, 0 } };
	uint64_t t0 = link_now_ms();

	while (!done() && link_now_ms() - t0 < (uint64_t)ms) {
		zmq_poll(it, 2, 10);
		workers_poll(&cd);
	}
	return link_now_ms() - t0;
}

static bool
both_live(void)
{
	return worker("dc/1") != NULL && worker("dc/1")->live && worker("dc/2") != NULL &&
	    worker("dc/2")->live;
}

static char gone_id[16];

static bool
owner_moved(void)
{
	return !worker(gone_id)->live && strcmp(sa(true)->owner, gone_id) != 0;
}

static bool
never(void)
{
	return false;
}

/* How many generations (deltas, snapshots) came to d within ms. */
static unsigned
got_tables(void *d, int ms)
{
	zmq_pollitem_t it = { d, 0, ZMQ_POLLIN, 0 };
	struct gw_err err;
	Gw__V1__Envelope *env;
	unsigned n = 0;

	while (zmq_poll(&it, 1, ms) == 1) {
		if ((env = link_recv_env(d, NULL, &err)) == NULL)
			continue;
		n += env->body_case == GW__V1__ENVELOPE__BODY_DELTA ||
		    env->body_case == GW__V1__ENVELOPE__BODY_SNAPSHOT;
		link_free(&env->base);
		ms = 50;		/* and what follows it closely */
	}
	return n;
}

/* A worker in a process of its own, until kill -9: dealer_hello() in a child. */
static pid_t
child_worker(const char *ep, const char *id, uint64_t boot)
{
	pid_t pid = fork();

	if (pid == 0) {			/* a fresh context: nothing of the parent's is used */
		dealer_hello(zmq_ctx_new(), ep, id, boot);
		for (;;)
			pause();
	}
	T_OK(pid > 0, "fork %s", id);
	return pid;
}

static void
child_kill(pid_t pid)
{
	kill(pid, SIGKILL);
}

/* kill -9 of a worker ends its connection: it is presumed dead at once, not after
 * WORKER_DEAD_MS, and its inbound SA moves to the other worker, which is told; the same id
 * back on a new connection is one worker again, and one owner; a connection that ends on a
 * descriptor a live worker's record names (the kernel reused it) leaves that worker live, and
 * so does a connection that ends while its process lives on. */
static void
test_disconnect(void)
{
	char ep[128];
	void *ctx = zmq_ctx_new(), *router = zmq_socket(ctx, ZMQ_ROUTER), *d2, *d3, *stray;
	struct gw_err err;
	struct link_peer from;
	Gw__V1__Envelope *env;
	Gw__V1__Envelope hb_env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Heartbeat hb = GW__V1__HEARTBEAT__INIT;
	struct worker_rec *w;
	uint64_t took, gone0, disc0;
	pid_t p1;
	int fd;

	snprintf(ep, sizeof(ep), "ipc://%s/dc.sock", dir);
	for (int k = 0; k < WORKERS_MAX; k++)
		cd.link.w[k].live = false;	/* the fakes of the tests before */
	cd.zctx = ctx;
	cd.link.sock = router;
	workers_monitor(&cd);
	T_OK(cd.link.mon != NULL, "the link socket's monitor");
	T_EQ(link_bind(router, ep, LINK_MAX_TO_CONTROLD, &err), 0, "bind: %s", err.msg);
	p1 = child_worker(ep, "dc/1", 71);	/* dc/1 sorts first: the owner */
	d2 = dealer_hello(ctx, ep, "dc/2", 72);
	loop_until(both_live, 2000);
	T_OK(both_live(), "two workers joined through the link socket");
	T_OK(worker("dc/1")->fd >= 0 && worker("dc/1")->fd != worker("dc/2")->fd,
	    "each known by its connection's descriptor (%d, %d)", worker("dc/1")->fd,
	    worker("dc/2")->fd);
	T_OK(worker("dc/1")->has_proc && worker("dc/2")->has_proc,
	    "and on ipc://, by its process (SO_PEERCRED, pidfd)");
	publish_tables(&cd);
	T_STREQ(sa(true)->owner, "dc/1", "dc/1 owns the inbound SA");
	got_tables(d2, 200);

	/* kill -9 of the owner */
	snprintf(gone_id, sizeof(gone_id), "dc/1");
	gone0 = cd.link.gone;
	child_kill(p1);
	took = loop_until(owner_moved, 2000);
	waitpid(p1, NULL, 0);
	T_OK(!worker("dc/1")->live, "dc/1 presumed dead as its connection ended");
	T_OK(took < WORKER_DEAD_MS / 3, "in %llu ms, not after %d ms of silence",
	    (unsigned long long)took, WORKER_DEAD_MS);
	T_EQ(cd.link.gone, gone0 + 1, "counted as gone with its connection");
	T_STREQ(sa(true)->owner, "dc/2", "its inbound SA moved to the other");
	T_EQ(got_tables(d2, 500), 1, "which got the new generation at once");

	/* the same id back (a restart: another boot) on a new connection */
	p1 = child_worker(ep, "dc/1", 80);
	loop_until(both_live, 2000);
	T_OK(both_live(), "dc/1 back: both live");
	T_EQ(cd.link.gone, gone0 + 1, "nobody else presumed dead");
	{
		int owners = 0;

		for (int k = 0; k < WORKERS_MAX; k++)
			owners += cd.link.w[k].live && strcmp(cd.link.w[k].id, sa(true)->owner) == 0;
		T_EQ(owners, 1, "the inbound SA has one live owner (%s)", sa(true)->owner);
	}

	/* a connection ends on a descriptor a live worker's record names: it stays live */
	stray = zmq_socket(ctx, ZMQ_DEALER);
	T_EQ(link_connect(stray, ep, LINK_MAX_FROM_CONTROLD, &err), 0, "a stray connects");
	hb_env.body_case = GW__V1__ENVELOPE__BODY_HEARTBEAT;
	hb_env.heartbeat = &hb;
	T_EQ(link_send_env(stray, NULL, 0, &hb_env), 0, "and sends");
	env = NULL;
	for (int i = 0; i < 100 && env == NULL; i++) {
		env = link_recv_env(router, &from, &err);
		if (env == NULL)
			usleep(10000);
	}
	T_OK(env != NULL && from.fd >= 0, "its message names its descriptor (%d)", from.fd);
	if (env != NULL)
		link_free(&env->base);
	w = worker("dc/2");
	fd = w->fd;
	w->fd = from.fd;		/* as if the kernel had reused the stray's descriptor */
	disc0 = cd.link.disconnects;
	zmq_close(stray);
	loop_until(never, 300);
	T_EQ(cd.link.disconnects, disc0 + 1, "the stray's end is counted");
	T_OK(w->live, "dc/2, whose connection did not end, stays live");
	T_EQ(cd.link.gone, gone0 + 1, "nobody presumed dead");
	w->fd = fd;

	/* dc/3's connection ends, but its process (this one) lives on and may still forward
	 * (a worker made after the last fork: no child holds its connection open) */
	d3 = dealer_hello(ctx, ep, "dc/3", 73);
	for (int i = 0; i < 100 && (worker("dc/3") == NULL || !worker("dc/3")->live); i++)
		loop_until(never, 10);
	T_OK(worker("dc/3") != NULL && worker("dc/3")->live, "dc/3 joined");
	zmq_close(d3);
	for (int i = 0; i < 100 && cd.link.disconnects < disc0 + 2; i++)
		loop_until(never, 10);
	T_EQ(cd.link.disconnects, disc0 + 2, "dc/3's end is counted");
	T_OK(worker("dc/3")->live, "dc/3, whose process lives, is not presumed dead (it would "
	    "be a second owner of what it owns until it says hello again)");
	T_EQ(cd.link.gone, gone0 + 1, "nobody presumed dead");

	child_kill(p1);
	waitpid(p1, NULL, 0);
	workers_monitor_stop(&cd);
	zmq_close(d2);
	zmq_close(router);
	zmq_ctx_term(ctx);
	cd.link.sock = NULL;
	cd.zctx = NULL;
	snprintf(ep, sizeof(ep), "%s/dc.sock", dir);
	unlink(ep);
}

int
main(void)
{
	if (link_test_up(&cd, dir, "workers_test", test_example("gwB.conf", conf_extra)) != 0)
		return 2;
	test_lease_flood();
	test_top_from_non_owner();
	test_steal_owner();
	test_keys();
	test_big_report();
	test_oversize();
	test_ike_wire();
	test_owners_restart();
	test_disconnect();
	link_test_down(&cd, dir);
	return t_done();
}
