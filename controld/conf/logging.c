/* SPDX-License-Identifier: Apache-2.0 */
/* logging.c: the logging commands of IOS (docs/logging.md) as a part of the configuration:
 * parse, defaults, equality and their lines of the running configuration.  What they do is
 * controld/logging.c's, which takes them at each commit.  Only what differs from IOS's
 * defaults is written, so that a configuration without logging lines shows none and saved
 * text reads back to an equal configuration.  Keeps docs/design.md invariant 4 as every
 * family: a refused line changes nothing (each command checks all its words, then sets). */
#include "controld/conf/families.h"

static const char *const level_names[8] = {
	"emergencies", "alerts", "critical", "errors", "warnings", "notifications",
	"informational", "debugging",
};

/* syslog facilities by name (RFC 3164 §4.1.1), as IOS's logging facility takes them */
static const struct {
	const char	*name;
	uint8_t		code;
} facilities[] = {
	{ "auth", 4 }, { "cron", 9 }, { "daemon", 3 }, { "kern", 0 }, { "local0", 16 },
	{ "local1", 17 }, { "local2", 18 }, { "local3", 19 }, { "local4", 20 },
	{ "local5", 21 }, { "local6", 22 }, { "local7", 23 }, { "lpr", 6 }, { "mail", 2 },
	{ "news", 7 }, { "syslog", 5 }, { "user", 1 }, { "uucp", 8 },
};

const char *
conf_log_level_name(unsigned level)
{
	return level < 8 ? level_names[level] : "?";
}

void
logging_conf_init(struct conf *c)
{
	struct conf_logging *g = &c->logging;

	memset(g, 0, sizeof(*g));
	g->buffered_size = CONF_LOG_BUFFERED_DEFAULT;
	g->buffered_level = CONF_LOG_DEBUGGING;
	g->console_level = CONF_LOG_DEBUGGING;
	g->monitor_level = CONF_LOG_DEBUGGING;
	g->trap_level = CONF_LOG_INFORMATIONAL;
	g->facility = CONF_LOG_FACILITY_DEFAULT;
}

bool
logging_conf_equal(const struct conf *a, const struct conf *b)
{
	const struct conf_logging *x = &a->logging, *y = &b->logging;

	if (x->off != y->off || x->buffered_off != y->buffered_off ||
	    x->console_off != y->console_off || x->monitor_off != y->monitor_off ||
	    x->trap_off != y->trap_off || x->buffered_size != y->buffered_size ||
	    x->buffered_level != y->buffered_level || x->console_level != y->console_level ||
	    x->monitor_level != y->monitor_level || x->trap_level != y->trap_level ||
	    x->facility != y->facility || x->n_hosts != y->n_hosts ||
	    strcmp(x->source_if, y->source_if) != 0)
		return false;
	for (size_t i = 0; i < x->n_hosts; i++)
		if (x->hosts[i].addr != y->hosts[i].addr || x->hosts[i].port != y->hosts[i].port)
			return false;
	return true;
}

/* Does w abbreviate full (at least min characters, as the keyword trees would expand it)? */
static bool
abbr(const char *w, const char *full, size_t min)
{
	size_t n = strlen(w);

	return n >= min && n <= strlen(full) && strncasecmp(w, full, n) == 0;
}

/* A level by number (0-7) or name (a unique prefix). */
static int
level_word(struct pl *p, int i, uint8_t *out)
{
	const char *w = word(p, i);
	unsigned long v;
	int found = -1;

	if (num(w, 0, 7, &v)) {
		*out = (uint8_t)v;
		return 0;
	}
	for (int k = 0; k < 8 && w[0] != '\0'; k++) {
		if (!abbr(w, level_names[k], 1))
			continue;
		if (found >= 0)
			return perr(p, "\"%.40s\": ambiguous level", w);
		found = k;
	}
	if (found < 0)
		return perr(p, "\"%.40s\": not a level (0-7, emergencies .. debugging)", w);
	*out = (uint8_t)found;
	return 0;
}

/* logging buffered [SIZE] [LEVEL] */
static int
cmd_buffered(struct pl *p, bool no)
{
	struct conf_logging *g = &p->s->c->logging;
	uint32_t size = CONF_LOG_BUFFERED_DEFAULT;
	uint8_t level = CONF_LOG_DEBUGGING;
	unsigned long v;
	int i = 2;

	if (no) {
		g->buffered_off = true;
		g->buffered_size = CONF_LOG_BUFFERED_DEFAULT;
		g->buffered_level = CONF_LOG_DEBUGGING;
		return 0;
	}
	if (i < p->l->n && num(word(p, i), 8, 0xffffffffu, &v)) {
		if (v < CONF_LOG_BUFFERED_MIN || v > CONF_LOG_BUFFERED_MAX)
			return perr(p, "buffer size %lu: not in %u..%u bytes", v,
			    CONF_LOG_BUFFERED_MIN, CONF_LOG_BUFFERED_MAX);
		size = (uint32_t)v;
		i++;
	}
	if (i < p->l->n && level_word(p, i++, &level) != 0)
		return -1;
	if (extra(p, i) != 0)
		return -1;
	g->buffered_off = false;
	g->buffered_size = size;
	g->buffered_level = level;
	return 0;
}

/* logging console|monitor|trap [LEVEL]: no turns the destination off */
static int
cmd_dest(struct pl *p, bool no, bool *off, uint8_t *level, uint8_t dflt)
{
	uint8_t lv = dflt;

	if (no) {
		*off = true;
		*level = dflt;
		return 0;
	}
	if (p->l->n > 2 && level_word(p, 2, &lv) != 0)
		return -1;
	if (extra(p, 3) != 0)
		return -1;
	*off = false;
	*level = lv;
	return 0;
}

/* logging host A [transport udp [port P]], and IOS 12.2's logging A */
static int
cmd_host(struct pl *p, bool no, int i)
{
	struct conf_logging *g = &p->s->c->logging;
	uint32_t addr;
	unsigned long port = 514;
	size_t k;

	if (!ipv4(word(p, i), &addr))
		return perr(p, "\"%.40s\": not an IPv4 address", word(p, i));
	i++;
	if (i < p->l->n && abbr(word(p, i), "transport", 2)) {
		if (!abbr(word(p, i + 1), "udp", 1))
			return perr(p, "transport \"%.40s\": only udp", word(p, i + 1));
		i += 2;
		if (i < p->l->n && abbr(word(p, i), "port", 1)) {
			if (!num(word(p, i + 1), 1, 65535, &port))
				return perr(p, "port \"%.40s\": not in 1..65535", word(p, i + 1));
			i += 2;
		}
	}
	if (extra(p, i) != 0)
		return -1;
	for (k = 0; k < g->n_hosts && g->hosts[k].addr != addr; k++)
		;
	if (no) {
		if (k < g->n_hosts)
			PTR_REMOVE(g->hosts, g->n_hosts, k);
		return 0;
	}
	if (k == g->n_hosts) {
		if (g->n_hosts == CONF_LOG_HOSTS_MAX)
			return perr(p, "at most %d hosts", CONF_LOG_HOSTS_MAX);
		g->n_hosts++;
	}
	g->hosts[k] = (struct conf_log_host){ p->lineno, addr, (uint16_t)port };
	return 0;
}

static int
cmd_facility(struct pl *p, bool no)
{
	struct conf_logging *g = &p->s->c->logging;

	if (no) {
		g->facility = CONF_LOG_FACILITY_DEFAULT;
		return 0;
	}
	for (size_t i = 0; i < NELEM(facilities); i++)
		if (strcasecmp(word(p, 2), facilities[i].name) == 0) {
			if (extra(p, 3) != 0)
				return -1;
			g->facility = facilities[i].code;
			return 0;
		}
	return perr(p, "\"%.40s\": not a facility (local0 .. local7, user, ...)", word(p, 2));
}

int
logging_conf_cmd(struct pl *p, bool no)
{
	struct conf_logging *g = &p->s->c->logging;
	const char *w = word(p, 1);
	uint32_t addr;

	where(p, "logging");
	if (w[0] == '\0')
		return perr(p, "needs a keyword (buffered, host, trap, monitor, console, on)");
	if (abbr(w, "buffered", 1))
		return cmd_buffered(p, no);
	if (abbr(w, "console", 2))
		return cmd_dest(p, no, &g->console_off, &g->console_level, CONF_LOG_DEBUGGING);
	if (abbr(w, "monitor", 1))
		return cmd_dest(p, no, &g->monitor_off, &g->monitor_level, CONF_LOG_DEBUGGING);
	if (abbr(w, "trap", 2))
		return cmd_dest(p, no, &g->trap_off, &g->trap_level, CONF_LOG_INFORMATIONAL);
	if (abbr(w, "host", 1))
		return cmd_host(p, no, 2);
	if (ipv4(w, &addr))
		return cmd_host(p, no, 1);
	if (abbr(w, "facility", 1))
		return cmd_facility(p, no);
	if (abbr(w, "on", 2)) {
		if (extra(p, 2) != 0)
			return -1;
		g->off = no;
		return 0;
	}
	if (abbr(w, "source-interface", 2)) {
		/* accepted and kept, not used: syslog leaves from the host's own routing */
		if (no) {
			g->source_if[0] = '\0';
			return 0;
		}
		if (name_ok(p, "source-interface", word(p, 2)) != 0 || extra(p, 3) != 0)
			return -1;
		copy_name(g->source_if, word(p, 2));
		return 0;
	}
	return perr(p, "\"%.40s\": not a logging command we know (buffered, host, trap, "
	    "monitor, console, facility, on, source-interface)", w);
}

void
logging_conf_running(const struct conf *c, FILE *out)
{
	const struct conf_logging *g = &c->logging;
	char b[16];
	bool any = false;

	if (g->off) {
		fputs("no logging on\n", out);
		any = true;
	}
	if (g->buffered_off) {
		fputs("no logging buffered\n", out);
		any = true;
	} else if (g->buffered_size != CONF_LOG_BUFFERED_DEFAULT ||
	    g->buffered_level != CONF_LOG_DEBUGGING) {
		fprintf(out, "logging buffered %u %s\n", g->buffered_size,
		    level_names[g->buffered_level & 7]);
		any = true;
	}
	if (g->console_off || g->console_level != CONF_LOG_DEBUGGING) {
		if (g->console_off)
			fputs("no logging console\n", out);
		else
			fprintf(out, "logging console %s\n", level_names[g->console_level & 7]);
		any = true;
	}
	if (g->monitor_off || g->monitor_level != CONF_LOG_DEBUGGING) {
		if (g->monitor_off)
			fputs("no logging monitor\n", out);
		else
			fprintf(out, "logging monitor %s\n", level_names[g->monitor_level & 7]);
		any = true;
	}
	if (g->trap_off || g->trap_level != CONF_LOG_INFORMATIONAL) {
		if (g->trap_off)
			fputs("no logging trap\n", out);
		else
			fprintf(out, "logging trap %s\n", level_names[g->trap_level & 7]);
		any = true;
	}
	if (g->facility != CONF_LOG_FACILITY_DEFAULT) {
		for (size_t i = 0; i < NELEM(facilities); i++)
			if (facilities[i].code == g->facility) {
				fprintf(out, "logging facility %s\n", facilities[i].name);
				break;
			}
		any = true;
	}
	if (g->source_if[0] != '\0') {
		fprintf(out, "logging source-interface %s\n", g->source_if);
		any = true;
	}
	for (size_t i = 0; i < g->n_hosts; i++) {
		fprintf(out, "logging host %s", ip_str(g->hosts[i].addr, b));
		if (g->hosts[i].port != 514)
			fprintf(out, " transport udp port %u", g->hosts[i].port);
		fputc('\n', out);
		any = true;
	}
	if (any)
		fputs("!\n", out);
}
