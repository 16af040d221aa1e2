/* SPDX-License-Identifier: Apache-2.0 */
/* rsakey.c: our RSA key pair (rsakey.h): made, read from its file in the state directory,
 * shown.  Holds the private key only in its EVP_PKEY and in the file text it hands out; the
 * text is the caller's to wipe.  Writes no file: the CLI does, atomically (cli/save.c). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "controld/rsakey.h"

int
rsakey_path(const char *state_dir, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/%s", state_dir, RSAKEY_FILE) >= len)
		return -1;
	return 0;
}

void
rsakey_free(struct rsakey *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pkey);
	memset(k, 0, sizeof(*k));
}

EVP_PKEY *
rsakey_get(const struct rsakey *k)
{
	return k->pkey;
}

/* The "# label: L" and "# generated: T" lines before the PEM block into k. */
static void
header_read(struct rsakey *k, const char *text)
{
	const char *l = text;

	while (l != NULL && *l == '#') {
		char lab[CONF_NAME_MAX];
		long long t;

		if (sscanf(l, "# label: %63s", lab) == 1)
			snprintf(k->label, sizeof(k->label), "%s", lab);
		else if (sscanf(l, "# generated: %lld", &t) == 1)
			k->generated = t;
		if ((l = strchr(l, '\n')) != NULL)
			l++;
	}
}

int
rsakey_load(struct rsakey *k, const char *path, struct gw_err *err)
{
	struct rsakey nk = { 0 };
	char head[512];
	struct stat st;
	size_t n;
	BIO *b;
	int rc = -1;

	if (stat(path, &st) != 0) {
		if (errno == ENOENT)
			return 1;
		return gw_fail(err, 0, "%s: %s", path, strerror(errno));
	}
	if ((b = BIO_new_file(path, "r")) == NULL) {
		ERR_clear_error();
		return gw_fail(err, 0, "%s: cannot be read", path);
	}
	if (!BIO_read_ex(b, head, sizeof(head) - 1, &n))
		n = 0;
	head[n] = '\0';
	header_read(&nk, head);
	(void)BIO_reset(b);
	if ((nk.pkey = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)) == NULL ||
	    EVP_PKEY_get_base_id(nk.pkey) != EVP_PKEY_RSA) {
		gw_fail(err, 0, "%s: not an RSA private key in PEM", path);
		rsakey_free(&nk);
		goto out;
	}
	if (nk.label[0] == '\0')
		snprintf(nk.label, sizeof(nk.label), "%s", CONF_HOSTNAME_DEFAULT);
	rsakey_free(k);
	*k = nk;
	rc = 0;
	if (err != NULL)
		err->msg[0] = '\0';
	if ((st.st_mode & 077) != 0)
		gw_fail(err, 0, "%s: mode %03o, readable by others: chmod 600 it", path,
		    (unsigned)(st.st_mode & 0777));
out:
	OPENSSL_cleanse(head, sizeof(head));
	BIO_free(b);
	ERR_clear_error();
	return rc;
}

int
rsakey_make(struct rsakey *nk, unsigned bits, const char *label, int64_t now, char **text,
    size_t *len, struct gw_err *err)
{
	FILE *f;
	int ok;

	memset(nk, 0, sizeof(*nk));
	*text = NULL;
	*len = 0;
	if (bits < RSAKEY_BITS_MIN || bits > RSAKEY_BITS_MAX)
		return gw_fail(err, 0, "modulus %u: not in %d-%d", bits, RSAKEY_BITS_MIN,
		    RSAKEY_BITS_MAX);
	if ((nk->pkey = EVP_RSA_gen(bits)) == NULL) {
		ERR_clear_error();
		return gw_fail(err, 0, "OpenSSL could not generate a %u-bit RSA key", bits);
	}
	snprintf(nk->label, sizeof(nk->label), "%s", label);
	nk->generated = now;
	if ((f = open_memstream(text, len)) == NULL) {
		rsakey_free(nk);
		return gw_fail(err, 0, "out of memory");
	}
	fprintf(f, "# ipsecgw: our RSA key pair (crypto key generate rsa); keep it 0600\n"
	    "# label: %s\n# generated: %" PRId64 "\n", nk->label, now);
	ok = PEM_write_PrivateKey(f, nk->pkey, NULL, NULL, 0, NULL, NULL);
	if (fclose(f) != 0 || !ok) {
		if (*text != NULL)
			OPENSSL_cleanse(*text, *len);
		free(*text);
		*text = NULL;
		rsakey_free(nk);
		ERR_clear_error();
		return gw_fail(err, 0, "the key pair could not be written out");
	}
	return 0;
}

void
rsakey_show(const struct rsakey *k, FILE *out)
{
	uint8_t *der = NULL;
	time_t t = (time_t)k->generated;
	struct tm tm;
	char when[64];
	int n;

	if (k->pkey == NULL) {
		fputs("% No RSA key pair: crypto key generate rsa makes one\n", out);
		return;
	}
	/* IOS: "% Key pair was generated at: 06:07:49 UTC Jan 13 1996" */
	if (k->generated != 0 && gmtime_r(&t, &tm) != NULL &&
	    strftime(when, sizeof(when), "%H:%M:%S UTC %b", &tm) > 0)
		fprintf(out, "%% Key pair was generated at: %s %d %d\n", when, tm.tm_mday,
		    tm.tm_year + 1900);
	fprintf(out, "Key name: %s\n", k->label);
	fprintf(out, " Usage: General Purpose Key\n");
	fprintf(out, " Key Data: (%d bit RSA)\n", EVP_PKEY_get_bits(k->pkey));
	if ((n = i2d_PUBKEY(k->pkey, &der)) > 0)
		conf_rsa_hex(der, (size_t)n, "  ", out);
	OPENSSL_free(der);
}
