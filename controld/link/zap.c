/* SPDX-License-Identifier: Apache-2.0 */
/* zap.c: the ZeroMQ authentication handler (ZAP, RFC 27 of zeromq.org) for CURVE links
 * (docs/design.md "The ZeroMQ link": across hosts the link is authenticated and encrypted).  Each
 * socket has its own ZAP domain and allow-list: "link" for workers (--curve-allow), "cli" for
 * operators (--cli-allow), so a data-plane host's key never opens a configure session and an
 * operator's key never acts as a worker.  The key a client proved is its User-Id: hello.c ties
 * worker ids, addresses and slots to it (docs/threat-model.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "common/log.h"
#include "controld/controld.h"

static const char *const domains[2] = { "link", "cli" };

/* "A.B.C.D[/N]" into net/mask; -1 if it is not one. */
static int
prefix(const char *s, uint32_t *net, uint32_t *mask)
{
	char a[32], *slash;
	struct in_addr ia;
	unsigned long n = 32;

	snprintf(a, sizeof(a), "%s", s);
	if ((slash = strchr(a, '/')) != NULL) {
		char *end;

		*slash = '\0';
		n = strtoul(slash + 1, &end, 10);
		if (*end != '\0' || end == slash + 1 || n > 32)
			return -1;
	}
	if (inet_pton(AF_INET, a, &ia) != 1)
		return -1;
	*mask = n ? 0xffffffffu << (32 - n) : 0;
	*net = ntohl(ia.s_addr) & *mask;
	return 0;
}

/* One option of a worker line: ids=, addrs=, max=. */
static int
option(struct allow *a, char *opt, const char *path, unsigned n, struct gw_err *err)
{
	char *v = strchr(opt, '='), *tok, *save = NULL;
	unsigned long m;

	if (v == NULL)
		return gw_fail(err, n, "%s:%u: \"%.40s\": expected ids=, addrs= or max=", path, n,
		    opt);
	*v++ = '\0';
	if (strcmp(opt, "ids") == 0) {
		if (strlen(v) >= sizeof(a->ids))
			return gw_fail(err, n, "%s:%u: ids= is too long", path, n);
		snprintf(a->ids, sizeof(a->ids), "%s", v);
	} else if (strcmp(opt, "addrs") == 0) {
		for (tok = strtok_r(v, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
			if (a->n_nets == ALLOW_ADDRS_MAX ||
			    prefix(tok, &a->net[a->n_nets], &a->mask[a->n_nets]) != 0)
				return gw_fail(err, n, "%s:%u: addrs=: \"%.40s\" is not "
				    "A.B.C.D[/N] (at most %d)", path, n, tok, ALLOW_ADDRS_MAX);
			a->n_nets++;
		}
	} else if (strcmp(opt, "max") == 0) {
		char *end;

		m = strtoul(v, &end, 10);
		if (*end != '\0' || end == v || m == 0 || m > WORKERS_MAX)
			return gw_fail(err, n, "%s:%u: max= is 1..%d", path, n, WORKERS_MAX);
		a->max = (unsigned)m;
	} else {
		return gw_fail(err, n, "%s:%u: unknown option %.40s=", path, n, opt);
	}
	return 0;
}

int
zap_load(struct allow_list *l, const char *path, bool workers, struct gw_err *err)
{
	char line[1024];
	unsigned n = 0;
	FILE *f;

	memset(l, 0, sizeof(*l));
	l->path = path;
	if ((f = fopen(path, "r")) == NULL)
		return gw_fail(err, 0, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char *save = NULL, *tok = strtok_r(line, " \t\r\n", &save);
		struct allow *a = &l->a[l->n];

		n++;
		if (tok == NULL || *tok == '#')	/* '#' is a Z85 digit: comments are lines */
			continue;
		if (l->n == ALLOW_MAX || strlen(tok) != 40 || zmq_z85_decode(a->key, tok) == NULL) {
			fclose(f);
			return gw_fail(err, n, "%s:%u: not a 40-character Z85 public key (or more "
			    "than %d keys)", path, n, ALLOW_MAX);
		}
		memset(a, 0, sizeof(*a));
		zmq_z85_decode(a->key, tok);
		snprintf(a->z85, sizeof(a->z85), "%s", tok);
		a->max = WORKERS_PER_KEY;
		while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL) {
			if (!workers) {
				fclose(f);
				return gw_fail(err, n, "%s:%u: a CLI allow-list line is one key",
				    path, n);
			}
			if (option(a, tok, path, n, err) != 0) {
				fclose(f);
				return -1;
			}
		}
		l->n++;
	}
	fclose(f);
	return 0;
}

const struct allow *
zap_find(const struct allow_list *l, const char *z)
{
	for (size_t i = 0; z != NULL && z[0] != '\0' && i < l->n; i++)
		if (strcmp(l->a[i].z85, z) == 0)
			return &l->a[i];
	return NULL;
}

int
zap_open(struct controld *cd, struct gw_err *err)
{
	if (cd->link.zap != NULL)
		return 0;
	cd->link.zap = zmq_socket(cd->zctx, ZMQ_REP);
	if (cd->link.zap == NULL || zmq_bind(cd->link.zap, "inproc://zeromq.zap.01") != 0)
		return gw_fail(err, 0, "ZAP handler: %s", zmq_strerror(errno));
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

/* The log rate limit of refusals of one key on one socket: a client that reconnects ten times
 * a second does not hide another one's refusal.  The 16 most recent keys each have their own;
 * beyond them, one for all. */
static struct log_rl *
refusal_rl(int d, const char *key)
{
	static struct { int d; char key[LINK_KEY_Z85]; struct log_rl rl; } r[16];
	static struct log_rl others;
	static unsigned next;

	for (unsigned i = 0; i < 16; i++)
		if (r[i].d == d && strcmp(r[i].key, key) == 0 && r[i].key[0] != '\0')
			return &r[i].rl;
	if (key[0] == '\0')
		return &others;
	next = (next + 1) % 16;
	memset(&r[next], 0, sizeof(r[next]));
	r[next].d = d;
	snprintf(r[next].key, sizeof(r[next].key), "%s", key);
	return &r[next].rl;
}

/* Is the key of a request to domain d on its allow-list? */
static bool
allowed(const struct controld *cd, int d, const uint8_t key[32])
{
	const struct allow_list *l = d == 0 ? &cd->link.allow_workers : &cd->link.allow_cli;

	for (size_t k = 0; k < l->n; k++)
		if (memcmp(l->a[k].key, key, 32) == 0)
			return true;
	return false;
}

void
zap_poll(struct controld *cd)
{
	/* version, request id, domain, address, identity, mechanism, credentials */
	char f[7][256], key[LINK_KEY_Z85] = "";
	size_t len[7] = { 0 };
	int more = 0, i, d = -1;
	size_t sz = sizeof(more);
	bool ok;

	if (cd->link.zap == NULL)
		return;
	for (;;) {
		if (frame(cd->link.zap, f[0], sizeof(f[0]), &len[0]) != 0)
			return;
		for (i = 1; i < 7; i++) {
			zmq_getsockopt(cd->link.zap, ZMQ_RCVMORE, &more, &sz);
			if (!more || frame(cd->link.zap, f[i], sizeof(f[i]), &len[i]) != 0)
				break;
		}
		/* drain anything beyond the credential frame */
		while (zmq_getsockopt(cd->link.zap, ZMQ_RCVMORE, &more, &sz) == 0 && more) {
			char junk[64];

			zmq_recv(cd->link.zap, junk, sizeof(junk), 0);
		}
		key[0] = '\0';
		d = -1;
		for (int k = 0; i == 7 && k < 2; k++)
			if (len[2] == strlen(domains[k]) && memcmp(f[2], domains[k], len[2]) == 0)
				d = k;
		ok = d >= 0 && len[5] == 5 && memcmp(f[5], "CURVE", 5) == 0 && len[6] == 32;
		if (ok) {
			zmq_z85_encode(key, (const uint8_t *)f[6], 32);
			ok = allowed(cd, d, (const uint8_t *)f[6]);
		}
		f[3][len[3] < 255 ? len[3] : 255] = '\0';
		if (!ok) {
			cd->link.zap_refused[d == 1 ? 1 : 0]++;
			log_rl(refusal_rl(d, key), LOG_LVL_WARN, "CURVE: refused client %s key %s "
			    "on the %s socket: not on its allow-list", i > 3 ? f[3] : "?",
			    key[0] ? key : "(none)",
			    d == 1 ? "CLI" : d == 0 ? "worker" : "unknown");
		} else {
			log_info("CURVE: accepted %s %s key %s", d == 1 ? "CLI client" : "worker",
			    f[3], key);
		}
		zmq_send(cd->link.zap, "1.0", 3, ZMQ_SNDMORE);
		zmq_send(cd->link.zap, f[1], i > 1 ? len[1] : 0, ZMQ_SNDMORE);
		zmq_send(cd->link.zap, ok ? "200" : "400", 3, ZMQ_SNDMORE);
		zmq_send(cd->link.zap, ok ? "OK" : "key not allowed", ok ? 2 : 15, ZMQ_SNDMORE);
		zmq_send(cd->link.zap, ok ? key : "", ok ? 40 : 0, ZMQ_SNDMORE);
		zmq_send(cd->link.zap, "", 0, 0);
	}
}
