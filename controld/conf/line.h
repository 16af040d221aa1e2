/* SPDX-License-Identifier: Apache-2.0 */
/* line.h: the line machinery the parser of every command family shares (private to conf/):
 * one line split into words (struct line), the line being applied with where its messages
 * come from (struct pl), and the checks of single words (numbers, addresses, names, text).
 * Every message a refused line gets is made by perr(), which prefixes the command ("crypto
 * map vpn 10: ...") and the line number: the reason travels with the failure (STYLE).
 * Header-only: small helpers, inlined where they are used. */
#ifndef GW_CONF_LINE_H
#define GW_CONF_LINE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "controld/conf/conf.h"

#define LINE_MAX_	1024		/* bytes of one line, NUL included */
#define WORDS_MAX	48

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* ---- Arrays of pointers of the model ---- */

/* Append p to arr (n elements); 0, or -1 when out of memory (arr unchanged). */
#define PTR_APPEND(arr, n, p) ({						\
	__typeof__(arr) a_ = realloc((arr), ((n) + 1) * sizeof(*a_));		\
	int r_ = -1;								\
	if (a_ != NULL) {							\
		(arr) = a_;							\
		(arr)[(n)++] = (p);						\
		r_ = 0;								\
	}									\
	r_;									\
})

#define PTR_REMOVE(arr, n, i) do {						\
	memmove(&(arr)[(i)], &(arr)[(i) + 1], ((n) - (i) - 1) * sizeof(*(arr)));	\
	(n)--;									\
} while (0)

/* The element of arr (n elements) whose name is nm, or NULL. */
#define FIND_BY_NAME(arr, n, nm) ({						\
	__typeof__((arr)[0]) f_ = NULL;						\
	for (size_t i_ = 0; i_ < (n); i_++)					\
		if (strcmp((arr)[i_]->name, (nm)) == 0) {			\
			f_ = (arr)[i_];						\
			break;							\
		}								\
	f_;									\
})

/* ---- Lines and words ---- */

struct line {
	char		buf[LINE_MAX_];		/* words, NUL-separated */
	char		orig[LINE_MAX_];	/* the trimmed line, for rest-of-line text */
	char		*w[WORDS_MAX];
	size_t		off[WORDS_MAX];		/* offset of w[i] in orig */
	int		n;
	bool		indented;		/* the line began with a blank: a sub-mode line */
	unsigned	indent;			/* how many blanks it began with */
};

/* One line being applied: the session, its words and where messages come from. */
struct pl {
	struct conf_session	*s;
	struct line		*l;
	unsigned		lineno;
	struct gw_err		*err;
	char			where[128];	/* "crypto map vpn 10", prefix of messages */
};

static inline bool
is_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f';
}

static inline int
perr(struct pl *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline int
perr(struct pl *p, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->where[0] != '\0')
		return gw_fail(p->err, p->lineno, "%s: %s", p->where, msg);
	return gw_fail(p->err, p->lineno, "%s", msg);
}

/* A warning about the line being applied, where conf_session_warnings() said. */
static inline void
pwarn(struct pl *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void
pwarn(struct pl *p, const char *fmt, ...)
{
	va_list ap;

	if (p->s->warnings == NULL)
		return;
	if (p->s->source != NULL)
		fprintf(p->s->warnings, "%s:%u: warning: ", p->s->source, p->lineno);
	else
		fputs("warning: ", p->s->warnings);
	va_start(ap, fmt);
	vfprintf(p->s->warnings, fmt, ap);
	va_end(ap);
	fputc('\n', p->s->warnings);
}

static inline int
oom(struct pl *p)
{
	return perr(p, "out of memory");
}

static inline void
where(struct pl *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void
where(struct pl *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->where, sizeof(p->where), fmt, ap);
	va_end(ap);
}

static inline bool
kw(const struct pl *p, int i, const char *k)
{
	return i < p->l->n && strcasecmp(p->l->w[i], k) == 0;
}

static inline const char *
word(const struct pl *p, int i)
{
	return i < p->l->n ? p->l->w[i] : "";
}

/* Text from word i to the end of the line, as typed. */
static inline const char *
rest(const struct pl *p, int i)
{
	return p->l->orig + p->l->off[i];
}

static inline int
extra(struct pl *p, int i)
{
	if (i < p->l->n)
		return perr(p, "\"%.40s\": unexpected word", p->l->w[i]);
	return 0;
}

/* Decimal number in [min, max], digits only. */
static inline bool
num(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		if (s[n] < '0' || s[n] > '9' || n >= 10)
			return false;
		v = v * 10 + (unsigned long)(s[n] - '0');
	}
	if (n == 0 || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Strict dotted quad. */
static inline bool
ipv4(const char *s, uint32_t *out)
{
	uint32_t a = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = 0, nd = 0;

		while (*s >= '0' && *s <= '9' && nd < 3) {
			v = v * 10 + (unsigned)(*s++ - '0');
			nd++;
		}
		if (nd == 0 || v > 255 || (i < 3 ? *s != '.' : *s != '\0'))
			return false;
		if (i < 3)
			s++;
		a = a << 8 | v;
	}
	*out = a;
	return true;
}

/* A name: printable ASCII without spaces, fits CONF_NAME_MAX. */
static inline int
name_ok(struct pl *p, const char *what, const char *s)
{
	size_t n = strlen(s);

	if (n == 0)
		return perr(p, "%s needs a name", what);
	if (n >= CONF_NAME_MAX)
		return perr(p, "%s \"%.20s...\": longer than %d characters", what, s,
		    CONF_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return perr(p, "%s \"%.40s\": only printable ASCII in names", what, s);
	return 0;
}

static inline int
text_ok(struct pl *p, const char *what, const char *s, size_t max)
{
	if (s[0] == '\0')
		return perr(p, "%s needs text", what);
	if (strlen(s) >= max)
		return perr(p, "%s: longer than %zu characters", what, max - 1);
	return 0;
}

static inline void
copy_name(char *dst, const char *src)
{
	size_t n = strnlen(src, CONF_NAME_MAX - 1);	/* callers checked with name_ok() */

	memcpy(dst, src, n);
	dst[n] = '\0';
}

#endif
