/* SPDX-License-Identifier: Apache-2.0 */
/* ignored.c: the IOS commands that are not IPsec's (docs/configuration.md, "Accepted and
 * ignored"), so that a real router's configuration loads: each is accepted with one warning,
 * kept verbatim (its sub-mode lines and a banner's text included) in the place IOS shows it in
 * the running configuration, and has no effect: routes, addresses, logins and the rest are
 * the host's.  Only the commands named here are taken; any other line is still refused
 * (docs/design.md invariant 4: a refused line changes nothing, a text with one configures
 * nothing).  Of logging, only what logging.c does not configure is here (rate-limit, ...). */
#include <string.h>
#include <strings.h>

#include "controld/conf/families.h"

/* A command: its first words (NULL-ended), where it is shown, its sub-mode's prompt (NULL:
 * none), and what the warning says it is left to.  The warning of a command that may hold a
 * secret (a password hash, a community) names only the command's first words. */
struct ign_cmd {
	const char		*w[3];
	enum conf_ign_slot	slot;
	const char		*prompt;
	const char		*to;
	bool			secret;
};

#define HOST	"left to the host"
#define ROUTES	"routing is left to the host"

static const struct ign_cmd cmds[] = {
	{ { "version" }, CONF_IGN_HEAD, NULL, HOST, false },
	{ { "service" }, CONF_IGN_HEAD, NULL, HOST, false },
	{ { "boot-start-marker" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "boot-end-marker" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "boot" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	/* logging: only what logging.c does not configure (docs/configuration.md) */
	{ { "logging", "rate-limit" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "logging", "queue-limit" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "logging", "origin-id" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "logging", "count" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "logging", "exception" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "logging", "history" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "logging", "userinfo" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "logging", "persistent" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "logging", "discriminator" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "logging", "snmp-trap" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "enable" }, CONF_IGN_GLOBAL, NULL, HOST, true },
	{ { "aaa" }, CONF_IGN_GLOBAL, NULL, HOST, true },
	{ { "clock" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "username" }, CONF_IGN_GLOBAL, NULL, HOST, true },
	{ { "memory-size" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "resource" }, CONF_IGN_GLOBAL, "config-res-policy", HOST, false },
	{ { "ip", "cef" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "subnet-zero" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "domain-name" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "domain-lookup" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "domain-list" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "domain" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "name-server" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "host" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "ssh" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "source-route" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "finger" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "bootp" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "ip", "dhcp" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "cdp" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "spanning-tree" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "vtp" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "multilink" }, CONF_IGN_GLOBAL, NULL, HOST, false },
	{ { "archive" }, CONF_IGN_GLOBAL, "config-archive", HOST, false },
	{ { "redundancy" }, CONF_IGN_GLOBAL, "config-red", HOST, false },
	{ { "router" }, CONF_IGN_ROUTE, "config-router", ROUTES, false },
	{ { "ip", "route" }, CONF_IGN_ROUTE, NULL, ROUTES, false },
	{ { "ip", "classless" }, CONF_IGN_ROUTE, NULL, ROUTES, false },
	{ { "ip", "default-gateway" }, CONF_IGN_ROUTE, NULL, ROUTES, false },
	{ { "ip", "forward-protocol" }, CONF_IGN_ROUTE, NULL, HOST, false },
	{ { "ip", "http" }, CONF_IGN_ROUTE, NULL, HOST, false },
	{ { "ip", "nat" }, CONF_IGN_ROUTE, NULL, HOST, false },
	{ { "snmp-server" }, CONF_IGN_TAIL, NULL, HOST, true },
	{ { "control-plane" }, CONF_IGN_TAIL, "config-cp", HOST, false },
	{ { "banner" }, CONF_IGN_TAIL, NULL, HOST, false },
	{ { "line" }, CONF_IGN_TAIL, "config-line", HOST, false },
	{ { "ntp" }, CONF_IGN_TAIL, NULL, HOST, true },
	{ { "scheduler" }, CONF_IGN_TAIL, NULL, HOST, false },
	{ { "alias" }, CONF_IGN_TAIL, NULL, HOST, false },
};

/* Interface sub-commands accepted and ignored (first words; "ip address A M secondary" is
 * matched apart).  Filters (ip access-group, ip inspect) are not: ignoring one would let
 * through what the operator meant to stop. */
static const char *const intf_cmds[][2] = {
	{ "ip", "mtu" }, { "ip", "nat" }, { "ip", "virtual-reassembly" }, { "ip", "route-cache" },
	{ "ip", "redirects" }, { "ip", "unreachables" }, { "ip", "proxy-arp" },
	{ "ip", "directed-broadcast" }, { "ip", "flow" }, { "ip", "tcp" }, { "ip", "ospf" },
	{ "ip", "mroute-cache" }, { "duplex", NULL }, { "speed", NULL }, { "negotiation", NULL },
	{ "half-duplex", NULL }, { "full-duplex", NULL }, { "bandwidth", NULL }, { "delay", NULL },
	{ "load-interval", NULL }, { "keepalive", NULL }, { "mtu", NULL }, { "media-type", NULL },
	{ "cdp", NULL }, { "mop", NULL }, { "arp", NULL }, { "clock", NULL }, { "no-autostate", NULL },
};

/* The command the words (after "no") are, or NULL. */
static const struct ign_cmd *
ign_find(struct pl *p)
{
	for (size_t i = 0; i < NELEM(cmds); i++) {
		int k;

		for (k = 0; k < 3 && cmds[i].w[k] != NULL; k++)
			if (!kw(p, k, cmds[i].w[k]))
				break;
		if (k < 3 && cmds[i].w[k] != NULL)
			continue;
		return &cmds[i];
	}
	return NULL;
}

/* ---- The model ---- */

static void
ign_free(struct conf_ignored *g)
{
	if (g == NULL)
		return;
	free(g->text);
	free(g);
}

void
ign_conf_free(struct conf *c)
{
	for (size_t i = 0; i < c->n_ignored; i++)
		ign_free(c->ignored[i]);
	free(c->ignored);
	c->ignored = NULL;
	c->n_ignored = 0;
}

int
ign_conf_dup(struct conf *d, const struct conf *c)
{
	if (c->n_ignored == 0)
		return 0;
	if ((d->ignored = calloc(c->n_ignored, sizeof(*d->ignored))) == NULL)
		return -1;
	for (size_t i = 0; i < c->n_ignored; i++) {
		struct conf_ignored *g;

		if ((g = malloc(sizeof(*g))) == NULL)
			return -1;
		*g = *c->ignored[i];
		if ((g->text = strdup(g->text)) == NULL) {
			free(g);
			return -1;
		}
		d->ignored[d->n_ignored++] = g;
	}
	return 0;
}

/* The next command of slot at or after *i in c, or NULL. */
static const struct conf_ignored *
slot_next(const struct conf *c, enum conf_ign_slot slot, size_t *i)
{
	for (; *i < c->n_ignored; (*i)++)
		if (c->ignored[*i]->slot == slot)
			return c->ignored[(*i)++];
	return NULL;
}

/* Equal when each slot holds the same texts in the same order: the order across slots is
 * not shown, so not configured. */
bool
ign_conf_equal(const struct conf *a, const struct conf *b)
{
	if (a->n_ignored != b->n_ignored)
		return false;
	for (int slot = 0; slot < CONF_IGN_SLOTS; slot++) {
		size_t i = 0, k = 0;
		const struct conf_ignored *x, *y;

		do {
			x = slot_next(a, (enum conf_ign_slot)slot, &i);
			y = slot_next(b, (enum conf_ign_slot)slot, &k);
			if ((x == NULL) != (y == NULL) ||
			    (x != NULL && strcmp(x->text, y->text) != 0))
				return false;
		} while (x != NULL);
	}
	return true;
}

/* *text with line (len bytes) and a newline appended, after indent blanks; -1 when out of
 * memory (unchanged). */
static int
text_append(char **text, const char *line, size_t len, unsigned indent)
{
	size_t old = *text != NULL ? strlen(*text) : 0;
	char *n;

	if ((n = realloc(*text, old + indent + len + 2)) == NULL)
		return -1;
	for (; indent > 0; indent--)
		n[old++] = ' ';
	memcpy(n + old, line, len);
	n[old + len] = '\n';
	n[old + len + 1] = '\0';
	*text = n;
	return 0;
}

/* Whether text holds line (whatever its indentation) as one of its lines. */
static bool
text_has(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *l = text; l != NULL && *l != '\0';) {
		const char *nl = strchr(l, '\n');
		const char *b = l + strspn(l, " ");

		if ((size_t)(nl - b) == n && strncmp(b, line, n) == 0)
			return true;
		l = nl + 1;
	}
	return false;
}

/* The length of the first line of text. */
static size_t
first_len(const char *text)
{
	return strcspn(text, "\n");
}

/* ---- Parse ---- */

bool
ign_is_cmd(struct pl *p, bool no)
{
	(void)no;
	return ign_find(p) != NULL;
}

/* banner [KIND] DELIM text DELIM: the delimiter and where the text starts. */
static int
banner_begin(struct pl *p, struct conf_ignored *g, const char **after)
{
	static const char *const kinds[] = {
		"motd", "login", "exec", "incoming", "slip-ppp", "prompt-timeout", "config-save",
	};
	struct conf_session *s = p->s;
	const char *t;
	int at = 1;

	snprintf(g->key, sizeof(g->key), "motd");
	for (size_t i = 0; i < NELEM(kinds); i++)
		if (kw(p, 1, kinds[i])) {
			snprintf(g->key, sizeof(g->key), "%s", kinds[i]);
			at = 2;
		}
	if (at >= p->l->n)
		return perr(p, "banner %s needs a delimiting character and the text", g->key);
	t = rest(p, at);
	/* "^C" is how show running-config prints the delimiter Ctrl-C: read as one */
	snprintf(s->delim, sizeof(s->delim), "%.*s", t[0] == '^' && t[1] == 'C' ? 2 : 1, t);
	*after = t + strlen(s->delim);
	return 0;
}

/* Keep g (new, or an equal one already there) and say so once. */
static int
ign_keep(struct pl *p, const struct ign_cmd *cmd, const char *line, bool no)
{
	struct conf *c = p->s->c;
	struct conf_ignored *g = NULL, *old = NULL;
	const char *after = NULL;
	bool banner = !no && strcmp(cmd->w[0], "banner") == 0;
	bool block = !no && cmd->prompt != NULL;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return oom(p);
	g->line = p->lineno;
	g->slot = cmd->slot;
	g->banner = banner;
	if (banner && banner_begin(p, g, &after) != 0) {
		free(g);
		return -1;
	}
	if (text_append(&g->text, line, strlen(line), 0) != 0) {
		free(g);
		return oom(p);
	}
	/* the same command again (a pasted show running-config): kept once, as IOS does; a
	 * banner of the same kind is replaced; a block is entered again */
	for (size_t i = 0; i < c->n_ignored; i++) {
		struct conf_ignored *o = c->ignored[i];

		if (banner ? o->banner && strcmp(o->key, g->key) == 0 :
		    !o->banner && first_len(o->text) == strlen(line) &&
		    strncmp(o->text, line, strlen(line)) == 0) {
			old = o;
			break;
		}
	}
	if (cmd->secret && p->l->n > 2)
		pwarn(p, "ignored: %s %s ... (not an IPsec command; %s)", p->l->w[0],
		    p->l->w[1], cmd->to);
	else
		pwarn(p, "ignored: %s (not an IPsec command; %s)", line, cmd->to);
	if (banner) {
		if (old != NULL) {		/* replaced in place: the new one is written there */
			free(old->text);
			old->text = g->text;
			old->line = g->line;
			free(g);
			g = old;
		} else if (PTR_APPEND(c->ignored, c->n_ignored, g) != 0) {
			ign_free(g);
			return oom(p);
		}
		if (strstr(after, p->s->delim) == NULL) {
			p->s->mode = CONF_SM_BANNER;
			p->s->ign = g;
		}
		return 0;
	}
	if (old != NULL) {
		ign_free(g);
		g = old;
	} else if (PTR_APPEND(c->ignored, c->n_ignored, g) != 0) {
		ign_free(g);
		return oom(p);
	}
	if (block) {
		p->s->mode = CONF_SM_IGNORED;
		p->s->ign = g;
		p->s->ign_prompt = cmd->prompt;
	}
	return 0;
}

int
ign_cmd(struct pl *p, bool no)
{
	const struct ign_cmd *cmd = ign_find(p);

	if (cmd == NULL)
		return 1;
	p->where[0] = '\0';
	return ign_keep(p, cmd, p->l->orig, no);
}

int
ign_mode(struct pl *p, bool no, bool global)
{
	struct conf_ignored *g = p->s->ign;

	(void)no;
	/* an indented line is the sub-mode's; else a global command leaves it (IOS) */
	if (!p->l->indented && global)
		return 1;
	if (text_has(g->text, p->l->orig))
		return 0;
	if (text_append(&g->text, p->l->orig, strlen(p->l->orig),
	    p->l->indent > 0 ? p->l->indent : 1) != 0)
		return oom(p);
	return 0;
}

int
ign_banner_line(struct conf_session *s, const char *text, size_t len, unsigned lineno,
    struct gw_err *err)
{
	struct conf_ignored *g = s->ign;
	char *t;

	while (len > 0 && text[len - 1] == '\r')	/* CR LF files; as written: without */
		len--;
	if (len >= LINE_MAX_)
		return gw_fail(err, lineno, "banner: line longer than %d characters",
		    LINE_MAX_ - 1);
	if (text_append(&g->text, text, len, 0) != 0)
		return gw_fail(err, lineno, "out of memory");
	if ((t = malloc(len + 1)) == NULL)
		return gw_fail(err, lineno, "out of memory");
	memcpy(t, text, len);
	t[len] = '\0';
	if (strstr(t, s->delim) != NULL) {
		s->mode = CONF_SM_GLOBAL;
		s->ign = NULL;
	}
	free(t);
	return 0;
}

int
ign_intf(struct pl *p, bool no)
{
	struct conf_if *f = p->s->ifp;
	size_t k;

	(void)no;
	for (k = 0; k < NELEM(intf_cmds); k++)
		if (kw(p, 0, intf_cmds[k][0]) &&
		    (intf_cmds[k][1] == NULL || kw(p, 1, intf_cmds[k][1])))
			break;
	if (k == NELEM(intf_cmds) && !(kw(p, 0, "ip") && kw(p, 1, "address") &&
	    kw(p, p->l->n - 1, "secondary")))
		return 1;
	pwarn(p, "interface %s: ignored: %s (not an IPsec command; %s)", f->name, p->l->orig,
	    kw(p, 1, "address") ? "interface addresses are left to the host" : HOST);
	if (f->ignored != NULL && text_has(f->ignored, p->l->orig))
		return 0;
	if (text_append(&f->ignored, p->l->orig, strlen(p->l->orig), 1) != 0)
		return oom(p);
	return 0;
}

/* ---- Running configuration ---- */

void
ign_running(const struct conf *c, enum conf_ign_slot slot, bool secrets, FILE *out)
{
	bool any = false;

	for (size_t i = 0; i < c->n_ignored; i++)
		if (c->ignored[i]->slot == slot) {
			/* a banner or sub-mode line that looks like a key line is masked as
			 * one (show running-config shows no pre-shared key, docs/adr/0010) */
			if (secrets)
				fputs(c->ignored[i]->text, out);
			else
				conf_show_masked(c->ignored[i]->text, out);
			any = true;
		}
	if (any)
		fputs("!\n", out);
}
