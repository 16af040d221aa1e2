/* SPDX-License-Identifier: Apache-2.0 */
/* ike.h: the IKEv2 engine (RFC 7296) of controld: IKE SAs and their child SAs, the exchanges
 * as state machines, their timers.  A library with no I/O of its own: datagrams come in
 * through ike_input(), leave through io->send; negotiated child SAs go to the SAD through
 * io->install and leave it through io->remove.  Single-threaded: controld's loop owns it.
 *
 * What it keeps (docs/design.md "IKE", Untrusted input): nothing is allocated for an
 * unauthenticated peer beyond one bounded half-open IKE SA (cookies, §2.6, once
 * IKE_HALF_OPEN_COOKIE of them exist; refused past IKE_HALF_OPEN_MAX); every key is wiped when its
 * SA goes; MACs are compared in constant time (kdf.c, sk.c).
 *
 * Ports: messages are IKE messages as RFC 7296 §3 has them, in both directions; on UDP 4500
 * the one who puts them on the wire adds the non-ESP marker (RFC 3948 §2.2), the one who reads
 * them strips it before ike_input().  Times are CLOCK_MONOTONIC milliseconds given by the
 * caller, so tests drive the clock. */
#ifndef GW_IKE_IKE_H
#define GW_IKE_IKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/types.h>

#include "common/err.h"
#include "common/sel.h"
#include "controld/conf/compile.h"
#include "controld/conf/conf.h"
#include "controld/sad/sad.h"

enum {
	IKE_HALF_OPEN_COOKIE	= 64,	/* half-open IKE SAs before we ask for cookies (§2.6) */
	IKE_HALF_OPEN_MAX	= 4096,	/* half-open IKE SAs at most: more are dropped */
	IKE_RETX_FIRST_MS	= 2000,	/* first retransmission; doubles each time */
	IKE_RETX_TRIES		= 5,	/* retransmissions before the IKE SA is given up */
	IKE_RETX_TRIES_INIT	= 3,	/* of IKE_SA_INIT: 30 s, then the next "set peer" */
	IKE_DRAIN_MS		= 2000,	/* a rekeyed child's old inbound SA stays this long */
	V1_ACTIVATE_MS		= 300,	/* IKEv1: a quick mode rekey's new outbound SA, ours,
					 * goes into use this long after message 3 */
	IKE_SOFT_MARGIN_S	= 30,	/* rekey this long before the hard lifetime (DESIGN) */
	IKE_SA_LIFETIME_S	= 86400,	/* IOS default of an IKEv2 profile's lifetime */
	IKE_PENDING_MAX		= 64,	/* flows queued on a busy IKE SA; more are counted */
	IKE_TEMP_FAIL_MS	= 2000,	/* a child exchange refused with TEMPORARY_FAILURE:
					 * again after this (an IKE SA rekey: 10 s) */
	IKE_REKEY_WAIT_MS	= 30000,	/* an IKE SA the peer is to delete goes anyway */
};

/* What the engine asks of its host (controld's link and SAD; a test's loopback).  Every
 * callback but send may be NULL in a test that does not need it. */
struct ike_io {
	void	*ctx;
	/* One datagram to put on the wire from local:lport to remote:rport (host order).  A
	 * message of one byte 0xFF is a NAT-keepalive (RFC 3948 §2.3): sent on 4500 as it is,
	 * without the non-ESP marker. */
	void	(*send)(void *ctx, uint32_t local, uint16_t lport, uint32_t remote,
		    uint16_t rport, const uint8_t *msg, size_t len);
	/* An inbound SPI of proto (50, 51) free for local, as sad_spi_alloc(): 0 or -1. */
	int	(*spi_alloc)(void *ctx, uint8_t proto, uint32_t local, uint32_t *spi);
	/* A negotiated child SA pair, origin SA_IKE, ids computed (sa_hash_id, sa_key_id),
	 * keys, SPIs, flow (local -> remote, as manual SAs), lifetimes, mode, window, ESN and
	 * UDP encapsulation as negotiated (udp_encap_port: outbound, the peer's port as its NAT
	 * maps it, the IKE SA's; inbound, ours, 4500; 0 without a NAT).  in is mature: add it to the SAD and publish it now.
	 * out is mature (use it for its flow from now: the newest outbound SA of a flow wins)
	 * or, when a peer's rekey made it, larval: added but not used until activate().  0: both
	 * taken.  -1: neither taken (the engine frees them and deletes the child). */
	int	(*install)(void *ctx, struct sa *in, struct sa *out);
	/* The larval outbound SA sa_id (of install) goes into use: mature. */
	void	(*activate)(void *ctx, uint64_t sa_id);
	/* SA sa_id (one the engine installed) is gone: remove it from the SAD. */
	void	(*remove)(void *ctx, uint64_t sa_id);
	/* The outbound SA sa_id now goes in UDP to the peer's port (its NAT's mapping moved,
	 * RFC 7296 §2.23): set its udp_encap_port and publish; nothing else of it changes (same
	 * id, keys, sequence numbers).  NULL: the host is not told (a test without a SAD). */
	void	(*set_encap_port)(void *ctx, uint64_t sa_id, uint16_t port);
	/* Did SA sa_id carry traffic since it was installed?  NULL: assume it did.  Rekey at
	 * the soft lifetime only for SAs that did (docs/design.md "IKE", as IOS). */
	bool	(*used)(void *ctx, uint64_t sa_id);
	/* Packets SA sa_id carried since it was installed, as the workers last reported (an
	 * inbound SA: packets received and authenticated; outbound: packets sent).  Read once a
	 * DPD interval per child SA, only a change matters.  NULL: not known, and "dpd ...
	 * on-demand" then behaves as periodic. */
	uint64_t (*packets)(void *ctx, uint64_t sa_id);
};

struct ike;

/* An engine with no configuration (it answers nothing until ike_set_conf()).  io is copied.
 * NULL with err when out of memory.  ike_free() deletes nothing on the wire and removes no
 * SA (controld stopping keeps its tunnels: ike_save() first); NULL is a no-op. */
struct ike	*ike_new(const struct ike_io *io, struct gw_err *err);
void		ike_free(struct ike *ike);

/* The configuration changed (or is given the first time): c is borrowed until the next
 * ike_set_conf() or ike_free() (controld's running configuration; conf_dup() does not copy
 * the IKEv2 objects yet), spd is copied.  IKE SAs and child SAs that exist stay (their next
 * rekey uses the new configuration).  -1 with err when out of memory (nothing changed). */
int		ike_set_conf(struct ike *ike, const struct conf *c, const struct spd *spd,
		    struct gw_err *err);

/* Tuning for tests and operators: the half-open count from which cookies are asked
 * (default IKE_HALF_OPEN_COOKIE; 0 = always). */
void		ike_set_cookie_threshold(struct ike *ike, unsigned n);
/* debug crypto ikev2 keys: log, at debug level, every IKE SA's SK_e and SK_a (for Wireshark's
 * ikev2_decryption_table) and every child SA's keys (its esp_sa table) as they are made:
 *   "ikev2 keys SPIi SPIr encr ID/BITS integ ID sk_ei HEX sk_er HEX sk_ai HEX sk_ar HEX"
 *   "ikev2 child keys in|out SPI encr HEX auth HEX"
 * Off by default: keys appear nowhere else. */
void		ike_set_debug_keys(struct ike *ike, bool on);

/* Our RSA key pair for IKEv1 rsa-sig (crypto key generate rsa): borrowed with a reference of
 * its own (EVP_PKEY_up_ref), the previous one released; NULL: none (rsa-sig policies are then
 * neither offered nor accepted). */
void		ike_set_rsa_key(struct ike *ike, EVP_PKEY *key);

/* One IKE datagram received on local:lport from remote:rport.  Whatever the bytes: answered,
 * acted on or dropped and counted; never read outside data[0 .. len). */
void		ike_input(struct ike *ike, uint32_t local, uint16_t lport, uint32_t remote,
		    uint16_t rport, const uint8_t *data, size_t len, uint64_t now_ms);

/* Traffic on the static ipsec-isakmp entry map seq without SAs: packet is the packet's flow
 * as a selector (host addresses, its protocol and ports).  Negotiates the flow of the entry's
 * matching permit (the host pair with "level per-host") with its first peer (the next one
 * when that one does not answer), over the IKE SA to that peer if there is one.  A flow being
 * negotiated already is not started twice.  0 when started or under way; -1 with err when
 * the entry cannot initiate (no such entry, dynamic, no peer, no profile, no matching permit). */
int		ike_acquire(struct ike *ike, const char *map, uint16_t seq, const struct sel *packet,
		    uint64_t now_ms, struct gw_err *err);

/* Timers: retransmissions with back-off, DPD, rekeys at soft lifetimes, expiry at hard ones,
 * drains.  Returns the next time (ms) it wants to be called; UINT64_MAX for none. */
uint64_t	ike_tick(struct ike *ike, uint64_t now_ms);

/* Rekey IKE SA id now (every established one with id 0), as at its lifetime: an operator's or
 * a test's request (strongSwan's "swanctl --rekey --ike").  One with a request out rekeys as
 * soon as that exchange ends.  The number of IKE SAs to be rekeyed. */
unsigned	ike_rekey_sa(struct ike *ike, uint64_t id, uint64_t now_ms);

/* An SA the engine installed reached its soft kilobytes (a worker's report): rekey its child
 * now.  0, or -1 when sa_id is not one of ours. */
int		ike_soft_expired(struct ike *ike, uint64_t sa_id, uint64_t now_ms);

/* ---- For show and clear ---- */

enum ike_sa_state {
	IKE_SA_INIT_SENT,		/* initiator: IKE_SA_INIT request out */
	IKE_SA_HALF_OPEN,		/* responder: IKE_SA_INIT answered, waiting for IKE_AUTH */
	IKE_SA_AUTH_SENT,		/* initiator: IKE_AUTH request out */
	IKE_SA_ESTABLISHED,
	IKE_SA_DELETING,		/* our delete is out */
};

/* One IKE SA as show crypto ikev2 sa [detail] prints it (a copy; no keys). */
struct ike_sa_info {
	uint64_t		id;		/* engine's handle, for ike_clear_sa() */
	uint8_t			spi_i[8], spi_r[8];
	bool			initiator;
	enum ike_sa_state	state;
	uint32_t		local, remote;
	uint16_t		lport, rport;
	bool			nat;		/* NAT detected: on UDP 4500 */
	uint16_t		encr, encr_bits, integ, prf, dh;
	char			profile[CONF_NAME_MAX];
	char			remote_id[CONF_IKEV2_ID_MAX];
	uint64_t		created_ms, lifetime_s;
	uint32_t		msg_id_out, msg_id_in;
	unsigned		n_children;
	uint8_t			version;	/* 1: an IKEv1 ISAKMP SA; 2 */
	char			v1_state[16];	/* IKEv1: QM_IDLE, MM_NO_STATE, ... */
	bool			aggressive;	/* IKEv1: made by aggressive mode */
	uint16_t		v1_policy;	/* IKEv1: the crypto isakmp policy (65535 default) */
	uint16_t		v1_auth;	/* IKEv1: 1 pre-share, 3 rsa-sig */
};

/* Engine counters: every refusal and drop (docs/design.md "IKE", What operators see). */
#define IKE_CTR_LIST(X)								\
	X(RX,		"messages received")					\
	X(TX,		"messages sent")					\
	X(RETX,		"requests retransmitted")				\
	X(RESP_CACHED,	"retransmitted requests answered from the cache")	\
	X(MALFORMED,	"malformed messages dropped")				\
	X(NO_SA,	"messages for no IKE SA we know")			\
	X(BAD_MSG_ID,	"messages with an unexpected message ID")		\
	X(SK_FAIL,	"Encrypted payloads failing their ICV")			\
	X(HALF_OPEN_FULL, "IKE_SA_INIT dropped: half-open table full")		\
	X(COOKIE_SENT,	"IKE_SA_INIT answered with a cookie")			\
	X(NO_PROPOSAL,	"NO_PROPOSAL_CHOSEN sent or received")			\
	X(INVALID_KE,	"INVALID_KE_PAYLOAD sent or received")			\
	X(AUTH_FAILED,	"AUTHENTICATION_FAILED sent or received")		\
	X(TS_UNACCEPTABLE, "TS_UNACCEPTABLE sent or received")			\
	X(IKE_UP,	"IKE SAs established")					\
	X(CHILD_UP,	"child SAs installed")					\
	X(CHILD_REKEY,	"child SAs rekeyed")					\
	X(IKE_REKEY,	"IKE SAs rekeyed")					\
	X(DELETE_RX,	"deletes received")					\
	X(TIMEOUT,	"IKE SAs given up after retransmissions")		\
	X(DPD,		"liveness checks sent")					\
	X(PEER_MOVED,	"peers followed to a new NAT mapping")			\
	X(TEMP_FAIL,	"TEMPORARY_FAILURE sent or received (collisions, §2.25)") \
	X(IKE_REKEY_COLLISION, "simultaneous IKE SA rekeys resolved (§2.8.2)")	\
	X(FLOW_QUEUED,	"flows queued behind an exchange in flight")		\
	X(FLOW_QUEUE_FULL, "flows not queued: the IKE SA's queue was full")

enum ike_ctr {
#define X(n, t) IKE_CTR_##n,
	IKE_CTR_LIST(X)
#undef X
	IKE_CTR_MAX
};

struct ike_stats {
	uint64_t	c[IKE_CTR_MAX];
	unsigned	n_sa, n_half_open, n_children;
};

const char	*ike_ctr_text(enum ike_ctr c);
void		ike_get_stats(const struct ike *ike, struct ike_stats *st);

/* Walk the IKE SAs: for (h = 0; ike_sa_next(ike, &h, &info); ) ...  false at the end.  *h is
 * 0 to start. */
bool		ike_sa_next(const struct ike *ike, uint64_t *h, struct ike_sa_info *info);
/* show crypto ikev2 sa [detail], IOS layout. */
void		ike_show_sa(const struct ike *ike, bool detail, uint64_t now_ms, FILE *out);

/* show crypto isakmp sa [detail]: the IKEv1 ISAKMP SAs, IOS 12.4 layout (dst, src, state,
 * conn-id, status; detail: encryption, hash, authentication, group, lifetime left, NAT-T,
 * DPD). */
void		ike_show_isakmp_sa(const struct ike *ike, bool detail, uint64_t now_ms, FILE *out);
/* clear crypto isakmp [CONN-ID]: delete ISAKMP SA id (every one with id 0), the peer told;
 * their phase 2 SAs stay to their own end (IOS).  The number deleted. */
unsigned	ike_clear_isakmp(struct ike *ike, uint64_t id, uint64_t now_ms);

/* clear crypto ikev2 sa: delete IKE SA id (every one with id 0) and its child SAs, telling
 * the peer with an INFORMATIONAL Delete (IKEv2 SAs only).  The number deleted. */
unsigned	ike_clear_sa(struct ike *ike, uint64_t id, uint64_t now_ms);
/* clear crypto sa of one negotiated SA (either direction's id): delete its child SA, telling
 * the peer.  0, or -1 when sa_id is not one of ours. */
int		ike_clear_child(struct ike *ike, uint64_t sa_id, uint64_t now_ms);

/* ---- Persistence (persist.c): a restart keeps the tunnels (docs/design.md "IKE") ---- */

/* Every established IKE SA and its child SAs (keys, message IDs, lifetimes) as one blob into
 * out (malloc'd, caller wipes and frees; the caller writes it 0600, atomically).  -1 with err
 * when out of memory. */
int		ike_save(const struct ike *ike, uint64_t now_ms, uint8_t **out, size_t *len,
		    struct gw_err *err);
/* Adopt what ike_save() wrote, in a fresh engine with its configuration set: the IKE SAs
 * come back as they were; their child SAs are given to io->install again (their SPIs and
 * keys unchanged, so the SAD ids are the same).  Times are kept relative to now_ms.  -1 with
 * err on a blob that is not ours or is cut (nothing adopted), and also when some records
 * could not be adopted (err counts them; the others are). */
int		ike_load(struct ike *ike, const uint8_t *blob, size_t len, uint64_t now_ms,
		    struct gw_err *err);
/* The same through a file of the state directory: written mode 0600 to PATH.tmp, synced when
 * sync (without it the file survives controld dying, not the host), renamed over path
 * (atomic: a crash leaves the old file or the new one).  ike_load_file() of a path that does
 * not exist adopts nothing and returns 0. */
int		ike_save_file(const struct ike *ike, const char *path, uint64_t now_ms, bool sync,
		    struct gw_err *err);
int		ike_load_file(struct ike *ike, const char *path, uint64_t now_ms,
		    struct gw_err *err);

#endif
