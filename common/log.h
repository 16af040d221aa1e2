/* log.h: leveled logging to stderr (journald picks it up) for both daemons.  Not for the fast
 * path above debug; drops are counted, and logged only at debug, rate-limited by the caller. */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

extern enum log_level log_level;

void	log_init(const char *ident, enum log_level level);
int	log_level_parse(const char *s, enum log_level *out);	/* "err".."debug"; -1 if unknown */
void	log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	do { if (log_level >= LOG_LVL_DEBUG) log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)

#endif
