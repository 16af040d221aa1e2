/* SPDX-License-Identifier: Apache-2.0 */
/* log.h: leveled logging to stderr (journald picks it up) for both daemons.  Not for the fast
 * path above debug; drops are counted, and logged only at debug, rate-limited by the caller. */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdbool.h>
#include <stdint.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

extern enum log_level log_level;

void	log_init(const char *ident, enum log_level level);
int	log_level_parse(const char *s, enum log_level *out);	/* "err".."debug"; -1 if unknown */
void	log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* A rate limit for one kind of message whose cause is outside (a refused key, a flood): at
 * most LOG_RL_BURST lines per LOG_RL_MS; the first line after a quiet spell says how many
 * were left out.  One struct per kind, zeroed to start. */
enum { LOG_RL_BURST = 5, LOG_RL_MS = 10000 };

struct log_rl {
	uint64_t	t0_ms;
	unsigned	n;
	uint64_t	suppressed;
};

void	log_rl(struct log_rl *rl, enum log_level lvl, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* The limit of log_rl() alone, for a caller that writes its own line: true if one more line
 * may go now; *suppressed is then how many were left out before it (and starts again at 0). */
bool	log_rl_take(struct log_rl *rl, uint64_t *suppressed);

/* A second destination for every line that passes log_level (controld's log buffer, syslog,
 * terminal monitor, controld/logging.h): called after stderr with the level and the text
 * (borrowed for the call).  A line the sink logs itself goes to stderr only (never
 * reentered).  NULL: none (datad). */
typedef void	log_sink_fn(enum log_level lvl, const char *text);
void	log_set_sink(log_sink_fn *fn);
/* text to stderr as one line of ours ("time ident[pid]: text"), whatever log_level says: for
 * a caller with levels of its own (controld's "logging console"). */
void	log_line(const char *text);

#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	do { if (log_level >= LOG_LVL_DEBUG) log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)

#endif
