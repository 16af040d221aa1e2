/* SPDX-License-Identifier: Apache-2.0 */
/* log_test.c: a rate-limited message is written at most LOG_RL_BURST times a window, and the
 * first line after says how many were left out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "tests/lib/test.h"

static unsigned
lines(FILE *f, unsigned *noted)
{
	char line[1024];
	unsigned n = 0;

	rewind(f);
	*noted = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		n++;
		*noted += strstr(line, "95 more like it before this were not logged") != NULL;
	}
	return n;
}

int
main(void)
{
	char path[] = "/tmp/log_test.XXXXXX";
	int fd = mkstemp(path), saved = dup(2);
	FILE *f = fdopen(fd, "w+");
	struct log_rl rl = { 0 };
	unsigned noted;

	log_init("log_test", LOG_LVL_INFO);
	dup2(fd, 2);
	for (int i = 0; i < 100; i++)
		log_rl(&rl, LOG_LVL_WARN, "refused client %d", i);
	fflush(stderr);
	T_EQ(lines(f, &noted), LOG_RL_BURST, "100 refusals in a burst: %d lines", LOG_RL_BURST);
	rl.t0_ms -= LOG_RL_MS;			/* the window is over */
	log_rl(&rl, LOG_LVL_WARN, "refused client %d", 100);
	fflush(stderr);
	T_EQ(lines(f, &noted), LOG_RL_BURST + 1, "the next window: one more line");
	T_EQ(noted, 1, "which says how many were left out");
	log_rl(&rl, LOG_LVL_DEBUG, "below the level");
	fflush(stderr);
	T_EQ(lines(f, &noted), LOG_RL_BURST + 1, "below the log level: nothing, nothing counted");
	dup2(saved, 2);
	fclose(f);
	unlink(path);
	return t_done();
}
