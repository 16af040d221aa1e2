/* SPDX-License-Identifier: Apache-2.0 */
/* udpgso.c: ESP in UDP 4500 (RFC 3948) in fewer system calls.  On send, a run of ESP datagrams
 * to one peer of one size (the ESP packets sealed from one TSO super-packet, mostly) leaves in
 * one sendmsg with UDP_SEGMENT: the kernel cuts it into the same datagrams sendmmsg would have
 * sent, each with its own UDP and IP header (udp(7)).  On receive, UDP_GRO lets the kernel hand
 * up to 64 KB of one peer's datagrams in one read, with their size in a control message; they
 * are cut apart here and each opened as if it had come alone.  The wire does not change (one
 * RFC 3948 datagram per ESP packet), except that the datagrams of a UDP_SEGMENT send carry a
 * UDP checksum: the kernel refuses GSO on a socket with SO_NO_CHECK, so it is off for those
 * sends only, as ikewire.c does for IKE (RFC 3948 §2.1: SHOULD be zero, and receivers MUST NOT
 * depend on it).  docs/adr/0015-udp-gso-gro.md has the figures.
 *
 * Invariant 1 is out.c's: the sequence numbers were taken from the lease when each packet was
 * sealed, and a run is sent once (a refused UDP_SEGMENT send goes out again without it, never
 * sealed again).  Nothing is allocated per packet (invariant 6): the runs point into the send
 * batch, the reads go to buffers made at start. */
#include <errno.h>
#include <netinet/udp.h>
#include <poll.h>
#include <string.h>

#include "common/log.h"
#include "datad/worker.h"

unsigned
udpgso_run(const struct tx_batch *b, unsigned i)
{
	size_t len = b->iov[i].iov_len, total = len;
	unsigned k = 1;

	if (b->no_gso[i] || len == 0)
		return 1;
	while (i + k < b->n && k < UDP_GSO_SEGS) {
		unsigned j = i + k;
		size_t l = b->iov[j].iov_len;

		if (b->no_gso[j] || l == 0 || l > len || total + l > UDP_GSO_BYTES ||
		    b->dst[j].sin_addr.s_addr != b->dst[i].sin_addr.s_addr ||
		    b->dst[j].sin_port != b->dst[i].sin_port ||
		    b->msg[j].msg_hdr.msg_controllen != b->msg[i].msg_hdr.msg_controllen ||
		    memcmp(b->ctl[j].buf, b->ctl[i].buf, b->msg[i].msg_hdr.msg_controllen) != 0)
			break;
		total += l;
		k++;
		if (l < len)
			break;		/* a shorter one ends the run */
	}
	return k;
}

/* UDP checksums on w->udp_fd (for UDP_SEGMENT) or off (checksum 0, RFC 3948 §2.1), by one
 * setsockopt when that changes. */
static void
udpgso_csum(struct worker *w, bool on)
{
	int no = !on;

	if (w->udp_csum != on &&
	    setsockopt(w->udp_fd, SOL_SOCKET, SO_NO_CHECK, &no, sizeof(no)) == 0)
		w->udp_csum = on;
}

/* One run b[i..i+k) as one UDP_SEGMENT send; false if the kernel refuses GSO (nothing sent). */
static bool
udpgso_send(struct worker *w, struct tx_batch *b, unsigned i, unsigned k)
{
	struct msghdr h = b->msg[i].msg_hdr;
	struct cmsghdr *c;
	uint16_t gso = (uint16_t)b->iov[i].iov_len;
	int tries = 0;

	/* the run's own control messages (source address, TOS), then the segment size */
	memcpy(w->gso_ctl.buf, b->ctl[i].buf, h.msg_controllen);
	c = (struct cmsghdr *)(w->gso_ctl.buf + CMSG_ALIGN(h.msg_controllen));
	c->cmsg_level = SOL_UDP;
	c->cmsg_type = UDP_SEGMENT;
	c->cmsg_len = CMSG_LEN(sizeof(gso));
	memcpy(CMSG_DATA(c), &gso, sizeof(gso));
	h.msg_control = w->gso_ctl.buf;
	h.msg_controllen = CMSG_ALIGN(h.msg_controllen) + CMSG_SPACE(sizeof(gso));
	h.msg_iov = &b->iov[i];
	h.msg_iovlen = k;
	udpgso_csum(w, true);
	for (;;) {
		if (sendmsg(w->udp_fd, &h, 0) >= 0) {
			w->n_gso_sends++;
			w->n_gso_segs += k;
			return true;
		}
		if ((errno == EAGAIN || errno == ENOBUFS) && tries++ < 8) {
			struct pollfd p = { .fd = w->udp_fd, .events = POLLOUT };

			poll(&p, 1, 1);
			continue;
		}
		if (errno == EIO || errno == EINVAL) {
			/* no GSO here (a device or route without it): off for good */
			w->udp_gso = false;
			w->n_gso_off++;
			log_warn("UDP 4500: the kernel refuses UDP_SEGMENT (%s): one datagram per "
			    "send from now on", strerror(errno));
			return false;
		}
		worker_drops(w, NULL, DROP_TX, k);	/* a send: where it fails */
		return true;
	}
}

void
udpgso_flush(struct worker *w)
{
	struct tx_batch *b = &w->udp_tx;
	unsigned i = 0, alone = 0;	/* b[alone..i) wait for sendmmsg */

	while (w->udp_gso && i < b->n) {
		unsigned k = udpgso_run(b, i);

		if (k < 2 || CMSG_ALIGN(b->msg[i].msg_hdr.msg_controllen) +
		    CMSG_SPACE(sizeof(uint16_t)) > sizeof(w->gso_ctl.buf)) {
			i++;
			continue;
		}
		if (i > alone) {			/* in order: what came before first */
			udpgso_csum(w, false);
			io_sendmmsg(w, b->msg + alone, i - alone, w->udp_fd);
		}
		if (!udpgso_send(w, b, i, k)) {
			alone = i;			/* GSO now off: the rest as before */
			break;
		}
		i += k;
		alone = i;
	}
	udpgso_csum(w, false);		/* as ikewire.c and the keepalives expect it */
	if (alone < b->n)
		io_sendmmsg(w, b->msg + alone, b->n - alone, w->udp_fd);
	b->n = 0;
}

bool
udpgro_seg(uint32_t len, uint32_t gso, uint32_t k, uint32_t *off, uint32_t *seg)
{
	uint64_t o;

	if (gso == 0 || gso > len)
		gso = len;			/* one datagram */
	if (gso == 0)
		return false;
	o = (uint64_t)k * gso;
	if (o >= len)
		return false;
	*off = (uint32_t)o;
	*seg = len - *off < gso ? len - *off : gso;
	return true;
}

uint32_t
udpgro_size(const struct msghdr *m)
{
	struct cmsghdr *c;

	if (m->msg_control == NULL)
		return 0;
	for (c = CMSG_FIRSTHDR((struct msghdr *)m); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)m, c)) {
		int v;

		if (c->cmsg_level != SOL_UDP || c->cmsg_type != UDP_GRO ||
		    c->cmsg_len < CMSG_LEN(sizeof(v)))
			continue;
		memcpy(&v, CMSG_DATA(c), sizeof(v));
		return v > 0 ? (uint32_t)v : 0;
	}
	return 0;
}

void
udpgso_offload(struct worker *w)
{
	int one = 1, v;
	socklen_t l = sizeof(v);

	w->udp_gso = w->udp_gro = w->udp_csum = false;	/* udp_open: SO_NO_CHECK */
	if (w->udp_fd < 0 || w->o.no_offload)
		return;
	/* a kernel without UDP_SEGMENT does not know the option */
	if (getsockopt(w->udp_fd, SOL_UDP, UDP_SEGMENT, &v, &l) == 0)
		w->udp_gso = true;
	if (setsockopt(w->udp_fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) == 0)
		w->udp_gro = w->udp_rbuf != NULL;
	log_info("UDP %d: GSO %s, GRO %s", UDP_ENCAP_PORT, w->udp_gso ? "on" : "off",
	    w->udp_gro ? "on" : "off");
}

unsigned
udpgro_batch(struct worker *w)
{
	unsigned total;
	int n;

	for (unsigned r = 0; r < UDP_READS; r++) {
		struct msghdr *h = &w->udp_rmsg[r].msg_hdr;

		w->udp_riov[r].iov_base = w->udp_rbuf + (size_t)r * UDP_RBUF;
		w->udp_riov[r].iov_len = UDP_RBUF;
		h->msg_iov = &w->udp_riov[r];
		h->msg_iovlen = 1;
		h->msg_name = &w->udp_rfrom[r];
		h->msg_namelen = sizeof(w->udp_rfrom[r]);
		h->msg_control = w->udp_rctl[r].buf;
		h->msg_controllen = sizeof(w->udp_rctl[r].buf);
		h->msg_flags = 0;
	}
	n = recvmmsg(w->udp_fd, w->udp_rmsg, UDP_READS, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	total = udpgro_split(w, (unsigned)n);
	/* as in_batch: BATCH says there may be more to read now */
	return (unsigned)n == UDP_READS ? BATCH : total < BATCH ? total : BATCH - 1;
}

unsigned
udpgro_split(struct worker *w, unsigned n)
{
	unsigned k = 0, total = 0;

	/* each read cut into its datagrams, each copied once into a buffer of the pool (the
	 * inbound path opens in place, with headroom); BATCH of them at a time through in_run */
	for (unsigned r = 0; r < n; r++) {
		const struct mmsghdr *m = &w->udp_rmsg[r];
		const uint8_t *b = w->udp_riov[r].iov_base;
		uint32_t len = m->msg_len, gso = udpgro_size(&m->msg_hdr), off, seg;

		w->n_gro_reads++;
		if (m->msg_hdr.msg_flags & MSG_TRUNC) {
			worker_drop(w, NULL, DROP_TRUNCATED);	/* beyond 64 KB: cannot be */
			continue;
		}
		for (uint32_t s = 0; udpgro_seg(len, gso, s, &off, &seg); s++) {
			struct pkt *p;

			total++;
			if (seg > PKT_MAX) {
				worker_drop(w, NULL, DROP_TRUNCATED);	/* as a cut read */
				continue;
			}
			p = in_buf(w, k);
			memcpy(p->data, b + off, seg);
			w->rx_msg[k].msg_len = seg;
			w->rx_msg[k].msg_hdr.msg_flags = 0;
			w->rx_msg[k].msg_hdr.msg_control = m->msg_hdr.msg_control;
			w->rx_msg[k].msg_hdr.msg_controllen = m->msg_hdr.msg_controllen;
			w->rx_from[k] = w->udp_rfrom[r];
			if (++k == BATCH) {
				in_run(w, IN_UDP, k);
				k = 0;
			}
		}
	}
	if (k > 0)
		in_run(w, IN_UDP, k);
	w->n_gro_dgrams += total;
	w->n_rx_pkts += total;
	return total;
}
