/* SPDX-License-Identifier: Apache-2.0 */
/* lease.h: durable per-key high-water marks (docs/design.md invariant 1; docs/adr/0008).  A key's
 * sequence space belongs to the key, not to the SA or crypto map entry that carries it: the
 * store is keyed by a hash of the key material (sa_key_id(), never the key itself), so
 * renumbering an entry, renaming its map or changing its SPI while keeping the key continues
 * where the key stopped.  The space is handed out in disjoint blocks; the mark is written
 * to disk (atomically, fsynced) before a block is granted, so no restart of either daemon
 * hands out a number twice under one key.
 *
 * The same store keeps the replay floors of inbound keys (ADR 0007): the number above which a
 * new owner of the SA starts its window.
 *
 * Files written before keys were the index (SA ids hashed the whole entry) are read as a
 * legacy store, never written: lease_adopt() carries an SA's old mark over to its key. */
#ifndef GW_LEASE_H
#define GW_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

enum {
	LEASE_MIN	= 1 << 14,	/* a worker's first block of a key: what a restart burns */
	LEASE_MAX	= 1 << 20,	/* blocks double while used within LEASE_GROW_MS */
	LEASE_GROW_MS	= 2000,
	LEASE_SHRINK_MS	= 30000,	/* a block that lasted this long: the next is half */
	LEASE_FRESH_MS	= 1000,		/* a worker's fresh block of one SA: at most one a second */
	LEASE_MAX_PPS	= 4000000,	/* no worker sends faster; a claim of more is refused */
};

struct lease_ent {
	uint64_t	id;		/* key id (or SA id in a legacy store) */
	uint64_t	next;		/* first number never granted (floors: the floor) */
	uint64_t	saved;		/* next as the file on disk has it */
};

struct lease_db {
	char			*path;		/* STATEDIR/NAME */
	const char		*what;		/* the file's first line says */
	bool			dirty;		/* raised since the last write */
	struct lease_ent	*e;		/* sorted by id */
	size_t			n, cap;
	struct lease_ent	*legacy;	/* the old file, by SA id; sorted; read only */
	size_t			n_legacy;
};

/* Load (or create) dir/key-leases, and dir/leases as the legacy store if it is there.  -1 with
 * err when the directory is unusable or a file is corrupt (never guessed). */
int	lease_open(struct lease_db *db, const char *dir, struct gw_err *err);
/* The same for another mark: dir/name, legacy dir/legacy_name (NULL: none), what for the
 * file's first line. */
int	lease_open_named(struct lease_db *db, const char *dir, const char *name,
	    const char *legacy_name, const char *what, struct gw_err *err);
void	lease_close(struct lease_db *db);

/* Grant the next block of key id, len numbers long (shorter at the end of the space): [*first,
 * *last].  Without ESN the space ends at 2^32-1; when it is used up, -1 with err (the SA must
 * be rekeyed).  Durable before it returns. */
int	lease_grant(struct lease_db *db, uint64_t id, bool esn, uint64_t len, uint64_t *first,
	    uint64_t *last, struct gw_err *err);
/* The same block, taken in memory only: not to be handed out before lease_flush() returns 0
 * (one write for every block taken in a turn of the loop, grant.c). */
int	lease_take(struct lease_db *db, uint64_t id, bool esn, uint64_t len, uint64_t *first,
	    uint64_t *last, struct gw_err *err);

/* Marks that only rise: lease_raise() in memory, lease_flush() writes them if any rose;
 * lease_get() is 0 for an id never seen. */
int		lease_raise(struct lease_db *db, uint64_t id, uint64_t v);
uint64_t	lease_get(const struct lease_db *db, uint64_t id);
uint64_t	lease_saved(const struct lease_db *db, uint64_t id);	/* on disk */
int		lease_flush(struct lease_db *db, struct gw_err *err);

/* Raise key id's mark to what the legacy store holds for sa_id; true if it rose. */
bool	lease_adopt(struct lease_db *db, uint64_t id, uint64_t sa_id);

/* What one worker holds of one outbound SA: its latest block, for deciding the next. */
struct lease_hold {
	uint64_t	sa_id;
	uint64_t	first, last;		/* the latest block granted to it; last 0 = none */
	uint64_t	granted_ms;
};

enum lease_verdict {
	LEASE_FRESH,		/* a first block (LEASE_MIN): none yet, or it lost track of it */
	LEASE_MORE,		/* the latest is half used: the next, maybe longer */
	LEASE_EARLY,		/* refused: the latest block is not half used */
	LEASE_SOON,		/* refused: a fresh block was granted less than a second ago */
	LEASE_FAST,		/* refused: it claims to send faster than LEASE_MAX_PPS */
};

/* Should a worker that holds h (NULL: nothing yet) and would send next (0: it has no number
 * left) get another block at now_ms?  On FRESH and MORE, *len is the block's length. */
enum lease_verdict	lease_decide(const struct lease_hold *h, uint64_t next, uint64_t now_ms,
			    uint64_t *len);

#endif
