/* SPDX-License-Identifier: Apache-2.0 */
/* interop_test.c: our IKEv2 building blocks against strongSwan 5.9.8, an independent
 * implementation.  Each testdata/charon-*.txt holds every IKE message two charon instances
 * exchanged (IKE_SA_INIT, IKE_AUTH with a pre-shared key, a child SA rekey, an IKE SA rekey,
 * the deletes) and the secrets the initiator logged (capture.sh, extract.py).  For each file:
 *
 *  - every message parses and rebuilds byte for byte (msg.c);
 *  - the KE payloads pass ike_dh_check_public(); from charon's g^ir and the nonces and SPIs
 *    on the wire we derive SKEYSEED and SK_d .. SK_pr, equal to charon's (kdf.c), and after
 *    the IKE SA rekey the new SKEYSEED (§2.18) and keys;
 *  - with those keys every encrypted message opens (sk.c), its inner payloads parse and
 *    rebuild to the decrypted bytes, and sealed again by us with its IV it is charon's
 *    message (AEAD) or the same up to charon's random padding (CBC);
 *  - the AUTH payloads of both sides are what ike_kdf_auth_psk() computes (§2.15);
 *  - the child SAs' KEYMAT, first without and then with PFS, gives charon's ESP keys (§2.17).
 */
#include <dirent.h>
#include <stdbool.h>

#include "controld/ike/dh.h"
#include "controld/ike/ike_test.h"
#include "controld/ike/kdf.h"
#include "controld/ike/msg.h"
#include "controld/ike/sk.h"

struct algs {
	uint8_t			proto;
	struct ike_chunk	spi;
	uint16_t		encr, bits, prf, integ, dh;
};

struct ike_sa {
	uint8_t			spi_i[8], spi_r[8];
	uint16_t		prf;
	struct ike_sa_keys	k;
	struct ike_sk		si, sr;		/* what the original initiator / responder sends */
};

struct run {
	const char		*name;
	struct vec		v;
	struct ike_sa		sa[4];
	unsigned		n_sa, n_child, n_open, n_auth, n_reseal, n_reseal_cbc;
	struct ike_chunk	init_req, init_resp, ni, nr;	/* IKE_SA_INIT */
	struct ike_chunk	cni, cke;			/* the pending CREATE_CHILD_SA */
	struct algs		creq;
};

static struct ike_msg M;
static uint8_t out[8192];

static struct ike_chunk
ck(const uint8_t *p, size_t len)
{
	return (struct ike_chunk){ p, len };
}

/* The value of "prefix.key" (or "prefix" alone when key is NULL); empty if absent. */
static struct ike_chunk
get(struct run *r, const char *prefix, unsigned n, const char *key)
{
	char k[64];
	size_t len = 0;
	const uint8_t *p;

	if (key != NULL)
		snprintf(k, sizeof(k), "%s%u.%s", prefix, n, key);
	else
		snprintf(k, sizeof(k), "%s%u", prefix, n);
	p = vec_get(&r->v, k, &len);
	return ck(p, p != NULL ? len : 0);
}

static bool
eq(struct ike_chunk a, const uint8_t *b, size_t len)
{
	return a.p != NULL && a.len == len && memcmp(a.p, b, len) == 0;
}

/* With GW_IKE_SEEDS=DIR set, write a message to DIR: as on the wire and opened ("clear") for
 * tests/fuzz/ike_msg/, and as we sealed it again ("sealed") for testdata/tshark_check.py. */
static void
seed(const struct run *r, unsigned n, const char *what, const uint8_t *b, size_t len)
{
	const char *dir = getenv("GW_IKE_SEEDS");
	char path[1024];
	FILE *f;

	if (dir == NULL)
		return;
	snprintf(path, sizeof(path), "%s/%.*s-msg%u-%s", dir, (int)strlen(r->name) - 4, r->name,
	    n, what);
	if ((f = fopen(path, "w")) != NULL) {
		fwrite(b, 1, len, f);
		fclose(f);
	}
}

/* The first proposal of an SA payload (the chosen one, in a response). */
static void
algs_of(const struct ike_msg *m, const struct ike_payload *sa, struct algs *a)
{
	const struct ike_proposal *p = &m->prop[sa->u.sa.prop];

	memset(a, 0, sizeof(*a));
	a->proto = p->proto;
	a->spi = p->spi;
	for (unsigned i = 0; i < p->n_xf; i++) {
		const struct ike_transform *t = &m->xf[p->xf + i];

		switch (t->type) {
		case IKE_XF_ENCR:
			a->encr = t->id;
			a->bits = t->key_len;
			break;
		case IKE_XF_PRF:
			a->prf = t->id;
			break;
		case IKE_XF_INTEG:
			a->integ = t->id;
			break;
		case IKE_XF_DH:
			a->dh = t->id;
			break;
		}
	}
}

static const struct ike_chunk *
nonce_of(const struct ike_msg *m)
{
	const struct ike_payload *pl = ike_msg_find(m, IKE_PL_NONCE, NULL);

	return pl != NULL ? &pl->u.nonce.data : NULL;
}

static void
check_ke(struct run *r, const struct ike_msg *m, uint16_t group)
{
	const struct ike_payload *ke = ike_msg_find(m, IKE_PL_KE, NULL);
	struct gw_err err = { 0 };

	if (ke == NULL)
		return;
	T_EQ(ke->u.ke.group, group, "%s: KE of the chosen group", r->name);
	T_EQ(ike_dh_check_public(group, ke->u.ke.data, &err), 0, "%s: KE of group %u: %s",
	    r->name, group, err.msg);
}

/* SKEYSEED (given: rekeyed) and the seven keys of IKE SA n, checked against charon's. */
static void
ike_sa_up(struct run *r, const struct key *skeyseed, const struct algs *a,
    struct ike_chunk ni, struct ike_chunk nr, const uint8_t *spi_i, const uint8_t *spi_r)
{
	unsigned n = r->n_sa;
	struct ike_sa *s = &r->sa[n];
	size_t el = ike_sk_encr_key_len(a->encr, a->bits), il = ike_sk_integ_key_len(a->integ);
	const struct key *mine[7] = { &s->k.d, &s->k.ai, &s->k.ar, &s->k.ei, &s->k.er,
	    &s->k.pi, &s->k.pr };
	static const char *const names[7] = { "sk_d", "sk_ai", "sk_ar", "sk_ei", "sk_er",
	    "sk_pi", "sk_pr" };
	struct gw_err err = { 0 };

	T_OK(eq(get(r, "ike", n, "skeyseed"), skeyseed->b, skeyseed->len),
	    "%s: SKEYSEED of IKE SA %u is charon's", r->name, n);
	memcpy(s->spi_i, spi_i, 8);
	memcpy(s->spi_r, spi_r, 8);
	s->prf = a->prf;
	T_EQ(ike_kdf_sa_keys(a->prf, skeyseed, ni, nr, spi_i, spi_r, il, el, &s->k), 0,
	    "%s: keys", r->name);
	for (int i = 0; i < 7; i++) {
		struct ike_chunk c = get(r, "ike", n, names[i]);

		/* charon logs no empty key: SK_a with AEAD */
		T_OK((c.p == NULL && mine[i]->len == 0) || eq(c, mine[i]->b, mine[i]->len),
		    "%s: %s of IKE SA %u is charon's", r->name, names[i], n);
	}
	T_EQ(ike_sk_init(&s->si, a->encr, a->bits, a->integ, &s->k.ei, &s->k.ai, &err), 0,
	    "%s: sk i: %s", r->name, err.msg);
	T_EQ(ike_sk_init(&s->sr, a->encr, a->bits, a->integ, &s->k.er, &s->k.ar, &err), 0,
	    "%s: sk r: %s", r->name, err.msg);
	r->n_sa++;
}

static void
sa_init(struct run *r, const uint8_t *msg, size_t len)
{
	const struct ike_payload *sa = ike_msg_find(&M, IKE_PL_SA, NULL);
	struct ike_chunk dh = get(r, "ike", 0, "dh");
	struct key skeyseed;
	struct algs a;

	if (!(M.hdr.flags & IKE_F_RESPONSE)) {
		r->init_req = ck(msg, len);
		r->ni = *nonce_of(&M);
		return;
	}
	r->init_resp = ck(msg, len);
	r->nr = *nonce_of(&M);
	algs_of(&M, sa, &a);
	check_ke(r, &M, a.dh);
	T_EQ(dh.len, ike_dh_pub_len(a.dh) / (a.dh >= 19 && a.dh <= 21 ? 2 : 1),
	    "%s: g^ir length", r->name);
	T_EQ(ike_kdf_skeyseed(a.prf, r->ni, r->nr, dh, &skeyseed), 0, "%s: SKEYSEED", r->name);
	ike_sa_up(r, &skeyseed, &a, r->ni, r->nr, M.hdr.spi_i, M.hdr.spi_r);
	key_wipe(&skeyseed);
}

/* §2.15, both sides; then the first child SA from the response's proposal. */
static void
ike_auth(struct run *r, struct ike_sa *s)
{
	bool resp = M.hdr.flags & IKE_F_RESPONSE;
	const struct ike_payload *id = ike_msg_find(&M, resp ? IKE_PL_IDR : IKE_PL_IDI, NULL);
	const struct ike_payload *auth = ike_msg_find(&M, IKE_PL_AUTH, NULL);
	struct ike_chunk psk, logged = get(r, "auth", resp, NULL);
	uint8_t mac[IKE_PRF_MAX];

	psk.p = vec_get(&r->v, "psk", &psk.len);
	if (id == NULL || auth == NULL) {
		T_OK(false, "%s: IKE_AUTH without ID or AUTH", r->name);
		return;
	}
	T_EQ(auth->u.auth.method, IKE_AUTH_PSK, "%s: PSK", r->name);
	T_EQ(ike_kdf_auth_psk(s->prf, psk, resp ? &s->k.pr : &s->k.pi,
	    resp ? r->init_resp : r->init_req, resp ? r->ni : r->nr, id->body, mac), 0,
	    "%s: AUTH", r->name);
	T_OK(eq(auth->u.auth.data, mac, ike_prf_len(s->prf)), "%s: %s's AUTH is ours",
	    r->name, resp ? "responder" : "initiator");
	T_OK(eq(logged, mac, ike_prf_len(s->prf)), "%s: and charon's log", r->name);
	r->n_auth++;
}

/* §2.17: KEYMAT = prf+(SK_d, [g^ir |] Ni | Nr): encryption and integrity key of the
 * initiator's SA, then of the responder's, as charon installed them. */
static void
child(struct run *r, struct ike_sa *s, const struct algs *a, struct ike_chunk ni,
    struct ike_chunk nr, struct ike_chunk dh)
{
	unsigned n = r->n_child++;
	size_t el = ike_sk_encr_key_len(a->encr, a->bits), il = ike_sk_integ_key_len(a->integ);
	struct ike_chunk seed = get(r, "child", n, "seed");
	uint8_t km[2 * (64 + 64)];

	T_OK(el > 0, "%s: child %u: ESP cipher %u/%u", r->name, n, a->encr, a->bits);
	T_OK(seed.len == dh.len + ni.len + nr.len &&
	    (dh.len == 0 || memcmp(seed.p, dh.p, dh.len) == 0) &&
	    memcmp(seed.p + dh.len, ni.p, ni.len) == 0 &&
	    memcmp(seed.p + dh.len + ni.len, nr.p, nr.len) == 0,
	    "%s: child %u: charon's seed is [g^ir |] Ni | Nr of the wire", r->name, n);
	T_EQ(ike_kdf_child(s->prf, &s->k.d, dh, ni, nr, km, 2 * (el + il)), 0, "%s: KEYMAT",
	    r->name);
	T_OK(eq(get(r, "child", n, "ei"), km, el), "%s: child %u%s: initiator's ESP key",
	    r->name, n, dh.len ? " (PFS)" : "");
	T_OK(eq(get(r, "child", n, "er"), km + el + il, el), "%s: child %u: responder's ESP key",
	    r->name, n);
	if (il > 0) {
		T_OK(eq(get(r, "child", n, "ai"), km + el, il), "%s: child %u: initiator's auth",
		    r->name, n);
		T_OK(eq(get(r, "child", n, "ar"), km + 2 * el + il, il),
		    "%s: child %u: responder's auth", r->name, n);
	}
	OPENSSL_cleanse(km, sizeof(km));
}

static void
create_child_sa(struct run *r, struct ike_sa *s)
{
	const struct ike_payload *sa = ike_msg_find(&M, IKE_PL_SA, NULL);
	const struct ike_payload *ke = ike_msg_find(&M, IKE_PL_KE, NULL);
	struct algs a;

	if (sa == NULL || nonce_of(&M) == NULL) {
		T_OK(false, "%s: CREATE_CHILD_SA without SA or Nonce", r->name);
		return;
	}
	if (!(M.hdr.flags & IKE_F_RESPONSE)) {
		r->cni = *nonce_of(&M);
		r->cke = ke != NULL ? ke->u.ke.data : ck(NULL, 0);
		algs_of(&M, sa, &r->creq);
		return;
	}
	algs_of(&M, sa, &a);
	check_ke(r, &M, a.dh);
	if (a.proto == IKE_PROTO_IKE) {		/* §2.18 */
		struct ike_chunk dh = get(r, "ike", r->n_sa, "dh");
		struct key skeyseed;

		T_OK(ke != NULL && r->cke.len > 0 && r->creq.spi.len == 8 && a.spi.len == 8,
		    "%s: IKE SA rekey: KE both ways, new SPIs", r->name);
		T_EQ(ike_dh_check_public(a.dh, r->cke, NULL), 0, "%s: rekey KEi", r->name);
		T_EQ(ike_kdf_rekey_skeyseed(s->prf, &s->k.d, dh, r->cni, *nonce_of(&M),
		    &skeyseed), 0, "%s: rekeyed SKEYSEED", r->name);
		ike_sa_up(r, &skeyseed, &a, r->cni, *nonce_of(&M), r->creq.spi.p, a.spi.p);
		key_wipe(&skeyseed);
		return;
	}
	T_OK(ike_msg_find_notify(&M, IKE_N_REKEY_SA) == NULL, "%s: REKEY_SA is the request's",
	    r->name);
	if (a.dh != IKE_DH_NONE)
		T_EQ(ike_dh_check_public(a.dh, r->cke, NULL), 0, "%s: child KEi", r->name);
	child(r, s, &a, r->cni, *nonce_of(&M),
	    a.dh != IKE_DH_NONE ? get(r, "child", r->n_child, "dh") : ck(NULL, 0));
}

/* Open an encrypted message with the keys of its IKE SA, check what is inside. */
static void
encrypted(struct run *r, unsigned n, uint8_t *msg, size_t len, const uint8_t *orig)
{
	const struct ike_payload *skp = ike_msg_find(&M, IKE_PL_SK, NULL);
	struct ike_sa *s = NULL;
	const struct ike_sk *sk;
	size_t sk_off, plen, l2, off2;
	uint8_t *plain, iv[IKE_SK_IV_MAX];
	enum ike_sk_err e;

	for (unsigned i = 0; i < r->n_sa; i++)
		if (memcmp(r->sa[i].spi_i, M.hdr.spi_i, 8) == 0 &&
		    memcmp(r->sa[i].spi_r, M.hdr.spi_r, 8) == 0)
			s = &r->sa[i];
	if (s == NULL || skp == NULL) {
		T_OK(false, "%s: msg%u: no IKE SA or no SK", r->name, n);
		return;
	}
	sk = M.hdr.flags & IKE_F_INITIATOR ? &s->si : &s->sr;
	sk_off = (size_t)(skp->u.sk.body.p - msg) - IKE_PL_HDR_LEN;
	memcpy(iv, skp->u.sk.body.p, sk->iv_len);
	e = ike_sk_open(sk, msg, len, sk_off, &plain, &plen);
	T_EQ(e, IKE_SK_OK, "%s: msg%u opens: %s", r->name, n, ike_sk_err_text(e));
	if (e != IKE_SK_OK)
		return;
	r->n_open++;
	T_EQ(ike_msg_parse_inner(&M, plain, plen), IKE_PERR_OK, "%s: msg%u inner", r->name, n);
	M.pl[skp - M.pl].u.sk.body = ck(NULL, 0);	/* to be sealed, even when empty */
	T_EQ(ike_msg_build(&M, out, sizeof(out), &l2, &off2), 0, "%s: msg%u rebuild", r->name, n);
	T_OK(off2 == sk_off && l2 == sk_off + 4 + plen &&
	    memcmp(out + sk_off + 4, plain, plen) == 0,
	    "%s: msg%u: inner payloads rebuilt byte for byte", r->name, n);
	seed(r, n, "clear", out, l2);		/* what msg_fuzz.c takes for opened */
	/* Sealed again with its IV: AEAD has no padding, so that is charon's message; CBC has
	 * charon's random padding, so only the blocks before it are charon's. */
	T_EQ(ike_sk_seal(sk, out, sizeof(out), &l2, off2, iv), 0, "%s: reseal", r->name);
	seed(r, n, "sealed", out, l2);		/* ours, for tshark_check.py */
	if (sk->aead) {
		T_OK(l2 == len && memcmp(out, orig, len) == 0,
		    "%s: msg%u sealed again by us: charon's bytes", r->name, n);
		r->n_reseal++;
	} else {
		size_t same = sk_off + 4 + sk->iv_len + plen / sk->block_len * sk->block_len;

		T_OK(l2 == len && memcmp(out, orig, same) == 0,
		    "%s: msg%u sealed again by us: charon's bytes up to its padding", r->name, n);
		r->n_reseal_cbc++;
	}
	switch (M.hdr.exchange) {
	case IKE_AUTH:
		ike_auth(r, s);
		if (M.hdr.flags & IKE_F_RESPONSE) {
			struct algs a;

			algs_of(&M, ike_msg_find(&M, IKE_PL_SA, NULL), &a);
			child(r, s, &a, r->ni, r->nr, ck(NULL, 0));
		}
		break;
	case IKE_CREATE_CHILD_SA:
		create_child_sa(r, s);
		break;
	}
}

static void
run_file(const char *dir, const char *file)
{
	static struct run r;
	char path[1024], summary[256];

	memset(&r, 0, sizeof(r));
	r.name = file;
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	T_EQ(vec_load(&r.v, path), 0, "%s: load", path);
	for (unsigned n = 0;; n++) {
		struct ike_chunk m = get(&r, "msg", n, NULL);
		static uint8_t orig[8192];
		enum ike_perr e;
		size_t len;

		if (m.p == NULL)
			break;
		memcpy(orig, m.p, m.len);
		seed(&r, n, "wire", m.p, m.len);
		e = ike_msg_parse(&M, m.p, m.len);
		T_EQ(e, IKE_PERR_OK, "%s: msg%u: %s", file, n, ike_perr_text(e));
		if (e != IKE_PERR_OK)
			continue;
		T_EQ(ike_msg_build(&M, out, sizeof(out), &len, NULL), 0, "%s: msg%u build", file, n);
		T_OK(len == m.len && memcmp(out, m.p, len) == 0, "%s: msg%u rebuilt byte for byte",
		    file, n);
		if (M.hdr.exchange == IKE_SA_INIT)
			sa_init(&r, m.p, m.len);
		else
			encrypted(&r, n, (uint8_t *)m.p, m.len, orig);
		printf("%s: msg%u %s\n", file, n, ike_msg_summary(&M, summary, sizeof(summary)));
	}
	printf("%s: %u IKE SAs derived as charon did, %u messages opened and sealed again (%u "
	    "to charon's bytes, %u up to its padding), %u AUTH, %u child SAs\n", file, r.n_sa,
	    r.n_open, r.n_reseal, r.n_reseal_cbc, r.n_auth, r.n_child);
	T_EQ(r.n_sa, 2, "%s: IKE SA and its rekey", file);
	T_EQ(r.n_auth, 2, "%s: two AUTH payloads", file);
	T_EQ(r.n_child, 2, "%s: child SA and its rekey", file);
	for (unsigned i = 0; i < r.n_sa; i++) {
		ike_sa_keys_wipe(&r.sa[i].k);
		ike_sk_wipe(&r.sa[i].si);
		ike_sk_wipe(&r.sa[i].sr);
	}
	vec_free(&r.v);
}

int
main(void)
{
	const char *src = getenv("GW_SRC");
	char dir[512];
	struct dirent *de;
	unsigned files = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/controld/ike/testdata", src != NULL ? src : ".");
	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: cannot open (GW_SRC unset?)\n", dir);
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "charon-", 7) != 0 ||
		    strcmp(de->d_name + strlen(de->d_name) - 4, ".txt") != 0)
			continue;
		run_file(dir, de->d_name);
		files++;
	}
	closedir(d);
	T_OK(files >= 6, "%u vector files", files);
	return t_done();
}
