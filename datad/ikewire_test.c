/* SPDX-License-Identifier: Apache-2.0 */
/* ikewire_test.c: IKE on the wire through a worker, with real sockets in a network namespace
 * of its own (so it needs root; 77 = skipped without) and a real link (a ZeroMQ ROUTER
 * standing for controld):
 *
 *   - an IkeSend leaves from UDP 500 as it is, and from UDP 4500 behind the non-ESP marker
 *     (RFC 3948 §2.2), each from the source address controld asked for; one that is not
 *     IKE-shaped, or for a port this worker does not hold, is not sent and is counted
 *   - IKE arriving on 500, and on 4500 behind the marker, reaches controld with the address it
 *     was sent to (IP_PKTINFO), its port and its sender
 *   - one peer flooding the relay is cut to its burst (IKE_PEER_BURST), counted as shed
 *   - packets of a flow that an ipsec-isakmp entry without SA permits are dropped (no-out-sa)
 *     and a burst of them sends one Acquire naming the entry, its permit and the flow; another
 *     flow one more; the same flow again after ACQUIRE_HOLD_MS; a dynamic entry none */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zmq.h>

#include "common/ip4.h"
#include "common/link.h"
#include "common/log.h"
#include "datad/worker.h"
#include "tests/lib/test.h"
#include "tests/lib/test_sa.h"

enum {
	PEER = 0x7f000009,		/* 127.0.0.9:5000, the peer's socket */
	PEER_PORT = 5000,
};

static struct worker W;
static void *router;
static int peer_fd;

/* An IKEv2 IKE_SA_INIT request of len bytes (header and filler), its SPIi from tag. */
static size_t
ike_msg(uint8_t *b, size_t len, uint8_t tag)
{
	memset(b, 0, len);
	memset(b, tag, 8);			/* SPIi */
	b[16] = 33;				/* next payload: SA */
	b[17] = 0x20;				/* version 2.0 */
	b[18] = 34;				/* IKE_SA_INIT */
	b[19] = 0x08;				/* Initiator */
	b[24] = (uint8_t)(len >> 24);
	b[25] = (uint8_t)(len >> 16);
	b[26] = (uint8_t)(len >> 8);
	b[27] = (uint8_t)len;
	for (size_t i = 28; i < len; i++)
		b[i] = (uint8_t)(i * 7);
	return len;
}

static void
ike_send(uint32_t local, uint32_t lport, const uint8_t *m, size_t len)
{
	Gw__V1__IkeSend s = GW__V1__IKE_SEND__INIT;

	s.local = local;
	s.local_port = lport;
	s.remote = PEER;
	s.remote_port = PEER_PORT;
	s.data.data = (uint8_t *)m;
	s.data.len = len;
	ikewire_send(&W, &s);
}

/* What the peer's socket got within ms: its length (0: nothing), sender in *from. */
static size_t
peer_recv(uint8_t *b, size_t cap, struct sockaddr_in *from, int ms)
{
	struct pollfd p = { .fd = peer_fd, .events = POLLIN };
	socklen_t fl = sizeof(*from);
	ssize_t n;

	if (poll(&p, 1, ms) != 1)
		return 0;
	n = recvfrom(peer_fd, b, cap, 0, (struct sockaddr *)from, &fl);
	return n > 0 ? (size_t)n : 0;
}

static void
peer_send(uint32_t to, uint16_t port, const uint8_t *b, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
	    .sin_addr.s_addr = htonl(to) };

	if (sendto(peer_fd, b, len, 0, (struct sockaddr *)&a, sizeof(a)) != (ssize_t)len)
		abort();
}

/* The next message controld's end of the link got within ms, or NULL. */
static Gw__V1__Envelope *
ctl_recv(int ms)
{
	zmq_pollitem_t it = { router, 0, ZMQ_POLLIN, 0 };
	struct link_peer from;
	struct gw_err err;

	if (zmq_poll(&it, 1, ms) != 1)
		return NULL;
	return link_recv_env(router, &from, &err);
}

static void
test_send(void)
{
	uint8_t m[300], got[400];
	struct sockaddr_in from;
	size_t n;

	/* --> IKE_SA_INIT request from 127.0.0.2:500 */
	ike_send(0x7f000002, 500, m, ike_msg(m, 300, 1));
	n = peer_recv(got, sizeof(got), &from, 1000);
	T_EQ(n, 300u, "from UDP 500: the message as it is");
	T_OK(memcmp(got, m, 300) == 0, "byte for byte");
	T_EQ(ntohl(from.sin_addr.s_addr), 0x7f000002u, "from the address controld named");
	T_EQ(ntohs(from.sin_port), 500, "from port 500");

	/* --> the same from 127.0.0.3:4500: the non-ESP marker in front */
	ike_send(0x7f000003, 4500, m, 300);
	n = peer_recv(got, sizeof(got), &from, 1000);
	T_EQ(n, 304u, "from UDP 4500: marker and message");
	T_OK(memcmp(got, "\0\0\0\0", 4) == 0 && memcmp(got + 4, m, 300) == 0,
	    "four zero bytes, then the message");
	T_EQ(ntohl(from.sin_addr.s_addr), 0x7f000003u, "from the address controld named");
	T_EQ(ntohs(from.sin_port), 4500, "from port 4500");
	T_EQ(W.ike.sent, 2u, "two sent");

	/* a Length that lies, and a port that is not 500 or 4500: nothing leaves */
	m[27] ^= 1;
	ike_send(0x7f000002, 500, m, 300);
	m[27] ^= 1;
	ike_send(0x7f000002, 501, m, 300);
	T_EQ(peer_recv(got, sizeof(got), &from, 200), 0u, "neither is sent");
	T_EQ(W.ike.send_failed, 2u, "both counted as send failed");
}

static void
test_relay(void)
{
	uint8_t m[200], marked[204];
	Gw__V1__Envelope *e;
	uint64_t before;
	unsigned flood = IKE_PEER_BURST + 200, n_env = 0;
	uint64_t t0, refill;

	/* <-- IKE_SA_INIT to 127.0.0.5:500 */
	peer_send(0x7f000005, 500, m, ike_msg(m, 200, 2));
	usleep(20000);
	in_ike(&W);
	e = ctl_recv(1000);
	T_OK(e != NULL && e->body_case == GW__V1__ENVELOPE__BODY_IKE, "UDP 500: relayed");
	if (e != NULL && e->ike != NULL) {
		T_EQ(e->ike->local, 0x7f000005u, "with the address it was sent to");
		T_EQ(e->ike->local_port, 500u, "and port 500");
		T_EQ(e->ike->remote, (uint32_t)PEER, "from the peer's address");
		T_EQ(e->ike->remote_port, (uint32_t)PEER_PORT, "and port");
		T_OK(e->ike->data.len == 200 && memcmp(e->ike->data.data, m, 200) == 0,
		    "the message as it came");
	}
	link_free(e ? &e->base : NULL);

	/* <-- the same behind the marker to 127.0.0.6:4500 */
	memset(marked, 0, 4);
	memcpy(marked + 4, m, 200);
	peer_send(0x7f000006, 4500, marked, sizeof(marked));
	usleep(20000);
	in_batch(&W, W.udp_fd);
	e = ctl_recv(1000);
	T_OK(e != NULL && e->body_case == GW__V1__ENVELOPE__BODY_IKE, "UDP 4500: relayed");
	if (e != NULL && e->ike != NULL) {
		T_EQ(e->ike->local, 0x7f000006u, "with the address it was sent to");
		T_EQ(e->ike->local_port, 4500u, "and port 4500");
		T_OK(e->ike->data.len == 200 && memcmp(e->ike->data.data, m, 200) == 0,
		    "without the marker");
	}
	link_free(e ? &e->base : NULL);

	/* one peer floods port 500: it gets its burst, the rest is shed and counted */
	before = W.ike.relayed;
	t0 = link_now_ms();
	for (unsigned i = 0; i < flood; i++) {
		peer_send(0x7f000005, 500, m, 200);
		if (i % 64 != 63)
			continue;
		in_ike(&W);
		while ((e = ctl_recv(0)) != NULL) {	/* as controld's loop would */
			n_env++;
			link_free(&e->base);
		}
	}
	usleep(20000);
	for (int i = 0; i < 64; i++)
		in_ike(&W);
	/* the bucket refills at IKE_PEER_PER_SEC while the flood lasts: on a slow or busy
	 * machine that is more than the 200 beyond the burst, and fewer are shed */
	refill = (link_now_ms() - t0 + 1) * IKE_PEER_PER_SEC / 1000;
	T_EQ(W.ike.shed_worker, 0u, "none shed by the worker's own limit, nor a full link");
	T_EQ(W.ike.relayed - before + W.ike.shed_peer, (uint64_t)flood,
	    "every message relayed or shed (%llu relayed, %llu shed)",
	    (unsigned long long)(W.ike.relayed - before), (unsigned long long)W.ike.shed_peer);
	T_OK(W.ike.relayed - before <= IKE_PEER_BURST + refill,
	    "the peer was cut at its burst of %d and the refill (%llu relayed in %llu ms)",
	    IKE_PEER_BURST, (unsigned long long)(W.ike.relayed - before),
	    (unsigned long long)(link_now_ms() - t0));
	T_OK(refill >= 200 || W.ike.shed_peer >= 200 - refill, "so some were shed (%llu)",
	    (unsigned long long)W.ike.shed_peer);
	while ((e = ctl_recv(200)) != NULL) {
		n_env++;
		link_free(&e->base);
	}
	T_EQ((uint64_t)n_env, W.ike.relayed - before, "controld got what was relayed, no more");
}

/* A TUN read of a UDP packet src:sport -> dst:dport. */
static uint32_t
tun_udp(uint8_t *b, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport)
{
	struct ip4_hdr *ip = (struct ip4_hdr *)(b + sizeof(struct virtio_net_hdr));
	uint8_t *u = (uint8_t *)(ip + 1);
	uint32_t len = sizeof(*ip) + 8 + 32;

	memset(b, 0, sizeof(struct virtio_net_hdr) + len);
	ip->ver_ihl = 0x45;
	ip->len_be = htons((uint16_t)len);
	ip->ttl = 64;
	ip->proto = 17;
	ip->src_be = htonl(src);
	ip->dst_be = htonl(dst);
	ip4_csum_set((uint8_t *)ip);
	u[0] = (uint8_t)(sport >> 8);
	u[1] = (uint8_t)sport;
	u[2] = (uint8_t)(dport >> 8);
	u[3] = (uint8_t)dport;
	u[5] = 40;
	return (uint32_t)sizeof(struct virtio_net_hdr) + len;
}

static unsigned
acquires(Gw__V1__Acquire *last)
{
	Gw__V1__Envelope *e;
	unsigned n = 0;

	while ((e = ctl_recv(200)) != NULL) {
		if (e->body_case == GW__V1__ENVELOPE__BODY_ACQUIRE) {
			n++;
			if (last != NULL) {
				*last = *e->acquire;
				last->map = NULL;
				T_STREQ(e->acquire->map, "vpn", "the entry's map");
			}
		}
		link_free(&e->base);
	}
	return n;
}

static void
test_acquire(void)
{
	static struct test_ace isakmp[2], dyn[1];
	const struct test_policy pol[] = {
		{ .seq = 10, .local = 0x7f000002, .peer = PEER, .aces = isakmp, .n_aces = 2,
		  .kind = GW__V1__ENTRY_KIND__KIND_ISAKMP },
		{ .seq = 20, .local = 0x7f000002, .aces = dyn, .n_aces = 1,
		  .kind = GW__V1__ENTRY_KIND__KIND_DYNAMIC },
	};
	struct gw_err err = { 0, "" };
	uint8_t b[200];
	uint32_t len;
	unsigned slot = 0;
	Gw__V1__Acquire a;

	isakmp[0] = (struct test_ace){ false, test_sel(0x0a000063, 32, 0x0a010000, 24) };
	isakmp[1] = (struct test_ace){ true, test_sel(0x0a000000, 24, 0x0a010000, 24) };
	dyn[0] = (struct test_ace){ true, test_sel(0x0a000000, 24, 0x0a020000, 24) };
	tables_free(W.gen);
	W.gen = tables_build(test_tables(2, NULL, 0, pol, 2), "w1", NULL, &err);
	T_OK(W.gen != NULL, "tables: %s", err.msg);
	if (W.gen == NULL)
		return;

	len = tun_udp(b, 0x0a000001, 0x0a010001, 1000, 2000);
	for (int i = 0; i < 10; i++)
		out_read(&W, b, len, &slot);
	T_EQ(W.drops[DROP_NO_OUT_SA], 10u, "10 packets of the flow, no SA: dropped, counted");
	memset(&a, 0, sizeof(a));
	T_EQ(acquires(&a), 1u, "the burst sends one acquire");
	T_EQ(a.seq, 10u, "for entry vpn 10");
	T_EQ(a.ace, 1u, "its permit (entry 1 of its list)");
	T_EQ(a.generation, 2u, "in generation 2");
	T_OK(a.src == 0x0a000001 && a.dst == 0x0a010001 && a.proto == 17 && a.sport == 1000 &&
	    a.dport == 2000, "with the packet's flow");
	T_OK(a.local == 0x7f000002 && a.peer == (uint32_t)PEER, "and the entry's addresses");
	T_EQ(W.ike.acquires_held, 9u, "the other nine held back, counted");

	len = tun_udp(b, 0x0a000001, 0x0a010001, 1001, 2000);
	out_read(&W, b, len, &slot);
	T_EQ(acquires(NULL), 1u, "another flow (source port): one more");

	len = tun_udp(b, 0x0a000001, 0x0a020001, 1000, 2000);
	for (int i = 0; i < 5; i++)
		out_read(&W, b, len, &slot);
	T_EQ(acquires(NULL), 0u, "a dynamic entry's flow: none");
	T_EQ(W.drops[DROP_NO_OUT_SA], 16u, "its packets dropped all the same");

	len = tun_udp(b, 0x0a000063, 0x0a010001, 1000, 2000);
	out_read(&W, b, len, &slot);
	T_EQ(acquires(NULL), 0u, "a flow its list denies: none (it leaves in the clear)");

	usleep((ACQUIRE_HOLD_MS + 50) * 1000);
	len = tun_udp(b, 0x0a000001, 0x0a010001, 1000, 2000);
	out_read(&W, b, len, &slot);
	out_read(&W, b, len, &slot);
	T_EQ(acquires(NULL), 1u, "the first flow after the hold time: one again");
	T_EQ(W.ike.acquires, 3u, "three acquires sent in all");
	out_flush(&W);
}

static int
lo_up(void)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM, 0), rc;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		return -1;
	ifr.ifr_flags |= IFF_UP;
	rc = ioctl(s, SIOCSIFFLAGS, &ifr);
	close(s);
	return rc;
}

int
main(void)
{
	struct sockaddr_in pa = { .sin_family = AF_INET, .sin_port = htons(PEER_PORT),
	    .sin_addr.s_addr = htonl(PEER) };
	struct gw_err err = { 0, "" };
	void *zctx;

	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "SKIP: ikewire_test needs root (a network namespace): %s\n",
		    strerror(errno));
		return 77;
	}
	log_init("ikewire_test", LOG_LVL_ERR);
	if (lo_up() != 0 || (peer_fd = socket(AF_INET, SOCK_DGRAM, 0)) < 0 ||
	    bind(peer_fd, (struct sockaddr *)&pa, sizeof(pa)) != 0)
		return 2;
	W.o.id = "w1";
	W.tun_fd = W.esp_fd = W.ah_fd = W.udp_fd = W.clear_fd = W.ike_fd = W.icmp_fd = -1;
	W.nl_fd = -1;
	T_OK(io_udp_retry(&W) && W.ike_fd >= 0 && W.udp_fd >= 0, "the worker holds 500 and 4500");
	if ((W.pool = calloc(2 * BATCH, sizeof(*W.pool))) == NULL ||
	    (W.rbuf = malloc(RBUF)) == NULL || ikewire_open(&W, &err) != 0)
		return 2;
	for (unsigned i = 0; i < BATCH; i++) {
		W.rx_msg[i].msg_hdr.msg_iov = &W.rx_iov[i];
		W.rx_msg[i].msg_hdr.msg_iovlen = 1;
	}
	W.gen = tables_build(test_tables(1, NULL, 0, NULL, 0), "w1", NULL, &err);
	zctx = zmq_ctx_new();
	router = zmq_socket(zctx, ZMQ_ROUTER);
	W.link = zmq_socket(zctx, ZMQ_DEALER);
	if (W.gen == NULL || link_bind(router, "inproc://controld", LINK_MAX_TO_CONTROLD,
	    &err) != 0 || link_connect(W.link, "inproc://controld", LINK_MAX_FROM_CONTROLD,
	    &err) != 0)
		return 2;

	test_send();
	test_relay();
	test_acquire();

	tables_free(W.gen);
	close(W.ike_fd);
	close(W.udp_fd);
	close(peer_fd);
	ikewire_close(&W);
	free(W.pool);
	free(W.rbuf);
	zmq_close(W.link);
	zmq_close(router);
	zmq_ctx_term(zctx);
	return t_done();
}
