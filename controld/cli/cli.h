/* SPDX-License-Identifier: Apache-2.0 */
/* cli.h: the operator's command line, in the modes of IOS: exec ("gwA#"), global configuration
 * ("gwA(config)#") and its sub-modes ("gwA(config-crypto-map)#", ...).  Served to gwctl on the
 * CLI socket (cli_poll); everything but the socket is here, so tests drive it in-process.
 *
 * keywords.c: the keyword trees of the commands of each mode.  They expand unique-prefix
 *   abbreviations ("sh cry ips sa", "cry map vpn 10 ipsec-man") before a line reaches the
 *   command or the configuration parser (which takes full words only), answer "?" and TAB.
 *   The trees are a guide, never a gate for configuration lines: a word they do not know is
 *   left as typed and the parser decides, so no line the parser takes is refused here.
 * session.c: the sessions.  Each client (ZeroMQ routing id) is in exec mode or in a configure
 *   session on a candidate copy of the running configuration; a typed line that is refused
 *   is answered at once (a caret under the word) and left out; "end" (or "exit" from global
 *   configuration) commits the candidate all or nothing (docs/design.md invariant 4): one that
 *   does not validate, or one refused numbered line (a file's), and nothing is applied.
 *   show candidate; output modifiers (| include ...).  A session idle for CLI_IDLE_MS is
 *   dropped, its changes discarded.
 * output.c: output modifiers of show commands (| include ...) and show candidate's diff.
 * exec.c: the exec commands (show, debug, reload, help) and one exec line; clear.c: clear
 *   crypto sa; save.c: write memory; show.c: show crypto ipsec sa, show workers;
 *   crypto_session.c: show and clear crypto session (one session per peer).
 * server.c: the CLI socket.  exec.h: what these files share (private to cli/).
 */
#ifndef GW_CLI_H
#define GW_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "controld/conf/conf.h"

struct controld;

enum {
	CLI_LINE_MAX		= 1024,		/* bytes of a line, NUL included (as the parser) */
	CLI_WORDS_MAX		= 64,
	CLI_SESSIONS_MAX	= 32,		/* configure sessions open at once */
	CLI_ERRS_KEPT		= 20,		/* refused lines a commit report lists */
	CLI_LOG_MAX		= 16 << 20,	/* bytes of accepted lines kept per session */
};
#define CLI_IDLE_MS	(10 * 60 * 1000ull)	/* a silent session is dropped after this */

/* The CLI's part of controld's state (struct controld, controld.h). */
struct cli_state {
	const char	*ep;		/* endpoint gwctl connects to (controld -s) */
	void		*sock;		/* ROUTER */
	struct cli_sess	**sess;		/* open configure sessions (session.c) */
	size_t		n_sess;
};

/* ---- keywords.c: keyword trees ---- */

/* The tree of a mode: exec, or the configuration mode of conf_session_prompt_mode(). */
enum cli_tree {
	CLI_T_EXEC, CLI_T_CONFIG, CLI_T_TRANSFORM, CLI_T_MAP, CLI_T_IF, CLI_T_ACL,
	CLI_T_IKEV2_PROPOSAL, CLI_T_IKEV2_POLICY, CLI_T_IKEV2_KEYRING, CLI_T_IKEV2_PEER,
	CLI_T_IKEV2_PROFILE, CLI_T_ISAKMP_POLICY, CLI_T_PUBKEY_CHAIN, CLI_T_PUBKEY_KEY,
	CLI_T_PUBKEY,
};

/* What a keyword of a tree does when it ends a command (0: nothing of its own). */
enum cli_cmd {
	CLI_C_NONE,
	/* exec */
	CLI_C_SHOW_SA, CLI_C_SHOW_TSET, CLI_C_SHOW_LIFETIME, CLI_C_SHOW_MAP, CLI_C_SHOW_DYNMAP,
	CLI_C_SHOW_RUN, CLI_C_SHOW_START, CLI_C_SHOW_ACL, CLI_C_SHOW_WORKERS, CLI_C_SHOW_USERS,
	CLI_C_SHOW_IKEV2, CLI_C_CLEAR_IKEV2, CLI_C_DEBUG_IKEV2, CLI_C_NODEBUG_IKEV2,
	CLI_C_NODEBUG_ALL, CLI_C_SHOW_SESSION, CLI_C_CLEAR_SESSION, CLI_C_SHOW_ISAKMP,
	CLI_C_CLEAR_ISAKMP, CLI_C_DEBUG_ISAKMP, CLI_C_NODEBUG_ISAKMP,
	CLI_C_CRYPTO_KEYGEN, CLI_C_CRYPTO_KEYZERO, CLI_C_SHOW_MYPUBKEY, CLI_C_SHOW_PUBCHAIN,
	CLI_C_CONFIGURE, CLI_C_CLEAR_SA, CLI_C_WRITE, CLI_C_DEBUG, CLI_C_NODEBUG, CLI_C_RELOAD,
	CLI_C_HELP, CLI_C_EXIT,
	CLI_C_SHOW_CANDIDATE, CLI_C_SHOW_DEBUG, CLI_C_ENABLE, CLI_C_DISABLE, CLI_C_TERMINAL,
	CLI_C_SHOW_LOGGING, CLI_C_CLEAR_LOGGING, CLI_C_SHOW_METRICS, CLI_C_TERM_MON,
	CLI_C_TERM_NOMON,
	/* configuration modes */
	CLI_C_END, CLI_C_CONF_EXIT, CLI_C_ABORT, CLI_C_DO,
};

/* Why a walk stopped. */
enum cli_stop {
	CLI_W_END,		/* every word matched */
	CLI_W_TEXT,		/* the rest of the line is free text (description, remark) */
	CLI_W_NOMATCH,		/* word w[matched] is none of what may come there */
	CLI_W_AMBIGUOUS,	/* word w[matched] abbreviates several keywords */
};

/* One line walked through a tree: the words, and how far the tree understood them. */
struct cli_walk {
	char		buf[CLI_LINE_MAX];	/* the words, NUL-separated */
	char		orig[CLI_LINE_MAX];	/* the line as given */
	int		n;
	char		*w[CLI_WORDS_MAX];
	size_t		off[CLI_WORDS_MAX];	/* of w[i] in orig */
	const char	*kw[CLI_WORDS_MAX];	/* w[i] as a keyword in full; NULL: a parameter */
	int		matched;		/* words the tree matched */
	enum cli_stop	stop;
	bool		cr;			/* the command may end after the matched words */
	enum cli_cmd	cmd;			/* the last command keyword matched */
	int		cmd_at;			/* its word index; -1 none */
	int		text_at;		/* CLI_W_TEXT: the word the free text starts at */
	int		list;			/* private: what may follow the matched words */
	bool		no;			/* private: the line began with "no" */
};

/* Walk line through tree t.  0, or -1 with err when the line is too long or has too many
 * words.  Never fails on words it does not know: see wk->stop. */
int	cli_walk(struct cli_walk *wk, enum cli_tree t, const char *line, struct gw_err *err);
/* The walked line with each matched keyword in full and everything else as typed (free text
 * keeps its spacing).  Truncates to len. */
void	cli_expand(const struct cli_walk *wk, char *out, size_t len);
/* "?" help for line (without its "?"): after a space, what may come next, one per line with
 * its description and "<cr>" when the command may end there; right after a word, the keywords
 * it may abbreviate.  0, or -1 with "% ..." written when the words before make no sense. */
int	cli_help(enum cli_tree t, const char *line, FILE *out);
/* TAB: out = line with its last word completed (and a space after a unique keyword); the
 * possibilities are written to list when there are several.  0, or -1 when nothing fits. */
int	cli_complete(enum cli_tree t, const char *line, char *out, size_t len, FILE *list);
/* The tree of a configuration sub-mode. */
enum cli_tree	cli_tree_of(const struct conf_session *s);
/* For tests: every keyword of the trees that names a protocol, transform, port, ... the
 * parser must know; calls fn for each with its kind ("protocol", "transform", ...). */
void	cli_kw_foreach(void (*fn)(const char *kind, const char *word, void *arg), void *arg);

/* ---- session.c: sessions ---- */

struct cli_req {
	const char	*line;
	const char	*mode;			/* the client's idea of its mode; NULL = "exec" */
	bool		complete;		/* TAB */
	unsigned	lineno;			/* the client's line number (a file's: the session
						 * is then all or nothing); 0: typed, the session's */
	bool		literal;		/* a final "?" is text (gwctl -f): no help */
};

struct cli_rep {
	bool		ok;
	bool		quit;
	char		mode[32];
	char		prompt[CONF_NAME_MAX + 48];
	char		completion[CLI_LINE_MAX];
};

/* Serve one request of client id (any bytes; the ZeroMQ routing id) at time now_ms: the
 * command's output goes to out, the rest to r.  Returns r->ok ? 0 : -1. */
int	cli_request(struct controld *cd, const void *id, size_t id_len, const struct cli_req *q,
	    struct cli_rep *r, FILE *out, uint64_t now_ms);
/* Drop the sessions silent for CLI_IDLE_MS at now_ms (their changes are discarded, logged). */
void	cli_sweep(struct controld *cd, uint64_t now_ms);
/* Free every session (at exit). */
void	cli_free(struct controld *cd);
/* Run one exec line as a client of its own (tests, fuzz targets): 0, or -1: it failed. */
int	cli_exec(struct controld *cd, const char *line, FILE *out);

/* ---- server.c ---- */

void	cli_poll(struct controld *cd);		/* serve the CLI socket, drop idle sessions */

/* ---- show.c ---- */

/* show crypto ipsec sa [map NAME | peer A | address | identity] [detail]: filter is "map",
 * "peer" (with arg), "address", "identity" or NULL. */
void	show_ipsec_sa(struct controld *cd, const char *filter, const char *arg, bool detail,
	    FILE *out);
void	show_workers(struct controld *cd, FILE *out);

/* ---- save.c ---- */

/* write memory: the running configuration to cd->conf.path, atomically (temporary file in
 * the same directory, fsync, rename, fsync of the directory).  0, or -1 with err; on error
 * the old file is untouched. */
int	cli_save(struct controld *cd, struct gw_err *err);

#endif
