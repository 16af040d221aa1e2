/* SPDX-License-Identifier: Apache-2.0 */
/* mtu_fuzz: libFuzzer target for what datad believes of ICMP from the internet.  Each input is
 * one packet as the raw ICMP socket would give it (an IPv4 header, ICMP, the quoted packet),
 * handed to mtu_icmp_one() against a generation with one outbound ESP SA (SPI 1000,
 * 198.51.100.1 -> 198.51.100.2, media MTU 1500).  Beyond not crashing: the SA's path MTU stays
 * within [576, media MTU] and is only ever lowered. */
#include <stdio.h>
#include <stdlib.h>

#include "datad/worker.h"
#include "tests/lib/test_sa.h"

static struct worker W;

static struct gen *
gen(void)
{
	struct gw_err err;

	return tables_build(test_tables_sample(0xc6336401, 0xc6336402), "w", NULL, &err);
}

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
