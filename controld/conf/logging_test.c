/* SPDX-License-Identifier: Apache-2.0 */
/* conf_logging_test.c: the logging commands (conf/logging.c): IOS syntax with levels by name
 * and number and abbreviations, the running configuration's lines (only what is not a
 * default), a round trip through them to an equal configuration, and refusals with a
 * reason that change nothing. */
#include <stdlib.h>
#include <string.h>

#include "controld/conf/conf.h"
#include "tests/lib/test.h"

static const char text[] =
	"hostname gwA\n"
	"logging buffered 16384 informational\n"
	"logging trap 7\n"
	"logging monitor warn\n"
	"no logging console\n"
	"logging host 192.0.2.5\n"
	"logging host 192.0.2.6 transport udp port 5514\n"
	"logging 192.0.2.7\n"
	"no logging host 192.0.2.7\n"
	"logging facility local6\n"
	"logging source-interface Loopback0\n"
	"logging on\n";

static const char want[] =
	"hostname gwA\n"
	"!\n"
	"logging buffered 16384 informational\n"
	"no logging console\n"
	"logging monitor warnings\n"
	"logging trap debugging\n"
	"logging facility local6\n"
	"logging source-interface Loopback0\n"
	"logging host 192.0.2.5\n"
	"logging host 192.0.2.6 transport udp port 5514\n"
	"!\n";

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

static const struct {
	const char	*line;
	const char	*why;		/* in the message */
} refused[] = {
	{ "logging buffered 100", "buffer size 100" },
	{ "logging buffered 8192 loud", "not a level" },
	{ "logging trap 9", "not a level" },
	{ "logging host 192.0.2.300", "not an IPv4 address" },
	{ "logging host 192.0.2.1 transport tcp", "only udp" },
	{ "logging host 192.0.2.1 transport udp port 0", "port" },
	{ "logging console debugging extra", "unexpected word" },
	{ "logging facility local9", "not a facility" },
	{ "logging frobnicate", "not a logging command" },
	{ "logging", "needs a keyword" },
};

int
main(void)
{
	struct gw_err err = { 0, "" };
	struct conf *c, *d, *e;
	char *out, *out2;

	c = conf_parse_text(text, "t", &err);
	T_OK(c != NULL, "parsed: %s", err.msg);
	if (c == NULL)
		return t_done();
	T_EQ(c->logging.buffered_size, 16384, "buffer size");
	T_EQ(c->logging.buffered_level, CONF_LOG_INFORMATIONAL, "buffered level by name");
	T_EQ(c->logging.trap_level, CONF_LOG_DEBUGGING, "trap level by number");
	T_EQ(c->logging.monitor_level, CONF_LOG_WARNINGS, "monitor level by abbreviation");
	T_OK(c->logging.console_off, "no logging console");
	T_EQ(c->logging.n_hosts, 2, "three hosts, one removed");
	T_EQ(c->logging.hosts[1].port, 5514, "port");
	T_EQ(c->logging.facility, 22, "local6");
	out = running(c);
	T_OK(strstr(out, want) != NULL, "running lines:\n%s", out);
	d = conf_parse_text(out, "running", &err);
	T_OK(d != NULL && conf_equal(c, d), "round trip: %s", err.msg);
	out2 = d ? running(d) : NULL;
	T_STREQ(out2, out, "byte for byte");
	e = conf_dup(c);
	T_OK(e != NULL && conf_equal(c, e), "a copy is equal");
	if (e != NULL) {
		e->logging.hosts[0].port = 515;
		T_OK(!conf_equal(c, e), "a port differs");
	}
	free(out);
	free(out2);
	conf_free(d);
	conf_free(e);
	conf_free(c);

	/* defaults: nothing written */
	c = conf_parse_text("hostname gwA\nlogging buffered\nlogging trap informational\n", "t",
	    &err);
	T_OK(c != NULL, "defaults: %s", err.msg);
	out = c ? running(c) : NULL;
	T_OK(out != NULL && strstr(out, "logging") == NULL, "defaults are not written: %s",
	    out ? out : "");
	T_EQ(c ? c->logging.buffered_size : 0, CONF_LOG_BUFFERED_DEFAULT, "default size");
	free(out);
	conf_free(c);

	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char t[256];

		snprintf(t, sizeof(t), "hostname gwA\n%s\n", refused[i].line);
		err.msg[0] = '\0';
		c = conf_parse_text(t, "t", &err);
		T_OK(c == NULL, "refused: %s", refused[i].line);
		T_OK(strstr(err.msg, refused[i].why) != NULL && err.line == 2,
		    "%s: line %u: %s", refused[i].line, err.line, err.msg);
		conf_free(c);
	}
	return t_done();
}
