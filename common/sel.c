/* SPDX-License-Identifier: Apache-2.0 */
/* sel.c: extended access-list matching on the data path (docs/design.md invariant 5). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "common/pkt.h"
#include "common/sel.h"

int
sel_flow(struct flow *f, const uint8_t *ip, uint32_t len)
{
	const struct ip4_hdr *h = (const struct ip4_hdr *)ip;
	uint32_t ihl;
	uint16_t frag;

	if (len < sizeof(*h) || (h->ver_ihl >> 4) != 4)
		return -1;
	ihl = (uint32_t)(h->ver_ihl & 0x0f) * 4;
	if (ihl < sizeof(*h) || ihl > len || ntohs(h->len_be) > len || ntohs(h->len_be) < ihl)
		return -1;
	f->src = ntohl(h->src_be);
	f->dst = ntohl(h->dst_be);
	f->proto = h->proto;
	f->tos = h->tos;
	f->has_ports = false;
	f->sport = f->dport = 0;
	frag = ntohs(h->frag_be);
	if ((frag & 0x1fff) == 0 && (h->proto == 6 || h->proto == 17 || h->proto == 132) &&
	    ntohs(h->len_be) >= ihl + sizeof(struct l4_ports)) {
		const struct l4_ports *p = (const struct l4_ports *)(ip + ihl);

		f->has_ports = true;
		f->sport = ntohs(p->sport_be);
		f->dport = ntohs(p->dport_be);
	}
	return 0;
}

static bool
port_ok(bool neq, uint16_t lo, uint16_t hi, bool has, uint16_t port)
{
	bool in;

	if (lo == 0 && hi == 65535 && !neq)
		return true;
	if (!has)		/* a later fragment: its ports are unknown, so no port entry matches */
		return false;
	in = port >= lo && port <= hi;
	return neq ? !in : in;
}

static bool
match(const struct sel *s, uint32_t src, uint32_t dst, uint16_t sp, uint16_t dp,
    const struct flow *f)
{
	if (((src ^ s->src) & s->src_mask) != 0 || ((dst ^ s->dst) & s->dst_mask) != 0)
		return false;
	if (s->proto != 0 && s->proto != f->proto)
		return false;
	if (s->tos >= 0 && ((f->tos >> 1) & 0x0f) != s->tos)
		return false;
	if (s->precedence >= 0 && (f->tos >> 5) != s->precedence)
		return false;
	return port_ok(s->sport_neq, s->sport_lo, s->sport_hi, f->has_ports, sp) &&
	    port_ok(s->dport_neq, s->dport_lo, s->dport_hi, f->has_ports, dp);
}

bool
sel_match(const struct sel *s, const struct flow *f)
{
	return match(s, f->src, f->dst, f->sport, f->dport, f);
}

bool
sel_match_rev(const struct sel *s, const struct flow *f)
{
	return match(s, f->dst, f->src, f->dport, f->sport, f);
}

unsigned
sel_dst_prefix(const struct sel *s, uint32_t *net)
{
	unsigned n = 0;

	while (n < 32 && (s->dst_mask & (0x80000000u >> n)))
		n++;
	*net = n == 0 ? 0 : s->dst & (0xffffffffu << (32 - n));
	return n;
}

static void
fmt_addr(char *buf, unsigned len, uint32_t a, uint32_t mask)
{
	struct in_addr ia = { htonl(a) }, iw = { htonl(~mask) };
	char as[16], ws[16];

	inet_ntop(AF_INET, &ia, as, sizeof(as));
	inet_ntop(AF_INET, &iw, ws, sizeof(ws));
	if (mask == 0)
		snprintf(buf, len, "any");
	else if (mask == 0xffffffffu)
		snprintf(buf, len, "host %s", as);
	else
		snprintf(buf, len, "%s %s", as, ws);
}

static void
fmt_port(char *buf, unsigned len, bool neq, uint16_t lo, uint16_t hi)
{
	if (!neq && lo == 0 && hi == 65535)
		buf[0] = '\0';
	else if (neq)
		snprintf(buf, len, " neq %u", lo);
	else if (lo == hi)
		snprintf(buf, len, " eq %u", lo);
	else if (lo == 0)
		snprintf(buf, len, " lt %u", hi + 1);
	else if (hi == 65535)
		snprintf(buf, len, " gt %u", lo - 1);
	else
		snprintf(buf, len, " range %u %u", lo, hi);
}

void
sel_format(const struct sel *s, bool permit, char *buf, unsigned len)
{
	char src[40], dst[40], sp[24], dp[24], proto[8];

	fmt_addr(src, sizeof(src), s->src, s->src_mask);
	fmt_addr(dst, sizeof(dst), s->dst, s->dst_mask);
	fmt_port(sp, sizeof(sp), s->sport_neq, s->sport_lo, s->sport_hi);
	fmt_port(dp, sizeof(dp), s->dport_neq, s->dport_lo, s->dport_hi);
	switch (s->proto) {
	case 0: strcpy(proto, "ip"); break;
	case 1: strcpy(proto, "icmp"); break;
	case 6: strcpy(proto, "tcp"); break;
	case 17: strcpy(proto, "udp"); break;
	default: snprintf(proto, sizeof(proto), "%u", s->proto); break;
	}
	snprintf(buf, len, "%s %s %s%s %s%s", permit ? "permit" : "deny", proto, src, sp, dst, dp);
}
