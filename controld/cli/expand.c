/* SPDX-License-Identifier: Apache-2.0 */
/* expand.c: abbreviations in configuration files (controld -f, reload), with the keyword
 * trees the CLI expands typed lines with (keywords.c), so that a snippet gwctl -f applies is
 * read the same from the startup file.  Expansion only spells words out: the configuration
 * parser still decides on every line (docs/design.md invariant 4 is conf/'s). */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "controld/cli/cli.h"
#include "controld/cli/expand.h"

int
cli_conf_expand(void *arg, const struct conf_session *s, const char *line, char *out,
    size_t len, struct gw_err *err)
{
	struct cli_walk *wk;
	int r = 0;

	(void)arg;
	if ((wk = malloc(sizeof(*wk))) == NULL)
		return gw_fail(err, 0, "out of memory");
	if (cli_walk(wk, cli_tree_of(s), line, err) != 0) {
		r = -1;
	} else if (wk->stop == CLI_W_AMBIGUOUS) {
		r = gw_fail(err, 0, "\"%.40s\": ambiguous command (abbreviates more than one "
		    "keyword)", wk->w[wk->matched]);
	} else if (wk->matched == 0) {
		snprintf(out, len, "%s", line);	/* nothing the tree knows: as typed */
	} else {
		cli_expand(wk, out, len);
	}
	OPENSSL_cleanse(wk, sizeof(*wk));	/* may hold session keys */
	free(wk);
	return r;
}
