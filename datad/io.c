/* SPDX-License-Identifier: Apache-2.0 */
/* io.c: the TUN device (cleartext side), raw IP sockets (ESP side, and cleartext sent on for
 * denied flows), UDP 4500 (its GSO and GRO: udpgso.c), batched sends, and running the
 * control-plane helpers ip(8) and nft(8). */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <netinet/ip.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "datad/worker.h"

static int
tun_open(struct worker *w, struct gw_err *err)
{
	struct ifreq ifr;
	int fd, s;

	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
		return gw_fail(err, 0, "/dev/net/tun: %s", strerror(errno));
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", w->o.tun);
	if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
		close(fd);
		return gw_fail(err, 0, "TUN %s: %s", w->o.tun, strerror(errno));
	}
	/* A TUN without an owner takes a queue from anyone who can open /dev/net/tun (0666 under
	 * udev): a local user could read and inject a share of the cleartext.  Ours: only our
	 * user (the other workers of the host) or CAP_NET_ADMIN may attach. */
	if (ioctl(fd, TUNSETOWNER, (unsigned long)geteuid()) != 0) {
		close(fd);
		return gw_fail(err, 0, "TUN %s: owner: %s", w->o.tun, strerror(errno));
	}
	if (w->o.keep_tun)
		ioctl(fd, TUNSETPERSIST, 1);
	w->tun_fd = fd;
	/* TCP and UDP super-packets (TSO, USO) and partial checksums come in one read each:
	 * far fewer system calls per byte (docs/bench.md); out.c segments them.  Every read and
	 * write carries a virtio_net_hdr. */
	{
		int sz = sizeof(struct virtio_net_hdr);
		unsigned off = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO_ECN;

		if (ioctl(fd, TUNSETVNETHDRSZ, &sz) != 0)
			return gw_fail(err, 0, "TUN %s: vnet header: %s", w->o.tun, strerror(errno));
		w->vnet = true;
		if (w->o.no_offload)
			off = 0;
		/* and UDP super-packets (Linux 6.2: both USO flags or neither), cut by uso.c;
		 * a kernel without them takes the rest alone */
		if (off != 0 && ioctl(fd, TUNSETOFFLOAD, off | TUN_F_USO4 | TUN_F_USO6) == 0)
			w->tun_uso = true;
		else if (ioctl(fd, TUNSETOFFLOAD, off) != 0)
			log_warn("%s: no TSO offload (%s): one packet per read", w->o.tun,
			    strerror(errno));
	}
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return gw_fail(err, 0, "socket: %s", strerror(errno));
	ifr.ifr_mtu = (int)w->o.tun_mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) != 0)
		log_warn("%s: cannot set MTU %u: %s", w->o.tun, w->o.tun_mtu, strerror(errno));
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
			close(s);
			return gw_fail(err, 0, "%s: cannot bring up: %s", w->o.tun,
			    strerror(errno));
		}
	}
	close(s);
	return 0;
}

static int
raw_open(int proto, uint32_t mark, struct gw_err *err)
{
	int fd, one = 1, pmtu = IP_PMTUDISC_DONT, buf = 4 << 20;

	if ((fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto)) < 0)
		return gw_fail(err, 0, "raw socket for protocol %d: %s", proto, strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) != 0) {
		close(fd);
		return gw_fail(err, 0, "SO_MARK: %s", strerror(errno));
	}
	/* ESP packets may exceed the path MTU and are fragmented by the kernel (seed: "IPSec
	 * introduces packet expansion, which is more likely to require fragmentation"). */
	setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
	return fd;
}

/* UDP 4500 for ESP in UDP (RFC 3948).  One worker per host has it: a second one gets
 * EADDRINUSE, says so in its hello, and controld gives the inbound ESP-in-UDP SAs to the one
 * that has it; the others try again every second (io_udp_retry), so the port finds a new
 * holder when its worker dies.  (SO_REUSEPORT would hash a peer's datagrams to one socket
 * whatever SA they belong to; steering them by SPI is still to do.) */
static int
udp_open(uint32_t mark, uint16_t port, struct gw_err *err)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, one = 1, buf = 4 << 20;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return gw_fail(err, 0, "UDP socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark));
	if (port == UDP_ENCAP_PORT)	/* RFC 3948 §2.1: ESP in UDP with checksum 0 */
		setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &one, sizeof(one));
	setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return gw_fail(err, 0, "UDP port %u: %s", port, strerror(errno));
	}
	return fd;
}

static void
batch_init(struct tx_batch *b)
{
	memset(b, 0, sizeof(*b));
	for (unsigned i = 0; i < BATCH; i++) {
		b->msg[i].msg_hdr.msg_iov = &b->iov[i];
		b->msg[i].msg_hdr.msg_iovlen = 1;
		b->msg[i].msg_hdr.msg_name = &b->dst[i];
		b->msg[i].msg_hdr.msg_namelen = sizeof(b->dst[i]);
		b->dst[i].sin_family = AF_INET;
	}
}

bool
io_udp_retry(struct worker *w)
{
	struct gw_err err;
	bool took = false;

	if (w->ike_fd < 0 && (w->ike_fd = udp_open(w->o.mark, IKE_PORT, &err)) >= 0) {
		log_info("UDP port %d is ours now: IKE to and from controld through this worker",
		    IKE_PORT);
		took = true;
	}
	if (w->udp_fd >= 0 || (w->udp_fd = udp_open(w->o.mark, UDP_ENCAP_PORT, &err)) < 0)
		return took;
	udpgso_offload(w);
	log_info("UDP port %d is ours now: ESP in UDP (RFC 3948) through this worker",
	    UDP_ENCAP_PORT);
	return true;
}

int
io_open(struct worker *w, struct gw_err *err)
{
	struct gw_err serr;

	w->tun_fd = w->esp_fd = w->ah_fd = w->clear_fd = w->udp_fd = w->icmp_fd = w->nl_fd = -1;
	w->ike_fd = -1;
	if (tun_open(w, err) != 0)
		return -1;
	if ((w->esp_fd = raw_open(IPPROTO_ESP, w->o.mark, err)) < 0)
		return -1;
	if ((w->ah_fd = raw_open(IPPROTO_AH, w->o.mark, err)) < 0)
		return -1;
	if ((w->clear_fd = raw_open(IPPROTO_RAW, w->o.mark, err)) < 0)
		return -1;
	{
		/* Every header we build (IP_HDRINCL) is sent as we built it: DF as we set it,
		 * fragmented by us to the SA's path MTU (out.c), not by the kernel to the MTU
		 * it cached for the route; only beyond the device MTU does the send fail. */
		int probe = IP_PMTUDISC_PROBE;

		setsockopt(w->clear_fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof(probe));
	}
	if (mtu_open(w, err) != 0)
		return -1;
	if ((w->ike_fd = udp_open(w->o.mark, IKE_PORT, &serr)) < 0)
		log_info("no IKE relay here for now (%s): trying again every second", serr.msg);
	if ((w->udp_fd = udp_open(w->o.mark, UDP_ENCAP_PORT, &serr)) < 0)
		log_info("no NAT traversal here for now (%s): another worker of this host has "
		    "the port; trying again every second", serr.msg);
	if ((w->pool = calloc(2 * BATCH, sizeof(*w->pool))) == NULL ||
	    (w->rbuf = malloc(RBUF)) == NULL ||
	    (w->udp_rbuf = malloc((size_t)UDP_READS * UDP_RBUF)) == NULL)
		return gw_fail(err, 0, "out of memory");
	udpgso_offload(w);	/* GSO and GRO on UDP 4500, if we hold it */
	if (ikewire_open(w, err) != 0)
		return -1;
	batch_init(&w->esp_tx);
	batch_init(&w->clear_tx);
	batch_init(&w->hdr_tx);
	batch_init(&w->udp_tx);
	for (unsigned i = 0; i < BATCH; i++) {
		w->rx_msg[i].msg_hdr.msg_iov = &w->rx_iov[i];
		w->rx_msg[i].msg_hdr.msg_iovlen = 1;
	}
	return 0;
}

void
io_close(struct worker *w)
{
	if (w->tun_fd >= 0)
		close(w->tun_fd);
	if (w->esp_fd >= 0)
		close(w->esp_fd);
	if (w->ah_fd >= 0)
		close(w->ah_fd);
	if (w->udp_fd >= 0)
		close(w->udp_fd);
	if (w->ike_fd >= 0)
		close(w->ike_fd);
	if (w->clear_fd >= 0)
		close(w->clear_fd);
	if (w->icmp_fd >= 0)
		close(w->icmp_fd);
	if (w->nl_fd >= 0)
		close(w->nl_fd);
	free(w->pool);
	free(w->rbuf);
	free(w->udp_rbuf);
	ikewire_close(w);
	w->pool = NULL;
	w->rbuf = NULL;
	w->udp_rbuf = NULL;
}

/* Send what the batch holds; on a full socket buffer wait briefly rather than drop. */
void
io_flush(struct worker *w, struct tx_batch *b, int fd)
{
	io_sendmmsg(w, b->msg, b->n, fd);
	b->n = 0;
}

void
io_sendmmsg(struct worker *w, struct mmsghdr *m, unsigned cnt, int fd)
{
	unsigned done = 0;
	int n, tries = 0;

	while (done < cnt) {
		n = sendmmsg(fd, m + done, cnt - done, 0);
		if (n > 0) {
			done += (unsigned)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == ENOBUFS) && tries++ < 8) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			poll(&p, 1, 1);
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != ENOBUFS) {
			/* this one packet is bad (no route, ...): count it, send the rest */
			worker_drop(w, NULL, DROP_TX);
			done++;
			continue;
		}
		worker_drops(w, NULL, DROP_TX, cnt - done);
		break;
	}
}

int
sys_run(const char *const argv[], const char *input, struct gw_err *err)
{
	int in[2], out[2], status;
	char msg[256];
	ssize_t n, len = 0;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) != 0)
		return gw_fail(err, 0, "pipe: %s", strerror(errno));
	if (pipe2(out, O_CLOEXEC) != 0) {
		close(in[0]);
		close(in[1]);
		return gw_fail(err, 0, "pipe: %s", strerror(errno));
	}
	if ((pid = fork()) < 0) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return gw_fail(err, 0, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (input != NULL) {
		size_t left = strlen(input);

		signal(SIGPIPE, SIG_IGN);
		while (left > 0 && (n = write(in[1], input, left)) > 0) {
			input += n;
			left -= (size_t)n;
		}
	}
	close(in[1]);
	/* keep the first line for the message, and drain the rest so the child never blocks */
	for (;;) {
		char drain[512];

		if ((size_t)len < sizeof(msg) - 1)
			n = read(out[0], msg + len, sizeof(msg) - 1 - (size_t)len);
		else
			n = read(out[0], drain, sizeof(drain));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if ((size_t)len < sizeof(msg) - 1)
			len += n;
	}
	msg[len] = '\0';
	close(out[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		msg[strcspn(msg, "\n")] = '\0';
		return gw_fail(err, 0, "%s failed (%d): %s", argv[0],
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1, msg);
	}
	return 0;
}

/* Every raw ESP socket on a host sees every ESP packet; with several workers each takes only
 * the SPIs it owns (docs/design.md "Packet I/O": steer each inbound SA to its one owner), with a
 * classic BPF filter built per generation: X = IP header length, A = the SPI; SPIs owned by
 * another worker are refused; of the rest, the "catch-all" worker (the smallest owner id of the
 * generation) takes everything, so unknown SPIs are still counted once ("no-sa"), and the
 * others take only their own.  A packet too short to hold an SPI (where the load of the SPI
 * would end the program: a silent drop) goes to the catch-all worker only, which counts it
 * ("runt").  Too many SPIs for one program (jump offsets are 8 bits): no filter, and in.c
 * drops what is not ours as "not-owner".
 *
 * What the filter still drops without a count: packets of an SPI whose owner is not running
 * (until controld gives the SA to another worker, a few seconds), and everything the
 * catch-all would take while it is not running.  The AH socket is not filtered (every worker
 * counts an unknown AH SPI), nor UDP 4500 (one worker per host holds it). */
int
io_filter_spis(struct worker *w, const struct gen *g, struct gw_err *err)
{
	enum { MAX_SPIS = 248 };
	struct sock_filter prog[MAX_SPIS + 10];
	struct sock_fprog fp = { 0, prog };
	const char *catch_all = NULL;
	unsigned n_other = 0, n_mine = 0, k = 0, total, rej, acc;
	bool catch;

	for (uint32_t i = 0; g != NULL && i < g->n_in; i++) {
		const char *o = g->in[i].owner;

		if (g->in[i].proto != IPPROTO_ESP)
			continue;		/* the AH socket is not filtered */
		n_mine += g->in[i].mine;
		n_other += !g->in[i].mine;
		if (o[0] != '\0' && (catch_all == NULL || strcmp(o, catch_all) < 0))
			catch_all = o;
	}
	catch = catch_all == NULL || strcmp(catch_all, w->o.id) == 0;
	if (g == NULL || n_other == 0 || n_mine + n_other > MAX_SPIS)
		n_other = n_mine = 0, catch = true;	/* accept all */
	total = 5 + n_other + (catch ? 1 : n_mine + 1) + 2;
	rej = total - 2;
	acc = total - 1;
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0);
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0);
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 4);
	/* len - 4 >= X: the SPI is there (a raw IPv4 datagram has 20 bytes at least, no wrap);
	 * else a runt, for the catch-all */
	prog[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 0,
	    (uint8_t)((catch ? acc : rej) - k - 1));
	k++;
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_IND, 0);
	for (uint32_t i = 0; n_other > 0 && i < g->n_in; i++) {
		if (g->in[i].mine || g->in[i].proto != IPPROTO_ESP)
			continue;
		prog[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    ntohl(g->in[i].spi_be), (uint8_t)(rej - k - 1), 0);
		k++;
	}
	if (catch) {
		prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffff);
	} else {
		for (uint32_t i = 0; i < g->n_in; i++) {
			if (!g->in[i].mine || g->in[i].proto != IPPROTO_ESP)
				continue;
			prog[k] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
			    ntohl(g->in[i].spi_be), (uint8_t)(acc - k - 1), 0);
			k++;
		}
		prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	}
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);		/* rej */
	prog[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffff);	/* acc */
	fp.len = (unsigned short)k;
	if (k != total)
		return gw_fail(err, 0, "SPI filter: built %u instructions of %u", k, total);
	if (setsockopt(w->esp_fd, SOL_SOCKET, SO_ATTACH_FILTER, &fp, sizeof(fp)) != 0)
		return gw_fail(err, 0, "SPI filter: %s", strerror(errno));
	return 0;
}
