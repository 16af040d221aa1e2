/* SPDX-License-Identifier: Apache-2.0 */
/* persist.c: the IKE SAs and child SAs across a restart of controld (docs/design.md "IKE", Restart
 * and persistence): ike_save() writes every established IKE SA (SPIs, algorithms, keys, message
 * IDs, the cached response, the outstanding request's bytes, lifetimes as time left) and its child
 * SAs (SPIs, keys, flow, entry, lifetimes); ike_load() brings them back in a fresh engine and gives
 * the child SAs to io->install again, with the same SPIs and keys, so their SAD ids,
 * sequence-number leases and replay floors (by key id, docs/adr/0008) are the ones they had.  The
 * peer sees nothing: the next message continues the IDs.
 *
 * The blob is a private format of this version of the engine, in host byte order (it is
 * written and read on one host): a magic, a version, then tagged records with lengths, so a
 * blob that is short or not ours is refused whole.  It holds keys: the caller writes it mode
 * 0600, atomically, and wipes its copy.  XXX: a request whose answer needs state that is not
 * saved (a CREATE_CHILD_SA's DH key) is resent after the restart and its answer ignored; the
 * peer then holds a child SA we do not, which expires at its lifetime.  XXX: neither are the flows
 * queued on a busy IKE SA (datad's next acquire brings them again) nor a simultaneous IKE SA
 * rekey in flight (§2.8.2): the peer's new SA is adopted as a childless SA of its own. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "controld/ike/ikesa.h"

static const char magic[8] = "GWIKEv1";

enum { REC_IKE = 1, REC_CHILD = 2, REC_END = 3, REC_V1 = 4 };

/* What an IKEv1 ISAKMP SA has beyond an IKE SA (REC_V1, right after its REC_IKE): its
 * algorithms, keys and the last block of phase 1 (the IV of every later exchange).  Quick
 * modes in flight are not kept: the peer's retransmission starts them again. */
struct saved_v1 {
	uint8_t			st;		/* V1_QM_IDLE or V1_MM_DELETED */
	bool			aggressive, natt, dpd;
	uint16_t		encr, key_bits, hash, auth, group, policy;
	uint32_t		block, key_len, dpd_seq;
	struct ike1_sa_keys	k;
	uint8_t			iv[V1_CBC_BLOCK_MAX];
};

/* An IKE SA as saved: plain data only. */
struct saved_ike {
	uint8_t			spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	bool			initiator, nat_local, nat_remote, deleting;
	uint32_t		local, remote;
	uint16_t		lport, rport;
	struct ike_algs		algs;
	struct ike_sa_keys	k;
	struct ike_sk		sk_in, sk_out;
	char			profile[CONF_NAME_MAX];
	char			remote_id[CONF_IKEV2_ID_MAX];
	uint32_t		msg_id_out, msg_id_in, lifetime_s;
	uint8_t			req;		/* enum ike_req; REQ_NONE when none */
	uint32_t		req_child_spi;	/* REQ_DELETE_CHILD: that child's inbound SPI */
	uint64_t		expire_in, rekey_in, dpd_in;	/* ms left; 0: none */
	uint32_t		req_len, resp_len;	/* bytes that follow: request, response */
};

struct saved_child {
	uint8_t			state, proto;
	bool			out_larval, initiated, dynamic;
	bool			transport;	/* in what was padding: older files say 0 */
	uint16_t		seq, dyn_idx;
	uint32_t		spi_in, spi_out, succ_spi_in, life_s, life_kb, window;
	struct ike_algs		algs;
	struct sel		flow;
	char			map[CONF_NAME_MAX];
	char			tset[CONF_NAME_MAX];
	uint64_t		soft_in, hard_in, drain_in;
	struct key		ke_in, ka_in, ke_out, ka_out;
	struct ike_bytes	lo_nonce;
};

struct wbuf {
	uint8_t		*b;
	size_t		len, cap;
	bool		oom;
};

static void
put(struct wbuf *w, const void *p, size_t len)
{
	if (w->oom || len == 0)
		return;
	if (w->len + len > w->cap) {
		size_t cap = (w->cap != 0 ? w->cap * 2 : 4096);
		uint8_t *nb;

		while (cap < w->len + len)
			cap *= 2;
		/* not realloc: the old buffer holds keys and is wiped */
		if ((nb = malloc(cap)) == NULL) {
			w->oom = true;
			return;
		}
		if (w->b != NULL) {
			memcpy(nb, w->b, w->len);
			OPENSSL_cleanse(w->b, w->cap);
			free(w->b);
		}
		w->b = nb;
		w->cap = cap;
	}
	memcpy(w->b + w->len, p, len);
	w->len += len;
}

static void
put_rec(struct wbuf *w, uint32_t tag, const void *p, size_t len)
{
	uint32_t l = (uint32_t)len;

	put(w, &tag, sizeof(tag));
	put(w, &l, sizeof(l));
	put(w, p, len);
}

static uint64_t
left(uint64_t at, uint64_t now)
{
	return at == 0 ? 0 : at > now ? at - now : 1;
}

static uint64_t
back(uint64_t in, uint64_t now)
{
	return in == 0 ? 0 : now + in;
}

static void
save_child(struct wbuf *w, const struct ike_child *c, uint64_t now_ms)
{
	struct saved_child s;

	memset(&s, 0, sizeof(s));
	/* a rekey under way is forgotten: the old child stays, and rekeys again */
	s.state = c->state == CHILD_REKEYING ? CHILD_INSTALLED : c->state;
	s.proto = c->proto;
	s.out_larval = c->out_larval;
	s.initiated = c->initiated;
	s.dynamic = c->dynamic;
	s.transport = c->transport;
	s.seq = c->seq;
	s.dyn_idx = c->dyn_idx;
	s.spi_in = c->spi_in;
	s.spi_out = c->spi_out;
	s.succ_spi_in = c->succ_spi_in;
	s.life_s = c->life_s;
	s.life_kb = c->life_kb;
	s.window = c->window;
	s.algs = c->algs;
	s.flow = c->flow;
	memcpy(s.map, c->map, sizeof(s.map));
	memcpy(s.tset, c->tset, sizeof(s.tset));
	s.soft_in = left(c->soft_ms, now_ms);
	s.hard_in = left(c->hard_ms, now_ms);
	s.drain_in = left(c->drain_ms, now_ms);
	s.ke_in = c->ke_in;
	s.ka_in = c->ka_in;
	s.ke_out = c->ke_out;
	s.ka_out = c->ka_out;
	s.lo_nonce = c->lo_nonce;
	put_rec(w, REC_CHILD, &s, sizeof(s));
	OPENSSL_cleanse(&s, sizeof(s));
}

static void
save_sa(struct wbuf *w, const struct ike_sa *sa, uint64_t now_ms)
{
	struct saved_ike s;
	size_t len;

	memset(&s, 0, sizeof(s));
	memcpy(s.spi_i, sa->spi_i, IKE_SPI_LEN);
	memcpy(s.spi_r, sa->spi_r, IKE_SPI_LEN);
	s.initiator = sa->initiator;
	s.nat_local = sa->nat_local;
	s.nat_remote = sa->nat_remote;
	s.deleting = sa->state == IKE_SA_DELETING;
	s.local = sa->local;
	s.remote = sa->remote;
	s.lport = sa->lport;
	s.rport = sa->rport;
	s.algs = sa->algs;
	s.k = sa->k;
	s.sk_in = sa->sk_in;
	s.sk_out = sa->sk_out;
	memcpy(s.profile, sa->profile, sizeof(s.profile));
	memcpy(s.remote_id, sa->remote_id, sizeof(s.remote_id));
	s.msg_id_out = sa->msg_id_out;
	s.msg_id_in = sa->msg_id_in;
	s.lifetime_s = sa->lifetime_s;
	s.req = (uint8_t)sa->req;
	if (sa->req == REQ_DELETE_CHILD && sa->req_child != NULL)
		s.req_child_spi = sa->req_child->spi_in;
	s.expire_in = left(sa->expire_ms, now_ms);
	s.rekey_in = left(sa->rekey_ms, now_ms);
	s.dpd_in = left(sa->dpd_ms, now_ms);
	s.req_len = sa->req != REQ_NONE ? (uint32_t)sa->req_len : 0;
	s.resp_len = sa->resp_buf != NULL ? (uint32_t)sa->resp_len : 0;
	len = sizeof(s) + s.req_len + s.resp_len;
	put(w, &(uint32_t){ REC_IKE }, sizeof(uint32_t));
	put(w, &(uint32_t){ (uint32_t)len }, sizeof(uint32_t));
	put(w, &s, sizeof(s));
	put(w, sa->req_buf, s.req_len);
	put(w, sa->resp_buf, s.resp_len);
	OPENSSL_cleanse(&s, sizeof(s));
	if (sa->v1 != NULL) {
		struct saved_v1 v;

		memset(&v, 0, sizeof(v));
		v.st = (uint8_t)sa->v1->st;
		v.aggressive = sa->v1->aggressive;
		v.natt = sa->v1->natt;
		v.dpd = sa->v1->dpd;
		v.encr = sa->v1->encr;
		v.key_bits = sa->v1->key_bits;
		v.hash = sa->v1->hash;
		v.auth = sa->v1->auth;
		v.group = sa->v1->group;
		v.policy = sa->v1->policy;
		v.block = (uint32_t)sa->v1->block;
		v.key_len = (uint32_t)sa->v1->key_len;
		v.dpd_seq = sa->v1->dpd_seq;
		v.k = sa->v1->k;
		memcpy(v.iv, sa->v1->iv, sizeof(v.iv));
		put_rec(w, REC_V1, &v, sizeof(v));
		OPENSSL_cleanse(&v, sizeof(v));
	}
	for (const struct ike_child *c = sa->children; c != NULL; c = c->next)
		if (c->state != CHILD_CREATING)
			save_child(w, c, now_ms);
}

/* REC_V1 of the IKE SA just loaded: it is an ISAKMP SA. */
static int
load_v1(struct ike_sa *sa, const uint8_t *p, size_t len)
{
	struct saved_v1 v;

	if (sa == NULL || sa->v1 != NULL || len != sizeof(v) ||
	    (sa->v1 = calloc(1, sizeof(*sa->v1))) == NULL)
		return -1;
	memcpy(&v, p, sizeof(v));
	sa->v1->st = v.st == V1_MM_DELETED ? V1_MM_DELETED : V1_QM_IDLE;
	sa->v1->aggressive = v.aggressive;
	sa->v1->natt = v.natt;
	sa->v1->dpd = v.dpd;
	sa->v1->encr = v.encr;
	sa->v1->key_bits = v.key_bits;
	sa->v1->hash = v.hash;
	sa->v1->auth = v.auth;
	sa->v1->group = v.group;
	sa->v1->policy = v.policy;
	sa->v1->block = v.block <= V1_CBC_BLOCK_MAX ? v.block : 0;
	sa->v1->key_len = v.key_len <= sizeof(v.k.enc.b) ? v.key_len : 0;
	sa->v1->dpd_seq = v.dpd_seq;
	sa->v1->k = v.k;
	memcpy(sa->v1->iv, v.iv, sizeof(v.iv));
	OPENSSL_cleanse(&v, sizeof(v));
	if (sa->v1->block == 0 || sa->v1->key_len == 0 || ike1_hash_len(sa->v1->hash) == 0)
		return -1;
	return 0;
}

int
ike_save(const struct ike *ike, uint64_t now_ms, uint8_t **out, size_t *len,
    struct gw_err *err)
{
	struct wbuf w = { NULL, 0, 0, false };
	uint32_t version = 1;

	put(&w, magic, sizeof(magic));
	put(&w, &version, sizeof(version));
	for (const struct ike_sa *sa = ike->sas; sa != NULL; sa = sa->next)
		if ((sa->state == IKE_SA_ESTABLISHED || sa->state == IKE_SA_DELETING) &&
		    (sa->v1 == NULL || sa->v1->st == V1_QM_IDLE || sa->v1->st == V1_MM_DELETED))
			save_sa(&w, sa, now_ms);
	put_rec(&w, REC_END, NULL, 0);
	if (w.oom) {
		if (w.b != NULL)
			OPENSSL_cleanse(w.b, w.cap);
		free(w.b);
		return gw_fail(err, 0, "out of memory");
	}
	*out = w.b;
	*len = w.len;
	return 0;
}

/* ---------------------------------------------------------------- loading */

static uint8_t *
dup_bytes(const uint8_t *p, size_t len)
{
	uint8_t *b = len > 0 ? malloc(len) : NULL;

	if (b != NULL)
		memcpy(b, p, len);
	return b;
}

static struct ike_sa *
load_sa(struct ike *ike, const uint8_t *p, size_t len, uint64_t now_ms)
{
	struct saved_ike s;
	struct ike_sa *sa;

	if (len < sizeof(s))
		return NULL;
	memcpy(&s, p, sizeof(s));
	if (sizeof(s) + (size_t)s.req_len + s.resp_len != len ||
	    (sa = calloc(1, sizeof(*sa))) == NULL) {
		OPENSSL_cleanse(&s, sizeof(s));
		return NULL;
	}
	sa->handle = ++ike->next_handle;
	memcpy(sa->spi_i, s.spi_i, IKE_SPI_LEN);
	memcpy(sa->spi_r, s.spi_r, IKE_SPI_LEN);
	sa->initiator = s.initiator;
	sa->state = s.deleting ? IKE_SA_DELETING : IKE_SA_ESTABLISHED;
	sa->nat_local = s.nat_local;
	sa->nat_remote = s.nat_remote;
	sa->local = s.local;
	sa->remote = s.remote;
	sa->lport = s.lport;
	sa->rport = s.rport;
	sa->algs = s.algs;
	sa->k = s.k;
	sa->sk_in = s.sk_in;
	sa->sk_out = s.sk_out;
	memcpy(sa->profile, s.profile, sizeof(sa->profile));
	sa->profile[sizeof(sa->profile) - 1] = '\0';
	memcpy(sa->remote_id, s.remote_id, sizeof(sa->remote_id));
	sa->remote_id[sizeof(sa->remote_id) - 1] = '\0';
	sa->msg_id_out = s.msg_id_out;
	sa->msg_id_in = s.msg_id_in;
	sa->lifetime_s = s.lifetime_s;
	sa->created_ms = sa->last_rx_ms = now_ms;
	sa->expire_ms = back(s.expire_in, now_ms);
	sa->rekey_ms = back(s.rekey_in, now_ms);
	sa->dpd_ms = back(s.dpd_in, now_ms);
	if (s.req_len > 0) {
		/* resent as a retransmission would be; its answer acted on only when it needs
		 * nothing that was not saved */
		sa->req = s.req == REQ_DPD || s.req == REQ_DELETE_CHILD || s.req == REQ_DELETE_IKE ?
		    (enum ike_req)s.req : REQ_ORPHAN;
		sa->req_buf = dup_bytes(p + sizeof(s), s.req_len);
		sa->req_len = s.req_len;
		sa->req_next_ms = now_ms;
		sa->req_child_spi = s.req_child_spi;
	}
	if (s.resp_len > 0) {
		sa->resp_buf = dup_bytes(p + sizeof(s) + s.req_len, s.resp_len);
		sa->resp_len = s.resp_len;
	}
	OPENSSL_cleanse(&s, sizeof(s));
	if ((s.req_len > 0 && sa->req_buf == NULL) || (s.resp_len > 0 && sa->resp_buf == NULL)) {
		ikesa_free(ike, sa, false);
		return NULL;
	}
	ikesa_link(ike, sa);
	return sa;
}

static int
load_child(struct ike *ike, struct ike_sa *sa, const uint8_t *p, size_t len, uint64_t now_ms)
{
	struct saved_child s;
	struct ike_child *c;

	if (len != sizeof(s) || (c = child_new(ike, sa)) == NULL)
		return -1;
	memcpy(&s, p, sizeof(s));
	c->state = (enum child_state)s.state;
	c->proto = s.proto;
	c->out_larval = s.out_larval;
	c->initiated = s.initiated;
	c->dynamic = s.dynamic;
	c->transport = s.transport;
	c->seq = s.seq;
	c->dyn_idx = s.dyn_idx;
	c->spi_in = s.spi_in;
	c->spi_out = s.spi_out;
	c->succ_spi_in = s.succ_spi_in;
	c->life_s = s.life_s;
	c->life_kb = s.life_kb;
	c->window = s.window;
	c->algs = s.algs;
	c->flow = s.flow;
	memcpy(c->map, s.map, sizeof(c->map));
	c->map[sizeof(c->map) - 1] = '\0';
	memcpy(c->tset, s.tset, sizeof(c->tset));
	c->tset[sizeof(c->tset) - 1] = '\0';
	c->soft_ms = back(s.soft_in, now_ms);
	c->hard_ms = back(s.hard_in, now_ms);
	c->drain_ms = back(s.drain_in, now_ms);
	c->created_ms = now_ms;
	c->ke_in = s.ke_in;
	c->ka_in = s.ka_in;
	c->ke_out = s.ke_out;
	c->ka_out = s.ka_out;
	c->lo_nonce = s.lo_nonce;
	OPENSSL_cleanse(&s, sizeof(s));
	if (c->state == CHILD_DELETING)
		c->del_pending = true;
	if (c->state > CHILD_DELETING || c->state == CHILD_CREATING ||
	    child_publish(ike, sa, c) != 0) {
		child_free(ike, sa, c, false);
		return -1;
	}
	return 0;
}

int
ike_load(struct ike *ike, const uint8_t *blob, size_t len, uint64_t now_ms,
    struct gw_err *err)
{
	size_t off = sizeof(magic) + sizeof(uint32_t);
	struct ike_sa *sa = NULL;
	uint32_t version;
	unsigned n_ike = 0, n_child = 0, n_failed = 0;

	if (len < off || memcmp(blob, magic, sizeof(magic)) != 0)
		return gw_fail(err, 0, "IKE state: not ours");
	memcpy(&version, blob + sizeof(magic), sizeof(version));
	if (version != 1)
		return gw_fail(err, 0, "IKE state: version %u, not 1", version);
	/* the whole blob is checked before anything is adopted */
	for (size_t o = off;;) {
		uint32_t tag, l;

		if (len - o < 8)
			return gw_fail(err, 0, "IKE state: truncated");
		memcpy(&tag, blob + o, 4);
		memcpy(&l, blob + o + 4, 4);
		if (l > len - o - 8 || (tag != REC_IKE && tag != REC_CHILD && tag != REC_END &&
		    tag != REC_V1))
			return gw_fail(err, 0, "IKE state: bad record at %zu", o);
		if (tag == REC_END)
			break;
		o += 8 + l;
	}
	for (;;) {
		uint32_t tag, l;

		memcpy(&tag, blob + off, 4);
		memcpy(&l, blob + off + 4, 4);
		off += 8;
		if (tag == REC_END)
			break;
		if (tag == REC_IKE) {
			if ((sa = load_sa(ike, blob + off, l, now_ms)) != NULL)
				n_ike++;
			else
				n_failed++;
		} else if (tag == REC_V1) {
			if (load_v1(sa, blob + off, l) != 0) {
				if (sa != NULL)		/* half an ISAKMP SA is none */
					ike_sa_dead(ike, sa, "its IKEv1 record is refused");
				sa = NULL;
				n_failed++;
			}
		} else if (sa != NULL) {
			if (load_child(ike, sa, blob + off, l, now_ms) == 0)
				n_child++;
			else
				n_failed++;
		}
		off += l;
	}
	if (n_failed > 0)
		return gw_fail(err, 0, "IKE state: %u IKE SAs and %u child SAs adopted, %u "
		    "records refused", n_ike, n_child, n_failed);
	return 0;
}

/* ---------------------------------------------------------------- files */

static int
write_all(int fd, const uint8_t *b, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, b, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		b += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ike_save_file(const struct ike *ike, const char *path, uint64_t now_ms, bool sync,
    struct gw_err *err)
{
	char tmp[4096];
	uint8_t *blob = NULL;
	size_t len = 0;
	int fd, rc = -1;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return gw_fail(err, 0, "%s: path too long", path);
	if (ike_save(ike, now_ms, &blob, &len, err) != 0)
		return -1;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
		gw_fail(err, 0, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fchmod(fd, 0600) != 0 || write_all(fd, blob, len) != 0 || (sync && fsync(fd) != 0)) {
		gw_fail(err, 0, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		gw_fail(err, 0, "%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(blob, len);
	free(blob);
	return rc;
}

int
ike_load_file(struct ike *ike, const char *path, uint64_t now_ms, struct gw_err *err)
{
	struct stat st;
	uint8_t *blob;
	size_t got = 0;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return 0;		/* a first start: nothing to adopt */
		return gw_fail(err, 0, "%s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > (64 << 20) ||
	    (blob = malloc((size_t)st.st_size)) == NULL) {
		close(fd);
		return gw_fail(err, 0, "%s: cannot read it", path);
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, blob + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	rc = got == (size_t)st.st_size ? ike_load(ike, blob, got, now_ms, err) :
	    gw_fail(err, 0, "%s: short read", path);
	OPENSSL_cleanse(blob, (size_t)st.st_size);
	free(blob);
	return rc;
}
