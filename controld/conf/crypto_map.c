/* SPDX-License-Identifier: Apache-2.0 */
/* crypto_map.c: the crypto map sets of the configuration (crypto map NAME SEQ, crypto
 * dynamic-map NAME SEQ, their sub-mode of match / set commands, crypto map NAME local-address)
 * and the global SA lifetimes (crypto ipsec security-association lifetime): their part of the
 * model, their parse, their checks and their running-config lines.  The checks are the
 * seed's rules for entries in use and the ones that keep the data path safe: inbound manual
 * SPIs unique, one AEAD key in one place only (docs/adr/0008).  Session keys are wiped
 * whenever an entry is freed or a key replaced. */
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "controld/conf/families.h"

/* set pfs groupN: 1 is IOS 11.3's (IKEv1 only); 15, 16 and 31 (Curve25519, RFC 8031: our
 * spelling "group31") came with IKEv2 (docs/ikev2.md) */
static const uint8_t pfs_groups[] = { 1, 2, 5, 14, 15, 16, 19, 20, 21, 31 };

/* ---- The model ---- */

const char *
conf_map_kind_name(enum conf_map_kind k)
{
	return k == CONF_MAP_MANUAL ? "ipsec-manual" : "ipsec-isakmp";
}

static void
entry_free(struct conf_map_entry *e)
{
	if (e == NULL)
		return;
	OPENSSL_cleanse(e->keys, sizeof(e->keys));
	free(e);
}

void
map_free(struct conf_map *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n_entries; i++)
		entry_free(m->entries[i]);
	free(m->entries);
	free(m);
}

struct conf_map *
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
	    a->replay_window != b->replay_window || strcmp(a->description, b->description) != 0 ||
	    strcmp(a->ikev2_profile, b->ikev2_profile) != 0)
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

bool
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

/* ---- Parse ---- */

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

/* crypto ipsec show-layout {15 | 11.3}; "no crypto ipsec show-layout [...]": back to 15, the
 * default (docs/show.md). */
static int
show_layout(struct pl *p, bool no, enum conf_show_layout *l)
{
	where(p, "crypto ipsec show-layout");
	if (no) {
		*l = CONF_LAYOUT_15;
		return extra(p, 4);		/* "no crypto ipsec show-layout [11.3|15]" */
	}
	if (strcmp(word(p, 3), "15") == 0)
		*l = CONF_LAYOUT_15;
	else if (strcmp(word(p, 3), "11.3") == 0)
		*l = CONF_LAYOUT_11_3;
	else
		return perr(p, "crypto ipsec show-layout \"%.40s\": expected 15 (IOS 12.4/15, the "
		    "default) or 11.3", word(p, 3));
	return extra(p, 4);
}

/* crypto {ipsec ... | map ... | dynamic-map ...} */
int
map_cmd_crypto(struct pl *p, bool no)
{
	struct conf *c = p->s->c;

	if (kw(p, 1, "map"))
		return cmd_crypto_map(p, no);
	if (kw(p, 1, "dynamic-map"))
		return cmd_dynamic_map(p, no);
	if (kw(p, 1, "ikev2"))
		return ikev2_conf_cmd(p, no);
	if (kw(p, 1, "isakmp"))
		return isakmp_conf_cmd(p, no);
	if (kw(p, 1, "key"))
		return pubkey_conf_cmd(p, no);
	if (!kw(p, 1, "ipsec"))
		return perr(p, "crypto \"%.40s\": unknown command (crypto ipsec, crypto map, "
		    "crypto dynamic-map, crypto ikev2, crypto isakmp, crypto key)", word(p, 1));
	if (kw(p, 2, "transform-set"))
		return tset_cmd(p, no);
	if (kw(p, 2, "show-layout"))
		return show_layout(p, no, &c->show_layout);
	if (kw(p, 2, "security-association") && kw(p, 3, "lifetime")) {
		where(p, "crypto ipsec security-association lifetime");
		return lifetime(p, 4, no, &c->lifetime_sec, &c->lifetime_kb,
		    CONF_LIFETIME_SEC_DEFAULT, CONF_LIFETIME_KB_DEFAULT);
	}
	return perr(p, "crypto ipsec \"%.40s\": unknown command (transform-set, "
	    "security-association lifetime, show-layout)", word(p, 2));
}

/* ---- Parse: the sub-mode ---- */

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
	    "group15, group16, group19, group20, group21, group31)", g);
}

/* set ikev2-profile NAME; no set ikev2-profile [NAME] */
static int
set_ikev2_profile(struct pl *p, struct conf_map_entry *e, bool no)
{
	if (no) {
		if (p->l->n > 2 && name_ok(p, "set ikev2-profile", word(p, 2)) != 0)
			return -1;
		if (extra(p, 3) != 0)
			return -1;
		e->ikev2_profile[0] = '\0';
		return 0;
	}
	if (name_ok(p, "set ikev2-profile", word(p, 2)) != 0 || extra(p, 3) != 0)
		return -1;
	copy_name(e->ikev2_profile, word(p, 2));
	return 0;
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
int
map_mode(struct pl *p, bool no)
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
	if (manual && (strcasecmp(sub, "pfs") == 0 || strcasecmp(sub, "ikev2-profile") == 0 ||
	    (strcasecmp(sub, "security-association") == 0 && !kw(p, 2, "replay"))))
		return perr(p, "set %s: not for ipsec-manual entries (manual SAs are not "
		    "negotiated and do not expire)", sub);
	if (strcasecmp(sub, "pfs") == 0)
		return set_pfs(p, e, no);
	if (strcasecmp(sub, "ikev2-profile") == 0)
		return set_ikev2_profile(p, e, no);
	if (strcasecmp(sub, "security-association") == 0)
		return set_sa(p, e, no);
	return perr(p, "set \"%.40s\": unknown (peer, transform-set, pfs, security-association, "
	    "ikev2-profile, session-key, nat-t)", sub);
}

/* ---- Checks (conf_validate) ---- */

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
 * AH beside such a cipher the AH SA carries the window (compile.c). */
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

/* What an entry of a static set lacks to be used: NULL when nothing. */
static const char *
entry_missing(const struct conf *c, const struct conf_map_entry *e)
{
	if (e->kind == CONF_MAP_DYNAMIC)
		return NULL;
	if (e->acl[0] == '\0')
		return "no match address";
	if (conf_acl_find(c, e->acl) == NULL)
		return "its access list is not defined";
	if (e->n_peers == 0)
		return "no set peer";
	if (e->n_tsets == 0)
		return "no set transform-set";
	return NULL;
}

bool
conf_entry_active(const struct conf *c, const struct conf_map *m,
    const struct conf_map_entry *e)
{
	return m->dynamic || entry_missing(c, e) == NULL;
}

/* An entry in use (its set is on an interface, or its dynamic set is referred to by one).  A
 * static entry without a list, a peer or a transform set is accepted and stays disabled, as
 * on IOS ("% NOTE: This new crypto map will remain disabled until a peer and a valid access
 * list have been configured."): not compiled (conf_entry_active), said once. */
static int
check_applied(const struct conf *c, const struct conf_map *m, const struct conf_map_entry *e,
    struct gw_err *err, FILE *warnings)
{
	const struct conf_acl *a = e->acl[0] ? conf_acl_find(c, e->acl) : NULL;
	const struct conf_transform_set *t;
	const char *missing;

	if (e->kind == CONF_MAP_DYNAMIC)
		return 0;
	if (m->dynamic) {
		if (e->n_tsets == 0)
			return gw_fail(err, e->line, "crypto dynamic-map %s %u: needs set "
			    "transform-set", m->name, e->seq);
		return 0;
	}
	if ((missing = entry_missing(c, e)) != NULL) {
		if (warnings != NULL)
			fprintf(warnings, "warning: crypto map %s %u: NOTE: this crypto map entry "
			    "will remain disabled until a peer, a valid access list and a "
			    "transform set have been configured (%s%s%s)\n", m->name, e->seq,
			    missing, a == NULL && e->acl[0] != '\0' ? ": " : "",
			    a == NULL && e->acl[0] != '\0' ? e->acl : "");
		return 0;
	}
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
map_check(const struct conf *c, struct gw_err *err, FILE *warnings)
{
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

/* ---- Running configuration ---- */

static void
show_key(const struct key *k, FILE *out)
{
	for (unsigned i = 0; i < k->len; i++)
		fprintf(out, "%02x", k->b[i]);
}

static void
running_entry(const struct conf_map *m, const struct conf_map_entry *e, FILE *out)
{
	static const char *const dn[] = { "inbound", "outbound" };
	char b[16];

	if (m->dynamic)
		fprintf(out, "crypto dynamic-map %s %u\n", m->name, e->seq);
	else if (e->kind == CONF_MAP_DYNAMIC)
		fprintf(out, "crypto map %s %u ipsec-isakmp dynamic %s\n", m->name, e->seq,
		    e->dynamic);
	else
		fprintf(out, "crypto map %s %u %s\n", m->name, e->seq,
		    conf_map_kind_name(e->kind));
	if (e->description[0] != '\0')
		fprintf(out, " description %s\n", e->description);
	for (unsigned i = 0; i < e->n_peers; i++)
		fprintf(out, " set peer %s\n", ip_str(e->peers[i], b));
	for (int d = 0; d < 2; d++) {
		const struct conf_session_key *ah = &e->keys[d][CONF_PROTO_AH];
		const struct conf_session_key *esp = &e->keys[d][CONF_PROTO_ESP];

		if (ah->set) {
			fprintf(out, " set session-key %s ah %u ", dn[d], ah->spi);
			show_key(&ah->auth, out);
			fputc('\n', out);
		}
		if (esp->set) {
			fprintf(out, " set session-key %s esp %u", dn[d], esp->spi);
			if (esp->cipher.len > 0) {
				fputs(" cipher ", out);
				show_key(&esp->cipher, out);
			}
			if (esp->auth.len > 0) {
				fputs(" authenticator ", out);
				show_key(&esp->auth, out);
			}
			fputc('\n', out);
		}
	}
	if (e->per_host)
		fputs(" set security-association level per-host\n", out);
	if (e->nat_t)
		fputs(" set nat-t udp-encapsulation\n", out);
	if (e->lifetime_sec != 0)
		fprintf(out, " set security-association lifetime seconds %u\n", e->lifetime_sec);
	if (e->lifetime_kb != 0)
		fprintf(out, " set security-association lifetime kilobytes %u\n", e->lifetime_kb);
	if (e->replay_window != 0)
		fprintf(out, " set security-association replay window-size %u\n",
		    e->replay_window);
	if (e->n_tsets > 0) {
		fputs(" set transform-set", out);
		for (unsigned i = 0; i < e->n_tsets; i++)
			fprintf(out, " %s", e->tsets[i]);
		fputc('\n', out);
	}
	if (e->pfs != 0)
		fprintf(out, " set pfs group%u\n", e->pfs);
	if (e->ikev2_profile[0] != '\0')
		fprintf(out, " set ikev2-profile %s\n", e->ikev2_profile);
	if (e->acl[0] != '\0')
		fprintf(out, " match address %s\n", e->acl);
	fputs("!\n", out);
}

void
map_running_lifetime(const struct conf *c, FILE *out)
{
	if (c->lifetime_sec != CONF_LIFETIME_SEC_DEFAULT)
		fprintf(out, "crypto ipsec security-association lifetime seconds %u\n",
		    c->lifetime_sec);
	if (c->lifetime_kb != CONF_LIFETIME_KB_DEFAULT)
		fprintf(out, "crypto ipsec security-association lifetime kilobytes %u\n",
		    c->lifetime_kb);
	if (c->show_layout == CONF_LAYOUT_11_3)
		fputs("crypto ipsec show-layout 11.3\n", out);
	if (c->lifetime_sec != CONF_LIFETIME_SEC_DEFAULT ||
	    c->lifetime_kb != CONF_LIFETIME_KB_DEFAULT || c->show_layout != CONF_LAYOUT_15)
		fputs("!\n", out);
}

void
map_running(const struct conf *c, FILE *out)
{
	for (size_t i = 0; i < c->n_dynmaps; i++)
		for (size_t k = 0; k < c->dynmaps[i]->n_entries; k++)
			running_entry(c->dynmaps[i], c->dynmaps[i]->entries[k], out);
	for (size_t i = 0; i < c->n_maps; i++) {
		const struct conf_map *m = c->maps[i];

		if (m->local_address[0] != '\0')
			fprintf(out, "crypto map %s local-address %s\n!\n", m->name,
			    m->local_address);
		for (size_t k = 0; k < m->n_entries; k++)
			running_entry(m, m->entries[k], out);
	}
}
