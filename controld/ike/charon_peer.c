/* SPDX-License-Identifier: Apache-2.0 */
/* charon_peer.c: the IKEv2 engine on real UDP sockets, for testdata/charon_check.sh to pit
 * against strongSwan's charon before controld carries the engine (the datagrams then go
 * through datad).  Gateway 198.51.100.1 protecting 192.0.2.1, peer 198.51.100.2 protecting
 * 192.0.2.129; every IKE algorithm we have in one proposal, six transform sets.
 *
 *	charon_peer init|resp PSK PFS-GROUP
 *
 * init starts with an acquire; resp waits.  It prints what it does to the SAD, one line each:
 * "INSTALL in SPI out SPI encap PORT", "ACTIVATE SPI", "REMOVE SPI", and at the end the
 * show crypto ikev2 sa detail.  SIGUSR1: clear crypto ikev2 sa.  SIGUSR2: rekey every child
 * now (as at a soft lifetime).  SIGHUP: a restart of controld (ike_save, a new engine and an
 * empty SAD, ike_load: "RESTART n" with the SAs adopted).  SIGALRM: rekey the IKE SA now
 * ("REKEY-IKE n"), what we send held back HOLD_MS so that a rekey charon starts meanwhile
 * crosses ours (RFC 7296 §2.8.2), then LATENCY_MS for a while, as a WAN would (charon drops
 * a message for an IKE SA it has not registered yet, which a veth delivers in microseconds:
 * the retransmission would come only seconds later).  SIGTERM: stop.  Test tool only. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "controld/conf/compile.h"
#include "controld/ike/ike.h"
#include "controld/ike/ikev2.h"

#define GW	0xc6336401u	/* 198.51.100.1 */
#define PEER	0xc6336402u	/* 198.51.100.2 */

static const char text[] =
	"crypto ipsec transform-set GCM128 esp-gcm 128\n"
	"crypto ipsec transform-set GCM256 esp-gcm 256\n"
	"crypto ipsec transform-set CHACHA esp-chacha20-poly1305\n"
	"crypto ipsec transform-set AES-SHA256 esp-aes 128 esp-sha256-hmac\n"
	"crypto ipsec transform-set AES-SHA512 esp-aes 256 esp-sha512-hmac\n"
	"crypto ipsec transform-set 3DES-SHA esp-3des esp-sha-hmac\n"
	"access-list 101 permit ip host 192.0.2.1 host 192.0.2.129\n"
	"crypto map vpn 10 ipsec-isakmp\n"
	" match address 101\n"
	" set peer 198.51.100.2\n"
	" set transform-set GCM128 GCM256 CHACHA AES-SHA256 AES-SHA512 3DES-SHA\n"
	"interface wan0\n"
	" ip address 198.51.100.1 255.255.255.0\n"
	" crypto map vpn\n";

enum { HOLD_MS = 300, LATENCY_MS = 20, LATENCY_FOR_MS = 3000, HOLD_MAX = 16 };

static int			fd500, fd4500;
static struct sad		D;
static volatile sig_atomic_t	stop, clear, rekey, restart, rekey_ike;

/* Datagrams held back (SIGALRM): until hold_until, and LATENCY_MS each until slow_until. */
static struct held {
	struct sockaddr_in	to;
	int			fd;
	uint64_t		due;
	size_t			len;
	uint8_t			b[8192 + 4];
}				held[HOLD_MAX];
static unsigned			n_held;
static uint64_t			hold_until, slow_until;

static uint64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static void
p_send(void *ctx, uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport,
    const uint8_t *msg, size_t len)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(rport),
	    .sin_addr.s_addr = htonl(remote) };
	uint8_t b[8192 + 4];
	size_t off = 0;

	(void)ctx;
	(void)local;
	if (len > 8192)
		return;
	if (lport == 4500 && !(len == 1 && msg[0] == 0xff)) {	/* RFC 3948 §2.2 */
		memset(b, 0, 4);
		off = 4;
	}
	memcpy(b + off, msg, len);
	if (now_ms() < slow_until && n_held < HOLD_MAX) {	/* in order: due never falls */
		held[n_held].to = to;
		held[n_held].fd = lport == 4500 ? fd4500 : fd500;
		held[n_held].due = now_ms() + LATENCY_MS > hold_until ? now_ms() + LATENCY_MS :
		    hold_until;
		held[n_held].len = len + off;
		memcpy(held[n_held++].b, b, len + off);
		return;
	}
	sendto(lport == 4500 ? fd4500 : fd500, b, len + off, 0, (struct sockaddr *)&to,
	    sizeof(to));
}

/* Send what is due; the next due time (UINT64_MAX: none held). */
static uint64_t
release_held(uint64_t now)
{
	unsigned i;

	for (i = 0; i < n_held && held[i].due <= now; i++)
		sendto(held[i].fd, held[i].b, held[i].len, 0, (struct sockaddr *)&held[i].to,
		    sizeof(held[i].to));
	memmove(&held[0], &held[i], (n_held - i) * sizeof(held[0]));
	n_held -= i;
	return n_held > 0 ? held[0].due : UINT64_MAX;
}

static int
p_spi(void *ctx, uint8_t proto, uint32_t local, uint32_t *spi)
{
	(void)ctx;
	return sad_spi_alloc(&D, proto, local, spi, NULL);
}

static int
p_install(void *ctx, struct sa *in, struct sa *out)
{
	(void)ctx;
	if (sad_find(&D, in->id) != NULL || sad_find(&D, out->id) != NULL ||
	    sad_add(&D, in, NULL) != 0)
		return -1;
	if (sad_add(&D, out, NULL) != 0)
		abort();
	printf("INSTALL in %08x out %08x encap %u%s\n", in->spi, out->spi, in->udp_encap_port,
	    out->state == SA_LARVAL ? " larval" : "");
	return 0;
}

static void
p_activate(void *ctx, uint64_t id)
{
	struct sa *sa = sad_find(&D, id);

	(void)ctx;
	if (sa != NULL && sa_set_state(sa, SA_MATURE) == 0)
		printf("ACTIVATE %08x\n", sa->spi);
}

static void
p_remove(void *ctx, uint64_t id)
{
	struct sa *sa = sad_find(&D, id);

	(void)ctx;
	if (sa != NULL) {
		printf("REMOVE %08x\n", sa->spi);
		sad_remove(&D, sa);
	}
}

static void *
push(void *arrp, size_t *n, size_t size)
{
	void ***arr = arrp;
	void *o = calloc(1, size), **v = realloc(*arr, (*n + 1) * sizeof(void *));

	if (o == NULL || v == NULL)
		abort();
	*arr = v;
	v[(*n)++] = o;
	return o;
}

/* The IKEv2 objects (their commands are parsed by conf/, not here). */
static void
ikev2_conf(struct conf *c, const char *psk, unsigned pfs)
{
	static const struct conf_ikev2_encr encr[] = { { IKE_ENCR_AES_CBC, 128 },
	    { IKE_ENCR_AES_CBC, 256 }, { IKE_ENCR_3DES, 0 }, { IKE_ENCR_AES_GCM_16, 128 },
	    { IKE_ENCR_AES_GCM_16, 256 }, { IKE_ENCR_CHACHA20_POLY1305, 0 } };
	static const uint16_t integ[] = { IKE_INTEG_HMAC_SHA2_256_128, IKE_INTEG_HMAC_SHA1_96,
	    IKE_INTEG_HMAC_SHA2_512_256, IKE_INTEG_HMAC_SHA2_384_192 };
	static const uint16_t group[] = { IKE_DH_MODP2048, IKE_DH_ECP256, IKE_DH_ECP384,
	    IKE_DH_X25519, IKE_DH_ECP521, IKE_DH_MODP1024 };
	struct conf_ikev2_proposal *p = push(&c->ikev2_proposals, &c->n_ikev2_proposals,
	    sizeof(*p));
	struct conf_ikev2_keyring *kr = push(&c->ikev2_keyrings, &c->n_ikev2_keyrings,
	    sizeof(*kr));
	struct conf_ikev2_peer *pe = push(&kr->peers, &kr->n_peers, sizeof(*pe));
	struct conf_ikev2_profile *pr = push(&c->ikev2_profiles, &c->n_ikev2_profiles,
	    sizeof(*pr));
	struct conf_map_entry *e = conf_map_entry_find(conf_map_find(c, "vpn"), 10);

	snprintf(p->name, sizeof(p->name), "ALL");
	for (size_t i = 0; i < sizeof(encr) / sizeof(encr[0]); i++)
		p->encr[p->n_encr++] = encr[i];
	for (size_t i = 0; i < sizeof(integ) / sizeof(integ[0]); i++)
		p->integ[p->n_integ++] = integ[i];
	for (size_t i = 0; i < sizeof(group) / sizeof(group[0]); i++)
		p->group[p->n_group++] = group[i];
	snprintf(kr->name, sizeof(kr->name), "KR");
	snprintf(pe->name, sizeof(pe->name), "charon");
	pe->has_addr = true;
	pe->addr = PEER;
	pe->mask = 0xffffffffu;
	pe->psk_local.len = pe->psk_remote.len = (uint16_t)strnlen(psk, sizeof(pe->psk_local.b));
	memcpy(pe->psk_local.b, psk, pe->psk_local.len);
	memcpy(pe->psk_remote.b, psk, pe->psk_remote.len);
	snprintf(pr->name, sizeof(pr->name), "PROF");
	pr->match_remote[0] = (struct conf_ikev2_id){ .type = CONF_ID_ADDRESS, .addr = PEER,
	    .mask = 0xffffffffu };
	pr->n_match_remote = 1;
	pr->auth_local_psk = pr->auth_remote_psk = true;
	snprintf(pr->keyring, sizeof(pr->keyring), "KR");
	pr->dpd_interval = 10;
	pr->dpd_retry = 2;
	snprintf(e->ikev2_profile, sizeof(e->ikev2_profile), "PROF");
	e->pfs = (uint8_t)pfs;
}

/* What conf_free() does not free yet (conf/ adds the IKEv2 objects to it). */
static void
ikev2_conf_free(struct conf *c)
{
	free(c->ikev2_proposals[0]);
	free(c->ikev2_keyrings[0]->peers[0]);
	free(c->ikev2_keyrings[0]->peers);
	free(c->ikev2_keyrings[0]);
	free(c->ikev2_profiles[0]);
	free(c->ikev2_proposals);
	free(c->ikev2_keyrings);
	free(c->ikev2_profiles);
	c->ikev2_proposals = NULL;
	c->ikev2_keyrings = NULL;
	c->ikev2_profiles = NULL;
	c->n_ikev2_proposals = c->n_ikev2_keyrings = c->n_ikev2_profiles = 0;
	conf_free(c);
}

static int
udp_bind(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port),
	    .sin_addr.s_addr = htonl(GW) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		perror("bind");
		exit(1);
	}
	return fd;
}

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		clear = 1;
	else if (sig == SIGUSR2)
		rekey = 1;
	else if (sig == SIGHUP)
		restart = 1;
	else if (sig == SIGALRM)
		rekey_ike = 1;
	else
		stop = 1;
}

static void
rekey_all(struct ike *ike)
{
	for (size_t i = 0; i < D.n; i++)
		if (D.v[i]->inbound && D.v[i]->state == SA_MATURE)
			ike_soft_expired(ike, D.v[i]->id, now_ms());
}

/* controld killed and started again: everything in memory is gone but what was saved. */
static struct ike *
restart_engine(struct ike *ike, const struct ike_io *io, const struct conf *c,
    const struct spd *spd)
{
	struct gw_err err = { 0 };
	uint8_t *blob = NULL;
	size_t len = 0;

	if (ike_save(ike, now_ms(), &blob, &len, &err) != 0)
		abort();
	ike_free(ike);
	sad_free(&D);
	if ((ike = ike_new(io, &err)) == NULL || ike_set_conf(ike, c, spd, &err) != 0)
		abort();
	if (ike_load(ike, blob, len, now_ms(), &err) != 0)
		fprintf(stderr, "load: %s\n", err.msg);
	printf("RESTART %zu\n", D.n);
	memset(blob, 0, len);
	free(blob);
	return ike;
}

/* One datagram of fd (port 4500: only those with the non-ESP marker are IKE). */
static void
receive(struct ike *ike, int fd, uint16_t port)
{
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	uint8_t b[9000];
	ssize_t r = recvfrom(fd, b, sizeof(b), 0, (struct sockaddr *)&from, &fl);
	size_t off = 0;

	if (r <= 0)
		return;
	if (port == 4500) {
		if (r < 4 || memcmp(b, "\0\0\0\0", 4) != 0)
			return;
		off = 4;
	}
	ike_input(ike, GW, port, ntohl(from.sin_addr.s_addr), ntohs(from.sin_port), b + off,
	    (size_t)r - off, now_ms());
}

int
main(int argc, char **argv)
{
	struct ike_io io = { .send = p_send, .spi_alloc = p_spi, .install = p_install,
	    .activate = p_activate, .remove = p_remove };
	struct sel pkt = { .src = 0xc0000201u, .src_mask = ~0u, .dst = 0xc0000281u,
	    .dst_mask = ~0u, .proto = 1, .tos = -1, .precedence = -1 };
	struct sa_list sas = { NULL, 0 };
	struct gw_err err = { 0 };
	struct spd *spd;
	struct conf *c;
	struct ike *ike;

	if (argc != 4) {
		fprintf(stderr, "usage: charon_peer init|resp PSK PFS-GROUP\n");
		return 2;
	}
	log_init("charon_peer", getenv("IKE_DEBUG") != NULL ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((c = conf_parse_text(text, "charon_peer", &err)) == NULL ||
	    conf_compile(c, &spd, &sas, &err) != 0) {
		fprintf(stderr, "config: %s\n", err.msg);
		return 1;
	}
	ikev2_conf(c, argv[2], (unsigned)atoi(argv[3]));
	if ((ike = ike_new(&io, &err)) == NULL || ike_set_conf(ike, c, spd, &err) != 0)
		return 1;
	fd500 = udp_bind(500);
	fd4500 = udp_bind(4500);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGUSR1, on_signal);
	signal(SIGUSR2, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGALRM, on_signal);
	if (strcmp(argv[1], "init") == 0 && ike_acquire(ike, "vpn", 10, &pkt, now_ms(), &err) != 0)
		fprintf(stderr, "acquire: %s\n", err.msg);
	while (!stop) {
		struct pollfd pf[2] = { { fd500, POLLIN, 0 }, { fd4500, POLLIN, 0 } };
		uint64_t next = ike_tick(ike, now_ms()), now = now_ms(), due = release_held(now);
		int wait;

		if (due < next)
			next = due;
		wait = next <= now ? 0 : next - now > 200 ? 200 : (int)(next - now);

		if (clear) {
			clear = 0;
			printf("CLEAR %u\n", ike_clear_sa(ike, 0, now_ms()));
		}
		if (rekey) {
			rekey = 0;
			rekey_all(ike);
		}
		if (rekey_ike) {
			rekey_ike = 0;
			hold_until = now_ms() + HOLD_MS;
			slow_until = now_ms() + LATENCY_FOR_MS;
			printf("REKEY-IKE %u\n", ike_rekey_sa(ike, 0, now_ms()));
		}
		if (restart) {
			restart = 0;
			ike = restart_engine(ike, &io, c, spd);
		}
		if (poll(pf, 2, wait) <= 0)
			continue;
		if (pf[0].revents & POLLIN)
			receive(ike, fd500, 500);
		if (pf[1].revents & POLLIN)
			receive(ike, fd4500, 4500);
	}
	ike_show_sa(ike, true, now_ms(), stdout);
	ike_free(ike);
	sad_free(&D);
	spd_free(spd);
	ikev2_conf_free(c);
	return 0;
}
