/* SPDX-License-Identifier: Apache-2.0 */
/* log.c: one line per message, "time ident[pid]: level: text", to stderr, and the same text to
 * the sink, if one is set (log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

enum log_level log_level = LOG_LVL_INFO;
static const char *log_ident = "gw";
static const char *const names[] = { "error", "warning", "info", "debug" };
static log_sink_fn *sink;
static bool in_sink;			/* a sink's own lines go to stderr only */

void
log_set_sink(log_sink_fn *fn)
{
	sink = fn;
}

void
log_init(const char *ident, enum log_level level)
{
	log_ident = ident;
	log_level = level;
	setvbuf(stderr, NULL, _IOLBF, 0);
}

int
log_level_parse(const char *s, enum log_level *out)
{
	static const char *const alias[] = { "err", "warn", "info", "debug" };

	for (int i = 0; i < 4; i++) {
		if (strcmp(s, names[i]) == 0 || strcmp(s, alias[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

static void log_v(enum log_level lvl, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static void
log_v(enum log_level lvl, const char *fmt, va_list ap)
{
	struct timespec ts;
	struct tm tm;
	char buf[512];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	fprintf(stderr, "%02d:%02d:%02d.%03ld %s[%d]: %s: %s\n", tm.tm_hour, tm.tm_min,
	    tm.tm_sec, ts.tv_nsec / 1000000, log_ident, (int)getpid(), names[lvl], buf);
	if (sink != NULL && !in_sink) {
		in_sink = true;
		sink(lvl, buf);
		in_sink = false;
	}
}

void
log_line(const char *text)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld %s[%d]: %s\n", tm.tm_hour, tm.tm_min, tm.tm_sec,
	    ts.tv_nsec / 1000000, log_ident, (int)getpid(), text);
}

void
log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > log_level)
		return;
	va_start(ap, fmt);
	log_v(lvl, fmt, ap);
	va_end(ap);
}

bool
log_rl_take(struct log_rl *rl, uint64_t *suppressed)
{
	struct timespec ts;
	uint64_t now;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (rl->t0_ms == 0 || now - rl->t0_ms >= LOG_RL_MS) {
		rl->t0_ms = now;
		rl->n = 0;
	}
	if (rl->n >= LOG_RL_BURST) {
		rl->suppressed++;
		return false;
	}
	rl->n++;
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

void
log_rl(struct log_rl *rl, enum log_level lvl, const char *fmt, ...)
{
	uint64_t suppressed;
	va_list ap;
	char buf[512];

	if (lvl > log_level || !log_rl_take(rl, &suppressed))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (suppressed != 0)
		log_msg(lvl, "%s (%llu more like it before this were not logged)", buf,
		    (unsigned long long)suppressed);
	else
		log_msg(lvl, "%s", buf);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_v(LOG_LVL_ERR, fmt, ap);
	va_end(ap);
	exit(1);
}
