/* controld.h: the control daemon's state, owned by its single event loop. */
#ifndef GW_CONTROLD_H
#define GW_CONTROLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/drop.h"
#include "common/link.h"
#include "controld/conf.h"
#include "controld/lease.h"
#include "proto/gw.pb-c.h"

enum {
	WORKERS_MAX	= 64,
	WORKER_DEAD_MS	= 3000,	/* three missed reports: its inbound SAs move */
	CTL_HEARTBEAT_MS = 1000,
	ALLOW_MAX	= 256,
};

/* What one worker reported of one SA (absolute since that worker's boot). */
struct sa_stat {
	uint64_t	sa_id;
	uint64_t	pkts, bytes, seq_top;
	uint64_t	drops[DROP_MAX];
	uint32_t	path_mtu, media_mtu;	/* outbound; 0 = not reported */
};

struct worker_rec {
	bool		live;
	uint8_t		rid[LINK_ID_MAX];	/* ZeroMQ routing id */
	size_t		rid_len;
	char		id[128];
	char		host[64];
	uint32_t	pid;
	uint64_t	boot;
	uint32_t	addrs[64];
	size_t		n_addrs;
	bool		udp_encap;		/* holds UDP 4500 on its host (RFC 3948) */
	uint64_t	generation;		/* last it reported */
	uint64_t	last_ms;
	struct sa_stat	*stats;			/* latest report */
	size_t		n_stats;
	uint64_t	drops[DROP_MAX];
	char		reject[160];		/* last generation it refused, why */
};

struct controld {
	const char	*conf_path, *link_ep, *cli_ep, *state_dir;
	struct conf	*running;
	Gw__V1__Tables	*tables;		/* the current generation, owned; owners assigned */
	uint64_t	gen;
	void		*zctx, *link, *cli;
	struct lease_db	leases;
	struct lease_db	tops;			/* replay window tops, durable (ADR 0007) */
	struct worker_rec w[WORKERS_MAX];
	struct sa_stat	*retired;		/* counts of workers that restarted or left */
	size_t		n_retired;
	uint64_t	retired_drops[DROP_MAX];
	uint64_t	bad_msgs;		/* link messages dropped as malformed */
	uint64_t	ike_in, ike_bad;	/* IKE messages workers relayed; not IKE */
	uint64_t	last_tick_ms;
	bool		debug_ipsec;		/* debug crypto ipsec */
	void		*zap;			/* ZAP handler when CURVE is on */
	uint8_t		allow[ALLOW_MAX][32];	/* CURVE public keys allowed in */
	size_t		n_allow;
	volatile int	stop, reload;
	uint64_t	conf_seq;		/* apply.c: counts replacements of running */
	struct cli_sess	**cli_sess;		/* cli.c: open configure sessions, by client */
	size_t		n_cli_sess;
	struct cli_base	*cli_base;		/* cli.c: "clear crypto sa" counter baselines */
	size_t		n_cli_base;
};

/* publish.c: workers, tables, leases over the link */
void	publish_poll(struct controld *cd);
/* One message from the worker with routing id rid (publish_poll's reader, and link_fuzz's). */
void	publish_msg(struct controld *cd, const uint8_t *rid, size_t rid_len,
	    Gw__V1__Envelope *env);
void	publish_tick(struct controld *cd);
/* Make t (taken) the next generation and send it: deltas to workers at the current one. */
void	publish_tables(struct controld *cd, Gw__V1__Tables *t);
/* Sum of one SA's counters over all workers, live and retired. */
void	publish_sa_stat(const struct controld *cd, uint64_t sa_id, struct sa_stat *out);
void	publish_drops(const struct controld *cd, uint64_t drops[DROP_MAX]);

/* apply.c: load and apply a configuration, all or nothing (invariant 4); takes next */
int	controld_apply(struct controld *cd, struct conf *next, struct gw_err *err);
int	controld_reload(struct controld *cd, struct gw_err *err);

/* zap.c: CURVE allow-list */
int	zap_open(struct controld *cd, const char *allow_path, struct gw_err *err);
void	zap_poll(struct controld *cd);

/* cli.c / show.c (the CLI's sessions and the rest of its API: cli.h) */
void	cli_poll(struct controld *cd);		/* serve the CLI socket, drop idle sessions */
int	cli_exec(struct controld *cd, const char *line, FILE *out);	/* 0, or -1: failed */
void	show_ipsec_sa(struct controld *cd, const char *filter, const char *arg, bool detail,
	    FILE *out);
void	show_workers(struct controld *cd, FILE *out);

#endif
