/* SPDX-License-Identifier: Apache-2.0 */
/* udpgso_test.c: ESP in UDP with UDP_SEGMENT and UDP_GRO (udpgso.c), over real UDP sockets on
 * the loopback (ephemeral ports, no privilege):
 *
 *   - which queued datagrams make a run (one peer, port, source and TOS; one size, the last
 *     may be shorter; at most 64 KB and UDP_GSO_SEGS; none larger than its path)
 *   - a coalesced read is cut exactly into what was sent (udpgro_seg)
 *   - a UDP_SEGMENT send arrives as the same datagrams sendmmsg would have sent: a receiver
 *     without UDP_GRO reads each, with its length and bytes, in order
 *   - a receiver with UDP_GRO reads them coalesced, and the worker opens each: sealed ESP
 *     in UDP of a real SA, sent in one UDP_SEGMENT send, delivered to the TUN (a memfd) one
 *     packet each, counted on the SA; a forged one among them is an ICV drop, the rest
 *     still delivered */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <errno.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/esp.h"
#include "common/ip4.h"
#include "datad/worker.h"
#include "tests/lib/test.h"
#include "tests/lib/test_sa.h"

enum { LOOP = 0x7f000001, INNER_SRC = 0xc0000201, INNER_DST = 0xc0000281 };

static struct worker W;

/* A UDP socket on 127.0.0.1, any port; its port in *port_be. */
static int
udp_sock(uint16_t *port_be)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(LOOP) };
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), one = 1;

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &l) != 0)
		abort();
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	*port_be = a.sin_port;
	return fd;
}

/* Queue len bytes at b on W.udp_tx to 127.0.0.1:port_be, as out.c does (source, TOS). */
static void
queue(uint8_t *b, uint32_t len, uint16_t port_be, uint8_t tos, bool no_gso)
{
	struct tx_batch *t = &W.udp_tx;
	struct msghdr *h = &t->msg[t->n].msg_hdr;
	struct in_pktinfo pi = { .ipi_spec_dst.s_addr = htonl(LOOP) };
	struct cmsghdr *c;
	int tos_i = tos;

	h->msg_iov = &t->iov[t->n];
	h->msg_iovlen = 1;
	h->msg_name = &t->dst[t->n];
	h->msg_namelen = sizeof(t->dst[t->n]);
	t->iov[t->n].iov_base = b;
	t->iov[t->n].iov_len = len;
	t->dst[t->n].sin_family = AF_INET;
	t->dst[t->n].sin_addr.s_addr = htonl(LOOP);
	t->dst[t->n].sin_port = port_be;
	t->no_gso[t->n] = no_gso;
	h->msg_control = t->ctl[t->n].buf;
	h->msg_controllen = sizeof(t->ctl[t->n].buf);
	c = CMSG_FIRSTHDR(h);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	c = CMSG_NXTHDR(h, c);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TOS;
	c->cmsg_len = CMSG_LEN(sizeof(tos_i));
	memcpy(CMSG_DATA(c), &tos_i, sizeof(tos_i));
	t->n++;
}

static void
test_runs(void)
{
	static uint8_t b[100 * 1400];
	uint32_t off = 0, seg = 0;

	W.udp_tx.n = 0;
	for (unsigned i = 0; i < 5; i++)
		queue(b, 1000, htons(1), 0, false);
	queue(b, 600, htons(1), 0, false);
	queue(b, 1000, htons(1), 0, false);
	T_EQ(udpgso_run(&W.udp_tx, 0), 6, "five of one size and a shorter one");
	T_EQ(udpgso_run(&W.udp_tx, 6), 1, "the last alone");
	W.udp_tx.n = 0;
	queue(b, 1000, htons(1), 0, false);
	queue(b, 1000, htons(2), 0, false);
	queue(b, 1000, htons(2), 4, false);
	queue(b, 1000, htons(2), 4, false);
	queue(b, 1200, htons(2), 4, false);
	queue(b, 1000, htons(2), 4, true);
	T_EQ(udpgso_run(&W.udp_tx, 0), 1, "another port ends a run");
	T_EQ(udpgso_run(&W.udp_tx, 1), 1, "another TOS ends a run");
	T_EQ(udpgso_run(&W.udp_tx, 2), 2, "a longer one ends a run");
	T_EQ(udpgso_run(&W.udp_tx, 4), 1, "a datagram larger than its path ends a run");
	T_EQ(udpgso_run(&W.udp_tx, 5), 1, "and goes alone");
	W.udp_tx.n = 0;
	for (unsigned i = 0; i < BATCH; i++)
		queue(b, 1400, htons(1), 0, false);
	T_EQ(udpgso_run(&W.udp_tx, 0), UDP_GSO_BYTES / 1400, "at most 64 KB");
	W.udp_tx.n = 0;
	for (unsigned i = 0; i < BATCH; i++)
		queue(b, 100, htons(1), 0, false);
	T_EQ(udpgso_run(&W.udp_tx, 0), UDP_GSO_SEGS, "at most UDP_GSO_SEGS");
	W.udp_tx.n = 0;

	T_OK(udpgro_seg(1000, 300, 3, &off, &seg) && off == 900 && seg == 100, "the last: 100");
	T_OK(udpgro_seg(1000, 300, 1, &off, &seg) && off == 300 && seg == 300, "the second");
	T_OK(!udpgro_seg(1000, 300, 4, &off, &seg), "four segments");
	T_OK(udpgro_seg(1000, 0, 0, &off, &seg) && off == 0 && seg == 1000, "no size: one");
	T_OK(!udpgro_seg(1000, 0, 1, &off, &seg), "and only one");
	T_OK(udpgro_seg(10, 3000, 0, &off, &seg) && seg == 10, "a size beyond the read: one");
	T_OK(!udpgro_seg(0, 100, 0, &off, &seg), "an empty read: nothing");
}

/* A UDP_SEGMENT send reads back, without UDP_GRO, as the datagrams queued. */
static void
test_wire(void)
{
	static uint8_t b[11][1000];
	uint8_t r[2048];
	uint16_t port;
	int rfd = udp_sock(&port);
	unsigned got = 0;
	ssize_t n;

	for (unsigned i = 0; i < 11; i++) {
		memset(b[i], (int)i + 1, sizeof(b[i]));
		queue(b[i], i == 10 ? 333 : 1000, port, 0, false);
	}
	udpgso_flush(&W);
	T_EQ(W.n_gso_off, 0, "the kernel takes UDP_SEGMENT on the loopback");
	T_EQ(W.n_gso_sends, 1, "one send");
	T_EQ(W.n_gso_segs, 11, "of eleven datagrams");
	T_EQ(W.udp_tx.n, 0, "the batch is empty");
	while ((n = recv(rfd, r, sizeof(r), 0)) > 0) {
		T_EQ(n, got == 10 ? 333 : 1000, "datagram %u: its length", got);
		T_OK(r[0] == got + 1 && r[n - 1] == got + 1, "datagram %u: its bytes", got);
		got++;
	}
	T_EQ(got, 11, "each datagram on its own");
	close(rfd);
}

/* p: an ICMP echo INNER_SRC -> INNER_DST of len bytes, sealed with SA 102 (the peer's side of
 * inbound SA 2, ESP in UDP), as it leaves a peer: the ESP header first (RFC 3948). */
static void
sealed(struct pkt *p, uint32_t len, uint64_t seq)
{
	struct sa_out *o = tables_sa_out(W.gen, 102);
	uint8_t *h;
	uint32_t a = htonl(INNER_SRC), d = htonl(INNER_DST);

	pkt_reset(p);
	h = p->data;
	memset(h, 0, len);
	h[0] = 0x45;
	h[2] = (uint8_t)(len >> 8);
	h[3] = (uint8_t)len;
	h[8] = 64;
	h[9] = 1;
	memcpy(h + 12, &a, 4);
	memcpy(h + 16, &d, 4);
	h[20] = 8;
	ip4_csum_set(h);
	p->len = len;
	if (esp_encap(&o->xf, o->spi_be, seq, false, 4, p) != DROP_NONE)
		abort();
}

/* Sealed ESP in UDP, one UDP_SEGMENT send, a UDP_GRO read: each opened and delivered. */
static void
test_open(void)
{
	static struct pkt p[20];
	static const Gw__V1__Selector *flow;
	static Gw__V1__Selector tun;
	struct gw_err err = { 0, "" };
	uint16_t port;
	int one = 1;
	unsigned n = 0, rounds = 0;
	struct sa_in *sa;
	off_t tun_len;

	tun = test_sel(INNER_DST & 0xffffff80, 25, INNER_SRC & 0xffffff80, 25);
	flow = &tun;
	{
		struct test_sa s[2] = {
			{ .id = 2, .inbound = true, .proto = 50, .spi = 1100, .local = LOOP,
			  .peer = LOOP, .udp = true, .flow = flow },
			{ .id = 102, .inbound = false, .proto = 50, .spi = 1100, .local = LOOP,
			  .peer = LOOP, .udp = true, .flow = flow },
		};

		W.gen = tables_build(test_tables(1, s, 2, NULL, 0), "w1", NULL, &err);
	}
	T_OK(W.gen != NULL, "tables: %s", err.msg);
	if (W.gen == NULL)
		return;
	sa = tables_sa_in(W.gen, htonl(1100), 50);
	W.udp_fd = udp_sock(&port);
	T_OK(setsockopt(W.udp_fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0, "UDP_GRO: %s",
	    strerror(errno));
	W.udp_gro = true;
	for (unsigned i = 0; i < 20; i++) {
		sealed(&p[i], i == 19 ? 300 : 1000, i + 1);
		if (i == 7)
			p[i].data[p[i].len - 1] ^= 1;		/* a forged ICV */
		queue(p[i].data, p[i].len, port, 0, false);
	}
	udpgso_flush(&W);
	T_EQ(W.n_gso_sends, 2, "one more send");
	while (rounds++ < 10 && (n += in_batch(&W, W.udp_fd)) < 20)
		;
	T_EQ(n, 20, "twenty datagrams read");
	T_OK(W.n_gro_reads < 20, "coalesced: %llu reads", (unsigned long long)W.n_gro_reads);
	T_EQ(sa->ctr.pkts, 19, "nineteen opened");
	T_EQ(sa->ctr.drops[DROP_ICV], 1, "the forged one an ICV drop");
	tun_len = lseek(W.tun_fd, 0, SEEK_END);
	T_EQ(tun_len, 18 * (1000 + sizeof(struct virtio_net_hdr)) + 300 +
	    sizeof(struct virtio_net_hdr), "each delivered on its own");
	close(W.udp_fd);
	W.udp_fd = -1;
	tables_free(W.gen);
	W.gen = NULL;
}

int
main(void)
{
	uint16_t port;

	W.o.id = "w1";
	W.esp_fd = W.ah_fd = W.clear_fd = W.ike_fd = W.icmp_fd = W.nl_fd = -1;
	if ((W.tun_fd = memfd_create("tun", 0)) < 0 ||
	    (W.pool = calloc(2 * BATCH, sizeof(*W.pool))) == NULL ||
	    (W.udp_rbuf = malloc((size_t)UDP_READS * UDP_RBUF)) == NULL)
		abort();
	W.udp_fd = udp_sock(&port);
	udpgso_offload(&W);
	T_OK(W.udp_gso && W.udp_gro, "GSO and GRO on");
	test_runs();
	test_wire();
	close(W.udp_fd);
	test_open();
	free(W.pool);
	free(W.udp_rbuf);
	close(W.tun_fd);
	return t_done();
}
