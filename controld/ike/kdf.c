/* SPDX-License-Identifier: Apache-2.0 */
/* kdf.c: the PRFs of IKEv2 and what RFC 7296 derives with them (§2.13-§2.18), and the AUTH of
 * a pre-shared key (§2.15).  HMAC goes through OpenSSL's EVP_MAC; AES-XCBC-PRF-128 (RFC 4434,
 * the MAC of RFC 3566 with a 128-bit output) is made here over AES-128-ECB, since OpenSSL has
 * no XCBC.  This runs per exchange in controld, not per packet, so each call sets up its own
 * OpenSSL contexts and frees them.  Every buffer that held key material is wiped before return
 * (docs/design.md "IKE": keys zeroed when freed). */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "controld/ike/kdf.h"

enum { XCBC_BLOCK = 16 };

static const char *
hmac_digest(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_MD5:		return "MD5";
	case IKE_PRF_HMAC_SHA1:		return "SHA1";
	case IKE_PRF_HMAC_SHA2_256:	return "SHA2-256";
	case IKE_PRF_HMAC_SHA2_384:	return "SHA2-384";
	case IKE_PRF_HMAC_SHA2_512:	return "SHA2-512";
	default:			return NULL;
	}
}

size_t
ike_prf_len(uint16_t prf)
{
	switch (prf) {
	case IKE_PRF_HMAC_MD5:		return 16;
	case IKE_PRF_HMAC_SHA1:		return 20;
	case IKE_PRF_AES128_XCBC:	return 16;
	case IKE_PRF_HMAC_SHA2_256:	return 32;
	case IKE_PRF_HMAC_SHA2_384:	return 48;
	case IKE_PRF_HMAC_SHA2_512:	return 64;
	default:			return 0;
	}
}

size_t
ike_prf_key_len(uint16_t prf)
{
	return ike_prf_len(prf);	/* HMAC: its output length (RFC 4868 §2.1.2); XCBC: 16 */
}

static int
hmac(const char *digest, struct ike_chunk key, const struct ike_chunk *in, size_t n_in,
    uint8_t *out)
{
	static const uint8_t empty[1];
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *ctx = NULL;
	EVP_MAC *mac;
	size_t outl;
	int rc = -1;

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    !EVP_MAC_init(ctx, key.len > 0 ? key.p : empty, key.len, params))
		goto out;		/* a NULL key would mean "the previous one" */
	for (size_t i = 0; i < n_in; i++)
		if (in[i].len > 0 && !EVP_MAC_update(ctx, in[i].p, in[i].len))
			goto out;
	if (EVP_MAC_final(ctx, out, &outl, IKE_PRF_MAX))
		rc = 0;
out:
	EVP_MAC_CTX_free(ctx);		/* cleanses the keyed state */
	EVP_MAC_free(mac);
	return rc;
}

/* RFC 3566 §4 AES-XCBC-MAC over in[], with the 16-byte key k; all 128 bits of the last block
 * into out (RFC 4434: the PRF is the MAC untruncated). */
static int
xcbc_mac(const uint8_t k[XCBC_BLOCK], const struct ike_chunk *in, size_t n_in, uint8_t *out)
{
	static const uint8_t c1[XCBC_BLOCK] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	static const uint8_t c2[XCBC_BLOCK] = { 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2 };
	static const uint8_t c3[XCBC_BLOCK] = { 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3 };
	uint8_t k1[XCBC_BLOCK], k2[XCBC_BLOCK], k3[XCBC_BLOCK], e[XCBC_BLOCK] = { 0 };
	uint8_t m[XCBC_BLOCK];
	EVP_CIPHER_CTX *ctx;
	size_t fill = 0;
	int rc = -1, n;

	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return -1;
	/* (1) K1 = E(K, 0x01..), K2 = E(K, 0x02..), K3 = E(K, 0x03..) */
	if (!EVP_EncryptInit_ex2(ctx, EVP_aes_128_ecb(), k, NULL, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0) ||
	    !EVP_EncryptUpdate(ctx, k1, &n, c1, XCBC_BLOCK) ||
	    !EVP_EncryptUpdate(ctx, k2, &n, c2, XCBC_BLOCK) ||
	    !EVP_EncryptUpdate(ctx, k3, &n, c3, XCBC_BLOCK) ||
	    !EVP_EncryptInit_ex2(ctx, NULL, k1, NULL, NULL))
		goto out;
	/* (3) every block but the last: E[i] = E(K1, M[i] ^ E[i-1]); a full block is kept back
	 * until a byte after it shows it is not the last */
	for (size_t i = 0; i < n_in; i++) {
		for (size_t j = 0; j < in[i].len; j++) {
			if (fill == XCBC_BLOCK) {
				for (size_t b = 0; b < XCBC_BLOCK; b++)
					m[b] ^= e[b];
				if (!EVP_EncryptUpdate(ctx, e, &n, m, XCBC_BLOCK))
					goto out;
				fill = 0;
			}
			m[fill++] = in[i].p[j];
		}
	}
	/* (4) a complete last block: M[n] ^ E[n-1] ^ K2; (5) else padded 10*: ... ^ K3 */
	if (fill == XCBC_BLOCK) {
		for (size_t b = 0; b < XCBC_BLOCK; b++)
			m[b] ^= e[b] ^ k2[b];
	} else {
		m[fill] = 0x80;
		memset(m + fill + 1, 0, XCBC_BLOCK - fill - 1);
		for (size_t b = 0; b < XCBC_BLOCK; b++)
			m[b] ^= e[b] ^ k3[b];
	}
	if (EVP_EncryptUpdate(ctx, out, &n, m, XCBC_BLOCK))
		rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(k1, sizeof(k1));
	OPENSSL_cleanse(k2, sizeof(k2));
	OPENSSL_cleanse(k3, sizeof(k3));
	OPENSSL_cleanse(e, sizeof(e));
	OPENSSL_cleanse(m, sizeof(m));
	return rc;
}

/* RFC 4434 §2: a 16-byte key as is, a shorter one padded with zeros, a longer one replaced
 * by AES-XCBC-PRF-128 of it under the all-zero key. */
static int
xcbc_prf(struct ike_chunk key, const struct ike_chunk *in, size_t n_in, uint8_t *out)
{
	static const uint8_t zero[XCBC_BLOCK];
	uint8_t k[XCBC_BLOCK] = { 0 };
	int rc;

	if (key.len > XCBC_BLOCK) {
		if (xcbc_mac(zero, &key, 1, k) != 0)
			return -1;
	} else if (key.len > 0) {
		memcpy(k, key.p, key.len);
	}
	rc = xcbc_mac(k, in, n_in, out);
	OPENSSL_cleanse(k, sizeof(k));
	return rc;
}

int
ike_prf(uint16_t prf, struct ike_chunk key, const struct ike_chunk *in, size_t n_in,
    uint8_t *out)
{
	const char *digest;

	if (prf == IKE_PRF_AES128_XCBC)
		return xcbc_prf(key, in, n_in, out);
	if ((digest = hmac_digest(prf)) == NULL)
		return -1;
	return hmac(digest, key, in, n_in, out);
}

int
ike_prf_plus(uint16_t prf, struct ike_chunk key, const struct ike_chunk *seed, size_t n_seed,
    uint8_t *out, size_t len)
{
	size_t plen = ike_prf_len(prf), done = 0;
	struct ike_chunk in[8];
	uint8_t t[IKE_PRF_MAX], n = 1;
	int rc = -1;

	if (plen == 0 || n_seed > 6 || len > 255 * plen)
		return -1;
	/* T1 = prf(K, S | 0x01); Tn = prf(K, Tn-1 | S | n) */
	for (; done < len; n++) {
		size_t k = 0;

		if (n > 1)
			in[k++] = (struct ike_chunk){ t, plen };
		for (size_t i = 0; i < n_seed; i++)
			in[k++] = seed[i];
		in[k++] = (struct ike_chunk){ &n, 1 };
		if (ike_prf(prf, key, in, k, t) != 0)
			goto out;
		memcpy(out + done, t, len - done < plen ? len - done : plen);
		done += len - done < plen ? len - done : plen;
	}
	rc = 0;
out:
	OPENSSL_cleanse(t, sizeof(t));
	return rc;
}

static int
to_key(struct key *k, const uint8_t *b, size_t len)
{
	if (len > sizeof(k->b))
		return -1;
	memset(k, 0, sizeof(*k));
	memcpy(k->b, b, len);
	k->len = (uint16_t)len;
	return 0;
}

static struct ike_chunk
key_chunk(const struct key *k)
{
	return (struct ike_chunk){ k->b, k->len };
}

int
ike_kdf_skeyseed(uint16_t prf, struct ike_chunk ni, struct ike_chunk nr, struct ike_chunk gir,
    struct key *skeyseed)
{
	uint8_t nn[2 * IKE_NONCE_MAX], out[IKE_PRF_MAX];
	struct ike_chunk key;
	int rc = -1;

	if (ni.len > IKE_NONCE_MAX || nr.len > IKE_NONCE_MAX)
		return -1;
	if (prf == IKE_PRF_AES128_XCBC) {	/* §2.14: 64 bits of each nonce */
		if (ni.len < 8 || nr.len < 8)
			return -1;
		ni.len = nr.len = 8;
	}
	memcpy(nn, ni.p, ni.len);
	memcpy(nn + ni.len, nr.p, nr.len);
	key = (struct ike_chunk){ nn, ni.len + nr.len };
	if (ike_prf(prf, key, &gir, 1, out) == 0)
		rc = to_key(skeyseed, out, ike_prf_len(prf));
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}

int
ike_kdf_rekey_skeyseed(uint16_t old_prf, const struct key *sk_d_old, struct ike_chunk gir,
    struct ike_chunk ni, struct ike_chunk nr, struct key *skeyseed)
{
	struct ike_chunk in[3] = { gir, ni, nr };
	uint8_t out[IKE_PRF_MAX];
	int rc = -1;

	if (ike_prf(old_prf, key_chunk(sk_d_old), in, 3, out) == 0)
		rc = to_key(skeyseed, out, ike_prf_len(old_prf));
	OPENSSL_cleanse(out, sizeof(out));
	return rc;
}

int
ike_kdf_sa_keys(uint16_t prf, const struct key *skeyseed, struct ike_chunk ni,
    struct ike_chunk nr, const uint8_t spi_i[IKE_SPI_LEN], const uint8_t spi_r[IKE_SPI_LEN],
    size_t integ_len, size_t encr_len, struct ike_sa_keys *k)
{
	size_t plen = ike_prf_key_len(prf), total = 3 * plen + 2 * integ_len + 2 * encr_len;
	struct ike_chunk seed[4] = {
		ni, nr, { spi_i, IKE_SPI_LEN }, { spi_r, IKE_SPI_LEN },
	};
	struct key *dst[7] = { &k->d, &k->ai, &k->ar, &k->ei, &k->er, &k->pi, &k->pr };
	size_t lens[7] = { plen, integ_len, integ_len, encr_len, encr_len, plen, plen };
	uint8_t dkm[7 * sizeof(k->d.b)], *p = dkm;
	int rc = -1;

	memset(k, 0, sizeof(*k));
	if (plen == 0 || integ_len > sizeof(k->ai.b) || encr_len > sizeof(k->ei.b))
		return -1;
	if (ike_prf_plus(prf, key_chunk(skeyseed), seed, 4, dkm, total) != 0)
		goto out;
	for (int i = 0; i < 7; i++) {
		to_key(dst[i], p, lens[i]);
		p += lens[i];
	}
	rc = 0;
out:
	OPENSSL_cleanse(dkm, sizeof(dkm));
	if (rc != 0)
		ike_sa_keys_wipe(k);
	return rc;
}

void
ike_sa_keys_wipe(struct ike_sa_keys *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

int
ike_kdf_child(uint16_t prf, const struct key *sk_d, struct ike_chunk gir, struct ike_chunk ni,
    struct ike_chunk nr, uint8_t *keymat, size_t len)
{
	struct ike_chunk seed[3] = { gir, ni, nr };

	if (gir.len == 0)
		return ike_prf_plus(prf, key_chunk(sk_d), seed + 1, 2, keymat, len);
	return ike_prf_plus(prf, key_chunk(sk_d), seed, 3, keymat, len);
}

int
ike_kdf_auth_psk(uint16_t prf, struct ike_chunk psk, const struct key *sk_p,
    struct ike_chunk msg, struct ike_chunk nonce, struct ike_chunk id, uint8_t *auth)
{
	static const uint8_t pad[] = "Key Pad for IKEv2";	/* 17 octets, no NUL (§2.15) */
	struct ike_chunk pad_in = { pad, sizeof(pad) - 1 };
	uint8_t kp[IKE_PRF_MAX], macid[IKE_PRF_MAX];
	size_t plen = ike_prf_len(prf);
	struct ike_chunk octets[3];
	int rc = -1;

	if (plen == 0)
		return -1;
	/* MACedIDForX = prf(SK_px, RestOfXIDPayload) */
	if (ike_prf(prf, key_chunk(sk_p), &id, 1, macid) != 0 ||
	    ike_prf(prf, psk, &pad_in, 1, kp) != 0)
		goto out;
	/* SignedOctets = RealMessageX | NonceYData | MACedIDForX */
	octets[0] = msg;
	octets[1] = nonce;
	octets[2] = (struct ike_chunk){ macid, plen };
	rc = ike_prf(prf, (struct ike_chunk){ kp, plen }, octets, 3, auth);
out:
	OPENSSL_cleanse(kp, sizeof(kp));
	OPENSSL_cleanse(macid, sizeof(macid));
	return rc;
}
