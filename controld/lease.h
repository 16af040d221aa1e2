/* lease.h: sequence-number leases (DESIGN invariant 1).  Each outbound SA's sequence space is
 * handed out in disjoint blocks; the high-water mark is written to disk (atomically, fsynced)
 * before a block is granted, so neither a datad restart nor a controld restart can ever hand
 * out a number twice under one key. */
#ifndef GW_LEASE_H
#define GW_LEASE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

enum { LEASE_BLOCK = 1 << 20 };

struct lease_ent {
	uint64_t	sa_id;
	uint64_t	next;		/* first sequence number never granted */
};

struct lease_db {
	char			*path;		/* STATEDIR/leases */
	const char		*what;		/* the file's first line says */
	bool			dirty;		/* raised since the last write */
	struct lease_ent	*e;
	size_t			n, cap;
};

/* Load (or create) dir/leases.  -1 with err when the directory is unusable. */
int	lease_open(struct lease_db *db, const char *dir, struct gw_err *err);
void	lease_close(struct lease_db *db);

/* Grant the next block of sa_id: [*first, *last].  Without ESN the space ends at 2^32-1; when
 * it is used up, -1 with err (the SA must be rekeyed).  Durable before it returns. */
int	lease_grant(struct lease_db *db, uint64_t sa_id, bool esn, uint64_t *first,
	    uint64_t *last, struct gw_err *err);

/* The same durable store for another per-SA high-water mark (ADR 0007: the highest sequence
 * number any worker accepted on an inbound SA): dir/name, what for its first line.  Marks
 * only ever rise: lease_raise() in memory, lease_flush() writes them if any rose; lease_get()
 * is 0 for an SA it has never seen. */
int	lease_open_named(struct lease_db *db, const char *dir, const char *name,
	    const char *what, struct gw_err *err);
int	lease_raise(struct lease_db *db, uint64_t sa_id, uint64_t v);
uint64_t	lease_get(const struct lease_db *db, uint64_t sa_id);
int	lease_flush(struct lease_db *db, struct gw_err *err);

/* Forget SAs not in keep[0..n) (they are gone from the configuration). */
void	lease_retain(struct lease_db *db, const uint64_t *keep, size_t n);

#endif
