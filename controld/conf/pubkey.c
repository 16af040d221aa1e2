/* SPDX-License-Identifier: Apache-2.0 */
/* pubkey.c: the peers' RSA public keys of the configuration, in IOS 11.3 syntax (the seed's
 * "Internet Key Exchange Security Protocol" commands for rsa-sig without a CA):
 *
 *   crypto key pubkey-chain rsa                      config-pubkey-chain
 *    addressed-key A [encryption|signature]          config-pubkey-key
 *    named-key NAME [encryption|signature]           config-pubkey-key (address A)
 *     key-string                                     config-pubkey: hex lines, then quit
 *
 * Their part of the model (free, dup, equal), their parse, their running-config lines, show
 * crypto key pubkey-chain rsa and the lookups the IKEv1 engine makes.  A key-string is held
 * by the session (struct conf_session) until "quit", which decodes it with OpenSSL and only
 * then stores it: the model never holds a key that is not an RSA public key, and a refused
 * line changes nothing in it (docs/design.md invariant 4; the one change to the session: a
 * refused quit still ends the key-string, see string_quit).  Public data: nothing here is
 * masked. */
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "controld/conf/families.h"

#define HEX_GROUP	8	/* digits a group, groups a line: as IOS prints key data */
#define HEX_GROUPS	8

static const struct {
	const char	*name;		/* the keyword */
	const char	*show;		/* show crypto key pubkey-chain rsa */
	const char	*usage;		/* "Usage:" of the detailed show */
} usage_tab[] = {
	[CONF_RSA_GENERAL] = { "general", "General", "General Purpose Key" },
	[CONF_RSA_SIGNATURE] = { "signature", "Signature", "Signature Key" },
	[CONF_RSA_ENCRYPTION] = { "encryption", "Encryption", "Encryption Key" },
};

const char *
conf_rsa_usage_show(enum conf_rsa_usage u)
{
	return u < NELEM(usage_tab) ? usage_tab[u].show : "?";
}

const char *
conf_rsa_usage_name(enum conf_rsa_usage u)
{
	return u < NELEM(usage_tab) ? usage_tab[u].name : "?";
}

/* ---- The model ---- */

void
pubkey_conf_free(struct conf *c)
{
	for (size_t i = 0; i < c->n_rsa_keys; i++)
		free(c->rsa_keys[i]);
	free(c->rsa_keys);
	c->rsa_keys = NULL;
	c->n_rsa_keys = 0;
}

int
pubkey_conf_dup(struct conf *d, const struct conf *c)
{
	d->rsa_keys = NULL;
	d->n_rsa_keys = 0;
	if (c->n_rsa_keys > 0 && (d->rsa_keys = calloc(c->n_rsa_keys, sizeof(*d->rsa_keys))) ==
	    NULL)
		return -1;
	for (size_t i = 0; i < c->n_rsa_keys; i++) {
		if ((d->rsa_keys[i] = malloc(sizeof(*d->rsa_keys[i]))) == NULL)
			return -1;
		*d->rsa_keys[i] = *c->rsa_keys[i];
		d->n_rsa_keys++;
	}
	return 0;
}

static bool
key_equal(const struct conf_rsa_key *a, const struct conf_rsa_key *b)
{
	return a->named == b->named && strcmp(a->name, b->name) == 0 && a->addr == b->addr &&
	    a->has_addr == b->has_addr && a->usage == b->usage && a->der_len == b->der_len &&
	    memcmp(a->der, b->der, a->der_len) == 0;
}

bool
pubkey_conf_equal(const struct conf *a, const struct conf *b)
{
	if (a->n_rsa_keys != b->n_rsa_keys)
		return false;
	for (size_t i = 0; i < a->n_rsa_keys; i++)
		if (!key_equal(a->rsa_keys[i], b->rsa_keys[i]))
			return false;
	return true;
}

/* ---- Decoding a key ---- */

/* der[0..len) as an RSA SubjectPublicKeyInfo of at least CONF_RSA_BITS_MIN bits: the key
 * (caller frees), or NULL with why[0..why_len) saying what is wrong.  OpenSSL's error queue is
 * left empty either way. */
static EVP_PKEY *
der_decode(const uint8_t *der, size_t len, char *why, size_t why_len)
{
	const unsigned char *q = der;
	EVP_PKEY *k;
	int bits;

	if ((k = d2i_PUBKEY(NULL, &q, (long)len)) == NULL) {
		unsigned long e = ERR_peek_last_error();
		const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

		snprintf(why, why_len, "not a DER SubjectPublicKeyInfo (%.40s)",
		    r != NULL ? r : "does not decode");
		ERR_clear_error();
		return NULL;
	}
	ERR_clear_error();
	if ((size_t)(q - der) != len) {
		snprintf(why, why_len, "%zu bytes after the key's %zu", len - (size_t)(q - der),
		    (size_t)(q - der));
	} else if (EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA) {
		snprintf(why, why_len, "not an RSA key (%s)", EVP_PKEY_get0_type_name(k) != NULL ?
		    EVP_PKEY_get0_type_name(k) : "unknown type");
	} else if ((bits = EVP_PKEY_get_bits(k)) < (int)CONF_RSA_BITS_MIN) {
		snprintf(why, why_len, "a modulus of %d bits: at least %u", bits,
		    CONF_RSA_BITS_MIN);
	} else {
		return k;
	}
	EVP_PKEY_free(k);
	return NULL;
}

EVP_PKEY *
conf_rsa_key_pkey(const struct conf_rsa_key *k, struct gw_err *err)
{
	char why[128];
	EVP_PKEY *pk;

	if (k->der_len == 0) {
		gw_fail(err, k->line, "RSA key %s: no key-string", k->named ? k->name : "");
		return NULL;
	}
	if ((pk = der_decode(k->der, k->der_len, why, sizeof(why))) == NULL)
		gw_fail(err, k->line, "RSA key: %s", why);
	return pk;
}

/* ---- Lookups ---- */

/* Is k usable to check a signature (data, signature or general purpose)? */
static bool
sig_ok(const struct conf_rsa_key *k)
{
	return k->der_len > 0 && k->usage != CONF_RSA_ENCRYPTION;
}

/* The best of the keys for which match() holds: signature before general, first in order. */
static const struct conf_rsa_key *
find_by(const struct conf *c, bool (*match)(const struct conf_rsa_key *, uint32_t,
    const char *), uint32_t addr, const char *name)
{
	const struct conf_rsa_key *best = NULL;

	for (size_t i = 0; i < c->n_rsa_keys; i++) {
		const struct conf_rsa_key *k = c->rsa_keys[i];

		if (!sig_ok(k) || !match(k, addr, name))
			continue;
		if (best == NULL || (best->usage == CONF_RSA_GENERAL &&
		    k->usage == CONF_RSA_SIGNATURE))
			best = k;
	}
	return best;
}

static bool
match_name(const struct conf_rsa_key *k, uint32_t addr, const char *name)
{
	(void)addr;
	return k->named && strcasecmp(k->name, name) == 0;
}

static bool
match_addressed(const struct conf_rsa_key *k, uint32_t addr, const char *name)
{
	(void)name;
	return !k->named && k->addr == addr;
}

static bool
match_named_addr(const struct conf_rsa_key *k, uint32_t addr, const char *name)
{
	(void)name;
	return k->named && k->has_addr && k->addr == addr;
}

const struct conf_rsa_key *
conf_rsa_key_find(const struct conf *c, uint32_t addr, const char *name)
{
	const struct conf_rsa_key *k = NULL;

	if (name != NULL && (k = find_by(c, match_name, addr, name)) != NULL)
		return k;
	if ((k = find_by(c, match_addressed, addr, NULL)) != NULL)
		return k;
	return find_by(c, match_named_addr, addr, NULL);
}

/* ---- Parse: crypto key pubkey-chain rsa, addressed-key, named-key ---- */

/* crypto key pubkey-chain rsa: the chain's sub-mode; no crypto key pubkey-chain rsa: every
 * key gone.  crypto key generate|zeroize rsa are exec commands here. */
int
pubkey_conf_cmd(struct pl *p, bool no)
{
	where(p, "crypto key");
	if (kw(p, 2, "generate") || kw(p, 2, "zeroize"))
		return perr(p, "%s: an exec command here (the key pair is kept in the state "
		    "directory, never in the configuration): \"do crypto key %s rsa ...\"",
		    word(p, 2), word(p, 2));
	if (!kw(p, 2, "pubkey-chain"))
		return perr(p, "\"%.40s\": unknown command (pubkey-chain rsa)", word(p, 2));
	where(p, "crypto key pubkey-chain");
	if (!kw(p, 3, "rsa"))
		return perr(p, "\"%.40s\": expected rsa", word(p, 3));
	if (extra(p, 4) != 0)
		return -1;
	if (no) {
		pubkey_conf_free(p->s->c);
		return 0;
	}
	p->s->mode = CONF_SM_PUBKEY_CHAIN;
	return 0;
}

/* The key of c for the same peer and usage as k, or c->n_rsa_keys. */
static size_t
key_index(const struct conf *c, const struct conf_rsa_key *k)
{
	size_t i;

	for (i = 0; i < c->n_rsa_keys; i++) {
		const struct conf_rsa_key *x = c->rsa_keys[i];

		if (x->named == k->named && x->usage == k->usage && (k->named ?
		    strcasecmp(x->name, k->name) == 0 : x->addr == k->addr))
			break;
	}
	return i;
}

/* Words 1.. of an addressed-key / named-key line into k (peer, usage); *usage_given when a
 * usage keyword was there. */
static int
key_words(struct pl *p, struct conf_rsa_key *k, bool *usage_given)
{
	const char *a = word(p, 1);
	size_t n = strlen(a);

	memset(k, 0, sizeof(*k));
	k->line = p->lineno;
	k->named = kw(p, 0, "named-key");
	if (n == 0)
		return perr(p, "needs %s", k->named ? "a name" : "an IPv4 address");
	if (k->named) {
		if (n >= sizeof(k->name))
			return perr(p, "longer than %d characters", CONF_ISAKMP_HOST_MAX - 1);
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)a[i] <= 0x20 || (unsigned char)a[i] >= 0x7f)
				return perr(p, "\"%.40s\": only printable ASCII", a);
		memcpy(k->name, a, n + 1);
	} else {
		if (!ipv4(a, &k->addr))
			return perr(p, "\"%.40s\": not an IPv4 address", a);
		k->has_addr = true;
	}
	*usage_given = true;
	if (kw(p, 2, "signature"))
		k->usage = CONF_RSA_SIGNATURE;
	else if (kw(p, 2, "encryption"))
		k->usage = CONF_RSA_ENCRYPTION;
	else if (p->l->n > 2)
		return perr(p, "\"%.40s\": expected signature or encryption (none: a "
		    "general-purpose key)", word(p, 2));
	else
		*usage_given = false;
	return extra(p, *usage_given ? 3 : 2);
}

/* addressed-key A [usage] | named-key NAME [usage]: the key's sub-mode (the key made if new);
 * no addressed-key A | no named-key NAME: that peer's keys of every usage, or of the one
 * given. */
static int
cmd_key(struct pl *p, bool no)
{
	struct conf *c = p->s->c;
	struct conf_rsa_key k, *o;
	bool usage_given;
	size_t i;

	where(p, "crypto key pubkey-chain rsa: %s", word(p, 0));
	if (key_words(p, &k, &usage_given) != 0)
		return -1;
	if (no) {
		for (i = 0; i < c->n_rsa_keys;) {
			o = c->rsa_keys[i];
			if (o->named == k.named && (!usage_given || o->usage == k.usage) &&
			    (k.named ? strcasecmp(o->name, k.name) == 0 : o->addr == k.addr)) {
				PTR_REMOVE(c->rsa_keys, c->n_rsa_keys, i);
				free(o);
			} else {
				i++;
			}
		}
		p->s->mode = CONF_SM_PUBKEY_CHAIN;
		return 0;
	}
	if ((i = key_index(c, &k)) < c->n_rsa_keys) {
		o = c->rsa_keys[i];
	} else {
		if ((o = malloc(sizeof(*o))) == NULL)
			return oom(p);
		*o = k;
		if (PTR_APPEND(c->rsa_keys, c->n_rsa_keys, o) != 0) {
			free(o);
			return oom(p);
		}
	}
	p->s->rsa_key = o;
	p->s->mode = CONF_SM_PUBKEY_KEY;
	return 0;
}

static int
chain_mode(struct pl *p, bool no)
{
	if (kw(p, 0, "addressed-key") || kw(p, 0, "named-key"))
		return cmd_key(p, no);
	return 1;
}

static void
key_where(struct pl *p, const struct conf_rsa_key *k)
{
	char b[16];

	where(p, "crypto key pubkey-chain rsa: %s %s", k->named ? "named-key" : "addressed-key",
	    k->named ? k->name : ip_str(k->addr, b));
}

/* config-pubkey-key: address A (named keys), key-string; the chain's commands otherwise. */
static int
key_mode(struct pl *p, bool no)
{
	struct conf_rsa_key *k = p->s->rsa_key;
	uint32_t a;

	key_where(p, k);
	if (kw(p, 0, "address")) {
		if (!k->named)
			return perr(p, "address: only for a named-key (an addressed-key is its "
			    "address)");
		if (no) {
			k->has_addr = false;
			k->addr = 0;
			return 0;
		}
		if (!ipv4(word(p, 1), &a))
			return perr(p, "address \"%.40s\": not an IPv4 address", word(p, 1));
		if (extra(p, 2) != 0)
			return -1;
		k->addr = a;
		k->has_addr = true;
		return 0;
	}
	if (kw(p, 0, "key-string")) {
		if (no) {
			k->der_len = 0;
			k->bits = 0;
			memset(k->der, 0, sizeof(k->der));
			return 0;
		}
		if (extra(p, 1) != 0)
			return -1;
		p->s->n_hex = 0;
		p->s->hex_line = p->lineno;
		p->s->mode = CONF_SM_PUBKEY_STRING;
		return 0;
	}
	return chain_mode(p, no);
}

int
pubkey_conf_mode(struct pl *p, bool no)
{
	if (p->s->mode == CONF_SM_PUBKEY_CHAIN) {
		where(p, "crypto key pubkey-chain rsa");
		return chain_mode(p, no);
	}
	if (p->s->mode == CONF_SM_PUBKEY_KEY)
		return key_mode(p, no);
	return 1;
}

/* ---- Parse: config-pubkey (the key-string's lines) ---- */

static int
hex_val(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	ch = (char)(ch | 0x20);
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* The digits so far decoded, checked and stored in the key. */
static int
quit_store(struct pl *p)
{
	struct conf_session *s = p->s;
	struct conf_rsa_key *k = s->rsa_key;
	uint8_t der[CONF_RSA_DER_MAX];
	size_t len = s->n_hex / 2;
	EVP_PKEY *pk;
	char why[128];

	if (extra(p, 1) != 0)
		return -1;
	if (s->n_hex == 0)
		return perr(p, "no hex digits before quit");
	if (s->n_hex % 2 != 0)
		return perr(p, "%zu hex digits: an odd number", s->n_hex);
	for (size_t i = 0; i < len; i++)
		der[i] = (uint8_t)(hex_val(s->hex[2 * i]) << 4 | hex_val(s->hex[2 * i + 1]));
	if ((pk = der_decode(der, len, why, sizeof(why))) == NULL)
		return perr(p, "lines %u-%u: %s", s->hex_line + 1, p->lineno - 1, why);
	k->bits = (uint16_t)EVP_PKEY_get_bits(pk);
	EVP_PKEY_free(pk);
	memcpy(k->der, der, len);
	memset(k->der + len, 0, sizeof(k->der) - len);
	k->der_len = (uint16_t)len;
	k->line = s->hex_line;
	return 0;
}

/* quit: the digits so far decoded, checked, stored in the key. */
static int
string_quit(struct pl *p)
{
	int r = quit_store(p);

	/* quit always ends the key-string, refused or not: with only hex and quit taken there,
	 * staying would leave no way out but more digits to a key that cannot be fixed.  The
	 * model is unchanged by a refusal; only the session leaves (the operator types
	 * key-string again), and a refused line already keeps a CLI session from applying. */
	p->s->n_hex = 0;
	p->s->mode = CONF_SM_PUBKEY_KEY;
	return r;
}

int
pubkey_string_line(struct pl *p)
{
	struct conf_session *s = p->s;
	size_t n = 0;

	key_where(p, s->rsa_key);
	if (kw(p, 0, "quit"))
		return string_quit(p);
	for (int i = 0; i < p->l->n; i++) {
		const char *w = p->l->w[i];

		for (size_t j = 0; w[j] != '\0'; j++, n++)
			if (hex_val(w[j]) < 0)
				return perr(p, "key-string: \"%.40s\": not hex digits (the key "
				    "ends with quit)", w);
	}
	if (s->n_hex + n > sizeof(s->hex))
		return perr(p, "key-string: longer than %d bytes", CONF_RSA_DER_MAX);
	for (int i = 0; i < p->l->n; i++)
		for (const char *w = p->l->w[i]; *w != '\0'; w++)
			s->hex[s->n_hex++] = *w;
	return 0;
}

/* ---- Running configuration and show ---- */

void
conf_rsa_hex(const uint8_t *der, size_t len, const char *indent, FILE *out)
{
	size_t per_line = HEX_GROUP / 2 * HEX_GROUPS;

	for (size_t i = 0; i < len; i++) {
		if (i % per_line == 0)
			fputs(indent, out);
		else if (i % (HEX_GROUP / 2) == 0)
			fputc(' ', out);
		fprintf(out, "%02X", der[i]);
		if (i % per_line == per_line - 1 || i == len - 1)
			fputc('\n', out);
	}
}

void
pubkey_conf_running(const struct conf *c, FILE *out)
{
	char b[16];

	if (c->n_rsa_keys == 0)
		return;
	fputs("crypto key pubkey-chain rsa\n", out);
	for (size_t i = 0; i < c->n_rsa_keys; i++) {
		const struct conf_rsa_key *k = c->rsa_keys[i];

		fprintf(out, " %s %s", k->named ? "named-key" : "addressed-key",
		    k->named ? k->name : ip_str(k->addr, b));
		if (k->usage != CONF_RSA_GENERAL)
			fprintf(out, " %s", conf_rsa_usage_name(k->usage));
		fputc('\n', out);
		if (k->named && k->has_addr)
			fprintf(out, "  address %s\n", ip_str(k->addr, b));
		if (k->der_len == 0)
			continue;
		fputs("  key-string\n", out);
		conf_rsa_hex(k->der, k->der_len, "   ", out);
		fputs("  quit\n", out);
	}
	fputs("!\n", out);
}

static void
show_key(const struct conf_rsa_key *k, FILE *out)
{
	char b[16];

	if (k->named)
		fprintf(out, "Key name: %s\n", k->name);
	if (k->has_addr)
		fprintf(out, "Key address: %s\n", ip_str(k->addr, b));
	fprintf(out, "Usage: %s\n", usage_tab[k->usage].usage);
	fputs("Source: Manually entered\n", out);
	if (k->der_len == 0) {
		fputs("Data: none (no key-string)\n", out);
		return;
	}
	fprintf(out, "Data: (%u bit RSA)\n", k->bits);
	conf_rsa_hex(k->der, k->der_len, "  ", out);
}

void
conf_show_pubkey_chain(const struct conf *c, bool addr_given, uint32_t addr, const char *name,
    FILE *out)
{
	char b[16];
	unsigned n = 0;

	if (!addr_given && name == NULL) {
		fputs("Codes: M - Manually configured\n\n", out);
		fprintf(out, "%-5s%-14s%-18s%s\n", "Code", "Usage", "IP-Address", "Name");
		for (size_t i = 0; i < c->n_rsa_keys; i++) {
			const struct conf_rsa_key *k = c->rsa_keys[i];

			/* no trailing blanks: the name column only for a named key */
			fprintf(out, k->named ? "%-5s%-14s%-18s%s\n" : "%-5s%-14s%s%s\n", "M",
			    conf_rsa_usage_show(k->usage), k->has_addr ? ip_str(k->addr, b) : "",
			    k->named ? k->name : "");
		}
		return;
	}
	for (size_t i = 0; i < c->n_rsa_keys; i++) {
		const struct conf_rsa_key *k = c->rsa_keys[i];

		if (name != NULL ? !(k->named && strcasecmp(k->name, name) == 0) :
		    !(k->has_addr && k->addr == addr))
			continue;
		if (n++ > 0)
			fputc('\n', out);
		show_key(k, out);
	}
	if (n == 0)
		fprintf(out, "%% No key for %s %s in the pubkey-chain\n", name != NULL ? "name" :
		    "address", name != NULL ? name : ip_str(addr, b));
}
