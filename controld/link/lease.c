/* SPDX-License-Identifier: Apache-2.0 */
/* lease.c: durable sequence-number leases and replay floors, by key (invariant 1); see
 * lease.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controld/link/lease.h"

static int
lease_save(struct lease_db *db, struct gw_err *err)
{
	char tmp[4096], dir[4096], *slash;
	FILE *f;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", db->path);
	if ((f = fopen(tmp, "w")) == NULL)
		return gw_fail(err, 0, "%s: %s", tmp, strerror(errno));
	fprintf(f, "# %s\n", db->what);
	for (size_t i = 0; i < db->n; i++)
		fprintf(f, "%016" PRIx64 " %" PRIu64 "\n", db->e[i].id, db->e[i].next);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		return gw_fail(err, 0, "%s: %s", tmp, strerror(errno));
	}
	fclose(f);
	if (rename(tmp, db->path) != 0)
		return gw_fail(err, 0, "%s: %s", db->path, strerror(errno));
	for (size_t i = 0; i < db->n; i++)
		db->e[i].saved = db->e[i].next;
	snprintf(dir, sizeof(dir), "%s", db->path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if ((fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

/* Binary search of a sorted array: the entry of id, or where it would go. */
static size_t
lower(const struct lease_ent *e, size_t n, uint64_t id)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The entry of id in (*e, *n), added (next 1) when add; NULL if absent or out of memory. */
static struct lease_ent *
find(struct lease_ent **e, size_t *n, size_t *cap, uint64_t id, bool add)
{
	size_t at = lower(*e, *n, id);

	if (at < *n && (*e)[at].id == id)
		return &(*e)[at];
	if (!add)
		return NULL;
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		struct lease_ent *x = realloc(*e, c * sizeof(*x));

		if (x == NULL)
			return NULL;
		*e = x;
		*cap = c;
	}
	memmove(&(*e)[at + 1], &(*e)[at], (*n - at) * sizeof(**e));
	(*e)[at].id = id;
	(*e)[at].next = 1;
	(*e)[at].saved = 0;
	(*n)++;
	return &(*e)[at];
}

/* Read "ID NUMBER" lines of path into (*e, *n); a missing file is empty.  1 if it was there. */
static int
load(const char *path, struct lease_ent **e, size_t *n, size_t *cap, struct gw_err *err)
{
	char line[128];
	FILE *f;

	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : gw_fail(err, 0, "%s: %s", path, strerror(errno));
	for (unsigned ln = 1; fgets(line, sizeof(line), f) != NULL; ln++) {
		uint64_t id, next;
		struct lease_ent *x;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%" SCNx64 " %" SCNu64, &id, &next) != 2 || next == 0) {
			fclose(f);
			return gw_fail(err, ln, "%s:%u: not \"ID NUMBER\": refusing to guess "
			    "sequence numbers", path, ln);
		}
		if ((x = find(e, n, cap, id, true)) == NULL) {
			fclose(f);
			return gw_fail(err, 0, "out of memory");
		}
		if (next > x->next)
			x->next = x->saved = next;
	}
	fclose(f);
	return 1;
}

int
lease_open(struct lease_db *db, const char *dir, struct gw_err *err)
{
	return lease_open_named(db, dir, "key-leases", "leases", "sequence-number high-water "
	    "marks: key id (hash of the key material), first number never leased", err);
}

int
lease_open_named(struct lease_db *db, const char *dir, const char *name,
    const char *legacy_name, const char *what, struct gw_err *err)
{
	size_t cap_legacy = 0;
	char *legacy = NULL;
	int rc;

	memset(db, 0, sizeof(*db));
	db->what = what;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return gw_fail(err, 0, "state directory %s: %s", dir, strerror(errno));
	if (asprintf(&db->path, "%s/%s", dir, name) < 0)
		return gw_fail(err, 0, "out of memory");
	if (legacy_name != NULL) {
		if (asprintf(&legacy, "%s/%s", dir, legacy_name) < 0)
			return gw_fail(err, 0, "out of memory");
		rc = load(legacy, &db->legacy, &db->n_legacy, &cap_legacy, err);
		free(legacy);
		if (rc < 0)
			return -1;
	}
	if ((rc = load(db->path, &db->e, &db->n, &db->cap, err)) < 0)
		return -1;
	return rc == 0 ? lease_save(db, err) : 0;
}

void
lease_close(struct lease_db *db)
{
	free(db->path);
	free(db->e);
	free(db->legacy);
	memset(db, 0, sizeof(*db));
}

int
lease_take(struct lease_db *db, uint64_t id, bool esn, uint64_t len, uint64_t *first,
    uint64_t *last, struct gw_err *err)
{
	uint64_t limit = esn ? UINT64_MAX : UINT32_MAX;
	struct lease_ent *e = find(&db->e, &db->n, &db->cap, id, true);

	if (e == NULL)
		return gw_fail(err, 0, "out of memory");
	if (e->next > limit || e->next == 0)
		return gw_fail(err, 0, "key %016" PRIx64 ": sequence numbers used up, rekey "
		    "needed", id);
	if (len == 0)
		len = 1;
	*first = e->next;
	*last = limit - e->next < len - 1 ? limit : e->next + len - 1;
	e->next = *last == UINT64_MAX ? 0 : *last + 1;
	if (*last == UINT32_MAX && !esn)
		e->next = (uint64_t)UINT32_MAX + 1;
	db->dirty = true;
	return 0;
}

int
lease_grant(struct lease_db *db, uint64_t id, bool esn, uint64_t len, uint64_t *first,
    uint64_t *last, struct gw_err *err)
{
	uint64_t was = lease_get(db, id);

	if (lease_take(db, id, esn, len, first, last, err) != 0)
		return -1;
	if (lease_flush(db, err) != 0) {
		struct lease_ent *e = find(&db->e, &db->n, &db->cap, id, false);

		if (e != NULL)
			e->next = was != 0 ? was : 1;	/* not durable: not granted */
		return -1;
	}
	return 0;
}

int
lease_raise(struct lease_db *db, uint64_t id, uint64_t v)
{
	struct lease_ent *e = find(&db->e, &db->n, &db->cap, id, true);

	if (e == NULL)
		return -1;
	if (v > e->next) {
		e->next = v;
		db->dirty = true;
	}
	return 0;
}

uint64_t
lease_get(const struct lease_db *db, uint64_t id)
{
	size_t at = lower(db->e, db->n, id);

	return at < db->n && db->e[at].id == id ? db->e[at].next : 0;
}

uint64_t
lease_saved(const struct lease_db *db, uint64_t id)
{
	size_t at = lower(db->e, db->n, id);

	return at < db->n && db->e[at].id == id ? db->e[at].saved : 0;
}

bool
lease_adopt(struct lease_db *db, uint64_t id, uint64_t sa_id)
{
	size_t at = lower(db->legacy, db->n_legacy, sa_id);
	uint64_t old;

	if (at >= db->n_legacy || db->legacy[at].id != sa_id)
		return false;
	old = lease_get(db, id);
	if (db->legacy[at].next <= old)
		return false;
	return lease_raise(db, id, db->legacy[at].next) == 0;
}

int
lease_flush(struct lease_db *db, struct gw_err *err)
{
	if (!db->dirty)
		return 0;
	if (lease_save(db, err) != 0)
		return -1;
	db->dirty = false;
	return 0;
}

enum lease_verdict
lease_decide(const struct lease_hold *h, uint64_t next, uint64_t now_ms, uint64_t *len)
{
	uint64_t hlen, elapsed, used;

	*len = LEASE_MIN;
	if (h == NULL || h->last == 0)
		return LEASE_FRESH;
	hlen = h->last - h->first + 1;
	elapsed = now_ms > h->granted_ms ? now_ms - h->granted_ms : 0;
	if (next >= h->first && next <= h->last && next - h->first < hlen / 2)
		return LEASE_EARLY;
	if (next < h->first || next > h->last + 1) {
		/* it holds nothing of its latest block (it lost the SA and got it back, or
		 * never got the grant): a fresh one, burning the rest; at most once a second */
		return elapsed < LEASE_FRESH_MS ? LEASE_SOON : LEASE_FRESH;
	}
	used = next - h->first;
	if (used > LEASE_MAX_PPS / 1000 * (elapsed ? elapsed : 1))
		return LEASE_FAST;
	*len = hlen;
	if (elapsed < LEASE_GROW_MS && hlen < LEASE_MAX)
		*len = 2 * hlen;
	else if (elapsed > LEASE_SHRINK_MS && hlen > LEASE_MIN)
		*len = hlen / 2;
	return LEASE_MORE;
}
