/* SPDX-License-Identifier: Apache-2.0 */
/* events_test.c: drop events from a worker (gw.v1.DropEvents, events.c) through the real
 * handler (workers_msg): the three IOS messages with the fields IOS prints, each event checked
 * (a bad one refused and counted, the others of its message still logged), a stale boot
 * ignored, too many events refused whole; then the message's bytes mutated at random and
 * decoded as the link would: a clean drop or a handled message, never a crash. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "controld/controld.h"
#include "controld/link/worker.h"
#include "controld/link/link_test.h"
#include "tests/lib/example.h"
#include "tests/lib/test.h"

static const char conf_extra[] =
	"crypto map vpn 10 ipsec-manual\n set security-association replay window-size 64\n";

static struct controld cd;
static char dir[64];
static const struct link_peer from = { .id = { 'w', '1' }, .id_len = 2, .fd = -1 };

static const struct sa *
sa_of(bool inbound)
{
	for (size_t i = 0; i < cd.sad.n; i++)
		if (cd.sad.v[i]->inbound == inbound)
			return cd.sad.v[i];
	return NULL;
}

static void
hello(uint64_t boot)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Hello h = GW__V1__HELLO__INIT;

	h.worker_id = (char *)"test/0";
	h.host = (char *)"test";
	h.boot = boot;
	env.body_case = GW__V1__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	workers_msg(&cd, &from, &env);
}

static void
events(uint64_t boot, Gw__V1__DropEvent *ev, size_t n)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__DropEvents m = GW__V1__DROP_EVENTS__INIT;
	Gw__V1__DropEvent *p[8];

	for (size_t i = 0; i < n; i++)
		p[i] = &ev[i];
	m.boot = boot;
	m.n_events = n;
	m.events = p;
	env.body_case = GW__V1__ENVELOPE__BODY_DROP_EVENTS;
	env.drop_events = &m;
	workers_msg(&cd, &from, &env);
}

static Gw__V1__DropEvent
ev(uint32_t drop, uint32_t proto, uint32_t spi, uint64_t sa_id, uint64_t seq, uint64_t count)
{
	Gw__V1__DropEvent e = GW__V1__DROP_EVENT__INIT;

	e.drop = drop;
	e.proto = proto;
	e.spi = spi;
	e.src = 0xcb007109;		/* 203.0.113.9 */
	e.dst = 0xc6336402;		/* 198.51.100.2 */
	e.sa_id = sa_id;
	e.seq = seq;
	e.count = count;
	return e;
}

static char *
buffer(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	logging_show(&cd.log, f);
	fclose(f);
	logging_clear(&cd.log);
	return buf;
}

static uint64_t
refused(enum refuse r)
{
	return cd.link.refused[r];
}

int
main(void)
{
	struct conf_logging cfg;
	const struct sa *in, *out;
	char *s, want[256];
	uint64_t bad, rsa;

	logging_init(&cd.log, false);
	if (link_test_up(&cd, dir, "events_test", test_example("gwB.conf", conf_extra)) != 0)
		return 2;
	cfg = cd.log.cfg;
	cfg.console_off = true;
	logging_conf(&cd.log, &cfg);
	hello(7);
	in = sa_of(true);
	out = sa_of(false);
	T_OK(in != NULL && out != NULL && cd.link.w[0].live, "an inbound SA, a worker");
	if (in == NULL || out == NULL)
		return t_done();

	{	/* the three messages, in one DropEvents */
		Gw__V1__DropEvent e[3] = {
			ev(DROP_NO_SA, 50, 0x12345678, 0, 1, 3),
			ev(DROP_REPLAY, 50, in->spi, in->id, 25, 1),
			ev(DROP_ICV, 50, in->spi, in->id, 26, 1),
		};

		events(7, e, 3);
	}
	s = buffer();
	T_OK(strstr(s, ": %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid "
	    "spi for destaddr=198.51.100.2, prot=50, spi=0x12345678(305419896), "
	    "srcaddr=203.0.113.9\n") != NULL, "invalid SPI:\n%s", s);
	snprintf(want, sizeof(want), ": %%CRYPTO-4-PKT_REPLAY_ERR: decrypt: replay check failed "
	    "connection id=%llu, sequence number=25\n", (unsigned long long)(in->id % 10000));
	T_OK(strstr(s, want) != NULL, "replay: %s\n%s", want, s);
	snprintf(want, sizeof(want), ": %%CRYPTO-4-RECVD_PKT_MAC_ERR: decrypt: mac verification "
	    "failed for connection id=%llu spi=%08X seqno=0000001A\n",
	    (unsigned long long)(in->id % 10000), in->spi);
	T_OK(strstr(s, want) != NULL, "mac: %s\n%s", want, s);
	free(s);

	/* each bad event refused and counted; the good one beside it still logged */
	bad = refused(REFUSE_BAD_MSG);
	rsa = refused(REFUSE_REPORT_SA);
	{
		Gw__V1__DropEvent e[3] = {
			ev(DROP_PAD, 50, 1, 0, 1, 1),			/* not a reason we log */
			ev(DROP_NO_SA, 17, 1, 0, 1, 1),		/* not ESP or AH */
			ev(DROP_NO_SA, 50, 0xabcd, 0, 2, 1),		/* good */
		};

		events(7, e, 3);
	}
	{
		Gw__V1__DropEvent e[3] = {
			ev(DROP_NO_SA, 50, 1, 0, 1, 0),		/* no count */
			ev(DROP_NO_SA, 50, 1, 0, 1ull << 32, 1),	/* not 32 bits */
			ev(DROP_NO_SA, 50, 1, in->id, 1, 1),		/* names an SA */
		};

		events(7, e, 3);
	}
	{
		Gw__V1__DropEvent e[3] = {
			ev(DROP_REPLAY, 50, in->spi, 0x1234, 1, 1),	/* no such SA */
			ev(DROP_ICV, 50, out->spi, out->id, 1, 1),	/* outbound */
			ev(DROP_ICV, 51, in->spi, in->id, 1, 1),	/* another protocol */
		};

		events(7, e, 3);
	}
	T_EQ(refused(REFUSE_BAD_MSG) - bad, 5, "five malformed events");
	T_EQ(refused(REFUSE_REPORT_SA) - rsa, 3, "three events of no such inbound SA");
	s = buffer();
	T_OK(strstr(s, "spi=0xABCD(43981)") != NULL, "the good event:\n%s", s);
	T_OK(strstr(s, "spi=0x1(1)") == NULL && strstr(s, "REPLAY_ERR") == NULL &&
	    strstr(s, "MAC_ERR") == NULL, "no bad one:\n%s", s);
	free(s);

	{	/* too many at once: refused whole; an earlier boot: stale, ignored */
		Gw__V1__DropEvent e[4] = {
			ev(DROP_NO_SA, 50, 0x1111, 0, 1, 1), ev(DROP_NO_SA, 50, 0x1112, 0, 1, 1),
			ev(DROP_NO_SA, 50, 0x1113, 0, 1, 1), ev(DROP_NO_SA, 50, 0x1114, 0, 1, 1),
		};

		bad = refused(REFUSE_BAD_MSG);
		events(7, e, 4);
		T_EQ(refused(REFUSE_BAD_MSG) - bad, 1, "four events refused");
		events(6, e, 1);
	}
	s = buffer();
	T_OK(strstr(s, "spi=0x111") == NULL, "none logged:\n%s", s);
	free(s);

	/* the rate limit holds whatever the worker sends */
	for (int i = 0; i < 100; i++) {
		Gw__V1__DropEvent e = ev(DROP_NO_SA, 50, 0x2000u + (uint32_t)i, 0, 1, 1);

		events(7, &e, 1);
	}
	s = buffer();
	{
		unsigned n = 0;

		for (const char *p = s; (p = strstr(p, "RECVD_PKT_INV_SPI")) != NULL; p++)
			n++;
		T_OK(n <= LOG_RL_BURST, "%u lines for 100 events", n);
	}
	free(s);

	{	/* random mutations of a valid message, decoded as the link does */
		Gw__V1__DropEvent e[3] = {
			ev(DROP_NO_SA, 50, 0x12345678, 0, 1, 3),
			ev(DROP_REPLAY, 50, in->spi, in->id, 25, 1),
			ev(DROP_ICV, 51, in->spi, in->id, 26, 1),
		};
		Gw__V1__DropEvent *p[3] = { &e[0], &e[1], &e[2] };
		Gw__V1__DropEvents m = GW__V1__DROP_EVENTS__INIT;
		Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
		uint8_t buf[512], mut[512];
		size_t len;
		unsigned handled = 0;

		m.boot = 7;
		m.n_events = 3;
		m.events = p;
		env.version = LINK_VERSION;
		env.body_case = GW__V1__ENVELOPE__BODY_DROP_EVENTS;
		env.drop_events = &m;
		len = gw__v1__envelope__pack(&env, buf);
		srand(12);
		for (int i = 0; i < 20000; i++) {
			Gw__V1__Envelope *u;
			size_t n = len;

			memcpy(mut, buf, len);
			for (int k = 0; k < 1 + rand() % 4; k++)
				mut[rand() % len] = (uint8_t)rand();
			if (rand() % 8 == 0)
				n = (size_t)rand() % len;
			if ((u = gw__v1__envelope__unpack(NULL, n, mut)) == NULL)
				continue;
			if (u->version == LINK_VERSION &&
			    u->body_case != GW__V1__ENVELOPE__BODY__NOT_SET &&
			    u->body_case != GW__V1__ENVELOPE__BODY_HELLO) {
				workers_msg(&cd, &from, u);
				handled++;
			}
			link_free(&u->base);
		}
		T_OK(handled > 1000, "%u mutated messages handled", handled);
	}
	logging_free(&cd.log);
	link_test_down(&cd, dir);
	return t_done();
}
