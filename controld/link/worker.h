/* worker.h: what the files of link/ share (private to link/): the workers' records and the
 * handler of each message a worker sends.  Outside link/, link.h is the API. */
#ifndef GW_CONTROLD_LINK_WORKER_H
#define GW_CONTROLD_LINK_WORKER_H

#include "controld/controld.h"

/* ---- workers.c ---- */

int	workers_send(struct controld *cd, struct worker_rec *w, Gw__V1__Envelope *env);
/* Count a refusal (on w when there is one) and say why, at a limited rate per reason. */
void	refuse(struct controld *cd, struct worker_rec *w, enum refuse why, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
/* w's counts / lease hold of an SA; added (zeroed) when add; NULL if not there or out of
 * memory. */
struct sa_stat		*workers_stat(struct worker_rec *w, uint64_t sa_id, bool add);
struct lease_hold	*workers_hold(struct worker_rec *w, uint64_t sa_id, bool add);
/* Forget w's counts and holds of SAs that left the tables. */
void	workers_prune(struct controld *cd, struct worker_rec *w);
struct worker_rec	*workers_by_rid(struct controld *cd, const uint8_t *rid, size_t len);
struct worker_rec	*workers_by_id(struct controld *cd, const char *id);
/* w restarted or its slot is reused: its counts go to the retired sums, its blocks burn. */
void	workers_retire(struct controld *cd, struct worker_rec *w);

/* ---- hello.c, report.c, grant.c: one message each ---- */

void	hello_msg(struct controld *cd, const struct link_peer *from, const Gw__V1__Hello *h);
void	report_msg(struct controld *cd, struct worker_rec *w, const Gw__V1__Report *r);
void	report_ike(struct controld *cd, const struct worker_rec *w,
	    const Gw__V1__IkeDatagram *ike);
void	grant_msg(struct controld *cd, struct worker_rec *w, const Gw__V1__LeaseRequest *q);

/* ---- owners.c ---- */

/* Give each inbound SA of t its owner; the SAs that move, and those of restarted (may be
 * NULL), get a new replay floor.  True if anything changed. */
bool	owners_assign(struct controld *cd, Gw__V1__Tables *t, const char *restarted);
/* Freshly compiled t keeps the owners and floors its SAs had in old (NULL: none). */
void	owners_inherit(const Gw__V1__Tables *old, Gw__V1__Tables *t);
/* Workers came, went or restarted (its id, else NULL): a new generation if owners moved. */
void	owners_reassign(struct controld *cd, const char *restarted);

/* ---- publish.c ---- */

/* The current generation, whole, to w. */
void	publish_snapshot(struct controld *cd, struct worker_rec *w);

#endif
