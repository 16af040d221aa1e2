/* SPDX-License-Identifier: Apache-2.0 */
/* gwctl: the command line to controld.  Commands (-c, repeatable), a file (-f), standard
 * input, or, on a terminal, an interactive session with IOS prompts, a line editor, "?" help,
 * TAB completion, history and Ctrl-Z.  controld keeps the session (mode, candidate
 * configuration) for this client; gwctl shows the prompt it gets back.
 *
 * Non-interactive input prints no prompts and stops at the first command that fails; inside a
 * configure session it goes on to the session's end, so that every refused line is reported,
 * and controld then applies nothing.  Input that ends inside a session aborts it.  Exit
 * status: 0 all commands succeeded, 1 a command failed, 2 usage, 3 no answer from controld.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <zmq.h>

#include "common/link.h"

enum {
	LINE_MAX_	= 1024,
	HIST_MAX	= 100,
	CMDS_MAX	= 64,
	RC_OK = 0, RC_FAILED = 1, RC_USAGE = 2, RC_NO_ANSWER = 3,
};

struct client {
	void		*sock;
	int		timeout_ms;
	char		mode[32];		/* controld's name of our mode: "exec", ... */
	char		prompt[160];
	char		completion[LINE_MAX_];
	bool		quit;
	bool		literal;		/* files and pipes: a final "?" is text */
	bool		monitor;		/* terminal monitor is on: poll while idle */
	bool		monitor_printed;	/* monitor_poll() wrote lines: redraw */
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
"the prompts of IOS (gwA#, gwA(config)#), \"?\" for help, TAB to complete a word, arrows for\n"
"history, Ctrl-Z to end a configure session.  Try \"help\".\n"
"\"configure terminal\" ... \"end\" is all or nothing: one refused line, or a configuration\n"
"that does not validate, and nothing is applied.  Input that ends before \"end\" aborts.\n"
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

/* terminal monitor (docs/logging.md): every MONITOR_POLL_MS while the line editor waits for a
 * key, ask controld for the log lines since the last poll and print them above the prompt
 * (c->monitor_printed: the caller draws the prompt and the line again).  A poll runs no
 * command and changes no session; a lost answer only skips this poll. */
enum { MONITOR_POLL_MS = 250 };

static void
monitor_poll(struct client *c)
{
	Gw__V1__CliRequest q = GW__V1__CLI_REQUEST__INIT;
	Gw__V1__CliReply *r;
	zmq_pollitem_t it = { c->sock, 0, ZMQ_POLLIN, 0 };
	struct gw_err err = { 0, "" };

	c->monitor_printed = false;
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
		c->monitor_printed = true;
	}
	link_free(&r->base);
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

	for (int i = 0; i < n && !stop; i++)
		rc = batch_line(c, cmds[i], 0, &failed, &stop);
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

/* ---- Interactive: a terminal ---- */

static struct termios tty_saved;
static bool tty_is_raw;

static void
tty_restore(void)
{
	if (tty_is_raw)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &tty_saved);
	tty_is_raw = false;
}

static void
on_signal(int sig)
{
	tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Keys one at a time, no echo, no signals from ^C ^Z (they are editing keys here); output
 * processing stays, so "\n" is still "\r\n". */
static int
tty_raw(void)
{
	struct termios t;

	if (tcgetattr(STDIN_FILENO, &tty_saved) != 0)
		return -1;
	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ICANON | ISIG | IEXTEN);
	t.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) != 0)
		return -1;
	tty_is_raw = true;
	atexit(tty_restore);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGQUIT, on_signal);
	return 0;
}

struct ed {
	char	buf[LINE_MAX_];
	size_t	len, pos;
	char	*hist[HIST_MAX];
	int	n_hist, at;		/* at: history line shown; n_hist = the new line */
	char	saved[LINE_MAX_];	/* the new line while browsing history */
};

enum key_result { KEY_MORE, KEY_LINE, KEY_EOF, KEY_CTRL_Z };

static void
redraw(const struct client *c, const struct ed *e)
{
	printf("\r%s%.*s\x1b[K", c->prompt, (int)e->len, e->buf);
	if (e->pos < e->len)
		printf("\x1b[%zuD", e->len - e->pos);
	fflush(stdout);
}

static void
ed_set(struct ed *e, const char *s)
{
	snprintf(e->buf, sizeof(e->buf), "%s", s);
	e->len = e->pos = strlen(e->buf);
}

static void
ed_insert(struct ed *e, char ch)
{
	if (e->len + 1 >= sizeof(e->buf))
		return;
	memmove(e->buf + e->pos + 1, e->buf + e->pos, e->len - e->pos);
	e->buf[e->pos++] = ch;
	e->len++;
}

static void
ed_delete(struct ed *e, size_t from, size_t to)	/* [from, to) */
{
	memmove(e->buf + from, e->buf + to, e->len - to);
	e->len -= to - from;
	e->pos = from;
}

static void
hist_add(struct ed *e, const char *line)
{
	if (line[0] == '\0' || (e->n_hist > 0 && strcmp(e->hist[e->n_hist - 1], line) == 0))
		return;
	if (e->n_hist == HIST_MAX) {
		free(e->hist[0]);
		memmove(e->hist, e->hist + 1, (HIST_MAX - 1) * sizeof(e->hist[0]));
		e->n_hist--;
	}
	if ((e->hist[e->n_hist] = strdup(line)) != NULL)
		e->n_hist++;
}

static void
hist_move(struct ed *e, int d)
{
	int to = e->at + d;

	if (to < 0 || to > e->n_hist)
		return;
	if (e->at == e->n_hist)
		snprintf(e->saved, sizeof(e->saved), "%.*s", (int)e->len, e->buf);
	e->at = to;
	ed_set(e, to == e->n_hist ? e->saved : e->hist[to]);
}

/* "?": help for the line up to the cursor, then the line again. */
static int
key_help(struct client *c, struct ed *e)
{
	char q[LINE_MAX_ + 2];
	int rc;

	snprintf(q, sizeof(q), "%.*s?", (int)e->pos, e->buf);
	printf("?\n");
	rc = ask(c, q, false, 0, stdout, stdout);
	redraw(c, e);
	return rc;
}

/* TAB: controld completes the word before the cursor. */
static int
key_tab(struct client *c, struct ed *e)
{
	char q[LINE_MAX_], rest[LINE_MAX_];
	char *text = NULL;
	size_t tlen = 0;
	FILE *t;
	int rc;

	snprintf(q, sizeof(q), "%.*s", (int)e->pos, e->buf);
	snprintf(rest, sizeof(rest), "%.*s", (int)(e->len - e->pos), e->buf + e->pos);
	if ((t = open_memstream(&text, &tlen)) == NULL)
		return RC_OK;
	rc = ask(c, q, true, 0, t, t);
	fclose(t);
	if (rc == RC_NO_ANSWER) {
		free(text);
		return rc;
	}
	if (tlen > 0)
		printf("\n%s", text);
	if (strcmp(c->completion, q) != 0 && c->completion[0] != '\0') {
		size_t cl = strlen(c->completion), rl = strlen(rest);

		if (cl + rl < sizeof(e->buf)) {
			memcpy(e->buf, c->completion, cl);
			memcpy(e->buf + cl, rest, rl + 1);
			e->len = cl + rl;
			e->pos = cl;
		}
	} else if (tlen == 0) {
		putchar('\a');
	}
	free(text);
	redraw(c, e);
	return RC_OK;
}

/* ESC [ X, ESC [ N ~, ESC O X: arrows, Home, End, Delete. */
static void
key_escape(struct ed *e)
{
	char s[4] = { 0 };

	if (read(STDIN_FILENO, &s[0], 1) != 1 || (s[0] != '[' && s[0] != 'O') ||
	    read(STDIN_FILENO, &s[1], 1) != 1)
		return;
	if (s[1] >= '0' && s[1] <= '9') {
		if (read(STDIN_FILENO, &s[2], 1) != 1 || s[2] != '~')
			return;
		if (s[1] == '3' && e->pos < e->len)
			ed_delete(e, e->pos, e->pos + 1);
		else if (s[1] == '1' || s[1] == '7')
			e->pos = 0;
		else if (s[1] == '4' || s[1] == '8')
			e->pos = e->len;
		return;
	}
	switch (s[1]) {
	case 'A': hist_move(e, -1); break;
	case 'B': hist_move(e, 1); break;
	case 'C': if (e->pos < e->len) e->pos++; break;
	case 'D': if (e->pos > 0) e->pos--; break;
	case 'H': e->pos = 0; break;
	case 'F': e->pos = e->len; break;
	}
}

/* Read keys until a line is complete; *rc set when controld stopped answering. */
static enum key_result
read_line(struct client *c, struct ed *e, int *rc)
{
	unsigned char ch;

	e->len = e->pos = 0;
	e->at = e->n_hist;
	redraw(c, e);
	for (;;) {
		struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
		ssize_t n;

		if (c->monitor) {
			int pr = poll(&pfd, 1, MONITOR_POLL_MS);

			if (pr == 0) {
				monitor_poll(c);
				if (c->monitor_printed)
					redraw(c, e);
				continue;
			}
			if (pr < 0 && errno == EINTR)
				continue;
		}
		n = read(STDIN_FILENO, &ch, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return KEY_EOF;
		switch (ch) {
		case '\r': case '\n':
			e->buf[e->len] = '\0';
			printf("\n");
			return KEY_LINE;
		case 0x04:				/* ^D: EOF on an empty line */
			if (e->len == 0) {
				printf("\n");
				return KEY_EOF;
			}
			if (e->pos < e->len)
				ed_delete(e, e->pos, e->pos + 1);
			break;
		case 0x1a:				/* ^Z */
			printf("^Z\n");
			return KEY_CTRL_Z;
		case 0x03:				/* ^C: drop the line */
			printf("^C\n");
			e->len = e->pos = 0;
			e->at = e->n_hist;
			break;
		case 0x7f: case 0x08:			/* backspace */
			if (e->pos > 0)
				ed_delete(e, e->pos - 1, e->pos);
			break;
		case 0x01: e->pos = 0; break;		/* ^A */
		case 0x05: e->pos = e->len; break;	/* ^E */
		case 0x02: if (e->pos > 0) e->pos--; break;		/* ^B */
		case 0x06: if (e->pos < e->len) e->pos++; break;	/* ^F */
		case 0x10: hist_move(e, -1); break;	/* ^P */
		case 0x0e: hist_move(e, 1); break;	/* ^N */
		case 0x0b: e->len = e->pos; break;	/* ^K */
		case 0x15: ed_delete(e, 0, e->pos); break;	/* ^U */
		case 0x17: {				/* ^W: the word before the cursor */
			size_t p = e->pos;

			while (p > 0 && e->buf[p - 1] == ' ')
				p--;
			while (p > 0 && e->buf[p - 1] != ' ')
				p--;
			ed_delete(e, p, e->pos);
			break;
		}
		case 0x0c:				/* ^L */
			printf("\x1b[H\x1b[2J");
			break;
		case '\t':
			if ((*rc = key_tab(c, e)) == RC_NO_ANSWER)
				return KEY_EOF;
			continue;
		case '?':
			if ((*rc = key_help(c, e)) == RC_NO_ANSWER)
				return KEY_EOF;
			continue;
		case 0x1b:
			key_escape(e);
			break;
		default:
			if (ch >= 0x20 && ch < 0x7f)
				ed_insert(e, (char)ch);
			break;
		}
		redraw(c, e);
	}
}

static int
run_tty(struct client *c)
{
	struct ed *e;
	int rc = RC_OK;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return RC_FAILED;
	/* an empty line: nothing to do, but it tells us the prompt */
	if ((rc = ask(c, "", false, 0, stdout, stdout)) == RC_NO_ANSWER) {
		free(e);
		return rc;
	}
	if (tty_raw() != 0) {
		fprintf(stderr, "gwctl: terminal: %s\n", strerror(errno));
		free(e);
		return RC_FAILED;
	}
	while (!c->quit) {
		enum key_result k = read_line(c, e, &rc);

		if (rc == RC_NO_ANSWER)
			break;
		if (k == KEY_EOF) {
			if (!in_exec(c)) {
				printf("%% end of input inside a configure session\n");
				rc = ask(c, "abort", false, 0, stdout, stdout);
			}
			break;
		}
		if (k == KEY_CTRL_Z) {
			if (!in_exec(c) && (rc = ask(c, "end", false, 0, stdout, stdout)) ==
			    RC_NO_ANSWER)
				break;
			continue;
		}
		hist_add(e, e->buf);
		if (e->buf[strspn(e->buf, " \t")] == '\0')
			continue;
		if ((rc = ask(c, e->buf, false, 0, stdout, stdout)) == RC_NO_ANSWER)
			break;
	}
	tty_restore();
	for (int i = 0; i < e->n_hist; i++)
		free(e->hist[i]);
	free(e);
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
		rc = run_tty(&c);
	} else {
		c.literal = true;
		rc = run_file(&c, stdin, "standard input");
	}
	zmq_close(c.sock);
	zmq_ctx_term(ctx);
	return rc;
}
