/* SPDX-License-Identifier: Apache-2.0 */
/* ikehost.c: the IKE engine's host in controld (ikehost.h).  The engine is a library with no
 * I/O; here its callbacks are the link (send), the SAD (SPIs, install, activate, remove, use)
 * and the state directory (save, adopt).  Single-threaded: controld's loop calls everything. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "controld/controld.h"
#include "controld/ike/ike.h"
#include "controld/ikehost.h"

static void	publish_if_needed(struct controld *cd);

/* ---- What the engine asks of its host ---- */

/* The engine's messages leave in order, and none before the SAs installed or removed ahead of
 * it are published: the link to a worker is ordered, so the worker holds a new inbound SA
 * before the peer can hear of it (and use it), and has dropped a deleted one before the peer
 * hears it is deleted.  A message with nothing to publish ahead of it (IKE_SA_INIT, most
 * requests) leaves at once, so the peer works on it while we work on the next; one behind an
 * install waits for the end of the loop's turn, so the turn's SAs make one generation (a
 * burst of tunnels costs one, not one each). */
static void
flush_out(struct controld *cd)
{
	publish_if_needed(cd);
	for (size_t i = 0; i < cd->ike.n_out; i++) {
		struct ikehost_out *o = &cd->ike.out[i];

		if (!link_ike_send(cd, o->local, o->lport, o->remote, o->rport, o->msg, o->len))
			log_debug("ikev2: no worker to send %zu bytes from port %u to "
			    "%u.%u.%u.%u:%u", o->len, o->lport, o->remote >> 24,
			    o->remote >> 16 & 255, o->remote >> 8 & 255, o->remote & 255, o->rport);
		free(o->msg);
	}
	cd->ike.n_out = 0;
}

static void
io_send(void *ctx, uint32_t local, uint16_t lport, uint32_t remote, uint16_t rport,
    const uint8_t *msg, size_t len)
{
	struct controld *cd = ctx;
	struct ikehost_out *o;

	cd->ike.dirty = true;		/* message IDs moved */
	if (!cd->ike.publish && cd->ike.n_out == 0) {
		if (!link_ike_send(cd, local, lport, remote, rport, msg, len))
			log_debug("ikev2: no worker to send %zu bytes from port %u", len, lport);
		return;
	}
	if (cd->ike.n_out == IKEHOST_OUT_MAX)
		flush_out(cd);
	o = &cd->ike.out[cd->ike.n_out];
	if ((o->msg = malloc(len ? len : 1)) == NULL) {
		flush_out(cd);		/* no room to hold it: out now, in order */
		if (!link_ike_send(cd, local, lport, remote, rport, msg, len))
			log_debug("ikev2: no worker to send %zu bytes", len);
	} else {
		memcpy(o->msg, msg, len);
		*o = (struct ikehost_out){ local, remote, lport, rport, len, o->msg };
		cd->ike.n_out++;
	}
}

static int
io_spi_alloc(void *ctx, uint8_t proto, uint32_t local, uint32_t *spi)
{
	struct controld *cd = ctx;
	struct gw_err err = { 0, "" };

	if (sad_spi_alloc(&cd->sad, proto, local, spi, &err) != 0) {
		log_warn("ikev2: no SPI: %s", err.msg);
		return -1;
	}
	return 0;
}

/* Could sa enter the SAD?  (sad_add's own checks, made before either SA of a pair is added,
 * so that a pair goes in whole or not at all.) */
static bool
fits(const struct sad *d, const struct sa *sa, const struct sa *other)
{
	if (sad_find(d, sa->id) != NULL || (other != NULL && other->id == sa->id))
		return false;
	return !sa->inbound || sad_find_spi(d, sa->proto, sa->local, sa->spi) == NULL;
}

/* Wireshark's names (its ESP SA table, tshark 4.0) of an SA's algorithms; NULL: none it has. */
static const char *
ws_enc(const struct sa *sa)
{
	switch (sa->cipher) {
	case XF_CIPHER_NULL:			return "NULL";
	case XF_CIPHER_3DES:			return "TripleDES-CBC [RFC2451]";
	case XF_CIPHER_AES_CBC:			return "AES-CBC [RFC3602]";
	case XF_CIPHER_AES_GCM:			return "AES-GCM with 16 octet ICV [RFC4106]";
	case XF_CIPHER_AES_GMAC:		return "NULL-GMAC [RFC4543]";
	case XF_CIPHER_CHACHA20_POLY1305:	return "ChaCha20 with Poly1305 [RFC7634]";
	default:				return NULL;
	}
}

static const char *
ws_auth(const struct sa *sa)
{
	switch (sa->auth) {
	case XF_AUTH_NONE:		return "NULL";
	case XF_AUTH_HMAC_MD5_96:	return "HMAC-MD5-96 [RFC2403]";
	case XF_AUTH_HMAC_SHA1_96:	return "HMAC-SHA-1-96 [RFC2404]";
	case XF_AUTH_HMAC_SHA256_128:	return "HMAC-SHA-256-128 [RFC4868]";
	case XF_AUTH_HMAC_SHA384_192:	return "HMAC-SHA-384-192 [RFC4868]";
	case XF_AUTH_HMAC_SHA512_256:	return "HMAC-SHA-512-256 [RFC4868]";
	default:			return NULL;
	}
}

static void
hex(const struct key *k, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < k->len && n + 3 < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%02x", k->b[i]);
}

/* debug crypto ikev2 keys: one line a child SA, a row of Wireshark's ESP SA table (tshark -o
 * 'uat:esp_sa:...' takes what follows "esp_sa ") */
static void
log_keys(const struct sa *sa)
{
	char ck[2 * sizeof(sa->cipher_key.b) + 1], ak[2 * sizeof(sa->auth_key.b) + 1];
	const char *we = ws_enc(sa), *wa = ws_auth(sa);
	uint32_t src = sa->inbound ? sa->peer : sa->local, dst = sa->inbound ? sa->local : sa->peer;

	if (sa->proto != 50 || we == NULL || wa == NULL)
		return;
	hex(&sa->cipher_key, ck, sizeof(ck));
	hex(&sa->auth_key, ak, sizeof(ak));
	log_debug("ikev2: keys: esp_sa \"IPv4\",\"%u.%u.%u.%u\",\"%u.%u.%u.%u\",\"0x%08" PRIx32
	    "\",\"%s\",\"%s%s\",\"%s\",\"%s%s\"", src >> 24, src >> 16 & 255, src >> 8 & 255,
	    src & 255, dst >> 24, dst >> 16 & 255, dst >> 8 & 255, dst & 255, sa->spi, we,
	    ck[0] ? "0x" : "", ck, wa, ak[0] ? "0x" : "", ak);
	OPENSSL_cleanse(ck, sizeof(ck));
	OPENSSL_cleanse(ak, sizeof(ak));
}

static int
io_install(void *ctx, struct sa *in, struct sa *out)
{
	struct controld *cd = ctx;
	struct gw_err err = { 0, "" };

	if (!fits(&cd->sad, in, NULL) || !fits(&cd->sad, out, in)) {
		log_warn("ikev2: child SA pair (SPI %08" PRIx32 " in, %08" PRIx32 " out) not "
		    "installed: an SA of that id or SPI is there", in->spi, out->spi);
		return -1;
	}
	if (in->added_ms == 0)		/* the engine gives an adopted pair its real birth */
		in->added_ms = out->added_ms = link_now_ms();
	if (sad_add(&cd->sad, in, &err) != 0)
		return -1;
	if (sad_add(&cd->sad, out, &err) != 0)	/* cannot fail after fits(); the pair stays */
		fatal("ikev2: %s", err.msg);
	log_info("ike: IPsec SA pair up: map %s %u, SPI %08" PRIx32 " in, %08" PRIx32 " out%s",
	    in->map, in->seq, in->spi, out->spi, out->state == SA_LARVAL ? " (not yet used)" : "");
	if (cd->ike.debug_keys) {
		log_keys(in);
		log_keys(out);
	}
	cd->ike.publish = cd->ike.dirty = true;
	return 0;
}

static void
io_activate(void *ctx, uint64_t sa_id)
{
	struct controld *cd = ctx;
	struct sa *sa = sad_find(&cd->sad, sa_id);

	if (sa == NULL || sa_set_state(sa, SA_MATURE) != 0)
		return;
	cd->ike.publish = cd->ike.dirty = true;
}

static void
io_remove(void *ctx, uint64_t sa_id)
{
	struct controld *cd = ctx;
	struct sa *sa = sad_find(&cd->sad, sa_id);

	if (sa == NULL || sa->origin != SA_IKE)
		return;
	log_info("ikev2: child SA %s gone: map %s %u, SPI %08" PRIx32,
	    sa->inbound ? "in" : "out", sa->map, sa->seq, sa->spi);
	sad_remove(&cd->sad, sa);
	cd->ike.publish = cd->ike.dirty = true;
}

static void
io_set_encap_port(void *ctx, uint64_t sa_id, uint16_t port)
{
	struct controld *cd = ctx;
	struct sa *sa = sad_find(&cd->sad, sa_id);

	if (sa == NULL || sa->origin != SA_IKE || sa->inbound || sa->udp_encap_port == port)
		return;
	log_info("ikev2: child SA out %08" PRIx32 " (map %s %u) now to UDP port %u (was %u)",
	    sa->spi, sa->map, sa->seq, port, sa->udp_encap_port);
	sa->udp_encap_port = port;		/* not part of its id: the same SA, republished */
	cd->ike.publish = cd->ike.dirty = true;
}

static bool
io_used(void *ctx, uint64_t sa_id)
{
	struct controld *cd = ctx;
	const struct sa *sa = sad_find(&cd->sad, sa_id);
	struct sa_stat st;

	if (sa == NULL)
		return false;
	sa_sum(sa, workers_live(cd), &st);
	return st.pkts != 0;
}

/* The workers' packet count of an SA, for "dpd ... on-demand" (received: inbound; sent:
 * outbound). */
static uint64_t
io_packets(void *ctx, uint64_t sa_id)
{
	struct controld *cd = ctx;
	const struct sa *sa = sad_find(&cd->sad, sa_id);
	struct sa_stat st;

	if (sa == NULL)
		return 0;
	sa_sum(sa, workers_live(cd), &st);
	return st.pkts;
}

/* ---- What the workers bring ---- */

static void
on_datagram(void *ctx, const struct link_ike_dgram *d)
{
	struct controld *cd = ctx;

	ike_input(cd->ike.ike, d->local, d->local_port, d->remote, d->remote_port, d->msg, d->len,
	    link_now_ms());
	cd->ike.dirty = true;
	cd->ike.next_tick_ms = 0;		/* it may have armed a timer */
}

static void
on_acquire(void *ctx, const struct link_acquire *a)
{
	struct controld *cd = ctx;
	struct gw_err err = { 0, "" };
	struct sel p = {
		.src = a->flow.src, .src_mask = 0xffffffff,
		.dst = a->flow.dst, .dst_mask = 0xffffffff,
		.proto = a->flow.proto,
		.sport_lo = a->flow.has_ports ? a->flow.sport : 0,
		.sport_hi = a->flow.has_ports ? a->flow.sport : 65535,
		.dport_lo = a->flow.has_ports ? a->flow.dport : 0,
		.dport_hi = a->flow.has_ports ? a->flow.dport : 65535,
		.tos = -1, .precedence = -1,
	};

	if (ike_acquire(cd->ike.ike, a->pol->map, a->pol->seq, &p, link_now_ms(), &err) != 0)
		log_debug("ikev2: traffic on crypto map %s %u (from worker %s) starts nothing: %s",
		    a->pol->map, a->pol->seq, a->worker, err.msg);
	cd->ike.dirty = true;
	cd->ike.next_tick_ms = 0;
}

/* ---- The state file ---- */

/* Save the IKE SAs; sync at shutdown only: the file written every 50 ms guards against
 * controld dying, not the host (a reboot renegotiates). */
static int
save(struct controld *cd, bool sync, struct gw_err *err)
{
	return ike_save_file(cd->ike.ike, cd->ike.path, link_now_ms(), sync, err);
}

static void
load(struct controld *cd)
{
	struct gw_err err = { 0, "" };
	char bad[sizeof(cd->ike.path) + 8];

	if (ike_load_file(cd->ike.ike, cd->ike.path, link_now_ms(), &err) != 0) {
		snprintf(bad, sizeof(bad), "%s.bad", cd->ike.path);
		log_warn("ikev2: %s (kept as %s)", err.msg, bad);
		rename(cd->ike.path, bad);
	}
}

/* ---- The host's life ---- */

static void
publish_if_needed(struct controld *cd)
{
	if (!cd->ike.publish)
		return;
	cd->ike.publish = false;
	publish_tables(cd);
}

int
ikehost_start(struct controld *cd, struct gw_err *err)
{
	struct ike_io io = {
		.ctx = cd, .send = io_send, .spi_alloc = io_spi_alloc, .install = io_install,
		.activate = io_activate, .remove = io_remove, .used = io_used,
		.set_encap_port = io_set_encap_port, .packets = io_packets,
	};
	struct ike_stats st;

	if ((cd->ike.ike = ike_new(&io, err)) == NULL)
		return -1;
	ike_set_rsa_key(cd->ike.ike, rsakey_get(&cd->rsa));	/* IKEv1 rsa-sig */
	snprintf(cd->ike.path, sizeof(cd->ike.path), "%s/ike-sas", cd->link.state_dir);
	ikehost_conf(cd);
	load(cd);
	ike_get_stats(cd->ike.ike, &st);
	if (st.n_sa != 0)
		log_info("ikev2: adopted %u IKE SAs with %u child SAs from %s", st.n_sa,
		    st.n_children, cd->ike.path);
	publish_if_needed(cd);
	link_set_ike_hooks(&cd->link, on_datagram, on_acquire, cd);
	return 0;
}

void
ikehost_conf(struct controld *cd)
{
	struct gw_err err = { 0, "" };

	if (cd->ike.ike == NULL)
		return;
	if (ike_set_conf(cd->ike.ike, cd->conf.running, cd->conf.spd, &err) != 0)
		fatal("ikev2: %s", err.msg);
	cd->ike.next_tick_ms = 0;
}

/* The outbound SAs of the engine that reached their soft kilobytes in the workers' reports:
 * rekeyed now, once (the SA is dying from then on). */
static void
soft_kilobytes(struct controld *cd, uint64_t now)
{
	uint64_t live = workers_live(cd);

	for (size_t i = 0; i < cd->sad.n; i++) {
		struct sa *sa = cd->sad.v[i];
		struct sa_stat st;

		if (sa->origin != SA_IKE || sa->state != SA_MATURE || sa->soft.kilobytes == 0)
			continue;
		sa_sum(sa, live, &st);
		if (st.bytes / 1024 < sa->soft.kilobytes)
			continue;
		sa_set_state(sa, SA_DYING);
		if (ike_soft_expired(cd->ike.ike, sa->id, now) == 0)
			log_info("ikev2: child SA %08" PRIx32 " used %" PRIu64 " KB of its %" PRIu64
			    ": rekeying", sa->spi, st.bytes / 1024, sa->soft.kilobytes);
	}
}

void
ikehost_tick(struct controld *cd)
{
	struct gw_err err = { 0, "" };
	uint64_t now = link_now_ms();

	if (cd->ike.ike == NULL)
		return;
	if (now >= cd->ike.next_tick_ms) {
		cd->ike.next_tick_ms = ike_tick(cd->ike.ike, now);
		cd->ike.dirty = true;
	}
	if (now - cd->ike.kb_checked_ms >= 1000) {	/* reports come in every second or so */
		soft_kilobytes(cd, now);
		cd->ike.kb_checked_ms = now;
	}
	flush_out(cd);
	if (cd->ike.dirty && now - cd->ike.saved_ms >= IKEHOST_SAVE_MS) {
		if (save(cd, false, &err) != 0 && cd->ike.save_errors++ % 100 == 0)
			log_err("ikev2: saving the IKE SAs: %s (a restart would lose them)", err.msg);
		cd->ike.saved_ms = now;
		cd->ike.dirty = false;
	}
}

void
ikehost_stop(struct controld *cd)
{
	struct gw_err err = { 0, "" };

	if (cd->ike.ike == NULL)
		return;
	flush_out(cd);
	if (save(cd, true, &err) != 0)
		log_err("ikev2: saving the IKE SAs: %s", err.msg);
	ike_free(cd->ike.ike);
	cd->ike.ike = NULL;
}
