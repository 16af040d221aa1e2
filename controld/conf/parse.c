/* conf_parse.c: IOS 11.3 configuration text -> struct conf, with no side effects.
 *
 * Owns the configuration model (new, free, dup, equal, lookups), the line parser that follows
 * the IOS sub-modes, and conf_validate().  Keeps DESIGN invariant 4: every command is checked
 * whole before it changes anything, so a refused line leaves the configuration as it was, and
 * conf_parse_text() returns either a configuration of every line or nothing.  Session keys are
 * wiped whenever a struct conf_map_entry is freed or a key is replaced.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "controld/conf/conf.h"

#define LINE_MAX_	1024		/* bytes of one line, NUL included */
#define WORDS_MAX	48

/* ---- Names of things ---- */

static const struct xf_info {
	const char		*name;
	enum conf_xf_kind	kind;
	enum xform_cipher	cipher;
	enum xform_auth		auth;
	uint16_t		bits_def;	/* default key size; 0 = not selectable */
	bool			bits192;	/* 192 allowed (AES-CBC only) */
	bool			aead;
	bool			weak;
} xf_tab[CONF_XF_MAX] = {
	[CONF_XF_AH_MD5_HMAC] = { "ah-md5-hmac", CONF_XFK_AH, 0, XF_AUTH_HMAC_MD5_96,
	    0, false, false, true },
	[CONF_XF_AH_SHA_HMAC] = { "ah-sha-hmac", CONF_XFK_AH, 0, XF_AUTH_HMAC_SHA1_96,
	    0, false, false, false },
	[CONF_XF_AH_SHA256_HMAC] = { "ah-sha256-hmac", CONF_XFK_AH, 0, XF_AUTH_HMAC_SHA256_128,
	    0, false, false, false },
	[CONF_XF_AH_SHA384_HMAC] = { "ah-sha384-hmac", CONF_XFK_AH, 0, XF_AUTH_HMAC_SHA384_192,
	    0, false, false, false },
	[CONF_XF_AH_SHA512_HMAC] = { "ah-sha512-hmac", CONF_XFK_AH, 0, XF_AUTH_HMAC_SHA512_256,
	    0, false, false, false },
	[CONF_XF_AH_RFC1828] = { "ah-rfc1828", CONF_XFK_AH, 0, XF_AUTH_KEYED_MD5_RFC1828,
	    0, false, false, true },
	[CONF_XF_ESP_DES] = { "esp-des", CONF_XFK_ESP_CIPHER, XF_CIPHER_DES, 0,
	    0, false, false, true },
	[CONF_XF_ESP_3DES] = { "esp-3des", CONF_XFK_ESP_CIPHER, XF_CIPHER_3DES, 0,
	    0, false, false, true },
	[CONF_XF_ESP_RFC1829] = { "esp-rfc1829", CONF_XFK_ESP_CIPHER, XF_CIPHER_DES_RFC1829, 0,
	    0, false, false, true },
	[CONF_XF_ESP_NULL] = { "esp-null", CONF_XFK_ESP_CIPHER, XF_CIPHER_NULL, 0,
	    0, false, false, false },
	[CONF_XF_ESP_AES] = { "esp-aes", CONF_XFK_ESP_CIPHER, XF_CIPHER_AES_CBC, 0,
	    128, true, false, false },
	[CONF_XF_ESP_GCM] = { "esp-gcm", CONF_XFK_ESP_CIPHER, XF_CIPHER_AES_GCM, 0,
	    128, false, true, false },
	[CONF_XF_ESP_GMAC] = { "esp-gmac", CONF_XFK_ESP_CIPHER, XF_CIPHER_AES_GMAC, 0,
	    128, false, true, false },
	[CONF_XF_ESP_CHACHA20_POLY1305] = { "esp-chacha20-poly1305", CONF_XFK_ESP_CIPHER,
	    XF_CIPHER_CHACHA20_POLY1305, 0, 0, false, true, false },
	[CONF_XF_ESP_MD5_HMAC] = { "esp-md5-hmac", CONF_XFK_ESP_AUTH, 0, XF_AUTH_HMAC_MD5_96,
	    0, false, false, true },
	[CONF_XF_ESP_SHA_HMAC] = { "esp-sha-hmac", CONF_XFK_ESP_AUTH, 0, XF_AUTH_HMAC_SHA1_96,
	    0, false, false, false },
	[CONF_XF_ESP_SHA256_HMAC] = { "esp-sha256-hmac", CONF_XFK_ESP_AUTH, 0,
	    XF_AUTH_HMAC_SHA256_128, 0, false, false, false },
	[CONF_XF_ESP_SHA384_HMAC] = { "esp-sha384-hmac", CONF_XFK_ESP_AUTH, 0,
	    XF_AUTH_HMAC_SHA384_192, 0, false, false, false },
	[CONF_XF_ESP_SHA512_HMAC] = { "esp-sha512-hmac", CONF_XFK_ESP_AUTH, 0,
	    XF_AUTH_HMAC_SHA512_256, 0, false, false, false },
};

static const struct { const char *name; uint8_t num; } proto_tab[] = {
	{ "ip", 0 }, { "icmp", 1 }, { "igmp", 2 }, { "ipinip", 4 }, { "tcp", 6 }, { "igrp", 9 },
	{ "udp", 17 }, { "gre", 47 }, { "esp", 50 }, { "ahp", 51 }, { "eigrp", 88 },
	{ "ospf", 89 }, { "nos", 94 }, { "pim", 103 }, { "pcp", 108 }, { "sctp", 132 },
};

struct port_name { const char *name; uint16_t port; };

/* IOS port keywords (Security Command Reference, "access-list (extended)"); one name each. */
static const struct port_name tcp_ports[] = {
	{ "echo", 7 }, { "discard", 9 }, { "daytime", 13 }, { "chargen", 19 }, { "ftp-data", 20 },
	{ "ftp", 21 }, { "telnet", 23 }, { "smtp", 25 }, { "time", 37 }, { "whois", 43 },
	{ "tacacs", 49 }, { "domain", 53 }, { "gopher", 70 }, { "finger", 79 }, { "www", 80 },
	{ "hostname", 101 }, { "pop2", 109 }, { "pop3", 110 }, { "sunrpc", 111 }, { "ident", 113 },
	{ "nntp", 119 }, { "bgp", 179 }, { "irc", 194 }, { "pim-auto-rp", 496 }, { "exec", 512 },
	{ "login", 513 }, { "cmd", 514 }, { "lpd", 515 }, { "talk", 517 }, { "uucp", 540 },
	{ "klogin", 543 }, { "kshell", 544 },
};
static const struct port_name udp_ports[] = {
	{ "echo", 7 }, { "discard", 9 }, { "time", 37 }, { "nameserver", 42 }, { "tacacs", 49 },
	{ "domain", 53 }, { "bootps", 67 }, { "bootpc", 68 }, { "tftp", 69 }, { "ntp", 123 },
	{ "netbios-ns", 137 }, { "netbios-dgm", 138 }, { "netbios-ss", 139 }, { "snmp", 161 },
	{ "snmptrap", 162 }, { "xdmcp", 177 }, { "dnsix", 195 }, { "mobile-ip", 434 },
	{ "pim-auto-rp", 496 }, { "isakmp", 500 }, { "biff", 512 }, { "who", 513 },
	{ "syslog", 514 }, { "talk", 517 }, { "rip", 520 }, { "non500-isakmp", 4500 },
};

static const char *const prec_names[8] = {
	"routine", "priority", "immediate", "flash", "flash-override", "critical", "internet",
	"network",
};
static const struct { const char *name; uint8_t tos; } tos_tab[] = {
	{ "normal", 0 }, { "min-monetary-cost", 1 }, { "max-reliability", 2 },
	{ "max-throughput", 4 }, { "min-delay", 8 },
};

static const uint8_t pfs_groups[] = { 1, 2, 5, 14, 19, 20, 21 };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const char *
conf_xf_name(enum conf_xf xf)
{
	return (unsigned)xf < CONF_XF_MAX ? xf_tab[xf].name : "?";
}

enum conf_xf_kind
conf_xf_kind(enum conf_xf xf)
{
	return xf_tab[xf].kind;
}

bool
conf_xf_weak(enum conf_xf xf)
{
	return xf_tab[xf].weak;
}

const char *
conf_proto_name(uint8_t proto)
{
	for (size_t i = 0; i < NELEM(proto_tab); i++)
		if (proto_tab[i].num == proto)
			return proto_tab[i].name;
	return NULL;
}

const char *
conf_map_kind_name(enum conf_map_kind k)
{
	return k == CONF_MAP_MANUAL ? "ipsec-manual" : "ipsec-isakmp";
}

const char *
conf_port_name(uint8_t proto, uint16_t port)
{
	const struct port_name *t = proto == 6 ? tcp_ports : proto == 17 ? udp_ports : NULL;
	size_t n = proto == 6 ? NELEM(tcp_ports) : proto == 17 ? NELEM(udp_ports) : 0;

	for (size_t i = 0; i < n; i++)
		if (t[i].port == port)
			return t[i].name;
	return NULL;
}

const char *
conf_prec_name(int prec)
{
	return prec >= 0 && prec < 8 ? prec_names[prec] : NULL;
}

const char *
conf_tos_name(int tos)
{
	for (size_t i = 0; i < NELEM(tos_tab); i++)
		if (tos_tab[i].tos == tos)
			return tos_tab[i].name;
	return NULL;
}

/* ---- Key lengths (bytes) ---- */

static unsigned
cipher_key_len(enum xform_cipher c, unsigned bits)
{
	switch (c) {
	case XF_CIPHER_DES:
	case XF_CIPHER_DES_RFC1829:
		return 8;
	case XF_CIPHER_3DES:
		return 24;
	case XF_CIPHER_AES_CBC:
		return bits / 8;
	case XF_CIPHER_AES_GCM:
	case XF_CIPHER_AES_GMAC:
		return bits / 8 + 4;		/* RFC 4106 §8.1, RFC 4543 §3.2: key + salt */
	case XF_CIPHER_CHACHA20_POLY1305:
		return 36;			/* RFC 7634 §2: 256-bit key + 32-bit salt */
	default:
		return 0;
	}
}

static unsigned
auth_key_len(enum xform_auth a)
{
	switch (a) {
	case XF_AUTH_HMAC_MD5_96:
	case XF_AUTH_KEYED_MD5_RFC1828:
		return 16;
	case XF_AUTH_HMAC_SHA1_96:
		return 20;
	case XF_AUTH_HMAC_SHA256_128:
		return 32;
	case XF_AUTH_HMAC_SHA384_192:
		return 48;
	case XF_AUTH_HMAC_SHA512_256:
		return 64;
	default:
		return 0;
	}
}

unsigned
conf_tset_cipher_key_len(const struct conf_transform_set *t)
{
	return cipher_key_len(t->esp_cipher, t->esp_key_bits);
}

unsigned
conf_tset_esp_auth_key_len(const struct conf_transform_set *t)
{
	return auth_key_len(t->esp_auth);
}

unsigned
conf_tset_ah_key_len(const struct conf_transform_set *t)
{
	return auth_key_len(t->ah);
}

bool
conf_tset_has_esp(const struct conf_transform_set *t)
{
	return t->esp_cipher != XF_CIPHER_NONE || t->esp_auth != XF_AUTH_NONE;
}

bool
conf_tset_esp_integrity(const struct conf_transform_set *t)
{
	return t->esp_auth != XF_AUTH_NONE || t->esp_cipher == XF_CIPHER_AES_GCM ||
	    t->esp_cipher == XF_CIPHER_AES_GMAC || t->esp_cipher == XF_CIPHER_CHACHA20_POLY1305;
}

bool
conf_tset_no_seq(const struct conf_transform_set *t)
{
	return t->esp_cipher == XF_CIPHER_DES_RFC1829 || t->ah == XF_AUTH_KEYED_MD5_RFC1828;
}

/* ---- The model: life cycle ---- */

#define PTR_APPEND(arr, n, p) ({						\
	__typeof__(arr) a_ = realloc((arr), ((n) + 1) * sizeof(*a_));		\
	int r_ = -1;								\
	if (a_ != NULL) {							\
		(arr) = a_;							\
		(arr)[(n)++] = (p);						\
		r_ = 0;								\
	}									\
	r_;									\
})

#define PTR_REMOVE(arr, n, i) do {						\
	memmove(&(arr)[(i)], &(arr)[(i) + 1], ((n) - (i) - 1) * sizeof(*(arr)));	\
	(n)--;									\
} while (0)

static void
entry_free(struct conf_map_entry *e)
{
	if (e == NULL)
		return;
	OPENSSL_cleanse(e->keys, sizeof(e->keys));
	free(e);
}

static void
map_free(struct conf_map *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_entries; i++)
		entry_free(m->entries[i]);
	free(m->entries);
	free(m);
}

static void
acl_free(struct conf_acl *a)
{
	if (a == NULL)
		return;
	free(a->aces);
	free(a);
}

struct conf *
conf_new(void)
{
	struct conf *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	strcpy(c->hostname, CONF_HOSTNAME_DEFAULT);
	c->lifetime_sec = CONF_LIFETIME_SEC_DEFAULT;
	c->lifetime_kb = CONF_LIFETIME_KB_DEFAULT;
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
		free(c->ifs[i]);
	free(c->acls);
	free(c->tsets);
	free(c->maps);
	free(c->dynmaps);
	free(c->ifs);
	free(c);
}

static struct conf_acl *
acl_dup(const struct conf_acl *a)
{
	struct conf_acl *d;

	if ((d = malloc(sizeof(*d))) == NULL)
		return NULL;
	*d = *a;
	d->aces = NULL;
	d->cap_aces = a->n_aces;
	if (a->n_aces > 0) {
		if ((d->aces = malloc(a->n_aces * sizeof(*d->aces))) == NULL) {
			free(d);
			return NULL;
		}
		memcpy(d->aces, a->aces, a->n_aces * sizeof(*d->aces));
	}
	return d;
}

static struct conf_map *
map_dup(const struct conf_map *m)
{
	struct conf_map *d;

	if ((d = malloc(sizeof(*d))) == NULL)
		return NULL;
	*d = *m;
	d->entries = NULL;
	d->n_entries = 0;
	if (m->n_entries > 0 &&
	    (d->entries = calloc(m->n_entries, sizeof(*d->entries))) == NULL)
		goto fail;
	for (size_t i = 0; i < m->n_entries; i++) {
		if ((d->entries[i] = malloc(sizeof(**d->entries))) == NULL)
			goto fail;
		*d->entries[i] = *m->entries[i];
		d->n_entries++;
	}
	return d;
fail:
	map_free(d);
	return NULL;
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

static struct conf_transform_set *
tset_dup(const struct conf_transform_set *t)
{
	struct conf_transform_set *d = malloc(sizeof(*d));

	if (d != NULL)
		*d = *t;
	return d;
}

static struct conf_if *
if_dup(const struct conf_if *f)
{
	struct conf_if *d = malloc(sizeof(*d));

	if (d != NULL)
		*d = *f;
	return d;
}

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
	if (DUP_ARRAY(d->ifs, c->ifs, c->n_ifs, if_dup) != 0)
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

/* ---- Equality (lines ignored) ---- */

static bool
ace_equal(const struct conf_ace *a, const struct conf_ace *b)
{
	if (a->action != b->action)
		return false;
	if (a->action == CONF_ACE_REMARK)
		return strcmp(a->remark, b->remark) == 0;
	return a->proto == b->proto && a->src.addr == b->src.addr &&
	    a->src.wild == b->src.wild && a->dst.addr == b->dst.addr &&
	    a->dst.wild == b->dst.wild && a->sport.op == b->sport.op &&
	    a->sport.lo == b->sport.lo && a->sport.hi == b->sport.hi &&
	    a->sport.neq == b->sport.neq && a->dport.op == b->dport.op &&
	    a->dport.lo == b->dport.lo && a->dport.hi == b->dport.hi &&
	    a->dport.neq == b->dport.neq && a->precedence == b->precedence &&
	    a->tos == b->tos && a->log == b->log;
}

static bool
acl_equal(const struct conf_acl *a, const struct conf_acl *b)
{
	if (strcmp(a->name, b->name) != 0 || a->numbered != b->numbered ||
	    a->n_aces != b->n_aces)
		return false;
	for (size_t i = 0; i < a->n_aces; i++)
		if (!ace_equal(&a->aces[i], &b->aces[i]))
			return false;
	return true;
}

static bool
tset_equal(const struct conf_transform_set *a, const struct conf_transform_set *b)
{
	if (strcmp(a->name, b->name) != 0 || a->n_xforms != b->n_xforms ||
	    a->mode != b->mode || a->iv_size != b->iv_size)
		return false;
	for (unsigned i = 0; i < a->n_xforms; i++)
		if (a->xforms[i].xf != b->xforms[i].xf || a->xforms[i].bits != b->xforms[i].bits)
			return false;
	return true;
}

static bool
key_equal(const struct key *a, const struct key *b)
{
	return a->len == b->len && CRYPTO_memcmp(a->b, b->b, a->len) == 0;
}

static bool
entry_equal(const struct conf_map_entry *a, const struct conf_map_entry *b)
{
	if (a->seq != b->seq || a->kind != b->kind || strcmp(a->dynamic, b->dynamic) != 0 ||
	    strcmp(a->acl, b->acl) != 0 || a->n_peers != b->n_peers ||
	    a->n_tsets != b->n_tsets || a->pfs != b->pfs || a->per_host != b->per_host ||
	    a->nat_t != b->nat_t ||
	    a->lifetime_sec != b->lifetime_sec || a->lifetime_kb != b->lifetime_kb ||
	    a->replay_window != b->replay_window || strcmp(a->description, b->description) != 0)
		return false;
	if (memcmp(a->peers, b->peers, a->n_peers * sizeof(a->peers[0])) != 0)
		return false;
	for (unsigned i = 0; i < a->n_tsets; i++)
		if (strcmp(a->tsets[i], b->tsets[i]) != 0)
			return false;
	for (int d = 0; d < 2; d++) {
		for (int p = 0; p < 2; p++) {
			const struct conf_session_key *x = &a->keys[d][p], *y = &b->keys[d][p];

			if (x->set != y->set)
				return false;
			if (x->set && (x->spi != y->spi || !key_equal(&x->cipher, &y->cipher) ||
			    !key_equal(&x->auth, &y->auth)))
				return false;
		}
	}
	return true;
}

static bool
map_equal(const struct conf_map *a, const struct conf_map *b)
{
	if (strcmp(a->name, b->name) != 0 || a->dynamic != b->dynamic ||
	    strcmp(a->local_address, b->local_address) != 0 || a->n_entries != b->n_entries)
		return false;
	for (size_t i = 0; i < a->n_entries; i++)
		if (!entry_equal(a->entries[i], b->entries[i]))
			return false;
	return true;
}

static bool
if_equal(const struct conf_if *a, const struct conf_if *b)
{
	return strcmp(a->name, b->name) == 0 && a->has_addr == b->has_addr &&
	    a->addr == b->addr && a->mask == b->mask &&
	    strcmp(a->crypto_map, b->crypto_map) == 0 &&
	    strcmp(a->description, b->description) == 0 && a->shutdown == b->shutdown;
}

bool
conf_equal(const struct conf *a, const struct conf *b)
{
	if (strcmp(a->hostname, b->hostname) != 0 || a->lifetime_sec != b->lifetime_sec ||
	    a->lifetime_kb != b->lifetime_kb || a->n_acls != b->n_acls ||
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
		if (!if_equal(a->ifs[i], b->ifs[i]))
			return false;
	return true;
}

/* ---- Lookups ---- */

#define FIND_BY_NAME(arr, n, nm) ({						\
	__typeof__((arr)[0]) f_ = NULL;						\
	for (size_t i_ = 0; i_ < (n); i_++)					\
		if (strcmp((arr)[i_]->name, (nm)) == 0) {			\
			f_ = (arr)[i_];						\
			break;							\
		}								\
	f_;									\
})

struct conf_acl *
conf_acl_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->acls, c->n_acls, name);
}

struct conf_transform_set *
conf_tset_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->tsets, c->n_tsets, name);
}

struct conf_map *
conf_map_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->maps, c->n_maps, name);
}

struct conf_map *
conf_dynmap_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->dynmaps, c->n_dynmaps, name);
}

struct conf_if *
conf_if_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->ifs, c->n_ifs, name);
}

struct conf_map_entry *
conf_map_entry_find(const struct conf_map *m, unsigned seq)
{
	for (size_t i = 0; i < m->n_entries; i++)
		if (m->entries[i]->seq == seq)
			return m->entries[i];
	return NULL;
}

struct conf_map_entry *
conf_map_next(const struct conf_map *m, const struct conf_map_entry *prev)
{
	size_t i = 0;

	if (prev != NULL) {
		while (i < m->n_entries && m->entries[i] != prev)
			i++;
		i++;
	}
	return i < m->n_entries ? m->entries[i] : NULL;
}

const struct conf_ace *
conf_acl_first_permit(const struct conf_acl *a)
{
	for (size_t i = 0; i < a->n_aces; i++)
		if (a->aces[i].action == CONF_ACE_PERMIT)
			return &a->aces[i];
	return NULL;
}

uint32_t
conf_entry_lifetime_sec(const struct conf *c, const struct conf_map_entry *e)
{
	return e->lifetime_sec != 0 ? e->lifetime_sec : c->lifetime_sec;
}

uint32_t
conf_entry_lifetime_kb(const struct conf *c, const struct conf_map_entry *e)
{
	return e->lifetime_kb != 0 ? e->lifetime_kb : c->lifetime_kb;
}

/* ---- Lines and words ---- */

struct line {
	char		buf[LINE_MAX_];		/* words, NUL-separated */
	char		orig[LINE_MAX_];	/* the trimmed line, for rest-of-line text */
	char		*w[WORDS_MAX];
	size_t		off[WORDS_MAX];		/* offset of w[i] in orig */
	int		n;
};

/* One line being applied: the session, its words and where messages come from. */
struct pl {
	struct conf_session	*s;
	struct line		*l;
	unsigned		lineno;
	struct gw_err		*err;
	char			where[128];	/* "crypto map vpn 10", prefix of messages */
};

static bool
is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static int
perr(struct pl *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
perr(struct pl *p, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->where[0] != '\0')
		return gw_fail(p->err, p->lineno, "%s: %s", p->where, msg);
	return gw_fail(p->err, p->lineno, "%s", msg);
}

static int
oom(struct pl *p)
{
	return perr(p, "out of memory");
}

static void
where(struct pl *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
where(struct pl *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->where, sizeof(p->where), fmt, ap);
	va_end(ap);
}

/* Split text[0..len) into words.  -1 with err on a control character or a line too long. */
static int
line_split(struct line *l, const char *text, size_t len, unsigned lineno, struct gw_err *err)
{
	size_t b = 0, e = len;

	while (e > 0 && is_space((unsigned char)text[e - 1]))
		e--;
	while (b < e && is_space((unsigned char)text[b]))
		b++;
	if (e - b >= LINE_MAX_)
		return gw_fail(err, lineno, "line longer than %d characters", LINE_MAX_ - 1);
	for (size_t i = b; i < e; i++) {
		unsigned char ch = (unsigned char)text[i];

		if ((ch < 0x20 && !is_space(ch)) || ch == 0x7f)
			return gw_fail(err, lineno, "control character 0x%02x in column %zu",
			    ch, i + 1);
	}
	memcpy(l->orig, text + b, e - b);
	l->orig[e - b] = '\0';
	memcpy(l->buf, l->orig, e - b + 1);
	l->n = 0;
	for (size_t i = 0; l->buf[i] != '\0';) {
		if (is_space((unsigned char)l->buf[i])) {
			l->buf[i++] = '\0';
			continue;
		}
		if (l->n == WORDS_MAX)
			return gw_fail(err, lineno, "more than %d words", WORDS_MAX);
		l->off[l->n] = i;
		l->w[l->n++] = &l->buf[i];
		while (l->buf[i] != '\0' && !is_space((unsigned char)l->buf[i]))
			i++;
	}
	return 0;
}

static bool
kw(const struct pl *p, int i, const char *k)
{
	return i < p->l->n && strcasecmp(p->l->w[i], k) == 0;
}

static const char *
word(const struct pl *p, int i)
{
	return i < p->l->n ? p->l->w[i] : "";
}

/* Text from word i to the end of the line, as typed. */
static const char *
rest(const struct pl *p, int i)
{
	return p->l->orig + p->l->off[i];
}

static int
extra(struct pl *p, int i)
{
	if (i < p->l->n)
		return perr(p, "\"%.40s\": unexpected word", p->l->w[i]);
	return 0;
}

/* Decimal number in [min, max], digits only. */
static bool
num(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 10)
			return false;
		v = v * 10 + (unsigned long)(s[n] - '0');
	}
	if (n == 0 || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Strict dotted quad. */
static bool
ipv4(const char *s, uint32_t *out)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = 0, nd = 0;

		while (*s >= '0' && *s <= '9' && nd < 3) {
			v = v * 10 + (unsigned)(*s++ - '0');
			nd++;
		}
		if (nd == 0 || v > 255 || (i < 3 ? *s != '.' : *s != '\0'))
			return false;
		if (i < 3)
			s++;
		a = a << 8 | v;
	}
	*out = a;
	return true;
}

/* A name: printable ASCII without spaces, fits CONF_NAME_MAX. */
static int
name_ok(struct pl *p, const char *what, const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return perr(p, "%s needs a name", what);
	if (n >= CONF_NAME_MAX)
		return perr(p, "%s \"%.20s...\": longer than %d characters", what, s,
		    CONF_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return perr(p, "%s \"%.40s\": only printable ASCII in names", what, s);
	return 0;
}

static int
text_ok(struct pl *p, const char *what, const char *s, size_t max)
{
	if (s[0] == '\0')
		return perr(p, "%s needs text", what);
	if (strlen(s) >= max)
		return perr(p, "%s: longer than %zu characters", what, max - 1);
	return 0;
}

static void
copy_name(char *dst, const char *src)
{
	size_t n = strnlen(src, CONF_NAME_MAX - 1);	/* callers checked with name_ok() */

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* ---- Access lists ---- */

static bool
acl_numbered(const char *name, bool *in_range)
{
	unsigned long v;

	if (name[0] < '0' || name[0] > '9')
		return false;
	*in_range = num(name, 100, 199, &v) || num(name, 2000, 2699, &v);
	return true;
}

/* "match address X" and friends: a numbered name must be an extended list number. */
static int
acl_name_ok(struct pl *p, const char *what, const char *s)
{
	bool in_range;

	if (name_ok(p, what, s) != 0)
		return -1;
	if (acl_numbered(s, &in_range) && !in_range)
		return perr(p, "%s \"%.40s\": not an extended access list (100-199, 2000-2699)",
		    what, s);
	return 0;
}

static bool
has_ports(uint8_t proto)
{
	return proto == 6 || proto == 17 || proto == 132;
}

static bool
port_op_word(const char *s)
{
	return strcasecmp(s, "eq") == 0 || strcasecmp(s, "neq") == 0 ||
	    strcasecmp(s, "lt") == 0 || strcasecmp(s, "gt") == 0 ||
	    strcasecmp(s, "range") == 0;
}

static int
port_value(struct pl *p, uint8_t proto, const char *s, uint16_t *out)
{
	const struct port_name *t = proto == 6 ? tcp_ports : proto == 17 ? udp_ports : NULL;
	size_t n = proto == 6 ? NELEM(tcp_ports) : proto == 17 ? NELEM(udp_ports) : 0;
	unsigned long v;

	if (num(s, 0, 65535, &v)) {
		*out = (uint16_t)v;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(t[i].name, s) == 0) {
			*out = t[i].port;
			return 0;
		}
	if (s[0] == '\0')
		return perr(p, "port operator needs a port");
	return perr(p, "\"%.40s\": not a port number (0-65535) or %s port name", s,
	    conf_proto_name(proto) != NULL ? conf_proto_name(proto) : "known");
}

/* [eq|neq|lt|gt P | range A B] at *i, if present. */
static int
ports(struct pl *p, int *i, uint8_t proto, struct conf_ports *pt)
{
	const char *op = word(p, *i);
	uint16_t a, b;

	pt->op = CONF_PORT_ANY;
	pt->lo = 0;
	pt->hi = 65535;
	pt->neq = false;
	if (!has_ports(proto) || !port_op_word(op))
		return 0;
	if (port_value(p, proto, word(p, *i + 1), &a) != 0)
		return -1;
	if (strcasecmp(op, "range") == 0) {
		if (port_value(p, proto, word(p, *i + 2), &b) != 0)
			return -1;
		if (a > b)
			return perr(p, "range %u %u: first port is above the last", a, b);
		pt->op = CONF_PORT_RANGE;
		pt->lo = a;
		pt->hi = b;
		*i += 3;
		return 0;
	}
	*i += 2;
	pt->lo = pt->hi = a;
	if (strcasecmp(op, "eq") == 0) {
		pt->op = CONF_PORT_EQ;
	} else if (strcasecmp(op, "neq") == 0) {
		pt->op = CONF_PORT_NEQ;
		pt->neq = true;
	} else if (strcasecmp(op, "lt") == 0) {
		if (a == 0)
			return perr(p, "lt 0: matches no port");
		pt->op = CONF_PORT_LT;
		pt->lo = 0;
		pt->hi = a - 1;
	} else {
		if (a == 65535)
			return perr(p, "gt 65535: matches no port");
		pt->op = CONF_PORT_GT;
		pt->lo = a + 1;
		pt->hi = 65535;
	}
	return 0;
}

/* any | host A | A WILDCARD at *i. */
static int
address(struct pl *p, int *i, const char *what, struct conf_addr *a)
{
	const char *s = word(p, *i);

	if (s[0] == '\0')
		return perr(p, "missing %s address (any, host A or A WILDCARD)", what);
	if (strcasecmp(s, "any") == 0) {
		a->addr = 0;
		a->wild = 0xffffffffu;
		*i += 1;
		return 0;
	}
	if (strcasecmp(s, "host") == 0) {
		if (!ipv4(word(p, *i + 1), &a->addr))
			return perr(p, "host \"%.40s\": not an IPv4 address", word(p, *i + 1));
		a->wild = 0;
		*i += 2;
		return 0;
	}
	if (!ipv4(s, &a->addr))
		return perr(p, "\"%.40s\": not a %s address (any, host A or A WILDCARD)", s, what);
	if (!ipv4(word(p, *i + 1), &a->wild))
		return perr(p, "%s %.40s: \"%.40s\" is not a wildcard mask", what, s,
		    word(p, *i + 1));
	a->addr &= ~a->wild;			/* as IOS stores it */
	*i += 2;
	return 0;
}

static int
protocol(struct pl *p, const char *s, uint8_t *out)
{
	unsigned long v;

	for (size_t i = 0; i < NELEM(proto_tab); i++)
		if (strcasecmp(proto_tab[i].name, s) == 0) {
			*out = proto_tab[i].num;
			return 0;
		}
	if (num(s, 0, 255, &v)) {
		*out = (uint8_t)v;
		return 0;
	}
	if (s[0] == '\0')
		return perr(p, "missing protocol (ip, tcp, udp, esp, ... or 0-255)");
	return perr(p, "\"%.40s\": unknown protocol (ip, tcp, udp, esp, ... or 0-255)", s);
}

/* {permit|deny} PROTO SRC [PORTS] DST [PORTS] [precedence P] [tos T] [log], words from i. */
static int
ace_parse(struct pl *p, int i, enum conf_ace_action act, struct conf_ace *a)
{
	unsigned long v;

	memset(a, 0, sizeof(*a));
	a->action = act;
	a->line = p->lineno;
	a->precedence = a->tos = -1;
	if (protocol(p, word(p, i), &a->proto) != 0)
		return -1;
	i++;
	if (address(p, &i, "source", &a->src) != 0 || ports(p, &i, a->proto, &a->sport) != 0 ||
	    address(p, &i, "destination", &a->dst) != 0 ||
	    ports(p, &i, a->proto, &a->dport) != 0)
		return -1;
	while (i < p->l->n) {
		const char *s = p->l->w[i], *arg = word(p, i + 1);

		if (strcasecmp(s, "precedence") == 0 && a->precedence < 0) {
			if (num(arg, 0, 7, &v)) {
				a->precedence = (int16_t)v;
			} else {
				for (int k = 0; k < 8; k++)
					if (strcasecmp(arg, prec_names[k]) == 0)
						a->precedence = (int16_t)k;
				if (a->precedence < 0)
					return perr(p, "precedence \"%.40s\": not 0-7 or a "
					    "precedence name", arg);
			}
			i += 2;
		} else if (strcasecmp(s, "tos") == 0 && a->tos < 0) {
			if (num(arg, 0, 15, &v)) {
				a->tos = (int16_t)v;
			} else {
				for (size_t k = 0; k < NELEM(tos_tab); k++)
					if (strcasecmp(arg, tos_tab[k].name) == 0)
						a->tos = tos_tab[k].tos;
				if (a->tos < 0)
					return perr(p, "tos \"%.40s\": not 0-15 or a TOS name",
					    arg);
			}
			i += 2;
		} else if (strcasecmp(s, "log") == 0 && !a->log) {
			a->log = true;
			i++;
		} else if (port_op_word(s) && !has_ports(a->proto)) {
			return perr(p, "\"%s\": ports apply only to tcp and udp", s);
		} else {
			return perr(p, "\"%.40s\": unexpected word", s);
		}
	}
	return 0;
}

static struct conf_acl *
acl_create(struct conf *c, const char *name, unsigned line)
{
	struct conf_acl *a;
	bool in_range = false;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	copy_name(a->name, name);
	a->numbered = acl_numbered(name, &in_range);
	a->line = line;
	if (PTR_APPEND(c->acls, c->n_acls, a) != 0) {
		free(a);
		return NULL;
	}
	return a;
}

static int
acl_reserve(struct conf_acl *a)
{
	struct conf_ace *n;
	size_t cap;

	if (a->n_aces < a->cap_aces)
		return 0;
	cap = a->cap_aces ? a->cap_aces * 2 : 8;
	if ((n = realloc(a->aces, cap * sizeof(*n))) == NULL)
		return -1;
	a->aces = n;
	a->cap_aces = cap;
	return 0;
}

static void
acl_delete(struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_acls; i++)
		if (strcmp(c->acls[i]->name, name) == 0) {
			acl_free(c->acls[i]);
			PTR_REMOVE(c->acls, c->n_acls, i);
			return;
		}
}

/* Parse an entry (permit/deny/remark at word i) and append it to list name, creating the
 * list if needed.  acl may be given (sub-mode) or NULL (numbered global command). */
static int
acl_add(struct pl *p, struct conf_acl *acl, const char *name, int i)
{
	struct conf *c = p->s->c;
	struct conf_ace a;
	bool created = false;

	if (kw(p, i, "remark")) {
		memset(&a, 0, sizeof(a));
		a.action = CONF_ACE_REMARK;
		a.line = p->lineno;
		a.precedence = a.tos = -1;
		if (text_ok(p, "remark", i + 1 < p->l->n ? rest(p, i + 1) : "",
		    CONF_REMARK_MAX) != 0)
			return -1;
		snprintf(a.remark, sizeof(a.remark), "%s", rest(p, i + 1));
	} else if (kw(p, i, "permit") || kw(p, i, "deny")) {
		if (ace_parse(p, i + 1, kw(p, i, "permit") ? CONF_ACE_PERMIT : CONF_ACE_DENY,
		    &a) != 0)
			return -1;
	} else if (i < p->l->n) {
		return perr(p, "\"%.40s\": expected permit, deny or remark", word(p, i));
	} else {
		return perr(p, "expected permit, deny or remark");
	}
	if (acl == NULL && (acl = conf_acl_find(c, name)) == NULL) {
		if ((acl = acl_create(c, name, p->lineno)) == NULL)
			return oom(p);
		created = true;
	}
	if (acl_reserve(acl) != 0) {
		if (created)
			acl_delete(c, name);
		return oom(p);
	}
	acl->aces[acl->n_aces++] = a;
	return 0;
}

/* "no permit ..." / "no deny ..." / "no remark ..." in a named list: remove the first equal
 * entry; nothing to remove is not an error (IOS). */
static int
acl_remove_entry(struct pl *p, struct conf_acl *acl, int i)
{
	struct conf_ace a;

	if (kw(p, i, "remark")) {
		memset(&a, 0, sizeof(a));
		a.action = CONF_ACE_REMARK;
		snprintf(a.remark, sizeof(a.remark), "%s", i + 1 < p->l->n ? rest(p, i + 1) : "");
	} else if (ace_parse(p, i + 1, kw(p, i, "permit") ? CONF_ACE_PERMIT : CONF_ACE_DENY,
	    &a) != 0) {
		return -1;
	}
	for (size_t k = 0; k < acl->n_aces; k++)
		if (ace_equal(&acl->aces[k], &a)) {
			memmove(&acl->aces[k], &acl->aces[k + 1],
			    (acl->n_aces - k - 1) * sizeof(a));
			acl->n_aces--;
			break;
		}
	return 0;
}

/* access-list N {permit|deny|remark} ... ; no access-list N */
static int
cmd_access_list(struct pl *p, bool no)
{
	const char *name = word(p, 1);
	bool in_range = false;

	where(p, "access-list %.40s", name);
	if (p->l->n < 2)
		return perr(p, "needs a list number");
	if (!acl_numbered(name, &in_range) || !in_range) {
		unsigned long v;

		if (num(name, 1, 99, &v) || num(name, 1300, 1999, &v))
			return perr(p, "standard access lists are not supported; "
			    "use an extended list (100-199, 2000-2699)");
		return perr(p, "\"%.40s\": not an extended access list number (100-199, "
		    "2000-2699)", name);
	}
	if (no) {
		if (extra(p, 2) != 0)
			return -1;
		acl_delete(p->s->c, name);
		return 0;
	}
	return acl_add(p, NULL, name, 2);
}

/* ip access-list extended NAME ; no ip access-list extended NAME */
static int
cmd_ip(struct pl *p, bool no)
{
	struct conf *c = p->s->c;
	struct conf_acl *a;
	const char *name = word(p, 3);

	if (!kw(p, 1, "access-list"))
		return perr(p, "\"%.40s\": unknown command (ip access-list extended NAME)",
		    word(p, 1));
	where(p, "ip access-list");
	if (!kw(p, 2, "extended"))
		return perr(p, "\"%.40s\": only extended access lists are supported", word(p, 2));
	if (acl_name_ok(p, "extended", name) != 0 || extra(p, 4) != 0)
		return -1;
	if (no) {
		acl_delete(c, name);
		return 0;
	}
	if ((a = conf_acl_find(c, name)) == NULL && (a = acl_create(c, name, p->lineno)) == NULL)
		return oom(p);
	p->s->mode = CONF_SM_ACL;
	p->s->acl = a;
	return 0;
}

/* ---- Transform sets ---- */

static bool
xf_lookup(const char *s, enum conf_xf *out)
{
	for (int i = 0; i < CONF_XF_MAX; i++)
		if (strcasecmp(xf_tab[i].name, s) == 0) {
			*out = (enum conf_xf)i;
			return true;
		}
	return false;
}

/* Can transform x join the set t so far?  The rules of docs/transform-rules.md. */
static int
xf_compatible(struct pl *p, const struct conf_transform_set *t, enum conf_xf x)
{
	const struct xf_info *xi = &xf_tab[x];
	const char *xn = xi->name;

	for (unsigned i = 0; i < t->n_xforms; i++) {
		enum conf_xf y = t->xforms[i].xf;
		const struct xf_info *yi = &xf_tab[y];

		if (xi->kind == yi->kind) {
			static const char *const what[] = {
				[CONF_XFK_AH] = "AH transform",
				[CONF_XFK_ESP_CIPHER] = "ESP cipher",
				[CONF_XFK_ESP_AUTH] = "ESP authenticator",
			};

			return perr(p, "\"%s\": at most one %s per set (already %s)", xn,
			    what[xi->kind], yi->name);
		}
		if ((xi->aead && yi->kind == CONF_XFK_ESP_AUTH) ||
		    (yi->aead && xi->kind == CONF_XFK_ESP_AUTH))
			return perr(p, "\"%s\": %s is a combined-mode cipher and takes no ESP "
			    "authenticator", xn, xi->aead ? xn : yi->name);
		if ((x == CONF_XF_ESP_RFC1829 && yi->kind == CONF_XFK_ESP_AUTH) ||
		    (y == CONF_XF_ESP_RFC1829 && xi->kind == CONF_XFK_ESP_AUTH))
			return perr(p, "\"%s\": esp-rfc1829 takes no ESP authenticator", xn);
		if ((x == CONF_XF_ESP_RFC1829 && yi->kind == CONF_XFK_AH &&
		    y != CONF_XF_AH_RFC1828) ||
		    (y == CONF_XF_ESP_RFC1829 && xi->kind == CONF_XFK_AH &&
		    x != CONF_XF_AH_RFC1828))
			return perr(p, "\"%s\": esp-rfc1829 combines only with ah-rfc1828", xn);
		if ((x == CONF_XF_AH_RFC1828 && yi->kind != CONF_XFK_AH &&
		    y != CONF_XF_ESP_RFC1829) ||
		    (y == CONF_XF_AH_RFC1828 && xi->kind != CONF_XFK_AH &&
		    x != CONF_XF_ESP_RFC1829))
			return perr(p, "\"%s\": ah-rfc1828 combines only with esp-rfc1829", xn);
	}
	return 0;
}

static void
tset_derive(struct conf_transform_set *t)
{
	t->ah = XF_AUTH_NONE;
	t->esp_cipher = XF_CIPHER_NONE;
	t->esp_auth = XF_AUTH_NONE;
	t->esp_key_bits = 0;
	for (unsigned i = 0; i < t->n_xforms; i++) {
		const struct xf_info *xi = &xf_tab[t->xforms[i].xf];

		switch (xi->kind) {
		case CONF_XFK_AH:
			t->ah = xi->auth;
			break;
		case CONF_XFK_ESP_CIPHER:
			t->esp_cipher = xi->cipher;
			t->esp_key_bits = t->xforms[i].bits;
			if (xi->cipher == XF_CIPHER_CHACHA20_POLY1305)
				t->esp_key_bits = 256;
			break;
		case CONF_XFK_ESP_AUTH:
			t->esp_auth = xi->auth;
			break;
		}
	}
}

static bool
tset_has(const struct conf_transform_set *t, enum conf_xf x)
{
	for (unsigned i = 0; i < t->n_xforms; i++)
		if (t->xforms[i].xf == x)
			return true;
	return false;
}

/* crypto ipsec transform-set NAME t1 [bits] [t2 [bits] [t3 [bits]]] */
static int
cmd_transform_set(struct pl *p, bool no)
{
	struct conf *c = p->s->c;
	struct conf_transform_set t, *old, *n;
	const char *name = word(p, 3);
	int i;

	where(p, "crypto ipsec transform-set %.40s", name);
	if (name_ok(p, "transform-set", name) != 0)
		return -1;
	if (no) {
		if (extra(p, 4) != 0)
			return -1;
		for (size_t k = 0; k < c->n_tsets; k++)
			if (strcmp(c->tsets[k]->name, name) == 0) {
				free(c->tsets[k]);
				PTR_REMOVE(c->tsets, c->n_tsets, k);
				break;
			}
		return 0;
	}
	memset(&t, 0, sizeof(t));
	copy_name(t.name, name);
	t.line = p->lineno;
	t.mode = CONF_MODE_TUNNEL;
	t.iv_size = 8;
	for (i = 4; i < p->l->n; i++) {
		enum conf_xf x;
		unsigned long bits;

		if (!xf_lookup(p->l->w[i], &x))
			return perr(p, "\"%.40s\": unknown transform", p->l->w[i]);
		if (t.n_xforms == CONF_XFORMS_MAX)
			return perr(p, "\"%s\": at most %d transforms per set", xf_tab[x].name,
			    CONF_XFORMS_MAX);
		if (xf_compatible(p, &t, x) != 0)
			return -1;
		t.xforms[t.n_xforms].xf = x;
		t.xforms[t.n_xforms].bits = xf_tab[x].bits_def;
		if (xf_tab[x].bits_def != 0 && i + 1 < p->l->n &&
		    num(p->l->w[i + 1], 0, 99999, &bits)) {
			if (bits != 128 && bits != 256 && !(bits == 192 && xf_tab[x].bits192))
				return perr(p, "\"%s %lu\": key size is %s", xf_tab[x].name, bits,
				    xf_tab[x].bits192 ? "128, 192 or 256" : "128 or 256");
			t.xforms[t.n_xforms].bits = (uint16_t)bits;
			i++;
		}
		t.n_xforms++;
	}
	if (t.n_xforms == 0)
		return perr(p, "needs at least one transform");
	if (tset_has(&t, CONF_XF_ESP_NULL) && !tset_has(&t, CONF_XF_ESP_MD5_HMAC) &&
	    !tset_has(&t, CONF_XF_ESP_SHA_HMAC) && !tset_has(&t, CONF_XF_ESP_SHA256_HMAC) &&
	    !tset_has(&t, CONF_XF_ESP_SHA384_HMAC) && !tset_has(&t, CONF_XF_ESP_SHA512_HMAC))
		return perr(p, "\"esp-null\": needs an ESP authenticator (ESP with neither "
		    "confidentiality nor integrity, RFC 4303 §3.2)");
	tset_derive(&t);
	if ((old = conf_tset_find(c, name)) != NULL) {
		/* redefinition: new transforms, the mode stays (IOS) */
		t.mode = old->mode;
		t.line = old->line;
		if (tset_has(&t, CONF_XF_ESP_RFC1829))
			t.iv_size = old->iv_size;
		*old = t;
		n = old;
	} else {
		if ((n = malloc(sizeof(*n))) == NULL)
			return oom(p);
		*n = t;
		if (PTR_APPEND(c->tsets, c->n_tsets, n) != 0) {
			free(n);
			return oom(p);
		}
	}
	p->s->mode = CONF_SM_TRANSFORM;
	p->s->tset = n;
	return 0;
}

/* crypto ipsec security-association lifetime {seconds N | kilobytes N} */
static int
lifetime(struct pl *p, int i, bool no, uint32_t *sec, uint32_t *kb, uint32_t nsec, uint32_t nkb)
{
	unsigned long v;
	bool s;

	if (!kw(p, i, "seconds") && !kw(p, i, "kilobytes"))
		return perr(p, "lifetime: \"%.40s\": expected seconds or kilobytes", word(p, i));
	s = kw(p, i, "seconds");
	if (no) {
		/* "no ... lifetime seconds [N]": back to the default */
		if (extra(p, i + 2) != 0)
			return -1;
		if (s)
			*sec = nsec;
		else
			*kb = nkb;
		return 0;
	}
	if (s ? !num(word(p, i + 1), CONF_LIFETIME_SEC_MIN, CONF_LIFETIME_SEC_MAX, &v) :
	    !num(word(p, i + 1), CONF_LIFETIME_KB_MIN, CONF_LIFETIME_KB_MAX, &v))
		return perr(p, "lifetime %s \"%.40s\": not in %u-%u", s ? "seconds" : "kilobytes",
		    word(p, i + 1), s ? CONF_LIFETIME_SEC_MIN : CONF_LIFETIME_KB_MIN,
		    s ? CONF_LIFETIME_SEC_MAX : CONF_LIFETIME_KB_MAX);
	if (extra(p, i + 2) != 0)
		return -1;
	if (s)
		*sec = (uint32_t)v;
	else
		*kb = (uint32_t)v;
	return 0;
}

/* ---- Crypto maps ---- */

static struct conf_map *
map_create(struct conf *c, bool dynamic, const char *name, unsigned line)
{
	struct conf_map *m;
	int r;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	copy_name(m->name, name);
	m->dynamic = dynamic;
	m->line = line;
	r = dynamic ? PTR_APPEND(c->dynmaps, c->n_dynmaps, m) : PTR_APPEND(c->maps, c->n_maps, m);
	if (r != 0) {
		free(m);
		return NULL;
	}
	return m;
}

static void
map_delete(struct conf *c, struct conf_map *m)
{
	struct conf_map **arr = m->dynamic ? c->dynmaps : c->maps;
	size_t *n = m->dynamic ? &c->n_dynmaps : &c->n_maps;

	for (size_t i = 0; i < *n; i++)
		if (arr[i] == m) {
			memmove(&arr[i], &arr[i + 1], (*n - i - 1) * sizeof(*arr));
			(*n)--;
			break;
		}
	map_free(m);
}

/* Insert e keeping the entries sorted by seq. */
static int
map_insert(struct conf_map *m, struct conf_map_entry *e)
{
	struct conf_map_entry **n;
	size_t i = 0;

	if ((n = realloc(m->entries, (m->n_entries + 1) * sizeof(*n))) == NULL)
		return -1;
	m->entries = n;
	while (i < m->n_entries && m->entries[i]->seq < e->seq)
		i++;
	memmove(&m->entries[i + 1], &m->entries[i], (m->n_entries - i) * sizeof(*n));
	m->entries[i] = e;
	m->n_entries++;
	return 0;
}

static void
map_remove_entry(struct conf *c, struct conf_map *m, unsigned seq)
{
	for (size_t i = 0; i < m->n_entries; i++)
		if (m->entries[i]->seq == seq) {
			entry_free(m->entries[i]);
			PTR_REMOVE(m->entries, m->n_entries, i);
			break;
		}
	if (m->n_entries == 0 && m->local_address[0] == '\0')
		map_delete(c, m);		/* an empty set is no set (and shows as nothing) */
}

/* Enter (creating if needed) entry seq of set name. */
static int
map_enter(struct pl *p, bool dynamic, const char *name, unsigned seq, enum conf_map_kind kind,
    bool kind_given, const char *dynname)
{
	struct conf *c = p->s->c;
	struct conf_map *m;
	struct conf_map_entry *e;
	bool created = false;

	m = dynamic ? conf_dynmap_find(c, name) : conf_map_find(c, name);
	e = m != NULL ? conf_map_entry_find(m, seq) : NULL;
	if (e != NULL && kind_given && e->kind != kind)
		return perr(p, "is %s%s; remove it (no crypto map %s %u) to change its type",
		    conf_map_kind_name(e->kind), e->kind == CONF_MAP_DYNAMIC ? " dynamic" : "",
		    name, seq);
	if (e != NULL && kind == CONF_MAP_DYNAMIC && kind_given)
		copy_name(e->dynamic, dynname);
	if (e == NULL) {
		if (m == NULL) {
			if ((m = map_create(c, dynamic, name, p->lineno)) == NULL)
				return oom(p);
			created = true;
		}
		if ((e = calloc(1, sizeof(*e))) == NULL)
			goto nomem;
		e->seq = (uint16_t)seq;
		e->kind = kind;
		e->line = p->lineno;
		if (kind == CONF_MAP_DYNAMIC)
			copy_name(e->dynamic, dynname);
		if (map_insert(m, e) != 0)
			goto nomem;
	}
	p->s->mode = CONF_SM_MAP;
	p->s->map = m;
	p->s->entry = e;
	return 0;
nomem:
	free(e);
	if (created)
		map_delete(c, m);
	return oom(p);
}

/* crypto map NAME SEQ [ipsec-manual | ipsec-isakmp [dynamic DYN]]
 * crypto map NAME local-address IF
 * no crypto map NAME [SEQ | local-address [IF]] */
static int
cmd_crypto_map(struct pl *p, bool no)
{
	struct conf *c = p->s->c;
	const char *name = word(p, 2);
	enum conf_map_kind kind = CONF_MAP_ISAKMP;
	struct conf_map *m;
	unsigned long seq;

	where(p, "crypto map %.40s", name);
	if (name_ok(p, "crypto map", name) != 0)
		return -1;
	m = conf_map_find(c, name);
	if (kw(p, 3, "local-address")) {
		where(p, "crypto map %.40s local-address", name);
		if (no) {
			if (p->l->n > 4 && name_ok(p, "interface", word(p, 4)) != 0)
				return -1;
			if (extra(p, 5) != 0)
				return -1;
			if (m != NULL) {
				m->local_address[0] = '\0';
				if (m->n_entries == 0)
					map_delete(c, m);
			}
			return 0;
		}
		if (name_ok(p, "interface", word(p, 4)) != 0 || extra(p, 5) != 0)
			return -1;
		if (m == NULL && (m = map_create(c, false, name, p->lineno)) == NULL)
			return oom(p);
		copy_name(m->local_address, word(p, 4));
		m->local_address_line = p->lineno;
		return 0;
	}
	if (p->l->n < 4) {
		if (no) {
			if (m != NULL)
				map_delete(c, m);
			return 0;
		}
		return perr(p, "needs a sequence number (1-65535) or local-address");
	}
	if (!num(word(p, 3), 1, 65535, &seq))
		return perr(p, "\"%.40s\": not a sequence number (1-65535)", word(p, 3));
	where(p, "crypto map %.40s %lu", name, seq);
	if (no) {
		if (extra(p, 4) != 0)
			return -1;
		if (m != NULL)
			map_remove_entry(c, m, (unsigned)seq);
		return 0;
	}
	if (kw(p, 4, "ipsec-manual")) {
		kind = CONF_MAP_MANUAL;
		if (extra(p, 5) != 0)
			return -1;
	} else if (kw(p, 4, "ipsec-isakmp")) {
		if (kw(p, 5, "dynamic")) {
			kind = CONF_MAP_DYNAMIC;
			if (name_ok(p, "dynamic", word(p, 6)) != 0 || extra(p, 7) != 0)
				return -1;
		} else if (extra(p, 5) != 0) {
			return -1;
		}
	} else if (kw(p, 4, "cisco")) {
		return perr(p, "\"cisco\": Cisco Encryption Technology entries are not "
		    "supported; use ipsec-manual or ipsec-isakmp");
	} else if (p->l->n > 4) {
		return perr(p, "\"%.40s\": expected ipsec-manual or ipsec-isakmp", word(p, 4));
	}
	return map_enter(p, false, name, (unsigned)seq, kind, p->l->n > 4, word(p, 6));
}

/* crypto dynamic-map NAME SEQ ; no crypto dynamic-map NAME [SEQ] */
static int
cmd_dynamic_map(struct pl *p, bool no)
{
	struct conf *c = p->s->c;
	const char *name = word(p, 2);
	struct conf_map *m;
	unsigned long seq;

	where(p, "crypto dynamic-map %.40s", name);
	if (name_ok(p, "crypto dynamic-map", name) != 0)
		return -1;
	m = conf_dynmap_find(c, name);
	if (no && p->l->n == 3) {
		if (m != NULL)
			map_delete(c, m);
		return 0;
	}
	if (!num(word(p, 3), 1, 65535, &seq))
		return perr(p, "\"%.40s\": not a sequence number (1-65535)", word(p, 3));
	where(p, "crypto dynamic-map %.40s %lu", name, seq);
	if (extra(p, 4) != 0)
		return -1;
	if (no) {
		if (m != NULL)
			map_remove_entry(c, m, (unsigned)seq);
		return 0;
	}
	return map_enter(p, true, name, (unsigned)seq, CONF_MAP_ISAKMP, false, "");
}

/* crypto {ipsec ... | map ... | dynamic-map ...} */
static int
cmd_crypto(struct pl *p, bool no)
{
	struct conf *c = p->s->c;

	if (kw(p, 1, "map"))
		return cmd_crypto_map(p, no);
	if (kw(p, 1, "dynamic-map"))
		return cmd_dynamic_map(p, no);
	if (!kw(p, 1, "ipsec"))
		return perr(p, "crypto \"%.40s\": unknown command (crypto ipsec, crypto map, "
		    "crypto dynamic-map)", word(p, 1));
	if (kw(p, 2, "transform-set"))
		return cmd_transform_set(p, no);
	if (kw(p, 2, "security-association") && kw(p, 3, "lifetime")) {
		where(p, "crypto ipsec security-association lifetime");
		return lifetime(p, 4, no, &c->lifetime_sec, &c->lifetime_kb,
		    CONF_LIFETIME_SEC_DEFAULT, CONF_LIFETIME_KB_DEFAULT);
	}
	return perr(p, "crypto ipsec \"%.40s\": unknown command (transform-set, "
	    "security-association lifetime)", word(p, 2));
}

/* ---- Crypto map sub-mode ---- */

static int
set_peer(struct pl *p, struct conf_map_entry *e, bool no)
{
	uint32_t a;

	if (no && p->l->n == 2) {
		e->n_peers = 0;
		return 0;
	}
	if (!ipv4(word(p, 2), &a))
		return perr(p, "set peer \"%.40s\": not an IPv4 address (hostnames are not "
		    "resolved)", word(p, 2));
	if (extra(p, 3) != 0)
		return -1;
	for (unsigned i = 0; i < e->n_peers; i++)
		if (e->peers[i] == a) {
			if (no) {
				memmove(&e->peers[i], &e->peers[i + 1],
				    (e->n_peers - i - 1) * sizeof(a));
				e->n_peers--;
			}
			return 0;		/* already there */
		}
	if (no)
		return 0;
	if (e->kind == CONF_MAP_MANUAL && e->n_peers > 0)
		return perr(p, "set peer %.40s: an ipsec-manual entry has one peer; remove the "
		    "other first (no set peer)", word(p, 2));
	if (e->n_peers == CONF_PEERS_MAX)
		return perr(p, "set peer %.40s: at most %d peers", word(p, 2), CONF_PEERS_MAX);
	e->peers[e->n_peers++] = a;
	return 0;
}

static int
set_transform_set(struct pl *p, struct conf_map_entry *e, bool no)
{
	char names[CONF_TSETS_MAX][CONF_NAME_MAX];
	int n = p->l->n - 2;

	if (no) {
		/* "no set transform-set [NAMES]": IOS clears the list */
		e->n_tsets = 0;
		e->tsets_line = 0;
		return 0;
	}
	if (n == 0)
		return perr(p, "set transform-set needs a transform set name");
	if (n > CONF_TSETS_MAX)
		return perr(p, "set transform-set: at most %d transform sets", CONF_TSETS_MAX);
	if (e->kind == CONF_MAP_MANUAL && n > 1)
		return perr(p, "set transform-set: an ipsec-manual entry takes exactly one "
		    "transform set");
	for (int i = 0; i < n; i++) {
		if (name_ok(p, "transform-set", word(p, 2 + i)) != 0)
			return -1;
		for (int k = 0; k < i; k++)
			if (strcmp(names[k], word(p, 2 + i)) == 0)
				return perr(p, "set transform-set: %.40s is listed twice",
				    names[k]);
		copy_name(names[i], word(p, 2 + i));
	}
	memcpy(e->tsets, names, (size_t)n * sizeof(names[0]));
	e->n_tsets = (uint8_t)n;
	e->tsets_line = p->lineno;
	return 0;
}

static int
set_pfs(struct pl *p, struct conf_map_entry *e, bool no)
{
	const char *g = word(p, 2);
	unsigned long v;

	if (no) {
		e->pfs = 0;
		return 0;
	}
	if (p->l->n == 2) {
		e->pfs = 1;			/* IOS: group1 when no group is given */
		return 0;
	}
	if (strncasecmp(g, "group", 5) == 0 && num(g + 5, 1, 255, &v))
		for (size_t i = 0; i < NELEM(pfs_groups); i++)
			if (pfs_groups[i] == v) {
				if (extra(p, 3) != 0)
					return -1;
				e->pfs = (uint8_t)v;
				return 0;
			}
	return perr(p, "set pfs \"%.40s\": not a DH group (group1, group2, group5, group14, "
	    "group19, group20, group21)", g);
}

static int
set_session_key(struct pl *p, struct conf_map_entry *e, bool no)
{
	struct conf_session_key k;
	struct gw_err kerr;
	enum conf_dir d;
	enum conf_proto pr;
	const char *dn = word(p, 2);
	unsigned long spi;
	int i = 5;

	if (!kw(p, 2, "inbound") && !kw(p, 2, "outbound"))
		return perr(p, "set session-key \"%.40s\": expected inbound or outbound", dn);
	d = kw(p, 2, "inbound") ? CONF_DIR_IN : CONF_DIR_OUT;
	if (!kw(p, 3, "ah") && !kw(p, 3, "esp"))
		return perr(p, "set session-key %s \"%.40s\": expected ah or esp", dn, word(p, 3));
	pr = kw(p, 3, "ah") ? CONF_PROTO_AH : CONF_PROTO_ESP;
	if (no) {
		/* "no set session-key DIR PROTO [SPI ...]": the rest is not checked (IOS) */
		OPENSSL_cleanse(&e->keys[d][pr], sizeof(e->keys[d][pr]));
		return 0;
	}
	if (!num(word(p, 4), CONF_SPI_MIN, 0xffffffffUL, &spi)) {
		/* a long word here may be a key typed one place early: never echo keys */
		if (strlen(word(p, 4)) > 10)
			return perr(p, "set session-key %s %s: the SPI (%u-4294967295) comes "
			    "before the keys", dn, word(p, 3), CONF_SPI_MIN);
		return perr(p, "set session-key %s %s \"%s\": SPI is %u-4294967295", dn,
		    word(p, 3), word(p, 4), CONF_SPI_MIN);
	}
	memset(&k, 0, sizeof(k));
	k.set = true;
	k.spi = (uint32_t)spi;
	k.line = p->lineno;
	if (pr == CONF_PROTO_AH) {
		if (p->l->n <= i)
			return perr(p, "set session-key %s ah %lu: needs the key in hex", dn, spi);
		if (key_from_hex(&k.auth, word(p, i), &kerr) != 0)
			return perr(p, "set session-key %s ah %lu: %s", dn, spi, kerr.msg);
		i++;
	} else {
		if (kw(p, i, "cipher")) {
			if (key_from_hex(&k.cipher, word(p, i + 1), &kerr) != 0)
				return perr(p, "set session-key %s esp %lu cipher: %s", dn, spi,
				    kerr.msg);
			i += 2;
		}
		if (kw(p, i, "authenticator")) {
			if (key_from_hex(&k.auth, word(p, i + 1), &kerr) != 0) {
				OPENSSL_cleanse(&k, sizeof(k));
				return perr(p, "set session-key %s esp %lu authenticator: %s", dn,
				    spi, kerr.msg);
			}
			i += 2;
		}
		if (i == 5)
			return perr(p, "set session-key %s esp %lu: expected cipher or "
			    "authenticator", dn, spi);
	}
	if (i < p->l->n) {
		OPENSSL_cleanse(&k, sizeof(k));
		return perr(p, "set session-key %s %s %lu: unexpected word %d (words of this "
		    "command are not echoed)", dn, word(p, 3), spi, i + 1);
	}
	OPENSSL_cleanse(&e->keys[d][pr], sizeof(k));
	e->keys[d][pr] = k;
	OPENSSL_cleanse(&k, sizeof(k));
	return 0;
}

static int
set_sa(struct pl *p, struct conf_map_entry *e, bool no)
{
	unsigned long v;

	if (kw(p, 2, "lifetime"))
		return lifetime(p, 3, no, &e->lifetime_sec, &e->lifetime_kb, 0, 0);
	if (kw(p, 2, "level")) {
		if (!kw(p, 3, "per-host"))
			return perr(p, "set security-association level \"%.40s\": expected "
			    "per-host", word(p, 3));
		if (extra(p, 4) != 0)
			return -1;
		e->per_host = !no;
		return 0;
	}
	if (kw(p, 2, "replay")) {
		if (!kw(p, 3, "window-size"))
			return perr(p, "set security-association replay \"%.40s\": expected "
			    "window-size", word(p, 3));
		if (no) {
			e->replay_window = 0;
			e->replay_line = 0;
			return 0;
		}
		if (!num(word(p, 4), CONF_REPLAY_DEFAULT, CONF_REPLAY_MAX, &v) || (v & (v - 1)))
			return perr(p, "set security-association replay window-size \"%.40s\": "
			    "a power of two, %u-%u", word(p, 4), CONF_REPLAY_DEFAULT,
			    CONF_REPLAY_MAX);
		if (extra(p, 5) != 0)
			return -1;
		e->replay_window = (uint16_t)v;
		e->replay_line = p->lineno;
		return 0;
	}
	return perr(p, "set security-association \"%.40s\": expected lifetime, level or "
	    "replay", word(p, 2));
}

/* One line of crypto map / dynamic-map configuration (the words of the command proper, "no"
 * taken off).  1: not a command of this mode. */
static int
mode_map(struct pl *p, bool no)
{
	struct conf_map_entry *e = p->s->entry;
	struct conf_map *m = p->s->map;
	bool manual = e->kind == CONF_MAP_MANUAL;
	const char *sub;

	where(p, "crypto %s %s %u", m->dynamic ? "dynamic-map" : "map", m->name, e->seq);
	if (kw(p, 0, "description")) {
		if (no) {
			e->description[0] = '\0';
			return 0;
		}
		if (text_ok(p, "description", p->l->n > 1 ? rest(p, 1) : "", CONF_TEXT_MAX))
			return -1;
		snprintf(e->description, sizeof(e->description), "%s", rest(p, 1));
		return 0;
	}
	if (!kw(p, 0, "match") && !kw(p, 0, "set"))
		return 1;
	if (e->kind == CONF_MAP_DYNAMIC)
		return perr(p, "%s: this entry refers to dynamic map %s; configure "
		    "crypto dynamic-map %s instead", word(p, 0), e->dynamic, e->dynamic);
	if (kw(p, 0, "match")) {
		if (!kw(p, 1, "address"))
			return perr(p, "match \"%.40s\": expected address", word(p, 1));
		if (no) {
			e->acl[0] = '\0';
			e->acl_line = 0;
			return 0;
		}
		if (acl_name_ok(p, "match address", word(p, 2)) != 0 || extra(p, 3) != 0)
			return -1;
		copy_name(e->acl, word(p, 2));
		e->acl_line = p->lineno;
		return 0;
	}
	sub = word(p, 1);
	if (strcasecmp(sub, "peer") == 0)
		return set_peer(p, e, no);
	if (strcasecmp(sub, "transform-set") == 0)
		return set_transform_set(p, e, no);
	if (strcasecmp(sub, "session-key") == 0) {
		if (!manual)
			return perr(p, "set session-key: only ipsec-manual entries take session "
			    "keys");
		return set_session_key(p, e, no);
	}
	if (strcasecmp(sub, "nat-t") == 0) {
		/* not IOS 11.3: RFC 3948 for a manually keyed peer behind a NAT (IKE negotiates
		 * it by itself) */
		if (!manual)
			return perr(p, "set nat-t: only for ipsec-manual entries (IKE negotiates "
			    "NAT traversal)");
		if (!kw(p, 2, "udp-encapsulation"))
			return perr(p, "set nat-t \"%.40s\": expected udp-encapsulation", word(p, 2));
		if (extra(p, 3) != 0)
			return -1;
		e->nat_t = !no;
		return 0;
	}
	/* the replay window is the one SA parameter a manual entry takes (ours, opt-in:
	 * IOS 11.3 gives manual SAs no anti-replay service) */
	if (manual && (strcasecmp(sub, "pfs") == 0 ||
	    (strcasecmp(sub, "security-association") == 0 && !kw(p, 2, "replay"))))
		return perr(p, "set %s: not for ipsec-manual entries (manual SAs are not "
		    "negotiated and do not expire)", sub);
	if (strcasecmp(sub, "pfs") == 0)
		return set_pfs(p, e, no);
	if (strcasecmp(sub, "security-association") == 0)
		return set_sa(p, e, no);
	return perr(p, "set \"%.40s\": unknown (peer, transform-set, pfs, security-association, "
	    "session-key, nat-t)", sub);
}

/* ---- Interfaces ---- */

static int
cmd_interface(struct pl *p, bool no)
{
	struct conf *c = p->s->c;
	struct conf_if *f;
	char name[2 * LINE_MAX_];

	if (p->l->n < 2)
		return perr(p, "interface needs a name");
	/* "interface Ethernet 0" is "interface Ethernet0", as IOS reads it */
	if (p->l->n == 3 && p->l->w[2][0] >= '0' && p->l->w[2][0] <= '9')
		snprintf(name, sizeof(name), "%s%s", p->l->w[1], p->l->w[2]);
	else if (extra(p, 2) != 0)
		return -1;
	else
		snprintf(name, sizeof(name), "%s", p->l->w[1]);
	where(p, "interface %.40s", name);
	if (name_ok(p, "interface", name) != 0)
		return -1;
	if (no) {
		for (size_t k = 0; k < c->n_ifs; k++)
			if (strcmp(c->ifs[k]->name, name) == 0) {
				free(c->ifs[k]);
				PTR_REMOVE(c->ifs, c->n_ifs, k);
				break;
			}
		return 0;
	}
	if ((f = conf_if_find(c, name)) == NULL) {
		if ((f = calloc(1, sizeof(*f))) == NULL)
			return oom(p);
		copy_name(f->name, name);
		f->line = p->lineno;
		if (PTR_APPEND(c->ifs, c->n_ifs, f) != 0) {
			free(f);
			return oom(p);
		}
	}
	p->s->mode = CONF_SM_IF;
	p->s->ifp = f;
	return 0;
}

static unsigned
prefix_len(uint32_t mask, bool *contiguous)
{
	unsigned n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	*contiguous = n == 32 || (mask << n) == 0;
	return n;
}

static int
mode_if(struct pl *p, bool no)
{
	struct conf_if *f = p->s->ifp;
	uint32_t a, m;
	bool contig;
	unsigned len;

	where(p, "interface %s", f->name);
	if (kw(p, 0, "description")) {
		if (no) {
			f->description[0] = '\0';
			return 0;
		}
		if (text_ok(p, "description", p->l->n > 1 ? rest(p, 1) : "", CONF_TEXT_MAX))
			return -1;
		snprintf(f->description, sizeof(f->description), "%s", rest(p, 1));
		return 0;
	}
	if (kw(p, 0, "shutdown")) {
		if (extra(p, 1) != 0)
			return -1;
		f->shutdown = !no;
		return 0;
	}
	if (kw(p, 0, "ip") && kw(p, 1, "address")) {
		if (no) {
			f->has_addr = false;
			f->addr = f->mask = 0;
			return 0;
		}
		if (!ipv4(word(p, 2), &a))
			return perr(p, "ip address \"%.40s\": not an IPv4 address", word(p, 2));
		if (!ipv4(word(p, 3), &m))
			return perr(p, "ip address %s \"%.40s\": not a netmask", word(p, 2),
			    word(p, 3));
		if (extra(p, 4) != 0)
			return -1;
		len = prefix_len(m, &contig);
		if (!contig || len == 0)
			return perr(p, "ip address %s %s: bad netmask", word(p, 2), word(p, 3));
		if (len < 31 && ((a & ~m) == 0 || (a & ~m) == ~m))
			return perr(p, "ip address %s %s: bad mask /%u for this address",
			    word(p, 2), word(p, 3), len);
		f->has_addr = true;
		f->addr = a;
		f->mask = m;
		return 0;
	}
	if (kw(p, 0, "crypto") && kw(p, 1, "map") && p->l->n <= 3) {
		/* "crypto map NAME SEQ ..." is the global command: 1 below */
		if (no) {
			f->crypto_map[0] = '\0';
			f->crypto_map_line = 0;
			return 0;
		}
		if (name_ok(p, "crypto map", word(p, 2)) != 0)
			return -1;
		copy_name(f->crypto_map, word(p, 2));
		f->crypto_map_line = p->lineno;
		return 0;
	}
	return 1;
}

/* ---- Transform set and access list sub-modes ---- */

static int
mode_transform(struct pl *p, bool no)
{
	struct conf_transform_set *t = p->s->tset;
	unsigned long v;

	where(p, "crypto ipsec transform-set %s", t->name);
	if (kw(p, 0, "mode")) {
		if (no) {
			t->mode = CONF_MODE_TUNNEL;
			return 0;
		}
		if (!kw(p, 1, "tunnel") && !kw(p, 1, "transport"))
			return perr(p, "mode \"%.40s\": expected tunnel or transport", word(p, 1));
		if (extra(p, 2) != 0)
			return -1;
		t->mode = kw(p, 1, "transport") ? CONF_MODE_TRANSPORT : CONF_MODE_TUNNEL;
		return 0;
	}
	if (kw(p, 0, "initialization-vector")) {
		if (!kw(p, 1, "size"))
			return perr(p, "initialization-vector \"%.40s\": expected size",
			    word(p, 1));
		if (!tset_has(t, CONF_XF_ESP_RFC1829))
			return perr(p, "initialization-vector size: only for esp-rfc1829");
		if (no) {
			t->iv_size = 8;
			return 0;
		}
		if (!num(word(p, 2), 4, 8, &v) || (v != 4 && v != 8))
			return perr(p, "initialization-vector size \"%.40s\": 4 or 8", word(p, 2));
		if (extra(p, 3) != 0)
			return -1;
		t->iv_size = (uint8_t)v;
		return 0;
	}
	return 1;
}

static int
mode_acl(struct pl *p, bool no)
{
	struct conf_acl *a = p->s->acl;

	where(p, "ip access-list extended %s", a->name);
	if (!kw(p, 0, "permit") && !kw(p, 0, "deny") && !kw(p, 0, "remark"))
		return 1;
	return no ? acl_remove_entry(p, a, 0) : acl_add(p, a, a->name, 0);
}

/* ---- Global mode ---- */

static int
cmd_hostname(struct pl *p, bool no)
{
	const char *h = word(p, 1);

	where(p, "hostname");
	if (no) {
		strcpy(p->s->c->hostname, CONF_HOSTNAME_DEFAULT);
		return 0;
	}
	if (h[0] == '\0')
		return perr(p, "needs a name");
	if (extra(p, 2) != 0)
		return -1;
	if (strlen(h) >= CONF_NAME_MAX)
		return perr(p, "\"%.20s...\": longer than %d characters", h, CONF_NAME_MAX - 1);
	if (!((h[0] | 0x20) >= 'a' && (h[0] | 0x20) <= 'z'))
		return perr(p, "\"%.40s\": must start with a letter", h);
	for (const char *s = h; *s; s++)
		if (!((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z') && !(*s >= '0' && *s <= '9') &&
		    *s != '-')
			return perr(p, "\"%.40s\": only letters, digits and hyphens", h);
	copy_name(p->s->c->hostname, h);
	return 0;
}

static const struct {
	const char	*name;
	int		(*fn)(struct pl *p, bool no);
} global_cmds[] = {
	{ "hostname", cmd_hostname },
	{ "access-list", cmd_access_list },
	{ "ip", cmd_ip },
	{ "crypto", cmd_crypto },
	{ "interface", cmd_interface },
};

/* The index of a global command in global_cmds, or -1. */
static int
global_find(const char *w)
{
	for (size_t i = 0; i < NELEM(global_cmds); i++)
		if (strcasecmp(global_cmds[i].name, w) == 0)
			return (int)i;
	return -1;
}

/* Drop a leading "no" from the words (the handlers then see the command proper at 0). */
static void
strip_no(struct line *l)
{
	memmove(&l->w[0], &l->w[1], (size_t)(l->n - 1) * sizeof(l->w[0]));
	memmove(&l->off[0], &l->off[1], (size_t)(l->n - 1) * sizeof(l->off[0]));
	l->n--;
}

static int
session_apply(struct conf_session *s, struct line *l, unsigned lineno, struct gw_err *err)
{
	struct pl p = { .s = s, .l = l, .lineno = lineno, .err = err };
	struct conf_session saved = *s;
	bool no = false;
	int r = 1, g;

	if (l->n == 0 || l->w[0][0] == '!')
		return 0;			/* blank line or comment */
	if (kw(&p, 0, "end") || kw(&p, 0, "exit")) {
		if (l->n > 1)
			return gw_fail(err, lineno, "%s: \"%.40s\": unexpected word", l->w[0],
			    l->w[1]);
		s->mode = CONF_SM_GLOBAL;
		return 0;
	}
	if (kw(&p, 0, "no")) {
		if (l->n == 1)
			return gw_fail(err, lineno, "no: needs a command");
		strip_no(l);
		no = true;
	}
	switch (s->mode) {
	case CONF_SM_TRANSFORM:
		r = mode_transform(&p, no);
		break;
	case CONF_SM_MAP:
		r = mode_map(&p, no);
		break;
	case CONF_SM_IF:
		r = mode_if(&p, no);
		break;
	case CONF_SM_ACL:
		r = mode_acl(&p, no);
		break;
	case CONF_SM_GLOBAL:
		break;
	}
	if (r != 1)
		return r;
	/* Not a command of the sub-mode: the global one, which leaves the sub-mode (IOS). */
	if ((g = global_find(l->w[0])) < 0) {
		if (s->mode != CONF_SM_GLOBAL)
			return perr(&p, "\"%.40s\": unknown command", l->w[0]);
		return gw_fail(err, lineno, "\"%.40s\": unknown command", l->w[0]);
	}
	p.where[0] = '\0';
	s->mode = CONF_SM_GLOBAL;
	if ((r = global_cmds[g].fn(&p, no)) != 0)
		*s = saved;
	return r;
}

static int
session_line_n(struct conf_session *s, const char *text, size_t len, unsigned lineno,
    struct gw_err *err)
{
	struct line *l;
	int r;

	/* struct line is 2 KB of words: on the heap, parsers may run on small stacks */
	if ((l = malloc(sizeof(*l))) == NULL)
		return gw_fail(err, lineno, "out of memory");
	if ((r = line_split(l, text, len, lineno, err)) == 0)
		r = session_apply(s, l, lineno, err);
	OPENSSL_cleanse(l, sizeof(*l));		/* may hold session keys */
	free(l);
	return r;
}

/* ---- Sessions and whole texts ---- */

void
conf_session_begin(struct conf_session *s, struct conf *target)
{
	memset(s, 0, sizeof(*s));
	s->c = target;
	s->mode = CONF_SM_GLOBAL;
}

int
conf_session_line(struct conf_session *s, const char *line, unsigned lineno,
    struct gw_err *err)
{
	size_t len = strlen(line);

	if (len > 0 && line[len - 1] == '\n')
		len--;
	return session_line_n(s, line, len, lineno, err);
}

const char *
conf_session_prompt_mode(const struct conf_session *s)
{
	switch (s->mode) {
	case CONF_SM_TRANSFORM:
		return "config-crypto-trans";
	case CONF_SM_MAP:
		return "config-crypto-map";
	case CONF_SM_IF:
		return "config-if";
	case CONF_SM_ACL:
		return "config-ext-nacl";
	default:
		return "config";
	}
}

struct conf *
conf_parse_text(const char *text, const char *name, struct gw_err *err)
{
	struct conf_session s;
	struct conf *c;
	unsigned lineno = 0;

	if ((c = conf_new()) == NULL) {
		gw_fail(err, 0, "out of memory");
		return NULL;
	}
	if (name != NULL)
		snprintf(c->source, sizeof(c->source), "%s", name);
	conf_session_begin(&s, c);
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t len = nl != NULL ? (size_t)(nl - text) : strlen(text);

		if (session_line_n(&s, text, len, ++lineno, err) != 0) {
			conf_free(c);
			return NULL;
		}
		text += len + (nl != NULL);
	}
	return c;
}

struct conf *
conf_parse_file(const char *path, struct gw_err *err)
{
	struct conf *c = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		gw_fail(err, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;

		if (len + 1 >= cap) {
			char *nb;

			if (cap >= (64u << 20)) {
				gw_fail(err, 0, "%s: larger than 64 MB", path);
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL) {
				gw_fail(err, 0, "%s: out of memory", path);
				goto out;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		gw_fail(err, 0, "%s: read error", path);
		goto out;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		gw_fail(err, 0, "%s: a NUL byte in a text file", path);
		goto out;
	}
	c = conf_parse_text(buf, path, err);
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, cap);	/* held session keys */
		free(buf);
	}
	fclose(f);
	return c;
}

/* ---- Validation ---- */

static bool
map_applied(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_ifs; i++)
		if (strcmp(c->ifs[i]->crypto_map, name) == 0)
			return true;
	return false;
}

static bool
dynmap_applied(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_maps; i++) {
		const struct conf_map *m = c->maps[i];

		if (!map_applied(c, m->name))
			continue;
		for (size_t k = 0; k < m->n_entries; k++)
			if (m->entries[k]->kind == CONF_MAP_DYNAMIC &&
			    strcmp(m->entries[k]->dynamic, name) == 0)
				return true;
	}
	return false;
}

static unsigned
eline(const struct conf_map_entry *e, unsigned l)
{
	return l != 0 ? l : e->line;
}

static const char *
mkind(const struct conf_map *m)
{
	return m->dynamic ? "dynamic-map" : "map";
}

/* The transform of a kind in a set, by name ("" if none). */
static const char *
tset_kind_name(const struct conf_transform_set *t, enum conf_xf_kind k)
{
	for (unsigned i = 0; i < t->n_xforms; i++)
		if (xf_tab[t->xforms[i].xf].kind == k)
			return xf_tab[t->xforms[i].xf].name;
	return "";
}

/* Keys of a complete manual entry against its transform set. */
static int
check_keys(const struct conf_map *m, const struct conf_map_entry *e,
    const struct conf_transform_set *t, struct gw_err *err)
{
	static const char *const dn[] = { "inbound", "outbound" };

	for (int d = 0; d < 2; d++) {
		const struct conf_session_key *ah = &e->keys[d][CONF_PROTO_AH];
		const struct conf_session_key *esp = &e->keys[d][CONF_PROTO_ESP];
		unsigned want;

		if (t->ah != XF_AUTH_NONE) {
			if (!ah->set)
				return gw_fail(err, e->line, "crypto map %s %u: transform set %s "
				    "has AH: needs set session-key %s ah", m->name, e->seq,
				    t->name, dn[d]);
			if (ah->auth.len != (want = conf_tset_ah_key_len(t)))
				return gw_fail(err, e->line, "crypto map %s %u: session-key %s ah "
				    "%u: key is %u bytes, %s needs %u", m->name, e->seq, dn[d],
				    ah->spi, ah->auth.len, tset_kind_name(t, CONF_XFK_AH), want);
		} else if (ah->set) {
			return gw_fail(err, e->line, "crypto map %s %u: session-key %s ah: "
			    "transform set %s has no AH", m->name, e->seq, dn[d], t->name);
		}
		if (!conf_tset_has_esp(t)) {
			if (esp->set)
				return gw_fail(err, e->line, "crypto map %s %u: session-key %s "
				    "esp: transform set %s has no ESP", m->name, e->seq, dn[d],
				    t->name);
			continue;
		}
		if (!esp->set)
			return gw_fail(err, e->line, "crypto map %s %u: transform set %s has ESP: "
			    "needs set session-key %s esp", m->name, e->seq, t->name, dn[d]);
		want = conf_tset_cipher_key_len(t);
		if (want == 0 && esp->cipher.len != 0)
			return gw_fail(err, e->line, "crypto map %s %u: session-key %s esp %u: "
			    "transform set %s has no ESP cipher key", m->name, e->seq, dn[d],
			    esp->spi, t->name);
		if (want != 0 && esp->cipher.len != want)
			return gw_fail(err, e->line, "crypto map %s %u: session-key %s esp %u: "
			    "cipher key is %u bytes, %s %u needs %u", m->name, e->seq, dn[d],
			    esp->spi, esp->cipher.len, tset_kind_name(t, CONF_XFK_ESP_CIPHER),
			    t->esp_key_bits, want);
		want = conf_tset_esp_auth_key_len(t);
		if (want == 0 && esp->auth.len != 0)
			return gw_fail(err, e->line, "crypto map %s %u: session-key %s esp %u: "
			    "transform set %s has no ESP authenticator", m->name, e->seq, dn[d],
			    esp->spi, t->name);
		if (want != 0 && esp->auth.len != want)
			return gw_fail(err, e->line, "crypto map %s %u: session-key %s esp %u: "
			    "authenticator key is %u bytes, %s needs %u", m->name, e->seq,
			    dn[d], esp->spi, esp->auth.len, tset_kind_name(t, CONF_XFK_ESP_AUTH),
			    want);
	}
	return 0;
}

/* An anti-replay window on a manual entry (ours: IOS 11.3 gives manual SAs none) rests on a
 * sequence number that the receiver can trust: the RFC 1828/1829 headers have none, and an ESP
 * cipher alone does not authenticate it (RFC 4303 §3.4.3: anti-replay needs integrity).  With
 * AH beside such a cipher the AH SA carries the window (conf_compile.c). */
static int
check_manual_replay(const struct conf_map *m, const struct conf_map_entry *e,
    const struct conf_transform_set *t, struct gw_err *err)
{
	if (e->replay_window == 0)
		return 0;
	if (conf_tset_no_seq(t))
		return gw_fail(err, eline(e, e->replay_line), "crypto map %s %u: replay "
		    "window-size: transform set %s uses %s, which has no sequence number",
		    m->name, e->seq, t->name, t->esp_cipher == XF_CIPHER_DES_RFC1829 ?
		    "esp-rfc1829" : "ah-rfc1828");
	if (t->ah == XF_AUTH_NONE && !conf_tset_esp_integrity(t))
		return gw_fail(err, eline(e, e->replay_line), "crypto map %s %u: replay "
		    "window-size: transform set %s has no data authentication to trust sequence "
		    "numbers with", m->name, e->seq, t->name);
	return 0;
}

/* An entry in use (its set is on an interface, or its dynamic set is referred to by one). */
static int
check_applied(const struct conf *c, const struct conf_map *m, const struct conf_map_entry *e,
    struct gw_err *err, FILE *warnings)
{
	const struct conf_acl *a = e->acl[0] ? conf_acl_find(c, e->acl) : NULL;
	const struct conf_transform_set *t;

	if (e->kind == CONF_MAP_DYNAMIC)
		return 0;
	if (m->dynamic) {
		if (e->n_tsets == 0)
			return gw_fail(err, e->line, "crypto dynamic-map %s %u: needs set "
			    "transform-set", m->name, e->seq);
		return 0;
	}
	if (e->acl[0] == '\0')
		return gw_fail(err, e->line, "crypto map %s %u: needs match address", m->name,
		    e->seq);
	if (a == NULL)
		return gw_fail(err, e->acl_line, "crypto map %s %u: access list %s is not "
		    "defined", m->name, e->seq, e->acl);
	if (e->n_peers == 0)
		return gw_fail(err, e->line, "crypto map %s %u: needs set peer", m->name, e->seq);
	if (e->n_tsets == 0)
		return gw_fail(err, e->line, "crypto map %s %u: needs set transform-set",
		    m->name, e->seq);
	for (unsigned i = 0; i < e->n_tsets; i++) {
		t = conf_tset_find(c, e->tsets[i]);
		for (unsigned k = 0; warnings != NULL && t != NULL && k < t->n_xforms; k++)
			if (conf_xf_weak(t->xforms[k].xf))
				fprintf(warnings, "warning: crypto map %s %u: transform set %s "
				    "uses %s, a legacy algorithm\n", m->name, e->seq, t->name,
				    conf_xf_name(t->xforms[k].xf));
	}
	if (e->kind != CONF_MAP_MANUAL)
		return 0;
	if (conf_acl_first_permit(a) == NULL)
		return gw_fail(err, e->acl_line, "crypto map %s %u: access list %s has no permit "
		    "entry", m->name, e->seq, a->name);
	t = conf_tset_find(c, e->tsets[0]);
	if (check_keys(m, e, t, err) != 0)
		return -1;
	return check_manual_replay(m, e, t, err);
}

static bool
is_aead(enum xform_cipher c)
{
	return c == XF_CIPHER_AES_GCM || c == XF_CIPHER_AES_GMAC ||
	    c == XF_CIPHER_CHACHA20_POLY1305;
}

/* One use of an AEAD key: an ESP session key of an applied manual entry. */
struct aead_use {
	const struct conf_map		*m;
	const struct conf_map_entry	*e;
	int				dir;
};

/* An AEAD nonce is salt || sequence number (RFC 4106 §3, RFC 4543 §3, RFC 7634 §2): a key in
 * two places has two senders counting under it, and they repeat nonces.  Inbound and outbound
 * (the peer counts from 1 under it while we do), or two entries (two peers, or two of our
 * SAs): refused, at the later of the two session-key lines.  One key under one entry goes on
 * across renumbering and restarts by its own sequence space (lease.h). */
static int
check_aead_keys(const struct conf *c, struct gw_err *err)
{
	static const char *const dn[] = { "inbound", "outbound" };
	struct aead_use *u;
	size_t n = 0, cap = 0;
	int rc = 0;

	for (size_t i = 0; i < c->n_maps; i++)
		cap += 2 * c->maps[i]->n_entries;
	if ((u = calloc(cap + 1, sizeof(*u))) == NULL)
		return gw_fail(err, 0, "out of memory");
	for (size_t i = 0; i < c->n_maps && rc == 0; i++) {
		const struct conf_map *m = c->maps[i];

		if (!map_applied(c, m->name))
			continue;
		for (size_t k = 0; k < m->n_entries && rc == 0; k++) {
			const struct conf_map_entry *e = m->entries[k];
			const struct conf_transform_set *t;

			if (e->kind != CONF_MAP_MANUAL || e->n_tsets == 0 ||
			    (t = conf_tset_find(c, e->tsets[0])) == NULL || !is_aead(t->esp_cipher))
				continue;
			for (int d = 0; d < 2 && rc == 0; d++) {
				const struct conf_session_key *x = &e->keys[d][CONF_PROTO_ESP];

				if (!x->set || x->cipher.len == 0)
					continue;
				for (size_t j = 0; j < n && rc == 0; j++) {
					const struct conf_session_key *y =
					    &u[j].e->keys[u[j].dir][CONF_PROTO_ESP];
					unsigned l = x->line > y->line ? x->line : y->line;

					if (y->cipher.len != x->cipher.len || CRYPTO_memcmp(
					    y->cipher.b, x->cipher.b, x->cipher.len) != 0)
						continue;
					rc = gw_fail(err, eline(e, l), "crypto map %s %u: "
					    "session-key %s esp %u: same %s key as crypto map %s "
					    "%u %s esp %u (two senders would repeat nonces)",
					    m->name, e->seq, dn[d], x->spi,
					    tset_kind_name(t, CONF_XFK_ESP_CIPHER), u[j].m->name,
					    u[j].e->seq, dn[u[j].dir], y->spi);
				}
				u[n++] = (struct aead_use){ m, e, d };
			}
		}
	}
	free(u);
	return rc;
}

/* Entries that refer to dynamic maps come last in their set (seed: "Add the Dynamic Crypto
 * Map Set into a Regular (Static) Crypto Map Set"); different entries use different ACLs. */
static int
check_set(const struct conf *c, const struct conf_map *m, struct gw_err *err)
{
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct conf_map_entry *e = m->entries[i];

		if (e->kind == CONF_MAP_DYNAMIC) {
			if (conf_dynmap_find(c, e->dynamic) == NULL)
				return gw_fail(err, e->line, "crypto map %s %u: dynamic map %s is "
				    "not defined", m->name, e->seq, e->dynamic);
			for (size_t k = i + 1; k < m->n_entries; k++)
				if (m->entries[k]->kind != CONF_MAP_DYNAMIC)
					return gw_fail(err, e->line, "crypto map %s %u: refers to "
					    "dynamic map %s but entry %u follows it; entries that "
					    "refer to dynamic maps need the highest sequence "
					    "numbers", m->name, e->seq, e->dynamic,
					    m->entries[k]->seq);
		}
		for (size_t k = 0; k < i && e->acl[0] != '\0'; k++)
			if (strcmp(m->entries[k]->acl, e->acl) == 0)
				return gw_fail(err, eline(e, e->acl_line), "crypto %s %s %u: "
				    "access list %s is already used by entry %u of this set "
				    "(each entry needs its own)", mkind(m), m->name, e->seq,
				    e->acl, m->entries[k]->seq);
		for (unsigned k = 0; k < e->n_tsets; k++)
			if (conf_tset_find(c, e->tsets[k]) == NULL)
				return gw_fail(err, eline(e, e->tsets_line), "crypto %s %s %u: "
				    "transform set %s is not defined", mkind(m), m->name,
				    e->seq, e->tsets[k]);
	}
	return 0;
}

/* The first applied manual entry before e (in config order) whose inbound SPI of protocol pr
 * is spi, or NULL; its set in *mp. */
static const struct conf_map_entry *
spi_owner(const struct conf *c, const struct conf_map_entry *e, int pr, uint32_t spi,
    const struct conf_map **mp)
{
	for (size_t i = 0; i < c->n_maps; i++) {
		const struct conf_map *m = c->maps[i];

		if (!map_applied(c, m->name))
			continue;
		for (size_t k = 0; k < m->n_entries; k++) {
			const struct conf_map_entry *f = m->entries[k];

			if (f == e)
				return NULL;
			if (f->kind == CONF_MAP_MANUAL && f->keys[CONF_DIR_IN][pr].set &&
			    f->keys[CONF_DIR_IN][pr].spi == spi) {
				*mp = m;
				return f;
			}
		}
	}
	return NULL;
}

/* Inbound manual SPIs must tell SAs apart: unique per protocol among the entries in use. */
static int
check_spis(const struct conf *c, struct gw_err *err)
{
	static const char *const pn[] = { "ah", "esp" };

	for (size_t i = 0; i < c->n_maps; i++) {
		const struct conf_map *m = c->maps[i], *m2 = NULL;

		if (!map_applied(c, m->name))
			continue;
		for (size_t k = 0; k < m->n_entries; k++) {
			const struct conf_map_entry *e = m->entries[k], *f;

			for (int pr = 0; pr < 2 && e->kind == CONF_MAP_MANUAL; pr++) {
				const struct conf_session_key *x = &e->keys[CONF_DIR_IN][pr];

				if (!x->set || (f = spi_owner(c, e, pr, x->spi, &m2)) == NULL)
					continue;
				return gw_fail(err, e->line, "crypto map %s %u: inbound %s SPI "
				    "%u is also used by crypto map %s %u", m->name, e->seq,
				    pn[pr], x->spi, m2->name, f->seq);
			}
		}
	}
	return 0;
}

/* Seed: "Access lists for crypto map entries tagged as ipsec-manual are restricted to a single
 * permit entry and subsequent entries are ignored." */
static void
warn_manual_acl(const struct conf *c, const struct conf_map *m, const struct conf_map_entry *e,
    FILE *warnings)
{
	const struct conf_acl *a;
	const struct conf_ace *first;

	if (e->kind != CONF_MAP_MANUAL || e->acl[0] == '\0' ||
	    (a = conf_acl_find(c, e->acl)) == NULL ||
	    (first = conf_acl_first_permit(a)) == NULL)
		return;
	for (const struct conf_ace *x = first + 1; x < a->aces + a->n_aces; x++)
		if (x->action != CONF_ACE_REMARK) {
			fprintf(warnings, "warning: crypto map %s %u (ipsec-manual): access "
			    "list %s: entries after the first permit (line %u) are ignored\n",
			    m->name, e->seq, a->name, first->line);
			return;
		}
}

static void
warn_manual_acls(const struct conf *c, FILE *warnings)
{
	if (warnings == NULL)
		return;
	for (size_t i = 0; i < c->n_maps; i++)
		for (size_t k = 0; k < c->maps[i]->n_entries; k++)
			warn_manual_acl(c, c->maps[i], c->maps[i]->entries[k], warnings);
}

int
conf_validate(const struct conf *c, struct gw_err *err, FILE *warnings)
{
	for (size_t i = 0; i < c->n_ifs; i++) {
		const struct conf_if *f = c->ifs[i];
		const struct conf_map *m;

		if (f->crypto_map[0] == '\0')
			continue;
		if ((m = conf_map_find(c, f->crypto_map)) == NULL || m->n_entries == 0)
			return gw_fail(err, f->crypto_map_line ? f->crypto_map_line : f->line,
			    "interface %s: crypto map %s is not defined", f->name,
			    f->crypto_map);
	}
	for (size_t i = 0; i < c->n_maps; i++) {
		const struct conf_map *m = c->maps[i];

		if (m->local_address[0] != '\0' && conf_if_find(c, m->local_address) == NULL)
			return gw_fail(err, m->local_address_line, "crypto map %s local-address: "
			    "interface %s is not defined", m->name, m->local_address);
		if (check_set(c, m, err) != 0)
			return -1;
		if (!map_applied(c, m->name))
			continue;
		for (size_t k = 0; k < m->n_entries; k++)
			if (check_applied(c, m, m->entries[k], err, warnings) != 0)
				return -1;
	}
	for (size_t i = 0; i < c->n_dynmaps; i++) {
		const struct conf_map *m = c->dynmaps[i];

		if (check_set(c, m, err) != 0)
			return -1;
		if (!dynmap_applied(c, m->name))
			continue;
		for (size_t k = 0; k < m->n_entries; k++)
			if (check_applied(c, m, m->entries[k], err, warnings) != 0)
				return -1;
	}
	if (check_spis(c, err) != 0 || check_aead_keys(c, err) != 0)
		return -1;
	warn_manual_acls(c, warnings);
	return 0;
}
