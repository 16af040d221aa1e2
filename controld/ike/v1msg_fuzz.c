/* SPDX-License-Identifier: Apache-2.0 */
/* v1msg_fuzz.c: libFuzzer harness for v1msg.c.  The input is an ISAKMP message as it comes off
 * the wire.  Whatever the bytes: parsing reads nothing outside them, and a message that parses
 * rebuilds to bytes that parse to the same struct.  An encrypted message's body is then taken as
 * if the caller had decrypted it to those very bytes, so the payload chain behind the E flag is
 * fuzzed too: parsed (padding allowed), built in the clear, padded for a 16-byte block, parsed
 * and opened again to the same struct; the attributes of every transform are read as phase 1
 * and phase 2 ones.  Seeds: tests/fuzz/ike_v1msg/ (strongSwan's messages, from testdata/). */
#include <stdlib.h>
#include <string.h>

#include "controld/ike/v1msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct v1_msg	m, m2;
static uint8_t		out[65536 + 64], out2[65536 + 64];

static void
attrs(const struct v1_msg *msg)
{
	struct v1_phase1 p1;
	struct v1_phase2 p2;

	for (unsigned i = 0; i < msg->n_xf; i++) {
		v1_xf_phase1(msg, &msg->xf[i], &p1);
		v1_xf_phase2(msg, &msg->xf[i], &p2);
	}
}

static void
inner(void)
{
	size_t len, len2;

	if (v1_msg_parse_inner(&m, m.enc.p, m.enc.len) != V1_PERR_OK)
		return;
	attrs(&m);
	if (v1_msg_build(&m, out, sizeof(out), &len) != 0 ||
	    v1_msg_pad(out, &len, sizeof(out), 16) != 0 || (len - V1_HDR_LEN) % 16 != 0)
		abort();
	if (v1_msg_parse(&m2, out, len) != V1_PERR_OK ||
	    v1_msg_parse_inner(&m2, m2.enc.p, m2.enc.len) != V1_PERR_OK ||
	    !v1_msg_equal(&m, &m2))
		abort();
	if (v1_msg_build(&m2, out2, sizeof(out2), &len2) != 0 ||
	    v1_msg_pad(out2, &len2, sizeof(out2), 16) != 0 || len2 != len ||
	    memcmp(out, out2, len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char summary[512];
	size_t len;

	if (v1_msg_parse(&m, data, size) != V1_PERR_OK)
		return 0;
	v1_msg_summary(&m, summary, sizeof(summary));
	attrs(&m);
	if (v1_msg_build(&m, out, sizeof(out), &len) != 0)
		abort();		/* all that parses fits: reserved bits only shrink */
	if (v1_msg_parse(&m2, out, len) != V1_PERR_OK || !v1_msg_equal(&m, &m2))
		abort();
	if (m.hdr.flags & V1_F_ENCRYPTED)
		inner();
	return 0;
}
