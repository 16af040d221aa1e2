/* SPDX-License-Identifier: Apache-2.0 */
/* save.c: write memory (and copy running-config startup-config): the running configuration to
 * the startup file, atomically, so that a crash leaves the old file or the new one, never half
 * of one.  The text holds session keys and IKEv2 pre-shared keys (conf_write_config, not the
 * masked show running-config: docs/adr/0010): wiped after use, and a new file is mode 0600. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "controld/cli/exec.h"

static int
write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int
save_atomic(const char *path, const char *text, size_t len, mode_t force, struct gw_err *err)
{
	char real[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX + 16];
	struct stat st;
	mode_t mode = force != 0 ? force : 0600;	/* new file: it holds session keys */
	int fd, dfd;

	if (realpath(path, real) == NULL) {
		if (errno != ENOENT)
			return gw_fail(err, 0, "not saved: %s: %s", path, strerror(errno));
		snprintf(real, sizeof(real), "%s", path);
	} else if (force == 0 && stat(real, &st) == 0) {
		mode = st.st_mode & 07777;
	}
	snprintf(tmp, sizeof(tmp), "%s", real);
	snprintf(dir, sizeof(dir), "%s", dirname(tmp));
	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", real);
	if ((fd = mkstemp(tmp)) < 0)
		return gw_fail(err, 0, "not saved, %s unchanged: cannot create a temporary file "
		    "in %s: %s", real, dir, strerror(errno));
	if (fchmod(fd, mode) != 0 || write_all(fd, text, len) != 0 || fsync(fd) != 0) {
		gw_fail(err, 0, "not saved, %s unchanged: %s: %s", real, tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, real) != 0) {
		gw_fail(err, 0, "not saved, %s unchanged: %s", real, strerror(errno));
		unlink(tmp);
		return -1;
	}
	/* the rename is durable once the directory is */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0 || fsync(dfd) != 0) {
		gw_fail(err, 0, "%s written, but its directory could not be synced (%s): it may "
		    "not survive a crash", real, strerror(errno));
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
}

int
cli_save(struct controld *cd, struct gw_err *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int rc;

	if (cd->conf.path == NULL)
		return gw_fail(err, 0, "no startup configuration file (controld -f)");
	if ((f = open_memstream(&text, &len)) == NULL)
		return gw_fail(err, 0, "out of memory");
	conf_write_config(cd->conf.running, f);	/* keys and all: show masks them */
	if (fclose(f) != 0) {
		free(text);
		return gw_fail(err, 0, "out of memory");
	}
	rc = save_atomic(cd->conf.path, text, len, 0, err);
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

int
save_write(struct controld *cd, char **a, int n, FILE *out)
{
	struct gw_err err = { 0, "" };

	(void)a;
	(void)n;
	fprintf(out, "Building configuration...\n");
	if (cli_save(cd, &err) != 0) {
		fprintf(out, "%% write memory: %s\n", err.msg);
		log_warn("write memory failed: %s", err.msg);
		return -1;
	}
	fprintf(out, "[OK] %s\n", cd->conf.path);
	log_info("running configuration (generation %" PRIu64 ") saved to %s", cd->link.gen,
	    cd->conf.path);
	return 0;
}
