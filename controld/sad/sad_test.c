/* SPDX-License-Identifier: Apache-2.0 */
/* sad_test.c: the SA database on its own: lookups by id and by (SPI, protocol, local address)
 * among many SAs, a duplicate refused whole, a replaced configuration that keeps the state of
 * the SAs that stay (owner, floor, counts, baseline) and takes their new definition, random
 * SPIs that are free, the states an SA may go through, and the counts of workers: sums,
 * retired workers, the path MTU of live ones, "clear crypto sa" baselines. */
#include <stdlib.h>
#include <string.h>

#include "controld/sad/sad.h"
#include "tests/lib/test.h"

enum { LOCAL = 0xc6336401, PEER = 0xc6336402 };

/* A manual SA of entry seq; keys from seq, so every SA has its own id and key id. */
static struct sa *
mk(uint32_t seq, bool inbound, uint32_t spi)
{
	struct sa *sa = sa_new();

	sa->inbound = inbound;
	sa->proto = 50;
	sa->spi = spi;
	sa->local = LOCAL;
	sa->peer = PEER;
	sa->cipher = XF_CIPHER_AES_GCM;
	sa->cipher_key.len = 20;
	memcpy(sa->cipher_key.b, &seq, sizeof(seq));
	sa->cipher_key.b[4] = inbound;
	snprintf(sa->map, sizeof(sa->map), "vpn");
	sa->seq = seq;
	sa->id = sa_hash_id(sa);
	sa->key_id = sa_key_id(sa);
	return sa;
}

static struct sa_list
list(size_t n, uint32_t first_seq)
{
	struct sa_list l = { calloc(n + 1, sizeof(struct sa *)), n };

	for (size_t i = 0; i < n; i++)
		l.v[i] = mk(first_seq + (uint32_t)(i / 2), i % 2, 1000 + (uint32_t)i);
	return l;
}

static void
test_index(void)
{
	struct sad d = { 0 };
	struct sa_list l = list(2000, 1);
	struct gw_err err;
	uint64_t id500, id501;
	size_t found = 0;

	id500 = l.v[500]->id;
	id501 = l.v[501]->id;
	T_EQ(sad_replace_manual(&d, &l, &err), 0, "2000 SAs in");
	T_EQ(l.n, 0, "the list is taken");
	T_EQ(d.n, 2000, "all of them");
	for (size_t i = 0; i < d.n; i++)
		found += sad_find(&d, d.v[i]->id) == d.v[i];
	T_EQ(found, 2000, "each found by its id");
	T_OK(sad_find(&d, 12345) == NULL, "an id that is none");
	T_OK(sad_find_spi(&d, 50, LOCAL, 1501) == sad_find(&d, id501), "inbound by SPI");
	T_OK(sad_find_spi(&d, 50, LOCAL, 1500) == NULL, "an outbound SPI is not an inbound one");
	T_OK(sad_find_spi(&d, 51, LOCAL, 1501) == NULL, "another protocol");
	T_OK(sad_find_spi(&d, 50, PEER, 1501) == NULL, "another local address");
	T_EQ(d.v[500]->id, id500, "in the order given");
	sad_remove(&d, sad_find(&d, id500));
	T_OK(sad_find(&d, id500) == NULL && d.n == 1999, "removed");
	T_OK(sad_find(&d, id501) == d.v[500], "the next one moved up, still found");
	sad_free(&d);
	T_EQ(d.n, 0, "freed");
}

static void
test_duplicates(void)
{
	struct sad d = { 0 };
	struct sa_list l = list(4, 1);
	struct gw_err err;
	struct sa *x, *ike;

	T_EQ(sad_replace_manual(&d, &l, &err), 0, "4 SAs");
	l = list(4, 10);
	l.v[3]->spi = l.v[1]->spi;		/* two inbound SAs of one SPI */
	T_EQ(sad_replace_manual(&d, &l, &err), -1, "refused: %s", err.msg);
	T_EQ(l.n, 4, "the list is not taken");
	T_OK(d.n == 4 && sad_find(&d, d.v[0]->id) == d.v[0], "the SAD unchanged");
	sa_list_free(&l);
	x = mk(99, true, 1001);			/* the SPI of the first inbound SA */
	T_EQ(sad_add(&d, x, &err), -1, "sad_add refuses an inbound SPI in use: %s", err.msg);
	x->local = PEER;
	T_EQ(sad_add(&d, x, &err), 0, "the same SPI on another local address is another");
	x = mk(1, false, 1000);
	T_EQ(sad_add(&d, x, &err), -1, "and an id in use: %s", err.msg);
	sa_free(x);
	/* an IKE SA stays across a reload, and a manual SA cannot take its SPI */
	ike = mk(200, true, 7000);
	ike->origin = SA_IKE;
	T_EQ(sad_add(&d, ike, &err), 0, "an IKE SA");
	l = list(2, 20);
	l.v[1]->spi = 7000;
	T_EQ(sad_replace_manual(&d, &l, &err), -1, "a manual SA on an IKE SA's SPI: %s",
	    err.msg);
	sa_list_free(&l);
	l = list(2, 20);
	T_EQ(sad_replace_manual(&d, &l, &err), 0, "another configuration");
	T_EQ(d.n, 3, "its two SAs and the IKE SA (the old manual ones gone)");
	T_OK(d.v[2] == ike && sad_find_spi(&d, 50, LOCAL, 7000) == ike, "the IKE SA last");
	sad_free(&d);
}

static void
test_replace_keeps_state(void)
{
	struct sad d = { 0 };
	struct sa_list l = list(6, 1);
	struct gw_err err;
	struct sa *in, *kept;
	struct sa_stat sum;
	uint64_t in_id;

	sad_replace_manual(&d, &l, &err);
	in = d.v[3];				/* entry 2, inbound */
	in_id = in->id;
	snprintf(in->owner, sizeof(in->owner), "gwA/1");
	in->replay_floor = 500;
	sa_count(in, 3, true)->pkts = 40;
	sa_clear(in, 0);
	sa_count(in, 3, false)->pkts = 45;
	/* a reload: entry 2 stays (a new window), entry 1 goes, entry 9 comes, before it */
	l = list(6, 1);
	sa_free(l.v[0]);
	sa_free(l.v[1]);
	l.v[0] = mk(9, false, 900);
	l.v[1] = mk(9, true, 901);
	l.v[3]->replay_window = 64;
	T_EQ(l.v[3]->id, in_id, "entry 2's inbound SA: the same id");
	T_EQ(sad_replace_manual(&d, &l, &err), 0, "reloaded");
	kept = sad_find(&d, in_id);
	T_OK(kept == in, "the SA that stays is the same object");
	T_STREQ(kept->owner, "gwA/1", "its owner kept");
	T_EQ(kept->replay_floor, 500, "its floor kept");
	T_EQ(kept->replay_window, 64, "its new window taken");
	sa_shown(kept, 0, &sum);
	T_EQ(sum.pkts, 5, "its counts and baseline kept");
	T_EQ(d.v[0]->seq, 9, "the order is the new configuration's");
	T_OK(d.v[3] == kept, "entry 2 where the configuration has it");
	T_EQ(d.n, 6, "entry 1 gone");
	sad_free(&d);
}

static void
test_spi_alloc(void)
{
	struct sad d = { 0 };
	struct gw_err err;
	uint32_t spi;
	int ok = 0, free_ = 0;

	for (int i = 0; i < 500; i++) {
		struct sa *sa;

		if (sad_spi_alloc(&d, 50, LOCAL, &spi, &err) != 0)
			break;
		ok++;
		free_ += spi >= SA_SPI_MIN && sad_find_spi(&d, 50, LOCAL, spi) == NULL;
		sa = mk(1000 + (uint32_t)i, true, spi);
		sa->origin = SA_IKE;
		sa->state = SA_LARVAL;		/* the SPI is taken while IKE negotiates */
		if (sad_add(&d, sa, &err) != 0)
			sa_free(sa);
	}
	T_EQ(ok, 500, "500 SPIs allocated");
	T_EQ(free_, 500, "each one free and above 255 when given");
	T_EQ(d.n, 500, "and all 500 taken by larval SAs");
	T_EQ(sad_published(&d), 0, "larval SAs are not on the wire");
	sad_free(&d);
}

static void
test_states(void)
{
	struct sa *sa = sa_new();

	T_EQ(sa->state, SA_MATURE, "a manual SA is mature from the start");
	T_EQ(sa_set_state(sa, SA_LARVAL), -1, "never back to larval");
	T_EQ(sa_set_state(sa, SA_DYING), 0, "mature -> dying");
	T_EQ(sa_set_state(sa, SA_MATURE), -1, "never back from dying");
	T_OK(sa_published(sa), "dying: still on the wire");
	sa->state = SA_LARVAL;
	T_EQ(sa_set_state(sa, SA_DYING), -1, "larval cannot die of age");
	T_EQ(sa_set_state(sa, SA_MATURE), 0, "larval -> mature");
	sa_free(sa);
}

static void
test_counts(void)
{
	struct sad d = { 0 };
	struct sa_list l = list(2, 1);
	struct gw_err err;
	struct sa *out;
	struct sa_stat *a, *b, sum;
	uint64_t po, pi;

	sad_replace_manual(&d, &l, &err);
	out = d.v[0];
	b = sa_count(out, 7, true);
	*b = (struct sa_stat){ .pkts = 5, .bytes = 50, .seq_top = 9, .path_mtu = 1400,
	    .media_mtu = 1500 };
	a = sa_count(out, 2, true);		/* a lower slot: b moved */
	b = sa_count(out, 7, false);
	*a = (struct sa_stat){ .pkts = 3, .bytes = 30, .seq_top = 20, .path_mtu = 1300,
	    .media_mtu = 1400 };
	a->drops[DROP_REPLAY] = 1;
	T_OK(out->counts[0].slot == 2 && out->counts[1].slot == 7, "sorted by slot");
	sa_sum(out, 1ull << 7, &sum);
	T_EQ(sum.pkts, 8, "pkts summed");
	T_EQ(sum.seq_top, 20, "the highest sequence number");
	T_EQ(sum.path_mtu, 1400, "the path MTU of the live worker only");
	sa_sum(out, (1ull << 7) | (1ull << 2), &sum);
	T_EQ(sum.path_mtu, 1300, "the lowest of the live ones");
	T_EQ(sum.media_mtu, 1400, "with its media MTU");
	sa_clear(out, 0);
	sa_shown(out, 0, &sum);
	T_OK(sum.pkts == 0 && sum.bytes == 0 && sum.drops[DROP_REPLAY] == 0, "cleared");
	T_EQ(sum.seq_top, 20, "but not the sequence number (invariant 1)");
	sad_retire(&d, 2);
	T_EQ(out->n_counts, 1, "slot 2 retired");
	sa_sum(out, 0, &sum);
	T_OK(sum.pkts == 8 && sum.seq_top == 20, "its counts in the retired sums");
	T_EQ(sad_slot_counts(&d, 7, &po, &pi), 1, "slot 7 counts one SA");
	T_OK(po == 5 && pi == 0, "outbound packets");
	T_EQ(sad_slot_counts(&d, 2, NULL, NULL), 0, "slot 2 none");
	sad_free(&d);
}

static void
test_transform_text(void)
{
	struct sa *sa = mk(1, false, 1000);
	char buf[64];

	sa_transform_text(sa, buf, sizeof(buf));
	T_STREQ(buf, "esp-gcm 128", "AES-GCM 128 (the salt is not key)");
	sa->cipher = XF_CIPHER_AES_CBC;
	sa->cipher_key.len = 32;
	sa->auth = XF_AUTH_HMAC_SHA1_96;
	sa_transform_text(sa, buf, sizeof(buf));
	T_STREQ(buf, "esp-aes 256 esp-sha-hmac", "AES-CBC 256 with SHA-1");
	sa->proto = 51;
	sa->cipher = XF_CIPHER_NONE;
	sa_transform_text(sa, buf, sizeof(buf));
	T_STREQ(buf, "ah-sha-hmac", "AH");
	sa_free(sa);
}

int
main(void)
{
	test_index();
	test_duplicates();
	test_replace_keeps_state();
	test_spi_alloc();
	test_states();
	test_counts();
	test_transform_text();
	return t_done();
}
