/* SPDX-License-Identifier: Apache-2.0 */
/* v1engine_test.c: two IKEv1 engines talking to each other in one process (engine_test.h),
 * each with a real SAD, configured with IOS 11.3's crypto isakmp lines: what the strongSwan
 * tests cannot drive in seconds.  Gateway A 198.51.100.1 protects 192.0.2.0/25, gateway B
 * 198.51.100.2 protects 192.0.2.128/25.
 *   - main mode and quick mode on an acquire; a lost message retransmitted
 *   - a wrong pre-shared key: no SA on either side, counted
 *   - the phase 1 lifetime: a new main mode at 90 %, the IPsec SAs move to it, the old ISAKMP
 *     SA deleted at its end, the IPsec SAs untouched all along
 *   - a quick mode rekey at the soft lifetime (make before break: A's new outbound waits
 *     V1_ACTIVATE_MS), the old pair deleted after the drain
 *   - controld restarted: the ISAKMP SA adopted with its keys and IV, a quick mode over it
 *   - clear crypto isakmp: the peer's ISAKMP SA goes, the IPsec SAs stay
 *   - DPD: a silent peer found dead after the keepalive and five retries
 *   - behind a NAT: NAT-T, UDP encapsulation, crypto isakmp nat keepalive */
#include <inttypes.h>

#include "common/log.h"
#include "controld/ike/engine_test.h"

#define GW_A	0xc6336401u	/* 198.51.100.1 */
#define GW_B	0xc6336402u	/* 198.51.100.2 */

static const char *conf_a =
	"crypto isakmp policy 10\n encryption aes\n hash sha\n authentication pre-share\n"
	" group 14\n lifetime 60\n"
	"crypto isakmp key k-v1-test address 198.51.100.2\n"
	"crypto isakmp keepalive 10 2 periodic\n"
	"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"crypto map vpn 10 ipsec-isakmp\n"
	" match address 101\n set peer 198.51.100.2\n set transform-set AES-SHA\n"
	" set pfs group14\n"
	" set security-association lifetime seconds 600\n"
	"interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map vpn\n";

static const char *conf_b =
	"crypto isakmp policy 10\n encryption aes\n hash sha\n authentication pre-share\n"
	" group 14\n lifetime 60\n"
	"crypto isakmp key k-v1-test address 198.51.100.1\n"
	"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
	"access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127\n"
	"crypto map vpn 10 ipsec-isakmp\n"
	" match address 101\n set peer 198.51.100.1\n set transform-set AES-SHA\n"
	" set security-association lifetime seconds 600\n"
	"interface wan0\n ip address 198.51.100.2 255.255.255.0\n crypto map vpn\n";

static struct side A, B;

static void
setup(const char *b_text)
{
	t_net_start(&A, &B, 1000000);
	t_side_init(&A, "A", GW_A, t_conf(conf_a));
	t_side_init(&B, "B", GW_B, t_conf(b_text != NULL ? b_text : conf_b));
}

static void
teardown(void)
{
	t_side_free(&A);
	t_side_free(&B);
}

/* ISAKMP SAs of s in state QM_IDLE, and all of them. */
static unsigned
isakmp(const struct side *s, unsigned *all)
{
	struct ike_sa_info in;
	uint64_t h = 0;
	unsigned n = 0, k = 0;

	while (ike_sa_next(s->ike, &h, &in)) {
		if (in.version != 1)
			continue;
		k++;
		if (strcmp(in.v1_state, "QM_IDLE") == 0)
			n++;
	}
	if (all != NULL)
		*all = k;
	return n;
}

/* Time passes: both engines' timers, the datagrams they make carried, in steps of ms. */
static void
run_for(uint64_t ms, uint64_t step)
{
	for (uint64_t t = 0; t < ms; t += step) {
		NET.now += step;
		ike_tick(A.ike, NET.now);
		ike_tick(B.ike, NET.now);
		net_pump(200);
	}
}

static uint32_t
inbound_spi(const struct side *s)
{
	for (size_t i = 0; i < s->sad.n; i++)
		if (s->sad.v[i]->inbound)
			return s->sad.v[i]->spi;
	return 0;
}

static void
test_up(void)
{
	setup(NULL);
	T_EQ(t_acquire(&A), 0, "acquire starts main mode");
	NET.drop_next = 1;			/* message 1 lost: A retransmits it */
	net_pump(100);
	T_EQ(isakmp(&A, NULL), 0, "nothing up while message 1 is lost");
	run_for(2500, 500);
	T_EQ(t_ctr(&A, IKE_CTR_RETX), 1, "A retransmitted message 1 once");
	T_EQ(isakmp(&A, NULL), 1, "A: one ISAKMP SA QM_IDLE");
	T_EQ(isakmp(&B, NULL), 1, "B: one ISAKMP SA QM_IDLE");
	T_EQ(t_pairs(&A, &B), 1, "A's inbound SA is B's outbound (keys, SPI, flow)");
	T_EQ(t_pairs(&B, &A), 1, "and the other way");
	T_EQ(t_count(&A, false, true) + t_count(&B, false, true), 2, "both outbound SAs in use");
	teardown();
}

static void
test_wrong_psk(void)
{
	char text[2048];
	const char *k = strstr(conf_b, "k-v1-test");

	snprintf(text, sizeof(text), "%.*sk-v1-TEST%s", (int)(k - conf_b), conf_b, k + 9);
	setup(text);
	T_EQ(t_acquire(&A), 0, "acquire");
	net_pump(100);
	run_for(1000, 500);
	T_EQ(isakmp(&A, NULL) + isakmp(&B, NULL), 0, "wrong key: no ISAKMP SA up");
	T_EQ(A.sad.n + B.sad.n, 0u, "and no IPsec SA");
	T_OK(t_ctr(&B, IKE_CTR_AUTH_FAILED) >= 1, "B counted the failed authentication");
	teardown();
}

static void
test_phase1_life(void)
{
	uint32_t a_in, b_in;
	unsigned all;

	setup(NULL);
	T_EQ(t_acquire(&A), 0, "acquire");
	net_pump(100);
	a_in = inbound_spi(&A);
	b_in = inbound_spi(&B);
	T_OK(a_in != 0 && b_in != 0, "up");
	run_for(55000, 1000);		/* 90 % of 60 s: A starts the next main mode */
	T_EQ(isakmp(&A, &all), 2, "A: a second ISAKMP SA up before the first ends (%u)", all);
	T_EQ(isakmp(&B, NULL), 2, "B: the same");
	run_for(12000, 1000);		/* the old one's end */
	T_EQ(isakmp(&A, &all), 1, "A: one ISAKMP SA left (%u in all)", all);
	T_EQ(isakmp(&B, &all), 1, "B: one left (%u in all)", all);
	T_EQ(inbound_spi(&A), a_in, "A: the same IPsec SAs all along");
	T_EQ(inbound_spi(&B), b_in, "B: the same");
	T_EQ(t_pairs(&A, &B) + t_pairs(&B, &A), 2, "still paired");
	/* the IPsec SAs now hang on the new ISAKMP SA: a quick mode over it */
	T_EQ(ike_soft_expired(A.ike, A.sad.v[0]->id, NET.now), 0, "A: soft kilobytes of its SA");
	net_pump(100);
	run_for(3000, 500);		/* V1_ACTIVATE_MS, then the drain and the delete */
	T_OK(inbound_spi(&A) != a_in, "A: a new pair by quick mode over the new ISAKMP SA");
	T_EQ(A.sad.n, 2u, "A: the old pair deleted after the drain");
	T_EQ(B.sad.n, 2u, "B: the same (it took A's delete)");
	T_EQ(t_pairs(&A, &B) + t_pairs(&B, &A), 2, "paired");
	T_EQ(t_ctr(&A, IKE_CTR_CHILD_REKEY), 1, "A counted its rekey");
	T_EQ(t_ctr(&B, IKE_CTR_CHILD_REKEY), 1, "B counted the peer's rekey");
	teardown();
}

static void
test_restart(void)
{
	uint32_t b_in;

	setup(NULL);
	T_EQ(t_acquire(&A), 0, "acquire");
	net_pump(100);
	b_in = inbound_spi(&B);
	T_EQ(t_restart(&B, NET.now), 0, "B restarted: its state adopted");
	T_EQ(isakmp(&B, NULL), 1, "B: the ISAKMP SA back, QM_IDLE");
	T_EQ(inbound_spi(&B), b_in, "B: its IPsec SAs back, same SPI");
	T_EQ(t_pairs(&A, &B) + t_pairs(&B, &A), 2, "and keys");
	T_EQ(ike_soft_expired(A.ike, A.sad.v[0]->id, NET.now), 0, "A rekeys");
	net_pump(100);
	run_for(3000, 500);
	T_OK(inbound_spi(&B) != b_in, "B answered the quick mode over the adopted ISAKMP SA");
	T_EQ(t_pairs(&A, &B) + t_pairs(&B, &A), 2, "paired");
	T_EQ(t_ctr(&B, IKE_CTR_SK_FAIL), 0, "B opened every message (the IV was kept)");
	teardown();
}

static void
test_clear_and_dpd(void)
{
	unsigned all;

	setup(NULL);
	T_EQ(t_acquire(&A), 0, "acquire");
	net_pump(100);
	T_EQ(ike_clear_isakmp(B.ike, 0, NET.now), 1u, "B: clear crypto isakmp");
	net_pump(100);
	T_EQ(isakmp(&A, &all), 0, "A: its ISAKMP SA is no longer QM_IDLE (%u)", all);
	T_EQ(A.sad.n + B.sad.n, 4u, "the IPsec SAs stay on both");
	teardown();

	setup(NULL);
	T_EQ(t_acquire(&A), 0, "acquire");
	net_pump(100);
	NET.s[1] = NULL;		/* B goes silent: nothing reaches it */
	run_for(11000, 500);
	T_OK(t_ctr(&A, IKE_CTR_DPD) >= 1, "A: an R-U-THERE after 10 s of silence");
	T_EQ(isakmp(&A, NULL), 1, "A: not dead yet");
	run_for(11000, 500);
	T_EQ(isakmp(&A, &all), 0, "A: dead after five unanswered (%u left)", all);
	T_EQ(A.sad.n, 0u, "A: its IPsec SAs removed");
	NET.s[1] = &B;
	teardown();
}

/* A behind a NAT: NAT-T found, IKE on 4500 from message 5, the IPsec SAs in UDP, and A's
 * crypto isakmp nat keepalive (20 s) keeps its binding with one-byte 0xFF datagrams. */
static void
test_nat(void)
{
	static const char *conf_b_nat =
	    "crypto isakmp policy 10\n encryption aes\n hash sha\n authentication pre-share\n"
	    " group 14\n"
	    "crypto isakmp key k-v1-test address 203.0.113.7\n"
	    "crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha256-hmac\n"
	    "access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127\n"
	    "crypto map vpn 10 ipsec-isakmp\n"
	    " match address 101\n set peer 203.0.113.7\n set transform-set AES-SHA\n"
	    "interface wan0\n ip address 198.51.100.2 255.255.255.0\n crypto map vpn\n";
	struct conf *ca;
	unsigned ka = 0;

	t_net_start(&A, &B, 1000000);
	NET.nat = true;
	ca = t_conf(conf_a);
	ca->isakmp.nat_keepalive = 20;
	t_side_init(&A, "A", GW_A, ca);
	t_side_init(&B, "B", GW_B, t_conf(conf_b_nat));
	T_EQ(t_acquire(&A), 0, "acquire behind the NAT");
	net_pump(100);
	T_EQ(isakmp(&A, NULL) + isakmp(&B, NULL), 2, "up through the NAT");
	T_EQ(NET.last.dport, 4500, "IKE floated to 4500 (RFC 3947)");
	T_EQ(t_pairs(&A, &B) + t_pairs(&B, &A), 2, "paired");
	T_OK(A.sad.n > 0 && A.sad.v[0]->udp_encap_port != 0, "A's IPsec SAs in UDP");
	for (int i = 0; i < 50; i++) {
		NET.now += 1000;
		ike_tick(A.ike, NET.now);
		ike_tick(B.ike, NET.now);
		for (unsigned j = 0; j < NET.n; j++)
			if (NET.q[j].len == 1 && NET.q[j].b[0] == 0xff && NET.q[j].src == GW_A)
				ka++;
		net_pump(200);
	}
	T_EQ(ka, 2u, "A sent a NAT keepalive every 20 s (%u in 50 s)", ka);
	teardown();
}

int
main(void)
{
	if (getenv("IKE_DEBUG") != NULL)	/* debug crypto isakmp, on stderr */
		log_init("ike_v1engine_test", LOG_LVL_DEBUG);
	test_up();
	test_wrong_psk();
	test_phase1_life();
	test_restart();
	test_clear_and_dpd();
	test_nat();
	return t_done();
}
