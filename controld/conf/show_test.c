/* SPDX-License-Identifier: Apache-2.0 */
/* conf_show_test.c: golden outputs of the show functions (IOS layouts) on a small
 * configuration and on the demo configuration, filters included. */
#include <stdlib.h>
#include <string.h>

#include "controld/conf/conf.h"
#include "tests/lib/example.h"
#include "tests/lib/test.h"

static const char show_conf[] =
	"hostname gwA\n"
	"crypto ipsec security-association lifetime seconds 1800\n"
	"crypto ipsec show-layout 11.3\n"
	"crypto ipsec transform-set AES-SHA esp-aes esp-sha-hmac\n"
	"crypto ipsec transform-set LEGACY ah-md5-hmac esp-des\n"
	" mode transport\n"
	"crypto ipsec transform-set OLD esp-rfc1829\n"
	" initialization-vector size 4\n"
	"access-list 101 deny udp 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127 eq 7\n"
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"access-list 102 remark the isakmp entry\n"
	"access-list 102 permit tcp host 192.0.2.10 any eq 80 log\n"
	"ip access-list extended dyn-acl\n"
	" permit ip 192.0.2.0 0.0.0.127 any\n"
	"crypto dynamic-map dyn 10\n"
	" set transform-set AES-SHA\n"
	" match address dyn-acl\n"
	"crypto map vpn 10 ipsec-manual\n"
	" match address 101\n"
	" set peer 198.51.100.2\n"
	" set transform-set AES-SHA\n"
	" set session-key inbound esp 1001 cipher 000102030405060708090a0b0c0d0e0f authen"
	"ticator 2122232425262728292a2b2c2d2e2f3031323334\n"
	" set session-key outbound esp 1000 cipher 101112131415161718191a1b1c1d1e1f authe"
	"nticator 3132333435363738393a3b3c3d3e3f4041424344\n"
	"crypto map vpn 20 ipsec-isakmp\n"
	" description to site C\n"
	" match address 102\n"
	" set peer 203.0.113.2\n"
	" set peer 203.0.113.3\n"
	" set transform-set AES-SHA LEGACY\n"
	" set pfs group14\n"
	" set security-association lifetime kilobytes 10000\n"
	"crypto map vpn 30 ipsec-isakmp dynamic dyn\n"
	"interface wan0\n"
	" ip address 198.51.100.1 255.255.255.0\n"
	" crypto map vpn\n";


static const char golden_running[] =
	"Building configuration...\n"
	"\n"
	"Current configuration : 1405 bytes\n"
	"!\n"
	"hostname gwA\n"
	"!\n"
	"crypto ipsec security-association lifetime seconds 1800\n"
	"crypto ipsec show-layout 11.3\n"
	"!\n"
	"crypto ipsec transform-set AES-SHA esp-aes esp-sha-hmac\n"
	"!\n"
	"crypto ipsec transform-set LEGACY ah-md5-hmac esp-des\n"
	" mode transport\n"
	"!\n"
	"crypto ipsec transform-set OLD esp-rfc1829\n"
	" initialization-vector size 4\n"
	"!\n"
	"crypto dynamic-map dyn 10\n"
	" set transform-set AES-SHA\n"
	" match address dyn-acl\n"
	"!\n"
	"crypto map vpn 10 ipsec-manual\n"
	" set peer 198.51.100.2\n"
	" set session-key inbound esp 1001 cipher 000102030405060708090a0b0c0d0e0f authen"
	"ticator 2122232425262728292a2b2c2d2e2f3031323334\n"
	" set session-key outbound esp 1000 cipher 101112131415161718191a1b1c1d1e1f authe"
	"nticator 3132333435363738393a3b3c3d3e3f4041424344\n"
	" set transform-set AES-SHA\n"
	" match address 101\n"
	"!\n"
	"crypto map vpn 20 ipsec-isakmp\n"
	" description to site C\n"
	" set peer 203.0.113.2\n"
	" set peer 203.0.113.3\n"
	" set security-association lifetime kilobytes 10000\n"
	" set transform-set AES-SHA LEGACY\n"
	" set pfs group14\n"
	" match address 102\n"
	"!\n"
	"crypto map vpn 30 ipsec-isakmp dynamic dyn\n"
	"!\n"
	"interface wan0\n"
	" ip address 198.51.100.1 255.255.255.0\n"
	" crypto map vpn\n"
	"!\n"
	"access-list 101 deny udp 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127 eq echo\n"
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"!\n"
	"access-list 102 remark the isakmp entry\n"
	"access-list 102 permit tcp host 192.0.2.10 any eq www log\n"
	"!\n"
	"ip access-list extended dyn-acl\n"
	" permit ip 192.0.2.0 0.0.0.127 any\n"
	"!\n"
	"end\n";

static const char golden_acl_all[] =
	"Extended IP access list 101\n"
	"    10 deny udp 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127 eq echo\n"
	"    20 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"Extended IP access list 102\n"
	"    10 permit tcp host 192.0.2.10 any eq www log\n"
	"Extended IP access list dyn-acl\n"
	"    10 permit ip 192.0.2.0 0.0.0.127 any\n";

static const char golden_acl_102[] =
	"Extended IP access list 102\n"
	"    10 permit tcp host 192.0.2.10 any eq www log\n";

static const char golden_ts_all[] =
	"Transform set AES-SHA: { esp-aes esp-sha-hmac  }\n"
	"   will negotiate = { Tunnel,  },\n"
	"\n"
	"Transform set LEGACY: { ah-md5-hmac esp-des  }\n"
	"   will negotiate = { Transport,  },\n"
	"   weak: ah-md5-hmac (legacy algorithm)\n"
	"   weak: esp-des (legacy algorithm)\n"
	"\n"
	"Transform set OLD: { esp-rfc1829  }\n"
	"   will negotiate = { Tunnel,  },\n"
	"   initialization vector size = 4\n"
	"   weak: esp-rfc1829 (legacy algorithm)\n"
	"\n";

static const char golden_ts_legacy[] =
	"Transform set LEGACY: { ah-md5-hmac esp-des  }\n"
	"   will negotiate = { Transport,  },\n"
	"   weak: ah-md5-hmac (legacy algorithm)\n"
	"   weak: esp-des (legacy algorithm)\n"
	"\n";

static const char golden_map_all[] =
	"Crypto Map \"vpn\" 10 ipsec-manual\n"
	"        Peer = 198.51.100.2\n"
	"        Extended IP access list 101\n"
	"            access-list 101 deny udp 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127 e"
	"q echo\n"
	"            access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"        Current peer: 198.51.100.2\n"
	"        Transform sets={ AES-SHA, }\n"
	"        Interfaces using crypto map vpn:\n"
	"                wan0\n"
	"\n"
	"Crypto Map \"vpn\" 20 ipsec-isakmp\n"
	"        Description: to site C\n"
	"        Peer = 203.0.113.2\n"
	"        Peer = 203.0.113.3\n"
	"        Extended IP access list 102\n"
	"            access-list 102 permit tcp host 192.0.2.10 any eq www log\n"
	"        Current peer: 203.0.113.2\n"
	"        Security association lifetime: 10000 kilobytes/1800 seconds\n"
	"        PFS (Y/N): Y\n"
	"        DH group:  group14\n"
	"        Transform sets={ AES-SHA, LEGACY, }\n"
	"        Interfaces using crypto map vpn:\n"
	"                wan0\n"
	"\n"
	"Crypto Map \"vpn\" 30 ipsec-isakmp\n"
	"        Dynamic map template tag: dyn\n"
	"        Interfaces using crypto map vpn:\n"
	"                wan0\n";

static const char golden_dyn_all[] =
	"Crypto Map Template \"dyn\" 10\n"
	"        Extended IP access list dyn-acl\n"
	"            access-list dyn-acl permit ip 192.0.2.0 0.0.0.127 any\n"
	"        Security association lifetime: 4608000 kilobytes/1800 seconds\n"
	"        PFS (Y/N): N\n"
	"        Transform sets={ AES-SHA, }\n";

static const char golden_life[] =
	"Security association lifetime: 4608000 kilobytes/1800 seconds\n";

static const char golden_demo_map[] =
	"Crypto Map \"vpn\" 10 ipsec-manual\n"
	"        Peer = 198.51.100.2\n"
	"        Extended IP access list 101\n"
	"            access-list 101 deny udp 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127 e"
	"q echo\n"
	"            access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"        Current peer: 198.51.100.2\n"
	"        Transform sets={ AES-SHA, }\n"
	"        Interfaces using crypto map vpn:\n"
	"                wan0\n";

static const char golden_demo_ts[] =
	"Transform set AES-SHA: { esp-aes 256 esp-sha-hmac  }\n"
	"   will negotiate = { Tunnel,  },\n"
	"\n";

static const char golden_demo_life[] =
	"Security association lifetime: 4608000 kilobytes/3600 seconds\n";

/* Each show function through a memory stream. */
enum what { RUNNING, ACLS, TSETS, MAPS, DYNMAPS, LIFETIME, ACE0 };

static char *
show(const struct conf *c, enum what w, const char *tag, const char *ifname)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	switch (w) {
	case RUNNING:
		conf_show_running(c, f);
		break;
	case ACLS:
		conf_show_access_lists(c, tag, f);
		break;
	case TSETS:
		conf_show_transform_sets(c, tag, f);
		break;
	case MAPS:
		conf_show_crypto_map(c, tag, ifname, f);
		break;
	case DYNMAPS:
		conf_show_dynamic_map(c, tag, f);
		break;
	case LIFETIME:
		conf_show_sa_lifetime(c, f);
		break;
	case ACE0:
		conf_show_ace(&conf_acl_find(c, tag)->aces[0], f);
		break;
	}
	fclose(f);
	return buf;
}

static const struct {
	const char	*name;
	enum what	what;
	const char	*tag, *ifname;
	const char	*want;
} cases[] = {
	{ "show running-config", RUNNING, NULL, NULL, golden_running },
	{ "show ip access-lists", ACLS, NULL, NULL, golden_acl_all },
	{ "show ip access-lists 102", ACLS, "102", NULL, golden_acl_102 },
	{ "show ip access-lists nope", ACLS, "nope", NULL, "" },
	{ "show crypto ipsec transform-set", TSETS, NULL, NULL, golden_ts_all },
	{ "show crypto ipsec transform-set tag LEGACY", TSETS, "LEGACY", NULL, golden_ts_legacy },
	{ "show crypto ipsec transform-set tag nope", TSETS, "nope", NULL, "" },
	{ "show crypto map", MAPS, NULL, NULL, golden_map_all },
	{ "show crypto map tag vpn", MAPS, "vpn", NULL, golden_map_all },
	{ "show crypto map interface wan0", MAPS, NULL, "wan0", golden_map_all },
	{ "show crypto map interface wan9", MAPS, NULL, "wan9", "" },
	{ "show crypto map tag other", MAPS, "other", NULL, "" },
	{ "show crypto dynamic-map", DYNMAPS, NULL, NULL, golden_dyn_all },
	{ "show crypto dynamic-map tag dyn", DYNMAPS, "dyn", NULL, golden_dyn_all },
	{ "show crypto ipsec security-association lifetime", LIFETIME, NULL, NULL, golden_life },
	{ "one entry", ACE0, "102", NULL, "remark the isakmp entry" },
	{ "one entry", ACE0, "101", NULL,
	  "deny udp 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127 eq echo" },
};

static const struct {
	const char	*name;
	enum what	what;
	const char	*tag, *ifname;
	const char	*want;
} demo_cases[] = {
	{ "demo: show crypto map", MAPS, "vpn", "wan0", golden_demo_map },
	{ "demo: show crypto ipsec transform-set", TSETS, "AES-SHA", NULL, golden_demo_ts },
	{ "demo: lifetime", LIFETIME, NULL, NULL, golden_demo_life },
	{ "demo: no dynamic maps", DYNMAPS, NULL, NULL, "" },
};

/* IOS 12.4/15: transform names with the AES key size in them, tab-indented crypto maps with
 * each transform set's transforms (docs/show.md). */
static const char golden15_ts_all[] =
	"Transform set AES-SHA: { esp-aes esp-sha-hmac  }\n"
	"   will negotiate = { Tunnel,  },\n"
	"\n"
	"Transform set LEGACY: { ah-md5-hmac esp-des  }\n"
	"   will negotiate = { Transport,  },\n"
	"\n"
	"Transform set OLD: { esp-rfc1829  }\n"
	"   will negotiate = { Tunnel,  },\n"
	"   initialization vector size = 4\n"
	"\n";
static const char golden15_map_all[] =
	"Crypto Map \"vpn\" 10 ipsec-manual\n"
	"\tPeer = 198.51.100.2\n"
	"\tExtended IP access list 101\n"
	"\t    access-list 101 deny udp 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127 eq echo\n"
	"\t    access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"\tCurrent peer: 198.51.100.2\n"
	"\tTransform sets={ \n"
	"\t\tAES-SHA:  { esp-aes esp-sha-hmac  } , \n"
	"\t}\n"
	"\tInterfaces using crypto map vpn:\n"
	"\t\twan0\n"
	"\n"
	"Crypto Map \"vpn\" 20 ipsec-isakmp\n"
	"\tDescription: to site C\n"
	"\tPeer = 203.0.113.2\n"
	"\tPeer = 203.0.113.3\n"
	"\tExtended IP access list 102\n"
	"\t    access-list 102 permit tcp host 192.0.2.10 any eq www log\n"
	"\tCurrent peer: 203.0.113.2\n"
	"\tSecurity association lifetime: 10000 kilobytes/1800 seconds\n"
	"\tResponder-Only (Y/N): N\n"
	"\tPFS (Y/N): Y\n"
	"\tDH group:  group14\n"
	"\tTransform sets={ \n"
	"\t\tAES-SHA:  { esp-aes esp-sha-hmac  } , \n"
	"\t\tLEGACY:  { ah-md5-hmac esp-des  } , \n"
	"\t}\n"
	"\tInterfaces using crypto map vpn:\n"
	"\t\twan0\n"
	"\n"
	"Crypto Map \"vpn\" 30 ipsec-isakmp\n"
	"\tDynamic map template tag: dyn\n"
	"\tInterfaces using crypto map vpn:\n"
	"\t\twan0\n";
static const char golden15_demo_map[] =
	"Crypto Map \"vpn\" 10 ipsec-manual\n"
	"\tPeer = 198.51.100.2\n"
	"\tExtended IP access list 101\n"
	"\t    access-list 101 deny udp 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127 eq echo\n"
	"\t    access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"\tCurrent peer: 198.51.100.2\n"
	"\tTransform sets={ \n"
	"\t\tAES-SHA:  { esp-256-aes esp-sha-hmac  } , \n"
	"\t}\n"
	"\tInterfaces using crypto map vpn:\n"
	"\t\twan0\n";
static const char golden15_demo_ts[] =
	"Transform set AES-SHA: { esp-256-aes esp-sha-hmac  }\n"
	"   will negotiate = { Tunnel,  },\n"
	"\n";

static const struct {
	const char	*text;
	int		want;		/* enum conf_show_layout; -1: refused */
} layouts[] = {
	{ "crypto ipsec show-layout 11.3\n", CONF_LAYOUT_11_3 },
	{ "crypto ipsec show-layout 15\n", CONF_LAYOUT_15 },
	{ "crypto ipsec show-layout 11.3\nno crypto ipsec show-layout\n", CONF_LAYOUT_15 },
	{ "crypto ipsec show-layout 11.3\nno crypto ipsec show-layout 11.3\n", CONF_LAYOUT_15 },
	{ "crypto ipsec show-layout 12.4\n", -1 },
	{ "crypto ipsec show-layout\n", -1 },
	{ "crypto ipsec show-layout 15 now\n", -1 },
};

static const struct {
	const char	*name;
	bool		demo;
	enum what	what;
	const char	*tag;
	const char	*want;
} cases15[] = {
	{ "15: show crypto ipsec transform-set", false, TSETS, NULL, golden15_ts_all },
	{ "15: show crypto map", false, MAPS, NULL, golden15_map_all },
	{ "15: demo: show crypto map", true, MAPS, "vpn", golden15_demo_map },
	{ "15: demo: show crypto ipsec transform-set", true, TSETS, NULL, golden15_demo_ts },
};

int
main(void)
{
	struct gw_err err = { 0, "" };
	struct conf *c = conf_parse_text(show_conf, "show", &err);
	char *demo_conf = test_example("gwA.conf", NULL);
	struct conf *d = conf_parse_text(demo_conf, "demo", &err);
	struct conf *e = conf_new();
	char *out;

	T_OK(c != NULL && d != NULL, "parse: line %u: %s", err.line, err.msg);
	if (c == NULL || d == NULL)
		return t_done();
	T_EQ(conf_validate(c, &err, NULL), 0, "validate show_conf: %s", err.msg);
	T_EQ(conf_validate(d, &err, NULL), 0, "validate demo: %s", err.msg);
	d->show_layout = CONF_LAYOUT_11_3;	/* the goldens below are the 11.3 layout's */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = show(c, cases[i].what, cases[i].tag, cases[i].ifname);
		T_STREQ(out, cases[i].want, "%s", cases[i].name);
		free(out);
	}
	for (size_t i = 0; i < sizeof(demo_cases) / sizeof(demo_cases[0]); i++) {
		out = show(d, demo_cases[i].what, demo_cases[i].tag, demo_cases[i].ifname);
		T_STREQ(out, demo_cases[i].want, "%s", demo_cases[i].name);
		free(out);
	}
	/* An empty configuration shows its defaults and nothing else. */
	out = show(e, RUNNING, NULL, NULL);
	T_STREQ(out, "Building configuration...\n\nCurrent configuration : 24 bytes\n!\n"
	    "hostname Router\n!\nend\n", "empty running config, with IOS's headers");
	free(out);
	out = show(e, MAPS, NULL, NULL);
	T_STREQ(out, "", "no crypto maps");
	free(out);
	/* A manual entry with an anti-replay window (ours, not IOS 11.3) says so. */
	conf_free(e);
	e = conf_parse_text("crypto ipsec show-layout 11.3\n"
	    "crypto map vpn 10 ipsec-manual\n set peer 198.51.100.2\n"
	    " set security-association replay window-size 128\n", "replay", &err);
	T_OK(e != NULL, "parse: %s", err.msg);
	if (e != NULL) {
		out = show(e, MAPS, NULL, NULL);
		T_STREQ(out, "Crypto Map \"vpn\" 10 ipsec-manual\n"
		    "        Peer = 198.51.100.2\n"
		    "        No matching address list set.\n"
		    "        Current peer: 198.51.100.2\n"
		    "        Replay window size: 128\n"
		    "        Transform sets={ }\n"
		    "        Interfaces using crypto map vpn:\n",
		    "manual entry with a replay window");
		free(out);
	}
	/* The same configurations in the IOS 12.4/15 layout, the default. */
	c->show_layout = CONF_LAYOUT_15;
	d->show_layout = CONF_LAYOUT_15;
	for (size_t i = 0; i < sizeof(cases15) / sizeof(cases15[0]); i++) {
		out = show(cases15[i].demo ? d : c, cases15[i].what, cases15[i].tag, NULL);
		T_STREQ(out, cases15[i].want, "%s", cases15[i].name);
		free(out);
	}
	out = show(c, RUNNING, NULL, NULL);
	T_OK(strstr(out, "show-layout") == NULL, "show-layout 15, the default, is not written");
	free(out);
	/* the command: 15 or 11.3, "no" back to 15, anything else refused with the choices */
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		struct conf *l = conf_parse_text(layouts[i].text, "layout", &err);

		T_OK((l != NULL) == (layouts[i].want >= 0), "%s: %s", layouts[i].text,
		    l == NULL ? err.msg : "accepted");
		if (l != NULL)
			T_EQ((int)l->show_layout, layouts[i].want, "%s", layouts[i].text);
		else
			T_OK(strstr(err.msg, "expected 15") != NULL ||
			    strstr(err.msg, "unexpected word") != NULL, "why: %s", err.msg);
		conf_free(l);
	}
	conf_free(c);
	conf_free(d);
	free(demo_conf);
	conf_free(e);
	return t_done();
}
