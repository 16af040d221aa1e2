/* SPDX-License-Identifier: Apache-2.0 */
/* xform.c: the cipher and integrity primitives of one SA, keyed once in xform_init() (invariant
 * 6: nothing here allocates per packet).  It owns the SA's OpenSSL contexts and key copies and
 * wipes them in xform_free(); esp.c and ah.c own the framing.
 *
 * Integrity.  OpenSSL 3.0's EVP_DigestInit_ex and EVP_MD_CTX_copy_ex allocate on every call, so
 * every EVP road to a keyed HMAC allocates per packet.  Measured on this machine (3.0.22, 64-byte
 * message, HMAC-SHA1, per packet): EVP_MAC_init(ctx, NULL, 0, NULL) on a keyed EVP_MAC_CTX
 * 220 ns and 2 allocations; EVP_MAC_CTX_dup of a keyed template 466 ns and 11; the deprecated
 * HMAC_Init_ex(ctx, NULL, 0, NULL, NULL) 187 ns and 2; copying precomputed inner/outer states of
 * the low-level SHA1_CTX by assignment 111 ns and none (1400 bytes: 1109 / 1594 / 1059 / 868 ns;
 * SHA-256 and SHA-512 alike).  So HMAC (RFC 2104) is done here over the low-level MD5/SHA
 * functions, which run the same assembly as EVP: the key's ipad and opad blocks are absorbed
 * once, and a packet costs a struct copy, its own bytes and the outer block.
 * XXX: those functions are deprecated in OpenSSL 3; if they go, EVP_MAC_init with a NULL key is
 * the fallback (correct, 2 allocations per packet).
 *
 * CBC IVs (RFC 2405 §3, RFC 2451 §2.3, RFC 3602 §2.1: unpredictable, not a counter).  Each
 * encrypting CBC SA gets its own random AES-128 key at install; IV n is the first iv_len bytes
 * of AES(k_iv, n) for a 64-bit counter n, made XF_IV_BATCH at a time in one ECB call.  This is
 * the construction of NIST SP 800-38A Appendix C (encrypt a nonce), with a key of its own, so a
 * packet costs a copy instead of a RAND_bytes call.  esp-rfc1829 with a 4-byte IV wants values
 * that do not repeat under the key (RFC 1829 §2): there IV n is a 4-round Feistel permutation
 * of the 32-bit n with AES(k_iv, ...) as round function, unique for 2^32 packets, by which the
 * RFC wants the key changed.
 *
 * AEAD nonces: salt || 64-bit sequence number (RFC 4106 §3, RFC 4543 §3.1, RFC 7634 §2), unique
 * per key because a sequence number is never sent twice under one key (invariant 1). */
#define OPENSSL_SUPPRESS_DEPRECATED	/* MD5_Init and friends, see above */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "common/xform.h"

/* --- names --- */

const char *
xform_cipher_name(enum xform_cipher c)
{
	static const char *const n[XF_CIPHER_MAX] = {
		[XF_CIPHER_NONE] = "none",
		[XF_CIPHER_NULL] = "esp-null",
		[XF_CIPHER_DES] = "esp-des",
		[XF_CIPHER_3DES] = "esp-3des",
		[XF_CIPHER_AES_CBC] = "esp-aes",
		[XF_CIPHER_AES_GCM] = "esp-gcm",
		[XF_CIPHER_AES_GMAC] = "esp-gmac",
		[XF_CIPHER_CHACHA20_POLY1305] = "esp-chacha20-poly1305",
		[XF_CIPHER_DES_RFC1829] = "esp-rfc1829",
	};

	return (unsigned)c < XF_CIPHER_MAX ? n[c] : "unknown";
}

const char *
xform_auth_name(enum xform_auth a)
{
	static const char *const n[XF_AUTH_MAX] = {
		[XF_AUTH_NONE] = "none",
		[XF_AUTH_HMAC_MD5_96] = "md5-hmac",
		[XF_AUTH_HMAC_SHA1_96] = "sha-hmac",
		[XF_AUTH_HMAC_SHA256_128] = "sha256-hmac",
		[XF_AUTH_HMAC_SHA384_192] = "sha384-hmac",
		[XF_AUTH_HMAC_SHA512_256] = "sha512-hmac",
		[XF_AUTH_KEYED_MD5_RFC1828] = "rfc1828",
	};

	return (unsigned)a < XF_AUTH_MAX ? n[a] : "unknown";
}

/* --- integrity --- */

static const struct auth_def {
	uint8_t		md_len, block, icv_len, key_len;	/* key_len 0: any, 1..64 */
	const char	*rfc;
} auth_defs[XF_AUTH_MAX] = {
	[XF_AUTH_HMAC_MD5_96]		= { 16, 64, 12, 16, "HMAC-MD5-96, RFC 2403" },
	[XF_AUTH_HMAC_SHA1_96]		= { 20, 64, 12, 20, "HMAC-SHA1-96, RFC 2404" },
	[XF_AUTH_HMAC_SHA256_128]	= { 32, 64, 16, 32, "HMAC-SHA-256-128, RFC 4868" },
	[XF_AUTH_HMAC_SHA384_192]	= { 48, 128, 24, 48, "HMAC-SHA-384-192, RFC 4868" },
	[XF_AUTH_HMAC_SHA512_256]	= { 64, 128, 32, 64, "HMAC-SHA-512-256, RFC 4868" },
	[XF_AUTH_KEYED_MD5_RFC1828]	= { 16, 64, 16, 0, "keyed MD5, RFC 1828" },
};

static void
md_init(enum xform_auth a, union xform_md *s)
{
	switch (a) {
	case XF_AUTH_HMAC_MD5_96:
	case XF_AUTH_KEYED_MD5_RFC1828:
		MD5_Init(&s->md5);
		break;
	case XF_AUTH_HMAC_SHA1_96:
		SHA1_Init(&s->sha1);
		break;
	case XF_AUTH_HMAC_SHA256_128:
		SHA256_Init(&s->sha256);
		break;
	case XF_AUTH_HMAC_SHA384_192:
		SHA384_Init(&s->sha512);
		break;
	case XF_AUTH_HMAC_SHA512_256:
		SHA512_Init(&s->sha512);
		break;
	default:
		break;
	}
}

static void
md_update(enum xform_auth a, union xform_md *s, const void *d, size_t n)
{
	switch (a) {
	case XF_AUTH_HMAC_MD5_96:
	case XF_AUTH_KEYED_MD5_RFC1828:
		MD5_Update(&s->md5, d, n);
		break;
	case XF_AUTH_HMAC_SHA1_96:
		SHA1_Update(&s->sha1, d, n);
		break;
	case XF_AUTH_HMAC_SHA256_128:
		SHA256_Update(&s->sha256, d, n);
		break;
	case XF_AUTH_HMAC_SHA384_192:
	case XF_AUTH_HMAC_SHA512_256:
		SHA512_Update(&s->sha512, d, n);	/* SHA384_Update is the same function */
		break;
	default:
		break;
	}
}

static void
md_final(enum xform_auth a, union xform_md *s, uint8_t *out)
{
	switch (a) {
	case XF_AUTH_HMAC_MD5_96:
	case XF_AUTH_KEYED_MD5_RFC1828:
		MD5_Final(out, &s->md5);
		break;
	case XF_AUTH_HMAC_SHA1_96:
		SHA1_Final(out, &s->sha1);
		break;
	case XF_AUTH_HMAC_SHA256_128:
		SHA256_Final(out, &s->sha256);
		break;
	case XF_AUTH_HMAC_SHA384_192:
		SHA384_Final(out, &s->sha512);
		break;
	case XF_AUTH_HMAC_SHA512_256:
		SHA512_Final(out, &s->sha512);
		break;
	default:
		break;
	}
}

/* RFC 2104 §2: K0 = key (hashed first if longer than a block), zero-filled to a block; the
 * inner state has absorbed K0 ^ ipad, the outer K0 ^ opad. */
static void
mac_key_hmac(struct xform_mac *m, const struct auth_def *d, const uint8_t *key, size_t len)
{
	uint8_t k0[128], pad[128];

	memset(k0, 0, sizeof(k0));
	if (len > d->block) {
		md_init(m->alg, &m->w);
		md_update(m->alg, &m->w, key, len);
		md_final(m->alg, &m->w, k0);
	} else if (len > 0) {
		memcpy(k0, key, len);
	}
	for (unsigned i = 0; i < d->block; i++)
		pad[i] = k0[i] ^ 0x36;
	md_init(m->alg, &m->in);
	md_update(m->alg, &m->in, pad, d->block);
	for (unsigned i = 0; i < d->block; i++)
		pad[i] = k0[i] ^ 0x5c;
	md_init(m->alg, &m->out);
	md_update(m->alg, &m->out, pad, d->block);
	OPENSSL_cleanse(k0, sizeof(k0));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(&m->w, sizeof(m->w));
}

/* RFC 1828 §2: MD5(key, keyfill, datagram, key, MD5fill); keyfill pads the key to 512 bits the
 * way MD5 pads a message (0x80, zeros, 64-bit little-endian length in bits). */
static void
mac_key_rfc1828(struct xform_mac *m, const uint8_t *key, size_t len)
{
	uint8_t fill[64 + 8 + 1];
	uint64_t bits = (uint64_t)len * 8;
	size_t n = 64 - (len % 64);

	if (n < 9)
		n += 64;
	memset(fill, 0, sizeof(fill));
	fill[0] = 0x80;
	for (unsigned i = 0; i < 8; i++)
		fill[n - 8 + i] = (uint8_t)(bits >> (8 * i));
	memcpy(m->key.b, key, len);
	m->key.len = (uint16_t)len;
	md_init(m->alg, &m->in);
	md_update(m->alg, &m->in, key, len);
	md_update(m->alg, &m->in, fill, n);
}

int
xform_mac_key(struct xform_mac *m, enum xform_auth a, const uint8_t *key, size_t len)
{
	memset(m, 0, sizeof(*m));
	if ((unsigned)a >= XF_AUTH_MAX)
		return -1;
	m->alg = a;
	if (a == XF_AUTH_NONE)
		return 0;
	m->md_len = auth_defs[a].md_len;
	if (a == XF_AUTH_KEYED_MD5_RFC1828) {
		if (len > sizeof(m->key.b))
			return -1;
		mac_key_rfc1828(m, key, len);
	} else {
		mac_key_hmac(m, &auth_defs[a], key, len);
	}
	return 0;
}

void
xform_mac_begin(struct xform_mac *m)
{
	m->w = m->in;
}

void
xform_mac_update(struct xform_mac *m, const void *data, size_t len)
{
	md_update(m->alg, &m->w, data, len);
}

void
xform_mac_end(struct xform_mac *m, uint8_t *md)
{
	uint8_t inner[XF_MD_MAX];

	if (m->alg == XF_AUTH_KEYED_MD5_RFC1828) {
		md_update(m->alg, &m->w, m->key.b, m->key.len);
		md_final(m->alg, &m->w, md);
		return;
	}
	md_final(m->alg, &m->w, inner);
	m->w = m->out;
	md_update(m->alg, &m->w, inner, m->md_len);
	md_final(m->alg, &m->w, md);
}

void
xform_mac_wipe(struct xform_mac *m)
{
	OPENSSL_cleanse(m, sizeof(*m));
}

/* --- ciphers --- */

static pthread_once_t legacy_once = PTHREAD_ONCE_INIT;
static bool legacy_ok;
static OSSL_PROVIDER *prov_default, *prov_legacy;

/* Providers we loaded are ours to unload; at exit, before OpenSSL's own cleanup. */
static void
legacy_unload(void)
{
	if (prov_legacy != NULL)
		OSSL_PROVIDER_unload(prov_legacy);
	if (prov_default != NULL)
		OSSL_PROVIDER_unload(prov_default);
	prov_legacy = prov_default = NULL;
}

/* Single DES lives in OpenSSL 3's legacy provider.  Loading a provider by hand stops the default
 * one from loading by itself, so both are loaded; only when a DES SA is first installed. */
static void
legacy_load(void)
{
	EVP_CIPHER *c;

	if ((c = EVP_CIPHER_fetch(NULL, "DES-CBC", NULL)) != NULL) {	/* openssl.cnf did it */
		EVP_CIPHER_free(c);
		legacy_ok = true;
		return;
	}
	prov_default = OSSL_PROVIDER_load(NULL, "default");
	prov_legacy = OSSL_PROVIDER_load(NULL, "legacy");
	atexit(legacy_unload);
	if (prov_default != NULL && prov_legacy != NULL &&
	    (c = EVP_CIPHER_fetch(NULL, "DES-CBC", NULL)) != NULL) {
		EVP_CIPHER_free(c);
		legacy_ok = true;
	}
	ERR_clear_error();
}

bool
xform_legacy(void)
{
	pthread_once(&legacy_once, legacy_load);
	return legacy_ok;
}

/* What a cipher is on the wire, and which OpenSSL cipher does it for a key of klen bytes.
 * -1 with err on a key length the algorithm does not take. */
static int
cipher_pick(struct xform *xf, size_t klen, const char **evp, struct gw_err *err)
{
	const char *name = xform_cipher_name(xf->cipher);

	xf->hdr_len = sizeof(uint32_t) * 2;
	xf->block_len = 4;
	switch (xf->cipher) {
	case XF_CIPHER_NONE:
	case XF_CIPHER_NULL:
		if (klen != 0)
			return gw_fail(err, 0, "%s: takes no key, got %zu bytes (RFC 2410)", name,
			    klen);
		*evp = NULL;
		return 0;
	case XF_CIPHER_DES_RFC1829:
		xf->hdr_len = sizeof(uint32_t);		/* RFC 1829 §2: SPI, then the IV */
		/* FALLTHROUGH */
	case XF_CIPHER_DES:
		if (klen != 8)
			return gw_fail(err, 0, "%s: key must be 8 bytes (DES-CBC), got %zu", name,
			    klen);
		xf->iv_len = xf->block_len = 8;
		*evp = "DES-CBC";
		return 0;
	case XF_CIPHER_3DES:
		if (klen != 24)
			return gw_fail(err, 0, "%s: key must be 24 bytes (3DES-CBC, RFC 2451), got %zu",
			    name, klen);
		xf->iv_len = xf->block_len = 8;
		*evp = "DES-EDE3-CBC";
		return 0;
	case XF_CIPHER_AES_CBC:
		if (klen != 16 && klen != 24 && klen != 32)
			return gw_fail(err, 0, "%s: key must be 16, 24 or 32 bytes (AES-CBC, "
			    "RFC 3602), got %zu", name, klen);
		xf->iv_len = xf->block_len = 16;
		*evp = klen == 16 ? "AES-128-CBC" : klen == 24 ? "AES-192-CBC" : "AES-256-CBC";
		return 0;
	case XF_CIPHER_AES_GCM:
	case XF_CIPHER_AES_GMAC:
		if (klen != 20 && klen != 28 && klen != 36)
			return gw_fail(err, 0, "%s: key must be 20, 28 or 36 bytes (AES key of 16, 24 "
			    "or 32 and a 4-byte salt, RFC %s), got %zu", name,
			    xf->cipher == XF_CIPHER_AES_GCM ? "4106" : "4543", klen);
		xf->iv_len = 8;
		xf->icv_len = 16;
		xf->aead = true;
		*evp = klen == 20 ? "AES-128-GCM" : klen == 28 ? "AES-192-GCM" : "AES-256-GCM";
		return 0;
	case XF_CIPHER_CHACHA20_POLY1305:
		if (klen != 36)
			return gw_fail(err, 0, "%s: key must be 36 bytes (32-byte key and a 4-byte "
			    "salt, RFC 7634), got %zu", name, klen);
		xf->iv_len = 8;
		xf->icv_len = 16;
		xf->aead = true;
		*evp = "ChaCha20-Poly1305";
		return 0;
	default:
		return gw_fail(err, 0, "unknown cipher %d", (int)xf->cipher);
	}
}

static int
cipher_key(struct xform *xf, const struct key *ck, struct gw_err *err)
{
	const char *evp = NULL, *name = xform_cipher_name(xf->cipher);
	size_t klen = ck != NULL ? ck->len : 0;
	EVP_CIPHER *c;
	uint8_t ivkey[16];
	int ok;

	if (cipher_pick(xf, klen, &evp, err) != 0)
		return -1;
	if (evp == NULL)
		return 0;
	if (xf->aead) {
		klen -= sizeof(xf->salt);
		memcpy(xf->salt, ck->b + klen, sizeof(xf->salt));
	}
	if (xf->cipher == XF_CIPHER_DES || xf->cipher == XF_CIPHER_DES_RFC1829) {
		if (!xform_legacy())
			return gw_fail(err, 0, "%s: DES-CBC needs OpenSSL's legacy provider, which "
			    "could not be loaded", name);
	}
	if ((c = EVP_CIPHER_fetch(NULL, evp, NULL)) == NULL) {
		ERR_clear_error();
		return gw_fail(err, 0, "%s: OpenSSL has no %s", name, evp);
	}
	ok = (xf->cctx = EVP_CIPHER_CTX_new()) != NULL &&
	    EVP_CipherInit_ex2(xf->cctx, c, ck->b, NULL, xf->encrypt, NULL) == 1 &&
	    (xf->aead || EVP_CIPHER_CTX_set_padding(xf->cctx, 0) == 1);
	EVP_CIPHER_free(c);
	if (ok && xf->encrypt && !xf->aead) {
		/* the IV generator of this SA, see the top of this file */
		ok = RAND_bytes(ivkey, sizeof(ivkey)) == 1 &&
		    (c = EVP_CIPHER_fetch(NULL, "AES-128-ECB", NULL)) != NULL;
		if (ok) {
			ok = (xf->ivctx = EVP_CIPHER_CTX_new()) != NULL &&
			    EVP_EncryptInit_ex2(xf->ivctx, c, ivkey, NULL, NULL) == 1 &&
			    EVP_CIPHER_CTX_set_padding(xf->ivctx, 0) == 1;
			EVP_CIPHER_free(c);
		}
		OPENSSL_cleanse(ivkey, sizeof(ivkey));
		xf->iv_pos = XF_IV_BATCH;
		/* a CPU without AES-NI stays with OpenSSL alone */
		xf->cbc_mb = ok && xf->cipher == XF_CIPHER_AES_CBC &&
		    aesni_key_init(&xf->cbc_key, ck->b, ck->len) == 0;
	}
	if (!ok) {
		ERR_clear_error();
		return gw_fail(err, 0, "%s: OpenSSL could not key %s", name, evp);
	}
	return 0;
}

static int
auth_key(struct xform *xf, const struct key *ak, struct gw_err *err)
{
	const struct auth_def *d = &auth_defs[xf->auth];
	const char *name = xform_auth_name(xf->auth);
	size_t klen = ak != NULL ? ak->len : 0;

	if (xf->auth == XF_AUTH_NONE) {
		if (klen != 0)
			return gw_fail(err, 0, "no auth transform but an auth key of %zu bytes", klen);
		xf->mac.alg = XF_AUTH_NONE;
		return 0;
	}
	if (d->key_len != 0 && klen != d->key_len)
		return gw_fail(err, 0, "%s: key must be %u bytes (%s), got %zu", name,
		    d->key_len, d->rfc, klen);
	if (d->key_len == 0 && klen == 0)
		return gw_fail(err, 0, "%s: needs a key (%s)", name, d->rfc);
	xf->icv_len = d->icv_len;
	return xform_mac_key(&xf->mac, xf->auth, ak->b, klen);
}

/* The combinations ESP and AH allow; the rest is refused before any keying. */
static int
combo_check(enum xform_cipher c, enum xform_auth a, struct gw_err *err)
{
	if ((unsigned)c >= XF_CIPHER_MAX || (unsigned)a >= XF_AUTH_MAX)
		return gw_fail(err, 0, "unknown transform %d/%d", (int)c, (int)a);
	if (c == XF_CIPHER_NONE && a == XF_AUTH_NONE)
		return gw_fail(err, 0, "transform with neither a cipher nor an auth algorithm");
	if ((c == XF_CIPHER_AES_GCM || c == XF_CIPHER_AES_GMAC ||
	    c == XF_CIPHER_CHACHA20_POLY1305) && a != XF_AUTH_NONE)
		return gw_fail(err, 0, "%s carries its own ICV and takes no %s (RFC 7296 §3.3)",
		    xform_cipher_name(c), xform_auth_name(a));
	if (c == XF_CIPHER_DES_RFC1829 && a != XF_AUTH_NONE)
		return gw_fail(err, 0, "esp-rfc1829 has no authenticator and takes no %s "
		    "(RFC 1829)", xform_auth_name(a));
	if (a == XF_AUTH_KEYED_MD5_RFC1828 && c != XF_CIPHER_NONE)
		return gw_fail(err, 0, "rfc1828 keyed MD5 is for AH only (RFC 1828)");
	return 0;
}

int
xform_init(struct xform *xf, enum xform_cipher c, const struct key *ck,
    enum xform_auth a, const struct key *ak, bool encrypt, struct gw_err *err)
{
	memset(xf, 0, sizeof(*xf));
	if (combo_check(c, a, err) != 0)
		return -1;
	xf->cipher = c;
	xf->auth = a;
	xf->encrypt = encrypt;
	if (cipher_key(xf, ck, err) != 0 || auth_key(xf, ak, err) != 0) {
		xform_free(xf);
		return -1;
	}
	return 0;
}

int
xform_set_rfc1829_iv(struct xform *xf, unsigned iv_size, struct gw_err *err)
{
	if (xf->cipher != XF_CIPHER_DES_RFC1829)
		return gw_fail(err, 0, "initialization-vector size is for esp-rfc1829 only, not %s",
		    xform_cipher_name(xf->cipher));
	if (iv_size == 0)
		iv_size = 8;
	if (iv_size != 4 && iv_size != 8)
		return gw_fail(err, 0, "esp-rfc1829: initialization-vector size must be 4 or 8, "
		    "got %u (RFC 1829 §2)", iv_size);
	xf->iv_len = (uint8_t)iv_size;
	return 0;
}

void
xform_free(struct xform *xf)
{
	if (xf == NULL)
		return;
	EVP_CIPHER_CTX_free(xf->cctx);		/* providers clear their key schedules */
	EVP_CIPHER_CTX_free(xf->ivctx);
	OPENSSL_cleanse(xf, sizeof(*xf));	/* keys, salt, HMAC states, pending IVs, cbc_key */
}

/* --- per packet --- */

static void
be64_put(uint8_t *b, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
}

/* esp-rfc1829, 4-byte IV: a Feistel permutation of the 32-bit counter, see the top. */
static int
iv_feistel32(struct xform *xf, uint8_t *iv)
{
	uint8_t blk[16], out[16];
	uint16_t l, r, f;
	uint32_t n = (uint32_t)xf->iv_ctr++;
	int olen;

	l = (uint16_t)(n >> 16);
	r = (uint16_t)n;
	memset(blk, 0, sizeof(blk));
	for (uint8_t round = 0; round < 4; round++) {
		blk[0] = round;
		blk[1] = (uint8_t)(r >> 8);
		blk[2] = (uint8_t)r;
		if (EVP_EncryptUpdate(xf->ivctx, out, &olen, blk, sizeof(blk)) != 1)
			return -1;
		f = (uint16_t)(out[0] << 8 | out[1]);
		f ^= l;
		l = r;
		r = f;
	}
	iv[0] = (uint8_t)(l >> 8);
	iv[1] = (uint8_t)l;
	iv[2] = (uint8_t)(r >> 8);
	iv[3] = (uint8_t)r;
	return 0;
}

int
xform_iv(struct xform *xf, uint8_t *iv)
{
	int olen;

	if (xf->ivctx == NULL)
		return -1;
	if (xf->iv_len == 4)
		return iv_feistel32(xf, iv);
	if (xf->iv_pos == XF_IV_BATCH) {
		memset(xf->iv_buf, 0, sizeof(xf->iv_buf));
		for (unsigned i = 0; i < XF_IV_BATCH; i++)
			be64_put(xf->iv_buf + 16 * i + 8, xf->iv_ctr++);
		if (EVP_EncryptUpdate(xf->ivctx, xf->iv_buf, &olen, xf->iv_buf,
		    sizeof(xf->iv_buf)) != 1 || olen != (int)sizeof(xf->iv_buf))
			return -1;
		xf->iv_pos = 0;
	}
	memcpy(iv, xf->iv_buf + 16 * xf->iv_pos, xf->iv_len);
	xf->iv_pos++;
	return 0;
}

int
xform_cbc(struct xform *xf, const uint8_t *iv, uint8_t *buf, size_t len)
{
	uint8_t full[XF_IV_MAX];
	int olen;

	if (xf->cctx == NULL)			/* esp-null */
		return 0;
	if (xf->iv_len == 4) {			/* RFC 1829 §2: IV || ~IV */
		for (unsigned i = 0; i < 4; i++) {
			full[i] = iv[i];
			full[i + 4] = (uint8_t)~iv[i];
		}
		iv = full;
	}
	if (EVP_CipherInit_ex(xf->cctx, NULL, NULL, NULL, iv, -1) != 1 ||
	    EVP_CipherUpdate(xf->cctx, buf, &olen, buf, (int)len) != 1 || olen != (int)len)
		return -1;
	return 0;
}

int
xform_aead(struct xform *xf, const uint8_t iv8[8], const uint8_t *aad, size_t aad_len,
    const uint8_t *aad2, size_t aad2_len, uint8_t *buf, size_t len, uint8_t *tag)
{
	uint8_t nonce[12], fin[16];
	int olen;

	memcpy(nonce, xf->salt, 4);
	memcpy(nonce + 4, iv8, 8);
	if (EVP_CipherInit_ex(xf->cctx, NULL, NULL, NULL, nonce, -1) != 1)
		goto fail;
	if (aad_len > 0 && EVP_CipherUpdate(xf->cctx, NULL, &olen, aad, (int)aad_len) != 1)
		goto fail;
	if (aad2_len > 0 && EVP_CipherUpdate(xf->cctx, NULL, &olen, aad2, (int)aad2_len) != 1)
		goto fail;
	if (len > 0 && EVP_CipherUpdate(xf->cctx, buf, &olen, buf, (int)len) != 1)
		goto fail;
	if (!xf->encrypt &&
	    EVP_CIPHER_CTX_ctrl(xf->cctx, EVP_CTRL_AEAD_SET_TAG, 16, tag) != 1)
		goto fail;
	if (EVP_CipherFinal_ex(xf->cctx, fin, &olen) != 1)
		goto fail;
	if (xf->encrypt && EVP_CIPHER_CTX_ctrl(xf->cctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
		goto fail;
	return 0;
fail:
	ERR_clear_error();
	if (!xf->encrypt && len > 0)
		OPENSSL_cleanse(buf, len);	/* nothing unauthenticated stays behind */
	return -1;
}
