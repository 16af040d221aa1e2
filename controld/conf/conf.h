/* SPDX-License-Identifier: Apache-2.0 */
/* conf.h: the configuration of one gateway in the IOS 11.3 "IPSec Network Security" language
 * (seed: "Configuration Tasks" and "Command Reference"), its parser, checks and show output.
 * The API of conf/: model.c (the whole), session.c (sessions and texts), one file per command
 * family with its parse, checks and running-config lines (access_list.c, transform_set.c,
 * crypto_map.c, interface.c, ikev2.c, isakmp.c; families.h), show.c (the show commands of the
 * configuration; ikev2.c has the show crypto ikev2 ones, isakmp.c show crypto isakmp policy).
 *
 * Everything here is a pure function of its arguments: no globals, no I/O but the FILE * given
 * to the show and validate functions.  A struct conf is a plain tree of owned memory; whoever
 * holds the root frees it with conf_free(), which wipes the session keys (STYLE: keys wiped on
 * every exit).  Keeps docs/design.md invariant 4: a text with an error yields no configuration at
 * all, and a refused line leaves the configuration it was fed to as it was.
 *
 * Conventions of the model:
 *  - IPv4 addresses are uint32_t in host order; an address with a wildcard is {addr, wild}
 *    where a set bit of wild means "don't care" (IOS wildcard); addr has the wildcard bits
 *    cleared, as IOS stores it ("any" = {0, 0xffffffff}, "host A" = {A, 0}).
 *  - Names (hostname, access lists, transform sets, crypto maps, interfaces) are NUL-terminated
 *    arrays of printable non-space ASCII, at most CONF_NAME_MAX - 1 bytes, case-sensitive.
 *    Keywords are case-insensitive, as on IOS.
 *  - "line" fields hold the 1-based line of the input that created the object (0 if made by
 *    conf_dup of a copy or unknown); they are for messages and take no part in equality.
 *  - Arrays of pointers (acls, maps, ...) keep their elements at stable addresses; the order is
 *    the order of creation, except crypto map entries, which are kept sorted by sequence number
 *    (the order IOS evaluates them in).
 */
#ifndef GW_CONF_H
#define GW_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/types.h>

#include "common/err.h"
#include "common/key.h"
#include "common/xform.h"

#define CONF_NAME_MAX		64	/* bytes of a name, NUL included */
#define CONF_TEXT_MAX		241	/* description: 240 characters as IOS, NUL included */
#define CONF_REMARK_MAX		101	/* access-list remark: 100 characters as IOS */
#define CONF_PEERS_MAX		16	/* set peer, per entry */
#define CONF_TSETS_MAX		6	/* set transform-set T1 .. T6 (seed) */
#define CONF_XFORMS_MAX		3	/* crypto ipsec transform-set NAME t1 [t2 [t3]] */

#define CONF_LIFETIME_SEC_DEFAULT	3600u		/* seed: "Set Global Lifetimes" */
#define CONF_LIFETIME_KB_DEFAULT	4608000u
#define CONF_LIFETIME_SEC_MIN		120u		/* IOS ranges of the lifetime commands */
#define CONF_LIFETIME_SEC_MAX		86400u
#define CONF_LIFETIME_KB_MIN		2560u
#define CONF_LIFETIME_KB_MAX		536870912u
#define CONF_REPLAY_DEFAULT		64u		/* anti-replay window, not configured */
#define CONF_REPLAY_MAX			1024u
#define CONF_SPI_MIN			256u		/* set session-key: SPI 256 .. 2^32-1 */
#define CONF_HOSTNAME_DEFAULT		"Router"

/* ---- IP access lists: extended (access-list 100-199, 2000-2699, ip access-list extended
 * NAME) and standard (access-list 1-99, 1300-1999, ip access-list standard NAME) ---- */

enum conf_ace_action {
	CONF_ACE_PERMIT,		/* protect (crypto access lists: permit = protect) */
	CONF_ACE_DENY,			/* not protected by this crypto map entry */
	CONF_ACE_REMARK,		/* "remark TEXT": no effect, kept in place for show */
};

/* The operator as configured; lo/hi/neq is what matching needs (same as struct sel). */
enum conf_port_op {
	CONF_PORT_ANY,			/* no operator: lo 0, hi 65535 */
	CONF_PORT_EQ,			/* eq P: lo = hi = P */
	CONF_PORT_NEQ,			/* neq P: lo = hi = P, neq */
	CONF_PORT_LT,			/* lt P: 0 .. P-1 */
	CONF_PORT_GT,			/* gt P: P+1 .. 65535 */
	CONF_PORT_RANGE,		/* range A B: A .. B */
};

struct conf_ports {
	enum conf_port_op	op;
	uint16_t		lo, hi;		/* inclusive; 0 .. 65535 when op is ANY */
	bool			neq;		/* matches ports outside lo .. hi */
};

struct conf_addr {
	uint32_t	addr;			/* host order, wildcard bits cleared */
	uint32_t	wild;			/* IOS wildcard: set bit = don't care */
};

struct conf_ace {
	enum conf_ace_action	action;
	unsigned		line;		/* config line that made it */
	uint8_t			proto;		/* IP protocol number; 0 = "ip", any protocol */
	struct conf_addr	src, dst;
	struct conf_ports	sport, dport;	/* only for tcp, udp (and sctp 132) */
	int16_t			precedence;	/* 0..7, -1 = any */
	int16_t			tos;		/* IOS 4-bit TOS 0..15, -1 = any */
	bool			log;
	bool			standard;	/* of a standard list: source only (dst any, ip) */
	bool			established;	/* tcp: "established" (ACK or RST set) */
	int16_t			icmp_type;	/* icmp: type 0..255, -1 = any */
	int16_t			icmp_code;	/* icmp: code 0..255, -1 = any */
	uint32_t		seq;		/* sequence number (IOS 12.4: 10, 20, ...);
						 * 0 for a remark, which goes with the next
						 * entry; takes no part in equality */
	char			remark[CONF_REMARK_MAX];	/* CONF_ACE_REMARK only */
};

#define CONF_ACL_SEQ_STEP	10u		/* IOS: each new entry 10 above the last */
#define CONF_ACL_SEQ_MAX	2147483647u

struct conf_acl {
	char			name[CONF_NAME_MAX];	/* "101" or a name */
	bool			numbered;	/* 1..199, 1300..2699: shown as access-list N */
	bool			standard;	/* 1..99, 1300..1999, ip access-list standard */
	unsigned		line;
	struct conf_ace		*aces;		/* in order; remarks included */
	size_t			n_aces;
	size_t			cap_aces;	/* allocation, private */
};

/* ---- Transform sets (crypto ipsec transform-set) ---- */

/* Every transform the parser knows, in IOS spelling (conf_xf_name). */
enum conf_xf {
	CONF_XF_AH_MD5_HMAC, CONF_XF_AH_SHA_HMAC, CONF_XF_AH_SHA256_HMAC, CONF_XF_AH_SHA384_HMAC,
	CONF_XF_AH_SHA512_HMAC, CONF_XF_AH_RFC1828,
	CONF_XF_ESP_DES, CONF_XF_ESP_3DES, CONF_XF_ESP_RFC1829, CONF_XF_ESP_NULL, CONF_XF_ESP_AES,
	CONF_XF_ESP_GCM, CONF_XF_ESP_GMAC, CONF_XF_ESP_CHACHA20_POLY1305,
	CONF_XF_ESP_MD5_HMAC, CONF_XF_ESP_SHA_HMAC, CONF_XF_ESP_SHA256_HMAC,
	CONF_XF_ESP_SHA384_HMAC, CONF_XF_ESP_SHA512_HMAC,
	CONF_XF_MAX
};

enum conf_xf_kind { CONF_XFK_AH, CONF_XFK_ESP_CIPHER, CONF_XFK_ESP_AUTH };

enum conf_mode {
	CONF_MODE_TUNNEL,		/* default */
	CONF_MODE_TRANSPORT,		/* only for traffic between the peers themselves (seed) */
};

struct conf_transform {
	enum conf_xf	xf;
	uint16_t	bits;		/* esp-aes 128|192|256, esp-gcm/gmac 128|256; else 0 */
};

struct conf_transform_set {
	char			name[CONF_NAME_MAX];
	unsigned		line;
	struct conf_transform	xforms[CONF_XFORMS_MAX];	/* as configured, in order */
	uint8_t			n_xforms;	/* 1..3 */
	/* Derived from xforms, for the compiler: */
	enum xform_auth		ah;		/* XF_AUTH_NONE: no AH */
	enum xform_cipher	esp_cipher;	/* XF_CIPHER_NONE: no ESP cipher transform */
	uint16_t		esp_key_bits;	/* AES, GCM, GMAC: 128|192|256; else 0 */
	enum xform_auth		esp_auth;	/* XF_AUTH_NONE: no ESP authenticator */
	/* ESP is used iff esp_cipher != NONE || esp_auth != NONE.  esp_cipher NONE with an
	 * authenticator is ESP with NULL encryption, the same as esp-null (XF_CIPHER_NULL). */
	enum conf_mode		mode;
	uint8_t			iv_size;	/* esp-rfc1829 IV bytes, 4|8; 8 otherwise */
};

/* ---- Crypto maps and dynamic crypto maps ---- */

enum conf_map_kind {
	CONF_MAP_MANUAL,		/* crypto map NAME SEQ ipsec-manual */
	CONF_MAP_ISAKMP,		/* ipsec-isakmp; also every entry of a dynamic map set */
	CONF_MAP_DYNAMIC,		/* ipsec-isakmp dynamic DYN: refers to a dynamic map set */
};

enum conf_dir { CONF_DIR_IN = 0, CONF_DIR_OUT = 1 };
enum conf_proto { CONF_PROTO_AH = 0, CONF_PROTO_ESP = 1 };

/* One "set session-key {inbound|outbound} {ah|esp} SPI ..." of a manual entry. */
struct conf_session_key {
	bool		set;		/* configured */
	uint32_t	spi;		/* CONF_SPI_MIN .. 2^32-1, host order */
	struct key	cipher;		/* ESP cipher key (len 0: none given); AEAD keys end in the
					 * 4 salt bytes (RFC 4106 §8.1 KEYMAT) */
	struct key	auth;		/* AH key, or ESP authenticator key (len 0: none given) */
	unsigned	line;		/* where it was set, for messages */
};

struct conf_map_entry {
	uint16_t		seq;		/* 1..65535, lower = evaluated first */
	enum conf_map_kind	kind;
	unsigned		line;		/* the crypto map / crypto dynamic-map line */
	unsigned		acl_line;	/* line of match address, 0 = none */
	unsigned		tsets_line;	/* line of set transform-set, 0 = none */
	char			dynamic[CONF_NAME_MAX];	/* CONF_MAP_DYNAMIC: the dynamic map set */
	char			acl[CONF_NAME_MAX];	/* match address; "" = none */
	uint32_t		peers[CONF_PEERS_MAX];	/* set peer, in order; manual: at most 1 */
	uint8_t			n_peers;
	/* set transform-set, in priority order; manual: at most 1 */
	char			tsets[CONF_TSETS_MAX][CONF_NAME_MAX];
	uint8_t			n_tsets;
	uint8_t			pfs;		/* set pfs: DH group (2,5,14,15,16,19,20,21,31); 0 = no */
	bool			per_host;	/* set security-association level per-host */
	bool			nat_t;		/* set nat-t udp-encapsulation (ours, manual
						 * entries: ESP in UDP 4500, RFC 3948) */
	uint32_t		lifetime_sec;	/* set security-association lifetime; 0 = global */
	uint32_t		lifetime_kb;	/* 0 = global */
	char			ikev2_profile[CONF_NAME_MAX];	/* set ikev2-profile; "" = none */
	uint16_t		replay_window;	/* set security-association replay window-size;
						 * 0 = not set (isakmp: CONF_REPLAY_DEFAULT;
						 * manual: no anti-replay service, seed) */
	unsigned		replay_line;	/* line of that command, 0 = none */
	char			description[CONF_TEXT_MAX];	/* "" = none */
	struct conf_session_key	keys[2][2];	/* [enum conf_dir][enum conf_proto]; manual only */
};

/* A crypto map set (all entries of one NAME) or a dynamic crypto map set. */
struct conf_map {
	char			name[CONF_NAME_MAX];
	bool			dynamic;	/* crypto dynamic-map */
	unsigned		line;
	/* crypto map NAME local-address IF; "" = none; static sets only */
	char			local_address[CONF_NAME_MAX];
	unsigned		local_address_line;
	struct conf_map_entry	**entries;	/* sorted by seq, unique seq */
	size_t			n_entries;
};

/* ---- IKEv2 (IOS 15 "crypto ikev2 ..." commands; the engine is controld/ike/) ----
 * Proposals, policies, keyrings and profiles; crypto map entries name a profile with
 * "set ikev2-profile NAME".  Numbers are the IANA IKEv2 transform ids (controld/ike/ikev2.h). */

#define CONF_IKEV2_ALGS_MAX	8	/* encryption / integrity / prf / group lines, each */
#define CONF_IKEV2_PEERS_MAX	64	/* peer blocks of a keyring */
#define CONF_IKEV2_MATCH_MAX	16	/* match lines of a profile, proposals of a policy */
#define CONF_IKEV2_ID_MAX	256	/* an identity (fqdn, email), NUL included */
#define CONF_IKEV2_PSK_MAX	128	/* a pre-shared key, bytes; 0-terminated text (the
					 * model holds at most 64: struct key) */
#define CONF_IKEV2_LIFETIME_DEFAULT	86400u	/* IKE SA lifetime, IOS default */

/* encryption: an IKEv2 ENCR id and key bits (12 aes-cbc, 20 aes-gcm-16, 28 chacha20, 3 3des) */
struct conf_ikev2_encr {
	uint16_t	id;
	uint16_t	bits;		/* 128|192|256 for AES; 0 for the others */
};

/* crypto ikev2 proposal NAME: each list in the order configured (the order offered). */
struct conf_ikev2_proposal {
	char			name[CONF_NAME_MAX];
	unsigned		line;
	struct conf_ikev2_encr	encr[CONF_IKEV2_ALGS_MAX];
	uint8_t			n_encr;
	uint16_t		integ[CONF_IKEV2_ALGS_MAX];	/* AUTH ids: 2 sha1-96, 12 sha256-128 ... */
	uint8_t			n_integ;			/* 0 with AEAD encryption only */
	uint16_t		prf[CONF_IKEV2_ALGS_MAX];	/* PRF ids; 0 of them: from integrity */
	uint8_t			n_prf;
	uint16_t		group[CONF_IKEV2_ALGS_MAX];	/* DH group numbers */
	uint8_t			n_group;
};

/* crypto ikev2 policy NAME: which proposals, for which local addresses. */
struct conf_ikev2_policy {
	char		name[CONF_NAME_MAX];
	unsigned	line;
	char		proposals[CONF_IKEV2_MATCH_MAX][CONF_NAME_MAX];	/* in order */
	uint8_t		n_proposals;
	uint32_t	match_local[CONF_IKEV2_MATCH_MAX];	/* match address local A; none = any */
	uint8_t		n_match_local;
};

enum conf_ikev2_id_type { CONF_ID_NONE, CONF_ID_ADDRESS, CONF_ID_FQDN, CONF_ID_EMAIL };

struct conf_ikev2_id {
	enum conf_ikev2_id_type	type;
	uint32_t		addr;				/* CONF_ID_ADDRESS */
	char			text[CONF_IKEV2_ID_MAX];	/* fqdn, email */
	uint32_t		mask;		/* CONF_ID_ADDRESS of "match identity remote
						 * address A [MASK]": addr has the host bits
						 * cleared; 0xffffffff everywhere else */
};

/* One "peer NAME" block of a keyring. */
struct conf_ikev2_peer {
	char			name[CONF_NAME_MAX];
	unsigned		line;
	uint32_t		addr, mask;	/* address A [MASK] when has_addr: mask
						 * contiguous, addr & ~mask == 0; 0.0.0.0
						 * 0.0.0.0 is any peer */
	bool			has_addr;
	struct conf_ikev2_id	identity;	/* identity ...; CONF_ID_NONE: none */
	/* pre-shared-key [local|remote] KEY: both set by the plain form; wiped by conf_free.
	 * The key's bytes as typed (no NUL), 1 .. sizeof(b) = 64; len 0: not configured. */
	struct key		psk_local, psk_remote;
};

struct conf_ikev2_keyring {
	char			name[CONF_NAME_MAX];
	unsigned		line;
	struct conf_ikev2_peer	**peers;
	size_t			n_peers;
};

enum conf_dpd_mode { CONF_DPD_NONE, CONF_DPD_ON_DEMAND, CONF_DPD_PERIODIC };

struct conf_ikev2_profile {
	char			name[CONF_NAME_MAX];
	unsigned		line;
	struct conf_ikev2_id	match_remote[CONF_IKEV2_MATCH_MAX];	/* match identity remote */
	uint8_t			n_match_remote;
	struct conf_ikev2_id	local_id;	/* identity local; NONE: the local address */
	bool			auth_local_psk, auth_remote_psk;	/* authentication ... pre-share */
	char			keyring[CONF_NAME_MAX];			/* keyring local NAME */
	uint32_t		lifetime_sec;	/* IKE SA lifetime; 0 = IOS default 86400 */
	uint16_t		dpd_interval, dpd_retry;	/* 0 = no DPD */
	enum conf_dpd_mode	dpd_mode;
	uint16_t		nat_keepalive;	/* seconds; 0 = none */
};

/* ---- IKEv1 (IOS 11.3 "crypto isakmp ..." commands, docs/ikev1.md) ----
 * Policies (protection suites), pre-shared keys by peer address or host name, and the global
 * ISAKMP settings.  A crypto map ipsec-isakmp entry without "set ikev2-profile" is an IKEv1
 * entry (conf_entry_ike_version).  Only the configuration is here; the protocol comes later. */

#define CONF_ISAKMP_PRIO_MIN		1u	/* crypto isakmp policy 1..10000 (IOS 11.3) */
#define CONF_ISAKMP_PRIO_MAX		10000u
#define CONF_ISAKMP_LIFETIME_MIN	60u	/* lifetime SECONDS */
#define CONF_ISAKMP_LIFETIME_MAX	86400u
#define CONF_ISAKMP_LIFETIME_DEFAULT	86400u
#define CONF_ISAKMP_GROUP_DEFAULT	1u
#define CONF_ISAKMP_HOST_MAX		256	/* crypto isakmp key K hostname NAME, NUL included */

/* The zero of each enum is the IOS default of its command (des, sha, rsa-sig). */
enum conf_isakmp_encr { CONF_ISAKMP_DES, CONF_ISAKMP_3DES, CONF_ISAKMP_AES };
enum conf_isakmp_hash {
	CONF_ISAKMP_SHA, CONF_ISAKMP_MD5, CONF_ISAKMP_SHA256, CONF_ISAKMP_SHA384,
	CONF_ISAKMP_SHA512
};
enum conf_isakmp_auth { CONF_ISAKMP_RSA_SIG, CONF_ISAKMP_PRE_SHARE };
enum conf_isakmp_identity { CONF_ISAKMP_ID_ADDRESS, CONF_ISAKMP_ID_HOSTNAME };

/* crypto isakmp policy N: one protection suite.  conf_isakmp_default_policy() is IOS's
 * "Default protection suite", used when no configured policy matches. */
struct conf_isakmp_policy {
	uint16_t		priority;	/* 1..10000, lower = offered and tried first */
	unsigned		line;
	enum conf_isakmp_encr	encr;
	uint16_t		bits;		/* CONF_ISAKMP_AES: 128|192|256; else 0 */
	enum conf_isakmp_hash	hash;
	enum conf_isakmp_auth	auth;
	uint8_t			group;		/* DH group 1 2 5 14 15 16 19 20 21 */
	uint32_t		lifetime;	/* seconds, 60..86400 */
};

/* crypto isakmp key KEY address A [MASK] | hostname NAME.  The key is wiped by conf_free. */
struct conf_isakmp_key {
	unsigned	line;
	bool		by_host;		/* hostname NAME; else address A MASK */
	uint32_t	addr, mask;		/* mask contiguous, addr & ~mask == 0;
						 * 0.0.0.0 0.0.0.0: any peer */
	char		host[CONF_ISAKMP_HOST_MAX];	/* by_host: as typed */
	struct key	psk;			/* the key's bytes as typed, 1..64 */
};

struct conf_isakmp {
	bool				disabled;	/* no crypto isakmp (enabled by default) */
	bool				aggressive_disabled;	/* aggressive-mode disable */
	enum conf_isakmp_identity	identity;	/* crypto isakmp identity */
	uint16_t			keepalive;	/* seconds, 10..3600; 0 = none (no DPD) */
	uint16_t			keepalive_retry;	/* 2..60; 0 = IOS default 2 */
	bool				keepalive_periodic;	/* else on-demand (IOS default) */
	uint16_t			nat_keepalive;	/* seconds, 5..3600; 0 = none */
	struct conf_isakmp_policy	**policies;	/* sorted by priority, unique */
	size_t				n_policies;
	struct conf_isakmp_key		**keys;		/* in order of creation; one per
							 * address/mask or host name */
	size_t				n_keys;
};

/* ---- RSA public keys of peers (crypto key pubkey-chain rsa, IOS 11.3; pubkey.c) ----
 * The peers' public keys for IKEv1 rsa-sig, configured by hand as the seed describes:
 * addressed-key A or named-key NAME, each with its key-string (the DER SubjectPublicKeyInfo
 * in hex, as "show crypto key mypubkey rsa" prints it on the peer).  Public data: shown and
 * written as typed.  Every stored key decodes as an RSA public key (checked at "quit"). */

#define CONF_RSA_DER_MAX	2100	/* bytes of a SubjectPublicKeyInfo: RSA up to 16384 bits */
#define CONF_RSA_BITS_MIN	512u	/* smaller moduli are refused */

/* The optional keyword after the key's address or name; none: a general-purpose key. */
enum conf_rsa_usage { CONF_RSA_GENERAL, CONF_RSA_SIGNATURE, CONF_RSA_ENCRYPTION };

struct conf_rsa_key {
	unsigned		line;
	bool			named;		/* named-key NAME; else addressed-key A */
	char			name[CONF_ISAKMP_HOST_MAX];	/* named: as typed (matched
								 * ignoring case); else "" */
	uint32_t		addr;		/* addressed: the peer; named: its "address A" */
	bool			has_addr;	/* always for addressed; named: "address" given */
	enum conf_rsa_usage	usage;
	uint16_t		der_len;	/* 0: no key-string yet (never used by lookups) */
	uint16_t		bits;		/* the modulus, for show; 0 without a key */
	uint8_t			der[CONF_RSA_DER_MAX];
};

/* ---- Commands accepted and ignored (ignored.c, docs/configuration.md) ----
 * IOS commands that are not IPsec's (version, service, banner, line, ip route, ...): kept
 * verbatim for the running configuration, in the place IOS shows them, with no effect. */

enum conf_ign_slot {
	CONF_IGN_HEAD,			/* before hostname: version, service */
	CONF_IGN_GLOBAL,		/* after hostname: boot, enable, aaa, username, ip domain */
	CONF_IGN_ROUTE,			/* after the interfaces: router, ip route, ip http */
	CONF_IGN_TAIL,			/* after the access lists: snmp-server, banner, line, ntp */
	CONF_IGN_SLOTS
};

struct conf_ignored {
	unsigned		line;
	enum conf_ign_slot	slot;
	bool			banner;		/* banner KIND: key is KIND */
	char			key[16];
	char			*text;		/* owned: its lines as shown, each ending in "\n": the
						 * command, its sub-mode lines (" password x"), a
						 * banner's text as typed */
};

/* ---- Interfaces ---- */

struct conf_if {
	char		name[CONF_NAME_MAX];
	unsigned	line;
	bool		has_addr;	/* ip address A MASK */
	uint32_t	addr, mask;	/* host order; mask contiguous */
	char		crypto_map[CONF_NAME_MAX];	/* "" = none */
	unsigned	crypto_map_line;
	char		description[CONF_TEXT_MAX];
	bool		shutdown;
	char		*ignored;	/* owned: sub-commands accepted and ignored, as shown
					 * (" ip mtu 1400\n ..."); NULL: none */
};

/* ---- Logging (conf/logging.c; what it does: controld/logging.h, docs/logging.md) ---- */

#define CONF_LOG_HOSTS_MAX		8
#define CONF_LOG_BUFFERED_DEFAULT	4096u		/* logging buffered: bytes */
#define CONF_LOG_BUFFERED_MIN		4096u
#define CONF_LOG_BUFFERED_MAX		1048576u
#define CONF_LOG_FACILITY_DEFAULT	23u		/* local7, as IOS */

/* Severities as IOS and syslog number them. */
enum conf_log_level {
	CONF_LOG_EMERGENCIES, CONF_LOG_ALERTS, CONF_LOG_CRITICAL, CONF_LOG_ERRORS,
	CONF_LOG_WARNINGS, CONF_LOG_NOTIFICATIONS, CONF_LOG_INFORMATIONAL, CONF_LOG_DEBUGGING,
};

/* logging host A [transport udp port P] */
struct conf_log_host {
	unsigned	line;
	uint32_t	addr;			/* host order */
	uint16_t	port;			/* 514 unless given */
};

/* The logging commands; each destination on or off with its level, IOS defaults from
 * conf_new() (on, buffered 4096 debugging, console and monitor debugging, trap
 * informational, facility local7). */
struct conf_logging {
	bool			off;		/* no logging on: nothing anywhere */
	bool			buffered_off, console_off, monitor_off, trap_off;
	uint32_t		buffered_size;	/* bytes */
	uint8_t			buffered_level, console_level, monitor_level, trap_level;
	uint8_t			facility;	/* syslog facility code (local7 = 23) */
	struct conf_log_host	hosts[CONF_LOG_HOSTS_MAX];
	size_t			n_hosts;
	char			source_if[CONF_NAME_MAX];	/* accepted, not used; "" none */
};

/* The name of a level ("informational"), for show and the running configuration. */
const char	*conf_log_level_name(unsigned level);

/* ---- The whole configuration ---- */

/* The layout of the show commands of the SA database and the crypto configuration
 * (crypto ipsec show-layout; docs/show.md): IOS 12.4/15 by default, the one today's parsers
 * read, or the IOS 11.3 layout of the seed with our own lines. */
enum conf_show_layout {
	CONF_LAYOUT_15,			/* default: not written by show running-config */
	CONF_LAYOUT_11_3,
};

struct conf {
	char				hostname[CONF_NAME_MAX];
	char				source[CONF_NAME_MAX];	/* name given to conf_parse_*, for
								 * messages; "" if none */
	uint32_t			lifetime_sec;	/* crypto ipsec security-association */
	uint32_t			lifetime_kb;	/* lifetime seconds|kilobytes */
	enum conf_show_layout		show_layout;	/* crypto ipsec show-layout */
	struct conf_acl			**acls;
	size_t				n_acls;
	struct conf_transform_set	**tsets;
	size_t				n_tsets;
	struct conf_map			**maps;		/* crypto map sets */
	size_t				n_maps;
	struct conf_map			**dynmaps;	/* crypto dynamic-map sets */
	size_t				n_dynmaps;
	struct conf_if			**ifs;
	size_t				n_ifs;
	struct conf_ikev2_proposal	**ikev2_proposals;
	size_t				n_ikev2_proposals;
	struct conf_ikev2_policy	**ikev2_policies;
	size_t				n_ikev2_policies;
	struct conf_ikev2_keyring	**ikev2_keyrings;
	size_t				n_ikev2_keyrings;
	struct conf_ikev2_profile	**ikev2_profiles;
	size_t				n_ikev2_profiles;
	struct conf_isakmp		isakmp;		/* IKEv1: crypto isakmp ... */
	struct conf_rsa_key		**rsa_keys;	/* crypto key pubkey-chain rsa, in order
							 * of creation; one per name or address
							 * and usage */
	size_t				n_rsa_keys;
	struct conf_ignored		**ignored;	/* in order of creation */
	size_t				n_ignored;
	struct conf_logging		logging;	/* logging ... */
};

/* ---- Life cycle ---- */

/* An empty configuration with IOS defaults (hostname Router, lifetimes 3600 s / 4608000 KB).
 * Caller frees with conf_free().  NULL only when out of memory. */
struct conf	*conf_new(void);
/* Frees c and all it owns, wiping every session key first.  NULL is a no-op. */
void		conf_free(struct conf *c);
/* A deep copy; caller frees.  NULL when out of memory. */
struct conf	*conf_dup(const struct conf *c);
/* True when a and b configure the same thing (line numbers and source ignored; keys compared
 * in constant time). */
bool		conf_equal(const struct conf *a, const struct conf *b);

/* ---- Parsing ---- */

enum conf_submode {
	CONF_SM_GLOBAL,			/* "config" */
	CONF_SM_TRANSFORM,		/* "cfg-crypto-trans" (IOS 12.4): crypto ipsec transform-set */
	CONF_SM_MAP,			/* "config-crypto-map": crypto map / crypto dynamic-map */
	CONF_SM_IF,			/* "config-if" */
	CONF_SM_ACL,			/* "config-ext-nacl" / "config-std-nacl": ip access-list */
	CONF_SM_IKEV2_PROPOSAL,		/* "config-ikev2-proposal" */
	CONF_SM_IKEV2_POLICY,		/* "config-ikev2-policy" */
	CONF_SM_IKEV2_KEYRING,		/* "config-ikev2-keyring" */
	CONF_SM_IKEV2_PEER,		/* "config-ikev2-keyring-peer": exit: to the keyring */
	CONF_SM_IKEV2_PROFILE,		/* "config-ikev2-profile" */
	CONF_SM_ISAKMP_POLICY,		/* "config-isakmp": crypto isakmp policy N */
	CONF_SM_PUBKEY_CHAIN,		/* "config-pubkey-chain": crypto key pubkey-chain rsa */
	CONF_SM_PUBKEY_KEY,		/* "config-pubkey-key": addressed-key, named-key; exit:
					 * to the chain */
	CONF_SM_PUBKEY_STRING,		/* "config-pubkey": key-string, hex lines until quit */
	CONF_SM_IGNORED,		/* the sub-mode of an ignored command ("config-line") */
	CONF_SM_BANNER,			/* a banner's text, until its delimiter */
};

/* A configuration session: feeds lines one at a time to a target configuration, tracking the
 * sub-mode like the IOS parser.  Owns nothing; the target must outlive it and must not be
 * changed by anyone else while the session is in use.  Fields are private. */
struct conf_session {
	struct conf			*c;
	enum conf_submode		mode;
	struct conf_transform_set	*tset;		/* CONF_SM_TRANSFORM */
	struct conf_map			*map;		/* CONF_SM_MAP: set of entry */
	struct conf_map_entry		*entry;		/* CONF_SM_MAP */
	struct conf_if			*ifp;		/* CONF_SM_IF */
	struct conf_acl			*acl;		/* CONF_SM_ACL */
	struct conf_ikev2_proposal	*ikev2_proposal;	/* CONF_SM_IKEV2_PROPOSAL */
	struct conf_ikev2_policy	*ikev2_policy;		/* CONF_SM_IKEV2_POLICY */
	struct conf_ikev2_keyring	*ikev2_keyring;		/* CONF_SM_IKEV2_KEYRING, _PEER */
	struct conf_ikev2_peer		*ikev2_peer;		/* CONF_SM_IKEV2_PEER */
	struct conf_ikev2_profile	*ikev2_profile;		/* CONF_SM_IKEV2_PROFILE */
	struct conf_isakmp_policy	*isakmp_policy;		/* CONF_SM_ISAKMP_POLICY */
	struct conf_rsa_key		*rsa_key;	/* CONF_SM_PUBKEY_KEY, _STRING */
	unsigned			hex_line;	/* CONF_SM_PUBKEY_STRING: its line */
	size_t				n_hex;		/* digits in hex */
	char				hex[2 * CONF_RSA_DER_MAX];	/* the key-string so far;
									 * stored at quit */
	struct conf_ignored		*ign;		/* CONF_SM_IGNORED, _BANNER */
	const char			*ign_prompt;	/* CONF_SM_IGNORED: "config-line" */
	char				delim[3];	/* CONF_SM_BANNER: "^C" or one character */
	FILE				*warnings;	/* conf_session_warnings() */
	const char			*source;
};

/* Start a session on target in global configuration mode. */
void		conf_session_begin(struct conf_session *s, struct conf *target);
/* Where the session says what it accepted and ignored (a command that is not IPsec's: see
 * docs/configuration.md), one line each: "SOURCE:LINE: warning: ignored: ..." when source is
 * not NULL, else "warning: ignored: ...".  warnings NULL (the default): said nowhere.
 * Borrows both until the session ends. */
void		conf_session_warnings(struct conf_session *s, FILE *warnings, const char *source);
/* The next line of s is text, not words (a key-string's hex, a banner): not to be expanded
 * as abbreviations. */
bool		conf_session_raw(const struct conf_session *s);
/* Apply one line (a trailing "\n" or "\r\n" is ignored).  A line is read in the
 * current sub-mode, indented or not; a global command leaves the sub-mode, as on IOS.
 * 0 when applied.  -1 with err (line = lineno, message names the command, the word and why)
 * when refused: then neither the target nor the session changed.  Also -1 when out of memory
 * (same guarantee). */
int		conf_session_line(struct conf_session *s, const char *line, unsigned lineno,
		    struct gw_err *err);
/* The sub-mode for the CLI prompt, as IOS 12.4 names it: "config", "cfg-crypto-trans",
 * "config-crypto-map", "config-if", "config-ext-nacl", "config-std-nacl",
 * "config-ikev2-proposal", "config-ikev2-policy", "config-ikev2-keyring",
 * "config-ikev2-keyring-peer", "config-ikev2-profile", "config-isakmp", "config-pubkey-chain",
 * "config-pubkey-key", "config-pubkey", or an ignored command's ("config-line",
 * "config-router", ...).  Static. */
const char	*conf_session_prompt_mode(const struct conf_session *s);

/* Expands the abbreviations of one line of session s into out (len bytes), as the CLI does:
 * 0, or -1 with err (err->line is set by the caller) when a word abbreviates several
 * keywords.  Never called for text lines (conf_session_raw()). */
typedef int	(*conf_expand_fn)(void *arg, const struct conf_session *s, const char *line,
		    char *out, size_t len, struct gw_err *err);

/* How a whole text is read; a zeroed struct (or NULL) reads as conf_parse_text(). */
struct conf_parse_opts {
	conf_expand_fn	expand;		/* NULL: full words only */
	void		*expand_arg;
	FILE		*warnings;	/* "NAME:LINE: warning: ignored: ..." one line each */
	FILE		*errors;	/* every refused line, "NAME:LINE: why" one line each */
};

/* Parse a whole text (lines split at "\n"; the text ends at its NUL).  All or nothing: when a
 * line is refused returns NULL with err naming the first refused line, the word and why (a
 * key-string the text does not end with "quit" is refused too).  The text is read as IOS
 * reads a saved configuration: the headers of show running-config ("Building
 * configuration...", "Current configuration : N bytes") are skipped and "end" ends it.  name
 * (may be NULL) is kept in conf->source.  Checks the syntax and each command on its own; cross
 * references are conf_validate()'s, which callers run before applying a configuration.
 * Caller frees the result. */
struct conf	*conf_parse_text(const char *text, const char *name, struct gw_err *err);
/* conf_parse_text() with options: every refused line is reported to o->errors, not only the
 * first (the lines indented under a refused command are skipped, not reported), commands
 * accepted and ignored are reported to o->warnings, and o->expand expands abbreviations.
 * o may be NULL. */
struct conf	*conf_parse_text_opts(const char *text, const char *name,
		    const struct conf_parse_opts *o, struct gw_err *err);
/* conf_parse_text() of a file's contents; err->line 0 when the file cannot be read. */
struct conf	*conf_parse_file(const char *path, struct gw_err *err);
struct conf	*conf_parse_file_opts(const char *path, const struct conf_parse_opts *o,
		    struct gw_err *err);

/* Cross references and the seed's rules for a configuration about to be applied: interfaces'
 * crypto maps exist, local-address interfaces exist, transform sets named by map entries
 * exist, entries referring to dynamic maps are last in their set and their dynamic map exists,
 * each applied entry is complete or else disabled with a NOTE warning (IOS: a static entry
 * without match address of a defined list, set peer or set transform-set is kept disabled,
 * conf_entry_active) and, when complete (ipsec-manual: ACL with a permit, one peer, one
 * transform set,
 * session keys of the right lengths for every protocol of the set, a replay window-size only
 * with sequence numbers that are there and authenticated: not with esp-rfc1829/ah-rfc1828 nor
 * an ESP cipher alone; ipsec-isakmp: ACL, peer and transform set), different entries of a set
 * use different ACLs, inbound manual SPIs are unique; IKEv2 (ikev2.c, docs/ikev2.md): the
 * profile named by an entry exists and is complete (match identity remote, authentication
 * local and remote pre-share, a keyring whose peers have the keys it needs), a policy exists
 * for an entry with a profile, a profile's keyring exists, a policy's proposals exist, a
 * proposal has an encryption and a group, integrity unless it is AEAD (then a prf and no
 * integrity), and does not mix AEAD with other encryptions; a keyring peer has an address or
 * an identity; PFS with a profile is a group IKEv2 has; IKEv1 (isakmp.c, docs/ikev1.md): PFS
 * of an IKEv1 entry is a group IKEv1 has.  0 if usable; -1 with err (line of the offending
 * object) on the first error.
 * Warnings (ACL entries ignored after the first permit of a manual entry, weak transforms in
 * use, IKEv2 md5, 3des, groups 2 and 5, crypto isakmp policy des, md5, groups 1, 2 and 5, no
 * crypto isakmp with IKEv1 entries) go to warnings, one line each, when it is not NULL. */
int		conf_validate(const struct conf *c, struct gw_err *err, FILE *warnings);

/* ---- Lookups for the compiler and the CLI (borrowed pointers, valid until c changes) ---- */

struct conf_acl			*conf_acl_find(const struct conf *c, const char *name);
struct conf_transform_set	*conf_tset_find(const struct conf *c, const char *name);
struct conf_map			*conf_map_find(const struct conf *c, const char *name);
struct conf_map			*conf_dynmap_find(const struct conf *c, const char *name);
struct conf_map_entry		*conf_map_entry_find(const struct conf_map *m, unsigned seq);
struct conf_if			*conf_if_find(const struct conf *c, const char *name);
/* Entries of a set in sequence order: for (e = NULL; (e = conf_map_next(m, e)) != NULL; ).
 * (Same as walking m->entries[0 .. n_entries).) */
struct conf_map_entry		*conf_map_next(const struct conf_map *m,
				    const struct conf_map_entry *prev);
/* Whether entry e of set m is complete enough to be used: an entry of a static set needs
 * match address of a list that exists, set peer and set transform-set; without them it is
 * kept, disabled (IOS's "% NOTE"), and not compiled.  Entries of dynamic sets: always. */
bool				conf_entry_active(const struct conf *c,
				    const struct conf_map *m, const struct conf_map_entry *e);
/* The first permit of an ACL (the one flow of an ipsec-manual entry), or NULL. */
const struct conf_ace		*conf_acl_first_permit(const struct conf_acl *a);
/* Effective lifetimes of an entry: its own if set, else the global ones. */
uint32_t	conf_entry_lifetime_sec(const struct conf *c, const struct conf_map_entry *e);
uint32_t	conf_entry_lifetime_kb(const struct conf *c, const struct conf_map_entry *e);
/* Key bytes a manual entry needs for the ESP cipher / authenticator of a set (0 = none). */
unsigned	conf_tset_cipher_key_len(const struct conf_transform_set *t);
unsigned	conf_tset_esp_auth_key_len(const struct conf_transform_set *t);
unsigned	conf_tset_ah_key_len(const struct conf_transform_set *t);
bool		conf_tset_has_esp(const struct conf_transform_set *t);
/* The set's ESP checks integrity (an ESP authenticator or a combined-mode cipher), so its
 * sequence number can be trusted by an anti-replay window (RFC 4303 §3.4.3). */
bool		conf_tset_esp_integrity(const struct conf_transform_set *t);
/* The set uses the RFC 1828/1829 transforms, whose headers carry no sequence number. */
bool		conf_tset_no_seq(const struct conf_transform_set *t);

/* ---- IKEv2 lookups for the engine (ikev2.c; borrowed pointers, valid until c changes) ---- */

struct conf_ikev2_proposal	*conf_ikev2_proposal_find(const struct conf *c, const char *name);
struct conf_ikev2_policy	*conf_ikev2_policy_find(const struct conf *c, const char *name);
struct conf_ikev2_keyring	*conf_ikev2_keyring_find(const struct conf *c, const char *name);
struct conf_ikev2_profile	*conf_ikev2_profile_find(const struct conf *c, const char *name);
/* The profile of a map entry (set ikev2-profile), or NULL when none is set or it is not
 * defined (conf_validate refuses the latter). */
const struct conf_ikev2_profile	*conf_entry_ikev2_profile(const struct conf *c,
				    const struct conf_map_entry *e);
/* The policy for IKE SAs on local address local (IOS): the first policy, in configuration
 * order, with a "match address local" equal to local; else the first policy without any
 * "match address local"; else NULL (no default proposal here: IKEv2 is refused). */
const struct conf_ikev2_policy	*conf_ikev2_policy_for(const struct conf *c, uint32_t local);
/* True when remote (an identity received in IDi/IDr; mask ignored) matches one of the profile's
 * "match identity remote" lines: address within A/MASK, fqdn equal ignoring case, email equal. */
bool		conf_ikev2_profile_match(const struct conf_ikev2_profile *p,
		    const struct conf_ikev2_id *remote);
/* The first profile, in configuration order, that matches remote; NULL if none. */
const struct conf_ikev2_profile	*conf_ikev2_profile_for_id(const struct conf *c,
				    const struct conf_ikev2_id *remote);
/* The peer block of keyring k for a remote (IOS): when id is not NULL, the first peer whose
 * "identity" equals it; else (or when none does) the peer whose "address A MASK" contains addr
 * with the longest mask (first in order on a tie); NULL if none.  Its keys: psk_local signs
 * our AUTH, psk_remote checks the peer's (RFC 7296 §2.15). */
const struct conf_ikev2_peer	*conf_ikev2_peer_find(const struct conf_ikev2_keyring *k,
				    uint32_t addr, const struct conf_ikev2_id *id);
/* Our identity under profile p on local address local: "identity local", else local's
 * address (ID_IPV4_ADDR). */
void		conf_ikev2_local_id(const struct conf_ikev2_profile *p, uint32_t local,
		    struct conf_ikev2_id *out);
/* The IKE SA lifetime of a profile in seconds (CONF_IKEV2_LIFETIME_DEFAULT when not set). */
uint32_t	conf_ikev2_lifetime(const struct conf_ikev2_profile *p);
/* Every encryption of p is AEAD (aes-gcm, chacha20-poly1305): no integrity transform. */
bool		conf_ikev2_proposal_aead(const struct conf_ikev2_proposal *p);
/* The PRFs to offer for p: its "prf" list, or (none configured) the PRF of each integrity
 * algorithm, in order and without repeats (IOS).  Writes at most CONF_IKEV2_ALGS_MAX ids to
 * out, returns how many. */
unsigned	conf_ikev2_proposal_prfs(const struct conf_ikev2_proposal *p,
		    uint16_t out[CONF_IKEV2_ALGS_MAX]);
/* The anti-replay window of an entry: its own, else CONF_REPLAY_DEFAULT for ipsec-isakmp and
 * 0 (none) for ipsec-manual. */
unsigned	conf_entry_replay_window(const struct conf_map_entry *e);
/* IOS spellings, for show and debug: "aes-gcm-128", "sha256", "sha256" (prf), "19"; NULL when
 * the number is none the parser takes. */
const char	*conf_ikev2_encr_name(uint16_t id, uint16_t bits);
const char	*conf_ikev2_integ_name(uint16_t id);
const char	*conf_ikev2_prf_name(uint16_t id);
bool		conf_ikev2_group_ok(unsigned group);	/* 2 5 14 15 16 19 20 21 31 */
bool		conf_ikev2_group_weak(unsigned group);	/* 2 5 */

/* ---- IKEv1 lookups for the engine (isakmp.c; borrowed pointers, valid until c changes) ---- */

enum conf_ike_version { CONF_IKE_NONE, CONF_IKE_V1, CONF_IKE_V2 };

/* How an entry is keyed: CONF_IKE_V2 for an ipsec-isakmp entry (static or dynamic map) with
 * "set ikev2-profile", CONF_IKE_V1 for one without, CONF_IKE_NONE for ipsec-manual entries
 * and for entries that refer to a dynamic map set (its entries say). */
enum conf_ike_version	conf_entry_ike_version(const struct conf_map_entry *e);
/* The policy of priority prio, or NULL. */
struct conf_isakmp_policy	*conf_isakmp_policy_find(const struct conf *c, unsigned prio);
/* IOS's "Default protection suite": des, sha, rsa-sig, group 1, 86400 s (priority 65535). */
const struct conf_isakmp_policy	*conf_isakmp_default_policy(void);
/* The pre-shared key for a peer: by host name (when name is not NULL) the key whose
 * "hostname" equals it ignoring case; else (or when none does) the key whose "address A MASK"
 * contains addr with the longest mask (first on a tie); NULL if none. */
const struct conf_isakmp_key	*conf_isakmp_key_find(const struct conf *c, uint32_t addr,
				    const char *name);
/* IOS spellings for show and debug: "aes 256", "sha256", "pre-share"; the group as a number. */
const char	*conf_isakmp_encr_name(enum conf_isakmp_encr e);
const char	*conf_isakmp_hash_name(enum conf_isakmp_hash h);
const char	*conf_isakmp_auth_name(enum conf_isakmp_auth a);
bool		conf_isakmp_group_ok(unsigned group);	/* 1 2 5 14 15 16 19 20 21 */
bool		conf_isakmp_group_weak(unsigned group);	/* 1 2 5 */

/* ---- RSA public keys of peers, for the IKEv1 engine (pubkey.c; borrowed pointers, valid until
 * c changes) ---- */

/* The key to check a peer's signature with (a key with data, usage signature or general; a
 * signature key before a general one of the same peer): when name is not NULL, the named-key
 * equal to it ignoring case (the peer's ID_FQDN); else, or when there is none, the
 * addressed-key of addr, then a named-key with "address addr".  NULL if none. */
const struct conf_rsa_key	*conf_rsa_key_find(const struct conf *c, uint32_t addr,
				    const char *name);
/* The key as OpenSSL's: a new EVP_PKEY (caller frees with EVP_PKEY_free), or NULL with err
 * (line: the key's) when it has no data or does not decode (never, for a key the parser
 * stored). */
EVP_PKEY	*conf_rsa_key_pkey(const struct conf_rsa_key *k, struct gw_err *err);
/* "General Purpose", "Signature", "Encryption"; "general", "signature", "encryption". */
const char	*conf_rsa_usage_show(enum conf_rsa_usage u);
const char	*conf_rsa_usage_name(enum conf_rsa_usage u);
/* der[0..len) as IOS prints key data: upper-case hex in 8-digit groups, 8 groups a line, each
 * line starting with indent. */
void		conf_rsa_hex(const uint8_t *der, size_t len, const char *indent, FILE *out);

/* ---- Names ---- */

const char	*conf_xf_name(enum conf_xf xf);		/* "esp-aes" */
enum conf_xf_kind conf_xf_kind(enum conf_xf xf);
bool		conf_xf_weak(enum conf_xf xf);		/* DES, 3DES, MD5, RFC 1828/1829 */
const char	*conf_proto_name(uint8_t proto);	/* "tcp", or NULL when it has no name */
const char	*conf_map_kind_name(enum conf_map_kind k);	/* "ipsec-manual" ... */
const char	*conf_port_name(uint8_t proto, uint16_t port);	/* "www" for tcp 80, or NULL */
const char	*conf_prec_name(int prec);		/* "critical" for 5, or NULL */
const char	*conf_tos_name(int tos);		/* "min-delay" for 8, or NULL */
/* IOS's name of an ICMP type and code ("echo" 8 -1, "port-unreachable" 3 3), or NULL. */
const char	*conf_icmp_name(int type, int code);

/* ---- Show (show.c; entries: access_list.c): IOS layouts, written to out ---- */

/* The configuration as a text to keep (write memory, the startup file): canonical,
 * conf_parse_text() of it gives an equal conf, and conf_write_config() of that the same text
 * byte for byte.  IOS's headers come first ("Building configuration...", a blank line,
 * "Current configuration : N bytes", N the bytes that follow), then "!", the commands.  It holds every key (manual session keys in hex,
 * IKEv2 and crypto isakmp pre-shared keys as typed): whoever keeps the text wipes it.  Ends
 * with "end". */
void	conf_write_config(const struct conf *c, FILE *out);
/* show running-config: conf_write_config() with each pre-shared key (IKEv2 keyrings, crypto
 * isakmp key) masked as "*****" (docs/adr/0010).  Without pre-shared keys the two texts are
 * the same; with them, this one does not parse back (the parser refuses a masked key, it never takes it for the key).
 * Manual session keys are shown, as IOS 11.3 does. */
void	conf_show_running(const struct conf *c, FILE *out);
/* text (a configuration, e.g. the startup file) to out with the key of every pre-shared-key
 * line and every crypto isakmp key line masked as conf_show_running() does (the byte count
 * of its headers, when it has them, is the masked text's). */
void	conf_show_masked(const char *text, FILE *out);
/* show ip access-lists [NAME] (IOS 12.4/15): "Extended IP access list 101" or "Standard IP
 * access list 10", then each entry with its sequence number ("    10 permit ip any any",
 * "    20 permit 192.0.2.0, wildcard bits 0.0.0.255"); remarks are not shown. */
void	conf_show_access_lists(const struct conf *c, const char *name, FILE *out);
/* One entry as IOS writes it in the running configuration, without the list or sequence
 * number: "permit ip host 192.0.2.1 any log", "permit 192.0.2.1" (standard). */
void	conf_show_ace(const struct conf_ace *a, FILE *out);
/* A cipher's name as IOS 12.4/15 prints it in show: esp-aes (128), esp-192-aes, esp-256-aes,
 * esp-gcm / esp-gcm 256, esp-3des, ... (bits: the key size without salt); into buf. */
const char	*conf_cipher_name15(enum xform_cipher c, unsigned bits, char *buf, size_t len);
/* show crypto ipsec transform-set [tag], in c's show layout. */
void	conf_show_transform_sets(const struct conf *c, const char *tag, FILE *out);
/* show crypto map [tag NAME] [interface IF]: either filter may be NULL. */
void	conf_show_crypto_map(const struct conf *c, const char *tag, const char *ifname,
	    FILE *out);
/* show crypto dynamic-map [tag NAME]. */
void	conf_show_dynamic_map(const struct conf *c, const char *tag, FILE *out);
/* show crypto ipsec security-association lifetime. */
void	conf_show_sa_lifetime(const struct conf *c, FILE *out);
/* show crypto ikev2 proposal|policy|profile [NAME] (IOS 15 layouts; name NULL: all).  No key
 * is ever shown. */
void	conf_show_ikev2_proposals(const struct conf *c, const char *name, FILE *out);
void	conf_show_ikev2_policies(const struct conf *c, const char *name, FILE *out);
void	conf_show_ikev2_profiles(const struct conf *c, const char *name, FILE *out);
/* show crypto isakmp policy (IOS 11.3/12.x layout): "Global IKE policy", each configured
 * protection suite by priority, then the "Default protection suite". */
void	conf_show_isakmp_policy(const struct conf *c, FILE *out);
/* show crypto key pubkey-chain rsa: "Codes: M - Manually configured", then one line per key
 * (code, usage, address, name).  With addr_given or name: that peer's keys in full (name,
 * address, usage, source, key data); "% No key ..." when there is none. */
void	conf_show_pubkey_chain(const struct conf *c, bool addr_given, uint32_t addr,
	    const char *name, FILE *out);

#endif
