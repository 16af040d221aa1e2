/* SPDX-License-Identifier: Apache-2.0 */
/* link.h: controld's side of the worker link (docs/design.md "The ZeroMQ link"): the workers'
 * records, what they may claim, and the API of link/:
 *
 *   workers.c  the link socket: reading, dispatch, heartbeats and liveness, refusals, the
 *              workers' records (their counts of each SA are kept by the SAD, by slot)
 *   hello.c    who may be which worker (ids, keys, addresses, slots)
 *   owners.c   the one owner of each inbound SA, and its replay floor (invariant 2)
 *   publish.c  generations to the workers: snapshots and deltas (invariant 3)
 *   wire.c     the SPD and the SAD as wire messages: the only place they are made
 *   report.c   counters and replay window tops from workers
 *   events.c   drop events from workers (unknown SPI, replay, ICV) to the log
 *   ikewire.c  IKE through the workers: datagrams in, messages out, acquires, and the hooks
 *              of whoever owns IKE
 *   grant.c    sequence-number leases, by use (invariant 1; lease.c is the store)
 *   zap.c      CURVE allow-lists and the ZAP handler
 *   worker.h   what these files share (private to link/)
 *
 * Everything a worker sends is untrusted (docs/threat-model.md).  All of it runs in
 * controld's one event loop: nothing here locks. */
#ifndef GW_CONTROLD_LINK_H
#define GW_CONTROLD_LINK_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/drop.h"
#include "common/link.h"
#include "common/peer_rate.h"
#include "common/sel.h"
#include "controld/link/lease.h"
#include "controld/sad/sad.h"
#include "proto/gw.pb-c.h"

struct controld;

enum {
	WORKERS_MAX	= SAD_SLOTS_MAX,	/* the SAD keeps counts by worker slot */
	WORKERS_PER_KEY	= 16,	/* default slots of one CURVE key (allow-list max=) */
	ID_BINDS_MAX	= 256,	/* worker ids remembered with the key that claimed them */
	WORKER_DEAD_MS	= 3000,	/* three missed reports: its inbound SAs move */
	/* a worker's connection ended (the socket monitor): how long to wait for ZeroMQ to
	 * tear its pipe down before taking it for another connection's (workers.c) */
	WORKER_GONE_PROBE_MS = 50,
	CTL_HEARTBEAT_MS = 1000,
	ALLOW_MAX	= 256,
	ALLOW_ADDRS_MAX	= 8,
	REPLAY_MARGIN_MIN = 2,	/* a new owner's window starts this far above, at least */
	FLOORS_FLUSH_MS	= 100,	/* replay floors that ran ahead are written this often */
	/* IKE relayed by workers, per peer address over all workers (a peer may reach several
	 * hosts): as datad's own limit per worker (datad/worker.h), which sheds first */
	LINK_IKE_PEER_PER_SEC = 1000,
	LINK_IKE_PEER_BURST = 2000,
	/* acquires taken from one worker a second: twice what datad sends at most
	 * (ACQUIRE_PER_SEC, datad/worker.h), so only a worker that ignores its limit meets it */
	LINK_ACQUIRE_PER_SEC = 2000,
};

/* Why controld refused something a worker (or a client of the link) sent: counted per worker
 * and in total, shown by "show workers", logged at a limited rate (docs/threat-model.md). */
#define REFUSE_LIST(X)								\
	X(BAD_MSG,	"bad-msg",	"malformed, oversized or unexpected message")	\
	X(HELLO_KEY,	"hello-key",	"worker id already claimed under another key")	\
	X(HELLO_ALLOW,	"hello-allow",	"worker id or address not allowed for its key")	\
	X(HELLO_FULL,	"hello-full",	"no worker slot left (for its key)")		\
	X(LEASE_SA,	"lease-sa",	"lease for an SA that is not outbound in the tables")	\
	X(LEASE_EARLY,	"lease-early",	"lease before half of the last one was used")	\
	X(LEASE_SOON,	"lease-soon",	"a fresh lease again within a second")		\
	X(LEASE_FAST,	"lease-fast",	"lease use faster than a worker can send")	\
	X(REPORT_SA,	"report-sa",	"counters of an SA not in the tables, or too many")	\
	X(TOP_OWNER,	"top-owner",	"replay window top from a worker that does not own the SA")	\
	X(ACQUIRE,	"acquire",	"acquire for no ipsec-isakmp entry that permits its flow")	\
	X(ACQUIRE_FAST,	"acquire-fast",	"acquires faster than a worker sends them")

enum refuse {
#define X(n, c, t) REFUSE_##n,
	REFUSE_LIST(X)
#undef X
	REFUSE_MAX
};

extern const char *const refuse_name[REFUSE_MAX];
extern const char *const refuse_text[REFUSE_MAX];

/* One entry of an allow-list (zap.c): a CURVE key and, for workers, what it may claim. */
struct allow {
	uint8_t		key[32];
	char		z85[LINK_KEY_Z85];
	char		ids[256];		/* worker id patterns (fnmatch), "a,b"; "" any */
	uint32_t	net[ALLOW_ADDRS_MAX], mask[ALLOW_ADDRS_MAX];	/* addrs=; none: any */
	size_t		n_nets;
	unsigned	max;			/* worker slots */
};

struct allow_list {
	struct allow	a[ALLOW_MAX];
	size_t		n;
	const char	*path;
};

/* What a worker did with IKE and acquires since its boot (gw.v1.IkeCounters, its reports). */
struct link_ike_ctr {
	uint64_t	relayed, shed_peer, shed_worker;
	uint64_t	sent, send_failed;
	uint64_t	acquires, acquires_held, acquires_shed;
};

/* How a worker's packets were batched since its boot (gw.v1.OffloadCounters, its reports):
 * TUN super-packets cut and writes coalesced, UDP 4500 GSO and GRO, AF_XDP transmit. */
struct link_offload_ctr {
	bool		known;			/* reported (never by an older worker) */
	bool		tun_uso;		/* its TUN hands over UDP super-packets */
	uint64_t	tun_reads, tso, tso_segs, uso, uso_dgrams;
	uint64_t	tun_writes, coalesced, coalesced_segs, uso_writes, uso_segs;
	uint64_t	gso_sends, gso_dgrams, gro_reads, gro_dgrams;
	uint64_t	xdp_sent, xdp_raw, xdp_refused;
};

struct worker_rec {
	bool		live;
	uint8_t		rid[LINK_ID_MAX];	/* ZeroMQ routing id (given by our ROUTER) */
	size_t		rid_len;
	char		key[LINK_KEY_Z85];	/* the CURVE key it proved; "" on ipc:// */
	char		id[SA_OWNER_MAX];	/* the owner of its inbound SAs (sad.h) */
	char		host[64];
	uint32_t	pid;
	uint64_t	boot;
	uint32_t	addrs[64];
	size_t		n_addrs;
	bool		udp_encap;		/* holds UDP 4500 on its host (RFC 3948) */
	bool		ike;			/* holds UDP 500 on its host */
	char		io[32];			/* what receives its ESP (Hello.io) */
	char		tun_read[96];		/* how it reads the TUN (Hello.tun_read) */
	struct link_ike_ctr ike_ctr;		/* as it last reported */
	struct link_offload_ctr offload;	/* as it last reported */
	uint32_t	acq_tokens;		/* acquires it may still send this second */
	uint64_t	acq_refill_ms;
	uint64_t	generation;		/* last it reported */
	uint64_t	last_ms;
	int		fd;			/* its connection's (link_peer.fd), -1 unknown */
	int		pidfd;			/* its process, when has_proc (ipc://: the */
	bool		has_proc;		/* connection's peer credentials), owned */
	struct lease_hold *holds;		/* its latest block of each outbound SA */
	size_t		n_holds;
	uint64_t	drops[DROP_MAX];
	uint64_t	refused[REFUSE_MAX];
	char		reject[160];		/* last generation it refused, why */
};

/* A worker id and the key that first claimed it: no other key may (hello-key). */
struct id_bind {
	char		id[128];
	char		key[LINK_KEY_Z85];
};

/* An IKE message a worker relayed, as the hook of link_set_ike_hooks() gets it.  Addresses and
 * ports in host order.  Everything is borrowed for the call only. */
struct link_ike_dgram {
	uint32_t	local;			/* the address it was sent to; 0 = not known */
	uint16_t	local_port;		/* 500, or 4500 (the non-ESP marker is gone) */
	uint32_t	remote;
	uint16_t	remote_port;
	const uint8_t	*msg;			/* the IKE message, from its header on; its */
	size_t		len;			/* header checked (28 bytes, version 1 or 2,
						 * Length = len), nothing else */
	const char	*worker;		/* the id of the worker that relayed it */
};

/* An acquire (docs/design.md "The ZeroMQ link"): a worker dropped a packet that the permit ace of
 * policy pol (an ipsec-isakmp entry of the running SPD, cd->conf.spd) lets through, because the
 * entry has no SA.  Checked against the SPD: pol is that entry, and pol->aces[ace] is the first
 * entry of its list that the flow matches, a permit.  Borrowed for the call only. */
struct link_acquire {
	const struct policy	*pol;		/* controld/conf/compile.h */
	size_t			ace;
	struct flow		flow;		/* the packet's: addresses, protocol, ports, TOS */
	const char		*worker;
};

typedef void	link_ike_input_fn(void *ctx, const struct link_ike_dgram *d);
typedef void	link_acquire_fn(void *ctx, const struct link_acquire *a);

/* Who owned an inbound SA when controld last wrote STATEDIR/inbound-owners (owners.c): read at
 * start, so a worker that kept running while controld restarted keeps its windows. */
struct owner_rec {
	uint64_t	key_id;			/* sa_key_id() */
	uint64_t	boot;			/* the owner's boot (Hello.boot) */
	char		owner[SA_OWNER_MAX];
	char		key[LINK_KEY_Z85];	/* its CURVE key, "" on ipc:// */
};

/* A lease block taken in this turn of workers_poll, sent once the mark is on disk (grant.c). */
struct grant_pending {
	int		slot;			/* cd->link.w[slot] */
	uint8_t		rid[LINK_ID_MAX];	/* ... while it is still that worker */
	size_t		rid_len;
	uint64_t	sa_id, first, last;
	uint32_t	spi;
	bool		fresh;
};

enum { LINK_GRANTS_MAX = 256 };		/* one turn of workers_poll reads at most this many */

/* The link's part of controld's state (struct controld, controld.h). */
struct link_state {
	const char		*ep;		/* endpoint workers connect to (controld -l) */
	const char		*state_dir;	/* of the leases and floors (controld -S) */
	void			*sock;		/* ROUTER */
	void			*mon;		/* monitor of sock, or NULL */
	void			*zap;		/* ZAP handler of both sockets when CURVE is on */
	uint64_t		gen;		/* generation of the tables */
	Gw__V1__Tables		*sent;		/* that generation as the workers got it, owned */
	struct lease_db		leases;		/* sequence-number leases by key (lease.h) */
	struct lease_db		floors;		/* replay floors by key (docs/adr/0009) */
	uint64_t		floors_flushed_ms;
	struct owner_rec	*owners_was;	/* the file as controld started, by key_id */
	size_t			n_owners_was;
	bool			owners_moved;	/* an SA left its owner: write, synced, first */
	bool			owners_dirty;	/* owners given: write within a heartbeat */
	struct grant_pending	grants[LINK_GRANTS_MAX];	/* taken, not yet durable */
	size_t			n_grants;
	struct worker_rec	w[WORKERS_MAX];	/* by slot */
	uint64_t		retired_drops[DROP_MAX];	/* of workers restarted or gone */
	struct id_bind		binds[ID_BINDS_MAX];
	size_t			n_binds;
	uint64_t		refused[REFUSE_MAX];	/* all workers, and non-workers */
	uint64_t		disconnects;	/* connections ended (exit, oversize, protocol) */
	uint64_t		gone;		/* workers presumed dead as their connection ended */
	uint64_t		ike_in, ike_bad;	/* IKE messages workers relayed; not IKE */
	uint64_t		ike_shed;	/* over LINK_IKE_PEER_PER_SEC */
	uint64_t		ike_unhandled;	/* no input hook: dropped */
	uint64_t		ike_sent, ike_send_failed;	/* link_ike_send() */
	uint64_t		acq_in, acq_unhandled;	/* acquires taken; no acquire hook */
	struct peer_rate	ike_peers;	/* rate 0: not set up yet */
	link_ike_input_fn	*ike_input;	/* link_set_ike_hooks() */
	link_acquire_fn		*ike_acquire;
	void			*ike_ctx;
	uint64_t		last_tick_ms;
	bool			debug_ipsec;	/* debug crypto ipsec: log lease grants */
	struct allow_list	allow_workers;	/* worker keys (--curve-allow) */
	struct allow_list	allow_cli;	/* operator keys (--cli-allow) */
	uint64_t		zap_refused[2];	/* handshakes refused: link, cli */
};

/* ---- owners.c: STATEDIR/inbound-owners (docs/adr/0011) ---- */

/* STATEDIR/inbound-owners: read at start (a missing file is none; a bad line is skipped:
 * its SA starts at its floor); written from the SAD and the live workers, synced or not.
 * -1 with err when the file cannot be read or written. */
int	owners_load(struct controld *cd, struct gw_err *err);
int	owners_save(struct controld *cd, bool sync, struct gw_err *err);

/* ---- workers.c ---- */

void	workers_poll(struct controld *cd);
/* One message from a client of the link socket (workers_poll's reader, and link_fuzz's). */
void	workers_msg(struct controld *cd, const struct link_peer *from, Gw__V1__Envelope *env);
/* Watch the connections of the link socket that end (main, after the socket is made): each
 * is counted, and a worker's presumes it dead at once (its inbound SAs move). */
void	workers_monitor(struct controld *cd);
/* Stop the monitor and close its socket, before the link socket closes: libzmq 4.3.4 leaks
 * an event it cannot deliver to a closed monitor (the link socket's last disconnects). */
void	workers_monitor_stop(struct controld *cd);
/* Heartbeats to the workers, and the workers presumed dead, once a CTL_HEARTBEAT_MS. */
void	workers_tick(struct controld *cd);
void	workers_free(struct controld *cd);	/* workers' records, the generation sent */
/* The live workers, a bit per slot (their record's index): for sa_sum() and sa_shown(). */
uint64_t	workers_live(const struct controld *cd);
/* Drops outside any SA, over all workers, live and retired. */
void	workers_drops(const struct controld *cd, uint64_t drops[DROP_MAX]);

/* ---- publish.c ---- */

/* A new generation from the SPD and the SAD, owners given: sent as a delta to the workers at
 * the current one, or whole to all when it is the first. */
void	publish_tables(struct controld *cd);

/* ---- ikewire.c: IKE on the wire, through the workers (docs/design.md "The ZeroMQ link"); the
 * API of whoever owns IKE in controld ---- */

/* From now on IKE messages that workers relay go to input(ctx, d) and acquires to
 * acquire(ctx, a), each called from controld's event loop (workers_poll), never reentered.
 * Either may be NULL: those are counted and dropped, as before any hook (show workers).
 * ctx is the caller's, kept until the hooks are set again. */
void	link_set_ike_hooks(struct link_state *l, link_ike_input_fn *input,
	    link_acquire_fn *acquire, void *ctx);

/* Send the IKE message msg[0..len) (from its header on; no non-ESP marker) from our address
 * local, UDP port lport (500, or 4500 where the worker puts the marker in front), to
 * remote:rport (all host order).  It goes to a live worker that holds lport on a host with
 * address local (local 0, or an address no worker claimed: the one live holder of lport, if
 * there is only one).  True if it was handed to a worker; false (counted: show workers) if no
 * worker fits, the message is not IKE-shaped or the link refused it.  The worker's own send
 * may still fail: it counts that (show workers, per worker).  msg is copied. */
bool	link_ike_send(struct controld *cd, uint32_t local, uint16_t lport, uint32_t remote,
	    uint16_t rport, const uint8_t *msg, size_t len);

/* The IKE wire's lines of "show workers": relayed, shed, sent, acquires; per worker. */
void	link_show_ike(const struct controld *cd, FILE *out);

/* ---- zap.c: CURVE allow-lists, one per socket (ZAP domains "link" and "cli") ---- */

/* Load the allow-list at path: a worker list line is "KEY [ids=PATTERN,...]
 * [addrs=A.B.C.D/N,...] [max=N]", a CLI list line is "KEY".  -1 with err (FILE:LINE). */
int	zap_load(struct allow_list *l, const char *path, bool workers, struct gw_err *err);
int	zap_open(struct controld *cd, struct gw_err *err);	/* the handler, once */
void	zap_poll(struct controld *cd);
/* The entry of Z85 key z in l, or NULL. */
const struct allow *zap_find(const struct allow_list *l, const char *z);

#endif
