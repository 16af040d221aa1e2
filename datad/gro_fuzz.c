/* SPDX-License-Identifier: Apache-2.0 */
/* gro_fuzz: libFuzzer target for the inbound coalescer (gro.c, uso.c).  The input is one byte
 * (bit 0: the SA has an ICV; bit 1: IPv4 + UDP packets get a right UDP checksum), then a
 * batch of decapsulated inner packets, each behind a 2-byte length, as in_batch() hands them
 * to gro_add(); the batch is flushed to /dev/null as it would be to the TUN.  Beyond not
 * crashing: every packet handed in is written exactly once, alone or in a super-packet, and
 * never in a super-packet for an SA without an ICV. */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "datad/worker.h"

static struct worker W;
static struct sa_in SA;

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What looks like IPv4 + UDP gets a right UDP checksum, so the fuzzer reaches uso.c's
 * coalescing without having to find one. */
static void
udp_csum_fix(struct pkt *p)
{
	struct udp_hdr *u = (struct udp_hdr *)(p->data + 20);
	struct ip4_pseudo ph;

	if (p->len < 28 || p->data[0] != 0x45 || p->data[9] != IPPROTO_UDP)
		return;
	memcpy(&ph.src_be, p->data + 12, 4);
	memcpy(&ph.dst_be, p->data + 16, 4);
	ph.zero = 0;
	ph.proto = IPPROTO_UDP;
	ph.len_be = htons((uint16_t)(p->len - 20));
	u->csum_be = 0;
	u->csum_be = tso_l4_csum(&ph, (const uint8_t *)u, p->len - 20);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned n = 0;
	uint64_t writes0, segs0, gro0;
	bool fix_udp;

	if (W.pool == NULL) {
		if ((W.pool = calloc(2 * BATCH, sizeof(*W.pool))) == NULL ||
		    (W.tun_fd = open("/dev/null", O_WRONLY)) < 0)
			abort();
	}
	if (size < 1)
		return 0;
	SA.icv = data[0] & 1;
	fix_udp = (data[0] & 2) != 0;
	data++;
	size--;
	writes0 = W.n_tun_writes;
	segs0 = W.n_gro_segs;
	gro0 = W.n_gro_pkts;
	while (size >= 2 && n < BATCH) {
		struct pkt *p = &W.pool[BATCH + n];
		size_t len = (size_t)data[0] << 8 | data[1];

		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		if (len > PKT_MAX - 64)
			len = PKT_MAX - 64;
		pkt_reset(p);
		memcpy(p->data, data, len);
		p->len = (uint32_t)len;
		if (fix_udp)
			udp_csum_fix(p);
		data += len;
		size -= len;
		gro_add(&W, &SA, p);
		n++;
	}
	gro_flush(&W);
	/* each packet went out once: alone (one write) or as one of a super-packet's segments */
	if ((W.n_tun_writes - writes0) - (W.n_gro_pkts - gro0) + (W.n_gro_segs - segs0) != n) {
		fprintf(stderr, "%u packets in, %llu writes, %llu super-packets of %llu\n", n,
		    (unsigned long long)(W.n_tun_writes - writes0),
		    (unsigned long long)(W.n_gro_pkts - gro0),
		    (unsigned long long)(W.n_gro_segs - segs0));
		abort();
	}
	if (!SA.icv && W.n_gro_pkts != gro0) {
		fprintf(stderr, "coalesced packets of an SA without an ICV\n");
		abort();
	}
	return 0;
}
