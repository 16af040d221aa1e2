/* SPDX-License-Identifier: Apache-2.0 */
/* session.c: the CLI's sessions and requests (cli.h says what and why).
 *
 * A client is in exec mode until "configure terminal"; then it has a session here, keyed by
 * its ZeroMQ routing id: a candidate copy of the running configuration, the sub-mode, the
 * lines it accepted (to replay them if the running configuration changes meanwhile) and the
 * lines it refused.  "end" commits the candidate through controld_apply() only when no line
 * was refused and the candidate validates (docs/design.md invariant 4); otherwise nothing is
 * applied and the reply says why.  The running configuration is never touched before the commit.  A
 * line in exec mode (or "do LINE") is exec.c's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "controld/cli/exec.h"

struct cli_sess {
	uint8_t			id[LINK_ID_MAX];	/* ZeroMQ routing id */
	size_t			id_len;
	uint64_t		start_ms, last_ms;
	uint64_t		base_seq;	/* cd->conf.seq the candidate was copied at */
	struct conf		*cand;		/* the candidate configuration, owned */
	struct conf_session	cs;		/* on cand */
	unsigned		n_lines;	/* configuration lines fed (not help, not do) */
	unsigned		n_errors;	/* of which refused */
	char			errs[CLI_ERRS_KEPT][224];
	char			*log;		/* accepted lines, "LINENO LINE\n"; keys: wiped */
	size_t			log_len, log_cap;
};

/* The client's id as text, for logs and show users. */
static void
sess_name(const struct cli_sess *s, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->id_len && o + 3 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%02x", s->id[i]);
}

/* ---- Sessions ---- */

/* The client being served, for show users' "*" (single-threaded: one request at a time). */
static const struct cli_sess *serving;
static uint64_t serving_now;

static struct cli_sess *
sess_find(struct controld *cd, const void *id, size_t id_len)
{
	for (size_t i = 0; i < cd->cli.n_sess; i++)
		if (cd->cli.sess[i]->id_len == id_len &&
		    memcmp(cd->cli.sess[i]->id, id, id_len) == 0)
			return cd->cli.sess[i];
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
	for (size_t i = 0; i < cd->cli.n_sess; i++)
		if (cd->cli.sess[i] == s) {
			cd->cli.sess[i] = cd->cli.sess[--cd->cli.n_sess];
			break;
		}
	if (serving == s)
		serving = NULL;
	sess_free(s);
}

struct cli_sess *
sess_begin(struct controld *cd, const void *id, size_t id_len, uint64_t now, FILE *out)
{
	struct cli_sess *s, **v;

	if (cd->cli.n_sess == CLI_SESSIONS_MAX) {
		fprintf(out, "%% %d configuration sessions are open already; try again later\n",
		    CLI_SESSIONS_MAX);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->cand = cd->conf.running ? conf_dup(cd->conf.running) : conf_new()) == NULL ||
	    (v = realloc(cd->cli.sess, (cd->cli.n_sess + 1) * sizeof(*v))) == NULL) {
		sess_free(s);
		fprintf(out, "%% out of memory\n");
		return NULL;
	}
	cd->cli.sess = v;
	memcpy(s->id, id, id_len < sizeof(s->id) ? id_len : sizeof(s->id));
	s->id_len = id_len < sizeof(s->id) ? id_len : sizeof(s->id);
	s->start_ms = s->last_ms = now;
	s->base_seq = cd->conf.seq;
	conf_session_begin(&s->cs, s->cand);
	cd->cli.sess[cd->cli.n_sess++] = s;
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

	if ((c = cd->conf.running ? conf_dup(cd->conf.running) : conf_new()) == NULL) {
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
	if (s->base_seq != cd->conf.seq) {
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
	if (cd->conf.running != NULL && conf_equal(next, cd->conf.running)) {
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
	    n_lines, n_lines == 1 ? "" : "s", cd->link.gen);
	logging_msg(&cd->log, LOGM_CONFIG_I, "Configured from console by vty0");
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

int
sess_users(struct controld *cd, char **a, int n, FILE *out)
{
	char name[2 * LINK_ID_MAX + 1];

	(void)a;
	(void)n;
	fprintf(out, "Running configuration: generation %" PRIu64 "\n", cd->link.gen);
	fprintf(out, "    %-14s %-22s %8s %6s %7s\n", "Session", "Mode", "Idle", "Lines",
	    "Refused");
	for (size_t i = 0; i < cd->cli.n_sess; i++) {
		const struct cli_sess *s = cd->cli.sess[i];
		uint64_t idle = serving_now > s->last_ms ? (serving_now - s->last_ms) / 1000 : 0;

		sess_name(s, name, sizeof(name));
		fprintf(out, "%s   %-14.14s %-22s %2" PRIu64 ":%02" PRIu64 ":%02" PRIu64
		    " %6u %7u\n", s == serving ? "*" : " ", name, conf_session_prompt_mode(&s->cs),
		    idle / 3600, idle / 60 % 60, idle % 60, s->n_lines, s->n_errors);
	}
	if (cd->cli.n_sess == 0)
		fprintf(out, "    (no configuration session open)\n");
	return 0;
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
	const char *host = cd->conf.running != NULL ? cd->conf.running->hostname :
	    CONF_HOSTNAME_DEFAULT;

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

	for (size_t i = 0; i < cd->cli.n_sess;) {
		struct cli_sess *s = cd->cli.sess[i];

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
	while (cd->cli.n_sess > 0)
		sess_end(cd, cd->cli.sess[0]);
	free(cd->cli.sess);
	cd->cli.sess = NULL;
}

int
cli_exec(struct controld *cd, const char *line, FILE *out)
{
	static const char id[] = "\0cli_exec";
	struct cli_req q = { .line = line, .mode = NULL };
	struct cli_rep r;

	return cli_request(cd, id, sizeof(id) - 1, &q, &r, out, link_now_ms());
}
