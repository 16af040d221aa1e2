/* SPDX-License-Identifier: Apache-2.0 */
/* sad.c: the SA database: every SA in order, and two hash indexes, by id and (inbound) by
 * (SPI, protocol, local address), so that a report or a lease request of a worker finds its
 * SA in constant time (a report costs O(SAs reported)).  Keeps two SAs from sharing an id,
 * or an inbound (SPI, protocol, local address): a manual configuration that would (conf/
 * refuses it first) or an SPI IKE would take is refused whole.  SPIs it allocates are random
 * (RFC 4301 §4.1: the receiver picks them; guessing the next one gives nothing away). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "common/log.h"
#include "controld/sad/sad.h"

enum { BUCKETS_MIN = 64, SPI_TRIES = 64 };

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- Indexes ---- */

static size_t
id_bucket(const struct sad *d, uint64_t id)
{
	return (size_t)((id ^ (id >> 29)) * 0x9e3779b97f4a7c15ull >> 32) & (d->n_buckets - 1);
}

static size_t
spi_bucket(const struct sad *d, uint8_t proto, uint32_t local, uint32_t spi)
{
	uint64_t k = (uint64_t)spi << 32 ^ (uint64_t)local << 8 ^ proto;

	return (size_t)(k * 0x9e3779b97f4a7c15ull >> 32) & (d->n_buckets - 1);
}

static void
index_add(struct sad *d, struct sa *sa)
{
	size_t b = id_bucket(d, sa->id);

	sa->next_id = d->by_id[b];
	d->by_id[b] = sa;
	sa->next_spi = NULL;
	if (sa->inbound) {
		b = spi_bucket(d, sa->proto, sa->local, sa->spi);
		sa->next_spi = d->by_spi[b];
		d->by_spi[b] = sa;
	}
}

static void
index_del(struct sad *d, struct sa *sa)
{
	struct sa **pp;

	for (pp = &d->by_id[id_bucket(d, sa->id)]; *pp != NULL; pp = &(*pp)->next_id)
		if (*pp == sa) {
			*pp = sa->next_id;
			break;
		}
	if (!sa->inbound)
		return;
	for (pp = &d->by_spi[spi_bucket(d, sa->proto, sa->local, sa->spi)]; *pp != NULL;
	    pp = &(*pp)->next_spi)
		if (*pp == sa) {
			*pp = sa->next_spi;
			break;
		}
}

/* Buckets for at least want SAs (twice as many, a power of two), every SA of v in them.
 * Out of memory: fatal (the SAD cannot be half indexed). */
static void
index_build(struct sad *d, size_t want)
{
	size_t nb = BUCKETS_MIN;

	while (nb < 2 * want)
		nb *= 2;
	if (nb != d->n_buckets) {
		free(d->by_id);
		free(d->by_spi);
		d->by_id = calloc(nb, sizeof(*d->by_id));
		d->by_spi = calloc(nb, sizeof(*d->by_spi));
		if (d->by_id == NULL || d->by_spi == NULL)
			fatal("out of memory");
		d->n_buckets = nb;
	} else {
		memset(d->by_id, 0, nb * sizeof(*d->by_id));
		memset(d->by_spi, 0, nb * sizeof(*d->by_spi));
	}
	for (size_t i = 0; i < d->n; i++)
		index_add(d, d->v[i]);
}

static int
reserve(struct sad *d, size_t n)
{
	struct sa **v;
	size_t cap = d->cap ? d->cap : 16;

	if (n <= d->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	if ((v = realloc(d->v, cap * sizeof(*v))) == NULL)
		return -1;
	d->v = v;
	d->cap = cap;
	return 0;
}

/* ---- Lookups ---- */

struct sa *
sad_find(const struct sad *d, uint64_t id)
{
	struct sa *sa;

	if (d->n_buckets == 0)
		return NULL;
	for (sa = d->by_id[id_bucket(d, id)]; sa != NULL; sa = sa->next_id)
		if (sa->id == id)
			return sa;
	return NULL;
}

struct sa *
sad_find_spi(const struct sad *d, uint8_t proto, uint32_t local, uint32_t spi)
{
	struct sa *sa;

	if (d->n_buckets == 0)
		return NULL;
	for (sa = d->by_spi[spi_bucket(d, proto, local, spi)]; sa != NULL; sa = sa->next_spi)
		if (sa->spi == spi && sa->proto == proto && sa->local == local)
			return sa;
	return NULL;
}

size_t
sad_published(const struct sad *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n; i++)
		n += sa_published(d->v[i]);
	return n;
}

/* ---- Changes ---- */

static int
spi_taken(struct gw_err *err, const struct sa *sa, const struct sa *other)
{
	return gw_fail(err, 0, "inbound %s SPI %u on %u.%u.%u.%u: already the SPI of crypto map "
	    "%s %u", sa->proto == 51 ? "ah" : "esp", sa->spi, sa->local >> 24,
	    (sa->local >> 16) & 0xff, (sa->local >> 8) & 0xff, sa->local & 0xff, other->map,
	    other->seq);
}

int
sad_add(struct sad *d, struct sa *sa, struct gw_err *err)
{
	struct sa *o;

	if (sad_find(d, sa->id) != NULL)
		return gw_fail(err, 0, "SA %016llx is in the SA database already",
		    (unsigned long long)sa->id);
	if (sa->inbound && (o = sad_find_spi(d, sa->proto, sa->local, sa->spi)) != NULL)
		return spi_taken(err, sa, o);
	if (reserve(d, d->n + 1) != 0)
		return gw_fail(err, 0, "out of memory");
	sa->added_ms = now_ms();
	d->v[d->n++] = sa;
	if (2 * d->n > d->n_buckets)
		index_build(d, d->n);
	else
		index_add(d, sa);
	return 0;
}

void
sad_remove(struct sad *d, struct sa *sa)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i] == sa) {
			memmove(&d->v[i], &d->v[i + 1], (d->n - i - 1) * sizeof(*d->v));
			d->n--;
			index_del(d, sa);
			sa_free(sa);
			return;
		}
}

/* The new manual SAs l against each other and against the SAs that stay: ids and inbound
 * SPIs unique.  t is made an index of l (the caller frees its buckets): O(n). */
static int
replace_check(const struct sad *d, const struct sa_list *l, struct sad *t, struct gw_err *err)
{
	memset(t, 0, sizeof(*t));
	index_build(t, l->n);
	for (size_t i = 0; i < l->n; i++) {
		struct sa *sa = l->v[i], *o;

		if (sad_find(t, sa->id) != NULL)
			return gw_fail(err, 0, "two SAs of crypto map %s %u have one id", sa->map,
			    sa->seq);
		if (sa->inbound && (o = sad_find_spi(t, sa->proto, sa->local, sa->spi)) != NULL)
			return spi_taken(err, sa, o);
		if (sa->inbound && (o = sad_find_spi(d, sa->proto, sa->local, sa->spi)) != NULL &&
		    o->origin != SA_MANUAL)
			return spi_taken(err, sa, o);
		if ((o = sad_find(d, sa->id)) != NULL && o->origin != SA_MANUAL)
			return gw_fail(err, 0, "SA %016llx is in the SA database already",
			    (unsigned long long)sa->id);
		index_add(t, sa);
	}
	return 0;
}

/* An SA that stays (the same id) takes the definition of def (freed): the SAD keeps its
 * state, owner, floor, counts and baseline, and its place in the indexes. */
static void
take_definition(struct sa *kept, struct sa *def)
{
	struct sa st = *kept;

	*kept = *def;
	kept->state = st.state;
	kept->added_ms = st.added_ms;
	memcpy(kept->owner, st.owner, sizeof(kept->owner));
	kept->replay_floor = st.replay_floor;
	kept->counts = st.counts;
	kept->n_counts = st.n_counts;
	kept->retired = st.retired;
	kept->base = st.base;
	kept->next_id = st.next_id;
	kept->next_spi = st.next_spi;
	OPENSSL_cleanse(&st, sizeof(st));
	def->counts = NULL;
	sa_free(def);
}

int
sad_replace_manual(struct sad *d, struct sa_list *l, struct gw_err *err)
{
	struct sad t;
	struct sa **v;
	size_t k = 0, n = 0, cap;
	uint64_t now = now_ms();

	if (replace_check(d, l, &t, err) != 0) {
		free(t.by_id);
		free(t.by_spi);
		return -1;
	}
	cap = l->n + d->n + 1;
	if ((v = calloc(cap, sizeof(*v))) == NULL) {
		free(t.by_id);
		free(t.by_spi);
		return gw_fail(err, 0, "out of memory");
	}
	/* the manual SAs that are not in l any more go; the others stay where they are */
	for (size_t i = 0; i < d->n; i++) {
		struct sa *sa = d->v[i];

		if (sa->origin != SA_MANUAL || sad_find(&t, sa->id) != NULL) {
			d->v[n++] = sa;
			continue;
		}
		index_del(d, sa);
		sa_free(sa);
	}
	d->n = n;
	/* the manual SAs in l's order, an SA that stays with l's definition; then the others */
	for (size_t i = 0; i < l->n; i++) {
		struct sa *o = sad_find(d, l->v[i]->id);

		if (o != NULL) {
			take_definition(o, l->v[i]);
			v[k++] = o;
		} else {
			l->v[i]->added_ms = now;
			v[k++] = l->v[i];
		}
	}
	for (size_t i = 0; i < d->n; i++)
		if (d->v[i]->origin != SA_MANUAL)
			v[k++] = d->v[i];
	free(t.by_id);
	free(t.by_spi);
	free(d->v);
	d->v = v;
	d->n = k;
	d->cap = cap;
	free(l->v);
	l->v = NULL;
	l->n = 0;
	index_build(d, d->n);
	return 0;
}

int
sad_spi_alloc(const struct sad *d, uint8_t proto, uint32_t local, uint32_t *spi,
    struct gw_err *err)
{
	for (int i = 0; i < SPI_TRIES; i++) {
		uint32_t s;

		if (RAND_bytes((unsigned char *)&s, sizeof(s)) != 1)
			return gw_fail(err, 0, "no randomness for an SPI");
		if (s < SA_SPI_MIN || sad_find_spi(d, proto, local, s) != NULL)
			continue;
		*spi = s;
		return 0;
	}
	return gw_fail(err, 0, "no free %s SPI found in %d tries", proto == 51 ? "ah" : "esp",
	    SPI_TRIES);
}

void
sad_free(struct sad *d)
{
	for (size_t i = 0; i < d->n; i++)
		sa_free(d->v[i]);
	free(d->v);
	free(d->by_id);
	free(d->by_spi);
	memset(d, 0, sizeof(*d));
}
