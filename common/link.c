/* SPDX-License-Identifier: Apache-2.0 */
/* link.c: ZeroMQ + protobuf-c framing, shared by controld, datad and gwctl.  Every buffer that
 * held a message is wiped before it is released: tables carry session keys. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <zmq.h>

#include "common/link.h"

/* zmq's free function for a packed message: it may hold session keys (Tables, Delta). */
static void
wipe_free(void *data, void *hint)
{
	OPENSSL_cleanse(data, (size_t)(uintptr_t)hint);
	free(data);
}

int
link_send(void *sock, const void *id, size_t id_len, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	uint8_t *buf = malloc(n ? n : 1);
	zmq_msg_t msg;

	if (buf == NULL)
		return -1;
	protobuf_c_message_pack(m, buf);
	if (zmq_msg_init_data(&msg, buf, n, wipe_free, (void *)(uintptr_t)n) != 0) {
		wipe_free(buf, (void *)(uintptr_t)n);
		return -1;
	}
	if (id != NULL && zmq_send(sock, id, id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&msg);
		return -1;
	}
	if (zmq_msg_send(&msg, sock, ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&msg);
		return -1;
	}
	return 0;
}

/* Drain the remaining frames of a message we are rejecting. */
static void
drain(void *sock)
{
	int more = 0;
	size_t sz = sizeof(more);
	zmq_msg_t m;

	while (zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
		zmq_msg_init(&m);
		zmq_msg_recv(&m, sock, 0);
		OPENSSL_cleanse(zmq_msg_data(&m), zmq_msg_size(&m));
		zmq_msg_close(&m);
	}
}

/* Release a received frame after wiping it. */
static void
close_wiped(zmq_msg_t *m)
{
	OPENSSL_cleanse(zmq_msg_data(m), zmq_msg_size(m));
	zmq_msg_close(m);
}

ProtobufCMessage *
link_recv(void *sock, struct link_peer *from, const ProtobufCMessageDescriptor *d,
    struct gw_err *err)
{
	ProtobufCMessage *m;
	const char *user;
	zmq_msg_t msg;
	int more = 0;
	size_t sz = sizeof(more);
	int n;

	if (from != NULL) {
		if ((n = zmq_recv(sock, from->id, LINK_ID_MAX, ZMQ_DONTWAIT)) < 0)
			return NULL;
		from->id_len = (size_t)n > LINK_ID_MAX ? LINK_ID_MAX : (size_t)n;
		from->key[0] = '\0';
		from->fd = -1;
		zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz);
		if (!more) {
			gw_fail(err, 0, "message without a body");
			errno = EBADMSG;
			return NULL;
		}
	}
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, sock, from != NULL ? 0 : ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&msg);
		return NULL;
	}
	/* the ZAP handler's User-Id: the client's CURVE key, which it proved */
	if (from != NULL && (user = zmq_msg_gets(&msg, "User-Id")) != NULL)
		snprintf(from->key, sizeof(from->key), "%s", user);
	if (from != NULL)
		from->fd = zmq_msg_get(&msg, ZMQ_SRCFD);
	zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz);
	if (more) {
		drain(sock);
		close_wiped(&msg);
		gw_fail(err, 0, "message with extra frames");
		errno = EBADMSG;
		return NULL;
	}
	m = protobuf_c_message_unpack(d, NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
	close_wiped(&msg);
	if (m == NULL) {
		gw_fail(err, 0, "%s does not unpack", d->name);
		errno = EBADMSG;
	}
	return m;
}

/* Wipe the bytes fields of m and of every message inside it. */
void
link_wipe(ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		uint8_t *at = (uint8_t *)m + f->offset;
		size_t n = 1, size;

		if (f->type != PROTOBUF_C_TYPE_BYTES && f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		size = f->type == PROTOBUF_C_TYPE_BYTES ? sizeof(ProtobufCBinaryData) :
		    sizeof(ProtobufCMessage *);
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(size_t *)((uint8_t *)m + f->quantifier_offset);
			at = *(uint8_t **)at;
		} else if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(uint32_t *)((uint8_t *)m + f->quantifier_offset) != f->id) {
			continue;		/* another member of the oneof is set */
		}
		for (size_t k = 0; at != NULL && k < n; k++) {
			if (f->type == PROTOBUF_C_TYPE_BYTES) {
				ProtobufCBinaryData *b = (ProtobufCBinaryData *)(at + k * size);

				if (b->data != NULL && b->data != f->default_value)
					OPENSSL_cleanse(b->data, b->len);
			} else if (*(ProtobufCMessage **)(at + k * size) != NULL) {
				link_wipe(*(ProtobufCMessage **)(at + k * size));
			}
		}
	}
}

void
link_free(ProtobufCMessage *m)
{
	if (m == NULL)
		return;
	link_wipe(m);
	protobuf_c_message_free_unpacked(m, NULL);
}

int
link_send_env(void *sock, const void *id, size_t id_len, Gw__V1__Envelope *env)
{
	env->version = LINK_VERSION;
	return link_send(sock, id, id_len, &env->base);
}

Gw__V1__Envelope *
link_recv_env(void *sock, struct link_peer *from, struct gw_err *err)
{
	Gw__V1__Envelope *env;

	env = (Gw__V1__Envelope *)link_recv(sock, from, &gw__v1__envelope__descriptor, err);
	if (env == NULL)
		return NULL;
	if (env->version != LINK_VERSION || env->body_case == GW__V1__ENVELOPE__BODY__NOT_SET) {
		gw_fail(err, 0, "envelope version %u body %d not understood", env->version,
		    (int)env->body_case);
		link_free(&env->base);
		errno = EBADMSG;
		return NULL;
	}
	return env;
}

static int
link_opts(void *sock, int64_t max)
{
	int zero = 0;

	if (zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof(max)) != 0)
		return -1;
	return 0;
}

int
link_bind(void *sock, const char *endpoint, int64_t max_msg, struct gw_err *err)
{
	mode_t old;
	int rc;

	if (link_opts(sock, max_msg) != 0)
		return gw_fail(err, 0, "%s: %s", endpoint, zmq_strerror(errno));
	if (strncmp(endpoint, "ipc://", 6) == 0)
		unlink(endpoint + 6);		/* a stale socket of a dead controld */
	old = umask(077);
	rc = zmq_bind(sock, endpoint);
	umask(old);
	if (rc != 0)
		return gw_fail(err, 0, "cannot bind %s: %s", endpoint, zmq_strerror(errno));
	return 0;
}

int
link_connect(void *sock, const char *endpoint, int64_t max_msg, struct gw_err *err)
{
	if (link_opts(sock, max_msg) != 0 || zmq_connect(sock, endpoint) != 0)
		return gw_fail(err, 0, "cannot connect %s: %s", endpoint, zmq_strerror(errno));
	return 0;
}

uint64_t
link_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int
link_keygen(const char *path, struct link_keys *k, struct gw_err *err)
{
	FILE *f;
	int fd;

	if (zmq_curve_keypair(k->pub, k->sec) != 0)
		return gw_fail(err, 0, "zmq_curve_keypair: %s (libzmq without CURVE?)",
		    zmq_strerror(errno));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
		return gw_fail(err, 0, "%s: %s", path, strerror(errno));
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return gw_fail(err, 0, "%s: %s", path, strerror(errno));
	}
	fprintf(f, "# CurveZMQ key pair; give the public key to the other side\n"
	    "public: %s\nsecret: %s\n", k->pub, k->sec);
	if (fclose(f) != 0)
		return gw_fail(err, 0, "%s: %s", path, strerror(errno));
	return 0;
}

int
link_keys_load(const char *path, struct link_keys *k, struct gw_err *err)
{
	char line[256];
	unsigned n = 0;
	FILE *f;

	memset(k, 0, sizeof(*k));
	if ((f = fopen(path, "r")) == NULL)
		return gw_fail(err, 0, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *v;

		n++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if ((v = strchr(line, ':')) == NULL)
			break;
		*v++ = '\0';
		while (*v == ' ')
			v++;
		if (strlen(v) != 40)
			break;
		if (strcmp(line, "public") == 0)
			memcpy(k->pub, v, 41);
		else if (strcmp(line, "secret") == 0)
			memcpy(k->sec, v, 41);
		else
			break;
	}
	fclose(f);
	if (k->pub[0] == '\0' || k->sec[0] == '\0') {
		memset(k, 0, sizeof(*k));
		return gw_fail(err, n, "%s:%u: want \"public: Z85\" and \"secret: Z85\" lines of "
		    "40 characters", path, n);
	}
	return 0;
}

int
link_curve_server(void *sock, const struct link_keys *k, const char *domain,
    struct gw_err *err)
{
	int one = 1;

	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, k->sec, 40) != 0 ||
	    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) != 0)
		return gw_fail(err, 0, "CURVE server: %s", zmq_strerror(errno));
	return 0;
}

int
link_curve_client(void *sock, const struct link_keys *k, const char *server_pub,
    struct gw_err *err)
{
	if (strlen(server_pub) != 40)
		return gw_fail(err, 0, "server public key must be 40 Z85 characters");
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_pub, 40) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, k->pub, 40) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, k->sec, 40) != 0)
		return gw_fail(err, 0, "CURVE client: %s", zmq_strerror(errno));
	return 0;
}

bool
link_is_tcp(const char *endpoint)
{
	return strncmp(endpoint, "tcp://", 6) == 0;
}
