/* SPDX-License-Identifier: Apache-2.0 */
/* show.c: the show commands that need the SA database and the workers: "show crypto ipsec sa"
 * in the layout of IOS 11.3 (the SPD's entries with the SAs of the SAD and the counts the
 * workers reported of them, less the last "clear crypto sa"), and "show workers".  Reads the
 * SAD, the SPD and link/'s records; changes nothing. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "controld/cli/exec.h"
#include "controld/conf/compile.h"
#include "controld/controld.h"

static void
show_errors(const struct sa_stat *s, bool detail, FILE *out)
{
	bool any = false;

	if (!detail && sa_stat_errors(s) == 0)
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

/* Does the map filter keep policy p?  (The peer filter is the SAs': a dynamic entry has
 * several peers, and none in its policy.) */
static bool
policy_matches(const struct policy *p, const char *filter, const char *arg)
{
	if (filter != NULL && strcmp(filter, "map") == 0)
		return arg != NULL && strcmp(p->map, arg) == 0;
	return true;
}

/* An earlier policy of the SPD with p's map and seq (the entries of one dynamic set share
 * them): its SAs were shown with that one. */
static bool
policy_seen(const struct spd *spd, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (spd->v[j].seq == spd->v[i].seq && strcmp(spd->v[j].map, spd->v[i].map) == 0)
			return true;
	return false;
}

/* Is it one of policy p's SAs, on the wire? */
static bool
sa_of_policy(const struct sa *sa, const struct policy *p)
{
	return sa_published(sa) && strcmp(sa->map, p->map) == 0 && sa->seq == p->seq;
}

static bool
same_group(const struct sa *a, const struct sa *b)
{
	return a->peer == b->peer && flow_same(&a->flow, &b->flow);
}

/* Is SA j the first of p's SAs with its peer and flow (a block of show each)? */
static bool
group_first(const struct sad *d, size_t j, const struct policy *p)
{
	for (size_t k = 0; k < j; k++)
		if (sa_of_policy(d->v[k], p) && same_group(d->v[k], d->v[j]))
			return false;
	return true;
}

static void
ident(const char *what, uint32_t a, uint32_t mask, uint32_t proto, uint32_t lo, uint32_t hi,
    FILE *out)
{
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];

	fprintf(out, "   %s ident (addr/mask/prot/port): (%s/%s/%u/%u)\n", what, cli_ip(a, b1),
	    cli_ip(mask, b2), proto, lo == hi ? lo : 0);
}

/* What show_ipsec_sa was asked for, and the last interface it named. */
struct sa_view {
	bool		addr_view, identity, detail;
	const char	*last_if;
};

/* One block: policy p's SAs with one peer and one flow, those of SA lead's group. */
static void
show_group(const struct controld *cd, const struct policy *p, const struct sa *lead,
    struct sa_view *v, FILE *out)
{
	const struct sad *d = &cd->sad;
	const struct sa *sas[4] = { NULL };	/* in esp, in ah, out esp, out ah */
	struct sa_stat in = { 0 }, outs = { 0 }, aho = { 0 };
	const struct sel *f = &lead->flow;
	uint32_t peer = lead->peer;		/* the SA's: a dynamic policy has none */
	uint64_t live = workers_live(cd);
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];

	for (size_t j = 0; j < d->n; j++) {
		const struct sa *sa = d->v[j];

		if (sa_of_policy(sa, p) && same_group(sa, lead))
			sas[(sa->inbound ? 0 : 2) + (sa->proto == 51)] = sa;	/* newest */
	}
	if (sas[0])
		sa_shown(sas[0], live, &in);
	if (sas[2])
		sa_shown(sas[2], live, &outs);
	if (sas[3])
		sa_shown(sas[3], live, &aho);
	if (!v->addr_view && (v->last_if == NULL || strcmp(v->last_if, p->interface) != 0)) {
		fprintf(out, "\ninterface: %s\n", p->interface);
		v->last_if = p->interface;
	}
	if (v->addr_view)
		fprintf(out, "\ndest address: %s\n", cli_ip(peer, b1));
	else
		fprintf(out, "    Crypto map tag: %s, local addr. %s\n\n", p->map,
		    cli_ip(p->local, b1));
	ident("local ", f->src, f->src_mask, f->proto, f->sport_lo, f->sport_hi, out);
	ident("remote", f->dst, f->dst_mask, f->proto, f->dport_lo, f->dport_hi, out);
	fprintf(out, "   current_peer: %s\n", cli_ip(peer, b1));
	fprintf(out, "     PERMIT, flags={origin_is_acl,}\n");
	fprintf(out, "    #pkts encaps: %" PRIu64 ", #pkts encrypt: %" PRIu64
	    ", #pkts digest %" PRIu64 "\n", outs.pkts, outs.pkts,
	    sas[2] && sas[2]->auth != XF_AUTH_NONE ? outs.pkts : 0);
	fprintf(out, "    #pkts decaps: %" PRIu64 ", #pkts decrypt: %" PRIu64
	    ", #pkts verify %" PRIu64 "\n", in.pkts, in.pkts,
	    sas[0] && sas[0]->auth != XF_AUTH_NONE ? in.pkts : 0);
	fprintf(out, "    #send errors %" PRIu64 ", #recv errors %" PRIu64 "\n\n",
	    sa_stat_errors(&outs), sa_stat_errors(&in));
	if (v->identity)
		return;
	fprintf(out, "     local crypto endpt.: %s, remote crypto endpt.: %s\n",
	    cli_ip(p->local, b1), cli_ip(peer, b2));
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
		show_sa(cd, sas[0], v->detail, out);
	fprintf(out, "\n     inbound ah sas:\n");
	if (sas[1])
		show_sa(cd, sas[1], v->detail, out);
	fprintf(out, "\n     outbound esp sas:\n");
	if (sas[2])
		show_sa(cd, sas[2], v->detail, out);
	fprintf(out, "\n     outbound ah sas:\n");
	if (sas[3])
		show_sa(cd, sas[3], v->detail, out);
	fprintf(out, "\n");
}

void
show_ipsec_sa(struct controld *cd, const char *filter, const char *arg, bool detail, FILE *out)
{
	const struct spd *spd = cd->conf.spd;
	const struct sad *d = &cd->sad;
	char b1[INET_ADDRSTRLEN];
	uint64_t drops[DROP_MAX];
	bool by_peer = filter != NULL && strcmp(filter, "peer") == 0;
	struct sa_view v = {
		.addr_view = filter != NULL && strcmp(filter, "address") == 0,
		.identity = filter != NULL && strcmp(filter, "identity") == 0,
		.detail = detail,
	};

	/* each entry's SAs, a block per peer and flow (a dynamic entry has several) */
	for (size_t i = 0; spd != NULL && i < spd->n; i++) {
		const struct policy *p = &spd->v[i];

		if (!policy_matches(p, filter, arg) || policy_seen(spd, i))
			continue;
		for (size_t g = 0; g < d->n; g++) {
			if (!sa_of_policy(d->v[g], p) || !group_first(d, g, p))
				continue;
			if (by_peer && (arg == NULL || strcmp(cli_ip(d->v[g]->peer, b1), arg) != 0))
				continue;
			show_group(cd, p, d->v[g], &v, out);
		}
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
