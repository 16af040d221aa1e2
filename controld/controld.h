/* controld.h: the control daemon's state, owned by its single event loop. */
#ifndef GW_CONTROLD_H
#define GW_CONTROLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/drop.h"
#include "common/link.h"
#include "controld/conf/conf.h"
#include "controld/link/lease.h"
#include "proto/gw.pb-c.h"

enum {
	WORKERS_MAX	= 64,
	WORKERS_PER_KEY	= 16,	/* default slots of one CURVE key (allow-list max=) */
	ID_BINDS_MAX	= 256,	/* worker ids remembered with the key that claimed them */
	WORKER_DEAD_MS	= 3000,	/* three missed reports: its inbound SAs move */
	CTL_HEARTBEAT_MS = 1000,
	ALLOW_MAX	= 256,
	ALLOW_ADDRS_MAX	= 8,
	REPLAY_MARGIN_MIN = 2,	/* a new owner's window starts this far above, at least */
	FLOORS_FLUSH_MS	= 100,	/* replay floors that ran ahead are written this often */
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
	X(TOP_OWNER,	"top-owner",	"replay window top from a worker that does not own the SA")

enum refuse {
#define X(n, c, t) REFUSE_##n,
	REFUSE_LIST(X)
#undef X
	REFUSE_MAX
};

extern const char *const refuse_name[REFUSE_MAX];
extern const char *const refuse_text[REFUSE_MAX];

/* What one worker reported of one SA (absolute since that worker's boot). */
struct sa_stat {
	uint64_t	sa_id;
	uint64_t	pkts, bytes, seq_top;
	uint64_t	span;			/* inbound, owner: largest rise between reports */
	uint64_t	drops[DROP_MAX];
	uint32_t	path_mtu, media_mtu;	/* outbound; 0 = not reported */
};

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

/* The SAs of the current generation by id (sorted), with the id of the key each runs under. */
struct sa_ix {
	uint64_t	sa_id;
	uint64_t	key_id;
	Gw__V1__Sa	*sa;
};

struct worker_rec {
	bool		live;
	uint8_t		rid[LINK_ID_MAX];	/* ZeroMQ routing id (given by our ROUTER) */
	size_t		rid_len;
	char		key[LINK_KEY_Z85];	/* the CURVE key it proved; "" on ipc:// */
	char		id[128];
	char		host[64];
	uint32_t	pid;
	uint64_t	boot;
	uint32_t	addrs[64];
	size_t		n_addrs;
	bool		udp_encap;		/* holds UDP 4500 on its host (RFC 3948) */
	uint64_t	generation;		/* last it reported */
	uint64_t	last_ms;
	struct sa_stat	*stats;			/* latest counts per SA, sorted by id */
	size_t		n_stats;
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

struct controld {
	const char	*conf_path, *link_ep, *cli_ep, *state_dir;
	struct conf	*running;
	Gw__V1__Tables	*tables;		/* the current generation, owned; owners assigned */
	struct sa_ix	*ix;			/* its SAs by id */
	size_t		n_ix;
	uint64_t	gen;
	void		*zctx, *link, *cli;
	struct lease_db	leases;			/* by key (lease.h) */
	struct lease_db	tops;			/* replay floors by key, durable (ADR 0007) */
	uint64_t	tops_flushed_ms;
	struct worker_rec w[WORKERS_MAX];
	struct sa_stat	*retired;		/* counts of workers that restarted or left */
	size_t		n_retired;
	uint64_t	retired_drops[DROP_MAX];
	uint64_t	refused[REFUSE_MAX];	/* all workers, and senders that are none */
	struct id_bind	binds[ID_BINDS_MAX];
	size_t		n_binds;
	uint64_t	link_disconnects;	/* connections ended (exit, oversize, protocol) */
	void		*link_mon;		/* monitor of the link socket, or NULL */
	uint64_t	ike_in, ike_bad;	/* IKE messages workers relayed; not IKE */
	uint64_t	last_tick_ms;
	bool		debug_ipsec;		/* debug crypto ipsec */
	void		*zap;			/* ZAP handler when CURVE is on */
	struct allow_list allow_link;		/* worker keys (--curve-allow) */
	struct allow_list allow_cli;		/* operator keys (--cli-allow) */
	uint64_t	zap_refused[2];		/* handshakes refused: link, cli */
	volatile int	stop, reload;
	uint64_t	conf_seq;		/* apply.c: counts replacements of running */
	struct cli_sess	**cli_sess;		/* cli.c: open configure sessions, by client */
	size_t		n_cli_sess;
	struct cli_base	*cli_base;		/* cli.c: "clear crypto sa" counter baselines */
	size_t		n_cli_base;
};

/* publish.c: workers, tables, leases over the link */
void	publish_poll(struct controld *cd);
/* One message from a client of the link socket (publish_poll's reader, and link_fuzz's). */
void	publish_msg(struct controld *cd, const struct link_peer *from, Gw__V1__Envelope *env);
/* Count the connections of the link socket that end (main, after the socket is made). */
void	publish_monitor(struct controld *cd);
void	publish_free(struct controld *cd);	/* workers' records, the index */
/* An SA of the current generation by id, or NULL. */
const struct sa_ix *publish_find_sa(const struct controld *cd, uint64_t sa_id);
void	publish_tick(struct controld *cd);
/* Make t (taken) the next generation and send it: deltas to workers at the current one. */
void	publish_tables(struct controld *cd, Gw__V1__Tables *t);
/* Sum of one SA's counters over all workers, live and retired. */
void	publish_sa_stat(const struct controld *cd, uint64_t sa_id, struct sa_stat *out);
void	publish_drops(const struct controld *cd, uint64_t drops[DROP_MAX]);

/* apply.c: load and apply a configuration, all or nothing (invariant 4); takes next */
int	controld_apply(struct controld *cd, struct conf *next, struct gw_err *err);
int	controld_reload(struct controld *cd, struct gw_err *err);

/* zap.c: CURVE allow-lists, one per socket (ZAP domains "link" and "cli").  A worker list
 * line is "KEY [ids=PATTERN,...] [addrs=A.B.C.D/N,...] [max=N]"; a CLI list line is "KEY". */
int	zap_load(struct allow_list *l, const char *path, bool workers, struct gw_err *err);
int	zap_open(struct controld *cd, struct gw_err *err);	/* the handler, once */
void	zap_poll(struct controld *cd);
/* The entry of Z85 key z in l, or NULL. */
const struct allow *zap_find(const struct allow_list *l, const char *z);

/* cli.c / show.c (the CLI's sessions and the rest of its API: cli.h) */
void	cli_poll(struct controld *cd);		/* serve the CLI socket, drop idle sessions */
int	cli_exec(struct controld *cd, const char *line, FILE *out);	/* 0, or -1: failed */
void	show_ipsec_sa(struct controld *cd, const char *filter, const char *arg, bool detail,
	    FILE *out);
void	show_workers(struct controld *cd, FILE *out);

#endif
