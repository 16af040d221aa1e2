/* SPDX-License-Identifier: Apache-2.0 */
/* compile_test.c: the policy compiler keeps IOS order and the seed's manual-entry rule,
 * gives SAs ids that change exactly when the SA does (docs/design.md invariants 1 and 5), and the
 * anti-replay windows manual entries opt into only to SAs that authenticate their numbers. */
#include <stdlib.h>
#include <string.h>

#include "controld/conf/compile.h"
#include "tests/lib/test.h"

#define KEYS_A "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20"
#define KEYS_B "a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0"
#define AUTH_A "2122232425262728292a2b2c2d2e2f3031323334"

/* a format: its %s / %u filled by the test (a macro, so printf checks it) */
#define BASE_FMT \
	"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha-hmac\n" \
	"crypto ipsec transform-set GCM esp-gcm 128\n" \
	"access-list 101 deny udp 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127 eq 7\n" \
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n" \
	"access-list 101 permit ip host 192.0.2.1 any\n" \
	"access-list 102 permit tcp 192.0.2.0 0.0.0.255 203.0.113.0 0.0.0.255 eq 443\n" \
	"access-list 103 permit ip any 198.51.100.0 0.0.0.255\n" \
	"crypto dynamic-map DYN 5\n" \
	" set transform-set GCM\n" \
	"crypto dynamic-map DYN 6\n" \
	" set transform-set GCM\n" \
	" match address 199\n" \
	"crypto map vpn 20 ipsec-manual\n" \
	" match address 102\n" \
	" set peer 203.0.113.1\n" \
	" set transform-set GCM\n" \
	" set session-key inbound esp 2001 cipher 000102030405060708090a0b0c0d0e0f10111213\n" \
	" set session-key outbound esp 2000 cipher 101112131415161718191a1b1c1d1e1f20212223\n" \
	"crypto map vpn 10 ipsec-manual\n" \
	" match address 101\n" \
	" set peer 198.51.100.2\n" \
	" set transform-set AES-SHA\n" \
	" set session-key inbound esp 1001 cipher " KEYS_A " authenticator " AUTH_A "\n" \
	" set session-key outbound esp 1000 cipher " KEYS_B " authenticator %s\n" \
	"crypto map vpn 30 ipsec-isakmp\n" \
	" match address 103\n" \
	" set peer 198.51.100.9\n" \
	" set transform-set GCM\n" \
	"crypto map vpn 40 ipsec-isakmp dynamic DYN\n" \
	"interface wan0\n" \
	" ip address 198.51.100.1 255.255.255.0\n" \
	" crypto map vpn\n"

/* What a configuration compiles to. */
struct tables {
	struct spd	*spd;
	struct sa_list	sas;
};

static void
tables_free(struct tables *t)
{
	if (t == NULL)
		return;
	spd_free(t->spd);
	sa_list_free(&t->sas);
	free(t);
}

static struct tables *
compile_text(const char *text)
{
	struct gw_err err = { 0, "" };
	struct conf *c = NULL;
	struct tables *t = calloc(1, sizeof(*t));

	if (t == NULL || (c = conf_parse_text(text, "t", &err)) == NULL ||
	    conf_validate(c, &err, NULL) != 0) {
		fprintf(stderr, "line %u: %s\n", err.line, err.msg);
		conf_free(c);
		free(t);
		return NULL;
	}
	if (conf_compile(c, &t->spd, &t->sas, &err) != 0) {
		fprintf(stderr, "compile: line %u: %s\n", err.line, err.msg);
		free(t);
		t = NULL;
	}
	conf_free(c);
	return t;
}

static struct tables *
compile(const char *out_auth)
{
	char text[4096];

	snprintf(text, sizeof(text), BASE_FMT, out_auth);
	return compile_text(text);
}

/* Anti-replay on manual entries, opt-in (ours; the seed gives manual SAs none). */
/* a format: its %s / %u filled by the test (a macro, so printf checks it) */
#define REPLAY_FMT \
	"crypto ipsec transform-set AES-SHA esp-aes 256 esp-sha-hmac\n" \
	"crypto ipsec transform-set AHDES ah-sha-hmac esp-des\n" \
	"crypto ipsec transform-set GCM esp-gcm 128\n" \
	"access-list 101 permit ip 192.0.2.0 0.0.0.127 192.0.2.128 0.0.0.127\n" \
	"access-list 102 permit ip 192.0.2.0 0.0.0.127 203.0.113.0 0.0.0.255\n" \
	"access-list 103 permit ip 192.0.2.0 0.0.0.127 198.18.0.0 0.0.255.255\n" \
	"crypto map vpn 10 ipsec-manual\n" \
	" match address 101\n" \
	" set peer 198.51.100.2\n" \
	" set transform-set AES-SHA\n" \
	" set security-association replay window-size %u\n" \
	" set session-key inbound esp 1001 cipher " KEYS_A " authenticator " AUTH_A "\n" \
	" set session-key outbound esp 1000 cipher " KEYS_B " authenticator " AUTH_A "\n" \
	"crypto map vpn 20 ipsec-manual\n" \
	" match address 102\n" \
	" set peer 203.0.113.1\n" \
	" set transform-set AHDES\n" \
	" set security-association replay window-size 64\n" \
	" set session-key inbound ah 2001 " AUTH_A "\n" \
	" set session-key outbound ah 2000 " AUTH_A "\n" \
	" set session-key inbound esp 2003 cipher 0102030405060708\n" \
	" set session-key outbound esp 2002 cipher 0102030405060708\n" \
	"crypto map vpn 30 ipsec-manual\n" \
	" match address 103\n" \
	" set peer 198.51.100.9\n" \
	" set transform-set GCM\n" \
	" set security-association replay window-size 1024\n" \
	" set session-key inbound esp 3001 cipher 000102030405060708090a0b0c0d0e0f10111213\n" \
	" set session-key outbound esp 3000 cipher 101112131415161718191a1b1c1d1e1f20212223\n" \
	"interface wan0\n" \
	" ip address 198.51.100.1 255.255.255.0\n" \
	" crypto map vpn\n"

static const struct sa *
by_spi(const struct tables *t, uint32_t spi)
{
	for (size_t i = 0; i < t->sas.n; i++)
		if (t->sas.v[i]->spi == spi)
			return t->sas.v[i];
	return NULL;
}

static void
test_replay(void)
{
	static const struct {
		uint32_t	spi, window;
		const char	*why;
	} want[] = {
		{ 1001, 128, "ESP with an authenticator: inbound gets the window" },
		{ 1000, 128, "the outbound SA carries it too (show; only inbound checks)" },
		{ 2001, 64, "AH authenticates the bundle: its SA has the window" },
		{ 2000, 64, "outbound AH" },
		{ 2003, 0, "ESP cipher alone: its sequence number is not authenticated" },
		{ 2002, 0, "outbound ESP cipher alone" },
		{ 3001, 1024, "combined-mode cipher: integrity, so a window" },
		{ 3000, 1024, "outbound GCM" },
	};
	char text[4096];
	struct tables *a, *b;

	snprintf(text, sizeof(text), REPLAY_FMT, 128u);
	a = compile_text(text);
	snprintf(text, sizeof(text), REPLAY_FMT, 256u);
	b = compile_text(text);
	T_OK(a != NULL && b != NULL, "replay configurations compile");
	if (a == NULL || b == NULL)
		return;
	T_EQ(a->sas.n, 8, "three manual entries: 2 + 4 + 2 SAs");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct sa *sa = by_spi(a, want[i].spi);

		T_OK(sa != NULL, "SA %u", want[i].spi);
		if (sa == NULL)
			continue;
		T_EQ(sa->replay_window, want[i].window, "SA %u: %s", want[i].spi, want[i].why);
		T_EQ(sa->replay_floor, 0, "SA %u: no floor from the compiler", want[i].spi);
	}
	/* the window is not part of the id: leases follow the id, and a new id under the same
	 * key would send sequence numbers from 1 again (invariant 1) */
	T_EQ(by_spi(b, 1001)->replay_window, 256, "window changed");
	T_EQ(by_spi(b, 1001)->id, by_spi(a, 1001)->id, "a changed window keeps the inbound id");
	T_EQ(by_spi(b, 1000)->id, by_spi(a, 1000)->id, "and the outbound id (its lease)");
	tables_free(a);
	tables_free(b);
}

int
main(void)
{
	struct tables *t = compile("c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4");
	struct tables *t2 = compile("c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d5");
	struct tables *t3 = compile("c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4");
	const struct policy *p;
	const struct sa *out, *in;

	T_OK(t != NULL && t2 != NULL && t3 != NULL, "compiles");
	if (t == NULL || t2 == NULL || t3 == NULL)
		return t_done();
	p = t->spd->v;
	T_EQ(t->spd->n, 5, "one policy per entry, and per entry of the dynamic set");
	T_EQ(p[0].seq, 10, "map-number order: 10 first");
	T_EQ(p[1].seq, 20, "then 20");
	T_EQ(p[2].seq, 30, "then 30");
	T_EQ(p[3].seq, 40, "the dynamic entry last");
	T_EQ(p[0].n_aces, 2, "manual: deny, then the first permit; the rest ignored");
	T_OK(!p[0].aces[0].permit, "deny first");
	T_EQ(p[0].aces[0].sel.dport_lo, 7, "deny's port");
	T_EQ(p[0].local, 0xc6336401, "local address from the interface");
	T_EQ(p[0].kind, POLICY_MANUAL, "manual");
	T_EQ(p[2].kind, POLICY_ISAKMP, "isakmp");
	T_EQ(p[2].sa_out_esp, 0, "isakmp: no SA until negotiated");
	T_EQ(p[3].kind, POLICY_DYNAMIC, "dynamic");
	T_OK(p[3].no_acl, "dynamic without a list: ignored for filtering");
	T_EQ(p[4].kind, POLICY_DYNAMIC, "second dynamic entry");
	T_OK(!p[4].no_acl, "dynamic with a missing list is not ignored");
	T_EQ(p[4].n_aces, 1, "it drops all: one permit any any, without an SA");
	T_EQ(p[4].aces[0].sel.src_mask, 0, "any");
	T_EQ(p[4].sa_out_esp, 0, "no SA: dropped");
	T_EQ(t->sas.n, 4, "two manual entries, two SAs each");

	out = by_spi(t, 1000);
	in = by_spi(t, 1001);
	T_OK(out != NULL && !out->inbound, "outbound SA 1000");
	T_OK(in != NULL && in->inbound, "inbound SA 1001");
	if (out == NULL || in == NULL)
		return t_done();
	T_EQ(p[0].sa_out_esp, out->id, "policy points at its outbound SA");
	T_EQ(out->cipher, XF_CIPHER_AES_CBC, "esp-aes");
	T_EQ(out->cipher_key.len, 32, "esp-aes 256 key");
	T_EQ(out->auth, XF_AUTH_HMAC_SHA1_96, "esp-sha-hmac");
	T_EQ(out->state, SA_MATURE, "manual SAs are mature from the start");
	T_EQ(out->key_id, sa_key_id(out), "with the id of their key");
	T_EQ(out->peer, 0xc6336402, "peer");
	T_EQ(out->replay_window, 0, "manual SAs without window-size: no anti-replay (seed)");
	T_EQ(in->flow.src, 0xc0000200, "flow = the permit");
	T_EQ(in->flow.dst_mask, ~127u, "flow wildcard");
	T_EQ(by_spi(t, 2000)->cipher, XF_CIPHER_AES_GCM, "esp-gcm");
	T_EQ(by_spi(t, 2000)->cipher_key.len, 20, "GCM key with salt");

	T_EQ(by_spi(t3, 1000)->id, out->id, "same definition, same id (reload keeps state)");
	T_OK(by_spi(t2, 1000)->id != out->id, "changed key, new id (fresh sequence numbers)");
	T_EQ(by_spi(t2, 1001)->id, in->id, "the other SA is untouched");
	T_OK(out->id != in->id, "ids differ");

	tables_free(t);
	tables_free(t2);
	tables_free(t3);
	test_replay();
	return t_done();
}
