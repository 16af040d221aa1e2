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

enum {
	LINK_VERSION	= 1,
	LINK_MAX_MSG	= 64 << 20,	/* ZMQ_MAXMSGSIZE: a peer cannot make us allocate more */
	LINK_ID_MAX	= 255,
};

/* Pack m and send it; on a ROUTER socket id/id_len (not NULL) names the peer.  0 or -1 (errno
 * from zmq; EHOSTUNREACH for a gone peer with ZMQ_ROUTER_MANDATORY). Non-blocking. */
int	link_send(void *sock, const void *id, size_t id_len, const ProtobufCMessage *m);

/* Receive one message of descriptor d without blocking.  On a ROUTER socket (router true) the
 * routing id is stored in id (LINK_ID_MAX bytes) and *id_len.  Returns the unpacked message
 * (caller frees with protobuf_c_message_free_unpacked(m, NULL)), or NULL: errno EAGAIN when
 * nothing is waiting, EBADMSG (err says why) for a message to drop. */
ProtobufCMessage *link_recv(void *sock, bool router, uint8_t *id, size_t *id_len,
	    const ProtobufCMessageDescriptor *d, struct gw_err *err);

/* Convenience for the link proper: send an envelope with version set. */
int	link_send_env(void *sock, const void *id, size_t id_len, Gw__V1__Envelope *env);
Gw__V1__Envelope *link_recv_env(void *sock, bool router, uint8_t *id, size_t *id_len,
	    struct gw_err *err);

/* Set the options every link socket gets: linger 0, max message size, and for ipc://
 * endpoints a private umask around bind so the socket file is 0600.  Bind or connect. */
int	link_bind(void *sock, const char *endpoint, struct gw_err *err);
int	link_connect(void *sock, const char *endpoint, struct gw_err *err);

uint64_t	link_now_ms(void);	/* CLOCK_MONOTONIC in milliseconds */


/* CURVE (ZeroMQ's CurveZMQ) for links across hosts.  A key file holds two lines,
 * "public: Z85" and "secret: Z85" (40 characters each); link_keygen writes one, mode 0600. */
struct link_keys {
	char	pub[41];
	char	sec[41];
};

int	link_keygen(const char *path, struct link_keys *k, struct gw_err *err);
int	link_keys_load(const char *path, struct link_keys *k, struct gw_err *err);
/* Server side: CURVE with our secret key; clients are checked by the ZAP handler. */
int	link_curve_server(void *sock, const struct link_keys *k, struct gw_err *err);
/* Client side: our key pair and the server's public key (Z85). */
int	link_curve_client(void *sock, const struct link_keys *k, const char *server_pub,
	    struct gw_err *err);
bool	link_is_tcp(const char *endpoint);

#endif
