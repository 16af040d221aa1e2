/* SPDX-License-Identifier: Apache-2.0 */
/* spd_case.h: random crypto maps and packets for holding the fast lookup (spd.c) to the plain
 * walk, shared by datad/spd_test.c (a seeded generator) and datad/spd_fuzz.c (libFuzzer's
 * bytes).  Addresses come from a small pool so that selectors and packets meet often; masks
 * are hosts, any, prefixes, IOS wildcards that are not prefixes and random bits; protocols,
 * port operators (eq, lt, gt, range, neq), TOS and precedence, permits and denies, entries of
 * every kind, entries without a list that match by their negotiated flows.  Test code only:
 * static functions, included once per program. */
#ifndef GW_SPD_CASE_H
#define GW_SPD_CASE_H

#include <stddef.h>
#include <stdint.h>

#include "common/sel.h"
#include "tests/lib/test_sa.h"

enum {
	CASE_POL	= 64,		/* entries at most */
	CASE_ACE	= 6,		/* ACEs of an entry at most */
	CASE_FLOWS	= 3,		/* negotiated flows of an entry at most */
	CASE_SA		= 9,		/* the one outbound SA entries and flows name */
};

/* A source of choices: d[0..n) when d is set (fuzz: 0 once spent), else xorshift64 from x. */
struct spd_rand {
	const uint8_t	*d;
	size_t		n;
	uint64_t	x;
};

struct spd_case {
	struct test_policy	pol[CASE_POL];
	struct test_ace		ace[CASE_POL][CASE_ACE];
	struct test_flow	flow[CASE_POL][CASE_FLOWS];
	size_t			n_pol;
};

/* A number in [0, n), n > 0. */
static uint32_t
spd_rand_u(struct spd_rand *r, uint32_t n)
{
	uint32_t v = 0;

	if (r->d == NULL) {
		r->x ^= r->x << 13;
		r->x ^= r->x >> 7;
		r->x ^= r->x << 17;
		v = (uint32_t)(r->x >> 32);
	} else {
		for (unsigned i = 0; i < (n > 256 ? 4u : 1u) && r->n > 0; i++, r->d++, r->n--)
			v = v << 8 | r->d[0];
	}
	return v % n;
}

/* 10.a.b.c, a and b from 0..2, c from a few: selectors and packets meet often. */
static uint32_t
spd_case_addr(struct spd_rand *r)
{
	static const uint8_t last[] = { 0, 1, 5, 128, 130, 255 };

	if (spd_rand_u(r, 16) == 0)
		return (uint32_t)spd_rand_u(r, 0xffffffffu) << 1 | spd_rand_u(r, 2);
	return 0x0a000000u | spd_rand_u(r, 3) << 16 | spd_rand_u(r, 3) << 8 |
	    last[spd_rand_u(r, sizeof(last))];
}

static uint32_t
spd_case_wild(struct spd_rand *r)
{
	static const uint32_t odd[] = { 0x0000ff00, 0x00ff00ff, 0x000000fe, 0x00030000,
	    0x00ffff00, 0x80000001 };

	switch (spd_rand_u(r, 7)) {
	case 0:
	case 1:
		return 0;					/* host */
	case 2:
		return 0xffffffffu;				/* any */
	case 3:
		return 0xffffffffu >> (1 + spd_rand_u(r, 31));	/* a prefix */
	case 4:
		return 0xff;					/* /24 */
	case 5:
		return odd[spd_rand_u(r, sizeof(odd) / sizeof(odd[0]))];
	default:
		return (uint32_t)spd_rand_u(r, 0xffffffffu) << 1 | spd_rand_u(r, 2);
	}
}

static uint16_t
spd_case_port(struct spd_rand *r)
{
	static const uint16_t ports[] = { 0, 1, 53, 80, 443, 500, 1023, 1024, 4500, 65534, 65535 };

	return ports[spd_rand_u(r, sizeof(ports) / sizeof(ports[0]))];
}

static void
spd_case_ports(struct spd_rand *r, uint32_t *lo, uint32_t *hi, protobuf_c_boolean *neq)
{
	uint16_t a = spd_case_port(r), b = spd_case_port(r);

	*lo = 0;
	*hi = 65535;
	*neq = 0;
	switch (spd_rand_u(r, 6)) {
	case 0: *lo = *hi = a; break;				/* eq */
	case 1: *hi = a; break;					/* lt a + 1 */
	case 2: *lo = a; break;					/* gt a - 1 */
	case 3: *lo = a < b ? a : b; *hi = a < b ? b : a; break;	/* range */
	case 4: *lo = *hi = a; *neq = 1; break;			/* neq */
	default: break;						/* any */
	}
}

static Gw__V1__Selector
spd_case_sel(struct spd_rand *r)
{
	static const uint8_t protos[] = { 0, 0, 6, 17, 1, 132, 50 };
	Gw__V1__Selector s = test_sel(0, 0, 0, 0);

	s.src = spd_case_addr(r);
	s.src_wild = spd_case_wild(r);
	s.dst = spd_case_addr(r);
	s.dst_wild = spd_case_wild(r);
	s.proto = protos[spd_rand_u(r, sizeof(protos))];
	if (s.proto == 6 || s.proto == 17 || s.proto == 132 || spd_rand_u(r, 8) == 0) {
		spd_case_ports(r, &s.sport_lo, &s.sport_hi, &s.sport_neq);
		spd_case_ports(r, &s.dport_lo, &s.dport_hi, &s.dport_neq);
	}
	if (spd_rand_u(r, 10) == 0)
		s.tos = (int32_t)spd_rand_u(r, 16);
	if (spd_rand_u(r, 10) == 0)
		s.precedence = (int32_t)spd_rand_u(r, 8);
	return s;
}

/* A random crypto map of 1 to max_pol entries (<= CASE_POL) as generation gen, for
 * tables_build (which takes it); c holds what the message was made from. */
static Gw__V1__Tables *
spd_case_tables(struct spd_case *c, struct spd_rand *r, uint64_t gen, unsigned max_pol)
{
	static const Gw__V1__EntryKind kinds[] = { GW__V1__ENTRY_KIND__KIND_MANUAL,
	    GW__V1__ENTRY_KIND__KIND_ISAKMP, GW__V1__ENTRY_KIND__KIND_DYNAMIC };
	const struct test_sa sa = { .id = CASE_SA, .proto = 50, .spi = 1000,
	    .local = 0xc6336402, .peer = 0xc6336401 };

	c->n_pol = 1 + spd_rand_u(r, max_pol < CASE_POL ? max_pol : CASE_POL);
	for (size_t i = 0; i < c->n_pol; i++) {
		struct test_policy *p = &c->pol[i];

		*p = (struct test_policy){ .seq = (uint32_t)(10 * (i + 1)), .local = sa.local,
		    .peer = sa.peer, .aces = c->ace[i], .flows = c->flow[i] };
		p->kind = kinds[spd_rand_u(r, 3)];
		p->sa_esp = spd_rand_u(r, 2) ? CASE_SA : 0;
		p->n_aces = spd_rand_u(r, CASE_ACE + 1);
		for (size_t j = 0; j < p->n_aces; j++)
			c->ace[i][j] = (struct test_ace){ spd_rand_u(r, 3) != 0, spd_case_sel(r) };
		if (p->kind != GW__V1__ENTRY_KIND__KIND_MANUAL) {
			p->n_flows = spd_rand_u(r, CASE_FLOWS + 1);
			for (size_t j = 0; j < p->n_flows; j++)
				c->flow[i][j] = (struct test_flow){ spd_case_sel(r), CASE_SA, 0 };
		}
		p->no_acl = spd_rand_u(r, 5) == 0;
	}
	return test_tables(gen, &sa, 1, c->pol, c->n_pol);
}

/* A random packet's flow, as sel_flow() reads one. */
static void
spd_case_flow(struct flow *f, struct spd_rand *r)
{
	static const uint8_t protos[] = { 6, 17, 6, 17, 1, 132, 50 };

	f->src = spd_case_addr(r);
	f->dst = spd_case_addr(r);
	f->proto = spd_rand_u(r, 8) == 0 ? (uint8_t)spd_rand_u(r, 256) :
	    protos[spd_rand_u(r, sizeof(protos))];
	f->tos = (uint8_t)spd_rand_u(r, 256);
	f->has_ports = (f->proto == 6 || f->proto == 17 || f->proto == 132) &&
	    spd_rand_u(r, 8) != 0;			/* else a later fragment */
	f->sport = f->has_ports ? (spd_rand_u(r, 2) ? spd_case_port(r) :
	    (uint16_t)spd_rand_u(r, 65536)) : 0;
	f->dport = f->has_ports ? (spd_rand_u(r, 2) ? spd_case_port(r) :
	    (uint16_t)spd_rand_u(r, 65536)) : 0;
}

#endif
