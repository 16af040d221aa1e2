/* mtu_fuzz: libFuzzer target for what datad believes of ICMP from the internet.  Each input is
 * one packet as the raw ICMP socket would give it (an IPv4 header, ICMP, the quoted packet),
 * handed to mtu_icmp_one() against a generation with one outbound ESP SA (SPI 1000,
 * 198.51.100.1 -> 198.51.100.2, media MTU 1500).  Beyond not crashing: the SA's path MTU stays
 * within [576, media MTU] and is only ever lowered. */
#include <stdio.h>
#include <stdlib.h>

#include "datad/worker.h"

static struct worker W;
static uint8_t ck[16], ak[20];

static struct gen *
gen(void)
{
	Gw__V1__Tables t = GW__V1__TABLES__INIT;
	Gw__V1__Sa sa = GW__V1__SA__INIT, *sas[1] = { &sa };
	Gw__V1__Policy p = GW__V1__POLICY__INIT, *pols[1] = { &p };
	struct gw_err err;
	uint8_t buf[512];
	size_t n;

	sa.id = 9;
	sa.proto = 50;
	sa.spi = 1000;
	sa.local = 0xc6336401;
	sa.peer = 0xc6336402;
	sa.cipher = GW__V1__CIPHER__CIPHER_AES_CBC;
	sa.cipher_key.data = ck;
	sa.cipher_key.len = sizeof(ck);
	sa.auth = GW__V1__AUTH__AUTH_HMAC_SHA1_96;
	sa.auth_key.data = ak;
	sa.auth_key.len = sizeof(ak);
	p.map = (char *)"vpn";
	p.seq = 10;
	p.sa_out_esp = 9;
	t.generation = 1;
	t.n_sas = 1;
	t.sas = sas;
	t.n_policies = 1;
	t.policies = pols;
	n = gw__v1__tables__pack(&t, buf);
	return tables_build(gw__v1__tables__unpack(NULL, n, buf), "w", NULL, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sa_out *sa;
	uint16_t before;

	if (W.gen == NULL) {
		if ((W.gen = gen()) == NULL)
			abort();
		W.o.pmtu_age_ms = 600000;
	}
	sa = &W.gen->out[0];
	sa->media_mtu = 1500;			/* as mtu_gen() would, without an interface */
	sa->learned_mtu = 0;
	sa->path_mtu = 1500;
	before = sa->path_mtu;
	mtu_icmp_one(&W, data, (uint32_t)size, 1);
	if (sa->path_mtu < 576 || sa->path_mtu > before) {
		fprintf(stderr, "path MTU %u after %u\n", sa->path_mtu, before);
		abort();
	}
	return 0;
}
