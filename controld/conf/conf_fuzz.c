/* SPDX-License-Identifier: Apache-2.0 */
/* conf_fuzz.c: libFuzzer target of the configuration parser.  Any bytes (as a NUL-terminated
 * text) either are refused or give a configuration whose written config parses back to an
 * equal configuration that writes the same text (conf_write_config's promise), and whose
 * show running-config holds no pre-shared key; a refused text is refused the same, first
 * error included, when every refused line is listed (conf_parse_text_opts).  The other show
 * functions, conf_validate and conf_dup run on every accepted input as well, and every RSA
 * public key it holds (crypto key pubkey-chain rsa) decodes with OpenSSL. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "controld/conf/conf.h"

static char *
running(const struct conf *c, bool secrets)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	if (secrets)
		conf_write_config(c, f);
	else
		conf_show_running(c, f);
	fclose(f);
	return buf;
}

/* show running-config shows no key of c's keyrings nor of its crypto isakmp key lines: each
 * pre-shared-key line (the command, after its indentation) ends in the mask, each crypto
 * isakmp key line has the mask where the key was. */
static void
check_masked(const struct conf *c)
{
	char *s = running(c, false), *m = NULL;
	size_t len = 0;
	FILE *f;

	for (const char *p = s; *p != '\0';) {
		const char *nl = strchr(p, '\n'), *w = p;

		if (nl == NULL)
			abort();		/* every line ends in one */
		while (*w == ' ')
			w++;
		if (strncmp(w, "pre-shared-key ", 15) == 0 &&
		    (nl - w < 20 || strncmp(nl - 6, " *****", 6) != 0)) {
			fprintf(stderr, "a key shown:\n%s", s);
			abort();
		}
		/* (a line of a banner's text that looks like one is masked whole) */
		if (strncmp(w, "crypto isakmp key ", 18) == 0 &&
		    strncmp(w, "crypto isakmp key ***** ", 24) != 0 &&
		    strncmp(w, "crypto isakmp key *****\n", 24) != 0) {
			fprintf(stderr, "an isakmp key shown:\n%s", s);
			abort();
		}
		p = nl + 1;
	}
	/* a stored text masked is the shown text */
	if ((f = open_memstream(&m, &len)) == NULL)
		abort();
	{
		char *w = running(c, true);

		conf_show_masked(w, f);
		free(w);
	}
	fclose(f);
	if (strcmp(m, s) != 0) {
		fprintf(stderr, "masked text differs:\n%s\n----\n%s", m, s);
		abort();
	}
	free(m);
	free(s);
}

static void
show_all(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	conf_show_access_lists(c, NULL, f);
	conf_show_transform_sets(c, NULL, f);
	conf_show_crypto_map(c, NULL, NULL, f);
	for (size_t i = 0; i < c->n_ifs; i++)
		conf_show_crypto_map(c, NULL, c->ifs[i]->name, f);
	conf_show_dynamic_map(c, NULL, f);
	conf_show_sa_lifetime(c, f);
	conf_show_ikev2_proposals(c, NULL, f);
	conf_show_ikev2_policies(c, NULL, f);
	conf_show_ikev2_profiles(c, NULL, f);
	conf_show_isakmp_policy(c, f);
	for (size_t i = 0; i < c->n_maps; i++)
		for (size_t k = 0; k < c->maps[i]->n_entries; k++)
			(void)conf_entry_ike_version(c->maps[i]->entries[k]);
	(void)conf_isakmp_key_find(c, 0xc6336402u, "gw.example.net");
	conf_show_pubkey_chain(c, false, 0, NULL, f);
	conf_show_pubkey_chain(c, true, 0xc6336402u, NULL, f);
	conf_show_pubkey_chain(c, false, 0, "gwb.example.net", f);
	(void)conf_rsa_key_find(c, 0xc6336402u, "gwb.example.net");
	for (size_t i = 0; i < c->n_rsa_keys; i++) {
		EVP_PKEY *k;

		if (c->rsa_keys[i]->der_len == 0)
			continue;
		if ((k = conf_rsa_key_pkey(c->rsa_keys[i], NULL)) == NULL)
			abort();	/* the parser stores only keys that decode */
		EVP_PKEY_free(k);
	}
	(void)conf_validate(c, NULL, f);
	fclose(f);
	free(buf);
}

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gw_err err;
	struct conf *c, *c2, *d;
	char *text, *s1, *s2;

	if ((text = malloc(size + 1)) == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	c = conf_parse_text(text, "fuzz", &err);
	if (c == NULL) {
		/* refused: listing every refused line refuses it too, first line the same */
		struct conf_parse_opts o = { 0 };
		struct gw_err e2;
		char *list = NULL;
		size_t len = 0;

		if ((o.errors = open_memstream(&list, &len)) == NULL)
			abort();
		if ((c = conf_parse_text_opts(text, "fuzz", &o, &e2)) != NULL ||
		    e2.line != err.line || strcmp(e2.msg, err.msg) != 0) {
			fprintf(stderr, "the listing parse differs: %u %s / %u %s\n", err.line,
			    err.msg, e2.line, e2.msg);
			abort();
		}
		fclose(o.errors);
		free(list);
		free(text);
		return 0;
	}
	free(text);
	s1 = running(c, true);
	if ((c2 = conf_parse_text(s1, "running", &err)) == NULL) {
		fprintf(stderr, "running config does not parse: line %u: %s\n%s", err.line,
		    err.msg, s1);
		abort();
	}
	s2 = running(c2, true);
	if (strcmp(s1, s2) != 0 || !conf_equal(c, c2)) {
		fprintf(stderr, "round trip differs:\n%s\n----\n%s", s1, s2);
		abort();
	}
	if ((d = conf_dup(c)) == NULL || !conf_equal(c, d))
		abort();
	show_all(c);
	check_masked(c);
	conf_free(d);
	conf_free(c2);
	conf_free(c);
	free(s1);
	free(s2);
	return 0;
}
