/* SPDX-License-Identifier: Apache-2.0 */
/* ikesa.c: the IKE SA table of the engine: random 8-byte SPIs (never 0, unique among ours),
 * lookup by SPI pair, by peer and (retransmitted IKE_SA_INIT) by the initiator's SPI and
 * address; the half-open count that bounds what unauthenticated peers make us hold (docs/design.md
 * "IKE" "Untrusted input"); freeing, which wipes every key.  A list: thousands of SAs are walked in
 * microseconds, and no allocation depends on the peer. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "controld/ike/ikesa.h"

static const uint8_t zero_spi[IKE_SPI_LEN];

int
ike_random(void *p, size_t len)
{
	return RAND_bytes(p, (int)len) == 1 ? 0 : -1;
}

void
ike_bytes_set(struct ike_bytes *b, struct ike_chunk c)
{
	b->len = (uint16_t)(c.len > sizeof(b->b) ? sizeof(b->b) : c.len);
	memcpy(b->b, c.p, b->len);
}

struct ike_chunk
ike_bytes_chunk(const struct ike_bytes *b)
{
	return (struct ike_chunk){ b->b, b->len };
}

static bool
half_open(enum ike_sa_state st)
{
	return st == IKE_SA_HALF_OPEN;
}

/* A fresh SPI of ours, unique among our SAs (ours is SPIi as initiator, SPIr as responder). */
static int
new_spi(const struct ike *ike, uint8_t spi[IKE_SPI_LEN])
{
	for (int tries = 0; tries < 16; tries++) {
		const struct ike_sa *s;
		bool taken = false;

		if (ike_random(spi, IKE_SPI_LEN) != 0)
			return -1;
		if (memcmp(spi, zero_spi, IKE_SPI_LEN) == 0)
			continue;
		for (s = ike->sas; s != NULL && !taken; s = s->next)
			taken = memcmp(s->initiator ? s->spi_i : s->spi_r, spi, IKE_SPI_LEN) == 0;
		if (!taken)
			return 0;
	}
	return -1;
}

struct ike_sa *
ikesa_alloc(struct ike *ike, bool initiator, uint32_t local, uint16_t lport, uint32_t remote,
    uint16_t rport, uint64_t now_ms)
{
	struct ike_sa *sa = calloc(1, sizeof(*sa));

	if (sa == NULL)
		return NULL;
	if (new_spi(ike, initiator ? sa->spi_i : sa->spi_r) != 0) {
		free(sa);
		return NULL;
	}
	sa->handle = ++ike->next_handle;
	sa->initiator = initiator;
	sa->state = initiator ? IKE_SA_INIT_SENT : IKE_SA_HALF_OPEN;
	sa->local = local;
	sa->lport = lport;
	sa->remote = remote;
	sa->rport = rport;
	sa->created_ms = sa->last_rx_ms = now_ms;
	return sa;
}

void
ikesa_link(struct ike *ike, struct ike_sa *sa)
{
	sa->next = ike->sas;
	ike->sas = sa;
	ike->n_sa++;
	ike->list_changes++;
	if (half_open(sa->state))
		ike->n_half_open++;
}

struct ike_sa *
ikesa_new(struct ike *ike, bool initiator, uint32_t local, uint16_t lport, uint32_t remote,
    uint16_t rport, uint64_t now_ms)
{
	struct ike_sa *sa = ikesa_alloc(ike, initiator, local, lport, remote, rport, now_ms);

	if (sa != NULL)
		ikesa_link(ike, sa);
	return sa;
}

void
ikesa_set_state(struct ike *ike, struct ike_sa *sa, enum ike_sa_state st)
{
	if (half_open(sa->state) && !half_open(st))
		ike->n_half_open--;
	else if (!half_open(sa->state) && half_open(st))
		ike->n_half_open++;
	sa->state = st;
}

static void
wipe_free(uint8_t *p, size_t len)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, len);
	free(p);
}

void
ikesa_free(struct ike *ike, struct ike_sa *sa, bool remove_children)
{
	struct ike_sa **pp;

	if (sa == NULL)
		return;
	for (pp = &ike->sas; *pp != NULL; pp = &(*pp)->next)
		if (*pp == sa) {		/* not there: a rekey's SA never linked */
			*pp = sa->next;
			ike->n_sa--;
			ike->list_changes++;
			if (half_open(sa->state))
				ike->n_half_open--;
			break;
		}
	while (sa->children != NULL)
		child_free(ike, sa, sa->children, remove_children);
	if (sa->req_new != NULL) {		/* a rekey's child not yet in the list */
		child_free(ike, NULL, sa->req_new, remove_children);
		sa->req_new = NULL;
	}
	if (sa->req_ike != NULL)		/* an IKE rekey under way: its new SA */
		ikesa_free(ike, sa->req_ike, remove_children);
	if (sa->rekey_theirs != NULL)		/* §2.8.2 unresolved: theirs lives on */
		sa->rekey_theirs->rekey_of = NULL;
	if (sa->rekey_of != NULL)
		sa->rekey_of->rekey_theirs = NULL;
	free(sa->pending);
	v1_free(sa->v1);
	ike_dh_free(&sa->dh);
	ike_sa_keys_wipe(&sa->k);
	ike_sk_wipe(&sa->sk_in);
	ike_sk_wipe(&sa->sk_out);
	wipe_free(sa->init_i, sa->init_i_len);
	wipe_free(sa->init_r, sa->init_r_len);
	wipe_free(sa->req_buf, sa->req_len);
	wipe_free(sa->resp_buf, sa->resp_len);
	OPENSSL_cleanse(sa, sizeof(*sa));	/* nonces, keys */
	free(sa);
}

struct ike_sa *
ikesa_find(const struct ike *ike, const uint8_t spi_i[IKE_SPI_LEN],
    const uint8_t spi_r[IKE_SPI_LEN])
{
	struct ike_sa *s;

	for (s = ike->sas; s != NULL; s = s->next)
		if (memcmp(s->spi_i, spi_i, IKE_SPI_LEN) == 0 &&
		    memcmp(s->spi_r, spi_r, IKE_SPI_LEN) == 0)
			return s;
	return NULL;
}

struct ike_sa *
ikesa_find_half_open(const struct ike *ike, const uint8_t spi_i[IKE_SPI_LEN], uint32_t remote,
    uint16_t rport)
{
	struct ike_sa *s;

	for (s = ike->sas; s != NULL; s = s->next)
		if (!s->initiator && s->state == IKE_SA_HALF_OPEN && s->remote == remote &&
		    s->rport == rport && memcmp(s->spi_i, spi_i, IKE_SPI_LEN) == 0)
			return s;
	return NULL;
}

struct ike_sa *
ikesa_find_peer(const struct ike *ike, uint32_t local, uint32_t remote)
{
	struct ike_sa *s;

	/* not the new SA of a peer's colliding rekey: it may go (§2.8.2); the old one's queue
	 * moves to the survivor */
	for (s = ike->sas; s != NULL; s = s->next)
		if (s->v1 == NULL && s->local == local && s->remote == remote &&
		    s->rekey_of == NULL &&
		    (s->state == IKE_SA_ESTABLISHED || s->state == IKE_SA_INIT_SENT ||
		    s->state == IKE_SA_AUTH_SENT))
			return s;
	return NULL;
}
