/* SPDX-License-Identifier: Apache-2.0 */
/* isakmp.c: the IKEv1 part of the configuration, in IOS 11.3 syntax (the seed's "Internet Key
 * Exchange Security Protocol" commands, with the later keywords engineers paste): crypto
 * isakmp policy N (its sub-mode, config-isakmp), crypto isakmp key, identity, keepalive, nat
 * keepalive, enable, aggressive-mode disable; their part of the model (free, dup, equal:
 * pre-shared keys wiped, compared in constant time), their parse, their checks
 * (conf_validate), their running-config lines (keys masked for show, docs/adr/0010), show
 * crypto isakmp policy and the lookups the IKEv1 engine will make.  Only configuration: no
 * exchange is made here.  Keeps DESIGN invariant 4 like every family: a refused line changes
 * nothing, so each command checks all its words before it touches the model, and no message
 * echoes a word that may be a key. */
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "controld/conf/families.h"

#define MASKED		"*****"		/* a pre-shared key in show output */
#define KA_MIN		10u		/* crypto isakmp keepalive: IOS ranges */
#define KA_MAX		3600u
#define KA_RETRY_MIN	2u
#define KA_RETRY_MAX	60u
#define NATKA_MIN	5u		/* crypto isakmp nat keepalive */
#define NATKA_MAX	3600u

/* ---- Names ---- */

static const struct {
	const char	*name;		/* running config: "aes 256" */
	const char	*show;		/* show crypto isakmp policy */
	enum conf_isakmp_encr	e;
	uint16_t	bits;
	bool		weak;
} encr_tab[] = {
	{ "des", "DES - Data Encryption Standard (56 bit keys).", CONF_ISAKMP_DES, 0, true },
	{ "3des", "Three key triple DES", CONF_ISAKMP_3DES, 0, false },
	{ "aes", "AES - Advanced Encryption Standard (128 bit keys).", CONF_ISAKMP_AES, 128,
	    false },
	{ "aes 192", "AES - Advanced Encryption Standard (192 bit keys).", CONF_ISAKMP_AES, 192,
	    false },
	{ "aes 256", "AES - Advanced Encryption Standard (256 bit keys).", CONF_ISAKMP_AES, 256,
	    false },
};

static const struct {
	const char		*name, *show;
	enum conf_isakmp_hash	h;
} hash_tab[] = {
	{ "sha", "Secure Hash Standard", CONF_ISAKMP_SHA },
	{ "md5", "Message Digest 5", CONF_ISAKMP_MD5 },
	{ "sha256", "Secure Hash Standard 2 (256 bit)", CONF_ISAKMP_SHA256 },
	{ "sha384", "Secure Hash Standard 2 (384 bit)", CONF_ISAKMP_SHA384 },
	{ "sha512", "Secure Hash Standard 2 (512 bit)", CONF_ISAKMP_SHA512 },
};

static const struct {
	uint8_t		group;
	const char	*show;
} group_tab[] = {
	{ 1, "#1 (768 bit)" }, { 2, "#2 (1024 bit)" }, { 5, "#5 (1536 bit)" },
	{ 14, "#14 (2048 bit)" }, { 15, "#15 (3072 bit)" }, { 16, "#16 (4096 bit)" },
	{ 19, "#19 (256 bit ecp)" }, { 20, "#20 (384 bit ecp)" }, { 21, "#21 (521 bit ecp)" },
};

#define ENCR_CHOICES	"des, 3des, aes [128|192|256]"
#define HASH_CHOICES	"sha, sha256, sha384, sha512, md5"
#define GROUP_CHOICES	"1, 2, 5, 14, 15, 16, 19, 20, 21"

static const struct conf_isakmp_policy default_policy = {
	.priority = 65535, .encr = CONF_ISAKMP_DES, .hash = CONF_ISAKMP_SHA,
	.auth = CONF_ISAKMP_RSA_SIG, .group = CONF_ISAKMP_GROUP_DEFAULT,
	.lifetime = CONF_ISAKMP_LIFETIME_DEFAULT,
};

static int
encr_index(enum conf_isakmp_encr e, uint16_t bits)
{
	for (size_t i = 0; i < NELEM(encr_tab); i++)
		if (encr_tab[i].e == e && encr_tab[i].bits == bits)
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
conf_isakmp_encr_name(enum conf_isakmp_encr e)
{
	switch (e) {
	case CONF_ISAKMP_DES:
		return "des";
	case CONF_ISAKMP_3DES:
		return "3des";
	default:
		return "aes";
	}
}

const char *
conf_isakmp_hash_name(enum conf_isakmp_hash h)
{
	for (size_t i = 0; i < NELEM(hash_tab); i++)
		if (hash_tab[i].h == h)
			return hash_tab[i].name;
	return "?";
}

const char *
conf_isakmp_auth_name(enum conf_isakmp_auth a)
{
	return a == CONF_ISAKMP_PRE_SHARE ? "pre-share" : "rsa-sig";
}

bool
conf_isakmp_group_ok(unsigned group)
{
	return group_index(group) >= 0;
}

bool
conf_isakmp_group_weak(unsigned group)
{
	return group == 1 || group == 2 || group == 5;
}

enum conf_ike_version
conf_entry_ike_version(const struct conf_map_entry *e)
{
	if (e->kind != CONF_MAP_ISAKMP)
		return CONF_IKE_NONE;
	return e->ikev2_profile[0] != '\0' ? CONF_IKE_V2 : CONF_IKE_V1;
}

const struct conf_isakmp_policy *
conf_isakmp_default_policy(void)
{
	return &default_policy;
}

/* ---- The model ---- */

static void
key_free(struct conf_isakmp_key *k)
{
	if (k == NULL)
		return;
	OPENSSL_cleanse(k, sizeof(*k));		/* the pre-shared key */
	free(k);
}

void
isakmp_conf_free(struct conf *c)
{
	struct conf_isakmp *s = &c->isakmp;

	for (size_t i = 0; i < s->n_policies; i++)
		free(s->policies[i]);
	for (size_t i = 0; i < s->n_keys; i++)
		key_free(s->keys[i]);
	free(s->policies);
	free(s->keys);
	memset(s, 0, sizeof(*s));
}

int
isakmp_conf_dup(struct conf *d, const struct conf *c)
{
	struct conf_isakmp *t = &d->isakmp;
	const struct conf_isakmp *s = &c->isakmp;

	*t = *s;
	t->policies = NULL;
	t->keys = NULL;
	t->n_policies = t->n_keys = 0;
	if (s->n_policies > 0 && (t->policies = calloc(s->n_policies, sizeof(*t->policies))) ==
	    NULL)
		return -1;
	for (size_t i = 0; i < s->n_policies; i++) {
		if ((t->policies[i] = malloc(sizeof(*t->policies[i]))) == NULL)
			return -1;
		*t->policies[i] = *s->policies[i];
		t->n_policies++;
	}
	if (s->n_keys > 0 && (t->keys = calloc(s->n_keys, sizeof(*t->keys))) == NULL)
		return -1;
	for (size_t i = 0; i < s->n_keys; i++) {
		if ((t->keys[i] = malloc(sizeof(*t->keys[i]))) == NULL)
			return -1;
		*t->keys[i] = *s->keys[i];
		t->n_keys++;
	}
	return 0;
}

static bool
policy_equal(const struct conf_isakmp_policy *a, const struct conf_isakmp_policy *b)
{
	return a->priority == b->priority && a->encr == b->encr && a->bits == b->bits &&
	    a->hash == b->hash && a->auth == b->auth && a->group == b->group &&
	    a->lifetime == b->lifetime;
}

static bool
key_equal(const struct conf_isakmp_key *a, const struct conf_isakmp_key *b)
{
	/* the key compared first, whatever the rest: the time says nothing of what differs */
	bool k = a->psk.len == b->psk.len && CRYPTO_memcmp(a->psk.b, b->psk.b, a->psk.len) == 0;

	if (a->by_host != b->by_host)
		return false;
	if (a->by_host)
		return k && strcmp(a->host, b->host) == 0;
	return k && a->addr == b->addr && a->mask == b->mask;
}

bool
isakmp_conf_equal(const struct conf *a, const struct conf *b)
{
	const struct conf_isakmp *x = &a->isakmp, *y = &b->isakmp;

	if (x->disabled != y->disabled || x->aggressive_disabled != y->aggressive_disabled ||
	    x->identity != y->identity || x->keepalive != y->keepalive ||
	    x->keepalive_retry != y->keepalive_retry ||
	    x->keepalive_periodic != y->keepalive_periodic ||
	    x->nat_keepalive != y->nat_keepalive || x->n_policies != y->n_policies ||
	    x->n_keys != y->n_keys)
		return false;
	for (size_t i = 0; i < x->n_policies; i++)
		if (!policy_equal(x->policies[i], y->policies[i]))
			return false;
	for (size_t i = 0; i < x->n_keys; i++)
		if (!key_equal(x->keys[i], y->keys[i]))
			return false;
	return true;
}

/* ---- Lookups ---- */

struct conf_isakmp_policy *
conf_isakmp_policy_find(const struct conf *c, unsigned prio)
{
	for (size_t i = 0; i < c->isakmp.n_policies; i++)
		if (c->isakmp.policies[i]->priority == prio)
			return c->isakmp.policies[i];
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

const struct conf_isakmp_key *
conf_isakmp_key_find(const struct conf *c, uint32_t addr, const char *name)
{
	const struct conf_isakmp_key *best = NULL;

	for (size_t i = 0; name != NULL && i < c->isakmp.n_keys; i++) {
		const struct conf_isakmp_key *k = c->isakmp.keys[i];

		if (k->by_host && strcasecmp(k->host, name) == 0)
			return k;
	}
	for (size_t i = 0; i < c->isakmp.n_keys; i++) {
		const struct conf_isakmp_key *k = c->isakmp.keys[i];

		if (!k->by_host && (addr & k->mask) == k->addr &&
		    (best == NULL || mask_len(k->mask) > mask_len(best->mask)))
			best = k;
	}
	return best;
}

/* ---- Parse: crypto isakmp policy N ---- */

static bool
mask_ok(uint32_t m)
{
	return (m & (~m >> 1)) == 0;		/* ones, then zeros */
}

static int
cmd_policy(struct pl *p, bool no)
{
	struct conf_isakmp *s = &p->s->c->isakmp;
	struct conf_isakmp_policy *o, **arr;
	unsigned long prio;
	size_t at;

	where(p, "crypto isakmp policy");
	if (p->l->n < 4)
		return perr(p, "needs a priority (%u-%u)", CONF_ISAKMP_PRIO_MIN,
		    CONF_ISAKMP_PRIO_MAX);
	if (!num(word(p, 3), CONF_ISAKMP_PRIO_MIN, CONF_ISAKMP_PRIO_MAX, &prio))
		return perr(p, "\"%.40s\": not a priority in %u-%u", word(p, 3),
		    CONF_ISAKMP_PRIO_MIN, CONF_ISAKMP_PRIO_MAX);
	where(p, "crypto isakmp policy %lu", prio);
	if (extra(p, 4) != 0)
		return -1;
	o = conf_isakmp_policy_find(p->s->c, (unsigned)prio);
	if (no) {
		for (size_t i = 0; o != NULL && i < s->n_policies; i++)
			if (s->policies[i] == o) {
				PTR_REMOVE(s->policies, s->n_policies, i);
				free(o);
				break;
			}
		return 0;
	}
	if (o == NULL) {
		if ((o = calloc(1, sizeof(*o))) == NULL)
			return oom(p);
		*o = default_policy;
		o->priority = (uint16_t)prio;
		o->line = p->lineno;
		if ((arr = realloc(s->policies, (s->n_policies + 1) * sizeof(*arr))) == NULL) {
			free(o);
			return oom(p);
		}
		s->policies = arr;
		for (at = 0; at < s->n_policies && s->policies[at]->priority < prio; at++)
			;
		memmove(&arr[at + 1], &arr[at], (s->n_policies - at) * sizeof(*arr));
		arr[at] = o;
		s->n_policies++;
	}
	p->s->isakmp_policy = o;
	p->s->mode = CONF_SM_ISAKMP_POLICY;
	return 0;
}

/* ---- Parse: config-isakmp ---- */

static int
policy_encr(struct pl *p, struct conf_isakmp_policy *o, bool no)
{
	enum conf_isakmp_encr e;
	unsigned long bits = 0;
	int i = 2;

	if (no) {
		o->encr = CONF_ISAKMP_DES;
		o->bits = 0;
		return 0;
	}
	if (kw(p, 1, "des")) {
		e = CONF_ISAKMP_DES;
	} else if (kw(p, 1, "3des")) {
		e = CONF_ISAKMP_3DES;
	} else if (kw(p, 1, "aes")) {
		e = CONF_ISAKMP_AES;
		bits = 128;
		if (p->l->n > 2) {
			if (!num(word(p, 2), 128, 256, &bits) ||
			    (bits != 128 && bits != 192 && bits != 256))
				return perr(p, "encryption aes \"%.40s\": expected 128, 192 or "
				    "256 (bits of the key)", word(p, 2));
			i = 3;
		}
	} else if (p->l->n < 2) {
		return perr(p, "encryption needs one of %s", ENCR_CHOICES);
	} else {
		return perr(p, "encryption \"%.40s\": not one of %s", word(p, 1), ENCR_CHOICES);
	}
	if (extra(p, i) != 0)
		return -1;
	o->encr = e;
	o->bits = (uint16_t)bits;
	return 0;
}

static int
policy_mode(struct pl *p, bool no)
{
	struct conf_isakmp_policy *o = p->s->isakmp_policy;
	unsigned long v;

	where(p, "crypto isakmp policy %u", o->priority);
	/* "encr" is the keyword of IOS 12.x running configs; "encryption" the 11.3 one */
	if (kw(p, 0, "encryption") || kw(p, 0, "encr"))
		return policy_encr(p, o, no);
	if (kw(p, 0, "hash")) {
		size_t k;

		if (no) {
			o->hash = CONF_ISAKMP_SHA;
			return 0;
		}
		for (k = 0; k < NELEM(hash_tab) && !kw(p, 1, hash_tab[k].name); k++)
			;
		if (k == NELEM(hash_tab))
			return perr(p, "hash \"%.40s\": not one of %s", word(p, 1), HASH_CHOICES);
		if (extra(p, 2) != 0)
			return -1;
		o->hash = hash_tab[k].h;
		return 0;
	}
	if (kw(p, 0, "authentication")) {
		enum conf_isakmp_auth a;

		if (no) {
			o->auth = CONF_ISAKMP_RSA_SIG;
			return 0;
		}
		if (kw(p, 1, "pre-share"))
			a = CONF_ISAKMP_PRE_SHARE;
		else if (kw(p, 1, "rsa-sig"))
			a = CONF_ISAKMP_RSA_SIG;
		else if (kw(p, 1, "rsa-encr"))
			return perr(p, "authentication rsa-encr: not supported (RSA encrypted "
			    "nonces); use pre-share or rsa-sig");
		else
			return perr(p, "authentication \"%.40s\": expected pre-share or rsa-sig",
			    word(p, 1));
		if (extra(p, 2) != 0)
			return -1;
		o->auth = a;
		return 0;
	}
	if (kw(p, 0, "group")) {
		if (no) {
			o->group = CONF_ISAKMP_GROUP_DEFAULT;
			return 0;
		}
		if (!num(word(p, 1), 1, 255, &v) || !conf_isakmp_group_ok((unsigned)v))
			return perr(p, "group \"%.40s\": not one of %s", word(p, 1),
			    GROUP_CHOICES);
		if (extra(p, 2) != 0)
			return -1;
		o->group = (uint8_t)v;
		return 0;
	}
	if (kw(p, 0, "lifetime")) {
		if (no) {
			o->lifetime = CONF_ISAKMP_LIFETIME_DEFAULT;
			return 0;
		}
		if (!num(word(p, 1), CONF_ISAKMP_LIFETIME_MIN, CONF_ISAKMP_LIFETIME_MAX, &v))
			return perr(p, "lifetime \"%.40s\": not in %u-%u seconds", word(p, 1),
			    CONF_ISAKMP_LIFETIME_MIN, CONF_ISAKMP_LIFETIME_MAX);
		if (extra(p, 2) != 0)
			return -1;
		o->lifetime = (uint32_t)v;
		return 0;
	}
	return 1;
}

int
isakmp_conf_mode(struct pl *p, bool no)
{
	if (p->s->mode != CONF_SM_ISAKMP_POLICY)
		return 1;
	return policy_mode(p, no);
}

/* ---- Parse: crypto isakmp key ---- */

static bool
is_peer_kw(const struct pl *p, int i)
{
	return kw(p, i, "address") || kw(p, i, "hostname");
}

/* The word after which a key line names its peer, in a line "crypto isakmp key [0|6] KEY
 * address|hostname ...": 5 with a key type, 4 without; (no form) 3 without a key.  -1 when
 * none fits.  Shared by the parser and the masking of stored texts. */
static int
key_peer_word(const struct pl *p, bool no)
{
	const char *t = word(p, 3);

	if ((strcmp(t, "0") == 0 || strcmp(t, "6") == 0) && is_peer_kw(p, 5))
		return 5;
	if (is_peer_kw(p, 4))
		return 4;
	if (no && is_peer_kw(p, 3))
		return 3;
	return -1;
}

/* The peer of a key line, from word j (address|hostname) to the end of the line, into k. */
static int
key_peer(struct pl *p, int j, struct conf_isakmp_key *k)
{
	const char *a = word(p, j + 1), *m = word(p, j + 2);
	size_t n = strlen(a);

	if (kw(p, j, "hostname")) {
		k->by_host = true;
		if (n == 0)
			return perr(p, "hostname needs a name");
		if (n >= sizeof(k->host))
			return perr(p, "hostname: longer than %d characters",
			    CONF_ISAKMP_HOST_MAX - 1);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)a[i] <= 0x20 || (unsigned char)a[i] >= 0x7f)
				return perr(p, "hostname \"%.40s\": only printable ASCII", a);
		memcpy(k->host, a, n + 1);
		return extra(p, j + 2);
	}
	k->mask = 0xffffffffu;
	if (!ipv4(a, &k->addr))
		return perr(p, "address \"%.40s\": not an IPv4 address", a);
	if (p->l->n <= j + 2)
		return 0;
	if (!ipv4(m, &k->mask) || !mask_ok(k->mask))
		return perr(p, "address %s \"%.40s\": not a contiguous mask", a, m);
	if (k->addr & ~k->mask)
		return perr(p, "address %s %s: address bits outside the mask", a, m);
	return extra(p, j + 3);
}

/* The key of s for the same peer as k (address and mask, or host name ignoring case). */
static size_t
key_index(const struct conf_isakmp *s, const struct conf_isakmp_key *k)
{
	size_t i;

	for (i = 0; i < s->n_keys; i++) {
		const struct conf_isakmp_key *x = s->keys[i];

		if (x->by_host == k->by_host && (k->by_host ? strcasecmp(x->host, k->host) == 0 :
		    x->addr == k->addr && x->mask == k->mask))
			break;
	}
	return i;
}

/* k (complete) into s: replaces the key of the same peer in place, else appended. */
static int
key_store(struct pl *p, struct conf_isakmp *s, const struct conf_isakmp_key *k)
{
	size_t i = key_index(s, k);
	struct conf_isakmp_key *o;

	if (i < s->n_keys) {
		o = s->keys[i];
		OPENSSL_cleanse(&o->psk, sizeof(o->psk));
		o->psk = k->psk;
		return 0;
	}
	if ((o = malloc(sizeof(*o))) == NULL)
		return oom(p);
	*o = *k;
	if (PTR_APPEND(s->keys, s->n_keys, o) != 0) {
		key_free(o);
		return oom(p);
	}
	return 0;
}

/* crypto isakmp key [0] KEY address A [MASK] | hostname NAME; no crypto isakmp key [KEY]
 * address A [MASK] | hostname NAME (the key of a no form is not checked, as IOS).  Never
 * echoes a word that may be the key. */
static int
cmd_key(struct pl *p, bool no)
{
	struct conf_isakmp *s = &p->s->c->isakmp;
	struct conf_isakmp_key k;
	const char *v;
	size_t len, i;
	int j, r;

	where(p, "crypto isakmp key");
	memset(&k, 0, sizeof(k));
	k.line = p->lineno;
	if ((j = key_peer_word(p, no)) < 0)
		return perr(p, "expected KEY address A [MASK] or KEY hostname NAME (the words of "
		    "this command are not echoed)");
	if (j == 5 && strcmp(word(p, 3), "6") == 0 && !no)
		return perr(p, "6: no master key here to decrypt it; give the key itself (0 KEY "
		    "or just KEY)");
	if (key_peer(p, j, &k) != 0)
		return -1;
	if (no) {
		if ((i = key_index(s, &k)) < s->n_keys) {
			key_free(s->keys[i]);
			PTR_REMOVE(s->keys, s->n_keys, i);
		}
		return 0;
	}
	/* the key: the word before address|hostname (j is 4 or 5 here) */
	v = word(p, j - 1);
	len = strlen(v);
	if (strcmp(v, MASKED) == 0)
		return perr(p, "%s: this is the mask show running-config prints, not a key; "
		    "give the key itself", MASKED);
	if (len > sizeof(k.psk.b))
		return perr(p, "the key is longer than %zu characters", sizeof(k.psk.b));
	k.psk.len = (uint16_t)len;
	memcpy(k.psk.b, v, len);
	r = key_store(p, s, &k);
	OPENSSL_cleanse(&k, sizeof(k));
	return r;
}

/* ---- Parse: crypto isakmp ... (the global commands) ---- */

static int
num_arg(struct pl *p, int i, const char *what, unsigned long lo, unsigned long hi,
    unsigned long *v)
{
	if (!num(word(p, i), lo, hi, v))
		return perr(p, "%s \"%.40s\": not in %lu-%lu", what, word(p, i), lo, hi);
	return 0;
}

static int
cmd_keepalive(struct pl *p, bool no)
{
	struct conf_isakmp *s = &p->s->c->isakmp;
	unsigned long v = 0, r = 0;	/* v set before use; -O3 cannot see it */
	bool periodic = false;
	int i = 4;

	where(p, "crypto isakmp keepalive");
	if (no) {
		s->keepalive = s->keepalive_retry = 0;
		s->keepalive_periodic = false;
		return 0;
	}
	if (num_arg(p, 3, "interval", KA_MIN, KA_MAX, &v) != 0)
		return -1;
	if (p->l->n > 4 && !kw(p, 4, "periodic") && !kw(p, 4, "on-demand")) {
		if (num_arg(p, 4, "retry", KA_RETRY_MIN, KA_RETRY_MAX, &r) != 0)
			return -1;
		i = 5;
	}
	if (kw(p, i, "periodic") || kw(p, i, "on-demand")) {
		periodic = kw(p, i, "periodic");
		i++;
	} else if (p->l->n > i) {
		return perr(p, "\"%.40s\": expected periodic or on-demand", word(p, i));
	}
	if (extra(p, i) != 0)
		return -1;
	s->keepalive = (uint16_t)v;
	s->keepalive_retry = (uint16_t)r;
	s->keepalive_periodic = periodic;
	return 0;
}

/* crypto isakmp {policy|key|identity|keepalive|nat|enable|aggressive-mode} ...;
 * no crypto isakmp (disables ISAKMP, as IOS). */
int
isakmp_conf_cmd(struct pl *p, bool no)
{
	struct conf_isakmp *s = &p->s->c->isakmp;
	unsigned long v = 0;		/* set before use; -O3 cannot see it */

	where(p, "crypto isakmp");
	if (p->l->n == 2) {
		if (!no)
			return perr(p, "needs a command (policy, key, identity, keepalive, nat "
			    "keepalive, enable, aggressive-mode disable)");
		s->disabled = true;
		return 0;
	}
	if (kw(p, 2, "policy"))
		return cmd_policy(p, no);
	if (kw(p, 2, "key"))
		return cmd_key(p, no);
	if (kw(p, 2, "keepalive"))
		return cmd_keepalive(p, no);
	if (kw(p, 2, "enable")) {
		where(p, "crypto isakmp enable");
		if (extra(p, 3) != 0)
			return -1;
		s->disabled = no;
		return 0;
	}
	if (kw(p, 2, "identity")) {
		enum conf_isakmp_identity id = CONF_ISAKMP_ID_ADDRESS;

		where(p, "crypto isakmp identity");
		if (!no || p->l->n > 3) {
			if (kw(p, 3, "hostname"))
				id = CONF_ISAKMP_ID_HOSTNAME;
			else if (kw(p, 3, "dn"))
				return perr(p, "dn: not supported (no certificates yet); use "
				    "address or hostname");
			else if (!kw(p, 3, "address"))
				return perr(p, "\"%.40s\": expected address or hostname",
				    word(p, 3));
			if (extra(p, 4) != 0)
				return -1;
		}
		s->identity = no ? CONF_ISAKMP_ID_ADDRESS : id;
		return 0;
	}
	if (kw(p, 2, "nat")) {
		where(p, "crypto isakmp nat");
		if (!kw(p, 3, "keepalive"))
			return perr(p, "\"%.40s\": expected keepalive", word(p, 3));
		where(p, "crypto isakmp nat keepalive");
		if (no) {
			s->nat_keepalive = 0;
			return 0;
		}
		if (num_arg(p, 4, "interval", NATKA_MIN, NATKA_MAX, &v) != 0 || extra(p, 5) != 0)
			return -1;
		s->nat_keepalive = (uint16_t)v;
		return 0;
	}
	if (kw(p, 2, "aggressive-mode")) {
		where(p, "crypto isakmp aggressive-mode");
		if (!kw(p, 3, "disable"))
			return perr(p, "\"%.40s\": expected disable", word(p, 3));
		if (extra(p, 4) != 0)
			return -1;
		s->aggressive_disabled = !no;
		return 0;
	}
	return perr(p, "\"%.40s\": unknown command (policy, key, identity, keepalive, nat "
	    "keepalive, enable, aggressive-mode disable)", word(p, 2));
}

/* ---- Checks (conf_validate) ---- */

static void
warn_policy(const struct conf_isakmp_policy *o, FILE *w)
{
	int e = encr_index(o->encr, o->bits);

	if (e >= 0 && encr_tab[e].weak)
		fprintf(w, "warning: crypto isakmp policy %u: encryption %s is a legacy "
		    "algorithm\n", o->priority, encr_tab[e].name);
	if (o->hash == CONF_ISAKMP_MD5)
		fprintf(w, "warning: crypto isakmp policy %u: hash md5 is a legacy algorithm\n",
		    o->priority);
	if (conf_isakmp_group_weak(o->group))
		fprintf(w, "warning: crypto isakmp policy %u: group %u is a weak Diffie-Hellman "
		    "group\n", o->priority, o->group);
}

/* An IKEv1 entry (static map set or dynamic map set): its PFS group is one IKEv1 has. */
static int
check_entry(const struct conf_map *m, const struct conf_map_entry *e, struct gw_err *err)
{
	if (e->pfs != 0 && !conf_isakmp_group_ok(e->pfs))
		return gw_fail(err, e->line, "crypto %s %s %u: set pfs group%u: not a group of "
		    "IKEv1 (%s); set ikev2-profile for IKEv2", m->dynamic ? "dynamic-map" : "map",
		    m->name, e->seq, e->pfs, GROUP_CHOICES);
	return 0;
}

int
isakmp_conf_check(const struct conf *c, struct gw_err *err, FILE *warnings)
{
	bool v1 = false;

	for (size_t i = 0; warnings != NULL && i < c->isakmp.n_policies; i++)
		warn_policy(c->isakmp.policies[i], warnings);
	for (int dyn = 0; dyn < 2; dyn++) {
		struct conf_map **maps = dyn ? c->dynmaps : c->maps;
		size_t n = dyn ? c->n_dynmaps : c->n_maps;

		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < maps[i]->n_entries; k++) {
				if (conf_entry_ike_version(maps[i]->entries[k]) != CONF_IKE_V1)
					continue;
				v1 = true;
				if (check_entry(maps[i], maps[i]->entries[k], err) != 0)
					return -1;
			}
	}
	if (v1 && c->isakmp.disabled && warnings != NULL)
		fprintf(warnings, "warning: no crypto isakmp: the ipsec-isakmp entries without "
		    "set ikev2-profile (IKEv1) will get no SAs\n");
	return 0;
}

/* ---- Running configuration ---- */

static void
running_key(const struct conf_isakmp_key *k, bool secrets, FILE *out)
{
	char b[16];

	fputs("crypto isakmp key ", out);
	if (!secrets) {
		fputs(MASKED, out);
	} else {
		/* a key "0" or "6" would be read as the key type: say "0" first */
		if ((k->psk.len == 1 && (k->psk.b[0] == '0' || k->psk.b[0] == '6')))
			fputs("0 ", out);
		fwrite(k->psk.b, 1, k->psk.len, out);
	}
	if (k->by_host) {
		fprintf(out, " hostname %s\n", k->host);
		return;
	}
	fprintf(out, " address %s", ip_str(k->addr, b));
	if (k->mask != 0xffffffffu)
		fprintf(out, " %s", ip_str(k->mask, b));
	fputc('\n', out);
}

void
isakmp_conf_running(const struct conf *c, bool secrets, FILE *out)
{
	const struct conf_isakmp *s = &c->isakmp;

	for (size_t i = 0; i < s->n_policies; i++) {
		const struct conf_isakmp_policy *o = s->policies[i];
		int e = encr_index(o->encr, o->bits);

		/* as IOS: only what differs from the default of the command */
		fprintf(out, "crypto isakmp policy %u\n", o->priority);
		if (o->encr != CONF_ISAKMP_DES && e >= 0)
			fprintf(out, " encryption %s\n", encr_tab[e].name);
		if (o->hash != CONF_ISAKMP_SHA)
			fprintf(out, " hash %s\n", conf_isakmp_hash_name(o->hash));
		if (o->auth != CONF_ISAKMP_RSA_SIG)
			fprintf(out, " authentication %s\n", conf_isakmp_auth_name(o->auth));
		if (o->group != CONF_ISAKMP_GROUP_DEFAULT)
			fprintf(out, " group %u\n", o->group);
		if (o->lifetime != CONF_ISAKMP_LIFETIME_DEFAULT)
			fprintf(out, " lifetime %u\n", o->lifetime);
		fputs("!\n", out);
	}
	for (size_t i = 0; i < s->n_keys; i++)
		running_key(s->keys[i], secrets, out);
	if (s->identity == CONF_ISAKMP_ID_HOSTNAME)
		fputs("crypto isakmp identity hostname\n", out);
	if (s->keepalive != 0) {
		fprintf(out, "crypto isakmp keepalive %u", s->keepalive);
		if (s->keepalive_retry != 0)
			fprintf(out, " %u", s->keepalive_retry);
		fputs(s->keepalive_periodic ? " periodic\n" : "\n", out);
	}
	if (s->nat_keepalive != 0)
		fprintf(out, "crypto isakmp nat keepalive %u\n", s->nat_keepalive);
	if (s->aggressive_disabled)
		fputs("crypto isakmp aggressive-mode disable\n", out);
	if (s->disabled)
		fputs("no crypto isakmp\n", out);
	if (s->n_keys > 0 || s->identity != CONF_ISAKMP_ID_ADDRESS || s->keepalive != 0 ||
	    s->nat_keepalive != 0 || s->aggressive_disabled || s->disabled)
		fputs("!\n", out);
}

/* Is l[0..len) a "crypto isakmp key" line of a stored text?  Then write it with its key
 * masked as isakmp_conf_running() does (the key type dropped), and return true. */
bool
isakmp_masked_line(const char *l, size_t len, FILE *out)
{
	const char *w[6];
	size_t wl[6], e = 0;
	int n = 0, j;

	while (n < 6) {
		while (e < len && is_space((unsigned char)l[e]))
			e++;
		if (e == len)
			break;
		w[n] = l + e;
		while (e < len && !is_space((unsigned char)l[e]))
			e++;
		wl[n] = e - (size_t)(w[n] - l);
		n++;
	}
#define W(i, s)	(n > (i) && wl[i] == strlen(s) && strncasecmp(w[i], (s), wl[i]) == 0)
	if (!W(0, "crypto") || !W(1, "isakmp") || !W(2, "key"))
		return false;
	if (n > 3 && wl[3] == 1 && (w[3][0] == '0' || w[3][0] == '6') &&
	    (W(5, "address") || W(5, "hostname")))
		j = 5;
	else if (W(4, "address") || W(4, "hostname"))
		j = 4;
	else
		j = -1;
#undef W
	fprintf(out, "%.*s " MASKED, (int)(w[2] + 3 - l), l);
	if (j > 0)
		fwrite(w[j] - 1, 1, len - (size_t)(w[j] - 1 - l), out);
	return true;
}

/* ---- show crypto isakmp policy ---- */

static void
show_suite(const struct conf_isakmp_policy *o, FILE *out)
{
	int e = encr_index(o->encr, o->bits), g = group_index(o->group);

	fprintf(out, "        encryption algorithm:   %s\n", e >= 0 ? encr_tab[e].show : "?");
	fprintf(out, "        hash algorithm:         %s\n", o->hash < NELEM(hash_tab) ?
	    hash_tab[o->hash].show : "?");
	fprintf(out, "        authentication method:  %s\n", o->auth == CONF_ISAKMP_PRE_SHARE ?
	    "Pre-Shared Key" : "Rivest-Shamir-Adleman Signature");
	fprintf(out, "        Diffie-Hellman group:   %s\n", g >= 0 ? group_tab[g].show : "?");
	fprintf(out, "        lifetime:               %u seconds, no volume limit\n",
	    o->lifetime);
}

void
conf_show_isakmp_policy(const struct conf *c, FILE *out)
{
	fputs("Global IKE policy\n", out);
	for (size_t i = 0; i < c->isakmp.n_policies; i++) {
		fprintf(out, "Protection suite of priority %u\n", c->isakmp.policies[i]->priority);
		show_suite(c->isakmp.policies[i], out);
	}
	fputs("Default protection suite\n", out);
	show_suite(&default_policy, out);
}
