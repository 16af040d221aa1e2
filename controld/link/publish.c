/* SPDX-License-Identifier: Apache-2.0 */
/* publish.c: the tables to the workers: a generation is sent whole (a snapshot) to a worker
 * that joins or asks, and as a delta from the previous generation to the workers that have it
 * (docs/design.md "The ZeroMQ link", Clone pattern; invariant 3: a worker applies a generation
 * whole).  A generation is made from the SPD and the SAD (wire.c); the last one sent is kept, to
 * send again and to diff the next one with. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "controld/link/worker.h"

/* Marks kept by the SA ids of an older version become the marks of the SAs' keys (lease.h):
 * an upgrade does not start a key's numbers again. */
static void
adopt_legacy(struct controld *cd)
{
	struct gw_err err;
	bool any = false;

	for (size_t i = 0; i < cd->sad.n; i++) {
		const struct sa *sa = cd->sad.v[i];

		if (!sa_published(sa))
			continue;
		if (!sa->inbound)
			any |= lease_adopt(&cd->link.leases, sa->key_id, sa->id);
		else if (sa->replay_window != 0)
			lease_adopt(&cd->link.floors, sa->key_id, sa->id);
	}
	if (any && lease_flush(&cd->link.leases, &err) != 0)
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

static int
id_cmp(const void *a, const void *b)
{
	const Gw__V1__Sa *x = *(Gw__V1__Sa *const *)a, *y = *(Gw__V1__Sa *const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* The SAs of t sorted by id, for finding the old version of each new SA; NULL when out of
 * memory. */
static Gw__V1__Sa **
by_id(const Gw__V1__Tables *t)
{
	Gw__V1__Sa **v = malloc((t->n_sas + 1) * sizeof(*v));

	if (v == NULL)
		return NULL;
	if (t->n_sas > 0)
		memcpy(v, t->sas, t->n_sas * sizeof(*v));
	qsort(v, t->n_sas, sizeof(*v), id_cmp);
	return v;
}

static const Gw__V1__Sa *
find_id(Gw__V1__Sa **v, size_t n, uint64_t id)
{
	Gw__V1__Sa k = { .id = id }, *kp = &k, **hit;

	hit = n ? bsearch(&kp, v, n, sizeof(*v), id_cmp) : NULL;
	return hit ? *hit : NULL;
}

void
publish_snapshot(struct controld *cd, struct worker_rec *w)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;

	if (cd->link.sent == NULL)
		return;
	env.body_case = GW__V1__ENVELOPE__BODY_SNAPSHOT;
	env.snapshot = cd->link.sent;
	if (workers_send(cd, w, &env) == 0)
		log_info("snapshot of generation %" PRIu64 " to %s", cd->link.gen, w->id);
}

void
publish_tables(struct controld *cd)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Delta d = GW__V1__DELTA__INIT;
	Gw__V1__Tables *old = cd->link.sent, *t;
	Gw__V1__Sa **up = NULL, **old_ix = NULL;
	uint64_t *rm = NULL;

	adopt_legacy(cd);
	owners_assign(cd, NULL);
	if (cd->link.owners_moved)
		owners_save_moved(cd);
	if ((t = wire_tables(cd->conf.spd, &cd->sad, cd->link.gen + 1)) == NULL)
		fatal("out of memory");
	cd->link.gen++;
	if (old != NULL && (up = calloc(t->n_sas + 1, sizeof(*up))) != NULL &&
	    (rm = calloc(old->n_sas + 1, sizeof(*rm))) != NULL &&
	    (old_ix = by_id(old)) != NULL) {
		d.from_generation = old->generation;
		d.generation = t->generation;
		d.policies_replace = !same_policies(old, t);
		if (d.policies_replace) {
			d.policies = t->policies;
			d.n_policies = t->n_policies;
		}
		for (size_t i = 0; i < t->n_sas; i++) {
			const Gw__V1__Sa *o = find_id(old_ix, old->n_sas, t->sas[i]->id);

			if (o == NULL || !same_msg(&o->base, &t->sas[i]->base))
				up[d.n_sa_upsert++] = t->sas[i];
		}
		for (size_t i = 0; i < old->n_sas; i++) {
			const struct sa *sa = sad_find(&cd->sad, old->sas[i]->id);

			if (sa == NULL || !sa_in_tables(sa))
				rm[d.n_sa_remove++] = old->sas[i]->id;
		}
		d.sa_upsert = up;
		d.sa_remove = rm;
		env.body_case = GW__V1__ENVELOPE__BODY_DELTA;
		env.delta = &d;
		for (int k = 0; k < WORKERS_MAX; k++)
			if (cd->link.w[k].live)
				workers_send(cd, &cd->link.w[k], &env);
	}
	cd->link.sent = t;
	for (int k = 0; k < WORKERS_MAX; k++)
		workers_prune(cd, &cd->link.w[k]);
	log_info("generation %" PRIu64 ": %zu policies, %zu SAs (%zu changed, %zu removed)",
	    cd->link.gen, t->n_policies, t->n_sas, d.n_sa_upsert, d.n_sa_remove);
	if (old != NULL)
		link_free(&old->base);
	else
		for (int k = 0; k < WORKERS_MAX; k++)
			if (cd->link.w[k].live)
				publish_snapshot(cd, &cd->link.w[k]);
	free(up);
	free(rm);
	free(old_ix);
}
