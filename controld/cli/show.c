/* SPDX-License-Identifier: Apache-2.0 */
/* show.c: the show commands that need the SA database and the workers: "show crypto ipsec sa"
 * in the layout of IOS 11.3 (the SPD's entries with the SAs of the SAD and the counts the
 * workers reported of them, less the last "clear crypto sa"), and "show workers".  Reads the
 * SAD, the SPD and link/'s records; changes nothing. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "controld/cli/cli.h"
#include "controld/conf/compile.h"
#include "controld/controld.h"

static const char *
ip(uint32_t a, char *buf)
{
	struct in_addr ia = { htonl(a) };

	return inet_ntop(AF_INET, &ia, buf, INET_ADDRSTRLEN);
}

static uint64_t
errs(const struct sa_stat *s)
{
	uint64_t n = 0;

	for (int d = 1; d < DROP_MAX; d++)
		if (d != DROP_NOT_OWNER)
			n += s->drops[d];
	return n;
}

static void
show_errors(const struct sa_stat *s, bool detail, FILE *out)
{
	bool any = false;

	if (!detail && errs(s) == 0)
		return;
	fprintf(out, "        errors:");
	for (int d = 1; d < DROP_MAX; d++) {
		if (d == DROP_NOT_OWNER || (!detail && s->drops[d] == 0))
			continue;
		fprintf(out, "%s %s %" PRIu64, any ? "," : "", drop_name[d], s->drops[d]);
		any = true;
	}
	fprintf(out, "\n");
}

static void
show_sa(const struct controld *cd, const struct sa *sa, bool detail, FILE *out)
{
	char xf[64];
	struct sa_stat st;
	unsigned iv;

	sa_shown(sa, workers_live(cd), &st);
	sa_transform_text(sa, xf, sizeof(xf));
	switch (sa->cipher) {
	case XF_CIPHER_AES_CBC: iv = 16; break;
	case XF_CIPHER_DES: case XF_CIPHER_3DES:
	case XF_CIPHER_AES_GCM: case XF_CIPHER_AES_GMAC:
	case XF_CIPHER_CHACHA20_POLY1305: iv = 8; break;
	case XF_CIPHER_DES_RFC1829: iv = sa->iv_size; break;
	default: iv = 0; break;
	}
	fprintf(out, "      spi: 0x%X(%u)\n", sa->spi, sa->spi);
	fprintf(out, "        transform: %s ,\n", xf);
	fprintf(out, "        in use settings ={%s, }\n",
	    sa->mode == SA_TRANSPORT ? "Transport" : "Tunnel");
	fprintf(out, "        slot: 0, conn id: %" PRIu64 ", crypto map: %s\n", sa->id % 10000,
	    sa->map);
	fprintf(out, "        no sa timing\n");
	fprintf(out, "        IV size: %u bytes\n", iv);
	fprintf(out, "        replay detection support: %s\n", sa->replay_window ? "Y" : "N");
	if (detail || sa->inbound)
		fprintf(out, "        %s: %s\n", sa->inbound ? "owner" : "sent by", sa->inbound ?
		    (sa->owner[0] ? sa->owner : "(no worker)") : "every worker on the host");
	fprintf(out, "        #pkts: %" PRIu64 ", #bytes: %" PRIu64 ", %s: %" PRIu64 "\n",
	    st.pkts, st.bytes, sa->inbound ? "highest seq" : "last seq sent", st.seq_top);
	show_errors(&st, detail, out);
	fprintf(out, "\n");
}

static bool
policy_matches(const struct policy *p, const char *filter, const char *arg)
{
	char buf[INET_ADDRSTRLEN];

	if (filter == NULL)
		return true;
	if (strcmp(filter, "map") == 0)
		return arg != NULL && strcmp(p->map, arg) == 0;
	if (strcmp(filter, "peer") == 0)
		return arg != NULL && strcmp(ip(p->peer, buf), arg) == 0;
	return true;
}

static void
ident(const char *what, uint32_t a, uint32_t mask, uint32_t proto, uint32_t lo, uint32_t hi,
    FILE *out)
{
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];

	fprintf(out, "   %s ident (addr/mask/prot/port): (%s/%s/%u/%u)\n", what, ip(a, b1),
	    ip(mask, b2), proto, lo == hi ? lo : 0);
}

void
show_ipsec_sa(struct controld *cd, const char *filter, const char *arg, bool detail, FILE *out)
{
	const struct spd *spd = cd->conf.spd;
	const struct sad *d = &cd->sad;
	uint64_t live = workers_live(cd);
	const char *last_if = NULL;
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
	uint64_t drops[DROP_MAX];
	bool addr_view = filter != NULL && strcmp(filter, "address") == 0;
	bool identity = filter != NULL && strcmp(filter, "identity") == 0;

	for (size_t i = 0; spd != NULL && i < spd->n; i++) {
		const struct policy *p = &spd->v[i];
		const struct sa *sas[4] = { NULL };	/* in esp, in ah, out esp, out ah */
		struct sa_stat in = { 0 }, outs = { 0 }, aho = { 0 };
		const struct sel *f = NULL;

		if (!policy_matches(p, filter, arg))
			continue;
		for (size_t j = 0; j < d->n; j++) {
			const struct sa *sa = d->v[j];

			if (!sa_published(sa) || strcmp(sa->map, p->map) != 0 || sa->seq != p->seq)
				continue;
			sas[(sa->inbound ? 0 : 2) + (sa->proto == 51)] = sa;
			f = &sa->flow;
		}
		if (f == NULL)
			continue;		/* no SA for this entry (yet) */
		if (sas[0])
			sa_shown(sas[0], live, &in);
		if (sas[2])
			sa_shown(sas[2], live, &outs);
		if (sas[3])
			sa_shown(sas[3], live, &aho);
		if (!addr_view && (last_if == NULL || strcmp(last_if, p->interface) != 0)) {
			fprintf(out, "\ninterface: %s\n", p->interface);
			last_if = p->interface;
		}
		if (addr_view)
			fprintf(out, "\ndest address: %s\n", ip(p->peer, b1));
		else
			fprintf(out, "    Crypto map tag: %s, local addr. %s\n\n", p->map,
			    ip(p->local, b1));
		ident("local ", f->src, f->src_mask, f->proto, f->sport_lo, f->sport_hi, out);
		ident("remote", f->dst, f->dst_mask, f->proto, f->dport_lo, f->dport_hi, out);
		fprintf(out, "   current_peer: %s\n", ip(p->peer, b1));
		fprintf(out, "     PERMIT, flags={origin_is_acl,}\n");
		fprintf(out, "    #pkts encaps: %" PRIu64 ", #pkts encrypt: %" PRIu64
		    ", #pkts digest %" PRIu64 "\n", outs.pkts, outs.pkts,
		    sas[2] && sas[2]->auth != XF_AUTH_NONE ? outs.pkts : 0);
		fprintf(out, "    #pkts decaps: %" PRIu64 ", #pkts decrypt: %" PRIu64
		    ", #pkts verify %" PRIu64 "\n", in.pkts, in.pkts,
		    sas[0] && sas[0]->auth != XF_AUTH_NONE ? in.pkts : 0);
		fprintf(out, "    #send errors %" PRIu64 ", #recv errors %" PRIu64 "\n\n",
		    errs(&outs), errs(&in));
		if (identity)
			continue;
		fprintf(out, "     local crypto endpt.: %s, remote crypto endpt.: %s\n",
		    ip(p->local, b1), ip(p->peer, b2));
		{
			/* as the workers hold the outbound SA's packets to it (datad/mtu.c) */
			const struct sa_stat *m = sas[2] ? &outs : &aho;
			uint32_t path = m->path_mtu ? m->path_mtu : 1500;

			fprintf(out, "     path mtu %u, media mtu %u\n", path,
			    m->media_mtu ? m->media_mtu : path);
		}
		fprintf(out, "     current outbound spi: %X\n\n", sas[2] ? sas[2]->spi : 0);
		fprintf(out, "     inbound esp sas:\n");
		if (sas[0])
			show_sa(cd, sas[0], detail, out);
		fprintf(out, "\n     inbound ah sas:\n");
		if (sas[1])
			show_sa(cd, sas[1], detail, out);
		fprintf(out, "\n     outbound esp sas:\n");
		if (sas[2])
			show_sa(cd, sas[2], detail, out);
		fprintf(out, "\n     outbound ah sas:\n");
		if (sas[3])
			show_sa(cd, sas[3], detail, out);
		fprintf(out, "\n");
	}
	workers_drops(cd, drops);
	fprintf(out, "\nPackets dropped outside any SA (all workers):\n");
	fprintf(out, "    #pkts unprotected (cleartext matching a permit): %" PRIu64 "\n",
	    drops[DROP_CLEAR_IN]);
	fprintf(out, "    #pkts permitted but no outbound SA: %" PRIu64 "\n", drops[DROP_NO_OUT_SA]);
	fprintf(out, "    #pkts with an unknown SPI: %" PRIu64 "\n", drops[DROP_NO_SA]);
	for (int k = 1; detail && k < DROP_MAX; k++)
		if (k != DROP_CLEAR_IN && k != DROP_NO_OUT_SA && k != DROP_NO_SA)
			fprintf(out, "    #pkts %s: %" PRIu64 "\n", drop_text[k], drops[k]);
}

void
show_workers(struct controld *cd, FILE *out)
{
	const struct link_state *l = &cd->link;
	uint64_t now = link_now_ms();
	bool any = false;

	fprintf(out, "Generation %" PRIu64 ", link: %" PRIu64 " connections ended, %" PRIu64
	    " CURVE handshakes refused (workers %" PRIu64 ", CLI %" PRIu64 ")\n", l->gen,
	    l->disconnects, l->zap_refused[0] + l->zap_refused[1], l->zap_refused[0],
	    l->zap_refused[1]);
	for (int r = 0; r < REFUSE_MAX; r++) {
		if (l->refused[r] == 0)
			continue;
		fprintf(out, "%s %s %" PRIu64, any ? "," : "Refused from the link:", refuse_name[r],
		    l->refused[r]);
		any = true;
	}
	fprintf(out, "%s", any ? "\n" : "Refused from the link: nothing\n");
	link_show_ike(cd, out);
	fprintf(out, "%-20s %-10s %-8s %-5s %-16s %-12s %-12s %s\n", "Worker", "Host", "PID",
	    "State", "Generation", "Pkts out", "Pkts in", "Last heard");
	for (int k = 0; k < WORKERS_MAX; k++) {
		const struct worker_rec *w = &l->w[k];
		uint64_t pout = 0, pin = 0;

		if (w->id[0] == '\0')
			continue;
		sad_slot_counts(&cd->sad, (unsigned)k, &pout, &pin);
		fprintf(out, "%-20s %-10s %-8u %-5s %-16" PRIu64 " %-12" PRIu64 " %-12" PRIu64
		    " %" PRIu64 " ms ago\n", w->id, w->host, w->pid, w->live ? "up" : "down",
		    w->generation, pout, pin, now - w->last_ms);
		{
			bool dropped = false;

			for (int d = 1; d < DROP_MAX; d++) {
				if (w->drops[d] == 0)
					continue;
				fprintf(out, "%s %s %" PRIu64, dropped ? "," : "    drops outside SAs:",
				    drop_name[d], w->drops[d]);
				dropped = true;
			}
			if (dropped)
				fprintf(out, "\n");
		}
		{
			bool r_any = false;

			for (int r = 0; r < REFUSE_MAX; r++) {
				if (w->refused[r] == 0)
					continue;
				fprintf(out, "%s %s %" PRIu64, r_any ? "," : "    refused:",
				    refuse_name[r], w->refused[r]);
				r_any = true;
			}
			if (r_any)
				fprintf(out, "\n");
		}
		if (w->reject[0])
			fprintf(out, "    last rejected generation: %s\n", w->reject);
	}
}
