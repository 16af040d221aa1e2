/* SPDX-License-Identifier: Apache-2.0 */
/* crypto_session.c: "show crypto session [remote A] [detail]" and "clear crypto session
 * [remote A]" in the layout of IOS 15: one session per peer address, made of the IKE SAs with
 * that peer (the engine's, ike_sa_next) and the SAs of the SAD to it, negotiated or manual;
 * the static ipsec-isakmp entries name their peers even when nothing is up (DOWN).
 *
 * Session status, as IOS has it:
 *   UP-ACTIVE        an IKE SA established and IPsec SAs installed
 *   UP-IDLE          an IKE SA established, no IPsec SA
 *   UP-NO-IKE        IPsec SAs and no IKE SA established: manual keys (ipsec-manual), or
 *                    negotiated SAs whose IKE SA is gone
 *   DOWN-NEGOTIATING an IKE SA being set up (or deleted), no IPsec SA
 *   DOWN             nothing: a configured peer with no SA
 * Show reads the engine, the SAD, the SPD and the workers' counts; changes nothing.  Clear
 * deletes through the engine's clear paths (the peer told with an INFORMATIONAL Delete) and
 * treats manual SAs as "clear crypto sa" does (counters from 0, the SAs kept). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "controld/cli/exec.h"
#include "controld/conf/compile.h"
#include "controld/ike/ike.h"

/* The peers there are sessions with, in the order first met: IKE SAs, SAs, configuration. */
struct peers {
	uint32_t	*v;
	size_t		n, cap;
};

/* The engine's IKE SAs, copied once per command: a walk of ike_sa_next() costs a pass over
 * every IKE SA per step, so show walks it once, not once per peer. */
struct ike_list {
	struct ike_sa_info	*v;
	size_t			n, cap;
};

static int
ike_list_get(const struct controld *cd, uint32_t remote, struct ike_list *l)
{
	struct ike_sa_info in, *nv;
	uint64_t h = 0;

	while (cd->ike.ike != NULL && ike_sa_next(cd->ike.ike, &h, &in)) {
		if (remote != 0 && in.remote != remote)
			continue;
		if (l->n == l->cap) {
			l->cap = l->cap ? l->cap * 2 : 16;
			if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL)
				return -1;
			l->v = nv;
		}
		l->v[l->n++] = in;
	}
	return 0;
}

static int
peers_add(struct peers *p, uint32_t a)
{
	uint32_t *nv;

	if (a == 0)
		return 0;
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i] == a)
			return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		if ((nv = realloc(p->v, p->cap * sizeof(*nv))) == NULL)
			return -1;
		p->v = nv;
	}
	p->v[p->n++] = a;
	return 0;
}

static int
peers_collect(const struct controld *cd, const struct ike_list *ikes, struct peers *p)
{
	const struct spd *spd = cd->conf.spd;

	for (size_t i = 0; i < ikes->n; i++)
		if (peers_add(p, ikes->v[i].remote) != 0)
			return -1;
	for (size_t i = 0; i < cd->sad.n; i++)
		if (sa_published(cd->sad.v[i]) && peers_add(p, cd->sad.v[i]->peer) != 0)
			return -1;
	for (size_t i = 0; spd != NULL && i < spd->n; i++)
		if (spd->v[i].kind == POLICY_ISAKMP && peers_add(p, spd->v[i].peer) != 0)
			return -1;
	return 0;
}

/* The SPD's entry an SA belongs to (the first of a dynamic set: they share map and seq). */
static const struct policy *
policy_of(const struct controld *cd, const char *map, uint32_t seq)
{
	const struct spd *spd = cd->conf.spd;

	for (size_t i = 0; spd != NULL && i < spd->n; i++)
		if (spd->v[i].seq == seq && strcmp(spd->v[i].map, map) == 0)
			return &spd->v[i];
	return NULL;
}

/* One side of a flow as IOS's session view writes it: "host A" or "A/MASK", and its ports
 * when the flow is narrower than every port. */
static void
flow_side(uint32_t a, uint32_t mask, uint16_t lo, uint16_t hi, FILE *out)
{
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];

	if (mask == 0xffffffffu)
		fprintf(out, " host %s", cli_ip(a, b1));
	else
		fprintf(out, " %s/%s", cli_ip(a, b1), cli_ip(mask, b2));
	if (lo == hi && lo != 0)
		fprintf(out, " port %u", lo);
	else if (lo < hi && (lo != 0 || hi != 65535))
		fprintf(out, " port %u-%u", lo, hi);
}

static void
flow_line(const struct sel *f, FILE *out)
{
	fprintf(out, "  IPSEC FLOW: permit ");
	if (f->proto == 0)
		fprintf(out, "ip");
	else
		fprintf(out, "%u", f->proto);
	flow_side(f->src, f->src_mask, f->sport_lo, f->sport_hi, out);
	flow_side(f->dst, f->dst_mask, f->dport_lo, f->dport_hi, out);
	fprintf(out, "\n");
}

static bool
same_flow(const struct sa *a, const struct sa *b)
{
	return a->seq == b->seq && strcmp(a->map, b->map) == 0 && flow_same(&a->flow, &b->flow);
}

/* detail: "Inbound:  #pkts dec'ed N drop N life (KB/Sec) KB/S" over one flow's SAs of one
 * direction; the life is the newest SA's what-is-left of its hard limits ("none": manual). */
static void
flow_dir(const struct controld *cd, const struct sa *lead, bool inbound, uint64_t now,
    FILE *out)
{
	const struct sad *d = &cd->sad;
	uint64_t live = workers_live(cd), pkts = 0, drops = 0, kb = 0, sec = 0;
	const struct sa *newest = NULL;
	struct sa_stat st;

	for (size_t i = 0; i < d->n; i++) {
		const struct sa *sa = d->v[i];

		if (!sa_published(sa) || sa->inbound != inbound || sa->peer != lead->peer ||
		    !same_flow(sa, lead))
			continue;
		sa_shown(sa, live, &st);
		pkts += st.pkts;
		drops += sa_stat_errors(&st);
		if (sa->proto == 50 || newest == NULL)
			newest = sa;		/* the SAD keeps them in the order they came */
	}
	fprintf(out, "        %s #pkts %s %" PRIu64 " drop %" PRIu64 " life (KB/Sec) ",
	    inbound ? "Inbound: " : "Outbound:", inbound ? "dec'ed" : "enc'ed", pkts, drops);
	if (newest == NULL || (newest->hard.kilobytes == 0 && newest->hard.seconds == 0)) {
		fprintf(out, "none\n");
		return;
	}
	sa_sum(newest, live, &st);
	if (newest->hard.kilobytes > st.bytes / 1024)
		kb = newest->hard.kilobytes - st.bytes / 1024;
	if (now >= newest->added_ms && newest->hard.seconds * 1000 > now - newest->added_ms)
		sec = (newest->hard.seconds * 1000 - (now - newest->added_ms)) / 1000;
	fprintf(out, "%" PRIu64 "/%" PRIu64 "\n", kb, sec);
}

/* The IPSEC FLOW lines of one peer: each flow of its SAs, then the flows of the static
 * entries naming it that have no SA yet (Active SAs: 0, as IOS lists them). */
static void
session_flows(const struct controld *cd, uint32_t peer, bool detail, uint64_t now, FILE *out)
{
	const struct sad *d = &cd->sad;
	const struct spd *spd = cd->conf.spd;

	for (size_t i = 0; i < d->n; i++) {
		const struct sa *sa = d->v[i];
		const struct policy *p;
		size_t n_sa = 0;
		bool first = true;

		if (!sa_published(sa) || sa->peer != peer)
			continue;
		for (size_t j = 0; j < i && first; j++)
			first = !(sa_published(d->v[j]) && d->v[j]->peer == peer &&
			    same_flow(d->v[j], sa));
		if (!first)
			continue;
		for (size_t j = i; j < d->n; j++)
			n_sa += sa_published(d->v[j]) && d->v[j]->peer == peer &&
			    same_flow(d->v[j], sa);
		p = policy_of(cd, sa->map, sa->seq);
		flow_line(&sa->flow, out);
		fprintf(out, "        Active SAs: %zu, origin: %s\n", n_sa,
		    p != NULL && p->kind == POLICY_DYNAMIC ? "dynamic crypto map" : "crypto map");
		if (detail) {
			flow_dir(cd, sa, true, now, out);
			flow_dir(cd, sa, false, now, out);
		}
	}
	for (size_t i = 0; spd != NULL && i < spd->n; i++) {
		const struct policy *p = &spd->v[i];
		bool has_sa = false;

		if (p->kind != POLICY_ISAKMP || p->peer != peer)
			continue;
		for (size_t j = 0; j < d->n && !has_sa; j++)
			has_sa = sa_published(d->v[j]) && d->v[j]->peer == peer &&
			    d->v[j]->seq == p->seq && strcmp(d->v[j]->map, p->map) == 0;
		if (has_sa)
			continue;
		for (size_t k = 0; k < p->n_aces; k++) {
			if (!p->aces[k].permit)
				continue;
			flow_line(&p->aces[k].sel, out);
			fprintf(out, "        Active SAs: 0, origin: crypto map\n");
			break;
		}
	}
}

static void
hms(uint64_t s, char *buf, size_t len)
{
	snprintf(buf, len, "%02" PRIu64 ":%02u:%02u", s / 3600, (unsigned)(s / 60 % 60),
	    (unsigned)(s % 60));
}

/* What there is with one peer, for its header lines. */
struct session {
	uint32_t		peer;
	unsigned		n_up, n_other;	/* IKE SAs: established; set up or deleted */
	size_t			n_sa;		/* SAs published */
	const char		*interface;
	struct ike_sa_info	ike;		/* the first established, else the first */
	bool			has_ike;
	uint16_t		port;		/* the peer's; 0: none (manual, plain ESP) */
	uint64_t		since_ms;	/* the oldest SA or established IKE SA */
};

static void
session_of(const struct controld *cd, const struct ike_list *ikes, uint32_t peer,
    uint64_t now, struct session *s)
{
	const struct spd *spd = cd->conf.spd;

	memset(s, 0, sizeof(*s));
	s->peer = peer;
	s->since_ms = now;
	for (size_t i = 0; i < ikes->n; i++) {
		const struct ike_sa_info *in = &ikes->v[i];
		bool up = in->state == IKE_SA_ESTABLISHED;

		if (in->remote != peer)
			continue;
		if (up)
			s->n_up++;
		else
			s->n_other++;
		if (!s->has_ike || (up && s->ike.state != IKE_SA_ESTABLISHED))
			s->ike = *in;
		s->has_ike = true;
		if (up && in->created_ms < s->since_ms)
			s->since_ms = in->created_ms;
	}
	if (s->has_ike)
		s->port = s->ike.rport;
	for (size_t i = 0; i < cd->sad.n; i++) {
		const struct sa *sa = cd->sad.v[i];
		const struct policy *p;

		if (!sa_published(sa) || sa->peer != peer)
			continue;
		s->n_sa++;
		if (sa->added_ms < s->since_ms)
			s->since_ms = sa->added_ms;
		if (s->port == 0)
			s->port = sa->udp_encap_port;
		if (s->interface == NULL && (p = policy_of(cd, sa->map, sa->seq)) != NULL)
			s->interface = p->interface;
	}
	for (size_t i = 0; spd != NULL && i < spd->n && s->interface == NULL; i++)
		if (spd->v[i].peer == peer || (s->has_ike && spd->v[i].local == s->ike.local))
			s->interface = spd->v[i].interface;
	if (s->port == 0 && !s->has_ike && s->n_sa == 0)
		s->port = 500;		/* a configured ipsec-isakmp peer: IKE's port */
}

static const char *
session_status(const struct session *s)
{
	if (s->n_up != 0)
		return s->n_sa != 0 ? "UP-ACTIVE" : "UP-IDLE";
	if (s->n_sa != 0)
		return "UP-NO-IKE";
	return s->n_other != 0 ? "DOWN-NEGOTIATING" : "DOWN";
}

static void
session_show(const struct controld *cd, const struct ike_list *ikes, uint32_t peer,
    bool detail, uint64_t now, FILE *out)
{
	struct session s;
	char b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN], t[32];

	session_of(cd, ikes, peer, now, &s);
	fprintf(out, "Interface: %s\n", s.interface != NULL ? s.interface : "(none)");
	if (s.has_ike && s.ike.profile[0] != '\0')
		fprintf(out, "Profile: %s\n", s.ike.profile);
	if (detail && (s.n_up != 0 || s.n_sa != 0)) {
		hms(now > s.since_ms ? (now - s.since_ms) / 1000 : 0, t, sizeof(t));
		fprintf(out, "Uptime: %s\n", t);
	}
	fprintf(out, "Session status: %s\n", session_status(&s));
	fprintf(out, "Peer: %s", cli_ip(peer, b1));
	if (s.port != 0)
		fprintf(out, " port %u", s.port);
	fprintf(out, "\n");
	if (detail) {
		if (s.has_ike)
			fprintf(out, "      Phase1_id: %s\n", s.ike.remote_id[0] != '\0' ?
			    s.ike.remote_id : cli_ip(peer, b1));
		fprintf(out, "      Desc: (none)\n");
	}
	for (size_t i = 0; i < ikes->n; i++) {
		const struct ike_sa_info *in = &ikes->v[i];

		if (in->remote != peer)
			continue;
		fprintf(out, "  IKEv%u SA: local %s/%u remote %s/%u %s\n", in->version == 1 ? 1u : 2u,
		    cli_ip(in->local, b1),
		    in->lport, cli_ip(in->remote, b2), in->rport,
		    in->state == IKE_SA_ESTABLISHED ? "Active" : "Inactive");
		if (detail) {
			uint64_t age = now > in->created_ms ? (now - in->created_ms) / 1000 : 0;
			const struct conf_ikev2_profile *pr = cd->conf.running == NULL ? NULL :
			    conf_ikev2_profile_find(cd->conf.running, in->profile);
			bool dpd = pr != NULL && pr->dpd_interval != 0;

			hms(in->lifetime_s > age ? in->lifetime_s - age : 0, t, sizeof(t));
			fprintf(out, "          Capabilities:%s%s%s connid:%" PRIu64
			    " lifetime:%s\n", dpd ? "D" : "", in->nat ? "N" : "",
			    dpd || in->nat ? "" : "(none)", in->id, t);
		}
	}
	session_flows(cd, peer, detail, now, out);
	fprintf(out, "\n");
}

int
crypto_session_show(struct controld *cd, char **a, int n, FILE *out)
{
	struct peers p = { NULL, 0, 0 };
	struct ike_list ikes = { NULL, 0, 0 };
	uint32_t remote = 0;
	bool detail = false;
	uint64_t now = link_now_ms();
	int rc = -1;

	for (int i = 0; i < n; i++) {
		if (kw(a[i], "detail"))
			detail = true;
		else if (kw(a[i], "remote") && i + 1 < n && cli_ip_parse(a[i + 1], &remote))
			i++;
		else {
			fprintf(out, "%% Usage: show crypto session [remote A.B.C.D] [detail]\n");
			return -1;
		}
	}
	if (ike_list_get(cd, remote, &ikes) != 0 || peers_collect(cd, &ikes, &p) != 0) {
		fprintf(out, "%% out of memory\n");
		goto out;
	}
	fprintf(out, "Crypto session current status\n\n");
	if (detail)
		fprintf(out, "Code: D - Dead Peer Detection, N - NAT-traversal\n\n");
	for (size_t i = 0; i < p.n; i++)
		if (remote == 0 || p.v[i] == remote)
			session_show(cd, &ikes, p.v[i], detail, now, out);
	rc = 0;
out:
	free(p.v);
	free(ikes.v);
	return rc;
}

/* ---- clear crypto session ---- */

static size_t
count_sas(const struct controld *cd, uint32_t remote, enum sa_origin origin)
{
	size_t k = 0;

	for (size_t i = 0; i < cd->sad.n; i++)
		k += sa_published(cd->sad.v[i]) && cd->sad.v[i]->origin == origin &&
		    (remote == 0 || cd->sad.v[i]->peer == remote);
	return k;
}

/* The IKE SAs with the peer (every one with remote 0) and their child SAs go, the peers
 * told; negotiated SAs left without an IKE SA go one by one, told over whatever IKE SA the
 * engine still has with them (ike_clear_child). */
static unsigned
clear_negotiated(struct controld *cd, uint32_t remote, unsigned *n_v1)
{
	struct ike *ike = cd->ike.ike;
	struct ike_list ikes = { NULL, 0, 0 };
	uint64_t *ids, now = link_now_ms();
	size_t n;
	unsigned k = 0;

	ike_list_get(cd, remote, &ikes);	/* out of memory: those it got */
	for (size_t i = 0; i < ikes.n; i++) {
		if (ikes.v[i].version != 1) {
			k += ike_clear_sa(ike, ikes.v[i].id, now);
			continue;
		}
		/* IKEv1: the IPsec SAs first, told to the peer over the ISAKMP SA, then it */
		for (size_t j = cd->sad.n; j-- > 0;) {
			const struct sa *sa = j < cd->sad.n ? cd->sad.v[j] : NULL;

			if (sa != NULL && sa_published(sa) && sa->origin == SA_IKE &&
			    sa->peer == ikes.v[i].remote)
				ike_clear_child(ike, sa->id, now);
		}
		*n_v1 += ike_clear_isakmp(ike, ikes.v[i].id, now);
	}
	free(ikes.v);
	/* the engine removes SAs from the SAD as it goes: their ids are taken first */
	n = count_sas(cd, remote, SA_IKE);
	if (n != 0 && (ids = calloc(n, sizeof(*ids))) != NULL) {
		size_t m = 0;

		for (size_t i = 0; i < cd->sad.n && m < n; i++) {
			const struct sa *sa = cd->sad.v[i];

			if (sa_published(sa) && sa->origin == SA_IKE &&
			    (remote == 0 || sa->peer == remote))
				ids[m++] = sa->id;
		}
		for (size_t i = 0; i < m; i++)
			ike_clear_child(ike, ids[i], now);	/* -1: gone already */
		free(ids);
	}
	cd->ike.next_tick_ms = 0;	/* the deletes' retransmissions: timers looked at again */
	cd->ike.dirty = true;
	return k;
}

int
crypto_session_clear(struct controld *cd, char **a, int n, FILE *out)
{
	uint32_t remote = 0;
	uint64_t live = workers_live(cd);
	size_t n_child, n_manual, n_left;
	unsigned n_ike = 0, n_v1 = 0;
	char b[INET_ADDRSTRLEN], what[64], v1[48] = "";

	if (n == 2 && kw(a[0], "remote") && cli_ip_parse(a[1], &remote))
		snprintf(what, sizeof(what), "with peer %s", cli_ip(remote, b));
	else if (n == 0)
		snprintf(what, sizeof(what), "with every peer");
	else {
		fprintf(out, "%% Usage: clear crypto session [remote A.B.C.D]\n");
		return -1;
	}
	n_child = count_sas(cd, remote, SA_IKE);
	n_manual = count_sas(cd, remote, SA_MANUAL);
	if (cd->ike.ike != NULL)
		n_ike = clear_negotiated(cd, remote, &n_v1);
	n_left = count_sas(cd, remote, SA_IKE);
	for (size_t i = 0; i < cd->sad.n; i++) {
		struct sa *sa = cd->sad.v[i];

		if (sa_published(sa) && sa->origin == SA_MANUAL &&
		    (remote == 0 || sa->peer == remote))
			sa_clear(sa, live);
	}
	if (n_v1 != 0)
		snprintf(v1, sizeof(v1), ", %u ISAKMP SA%s", n_v1, n_v1 == 1 ? "" : "s");
	fprintf(out, "Cleared the crypto sessions %s: %u IKEv2 SA%s%s and %zu negotiated SA%s "
	    "deleted, the peers told.\n", what, n_ike, n_ike == 1 ? "" : "s", v1,
	    n_child - n_left, n_child - n_left == 1 ? "" : "s");
	if (n_left != 0)
		fprintf(out, "%% %zu negotiated SA%s left: %s.\n", n_left, n_left == 1 ? "" : "s",
		    cd->ike.ike == NULL ? "IKE is not running" :
		    "the old SAs of a rekey, draining");
	if (n_manual != 0)
		fprintf(out, "%zu manual SA%s kept (re-established at once with the same keys, as "
		    "clear crypto sa does):\ntheir counters start again from 0.\n", n_manual,
		    n_manual == 1 ? "" : "s");
	log_info("clear crypto session %s: %u IKE SA%s, %zu negotiated SA%s deleted; counters "
	    "of %zu manual SA%s reset", what, n_ike, n_ike == 1 ? "" : "s", n_child - n_left,
	    n_child - n_left == 1 ? "" : "s", n_manual, n_manual == 1 ? "" : "s");
	return 0;
}
