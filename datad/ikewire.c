/* SPDX-License-Identifier: Apache-2.0 */
/* ikewire.c: IKE on the wire for controld (docs/design.md "The ZeroMQ link"; datad is the only
 * process on the wire): the messages controld sends leave from our own UDP socket of their
 * port, 500 or 4500, so the peer sees the port it talks to and NAT bindings stay right; and
 * acquires, which tell controld that a flow an ipsec-isakmp entry permits has no SA yet.
 *
 * Nothing here is parsed beyond what classifies a message: the bytes controld gives are sent
 * as they are (an IKE header's length is checked, so a broken engine does not spray garbage).
 * Acquires are rate-limited per policy and flow in a fixed table (worker.h, ACQUIRE_*): the
 * fast path that drops the packet calls in, so nothing here allocates (invariant 6). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/link.h"
#include "common/log.h"
#include "common/udpencap.h"
#include "datad/worker.h"

/* a (host order) as dotted quad, in buf */
static const char *
ip(uint32_t a, char buf[INET_ADDRSTRLEN])
{
	struct in_addr ia = { htonl(a) };

	return inet_ntop(AF_INET, &ia, buf, INET_ADDRSTRLEN);
}

int
ikewire_open(struct worker *w, struct gw_err *err)
{
	if ((w->ike_peers = calloc(1, sizeof(*w->ike_peers))) == NULL ||
	    (w->acq = calloc(ACQUIRE_SLOTS, sizeof(*w->acq))) == NULL)
		return gw_fail(err, 0, "out of memory");
	peer_rate_init(w->ike_peers, IKE_PEER_PER_SEC, IKE_PEER_BURST);
	return 0;
}

void
ikewire_close(struct worker *w)
{
	free(w->ike_peers);
	free(w->acq);
	w->ike_peers = NULL;
	w->acq = NULL;
}

uint32_t
ikewire_local(const struct msghdr *m)
{
	struct cmsghdr *c;

	if (m->msg_control == NULL)
		return 0;
	for (c = CMSG_FIRSTHDR((struct msghdr *)m); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)m, c)) {
		struct in_pktinfo pi;

		if (c->cmsg_level != IPPROTO_IP || c->cmsg_type != IP_PKTINFO ||
		    c->cmsg_len < CMSG_LEN(sizeof(pi)))
			continue;
		memcpy(&pi, CMSG_DATA(c), sizeof(pi));
		return pi.ipi_addr.s_addr;	/* the header's destination address */
	}
	return 0;
}

/* Is d[0..len) an IKE message by its header (RFC 2408 §3.1, RFC 7296 §3.1)? */
static bool
ike_shaped(const uint8_t *d, size_t len)
{
	const struct ike_hdr *h = (const struct ike_hdr *)d;

	return len >= sizeof(*h) && (h->version >> 4) >= 1 && (h->version >> 4) <= 2 &&
	    ntohl(h->len_be) == len;
}

/* Send from fd with source address local_be (IP_PKTINFO: the socket stays bound to the
 * port, the address is the one the peer knows us by); iov is the message, with the non-ESP
 * marker in front on 4500.  -1 with errno. */
static int
send_from(int fd, uint32_t local_be, const struct sockaddr_in *to, struct iovec *iov,
    size_t n_iov)
{
	union {
		char		buf[CMSG_SPACE(sizeof(struct in_pktinfo))];
		struct cmsghdr	align;
	} ctl;
	struct msghdr h = {
		.msg_name = (void *)to, .msg_namelen = sizeof(*to),
		.msg_iov = iov, .msg_iovlen = n_iov,
	};
	struct in_pktinfo pi;
	struct cmsghdr *c;

	if (local_be != 0) {
		memset(&ctl, 0, sizeof(ctl));
		h.msg_control = ctl.buf;
		h.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&h);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst.s_addr = local_be;
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	return sendmsg(fd, &h, MSG_DONTWAIT) < 0 ? -1 : 0;
}

void
ikewire_send(struct worker *w, const Gw__V1__IkeSend *s)
{
	static struct log_rl rl;
	static const uint8_t marker[UDPENCAP_MARKER_LEN];	/* RFC 3948 §2.2: four zeros */
	struct sockaddr_in to = { .sin_family = AF_INET };
	struct iovec iov[2];
	bool natt = s->local_port == UDP_ENCAP_PORT;
	int fd = natt ? w->udp_fd : s->local_port == IKE_PORT ? w->ike_fd : -1;
	int rc, off = 0, on = 1;
	char rb[INET_ADDRSTRLEN], lb[INET_ADDRSTRLEN];

	if (fd < 0 || s->remote == 0 || s->remote_port == 0 || s->remote_port > 65535 ||
	    !ike_shaped(s->data.data, s->data.len)) {
		w->ike.send_failed++;
		log_rl(&rl, LOG_LVL_WARN, "IKE to %s:%u from port %u not sent: %s",
		    ip(s->remote, rb), s->remote_port, s->local_port, fd < 0 ? "this worker does not hold the port" :
		    "not an IKE message, or no destination");
		return;
	}
	to.sin_addr.s_addr = htonl(s->remote);
	to.sin_port = htons((uint16_t)s->remote_port);
	iov[0].iov_base = (void *)marker;
	iov[0].iov_len = sizeof(marker);
	iov[1].iov_base = s->data.data;
	iov[1].iov_len = s->data.len;
	/* 4500 sends ESP with UDP checksum 0 (RFC 3948 §2.1); IKE gets a real one */
	if (natt)
		setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &off, sizeof(off));
	rc = send_from(fd, htonl(s->local), &to, natt ? iov : iov + 1, natt ? 2 : 1);
	if (natt)
		setsockopt(fd, SOL_SOCKET, SO_NO_CHECK, &on, sizeof(on));
	if (rc != 0) {
		w->ike.send_failed++;
		log_rl(&rl, LOG_LVL_WARN, "IKE to %s:%u from port %u: %s", ip(s->remote, rb),
		    s->remote_port, s->local_port, strerror(errno));
		return;
	}
	w->ike.sent++;
	log_debug("IKE sent to %s:%u from %s:%u (%zu bytes)", ip(s->remote, rb), s->remote_port,
	    ip(s->local, lb), s->local_port, s->data.len);
}

void
ikewire_acquire(struct worker *w, const struct policy *pol, uint32_t ace, const struct flow *f)
{
	uint32_t idx = (uint32_t)(pol - w->gen->pol);
	uint32_t h = (f->src * 2654435761u) ^ (f->dst * 2246822519u) ^
	    ((uint32_t)f->sport << 16 | f->dport) * 3266489917u ^ f->proto ^ idx * 668265263u;
	struct acquire_slot *s = &w->acq[(h ^ h >> 15) & (ACQUIRE_SLOTS - 1)];
	uint16_t sport = f->has_ports ? f->sport : 0, dport = f->has_ports ? f->dport : 0;
	uint64_t now = link_now_ms();

	if (pol->kind != GW__V1__ENTRY_KIND__KIND_ISAKMP || w->acq == NULL)
		return;				/* dynamic entries never initiate */
	if (s->sent_ms != 0 && s->generation == w->gen->generation && s->pol == idx &&
	    s->src == f->src && s->dst == f->dst && s->proto == f->proto &&
	    s->sport == sport && s->dport == dport && now - s->sent_ms < ACQUIRE_HOLD_MS) {
		w->ike.acquires_held++;
		return;
	}
	if (now - w->acq_refill_ms >= 1000) {
		w->acq_tokens = ACQUIRE_PER_SEC;
		w->acq_refill_ms = now;
	}
	if (w->acq_tokens == 0) {
		w->ike.acquires_shed++;
		return;
	}
	w->acq_tokens--;
	s->generation = w->gen->generation;
	s->pol = idx;
	s->src = f->src;
	s->dst = f->dst;
	s->proto = f->proto;
	s->sport = sport;
	s->dport = dport;
	s->sent_ms = now ? now : 1;
	link_acquire(w, pol, ace, f);
	w->ike.acquires++;
}
