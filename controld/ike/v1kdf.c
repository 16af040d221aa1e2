/* SPDX-License-Identifier: Apache-2.0 */
/* v1kdf.c: what RFC 2409 derives and hashes in phase 1 and phase 2 (§5, §5.5, §5.7, Appendix
 * B), over the HMACs of kdf.c (ike_prf) and OpenSSL's EVP digests for the two IVs.  Like kdf.c
 * this runs per exchange in controld, not per packet: each call sets up its OpenSSL contexts
 * and frees them.  Every buffer that held key material is wiped before return
 * (docs/design.md "IKE": keys zeroed when freed). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "controld/ike/kdf.h"
#include "controld/ike/v1kdf.h"

/* The IKEv2 prf of the same HMAC, so that kdf.c computes it. */
static uint16_t
v1_prf(uint16_t hash)
{
	switch (hash) {
	case IKE1_KDF_MD5:	return IKE_PRF_HMAC_MD5;
	case IKE1_KDF_SHA1:	return IKE_PRF_HMAC_SHA1;
	case IKE1_KDF_SHA2_256:	return IKE_PRF_HMAC_SHA2_256;
	case IKE1_KDF_SHA2_384:	return IKE_PRF_HMAC_SHA2_384;
	case IKE1_KDF_SHA2_512:	return IKE_PRF_HMAC_SHA2_512;
	default:		return 0;
	}
}

static const char *
v1_digest(uint16_t hash)
{
	switch (hash) {
	case IKE1_KDF_MD5:	return "MD5";
	case IKE1_KDF_SHA1:	return "SHA1";
	case IKE1_KDF_SHA2_256:	return "SHA2-256";
	case IKE1_KDF_SHA2_384:	return "SHA2-384";
	case IKE1_KDF_SHA2_512:	return "SHA2-512";
	default:		return NULL;
	}
}

size_t
ike1_hash_len(uint16_t hash)
{
	uint16_t prf = v1_prf(hash);

	return prf == 0 ? 0 : ike_prf_len(prf);
}

int
ike1_prf(uint16_t hash, struct ike_chunk key, const struct ike_chunk *in, size_t n_in,
    uint8_t *out)
{
	uint16_t prf = v1_prf(hash);

	if (prf == 0)
		return -1;
	return ike_prf(prf, key, in, n_in, out);
}

/* hash(in[0] | ... | in[n_in - 1]), ike1_hash_len(hash) bytes into out. */
static int
v1_hash(uint16_t hash, const struct ike_chunk *in, size_t n_in, uint8_t *out)
{
	const char *name = v1_digest(hash);
	EVP_MD_CTX *ctx = NULL;
	EVP_MD *md = NULL;
	int rc = -1;

	if (name == NULL || (md = EVP_MD_fetch(NULL, name, NULL)) == NULL ||
	    (ctx = EVP_MD_CTX_new()) == NULL || !EVP_DigestInit_ex2(ctx, md, NULL))
		goto out;
	for (size_t i = 0; i < n_in; i++)
		if (in[i].len > 0 && !EVP_DigestUpdate(ctx, in[i].p, in[i].len))
			goto out;
	if (EVP_DigestFinal_ex(ctx, out, NULL))
		rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return rc;
}

static struct ike_chunk
key_chunk(const struct key *k)
{
	return (struct ike_chunk){ k->b, k->len };
}

/* prf(key, in[]) into the struct key out, wiping the scratch. */
static int
prf_key(uint16_t hash, struct ike_chunk key, const struct ike_chunk *in, size_t n_in,
    struct key *out)
{
	uint8_t t[IKE1_HASH_MAX];
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (ike1_prf(hash, key, in, n_in, t) == 0) {
		out->len = (uint16_t)ike1_hash_len(hash);
		memcpy(out->b, t, out->len);
		rc = 0;
	}
	OPENSSL_cleanse(t, sizeof(t));
	return rc;
}

int
ike1_kdf_skeyid_psk(uint16_t hash, struct ike_chunk psk, struct ike_chunk ni_b,
    struct ike_chunk nr_b, struct key *skeyid)
{
	struct ike_chunk in[2] = { ni_b, nr_b };

	return prf_key(hash, psk, in, 2, skeyid);
}

int
ike1_kdf_skeyid_sig(uint16_t hash, struct ike_chunk ni_b, struct ike_chunk nr_b,
    struct ike_chunk gxy, struct key *skeyid)
{
	uint8_t nn[2 * IKE_NONCE_MAX];
	int rc;

	if (ni_b.len > IKE_NONCE_MAX || nr_b.len > IKE_NONCE_MAX)
		return -1;
	memcpy(nn, ni_b.p, ni_b.len);
	memcpy(nn + ni_b.len, nr_b.p, nr_b.len);
	rc = prf_key(hash, (struct ike_chunk){ nn, ni_b.len + nr_b.len }, &gxy, 1, skeyid);
	OPENSSL_cleanse(nn, sizeof(nn));	/* public nonces, but the same habit everywhere */
	return rc;
}

int
ike1_kdf_sa_keys(uint16_t hash, const struct key *skeyid, struct ike_chunk gxy,
    const uint8_t cky_i[IKE1_COOKIE_LEN], const uint8_t cky_r[IKE1_COOKIE_LEN],
    size_t enc_len, struct ike1_sa_keys *k)
{
	static const uint8_t n0 = 0, n1 = 1, n2 = 2;
	struct ike_chunk in[5];

	memset(k, 0, sizeof(*k));
	if (ike1_hash_len(hash) == 0 || enc_len > sizeof(k->enc.b) ||
	    skeyid->len > sizeof(k->skeyid.b))
		return -1;
	k->skeyid = *skeyid;
	/* SKEYID_d = prf(SKEYID, g^xy | CKY-I | CKY-R | 0) */
	in[0] = gxy;
	in[1] = (struct ike_chunk){ cky_i, IKE1_COOKIE_LEN };
	in[2] = (struct ike_chunk){ cky_r, IKE1_COOKIE_LEN };
	in[3] = (struct ike_chunk){ &n0, 1 };
	if (prf_key(hash, key_chunk(skeyid), in, 4, &k->d) != 0)
		goto fail;
	/* SKEYID_a = prf(SKEYID, SKEYID_d | g^xy | CKY-I | CKY-R | 1) */
	in[0] = key_chunk(&k->d);
	in[1] = gxy;
	in[2] = (struct ike_chunk){ cky_i, IKE1_COOKIE_LEN };
	in[3] = (struct ike_chunk){ cky_r, IKE1_COOKIE_LEN };
	in[4] = (struct ike_chunk){ &n1, 1 };
	if (prf_key(hash, key_chunk(skeyid), in, 5, &k->a) != 0)
		goto fail;
	/* SKEYID_e = prf(SKEYID, SKEYID_a | g^xy | CKY-I | CKY-R | 2) */
	in[0] = key_chunk(&k->a);
	in[4] = (struct ike_chunk){ &n2, 1 };
	if (prf_key(hash, key_chunk(skeyid), in, 5, &k->e) != 0)
		goto fail;
	if (ike1_kdf_enc_key(hash, &k->e, k->enc.b, enc_len) != 0)
		goto fail;
	k->enc.len = (uint16_t)enc_len;
	return 0;
fail:
	ike1_sa_keys_wipe(k);
	return -1;
}

void
ike1_sa_keys_wipe(struct ike1_sa_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int
ike1_kdf_enc_key(uint16_t hash, const struct key *skeyid_e, uint8_t *out, size_t len)
{
	static const uint8_t zero = 0;
	size_t plen = ike1_hash_len(hash), done;
	uint8_t t[IKE1_HASH_MAX];
	struct ike_chunk in;
	int rc = -1;

	if (plen == 0 || len > IKE1_KEYMAT_MAX)
		return -1;
	if (skeyid_e->len >= len) {	/* long enough: its leftmost bytes */
		memcpy(out, skeyid_e->b, len);
		return 0;
	}
	/* Ka = K1 | K2 | ..., K1 = prf(SKEYID_e, 0), Kn = prf(SKEYID_e, Kn-1) */
	in = (struct ike_chunk){ &zero, 1 };
	for (done = 0; done < len; done += plen) {
		size_t n = len - done < plen ? len - done : plen;

		if (ike1_prf(hash, key_chunk(skeyid_e), &in, 1, t) != 0)
			goto out;
		memcpy(out + done, t, n);
		in = (struct ike_chunk){ t, plen };
	}
	rc = 0;
out:
	OPENSSL_cleanse(t, sizeof(t));
	if (rc != 0)
		OPENSSL_cleanse(out, len);
	return rc;
}

int
ike1_kdf_expand(uint16_t hash, struct ike_chunk key, const struct ike_chunk *seed,
    size_t n_seed, uint8_t *out, size_t len)
{
	size_t plen = ike1_hash_len(hash), done;
	struct ike_chunk in[7];
	uint8_t t[IKE1_HASH_MAX];
	int rc = -1;

	if (plen == 0 || n_seed > 6 || len > IKE1_KEYMAT_MAX)
		return -1;
	for (size_t i = 0; i < n_seed; i++)
		in[i + 1] = seed[i];
	/* K1 = prf(key, seed); Kn = prf(key, Kn-1 | seed) */
	for (done = 0; done < len; done += plen) {
		size_t n = len - done < plen ? len - done : plen;
		int first = done == 0;

		in[0] = (struct ike_chunk){ t, plen };
		if (ike1_prf(hash, key, in + first, n_seed + !first, t) != 0)
			goto out;
		memcpy(out + done, t, n);
	}
	rc = 0;
out:
	OPENSSL_cleanse(t, sizeof(t));
	if (rc != 0)
		OPENSSL_cleanse(out, len);
	return rc;
}

static void
put32(uint8_t b[4], uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

int
ike1_kdf_keymat(uint16_t hash, const struct key *skeyid_d, struct ike_chunk gxy,
    uint8_t proto, uint32_t spi, struct ike_chunk ni_b, struct ike_chunk nr_b,
    uint8_t *keymat, size_t len)
{
	uint8_t spi_b[4];
	struct ike_chunk seed[5] = {
		gxy, { &proto, 1 }, { spi_b, 4 }, ni_b, nr_b,
	};
	int pfs = gxy.len > 0;

	put32(spi_b, spi);
	return ike1_kdf_expand(hash, key_chunk(skeyid_d), seed + !pfs, 4 + pfs, keymat, len);
}

int
ike1_kdf_hash_auth(uint16_t hash, const struct key *skeyid, struct ike_chunk gx_own,
    struct ike_chunk gx_peer, const uint8_t cky_own[IKE1_COOKIE_LEN],
    const uint8_t cky_peer[IKE1_COOKIE_LEN], struct ike_chunk sa_i_b, struct ike_chunk id_b,
    uint8_t *out)
{
	struct ike_chunk in[6] = {
		gx_own, gx_peer, { cky_own, IKE1_COOKIE_LEN }, { cky_peer, IKE1_COOKIE_LEN },
		sa_i_b, id_b,
	};

	return ike1_prf(hash, key_chunk(skeyid), in, 6, out);
}

/* hash(in[]) cut to block_len bytes into iv. */
static int
iv_of(uint16_t hash, const struct ike_chunk *in, size_t n_in, size_t block_len, uint8_t *iv)
{
	uint8_t h[IKE1_HASH_MAX];

	if (block_len == 0 || block_len > IKE1_BLOCK_MAX || block_len > ike1_hash_len(hash) ||
	    v1_hash(hash, in, n_in, h) != 0)
		return -1;
	memcpy(iv, h, block_len);
	return 0;
}

int
ike1_kdf_iv1(uint16_t hash, struct ike_chunk gxi, struct ike_chunk gxr, size_t block_len,
    uint8_t *iv)
{
	struct ike_chunk in[2] = { gxi, gxr };

	return iv_of(hash, in, 2, block_len, iv);
}

int
ike1_kdf_iv2(uint16_t hash, struct ike_chunk last, uint32_t mid, size_t block_len, uint8_t *iv)
{
	uint8_t m[4];
	struct ike_chunk in[2] = { last, { m, 4 } };

	put32(m, mid);
	return iv_of(hash, in, 2, block_len, iv);
}

int
ike1_kdf_qm_hash1(uint16_t hash, const struct key *skeyid_a, uint32_t mid,
    struct ike_chunk rest, uint8_t *out)
{
	uint8_t m[4];
	struct ike_chunk in[2] = { { m, 4 }, rest };

	put32(m, mid);
	return ike1_prf(hash, key_chunk(skeyid_a), in, 2, out);
}

int
ike1_kdf_qm_hash2(uint16_t hash, const struct key *skeyid_a, uint32_t mid,
    struct ike_chunk ni_b, struct ike_chunk rest, uint8_t *out)
{
	uint8_t m[4];
	struct ike_chunk in[3] = { { m, 4 }, ni_b, rest };

	put32(m, mid);
	return ike1_prf(hash, key_chunk(skeyid_a), in, 3, out);
}

int
ike1_kdf_qm_hash3(uint16_t hash, const struct key *skeyid_a, uint32_t mid,
    struct ike_chunk ni_b, struct ike_chunk nr_b, uint8_t *out)
{
	static const uint8_t zero = 0;
	uint8_t m[4];
	struct ike_chunk in[4] = { { &zero, 1 }, { m, 4 }, ni_b, nr_b };

	put32(m, mid);
	return ike1_prf(hash, key_chunk(skeyid_a), in, 4, out);
}

int
ike1_kdf_info_hash(uint16_t hash, const struct key *skeyid_a, uint32_t mid,
    struct ike_chunk rest, uint8_t *out)
{
	return ike1_kdf_qm_hash1(hash, skeyid_a, mid, rest, out);	/* §5.7: same shape */
}
