/* SPDX-License-Identifier: Apache-2.0 */
/* rsakey.h: our RSA key pair for IKEv1 rsa-sig (crypto key generate rsa, IOS 11.3): made by
 * OpenSSL, kept in controld's state directory as STATE_DIR/rsa-key.pem (mode 0600, PKCS#8
 * PEM after a few "# label:" / "# generated:" comment lines), never in the configuration.
 * Loaded when controld starts; replaced whole by the exec command (cli/crypto_key.c writes
 * the file atomically, then adopts the pair).  One key pair at a time, as the seed's
 * routers: its label is for show only.  The engine borrows the EVP_PKEY (rsakey_get). */
#ifndef GW_CONTROLD_RSAKEY_H
#define GW_CONTROLD_RSAKEY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/types.h>

#include "common/err.h"
#include "controld/conf/conf.h"

#define RSAKEY_FILE	"rsa-key.pem"

enum {
	RSAKEY_BITS_MIN		= 1024,		/* crypto key generate rsa modulus N */
	RSAKEY_BITS_MAX		= 4096,
	RSAKEY_BITS_DEFAULT	= 2048,
};

struct rsakey {
	EVP_PKEY	*pkey;			/* NULL: none; owned */
	char		label[CONF_NAME_MAX];	/* crypto key generate rsa label L */
	int64_t		generated;		/* Unix time; 0: not known */
};

/* STATE_DIR/rsa-key.pem into buf; -1 when it does not fit. */
int		rsakey_path(const char *state_dir, char *buf, size_t len);
/* Our key pair from path into k (what k held freed).  0 when loaded; 1 when there is no file
 * (k unchanged); -1 with err when it cannot be read or holds no RSA private key (k
 * unchanged).  A file readable by others is loaded with a warning in err->msg and 0. */
int		rsakey_load(struct rsakey *k, const char *path, struct gw_err *err);
/* A new key pair of bits (RSAKEY_BITS_MIN..MAX) labelled label at now into *nk (caller frees
 * with rsakey_free), and the text of its file into *text, *len (caller wipes with
 * OPENSSL_cleanse and frees: it holds the private key).  -1 with err. */
int		rsakey_make(struct rsakey *nk, unsigned bits, const char *label, int64_t now,
		    char **text, size_t *len, struct gw_err *err);
/* What k holds freed; k empty after.  NULL-safe, and safe on an empty k. */
void		rsakey_free(struct rsakey *k);
/* show crypto key mypubkey rsa (IOS layout): "% Key pair was generated at: ...", "Key name:",
 * " Usage: General Purpose Key", " Key Data:" and the DER SubjectPublicKeyInfo in 8-digit
 * groups (what a peer pastes as its key-string); "% No RSA key pair" when there is none. */
void		rsakey_show(const struct rsakey *k, FILE *out);
/* For the IKEv1 engine: our private key for v1sig_sign() (ike/v1sig.h), or NULL when none was
 * generated.  Borrowed: valid until the next crypto key generate|zeroize rsa in controld's
 * loop; EVP_PKEY_up_ref() it to keep it longer. */
EVP_PKEY	*rsakey_get(const struct rsakey *k);

#endif
