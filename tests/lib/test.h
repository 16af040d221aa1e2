/* SPDX-License-Identifier: Apache-2.0 */
/* test.h: the unit-test harness, a handful of macros over a plain main(). */
#ifndef GW_TEST_H
#define GW_TEST_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failed, t_run;

#define T_OK(cond, ...) do {							\
	t_run++;								\
	if (!(cond)) {								\
		t_failed++;							\
		fprintf(stderr, "%s:%d: FAIL: %s: ", __FILE__, __LINE__, #cond);	\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
	}									\
} while (0)

#define T_EQ(a, b, ...) do {							\
	long long t_a_ = (long long)(a), t_b_ = (long long)(b);			\
	t_run++;								\
	if (t_a_ != t_b_) {							\
		t_failed++;							\
		fprintf(stderr, "%s:%d: FAIL: %s == %lld, want %lld: ", __FILE__,	\
		    __LINE__, #a, t_a_, t_b_);					\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
	}									\
} while (0)

#define T_STREQ(a, b, ...) do {							\
	const char *t_a_ = (a), *t_b_ = (b);					\
	t_run++;								\
	if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) {		\
		t_failed++;							\
		fprintf(stderr, "%s:%d: FAIL: %s:\n  got:  %s\n  want: %s\n  ",	\
		    __FILE__, __LINE__, #a, t_a_ ? t_a_ : "(null)", t_b_ ? t_b_ : "(null)");	\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
	}									\
} while (0)

#define T_MEMEQ(a, b, n, ...) do {						\
	t_run++;								\
	if (memcmp((a), (b), (n)) != 0) {					\
		t_failed++;							\
		fprintf(stderr, "%s:%d: FAIL: %s != %s: ", __FILE__, __LINE__, #a, #b);	\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
	}									\
} while (0)

/* The bytes of a hex string into out (at most max: a longer vector is the test's bug, abort). */
static inline size_t
t_unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t n = strlen(hex) / 2;

	if (n > max)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
	return n;
}

static inline int
t_done(void)
{
	printf("%d checks, %d failed\n", t_run, t_failed);
	return t_failed ? 1 : 0;
}

#endif
