/* cli.c: the CLI sessions of controld and the exec commands (cli.h says what and why).
 *
 * A client is in exec mode until "configure terminal"; then it has a session here, keyed by
 * its ZeroMQ routing id: a candidate copy of the running configuration, the sub-mode, the
 * lines it accepted (to replay them if the running configuration changes meanwhile) and the
 * lines it refused.  "end" commits the candidate through controld_apply() only when no line
 * was refused and the candidate validates (DESIGN invariant 4); otherwise nothing is applied
 * and the reply says why.  The running configuration is never touched before the commit.
 *
 * "clear crypto sa" on manual SAs: IOS re-establishes them at once with the same keys, so we
 * keep them, and reset what the operator sees, their counters (a baseline subtracted in
 * show); their sequence numbers go on (invariant 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <zmq.h>

#include "common/log.h"
#include "controld/cli/cli.h"
#include "controld/controld.h"

struct cli_sess {
	uint8_t			id[LINK_ID_MAX];	/* ZeroMQ routing id */
	size_t			id_len;
	uint64_t		start_ms, last_ms;
	uint64_t		base_seq;	/* cd->conf_seq the candidate was copied at */
	struct conf		*cand;		/* the candidate configuration, owned */
	struct conf_session	cs;		/* on cand */
	unsigned		n_lines;	/* configuration lines fed (not help, not do) */
	unsigned		n_errors;	/* of which refused */
	char			errs[CLI_ERRS_KEPT][224];
	char			*log;		/* accepted lines, "LINENO LINE\n"; keys: wiped */
	size_t			log_len, log_cap;
};

/* What an SA's counters were at its last "clear crypto sa". */
struct cli_base {
	uint64_t	sa_id;
	struct sa_stat	at;
};

static const char help_text[] =
"Help may be requested at any point in a command by entering a question mark '?'.  If\n"
"nothing matches, the help list will be empty and you must back up until entering a '?'\n"
"shows the available options.\n"
"Two styles of help are provided:\n"
"1. Full help is available when you are ready to enter a command argument (e.g. 'show ?')\n"
"   and describes each possible argument.\n"
"2. Partial help is provided when an abbreviated argument is entered and you want to know\n"
"   what arguments match the input (e.g. 'show cr?').\n"
"Keywords may be abbreviated to any unique prefix ('sh cry ips sa', 'conf t'); in gwctl,\n"
"TAB completes the word being typed.\n"
"\n"
"Exec commands:\n"
"  show crypto ipsec sa [map NAME|peer A|address|identity] [detail]\n"
"  show crypto ipsec transform-set [tag NAME]\n"
"  show crypto ipsec security-association lifetime\n"
"  show crypto map [tag NAME] [interface IF]\n"
"  show crypto dynamic-map [tag NAME]\n"
"  show running-config | show startup-config\n"
"  show ip access-lists [NAME]\n"
"  show workers | show users\n"
"  configure terminal (then \"end\" applies the session all or nothing, \"abort\" drops it)\n"
"  write memory | copy running-config startup-config\n"
"  clear crypto sa [peer A | map NAME | entry DEST-ADDR {ah|esp} SPI]\n"
"  debug crypto ipsec | no debug crypto ipsec | undebug all\n"
"  reload config (re-read the startup file, all or nothing)\n"
"  exit\n";

/* ---- Small helpers ---- */

static const char *
ip(uint32_t a, char *buf)
{
	struct in_addr ia = { htonl(a) };

	return inet_ntop(AF_INET, &ia, buf, INET_ADDRSTRLEN);
}

static bool
ip_parse(const char *s, uint32_t *out)
{
	struct in_addr ia;

	if (inet_pton(AF_INET, s, &ia) != 1)
		return false;
	*out = ntohl(ia.s_addr);
	return true;
}

static int
kw(const char *in, const char *word)	/* in abbreviates word */
{
	return in != NULL && strncasecmp(in, word, strlen(in)) == 0 && in[0] != '\0';
}

/* The client's id as text, for logs and show users. */
static void
sess_name(const struct cli_sess *s, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->id_len && o + 3 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%02x", s->id[i]);
}

/* ---- Show commands (the configuration ones are conf_show.c's) ---- */

static int
c_sa(struct controld *cd, char **a, int n, FILE *out)
{
	const char *filter = NULL, *arg = NULL;
	bool detail = false;

	for (int i = 0; i < n; i++) {
		if (kw(a[i], "detail"))
			detail = true;
		else if (kw(a[i], "map") && i + 1 < n)
			filter = "map", arg = a[++i];
		else if (kw(a[i], "peer") && i + 1 < n)
			filter = "peer", arg = a[++i];
		else if (kw(a[i], "address"))
			filter = "address";
		else if (kw(a[i], "identity"))
			filter = "identity";
		else {
			fprintf(out, "%% Invalid input detected at '%s'\n", a[i]);
			return -1;
		}
	}
	show_ipsec_sa(cd, filter, arg, detail, out);
	return 0;
}

static int
c_tset(struct controld *cd, char **a, int n, FILE *out)
{
	const char *tag = NULL;

	if (n == 2 && kw(a[0], "tag"))
		tag = a[1];
	else if (n == 1)
		tag = a[0];
	else if (n != 0) {
		fprintf(out, "%% Usage: show crypto ipsec transform-set [tag NAME]\n");
		return -1;
	}
	conf_show_transform_sets(cd->running, tag, out);
	return 0;
}

static int
c_map(struct controld *cd, char **a, int n, FILE *out)
{
	const char *tag = NULL, *ifn = NULL;

	for (int i = 0; i < n; i++) {
		if (kw(a[i], "tag") && i + 1 < n)
			tag = a[++i];
		else if (kw(a[i], "interface") && i + 1 < n)
			ifn = a[++i];
		else {
			fprintf(out, "%% Usage: show crypto map [tag NAME] [interface IF]\n");
			return -1;
		}
	}
	conf_show_crypto_map(cd->running, tag, ifn, out);
	return 0;
}

static int
c_dyn(struct controld *cd, char **a, int n, FILE *out)
{
	const char *tag = n == 2 && kw(a[0], "tag") ? a[1] : NULL;

	if (n != 0 && tag == NULL) {
		fprintf(out, "%% Usage: show crypto dynamic-map [tag NAME]\n");
		return -1;
	}
	conf_show_dynamic_map(cd->running, tag, out);
	return 0;
}

static int
c_life(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	conf_show_sa_lifetime(cd->running, out);
	return 0;
}

static int
c_run(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	fprintf(out, "Building configuration...\n\nCurrent configuration:\n!\n");
	conf_show_running(cd->running, out);
	return 0;
}

static int
c_start(struct controld *cd, char **a, int n, FILE *out)
{
	char buf[4096];
	size_t got;
	FILE *f;

	(void)a;
	(void)n;
	if ((f = fopen(cd->conf_path, "r")) == NULL) {
		fprintf(out, "%% cannot read the startup configuration %s: %s\n", cd->conf_path,
		    strerror(errno));
		return -1;
	}
	fseek(f, 0, SEEK_END);
	fprintf(out, "Using %ld bytes of %s\n!\n", ftell(f), cd->conf_path);
	rewind(f);
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, got, out);
	OPENSSL_cleanse(buf, sizeof(buf));		/* it holds session keys */
	fclose(f);
	return 0;
}

static int
c_acl(struct controld *cd, char **a, int n, FILE *out)
{
	conf_show_access_lists(cd->running, n > 0 ? a[0] : NULL, out);
	return 0;
}

static int
c_workers(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	show_workers(cd, out);
	return 0;
}

static int
c_debug(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	cd->debug_ipsec = true;
	fprintf(out, "Crypto IPSEC debugging is on\n");
	return 0;
}

static int
c_nodebug(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	cd->debug_ipsec = false;
	fprintf(out, "Crypto IPSEC debugging is off\n");
	return 0;
}

static int
c_reload(struct controld *cd, char **a, int n, FILE *out)
{
	struct gw_err err = { 0, "" };

	(void)a;
	(void)n;
	if (controld_reload(cd, &err) != 0) {
		fprintf(out, "%% %s:%u: %s\n%% running configuration unchanged\n", cd->conf_path,
		    err.line, err.msg);
		return -1;
	}
	fprintf(out, "Reloaded %s: generation %llu\n", cd->conf_path, (unsigned long long)cd->gen);
	return 0;
}

static int
c_help(struct controld *cd, char **a, int n, FILE *out)
{
	(void)cd;
	(void)a;
	(void)n;
	fputs(help_text, out);
	return 0;
}

/* ---- write memory ---- */

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

/* Write text to path atomically: a temporary file beside it, fsync, rename, fsync of the
 * directory.  A crash at any point leaves the old file or the new one, never half of one.
 * A symbolic link is followed (its target is replaced, the link stays). */
static int
save_atomic(const char *path, const char *text, size_t len, struct gw_err *err)
{
	char real[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX + 16];
	struct stat st;
	mode_t mode = 0600;		/* new file: it holds session keys */
	int fd, dfd;

	if (realpath(path, real) == NULL) {
		if (errno != ENOENT)
			return gw_fail(err, 0, "not saved: %s: %s", path, strerror(errno));
		snprintf(real, sizeof(real), "%s", path);
	} else if (stat(real, &st) == 0) {
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

	if (cd->conf_path == NULL)
		return gw_fail(err, 0, "no startup configuration file (controld -f)");
	if ((f = open_memstream(&text, &len)) == NULL)
		return gw_fail(err, 0, "out of memory");
	conf_show_running(cd->running, f);
	if (fclose(f) != 0) {
		free(text);
		return gw_fail(err, 0, "out of memory");
	}
	rc = save_atomic(cd->conf_path, text, len, err);
	OPENSSL_cleanse(text, len);
	free(text);
	return rc;
}

static int
c_write(struct controld *cd, char **a, int n, FILE *out)
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
	fprintf(out, "[OK] %s\n", cd->conf_path);
	log_info("running configuration (generation %" PRIu64 ") saved to %s", cd->gen,
	    cd->conf_path);
	return 0;
}

/* ---- clear crypto sa ---- */

static struct cli_base *
base_find(const struct controld *cd, uint64_t sa_id)
{
	for (size_t i = 0; i < cd->n_cli_base; i++)
		if (cd->cli_base[i].sa_id == sa_id)
			return &cd->cli_base[i];
	return NULL;
}

void
cli_sa_stat(const struct controld *cd, uint64_t sa_id, struct sa_stat *out)
{
	const struct cli_base *b;

	workers_sa_stat(cd, sa_id, out);
	if ((b = base_find(cd, sa_id)) == NULL)
		return;
	/* clamped: counts restart below the baseline only if controld lost them */
	out->pkts = out->pkts > b->at.pkts ? out->pkts - b->at.pkts : 0;
	out->bytes = out->bytes > b->at.bytes ? out->bytes - b->at.bytes : 0;
	for (int d = 0; d < DROP_MAX; d++)
		out->drops[d] = out->drops[d] > b->at.drops[d] ?
		    out->drops[d] - b->at.drops[d] : 0;
}

/* Forget the baselines of SAs no longer in the tables. */
static void
base_prune(struct controld *cd)
{
	const Gw__V1__Tables *t = cd->tables;
	size_t k = 0;

	for (size_t i = 0; i < cd->n_cli_base; i++) {
		bool live = false;

		for (size_t j = 0; t != NULL && j < t->n_sas && !live; j++)
			live = t->sas[j]->id == cd->cli_base[i].sa_id;
		if (live)
			cd->cli_base[k++] = cd->cli_base[i];
	}
	cd->n_cli_base = k;
}

static int
base_reset(struct controld *cd, uint64_t sa_id)
{
	struct cli_base *b = base_find(cd, sa_id), *nb;

	if (b == NULL) {
		if ((nb = realloc(cd->cli_base, (cd->n_cli_base + 1) * sizeof(*nb))) == NULL)
			return -1;
		cd->cli_base = nb;
		b = &cd->cli_base[cd->n_cli_base++];
	}
	b->sa_id = sa_id;
	workers_sa_stat(cd, sa_id, &b->at);
	return 0;
}

enum clear_by { CLEAR_ALL, CLEAR_PEER, CLEAR_MAP, CLEAR_ENTRY };

struct clear_sel {
	enum clear_by	by;
	uint32_t	addr;		/* PEER: the peer; ENTRY: the SA's destination */
	const char	*map;
	uint32_t	proto, spi;	/* ENTRY */
};

static bool
clear_match(const struct clear_sel *c, const Gw__V1__Sa *sa)
{
	switch (c->by) {
	case CLEAR_PEER:
		return sa->peer == c->addr;
	case CLEAR_MAP:
		return strcmp(sa->map, c->map) == 0;
	case CLEAR_ENTRY:		/* the destination of an inbound SA is us */
		return (sa->inbound ? sa->local : sa->peer) == c->addr &&
		    sa->proto == c->proto && sa->spi == c->spi;
	default:
		return true;
	}
}

static int
clear_parse(char **a, int n, struct clear_sel *c, FILE *out)
{
	unsigned long long spi;
	char *end;

	memset(c, 0, sizeof(*c));
	if (n == 0)
		return 0;
	if (n == 2 && kw(a[0], "peer")) {
		c->by = CLEAR_PEER;
		if (ip_parse(a[1], &c->addr))
			return 0;
		fprintf(out, "%% clear crypto sa peer \"%s\": not an IPv4 address (peer names "
		    "are not resolved)\n", a[1]);
		return -1;
	}
	if (n == 2 && kw(a[0], "map")) {
		c->by = CLEAR_MAP;
		c->map = a[1];
		return 0;
	}
	if (n == 4 && kw(a[0], "entry")) {
		c->by = CLEAR_ENTRY;
		errno = 0;
		spi = strtoull(a[3], &end, strncasecmp(a[3], "0x", 2) == 0 ? 16 : 10);
		if (!ip_parse(a[1], &c->addr)) {
			fprintf(out, "%% clear crypto sa entry \"%s\": not an IPv4 address\n",
			    a[1]);
			return -1;
		}
		if (strcasecmp(a[2], "esp") != 0 && strcasecmp(a[2], "ah") != 0) {
			fprintf(out, "%% clear crypto sa entry %s \"%s\": expected ah or esp\n",
			    a[1], a[2]);
			return -1;
		}
		if (errno != 0 || *end != '\0' || end == a[3] || spi < CONF_SPI_MIN ||
		    spi > 0xffffffffull) {
			fprintf(out, "%% clear crypto sa entry %s %s \"%s\": SPI is "
			    "%u-4294967295\n", a[1], a[2], a[3], CONF_SPI_MIN);
			return -1;
		}
		c->proto = strcasecmp(a[2], "esp") == 0 ? 50 : 51;
		c->spi = (uint32_t)spi;
		return 0;
	}
	fprintf(out, "%% Usage: clear crypto sa [peer A | map NAME | entry DEST-ADDR {ah|esp} "
	    "SPI]\n");
	return -1;
}

static int
c_clear(struct controld *cd, char **a, int n, FILE *out)
{
	const Gw__V1__Tables *t = cd->tables;
	struct clear_sel c;
	char what[128], b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
	size_t hits = 0;

	if (clear_parse(a, n, &c, out) != 0)
		return -1;
	base_prune(cd);
	for (size_t i = 0; t != NULL && i < t->n_sas; i++)
		hits += clear_match(&c, t->sas[i]);
	switch (c.by) {
	case CLEAR_PEER:
		snprintf(what, sizeof(what), "with peer %s", ip(c.addr, b1));
		break;
	case CLEAR_MAP:
		snprintf(what, sizeof(what), "of crypto map set %.64s", c.map);
		break;
	case CLEAR_ENTRY:
		snprintf(what, sizeof(what), "to %s, %s SPI 0x%X(%u)", ip(c.addr, b1),
		    c.proto == 50 ? "esp" : "ah", c.spi, c.spi);
		break;
	default:
		snprintf(what, sizeof(what), "in the SA database");
		break;
	}
	if (hits == 0) {
		fprintf(out, "%% no SA matches: there is no SA %s\n", what);
		return -1;
	}
	fprintf(out, "Cleared %zu SA%s %s:\n", hits, hits == 1 ? "" : "s", what);
	for (size_t i = 0; i < t->n_sas; i++) {
		const Gw__V1__Sa *sa = t->sas[i];

		if (!clear_match(&c, sa))
			continue;
		if (base_reset(cd, sa->id) != 0) {
			fprintf(out, "%% out of memory: the counters of the SAs below are kept\n");
			return -1;
		}
		fprintf(out, "  crypto map %s %u: %s %s spi 0x%X(%u) %s -> %s\n", sa->map, sa->seq,
		    sa->inbound ? "inbound" : "outbound", sa->proto == 51 ? "ah" : "esp", sa->spi,
		    sa->spi, ip(sa->inbound ? sa->peer : sa->local, b1),
		    ip(sa->inbound ? sa->local : sa->peer, b2));
	}
	/* XXX: once IKE negotiates SAs, clearing those deletes them; manual SAs stay. */
	fprintf(out, "Manual SAs are re-established at once with the same keys: their counters "
	    "start again from 0;\nsequence numbers go on (never reused under one key).\n");
	log_info("clear crypto sa: the counters of %zu manual SA%s %s start again from 0", hits,
	    hits == 1 ? "" : "s", what);
	return 0;
}

/* ---- show users ---- */

static int c_users(struct controld *cd, char **a, int n, FILE *out);

typedef int (*exec_fn)(struct controld *cd, char **a, int n, FILE *out);

static const exec_fn exec_fns[] = {
	[CLI_C_SHOW_SA] = c_sa, [CLI_C_SHOW_TSET] = c_tset, [CLI_C_SHOW_LIFETIME] = c_life,
	[CLI_C_SHOW_MAP] = c_map, [CLI_C_SHOW_DYNMAP] = c_dyn, [CLI_C_SHOW_RUN] = c_run,
	[CLI_C_SHOW_START] = c_start, [CLI_C_SHOW_ACL] = c_acl,
	[CLI_C_SHOW_WORKERS] = c_workers, [CLI_C_SHOW_USERS] = c_users,
	[CLI_C_CLEAR_SA] = c_clear, [CLI_C_WRITE] = c_write, [CLI_C_DEBUG] = c_debug,
	[CLI_C_NODEBUG] = c_nodebug, [CLI_C_RELOAD] = c_reload, [CLI_C_HELP] = c_help,
};

/* ---- Sessions ---- */

/* The client being served, for show users' "*" (single-threaded: one request at a time). */
static const struct cli_sess *serving;
static uint64_t serving_now;

static struct cli_sess *
sess_find(struct controld *cd, const void *id, size_t id_len)
{
	for (size_t i = 0; i < cd->n_cli_sess; i++)
		if (cd->cli_sess[i]->id_len == id_len &&
		    memcmp(cd->cli_sess[i]->id, id, id_len) == 0)
			return cd->cli_sess[i];
	return NULL;
}

static void
sess_free(struct cli_sess *s)
{
	if (s == NULL)
		return;
	conf_free(s->cand);
	if (s->log != NULL)
		OPENSSL_cleanse(s->log, s->log_cap);
	free(s->log);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

static void
sess_end(struct controld *cd, struct cli_sess *s)
{
	for (size_t i = 0; i < cd->n_cli_sess; i++)
		if (cd->cli_sess[i] == s) {
			cd->cli_sess[i] = cd->cli_sess[--cd->n_cli_sess];
			break;
		}
	if (serving == s)
		serving = NULL;
	sess_free(s);
}

static struct cli_sess *
sess_begin(struct controld *cd, const void *id, size_t id_len, uint64_t now, FILE *out)
{
	struct cli_sess *s, **v;

	if (cd->n_cli_sess == CLI_SESSIONS_MAX) {
		fprintf(out, "%% %d configuration sessions are open already; try again later\n",
		    CLI_SESSIONS_MAX);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->cand = cd->running ? conf_dup(cd->running) : conf_new()) == NULL ||
	    (v = realloc(cd->cli_sess, (cd->n_cli_sess + 1) * sizeof(*v))) == NULL) {
		sess_free(s);
		fprintf(out, "%% out of memory\n");
		return NULL;
	}
	cd->cli_sess = v;
	memcpy(s->id, id, id_len < sizeof(s->id) ? id_len : sizeof(s->id));
	s->id_len = id_len < sizeof(s->id) ? id_len : sizeof(s->id);
	s->start_ms = s->last_ms = now;
	s->base_seq = cd->conf_seq;
	conf_session_begin(&s->cs, s->cand);
	cd->cli_sess[cd->n_cli_sess++] = s;
	return s;
}

static int
sess_log(struct cli_sess *s, unsigned lineno, const char *line)
{
	size_t need = strlen(line) + 16;
	char *n;

	if (s->log_len + need > s->log_cap) {
		size_t cap = s->log_cap ? s->log_cap * 2 : 4096;

		while (cap < s->log_len + need)
			cap *= 2;
		if (cap > CLI_LOG_MAX || (n = malloc(cap)) == NULL)
			return -1;
		/* not realloc: the old copy holds keys and must be wiped */
		if (s->log != NULL) {
			memcpy(n, s->log, s->log_len);
			OPENSSL_cleanse(s->log, s->log_cap);
			free(s->log);
		}
		s->log = n;
		s->log_cap = cap;
	}
	s->log_len += (size_t)snprintf(s->log + s->log_len, s->log_cap - s->log_len, "%u %s\n",
	    lineno, line);
	return 0;
}

static void
sess_error(struct cli_sess *s, unsigned lineno, const char *msg)
{
	if (s->n_errors < CLI_ERRS_KEPT)
		snprintf(s->errs[s->n_errors], sizeof(s->errs[0]), "line %u: %s", lineno, msg);
	s->n_errors++;
}

/* The word a parser message quotes ("..."), which is the one it refused; "" if none.  Only
 * words the parser chose to quote are echoed: it never quotes a key. */
static void
quoted_word(const char *msg, char *w, size_t len)
{
	const char *a = strchr(msg, '"'), *b = a ? strchr(a + 1, '"') : NULL;

	w[0] = '\0';
	if (b != NULL && b > a + 1)
		snprintf(w, len, "%.*s", (int)(b - a - 1), a + 1);
}

/* A configuration line refused: say so, and remember it for the commit report.  ambiguous:
 * the words up to one that abbreviates several keywords. */
static int
refuse(struct cli_sess *s, unsigned lineno, bool numbered, const char *msg,
    const char *ambiguous, FILE *out)
{
	char w[64], where[32] = "";

	if (numbered)
		snprintf(where, sizeof(where), " (line %u)", lineno);
	quoted_word(msg, w, sizeof(w));
	if (ambiguous != NULL)
		fprintf(out, "%% Ambiguous command: \"%s\"%s\n", ambiguous, where);
	else if (w[0] != '\0')
		fprintf(out, "%% Invalid input detected at '%s'%s: %s\n", w, where, msg);
	else
		fprintf(out, "%% Invalid input%s: %s\n", where, msg);
	if (s->n_errors == 0)
		fprintf(out, "%% Because of this, \"end\" will apply nothing of this session; "
		    "\"abort\" leaves it.\n");
	sess_error(s, lineno, msg);
	return -1;
}

/* Feed the session's accepted lines to a copy of the (changed) running configuration. */
static struct conf *
replay(struct controld *cd, struct cli_sess *s, struct gw_err *err)
{
	struct conf_session cs;
	struct conf *c;
	char *p, *nl;

	if ((c = cd->running ? conf_dup(cd->running) : conf_new()) == NULL) {
		gw_fail(err, 0, "out of memory");
		return NULL;
	}
	conf_session_begin(&cs, c);
	for (p = s->log; p != NULL && p < s->log + s->log_len; p = nl + 1) {
		unsigned long lineno = strtoul(p, &nl, 10);
		char *line = nl + 1;

		nl = memchr(line, '\n', (size_t)(s->log + s->log_len - line));
		*nl = '\0';
		if (conf_session_line(&cs, line, (unsigned)lineno, err) != 0) {
			*nl = '\n';
			conf_free(c);
			return NULL;
		}
		*nl = '\n';
	}
	return c;
}

static int
not_applied(FILE *out, const char *name, const char *why, unsigned line)
{
	if (line > 0)
		fprintf(out, "%% Nothing applied: line %u: %s\n", line, why);
	else
		fprintf(out, "%% Nothing applied: %s\n", why);
	fprintf(out, "%% The running configuration is unchanged.\n");
	log_info("CLI session %s: not applied: %s", name, why);
	return -1;
}

/* "end": apply the candidate, all or nothing, and end the session. */
static int
commit(struct controld *cd, struct cli_sess *s, FILE *out)
{
	struct gw_err err = { 0, "" };
	struct conf *next;
	char *warn = NULL, name[2 * LINK_ID_MAX + 1];
	size_t wlen = 0;
	unsigned n_lines = s->n_lines;
	FILE *w;

	sess_name(s, name, sizeof(name));
	if (s->n_errors > 0) {
		fprintf(out, "%% Nothing applied: %u line%s of this session %s refused:\n",
		    s->n_errors, s->n_errors == 1 ? "" : "s", s->n_errors == 1 ? "was" : "were");
		for (unsigned i = 0; i < s->n_errors && i < CLI_ERRS_KEPT; i++)
			fprintf(out, "%%   %s\n", s->errs[i]);
		if (s->n_errors > CLI_ERRS_KEPT)
			fprintf(out, "%%   ... and %u more\n", s->n_errors - CLI_ERRS_KEPT);
		fprintf(out, "%% The running configuration is unchanged.\n");
		log_info("CLI session %s: %u line%s refused, nothing applied", name, s->n_errors,
		    s->n_errors == 1 ? "" : "s");
		sess_end(cd, s);
		return -1;
	}
	next = s->cand;
	s->cand = NULL;
	if (s->base_seq != cd->conf_seq) {
		/* someone else applied meanwhile: our lines go on top of theirs, as on IOS */
		conf_free(next);
		if ((next = replay(cd, s, &err)) == NULL) {
			fprintf(out, "%% Nothing applied: the running configuration changed while "
			    "this session was open,\n%% and line %u no longer applies: %s\n"
			    "%% The running configuration is unchanged.\n", err.line, err.msg);
			sess_end(cd, s);
			return -1;
		}
	}
	sess_end(cd, s);
	if (cd->running != NULL && conf_equal(next, cd->running)) {
		conf_free(next);
		log_info("CLI session %s: no change", name);
		return 0;
	}
	if ((w = open_memstream(&warn, &wlen)) == NULL) {
		conf_free(next);
		return not_applied(out, name, "out of memory", 0);
	}
	if (conf_validate(next, &err, w) != 0) {
		fclose(w);
		free(warn);
		conf_free(next);
		return not_applied(out, name, err.msg, err.line);
	}
	fclose(w);
	if (controld_apply(cd, next, &err) != 0) {	/* takes next */
		free(warn);
		return not_applied(out, name, err.msg, err.line);
	}
	for (char *p = warn, *save = NULL; (p = strtok_r(p, "\n", &save)) != NULL; p = NULL)
		fprintf(out, "%% Warning: %s\n", p);
	free(warn);
	log_info("configured from CLI session %s (%u line%s): generation %" PRIu64, name,
	    n_lines, n_lines == 1 ? "" : "s", cd->gen);
	return 0;
}

static void
abort_session(struct controld *cd, struct cli_sess *s, FILE *out)
{
	char name[2 * LINK_ID_MAX + 1];

	sess_name(s, name, sizeof(name));
	fprintf(out, "%% Session aborted: nothing applied.\n");
	log_info("CLI session %s aborted (%u lines discarded)", name, s->n_lines);
	sess_end(cd, s);
}

static int
c_users(struct controld *cd, char **a, int n, FILE *out)
{
	char name[2 * LINK_ID_MAX + 1];

	(void)a;
	(void)n;
	fprintf(out, "Running configuration: generation %" PRIu64 "\n", cd->gen);
	fprintf(out, "    %-14s %-22s %8s %6s %7s\n", "Session", "Mode", "Idle", "Lines",
	    "Refused");
	for (size_t i = 0; i < cd->n_cli_sess; i++) {
		const struct cli_sess *s = cd->cli_sess[i];
		uint64_t idle = serving_now > s->last_ms ? (serving_now - s->last_ms) / 1000 : 0;

		sess_name(s, name, sizeof(name));
		fprintf(out, "%s   %-14.14s %-22s %2" PRIu64 ":%02" PRIu64 ":%02" PRIu64
		    " %6u %7u\n", s == serving ? "*" : " ", name, conf_session_prompt_mode(&s->cs),
		    idle / 3600, idle / 60 % 60, idle % 60, s->n_lines, s->n_errors);
	}
	if (cd->n_cli_sess == 0)
		fprintf(out, "    (no configuration session open)\n");
	return 0;
}

/* ---- One line in exec mode ---- */

static int
exec_line(struct controld *cd, const void *id, size_t id_len, const char *line, bool in_config,
    struct cli_rep *r, FILE *out, uint64_t now)
{
	struct gw_err err = { 0, "" };
	struct cli_walk *wk;
	char *args[CLI_WORDS_MAX];
	int rc = -1, n = 0;

	if ((wk = malloc(sizeof(*wk))) == NULL) {
		fprintf(out, "%% out of memory\n");
		return -1;
	}
	if (cli_walk(wk, CLI_T_EXEC, line, &err) != 0) {
		fprintf(out, "%% %s\n", err.msg);
		goto out;
	}
	rc = 0;
	if (wk->n == 0 || wk->w[0][0] == '!')
		goto out;
	rc = -1;
	if (wk->stop == CLI_W_AMBIGUOUS) {
		fprintf(out, "%% Ambiguous command: \"%s\"\n", line);
		goto out;
	}
	if (wk->stop == CLI_W_NOMATCH) {
		fprintf(out, "%% Invalid input detected at '%s' (try \"?\" or \"help\")\n",
		    wk->w[wk->matched]);
		goto out;
	}
	if (!wk->cr || wk->cmd == CLI_C_NONE) {
		fprintf(out, "%% Incomplete command.\n");
		goto out;
	}
	for (int i = wk->cmd_at + 1; i < wk->n; i++)
		args[n++] = wk->kw[i] != NULL ? (char *)wk->kw[i] : wk->w[i];
	switch (wk->cmd) {
	case CLI_C_CONFIGURE:
		if (in_config) {
			fprintf(out, "%% Already in configuration mode\n");
			break;
		}
		if (sess_begin(cd, id, id_len, now, out) == NULL)
			break;
		fprintf(out, "Enter configuration commands, one per line.  End with CNTL/Z.\n");
		rc = 0;
		break;
	case CLI_C_EXIT:
		if (in_config) {
			fprintf(out, "%% \"do exit\": use end, exit or abort\n");
			break;
		}
		r->quit = true;
		rc = 0;
		break;
	default:
		if ((size_t)wk->cmd < sizeof(exec_fns) / sizeof(exec_fns[0]) &&
		    exec_fns[wk->cmd] != NULL)
			rc = exec_fns[wk->cmd](cd, args, n, out);
		else
			fprintf(out, "%% Incomplete command.\n");
		break;
	}
out:
	free(wk);
	return rc;
}

/* ---- One line in a configuration mode ---- */

static int
config_line(struct controld *cd, struct cli_sess *s, const struct cli_req *q, struct cli_rep *r,
    FILE *out, uint64_t now)
{
	struct gw_err err = { 0, "" };
	struct cli_walk *wk;
	char *line;
	unsigned lineno;
	int rc = -1;

	if ((wk = malloc(sizeof(*wk))) == NULL || (line = malloc(CLI_LINE_MAX)) == NULL) {
		free(wk);
		fprintf(out, "%% out of memory\n");
		return -1;
	}
	if (cli_walk(wk, cli_tree_of(&s->cs), q->line, &err) != 0) {
		s->n_lines++;
		rc = refuse(s, q->lineno ? q->lineno : s->n_lines, q->lineno > 0, err.msg, NULL,
		    out);
		goto out;
	}
	rc = 0;
	if (wk->n == 0 || wk->w[0][0] == '!')
		goto out;			/* blank or comment: not a line of the session */
	if (wk->matched > 0 && wk->kw[0] != NULL && strcmp(wk->kw[0], "do") == 0) {
		/* an exec command, on the running configuration; not part of the session */
		rc = wk->n < 2 ? (fprintf(out, "%% Incomplete command.\n"), -1) :
		    exec_line(cd, s->id, s->id_len, wk->orig + wk->off[1], true, r, out, now);
		goto out;
	}
	s->n_lines++;
	lineno = q->lineno ? q->lineno : s->n_lines;
	if (wk->stop == CLI_W_AMBIGUOUS) {
		/* the words up to the ambiguous one only: later ones may be keys */
		char words[CLI_LINE_MAX], msg[256];

		snprintf(words, sizeof(words), "%.*s", (int)(wk->off[wk->matched] +
		    strlen(wk->w[wk->matched])), wk->orig);
		snprintf(msg, sizeof(msg), "ambiguous command: \"%.100s\" (\"%.30s\" abbreviates "
		    "more than one keyword)", words, wk->w[wk->matched]);
		rc = refuse(s, lineno, q->lineno > 0, msg, words, out);
		goto out;
	}
	if (wk->n == 1 && wk->matched == 1 && (wk->cmd == CLI_C_END || wk->cmd == CLI_C_ABORT ||
	    (wk->cmd == CLI_C_CONF_EXIT && s->cs.mode == CONF_SM_GLOBAL))) {
		if (wk->cmd == CLI_C_ABORT)
			abort_session(cd, s, out);
		else
			rc = commit(cd, s, out);
		goto out;
	}
	cli_expand(wk, line, CLI_LINE_MAX);
	if (conf_session_line(&s->cs, line, lineno, &err) != 0) {
		rc = refuse(s, lineno, q->lineno > 0, err.msg, NULL, out);
		goto out;
	}
	if (sess_log(s, lineno, line) != 0) {
		snprintf(err.msg, sizeof(err.msg), "this session is too long (over %d bytes)",
		    CLI_LOG_MAX);
		rc = refuse(s, lineno, q->lineno > 0, err.msg, NULL, out);
	}
out:
	if (line != NULL)
		OPENSSL_cleanse(line, CLI_LINE_MAX);
	OPENSSL_cleanse(wk, sizeof(*wk));	/* may hold session keys */
	free(line);
	free(wk);
	return rc;
}

/* ---- Requests ---- */

static void
set_prompt(const struct controld *cd, const struct cli_sess *s, struct cli_rep *r)
{
	const char *host = cd->running != NULL ? cd->running->hostname : CONF_HOSTNAME_DEFAULT;

	if (s == NULL) {
		snprintf(r->mode, sizeof(r->mode), "exec");
		snprintf(r->prompt, sizeof(r->prompt), "%s#", host);
		return;
	}
	/* the candidate's hostname: "hostname X" shows at once, as on IOS */
	snprintf(r->mode, sizeof(r->mode), "%s", conf_session_prompt_mode(&s->cs));
	snprintf(r->prompt, sizeof(r->prompt), "%s(%s)#", s->cand->hostname, r->mode);
}

/* A line ending in "?" asks for help: the line without it, else NULL. */
static char *
help_request(const char *line, char *buf, size_t len)
{
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r' ||
	    line[n - 1] == '\n'))
		n--;
	if (n == 0 || line[n - 1] != '?' || n > len)
		return NULL;
	snprintf(buf, len, "%.*s", (int)(n - 1), line);
	return buf;
}

int
cli_request(struct controld *cd, const void *id, size_t id_len, const struct cli_req *q,
    struct cli_rep *r, FILE *out, uint64_t now_ms)
{
	struct cli_sess *s = sess_find(cd, id, id_len);
	const char *line = q->line != NULL ? q->line : "";
	char hbuf[CLI_LINE_MAX];
	enum cli_tree t;

	memset(r, 0, sizeof(*r));
	serving = s;
	serving_now = now_ms;
	if (s == NULL && q->mode != NULL && q->mode[0] != '\0' && strcmp(q->mode, "exec") != 0) {
		/* the client was configuring, but its session is gone */
		fprintf(out, "%% Your configuration session is gone (idle for %llu minutes, or "
		    "controld restarted):\n%% nothing of it was applied.\n",
		    (unsigned long long)(CLI_IDLE_MS / 60000));
		set_prompt(cd, NULL, r);
		return -1;
	}
	if (s != NULL)
		s->last_ms = now_ms;
	t = s != NULL ? cli_tree_of(&s->cs) : CLI_T_EXEC;
	if (q->complete) {
		r->ok = cli_complete(t, line, r->completion, sizeof(r->completion), out) == 0;
	} else if (!q->literal && help_request(line, hbuf, sizeof(hbuf)) != NULL) {
		/* help changes nothing: not a line of the session, never refused in it */
		r->ok = cli_help(t, hbuf, out) == 0;
	} else if (s != NULL) {
		r->ok = config_line(cd, s, q, r, out, now_ms) == 0;
		s = sess_find(cd, id, id_len);		/* gone after end / abort */
	} else {
		r->ok = exec_line(cd, id, id_len, line, false, r, out, now_ms) == 0;
		s = sess_find(cd, id, id_len);		/* configure terminal */
	}
	set_prompt(cd, s, r);
	serving = NULL;
	OPENSSL_cleanse(hbuf, sizeof(hbuf));		/* may hold session keys */
	return r->ok ? 0 : -1;
}

void
cli_sweep(struct controld *cd, uint64_t now_ms)
{
	char name[2 * LINK_ID_MAX + 1];

	for (size_t i = 0; i < cd->n_cli_sess;) {
		struct cli_sess *s = cd->cli_sess[i];

		if (now_ms - s->last_ms < CLI_IDLE_MS) {
			i++;
			continue;
		}
		sess_name(s, name, sizeof(name));
		log_info("CLI session %s idle for %llu minutes: dropped, its %u lines discarded",
		    name, (unsigned long long)(CLI_IDLE_MS / 60000), s->n_lines);
		sess_end(cd, s);		/* moves the last one to i */
	}
}

void
cli_free(struct controld *cd)
{
	while (cd->n_cli_sess > 0)
		sess_end(cd, cd->cli_sess[0]);
	free(cd->cli_sess);
	cd->cli_sess = NULL;
	free(cd->cli_base);
	cd->cli_base = NULL;
	cd->n_cli_base = 0;
}

int
cli_exec(struct controld *cd, const char *line, FILE *out)
{
	static const char id[] = "\0cli_exec";
	struct cli_req q = { .line = line, .mode = NULL };
	struct cli_rep r;

	return cli_request(cd, id, sizeof(id) - 1, &q, &r, out, link_now_ms());
}

void
cli_poll(struct controld *cd)
{
	struct link_peer from;
	struct gw_err err = { 0, "" };
	Gw__V1__CliRequest *q;
	Gw__V1__CliReply r = GW__V1__CLI_REPLY__INIT;
	struct cli_req req;
	struct cli_rep rep;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	cli_sweep(cd, link_now_ms());
	for (int i = 0; i < 16; i++) {
		q = (Gw__V1__CliRequest *)link_recv(cd->cli, &from,
		    &gw__v1__cli_request__descriptor, &err);
		if (q == NULL) {
			if (errno == EAGAIN)
				return;
			log_warn("CLI: dropped a request: %s", err.msg);
			continue;
		}
		req = (struct cli_req){ q->line, q->mode, q->complete, q->lineno, q->literal };
		if ((out = open_memstream(&text, &len)) == NULL) {
			link_free(&q->base);
			log_warn("CLI: out of memory");
			return;
		}
		cli_request(cd, from.id, from.id_len, &req, &rep, out, link_now_ms());
		fclose(out);
		r.ok = rep.ok;
		r.text = text;
		r.mode = rep.mode;
		r.prompt = rep.prompt;
		r.completion = rep.completion;
		r.quit = rep.quit;
		if (link_send(cd->cli, from.id, from.id_len, &r.base) != 0)
			log_warn("CLI: reply lost: %s", zmq_strerror(errno));
		/* replies may echo session keys (show running-config) */
		OPENSSL_cleanse(text, len);
		free(text);
		text = NULL;
		OPENSSL_cleanse(&rep, sizeof(rep));
		if (q->line != NULL)
			OPENSSL_cleanse(q->line, strlen(q->line));
		link_free(&q->base);
	}
}
