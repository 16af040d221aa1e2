/* SPDX-License-Identifier: Apache-2.0 */
/* route.c: the routes a generation implies, outside the fast path: every destination an
 * outbound permit can match goes into the TUN, in our own table (default 220) consulted by
 * "not fwmark MARK" so our own sends (ESP to the peer, cleartext of denied flows) skip it and
 * never loop.  ip(8) is run per generation, never per packet, and only when the set changed;
 * the filter beside the routes is nft.c's. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "datad/worker.h"

static void
route_line(FILE *f, const struct sel *sel)
{
	struct in_addr a;
	unsigned plen;
	uint32_t net;
	char s[INET_ADDRSTRLEN];

	plen = sel_dst_prefix(sel, &net);
	a.s_addr = htonl(net);
	inet_ntop(AF_INET, &a, s, sizeof(s));
	fprintf(f, "%s/%u\n", s, plen);
}

/* The destinations of every permit; a dynamic entry without a list has none, but its
 * negotiated flows' destinations are protected (out.c matches them alone). */
static char *
route_set(const struct gen *g)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	for (uint32_t i = 0; g != NULL && i < g->n_pol; i++) {
		const struct policy *p = &g->pol[i];

		for (uint32_t j = 0; !p->no_acl && j < p->n_aces; j++)
			if (p->aces[j].permit)
				route_line(f, &p->aces[j].sel);
		for (uint32_t j = 0; p->no_acl && j < p->n_flows; j++)
			route_line(f, &p->flows[j].flow);
	}
	fclose(f);
	return buf;
}

/* Prefixes in table `table` through our TUN now, one "a/n" per line; caller frees. */
static char *
routes_now(struct worker *w)
{
	char cmd[160], line[256], *buf = NULL;
	size_t len = 0;
	FILE *p, *f = open_memstream(&buf, &len);

	snprintf(cmd, sizeof(cmd), "ip -o -4 route show table %u dev %s 2>/dev/null", w->o.table,
	    w->o.tun);
	if ((p = popen(cmd, "r")) != NULL) {
		while (fgets(line, sizeof(line), p) != NULL) {
			char dst[64];

			if (sscanf(line, "%63s", dst) != 1)
				continue;
			if (strcmp(dst, "default") == 0)
				snprintf(dst, sizeof(dst), "0.0.0.0/0");
			else if (strchr(dst, '/') == NULL)
				strcat(dst, "/32");
			fprintf(f, "%s\n", dst);
		}
		pclose(p);
	}
	fclose(f);
	return buf;
}

static bool
has_line(const char *set, const char *line)
{
	size_t n = strlen(line);

	for (const char *s = set; s != NULL && *s; s = strchr(s, '\n') ? strchr(s, '\n') + 1 : NULL)
		if (strncmp(s, line, n) == 0 && (s[n] == '\n' || s[n] == '\0'))
			return true;
	return false;
}

/* Is our rule, and only it, at our preference? */
static bool
rule_ok(struct worker *w)
{
	char cmd[96], line[256], want[128];
	unsigned n = 0;
	bool ok = false;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "ip -4 rule show pref %u 2>/dev/null", w->o.table);
	snprintf(want, sizeof(want), "%u:\tnot from all fwmark 0x%x lookup %u", w->o.table,
	    w->o.mark, w->o.table);
	if ((p = popen(cmd, "r")) == NULL)
		return false;
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		n++;
		ok |= strcmp(line, want) == 0;
	}
	pclose(p);
	return ok && n == 1;
}

/* Make the routes through the TUN exactly want, without a moment with fewer: add (replace)
 * what is wanted first, then delete what is not.  Other workers sharing the TUN compute the
 * same set from the same generation, so they agree. */
static int
routes_sync_once(struct worker *w, const char *want, struct gw_err *err)
{
	const char *argv[] = { "ip", "-force", "-batch", "-", NULL };
	char *cmds = NULL, *line, *save = NULL, *copy, *now, del[64];
	size_t len = 0;
	FILE *f;
	int rc;

	/* exactly one rule of ours; replaced only when it is not the one we want, since a
	 * moment without it sends protected destinations to the main table */
	now = routes_now(w);
	f = open_memstream(&cmds, &len);
	if (!rule_ok(w)) {
		snprintf(del, sizeof(del), "rule del pref %u\n", w->o.table);
		while (sys_run(argv, del, NULL) == 0)
			;
		fprintf(f, "rule add pref %u not fwmark 0x%x lookup %u\n", w->o.table, w->o.mark,
		    w->o.table);
	}
	copy = strdup(want);
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		fprintf(f, "route replace %s dev %s table %u\n", line, w->o.tun, w->o.table);
	free(copy);
	copy = strdup(now ? now : "");
	for (line = strtok_r(copy, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save))
		if (!has_line(want, line))
			fprintf(f, "route del %s dev %s table %u\n", line, w->o.tun, w->o.table);
	free(copy);
	free(now);
	fclose(f);
	rc = sys_run(argv, cmds, err);
	free(cmds);
	return rc;
}

/* Workers sharing the TUN apply the same generation at the same time; what one of them did
 * first (the rule added, a stale route deleted) fails for the other, which then looks again. */
static int
routes_sync(struct worker *w, const char *want, struct gw_err *err)
{
	int rc = -1;

	for (int i = 0; i < 3 && rc != 0; i++)
		rc = routes_sync_once(w, want, err);
	return rc;
}

int
route_apply(struct worker *w, const struct gen *g, struct gw_err *err)
{
	char *want = route_set(g);
	int rc = 0;

	if (w->routes == NULL || strcmp(w->routes, want) != 0)	/* new or changed */
		rc = routes_sync(w, want, err);
	if (rc == 0) {
		free(w->routes);
		w->routes = want;
	} else {
		free(want);
	}
	return rc;
}

void
route_remove(struct worker *w)
{
	const char *ip[] = { "ip", "-force", "-batch", "-", NULL };
	char cmds[128];
	struct gw_err err;

	snprintf(cmds, sizeof(cmds), "rule del pref %u\nroute flush table %u\n", w->o.table,
	    w->o.table);
	if (sys_run(ip, cmds, &err) != 0)
		log_warn("removing routes: %s", err.msg);
	free(w->routes);
	w->routes = NULL;
}

