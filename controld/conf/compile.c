/* conf_compile.c: policy compiler.  Walks the crypto map sets applied to interfaces, entries in
 * sequence order, and emits one Policy per entry (access-list entries in order; for
 * ipsec-manual only up to the first permit, seed: "subsequent entries are ignored") and the
 * manual SAs with stable ids: the id hashes the SA's whole definition, keys included, so a
 * changed entry is a new SA to the workers.  Sequence numbers do not follow the SA id but the
 * key (sa_key_id(), lease.h): a key that moves to a new entry, map or SPI goes on where it
 * stopped (DESIGN invariant 1).  The replay window is left out of the id: a changed window is
 * the same SA, and datad resizes its window from the top it had reached (never back). */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "controld/conf/compile.h"

/* Everything a Tables under construction points to, freed at once after packing. */
struct arena {
	void	**p;
	size_t	n, cap;
};

static void *
aalloc(struct arena *a, size_t size)
{
	void *m;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		void **p = realloc(a->p, cap * sizeof(*p));

		if (p == NULL)
			return NULL;
		a->p = p;
		a->cap = cap;
	}
	if ((m = calloc(1, size ? size : 1)) == NULL)
		return NULL;
	a->p[a->n++] = m;
	return m;
}

static void
afree(struct arena *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->p[i]);
	free(a->p);
}

static Gw__V1__Selector *
sel_msg(struct arena *a, const struct conf_ace *e)
{
	Gw__V1__Selector *s = aalloc(a, sizeof(*s));

	if (s == NULL)
		return NULL;
	gw__v1__selector__init(s);
	s->proto = e->proto;
	s->src = e->src.addr;
	s->src_wild = e->src.wild;
	s->dst = e->dst.addr;
	s->dst_wild = e->dst.wild;
	s->sport_lo = e->sport.lo;
	s->sport_hi = e->sport.hi;
	s->sport_neq = e->sport.neq;
	s->dport_lo = e->dport.lo;
	s->dport_hi = e->dport.hi;
	s->dport_neq = e->dport.neq;
	s->tos = e->tos;
	s->precedence = e->precedence;
	return s;
}

static uint64_t
sa_id(const Gw__V1__Sa *sa)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint32_t w[8] = { sa->inbound, sa->proto, sa->spi, sa->local, sa->peer,
	    (uint32_t)sa->cipher, (uint32_t)sa->auth, sa->seq };
	uint64_t id = 0;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, sa->map, strlen(sa->map) + 1);
	EVP_DigestUpdate(ctx, w, sizeof(w));
	EVP_DigestUpdate(ctx, sa->cipher_key.data, sa->cipher_key.len);
	EVP_DigestUpdate(ctx, sa->auth_key.data, sa->auth_key.len);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	memcpy(&id, md, sizeof(id));
	return id ? id : 1;
}

uint64_t
sa_key_id(const Gw__V1__Sa *sa)
{
	static const char label[] = "ipsecgw key id v1";
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint32_t w[5] = { sa->proto, (uint32_t)sa->cipher, (uint32_t)sa->auth,
	    (uint32_t)sa->cipher_key.len, (uint32_t)sa->auth_key.len };
	uint64_t id = 0;

	if (ctx == NULL)
		fatal("out of memory");
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, label, sizeof(label));
	EVP_DigestUpdate(ctx, w, sizeof(w));
	EVP_DigestUpdate(ctx, sa->cipher_key.data, sa->cipher_key.len);
	EVP_DigestUpdate(ctx, sa->auth_key.data, sa->auth_key.len);
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	memcpy(&id, md, sizeof(id));
	OPENSSL_cleanse(md, sizeof(md));
	return id ? id : 1;
}

struct build {
	struct arena	a;
	Gw__V1__Policy	**pol;
	size_t		n_pol, cap_pol;
	Gw__V1__Sa	**sas;
	size_t		n_sas, cap_sas;
};

static int
push(void ***arr, size_t *n, size_t *cap, void *x)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 16;
		void **p = realloc(*arr, c * sizeof(*p));

		if (p == NULL)
			return -1;
		*arr = p;
		*cap = c;
	}
	(*arr)[(*n)++] = x;
	return 0;
}

/* IOS: "mode transport" applies only to traffic between the peers themselves; an SA whose
 * flow is anything else is tunnelled (seed: "mode"). */
static bool
transport_flow(const struct conf_transform_set *ts, const struct conf_ace *flow, uint32_t local,
    uint32_t peer)
{
	return ts->mode == CONF_MODE_TRANSPORT && flow->src.wild == 0 && flow->dst.wild == 0 &&
	    flow->src.addr == local && flow->dst.addr == peer;
}

/* Seed: "the [anti-replay] service is not available for manually established security
 * associations".  Ours, beyond IOS 11.3: an explicit set security-association replay
 * window-size gives one to each SA of the entry that authenticates its own sequence number
 * (conf_validate refuses an entry where none does).  Safe only because our sender never
 * restarts its count (invariant 1); a peer that starts again at 1 after a reboot is dropped
 * as replays, hence opt-in.  Outbound SAs carry it too, for show; only inbound checks it. */
static uint32_t
manual_window(const struct conf_map_entry *e, const struct conf_transform_set *ts,
    enum conf_proto proto)
{
	if (e->replay_window == 0 || conf_tset_no_seq(ts))
		return 0;
	if (proto == CONF_PROTO_ESP && !conf_tset_esp_integrity(ts))
		return 0;		/* an ESP cipher alone: the AH beside it has the window */
	return e->replay_window;
}

static Gw__V1__Sa *
manual_sa(struct build *b, const struct conf_map *m, const struct conf_map_entry *e,
    const struct conf_transform_set *ts, enum conf_dir dir, enum conf_proto proto, uint32_t local,
    const struct conf_ace *flow)
{
	const struct conf_session_key *k = &e->keys[dir][proto];
	Gw__V1__Sa *sa = aalloc(&b->a, sizeof(*sa));

	if (sa == NULL)
		return NULL;
	gw__v1__sa__init(sa);
	sa->inbound = dir == CONF_DIR_IN;
	sa->proto = proto == CONF_PROTO_ESP ? 50 : 51;
	sa->spi = k->spi;
	sa->local = local;
	sa->peer = e->peers[0];
	if (proto == CONF_PROTO_ESP) {
		sa->cipher = (Gw__V1__Cipher)(ts->esp_cipher == XF_CIPHER_NONE ? XF_CIPHER_NULL :
		    ts->esp_cipher);
		sa->auth = (Gw__V1__Auth)ts->esp_auth;
		sa->cipher_key.data = (uint8_t *)k->cipher.b;
		sa->cipher_key.len = k->cipher.len;
	} else {
		sa->cipher = GW__V1__CIPHER__CIPHER_NONE;
		sa->auth = (Gw__V1__Auth)ts->ah;
	}
	sa->auth_key.data = (uint8_t *)k->auth.b;
	sa->auth_key.len = k->auth.len;
	sa->mode = transport_flow(ts, flow, local, e->peers[0]) ? GW__V1__MODE__MODE_TRANSPORT :
	    GW__V1__MODE__MODE_TUNNEL;
	sa->replay_window = manual_window(e, ts, proto);
	sa->udp_encap_port = e->nat_t ? 4500 : 0;	/* RFC 3948 */
	sa->map = (char *)m->name;
	sa->seq = e->seq;
	sa->flow = sel_msg(&b->a, flow);
	sa->owner = (char *)"";
	sa->iv_size = ts->iv_size;
	sa->transform_set = (char *)ts->name;
	if (sa->flow == NULL || push((void ***)&b->sas, &b->n_sas, &b->cap_sas, sa) != 0)
		return NULL;
	sa->id = sa_id(sa);
	return sa;
}

/* The two SAs of one direction of an AH+ESP bundle name each other (not part of their ids). */
static void
bundle(Gw__V1__Sa *esp, Gw__V1__Sa *ah)
{
	esp->bundle = ah->id;
	ah->bundle = esp->id;
}

/* One crypto map entry (or one entry of a dynamic set it refers to) as a Policy. */
static int
entry(struct build *b, const struct conf *c, const struct conf_map *m,
    const struct conf_map_entry *e, const char *ifname, uint32_t local, bool dyn,
    struct gw_err *err)
{
	const struct conf_acl *acl = e->acl[0] ? conf_acl_find(c, e->acl) : NULL;
	Gw__V1__Policy *p = aalloc(&b->a, sizeof(*p));
	const struct conf_ace *flow = NULL;

	if (p == NULL)
		return gw_fail(err, e->line, "out of memory");
	gw__v1__policy__init(p);
	p->map = (char *)m->name;
	p->seq = e->seq;
	p->kind = dyn ? GW__V1__ENTRY_KIND__KIND_DYNAMIC : e->kind == CONF_MAP_MANUAL ?
	    GW__V1__ENTRY_KIND__KIND_MANUAL : GW__V1__ENTRY_KIND__KIND_ISAKMP;
	p->peer = e->n_peers ? e->peers[0] : 0;
	p->local = local;
	p->interface = (char *)ifname;
	/* seed: a dynamic entry without an access list is ignored for filtering; one whose
	 * list is missing or empty drops its traffic (an empty permit-less policy does) */
	p->no_acl = dyn && e->acl[0] == '\0';
	p->aces = aalloc(&b->a, ((acl ? acl->n_aces : 0) + 1) * sizeof(*p->aces));
	if (p->aces == NULL)
		return gw_fail(err, e->line, "out of memory");
	for (size_t i = 0; acl != NULL && i < acl->n_aces; i++) {
		const struct conf_ace *a = &acl->aces[i];
		Gw__V1__Ace *x;

		if (a->action == CONF_ACE_REMARK)
			continue;
		if ((x = aalloc(&b->a, sizeof(*x))) == NULL)
			return gw_fail(err, e->line, "out of memory");
		gw__v1__ace__init(x);
		x->action = a->action == CONF_ACE_PERMIT ? GW__V1__ACTION__ACTION_PERMIT :
		    GW__V1__ACTION__ACTION_DENY;
		x->line = a->line;
		if ((x->sel = sel_msg(&b->a, a)) == NULL)
			return gw_fail(err, e->line, "out of memory");
		p->aces[p->n_aces++] = x;
		if (a->action == CONF_ACE_PERMIT && e->kind == CONF_MAP_MANUAL && !dyn) {
			flow = a;
			break;
		}
	}
	/* seed: a dynamic entry whose list "does not exist or is empty" drops all packets: one
	 * permit-any entry without an SA does exactly that (DROP_NO_OUT_SA, and inbound
	 * cleartext is refused by the same entry) */
	if (dyn && e->acl[0] != '\0' && p->n_aces == 0) {
		Gw__V1__Ace *x = aalloc(&b->a, sizeof(*x));
		struct conf_ace any = { .action = CONF_ACE_PERMIT, .src = { 0, 0xffffffffu },
		    .dst = { 0, 0xffffffffu }, .sport = { CONF_PORT_ANY, 0, 65535, false },
		    .dport = { CONF_PORT_ANY, 0, 65535, false }, .precedence = -1, .tos = -1 };

		if (x == NULL)
			return gw_fail(err, e->line, "out of memory");
		gw__v1__ace__init(x);
		x->action = GW__V1__ACTION__ACTION_PERMIT;
		x->line = e->line;
		if ((x->sel = sel_msg(&b->a, &any)) == NULL)
			return gw_fail(err, e->line, "out of memory");
		p->aces[p->n_aces++] = x;
	}
	if (e->kind == CONF_MAP_MANUAL && !dyn && flow != NULL) {
		const struct conf_transform_set *ts = conf_tset_find(c, e->tsets[0]);
		Gw__V1__Sa *out, *in, *esp[2] = { NULL, NULL };

		if (ts == NULL)
			return gw_fail(err, e->line, "crypto map %s %u: transform set %s is not "
			    "defined", m->name, e->seq, e->tsets[0]);
		if (e->nat_t && (ts->ah != XF_AUTH_NONE || !conf_tset_has_esp(ts) ||
		    transport_flow(ts, flow, local, e->peers[0])))
			return gw_fail(err, e->line, "crypto map %s %u: set nat-t needs ESP alone in "
			    "tunnel mode (AH cannot cross a NAT; transport over NAT-T is not "
			    "supported)", m->name, e->seq);
		if (conf_tset_has_esp(ts)) {
			if ((out = manual_sa(b, m, e, ts, CONF_DIR_OUT, CONF_PROTO_ESP, local, flow)) ==
			    NULL || (in = manual_sa(b, m, e, ts, CONF_DIR_IN, CONF_PROTO_ESP, local,
			    flow)) == NULL)
				return gw_fail(err, e->line, "out of memory");
			p->sa_out_esp = out->id;
			esp[0] = out;
			esp[1] = in;
		}
		if (ts->ah != XF_AUTH_NONE) {
			if ((out = manual_sa(b, m, e, ts, CONF_DIR_OUT, CONF_PROTO_AH, local, flow)) ==
			    NULL || (in = manual_sa(b, m, e, ts, CONF_DIR_IN, CONF_PROTO_AH, local,
			    flow)) == NULL)
				return gw_fail(err, e->line, "out of memory");
			p->sa_out_ah = out->id;
			/* AH+ESP: each SA names its partner, and datad takes the inbound ESP SA
			 * only inside its AH (an ESP cipher alone has no integrity of its own:
			 * without the AH, the bare ESP would be malleable and replayable) */
			if (esp[0] != NULL) {
				bundle(esp[0], out);
				bundle(esp[1], in);
			}
		}
	}
	if (push((void ***)&b->pol, &b->n_pol, &b->cap_pol, p) != 0)
		return gw_fail(err, e->line, "out of memory");
	return 0;
}

static int
map_set(struct build *b, const struct conf *c, const struct conf_map *m, const char *ifname,
    uint32_t local, struct gw_err *err)
{
	for (size_t i = 0; i < m->n_entries; i++) {
		const struct conf_map_entry *e = m->entries[i];
		const struct conf_map *dm;

		if (e->kind != CONF_MAP_DYNAMIC) {
			if (entry(b, c, m, e, ifname, local, false, err) != 0)
				return -1;
			continue;
		}
		if ((dm = conf_dynmap_find(c, e->dynamic)) == NULL)
			continue;		/* conf_validate refuses this */
		for (size_t j = 0; j < dm->n_entries; j++) {
			struct conf_map_entry de = *dm->entries[j];

			de.seq = e->seq;	/* the static entry's place in the order */
			if (entry(b, c, m, &de, ifname, local, true, err) != 0)
				return -1;
		}
	}
	return 0;
}

static Gw__V1__Tables *
pack_copy(const Gw__V1__Tables *t)
{
	size_t len = gw__v1__tables__get_packed_size(t);
	uint8_t *buf = malloc(len ? len : 1);
	Gw__V1__Tables *out;

	if (buf == NULL)
		return NULL;
	gw__v1__tables__pack(t, buf);
	out = gw__v1__tables__unpack(NULL, len, buf);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return out;
}

Gw__V1__Tables *
tables_copy(const Gw__V1__Tables *t)
{
	return pack_copy(t);
}

Gw__V1__Tables *
conf_compile(const struct conf *c, uint64_t gen, struct gw_err *err)
{
	Gw__V1__Tables t = GW__V1__TABLES__INIT, *out = NULL;
	struct build b;
	const char **done;
	size_t n_done = 0;

	memset(&b, 0, sizeof(b));
	if ((done = calloc(c->n_ifs + 1, sizeof(*done))) == NULL) {
		gw_fail(err, 0, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < c->n_ifs; i++) {
		const struct conf_if *ifp = c->ifs[i];
		const struct conf_map *m;
		const struct conf_if *lif;
		bool seen = false;

		if (ifp->crypto_map[0] == '\0' || ifp->shutdown)
			continue;
		if ((m = conf_map_find(c, ifp->crypto_map)) == NULL)
			continue;		/* conf_validate refuses this */
		for (size_t j = 0; j < n_done; j++)
			seen |= strcmp(done[j], m->name) == 0;
		if (seen)		/* one set on several interfaces: one SA database */
			continue;
		done[n_done++] = m->name;
		lif = m->local_address[0] ? conf_if_find(c, m->local_address) : ifp;
		if (lif == NULL || !lif->has_addr) {
			gw_fail(err, ifp->line, "interface %s: crypto map %s needs an IP address on "
			    "%s", ifp->name, m->name, lif ? lif->name : m->local_address);
			goto out;
		}
		if (map_set(&b, c, m, ifp->name, lif->addr, err) != 0)
			goto out;
	}
	t.generation = gen;
	t.policies = b.pol;
	t.n_policies = b.n_pol;
	t.sas = b.sas;
	t.n_sas = b.n_sas;
	if ((out = pack_copy(&t)) == NULL)
		gw_fail(err, 0, "out of memory");
out:
	free(done);
	free(b.pol);
	free(b.sas);
	afree(&b.a);
	return out;
}

void
sa_transform_text(const Gw__V1__Sa *sa, char *buf, size_t len)
{
	const char *c = xform_cipher_name((enum xform_cipher)sa->cipher);
	const char *a = xform_auth_name((enum xform_auth)sa->auth);
	const char *pfx = sa->proto == 51 ? "ah-" : "esp-";
	unsigned bits = (unsigned)(sa->cipher_key.len * 8);
	char cs[48] = "";

	if (sa->cipher == GW__V1__CIPHER__CIPHER_AES_GCM || sa->cipher == GW__V1__CIPHER__CIPHER_AES_GMAC)
		bits -= 32;			/* the salt */
	if (sa->cipher == GW__V1__CIPHER__CIPHER_AES_CBC || sa->cipher == GW__V1__CIPHER__CIPHER_AES_GCM ||
	    sa->cipher == GW__V1__CIPHER__CIPHER_AES_GMAC)
		snprintf(cs, sizeof(cs), "%s %u ", c, bits);
	else if (sa->proto != 51 && (sa->cipher != GW__V1__CIPHER__CIPHER_NULL || sa->auth == 0))
		snprintf(cs, sizeof(cs), "%s ", c);
	else if (sa->proto != 51)
		snprintf(cs, sizeof(cs), "esp-null ");
	if (sa->auth != GW__V1__AUTH__AUTH_NONE)
		snprintf(buf, len, "%s%s%s", cs, pfx, a);
	else
		snprintf(buf, len, "%.*s", (int)(strlen(cs) ? strlen(cs) - 1 : 0), cs);
}
