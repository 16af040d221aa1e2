/* SPDX-License-Identifier: Apache-2.0 */
/* tunring_test.c: the TUN read by io_uring (tunring.c) on a real TUN in a network namespace
 * of its own (root; 77 = skipped without), the kernel routing UDP datagrams into it:
 *
 *   - every datagram the kernel queued reaches out_read once, in the order it was sent, with
 *     its length and bytes, behind a virtio_net_hdr
 *   - more queued than there are buffers (the multishot read ends with ENOBUFS and is armed
 *     again): none lost, none reordered
 *   - the ring's fd polls readable when packets wait, and an empty ring returns at once
 *   - --tun-read read leaves read(2) in place and says so
 *   - once tunring_close and the TUN's close return, the TUN is gone: the ring's read held it,
 *     and datad removes its routes and nftables table only when no queue is left (main.c)
 *
 * out_read is this file's own (tunring.o needs nothing else of out.c): it records what it
 * was handed instead of sealing it.  Without multishot reads in the kernel (Linux < 6.7) or
 * without liburing, tunring_open falls back to read(2), which is checked, and the ring checks
 * are skipped with the reason. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "datad/worker.h"
#include "tests/lib/test.h"

enum { N_DGRAMS = 600, PAYLOAD = 1000 };

static struct worker W;
static uint32_t got[N_DGRAMS + 16];	/* the sequence number in each datagram handed up */
static unsigned n_got, n_bad;

/* Stands for out.c's: checks the read's shape and records the datagram's number. */
void
out_read(struct worker *w, const uint8_t *b, uint32_t len, unsigned *slot)
{
	const uint8_t *ip = b + sizeof(struct virtio_net_hdr);
	uint32_t seq;

	(void)w;
	(void)slot;
	/* what the kernel sends of its own on a new link (IPv6 router solicitations, MLD) */
	if (len < sizeof(struct virtio_net_hdr) + 20 || ip[0] >> 4 != 4)
		return;
	/* virtio_net_hdr, IPv4 (20) + UDP (8) + PAYLOAD */
	if (len != sizeof(struct virtio_net_hdr) + 28 + PAYLOAD || ip[0] != 0x45 || ip[9] != 17) {
		n_bad++;
		return;
	}
	memcpy(&seq, ip + 28, 4);
	for (unsigned i = 4; i < PAYLOAD; i++)
		if (ip[28 + i] != (uint8_t)(seq + i)) {
			n_bad++;
			return;
		}
	if (n_got < sizeof(got) / sizeof(got[0]))
		got[n_got++] = seq;
}

static int
sh(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -1;
}

/* A TUN as datad opens it (io.c): multi-queue, virtio_net_hdr, non-blocking; up, routed. */
static int
tun_up(void)
{
	struct ifreq ifr;
	int sz = sizeof(struct virtio_net_hdr);

	if ((W.tun_fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, IFNAMSIZ, "gwt0");
	if (ioctl(W.tun_fd, TUNSETIFF, &ifr) != 0 || ioctl(W.tun_fd, TUNSETVNETHDRSZ, &sz) != 0)
		return -1;
	/* room for every datagram of a burst in the TUN's queue */
	return sh("ip link set lo up && ip link set gwt0 up txqueuelen 2000 && "
	    "ip addr add 192.0.2.1/24 dev gwt0");
}

/* count datagrams to 192.0.2.2:9 (routed into the TUN), numbered from first */
static void
send_burst(uint32_t first, unsigned count)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9) };
	uint8_t b[PAYLOAD];
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, "192.0.2.2", &to.sin_addr);
	for (unsigned k = 0; k < count; k++) {
		uint32_t seq = first + k;

		memcpy(b, &seq, 4);
		for (unsigned i = 4; i < PAYLOAD; i++)
			b[i] = (uint8_t)(seq + i);
		if (sendto(s, b, sizeof(b), 0, (struct sockaddr *)&to, sizeof(to)) != sizeof(b))
			n_bad++;
	}
	close(s);
}

/* Batches until want datagrams came up or the ring stayed empty for 2 s of polls. */
static void
drain(unsigned want)
{
	unsigned idle = 0, slot = 0;

	while (n_got < want && idle < 20) {
		struct pollfd p = { .fd = tunring_fd(&W), .events = POLLIN };

		if (tunring_batch(&W, &slot) > 0) {
			idle = 0;
			continue;
		}
		if (poll(&p, 1, 100) == 0)
			idle++;
	}
}

static void
check_order(uint32_t first, unsigned count, const char *what)
{
	unsigned out_of_order = 0;

	T_EQ(n_got, count, "%s: every datagram handed up once", what);
	for (unsigned i = 0; i < n_got && i < count; i++)
		out_of_order += got[i] != first + i;
	T_EQ(out_of_order, 0, "%s: in the order sent", what);
	T_EQ(n_bad, 0, "%s: each with its length and bytes, behind a virtio_net_hdr", what);
}

static void
test_ring(void)
{
	unsigned slot = 0;

	/* one at a time: read as it comes */
	n_got = n_bad = 0;
	send_burst(0, 1);
	drain(1);
	check_order(0, 1, "one datagram");
	T_EQ(tunring_batch(&W, &slot), 0, "an empty ring: nothing, at once");

	/* a burst of N_DGRAMS queued before anything is taken: the read runs out of its 64
	 * buffers (ENOBUFS) and is armed again as they come back */
	n_got = n_bad = 0;
	send_burst(1000, N_DGRAMS);
	{
		struct pollfd p = { .fd = tunring_fd(&W), .events = POLLIN };

		T_EQ(poll(&p, 1, 1000), 1, "the ring's fd polls readable with packets waiting");
	}
	drain(N_DGRAMS);
	check_order(1000, N_DGRAMS, "a burst beyond the buffers");
	T_OK(W.n_tun_reads == 0, "out_batch's counter is out.c's (not touched here)");

	/* and again, interleaved with taking them */
	n_got = n_bad = 0;
	for (unsigned k = 0; k < 10; k++) {
		send_burst(5000 + k * 50, 50);
		tunring_batch(&W, &slot);
	}
	drain(500);
	check_order(5000, 500, "bursts while reading");
}

int
main(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		fprintf(stderr, "SKIP: tunring_test needs root (a network namespace): %s\n",
		    strerror(errno));
		return 77;
	}
	log_init("tunring_test", LOG_LVL_ERR);
	if (tun_up() != 0) {
		fprintf(stderr, "cannot set up the TUN: %s\n", strerror(errno));
		return 2;
	}

	tunring_open(&W, TUNRING_READ);
	T_OK(W.tunring == NULL && tunring_fd(&W) == -1, "--tun-read read: no ring");
	T_STREQ(tunring_describe(&W), "read(2): --tun-read read", "and it says so");

	tunring_open(&W, TUNRING_AUTO);
	if (W.tunring == NULL) {
		printf("SKIP ring checks: %s\n", tunring_describe(&W));
		T_OK(strncmp(tunring_describe(&W), "read(2): ", 9) == 0,
		    "fell back to read(2), saying why");
		T_OK(fcntl(W.tun_fd, F_GETFL) & O_NONBLOCK, "the TUN stays non-blocking for it");
	} else {
		T_OK(tunring_fd(&W) >= 0, "a ring to poll");
		T_OK(!(fcntl(W.tun_fd, F_GETFL) & O_NONBLOCK), "the TUN blocks (the read waits)");
		test_ring();
		tunring_close(&W);
		T_OK(W.tunring == NULL, "closed");
	}
	close(W.tun_fd);
	T_EQ(if_nametoindex("gwt0"), 0, "the TUN is gone as soon as it is closed");
	return t_done();
}
