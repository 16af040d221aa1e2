/* SPDX-License-Identifier: Apache-2.0 */
/* isakmp_test.c: the crypto isakmp commands (isakmp.c, IKEv1 configuration), command by
 * command: the IOS defaults, what each valid form writes back, each refusal with its message
 * (a key never echoed), the config-isakmp sub-mode, round trips through conf_write_config()
 * (keys kept) and conf_show_running() (keys masked, refused when pasted back),
 * conf_show_masked() of stored key lines, conf_validate()'s refusals and warnings, show crypto
 * isakmp policy, the lookups the engine will make, and the two examples
 * deploy/examples/gw{A,B}-ikev1.conf. */
#include <stdlib.h>
#include <string.h>

#include "controld/conf/compile.h"
#include "controld/conf/conf.h"
#include "tests/lib/example.h"
#include "tests/lib/test.h"

static char *
text_of(const struct conf *c, bool secrets)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (secrets)
		conf_write_config(c, f);
	else
		conf_show_running(c, f);
	fclose(f);
	return buf;
}

/* text after show running-config's headers and their "!" (IOS's: checked in show_test.c). */
static const char *
body(const char *text)
{
	const char *b = strstr(text, " bytes\n!\n");

	return b != NULL ? b + 9 : text;
}

static bool
has(const char *text, const char *sub)
{
	return text != NULL && strstr(text, sub) != NULL;
}

/* ---- Defaults ---- */

static void
test_defaults(void)
{
	struct gw_err err = { 0, "" };
	struct conf *c = conf_parse_text("crypto isakmp policy 10\n", "d", &err);
	const struct conf_isakmp_policy *o, *d = conf_isakmp_default_policy();
	char *s;

	T_OK(c != NULL, "parsed: %s", err.msg);
	if (c == NULL)
		return;
	o = conf_isakmp_policy_find(c, 10);
	T_OK(o != NULL && o->encr == CONF_ISAKMP_DES && o->bits == 0 &&
	    o->hash == CONF_ISAKMP_SHA && o->auth == CONF_ISAKMP_RSA_SIG && o->group == 1 &&
	    o->lifetime == 86400, "IOS defaults: des, sha, rsa-sig, group 1, 86400");
	T_OK(d->encr == CONF_ISAKMP_DES && d->hash == CONF_ISAKMP_SHA &&
	    d->auth == CONF_ISAKMP_RSA_SIG && d->group == 1 && d->lifetime == 86400,
	    "default protection suite");
	T_OK(!c->isakmp.disabled && !c->isakmp.aggressive_disabled &&
	    c->isakmp.identity == CONF_ISAKMP_ID_ADDRESS && c->isakmp.keepalive == 0 &&
	    c->isakmp.nat_keepalive == 0, "isakmp enabled, identity address, no keepalives");
	s = text_of(c, true);
	T_STREQ(body(s), "hostname Router\n!\ncrypto isakmp policy 10\n!\nend\n",
	    "defaults not written");
	free(s);
	conf_free(c);
}

/* ---- Valid commands: the text parses; conf_write_config shows want, never absent ---- */

#define POL	"crypto isakmp policy 10\n"

static const struct {
	const char *text, *want, *absent;
} valid[] = {
	{ POL " encryption aes 256\n hash sha256\n authentication pre-share\n group 14\n"
	  " lifetime 3600",
	  POL " encryption aes 256\n hash sha256\n authentication pre-share\n group 14\n"
	  " lifetime 3600\n!\n", NULL },
	{ POL " ENCR AES\n HASH SHA512\n group 21", POL " encryption aes\n hash sha512\n"
	  " group 21\n!\n", " authentication" },
	{ POL " encryption aes 128", POL " encryption aes\n!\n", NULL },
	{ POL " encryption aes 192\n hash sha384\n group 20", " encryption aes 192\n"
	  " hash sha384\n group 20\n", NULL },
	{ POL " encryption 3des\n hash md5\n group 2\n authentication rsa-sig",
	  POL " encryption 3des\n hash md5\n group 2\n!\n", " authentication" },
	{ POL " encryption des\n hash sha\n group 1\n lifetime 86400", POL "!\n", " hash" },
	{ POL " encryption aes\n hash md5\n authentication pre-share\n group 5\n lifetime 60\n"
	  " no encryption\n no hash\n no authentication\n no group\n no lifetime", POL "!\n",
	  " lifetime" },
	{ POL " group 15\n exit\n crypto isakmp policy 10\n lifetime 600",
	  POL " group 15\n lifetime 600\n!\n", NULL },
	{ POL "no crypto isakmp policy 10", "hostname Router\n!\nend\n", "isakmp" },
	{ "no crypto isakmp policy 10", "hostname Router\n!\nend\n", "isakmp" },
	/* kept sorted by priority, whatever the order typed */
	{ "crypto isakmp policy 30\ncrypto isakmp policy 10000\ncrypto isakmp policy 1\n"
	  "crypto isakmp policy 20",
	  "crypto isakmp policy 1\n!\ncrypto isakmp policy 20\n!\ncrypto isakmp policy 30\n!\n"
	  "crypto isakmp policy 10000\n!\n", NULL },
	{ "crypto isakmp key s3cret address 198.51.100.2",
	  "crypto isakmp key s3cret address 198.51.100.2\n", NULL },
	{ "crypto isakmp key s3cret address 198.51.100.2 255.255.255.255",
	  "crypto isakmp key s3cret address 198.51.100.2\n", NULL },
	{ "crypto isakmp key any-peer address 0.0.0.0 0.0.0.0",
	  "crypto isakmp key any-peer address 0.0.0.0 0.0.0.0\n", NULL },
	{ "crypto isakmp key 0 k1 address 203.0.113.0 255.255.255.0",
	  "crypto isakmp key k1 address 203.0.113.0 255.255.255.0\n", NULL },
	{ "crypto isakmp key mobile hostname Client1.Example.COM",
	  "crypto isakmp key mobile hostname Client1.Example.COM\n", NULL },
	/* a new key for the same peer replaces the old one; no removes it */
	{ "crypto isakmp key old address 198.51.100.2\ncrypto isakmp key b address 198.51.100.3\n"
	  "crypto isakmp key new address 198.51.100.2",
	  "crypto isakmp key new address 198.51.100.2\ncrypto isakmp key b address "
	  "198.51.100.3\n", "old" },
	{ "crypto isakmp key k address 198.51.100.2\nno crypto isakmp key k address 198.51.100.2",
	  "hostname Router\n!\nend\n", "isakmp" },
	{ "crypto isakmp key k hostname h\nno crypto isakmp key hostname H",
	  "hostname Router\n!\nend\n", "isakmp" },
	{ "crypto isakmp key k address 198.51.100.2\nno crypto isakmp key address 198.51.100.9",
	  "crypto isakmp key k address 198.51.100.2\n", NULL },
	/* keys that look like keywords */
	{ "crypto isakmp key 0 address 198.51.100.2", "crypto isakmp key 0 0 address "
	  "198.51.100.2\n", NULL },
	{ "crypto isakmp key 0 6 hostname address", "crypto isakmp key 0 6 hostname address\n",
	  NULL },
	{ "crypto isakmp key address address 198.51.100.2", "crypto isakmp key address address "
	  "198.51.100.2\n", NULL },
	{ "crypto isakmp identity hostname", "crypto isakmp identity hostname\n", NULL },
	{ "crypto isakmp identity hostname\ncrypto isakmp identity address", "hostname Router\n"
	  "!\nend\n", "identity" },
	{ "crypto isakmp identity hostname\nno crypto isakmp identity",
	  "hostname Router\n!\nend\n", "identity" },
	{ "crypto isakmp keepalive 10", "crypto isakmp keepalive 10\n", NULL },
	{ "crypto isakmp keepalive 30 5", "crypto isakmp keepalive 30 5\n", NULL },
	{ "crypto isakmp keepalive 30 5 periodic", "crypto isakmp keepalive 30 5 periodic\n",
	  NULL },
	{ "crypto isakmp keepalive 3600 periodic", "crypto isakmp keepalive 3600 periodic\n",
	  NULL },
	{ "crypto isakmp keepalive 10 2 on-demand", "crypto isakmp keepalive 10 2\n", NULL },
	{ "crypto isakmp keepalive 10 2\nno crypto isakmp keepalive", "hostname Router\n!\nend\n",
	  "keepalive" },
	{ "crypto isakmp nat keepalive 20", "crypto isakmp nat keepalive 20\n", NULL },
	{ "crypto isakmp nat keepalive 20\nno crypto isakmp nat keepalive",
	  "hostname Router\n!\nend\n", "nat" },
	{ "crypto isakmp aggressive-mode disable", "crypto isakmp aggressive-mode disable\n",
	  NULL },
	{ "crypto isakmp aggressive-mode disable\nno crypto isakmp aggressive-mode disable",
	  "hostname Router\n!\nend\n", "aggressive" },
	{ "no crypto isakmp", "no crypto isakmp\n", NULL },
	{ "no crypto isakmp enable", "no crypto isakmp\n", NULL },
	{ "no crypto isakmp\ncrypto isakmp enable", "hostname Router\n!\nend\n", "isakmp" },
};

static void
test_valid(void)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct gw_err err = { 0, "" };
		struct conf *c = conf_parse_text(valid[i].text, "valid", &err);
		struct conf *back;
		char *s;

		T_OK(c != NULL, "valid %zu: line %u: %s", i, err.line, err.msg);
		if (c == NULL)
			continue;
		s = text_of(c, true);
		T_OK(has(s, valid[i].want), "valid %zu: want\n%s\nin\n%s", i, valid[i].want, s);
		T_OK(valid[i].absent == NULL || !has(s, valid[i].absent),
		    "valid %zu: \"%s\" in\n%s", i, valid[i].absent, s);
		back = conf_parse_text(s, "back", &err);
		T_OK(back != NULL && conf_equal(back, c), "valid %zu: round trip: %s", i, err.msg);
		conf_free(back);
		free(s);
		conf_free(c);
	}
}

/* ---- Refused lines: the message, at the line ---- */

static const struct {
	const char *text;
	unsigned line;
	const char *msg;
} invalid[] = {
	{ "crypto isakmp", 1, "crypto isakmp: needs a command (policy, key, identity, keepalive, "
	  "nat keepalive, enable, aggressive-mode disable)" },
	{ "crypto isakmp frob", 1, "crypto isakmp: \"frob\": unknown command (policy, key, "
	  "identity, keepalive, nat keepalive, enable, aggressive-mode disable)" },
	{ "crypto isakmp policy", 1, "crypto isakmp policy: needs a priority (1-10000)" },
	{ "crypto isakmp policy 0", 1, "crypto isakmp policy: \"0\": not a priority in "
	  "1-10000" },
	{ "crypto isakmp policy 10001", 1, "crypto isakmp policy: \"10001\": not a priority in "
	  "1-10000" },
	{ "crypto isakmp policy 10 x", 1, "crypto isakmp policy 10: \"x\": unexpected word" },
	{ POL " encryption", 2, "crypto isakmp policy 10: encryption needs one of des, 3des, "
	  "aes [128|192|256]" },
	{ POL " encryption blowfish", 2, "crypto isakmp policy 10: encryption \"blowfish\": not "
	  "one of des, 3des, aes [128|192|256]" },
	{ POL " encryption aes 512", 2, "crypto isakmp policy 10: encryption aes \"512\": "
	  "expected 128, 192 or 256 (bits of the key)" },
	{ POL " encryption aes 160", 2, "crypto isakmp policy 10: encryption aes \"160\": "
	  "expected 128, 192 or 256 (bits of the key)" },
	{ POL " encryption des 56", 2, "crypto isakmp policy 10: \"56\": unexpected word" },
	{ POL " hash sha1", 2, "crypto isakmp policy 10: hash \"sha1\": not one of sha, sha256, "
	  "sha384, sha512, md5" },
	{ POL " authentication rsa-encr", 2, "crypto isakmp policy 10: authentication rsa-encr: "
	  "not supported (RSA encrypted nonces); use pre-share or rsa-sig" },
	{ POL " authentication psk", 2, "crypto isakmp policy 10: authentication \"psk\": "
	  "expected pre-share or rsa-sig" },
	{ POL " group 24", 2, "crypto isakmp policy 10: group \"24\": not one of 1, 2, 5, 14, "
	  "15, 16, 19, 20, 21" },
	{ POL " group 31", 2, "crypto isakmp policy 10: group \"31\": not one of 1, 2, 5, 14, "
	  "15, 16, 19, 20, 21" },
	{ POL " lifetime 59", 2, "crypto isakmp policy 10: lifetime \"59\": not in 60-86400 "
	  "seconds" },
	{ POL " lifetime 86401", 2, "crypto isakmp policy 10: lifetime \"86401\": not in "
	  "60-86400 seconds" },
	{ POL " frob", 2, "crypto isakmp policy 10: \"frob\": unknown command" },
	{ "crypto isakmp key k", 1, "crypto isakmp key: expected KEY address A [MASK] or KEY "
	  "hostname NAME (the words of this command are not echoed)" },
	{ "crypto isakmp key k address 1.2.3", 1, "crypto isakmp key: address \"1.2.3\": not an "
	  "IPv4 address" },
	{ "crypto isakmp key k address 10.0.0.1 255.0.255.0", 1, "crypto isakmp key: address "
	  "10.0.0.1 \"255.0.255.0\": not a contiguous mask" },
	{ "crypto isakmp key k address 10.0.0.1 255.0.0.0", 1, "crypto isakmp key: address "
	  "10.0.0.1 255.0.0.0: address bits outside the mask" },
	{ "crypto isakmp key k address 10.0.0.1 no-xauth", 1, "crypto isakmp key: address "
	  "10.0.0.1 \"no-xauth\": not a contiguous mask" },
	{ "crypto isakmp key k hostname", 1, "crypto isakmp key: hostname needs a name" },
	{ "crypto isakmp key k hostname a b", 1, "crypto isakmp key: \"b\": unexpected word" },
	{ "crypto isakmp key ***** address 10.0.0.1", 1, "crypto isakmp key: *****: this is "
	  "the mask show running-config prints, not a key; give the key itself" },
	{ "crypto isakmp key 6 AbCdEf address 10.0.0.1", 1, "crypto isakmp key: 6: no master "
	  "key here to decrypt it; give the key itself (0 KEY or just KEY)" },
	{ "crypto isakmp key 0123456789012345678901234567890123456789012345678901234567890123X "
	  "address 10.0.0.1", 1, "crypto isakmp key: the key is longer than 64 characters" },
	{ "crypto isakmp identity dn", 1, "crypto isakmp identity: dn: not supported (no "
	  "certificates yet); use address or hostname" },
	{ "crypto isakmp identity fqdn", 1, "crypto isakmp identity: \"fqdn\": expected address "
	  "or hostname" },
	{ "crypto isakmp keepalive", 1, "crypto isakmp keepalive: interval \"\": not in "
	  "10-3600" },
	{ "crypto isakmp keepalive 9", 1, "crypto isakmp keepalive: interval \"9\": not in "
	  "10-3600" },
	{ "crypto isakmp keepalive 10 61", 1, "crypto isakmp keepalive: retry \"61\": not in "
	  "2-60" },
	{ "crypto isakmp keepalive 10 2 always", 1, "crypto isakmp keepalive: \"always\": "
	  "expected periodic or on-demand" },
	{ "crypto isakmp keepalive 10 2 periodic x", 1, "crypto isakmp keepalive: \"x\": "
	  "unexpected word" },
	{ "crypto isakmp nat keepalive 4", 1, "crypto isakmp nat keepalive: interval \"4\": not "
	  "in 5-3600" },
	{ "crypto isakmp nat traversal", 1, "crypto isakmp nat: \"traversal\": expected "
	  "keepalive" },
	{ "crypto isakmp aggressive-mode enable", 1, "crypto isakmp aggressive-mode: \"enable\": "
	  "expected disable" },
	{ "crypto isakmp enable outside", 1, "crypto isakmp enable: \"outside\": unexpected "
	  "word" },
};

static void
test_invalid(void)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct gw_err err = { 0, "" };
		struct conf *c = conf_parse_text(invalid[i].text, "invalid", &err);

		T_OK(c == NULL, "invalid %zu: parsed", i);
		conf_free(c);
		T_EQ(err.line, invalid[i].line, "invalid %zu: %s", i, err.msg);
		T_STREQ(err.msg, invalid[i].msg, "invalid %zu", i);
	}
	/* a host name of 256 characters */
	{
		char line[400];
		struct gw_err err = { 0, "" };
		struct conf *c;

		snprintf(line, sizeof(line), "crypto isakmp key k hostname %0256d", 7);
		c = conf_parse_text(line, "h", &err);
		T_OK(c == NULL, "long host name refused");
		T_STREQ(err.msg, "crypto isakmp key: hostname: longer than 255 characters",
		    "long host name");
		conf_free(c);
	}
	/* a key in a refused line is never in the message */
	{
		static const char *const lines[] = {
			"crypto isakmp key TopSecret99",
			"crypto isakmp key TopSecret99 address",
			"crypto isakmp key TopSecret99 address 10.0.0.1 1.2.3.4",
			"crypto isakmp key 6 TopSecret99 address 10.0.0.1",
			"crypto isakmp key TopSecret99 extra address 10.0.0.1",
			"crypto isakmp key TopSecret99 hostname h extra",
		};

		for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
			struct gw_err err = { 0, "" };
			struct conf *c = conf_parse_text(lines[i], "k", &err);

			T_OK(c == NULL && !has(err.msg, "TopSecret99"), "%zu: %s", i, err.msg);
			conf_free(c);
		}
	}
}

/* ---- The sub-mode ---- */

static void
test_modes(void)
{
	static const struct { const char *line, *mode; } steps[] = {
		{ "crypto isakmp policy 10", "config-isakmp" },
		{ "encryption aes 256", "config-isakmp" },
		{ "hash sha256", "config-isakmp" },
		{ "exit", "config" },
		{ "crypto isakmp policy 20", "config-isakmp" },
		{ "authentication pre-share", "config-isakmp" },
		/* a global command leaves the sub-mode */
		{ "crypto isakmp key k address 198.51.100.2", "config" },
		{ "crypto isakmp policy 20", "config-isakmp" },
		{ "group 19", "config-isakmp" },
		{ "end", "config" },
	};
	struct conf *c = conf_new();
	struct conf_session s;
	struct gw_err err;
	char *t;

	conf_session_begin(&s, c);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		T_EQ(conf_session_line(&s, steps[i].line, (unsigned)i + 1, &err), 0, "%s: %s",
		    steps[i].line, err.msg);
		T_STREQ(conf_session_prompt_mode(&s), steps[i].mode, "after \"%s\"",
		    steps[i].line);
	}
	/* a refused line in the sub-mode changes neither the model nor the mode */
	conf_session_line(&s, "crypto isakmp policy 20", 90, &err);
	T_EQ(conf_session_line(&s, "group 24", 91, &err), -1, "refused");
	T_EQ(err.line, 91, "at its line");
	T_STREQ(conf_session_prompt_mode(&s), "config-isakmp", "mode kept");
	t = text_of(c, true);
	T_STREQ(body(t), "hostname Router\n!\ncrypto isakmp policy 10\n encryption aes 256\n"
	    " hash sha256\n!\ncrypto isakmp policy 20\n authentication pre-share\n group 19\n!\n"
	    "crypto isakmp key k address 198.51.100.2\n!\nend\n", "the sessions' configuration");
	free(t);
	conf_free(c);
}

/* ---- Round trips: write_config keeps keys, show_running masks them ---- */

static const char full[] =
	"hostname gwA\n"
	"crypto isakmp policy 20\n"
	" encryption 3des\n"
	" hash md5\n"
	" authentication pre-share\n"
	" group 2\n"
	" lifetime 28800\n"
	"crypto isakmp policy 10\n"
	" encryption aes 256\n"
	" hash sha512\n"
	" authentication pre-share\n"
	" group 21\n"
	"crypto isakmp key very-secret-B address 198.51.100.2\n"
	"crypto isakmp key 0 wild-secret address 0.0.0.0 0.0.0.0\n"
	"crypto isakmp key 6 address 203.0.113.0 255.255.255.0\n"
	"crypto isakmp key host-secret hostname mobile.example.com\n"
	"crypto isakmp identity hostname\n"
	"crypto isakmp keepalive 20 4 periodic\n"
	"crypto isakmp nat keepalive 30\n"
	"crypto isakmp aggressive-mode disable\n"
	"crypto ipsec transform-set T esp-aes esp-sha-hmac\n"
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.2\n"
	" set transform-set T\n set pfs group14\n"
	"interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map vpn\n";

static void
test_round_trip(void)
{
	struct gw_err err = { 0, "" };
	struct conf *c, *c2, *d;
	char *w, *w2, *s;

	c = conf_parse_text(full, "full", &err);
	T_OK(c != NULL, "full: line %u: %s", err.line, err.msg);
	if (c == NULL)
		return;
	T_EQ(conf_validate(c, &err, NULL), 0, "full validates: line %u: %s", err.line, err.msg);
	w = text_of(c, true);
	T_OK(has(w, "hostname gwA\n!\ncrypto isakmp policy 10\n encryption aes 256\n hash sha512\n"
	    " authentication pre-share\n group 21\n!\ncrypto isakmp policy 20\n encryption 3des\n"
	    " hash md5\n authentication pre-share\n group 2\n lifetime 28800\n!\n"
	    "crypto isakmp key very-secret-B address 198.51.100.2\n"
	    "crypto isakmp key wild-secret address 0.0.0.0 0.0.0.0\n"
	    "crypto isakmp key 0 6 address 203.0.113.0 255.255.255.0\n"
	    "crypto isakmp key host-secret hostname mobile.example.com\n"
	    "crypto isakmp identity hostname\n"
	    "crypto isakmp keepalive 20 4 periodic\n"
	    "crypto isakmp nat keepalive 30\n"
	    "crypto isakmp aggressive-mode disable\n!\n"
	    "crypto ipsec transform-set"), "write_config keeps the keys:\n%s", w);
	c2 = conf_parse_text(w, "written", &err);
	T_OK(c2 != NULL, "written parses: line %u: %s", err.line, err.msg);
	T_OK(c2 != NULL && conf_equal(c, c2), "written parses back equal");
	w2 = c2 != NULL ? text_of(c2, true) : NULL;
	T_STREQ(w2, w, "the same text again");
	free(w2);
	conf_free(c2);
	d = conf_dup(c);
	T_OK(d != NULL && conf_equal(c, d), "dup equal");
	/* one byte of one key differs: not equal; so does each setting */
	d->isakmp.keys[1]->psk.b[3] ^= 1;
	T_OK(!conf_equal(c, d), "a key differs");
	d->isakmp.keys[1]->psk.b[3] ^= 1;
	T_OK(conf_equal(c, d), "equal again");
	d->isakmp.policies[1]->lifetime = 28801;
	T_OK(!conf_equal(c, d), "lifetime differs");
	d->isakmp.policies[1]->lifetime = 28800;
	d->isakmp.keepalive_periodic = false;
	T_OK(!conf_equal(c, d), "keepalive differs");
	d->isakmp.keepalive_periodic = true;
	d->isakmp.disabled = true;
	T_OK(!conf_equal(c, d), "disabled differs");
	conf_free(d);

	s = text_of(c, false);
	T_OK(!has(s, "secret") && !has(s, "0 6") &&
	    has(s, "crypto isakmp key ***** address 198.51.100.2\n"
	    "crypto isakmp key ***** address 0.0.0.0 0.0.0.0\n"
	    "crypto isakmp key ***** address 203.0.113.0 255.255.255.0\n"
	    "crypto isakmp key ***** hostname mobile.example.com\n"), "show running masks:\n%s",
	    s);
	c2 = conf_parse_text(s, "shown", &err);
	T_OK(c2 == NULL && has(err.msg, "the mask show running-config prints"),
	    "a masked text is refused: %s", err.msg);
	conf_free(c2);
	free(s);

	/* conf_show_masked: a stored text with its keys masked as show running-config does */
	{
		char *m = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&m, &len);

		conf_show_masked(w, f);
		conf_show_masked("crypto isakmp key 0 abc address 10.0.0.1\n"
		    "Crypto ISAKMP Key abc hostname h\n"
		    "crypto isakmp key abc def\n"
		    "crypto isakmp key\n"
		    "crypto isakmp keepalive 10\n"
		    "crypto isakmp keyX abc\n", f);
		fclose(f);
		s = text_of(c, false);
		T_OK(has(m, s), "masked stored text is show running-config's:\n%s", m);
		T_OK(has(m, "crypto isakmp key ***** address 10.0.0.1\n"
		    "Crypto ISAKMP Key ***** hostname h\n"
		    "crypto isakmp key *****\n"
		    "crypto isakmp key *****\n"
		    "crypto isakmp keepalive 10\n"
		    "crypto isakmp keyX abc\n"), "edge cases:\n%s", m);
		T_OK(!has(m, "abc address") && !has(m, "abc def"), "no key");
		free(s);
		free(m);
	}
	free(w);
	conf_free(c);
}

/* ---- conf_validate ---- */

static const char base[] =
	"crypto ipsec transform-set T esp-aes esp-sha-hmac\n"
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.2\n"
	" set transform-set T\n"
	"interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map vpn\n";

static const struct {
	const char *extra, *msg, *warning;
} checks[] = {
	{ "", NULL, NULL },
	{ "crypto isakmp policy 10\n encryption aes\n group 14\n", NULL, NULL },
	{ "crypto isakmp policy 10\n", NULL,
	  "warning: crypto isakmp policy 10: encryption des is a legacy algorithm\n"
	  "warning: crypto isakmp policy 10: group 1 is a weak Diffie-Hellman group\n" },
	{ "crypto isakmp policy 7\n encryption 3des\n hash md5\n group 5\n", NULL,
	  "warning: crypto isakmp policy 7: hash md5 is a legacy algorithm\n"
	  "warning: crypto isakmp policy 7: group 5 is a weak Diffie-Hellman group\n" },
	{ "crypto map vpn 10\n set pfs group14\n", NULL, NULL },
	{ "crypto map vpn 10\n set pfs group31\n", "crypto map vpn 10: set pfs group31: not a "
	  "group of IKEv1 (1, 2, 5, 14, 15, 16, 19, 20, 21); set ikev2-profile for IKEv2", NULL },
	{ "crypto dynamic-map dyn 5\n set transform-set T\n set pfs group31\n", "crypto "
	  "dynamic-map dyn 5: set pfs group31: not a group of IKEv1 (1, 2, 5, 14, 15, 16, 19, "
	  "20, 21); set ikev2-profile for IKEv2", NULL },
	{ "no crypto isakmp\n", NULL, "warning: no crypto isakmp: the ipsec-isakmp entries "
	  "without set ikev2-profile (IKEv1) will get no SAs\n" },
};

static void
test_validate(void)
{
	for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		struct gw_err err = { 0, "" };
		char text[4096], *warn = NULL;
		size_t wlen = 0;
		struct conf *c;
		FILE *w;
		int rc;

		snprintf(text, sizeof(text), "%s%s", base, checks[i].extra);
		c = conf_parse_text(text, "check", &err);
		T_OK(c != NULL, "check %zu: line %u: %s", i, err.line, err.msg);
		if (c == NULL)
			continue;
		w = open_memstream(&warn, &wlen);
		rc = conf_validate(c, &err, w);
		fclose(w);
		if (checks[i].msg == NULL) {
			T_EQ(rc, 0, "check %zu: %s", i, err.msg);
			T_STREQ(warn, checks[i].warning != NULL ? checks[i].warning : "",
			    "check %zu: warnings", i);
		} else {
			T_EQ(rc, -1, "check %zu refused", i);
			T_STREQ(err.msg, checks[i].msg, "check %zu", i);
			T_OK(err.line > 0, "check %zu: a line", i);
		}
		free(warn);
		conf_free(c);
	}
}

/* ---- show crypto isakmp policy ---- */

static const char show_none[] =
	"Global IKE policy\n"
	"Default protection suite\n"
	"        encryption algorithm:   DES - Data Encryption Standard (56 bit keys).\n"
	"        hash algorithm:         Secure Hash Standard\n"
	"        authentication method:  Rivest-Shamir-Adleman Signature\n"
	"        Diffie-Hellman group:   #1 (768 bit)\n"
	"        lifetime:               86400 seconds, no volume limit\n";

static const char show_two[] =
	"Global IKE policy\n"
	"Protection suite of priority 10\n"
	"        encryption algorithm:   AES - Advanced Encryption Standard (256 bit keys).\n"
	"        hash algorithm:         Secure Hash Standard 2 (512 bit)\n"
	"        authentication method:  Pre-Shared Key\n"
	"        Diffie-Hellman group:   #21 (521 bit ecp)\n"
	"        lifetime:               86400 seconds, no volume limit\n"
	"Protection suite of priority 20\n"
	"        encryption algorithm:   Three key triple DES\n"
	"        hash algorithm:         Message Digest 5\n"
	"        authentication method:  Pre-Shared Key\n"
	"        Diffie-Hellman group:   #2 (1024 bit)\n"
	"        lifetime:               28800 seconds, no volume limit\n"
	"Default protection suite\n"
	"        encryption algorithm:   DES - Data Encryption Standard (56 bit keys).\n"
	"        hash algorithm:         Secure Hash Standard\n"
	"        authentication method:  Rivest-Shamir-Adleman Signature\n"
	"        Diffie-Hellman group:   #1 (768 bit)\n"
	"        lifetime:               86400 seconds, no volume limit\n";

static char *
show_of(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	conf_show_isakmp_policy(c, f);
	fclose(f);
	return buf;
}

static void
test_show(void)
{
	struct gw_err err = { 0, "" };
	struct conf *c = conf_new();
	char *s = show_of(c);

	T_STREQ(s, show_none, "no policy: the default suite");
	free(s);
	conf_free(c);
	c = conf_parse_text(full, "full", &err);
	T_OK(c != NULL, "full: %s", err.msg);
	if (c == NULL)
		return;
	s = show_of(c);
	T_STREQ(s, show_two, "two policies, by priority, then the default");
	free(s);
	conf_free(c);
	c = conf_parse_text("crypto isakmp policy 1\n encryption aes\n hash sha256\n group 19\n"
	    "crypto isakmp policy 2\n encryption aes 192\n hash sha384\n group 16\n lifetime 60",
	    "show", &err);
	s = c != NULL ? show_of(c) : NULL;
	T_OK(has(s, "AES - Advanced Encryption Standard (128 bit keys).\n") &&
	    has(s, "Secure Hash Standard 2 (256 bit)\n") && has(s, "#19 (256 bit ecp)\n") &&
	    has(s, "AES - Advanced Encryption Standard (192 bit keys).\n") &&
	    has(s, "Secure Hash Standard 2 (384 bit)\n") && has(s, "#16 (4096 bit)\n") &&
	    has(s, " 60 seconds, no volume limit\n"), "names:\n%s", s);
	free(s);
	conf_free(c);
}

/* ---- Lookups ---- */

static void
test_lookups(void)
{
	struct gw_err err = { 0, "" };
	struct conf *c = conf_parse_text(full, "full", &err);
	const struct conf_isakmp_key *k;
	struct conf *m;

	T_OK(c != NULL, "full: %s", err.msg);
	if (c == NULL)
		return;
	T_OK(c->isakmp.n_policies == 2 && c->isakmp.policies[0]->priority == 10 &&
	    c->isakmp.policies[1]->priority == 20, "policies by priority");
	T_OK(conf_isakmp_policy_find(c, 20) == c->isakmp.policies[1] &&
	    conf_isakmp_policy_find(c, 30) == NULL, "policy_find");
	k = conf_isakmp_key_find(c, 0xc6336402u, NULL);		/* 198.51.100.2 */
	T_OK(k != NULL && k->psk.len == 13 && memcmp(k->psk.b, "very-secret-B", 13) == 0,
	    "host key wins over 0.0.0.0/0");
	k = conf_isakmp_key_find(c, 0xcb007107u, NULL);		/* 203.0.113.7 */
	T_OK(k != NULL && k->psk.len == 1 && k->psk.b[0] == '6', "the /24");
	k = conf_isakmp_key_find(c, 0x0a000001u, NULL);		/* 10.0.0.1 */
	T_OK(k != NULL && k->psk.len == 11 && memcmp(k->psk.b, "wild-secret", 11) == 0,
	    "any peer");
	k = conf_isakmp_key_find(c, 0x0a000001u, "MOBILE.example.com");
	T_OK(k != NULL && k->by_host && memcmp(k->psk.b, "host-secret", 11) == 0,
	    "by host name, ignoring case");
	k = conf_isakmp_key_find(c, 0x0a000001u, "other.example.com");
	T_OK(k != NULL && !k->by_host && k->mask == 0, "unknown name: by address");
	T_EQ(conf_entry_ike_version(c->maps[0]->entries[0]), CONF_IKE_V1, "no profile: IKEv1");
	T_OK(strcmp(conf_isakmp_encr_name(CONF_ISAKMP_AES), "aes") == 0 &&
	    strcmp(conf_isakmp_hash_name(CONF_ISAKMP_SHA384), "sha384") == 0 &&
	    strcmp(conf_isakmp_auth_name(CONF_ISAKMP_PRE_SHARE), "pre-share") == 0 &&
	    conf_isakmp_group_ok(14) && !conf_isakmp_group_ok(31) && conf_isakmp_group_weak(1)
	    && !conf_isakmp_group_weak(14), "names");
	conf_free(c);

	m = conf_parse_text("crypto ikev2 profile R\n"
	    "crypto ipsec transform-set T esp-aes esp-sha-hmac\n"
	    "crypto dynamic-map dyn 5\n set transform-set T\n"
	    "crypto map vpn 10 ipsec-manual\n"
	    "crypto map vpn 20 ipsec-isakmp\n set ikev2-profile R\n"
	    "crypto map vpn 30 ipsec-isakmp\n"
	    "crypto map vpn 40 ipsec-isakmp dynamic dyn\n", "v", &err);
	T_OK(m != NULL, "versions: %s", err.msg);
	if (m == NULL)
		return;
	T_EQ(conf_entry_ike_version(m->maps[0]->entries[0]), CONF_IKE_NONE, "manual");
	T_EQ(conf_entry_ike_version(m->maps[0]->entries[1]), CONF_IKE_V2, "profile: IKEv2");
	T_EQ(conf_entry_ike_version(m->maps[0]->entries[2]), CONF_IKE_V1, "none: IKEv1");
	T_EQ(conf_entry_ike_version(m->maps[0]->entries[3]), CONF_IKE_NONE, "dynamic ref");
	T_EQ(conf_entry_ike_version(m->dynmaps[0]->entries[0]), CONF_IKE_V1, "dynamic entry");
	conf_free(m);
}

/* ---- deploy/examples/gw{A,B}-ikev1.conf ---- */

static void
test_examples(void)
{
	static const char *const names[] = { "gwA-ikev1.conf", "gwB-ikev1.conf" };
	struct conf *c[2];

	for (int i = 0; i < 2; i++) {
		struct gw_err err = { 0, "" };
		char *text = test_example(names[i], NULL), *warn = NULL, *w;
		size_t wlen = 0;
		FILE *f;
		struct conf *back;

		c[i] = conf_parse_text(text, names[i], &err);
		free(text);
		T_OK(c[i] != NULL, "%s: line %u: %s", names[i], err.line, err.msg);
		if (c[i] == NULL)
			return;
		f = open_memstream(&warn, &wlen);
		T_EQ(conf_validate(c[i], &err, f), 0, "%s: %s", names[i], err.msg);
		fclose(f);
		T_STREQ(warn, "", "%s: no warnings", names[i]);
		free(warn);
		{
			/* an IKEv1 entry compiles as every ipsec-isakmp entry: a policy, no SA */
			struct spd *spd = NULL;
			struct sa_list sas = { 0 };

			T_EQ(conf_compile(c[i], &spd, &sas, &err), 0, "%s: compile: %s", names[i],
			    err.msg);
			T_OK(spd != NULL && spd->n == 1 && spd->v[0].kind == POLICY_ISAKMP &&
			    sas.n == 0, "%s: one isakmp policy, no SA", names[i]);
			spd_free(spd);
			sa_list_free(&sas);
		}
		T_EQ(conf_entry_ike_version(c[i]->maps[0]->entries[0]), CONF_IKE_V1,
		    "%s: an IKEv1 entry", names[i]);
		w = text_of(c[i], true);
		back = conf_parse_text(w, "written", &err);
		T_OK(back != NULL && conf_equal(back, c[i]), "%s: round trip", names[i]);
		conf_free(back);
		free(w);
	}
	/* mirrors: the same key and policy, each other's addresses */
	{
		const struct conf_isakmp_key *a = conf_isakmp_key_find(c[0], c[1]->ifs[0]->addr,
		    NULL);
		const struct conf_isakmp_key *b = conf_isakmp_key_find(c[1], c[0]->ifs[0]->addr,
		    NULL);
		const struct conf_isakmp_policy *pa = conf_isakmp_policy_find(c[0], 10);
		const struct conf_isakmp_policy *pb = conf_isakmp_policy_find(c[1], 10);

		T_OK(a != NULL && b != NULL && a->psk.len > 0 && a->psk.len == b->psk.len &&
		    memcmp(a->psk.b, b->psk.b, a->psk.len) == 0, "same key, by the peer address");
		T_OK(c[0]->maps[0]->entries[0]->peers[0] == c[1]->ifs[0]->addr &&
		    c[1]->maps[0]->entries[0]->peers[0] == c[0]->ifs[0]->addr, "peers");
		T_OK(pa != NULL && pb != NULL && pa->encr == CONF_ISAKMP_AES && pa->bits == 128 &&
		    pa->hash == CONF_ISAKMP_SHA && pa->auth == CONF_ISAKMP_PRE_SHARE &&
		    pa->group == 14 && pa->encr == pb->encr && pa->bits == pb->bits &&
		    pa->hash == pb->hash && pa->auth == pb->auth && pa->group == pb->group &&
		    pa->lifetime == pb->lifetime, "AES-128/SHA-1/pre-share/group 14 on both");
	}
	conf_free(c[0]);
	conf_free(c[1]);
}

int
main(void)
{
	test_defaults();
	test_valid();
	test_invalid();
	test_modes();
	test_round_trip();
	test_validate();
	test_show();
	test_lookups();
	test_examples();
	return t_done();
}
