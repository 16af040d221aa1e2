/* SPDX-License-Identifier: Apache-2.0 */
/* tables.h: one immutable table generation as the fast path reads it, derived once when a
 * generation is applied (docs/design.md invariant 3): compiled selectors, per-SA cipher contexts
 * keyed at install, the inbound SPI hash.  Per-SA runtime state (sequence leases, replay windows,
 * counters) moves from the old generation to the new one by SA id. */
#ifndef GW_TABLES_H
#define GW_TABLES_H

#include <stdbool.h>
#include <stdint.h>

#include "common/drop.h"
#include "common/err.h"
#include "common/replay.h"
#include "common/sel.h"
#include "common/xform.h"
#include "datad/spd.h"
#include "proto/gw.pb-c.h"

struct sa_ctr {
	uint64_t	pkts, bytes;
	uint64_t	drops[DROP_MAX];
};

/* The hard lifetime of an SA (gw.v1.Sa), which the worker enforces itself, so that the SA
 * ends even while controld is away (docs/datad.md, "Hard lifetimes"); UINT64_MAX where it
 * has none (a manual SA, or 0 on the wire). */
struct sa_hard {
	uint64_t	expire_ms;	/* CLOCK_REALTIME ms: from this instant on, no more */
	uint64_t	bytes;		/* this worker's ctr.bytes: from this many on, no more */
};

struct sa_out {
	uint64_t	id;
	uint32_t	spi_be, local_be, peer_be;
	uint8_t		proto;			/* 50 or 51 */
	bool		esn;
	bool		tunnel;			/* else transport (peer-to-peer flows only) */
	uint16_t	udp_port_be;		/* RFC 3948 ESP-in-UDP to this port; 0 = raw ESP */
	uint64_t	seq;			/* next sequence number to send */
	uint64_t	seq_end;		/* last of the current lease; seq > seq_end: none */
	uint64_t	lease_len;		/* size of the current lease */
	uint64_t	next_first, next_last;	/* the lease after it; 0 = none yet */
	uint64_t	lease_asked_ms;		/* a request is outstanding since; 0 = none */
	struct sa_hard	hard;
	uint16_t	media_mtu;		/* MTU of its crypto map's interface */
	uint16_t	learned_mtu;		/* from ICMP frag-needed (RFC 1191); 0 = none */
	uint64_t	learned_ms;		/* when, for ageing it out */
	uint16_t	path_mtu;		/* what its packets are held to: min of both */
	struct xform	xf;
	struct sa_ctr	ctr;
};

struct sa_in {
	uint64_t	id;
	uint32_t	spi_be, local_be, peer_be;
	uint8_t		proto;			/* 50 or 51 */
	bool		mine;			/* this worker owns it (invariant 2) */
	char		owner[64];		/* the worker that does */
	bool		tunnel;
	bool		udp;			/* arrives in UDP 4500 (RFC 3948), else as raw ESP */
	bool		icv;			/* has an ICV of its own: gro.c coalesces only then */
	uint64_t	bundle;			/* id of its AH+ESP partner; 0 = not in a bundle */
	struct sa_hard	hard;
	struct sa_in	*partner;		/* that SA in this generation; NULL if missing */
	struct sel	flow;			/* written local -> remote; inbound matches reversed */
	struct replay	replay;
	struct xform	xf;
	struct sa_ctr	ctr;
	struct sa_in	*next;			/* SPI hash chain */
};

struct ace {
	bool		permit;
	struct sel	sel;
};

/* One negotiated flow of an ipsec-isakmp or dynamic entry and its outbound SAs (gw.v1.FlowSa),
 * with the room its path leaves, as a manual entry keeps it. */
struct flow_out {
	struct sel	flow;			/* written local -> remote, as the packet goes */
	struct sa_out	*sa_esp;		/* at least one of the two */
	struct sa_out	*sa_ah;
	uint16_t	room_mtu;		/* as struct policy's */
	uint32_t	room;
};

struct policy {
	char		map[32];
	uint32_t	seq;
	uint8_t		kind;			/* GW__V1__ENTRY_KIND__* */
	bool		no_acl;
	uint32_t	n_aces;
	struct ace	*aces;
	struct sa_out	*sa_esp;		/* NULL: no SA (drop, unless AH alone) */
	struct sa_out	*sa_ah;			/* AH outside ESP (RFC 4301 order) */
	uint32_t	local_be, peer_be;
	char		ifname[16];		/* the crypto map's interface (media MTU) */
	uint16_t	room_mtu;		/* room was worked out for this path MTU */
	uint32_t	room;			/* largest inner packet that fits (pmtu_room) */
	struct flow_out	*flows;			/* isakmp, dynamic: oldest first; NULL: none */
	uint32_t	n_flows;
};

struct gen {
	uint64_t	generation;
	Gw__V1__Tables	*msg;			/* the generation as received, owned */
	struct policy	*pol;
	uint32_t	n_pol;
	struct sa_out	*out;
	uint32_t	n_out;
	struct sa_in	*in;
	uint32_t	n_in;
	struct sa_in	**hash;
	uint32_t	hash_mask;
	struct spd	*spd;			/* the crypto map lookup (spd.h), owned */
};

/* Build a generation from msg (taken: freed with the generation or on failure).  self is this
 * worker's id, for inbound SA ownership.  State of SAs with the same id is copied from old
 * (may be NULL), which is not changed.  NULL with err if any SA cannot be keyed, or an inbound
 * bundle is malformed (partners of the same protocol, or not naming each other): the whole
 * generation is rejected (invariant 3).  A bundle SA whose partner is missing stays, with
 * partner NULL: it accepts nothing.  An outbound SA a policy or one of its flows names that is
 * not in msg, or is of the wrong protocol, rejects it too. */
struct gen	*tables_build(Gw__V1__Tables *msg, const char *self, const struct gen *old,
		    struct gw_err *err);
void		tables_free(struct gen *g);

/* Merge delta d into the tables of g into a new message; NULL with err if d does not apply
 * to g's generation.  The caller then builds it. */
Gw__V1__Tables	*tables_merge(const struct gen *g, const Gw__V1__Delta *d, struct gw_err *err);

static inline uint32_t
tables_hash(uint32_t spi_be, uint8_t proto, uint32_t mask)
{
	return ((spi_be ^ proto) * 2654435761u) >> 8 & mask;
}

/* The inbound SA of (SPI, protocol): SPIs are unique per protocol only. */
static inline struct sa_in *
tables_sa_in(const struct gen *g, uint32_t spi_be, uint8_t proto)
{
	struct sa_in *sa;

	if (g == NULL || g->hash == NULL)
		return NULL;
	for (sa = g->hash[tables_hash(spi_be, proto, g->hash_mask)]; sa != NULL; sa = sa->next)
		if (sa->spi_be == spi_be && sa->proto == proto)
			return sa;
	return NULL;
}

struct sa_out	*tables_sa_out(const struct gen *g, uint64_t id);

/* Is an SA with hard lifetime h and counts c past it at wall_ms (the worker's clock of this
 * turn, worker_clock())?  Two comparisons, no clock read: the fast path asks it per packet.
 *
 * The largest overshoot (docs/datad.md, "Hard lifetimes"): the packet that crosses the byte
 * limit H still goes, so this worker's count ends below H + PKT_MAX.  The count is this
 * worker's alone (invariant 6: nothing shared), so N workers sending on one outbound SA carry
 * less than N x (H + PKT_MAX) between them; an inbound SA has one owner (invariant 2), and
 * changes it only through controld.  A deadline is seen at most a clock tick and one turn of
 * the loop late, on this host's clock (its skew from controld's adds to it). */
static inline bool
tables_expired(const struct sa_hard *h, const struct sa_ctr *c, uint64_t wall_ms)
{
	return wall_ms >= h->expire_ms || c->bytes >= h->bytes;
}

void	sel_from_msg(struct sel *s, const Gw__V1__Selector *m);

#endif
