/* SPDX-License-Identifier: Apache-2.0 */
/* hello.c: who may be which worker.  A worker is known by the id of its hello and the CURVE
 * key it proved: a key may claim only the ids, addresses and number of slots its allow-list
 * line gives it (zap.c), and an id belongs to the key that claimed it first (hello-key), so
 * no client takes over another's record or SAs (docs/threat-model.md).  A worker that joins,
 * restarts (a new boot: its old leases are void) or changes what it holds gets the SAs it
 * should own (owners.c) and a welcome. */
#include <arpa/inet.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "controld/link/worker.h"

static bool
id_allowed(const struct allow *a, const char *id)
{
	char pats[sizeof(a->ids)], *p, *save = NULL;

	if (a == NULL || a->ids[0] == '\0')
		return true;
	snprintf(pats, sizeof(pats), "%s", a->ids);
	for (p = strtok_r(pats, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
		if (fnmatch(p, id, 0) == 0)
			return true;
	return false;
}

static bool
addr_allowed(const struct allow *a, uint32_t addr)
{
	if (a == NULL || a->n_nets == 0)
		return true;
	for (size_t i = 0; i < a->n_nets; i++)
		if ((addr & a->mask[i]) == a->net[i])
			return true;
	return false;
}

/* The key that first claimed id (NULL: none yet); binds it to key when bind. */
static const char *
id_bound(struct controld *cd, const char *id, const char *key, bool bind)
{
	for (size_t i = 0; i < cd->link.n_binds; i++)
		if (strcmp(cd->link.binds[i].id, id) == 0)
			return cd->link.binds[i].key;
	if (!bind || cd->link.n_binds == ID_BINDS_MAX)
		return NULL;
	snprintf(cd->link.binds[cd->link.n_binds].id, sizeof(cd->link.binds[0].id), "%s", id);
	snprintf(cd->link.binds[cd->link.n_binds].key, sizeof(cd->link.binds[0].key), "%s", key);
	return cd->link.binds[cd->link.n_binds++].key;
}

/* May a client that proved key say hello as h?  0, or -1 with the refusal counted. */
static int
hello_check(struct controld *cd, const struct link_peer *from, const Gw__V1__Hello *h,
    struct worker_rec *same)
{
	const struct allow *a = zap_find(&cd->link.allow_workers, from->key);
	const char *bound;
	unsigned slots = 0, max = a ? a->max : WORKERS_MAX;

	if (h->worker_id[0] == '\0' || strlen(h->worker_id) >= sizeof(cd->link.w[0].id)) {
		refuse(cd, NULL, REFUSE_HELLO_ALLOW, "a hello without a worker id (or too long)");
		return -1;
	}
	if (!id_allowed(a, h->worker_id)) {
		refuse(cd, NULL, REFUSE_HELLO_ALLOW, "worker id %s is not allowed for key %s",
		    h->worker_id, from->key);
		return -1;
	}
	for (size_t i = 0; i < h->n_addrs; i++) {
		if (h->addrs[i] >> 24 != 127 && !addr_allowed(a, h->addrs[i])) {
			struct in_addr ia = { htonl(h->addrs[i]) };

			refuse(cd, NULL, REFUSE_HELLO_ALLOW, "worker %s (key %s) claims "
			    "address %s, not in its addrs=", h->worker_id, from->key,
			    inet_ntoa(ia));
			return -1;
		}
	}
	if ((bound = id_bound(cd, h->worker_id, from->key, false)) != NULL &&
	    strcmp(bound, from->key) != 0) {
		refuse(cd, NULL, REFUSE_HELLO_KEY, "worker id %s belongs to key %s, not %s",
		    h->worker_id, bound[0] ? bound : "(ipc)", from->key[0] ? from->key : "(ipc)");
		return -1;
	}
	for (int k = 0; k < WORKERS_MAX; k++)
		slots += cd->link.w[k].live && &cd->link.w[k] != same &&
		    strcmp(cd->link.w[k].key, from->key) == 0;
	if (slots >= max) {
		refuse(cd, NULL, REFUSE_HELLO_FULL, "worker %s: key %s has all its %u slots",
		    h->worker_id, from->key[0] ? from->key : "(ipc)", max);
		return -1;
	}
	if (id_bound(cd, h->worker_id, from->key, true) == NULL) {
		refuse(cd, NULL, REFUSE_HELLO_FULL, "worker %s: %d worker ids known already",
		    h->worker_id, ID_BINDS_MAX);
		return -1;
	}
	return 0;
}

/* A slot for a new worker: one never used, else the first that is down (its counts kept in
 * the retired sums); NULL if all are live. */
static struct worker_rec *
free_slot(struct controld *cd)
{
	struct worker_rec *w = NULL;

	for (int i = 0; i < WORKERS_MAX && w == NULL; i++)
		if (cd->link.w[i].id[0] == '\0')
			w = &cd->link.w[i];
	for (int i = 0; i < WORKERS_MAX && w == NULL; i++)
		if (!cd->link.w[i].live)
			w = &cd->link.w[i];
	if (w == NULL)
		return NULL;
	if (w->id[0] != '\0')
		workers_retire(cd, w);
	free(w->holds);
	memset(w, 0, sizeof(*w));
	return w;
}

/* A worker's description (Hello.io, Hello.tun_read) into dst, cut to fit and shown as it came:
 * nothing but printable ASCII ('?' for the rest). */
static void
text_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
	for (char *c = dst; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
}

void
hello_msg(struct controld *cd, const struct link_peer *from, const Gw__V1__Hello *h)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Welcome wel = GW__V1__WELCOME__INIT;
	struct worker_rec *w = workers_by_rid(cd, from->id, from->id_len);
	bool was_live, restarted = false, moved = false;

	if (w != NULL && strcmp(w->id, h->worker_id) != 0) {
		/* the connection of one worker says it is another: the first is gone */
		w->live = false;
		w->rid_len = 0;
		w = NULL;
	}
	/* the same worker on a new connection (it restarted, or reconnected): its record */
	if (w == NULL)
		w = workers_by_id(cd, h->worker_id);
	if (hello_check(cd, from, h, w) != 0)
		return;
	if (w == NULL && (w = free_slot(cd)) == NULL) {
		refuse(cd, NULL, REFUSE_HELLO_FULL, "worker %s: all %d worker slots in use",
		    h->worker_id, WORKERS_MAX);
		return;
	}
	memcpy(w->rid, from->id, from->id_len);
	w->rid_len = from->id_len;
	if (w->boot != 0 && w->boot != h->boot) {
		log_info("worker %s restarted (pid %u): its old leases are void", h->worker_id,
		    h->pid);
		workers_retire(cd, w);
		restarted = true;
	}
	w->fd = from->fd;		/* the monitor's name of this connection */
	workers_proc(w, from->fd);	/* and on ipc://, its process */
	was_live = w->live;
	w->live = true;
	w->boot = h->boot;
	w->pid = h->pid;
	w->last_ms = link_now_ms();
	snprintf(w->id, sizeof(w->id), "%s", h->worker_id);
	snprintf(w->key, sizeof(w->key), "%s", from->key);
	snprintf(w->host, sizeof(w->host), "%s", h->host);
	if (was_live && w->udp_encap != h->udp_encap)
		moved = true;			/* ESP-in-UDP SAs follow port 4500 */
	w->udp_encap = h->udp_encap;
	w->ike = h->ike;			/* IKE from port 500 leaves through it */
	text_copy(w->io, sizeof(w->io), h->io);
	text_copy(w->tun_read, sizeof(w->tun_read), h->tun_read);
	w->n_addrs = h->n_addrs < 64 ? h->n_addrs : 64;
	if (w->n_addrs != 0)		/* h->addrs is NULL when there are none */
		memcpy(w->addrs, h->addrs, w->n_addrs * sizeof(uint32_t));
	log_info("worker %s (host %s, pid %u%s%s) %s at generation %" PRIu64, w->id, w->host,
	    w->pid, w->key[0] ? ", key " : "", w->key, was_live ? "said hello again" : "joined",
	    h->have_generation);
	if (!was_live && !restarted && owners_claim(cd, w) != 0)
		log_info("worker %s kept running while controld was away: its windows go on",
		    w->id);
	if (!was_live || restarted || moved)	/* a restart's windows start at a new floor */
		owners_reassign(cd, restarted ? w->id : NULL);
	wel.generation = cd->link.gen;
	wel.heartbeat_ms = CTL_HEARTBEAT_MS;
	env.body_case = GW__V1__ENVELOPE__BODY_WELCOME;
	env.welcome = &wel;
	workers_send(cd, w, &env);
}
