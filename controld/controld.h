/* SPDX-License-Identifier: Apache-2.0 */
/* controld.h: the control daemon, as the state of its parts tied together.  One struct per
 * concern, each defined and described by its folder's header; all of it is owned by
 * controld's single event loop (main.c), so nothing locks:
 *
 *   conf  the running configuration and its SPD     conf/running.h
 *   sad   the SA database                           sad/sad.h
 *   link  the workers: socket, records, leases and replay floors, allow-lists, refusals
 *                                                   link/link.h
 *   cli   the operators: socket, configure sessions cli/cli.h
 *   ike   the IKE engine and its state file        ikehost.h (engine: ike/ike.h)
 *   rsa   our RSA key pair (IKEv1 rsa-sig)         rsakey.h
 *   log   where log lines go (buffer, syslog, terminal monitor)   logging.h
 *   metrics  counters for a monitoring system       metrics.h
 *
 * apply.c changes conf and sad together, then has link publish the new generation. */
#ifndef GW_CONTROLD_H
#define GW_CONTROLD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "controld/cli/cli.h"
#include "controld/conf/running.h"
#include "controld/ikehost.h"
#include "controld/link/link.h"
#include "controld/logging.h"
#include "controld/metrics.h"
#include "controld/rsakey.h"
#include "controld/sad/sad.h"

struct controld {
	struct conf_state	conf;		/* conf/running.h */
	struct sad		sad;		/* sad/sad.h */
	struct link_state	link;		/* link/link.h */
	struct cli_state	cli;		/* cli/cli.h */
	struct ikehost		ike;		/* ikehost.h */
	struct rsakey		rsa;		/* rsakey.h */
	struct logging		log;		/* logging.h: buffer, syslog, monitors */
	struct metrics		metrics;	/* metrics.h: the Prometheus text file */
	void			*zctx;		/* the ZeroMQ context of both sockets */
};

/* apply.c: load and apply a configuration, all or nothing (invariant 4); takes next */
int	controld_apply(struct controld *cd, struct conf *next, struct gw_err *err);
int	controld_reload(struct controld *cd, struct gw_err *err);

#endif
