/* SPDX-License-Identifier: Apache-2.0 */
/* uso_fuzz: libFuzzer target for the outbound UDP cutter (uso.c).  The input is a
 * virtio_net_hdr's gso_size (2 bytes) and a TUN read after it, as out_read() hands
 * uso_parse() a VIRTIO_NET_HDR_GSO_UDP_L4 super-packet.  Beyond not crashing: a read it takes
 * is cut into datagrams that each fit PKT_MAX, carry their own Total Length and UDP length and
 * a UDP checksum that verifies, and together carry every payload byte once. */
#include <arpa/inet.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ip4.h"
#include "datad/worker.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct pkt P;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct virtio_net_hdr vh = { .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4 };
	struct tso t;
	uint64_t carried = 0;

	if (size < 2 || size > RBUF)
		return 0;
	vh.gso_size = (uint16_t)(data[0] << 8 | data[1]);
	if (uso_parse(&t, &vh, data + 2, (uint32_t)(size - 2)) != DROP_NONE)
		return 0;
	for (uint32_t i = 0; i < t.segs; i++) {
		const struct ip4_hdr *ip;
		const struct udp_hdr *u;
		struct ip4_pseudo ph;

		uso_segment(&t, i, &P);
		ip = (const struct ip4_hdr *)P.data;
		u = (const struct udp_hdr *)(P.data + t.ihl);
		ph = (struct ip4_pseudo){ ip->src_be, ip->dst_be, 0, IPPROTO_UDP, u->len_be };
		if (P.len > PKT_MAX || ntohs(ip->len_be) != P.len ||
		    ntohs(u->len_be) != P.len - t.ihl || P.len <= t.hlen ||
		    tso_l4_csum(&ph, (const uint8_t *)u, P.len - t.ihl) != 0) {
			fprintf(stderr, "datagram %u of %u: bad\n", i, t.segs);
			abort();
		}
		carried += P.len - t.hlen;
	}
	if (carried != size - 2 - t.hlen) {
		fprintf(stderr, "%llu payload bytes carried of %zu\n", (unsigned long long)carried,
		    size - 2 - t.hlen);
		abort();
	}
	return 0;
}
