/* SPDX-License-Identifier: Apache-2.0 */
/* session.c: configuration sessions and whole texts.  A line is split into words, read in
 * the current sub-mode like the IOS parser does (a global command leaves the sub-mode) and
 * handed to the command family it belongs to (families.h).  Keeps docs/design.md invariant 4: a
 * refused line leaves the configuration and the session as they were, and conf_parse_text()
 * returns either a configuration of every line or nothing.  Lines may hold session keys:
 * they are wiped after use. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "controld/conf/families.h"

/* Split text[0..len) into words.  -1 with err on a control character or a line too long. */
static int
line_split(struct line *l, const char *text, size_t len, unsigned lineno, struct gw_err *err)
{
	size_t b = 0, e = len;

	while (e > 0 && is_space((unsigned char)text[e - 1]))
		e--;
	while (b < e && is_space((unsigned char)text[b]))
		b++;
	if (e - b >= LINE_MAX_)
		return gw_fail(err, lineno, "line longer than %d characters", LINE_MAX_ - 1);
	for (size_t i = b; i < e; i++) {
		unsigned char ch = (unsigned char)text[i];

		if ((ch < 0x20 && !is_space(ch)) || ch == 0x7f)
			return gw_fail(err, lineno, "control character 0x%02x in column %zu",
			    ch, i + 1);
	}
	l->indented = b > 0;
	l->indent = (unsigned)b;
	memcpy(l->orig, text + b, e - b);
	l->orig[e - b] = '\0';
	memcpy(l->buf, l->orig, e - b + 1);
	l->n = 0;
	for (size_t i = 0; l->buf[i] != '\0';) {
		if (is_space((unsigned char)l->buf[i])) {
			l->buf[i++] = '\0';
			continue;
		}
		if (l->n == WORDS_MAX)
			return gw_fail(err, lineno, "more than %d words", WORDS_MAX);
		l->off[l->n] = i;
		l->w[l->n++] = &l->buf[i];
		while (l->buf[i] != '\0' && !is_space((unsigned char)l->buf[i]))
			i++;
	}
	return 0;
}

static const struct {
	const char	*name;
	int		(*fn)(struct pl *p, bool no);
} global_cmds[] = {
	{ "hostname", host_cmd },
	{ "access-list", acl_cmd_numbered },
	{ "ip", acl_cmd_named },
	{ "crypto", map_cmd_crypto },
	{ "interface", intf_cmd },
	{ "logging", logging_conf_cmd },
};

/* The index of a global command in global_cmds, or -1. */
static int
global_find(const char *w)
{
	for (size_t i = 0; i < NELEM(global_cmds); i++)
		if (strcasecmp(global_cmds[i].name, w) == 0)
			return (int)i;
	return -1;
}

/* Drop a leading "no" from the words (the handlers then see the command proper at 0). */
static void
strip_no(struct line *l)
{
	memmove(&l->w[0], &l->w[1], (size_t)(l->n - 1) * sizeof(l->w[0]));
	memmove(&l->off[0], &l->off[1], (size_t)(l->n - 1) * sizeof(l->off[0]));
	l->n--;
}

static int
session_apply(struct conf_session *s, struct line *l, unsigned lineno, struct gw_err *err)
{
	struct pl p = { .s = s, .l = l, .lineno = lineno, .err = err };
	struct conf_session saved = *s;
	bool no = false;
	int r = 1, g;

	if (l->n == 0 || l->w[0][0] == '!')
		return 0;			/* blank line or comment */
	if (s->mode == CONF_SM_PUBKEY_STRING)
		return pubkey_string_line(&p);	/* hex or quit, nothing else */
	if (kw(&p, 0, "end") || kw(&p, 0, "exit")) {
		if (l->n > 1)
			return gw_fail(err, lineno, "%s: \"%.40s\": unexpected word", l->w[0],
			    l->w[1]);
		/* exit climbs one mode, as IOS: from a keyring's peer back to the keyring */
		if (kw(&p, 0, "exit") && s->mode == CONF_SM_IKEV2_PEER)
			s->mode = CONF_SM_IKEV2_KEYRING;
		else if (kw(&p, 0, "exit") && s->mode == CONF_SM_PUBKEY_KEY)
			s->mode = CONF_SM_PUBKEY_CHAIN;
		else
			s->mode = CONF_SM_GLOBAL;
		return 0;
	}
	if (kw(&p, 0, "no")) {
		if (l->n == 1)
			return gw_fail(err, lineno, "no: needs a command");
		strip_no(l);
		no = true;
	}
	switch (s->mode) {
	case CONF_SM_TRANSFORM:
		r = tset_mode(&p, no);
		break;
	case CONF_SM_MAP:
		r = map_mode(&p, no);
		break;
	case CONF_SM_IF:
		if (l->indented || !ign_is_cmd(&p, no))
			r = ign_intf(&p, no);
		if (r == 1)
			r = intf_mode(&p, no);
		break;
	case CONF_SM_IGNORED:
		r = ign_mode(&p, no, global_find(l->w[0]) >= 0 || ign_is_cmd(&p, no));
		break;
	case CONF_SM_BANNER:		/* session_line_n() */
	case CONF_SM_ACL:
		r = acl_mode(&p, no);
		break;
	case CONF_SM_IKEV2_PROPOSAL:
	case CONF_SM_IKEV2_POLICY:
	case CONF_SM_IKEV2_KEYRING:
	case CONF_SM_IKEV2_PEER:
	case CONF_SM_IKEV2_PROFILE:
		r = ikev2_conf_mode(&p, no);
		break;
	case CONF_SM_ISAKMP_POLICY:
		r = isakmp_conf_mode(&p, no);
		break;
	case CONF_SM_PUBKEY_CHAIN:
	case CONF_SM_PUBKEY_KEY:
	case CONF_SM_PUBKEY_STRING:
		r = pubkey_conf_mode(&p, no);
		break;
	case CONF_SM_GLOBAL:
		break;
	}
	if (r != 1)
		return r;
	/* Not a command of the sub-mode: the global one, which leaves the sub-mode (IOS). */
	if (ign_is_cmd(&p, no)) {
		s->mode = CONF_SM_GLOBAL;
		if ((r = ign_cmd(&p, no)) != 0)
			*s = saved;
		return r;
	}
	if ((g = global_find(l->w[0])) < 0) {
		if (s->mode != CONF_SM_GLOBAL)
			return perr(&p, "\"%.40s\": unknown command", l->w[0]);
		return gw_fail(err, lineno, "\"%.40s\": unknown command", l->w[0]);
	}
	p.where[0] = '\0';
	s->mode = CONF_SM_GLOBAL;
	if ((r = global_cmds[g].fn(&p, no)) != 0)
		*s = saved;
	return r;
}

static int
session_line_n(struct conf_session *s, const char *text, size_t len, unsigned lineno,
    struct gw_err *err)
{
	struct line *l;
	int r;

	/* struct line is 2 KB of words: on the heap, parsers may run on small stacks */
	if (s->mode == CONF_SM_BANNER)		/* text, not words */
		return ign_banner_line(s, text, len, lineno, err);
	if ((l = malloc(sizeof(*l))) == NULL)
		return gw_fail(err, lineno, "out of memory");
	if ((r = line_split(l, text, len, lineno, err)) == 0)
		r = session_apply(s, l, lineno, err);
	OPENSSL_cleanse(l, sizeof(*l));		/* may hold session keys */
	free(l);
	return r;
}

/* ---- Sessions and whole texts ---- */

void
conf_session_begin(struct conf_session *s, struct conf *target)
{
	memset(s, 0, sizeof(*s));
	s->c = target;
	s->mode = CONF_SM_GLOBAL;
}

void
conf_session_warnings(struct conf_session *s, FILE *warnings, const char *source)
{
	s->warnings = warnings;
	s->source = source;
}

int
conf_session_line(struct conf_session *s, const char *line, unsigned lineno,
    struct gw_err *err)
{
	size_t len = strlen(line);

	if (len > 0 && line[len - 1] == '\n')
		len--;
	return session_line_n(s, line, len, lineno, err);
}

const char *
conf_session_prompt_mode(const struct conf_session *s)
{
	switch (s->mode) {
	case CONF_SM_TRANSFORM:
		return "cfg-crypto-trans";
	case CONF_SM_MAP:
		return "config-crypto-map";
	case CONF_SM_IF:
		return "config-if";
	case CONF_SM_ACL:
		return s->acl != NULL && s->acl->standard ? "config-std-nacl" : "config-ext-nacl";
	case CONF_SM_IKEV2_PROPOSAL:
		return "config-ikev2-proposal";
	case CONF_SM_IKEV2_POLICY:
		return "config-ikev2-policy";
	case CONF_SM_IKEV2_KEYRING:
		return "config-ikev2-keyring";
	case CONF_SM_IKEV2_PEER:
		return "config-ikev2-keyring-peer";
	case CONF_SM_IKEV2_PROFILE:
		return "config-ikev2-profile";
	case CONF_SM_ISAKMP_POLICY:
		return "config-isakmp";
	case CONF_SM_PUBKEY_CHAIN:
		return "config-pubkey-chain";
	case CONF_SM_PUBKEY_KEY:
		return "config-pubkey-key";
	case CONF_SM_PUBKEY_STRING:
		return "config-pubkey";
	case CONF_SM_IGNORED:
		return s->ign_prompt != NULL ? s->ign_prompt : "config";
	default:
		return "config";
	}
}

bool
conf_session_raw(const struct conf_session *s)
{
	return s->mode == CONF_SM_PUBKEY_STRING || s->mode == CONF_SM_BANNER;
}

/* The headers show running-config prints before the configuration (IOS): skipped. */
static bool
header_line(const char *t, size_t len)
{
	static const char *const hdr[] = {
		"Building configuration...", "Current configuration :", "Current configuration:",
		"Using ", "NVRAM config last updated",
	};

	while (len > 0 && is_space((unsigned char)*t)) {
		t++;
		len--;
	}
	for (size_t i = 0; i < NELEM(hdr); i++)
		if (len >= strlen(hdr[i]) && strncmp(t, hdr[i], strlen(hdr[i])) == 0)
			return true;
	return false;
}

/* The line is the one word "end" (any case, any spacing). */
static bool
end_line(const char *t, size_t len)
{
	while (len > 0 && is_space((unsigned char)t[len - 1]))
		len--;
	while (len > 0 && is_space((unsigned char)*t)) {
		t++;
		len--;
	}
	return len == 3 && strncasecmp(t, "end", 3) == 0;
}

/* Whether anything but blank lines and comments is left in text. */
static unsigned
lines_left(const char *text)
{
	unsigned n = 0;

	for (const char *l = text; *l != '\0';) {
		const char *nl = strchr(l, '\n');
		size_t len = nl != NULL ? (size_t)(nl - l) : strlen(l);
		size_t b = 0;

		while (b < len && is_space((unsigned char)l[b]))
			b++;
		if (b < len && l[b] != '!')
			n++;
		l += len + (nl != NULL);
	}
	return n;
}

/* One line of a text: expanded (o->expand) unless it is text, then applied. */
static int
text_line(struct conf_session *s, const struct conf_parse_opts *o, const char *text,
    size_t len, unsigned lineno, struct gw_err *err)
{
	char *in, *out;
	size_t b = 0;
	int r;

	if (o == NULL || o->expand == NULL || conf_session_raw(s) ||
	    (s->mode == CONF_SM_IGNORED && len > 0 && is_space((unsigned char)text[0])))
		return session_line_n(s, text, len, lineno, err);	/* kept as typed */
	if (len >= LINE_MAX_)
		return gw_fail(err, lineno, "line longer than %d characters", LINE_MAX_ - 1);
	if ((in = malloc(LINE_MAX_)) == NULL || (out = malloc(LINE_MAX_ + 1)) == NULL) {
		free(in);
		return gw_fail(err, lineno, "out of memory");
	}
	memcpy(in, text, len);
	in[len] = '\0';
	while (b < len && is_space((unsigned char)in[b]))
		b++;
	out[0] = ' ';			/* keeps the indentation that marks a sub-mode line */
	if ((r = o->expand(o->expand_arg, s, in + b, out + 1, LINE_MAX_, err)) != 0)
		err->line = lineno;
	else
		r = session_line_n(s, out + (b == 0), strlen(out + (b == 0)), lineno, err);
	OPENSSL_cleanse(in, LINE_MAX_);		/* may hold session keys */
	OPENSSL_cleanse(out, LINE_MAX_ + 1);
	free(in);
	free(out);
	return r;
}

struct conf *
conf_parse_text_opts(const char *text, const char *name, const struct conf_parse_opts *o,
    struct gw_err *err)
{
	struct conf_session s;
	struct gw_err e1;
	struct conf *c;
	unsigned lineno = 0, n_err = 0;
	bool skip = false;

	if ((c = conf_new()) == NULL) {
		gw_fail(err, 0, "out of memory");
		return NULL;
	}
	if (name != NULL)
		snprintf(c->source, sizeof(c->source), "%s", name);
	conf_session_begin(&s, c);
	if (o != NULL)
		conf_session_warnings(&s, o->warnings, name != NULL ? name : "");
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t len = nl != NULL ? (size_t)(nl - text) : strlen(text);
		bool indented = len > 0 && is_space((unsigned char)text[0]);
		unsigned left;

		lineno++;
		if (!conf_session_raw(&s) && end_line(text, len)) {
			/* the end of a saved configuration, as IOS reads one */
			if ((left = lines_left(text + len + (nl != NULL))) > 0 && o != NULL &&
			    o->warnings != NULL)
				fprintf(o->warnings, "%s:%u: warning: end: the %u line%s after it "
				    "%s not read\n", c->source, lineno, left, left == 1 ? "" : "s",
				    left == 1 ? "is" : "are");
			break;
		}
		if (skip && indented) {
			/* under a refused command: its sub-mode lines would only echo the error */
		} else if (!conf_session_raw(&s) && s.mode == CONF_SM_GLOBAL &&
		    header_line(text, len)) {
			skip = false;
		} else if (text_line(&s, o, text, len, lineno, &e1) != 0) {
			if (n_err++ == 0)
				*err = e1;
			if (o != NULL && o->errors != NULL)
				fprintf(o->errors, "%s:%u: %s\n", c->source, e1.line, e1.msg);
			if (o == NULL || o->errors == NULL)
				break;
			skip = !indented;
		} else {
			skip = false;
		}
		text += len + (nl != NULL);
	}
	if (n_err == 0 && (s.mode == CONF_SM_PUBKEY_STRING || s.mode == CONF_SM_BANNER)) {
		if (s.mode == CONF_SM_BANNER)
			gw_fail(err, lineno, "banner: the text of line %u is not ended by its "
			    "delimiter \"%s\"", s.ign->line, s.delim);
		else
			gw_fail(err, lineno, "crypto key pubkey-chain rsa: the key-string of line "
			    "%u is not ended by quit", s.hex_line);
		if (o != NULL && o->errors != NULL)
			fprintf(o->errors, "%s:%u: %s\n", c->source, err->line, err->msg);
		n_err++;
	}
	if (n_err > 0) {
		conf_free(c);
		return NULL;
	}
	return c;
}

struct conf *
conf_parse_text(const char *text, const char *name, struct gw_err *err)
{
	return conf_parse_text_opts(text, name, NULL, err);
}

struct conf *
conf_parse_file(const char *path, struct gw_err *err)
{
	return conf_parse_file_opts(path, NULL, err);
}

struct conf *
conf_parse_file_opts(const char *path, const struct conf_parse_opts *o, struct gw_err *err)
{
	struct conf *c = NULL;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		gw_fail(err, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t n;

		if (len + 1 >= cap) {
			char *nb;

			if (cap >= (64u << 20)) {
				gw_fail(err, 0, "%s: larger than 64 MB", path);
				goto out;
			}
			cap = cap ? cap * 2 : 65536;
			if ((nb = realloc(buf, cap)) == NULL) {
				gw_fail(err, 0, "%s: out of memory", path);
				goto out;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		gw_fail(err, 0, "%s: read error", path);
		goto out;
	}
	buf[len] = '\0';
	if (memchr(buf, '\0', len) != NULL) {
		gw_fail(err, 0, "%s: a NUL byte in a text file", path);
		goto out;
	}
	c = conf_parse_text_opts(buf, path, o, err);
out:
	if (buf != NULL) {
		OPENSSL_cleanse(buf, cap);	/* held session keys */
		free(buf);
	}
	fclose(f);
	return c;
}
