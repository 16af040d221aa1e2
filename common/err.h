/* SPDX-License-Identifier: Apache-2.0 */
/* err.h: the reason that travels with a failure of outside input (config, CLI, protobuf).
 * The caller prints or replies it: "startup.conf:12: crypto map vpn 10: ...". */
#ifndef GW_ERR_H
#define GW_ERR_H

struct gw_err {
	unsigned	line;		/* 1-based line of the input; 0 = none */
	char		msg[160];
};

/* Fill err (may be NULL) and return -1, so a failure is one statement: return gw_fail(...). */
int	gw_fail(struct gw_err *err, unsigned line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
