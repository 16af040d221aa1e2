/* SPDX-License-Identifier: Apache-2.0 */
/* sad.h: the SA database of controld (docs/design.md: controld owns the SA database, SPIs and
 * lifetimes).  SAs are C structs with their state, indexed by id and, inbound, by (SPI,
 * protocol, local address); the workers' counts of each SA and the baseline of its last
 * "clear crypto sa" live with it.  The wire messages (gw.v1.Sa) are made from it only at the
 * link (link/wire.c); show and clear walk it.
 *
 * sa.c      one SA: new, free (keys wiped), its id and its key id, its transform in words
 * sad.c     the database: add, remove, replace the manual SAs, find by id or SPI, SPIs
 * counts.c  the workers' counts of each SA: reports in, sums and baselines out
 *
 * Invariants it keeps: an SA's id hashes its definition (docs/adr/0003), so an unchanged SA
 * keeps its id, and its state, across reloads and restarts; its key id hashes its key material
 * (docs/adr/0008), and sequence-number leases and replay floors are kept by key id (link/);
 * two inbound SAs never share (SPI, protocol, local address), so a worker finds one SA for a
 * packet.  Single-threaded: controld's loop owns it; nothing locks. */
#ifndef GW_CONTROLD_SAD_H
#define GW_CONTROLD_SAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/drop.h"
#include "common/err.h"
#include "common/key.h"
#include "common/sel.h"
#include "common/xform.h"

enum {
	SA_NAME_MAX	= 64,		/* a crypto map or transform set name, NUL included */
	SA_OWNER_MAX	= 128,		/* a worker id, NUL included */
	SA_SPI_MIN	= 256,		/* SPIs 1-255 are reserved (RFC 4303 §2.1) */
	SAD_SLOTS_MAX	= 64,		/* worker slots whose counts an SA keeps (a bit each) */
};

/* An SA's life (RFC 2401 §4.4.3 and what IKE will make of it).  Manual SAs are mature from
 * the start and never die of age. */
enum sa_state {
	SA_LARVAL,		/* its SPI is taken, it is being negotiated: not on the wire */
	SA_MATURE,		/* in use */
	SA_DYING,		/* past its soft lifetime: in use until its successor comes */
};

enum sa_origin { SA_MANUAL, SA_IKE };
enum sa_mode { SA_TUNNEL, SA_TRANSPORT };

/* A lifetime, soft or hard: 0 is none.  Unused by manual SAs (they do not expire). */
struct sa_lifetime {
	uint64_t	seconds;
	uint64_t	kilobytes;
};

/* What one worker reported of one SA (absolute since that worker's boot), or a sum of them. */
struct sa_stat {
	uint64_t	pkts, bytes, seq_top;
	uint64_t	span;			/* inbound, owner: largest rise between reports */
	uint64_t	drops[DROP_MAX];
	uint32_t	path_mtu, media_mtu;	/* outbound; 0 = not reported */
};

/* One worker's counts of one SA; slot is the worker's (link/: its record's index). */
struct sa_count {
	unsigned	slot;
	struct sa_stat	st;
};

struct sa {
	/* ---- What the SA is (compiled from the configuration, or negotiated) ---- */
	uint64_t		id;		/* sa_hash_id(): stable while the SA is the same */
	uint64_t		key_id;		/* sa_key_id(): its sequence space, its floor */
	enum sa_origin		origin;
	bool			inbound;
	uint8_t			proto;		/* 50 ESP, 51 AH */
	uint32_t		spi;		/* host order */
	uint32_t		local, peer;	/* IPv4, host order */
	enum xform_cipher	cipher;		/* AH: XF_CIPHER_NONE */
	enum xform_auth		auth;
	struct key		cipher_key;	/* AEAD: key || 4-byte salt */
	struct key		auth_key;
	enum sa_mode		mode;
	uint32_t		replay_window;	/* 0 = no anti-replay service */
	bool			esn;
	uint16_t		udp_encap_port;	/* 0 = plain ESP; 4500 = RFC 3948 */
	uint8_t			iv_size;	/* esp-rfc1829: 4 or 8 */
	char			map[SA_NAME_MAX];	/* its crypto map entry */
	uint32_t		seq;
	char			transform_set[SA_NAME_MAX];
	struct sel		flow;		/* what it carries: local -> remote */
	uint64_t		bundle;		/* the id of the other SA of its AH+ESP bundle */
	struct sa_lifetime	soft, hard;
	/* ---- What the SAD keeps of it while it is the same SA (sad_replace_manual) ---- */
	enum sa_state		state;
	uint64_t		added_ms;	/* CLOCK_MONOTONIC, when it entered the SAD */
	char			owner[SA_OWNER_MAX];	/* inbound: its worker (link/owners.c) */
	uint64_t		replay_floor;	/* inbound: its window starts above this */
	struct sa_count		*counts;	/* by worker slot, sorted (counts.c) */
	size_t			n_counts;
	struct sa_stat		retired;	/* counts of workers that restarted or left */
	struct sa_stat		base;		/* the sums at the last "clear crypto sa" */
	/* private to sad.c: the indexes */
	struct sa		*next_id, *next_spi;
};

/* An array of SAs, owned (the compiler's output). */
struct sa_list {
	struct sa	**v;
	size_t		n;
};

/* The database.  v is every SA in order (the manual ones in the order the configuration
 * gives them, then the others in the order they came): read it, change it only through the
 * functions below.  A zeroed struct sad is an empty database. */
struct sad {
	struct sa	**v;
	size_t		n, cap;
	struct sa	**by_id;		/* hash buckets (a power of two of them) */
	struct sa	**by_spi;		/* inbound SAs by (SPI, protocol, local address) */
	size_t		n_buckets;
};

/* ---- sa.c ---- */

/* A zeroed SA (state mature, origin manual); NULL when out of memory.  sa_free() wipes its
 * keys and frees its counts; NULL is a no-op. */
struct sa	*sa_new(void);
void		sa_free(struct sa *sa);
void		sa_list_free(struct sa_list *l);	/* its SAs and its array */
/* The id of an SA's definition (docs/adr/0003): the first 8 bytes of SHA-256 over its map,
 * direction, protocol, SPI, addresses, algorithms, entry and keys; never 0.  The replay
 * window, mode and flow are not part of it: a changed window is the same SA. */
uint64_t	sa_hash_id(const struct sa *sa);
/* The id of the key material an SA runs under (protocol, algorithms, keys, salt): a hash of
 * it, never the key itself.  Sequence numbers and replay floors belong to the key (invariant
 * 1: a key that moves to another entry, map or SPI goes on where it stopped); two SAs with one
 * id share one space.  Never 0. */
uint64_t	sa_key_id(const struct sa *sa);
/* One line "esp-aes 256 esp-sha-hmac" for show, from an SA's transform. */
void		sa_transform_text(const struct sa *sa, char *buf, size_t len);
/* Larval -> mature -> dying, nothing else: 0, or -1 (the state is unchanged). */
int		sa_set_state(struct sa *sa, enum sa_state to);
/* Is it on the wire (mature or dying)? */
bool		sa_published(const struct sa *sa);
/* Is it in the workers' tables?  The published SAs, and a negotiated outbound SA still larval
 * (a peer's rekey, until it is activated): workers lease its sequence numbers ahead, so that
 * it sends from its first packet, but no flow uses it yet (link/wire.c). */
bool		sa_in_tables(const struct sa *sa);

/* ---- sad.c ---- */

void		sad_free(struct sad *d);		/* every SA; d is empty after */
struct sa	*sad_find(const struct sad *d, uint64_t id);
/* The inbound SA of (proto, local, spi), or NULL. */
struct sa	*sad_find_spi(const struct sad *d, uint8_t proto, uint32_t local, uint32_t spi);
/* Add sa (taken on success): -1 with err, sa not taken, when its id is there already or it is
 * inbound and its (SPI, protocol, local address) is another's. */
int		sad_add(struct sad *d, struct sa *sa, struct gw_err *err);
void		sad_remove(struct sad *d, struct sa *sa);	/* and frees it */
/* The manual SAs become those of l (a configuration applied), all or nothing: -1 with err,
 * and nothing changed, when two of l have one id or one inbound (SPI, protocol, local
 * address), or one of l has the SPI of an SA that stays (not manual).  On success l is taken
 * (l->n is 0 after): an SA of l whose id was there already keeps what the SAD kept of it (its
 * state, owner, floor, counts, baseline) and takes l's definition (a new window, mode, ...);
 * the others are new; the manual SAs not in l are gone. */
int		sad_replace_manual(struct sad *d, struct sa_list *l, struct gw_err *err);
/* A random SPI of proto free for local (for IKE: manual SAs keep their configured SPIs):
 * 0, or -1 with err when none was found. */
int		sad_spi_alloc(const struct sad *d, uint8_t proto, uint32_t local, uint32_t *spi,
		    struct gw_err *err);
size_t		sad_published(const struct sad *d);	/* SAs on the wire */

/* ---- counts.c ---- */

/* The counts of worker slot of sa; added (zeroed) when add.  NULL if not there, or out of
 * memory. */
struct sa_stat	*sa_count(struct sa *sa, unsigned slot, bool add);
/* Worker slot restarted or left: its counts of every SA go to their retired sums. */
void		sad_retire(struct sad *d, unsigned slot);
/* The sum of sa's counts over every worker, live and retired; the path MTU is the lowest a
 * live worker (bit slot of live) holds its packets to. */
void		sa_sum(const struct sa *sa, uint64_t live, struct sa_stat *out);
/* sa_sum() less what the last "clear crypto sa" took away: what show prints.  The highest
 * sequence number is never reset (invariant 1). */
void		sa_shown(const struct sa *sa, uint64_t live, struct sa_stat *out);
/* clear crypto sa: the counts start again from 0 (a baseline of the sums now). */
void		sa_clear(struct sa *sa, uint64_t live);
/* The SAs worker slot has counts of; *out and *in (may be NULL) its packets by direction. */
size_t		sad_slot_counts(const struct sad *d, unsigned slot, uint64_t *out, uint64_t *in);

#endif
