/* SPDX-License-Identifier: Apache-2.0 */
/* gwctl: the command line to controld.  Commands (-c, repeatable), a file (-f), standard
 * input, or, on a terminal, an interactive session with IOS prompts, libedit's line editor
 * (emacs keys, Ctrl-R search, history kept across sessions in ~/.gwctl_history without the
 * lines that hold keys), "?" help at once, TAB completion and Ctrl-Z.  controld keeps the
 * session (mode, candidate configuration) for this client; gwctl shows the prompt it gets
 * back.
 *
 * Lines of -c, -f and a pipe are numbered: a configure session of them is all or nothing
 * (one refused line, and "end" applies nothing), and gwctl goes on to the session's end so
 * that every refused line is reported.  Typed lines are forgiven one by one (controld
 * answers a refused one at once and leaves it out).  Non-interactive input prints no prompts
 * and stops at the first exec command that fails.  Input that ends inside a session aborts
 * it.  Exit status: 0 all commands succeeded, 1 a command failed, 2 usage, 3 no answer from
 * controld.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <wchar.h>

#include <histedit.h>
#include <zmq.h>

#include "common/link.h"

enum {
	LINE_MAX_	= 1024,
	HIST_MAX	= 500,			/* lines of history, in memory and file */
	TTY_POLL_MS	= 250,			/* idle: monitor_poll() this often */
	CMDS_MAX	= 64,
	RC_OK = 0, RC_FAILED = 1, RC_USAGE = 2, RC_NO_ANSWER = 3,
};
#define HIST_FILE	".gwctl_history"	/* in $HOME */

struct client {
	void		*sock;
	int		timeout_ms;
	char		mode[32];		/* controld's name of our mode: "exec", ... */
	char		prompt[160];
	char		completion[LINE_MAX_];
	bool		quit;
	bool		literal;		/* files and pipes: a final "?" is text */
	bool		monitor;		/* terminal monitor is on: poll while idle */
	EditLine	*el;			/* interactive: the line editor (monitor_poll
						 * redraws the line with EL_REFRESH) */
};

static void
usage(FILE *f)
{
	fprintf(f,
"usage: gwctl [-s ENDPOINT] [-c COMMAND ... | -f FILE]\n"
"\n"
"  -s, --socket ENDPOINT   controld's CLI endpoint (default ipc:///run/ipsecgw/cli.sock)\n"
"  -c, --command LINE      run LINE and exit; repeat -c for several lines in one session\n"
"  -f, --file FILE         run the lines of FILE, stop at the first that fails\n"
"  -k, --curve-key FILE    our CurveZMQ key pair, for a tcp:// endpoint\n"
"  -K, --curve-server KEY  controld's public key (Z85)\n"
"  -t, --timeout SECONDS   how long to wait for controld (default 5)\n"
"  -h, --help              this text\n"
"\n"
"Without -c or -f, lines are read from standard input; on a terminal, interactively, with\n"
"the prompts of IOS (gwA#, gwA(config)#), \"?\" for help, TAB to complete a word, emacs keys,\n"
"arrows and Ctrl-R for history (~/.gwctl_history, without lines holding keys), Ctrl-Z to\n"
"end a configure session.  Try \"help\".\n"
"\"configure terminal\" ... \"end\" applies the session all or nothing: a configuration that\n"
"does not validate applies nothing.  A typed line that is refused is left out; in -c, -f\n"
"and piped input, one refused line and nothing is applied.  Input that ends before \"end\"\n"
"aborts.\n"
"Exit status: 0 all commands succeeded, 1 a command failed, 2 usage, 3 no answer.\n");
}

/* ---- One request ---- */

/* Send line, wait for the reply; its text goes to out (failures to err_out).  RC_OK,
 * RC_FAILED (controld refused it) or RC_NO_ANSWER. */
static int
ask(struct client *c, const char *line, bool complete, unsigned lineno, FILE *out,
    FILE *err_out)
{
	Gw__V1__CliRequest q = GW__V1__CLI_REQUEST__INIT;
	Gw__V1__CliReply *r;
	zmq_pollitem_t it = { c->sock, 0, ZMQ_POLLIN, 0 };
	struct gw_err err = { 0, "" };
	int ok;

	q.line = (char *)line;
	q.mode = c->mode;
	q.complete = complete;
	q.lineno = lineno;
	q.literal = c->literal;
	if (link_send(c->sock, NULL, 0, &q.base) != 0) {
		fprintf(stderr, "gwctl: send: %s\n", zmq_strerror(errno));
		return RC_NO_ANSWER;
	}
	if (zmq_poll(&it, 1, c->timeout_ms) <= 0) {
		fprintf(stderr, "gwctl: controld did not answer within %d ms\n", c->timeout_ms);
		return RC_NO_ANSWER;
	}
	r = (Gw__V1__CliReply *)link_recv(c->sock, NULL, &gw__v1__cli_reply__descriptor, &err);
	if (r == NULL) {
		fprintf(stderr, "gwctl: bad reply: %s\n", err.msg);
		return RC_NO_ANSWER;
	}
	fputs(r->text, r->ok ? out : err_out);
	fflush(r->ok ? out : err_out);
	ok = r->ok;
	/* an old controld sends no mode or prompt: stay in exec */
	snprintf(c->mode, sizeof(c->mode), "%s", r->mode[0] ? r->mode : "exec");
	snprintf(c->prompt, sizeof(c->prompt), "%s", r->prompt[0] ? r->prompt : "gwctl> ");
	snprintf(c->completion, sizeof(c->completion), "%s", r->completion);
	c->quit = r->quit;
	c->monitor = r->monitor;
	link_free(&r->base);
	return ok ? RC_OK : RC_FAILED;
}

static bool
in_exec(const struct client *c)
{
	return strcmp(c->mode, "exec") == 0;
}

/* ---- Batch: -c, -f, a pipe ---- */

/* One line of a batch; *stop set when the batch must end (with the status returned). */
static int
batch_line(struct client *c, const char *line, unsigned lineno, bool *failed, bool *stop)
{
	int rc = ask(c, line, false, lineno, stdout, stderr);

	*stop = rc == RC_NO_ANSWER || c->quit;
	if (rc != RC_FAILED)
		return rc;
	*failed = true;
	/* in a session: go on to its end so every refused line is reported (nothing will be
	 * applied); a failed exec command, or a session that ended badly, stops the batch */
	if (!in_exec(c))
		return RC_FAILED;
	*stop = true;
	return RC_FAILED;
}

static int
batch_end(struct client *c, const char *what, bool failed)
{
	if (in_exec(c))
		return failed ? RC_FAILED : RC_OK;
	fprintf(stderr, "gwctl: %s ended inside a configure session (no \"end\"): nothing "
	    "applied\n", what);
	ask(c, "abort", false, 0, stderr, stderr);
	return RC_FAILED;
}

static int
run_lines(struct client *c, char **cmds, int n)
{
	bool failed = false, stop = false;
	int rc = RC_OK;

	/* numbered: a session of -c lines is all or nothing, as a file's */
	for (int i = 0; i < n && !stop; i++)
		rc = batch_line(c, cmds[i], (unsigned)i + 1, &failed, &stop);
	if (rc == RC_NO_ANSWER)
		return rc;
	return batch_end(c, "the commands", failed);
}

static int
run_file(struct client *c, FILE *in, const char *name)
{
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	bool failed = false, stop = false;
	int rc = RC_OK;

	/* lines of any length: controld refuses those over its limit, with the reason */
	while (!stop && getline(&line, &cap, in) != -1) {
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[strspn(line, " \t")] == '\0')
			continue;
		rc = batch_line(c, line, lineno, &failed, &stop);
	}
	free(line);
	if (rc == RC_NO_ANSWER)
		return rc;
	return batch_end(c, name, failed);
}

/* ---- Interactive: a terminal, edited by libedit ---- */

/* The interactive session: libedit's line editor (emacs keys, Ctrl-R incremental search,
 * history kept in ~/.gwctl_history, bounded, mode 0600, without lines that hold keys), "?"
 * and TAB answered by controld at once. */
struct tty {
	struct client	*c;
	EditLine	*el;
	History		*h;
	char		*hist_path;	/* NULL: no history file ($HOME unset) */
	char		**added;	/* lines of this session for the file, oldest first */
	int		n_added;
	bool		cancelled;	/* ^C: drop the line */
	bool		ctrl_z;		/* ^Z: end the configure session */
	int		rc;		/* RC_NO_ANSWER once controld stops answering */
};

/* terminal monitor (docs/logging.md): every TTY_POLL_MS while the line editor waits for a key,
 * ask controld for the log lines since the last poll and print them above the line being
 * edited, then let libedit draw the prompt and the line again.  A poll runs no command and
 * changes no session; a lost answer only skips this poll. */
static void
monitor_poll(struct client *c)
{
	Gw__V1__CliRequest q = GW__V1__CLI_REQUEST__INIT;
	Gw__V1__CliReply *r;
	zmq_pollitem_t it = { c->sock, 0, ZMQ_POLLIN, 0 };
	struct gw_err err = { 0, "" };

	if (!c->monitor)
		return;
	q.line = (char *)"";
	q.mode = c->mode;
	q.monitor_poll = true;
	if (link_send(c->sock, NULL, 0, &q.base) != 0 || zmq_poll(&it, 1, c->timeout_ms) <= 0)
		return;
	if ((r = (Gw__V1__CliReply *)link_recv(c->sock, NULL, &gw__v1__cli_reply__descriptor,
	    &err)) == NULL)
		return;
	c->monitor = r->monitor;
	if (r->text[0] != '\0') {
		printf("\r\x1b[K%s", r->text);
		fflush(stdout);
		if (c->el != NULL)
			el_set(c->el, EL_REFRESH);
	}
	link_free(&r->base);
}

/* libedit reads keys through here: wait for one on stdin, polling the log while idle. */
static int
tty_getc(EditLine *el, wchar_t *wc)
{
	struct tty *t;
	unsigned char ch;
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };

	el_get(el, EL_CLIENTDATA, &t);
	for (;;) {
		int n = poll(&pfd, 1, TTY_POLL_MS);
		ssize_t got;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			monitor_poll(t->c);
			continue;
		}
		if ((got = read(STDIN_FILENO, &ch, 1)) < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return 0;			/* end of input */
		*wc = (wchar_t)ch;
		return 1;
	}
}

static char *
tty_prompt(EditLine *el)
{
	struct tty *t;

	el_get(el, EL_CLIENTDATA, &t);
	return t->c->prompt;
}

/* The line up to the cursor (what "?" and TAB are about), into buf. */
static void
line_to_cursor(EditLine *el, char *buf, size_t len, size_t extra)
{
	const LineInfo *li = el_line(el);
	size_t n = (size_t)(li->cursor - li->buffer);

	if (n + extra >= len)
		n = len - extra - 1;
	memcpy(buf, li->buffer, n);
	buf[n] = '\0';
}

/* "?": help for the line up to the cursor, then the line again. */
static unsigned char
key_help(EditLine *el, int ch)
{
	char q[LINE_MAX_ + 2];
	struct tty *t;

	(void)ch;
	el_get(el, EL_CLIENTDATA, &t);
	line_to_cursor(el, q, sizeof(q), 1);
	strcat(q, "?");
	printf("?\n");
	fflush(stdout);
	if (ask(t->c, q, false, 0, stdout, stdout) == RC_NO_ANSWER) {
		t->rc = RC_NO_ANSWER;
		return CC_EOF;
	}
	return CC_REDISPLAY;
}

/* TAB: controld completes the word before the cursor (the possibilities listed when there
 * are several). */
static unsigned char
key_tab(EditLine *el, int ch)
{
	char q[LINE_MAX_];
	char *text = NULL;
	size_t tlen = 0, ql;
	struct tty *t;
	FILE *f;
	int rc;
	unsigned char cc = CC_REFRESH;

	(void)ch;
	el_get(el, EL_CLIENTDATA, &t);
	line_to_cursor(el, q, sizeof(q), 0);
	if ((f = open_memstream(&text, &tlen)) == NULL)
		return CC_REFRESH_BEEP;
	rc = ask(t->c, q, true, 0, f, f);
	fclose(f);
	if (rc == RC_NO_ANSWER) {
		free(text);
		t->rc = RC_NO_ANSWER;
		return CC_EOF;
	}
	if (tlen > 0) {
		printf("\n%s", text);
		fflush(stdout);
		cc = CC_REDISPLAY;
	}
	ql = strlen(q);
	if (t->c->completion[0] != '\0' && strcmp(t->c->completion, q) != 0) {
		el_deletestr(el, (int)ql);
		el_insertstr(el, t->c->completion);
	} else if (tlen == 0) {
		cc = CC_REFRESH_BEEP;
	}
	free(text);
	return cc;
}

/* ^C: drop the line; ^Z: end the configure session (both end el_gets()). */
static unsigned char
key_cancel(EditLine *el, int ch)
{
	struct tty *t;

	(void)ch;
	el_get(el, EL_CLIENTDATA, &t);
	t->cancelled = true;
	printf("^C\n");
	return CC_NEWLINE;
}

static unsigned char
key_ctrl_z(EditLine *el, int ch)
{
	struct tty *t;

	(void)ch;
	el_get(el, EL_CLIENTDATA, &t);
	t->ctrl_z = true;
	printf("^Z\n");
	return CC_NEWLINE;
}

/* Is word w an abbreviation (at least min characters) of keyword k? */
static bool
abbrev(const char *w, size_t wl, const char *k, size_t min)
{
	return wl >= min && wl <= strlen(k) && strncasecmp(w, k, wl) == 0;
}

/* Does line hold a key, so that it must not reach the history file?  crypto isakmp key,
 * set session-key, pre-shared-key, key-string, as typed (abbreviations and "no" too). */
static bool
hist_secret(const char *line)
{
	const char *w[4];
	size_t wl[4];
	int n = 0;

	for (const char *p = line; *p != '\0' && n < 4;) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		w[n] = p;
		wl[n] = strcspn(p, " \t");
		p += wl[n];
		/* any word: pre-shared-key, key-string */
		if (abbrev(w[n], wl[n], "pre-shared-key", 4) ||
		    abbrev(w[n], wl[n], "key-string", 5))
			return true;
		if (n == 0 && abbrev(w[0], wl[0], "no", 2))
			continue;		/* "no set session-key ...": as without "no" */
		n++;
	}
	if (n >= 2 && abbrev(w[0], wl[0], "set", 2) && abbrev(w[1], wl[1], "session-key", 1))
		return true;
	return n >= 3 && abbrev(w[0], wl[0], "crypto", 2) && abbrev(w[1], wl[1], "isakmp", 2) &&
	    abbrev(w[2], wl[2], "key", 1);
}

/* Load the history file (a line each, oldest first) into t->h. */
static void
hist_load(struct tty *t)
{
	HistEvent ev;
	char *line = NULL;
	size_t cap = 0;
	FILE *f;
	const char *home = getenv("HOME");

	if (home == NULL || home[0] == '\0' ||
	    asprintf(&t->hist_path, "%s/%s", home, HIST_FILE) < 0) {
		t->hist_path = NULL;
		return;
	}
	if ((f = fopen(t->hist_path, "r")) == NULL)
		return;
	while (getline(&line, &cap, f) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] != '\0' && !hist_secret(line))
			history(t->h, &ev, H_ENTER, line);
	}
	free(line);
	fclose(f);
}

/* Append this session's lines to the history file, keeping its last HIST_MAX lines: read
 * it again (another gwctl may have written it meanwhile), write a temporary file of mode
 * 0600 beside it, rename. */
static void
hist_save(struct tty *t)
{
	char **all = NULL, *line = NULL, *tmp = NULL;
	size_t cap = 0;
	int n = 0, fd, first;
	FILE *f;

	if (t->hist_path == NULL || t->n_added == 0)
		return;
	if ((f = fopen(t->hist_path, "r")) != NULL) {
		while (getline(&line, &cap, f) != -1) {
			char **v = realloc(all, (size_t)(n + 1) * sizeof(*all));

			if (v == NULL)
				break;
			all = v;
			line[strcspn(line, "\r\n")] = '\0';
			if ((all[n] = strdup(line)) != NULL)
				n++;
		}
		fclose(f);
	}
	if (asprintf(&tmp, "%s.tmp.%ld", t->hist_path, (long)getpid()) < 0)
		goto out;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		goto out;
	}
	first = n + t->n_added > HIST_MAX ? n + t->n_added - HIST_MAX : 0;
	for (int i = first; i < n + t->n_added; i++)
		fprintf(f, "%s\n", i < n ? all[i] : t->added[i - n]);
	if (fclose(f) != 0 || rename(tmp, t->hist_path) != 0)
		unlink(tmp);
out:
	for (int i = 0; i < n; i++)
		free(all[i]);
	free(all);
	free(line);
	free(tmp);
}

/* A line typed: into the history (the file's copy too unless it holds a key). */
static void
hist_add(struct tty *t, const char *line)
{
	HistEvent ev;
	char **v;

	if (line[strspn(line, " \t")] == '\0')
		return;
	history(t->h, &ev, H_ENTER, line);
	if (hist_secret(line))
		return;
	if (t->n_added == HIST_MAX) {
		free(t->added[0]);
		memmove(t->added, t->added + 1, (HIST_MAX - 1) * sizeof(*t->added));
		t->n_added--;
	}
	if ((v = realloc(t->added, (size_t)(t->n_added + 1) * sizeof(*v))) == NULL)
		return;
	t->added = v;
	if ((v[t->n_added] = strdup(line)) != NULL)
		t->n_added++;
}

static int
tty_open(struct tty *t, struct client *c, const char *prog)
{
	HistEvent ev;

	t->c = c;
	if ((t->h = history_init()) == NULL ||
	    (t->el = el_init(prog, stdin, stdout, stderr)) == NULL)
		return -1;
	c->el = t->el;
	history(t->h, &ev, H_SETSIZE, HIST_MAX);
	history(t->h, &ev, H_SETUNIQUE, 1);
	hist_load(t);
	el_set(t->el, EL_CLIENTDATA, t);
	el_set(t->el, EL_EDITOR, "emacs");
	el_set(t->el, EL_HIST, history, t->h);
	el_set(t->el, EL_PROMPT, tty_prompt);
	el_set(t->el, EL_SIGNAL, 1);
	el_set(t->el, EL_GETCFN, tty_getc);
	/* ^C and ^Z are editing keys here, as on IOS, not signals: while editing (-d) and
	 * between lines (-x, while controld answers: typed-ahead keys wait for the editor, not
	 * echoed twice); el_end() gives the terminal back as it was */
	el_set(t->el, EL_SETTY, "-d", "-isig", NULL);
	el_set(t->el, EL_SETTY, "-x", "-isig", "-echo", "-icanon", NULL);
	/* wide: libedit keeps these pointers (the narrow el_set copies them, never freed) */
	el_wset(t->el, EL_ADDFN, L"gw-help", L"controld's help for the line", key_help);
	el_wset(t->el, EL_ADDFN, L"gw-complete", L"controld completes the word", key_tab);
	el_wset(t->el, EL_ADDFN, L"gw-cancel", L"drop the line", key_cancel);
	el_wset(t->el, EL_ADDFN, L"gw-end", L"end the configure session", key_ctrl_z);
	el_set(t->el, EL_BIND, "?", "gw-help", NULL);
	el_set(t->el, EL_BIND, "^I", "gw-complete", NULL);
	el_set(t->el, EL_BIND, "^C", "gw-cancel", NULL);
	el_set(t->el, EL_BIND, "^Z", "gw-end", NULL);
	el_set(t->el, EL_BIND, "^R", "em-inc-search-prev", NULL);
	el_set(t->el, EL_BIND, "^S", "em-inc-search-next", NULL);
	el_source(t->el, NULL);			/* ~/.editrc, as other libedit programs */
	return 0;
}

static void
tty_close(struct tty *t)
{
	hist_save(t);
	if (t->c != NULL)
		t->c->el = NULL;
	if (t->el != NULL)
		el_end(t->el);
	if (t->h != NULL)
		history_end(t->h);
	for (int i = 0; i < t->n_added; i++)
		free(t->added[i]);
	free(t->added);
	free(t->hist_path);
}

static int
run_tty(struct client *c, const char *prog)
{
	struct tty t = { 0 };
	int rc = RC_OK;

	/* an empty line: nothing to do, but it tells us the prompt */
	if ((rc = ask(c, "", false, 0, stdout, stdout)) == RC_NO_ANSWER)
		return rc;
	if (tty_open(&t, c, prog) != 0) {
		fprintf(stderr, "gwctl: line editor: %s\n", strerror(errno));
		tty_close(&t);
		return RC_FAILED;
	}
	while (!c->quit && t.rc != RC_NO_ANSWER) {
		char line[LINE_MAX_];
		const char *got;
		int n;

		t.cancelled = t.ctrl_z = false;
		got = el_gets(t.el, &n);	/* NULL for an empty line ended by ^C, ^Z too */
		if (t.rc == RC_NO_ANSWER)
			break;
		if (t.cancelled)
			continue;
		if (t.ctrl_z) {
			if (!in_exec(c) && (rc = ask(c, "end", false, 0, stdout, stdout)) ==
			    RC_NO_ANSWER)
				break;
			continue;
		}
		if (got == NULL || n <= 0) {
			printf("\n");
			if (!in_exec(c)) {
				printf("%% end of input inside a configure session\n");
				rc = ask(c, "abort", false, 0, stdout, stdout);
			}
			break;
		}
		snprintf(line, sizeof(line), "%s", got);
		line[strcspn(line, "\r\n")] = '\0';
		hist_add(&t, line);
		if (line[strspn(line, " \t")] == '\0')
			continue;
		if ((rc = ask(c, line, false, 0, stdout, stdout)) == RC_NO_ANSWER)
			break;
	}
	tty_close(&t);
	if (t.rc == RC_NO_ANSWER)
		rc = RC_NO_ANSWER;
	return rc == RC_NO_ANSWER ? rc : RC_OK;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", 1, NULL, 's' }, { "command", 1, NULL, 'c' }, { "file", 1, NULL, 'f' },
		{ "timeout", 1, NULL, 't' }, { "help", 0, NULL, 'h' },
		{ "curve-key", 1, NULL, 'k' }, { "curve-server", 1, NULL, 'K' }, { NULL, 0, NULL, 0 }
	};
	const char *ep = "ipc:///run/ipsecgw/cli.sock", *file = NULL;
	const char *curve_key = NULL, *curve_server = NULL;
	struct client c = { .mode = "exec", .prompt = "" };
	struct gw_err err = { 0, "" };
	char *cmds[CMDS_MAX];
	int ch, rc, n_cmds = 0;
	void *ctx;
	FILE *in;

	c.timeout_ms = 5000;
	while ((ch = getopt_long(argc, argv, "s:c:f:t:hk:K:", lo, NULL)) != -1) {
		switch (ch) {
		case 'k': curve_key = optarg; break;
		case 'K': curve_server = optarg; break;
		case 's': ep = optarg; break;
		case 'c':
			if (n_cmds == CMDS_MAX) {
				fprintf(stderr, "gwctl: at most %d -c\n", CMDS_MAX);
				return RC_USAGE;
			}
			cmds[n_cmds++] = optarg;
			break;
		case 'f': file = optarg; break;
		case 't': c.timeout_ms = atoi(optarg) * 1000; break;
		case 'h': usage(stdout); return RC_OK;
		default: usage(stderr); return RC_USAGE;
		}
	}
	if (optind != argc || c.timeout_ms <= 0 || (file != NULL && n_cmds > 0)) {
		usage(stderr);
		return RC_USAGE;
	}
	ctx = zmq_ctx_new();
	c.sock = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(c.sock, ZMQ_RCVTIMEO, &c.timeout_ms, sizeof(c.timeout_ms));
	if (curve_key != NULL || curve_server != NULL) {
		struct link_keys k;

		if (curve_key == NULL || curve_server == NULL ||
		    link_keys_load(curve_key, &k, &err) != 0 ||
		    link_curve_client(c.sock, &k, curve_server, &err) != 0) {
			fprintf(stderr, "gwctl: %s\n", curve_key && curve_server ? err.msg :
			    "--curve-key and --curve-server go together");
			return RC_USAGE;
		}
	}
	if (link_connect(c.sock, ep, LINK_MAX_FROM_CONTROLD, &err) != 0) {
		fprintf(stderr, "gwctl: %s\n", err.msg);
		return RC_NO_ANSWER;
	}
	if (n_cmds > 0) {
		rc = run_lines(&c, cmds, n_cmds);
	} else if (file != NULL) {
		if ((in = fopen(file, "r")) == NULL) {
			fprintf(stderr, "gwctl: %s: %s\n", file, strerror(errno));
			rc = RC_USAGE;
		} else {
			c.literal = true;
			rc = run_file(&c, in, file);
			fclose(in);
		}
	} else if (isatty(STDIN_FILENO)) {
		rc = run_tty(&c, argv[0]);
	} else {
		c.literal = true;
		rc = run_file(&c, stdin, "standard input");
	}
	zmq_close(c.sock);
	zmq_ctx_term(ctx);
	return rc;
}
