/* SPDX-License-Identifier: Apache-2.0 */
/* link_test.h: a controld in memory for the link's unit tests (wire_test, workers_test): a
 * state directory of its own under /tmp with its leases and floors, a configuration applied,
 * and the end that frees it all and removes the directory.  Test code only. */
#ifndef GW_CONTROLD_LINK_LINK_TEST_H
#define GW_CONTROLD_LINK_LINK_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/log.h"
#include "controld/cli/cli.h"
#include "controld/conf/compile.h"
#include "controld/controld.h"

/* cd up with conf (taken, freed) in a new dir[64] named after name; 0, or -1 said on stderr. */
static inline int
link_test_up(struct controld *cd, char *dir, const char *name, char *conf)
{
	struct gw_err err = { 0, "" };
	struct conf *c;

	log_init(name, LOG_LVL_ERR);
	snprintf(dir, 64, "/tmp/%s.XXXXXX", name);
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		free(conf);
		return -1;
	}
	cd->link.state_dir = dir;
	if (lease_open(&cd->link.leases, dir, &err) != 0 ||
	    lease_open_named(&cd->link.floors, dir, "replay-floors", NULL, "floors", &err) != 0 ||
	    (c = conf_parse_text(conf, name, &err)) == NULL || controld_apply(cd, c, &err) != 0) {
		fprintf(stderr, "%s: %s\n", name, err.msg);
		free(conf);
		return -1;
	}
	free(conf);
	return 0;
}

static inline void
link_test_down(struct controld *cd, const char *dir)
{
	static const char *const files[] = { "key-leases", "replay-floors", "inbound-owners" };
	char path[128];

	cli_free(cd);
	conf_free(cd->conf.running);
	spd_free(cd->conf.spd);
	workers_free(cd);
	sad_free(&cd->sad);
	lease_close(&cd->link.leases);
	lease_close(&cd->link.floors);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	rmdir(dir);
}

#endif
