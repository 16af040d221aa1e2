/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.h: controld's counters for a monitoring system, in the Prometheus text exposition
 * format (version 0.0.4), written to a file for node_exporter's textfile collector
 * (docs/logging.md, "Metrics"): controld --metrics-file PATH, rewritten every METRICS_MS and
 * at exit, atomically (a temporary file beside it, then rename), so the collector never
 * reads half of one.  "show metrics" prints the same text.  The numbers are show's: an SA's
 * packets, bytes and errors are those of "show crypto ipsec sa" (after the last "clear crypto
 * sa", so a counter may go back to 0, which Prometheus takes as a reset).  No HTTP endpoint:
 * controld opens no port of its own. */
#ifndef GW_CONTROLD_METRICS_H
#define GW_CONTROLD_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"

struct controld;

enum { METRICS_MS = 5000 };

struct metrics {
	const char	*path;			/* --metrics-file; NULL: no file */
	uint64_t	interval_ms;		/* --metrics-interval; 0: METRICS_MS */
	uint64_t	last_ms;		/* last written (CLOCK_MONOTONIC) */
	uint64_t	n_written, n_failed;
};

/* Every metric, HELP and TYPE lines included, to out. */
void	metrics_text(const struct controld *cd, FILE *out);
/* The file at path now: 0, or -1 with err (the old file, if any, is left as it was). */
int	metrics_save(const struct controld *cd, const char *path, struct gw_err *err);
/* The file, when interval_ms (METRICS_MS) have passed since it was last written (force: now); a failure is
 * logged, at a limited rate. */
void	metrics_tick(struct controld *cd, uint64_t now_ms, bool force);

#endif
