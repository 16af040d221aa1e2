/* SPDX-License-Identifier: Apache-2.0 */
/* families.h: what each command family of the configuration gives the rest of conf/ (private
 * to conf/).  A family is a file that owns a part of struct conf: its commands and sub-mode
 * lines (parse), its part of the model (free, dup, equal), its part of conf_validate (checks)
 * and its lines of the running configuration:
 *
 *   access_list.c    access-list N ..., ip access-list extended NAME (and its sub-mode)
 *   transform_set.c  crypto ipsec transform-set NAME ... (and its sub-mode)
 *   crypto_map.c     crypto map, crypto dynamic-map (and their sub-mode), crypto ipsec
 *                    security-association lifetime
 *   interface.c      interface NAME (and its sub-mode), hostname
 *   ikev2.c          crypto ikev2 proposal, policy, keyring (peer), profile (their sub-modes)
 *   isakmp.c         crypto isakmp policy (its sub-mode), key, identity, keepalive, nat
 *                    keepalive, enable, aggressive-mode (IKEv1)
 *   ignored.c        the IOS commands that are not IPsec's, accepted, kept and ignored
 *   pubkey.c         crypto key pubkey-chain rsa (its sub-modes: addressed-key, named-key,
 *                    key-string): the peers' RSA public keys (IKEv1 rsa-sig)
 *   logging.c        logging buffered, host, trap, monitor, console, facility, on,
 *                    source-interface (controld/logging.h acts on them)
 *
 * session.c dispatches lines to them, model.c and show.c call their model, check and
 * running-config parts.  A parse function (the words of the command proper at p->l->w[0],
 * "no" taken off) returns 0 when applied, -1 with p->err when refused (nothing changed), and,
 * for a sub-mode, 1 when the line is not a command of that sub-mode. */
#ifndef GW_CONF_FAMILIES_H
#define GW_CONF_FAMILIES_H

#include <stdbool.h>
#include <stdio.h>

#include "controld/conf/conf.h"
#include "controld/conf/line.h"

/* "192.0.2.1": an address of the model (host order) for show and the running config. */
static inline const char *
ip_str(uint32_t a, char buf[16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff, a & 0xff);
	return buf;
}

/* ---- access_list.c ---- */

void			acl_free(struct conf_acl *a);		/* NULL: no-op */
struct conf_acl		*acl_dup(const struct conf_acl *a);	/* NULL: out of memory */
bool			acl_equal(const struct conf_acl *a, const struct conf_acl *b);
/* An access list name where one is referred to ("match address X"): a numbered name must be
 * an IP access list number (standard or extended). */
int			acl_name_ok(struct pl *p, const char *what, const char *s);
int			acl_cmd_numbered(struct pl *p, bool no);	/* access-list N ... */
int			acl_cmd_named(struct pl *p, bool no);	/* ip access-list extended NAME */
int			acl_mode(struct pl *p, bool no);	/* config-{ext,std}-nacl */
/* conf_validate's checks of the lists crypto map entries use (ICMP types refused,
 * established warned), after isakmp_conf_check(). */
int			acl_check(const struct conf *c, struct gw_err *err, FILE *warnings);
void			acl_running(const struct conf *c, FILE *out);

/* ---- transform_set.c ---- */

struct conf_transform_set *tset_dup(const struct conf_transform_set *t);
bool			tset_equal(const struct conf_transform_set *a,
			    const struct conf_transform_set *b);
int			tset_cmd(struct pl *p, bool no);	/* crypto ipsec transform-set */
int			tset_mode(struct pl *p, bool no);	/* cfg-crypto-trans */
/* The transform of kind k in t, by name ("" if none). */
const char		*tset_kind_name(const struct conf_transform_set *t, enum conf_xf_kind k);
/* "esp-aes 256": a transform as configured (key size only when not the default). */
void			tset_xform_show(const struct conf_transform *x, FILE *out);
/* The same transform as IOS 12.4/15 show prints it (esp-256-aes; conf_cipher_name15). */
void			tset_xform_show15(const struct conf_transform *x, FILE *out);
void			tset_running(const struct conf *c, FILE *out);

/* ---- crypto_map.c ---- */

void			map_free(struct conf_map *m);		/* wipes the session keys */
struct conf_map		*map_dup(const struct conf_map *m);
bool			map_equal(const struct conf_map *a, const struct conf_map *b);
/* crypto {ipsec|map|dynamic-map|ikev2|isakmp|key}: ikev2 goes on to ikev2_conf_cmd(), isakmp
 * to isakmp_conf_cmd(), key to pubkey_conf_cmd() */
int			map_cmd_crypto(struct pl *p, bool no);
int			map_mode(struct pl *p, bool no);	/* config-crypto-map */
/* conf_validate's checks of crypto map and dynamic map sets, in their order, after
 * intf_check(); warnings as conf_validate says. */
int			map_check(const struct conf *c, struct gw_err *err, FILE *warnings);
void			map_running_lifetime(const struct conf *c, FILE *out);
void			map_running(const struct conf *c, FILE *out);	/* dynamic, then static */

/* ---- interface.c ---- */

struct conf_if		*intf_dup(const struct conf_if *f);
void			intf_free(struct conf_if *f);		/* NULL: no-op */
bool			intf_equal(const struct conf_if *a, const struct conf_if *b);
int			intf_cmd(struct pl *p, bool no);	/* interface NAME */
int			intf_mode(struct pl *p, bool no);	/* config-if */
int			host_cmd(struct pl *p, bool no);	/* hostname NAME */
/* The first of conf_validate's checks: the crypto map of each interface exists. */
int			intf_check(const struct conf *c, struct gw_err *err);
void			host_running(const struct conf *c, FILE *out);
void			intf_running(const struct conf *c, FILE *out);

/* ---- ignored.c ---- */

/* c->ignored: freed, copied into d (0, or -1 out of memory: d holds what was copied),
 * compared (order included). */
void			ign_conf_free(struct conf *c);
int			ign_conf_dup(struct conf *d, const struct conf *c);
bool			ign_conf_equal(const struct conf *a, const struct conf *b);
/* A global command accepted and ignored (0, one warning), -1 refused, 1 not one of them. */
int			ign_cmd(struct pl *p, bool no);
/* The words (after "no") are a global command that is ignored. */
bool			ign_is_cmd(struct pl *p, bool no);
/* A line in the sub-mode of an ignored command: kept (0), or 1 (a global command). */
int			ign_mode(struct pl *p, bool no, bool global);
/* One line of a banner's text (raw, not split into words). */
int			ign_banner_line(struct conf_session *s, const char *text, size_t len,
			    unsigned lineno, struct gw_err *err);
/* An interface sub-command accepted and ignored (0), -1 refused, 1 not one of them. */
int			ign_intf(struct pl *p, bool no);
/* The lines of slot, then "!" when there are any; masked as conf_show_masked() unless
 * secrets. */
void			ign_running(const struct conf *c, enum conf_ign_slot slot, bool secrets,
			    FILE *out);

/* ---- ikev2.c ---- */

/* The four IKEv2 arrays of c: freed (pre-shared keys wiped), copied into d (0, or -1 out of
 * memory: d holds what was copied, for conf_free), compared (keys in constant time). */
void			ikev2_conf_free(struct conf *c);
int			ikev2_conf_dup(struct conf *d, const struct conf *c);
bool			ikev2_conf_equal(const struct conf *a, const struct conf *b);
int			ikev2_conf_cmd(struct pl *p, bool no);	/* crypto ikev2 ... */
int			ikev2_conf_mode(struct pl *p, bool no);	/* config-ikev2-* */
/* conf_validate's IKEv2 checks, after map_check(); warnings as conf_validate says. */
int			ikev2_conf_check(const struct conf *c, struct gw_err *err,
			    FILE *warnings);
/* The crypto ikev2 lines; pre-shared keys as typed when secrets, else masked. */
void			ikev2_conf_running(const struct conf *c, bool secrets, FILE *out);

/* ---- isakmp.c ---- */

/* c->isakmp: freed (pre-shared keys wiped), copied into d (0, or -1 out of memory: d holds
 * what was copied, for conf_free), compared (keys in constant time). */
void			isakmp_conf_free(struct conf *c);
int			isakmp_conf_dup(struct conf *d, const struct conf *c);
bool			isakmp_conf_equal(const struct conf *a, const struct conf *b);
int			isakmp_conf_cmd(struct pl *p, bool no);	/* crypto isakmp ... */
int			isakmp_conf_mode(struct pl *p, bool no);	/* config-isakmp */
/* conf_validate's IKEv1 checks, after ikev2_conf_check(); warnings as conf_validate says. */
int			isakmp_conf_check(const struct conf *c, struct gw_err *err,
			    FILE *warnings);
/* The crypto isakmp lines; keys as typed when secrets, else masked. */
void			isakmp_conf_running(const struct conf *c, bool secrets, FILE *out);
/* l[0..len) of a stored text: when it is a crypto isakmp key line, writes it with the key
 * masked as the running config shows it (no newline) and returns true; else writes nothing. */
bool			isakmp_masked_line(const char *l, size_t len, FILE *out);

/* ---- pubkey.c ---- */

/* c->rsa_keys: freed, copied into d (0, or -1 out of memory: d holds what was copied, for
 * conf_free), compared (order included). */
void			pubkey_conf_free(struct conf *c);
int			pubkey_conf_dup(struct conf *d, const struct conf *c);
bool			pubkey_conf_equal(const struct conf *a, const struct conf *b);
int			pubkey_conf_cmd(struct pl *p, bool no);	/* crypto key ... */
/* config-pubkey-chain and config-pubkey-key (1: not theirs). */
int			pubkey_conf_mode(struct pl *p, bool no);
/* A line in config-pubkey (hex digits, or quit): every line of that mode comes here, before
 * end and exit are looked at (IOS takes only hex and quit there).  quit ends the mode even
 * when it is refused (the key is then not stored). */
int			pubkey_string_line(struct pl *p);
void			pubkey_conf_running(const struct conf *c, FILE *out);

/* ---- logging.c ---- */

void			logging_conf_init(struct conf *c);	/* IOS defaults */
bool			logging_conf_equal(const struct conf *a, const struct conf *b);
int			logging_conf_cmd(struct pl *p, bool no);	/* logging ... */
void			logging_conf_running(const struct conf *c, FILE *out);

#endif
