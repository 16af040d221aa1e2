/* SPDX-License-Identifier: Apache-2.0 */
/* expand.h: abbreviations in configuration files, as the CLI takes them: the expander that
 * controld gives conf_parse_file_opts() (conf/ knows nothing of the CLI's keyword trees). */
#ifndef GW_CLI_EXPAND_H
#define GW_CLI_EXPAND_H

#include <stddef.h>

#include "common/err.h"
#include "controld/conf/conf.h"

/* A conf_expand_fn (conf.h): line, read in the sub-mode of s, with each keyword the mode's
 * tree knows in full ("cry map vpn 10 ipsec-man" -> "crypto map vpn 10 ipsec-manual") and
 * every other word as typed.  -1 with err when a word abbreviates several keywords (IOS:
 * "% Ambiguous command").  arg is unused (NULL). */
int	cli_conf_expand(void *arg, const struct conf_session *s, const char *line, char *out,
	    size_t len, struct gw_err *err);

#endif
