/* SPDX-License-Identifier: Apache-2.0 */
/* ikev2_test.c: the crypto ikev2 commands (ikev2.c) and set ikev2-profile, command by command:
 * what each valid form writes back, each refusal with its message (a key never echoed), the
 * sub-modes and their exit, round trips through conf_write_config() (keys kept) and
 * conf_show_running() (keys masked, refused when pasted back), conf_validate()'s refusals and
 * warnings, the show layouts, the lookups the engine makes, and the two examples
 * deploy/examples/gw{A,B}-ikev2.conf. */
#include <stdlib.h>
#include <string.h>

#include "controld/conf/compile.h"
#include "controld/conf/conf.h"
#include "controld/ike/ikev2.h"
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

static bool
has(const char *text, const char *sub)
{
	return text != NULL && strstr(text, sub) != NULL;
}

/* ---- Valid commands: the text parses; conf_write_config shows want, never absent ---- */

#define PROP	"crypto ikev2 proposal P\n"
#define KR	"crypto ikev2 keyring K\n peer B\n"
#define PROF	"crypto ikev2 profile R\n"

static const struct {
	const char *text, *want, *absent;
} valid[] = {
	{ PROP " encryption aes-cbc-256 aes-cbc-128\n encryption aes-cbc-192 aes-cbc-256\n"
	  " integrity sha512 sha1\n prf sha384\n group 19 14\n group 31",
	  PROP " encryption aes-cbc-256 aes-cbc-128 aes-cbc-192\n integrity sha512 sha1\n"
	  " prf sha384\n group 19 14 31\n!\n", NULL },
	{ PROP " ENCRYPTION AES-GCM-256 chacha20-poly1305\n prf sha256\n group 20 21 15 16 2 5",
	  " encryption aes-gcm-256 chacha20-poly1305\n prf sha256\n group 20 21 15 16 2 5\n",
	  " integrity" },
	{ PROP " encryption 3des aes-cbc-128\n no encryption 3des\n integrity md5 sha256\n"
	  " no integrity md5\n group 14\n no group",
	  PROP " encryption aes-cbc-128\n integrity sha256\n!\n", " group" },
	{ PROP " encryption aes-cbc-128\n no encryption", PROP "!\n", " encryption" },
	{ PROP "no crypto ikev2 proposal P", "hostname Router\n!\nend\n", "ikev2" },
	{ "crypto ikev2 policy POL\n proposal A\n proposal B\n proposal A\n"
	  " match address local 198.51.100.1\n match address local 198.51.100.9\n"
	  " no match address local 198.51.100.9\n no proposal A",
	  "crypto ikev2 policy POL\n match address local 198.51.100.1\n proposal B\n!\n", NULL },
	{ "crypto ikev2 policy POL\n proposal A\n no proposal\n match address local 10.0.0.1\n"
	  " no match address local", "crypto ikev2 policy POL\n!\n", " proposal" },
	{ KR "  address 198.51.100.2\n  pre-shared-key s3cret", KR "  address 198.51.100.2\n"
	  "  pre-shared-key s3cret\n !\n!\n", NULL },
	{ KR "  address 198.51.100.0 255.255.255.0\n  identity fqdn gwb.example.net\n"
	  "  pre-shared-key local Lkey\n  pre-shared-key remote 0 Rkey",
	  KR "  address 198.51.100.0 255.255.255.0\n  identity fqdn gwb.example.net\n"
	  "  pre-shared-key local Lkey\n  pre-shared-key remote Rkey\n", NULL },
	{ KR "  address 0.0.0.0 0.0.0.0\n  identity email vpn@example.net\n  pre-shared-key 0 0",
	  "  address 0.0.0.0 0.0.0.0\n  identity email vpn@example.net\n  pre-shared-key 0 0\n",
	  NULL },
	{ KR "  pre-shared-key 0 local\n identity address 192.0.2.200",
	  "  identity address 192.0.2.200\n  pre-shared-key 0 local\n", NULL },
	{ KR "  pre-shared-key local k1\n  pre-shared-key remote k1",
	  "  pre-shared-key k1\n", "local" },
	{ KR "  pre-shared-key k1\n  no pre-shared-key remote",
	  "  pre-shared-key local k1\n", "remote" },
	{ KR "  address 198.51.100.2\n  no address\n  identity fqdn a.b\n  no identity\n"
	  "  pre-shared-key x\n  no pre-shared-key", KR " !\n!\n", "address" },
	{ KR " peer C\n  address 198.51.100.3\n exit\n peer D\n no peer B\n",
	  "crypto ikev2 keyring K\n peer C\n  address 198.51.100.3\n !\n peer D\n !\n!\n",
	  " peer B" },
	{ KR "no crypto ikev2 keyring K", "hostname Router\n!\nend\n", "keyring" },
	{ PROF " match identity remote address 198.51.100.2 255.255.255.255\n"
	  " match identity remote address 198.51.100.0 255.255.255.0\n"
	  " match identity remote fqdn gwB.example.net\n match identity remote email a@b.c\n"
	  " identity local fqdn gwa.example.net\n authentication local pre-share\n"
	  " authentication remote pre-share\n keyring local K\n lifetime 3600\n"
	  " dpd 10 3 periodic\n nat keepalive 20",
	  PROF " match identity remote address 198.51.100.2 255.255.255.255\n"
	  " match identity remote address 198.51.100.0 255.255.255.0\n"
	  " match identity remote fqdn gwB.example.net\n match identity remote email a@b.c\n"
	  " identity local fqdn gwa.example.net\n authentication remote pre-share\n"
	  " authentication local pre-share\n keyring local K\n lifetime 3600\n"
	  " dpd 10 3 periodic\n nat keepalive 20\n!\n", NULL },
	{ PROF " match identity remote address 198.51.100.2\n keyring K\n dpd 3600 60 on-demand\n"
	  " identity local address 198.51.100.1\n identity local email me@example.net",
	  " match identity remote address 198.51.100.2 255.255.255.255\n"
	  " identity local email me@example.net\n keyring local K\n dpd 3600 60 on-demand\n",
	  NULL },
	{ PROF " match identity remote fqdn a.b\n match identity remote fqdn c.d\n"
	  " no match identity remote fqdn a.b\n authentication local pre-share\n"
	  " no authentication local\n keyring local K\n no keyring\n lifetime 120\n"
	  " no lifetime\n dpd 10 2 periodic\n no dpd\n nat keepalive 5\n no nat keepalive\n"
	  " identity local fqdn x.y\n no identity local",
	  PROF " match identity remote fqdn c.d\n!\n", "lifetime" },
	{ PROF " match identity remote fqdn a.b\n no match identity remote", PROF "!\n",
	  "match" },
	{ "crypto map vpn 10 ipsec-isakmp\n set ikev2-profile R\n set pfs group31",
	  " set pfs group31\n set ikev2-profile R\n", NULL },
	{ "crypto map vpn 10 ipsec-isakmp\n set ikev2-profile R\n no set ikev2-profile R\n"
	  " set pfs group15\n set pfs group16",
	  " set pfs group16\n", "ikev2-profile" },
	{ "crypto dynamic-map dyn 10\n set ikev2-profile R\n no set ikev2-profile",
	  "crypto dynamic-map dyn 10\n!\n", "ikev2" },
	{ "crypto dynamic-map dyn 10\n set ikev2-profile R\n set pfs group14",
	  "crypto dynamic-map dyn 10\n set pfs group14\n set ikev2-profile R\n", NULL },
};

static void
test_valid(void)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct gw_err err = { 0, "" };
		struct conf *c = conf_parse_text(valid[i].text, "valid", &err);
		char *s;

		T_OK(c != NULL, "valid %zu: line %u: %s", i, err.line, err.msg);
		if (c == NULL)
			continue;
		s = text_of(c, true);
		T_OK(has(s, valid[i].want), "valid %zu: want\n%s\nin\n%s", i, valid[i].want, s);
		T_OK(valid[i].absent == NULL || !has(s, valid[i].absent),
		    "valid %zu: \"%s\" in\n%s", i, valid[i].absent, s);
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
	{ "crypto ikev2 frob X", 1, "crypto ikev2 frob X: \"frob\": expected proposal, policy, "
	  "keyring or profile" },
	{ "crypto ikev2 proposal", 1, "crypto ikev2 proposal : proposal needs a name" },
	{ "crypto ikev2 proposal P extra", 1, "crypto ikev2 proposal P: \"extra\": unexpected "
	  "word" },
	{ PROP " encryption aes-cbc-512", 2, "crypto ikev2 proposal P: encryption "
	  "\"aes-cbc-512\": not one of aes-cbc-128, aes-cbc-192, aes-cbc-256, aes-gcm-128, "
	  "aes-gcm-256, chacha20-poly1305, 3des" },
	{ PROP " encryption", 2, "crypto ikev2 proposal P: encryption needs at least one of "
	  "aes-cbc-128, aes-cbc-192, aes-cbc-256, aes-gcm-128, aes-gcm-256, chacha20-poly1305, "
	  "3des" },
	{ PROP " integrity sha3", 2, "crypto ikev2 proposal P: integrity \"sha3\": not one of "
	  "sha1, sha256, sha384, sha512, md5" },
	{ PROP " prf aes-xcbc", 2, "crypto ikev2 proposal P: prf \"aes-xcbc\": not one of sha1, "
	  "sha256, sha384, sha512, md5" },
	{ PROP " group 1", 2, "crypto ikev2 proposal P: group \"1\": not one of 14, 15, 16, 19, "
	  "20, 21, 31 (Curve25519), 2, 5" },
	{ PROP " group 24", 2, "crypto ikev2 proposal P: group \"24\": not one of 14, 15, 16, "
	  "19, 20, 21, 31 (Curve25519), 2, 5" },
	{ PROP " group 2 5 14 15 16 19 20 21\n group 31", 3, "crypto ikev2 proposal P: group: "
	  "at most 8" },
	{ PROP " frob", 2, "crypto ikev2 proposal P: \"frob\": unknown command" },
	{ "crypto ikev2 policy POL\n proposal", 2, "crypto ikev2 policy POL: proposal needs a "
	  "name" },
	{ "crypto ikev2 policy POL\n proposal A B", 2, "crypto ikev2 policy POL: \"B\": "
	  "unexpected word" },
	{ "crypto ikev2 policy POL\n match address local 1.2.3", 2, "crypto ikev2 policy POL: "
	  "match address local \"1.2.3\": not an IPv4 address" },
	{ "crypto ikev2 policy POL\n match fvrf any", 2, "crypto ikev2 policy POL: match fvrf: "
	  "VRFs are not supported (every policy is for the global table)" },
	{ "crypto ikev2 policy POL\n match address remote 1.2.3.4", 2, "crypto ikev2 policy "
	  "POL: match \"address\": expected address local" },
	{ "crypto ikev2 keyring K\n address 1.2.3.4", 2, "crypto ikev2 keyring K: \"address\": "
	  "unknown command" },
	{ KR "  address 198.51.100.2 255.0.255.0", 3, "crypto ikev2 keyring K peer B: address "
	  "198.51.100.2 \"255.0.255.0\": not a contiguous mask" },
	{ KR "  address 198.51.100.2 255.255.255.0", 3, "crypto ikev2 keyring K peer B: "
	  "address 198.51.100.2 255.255.255.0: address bits outside the mask" },
	{ KR "  identity dn cn=x", 3, "crypto ikev2 keyring K peer B: identity \"dn\": expected "
	  "address, fqdn or email" },
	{ KR "  identity email nobody", 3, "crypto ikev2 keyring K peer B: identity email "
	  "\"nobody\": not a mail address (user@domain)" },
	{ KR "  identity fqdn", 3, "crypto ikev2 keyring K peer B: identity fqdn needs a name" },
	{ KR "  pre-shared-key", 3, "crypto ikev2 keyring K peer B: pre-shared-key needs the "
	  "key" },
	{ KR "  pre-shared-key local", 3, "crypto ikev2 keyring K peer B: pre-shared-key needs "
	  "the key" },
	{ KR "  pre-shared-key 6 0A1B2C3D4E5F", 3, "crypto ikev2 keyring K peer B: "
	  "pre-shared-key 6: no master key here to decrypt it; give the key itself (0 KEY)" },
	{ KR "  pre-shared-key two words here", 3, "crypto ikev2 keyring K peer B: pre-shared-key"
	  ": the key is one word (words of this command are not echoed)" },
	{ KR "  pre-shared-key *****", 3, "crypto ikev2 keyring K peer B: pre-shared-key *****: "
	  "this is the mask show running-config prints, not a key; give the key itself" },
	{ KR "  pre-shared-key 0123456789012345678901234567890123456789012345678901234567890123x",
	  3, "crypto ikev2 keyring K peer B: pre-shared-key: longer than 64 characters" },
	{ PROF " match identity remote address 198.51.100.1 255.255.255.0", 2, "crypto ikev2 "
	  "profile R: match identity remote address 198.51.100.1 255.255.255.0: address bits "
	  "outside the mask" },
	{ PROF " match identity remote fqdn domain example.net", 2, "crypto ikev2 profile R: "
	  "match identity remote fqdn domain: not supported (give the whole name)" },
	{ PROF " match certificate MAP", 2, "crypto ikev2 profile R: match certificate: not "
	  "supported (match identity remote only)" },
	{ PROF " match identity local address 1.2.3.4", 2, "crypto ikev2 profile R: match "
	  "\"identity\": expected identity remote" },
	{ PROF " identity remote fqdn a.b", 2, "crypto ikev2 profile R: identity \"remote\": "
	  "expected local" },
	{ PROF " identity local address 198.51.100.1 255.255.255.255", 2, "crypto ikev2 profile "
	  "R: \"255.255.255.255\": unexpected word" },
	{ PROF " authentication local rsa-sig", 2, "crypto ikev2 profile R: authentication local "
	  "rsa-sig: not supported (pre-share only)" },
	{ PROF " authentication both pre-share", 2, "crypto ikev2 profile R: authentication "
	  "\"both\": expected local or remote" },
	{ PROF " keyring aaa LIST", 2, "crypto ikev2 profile R: keyring aaa: not supported "
	  "(keyring local only)" },
	{ PROF " lifetime 86401", 2, "crypto ikev2 profile R: lifetime \"86401\": not in "
	  "120-86400" },
	{ PROF " lifetime 119", 2, "crypto ikev2 profile R: lifetime \"119\": not in 120-86400" },
	{ PROF " dpd 9 3 periodic", 2, "crypto ikev2 profile R: dpd interval \"9\": not in "
	  "10-3600" },
	{ PROF " dpd 10 61 periodic", 2, "crypto ikev2 profile R: dpd retry \"61\": not in 2-60" },
	{ PROF " dpd 10 3 always", 2, "crypto ikev2 profile R: dpd 10 3 \"always\": expected "
	  "on-demand or periodic" },
	{ PROF " nat keepalive 4", 2, "crypto ikev2 profile R: nat keepalive \"4\": not in "
	  "5-3600" },
	{ PROF " nat force-encap", 2, "crypto ikev2 profile R: nat \"force-encap\": expected "
	  "keepalive" },
	{ "crypto map vpn 10 ipsec-manual\n set ikev2-profile R", 2, "crypto map vpn 10: set "
	  "ikev2-profile: not for ipsec-manual entries (manual SAs are not negotiated and do not "
	  "expire)" },
	{ "crypto map vpn 10 ipsec-isakmp\n set ikev2-profile", 2, "crypto map vpn 10: "
	  "set ikev2-profile needs a name" },
	{ "crypto map vpn 10 ipsec-isakmp\n set ikev2-profile A B", 2, "crypto map vpn 10: "
	  "\"B\": unexpected word" },
	{ "crypto map vpn 10 ipsec-isakmp\n set pfs group24", 2, "crypto map vpn 10: set pfs "
	  "\"group24\": not a DH group (group1, group2, group5, group14, group15, group16, "
	  "group19, group20, group21, group31)" },
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
	/* a key in a refused line is never in the message */
	{
		struct gw_err err = { 0, "" };
		struct conf *c = conf_parse_text(KR "  pre-shared-key local 6 TopSecret99", "k",
		    &err);

		T_OK(c == NULL && !has(err.msg, "TopSecret99"), "6: %s", err.msg);
		c = conf_parse_text(KR "  pre-shared-key TopSecret99 extra", "k", &err);
		T_OK(c == NULL && !has(err.msg, "TopSecret99"), "two words: %s", err.msg);
	}
}

/* ---- Sub-modes ---- */

static void
test_modes(void)
{
	static const struct { const char *line, *mode; } steps[] = {
		{ "crypto ikev2 proposal P", "config-ikev2-proposal" },
		{ "encryption aes-gcm-128", "config-ikev2-proposal" },
		{ "crypto ikev2 policy POL", "config-ikev2-policy" },
		{ "crypto ikev2 keyring K", "config-ikev2-keyring" },
		{ "peer A", "config-ikev2-keyring-peer" },
		{ "pre-shared-key ka", "config-ikev2-keyring-peer" },
		{ "peer B", "config-ikev2-keyring-peer" },	/* a keyring command */
		{ "no peer B", "config-ikev2-keyring" },		/* the current one */
		{ "peer A", "config-ikev2-keyring-peer" },
		{ "exit", "config-ikev2-keyring" },
		{ "exit", "config" },
		{ "crypto ikev2 profile R", "config-ikev2-profile" },
		{ "lifetime 600", "config-ikev2-profile" },
		{ "crypto ikev2 keyring K", "config-ikev2-keyring" },
		{ "peer A", "config-ikev2-keyring-peer" },
		{ "end", "config" },
		{ "crypto ikev2 keyring K", "config-ikev2-keyring" },
		{ "peer A", "config-ikev2-keyring-peer" },
		{ "hostname gw", "config" },		/* a global command leaves */
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
	/* a refused line in a sub-mode changes neither the model nor the mode */
	conf_session_line(&s, "crypto ikev2 keyring K", 90, &err);
	conf_session_line(&s, "peer A", 91, &err);
	T_EQ(conf_session_line(&s, "pre-shared-key 6 xyz", 92, &err), -1, "refused");
	T_STREQ(conf_session_prompt_mode(&s), "config-ikev2-keyring-peer", "mode kept");
	t = text_of(c, true);
	T_OK(has(t, "crypto ikev2 keyring K\n peer A\n  pre-shared-key ka\n !\n!\n") &&
	    !has(t, "peer B") && has(t, " lifetime 600\n"), "%s", t);
	free(t);
	conf_free(c);
}

/* ---- Round trips: write_config keeps keys, show_running masks them ---- */

static const char full[] =
	"hostname gwA\n"
	"crypto ikev2 proposal P-CBC\n"
	" encryption aes-cbc-256 aes-cbc-128 3des\n"
	" integrity sha256 sha1 md5\n"
	" group 14 5\n"
	"crypto ikev2 proposal P-AEAD\n"
	" encryption aes-gcm-256 chacha20-poly1305\n"
	" prf sha512 sha256\n"
	" group 31 19 20 21 15 16 2\n"
	"crypto ikev2 policy POL\n"
	" match address local 198.51.100.1\n"
	" proposal P-AEAD\n"
	" proposal P-CBC\n"
	"crypto ikev2 policy ANY\n"
	" proposal P-CBC\n"
	"crypto ikev2 keyring KR\n"
	" peer gwB\n"
	"  address 198.51.100.2\n"
	"  pre-shared-key 0 very-secret-B\n"
	" peer net\n"
	"  address 203.0.113.0 255.255.255.0\n"
	"  identity fqdn road.example.net\n"
	"  pre-shared-key local secret-local\n"
	"  pre-shared-key remote secret-remote\n"
	" peer kw\n"
	"  identity email vpn@example.net\n"
	"  pre-shared-key 0 remote\n"
	"crypto ikev2 profile PR\n"
	" match identity remote address 198.51.100.2 255.255.255.255\n"
	" match identity remote fqdn road.example.net\n"
	" identity local address 198.51.100.1\n"
	" authentication local pre-share\n"
	" authentication remote pre-share\n"
	" keyring local KR\n"
	" lifetime 28800\n"
	" dpd 30 5 periodic\n"
	" nat keepalive 20\n"
	"crypto ipsec transform-set T esp-aes 256 esp-sha256-hmac\n"
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"crypto dynamic-map dyn 10\n"
	" set transform-set T\n"
	" set ikev2-profile PR\n"
	"crypto map vpn 10 ipsec-isakmp\n"
	" match address 101\n"
	" set peer 198.51.100.2\n"
	" set transform-set T\n"
	" set ikev2-profile PR\n"
	" set pfs group20\n"
	" set security-association lifetime seconds 1800\n"
	" set security-association lifetime kilobytes 100000\n"
	" set security-association replay window-size 128\n"
	"crypto map vpn 20 ipsec-isakmp dynamic dyn\n"
	"interface wan0\n"
	" ip address 198.51.100.1 255.255.255.0\n"
	" crypto map vpn\n";

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
	T_OK(has(w, "  pre-shared-key very-secret-B\n") &&
	    has(w, "  pre-shared-key local secret-local\n  pre-shared-key remote secret-remote\n")
	    && has(w, "  pre-shared-key 0 remote\n"), "write_config keeps the keys:\n%s", w);
	c2 = conf_parse_text(w, "written", &err);
	T_OK(c2 != NULL, "written parses: line %u: %s", err.line, err.msg);
	T_OK(c2 != NULL && conf_equal(c, c2), "written parses back equal");
	w2 = c2 != NULL ? text_of(c2, true) : NULL;
	T_STREQ(w2, w, "the same text again");
	free(w2);
	conf_free(c2);
	d = conf_dup(c);
	T_OK(d != NULL && conf_equal(c, d), "dup equal");
	/* one byte of one key differs: not equal */
	d->ikev2_keyrings[0]->peers[1]->psk_remote.b[3] ^= 1;
	T_OK(!conf_equal(c, d), "a key differs");
	d->ikev2_keyrings[0]->peers[1]->psk_remote.b[3] ^= 1;
	d->ikev2_profiles[0]->dpd_retry = 6;
	T_OK(!conf_equal(c, d), "dpd differs");
	conf_free(d);

	s = text_of(c, false);
	T_OK(!has(s, "secret") && !has(s, "0 remote") && has(s, "  pre-shared-key *****\n") &&
	    has(s, "  pre-shared-key local *****\n  pre-shared-key remote *****\n"),
	    "show running masks:\n%s", s);
	/* the rest is the same text */
	T_EQ(strlen(s) < strlen(w), 1, "shorter");
	c2 = conf_parse_text(s, "shown", &err);
	T_OK(c2 == NULL && has(err.msg, "the mask show running-config prints"),
	    "a masked text is refused: %s", err.msg);
	conf_free(c2);
	free(s);

	/* conf_show_masked: a stored text with its keys masked */
	{
		char *m = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&m, &len);

		conf_show_masked(w, f);
		conf_show_masked("  Pre-Shared-Key local 0 abc\n pre-shared-key\n"
		    "pre-shared-keyX y\npre-shared-key   6 \n", f);
		fclose(f);
		s = text_of(c, false);
		T_OK(has(m, s), "masked stored text is show running-config's");
		T_OK(has(m, "  Pre-Shared-Key local *****\n pre-shared-key\n"
		    "pre-shared-keyX y\npre-shared-key *****\n"), "edge cases:\n%s", m);
		free(s);
		free(m);
	}
	free(w);
	conf_free(c);
}

/* ---- conf_validate ---- */

static const char base[] =
	"crypto ikev2 proposal P\n encryption aes-gcm-128\n prf sha256\n group 19\n"
	"crypto ikev2 policy POL\n proposal P\n"
	"crypto ikev2 keyring K\n peer B\n  address 198.51.100.2\n  pre-shared-key k\n"
	"crypto ikev2 profile R\n match identity remote address 198.51.100.2\n"
	" authentication local pre-share\n authentication remote pre-share\n keyring local K\n"
	"crypto ipsec transform-set T esp-gcm\n"
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.2\n"
	" set transform-set T\n set ikev2-profile R\n"
	"interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map vpn\n";

static const struct {
	const char *extra;		/* appended to base */
	const char *msg;		/* NULL: valid */
	const char *warning;		/* a warning it gives (valid ones) */
} checks[] = {
	{ "", NULL, NULL },
	{ "crypto map vpn 10\n set ikev2-profile NOPE\n",
	  "crypto map vpn 10: ikev2-profile NOPE is not defined", NULL },
	{ "crypto dynamic-map dyn 5\n set transform-set T\n set ikev2-profile NOPE\n",
	  "crypto dynamic-map dyn 5: ikev2-profile NOPE is not defined", NULL },
	{ "crypto map vpn 10\n no set ikev2-profile\n", NULL, NULL },	/* IKEv1 comes later */
	{ "crypto ikev2 profile R\n keyring local NOKR\n",
	  "crypto ikev2 profile R: keyring NOKR is not defined", NULL },
	{ "crypto ikev2 profile X\n authentication local pre-share\n",
	  "crypto ikev2 profile X: authentication pre-share needs keyring local", NULL },
	{ "crypto ikev2 profile R\n no match identity remote\n",
	  "crypto ikev2 profile R: needs match identity remote (used by crypto map vpn 10)",
	  NULL },
	{ "crypto ikev2 profile R\n no authentication remote\n",
	  "crypto ikev2 profile R: needs authentication remote pre-share (used by crypto map "
	  "vpn 10)", NULL },
	{ "crypto ikev2 profile R\n no authentication local\n",
	  "crypto ikev2 profile R: needs authentication local pre-share (used by crypto map "
	  "vpn 10)", NULL },
	{ "crypto ikev2 profile X\n", NULL, NULL },	/* unused and incomplete: fine */
	{ "crypto ikev2 keyring K\n peer B\n no pre-shared-key remote\n",
	  "crypto ikev2 keyring K peer B: needs pre-shared-key remote (profile R authenticates "
	  "the peer with it)", NULL },
	{ "crypto ikev2 keyring K\n peer B\n no pre-shared-key local\n",
	  "crypto ikev2 keyring K peer B: needs pre-shared-key local (profile R authenticates "
	  "us with it)", NULL },
	{ "crypto ikev2 keyring K\n peer C\n",
	  "crypto ikev2 keyring K peer C: needs address or identity", NULL },
	{ "no crypto ikev2 policy POL\n",
	  "crypto map vpn 10: set ikev2-profile: no crypto ikev2 policy is configured (there "
	  "is no default proposal)", NULL },
	{ "crypto ikev2 policy POL\n proposal NOPE\n",
	  "crypto ikev2 policy POL: proposal NOPE is not defined", NULL },
	{ "crypto ikev2 policy EMPTY\n", "crypto ikev2 policy EMPTY: needs proposal", NULL },
	{ "crypto ikev2 proposal Q\n group 19\n", "crypto ikev2 proposal Q: needs encryption",
	  NULL },
	{ "crypto ikev2 proposal Q\n encryption aes-cbc-128\n integrity sha1\n",
	  "crypto ikev2 proposal Q: needs group", NULL },
	{ "crypto ikev2 proposal Q\n encryption aes-cbc-128\n group 14\n",
	  "crypto ikev2 proposal Q: needs integrity", NULL },
	{ "crypto ikev2 proposal Q\n encryption aes-gcm-256 aes-cbc-256\n integrity sha1\n"
	  " group 14\n", "crypto ikev2 proposal Q: AEAD encryption (aes-gcm, chacha20-poly1305) "
	  "and other encryption in one proposal; make two proposals", NULL },
	{ "crypto ikev2 proposal P\n integrity sha256\n", "crypto ikev2 proposal P: integrity "
	  "with AEAD encryption (it has its own); remove integrity, keep prf", NULL },
	{ "crypto ikev2 proposal P\n no prf\n", "crypto ikev2 proposal P: AEAD encryption "
	  "needs prf (there is no integrity to take it from)", NULL },
	{ "crypto map vpn 10\n set pfs\n", "crypto map vpn 10: set pfs group1: not a group of "
	  "IKEv2 (14, 15, 16, 19, 20, 21, 31; 2, 5)", NULL },
	{ "crypto map vpn 10\n set pfs group5\n", NULL,
	  "warning: crypto map vpn 10: set pfs group5 is a weak Diffie-Hellman group\n" },
	{ "crypto ikev2 proposal Q\n encryption 3des\n integrity md5\n group 2\n", NULL,
	  "warning: crypto ikev2 proposal Q: encryption 3des is a legacy algorithm\n"
	  "warning: crypto ikev2 proposal Q: integrity md5 is a legacy algorithm\n"
	  "warning: crypto ikev2 proposal Q: group 2 is a weak Diffie-Hellman group\n" },
	{ "crypto ikev2 proposal P\n prf md5\n", NULL,
	  "warning: crypto ikev2 proposal P: prf md5 is a legacy algorithm\n" },
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
			if (checks[i].warning != NULL)
				T_STREQ(warn, checks[i].warning, "check %zu: warnings", i);
			else
				T_STREQ(warn, "", "check %zu: no warnings", i);
		} else {
			T_EQ(rc, -1, "check %zu refused", i);
			T_STREQ(err.msg, checks[i].msg, "check %zu", i);
			T_OK(err.line > 0, "check %zu: a line", i);
		}
		free(warn);
		conf_free(c);
	}
}

/* ---- show crypto ikev2 ---- */

static const char show_prop[] =
	" IKEv2 proposal: P-CBC\n"
	"     Encryption : AES-CBC-256 AES-CBC-128 3DES \n"
	"     Integrity  : SHA256 SHA96 MD596 \n"
	"     PRF        : SHA256 SHA1 MD5 \n"
	"     DH Group   : DH_GROUP_2048_MODP/Group 14 DH_GROUP_1536_MODP/Group 5 \n"
	"\n";

static const char show_pol[] =
	" IKEv2 policy : POL\n"
	"      Match fvrf : global\n"
	"      Match address local : 198.51.100.1 \n"
	"      Proposal    : P-AEAD P-CBC \n"
	"\n"
	" IKEv2 policy : ANY\n"
	"      Match fvrf : global\n"
	"      Match address local : any \n"
	"      Proposal    : P-CBC \n"
	"\n";

static const char show_prof[] =
	"IKEv2 profile: PR\n"
	" Ref Count: 2\n"
	" Match criteria: \n"
	"  Fvrf: global\n"
	"  Local address/interface: none\n"
	"  Identities: \n"
	"   address 198.51.100.2 255.255.255.255\n"
	"   fqdn road.example.net\n"
	"  Certificate maps: none\n"
	" Local identifier: address 198.51.100.1\n"
	" Remote identifier: none\n"
	" Local authentication method: pre-share\n"
	" Remote authentication method(s): pre-share\n"
	" EAP options: none\n"
	" Keyring: KR\n"
	" Trustpoint(s): none\n"
	" Lifetime: 28800 seconds\n"
	" DPD: interval 30, retry 5, periodic\n"
	" NAT-keepalive: 20 seconds\n"
	" Ivrf: none\n"
	" Virtual-template: none\n"
	"\n";

static void
test_show(void)
{
	struct gw_err err;
	struct conf *c = conf_parse_text(full, "full", &err);
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	conf_show_ikev2_proposals(c, "P-CBC", f);
	fclose(f);
	T_STREQ(buf, show_prop, "show crypto ikev2 proposal P-CBC");
	free(buf);
	f = open_memstream(&buf, &len);
	conf_show_ikev2_policies(c, NULL, f);
	fclose(f);
	T_STREQ(buf, show_pol, "show crypto ikev2 policy");
	free(buf);
	f = open_memstream(&buf, &len);
	conf_show_ikev2_profiles(c, NULL, f);
	fclose(f);
	T_STREQ(buf, show_prof, "show crypto ikev2 profile");
	free(buf);
	f = open_memstream(&buf, &len);
	conf_show_ikev2_proposals(c, "P-AEAD", f);
	conf_show_ikev2_profiles(c, "nope", f);
	conf_show_crypto_map(c, NULL, NULL, f);
	conf_show_dynamic_map(c, NULL, f);
	fclose(f);
	T_OK(has(buf, "     Integrity  : none \n     PRF        : SHA512 SHA256 \n") &&
	    has(buf, "DH_GROUP_CURVE25519/Group 31 ") && has(buf, "        IKEv2 Profile: PR\n")
	    && !has(buf, "secret"), "%s", buf);
	free(buf);
	conf_free(c);
}

/* ---- Lookups the engine makes ---- */

static void
test_lookups(void)
{
	struct gw_err err;
	struct conf *c = conf_parse_text(full, "full", &err);
	const struct conf_map_entry *e = conf_map_entry_find(conf_map_find(c, "vpn"), 10);
	const struct conf_ikev2_profile *pr = conf_entry_ikev2_profile(c, e);
	const struct conf_ikev2_keyring *k;
	const struct conf_ikev2_peer *pe;
	struct conf_ikev2_id id;
	uint16_t prf[CONF_IKEV2_ALGS_MAX];

	T_OK(pr != NULL && strcmp(pr->name, "PR") == 0, "the entry's profile");
	T_OK(conf_entry_ikev2_profile(c, conf_map_entry_find(conf_map_find(c, "vpn"), 20)) ==
	    NULL, "no profile");
	T_STREQ(conf_ikev2_policy_for(c, 0xc6336401)->name, "POL", "policy by local address");
	T_STREQ(conf_ikev2_policy_for(c, 0xc6336409)->name, "ANY", "the policy for any");
	k = conf_ikev2_keyring_find(c, pr->keyring);
	pe = conf_ikev2_peer_find(k, 0xc6336402, NULL);
	T_OK(pe != NULL && strcmp(pe->name, "gwB") == 0, "peer by address");
	T_OK(pe->psk_local.len == 13 && memcmp(pe->psk_local.b, "very-secret-B", 13) == 0 &&
	    pe->psk_remote.len == 13, "the plain form sets both keys");
	pe = conf_ikev2_peer_find(k, 0xcb007105, NULL);
	T_OK(pe != NULL && strcmp(pe->name, "net") == 0, "peer by address within a mask");
	T_OK(pe->psk_local.len == 12 && pe->psk_remote.len == 13, "local and remote keys");
	T_OK(conf_ikev2_peer_find(k, 0x01020304, NULL) == NULL, "no peer");
	memset(&id, 0, sizeof(id));
	id.type = CONF_ID_EMAIL;
	strcpy(id.text, "vpn@example.net");
	pe = conf_ikev2_peer_find(k, 0x01020304, &id);
	T_OK(pe != NULL && strcmp(pe->name, "kw") == 0, "peer by identity");
	T_OK(pe->psk_local.len == 6 && memcmp(pe->psk_local.b, "remote", 6) == 0, "0 remote");
	id.type = CONF_ID_FQDN;
	strcpy(id.text, "ROAD.example.NET");
	T_OK(conf_ikev2_profile_match(pr, &id), "fqdn matches ignoring case");
	T_OK(conf_ikev2_profile_for_id(c, &id) == pr, "profile for an identity");
	id.type = CONF_ID_ADDRESS;
	id.addr = 0xc6336402;
	T_OK(conf_ikev2_profile_match(pr, &id), "address matches");
	id.addr = 0xc6336403;
	T_OK(!conf_ikev2_profile_match(pr, &id), "another address does not");
	T_OK(conf_ikev2_profile_for_id(c, &id) == NULL, "no profile for it");
	conf_ikev2_local_id(pr, 0xc6336401, &id);
	T_OK(id.type == CONF_ID_ADDRESS && id.addr == 0xc6336401, "identity local address");
	T_EQ(conf_ikev2_lifetime(pr), 28800, "lifetime");
	T_EQ(conf_ikev2_lifetime(conf_ikev2_profile_find(c, "PR")), 28800, "find");
	{
		const struct conf_ikev2_proposal *cbc = conf_ikev2_proposal_find(c, "P-CBC");
		const struct conf_ikev2_proposal *gcm = conf_ikev2_proposal_find(c, "P-AEAD");

		T_OK(!conf_ikev2_proposal_aead(cbc) && conf_ikev2_proposal_aead(gcm), "aead");
		T_EQ(conf_ikev2_proposal_prfs(cbc, prf), 3, "prfs from integrity");
		T_OK(prf[0] == IKE_PRF_HMAC_SHA2_256 && prf[1] == IKE_PRF_HMAC_SHA1 &&
		    prf[2] == IKE_PRF_HMAC_MD5, "in order");
		T_EQ(conf_ikev2_proposal_prfs(gcm, prf), 2, "configured prfs");
		T_OK(cbc->encr[0].id == IKE_ENCR_AES_CBC && cbc->encr[0].bits == 256 &&
		    cbc->encr[2].id == IKE_ENCR_3DES && cbc->integ[0] ==
		    IKE_INTEG_HMAC_SHA2_256_128 && cbc->group[1] == IKE_DH_MODP1536,
		    "IANA numbers");
		T_OK(gcm->encr[0].id == IKE_ENCR_AES_GCM_16 && gcm->encr[1].id ==
		    IKE_ENCR_CHACHA20_POLY1305 && gcm->group[0] == IKE_DH_X25519, "AEAD ids");
	}
	T_EQ(conf_entry_replay_window(e), 128, "replay window set");
	T_EQ(conf_entry_lifetime_sec(c, e), 1800, "entry lifetime");
	T_EQ(conf_entry_lifetime_kb(c, e), 100000, "entry lifetime kb");
	T_EQ(conf_entry_replay_window(conf_map_entry_find(conf_dynmap_find(c, "dyn"), 10)),
	    CONF_REPLAY_DEFAULT, "isakmp default window");
	T_STREQ(conf_ikev2_encr_name(IKE_ENCR_AES_GCM_16, 256), "aes-gcm-256", "name");
	T_OK(conf_ikev2_encr_name(IKE_ENCR_AES_GCM_16, 192) == NULL, "no gcm-192");
	T_STREQ(conf_ikev2_integ_name(IKE_INTEG_HMAC_SHA1_96), "sha1", "integ name");
	T_STREQ(conf_ikev2_prf_name(IKE_PRF_HMAC_SHA2_512), "sha512", "prf name");
	T_OK(conf_ikev2_group_ok(31) && !conf_ikev2_group_ok(1) && conf_ikev2_group_weak(5),
	    "groups");
	conf_free(c);
}

/* ---- deploy/examples/gw{A,B}-ikev2.conf ---- */

static void
test_examples(void)
{
	static const char *const names[] = { "gwA-ikev2.conf", "gwB-ikev2.conf" };
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
			/* an ipsec-isakmp entry compiles to a policy without SAs (until IKE) */
			struct spd *spd = NULL;
			struct sa_list sas = { 0 };

			T_EQ(conf_compile(c[i], &spd, &sas, &err), 0, "%s: compile: %s", names[i],
			    err.msg);
			T_OK(spd != NULL && spd->n == 1 && sas.n == 0, "%s: one policy, no SA",
			    names[i]);
			spd_free(spd);
			sa_list_free(&sas);
		}
		w = text_of(c[i], true);
		back = conf_parse_text(w, "written", &err);
		T_OK(back != NULL && conf_equal(back, c[i]), "%s: round trip", names[i]);
		conf_free(back);
		free(w);
	}
	/* mirrors: the same key, each other's addresses */
	{
		const struct conf_ikev2_peer *a = c[0]->ikev2_keyrings[0]->peers[0];
		const struct conf_ikev2_peer *b = c[1]->ikev2_keyrings[0]->peers[0];
		const struct conf_ikev2_profile *pa = c[0]->ikev2_profiles[0];
		const struct conf_ikev2_profile *pb = c[1]->ikev2_profiles[0];

		T_OK(a->psk_local.len > 0 && a->psk_local.len == b->psk_remote.len &&
		    memcmp(a->psk_local.b, b->psk_remote.b, a->psk_local.len) == 0, "same key");
		T_OK(a->addr == c[1]->ifs[0]->addr && b->addr == c[0]->ifs[0]->addr, "addresses");
		T_OK(pa->match_remote[0].addr == pb->local_id.addr &&
		    pb->match_remote[0].addr == pa->local_id.addr, "identities");
		T_OK(conf_ikev2_proposal_aead(c[0]->ikev2_proposals[0]) &&
		    c[0]->ikev2_proposals[0]->group[0] == IKE_DH_ECP256, "aes-gcm-128, group 19");
	}
	conf_free(c[0]);
	conf_free(c[1]);
}

int
main(void)
{
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
