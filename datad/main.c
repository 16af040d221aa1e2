/* SPDX-License-Identifier: Apache-2.0 */
/* datad: the data-plane worker.  Holds nothing that cannot be rebuilt from controld: on start
 * it says hello, takes a snapshot, then applies deltas; it forwards with the tables it has
 * while controld is away. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <zmq.h>

#include "common/aesni.h"
#include "common/link.h"
#include "common/log.h"
#include "common/notify.h"
#include "datad/worker.h"

static struct worker W;
static const char *curve_key, *curve_server;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: datad -c ENDPOINT [options]\n"
"\n"
"The IPsec data-plane worker.  Takes its tables from controld over ZeroMQ, reads cleartext\n"
"from a TUN device, protects it with ESP and sends it to the peer on a raw IP socket, and\n"
"the reverse.  Run one or more per host; kill and restart at will.\n"
"\n"
"  -c, --connect ENDPOINT   controld's link endpoint (ipc:///run/ipsecgw/controld.sock,\n"
"                           or tcp://host:port)\n"
"  -i, --id NAME            worker id, unique per controld (default: HOSTNAME/TUN)\n"
"  -t, --tun NAME           TUN device for cleartext (default gw0); several workers on\n"
"                           one host share it as a multi-queue device\n"
"  -T, --table N            routing table for protected destinations (default 220)\n"
"  -m, --mark N             firewall mark of our own sends (default 0x5a)\n"
"  -k, --curve-key FILE     our CurveZMQ key pair (controld --keygen FILE makes one)\n"
"  -K, --curve-server KEY   controld's public key (Z85); with -k, the link is encrypted\n"
"                           and authenticated (required by controld for tcp://)\n"
"      --no-offload         no TCP super-packets on the TUN, either way: one packet per\n"
"                           read (no TSO) and per write (no coalescing); for comparison\n"
"                           and debugging\n"
"      --tun-mtu N          MTU of the TUN device, the largest inner packet (default\n"
"                           1500, 576..1792); an inner packet with DF set that no longer\n"
"                           fits its SA's path MTU once encapsulated is answered with ICMP\n"
"                           fragmentation needed, one without DF is sent in fragments\n"
"      --io auto|xdp|raw    how ESP is received and sent: AF_XDP on the crypto map's\n"
"                           interface where it attaches and a plain-ESP SA is ours, else\n"
"                           raw IP sockets (auto, the default); AF_XDP, a failure logged\n"
"                           as an error (xdp); raw sockets only (raw: where the gateway's\n"
"                           own ESP must meet its egress firewall or qdisc, or all SAs\n"
"                           are ESP in UDP).  The log and show workers say which runs\n"
"      --tun-read auto|read how cleartext is read from the TUN: one io_uring multishot\n"
"                           read into a ring of buffers, no system call per packet\n"
"                           (auto, the default, where the kernel has it: Linux 6.7), or\n"
"                           one read(2) per packet (read).  The log says which runs\n"
"      --pmtu-age SECONDS   forget a path MTU learned from ICMP after this long\n"
"                           (default 600, RFC 1191)\n"
"  -P, --persist-tun        keep the TUN (and its routes) when datad dies, so protected\n"
"                           traffic is held instead of leaking while it restarts\n"
"  -v, --log-level LEVEL    error, warning, info (default) or debug\n"
"  -h, --help               this text\n"
"\n"
"Signals: SIGTERM/SIGINT stop cleanly (routes and nftables rules removed).\n"
"Needs CAP_NET_ADMIN and CAP_NET_RAW.  See docs/datad.md.\n");
}

static void
on_signal(int sig)
{
	(void)sig;
	W.stop = 1;
}

static int
parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "connect", 1, NULL, 'c' }, { "id", 1, NULL, 'i' }, { "tun", 1, NULL, 't' },
		{ "table", 1, NULL, 'T' }, { "mark", 1, NULL, 'm' },
		{ "persist-tun", 0, NULL, 'P' }, { "log-level", 1, NULL, 'v' },
		{ "curve-key", 1, NULL, 'k' }, { "curve-server", 1, NULL, 'K' },
		{ "no-offload", 0, NULL, 'O' }, { "tun-mtu", 1, NULL, 'M' },
		{ "pmtu-age", 1, NULL, 'A' }, { "io", 1, NULL, 'I' },
		{ "tun-read", 1, NULL, 'R' },
		{ "help", 0, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	static char idbuf[128];
	enum log_level lvl = LOG_LVL_INFO;
	char *end;
	int c;

	W.o.tun = "gw0";
	W.o.table = 220;
	W.o.mark = 0x5a;
	W.o.tun_mtu = TUN_MTU;
	W.o.pmtu_age_ms = PMTU_AGE_S * 1000ULL;
	W.o.io_mode = XDP_MODE_AUTO;	/* AF_XDP where it attaches (ADR 0016) */
	while ((c = getopt_long(argc, argv, "c:i:t:T:m:Pv:hk:K:", lo, NULL)) != -1) {
		switch (c) {
		case 'k': curve_key = optarg; break;
		case 'K': curve_server = optarg; break;
		case 'c': W.o.endpoint = optarg; break;
		case 'i': W.o.id = optarg; break;
		case 't': W.o.tun = optarg; break;
		case 'P': W.o.keep_tun = true; break;
		case 'O': W.o.no_offload = true; break;
		case 'I':
			if (xdp_mode_parse(optarg, &W.o.io_mode) != 0) {
				fprintf(stderr, "datad: --io: xdp, raw or auto, not %s\n", optarg);
				return -1;
			}
			break;
		case 'R':
			if (tunring_mode_parse(optarg, &W.o.tun_read) != 0) {
				fprintf(stderr, "datad: --tun-read: auto or read, not %s\n", optarg);
				return -1;
			}
			break;
		case 'M':
		case 'A': {
			unsigned long v = strtoul(optarg, &end, 10);
			unsigned long min = c == 'M' ? 576 : 1, max = c == 'M' ? TUN_MTU_MAX : 86400;

			if (*optarg == '\0' || *end != '\0' || v < min || v > max) {
				fprintf(stderr, "datad: --%s: not a number in %lu..%lu: %s\n",
				    c == 'M' ? "tun-mtu" : "pmtu-age", min, max, optarg);
				return -1;
			}
			if (c == 'M')
				W.o.tun_mtu = (uint32_t)v;
			else
				W.o.pmtu_age_ms = v * 1000ULL;
			break;
		}
		case 'T':
		case 'm': {
			unsigned long v = strtoul(optarg, &end, 0);

			if (*optarg == '\0' || *end != '\0' || v == 0 || v > 0xffffffffUL) {
				fprintf(stderr, "datad: -%c: not a number in 1..2^32-1: %s\n", c,
				    optarg);
				return -1;
			}
			if (c == 'T')
				W.o.table = (uint32_t)v;
			else
				W.o.mark = (uint32_t)v;
			break;
		}
		case 'v':
			if (log_level_parse(optarg, &lvl) != 0) {
				fprintf(stderr, "datad: unknown log level %s\n", optarg);
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (W.o.endpoint == NULL || optind != argc) {
		fprintf(stderr, "datad: %s\n", W.o.endpoint == NULL ?
		    "-c ENDPOINT is required" : "unexpected argument");
		usage(stderr);
		return -1;
	}
	if (strlen(W.o.tun) >= 16) {
		fprintf(stderr, "datad: TUN name %s is longer than 15 characters\n", W.o.tun);
		return -1;
	}
	if (W.o.id == NULL) {
		char host[64] = "";

		gethostname(host, sizeof(host) - 1);
		snprintf(idbuf, sizeof(idbuf), "%s/%s", host, W.o.tun);
		W.o.id = idbuf;
	}
	log_init("datad", lvl);
	return 0;
}

/* Block in zmq_poll only when both packet sources are drained; read a source again only
 * while its last turn came back full, or when poll says it is readable: no system call that
 * is known to find nothing (docs/bench.md: a null syscall costs ~170 ns here). */
static void
loop(void)
{
	/* the UDP ports (4500 for ESP in UDP, 500 for IKE) may come later: a poll item each
	 * with fd -1 until then, which poll(2) leaves alone */
	zmq_pollitem_t items[8] = {
		{ W.link, 0, ZMQ_POLLIN, 0 },
		{ NULL, W.tun_fd, ZMQ_POLLIN, 0 },
		{ NULL, W.esp_fd, ZMQ_POLLIN, 0 },
		{ NULL, W.ah_fd, ZMQ_POLLIN, 0 },
		{ NULL, W.icmp_fd, ZMQ_POLLIN, 0 },
		{ NULL, W.udp_fd, ZMQ_POLLIN, 0 },
		{ NULL, W.ike_fd, ZMQ_POLLIN, 0 },
		{ NULL, -1, ZMQ_POLLIN, 0 },		/* AF_XDP, once attached (xdp.c) */
	};
	bool tun_more = true, esp_more = true, ah_more = true, udp_more = W.udp_fd >= 0;
	bool xdp_more = false;
	uint64_t ctl_ms = 0, shown_gen = 0;

	while (!W.stop) {
		if (!tun_more && !esp_more && !ah_more && !udp_more && !xdp_more) {
			items[1].fd = W.tunring != NULL ? tunring_fd(&W) : W.tun_fd;
			items[5].fd = W.udp_fd;
			items[6].fd = W.ike_fd;
			items[7].fd = xdp_fd(&W);
			if (zmq_poll(items, 8, 100) < 0 && errno != EINTR)
				fatal("zmq_poll: %s", zmq_strerror(errno));
			tun_more = items[1].revents & ZMQ_POLLIN;
			esp_more = items[2].revents & ZMQ_POLLIN;
			ah_more = items[3].revents & ZMQ_POLLIN;
			udp_more = W.udp_fd >= 0 && (items[5].revents & ZMQ_POLLIN);
			xdp_more = items[7].fd >= 0 && (items[7].revents & ZMQ_POLLIN);
			if (items[4].revents & ZMQ_POLLIN)
				mtu_icmp_in(&W);	/* rare: only frag-needed gets through */
			if (W.ike_fd >= 0 && (items[6].revents & ZMQ_POLLIN))
				in_ike(&W);		/* rare too: IKE on UDP 500 */
			ctl_ms = 0;
		}
		worker_clock(&W);	/* the hard lifetimes' clock, once a turn */
		if (tun_more)
			tun_more = out_batch(&W) == READS;
		if (esp_more)
			esp_more = in_batch(&W, W.esp_fd) == BATCH;
		if (ah_more)
			ah_more = in_batch(&W, W.ah_fd) == BATCH;
		if (udp_more)
			udp_more = in_batch(&W, W.udp_fd) == BATCH;
		if (xdp_more)
			xdp_more = xdp_rx(&W) == BATCH;
		/* the link and the timers every 20 ms while packets keep us busy */
		if (link_now_ms() - ctl_ms >= 20) {
			ctl_ms = link_now_ms();
			link_poll(&W);
			if (W.gen != NULL && W.gen->generation != shown_gen) {
				shown_gen = W.gen->generation;
				notify_send("STATUS=worker %s on %s: forwarding with generation %llu",
				    W.o.id, W.o.tun, (unsigned long long)shown_gen);
			}
			link_tick(&W);
			mtu_tick(&W, ctl_ms);
			mtu_icmp_in(&W);	/* also when packets kept us from polling */
			xdp_more = xdp_fd(&W) >= 0;	/* likewise */
			if (W.ike_fd >= 0)
				in_ike(&W);
		}
	}
}

int
main(int argc, char **argv)
{
	struct gw_err err = { 0, "" };
	struct sigaction sa;
	int rc;

	if (parse_args(argc, argv) != 0)
		return 2;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (RAND_bytes((unsigned char *)&W.boot, sizeof(W.boot)) != 1)
		fatal("no randomness for the boot id");
	if (io_open(&W, &err) != 0)
		fatal("%s", err.msg);
	tunring_open(&W, W.o.tun_read);
	W.zctx = zmq_ctx_new();
	/* no routing id of our own: controld's ROUTER gives each connection one, and knows us by
	 * the worker id of our hello and the CURVE key we proved (a chosen routing id could
	 * take over another worker's) */
	W.link = zmq_socket(W.zctx, ZMQ_DEALER);
	rc = W.link == NULL ? -1 : 0;
	if ((curve_key != NULL) != (curve_server != NULL))
		fatal("--curve-key and --curve-server go together");
	if (curve_key != NULL) {
		struct link_keys k;

		if (link_keys_load(curve_key, &k, &err) != 0 ||
		    link_curve_client(W.link, &k, curve_server, &err) != 0)
			fatal("%s", err.msg);
		OPENSSL_cleanse(&k, sizeof(k));
	}
	if (rc != 0 || link_connect(W.link, W.o.endpoint, LINK_MAX_FROM_CONTROLD, &err) != 0)
		fatal("%s", rc != 0 ? zmq_strerror(errno) : err.msg);
	log_info("worker %s on %s, controld at %s", W.o.id, W.o.tun, W.o.endpoint);
	log_info("AES-CBC encryption: %s", aesni_usable() ?
	    "AES-NI, 8 packets at a time (docs/adr/0018)" : "OpenSSL, a packet at a time (no AES-NI)");
	link_hello(&W);
	/* ready once the TUN, the raw sockets and the link are open: forwarding starts when the
	 * tables arrive, which may be later (controld down or restarting); STATUS says when */
	notify_send("READY=1\nSTATUS=worker %s on %s: waiting for tables from %s", W.o.id, W.o.tun,
	    W.o.endpoint);
	loop();
	notify_send("STOPPING=1");
	log_info("stopping: %llu TUN reads (%s), %llu ESP packets in (%llu by AF_XDP); AF_XDP sent "
	    "%llu, left %llu to raw sockets, %llu kicks refused; %llu TSO "
	    "super-packets cut into %llu segments, %llu USO into %llu datagrams; %llu TUN writes, "
	    "%llu of them %llu segments coalesced (UDP: %llu of %llu); %llu fragments cut, %llu "
	    "ICMP frag-needed sent; UDP 4500: %llu GSO sends of %llu datagrams, %llu GRO reads "
	    "of %llu",
	    (unsigned long long)W.n_tun_reads, tunring_describe(&W),
	    (unsigned long long)W.n_rx_pkts,
	    (unsigned long long)W.n_xdp_pkts, (unsigned long long)W.n_xdp_tx,
	    (unsigned long long)W.n_xdp_tx_raw, (unsigned long long)W.n_xdp_tx_err,
	    (unsigned long long)W.n_tso, (unsigned long long)W.n_tso_segs,
	    (unsigned long long)W.n_uso_in, (unsigned long long)W.n_uso_dgrams,
	    (unsigned long long)W.n_tun_writes, (unsigned long long)W.n_gro_pkts,
	    (unsigned long long)W.n_gro_segs, (unsigned long long)W.n_uso_pkts,
	    (unsigned long long)W.n_uso_segs,
	    (unsigned long long)W.n_frags, (unsigned long long)W.n_icmp_sent,
	    (unsigned long long)W.n_gso_sends, (unsigned long long)W.n_gso_segs,
	    (unsigned long long)W.n_gro_reads, (unsigned long long)W.n_gro_dgrams);
	tables_free(W.gen);
	free(W.tops_sent);
	zmq_close(W.link);
	zmq_ctx_term(W.zctx);
	xdp_close(&W);
	tunring_close(&W);
	io_close(&W);
	/* the multi-queue TUN outlives us while another worker holds a queue: then the routes
	 * and the filter are still theirs */
	if (W.o.keep_tun)
		log_info("%s persists (-P): routes and filter stay, traffic is held", W.o.tun);
	else if (if_nametoindex(W.o.tun) == 0) {
		route_remove(&W);
		nft_remove(&W);
	}
	else
		log_info("%s is still in use by another worker: leaving its routes", W.o.tun);
	return 0;
}
