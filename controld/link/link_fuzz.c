/* SPDX-License-Identifier: Apache-2.0 */
/* link_fuzz: libFuzzer target for what controld takes from its workers over the link.  Each
 * input is one message: a byte choosing which of four workers (ZeroMQ routing ids) sends it,
 * then the envelope's bytes as they would arrive.  controld runs a real configuration (two
 * SAs), a lease store and a replay-tops store in a scratch directory, and keeps its state
 * from input to input, so hellos, reports, lease requests, IKE messages, acquires and rejects
 * from several workers mix as they could on a real link, and drop events to the log.  A bit of the first byte says whether
 * IKE hooks are registered: the hooks answer each relayed message with link_ike_send() (as an
 * engine would), so the relay, the per-peer limit, the acquire checks against the SPD and the
 * choice of a sending worker all run.  SA ids in reports and lease requests
 * are mapped onto the SAs that exist (else the fuzzer would never guess one), and the show
 * commands that print what workers reported run after every message.  A negotiated AH+ESP
 * bundle of the ipsec-isakmp entry is in the SAD, so every generation made carries a flow of
 * it (Policy.flow_sas).  Whatever the bytes:
 * a clean drop or a handled message, never a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/link.h"
#include "common/log.h"
#include "controld/cli/cli.h"
#include "controld/controld.h"
#include "tests/lib/example.h"

static struct controld CD;
static FILE *devnull;

/* deploy/examples/gwB.conf with anti-replay and NAT-T, and an ipsec-isakmp entry (acquires) */
static const char conf_extra[] =
	"crypto map vpn 10 ipsec-manual\n set security-association replay window-size 64\n"
	" set nat-t udp-encapsulation\n"
	"access-list 102 deny udp host 10.0.0.99 10.1.0.0 0.0.0.255 eq 53\n"
	"access-list 102 permit ip 10.0.0.0 0.0.0.255 10.1.0.0 0.0.0.255\n"
	"crypto map vpn 20 ipsec-isakmp\n match address 102\n set peer 198.51.100.3\n"
	" set transform-set AES-SHA\n";

static char dir[] = "/dev/shm/link_fuzz.XXXXXX";

static void
cleanup(void)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/key-leases", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/replay-floors", dir);
	unlink(path);
	rmdir(dir);
}

static void
setup(void)
{
	struct gw_err err;
	struct conf *c;
	char *conf = test_example("gwB.conf", conf_extra);

	log_init("link_fuzz", LOG_LVL_ERR);
	if (mkdtemp(dir) == NULL && (strcpy(dir, "/tmp/link_fuzz.XXXXXX"), mkdtemp(dir)) == NULL)
		abort();
	atexit(cleanup);
	if (lease_open(&CD.link.leases, dir, &err) != 0 ||
	    lease_open_named(&CD.link.floors, dir, "replay-floors", NULL, "floors", &err) != 0 ||
	    (c = conf_parse_text(conf, "fuzz", &err)) == NULL || controld_apply(&CD, c, &err) != 0 ||
	    (devnull = fopen("/dev/null", "w")) == NULL) {
		fprintf(stderr, "link_fuzz: %s\n", err.msg);
		abort();
	}
	free(conf);
}

/* A negotiated AH+ESP bundle of vpn 20 (as the IKE engine installs them), so that every
 * generation lists a flow of the entry (Policy.flow_sas, wire.c), and reports and lease
 * requests reach negotiated SAs too. */
static void
ike_sas(void)
{
	struct gw_err err;
	struct sa *v[2];

	for (int i = 0; i < 2; i++) {
		struct sa *sa = sa_new();

		if ((v[i] = sa) == NULL)
			abort();
		sa->origin = SA_IKE;
		sa->proto = i == 0 ? 50 : 51;
		sa->spi = 0x5000 + (uint32_t)i;
		sa->local = 0xc6336402;
		sa->peer = 0xc6336403;
		sa->cipher = i == 0 ? XF_CIPHER_AES_CBC : XF_CIPHER_NONE;
		sa->cipher_key.len = i == 0 ? 16 : 0;
		sa->auth = XF_AUTH_HMAC_SHA1_96;
		sa->auth_key.len = 20;
		sa->auth_key.b[0] = (uint8_t)i;
		snprintf(sa->map, sizeof(sa->map), "vpn");
		sa->seq = 20;
		sa->flow = (struct sel){ .src = 0x0a000001, .src_mask = ~0u, .dst = 0x0a010001,
		    .dst_mask = ~0u, .sport_hi = 65535, .dport_hi = 65535, .tos = -1,
		    .precedence = -1 };
		sa->id = sa_hash_id(sa);
		sa->key_id = sa_key_id(sa);
	}
	v[0]->bundle = v[1]->id;
	v[1]->bundle = v[0]->id;
	for (int i = 0; i < 2; i++)
		if (sad_add(&CD.sad, v[i], &err) != 0)
			abort();
	publish_tables(&CD);
}

/* What an engine would do with what it gets: answer from where the message came. */
static void
on_ike(void *ctx, const struct link_ike_dgram *d)
{
	link_ike_send(ctx, d->local, d->local_port, d->remote, d->remote_port, d->msg, d->len);
}

static void
on_acquire(void *ctx, const struct link_acquire *a)
{
	uint8_t m[28] = { [17] = 0x20, [18] = 34, [27] = 28 };

	if (a->pol == NULL || a->ace >= a->pol->n_aces || !a->pol->aces[a->ace].permit)
		abort();		/* the link promised a checked acquire */
	link_ike_send(ctx, a->pol->local, 500, a->pol->peer, 500, m, sizeof(m));
}

static uint64_t
real_id(uint64_t id)
{
	return CD.sad.v[id % CD.sad.n]->id;
}

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Gw__V1__Envelope *env;
	struct link_peer from = { .id = { 'w', 0 }, .id_len = 2, .fd = -1 };

	if (CD.link.sent == NULL) {
		setup();
		ike_sas();
	}
	if (size < 1)
		return 0;
	from.id[1] = data[0] & 3;
	if (data[0] & 4)
		link_set_ike_hooks(&CD.link, on_ike, on_acquire, &CD);
	else
		link_set_ike_hooks(&CD.link, NULL, NULL, NULL);
	/* two workers of one key, two of another (CURVE); the key binds worker ids */
	snprintf(from.key, sizeof(from.key), "%s", data[0] & 2 ?
	    "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7" : "");
	if ((env = gw__v1__envelope__unpack(NULL, size - 1, data + 1)) == NULL)
		return 0;		/* workers_poll counts these and goes on */
	if (env->version != LINK_VERSION || env->body_case == GW__V1__ENVELOPE__BODY__NOT_SET) {
		link_free(&env->base);
		return 0;		/* link_recv_env's check */
	}
	if (env->body_case == GW__V1__ENVELOPE__BODY_REPORT)
		for (size_t i = 0; i < env->report->n_sas; i++)
			env->report->sas[i]->sa_id = real_id(env->report->sas[i]->sa_id);
	if (env->body_case == GW__V1__ENVELOPE__BODY_LEASE_REQUEST)
		env->lease_request->sa_id = real_id(env->lease_request->sa_id);
	if (env->body_case == GW__V1__ENVELOPE__BODY_DROP_EVENTS)
		for (size_t i = 0; i < env->drop_events->n_events; i++)
			if (env->drop_events->events[i]->sa_id != 0)
				env->drop_events->events[i]->sa_id =
				    real_id(env->drop_events->events[i]->sa_id);
	workers_msg(&CD, &from, env);
	link_free(&env->base);
	show_ipsec_sa(&CD, NULL, NULL, true, devnull);
	show_workers(&CD, devnull);
	logging_show(&CD.log, devnull);
	return 0;
}
