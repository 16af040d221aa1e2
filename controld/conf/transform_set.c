/* SPDX-License-Identifier: Apache-2.0 */
/* transform_set.c: the transform sets of the configuration (crypto ipsec transform-set NAME
 * t1 [t2 [t3]] and its sub-mode): every transform the parser knows with its cipher or
 * authenticator and key lengths, the rules of a set (docs/transform-rules.md), their part of
 * the model, their parse and their running-config lines. */
#include <string.h>
#include <strings.h>

#include "controld/conf/families.h"

/* ---- Names ---- */

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

/* ---- The model: key lengths (bytes) and what a set does ---- */

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

struct conf_transform_set *
tset_dup(const struct conf_transform_set *t)
{
	struct conf_transform_set *d = malloc(sizeof(*d));

	if (d != NULL)
		*d = *t;
	return d;
}

bool
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

struct conf_transform_set *
conf_tset_find(const struct conf *c, const char *name)
{
	return FIND_BY_NAME(c->tsets, c->n_tsets, name);
}

const char *
tset_kind_name(const struct conf_transform_set *t, enum conf_xf_kind k)
{
	for (unsigned i = 0; i < t->n_xforms; i++)
		if (xf_tab[t->xforms[i].xf].kind == k)
			return xf_tab[t->xforms[i].xf].name;
	return "";
}

/* ---- Parse ---- */

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
int
tset_cmd(struct pl *p, bool no)
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

int
tset_mode(struct pl *p, bool no)
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

/* ---- Running configuration ---- */

void
tset_xform_show(const struct conf_transform *x, FILE *out)
{
	fputs(conf_xf_name(x->xf), out);
	if (x->bits != 0 && x->bits != 128)
		fprintf(out, " %u", x->bits);
}

/* IOS 12.4/15 writes the AES-CBC key size into the name (esp-256-aes; 128 is plain esp-aes),
 * and, on the platforms with GCM (IOS XE), the GCM/GMAC size after it (esp-gcm 256). */
const char *
conf_cipher_name15(enum xform_cipher c, unsigned bits, char *buf, size_t len)
{
	const char *n = xform_cipher_name(c);

	if (c == XF_CIPHER_AES_CBC && bits != 128 && bits != 0)
		snprintf(buf, len, "esp-%u-aes", bits);
	else if ((c == XF_CIPHER_AES_GCM || c == XF_CIPHER_AES_GMAC) && bits != 128 && bits != 0)
		snprintf(buf, len, "%s %u", n, bits);
	else
		snprintf(buf, len, "%s", n);
	return buf;
}

void
tset_xform_show15(const struct conf_transform *x, FILE *out)
{
	char b[32];

	if (xf_tab[x->xf].kind == CONF_XFK_ESP_CIPHER)
		fputs(conf_cipher_name15(xf_tab[x->xf].cipher,
		    x->bits != 0 ? x->bits : xf_tab[x->xf].bits_def, b, sizeof(b)), out);
	else
		fputs(conf_xf_name(x->xf), out);
}

void
tset_running(const struct conf *c, FILE *out)
{
	for (size_t i = 0; i < c->n_tsets; i++) {
		const struct conf_transform_set *t = c->tsets[i];

		fprintf(out, "crypto ipsec transform-set %s", t->name);
		for (unsigned k = 0; k < t->n_xforms; k++) {
			fputc(' ', out);
			tset_xform_show(&t->xforms[k], out);
		}
		fputc('\n', out);
		if (t->mode == CONF_MODE_TRANSPORT)
			fputs(" mode transport\n", out);
		if (t->esp_cipher == XF_CIPHER_DES_RFC1829 && t->iv_size != 8)
			fprintf(out, " initialization-vector size %u\n", t->iv_size);
		fputs("!\n", out);
	}
}
