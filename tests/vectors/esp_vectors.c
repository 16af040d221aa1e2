/* SPDX-License-Identifier: Apache-2.0 */
/* esp_vectors.c: ESP and AH packets for someone else to check, and someone else's packets for
 * us to open (tests/interop/esp_scapy.py, tests/interop/ah_scapy.py).  Not a test by itself.
 *
 *   esp_vectors            one JSON line per packet we encapsulate: every transform, a few inner
 *                          IPv4 packets, a few sequence numbers (ESN too), keys in hex
 *   esp_vectors --decap    reads JSON lines {"id", "cipher", "ckey", "auth", "akey", "iv_size",
 *                          "seq", "esn", "esp"} and answers {"id", "drop", "nh", "inner"}
 *   esp_vectors --ipsec    one JSON line per whole IPv4 packet: AH alone, ESP in transport mode
 *                          and AH+ESP bundles, in tunnel and transport mode: {"mode", "ah",
 *                          "ahkey", "ah_spi", "cipher", "ckey", "auth", "akey", "iv_size",
 *                          "esp_spi", "seq", "esn", "orig" (inner packet, or the packet before
 *                          transport mode), "pkt" (what goes on the wire)}; "ah" or "cipher"
 *                          is "none" when that protocol is not in the bundle
 *   esp_vectors --ipsec-decap  reads such lines (with an "id", without "orig") and answers
 *                          {"id", "drop", "out"}: AH opened first, then ESP; "out" is the
 *                          inner packet (tunnel) or the restored packet (transport)
 *
 * The JSON reader knows only the flat objects above (strings, integers, true/false). */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ah.h"
#include "common/esp.h"
#include "tests/lib/xform_cases.h"
#include "common/ip4.h"

static const struct {
	uint64_t	seq;
	bool		esn;
} seqs[] = {
	{ 1, false }, { 0x12345678, false }, { 0x0000000300000002ULL, true },
};

static void
hex_put(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

static uint16_t
ip_csum(const uint8_t *b, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)b[i] << 8 | b[i + 1];
	if (n % 2)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Inner IPv4 packet number i, 192.0.2.1 -> 192.0.2.129 (docs/design.md: hostA -> hostB). */
static uint32_t
inner_make(int i, uint8_t *b)
{
	static const struct {
		uint8_t		proto;
		uint16_t	len;
	} shape[] = { { 1, 84 }, { 17, 29 }, { 17, 1400 }, { 253, 20 } };
	uint16_t len = shape[i].len;
	uint16_t c;

	memset(b, 0, len);
	b[0] = 0x45;
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[4] = 0x12;
	b[5] = (uint8_t)(0x30 + i);
	b[8] = 64;
	b[9] = shape[i].proto;
	memcpy(b + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x81", 8);
	c = ip_csum(b, 20);
	b[10] = (uint8_t)(c >> 8);
	b[11] = (uint8_t)c;
	for (uint16_t j = 20; j < len; j++)
		b[j] = (uint8_t)(j * 13 + i);
	if (shape[i].proto == 1) {			/* ICMP echo request */
		b[20] = 8;
		b[21] = b[22] = b[23] = 0;
		c = ip_csum(b + 20, len - 20u);
		b[22] = (uint8_t)(c >> 8);
		b[23] = (uint8_t)c;
	} else if (shape[i].proto == 17) {		/* UDP 40000 -> 5001, no checksum */
		memcpy(b + 20, "\x9c\x40\x13\x89", 4);
		b[24] = (uint8_t)((len - 20) >> 8);
		b[25] = (uint8_t)(len - 20);
		b[26] = b[27] = 0;
	}
	return len;
}

static int
gen(void)
{
	static struct pkt p;
	uint8_t inner[PKT_MAX];
	int bad = 0;

	for (size_t c = 0; c < sizeof(ciphers) / sizeof(ciphers[0]); c++)
		for (size_t a = 0; a < sizeof(auths) / sizeof(auths[0]); a++) {
			struct key ck, ak;
			struct gw_err err;
			struct xform xf;
			uint32_t spi = 0x1000u * (uint32_t)(c + 1) + (uint32_t)a;

			memset(&ck, 0, sizeof(ck));
			memset(&ak, 0, sizeof(ak));
			for (int i = 0; i < 64; i++) {
				ck.b[i] = (uint8_t)(0x11 * (c + 1) + 3 * i);
				ak.b[i] = (uint8_t)(0x21 * (a + 1) + 5 * i);
			}
			ck.len = ciphers[c].clen;
			ak.len = auths[a].alen;
			if (xform_init(&xf, ciphers[c].c, &ck, auths[a].a, &ak, true, &err) != 0)
				continue;		/* not a combination ESP has */
			if (ciphers[c].iv_size != 0)
				xform_set_rfc1829_iv(&xf, ciphers[c].iv_size, NULL);
			for (int i = 0; i < 4; i++)
				for (size_t s = 0; s < sizeof(seqs) / sizeof(seqs[0]); s++) {
					uint32_t n;
					enum drop d;

					if (seqs[s].esn && xf.hdr_len != 8)
						continue;	/* RFC 1829 has no Seq# */
					pkt_reset(&p);
					n = inner_make(i, inner);
					memcpy(p.data, inner, n);
					p.len = n;
					d = esp_encap(&xf, htonl(spi), seqs[s].seq, seqs[s].esn,
					    IPPROTO_IPIP_, &p);
					if (d != DROP_NONE) {
						fprintf(stderr, "encap: %s\n", drop_name[d]);
						bad = 1;
						continue;
					}
					printf("{\"cipher\":\"%s\",\"auth\":\"%s\",\"ckey\":\"",
					    xform_cipher_name(xf.cipher), xform_auth_name(xf.auth));
					hex_put(ck.b, ck.len);
					printf("\",\"akey\":\"");
					hex_put(ak.b, ak.len);
					printf("\",\"iv_size\":%u,\"spi\":%" PRIu32 ",\"seq\":%" PRIu64
					    ",\"esn\":%s,\"nh\":%d,\"inner\":\"", ciphers[c].iv_size,
					    spi, seqs[s].seq, seqs[s].esn ? "true" : "false",
					    IPPROTO_IPIP_);
					hex_put(inner, n);
					printf("\",\"esp\":\"");
					hex_put(p.data, p.len);
					printf("\"}\n");
				}
			xform_free(&xf);
		}
	return bad;
}

/* --- the reader --- */

/* The value of "name" in a flat JSON object: a string's contents or a bare word, in out. */
static bool
json_get(const char *line, const char *name, char *out, size_t max)
{
	char pat[64];
	const char *v, *end;
	size_t n;

	snprintf(pat, sizeof(pat), "\"%s\"", name);
	if ((v = strstr(line, pat)) == NULL)
		return false;
	v += strlen(pat);
	while (isspace((unsigned char)*v) || *v == ':')
		v++;
	if (*v == '"') {
		end = strchr(++v, '"');
	} else {
		end = v;
		while (*end != '\0' && *end != ',' && *end != '}' && !isspace((unsigned char)*end))
			end++;
	}
	if (end == NULL || (n = (size_t)(end - v)) >= max)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return true;
}

static bool
hex_get(const char *hex, uint8_t *out, size_t max, size_t *n)
{
	size_t l = strlen(hex);

	if (l % 2 != 0 || l / 2 > max)
		return false;
	for (size_t i = 0; i < l / 2; i++) {
		unsigned v;

		if (!isxdigit((unsigned char)hex[2 * i]) || !isxdigit((unsigned char)hex[2 * i + 1]) ||
		    sscanf(hex + 2 * i, "%2x", &v) != 1)
			return false;
		out[i] = (uint8_t)v;
	}
	*n = l / 2;
	return true;
}

static int
by_name_cipher(const char *s)
{
	for (int c = 0; c < XF_CIPHER_MAX; c++)
		if (strcmp(s, xform_cipher_name((enum xform_cipher)c)) == 0)
			return c;
	return -1;
}

static int
by_name_auth(const char *s)
{
	for (int a = 0; a < XF_AUTH_MAX; a++)
		if (strcmp(s, xform_auth_name((enum xform_auth)a)) == 0)
			return a;
	return -1;
}

/* What one input line asks for. */
struct req {
	char		id[64];
	int		c, a;
	struct key	ck, ak;
	unsigned	iv_size;
	uint64_t	seq;
	bool		esn;
};

static int
req_read(const char *line, struct req *r, struct pkt *p)
{
	static char esp[2 * PKT_MAX + 8];
	char cn[64], an[64], ckey[160], akey[160], num[32], esn[8];
	size_t n;

	memset(r, 0, sizeof(*r));
	json_get(line, "id", r->id, sizeof(r->id));
	if (!json_get(line, "cipher", cn, sizeof(cn)) || !json_get(line, "auth", an, sizeof(an)) ||
	    !json_get(line, "ckey", ckey, sizeof(ckey)) ||
	    !json_get(line, "akey", akey, sizeof(akey)) ||
	    !json_get(line, "seq", num, sizeof(num)) || !json_get(line, "esn", esn, sizeof(esn)) ||
	    !json_get(line, "esp", esp, sizeof(esp)))
		return -1;
	r->seq = strtoull(num, NULL, 0);
	r->esn = strcmp(esn, "true") == 0;
	if ((r->c = by_name_cipher(cn)) < 0 || (r->a = by_name_auth(an)) < 0)
		return -1;
	if (!hex_get(ckey, r->ck.b, sizeof(r->ck.b), &n))
		return -1;
	r->ck.len = (uint16_t)n;
	if (!hex_get(akey, r->ak.b, sizeof(r->ak.b), &n))
		return -1;
	r->ak.len = (uint16_t)n;
	if (json_get(line, "iv_size", num, sizeof(num)))
		r->iv_size = (unsigned)atoi(num);
	pkt_reset(p);
	if (!hex_get(esp, p->data, PKT_MAX, &n))
		return -1;
	p->len = (uint32_t)n;
	return 0;
}

/* One line in, one line out. */
static void
decap_line(const char *line)
{
	static struct pkt p;
	struct gw_err err;
	struct xform xf;
	struct req r;
	uint8_t nh = 0;
	enum drop d;

	if (req_read(line, &r, &p) != 0) {
		printf("{\"id\":\"%s\",\"error\":\"cannot read the line\"}\n", r.id);
		return;
	}
	if (xform_init(&xf, (enum xform_cipher)r.c, &r.ck, (enum xform_auth)r.a, &r.ak, false,
	    &err) != 0 || (r.iv_size != 0 && xform_set_rfc1829_iv(&xf, r.iv_size, &err) != 0)) {
		printf("{\"id\":\"%s\",\"error\":\"%s\"}\n", r.id, err.msg);
		xform_free(&xf);
		return;
	}
	d = esp_decap(&xf, r.seq, r.esn, &p, &nh);
	printf("{\"id\":\"%s\",\"drop\":\"%s\"", r.id, drop_name[d]);
	if (d == DROP_NONE) {
		printf(",\"nh\":%u,\"inner\":\"", nh);
		hex_put(p.data, p.len);
		printf("\"");
	}
	printf("}\n");
	xform_free(&xf);
}

/* --- AH, transport mode, bundles (--ipsec, --ipsec-decap) --- */

static const struct {
	enum xform_auth	a;
	uint16_t	alen;
} ah_auths[] = {
	{ XF_AUTH_HMAC_MD5_96, 16 },		{ XF_AUTH_HMAC_SHA1_96, 20 },
	{ XF_AUTH_HMAC_SHA256_128, 32 },	{ XF_AUTH_HMAC_SHA384_192, 48 },
	{ XF_AUTH_HMAC_SHA512_256, 64 },	{ XF_AUTH_KEYED_MD5_RFC1828, 16 },
	{ XF_AUTH_KEYED_MD5_RFC1828, 20 },
};

/* The ESP transforms of bundles and of ESP transport mode: index into ciphers[] and auths[]. */
static const struct {
	uint8_t	c, a;
} bundle_esps[] = {
	{ 3, 2 },	/* esp-aes 128 sha-hmac */
	{ 6, 0 },	/* esp-gcm 128 */
	{ 0, 3 },	/* esp-null sha256-hmac */
	{ 2, 1 },	/* esp-3des md5-hmac */
	{ 11, 0 },	/* esp-chacha20-poly1305 */
	{ 5, 5 },	/* esp-aes 256 sha512-hmac */
};

static struct key
ipsec_key(uint8_t base, uint16_t len)
{
	struct key k;

	memset(&k, 0, sizeof(k));
	for (int i = 0; i < 64; i++)
		k.b[i] = (uint8_t)(base + 7 * i);
	k.len = len;
	return k;
}

/* A transport-mode packet between the peers 198.51.100.1 -> .2 (IOS: only those), shaped as
 * inner packet i; shape 4 has Record Route and Router Alert options, TOS with ECN, DF. */
static uint32_t
peer_make(int i, uint8_t *b)
{
	static const uint8_t opts[16] = { 7, 11, 4, 0, 0, 0, 0, 0, 0, 0, 0, 148, 4, 0, 0, 0 };
	uint32_t len;

	if (i < 4) {
		len = inner_make(i, b);
		memcpy(b + 12, "\xc6\x33\x64\x01\xc6\x33\x64\x02", 8);
		b[10] = b[11] = 0;
		ip4_csum_set(b);
		return len;
	}
	len = 36 + 200;
	memset(b, 0, 36);
	b[0] = 0x49;
	b[1] = 0x2a;		/* DSCP AF11, ECT(0) */
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	b[4] = 0x4b;
	b[6] = 0x40;
	b[8] = 64;
	b[9] = 17;
	memcpy(b + 12, "\xc6\x33\x64\x01\xc6\x33\x64\x02", 8);
	memcpy(b + 20, opts, sizeof(opts));
	for (uint32_t j = 36; j < len; j++)
		b[j] = (uint8_t)(j * 5);
	memcpy(b + 36, "\x1f\x90\x1f\x91", 4);	/* UDP 8080 -> 8081, no checksum */
	b[40] = (uint8_t)((len - 36) >> 8);
	b[41] = (uint8_t)(len - 36);
	b[42] = b[43] = 0;
	ip4_csum_set(b);
	return len;
}

struct bundle {
	bool		tunnel;
	int		ah;		/* index into ah_auths[], -1: none */
	int		esp;		/* index into bundle_esps[], or -2 - index into
					 * ciphers[] (esp-rfc1829, no auth); -1: none */
	struct xform	ahx, espx;
	struct key	ahk, ck, ak;
	unsigned	iv_size;
};

static int
bundle_key(struct bundle *b, bool encrypt)
{
	struct gw_err err;
	size_t c, a;

	if (b->ah >= 0) {
		b->ahk = ipsec_key(0x41, ah_auths[b->ah].alen);
		if (xform_init(&b->ahx, XF_CIPHER_NONE, NULL, ah_auths[b->ah].a, &b->ahk, encrypt,
		    &err) != 0)
			return -1;
	}
	if (b->esp == -1)
		return 0;
	if (b->esp >= 0) {
		c = bundle_esps[b->esp].c;
		a = bundle_esps[b->esp].a;
	} else {
		c = (size_t)(-2 - b->esp);
		a = 0;
	}
	b->ck = ipsec_key(0x13, ciphers[c].clen);
	b->ak = ipsec_key(0x97, auths[a].alen);
	b->iv_size = ciphers[c].iv_size;
	if (xform_init(&b->espx, ciphers[c].c, &b->ck, auths[a].a, &b->ak, encrypt, &err) != 0)
		return -1;
	if (b->iv_size != 0)
		xform_set_rfc1829_iv(&b->espx, b->iv_size, NULL);
	return 0;
}

/* ESP (tunnel: over the inner packet, then the outer header; transport: in place), then AH. */
static enum drop
bundle_encap(struct bundle *b, uint64_t seq, bool esn, struct pkt *p)
{
	uint8_t tos;
	bool df;
	enum drop d = DROP_NONE;

	if (b->tunnel) {
		ip4_inner_tos(p->data, p->len, &tos, &df);
		if (b->esp != -1 &&
		    (d = esp_encap(&b->espx, htonl(0x3000), seq, esn, 4, p)) != DROP_NONE)
			return d;
		if ((d = ip4_push(p, inet_addr("198.51.100.1"), inet_addr("198.51.100.2"),
		    b->esp != -1 ? IPPROTO_ESP_ : IPPROTO_IPIP_, tos, df,
		    htons((uint16_t)(seq | 1)))) != DROP_NONE)
			return d;
	} else if (b->esp != -1 &&
	    (d = esp_transport_encap(&b->espx, htonl(0x3000), seq, esn, p)) != DROP_NONE) {
		return d;
	}
	if (b->ah >= 0)
		d = ah_encap(&b->ahx, htonl(0x5100), seq, esn, p);
	return d;
}

static void
bundle_print(const struct bundle *b, uint64_t seq, bool esn, const uint8_t *orig, uint32_t n,
    const struct pkt *p)
{
	printf("{\"mode\":\"%s\",\"ah\":\"%s\",\"ahkey\":\"", b->tunnel ? "tunnel" : "transport",
	    b->ah >= 0 ? xform_auth_name(b->ahx.auth) : "none");
	if (b->ah >= 0)
		hex_put(b->ahk.b, b->ahk.len);
	printf("\",\"ah_spi\":%u,\"cipher\":\"%s\",\"ckey\":\"", 0x5100,
	    b->esp != -1 ? xform_cipher_name(b->espx.cipher) : "none");
	if (b->esp != -1)
		hex_put(b->ck.b, b->ck.len);
	printf("\",\"auth\":\"%s\",\"akey\":\"",
	    b->esp != -1 ? xform_auth_name(b->espx.auth) : "none");
	if (b->esp != -1)
		hex_put(b->ak.b, b->ak.len);
	printf("\",\"iv_size\":%u,\"esp_spi\":%u,\"seq\":%" PRIu64 ",\"esn\":%s,\"orig\":\"",
	    b->iv_size, 0x3000, seq, esn ? "true" : "false");
	hex_put(orig, n);
	printf("\",\"pkt\":\"");
	hex_put(p->data, p->len);
	printf("\"}\n");
}

static int
gen_bundle(struct bundle *b)
{
	static const struct {
		uint64_t	seq;
		bool		esn;
	} bseqs[] = { { 1, false }, { 0x9abcdef0, false }, { 0x0000000500000003ULL, true } };
	static struct pkt p;
	uint8_t orig[PKT_MAX];
	bool old = (b->ah >= 0 && ah_auths[b->ah].a == XF_AUTH_KEYED_MD5_RFC1828) || b->esp < -1;
	int bad = 0;

	if (bundle_key(b, true) != 0)
		return 1;
	for (int i = 0; i < 5; i++) {
		if (b->tunnel && i == 4)
			continue;
		for (size_t s = 0; s < sizeof(bseqs) / sizeof(bseqs[0]); s++) {
			uint32_t n;
			enum drop d;

			if (bseqs[s].esn && old)
				continue;	/* RFC 1826/1829: no sequence numbers */
			pkt_reset(&p);
			n = b->tunnel ? inner_make(i, orig) : peer_make(i, orig);
			memcpy(p.data, orig, n);
			p.len = n;
			if ((d = bundle_encap(b, bseqs[s].seq, bseqs[s].esn, &p)) != DROP_NONE) {
				fprintf(stderr, "bundle encap: %s\n", drop_name[d]);
				bad = 1;
				continue;
			}
			bundle_print(b, bseqs[s].seq, bseqs[s].esn, orig, n, &p);
		}
	}
	xform_free(&b->ahx);
	xform_free(&b->espx);
	return bad;
}

static int
gen_ipsec(void)
{
	struct bundle b;
	int bad = 0;

	for (int t = 0; t < 2; t++) {
		for (int a = 0; a < (int)(sizeof(ah_auths) / sizeof(ah_auths[0])); a++) {
			memset(&b, 0, sizeof(b));
			b.tunnel = t == 0;
			b.ah = a;
			b.esp = -1;
			bad |= gen_bundle(&b);
			if (ah_auths[a].a == XF_AUTH_KEYED_MD5_RFC1828) {
				for (int c = 12; c <= 13; c++) {	/* esp-rfc1829 */
					memset(&b, 0, sizeof(b));
					b.tunnel = t == 0;
					b.ah = a;
					b.esp = -2 - c;
					bad |= gen_bundle(&b);
				}
				continue;
			}
			for (int e = 0; e < (int)(sizeof(bundle_esps) / sizeof(bundle_esps[0]));
			    e++) {
				memset(&b, 0, sizeof(b));
				b.tunnel = t == 0;
				b.ah = a;
				b.esp = e;
				bad |= gen_bundle(&b);
			}
		}
		if (t == 0)
			continue;
		for (int e = 0; e < (int)(sizeof(bundle_esps) / sizeof(bundle_esps[0])); e++) {
			memset(&b, 0, sizeof(b));
			b.ah = -1;
			b.esp = e;
			bad |= gen_bundle(&b);
		}
		for (int c = 12; c <= 13; c++) {
			memset(&b, 0, sizeof(b));
			b.ah = -1;
			b.esp = -2 - c;
			bad |= gen_bundle(&b);
		}
	}
	return bad;
}

/* A key from the hex string of "name" in line. */
static bool
key_get(const char *line, const char *name, struct key *k)
{
	char hex[160];
	size_t n;

	memset(k, 0, sizeof(*k));
	if (!json_get(line, name, hex, sizeof(hex)) || !hex_get(hex, k->b, sizeof(k->b), &n))
		return false;
	k->len = (uint16_t)n;
	return true;
}

/* The SAs of one --ipsec-decap request, inbound, keyed from the line.  -1: unreadable. */
static int
bundle_read(const char *line, struct bundle *b, uint64_t *seq, bool *esn)
{
	char mode[16], ahn[32], cn[32], an[32], num[32], esn_s[8];
	struct gw_err err;
	int ai = -1, ci = -1, ei;

	memset(b, 0, sizeof(*b));
	if (!json_get(line, "mode", mode, sizeof(mode)) ||
	    !json_get(line, "ah", ahn, sizeof(ahn)) ||
	    !json_get(line, "cipher", cn, sizeof(cn)) || !json_get(line, "auth", an, sizeof(an)) ||
	    !json_get(line, "seq", num, sizeof(num)) ||
	    !json_get(line, "esn", esn_s, sizeof(esn_s)) ||
	    !key_get(line, "ahkey", &b->ahk) || !key_get(line, "ckey", &b->ck) ||
	    !key_get(line, "akey", &b->ak))
		return -1;
	*seq = strtoull(num, NULL, 0);
	*esn = strcmp(esn_s, "true") == 0;
	b->tunnel = strcmp(mode, "tunnel") == 0;
	if (json_get(line, "iv_size", num, sizeof(num)))
		b->iv_size = (unsigned)atoi(num);
	if ((strcmp(ahn, "none") != 0 && (ai = by_name_auth(ahn)) < 0) ||
	    (strcmp(cn, "none") != 0 && (ci = by_name_cipher(cn)) < 0) ||
	    (ei = by_name_auth(an)) < 0 || (ai < 0 && ci < 0))
		return -1;
	b->ah = ai >= 0 ? 0 : -1;		/* in use; the transform is ahx's */
	b->esp = ci >= 0 ? 0 : -1;
	if (ai >= 0 && xform_init(&b->ahx, XF_CIPHER_NONE, NULL, (enum xform_auth)ai, &b->ahk,
	    false, &err) != 0)
		return -1;
	if (ci >= 0 && (xform_init(&b->espx, (enum xform_cipher)ci, &b->ck, (enum xform_auth)ei,
	    &b->ak, false, &err) != 0 ||
	    (b->iv_size != 0 && xform_set_rfc1829_iv(&b->espx, b->iv_size, &err) != 0)))
		return -1;
	return 0;
}

/* AH first, then ESP (tunnel: after the outer header; transport: esp_transport_decap). */
static enum drop
bundle_decap(struct bundle *b, uint64_t seq, bool esn, struct pkt *p)
{
	uint8_t nh = IPPROTO_IPIP_;
	uint32_t ihl;
	enum drop d;

	if (b->ah >= 0 && (d = ah_decap(&b->ahx, seq, esn, p, &nh)) != DROP_NONE)
		return d;
	if (!b->tunnel)
		return b->esp >= 0 ? esp_transport_decap(&b->espx, seq, esn, p) : DROP_NONE;
	if ((d = ip4_check(p, &ihl)) != DROP_NONE)
		return d;
	p->data += ihl;				/* the outer header */
	p->len -= ihl;
	if (b->esp >= 0 && (d = esp_decap(&b->espx, seq, esn, p, &nh)) != DROP_NONE)
		return d;
	return nh == IPPROTO_IPIP_ ? DROP_NONE : DROP_PROTO;
}

static void
ipsec_decap_line(const char *line)
{
	static char hex[2 * PKT_MAX + 8];
	static struct pkt p;
	struct bundle b;
	char id[64] = "";
	uint64_t seq = 0;
	bool esn = false;
	size_t n;
	enum drop d;

	json_get(line, "id", id, sizeof(id));
	pkt_reset(&p);
	if (bundle_read(line, &b, &seq, &esn) != 0 || !json_get(line, "pkt", hex, sizeof(hex)) ||
	    !hex_get(hex, p.data, PKT_MAX, &n)) {
		printf("{\"id\":\"%s\",\"error\":\"cannot read the line\"}\n", id);
		xform_free(&b.ahx);
		xform_free(&b.espx);
		return;
	}
	p.len = (uint32_t)n;
	d = bundle_decap(&b, seq, esn, &p);
	printf("{\"id\":\"%s\",\"drop\":\"%s\"", id, drop_name[d]);
	if (d == DROP_NONE) {
		printf(",\"out\":\"");
		hex_put(p.data, p.len);
		printf("\"");
	}
	printf("}\n");
	xform_free(&b.ahx);
	xform_free(&b.espx);
}

int
main(int argc, char **argv)
{
	static char line[3 * PKT_MAX + 1024];

	if (argc > 1 && strcmp(argv[1], "--decap") == 0) {
		while (fgets(line, sizeof(line), stdin) != NULL) {
			decap_line(line);
			fflush(stdout);
		}
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--ipsec") == 0)
		return gen_ipsec();
	if (argc > 1 && strcmp(argv[1], "--ipsec-decap") == 0) {
		while (fgets(line, sizeof(line), stdin) != NULL) {
			ipsec_decap_line(line);
			fflush(stdout);
		}
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: esp_vectors [--decap | --ipsec | --ipsec-decap]\n");
		return 2;
	}
	return gen();
}
