/* SPDX-License-Identifier: Apache-2.0 */
/* sa_init.c: the IKE_SA_INIT exchange (RFC 7296 §1.2), both roles:
 *
 *	HDR(SPIi, 0), [N(COOKIE),] SAi1, KEi, Ni, N(NAT_D src), N(NAT_D dst)  -->
 *	<--  HDR(SPIi, SPIr), SAr1, KEr, Nr, N(NAT_D src), N(NAT_D dst)
 *
 * with its three detours: N(COOKIE) when too many half-open SAs exist (§2.6: the responder
 * keeps nothing until the initiator shows it can receive at its address), N(INVALID_KE_PAYLOAD)
 * naming the group the responder wants (§1.3: the initiator retries with it), and
 * N(NO_PROPOSAL_CHOSEN).  NAT detection (§2.23): each side hashes the addresses and ports it
 * sees; a mismatch floats IKE to UDP 4500 and makes the child SAs UDP-encapsulated (RFC 3948).
 * A responder keeps one half-open IKE SA per request (bounded: IKE_HALF_OPEN_MAX) with its
 * keys already derived, and its response for a retransmitted request. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/log.h"
#include "controld/ike/ikesa.h"

enum { NATD_LEN = 20, COOKIE_LEN = 17, SA_INIT_TRIES = 4 };

static const uint8_t zero_spi[IKE_SPI_LEN];

/* §2.23: SHA-1(SPIi | SPIr | IP | port), addresses and ports in network order. */
static void
natd_hash(const uint8_t *spi_i, const uint8_t *spi_r, uint32_t ip, uint16_t port,
    uint8_t out[NATD_LEN])
{
	uint8_t in[IKE_SPI_LEN * 2 + 6];
	unsigned int len = NATD_LEN;

	memcpy(in, spi_i, IKE_SPI_LEN);
	memcpy(in + IKE_SPI_LEN, spi_r, IKE_SPI_LEN);
	in[16] = (uint8_t)(ip >> 24);
	in[17] = (uint8_t)(ip >> 16);
	in[18] = (uint8_t)(ip >> 8);
	in[19] = (uint8_t)ip;
	in[20] = (uint8_t)(port >> 8);
	in[21] = (uint8_t)port;
	if (EVP_Digest(in, sizeof(in), out, &len, EVP_sha1(), NULL) != 1)
		memset(out, 0, NATD_LEN);
}

/* Our two NAT_D notifies into m; their data in hashes (must outlive the build). */
static int
natd_add(struct ike_msg *m, const struct ike_sa *sa, uint8_t hashes[2][NATD_LEN])
{
	natd_hash(m->hdr.spi_i, m->hdr.spi_r, sa->local, sa->lport, hashes[0]);
	natd_hash(m->hdr.spi_i, m->hdr.spi_r, sa->remote, sa->rport, hashes[1]);
	if (ike_add_notify(m, IKE_N_NAT_DETECTION_SOURCE_IP,
	    (struct ike_chunk){ hashes[0], NATD_LEN }, false) == NULL ||
	    ike_add_notify(m, IKE_N_NAT_DETECTION_DESTINATION_IP,
	    (struct ike_chunk){ hashes[1], NATD_LEN }, false) == NULL)
		return -1;
	return 0;
}

/* The peer's NAT_D notifies of m: who is behind a NAT.  None at all: no NAT-T. */
static void
natd_check(const struct ike_msg *m, struct ike_sa *sa)
{
	const struct ike_payload *pl = NULL;
	uint8_t h[NATD_LEN];
	bool src_seen = false, src_match = false;

	natd_hash(m->hdr.spi_i, m->hdr.spi_r, sa->remote, sa->rport, h);
	while ((pl = ike_msg_find(m, IKE_PL_NOTIFY, pl)) != NULL) {
		if (pl->u.notify.type == IKE_N_NAT_DETECTION_SOURCE_IP) {
			src_seen = true;
			src_match |= pl->u.notify.data.len == NATD_LEN &&
			    memcmp(pl->u.notify.data.p, h, NATD_LEN) == 0;
		}
	}
	sa->nat_remote = src_seen && !src_match;
	pl = ike_msg_find_notify(m, IKE_N_NAT_DETECTION_DESTINATION_IP);
	natd_hash(m->hdr.spi_i, m->hdr.spi_r, sa->local, sa->lport, h);
	sa->nat_local = pl != NULL && (pl->u.notify.data.len != NATD_LEN ||
	    memcmp(pl->u.notify.data.p, h, NATD_LEN) != 0);
}

int
sa_init_keys(struct ike_sa *sa, const struct key *skeyseed)
{
	const struct ike_algs *a = &sa->algs;
	size_t el = ike_sk_encr_key_len(a->encr, a->bits), il = ike_sk_integ_key_len(a->integ);
	const struct key *ei, *ai, *er, *ar;

	if (ike_kdf_sa_keys(a->prf, skeyseed, ike_bytes_chunk(&sa->ni), ike_bytes_chunk(&sa->nr),
	    sa->spi_i, sa->spi_r, il, el, &sa->k) != 0)
		return -1;
	ei = &sa->k.ei;
	ai = &sa->k.ai;
	er = &sa->k.er;
	ar = &sa->k.ar;
	if (ike_sk_init(sa->initiator ? &sa->sk_out : &sa->sk_in, a->encr, a->bits, a->integ, ei,
	    ai, NULL) != 0 ||
	    ike_sk_init(sa->initiator ? &sa->sk_in : &sa->sk_out, a->encr, a->bits, a->integ, er,
	    ar, NULL) != 0)
		return -1;
	return 0;
}

/* g^ir and the keys, from our DH and the peer's KE data. */
static int
derive(struct ike_sa *sa, struct ike_chunk peer_ke)
{
	struct ike_dh_secret s;
	struct key skeyseed;
	int rc;

	if (ike_dh_derive(&sa->dh, peer_ke, &s, NULL) != 0)
		return -1;
	rc = ike_kdf_skeyseed(sa->algs.prf, ike_bytes_chunk(&sa->ni), ike_bytes_chunk(&sa->nr),
	    (struct ike_chunk){ s.b, s.len }, &skeyseed);
	ike_dh_secret_wipe(&s);
	if (rc == 0)
		rc = sa_init_keys(sa, &skeyseed);
	key_wipe(&skeyseed);
	ike_dh_free(&sa->dh);		/* §2.12: not kept after use */
	return rc;
}

static int
copy_out(uint8_t **dst, size_t *dst_len, const uint8_t *b, size_t len)
{
	if ((*dst = malloc(len)) == NULL)
		return -1;
	memcpy(*dst, b, len);
	*dst_len = len;
	return 0;
}

/* ---------------------------------------------------------------- initiator */

/* The first group of our first IKE proposal, the one our KE is of unless told otherwise. */
static uint16_t
first_group(const struct ike_msg *m)
{
	for (unsigned i = 0; i < m->n_xf; i++)
		if (m->xf[i].type == IKE_XF_DH)
			return m->xf[i].id;
	return 0;
}

int
sa_init_start(struct ike *ike, struct ike_sa *sa, uint64_t now_ms)
{
	struct ike_msg *m = &ike->out;
	struct ike_payload *pl;
	uint8_t natd[2][NATD_LEN];
	uint16_t group;

	ike_msg_init(m, sa->spi_i, zero_spi, IKE_SA_INIT, IKE_F_INITIATOR, 0);
	if (sa->cookie.len > 0 && ike_add_notify(m, IKE_N_COOKIE, ike_bytes_chunk(&sa->cookie),
	    false) == NULL)
		return -1;
	if ((pl = ike_msg_add(m, IKE_PL_SA, false)) == NULL ||
	    proposal_add_ike(ike, m, pl, sa->local, NULL, 0) != 0)
		return -1;
	group = sa->dh_group_try != 0 ? sa->dh_group_try : first_group(m);
	if (sa->dh.key == NULL || sa->dh.group != group) {
		ike_dh_free(&sa->dh);
		if (ike_dh_init(&sa->dh, group, NULL) != 0)
			return -1;
	}
	if (sa->ni.len == 0) {
		sa->ni.len = IKE_NONCE_LEN;
		if (ike_random(sa->ni.b, sa->ni.len) != 0)
			return -1;
	}
	if ((pl = ike_msg_add(m, IKE_PL_KE, false)) == NULL)
		return -1;
	pl->u.ke.group = group;
	pl->u.ke.data = (struct ike_chunk){ sa->dh.pub, sa->dh.pub_len };
	if ((pl = ike_msg_add(m, IKE_PL_NONCE, false)) == NULL)
		return -1;
	pl->u.nonce.data = ike_bytes_chunk(&sa->ni);
	if (natd_add(m, sa, natd) != 0)
		return -1;
	sa->state = IKE_SA_INIT_SENT;
	return ike_send_request(ike, sa, m, REQ_SA_INIT, now_ms);
}

/* Is group one we offer (so INVALID_KE may name it)? */
static bool
group_offered(struct ike *ike, const struct ike_sa *sa, uint16_t group)
{
	struct ike_msg *m = &ike->out;
	struct ike_payload *pl;

	ike_msg_init(m, sa->spi_i, zero_spi, IKE_SA_INIT, IKE_F_INITIATOR, 0);
	if ((pl = ike_msg_add(m, IKE_PL_SA, false)) == NULL ||
	    proposal_add_ike(ike, m, pl, sa->local, NULL, 0) != 0)
		return false;
	for (unsigned i = 0; i < m->n_xf; i++)
		if (m->xf[i].type == IKE_XF_DH && m->xf[i].id == group)
			return true;
	return false;
}

void
sa_init_response(struct ike *ike, struct ike_sa *sa, const uint8_t *data, size_t len,
    uint64_t now_ms)
{
	const struct ike_msg *m = &ike->m;
	const struct ike_payload *sap = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	const struct ike_payload *nr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	const struct ike_payload *n;
	struct ike_algs a, mine;
	struct ike_chunk spi;
	uint8_t num;

	if ((n = ike_msg_find_notify(m, IKE_N_COOKIE)) != NULL && sap == NULL) {
		if (n->u.notify.data.len < 1 || n->u.notify.data.len > 64 ||
		    sa->req_tries + 1 >= SA_INIT_TRIES) {
			ike_count(ike, IKE_CTR_MALFORMED);
			return;
		}
		ike_bytes_set(&sa->cookie, n->u.notify.data);
		sa->req_tries++;
		sa_init_start(ike, sa, now_ms);
		return;
	}
	if ((n = ike_msg_find_notify(m, IKE_N_INVALID_KE_PAYLOAD)) != NULL && sap == NULL) {
		uint16_t g = n->u.notify.data.len == 2 ?
		    (uint16_t)(n->u.notify.data.p[0] << 8 | n->u.notify.data.p[1]) : 0;

		ike_count(ike, IKE_CTR_INVALID_KE);
		if (g == sa->dh.group || !group_offered(ike, sa, g)) {
			ike_sa_dead(ike, sa, "INVALID_KE_PAYLOAD names a group we did not offer");
			return;
		}
		sa->dh_group_try = g;		/* §1.3: retry with the group asked for */
		sa_init_start(ike, sa, now_ms);
		return;
	}
	if ((n = ike_msg_find_notify(m, IKE_N_NO_PROPOSAL_CHOSEN)) != NULL) {
		ike_count(ike, IKE_CTR_NO_PROPOSAL);
		ike_sa_dead(ike, sa, "peer: NO_PROPOSAL_CHOSEN for our IKE proposals");
		return;
	}
	if (sap == NULL || ke == NULL || nr == NULL ||
	    memcmp(m->hdr.spi_r, zero_spi, IKE_SPI_LEN) == 0 ||
	    proposal_read_chosen(m, sap, &a, &spi) != 0 || a.proto != IKE_PROTO_IKE ||
	    ke->u.ke.group != sa->dh.group || a.dh != sa->dh.group) {
		ike_count(ike, IKE_CTR_MALFORMED);
		return;			/* §2.21.1: unauthenticated, so ignored: maybe the next */
	}
	/* the choice must be one of ours */
	if (proposal_pick_ike(ike, m, sap, sa->local, sa->dh.group, &mine, &num) != 0 ||
	    mine.encr != a.encr || mine.bits != a.bits || mine.prf != a.prf ||
	    mine.integ != a.integ) {
		ike_count(ike, IKE_CTR_NO_PROPOSAL);
		ike_sa_dead(ike, sa, "the responder chose a proposal we did not offer");
		return;
	}
	memcpy(sa->spi_r, m->hdr.spi_r, IKE_SPI_LEN);
	sa->algs = a;
	ike_bytes_set(&sa->nr, nr->u.nonce.data);
	if (derive(sa, ke->u.ke.data) != 0) {
		ike_sa_dead(ike, sa, "key derivation failed (a bad KE payload?)");
		return;
	}
	ike_log_keys(ike, sa);
	natd_check(m, sa);
	if (copy_out(&sa->init_i, &sa->init_i_len, sa->req_buf, sa->req_len) != 0 ||
	    copy_out(&sa->init_r, &sa->init_r_len, data, len) != 0) {
		ike_sa_dead(ike, sa, "out of memory");
		return;
	}
	sa->req = REQ_NONE;
	if (sa->nat_local || sa->nat_remote) {	/* §2.23: float to 4500 */
		sa->lport = 4500;
		sa->rport = 4500;
	}
	if (auth_start(ike, sa, now_ms) != 0)
		ike_sa_dead(ike, sa, "IKE_AUTH could not be sent");
}

/* ---------------------------------------------------------------- responder */

/* §2.6: Cookie = <VersionIDofSecret> | HMAC-SHA256(secret, Ni | IPi | SPIi), cut to 16. */
static void
cookie_of(const struct ike *ike, struct ike_chunk ni, uint32_t remote, const uint8_t *spi_i,
    uint8_t out[COOKIE_LEN])
{
	uint8_t in[IKE_NONCE_MAX + 4 + IKE_SPI_LEN], md[32];
	unsigned int md_len = sizeof(md);
	size_t n = ni.len;

	memcpy(in, ni.p, n);
	in[n++] = (uint8_t)(remote >> 24);
	in[n++] = (uint8_t)(remote >> 16);
	in[n++] = (uint8_t)(remote >> 8);
	in[n++] = (uint8_t)remote;
	memcpy(in + n, spi_i, IKE_SPI_LEN);
	n += IKE_SPI_LEN;
	if (HMAC(EVP_sha256(), ike->cookie_secret, sizeof(ike->cookie_secret), in, n, md,
	    &md_len) == NULL)
		memset(md, 0, sizeof(md));
	out[0] = 1;
	memcpy(out + 1, md, COOKIE_LEN - 1);
}

/* An unprotected error answer to an IKE_SA_INIT request: HDR(SPIi, 0), N(type). */
static void
refuse(struct ike *ike, uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport,
    uint16_t type, struct ike_chunk data)
{
	struct ike_msg *m = &ike->out;

	ike_msg_init(m, ike->m.hdr.spi_i, zero_spi, IKE_SA_INIT, IKE_F_RESPONSE, 0);
	if (ike_add_notify(m, type, data, false) != NULL)
		ike_send_plain(ike, local, lport, remote, rport, m);
}

void
sa_init_request(struct ike *ike, uint32_t local, uint16_t lport, uint32_t remote,
    uint16_t rport, const uint8_t *data, size_t len, uint64_t now_ms)
{
	const struct ike_msg *in = &ike->m;
	const struct ike_payload *sap = ike_msg_find(in, IKE_PL_SA, NULL);
	const struct ike_payload *ke = ike_msg_find(in, IKE_PL_KE, NULL);
	const struct ike_payload *ni = ike_msg_find(in, IKE_PL_NONCE, NULL);
	struct ike_msg *m = &ike->out;
	struct ike_payload *pl;
	struct ike_sa *sa;
	struct ike_algs a;
	uint8_t num, natd[2][NATD_LEN], cookie[COOKIE_LEN], group_be[2];

	if (in->hdr.msg_id != 0 || memcmp(in->hdr.spi_r, zero_spi, IKE_SPI_LEN) != 0 ||
	    (in->hdr.flags & IKE_F_INITIATOR) == 0 || sap == NULL || ke == NULL || ni == NULL) {
		ike_count(ike, IKE_CTR_MALFORMED);
		return;
	}
	if ((sa = ikesa_find_half_open(ike, in->hdr.spi_i, remote, rport)) != NULL) {
		/* §2.1: a retransmission; answered from the cache */
		if (sa->init_i_len == len && memcmp(sa->init_i, data, len) == 0 &&
		    sa->resp_buf != NULL) {
			ike_count(ike, IKE_CTR_RESP_CACHED);
			ike_count(ike, IKE_CTR_TX);
			ike->io.send(ike->io.ctx, local, lport, remote, rport, sa->resp_buf,
			    sa->resp_len);
		}
		return;
	}
	if (ike->n_half_open >= IKE_HALF_OPEN_MAX) {
		ike_count(ike, IKE_CTR_HALF_OPEN_FULL);
		return;
	}
	if (ike->n_half_open >= ike->cookie_threshold) {
		const struct ike_payload *c = ike_msg_find_notify(in, IKE_N_COOKIE);

		cookie_of(ike, ni->u.nonce.data, remote, in->hdr.spi_i, cookie);
		if (c == NULL || c->u.notify.data.len != COOKIE_LEN ||
		    CRYPTO_memcmp(c->u.notify.data.p, cookie, COOKIE_LEN) != 0) {
			ike_count(ike, IKE_CTR_COOKIE_SENT);
			refuse(ike, local, lport, remote, rport, IKE_N_COOKIE,
			    (struct ike_chunk){ cookie, COOKIE_LEN });
			return;
		}
	}
	if (proposal_pick_ike(ike, in, sap, local, ke->u.ke.group, &a, &num) != 0) {
		ike_count(ike, IKE_CTR_NO_PROPOSAL);
		log_debug("ikev2: %u.%u.%u.%u: no IKE proposal of the peer is configured here",
		    remote >> 24, (remote >> 16) & 0xff, (remote >> 8) & 0xff, remote & 0xff);
		refuse(ike, local, lport, remote, rport, IKE_N_NO_PROPOSAL_CHOSEN,
		    (struct ike_chunk){ NULL, 0 });
		return;
	}
	if (a.dh != ke->u.ke.group) {		/* §1.3 */
		ike_count(ike, IKE_CTR_INVALID_KE);
		group_be[0] = (uint8_t)(a.dh >> 8);
		group_be[1] = (uint8_t)a.dh;
		refuse(ike, local, lport, remote, rport, IKE_N_INVALID_KE_PAYLOAD,
		    (struct ike_chunk){ group_be, 2 });
		return;
	}
	if (ike_dh_check_public(a.dh, ke->u.ke.data, NULL) != 0) {
		ike_count(ike, IKE_CTR_MALFORMED);
		return;
	}
	if ((sa = ikesa_new(ike, false, local, lport, remote, rport, now_ms)) == NULL)
		return;
	memcpy(sa->spi_i, in->hdr.spi_i, IKE_SPI_LEN);
	sa->algs = a;
	ike_bytes_set(&sa->ni, ni->u.nonce.data);
	sa->nr.len = IKE_NONCE_LEN;
	if (ike_random(sa->nr.b, sa->nr.len) != 0 || ike_dh_init(&sa->dh, a.dh, NULL) != 0)
		goto fail;
	ike_msg_init(m, sa->spi_i, sa->spi_r, IKE_SA_INIT, IKE_F_RESPONSE, 0);
	if ((pl = ike_msg_add(m, IKE_PL_SA, false)) == NULL ||
	    proposal_add_chosen(m, pl, num, &a, NULL, 0) != 0 ||
	    (pl = ike_msg_add(m, IKE_PL_KE, false)) == NULL)
		goto fail;
	pl->u.ke.group = a.dh;
	pl->u.ke.data = (struct ike_chunk){ sa->dh.pub, sa->dh.pub_len };
	if ((pl = ike_msg_add(m, IKE_PL_NONCE, false)) == NULL)
		goto fail;
	pl->u.nonce.data = ike_bytes_chunk(&sa->nr);
	if (natd_add(m, sa, natd) != 0)
		goto fail;
	/* the peer's hashes were made with SPIr zero */
	natd_check(in, sa);
	/* the response holds our KE data: built before derive() frees the key pair */
	if (copy_out(&sa->init_i, &sa->init_i_len, data, len) != 0 ||
	    ike_send_response(ike, sa, m) != 0 ||
	    copy_out(&sa->init_r, &sa->init_r_len, sa->resp_buf, sa->resp_len) != 0 ||
	    derive(sa, ke->u.ke.data) != 0)
		goto fail;
	ike_log_keys(ike, sa);
	return;
fail:
	ike_sa_dead(ike, sa, "IKE_SA_INIT response could not be made");
}
