/* SPDX-License-Identifier: Apache-2.0 */
/* esp_fuzz.c: libFuzzer harness for esp.c.  The input is an ESP packet as it comes off the wire
 * for one of a few SAs with fixed keys, opened with esp_decap (which must never read or write
 * outside the packet, whatever the bytes); then the same bytes as a payload go through
 * esp_encap and esp_decap, which must give them back.
 *
 *   byte 0       SA (low 4 bits), ESN (bit 4)
 *   bytes 1..8   sequence number the "replay window" inferred (big endian)
 *   bytes 9..    the packet
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/esp.h"
#include "tests/lib/test_sa.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct test_xf sas[] = {
	{ XF_CIPHER_AES_CBC, 16, 0, XF_AUTH_HMAC_SHA1_96, 20 },
	{ XF_CIPHER_AES_GCM, 20, 0, XF_AUTH_NONE, 0 },
	{ XF_CIPHER_AES_GMAC, 36, 0, XF_AUTH_NONE, 0 },
	{ XF_CIPHER_CHACHA20_POLY1305, 36, 0, XF_AUTH_NONE, 0 },
	{ XF_CIPHER_NULL, 0, 0, XF_AUTH_NONE, 0 },		/* trailer parsing in the clear */
	{ XF_CIPHER_NULL, 0, 0, XF_AUTH_HMAC_SHA512_256, 64 },
	{ XF_CIPHER_AES_CBC, 32, 0, XF_AUTH_NONE, 0 },		/* garbage decrypts to a trailer */
	{ XF_CIPHER_3DES, 24, 0, XF_AUTH_NONE, 0 },
	{ XF_CIPHER_DES_RFC1829, 8, 4, XF_AUTH_NONE, 0 },
	{ XF_CIPHER_DES_RFC1829, 8, 8, XF_AUTH_NONE, 0 },
	{ XF_CIPHER_DES, 8, 0, XF_AUTH_HMAC_MD5_96, 16 },
};
enum { N_SA = sizeof(sas) / sizeof(sas[0]) };

static struct xform	enc[N_SA], dec[N_SA];

static void
sas_init(void)
{
	for (size_t i = 0; i < N_SA; i++)
		test_xf_pair(&sas[i], 1, 0xa0, &enc[i], &dec[i]);	/* keys j + 1, 0xa0 ^ j */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pkt p;
	static bool ready;
	struct test_fuzz_head h;
	const uint8_t *body;
	size_t n, sa;
	uint64_t seq;
	uint8_t *start, nh;
	bool esn;
	enum drop d;

	if (!ready) {
		sas_init();
		ready = true;
	}
	if (!test_fuzz_head(data, size, N_SA, PKT_MAX, &h))
		return 0;
	sa = h.sa, esn = h.esn, seq = h.seq, body = h.body, n = h.n;

	/* the wire: anything at all */
	pkt_reset(&p);
	memcpy(p.data, body, n);
	p.len = (uint32_t)n;
	start = p.data;
	d = esp_decap(&dec[sa], seq, esn, &p, &nh);
	if (d == DROP_NONE && (p.data < start || p.data + p.len > start + n))
		abort();

	/* the same bytes as a payload: back and forth unchanged */
	pkt_reset(&p);
	memcpy(p.data, body, n);
	p.len = (uint32_t)n;
	if ((d = esp_encap(&enc[sa], htonl(0x1234), seq, esn, 4, &p)) != DROP_NONE) {
		if (d != DROP_TOO_BIG)
			abort();
		return 0;
	}
	if (esp_decap(&dec[sa], seq, esn, &p, &nh) != DROP_NONE || nh != 4 || p.len != n ||
	    memcmp(p.data, body, n) != 0)
		abort();
	return 0;
}
