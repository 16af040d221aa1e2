/* SPDX-License-Identifier: Apache-2.0 */
/* ah_fuzz.c: libFuzzer harness for what parses packets off the wire besides esp.c: ah.c,
 * ESP transport mode, udpencap.c and pmtu.c.  The input is one packet for one of a few SAs
 * with fixed keys.  None of these may read or write outside the packet, whatever the bytes;
 * what ah_encap or esp_transport_encap accept must come back unchanged through ah_decap or
 * esp_transport_decap (but for the fields they define: Identification when it was 0 without
 * DF, the header checksum).
 *
 *   byte 0       SA (low 4 bits), ESN (bit 4)
 *   bytes 1..8   sequence number the "replay window" inferred (big endian)
 *   bytes 9..    the packet (an IPv4 packet, or a UDP payload for the classifier)
 *
 * Seeds in tests/fuzz/ah: for each SA a packet that verifies under the keys below (one plain,
 * one with IP options and ESN), an IKE message behind the non-ESP marker, a NAT-keepalive.
 * libFuzzer writes what it finds into its first corpus directory, so fuzz with an empty one
 * first: ah_fuzz -max_total_time=600 new/ tests/fuzz/ah
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/ah.h"
#include "common/esp.h"
#include "common/ip4.h"
#include "common/pmtu.h"
#include "common/udpencap.h"
#include "tests/lib/test_sa.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct test_xf sas[] = {
	{ XF_CIPHER_NONE, 0, 0, XF_AUTH_HMAC_MD5_96, 16 },
	{ XF_CIPHER_NONE, 0, 0, XF_AUTH_HMAC_SHA1_96, 20 },
	{ XF_CIPHER_NONE, 0, 0, XF_AUTH_HMAC_SHA256_128, 32 },
	{ XF_CIPHER_NONE, 0, 0, XF_AUTH_HMAC_SHA384_192, 48 },
	{ XF_CIPHER_NONE, 0, 0, XF_AUTH_HMAC_SHA512_256, 64 },
	{ XF_CIPHER_NONE, 0, 0, XF_AUTH_KEYED_MD5_RFC1828, 16 },
	{ XF_CIPHER_NONE, 0, 0, XF_AUTH_KEYED_MD5_RFC1828, 5 },
	{ XF_CIPHER_AES_CBC, 16, 0, XF_AUTH_HMAC_SHA1_96, 20 },	/* ESP from here on */
	{ XF_CIPHER_AES_GCM, 20, 0, XF_AUTH_NONE, 0 },
	{ XF_CIPHER_NULL, 0, 0, XF_AUTH_HMAC_SHA256_128, 32 },
	{ XF_CIPHER_NULL, 0, 0, XF_AUTH_NONE, 0 },		/* trailer parsing in the clear */
};
enum { N_SA = sizeof(sas) / sizeof(sas[0]) };

static struct xform	enc[N_SA], dec[N_SA];

static void
sas_init(void)
{
	/* keys j + 3, 0x5a ^ j: the seeds in tests/fuzz/ah verify under them */
	for (size_t i = 0; i < N_SA; i++)
		test_xf_pair(&sas[i], 3, 0x5a, &enc[i], &dec[i]);
}

/* The bytes [lo, hi) of the data area p may hold: a result must stay inside them. */
static void
inside(const struct pkt *p, const uint8_t *lo, const uint8_t *hi)
{
	if (p->data < lo || p->data + p->len > hi)
		abort();
}

/* Same packet as before, but for Identification (when it was 0 without DF) and checksum. */
static void
same_packet(const struct pkt *p, const uint8_t *want, size_t n)
{
	if (p->len != n || n < 20 || memcmp(p->data, want, 4) != 0 ||
	    memcmp(p->data + 6, want + 6, 4) != 0 || memcmp(p->data + 12, want + 12, n - 12) != 0)
		abort();
	if (memcmp(p->data + 4, want + 4, 2) != 0 && (want[4] | want[5]) != 0)
		abort();
}

static void
wire(size_t sa, uint64_t seq, bool esn, const uint8_t *body, size_t n)
{
	static struct pkt p, f[4];
	struct pkt *const out[4] = { &f[0], &f[1], &f[2], &f[3] };
	uint32_t spi, lo;
	uint8_t nh;

	pkt_reset(&p);
	memcpy(p.data, body, n);
	p.len = (uint32_t)n;
	(void)udpencap_classify(p.data, p.len);
	(void)ah_peek(&p, &spi, &lo);
	(void)esp_peek(&p, &spi, &lo);
	(void)pmtu_check(p.data, p.len, 576);
	(void)pmtu_fragment(&p, 68 + (uint32_t)(seq % 1500), out, 4);
	if (sas[sa].c == XF_CIPHER_NONE) {
		if (ah_decap(&dec[sa], seq, esn, &p, &nh) == DROP_NONE)
			inside(&p, p.buf, p.buf + PKT_HEADROOM + n);
	} else if (esp_transport_decap(&dec[sa], seq, esn, &p) == DROP_NONE) {
		inside(&p, p.buf, p.buf + PKT_HEADROOM + n);
	}
	pkt_reset(&p);
	memcpy(p.data, body, n);
	p.len = (uint32_t)n;
	if (pmtu_icmp_frag_needed(&p, 1280, htonl(0xc000027e)) == 0 &&
	    (p.len > PMTU_ICMP_MAX || ip4_csum(p.data, 20) != 0 ||
	    ip4_csum(p.data + 20, p.len - 20) != 0))
		abort();
}

/* A source route makes AH's ICV use the final destination on the way out, which the header
 * shows only once the route is done (RFC 4302 §3.3.3.1.1.1): no round trip here then. */
static bool
source_routed(const uint8_t *ip, size_t n)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4;

	for (size_t i = 20; i < ihl && i < n && ip[i] != 0; ) {
		if (ip[i] == 131 || ip[i] == 137)
			return true;
		if (ip[i] == 1 || i + 1 >= n || ip[i + 1] < 2)
			i++;
		else
			i += ip[i + 1];
	}
	return false;
}

static void
round_trip(size_t sa, uint64_t seq, bool esn, const uint8_t *body, size_t n)
{
	static struct pkt p;
	static uint8_t want[PKT_MAX];
	uint8_t nh;
	enum drop d;

	pkt_reset(&p);
	memcpy(p.data, body, n);
	p.len = (uint32_t)n;
	if (sas[sa].c == XF_CIPHER_NONE) {
		if ((d = ah_encap(&enc[sa], htonl(0x1234), seq, esn, &p)) != DROP_NONE ||
		    source_routed(body, n))
			return;
		n = (size_t)(body[2] << 8 | body[3]);		/* trimmed to Total Length */
		memcpy(want, body, n);
		if (ah_decap(&dec[sa], seq, esn, &p, &nh) != DROP_NONE || nh != want[9])
			abort();
	} else {
		if ((d = esp_transport_encap(&enc[sa], htonl(0x1234), seq, esn, &p)) != DROP_NONE)
			return;
		n = (size_t)(body[2] << 8 | body[3]);
		memcpy(want, body, n);
		if (esp_transport_decap(&dec[sa], seq, esn, &p) != DROP_NONE)
			abort();
	}
	same_packet(&p, want, n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct test_fuzz_head h;

	if (!ready) {
		sas_init();
		ready = true;
	}
	if (!test_fuzz_head(data, size, N_SA, PKT_MAX, &h))
		return 0;
	wire(h.sa, h.seq, h.esn, h.body, h.n);
	round_trip(h.sa, h.seq, h.esn, h.body, h.n);
	return 0;
}
