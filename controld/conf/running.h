/* SPDX-License-Identifier: Apache-2.0 */
/* running.h: the running configuration and what it compiles to: conf/'s part of controld's
 * state (struct controld, controld.h).  apply.c replaces both at once, all or nothing
 * (docs/design.md invariant 4); the CLI reads them, the link publishes the SPD. */
#ifndef GW_CONF_RUNNING_H
#define GW_CONF_RUNNING_H

#include <stdint.h>

#include "controld/conf/compile.h"
#include "controld/conf/conf.h"

struct conf_state {
	const char	*path;		/* the startup configuration (controld -f) */
	struct conf	*running;	/* owned */
	struct spd	*spd;		/* what running compiles to, owned */
	uint64_t	seq;		/* counts replacements of running: a configure session
					 * opened before the last one replays its lines on top */
};

#endif
