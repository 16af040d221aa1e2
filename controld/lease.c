/* lease.c: durable sequence-number leases (invariant 1); see lease.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controld/lease.h"

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
		fprintf(f, "%016" PRIx64 " %" PRIu64 "\n", db->e[i].sa_id, db->e[i].next);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		return gw_fail(err, 0, "%s: %s", tmp, strerror(errno));
	}
	fclose(f);
	if (rename(tmp, db->path) != 0)
		return gw_fail(err, 0, "%s: %s", db->path, strerror(errno));
	snprintf(dir, sizeof(dir), "%s", db->path);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if ((fd = open(slash ? dir : ".", O_RDONLY | O_DIRECTORY)) >= 0) {
		fsync(fd);
		close(fd);
	}
	return 0;
}

static struct lease_ent *
find(struct lease_db *db, uint64_t id, bool add)
{
	for (size_t i = 0; i < db->n; i++)
		if (db->e[i].sa_id == id)
			return &db->e[i];
	if (!add)
		return NULL;
	if (db->n == db->cap) {
		size_t cap = db->cap ? 2 * db->cap : 16;
		struct lease_ent *e = realloc(db->e, cap * sizeof(*e));

		if (e == NULL)
			return NULL;
		db->e = e;
		db->cap = cap;
	}
	db->e[db->n].sa_id = id;
	db->e[db->n].next = 1;
	return &db->e[db->n++];
}

int
lease_open(struct lease_db *db, const char *dir, struct gw_err *err)
{
	return lease_open_named(db, dir, "leases",
	    "sequence-number high-water marks: SA id, first number never leased", err);
}

int
lease_open_named(struct lease_db *db, const char *dir, const char *name, const char *what,
    struct gw_err *err)
{
	char line[128];
	FILE *f;

	memset(db, 0, sizeof(*db));
	db->what = what;
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return gw_fail(err, 0, "state directory %s: %s", dir, strerror(errno));
	if (asprintf(&db->path, "%s/%s", dir, name) < 0)
		return gw_fail(err, 0, "out of memory");
	if ((f = fopen(db->path, "r")) == NULL) {
		if (errno == ENOENT)
			return lease_save(db, err);
		return gw_fail(err, 0, "%s: %s", db->path, strerror(errno));
	}
	for (unsigned n = 1; fgets(line, sizeof(line), f) != NULL; n++) {
		uint64_t id, next;
		struct lease_ent *e;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%" SCNx64 " %" SCNu64, &id, &next) != 2 || next == 0) {
			fclose(f);
			return gw_fail(err, n, "%s:%u: not \"SA-ID NUMBER\": refusing to guess "
			    "sequence numbers", db->path, n);
		}
		if ((e = find(db, id, true)) == NULL) {
			fclose(f);
			return gw_fail(err, 0, "out of memory");
		}
		if (next > e->next)
			e->next = next;
	}
	fclose(f);
	return 0;
}

void
lease_close(struct lease_db *db)
{
	free(db->path);
	free(db->e);
	memset(db, 0, sizeof(*db));
}

int
lease_grant(struct lease_db *db, uint64_t sa_id, bool esn, uint64_t *first, uint64_t *last,
    struct gw_err *err)
{
	uint64_t limit = esn ? UINT64_MAX : UINT32_MAX;
	struct lease_ent *e = find(db, sa_id, true);
	uint64_t was;

	if (e == NULL)
		return gw_fail(err, 0, "out of memory");
	if (e->next > limit || e->next == 0)
		return gw_fail(err, 0, "SA %016" PRIx64 ": sequence numbers used up, rekey needed",
		    sa_id);
	was = e->next;
	*first = e->next;
	*last = limit - e->next < LEASE_BLOCK - 1 ? limit : e->next + LEASE_BLOCK - 1;
	e->next = *last == UINT64_MAX ? 0 : *last + 1;
	if (*last == UINT32_MAX && !esn)
		e->next = (uint64_t)UINT32_MAX + 1;
	if (lease_save(db, err) != 0) {
		e->next = was;		/* not durable: not granted */
		return -1;
	}
	return 0;
}

int
lease_raise(struct lease_db *db, uint64_t sa_id, uint64_t v)
{
	struct lease_ent *e = find(db, sa_id, true);

	if (e == NULL)
		return -1;
	if (v > e->next) {
		e->next = v;
		db->dirty = true;
	}
	return 0;
}

uint64_t
lease_get(const struct lease_db *db, uint64_t sa_id)
{
	for (size_t i = 0; i < db->n; i++)
		if (db->e[i].sa_id == sa_id)
			return db->e[i].next;
	return 0;
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

void
lease_retain(struct lease_db *db, const uint64_t *keep, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < db->n; i++) {
		bool live = false;

		for (size_t j = 0; j < n && !live; j++)
			live = keep[j] == db->e[i].sa_id;
		if (live)
			db->e[k++] = db->e[i];
	}
	db->n = k;
}
