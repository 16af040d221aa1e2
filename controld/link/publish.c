/* publish.c: the tables to the workers: a generation is sent whole (a snapshot) to a worker
 * that joins or asks, and as a delta from the previous generation to the workers that have it
 * (DESIGN "The ZeroMQ link", Clone pattern; invariant 3: a worker applies a generation whole).
 * Keeps the SAs of the current generation indexed by id, with the id of their key. */
#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "common/log.h"
#include "controld/conf/compile.h"
#include "controld/link/worker.h"

static int
ix_cmp(const void *a, const void *b)
{
	const struct sa_ix *x = a, *y = b;

	return x->sa_id < y->sa_id ? -1 : x->sa_id > y->sa_id;
}

static void
ix_build(struct controld *cd)
{
	size_t n = cd->tables ? cd->tables->n_sas : 0;
	struct sa_ix *ix = calloc(n + 1, sizeof(*ix));

	if (ix == NULL)
		fatal("out of memory");
	for (size_t i = 0; i < n; i++) {
		ix[i].sa_id = cd->tables->sas[i]->id;
		ix[i].key_id = sa_key_id(cd->tables->sas[i]);
		ix[i].sa = cd->tables->sas[i];
	}
	qsort(ix, n, sizeof(*ix), ix_cmp);
	free(cd->ix);
	cd->ix = ix;
	cd->n_ix = n;
}

const struct sa_ix *
publish_find_sa(const struct controld *cd, uint64_t sa_id)
{
	struct sa_ix k = { .sa_id = sa_id };

	return cd->n_ix ? bsearch(&k, cd->ix, cd->n_ix, sizeof(k), ix_cmp) : NULL;
}

/* Marks kept by the SA ids of an older version become the marks of the SAs' keys (lease.h):
 * an upgrade does not start a key's numbers again. */
static void
adopt_legacy(struct controld *cd, const Gw__V1__Tables *t)
{
	struct gw_err err;
	bool any = false;

	for (size_t i = 0; i < t->n_sas; i++) {
		const Gw__V1__Sa *sa = t->sas[i];

		if (!sa->inbound)
			any |= lease_adopt(&cd->leases, sa_key_id(sa), sa->id);
		else if (sa->replay_window != 0)
			lease_adopt(&cd->tops, sa_key_id(sa), sa->id);
	}
	if (any && lease_flush(&cd->leases, &err) != 0)
		fatal("sequence-number leases: %s", err.msg);
}

static bool
same_msg(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
	size_t la = protobuf_c_message_get_packed_size(a);
	size_t lb = protobuf_c_message_get_packed_size(b);
	uint8_t *x, *y;
	bool same;

	if (la != lb)
		return false;
	x = malloc(la + 1);
	y = malloc(lb + 1);
	same = x != NULL && y != NULL;
	if (same) {
		protobuf_c_message_pack(a, x);
		protobuf_c_message_pack(b, y);
		same = memcmp(x, y, la) == 0;
	}
	if (x != NULL)
		OPENSSL_cleanse(x, la);
	if (y != NULL)
		OPENSSL_cleanse(y, lb);
	free(x);
	free(y);
	return same;
}

static bool
same_policies(const Gw__V1__Tables *a, const Gw__V1__Tables *b)
{
	if (a->n_policies != b->n_policies)
		return false;
	for (size_t i = 0; i < a->n_policies; i++)
		if (!same_msg(&a->policies[i]->base, &b->policies[i]->base))
			return false;
	return true;
}

static const Gw__V1__Sa *
sa_by_id(const Gw__V1__Tables *t, uint64_t id)
{
	for (size_t i = 0; t != NULL && i < t->n_sas; i++)
		if (t->sas[i]->id == id)
			return t->sas[i];
	return NULL;
}

void
publish_snapshot(struct controld *cd, struct worker_rec *w)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;

	if (cd->tables == NULL)
		return;
	env.body_case = GW__V1__ENVELOPE__BODY_SNAPSHOT;
	env.snapshot = cd->tables;
	if (workers_send(cd, w, &env) == 0)
		log_info("snapshot of generation %" PRIu64 " to %s", cd->gen, w->id);
}

void
publish_tables(struct controld *cd, Gw__V1__Tables *t)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Delta d = GW__V1__DELTA__INIT;
	Gw__V1__Sa **up = calloc(t->n_sas + 1, sizeof(*up));
	uint64_t *rm = calloc((cd->tables ? cd->tables->n_sas : 0) + 1, sizeof(*rm));
	Gw__V1__Tables *old = cd->tables;

	adopt_legacy(cd, t);
	owners_inherit(old, t);
	owners_assign(cd, t, NULL);
	t->generation = ++cd->gen;
	if (old != NULL && up != NULL && rm != NULL) {
		d.from_generation = old->generation;
		d.generation = t->generation;
		d.policies_replace = !same_policies(old, t);
		if (d.policies_replace) {
			d.policies = t->policies;
			d.n_policies = t->n_policies;
		}
		for (size_t i = 0; i < t->n_sas; i++) {
			const Gw__V1__Sa *o = sa_by_id(old, t->sas[i]->id);

			if (o == NULL || !same_msg(&o->base, &t->sas[i]->base))
				up[d.n_sa_upsert++] = t->sas[i];
		}
		for (size_t i = 0; i < old->n_sas; i++)
			if (sa_by_id(t, old->sas[i]->id) == NULL)
				rm[d.n_sa_remove++] = old->sas[i]->id;
		d.sa_upsert = up;
		d.sa_remove = rm;
		env.body_case = GW__V1__ENVELOPE__BODY_DELTA;
		env.delta = &d;
		for (int k = 0; k < WORKERS_MAX; k++)
			if (cd->w[k].live)
				workers_send(cd, &cd->w[k], &env);
	}
	cd->tables = t;
	ix_build(cd);
	for (int k = 0; k < WORKERS_MAX; k++)
		workers_prune(cd, &cd->w[k]);
	log_info("generation %" PRIu64 ": %zu policies, %zu SAs (%zu changed, %zu removed)",
	    cd->gen, t->n_policies, t->n_sas, d.n_sa_upsert, d.n_sa_remove);
	if (old != NULL)
		link_free(&old->base);
	else
		for (int k = 0; k < WORKERS_MAX; k++)
			if (cd->w[k].live)
				publish_snapshot(cd, &cd->w[k]);
	free(up);
	free(rm);
}
