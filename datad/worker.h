/* SPDX-License-Identifier: Apache-2.0 */
/* worker.h: one datad worker: its sockets, its packet pool, its current table generation and
 * the counters it reports.  Single-threaded; nothing here is shared with another worker
 * (docs/design.md invariant 6). */
#ifndef GW_WORKER_H
#define GW_WORKER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "common/drop.h"
#include "common/esp.h"
#include "common/peer_rate.h"
#include "common/pkt.h"
#include "common/sel.h"
#include "datad/tables.h"
#include "datad/tunring.h"
#include "datad/xdp.h"

/* Linux UDP options (linux/udp.h), for C libraries that lack them */
#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif
#ifndef UDP_GRO
#define UDP_GRO		104
#endif
/* UDP segmentation offload on the TUN (Linux 6.2; linux/virtio_net.h, linux/if_tun.h), for
 * headers older than the kernel (uso.c) */
#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif
#ifndef TUN_F_USO4
#define TUN_F_USO4	0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6	0x40
#endif

enum {
	BATCH		= 64,		/* packets per sendmmsg/recvmmsg, and segments per flush */
	READS		= 32,		/* TUN reads per turn */
	RBUF		= 65536 + 16,	/* one TUN read: a TSO super-packet and its vnet header */
	TUN_MTU		= 1500,		/* default: inner packets up to the usual media MTU;
					 * what no longer fits an SA's path after IPsec is
					 * answered per SA (out.c, mtu.c) */
	TUN_MTU_MAX	= PKT_MAX - 256,	/* the inner packet, and IPsec on top */
	PMTU_AGE_S	= 600,		/* RFC 1191 §6.3 */
	PMTU_FRAGS	= 8,
	/* IKE relayed to controld (docs/design.md "The ZeroMQ link"): sized for thousands of
	 * tunnels coming up at once (two messages each for IKE_SA_INIT and IKE_AUTH, and
	 * retransmissions), from as many peers or from one (the setup-rate bench brings 100 up
	 * in parallel from one address); beyond that, shed here and counted (show workers) */
	IKE_PER_SEC	= 10000,	/* per worker, a second */
	IKE_PEER_PER_SEC = 1000,	/* per peer address, a second ... */
	IKE_PEER_BURST	= 2000,		/* ... in bursts of at most this many */
	/* Acquires (docs/design.md "The ZeroMQ link"): a packet of a flow an ipsec-isakmp entry
	 * permits, with no SA, sends one only if the same entry and flow (addresses, protocol,
	 * ports) sent none in the last ACQUIRE_HOLD_MS, so a burst of packets sends one, and a flow that is still
	 * waiting asks again once a hold time (in case controld lost it).  ACQUIRE_SLOTS
	 * remember the flows (a flow whose slot another took may ask again early: controld's
	 * larval entry absorbs it); ACQUIRE_PER_SEC bounds a scan of many flows. */
	ACQUIRE_HOLD_MS	= 1000,
	ACQUIRE_SLOTS	= 1024,		/* a power of two */
	ACQUIRE_PER_SEC	= 1000,
	UDP_READS	= 8,		/* UDP 4500 reads per recvmmsg with UDP_GRO on */
	UDP_RBUF	= 65536,	/* one of them: up to 64 KB of coalesced datagrams */
	UDP_GSO_SEGS	= 64,		/* datagrams per UDP_SEGMENT send (UDP_MAX_SEGMENTS) */
	UDP_GSO_BYTES	= 65535 - 20 - 8,	/* and their bytes: one IPv4 UDP datagram */
	GRO_FLOWS	= 8,		/* flows coalesced at once per batch */
	GRO_SEGS	= BATCH,		/* fragments of one packet: PKT_MAX at 576 needs 4 */
	HEARTBEAT_MS	= 1000,
	TOPS_MS		= 50,		/* replay tops that moved are reported this often */
	REPORT_PART_SAS	= 4096,		/* SAs per report message (LINK_MAX_TO_CONTROLD) */
	EVENTS_MS	= 250,		/* drop events (gw.v1.DropEvents) at most this often */
	DEAD_MS		= 3500,		/* controld silent this long: say hello again */
	LEASE_RETRY_MS	= 1000,
	SNAPSHOT_RETRY_MS = 1000,
};

struct worker_opts {
	const char	*endpoint;
	const char	*id;
	const char	*tun;
	uint32_t	table;		/* routing table of protected destinations */
	uint32_t	mark;		/* SO_MARK of our own sends: they skip that table */
	bool		keep_tun;	/* TUNSETPERSIST: fail closed across restarts */
	bool		no_offload;	/* no TSO from the TUN, no UDP GSO/GRO on 4500 */
	uint32_t	tun_mtu;
	uint64_t	pmtu_age_ms;	/* a learned path MTU is forgotten after */
	enum xdp_mode	io_mode;	/* --io: how ESP is received (xdp.h) */
	enum tunring_mode tun_read;	/* --tun-read: how the TUN is read (tunring.h) */
};

/* The flow of the last acquire sent in one slot of the acquire table (ikewire.c). */
struct acquire_slot {
	uint64_t	generation;
	uint32_t	pol;			/* index of the policy in that generation */
	uint32_t	src, dst;
	uint16_t	sport, dport;
	uint8_t		proto;
	uint64_t	sent_ms;		/* 0 = free */
};

/* The last inbound packet dropped for a reason the operator is told of in controld's log
 * (gw.v1.DropEvent: an unknown SPI, a replay, a failed ICV), and how many since the last
 * DropEvents; what its headers claimed, unauthenticated.  Filled by in.c on the drop (a few
 * stores, nothing allocated), sent and zeroed by link.c every EVENTS_MS: bounded whatever
 * the peers send. */
enum { EV_NO_SA, EV_REPLAY, EV_ICV, EV_MAX };

struct drop_event {
	uint64_t	count;
	uint64_t	sa_id;			/* replay, icv: the SA; no-sa: 0 */
	uint32_t	spi_be, src_be, dst_be;	/* dst 0: not known (UDP without pktinfo) */
	uint32_t	seq;			/* the wire's sequence number */
	uint8_t		proto;			/* 50 ESP, 51 AH */
};

/* What this worker did with IKE and acquires since its boot (gw.v1.IkeCounters). */
struct ike_ctr {
	uint64_t	relayed, shed_peer, shed_worker;
	uint64_t	sent, send_failed;
	uint64_t	acquires, acquires_held, acquires_shed;
};

struct tx_batch {
	unsigned		n;
	struct mmsghdr		msg[BATCH];
	struct iovec		iov[BATCH];
	struct sockaddr_in	dst[BATCH];
	union {
		char		buf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
				    CMSG_SPACE(sizeof(int))];	/* and IP_TOS */
		struct cmsghdr	align;
	} ctl[BATCH];
	bool			no_gso[BATCH];	/* larger than its path: sent alone (udpgso.c) */
};

/* One flow's TCP segments (or UDP datagrams: uso.c) waiting to go to the TUN as one
 * super-packet (gro.c). */
struct gro_flow {
	struct sa_in	*sa;
	struct pkt	*seg[BATCH];		/* in order; seg[0] gives the headers */
	unsigned	n;
	uint32_t	thl, mss, len;		/* TCP header length, GSO size, IP total */
	uint32_t	next_seq;		/* TCP: sequence; UDP: Identification */
	uint8_t		proto;			/* IPPROTO_TCP, or IPPROTO_UDP (uso.c) */
	bool		closed;			/* PSH, FIN or a short segment came */
};

struct worker {
	struct worker_opts	o;
	uint64_t		boot;
	void			*zctx, *link;
	int			tun_fd, esp_fd, ah_fd, clear_fd;
	int			udp_fd;		/* UDP 4500 (RFC 3948); -1 if unavailable */
	int			ike_fd;		/* UDP 500, IKE relayed to controld; or -1 */
	int			icmp_fd;	/* ICMP frag-needed about our packets (mtu.c) */
	int			nl_fd;		/* netfilter netlink, for the clear_in counter */
	uint32_t		nl_seq;
	uint32_t		icmp_tokens;	/* frag-needed we may still send (rate limit) */
	uint64_t		icmp_refill_ms, media_ms;
	uint32_t		ike_tokens;	/* IKE messages we may still relay this second */
	uint64_t		ike_refill_ms;
	struct peer_rate	*ike_peers;	/* per peer address (IKE_PEER_PER_SEC) */
	struct ike_ctr		ike;
	struct acquire_slot	*acq;		/* ACQUIRE_SLOTS, made at start */
	uint32_t		acq_tokens;	/* acquires we may still send this second */
	uint64_t		acq_refill_ms;
	struct gen		*gen;		/* current generation, NULL before the first */
	uint64_t		wall_ms;	/* CLOCK_REALTIME ms of this turn of the loop
						 * (worker_clock): the hard lifetimes' clock */
	uint64_t		last_heard_ms, last_hello_ms, last_report_ms, last_nft_ms;
	uint64_t		snapshot_asked_ms;	/* a snapshot request is outstanding */
	uint64_t		*tops_sent;		/* link.c: the replay tops of gen->in[]
							 * as last reported */
	uint64_t		tops_gen;		/* the generation they are of */
	uint64_t		last_tops_ms;
	uint64_t		drops[DROP_MAX];	/* drops without an SA */
	struct drop_event	ev[EV_MAX];		/* since the last DropEvents */
	uint64_t		last_events_ms;
	uint64_t		clear_in_base;		/* clear-in of the tables before this one */
	uint64_t		clear_in_last;		/* this table's counter, last read */
	char			*nft_rules;		/* the nftables ruleset installed (nft.c) */
	uint64_t		n_tun_reads, n_rx_pkts;	/* for the log at exit */
	struct pkt		*pool;			/* 2 * BATCH buffers, made at start */
	uint8_t			*rbuf;			/* RBUF bytes for TUN reads */
	bool			vnet;			/* TUN with virtio_net_hdr + TSO */
	bool			tun_uso;		/* and USO (uso.c) */
	uint64_t		n_tso, n_tso_segs;	/* super-packets read, segments made */
	uint64_t		n_frags, n_icmp_sent;	/* fragments we cut, frag-needed sent */
	struct pkt		frags[PMTU_FRAGS];
	/* CBC packets framed but not yet encrypted (esp.h: esp_encap_begin), sealed at once by
	 * out_flush before anything is sent; at most one per slot of the outbound pool */
	struct esp_job		cbc_jobs[BATCH];
	unsigned		n_cbc_jobs;
	struct tx_batch		esp_tx, clear_tx;
	struct tx_batch		hdr_tx;		/* whole IP packets we built (AH, transport) */
	struct tx_batch		udp_tx;		/* ESP in UDP */
	/* UDP GSO and GRO on UDP 4500 (udpgso.c): each on while the kernel takes it */
	bool			udp_gso, udp_gro;
	bool			udp_csum;	/* SO_NO_CHECK off now (udpgso.c) */
	uint64_t		n_gso_sends, n_gso_segs, n_gso_off;
	uint64_t		n_gro_reads, n_gro_dgrams;
	union {				/* a run's IP_PKTINFO, IP_TOS, UDP_SEGMENT */
		char		buf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
				    CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(uint16_t))];
		size_t		align;		/* as struct cmsghdr (whose flexible
						 * array clang will not have here) */
	} gso_ctl;
	uint8_t			*udp_rbuf;	/* UDP_READS * UDP_RBUF, made at start */
	struct mmsghdr		udp_rmsg[UDP_READS];
	struct iovec		udp_riov[UDP_READS];
	struct sockaddr_in	udp_rfrom[UDP_READS];
	union {
		char		buf[CMSG_SPACE(sizeof(struct in_pktinfo)) +
				    CMSG_SPACE(sizeof(int))];	/* and UDP_GRO */
		struct cmsghdr	align;
	} udp_rctl[UDP_READS];
	struct gro_flow		gro[GRO_FLOWS];	/* inbound TCP being coalesced */
	unsigned		n_gro;
	struct iovec		gro_iov[BATCH + 2];
	uint64_t		n_tun_writes, n_gro_pkts, n_gro_segs;
	uint64_t		n_uso_pkts, n_uso_segs;	/* of those, UDP (uso.c) */
	uint64_t		n_uso_in, n_uso_dgrams;	/* UDP super-packets read, cut into */
	struct sockaddr_in	rx_from[BATCH];
	union {					/* UDP: the address it was sent to */
		char		buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr	align;
	} rx_ctl[BATCH];
	uint64_t		last_keepalive_ms;
	struct mmsghdr		rx_msg[BATCH];
	struct iovec		rx_iov[BATCH];
	char			*routes;		/* the route set installed, "a/n\n..." */
	struct tunring		*tunring;		/* the TUN read by io_uring, or NULL:
							 * read(2) (tunring.c) */
	struct xdp_io		*xdp;			/* AF_XDP receive, or NULL (xdp.c) */
	bool			xdp_tried;		/* attach tried (once) */
	uint64_t		n_xdp_pkts;		/* of n_rx_pkts, by AF_XDP */
	uint64_t		n_xdp_tx;		/* ESP sent by AF_XDP */
	uint64_t		n_xdp_tx_raw;		/* offered to it, sent on raw sockets */
	uint64_t		n_xdp_tx_err;		/* kicks the kernel refused */
	volatile int		stop;
};

/* Where a drop is counted, one rule for all of datad: a step that handles one packet (in_esp,
 * in_ah, in_udp, out_one, out_esp_tunnel, out_hdr, tso_parse, mtu_icmp_one) counts nothing: it
 * returns the reason, and through its sa argument the SA the packet is charged to once that
 * is known.  The loop over the packets (in_batch, out_pkt and out_read, mtu_icmp_in, in_ike)
 * counts each drop once, with worker_drop(): on that SA ("show crypto ipsec sa"), else on the
 * worker (the drops of its report).  Sends alone count where they fail, since they fail after
 * the loop has moved on: on the SA when they know it (gro.c's TUN writes), else on the worker
 * (io_flush, fragments).  clear-in is the kernel's count (nft.c), copied, not counted. */
static inline void
worker_drops(struct worker *w, struct sa_ctr *sa, enum drop d, uint64_t n)
{
	if (sa != NULL)
		sa->drops[d] += n;
	else
		w->drops[d] += n;
}

static inline void
worker_drop(struct worker *w, struct sa_ctr *sa, enum drop d)
{
	worker_drops(w, sa, d, 1);
}

/* Read the wall clock into w->wall_ms: once per turn of the loop (main.c), before its
 * batches, never per packet (invariant 6).  CLOCK_REALTIME_COARSE is read from the vDSO,
 * without a system call, to the last tick (a few ms): a hard deadline is seen at most that
 * and one turn of the loop late (docs/datad.md, "Hard lifetimes"). */
static inline void
worker_clock(struct worker *w)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME_COARSE, &ts);
	w->wall_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* io.c: devices and sockets */
int	io_open(struct worker *w, struct gw_err *err);
void	io_close(struct worker *w);
void	io_flush(struct worker *w, struct tx_batch *b, int fd);
/* Send m[0..n) with sendmmsg, waiting briefly on a full buffer; failures counted as tx. */
void	io_sendmmsg(struct worker *w, struct mmsghdr *m, unsigned n, int fd);
int	sys_run(const char *const argv[], const char *input, struct gw_err *err);
int	io_filter_spis(struct worker *w, const struct gen *g, struct gw_err *err);
bool	io_udp_retry(struct worker *w);	/* take UDP 4500 and 500 if free now; true if
					 * it took one (the hello must say so) */

/* out.c / in.c: the fast paths, one batch per call; return packets handled */
unsigned	out_batch(struct worker *w);
unsigned	in_batch(struct worker *w, int fd);	/* the ESP, AH or UDP 4500 socket */
void		in_ike(struct worker *w);		/* UDP 500: IKE to controld */

/* The seams under the batches, where the system calls end and the fast path begins: tests run
 * packets through the real path from memory (datad/in_test.c, datad/out_test.c).
 *
 * out_read: one TUN read b[0..len) (a virtio_net_hdr, then a packet or a TCP super-packet)
 * through the outbound path.  What leaves is queued on w's send batches (esp_tx, udp_tx,
 * hdr_tx, clear_tx: pointers into w->pool), which out_flush sends; *slot counts the pool
 * buffers in use, 0 at the start of a batch, and out_read flushes itself when all are.  CBC
 * packets on AES-NI are queued framed but not yet encrypted: out_seal seals them (out_flush
 * does it first), for a test that reads the batches without sending.
 *
 * in_run: the n datagrams of one read through the inbound path, each in in_buf(w, i) with its
 * length and flags in w->rx_msg[i] and, from UDP 4500, its sender in w->rx_from[i].  What is
 * delivered is written to w->tun_fd before it returns. */
enum in_from { IN_ESP, IN_AH, IN_UDP };	/* the socket it came from */

void		out_read(struct worker *w, const uint8_t *b, uint32_t len, unsigned *slot);
void		out_flush(struct worker *w);
void		out_seal(struct worker *w);
struct pkt	*in_buf(struct worker *w, unsigned i);	/* buffer i, reset for a datagram */
void		in_run(struct worker *w, enum in_from from, unsigned n);

/* tso.c: TCP super-packets from the TUN cut into segments, partial checksums completed */
struct virtio_net_hdr;
struct tso {
	const uint8_t	*sp;		/* the super-packet: headers, then the payload */
	uint32_t	n;		/* its length */
	uint32_t	ihl, hlen;	/* IPv4 header, IPv4 + TCP headers */
	uint32_t	mss;		/* payload per segment (gso_size) */
	uint32_t	segs;		/* segments it makes */
};

/* Complete the checksum at b[start + off] over b[start..len) (VIRTIO_NET_HDR_F_NEEDS_CSUM);
 * -1 if the field is not inside the packet. */
int		tso_csum(uint8_t *b, uint32_t len, uint16_t start, uint16_t off);
/* The TCP or UDP checksum over ph and b[0..len) as stored (network order): with 0 in the
 * checksum field, the checksum to put there; with a checksum there, 0 if it is right. */
uint16_t	tso_l4_csum(const struct ip4_pseudo *ph, const uint8_t *b, uint32_t len);
/* Segment i of t into p: the headers and its part of the payload, IPv4 Total Length and
 * Identification (+ i) set; the rest of the headers is the caller's (TCP or UDP). */
struct ip4_hdr	*tso_copy_seg(const struct tso *t, uint32_t i, struct pkt *p);
/* The super-packet sp[0..n) that vh describes into t (which borrows sp); DROP_BAD_IP unless
 * it is TCPv4 with whole headers and segments that fit PKT_MAX. */
enum drop	tso_parse(struct tso *t, const struct virtio_net_hdr *vh, const uint8_t *sp,
		    uint32_t n);
/* Segment i of t into p: the headers with Total Length, Identification, sequence number and
 * both checksums for it; FIN and PSH only on the last, CWR only on the first. */
void		tso_segment(const struct tso *t, uint32_t i, struct pkt *p);

/* udpgso.c: ESP in UDP (RFC 3948) in fewer system calls: UDP_SEGMENT on send, UDP_GRO on
 * receive (docs/adr/0015-udp-gso-gro.md).  The datagrams on the wire are the same. */
/* How many of b's datagrams from i on may leave as one UDP_SEGMENT send: the same peer, port,
 * source and TOS, each of the first one's length but the last (which may be shorter), at most
 * UDP_GSO_SEGS and UDP_GSO_BYTES; 1 if none joins it. */
unsigned	udpgso_run(const struct tx_batch *b, unsigned i);
/* Send w->udp_tx (the ESP in UDP queued by out.c), runs of it with UDP_SEGMENT while the
 * kernel takes it (refused, EIO or EINVAL: counted in n_gso_off, and off for good). */
void		udpgso_flush(struct worker *w);
/* Segment k of a read of len bytes cut at gso bytes (UDP_GRO; 0: one datagram): its offset
 * and length; false past the last.  A segment is never empty. */
bool		udpgro_seg(uint32_t len, uint32_t gso, uint32_t k, uint32_t *off, uint32_t *seg);
/* The segment size of a read from its control messages (UDP_GRO), 0 if it has none. */
uint32_t	udpgro_size(const struct msghdr *m);
/* UDP_SEGMENT and UDP_GRO on w->udp_fd just opened, unless no_offload (then its ESP in UDP
 * has checksum 0, one datagram per send and read, as before). */
void		udpgso_offload(struct worker *w);
/* Read UDP 4500 with UDP_GRO on: each coalesced read cut into its datagrams, each opened
 * (in_run); returns BATCH if there may be more to read, else the datagrams read. */
unsigned	udpgro_batch(struct worker *w);
/* The seam under it: the reads w->udp_rmsg[0..n) (their iovecs into udp_rbuf, senders and
 * control messages) cut and opened; returns the datagrams they held. */
unsigned	udpgro_split(struct worker *w, unsigned n);

/* uso.c: UDP segmentation offload on the TUN (docs/adr/0017-udp-offload-tun.md): inbound
 * datagrams of one flow coalesced by gro.c into a VIRTIO_NET_HDR_GSO_UDP_L4 super-packet,
 * outbound UDP super-packets (TUN_F_USO4) cut into datagrams. */
/* p is a UDP datagram the kernel's cutting would give back unchanged (IPv4 without options or
 * fragments, UDP length matching, a checksum and a right one); *plen its payload length, > 0. */
bool		uso_dgram(const struct pkt *p, uint32_t *plen);
/* May datagram q (uso_dgram: plen) of the same flow and SA follow f's datagrams: the next
 * Identification, TOS, TTL and DF alike, payload no longer than the first's, room left? */
bool		uso_joins(const struct gro_flow *f, const struct pkt *q, uint32_t plen);
/* f->seg[0]'s headers made the super-packet's (Total Length, UDP length, the pseudo-header
 * sum for CHECKSUM_PARTIAL) and the virtio_net_hdr that goes before it into *vh. */
void		uso_head(const struct gro_flow *f, struct virtio_net_hdr *vh);
/* A UDP super-packet from the TUN into t (borrowing sp); DROP_BAD_IP unless it is UDP over
 * IPv4 with whole headers, at least one byte of payload and datagrams that fit PKT_MAX. */
enum drop	uso_parse(struct tso *t, const struct virtio_net_hdr *vh, const uint8_t *sp,
		    uint32_t n);
/* Datagram i of t into p: Total Length, Identification (the first's + i), IPv4 checksum,
 * UDP length and full UDP checksum of its own. */
void		uso_segment(const struct tso *t, uint32_t i, struct pkt *p);

/* mtu.c: path MTU per outbound SA */
int	mtu_open(struct worker *w, struct gw_err *err);
void	mtu_gen(struct worker *w, struct gen *g);	/* media MTUs of a new generation */
void	mtu_tick(struct worker *w, uint64_t now_ms);	/* ageing, media, rate limit */
void	mtu_icmp_in(struct worker *w);			/* read the ICMP socket */
/* One ICMP packet b[0..len) as the raw socket gives it; DROP_ICMP_PMTU if not believed. */
enum drop	mtu_icmp_one(struct worker *w, const uint8_t *b, uint32_t len, uint64_t now_ms);

/* gro.c: inbound TCP coalesced into super-packets for the TUN */
void	gro_add(struct worker *w, struct sa_in *sa, struct pkt *p);	/* deliver, maybe later */
void	gro_flush(struct worker *w);				/* deliver the rest */

/* route.c: the routes into the TUN a generation implies (link.c applies them after the filter) */
int	route_apply(struct worker *w, const struct gen *g, struct gw_err *err);
void	route_remove(struct worker *w);

/* nft.c: the nftables filter a generation implies (one transaction), and its clear-in count */
int	nft_apply(struct worker *w, const struct gen *g, struct gw_err *err);
void	nft_remove(struct worker *w);
/* every 2 s: the clear-in count into drops[], and our table put back if someone removed it */
void	nft_check(struct worker *w);

/* link.c: the worker's side of the link to controld (docs/design.md "The ZeroMQ link"), over the
 * framing of common/link.h, whose link_* names these do not reuse */
int	link_hello(struct worker *w);
void	link_poll(struct worker *w);		/* handle what controld sent */
void	link_tick(struct worker *w);		/* heartbeats, reports, leases, by time */
void	link_need_lease(struct worker *w, struct sa_out *sa);
/* An IKE message d[0..len) that arrived at local_be:local_port from remote_be:port_be (local_be
 * 0: unknown), to controld; false if it is not IKE (the caller counts it as proto), true
 * if relayed or shed by the limits (counted here, in w->ike) */
bool	link_ike(struct worker *w, uint32_t local_be, uint16_t local_port, uint32_t remote_be,
	    uint16_t port_be, const uint8_t *d, size_t len);
/* An Acquire for policy pol of the current generation, its permit ace, the packet's flow f */
void	link_acquire(struct worker *w, const struct policy *pol, uint32_t ace,
	    const struct flow *f);

/* ikewire.c: IKE on the wire for controld, and acquires (docs/design.md "The ZeroMQ link") */
int	ikewire_open(struct worker *w, struct gw_err *err);	/* tables, at start */
void	ikewire_close(struct worker *w);
/* Send what controld asked (from our socket of s->local_port); counted in w->ike. */
void	ikewire_send(struct worker *w, const Gw__V1__IkeSend *s);
/* The packet of flow f matched permit ace of pol (ipsec-isakmp) and has no SA: tell controld,
 * once per policy and flow in ACQUIRE_HOLD_MS (counted in w->ike).  Dynamic entries never. */
void	ikewire_acquire(struct worker *w, const struct policy *pol, uint32_t ace,
	    const struct flow *f);
/* The address a UDP datagram was sent to, from its IP_PKTINFO; 0 if it has none. */
uint32_t	ikewire_local(const struct msghdr *m);

#endif
