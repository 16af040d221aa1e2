/* SPDX-License-Identifier: Apache-2.0 */
/* show.c: the show commands that need the SA database and the workers: "show crypto ipsec sa"
 * (the SPD's entries with the SAs of the SAD and the counts the workers reported of them, less
 * the last "clear crypto sa [counters]") in the layout the configuration asks for (crypto ipsec
 * show-layout, docs/show.md): IOS 12.4/15 by default, line for line the shapes ntc-templates'
 * and genieparser's parsers read (tests/parsers/), or IOS 11.3 with this gateway's own lines
 * (owner, errors, drops outside any SA); and "show workers", which has those lines in both.
 * Reads the SAD, the SPD and link/'s records; changes nothing. */
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

/* The workers' drops of packets no SA is for (ours: IOS has no such lines). */
static void
show_outside(struct controld *cd, bool detail, FILE *out)
{
	uint64_t drops[DROP_MAX];

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

static void
show_ipsec_sa113(struct controld *cd, const char *filter, const char *arg, bool detail,
    FILE *out)
{
	const struct spd *spd = cd->conf.spd;
	const struct sad *d = &cd->sad;
	char b1[INET_ADDRSTRLEN];
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
	show_outside(cd, detail, out);
}

/* ---- The IOS 12.4/15 layout ---- */

/* Where each drop of an SA goes among IOS's per-flow error counters ("detail"), by direction;
 * what no line names falls in "encaps failed (send)" or "decaps failed (rcv)". */
enum { E_NO_SA, E_FAILED, E_PROT, E_VERIFY, E_IDENTITY, E_LEN, E_ROLLOVER, E_REPLAY,
	E_INTERNAL, E_MAX };

static void
error_buckets(const struct sa_stat *s, uint64_t b[E_MAX])
{
	memset(b, 0, E_MAX * sizeof(*b));
	for (int d = 1; d < DROP_MAX; d++) {
		int e;

		switch (d) {
		case DROP_NOT_OWNER: continue;		/* the other workers' filter: not an error */
		case DROP_NO_SA: case DROP_NO_LEASE: case DROP_EXPIRED: case DROP_BUNDLE:
		case DROP_ENCAP: e = E_NO_SA; break;
		case DROP_PROTO: e = E_PROT; break;
		case DROP_ICV: e = E_VERIFY; break;
		case DROP_SELECTOR: e = E_IDENTITY; break;
		case DROP_RUNT: case DROP_TRUNCATED: e = E_LEN; break;
		case DROP_SEQ_WRAP: e = E_ROLLOVER; break;
		case DROP_REPLAY: e = E_REPLAY; break;
		case DROP_CRYPTO: case DROP_TX: e = E_INTERNAL; break;
		default: e = E_FAILED; break;
		}
		b[e] += s->drops[d];
	}
}

/* The SAs of one block: in esp, in ah, out esp, out ah (the newest of each), and their sums. */
struct block {
	const struct sa		*sas[4];
	struct sa_stat		st[4];
	struct sa_stat		in, out;	/* esp, else ah: IOS counts a packet once */
	uint64_t		in_err, out_err;
};

static void
block_of(const struct controld *cd, const struct policy *p, const struct sa *lead,
    struct block *b)
{
	const struct sad *d = &cd->sad;
	uint64_t live = workers_live(cd);

	memset(b, 0, sizeof(*b));
	for (size_t j = 0; lead != NULL && j < d->n; j++) {
		const struct sa *sa = d->v[j];

		if (sa_of_policy(sa, p) && same_group(sa, lead))
			b->sas[(sa->inbound ? 0 : 2) + (sa->proto == 51)] = sa;	/* newest */
	}
	for (int k = 0; k < 4; k++)
		if (b->sas[k] != NULL)
			sa_shown(b->sas[k], live, &b->st[k]);
	b->in = b->sas[0] != NULL ? b->st[0] : b->st[1];
	b->out = b->sas[2] != NULL ? b->st[2] : b->st[3];
	b->in_err = sa_stat_errors(&b->st[0]) + sa_stat_errors(&b->st[1]);
	b->out_err = sa_stat_errors(&b->st[2]) + sa_stat_errors(&b->st[3]);
	/* the drops of both SAs of a bundle, in the detail lines */
	for (int k = 0; k < DROP_MAX; k++) {
		b->in.drops[k] = b->st[0].drops[k] + b->st[1].drops[k];
		b->out.drops[k] = b->st[2].drops[k] + b->st[3].drops[k];
	}
}

/* Does an SA authenticate what it carries (IOS's #pkts digest / verify)? */
static bool
sa_digests(const struct sa *sa)
{
	return sa != NULL && (sa->auth != XF_AUTH_NONE || sa->cipher == XF_CIPHER_AES_GCM ||
	    sa->cipher == XF_CIPHER_AES_GMAC || sa->cipher == XF_CIPHER_CHACHA20_POLY1305);
}

/* Bytes of ESP before the payload (SPI, sequence, IV), the padding boundary and the ICV. */
static void
esp_sizes(const struct sa *sa, unsigned *iv, unsigned *block, unsigned *icv)
{
	static const uint8_t auth_icv[XF_AUTH_MAX] = {
		[XF_AUTH_HMAC_MD5_96] = 12, [XF_AUTH_HMAC_SHA1_96] = 12,
		[XF_AUTH_HMAC_SHA256_128] = 16, [XF_AUTH_HMAC_SHA384_192] = 24,
		[XF_AUTH_HMAC_SHA512_256] = 32, [XF_AUTH_KEYED_MD5_RFC1828] = 16,
	};

	*block = 4;
	*iv = 0;
	switch (sa->cipher) {
	case XF_CIPHER_AES_CBC: *iv = *block = 16; break;
	case XF_CIPHER_DES: case XF_CIPHER_3DES: *iv = *block = 8; break;
	case XF_CIPHER_DES_RFC1829: *iv = sa->iv_size; *block = 8; break;
	case XF_CIPHER_AES_GCM: case XF_CIPHER_AES_GMAC:
	case XF_CIPHER_CHACHA20_POLY1305: *iv = 8; break;
	default: break;
	}
	*icv = (unsigned)sa->auth < XF_AUTH_MAX ? auth_icv[sa->auth] : 0;
	if (sa->cipher == XF_CIPHER_AES_GCM || sa->cipher == XF_CIPHER_AES_GMAC ||
	    sa->cipher == XF_CIPHER_CHACHA20_POLY1305)
		*icv = 16;
}

/* IOS's "plaintext mtu": the largest packet the outbound SAs carry within the path MTU. */
static unsigned
plaintext_mtu(const struct block *b, unsigned path)
{
	const struct sa *esp = b->sas[2], *ah = b->sas[3], *any = esp != NULL ? esp : ah;
	unsigned over = 0, iv = 0, block = 4, icv = 0, room;

	if (any == NULL)
		return path;
	if (any->mode == SA_TUNNEL)
		over += 20;
	if (any->udp_encap_port != 0)
		over += 8;
	if (ah != NULL) {
		esp_sizes(ah, &iv, &block, &icv);
		over += 12 + ((icv + 3) & ~3u);		/* RFC 4302 §2: header + ICV, 32-bit */
	}
	if (esp == NULL)
		return path > over ? path - over : 0;
	esp_sizes(esp, &iv, &block, &icv);
	over += 8 + iv + icv;
	if (path < over + block)
		return 0;
	room = (path - over) / block * block;		/* payload, padding and trailer */
	return room - 2;
}

/* The configuration's PFS group of the entry (the SAs' own are not kept); 0: none. */
static unsigned
entry_pfs(const struct controld *cd, const struct policy *p)
{
	const struct conf_map *m;
	const struct conf_map_entry *e;

	if (cd->conf.running == NULL || (m = conf_map_find(cd->conf.running, p->map)) == NULL ||
	    (e = conf_map_entry_find(m, p->seq)) == NULL)
		return 0;
	return e->pfs;
}

static void
show_sa15(const struct controld *cd, const struct sa *sa, bool detail, uint64_t now, FILE *out)
{
	char xf[64], c[32];
	unsigned iv, block, icv;
	uint64_t kb = 0, sec = 0, conn = 2000 + sa->id % 1000;
	struct sa_stat sum;

	esp_sizes(sa, &iv, &block, &icv);
	if (sa->proto == 51)
		snprintf(xf, sizeof(xf), "ah-%s", xform_auth_name(sa->auth));
	else if (sa->auth == XF_AUTH_NONE)
		snprintf(xf, sizeof(xf), "%s", conf_cipher_name15(sa->cipher,
		    (unsigned)sa->cipher_key.len * 8 - (sa->cipher == XF_CIPHER_AES_GCM ||
		    sa->cipher == XF_CIPHER_AES_GMAC ? 32 : 0), c, sizeof(c)));
	else
		snprintf(xf, sizeof(xf), "%s esp-%s", conf_cipher_name15(sa->cipher,
		    (unsigned)sa->cipher_key.len * 8 - (sa->cipher == XF_CIPHER_AES_GCM ||
		    sa->cipher == XF_CIPHER_AES_GMAC ? 32 : 0), c, sizeof(c)),
		    xform_auth_name(sa->auth));
	/* what is left of the hard lifetimes; manual SAs have none: (0/0) */
	sa_sum(sa, workers_live(cd), &sum);
	if (sa->hard.kilobytes > sum.bytes / 1024)
		kb = sa->hard.kilobytes - sum.bytes / 1024;
	if (sa->hard.seconds != 0 && now >= sa->added_ms &&
	    sa->hard.seconds * 1000 > now - sa->added_ms)
		sec = (sa->hard.seconds * 1000 - (now - sa->added_ms)) / 1000;
	fprintf(out, "      spi: 0x%X(%u)\n", sa->spi, sa->spi);
	fprintf(out, "        transform: %s ,\n", xf);
	fprintf(out, "        in use settings ={%s%s, }\n",
	    sa->mode == SA_TRANSPORT ? "Transport" : "Tunnel",
	    sa->udp_encap_port != 0 ? " UDP-Encaps" : "");
	fprintf(out, "        conn id: %" PRIu64 ", flow_id: SW:%" PRIu64 ", sibling_flags %s, "
	    "crypto map: %s\n", conn, conn - 2000, "80000040", sa->map);
	fprintf(out, "        sa timing: remaining key lifetime (k/sec): (%" PRIu64 "/%" PRIu64
	    ")\n", kb, sec);
	fprintf(out, "        IV size: %u bytes\n", iv);
	if (detail)	/* IOS 15's detail line, as ntc-templates reads it */
		fprintf(out, "        replay detection support: %s  replay window size: %u\n",
		    sa->replay_window ? "Y" : "N", sa->replay_window);
	else
		fprintf(out, "        replay detection support: %s\n", sa->replay_window ? "Y" : "N");
	fprintf(out, "        Status: ACTIVE(ACTIVE)\n");
}

/* One block: an entry's flow with one peer, its SAs (lead's group; none: lead NULL). */
static void
show_block15(const struct controld *cd, const struct policy *p, const struct sa *lead,
    const struct sel *f, uint32_t peer, const struct sa_view *v, FILE *out)
{
	static const char *const sect[6] = { "inbound esp", "inbound ah", "inbound pcp",
		"outbound esp", "outbound ah", "outbound pcp" };
	static const int of_sect[6] = { 0, 1, -1, 2, 3, -1 };
	struct block b;
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
	unsigned pfs = entry_pfs(cd, p), path, media;
	uint64_t now = link_now_ms();

	block_of(cd, p, lead, &b);
	if (v->addr_view)
		fprintf(out, "\ndest address: %s\n", cli_ip(peer, b1));
	fprintf(out, "\n   protected vrf: (none)\n");
	ident("local ", f->src, f->src_mask, f->proto, f->sport_lo, f->sport_hi, out);
	ident("remote", f->dst, f->dst_mask, f->proto, f->dport_lo, f->dport_hi, out);
	fprintf(out, "   current_peer %s port %u\n", cli_ip(peer, b1),
	    lead != NULL && lead->udp_encap_port != 0 ? lead->udp_encap_port : 500);
	fprintf(out, "     PERMIT, flags={origin_is_acl,}\n");
	fprintf(out, "    #pkts encaps: %" PRIu64 ", #pkts encrypt: %" PRIu64
	    ", #pkts digest: %" PRIu64 "\n", b.out.pkts, b.sas[2] != NULL ? b.out.pkts : 0,
	    sa_digests(b.sas[2]) || b.sas[3] != NULL ? b.out.pkts : 0);
	fprintf(out, "    #pkts decaps: %" PRIu64 ", #pkts decrypt: %" PRIu64
	    ", #pkts verify: %" PRIu64 "\n", b.in.pkts, b.sas[0] != NULL ? b.in.pkts : 0,
	    sa_digests(b.sas[0]) || b.sas[1] != NULL ? b.in.pkts : 0);
	fprintf(out, "    #pkts compressed: 0, #pkts decompressed: 0\n");
	fprintf(out, "    #pkts not compressed: 0, #pkts compr. failed: 0\n");
	fprintf(out, "    #pkts not decompressed: 0, #pkts decompress failed: 0\n");
	if (v->detail) {
		uint64_t e_in[E_MAX], e_out[E_MAX];

		error_buckets(&b.in, e_in);
		error_buckets(&b.out, e_out);
		fprintf(out, "    #pkts no sa (send) %" PRIu64 ", #pkts invalid sa (rcv) %" PRIu64
		    "\n", e_out[E_NO_SA], e_in[E_NO_SA]);
		fprintf(out, "    #pkts encaps failed (send) %" PRIu64 ", #pkts decaps failed (rcv) %"
		    PRIu64 "\n", e_out[E_FAILED] + e_out[E_PROT] + e_out[E_IDENTITY] +
		    e_out[E_LEN] + e_out[E_VERIFY] + e_out[E_REPLAY], e_in[E_FAILED]);
		fprintf(out, "    #pkts invalid prot (recv) %" PRIu64 ", #pkts verify failed: %"
		    PRIu64 "\n", e_in[E_PROT], e_in[E_VERIFY]);
		fprintf(out, "    #pkts invalid identity (recv) %" PRIu64 ", #pkts invalid len (rcv) %"
		    PRIu64 "\n", e_in[E_IDENTITY], e_in[E_LEN]);
		fprintf(out, "    #pkts replay rollover (send): %" PRIu64 ", #pkts replay rollover "
		    "(rcv) %" PRIu64 "\n", e_out[E_ROLLOVER], e_in[E_ROLLOVER]);
		/* "##": IOS 15 prints it so, and the parsers expect it */
		fprintf(out, "    ##pkts replay failed (rcv): %" PRIu64 "\n", e_in[E_REPLAY]);
		fprintf(out, "    #pkts tagged (send): 0, #pkts untagged (rcv): 0\n");
		fprintf(out, "    #pkts not tagged (send): 0, #pkts not untagged (rcv): 0\n");
		fprintf(out, "    #pkts internal err (send): %" PRIu64 ", #pkts internal err (recv) %"
		    PRIu64 "\n", e_out[E_INTERNAL], e_in[E_INTERNAL]);
	} else {
		fprintf(out, "    #send errors %" PRIu64 ", #recv errors %" PRIu64 "\n", b.out_err,
		    b.in_err);
	}
	if (v->identity)
		return;
	/* as the workers hold the outbound SA's packets to it (datad/mtu.c) */
	path = b.out.path_mtu != 0 ? b.out.path_mtu : 1500;
	media = b.out.media_mtu != 0 ? b.out.media_mtu : path;
	fprintf(out, "\n     local crypto endpt.: %s, remote crypto endpt.: %s\n",
	    cli_ip(p->local, b1), cli_ip(peer, b2));
	fprintf(out, "     plaintext mtu %u, path mtu %u, ip mtu %u, ip mtu idb %s\n",
	    plaintext_mtu(&b, path), path, media, p->interface);
	fprintf(out, "     current outbound spi: 0x%X(%u)\n", b.sas[2] ? b.sas[2]->spi :
	    b.sas[3] ? b.sas[3]->spi : 0, b.sas[2] ? b.sas[2]->spi : b.sas[3] ? b.sas[3]->spi : 0);
	if (pfs != 0)
		fprintf(out, "     PFS (Y/N): Y, DH group: group%u\n", pfs);
	else
		fprintf(out, "     PFS (Y/N): N, DH group: none\n");
	for (int k = 0; k < 6; k++) {
		fprintf(out, "\n     %s sas:\n", sect[k]);
		if (of_sect[k] >= 0 && b.sas[of_sect[k]] != NULL)
			show_sa15(cd, b.sas[of_sect[k]], v->detail, now, out);
	}
}

/* Has entry p an SA group with the flow f? */
static bool
flow_has_sa(const struct sad *d, const struct policy *p, const struct sel *f)
{
	for (size_t j = 0; j < d->n; j++)
		if (sa_of_policy(d->v[j], p) && flow_same(&d->v[j]->flow, f))
			return true;
	return false;
}

static void
show_ipsec_sa15(struct controld *cd, const char *filter, const char *arg, bool detail,
    FILE *out)
{
	const struct spd *spd = cd->conf.spd;
	const struct sad *d = &cd->sad;
	char b1[INET_ADDRSTRLEN];
	bool by_peer = filter != NULL && strcmp(filter, "peer") == 0;
	const char *last_map = NULL;
	struct sa_view v = {
		.addr_view = filter != NULL && strcmp(filter, "address") == 0,
		.identity = filter != NULL && strcmp(filter, "identity") == 0,
		.detail = detail,
	};

	for (size_t i = 0; spd != NULL && i < spd->n; i++) {
		const struct policy *p = &spd->v[i];

		if (!policy_matches(p, filter, arg) || policy_seen(spd, i))
			continue;
		/* "interface:" and "Crypto map tag:" once for each interface and map, then a
		 * block for each flow with each peer (IOS's "protected vrf:" blocks) */
		if (!v.addr_view && (v.last_if == NULL || strcmp(v.last_if, p->interface) != 0 ||
		    strcmp(last_map, p->map) != 0)) {
			fprintf(out, "%sinterface: %s\n", v.last_if == NULL ? "" : "\n",
			    p->interface);
			fprintf(out, "    Crypto map tag: %s, local addr %s\n", p->map,
			    cli_ip(p->local, b1));
			v.last_if = p->interface;
			last_map = p->map;
		}
		for (size_t g = 0; g < d->n; g++) {
			if (!sa_of_policy(d->v[g], p) || !group_first(d, g, p))
				continue;
			if (by_peer && (arg == NULL || strcmp(cli_ip(d->v[g]->peer, b1), arg) != 0))
				continue;
			show_block15(cd, p, d->v[g], &d->v[g]->flow, d->v[g]->peer, &v, out);
		}
		/* a static entry's flows without an SA yet: zero counters, empty sections, as
		 * IOS shows an entry with a valid list (a dynamic one has no peer to show) */
		if (p->kind == POLICY_DYNAMIC || p->peer == 0 ||
		    (by_peer && (arg == NULL || strcmp(cli_ip(p->peer, b1), arg) != 0)))
			continue;
		for (size_t k = 0; k < p->n_aces; k++)
			if (p->aces[k].permit && !flow_has_sa(d, p, &p->aces[k].sel))
				show_block15(cd, p, NULL, &p->aces[k].sel, p->peer, &v, out);
	}
}

void
show_ipsec_sa(struct controld *cd, const char *filter, const char *arg, bool detail, FILE *out)
{
	if (cd->conf.running != NULL && cd->conf.running->show_layout == CONF_LAYOUT_11_3)
		show_ipsec_sa113(cd, filter, arg, detail, out);
	else
		show_ipsec_sa15(cd, filter, arg, detail, out);
}

/* "owns": the inbound SAs whose packets worker id takes (link/owners.c); the 11.3 layout of
 * show crypto ipsec sa has them as "owner:". */
static void
show_owned(const struct controld *cd, const char *id, FILE *out)
{
	bool any = false;

	for (size_t i = 0; i < cd->sad.n; i++) {
		const struct sa *sa = cd->sad.v[i];

		if (!sa->inbound || !sa_published(sa) || strcmp(sa->owner, id) != 0)
			continue;
		fprintf(out, "%s %s 0x%X(%u) %s %u", any ? "," : "    owns inbound:",
		    sa->proto == 51 ? "ah" : "esp", sa->spi, sa->spi, sa->map, sa->seq);
		any = true;
	}
	if (any)
		fprintf(out, "\n");
}

/* How a worker's packets were batched, as it last reported (link.h, struct link_offload_ctr;
 * the numbers of datad's stop line): super-packets read from the TUN and cut (TSO, USO, ADR
 * 0017), writes to it and those coalesced (TCP and UDP), UDP 4500 GSO and GRO (ADR 0015),
 * AF_XDP transmit (ADR 0016, only when it has AF_XDP or counted some).  Nothing from a worker
 * from before these counters. */
static void
show_offload(const struct worker_rec *w, FILE *out)
{
	const struct link_offload_ctr *o = &w->offload;

	if (!o->known)
		return;
	fprintf(out, "    TUN in: %" PRIu64 " reads, %" PRIu64 " TCP super-packets cut into %"
	    PRIu64 " segments, %" PRIu64 " UDP into %" PRIu64 " datagrams (USO %s)\n",
	    o->tun_reads, o->tso, o->tso_segs, o->uso, o->uso_dgrams, o->tun_uso ? "on" : "off");
	fprintf(out, "    TUN out: %" PRIu64 " writes, %" PRIu64 " coalesced of %" PRIu64
	    " segments (UDP: %" PRIu64 " of %" PRIu64 " datagrams)\n", o->tun_writes,
	    o->coalesced, o->coalesced_segs, o->uso_writes, o->uso_segs);
	fprintf(out, "    UDP 4500: %" PRIu64 " GSO sends of %" PRIu64 " datagrams, %" PRIu64
	    " GRO reads of %" PRIu64 " datagrams\n", o->gso_sends, o->gso_dgrams, o->gro_reads,
	    o->gro_dgrams);
	if (strncmp(w->io, "af_xdp", 6) == 0 || o->xdp_sent || o->xdp_raw || o->xdp_refused)
		fprintf(out, "    AF_XDP out: %" PRIu64 " sent, %" PRIu64 " left to raw sockets, %"
		    PRIu64 " kicks refused\n", o->xdp_sent, o->xdp_raw, o->xdp_refused);
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
		if (w->io[0])	/* datad --io (datad/xdp.h): on AF_XDP it also sends (ADR 0016) */
			fprintf(out, "    ESP received by: %s\n", w->io);
		if (w->tun_read[0])	/* datad --tun-read (datad/tunring.h, ADR 0019) */
			fprintf(out, "    TUN read by: %s\n", w->tun_read);
		show_offload(w, out);
		show_owned(cd, w->id, out);
	}
	show_outside(cd, false, out);
}
