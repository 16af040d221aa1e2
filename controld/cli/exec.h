/* SPDX-License-Identifier: Apache-2.0 */
/* exec.h: what the files of cli/ share (private to cli/): the exec commands each file gives
 * exec.c's table, and the two ways in and out of a configure session.  Outside cli/, cli.h is
 * the API. */
#ifndef GW_CONTROLD_CLI_EXEC_H
#define GW_CONTROLD_CLI_EXEC_H

#include <arpa/inet.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "controld/cli/cli.h"
#include "controld/controld.h"

struct cli_sess;

/* An exec command: its words after the command keywords (keywords expanded), its output to
 * out.  0, or -1 when it failed (the output says why). */
typedef int (*exec_fn)(struct controld *cd, char **a, int n, FILE *out);

/* Does in abbreviate word (case-insensitive, not empty)? */
static inline int
kw(const char *in, const char *word)
{
	return in != NULL && strncasecmp(in, word, strlen(in)) == 0 && in[0] != '\0';
}

/* An address (host order) as text into buf[INET_ADDRSTRLEN]; buf. */
static inline const char *
cli_ip(uint32_t a, char *buf)
{
	struct in_addr ia = { htonl(a) };

	return inet_ntop(AF_INET, &ia, buf, INET_ADDRSTRLEN);
}

/* A dotted quad into *out (host order); false if s is not one. */
static inline bool
cli_ip_parse(const char *s, uint32_t *out)
{
	struct in_addr ia;

	if (inet_pton(AF_INET, s, &ia) != 1)
		return false;
	*out = ntohl(ia.s_addr);
	return true;
}

/* The packets an SA dropped for errors (every drop but not-owner, which is no error). */
static inline uint64_t
sa_stat_errors(const struct sa_stat *s)
{
	uint64_t n = 0;

	for (int d = 1; d < DROP_MAX; d++)
		if (d != DROP_NOT_OWNER)
			n += s->drops[d];
	return n;
}

/* Do two SAs carry the same flow?  Field by field: struct sel has padding. */
static inline bool
flow_same(const struct sel *a, const struct sel *b)
{
	return a->src == b->src && a->src_mask == b->src_mask && a->dst == b->dst &&
	    a->dst_mask == b->dst_mask && a->proto == b->proto &&
	    a->sport_neq == b->sport_neq && a->dport_neq == b->dport_neq &&
	    a->sport_lo == b->sport_lo && a->sport_hi == b->sport_hi &&
	    a->dport_lo == b->dport_lo && a->dport_hi == b->dport_hi && a->tos == b->tos &&
	    a->precedence == b->precedence;
}

/* exec.c: one line in exec mode (in_config: "do LINE" from a configuration mode). */
int	exec_line(struct controld *cd, const void *id, size_t id_len, const char *line,
	    bool in_config, struct cli_rep *r, FILE *out, uint64_t now);
/* clear.c: clear crypto sa. */
int	clear_sa(struct controld *cd, char **a, int n, FILE *out);
/* clear crypto ikev2 sa: every IKE SA and its child SAs, the peers told (INFORMATIONAL). */
int	clear_ikev2(struct controld *cd, char **a, int n, FILE *out);
/* crypto_session.c: show crypto session [remote A] [detail]; clear crypto session [remote A]
 * (the IKE SAs and negotiated SAs of the peer deleted, the peer told; manual SAs' counters
 * from 0, as clear crypto sa). */
int	crypto_session_show(struct controld *cd, char **a, int n, FILE *out);
int	crypto_session_clear(struct controld *cd, char **a, int n, FILE *out);
/* save.c: write memory. */
int	save_write(struct controld *cd, char **a, int n, FILE *out);
/* save.c: text to path atomically: a temporary file beside it, fsync, rename, fsync of the
 * directory; a crash leaves the old file or the new one, never half of one.  A symbolic link
 * is followed (its target replaced).  Mode force, or (0) the old file's, else 0600.  0, or -1
 * with err and the old file untouched. */
int	save_atomic(const char *path, const char *text, size_t len, mode_t force,
	    struct gw_err *err);
/* crypto_key.c: crypto key generate rsa [general-keys] [modulus N] [label L], crypto key
 * zeroize rsa, show crypto key mypubkey rsa, show crypto key pubkey-chain rsa [address A |
 * name N]. */
int	crypto_key_generate(struct controld *cd, char **a, int n, FILE *out);
int	crypto_key_zeroize(struct controld *cd, char **a, int n, FILE *out);
int	crypto_key_show_mine(struct controld *cd, char **a, int n, FILE *out);
int	crypto_key_show_chain(struct controld *cd, char **a, int n, FILE *out);
/* session.c: configure terminal (a session for client id; NULL with the reason written to
 * out), and show users. */
struct cli_sess	*sess_begin(struct controld *cd, const void *id, size_t id_len, uint64_t now,
		    FILE *out);
int	sess_users(struct controld *cd, char **a, int n, FILE *out);
/* session.c: IOS's caret line under byte off of line orig, typed after prompt (tabs kept). */
void	cli_caret(const char *prompt, const char *orig, size_t off, FILE *out);
/* session.c: show candidate: what "end" of client id's session would apply, as a unified
 * diff of show running-config's text (keys masked as there); -1 when it has no session. */
int	sess_show_candidate(struct controld *cd, const void *id, size_t id_len, FILE *out);

/* output.c: the output modifier of a show command line ("do show" too): cmd = the line
 * before its "|", p set (OUTPUT_PIPE_NONE: none; else the caller output_pipe_filter()s and
 * regfree()s p->re).  Elsewhere a "|" is text.  0, or -1 with the error written to out. */
enum output_pipe_kind {
	OUTPUT_PIPE_NONE, OUTPUT_PIPE_INCLUDE, OUTPUT_PIPE_EXCLUDE, OUTPUT_PIPE_BEGIN,
	OUTPUT_PIPE_SECTION,
};
struct output_pipe {
	enum output_pipe_kind	kind;
	regex_t			re;		/* POSIX extended */
};
int	output_pipe_parse(const char *line, char *cmd, size_t len, struct output_pipe *p,
	    FILE *out);
/* The lines of text (a command's output; changed in place) that p lets through, to out. */
void	output_pipe_filter(const struct output_pipe *p, char *text, FILE *out);
/* "?" after the "|" of a show command (line without its "?"): true when it was one and
 * the help (the modifiers, or what follows one) was written. */
bool	output_pipe_help(const char *line, FILE *out);
/* show candidate: a unified diff from's show running-config text to to's ("--- running-
 * config", "+++ candidate", hunks with 3 lines of context), or "% No changes".  NULL: an
 * empty configuration.  0, or -1 when out of memory. */
int	output_diff(const struct conf *from, const struct conf *to, FILE *out);

#endif
