/* apply.c: a new configuration becomes the running one, all or nothing (DESIGN invariant 4).
 * Shared by the startup path, SIGHUP / "reload config" and the CLI's configure sessions, so
 * that what the CLI tests is what the daemon runs (moved here from main.c). */
#include "controld/conf/compile.h"
#include "controld/controld.h"

int
controld_apply(struct controld *cd, struct conf *next, struct gw_err *err)
{
	Gw__V1__Tables *t;

	if (conf_validate(next, err, stderr) != 0 ||
	    (t = conf_compile(next, cd->gen + 1, err)) == NULL) {
		conf_free(next);
		return -1;
	}
	conf_free(cd->running);
	cd->running = next;		/* takes next */
	cd->conf_seq++;			/* (cd->gen also moves when only owners change) */
	publish_tables(cd, t);		/* takes t */
	return 0;
}

int
controld_reload(struct controld *cd, struct gw_err *err)
{
	struct conf *next;

	if ((next = conf_parse_file(cd->conf_path, err)) == NULL)
		return -1;
	return controld_apply(cd, next, err);
}
