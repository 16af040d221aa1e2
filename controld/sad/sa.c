/* SPDX-License-Identifier: Apache-2.0 */
/* sa.c: one SA of the SAD: its life (new, free, states), its two ids and its transform in
 * words.  The ids are hashes that must never change for an unchanged SA or key: workers keep
 * an SA's state by its id across generations (docs/adr/0003), and leases and replay floors on
 * disk are kept by key id (docs/adr/0008).  Their input is laid out as it always was: the
 * hash of an SA compiled today equals the one of the same SA compiled by any earlier
 * version. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/log.h"
#include "controld/sad/sad.h"

struct sa *
sa_new(void)
{
	struct sa *sa = calloc(1, sizeof(*sa));

	if (sa != NULL) {
		sa->origin = SA_MANUAL;
		sa->state = SA_MATURE;
	}
	return sa;
}

void
sa_free(struct sa *sa)
{
	if (sa == NULL)
		return;
	free(sa->counts);
	OPENSSL_cleanse(sa, sizeof(*sa));	/* its keys */
	free(sa);
}

void
sa_list_free(struct sa_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		sa_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The first 8 bytes of SHA-256(head || w || cipher key || auth key), never 0: both ids. */
static uint64_t
digest_id(const void *head, size_t head_len, const uint32_t *w, size_t w_len,
    const struct sa *sa)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint64_t id = 0;

	if (ctx == NULL)
		fatal("out of memory");
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, head, head_len);
	EVP_DigestUpdate(ctx, w, w_len);
	EVP_DigestUpdate(ctx, sa->cipher_key.b, sa->cipher_key.len);
	EVP_DigestUpdate(ctx, sa->auth_key.b, sa->auth_key.len);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	memcpy(&id, md, sizeof(id));
	OPENSSL_cleanse(md, sizeof(md));
	return id ? id : 1;
}

uint64_t
sa_hash_id(const struct sa *sa)
{
	uint32_t w[8] = { sa->inbound, sa->proto, sa->spi, sa->local, sa->peer,
	    (uint32_t)sa->cipher, (uint32_t)sa->auth, sa->seq };

	return digest_id(sa->map, strlen(sa->map) + 1, w, sizeof(w), sa);
}

uint64_t
sa_key_id(const struct sa *sa)
{
	static const char label[] = "ipsecgw key id v1";
	uint32_t w[5] = { sa->proto, (uint32_t)sa->cipher, (uint32_t)sa->auth,
	    (uint32_t)sa->cipher_key.len, (uint32_t)sa->auth_key.len };

	return digest_id(label, sizeof(label), w, sizeof(w), sa);
}

void
sa_transform_text(const struct sa *sa, char *buf, size_t len)
{
	const char *c = xform_cipher_name(sa->cipher);
	const char *a = xform_auth_name(sa->auth);
	const char *pfx = sa->proto == 51 ? "ah-" : "esp-";
	unsigned bits = (unsigned)(sa->cipher_key.len * 8);
	char cs[48] = "";

	if (sa->cipher == XF_CIPHER_AES_GCM || sa->cipher == XF_CIPHER_AES_GMAC)
		bits -= 32;			/* the salt */
	if (sa->cipher == XF_CIPHER_AES_CBC || sa->cipher == XF_CIPHER_AES_GCM ||
	    sa->cipher == XF_CIPHER_AES_GMAC)
		snprintf(cs, sizeof(cs), "%s %u ", c, bits);
	else if (sa->proto != 51 && (sa->cipher != XF_CIPHER_NULL || sa->auth == XF_AUTH_NONE))
		snprintf(cs, sizeof(cs), "%s ", c);
	else if (sa->proto != 51)
		snprintf(cs, sizeof(cs), "esp-null ");
	if (sa->auth != XF_AUTH_NONE)
		snprintf(buf, len, "%s%s%s", cs, pfx, a);
	else
		snprintf(buf, len, "%.*s", (int)(strlen(cs) ? strlen(cs) - 1 : 0), cs);
}

int
sa_set_state(struct sa *sa, enum sa_state to)
{
	if ((sa->state == SA_LARVAL && to == SA_MATURE) ||
	    (sa->state == SA_MATURE && to == SA_DYING)) {
		sa->state = to;
		return 0;
	}
	return -1;
}

bool
sa_published(const struct sa *sa)
{
	return sa->state != SA_LARVAL;
}

bool
sa_in_tables(const struct sa *sa)
{
	return sa_published(sa) ||
	    (sa->state == SA_LARVAL && sa->origin == SA_IKE && !sa->inbound);
}
