/* SPDX-License-Identifier: Apache-2.0 */
/* xdptx_fuzz: libFuzzer target for the frames of AF_XDP (datad/xdptx.c).  Each input is one
 * frame as the XDP program would hand it (any bytes: the program's checks are not assumed),
 * parsed with xdptx_parse: the datagram it gives lies inside the frame.  The input's first
 * bytes also choose a header and a room for xdptx_frame around the rest: the frame fits the
 * room, and its payload is the input's bytes unchanged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datad/xdptx.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t frame[70000];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xdptx_rx r;
	struct xdptx_hdr h;
	uint32_t room, n, hl;

	if (size > 65536)
		return 0;
	xdptx_parse(data, (uint32_t)size, &r);
	if (r.len > 0 && (r.off < XDPTX_ETH || r.off > size || r.len > size - r.off)) {
		fprintf(stderr, "datagram [%u, +%u) outside a frame of %zu\n", r.off, r.len, size);
		abort();
	}
	if (size < 4)
		return 0;
	memset(&h, 0, sizeof(h));
	h.proto = data[0] % 3 == 0 ? 0 : data[0] % 3 == 1 ? 50 : 17;
	room = (uint32_t)data[1] << 8 | data[2];
	h.id = data[3];
	data += 4;
	size -= 4;
	n = xdptx_frame(frame, room, &h, data, (uint32_t)size);
	hl = h.proto == 0 ? 0 : h.proto == 17 ? 28 : 20;
	if (n != 0 && (n > room || n != XDPTX_ETH + hl + size ||
	    (h.proto != 0 && memcmp(frame + XDPTX_ETH + hl, data, size) != 0))) {
		fprintf(stderr, "frame of %u for room %u, payload %zu\n", n, room, size);
		abort();
	}
	return 0;
}
