/* zap.c: the ZeroMQ authentication handler (ZAP, RFC 27 of zeromq.org) for CURVE links:
 * a client whose public key is not on the allow-list gets nothing (DESIGN "The ZeroMQ link":
 * across hosts the link is authenticated and encrypted). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "common/log.h"
#include "controld/controld.h"

int
zap_open(struct controld *cd, const char *allow_path, struct gw_err *err)
{
	char line[256];
	unsigned n = 0;
	FILE *f;

	if ((f = fopen(allow_path, "r")) == NULL)
		return gw_fail(err, 0, "%s: %s", allow_path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line + strspn(line, " \t");

		n++;
		s[strcspn(s, " \t\r\n")] = '\0';	/* '#' is a Z85 digit: comments are whole lines */
		if (*s == '\0' || *s == '#')
			continue;
		if (strlen(s) != 40 || cd->n_allow == ALLOW_MAX ||
		    zmq_z85_decode(cd->allow[cd->n_allow], s) == NULL) {
			fclose(f);
			return gw_fail(err, n, "%s:%u: not a 40-character Z85 public key (or more "
			    "than %d keys)", allow_path, n, ALLOW_MAX);
		}
		cd->n_allow++;
	}
	fclose(f);
	cd->zap = zmq_socket(cd->zctx, ZMQ_REP);
	if (zmq_bind(cd->zap, "inproc://zeromq.zap.01") != 0)
		return gw_fail(err, 0, "ZAP handler: %s", zmq_strerror(errno));
	log_info("CURVE: %zu client keys allowed (%s)", cd->n_allow, allow_path);
	return 0;
}

static int
frame(void *s, char *buf, size_t len, size_t *got)
{
	int n = zmq_recv(s, buf, len, ZMQ_DONTWAIT);

	if (n < 0)
		return -1;
	*got = (size_t)n > len ? len : (size_t)n;
	return 0;
}

void
zap_poll(struct controld *cd)
{
	char f[7][256], key[41] = "";
	size_t len[7] = { 0 };
	int more = 0, i;
	size_t sz = sizeof(more);
	bool ok = false;

	if (cd->zap == NULL)
		return;
	for (;;) {
		if (frame(cd->zap, f[0], sizeof(f[0]), &len[0]) != 0)
			return;
		for (i = 1; i < 7; i++) {
			zmq_getsockopt(cd->zap, ZMQ_RCVMORE, &more, &sz);
			if (!more || frame(cd->zap, f[i], sizeof(f[i]), &len[i]) != 0)
				break;
		}
		/* drain anything beyond the credential frame */
		while (zmq_getsockopt(cd->zap, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
			char junk[64];

			zmq_recv(cd->zap, junk, sizeof(junk), 0);
		}
		ok = i == 7 && len[5] == 5 && memcmp(f[5], "CURVE", 5) == 0 && len[6] == 32;
		if (ok) {
			ok = false;
			for (size_t k = 0; k < cd->n_allow && !ok; k++)
				ok = memcmp(cd->allow[k], f[6], 32) == 0;
			zmq_z85_encode(key, (const uint8_t *)f[6], 32);
		}
		f[3][len[3] < 255 ? len[3] : 255] = '\0';
		if (!ok)
			log_warn("CURVE: refused client %s key %s", f[3], key[0] ? key : "(none)");
		else
			log_info("CURVE: accepted client %s key %s", f[3], key);
		zmq_send(cd->zap, "1.0", 3, ZMQ_SNDMORE);
		zmq_send(cd->zap, f[1], i > 1 ? len[1] : 0, ZMQ_SNDMORE);
		zmq_send(cd->zap, ok ? "200" : "400", 3, ZMQ_SNDMORE);
		zmq_send(cd->zap, ok ? "OK" : "key not allowed", ok ? 2 : 15, ZMQ_SNDMORE);
		zmq_send(cd->zap, ok ? key : "", ok ? 40 : 0, ZMQ_SNDMORE);
		zmq_send(cd->zap, "", 0, 0);
	}
}
