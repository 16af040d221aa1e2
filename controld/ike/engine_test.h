/* SPDX-License-Identifier: Apache-2.0 */
/* engine_test.h: two gateways in one process for the engine's tests.  Each side is an
 * engine with a real SAD (sad_spi_alloc, sad_add: the same checks as controld's) and a
 * configuration made by the parser for the IOS 11.3 lines and in C for the IKEv2 objects
 * (their commands are parsed elsewhere); io.send queues the datagram, and net_pump() carries
 * the queue to the other side, through an optional NAT and loss.  Tests only; all static. */
#ifndef GW_IKE_ENGINE_TEST_H
#define GW_IKE_ENGINE_TEST_H

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controld/conf/compile.h"
#include "controld/ike/ike.h"
#include "controld/ike/ikev2.h"
#include "tests/lib/test.h"

enum { NET_QMAX = 64 };

struct dgram {
	uint32_t	src, dst;
	uint16_t	sport, dport;
	size_t		len;
	uint8_t		b[8192];
};

struct side {
	const char	*name;
	uint32_t	addr;
	struct ike	*ike;
	struct conf	*conf;
	struct spd	*spd;
	struct sad	sad;
	unsigned	n_install, n_remove, n_activate, n_port;
	bool		idle;		/* io.used says no traffic */
	uint64_t	pkts_in, pkts_out;	/* io.packets of every inbound, outbound SA */
};

struct net {
	struct side	*s[2];
	struct dgram	q[NET_QMAX];
	unsigned	n;
	uint64_t	now;
	unsigned	drop_next;	/* datagrams to lose */
	unsigned	delivered;
	bool		nat;		/* side 0 is behind a NAT: seen as 203.0.113.7:4096+ */
	uint32_t	nat_addr;	/* the NAT's address; 0: NAT_ADDR */
	uint16_t	nat_shift;	/* its mapping moved: ports 4096+2n, 4097+2n */
	struct dgram	last;		/* the last datagram sent */
};

static struct net NET;

#define NAT_ADDR	0xcb007107u	/* 203.0.113.7 */

static void
t_send(void *ctx, uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport,
    const uint8_t *msg, size_t len)
{
	struct dgram *d;

	(void)ctx;
	if (NET.n == NET_QMAX || len > sizeof(d->b))
		abort();
	d = &NET.q[NET.n++];
	d->src = local;
	d->sport = lport;
	d->dst = remote;
	d->dport = rport;
	d->len = len;
	memcpy(d->b, msg, len);
	NET.last = *d;
}

static int
t_spi_alloc(void *ctx, uint8_t proto, uint32_t local, uint32_t *spi)
{
	struct side *s = ctx;

	return sad_spi_alloc(&s->sad, proto, local, spi, NULL);
}

static int
t_install(void *ctx, struct sa *in, struct sa *out)
{
	struct side *s = ctx;
	struct gw_err err = { 0 };

	if (sad_add(&s->sad, in, &err) != 0) {
		fprintf(stderr, "%s: install in: %s\n", s->name, err.msg);
		return -1;
	}
	if (sad_add(&s->sad, out, &err) != 0) {
		fprintf(stderr, "%s: install out: %s\n", s->name, err.msg);
		abort();		/* in is the SAD's already: a test must not get here */
	}
	s->n_install++;
	return 0;
}

static void
t_activate(void *ctx, uint64_t id)
{
	struct side *s = ctx;
	struct sa *sa = sad_find(&s->sad, id);

	if (sa != NULL && sa_set_state(sa, SA_MATURE) == 0)
		s->n_activate++;
}

static void
t_remove(void *ctx, uint64_t id)
{
	struct side *s = ctx;
	struct sa *sa = sad_find(&s->sad, id);

	if (sa != NULL) {
		sad_remove(&s->sad, sa);
		s->n_remove++;
	}
}

static void
t_set_encap_port(void *ctx, uint64_t id, uint16_t port)
{
	struct side *s = ctx;
	struct sa *sa = sad_find(&s->sad, id);

	if (sa != NULL && !sa->inbound) {
		sa->udp_encap_port = port;
		s->n_port++;
	}
}

static bool
t_used(void *ctx, uint64_t id)
{
	struct side *s = ctx;

	(void)id;
	return !s->idle;
}

static uint64_t
t_packets(void *ctx, uint64_t id)
{
	struct side *s = ctx;
	const struct sa *sa = sad_find(&s->sad, id);

	return sa == NULL ? 0 : sa->inbound ? s->pkts_in : s->pkts_out;
}

/* The IKEv2 objects of a configuration: the parser's model, filled in C. */
static void *
t_push(void *arrp, size_t *n, size_t size)
{
	void ***arr = arrp;
	void *o = calloc(1, size);

	*arr = realloc(*arr, (*n + 1) * sizeof(void *));
	(*arr)[(*n)++] = o;
	return o;
}

/* Free what conf_free() does not know yet (conf/ fills that in; harmless after). */
static void
t_conf_free(struct conf *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n_ikev2_proposals; i++)
		free(c->ikev2_proposals[i]);
	for (size_t i = 0; i < c->n_ikev2_policies; i++)
		free(c->ikev2_policies[i]);
	for (size_t i = 0; i < c->n_ikev2_keyrings; i++) {
		for (size_t j = 0; j < c->ikev2_keyrings[i]->n_peers; j++) {
			key_wipe(&c->ikev2_keyrings[i]->peers[j]->psk_local);
			key_wipe(&c->ikev2_keyrings[i]->peers[j]->psk_remote);
			free(c->ikev2_keyrings[i]->peers[j]);
		}
		free(c->ikev2_keyrings[i]->peers);
		free(c->ikev2_keyrings[i]);
	}
	for (size_t i = 0; i < c->n_ikev2_profiles; i++)
		free(c->ikev2_profiles[i]);
	free(c->ikev2_proposals);
	free(c->ikev2_policies);
	free(c->ikev2_keyrings);
	free(c->ikev2_profiles);
	c->ikev2_proposals = NULL;
	c->ikev2_policies = NULL;
	c->ikev2_keyrings = NULL;
	c->ikev2_profiles = NULL;
	c->n_ikev2_proposals = c->n_ikev2_policies = c->n_ikev2_keyrings = 0;
	c->n_ikev2_profiles = 0;
	conf_free(c);
}

static inline struct conf_ikev2_proposal *
t_proposal(struct conf *c, const char *name)
{
	struct conf_ikev2_proposal *p = t_push(&c->ikev2_proposals, &c->n_ikev2_proposals,
	    sizeof(*p));

	snprintf(p->name, sizeof(p->name), "%s", name);
	return p;
}

/* keyring KR { peer P address A 255.255.255.255 pre-shared-key local L remote R } and
 * profile PROF { match identity remote address A; authentication pre-share; keyring KR } */
static inline struct conf_ikev2_profile *
t_peer(struct conf *c, uint32_t peer, const char *psk_local, const char *psk_remote)
{
	struct conf_ikev2_keyring *kr = t_push(&c->ikev2_keyrings, &c->n_ikev2_keyrings,
	    sizeof(*kr));
	struct conf_ikev2_peer *pe = t_push(&kr->peers, &kr->n_peers, sizeof(*pe));
	struct conf_ikev2_profile *pr = t_push(&c->ikev2_profiles, &c->n_ikev2_profiles,
	    sizeof(*pr));

	snprintf(kr->name, sizeof(kr->name), "KR");
	snprintf(pe->name, sizeof(pe->name), "P");
	pe->has_addr = true;
	pe->addr = peer;
	pe->mask = 0xffffffffu;
	pe->psk_local.len = (uint16_t)strlen(psk_local);
	memcpy(pe->psk_local.b, psk_local, pe->psk_local.len);
	pe->psk_remote.len = (uint16_t)strlen(psk_remote);
	memcpy(pe->psk_remote.b, psk_remote, pe->psk_remote.len);
	snprintf(pr->name, sizeof(pr->name), "PROF");
	pr->match_remote[0].type = CONF_ID_ADDRESS;
	pr->match_remote[0].addr = peer;
	pr->match_remote[0].mask = 0xffffffffu;
	pr->n_match_remote = 1;
	pr->auth_local_psk = pr->auth_remote_psk = true;
	snprintf(pr->keyring, sizeof(pr->keyring), "KR");
	return pr;
}

/* Parse text (IOS 11.3 lines) and name the profile in every isakmp entry of map vpn. */
static struct conf *
t_conf(const char *text)
{
	struct gw_err err = { 0 };
	struct conf *c = conf_parse_text(text, "test", &err);

	if (c == NULL) {
		fprintf(stderr, "test config: line %u: %s\n", err.line, err.msg);
		abort();
	}
	return c;
}

static inline void
t_entry_profile(struct conf *c, const char *map, unsigned seq, const char *profile)
{
	struct conf_map *m = conf_map_find(c, map);
	struct conf_map_entry *e = m != NULL ? conf_map_entry_find(m, seq) : NULL;

	if (e == NULL)
		abort();
	snprintf(e->ikev2_profile, sizeof(e->ikev2_profile), "%s", profile);
}

static inline struct conf_map_entry *
t_entry(struct conf *c, const char *map, unsigned seq)
{
	struct conf_map *m = conf_map_find(c, map);

	return m != NULL ? conf_map_entry_find(m, seq) : NULL;
}

static void
t_side_init(struct side *s, const char *name, uint32_t addr, struct conf *c)
{
	struct ike_io io = { .ctx = s, .send = t_send, .spi_alloc = t_spi_alloc,
	    .install = t_install, .activate = t_activate, .remove = t_remove, .used = t_used,
	    .set_encap_port = t_set_encap_port, .packets = t_packets };
	struct gw_err err = { 0 };
	struct sa_list sas = { NULL, 0 };

	memset(s, 0, sizeof(*s));
	s->name = name;
	s->addr = addr;
	s->conf = c;
	if (conf_compile(c, &s->spd, &sas, &err) != 0) {
		fprintf(stderr, "%s: compile: %s\n", name, err.msg);
		abort();
	}
	sa_list_free(&sas);
	if ((s->ike = ike_new(&io, &err)) == NULL || ike_set_conf(s->ike, c, s->spd, &err) != 0)
		abort();
}

/* controld of s killed and started again: its engine and SAD are gone; a new engine adopts
 * what the old one saved.  0, or -1. */
static int
t_restart(struct side *s, uint64_t now)
{
	struct ike_io io = { .ctx = s, .send = t_send, .spi_alloc = t_spi_alloc,
	    .install = t_install, .activate = t_activate, .remove = t_remove, .used = t_used,
	    .set_encap_port = t_set_encap_port, .packets = t_packets };
	struct gw_err err = { 0 };
	char path[] = "/tmp/ike_state.XXXXXX";
	int fd = mkstemp(path), rc;
	struct stat st;

	/* through the state file, as controld will: 0600, replaced atomically */
	if (fd < 0 || ike_save_file(s->ike, path, now, true, &err) != 0 || stat(path, &st) != 0 ||
	    (st.st_mode & 0777) != 0600) {
		fprintf(stderr, "%s: save: %s\n", s->name, err.msg);
		return -1;
	}
	close(fd);
	ike_free(s->ike);
	sad_free(&s->sad);
	if ((s->ike = ike_new(&io, &err)) == NULL || ike_set_conf(s->ike, s->conf, s->spd, &err) != 0)
		abort();
	rc = ike_load_file(s->ike, path, now, &err);
	if (rc != 0)
		fprintf(stderr, "%s: load: %s\n", s->name, err.msg);
	unlink(path);
	return rc;
}

static void
t_side_free(struct side *s)
{
	ike_free(s->ike);
	spd_free(s->spd);
	t_conf_free(s->conf);
	sad_free(&s->sad);
}

static struct side *
t_side_of(uint32_t addr)
{
	for (int i = 0; i < 2; i++)
		if (NET.s[i] != NULL && NET.s[i]->addr == addr)
			return NET.s[i];
	return NULL;
}

/* Deliver what is queued (and what that makes) until nothing moves, at most max datagrams.
 * With NET.nat, side 0's datagrams reach side 1 from NAT_ADDR, port 500 -> 4096, 4500 ->
 * 4097, and side 1's answers to NAT_ADDR go back to side 0's own address and ports. */
static unsigned
net_pump(unsigned max)
{
	unsigned n = 0;

	while (NET.n > 0 && n < max) {
		struct dgram d = NET.q[0];
		struct side *to;

		memmove(&NET.q[0], &NET.q[1], (NET.n - 1) * sizeof(NET.q[0]));
		NET.n--;
		n++;
		if (NET.drop_next > 0) {
			NET.drop_next--;
			continue;
		}
		if (NET.nat && d.src == NET.s[0]->addr) {
			d.src = NET.nat_addr != 0 ? NET.nat_addr : NAT_ADDR;
			d.sport = (uint16_t)((d.sport == 500 ? 4096 : 4097) + 2 * NET.nat_shift);
		} else if (NET.nat && (d.dst == NAT_ADDR || d.dst == NET.nat_addr)) {
			d.dst = NET.s[0]->addr;
			d.dport = d.dport % 2 == 0 ? 500 : 4500;	/* what was mapped once */
		}
		if ((to = t_side_of(d.dst)) == NULL)
			continue;
		NET.delivered++;
		ike_input(to->ike, d.dst, d.dport, d.src, d.sport, d.b, d.len, NET.now);
	}
	return n;
}

/* Both sides in NET, from the start (the clock at now). */
static inline void
t_net_start(struct side *a, struct side *b, uint64_t now)
{
	memset(&NET, 0, sizeof(NET));
	NET.now = now;
	NET.s[0] = a;
	NET.s[1] = b;
}

/* A packet 192.0.2.10 -> 192.0.2.200 on map vpn 10 of s: acquire. */
static inline int
t_acquire(struct side *s)
{
	struct sel pkt = { .src = 0xc000020a, .src_mask = ~0u, .dst = 0xc00002c8,
	    .dst_mask = ~0u, .proto = 1, .tos = -1, .precedence = -1 };
	struct gw_err err = { 0 };
	int rc = ike_acquire(s->ike, "vpn", 10, &pkt, NET.now, &err);

	if (rc != 0)
		fprintf(stderr, "acquire: %s\n", err.msg);
	return rc;
}

/* One counter of a side's engine. */
static inline uint64_t
t_ctr(const struct side *s, enum ike_ctr c)
{
	struct ike_stats st;

	ike_get_stats(s->ike, &st);
	return st.c[c];
}

/* The SAs of a side by direction: the number of mature ones (and the larval). */
static unsigned
t_count(const struct side *s, bool inbound, bool mature)
{
	unsigned n = 0;

	for (size_t i = 0; i < s->sad.n; i++)
		if (s->sad.v[i]->inbound == inbound &&
		    (s->sad.v[i]->state == SA_MATURE) == mature)
			n++;
	return n;
}

/* Every inbound SA of a has its outbound twin at b, same SPI, algorithms and keys. */
static unsigned
t_pairs(const struct side *a, const struct side *b)
{
	unsigned n = 0;

	for (size_t i = 0; i < a->sad.n; i++) {
		const struct sa *in = a->sad.v[i];

		if (!in->inbound)
			continue;
		for (size_t j = 0; j < b->sad.n; j++) {
			const struct sa *out = b->sad.v[j];

			if (!out->inbound && out->spi == in->spi && out->proto == in->proto &&
			    out->cipher == in->cipher && out->auth == in->auth &&
			    out->cipher_key.len == in->cipher_key.len &&
			    memcmp(out->cipher_key.b, in->cipher_key.b, in->cipher_key.len) == 0 &&
			    out->auth_key.len == in->auth_key.len &&
			    memcmp(out->auth_key.b, in->auth_key.b, in->auth_key.len) == 0 &&
			    out->esn == in->esn &&
			    (NET.nat || (out->local == in->peer && out->peer == in->local)) &&
			    out->flow.src == in->flow.dst && out->flow.dst == in->flow.src)
				n++;
		}
	}
	return n;
}

#endif
