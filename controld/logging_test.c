/* SPDX-License-Identifier: Apache-2.0 */
/* logging_test.c: controld's log destinations in-process (controld/logging.h): the IOS time
 * stamp, the buffer bounded by its size with the newest lines kept, show logging's layout,
 * clear logging, the rate limit by mnemonic, levels per destination, the lines of common/log.h
 * through the sink, terminal monitor's cursor with "% N lines lost" for a slow client, and the
 * tunnel and SA messages of what changed in the SAD. */
#include <stdlib.h>
#include <string.h>

#include "controld/controld.h"
#include "controld/logging.h"
#include "tests/lib/test.h"

static struct controld cd;

static char *
shown(struct logging *lg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	logging_show(lg, f);
	fclose(f);
	return buf;
}

static char *
polled(struct logging *lg, const char *id, uint64_t now)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	logging_monitor_poll(lg, id, strlen(id), now, f);
	fclose(f);
	return buf;
}

static unsigned
count(const char *s, const char *what)
{
	unsigned n = 0;

	for (const char *p = s; (p = strstr(p, what)) != NULL; p += strlen(what))
		n++;
	return n;
}

static struct sa *
mk_sa(uint64_t id, bool inbound, uint32_t spi, uint32_t peer)
{
	struct sa *sa = sa_new();

	sa->id = id;
	sa->inbound = inbound;
	sa->proto = 50;
	sa->spi = spi;
	sa->local = 0xc6336401;
	sa->peer = peer;
	sa->seq = 10;
	strcpy(sa->map, "vpn");
	return sa;
}

int
main(void)
{
	struct logging *lg = &cd.log;
	struct conf_logging cfg;
	struct gw_err err;
	char line[128], *s;
	FILE *null = fopen("/dev/null", "w");

	logging_stamp(1796424621123ull, "%SYS-5-CONFIG_I: x", line, sizeof(line));
	T_STREQ(line, "*Dec  4 22:50:21.123: %SYS-5-CONFIG_I: x", "IOS time stamp, UTC");

	log_init("logging_test", LOG_LVL_INFO);
	logging_init(lg, false);
	cfg = lg->cfg;
	cfg.console_off = true;			/* quiet test output */
	logging_conf(lg, &cfg);

	/* our messages and common/log.h's lines in the buffer, and show logging's layout */
	logging_msg(lg, LOGM_CONFIG_I, "Configured from console by vty0");
	log_info("a plain line");
	log_debug("below -v: not logged anywhere");
	s = shown(lg);
	T_OK(strstr(s, "Syslog logging: enabled (0 messages dropped, 0 messages rate-limited")
	    == s, "header:\n%s", s);
	T_OK(strstr(s, "    Buffer logging:  level debugging, 2 messages logged") != NULL,
	    "buffer header:\n%s", s);
	T_OK(strstr(s, "    Trap logging: level informational, 2 message lines logged") != NULL,
	    "trap header:\n%s", s);
	T_OK(strstr(s, "\nLog Buffer (4096 bytes):\n\n*") != NULL, "buffer:\n%s", s);
	T_OK(strstr(s, ": %SYS-5-CONFIG_I: Configured from console by vty0\n") != NULL,
	    "mnemonic line:\n%s", s);
	T_OK(strstr(s, ": a plain line\n") != NULL, "plain line:\n%s", s);
	T_OK(strstr(s, "below -v") == NULL, "debug below the log level");
	free(s);

	/* the rate limit: LOG_RL_BURST of a mnemonic in a window, the others counted */
	for (int i = 0; i < 20; i++)
		logging_msg(lg, LOGM_INV_SPI, "decaps: rec'd IPSEC packet has invalid spi %d", i);
	s = shown(lg);
	T_EQ(count(s, "%CRYPTO-4-RECVD_PKT_INV_SPI"), LOG_RL_BURST, "rate-limited:\n%s", s);
	T_OK(strstr(s, "15 messages rate-limited") != NULL, "counted:\n%s", s);
	free(s);

	/* bounded by its size: the newest lines kept */
	for (int i = 0; i < 200; i++)
		log_info("line %03d with some words to fill the buffer", i);
	T_OK(lg->buf.bytes <= 4096, "%zu bytes kept", lg->buf.bytes);
	s = shown(lg);
	T_OK(strstr(s, "line 199") != NULL && strstr(s, "line 100") == NULL, "newest kept");
	free(s);
	logging_clear(lg);
	s = shown(lg);
	T_OK(strstr(s, "line 199") == NULL, "clear logging");
	free(s);

	/* levels: buffered warnings takes 4, not 6; no logging buffered: nothing */
	cfg.buffered_level = CONF_LOG_WARNINGS;
	cfg.buffered_size = 8192;
	logging_conf(lg, &cfg);
	log_info("informational");
	log_warn("a warning");
	s = shown(lg);
	T_OK(strstr(s, "informational\n") == NULL && strstr(s, "a warning\n") != NULL &&
	    strstr(s, "Log Buffer (8192 bytes)") != NULL, "buffered warnings:\n%s", s);
	free(s);
	cfg.buffered_level = CONF_LOG_DEBUGGING;
	logging_conf(lg, &cfg);

	/* terminal monitor: only lines after it; a slow client is told what it lost */
	T_EQ(logging_monitor_set(lg, "c1", 2, true, 1000, null), 0, "terminal monitor");
	T_OK(logging_monitor_on(lg, "c1", 2) && !logging_monitor_on(lg, "c2", 2), "on for c1");
	log_warn("seen by the monitor");
	s = polled(lg, "c1", 1100);
	T_OK(strstr(s, ": seen by the monitor\n") != NULL && strstr(s, "a warning") == NULL,
	    "poll:\n%s", s);
	free(s);
	s = polled(lg, "c1", 1200);
	T_STREQ(s, "", "nothing new");
	free(s);
	for (int i = 0; i < LOGGING_MON_LINES + 10; i++)
		log_info("flood %d", i);
	s = polled(lg, "c1", 1300);
	T_OK(strncmp(s, "% 10 lines lost\n", 16) == 0, "lost:\n%.80s", s);
	T_OK(strlen(s) <= LOGGING_POLL_MAX + 64, "a poll is bounded");
	free(s);
	for (int i = 0; i < 20; i++)
		free(polled(lg, "c1", 1400));
	s = polled(lg, "c1", 1500);
	T_STREQ(s, "", "caught up");
	free(s);
	cfg.monitor_level = CONF_LOG_ERRORS;
	logging_conf(lg, &cfg);
	log_warn("a warning, not for a monitor at errors");
	log_err("an error");
	s = polled(lg, "c1", 1600);
	T_OK(strstr(s, "an error") != NULL && strstr(s, "not for a monitor") == NULL,
	    "logging monitor errors:\n%s", s);
	free(s);
	logging_monitor_set(lg, "c1", 2, false, 1700, null);
	T_OK(!logging_monitor_on(lg, "c1", 2), "terminal no monitor");
	T_EQ(logging_monitor_set(lg, "c3", 2, true, 1000, null), 0, "c3 on");
	logging_monitor_set(lg, "c4", 2, true, 1000 + LOGGING_MONITOR_IDLE_MS + 1, null);
	T_OK(!logging_monitor_on(lg, "c3", 2), "an idle monitor is forgotten");
	for (int i = 0; i < LOGGING_MONITORS_MAX + 2; i++) {
		char id[16];

		snprintf(id, sizeof(id), "m%d", i);
		logging_monitor_set(lg, id, strlen(id), true, 100000, null);
	}
	T_EQ(lg->n_mons, LOGGING_MONITORS_MAX, "at most LOGGING_MONITORS_MAX monitors");

	/* tunnels and SAs: up when a peer's first SA is published, down with its last */
	logging_clear(lg);
	T_EQ(sad_add(&cd.sad, mk_sa(0x1001, true, 0x1001, 0xc6336402), &err), 0, "add");
	T_EQ(sad_add(&cd.sad, mk_sa(0x1002, false, 0x2002, 0xc6336402), &err), 0, "add");
	cd.link.gen = 5;
	logging_tick(&cd);
	s = shown(lg);
	T_OK(strstr(s, "%CRYPTO-5-SESSION_STATUS: Crypto tunnel is UP  .  Peer "
	    "198.51.100.2:500       Id: 198.51.100.2\n") != NULL, "tunnel up:\n%s", s);
	T_EQ(count(s, "%CRYPTO-6-IPSEC_SA_UP: "), 2, "two SAs up");
	T_OK(strstr(s, "inbound esp SA up: spi 0x1001(4097), peer 198.51.100.2, crypto map vpn "
	    "10") != NULL, "SA up:\n%s", s);
	free(s);
	logging_clear(lg);
	logging_tick(&cd);
	s = shown(lg);
	T_OK(strstr(s, "%CRYPTO") == NULL, "same generation: nothing:\n%s", s);
	free(s);
	sad_remove(&cd.sad, sad_find(&cd.sad, 0x1001));
	cd.link.gen = 6;
	logging_tick(&cd);
	s = shown(lg);
	T_OK(strstr(s, "IPSEC_SA_DOWN: inbound esp SA down") != NULL &&
	    strstr(s, "SESSION_STATUS") == NULL, "one SA down, tunnel stays:\n%s", s);
	free(s);
	sad_remove(&cd.sad, sad_find(&cd.sad, 0x1002));
	cd.link.gen = 7;
	logging_tick(&cd);
	s = shown(lg);
	T_OK(strstr(s, "%CRYPTO-5-SESSION_STATUS: Crypto tunnel is DOWN.  Peer "
	    "198.51.100.2:500       Id: 198.51.100.2\n") != NULL, "tunnel down:\n%s", s);
	free(s);

	/* no logging on: nothing anywhere */
	cfg.off = true;
	logging_conf(lg, &cfg);
	logging_clear(lg);
	log_err("not logged");
	s = shown(lg);
	T_OK(strstr(s, "Syslog logging: disabled") != NULL && strstr(s, "not logged") == NULL,
	    "no logging on:\n%s", s);
	free(s);
	logging_free(lg);
	sad_free(&cd.sad);
	fclose(null);
	return t_done();
}
