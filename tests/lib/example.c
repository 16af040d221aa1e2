/* SPDX-License-Identifier: Apache-2.0 */
/* example.c: deploy/examples/ for the tests (example.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/example.h"

char *
test_example(const char *name, const char *extra)
{
	const char *src = getenv("GW_SRC");
	size_t n = 0, cap = 4096, xl = extra != NULL ? strlen(extra) : 0;
	char path[4096], *text = malloc(cap);
	FILE *f;

	if (src == NULL || *src == '\0')
		src = GW_SOURCE_DIR;
	snprintf(path, sizeof(path), "%s/deploy/examples/%s", src, name);
	if (text == NULL || (f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "test_example: cannot read %s\n", path);
		exit(2);
	}
	for (size_t r; (r = fread(text + n, 1, cap - n - 1, f)) > 0;) {
		n += r;
		if (cap - n - 1 == 0 && (text = realloc(text, cap *= 2)) == NULL)
			exit(2);
	}
	fclose(f);
	if ((text = realloc(text, n + xl + 1)) == NULL)
		exit(2);
	memcpy(text + n, extra != NULL ? extra : "", xl);
	text[n + xl] = '\0';
	return text;
}
