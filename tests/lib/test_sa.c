/* SPDX-License-Identifier: Apache-2.0 */
/* test_sa.c: the SAs that tests and fuzz targets set up (test_sa.h).  Test code: it aborts on
 * what a daemon would report. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/key.h"
#include "tests/lib/test_sa.h"

const uint8_t test_ckey[16] = { 1, 2, 3 }, test_akey[20] = { 4, 5, 6 },
    test_gkey[20] = { 7, 8, 9, [16] = 0xa, 0xb, 0xc, 0xd };

void
test_xf_pair(const struct test_xf *t, uint8_t ck0, uint8_t ak0, struct xform *enc,
    struct xform *dec)
{
	struct key ck, ak;
	struct gw_err err;

	memset(&ck, 0, sizeof(ck));
	memset(&ak, 0, sizeof(ak));
	for (int j = 0; j < 64; j++) {
		ck.b[j] = (uint8_t)(ck0 + j);
		ak.b[j] = (uint8_t)(ak0 ^ j);
	}
	ck.len = t->clen;
	ak.len = t->alen;
	if (xform_init(enc, t->c, &ck, t->a, &ak, true, &err) != 0 ||
	    xform_init(dec, t->c, &ck, t->a, &ak, false, &err) != 0 ||
	    (t->iv_size != 0 && (xform_set_rfc1829_iv(enc, t->iv_size, &err) != 0 ||
	    xform_set_rfc1829_iv(dec, t->iv_size, &err) != 0)))
		abort();
}

Gw__V1__Selector
test_sel(uint32_t src, unsigned src_len, uint32_t dst, unsigned dst_len)
{
	Gw__V1__Selector s = GW__V1__SELECTOR__INIT;

	s.src = src;
	s.src_wild = src_len >= 32 ? 0 : 0xffffffffu >> src_len;
	s.dst = dst;
	s.dst_wild = dst_len >= 32 ? 0 : 0xffffffffu >> dst_len;
	s.sport_hi = s.dport_hi = 65535;
	s.tos = s.precedence = -1;
	return s;
}

static void
sa_msg(Gw__V1__Sa *m, const struct test_sa *s)
{
	gw__v1__sa__init(m);
	m->id = s->id;
	m->inbound = s->inbound;
	m->proto = s->proto;
	m->spi = s->spi;
	m->local = s->local;
	m->peer = s->peer;
	if (s->proto == 50 && s->gcm) {
		m->cipher = GW__V1__CIPHER__CIPHER_AES_GCM;
		m->cipher_key.data = (uint8_t *)test_gkey;
		m->cipher_key.len = sizeof(test_gkey);
	} else if (s->proto == 50) {
		m->cipher = GW__V1__CIPHER__CIPHER_AES_CBC;
		m->cipher_key.data = (uint8_t *)test_ckey;
		m->cipher_key.len = sizeof(test_ckey);
	}
	if (s->proto == 51 || (!s->no_auth && !s->gcm)) {
		m->auth = GW__V1__AUTH__AUTH_HMAC_SHA1_96;
		m->auth_key.data = (uint8_t *)test_akey;
		m->auth_key.len = sizeof(test_akey);
	}
	m->udp_encap_port = s->udp ? 4500 : 0;
	m->mode = s->transport ? GW__V1__MODE__MODE_TRANSPORT : GW__V1__MODE__MODE_TUNNEL;
	m->bundle = s->bundle;
	m->replay_window = s->replay_window;
	m->replay_floor = s->replay_floor;
	m->hard_expire_unix_ms = s->hard_expire_unix_ms;
	m->hard_bytes = s->hard_bytes;
	m->flow = (Gw__V1__Selector *)s->flow;
	m->owner = (char *)(s->inbound ? (s->owner != NULL ? s->owner : "w1") : "");
	m->map = (char *)"vpn";
}

Gw__V1__Tables *
test_tables(uint64_t generation, const struct test_sa *sas, size_t n_sas,
    const struct test_policy *pols, size_t n_pols)
{
	Gw__V1__Tables t = GW__V1__TABLES__INIT, *out;
	Gw__V1__Sa *sa = calloc(n_sas + 1, sizeof(*sa)), **sap = calloc(n_sas + 1, sizeof(*sap));
	Gw__V1__Policy *pol = calloc(n_pols + 1, sizeof(*pol));
	Gw__V1__Policy **polp = calloc(n_pols + 1, sizeof(*polp));
	Gw__V1__Ace *ace, **acep;
	Gw__V1__FlowSa *fl, **flp;
	size_t n_aces = 0, n_flows = 0, k = 0, kf = 0, len;
	uint8_t *buf;

	for (size_t i = 0; i < n_pols; i++) {
		n_aces += pols[i].n_aces;
		n_flows += pols[i].n_flows;
	}
	ace = calloc(n_aces + 1, sizeof(*ace));
	acep = calloc(n_aces + 1, sizeof(*acep));
	fl = calloc(n_flows + 1, sizeof(*fl));
	flp = calloc(n_flows + 1, sizeof(*flp));
	if (sa == NULL || sap == NULL || pol == NULL || polp == NULL || ace == NULL ||
	    acep == NULL || fl == NULL || flp == NULL)
		abort();
	for (size_t i = 0; i < n_sas; i++) {
		sa_msg(&sa[i], &sas[i]);
		sap[i] = &sa[i];
	}
	for (size_t i = 0; i < n_pols; i++) {
		gw__v1__policy__init(&pol[i]);
		polp[i] = &pol[i];
		pol[i].map = (char *)"vpn";
		pol[i].seq = pols[i].seq;
		pol[i].kind = pols[i].kind;
		pol[i].local = pols[i].local;
		pol[i].peer = pols[i].peer;
		pol[i].sa_out_esp = pols[i].sa_esp;
		pol[i].sa_out_ah = pols[i].sa_ah;
		pol[i].aces = &acep[k];
		pol[i].n_aces = pols[i].n_aces;
		for (size_t j = 0; j < pols[i].n_aces; j++, k++) {
			gw__v1__ace__init(&ace[k]);
			acep[k] = &ace[k];
			ace[k].action = pols[i].aces[j].permit ? GW__V1__ACTION__ACTION_PERMIT :
			    GW__V1__ACTION__ACTION_DENY;
			ace[k].sel = (Gw__V1__Selector *)&pols[i].aces[j].sel;
		}
		pol[i].no_acl = pols[i].no_acl;
		pol[i].flow_sas = &flp[kf];
		pol[i].n_flow_sas = pols[i].n_flows;
		for (size_t j = 0; j < pols[i].n_flows; j++, kf++) {
			gw__v1__flow_sa__init(&fl[kf]);
			flp[kf] = &fl[kf];
			fl[kf].flow = (Gw__V1__Selector *)&pols[i].flows[j].flow;
			fl[kf].sa_out_esp = pols[i].flows[j].sa_esp;
			fl[kf].sa_out_ah = pols[i].flows[j].sa_ah;
		}
	}
	t.generation = generation;
	t.sas = sap;
	t.n_sas = n_sas;
	t.policies = polp;
	t.n_policies = n_pols;
	len = gw__v1__tables__get_packed_size(&t);
	if ((buf = malloc(len + 1)) == NULL)
		abort();
	gw__v1__tables__pack(&t, buf);
	if ((out = gw__v1__tables__unpack(NULL, len, buf)) == NULL)
		abort();
	free(buf);
	free(sa);
	free(sap);
	free(pol);
	free(polp);
	free(ace);
	free(acep);
	free(fl);
	free(flp);
	return out;
}

Gw__V1__Tables *
test_tables_sample(uint32_t local, uint32_t peer)
{
	const struct test_sa sa = { .id = 9, .proto = 50, .spi = 1000, .local = local,
	    .peer = peer };
	const struct test_policy pol = { .seq = 10, .sa_esp = 9 };

	return test_tables(5, &sa, 1, &pol, 1);
}

bool
test_fuzz_head(const uint8_t *data, size_t size, size_t n_sa, size_t max,
    struct test_fuzz_head *h)
{
	if (size < 9)
		return false;
	h->sa = (size_t)(data[0] & 0x0f) % n_sa;
	h->esn = (data[0] & 0x10) != 0;
	h->seq = 0;
	for (int i = 1; i <= 8; i++)
		h->seq = h->seq << 8 | data[i];
	h->body = data + 9;
	h->n = size - 9 < max ? size - 9 : max;
	return true;
}
