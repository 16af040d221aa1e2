/* SPDX-License-Identifier: Apache-2.0 */
/* crypto_key.c: the exec commands of the RSA keys (IKEv1 rsa-sig, IOS 11.3): crypto key
 * generate rsa (our key pair: made, written to STATE_DIR/rsa-key.pem 0600 atomically, then
 * adopted: a failed write leaves the old pair in use and on disk), crypto key zeroize rsa,
 * show crypto key mypubkey rsa (ours, rsakey.c) and show crypto key pubkey-chain rsa (the
 * peers', conf/pubkey.c).  The private key never enters the configuration nor any output. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "controld/cli/exec.h"
#include "controld/ike/ike.h"

/* [general-keys] [modulus N] [label L], in any order: 0, or -1 with the reason written. */
static int
gen_args(char **a, int n, unsigned *bits, const char **label, FILE *out)
{
	for (int i = 0; i < n; i++) {
		char *end;
		unsigned long v;

		if (strcmp(a[i], "general-keys") == 0)
			continue;
		if (strcmp(a[i], "modulus") == 0 && i + 1 < n) {
			errno = 0;
			v = strtoul(a[++i], &end, 10);
			if (errno != 0 || *end != '\0' || v < RSAKEY_BITS_MIN ||
			    v > RSAKEY_BITS_MAX) {
				fprintf(out, "%% modulus %s: not in %d-%d bits\n", a[i],
				    RSAKEY_BITS_MIN, RSAKEY_BITS_MAX);
				return -1;
			}
			*bits = (unsigned)v;
		} else if (strcmp(a[i], "label") == 0 && i + 1 < n) {
			*label = a[++i];
			if (strlen(*label) >= CONF_NAME_MAX) {
				fprintf(out, "%% label: longer than %d characters\n",
				    CONF_NAME_MAX - 1);
				return -1;
			}
		} else {
			fprintf(out, "%% Usage: crypto key generate rsa [general-keys] [modulus "
			    "%d-%d] [label L]\n", RSAKEY_BITS_MIN, RSAKEY_BITS_MAX);
			return -1;
		}
	}
	return 0;
}

/* IOS asks "Do you really want to replace them?"; we replace, and say so. */
int
crypto_key_generate(struct controld *cd, char **a, int n, FILE *out)
{
	struct gw_err err = { 0, "" };
	const char *label = cd->conf.running != NULL ? cd->conf.running->hostname :
	    CONF_HOSTNAME_DEFAULT;
	unsigned bits = RSAKEY_BITS_DEFAULT;
	struct rsakey nk;
	char path[4096], *text;
	size_t len;
	int rc;

	if (gen_args(a, n, &bits, &label, out) != 0)
		return -1;
	if (rsakey_path(cd->link.state_dir, path, sizeof(path)) != 0) {
		fprintf(out, "%% the state directory's path is too long\n");
		return -1;
	}
	if (cd->rsa.pkey != NULL)
		fprintf(out, "%% You already have RSA keys defined named %s.\n%% They will be "
		    "replaced.\n", cd->rsa.label);
	fprintf(out, "The name for the keys will be: %s\n%% The key modulus size is %u bits\n"
	    "%% Generating %u bit RSA keys, keys will be non-exportable...", label, bits, bits);
	fflush(out);
	if (rsakey_make(&nk, bits, label, (int64_t)time(NULL), &text, &len, &err) != 0) {
		fprintf(out, "\n%% %s\n", err.msg);
		return -1;
	}
	rc = save_atomic(path, text, len, 0600, &err);
	OPENSSL_cleanse(text, len);
	free(text);
	if (rc != 0) {
		rsakey_free(&nk);
		fprintf(out, "\n%% %s\n%% The key pair in use is unchanged.\n", err.msg);
		return -1;
	}
	rsakey_free(&cd->rsa);
	cd->rsa = nk;
	if (cd->ike.ike != NULL)		/* IKEv1 rsa-sig signs with it from now */
		ike_set_rsa_key(cd->ike.ike, rsakey_get(&cd->rsa));
	fprintf(out, "[OK]\n%% Key pair kept in %s (mode 0600), not in the configuration\n",
	    path);
	log_info("crypto key generate rsa: new %u-bit key pair \"%s\" in %s", bits,
	    cd->rsa.label, path);
	return 0;
}

int
crypto_key_zeroize(struct controld *cd, char **a, int n, FILE *out)
{
	char path[4096];

	(void)a;
	(void)n;
	if (rsakey_path(cd->link.state_dir, path, sizeof(path)) != 0) {
		fprintf(out, "%% the state directory's path is too long\n");
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		fprintf(out, "%% %s: %s; the key pair stays\n", path, strerror(errno));
		return -1;
	}
	fprintf(out, "%% All RSA keys will be removed.\n%s", cd->rsa.pkey != NULL ? "" :
	    "% There was no RSA key pair.\n");
	rsakey_free(&cd->rsa);
	if (cd->ike.ike != NULL)
		ike_set_rsa_key(cd->ike.ike, NULL);
	log_info("crypto key zeroize rsa: %s removed", path);
	return 0;
}

int
crypto_key_show_mine(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	rsakey_show(&cd->rsa, out);
	return 0;
}

int
crypto_key_show_chain(struct controld *cd, char **a, int n, FILE *out)
{
	uint32_t addr = 0;

	if (n == 0) {
		conf_show_pubkey_chain(cd->conf.running, false, 0, NULL, out);
		return 0;
	}
	if (n == 2 && strcmp(a[0], "name") == 0) {
		conf_show_pubkey_chain(cd->conf.running, false, 0, a[1], out);
		return 0;
	}
	if (n == 2 && strcmp(a[0], "address") == 0 && cli_ip_parse(a[1], &addr)) {
		conf_show_pubkey_chain(cd->conf.running, true, addr, NULL, out);
		return 0;
	}
	fprintf(out, "%% Usage: show crypto key pubkey-chain rsa [address A | name NAME]\n");
	return -1;
}
