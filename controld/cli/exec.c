/* SPDX-License-Identifier: Apache-2.0 */
/* exec.c: the exec commands of the CLI ("gwA#"): the table from each command keyword of
 * keywords.c's exec tree to its function, the show commands of the configuration (conf/show.c
 * writes them) and of the SA database and workers (show.c), debug, reload and help; and one
 * exec line walked, expanded and run (exec_line).  clear.c and save.c have clear crypto sa and
 * write memory, session.c configure terminal and show users. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "controld/cli/exec.h"
#include "controld/ike/ike.h"

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
"  show crypto ikev2 proposal|policy|profile [NAME] | show crypto ikev2 sa [detail]\n"
"  show crypto isakmp policy | show crypto isakmp sa [detail]\n"
"  show crypto key mypubkey rsa | show crypto key pubkey-chain rsa [address A|name N]\n"
"  show crypto session [remote A] [detail]\n"
"  show running-config | show startup-config\n"
"  show ip access-lists [NAME]\n"
"  show workers | show users | show debugging\n"
"  show candidate (in a configure session, or \"do show candidate\": what \"end\" would apply)\n"
"  SHOW-COMMAND | include|exclude|begin|section REGEX (POSIX extended regular expression)\n"
"  enable | disable (gwctl is always privileged) | terminal length N | terminal width N\n"
"  show workers | show users\n"
"  show logging | clear logging | show metrics\n"
"  terminal monitor | terminal no monitor (log and debug lines in this session)\n"
"  configure terminal (then \"end\" applies the session all or nothing, \"abort\" drops it)\n"
"  write memory | copy running-config startup-config\n"
"  clear crypto sa [peer A | map NAME | entry DEST-ADDR {ah|esp} SPI]\n"
"  clear crypto session [remote A] | clear crypto ikev2 sa | clear crypto isakmp [CONN-ID]\n"
"  crypto key generate rsa [general-keys] [modulus 1024-4096] [label L] | crypto key zeroize rsa\n"
"    (our key pair for IKEv1 rsa-sig, kept in the state directory, never in the configuration)\n"
"  debug crypto ipsec|ikev2|isakmp | no debug crypto ipsec|ikev2|isakmp | undebug all\n"
"  reload config (re-read the startup file, all or nothing)\n"
"  exit\n";

/* ---- Show commands (the configuration ones are conf/show.c's) ---- */

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
	conf_show_transform_sets(cd->conf.running, tag, out);
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
	conf_show_crypto_map(cd->conf.running, tag, ifn, out);
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
	conf_show_dynamic_map(cd->conf.running, tag, out);
	return 0;
}

static int
c_life(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	conf_show_sa_lifetime(cd->conf.running, out);
	return 0;
}

static int
c_run(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	conf_show_running(cd->conf.running, out);	/* IOS's headers included */
	return 0;
}

/* The startup file as it is, but with its IKEv2 pre-shared keys masked like show
 * running-config's (docs/adr/0010); manual session keys shown, as IOS 11.3 does. */
static int
c_start(struct controld *cd, char **a, int n, FILE *out)
{
	char *text = NULL;
	size_t len = 0, cap = 0, got;
	FILE *f;
	int rc = -1;

	(void)a;
	(void)n;
	if ((f = fopen(cd->conf.path, "r")) == NULL) {
		fprintf(out, "%% cannot read the startup configuration %s: %s\n", cd->conf.path,
		    strerror(errno));
		return -1;
	}
	for (;;) {
		if (len + 4096 + 1 > cap) {
			char *nt;

			cap = cap ? cap * 2 : 65536;
			if (cap > (64u << 20) || (nt = malloc(cap)) == NULL) {
				fprintf(out, "%% %s: too large or out of memory\n", cd->conf.path);
				goto out;
			}
			if (text != NULL) {
				memcpy(nt, text, len);
				OPENSSL_cleanse(text, len);
			}
			free(text);
			text = nt;
		}
		if ((got = fread(text + len, 1, 4096, f)) == 0)
			break;
		len += got;
	}
	text[len] = '\0';
	fprintf(out, "Using %zu bytes of %s\n!\n", len, cd->conf.path);
	conf_show_masked(text, out);
	rc = 0;
out:
	if (text != NULL)
		OPENSSL_cleanse(text, len);	/* it holds keys */
	free(text);
	fclose(f);
	return rc;
}

/* show crypto ikev2 stats: every counter of the engine, refusals and drops included. */
static void
ike_stats(const struct ike *ike, FILE *out)
{
	struct ike_stats st;

	ike_get_stats(ike, &st);
	fprintf(out, "IKEv2 SAs: %u established or being set up (%u half-open), %u child SAs\n",
	    st.n_sa, st.n_half_open, st.n_children);
	for (int k = 0; k < IKE_CTR_MAX; k++)
		fprintf(out, "  %-12" PRIu64 " %s\n", st.c[k], ike_ctr_text((enum ike_ctr)k));
}

/* show crypto isakmp policy: the IKEv1 protection suites, the default one last. */
static int
c_isakmp(struct controld *cd, char **a, int n, FILE *out)
{
	if (n >= 1 && strcmp(a[0], "sa") == 0 && cd->ike.ike != NULL) {
		ike_show_isakmp_sa(cd->ike.ike, n == 2, link_now_ms(), out);
		return 0;
	}
	if (n != 1 || strcmp(a[0], "policy") != 0) {
		fprintf(out, "%% Usage: show crypto isakmp policy | show crypto isakmp sa [detail]\n");
		return -1;
	}
	conf_show_isakmp_policy(cd->conf.running, out);
	return 0;
}

/* clear crypto isakmp [CONN-ID]: the ISAKMP SAs (one, by show crypto isakmp sa's conn-id). */
static int
c_clear_isakmp(struct controld *cd, char **a, int n, FILE *out)
{
	uint64_t id = n == 1 ? strtoull(a[0], NULL, 10) : 0;
	unsigned k;

	if (cd->ike.ike == NULL) {
		fprintf(out, "%% IKE is not running\n");
		return -1;
	}
	k = ike_clear_isakmp(cd->ike.ike, id, link_now_ms());
	if (id != 0 && k == 0) {
		fprintf(out, "%% No ISAKMP SA with conn-id %" PRIu64 "\n", id);
		return -1;
	}
	fprintf(out, "Cleared %u ISAKMP SA%s; the peers were told.  Their IPSEC SAs stay until "
	    "their own lifetime\n(clear crypto sa ends those).\n", k, k == 1 ? "" : "s");
	log_info("clear crypto isakmp: %u ISAKMP SA%s deleted", k, k == 1 ? "" : "s");
	return 0;
}

static int
c_ikev2(struct controld *cd, char **a, int n, FILE *out)
{
	const char *name = n == 2 ? a[1] : NULL;

	if (n < 1 || n > 2) {
		fprintf(out, "%% Usage: show crypto ikev2 proposal|policy|profile [NAME]\n");
		return -1;
	}
	if (strcmp(a[0], "sa") == 0 || strcmp(a[0], "stats") == 0) {
		if (cd->ike.ike == NULL) {
			fprintf(out, "%% IKE is not running\n");
			return -1;
		}
		if (a[0][1] == 'a')
			ike_show_sa(cd->ike.ike, n == 2, link_now_ms(), out);
		else
			ike_stats(cd->ike.ike, out);
		return 0;
	}
	if (strcmp(a[0], "proposal") == 0)
		conf_show_ikev2_proposals(cd->conf.running, name, out);
	else if (strcmp(a[0], "policy") == 0)
		conf_show_ikev2_policies(cd->conf.running, name, out);
	else if (strcmp(a[0], "profile") == 0)
		conf_show_ikev2_profiles(cd->conf.running, name, out);
	else {
		fprintf(out, "%% Usage: show crypto ikev2 proposal|policy|profile [NAME]\n");
		return -1;
	}
	return 0;
}

static int
c_acl(struct controld *cd, char **a, int n, FILE *out)
{
	conf_show_access_lists(cd->conf.running, n > 0 ? a[0] : NULL, out);
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
	cd->link.debug_ipsec = true;
	fprintf(out, "Crypto IPSEC debugging is on\n");
	return 0;
}

static int
c_nodebug(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	cd->link.debug_ipsec = false;
	fprintf(out, "Crypto IPSEC debugging is off\n");
	return 0;
}

/* debug crypto ikev2|isakmp [keys]: controld logs at debug level while it is on (what IKE does
 * and why it refuses; one engine, one log for both versions), and with keys the keys of each
 * new SA in Wireshark's terms (IKEv2's table; IKEv1's cookies and encryption key). */
static int
debug_ike(struct controld *cd, char **a, int n, FILE *out, const char *what)
{
	if (!cd->ike.debug)
		cd->ike.level_before = log_level;
	cd->ike.debug = true;
	cd->ike.debug_keys = n == 1 && strcmp(a[0], "keys") == 0;
	if (cd->ike.ike != NULL)
		ike_set_debug_keys(cd->ike.ike, cd->ike.debug_keys);
	log_level = LOG_LVL_DEBUG;
	fprintf(out, "Crypto %s debugging is on%s\n", what, cd->ike.debug_keys ? ", with the keys "
	    "of new SAs (anyone who reads the log can decrypt them)" : "");
	return 0;
}

static int
nodebug_ike(struct controld *cd, FILE *out, const char *what)
{
	if (cd->ike.debug)
		log_level = cd->ike.level_before;
	cd->ike.debug = cd->ike.debug_keys = false;
	if (cd->ike.ike != NULL)
		ike_set_debug_keys(cd->ike.ike, false);
	fprintf(out, "Crypto %s debugging is off\n", what);
	return 0;
}

static int
c_debug_ikev2(struct controld *cd, char **a, int n, FILE *out)
{
	return debug_ike(cd, a, n, out, "IKEv2");
}

static int
c_debug_isakmp(struct controld *cd, char **a, int n, FILE *out)
{
	return debug_ike(cd, a, n, out, "ISAKMP");
}

static int
c_nodebug_ikev2(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	return nodebug_ike(cd, out, "IKEv2");
}

static int
c_nodebug_isakmp(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	return nodebug_ike(cd, out, "ISAKMP");
}

static int
c_nodebug_all(struct controld *cd, char **a, int n, FILE *out)
{
	c_nodebug_ikev2(cd, a, n, out);
	return c_nodebug(cd, a, n, out);
}

/* show debugging: the debug options on, as IOS lists them. */
static int
c_show_debug(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	if (!cd->link.debug_ipsec && !cd->ike.debug) {
		fprintf(out, "No debugging is on.\n");
		return 0;
	}
	fprintf(out, "Cryptographic Subsystem:\n");
	if (cd->link.debug_ipsec)
		fprintf(out, "  Crypto IPSEC debugging is on\n");
	if (cd->ike.debug)
		fprintf(out, "  Crypto IKEv2 and ISAKMP debugging is on (one engine for both)%s\n",
		    cd->ike.debug_keys ? ", with the keys of new SAs" : "");
	return 0;
}

/* enable; terminal length N, terminal width N: accepted and nothing done, so that IOS
 * habits and scripts work ("terminal length 0").  A gwctl session is always privileged
 * (whoever may open the CLI socket may configure); gwctl neither pages nor wraps. */
static int
c_accept(struct controld *cd, char **a, int n, FILE *out)
{
	(void)cd;
	(void)a;
	(void)n;
	(void)out;
	return 0;
}

static int
c_disable(struct controld *cd, char **a, int n, FILE *out)
{
	(void)cd;
	(void)a;
	(void)n;
	fprintf(out, "%% gwctl sessions are always privileged: disable changes nothing\n");
	return 0;
}

static int
c_reload(struct controld *cd, char **a, int n, FILE *out)
{
	struct gw_err err = { 0, "" };

	(void)a;
	(void)n;
	logging_msg(&cd->log, LOGM_RELOAD, "Reload requested by console. Reload Reason: Reload "
	    "Command.");
	if (controld_reload(cd, &err) != 0) {
		fprintf(out, "%% %s:%u: %s\n%% running configuration unchanged\n", cd->conf.path,
		    err.line, err.msg);
		return -1;
	}
	fprintf(out, "Reloaded %s: generation %llu\n", cd->conf.path,
	    (unsigned long long)cd->link.gen);
	logging_msg(&cd->log, LOGM_CONFIG_I, "Configured from %s by console", cd->conf.path);
	return 0;
}

/* show logging, clear logging, show metrics (docs/logging.md) */
static int
c_show_logging(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	logging_show(&cd->log, out);
	return 0;
}

static int
c_clear_logging(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	(void)out;
	logging_clear(&cd->log);
	return 0;
}

static int
c_show_metrics(struct controld *cd, char **a, int n, FILE *out)
{
	(void)a;
	(void)n;
	metrics_text(cd, out);
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

/* ---- The exec commands, by keyword ---- */

static const exec_fn exec_fns[] = {
	[CLI_C_SHOW_SA] = c_sa, [CLI_C_SHOW_TSET] = c_tset, [CLI_C_SHOW_LIFETIME] = c_life,
	[CLI_C_SHOW_MAP] = c_map, [CLI_C_SHOW_DYNMAP] = c_dyn, [CLI_C_SHOW_RUN] = c_run,
	[CLI_C_SHOW_START] = c_start, [CLI_C_SHOW_ACL] = c_acl, [CLI_C_SHOW_IKEV2] = c_ikev2,
	[CLI_C_CLEAR_IKEV2] = clear_ikev2, [CLI_C_DEBUG_IKEV2] = c_debug_ikev2,
	[CLI_C_NODEBUG_IKEV2] = c_nodebug_ikev2, [CLI_C_NODEBUG_ALL] = c_nodebug_all,
	[CLI_C_SHOW_WORKERS] = c_workers, [CLI_C_SHOW_USERS] = sess_users,
	[CLI_C_SHOW_SESSION] = crypto_session_show, [CLI_C_SHOW_ISAKMP] = c_isakmp,
	[CLI_C_CLEAR_ISAKMP] = c_clear_isakmp, [CLI_C_DEBUG_ISAKMP] = c_debug_isakmp,
	[CLI_C_NODEBUG_ISAKMP] = c_nodebug_isakmp,
	[CLI_C_CLEAR_SESSION] = crypto_session_clear, [CLI_C_CLEAR_SA] = clear_sa, [CLI_C_WRITE] = save_write, [CLI_C_DEBUG] = c_debug,
	[CLI_C_NODEBUG] = c_nodebug, [CLI_C_RELOAD] = c_reload, [CLI_C_HELP] = c_help,
	[CLI_C_CRYPTO_KEYGEN] = crypto_key_generate, [CLI_C_CRYPTO_KEYZERO] = crypto_key_zeroize,
	[CLI_C_SHOW_MYPUBKEY] = crypto_key_show_mine, [CLI_C_SHOW_PUBCHAIN] = crypto_key_show_chain,
	[CLI_C_SHOW_DEBUG] = c_show_debug, [CLI_C_ENABLE] = c_accept, [CLI_C_DISABLE] = c_disable,
	[CLI_C_TERMINAL] = c_accept,
	[CLI_C_SHOW_LOGGING] = c_show_logging, [CLI_C_CLEAR_LOGGING] = c_clear_logging,
	[CLI_C_SHOW_METRICS] = c_show_metrics,
};

/* ---- One line in exec mode ---- */

int
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
		if (!in_config) {
			/* IOS's caret, under the word, after the exec prompt gwctl showed */
			char prompt[CONF_NAME_MAX + 2];

			snprintf(prompt, sizeof(prompt), "%s#", cd->conf.running != NULL ?
			    cd->conf.running->hostname : CONF_HOSTNAME_DEFAULT);
			cli_caret(prompt, wk->orig, wk->off[wk->matched], out);
		}
		fprintf(out, "%% Invalid input detected at '^' marker.\n%% '%s': not a word "
		    "this command takes here (try \"?\" or \"help\")\n", wk->w[wk->matched]);
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
	case CLI_C_SHOW_CANDIDATE:
		rc = sess_show_candidate(cd, id, id_len, out);
		break;
	case CLI_C_TERM_MON:
	case CLI_C_TERM_NOMON:		/* of this client: its id (logging.h) */
		rc = logging_monitor_set(&cd->log, id, id_len, wk->cmd == CLI_C_TERM_MON, now,
		    out);
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
