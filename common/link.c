/* link.c: ZeroMQ + protobuf-c framing, shared by controld, datad and gwctl. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "common/link.h"

int
link_send(void *sock, const void *id, size_t id_len, const ProtobufCMessage *m)
{
	size_t n = protobuf_c_message_get_packed_size(m);
	zmq_msg_t msg;

	if (zmq_msg_init_size(&msg, n) != 0)
		return -1;
	protobuf_c_message_pack(m, zmq_msg_data(&msg));
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
		zmq_msg_close(&m);
	}
}

ProtobufCMessage *
link_recv(void *sock, bool router, uint8_t *id, size_t *id_len,
    const ProtobufCMessageDescriptor *d, struct gw_err *err)
{
	ProtobufCMessage *m;
	zmq_msg_t msg;
	int more = 0;
	size_t sz = sizeof(more);
	int n;

	if (router) {
		if ((n = zmq_recv(sock, id, LINK_ID_MAX, ZMQ_DONTWAIT)) < 0)
			return NULL;
		*id_len = (size_t)n > LINK_ID_MAX ? LINK_ID_MAX : (size_t)n;
		zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz);
		if (!more) {
			gw_fail(err, 0, "message without a body");
			errno = EBADMSG;
			return NULL;
		}
	}
	zmq_msg_init(&msg);
	if (zmq_msg_recv(&msg, sock, router ? 0 : ZMQ_DONTWAIT) < 0) {
		zmq_msg_close(&msg);
		return NULL;
	}
	zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz);
	if (more) {
		drain(sock);
		zmq_msg_close(&msg);
		gw_fail(err, 0, "message with extra frames");
		errno = EBADMSG;
		return NULL;
	}
	m = protobuf_c_message_unpack(d, NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
	zmq_msg_close(&msg);
	if (m == NULL) {
		gw_fail(err, 0, "%s does not unpack", d->name);
		errno = EBADMSG;
	}
	return m;
}

int
link_send_env(void *sock, const void *id, size_t id_len, Gw__V1__Envelope *env)
{
	env->version = LINK_VERSION;
	return link_send(sock, id, id_len, &env->base);
}

Gw__V1__Envelope *
link_recv_env(void *sock, bool router, uint8_t *id, size_t *id_len, struct gw_err *err)
{
	Gw__V1__Envelope *env;

	env = (Gw__V1__Envelope *)link_recv(sock, router, id, id_len,
	    &gw__v1__envelope__descriptor, err);
	if (env == NULL)
		return NULL;
	if (env->version != LINK_VERSION || env->body_case == GW__V1__ENVELOPE__BODY__NOT_SET) {
		gw_fail(err, 0, "envelope version %u body %d not understood", env->version,
		    (int)env->body_case);
		protobuf_c_message_free_unpacked(&env->base, NULL);
		errno = EBADMSG;
		return NULL;
	}
	return env;
}

static int
link_opts(void *sock)
{
	int zero = 0;
	int64_t max = LINK_MAX_MSG;

	if (zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof(max)) != 0)
		return -1;
	return 0;
}

int
link_bind(void *sock, const char *endpoint, struct gw_err *err)
{
	mode_t old;
	int rc;

	if (link_opts(sock) != 0)
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
link_connect(void *sock, const char *endpoint, struct gw_err *err)
{
	if (link_opts(sock) != 0 || zmq_connect(sock, endpoint) != 0)
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
link_curve_server(void *sock, const struct link_keys *k, struct gw_err *err)
{
	int one = 1;

	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) != 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, k->sec, 40) != 0 ||
	    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "ipsecgw", 7) != 0)
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
