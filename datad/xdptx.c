/* SPDX-License-Identifier: Apache-2.0 */
/* xdptx.c: Ethernet frames around sealed packets and the next hop of each peer, for AF_XDP
 * transmit (xdptx.h; docs/adr/0016-af-xdp-transmit.md).  The frame is what the kernel would
 * have sent from the raw socket: IPv4 with DF clear, TTL 64, the TOS given, an
 * Identification of ours; ESP in UDP with checksum 0 (RFC 3948 §2.1).  The next hop is the
 * kernel's own answer (RTM_GETROUTE with our mark, then RTM_GETNEIGH on its interface), never
 * a guess: no route or no valid neighbour means the raw socket, which also makes the kernel
 * resolve it.
 *
 * Invariant (xdptx.h): nothing here changes the sealed packet; every failure is "send it on
 * the raw socket". */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/ip4.h"
#include "common/pkt.h"
#include "datad/xdptx.h"

enum { TTL = 64, ETH_P_IP_ = 0x0800 };

uint32_t
xdptx_frame(uint8_t *f, uint32_t room, const struct xdptx_hdr *h, const uint8_t *pl,
    uint32_t len)
{
	struct ip4_hdr *ip = (struct ip4_hdr *)(f + XDPTX_ETH);
	uint32_t hl = h->proto == 0 ? 0 : IP4_HDR_MIN + (h->proto == IPPROTO_UDP ? 8u : 0u);
	uint32_t tot = hl + len;

	if (tot > UINT16_MAX || XDPTX_ETH + tot > room)
		return 0;
	if (h->proto == 0 && (len < IP4_HDR_MIN || (pl[0] >> 4) != 4 ||
	    (pl[0] & 0x0fu) * 4u < IP4_HDR_MIN || (pl[0] & 0x0fu) * 4u > len ||
	    ((uint32_t)pl[2] << 8 | pl[3]) != len))
		return 0;
	memcpy(f, h->dmac, 6);
	memcpy(f + 6, h->smac, 6);
	f[12] = ETH_P_IP_ >> 8;
	f[13] = ETH_P_IP_ & 0xff;
	memcpy(f + XDPTX_ETH + hl, pl, len);
	if (h->proto == 0) {
		/* as the kernel for IP_HDRINCL: an Identification only where it is 0 and the
		 * packet may be fragmented; with DF it stays 0, which AH's ICV covers (ah.c) */
		if (ip->id_be == 0 && !(ip->frag_be & htons(0x4000)))
			ip->id_be = htons(h->id);
		ip4_csum_set((uint8_t *)ip);
		return XDPTX_ETH + tot;
	}
	ip->ver_ihl = 0x45;
	ip->tos = h->tos;
	ip->len_be = htons((uint16_t)tot);
	ip->id_be = htons(h->id);
	ip->frag_be = 0;		/* DF clear, as the raw socket sends (IP_PMTUDISC_DONT) */
	ip->ttl = TTL;
	ip->proto = h->proto;
	ip->src_be = h->src_be;
	ip->dst_be = h->dst_be;
	ip4_csum_set((uint8_t *)ip);
	if (h->proto == IPPROTO_UDP) {
		struct udp_hdr *u = (struct udp_hdr *)(ip + 1);

		u->sport_be = h->sport_be;
		u->dport_be = h->dport_be;
		u->len_be = htons((uint16_t)(8 + len));
		u->csum_be = 0;		/* RFC 3948 §2.1: SHOULD be zero for ESP in UDP */
	}
	return XDPTX_ETH + tot;
}

void
xdptx_parse(const uint8_t *f, uint32_t len, struct xdptx_rx *r)
{
	const uint8_t *ip = f + XDPTX_ETH;
	uint32_t l = len > XDPTX_ETH ? len - XDPTX_ETH : 0, ihl, tot, ulen;

	memset(r, 0, sizeof(*r));
	r->off = XDPTX_ETH;
	if (l < IP4_HDR_MIN)
		return;			/* the program never steers one: a runt if it did */
	tot = (uint32_t)ip[2] << 8 | ip[3];
	if (tot >= IP4_HDR_MIN && tot < l)
		l = tot;		/* Ethernet padding after a short packet: not ours */
	memcpy(&r->src_be, ip + 12, 4);
	memcpy(&r->dst_be, ip + 16, 4);
	r->len = l;
	if (ip[9] != IPPROTO_UDP)
		return;
	r->udp = true;
	ihl = (ip[0] & 0x0fu) * 4u;
	if (ihl < IP4_HDR_MIN || ihl + 8 > l) {
		r->len = 0;
		return;
	}
	memcpy(&r->sport_be, ip + ihl, 2);
	ulen = (uint32_t)ip[ihl + 4] << 8 | ip[ihl + 5];
	r->off = XDPTX_ETH + ihl + 8;
	r->len = l - ihl - 8;
	if (ulen >= 8 && ulen - 8 < r->len)
		r->len = ulen - 8;
}

static uint32_t
slot_of(uint32_t peer_be)
{
	return (peer_be * 2654435761u) >> 24 & (XDPTX_HOPS - 1);
}

const struct xdptx_hop *
xdptx_get(const struct xdptx_cache *c, uint32_t peer_be, uint64_t gen, uint64_t now_ms)
{
	uint32_t s = slot_of(peer_be);

	for (uint32_t i = 0; i < XDPTX_WAYS; i++) {
		const struct xdptx_hop *h = &c->hop[(s + i) & (XDPTX_HOPS - 1)];

		if (h->until_ms != 0 && h->peer_be == peer_be)
			return h->gen == gen && now_ms < h->until_ms ? h : NULL;
	}
	return NULL;
}

const struct xdptx_hop *
xdptx_put(struct xdptx_cache *c, const struct xdptx_hop *h)
{
	uint32_t s = slot_of(h->peer_be);
	struct xdptx_hop *best = NULL;

	for (uint32_t i = 0; i < XDPTX_WAYS; i++) {
		struct xdptx_hop *e = &c->hop[(s + i) & (XDPTX_HOPS - 1)];

		if (e->until_ms == 0 || e->peer_be == h->peer_be) {
			best = e;
			break;
		}
		if (best == NULL || e->until_ms < best->until_ms)
			best = e;
	}
	*best = *h;
	return best;
}

void
xdptx_forget(struct xdptx_cache *c)
{
	memset(c, 0, sizeof(*c));
}

int
xdptx_nl_open(void)
{
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	struct sockaddr_nl a = { .nl_family = AF_NETLINK };
	int fd;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
nl_attr(struct nlmsghdr *n, unsigned short type, const void *v, unsigned short len)
{
	struct rtattr *a = (struct rtattr *)((char *)n + NLMSG_ALIGN(n->nlmsg_len));

	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(a), v, len);
	n->nlmsg_len = NLMSG_ALIGN(n->nlmsg_len) + RTA_ALIGN(a->rta_len);
}

/* Start request q (size bytes in all) of type with a header of hdr bytes; the header. */
static void *
nl_req(struct nlmsghdr *q, size_t size, uint16_t type, size_t hdr)
{
	memset(q, 0, size);
	q->nlmsg_len = NLMSG_LENGTH(hdr);
	q->nlmsg_type = type;
	q->nlmsg_flags = NLM_F_REQUEST;
	return NLMSG_DATA(q);
}

/* Send request q and read its answer into buf; the answer's message, or NULL (an error
 * message, a timeout, a stray message of another sequence number). */
static struct nlmsghdr *
nl_ask(int nl, struct nlmsghdr *q, char *buf, size_t size)
{
	static uint32_t seq;
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	struct nlmsghdr *a;
	ssize_t n;

	q->nlmsg_seq = ++seq;
	if (sendto(nl, q, q->nlmsg_len, 0, (struct sockaddr *)&k, sizeof(k)) < 0)
		return NULL;
	for (;;) {
		if ((n = recv(nl, buf, size, 0)) < 0)
			return NULL;
		a = (struct nlmsghdr *)buf;
		if (!NLMSG_OK(a, (size_t)n))
			return NULL;
		if (a->nlmsg_seq != q->nlmsg_seq)
			continue;		/* a late answer to an earlier question */
		return a->nlmsg_type == NLMSG_ERROR ? NULL : a;
	}
}

int
xdptx_resolve(int nl, uint32_t dst_be, uint32_t src_be, uint32_t mark, struct xdptx_hop *h)
{
	union {
		struct nlmsghdr	n;
		char		b[256];
	} q;
	char buf[4096];
	struct nlmsghdr *a;
	struct rtmsg *rt;
	struct ndmsg *nd;
	struct rtattr *ra;
	uint32_t via = dst_be;
	int len;

	h->oif = 0;
	h->have_mac = false;
	rt = nl_req(&q.n, sizeof(q), RTM_GETROUTE, sizeof(*rt));
	rt->rtm_family = AF_INET;
	rt->rtm_dst_len = 32;
	nl_attr(&q.n, RTA_DST, &dst_be, 4);
	if (src_be != 0) {
		rt->rtm_src_len = 32;
		nl_attr(&q.n, RTA_SRC, &src_be, 4);
	}
	nl_attr(&q.n, RTA_MARK, &mark, 4);	/* ours skip the protected table (io.c) */
	if ((a = nl_ask(nl, &q.n, buf, sizeof(buf))) == NULL)
		return errno == EAGAIN || errno == EWOULDBLOCK ? -1 : 0;
	if (a->nlmsg_type != RTM_NEWROUTE)
		return 0;
	rt = NLMSG_DATA(a);
	if (rt->rtm_type != RTN_UNICAST)
		return 0;			/* local, unreachable, blackhole: the kernel's */
	len = (int)RTM_PAYLOAD(a);
	for (ra = RTM_RTA(rt); RTA_OK(ra, len); ra = RTA_NEXT(ra, len)) {
		if (ra->rta_type == RTA_OIF && RTA_PAYLOAD(ra) >= 4)
			memcpy(&h->oif, RTA_DATA(ra), 4);
		else if (ra->rta_type == RTA_GATEWAY && RTA_PAYLOAD(ra) >= 4)
			memcpy(&via, RTA_DATA(ra), 4);
	}
	if (h->oif == 0)
		return 0;
	nd = nl_req(&q.n, sizeof(q), RTM_GETNEIGH, sizeof(*nd));
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = h->oif;
	nl_attr(&q.n, NDA_DST, &via, 4);
	if ((a = nl_ask(nl, &q.n, buf, sizeof(buf))) == NULL || a->nlmsg_type != RTM_NEWNEIGH)
		return 0;			/* none yet: the raw socket's send resolves it */
	nd = NLMSG_DATA(a);
	/* a MAC the kernel would send to now or after a probe; not INCOMPLETE or FAILED */
	if (!(nd->ndm_state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE |
	    NUD_PERMANENT)))
		return 0;
	len = (int)(a->nlmsg_len - NLMSG_LENGTH(sizeof(*nd)));
	for (ra = (struct rtattr *)((char *)nd + NLMSG_ALIGN(sizeof(*nd))); RTA_OK(ra, len);
	    ra = RTA_NEXT(ra, len))
		if (ra->rta_type == NDA_LLADDR && RTA_PAYLOAD(ra) == 6) {
			memcpy(h->mac, RTA_DATA(ra), 6);
			h->have_mac = true;
		}
	return 0;
}
