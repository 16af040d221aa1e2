/* SPDX-License-Identifier: Apache-2.0 */
/* session.c: the CLI's sessions and requests (cli.h says what and why).
 *
 * A client is in exec mode until "configure terminal"; then it has a session here, keyed by
 * its ZeroMQ routing id: a candidate copy of the running configuration, the sub-mode and the
 * lines it accepted (to replay them if the running configuration changes meanwhile).  A typed
 * line the parser refuses is answered at once, IOS's way (a caret under the word, then why),
 * and is no part of the candidate: the session goes on.  Lines of a file (numbered by the
 * client: gwctl -f, -c, a pipe) stay all or nothing: one refused and "end" applies nothing.
 * "end" commits the candidate through controld_apply() only when it validates as a whole
 * (docs/design.md invariant 4); otherwise nothing is applied and the reply says why, naming
 * the line of this session or of the running configuration.  The running configuration is
 * never touched before the commit.  A line in exec mode (or "do LINE") is exec.c's; an output
 * modifier ("| include REGEX", output.c) filters what a show command wrote.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "controld/cli/exec.h"

/* The lines a session gives the configuration model (which keeps, per object, the line that
 * made it: conf.h) are marked, with the session's serial number, so that a commit message
 * tells "line 12 of this session" from "the running configuration, line 30" (the startup
 * file's, or an earlier session's). */
#define SLINE_MARK	(1u << 31)
#define SLINE_SHIFT	20
#define SLINE_SERIALS	0x7ffu
#define SLINE_MAX	((1u << SLINE_SHIFT) - 1)	/* lines of one session */

struct cli_sess {
	uint8_t			id[LINK_ID_MAX];	/* ZeroMQ routing id */
	size_t			id_len;
	uint64_t		start_ms, last_ms;
	uint64_t		base_seq;	/* cd->conf.seq the candidate was copied at */
	struct conf		*cand;		/* the candidate configuration, owned */
	struct conf_session	cs;		/* on cand */
	unsigned		serial;		/* of its lines in the model: SLINE_* */
	bool			numbered;	/* fed a file's lines (numbered) */
	unsigned		n_lines;	/* configuration lines fed (not help, not do) */
	unsigned		n_errors;	/* of which refused */
	unsigned		n_strict;	/* of which numbered: "end" applies nothing */
	char			errs[CLI_ERRS_KEPT][288];
	char			*log;		/* accepted: "LINENO LINE\n"; wiped */
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

static unsigned next_serial;

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
	s->serial = next_serial++ & SLINE_SERIALS;
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

/* ---- Line numbers in messages ---- */

static unsigned
sline(const struct cli_sess *s, unsigned n)
{
	return SLINE_MARK | s->serial << SLINE_SHIFT | (n < SLINE_MAX ? n : SLINE_MAX);
}

/* A marked line l in words: "line 12 of this session", "line 12" (numbered: the lines are a
 * file's), "line 12 of an earlier CLI session". */
static void
sline_words(unsigned serial, bool numbered, unsigned l, char *buf, size_t len)
{
	if ((l >> SLINE_SHIFT & SLINE_SERIALS) != serial)
		snprintf(buf, len, "line %u of an earlier CLI session", l & SLINE_MAX);
	else
		snprintf(buf, len, numbered ? "line %u" : "line %u of this session",
		    l & SLINE_MAX);
}

/* Where the object of line l of the model is, for a commit message: a line of this
 * session, or "the running configuration, line 30" (the startup file's line). */
static void
sline_where(unsigned serial, bool numbered, unsigned l, char *buf, size_t len)
{
	char w[64];

	if (l == 0)
		snprintf(buf, len, "the configuration");
	else if ((l & SLINE_MARK) == 0)
		snprintf(buf, len, "the running configuration, line %u", l);
	else if ((l >> SLINE_SHIFT & SLINE_SERIALS) != serial) {
		sline_words(serial, numbered, l, w, sizeof(w));
		snprintf(buf, len, "the running configuration (%s)", w);
	} else
		sline_words(serial, numbered, l, buf, len);
}

/* msg with each "line N" of a marked line in words (the model's messages quote lines too:
 * "the key-string of line N", "the first permit (line N)"). */
static void
sline_fix(unsigned serial, bool numbered, const char *msg, char *out, size_t len)
{
	size_t o = 0;

	while (*msg != '\0' && o + 1 < len) {
		char *end, w[64];
		unsigned long l;

		if (strncmp(msg, "line ", 5) == 0 && msg[5] >= '1' && msg[5] <= '9' &&
		    (l = strtoul(msg + 5, &end, 10)) >= SLINE_MARK && l <= UINT32_MAX) {
			sline_words(serial, numbered, (unsigned)l, w, sizeof(w));
			o += (size_t)snprintf(out + o, len - o, "%s", w);
			o = o < len ? o : len - 1;
			msg = end;
			continue;
		}
		out[o++] = *msg++;
	}
	out[o] = '\0';
}

static void
sess_error(struct cli_sess *s, unsigned lineno, const char *msg)
{
	if (s->n_strict < CLI_ERRS_KEPT)
		snprintf(s->errs[s->n_strict], sizeof(s->errs[0]), "line %u: %s", lineno, msg);
	s->n_strict++;
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

/* Where the caret goes: under the word the parser quotes (the first at or after where the
 * keyword tree stopped), else where the tree stopped, else under the last word. */
static size_t
caret_off(const struct cli_walk *wk, const char *msg)
{
	char w[64];
	int first = -1;

	quoted_word(msg, w, sizeof(w));
	for (int i = 0; w[0] != '\0' && i < wk->n; i++) {
		/* kw[] is set for the matched words only */
		if (strcasecmp(wk->w[i], w) != 0 && (i >= wk->matched || wk->kw[i] == NULL ||
		    strcasecmp(wk->kw[i], w) != 0))
			continue;
		if (i >= wk->matched)
			return wk->off[i];
		if (first < 0)
			first = i;
	}
	if (first >= 0)
		return wk->off[first];
	if (wk->stop != CLI_W_END && wk->matched < wk->n)
		return wk->off[wk->matched];
	return wk->n > 0 ? wk->off[wk->n - 1] : 0;
}

/* IOS's answer to a refused typed line: a caret under the word, counted from the start of
 * the prompt gwctl showed before the line (tabs kept, so that it lines up). */
void
cli_caret(const char *prompt, const char *orig, size_t off, FILE *out)
{
	fprintf(out, "%*s", (int)strlen(prompt), "");
	for (size_t i = 0; i < off && orig[i] != '\0'; i++)
		fputc(orig[i] == '\t' ? '\t' : ' ', out);
	fputs("^\n", out);
}

/* A configuration line refused: say so at once.  wk: the walked line (NULL when it could
 * not be walked); ambiguous: the words up to one that abbreviates several keywords;
 * incomplete: the keyword tree wants more words.  A numbered line (a file's) is remembered
 * for the commit report; a typed one is just no part of the candidate. */
static int
refuse(struct cli_sess *s, const struct cli_walk *wk, unsigned lineno, bool numbered,
    const char *why, const char *ambiguous, bool incomplete, const char *prompt, FILE *out)
{
	char w[64], where[32] = "", msg[sizeof(((struct gw_err *)0)->msg) + 96];

	sline_fix(s->serial, numbered, why, msg, sizeof(msg));
	s->n_errors++;
	if (!numbered) {
		if (ambiguous != NULL)
			fprintf(out, "%% Ambiguous command: \"%s\"\n", ambiguous);
		else if (incomplete)
			fprintf(out, "%% Incomplete command.\n%% %s\n", msg);
		else {
			if (wk != NULL)
				cli_caret(prompt, wk->orig, caret_off(wk, msg), out);
			fprintf(out, "%% Invalid input detected at '^' marker.\n%% %s\n", msg);
		}
		return -1;
	}
	snprintf(where, sizeof(where), " (line %u)", lineno);
	quoted_word(msg, w, sizeof(w));
	if (ambiguous != NULL)
		fprintf(out, "%% Ambiguous command: \"%s\"%s\n", ambiguous, where);
	else if (w[0] != '\0')
		fprintf(out, "%% Invalid input detected at '%s'%s: %s\n", w, where, msg);
	else
		fprintf(out, "%% Invalid input%s: %s\n", where, msg);
	if (s->n_strict == 0)
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

/* Nothing applied, and why: the line named as this session's or the running
 * configuration's (sline_where). */
static int
not_applied(FILE *out, const char *name, unsigned serial, bool numbered, const char *why,
    unsigned line)
{
	char where[96], msg[sizeof(((struct gw_err *)0)->msg) + 96];

	sline_fix(serial, numbered, why, msg, sizeof(msg));
	if (line > 0) {
		sline_where(serial, numbered, line, where, sizeof(where));
		fprintf(out, "%% Nothing applied: %s: %s\n", where, msg);
	} else
		fprintf(out, "%% Nothing applied: %s\n", msg);
	fprintf(out, "%% The running configuration is unchanged.\n");
	log_info("CLI session %s: not applied: %s", name, msg);
	return -1;
}

/* The numbered lines refused: "end" of such a session applies nothing. */
static int
strict_report(struct controld *cd, struct cli_sess *s, const char *name, FILE *out)
{
	fprintf(out, "%% Nothing applied: %u line%s of this session %s refused:\n",
	    s->n_strict, s->n_strict == 1 ? "" : "s", s->n_strict == 1 ? "was" : "were");
	for (unsigned i = 0; i < s->n_strict && i < CLI_ERRS_KEPT; i++)
		fprintf(out, "%%   %s\n", s->errs[i]);
	if (s->n_strict > CLI_ERRS_KEPT)
		fprintf(out, "%%   ... and %u more\n", s->n_strict - CLI_ERRS_KEPT);
	fprintf(out, "%% The running configuration is unchanged.\n");
	log_info("CLI session %s: %u line%s refused, nothing applied", name, s->n_strict,
	    s->n_strict == 1 ? "" : "s");
	sess_end(cd, s);
	return -1;
}

/* Does text (lines) have the line l? */
static bool
has_line(const char *text, const char *l)
{
	size_t n = strlen(l);

	for (const char *p = text; p != NULL && (p = strstr(p, l)) != NULL; p += n)
		if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/* The warnings of validating c (NULL: none), for warnings_once(); caller frees. */
static char *
warnings_of(const struct conf *c)
{
	struct gw_err err = { 0, "" };
	char *text = NULL;
	size_t len = 0;
	FILE *w;

	if (c == NULL || (w = open_memstream(&text, &len)) == NULL)
		return NULL;
	conf_validate(c, &err, w);
	fclose(w);
	return text;
}

/* Validation's warnings about the new configuration, each said once: not those the running
 * configuration had already (said when it was applied), nor the same twice. */
static void
warnings_once(const char *old, char *warn, unsigned serial, bool numbered, FILE *out)
{
	const char *seen[64];
	char msg[320];
	int n_seen = 0;

	for (char *p = warn, *save = NULL; (p = strtok_r(p, "\n", &save)) != NULL; p = NULL) {
		bool dup = old != NULL && has_line(old, p);

		for (int i = 0; i < n_seen && !dup; i++)
			dup = strcmp(seen[i], p) == 0;
		if (dup)
			continue;
		if (n_seen < (int)(sizeof(seen) / sizeof(seen[0])))
			seen[n_seen++] = p;
		sline_fix(serial, numbered, strncmp(p, "warning: ", 9) == 0 ? p + 9 : p, msg,
		    sizeof(msg));
		fprintf(out, "%% Warning: %s\n", msg);
	}
}

/* "end": apply the candidate, all or nothing, and end the session. */
static int
commit(struct controld *cd, struct cli_sess *s, FILE *out)
{
	struct gw_err err = { 0, "" };
	struct conf *next;
	char *warn = NULL, *old, name[2 * LINK_ID_MAX + 1], msg[sizeof(err.msg) + 96];
	char where[96];
	size_t wlen = 0;
	unsigned n_lines = s->n_lines, serial = s->serial;
	bool numbered = s->numbered;
	FILE *w;

	sess_name(s, name, sizeof(name));
	if (s->n_strict > 0)
		return strict_report(cd, s, name, out);
	next = s->cand;
	s->cand = NULL;
	if (s->base_seq != cd->conf.seq) {
		/* someone else applied meanwhile: our lines go on top of theirs, as on IOS */
		conf_free(next);
		if ((next = replay(cd, s, &err)) == NULL) {
			sline_fix(serial, numbered, err.msg, msg, sizeof(msg));
			sline_where(serial, numbered, err.line, where, sizeof(where));
			fprintf(out, "%% Nothing applied: the running configuration changed while "
			    "this session was open,\n%% and %s no longer applies: %s\n"
			    "%% The running configuration is unchanged.\n", where, msg);
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
		return not_applied(out, name, serial, numbered, "out of memory", 0);
	}
	if (conf_validate(next, &err, w) != 0) {
		fclose(w);
		free(warn);
		conf_free(next);
		return not_applied(out, name, serial, numbered, err.msg, err.line);
	}
	fclose(w);
	old = warnings_of(cd->conf.running);
	if (controld_apply(cd, next, &err) != 0) {	/* takes next */
		free(warn);
		free(old);
		return not_applied(out, name, serial, numbered, err.msg, err.line);
	}
	warnings_once(old, warn, serial, numbered, out);
	free(warn);
	free(old);
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

/* ---- show candidate ---- */

int
sess_show_candidate(struct controld *cd, const void *id, size_t id_len, FILE *out)
{
	struct cli_sess *s = sess_find(cd, id, id_len);
	struct gw_err err = { 0, "" };
	struct conf *replayed = NULL;
	char where[96], msg[sizeof(err.msg) + 96];
	int rc = -1;

	if (s == NULL) {
		fprintf(out, "%% No configuration session: show candidate shows what \"end\" of "
		    "one would apply (configure terminal first)\n");
		return -1;
	}
	if (s->base_seq != cd->conf.seq && (replayed = replay(cd, s, &err)) == NULL) {
		sline_fix(s->serial, s->numbered, err.msg, msg, sizeof(msg));
		sline_where(s->serial, s->numbered, err.line, where, sizeof(where));
		fprintf(out, "%% The running configuration changed while this session was open, "
		    "and %s no longer applies: %s\n%% \"end\" would apply nothing.\n", where, msg);
		return -1;
	}
	rc = output_diff(cd->conf.running, replayed != NULL ? replayed : s->cand, out);
	conf_free(replayed);
	return rc;
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

/* A show command typed in a configuration mode (the tree has no such first word): run as
 * "do show ...", as IOS-XR and NX-OS do. */
static bool
is_show(const struct cli_walk *wk)
{
	return wk->n > 0 && wk->matched == 0 && strlen(wk->w[0]) >= 2 && kw(wk->w[0], "show");
}

/* A line of text in a text sub-mode (conf_session_raw()): to the parser as typed. */
static int
raw_line(struct cli_sess *s, const char *text, unsigned n, unsigned lineno, bool numbered,
    const char *prompt, FILE *out)
{
	struct gw_err err = { 0, "" };

	if (conf_session_line(&s->cs, text, lineno, &err) != 0)
		return refuse(s, NULL, n, numbered, err.msg, NULL, false, prompt, out);
	if (sess_log(s, lineno, text) != 0) {
		snprintf(err.msg, sizeof(err.msg), "this session is too long (over %d bytes)",
		    CLI_LOG_MAX);
		return refuse(s, NULL, n, numbered, err.msg, NULL, false, prompt, out);
	}
	return 0;
}

static int
config_line(struct controld *cd, struct cli_sess *s, const struct cli_req *q, struct cli_rep *r,
    FILE *out, uint64_t now)
{
	struct gw_err err = { 0, "" };
	struct cli_walk *wk;
	char *line, prompt[sizeof(r->prompt)];
	unsigned lineno, n;
	bool numbered = q->lineno > 0;
	int rc = -1, r_line;

	if ((wk = malloc(sizeof(*wk))) == NULL || (line = malloc(CLI_LINE_MAX)) == NULL) {
		free(wk);
		fprintf(out, "%% out of memory\n");
		return -1;
	}
	/* the prompt gwctl showed before this line, for the caret */
	snprintf(prompt, sizeof(prompt), "%s(%s)#", s->cand->hostname,
	    conf_session_prompt_mode(&s->cs));
	if (numbered)
		s->numbered = true;
	if (conf_session_raw(&s->cs)) {
		/* text, not words (a banner's, a key-string's hex): fed as typed, unexpanded */
		n = numbered ? q->lineno : ++s->n_lines;
		lineno = sline(s, n);
		rc = raw_line(s, q->line, n, lineno, numbered, prompt, out);
		goto out;
	}
	if (cli_walk(wk, cli_tree_of(&s->cs), q->line, &err) != 0) {
		s->n_lines++;
		rc = refuse(s, NULL, numbered ? q->lineno : s->n_lines, numbered, err.msg, NULL,
		    false, prompt, out);
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
	if (is_show(wk)) {
		rc = exec_line(cd, s->id, s->id_len, wk->orig, true, r, out, now);
		goto out;
	}
	n = ++s->n_lines;
	if (numbered)
		n = q->lineno;
	if (n > SLINE_MAX) {
		snprintf(err.msg, sizeof(err.msg), "this session is too long (over %u lines)",
		    SLINE_MAX);
		rc = refuse(s, wk, n, numbered, err.msg, NULL, false, prompt, out);
		goto out;
	}
	lineno = sline(s, n);
	if (wk->stop == CLI_W_AMBIGUOUS) {
		/* the words up to the ambiguous one only: later ones may be keys */
		char words[CLI_LINE_MAX], msg[256];

		snprintf(words, sizeof(words), "%.*s", (int)(wk->off[wk->matched] +
		    strlen(wk->w[wk->matched])), wk->orig);
		snprintf(msg, sizeof(msg), "ambiguous command: \"%.100s\" (\"%.30s\" abbreviates "
		    "more than one keyword)", words, wk->w[wk->matched]);
		rc = refuse(s, wk, n, numbered, msg, words, false, prompt, out);
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
	conf_session_warnings(&s->cs, out, NULL);	/* "ignored: ..." said at once */
	r_line = conf_session_line(&s->cs, line, lineno, &err);
	conf_session_warnings(&s->cs, NULL, NULL);
	if (r_line != 0) {
		rc = refuse(s, wk, n, numbered, err.msg, NULL,
		    wk->stop == CLI_W_END && !wk->cr, prompt, out);
		goto out;
	}
	if (sess_log(s, lineno, line) != 0) {
		snprintf(err.msg, sizeof(err.msg), "this session is too long (over %d bytes)",
		    CLI_LOG_MAX);
		rc = refuse(s, wk, n, numbered, err.msg, NULL, false, prompt, out);
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

/* One line in the client's mode, its output through its modifier if it has one. */
static int
one_line(struct controld *cd, const void *id, size_t id_len, const struct cli_req *q,
    struct cli_rep *r, FILE *out, uint64_t now_ms)
{
	struct cli_sess *s = sess_find(cd, id, id_len);
	struct cli_req q2 = *q;
	struct output_pipe p;
	char *cmd, *text = NULL;
	size_t len = 0;
	FILE *o = out;
	int rc = -1;

	if ((cmd = malloc(CLI_LINE_MAX)) == NULL) {
		fprintf(out, "%% out of memory\n");
		return -1;
	}
	if (q2.line == NULL)
		q2.line = "";
	if (output_pipe_parse(q2.line, cmd, CLI_LINE_MAX, &p, out) != 0)
		goto out;
	if (p.kind != OUTPUT_PIPE_NONE) {
		q2.line = cmd;
		if ((o = open_memstream(&text, &len)) == NULL) {
			fprintf(out, "%% out of memory\n");
			regfree(&p.re);
			goto out;
		}
	}
	if (s != NULL)
		rc = config_line(cd, s, &q2, r, o, now_ms);
	else
		rc = exec_line(cd, id, id_len, q2.line, false, r, o, now_ms);
	if (p.kind != OUTPUT_PIPE_NONE) {
		fclose(o);
		if (rc == 0)
			output_pipe_filter(&p, text, out);
		else
			fputs(text, out);		/* an error is not filtered away */
		OPENSSL_cleanse(text, len);		/* show running-config: keys */
		free(text);
		regfree(&p.re);
	}
out:
	OPENSSL_cleanse(cmd, CLI_LINE_MAX);
	free(cmd);
	return rc;
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
		r->ok = output_pipe_help(hbuf, out) || cli_help(t, hbuf, out) == 0;
	} else {
		r->ok = one_line(cd, id, id_len, q, r, out, now_ms) == 0;
		s = sess_find(cd, id, id_len);	/* gone after end, begun by configure */
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
