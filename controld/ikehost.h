/* SPDX-License-Identifier: Apache-2.0 */
/* ikehost.h: the IKE engine (ike/ike.h) in controld: what it asks of its host, given by the
 * link and the SAD.  Datagrams and acquires from the workers go to the engine; what it sends
 * leaves through a worker of the local address (link_ike_send); the child SAs it negotiates
 * enter the SAD and are published; its SAs are saved in the state directory, so a restart of
 * controld keeps every tunnel (docs/design.md "IKE"). */
#ifndef GW_CONTROLD_IKEHOST_H
#define GW_CONTROLD_IKEHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

struct controld;
struct ike;

enum {
	IKEHOST_SAVE_MS	= 50,		/* the IKE SAs are saved at most this often when they
					 * change (and at shutdown): what a kill -9 can lose */
	IKEHOST_OUT_MAX	= 256,		/* IKE messages held for the end of a turn, at most */
};

/* An IKE message the engine sent behind an SA it installed or removed in this turn of the
 * loop: it leaves once the turn's SAs are published (one generation for a burst of tunnels,
 * not one each). */
struct ikehost_out {
	uint32_t	local, remote;
	uint16_t	lport, rport;
	size_t		len;
	uint8_t		*msg;		/* owned */
};

struct ikehost {
	struct ike	*ike;		/* NULL: no engine (unit tests of other parts) */
	char		path[4096];	/* STATE_DIR/ike-sas, mode 0600 */
	bool		dirty;		/* something happened since the last save */
	uint64_t	next_tick_ms;	/* when the engine wants its timers run */
	uint64_t	saved_ms;
	uint64_t	kb_checked_ms;	/* soft kilobytes last looked at */
	uint64_t	save_errors;
	bool		publish;	/* the SAD changed: publish before anything is sent */
	struct ikehost_out out[IKEHOST_OUT_MAX];	/* sent in this turn, not yet out */
	size_t		n_out;
	bool		debug;		/* debug crypto ikev2: log_level raised to debug */
	bool		debug_keys;	/* debug crypto ikev2 keys: new SAs' keys logged */
	int		level_before;	/* log_level before debug crypto ikev2 */
};

/* The engine, hooked to the link, with the configuration applied and the SAs saved by the last
 * run adopted (their child SAs back in the SAD, published).  -1 with err when out of memory;
 * a state file that cannot be read or adopted is logged and set aside (ike-sas.bad), not
 * fatal: the peers renegotiate. */
int	ikehost_start(struct controld *cd, struct gw_err *err);
/* The running configuration changed (apply.c). */
void	ikehost_conf(struct controld *cd);
/* The end of the loop's turn: timers due, kilobyte lifetimes from the workers' reports, the
 * SAs installed in the turn published, then the IKE messages of the turn sent; saving. */
void	ikehost_tick(struct controld *cd);
/* Save and free the engine; the tunnels stay (nothing is deleted on the wire). */
void	ikehost_stop(struct controld *cd);

#endif
