/* SPDX-License-Identifier: Apache-2.0 */
/* ikev2.c: the IKEv2 part of the configuration, in IOS 15 syntax: crypto ikev2 proposal,
 * policy, keyring (with its peer blocks) and profile, each with its sub-mode; their part of
 * the model (free, dup, equal: pre-shared keys wiped, compared in constant time), their parse,
 * their checks (conf_validate), their running-config lines (keys masked for show,
 * docs/adr/0010), the show crypto ikev2 commands and the lookups the engine (controld/ike/)
 * makes.  Numbers are the IANA IKEv2 transform ids of controld/ike/ikev2.h (its enums only:
 * conf/ links nothing of ike/).  Keeps DESIGN invariant 4 like every family: a refused line
 * changes nothing, so each command checks all its words before it touches the model. */
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "controld/conf/families.h"
#include "controld/ike/ikev2.h"

#define MASKED		"*****"		/* a pre-shared key in show output */
#define DPD_INT_MIN	10u		/* IOS ranges */
#define DPD_INT_MAX	3600u
#define DPD_RETRY_MIN	2u
#define DPD_RETRY_MAX	60u
#define NATKA_MIN	5u
#define NATKA_MAX	3600u

/* ---- Names ---- */

static const struct {
	const char	*name;		/* IOS keyword */
	const char	*show;		/* show crypto ikev2 proposal */
	uint16_t	id, bits;
	bool		aead, weak;
} encr_tab[] = {
	{ "3des", "3DES", IKE_ENCR_3DES, 0, false, true },
	{ "aes-cbc-128", "AES-CBC-128", IKE_ENCR_AES_CBC, 128, false, false },
	{ "aes-cbc-192", "AES-CBC-192", IKE_ENCR_AES_CBC, 192, false, false },
	{ "aes-cbc-256", "AES-CBC-256", IKE_ENCR_AES_CBC, 256, false, false },
	{ "aes-gcm-128", "AES-GCM-128", IKE_ENCR_AES_GCM_16, 128, true, false },
	{ "aes-gcm-256", "AES-GCM-256", IKE_ENCR_AES_GCM_16, 256, true, false },
	{ "chacha20-poly1305", "CHACHA20-POLY1305", IKE_ENCR_CHACHA20_POLY1305, 0, true, false },
};

/* integrity and prf share their keywords; the ids differ (IANA Transform Types 3 and 2) */
static const struct {
	const char	*name;
	const char	*show_integ, *show_prf;
	uint16_t	integ, prf;
	bool		weak;
} hash_tab[] = {
	{ "md5", "MD596", "MD5", IKE_INTEG_HMAC_MD5_96, IKE_PRF_HMAC_MD5, true },
	{ "sha1", "SHA96", "SHA1", IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, false },
	{ "sha256", "SHA256", "SHA256", IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256,
	    false },
	{ "sha384", "SHA384", "SHA384", IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384,
	    false },
	{ "sha512", "SHA512", "SHA512", IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512,
	    false },
};

static const struct {
	uint16_t	group;
	const char	*show;
} group_tab[] = {
	{ IKE_DH_MODP1024, "DH_GROUP_1024_MODP/Group 2" },
	{ IKE_DH_MODP1536, "DH_GROUP_1536_MODP/Group 5" },
	{ IKE_DH_MODP2048, "DH_GROUP_2048_MODP/Group 14" },
	{ IKE_DH_MODP3072, "DH_GROUP_3072_MODP/Group 15" },
	{ IKE_DH_MODP4096, "DH_GROUP_4096_MODP/Group 16" },
	{ IKE_DH_ECP256, "DH_GROUP_256_ECP/Group 19" },
	{ IKE_DH_ECP384, "DH_GROUP_384_ECP/Group 20" },
	{ IKE_DH_ECP521, "DH_GROUP_521_ECP/Group 21" },
	{ IKE_DH_X25519, "DH_GROUP_CURVE25519/Group 31" },
};

static int
encr_index(uint16_t id, uint16_t bits)
{
	for (size_t i = 0; i < NELEM(encr_tab); i++)
		if (encr_tab[i].id == id && encr_tab[i].bits == bits)
			return (int)i;
	return -1;
}

static int
integ_index(uint16_t id)
{
	for (size_t i = 0; i < NELEM(hash_tab); i++)
		if (hash_tab[i].integ == id)
			return (int)i;
	return -1;
}

static int
prf_index(uint16_t id)
{
	for (size_t i = 0; i < NELEM(hash_tab); i++)
		if (hash_tab[i].prf == id)
			return (int)i;
	return -1;
}

static int
group_index(unsigned g)
{
	for (size_t i = 0; i < NELEM(group_tab); i++)
		if (group_tab[i].group == g)
			return (int)i;
	return -1;
}

const char *
conf_ikev2_encr_name(uint16_t id, uint16_t bits)
{
	int i = encr_index(id, bits);

	return i < 0 ? NULL : encr_tab[i].name;
}

const char *
conf_ikev2_integ_name(uint16_t id)
{
	int i = integ_index(id);

	return i < 0 ? NULL : hash_tab[i].name;
}

const char *
conf_ikev2_prf_name(uint16_t id)
{
	int i = prf_index(id);

	return i < 0 ? NULL : hash_tab[i].name;
}

bool
conf_ikev2_group_ok(unsigned group)
{
	return group_index(group) >= 0;
}

bool
conf_ikev2_group_weak(unsigned group)
{
	return group == IKE_DH_MODP1024 || group == IKE_DH_MODP1536;
}

static bool
encr_aead(const struct conf_ikev2_encr *e)
{
	int i = encr_index(e->id, e->bits);

	return i >= 0 && encr_tab[i].aead;
}

/* ---- The model ---- */

static void
peer_free(struct conf_ikev2_peer *p)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, sizeof(*p));		/* the pre-shared keys */
	free(p);
}

static void
keyring_free(struct conf_ikev2_keyring *k)
{
	if (k == NULL)
		return;
	for (size_t i = 0; i < k->n_peers; i++)
		peer_free(k->peers[i]);
	free(k->peers);
	free(k);
}

void
ikev2_conf_free(struct conf *c)
{
	for (size_t i = 0; i < c->n_ikev2_proposals; i++)
		free(c->ikev2_proposals[i]);
	for (size_t i = 0; i < c->n_ikev2_policies; i++)
		free(c->ikev2_policies[i]);
	for (size_t i = 0; i < c->n_ikev2_keyrings; i++)
		keyring_free(c->ikev2_keyrings[i]);
	for (size_t i = 0; i < c->n_ikev2_profiles; i++)
		free(c->ikev2_profiles[i]);
	free(c->ikev2_proposals);
	free(c->ikev2_policies);
	free(c->ikev2_keyrings);
	free(c->ikev2_profiles);
	c->ikev2_proposals = NULL;
	c->ikev2_policies = NULL;
	c->ikev2_keyrings = NULL;
	c->ikev2_profiles = NULL;
	c->n_ikev2_proposals = c->n_ikev2_policies = c->n_ikev2_keyrings = 0;
	c->n_ikev2_profiles = 0;
}

static struct conf_ikev2_keyring *
keyring_dup(const struct conf_ikev2_keyring *k)
{
	struct conf_ikev2_keyring *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	memcpy(d->name, k->name, sizeof(d->name));
	d->line = k->line;
	if (k->n_peers > 0 && (d->peers = calloc(k->n_peers, sizeof(*d->peers))) == NULL)
		goto fail;
	for (size_t i = 0; i < k->n_peers; i++) {
		if ((d->peers[i] = malloc(sizeof(*d->peers[i]))) == NULL)
			goto fail;
		*d->peers[i] = *k->peers[i];
		d->n_peers++;
	}
	return d;
fail:
	keyring_free(d);
	return NULL;
}

/* Copy n elements of plain structs (no pointers inside) from src into *dst. */
#define DUP_PLAIN(dst, src, n) ({						\
	int r_ = 0;								\
	if ((n) > 0 && ((dst) = calloc((n), sizeof(*(dst)))) == NULL)		\
		r_ = -1;							\
	for (size_t i_ = 0; r_ == 0 && i_ < (n); i_++) {			\
		if (((dst)[i_] = malloc(sizeof(*(dst)[i_]))) == NULL)		\
			r_ = -1;						\
		else								\
			*(dst)[i_] = *(src)[i_];				\
	}									\
	r_;									\
})

int
ikev2_conf_dup(struct conf *d, const struct conf *c)
{
	int r = 0;

	/* counts first, so that conf_free() of a partial copy frees what the arrays hold */
	d->n_ikev2_proposals = c->n_ikev2_proposals;
	d->n_ikev2_policies = c->n_ikev2_policies;
	d->n_ikev2_keyrings = c->n_ikev2_keyrings;
	d->n_ikev2_profiles = c->n_ikev2_profiles;
	if (DUP_PLAIN(d->ikev2_proposals, c->ikev2_proposals, c->n_ikev2_proposals) != 0 ||
	    DUP_PLAIN(d->ikev2_policies, c->ikev2_policies, c->n_ikev2_policies) != 0 ||
	    DUP_PLAIN(d->ikev2_profiles, c->ikev2_profiles, c->n_ikev2_profiles) != 0)
		r = -1;
	if (r == 0 && c->n_ikev2_keyrings > 0 && (d->ikev2_keyrings =
	    calloc(c->n_ikev2_keyrings, sizeof(*d->ikev2_keyrings))) == NULL)
		r = -1;
	for (size_t i = 0; r == 0 && i < c->n_ikev2_keyrings; i++)
		if ((d->ikev2_keyrings[i] = keyring_dup(c->ikev2_keyrings[i])) == NULL)
			r = -1;
	/* an array that failed to allocate is NULL with its count set */
	if (d->ikev2_proposals == NULL)
		d->n_ikev2_proposals = 0;
	if (d->ikev2_policies == NULL)
		d->n_ikev2_policies = 0;
	if (d->ikev2_keyrings == NULL)
		d->n_ikev2_keyrings = 0;
	if (d->ikev2_profiles == NULL)
		d->n_ikev2_profiles = 0;
	return r;
}

static bool
key_eq(const struct key *a, const struct key *b)
{
	return a->len == b->len && CRYPTO_memcmp(a->b, b->b, a->len) == 0;
}

static bool
id_equal(const struct conf_ikev2_id *a, const struct conf_ikev2_id *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case CONF_ID_ADDRESS:
		return a->addr == b->addr && a->mask == b->mask;
	case CONF_ID_FQDN:
	case CONF_ID_EMAIL:
		return strcmp(a->text, b->text) == 0;
	default:
		return true;
	}
}

static bool
proposal_equal(const struct conf_ikev2_proposal *a, const struct conf_ikev2_proposal *b)
{
	if (strcmp(a->name, b->name) != 0 || a->n_encr != b->n_encr || a->n_integ != b->n_integ ||
	    a->n_prf != b->n_prf || a->n_group != b->n_group)
		return false;
	for (unsigned i = 0; i < a->n_encr; i++)
		if (a->encr[i].id != b->encr[i].id || a->encr[i].bits != b->encr[i].bits)
			return false;
	return memcmp(a->integ, b->integ, a->n_integ * sizeof(a->integ[0])) == 0 &&
	    memcmp(a->prf, b->prf, a->n_prf * sizeof(a->prf[0])) == 0 &&
	    memcmp(a->group, b->group, a->n_group * sizeof(a->group[0])) == 0;
}

static bool
policy_equal(const struct conf_ikev2_policy *a, const struct conf_ikev2_policy *b)
{
	if (strcmp(a->name, b->name) != 0 || a->n_proposals != b->n_proposals ||
	    a->n_match_local != b->n_match_local)
		return false;
	for (unsigned i = 0; i < a->n_proposals; i++)
		if (strcmp(a->proposals[i], b->proposals[i]) != 0)
			return false;
	return memcmp(a->match_local, b->match_local,
	    a->n_match_local * sizeof(a->match_local[0])) == 0;
}

static bool
peer_equal(const struct conf_ikev2_peer *a, const struct conf_ikev2_peer *b)
{
	/* both keys compared whatever the first gives: the time says nothing of which differs */
	bool lk = key_eq(&a->psk_local, &b->psk_local);
	bool rk = key_eq(&a->psk_remote, &b->psk_remote);

	return lk && rk && strcmp(a->name, b->name) == 0 && a->has_addr == b->has_addr &&
	    (!a->has_addr || (a->addr == b->addr && a->mask == b->mask)) &&
	    id_equal(&a->identity, &b->identity);
}

static bool
keyring_equal(const struct conf_ikev2_keyring *a, const struct conf_ikev2_keyring *b)
{
	if (strcmp(a->name, b->name) != 0 || a->n_peers != b->n_peers)
		return false;
	for (size_t i = 0; i < a->n_peers; i++)
		if (!peer_equal(a->peers[i], b->peers[i]))
			return false;
	return true;
}

static bool
profile_equal(const struct conf_ikev2_profile *a, const struct conf_ikev2_profile *b)
{
	if (strcmp(a->name, b->name) != 0 || a->n_match_remote != b->n_match_remote ||
	    !id_equal(&a->local_id, &b->local_id) || a->auth_local_psk != b->auth_local_psk ||
	    a->auth_remote_psk != b->auth_remote_psk || strcmp(a->keyring, b->keyring) != 0 ||
	    a->lifetime_sec != b->lifetime_sec || a->dpd_interval != b->dpd_interval ||
	    a->dpd_retry != b->dpd_retry || a->dpd_mode != b->dpd_mode ||
	    a->nat_keepalive != b->nat_keepalive)
		return false;
	for (unsigned i = 0; i < a->n_match_remote; i++)
		if (!id_equal(&a->match_remote[i], &b->match_remote[i]))
			return false;
	return true;
}

bool
ikev2_conf_equal(const struct conf *a, const struct conf *b)
{
	if (a->n_ikev2_proposals != b->n_ikev2_proposals ||
	    a->n_ikev2_policies != b->n_ikev2_policies ||
	    a->n_ikev2_keyrings != b->n_ikev2_keyrings ||
	    a->n_ikev2_profiles != b->n_ikev2_profiles)
		return false;
	for (size_t i = 0; i < a->n_ikev2_proposals; i++)
		if (!proposal_equal(a->ikev2_proposals[i], b->ikev2_proposals[i]))
			return false;
	for (size_t i = 0; i < a->n_ikev2_policies; i++)
		if (!policy_equal(a->ikev2_policies[i], b->ikev2_policies[i]))
			return false;
	for (size_t i = 0; i < a->n_ikev2_keyrings; i++)
		if (!keyring_equal(a->ikev2_keyrings[i], b->ikev2_keyrings[i]))
			return false;
	for (size_t i = 0; i < a->n_ikev2_profiles; i++)
		if (!profile_equal(a->ikev2_profiles[i], b->ikev2_profiles[i]))
			return false;
	return true;
}

/* ---- Lookups ---- */

struct conf_ikev2_proposal *
conf_ikev2_proposal_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->ikev2_proposals, c->n_ikev2_proposals, name);
}

struct conf_ikev2_policy *
conf_ikev2_policy_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->ikev2_policies, c->n_ikev2_policies, name);
}

struct conf_ikev2_keyring *
conf_ikev2_keyring_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->ikev2_keyrings, c->n_ikev2_keyrings, name);
}

struct conf_ikev2_profile *
conf_ikev2_profile_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->ikev2_profiles, c->n_ikev2_profiles, name);
}

static struct conf_ikev2_peer *
peer_find_name(const struct conf_ikev2_keyring *k, const char *name)
{
	return FIND_BY_NAME(k->peers, k->n_peers, name);
}

const struct conf_ikev2_profile *
conf_entry_ikev2_profile(const struct conf *c, const struct conf_map_entry *e)
{
	return e->ikev2_profile[0] != '\0' ? conf_ikev2_profile_find(c, e->ikev2_profile) : NULL;
}

const struct conf_ikev2_policy *
conf_ikev2_policy_for(const struct conf *c, uint32_t local)
{
	const struct conf_ikev2_policy *any = NULL;

	for (size_t i = 0; i < c->n_ikev2_policies; i++) {
		const struct conf_ikev2_policy *p = c->ikev2_policies[i];

		if (p->n_match_local == 0 && any == NULL)
			any = p;
		for (unsigned k = 0; k < p->n_match_local; k++)
			if (p->match_local[k] == local)
				return p;
	}
	return any;
}

/* id (received) is the configured identity m: an address within m's address and mask. */
static bool
id_matches(const struct conf_ikev2_id *m, const struct conf_ikev2_id *id)
{
	if (m->type != id->type)
		return false;
	switch (m->type) {
	case CONF_ID_ADDRESS:
		return (id->addr & m->mask) == m->addr;
	case CONF_ID_FQDN:
		return strcasecmp(m->text, id->text) == 0;	/* DNS names: case-insensitive */
	case CONF_ID_EMAIL:
		return strcmp(m->text, id->text) == 0;
	default:
		return false;
	}
}

bool
conf_ikev2_profile_match(const struct conf_ikev2_profile *p, const struct conf_ikev2_id *remote)
{
	for (unsigned i = 0; i < p->n_match_remote; i++)
		if (id_matches(&p->match_remote[i], remote))
			return true;
	return false;
}

const struct conf_ikev2_profile *
conf_ikev2_profile_for_id(const struct conf *c, const struct conf_ikev2_id *remote)
{
	for (size_t i = 0; i < c->n_ikev2_profiles; i++)
		if (conf_ikev2_profile_match(c->ikev2_profiles[i], remote))
			return c->ikev2_profiles[i];
	return NULL;
}

static unsigned
mask_len(uint32_t m)
{
	unsigned n = 0;

	while (m & 0x80000000u) {
		n++;
		m <<= 1;
	}
	return n;
}

const struct conf_ikev2_peer *
conf_ikev2_peer_find(const struct conf_ikev2_keyring *k, uint32_t addr,
    const struct conf_ikev2_id *id)
{
	const struct conf_ikev2_peer *best = NULL;

	for (size_t i = 0; id != NULL && i < k->n_peers; i++) {
		const struct conf_ikev2_id *pi = &k->peers[i]->identity;

		if (pi->type != CONF_ID_NONE && id_matches(pi, id))
			return k->peers[i];
	}
	for (size_t i = 0; i < k->n_peers; i++) {
		const struct conf_ikev2_peer *p = k->peers[i];

		if (p->has_addr && (addr & p->mask) == p->addr &&
		    (best == NULL || mask_len(p->mask) > mask_len(best->mask)))
			best = p;
	}
	return best;
}

void
conf_ikev2_local_id(const struct conf_ikev2_profile *p, uint32_t local,
    struct conf_ikev2_id *out)
{
	if (p != NULL && p->local_id.type != CONF_ID_NONE) {
		*out = p->local_id;
		return;
	}
	memset(out, 0, sizeof(*out));
	out->type = CONF_ID_ADDRESS;
	out->addr = local;
	out->mask = 0xffffffffu;
}

uint32_t
conf_ikev2_lifetime(const struct conf_ikev2_profile *p)
{
	return p->lifetime_sec != 0 ? p->lifetime_sec : CONF_IKEV2_LIFETIME_DEFAULT;
}

bool
conf_ikev2_proposal_aead(const struct conf_ikev2_proposal *p)
{
	for (unsigned i = 0; i < p->n_encr; i++)
		if (!encr_aead(&p->encr[i]))
			return false;
	return p->n_encr > 0;
}

unsigned
conf_ikev2_proposal_prfs(const struct conf_ikev2_proposal *p, uint16_t out[CONF_IKEV2_ALGS_MAX])
{
	unsigned n = 0;

	if (p->n_prf > 0) {
		memcpy(out, p->prf, p->n_prf * sizeof(out[0]));
		return p->n_prf;
	}
	for (unsigned i = 0; i < p->n_integ; i++) {
		int k = integ_index(p->integ[i]);
		bool dup = false;

		if (k < 0)
			continue;
		for (unsigned j = 0; j < n; j++)
			dup |= out[j] == hash_tab[k].prf;
		if (!dup)
			out[n++] = hash_tab[k].prf;
	}
	return n;
}

unsigned
conf_entry_replay_window(const struct conf_map_entry *e)
{
	if (e->replay_window != 0)
		return e->replay_window;
	return e->kind == CONF_MAP_MANUAL ? 0 : CONF_REPLAY_DEFAULT;
}

/* ---- Parse: words ---- */

static bool
mask_ok(uint32_t m)
{
	return (m & (~m >> 1)) == 0;		/* ones, then zeros */
}

/* An identity at word i: "address A [MASK]" (mask only when with_mask), "fqdn NAME",
 * "email X".  The number of words it took, or -1 with p->err. */
static int
parse_id(struct pl *p, int i, const char *what, bool with_mask, struct conf_ikev2_id *id)
{
	const char *v = word(p, i + 1);
	size_t len = strlen(v);

	memset(id, 0, sizeof(*id));
	id->mask = 0xffffffffu;
	if (kw(p, i, "address")) {
		id->type = CONF_ID_ADDRESS;
		if (!ipv4(v, &id->addr))
			return perr(p, "%s address \"%.40s\": not an IPv4 address", what, v);
		if (with_mask && p->l->n > i + 2) {
			if (!ipv4(word(p, i + 2), &id->mask) || !mask_ok(id->mask))
				return perr(p, "%s address %s \"%.40s\": not a contiguous mask",
				    what, v, word(p, i + 2));
			if (id->addr & ~id->mask)
				return perr(p, "%s address %s %s: address bits outside the mask",
				    what, v, word(p, i + 2));
			return 3;
		}
		return 2;
	}
	if (kw(p, i, "fqdn") || kw(p, i, "email")) {
		bool email = kw(p, i, "email");

		id->type = email ? CONF_ID_EMAIL : CONF_ID_FQDN;
		if (kw(p, i + 1, "domain"))
			return perr(p, "%s fqdn domain: not supported (give the whole name)",
			    what);
		if (len == 0)
			return perr(p, "%s %s needs a %s", what, word(p, i),
			    email ? "mail address" : "name");
		if (len >= CONF_IKEV2_ID_MAX)
			return perr(p, "%s %s: longer than %d characters", what, word(p, i),
			    CONF_IKEV2_ID_MAX - 1);
		for (size_t k = 0; k < len; k++)
			if ((unsigned char)v[k] <= 0x20 || (unsigned char)v[k] >= 0x7f)
				return perr(p, "%s %s \"%.40s\": only printable ASCII", what,
				    word(p, i), v);
		if (email && (strchr(v, '@') == NULL || v[0] == '@' || v[len - 1] == '@'))
			return perr(p, "%s email \"%.40s\": not a mail address (user@domain)",
			    what, v);
		memcpy(id->text, v, len + 1);
		return 2;
	}
	return perr(p, "%s \"%.40s\": expected address, fqdn or email", what, word(p, i));
}

static void
id_show(const struct conf_ikev2_id *id, bool with_mask, FILE *out)
{
	char b[16];

	switch (id->type) {
	case CONF_ID_ADDRESS:
		fprintf(out, "address %s", ip_str(id->addr, b));
		if (with_mask)
			fprintf(out, " %s", ip_str(id->mask, b));
		break;
	case CONF_ID_FQDN:
		fprintf(out, "fqdn %s", id->text);
		break;
	case CONF_ID_EMAIL:
		fprintf(out, "email %s", id->text);
		break;
	default:
		fputs("none", out);
		break;
	}
}

/* ---- Parse: crypto ikev2 NAME (the global commands) ---- */

#define CREATE(arr, n, nm_, ln_) ({					\
	__typeof__((arr)[0]) o_ = calloc(1, sizeof(*o_));			\
	if (o_ != NULL) {							\
		copy_name(o_->name, (nm_));					\
		o_->line = (ln_);						\
		if (PTR_APPEND((arr), (n), o_) != 0) {				\
			free(o_);						\
			o_ = NULL;						\
		}								\
	}									\
	o_;									\
})

/* Remove element o (freed by freefn) from arr. */
#define DELETE(arr, n, o, freefn) do {						\
	for (size_t d_ = 0; d_ < (n); d_++)					\
		if ((arr)[d_] == (o)) {						\
			PTR_REMOVE((arr), (n), d_);				\
			break;							\
		}								\
	freefn(o);								\
} while (0)

/* crypto ikev2 {proposal|policy|keyring|profile} NAME; no crypto ikev2 ... NAME */
int
ikev2_conf_cmd(struct pl *p, bool no)
{
	struct conf *c = p->s->c;
	const char *what = word(p, 2), *name = word(p, 3);
	enum conf_submode mode;

	where(p, "crypto ikev2 %.20s %.40s", what, name);
	if (kw(p, 2, "proposal"))
		mode = CONF_SM_IKEV2_PROPOSAL;
	else if (kw(p, 2, "policy"))
		mode = CONF_SM_IKEV2_POLICY;
	else if (kw(p, 2, "keyring"))
		mode = CONF_SM_IKEV2_KEYRING;
	else if (kw(p, 2, "profile"))
		mode = CONF_SM_IKEV2_PROFILE;
	else
		return perr(p, "\"%.40s\": expected proposal, policy, keyring or profile", what);
	where(p, "crypto ikev2 %s %.40s", word(p, 2), name);
	if (name_ok(p, word(p, 2), name) != 0 || extra(p, 4) != 0)
		return -1;
	switch (mode) {
	case CONF_SM_IKEV2_PROPOSAL: {
		struct conf_ikev2_proposal *o = conf_ikev2_proposal_find(c, name);

		if (no) {
			if (o != NULL)
				DELETE(c->ikev2_proposals, c->n_ikev2_proposals, o, free);
			return 0;
		}
		if (o == NULL && (o = CREATE(c->ikev2_proposals, c->n_ikev2_proposals, name,
		    p->lineno)) == NULL)
			return oom(p);
		p->s->ikev2_proposal = o;
		break;
	}
	case CONF_SM_IKEV2_POLICY: {
		struct conf_ikev2_policy *o = conf_ikev2_policy_find(c, name);

		if (no) {
			if (o != NULL)
				DELETE(c->ikev2_policies, c->n_ikev2_policies, o, free);
			return 0;
		}
		if (o == NULL && (o = CREATE(c->ikev2_policies, c->n_ikev2_policies, name,
		    p->lineno)) == NULL)
			return oom(p);
		p->s->ikev2_policy = o;
		break;
	}
	case CONF_SM_IKEV2_KEYRING: {
		struct conf_ikev2_keyring *o = conf_ikev2_keyring_find(c, name);

		if (no) {
			if (o != NULL)
				DELETE(c->ikev2_keyrings, c->n_ikev2_keyrings, o, keyring_free);
			return 0;
		}
		if (o == NULL && (o = CREATE(c->ikev2_keyrings, c->n_ikev2_keyrings, name,
		    p->lineno)) == NULL)
			return oom(p);
		p->s->ikev2_keyring = o;
		break;
	}
	default: {
		struct conf_ikev2_profile *o = conf_ikev2_profile_find(c, name);

		if (no) {
			if (o != NULL)
				DELETE(c->ikev2_profiles, c->n_ikev2_profiles, o, free);
			return 0;
		}
		if (o == NULL && (o = CREATE(c->ikev2_profiles, c->n_ikev2_profiles, name,
		    p->lineno)) == NULL)
			return oom(p);
		p->s->ikev2_profile = o;
		break;
	}
	}
	p->s->mode = mode;
	return 0;
}

/* ---- Parse: config-ikev2-proposal ---- */

/* One algorithm word of the proposal's kind k: its id (and bits), or -1. */
enum alg_kind { ALG_ENCR, ALG_INTEG, ALG_PRF, ALG_GROUP };

static int
alg_parse(enum alg_kind k, const char *w, uint16_t *id, uint16_t *bits)
{
	unsigned long v;

	*bits = 0;
	switch (k) {
	case ALG_ENCR:
		for (size_t i = 0; i < NELEM(encr_tab); i++)
			if (strcasecmp(encr_tab[i].name, w) == 0) {
				*id = encr_tab[i].id;
				*bits = encr_tab[i].bits;
				return 0;
			}
		return -1;
	case ALG_INTEG:
	case ALG_PRF:
		for (size_t i = 0; i < NELEM(hash_tab); i++)
			if (strcasecmp(hash_tab[i].name, w) == 0) {
				*id = k == ALG_INTEG ? hash_tab[i].integ : hash_tab[i].prf;
				return 0;
			}
		return -1;
	default:
		if (!num(w, 1, 255, &v) || !conf_ikev2_group_ok((unsigned)v))
			return -1;
		*id = (uint16_t)v;
		return 0;
	}
}

static const char *const alg_words[] = { "encryption", "integrity", "prf", "group" };
static const char *const alg_choices[] = {
	"aes-cbc-128, aes-cbc-192, aes-cbc-256, aes-gcm-128, aes-gcm-256, chacha20-poly1305, 3des",
	"sha1, sha256, sha384, sha512, md5",
	"sha1, sha256, sha384, sha512, md5",
	"14, 15, 16, 19, 20, 21, 31 (Curve25519), 2, 5",
};

/* encryption|integrity|prf|group ALG... (appended in order, repeats ignored);
 * no ... [ALG...] removes those, or all. */
static int
proposal_algs(struct pl *p, struct conf_ikev2_proposal *o, enum alg_kind k, bool no)
{
	struct conf_ikev2_encr list[CONF_IKEV2_ALGS_MAX];
	uint8_t n = 0, *np;
	int nw = p->l->n - 1;

	switch (k) {
	case ALG_ENCR:
		n = o->n_encr;
		memcpy(list, o->encr, sizeof(list));
		np = &o->n_encr;
		break;
	case ALG_INTEG:
		n = o->n_integ;
		np = &o->n_integ;
		break;
	case ALG_PRF:
		n = o->n_prf;
		np = &o->n_prf;
		break;
	default:
		n = o->n_group;
		np = &o->n_group;
		break;
	}
	if (k != ALG_ENCR) {
		const uint16_t *src = k == ALG_INTEG ? o->integ : k == ALG_PRF ? o->prf : o->group;

		for (unsigned i = 0; i < n; i++)
			list[i] = (struct conf_ikev2_encr){ src[i], 0 };
	}
	if (nw == 0 && !no)
		return perr(p, "%s needs at least one of %s", alg_words[k], alg_choices[k]);
	if (nw == 0)
		n = 0;
	for (int w = 1; w <= nw; w++) {
		struct conf_ikev2_encr a;
		unsigned at = n;

		if (alg_parse(k, word(p, w), &a.id, &a.bits) != 0)
			return perr(p, "%s \"%.40s\": not one of %s", alg_words[k], word(p, w),
			    alg_choices[k]);
		for (unsigned i = 0; i < n; i++)
			if (list[i].id == a.id && list[i].bits == a.bits)
				at = i;
		if (no && at < n) {
			memmove(&list[at], &list[at + 1], (n - at - 1) * sizeof(list[0]));
			n--;
		} else if (!no && at == n) {
			if (n == CONF_IKEV2_ALGS_MAX)
				return perr(p, "%s: at most %d", alg_words[k],
				    CONF_IKEV2_ALGS_MAX);
			list[n++] = a;
		}
	}
	*np = n;
	for (unsigned i = 0; i < n; i++) {
		if (k == ALG_ENCR)
			o->encr[i] = list[i];
		else
			(k == ALG_INTEG ? o->integ : k == ALG_PRF ? o->prf : o->group)[i] =
			    list[i].id;
	}
	return 0;
}

static int
proposal_mode(struct pl *p, bool no)
{
	struct conf_ikev2_proposal *o = p->s->ikev2_proposal;

	where(p, "crypto ikev2 proposal %s", o->name);
	for (enum alg_kind k = ALG_ENCR; k <= ALG_GROUP; k++)
		if (kw(p, 0, alg_words[k]))
			return proposal_algs(p, o, k, no);
	return 1;
}

/* ---- Parse: config-ikev2-policy ---- */

static int
policy_mode(struct pl *p, bool no)
{
	struct conf_ikev2_policy *o = p->s->ikev2_policy;

	where(p, "crypto ikev2 policy %s", o->name);
	if (kw(p, 0, "proposal")) {
		const char *nm = word(p, 1);
		unsigned at = o->n_proposals;

		if (no && p->l->n == 1) {
			o->n_proposals = 0;
			return 0;
		}
		if (name_ok(p, "proposal", nm) != 0 || extra(p, 2) != 0)
			return -1;
		for (unsigned i = 0; i < o->n_proposals; i++)
			if (strcmp(o->proposals[i], nm) == 0)
				at = i;
		if (no && at < o->n_proposals) {
			memmove(&o->proposals[at], &o->proposals[at + 1],
			    (o->n_proposals - at - 1) * sizeof(o->proposals[0]));
			o->n_proposals--;
		} else if (!no && at == o->n_proposals) {
			if (o->n_proposals == CONF_IKEV2_MATCH_MAX)
				return perr(p, "proposal: at most %d", CONF_IKEV2_MATCH_MAX);
			copy_name(o->proposals[o->n_proposals++], nm);
		}
		return 0;
	}
	if (kw(p, 0, "match")) {
		uint32_t a;
		unsigned at = o->n_match_local;

		if (kw(p, 1, "fvrf"))
			return perr(p, "match fvrf: VRFs are not supported (every policy is for "
			    "the global table)");
		if (!kw(p, 1, "address") || !kw(p, 2, "local"))
			return perr(p, "match \"%.40s\": expected address local", word(p, 1));
		if (no && p->l->n == 3) {
			o->n_match_local = 0;
			return 0;
		}
		if (!ipv4(word(p, 3), &a))
			return perr(p, "match address local \"%.40s\": not an IPv4 address",
			    word(p, 3));
		if (extra(p, 4) != 0)
			return -1;
		for (unsigned i = 0; i < o->n_match_local; i++)
			if (o->match_local[i] == a)
				at = i;
		if (no && at < o->n_match_local) {
			memmove(&o->match_local[at], &o->match_local[at + 1],
			    (o->n_match_local - at - 1) * sizeof(o->match_local[0]));
			o->n_match_local--;
		} else if (!no && at == o->n_match_local) {
			if (o->n_match_local == CONF_IKEV2_MATCH_MAX)
				return perr(p, "match address local: at most %d",
				    CONF_IKEV2_MATCH_MAX);
			o->match_local[o->n_match_local++] = a;
		}
		return 0;
	}
	return 1;
}

/* ---- Parse: config-ikev2-keyring and its peers ---- */

static int
keyring_mode(struct pl *p, bool no)
{
	struct conf_ikev2_keyring *k = p->s->ikev2_keyring;
	struct conf_ikev2_peer *o;
	const char *nm = word(p, 1);

	where(p, "crypto ikev2 keyring %s", k->name);
	if (!kw(p, 0, "peer"))
		return 1;
	if (name_ok(p, "peer", nm) != 0 || extra(p, 2) != 0)
		return -1;
	o = peer_find_name(k, nm);
	if (no) {
		if (o != NULL) {
			if (p->s->mode == CONF_SM_IKEV2_PEER && p->s->ikev2_peer == o)
				p->s->mode = CONF_SM_IKEV2_KEYRING;
			DELETE(k->peers, k->n_peers, o, peer_free);
		}
		return 0;
	}
	if (o == NULL) {
		if (k->n_peers == CONF_IKEV2_PEERS_MAX)
			return perr(p, "peer %.40s: at most %d peers in a keyring", nm,
			    CONF_IKEV2_PEERS_MAX);
		if ((o = CREATE(k->peers, k->n_peers, nm, p->lineno)) == NULL)
			return oom(p);
	}
	p->s->ikev2_peer = o;
	p->s->mode = CONF_SM_IKEV2_PEER;
	return 0;
}

/* Is w the mask show running-config prints for a key? */
static bool
is_masked(const char *w)
{
	return strcmp(w, MASKED) == 0;
}

/* pre-shared-key [local|remote] [0|6] KEY; no pre-shared-key [local|remote] [...].
 * Never echoes a word that may be the key. */
static int
peer_psk(struct pl *p, struct conf_ikev2_peer *o, bool no)
{
	bool local = true, remote = true;
	struct key k;
	const char *v;
	size_t len;
	int i = 1;

	if (kw(p, 1, "local") || kw(p, 1, "remote")) {
		local = kw(p, 1, "local");
		remote = !local;
		i = 2;
	}
	if (no) {
		/* the rest (a key) is not checked, as IOS */
		if (local)
			OPENSSL_cleanse(&o->psk_local, sizeof(o->psk_local));
		if (remote)
			OPENSSL_cleanse(&o->psk_remote, sizeof(o->psk_remote));
		return 0;
	}
	if (p->l->n - i == 2 && (strcmp(word(p, i), "0") == 0 || strcmp(word(p, i), "6") == 0)) {
		if (strcmp(word(p, i), "6") == 0)
			return perr(p, "pre-shared-key 6: no master key here to decrypt it; "
			    "give the key itself (0 KEY)");
		i++;
	}
	if (p->l->n <= i)
		return perr(p, "pre-shared-key needs the key");
	if (p->l->n > i + 1)
		return perr(p, "pre-shared-key: the key is one word (words of this command "
		    "are not echoed)");
	v = word(p, i);
	len = strlen(v);
	if (is_masked(v))
		return perr(p, "pre-shared-key %s: this is the mask show running-config "
		    "prints, not a key; give the key itself", MASKED);
	if (len > sizeof(k.b))
		return perr(p, "pre-shared-key: longer than %zu characters", sizeof(k.b));
	memset(&k, 0, sizeof(k));
	k.len = (uint16_t)len;
	memcpy(k.b, v, len);
	if (local) {
		OPENSSL_cleanse(&o->psk_local, sizeof(o->psk_local));
		o->psk_local = k;
	}
	if (remote) {
		OPENSSL_cleanse(&o->psk_remote, sizeof(o->psk_remote));
		o->psk_remote = k;
	}
	OPENSSL_cleanse(&k, sizeof(k));
	return 0;
}

static int
peer_mode(struct pl *p, bool no)
{
	struct conf_ikev2_peer *o = p->s->ikev2_peer;
	struct conf_ikev2_id id;
	int r;

	where(p, "crypto ikev2 keyring %s peer %s", p->s->ikev2_keyring->name, o->name);
	if (kw(p, 0, "address")) {
		uint32_t a, m = 0xffffffffu;

		if (no) {
			o->has_addr = false;
			o->addr = o->mask = 0;
			return 0;
		}
		if (!ipv4(word(p, 1), &a))
			return perr(p, "address \"%.40s\": not an IPv4 address", word(p, 1));
		if (p->l->n > 2 && (!ipv4(word(p, 2), &m) || !mask_ok(m)))
			return perr(p, "address %s \"%.40s\": not a contiguous mask", word(p, 1),
			    word(p, 2));
		if (a & ~m)
			return perr(p, "address %s %s: address bits outside the mask", word(p, 1),
			    word(p, 2));
		if (extra(p, 3) != 0)
			return -1;
		o->has_addr = true;
		o->addr = a;
		o->mask = m;
		return 0;
	}
	if (kw(p, 0, "identity")) {
		if (no) {
			memset(&o->identity, 0, sizeof(o->identity));
			return 0;
		}
		if ((r = parse_id(p, 1, "identity", false, &id)) < 0 || extra(p, 1 + r) != 0)
			return -1;
		o->identity = id;
		return 0;
	}
	if (kw(p, 0, "pre-shared-key"))
		return peer_psk(p, o, no);
	return 1;
}

/* ---- Parse: config-ikev2-profile ---- */

static int
profile_match(struct pl *p, struct conf_ikev2_profile *o, bool no)
{
	struct conf_ikev2_id id;
	unsigned at = o->n_match_remote;
	int r;

	if (kw(p, 1, "certificate") || kw(p, 1, "fvrf") || kw(p, 1, "local"))
		return perr(p, "match %s: not supported (match identity remote only)",
		    word(p, 1));
	if (!kw(p, 1, "identity") || !kw(p, 2, "remote"))
		return perr(p, "match \"%.40s\": expected identity remote", word(p, 1));
	if (no && p->l->n == 3) {
		o->n_match_remote = 0;
		return 0;
	}
	if ((r = parse_id(p, 3, "match identity remote", true, &id)) < 0 || extra(p, 3 + r) != 0)
		return -1;
	for (unsigned i = 0; i < o->n_match_remote; i++)
		if (id_equal(&o->match_remote[i], &id))
			at = i;
	if (no && at < o->n_match_remote) {
		memmove(&o->match_remote[at], &o->match_remote[at + 1],
		    (o->n_match_remote - at - 1) * sizeof(o->match_remote[0]));
		o->n_match_remote--;
	} else if (!no && at == o->n_match_remote) {
		if (o->n_match_remote == CONF_IKEV2_MATCH_MAX)
			return perr(p, "match identity remote: at most %d", CONF_IKEV2_MATCH_MAX);
		o->match_remote[o->n_match_remote++] = id;
	}
	return 0;
}

static int
profile_auth(struct pl *p, struct conf_ikev2_profile *o, bool no)
{
	bool local = kw(p, 1, "local");

	if (!local && !kw(p, 1, "remote"))
		return perr(p, "authentication \"%.40s\": expected local or remote", word(p, 1));
	if (no && p->l->n == 2) {
		*(local ? &o->auth_local_psk : &o->auth_remote_psk) = false;
		return 0;
	}
	if (kw(p, 2, "rsa-sig") || kw(p, 2, "ecdsa-sig") || kw(p, 2, "eap"))
		return perr(p, "authentication %s %s: not supported (pre-share only)", word(p, 1),
		    word(p, 2));
	if (!kw(p, 2, "pre-share"))
		return perr(p, "authentication %s \"%.40s\": expected pre-share", word(p, 1),
		    word(p, 2));
	if (extra(p, 3) != 0)
		return -1;
	*(local ? &o->auth_local_psk : &o->auth_remote_psk) = !no;
	return 0;
}

static int
profile_num(struct pl *p, int i, const char *what, unsigned long lo, unsigned long hi,
    unsigned long *v)
{
	if (!num(word(p, i), lo, hi, v))
		return perr(p, "%s \"%.40s\": not in %lu-%lu", what, word(p, i), lo, hi);
	return 0;
}

static int
profile_mode(struct pl *p, bool no)
{
	struct conf_ikev2_profile *o = p->s->ikev2_profile;
	unsigned long v = 0, r = 0;	/* set before use; -O3 cannot see it */
	int n;

	where(p, "crypto ikev2 profile %s", o->name);
	if (kw(p, 0, "match"))
		return profile_match(p, o, no);
	if (kw(p, 0, "identity")) {
		struct conf_ikev2_id id;

		if (!kw(p, 1, "local"))
			return perr(p, "identity \"%.40s\": expected local", word(p, 1));
		if (no) {
			memset(&o->local_id, 0, sizeof(o->local_id));
			return 0;
		}
		if ((n = parse_id(p, 2, "identity local", false, &id)) < 0 || extra(p, 2 + n) != 0)
			return -1;
		o->local_id = id;
		return 0;
	}
	if (kw(p, 0, "authentication"))
		return profile_auth(p, o, no);
	if (kw(p, 0, "keyring")) {
		/* keyring local NAME (IOS 15.1+); keyring NAME (older IOS) taken as well */
		int i = kw(p, 1, "local") ? 2 : 1;

		if (kw(p, 1, "aaa"))
			return perr(p, "keyring aaa: not supported (keyring local only)");
		if (no) {
			o->keyring[0] = '\0';
			return 0;
		}
		if (name_ok(p, "keyring", word(p, i)) != 0 || extra(p, i + 1) != 0)
			return -1;
		copy_name(o->keyring, word(p, i));
		return 0;
	}
	if (kw(p, 0, "lifetime")) {
		if (no) {
			o->lifetime_sec = 0;
			return 0;
		}
		if (profile_num(p, 1, "lifetime", CONF_LIFETIME_SEC_MIN, CONF_LIFETIME_SEC_MAX,
		    &v) != 0 || extra(p, 2) != 0)
			return -1;
		o->lifetime_sec = (uint32_t)v;
		return 0;
	}
	if (kw(p, 0, "dpd")) {
		enum conf_dpd_mode m;

		if (no) {
			o->dpd_interval = o->dpd_retry = 0;
			o->dpd_mode = CONF_DPD_NONE;
			return 0;
		}
		if (profile_num(p, 1, "dpd interval", DPD_INT_MIN, DPD_INT_MAX, &v) != 0 ||
		    profile_num(p, 2, "dpd retry", DPD_RETRY_MIN, DPD_RETRY_MAX, &r) != 0)
			return -1;
		if (kw(p, 3, "on-demand"))
			m = CONF_DPD_ON_DEMAND;
		else if (kw(p, 3, "periodic"))
			m = CONF_DPD_PERIODIC;
		else
			return perr(p, "dpd %lu %lu \"%.40s\": expected on-demand or periodic", v,
			    r, word(p, 3));
		if (extra(p, 4) != 0)
			return -1;
		o->dpd_interval = (uint16_t)v;
		o->dpd_retry = (uint16_t)r;
		o->dpd_mode = m;
		return 0;
	}
	if (kw(p, 0, "nat")) {
		if (!kw(p, 1, "keepalive"))
			return perr(p, "nat \"%.40s\": expected keepalive", word(p, 1));
		if (no) {
			o->nat_keepalive = 0;
			return 0;
		}
		if (profile_num(p, 2, "nat keepalive", NATKA_MIN, NATKA_MAX, &v) != 0 ||
		    extra(p, 3) != 0)
			return -1;
		o->nat_keepalive = (uint16_t)v;
		return 0;
	}
	return 1;
}

/* The four sub-modes.  In a keyring's peer block, a line that is not a peer command is tried
 * as a keyring command (another "peer NAME"), as IOS climbs its mode tree. */
int
ikev2_conf_mode(struct pl *p, bool no)
{
	int r;

	switch (p->s->mode) {
	case CONF_SM_IKEV2_PROPOSAL:
		return proposal_mode(p, no);
	case CONF_SM_IKEV2_POLICY:
		return policy_mode(p, no);
	case CONF_SM_IKEV2_KEYRING:
		return keyring_mode(p, no);
	case CONF_SM_IKEV2_PEER:
		if ((r = peer_mode(p, no)) != 1)
			return r;
		return keyring_mode(p, no);
	case CONF_SM_IKEV2_PROFILE:
		return profile_mode(p, no);
	default:
		return 1;
	}
}

/* ---- Checks (conf_validate) ---- */

static int
check_proposal(const struct conf_ikev2_proposal *o, struct gw_err *err, FILE *warnings)
{
	unsigned n_aead = 0;

	for (unsigned i = 0; i < o->n_encr; i++)
		n_aead += encr_aead(&o->encr[i]);
	if (o->n_encr == 0)
		return gw_fail(err, o->line, "crypto ikev2 proposal %s: needs encryption",
		    o->name);
	if (o->n_group == 0)
		return gw_fail(err, o->line, "crypto ikev2 proposal %s: needs group", o->name);
	/* RFC 7296 §3.3: one proposal's encryptions either all combine integrity or none;
	 * refused as IOS does, not split into two proposals */
	if (n_aead > 0 && n_aead < o->n_encr)
		return gw_fail(err, o->line, "crypto ikev2 proposal %s: AEAD encryption (aes-gcm, "
		    "chacha20-poly1305) and other encryption in one proposal; make two proposals",
		    o->name);
	if (n_aead > 0 && o->n_integ > 0)
		return gw_fail(err, o->line, "crypto ikev2 proposal %s: integrity with AEAD "
		    "encryption (it has its own); remove integrity, keep prf", o->name);
	if (n_aead > 0 && o->n_prf == 0)
		return gw_fail(err, o->line, "crypto ikev2 proposal %s: AEAD encryption needs prf "
		    "(there is no integrity to take it from)", o->name);
	if (n_aead == 0 && o->n_integ == 0)
		return gw_fail(err, o->line, "crypto ikev2 proposal %s: needs integrity", o->name);
	for (unsigned i = 0; warnings != NULL && i < o->n_encr; i++) {
		int k = encr_index(o->encr[i].id, o->encr[i].bits);

		if (k >= 0 && encr_tab[k].weak)
			fprintf(warnings, "warning: crypto ikev2 proposal %s: encryption %s is a "
			    "legacy algorithm\n", o->name, encr_tab[k].name);
	}
	for (unsigned i = 0; warnings != NULL && i < o->n_integ; i++)
		if (o->integ[i] == IKE_INTEG_HMAC_MD5_96)
			fprintf(warnings, "warning: crypto ikev2 proposal %s: integrity md5 is a "
			    "legacy algorithm\n", o->name);
	for (unsigned i = 0; warnings != NULL && i < o->n_prf; i++)
		if (o->prf[i] == IKE_PRF_HMAC_MD5)
			fprintf(warnings, "warning: crypto ikev2 proposal %s: prf md5 is a legacy "
			    "algorithm\n", o->name);
	for (unsigned i = 0; warnings != NULL && i < o->n_group; i++)
		if (conf_ikev2_group_weak(o->group[i]))
			fprintf(warnings, "warning: crypto ikev2 proposal %s: group %u is a weak "
			    "Diffie-Hellman group\n", o->name, o->group[i]);
	return 0;
}

static int
check_policy(const struct conf *c, const struct conf_ikev2_policy *o, struct gw_err *err)
{
	if (o->n_proposals == 0)
		return gw_fail(err, o->line, "crypto ikev2 policy %s: needs proposal", o->name);
	for (unsigned i = 0; i < o->n_proposals; i++)
		if (conf_ikev2_proposal_find(c, o->proposals[i]) == NULL)
			return gw_fail(err, o->line, "crypto ikev2 policy %s: proposal %s is not "
			    "defined", o->name, o->proposals[i]);
	return 0;
}

static int
check_keyring(const struct conf_ikev2_keyring *k, struct gw_err *err)
{
	for (size_t i = 0; i < k->n_peers; i++) {
		const struct conf_ikev2_peer *o = k->peers[i];

		if (!o->has_addr && o->identity.type == CONF_ID_NONE)
			return gw_fail(err, o->line, "crypto ikev2 keyring %s peer %s: needs "
			    "address or identity", k->name, o->name);
	}
	return 0;
}

/* Any profile: its keyring exists; pre-share needs one, whose peers hold the keys it uses. */
static int
check_profile(const struct conf *c, const struct conf_ikev2_profile *o, struct gw_err *err)
{
	const struct conf_ikev2_keyring *k = NULL;

	if (o->keyring[0] != '\0' && (k = conf_ikev2_keyring_find(c, o->keyring)) == NULL)
		return gw_fail(err, o->line, "crypto ikev2 profile %s: keyring %s is not defined",
		    o->name, o->keyring);
	if ((o->auth_local_psk || o->auth_remote_psk) && k == NULL)
		return gw_fail(err, o->line, "crypto ikev2 profile %s: authentication pre-share "
		    "needs keyring local", o->name);
	for (size_t i = 0; k != NULL && i < k->n_peers; i++) {
		const struct conf_ikev2_peer *pe = k->peers[i];

		if ((o->auth_local_psk && pe->psk_local.len == 0) ||
		    (o->auth_remote_psk && pe->psk_remote.len == 0))
			return gw_fail(err, pe->line, "crypto ikev2 keyring %s peer %s: needs "
			    "pre-shared-key%s (profile %s authenticates %s with it)", k->name,
			    pe->name, pe->psk_local.len == 0 && pe->psk_remote.len == 0 ? "" :
			    pe->psk_local.len == 0 ? " local" : " remote", o->name,
			    pe->psk_local.len == 0 && o->auth_local_psk ? "us" : "the peer");
	}
	return 0;
}

/* A profile named by a map entry: complete, as IOS wants it before using it. */
static int
check_used_profile(const struct conf_map *m, const struct conf_map_entry *e,
    const struct conf_ikev2_profile *o, struct gw_err *err)
{
	const char *what = NULL;

	if (o->n_match_remote == 0)
		what = "match identity remote";
	else if (!o->auth_local_psk)
		what = "authentication local pre-share";
	else if (!o->auth_remote_psk)
		what = "authentication remote pre-share";
	if (what != NULL)
		return gw_fail(err, o->line, "crypto ikev2 profile %s: needs %s (used by crypto "
		    "%s %s %u)", o->name, what, m->dynamic ? "dynamic-map" : "map", m->name,
		    e->seq);
	return 0;
}

static int
check_entry(const struct conf *c, const struct conf_map *m, const struct conf_map_entry *e,
    struct gw_err *err, FILE *warnings)
{
	const struct conf_ikev2_profile *o;
	const char *mk = m->dynamic ? "dynamic-map" : "map";

	if (e->ikev2_profile[0] == '\0')
		return 0;
	if ((o = conf_ikev2_profile_find(c, e->ikev2_profile)) == NULL)
		return gw_fail(err, e->line, "crypto %s %s %u: ikev2-profile %s is not defined",
		    mk, m->name, e->seq, e->ikev2_profile);
	if (check_used_profile(m, e, o, err) != 0)
		return -1;
	if (c->n_ikev2_policies == 0)
		return gw_fail(err, e->line, "crypto %s %s %u: set ikev2-profile: no crypto ikev2 "
		    "policy is configured (there is no default proposal)", mk, m->name, e->seq);
	if (e->pfs != 0 && !conf_ikev2_group_ok(e->pfs))
		return gw_fail(err, e->line, "crypto %s %s %u: set pfs group%u: not a group of "
		    "IKEv2 (14, 15, 16, 19, 20, 21, 31; 2, 5)", mk, m->name, e->seq, e->pfs);
	if (warnings != NULL && conf_ikev2_group_weak(e->pfs))
		fprintf(warnings, "warning: crypto %s %s %u: set pfs group%u is a weak "
		    "Diffie-Hellman group\n", mk, m->name, e->seq, e->pfs);
	return 0;
}

int
ikev2_conf_check(const struct conf *c, struct gw_err *err, FILE *warnings)
{
	for (size_t i = 0; i < c->n_ikev2_proposals; i++)
		if (check_proposal(c->ikev2_proposals[i], err, warnings) != 0)
			return -1;
	for (size_t i = 0; i < c->n_ikev2_policies; i++)
		if (check_policy(c, c->ikev2_policies[i], err) != 0)
			return -1;
	for (size_t i = 0; i < c->n_ikev2_keyrings; i++)
		if (check_keyring(c->ikev2_keyrings[i], err) != 0)
			return -1;
	for (size_t i = 0; i < c->n_ikev2_profiles; i++)
		if (check_profile(c, c->ikev2_profiles[i], err) != 0)
			return -1;
	for (int dyn = 0; dyn < 2; dyn++) {
		struct conf_map **maps = dyn ? c->dynmaps : c->maps;
		size_t n = dyn ? c->n_dynmaps : c->n_maps;

		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < maps[i]->n_entries; k++)
				if (check_entry(c, maps[i], maps[i]->entries[k], err,
				    warnings) != 0)
					return -1;
	}
	return 0;
}

/* ---- Running configuration ---- */

static void
running_algs(enum alg_kind k, const uint16_t *v, unsigned n, FILE *out)
{
	if (n == 0)
		return;
	fprintf(out, " %s", alg_words[k]);
	for (unsigned i = 0; i < n; i++) {
		if (k == ALG_GROUP)
			fprintf(out, " %u", v[i]);
		else
			fprintf(out, " %s", k == ALG_PRF ? conf_ikev2_prf_name(v[i]) :
			    conf_ikev2_integ_name(v[i]));
	}
	fputc('\n', out);
}

static bool
psk_keyword(const char *w, size_t n)
{
	return (n == 5 && strncasecmp(w, "local", 5) == 0) ||
	    (n == 6 && strncasecmp(w, "remote", 6) == 0) ||
	    (n == 1 && (w[0] == '0' || w[0] == '6'));
}

/* A key as the parser takes it back: "0 KEY" when the key could be read as a keyword. */
static void
running_key(const char *side, const struct key *k, bool secrets, FILE *out)
{
	bool kwlike;

	fprintf(out, "  pre-shared-key %s", side);
	if (!secrets) {
		fputs(MASKED "\n", out);
		return;
	}
	kwlike = psk_keyword((const char *)k->b, k->len);
	if (kwlike)
		fputs("0 ", out);
	fwrite(k->b, 1, k->len, out);
	fputc('\n', out);
}

static void
running_peer(const struct conf_ikev2_peer *o, bool secrets, FILE *out)
{
	char b[16];

	fprintf(out, " peer %s\n", o->name);
	if (o->has_addr) {
		fprintf(out, "  address %s", ip_str(o->addr, b));
		if (o->mask != 0xffffffffu)
			fprintf(out, " %s", ip_str(o->mask, b));
		fputc('\n', out);
	}
	if (o->identity.type != CONF_ID_NONE) {
		fputs("  identity ", out);
		id_show(&o->identity, false, out);
		fputc('\n', out);
	}
	if (o->psk_local.len > 0 && key_eq(&o->psk_local, &o->psk_remote)) {
		running_key("", &o->psk_local, secrets, out);
	} else {
		if (o->psk_local.len > 0)
			running_key("local ", &o->psk_local, secrets, out);
		if (o->psk_remote.len > 0)
			running_key("remote ", &o->psk_remote, secrets, out);
	}
	fputs(" !\n", out);
}

static void
running_profile(const struct conf_ikev2_profile *o, FILE *out)
{
	static const char *const dpd[] = { "", "on-demand", "periodic" };

	fprintf(out, "crypto ikev2 profile %s\n", o->name);
	for (unsigned i = 0; i < o->n_match_remote; i++) {
		fputs(" match identity remote ", out);
		id_show(&o->match_remote[i], true, out);
		fputc('\n', out);
	}
	if (o->local_id.type != CONF_ID_NONE) {
		fputs(" identity local ", out);
		id_show(&o->local_id, false, out);
		fputc('\n', out);
	}
	if (o->auth_remote_psk)
		fputs(" authentication remote pre-share\n", out);
	if (o->auth_local_psk)
		fputs(" authentication local pre-share\n", out);
	if (o->keyring[0] != '\0')
		fprintf(out, " keyring local %s\n", o->keyring);
	if (o->lifetime_sec != 0)
		fprintf(out, " lifetime %u\n", o->lifetime_sec);
	if (o->dpd_mode != CONF_DPD_NONE)
		fprintf(out, " dpd %u %u %s\n", o->dpd_interval, o->dpd_retry, dpd[o->dpd_mode]);
	if (o->nat_keepalive != 0)
		fprintf(out, " nat keepalive %u\n", o->nat_keepalive);
	fputs("!\n", out);
}

void
ikev2_conf_running(const struct conf *c, bool secrets, FILE *out)
{
	char b[16];

	for (size_t i = 0; i < c->n_ikev2_proposals; i++) {
		const struct conf_ikev2_proposal *o = c->ikev2_proposals[i];

		fprintf(out, "crypto ikev2 proposal %s\n", o->name);
		if (o->n_encr > 0) {
			fputs(" encryption", out);
			for (unsigned k = 0; k < o->n_encr; k++)
				fprintf(out, " %s", conf_ikev2_encr_name(o->encr[k].id,
				    o->encr[k].bits));
			fputc('\n', out);
		}
		running_algs(ALG_INTEG, o->integ, o->n_integ, out);
		running_algs(ALG_PRF, o->prf, o->n_prf, out);
		running_algs(ALG_GROUP, o->group, o->n_group, out);
		fputs("!\n", out);
	}
	for (size_t i = 0; i < c->n_ikev2_policies; i++) {
		const struct conf_ikev2_policy *o = c->ikev2_policies[i];

		fprintf(out, "crypto ikev2 policy %s\n", o->name);
		for (unsigned k = 0; k < o->n_match_local; k++)
			fprintf(out, " match address local %s\n", ip_str(o->match_local[k], b));
		for (unsigned k = 0; k < o->n_proposals; k++)
			fprintf(out, " proposal %s\n", o->proposals[k]);
		fputs("!\n", out);
	}
	for (size_t i = 0; i < c->n_ikev2_keyrings; i++) {
		const struct conf_ikev2_keyring *k = c->ikev2_keyrings[i];

		fprintf(out, "crypto ikev2 keyring %s\n", k->name);
		for (size_t j = 0; j < k->n_peers; j++)
			running_peer(k->peers[j], secrets, out);
		fputs("!\n", out);
	}
	for (size_t i = 0; i < c->n_ikev2_profiles; i++)
		running_profile(c->ikev2_profiles[i], out);
}

/* One line of a configuration text, with its key masked if it is a pre-shared-key line, as
 * conf_show_running() writes it: local and remote are kept unless they are the last word, the
 * key type (0, 6) is dropped, the first other word and all after it become one MASKED. */
static void
masked_line(const char *l, size_t len, FILE *out)
{
	size_t b = 0, w, e, next;

	if (isakmp_masked_line(l, len, out))
		return;
	while (b < len && is_space((unsigned char)l[b]))
		b++;
	if (len - b < 14 || strncasecmp(l + b, "pre-shared-key", 14) != 0 ||
	    (len - b > 14 && !is_space((unsigned char)l[b + 14]))) {
		fwrite(l, 1, len, out);
		return;
	}
	fwrite(l, 1, b + 14, out);
	for (w = b + 14; ; w = e) {
		while (w < len && is_space((unsigned char)l[w]))
			w++;
		if (w == len)
			return;
		for (e = w; e < len && !is_space((unsigned char)l[e]); e++)
			;
		for (next = e; next < len && is_space((unsigned char)l[next]); next++)
			;
		if (next == len || !psk_keyword(l + w, e - w)) {
			fputs(" " MASKED, out);
			return;
		}
		if (e - w > 1)		/* local, remote; not the type (0, 6), as show running */
			fprintf(out, " %.*s", (int)(e - w), l + w);
	}
}

static void	masked_text(const char *text, FILE *out);

void
conf_show_masked(const char *text, FILE *out)
{
	static const char hdr[] = "Building configuration...\n\nCurrent configuration : ";
	const char *body;
	char *m = NULL;
	size_t len = 0;
	FILE *f;

	/* show running-config's headers: the byte count is the masked text's */
	if (strncmp(text, hdr, sizeof(hdr) - 1) != 0 ||
	    (body = strchr(text + sizeof(hdr) - 1, '\n')) == NULL ||
	    (f = open_memstream(&m, &len)) == NULL) {
		masked_text(text, out);
		return;
	}
	masked_text(body + 1, f);
	fclose(f);
	fprintf(out, "%.*s%zu bytes\n", (int)(sizeof(hdr) - 1), hdr, len);
	fwrite(m, 1, len, out);
	free(m);
}

static void
masked_text(const char *text, FILE *out)
{
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t len = nl != NULL ? (size_t)(nl - text) : strlen(text);

		masked_line(text, len, out);
		if (nl != NULL)
			fputc('\n', out);
		text += len + (nl != NULL);
	}
}

/* ---- show crypto ikev2 proposal | policy | profile ---- */

void
conf_show_ikev2_proposals(const struct conf *c, const char *name, FILE *out)
{
	uint16_t prf[CONF_IKEV2_ALGS_MAX];

	for (size_t i = 0; i < c->n_ikev2_proposals; i++) {
		const struct conf_ikev2_proposal *o = c->ikev2_proposals[i];
		unsigned n;

		if (name != NULL && strcmp(name, o->name) != 0)
			continue;
		fprintf(out, " IKEv2 proposal: %s\n", o->name);
		fputs("     Encryption : ", out);
		for (unsigned k = 0; k < o->n_encr; k++) {
			int x = encr_index(o->encr[k].id, o->encr[k].bits);

			fprintf(out, "%s ", x >= 0 ? encr_tab[x].show : "?");
		}
		fputs("\n     Integrity  : ", out);
		for (unsigned k = 0; k < o->n_integ; k++) {
			int x = integ_index(o->integ[k]);

			fprintf(out, "%s ", x >= 0 ? hash_tab[x].show_integ : "?");
		}
		if (o->n_integ == 0)
			fputs("none ", out);
		fputs("\n     PRF        : ", out);
		n = conf_ikev2_proposal_prfs(o, prf);
		for (unsigned k = 0; k < n; k++) {
			int x = prf_index(prf[k]);

			fprintf(out, "%s ", x >= 0 ? hash_tab[x].show_prf : "?");
		}
		fputs("\n     DH Group   : ", out);
		for (unsigned k = 0; k < o->n_group; k++) {
			int x = group_index(o->group[k]);

			fprintf(out, "%s ", x >= 0 ? group_tab[x].show : "?");
		}
		fputs("\n\n", out);
	}
}

void
conf_show_ikev2_policies(const struct conf *c, const char *name, FILE *out)
{
	char b[16];

	for (size_t i = 0; i < c->n_ikev2_policies; i++) {
		const struct conf_ikev2_policy *o = c->ikev2_policies[i];

		if (name != NULL && strcmp(name, o->name) != 0)
			continue;
		fprintf(out, " IKEv2 policy : %s\n", o->name);
		fputs("      Match fvrf : global\n", out);
		fputs("      Match address local : ", out);
		for (unsigned k = 0; k < o->n_match_local; k++)
			fprintf(out, "%s ", ip_str(o->match_local[k], b));
		if (o->n_match_local == 0)
			fputs("any ", out);
		fputs("\n      Proposal    : ", out);
		for (unsigned k = 0; k < o->n_proposals; k++)
			fprintf(out, "%s ", o->proposals[k]);
		fputs("\n\n", out);
	}
}

/* How many map entries name profile nm (IOS's "Ref Count"). */
static unsigned
profile_refs(const struct conf *c, const char *nm)
{
	unsigned n = 0;

	for (int dyn = 0; dyn < 2; dyn++) {
		struct conf_map **maps = dyn ? c->dynmaps : c->maps;
		size_t nm_ = dyn ? c->n_dynmaps : c->n_maps;

		for (size_t i = 0; i < nm_; i++)
			for (size_t k = 0; k < maps[i]->n_entries; k++)
				n += strcmp(maps[i]->entries[k]->ikev2_profile, nm) == 0;
	}
	return n;
}

void
conf_show_ikev2_profiles(const struct conf *c, const char *name, FILE *out)
{
	static const char *const dpd[] = { "", "on-demand", "periodic" };

	for (size_t i = 0; i < c->n_ikev2_profiles; i++) {
		const struct conf_ikev2_profile *o = c->ikev2_profiles[i];

		if (name != NULL && strcmp(name, o->name) != 0)
			continue;
		fprintf(out, "IKEv2 profile: %s\n", o->name);
		fprintf(out, " Ref Count: %u\n", profile_refs(c, o->name));
		fputs(" Match criteria: \n  Fvrf: global\n  Local address/interface: none\n"
		    "  Identities: ", out);
		if (o->n_match_remote == 0)
			fputs("none", out);
		fputc('\n', out);
		for (unsigned k = 0; k < o->n_match_remote; k++) {
			fputs("   ", out);
			id_show(&o->match_remote[k], o->match_remote[k].type == CONF_ID_ADDRESS,
			    out);
			fputc('\n', out);
		}
		fputs("  Certificate maps: none\n Local identifier: ", out);
		if (o->local_id.type == CONF_ID_NONE)
			fputs("address (of the local address)", out);
		else
			id_show(&o->local_id, false, out);
		fprintf(out, "\n Remote identifier: none\n");
		fprintf(out, " Local authentication method: %s\n", o->auth_local_psk ?
		    "pre-share" : "none");
		fprintf(out, " Remote authentication method(s): %s\n", o->auth_remote_psk ?
		    "pre-share" : "none");
		fprintf(out, " EAP options: none\n Keyring: %s\n Trustpoint(s): none\n",
		    o->keyring[0] != '\0' ? o->keyring : "none");
		fprintf(out, " Lifetime: %u seconds\n", conf_ikev2_lifetime(o));
		if (o->dpd_mode == CONF_DPD_NONE)
			fputs(" DPD: disabled\n", out);
		else
			fprintf(out, " DPD: interval %u, retry %u, %s\n", o->dpd_interval,
			    o->dpd_retry, dpd[o->dpd_mode]);
		if (o->nat_keepalive == 0)
			fputs(" NAT-keepalive: disabled\n", out);
		else
			fprintf(out, " NAT-keepalive: %u seconds\n", o->nat_keepalive);
		fputs(" Ivrf: none\n Virtual-template: none\n\n", out);
	}
}
