/* SPDX-License-Identifier: Apache-2.0 */
/* drop.c: the names of drop reasons, expanded from DROP_LIST once. */
#include "common/drop.h"

const char *const drop_name[DROP_MAX] = {
	"none",
#define X(n, c, t) c,
	DROP_LIST(X)
#undef X
};

const char *const drop_text[DROP_MAX] = {
	"not dropped",
#define X(n, c, t) t,
	DROP_LIST(X)
#undef X
};
