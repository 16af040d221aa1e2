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
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "common/log.h"
#include "controld/cli/cli.h"
#include "controld/conf/compile.h"
#include "controld/controld.h"
#include "tests/lib/example.h"
#include "tests/lib/test.h"

/* deploy/examples/gwB.conf with anti-replay */
static const char conf_extra[] =
	"crypto map vpn 10 ipsec-manual\n set security-association replay window-size 64\n";

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
		char id[16];

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
	zmq_close(big);
	zmq_close(small);
	zmq_close(cd.link.mon);
	zmq_close(router);
	zmq_ctx_term(ctx);
	save.link.disconnects = cd.link.disconnects;
	cd = save;
	snprintf(ep, sizeof(ep), "%s/link.sock", dir);
	unlink(ep);
}

int
main(void)
{
	struct gw_err err;
	struct conf *c;
	char *conf = test_example("gwB.conf", conf_extra);
	char path[128];

	log_init("workers_test", LOG_LVL_ERR);
	snprintf(dir, sizeof(dir), "/tmp/workers_test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 2;
	if (lease_open(&cd.link.leases, dir, &err) != 0 ||
	    lease_open_named(&cd.link.floors, dir, "replay-floors", NULL, "floors", &err) != 0 ||
	    (c = conf_parse_text(conf, "workers_test", &err)) == NULL ||
	    controld_apply(&cd, c, &err) != 0) {
		fprintf(stderr, "workers_test: %s\n", err.msg);
		return 2;
	}
	free(conf);
	test_lease_flood();
	test_top_from_non_owner();
	test_steal_owner();
	test_keys();
	test_big_report();
	test_oversize();
	cli_free(&cd);
	conf_free(cd.conf.running);
	spd_free(cd.conf.spd);
	workers_free(&cd);
	sad_free(&cd.sad);
	lease_close(&cd.link.leases);
	lease_close(&cd.link.floors);
	snprintf(path, sizeof(path), "%s/key-leases", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/replay-floors", dir);
	unlink(path);
	rmdir(dir);
	return t_done();
}
