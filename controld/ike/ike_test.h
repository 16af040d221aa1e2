/* SPDX-License-Identifier: Apache-2.0 */
/* ike_test.h: what the ike/ unit tests share: hex decoding and the "key = hex" vector files of
 * testdata/ (CAVP-like: '#' comments, one value a line).  Tests only; everything static. */
#ifndef GW_IKE_TEST_H
#define GW_IKE_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/test.h"

/* Decode hex (spaces ignored) into out[0 .. cap); returns the length, or aborts the test on a
 * bad digit or overflow: vectors are ours, a typo must not pass silently. */
static inline size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex != '\0'; hex++) {
		int v;

		if (*hex == ' ' || *hex == '\n')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if ((*hex | 0x20) >= 'a' && (*hex | 0x20) <= 'f')
			v = (*hex | 0x20) - 'a' + 10;
		else
			abort();
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			abort();
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		abort();
	return n;
}

/* A vector file in memory: keys and their decoded values. */
enum { VEC_MAX = 256 };
struct vec {
	unsigned	n;
	char		*key[VEC_MAX];
	uint8_t		*val[VEC_MAX];
	size_t		len[VEC_MAX];
};

static inline int
vec_load(struct vec *v, const char *path)
{
	char line[16384];
	FILE *f;

	memset(v, 0, sizeof(*v));
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL && v->n < VEC_MAX) {
		char *eq = strstr(line, " = ");
		size_t hl;

		if (line[0] == '#' || eq == NULL)
			continue;
		*eq = '\0';
		line[strcspn(line, "\n")] = '\0';
		eq[3 + strcspn(eq + 3, "\n")] = '\0';
		hl = strlen(eq + 3);
		v->key[v->n] = strdup(line);
		v->val[v->n] = malloc(hl / 2 + 1);
		v->len[v->n] = unhex(eq + 3, v->val[v->n], hl / 2 + 1);
		v->n++;
	}
	fclose(f);
	return 0;
}

/* The value of key, or NULL (len untouched). */
static inline uint8_t *
vec_get(const struct vec *v, const char *key, size_t *len)
{
	for (unsigned i = 0; i < v->n; i++)
		if (strcmp(v->key[i], key) == 0) {
			if (len != NULL)
				*len = v->len[i];
			return v->val[i];
		}
	return NULL;
}

static inline void
vec_free(struct vec *v)
{
	for (unsigned i = 0; i < v->n; i++) {
		free(v->key[i]);
		free(v->val[i]);
	}
	v->n = 0;
}

/* The value of key in controld/ike/testdata/file (under $GW_SRC, else .) into out[0 .. cap):
 * its length; aborts the test when the file or the key is missing or the value too long. */
static inline size_t
testdata_get(const char *file, const char *key, uint8_t *out, size_t cap)
{
	const char *src = getenv("GW_SRC");
	char path[1024];
	struct vec v;
	uint8_t *val;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/controld/ike/testdata/%s", src ? src : ".", file);
	if (vec_load(&v, path) != 0 || (val = vec_get(&v, key, &len)) == NULL || len > cap) {
		fprintf(stderr, "%s: no %s (set GW_SRC to the source tree)\n", path, key);
		abort();
	}
	memcpy(out, val, len);
	vec_free(&v);
	return len;
}

#endif
