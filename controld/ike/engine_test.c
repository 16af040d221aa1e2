/* SPDX-License-Identifier: Apache-2.0 */
/* engine_test.c: two IKEv2 engines talking to each other in one process (engine_test.h), each
 * with a real SAD, through every path of the exchanges; and our responder answering
 * strongSwan 5.9.8's IKE_SA_INIT requests of testdata/.  Gateway A 198.51.100.1 protects
 * 192.0.2.0/25, gateway B 198.51.100.2 protects 192.0.2.128/25 (DESIGN "Test topology"). */
#include <inttypes.h>
#include <unistd.h>

#include "common/log.h"
#include "controld/ike/engine_test.h"
#include "controld/ike/ike_test.h"
#include "controld/ike/msg.h"

#define GW_A	0xc6336401u	/* 198.51.100.1 */
#define GW_B	0xc6336402u	/* 198.51.100.2 */

static const char *conf_a =
	"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"crypto map vpn 10 ipsec-isakmp\n"
	" match address 101\n"
	" set peer 198.51.100.2\n"
	" set transform-set AES-SHA\n"
	" set security-association lifetime seconds 120\n"
	"interface wan0\n"
	" ip address 198.51.100.1 255.255.255.0\n"
	" crypto map vpn\n";

static const char *conf_b =
	"crypto ipsec transform-set GCM esp-gcm 128\n"
	"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
	"access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127\n"
	"crypto map vpn 10 ipsec-isakmp\n"
	" match address 101\n"
	" set peer 198.51.100.1\n"
	" set transform-set GCM AES-SHA\n"
	" set security-association lifetime seconds 120\n"
	"interface wan0\n"
	" ip address 198.51.100.2 255.255.255.0\n"
	" crypto map vpn\n";

/* B as a dynamic map: no entry names A. */
/* B when A is behind a NAT (203.0.113.7). */
static const char *conf_b_nat =
	"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
	"access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127\n"
	"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 203.0.113.7\n"
	" set transform-set AES-SHA\n"
	"interface wan0\n ip address 198.51.100.2 255.255.255.0\n crypto map vpn\n";

static const char *conf_b_dyn =
	"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
	"crypto dynamic-map DYN 5\n"
	" set transform-set AES-SHA\n"
	"crypto map vpn 10 ipsec-isakmp dynamic DYN\n"
	"interface wan0\n"
	" ip address 198.51.100.2 255.255.255.0\n"
	" crypto map vpn\n";

static struct side A, B;

struct opts {
	const char	*a, *b;			/* configurations; NULL: conf_a, conf_b */
	const char	*psk_b_remote;		/* NULL: the right one */
	uint16_t	enc_b;			/* B's IKE proposal encryption; 0: AES-CBC-256 */
	uint16_t	groups_a[3];		/* A's groups; none: 19 */
	uint16_t	pfs;
	uint32_t	peer_of_b;		/* B's view of A; 0: GW_A */
	uint16_t	dpd;
	enum conf_dpd_mode dpd_mode;		/* 0: none given (periodic) */
	uint32_t	ike_life;
	uint32_t	ike_life_b;		/* B's; 0: ike_life */
};

static void
ike_prop(struct conf *c, uint16_t enc, const uint16_t *groups)
{
	struct conf_ikev2_proposal *p = t_proposal(c, "P1");

	p->encr[0] = (struct conf_ikev2_encr){ enc, enc == IKE_ENCR_CHACHA20_POLY1305 ? 0 : 256 };
	p->n_encr = 1;
	if (enc == IKE_ENCR_AES_CBC) {
		p->integ[0] = IKE_INTEG_HMAC_SHA2_256_128;
		p->n_integ = 1;
	}
	for (int i = 0; i < 3 && groups != NULL && groups[i] != 0; i++)
		p->group[p->n_group++] = groups[i];
	if (p->n_group == 0)
		p->group[p->n_group++] = IKE_DH_ECP256;
}

static void
setup(const struct opts *o)
{
	struct conf *ca = t_conf(o->a != NULL ? o->a : conf_a);
	struct conf *cb = t_conf(o->b != NULL ? o->b : conf_b);
	struct conf_ikev2_profile *pa, *pb;
	struct conf_map_entry *e;

	ike_prop(ca, IKE_ENCR_AES_CBC, o->groups_a);
	ike_prop(cb, o->enc_b != 0 ? o->enc_b : IKE_ENCR_AES_CBC, NULL);
	pa = t_peer(ca, GW_B, "a-test-secret", "a-test-secret");
	pb = t_peer(cb, o->peer_of_b != 0 ? o->peer_of_b : GW_A, "a-test-secret",
	    o->psk_b_remote != NULL ? o->psk_b_remote : "a-test-secret");
	if (o->peer_of_b != 0) {		/* behind a NAT, A still says who it is */
		pb->match_remote[1] = (struct conf_ikev2_id){ .type = CONF_ID_ADDRESS,
		    .addr = GW_A, .mask = 0xffffffffu };
		pb->n_match_remote = 2;
	}
	pa->dpd_interval = pb->dpd_interval = o->dpd;
	pa->dpd_retry = pb->dpd_retry = 2;
	pa->dpd_mode = pb->dpd_mode = o->dpd_mode;
	pa->nat_keepalive = pb->nat_keepalive = 20;
	pa->lifetime_sec = o->ike_life;
	pb->lifetime_sec = o->ike_life_b != 0 ? o->ike_life_b : o->ike_life;
	t_entry_profile(ca, "vpn", 10, "PROF");
	if ((e = t_entry(cb, "vpn", 10)) != NULL && e->kind == CONF_MAP_ISAKMP)
		t_entry_profile(cb, "vpn", 10, "PROF");
	if (o->pfs != 0) {
		t_entry(ca, "vpn", 10)->pfs = (uint8_t)o->pfs;
		t_entry(cb, "vpn", 10)->pfs = (uint8_t)o->pfs;
	}
	memset(&NET, 0, sizeof(NET));
	NET.now = 1000;
	t_side_init(&A, "A", GW_A, ca);
	t_side_init(&B, "B", GW_B, cb);
	NET.s[0] = &A;
	NET.s[1] = &B;
}

static void
teardown(void)
{
	t_side_free(&A);
	t_side_free(&B);
}

static unsigned
n_ike(const struct side *s)
{
	struct ike_stats st;

	ike_get_stats(s->ike, &st);
	return st.n_sa;
}

static void
tick(uint64_t to)
{
	NET.now = to;
	ike_tick(A.ike, NET.now);
	ike_tick(B.ike, NET.now);
	net_pump(100);
}

/* One tunnel up: an IKE SA each side and one child SA pair whose keys match. */
static void
check_up(const char *what, unsigned children)
{
	struct ike_sa_info ia, ib;
	uint64_t h = 0;

	T_EQ(n_ike(&A), 1, "%s: A has one IKE SA", what);
	T_EQ(n_ike(&B), 1, "%s: B has one IKE SA", what);
	T_OK(ike_sa_next(A.ike, &h, &ia) && ia.state == IKE_SA_ESTABLISHED, "%s: A READY", what);
	h = 0;
	T_OK(ike_sa_next(B.ike, &h, &ib) && ib.state == IKE_SA_ESTABLISHED, "%s: B READY", what);
	T_OK(memcmp(ia.spi_i, ib.spi_i, 8) == 0 && memcmp(ia.spi_r, ib.spi_r, 8) == 0,
	    "%s: same IKE SPIs", what);
	T_EQ(t_count(&A, true, true), children, "%s: A's inbound SAs", what);
	T_EQ(t_count(&A, false, true), children, "%s: A's outbound SAs", what);
	T_EQ(t_count(&B, true, true), children, "%s: B's inbound SAs", what);
	T_EQ(t_count(&B, false, true), children, "%s: B's outbound SAs", what);
	T_EQ(t_pairs(&A, &B), children, "%s: A's inbound SAs are B's outbound", what);
	T_EQ(t_pairs(&B, &A), children, "%s: B's inbound SAs are A's outbound", what);
}

/* IKE_SA_INIT, IKE_AUTH with the first child; then the child seen from both sides. */
static void
test_handshake(void)
{
	const struct sa *in;

	setup(&(struct opts){ 0 });
	T_EQ(t_acquire(&A), 0, "acquire");
	T_EQ(t_acquire(&A), 0, "a second packet of the burst");
	T_EQ(net_pump(100), 4, "IKE_SA_INIT and IKE_AUTH: four messages");
	check_up("handshake", 1);
	in = A.sad.v[0]->inbound ? A.sad.v[0] : A.sad.v[1];
	T_EQ(in->origin, SA_IKE, "origin");
	T_EQ(in->cipher, XF_CIPHER_AES_CBC, "B took A's only set");
	T_EQ(in->cipher_key.len, 32, "AES-256 key");
	T_EQ(in->auth, XF_AUTH_HMAC_SHA256_128, "SHA-256");
	T_OK(in->esn, "ESN negotiated");
	T_EQ(in->replay_window, 64, "IOS window");
	T_EQ(in->udp_encap_port, 0, "no NAT: plain ESP");
	T_EQ(in->flow.src, 0xc0000200u, "flow: our side");
	T_EQ(in->flow.dst, 0xc0000280u, "flow: theirs");
	T_EQ(in->hard.seconds, 120, "the entry's lifetime");
	T_OK(in->soft.seconds < 120, "a soft lifetime before it");
	T_STREQ(in->map, "vpn", "map");
	T_EQ(in->seq, 10, "seq");
	T_EQ(t_ctr(&A, IKE_CTR_IKE_UP), 1, "A counted");
	T_EQ(t_acquire(&A), 0, "acquire with the flow up: nothing");
	T_EQ(NET.n, 0, "nothing sent");
	teardown();
}

static void
test_wrong_psk(void)
{
	setup(&(struct opts){ .psk_b_remote = "not-the-secret" });
	t_acquire(&A);
	net_pump(100);
	T_EQ(A.sad.n + B.sad.n, 0, "wrong key: nothing installed");
	T_EQ(n_ike(&A) + n_ike(&B), 0, "and no IKE SA left");
	T_EQ(t_ctr(&B, IKE_CTR_AUTH_FAILED), 1, "B refused");
	T_EQ(t_ctr(&A, IKE_CTR_AUTH_FAILED), 1, "A was told");
	teardown();
}

static void
test_no_proposal(void)
{
	setup(&(struct opts){ .enc_b = IKE_ENCR_AES_GCM_16 });
	t_acquire(&A);
	net_pump(100);
	T_EQ(t_ctr(&B, IKE_CTR_NO_PROPOSAL), 1, "B: no proposal");
	T_EQ(t_ctr(&A, IKE_CTR_NO_PROPOSAL), 1, "A: NO_PROPOSAL_CHOSEN received");
	T_EQ(n_ike(&A) + n_ike(&B), 0, "no IKE SA");
	teardown();
}

/* Seed's mirror-image figure: Case 4 (A asks for more than B permits) is refused with the
 * IKE SA up and no child; Case 3 (A asks for less) gets A's flow. */
static void
test_ts(void)
{
	static const char *a_wide =
		"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
		"access-list 101 permit ip 192.0.2.0 0.0.0.255 192.0.2.128 0.0.0.127\n"
		"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.2\n"
		" set transform-set AES-SHA\n"
		"interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map vpn\n";
	static const char *a_narrow =
		"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
		"access-list 101 permit tcp 192.0.2.0 0.0.0.63 host 192.0.2.200\n"
		"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.2\n"
		" set transform-set AES-SHA\n"
		"interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map vpn\n";
	struct sel pkt = { .src = 0xc000020a, .src_mask = ~0u, .dst = 0xc00002c8,
	    .dst_mask = ~0u, .proto = 6, .sport_lo = 1000, .sport_hi = 1000, .dport_lo = 80,
	    .dport_hi = 80, .tos = -1, .precedence = -1 };
	const struct sa *in;

	setup(&(struct opts){ .a = a_wide });
	t_acquire(&A);
	net_pump(100);
	T_EQ(t_ctr(&B, IKE_CTR_TS_UNACCEPTABLE), 1, "Case 4: B refuses");
	T_EQ(t_ctr(&A, IKE_CTR_TS_UNACCEPTABLE), 1, "Case 4: A told");
	T_EQ(A.sad.n + B.sad.n, 0, "Case 4: no child SA");
	T_EQ(n_ike(&A), 1, "Case 4: the IKE SA stays (§1.2)");
	teardown();

	/* a deny of B's list that holds part of A's flow does not stop it (the data path keeps
	 * that part in the clear on both sides, ts.c); one that holds all of it does */
	setup(&(struct opts){ .b =
		"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
		"access-list 101 deny tcp 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127 eq 23\n"
		"access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127\n"
		"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.1\n"
		" set transform-set AES-SHA\n"
		"interface wan0\n ip address 198.51.100.2 255.255.255.0\n crypto map vpn\n" });
	t_acquire(&A);
	net_pump(100);
	check_up("a deny of part of the flow first", 1);
	teardown();
	setup(&(struct opts){ .b =
		"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
		"access-list 101 deny ip 192.0.2.128 0.0.0.255 192.0.2.0 0.0.0.255\n"
		"access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127\n"
		"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.1\n"
		" set transform-set AES-SHA\n"
		"interface wan0\n ip address 198.51.100.2 255.255.255.0\n crypto map vpn\n" });
	t_acquire(&A);
	net_pump(100);
	T_EQ(t_ctr(&B, IKE_CTR_TS_UNACCEPTABLE), 1, "a deny of the whole flow first: refused");
	T_EQ(A.sad.n + B.sad.n, 0, "a deny of the whole flow first: no child SA");
	teardown();

	/* B's list written with a wildcard that is not a prefix still holds A's /25s */
	setup(&(struct opts){ .b =
		"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
		"access-list 101 permit ip 192.0.2.128 0.0.1.127 192.0.2.0 0.0.2.127\n"
		"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.1\n"
		" set transform-set AES-SHA\n"
		"interface wan0\n ip address 198.51.100.2 255.255.255.0\n crypto map vpn\n" });
	t_acquire(&A);
	net_pump(100);
	check_up("non-contiguous wildcard", 1);
	teardown();

	setup(&(struct opts){ .a = a_narrow });
	T_EQ(ike_acquire(A.ike, "vpn", 10, &pkt, NET.now, NULL), 0, "acquire tcp");
	net_pump(100);
	check_up("Case 3", 1);
	in = B.sad.v[0]->inbound ? B.sad.v[0] : B.sad.v[1];
	T_EQ(in->flow.src, 0xc00002c8u, "Case 3: B's side is A's host");
	T_EQ(in->flow.src_mask, ~0u, "host");
	T_EQ(in->flow.dst_mask, 0xffffffc0u, "Case 3: A's /26");
	T_EQ(in->flow.proto, 6, "tcp");
	teardown();
}

static void
test_cookie(void)
{
	setup(&(struct opts){ 0 });
	ike_set_cookie_threshold(B.ike, 0);
	t_acquire(&A);
	net_pump(100);
	T_EQ(t_ctr(&B, IKE_CTR_COOKIE_SENT), 1, "B asked for a cookie once");
	check_up("cookie", 1);
	teardown();
}

static void
test_invalid_ke(void)
{
	setup(&(struct opts){ .groups_a = { IKE_DH_MODP2048, IKE_DH_ECP256 } });
	t_acquire(&A);
	net_pump(100);
	T_EQ(t_ctr(&B, IKE_CTR_INVALID_KE), 1, "B wants group 19");
	T_EQ(t_ctr(&A, IKE_CTR_INVALID_KE), 1, "A retried");
	check_up("INVALID_KE retry", 1);
	teardown();
}

/* B's IKE_AUTH response is lost: A retransmits, B answers from its cache, once installed. */
static void
test_retransmit(void)
{
	setup(&(struct opts){ 0 });
	t_acquire(&A);
	net_pump(3);			/* INIT request, response, AUTH request */
	T_EQ(NET.n, 1, "B's IKE_AUTH response queued");
	NET.drop_next = 1;
	net_pump(1);
	T_EQ(B.n_install, 1, "B installed");
	T_EQ(A.n_install, 0, "A did not");
	tick(NET.now + 1000);
	T_EQ(t_ctr(&A, IKE_CTR_RETX), 0, "not yet");
	tick(NET.now + 1000);
	T_EQ(t_ctr(&A, IKE_CTR_RETX), 1, "A retransmits after 2 s");
	T_EQ(t_ctr(&B, IKE_CTR_RESP_CACHED), 1, "B answers from the cache");
	T_EQ(B.n_install, 1, "and installs nothing twice");
	check_up("retransmission", 1);
	teardown();
}

static void
test_child_rekey(uint16_t pfs)
{
	uint32_t old_in = 0;

	setup(&(struct opts){ .pfs = pfs });
	t_acquire(&A);
	net_pump(100);
	for (size_t i = 0; i < A.sad.n; i++)
		if (A.sad.v[i]->inbound)
			old_in = A.sad.v[i]->spi;
	tick(60000);
	T_EQ(A.n_install, 1, "no rekey before the soft lifetime");
	tick(95000);			/* A's soft lifetime: 120 - 30 s after 1 s */
	T_EQ(t_ctr(&A, IKE_CTR_CHILD_REKEY), 1, "A rekeyed (pfs %u)", pfs);
	T_EQ(t_ctr(&B, IKE_CTR_CHILD_REKEY), 1, "B answered");
	T_EQ(B.n_activate, 1, "B's new outbound went into use on A's delete");
	check_up("child rekey", 1);
	for (size_t i = 0; i < A.sad.n; i++)
		T_OK(!A.sad.v[i]->inbound || A.sad.v[i]->spi != old_in, "old inbound SA gone");
	T_EQ(A.n_remove, 2, "A removed the old pair");
	T_EQ(B.n_remove, 2, "B too");
	teardown();
}

/* The responder rekeys when the initiator does not (its SA carried no traffic). */
static void
test_child_rekey_by_responder(void)
{
	setup(&(struct opts){ 0 });
	t_acquire(&A);
	net_pump(100);
	A.idle = true;
	tick(95000);
	T_EQ(t_ctr(&A, IKE_CTR_CHILD_REKEY), 0, "A: idle SA, no rekey");
	tick(107000);			/* B's soft lifetime: 120 - 15 s after 1 s */
	T_EQ(t_ctr(&B, IKE_CTR_CHILD_REKEY), 1, "B rekeyed");
	T_EQ(A.n_activate, 1, "A's new outbound went into use on B's delete");
	check_up("child rekey by the responder", 1);
	teardown();
}

/* Both ends rekey the same child at once (§2.8.1): whatever is left is consistent. */
static void
test_rekey_collision(void)
{
	unsigned n;

	setup(&(struct opts){ 0 });
	t_acquire(&A);
	net_pump(100);
	T_EQ(ike_soft_expired(A.ike, A.sad.v[0]->id, NET.now), 0, "A's soft kilobytes");
	T_EQ(ike_soft_expired(B.ike, B.sad.v[0]->id, NET.now), 0, "B's, at once");
	net_pump(100);
	tick(NET.now + 5000);
	n = t_count(&A, true, true);
	T_EQ(n, 1, "one child left of the two rekeys");
	check_up("rekey collision", 1);
	T_EQ(A.n_remove + B.n_remove, 8, "the old pair and the redundant pair, each side");
	T_EQ(t_count(&A, false, false) + t_count(&B, false, false), 0, "no outbound left larval");
	teardown();
}

/* The same as hard_lifetime.sh saw it: the kilobytes of one SA reach the soft limit on both
 * ends at once (A's outbound, B's inbound), with PFS: each end answers the other's rekey while
 * its own request, and its own PFS key pair, is out. */
static uint64_t
sa_id_of(const struct side *s, bool inbound)
{
	for (size_t i = 0; i < s->sad.n; i++)
		if (s->sad.v[i]->inbound == inbound)
			return s->sad.v[i]->id;
	return 0;
}

static void
test_rekey_collision_kb(void)
{
	setup(&(struct opts){ .pfs = 19 });
	t_acquire(&A);
	net_pump(100);
	T_EQ(ike_soft_expired(A.ike, sa_id_of(&A, false), NET.now), 0, "A's outbound: soft KB");
	T_EQ(ike_soft_expired(B.ike, sa_id_of(&B, true), NET.now), 0, "B's inbound, at once");
	net_pump(100);
	tick(NET.now + 5000);
	T_EQ(t_count(&A, true, true), 1, "one child left of the two rekeys");
	check_up("rekey collision (kilobytes)", 1);
	T_EQ(t_count(&A, false, false) + t_count(&B, false, false), 0, "no outbound left larval");
	teardown();
}

static void
test_ike_rekey(void)
{
	setup(&(struct opts){ .ike_life = 200 });
	t_acquire(&A);
	net_pump(100);
	tick(100000);			/* the child's rekey at 91 s */
	tick(185000);			/* IKE SA: 200 s - 20 s */
	T_EQ(t_ctr(&A, IKE_CTR_IKE_REKEY), 1, "A rekeyed the IKE SA");
	T_EQ(t_ctr(&B, IKE_CTR_IKE_REKEY), 1, "B too");
	check_up("IKE rekey", 1);
	/* the child under the new IKE SA still rekeys: its SK_d is right */
	tick(190000);
	tick(200000);
	T_EQ(t_ctr(&A, IKE_CTR_CHILD_REKEY), 2, "child rekey over the new IKE SA");
	check_up("child rekey after IKE rekey", 1);
	teardown();
}

/* The first IKE SA of a side (ike_sa_next order). */
static struct ike_sa_info
ike_info(const struct side *s)
{
	struct ike_sa_info in;
	uint64_t h = 0;

	memset(&in, 0, sizeof(in));
	ike_sa_next(s->ike, &h, &in);
	return in;
}

/* The next two datagrams swap places: the network reorders them. */
static void
net_swap(void)
{
	struct dgram d;

	if (NET.n < 2)
		return;
	d = NET.q[0];
	NET.q[0] = NET.q[1];
	NET.q[1] = d;
}

/* A tunnel up whose IKE SA both ends rekey in the same tick: A's lifetime 190 s rekeys at
 * 90 %, B's 180 s at 95 %: 171 s after 1 s (B_LATE: B's at 950 s, its life 1000 s).  The child
 * (120 s) was rekeyed at 91 s. */
enum { B_SAME = 180, B_LATE = 1000 };

static void
collision_setup(uint32_t life_b)
{
	setup(&(struct opts){ .ike_life = 190, .ike_life_b = life_b });
	t_acquire(&A);
	net_pump(100);
	tick(100000);
	T_EQ(t_ctr(&A, IKE_CTR_CHILD_REKEY), 1, "collision setup: the child rekeyed once");
	T_EQ(t_ctr(&A, IKE_CTR_IKE_REKEY) + t_ctr(&B, IKE_CTR_IKE_REKEY), 0, "no IKE rekey yet");
}

/* §2.8.2: both ends rekey the IKE SA at once.  Each end sees both new IKE SAs; the one made
 * by the exchange with the lowest nonce is deleted by its initiator, the children move to the
 * other, the old one goes: one IKE SA each side, the same, with the child whose keys match,
 * and a child rekey over it works (its SK_d is the same on both ends).  The nonces are random,
 * so the runs see both outcomes (A's exchange surviving, B's). */
static void
test_ike_rekey_collision(void)
{
	unsigned a_won = 0, b_won = 0;

	for (int run = 0; run < 24; run++) {
		struct ike_sa_info ia, ib, before;

		collision_setup(B_SAME);
		before = ike_info(&A);
		NET.now = 172000;
		ike_tick(A.ike, NET.now);
		ike_tick(B.ike, NET.now);
		T_EQ(NET.n, 2, "run %d: both rekey requests on the wire at once", run);
		net_pump(100);
		T_EQ(t_ctr(&A, IKE_CTR_IKE_REKEY_COLLISION), 1, "run %d: A saw the collision", run);
		T_EQ(t_ctr(&B, IKE_CTR_IKE_REKEY_COLLISION), 1, "run %d: B saw it", run);
		T_EQ(t_ctr(&A, IKE_CTR_TEMP_FAIL) + t_ctr(&B, IKE_CTR_TEMP_FAIL), 0,
		    "run %d: both rekeys answered as usual (§2.25.2)", run);
		check_up("IKE rekey collision", 1);
		ia = ike_info(&A);
		ib = ike_info(&B);
		T_OK(memcmp(ia.spi_i, before.spi_i, 8) != 0, "run %d: a new IKE SA", run);
		T_OK(ia.initiator != ib.initiator, "run %d: one end initiated the survivor", run);
		T_EQ(ia.n_children, 1, "run %d: A's child moved to it", run);
		T_EQ(ib.n_children, 1, "run %d: B's child moved to it", run);
		a_won += ia.initiator;
		b_won += ib.initiator;
		tick(191000);		/* the child's next rekey (at 100 + 90 s), over the survivor */
		T_EQ(t_ctr(&A, IKE_CTR_CHILD_REKEY), 2, "run %d: child rekey after the collision",
		    run);
		check_up("child rekey after the IKE rekey collision", 1);
		T_EQ(t_count(&A, false, false) + t_count(&B, false, false), 0,
		    "run %d: no outbound left larval", run);
		teardown();
	}
	T_OK(a_won > 0 && b_won > 0, "both outcomes seen: A's exchange %u times, B's %u",
	    a_won, b_won);
}

/* §2.8.2 and §2.25.2 out of order: A's rekey completes before B's request reaches it.  A
 * deletes the old SA and answers B's rekey of it with TEMPORARY_FAILURE; B, deleted while it
 * rekeyed, keeps the SA A's rekey made (its children there) and forgets its own. */
static void
test_ike_rekey_collision_late(void)
{
	struct ike_sa_info ia, ib;

	collision_setup(B_SAME);
	NET.now = 172000;
	ike_tick(A.ike, NET.now);
	ike_tick(B.ike, NET.now);
	net_pump(1);			/* A's request reaches B, which answers */
	net_swap();			/* B's answer overtakes B's request */
	net_pump(1);			/* A: rekeyed, deletes the old SA */
	net_pump(100);
	T_EQ(t_ctr(&A, IKE_CTR_TEMP_FAIL), 1, "A refused B's rekey of the SA it deletes");
	T_EQ(t_ctr(&B, IKE_CTR_TEMP_FAIL), 0, "and B's answer to it found no SA (deleted)");
	check_up("IKE rekey crossing the old SA's delete", 1);
	ia = ike_info(&A);
	ib = ike_info(&B);
	T_OK(ia.initiator && !ib.initiator, "the survivor is A's rekey");
	tick(191000);
	check_up("child rekey after it", 1);
	teardown();
}

/* §2.25.2: A rekeys the IKE SA while B deletes it: A answers the delete and forgets its
 * rekey, B refuses the rekey of an SA it closes.  Nothing is left on either side. */
static void
test_ike_rekey_vs_delete(void)
{
	collision_setup(B_LATE);
	NET.now = 172000;
	ike_tick(A.ike, NET.now);
	T_EQ(NET.n, 1, "A's rekey out");
	T_EQ(ike_clear_sa(B.ike, 0, NET.now), 1, "B clears the IKE SA at the same time");
	net_pump(100);
	tick(NET.now + 40000);
	T_EQ(t_ctr(&B, IKE_CTR_TEMP_FAIL), 1, "B: TEMPORARY_FAILURE to a rekey of what it closes");
	T_EQ(n_ike(&A) + n_ike(&B), 0, "no IKE SA left on either side");
	T_EQ(A.sad.n + B.sad.n, 0, "no child SA either");
	teardown();
}

/* §2.25.2: A rekeys the IKE SA while B rekeys the child: each refuses the other's with
 * TEMPORARY_FAILURE; the child rekey comes again after 2 s, the IKE rekey after 10 s, both
 * then go through. */
static void
test_ike_rekey_vs_child_rekey(void)
{
	collision_setup(B_LATE);
	NET.now = 172000;
	ike_tick(A.ike, NET.now);
	T_EQ(ike_soft_expired(B.ike, B.sad.v[0]->id, NET.now), 0, "B's child at its soft KB");
	T_EQ(NET.n, 2, "an IKE rekey and a child rekey cross");
	net_pump(100);
	T_EQ(t_ctr(&A, IKE_CTR_TEMP_FAIL), 2, "A refused B's, was refused");
	T_EQ(t_ctr(&B, IKE_CTR_TEMP_FAIL), 2, "B likewise");
	check_up("both refused", 1);
	tick(NET.now + IKE_TEMP_FAIL_MS);
	T_EQ(t_ctr(&B, IKE_CTR_CHILD_REKEY), 2, "B's child rekey again, through");
	check_up("child rekeyed", 1);
	tick(NET.now + 10000);
	T_EQ(t_ctr(&A, IKE_CTR_IKE_REKEY), 1, "A's IKE rekey again, through");
	T_EQ(t_ctr(&B, IKE_CTR_IKE_REKEY), 1, "B took it");
	check_up("IKE SA and child rekeyed", 1);
	teardown();
}

/* §2.25.2: a new flow of B (per-host) while A rekeys the IKE SA: A refuses the
 * CREATE_CHILD_SA, B refuses the IKE rekey (its own request is out); B's flow waits on the IKE
 * SA and goes 2 s later, A's rekey 10 s later; both children end on the new IKE SA. */
static void
test_ike_rekey_vs_new_child(void)
{
	struct sel pkt = { .src = 0xc00002c8, .src_mask = ~0u, .dst = 0xc000020a,
	    .dst_mask = ~0u, .proto = 1, .tos = -1, .precedence = -1 };
	struct gw_err err = { 0 };

	setup(&(struct opts){ .ike_life = 190, .ike_life_b = B_LATE, .b =
		"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
		"access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127\n"
		"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.1\n"
		" set transform-set AES-SHA\n set security-association level per-host\n"
		" set security-association lifetime seconds 120\n"
		"interface wan0\n ip address 198.51.100.2 255.255.255.0\n crypto map vpn\n" });
	t_acquire(&A);
	net_pump(100);
	tick(100000);
	NET.now = 172000;
	ike_tick(A.ike, NET.now);
	T_EQ(ike_acquire(B.ike, "vpn", 10, &pkt, NET.now, &err), 0, "B: a host pair's packet");
	T_EQ(NET.n, 2, "A's IKE rekey and B's CREATE_CHILD_SA cross");
	net_pump(100);
	T_EQ(t_ctr(&A, IKE_CTR_TEMP_FAIL), 2, "A refused B's new child, was refused its rekey");
	T_EQ(t_ctr(&B, IKE_CTR_FLOW_QUEUED), 1, "B's flow waits on the IKE SA again");
	check_up("both refused", 1);
	tick(NET.now + IKE_TEMP_FAIL_MS);
	check_up("B's flow through, no second acquire", 2);
	tick(NET.now + 10000);
	T_EQ(t_ctr(&A, IKE_CTR_IKE_REKEY), 1, "A's IKE rekey again, through");
	check_up("IKE SA rekeyed with both children", 2);
	T_EQ(ike_info(&A).n_children, 2, "both children on A's new IKE SA");
	T_EQ(ike_info(&B).n_children, 2, "and on B's");
	teardown();
}

/* §2.25.1: A rekeys a child while B deletes it: B refuses the rekey of what it closes, A
 * answers the delete with its own; the child is gone on both sides, the IKE SA stays. */
static void
test_child_rekey_vs_delete(void)
{
	setup(&(struct opts){ 0 });
	t_acquire(&A);
	net_pump(100);
	T_EQ(ike_soft_expired(A.ike, A.sad.v[0]->id, NET.now), 0, "A rekeys the child");
	T_EQ(ike_clear_child(B.ike, B.sad.v[0]->id, NET.now), 0, "B deletes it at once");
	net_pump(100);
	tick(NET.now + 5000);
	T_EQ(t_ctr(&B, IKE_CTR_TEMP_FAIL), 1, "B: TEMPORARY_FAILURE");
	T_EQ(A.sad.n + B.sad.n, 0, "no child SA left, no half of one");
	T_EQ(n_ike(&A), 1, "A's IKE SA stays");
	T_EQ(n_ike(&B), 1, "B's too");
	T_EQ(t_ctr(&A, IKE_CTR_RETX) + t_ctr(&B, IKE_CTR_RETX), 0, "nothing left unanswered");
	teardown();
}

/* Three flows (per-host pairs) acquired in the same tick, the IKE SA not up yet: the first
 * goes in IKE_AUTH, the two others wait on the IKE SA and get their CREATE_CHILD_SA as soon
 * as the exchange before them ends, with no second acquire.  Then the queue's bound. */
static void
test_pending_flows(void)
{
	static const char *a_per_host =
		"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
		"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
		"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.2\n"
		" set transform-set AES-SHA\n set security-association level per-host\n"
		"interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map vpn\n";
	struct sel pkt = { .src = 0xc000020a, .src_mask = ~0u, .dst = 0xc00002c8,
	    .dst_mask = ~0u, .proto = 1, .tos = -1, .precedence = -1 };
	struct gw_err err = { 0 };
	unsigned refused = 0;

	setup(&(struct opts){ .a = a_per_host });
	for (int i = 0; i < 3; i++) {
		pkt.src = 0xc000020a + (uint32_t)i;
		T_EQ(ike_acquire(A.ike, "vpn", 10, &pkt, NET.now, &err), 0, "acquire %d", i);
	}
	T_EQ(ike_acquire(A.ike, "vpn", 10, &pkt, NET.now, &err), 0, "the third flow again");
	T_EQ(t_ctr(&A, IKE_CTR_FLOW_QUEUED), 2, "two flows wait (the repeat is not queued)");
	T_EQ(NET.n, 1, "one IKE_SA_INIT on the wire");
	net_pump(100);
	check_up("three queued flows", 3);
	T_EQ(t_ctr(&A, IKE_CTR_CHILD_UP), 3, "three children");
	teardown();

	/* more flows than the queue holds: counted, refused, the others all come up */
	setup(&(struct opts){ .a = a_per_host });
	for (int i = 0; i < IKE_PENDING_MAX + 5; i++) {
		pkt.src = 0xc0000201 + (uint32_t)i;
		refused += ike_acquire(A.ike, "vpn", 10, &pkt, NET.now, &err) != 0;
	}
	T_EQ(t_ctr(&A, IKE_CTR_FLOW_QUEUED), IKE_PENDING_MAX, "a full queue");
	T_EQ(t_ctr(&A, IKE_CTR_FLOW_QUEUE_FULL), 4, "the flows past it counted");
	T_EQ(refused, 4, "and refused with a reason");
	net_pump(10000);
	check_up("a full queue", IKE_PENDING_MAX + 1);
	teardown();
}

static void
test_delete(void)
{
	setup(&(struct opts){ 0 });
	t_acquire(&A);
	net_pump(100);
	T_EQ(ike_clear_sa(A.ike, 0, NET.now), 1, "clear crypto ikev2 sa");
	net_pump(100);
	T_EQ(A.sad.n + B.sad.n, 0, "every SA gone on both sides");
	T_EQ(n_ike(&A) + n_ike(&B), 0, "and the IKE SAs");
	T_EQ(t_ctr(&B, IKE_CTR_DELETE_RX), 1, "B saw the delete");
	teardown();

	setup(&(struct opts){ 0 });
	t_acquire(&A);
	net_pump(100);
	T_EQ(ike_clear_child(B.ike, B.sad.v[0]->id, NET.now), 0, "clear crypto sa (B)");
	net_pump(100);
	T_EQ(A.sad.n + B.sad.n, 0, "child deleted on both sides");
	T_EQ(n_ike(&A) + n_ike(&B), 2, "IKE SA stays");
	teardown();
}

/* B dies: A's liveness checks go unanswered and A removes what it had. */
static void
test_dpd(void)
{
	uint64_t t;

	setup(&(struct opts){ .dpd = 10 });
	t_acquire(&A);
	net_pump(100);
	NET.s[1] = NULL;		/* B is gone */
	for (t = 2000; t < 200000 && A.sad.n > 0; t += 1000)
		tick(t);
	T_OK(t_ctr(&A, IKE_CTR_DPD) >= 1, "A asked");
	T_EQ(A.sad.n, 0, "A removed the dead peer's SAs");
	T_EQ(n_ike(&A), 0, "and its IKE SA");
	T_OK(t < 30000, "within 10 s of silence, then 5 tries 2 s apart (%" PRIu64 " ms)", t);
	teardown();
}

/* "dpd 10 2 on-demand" (IOS's default) asks only when A sent something and nothing came
 * back for an interval; "periodic" whenever nothing came back.  Traffic is what the workers
 * report (io.packets); an IKE message or an ESP packet from the peer both show it lives.
 * The IKE and child lifetimes outlast the 60 s looked at. */
static void
dpd_run(enum conf_dpd_mode mode, bool out, bool in, bool b_dead)
{
	uint64_t t;

	setup(&(struct opts){ .dpd = 10, .dpd_mode = mode, .ike_life = 3600,
	    .a = "crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
		"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
		"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.2\n"
		" set transform-set AES-SHA\n set security-association lifetime seconds 600\n"
		"interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map vpn\n" });
	t_acquire(&A);
	net_pump(100);
	if (b_dead)
		NET.s[1] = NULL;
	for (t = 2000; t <= 61000; t += 1000) {
		A.pkts_out += out;	/* a worker's report: packets sent, received */
		A.pkts_in += in;
		NET.now = t;
		ike_tick(A.ike, t);
		if (!b_dead)
			ike_tick(B.ike, t);
		net_pump(100);
	}
}

static void
test_dpd_modes(void)
{
	dpd_run(CONF_DPD_ON_DEMAND, false, false, true);
	T_EQ(t_ctr(&A, IKE_CTR_DPD), 0, "on-demand, nothing to send: no liveness check");
	T_EQ(n_ike(&A), 1, "on-demand, idle: the dead peer's SA stays (as IOS)");
	teardown();
	dpd_run(CONF_DPD_ON_DEMAND, true, false, true);
	T_OK(t_ctr(&A, IKE_CTR_DPD) >= 1, "on-demand, sending into silence: asked");
	T_EQ(n_ike(&A), 0, "and the dead peer's IKE SA removed");
	T_EQ(A.sad.n, 0, "with its child SAs");
	teardown();
	dpd_run(CONF_DPD_ON_DEMAND, true, true, false);
	T_EQ(t_ctr(&A, IKE_CTR_DPD), 0, "on-demand, traffic both ways: no liveness check");
	teardown();
	dpd_run(CONF_DPD_ON_DEMAND, true, false, false);
	T_OK(t_ctr(&A, IKE_CTR_DPD) >= 5, "on-demand, one way: asked every interval (%" PRIu64 ")",
	    t_ctr(&A, IKE_CTR_DPD));
	check_up("on-demand, the peer answers", 1);
	teardown();
	dpd_run(CONF_DPD_PERIODIC, false, false, false);
	T_OK(t_ctr(&A, IKE_CTR_DPD) >= 5, "periodic, idle: asked every interval (%" PRIu64 ")",
	    t_ctr(&A, IKE_CTR_DPD));
	check_up("periodic, the peer answers", 1);
	teardown();
	dpd_run(CONF_DPD_PERIODIC, false, true, false);
	T_EQ(t_ctr(&A, IKE_CTR_DPD), 0, "periodic, ESP coming in: no liveness check");
	teardown();
	dpd_run(CONF_DPD_PERIODIC, false, false, true);
	T_EQ(n_ike(&A), 0, "periodic: the dead peer's IKE SA removed");
	teardown();
}

static void
test_nat(void)
{
	struct ike_sa_info in;
	uint64_t h = 0;

	setup(&(struct opts){ .b = conf_b_nat, .peer_of_b = NAT_ADDR });
	NET.nat = true;
	t_acquire(&A);
	net_pump(100);
	check_up("NAT", 1);
	for (size_t i = 0; i < A.sad.n; i++)
		T_EQ(A.sad.v[i]->udp_encap_port, 4500, "A: UDP encapsulation, to B's 4500");
	for (size_t i = 0; i < B.sad.n; i++)
		T_EQ(B.sad.v[i]->udp_encap_port, B.sad.v[i]->inbound ? 4500 : 4097,
		    "B: UDP encapsulation, out to the port A's NAT mapped (4097), in on 4500");
	T_OK(ike_sa_next(A.ike, &h, &in) && in.nat && in.lport == 4500 && in.rport == 4500,
	    "A floated to 4500");
	h = 0;
	T_OK(ike_sa_next(B.ike, &h, &in) && in.nat && in.rport == 4097,
	    "B follows A's NAT mapping of 4500");
	/* nat keepalive 20: A, behind the NAT, keeps its binding; B is not behind one */
	NET.n = 0;
	NET.now += 21000;
	ike_tick(B.ike, NET.now);
	T_EQ(NET.n, 0, "B sends no keepalive");
	ike_tick(A.ike, NET.now);
	T_OK(NET.n == 1 && NET.q[0].len == 1 && NET.q[0].b[0] == 0xff && NET.q[0].sport == 4500,
	    "A's NAT-keepalive");
	NET.n = 0;

	teardown();
}

/* The out SA of s (the one child's). */
static const struct sa *
sa_out(const struct side *s)
{
	for (size_t i = 0; i < s->sad.n; i++)
		if (!s->sad.v[i]->inbound)
			return s->sad.v[i];
	return NULL;
}

/* The liveness checks after 10 s of silence: each side's next message. */
static void
dpd_round(void)
{
	uint64_t end = NET.now + 12000;

	while (NET.now < end)
		tick(NET.now + 1000);
}

/* §2.23: A's NAT drops its mapping and makes another; B, not behind a NAT, follows at A's next
 * authenticated message, not at an old one; A's child SAs at B go out to the new port in place
 * (same SA, same id), or as a new pair of the same keys when the address changed too. */
static void
test_nat_move(void)
{
	struct ike_sa_info in;
	struct dgram auth;
	uint64_t h = 0, out_id;

	setup(&(struct opts){ .b = conf_b_nat, .peer_of_b = NAT_ADDR, .dpd = 10 });
	NET.nat = true;
	t_acquire(&A);
	net_pump(2);				/* IKE_SA_INIT both ways */
	auth = NET.q[0];			/* A's IKE_AUTH request, kept for a replay */
	net_pump(100);
	check_up("NAT move", 1);
	T_EQ(sa_out(&B)->udp_encap_port, 4097, "B sends to the port A's NAT mapped");
	out_id = sa_out(&B)->id;

	NET.nat_shift = 1;			/* A's NAT: 4500 -> 4099 from now */
	dpd_round();
	T_EQ(t_ctr(&B, IKE_CTR_PEER_MOVED), 1, "B saw A's new mapping once");
	T_OK(ike_sa_next(B.ike, &h, &in) && in.remote == NAT_ADDR && in.rport == 4099,
	    "B's IKE SA now to 4099");
	T_EQ(sa_out(&B)->udp_encap_port, 4099, "B's child SA follows");
	T_EQ(sa_out(&B)->id, out_id, "the same SA, republished");
	T_EQ(B.n_port, 1, "told the host once");
	T_EQ(B.n_install, 1, "nothing installed again");
	check_up("NAT moved", 1);

	NET.nat_shift = 0;			/* an old message through the old mapping */
	NET.q[0] = auth;
	NET.n = 1;
	net_pump(100);
	NET.nat_shift = 1;
	h = 0;
	T_OK(ike_sa_next(B.ike, &h, &in) && in.rport == 4099 && sa_out(&B)->udp_encap_port == 4099,
	    "an old message from the old port moves nothing back");
	T_EQ(t_ctr(&B, IKE_CTR_PEER_MOVED), 1, "(still once)");

	NET.nat_addr = NAT_ADDR + 1;		/* another address and port: 203.0.113.8:4101 */
	NET.nat_shift = 2;
	dpd_round();
	T_EQ(t_ctr(&B, IKE_CTR_PEER_MOVED), 2, "B saw A's new address");
	h = 0;
	T_OK(ike_sa_next(B.ike, &h, &in) && in.remote == NAT_ADDR + 1 && in.rport == 4101,
	    "B's IKE SA now to 203.0.113.8:4101");
	T_OK(sa_out(&B)->peer == NAT_ADDR + 1 && sa_out(&B)->udp_encap_port == 4101,
	    "B's child SA to the new address and port");
	T_OK(sa_out(&B)->id != out_id, "a new SA id (the peer is part of it)");
	T_EQ(B.n_remove, 2, "the old pair removed");
	T_EQ(B.n_install, 2, "the same keys installed again");
	check_up("NAT address moved", 1);
	teardown();
}

/* A's (a) or B's configuration for the two gateways' own traffic (access-list 102, host to
 * host), its transform set in mode (tunnel or transport). */
static char *
conf_host(char *buf, size_t len, bool a, const char *mode)
{
	snprintf(buf, len,
	    "crypto ipsec transform-set TR esp-aes 256 esp-sha256-hmac\n"
	    " mode %s\n"
	    "access-list 102 permit ip host 198.51.100.%d host 198.51.100.%d\n"
	    "crypto map vpn 10 ipsec-isakmp\n match address 102\n set peer 198.51.100.%d\n"
	    " set transform-set TR\n"
	    "interface wan0\n ip address 198.51.100.%d 255.255.255.0\n crypto map vpn\n",
	    mode, a ? 1 : 2, a ? 2 : 1, a ? 2 : 1, a ? 1 : 2);
	return buf;
}

/* Traffic from gateway s to the other one's own address: acquire on s. */
static int
acquire_host(struct side *s)
{
	struct sel pkt = { .src = s->addr, .src_mask = ~0u, .dst = s->addr == GW_A ? GW_B : GW_A,
	    .dst_mask = ~0u, .proto = 1, .tos = -1, .precedence = -1 };
	struct gw_err err = { 0 };

	return ike_acquire(s->ike, "vpn", 10, &pkt, NET.now, &err);
}

/* Every SA of s in mode m? */
static bool
all_mode(const struct side *s, enum sa_mode m)
{
	for (size_t i = 0; i < s->sad.n; i++)
		if (s->sad.v[i]->mode != m)
			return false;
	return s->sad.n > 0;
}

/* USE_TRANSPORT_MODE (§1.3.1): asked by an entry whose transform sets are all "mode
 * transport" for the gateways' own traffic; granted by a responder whose chosen set is in
 * transport mode (a tunnel set answers tunnel; a transport set takes tunnel when asked, IOS). */
static void
test_transport(void)
{
	static const struct { const char *ma, *mb; bool tr; const char *what; } cases[] = {
		{ "transport", "transport", true, "both transport" },
		{ "transport", "tunnel", false, "B's tunnel set refuses transport" },
		{ "tunnel", "transport", false, "A asks tunnel: B's transport set takes it" },
	};
	char ca[1024], cb[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum sa_mode m = cases[i].tr ? SA_TRANSPORT : SA_TUNNEL;

		setup(&(struct opts){ .a = conf_host(ca, sizeof(ca), true, cases[i].ma),
		    .b = conf_host(cb, sizeof(cb), false, cases[i].mb) });
		T_EQ(acquire_host(&A), 0, "%s: acquire", cases[i].what);
		net_pump(100);
		check_up(cases[i].what, 1);
		T_OK(all_mode(&A, m) && all_mode(&B, m), "%s: %s mode on both", cases[i].what,
		    cases[i].tr ? "transport" : "tunnel");
		if (!cases[i].tr) {
			teardown();
			continue;
		}
		/* a rekey keeps the mode (CREATE_CHILD_SA, A asks, B grants) */
		NET.now += 1000;
		T_EQ(ike_soft_expired(A.ike, A.sad.v[1]->id, NET.now), 0, "A rekeys");
		net_pump(100);
		check_up("transport rekeyed", 1);
		T_OK(all_mode(&A, SA_TRANSPORT) && all_mode(&B, SA_TRANSPORT),
		    "transport rekeyed: still transport");
		/* a new child from B over the IKE SA (A the responder of CREATE_CHILD_SA) */
		T_EQ(ike_clear_child(A.ike, A.sad.v[0]->id, NET.now), 0, "A deletes the child");
		net_pump(100);
		T_EQ(acquire_host(&B), 0, "B's own traffic: acquire");
		net_pump(100);
		check_up("transport from B", 1);
		T_OK(all_mode(&A, SA_TRANSPORT) && all_mode(&B, SA_TRANSPORT),
		    "transport from B: transport on both");
		/* a restart adopts the mode */
		T_EQ(t_restart(&B, NET.now), 0, "B restarts");
		T_OK(all_mode(&B, SA_TRANSPORT), "B's adopted SAs in transport mode");
		teardown();
	}
	/* a transport set for a flow that is not the gateways' own: tunnel (seed) */
	setup(&(struct opts){ .a = "crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
	    " mode transport\n"
	    "access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	    "crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.2\n"
	    " set transform-set AES-SHA\n"
	    "interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map vpn\n" });
	t_acquire(&A);
	net_pump(100);
	check_up("transport set, subnets", 1);
	T_OK(all_mode(&A, SA_TUNNEL) && all_mode(&B, SA_TUNNEL), "subnets: tunnel mode");
	teardown();
}

static void
test_dynamic(void)
{
	const struct sa *in;

	setup(&(struct opts){ .b = conf_b_dyn });
	/* B names no peer: "match identity remote address 0.0.0.0 0.0.0.0" and a keyring
	 * peer of that range answer A */
	B.conf->ikev2_profiles[0]->match_remote[0].addr = 0;
	B.conf->ikev2_profiles[0]->match_remote[0].mask = 0;
	B.conf->ikev2_keyrings[0]->peers[0]->addr = 0;
	B.conf->ikev2_keyrings[0]->peers[0]->mask = 0;
	t_acquire(&A);
	net_pump(100);
	check_up("dynamic map", 1);
	in = B.sad.v[0];
	T_STREQ(in->map, "vpn", "the dynamic entry's map");
	T_EQ(in->flow.src, 0xc0000280u, "A's flow, mirrored");
	teardown();
}

/* The first "set peer" does not answer: after its retransmissions the next one is tried;
 * show crypto ikev2 sa then lists the tunnel. */
static void
test_next_peer(void)
{
	static const char *a_two =
		"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
		"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
		"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.9\n"
		" set peer 198.51.100.2\n set transform-set AES-SHA\n"
		"interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map vpn\n";
	char buf[4096] = "";
	FILE *f;
	uint64_t t;

	setup(&(struct opts){ .a = a_two });
	t_acquire(&A);
	for (t = 2000; t < 200000 && n_ike(&B) == 0; t += 1000)
		tick(t);
	T_EQ(t_ctr(&A, IKE_CTR_TIMEOUT), 1, "the first peer given up");
	T_OK(t <= 32000, "after 30 s (%" PRIu64 " ms)", t);
	check_up("next peer", 1);
	if ((f = fmemopen(buf, sizeof(buf) - 1, "w")) != NULL) {
		ike_show_sa(A.ike, true, NET.now, f);
		fclose(f);
	}
	T_OK(strstr(buf, "198.51.100.2/500") != NULL && strstr(buf, "READY") != NULL &&
	    strstr(buf, "Encr: AES-CBC, keysize: 256") != NULL &&
	    strstr(buf, "Remote id: 198.51.100.2") != NULL, "show crypto ikev2 sa detail:\n%s",
	    buf);
	teardown();
}

/* debug crypto ikev2 keys: the IKE SA's keys and the child's, in the log only when asked. */
static void
test_debug_keys(void)
{
	char path[] = "/tmp/ike_engine_test.XXXXXX", line[1024], want[64], spi[9];
	int fd = mkstemp(path), saved = dup(2);
	enum log_level was = log_level;
	unsigned n_ike = 0, n_child = 0, n_spi = 0;
	FILE *f;

	setup(&(struct opts){ 0 });
	ike_set_debug_keys(A.ike, true);
	log_init("ike_engine_test", LOG_LVL_DEBUG);
	dup2(fd, 2);
	t_acquire(&A);
	net_pump(100);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	log_init("ike_engine_test", was);
	snprintf(spi, sizeof(spi), "%08x", A.sad.v[0]->spi);
	snprintf(want, sizeof(want), "encr ");
	for (int i = 0; i < A.sad.v[0]->cipher_key.len && i < 8; i++)
		snprintf(want + 5 + 2 * i, 3, "%02x", A.sad.v[0]->cipher_key.b[i]);
	if ((f = fdopen(fd, "r")) != NULL) {
		rewind(f);
		while (fgets(line, sizeof(line), f) != NULL) {
			n_ike += strstr(line, "ikev2 keys ") != NULL && strstr(line, "sk_ei ") != NULL;
			n_child += strstr(line, "ikev2 child keys ") != NULL;
			n_spi += strstr(line, spi) != NULL && strstr(line, want) != NULL;
		}
		fclose(f);
	}
	unlink(path);
	T_EQ(n_ike, 1, "A logged its IKE SA's keys, once");
	T_EQ(n_child, 2, "and the child's, both directions");
	T_EQ(n_spi, 1, "the child's key as installed");
	teardown();
}

/* controld restarts (kill -9 after a save): the peer notices nothing, the same SAs are
 * back, and the next rekey and the delete work (message IDs and keys carried over). */
static void
test_restart(void)
{
	uint32_t spis[4] = { 0 }, after[4] = { 0 };
	uint64_t sent, born;

	setup(&(struct opts){ .ike_life = 200 });
	t_acquire(&A);
	net_pump(100);
	for (size_t i = 0; i < A.sad.n && i < 4; i++)
		spis[i] = A.sad.v[i]->spi;
	born = A.sad.n ? A.sad.v[0]->added_ms : 0;
	T_OK(born != 0, "the child has its birth time");
	tick(5000);
	sent = t_ctr(&B, IKE_CTR_TX);
	T_EQ(ike_load_file(A.ike, "/nonexistent/ike.state", NET.now, NULL), 0,
	    "no state file: a first start");
	T_EQ(t_restart(&A, NET.now), 0, "A adopts its saved state (a 0600 file)");
	T_EQ(A.n_install, 2, "the child given to the SAD again");
	for (size_t i = 0; i < A.sad.n && i < 4; i++)
		after[i] = A.sad.v[i]->spi;
	T_OK(memcmp(spis, after, sizeof(spis)) == 0, "same SPIs after the restart");
	T_OK(A.sad.n && A.sad.v[0]->added_ms + 1000 > born && A.sad.v[0]->added_ms < born + 1000,
	    "born when it was made (%llu), not at the restart 5 s later (%llu): the workers' "
	    "hard deadline", (unsigned long long)born,
	    (unsigned long long)(A.sad.n ? A.sad.v[0]->added_ms : 0));
	check_up("after the restart", 1);
	T_EQ(t_ctr(&B, IKE_CTR_TX), sent, "B saw nothing");
	tick(95000);
	T_EQ(t_ctr(&A, IKE_CTR_CHILD_REKEY), 1, "the next child rekey works");
	check_up("rekey after the restart", 1);
	T_EQ(t_restart(&B, NET.now), 0, "B restarts too");
	tick(185000);
	T_EQ(t_ctr(&B, IKE_CTR_IKE_REKEY), 1, "the IKE SA rekey works after B's restart");
	check_up("IKE rekey after the restart", 1);
	T_EQ(ike_clear_sa(A.ike, 0, NET.now), 1, "clear");
	net_pump(100);
	T_EQ(A.sad.n + B.sad.n, 0, "the delete works");
	teardown();
}

/* A catch-all peer "address 0.0.0.0 0.0.0.0" with another key put first in keyring KR of c. */
static void
catch_all_first(struct conf *c, const char *psk)
{
	struct conf_ikev2_keyring *kr = c->ikev2_keyrings[0];
	struct conf_ikev2_peer *any = t_push(&kr->peers, &kr->n_peers, sizeof(*any));

	memmove(&kr->peers[1], &kr->peers[0], (kr->n_peers - 1) * sizeof(kr->peers[0]));
	kr->peers[0] = any;
	snprintf(any->name, sizeof(any->name), "ANY");
	any->has_addr = true;
	any->addr = any->mask = 0;
	any->psk_local.len = any->psk_remote.len = (uint16_t)strlen(psk);
	memcpy(any->psk_local.b, psk, any->psk_local.len);
	memcpy(any->psk_remote.b, psk, any->psk_remote.len);
}

/* IOS picks the keyring peer with the longest mask holding the address, not the first: with
 * "address 0.0.0.0 0.0.0.0" and another key before each side's host entry, the host entries'
 * key is used on both sides (first-match would refuse AUTH). */
static void
test_keyring_longest(void)
{
	setup(&(struct opts){ 0 });
	catch_all_first(A.conf, "the-catch-all-key");
	catch_all_first(B.conf, "another-catch-all");
	t_acquire(&A);
	net_pump(100);
	T_EQ(t_ctr(&B, IKE_CTR_AUTH_FAILED) + t_ctr(&A, IKE_CTR_AUTH_FAILED), 0,
	    "keyring: the /32 peer's key, not the catch-all's");
	check_up("keyring longest match", 1);
	teardown();
}

/* strongSwan's IKE_SA_INIT requests (testdata/) answered by our responder. */
static void
test_strongswan(void)
{
	const char *src = getenv("GW_SRC");
	static const char *files[] = { "charon-aes128-sha256-modp2048.txt",
	    "charon-3des-sha384-modp1536.txt", "charon-aes192-sha1-prfaesxcbc-modp1024.txt",
	    "charon-aes256-sha512-ecp521.txt", "charon-aes256gcm16-prfsha384-ecp384.txt",
	    "charon-chacha20poly1305-prfsha512-curve25519.txt" };
	static const struct conf_ikev2_encr encs[] = { { IKE_ENCR_AES_CBC, 128 },
	    { IKE_ENCR_AES_CBC, 192 }, { IKE_ENCR_AES_CBC, 256 }, { IKE_ENCR_3DES, 0 } };
	static struct ike_msg m;

	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		struct conf_ikev2_proposal *p, *q;
		char path[1024];
		struct vec v;
		size_t len = 0;
		const uint8_t *msg0;
		const struct ike_payload *ke, *ke0;
		struct ike_msg m0;

		setup(&(struct opts){ 0 });
		/* every algorithm of the files, in two proposals of B */
		p = t_proposal(B.conf, "ALL");
		q = t_proposal(B.conf, "AEAD");
		for (size_t i = 0; i < 4; i++)
			p->encr[p->n_encr++] = encs[i];
		p->integ[p->n_integ++] = IKE_INTEG_HMAC_SHA1_96;
		p->integ[p->n_integ++] = IKE_INTEG_HMAC_SHA2_256_128;
		p->integ[p->n_integ++] = IKE_INTEG_HMAC_SHA2_384_192;
		p->integ[p->n_integ++] = IKE_INTEG_HMAC_SHA2_512_256;
		p->prf[p->n_prf++] = IKE_PRF_AES128_XCBC;
		p->prf[p->n_prf++] = IKE_PRF_HMAC_SHA1;
		p->prf[p->n_prf++] = IKE_PRF_HMAC_SHA2_256;
		p->prf[p->n_prf++] = IKE_PRF_HMAC_SHA2_384;
		p->prf[p->n_prf++] = IKE_PRF_HMAC_SHA2_512;
		q->encr[q->n_encr++] = (struct conf_ikev2_encr){ IKE_ENCR_AES_GCM_16, 256 };
		q->encr[q->n_encr++] = (struct conf_ikev2_encr){ IKE_ENCR_CHACHA20_POLY1305, 0 };
		q->prf[q->n_prf++] = IKE_PRF_HMAC_SHA2_384;
		q->prf[q->n_prf++] = IKE_PRF_HMAC_SHA2_512;
		for (uint16_t g = 0; g < 7; g++) {
			static const uint16_t gs[] = { 2, 5, 14, 19, 20, 21, 31 };

			p->group[p->n_group++] = gs[g];
			q->group[q->n_group++] = gs[g];
		}
		snprintf(path, sizeof(path), "%s/controld/ike/testdata/%s",
		    src != NULL ? src : ".", files[f]);
		if (vec_load(&v, path) != 0 || (msg0 = vec_get(&v, "msg0", &len)) == NULL) {
			T_OK(false, "%s: cannot load (GW_SRC?)", path);
			teardown();
			continue;
		}
		NET.s[0] = NULL;		/* charon is A: the answer goes nowhere */
		ike_input(B.ike, GW_B, 500, GW_A, 500, msg0, len, NET.now);
		T_EQ(NET.n, 1, "%s: B answered", files[f]);
		T_EQ(ike_msg_parse(&m0, msg0, len), IKE_PERR_OK, "%s: request", files[f]);
		T_EQ(ike_msg_parse(&m, NET.last.b, NET.last.len), IKE_PERR_OK, "%s: parses",
		    files[f]);
		ke = ike_msg_find(&m, IKE_PL_KE, NULL);
		ke0 = ike_msg_find(&m0, IKE_PL_KE, NULL);
		T_OK(m.hdr.exchange == IKE_SA_INIT && (m.hdr.flags & IKE_F_RESPONSE) &&
		    ike_msg_find(&m, IKE_PL_SA, NULL) != NULL && ke != NULL && ke0 != NULL &&
		    ike_msg_find(&m, IKE_PL_NONCE, NULL) != NULL &&
		    ike_msg_find_notify(&m, IKE_N_NAT_DETECTION_SOURCE_IP) != NULL &&
		    ike_msg_find_notify(&m, IKE_N_NAT_DETECTION_DESTINATION_IP) != NULL,
		    "%s: SAr1, KEr, Nr, NAT-D", files[f]);
		T_OK(ke != NULL && ke0 != NULL && ke->u.ke.group == ke0->u.ke.group,
		    "%s: KE of charon's group", files[f]);
		T_EQ(t_ctr(&B, IKE_CTR_MALFORMED), 0, "%s: nothing refused", files[f]);
		/* the same request again: the same answer, from the cache */
		ike_input(B.ike, GW_B, 500, GW_A, 500, msg0, len, NET.now);
		T_EQ(t_ctr(&B, IKE_CTR_RESP_CACHED), 1, "%s: retransmission answered from the cache",
		    files[f]);
		vec_free(&v);
		NET.n = 0;
		teardown();
	}
}

int
main(void)
{
	if (getenv("IKE_DEBUG") != NULL)	/* debug crypto ikev2, on stderr */
		log_init("ike_engine_test", LOG_LVL_DEBUG);
	test_handshake();
	test_wrong_psk();
	test_no_proposal();
	test_ts();
	test_cookie();
	test_invalid_ke();
	test_retransmit();
	test_child_rekey(0);
	test_child_rekey(IKE_DH_ECP256);
	test_child_rekey_by_responder();
	test_rekey_collision();
	test_rekey_collision_kb();
	test_ike_rekey();
	test_ike_rekey_collision();
	test_ike_rekey_collision_late();
	test_ike_rekey_vs_delete();
	test_ike_rekey_vs_child_rekey();
	test_ike_rekey_vs_new_child();
	test_child_rekey_vs_delete();
	test_pending_flows();
	test_delete();
	test_dpd();
	test_dpd_modes();
	test_nat();
	test_nat_move();
	test_transport();
	test_dynamic();
	test_next_peer();
	test_debug_keys();
	test_restart();
	test_keyring_longest();
	test_strongswan();
	return t_done();
}
