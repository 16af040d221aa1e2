/* SPDX-License-Identifier: Apache-2.0 */
/* cli_test.c: the CLI in-process, without sockets: abbreviations and ambiguity in every mode,
 * "?" and TAB, mode transitions and prompts, configure sessions that apply all or nothing
 * (docs/design.md invariant 4: the running configuration survives every bad input), concurrent
 * sessions, the idle timeout, write memory, clear crypto sa, show and clear crypto session, the
 * RSA keys (crypto key generate rsa into the state directory, show crypto key mypubkey rsa
 * pasted into another gateway's pubkey-chain, and a signature of one checked with the other),
 * and golden layouts. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/log.h"
#include "controld/cli/cli.h"
#include "controld/controld.h"
#include "controld/ike/v1sig.h"
#include "tests/lib/example.h"
#include "tests/lib/test.h"

/* deploy/examples/gwA.conf and a second list (main reads it) */
static char *demo_conf;

static struct controld cd;
static uint64_t now_ms = 1000;
static char dir[64], path[128];
static struct cli_rep rep;

/* One request q of client id at time at; the output (static, until the next call). */
static const char *
request(const char *id, const struct cli_req *q, uint64_t at)
{
	static char *text;
	size_t len = 0;
	FILE *f;

	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	cli_request(&cd, id, strlen(id), q, &rep, f, at);
	fclose(f);
	return text != NULL ? text : "";	/* never NULL: the checks print it */
}

static const char *
req(const char *id, const char *line)
{
	struct cli_req q = { .line = line };

	return request(id, &q, now_ms);
}

/* A numbered line (a file's, as gwctl -f sends it). */
static const char *
reqn(const char *id, const char *line, unsigned lineno)
{
	struct cli_req q = { .line = line, .lineno = lineno, .literal = true };

	return request(id, &q, now_ms);
}

static const char *
complete(const char *id, const char *line)
{
	struct cli_req q = { .line = line, .complete = true };

	return request(id, &q, now_ms);
}

static bool
has(const char *text, const char *sub)
{
	return strstr(text, sub) != NULL;	/* request() never returns NULL */
}

/* ---- 1. Abbreviations, every mode ---- */

static const struct {
	enum cli_tree	t;
	const char	*in, *out;		/* out NULL: ambiguous */
} abbrev[] = {
	{ CLI_T_EXEC, "sh cry ips sa", "show crypto ipsec sa" },
	{ CLI_T_EXEC, "SH CRY IPS SA", "show crypto ipsec sa" },
	{ CLI_T_EXEC, "sh cry ips sa pe 198.51.100.2 det",
	    "show crypto ipsec sa peer 198.51.100.2 detail" },
	{ CLI_T_EXEC, "sh cry ips sec lif", "show crypto ipsec security-association lifetime" },
	{ CLI_T_EXEC, "sh cry ips s", NULL },
	{ CLI_T_EXEC, "sh cry ma t vpn i wan0", "show crypto map tag vpn interface wan0" },
	{ CLI_T_EXEC, "sh cry d t dyn", "show crypto dynamic-map tag dyn" },
	{ CLI_T_EXEC, "sh ip acc 101", "show ip access-lists 101" },
	{ CLI_T_EXEC, "sh run", "show running-config" },
	{ CLI_T_EXEC, "sh star", "show startup-config" },
	{ CLI_T_EXEC, "sh s", "show startup-config" },
	{ CLI_T_EXEC, "sh", "show" },
	{ CLI_T_EXEC, "conf t", "configure terminal" },
	{ CLI_T_EXEC, "wr mem", "write memory" },
	{ CLI_T_EXEC, "wr", "write" },
	{ CLI_T_EXEC, "cop run sta", "copy running-config startup-config" },
	{ CLI_T_EXEC, "cl cry sa", "clear crypto sa" },
	{ CLI_T_EXEC, "cl cry sa ent 198.51.100.1 e 1001",
	    "clear crypto sa entry 198.51.100.1 esp 1001" },
	{ CLI_T_EXEC, "cl cry sa m vpn", "clear crypto sa map vpn" },
	{ CLI_T_EXEC, "sh cry sess rem 198.51.100.3 det",
	    "show crypto session remote 198.51.100.3 detail" },
	{ CLI_T_EXEC, "sh cry se d", "show crypto session detail" },
	{ CLI_T_EXEC, "cl cry sess rem 198.51.100.3", "clear crypto session remote 198.51.100.3" },
	{ CLI_T_EXEC, "cl cry s", NULL },
	{ CLI_T_EXEC, "deb cry ips", "debug crypto ipsec" },
	{ CLI_T_EXEC, "no deb cry ips", "no debug crypto ipsec" },
	{ CLI_T_EXEC, "und al", "undebug all" },
	{ CLI_T_EXEC, "rel con", "reload config" },
	{ CLI_T_CONFIG, "cry map vpn 10 ipsec-man", "crypto map vpn 10 ipsec-manual" },
	{ CLI_T_CONFIG, "cry map vpn 10 ipsec-i dyn dmap",
	    "crypto map vpn 10 ipsec-isakmp dynamic dmap" },
	{ CLI_T_CONFIG, "cry map vpn 10 ipsec", NULL },
	{ CLI_T_CONFIG, "cry map vpn loc wan0", "crypto map vpn local-address wan0" },
	{ CLI_T_CONFIG, "cry dyn dmap 5", "crypto dynamic-map dmap 5" },
	{ CLI_T_CONFIG, "cry ips trans T esp-a 256 esp-sha-h",
	    "crypto ipsec transform-set T esp-aes 256 esp-sha-hmac" },
	{ CLI_T_CONFIG, "cry ips trans T esp-s", NULL },
	{ CLI_T_CONFIG, "cry ips sec life sec 300",
	    "crypto ipsec security-association lifetime seconds 300" },
	{ CLI_T_CONFIG, "acc 101 perm tcp h 192.0.2.1 a eq ww log",
	    "access-list 101 permit tcp host 192.0.2.1 any eq www log" },
	{ CLI_T_CONFIG, "acc 101 per u any ra 100 200 192.0.2.0 0.0.0.255 prec crit",
	    "access-list 101 permit udp any range 100 200 192.0.2.0 0.0.0.255 "
	    "precedence critical" },
	{ CLI_T_CONFIG, "acc 101 d ic any any tos min-d",
	    "access-list 101 deny icmp any any tos min-delay" },
	{ CLI_T_CONFIG, "acc 101 rem  two  spaces ", "access-list 101 remark two  spaces" },
	{ CLI_T_CONFIG, "acc 101 permit i any any", NULL },
	{ CLI_T_CONFIG, "ho gwB", "hostname gwB" },
	{ CLI_T_CONFIG, "int Ethernet 0", "interface Ethernet 0" },
	{ CLI_T_CONFIG, "ip acc ext dyn-acl", "ip access-list extended dyn-acl" },
	{ CLI_T_CONFIG, "no cry map vpn 10", "no crypto map vpn 10" },
	{ CLI_T_CONFIG, "frobnicate the widgets", "frobnicate the widgets" },
	{ CLI_T_CONFIG, "cry map vpn 10 ipsec-manaul", "crypto map vpn 10 ipsec-manaul" },
	{ CLI_T_CONFIG, "do sh run", "do show running-config" },
	{ CLI_T_CONFIG, "e", NULL },		/* end, exit */
	{ CLI_T_MAP, "set pe 198.51.100.2", "set peer 198.51.100.2" },
	{ CLI_T_MAP, "set sec life sec 300", "set security-association lifetime seconds 300" },
	{ CLI_T_MAP, "set sec lev per", "set security-association level per-host" },
	{ CLI_T_MAP, "set sec rep win 128", "set security-association replay window-size 128" },
	{ CLI_T_MAP, "set pfs group1", "set pfs group1" },
	{ CLI_T_MAP, "set pfs gr", NULL },
	{ CLI_T_MAP, "set s", NULL },
	{ CLI_T_MAP, "set sess in esp 300 ciph 00112233 auth 4455",
	    "set session-key inbound esp 300 cipher 00112233 authenticator 4455" },
	{ CLI_T_MAP, "set sess out ah 300 00112233", "set session-key outbound ah 300 00112233" },
	{ CLI_T_MAP, "set tr A B C", "set transform-set A B C" },
	{ CLI_T_MAP, "desc  my   text ", "description my   text" },
	{ CLI_T_MAP, "mat addr 101", "match address 101" },
	{ CLI_T_MAP, "no set pe", "no set peer" },
	{ CLI_T_MAP, "cry map vpn 20 ipsec-isakmp", "crypto map vpn 20 ipsec-isakmp" },
	{ CLI_T_MAP, "int wan0", "interface wan0" },
	{ CLI_T_IF, "ip addr 198.51.100.1 255.255.255.0",
	    "ip address 198.51.100.1 255.255.255.0" },
	{ CLI_T_IF, "ip acc ext foo", "ip access-list extended foo" },
	{ CLI_T_IF, "cry map vpn", "crypto map vpn" },
	{ CLI_T_IF, "cry map vpn 10 ipsec-man", "crypto map vpn 10 ipsec-manual" },
	{ CLI_T_IF, "cry ips trans T esp-gcm", "crypto ipsec transform-set T esp-gcm" },
	{ CLI_T_IF, "shut", "shutdown" },
	{ CLI_T_IF, "no shut", "no shutdown" },
	{ CLI_T_IF, "s", "shutdown" },		/* no global command starts with s */
	{ CLI_T_TRANSFORM, "mo trans", "mode transport" },
	{ CLI_T_TRANSFORM, "init si 4", "initialization-vector size 4" },
	{ CLI_T_TRANSFORM, "m t", NULL },
	{ CLI_T_ACL, "perm ip any any", "permit ip any any" },
	{ CLI_T_ACL, "de tcp any any eq 80", "deny tcp any any eq 80" },
	{ CLI_T_ACL, "d tcp any any eq 80", NULL },		/* deny, do */
	{ CLI_T_ACL, "no perm ip any any", "no permit ip any any" },
	/* IKEv2: the global commands, each sub-mode, show */
	{ CLI_T_EXEC, "sh cry ikev2 prop P", "show crypto ikev2 proposal P" },
	{ CLI_T_EXEC, "sh cry ikev2 prof", "show crypto ikev2 profile" },
	{ CLI_T_EXEC, "sh cry ikev2 pol", "show crypto ikev2 policy" },
	{ CLI_T_EXEC, "sh cry ikev2 pr", NULL },		/* profile, proposal */
	{ CLI_T_EXEC, "sh cry i", NULL },			/* ikev2, ipsec */
	{ CLI_T_EXEC, "sh cry ik pol", "show crypto ikev2 policy" },
	{ CLI_T_CONFIG, "cry ikev2 prop P", "crypto ikev2 proposal P" },
	{ CLI_T_CONFIG, "cry ikev2 pol POL", "crypto ikev2 policy POL" },
	{ CLI_T_CONFIG, "cry ikev2 k K", "crypto ikev2 keyring K" },
	{ CLI_T_CONFIG, "cry ikev2 prof R", "crypto ikev2 profile R" },
	{ CLI_T_CONFIG, "no cry ikev2 prof R", "no crypto ikev2 profile R" },
	{ CLI_T_CONFIG, "cry ikev2 p R", NULL },		/* policy, profile, proposal */
	{ CLI_T_IKEV2_PROPOSAL, "enc aes-cbc-1 aes-g", NULL },	/* aes-gcm-128, -256 */
	{ CLI_T_IKEV2_PROPOSAL, "enc aes-cbc-2 aes-gcm-2 ch 3",
	    "encryption aes-cbc-256 aes-gcm-256 chacha20-poly1305 3des" },
	{ CLI_T_IKEV2_PROPOSAL, "integ sha2 sha5 m", "integrity sha256 sha512 md5" },
	{ CLI_T_IKEV2_PROPOSAL, "int sha1", NULL },		/* integrity, interface */
	{ CLI_T_IKEV2_PROPOSAL, "prf sha3", "prf sha384" },
	{ CLI_T_IKEV2_PROPOSAL, "gr 19 2 31", "group 19 2 31" },
	{ CLI_T_IKEV2_PROPOSAL, "no gr 3", "no group 31" },
	{ CLI_T_IKEV2_PROPOSAL, "gr 1", NULL },			/* 14, 15, 16, 19 */
	{ CLI_T_IKEV2_POLICY, "prop P", "proposal P" },
	{ CLI_T_IKEV2_POLICY, "mat addr loc 198.51.100.1", "match address local 198.51.100.1" },
	{ CLI_T_IKEV2_POLICY, "no mat addr loc", "no match address local" },
	{ CLI_T_IKEV2_KEYRING, "pe gwB", "peer gwB" },
	{ CLI_T_IKEV2_KEYRING, "no pe gwB", "no peer gwB" },
	{ CLI_T_IKEV2_PEER, "addr 198.51.100.0 255.255.255.0",
	    "address 198.51.100.0 255.255.255.0" },
	{ CLI_T_IKEV2_PEER, "ident fq gw.example.net", "identity fqdn gw.example.net" },
	{ CLI_T_IKEV2_PEER, "ident em a@b.c", "identity email a@b.c" },
	{ CLI_T_IKEV2_PEER, "pre loc 0 K3y", "pre-shared-key local 0 K3y" },
	{ CLI_T_IKEV2_PEER, "pre rem K3y", "pre-shared-key remote K3y" },
	{ CLI_T_IKEV2_PEER, "pre 0 lo", "pre-shared-key 0 lo" },	/* a key, as typed */
	{ CLI_T_IKEV2_PEER, "pe gwC", "peer gwC" },			/* the keyring's */
	{ CLI_T_IKEV2_PROFILE, "mat id rem addr 198.51.100.2 255.255.255.255",
	    "match identity remote address 198.51.100.2 255.255.255.255" },
	{ CLI_T_IKEV2_PROFILE, "mat id rem fq gw.example.net",
	    "match identity remote fqdn gw.example.net" },
	{ CLI_T_IKEV2_PROFILE, "ident loc addr 198.51.100.1",
	    "identity local address 198.51.100.1" },
	{ CLI_T_IKEV2_PROFILE, "auth loc pre", "authentication local pre-share" },
	{ CLI_T_IKEV2_PROFILE, "auth rem pre", "authentication remote pre-share" },
	{ CLI_T_IKEV2_PROFILE, "keyr loc KR", "keyring local KR" },
	{ CLI_T_IKEV2_PROFILE, "life 3600", "lifetime 3600" },
	{ CLI_T_IKEV2_PROFILE, "dpd 10 3 on", "dpd 10 3 on-demand" },
	{ CLI_T_IKEV2_PROFILE, "nat keep 20", "nat keepalive 20" },
	{ CLI_T_IKEV2_PROFILE, "no dpd", "no dpd" },
	{ CLI_T_MAP, "set ikev2 PR", "set ikev2-profile PR" },
	{ CLI_T_MAP, "set pfs group31", "set pfs group31" },
	{ CLI_T_MAP, "set pfs group3", "set pfs group31" },
	/* IKEv1: crypto isakmp, its policy sub-mode, show */
	{ CLI_T_EXEC, "sh cry isa pol", "show crypto isakmp policy" },
	{ CLI_T_EXEC, "sh cry is p", "show crypto isakmp policy" },
	{ CLI_T_CONFIG, "cry isa pol 10", "crypto isakmp policy 10" },
	{ CLI_T_CONFIG, "no cry isa pol 10", "no crypto isakmp policy 10" },
	{ CLI_T_CONFIG, "no cry isa", "no crypto isakmp" },
	{ CLI_T_CONFIG, "cry isa en", "crypto isakmp enable" },
	{ CLI_T_CONFIG, "cry isa key 0 k addr 198.51.100.2 255.255.255.255",
	    "crypto isakmp key 0 k address 198.51.100.2 255.255.255.255" },
	{ CLI_T_CONFIG, "cry isa key ad hostn ad", "crypto isakmp key ad hostname ad" },
	{ CLI_T_CONFIG, "cry isa key 0 0 h h", "crypto isakmp key 0 0 hostname h" },
	{ CLI_T_CONFIG, "cry isa ke", NULL },			/* keepalive, key */
	{ CLI_T_CONFIG, "cry isa keep 10 3 per", "crypto isakmp keepalive 10 3 periodic" },
	{ CLI_T_CONFIG, "cry isa keep 10 on", "crypto isakmp keepalive 10 on-demand" },
	{ CLI_T_CONFIG, "cry isa nat keep 20", "crypto isakmp nat keepalive 20" },
	{ CLI_T_CONFIG, "cry isa ag dis", "crypto isakmp aggressive-mode disable" },
	{ CLI_T_CONFIG, "cry isa ide host", "crypto isakmp identity hostname" },
	{ CLI_T_ISAKMP_POLICY, "enc aes 256", "encryption aes 256" },
	{ CLI_T_ISAKMP_POLICY, "enc 3", "encryption 3des" },
	{ CLI_T_ISAKMP_POLICY, "ha sha", "hash sha" },		/* exact: not sha256 */
	{ CLI_T_ISAKMP_POLICY, "ha sha3", "hash sha384" },
	{ CLI_T_ISAKMP_POLICY, "ha m", "hash md5" },
	{ CLI_T_ISAKMP_POLICY, "auth pre", "authentication pre-share" },
	{ CLI_T_ISAKMP_POLICY, "auth rsa", NULL },		/* rsa-encr, rsa-sig */
	{ CLI_T_ISAKMP_POLICY, "gr 1", "group 1" },		/* exact: not 14 ... */
	{ CLI_T_ISAKMP_POLICY, "gr 2", "group 2" },
	{ CLI_T_ISAKMP_POLICY, "life 600", "lifetime 600" },
	{ CLI_T_ISAKMP_POLICY, "no gr", "no group" },
	{ CLI_T_ISAKMP_POLICY, "cry isa pol 20", "crypto isakmp policy 20" },	/* global */
};

static void
test_abbrev(void)
{
	struct cli_walk *wk = malloc(sizeof(*wk));
	struct gw_err err;
	char out[CLI_LINE_MAX];

	for (size_t i = 0; i < sizeof(abbrev) / sizeof(abbrev[0]); i++) {
		const char *want = abbrev[i].out;

		T_EQ(cli_walk(wk, abbrev[i].t, abbrev[i].in, &err), 0, "%s", abbrev[i].in);
		if (want == NULL) {
			T_EQ(wk->stop, CLI_W_AMBIGUOUS, "\"%s\" is ambiguous", abbrev[i].in);
			continue;
		}
		T_OK(wk->stop != CLI_W_AMBIGUOUS, "\"%s\" is not ambiguous", abbrev[i].in);
		cli_expand(wk, out, sizeof(out));
		T_STREQ(out, want, "tree %d: \"%s\"", abbrev[i].t, abbrev[i].in);
	}
	/* too long, too many words: refused with the reason */
	{
		char big[CLI_LINE_MAX + 10];

		memset(big, 'a', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		T_EQ(cli_walk(wk, CLI_T_CONFIG, big, &err), -1, "overlong line");
		T_OK(has(err.msg, "longer than"), "%s", err.msg);
		memset(big, 0, sizeof(big));
		for (int k = 0; k < CLI_WORDS_MAX + 1; k++)
			strcat(big, "a ");
		T_EQ(cli_walk(wk, CLI_T_CONFIG, big, &err), -1, "too many words");
	}
	free(wk);
}

/* ---- 2. The trees' names are the parser's names ---- */

static void
kw_known(const char *kind, const char *w, void *arg)
{
	bool ok = false;

	(*(int *)arg)++;
	if (strcmp(kind, "protocol") == 0) {
		for (int n = 0; n < 256 && !ok; n++)
			ok = conf_proto_name((uint8_t)n) != NULL &&
			    strcmp(conf_proto_name((uint8_t)n), w) == 0;
		ok |= strcmp(w, "ip") == 0;
	} else if (strcmp(kind, "transform") == 0) {
		for (int x = 0; x < CONF_XF_MAX && !ok; x++)
			ok = strcmp(conf_xf_name((enum conf_xf)x), w) == 0;
	} else if (strcmp(kind, "precedence") == 0) {
		for (int p = 0; p < 8 && !ok; p++)
			ok = strcmp(conf_prec_name(p), w) == 0;
	} else if (strcmp(kind, "tos") == 0) {
		for (int t = 0; t < 16 && !ok; t++)
			ok = conf_tos_name(t) != NULL && strcmp(conf_tos_name(t), w) == 0;
	} else if (strcmp(kind, "pfs") == 0) {
		char text[256];
		struct gw_err err;
		struct conf *c;

		snprintf(text, sizeof(text), "crypto map m 1 ipsec-isakmp\n set pfs %s\n", w);
		ok = (c = conf_parse_text(text, NULL, &err)) != NULL;
		conf_free(c);
	} else if (strncmp(kind, "ikev2-", 6) == 0) {
		static const char *const cmds[] = { "encryption", "integrity", "prf", "group" };
		char text[256];
		struct gw_err err;
		struct conf *c;
		int n_ok = 0;

		/* each word is taken by the commands of its kind (hash: integrity and prf) */
		for (size_t k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++) {
			snprintf(text, sizeof(text), "crypto ikev2 proposal p\n %s %s\n",
			    cmds[k], w);
			n_ok += (c = conf_parse_text(text, NULL, &err)) != NULL;
			conf_free(c);
		}
		ok = n_ok == (strcmp(kind, "ikev2-hash") == 0 ? 2 : 1);
	} else if (strncmp(kind, "isakmp-", 7) == 0) {
		char text[256];
		struct gw_err err;
		struct conf *c;

		snprintf(text, sizeof(text), "crypto isakmp policy 1\n %s %s\n", kind + 7, w);
		ok = (c = conf_parse_text(text, NULL, &err)) != NULL;
		conf_free(c);
	}
	T_OK(ok, "the tree's %s \"%s\" is one the parser knows", kind, w);
}

struct seen { const char *kind, *w; bool found; };

static void
kw_seen(const char *kind, const char *w, void *arg)
{
	struct seen *s = arg;

	s->found |= strcmp(kind, s->kind) == 0 && strcmp(w, s->w) == 0;
}

static void
tree_has(const char *kind, const char *w)
{
	struct seen s = { kind, w, false };

	cli_kw_foreach(kw_seen, &s);
	T_OK(s.found, "the parser's %s \"%s\" is in the tree", kind, w);
}

static void
test_names(void)
{
	int n = 0;

	cli_kw_foreach(kw_known, &n);
	T_OK(n > 40, "%d names checked", n);
	for (int x = 0; x < CONF_XF_MAX; x++)
		tree_has("transform", conf_xf_name((enum conf_xf)x));
	for (int p = 1; p < 256; p++)
		if (conf_proto_name((uint8_t)p) != NULL)
			tree_has("protocol", conf_proto_name((uint8_t)p));
	for (int p = 0; p < 8; p++)
		tree_has("precedence", conf_prec_name(p));
	for (int t = 0; t < 16; t++)
		if (conf_tos_name(t) != NULL)
			tree_has("tos", conf_tos_name(t));
	for (int e = CONF_ISAKMP_DES; e <= CONF_ISAKMP_AES; e++)
		tree_has("isakmp-encryption", conf_isakmp_encr_name((enum conf_isakmp_encr)e));
	for (int h = CONF_ISAKMP_SHA; h <= CONF_ISAKMP_SHA512; h++)
		tree_has("isakmp-hash", conf_isakmp_hash_name((enum conf_isakmp_hash)h));
	for (unsigned g = 1; g < 256; g++)
		if (conf_isakmp_group_ok(g)) {
			char b[4];

			snprintf(b, sizeof(b), "%u", g);
			tree_has("isakmp-group", b);
		}
}

/* ---- 3. Help and completion ---- */

static const char help_show_ipsec[] =
	"  sa                    IPSEC SA table\n"
	"  security-association  Show parameters for IPSEC security associations\n"
	"  transform-set         Crypto transform sets\n";

static const char help_show_sa[] =
	"  address   IPSEC SA table, by destination address\n"
	"  detail    Every counter, the owning worker\n"
	"  identity  IPSEC SADB identities (flows) only\n"
	"  map       IPSEC SAs of a crypto map set\n"
	"  peer      IPSEC SAs with a peer\n"
	"  <cr>\n";

static const char help_map_seq[] =
	"  <1-65535>      Sequence to insert into crypto map entry\n"
	"  local-address  Interface to use for local address for this crypto map\n";

static const char help_set[] =
	"  ikev2-profile         Specify ikev2 Profile\n"
	"  nat-t                 NAT traversal for a manual peer (not IOS 11.3)\n"
	"  peer                  Allowed encryption/decryption peer\n"
	"  pfs                   Specify pfs settings\n"
	"  security-association  Security association parameters\n"
	"  session-key           Specify a session key (ipsec-manual)\n"
	"  transform-set         Specify list of transform sets in priority order\n";

static const char help_if[] =
	"  abort        Leave configuration mode, discarding this session\n"
	"  access-list  Add an access list entry\n"
	"  crypto       Encryption/decryption commands\n"
	"  description  Interface specific description\n"
	"  do           Run an exec command (on the running configuration)\n"
	"  end          Exit configuration mode, applying the session (all or nothing)\n"
	"  exit         Exit from this mode (from global configuration: as end)\n"
	"  hostname     Set the system's network name\n"
	"  interface    Select an interface to configure\n"
	"  ip           Interface Internet Protocol config commands\n"
	"  logging      Modify message logging facilities\n"
	"  no           Negate a command or set its defaults\n"
	"  shutdown     Shutdown the selected interface\n";

static void
test_help(void)
{
	const char *o;

	T_STREQ(req("h", "show crypto ipsec ?"), help_show_ipsec, "show crypto ipsec ?");
	T_OK(rep.ok, "help is ok");
	T_STREQ(req("h", "sh cry ips sa ?"), help_show_sa, "sh cry ips sa ?");
	T_STREQ(req("h", "sh cry ips sa peer ?"),
	    "  A.B.C.D  Peer address\n", "a parameter");
	T_STREQ(req("h", "sh cry ips sa peer 198.51.100.2 ?"), help_show_sa, "loops, with <cr>");
	T_STREQ(req("h", "sh cr?"), "crypto\n", "partial: the words it may abbreviate");
	T_STREQ(req("h", "s?"), "show\n", "partial");
	T_STREQ(req("h", "c?"), "clear  configure  copy  crypto\n", "partial, several");
	o = req("h", "?");
	T_OK(has(o, "  configure  Enter configuration mode\n"), "%s", o);
	T_OK(has(o, "  write      Write the running configuration to the startup file\n"), "%s",
	    o);
	T_STREQ(req("h", "frob ?"), "% Unrecognized command\n", "bad prefix");
	T_OK(!rep.ok, "bad prefix: not ok");
	T_STREQ(req("h", "sh cry ips s ?"), "% Ambiguous command: \"sh cry ips s \"\n",
	    "ambiguous prefix");
	T_STREQ(req("h", "clear crypto sa entry ?"),
	    "  A.B.C.D  Destination address of the SA\n", "clear entry");
	T_STREQ(req("h", "clear crypto sa entry 198.51.100.1 esp ?"),
	    "  <256-4294967295>  Security Parameter Index\n", "clear entry spi");

	/* in every mode, and help is never a line of the session */
	req("h", "configure terminal");
	T_STREQ(req("h", "crypto map vpn ?"), help_map_seq, "crypto map NAME ?");
	T_STREQ(rep.prompt, "gwA(config)#", "help keeps the mode");
	o = req("h", "?");
	T_OK(has(o, "  crypto       Encryption module\n") && has(o, "  end ") &&
	    has(o, "  abort ") && !has(o, "  show "), "config ?: %s", o);
	req("h", "crypto map vpn 10");
	T_STREQ(req("h", "set ?"), help_set, "config-crypto-map: set ?");
	T_STREQ(req("h", "description ?"),
	    "  LINE  Up to 240 characters describing this crypto map\n", "text parameter");
	T_STREQ(req("h", "description some text ?"),
	    "  LINE  Up to 240 characters describing this crypto map\n  <cr>\n", "inside text");
	T_STREQ(req("h", "set pfs ?"),
	    "  group1   D-H Group1 (768-bit modulus)\n"
	    "  group14  D-H Group14 (2048-bit modulus)\n"
	    "  group15  D-H Group15 (3072-bit modulus)\n"
	    "  group16  D-H Group16 (4096-bit modulus)\n"
	    "  group19  D-H Group19 (256-bit elliptic curve)\n"
	    "  group2   D-H Group2 (1024-bit modulus)\n"
	    "  group20  D-H Group20 (384-bit elliptic curve)\n"
	    "  group21  D-H Group21 (521-bit elliptic curve)\n"
	    "  group31  D-H Group31 (Curve25519, IKEv2; not an IOS name)\n"
	    "  group5   D-H Group5 (1536-bit modulus)\n"
	    "  <cr>\n", "set pfs ?");
	req("h", "interface wan0");
	T_STREQ(req("h", "?"), help_if, "config-if ?");
	T_STREQ(req("h", "ip ?"),
	    "  access-list  Named access list\n"
	    "  address      Set the IP address of an interface\n", "config-if: ip ?");
	o = req("h", "access-list 101 permit tcp any eq ?");
	T_OK(has(o, "  <0-65535>      Port number\n") && has(o, "  www            tcp (80)\n") &&
	    has(o, "  domain         tcp/udp (53)\n") &&
	    has(o, "  isakmp         udp (500)\n"), "ports: %s", o);
	o = req("h", "access-list 101 permit ip any any ?");
	T_OK(has(o, "  log ") && has(o, "  precedence ") && has(o, "  tos ") &&
	    has(o, "  <cr>\n") && !has(o, "  eq "), "ip: no ports: %s", o);
	req("h", "end");
	T_STREQ(rep.prompt, "gwA#", "help lines were not lines of the session");
	T_OK(rep.ok, "a session of help only commits nothing and fails nothing");
}

static void
test_complete(void)
{
	const char *o;

	complete("c", "sh");
	T_STREQ(rep.completion, "show ", "sh: show");
	complete("c", "sho");
	T_STREQ(rep.completion, "show ", "unique: completed, and a space");
	complete("c", "show cr");
	T_STREQ(rep.completion, "show crypto ", "second word");
	complete("c", "SHOW CRYPTO IPS");
	T_STREQ(rep.completion, "SHOW CRYPTO ipsec ", "keeps what was typed");
	o = complete("c", "show crypto ipsec s");
	T_STREQ(rep.completion, "show crypto ipsec s", "ambiguous: unchanged");
	T_STREQ(o, "sa  security-association\n", "ambiguous: the choices");
	complete("c", "show crypto ipsec se");
	T_STREQ(rep.completion, "show crypto ipsec security-association ", "unique");
	complete("c", "cop");
	T_STREQ(rep.completion, "copy ", "copy");
	complete("c", "co");
	T_STREQ(rep.completion, "co", "configure, copy");
	complete("c", "cl cry sa e");
	T_STREQ(rep.completion, "cl cry sa entry ", "clear ... entry");
	complete("c", "frob");
	T_STREQ(rep.completion, "frob", "nothing fits");
	T_OK(!rep.ok, "nothing fits: not ok");
	req("c", "conf t");
	complete("c", "cry map vpn 10 ipsec-m");
	T_STREQ(rep.completion, "cry map vpn 10 ipsec-manual ", "config mode");
	complete("c", "cry ips trans T esp-s");
	T_STREQ(rep.completion, "cry ips trans T esp-sha", "common prefix");
	req("c", "crypto map vpn 10");
	o = complete("c", "set pfs group1");
	T_STREQ(rep.completion, "set pfs group1", "group1 is a prefix of others");
	T_STREQ(o, "group1  group14  group15  group16  group19\n", "choices");
	complete("c", "set sess");
	T_STREQ(rep.completion, "set session-key ", "sub-mode");
	req("c", "abort");
}

/* ---- 4. Modes, prompts, sessions ---- */

static struct conf *
running_copy(void)
{
	return conf_dup(cd.conf.running);
}

static void
test_modes(void)
{
	struct conf *before = running_copy();
	uint64_t gen = cd.link.gen;
	const char *o;

	req("m", "");
	T_STREQ(rep.prompt, "gwA#", "exec prompt");
	T_STREQ(rep.mode, "exec", "exec mode");
	T_OK(rep.ok, "empty line");
	o = req("m", "conf t");
	T_STREQ(o, "Enter configuration commands, one per line.  End with CNTL/Z.\n", "banner");
	T_STREQ(rep.prompt, "gwA(config)#", "config prompt");
	T_STREQ(rep.mode, "config", "config mode");
	req("m", "conf t");
	T_OK(!rep.ok, "configure inside config mode is refused");
	req("m", "crypto map vpn 10");
	T_STREQ(rep.prompt, "gwA(config-crypto-map)#", "map sub-mode");
	req("m", "interface wan0");
	T_STREQ(rep.prompt, "gwA(config-if)#", "a global command leaves the sub-mode");
	req("m", "exit");
	T_STREQ(rep.prompt, "gwA(config)#", "exit: back to global configuration");
	req("m", "crypto ipsec transform-set T2 esp-aes esp-sha-hmac");
	T_STREQ(rep.prompt, "gwA(cfg-crypto-trans)#", "transform sub-mode");
	req("m", "ip access-list extended foo");
	T_STREQ(rep.prompt, "gwA(config-ext-nacl)#", "access list sub-mode");
	req("m", "hostname gwQ");
	T_STREQ(rep.prompt, "gwQ(config)#", "the candidate's hostname shows at once");
	o = req("m", "do show running-config");
	T_OK(rep.ok && has(o, "hostname gwA\n"), "do: exec command on the running config");
	T_STREQ(rep.prompt, "gwQ(config)#", "do keeps the mode");
	o = req("m", "abort");
	T_STREQ(o, "% Session aborted: nothing applied.\n", "abort");
	T_STREQ(rep.prompt, "gwA#", "abort: back to exec");
	T_OK(conf_equal(cd.conf.running, before), "abort applied nothing");
	T_EQ(cd.link.gen, gen, "abort: no new generation");
	T_EQ(cd.cli.n_sess, 0, "abort ends the session");

	req("m", "exit");
	T_OK(rep.quit && rep.ok, "exit in exec mode closes");
	req("m", "quit");
	T_OK(rep.quit, "quit");
	o = req("m", "frob");
	T_STREQ(o, "    ^\n% Invalid input detected at '^' marker.\n% 'frob': not a word this command takes here (try \"?\" or \"help\")\n", "unknown");
	T_OK(!rep.ok, "unknown: not ok");
	T_STREQ(req("m", "show"), "% Incomplete command.\n", "incomplete");
	T_STREQ(req("m", "sh cry ips s"), "% Ambiguous command: \"sh cry ips s\"\n", "ambiguous");
	T_STREQ(req("m", "show crypto ipsec sa peer nope"),
	    "                              ^\n% Invalid input detected at '^' marker.\n% 'nope': not a word this command takes here (try \"?\" or \"help\")\n", "bad parameter");
	T_STREQ(req("m", "! a comment"), "", "comment");
	T_OK(rep.ok, "comment ok");
	req("m", "debug crypto ipsec");
	T_OK(cd.link.debug_ipsec, "debug crypto ipsec");
	T_STREQ(req("m", "no deb cry ips"), "Crypto IPSEC debugging is off\n", "no debug");
	T_OK(!cd.link.debug_ipsec, "no debug crypto ipsec");
	req("m", "debug crypto ipsec");
	req("m", "undebug all");
	T_OK(!cd.link.debug_ipsec, "undebug all");
	o = req("m", "help");
	T_OK(has(o, "clear crypto sa [peer A | map NAME | entry DEST-ADDR {ah|esp} SPI]"), "help");
	conf_free(before);
}

static void
test_bad_session(void)
{
	struct conf *before = running_copy();
	uint64_t gen = cd.link.gen;
	const char *o;

	/* typed lines: each refused one answered at once, IOS's way, and left out */
	req("b", "configure terminal");
	req("b", "hostname gwB");
	T_OK(rep.ok, "a good line");
	o = req("b", "crypto map vpn 10 ipsec-manaul");
	T_OK(!rep.ok, "a refused line");
	T_STREQ(o, "                              ^\n"
	    "% Invalid input detected at '^' marker.\n"
	    "% crypto map vpn 10: \"ipsec-manaul\": expected ipsec-manual or ipsec-isakmp\n",
	    "the caret under the word (12 of prompt + 18), and why");
	T_STREQ(rep.prompt, "gwB(config)#", "a refused line changes no mode");
	o = req("b", "cry\tmap vpn 10 ipsec-manaul");
	T_OK(strncmp(o, "               \t           ^\n", 28) == 0,
	    "a tab before the word is kept: %s", o);
	req("b", "crypto map vpn 10");
	o = req("b", "set s");
	T_STREQ(o, "% Ambiguous command: \"set s\"\n", "ambiguous is refused");
	T_OK(!rep.ok, "ambiguous: not ok");
	o = req("b", "set peer 198.51.100.7");
	T_OK(!rep.ok, "second peer of a manual entry refused");
	T_OK(has(o, "% crypto map vpn 10: set peer 198.51.100.7: an ipsec-manual entry has one "
	    "peer"), "why: %s", o);
	o = req("b", "match");
	T_OK(has(o, "% Incomplete command.\n"), "incomplete: %s", o);
	o = req("b", "configure terminal");
	T_OK(!rep.ok && has(o, "% Invalid input detected at '^' marker.\n"),
	    "configure terminal in config mode: refused, harmless: %s", o);
	T_STREQ(rep.prompt, "gwB(config-crypto-map)#", "the session goes on");
	o = req("b", "do show users");
	T_OK(has(o, "      8       6\n"), "show users counts the refused lines: %s", o);
	req("b", "abort");
	T_OK(conf_equal(cd.conf.running, before), "nothing applied");

	/* numbered lines (a file): all or nothing */
	reqn("b", "configure terminal", 1);
	reqn("b", "hostname gwB", 2);
	o = reqn("b", "crypto map vpn 10 ipsec-manaul", 3);
	T_STREQ(o, "% Invalid input detected at 'ipsec-manaul' (line 3): crypto map vpn 10: "
	    "\"ipsec-manaul\": expected ipsec-manual or ipsec-isakmp\n"
	    "% Because of this, \"end\" will apply nothing of this session; \"abort\" "
	    "leaves it.\n",
	    "the word and why");
	reqn("b", "crypto map vpn 10", 4);
	o = reqn("b", "set s", 5);
	T_STREQ(o, "% Ambiguous command: \"set s\" (line 5)\n", "ambiguous is refused");
	reqn("b", "set peer 198.51.100.7", 6);
	reqn("b", "no set peer", 7);
	reqn("b", "set peer 198.51.100.7", 8);
	T_OK(rep.ok, "good lines go on");
	o = reqn("b", "end", 9);
	T_OK(!rep.ok, "end fails");
	T_STREQ(o, "% Nothing applied: 3 lines of this session were refused:\n"
	    "%   line 3: crypto map vpn 10: \"ipsec-manaul\": expected ipsec-manual or "
	    "ipsec-isakmp\n"
	    "%   line 5: ambiguous command: \"set s\" (\"s\" abbreviates more than one keyword)\n"
	    "%   line 6: crypto map vpn 10: set peer 198.51.100.7: an ipsec-manual entry has one "
	    "peer; remove the other first (no set peer)\n"
	    "% The running configuration is unchanged.\n", "the report");
	T_STREQ(rep.prompt, "gwA#", "back to exec, old hostname");
	T_OK(conf_equal(cd.conf.running, before), "nothing applied");
	T_EQ(cd.link.gen, gen, "no new generation");

	/* numbered lines (gwctl -f): the client's numbers */
	{
		struct cli_req q = { .line = "configure terminal" };
		char *t = NULL;
		size_t len;
		FILE *f = open_memstream(&t, &len);

		cli_request(&cd, "n", 1, &q, &rep, f, now_ms);
		q.line = "crypto map vpn 10 ipsec-bogus";
		q.lineno = 40;
		cli_request(&cd, "n", 1, &q, &rep, f, now_ms);
		q.line = "end";
		q.lineno = 50;
		cli_request(&cd, "n", 1, &q, &rep, f, now_ms);
		fclose(f);
		T_OK(has(t, "% Invalid input detected at 'ipsec-bogus' (line 40): "), "%s", t);
		T_OK(has(t, "%   line 40: crypto map vpn 10: \"ipsec-bogus\""), "%s", t);
		free(t);
	}

	/* an ambiguous word echoes the words up to it, never what follows (keys) */
	req("b", "conf t");
	req("b", "crypto map vpn 10");
	o = req("b", "set s inbound esp 300 cipher 00112233445566778899aabbccddeeff");
	T_STREQ(o, "% Ambiguous command: \"set s\"\n", "ambiguous, with a key after");
	o = req("b", "end");
	T_OK(!has(o, "00112233"), "no key in the report: %s", o);

	/* parses, but does not validate */
	req("b", "conf t");
	req("b", "crypto map vpn 10");
	req("b", "set transform-set NOPE");
	T_OK(rep.ok, "the parser takes it");
	o = req("b", "end");
	T_OK(!rep.ok, "validation refuses");
	T_STREQ(o, "% Nothing applied: line 2 of this session: crypto map vpn 10: transform set "
	    "NOPE is not defined\n% The running configuration is unchanged.\n",
	    "validation report");
	T_OK(conf_equal(cd.conf.running, before), "nothing applied");

	/* an incomplete ipsec-isakmp entry in an applied set: accepted, disabled, with IOS's
	 * NOTE (then removed again, for what follows) */
	req("b", "conf t");
	req("b", "cry map vpn 20 ipsec-isakmp");
	T_STREQ(rep.prompt, "gwA(config-crypto-map)#", "isakmp entry");
	o = req("b", "exit");
	T_STREQ(rep.prompt, "gwA(config)#", "exit from the sub-mode");
	o = req("b", "exit");
	T_OK(has(o, "% Warning: crypto map vpn 20: NOTE: this crypto map entry will "
	    "remain disabled until a peer, a valid access list and a transform set have been "
	    "configured (no match address)\n"), "incomplete entry: %s", o);
	T_OK(rep.ok, "incomplete entry: accepted");
	T_STREQ(rep.prompt, "gwA#", "exit from global configuration ends the session");
	req("b", "conf t");
	req("b", "no crypto map vpn 20");
	req("b", "end");
	T_OK(conf_equal(cd.conf.running, before), "removed again");
	gen = cd.link.gen;

	/* garbage of every kind */
	{
		static const char *const junk[] = {
			"", "   ", "!", "no", "no no", "end now", "exit 1", "interface",
			"crypto", "crypto map", "crypto map vpn 0", "crypto map vpn 65536",
			"access-list 99 permit ip any any", "access-list 101 permit ip any",
			"ip access-list standard x", "set peer 1.2.3.4", "\x01\x02", "hostname 9x",
			"crypto ipsec transform-set T esp-null", "description \xff\xfe",
			"crypto map vpn 10 ipsec-isakmp", "no interface wan0", "do frob",
			"do configure terminal",
		};

		/* typed: each refused or taken, the session survives; abort */
		req("b", "conf t");
		for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
			req("b", junk[i]);
		T_EQ(cd.cli.n_sess, 1, "junk: the session survives");
		req("b", "abort");
		/* numbered: end applies nothing */
		reqn("b", "conf t", 1);
		for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
			reqn("b", junk[i], (unsigned)i + 2);
		o = reqn("b", "end", 99);
		T_OK(!rep.ok, "junk: nothing applied: %s", o);
		T_OK(conf_equal(cd.conf.running, before), "running config survives the junk");
		T_EQ(cd.link.gen, gen, "no new generation");
	}
	conf_free(before);
}

static void
test_good_session(void)
{
	uint64_t gen = cd.link.gen;
	struct gw_err err;
	struct conf *want;
	char *text;
	const char *o;
	size_t len;
	FILE *f;

	req("g", "conf t");
	req("g", "cry map vpn 10");
	req("g", "desc   to gwB,  manual");
	req("g", "no set pe");
	req("g", "set pe 198.51.100.9");
	o = req("g", "do show users");
	T_OK(has(o, "*   67             config-crypto-map       0:00:00      4       0\n"),
	    "show users: %s", o);
	req("g", "acc 102 rem  the isakmp entry");
	o = req("g", "end");
	T_OK(rep.ok, "end applies: %s", o);
	T_STREQ(o, "", "silent on success");
	T_STREQ(rep.prompt, "gwA#", "exec again");
	T_EQ(cd.link.gen, gen + 1, "a new generation");
	f = open_memstream(&text, &len);
	fputs(demo_conf, f);
	fputs("crypto map vpn 10\n no set peer\n set peer 198.51.100.9\n"
	    " description to gwB,  manual\naccess-list 102 remark  the isakmp entry\n", f);
	fclose(f);
	want = conf_parse_text(text, NULL, &err);
	T_OK(want != NULL && conf_equal(cd.conf.running, want),
	    "the running config is the session's");
	conf_free(want);
	free(text);

	/* a file's line ending in "?" is text (gwctl -f: literal); a typed one asks for help */
	{
		struct cli_req q = { .line = "conf t", .literal = true };
		char *t = NULL;
		size_t tlen;
		FILE *tf = open_memstream(&t, &tlen);

		cli_request(&cd, "lit", 3, &q, &rep, tf, now_ms);
		q.line = "access-list 102 remark why?";
		cli_request(&cd, "lit", 3, &q, &rep, tf, now_ms);
		q.line = "end";
		cli_request(&cd, "lit", 3, &q, &rep, tf, now_ms);
		fclose(tf);
		T_OK(rep.ok, "literal: applied: %s", t);
		{
			struct conf_acl *a = conf_acl_find(cd.conf.running, "102");

			T_STREQ(a->aces[a->n_aces - 1].remark, "why?", "the remark");
		}
		free(t);
	}
	req("g", "conf t");
	o = req("g", "access-list 102 remark what?");
	T_STREQ(o, "LINE\n", "typed: help");
	T_EQ(cd.cli.n_sess, 1, "help is no line of the session");
	req("g", "abort");

	/* exit from global configuration commits too; an unchanged session is no generation */
	gen = cd.link.gen;
	req("g", "conf t");
	req("g", "hostname gwA");
	req("g", "exit");
	T_OK(rep.ok, "exit commits");
	T_EQ(cd.link.gen, gen, "no change, no new generation");
}

/* Two operators at once: each commit lands on what the other applied (lines replayed). */
static void
test_concurrent(void)
{
	struct conf *before;
	const char *o;

	req("op1", "conf t");
	req("op2", "conf t");
	T_EQ(cd.cli.n_sess, 2, "two sessions");
	req("op1", "hostname gwC");
	req("op2", "crypto map vpn 10");
	T_STREQ(rep.prompt, "gwA(config-crypto-map)#", "op2 has its own candidate");
	req("op2", "set security-association lifetime seconds 900");
	T_OK(!rep.ok, "manual entries take no SA lifetime");
	req("op2", "abort");
	req("op2", "conf t");
	req("op2", "crypto map vpn 10");
	req("op2", "description from op2");
	req("op1", "end");
	T_OK(rep.ok && strcmp(cd.conf.running->hostname, "gwC") == 0, "op1 applied");
	o = req("op2", "end");
	T_OK(rep.ok, "op2 applied: %s", o);
	T_STREQ(cd.conf.running->hostname, "gwC", "op1's change kept");
	T_STREQ(conf_map_entry_find(conf_map_find(cd.conf.running, "vpn"), 10)->description,
	    "from op2", "op2's change applied");

	/* a session whose lines no longer apply to the new running configuration */
	before = NULL;
	req("op1", "conf t");
	req("op2", "conf t");
	req("op2", "crypto map vpn 20 ipsec-manual");
	req("op1", "crypto map vpn 20 ipsec-isakmp");
	req("op1", "match address 102");
	req("op1", "set peer 203.0.113.2");
	req("op1", "set transform-set AES-SHA");
	o = req("op1", "end");
	T_OK(rep.ok, "op1: isakmp entry 20: %s", o);
	before = running_copy();
	o = req("op2", "end");
	T_OK(!rep.ok, "op2 refused");
	T_STREQ(o, "% Nothing applied: the running configuration changed while this session "
	    "was open,\n% and line 1 of this session no longer applies: crypto map vpn 20: is ipsec-isakmp; "
	    "remove it (no crypto map vpn 20) to change its type\n"
	    "% The running configuration is unchanged.\n", "why");
	T_OK(conf_equal(cd.conf.running, before), "unchanged");
	conf_free(before);
	T_EQ(cd.cli.n_sess, 0, "no session left");
}

static void
test_idle(void)
{
	struct cli_req q = { .line = "hostname gwI", .mode = "config" };
	const char *t;

	req("idle", "conf t");
	req("idle", "hostname gwI");
	cli_sweep(&cd, now_ms + CLI_IDLE_MS - 1);
	T_EQ(cd.cli.n_sess, 1, "kept before 10 minutes");
	cli_sweep(&cd, now_ms + CLI_IDLE_MS);
	T_EQ(cd.cli.n_sess, 0, "dropped after 10 minutes of silence");
	t = request("idle", &q, now_ms + CLI_IDLE_MS);
	T_OK(!rep.ok, "a line for a dropped session fails");
	T_STREQ(t, "% Your configuration session is gone (idle for 10 minutes, or controld "
	    "restarted):\n% nothing of it was applied.\n", "and says why");
	T_STREQ(rep.mode, "exec", "the client is back in exec mode");
	T_STREQ(cd.conf.running->hostname, "gwC", "nothing applied");

	/* the session limit */
	for (int i = 0; i < CLI_SESSIONS_MAX; i++) {
		char id[16];

		snprintf(id, sizeof(id), "s%d", i);
		req(id, "conf t");
	}
	T_EQ(cd.cli.n_sess, CLI_SESSIONS_MAX, "full");
	T_OK(has(req("one-more", "conf t"), "configuration sessions are open already"), "limit");
	T_OK(!rep.ok, "limit: not ok");
	cli_sweep(&cd, now_ms + CLI_IDLE_MS);
	T_EQ(cd.cli.n_sess, 0, "all dropped");
}

/* ---- 5. write memory, show startup-config ---- */

static int
files_in(const char *d)
{
	struct dirent **names;
	int n = scandir(d, &names, NULL, NULL);

	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return n - 2;
}

static void
test_write(void)
{
	struct gw_err err;
	struct conf *back;
	struct stat st;
	char link[160], *saved;
	const char *o;

	chmod(path, 0640);
	o = req("w", "wr mem");
	T_OK(rep.ok, "write memory: %s", o);
	T_OK(strncmp(o, "Building configuration...\n[OK] /tmp/cli_test.", 42) == 0, "layout: %s",
	    o);
	back = conf_parse_file(path, &err);
	T_OK(back != NULL && conf_equal(back, cd.conf.running), "the file parses back equal");
	conf_free(back);
	T_EQ(files_in(dir), 1, "no temporary file left");
	T_EQ(stat(path, &st), 0, "stat");
	T_EQ(st.st_mode & 0777, 0640, "mode kept");
	o = req("w", "show startup-config");
	T_OK(rep.ok && has(o, "hostname gwC\n") && has(o, "end\n"), "show startup-config: %s", o);

	/* copy running-config startup-config, through a symbolic link */
	snprintf(link, sizeof(link), "%s/link.conf", dir);
	T_EQ(symlink("startup.conf", link), 0, "symlink");
	saved = (char *)cd.conf.path;
	cd.conf.path = link;
	req("w", "conf t");
	req("w", "hostname gwL");
	req("w", "end");
	req("w", "copy running-config startup-config");
	T_OK(rep.ok, "copy run start");
	T_EQ(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), 1, "the link stays a link");
	back = conf_parse_file(path, &err);
	T_OK(back != NULL && strcmp(back->hostname, "gwL") == 0, "its target was replaced");
	conf_free(back);
	unlink(link);

	/* a directory that does not exist: refused, nothing written */
	cd.conf.path = "/nonexistent-dir-of-cli-test/startup.conf";
	o = req("w", "write memory");
	T_OK(!rep.ok && has(o, "% write memory: not saved"), "%s", o);
	cd.conf.path = saved;
	o = req("w", "show startup-config");
	T_OK(rep.ok && has(o, "hostname gwL\n"), "still the saved one");
}

/* ---- 6. clear crypto sa ---- */

/* show.c's layout, with the counts of one worker (IOS 11.3 "show crypto ipsec sa"). */
static const char show_sa_golden[] =
	"\n"
	"interface: wan0\n"
	"    Crypto map tag: vpn, local addr. 198.51.100.1\n"
	"\n"
	"   local  ident (addr/mask/prot/port): (192.0.2.0/255.255.255.128/0/0)\n"
	"   remote ident (addr/mask/prot/port): (192.0.2.128/255.255.255.128/0/0)\n"
	"   current_peer: 198.51.100.2\n"
	"     PERMIT, flags={origin_is_acl,}\n"
	"    #pkts encaps: 10, #pkts encrypt: 10, #pkts digest 10\n"
	"    #pkts decaps: 7, #pkts decrypt: 7, #pkts verify 7\n"
	"    #send errors 0, #recv errors 2\n"
	"\n"
	"     local crypto endpt.: 198.51.100.1, remote crypto endpt.: 198.51.100.2\n"
	"     path mtu 1500, media mtu 1500\n"
	"     current outbound spi: 3E8\n"
	"\n"
	"     inbound esp sas:\n"
	"      spi: 0x3E9(1001)\n"
	"        transform: esp-aes 256 esp-sha-hmac ,\n"
	"        in use settings ={Tunnel, }\n"
	"        slot: 0, conn id: 2157, crypto map: vpn\n"
	"        no sa timing\n"
	"        IV size: 16 bytes\n"
	"        replay detection support: N\n"
	"        owner: (no worker)\n"
	"        #pkts: 7, #bytes: 700, highest seq: 7\n"
	"        errors: replay 2\n"
	"\n"
	"\n"
	"     inbound ah sas:\n"
	"\n"
	"     outbound esp sas:\n"
	"      spi: 0x3E8(1000)\n"
	"        transform: esp-aes 256 esp-sha-hmac ,\n"
	"        in use settings ={Tunnel, }\n"
	"        slot: 0, conn id: 3571, crypto map: vpn\n"
	"        no sa timing\n"
	"        IV size: 16 bytes\n"
	"        replay detection support: N\n"
	"        #pkts: 10, #bytes: 1000, last seq sent: 10\n"
	"\n"
	"\n"
	"     outbound ah sas:\n"
	"\n"
	"\n"
	"Packets dropped outside any SA (all workers):\n"
	"    #pkts unprotected (cleartext matching a permit): 0\n"
	"    #pkts permitted but no outbound SA: 0\n"
	"    #pkts with an unknown SPI: 0\n";

/* The same SAs in the IOS 12.4/15 layout, after "clear crypto sa" (counts 10 and 3). */
static const char show_sa15_golden[] =
	"interface: wan0\n"
	"    Crypto map tag: vpn, local addr 198.51.100.1\n"
	"\n"
	"   protected vrf: (none)\n"
	"   local  ident (addr/mask/prot/port): (192.0.2.0/255.255.255.128/0/0)\n"
	"   remote ident (addr/mask/prot/port): (192.0.2.128/255.255.255.128/0/0)\n"
	"   current_peer 198.51.100.2 port 500\n"
	"     PERMIT, flags={origin_is_acl,}\n"
	"    #pkts encaps: 10, #pkts encrypt: 10, #pkts digest: 10\n"
	"    #pkts decaps: 3, #pkts decrypt: 3, #pkts verify: 3\n"
	"    #pkts compressed: 0, #pkts decompressed: 0\n"
	"    #pkts not compressed: 0, #pkts compr. failed: 0\n"
	"    #pkts not decompressed: 0, #pkts decompress failed: 0\n"
	"    #send errors 0, #recv errors 1\n"
	"\n"
	"     local crypto endpt.: 198.51.100.1, remote crypto endpt.: 198.51.100.2\n"
	"     plaintext mtu 1438, path mtu 1500, ip mtu 1500, ip mtu idb wan0\n"
	"     current outbound spi: 0x3E8(1000)\n"
	"     PFS (Y/N): N, DH group: none\n"
	"\n"
	"     inbound esp sas:\n"
	"      spi: 0x3E9(1001)\n"
	"        transform: esp-256-aes esp-sha-hmac ,\n"
	"        in use settings ={Tunnel, }\n"
	"        conn id: 2157, flow_id: SW:157, sibling_flags 80000040, crypto map: vpn\n"
	"        sa timing: remaining key lifetime (k/sec): (0/0)\n"
	"        IV size: 16 bytes\n"
	"        replay detection support: N\n"
	"        Status: ACTIVE(ACTIVE)\n"
	"\n"
	"     inbound ah sas:\n"
	"\n"
	"     inbound pcp sas:\n"
	"\n"
	"     outbound esp sas:\n"
	"      spi: 0x3E8(1000)\n"
	"        transform: esp-256-aes esp-sha-hmac ,\n"
	"        in use settings ={Tunnel, }\n"
	"        conn id: 2571, flow_id: SW:571, sibling_flags 80000040, crypto map: vpn\n"
	"        sa timing: remaining key lifetime (k/sec): (0/0)\n"
	"        IV size: 16 bytes\n"
	"        replay detection support: N\n"
	"        Status: ACTIVE(ACTIVE)\n"
	"\n"
	"     outbound ah sas:\n"
	"\n"
	"     outbound pcp sas:\n";

static struct sa *
sa_of(bool inbound)
{
	for (size_t i = 0; i < cd.sad.n; i++)
		if (cd.sad.v[i]->inbound == inbound && cd.sad.v[i]->map[0] == 'v')
			return cd.sad.v[i];
	return NULL;
}

static uint64_t
shown(const char *what)
{
	const char *o = req("x", "show crypto ipsec sa"), *p = strstr(o, what);

	return p != NULL ? strtoull(p + strlen(what), NULL, 10) : (uint64_t)-1;
}

static void
test_clear(void)
{
	struct worker_rec *w = &cd.link.w[0];
	struct sa_stat *so, *si;	/* worker 0's counts of the outbound and inbound SA */
	const char *o;

	/* back to the demo configuration, with counts from a worker */
	req("x", "conf t");
	req("x", "no crypto map vpn 20");
	req("x", "crypto map vpn 10");
	req("x", "no set peer");
	req("x", "set peer 198.51.100.2");
	req("x", "crypto ipsec show-layout 11.3");	/* show_sa_golden is the 11.3 layout's */
	req("x", "end");
	T_OK(rep.ok, "demo again");
	w->rid_len = 1;
	snprintf(w->id, sizeof(w->id), "w1");
	so = sa_count(sa_of(false), 0, true);
	si = sa_count(sa_of(true), 0, true);
	*so = (struct sa_stat){ .pkts = 10, .bytes = 1000, .seq_top = 10 };
	*si = (struct sa_stat){ .pkts = 7, .bytes = 700, .seq_top = 7 };
	si->drops[DROP_REPLAY] = 2;
	T_EQ(shown("#pkts encaps: "), 10, "before clear");
	T_EQ(shown("#pkts decaps: "), 7, "before clear");
	T_EQ(shown("#recv errors "), 2, "before clear");

	o = req("x", "show crypto ipsec sa");
	T_STREQ(o, show_sa_golden, "show crypto ipsec sa: layout and counts");
	o = req("x", "clear crypto sa peer 198.51.100.2");
	T_OK(rep.ok, "clear by peer");
	T_STREQ(o, "Cleared 2 SAs with peer 198.51.100.2:\n"
	    "  crypto map vpn 10: outbound esp spi 0x3E8(1000) 198.51.100.1 -> 198.51.100.2\n"
	    "  crypto map vpn 10: inbound esp spi 0x3E9(1001) 198.51.100.2 -> 198.51.100.1\n"
	    "Manual SAs are re-established at once with the same keys: their counters start "
	    "again from 0;\nsequence numbers go on (never reused under one key).\n", "layout");
	T_EQ(shown("#pkts encaps: "), 0, "encaps after clear");
	T_EQ(shown("#pkts decaps: "), 0, "decaps after clear");
	T_EQ(shown("#recv errors "), 0, "errors after clear");
	T_EQ(shown("last seq sent: "), 10, "the sequence number is never reset");
	so->pkts = 15;
	T_EQ(shown("#pkts encaps: "), 5, "counts again from the clear");

	o = req("x", "clear crypto sa map nope");
	T_STREQ(o, "% no SA matches: there is no SA of crypto map set nope\n", "no match");
	T_OK(!rep.ok, "no match: not ok");
	T_STREQ(req("x", "clear crypto sa peer 203.0.113.9"),
	    "% no SA matches: there is no SA with peer 203.0.113.9\n", "no such peer");
	T_STREQ(req("x", "clear crypto sa entry 198.51.100.1 esp 1000"),
	    "% no SA matches: there is no SA to 198.51.100.1, esp SPI 0x3E8(1000)\n",
	    "SPI 1000 goes to the peer, not to us");
	T_STREQ(req("x", "clear crypto sa entry 198.51.100.1 ah 1001"),
	    "% no SA matches: there is no SA to 198.51.100.1, ah SPI 0x3E9(1001)\n", "not ah");
	si->pkts = 9;
	o = req("x", "cl cry sa ent 198.51.100.1 e 1001");
	T_STREQ(o, "Cleared 1 SA to 198.51.100.1, esp SPI 0x3E9(1001):\n"
	    "  crypto map vpn 10: inbound esp spi 0x3E9(1001) 198.51.100.2 -> 198.51.100.1\n"
	    "Manual SAs are re-established at once with the same keys: their counters start "
	    "again from 0;\nsequence numbers go on (never reused under one key).\n", "entry");
	T_EQ(shown("#pkts decaps: "), 0, "that one cleared");
	T_EQ(shown("#pkts encaps: "), 5, "the other one not");
	T_OK(has(req("x", "clear crypto sa entry 198.51.100.2 esp 0x3e8"), "Cleared 1 SA"),
	    "hex SPI");
	T_OK(has(req("x", "clear crypto sa map vpn"), "Cleared 2 SAs of crypto map set vpn:"),
	    "by map");
	so->pkts = 20;
	T_OK(has(req("x", "clear crypto sa"), "Cleared 2 SAs in the SA database:"), "all");
	T_EQ(shown("#pkts encaps: "), 0, "all cleared");
	T_STREQ(req("x", "clear crypto sa peer nope"),
	    "                         ^\n% Invalid input detected at '^' marker.\n% 'nope': not a word this command takes here (try \"?\" or \"help\")\n", "bad peer");
	T_STREQ(req("x", "clear crypto sa entry 198.51.100.1 esp 12"),
	    "                                           ^\n% Invalid input detected at '^' marker.\n% '12': not a word this command takes here (try \"?\" or \"help\")\n", "SPI under 256");
	T_OK(!rep.ok, "bad SPI: not ok");

	/* the IOS 12.4/15 layout, the default: the parsers' lines, and clear crypto sa counters */
	req("x", "conf t");
	req("x", "no crypto ipsec show-layout");
	req("x", "end");
	T_OK(rep.ok, "back to the default layout");
	so->pkts = 30;			/* the baselines are 20 and 9 */
	si->pkts = 12;
	si->drops[DROP_ICV] = 1;
	o = req("x", "show crypto ipsec sa");
	T_STREQ(o, show_sa15_golden, "show crypto ipsec sa: the 15 layout");
	o = req("x", "show crypto ipsec sa detail");
	T_OK(has(o, "    #pkts invalid prot (recv) 0, #pkts verify failed: 1\n") &&
	    has(o, "    ##pkts replay failed (rcv): 0\n") && !has(o, "#send errors") &&
	    has(o, "        replay detection support: N  replay window size: 0\n") &&
	    !has(o, "owner") && !has(o, "Packets dropped"), "detail: %s", o);
	o = req("x", "show workers");
	T_OK(has(o, "Packets dropped outside any SA (all workers):\n"), "show workers: %s", o);
	T_OK(!has(o, "TUN in:") && !has(o, "UDP 4500:"), "a worker that reported no offload "
	    "counters (one from before them): no block: %s", o);
	w->offload = (struct link_offload_ctr){ .known = true, .tun_uso = true, .tun_reads = 120,
	    .tso = 7, .tso_segs = 300, .uso = 5, .uso_dgrams = 80, .tun_writes = 90,
	    .coalesced = 12, .coalesced_segs = 200, .uso_writes = 4, .uso_segs = 60,
	    .gso_sends = 3, .gso_dgrams = 40, .gro_reads = 6, .gro_dgrams = 70 };
	o = req("x", "show workers");
	T_OK(has(o, "\n    TUN in: 120 reads, 7 TCP super-packets cut into 300 segments, 5 UDP "
	    "into 80 datagrams (USO on)\n    TUN out: 90 writes, 12 coalesced of 200 segments "
	    "(UDP: 4 of 60 datagrams)\n    UDP 4500: 3 GSO sends of 40 datagrams, 6 GRO reads of "
	    "70 datagrams\n") && !has(o, "AF_XDP out:"), "show workers: the offload block, "
	    "no AF_XDP line without AF_XDP: %s", o);
	w->offload.xdp_sent = 9;
	w->offload.xdp_raw = 2;
	w->offload.tun_uso = false;
	o = req("x", "show workers");
	T_OK(has(o, " datagrams (USO off)\n") && has(o, "datagrams\n    AF_XDP out: 9 sent, 2 "
	    "left to raw sockets, 0 kicks refused\n"), "show workers: USO off, AF_XDP: %s", o);
	w->offload = (struct link_offload_ctr){ .known = false };
	o = req("x", "clear crypto sa counters");
	T_STREQ(o, "Cleared the counters of 2 SAs; the SAs, their lifetimes and replay windows "
	    "are unchanged.\n", "clear crypto sa counters");
	T_EQ(shown("#pkts encaps: "), 0, "counters: encaps from 0");
	T_EQ(shown("#pkts decaps: "), 0, "counters: decaps from 0");
	T_EQ(shown("#recv errors "), 0, "counters: errors from 0");
	T_EQ(sa_of(false)->base.seq_top, 10, "counters: the sequence numbers go on");
	so->pkts = 33;
	T_EQ(shown("#pkts encaps: "), 3, "counters: count again");
	T_OK(has(req("x", "cl cry sa cou"), "Cleared the counters"), "abbreviated");
	sad_retire(&cd.sad, 0);
	w->rid_len = 0;
	w->id[0] = '\0';
}

/* ---- 7. IKEv2: the sub-modes, help and TAB in each, show, keys masked but saved ---- */

static const char *const ikev2_session[] = {
	"crypto ikev2 proposal P1", "config-ikev2-proposal",
	"enc aes-gcm-1", NULL,
	"prf sha256", NULL,
	"gr 19 14", NULL,
	"cry ikev2 pol POL", "config-ikev2-policy",
	"prop P1", NULL,
	"mat addr loc 198.51.100.1", NULL,
	"cry ikev2 key KR", "config-ikev2-keyring",
	"peer gwB", "config-ikev2-keyring-peer",
	"addr 198.51.100.2", NULL,
	"pre-shared-key s3cr3t-key", NULL,
	"exit", "config-ikev2-keyring",
	"exit", "config",
	"cry ikev2 prof PR", "config-ikev2-profile",
	"mat id rem addr 198.51.100.2 255.255.255.255", NULL,
	"auth loc pre", NULL,
	"auth rem pre", NULL,
	"keyr loc KR", NULL,
	"dpd 10 3 per", NULL,
	"nat keep 20", NULL,
	"crypto map vpn 20 ipsec-isakmp", "config-crypto-map",
	"mat addr 102", NULL,
	"set peer 198.51.100.2", NULL,
	"set transform-set AES-SHA", NULL,
	"set ikev2 PR", NULL,
	"set pfs group31", NULL,
};

static void
test_ikev2(void)
{
	struct gw_err err;
	struct conf *back;
	const char *o;
	char *text;
	FILE *f;
	long len;

	req("k", "conf t");
	for (size_t i = 0; i < sizeof(ikev2_session) / sizeof(ikev2_session[0]); i += 2) {
		o = req("k", ikev2_session[i]);
		T_OK(rep.ok, "%s: %s", ikev2_session[i], o);
		if (ikev2_session[i + 1] != NULL)
			T_STREQ(rep.mode, ikev2_session[i + 1], "%s", ikev2_session[i]);
	}
	/* help and TAB in the sub-modes */
	req("k", "crypto ikev2 proposal P1");
	o = req("k", "encryption ?");
	T_OK(has(o, "  aes-gcm-128        AES-GCM with a 128-bit key (AEAD)\n") &&
	    has(o, "  chacha20-poly1305  ") && has(o, "  3des  "), "encryption ?: %s", o);
	o = req("k", "group 19 ?");
	T_OK(has(o, "  31    Curve25519 (not an IOS name)\n") && has(o, "<cr>"), "group ?: %s", o);
	o = req("k", "?");
	T_OK(has(o, "  integrity ") && has(o, "  prf ") && has(o, "  crypto "), "?: %s", o);
	complete("k", "integ");
	T_STREQ(rep.completion, "integrity ", "TAB in the proposal");
	complete("k", "integrity sha3");
	T_STREQ(rep.completion, "integrity sha384 ", "TAB: a hash");
	req("k", "crypto ikev2 keyring KR");
	req("k", "peer gwB");
	o = req("k", "pre-shared-key ?");
	T_OK(has(o, "  WORD ") && has(o, "  0 ") && has(o, "  local ") && has(o, "  remote "),
	    "pre-shared-key ?: %s", o);
	o = req("k", "?");
	T_OK(has(o, "  peer ") && has(o, "  identity ") && has(o, "  address "),
	    "peer ?: keyring commands too: %s", o);
	complete("k", "pre-sh");
	T_STREQ(rep.completion, "pre-shared-key ", "TAB in the peer");
	req("k", "crypto ikev2 profile PR");
	o = req("k", "dpd 10 3 ?");
	T_STREQ(o, "  on-demand  Send DPD only when there is no traffic to and from the peer\n"
	    "  periodic   Send DPD periodically\n", "dpd ?");
	o = req("k", "match identity remote ?");
	T_OK(has(o, "  address ") && has(o, "  fqdn ") && has(o, "  email "), "match: %s", o);
	complete("k", "authentication local pre");
	T_STREQ(rep.completion, "authentication local pre-share ", "TAB in the profile");
	req("k", "crypto ikev2 policy POL");
	o = req("k", "match address local ?");
	T_STREQ(o, "  A.B.C.D  IPv4 address\n", "policy: match address local ?");
	o = req("k", "end");
	T_OK(rep.ok, "the IKEv2 session applies: %s", o);
	T_STREQ(rep.mode, "exec", "back to exec");

	/* show: no key anywhere */
	o = req("k", "show running-config");
	T_OK(has(o, "crypto ikev2 keyring KR\n peer gwB\n  address 198.51.100.2\n"
	    "  pre-shared-key *****\n") && !has(o, "s3cr3t") &&
	    has(o, " set ikev2-profile PR\n") && has(o, " set pfs group31\n"), "masked: %s", o);
	o = req("k", "show crypto ikev2 profile");
	T_OK(has(o, "IKEv2 profile: PR\n") && has(o, " Keyring: KR\n") &&
	    has(o, " DPD: interval 10, retry 3, periodic\n") && !has(o, "s3cr3t"), "%s", o);
	o = req("k", "sh cry ikev2 prop P1");
	T_STREQ(o, " IKEv2 proposal: P1\n     Encryption : AES-GCM-128 \n"
	    "     Integrity  : none \n     PRF        : SHA256 \n"
	    "     DH Group   : DH_GROUP_256_ECP/Group 19 DH_GROUP_2048_MODP/Group 14 \n\n",
	    "show crypto ikev2 proposal");
	o = req("k", "sh cry ikev2 pol");
	T_OK(has(o, " IKEv2 policy : POL\n") && has(o, "Proposal    : P1 "), "%s", o);
	T_STREQ(req("k", "show crypto ikev2 profile nope"), "", "no such profile");
	o = req("k", "show crypto ikev2 ?");
	T_OK(has(o, "  policy ") && has(o, "  profile ") && has(o, "  proposal "), "%s", o);
	T_STREQ(req("k", "show crypto ikev2"), "% Incomplete command.\n", "incomplete");
	o = req("k", "show crypto map tag vpn");
	T_OK(has(o, "\tIKEv2 Profile: PR\n"), "show crypto map: %s", o);

	/* write memory keeps the key; show startup-config masks it */
	o = req("k", "write memory");
	T_OK(rep.ok, "write memory: %s", o);
	f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	T_EQ(fread(text, 1, (size_t)len, f), len, "read back");
	fclose(f);
	T_OK(has(text, "  pre-shared-key s3cr3t-key\n"), "the startup file has the key");
	free(text);
	back = conf_parse_file(path, &err);
	T_OK(back != NULL && conf_equal(back, cd.conf.running), "it parses back equal");
	conf_free(back);
	o = req("k", "show startup-config");
	T_OK(has(o, "  pre-shared-key *****\n") && !has(o, "s3cr3t"), "startup masked: %s", o);

	/* a masked key pasted back is refused, not taken for the key */
	req("k", "conf t");
	req("k", "crypto ikev2 keyring KR");
	req("k", "peer gwB");
	o = req("k", "pre-shared-key *****");
	T_OK(!rep.ok && has(o, "the mask show running-config prints"), "%s", o);
	req("k", "abort");
	/* validate refuses a profile that does not exist: nothing applied */
	req("k", "conf t");
	req("k", "crypto map vpn 20");
	req("k", "set ikev2-profile NOPE");
	o = req("k", "end");
	T_OK(!rep.ok && has(o, "ikev2-profile NOPE is not defined"), "%s", o);
	o = req("k", "show running-config");
	T_OK(has(o, " set ikev2-profile PR\n"), "running unchanged");
}

/* ---- 7b. IKEv1 configuration: crypto isakmp, its sub-mode, help, show, keys masked ---- */

static const char *const isakmp_session[] = {
	"cry isa pol 10", "config-isakmp",
	"enc aes 256", NULL,
	"ha sha2", NULL,
	"auth pre", NULL,
	"gr 14", NULL,
	"life 3600", NULL,
	"cry isa pol 5", "config-isakmp",
	"exit", "config",
	"cry isa key s3cr3t-v1 addr 198.51.100.2", "config",
	"cry isa keep 10 3 per", NULL,
	"cry isa nat keep 20", NULL,
	"cry isa ag dis", NULL,
	"cry isa ide host", NULL,
};

static void
test_isakmp(void)
{
	struct gw_err err;
	struct conf *back;
	const char *o;
	char *text;
	FILE *f;
	long len;

	o = req("i", "show crypto isakmp policy");
	T_OK(has(o, "Global IKE policy\nDefault protection suite\n"), "no policy yet: %s", o);
	req("i", "conf t");
	for (size_t i = 0; i < sizeof(isakmp_session) / sizeof(isakmp_session[0]); i += 2) {
		o = req("i", isakmp_session[i]);
		T_OK(rep.ok, "%s: %s", isakmp_session[i], o);
		if (isakmp_session[i + 1] != NULL)
			T_STREQ(rep.mode, isakmp_session[i + 1], "%s", isakmp_session[i]);
	}
	/* help and TAB in the sub-mode; refusals with their reason */
	req("i", "crypto isakmp policy 10");
	T_OK(has(rep.prompt, "(config-isakmp)#"), "prompt: %s", rep.prompt);
	o = req("i", "?");
	T_OK(has(o, "  authentication ") && has(o, "  encryption ") && has(o, "  group ") &&
	    has(o, "  hash ") && has(o, "  lifetime ") && has(o, "  crypto "), "?: %s", o);
	o = req("i", "group ?");
	T_OK(has(o, "  1 ") && has(o, " Diffie-Hellman group 1 (768 bit, weak; the default)\n")
	    && has(o, " Diffie-Hellman group 21 (521 bit ecp)\n"), "group ?: %s", o);
	o = req("i", "encryption aes ?");
	T_OK(has(o, "  256 ") && has(o, " 256 bit keys\n") && has(o, "<cr>"), "aes ?: %s", o);
	o = req("i", "lifetime ?");
	T_OK(has(o, "<60-86400>"), "lifetime ?: %s", o);
	complete("i", "hash sha5");
	T_STREQ(rep.completion, "hash sha512 ", "TAB: a hash");
	o = req("i", "crypto isakmp ?");
	T_OK(has(o, "  key ") && has(o, "  policy ") && has(o, "  keepalive ") &&
	    has(o, "<cr>"), "crypto isakmp ?: %s", o);
	o = req("i", "end");
	T_OK(rep.ok, "the IKEv1 session applies: %s", o);
	T_STREQ(rep.mode, "exec", "back to exec");

	/* show: the suites by priority, the default last; no key in show running-config */
	o = req("i", "sh cry isa pol");
	T_OK(has(o, "Global IKE policy\nProtection suite of priority 5\n"
	    "        encryption algorithm:   DES - Data Encryption Standard (56 bit keys).\n") &&
	    has(o, "Protection suite of priority 10\n"
	    "        encryption algorithm:   AES - Advanced Encryption Standard (256 bit keys).\n"
	    "        hash algorithm:         Secure Hash Standard 2 (256 bit)\n"
	    "        authentication method:  Pre-Shared Key\n"
	    "        Diffie-Hellman group:   #14 (2048 bit)\n"
	    "        lifetime:               3600 seconds, no volume limit\n"
	    "Default protection suite\n"
	    "        encryption algorithm:   DES - Data Encryption Standard (56 bit keys).\n"
	    "        hash algorithm:         Secure Hash Standard\n"
	    "        authentication method:  Rivest-Shamir-Adleman Signature\n"
	    "        Diffie-Hellman group:   #1 (768 bit)\n"
	    "        lifetime:               86400 seconds, no volume limit\n"), "%s", o);
	T_STREQ(req("i", "show crypto isakmp ?"),
	    "  policy  Show ISAKMP protection suite policies\n"
	    "  sa      Show ISAKMP security associations\n", "show crypto isakmp ?");
	T_STREQ(req("i", "show crypto isakmp"), "% Incomplete command.\n", "incomplete");
	o = req("i", "show running-config");
	T_OK(has(o, "crypto isakmp policy 5\n!\ncrypto isakmp policy 10\n encryption aes 256\n"
	    " hash sha256\n authentication pre-share\n group 14\n lifetime 3600\n!\n"
	    "crypto isakmp key ***** address 198.51.100.2\n"
	    "crypto isakmp identity hostname\n"
	    "crypto isakmp keepalive 10 3 periodic\n"
	    "crypto isakmp nat keepalive 20\n"
	    "crypto isakmp aggressive-mode disable\n!\n") && !has(o, "s3cr3t-v1"),
	    "masked: %s", o);

	/* write memory keeps the key; show startup-config masks it */
	o = req("i", "write memory");
	T_OK(rep.ok, "write memory: %s", o);
	f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	T_EQ(fread(text, 1, (size_t)len, f), len, "read back");
	fclose(f);
	T_OK(has(text, "crypto isakmp key s3cr3t-v1 address 198.51.100.2\n"),
	    "the startup file has the key");
	free(text);
	back = conf_parse_file(path, &err);
	T_OK(back != NULL && conf_equal(back, cd.conf.running), "it parses back equal");
	conf_free(back);
	o = req("i", "show startup-config");
	T_OK(has(o, "crypto isakmp key ***** address 198.51.100.2\n") && !has(o, "s3cr3t-v1"),
	    "startup masked: %s", o);
	/* reload reads it back: the same running configuration */
	{
		struct conf *before = conf_dup(cd.conf.running);

		o = req("i", "reload config");
		T_OK(rep.ok, "reload: %s", o);
		T_OK(before != NULL && conf_equal(before, cd.conf.running), "reload: the same");
		T_OK(has(req("i", "sh cry isa pol"), "Protection suite of priority 10\n"),
		    "reload: the suites");
		conf_free(before);
	}

	/* a masked key pasted back is refused, not taken for the key; nothing applied */
	req("i", "conf t");
	o = req("i", "crypto isakmp key ***** address 198.51.100.2");
	T_OK(!rep.ok && has(o, "the mask show running-config prints"), "%s", o);
	req("i", "crypto isakmp policy 10");
	o = req("i", "authentication rsa-encr");
	T_OK(!rep.ok && has(o, "rsa-encr: not supported"), "rsa-encr: %s", o);
	o = req("i", "group 24");
	T_OK(!rep.ok && has(o, "group \"24\": not one of"), "group 24: %s", o);
	o = req("i", "no crypto isakmp policy 10");
	T_OK(rep.ok, "%s", o);
	req("i", "abort");
	o = req("i", "show crypto isakmp policy");
	T_OK(has(o, "Protection suite of priority 10\n"), "abort: running unchanged");
	/* and removed for good in a session that ends */
	req("i", "conf t");
	req("i", "no crypto isakmp policy 5");
	req("i", "no crypto isakmp key s3cr3t-v1 address 198.51.100.2");
	o = req("i", "end");
	T_OK(rep.ok, "%s", o);
	o = req("i", "show running-config");
	T_OK(!has(o, "crypto isakmp policy 5\n") && !has(o, "crypto isakmp key") &&
	    has(o, "crypto isakmp policy 10\n"), "removed: %s", o);
}

/* ---- 8. show and clear crypto session (IOS 15 layout), current_peer of dynamic entries ---- */

static const char *const session_conf[] = {
	"access-list 103 permit ip 192.0.2.0 0.0.0.127 198.18.0.0 0.0.0.255",
	"access-list 104 permit ip 192.0.2.0 0.0.0.127 203.0.113.0 0.0.0.255",
	"crypto dynamic-map DYN 5", "match address 104", "set transform-set AES-SHA",
	"set ikev2-profile PR",
	"crypto map vpn 30 ipsec-isakmp", "match address 103", "set peer 198.51.100.9",
	"set transform-set AES-SHA", "set ikev2-profile PR",
	"crypto map vpn 40 ipsec-isakmp dynamic DYN",
};

/* A negotiated SA of the dynamic entry vpn 40 with 198.51.100.3, as the engine installs it
 * (without an engine: its IKE SA is not there, UP-NO-IKE). */
static struct sa *
negotiated(bool inbound, uint32_t spi)
{
	struct gw_err err;
	struct sa *sa = sa_new();

	sa->origin = SA_IKE;
	sa->inbound = inbound;
	sa->proto = 50;
	sa->spi = spi;
	sa->local = 0xc6336401u;		/* 198.51.100.1 */
	sa->peer = 0xc6336403u;			/* 198.51.100.3 */
	sa->cipher = XF_CIPHER_AES_GCM;
	sa->cipher_key.len = 20;
	sa->cipher_key.b[0] = (uint8_t)spi;
	sa->udp_encap_port = 4500;
	snprintf(sa->map, sizeof(sa->map), "vpn");
	sa->seq = 40;
	sa->flow = (struct sel){ .src = 0xc0000200u, .src_mask = 0xffffff80u,
	    .dst = 0xcb007100u, .dst_mask = 0xffffff00u, .sport_hi = 65535, .dport_hi = 65535,
	    .tos = -1, .precedence = -1 };
	sa->hard = (struct sa_lifetime){ 3600, 4608000 };
	sa->id = sa_hash_id(sa);
	sa->key_id = sa_key_id(sa);
	if (sad_add(&cd.sad, sa, &err) != 0) {
		fprintf(stderr, "sad_add: %s\n", err.msg);
		exit(2);
	}
	sa->added_ms = link_now_ms() - 100 * 1000;	/* it came 100 s ago */
	return sa;
}

static const char session_golden[] =
	"Crypto session current status\n"
	"\n"
	"Interface: wan0\n"
	"Session status: UP-NO-IKE\n"
	"Peer: 198.51.100.2\n"
	"  IPSEC FLOW: permit ip 192.0.2.0/255.255.255.128 192.0.2.128/255.255.255.128\n"
	"        Active SAs: 2, origin: crypto map\n"
	"  IPSEC FLOW: permit ip 192.0.2.0/255.255.255.128 203.0.113.0/255.255.255.0\n"
	"        Active SAs: 0, origin: crypto map\n"
	"\n"
	"Interface: wan0\n"
	"Session status: UP-NO-IKE\n"
	"Peer: 198.51.100.3 port 4500\n"
	"  IPSEC FLOW: permit ip 192.0.2.0/255.255.255.128 203.0.113.0/255.255.255.0\n"
	"        Active SAs: 2, origin: dynamic crypto map\n"
	"\n"
	"Interface: wan0\n"
	"Session status: DOWN\n"
	"Peer: 198.51.100.9 port 500\n"
	"  IPSEC FLOW: permit ip 192.0.2.0/255.255.255.128 198.18.0.0/255.255.255.0\n"
	"        Active SAs: 0, origin: crypto map\n"
	"\n";

static void
test_session(void)
{
	struct worker_rec *w = &cd.link.w[0];
	struct sa *in, *out, *man;
	struct sa_stat *st;
	const char *o;

	req("s", "conf t");
	for (size_t i = 0; i < sizeof(session_conf) / sizeof(session_conf[0]); i++) {
		o = req("s", session_conf[i]);
		T_OK(rep.ok, "%s: %s", session_conf[i], o);
	}
	o = req("s", "end");
	T_OK(rep.ok, "a dynamic entry and a second static peer: %s", o);
	in = negotiated(true, 0x1234);
	out = negotiated(false, 0x5678);
	w->rid_len = 1;
	snprintf(w->id, sizeof(w->id), "w1");
	st = sa_count(in, 0, true);
	*st = (struct sa_stat){ .pkts = 5, .bytes = 500, .seq_top = 5 };
	st->drops[DROP_REPLAY] = 1;
	st = sa_count(out, 0, true);
	*st = (struct sa_stat){ .pkts = 6, .bytes = 2 << 20, .seq_top = 6 };
	man = sa_of(true);
	*sa_count(man, 0, true) = (struct sa_stat){ .pkts = 3, .bytes = 300, .seq_top = 3 };

	/* the keyword tree: abbreviations, "?" */
	T_STREQ(req("s", "cl cry s"), "% Ambiguous command: \"cl cry s\"\n", "sa or session");
	o = req("s", "show crypto session ?");
	T_OK(has(o, "  detail ") && has(o, "  remote ") && has(o, "  <cr>"), "?: %s", o);
	o = req("s", "show crypto session remote ?");
	T_OK(has(o, "  A.B.C.D "), "remote ?: %s", o);
	o = req("s", "show crypto ?");
	T_OK(has(o, "  session "), "show crypto ?: %s", o);
	o = req("s", "clear crypto session ?");
	T_OK(has(o, "  remote ") && has(o, "  <cr>"), "clear ?: %s", o);
	T_OK(has(req("s", "sh cry sess rem nope"), "% 'nope': not a word this command takes here"),
	    "remote takes an address");

	/* one session per peer: manual (no IKE), negotiated without its IKE SA, configured */
	o = req("s", "show crypto session");
	T_STREQ(o, session_golden, "show crypto session");
	o = req("s", "sh cry sess rem 198.51.100.3");
	T_OK(rep.ok && has(o, "Peer: 198.51.100.3 port 4500\n") && !has(o, "198.51.100.2") &&
	    !has(o, "198.51.100.9"), "remote: one session: %s", o);
	T_STREQ(req("s", "show crypto session remote 203.0.113.99"),
	    "Crypto session current status\n\n", "remote: no such session");
	o = req("s", "show crypto session detail");
	T_OK(has(o, "Crypto session current status\n\nCode: D - Dead Peer Detection, "
	    "N - NAT-traversal\n\nInterface: wan0\n"), "detail: the legend: %s", o);
	T_OK(has(o, "Peer: 198.51.100.3 port 4500\n      Desc: (none)\n"), "detail: %s", o);
	T_OK((has(o, "        Inbound:  #pkts dec'ed 5 drop 1 life (KB/Sec) 4608000/3500\n") ||
	    has(o, "        Inbound:  #pkts dec'ed 5 drop 1 life (KB/Sec) 4608000/3499\n")) &&
	    (has(o, "        Outbound: #pkts enc'ed 6 drop 0 life (KB/Sec) 4605952/3500\n") ||
	    has(o, "        Outbound: #pkts enc'ed 6 drop 0 life (KB/Sec) 4605952/3499\n")),
	    "detail: counts and what is left of the lifetimes: %s", o);
	T_OK(has(o, "        Inbound:  #pkts dec'ed 3 drop 0 life (KB/Sec) none\n"),
	    "detail: manual SAs do not expire");
	T_OK(has(o, "Uptime: 00:01:40\nSession status: UP-NO-IKE\nPeer: 198.51.100.3") ||
	    has(o, "Uptime: 00:01:41\nSession status: UP-NO-IKE\nPeer: 198.51.100.3"),
	    "uptime: %s", o);
	T_OK(!has(o, "Phase1_id"), "no IKE SA, no Phase1_id");

	/* show crypto ipsec sa: the SA's peer, not the dynamic entry's 0.0.0.0 */
	o = req("s", "show crypto ipsec sa");
	T_OK(has(o, "   current_peer 198.51.100.3 port 4500\n") &&
	    has(o, "remote crypto endpt.: 198.51.100.3\n") && !has(o, "0.0.0.0"),
	    "current_peer: %s", o);
	T_OK(has(o, "   remote ident (addr/mask/prot/port): (203.0.113.0/255.255.255.0/0/0)\n"),
	    "the negotiated flow");
	o = req("s", "show crypto ipsec sa peer 198.51.100.3");
	T_OK(has(o, "current_peer 198.51.100.3 ") && !has(o, "current_peer 198.51.100.2 "),
	    "peer filter on the SA's peer: %s", o);
	o = req("s", "show crypto ipsec sa address");
	T_OK(has(o, "dest address: 198.51.100.3\n"), "address view: %s", o);

	/* clear crypto session: manual SAs as clear crypto sa; no engine here to delete the
	 * negotiated ones (ikev2_swan.sh has the engine and strongSwan) */
	o = req("s", "clear crypto session remote 198.51.100.2");
	T_STREQ(o, "Cleared the crypto sessions with peer 198.51.100.2: 0 IKEv2 SAs and 0 "
	    "negotiated SAs deleted, the peers told.\n2 manual SAs kept (re-established at "
	    "once with the same keys, as clear crypto sa does):\ntheir counters start again "
	    "from 0.\n", "clear crypto session remote");
	o = req("s", "show crypto session remote 198.51.100.2 detail");
	T_OK(has(o, "Inbound:  #pkts dec'ed 0 drop 0"), "manual counters from 0: %s", o);
	o = req("s", "clear crypto session");
	T_OK(rep.ok && has(o, "% 2 negotiated SAs left: IKE is not running.\n"), "%s", o);
	T_OK(has(req("s", "show crypto session"), "Session status: UP-NO-IKE\nPeer: "
	    "198.51.100.3"), "still there");
	T_STREQ(req("s", "clear crypto session remote nope"),
	    "                                ^\n% Invalid input detected at '^' marker.\n% 'nope': not a word this command takes here (try \"?\" or \"help\")\n", "bad address");

	sad_remove(&cd.sad, in);
	sad_remove(&cd.sad, out);
	sad_retire(&cd.sad, 0);
	w->rid_len = 0;
	w->id[0] = '\0';
	o = req("s", "show crypto session remote 198.51.100.3");
	T_STREQ(o, "Crypto session current status\n\n", "gone with its SAs");
}

/* ---- RSA keys ---- */

/* The " Key Data:" lines of show crypto key mypubkey rsa, as a peer pastes them. */
static char *
key_data(const char *show)
{
	const char *d = strstr(show, " Key Data:");

	if (d == NULL || (d = strchr(d, '\n')) == NULL)
		return NULL;
	return strdup(d + 1);
}

static void
test_rsa(void)
{
	char kpath[256], want[256], *data, *line, *save = NULL;
	const struct conf_rsa_key *k;
	uint8_t h[20] = "HASH_I of main mode", sig[512];
	size_t sl = sizeof(sig);
	struct gw_err err;
	struct rsakey loaded = { 0 };
	EVP_PKEY *peer;
	struct stat st;
	const char *o;

	cd.link.state_dir = dir;
	snprintf(kpath, sizeof(kpath), "%s/rsa-key.pem", dir);
	o = req("r", "show crypto key mypubkey rsa");
	T_OK(has(o, "% No RSA key pair"), "none yet: %s", o);
	o = req("r", "cry key gen rsa gen mod 1024 lab gw-test");
	T_OK(rep.ok && has(o, "The name for the keys will be: gw-test\n% The key modulus size is "
	    "1024 bits\n") && has(o, "[OK]") && !has(o, "replaced"), "generate: %s", o);
	T_OK(stat(kpath, &st) == 0 && (st.st_mode & 0777) == 0600, "%s, mode 0600", kpath);
	T_OK(rsakey_load(&loaded, kpath, &err) == 0 && EVP_PKEY_eq(loaded.pkey, cd.rsa.pkey) == 1
	    && strcmp(loaded.label, "gw-test") == 0 && loaded.generated == cd.rsa.generated,
	    "the file holds the pair in use, its label and time: %s", err.msg);
	rsakey_free(&loaded);
	o = req("r", "sh cry key myp rsa");
	T_OK(has(o, "% Key pair was generated at: ") && has(o, " UTC ") &&
	    has(o, "\nKey name: gw-test\n Usage: General Purpose Key\n Key Data: (1024 bit RSA)\n"
	    "  30819F30 0D06092A 864886F7 0D010101 05000381 8D003081 89028181 00"),
	    "show crypto key mypubkey rsa: %s", o);
	o = req("r", "show running-config");
	T_OK(!has(o, "PRIVATE") && !has(o, "gw-test"), "nothing of it in the configuration");
	o = req("r", "crypto key generate rsa modulus 512");
	T_OK(!rep.ok, "modulus 512 refused: %s", o);

	/* the other gateway pastes our key data as a named key, then checks our signature */
	data = key_data(req("r", "show crypto key mypubkey rsa"));
	T_OK(data != NULL, "key data");
	req("r", "conf t");
	req("r", "crypto key pubkey-chain rsa");
	T_STREQ(rep.mode, "config-pubkey-chain", "chain");
	req("r", "named-key gwa.example.net sig");
	T_STREQ(rep.mode, "config-pubkey-key", "key");
	req("r", "address 198.51.100.1");
	req("r", "key-string");
	T_STREQ(rep.mode, "config-pubkey", "key-string");
	o = req("r", "?");
	T_OK(has(o, "HEX") && has(o, "quit") && !has(o, "end "), "?: %s", o);
	for (line = strtok_r(data, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		o = req("r", line);
		T_OK(rep.ok, "%s: %s", line, o);
	}
	o = req("r", "quit");
	T_OK(rep.ok && strcmp(rep.mode, "config-pubkey-key") == 0, "quit: %s", o);
	o = req("r", "end");
	T_OK(rep.ok, "applied: %s", o);
	free(data);
	o = req("r", "sh cry key pub rsa");
	T_OK(has(o, "Codes: M - Manually configured\n") &&
	    has(o, "M    Signature     198.51.100.1      gwa.example.net\n"), "chain: %s", o);
	o = req("r", "sh cry key pub rsa name GWA.example.net");
	T_OK(has(o, "Key name: gwa.example.net\nKey address: 198.51.100.1\n"
	    "Usage: Signature Key\nSource: Manually entered\nData: (1024 bit RSA)\n"),
	    "by name: %s", o);
	o = req("r", "sh cry key pub rsa addr 198.51.100.9");
	T_OK(has(o, "% No key for address 198.51.100.9"), "by address: %s", o);
	k = conf_rsa_key_find(cd.conf.running, 0, "gwa.example.net");
	peer = k != NULL ? conf_rsa_key_pkey(k, &err) : NULL;
	T_OK(peer != NULL && EVP_PKEY_eq(peer, cd.rsa.pkey) == 1, "the pasted key is ours");
	T_OK(v1sig_sign(rsakey_get(&cd.rsa), h, sizeof(h), sig, &sl, &err) == 0 &&
	    v1sig_verify(peer, h, sizeof(h), sig, sl) == 0, "our SIG checked with the pasted key");
	EVP_PKEY_free(peer);

	/* end inside a key-string is refused: only hex and quit there */
	req("r", "conf t");
	req("r", "crypto key pubkey-chain rsa");
	req("r", "addressed-key 198.51.100.7");
	req("r", "key-string");
	o = req("r", "end");
	T_OK(!rep.ok && has(o, "not hex digits") && strcmp(rep.mode, "config-pubkey") == 0,
	    "end in a key-string: %s", o);
	req("r", "quit");
	req("r", "abort");
	T_STREQ(rep.mode, "exec", "aborted");

	/* regenerate: replaced, and said so; the label is the hostname by default */
	o = req("r", "crypto key generate rsa modulus 1024");
	snprintf(want, sizeof(want), "named gw-test.\n%% They will be replaced.\n"
	    "The name for the keys will be: %s\n", cd.conf.running->hostname);
	T_OK(rep.ok && has(o, want), "regenerate: %s", o);
	T_OK(rsakey_load(&loaded, kpath, &err) == 0 && EVP_PKEY_eq(loaded.pkey, cd.rsa.pkey) == 1,
	    "the new pair on disk");
	rsakey_free(&loaded);
	o = req("r", "crypto key zeroize rsa");
	T_OK(rep.ok && stat(kpath, &st) != 0 && rsakey_get(&cd.rsa) == NULL, "zeroize: %s", o);
	req("r", "conf t");
	req("r", "no crypto key pubkey-chain rsa");
	req("r", "end");
	cd.link.state_dir = NULL;
}

/* ---- Issue 12: sessions that forgive a typo, show candidate, CLI details ---- */

static int
count(const char *text, const char *sub)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, sub)) != NULL; p += strlen(sub))
		n++;
	return n;
}

/* A 30-line session typed with a typo at line 12: the other 29 are applied. */
static void
test_forgiving(void)
{
	uint64_t gen = cd.link.gen;
	char line[128];
	const char *o;
	int n_bad = 0;

	req("f", "conf t");
	for (int i = 1; i <= 30; i++) {
		if (i == 1)
			snprintf(line, sizeof(line), "hostname gwT");
		else if (i == 2)
			snprintf(line, sizeof(line), "cry ips trans T30 esp-aes 256 esp-sha-hmac");
		else if (i == 3)
			snprintf(line, sizeof(line), "crypto map vpn 10");
		else if (i == 4)
			snprintf(line, sizeof(line), " description thirty lines");
		else if (i == 5)
			snprintf(line, sizeof(line), "exit");
		else if (i == 12)
			snprintf(line, sizeof(line), "access-list 171 permit ip any hots 192.0.2.1");
		else if (i == 30)
			snprintf(line, sizeof(line), "acc 171 per ip host 192.0.2.1 any");
		else
			snprintf(line, sizeof(line), "access-list 171 remark r%d", i);
		o = req("f", line);
		n_bad += !rep.ok;
		if (i == 12)
			T_OK(!rep.ok && has(o, "% Invalid input detected at '^' marker.\n"),
			    "line 12 refused at once: %s", o);
	}
	T_EQ(n_bad, 1, "one line of 30 refused");
	o = req("f", "show candidate");
	T_OK(rep.ok && has(o, "--- running-config\n+++ candidate\n") &&
	    has(o, "\n+hostname gwT\n") &&
	    has(o, "+access-list 171 remark r13\n") && !has(o, "hots"),
	    "show candidate in config mode: %s", o);
	o = req("f", "end");
	T_OK(rep.ok, "end applies the other 29: %s", o);
	T_EQ(cd.link.gen, gen + 1, "one new generation");
	o = req("f", "show running-config");
	T_OK(has(o, "hostname gwT\n"), "line 1 applied");
	T_OK(has(o, "crypto ipsec transform-set T30 esp-aes 256 esp-sha-hmac\n"), "line 2");
	T_OK(has(o, " description thirty lines\n"), "line 4");
	T_EQ(count(o, "access-list 171 remark r"), 23, "the remarks of lines 6-29 but 12");
	T_OK(has(o, "access-list 171 remark r11\naccess-list 171 remark r13\n"), "11, then 13");
	T_OK(has(o, "access-list 171 permit ip host 192.0.2.1 any\n"), "line 30");
	T_OK(!has(o, "hots"), "not line 12");

	/* commit messages: a line of this session, or of the running configuration */
	req("f", "conf t");
	req("f", "hostname gwU");
	req("f", "crypto map vpn 10");
	req("f", "set transform-set NOPE");
	o = req("f", "end");
	T_STREQ(o, "% Nothing applied: line 3 of this session: crypto map vpn 10: transform set "
	    "NOPE is not defined\n% The running configuration is unchanged.\n",
	    "the line of this session");
	req("f", "conf t");
	req("f", "no crypto ipsec transform-set AES-SHA");
	o = req("f", "end");
	T_OK(!rep.ok && has(o, "% Nothing applied: the running configuration, line ") &&
	    has(o, ": crypto map vpn 10: transform set AES-SHA is not defined\n"),
	    "the line of the running configuration: %s", o);
	T_EQ(cd.link.gen, gen + 1, "nothing applied");

	/* show candidate: no changes; outside a session; do show candidate */
	req("f", "conf t");
	T_STREQ(req("f", "do show candidate"), "% No changes: \"end\" would apply nothing.\n",
	    "no changes");
	req("f", "crypto map vpn 10");
	req("f", "description changed");
	o = req("f", "do sh cand");
	T_OK(has(o, "@@ -") && has(o, "-description thirty lines\n") == false &&
	    has(o, "- description thirty lines\n+ description changed\n"),
	    "do show candidate: %s", o);
	req("f", "abort");
	T_OK(has(req("f", "show candidate"), "% No configuration session"), "exec: no session");
	T_OK(!rep.ok, "show candidate without a session: not ok");
}

static void
test_details(void)
{
	const char *o;

	/* output modifiers */
	T_STREQ(req("d", "show running-config | include ^hostname"), "hostname gwT\n", "include");
	T_STREQ(req("d", "sh run | i ^hostname"), "hostname gwT\n", "abbreviated");
	o = req("d", "show running-config | exclude access-list");
	T_OK(rep.ok && !has(o, "access-list") && has(o, "hostname gwT\n"), "exclude: %s", o);
	o = req("d", "show running-config | begin ^interface");
	T_OK(strncmp(o, "interface wan0\n", 15) == 0, "begin: %s", o);
	o = req("d", "show running-config | section ^crypto map vpn 10");
	T_OK(strncmp(o, "crypto map vpn 10 ipsec-manual\n description thirty lines\n", 56) == 0 &&
	    has(o, " set transform-set AES-SHA\n") && !has(o, "hostname") &&
	    !has(o, "interface"), "section: %s", o);
	o = req("d", "show running-config | section thirty");
	T_STREQ(o, " description thirty lines\n", "section: an indented match alone");
	o = req("d", "show running-config | include (");
	T_OK(!rep.ok && has(o, "% Invalid regular expression \"(\": "), "bad regex: %s", o);
	T_STREQ(req("d", "show running-config |"), "% Incomplete command.\n", "no modifier");
	T_STREQ(req("d", "show running-config | include"), "% Incomplete command.\n", "no regex");
	o = req("d", "show running-config | frob x");
	T_OK(!rep.ok && has(o, "% Invalid input detected at 'frob'"), "bad modifier: %s", o);
	T_OK(has(req("d", "show crypto map | i Peer"), "Peer"), "on another show command");
	T_STREQ(req("d", "show running-config | ?"), "  begin    Begin with the line that matches\n"
	    "  exclude  Exclude lines that match\n  include  Include lines that match\n"
	    "  section  Filter a section of output\n", "| ?");
	T_STREQ(req("d", "sh run | inc?"), "include\n", "| inc?");
	T_STREQ(req("d", "sh run | inc ?"), "  LINE  Regular Expression\n", "| include ?");
	req("d", "conf t");
	T_STREQ(req("d", "do show running-config | i ^hostname"), "hostname gwT\n", "do | i");
	T_STREQ(req("d", "show running-config | i ^hostname"), "hostname gwT\n",
	    "show in config mode");
	req("d", "crypto map vpn 10");
	req("d", "description a | include b");
	T_OK(rep.ok, "a bar in a description is text");
	req("d", "end");
	T_OK(has(req("d", "show running-config"), " description a | include b\n"), "kept");

	/* incomplete, ambiguous, in every mode */
	T_STREQ(req("d", "terminal length"), "% Incomplete command.\n", "exec incomplete");
	T_STREQ(req("d", "sh cry ips s"), "% Ambiguous command: \"sh cry ips s\"\n", "exec amb.");
	req("d", "conf t");
	o = req("d", "crypto");
	T_OK(!rep.ok && strncmp(o, "% Incomplete command.\n", 22) == 0, "config incomplete: %s",
	    o);
	T_STREQ(req("d", "cry ips trans T esp-s"), "% Ambiguous command: "
	    "\"cry ips trans T esp-s\"\n", "config ambiguous");
	req("d", "abort");

	/* enable, disable, terminal */
	T_STREQ(req("d", "enable"), "", "enable");
	T_OK(rep.ok, "enable ok");
	T_OK(has(req("d", "disable"), "always privileged"), "disable");
	T_STREQ(rep.prompt, "gwT#", "still privileged");
	T_STREQ(req("d", "terminal length 0"), "", "terminal length 0");
	T_OK(rep.ok, "terminal length ok");
	T_STREQ(req("d", "term wid 132"), "", "terminal width");
	T_OK(rep.ok, "terminal width ok");

	/* warnings: about what the session brings, each once, never again later */
	req("d", "conf t");
	req("d", "crypto isakmp policy 7");
	req("d", "encryption des");
	o = req("d", "end");
	T_OK(rep.ok, "weak policy applied: %s", o);
	T_EQ(count(o, "% Warning: crypto isakmp policy 7: encryption des is a legacy algorithm\n"),
	    1, "said once: %s", o);
	T_OK(!has(o, "policy 5"), "not the running configuration's old warnings: %s", o);
	req("d", "conf t");
	req("d", "hostname gwW");
	o = req("d", "end");
	T_STREQ(o, "", "no warning repeated by the next session");
	req("d", "conf t");
	req("d", "hostname gwT");
	req("d", "end");

	/* show debugging */
	req("d", "undebug all");
	T_STREQ(req("d", "show debugging"), "No debugging is on.\n", "nothing on");
	req("d", "debug crypto ipsec");
	T_STREQ(req("d", "sh deb"), "Cryptographic Subsystem:\n  Crypto IPSEC debugging is on\n",
	    "show debugging");
	req("d", "undebug all");
}

int
main(void)
{
	demo_conf = test_example("gwA.conf",
	    "access-list 102 permit ip 192.0.2.0 0.0.0.127 203.0.113.0 0.0.0.255\n");
	struct gw_err err;
	struct conf *c;
	FILE *f;

	log_init("cli_test", LOG_LVL_ERR);
	snprintf(dir, sizeof(dir), "/tmp/cli_test.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 2;
	snprintf(path, sizeof(path), "%s/startup.conf", dir);
	f = fopen(path, "w");
	fputs(demo_conf, f);
	fclose(f);
	cd.conf.path = path;
	if ((c = conf_parse_text(demo_conf, "demo", &err)) == NULL ||
	    controld_apply(&cd, c, &err) != 0) {
		fprintf(stderr, "demo: %u: %s\n", err.line, err.msg);
		return 2;
	}
	test_abbrev();
	test_names();
	test_help();
	test_complete();
	test_modes();
	test_bad_session();
	test_good_session();
	test_concurrent();
	test_idle();
	test_write();
	test_clear();
	test_ikev2();
	test_isakmp();
	test_session();
	test_rsa();
	test_forgiving();
	test_details();
	req("x", "");		/* frees the last output */
	cli_free(&cd);
	conf_free(cd.conf.running);
	spd_free(cd.conf.spd);
	workers_free(&cd);
	sad_free(&cd.sad);
	unlink(path);
	rmdir(dir);
	free(demo_conf);
	return t_done();
}
