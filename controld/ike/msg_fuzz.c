/* SPDX-License-Identifier: Apache-2.0 */
/* msg_fuzz.c: libFuzzer harness for msg.c.  The input is an IKE message as it comes off the
 * wire.  Whatever the bytes: parsing reads nothing outside them, and a message that parses
 * rebuilds to bytes that parse to the same struct.  The Encrypted payload's body is then taken
 * as if sk.c had opened it to those very bytes, so the inner chain is fuzzed too: parsed, built
 * (in the clear, as for ike_sk_seal), parsed and built again to the same bytes.  Seeds:
 * tests/fuzz/ike_msg/ (strongSwan's messages, from testdata/). */
#include <stdlib.h>
#include <string.h>

#include "controld/ike/msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ike_msg	m, m2;
static uint8_t		out[65536 + 64], out2[65536 + 64];

/* The Encrypted payload of msg, opened (its body taken as the inner chain) and made ready to
 * seal again (body {NULL, 0}, as msg.h says); 0, or -1 when there is none or it does not parse. */
static int
open_sk(struct ike_msg *msg)
{
	const struct ike_payload *sk = ike_msg_find(msg, IKE_PL_SK, NULL);

	if (sk == NULL || ike_msg_parse_inner(msg, sk->u.sk.body.p, sk->u.sk.body.len) !=
	    IKE_PERR_OK)
		return -1;
	msg->pl[sk - msg->pl].u.sk.body = (struct ike_chunk){ NULL, 0 };
	return 0;
}

static void
inner(void)
{
	size_t len, len2, off;

	if (open_sk(&m) != 0)
		return;
	if (ike_msg_build(&m, out, sizeof(out), &len, &off) != 0)
		abort();
	if (off < IKE_HDR_LEN || off + IKE_PL_HDR_LEN > len)	/* *sk_off: the SK header */
		abort();
	/* parse what was built: its SK body is now the inner chain in the clear */
	if (ike_msg_parse(&m2, out, len) != IKE_PERR_OK || open_sk(&m2) != 0)
		abort();
	if (ike_msg_build(&m2, out2, sizeof(out2), &len2, NULL) != 0 || len2 != len ||
	    memcmp(out, out2, len) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char summary[512];
	size_t len;

	if (ike_msg_parse(&m, data, size) != IKE_PERR_OK)
		return 0;
	ike_msg_summary(&m, summary, sizeof(summary));
	if (ike_msg_build(&m, out, sizeof(out), &len, NULL) != 0)
		abort();		/* all that parses fits: reserved bits only shrink */
	if (ike_msg_parse(&m2, out, len) != IKE_PERR_OK || !ike_msg_equal(&m, &m2))
		abort();
	inner();
	return 0;
}
