/* SPDX-License-Identifier: Apache-2.0 */
/* dh.c: IKEv2's Diffie-Hellman groups over OpenSSL 3 EVP_PKEY.  It owns one ephemeral key
 * pair per struct ike_dh and frees it in ike_dh_free(); shared secrets go to the caller's
 * struct ike_dh_secret.  Every peer value is hostile (docs/design.md "IKE", Untrusted input) and
 * checked before any exponentiation with our key:
 *
 *   MODP   exactly the modulus' length (§3.4), and 1 < y < p - 1, which excludes the subgroups
 *          of order 1 and 2.  Every MODP group here has a safe prime p = 2q + 1, so that is
 *          all RFC 6989 §2.2 asks: what is left has order q or 2q, and a y of order 2q tells
 *          the peer at most the parity of our ephemeral exponent.  The full subgroup test
 *          (y^q = 1) is not made: it is a second exponentiation, 1.7 ms of the 2 ms a group
 *          14 exchange costs here (bench/run.sh ike), and strongSwan does not make it either.
 *   ECP    x | y of the field's length; OpenSSL refuses a point off the curve when loading it,
 *          and EVP_PKEY_public_check (coordinates below p, on the curve, not at infinity, of
 *          the group's order) is asked explicitly.
 *   X25519 32 bytes (any value is a u-coordinate); the all-zero shared secret that a point of
 *          small order gives is refused (RFC 7748 §6.1, RFC 8031 §2.3).
 *
 * MODP groups 5 to 16 are OpenSSL's named groups "modp_1536" to "modp_4096" (RFC 3526), which
 * also gives them short exponents of twice the group's strength; groups 1 and 2 (RFC 2409 §6.1,
 * §6.2; group 1 for IKEv1 only: conf refuses it for IKEv2) are not named, so they are loaded
 * from BN_get_rfc2409_prime_768/1024() with g = 2 and full exponents. */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "controld/ike/dh.h"

enum dh_kind { DH_MODP, DH_ECP, DH_X25519 };

static const struct dh_group {
	uint16_t	id;
	enum dh_kind	kind;
	uint16_t	len;		/* KE data bytes */
	const char	*name;		/* OpenSSL group name; NULL: explicit p and g */
	int		nid;		/* ECP: the curve */
	BIGNUM		*(*prime)(BIGNUM *);	/* MODP: the modulus */
} groups[] = {
	{ IKE_DH_MODP768, DH_MODP, 96, NULL, 0, BN_get_rfc2409_prime_768 },
	{ IKE_DH_MODP1024, DH_MODP, 128, NULL, 0, BN_get_rfc2409_prime_1024 },
	{ IKE_DH_MODP1536, DH_MODP, 192, "modp_1536", 0, BN_get_rfc3526_prime_1536 },
	{ IKE_DH_MODP2048, DH_MODP, 256, "modp_2048", 0, BN_get_rfc3526_prime_2048 },
	{ IKE_DH_MODP3072, DH_MODP, 384, "modp_3072", 0, BN_get_rfc3526_prime_3072 },
	{ IKE_DH_MODP4096, DH_MODP, 512, "modp_4096", 0, BN_get_rfc3526_prime_4096 },
	{ IKE_DH_ECP256, DH_ECP, 64, "P-256", NID_X9_62_prime256v1, NULL },
	{ IKE_DH_ECP384, DH_ECP, 96, "P-384", NID_secp384r1, NULL },
	{ IKE_DH_ECP521, DH_ECP, 132, "P-521", NID_secp521r1, NULL },
	{ IKE_DH_X25519, DH_X25519, 32, NULL, 0, NULL },
};

static const struct dh_group *
group_find(uint16_t id)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

size_t
ike_dh_pub_len(uint16_t group)
{
	const struct dh_group *g = group_find(group);

	return g != NULL ? g->len : 0;
}

/* An EVP_PKEY of a MODP or ECP group from its parts (pub and priv may be NULL; for ECP pub
 * is the SEC1 encoding), with selection EVP_PKEY_KEY_PARAMETERS, _PUBLIC_KEY or _KEYPAIR. */
static EVP_PKEY *
from_parts(const struct dh_group *g, const BIGNUM *pub_bn, const uint8_t *pub_oct,
    size_t pub_len, const BIGNUM *priv, int selection)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *p = NULL, *two = NULL;
	int ok = bld != NULL;

	if (ok && g->name != NULL)
		ok = OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->name, 0);
	if (ok && g->name == NULL) {		/* MODP 768, 1024 */
		ok = (p = g->prime(NULL)) != NULL && (two = BN_new()) != NULL &&
		    BN_set_word(two, 2) &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, p) &&
		    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, two);
	}
	if (ok && pub_bn != NULL)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, pub_bn);
	if (ok && pub_oct != NULL)
		ok = OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub_oct,
		    pub_len);
	if (ok && priv != NULL)
		ok = OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, priv);
	if (ok)
		ok = (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
		    (ctx = EVP_PKEY_CTX_new_from_name(NULL, g->kind == DH_ECP ? "EC" : "DH",
		    NULL)) != NULL && EVP_PKEY_fromdata_init(ctx) > 0;
	if (ok && EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
		pkey = NULL;
	for (OSSL_PARAM *q = params; q != NULL && q->key != NULL; q++)
		OPENSSL_cleanse(q->data, q->data_size);		/* a private value, maybe */
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(p);
	BN_free(two);
	return pkey;
}

/* Our KE data from our key into dh->pub. */
static int
export_pub(struct ike_dh *dh, const struct dh_group *g)
{
	uint8_t oct[1 + IKE_DH_PUB_MAX];
	size_t len = 0;
	BIGNUM *y = NULL;
	int rc = -1;

	switch (g->kind) {
	case DH_MODP:
		if (EVP_PKEY_get_bn_param(dh->key, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
		    BN_bn2binpad(y, dh->pub, g->len) == g->len)
			rc = 0;
		BN_free(y);
		break;
	case DH_ECP:	/* SEC1 uncompressed 04 | x | y; RFC 5903 §7 sends x | y */
		if (EVP_PKEY_get_octet_string_param(dh->key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
		    oct, sizeof(oct), &len) && len == 1u + g->len && oct[0] == 4) {
			memcpy(dh->pub, oct + 1, g->len);
			rc = 0;
		}
		break;
	case DH_X25519:
		len = g->len;
		if (EVP_PKEY_get_raw_public_key(dh->key, dh->pub, &len) && len == g->len)
			rc = 0;
		break;
	}
	dh->pub_len = g->len;
	return rc;
}

int
ike_dh_init(struct ike_dh *dh, uint16_t group, struct gw_err *err)
{
	const struct dh_group *g = group_find(group);
	EVP_PKEY *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;

	memset(dh, 0, sizeof(*dh));
	if (g == NULL)
		return gw_fail(err, 0, "Diffie-Hellman group %u is not supported", group);
	dh->group = group;
	if (g->kind == DH_X25519)
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "X25519", NULL);
	else if (g->kind == DH_ECP || g->name != NULL)
		ctx = EVP_PKEY_CTX_new_from_name(NULL, g->kind == DH_ECP ? "EC" : "DH", NULL);
	else if ((params = from_parts(g, NULL, NULL, 0, NULL, EVP_PKEY_KEY_PARAMETERS)) != NULL)
		ctx = EVP_PKEY_CTX_new_from_pkey(NULL, params, NULL);
	if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    (g->name != NULL && EVP_PKEY_CTX_set_group_name(ctx, g->name) <= 0) ||
	    EVP_PKEY_generate(ctx, &dh->key) <= 0 || export_pub(dh, g) != 0) {
		EVP_PKEY_CTX_free(ctx);
		EVP_PKEY_free(params);
		ike_dh_free(dh);
		return gw_fail(err, 0, "Diffie-Hellman group %u: key generation failed", group);
	}
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(params);
	return 0;
}

/* MODP: y = g^x mod p; ECP: the point x G in SEC1 form into oct. */
static int
public_of(const struct dh_group *g, const BIGNUM *x, BIGNUM **y, uint8_t *oct, size_t *oct_len)
{
	BN_CTX *bnctx = BN_CTX_new();
	EC_GROUP *ecg = NULL;
	EC_POINT *pt = NULL;
	BIGNUM *p = NULL, *two = NULL;
	int rc = -1;

	if (bnctx == NULL)
		return -1;
	if (g->kind == DH_MODP) {
		if ((p = g->prime(NULL)) != NULL && (two = BN_new()) != NULL &&
		    BN_set_word(two, 2) && (*y = BN_new()) != NULL &&
		    BN_mod_exp(*y, two, x, p, bnctx))
			rc = 0;
	} else if ((ecg = EC_GROUP_new_by_curve_name(g->nid)) != NULL &&
	    (pt = EC_POINT_new(ecg)) != NULL && EC_POINT_mul(ecg, pt, x, NULL, NULL, bnctx) &&
	    (*oct_len = EC_POINT_point2oct(ecg, pt, POINT_CONVERSION_UNCOMPRESSED, oct,
	    1 + IKE_DH_PUB_MAX, bnctx)) == 1u + g->len) {
		rc = 0;
	}
	EC_POINT_free(pt);
	EC_GROUP_free(ecg);
	BN_free(p);
	BN_free(two);
	BN_CTX_free(bnctx);
	return rc;
}

int
ike_dh_init_private(struct ike_dh *dh, uint16_t group, struct ike_chunk priv,
    struct gw_err *err)
{
	const struct dh_group *g = group_find(group);
	uint8_t oct[1 + IKE_DH_PUB_MAX];
	size_t oct_len = 0;
	BIGNUM *x = NULL, *y = NULL;
	int rc = -1;

	memset(dh, 0, sizeof(*dh));
	if (g == NULL)
		return gw_fail(err, 0, "Diffie-Hellman group %u is not supported", group);
	dh->group = group;
	if (g->kind == DH_X25519) {
		if (priv.len == 32)
			dh->key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv.p, 32);
	} else if ((x = BN_bin2bn(priv.p, (int)priv.len, NULL)) != NULL &&
	    public_of(g, x, &y, oct, &oct_len) == 0) {
		dh->key = from_parts(g, y, g->kind == DH_ECP ? oct : NULL, oct_len, x,
		    EVP_PKEY_KEYPAIR);
	}
	if (dh->key != NULL && export_pub(dh, g) == 0)
		rc = 0;
	BN_clear_free(x);
	BN_free(y);
	if (rc != 0) {
		ike_dh_free(dh);
		return gw_fail(err, 0, "Diffie-Hellman group %u: bad private value", group);
	}
	return 0;
}

/* The peer's KE data as an EVP_PKEY, after the checks of the file's comment (but X25519's). */
static EVP_PKEY *
peer_key(const struct dh_group *g, struct ike_chunk pub, struct gw_err *err)
{
	uint8_t oct[1 + IKE_DH_PUB_MAX];
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *y = NULL, *pm1 = NULL;

	if (pub.len != g->len) {
		gw_fail(err, 0, "KE data of group %u is %zu bytes, not %u", g->id, pub.len, g->len);
		return NULL;
	}
	switch (g->kind) {
	case DH_MODP:
		if ((y = BN_bin2bn(pub.p, (int)pub.len, NULL)) == NULL ||
		    (pm1 = g->prime(NULL)) == NULL || !BN_sub_word(pm1, 1))
			break;
		if (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, pm1) >= 0) {
			gw_fail(err, 0, "KE data of group %u is not within 1 < y < p - 1", g->id);
			break;
		}
		pkey = from_parts(g, y, NULL, 0, NULL, EVP_PKEY_PUBLIC_KEY);
		break;
	case DH_ECP:
		oct[0] = 4;
		memcpy(oct + 1, pub.p, pub.len);
		pkey = from_parts(g, NULL, oct, 1 + pub.len, NULL, EVP_PKEY_PUBLIC_KEY);
		if (pkey == NULL || (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL)) == NULL ||
		    EVP_PKEY_public_check(ctx) != 1) {
			gw_fail(err, 0, "KE data of group %u is not a point of the curve", g->id);
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
		break;
	case DH_X25519:
		pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub.p, pub.len);
		break;
	}
	if (pkey == NULL && err != NULL && err->msg[0] == '\0')
		gw_fail(err, 0, "KE data of group %u could not be loaded", g->id);
	EVP_PKEY_CTX_free(ctx);
	BN_free(y);
	BN_free(pm1);
	return pkey;
}

int
ike_dh_check_public(uint16_t group, struct ike_chunk pub, struct gw_err *err)
{
	const struct dh_group *g = group_find(group);
	EVP_PKEY *pkey;

	if (err != NULL)
		err->msg[0] = '\0';
	if (g == NULL)
		return gw_fail(err, 0, "Diffie-Hellman group %u is not supported", group);
	if ((pkey = peer_key(g, pub, err)) == NULL)
		return -1;
	EVP_PKEY_free(pkey);
	return 0;
}

int
ike_dh_derive(const struct ike_dh *dh, struct ike_chunk peer, struct ike_dh_secret *s,
    struct gw_err *err)
{
	const struct dh_group *g = group_find(dh->group);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	size_t len = sizeof(s->b);
	uint8_t any = 0;
	int rc = -1;

	memset(s, 0, sizeof(*s));
	if (err != NULL)
		err->msg[0] = '\0';
	if (g == NULL || dh->key == NULL)
		return gw_fail(err, 0, "no Diffie-Hellman key of group %u", dh->group);
	if ((pkey = peer_key(g, peer, err)) == NULL)
		return -1;
	if ((ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->key, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) <= 0 ||
	    (g->kind == DH_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0) ||	/* §2.14 */
	    EVP_PKEY_derive_set_peer_ex(ctx, pkey, 0) <= 0 ||	/* checked by peer_key() */
	    EVP_PKEY_derive(ctx, s->b, &len) <= 0) {
		gw_fail(err, 0, "Diffie-Hellman group %u: the peer's value was refused", g->id);
		goto out;
	}
	for (size_t i = 0; i < len; i++)	/* RFC 7748 §6.1, in constant time */
		any |= s->b[i];
	if (any == 0) {
		gw_fail(err, 0, "Diffie-Hellman group %u: all-zero shared secret", g->id);
		goto out;
	}
	s->len = (uint16_t)len;
	rc = 0;
out:
	if (rc != 0)
		ike_dh_secret_wipe(s);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return rc;
}

void
ike_dh_free(struct ike_dh *dh)
{
	EVP_PKEY_free(dh->key);		/* OpenSSL clears private keys as it frees them */
	OPENSSL_cleanse(dh, sizeof(*dh));
}

void
ike_dh_secret_wipe(struct ike_dh_secret *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}
