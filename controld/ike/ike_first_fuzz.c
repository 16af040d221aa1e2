/* SPDX-License-Identifier: Apache-2.0 */
/* ike_first_fuzz.c: libFuzzer harness for the responder's handling of a first message
 * (docs/design.md "IKE" "Untrusted input": fuzz the responder's first message handling).  The input
 * is a datagram from a peer no IKE SA knows; a fresh engine with a configuration that accepts
 * 198.51.100.1 takes it (the first byte's low bit asks for cookies, so both paths run).  Whatever
 * the bytes: no crash, no read outside them, no leak, and at most one datagram sent back.  Seeds:
 * the IKE_SA_INIT requests of testdata/ (tests/fuzz/ike_msg/ has them) and strongSwan's first
 * IKEv1 messages (main and aggressive mode, testdata/v1/): the entry is also an IKEv1 one, with
 * policies and a key that accept them, so the ISAKMP responder (v1main.c) runs as far as it can. */
#include <stdlib.h>
#include <string.h>

#include "controld/conf/compile.h"
#include "controld/ike/ike.h"
#include "controld/ike/ikev2.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct conf		*C;
static struct spd		*S;
static struct sad		D;
static unsigned			sent;
static struct conf_ikev2_proposal	prop = { .name = "P",
	.encr = { { IKE_ENCR_AES_CBC, 128 }, { IKE_ENCR_AES_GCM_16, 256 } }, .n_encr = 2,
	.integ = { IKE_INTEG_HMAC_SHA2_256_128 }, .n_integ = 1,
	.group = { IKE_DH_MODP2048, IKE_DH_ECP256, IKE_DH_X25519 }, .n_group = 3 };
static struct conf_ikev2_proposal	*props[] = { &prop };
static struct conf_ikev2_peer	peer = { .name = "P", .has_addr = true, .addr = 0xc6336401u,
	.mask = 0xffffffffu, .psk_local = { 4, "test" }, .psk_remote = { 4, "test" } };
static struct conf_ikev2_peer	*peers[] = { &peer };
static struct conf_ikev2_keyring	kr = { .name = "KR", .peers = peers, .n_peers = 1 };
static struct conf_ikev2_keyring	*krs[] = { &kr };
static struct conf_ikev2_profile	prof = { .name = "PROF",
	.match_remote = { { .type = CONF_ID_ADDRESS, .addr = 0xc6336401u } },
	.n_match_remote = 1, .keyring = "KR" };
static struct conf_ikev2_profile	*profs[] = { &prof };

static void
f_send(void *ctx, uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport,
    const uint8_t *msg, size_t len)
{
	(void)ctx;
	(void)local;
	(void)lport;
	(void)remote;
	(void)rport;
	(void)msg;
	(void)len;
	sent++;
}

static int
f_spi(void *ctx, uint8_t proto, uint32_t local, uint32_t *spi)
{
	(void)ctx;
	return sad_spi_alloc(&D, proto, local, spi, NULL);
}

static void
setup(void)
{
	static const char text[] =
		"crypto isakmp policy 10\n encryption aes 128\n hash sha\n authentication pre-share\n"
		" group 14\n"
		"crypto isakmp policy 20\n encryption aes 128\n hash sha\n authentication pre-share\n"
		" group 5\n"
		"crypto isakmp policy 30\n encryption 3des\n hash md5\n authentication pre-share\n"
		" group 2\n"
		"crypto isakmp key test address 198.51.100.1\n"
		"crypto isakmp key test hostname client.example.net\n"
		"crypto ipsec transform-set T esp-aes 128 esp-sha256-hmac\n"
		"access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127\n"
		"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.1\n"
		" set transform-set T\n"
		"interface wan0\n ip address 198.51.100.2 255.255.255.0\n crypto map vpn\n";
	struct sa_list sas = { NULL, 0 };

	if ((C = conf_parse_text(text, "fuzz", NULL)) == NULL ||
	    conf_compile(C, &S, &sas, NULL) != 0)
		abort();
	sa_list_free(&sas);
	/* the IKEv2 objects, static: conf/ does not own them here */
	C->ikev2_proposals = props;
	C->n_ikev2_proposals = 1;
	C->ikev2_keyrings = krs;
	C->n_ikev2_keyrings = 1;
	C->ikev2_profiles = profs;
	C->n_ikev2_profiles = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ike_io io = { .send = f_send, .spi_alloc = f_spi };
	struct ike *ike;

	if (C == NULL)
		setup();
	if ((ike = ike_new(&io, NULL)) == NULL || ike_set_conf(ike, C, S, NULL) != 0)
		abort();
	if (size > 0 && (data[0] & 1))
		ike_set_cookie_threshold(ike, 0);
	sent = 0;
	ike_input(ike, 0xc6336402u, 500, 0xc6336401u, 500, data, size, 1000);
	ike_input(ike, 0xc6336402u, 500, 0xc6336401u, 500, data, size, 1001);	/* again */
	ike_tick(ike, 60000);		/* a half-open SA times out */
	if (sent > 2)
		abort();
	ike_free(ike);
	return 0;
}
