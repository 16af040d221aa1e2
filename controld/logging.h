/* SPDX-License-Identifier: Apache-2.0 */
/* logging.h: what controld says, where IOS would say it (docs/logging.md): every line of
 * common/log.h (through its sink) and the IOS-style messages of its own ("%CRYPTO-4-
 * RECVD_PKT_INV_SPI: ...") go, each by its severity and the "logging" commands of the running
 * configuration, to
 *
 *   the log buffer     "show logging", bounded by "logging buffered SIZE"; "clear logging"
 *   the console        controld's stderr ("logging console"; plain lines follow -v)
 *   the monitors       gwctl sessions after "terminal monitor", each with its cursor into
 *                      a bounded ring: a client too slow loses lines, and is told how many
 *   the syslog hosts   "logging host", RFC 3164 over UDP as IOS sends it ("<189>12: *Dec  4
 *                      22:50:21.123: %SYS-5-CONFIG_I: ..."), and syslog(3) with --syslog
 *
 * Every message is rate-limited by mnemonic (common/log.h's limit: LOG_RL_BURST lines in
 * LOG_RL_MS), so no peer can flood a destination.  Everything is bounded: the buffer by
 * its size, the monitor ring by MON_LINES and MON_BYTES, the monitors by LOGGING_MONITORS_MAX.
 * Owned by controld's one loop (struct controld's log): nothing locks. */
#ifndef GW_CONTROLD_LOGGING_H
#define GW_CONTROLD_LOGGING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/link.h"
#include "common/log.h"
#include "controld/conf/conf.h"

struct controld;

enum {
	LOGGING_MONITORS_MAX	= 32,		/* gwctl sessions with terminal monitor */
	LOGGING_MON_LINES	= 1024,		/* the monitor ring: lines ... */
	LOGGING_MON_BYTES	= 256 << 10,	/* ... and bytes */
	LOGGING_POLL_MAX	= 64 << 10,	/* bytes of lines one poll returns */
	LOGGING_MONITOR_IDLE_MS	= 60000,	/* a monitor not polled this long is forgotten */
	LOGGING_LINE_MAX	= 600,		/* a line: time stamp, mnemonic, text */
};

/* The messages of our own, with their facility, severity and mnemonic (docs/logging.md). */
#define LOGGING_MNEMONICS(X)							\
	X(INV_SPI,	"CRYPTO", 4, "RECVD_PKT_INV_SPI")			\
	X(REPLAY,	"CRYPTO", 4, "PKT_REPLAY_ERR")				\
	X(MAC,		"CRYPTO", 4, "RECVD_PKT_MAC_ERR")			\
	X(SESSION,	"CRYPTO", 5, "SESSION_STATUS")				\
	X(SA_UP,	"CRYPTO", 6, "IPSEC_SA_UP")				\
	X(SA_DOWN,	"CRYPTO", 6, "IPSEC_SA_DOWN")				\
	X(CONFIG_I,	"SYS", 5, "CONFIG_I")					\
	X(RELOAD,	"SYS", 5, "RELOAD")					\
	X(RESTART,	"SYS", 5, "RESTART")

enum logging_mnem {
#define X(n, f, s, m) LOGM_##n,
	LOGGING_MNEMONICS(X)
#undef X
	LOGM_MAX
};

/* A bounded ring of lines, oldest first; line k of all ever pushed has sequence number k. */
struct log_entry {
	uint64_t	seq;
	uint8_t		sev;
	uint32_t	len;
	char		*text;			/* owned, without newline */
};

struct log_ring {
	struct log_entry	*v;		/* cap entries, circular from head */
	size_t			cap, head, n;
	size_t			bytes, max_bytes;
	uint64_t		next_seq;
};

struct log_monitor {
	uint8_t		id[LINK_ID_MAX];	/* the gwctl client (ZeroMQ routing id) */
	size_t		id_len;
	uint64_t	cursor;			/* the next line of the monitor ring it gets */
	uint64_t	last_ms;
};

/* A published SA as the tunnel messages last saw it (logging_tick). */
struct log_sa {
	uint64_t	id;
	uint32_t	spi, peer;
	uint16_t	port;			/* 500, or 4500 with NAT-T */
	uint8_t		proto;
	bool		inbound;
	uint32_t	seq;
	char		map[CONF_NAME_MAX];
};

struct logging {
	struct conf_logging	cfg;		/* as last applied (logging_conf) */
	bool			local_syslog;	/* controld --syslog: syslog(3) too */
	struct log_ring		buf;		/* show logging */
	struct log_ring		mon;		/* terminal monitor */
	uint64_t		n_msgs;		/* every message: syslog's sequence number */
	uint64_t		n_console, n_monitor, n_buffered, n_trap;
	uint64_t		n_trap_failed;	/* sendto() refused */
	uint64_t		n_rate_limited;
	uint64_t		host_sent[CONF_LOG_HOSTS_MAX];
	int			udp_fd;		/* when udp_open: made for the first host */
	bool			udp_open;
	struct log_monitor	mons[LOGGING_MONITORS_MAX];
	size_t			n_mons;
	struct log_rl		rl[LOGM_MAX];
	bool			seen;		/* sas holds what logging_tick saw */
	uint64_t		seen_gen;
	struct log_sa		*sas;		/* sorted by id */
	size_t			n_sas;
};

/* The initial state (defaults of IOS, no hosts), and the sink of common/log.h set to lg: from
 * now on every line logged also goes where lg says.  One lg at a time. */
void	logging_init(struct logging *lg, bool local_syslog);
/* The sink unset, everything freed. */
void	logging_free(struct logging *lg);
/* A configuration was applied: its logging commands take effect (a smaller buffer drops its
 * oldest lines).  Never fails: a socket that cannot be opened is logged, and the hosts get
 * nothing until the next configuration. */
void	logging_conf(struct logging *lg, const struct conf_logging *cfg);
/* One of our messages: "%FAC-SEV-MNEMONIC: text", rate-limited by mnemonic. */
void	logging_msg(struct logging *lg, enum logging_mnem m, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The tunnel and SA messages (SESSION_STATUS, IPSEC_SA_UP/DOWN) of what changed in cd's SAD
 * since the last call: call once a turn of the loop (cheap when the generation is the same). */
void	logging_tick(struct controld *cd);

/* show logging: the header lines of IOS, then "Log Buffer (N bytes):" and the buffer. */
void	logging_show(const struct logging *lg, FILE *out);
void	logging_clear(struct logging *lg);		/* clear logging */

/* terminal monitor / terminal no monitor for gwctl client id (any bytes): -1 with the reason
 * in out when LOGGING_MONITORS_MAX clients monitor already. */
int	logging_monitor_set(struct logging *lg, const void *id, size_t id_len, bool on,
	    uint64_t now_ms, FILE *out);
bool	logging_monitor_on(const struct logging *lg, const void *id, size_t id_len);
/* A poll of client id: the lines since its cursor at "logging monitor"'s level (at most
 * LOGGING_POLL_MAX bytes; the rest at the next poll), after "% N lines lost" when it was too
 * slow.  Nothing when it does not monitor. */
void	logging_monitor_poll(struct logging *lg, const void *id, size_t id_len, uint64_t now_ms,
	    FILE *out);

/* The line as the buffer keeps it: "*Dec  4 22:50:21.123: " and body, from a wall clock time
 * in ms (for tests).  Truncated to len. */
void	logging_stamp(uint64_t unix_ms, const char *body, char *line, size_t len);
/* The ring alone (for tests): push a line, fit to max_bytes. */
void	log_ring_push(struct log_ring *r, uint8_t sev, const char *text);
void	log_ring_free(struct log_ring *r);

#endif
