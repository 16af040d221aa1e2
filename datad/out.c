/* out.c: the outbound fast path.  Cleartext from the TUN -> crypto map lookup (entries in map
 * order, access-list entries in order; DESIGN invariant 5) -> ESP tunnel mode -> raw socket to
 * the peer; a flow no entry permits leaves in the clear.  No allocation, no lock. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "common/esp.h"
#include "common/log.h"
#include "datad/worker.h"

/* First entry whose list permits the flow; a deny ends only that entry (seed: "it doesn't
 * allow the policy as specified in this crypto map entry to be applied to this traffic"). */
static const struct policy *
out_lookup(const struct gen *g, const struct flow *f)
{
	for (uint32_t i = 0; i < g->n_pol; i++) {
		const struct policy *p = &g->pol[i];

		if (p->no_acl)
			continue;
		for (uint32_t j = 0; j < p->n_aces; j++) {
			if (!sel_match(&p->aces[j].sel, f))
				continue;
			if (p->aces[j].permit)
				return p;
			break;
		}
	}
	return NULL;
}

/* Take the next sequence number of the lease; never past it (invariant 1). */
static enum drop
out_seq(struct worker *w, struct sa_out *sa, uint64_t *seq)
{
	if (sa->seq > sa->seq_end) {
		if (sa->next_first == 0) {
			report_need_lease(w, sa);
			return DROP_NO_LEASE;
		}
		sa->seq = sa->next_first;
		sa->seq_end = sa->next_last;
		sa->lease_len = sa->next_last - sa->next_first + 1;
		sa->next_first = sa->next_last = 0;
	}
	if (!sa->esn && sa->seq > UINT32_MAX)
		return DROP_SEQ_WRAP;
	*seq = sa->seq++;
	if (sa->next_first == 0 && sa->seq_end - *seq < sa->lease_len / 2)
		report_need_lease(w, sa);	/* half used: ask for the next one ahead */
	return DROP_NONE;
}

static enum drop
out_one(struct worker *w, struct pkt *p)
{
	const struct policy *pol;
	struct sa_out *sa;
	struct tx_batch *b;
	struct flow f;
	uint64_t seq;
	enum drop d;

	if (sel_flow(&f, p->data, p->len) != 0)
		return DROP_BAD_IP;
	if ((pol = out_lookup(w->gen, &f)) == NULL) {
		/* no entry protects it: on in the clear, marked past our routing table */
		b = &w->clear_tx;
		b->iov[b->n].iov_base = p->data;
		b->iov[b->n].iov_len = p->len;
		b->dst[b->n].sin_addr.s_addr = htonl(f.dst);
		b->msg[b->n].msg_hdr.msg_control = NULL;
		b->msg[b->n].msg_hdr.msg_controllen = 0;
		b->n++;
		return DROP_NONE;
	}
	if ((sa = pol->sa_esp) == NULL)
		return DROP_NO_OUT_SA;
	if ((d = out_seq(w, sa, &seq)) != DROP_NONE) {
		sa->ctr.drops[d]++;
		return DROP_NONE;
	}
	if ((d = esp_encap(&sa->xf, sa->spi_be, seq, sa->esn, IPPROTO_IPIP_, p)) != DROP_NONE) {
		sa->ctr.drops[d]++;
		return DROP_NONE;
	}
	sa->ctr.pkts++;
	sa->ctr.bytes += p->len;
	b = &w->esp_tx;
	b->iov[b->n].iov_base = p->data;
	b->iov[b->n].iov_len = p->len;
	b->dst[b->n].sin_addr.s_addr = sa->peer_be;
	{
		struct msghdr *h = &b->msg[b->n].msg_hdr;
		struct cmsghdr *c;
		struct in_pktinfo pi;

		h->msg_control = b->ctl[b->n].buf;
		h->msg_controllen = sizeof(b->ctl[b->n].buf);
		c = CMSG_FIRSTHDR(h);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memset(&pi, 0, sizeof(pi));
		pi.ipi_spec_dst.s_addr = sa->local_be;	/* the crypto map's local address */
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	b->n++;
	return DROP_NONE;
}

unsigned
out_batch(struct worker *w)
{
	unsigned n;

	for (n = 0; n < BATCH; n++) {
		struct pkt *p = &w->pool[n];
		ssize_t r;
		enum drop d;

		pkt_reset(p);
		r = read(w->tun_fd, p->data, PKT_MAX);
		if (r <= 0)
			break;
		p->len = (uint32_t)r;
		if (w->gen == NULL) {
			w->drops[DROP_NO_OUT_SA]++;
			continue;
		}
		if ((d = out_one(w, p)) != DROP_NONE)
			w->drops[d]++;
	}
	if (w->esp_tx.n)
		io_flush(w, &w->esp_tx, w->esp_fd);
	if (w->clear_tx.n)
		io_flush(w, &w->clear_tx, w->clear_fd);
	w->n_tx_pkts += n;
	return n;
}
