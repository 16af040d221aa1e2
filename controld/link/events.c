/* SPDX-License-Identifier: Apache-2.0 */
/* events.c: the drop events of workers (gw.v1.DropEvents: an unknown SPI, a replay, a failed
 * ICV) become the log messages IOS prints for them (docs/logging.md):
 *
 *   %CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for
 *       destaddr=A, prot=50, spi=0x...(N), srcaddr=B
 *   %CRYPTO-4-PKT_REPLAY_ERR: decrypt: replay check failed connection id=N, sequence number=N
 *   %CRYPTO-4-RECVD_PKT_MAC_ERR: decrypt: mac verification failed for connection id=N
 *
 * A message from a worker is untrusted (docs/threat-model.md): each event is checked (a reason
 * of the three, ESP or AH, a count, a sequence number of 32 bits, the SA of a replay or ICV
 * event an inbound SA of the tables with that SPI, none for an unknown SPI); one that fails is
 * refused and counted (bad-msg, report-sa), the others still logged.  The messages are
 * rate-limited by mnemonic (logging.h), whatever the worker sends.  The connection id is show
 * crypto ipsec sa's "conn id". */
#include <arpa/inet.h>
#include <inttypes.h>

#include "common/log.h"
#include "controld/link/worker.h"

static const char *
ip_text(uint32_t a, char b[INET_ADDRSTRLEN])
{
	struct in_addr ia = { htonl(a) };

	return inet_ntop(AF_INET, &ia, b, INET_ADDRSTRLEN);
}

/* 0, or -1 with the event refused (counted on w). */
static int
event_check(struct controld *cd, struct worker_rec *w, const Gw__V1__DropEvent *e,
    const struct sa **sap)
{
	const struct sa *sa;

	*sap = NULL;
	if ((e->drop != DROP_NO_SA && e->drop != DROP_REPLAY && e->drop != DROP_ICV) ||
	    (e->proto != 50 && e->proto != 51) || e->count == 0 || e->seq > UINT32_MAX) {
		refuse(cd, w, REFUSE_BAD_MSG, "worker %s sent a drop event with reason %u, "
		    "protocol %u, count %" PRIu64 ", sequence number %" PRIu64, w->id, e->drop,
		    e->proto, e->count, e->seq);
		return -1;
	}
	if (e->drop == DROP_NO_SA) {
		if (e->sa_id == 0)
			return 0;
		refuse(cd, w, REFUSE_BAD_MSG, "worker %s sent an unknown-SPI event naming an SA",
		    w->id);
		return -1;
	}
	if ((sa = workers_sa(cd, e->sa_id)) == NULL || !sa->inbound || sa->spi != e->spi ||
	    sa->proto != e->proto) {
		refuse(cd, w, REFUSE_REPORT_SA, "worker %s sent a drop event of SA %016" PRIx64
		    " spi %u, not an inbound SA of the tables with that SPI", w->id, e->sa_id,
		    e->spi);
		return -1;
	}
	*sap = sa;
	return 0;
}

void
events_msg(struct controld *cd, struct worker_rec *w, const Gw__V1__DropEvents *m)
{
	char src[INET_ADDRSTRLEN], dst[INET_ADDRSTRLEN];

	if (m->boot != w->boot)			/* from before the worker's restart: stale */
		return;
	if (m->n_events > DROP_EVENTS_MAX) {
		refuse(cd, w, REFUSE_BAD_MSG, "worker %s sent %zu drop events, at most %d",
		    w->id, m->n_events, DROP_EVENTS_MAX);
		return;
	}
	for (size_t i = 0; i < m->n_events; i++) {
		const Gw__V1__DropEvent *e = m->events[i];
		const struct sa *sa;

		if (event_check(cd, w, e, &sa) != 0)
			continue;
		switch (e->drop) {
		case DROP_NO_SA:
			logging_msg(&cd->log, LOGM_INV_SPI, "decaps: rec'd IPSEC packet has invalid "
			    "spi for destaddr=%s, prot=%u, spi=0x%X(%u), srcaddr=%s",
			    ip_text(e->dst, dst), e->proto, e->spi, e->spi, ip_text(e->src, src));
			break;
		case DROP_REPLAY:
			logging_msg(&cd->log, LOGM_REPLAY, "decrypt: replay check failed connection "
			    "id=%" PRIu64 ", sequence number=%" PRIu64, sa->id % 10000, e->seq);
			break;
		default:
			logging_msg(&cd->log, LOGM_MAC, "decrypt: mac verification failed for "
			    "connection id=%" PRIu64 " spi=%08X seqno=%08" PRIX64, sa->id % 10000,
			    e->spi, e->seq);
			break;
		}
	}
}
