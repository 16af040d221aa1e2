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

static char *
nft_ruleset(struct worker *w, const struct gen *g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	fprintf(f, "table ip ipsecgw_%s\ndelete table ip ipsecgw_%s\n", w->o.tun, w->o.tun);
	fprintf(f, "table ip ipsecgw_%s {\n", w->o.tun);
	fprintf(f, "  counter clear_in { }\n  counter clear_out { }\n");
	for (uint32_t i = 0; i < g->n_pol; i++) {
		const struct policy *p = &g->pol[i];

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
	/* inbound: whatever did not come out of our TUN, forwarded or to the gateway itself */
	fprintf(f, "  chain in_check {\n   iifname \"%s\" return\n", w->o.tun);
	for (uint32_t i = 0; i < g->n_pol; i++)
		fprintf(f, "   jump e%u_in\n", i);
	fprintf(f, "  }\n  chain out_check {\n   oifname \"%s\" return\n", w->o.tun);
	fprintf(f, "   meta mark 0x%x return\n", w->o.mark);
	for (uint32_t i = 0; i < g->n_pol; i++)
		fprintf(f, "   jump e%u_out\n", i);
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
	return buf;
}

int
nft_apply(struct worker *w, const struct gen *g, struct gw_err *err)
{
	char *rules = nft_ruleset(w, g);
	uint64_t pk;

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
