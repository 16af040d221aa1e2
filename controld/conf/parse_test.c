/* SPDX-License-Identifier: Apache-2.0 */
/* conf_parse_test.c: the IOS configuration parser, command by command (valid and invalid
 * forms), whole configurations, all-or-nothing parsing (docs/design.md invariant 4), sessions,
 * round trips through conf_write_config() (conf_show_running() is the same text without
 * IKEv2 pre-shared keys), conf_validate(), and the examples of deploy/examples/. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "controld/conf/conf.h"
#include "tests/lib/example.h"
#include "tests/lib/test.h"

static char *
running(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	conf_write_config(c, f);
	fclose(f);
	return buf;
}

/* ---- Valid commands: the text parses, the running config shows want and not absent ---- */

static const struct {
	const char *text, *want, *absent;
} valid[] = {
	{ "", "hostname Router\n!\nend\n", NULL },
	{ "!\n! a comment\n\n   \nend\nexit\n", "hostname Router\n", NULL },
	{ "hostname gwA", "hostname gwA\n", NULL },
	{ "hostname gwA\nno hostname", "hostname Router\n", NULL },
	{ "HOSTNAME gw-b2", "hostname gw-b2\n", NULL },
	/* extended access lists, numbered */
	{ "access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127",
	  "access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n", NULL },
	{ "access-list 101 permit ip 192.0.2.5 0.0.0.127 any",	/* IOS clears wildcard bits */
	  "access-list 101 permit ip 192.0.2.0 0.0.0.127 any\n", NULL },
	{ "access-list 101 permit ip 192.0.2.1 0.0.0.0 0.0.0.0 255.255.255.255",
	  "access-list 101 permit ip host 192.0.2.1 any\n", NULL },
	{ "access-list 150 deny tcp host 192.0.2.1 eq 23 any gt 1023 log",
	  "access-list 150 deny tcp host 192.0.2.1 eq telnet any gt 1023 log\n", NULL },
	{ "access-list 101 permit udp any range 500 4500 any neq 53",
	  "access-list 101 permit udp any range isakmp non500-isakmp any neq domain\n", NULL },
	{ "access-list 101 permit udp any eq bootps any eq isakmp",
	  "access-list 101 permit udp any eq bootps any eq isakmp\n", NULL },
	{ "access-list 101 permit tcp any any eq www",
	  "access-list 101 permit tcp any any eq www\n", NULL },
	{ "access-list 101 permit tcp any eq smtp any range 6000 6010",
	  "access-list 101 permit tcp any eq smtp any range 6000 6010\n", NULL },
	{ "access-list 101 permit tcp any any lt 1024 precedence 5 tos 8",
	  "access-list 101 permit tcp any any lt 1024 precedence critical tos min-delay\n", NULL },
	{ "access-list 101 permit ip any any precedence flash-override tos max-reliability log",
	  "access-list 101 permit ip any any precedence flash-override tos max-reliability log\n",
	  NULL },
	{ "access-list 101 permit ip any any tos 3",
	  "access-list 101 permit ip any any tos 3\n", NULL },
	{ "access-list 101 permit 50 any any", "access-list 101 permit esp any any\n", NULL },
	{ "access-list 101 permit 200 any any", "access-list 101 permit 200 any any\n", NULL },
	{ "access-list 101 permit 0 any any", "access-list 101 permit ip any any\n", NULL },
	{ "access-list 101 permit icmp any any\naccess-list 101 permit igmp any any\n"
	  "access-list 101 permit ipinip any any\naccess-list 101 permit gre any any\n"
	  "access-list 101 permit esp any any\naccess-list 101 permit ahp any any\n"
	  "access-list 101 permit eigrp any any\naccess-list 101 permit ospf any any\n"
	  "access-list 101 permit pim any any\naccess-list 101 permit nos any any",
	  "access-list 101 permit icmp any any\naccess-list 101 permit igmp any any\n"
	  "access-list 101 permit ipinip any any\naccess-list 101 permit gre any any\n"
	  "access-list 101 permit esp any any\naccess-list 101 permit ahp any any\n"
	  "access-list 101 permit eigrp any any\naccess-list 101 permit ospf any any\n"
	  "access-list 101 permit pim any any\naccess-list 101 permit nos any any\n", NULL },
	{ "access-list 101 remark protect  lab traffic ",
	  "access-list 101 remark protect  lab traffic\n", NULL },
	{ "access-list 2000 permit ip any any", "access-list 2000 permit ip any any\n", NULL },
	{ "access-list 101 permit ip any any\nno access-list 101", NULL, "access-list" },
	{ "no access-list 101", "end\n", "access-list" },	/* nothing to remove: fine */
	/* named extended access lists */
	{ "ip access-list extended vpn-traffic\n permit ip 192.0.2.0 0.0.0.127 any\n remark x y\n"
	  " deny ip any any",
	  "ip access-list extended vpn-traffic\n permit ip 192.0.2.0 0.0.0.127 any\n remark x y\n"
	  " deny ip any any\n!\n", NULL },
	{ "ip access-list extended X\npermit ip any any\ndeny ip any any\nno permit ip any any",
	  "ip access-list extended X\n 20 deny ip any any\n", "permit" },
	{ "ip access-list extended X\nno ip access-list extended X", NULL, "X" },
	{ "ip access-list extended 120\n permit ip any host 192.0.2.1",
	  "access-list 120 permit ip any host 192.0.2.1\n", NULL },
	{ "ip access-list extended empty", "ip access-list extended empty\n!\n", NULL },
	/* transform sets: every transform and the combinations IOS allows */
	{ "crypto ipsec transform-set T ah-md5-hmac", "transform-set T ah-md5-hmac\n", NULL },
	{ "crypto ipsec transform-set T ah-sha-hmac", "transform-set T ah-sha-hmac\n", NULL },
	{ "crypto ipsec transform-set T ah-sha256-hmac", "transform-set T ah-sha256-hmac\n",
	  NULL },
	{ "crypto ipsec transform-set T ah-sha384-hmac", "transform-set T ah-sha384-hmac\n",
	  NULL },
	{ "crypto ipsec transform-set T ah-sha512-hmac", "transform-set T ah-sha512-hmac\n",
	  NULL },
	{ "crypto ipsec transform-set T ah-rfc1828", "transform-set T ah-rfc1828\n", NULL },
	{ "crypto ipsec transform-set T esp-des", "transform-set T esp-des\n", NULL },
	{ "crypto ipsec transform-set T esp-3des esp-md5-hmac",
	  "transform-set T esp-3des esp-md5-hmac\n", NULL },
	{ "crypto ipsec transform-set T esp-aes", "transform-set T esp-aes\n", NULL },
	{ "crypto ipsec transform-set T esp-aes 128", "transform-set T esp-aes\n", NULL },
	{ "crypto ipsec transform-set T esp-aes 192 esp-sha256-hmac",
	  "transform-set T esp-aes 192 esp-sha256-hmac\n", NULL },
	{ "crypto ipsec transform-set T esp-sha384-hmac esp-aes 256",
	  "transform-set T esp-sha384-hmac esp-aes 256\n", NULL },
	{ "crypto ipsec transform-set T esp-gcm", "transform-set T esp-gcm\n", NULL },
	{ "crypto ipsec transform-set T esp-gcm 256", "transform-set T esp-gcm 256\n", NULL },
	{ "crypto ipsec transform-set T esp-gmac 256", "transform-set T esp-gmac 256\n", NULL },
	{ "crypto ipsec transform-set T esp-chacha20-poly1305",
	  "transform-set T esp-chacha20-poly1305\n", NULL },
	{ "crypto ipsec transform-set T esp-null esp-sha512-hmac",
	  "transform-set T esp-null esp-sha512-hmac\n", NULL },
	{ "crypto ipsec transform-set T esp-sha-hmac", "transform-set T esp-sha-hmac\n", NULL },
	{ "crypto ipsec transform-set T ah-sha-hmac esp-des esp-sha-hmac",
	  "transform-set T ah-sha-hmac esp-des esp-sha-hmac\n", NULL },
	{ "crypto ipsec transform-set T ah-sha-hmac esp-gcm 256",
	  "transform-set T ah-sha-hmac esp-gcm 256\n", NULL },
	{ "crypto ipsec transform-set T ah-rfc1828 esp-rfc1829",
	  "transform-set T ah-rfc1828 esp-rfc1829\n", NULL },
	{ "crypto ipsec transform-set T esp-rfc1829\n initialization-vector size 4",
	  "transform-set T esp-rfc1829\n initialization-vector size 4\n", NULL },
	{ "crypto ipsec transform-set T esp-rfc1829\n initialization-vector size 8",
	  "transform-set T esp-rfc1829\n!\n", "initialization-vector" },
	{ "crypto ipsec transform-set T esp-des\n mode transport",
	  "transform-set T esp-des\n mode transport\n", NULL },
	{ "crypto ipsec transform-set T esp-des\n mode transport\n no mode",
	  "transform-set T esp-des\n!\n", "mode" },
	{ "crypto ipsec transform-set T esp-des\n mode tunnel", "transform-set T esp-des\n!\n",
	  "mode" },
	{ "crypto ipsec transform-set T esp-des\n mode transport\n"
	  "crypto ipsec transform-set T esp-3des",		/* redefined: the mode stays */
	  "transform-set T esp-3des\n mode transport\n", "esp-des" },
	{ "crypto ipsec transform-set T esp-des\nno crypto ipsec transform-set T", NULL,
	  "transform-set" },
	/* global lifetimes */
	{ "crypto ipsec security-association lifetime seconds 120",
	  "crypto ipsec security-association lifetime seconds 120\n", "kilobytes" },
	{ "crypto ipsec security-association lifetime kilobytes 536870912",
	  "crypto ipsec security-association lifetime kilobytes 536870912\n", "seconds" },
	{ "crypto ipsec security-association lifetime seconds 86400\n"
	  "no crypto ipsec security-association lifetime seconds", NULL, "lifetime" },
	{ "crypto ipsec security-association lifetime seconds 3600", NULL, "lifetime" },
	/* crypto maps */
	{ "crypto map vpn 10", "crypto map vpn 10 ipsec-isakmp\n!\n", NULL },
	{ "crypto map vpn 65535 ipsec-isakmp", "crypto map vpn 65535 ipsec-isakmp\n", NULL },
	{ "crypto map vpn 20 ipsec-isakmp\n set peer 198.51.100.2\n set peer 198.51.100.3\n"
	  " set peer 198.51.100.2\n set transform-set A B C D E F\n set pfs\n"
	  " set security-association level per-host\n"
	  " set security-association lifetime seconds 900\n"
	  " set security-association lifetime kilobytes 10000\n"
	  " set security-association replay window-size 128\n match address 102\n"
	  " description to gwB",
	  "crypto map vpn 20 ipsec-isakmp\n description to gwB\n set peer 198.51.100.2\n"
	  " set peer 198.51.100.3\n set security-association level per-host\n"
	  " set security-association lifetime seconds 900\n"
	  " set security-association lifetime kilobytes 10000\n"
	  " set security-association replay window-size 128\n"
	  " set transform-set A B C D E F\n set pfs group1\n match address 102\n!\n", NULL },
	{ "crypto map vpn 20\n set pfs group2", " set pfs group2\n", NULL },
	{ "crypto map vpn 30 ipsec-manual\n set nat-t udp-encapsulation",
	  "crypto map vpn 30 ipsec-manual\n set nat-t udp-encapsulation\n", NULL },
	{ "crypto map vpn 30 ipsec-manual\n set nat-t udp-encapsulation\n no set nat-t "
	  "udp-encapsulation", "crypto map vpn 30 ipsec-manual\n!\n", "nat-t" },
	/* anti-replay, opt-in for manual entries (not IOS 11.3) */
	{ "crypto map vpn 30 ipsec-manual\n set security-association replay window-size 1024",
	  "crypto map vpn 30 ipsec-manual\n set security-association replay window-size 1024\n",
	  NULL },
	{ "crypto map vpn 30 ipsec-manual\n set security-association replay window-size 64\n"
	  " no set security-association replay window-size", "crypto map vpn 30 ipsec-manual\n!\n",
	  "replay" },
	{ "crypto map vpn 20\n set pfs group5", " set pfs group5\n", NULL },
	{ "crypto map vpn 20\n set pfs group14", " set pfs group14\n", NULL },
	{ "crypto map vpn 20\n set pfs group19", " set pfs group19\n", NULL },
	{ "crypto map vpn 20\n set pfs group20", " set pfs group20\n", NULL },
	{ "crypto map vpn 20\n set pfs group21", " set pfs group21\n", NULL },
	{ "crypto map vpn 20\n set pfs group21\n no set pfs", "ipsec-isakmp\n!\n", "pfs" },
	{ "crypto map vpn 20\n set peer 198.51.100.2\n set peer 198.51.100.3\n"
	  " no set peer 198.51.100.2", " set peer 198.51.100.3\n", "198.51.100.2" },
	{ "crypto map vpn 20\n match address 101\n no match address", "ipsec-isakmp\n!\n",
	  "match" },
	{ "crypto map vpn 20\n match address vpn-traffic", " match address vpn-traffic\n",
	  NULL },
	{ "crypto map vpn 20\n set transform-set A\n no set transform-set", "ipsec-isakmp\n!\n",
	  "transform-set" },
	{ "crypto map vpn 20\n set security-association lifetime seconds 900\n"
	  " no set security-association lifetime seconds", "ipsec-isakmp\n!\n", "lifetime" },
	{ "crypto map vpn 20\n set security-association level per-host\n"
	  " no set security-association level per-host", "ipsec-isakmp\n!\n", "level" },
	{ "crypto map vpn 20\n set security-association replay window-size 1024\n"
	  " no set security-association replay window-size", "ipsec-isakmp\n!\n", "replay" },
	{ "crypto map vpn 20\n description x\n no description", "ipsec-isakmp\n!\n", "descr" },
	{ "crypto map vpn 10 ipsec-manual\n set peer 198.51.100.2\n set peer 198.51.100.2",
	  " set peer 198.51.100.2\n!\n", NULL },		/* the same peer again: no-op */
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound ah 256 0123456789abcdef"
	  "0123456789abcdef\n set session-key outbound ah 4294967295 0x00112233445566778899AABB"
	  "CCDDEEFF", " set session-key inbound ah 256 0123456789abcdef0123456789abcdef\n"
	  " set session-key outbound ah 4294967295 00112233445566778899aabbccddeeff\n", NULL },
	{ "crypto map vpn 10 ipsec-manual\n"
	  " set session-key inbound esp 300 cipher 0011223344556677",
	  " set session-key inbound esp 300 cipher 0011223344556677\n", NULL },
	{ "crypto map vpn 10 ipsec-manual\n set session-key outbound esp 300 authenticator 0011",
	  " set session-key outbound esp 300 authenticator 0011\n", NULL },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 300 cipher 00 "
	  "authenticator 11\n set session-key inbound esp 301 cipher 22",	/* replaces */
	  " set session-key inbound esp 301 cipher 22\n", "300" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 300 cipher 00\n"
	  " no set session-key inbound esp", "ipsec-manual\n!\n", "session-key" },
	{ "crypto map vpn 10 ipsec-manual\n set transform-set T\n set transform-set U",
	  " set transform-set U\n", " T\n" },
	{ "crypto map vpn 30 ipsec-isakmp dynamic dyn\n description catch-all",
	  "crypto map vpn 30 ipsec-isakmp dynamic dyn\n description catch-all\n!\n", NULL },
	{ "crypto map vpn local-address lo0", "crypto map vpn local-address lo0\n!\n", NULL },
	{ "crypto map vpn local-address lo0\nno crypto map vpn local-address", NULL, "vpn" },
	{ "crypto map vpn 10\ncrypto map vpn 5 ipsec-manual\ncrypto map vpn 7",	/* sorted */
	  "crypto map vpn 5 ipsec-manual\n!\ncrypto map vpn 7 ipsec-isakmp\n!\n"
	  "crypto map vpn 10 ipsec-isakmp\n!\n", NULL },
	{ "crypto map vpn 10\ncrypto map vpn 20\nno crypto map vpn 10",
	  "crypto map vpn 20 ipsec-isakmp\n", "vpn 10" },
	{ "crypto map vpn 10\ncrypto map vpn 20\nno crypto map vpn", NULL, "crypto map" },
	{ "crypto map vpn 10 ipsec-manual\ncrypto map vpn 10\n set peer 198.51.100.9",
	  "crypto map vpn 10 ipsec-manual\n set peer 198.51.100.9\n", NULL },
	/* dynamic maps */
	{ "crypto dynamic-map dyn 10\n set transform-set A B\n match address 120\n"
	  " set peer 203.0.113.1\n set pfs group2\n set security-association lifetime seconds 900",
	  "crypto dynamic-map dyn 10\n set peer 203.0.113.1\n"
	  " set security-association lifetime seconds 900\n set transform-set A B\n"
	  " set pfs group2\n match address 120\n!\n", NULL },
	{ "crypto dynamic-map dyn 10\ncrypto dynamic-map dyn 20\nno crypto dynamic-map dyn 10",
	  "crypto dynamic-map dyn 20\n", "dyn 10" },
	{ "crypto dynamic-map dyn 10\nno crypto dynamic-map dyn", NULL, "dyn" },
	/* interfaces */
	{ "interface wan0\n description uplink to the ISP\n"
	  " ip address 198.51.100.1 255.255.255.0\n"
	  " crypto map vpn\n shutdown",
	  "interface wan0\n description uplink to the ISP\n ip address 198.51.100.1 "
	  "255.255.255.0\n crypto map vpn\n shutdown\n!\n", NULL },
	{ "interface wan0\n shutdown\n no shutdown", "interface wan0\n!\n", "shutdown" },
	{ "interface wan0\n crypto map vpn\n no crypto map", "interface wan0\n!\n", "crypto" },
	{ "interface wan0\n ip address 198.51.100.1 255.255.255.0\n no ip address",
	  "interface wan0\n!\n", "ip address" },
	{ "interface wan0\n ip address 198.51.100.1 255.255.255.254",
	  " ip address 198.51.100.1 255.255.255.254\n", NULL },
	{ "interface Ethernet 0", "interface Ethernet0\n", NULL },
	{ "interface wan0\nno interface wan0", NULL, "interface" },
	/* sub-modes: indentation does not matter, a global command leaves the sub-mode */
	{ "crypto map vpn 10 ipsec-isakmp\nset peer 198.51.100.2\n  match address 101",
	  " set peer 198.51.100.2\n", NULL },
	{ "interface wan0\n hostname gwC\nexit\nexit\nend", "hostname gwC\n", NULL },
	{ "interface wan0\n crypto map vpn 10 ipsec-manual\n set peer 198.51.100.2",
	  "crypto map vpn 10 ipsec-manual\n set peer 198.51.100.2\n", " crypto map vpn\n" },
	{ "interface wan0\n no crypto map vpn 10", "interface wan0\n", NULL },
	{ "CRYPTO MAP vpn 10 IPSEC-MANUAL\n SET PEER 198.51.100.2",
	  "crypto map vpn 10 ipsec-manual\n set peer 198.51.100.2\n", NULL },
	{ "hostname gwA\r\ninterface wan0\r\n", "hostname gwA\n", NULL },
};

/* ---- Invalid forms: the line and a part of the message ---- */

static const struct {
	const char	*text;
	unsigned	line;
	const char	*msg;
} invalid[] = {
	{ "bogus", 1, "\"bogus\": unknown command" },
	{ "ip routing-frob 0.0.0.0 0.0.0.0 198.51.100.254", 1, "\"routing-frob\": unknown command" },
	{ "no", 1, "no: needs a command" },
	{ "end now", 1, "end: \"now\": unexpected word" },
	{ "hostname a\001b", 1, "control character 0x01" },
	{ "hostname", 1, "hostname: needs a name" },
	{ "hostname 1abc", 1, "must start with a letter" },
	{ "hostname a_b", 1, "only letters, digits and hyphens" },
	{ "hostname a b", 1, "\"b\": unexpected word" },
	/* access lists */
	{ "access-list", 1, "needs a list number" },
	{ "access-list 99 permit ip any any", 1, "\"ip\": not a source address" },
	{ "access-list 300 permit ip any any", 1, "\"300\": not an IP access list number" },
	{ "access-list 101 allow ip any any", 1, "\"allow\": expected permit, deny or remark" },
	{ "access-list 101", 1, "expected permit, deny or remark" },
	{ "access-list 101 permit", 1, "missing protocol" },
	{ "access-list 101 permit foo any any", 1, "\"foo\": unknown protocol" },
	{ "access-list 101 permit 256 any any", 1, "\"256\": unknown protocol" },
	{ "access-list 101 permit ip 192.0.2.300 0.0.0.255 any", 1,
	  "\"192.0.2.300\": not a source address" },
	{ "access-list 101 permit ip 192.0.2 0.0.0.255 any", 1, "not a source address" },
	{ "access-list 101 permit ip 192.0.2.0 any", 1, "\"any\" is not a wildcard mask" },
	{ "access-list 101 permit ip host any any", 1, "host \"any\": not an IPv4 address" },
	{ "access-list 101 permit ip any", 1, "missing destination address" },
	{ "access-list 101 permit ip any any eq 80", 1,
	  "\"eq\": ports apply only to tcp and udp" },
	{ "access-list 101 permit tcp any any eq http2", 1, "\"http2\": not a port number" },
	{ "access-list 101 permit tcp any any eq isakmp", 1, "\"isakmp\": not a port number" },
	{ "access-list 101 permit tcp any any eq 65536", 1, "\"65536\": not a port number" },
	{ "access-list 101 permit tcp any any eq", 1, "port operator needs a port" },
	{ "access-list 101 permit tcp any any range 90 80", 1, "first port is above the last" },
	{ "access-list 101 permit tcp any any lt 0", 1, "lt 0: matches no port" },
	{ "access-list 101 permit tcp any any gt 65535", 1, "gt 65535: matches no port" },
	{ "access-list 101 permit ip any any precedence 8", 1, "not 0-7" },
	{ "access-list 101 permit ip any any tos 16", 1, "not 0-15" },
	{ "access-list 101 permit ip any any tos urgent", 1, "tos \"urgent\"" },
	{ "access-list 101 permit ip any any log log", 1, "\"log\": unexpected word" },
	{ "access-list 101 permit ip any any established", 1, "\"established\": unexpected" },
	{ "access-list 101 remark", 1, "remark needs text" },
	{ "access-list 101 remark 01234567890123456789012345678901234567890123456789"
	  "012345678901234567890123456789012345678901234567890", 1, "longer than 100" },
	{ "ip access-list reflexive x", 1, "expected extended or standard" },
	{ "ip access-list extended 99", 1, "not an extended access list" },
	{ "ip access-list extended", 1, "needs a name" },
	{ "ip access-list extended x\n permit ip any any\n bogus", 3,
	  "ip access-list extended x: \"bogus\": unknown command" },
	{ "ip access-list extended x\n permit ip any", 2, "missing destination address" },
	/* transform sets: the combination rules, each by name */
	{ "crypto ipsec transform-set T", 1, "needs at least one transform" },
	{ "crypto ipsec transform-set T esp-foo", 1, "\"esp-foo\": unknown transform" },
	{ "crypto ipsec transform-set T ah-md5-hmac ah-sha-hmac", 1,
	  "\"ah-sha-hmac\": at most one AH transform per set (already ah-md5-hmac)" },
	{ "crypto ipsec transform-set T esp-des esp-3des", 1,
	  "\"esp-3des\": at most one ESP cipher per set (already esp-des)" },
	{ "crypto ipsec transform-set T esp-des esp-md5-hmac esp-sha-hmac", 1,
	  "at most one ESP authenticator per set" },
	{ "crypto ipsec transform-set T esp-gcm esp-sha-hmac", 1,
	  "esp-gcm is a combined-mode cipher and takes no ESP authenticator" },
	{ "crypto ipsec transform-set T esp-sha-hmac esp-gmac", 1,
	  "esp-gmac is a combined-mode cipher" },
	{ "crypto ipsec transform-set T esp-chacha20-poly1305 esp-md5-hmac", 1,
	  "esp-chacha20-poly1305 is a combined-mode cipher" },
	{ "crypto ipsec transform-set T esp-rfc1829 esp-md5-hmac", 1,
	  "esp-rfc1829 takes no ESP authenticator" },
	{ "crypto ipsec transform-set T ah-md5-hmac esp-rfc1829", 1,
	  "esp-rfc1829 combines only with ah-rfc1828" },
	{ "crypto ipsec transform-set T esp-rfc1829 ah-sha-hmac", 1,
	  "esp-rfc1829 combines only with ah-rfc1828" },
	{ "crypto ipsec transform-set T ah-rfc1828 esp-des", 1,
	  "ah-rfc1828 combines only with esp-rfc1829" },
	{ "crypto ipsec transform-set T ah-rfc1828 esp-sha-hmac", 1,
	  "ah-rfc1828 combines only with esp-rfc1829" },
	{ "crypto ipsec transform-set T esp-null", 1, "\"esp-null\": needs an ESP authenticator" },
	{ "crypto ipsec transform-set T esp-null ah-sha-hmac", 1, "needs an ESP authenticator" },
	{ "crypto ipsec transform-set T esp-aes 512", 1, "key size is 128, 192 or 256" },
	{ "crypto ipsec transform-set T esp-gcm 192", 1, "key size is 128 or 256" },
	{ "crypto ipsec transform-set T esp-des 56", 1, "\"56\": unknown transform" },
	{ "crypto ipsec transform-set T ah-sha-hmac esp-aes esp-sha-hmac esp-des", 1,
	  "\"esp-des\": at most 3 transforms per set" },
	{ "crypto ipsec transform-set T esp-des\n mode bogus", 2, "expected tunnel or transport" },
	{ "crypto ipsec transform-set T esp-des\n initialization-vector size 4", 2,
	  "only for esp-rfc1829" },
	{ "crypto ipsec transform-set T esp-rfc1829\n initialization-vector size 6", 2,
	  "4 or 8" },
	{ "crypto ipsec transform-set T esp-des\n set peer 198.51.100.2", 2,
	  "crypto ipsec transform-set T: \"set\": unknown command" },
	/* lifetimes */
	{ "crypto ipsec security-association lifetime seconds 119", 1, "not in 120-86400" },
	{ "crypto ipsec security-association lifetime seconds 86401", 1, "not in 120-86400" },
	{ "crypto ipsec security-association lifetime kilobytes 2559", 1,
	  "not in 2560-536870912" },
	{ "crypto ipsec security-association lifetime kilobytes 536870913", 1,
	  "not in 2560-536870912" },
	{ "crypto ipsec security-association lifetime minutes 5", 1,
	  "expected seconds or kilobytes" },
	{ "crypto ipsec security-association lifetime seconds 300 now", 1,
	  "\"now\": unexpected word" },
	{ "crypto foo", 1, "crypto \"foo\": unknown command" },
	{ "crypto ipsec foo", 1, "crypto ipsec \"foo\": unknown command" },
	/* crypto maps */
	{ "crypto map vpn", 1, "needs a sequence number" },
	{ "crypto map vpn 0 ipsec-manual", 1, "\"0\": not a sequence number (1-65535)" },
	{ "crypto map vpn 65536", 1, "not a sequence number" },
	{ "crypto map vpn 10 ipsec-foo", 1, "expected ipsec-manual or ipsec-isakmp" },
	{ "crypto map vpn 10 cisco", 1, "Cisco Encryption Technology entries are not supported" },
	{ "crypto map vpn 10 ipsec-manual now", 1, "\"now\": unexpected word" },
	{ "crypto map vpn 10 ipsec-isakmp dynamic", 1, "dynamic needs a name" },
	{ "crypto map vpn local-address", 1, "interface needs a name" },
	{ "crypto map vpn 10 ipsec-manual\ncrypto map vpn 10 ipsec-isakmp", 2,
	  "crypto map vpn 10: is ipsec-manual; remove it (no crypto map vpn 10) to change" },
	{ "crypto map vpn 10 ipsec-manual\n set peer 198.51.100.2\n set peer 198.51.100.3", 3,
	  "crypto map vpn 10: set peer 198.51.100.3: an ipsec-manual entry has one peer" },
	{ "crypto map vpn 10\n set peer gwB", 2, "set peer \"gwB\": not an IPv4 address" },
	{ "crypto map vpn 10 ipsec-manual\n set transform-set A B", 2,
	  "an ipsec-manual entry takes exactly one transform set" },
	{ "crypto map vpn 10\n set transform-set A A", 2, "A is listed twice" },
	{ "crypto map vpn 10\n set transform-set A B C D E F G", 2, "at most 6 transform sets" },
	{ "crypto map vpn 10\n set transform-set", 2, "needs a transform set name" },
	{ "crypto map vpn 10\n set pfs group3", 2, "set pfs \"group3\": not a DH group" },
	{ "crypto map vpn 10\n set pfs group2 now", 2, "\"now\": unexpected word" },
	{ "crypto map vpn 10 ipsec-manual\n set pfs", 2, "set pfs: not for ipsec-manual" },
	{ "crypto map vpn 10 ipsec-manual\n set security-association lifetime seconds 300", 2,
	  "set security-association: not for ipsec-manual" },
	{ "crypto map vpn 10 ipsec-manual\n set security-association level per-host", 2,
	  "set security-association: not for ipsec-manual" },
	{ "crypto map vpn 10 ipsec-manual\n set security-association replay window-size 96", 2,
	  "a power of two, 64-1024" },
	{ "crypto map vpn 10\n set security-association lifetime seconds 100", 2,
	  "not in 120-86400" },
	{ "crypto map vpn 10\n set session-key inbound esp 300 cipher 00", 2,
	  "only ipsec-manual entries take session keys" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 255 cipher 00", 2,
	  "\"255\": SPI is 256-4294967295" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 4294967296 cipher 00", 2,
	  "SPI is 256-4294967295" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 0x300 cipher 00", 2,
	  "SPI is 256-4294967295" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key sideways esp 300 cipher 00", 2,
	  "expected inbound or outbound" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound gre 300 cipher 00", 2,
	  "expected ah or esp" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 300 cipher 0g", 2,
	  "cipher: key has a character that is not a hex digit" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 300 cipher 001", 2,
	  "even number of hex digits" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 300 cipher "
	  "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
	  "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff00", 2,
	  "key is 65 bytes, at most 64" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 300 authenticator zz", 2,
	  "authenticator: key has a character that is not a hex digit" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 300", 2,
	  "expected cipher or authenticator" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound ah 300", 2,
	  "needs the key in hex" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 300 cipher 00 foo", 2,
	  "set session-key inbound esp 300: unexpected word 8 (words of this command are not "
	  "echoed)" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound esp 0011223344556677 cipher "
	  "0011223344556677", 2, "inbound esp: the SPI (256-4294967295) comes before the keys" },
	{ "crypto map vpn 10 ipsec-manual\n set session-key inbound ah 300 00 aabbccdd", 2,
	  "unexpected word 7" },
	{ "crypto map vpn 10\n set security-association replay window-size 100", 2,
	  "a power of two, 64-1024" },
	{ "crypto map vpn 10\n set security-association replay window-size 2048", 2,
	  "a power of two" },
	{ "crypto map vpn 10\n set security-association level per-flow", 2,
	  "expected per-host" },
	{ "crypto map vpn 10\n set nat-t udp-encapsulation", 2, "only for ipsec-manual" },
	{ "crypto map vpn 10 ipsec-manual\n set nat-t esp", 2, "expected udp-encapsulation" },
	{ "crypto map vpn 10\n set security-association foo", 2,
	  "expected lifetime, level or replay" },
	{ "crypto map vpn 10\n match address 300", 2, "not an IP access list number" },
	{ "crypto map vpn 10\n match foo", 2, "match \"foo\": expected address" },
	{ "crypto map vpn 10\n set bogus", 2, "set \"bogus\": unknown" },
	{ "crypto map vpn 10\n description", 2, "description needs text" },
	{ "crypto map vpn 30 ipsec-isakmp dynamic dyn\n set peer 198.51.100.2", 2,
	  "refers to dynamic map dyn; configure crypto dynamic-map dyn instead" },
	{ "crypto map vpn 10\n bogus", 2, "crypto map vpn 10: \"bogus\": unknown command" },
	{ "crypto dynamic-map dyn", 1, "not a sequence number" },
	{ "crypto dynamic-map dyn 10 ipsec-isakmp", 1, "\"ipsec-isakmp\": unexpected word" },
	{ "crypto dynamic-map dyn 10\n set session-key inbound esp 300 cipher 00", 2,
	  "only ipsec-manual entries take session keys" },
	/* interfaces */
	{ "interface", 1, "interface needs a name" },
	{ "interface a b", 1, "\"b\": unexpected word" },
	{ "interface wan0\n ip address 198.51.100.1 255.0.255.0", 2, "bad netmask" },
	{ "interface wan0\n ip address 198.51.100.1 0.0.0.0", 2, "bad netmask" },
	{ "interface wan0\n ip address 198.51.100.0 255.255.255.0", 2, "bad mask /24" },
	{ "interface wan0\n ip address 198.51.100.255 255.255.255.0", 2, "bad mask /24" },
	{ "interface wan0\n ip address 198.51.100.300 255.255.255.0", 2, "not an IPv4 address" },
	{ "interface wan0\n ip address 198.51.100.1", 2, "\"\": not a netmask" },
	{ "interface wan0\n crypto map", 2, "crypto map needs a name" },
	{ "interface wan0\n shutdown now", 2, "\"now\": unexpected word" },
	{ "interface wan0\n access-list 101 permit ip any any\n description x", 3,
	  "\"description\": unknown command" },		/* the global command left config-if */
	/* names */
	{ "crypto map a123456789012345678901234567890123456789012345678901234567890123 10", 1,
	  "longer than 63 characters" },
	{ "crypto ipsec transform-set \xc3\xa9t esp-des", 1, "only printable ASCII in names" },
};

static void
test_valid(void)
{
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		struct gw_err err = { 0, "" };
		struct conf *c = conf_parse_text(valid[i].text, "valid", &err);
		char *out;

		T_OK(c != NULL, "valid[%zu] %s: line %u: %s", i, valid[i].text, err.line, err.msg);
		if (c == NULL)
			continue;
		out = running(c);
		if (valid[i].want != NULL)
			T_OK(strstr(out, valid[i].want) != NULL, "valid[%zu]: want \"%s\" in:\n%s",
			    i, valid[i].want, out);
		if (valid[i].absent != NULL)
			T_OK(strstr(out + strlen("hostname"), valid[i].absent) == NULL,
			    "valid[%zu]: \"%s\" should be gone from:\n%s", i, valid[i].absent,
			    out);
		free(out);
		conf_free(c);
	}
}

/* Refused session-key lines never carry key material into the message. */
static void
test_no_key_echo(void)
{
	static const char *const lines[] = {
		"set session-key inbound esp 300 cipher 00 c0ffeec0ffee",
		"set session-key inbound esp c0ffeec0ffee cipher 00",
		"set session-key inbound esp 300 cipher c0ffeec0ffeg",
		"set session-key inbound ah 300 c0ffeec0ffee c0ffeec0ffee",
		"set session-key inbound esp 300 c0ffeec0ffee",
	};
	struct conf *c = conf_parse_text("crypto map m 1 ipsec-manual", "k", NULL);
	struct conf_session s;
	struct gw_err err;

	conf_session_begin(&s, c);
	T_EQ(conf_session_line(&s, "crypto map m 1", 1, &err), 0, "enter");
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		T_EQ(conf_session_line(&s, lines[i], 2, &err), -1, "%s", lines[i]);
		T_OK(strstr(err.msg, "c0ffee") == NULL, "key echoed: %s", err.msg);
	}
	conf_free(c);
}

static void
test_invalid(void)
{
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		struct gw_err err = { 0, "" };
		struct conf *c = conf_parse_text(invalid[i].text, "invalid", &err);

		T_OK(c == NULL, "invalid[%zu] %s: accepted", i, invalid[i].text);
		conf_free(c);
		T_EQ(err.line, invalid[i].line, "invalid[%zu] %s: %s", i, invalid[i].text,
		    err.msg);
		T_OK(strstr(err.msg, invalid[i].msg) != NULL,
		    "invalid[%zu]: want \"%s\", got \"%s\"", i, invalid[i].msg, err.msg);
	}
}

/* ---- Fields of the model, for the compiler ---- */

static void
test_model(void)
{
	const char *text =
	    "access-list 101 deny tcp 192.0.2.0 0.0.0.127 lt 1024 host 192.0.2.130 neq 22\n"
	    "access-list 101 permit udp any gt 1023 any range 500 4500 precedence 5 tos 4 log\n"
	    "crypto ipsec transform-set G ah-sha256-hmac esp-gcm 256\n mode transport\n"
	    "crypto ipsec transform-set R ah-rfc1828 esp-rfc1829\n initialization-vector size 4\n"
	    "crypto ipsec transform-set C esp-chacha20-poly1305\n"
	    "crypto ipsec transform-set N esp-sha-hmac\n"
	    "crypto map m 20 ipsec-isakmp\n set pfs\n"
	    "crypto map m 10 ipsec-manual\n set session-key inbound esp 4096 cipher 0102 "
	    "authenticator 030405\n"
	    "interface wan0\n ip address 198.51.100.1 255.255.255.0\n";
	struct gw_err err = { 0, "" };
	struct conf *c = conf_parse_text(text, "model", &err);
	const struct conf_acl *a;
	const struct conf_transform_set *t;
	const struct conf_map *m;
	const struct conf_map_entry *e;
	const struct conf_if *f;

	T_OK(c != NULL, "line %u: %s", err.line, err.msg);
	if (c == NULL)
		return;
	T_STREQ(c->source, "model", "source");
	T_EQ(c->lifetime_sec, 3600, "default seconds");
	T_EQ(c->lifetime_kb, 4608000, "default kilobytes");
	a = conf_acl_find(c, "101");
	T_OK(a != NULL && a->numbered && a->n_aces == 2, "acl 101");
	if (a != NULL && a->n_aces == 2) {
		T_EQ(a->aces[0].action, CONF_ACE_DENY, "deny");
		T_EQ(a->aces[0].line, 1, "line");
		T_EQ(a->aces[0].proto, 6, "tcp");
		T_EQ(a->aces[0].src.addr, 0xc0000200u, "src");
		T_EQ(a->aces[0].src.wild, 0x7f, "src wild");
		T_EQ(a->aces[0].sport.lo, 0, "lt lo");
		T_EQ(a->aces[0].sport.hi, 1023, "lt hi");
		T_EQ(a->aces[0].dst.addr, 0xc0000282u, "dst host");
		T_EQ(a->aces[0].dst.wild, 0, "host wild");
		T_OK(a->aces[0].dport.neq && a->aces[0].dport.lo == 22 &&
		    a->aces[0].dport.hi == 22, "neq 22");
		T_EQ(a->aces[0].precedence, -1, "precedence any");
		T_EQ(a->aces[0].tos, -1, "tos any");
		T_EQ(a->aces[1].sport.lo, 1024, "gt lo");
		T_EQ(a->aces[1].sport.hi, 65535, "gt hi");
		T_EQ(a->aces[1].src.wild, 0xffffffffu, "any");
		T_OK(a->aces[1].dport.lo == 500 && a->aces[1].dport.hi == 4500 &&
		    !a->aces[1].dport.neq, "range");
		T_EQ(a->aces[1].precedence, 5, "precedence");
		T_EQ(a->aces[1].tos, 4, "tos");
		T_OK(a->aces[1].log, "log");
		T_OK(conf_acl_first_permit(a) == &a->aces[1], "first permit");
	}
	t = conf_tset_find(c, "G");
	T_OK(t != NULL, "tset G");
	if (t != NULL) {
		T_EQ(t->ah, XF_AUTH_HMAC_SHA256_128, "ah");
		T_EQ(t->esp_cipher, XF_CIPHER_AES_GCM, "gcm");
		T_EQ(t->esp_key_bits, 256, "bits");
		T_EQ(t->esp_auth, XF_AUTH_NONE, "no esp auth");
		T_EQ(t->mode, CONF_MODE_TRANSPORT, "transport");
		T_EQ(conf_tset_cipher_key_len(t), 36, "gcm 256 key + salt");
		T_EQ(conf_tset_ah_key_len(t), 32, "sha256 key");
	}
	t = conf_tset_find(c, "R");
	T_OK(t != NULL && t->esp_cipher == XF_CIPHER_DES_RFC1829 &&
	    t->ah == XF_AUTH_KEYED_MD5_RFC1828 && t->iv_size == 4, "rfc sets");
	t = conf_tset_find(c, "C");
	T_OK(t != NULL && t->esp_cipher == XF_CIPHER_CHACHA20_POLY1305 &&
	    conf_tset_cipher_key_len(t) == 36, "chacha");
	t = conf_tset_find(c, "N");
	T_OK(t != NULL && t->esp_cipher == XF_CIPHER_NONE && t->esp_auth == XF_AUTH_HMAC_SHA1_96 &&
	    conf_tset_has_esp(t) && conf_tset_esp_auth_key_len(t) == 20, "auth-only ESP");
	T_OK(conf_tset_find(c, "g") == NULL, "names are case-sensitive");
	m = conf_map_find(c, "m");
	T_OK(m != NULL && m->n_entries == 2, "map m");
	if (m != NULL && m->n_entries == 2) {
		e = conf_map_next(m, NULL);
		T_EQ(e->seq, 10, "lowest first");
		T_EQ(e->kind, CONF_MAP_MANUAL, "manual");
		T_OK(e->keys[CONF_DIR_IN][CONF_PROTO_ESP].set, "key set");
		T_EQ(e->keys[CONF_DIR_IN][CONF_PROTO_ESP].spi, 4096, "spi");
		T_EQ(e->keys[CONF_DIR_IN][CONF_PROTO_ESP].cipher.len, 2, "cipher len");
		T_EQ(e->keys[CONF_DIR_IN][CONF_PROTO_ESP].auth.len, 3, "auth len");
		T_EQ(e->keys[CONF_DIR_IN][CONF_PROTO_ESP].auth.b[2], 5, "auth byte");
		T_OK(!e->keys[CONF_DIR_OUT][CONF_PROTO_ESP].set, "outbound unset");
		e = conf_map_next(m, e);
		T_OK(e != NULL && e->seq == 20 && e->pfs == 1, "set pfs = group1");
		T_OK(e != NULL && conf_entry_lifetime_sec(c, e) == 3600 &&
		    conf_entry_lifetime_kb(c, e) == 4608000, "global lifetimes");
		T_OK(conf_map_next(m, e) == NULL, "end");
		T_OK(conf_map_entry_find(m, 20) == e, "find entry");
	}
	f = conf_if_find(c, "wan0");
	T_OK(f != NULL && f->has_addr && f->addr == 0xc6336401u && f->mask == 0xffffff00u,
	    "interface");
	conf_free(c);
	conf_free(NULL);
}

/* ---- A whole configuration in the seed's commands ---- */

/* The seed's configuration tasks in order ("Set Global Lifetimes", "Create Crypto Access
 * Lists", "Define Transform Sets", the three kinds of crypto map entries, "Apply Crypto Map
 * Sets to Interfaces"), every form of its task tables, with documentation addresses.
 * XXX: the seed copy we have stops before its "Configuration Examples" and command reference
 * sections, so this is assembled from the task tables rather than pasted from the examples. */
static const char seed_conf[] =
	"hostname gwA\n"
	"!\n"
	"crypto ipsec security-association lifetime seconds 2700\n"
	"crypto ipsec security-association lifetime kilobytes 2304000\n"
	"!\n"
	"crypto ipsec transform-set proposal1 ah-sha-hmac esp-des esp-sha-hmac\n"
	"crypto ipsec transform-set proposal2 ah-md5-hmac esp-des\n"
	" mode transport\n"
	" exit\n"
	"crypto ipsec transform-set rfc1829 esp-rfc1829\n"
	" initialization-vector size 4\n"
	"crypto ipsec transform-set modern esp-aes 256 esp-sha256-hmac\n"
	"crypto ipsec transform-set aead esp-gcm 256\n"
	"!\n"
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"access-list 102 permit tcp host 192.0.2.10 host 192.0.2.130 eq telnet\n"
	"access-list 103 deny udp any any eq isakmp\n"
	"access-list 103 permit ip 192.0.2.0 0.0.0.127 203.0.113.0 0.0.0.255\n"
	"ip access-list extended dynamic-peers\n"
	" remark whatever a remote peer may propose inside our site\n"
	" permit ip 192.0.2.0 0.0.0.127 any\n"
	"!\n"
	"crypto dynamic-map mobile 10\n"
	" set transform-set modern aead\n"
	" match address dynamic-peers\n"
	" set pfs group14\n"
	" set security-association lifetime seconds 1800\n"
	"!\n"
	"crypto map toRemoteSite 10 ipsec-manual\n"
	" match address 102\n"
	" set peer 198.51.100.2\n"
	" set transform-set proposal1\n"
	" set session-key inbound ah 256 00112233445566778899aabbccddeeff00112233\n"
	" set session-key outbound ah 256 ffeeddccbbaa99887766554433221100ffeeddcc\n"
	" set session-key inbound esp 256 cipher 0123456789abcdef "
	"authenticator 0000111122223333444455556666777788889999\n"
	" set session-key outbound esp 256 cipher abcdef0123456789 "
	"authenticator 9999888877776666555544443333222211110000\n"
	" exit\n"
	"crypto map toRemoteSite 20 ipsec-isakmp\n"
	" match address 101\n"
	" set peer 198.51.100.2\n"
	" set peer 198.51.100.3\n"
	" set transform-set modern proposal1\n"
	" set security-association lifetime seconds 900\n"
	" set security-association lifetime kilobytes 10000\n"
	" set security-association level per-host\n"
	" set pfs group2\n"
	"crypto map toRemoteSite 30 ipsec-isakmp\n"
	" match address 103\n"
	" set peer 203.0.113.2\n"
	" set transform-set aead\n"
	"crypto map toRemoteSite 40 ipsec-isakmp dynamic mobile\n"
	"crypto map toRemoteSite local-address lo0\n"
	"!\n"
	"interface lo0\n"
	" ip address 198.51.100.1 255.255.255.255\n"
	"interface wan0\n"
	" description to the internet\n"
	" ip address 198.51.100.1 255.255.255.0\n"
	" crypto map toRemoteSite\n"
	"interface wan1\n"
	" ip address 203.0.113.1 255.255.255.0\n"
	" crypto map toRemoteSite\n"
	"end\n";

static const char *const examples[] = {
	"gwA.conf", "gwB.conf", "gwA-ikev2.conf", "gwB-ikev2.conf",
};

/* deploy/examples/gwA.conf, the demo's site A (main reads it) */
static char *demo_conf;

static void
test_whole(const char *name, const char *text)
{
	struct gw_err err = { 0, "" };
	struct conf *c = conf_parse_text(text, name, &err);
	char *warn = NULL;
	size_t wlen = 0;
	FILE *w;

	T_OK(c != NULL, "%s: line %u: %s", name, err.line, err.msg);
	if (c == NULL)
		return;
	w = open_memstream(&warn, &wlen);
	T_EQ(conf_validate(c, &err, w), 0, "%s: validate: line %u: %s", name, err.line, err.msg);
	fclose(w);
	if (strcmp(name, "demo") == 0 || strncmp(name, "gw", 2) == 0)
		T_STREQ(warn, "", "%s: no warnings", name);
	free(warn);
	conf_free(c);
}

static void
test_seed_details(void)
{
	struct gw_err err = { 0, "" };
	struct conf *c = conf_parse_text(seed_conf, "seed", &err);
	const struct conf_map *m;
	const struct conf_map_entry *e;

	if (c == NULL)
		return;
	T_EQ(c->lifetime_sec, 2700, "global seconds");
	T_EQ(c->lifetime_kb, 2304000, "global kilobytes");
	m = conf_map_find(c, "toRemoteSite");
	T_OK(m != NULL && m->n_entries == 4, "four entries");
	T_STREQ(m != NULL ? m->local_address : NULL, "lo0", "local-address");
	e = m != NULL ? conf_map_entry_find(m, 20) : NULL;
	T_OK(e != NULL && e->n_peers == 2 && e->peers[1] == 0xc6336403u, "two peers");
	T_OK(e != NULL && e->n_tsets == 2 && strcmp(e->tsets[0], "modern") == 0, "tsets");
	T_OK(e != NULL && e->per_host && e->pfs == 2 && e->lifetime_sec == 900 &&
	    e->lifetime_kb == 10000, "isakmp options");
	e = m != NULL ? conf_map_entry_find(m, 40) : NULL;
	T_OK(e != NULL && e->kind == CONF_MAP_DYNAMIC && strcmp(e->dynamic, "mobile") == 0,
	    "dynamic entry");
	m = conf_dynmap_find(c, "mobile");
	T_OK(m != NULL && m->dynamic && m->n_entries == 1 && m->entries[0]->pfs == 14,
	    "dynamic map");
	T_OK(conf_acl_find(c, "dynamic-peers") != NULL &&
	    !conf_acl_find(c, "dynamic-peers")->numbered, "named list");
	conf_free(c);
}

/* ---- All or nothing: an error on line 40 of 50 ---- */

static void
test_transactional(void)
{
	char text[8192];
	size_t n = 0;
	struct gw_err err = { 0, "" };
	struct conf *c;

	for (unsigned i = 1; i <= 50; i++) {
		if (i == 40)
			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    "crypto ipsec transform-set BAD esp-des esp-3des\n");
		else if (i % 10 == 1)
			n += (size_t)snprintf(text + n, sizeof(text) - n, "interface eth%u\n", i);
		else
			n += (size_t)snprintf(text + n, sizeof(text) - n,
			    " description line %u\n", i);
	}
	c = conf_parse_text(text, "fifty", &err);
	T_OK(c == NULL, "a 50-line text with an error is refused whole");
	T_EQ(err.line, 40, "the error names line 40: %s", err.msg);
	T_OK(strstr(err.msg, "\"esp-3des\": at most one ESP cipher") != NULL, "why: %s", err.msg);
	conf_free(c);
}

/* ---- Sessions: prompt modes, a refused line changes nothing ---- */

static void
test_session(void)
{
	static const struct {
		const char *line, *mode;
		bool ok;
	} steps[] = {
		{ "hostname gwA\n", "config", true },
		{ "crypto ipsec transform-set T esp-aes esp-sha-hmac", "cfg-crypto-trans",
		  true },
		{ "mode transport", "cfg-crypto-trans", true },
		{ "mode sideways", "cfg-crypto-trans", false },
		{ "mode tunnel now", "cfg-crypto-trans", false },
		{ "initialization-vector size 4", "cfg-crypto-trans", false },
		{ "crypto map vpn 10 ipsec-manual", "config-crypto-map", true },
		{ "set peer 198.51.100.2", "config-crypto-map", true },
		{ "set peer 198.51.100.3", "config-crypto-map", false },
		{ "set session-key inbound esp 300 cipher 0011 authenticator 00zz",
		  "config-crypto-map", false },
		{ "set session-key inbound esp 300 cipher 0011 bogus", "config-crypto-map",
		  false },
		{ "set transform-set T T", "config-crypto-map", false },
		{ "match address 101 x", "config-crypto-map", false },
		{ "description", "config-crypto-map", false },
		{ "no set peer 198.51.100.2 x", "config-crypto-map", false },
		{ "crypto ipsec transform-set U esp-des esp-3des", "config-crypto-map", false },
		{ "interface wan0 x", "config-crypto-map", false },
		{ "no crypto map vpn 10 x", "config-crypto-map", false },
		{ "crypto map vpn 10 ipsec-isakmp", "config-crypto-map", false },
		{ "access-list 101 permit bogus any any", "config-crypto-map", false },
		{ "exit", "config", true },
		{ "crypto dynamic-map dyn 10", "config-crypto-map", true },
		{ "interface wan0", "config-if", true },
		{ "ip address 198.51.100.1 255.255.255.0", "config-if", true },
		{ "ip address 198.51.100.2 255.255.255.0 secondary", "config-if", true },
		{ "ip address 198.51.100.2 255.0.255.0", "config-if", false },
		{ "crypto map", "config-if", false },
		{ "shutdown now", "config-if", false },
		{ "ip access-list extended x", "config-ext-nacl", true },
		{ "permit ip any any", "config-ext-nacl", true },
		{ "permit tcp any any eq 99999", "config-ext-nacl", false },
		{ "no deny tcp any any range 9 8", "config-ext-nacl", false },
		{ "remark", "config-ext-nacl", false },
		{ "end", "config", true },
	};
	struct conf *c = conf_new(), *before;
	struct conf_session s;
	struct gw_err err;

	conf_session_begin(&s, c);
	T_STREQ(conf_session_prompt_mode(&s), "config", "start");
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int r;

		before = conf_dup(c);
		r = conf_session_line(&s, steps[i].line, (unsigned)i + 1, &err);
		T_EQ(r == 0, steps[i].ok, "step %zu %s: %s", i, steps[i].line, r ? err.msg : "");
		if (r != 0) {
			T_EQ(err.line, i + 1, "step %zu: line", i);
			T_OK(conf_equal(before, c), "step %zu: a refused line changed the config",
			    i);
		}
		T_STREQ(conf_session_prompt_mode(&s), steps[i].mode, "step %zu %s", i,
		    steps[i].line);
		conf_free(before);
	}
	T_STREQ(conf_map_find(c, "vpn")->entries[0]->kind == CONF_MAP_MANUAL ? "manual" : "no",
	    "manual", "kind kept");
	conf_free(c);
}

/* ---- Round trips: parse, show, parse, show ---- */

static const char *trips[] = {
	seed_conf,
	NULL,		/* demo_conf: set by main */
	"",
	"ip access-list extended 150\n permit ip any any\n no permit ip any any\n",
	"access-list 101 remark first\naccess-list 101 permit tcp any eq 80 any range 1 2\n"
	"ip access-list extended z\n remark r\n deny 99 host 192.0.2.1 any tos 15 log\n",
	"crypto ipsec transform-set T esp-rfc1829 ah-rfc1828\n initialization-vector size 4\n"
	" mode transport\n",
	"crypto map m local-address lo9\ncrypto map m 7 ipsec-isakmp dynamic d\n"
	" description hi  there\ncrypto dynamic-map d 3\n set security-association replay "
	"window-size 256\n set security-association level per-host\n",
	"interface Serial 0\n shutdown\n description  spaced   out  \n crypto map x\n",
	"crypto map v 1 ipsec-manual\n set session-key outbound ah 300 0A0b\n"
	" set session-key inbound esp 301 authenticator ff\n",
};

static void
test_round_trip(void)
{
	for (size_t i = 0; i < sizeof(trips) / sizeof(trips[0]); i++) {
		struct gw_err err = { 0, "" };
		struct conf *c1, *c2 = NULL, *d;
		char *s1, *s2;

		c1 = conf_parse_text(trips[i], "trip", &err);
		T_OK(c1 != NULL, "trip %zu: line %u: %s", i, err.line, err.msg);
		if (c1 == NULL)
			continue;
		s1 = running(c1);
		c2 = conf_parse_text(s1, "running", &err);
		T_OK(c2 != NULL, "trip %zu: reparse: line %u: %s\n%s", i, err.line, err.msg, s1);
		if (c2 != NULL) {
			s2 = running(c2);
			T_STREQ(s2, s1, "trip %zu: show of the reparse differs", i);
			T_OK(conf_equal(c1, c2), "trip %zu: not equal after the round trip", i);
			free(s2);
		}
		d = conf_dup(c1);
		T_OK(d != NULL && conf_equal(c1, d), "trip %zu: dup", i);
		if (d != NULL) {
			s2 = running(d);
			T_STREQ(s2, s1, "trip %zu: show of the dup", i);
			free(s2);
		}
		conf_free(d);
		free(s1);
		conf_free(c1);
		conf_free(c2);
	}
}

/* ---- conf_validate ---- */

static const char vbase[] =
	"crypto ipsec transform-set T esp-aes 256 esp-sha-hmac\n"
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"interface wan0\n"
	" ip address 198.51.100.1 255.255.255.0\n";

/* Keys: 32-byte cipher, 20-byte authenticator (esp-aes 256 + esp-sha-hmac). */
#define K32 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define K20 "2122232425262728292a2b2c2d2e2f3031323334"
#define K16 "000102030405060708090a0b0c0d0e0f"
#define K8 "0001020304050607"
#define MANUAL(spi_in, spi_out) \
	"crypto map vpn 10 ipsec-manual\n match address 101\n set peer 198.51.100.2\n" \
	" set transform-set T\n" \
	" set session-key inbound esp " spi_in " cipher " K32 " authenticator " K20 "\n" \
	" set session-key outbound esp " spi_out " cipher " K32 " authenticator " K20 "\n"

static const struct {
	const char	*text;		/* after vbase (5 lines from line 5 on) */
	unsigned	line;		/* 0: valid */
	const char	*msg;		/* error, or a warning that must appear */
} vcases[] = {
	{ MANUAL("1001", "1000") "interface wan0\n crypto map vpn\n", 0, NULL },
	/* not applied: incomplete is fine */
	{ "crypto map vpn 10 ipsec-manual\n", 0, NULL },
	{ "crypto map vpn 10 ipsec-isakmp\n", 0, NULL },
	{ "interface wan0\n crypto map nope\n", 6,
	  "interface wan0: crypto map nope is not defined" },
	{ "crypto map vpn local-address lo0\n", 5,
	  "crypto map vpn local-address: interface lo0 is not defined" },
	{ "crypto map vpn 10\n set transform-set AES-SHA\n", 6,
	  "crypto map vpn 10: transform set AES-SHA is not defined" },
	{ "crypto dynamic-map d 10\n set transform-set X\n", 6,
	  "crypto dynamic-map d 10: transform set X is not defined" },
	{ "crypto map vpn 10 ipsec-isakmp dynamic d\ncrypto map vpn 20\n"
	  "crypto dynamic-map d 1\n set transform-set T\n", 5,
	  "crypto map vpn 10: refers to dynamic map d but entry 20 follows it" },
	{ "crypto map vpn 10 ipsec-isakmp dynamic d\n", 5, "dynamic map d is not defined" },
	{ "crypto map vpn 10\n match address 101\ncrypto map vpn 20\n match address 101\n", 8,
	  "crypto map vpn 20: access list 101 is already used by entry 10" },
	/* applied incomplete entries: accepted, disabled, with IOS's NOTE (docs/configuration.md) */
	{ "crypto map vpn 10\n match address 101\n set transform-set T\n"
	  "interface wan0\n crypto map vpn\n", 0, "crypto map vpn 10: NOTE: this crypto map entry "
	  "will remain disabled until a peer, a valid access list and a transform set have been "
	  "configured (no set peer)" },
	{ "crypto map vpn 10\n set peer 198.51.100.2\n set transform-set T\n"
	  "interface wan0\n crypto map vpn\n", 0, "(no match address)" },
	{ "crypto map vpn 10\n set peer 198.51.100.2\n match address 101\n"
	  "interface wan0\n crypto map vpn\n", 0, "(no set transform-set)" },
	{ "crypto map vpn 10\n set peer 198.51.100.2\n match address 199\n set transform-set T\n"
	  "interface wan0\n crypto map vpn\n", 0, "(its access list is not defined: 199)" },
	{ "crypto map vpn 10 ipsec-isakmp dynamic d\ncrypto dynamic-map d 1\n"
	  "interface wan0\n crypto map vpn\n", 6,
	  "crypto dynamic-map d 1: needs set transform-set" },
	{ "crypto map vpn 10 ipsec-isakmp dynamic d\ncrypto dynamic-map d 1\n"
	  " set transform-set T\n match address 177\ninterface wan0\n crypto map vpn\n", 0, NULL },
	/* applied ipsec-manual entries: complete, with keys of the right lengths */
	{ "crypto map vpn 10 ipsec-manual\n match address 101\n set transform-set T\n"
	  "interface wan0\n crypto map vpn\n", 0, "crypto map vpn 10: NOTE: this crypto map entry "
	  "will remain disabled" },
	{ "access-list 110 deny ip any any\ncrypto map vpn 10 ipsec-manual\n match address 110\n"
	  " set transform-set T\n set peer 198.51.100.2\ninterface wan0\n crypto map vpn\n", 7,
	  "access list 110 has no permit entry" },
	{ "crypto map vpn 10 ipsec-manual\n match address 101\n set transform-set T\n"
	  " set peer 198.51.100.2\ninterface wan0\n crypto map vpn\n", 5,
	  "transform set T has ESP: needs set session-key inbound esp" },
	{ MANUAL("1001", "1000")
	  " set session-key inbound ah 300 00112233445566778899aabbccddeeff\n"
	  "interface wan0\n crypto map vpn\n", 5,
	  "session-key inbound ah: transform set T has no AH" },
	{ "crypto map vpn 10 ipsec-manual\n match address 101\n set peer 198.51.100.2\n"
	  " set transform-set T\n set session-key inbound esp 300 cipher " K20 " authenticator "
	  K20 "\n set session-key outbound esp 301 cipher " K32 " authenticator " K20 "\n"
	  "interface wan0\n crypto map vpn\n", 5,
	  "session-key inbound esp 300: cipher key is 20 bytes, esp-aes 256 needs 32" },
	{ "crypto map vpn 10 ipsec-manual\n match address 101\n set peer 198.51.100.2\n"
	  " set transform-set T\n set session-key inbound esp 300 cipher " K32 " authenticator "
	  K20 "\n set session-key outbound esp 301 cipher " K32 " authenticator " K32 "\n"
	  "interface wan0\n crypto map vpn\n", 5,
	  "session-key outbound esp 301: authenticator key is 32 bytes, esp-sha-hmac needs 20" },
	{ "crypto map vpn 10 ipsec-manual\n match address 101\n set peer 198.51.100.2\n"
	  " set transform-set T\n set session-key inbound esp 300 cipher " K32 "\n"
	  " set session-key outbound esp 301 cipher " K32 " authenticator " K20 "\n"
	  "interface wan0\n crypto map vpn\n", 5,
	  "authenticator key is 0 bytes, esp-sha-hmac needs 20" },
	/* inbound SPIs tell manual SAs apart */
	{ MANUAL("1001", "1000") "access-list 102 permit ip any any\n"
	  "crypto map vpn 20 ipsec-manual\n match address 102\n set peer 198.51.100.3\n"
	  " set transform-set T\n"
	  " set session-key inbound esp 1001 cipher " K32 " authenticator " K20 "\n"
	  " set session-key outbound esp 1000 cipher " K32 " authenticator " K20 "\n"
	  "interface wan0\n crypto map vpn\n", 12,
	  "crypto map vpn 20: inbound esp SPI 1001 is also used by crypto map vpn 10" },
	/* anti-replay on manual entries (ours): only where sequence numbers exist and are
	 * authenticated; the error names the replay command's line */
	{ MANUAL("1001", "1000") " set security-association replay window-size 64\n"
	  "interface wan0\n crypto map vpn\n", 0, NULL },
	{ "crypto ipsec transform-set OLD ah-rfc1828 esp-rfc1829\n"
	  "crypto map vpn 10 ipsec-manual\n match address 101\n set peer 198.51.100.2\n"
	  " set transform-set OLD\n set security-association replay window-size 128\n"
	  " set session-key inbound ah 300 " K16 "\n set session-key outbound ah 301 " K16 "\n"
	  " set session-key inbound esp 302 cipher " K8 "\n"
	  " set session-key outbound esp 303 cipher " K8 "\n"
	  "interface wan0\n crypto map vpn\n", 10,
	  "crypto map vpn 10: replay window-size: transform set OLD uses esp-rfc1829, which has "
	  "no sequence number" },
	{ "crypto ipsec transform-set OLDAH ah-rfc1828\n"
	  "crypto map vpn 10 ipsec-manual\n match address 101\n set peer 198.51.100.2\n"
	  " set security-association replay window-size 1024\n set transform-set OLDAH\n"
	  " set session-key inbound ah 300 " K16 "\n set session-key outbound ah 301 " K16 "\n"
	  "interface wan0\n crypto map vpn\n", 9,
	  "crypto map vpn 10: replay window-size: transform set OLDAH uses ah-rfc1828, which "
	  "has no sequence number" },
	{ "crypto ipsec transform-set DES esp-des\n"
	  "crypto map vpn 10 ipsec-manual\n match address 101\n set peer 198.51.100.2\n"
	  " set transform-set DES\n set security-association replay window-size 64\n"
	  " set session-key inbound esp 302 cipher " K8 "\n"
	  " set session-key outbound esp 303 cipher " K8 "\n"
	  "interface wan0\n crypto map vpn\n", 10,
	  "crypto map vpn 10: replay window-size: transform set DES has no data authentication" },
	/* AH authenticates the bundle: its SAs carry the window (conf_compile_test) */
	{ "crypto ipsec transform-set AHDES ah-sha-hmac esp-des\n"
	  "crypto map vpn 10 ipsec-manual\n match address 101\n set peer 198.51.100.2\n"
	  " set transform-set AHDES\n set security-association replay window-size 64\n"
	  " set session-key inbound ah 300 " K20 "\n set session-key outbound ah 301 " K20 "\n"
	  " set session-key inbound esp 302 cipher " K8 "\n"
	  " set session-key outbound esp 303 cipher " K8 "\n"
	  "interface wan0\n crypto map vpn\n", 0, "transform set AHDES uses esp-des" },
	/* the no form takes it back; ipsec-isakmp entries are IKE's to decide */
	{ "crypto ipsec transform-set DES esp-des\n"
	  "crypto map vpn 10 ipsec-manual\n match address 101\n set peer 198.51.100.2\n"
	  " set transform-set DES\n set security-association replay window-size 64\n"
	  " no set security-association replay window-size\n"
	  " set session-key inbound esp 302 cipher " K8 "\n"
	  " set session-key outbound esp 303 cipher " K8 "\n"
	  "interface wan0\n crypto map vpn\n", 0, "transform set DES uses esp-des" },
	{ "crypto ipsec transform-set DES esp-des\n"
	  "crypto map vpn 10 ipsec-isakmp\n match address 101\n set peer 198.51.100.2\n"
	  " set transform-set DES\n set security-association replay window-size 64\n"
	  "interface wan0\n crypto map vpn\n", 0, "transform set DES uses esp-des" },
	/* not applied: not checked */
	{ "crypto ipsec transform-set DES esp-des\n"
	  "crypto map vpn 10 ipsec-manual\n set transform-set DES\n"
	  " set security-association replay window-size 64\n", 0, NULL },
	/* warnings */
	{ "access-list 101 deny ip any any\n" MANUAL("1001", "1000")
	  "interface wan0\n crypto map vpn\n", 0,
	  "warning: crypto map vpn 10 (ipsec-manual): access list 101: entries after the first "
	  "permit (line 2) are ignored" },
	{ "crypto ipsec transform-set W esp-3des esp-md5-hmac\n"
	  "crypto map vpn 10\n match address 101\n set peer 198.51.100.2\n set transform-set W\n"
	  "interface wan0\n crypto map vpn\n", 0,
	  "warning: crypto map vpn 10: transform set W uses esp-3des, a legacy algorithm" },
};

static void
test_validate(void)
{
	for (size_t i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		char text[4096], *warn = NULL;
		size_t wlen = 0;
		struct gw_err err = { 0, "" };
		struct conf *c;
		FILE *w;
		int r;

		snprintf(text, sizeof(text), "%s%s", vbase, vcases[i].text);
		c = conf_parse_text(text, "v", &err);
		T_OK(c != NULL, "vcases[%zu]: parse: line %u: %s", i, err.line, err.msg);
		if (c == NULL)
			continue;
		w = open_memstream(&warn, &wlen);
		r = conf_validate(c, &err, w);
		fclose(w);
		if (vcases[i].line == 0) {
			T_EQ(r, 0, "vcases[%zu]: line %u: %s", i, err.line, err.msg);
			if (vcases[i].msg != NULL)
				T_OK(strstr(warn, vcases[i].msg) != NULL,
				    "vcases[%zu]: want warning \"%s\", got \"%s\"", i,
				    vcases[i].msg, warn);
			else
				T_STREQ(warn, "", "vcases[%zu]: no warnings", i);
		} else {
			T_EQ(r, -1, "vcases[%zu]: accepted", i);
			T_EQ(err.line, vcases[i].line, "vcases[%zu]: %s", i, err.msg);
			T_OK(strstr(err.msg, vcases[i].msg) != NULL,
			    "vcases[%zu]: want \"%s\", got \"%s\"", i, vcases[i].msg, err.msg);
		}
		T_EQ(conf_validate(c, NULL, NULL), r, "vcases[%zu]: NULL err and warnings", i);
		free(warn);
		conf_free(c);
	}
}

/* Key lengths per algorithm (manual keying): right length passes, one byte less fails. */
static void
test_key_lengths(void)
{
	static const struct {
		const char	*tset;
		unsigned	cipher, auth, ah;
	} k[] = {
		{ "esp-des", 8, 0, 0 },
		{ "esp-3des esp-md5-hmac", 24, 16, 0 },
		{ "esp-rfc1829", 8, 0, 0 },
		{ "esp-aes", 16, 0, 0 },
		{ "esp-aes 192 esp-sha-hmac", 24, 20, 0 },
		{ "esp-aes 256 esp-sha256-hmac", 32, 32, 0 },
		{ "esp-gcm", 20, 0, 0 },
		{ "esp-gcm 256", 36, 0, 0 },
		{ "esp-gmac", 20, 0, 0 },
		{ "esp-gmac 256", 36, 0, 0 },
		{ "esp-chacha20-poly1305", 36, 0, 0 },
		{ "esp-null esp-sha384-hmac", 0, 48, 0 },
		{ "esp-sha512-hmac", 0, 64, 0 },
		{ "ah-md5-hmac", 0, 0, 16 },
		{ "ah-sha-hmac esp-aes", 16, 0, 20 },
		{ "ah-sha256-hmac", 0, 0, 32 },
		{ "ah-sha384-hmac", 0, 0, 48 },
		{ "ah-sha512-hmac", 0, 0, 64 },
		{ "ah-rfc1828 esp-rfc1829", 8, 0, 16 },
	};

	for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		for (int shorter = 0; shorter < 2; shorter++) {
			char text[2048], keys[1024] = "", hex[3][140];
			unsigned len[3] = { k[i].cipher, k[i].auth, k[i].ah };
			struct gw_err err = { 0, "" };
			struct conf *c;
			size_t n = 0;

			for (int d = 0; d < 2; d++) {
				const char *dir = d ? "outbound" : "inbound";

				/* each direction its own keys (one AEAD key for both is refused) */
				for (int j = 0; j < 3; j++) {
					unsigned l = len[j] - (shorter && len[j] > 0 ? 1 : 0);

					for (unsigned b = 0; b < l; b++)
						snprintf(hex[j] + 2 * b, 3, "%02x",
						    (b + 1 + 0x40u * (unsigned)d) & 0xffu);
					hex[j][2 * l] = '\0';
				}

				if (len[2] > 0)
					n += (size_t)snprintf(keys + n, sizeof(keys) - n,
					    " set session-key %s ah %d %s\n", dir, 500 + d,
					    hex[2]);
				if (len[0] > 0 || len[1] > 0) {
					n += (size_t)snprintf(keys + n, sizeof(keys) - n,
					    " set session-key %s esp %d", dir, 600 + d);
					if (len[0] > 0)
						n += (size_t)snprintf(keys + n, sizeof(keys) - n,
						    " cipher %s", hex[0]);
					if (len[1] > 0)
						n += (size_t)snprintf(keys + n, sizeof(keys) - n,
						    " authenticator %s", hex[1]);
					n += (size_t)snprintf(keys + n, sizeof(keys) - n, "\n");
				}
			}
			snprintf(text, sizeof(text), "crypto ipsec transform-set K %s\n"
			    "access-list 101 permit ip any any\ninterface wan0\n crypto map m\n"
			    "crypto map m 1 ipsec-manual\n match address 101\n"
			    " set peer 198.51.100.2\n"
			    " set transform-set K\n%s", k[i].tset, keys);
			c = conf_parse_text(text, "k", &err);
			T_OK(c != NULL, "keys %s: line %u: %s", k[i].tset, err.line, err.msg);
			if (c == NULL)
				continue;
			T_EQ(conf_validate(c, &err, NULL), shorter ? -1 : 0, "keys %s%s: %s",
			    k[i].tset, shorter ? " (one byte short)" : "", err.msg);
			if (shorter)
				T_OK(strstr(err.msg, "bytes") != NULL, "keys %s: %s", k[i].tset,
				    err.msg);
			conf_free(c);
		}
	}
}

/* One AEAD key in two places: two senders count under it and repeat nonces (RFC 4106 §3). */
static void
test_aead_reuse(void)
{
	static const char *const K1 = "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4";
	static const char *const K2 = "0102030405060708090a0b0c0d0e0f1011121314";
	/* K3: K1 with another salt */
	static const char *const K3 = "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b5";
	static const char *const K4 = "4142434445464748494a4b4c4d4e4f5051525354";
	static const struct {
		const char	*tset;
		const char	*in1, *out1, *in2, *out2;	/* entry 2 only if in2 */
		int		rc;
		unsigned	line;
		const char	*what;
	} c[] = {
		{ "esp-gcm 128", "K2", "K1", NULL, NULL, 0, 0, "own keys: fine" },
		{ "esp-gcm 128", "K1", "K1", NULL, NULL, -1, 9, "one key both ways" },
		{ "esp-gcm 128", "K2", "K1", "K3", "K1", -1, 15, "two entries, one outbound key" },
		{ "esp-gcm 128", "K2", "K1", "K1", "K3", -1, 14, "one entry's out, other's in" },
		{ "esp-gcm 128", "K2", "K1", "K3", "K4", 0, 0, "same AES key, other salt: fine" },
		{ "esp-aes 128 esp-sha-hmac", "K1", "K1", NULL, NULL, 0, 0, "CBC: random IVs" },
	};
	char text[2048];
	struct gw_err err;
	struct conf *co;

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		const char *cbc = strstr(c[i].tset, "aes ") ? " authenticator "
		    "c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4" : "";
		char k[4][80];
		const char *const *names[4] = { &c[i].in1, &c[i].out1, &c[i].in2, &c[i].out2 };

		for (int j = 0; j < 4; j++) {
			const char *n = *names[j] ? *names[j] : "K4";
			const char *v = strcmp(n, "K1") == 0 ? K1 : strcmp(n, "K2") == 0 ? K2 :
			    strcmp(n, "K3") == 0 ? K3 : K4;

			/* esp-aes 128 takes 16 bytes: the first 32 digits */
			snprintf(k[j], sizeof(k[j]), "%.*s", cbc[0] ? 32 : 40, v);
		}
		snprintf(text, sizeof(text),
		    "crypto ipsec transform-set T %s\n"				/* 1 */
		    "access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
		    "access-list 102 permit ip 192.0.2.0 0.0.0.127 203.0.113.0 0.0.0.255\n"
		    "interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map m\n"
		    "crypto map m 1 ipsec-manual\n match address 101\n"		/* 7, 8 */
		    " set peer 198.51.100.2\n set transform-set T\n"		/* 9, 10 */
		    " set session-key inbound esp 600 cipher %s%s\n"		/* 11 */
		    " set session-key outbound esp 601 cipher %s%s\n", c[i].tset, k[0], cbc,
		    k[1], cbc);
		if (c[i].in2 != NULL)
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
			    "crypto map m 2 ipsec-manual\n match address 102\n"
			    " set peer 198.51.100.3\n set transform-set T\n"
			    " set session-key inbound esp 700 cipher %s%s\n"		/* 17 */
			    " set session-key outbound esp 701 cipher %s%s\n", k[2], cbc, k[3],
			    cbc);
		co = conf_parse_text(text, "aead", &err);
		T_OK(co != NULL, "case %zu: parses: %s", i, err.msg);
		if (co == NULL)
			continue;
		T_EQ(conf_validate(co, &err, NULL), c[i].rc, "case %zu: %s: %s", i, c[i].what,
		    err.msg);
		if (c[i].rc != 0) {
			T_EQ(err.line, c[i].line + 3, "case %zu: the later session-key line", i);
			T_OK(strstr(err.msg, "same esp-gcm key") != NULL, "case %zu: %s", i,
			    err.msg);
		}
		conf_free(co);
	}
}

/* The lines of a text ending in a newline. */
static unsigned
lines(const char *text)
{
	unsigned n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

static void
test_file(void)
{
	struct gw_err err = { 0, "" };
	struct conf *c;
	char path[] = "/tmp/conf_parse_test.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;

	T_OK(fd >= 0, "mkstemp");
	if (fd < 0)
		return;
	f = fdopen(fd, "w");
	fputs(demo_conf, f);
	fputs("bogus here\n", f);
	fclose(f);
	c = conf_parse_file(path, &err);
	T_OK(c == NULL && err.line == lines(demo_conf) + 1 && strstr(err.msg, "\"bogus\"") != NULL,
	    "file: line %u: %s", err.line, err.msg);
	conf_free(c);
	f = fopen(path, "w");
	fputs(demo_conf, f);
	fclose(f);
	c = conf_parse_file(path, &err);
	T_OK(c != NULL && conf_validate(c, &err, NULL) == 0, "file: %s", err.msg);
	conf_free(c);
	unlink(path);
	c = conf_parse_file(path, &err);
	T_OK(c == NULL && err.line == 0 && strstr(err.msg, "No such file") != NULL, "missing: %s",
	    err.msg);
}

int
main(void)
{
	demo_conf = test_example("gwA.conf", NULL);
	trips[1] = demo_conf;
	test_valid();
	test_invalid();
	test_no_key_echo();
	test_model();
	test_whole("seed", seed_conf);
	test_whole("demo", demo_conf);
	/* every example a newcomer may copy parses and validates (IKEv2: ikev2_test.c too) */
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		char *text = test_example(examples[i], NULL);

		test_whole(examples[i], text);
		free(text);
	}
	test_seed_details();
	test_transactional();
	test_session();
	test_round_trip();
	test_validate();
	test_key_lengths();
	test_aead_reuse();
	test_file();
	free(demo_conf);
	return t_done();
}
