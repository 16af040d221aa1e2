/* SPDX-License-Identifier: Apache-2.0 */
/* mtu.c: the path MTU of each outbound SA (RFC 1191, RFC 4301 §8.2).
 *
 * An outbound SA's packets are held to its path MTU: the MTU of its crypto map's interface
 * (the media MTU, read from the kernel at each generation and every few seconds), lowered by
 * ICMP "fragmentation needed" messages that routers on the way to the peer send about our ESP
 * or AH packets.  out.c turns the path MTU into the room left for the inner packet
 * (pmtu_room) and answers inner packets with DF set that do not fit with an ICMP of its own.
 *
 * An ICMP message is believed only if it quotes a packet we could have sent: from the SA's
 * local address to its peer, with the SPI of one of our outbound SAs, longer than the MTU it
 * reports.  Even so an attacker on the path can lower an SA's MTU, never below MTU_LEARN_MIN
 * (RFC 1191 §3 leaves the floor to us; Linux's is 552); a learned MTU is forgotten after
 * --pmtu-age seconds (RFC 1191 §6.3 suggests 10 minutes), so it is found again if the path
 * grew.  Every worker learns from its own ICMP socket: the kernel gives each raw socket a
 * copy.  Nothing here runs per data packet. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <net/if.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common/ip4.h"
#include "common/link.h"
#include "common/log.h"
#include "common/pmtu.h"
#include "datad/worker.h"

enum {
	MTU_LEARN_MIN	= 576,
	MTU_DEFAULT	= 1500,		/* the interface cannot be asked */
	MEDIA_EVERY_MS	= 5000,
	ICMP_BURST	= 50,		/* frag-needed we send: RFC 1812 §4.3.2.8 rate limit */
	ICMP_PER_SEC	= 200,
};

/* Only ICMP destination unreachable / fragmentation needed reaches the socket: the kernel
 * drops the rest (echo replies, other errors) before we wake up for them.  A message too
 * short to have a type and a code gets through, to be counted (icmp-pmtu) rather than
 * dropped silently where the filter would read past its end. */
static int
icmp_filter(int fd)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),		/* x = IP header length */
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_STMT(BPF_ALU | BPF_SUB | BPF_K, 2),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_X, 0, 0, 4),	/* len - 2 < x: a runt */
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 0),		/* ICMP type */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 3),
		BPF_STMT(BPF_LD | BPF_B | BPF_IND, 1),		/* ICMP code */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 4, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = sizeof(code) / sizeof(code[0]), .filter = code };

	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

int
mtu_open(struct worker *w, struct gw_err *err)
{
	int fd;

	if ((fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP)) < 0)
		return gw_fail(err, 0, "raw ICMP socket: %s", strerror(errno));
	if (icmp_filter(fd) != 0) {
		close(fd);
		return gw_fail(err, 0, "ICMP socket filter: %s", strerror(errno));
	}
	w->icmp_fd = fd;
	w->icmp_tokens = ICMP_BURST;
	return 0;
}

static uint16_t
media_of(const struct worker *w, const char *ifname)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ifname[0] == '\0' || ioctl(w->icmp_fd, SIOCGIFMTU, &ifr) != 0 ||
	    ifr.ifr_mtu < MTU_LEARN_MIN)
		return MTU_DEFAULT;
	return ifr.ifr_mtu > UINT16_MAX ? UINT16_MAX : (uint16_t)ifr.ifr_mtu;
}

static void
set_path(struct sa_out *sa)
{
	sa->path_mtu = sa->learned_mtu != 0 && sa->learned_mtu < sa->media_mtu ?
	    sa->learned_mtu : sa->media_mtu;
}

void
mtu_gen(struct worker *w, struct gen *g)
{
	for (uint32_t i = 0; i < g->n_out; i++)
		g->out[i].media_mtu = MTU_DEFAULT;
	for (uint32_t i = 0; i < g->n_pol; i++) {
		struct policy *p = &g->pol[i];
		uint16_t m = media_of(w, p->ifname);

		if (p->sa_esp != NULL)
			p->sa_esp->media_mtu = m;
		if (p->sa_ah != NULL)
			p->sa_ah->media_mtu = m;
		p->room_mtu = 0;
		for (uint32_t j = 0; j < p->n_flows; j++) {
			struct flow_out *f = &p->flows[j];

			if (f->sa_esp != NULL)
				f->sa_esp->media_mtu = m;
			if (f->sa_ah != NULL)
				f->sa_ah->media_mtu = m;
			f->room_mtu = 0;
		}
	}
	for (uint32_t i = 0; i < g->n_out; i++)
		set_path(&g->out[i]);
}

void
mtu_tick(struct worker *w, uint64_t now_ms)
{
	uint64_t ms = now_ms - w->icmp_refill_ms;
	struct gen *g = w->gen;

	if (ms >= 5) {				/* the frag-needed we may send */
		uint64_t t = w->icmp_tokens + ms * ICMP_PER_SEC / 1000;

		w->icmp_tokens = t > ICMP_BURST ? ICMP_BURST : (uint32_t)t;
		w->icmp_refill_ms = now_ms;
	}
	if (g == NULL)
		return;
	for (uint32_t i = 0; i < g->n_out; i++) {
		struct sa_out *sa = &g->out[i];

		if (sa->learned_mtu != 0 && now_ms - sa->learned_ms >= w->o.pmtu_age_ms) {
			log_info("SPI 0x%08x: path MTU %u aged out, back to %u", ntohl(sa->spi_be),
			    sa->learned_mtu, sa->media_mtu);
			sa->learned_mtu = 0;
			set_path(sa);
		}
	}
	if (now_ms - w->media_ms >= MEDIA_EVERY_MS) {	/* the interface's MTU may change */
		w->media_ms = now_ms;
		mtu_gen(w, g);
	}
}

/* The SPI of the ESP or AH packet quoted at q[0..len) (an IPv4 header and what follows), if
 * it is one we could have sent; 0 if not. */
static uint32_t
quoted_spi(const uint8_t *q, uint32_t len, uint8_t *proto, uint32_t *qlen)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)q;
	const uint8_t *l4;
	uint32_t ihl;

	if (len < IP4_HDR_MIN || (ip->ver_ihl >> 4) != 4 ||
	    (ihl = (ip->ver_ihl & 0x0fu) * 4) < IP4_HDR_MIN || ihl > len)
		return 0;
	l4 = q + ihl;
	len -= ihl;
	*qlen = ntohs(ip->len_be);
	*proto = ip->proto;
	if (ip->proto == IPPROTO_ESP && len >= sizeof(uint32_t))
		return ((const struct esp_hdr *)l4)->spi_be;
	if (ip->proto == IPPROTO_AH && len >= offsetof(struct ah_hdr, seq_be))
		return ((const struct ah_hdr *)l4)->spi_be;
	if (ip->proto == IPPROTO_UDP && len >= sizeof(struct udp_hdr) + sizeof(uint32_t) &&
	    ntohs(((const struct udp_hdr *)l4)->dport_be) == UDP_ENCAP_PORT) {
		*proto = IPPROTO_ESP;
		/* 0: the non-ESP marker, IKE */
		return ((const struct esp_hdr *)(l4 + sizeof(struct udp_hdr)))->spi_be;
	}
	return 0;
}

/* One ICMP frag-needed: the IPv4 packet b[0..len) as the raw socket gave it. */
enum drop
mtu_icmp_one(struct worker *w, const uint8_t *b, uint32_t len, uint64_t now_ms)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)b, *qip;
	const struct icmp_hdr *icmp;
	uint32_t ihl, spi_be, qlen = 0;
	struct sa_out *sa = NULL;
	uint16_t mtu;
	uint8_t proto = 0;

	if (len < IP4_HDR_MIN || (ihl = (ip->ver_ihl & 0x0fu) * 4) < IP4_HDR_MIN ||
	    len < ihl + sizeof(*icmp) + IP4_HDR_MIN)
		return DROP_ICMP_PMTU;
	icmp = (const struct icmp_hdr *)(b + ihl);
	qip = (const struct ip4_hdr *)(icmp + 1);
	mtu = ntohs(icmp->mtu_be);
	if ((spi_be = quoted_spi((const uint8_t *)qip, len - ihl - sizeof(*icmp), &proto,
	    &qlen)) == 0)
		return DROP_ICMP_PMTU;		/* not about ESP or AH of ours */
	for (uint32_t i = 0; w->gen != NULL && i < w->gen->n_out && sa == NULL; i++) {
		struct sa_out *o = &w->gen->out[i];

		if (o->spi_be == spi_be && o->proto == proto && o->peer_be == qip->dst_be &&
		    o->local_be == qip->src_be)
			sa = o;
	}
	if (mtu == 0 && qlen > IP4_HDR_MIN)	/* RFC 1191 §5: a router from before it */
		mtu = (uint16_t)(qlen - 1);
	if (sa == NULL || qlen <= mtu)		/* no such SA, or the packet did fit */
		return DROP_ICMP_PMTU;
	if (mtu < MTU_LEARN_MIN)
		mtu = MTU_LEARN_MIN;
	if (mtu == sa->learned_mtu) {
		sa->learned_ms = now_ms;	/* the path still says so: keep it longer */
		return DROP_NONE;
	}
	if (mtu >= sa->path_mtu)
		return DROP_NONE;		/* only ever lowered here; raised by ageing */
	sa->learned_mtu = mtu;
	sa->learned_ms = now_ms;
	set_path(sa);
	log_info("SPI 0x%08x: path MTU %u (ICMP frag-needed)", ntohl(spi_be), sa->path_mtu);
	return DROP_NONE;
}

/* Read the ICMP socket.  Routers keep ICMP errors within PMTU_ICMP_MAX bytes (RFC 1812
 * §4.3.2.3); a longer one, cut by the buffer (MSG_TRUNC gives its real length), or whose IP
 * Total Length is not what was read, is counted as truncated and not believed. */
void
mtu_icmp_in(struct worker *w)
{
	uint8_t buf[PMTU_ICMP_MAX + 64];
	uint64_t now = link_now_ms();
	enum drop d;

	for (int i = 0; i < 32; i++) {
		ssize_t n = recv(w->icmp_fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0)
			break;
		if ((size_t)n > sizeof(buf) ||
		    (n >= IP4_HDR_MIN && ntohs(((const struct ip4_hdr *)buf)->len_be) > n)) {
			worker_drop(w, NULL, DROP_TRUNCATED);
			continue;
		}
		if ((d = mtu_icmp_one(w, buf, (uint32_t)n, now)) != DROP_NONE)
			worker_drop(w, NULL, d);
	}
}
