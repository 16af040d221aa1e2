/* in.c: the inbound fast path.  ESP from the raw socket -> SA by SPI -> replay check -> ICV and
 * decrypt in place -> replay advance -> inner packet inside the SA's selectors -> TUN. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/esp.h"
#include "common/log.h"
#include <linux/virtio_net.h>

#include "datad/worker.h"

/* Open one ESP packet in place (RFC 4303 §3.4); DROP_NONE leaves the inner packet. */
static enum drop
in_esp(struct worker *w, struct pkt *p, struct sa_in **sap)
{
	const struct ip4_hdr *ip = (const struct ip4_hdr *)p->data;
	const struct esp_hdr *esp;
	struct sa_in *sa;
	struct flow f;
	uint32_t ihl;
	uint64_t seq;
	uint8_t nh;
	enum drop d;

	if (p->len < sizeof(*ip) || (ip->ver_ihl >> 4) != 4)
		return DROP_BAD_IP;
	ihl = (uint32_t)(ip->ver_ihl & 0x0f) * 4;
	if (ihl < sizeof(*ip) || p->len < ihl + sizeof(*esp))
		return DROP_RUNT;
	p->peer_be = ip->src_be;
	p->data += ihl;
	p->len -= ihl;
	esp = (const struct esp_hdr *)p->data;
	if ((sa = tables_sa_in(w->gen, esp->spi_be)) == NULL)
		return DROP_NO_SA;
	if (!sa->mine)
		return DROP_NOT_OWNER;
	*sap = sa;
	seq = replay_infer(&sa->replay, ntohl(esp->seq_be));
	if (!replay_check(&sa->replay, seq))		/* cheap reject before any crypto */
		return DROP_REPLAY;
	if ((d = esp_decap(&sa->xf, seq, sa->replay.esn, p, &nh)) != DROP_NONE)
		return d;
	replay_advance(&sa->replay, seq);		/* §3.4.3: only once authenticated */
	if (nh != IPPROTO_IPIP_)
		return DROP_PROTO;
	if (sel_flow(&f, p->data, p->len) != 0)
		return DROP_BAD_IP;
	if (!sel_match_rev(&sa->flow, &f))		/* the SA carries only its own flow */
		return DROP_SELECTOR;
	sa->ctr.pkts++;
	sa->ctr.bytes += p->len;
	return DROP_NONE;
}

unsigned
in_batch(struct worker *w)
{
	int n;

	for (unsigned i = 0; i < BATCH; i++) {
		struct pkt *p = &w->pool[BATCH + i];

		pkt_reset(p);
		p->data = p->buf + PKT_HEADROOM - 64;	/* outer IP header lands in headroom */
		w->rx_iov[i].iov_base = p->data;
		w->rx_iov[i].iov_len = PKT_MAX;
		w->rx_msg[i].msg_hdr.msg_name = NULL;
		w->rx_msg[i].msg_hdr.msg_namelen = 0;
		w->rx_msg[i].msg_hdr.msg_control = NULL;
		w->rx_msg[i].msg_hdr.msg_controllen = 0;
	}
	n = recvmmsg(w->esp_fd, w->rx_msg, BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	for (int i = 0; i < n; i++) {
		struct pkt *p = &w->pool[BATCH + i];
		struct sa_in *sa = NULL;
		enum drop d;

		p->len = w->rx_msg[i].msg_len;
		if (w->gen == NULL) {
			w->drops[DROP_NO_SA]++;
			continue;
		}
		if ((d = in_esp(w, p, &sa)) != DROP_NONE) {
			if (sa != NULL)
				sa->ctr.drops[d]++;
			else
				w->drops[d]++;
			if (d != DROP_NOT_OWNER)
				log_debug("inbound ESP dropped: %s", drop_text[d]);
			continue;
		}
		/* a plain packet for the TUN: a zero virtio_net_hdr (no offload) before it */
		p->data -= sizeof(struct virtio_net_hdr);
		memset(p->data, 0, sizeof(struct virtio_net_hdr));
		if (write(w->tun_fd, p->data, p->len + sizeof(struct virtio_net_hdr)) < 0)
			sa->ctr.drops[DROP_TX]++;
	}
	w->n_rx_pkts += (unsigned)n;
	return (unsigned)n;
}
