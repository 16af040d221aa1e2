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
 * modifier ("| include REGEX") filters what a show command wrote.
 */
#include <errno.h>
#include <inttypes.h>
#include <regex.h>
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
		if (strcasecmp(wk->w[i], w) != 0 && (wk->kw[i] == NULL ||
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
static void
caret(const char *prompt, const char *orig, size_t off, FILE *out)
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
				caret(prompt, wk->orig, caret_off(wk, msg), out);
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

/* Validation's warnings, each said once (several entries may warn the same). */
static void
warnings_once(char *warn, unsigned serial, bool numbered, FILE *out)
{
	char *seen[64], msg[320];
	int n_seen = 0;

	for (char *p = warn, *save = NULL; (p = strtok_r(p, "\n", &save)) != NULL; p = NULL) {
		bool dup = false;

		for (int i = 0; i < n_seen && !dup; i++)
			dup = strcmp(seen[i], p) == 0;
		if (dup)
			continue;
		if (n_seen < (int)(sizeof(seen) / sizeof(seen[0])))
			seen[n_seen++] = p;
		sline_fix(serial, numbered, p, msg, sizeof(msg));
		fprintf(out, "%% Warning: %s\n", msg);
	}
}

/* "end": apply the candidate, all or nothing, and end the session. */
static int
commit(struct controld *cd, struct cli_sess *s, FILE *out)
{
	struct gw_err err = { 0, "" };
	struct conf *next;
	char *warn = NULL, name[2 * LINK_ID_MAX + 1], msg[sizeof(err.msg) + 96], where[96];
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
	if (controld_apply(cd, next, &err) != 0) {	/* takes next */
		free(warn);
		return not_applied(out, name, serial, numbered, err.msg, err.line);
	}
	warnings_once(warn, serial, numbered, out);
	free(warn);
	log_info("configured from CLI session %s (%u line%s): generation %" PRIu64, name,
	    n_lines, n_lines == 1 ? "" : "s", cd->link.gen);
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

/* ---- show candidate: what "end" would apply, as a diff ---- */

enum { DIFF_CONTEXT = 3, DIFF_CELLS_MAX = 4 << 20 };

struct text_lines {
	char	*text;		/* owned, NUL-separated lines */
	size_t	len;
	char	**l;
	size_t	n;
};

static void
lines_free(struct text_lines *t)
{
	if (t->text != NULL)
		OPENSSL_cleanse(t->text, t->len);	/* may hold keys */
	free(t->text);
	free(t->l);
}

/* show running-config's lines of c (NULL: an empty configuration). */
static int
lines_of(const struct conf *c, struct text_lines *t)
{
	struct conf *empty = NULL;
	size_t i = 0;
	FILE *f;

	memset(t, 0, sizeof(*t));
	if (c == NULL && (c = empty = conf_new()) == NULL)
		return -1;
	if ((f = open_memstream(&t->text, &t->len)) == NULL) {
		conf_free(empty);
		return -1;
	}
	conf_show_running(c, f);
	fclose(f);
	conf_free(empty);
	for (size_t k = 0; k < t->len; k++)
		t->n += t->text[k] == '\n';
	if ((t->l = calloc(t->n + 1, sizeof(*t->l))) == NULL)
		return -1;
	for (char *p = t->text, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		*nl = '\0';
		t->l[i++] = p;
	}
	return 0;
}

/* The edit script from a to b: ops[k] is ' ' (both), '-' (a only) or '+' (b only), from a
 * longest common subsequence of the lines between the common head and tail (when that is
 * too large, all of a's removed and all of b's added).  *n_ops set; caller frees. */
static char *
diff_ops(const struct text_lines *a, const struct text_lines *b, size_t *n_ops)
{
	size_t head = 0, tail = 0, n, m, k = 0, i, j;
	uint32_t *t = NULL;
	char *ops;

	while (head < a->n && head < b->n && strcmp(a->l[head], b->l[head]) == 0)
		head++;
	while (tail < a->n - head && tail < b->n - head &&
	    strcmp(a->l[a->n - 1 - tail], b->l[b->n - 1 - tail]) == 0)
		tail++;
	n = a->n - head - tail;
	m = b->n - head - tail;
	if ((ops = malloc(a->n + b->n + 1)) == NULL)
		return NULL;
	memset(ops, ' ', head);
	k = head;
	if (n > 0 && m > 0 && (n + 1) * (m + 1) <= DIFF_CELLS_MAX)
		t = calloc((n + 1) * (m + 1), sizeof(*t));
	if (t != NULL) {
		/* t[i][j]: LCS of a's middle from i and b's middle from j */
		for (i = n; i-- > 0;)
			for (j = m; j-- > 0;)
				t[i * (m + 1) + j] = strcmp(a->l[head + i], b->l[head + j]) == 0 ?
				    t[(i + 1) * (m + 1) + j + 1] + 1 :
				    t[(i + 1) * (m + 1) + j] > t[i * (m + 1) + j + 1] ?
				    t[(i + 1) * (m + 1) + j] : t[i * (m + 1) + j + 1];
		for (i = j = 0; i < n || j < m;) {
			if (i < n && j < m && strcmp(a->l[head + i], b->l[head + j]) == 0)
				ops[k++] = ' ', i++, j++;
			else if (j == m || (i < n &&
			    t[(i + 1) * (m + 1) + j] >= t[i * (m + 1) + j + 1]))
				ops[k++] = '-', i++;
			else
				ops[k++] = '+', j++;
		}
		free(t);
	} else {
		memset(ops + k, '-', n);
		memset(ops + k + n, '+', m);
		k += n + m;
	}
	memset(ops + k, ' ', tail);
	*n_ops = k + tail;
	return ops;
}

/* A unified diff of a to b ("--- running-config", "+++ candidate", hunks with 3 lines of
 * context); 0 lines changed: says so. */
static int
diff_print(const struct text_lines *a, const struct text_lines *b, FILE *out)
{
	size_t n_ops, k = 0;
	char *ops;

	if ((ops = diff_ops(a, b, &n_ops)) == NULL) {
		fprintf(out, "%% out of memory\n");
		return -1;
	}
	if (memchr(ops, '-', n_ops) == NULL && memchr(ops, '+', n_ops) == NULL) {
		fprintf(out, "%% No changes: \"end\" would apply nothing.\n");
		free(ops);
		return 0;
	}
	fprintf(out, "--- running-config\n+++ candidate\n");
	while (k < n_ops) {
		size_t start, end, ai = 0, bi = 0, na = 0, nb = 0, last;

		while (k < n_ops && ops[k] == ' ')
			k++;
		if (k == n_ops)
			break;
		/* the hunk: from 3 before this change to 3 after the last change that is closer
		 * than 2 * 3 lines to the one before it */
		start = k > DIFF_CONTEXT ? k - DIFF_CONTEXT : 0;
		for (last = end = k; end < n_ops; end++)
			if (ops[end] != ' ')
				last = end;
			else if (end - last > 2 * DIFF_CONTEXT)
				break;
		end = last + 1 + DIFF_CONTEXT < n_ops ? last + 1 + DIFF_CONTEXT : n_ops;
		for (size_t x = 0; x < start; x++) {
			ai += ops[x] != '+';
			bi += ops[x] != '-';
		}
		for (size_t x = start; x < end; x++) {
			na += ops[x] != '+';
			nb += ops[x] != '-';
		}
		fprintf(out, "@@ -%zu,%zu +%zu,%zu @@\n", ai + (na > 0), na, bi + (nb > 0), nb);
		for (size_t x = start; x < end; x++) {
			fprintf(out, "%c%s\n", ops[x], ops[x] == '+' ? b->l[bi] : a->l[ai]);
			ai += ops[x] != '+';
			bi += ops[x] != '-';
		}
		k = end;
	}
	free(ops);
	return 0;
}

int
sess_show_candidate(struct controld *cd, const void *id, size_t id_len, FILE *out)
{
	struct cli_sess *s = sess_find(cd, id, id_len);
	struct gw_err err = { 0, "" };
	struct text_lines a = { 0 }, b = { 0 };
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
	if (lines_of(cd->conf.running, &a) == 0 &&
	    lines_of(replayed != NULL ? replayed : s->cand, &b) == 0)
		rc = diff_print(&a, &b, out);
	else
		fprintf(out, "%% out of memory\n");
	lines_free(&a);
	lines_free(&b);
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

static int
config_line(struct controld *cd, struct cli_sess *s, const struct cli_req *q, struct cli_rep *r,
    FILE *out, uint64_t now)
{
	struct gw_err err = { 0, "" };
	struct cli_walk *wk;
	char *line, prompt[sizeof(r->prompt)];
	unsigned lineno, n;
	bool numbered = q->lineno > 0;
	int rc = -1;

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
	if (conf_session_line(&s->cs, line, lineno, &err) != 0) {
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

/* ---- Output modifiers: SHOW-COMMAND | include|exclude|begin|section REGEX ---- */

enum pipe_kind { PIPE_NONE, PIPE_INCLUDE, PIPE_EXCLUDE, PIPE_BEGIN, PIPE_SECTION };

struct pipe {
	enum pipe_kind	kind;
	regex_t		re;		/* POSIX extended */
};

/* A show command with an output modifier: cmd = the command before "|", p->kind and p->re
 * set (caller regfree()s when kind is not PIPE_NONE).  Only a show command ("do show" in a
 * configuration mode) has one: elsewhere "|" is text (a description, a remark).  0, or -1
 * with the error written to out. */
static int
pipe_parse(const char *line, char *cmd, size_t len, struct pipe *p, FILE *out)
{
	static const char *const kinds[] = { NULL, "include", "exclude", "begin", "section" };
	const char *w = line + strspn(line, " \t"), *bar, *mod, *re;
	size_t wl = strcspn(w, " \t"), ml, rl;
	char word[16], errbuf[128];
	int e;

	p->kind = PIPE_NONE;
	if (wl == 2 && strncasecmp(w, "do", 2) == 0) {
		w += wl;
		w += strspn(w, " \t");
		wl = strcspn(w, " \t");
	}
	snprintf(word, sizeof(word), "%.*s", (int)(wl < sizeof(word) ? wl : 0), w);
	if (wl < 2 || !kw(word, "show") || (bar = strchr(w, '|')) == NULL)
		return 0;
	mod = bar + 1 + strspn(bar + 1, " \t");
	ml = strcspn(mod, " \t\r\n");
	snprintf(word, sizeof(word), "%.*s", (int)(ml < sizeof(word) ? ml : 0), mod);
	for (int k = PIPE_INCLUDE; k <= PIPE_SECTION; k++)
		if (kw(word, kinds[k]))
			p->kind = (enum pipe_kind)k;
	if (ml == 0) {
		fprintf(out, "%% Incomplete command.\n");
		return -1;
	}
	if (p->kind == PIPE_NONE) {
		fprintf(out, "%% Invalid input detected at '%.*s': after \"|\" come include, "
		    "exclude, begin or section, then a regular expression\n", (int)ml, mod);
		return -1;
	}
	re = mod + ml + strspn(mod + ml, " \t");
	for (rl = strlen(re); rl > 0 && (re[rl - 1] == '\r' || re[rl - 1] == '\n'); rl--)
		;
	if (rl == 0) {
		p->kind = PIPE_NONE;
		fprintf(out, "%% Incomplete command.\n");
		return -1;
	}
	snprintf(cmd, len, "%.*s", (int)rl, re);
	if ((e = regcomp(&p->re, cmd, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(e, &p->re, errbuf, sizeof(errbuf));
		fprintf(out, "%% Invalid regular expression \"%s\": %s\n", cmd, errbuf);
		p->kind = PIPE_NONE;
		return -1;
	}
	for (rl = (size_t)(bar - line); rl > 0 && (line[rl - 1] == ' ' || line[rl - 1] == '\t');)
		rl--;
	snprintf(cmd, len, "%.*s", (int)rl, line);
	return 0;
}

/* "?" after the "|" of a show command: the modifiers, or what follows one.  true when line
 * (without its "?") is such a request and the help was written. */
static bool
pipe_help(const char *line, FILE *out)
{
	static const char *const mods[][2] = {
		{ "begin", "Begin with the line that matches" },
		{ "exclude", "Exclude lines that match" },
		{ "include", "Include lines that match" },
		{ "section", "Filter a section of output" },
	};
	const char *w = line + strspn(line, " \t"), *bar, *m;
	size_t wl = strcspn(w, " \t"), ml;

	if (wl == 2 && strncasecmp(w, "do", 2) == 0) {
		w += wl;
		w += strspn(w, " \t");
		wl = strcspn(w, " \t");
	}
	if (wl < 2 || wl > 4 || strncasecmp(w, "show", wl) != 0 || (bar = strchr(w, '|')) == NULL)
		return false;
	m = bar + 1 + strspn(bar + 1, " \t");
	ml = strcspn(m, " \t");
	if (m[ml] != '\0') {			/* after the modifier: its expression */
		fprintf(out, "  LINE  Regular Expression\n");
		return true;
	}
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++)
		if (ml == 0)
			fprintf(out, "  %-8s %s\n", mods[i][0], mods[i][1]);
		else if (strncasecmp(m, mods[i][0], ml) == 0)
			fprintf(out, "%s\n", mods[i][0]);
	return true;
}

static size_t
indent_of(const char *l)
{
	return strspn(l, " \t");
}

/* The lines of text (what the command wrote) that p lets through, to out.  section: a
 * matching line and the lines after it indented deeper (its sub-commands), as IOS. */
static void
pipe_filter(const struct pipe *p, char *text, FILE *out)
{
	bool begun = false;
	size_t sect = 0;		/* in a section: its indent + 1; 0: not */

	for (char *l = text, *nl; l != NULL && *l != '\0'; l = nl) {
		bool m, show;

		if ((nl = strchr(l, '\n')) != NULL)
			*nl++ = '\0';
		m = regexec(&p->re, l, 0, NULL, 0) == 0;
		switch (p->kind) {
		case PIPE_INCLUDE: show = m; break;
		case PIPE_EXCLUDE: show = !m; break;
		case PIPE_BEGIN: show = begun = begun || m; break;
		default:
			if (sect > 0 && indent_of(l) >= sect && l[indent_of(l)] != '\0')
				show = true;
			else if ((show = m))
				sect = indent_of(l) + 1;
			else
				sect = 0;
			break;
		}
		if (show)
			fprintf(out, "%s\n", l);
	}
}

/* One line in the client's mode, its output through its modifier if it has one. */
static int
one_line(struct controld *cd, const void *id, size_t id_len, const struct cli_req *q,
    struct cli_rep *r, FILE *out, uint64_t now_ms)
{
	struct cli_sess *s = sess_find(cd, id, id_len);
	struct cli_req q2 = *q;
	struct pipe p;
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
	if (pipe_parse(q2.line, cmd, CLI_LINE_MAX, &p, out) != 0)
		goto out;
	if (p.kind != PIPE_NONE) {
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
	if (p.kind != PIPE_NONE) {
		fclose(o);
		if (rc == 0)
			pipe_filter(&p, text, out);
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
		r->ok = pipe_help(hbuf, out) || cli_help(t, hbuf, out) == 0;
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
