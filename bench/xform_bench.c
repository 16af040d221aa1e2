/* SPDX-License-Identifier: Apache-2.0 */
/* xform_bench.c: ESP and AH encapsulation and decapsulation per second, each transform, one core,
 * payloads of 64, 512 and 1400 bytes, next to what `openssl speed -evp` gets for the bare
 * cipher over the same bytes (bench/run.sh measures that in the same run and passes it in).
 *
 *   xform_bench [-t seconds per figure] [-r reference file: "<evp name> <bytes> <ns>" lines]
 *
 * Each round encapsulates (or decapsulates) a batch of packets prepared outside the clock, as
 * datad works on batches; a figure is the best of its rounds' per-packet times. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/ah.h"
#include "common/esp.h"
#include "common/ip4.h"

enum { BATCH = 256 };

static const struct {
	const char		*name, *evp;	/* evp: the name openssl speed knows */
	enum xform_cipher	c;
	uint16_t		clen;
	enum xform_auth		a;
	uint16_t		alen;
} xfs[] = {
	{ "esp-gcm 128", "aes-128-gcm", XF_CIPHER_AES_GCM, 20, XF_AUTH_NONE, 0 },
	{ "esp-gcm 256", "aes-256-gcm", XF_CIPHER_AES_GCM, 36, XF_AUTH_NONE, 0 },
	{ "esp-gmac 128", "aes-128-gcm", XF_CIPHER_AES_GMAC, 20, XF_AUTH_NONE, 0 },
	{ "chacha20-poly1305", "chacha20-poly1305", XF_CIPHER_CHACHA20_POLY1305, 36,
	    XF_AUTH_NONE, 0 },
	{ "esp-aes 128 sha-hmac", "aes-128-cbc", XF_CIPHER_AES_CBC, 16, XF_AUTH_HMAC_SHA1_96,
	    20 },
	{ "esp-aes 256 sha256-hmac", "aes-256-cbc", XF_CIPHER_AES_CBC, 32,
	    XF_AUTH_HMAC_SHA256_128, 32 },
	{ "esp-aes 256 sha512-hmac", "aes-256-cbc", XF_CIPHER_AES_CBC, 32,
	    XF_AUTH_HMAC_SHA512_256, 64 },
	{ "esp-aes 128", "aes-128-cbc", XF_CIPHER_AES_CBC, 16, XF_AUTH_NONE, 0 },
	{ "esp-null sha-hmac", "sha1", XF_CIPHER_NULL, 0, XF_AUTH_HMAC_SHA1_96, 20 },
	{ "esp-3des md5-hmac", "des-ede3-cbc", XF_CIPHER_3DES, 24, XF_AUTH_HMAC_MD5_96, 16 },
	{ "esp-des md5-hmac", "des-cbc", XF_CIPHER_DES, 8, XF_AUTH_HMAC_MD5_96, 16 },
	/* AH (cipher none): whole IPv4 packets of that many bytes, header included */
	{ "ah-sha-hmac", "sha1", XF_CIPHER_NONE, 0, XF_AUTH_HMAC_SHA1_96, 20 },
	{ "ah-sha256-hmac", "sha256", XF_CIPHER_NONE, 0, XF_AUTH_HMAC_SHA256_128, 32 },
	{ "ah-md5-hmac", "md5", XF_CIPHER_NONE, 0, XF_AUTH_HMAC_MD5_96, 16 },
	{ "ah-rfc1828", "md5", XF_CIPHER_NONE, 0, XF_AUTH_KEYED_MD5_RFC1828, 16 },
};

static const uint32_t sizes[] = { 64, 512, 1400 };

static struct {
	char		evp[32];
	uint32_t	bytes;
	double		ns;
} refs[128];
static size_t n_refs;

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void
refs_read(const char *path)
{
	FILE *f = fopen(path, "r");

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	while (n_refs < sizeof(refs) / sizeof(refs[0]) && fscanf(f, "%31s %u %lf",
	    refs[n_refs].evp, &refs[n_refs].bytes, &refs[n_refs].ns) == 3)
		n_refs++;
	fclose(f);
}

static double
ref_ns(const char *evp, uint32_t bytes)
{
	for (size_t i = 0; i < n_refs; i++)
		if (strcmp(refs[i].evp, evp) == 0 && refs[i].bytes == bytes)
			return refs[i].ns;
	return 0;
}

/* A batch of payloads, or for AH of IPv4 packets 198.51.100.1 -> .2 of len bytes. */
static void
batch_fill(struct pkt *pk, uint32_t len, bool ip)
{
	for (int i = 0; i < BATCH; i++) {
		pkt_reset(&pk[i]);
		memset(pk[i].data, 0x45 + i, len);
		pk[i].len = len;
		if (!ip)
			continue;
		memcpy(pk[i].data, "\x45\x00\x00\x00\x00\x01\x40\x00\x40\x11\x00\x00"
		    "\xc6\x33\x64\x01\xc6\x33\x64\x02", 20);
		pk[i].data[2] = (uint8_t)(len >> 8);
		pk[i].data[3] = (uint8_t)len;
		ip4_csum_set(pk[i].data);
	}
}

/* As datad seals: ESP framed packet by packet, CBC on AES-NI encrypted at the end of the batch
 * (esp_encap_finish, in measure). */
static enum drop
encap(struct xform *xf, uint64_t seq, struct pkt *p, struct esp_job *j)
{
	j->xf = NULL;
	if (xf->cipher == XF_CIPHER_NONE)
		return ah_encap(xf, htonl(0x100), seq, false, p);
	return esp_encap_begin(xf, htonl(0x100), seq, false, 4, p, j);
}

static enum drop
decap(struct xform *xf, uint64_t seq, struct pkt *p)
{
	uint8_t nh;

	if (xf->cipher == XF_CIPHER_NONE)
		return ah_decap(xf, seq, false, p, &nh);
	return esp_decap(xf, seq, false, p, &nh);
}

/* Best per-packet nanoseconds of encap and of decap over rounds of BATCH packets. */
static int
measure(struct xform *enc, struct xform *dec, uint32_t len, double secs, double *e_ns,
    double *d_ns)
{
	static struct pkt pk[BATCH];
	static struct esp_job jobs[BATCH];
	uint64_t seq = 1;
	double end = now() + secs, t;
	unsigned n;

	*e_ns = *d_ns = 1e30;
	while (now() < end) {
		batch_fill(pk, len, enc->cipher == XF_CIPHER_NONE);
		t = now();
		for (int i = n = 0; i < BATCH; i++) {
			if (encap(enc, seq + (uint64_t)i, &pk[i], &jobs[n]) != DROP_NONE)
				return -1;
			n += jobs[n].xf != NULL;
		}
		esp_encap_finish(jobs, n);
		t = (now() - t) * 1e9 / BATCH;
		if (t < *e_ns)
			*e_ns = t;
		t = now();
		for (int i = 0; i < BATCH; i++)
			if (decap(dec, seq + (uint64_t)i, &pk[i]) != DROP_NONE)
				return -1;
		t = (now() - t) * 1e9 / BATCH;
		if (t < *d_ns)
			*d_ns = t;
		seq += BATCH;
	}
	return 0;
}

static void
ratio_put(double ours, double ref)
{
	if (ref > 0)
		printf(" %8.0f %6.2f", ref, ours / ref);
	else
		printf(" %8s %6s", "-", "-");
}

int
main(int argc, char **argv)
{
	double secs = 0.5;
	int opt;

	while ((opt = getopt(argc, argv, "t:r:")) != -1) {
		if (opt == 't')
			secs = atof(optarg);
		else if (opt == 'r')
			refs_read(optarg);
		else {
			fprintf(stderr, "usage: xform_bench [-t seconds] [-r reference file]\n");
			return 2;
		}
	}
	printf("%-24s %5s %9s %7s %9s %7s %8s %6s %6s\n", "transform", "bytes", "encap ns",
	    "Mpps", "decap ns", "Mpps", "ossl ns", "enc/o", "dec/o");
	for (size_t x = 0; x < sizeof(xfs) / sizeof(xfs[0]); x++) {
		struct key ck, ak;
		struct gw_err err;
		struct xform enc, dec;

		memset(&ck, 0x3c, sizeof(ck));
		memset(&ak, 0xc3, sizeof(ak));
		ck.len = xfs[x].clen;
		ak.len = xfs[x].alen;
		if (xform_init(&enc, xfs[x].c, &ck, xfs[x].a, &ak, true, &err) != 0 ||
		    xform_init(&dec, xfs[x].c, &ck, xfs[x].a, &ak, false, &err) != 0) {
			printf("%-24s %s\n", xfs[x].name, err.msg);
			continue;
		}
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			double e, d, r = ref_ns(xfs[x].evp, sizes[s]);

			if (measure(&enc, &dec, sizes[s], secs, &e, &d) != 0) {
				printf("%-24s %5u failed\n", xfs[x].name, sizes[s]);
				continue;
			}
			printf("%-24s %5u %9.0f %7.3f %9.0f %7.3f", xfs[x].name, sizes[s], e,
			    1e3 / e, d, 1e3 / d);
			ratio_put(e, r);
			printf(" %6.2f\n", r > 0 ? d / r : 0.0);
		}
		xform_free(&enc);
		xform_free(&dec);
	}
	if (n_refs > 0)
		printf("ossl ns: openssl speed -evp <cipher> -bytes <n> for the bare cipher "
		    "(sha1, sha256, md5: the digest); enc/o, dec/o: ours over it\n");
	return 0;
}
