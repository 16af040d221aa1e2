/* SPDX-License-Identifier: Apache-2.0 */
/* tables_fuzz.c: libFuzzer target for what datad takes from the link: an envelope that
 * unpacks is applied as controld's snapshot or delta would be (tables_build, tables_merge).
 * Whatever the bytes, the result is a generation or a clean rejection, never a crash. */
#include <stdint.h>
#include <stdlib.h>

#include "common/link.h"
#include "datad/tables.h"
#include "tests/lib/test_sa.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Gw__V1__Envelope *env = gw__v1__envelope__unpack(NULL, size, data);
	struct gw_err err;
	struct gen *g0, *g;
	Gw__V1__Tables *t;

	if (env == NULL)
		return 0;
	if (env->body_case == GW__V1__ENVELOPE__BODY_SNAPSHOT) {
		t = env->snapshot;
		env->snapshot = NULL;
		env->body_case = GW__V1__ENVELOPE__BODY__NOT_SET;
		tables_free(tables_build(t, "w", NULL, &err));
	} else if (env->body_case == GW__V1__ENVELOPE__BODY_DELTA) {
		g0 = tables_build(test_tables_sample(0, 0), "w", NULL, &err);
		if (g0 != NULL && (t = tables_merge(g0, env->delta, &err)) != NULL) {
			g = tables_build(t, "w", g0, &err);
			tables_free(g);
		}
		tables_free(g0);
	}
	gw__v1__envelope__free_unpacked(env, NULL);
	return 0;
}
