/* controld.h: the control daemon's state, owned by its single event loop. */
#ifndef GW_CONTROLD_H
#define GW_CONTROLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/drop.h"
#include "common/link.h"
#include "controld/conf/compile.h"
#include "controld/link/link.h"
#include "proto/gw.pb-c.h"

struct controld {
	const char	*conf_path, *link_ep, *cli_ep, *state_dir;
	struct conf	*running;
	struct spd	*spd;			/* what running compiles to, owned */
	struct sad	sad;			/* the SA database */
	Gw__V1__Tables	*sent;			/* the generation the workers have, owned */
	uint64_t	gen;
	void		*zctx, *link, *cli;
	struct lease_db	leases;			/* by key (lease.h) */
	struct lease_db	tops;			/* replay floors by key, durable (ADR 0007) */
	uint64_t	tops_flushed_ms;
	struct worker_rec w[WORKERS_MAX];
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
};

/* apply.c: load and apply a configuration, all or nothing (invariant 4); takes next */
int	controld_apply(struct controld *cd, struct conf *next, struct gw_err *err);
int	controld_reload(struct controld *cd, struct gw_err *err);

#endif
