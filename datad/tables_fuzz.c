/* tables_fuzz.c: libFuzzer target for what datad takes from the link: an envelope that
 * unpacks is applied as controld's snapshot or delta would be (tables_build, tables_merge).
 * Whatever the bytes, the result is a generation or a clean rejection, never a crash. */
#include <stdint.h>
#include <stdlib.h>

#include "common/link.h"
#include "datad/tables.h"

/* A small valid generation to apply deltas to. */
static Gw__V1__Tables *
base(void)
{
	static uint8_t ck[16] = { 1 }, ak[20] = { 2 };
	Gw__V1__Tables t = GW__V1__TABLES__INIT;
	Gw__V1__Sa sa = GW__V1__SA__INIT, *sas[1] = { &sa };
	Gw__V1__Policy p = GW__V1__POLICY__INIT, *pols[1] = { &p };
	uint8_t buf[512];
	size_t n;

	sa.id = 9;
	sa.proto = 50;
	sa.spi = 1000;
	sa.cipher = GW__V1__CIPHER__CIPHER_AES_CBC;
	sa.cipher_key.data = ck;
	sa.cipher_key.len = sizeof(ck);
	sa.auth = GW__V1__AUTH__AUTH_HMAC_SHA1_96;
	sa.auth_key.data = ak;
	sa.auth_key.len = sizeof(ak);
	p.map = (char *)"vpn";
	p.seq = 10;
	p.sa_out_esp = 9;
	t.generation = 5;
	t.n_sas = 1;
	t.sas = sas;
	t.n_policies = 1;
	t.policies = pols;
	n = gw__v1__tables__pack(&t, buf);
	return gw__v1__tables__unpack(NULL, n, buf);
}

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
		g0 = tables_build(base(), "w", NULL, &err);
		if (g0 != NULL && (t = tables_merge(g0, env->delta, &err)) != NULL) {
			g = tables_build(t, "w", g0, &err);
			tables_free(g);
		}
		tables_free(g0);
	}
	gw__v1__envelope__free_unpacked(env, NULL);
	return 0;
}
