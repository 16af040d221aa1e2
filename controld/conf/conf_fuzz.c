/* SPDX-License-Identifier: Apache-2.0 */
/* conf_fuzz.c: libFuzzer target of the configuration parser.  Any bytes (as a NUL-terminated
 * text) either are refused or give a configuration whose running config parses back to an
 * equal configuration that shows the same text (conf_show_running's promise).  The other
 * show functions, conf_validate and conf_dup run on every accepted input as well. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "controld/conf/conf.h"

static char *
running(const struct conf *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		abort();
	conf_show_running(c, f);
	fclose(f);
	return buf;
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
	free(text);
	if (c == NULL)
		return 0;
	s1 = running(c);
	if ((c2 = conf_parse_text(s1, "running", &err)) == NULL) {
		fprintf(stderr, "running config does not parse: line %u: %s\n%s", err.line,
		    err.msg, s1);
		abort();
	}
	s2 = running(c2);
	if (strcmp(s1, s2) != 0 || !conf_equal(c, c2)) {
		fprintf(stderr, "round trip differs:\n%s\n----\n%s", s1, s2);
		abort();
	}
	if ((d = conf_dup(c)) == NULL || !conf_equal(c, d))
		abort();
	show_all(c);
	conf_free(d);
	conf_free(c2);
	conf_free(c);
	free(s1);
	free(s2);
	return 0;
}
