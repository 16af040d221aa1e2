/* SPDX-License-Identifier: Apache-2.0 */
/* model.c: the configuration as a whole: new, free (wiping every session key), deep copy,
 * equality and conf_validate, each by asking the command families for their part
 * (families.h), IKEv2's and IKEv1's included (ikev2.c, isakmp.c).  A partial copy that ran out of memory frees
 * what it holds. */
#include <string.h>

#include "controld/conf/families.h"

struct conf *
conf_new(void)
{
	struct conf *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	strcpy(c->hostname, CONF_HOSTNAME_DEFAULT);
	c->lifetime_sec = CONF_LIFETIME_SEC_DEFAULT;
	c->lifetime_kb = CONF_LIFETIME_KB_DEFAULT;
	logging_conf_init(c);
	return c;
}

void
conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_acls; i++)
		acl_free(c->acls[i]);
	for (size_t i = 0; i < c->n_tsets; i++)
		free(c->tsets[i]);
	for (size_t i = 0; i < c->n_maps; i++)
		map_free(c->maps[i]);
	for (size_t i = 0; i < c->n_dynmaps; i++)
		map_free(c->dynmaps[i]);
	for (size_t i = 0; i < c->n_ifs; i++)
		intf_free(c->ifs[i]);
	free(c->acls);
	free(c->tsets);
	free(c->maps);
	free(c->dynmaps);
	free(c->ifs);
	ikev2_conf_free(c);
	isakmp_conf_free(c);
	pubkey_conf_free(c);
	ign_conf_free(c);
	free(c);
}

#define DUP_ARRAY(dst, src, n, dupfn) ({					\
	int r_ = 0;								\
	if ((n) > 0 && ((dst) = calloc((n), sizeof(*(dst)))) == NULL)		\
		r_ = -1;							\
	for (size_t i_ = 0; r_ == 0 && i_ < (n); i_++)				\
		if (((dst)[i_] = dupfn((src)[i_])) == NULL)			\
			r_ = -1;						\
	r_;									\
})

struct conf *
conf_dup(const struct conf *c)
{
	struct conf *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	memcpy(d->hostname, c->hostname, sizeof(d->hostname));
	memcpy(d->source, c->source, sizeof(d->source));
	d->lifetime_sec = c->lifetime_sec;
	d->lifetime_kb = c->lifetime_kb;
	d->show_layout = c->show_layout;
	d->logging = c->logging;
	/* counts are set before each copy so that conf_free() of a partial copy frees what the
	 * arrays hold (calloc: unfilled slots are NULL and the element frees are NULL-safe) */
	d->n_acls = c->n_acls;
	if (DUP_ARRAY(d->acls, c->acls, c->n_acls, acl_dup) != 0)
		goto fail;
	d->n_tsets = c->n_tsets;
	if (DUP_ARRAY(d->tsets, c->tsets, c->n_tsets, tset_dup) != 0)
		goto fail;
	d->n_maps = c->n_maps;
	if (DUP_ARRAY(d->maps, c->maps, c->n_maps, map_dup) != 0)
		goto fail;
	d->n_dynmaps = c->n_dynmaps;
	if (DUP_ARRAY(d->dynmaps, c->dynmaps, c->n_dynmaps, map_dup) != 0)
		goto fail;
	d->n_ifs = c->n_ifs;
	if (DUP_ARRAY(d->ifs, c->ifs, c->n_ifs, intf_dup) != 0)
		goto fail;
	if (ikev2_conf_dup(d, c) != 0 || isakmp_conf_dup(d, c) != 0 ||
	    pubkey_conf_dup(d, c) != 0 || ign_conf_dup(d, c) != 0)
		goto fail;
	return d;
fail:
	/* an array that failed to allocate is NULL with its count set: clear those counts */
	if (d->acls == NULL)
		d->n_acls = 0;
	if (d->tsets == NULL)
		d->n_tsets = 0;
	if (d->maps == NULL)
		d->n_maps = 0;
	if (d->dynmaps == NULL)
		d->n_dynmaps = 0;
	if (d->ifs == NULL)
		d->n_ifs = 0;
	conf_free(d);
	return NULL;
}

bool
conf_equal(const struct conf *a, const struct conf *b)
{
	if (strcmp(a->hostname, b->hostname) != 0 || a->lifetime_sec != b->lifetime_sec ||
	    a->lifetime_kb != b->lifetime_kb || a->show_layout != b->show_layout ||
	    a->n_acls != b->n_acls ||
	    a->n_tsets != b->n_tsets || a->n_maps != b->n_maps ||
	    a->n_dynmaps != b->n_dynmaps || a->n_ifs != b->n_ifs)
		return false;
	for (size_t i = 0; i < a->n_acls; i++)
		if (!acl_equal(a->acls[i], b->acls[i]))
			return false;
	for (size_t i = 0; i < a->n_tsets; i++)
		if (!tset_equal(a->tsets[i], b->tsets[i]))
			return false;
	for (size_t i = 0; i < a->n_maps; i++)
		if (!map_equal(a->maps[i], b->maps[i]))
			return false;
	for (size_t i = 0; i < a->n_dynmaps; i++)
		if (!map_equal(a->dynmaps[i], b->dynmaps[i]))
			return false;
	for (size_t i = 0; i < a->n_ifs; i++)
		if (!intf_equal(a->ifs[i], b->ifs[i]))
			return false;
	return ikev2_conf_equal(a, b) && isakmp_conf_equal(a, b) && pubkey_conf_equal(a, b) &&
	    ign_conf_equal(a, b) && logging_conf_equal(a, b);
}

int
conf_validate(const struct conf *c, struct gw_err *err, FILE *warnings)
{
	if (intf_check(c, err) != 0 || map_check(c, err, warnings) != 0 ||
	    ikev2_conf_check(c, err, warnings) != 0 || isakmp_conf_check(c, err, warnings) != 0 ||
	    acl_check(c, err, warnings) != 0)
		return -1;
	return 0;
}
