/* SPDX-License-Identifier: Apache-2.0 */
/* link.h: ZeroMQ + protobuf-c framing of the controld <-> datad link and the CLI socket.
 * A message is [routing id (ROUTER side only)] + one frame of a packed protobuf message.
 * Everything received is untrusted: a frame that does not unpack, is too large or carries
 * another LINK_VERSION is dropped and counted by the caller, never half-applied. */
#ifndef GW_LINK_H
#define GW_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "proto/gw.pb-c.h"

/* ZMQ_MAXMSGSIZE of each socket: a peer cannot make us allocate more; a larger message ends
 * its connection (docs/threat-model.md).  What controld takes from workers and CLI clients is
 * small: a report part is at most REPORT_PART_SAS counters (~60 bytes each), a CLI request one
 * line.  What workers and gwctl take from controld is a whole table (~170 bytes per SA, so
 * about 90,000 SAs) or a show command's text. */
enum {
	LINK_VERSION		= 1,
	LINK_MAX_TO_CONTROLD	= 1 << 20,
	LINK_MAX_FROM_CONTROLD	= 16 << 20,
	LINK_ID_MAX		= 255,
	LINK_KEY_Z85		= 41,		/* a CURVE public key in Z85, and its NUL */
};

/* Who sent a message to a ROUTER socket: its routing id, the CURVE public key it proved
 * (Z85, from the ZAP handler's User-Id; "" on ipc:// and plain tcp://), and the descriptor of
 * its connection in ZeroMQ's I/O thread (ZMQ_SRCFD; -1 not known), which the socket monitor's
 * events name. */
struct link_peer {
	uint8_t		id[LINK_ID_MAX];
	size_t		id_len;
	char		key[LINK_KEY_Z85];
	int		fd;
};

/* Pack m and send it; on a ROUTER socket id/id_len (not NULL) names the peer.  0 or -1 (errno
 * from zmq; EHOSTUNREACH for a gone peer with ZMQ_ROUTER_MANDATORY). Non-blocking. */
int	link_send(void *sock, const void *id, size_t id_len, const ProtobufCMessage *m);

/* Receive one message of descriptor d without blocking.  On a ROUTER socket, from (not NULL)
 * gets who sent it; on a DEALER from is NULL.  Returns the unpacked message (caller frees with
 * link_free()), or NULL: errno EAGAIN when nothing is waiting, EBADMSG (err says why) for a
 * message to drop.  The received bytes are wiped before they are released (keys). */
ProtobufCMessage *link_recv(void *sock, struct link_peer *from,
	    const ProtobufCMessageDescriptor *d, struct gw_err *err);

/* Free an unpacked message after wiping every bytes field in it, nested ones too (session
 * keys in Tables and Delta; OPENSSL_cleanse).  NULL is a no-op. */
void	link_free(ProtobufCMessage *m);
void	link_wipe(ProtobufCMessage *m);	/* the wiping alone, for tests */

/* Convenience for the link proper: send an envelope with version set. */
int	link_send_env(void *sock, const void *id, size_t id_len, Gw__V1__Envelope *env);
Gw__V1__Envelope *link_recv_env(void *sock, struct link_peer *from, struct gw_err *err);

/* Set the options every link socket gets: linger 0, max_msg (ZMQ_MAXMSGSIZE), and for ipc://
 * endpoints a private umask around bind so the socket file is 0600.  Bind or connect. */
int	link_bind(void *sock, const char *endpoint, int64_t max_msg, struct gw_err *err);
int	link_connect(void *sock, const char *endpoint, int64_t max_msg, struct gw_err *err);

uint64_t	link_now_ms(void);	/* CLOCK_MONOTONIC in milliseconds */


/* CURVE (ZeroMQ's CurveZMQ) for links across hosts.  A key file holds two lines,
 * "public: Z85" and "secret: Z85" (40 characters each); link_keygen writes one, mode 0600. */
struct link_keys {
	char	pub[41];
	char	sec[41];
};

int	link_keygen(const char *path, struct link_keys *k, struct gw_err *err);
int	link_keys_load(const char *path, struct link_keys *k, struct gw_err *err);
/* Server side: CURVE with our secret key; clients are checked by the ZAP handler against the
 * allow-list of domain ("link" for workers, "cli" for operators). */
int	link_curve_server(void *sock, const struct link_keys *k, const char *domain,
	    struct gw_err *err);
/* Client side: our key pair and the server's public key (Z85). */
int	link_curve_client(void *sock, const struct link_keys *k, const char *server_pub,
	    struct gw_err *err);
bool	link_is_tcp(const char *endpoint);

#endif
