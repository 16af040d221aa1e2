/* SPDX-License-Identifier: Apache-2.0 */
/* clear.c: "clear crypto sa [peer A | map NAME | entry DEST-ADDR {ah|esp} SPI]" and "clear
 * crypto sa counters" (every SA's counters from 0, nothing deleted, as IOS does).  IOS
 * re-establishes manual SAs at once with the same keys, so we keep them and reset what the
 * operator sees, their counters: a baseline taken now, kept with the SA in the SAD, is
 * subtracted in show.  Their sequence numbers go on (docs/design.md invariant 1: never twice under
 * one key). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>

#include "common/log.h"
#include "controld/cli/exec.h"
#include "controld/ike/ike.h"

enum clear_by { CLEAR_ALL, CLEAR_PEER, CLEAR_MAP, CLEAR_ENTRY };

struct clear_sel {
	enum clear_by	by;
	uint32_t	addr;		/* PEER: the peer; ENTRY: the SA's destination */
	const char	*map;
	uint32_t	proto, spi;	/* ENTRY */
};

static bool
clear_match(const struct clear_sel *c, const struct sa *sa)
{
	switch (c->by) {
	case CLEAR_PEER:
		return sa->peer == c->addr;
	case CLEAR_MAP:
		return strcmp(sa->map, c->map) == 0;
	case CLEAR_ENTRY:		/* the destination of an inbound SA is us */
		return (sa->inbound ? sa->local : sa->peer) == c->addr &&
		    sa->proto == c->proto && sa->spi == c->spi;
	default:
		return true;
	}
}

static int
clear_parse(char **a, int n, struct clear_sel *c, FILE *out)
{
	unsigned long long spi;
	char *end;

	memset(c, 0, sizeof(*c));
	if (n == 0)
		return 0;
	if (n == 2 && kw(a[0], "peer")) {
		c->by = CLEAR_PEER;
		if (cli_ip_parse(a[1], &c->addr))
			return 0;
		fprintf(out, "%% clear crypto sa peer \"%s\": not an IPv4 address (peer names "
		    "are not resolved)\n", a[1]);
		return -1;
	}
	if (n == 2 && kw(a[0], "map")) {
		c->by = CLEAR_MAP;
		c->map = a[1];
		return 0;
	}
	if (n == 4 && kw(a[0], "entry")) {
		c->by = CLEAR_ENTRY;
		errno = 0;
		spi = strtoull(a[3], &end, strncasecmp(a[3], "0x", 2) == 0 ? 16 : 10);
		if (!cli_ip_parse(a[1], &c->addr)) {
			fprintf(out, "%% clear crypto sa entry \"%s\": not an IPv4 address\n",
			    a[1]);
			return -1;
		}
		if (strcasecmp(a[2], "esp") != 0 && strcasecmp(a[2], "ah") != 0) {
			fprintf(out, "%% clear crypto sa entry %s \"%s\": expected ah or esp\n",
			    a[1], a[2]);
			return -1;
		}
		if (errno != 0 || *end != '\0' || end == a[3] || spi < CONF_SPI_MIN ||
		    spi > 0xffffffffull) {
			fprintf(out, "%% clear crypto sa entry %s %s \"%s\": SPI is "
			    "%u-4294967295\n", a[1], a[2], a[3], CONF_SPI_MIN);
			return -1;
		}
		c->proto = strcasecmp(a[2], "esp") == 0 ? 50 : 51;
		c->spi = (uint32_t)spi;
		return 0;
	}
	fprintf(out, "%% Usage: clear crypto sa [counters | peer A | map NAME | entry DEST-ADDR "
	    "{ah|esp} SPI]\n");
	return -1;
}

/* clear crypto sa counters: the baseline of every SA taken now (sa_clear), so show counts from
 * 0; the data plane is not told: its counts, lifetimes (kilobytes used) and replay windows go
 * on. */
static int
clear_counters(struct controld *cd, FILE *out)
{
	uint64_t live = workers_live(cd);
	size_t k = 0;

	for (size_t i = 0; i < cd->sad.n; i++) {
		sa_clear(cd->sad.v[i], live);
		k += sa_published(cd->sad.v[i]);
	}
	fprintf(out, "Cleared the counters of %zu SA%s; the SAs, their lifetimes and replay "
	    "windows are unchanged.\n", k, k == 1 ? "" : "s");
	log_info("clear crypto sa counters: %zu SA%s", k, k == 1 ? "" : "s");
	return 0;
}

int
clear_sa(struct controld *cd, char **a, int n, FILE *out)
{
	const struct sad *d = &cd->sad;
	struct clear_sel c;
	char what[128], b1[INET_ADDRSTRLEN], b2[INET_ADDRSTRLEN];
	uint64_t live = workers_live(cd);
	size_t hits = 0, n_ike = 0, n_manual = 0;

	if (n == 1 && kw(a[0], "counters"))
		return clear_counters(cd, out);
	if (clear_parse(a, n, &c, out) != 0)
		return -1;
	for (size_t i = 0; i < d->n; i++)
		hits += sa_published(d->v[i]) && clear_match(&c, d->v[i]);
	switch (c.by) {
	case CLEAR_PEER:
		snprintf(what, sizeof(what), "with peer %s", cli_ip(c.addr, b1));
		break;
	case CLEAR_MAP:
		snprintf(what, sizeof(what), "of crypto map set %.64s", c.map);
		break;
	case CLEAR_ENTRY:
		snprintf(what, sizeof(what), "to %s, %s SPI 0x%X(%u)", cli_ip(c.addr, b1),
		    c.proto == 50 ? "esp" : "ah", c.spi, c.spi);
		break;
	default:
		snprintf(what, sizeof(what), "in the SA database");
		break;
	}
	if (hits == 0) {
		fprintf(out, "%% no SA matches: there is no SA %s\n", what);
		return -1;
	}
	fprintf(out, "Cleared %zu SA%s %s:\n", hits, hits == 1 ? "" : "s", what);
	for (size_t i = 0; i < d->n; i++) {
		struct sa *sa = d->v[i];

		if (!sa_published(sa) || !clear_match(&c, sa))
			continue;
		fprintf(out, "  crypto map %s %u: %s %s spi 0x%X(%u) %s -> %s%s\n", sa->map,
		    sa->seq, sa->inbound ? "inbound" : "outbound", sa->proto == 51 ? "ah" : "esp",
		    sa->spi, sa->spi, cli_ip(sa->inbound ? sa->peer : sa->local, b1),
		    cli_ip(sa->inbound ? sa->local : sa->peer, b2),
		    sa->origin == SA_IKE ? " (negotiated: deleted)" : "");
		if (sa->origin == SA_IKE)
			n_ike++;
		else {
			sa_clear(sa, live);
			n_manual++;
		}
	}
	/* negotiated SAs are deleted and the peer told (docs/design.md "IKE"): the engine removes
	 * them from the SAD as it goes, so their ids are taken first */
	if (n_ike != 0 && cd->ike.ike != NULL) {
		uint64_t *ids = calloc(n_ike, sizeof(*ids));
		size_t k = 0;

		for (size_t i = 0; ids != NULL && i < d->n; i++)
			if (sa_published(d->v[i]) && clear_match(&c, d->v[i]) &&
			    d->v[i]->origin == SA_IKE)
				ids[k++] = d->v[i]->id;
		for (size_t i = 0; i < k; i++)
			ike_clear_child(cd->ike.ike, ids[i], link_now_ms());	/* -1: gone already */
		free(ids);
		fprintf(out, "Negotiated SAs are deleted, their peers told; traffic negotiates new "
		    "ones.\n");
		log_info("clear crypto sa: %zu negotiated SA%s %s deleted", n_ike,
		    n_ike == 1 ? "" : "s", what);
	}
	if (n_manual != 0) {
		fprintf(out, "Manual SAs are re-established at once with the same keys: their "
		    "counters start again from 0;\nsequence numbers go on (never reused under one "
		    "key).\n");
		log_info("clear crypto sa: the counters of %zu manual SA%s %s start again from 0",
		    n_manual, n_manual == 1 ? "" : "s", what);
	}
	return 0;
}

int
clear_ikev2(struct controld *cd, char **a, int n, FILE *out)
{
	unsigned k;

	(void)a;
	(void)n;
	if (cd->ike.ike == NULL) {
		fprintf(out, "%% IKE is not running\n");
		return -1;
	}
	k = ike_clear_sa(cd->ike.ike, 0, link_now_ms());
	fprintf(out, "Cleared %u IKEv2 SA%s and their child SAs; the peers were told.\n", k,
	    k == 1 ? "" : "s");
	log_info("clear crypto ikev2 sa: %u IKE SA%s deleted", k, k == 1 ? "" : "s");
	return 0;
}
