/* SPDX-License-Identifier: Apache-2.0 */
/* ios_test.c: configuration files read as IOS reads them (issue 12, docs/configuration.md):
 * every refused line listed at once and still nothing configured (docs/design.md invariant
 * 4), commands accepted and ignored with one warning each and kept verbatim, show
 * running-config read back byte for byte (headers and end), and an expander for
 * abbreviations. */
#include <stdlib.h>
#include <string.h>

#include "controld/conf/compile.h"
#include "controld/conf/conf.h"
#include "tests/lib/example.h"
#include "tests/lib/test.h"

/* The text of a stream's buffer after it is closed (caller frees). */
struct cap {
	char	*buf;
	size_t	len;
	FILE	*f;
};

static void
cap_open(struct cap *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
}

static char *
cap_close(struct cap *c)
{
	fclose(c->f);
	return c->buf;
}

static unsigned
count(const char *s, const char *what)
{
	unsigned n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

/* parse text with warnings and errors captured; *w and *e are the caller's to free. */
static struct conf *
parse(const char *text, char **w, char **e, struct gw_err *err)
{
	struct conf_parse_opts o = { 0 };
	struct cap cw, ce;
	struct conf *c;

	cap_open(&cw);
	cap_open(&ce);
	o.warnings = cw.f;
	o.errors = ce.f;
	c = conf_parse_text_opts(text, "t.conf", &o, err);
	*w = cap_close(&cw);
	*e = cap_close(&ce);
	return c;
}

/* ---- Every refused line, not only the first ---- */

static void
test_all_errors(void)
{
	static const char text[] =
	    "hostname gw\n"
	    "frobnicate 1\n"					/* 2 */
	    "crypto ipsec transform-set T esp-aes-bogus\n"	/* 3 */
	    " mode tunnel\n"				/* under a refused line: skipped */
	    "access-list 101 permit ip any any\n"
	    "crypto map M 10 ipsec-isakmp\n"
	    " set peer 192.0.2.300\n"			/* 7 */
	    " set transform-set T\n"
	    "end\n";
	struct gw_err err = { 0, "" };
	char *w, *e;
	struct conf *c = parse(text, &w, &e, &err);

	T_OK(c == NULL, "a text with errors gives no configuration");
	T_EQ(count(e, "\n"), 3u, "three refused lines listed:\n%s", e);
	T_OK(strstr(e, "t.conf:2: \"frobnicate\"") != NULL, "line 2 and its word: %s", e);
	T_OK(strstr(e, "t.conf:3: ") != NULL && strstr(e, "esp-aes-bogus") != NULL,
	    "line 3 and its word: %s", e);
	T_OK(strstr(e, "t.conf:7: ") != NULL && strstr(e, "192.0.2.300") != NULL,
	    "line 7 and its word: %s", e);
	T_EQ(err.line, 2u, "err holds the first: %s", err.msg);
	free(w);
	free(e);
	/* without options: the first only, as before */
	c = conf_parse_text(text, "t.conf", &err);
	T_OK(c == NULL && err.line == 2, "conf_parse_text stops at line 2 (%u)", err.line);
}

static char *
text_of(const struct conf *c, bool secrets)
{
	struct cap t;

	cap_open(&t);
	if (secrets)
		conf_write_config(c, t.f);
	else
		conf_show_running(c, t.f);
	return cap_close(&t);
}

/* Where a comes before b in text (both there). */
static bool
before(const char *text, const char *a, const char *b)
{
	const char *pa = strstr(text, a), *pb = strstr(text, b);

	return pa != NULL && pb != NULL && pa < pb;
}

/* ---- A real router's configuration: ignored commands, kept verbatim ---- */

static void
test_router(void)
{
	char *text = test_example("../../tests/data/ios_router.conf", NULL);
	struct gw_err err = { 0, "" };
	char *w, *e, *t1, *t2;
	struct conf *c = parse(text, &w, &e, &err), *c2;

	T_OK(c != NULL, "ios_router.conf loads: %s", e);
	if (c == NULL)
		goto out;
	T_EQ(conf_validate(c, &err, NULL), 0, "and validates: line %u: %s", err.line, err.msg);
	T_STREQ(c->hostname, "branch1", "hostname");
	/* one warning per ignored command, none for sub-mode lines or banner text */
	T_EQ(count(w, "warning: ignored: version 12.4 (not an IPsec command; left to the "
	    "host)\n"), 1u, "version: one warning:\n%s", w);
	T_EQ(count(w, "ignored: ip route 0.0.0.0 0.0.0.0 198.51.100.254 (not an IPsec command; "
	    "routing is left to the host)"), 1u, "ip route: routing left to the host");
	T_EQ(count(w, "interface FastEthernet0/1: ignored: ip address 192.0.2.129 "
	    "255.255.255.128 secondary (not an IPsec command; interface addresses are left to "
	    "the host)"), 1u, "secondary address left to the host");
	T_EQ(count(w, "ignored: banner motd ^C"), 1u, "banner: one warning");
	T_EQ(count(w, "Authorized"), 0u, "not its text");
	T_EQ(count(w, "exec-timeout"), 0u, "sub-mode lines: no warning of their own");
	T_EQ(count(w, "$1$"), 0u, "a secret is not echoed:\n%s", w);
	T_EQ(count(w, "n0tPublic"), 0u, "a community is not echoed");
	T_EQ(count(w, "t.conf:"), count(w, "\n"), "each warning names file and line");
	/* kept verbatim, where IOS shows them */
	t1 = text_of(c, true);
	T_OK(strstr(t1, "banner motd ^C\n*** Authorized access only ***\n"
	    "  Disconnect now if you are not.\n^C\n") != NULL, "banner verbatim:\n%s", t1);
	T_OK(strstr(t1, "line vty 0 4\n exec-timeout 10 0\n password 7 0822455D0A16\n"
	    " transport input ssh\n") != NULL, "line vty with its sub-mode lines");
	T_OK(strstr(t1, "archive\n log config\n  hide-keys\n") != NULL, "nested indentation");
	T_OK(strstr(t1, " ip address 198.51.100.2 255.255.255.0\n ip mtu 1400\n ip nat outside\n"
	    " ip virtual-reassembly\n duplex auto\n speed auto\n crypto map VPN\n") != NULL,
	    "interface sub-commands kept in the interface");
	T_OK(before(t1, "version 12.4\n", "hostname branch1\n") &&
	    before(t1, "hostname branch1\n", "enable secret") &&
	    before(t1, "enable secret", "crypto isakmp policy") &&
	    before(t1, "interface FastEthernet0/1", "router ospf 1\n") &&
	    before(t1, "ip route 0.0.0.0", "ip access-list extended") &&
	    before(t1, "access-list 110", "snmp-server community") &&
	    before(t1, "snmp-server", "line con 0") && before(t1, "ntp server", "end\n"),
	    "the places IOS shows them in:\n%s", t1);
	/* the running configuration, saved and read back: the same, byte for byte */
	c2 = conf_parse_text(t1, "saved", &err);
	T_OK(c2 != NULL && conf_equal(c, c2), "read back: equal (%u: %s)", err.line, err.msg);
	t2 = c2 != NULL ? text_of(c2, true) : NULL;
	T_STREQ(t2 != NULL ? t2 : "", t1, "round trip byte for byte");
	/* pasted again on top (a session): nothing doubles */
	{
		struct conf_session s;
		unsigned n = 0;
		char *copy = strdup(t1), *save = NULL;

		conf_session_begin(&s, c2);
		for (char *l = strtok_r(copy, "\n", &save); l != NULL;
		    l = strtok_r(NULL, "\n", &save))
			if (strncmp(l, "Building", 8) != 0 && strncmp(l, "Current", 7) != 0 &&
			    strcmp(l, "end") != 0 && conf_session_line(&s, l, ++n, &err) != 0)
				T_OK(false, "pasted line %u refused: %s", n, err.msg);
		free(copy);
		free(t2);
		t2 = text_of(c2, true);
		T_STREQ(t2, t1, "show running-config pasted twice is the same");
	}
	free(t1);
	free(t2);
	conf_free(c2);
out:
	conf_free(c);
	free(w);
	free(e);
	free(text);
}

/* Every prefix of text that parses: written, read back and written again, byte for byte
 * (conf_write_config's promise, conf_fuzz's invariant), and shown with its keys masked. */
static void
test_prefixes(const char *text)
{
	unsigned n_ok = 0, n_bad = 0;

	for (const char *e = strchr(text, '\n'); e != NULL; e = strchr(e + 1, '\n')) {
		char *pre = strndup(text, (size_t)(e - text + 1)), *t1, *t2, *m, *sh;
		struct gw_err err = { 0, "" };
		struct conf *c = conf_parse_text(pre, "p", &err), *c2;
		struct cap cm;

		free(pre);
		if (c == NULL)
			continue;
		t1 = text_of(c, true);
		c2 = conf_parse_text(t1, "p", &err);
		t2 = c2 != NULL ? text_of(c2, true) : strdup("");
		cap_open(&cm);
		conf_show_masked(t1, cm.f);
		m = cap_close(&cm);
		sh = text_of(c, false);
		if (c2 == NULL || !conf_equal(c, c2) || strcmp(t1, t2) != 0 || strcmp(m, sh) != 0) {
			n_bad++;
			T_OK(false, "prefix round trip (%s):\n%s\n----\n%s", err.msg, t1, t2);
		}
		n_ok++;
		free(t1);
		free(t2);
		free(m);
		free(sh);
		conf_free(c);
		conf_free(c2);
	}
	T_OK(n_ok > 10 && n_bad == 0, "%u prefixes round-trip, %u do not", n_ok, n_bad);
}

/* ---- Headers, end, and what is still refused ---- */

static void
test_headers_end(void)
{
	struct gw_err err = { 0, "" };
	char *w, *e, *t;
	struct conf *c;

	c = parse("Building configuration...\n\nCurrent configuration : 99 bytes\n!\n"
	    "hostname a\nend\nhostname b\nfrobnicate\n", &w, &e, &err);
	T_OK(c != NULL && strcmp(c->hostname, "a") == 0, "headers skipped, end ends: %s", e);
	T_OK(strstr(w, "t.conf:6: warning: end: the 2 lines after it are not read") != NULL,
	    "lines after end: said:\n%s", w);
	conf_free(c);
	free(w);
	free(e);
	/* an empty configuration's show running-config reads back as itself */
	c = conf_new();
	t = text_of(c, false);
	T_STREQ(t, "Building configuration...\n\nCurrent configuration : 24 bytes\n!\n"
	    "hostname Router\n!\nend\n", "IOS headers, byte count of what follows");
	conf_free(c);
	c = conf_parse_text(t, "t", &err);
	T_OK(c != NULL, "read back: %s", err.msg);
	free(t);
	conf_free(c);
	/* not a blanket: unknown commands, filters, logging words logging.c does not know */
	static const char *const refused[] = {
		"frobnicate", "ip frob", "logging frobnicate", "logging",
		"interface e0\n ip access-group 101 in",
		"interface e0\n encapsulation dot1Q 10", "banner motd",
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		c = conf_parse_text(refused[i], "t", &err);
		T_OK(c == NULL, "refused: %s", refused[i]);
		conf_free(c);
	}
	/* created in another order than shown: read back equal (the order across the places
	 * they are shown in is not configuration) */
	c = conf_parse_text("snmp-server location rack 2\nip route 0.0.0.0 0.0.0.0 192.0.2.1\n"
	    "version 12.4\n", "t", &err);
	t = c != NULL ? text_of(c, true) : NULL;
	{
		struct conf *c2 = t != NULL ? conf_parse_text(t, "t", &err) : NULL;

		T_OK(c2 != NULL && conf_equal(c, c2), "slots read back equal");
		conf_free(c2);
	}
	free(t);
	conf_free(c);
	/* a banner of a CR LF file: written without the CRs, read back the same */
	c = conf_parse_text("banner motd #\r\n\r\r\nx\r\r\n#\r\n", "t", &err);
	t = c != NULL ? text_of(c, true) : NULL;
	T_OK(t != NULL && strstr(t, "banner motd #\n\nx\n#\n") != NULL, "CR LF banner: %s",
	    t != NULL ? t : err.msg);
	free(t);
	conf_free(c);
	/* a banner not ended; a banner line that looks like a key is masked in show run */
	c = conf_parse_text("banner motd #\nhello\n", "t", &err);
	T_OK(c == NULL && err.line == 2 && strstr(err.msg, "not ended by its delimiter \"#\""),
	    "unended banner: %u: %s", err.line, err.msg);
	conf_free(c);
	c = conf_parse_text("banner motd #\ncrypto isakmp key s3cret address 192.0.2.1\n"
	    "  pre-shared-key s3cret\n#\n", "t", &err);
	t = c != NULL ? text_of(c, false) : NULL;
	T_OK(t != NULL && strstr(t, "s3cret") == NULL, "masked in show run: %s", t);
	free(t);
	conf_free(c);
	/* a banner on one line, and one replaced */
	c = parse("banner login #Hi there#\nbanner exec ^C\nx\n^C\nbanner login %bye%\n"
	    "hostname z\n", &w, &e, &err);
	t = c != NULL ? text_of(c, true) : NULL;
	T_OK(t != NULL && strstr(t, "banner login %bye%\nbanner exec ^C\nx\n^C\n!\nend\n") !=
	    NULL && strstr(t, "Hi there") == NULL && strcmp(c->hostname, "z") == 0,
	    "banners:\n%s%s", t != NULL ? t : "", e);
	free(t);
	conf_free(c);
	free(w);
	free(e);
	/* a global command ends an ignored sub-mode; its lines stay with it */
	c = parse("line vty 0 4\nlogin\nhostname q\nline vty 0 4\n login\n exec-timeout 0 0\n",
	    &w, &e, &err);
	t = c != NULL ? text_of(c, true) : NULL;
	T_OK(t != NULL && strstr(t, "line vty 0 4\n login\n exec-timeout 0 0\n!\n") != NULL &&
	    strcmp(c->hostname, "q") == 0, "line block entered again:\n%s%s",
	    t != NULL ? t : "", e);
	free(t);
	conf_free(c);
	free(w);
	free(e);
}

/* ---- Access lists: standard, ICMP, established, sequence numbers ---- */

static char *
acls_of(const struct conf *c, const char *name)
{
	struct cap t;

	cap_open(&t);
	conf_show_access_lists(c, name, t.f);
	return cap_close(&t);
}

static void
test_acls(void)
{
	static const char text[] =
	    "access-list 10 permit 192.0.2.1\n"
	    "access-list 10 permit host 192.0.2.2\n"
	    "access-list 10 permit 192.0.2.64 0.0.0.63\n"
	    "access-list 10 deny any log\n"
	    "access-list 10 permit 192.0.2.1\n"		/* again: not added */
	    "access-list 1300 permit any\n"
	    "ip access-list standard STD\n"
	    " permit 198.51.100.0 0.0.0.255\n"
	    "ip access-list extended EXT\n"
	    " permit icmp any any echo\n"
	    " permit icmp any any 3 4\n"
	    " permit icmp any any 8 1\n"
	    " permit icmp any any 42\n"
	    " permit tcp any any established\n"
	    " permit tcp any eq 22 any established log\n"
	    " 15 deny ip host 192.0.2.9 any\n"
	    " remark the last one\n"
	    " 100 deny ip any any\n"
	    " 95 permit udp any any eq 500\n"
	    " no 20\n"
	    " permit icmp any any echo\n";		/* again: not added */
	struct gw_err err = { 0, "" };
	struct conf *c = conf_parse_text(text, "t", &err), *c2;
	char *t, *t2;

	T_OK(c != NULL, "lists parse: line %u: %s", err.line, err.msg);
	if (c == NULL)
		return;
	/* show ip access-lists in the 12.4/15 layout (ntc-templates'
	 * cisco_ios_show_ip_access-lists: "Standard|Extended IP access list NAME", then
	 * "    SEQ ACTION ..."; standard networks as "A, wildcard bits W"; ICMP by name) */
	t = acls_of(c, "10");
	T_STREQ(t, "Standard IP access list 10\n"
	    "    10 permit 192.0.2.1\n"
	    "    20 permit 192.0.2.2\n"
	    "    30 permit 192.0.2.64, wildcard bits 0.0.0.63\n"
	    "    40 deny   any log\n", "standard numbered list");
	free(t);
	t = acls_of(c, "EXT");
	T_STREQ(t, "Extended IP access list EXT\n"
	    "    10 permit icmp any any echo\n"
	    "    15 deny ip host 192.0.2.9 any\n"
	    "    30 permit icmp any any 8 1\n"
	    "    40 permit icmp any any 42\n"
	    "    50 permit tcp any any established\n"
	    "    60 permit tcp any eq 22 any established log\n"
	    "    95 permit udp any any eq isakmp\n"
	    "    100 deny ip any any\n", "extended named list, inserted and removed");
	free(t);
	t = acls_of(c, "STD");
	T_STREQ(t, "Standard IP access list STD\n    10 permit 198.51.100.0, wildcard bits "
	    "0.0.0.255\n", "standard named list");
	free(t);
	/* the running configuration: IOS's numbering unwritten, other numbers written */
	t = text_of(c, true);
	T_OK(strstr(t, "access-list 10 permit 192.0.2.1\naccess-list 10 permit 192.0.2.2\n"
	    "access-list 10 permit 192.0.2.64 0.0.0.63\naccess-list 10 deny any log\n!\n"
	    "access-list 1300 permit any\n!\nip access-list standard STD\n"
	    " permit 198.51.100.0 0.0.0.255\n!\nip access-list extended EXT\n"
	    " 10 permit icmp any any echo\n 15 deny ip host 192.0.2.9 any\n"
	    " 30 permit icmp any any 8 1\n") != NULL &&
	    strstr(t, " 60 permit tcp any eq 22 any established log\n"
	    " 95 permit udp any any eq isakmp\n remark the last one\n 100 deny ip any any\n") !=
	    NULL, "running:\n%s", t);
	c2 = conf_parse_text(t, "t", &err);
	T_OK(c2 != NULL && conf_equal(c, c2), "read back equal: %s", err.msg);
	t2 = c2 != NULL ? text_of(c2, true) : NULL;
	T_STREQ(t2 != NULL ? t2 : "", t, "byte for byte");
	free(t2);
	conf_free(c2);
	free(t);
	conf_free(c);
	/* refused */
	static const struct { const char *text, *msg; } bad[] = {
		{ "ip access-list extended E\n 10 permit ip any any\n 10 deny ip any any",
		  "sequence number 10 is already in use" },
		{ "access-list 10 permit ip any any", "not a source address" },
		{ "access-list 10 permit any any", "a standard list matches the source only" },
		{ "access-list 101 permit 192.0.2.1", "unknown protocol" },
		{ "access-list 101 permit udp any any established", "\"established\": unexpected" },
		{ "ip access-list standard 101", "not a standard access list number" },
		{ "access-list 10 permit any\nip access-list extended 10", "not an extended" },
		{ "ip access-list extended E\n 0 permit ip any any", "not 1-2147483647" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = conf_parse_text(bad[i].text, "t", &err);
		T_OK(c == NULL && strstr(err.msg, bad[i].msg) != NULL, "refused %s: want %s, "
		    "got %s", bad[i].text, bad[i].msg, err.msg);
		conf_free(c);
	}
	/* as crypto access lists: a standard list matches the source; an ICMP type cannot
	 * select an SA (refused at validate); established is ignored, with a warning */
	static const char crypto[] =
	    "crypto ipsec transform-set T esp-aes esp-sha-hmac\n"
	    "crypto map M 10 ipsec-isakmp\n set peer 198.51.100.2\n set transform-set T\n"
	    " match address %s\n"
	    "interface e0\n ip address 198.51.100.1 255.255.255.0\n crypto map M\n"
	    "access-list 10 permit 192.0.2.0 0.0.0.255\n"
	    "access-list 101 permit icmp any any echo\n"
	    "access-list 102 permit tcp any any established\n";
	static const char *const lists[] = { "10", "101", "102" };
	for (size_t i = 0; i < 3; i++) {
		char buf[1024];
		struct cap w;
		int r;

		snprintf(buf, sizeof(buf), crypto, lists[i]);
		c = conf_parse_text(buf, "t", &err);
		T_OK(c != NULL, "crypto %s parses: %s", lists[i], err.msg);
		if (c == NULL)
			continue;
		cap_open(&w);
		r = conf_validate(c, &err, w.f);
		t = cap_close(&w);
		if (i == 0)
			T_OK(r == 0 && t[0] == '\0', "standard list as crypto ACL: %s %s", err.msg, t);
		else if (i == 1)
			T_OK(r == -1 && strstr(err.msg, "an ICMP type cannot select IPsec traffic") &&
			    err.line == 10, "ICMP type refused: %u %s", err.line, err.msg);
		else
			T_OK(r == 0 && strstr(t, "established is ignored in a crypto access list"),
			    "established: warned: %s", t);
		free(t);
		conf_free(c);
	}
}

/* ---- IOS's "% NOTE": an incomplete entry is kept, disabled ---- */

/* Policies c compiles to, or -1 when it does not validate or compile. */
static long
policies(const char *text, char **warn)
{
	struct gw_err err = { 0, "" };
	struct conf *c = conf_parse_text(text, "t", &err);
	struct spd *spd = NULL;
	struct sa_list sas = { NULL, 0 };
	struct cap w;
	long n = -1;

	cap_open(&w);
	if (c != NULL && conf_validate(c, &err, w.f) == 0 &&
	    conf_compile(c, &spd, &sas, &err) == 0)
		n = (long)spd->n;
	*warn = cap_close(&w);
	spd_free(spd);
	sa_list_free(&sas);
	conf_free(c);
	return n;
}

static void
test_note(void)
{
	static const char head[] =
	    "crypto ipsec transform-set T esp-aes esp-sha-hmac\n"
	    "interface e0\n ip address 198.51.100.1 255.255.255.0\n crypto map M\n"
	    "crypto map M 10 ipsec-isakmp\n set peer 198.51.100.2\n set transform-set T\n"
	    " match address 101\n"
	    "access-list 101 permit ip 192.0.2.0 0.0.0.255 10.0.0.0 0.255.255.255\n";
	char text[2048], *w;

	snprintf(text, sizeof(text), "%s", head);
	T_EQ(policies(text, &w), 1L, "complete entry: one policy (%s)", w);
	free(w);
	/* match address 150 before list 150 exists: accepted, disabled, said */
	snprintf(text, sizeof(text), "%scrypto map M 20 ipsec-isakmp\n match address 150\n"
	    " set peer 198.51.100.3\n set transform-set T\n", head);
	T_EQ(policies(text, &w), 1L, "entry 20 disabled: not compiled");
	T_OK(strstr(w, "warning: crypto map M 20: NOTE: this crypto map entry will remain "
	    "disabled until a peer, a valid access list and a transform set have been "
	    "configured (its access list is not defined: 150)\n") != NULL, "NOTE: %s", w);
	free(w);
	/* the list comes: the entry is enabled */
	snprintf(text + strlen(text), sizeof(text) - strlen(text),
	    "access-list 150 permit ip 192.0.2.0 0.0.0.255 172.16.0.0 0.15.255.255\n");
	T_EQ(policies(text, &w), 2L, "list 150 defined: entry 20 compiled (%s)", w);
	free(w);
	/* a new entry without a list or peer */
	snprintf(text, sizeof(text), "%scrypto map M 30 ipsec-isakmp\n", head);
	T_EQ(policies(text, &w), 1L, "bare entry: disabled");
	T_OK(strstr(w, "crypto map M 30: NOTE") != NULL && strstr(w, "(no match address)"),
	    "NOTE: %s", w);
	free(w);
	/* a real contradiction is still refused */
	snprintf(text, sizeof(text), "%scrypto map M 30 ipsec-isakmp\n set transform-set NOPE\n",
	    head);
	T_EQ(policies(text, &w), -1L, "undefined transform set: refused");
	free(w);
}

int
main(void)
{
	test_note();
	test_acls();
	test_all_errors();
	test_router();
	{
		char *text = test_example("../../tests/data/ios_router.conf", NULL);

		test_prefixes(text);
		free(text);
	}
	test_headers_end();
	return t_done();
}
