/* SPDX-License-Identifier: Apache-2.0 */
/* worker.h: what the files of link/ share (private to link/): the workers' records and the
 * handler of each message a worker sends.  Outside link/, link.h is the API. */
#ifndef GW_CONTROLD_LINK_WORKER_H
#define GW_CONTROLD_LINK_WORKER_H

#include "controld/conf/compile.h"
#include "controld/controld.h"

/* ---- workers.c ---- */

int	workers_send(struct controld *cd, struct worker_rec *w, Gw__V1__Envelope *env);
/* Count a refusal (on w when there is one) and say why, at a limited rate per reason. */
void	refuse(struct controld *cd, struct worker_rec *w, enum refuse why, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* w's slot: the index of its record, by which the SAD keeps its counts. */
unsigned		workers_slot(const struct controld *cd, const struct worker_rec *w);
/* The SA of the current generation with id sa_id, or NULL: in constant time (sad.h). */
struct sa		*workers_sa(const struct controld *cd, uint64_t sa_id);
/* w's lease hold of an SA; added (zeroed) when add; NULL if not there or out of memory. */
struct lease_hold	*workers_hold(struct worker_rec *w, uint64_t sa_id, bool add);
/* Forget w's holds of SAs that left the tables. */
void	workers_prune(struct controld *cd, struct worker_rec *w);
struct worker_rec	*workers_by_rid(struct controld *cd, const uint8_t *rid, size_t len);
struct worker_rec	*workers_by_id(struct controld *cd, const char *id);
/* w restarted or its slot is reused: its counts go to the retired sums, its blocks burn. */
void	workers_retire(struct controld *cd, struct worker_rec *w);
/* w said hello on connection fd (link_peer.fd): on ipc:// w->pidfd follows the process at its
 * other end (SO_PEERCRED), which tells a worker that died from one that lives on (its
 * connection was cut); on tcp:// there is none.  workers_proc_forget() closes it. */
void	workers_proc(struct worker_rec *w, int fd);
void	workers_proc_forget(struct worker_rec *w);

/* ---- hello.c, report.c, grant.c: one message each ---- */

void	hello_msg(struct controld *cd, const struct link_peer *from, const Gw__V1__Hello *h);
void	report_msg(struct controld *cd, struct worker_rec *w, const Gw__V1__Report *r);
void	ikewire_msg(struct controld *cd, const struct worker_rec *w,
	    const Gw__V1__IkeDatagram *ike);
void	ikewire_acquire_msg(struct controld *cd, struct worker_rec *w,
	    const Gw__V1__Acquire *a);
void	grant_msg(struct controld *cd, struct worker_rec *w, const Gw__V1__LeaseRequest *q);
/* events.c: drop events to the log (at most DROP_EVENTS_MAX a message: datad's EV_MAX) */
enum { DROP_EVENTS_MAX = 3 };
void	events_msg(struct controld *cd, struct worker_rec *w, const Gw__V1__DropEvents *m);
/* The blocks grant_msg() took: made durable, then sent (workers_poll, after each turn). */
void	grant_flush(struct controld *cd);

/* ---- owners.c ---- */

/* Give each inbound SA of the SAD its owner; the SAs that move, and those of restarted (may be
 * NULL), get a new replay floor.  True if anything changed. */
bool	owners_assign(struct controld *cd, const char *restarted);
/* Workers came, went or restarted (its id, else NULL): a new generation if owners moved. */
void	owners_reassign(struct controld *cd, const char *restarted);
/* An SA left its owner: the owners file written and synced before the generation goes out,
 * or removed when it cannot be (no file is safe, a stale one is not). */
void	owners_save_moved(struct controld *cd);
/* w said hello: the SAs without an owner since controld started that the file gave to w (the
 * same id, boot and key: it kept running) are w's again, windows and all.  How many. */
unsigned	owners_claim(struct controld *cd, const struct worker_rec *w);

/* ---- publish.c, wire.c ---- */

/* The current generation, whole, to w. */
void	publish_snapshot(struct controld *cd, struct worker_rec *w);
/* Generation gen of spd (may be NULL: none) and the SAs of d on the wire, as one owned
 * message (caller frees with link_free()); NULL when out of memory. */
Gw__V1__Tables	*wire_tables(const struct spd *spd, const struct sad *d, uint64_t gen);
/* CLOCK_REALTIME less CLOCK_MONOTONIC in ms: what puts the SAD's times (monotonic) on the
 * wall clock of the hard deadlines (Sa.hard_expire_unix_ms).  Read at each generation but
 * changed only when the wall clock stepped by more than a second, so an SA's deadline, and
 * so its message, stays the same from one generation to the next (publish.c sends only the
 * SAs whose message changed). */
int64_t	wire_wall_offset(void);

#endif
