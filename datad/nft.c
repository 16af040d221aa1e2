/* SPDX-License-Identifier: Apache-2.0 */
/* nft.c: the nftables filter a generation implies, outside the fast path: unprotected inbound
 * traffic that matches a permit (selectors reversed) is dropped and counted (seed: "that
 * packet is dropped because it was not sent as an IPSec-protected packet"), and so is outbound
 * cleartext that matches a permit but did not go through the TUN (fail closed while no datad
 * runs).  ESP, AH and UDP 500/4500 are exempt only on the input hook, addressed to the gateway
 * itself (datad judges them); forwarded, they are cleartext like the rest (invariant 5).  One
 * nft transaction per generation, so the filter changes atomically with the tables
 * (invariant 3).  nft(8) runs only when a generation changes the ruleset (a negotiated SA
 * alone does not: IKE setting up hundreds of tunnels a second must not fork nft for each),
 * never per packet; the drop counter is read over netlink, and a table someone else removed
 * (a firewall reload's "flush ruleset") is put back within 2 s: we fail closed, not open. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/log.h"
#include "datad/worker.h"

/* nft match of an access-list entry; rev swaps source and destination (inbound). */
static void
nft_sel(FILE *f, const struct sel *s, bool rev)
{
	uint32_t a[2] = { s->src, s->dst }, m[2] = { s->src_mask, s->dst_mask };
	const char *dir[2] = { rev ? "daddr" : "saddr", rev ? "saddr" : "daddr" };
	const char *pdir[2] = { rev ? "dport" : "sport", rev ? "sport" : "dport" };
	bool neq[2] = { s->sport_neq, s->dport_neq };
	uint16_t lo[2] = { s->sport_lo, s->dport_lo }, hi[2] = { s->sport_hi, s->dport_hi };

	if (s->proto != 0)
		fprintf(f, " ip protocol %u", s->proto);
	for (int i = 0; i < 2; i++) {
		struct in_addr ia = { htonl(a[i]) }, im = { htonl(m[i]) };
		char as[INET_ADDRSTRLEN], ms[INET_ADDRSTRLEN];
		unsigned plen = (unsigned)__builtin_popcount(m[i]);

		if (m[i] == 0)
			continue;
		inet_ntop(AF_INET, &ia, as, sizeof(as));
		inet_ntop(AF_INET, &im, ms, sizeof(ms));
		if (m[i] == (plen ? 0xffffffffu << (32 - plen) : 0))
			fprintf(f, " ip %s %s/%u", dir[i], as, plen);
		else
			fprintf(f, " ip %s & %s == %s", dir[i], ms, as);
	}
	for (int i = 0; i < 2; i++) {
		const char *l4 = s->proto == 6 ? "tcp" : s->proto == 17 ? "udp" : "th";

		if (!neq[i] && lo[i] == 0 && hi[i] == 65535)
			continue;
		if (lo[i] == hi[i])
			fprintf(f, " %s %s %s%u", l4, pdir[i], neq[i] ? "!= " : "", lo[i]);
		else
			fprintf(f, " %s %s %s%u-%u", l4, pdir[i], neq[i] ? "!= " : "", lo[i], hi[i]);
	}
	if (s->precedence >= 0)
		fprintf(f, " @nh,8,3 %d", s->precedence);
	if (s->tos >= 0)
		fprintf(f, " @nh,11,4 %d", s->tos);
}

static int	nft_clear_in_read(struct worker *w, uint64_t *pk);

static const char *const nft_argv[] = { "nft", "-f", "-", NULL };

/* The filter drops a packet when some entry's list permits it (the first ACE it matches is a
 * permit): an OR over the entries, whatever their order.  So an entry whose ACEs are all
 * permits of addresses alone (any protocol, port and TOS, both masks prefixes), or an entry
 * without a list whose negotiated flows are, is a union of (source, destination) prefix
 * pairs, and those of every such entry go into concatenated interval sets, looked up once a
 * packet whatever their number (the kernel's pipapo sets).  The rest keep a chain each,
 * walked in turn.  A set refuses overlapping elements, so an element goes into the first of
 * NFT_SETS sets it overlaps nothing in; one that fits none gets a rule of its own.  Without
 * the sets every forwarded packet walked a chain per entry: with 2000 entries that cost the
 * tunnel more than half its packets (docs/adr/0012-spd-classifier-flow-cache.md). */
enum { NFT_SETS = 8 };

struct nft_el {
	uint32_t	src, src_mask, dst, dst_mask;
};

struct nft_sets {
	struct nft_el	*el[NFT_SETS];
	uint32_t	n[NFT_SETS];
	struct nft_el	*loose;		/* fit no set: a rule each */
	uint32_t	n_loose;
	bool		*chained;	/* per entry: walked in its own chain */
};

static bool
nft_prefix(uint32_t m)
{
	return (m & (~m >> 1)) == 0 && (m == 0 || (m & 0x80000000u));
}

static bool
nft_set_able(const struct sel *s, bool permit)
{
	return permit && s->proto == 0 && !s->sport_neq && !s->dport_neq && s->sport_lo == 0 &&
	    s->sport_hi == 65535 && s->dport_lo == 0 && s->dport_hi == 65535 && s->tos < 0 &&
	    s->precedence < 0 && nft_prefix(s->src_mask) && nft_prefix(s->dst_mask);
}

/* Do two prefixes share an address?  One contains the other. */
static bool
nft_meet(uint32_t a, uint32_t am, uint32_t b, uint32_t bm)
{
	return ((a ^ b) & am & bm) == 0;
}

static void
nft_place(struct nft_sets *ns, const struct sel *s, uint32_t cap)
{
	struct nft_el e = { s->src & s->src_mask, s->src_mask, s->dst & s->dst_mask, s->dst_mask };

	for (unsigned k = 0; k < NFT_SETS; k++) {
		bool fits = true;

		for (uint32_t i = 0; i < ns->n[k] && fits; i++) {
			const struct nft_el *o = &ns->el[k][i];

			if (memcmp(o, &e, sizeof(e)) == 0)
				return;			/* the same pair again: once is enough */
			fits = !nft_meet(o->src, o->src_mask, e.src, e.src_mask) ||
			    !nft_meet(o->dst, o->dst_mask, e.dst, e.dst_mask);
		}
		if (fits && ns->n[k] < cap) {
			ns->el[k][ns->n[k]++] = e;
			return;
		}
	}
	ns->loose[ns->n_loose++] = e;
}

/* Sort g's entries into set elements and chains; -1 when out of memory. */
static int
nft_sort(struct nft_sets *ns, const struct gen *g)
{
	uint32_t cap = 0;

	memset(ns, 0, sizeof(*ns));
	for (uint32_t i = 0; i < g->n_pol; i++)
		cap += g->pol[i].no_acl ? g->pol[i].n_flows : g->pol[i].n_aces;
	for (unsigned k = 0; k < NFT_SETS; k++)
		if ((ns->el[k] = calloc(cap ? cap : 1, sizeof(struct nft_el))) == NULL)
			return -1;
	if ((ns->loose = calloc(cap ? cap : 1, sizeof(struct nft_el))) == NULL ||
	    (ns->chained = calloc(g->n_pol ? g->n_pol : 1, sizeof(bool))) == NULL)
		return -1;
	for (uint32_t i = 0; i < g->n_pol; i++) {
		const struct policy *p = &g->pol[i];
		uint32_t n = p->no_acl ? p->n_flows : p->n_aces;

		for (uint32_t j = 0; j < n && !ns->chained[i]; j++)
			ns->chained[i] = p->no_acl ? !nft_set_able(&p->flows[j].flow, true) :
			    !nft_set_able(&p->aces[j].sel, p->aces[j].permit);
		for (uint32_t j = 0; j < n && !ns->chained[i]; j++)
			nft_place(ns, p->no_acl ? &p->flows[j].flow : &p->aces[j].sel, cap);
	}
	return 0;
}

static void
nft_sets_free(struct nft_sets *ns)
{
	for (unsigned k = 0; k < NFT_SETS; k++)
		free(ns->el[k]);
	free(ns->loose);
	free(ns->chained);
}

static void
nft_el(FILE *f, const struct nft_el *e)
{
	uint32_t a[2] = { e->src, e->dst }, m[2] = { e->src_mask, e->dst_mask };

	for (int i = 0; i < 2; i++) {
		struct in_addr ia = { htonl(a[i]) };
		char as[INET_ADDRSTRLEN];
		unsigned plen = (unsigned)__builtin_popcount(m[i]);

		inet_ntop(AF_INET, &ia, as, sizeof(as));
		if (plen == 32)
			fprintf(f, "%s%s", i ? " . " : "", as);
		else
			fprintf(f, "%s%s/%u", i ? " . " : "", as, plen);
	}
}

/* The sets, and the chain of each entry that is not in them. */
static void
nft_parts(FILE *f, const struct gen *g, const struct nft_sets *ns)
{
	for (unsigned k = 0; k < NFT_SETS; k++) {
		if (ns->n[k] == 0)
			continue;
		fprintf(f, "  set p%u { type ipv4_addr . ipv4_addr; flags interval;\n"
		    "   elements = {", k);
		for (uint32_t i = 0; i < ns->n[k]; i++) {
			fprintf(f, i ? ",\n    " : " ");
			nft_el(f, &ns->el[k][i]);
		}
		fprintf(f, " }\n  }\n");
	}
	for (uint32_t i = 0; i < g->n_pol; i++) {
		const struct policy *p = &g->pol[i];

		if (!ns->chained[i])
			continue;
		for (int rev = 0; rev < 2; rev++) {
			fprintf(f, "  chain e%u_%s {\n", i, rev ? "in" : "out");
			for (uint32_t j = 0; !p->no_acl && j < p->n_aces; j++) {
				fprintf(f, "   ");
				nft_sel(f, &p->aces[j].sel, rev);
				if (p->aces[j].permit)
					fprintf(f, " counter name clear_%s drop\n", rev ? "in" : "out");
				else
					fprintf(f, " return\n");
			}
			/* a dynamic entry without a list: its negotiated flows are its permits */
			for (uint32_t j = 0; p->no_acl && j < p->n_flows; j++) {
				fprintf(f, "   ");
				nft_sel(f, &p->flows[j].flow, rev);
				fprintf(f, " counter name clear_%s drop\n", rev ? "in" : "out");
			}
			fprintf(f, "  }\n");
		}
	}
}

/* One direction's check: the sets, the loose elements, then the chained entries. */
static void
nft_check_chain(FILE *f, const struct gen *g, const struct nft_sets *ns, bool rev)
{
	const char *dir = rev ? "in" : "out";
	const char *key = rev ? "ip daddr . ip saddr" : "ip saddr . ip daddr";

	for (unsigned k = 0; k < NFT_SETS; k++)
		if (ns->n[k] != 0)
			fprintf(f, "   %s @p%u counter name clear_%s drop\n", key, k, dir);
	for (uint32_t i = 0; i < ns->n_loose; i++) {
		struct sel s = { .src = ns->loose[i].src, .src_mask = ns->loose[i].src_mask,
		    .dst = ns->loose[i].dst, .dst_mask = ns->loose[i].dst_mask, .sport_hi = 65535,
		    .dport_hi = 65535, .tos = -1, .precedence = -1 };

		fprintf(f, "   ");
		nft_sel(f, &s, rev);
		fprintf(f, " counter name clear_%s drop\n", dir);
	}
	for (uint32_t i = 0; i < g->n_pol; i++)
		if (ns->chained[i])
			fprintf(f, "   jump e%u_%s\n", i, dir);
}

static char *
nft_ruleset(struct worker *w, const struct gen *g)
{
	struct nft_sets ns;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (nft_sort(&ns, g) != 0) {
		nft_sets_free(&ns);
		return NULL;
	}
	if ((f = open_memstream(&buf, &len)) == NULL) {
		nft_sets_free(&ns);
		return NULL;
	}
	fprintf(f, "table ip ipsecgw_%s\ndelete table ip ipsecgw_%s\n", w->o.tun, w->o.tun);
	fprintf(f, "table ip ipsecgw_%s {\n", w->o.tun);
	fprintf(f, "  counter clear_in { }\n  counter clear_out { }\n");
	nft_parts(f, g, &ns);
	/* inbound: whatever did not come out of our TUN, forwarded or to the gateway itself */
	fprintf(f, "  chain in_check {\n   iifname \"%s\" return\n", w->o.tun);
	nft_check_chain(f, g, &ns, true);
	fprintf(f, "  }\n  chain out_check {\n   oifname \"%s\" return\n", w->o.tun);
	fprintf(f, "   meta mark 0x%x return\n", w->o.mark);
	nft_check_chain(f, g, &ns, false);
	fprintf(f, "  }\n");
	/* ESP, AH and IKE/NAT-T are datad's to judge (SPI, ICV, the SA's flow) only when they
	 * are addressed to this gateway: input hook only, where the kernel has reassembled
	 * them.  Forwarded, they are cleartext like any other and meet the permits: a spoofed
	 * protected source must not reach a protected host as "ESP" or on UDP 500/4500. */
	fprintf(f, "  chain forward { type filter hook forward priority -5; policy accept;\n"
	    "   jump in_check\n   jump out_check\n  }\n");
	fprintf(f, "  chain input { type filter hook input priority -5; policy accept;\n"
	    "   meta l4proto { 50, 51 } accept\n   udp dport { 500, 4500 } accept\n"
	    "   jump in_check\n  }\n}\n");
	fclose(f);
	nft_sets_free(&ns);
	return buf;
}

int
nft_apply(struct worker *w, const struct gen *g, struct gw_err *err)
{
	char *rules = nft_ruleset(w, g);
	uint64_t pk;

	if (rules == NULL)
		return gw_fail(err, 0, "nftables ruleset: out of memory");
	if (w->nft_rules != NULL && strcmp(w->nft_rules, rules) == 0) {
		free(rules);		/* the table in the kernel is this one */
		return 0;
	}
	if (w->nft_rules != NULL && nft_clear_in_read(w, &pk) == 1)
		w->clear_in_base += pk;		/* counters restart with the new table */
	if (sys_run(nft_argv, rules, err) != 0) {
		free(rules);
		return -1;
	}
	free(w->nft_rules);
	w->nft_rules = rules;
	w->clear_in_last = 0;
	return 0;
}

void
nft_check(struct worker *w)
{
	struct gw_err err = { 0, "" };
	uint64_t pk;
	int rc = nft_clear_in_read(w, &pk);

	if (rc == 1) {
		w->clear_in_last = pk;
	} else if (rc == 0 && w->nft_rules != NULL) {
		log_warn("nftables table ipsecgw_%s was removed by someone else: putting it back",
		    w->o.tun);
		w->clear_in_base += w->clear_in_last;
		w->clear_in_last = 0;
		if (sys_run(nft_argv, w->nft_rules, &err) != 0)
			log_err("putting back nftables table ipsecgw_%s: %s", w->o.tun, err.msg);
	}
	w->drops[DROP_CLEAR_IN] = w->clear_in_base + w->clear_in_last;
}

void
nft_remove(struct worker *w)
{
	char tbl[96];
	struct gw_err err;

	snprintf(tbl, sizeof(tbl), "table ip ipsecgw_%s\ndelete table ip ipsecgw_%s\n", w->o.tun,
	    w->o.tun);
	if (sys_run(nft_argv, tbl, &err) != 0)
		log_warn("removing nftables table: %s", err.msg);
	free(w->nft_rules);
	w->nft_rules = NULL;
}

/* One netlink attribute into b at *off (NLA_ALIGN'd). */
static void
nla_put(uint8_t *b, size_t *off, uint16_t type, const void *v, uint16_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type };

	memcpy(b + *off, &a, sizeof(a));
	memcpy(b + *off + NLA_HDRLEN, v, len);
	*off += NLA_ALIGN(NLA_HDRLEN + len);
}

/* The packets of counter clear_in in our nftables table into *pk, asked of the kernel over
 * netlink (NFT_MSG_GETOBJ): tens of microseconds, no fork, so the loop can ask every 2 s while
 * it forwards.  The kernel answers within the send, so the receive does not wait.  1 read, 0
 * the kernel says the table (or its counter) is not there, -1 no answer (netlink failed). */
static int
nft_clear_in_read(struct worker *w, uint64_t *pk)
{
	union {
		uint8_t		b[1024];
		struct nlmsghdr	align;
	} req, resp;
	struct nlmsghdr nh = { 0 };
	struct nfgenmsg nf = { .nfgen_family = NFPROTO_IPV4, .version = NFNETLINK_V0 };
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char table[64];
	uint32_t type_be = htonl(NFT_OBJECT_COUNTER);
	size_t off = NLMSG_HDRLEN;
	ssize_t n;
	int rc = -1;

	if (w->nl_fd < 0 && (w->nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_NETFILTER)) < 0) {
		log_debug("netlink socket: %s", strerror(errno));
		return -1;
	}
	snprintf(table, sizeof(table), "ipsecgw_%s", w->o.tun);
	memcpy(req.b + off, &nf, sizeof(nf));
	off += NLMSG_ALIGN(sizeof(nf));
	nla_put(req.b, &off, NFTA_OBJ_TABLE, table, (uint16_t)(strlen(table) + 1));
	nla_put(req.b, &off, NFTA_OBJ_NAME, "clear_in", sizeof("clear_in"));
	nla_put(req.b, &off, NFTA_OBJ_TYPE, &type_be, sizeof(type_be));
	nh.nlmsg_len = (uint32_t)off;
	nh.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETOBJ;
	nh.nlmsg_flags = NLM_F_REQUEST;
	nh.nlmsg_seq = ++w->nl_seq;
	memcpy(req.b, &nh, sizeof(nh));
	if (sendto(w->nl_fd, req.b, off, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -1;
	*pk = 0;
	/* the answer (or an error) is queued already; skip stale ones from an earlier ask */
	while ((n = recv(w->nl_fd, resp.b, sizeof(resp.b), MSG_DONTWAIT)) > 0) {
		for (struct nlmsghdr *h = &resp.align; NLMSG_OK(h, (size_t)n);
		    h = NLMSG_NEXT(h, n)) {
			size_t len, at;

			if (h->nlmsg_seq != w->nl_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr e;

				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(e))) {
					memcpy(&e, NLMSG_DATA(h), sizeof(e));
					rc = e.error == -ENOENT ? 0 : rc;
				}
				continue;
			}
			if (h->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWOBJ))
				continue;
			rc = 1;
			len = h->nlmsg_len;
			for (at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nf)); at + NLA_HDRLEN <= len;) {
				struct nlattr a, c;
				size_t in;

				memcpy(&a, (uint8_t *)h + at, sizeof(a));
				if (a.nla_len < NLA_HDRLEN || at + a.nla_len > len)
					break;
				if ((a.nla_type & NLA_TYPE_MASK) == NFTA_OBJ_DATA)
					for (in = at + NLA_HDRLEN; in + NLA_HDRLEN <= at + a.nla_len;
					    in += NLA_ALIGN(c.nla_len)) {
						memcpy(&c, (uint8_t *)h + in, sizeof(c));
						if (c.nla_len < NLA_HDRLEN ||
						    in + c.nla_len > at + a.nla_len)
							break;
						if ((c.nla_type & NLA_TYPE_MASK) ==
						    NFTA_COUNTER_PACKETS &&
						    c.nla_len >= NLA_HDRLEN + 8) {
							memcpy(pk, (uint8_t *)h + in + NLA_HDRLEN, 8);
							*pk = be64toh(*pk);
						}
					}
				at += NLA_ALIGN(a.nla_len);
			}
		}
	}
	return rc;
}
