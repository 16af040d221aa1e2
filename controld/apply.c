/* SPDX-License-Identifier: Apache-2.0 */
/* apply.c: a new configuration becomes the running one, all or nothing (docs/design.md invariant
 * 4): checked, compiled into the SPD and the manual SAs, which replace those of the SAD (an SA that
 * stays keeps its state), given to the IKE engine, then published to the workers.  Shared by the
 * startup path, SIGHUP / "reload config" and the CLI's configure sessions, so that what the CLI
 * tests is what the daemon runs. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "controld/cli/expand.h"
#include "controld/controld.h"

int
controld_apply(struct controld *cd, struct conf *next, struct gw_err *err)
{
	struct spd *spd = NULL;
	struct sa_list sas = { NULL, 0 };

	if (conf_validate(next, err, stderr) != 0 ||
	    conf_compile(next, &spd, &sas, err) != 0 ||
	    sad_replace_manual(&cd->sad, &sas, err) != 0) {	/* takes sas */
		sa_list_free(&sas);
		spd_free(spd);
		conf_free(next);
		return -1;
	}
	conf_free(cd->conf.running);
	cd->conf.running = next;		/* takes next */
	spd_free(cd->conf.spd);
	cd->conf.spd = spd;
	cd->conf.seq++;			/* (cd->link.gen also moves when only owners change) */
	ikehost_conf(cd);		/* the engine borrows the running configuration */
	logging_conf(&cd->log, &next->logging);
	publish_tables(cd);
	return 0;
}

/* Each line of text (a memstream's) to the log, as a warning or an error. */
static void
log_lines(char *text, bool warn)
{
	for (char *l = text, *save = NULL; l != NULL && (l = strtok_r(l, "\n", &save)) != NULL;
	    l = NULL) {
		if (warn)
			log_warn("reload: %s", l);
		else
			log_err("reload: %s", l);
	}
}

int
controld_reload(struct controld *cd, struct gw_err *err)
{
	struct conf_parse_opts o = { .expand = cli_conf_expand };
	char *errs = NULL, *warns = NULL;
	size_t elen = 0, wlen = 0;
	struct conf *next;

	o.errors = open_memstream(&errs, &elen);
	o.warnings = open_memstream(&warns, &wlen);
	next = conf_parse_file_opts(cd->conf.path, &o, err);
	if (o.errors != NULL)
		fclose(o.errors);
	if (o.warnings != NULL)
		fclose(o.warnings);
	/* every refused line, not only the first (err has the first for the caller) */
	if (next == NULL)
		log_lines(errs, false);
	else
		log_lines(warns, true);
	free(errs);
	free(warns);
	if (next == NULL)
		return -1;
	return controld_apply(cd, next, err);
}
