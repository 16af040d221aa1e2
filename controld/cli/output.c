/* SPDX-License-Identifier: Apache-2.0 */
/* output.c: what the CLI does to the output of a command: the output modifiers of show
 * commands ("| include|exclude|begin|section REGEX", IOS semantics, POSIX extended regular
 * expressions) and the diff of two configurations that show candidate prints.  Pure text in,
 * text out: no state.  Output may hold keys (show running-config): every copy made here is
 * wiped before it is freed.
 */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "controld/cli/exec.h"

/* ---- Output modifiers: SHOW-COMMAND | include|exclude|begin|section REGEX ---- */

/* exec.h says what; only a show command has a modifier: a "|" in a configuration line
 * (description, remark) is text. */
int
output_pipe_parse(const char *line, char *cmd, size_t len, struct output_pipe *p, FILE *out)
{
	static const char *const kinds[] = { NULL, "include", "exclude", "begin", "section" };
	const char *w = line + strspn(line, " \t"), *bar, *mod, *re;
	size_t wl = strcspn(w, " \t"), ml, rl;
	char word[16], errbuf[128];
	int e;

	p->kind = OUTPUT_PIPE_NONE;
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
	for (int k = OUTPUT_PIPE_INCLUDE; k <= OUTPUT_PIPE_SECTION; k++)
		if (kw(word, kinds[k]))
			p->kind = (enum output_pipe_kind)k;
	if (ml == 0) {
		fprintf(out, "%% Incomplete command.\n");
		return -1;
	}
	if (p->kind == OUTPUT_PIPE_NONE) {
		fprintf(out, "%% Invalid input detected at '%.*s': after \"|\" come include, "
		    "exclude, begin or section, then a regular expression\n", (int)ml, mod);
		return -1;
	}
	re = mod + ml + strspn(mod + ml, " \t");
	for (rl = strlen(re); rl > 0 && (re[rl - 1] == '\r' || re[rl - 1] == '\n'); rl--)
		;
	if (rl == 0) {
		p->kind = OUTPUT_PIPE_NONE;
		fprintf(out, "%% Incomplete command.\n");
		return -1;
	}
	snprintf(cmd, len, "%.*s", (int)rl, re);
	if ((e = regcomp(&p->re, cmd, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(e, &p->re, errbuf, sizeof(errbuf));
		fprintf(out, "%% Invalid regular expression \"%s\": %s\n", cmd, errbuf);
		p->kind = OUTPUT_PIPE_NONE;
		return -1;
	}
	for (rl = (size_t)(bar - line); rl > 0 && (line[rl - 1] == ' ' || line[rl - 1] == '\t');)
		rl--;
	snprintf(cmd, len, "%.*s", (int)rl, line);
	return 0;
}

/* "?" after the "|" of a show command: the modifiers, or what follows one.  true when line
 * (without its "?") is such a request and the help was written. */
bool
output_pipe_help(const char *line, FILE *out)
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
void
output_pipe_filter(const struct output_pipe *p, char *text, FILE *out)
{
	bool begun = false;
	size_t sect = 0;		/* in a section: its indent + 1; 0: not */

	for (char *l = text, *nl; l != NULL && *l != '\0'; l = nl) {
		bool m, show;

		if ((nl = strchr(l, '\n')) != NULL)
			*nl++ = '\0';
		m = regexec(&p->re, l, 0, NULL, 0) == 0;
		switch (p->kind) {
		case OUTPUT_PIPE_INCLUDE: show = m; break;
		case OUTPUT_PIPE_EXCLUDE: show = !m; break;
		case OUTPUT_PIPE_BEGIN: show = begun = begun || m; break;
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

/* ---- show candidate: a unified diff of two configurations' running-config text ---- */

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
	/* IOS's headers (a byte count that always differs) are no change: from the first "!" */
	for (i = 0; i < t->n && strcmp(t->l[i], "!") != 0; i++)
		;
	if (i < t->n) {
		memmove(t->l, t->l + i, (t->n - i) * sizeof(*t->l));
		t->n -= i;
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
output_diff(const struct conf *from, const struct conf *to, FILE *out)
{
	struct text_lines a = { 0 }, b = { 0 };
	int rc = -1;

	if (lines_of(from, &a) == 0 && lines_of(to, &b) == 0)
		rc = diff_print(&a, &b, out);
	else
		fprintf(out, "%% out of memory\n");
	lines_free(&a);
	lines_free(&b);
	return rc;
}
