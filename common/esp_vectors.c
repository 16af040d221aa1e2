/* esp_vectors.c: ESP packets for someone else to check, and someone else's packets for us to
 * open (tests/interop/esp_scapy.py).  Not a test by itself.
 *
 *   esp_vectors            one JSON line per packet we encapsulate: every transform, a few inner
 *                          IPv4 packets, a few sequence numbers (ESN too), keys in hex
 *   esp_vectors --decap    reads JSON lines {"id", "cipher", "ckey", "auth", "akey", "iv_size",
 *                          "seq", "esn", "esp"} and answers {"id", "drop", "nh", "inner"}
 *
 * The JSON reader knows only the flat objects above (strings, integers, true/false). */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/esp.h"

static const struct {
	enum xform_cipher	c;
	uint16_t		clen;
	unsigned		iv_size;
} ciphers[] = {
	{ XF_CIPHER_NULL, 0, 0 },		{ XF_CIPHER_DES, 8, 0 },
	{ XF_CIPHER_3DES, 24, 0 },		{ XF_CIPHER_AES_CBC, 16, 0 },
	{ XF_CIPHER_AES_CBC, 24, 0 },		{ XF_CIPHER_AES_CBC, 32, 0 },
	{ XF_CIPHER_AES_GCM, 20, 0 },		{ XF_CIPHER_AES_GCM, 28, 0 },
	{ XF_CIPHER_AES_GCM, 36, 0 },		{ XF_CIPHER_AES_GMAC, 20, 0 },
	{ XF_CIPHER_AES_GMAC, 36, 0 },		{ XF_CIPHER_CHACHA20_POLY1305, 36, 0 },
	{ XF_CIPHER_DES_RFC1829, 8, 4 },	{ XF_CIPHER_DES_RFC1829, 8, 8 },
};

static const struct {
	enum xform_auth	a;
	uint16_t	alen;
} auths[] = {
	{ XF_AUTH_NONE, 0 },			{ XF_AUTH_HMAC_MD5_96, 16 },
	{ XF_AUTH_HMAC_SHA1_96, 20 },		{ XF_AUTH_HMAC_SHA256_128, 32 },
	{ XF_AUTH_HMAC_SHA384_192, 48 },	{ XF_AUTH_HMAC_SHA512_256, 64 },
};

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

/* Inner IPv4 packet number i, 192.0.2.1 -> 192.0.2.129 (DESIGN: hostA -> hostB). */
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
	if (argc > 1) {
		fprintf(stderr, "usage: esp_vectors [--decap]\n");
		return 2;
	}
	return gen();
}
