/* cli.c: the exec-mode command line of controld, served on the CLI socket (gwctl).  Commands
 * follow IOS spelling and accept unique-prefix abbreviations ("sh cry ips sa"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zmq.h>

#include "common/log.h"
#include "controld/controld.h"

enum { ARGS_MAX = 16 };

struct cmd {
	const char	*words;		/* keywords, space separated */
	int		(*fn)(struct controld *cd, char **arg, int n_arg, FILE *out);
	const char	*help;
};

static int
kw(const char *in, const char *word)	/* in abbreviates word */
{
	return in != NULL && strncasecmp(in, word, strlen(in)) == 0 && in[0] != '\0';
}

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

static int c_help(struct controld *, char **, int, FILE *);

static const struct cmd cmds[] = {
	{ "show crypto ipsec sa", c_sa,
	    "show crypto ipsec sa [map NAME|peer A|address|identity] [detail]" },
	{ "show crypto ipsec transform-set", c_tset, "show crypto ipsec transform-set [tag NAME]" },
	{ "show crypto ipsec security-association lifetime", c_life,
	    "show crypto ipsec security-association lifetime" },
	{ "show crypto map", c_map, "show crypto map [tag NAME] [interface IF]" },
	{ "show crypto dynamic-map", c_dyn, "show crypto dynamic-map [tag NAME]" },
	{ "show running-config", c_run, "show running-config" },
	{ "show ip access-lists", c_acl, "show ip access-lists [NAME]" },
	{ "show workers", c_workers, "show workers (the datad workers and their state)" },
	{ "debug crypto ipsec", c_debug, "debug crypto ipsec" },
	{ "no debug crypto ipsec", c_nodebug, "no debug crypto ipsec" },
	{ "undebug all", c_nodebug, "undebug all" },
	{ "reload config", c_reload, "reload config (re-read the startup file, all or nothing)" },
	{ "help", c_help, "help" },
};

static int
c_help(struct controld *cd, char **a, int n, FILE *out)
{
	(void)cd;
	(void)a;
	(void)n;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(out, "  %s\n", cmds[i].help);
	return 0;
}

/* Split line into words in place. */
static int
split(char *line, char **w, int max)
{
	int n = 0;

	for (char *s = strtok(line, " \t\r\n"); s != NULL && n < max; s = strtok(NULL, " \t\r\n"))
		w[n++] = s;
	return n;
}

int
cli_exec(struct controld *cd, const char *line, FILE *out)
{
	char buf[1024], kwbuf[128], *w[ARGS_MAX + 8], *k[8];
	const struct cmd *hit = NULL;
	int n, nk = 0, ambiguous = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	if ((n = split(buf, w, ARGS_MAX + 8)) == 0 || w[0][0] == '!')
		return 0;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		int m, j;

		snprintf(kwbuf, sizeof(kwbuf), "%s", cmds[i].words);
		m = split(kwbuf, k, 8);
		for (j = 0; j < m && j < n && kw(w[j], k[j]); j++)
			;
		if (j < m)
			continue;
		/* an exact command beats one it abbreviates ("sa" vs "security-association") */
		if (hit != NULL) {
			int exact_new = 0, exact_old = 0, mo;
			char ob[128], *okw[8];

			snprintf(ob, sizeof(ob), "%s", hit->words);
			mo = split(ob, okw, 8);
			for (int x = 0; x < m && x < n; x++)
				exact_new += strcasecmp(w[x], k[x]) == 0;
			for (int x = 0; x < mo && x < n; x++)
				exact_old += strcasecmp(w[x], okw[x]) == 0;
			if (exact_new == exact_old) {
				ambiguous = 1;
				continue;
			}
			if (exact_new < exact_old)
				continue;
			ambiguous = 0;
		}
		hit = &cmds[i];
		nk = m;
	}
	if (ambiguous) {
		fprintf(out, "%% Ambiguous command: \"%s\"\n", line);
		return -1;
	}
	if (hit == NULL) {
		fprintf(out, "%% Invalid input detected: \"%s\" (try \"help\")\n", line);
		return -1;
	}
	return hit->fn(cd, w + nk, n - nk, out);
}

void
cli_poll(struct controld *cd)
{
	uint8_t rid[LINK_ID_MAX];
	size_t rid_len = 0;
	struct gw_err err = { 0, "" };
	Gw__V1__CliRequest *q;
	Gw__V1__CliReply r = GW__V1__CLI_REPLY__INIT;
	char *text = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	for (int i = 0; i < 16; i++) {
		q = (Gw__V1__CliRequest *)link_recv(cd->cli, true, rid, &rid_len,
		    &gw__v1__cli_request__descriptor, &err);
		if (q == NULL) {
			if (errno == EAGAIN)
				return;
			log_warn("CLI: dropped a request: %s", err.msg);
			continue;
		}
		out = open_memstream(&text, &len);
		rc = cli_exec(cd, q->line, out);
		fclose(out);
		r.ok = rc == 0;
		r.text = text;
		r.mode = (char *)"exec";
		if (link_send(cd->cli, rid, rid_len, &r.base) != 0)
			log_warn("CLI: reply lost: %s", zmq_strerror(errno));
		free(text);
		text = NULL;
		protobuf_c_message_free_unpacked(&q->base, NULL);
	}
}
