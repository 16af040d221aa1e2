/* SPDX-License-Identifier: Apache-2.0 */
/* pubkey_test.c: crypto key pubkey-chain rsa (pubkey.c): keys made by OpenSSL pasted in any
 * grouping and case, stored as their DER and written back as IOS prints key data; the
 * sub-modes and their prompts; each refusal with its line and reason (bad hex, odd digits,
 * not DER, bytes after the key, not RSA, no quit, end inside a key-string); the no forms;
 * the engine's lookups (name, address, named-key address, usages); show crypto key
 * pubkey-chain rsa; round trips through conf_write_config(), conf_dup() and conf_equal(). */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "controld/conf/conf.h"
#include "tests/lib/test.h"

static uint8_t	der1[CONF_RSA_DER_MAX], der2[CONF_RSA_DER_MAX], der_ec[256];
static int	len1, len2, len_ec;

static int
spki(EVP_PKEY *k, uint8_t *out)
{
	unsigned char *q = out;
	int n = i2d_PUBKEY(k, &q);

	EVP_PKEY_free(k);
	return n;
}

static void
keys_make(void)
{
	len1 = spki(EVP_RSA_gen(1024), der1);
	len2 = spki(EVP_RSA_gen(2048), der2);
	len_ec = spki(EVP_EC_gen("P-256"), der_ec);
	if (len1 <= 0 || len2 <= 0 || len_ec <= 0)
		abort();
}

/* der as hex in groups of `group` digits, `per_line` groups a line, lower case when lower,
 * each line indented by `indent`. */
static void
hex_lines(FILE *f, const uint8_t *der, int len, int group, int per_line, bool lower,
    const char *indent)
{
	static const char up[] = "0123456789ABCDEF", lo[] = "0123456789abcdef";
	const char *d = lower ? lo : up;
	int digits = 2 * len;

	for (int i = 0; i < digits; i++) {
		uint8_t b = der[i / 2];

		if (i % (group * per_line) == 0)
			fputs(indent, f);
		else if (i % group == 0)
			fputc(' ', f);
		fputc(d[i % 2 ? b & 15 : b >> 4], f);
		if (i % (group * per_line) == group * per_line - 1 || i == digits - 1)
			fputc('\n', f);
	}
}

static char *
text_of(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	conf_write_config(c, f);
	fclose(f);
	return buf;
}

/* A configuration text: head, then der as hex (grouping as given), then tail. */
static char *
with_key(const char *head, const uint8_t *der, int len, int group, const char *tail)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	fputs(head, f);
	hex_lines(f, der, len, group, 7, group % 2 == 1, "   ");
	fputs(tail, f);
	fclose(f);
	return buf;
}

static struct conf *
parse(const char *text, struct gw_err *err)
{
	err->line = 0;
	err->msg[0] = '\0';
	return conf_parse_text(text, "t", err);
}

/* ---- Parse and write back ---- */

static void
test_round_trip(void)
{
	struct gw_err err;
	char *text = with_key("crypto key pubkey-chain rsa\n"
	    " addressed-key 198.51.100.2 signature\n  key-string\n", der1, len1, 5,
	    "  quit\n named-key gwb.example.net\n  address 198.51.100.3\n  key-string\n");
	char *t2, *w, *w2, *expect = NULL;
	size_t n = 0;
	FILE *f;
	struct conf *c, *c2, *d;

	/* the second key in 3-digit groups, its last line alone */
	f = open_memstream(&t2, &n);
	fputs(text, f);
	hex_lines(f, der2, len2, 3, 11, true, "");
	fputs("quit\n!\nhostname gwA\n", f);
	fclose(f);
	c = parse(t2, &err);
	T_OK(c != NULL, "parsed: line %u: %s", err.line, err.msg);
	if (c == NULL)
		goto out;
	T_EQ(c->n_rsa_keys, 2, "two keys");
	T_OK(!c->rsa_keys[0]->named && c->rsa_keys[0]->addr == 0xc6336402u &&
	    c->rsa_keys[0]->usage == CONF_RSA_SIGNATURE && c->rsa_keys[0]->bits == 1024,
	    "addressed-key 198.51.100.2 signature, 1024 bits");
	T_EQ(c->rsa_keys[0]->der_len, len1, "its DER");
	T_MEMEQ(c->rsa_keys[0]->der, der1, (size_t)len1, "its DER");
	T_OK(c->rsa_keys[1]->named && strcmp(c->rsa_keys[1]->name, "gwb.example.net") == 0 &&
	    c->rsa_keys[1]->has_addr && c->rsa_keys[1]->addr == 0xc6336403u &&
	    c->rsa_keys[1]->usage == CONF_RSA_GENERAL && c->rsa_keys[1]->bits == 2048,
	    "named-key with its address, general purpose");
	T_MEMEQ(c->rsa_keys[1]->der, der2, (size_t)len2, "its DER");
	T_STREQ(c->hostname, "gwA", "a global command after the chain");

	/* written as IOS prints key data: 8-digit upper-case groups, 8 a line */
	w = text_of(c);
	f = open_memstream(&expect, &n);
	fputs("crypto key pubkey-chain rsa\n addressed-key 198.51.100.2 signature\n"
	    "  key-string\n", f);
	hex_lines(f, der1, len1, 8, 8, false, "   ");
	fputs("  quit\n named-key gwb.example.net\n  address 198.51.100.3\n  key-string\n", f);
	hex_lines(f, der2, len2, 8, 8, false, "   ");
	fputs("  quit\n!\n", f);
	fclose(f);
	T_OK(strstr(w, expect) != NULL, "written:\n%s\nwant within:\n%s", w, expect);
	c2 = parse(w, &err);
	T_OK(c2 != NULL && conf_equal(c, c2), "written text parses back equal: %s", err.msg);
	w2 = c2 != NULL ? text_of(c2) : NULL;
	T_STREQ(w2, w, "and writes the same text");
	d = conf_dup(c);
	T_OK(d != NULL && conf_equal(c, d), "dup equal");
	if (d != NULL) {
		d->rsa_keys[0]->der[40] ^= 1;
		T_OK(!conf_equal(c, d), "a changed bit is a different configuration");
	}
	conf_free(d);
	conf_free(c2);
	free(w2);
	free(w);
	free(expect);
	conf_free(c);
out:
	free(t2);
	free(text);
}

/* ---- The sub-modes ---- */

static void
test_session(void)
{
	struct conf *c = conf_new();
	struct conf_session s;
	struct gw_err err;
	char hex[64];

	conf_session_begin(&s, c);
	T_OK(conf_session_line(&s, "crypto key pubkey-chain rsa", 1, &err) == 0, "%s", err.msg);
	T_STREQ(conf_session_prompt_mode(&s), "config-pubkey-chain", "chain");
	T_OK(conf_session_line(&s, "addressed-key 192.0.2.7", 2, &err) == 0, "%s", err.msg);
	T_STREQ(conf_session_prompt_mode(&s), "config-pubkey-key", "key");
	T_OK(conf_session_line(&s, "address 192.0.2.8", 3, &err) != 0 &&
	    strstr(err.msg, "only for a named-key") != NULL, "address of an addressed-key: %s",
	    err.msg);
	T_OK(conf_session_line(&s, "key-string", 4, &err) == 0, "%s", err.msg);
	T_STREQ(conf_session_prompt_mode(&s), "config-pubkey", "key-string");
	T_OK(conf_session_line(&s, "end", 5, &err) != 0 && err.line == 5 &&
	    strstr(err.msg, "not hex digits") != NULL, "end inside a key-string: %s", err.msg);
	T_OK(conf_session_line(&s, "30 82 zz", 6, &err) != 0 && strstr(err.msg, "\"zz\"") !=
	    NULL && strstr(err.msg, "addressed-key 192.0.2.7") != NULL, "bad hex: %s", err.msg);
	for (int i = 0; i < len1; i += 16) {
		int k = 0;

		for (int j = i; j < len1 && j < i + 16; j++)
			k += snprintf(hex + k, sizeof(hex) - (size_t)k, "%02x", der1[j]);
		T_OK(conf_session_line(&s, hex, 7, &err) == 0, "%s", err.msg);
	}
	T_OK(conf_session_line(&s, "quit", 8, &err) == 0, "%s", err.msg);
	T_STREQ(conf_session_prompt_mode(&s), "config-pubkey-key", "back in the key");
	T_OK(conf_session_line(&s, "key-string", 8, &err) == 0, "%s", err.msg);
	T_OK(conf_session_line(&s, "3082", 8, &err) == 0, "%s", err.msg);
	T_OK(conf_session_line(&s, "quit", 8, &err) != 0 && strstr(err.msg, "not a DER") != NULL,
	    "a bad key: %s", err.msg);
	T_STREQ(conf_session_prompt_mode(&s), "config-pubkey-key", "back in the key");
	T_OK(c->n_rsa_keys == 1 && c->rsa_keys[0]->der_len == len1 &&
	    memcmp(c->rsa_keys[0]->der, der1, (size_t)len1) == 0,
	    "stored at quit, the bad one after it refused with the first kept");
	T_OK(conf_session_line(&s, "exit", 9, &err) == 0, "%s", err.msg);
	T_STREQ(conf_session_prompt_mode(&s), "config-pubkey-chain", "exit: to the chain");
	T_OK(conf_session_line(&s, "named-key Peer.Example", 10, &err) == 0, "%s", err.msg);
	T_OK(conf_session_line(&s, "exit", 11, &err) == 0, "%s", err.msg);
	T_OK(conf_session_line(&s, "exit", 12, &err) == 0, "%s", err.msg);
	T_STREQ(conf_session_prompt_mode(&s), "config", "exit: to config");
	T_EQ(c->n_rsa_keys, 2, "a named key without data is kept");
	T_OK(conf_rsa_key_find(c, 0, "peer.example") == NULL, "but never found");
	T_OK(conf_session_line(&s, "crypto key generate rsa modulus 2048", 13, &err) != 0 &&
	    strstr(err.msg, "exec command") != NULL, "generate in config: %s", err.msg);
	T_OK(conf_session_line(&s, "no crypto key pubkey-chain rsa", 14, &err) == 0, "%s",
	    err.msg);
	T_EQ(c->n_rsa_keys, 0, "no crypto key pubkey-chain rsa: every key gone");
	conf_free(c);
}

/* ---- Refusals ---- */

static void
test_refusals(void)
{
	static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	uint8_t trail[CONF_RSA_DER_MAX];
	struct gw_err err;
	struct conf *c;
	char *t;
	static const struct {
		const char	*text;
		unsigned	line;
		const char	*msg;
	} cases[] = {
		{ "crypto key pubkey-chain dsa\n", 1, "expected rsa" },
		{ "crypto key pubkey-chain rsa\n addressed-key 1.2.3\n", 2,
		  "not an IPv4 address" },
		{ "crypto key pubkey-chain rsa\n addressed-key 1.2.3.4 both\n", 2,
		  "expected signature or encryption" },
		{ "crypto key pubkey-chain rsa\n named-key\n", 2, "needs a name" },
		{ "crypto key pubkey-chain rsa\n named-key a\n  key-string\n   308\n  quit\n", 5,
		  "3 hex digits: an odd number" },
		{ "crypto key pubkey-chain rsa\n named-key a\n  key-string\n  quit\n", 4,
		  "no hex digits" },
		{ "crypto key pubkey-chain rsa\n named-key a\n  key-string\n   3082\n", 4,
		  "not ended by quit" },
		{ "crypto key pubkey-chain rsa\n named-key a\n  key-string\n   3082\n  quit now\n",
		  5, "\"now\": unexpected word" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = parse(cases[i].text, &err);
		T_OK(c == NULL && err.line == cases[i].line && strstr(err.msg, cases[i].msg) !=
		    NULL, "case %zu: line %u: %s", i, err.line, err.msg);
		conf_free(c);
	}
	t = with_key("crypto key pubkey-chain rsa\n named-key a\n  key-string\n", junk,
	    sizeof(junk), 8, "  quit\n");
	c = parse(t, &err);
	T_OK(c == NULL && err.line == 5 && strstr(err.msg, "lines 4-4: not a DER "
	    "SubjectPublicKeyInfo") != NULL, "not DER: %s", err.msg);
	conf_free(c);
	free(t);
	t = with_key("crypto key pubkey-chain rsa\n named-key a\n  key-string\n", der_ec,
	    len_ec, 8, "  quit\n");
	c = parse(t, &err);
	T_OK(c == NULL && strstr(err.msg, "not an RSA key (EC)") != NULL, "EC key: %s", err.msg);
	conf_free(c);
	free(t);
	memcpy(trail, der1, (size_t)len1);
	trail[len1] = 0;
	t = with_key("crypto key pubkey-chain rsa\n named-key a\n  key-string\n", trail,
	    len1 + 1, 8, "  quit\n");
	c = parse(t, &err);
	T_OK(c == NULL && strstr(err.msg, "1 bytes after the key") != NULL, "trailing: %s",
	    err.msg);
	conf_free(c);
	free(t);
}

/* ---- no forms, lookups, show ---- */

static struct conf *
three_keys(void)
{
	struct gw_err err;
	char *a = with_key("crypto key pubkey-chain rsa\n addressed-key 198.51.100.2\n"
	    "  key-string\n", der1, len1, 8, "  quit\n");
	char *b = with_key(" addressed-key 198.51.100.2 signature\n  key-string\n", der2, len2,
	    8, "  quit\n");
	char *e = with_key(" addressed-key 198.51.100.9 encryption\n  key-string\n", der1,
	    len1, 8, "  quit\n");
	char *n = with_key(" named-key GWB.example.net\n  address 198.51.100.4\n"
	    "  key-string\n", der1, len1, 8, "  quit\n");
	char *all = NULL;
	struct conf *c;

	if (asprintf(&all, "%s%s%s%s", a, b, e, n) < 0)
		abort();
	c = parse(all, &err);
	T_OK(c != NULL, "parsed: line %u: %s", err.line, err.msg);
	free(a);
	free(b);
	free(e);
	free(n);
	free(all);
	return c;
}

static void
test_lookups(void)
{
	struct conf *c = three_keys();
	const struct conf_rsa_key *k;
	struct gw_err err;
	EVP_PKEY *pk;
	uint8_t back[CONF_RSA_DER_MAX];

	if (c == NULL)
		return;
	k = conf_rsa_key_find(c, 0xc6336402u, NULL);
	T_OK(k != NULL && k->usage == CONF_RSA_SIGNATURE, "the signature key before the general");
	k = conf_rsa_key_find(c, 0xc6336409u, NULL);
	T_OK(k == NULL, "an encryption key is no signature key");
	k = conf_rsa_key_find(c, 0xc6336402u, "gwb.EXAMPLE.net");
	T_OK(k != NULL && k->named, "by name first, ignoring case");
	k = conf_rsa_key_find(c, 0xc6336404u, "other.example");
	T_OK(k != NULL && k->named, "an unknown name: by address, a named-key's address");
	T_OK(conf_rsa_key_find(c, 0xc6336405u, NULL) == NULL, "no key for that address");
	pk = conf_rsa_key_pkey(conf_rsa_key_find(c, 0xc6336402u, NULL), &err);
	T_OK(pk != NULL && EVP_PKEY_get_bits(pk) == 2048, "an EVP_PKEY: %s", err.msg);
	if (pk != NULL) {
		unsigned char *q = back;

		T_EQ(i2d_PUBKEY(pk, &q), len2, "re-encoded");
		T_MEMEQ(back, der2, (size_t)len2, "the same SubjectPublicKeyInfo");
	}
	EVP_PKEY_free(pk);
	conf_free(c);
}

static void
test_no(void)
{
	struct conf *c = three_keys();
	struct conf_session s;
	struct gw_err err;

	if (c == NULL)
		return;
	conf_session_begin(&s, c);
	T_OK(conf_session_line(&s, "crypto key pubkey-chain rsa", 1, &err) == 0, "%s", err.msg);
	T_OK(conf_session_line(&s, "no addressed-key 198.51.100.2 signature", 2, &err) == 0,
	    "%s", err.msg);
	T_EQ(c->n_rsa_keys, 3, "one usage removed");
	T_OK(conf_session_line(&s, "no addressed-key 198.51.100.2", 3, &err) == 0, "%s",
	    err.msg);
	T_EQ(c->n_rsa_keys, 2, "every usage of the address removed");
	T_OK(conf_session_line(&s, "no named-key gwb.example.NET", 4, &err) == 0, "%s",
	    err.msg);
	T_EQ(c->n_rsa_keys, 1, "a name ignoring case");
	T_OK(!c->rsa_keys[0]->named && c->rsa_keys[0]->addr == 0xc6336409u, "the other stays");
	conf_free(c);
}

static char *
show(const struct conf *c, bool ag, uint32_t a, const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	conf_show_pubkey_chain(c, ag, a, name, f);
	fclose(f);
	return buf;
}

static void
test_show(void)
{
	struct conf *c = three_keys();
	char *s, *want = NULL;
	size_t n = 0;
	FILE *f;

	if (c == NULL)
		return;
	s = show(c, false, 0, NULL);
	T_STREQ(s, "Codes: M - Manually configured\n\n"
	    "Code Usage         IP-Address        Name\n"
	    "M    General       198.51.100.2\n"
	    "M    Signature     198.51.100.2\n"
	    "M    Encryption    198.51.100.9\n"
	    "M    General       198.51.100.4      GWB.example.net\n", "the chain");
	free(s);
	s = show(c, false, 0, "gwb.example.net");
	f = open_memstream(&want, &n);
	fputs("Key name: GWB.example.net\nKey address: 198.51.100.4\n"
	    "Usage: General Purpose Key\nSource: Manually entered\nData: (1024 bit RSA)\n", f);
	hex_lines(f, der1, len1, 8, 8, false, "  ");
	fclose(f);
	T_STREQ(s, want, "by name");
	free(s);
	free(want);
	s = show(c, true, 0xc6336402u, NULL);
	T_OK(strstr(s, "Usage: General Purpose Key") != NULL &&
	    strstr(s, "Usage: Signature Key") != NULL && strstr(s, "Key name") == NULL,
	    "by address: both keys\n%s", s);
	free(s);
	s = show(c, true, 0xc6336405u, NULL);
	T_STREQ(s, "% No key for address 198.51.100.5 in the pubkey-chain\n", "none");
	free(s);
	conf_free(c);
}

int
main(void)
{
	keys_make();
	test_round_trip();
	test_session();
	test_refusals();
	test_lookups();
	test_no();
	test_show();
	return t_done();
}
