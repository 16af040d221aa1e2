/* SPDX-License-Identifier: Apache-2.0 */
/* test_sa.h: the SAs that tests and fuzz targets set up, made in one place (tests/lib/test_sa.c,
 * library gwtest): a transform keyed both ways, for what common/ tests and fuzzes (esp_fuzz,
 * ah_fuzz), and a table generation as controld sends it, for what datad tests and fuzzes
 * (in_test, out_test, io_test, tables_test, tables_fuzz, mtu_fuzz).  Set-up only: every
 * function here aborts rather than fail, since a test without its SAs has nothing to say. */
#ifndef GW_TEST_SA_H
#define GW_TEST_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/xform.h"
#include "proto/gw.pb-c.h"

/* One transform: cipher and key length (AEAD keys end in their 4 salt bytes), the IV size of
 * esp-rfc1829 (4 or 8; else 0), authenticator and key length. */
struct test_xf {
	enum xform_cipher	c;
	uint16_t		clen;
	unsigned		iv_size;
	enum xform_auth		a;
	uint16_t		alen;
};

/* Key t both ways into enc and dec, with keys made from two seeds: cipher key byte j is
 * ck0 + j, authenticator key byte j is ak0 ^ j.  A harness keeps its seeds: its corpus holds
 * packets that verify under them. */
void	test_xf_pair(const struct test_xf *t, uint8_t ck0, uint8_t ak0, struct xform *enc,
	    struct xform *dec);

/* One SA of a generation.  ESP is AES-128-CBC with HMAC-SHA1-96 (no_auth: the cipher alone;
 * gcm: AES-128-GCM with the key test_gkey, its last 4 bytes the salt),
 * AH is HMAC-SHA1-96, both with the keys test_ckey and test_akey, so an outbound SA and an
 * inbound one with the same SPI are the two ends of one flow. */
struct test_sa {
	uint64_t	id;
	bool		inbound;
	uint8_t		proto;			/* 50 or 51 */
	uint32_t	spi;
	uint32_t	local, peer;		/* host order */
	bool		no_auth;		/* ESP: a cipher alone */
	bool		gcm;			/* ESP: AES-128-GCM-16, key test_gkey */
	bool		udp;			/* ESP in UDP 4500 (RFC 3948) */
	bool		transport;		/* else tunnel mode */
	uint64_t	bundle;			/* id of its AH+ESP partner; 0 = none */
	uint32_t	replay_window, replay_floor;
	const Gw__V1__Selector *flow;		/* NULL: none */
	const char	*owner;			/* inbound: the worker that owns it; NULL: "w1" */
	uint64_t	hard_expire_unix_ms;	/* hard lifetime (gw.v1.Sa); 0 = none */
	uint64_t	hard_bytes;
};

/* One access-list entry of a crypto map entry. */
struct test_ace {
	bool			permit;
	Gw__V1__Selector	sel;
};

/* One negotiated flow of an ipsec-isakmp or dynamic entry and its outbound SAs (gw.v1.FlowSa). */
struct test_flow {
	Gw__V1__Selector	flow;		/* local -> remote */
	uint64_t		sa_esp, sa_ah;	/* outbound SA ids; 0 = none */
};

/* One crypto map entry "vpn seq", in the order given. */
struct test_policy {
	uint32_t		seq;
	uint32_t		local, peer;	/* host order */
	uint64_t		sa_esp, sa_ah;	/* outbound SA ids; 0 = none */
	const struct test_ace	*aces;
	size_t			n_aces;
	Gw__V1__EntryKind	kind;		/* 0: ipsec-manual */
	const struct test_flow	*flows;		/* oldest first, as controld sends them */
	size_t			n_flows;
	bool			no_acl;		/* a dynamic entry without a list */
};

extern const uint8_t	test_ckey[16], test_akey[20], test_gkey[20];

/* src/src_len -> dst/dst_len, any protocol, port and TOS (host order, as the wire message). */
Gw__V1__Selector	test_sel(uint32_t src, unsigned src_len, uint32_t dst, unsigned dst_len);

/* A generation of these SAs and entries, packed and unpacked as datad receives it: the caller
 * owns it (tables_build takes it). */
Gw__V1__Tables	*test_tables(uint64_t generation, const struct test_sa *sas, size_t n_sas,
		    const struct test_policy *pols, size_t n_pols);

/* The fuzz targets' generation 5: one outbound ESP SA (id 9, SPI 1000, local -> peer) and the
 * crypto map entry vpn 10 that uses it, with no access list.  Caller owns it. */
Gw__V1__Tables	*test_tables_sample(uint32_t local, uint32_t peer);

/* The head of an ESP or AH fuzz input: byte 0 picks the SA (low 4 bits, modulo n_sa) and ESN
 * (bit 4), bytes 1-8 the sequence number (big-endian); the rest is the packet. */
struct test_fuzz_head {
	size_t		sa;
	bool		esn;
	uint64_t	seq;
	const uint8_t	*body;
	size_t		n;		/* the body's bytes, at most max */
};

/* false when the input is shorter than its head. */
bool	test_fuzz_head(const uint8_t *data, size_t size, size_t n_sa, size_t max,
	    struct test_fuzz_head *h);

#endif
