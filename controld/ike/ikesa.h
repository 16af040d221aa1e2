/* SPDX-License-Identifier: Apache-2.0 */
/* ikesa.h: the engine's insides, shared by its files and nobody else: the engine, an IKE SA,
 * a child SA, and the functions each exchange file gives the others.
 *
 * ikesa.c     the IKE SA table: SPIs, lookups, half-open bound, freeing (keys wiped)
 * proposal.c  SA payloads: ours from the configuration, the responder's choice (§2.7)
 * ts.c        traffic selectors: from an access-list entry, the responder's mirror check
 * sa_init.c   IKE_SA_INIT (§1.2), NAT detection (§2.23), cookies (§2.6), INVALID_KE
 * auth.c      IKE_AUTH with a pre-shared key (§2.15) and the first child SA
 * child.c     child SAs: keys (§2.17), install, CREATE_CHILD_SA (new, rekey, IKE rekey)
 * info.c      INFORMATIONAL: delete, liveness; clear
 * ike.c       the engine: configuration, input dispatch, sending, retransmission, timers
 * persist.c   saving and adopting SAs across a restart
 * v1main.c    IKEv1 phase 1: main and aggressive mode (RFC 2409 §5), NAT-T (RFC 3947), the
 *             ISAKMP SA's messages (CBC, IV chain), input dispatch, retransmission
 * v1quick.c   IKEv1 quick mode (RFC 2409 §5.5): child SAs both roles, PFS, rekey
 * v1info.c    IKEv1 informational exchanges: delete, notify, DPD (RFC 3706); timers, clear */
#ifndef GW_IKE_IKESA_H
#define GW_IKE_IKESA_H

#include "controld/ike/dh.h"
#include "controld/ike/ike.h"
#include "controld/ike/kdf.h"
#include "controld/ike/msg.h"
#include "controld/ike/sk.h"
#include "controld/ike/v1kdf.h"
#include "controld/ike/v1cbc.h"
#include "controld/ike/v1msg.h"

enum {
	IKE_MSG_BUF	= 8192,		/* our messages are far smaller; a peer's larger: dropped */
	IKE_NONCE_LEN	= 32,		/* ours */
};

/* The transforms of one negotiated SA (IKE or child). */
struct ike_algs {
	uint8_t		proto;		/* enum ike_proto */
	uint16_t	encr, bits, integ, prf, dh;
	bool		esn;
};

struct ike_bytes {
	uint16_t	len;
	uint8_t		b[IKE_NONCE_MAX];
};

enum child_state {
	CHILD_CREATING,			/* our request for it is out */
	CHILD_INSTALLED,
	CHILD_REKEYING,			/* our rekey request for it is out */
	CHILD_REKEYED,			/* replaced: goes after the drain or the peer's delete */
	CHILD_DELETING,			/* our delete of it is out */
};

struct ike_child {
	struct ike_child	*next;
	enum child_state	state;
	uint8_t			proto;		/* 50 ESP, 51 AH */
	uint32_t		spi_in, spi_out;
	uint64_t		id_in, id_out;	/* SAD ids once installed */
	bool			out_larval;	/* its outbound waits for activate() */
	bool			initiated;	/* we sent the exchange that made it (KEYMAT) */
	bool			del_pending;	/* CHILD_DELETING: our delete waits for the window */
	uint16_t		dyn_idx;	/* dynamic: its entry in the dynamic map set */
	uint32_t		succ_spi_in;	/* CHILD_REKEYED: its successor's inbound SPI */
	struct ike_bytes	lo_nonce;	/* the lower nonce of the exchange that made it */
	struct ike_algs		algs;
	struct sel		flow;		/* local -> remote */
	char			map[CONF_NAME_MAX];
	uint16_t		seq;
	bool			dynamic;	/* a temporary entry of a dynamic map */
	bool			transport;	/* transport mode (USE_TRANSPORT_MODE, §1.3.1) */
	char			tset[CONF_NAME_MAX];
	uint32_t		life_s, life_kb, window;
	uint64_t		created_ms, soft_ms, hard_ms, drain_ms;
	uint64_t		dpd_pkts_in, dpd_pkts_out;	/* io->packets at the last DPD look */
	struct key		ke_in, ka_in, ke_out, ka_out;	/* kept for ike_save() */
	uint32_t		pub_peer;	/* the peer and UDP port its SAs were given */
	uint16_t		pub_port;	/* with (§2.23: they follow the IKE SA's) */
};

/* What our outstanding request is about, to act on its response. */
enum ike_req {
	REQ_NONE, REQ_SA_INIT, REQ_AUTH, REQ_CHILD_NEW, REQ_CHILD_REKEY, REQ_IKE_REKEY,
	REQ_DELETE_CHILD, REQ_DELETE_IKE, REQ_DPD,
	REQ_ORPHAN,		/* resent after a restart; its answer is not acted on */
};

/* A flow waiting for its CREATE_CHILD_SA while the IKE SA is busy (window of one). */
struct ike_flow {
	char			map[CONF_NAME_MAX];
	uint16_t		seq;
	struct sel		flow;
};

/* ---- IKEv1 (v1main.c, v1quick.c, v1info.c) ---- */

enum ike1_state {			/* IOS's names in show crypto isakmp sa */
	V1_MM_NO_STATE,			/* I: message 1 out; R: message 2 out */
	V1_MM_SA_SETUP,			/* I: message 3 out; R: message 4 out */
	V1_MM_KEY_EXCH,			/* I: message 5 out */
	V1_AG_INIT_EXCH,		/* aggressive mode, I: message 1 out; R: message 2 out */
	V1_QM_IDLE,			/* phase 1 done */
	V1_MM_DELETED,			/* our delete sent; the SA goes at the next tick */
};

/* One quick mode (or our informational) exchange of an ISAKMP SA, by Message ID. */
struct ike1_qm {
	struct ike1_qm		*next;
	uint32_t		mid;
	bool			initiator;	/* we sent QM1 */
	bool			done;		/* QM3 sent or received: kept for duplicates */
	uint8_t			iv[V1_CBC_BLOCK_MAX];	/* the CBC chain of this exchange */
	struct ike_child	*child;		/* being made (not in the list until installed) */
	struct ike_child	*old;		/* the child it rekeys, or NULL */
	struct ike_bytes	ni, nr;
	struct ike_dh		dh;		/* PFS */
	uint16_t		pfs;
	uint8_t			*tx;		/* our last message, for retransmission */
	size_t			tx_len;
	uint8_t			rx_sum[32];	/* SHA-256 of the peer's last message */
	uint64_t		next_ms, end_ms;
	unsigned		tries;
	uint32_t		act_spi;	/* I: the new child (inbound SPI) whose outbound */
	uint64_t		act_ms;		/* goes into use then: the peer installs on QM3 */
};

struct ike1 {
	enum ike1_state		st;
	bool			aggressive;
	uint16_t		encr, key_bits, hash, auth, group;	/* RFC 2409 App. A values */
	uint16_t		policy;		/* the priority of the policy chosen (65535: default) */
	size_t			block, key_len;
	struct ike1_sa_keys	k;
	uint8_t			iv[V1_CBC_BLOCK_MAX];	/* phase 1 chain; then its last block */
	uint8_t			*sa_i_b;	/* the initiator's SA payload body (HASH_I/R) */
	size_t			sa_i_len;
	uint8_t			*id_i_b;	/* aggressive, R: the initiator's ID body */
	size_t			id_i_len;
	struct ike_bytes	gx_peer;	/* the peer's KE data */
	bool			natt;		/* both said RFC 3947 (or a draft) */
	bool			dpd;		/* the peer said it does RFC 3706 */
	uint8_t			*tx;		/* our last phase 1 message */
	size_t			tx_len;
	uint8_t			rx_sum[32];	/* SHA-256 of the peer's last phase 1 message */
	uint64_t		next_ms;	/* retransmit tx then (0: not waiting) */
	unsigned		tries;
	uint32_t		dpd_seq;	/* R-U-THERE sequence, ours */
	uint64_t		dpd_heard_ms;	/* an inbound IPsec SA's count last moved */
	bool			dpd_out;	/* an outbound one's moved since our last R-U-THERE */
	uint64_t		dpd_sent_ms;	/* our R-U-THERE without its ACK, 0: none */
	unsigned		dpd_tries;
	struct ike1_qm		*qms;
};

struct ike_sa {
	struct ike_sa		*next;
	struct ike1		*v1;		/* an IKEv1 ISAKMP SA; NULL for IKEv2 */
	uint64_t		handle;		/* for show and clear */
	uint8_t			spi_i[IKE_SPI_LEN], spi_r[IKE_SPI_LEN];
	bool			initiator;	/* the original initiator */
	enum ike_sa_state	state;
	uint32_t		local, remote;
	uint16_t		lport, rport;
	bool			nat_local, nat_remote;	/* behind a NAT: us, the peer */
	struct ike_algs		algs;
	struct ike_sa_keys	k;
	struct ike_sk		sk_in, sk_out;	/* open what the peer sends, seal ours */
	struct ike_dh		dh;		/* during IKE_SA_INIT and a KE exchange */
	struct ike_bytes	ni, nr;
	uint8_t			*init_i, *init_r;	/* IKE_SA_INIT messages, for AUTH */
	size_t			init_i_len, init_r_len;
	struct ike_bytes	cookie;		/* initiator: the cookie to send back */
	char			profile[CONF_NAME_MAX];
	char			remote_id[CONF_IKEV2_ID_MAX];
	uint16_t		dh_group_try;	/* initiator: group of our KE */
	/* the request we sent: its bytes for retransmission */
	uint32_t		msg_id_out;	/* next request's message ID */
	enum ike_req		req;
	uint8_t			*req_buf;
	size_t			req_len;
	uint64_t		req_next_ms;
	unsigned		req_tries;
	struct ike_child	*req_child;	/* the child it creates, rekeys or deletes */
	uint32_t		req_child_spi;	/* REQ_DELETE_CHILD adopted: its inbound SPI */
	struct ike_child	*req_new;	/* REQ_CHILD_REKEY: the new child */
	struct ike_sa		*req_ike;	/* REQ_IKE_REKEY: the new IKE SA */
	struct ike_bytes	req_nonce;
	/* the requests we answer: the next ID and the cache of the last response */
	uint32_t		msg_id_in;
	uint8_t			*resp_buf;
	size_t			resp_len;
	/* the flow an initiator negotiates in IKE_AUTH (acquire) */
	char			acq_map[CONF_NAME_MAX];
	uint16_t		acq_seq;
	struct sel		acq_flow;
	unsigned		acq_peer;	/* index in the entry's peers */
	/* more flows to this peer, started one by one when no request is out (ike_sa_kick) */
	struct ike_flow		*pending;	/* malloc'd, IKE_PENDING_MAX at most */
	unsigned		n_pending;
	uint64_t		pending_ms;	/* not before (after a TEMPORARY_FAILURE) */
	/* §2.8.2, both ends rekeying this IKE SA at once: on the old SA, the new IKE SA the
	 * peer's exchange made (linked, childless) until our own rekey ends; on that one, the
	 * old SA.  Whichever is freed first clears the other's pointer (ikesa_free). */
	struct ike_sa		*rekey_theirs, *rekey_of;
	/* times */
	uint64_t		created_ms, last_rx_ms, expire_ms, rekey_ms, dpd_ms, keepalive_ms;
	uint32_t		lifetime_s;
	uint64_t		tick_gen;	/* ike_tick()'s round that handled it */
	struct ike_child	*children;
};

struct ike {
	struct ike_io		io;
	const struct conf	*conf;		/* borrowed: ike_set_conf() */
	struct spd		spd;
	struct ike_sa		*sas;
	unsigned		n_sa, n_half_open, cookie_threshold;
	bool			debug_keys;	/* debug crypto ikev2 keys */
	EVP_PKEY		*rsa;		/* ours, for IKEv1 rsa-sig; NULL: none */
	uint64_t		next_handle;
	uint64_t		tick_gen, list_changes;	/* ike_tick()'s walk */
	uint8_t			cookie_secret[32];
	uint64_t		ctr[IKE_CTR_MAX];
	uint8_t			buf[IKE_MSG_BUF];	/* a message being built */
	uint8_t			rx[IKE_MSG_BUF];	/* the message received, opened in place */
	bool			authentic;	/* its ICV was good */
	uint8_t			spi_be[4];	/* our child SPI in the message being built */
	struct v1_msg		v1in, v1out;		/* IKEv1: handled, being built */
	uint8_t			v1plain[IKE_MSG_BUF];	/* IKEv1: a body decrypted */
	struct ike_msg		m;			/* the message being handled */
	struct ike_msg		out;			/* the message being built */
};

/* ---- ikesa.c ---- */
struct ike_sa	*ikesa_new(struct ike *ike, bool initiator, uint32_t local, uint16_t lport,
		    uint32_t remote, uint16_t rport, uint64_t now_ms);
/* The same, not in the table yet (an IKE SA rekey's new SA): ikesa_link() puts it there. */
struct ike_sa	*ikesa_alloc(struct ike *ike, bool initiator, uint32_t local, uint16_t lport,
		    uint32_t remote, uint16_t rport, uint64_t now_ms);
void		ikesa_link(struct ike *ike, struct ike_sa *sa);
void		ikesa_free(struct ike *ike, struct ike_sa *sa, bool remove_children);
struct ike_sa	*ikesa_find(const struct ike *ike, const uint8_t spi_i[IKE_SPI_LEN],
		    const uint8_t spi_r[IKE_SPI_LEN]);
/* A half-open responder SA of this IKE_SA_INIT (SPIi and peer), for retransmissions. */
struct ike_sa	*ikesa_find_half_open(const struct ike *ike, const uint8_t spi_i[IKE_SPI_LEN],
		    uint32_t remote, uint16_t rport);
struct ike_sa	*ikesa_find_peer(const struct ike *ike, uint32_t local, uint32_t remote);
void		ikesa_set_state(struct ike *ike, struct ike_sa *sa, enum ike_sa_state st);
void		ike_bytes_set(struct ike_bytes *b, struct ike_chunk c);
struct ike_chunk ike_bytes_chunk(const struct ike_bytes *b);
int		ike_random(void *p, size_t len);

/* ---- proposal.c ---- */
/* The IKE proposals for local (policies, else every proposal, else a default) into sa. */
int		proposal_add_ike(struct ike *ike, struct ike_msg *m, struct ike_payload *sa,
		    uint32_t local, const uint8_t *spi, size_t spi_len);
/* Choose from the peer's IKE proposals; 0 with a, or -1 (NO_PROPOSAL_CHOSEN).  *num: the
 * chosen proposal's number. */
int		proposal_pick_ike(struct ike *ike, const struct ike_msg *m,
		    const struct ike_payload *sa, uint32_t local, uint16_t ke_group,
		    struct ike_algs *a, uint8_t *num);
/* Our child proposals from the transform sets of an entry, with pfs (0 none), our SPI. */
int		proposal_add_child(struct ike *ike, struct ike_msg *m, struct ike_payload *sa,
		    const struct conf_map_entry *e, uint16_t pfs, uint32_t spi);
/* A transform set as one child SA's algorithms (IKEv2 numbers); -1 for an AH+ESP bundle or the
 * RFC 1828/1829 transforms. */
int		proposal_tset_algs(const struct conf_transform_set *t, struct ike_algs *a);
/* Choose from the peer's child proposals those our entry allows; *tset the transform set's
 * name, *spi the peer's SPI.  pfs: the group we want (0 none). */
int		proposal_pick_child(struct ike *ike, const struct ike_msg *m,
		    const struct ike_payload *sa, const struct conf_map_entry *e, uint16_t pfs,
		    struct ike_algs *a, uint32_t *spi, uint8_t *num, char *tset);
/* Put the one chosen proposal into our response. */
int		proposal_add_chosen(struct ike_msg *m, struct ike_payload *sa, uint8_t num,
		    const struct ike_algs *a, const uint8_t *spi, size_t spi_len);
/* Read the one proposal of a response into a (and its SPI). */
int		proposal_read_chosen(const struct ike_msg *m, const struct ike_payload *sa,
		    struct ike_algs *a, struct ike_chunk *spi);
/* Key bytes of a child's cipher (with an AEAD salt) and integrity; -1 if not ours. */
int		proposal_child_key_lens(const struct ike_algs *a, size_t *el, size_t *il);
/* The xform enums of a child's algorithms. */
int		proposal_child_xform(const struct ike_algs *a, enum xform_cipher *c,
		    enum xform_auth *au);
/* The PRF of an IKE proposal whose prf list is empty (IOS: from integrity). */
uint16_t	proposal_prf_of_integ(uint16_t integ);

/* ---- ts.c ---- */
/* A selector as TSi (its source) and TSr (its destination) payloads of m. */
int		ts_add(struct ike_msg *m, const struct sel *flow, bool inner);
/* The peer's TSi/TSr, as responder: the map entry that permits them (mirror rule: a subset
 * of one permit of an ipsec-isakmp entry naming the peer, or of a dynamic entry), into
 * *pol (index in the SPD) and the flow (local -> remote).  -1: TS_UNACCEPTABLE, with why. */
int		ts_responder(struct ike *ike, const struct ike_msg *m, uint32_t local,
		    uint32_t remote, const char *profile, size_t *pol, struct sel *flow,
		    char *why, size_t why_len);
/* The same for IKEv1's quick mode IDs: the peer's side r, ours l (address ranges, ports,
 * protocol), only entries without "set ikev2-profile" (conf_entry_ike_version). */
struct ts_range {
	uint32_t	lo, hi;			/* host order */
	uint16_t	plo, phi;		/* ports */
	uint8_t		proto;
};
int		ts_responder_v1(struct ike *ike, const struct ts_range *l, const struct ts_range *r,
		    uint32_t local, uint32_t remote, size_t *pol, struct sel *flow, char *why,
		    size_t why_len);
/* The responder's TSi/TSr as initiator: within what we proposed; the flow they give. */
int		ts_initiator(const struct ike_msg *m, const struct sel *proposed, struct sel *flow);
/* The configuration entry of policy i of the SPD (dynamic: the dynamic set's entry). */
const struct conf_map_entry *ts_policy_entry(const struct ike *ike, size_t i);
/* Transport mode (§1.3.1, docs/ikev2.md): as initiator, do we ask for it for flow (local ->
 * remote) over sa?  When every transform set of e says "mode transport" and the flow is the
 * two gateways' own addresses, no NAT between them. */
bool		ts_transport_wanted(const struct ike *ike, const struct ike_sa *sa,
		    const struct conf_map_entry *e, const struct sel *flow);
/* As responder, the peer asked for it: do we agree?  When transform set tset (the one chosen)
 * says "mode transport", on the same conditions of flow and NAT. */
bool		ts_transport_allowed(const struct ike *ike, const struct ike_sa *sa,
		    const char *tset, const struct sel *flow);
/* As initiator, the response m to our request for child c (c->transport: we asked): transport
 * if it says USE_TRANSPORT_MODE, else tunnel (a transport set accepts it, as IOS).  -1 when it
 * says transport and we did not ask (§1.3.1: the child fails). */
int		ts_transport_answer(struct ike_child *c, const struct ike_msg *m);
/* USE_TRANSPORT_MODE into m when c is (or asks for) transport mode. */
int		ts_transport_notify(struct ike_msg *m, const struct ike_child *c);

/* ---- ike.c ---- */
/* Send a request (m built, sealed when sa is established) and keep it for retransmission. */
int		ike_send_request(struct ike *ike, struct ike_sa *sa, struct ike_msg *m,
		    enum ike_req req, uint64_t now_ms);
/* A malloc'd copy of b[0 .. len); old (old_len bytes) wiped and freed.  NULL: out of memory. */
uint8_t		*ike_keep(const uint8_t *b, size_t len, uint8_t *old, size_t old_len);
/* Send a response and keep it in the cache. */
int		ike_send_response(struct ike *ike, struct ike_sa *sa, struct ike_msg *m);
/* Send an unprotected message (IKE_SA_INIT, errors to IKE_SA_INIT), nothing kept. */
void		ike_send_plain(struct ike *ike, uint32_t local, uint16_t lport, uint32_t remote,
		    uint16_t rport, struct ike_msg *m);
/* Start an encrypted message of sa: header and SK payload. */
void		ike_msg_start(struct ike_sa *sa, struct ike_msg *m, uint8_t exchange,
		    bool response, uint32_t msg_id);
struct ike_payload *ike_add_notify(struct ike_msg *m, uint16_t type, struct ike_chunk data,
		    bool inner);
void		ike_count(struct ike *ike, enum ike_ctr c);
/* debug crypto ikev2 keys: an IKE SA's keys, a child's (ike_set_debug_keys). */
void		ike_log_keys(const struct ike *ike, const struct ike_sa *sa);
void		ike_log_child_keys(const struct ike *ike, const struct ike_child *c);
const struct conf_ikev2_profile *ike_profile_find(const struct ike *ike, const char *name);
/* The conf_map_entry of a static map's entry. */
const struct conf_map_entry *ike_entry_find(const struct ike *ike, const char *map,
		    uint16_t seq);
/* The IKE SA is no more: its children removed, it freed (it may be deleting). */
void		ike_sa_dead(struct ike *ike, struct ike_sa *sa, const char *why);
/* No request of sa is out: send the next one that waits (a child's delete, then a queued
 * flow's CREATE_CHILD_SA).  Nothing when sa is not established or is busy. */
void		ike_sa_kick(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
/* Queue flow of map seq on sa (0), or count it when the queue is full (-1). */
int		ike_sa_queue(struct ike *ike, struct ike_sa *sa, const char *map, uint16_t seq,
		    const struct sel *flow, bool front);

/* ---- sa_init.c ---- */
int		sa_init_start(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
void		sa_init_request(struct ike *ike, uint32_t local, uint16_t lport, uint32_t remote,
		    uint16_t rport, const uint8_t *data, size_t len, uint64_t now_ms);
void		sa_init_response(struct ike *ike, struct ike_sa *sa, const uint8_t *data,
		    size_t len, uint64_t now_ms);
/* Keys of an IKE SA from g^ir, the nonces and SPIs (also for its rekey): its sk_in/out. */
int		sa_init_keys(struct ike_sa *sa, const struct key *skeyseed);

/* ---- auth.c ---- */
int		auth_start(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
void		auth_request(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
void		auth_response(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);

/* ---- child.c ---- */
/* Keys of a child from KEYMAT (§2.17), its SAs made and given to io->install. */
int		child_install(struct ike *ike, struct ike_sa *sa, struct ike_child *c,
		    struct ike_chunk gir, struct ike_chunk ni, struct ike_chunk nr,
		    bool out_larval, uint64_t now_ms);
/* The tail of child_install, keys set (ke/ka in and out, proto): times, publish, installed. */
int		child_commit(struct ike *ike, struct ike_sa *sa, struct ike_child *c,
		    bool out_larval, uint64_t now_ms);
struct ike_child *child_new(struct ike *ike, struct ike_sa *sa);
/* Its two SAs made (from the keys it holds) and given to io->install. */
int		child_publish(struct ike *ike, struct ike_sa *sa, struct ike_child *c);
/* The configuration entry a child follows (a dynamic one: its dynamic set's entry). */
const struct conf_map_entry *child_entry(const struct ike *ike, const struct ike_child *c);
void		child_free(struct ike *ike, struct ike_sa *sa, struct ike_child *c, bool remove);
struct ike_child *child_find_spi(struct ike_sa *sa, uint8_t proto, uint32_t spi, bool inbound);
/* Fill a child's entry-derived fields (map, seq, lifetimes, window) from its entry. */
void		child_from_entry(struct ike *ike, struct ike_child *c,
		    const struct conf_map_entry *e, const char *map, uint16_t seq, bool dynamic);
int		child_start_new(struct ike *ike, struct ike_sa *sa, const char *map, uint16_t seq,
		    const struct sel *flow, uint64_t now_ms);
int		child_start_rekey(struct ike *ike, struct ike_sa *sa, struct ike_child *c,
		    uint64_t now_ms);
int		child_start_ike_rekey(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
void		child_request(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
void		child_response(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
/* The IKE SA old is replaced by n (§2.18): its children, queued flows and timers move. */
void		child_move_all(struct ike *ike, struct ike_sa *old, struct ike_sa *n);

/* ---- persist.c: ike_save(), ike_load() of ike.h ---- */

/* ---- v1main.c ---- */
/* An ISAKMP message (major version 1) received: ike_input() gives it here. */
void		v1_input(struct ike *ike, uint32_t local, uint16_t lport, uint32_t remote,
		    uint16_t rport, const uint8_t *data, size_t len, uint64_t now_ms);
/* Start phase 1 (main mode) to peer i of entry e for flow: the quick mode follows. */
struct ike_sa	*v1_initiate(struct ike *ike, uint32_t remote, uint32_t local,
		    const struct conf_map_entry *e, const char *map, unsigned i,
		    const struct sel *flow, uint64_t now_ms);
void		v1_free(struct ike1 *v);
/* Our message m (payloads in the clear) built, padded and encrypted under iv (which then
 * chains) into ike->buf; *len.  m's first payload a HASH of hash length filled by hash_fn
 * when it is not NULL (quick mode, informational). */
int		v1_seal(struct ike *ike, struct ike_sa *sa, const struct v1_msg *m, uint8_t *iv,
		    size_t *len);
/* The body of encrypted message ike->v1in (raw in ike->rx, len) opened with a copy of iv into
 * ike->v1plain and parsed; *chain the length of its payloads (padding excluded); the last
 * ciphertext block into next_iv.  0 or -1. */
int		v1_open(struct ike *ike, struct ike_sa *sa, const uint8_t *iv, size_t len,
		    size_t *chain, uint8_t *next_iv);
void		v1_wire(struct ike *ike, struct ike_sa *sa, const uint8_t *b, size_t len);
/* The HASH payload's bytes (first payload of a protected message) in the plaintext. */
int		v1_hash_check(const struct ike_sa *sa, const uint8_t *want, const struct v1_msg *m);
void		v1_sum(const uint8_t *b, size_t len, uint8_t sum[32]);
void		v1_established(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
const char	*v1_state_name(enum ike1_state st);
void		v1_ip_text(char *b, size_t cap, uint32_t a);	/* "198.51.100.1" */

/* ---- v1quick.c ---- */
int		v1_qm_start(struct ike *ike, struct ike_sa *sa, const char *map, uint16_t seq,
		    const struct sel *flow, struct ike_child *old, uint64_t now_ms);
void		v1_qm_input(struct ike *ike, struct ike_sa *sa, size_t len, uint64_t now_ms);
void		v1_qm_free(struct ike1_qm *q);
struct ike1_qm	*v1_qm_find(struct ike_sa *sa, uint32_t mid);

/* ---- v1info.c ---- */
void		v1_info_input(struct ike *ike, struct ike_sa *sa, size_t len, uint64_t now_ms);
/* An informational exchange of one payload: a delete of the ISAKMP SA (proto 1), of child c
 * (its inbound SPI), a notify of type with data. */
int		v1_send_delete_isakmp(struct ike *ike, struct ike_sa *sa);
int		v1_send_delete_child(struct ike *ike, struct ike_sa *sa, const struct ike_child *c);
int		v1_send_notify(struct ike *ike, struct ike_sa *sa, uint16_t type, uint8_t proto,
		    struct ike_chunk spi, struct ike_chunk data);
uint64_t	v1_tick_sa(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
/* clear crypto isakmp / clear crypto sa of a v1 child */
void		v1_clear_sa(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
void		v1_clear_child(struct ike *ike, struct ike_sa *sa, struct ike_child *c,
		    uint64_t now_ms);

/* ---- info.c ---- */
int		info_start_delete_child(struct ike *ike, struct ike_sa *sa, struct ike_child *c,
		    uint64_t now_ms);
int		info_start_delete_ike(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
int		info_start_dpd(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
void		info_request(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);
void		info_response(struct ike *ike, struct ike_sa *sa, uint64_t now_ms);

#endif
