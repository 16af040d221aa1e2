/* SPDX-License-Identifier: Apache-2.0 */
/* owners.c: the one owner of each inbound SA (docs/design.md invariant 2: an inbound SA is
 * processed by exactly one worker at a time, its replay window lives there).  An SA that moves, or
 * whose owner restarted with empty windows, starts its window at the replay floor kept for its key
 * (docs/adr/0009), so no packet an earlier owner accepted is accepted again.  A live owner keeps
 * its SA against a worker of another CURVE key.  Owners and floors are kept with the SA in the SAD:
 * an SA a reload keeps (the same id) keeps both, so it moves, and its floor rises, only when its
 * owner really changes.
 *
 * Owners also outlive controld (docs/adr/0011): STATEDIR/inbound-owners says, by key, which
 * worker (id, boot, CURVE key) owns each inbound SA.  A worker that kept running while controld
 * restarted says hello with the same boot and is given its SAs back as their owner all along,
 * so its windows go on (the floor's margin would refuse what the peer sent in it).  The file
 * is written, synced, before a generation that moves an SA away from its owner is sent (a stale
 * owner must never get an SA back without its floor), and lazily for first owners (an SA the
 * file lacks starts at its floor, as before). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

#include "controld/link/worker.h"

/* Invariant 2 across workers: an inbound SA that starts over on a worker (a new owner, or its
 * owner restarted) must not accept again what an earlier owner accepted, so its window starts
 * at the floor kept for its key: the highest top its owners reported plus a margin for what an
 * owner may have accepted after its last report (note_top).  True if the floor rose. */
static bool
raise_floor(const struct controld *cd, struct sa *sa)
{
	uint64_t floor;

	if (sa->replay_window == 0)
		return false;		/* no window to start anywhere */
	floor = lease_get(&cd->link.floors, sa->key_id);
	if (floor <= sa->replay_floor)
		return false;
	sa->replay_floor = floor;
	return true;
}

/* May w own sa: a live worker with the SA's local address (for an SA in UDP 4500 one that
 * holds the port, RFC 3948, when there is such a worker)?  Ranked: 2 best, 1 any local, 0
 * not local. */
static int
rank(const struct worker_rec *w, const struct sa *sa, bool udp_holder_exists)
{
	bool local = false;

	for (size_t a = 0; a < w->n_addrs && !local; a++)
		local = w->addrs[a] == sa->local;
	if (!local)
		return 0;
	if (sa->udp_encap_port != 0 && udp_holder_exists)
		return w->udp_encap ? 2 : 1;
	return 2;
}

/* The one owner of each inbound SA: the first of the best by id, a live worker on a host with
 * the SA's local address, for an SA in UDP 4500 (RFC 3948) the one that holds the port; else
 * the first live worker.  But a live owner that is still among the best keeps its SA against
 * a worker of another CURVE key: a key cannot take another's SAs by choosing an id that sorts
 * first (docs/threat-model.md); workers of one key (one host, or ipc://) share them by id.
 * The SAs that move, and those of restarted (a worker that came back with empty windows; may
 * be NULL), get a new replay floor.  True if anything changed. */
bool
owners_assign(struct controld *cd, const char *restarted)
{
	bool changed = false;

	for (size_t i = 0; i < cd->sad.n; i++) {
		struct sa *sa = cd->sad.v[i];
		const char *best = "", *any = "", *best_key = "", *cur_key = "";
		bool udp = false;
		int top = 0, cur = -1;

		if (!sa->inbound || !sa_published(sa))
			continue;
		for (int k = 0; k < WORKERS_MAX && sa->udp_encap_port != 0; k++)
			udp |= cd->link.w[k].live && cd->link.w[k].udp_encap &&
			    rank(&cd->link.w[k], sa, false);
		for (int k = 0; k < WORKERS_MAX; k++) {
			const struct worker_rec *w = &cd->link.w[k];
			int r;

			if (!w->live)
				continue;
			r = rank(w, sa, udp);
			if (strcmp(w->id, sa->owner) == 0) {
				cur = r;
				cur_key = w->key;
			}
			if (r > top || (r == top && r > 0 && strcmp(w->id, best) < 0)) {
				top = r;
				best = w->id;
				best_key = w->key;
			}
			if (any[0] == '\0' || strcmp(w->id, any) < 0)
				any = w->id;
		}
		if (top == 0)
			best = any;
		if (sa->owner[0] != '\0' && cur >= 0 && cur == top &&
		    strcmp(cur_key, best_key) != 0)
			best = sa->owner;	/* not to another key */
		if (strcmp(sa->owner, best) != 0) {
			if (sa->owner[0] != '\0')
				cd->link.owners_moved = true;
			cd->link.owners_dirty = true;
			snprintf(sa->owner, sizeof(sa->owner), "%s", best);
			raise_floor(cd, sa);
			changed = true;
		} else if (restarted != NULL && strcmp(best, restarted) == 0) {
			changed |= raise_floor(cd, sa);
			cd->link.owners_dirty = true;	/* its boot changed */
		}
	}
	return changed;
}

/* Owners changed because workers came or went, or restarted (its id, else NULL): the same
 * SAs, a new generation. */
void
owners_reassign(struct controld *cd, const char *restarted)
{
	if (cd->link.sent == NULL)
		return;			/* nothing published yet */
	if (owners_assign(cd, restarted))
		publish_tables(cd);
}

/* ---- STATEDIR/inbound-owners ---- */

static int
rec_cmp(const void *a, const void *b)
{
	const struct owner_rec *x = a, *y = b;

	return x->key_id < y->key_id ? -1 : x->key_id > y->key_id;
}

static bool
plain(const char *s)		/* a word the file can hold */
{
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

int
owners_load(struct controld *cd, struct gw_err *err)
{
	char path[4096], line[512];
	struct owner_rec *v = NULL;
	size_t n = 0, cap = 0;
	unsigned ln = 0;
	FILE *f;

	if (cd->link.state_dir == NULL)
		return 0;		/* a test without a state directory */
	snprintf(path, sizeof(path), "%s/inbound-owners", cd->link.state_dir);
	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : gw_fail(err, 0, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		struct owner_rec r = { 0 };
		char owner[SA_OWNER_MAX], key[LINK_KEY_Z85];
		int used = 0;

		ln++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		/* "KEYID BOOT OWNER [KEY]": anything else is ignored, as an SA without an owner
		 * (its window starts at its floor: the safe side) */
		key[0] = '\0';
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %127s %n", &r.key_id, &r.boot, owner,
		    &used) < 3) {
			log_warn("%s:%u: not \"KEYID BOOT OWNER [KEY]\": ignored", path, ln);
			continue;
		}
		sscanf(line + used, "%40s", key);
		snprintf(r.owner, sizeof(r.owner), "%s", owner);
		snprintf(r.key, sizeof(r.key), "%s", key);
		if (n == cap) {
			struct owner_rec *x = realloc(v, (cap = cap ? 2 * cap : 64) * sizeof(*x));

			if (x == NULL) {
				fclose(f);
				free(v);
				return gw_fail(err, 0, "out of memory");
			}
			v = x;
		}
		v[n++] = r;
	}
	fclose(f);
	if (n > 0)			/* a file of no SA: v is NULL */
		qsort(v, n, sizeof(*v), rec_cmp);
	free(cd->link.owners_was);
	cd->link.owners_was = v;
	cd->link.n_owners_was = n;
	return 0;
}

int
owners_save(struct controld *cd, bool sync, struct gw_err *err)
{
	char path[4096], tmp[4200];
	FILE *f;
	int fd;

	if (cd->link.state_dir == NULL) {
		cd->link.owners_dirty = cd->link.owners_moved = false;
		return 0;		/* a test without a state directory */
	}
	snprintf(path, sizeof(path), "%s/inbound-owners", cd->link.state_dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return gw_fail(err, 0, "%s: %s", tmp, strerror(errno));
	}
	fprintf(f, "# inbound SA owners: key id (hash of the key material), the owner's boot, "
	    "worker id, CURVE key\n");
	for (size_t i = 0; i < cd->sad.n; i++) {
		const struct sa *sa = cd->sad.v[i];
		const struct worker_rec *w;

		if (!sa->inbound || sa->replay_window == 0 || sa->owner[0] == '\0' ||
		    (w = workers_by_id(cd, sa->owner)) == NULL || !w->live ||
		    !plain(sa->owner) || !plain(w->key))
			continue;
		fprintf(f, "%016" PRIx64 " %016" PRIx64 " %s%s%s\n", sa_key_id(sa), w->boot,
		    sa->owner, w->key[0] ? " " : "", w->key);
	}
	if (fflush(f) != 0 || (sync && fsync(fileno(f)) != 0)) {
		fclose(f);
		return gw_fail(err, 0, "%s: %s", tmp, strerror(errno));
	}
	fclose(f);
	if (rename(tmp, path) != 0)
		return gw_fail(err, 0, "%s: %s", path, strerror(errno));
	if (sync && (fd = open(cd->link.state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
	cd->link.owners_dirty = false;
	if (sync)
		cd->link.owners_moved = false;
	return 0;
}

void
owners_save_moved(struct controld *cd)
{
	struct gw_err err = { 0, "" };
	char path[4096];

	if (owners_save(cd, true, &err) == 0)
		return;
	/* no file is safe (every window starts at its floor); a stale one is not */
	log_err("inbound SA owners: %s: removing the file", err.msg);
	snprintf(path, sizeof(path), "%s/inbound-owners", cd->link.state_dir);
	unlink(path);
	cd->link.owners_moved = false;
}

unsigned
owners_claim(struct controld *cd, const struct worker_rec *w)
{
	unsigned n = 0;

	if (cd->link.n_owners_was == 0)
		return 0;
	for (size_t i = 0; i < cd->sad.n; i++) {
		struct sa *sa = cd->sad.v[i];
		struct owner_rec k = { .key_id = 0 }, *r;

		if (!sa->inbound || sa->owner[0] != '\0')
			continue;		/* owned since controld started: owners_assign's */
		k.key_id = sa_key_id(sa);
		r = bsearch(&k, cd->link.owners_was, cd->link.n_owners_was, sizeof(k), rec_cmp);
		if (r == NULL || r->boot != w->boot || strcmp(r->owner, w->id) != 0 ||
		    strcmp(r->key, w->key) != 0)
			continue;
		snprintf(sa->owner, sizeof(sa->owner), "%s", w->id);
		n++;
	}
	return n;
}
