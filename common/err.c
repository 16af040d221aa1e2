/* SPDX-License-Identifier: Apache-2.0 */
/* err.c: filling struct gw_err. */
#include <stdarg.h>
#include <stdio.h>

#include "common/err.h"

int
gw_fail(struct gw_err *err, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return -1;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}
