/* SPDX-License-Identifier: Apache-2.0 */
/* link_test.c: what crosses the link is wiped before it is freed (session keys in Tables and
 * Delta, nested in an Envelope: link_wipe walks every bytes field of every message inside),
 * and a message survives the framing whole. */
#include <stdlib.h>
#include <string.h>

#include "common/link.h"
#include "tests/lib/test.h"

static bool
zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

int
main(void)
{
	static const uint8_t ck[36] = { 0xa1, 0xa2, 0xa3, 0xa4, [35] = 0x99 };
	static const uint8_t ak[20] = { 0xc1, 0xc2, [19] = 0x77 };
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT, *u;
	Gw__V1__Delta d = GW__V1__DELTA__INIT;
	Gw__V1__Sa sa[2] = { GW__V1__SA__INIT, GW__V1__SA__INIT }, *sp[2] = { &sa[0], &sa[1] };
	Gw__V1__IkeDatagram ike = GW__V1__IKE_DATAGRAM__INIT;
	Gw__V1__Envelope e2 = GW__V1__ENVELOPE__INIT, *u2;
	uint8_t *buf;
	size_t len;

	for (int i = 0; i < 2; i++) {
		sa[i].id = 1 + (uint64_t)i;
		sa[i].cipher_key.data = (uint8_t *)ck;
		sa[i].cipher_key.len = sizeof(ck);
		sa[i].auth_key.data = (uint8_t *)ak;
		sa[i].auth_key.len = sizeof(ak);
		sa[i].map = (char *)"vpn";
	}
	d.generation = 7;
	d.n_sa_upsert = 2;
	d.sa_upsert = sp;
	env.version = LINK_VERSION;
	env.body_case = GW__V1__ENVELOPE__BODY_DELTA;
	env.delta = &d;
	len = protobuf_c_message_get_packed_size(&env.base);
	buf = malloc(len);
	protobuf_c_message_pack(&env.base, buf);
	u = gw__v1__envelope__unpack(NULL, len, buf);
	free(buf);
	T_OK(u != NULL && u->delta != NULL && u->delta->n_sa_upsert == 2, "unpacks");
	if (u == NULL)
		return t_done();
	T_MEMEQ(u->delta->sa_upsert[1]->cipher_key.data, ck, sizeof(ck), "keys as sent");
	link_wipe(&u->base);
	for (int i = 0; i < 2; i++) {
		const Gw__V1__Sa *s = u->delta->sa_upsert[i];

		T_OK(zero(s->cipher_key.data, s->cipher_key.len), "SA %d: cipher key wiped", i);
		T_OK(zero(s->auth_key.data, s->auth_key.len), "SA %d: authenticator key wiped", i);
		T_EQ(s->cipher_key.len, sizeof(ck), "SA %d: only the bytes, not the lengths", i);
		T_STREQ(s->map, "vpn", "SA %d: strings are no keys: kept", i);
	}
	T_EQ(u->delta->generation, 7, "other fields kept");
	link_free(&u->base);

	/* another member of the oneof: the IKE datagram's bytes are wiped too */
	ike.data.data = (uint8_t *)ak;
	ike.data.len = sizeof(ak);
	e2.version = LINK_VERSION;
	e2.body_case = GW__V1__ENVELOPE__BODY_IKE;
	e2.ike = &ike;
	len = protobuf_c_message_get_packed_size(&e2.base);
	buf = malloc(len);
	protobuf_c_message_pack(&e2.base, buf);
	u2 = gw__v1__envelope__unpack(NULL, len, buf);
	free(buf);
	T_OK(u2 != NULL && u2->ike != NULL, "IKE envelope unpacks");
	if (u2 != NULL) {
		link_wipe(&u2->base);
		T_OK(zero(u2->ike->data.data, u2->ike->data.len), "IKE datagram wiped");
		link_free(&u2->base);
	}
	link_free(NULL);
	return t_done();
}
