/* SPDX-License-Identifier: Apache-2.0 */
/* compile.h: from a validated struct conf to what the data path runs: the SPD (one policy per
 * crypto map entry, in map-number order: docs/design.md invariant 5) and the manual SAs, as SAs of
 * the SAD (sad/sad.h).  Pure: no I/O, no globals.  The link makes the wire messages of both
 * (link/wire.c). */
#ifndef GW_COMPILE_H
#define GW_COMPILE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "common/sel.h"
#include "controld/conf/conf.h"
#include "controld/sad/sad.h"

enum policy_kind {
	POLICY_MANUAL,			/* ipsec-manual */
	POLICY_ISAKMP,			/* ipsec-isakmp */
	POLICY_DYNAMIC,			/* ipsec-isakmp dynamic: an entry of its dynamic set */
};

/* One access-list entry of a policy (remarks left out). */
struct policy_ace {
	bool		permit;
	unsigned	line;			/* config line, for show and debug */
	struct sel	sel;
};

/* One crypto map entry (or one entry of the dynamic set it refers to). */
struct policy {
	char			map[CONF_NAME_MAX];
	uint16_t		seq;
	enum policy_kind	kind;
	struct policy_ace	*aces;		/* manual: up to and including the first permit */
	size_t			n_aces;
	bool			no_acl;		/* dynamic entry without a list: ignored */
	uint32_t		peer, local;	/* local: local-address or the interface's */
	uint64_t		sa_out_esp;	/* id of its outbound SAs; 0 = none */
	uint64_t		sa_out_ah;
	char			interface[CONF_NAME_MAX];	/* where its set is applied */
};

/* The SPD: policies in the order they are evaluated. */
struct spd {
	struct policy	*v;
	size_t		n;
};

/* The SPD of c into *spd (caller frees with spd_free()) and its manual SAs into sas (mature,
 * without owners or floors; caller frees with sa_list_free() or gives them to the SAD).  0, or
 * -1 with err (line of the offending entry) if c asks for something the data path cannot do;
 * then nothing is returned. */
int	conf_compile(const struct conf *c, struct spd **spd, struct sa_list *sas,
	    struct gw_err *err);
void	spd_free(struct spd *s);		/* NULL: no-op */

#endif
