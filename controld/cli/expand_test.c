/* SPDX-License-Identifier: Apache-2.0 */
/* expand_test.c: abbreviations in configuration files (expand.c): a file typed as gwctl -f
 * takes it reads as the same configuration written in full; an ambiguous word is refused
 * with its line; text (a banner, a key-string) is never expanded. */
#include <stdlib.h>
#include <string.h>

#include "controld/cli/expand.h"
#include "controld/conf/conf.h"
#include "tests/lib/example.h"
#include "tests/lib/test.h"

static const char full[] =
	"hostname gwab\n"
	"crypto isakmp policy 10\n encryption aes 256\n hash sha\n authentication pre-share\n"
	" group 14\n"
	"crypto isakmp key lab-only-abbrev-psk address 198.51.100.2\n"
	"crypto ipsec transform-set AES-SHA esp-aes esp-sha-hmac\n mode tunnel\n"
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n"
	"ip access-list extended WEB\n permit tcp any any eq www\n remark web servers\n"
	"crypto map vpn 10 ipsec-isakmp\n set peer 198.51.100.2\n set transform-set AES-SHA\n"
	" match address 101\n"
	"interface wan0\n ip address 198.51.100.1 255.255.255.0\n crypto map vpn\n";

int
main(void)
{
	struct conf_parse_opts o = { .expand = cli_conf_expand };
	char *text = test_example("../../tests/data/ios_abbrev.conf", NULL);
	struct gw_err err = { 0, "" };
	struct conf *a, *b;

	a = conf_parse_text_opts(text, "abbrev", &o, &err);
	b = conf_parse_text(full, "full", &err);
	T_OK(a != NULL && b != NULL, "both parse: line %u: %s", err.line, err.msg);
	T_OK(a != NULL && b != NULL && conf_equal(a, b), "abbreviated = written in full");
	conf_free(a);
	conf_free(b);
	/* without the expander: refused, as before */
	a = conf_parse_text(text, "abbrev", &err);
	T_OK(a == NULL && err.line == 4, "no expander: line 4 refused (%u: %s)", err.line,
	    err.msg);
	conf_free(a);
	free(text);
	/* an ambiguous word is refused with its line and word */
	a = conf_parse_text_opts("hostname x\ni wan0\n", "t", &o, &err);
	T_OK(a == NULL && err.line == 2 && strstr(err.msg, "\"i\": ambiguous") != NULL,
	    "ambiguous: %u: %s", err.line, err.msg);
	conf_free(a);
	/* a banner's text is text: "int" stays "int" */
	a = conf_parse_text_opts("banner motd #\nint e0\n#\nint e0\n", "t", &o, &err);
	T_OK(a != NULL && a->n_ignored == 1 && strstr(a->ignored[0]->text, "\nint e0\n") &&
	    a->n_ifs == 1 && strcmp(a->ifs[0]->name, "e0") == 0, "banner text kept: %s",
	    err.msg);
	conf_free(a);
	return t_done();
}
