/* sample_tables.h: for the fuzz targets: a small valid generation, one outbound ESP SA
 * (id 9, SPI 1000, AES-128-CBC + HMAC-SHA1-96, local -> peer) and the crypto map entry vpn 10
 * that uses it, as controld would send it (packed and unpacked: owned by the caller). */
#ifndef GW_SAMPLE_TABLES_H
#define GW_SAMPLE_TABLES_H

#include <stdint.h>

#include "proto/gw.pb-c.h"

static inline Gw__V1__Tables *
sample_tables(uint32_t local, uint32_t peer)
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
	sa.local = local;
	sa.peer = peer;
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

#endif
