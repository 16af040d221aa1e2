/* SPDX-License-Identifier: Apache-2.0 */
/* udpgro_fuzz: libFuzzer target for cutting a coalesced UDP 4500 read (UDP_GRO) into its ESP
 * datagrams and opening each (udpgso.c, udpgro_split, then in.c).  The input is the segment
 * size the kernel would give (2 bytes; 0: no UDP_GRO control message), then the read itself;
 * the worker has one inbound ESP-in-UDP SA (SPI 1100) and a TUN of /dev/null.  Beyond not
 * crashing: the read is cut into exactly the datagrams its size implies, each counted once. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datad/worker.h"
#include "tests/lib/test_sa.h"

#ifndef UDP_GRO
#define UDP_GRO		104
#endif

static struct worker W;

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
setup(void)
{
	static Gw__V1__Selector tun;
	struct gw_err err = { 0, "" };
	struct test_sa s = { .id = 2, .inbound = true, .proto = 50, .spi = 1100,
	    .local = 0xc6336402, .peer = 0xc6336401, .udp = true, .flow = &tun };

	tun = test_sel(0xc0000280, 25, 0xc0000200, 25);
	W.o.id = "w1";
	W.esp_fd = W.ah_fd = W.udp_fd = W.clear_fd = W.ike_fd = W.icmp_fd = W.nl_fd = -1;
	if ((W.pool = calloc(2 * BATCH, sizeof(*W.pool))) == NULL ||
	    (W.udp_rbuf = malloc(UDP_RBUF)) == NULL ||
	    (W.tun_fd = open("/dev/null", O_WRONLY)) < 0 ||
	    (W.gen = tables_build(test_tables(1, &s, 1, NULL, 0), "w1", NULL, &err)) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmsghdr *m = &W.udp_rmsg[0];
	struct cmsghdr *c;
	uint32_t gso, len, want, got;
	uint64_t before;

	if (W.pool == NULL)
		setup();
	if (size < 2)
		return 0;
	gso = (uint32_t)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	len = size > UDP_RBUF ? UDP_RBUF : (uint32_t)size;
	memcpy(W.udp_rbuf, data, len);
	memset(m, 0, sizeof(*m));
	W.udp_riov[0].iov_base = W.udp_rbuf;
	W.udp_riov[0].iov_len = UDP_RBUF;
	m->msg_hdr.msg_iov = &W.udp_riov[0];
	m->msg_hdr.msg_iovlen = 1;
	m->msg_len = len;
	W.udp_rfrom[0].sin_family = AF_INET;
	W.udp_rfrom[0].sin_addr.s_addr = htonl(0xc6336401);
	if (gso != 0) {
		m->msg_hdr.msg_control = W.udp_rctl[0].buf;
		m->msg_hdr.msg_controllen = CMSG_SPACE(sizeof(int));
		c = CMSG_FIRSTHDR(&m->msg_hdr);
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_GRO;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &(int){ (int)gso }, sizeof(int));
	}
	/* what the kernel's cut implies: all of gso bytes but the last; no size, one */
	want = len == 0 ? 0 : gso == 0 || gso >= len ? 1 : (len + gso - 1) / gso;
	before = W.n_gro_dgrams;
	got = udpgro_split(&W, 1);
	if (got != want || W.n_gro_dgrams - before != want) {
		fprintf(stderr, "read of %u at %u: %u datagrams, want %u\n", len, gso, got, want);
		abort();
	}
	return 0;
}
