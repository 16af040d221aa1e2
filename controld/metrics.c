/* SPDX-License-Identifier: Apache-2.0 */
/* metrics.c: the Prometheus text (metrics.h says where it goes and why a file): gateway
 * information, the SAs with show's counts, the workers (their offloads too), IKE, the link's
 * refusals, the log.
 * Names follow Prometheus's conventions (ipsecgw_ prefix, _total for counters, base units);
 * each family has its HELP and TYPE lines once, before its samples.  Label values are
 * escaped (backslash, double quote, newline).  Reads controld's state; changes nothing but
 * the file and its own counts. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/opensslv.h>

#include "common/log.h"
#include "controld/controld.h"
#include "controld/ike/ike.h"
#include "controld/metrics.h"

/* v as a label value, escaped (text format 0.0.4). */
static void
label(FILE *out, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', out);
		if (*v == '\n')
			fputs("\\n", out);
		else
			fputc(*v, out);
	}
}

static void
family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const char *
ip_text(uint32_t a, char b[INET_ADDRSTRLEN])
{
	struct in_addr ia = { htonl(a) };

	return inet_ntop(AF_INET, &ia, b, INET_ADDRSTRLEN);
}

/* The labels of an SA: map, seq, peer, spi, direction, protocol. */
static void
sa_labels(FILE *out, const struct sa *sa)
{
	char b[INET_ADDRSTRLEN];

	fputs("{map=\"", out);
	label(out, sa->map);
	fprintf(out, "\",seq=\"%u\",peer=\"%s\",spi=\"0x%X\",direction=\"%s\",protocol=\"%s\"}",
	    sa->seq, ip_text(sa->peer, b), sa->spi, sa->inbound ? "inbound" : "outbound",
	    sa->proto == 51 ? "ah" : "esp");
}

static uint64_t
sa_errors(const struct sa_stat *s)
{
	uint64_t n = 0;

	for (int d = 1; d < DROP_MAX; d++)
		if (d != DROP_NOT_OWNER)
			n += s->drops[d];
	return n;
}

static void
sas(const struct controld *cd, FILE *out)
{
	static const struct {
		const char	*name, *help;
	} f[] = {
		{ "ipsecgw_sa_packets_total", "Packets of an SA: encapsulated (outbound) or "
		    "decapsulated (inbound), as show crypto ipsec sa's #pkts." },
		{ "ipsecgw_sa_bytes_total", "Bytes of an SA's packets (inner packets), as show "
		    "crypto ipsec sa's #bytes." },
		{ "ipsecgw_sa_errors_total", "Packets of an SA dropped for an error (send errors "
		    "outbound, receive errors inbound), as show crypto ipsec sa." },
	};
	uint64_t live = workers_live(cd);

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
		family(out, f[k].name, "counter", f[k].help);
		for (size_t i = 0; i < cd->sad.n; i++) {
			const struct sa *sa = cd->sad.v[i];
			struct sa_stat st;

			if (!sa_published(sa))
				continue;
			sa_shown(sa, live, &st);
			fputs(f[k].name, out);
			sa_labels(out, sa);
			fprintf(out, " %" PRIu64 "\n", k == 0 ? st.pkts : k == 1 ? st.bytes :
			    sa_errors(&st));
		}
	}
	family(out, "ipsecgw_sas", "gauge", "SAs in use (mature or dying), by direction.");
	for (int in = 0; in < 2; in++) {
		size_t n = 0;

		for (size_t i = 0; i < cd->sad.n; i++)
			n += sa_published(cd->sad.v[i]) && cd->sad.v[i]->inbound == (in == 1);
		fprintf(out, "ipsecgw_sas{direction=\"%s\"} %zu\n", in ? "inbound" : "outbound", n);
	}
}

/* The offload counters of the live workers that reported them (link.h, struct
 * link_offload_ctr; show workers): a family per thing counted, protocol or path as a label.
 * A value is a field, less another where "minus" says (TCP coalesced = all less UDP). */
static void
offload(const struct controld *cd, FILE *out)
{
#define OFF(f)	offsetof(struct link_offload_ctr, f)
	static const struct {
		const char	*name, *label, *help;
		size_t		off, minus;
	} f[] = {
		{ "ipsecgw_worker_tun_reads_total", NULL, "Reads of a worker's TUN.",
		    OFF(tun_reads), 0 },
		{ "ipsecgw_worker_tun_superpackets_total", "protocol=\"tcp\"", "Super-packets a "
		    "worker read from its TUN and cut (TSO, USO), by protocol.", OFF(tso), 0 },
		{ "ipsecgw_worker_tun_superpackets_total", "protocol=\"udp\"", NULL, OFF(uso), 0 },
		{ "ipsecgw_worker_tun_superpacket_segments_total", "protocol=\"tcp\"", "Segments "
		    "(TCP) and datagrams (UDP) the super-packets read from the TUN were cut into.",
		    OFF(tso_segs), 0 },
		{ "ipsecgw_worker_tun_superpacket_segments_total", "protocol=\"udp\"", NULL,
		    OFF(uso_dgrams), 0 },
		{ "ipsecgw_worker_tun_writes_total", NULL, "Writes to a worker's TUN.",
		    OFF(tun_writes), 0 },
		{ "ipsecgw_worker_tun_coalesced_total", "protocol=\"tcp\"", "Writes to the TUN "
		    "that coalesced several segments or datagrams, by protocol.", OFF(coalesced),
		    OFF(uso_writes) },
		{ "ipsecgw_worker_tun_coalesced_total", "protocol=\"udp\"", NULL, OFF(uso_writes),
		    0 },
		{ "ipsecgw_worker_tun_coalesced_segments_total", "protocol=\"tcp\"", "Segments "
		    "(TCP) and datagrams (UDP) in the coalesced writes to the TUN.",
		    OFF(coalesced_segs), OFF(uso_segs) },
		{ "ipsecgw_worker_tun_coalesced_segments_total", "protocol=\"udp\"", NULL,
		    OFF(uso_segs), 0 },
		{ "ipsecgw_worker_udp_gso_sends_total", NULL, "Sends on UDP 4500 with UDP_SEGMENT "
		    "(GSO).", OFF(gso_sends), 0 },
		{ "ipsecgw_worker_udp_gso_datagrams_total", NULL, "Datagrams in the GSO sends on "
		    "UDP 4500.", OFF(gso_dgrams), 0 },
		{ "ipsecgw_worker_udp_gro_reads_total", NULL, "Reads on UDP 4500 with UDP_GRO.",
		    OFF(gro_reads), 0 },
		{ "ipsecgw_worker_udp_gro_datagrams_total", NULL, "Datagrams in the GRO reads on "
		    "UDP 4500.", OFF(gro_dgrams), 0 },
		{ "ipsecgw_worker_esp_tx_total", "path=\"af_xdp\"", "ESP a worker offered to "
		    "AF_XDP, by how it left: sent by AF_XDP or left to raw sockets.", OFF(xdp_sent),
		    0 },
		{ "ipsecgw_worker_esp_tx_total", "path=\"raw\"", NULL, OFF(xdp_raw), 0 },
		{ "ipsecgw_worker_xdp_kicks_refused_total", NULL, "AF_XDP transmit kicks the "
		    "kernel refused.", OFF(xdp_refused), 0 },
	};
#undef OFF

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
		if (f[k].help != NULL)
			family(out, f[k].name, "counter", f[k].help);
		for (unsigned s = 0; s < WORKERS_MAX; s++) {
			const struct worker_rec *w = &cd->link.w[s];
			const char *o = (const char *)&w->offload;
			uint64_t v, m = 0;

			if (!w->live || !w->offload.known)
				continue;
			memcpy(&v, o + f[k].off, sizeof(v));
			if (f[k].minus != 0)
				memcpy(&m, o + f[k].minus, sizeof(m));
			fprintf(out, "%s{worker=\"", f[k].name);
			label(out, w->id);
			fprintf(out, "\"%s%s} %" PRIu64 "\n", f[k].label ? "," : "",
			    f[k].label ? f[k].label : "", v > m ? v - m : 0);
		}
	}
}

static void
workers(const struct controld *cd, FILE *out)
{
	uint64_t drops[DROP_MAX];

	family(out, "ipsecgw_worker_up", "gauge", "1 for each datad worker controld hears from.");
	for (unsigned s = 0; s < WORKERS_MAX; s++) {
		const struct worker_rec *w = &cd->link.w[s];

		if (!w->live)
			continue;
		fputs("ipsecgw_worker_up{worker=\"", out);
		label(out, w->id);
		fputs("\"} 1\n", out);
	}
	family(out, "ipsecgw_worker_packets_total", "counter", "Packets a worker carried on "
	    "its SAs, by direction (encapsulated outbound, decapsulated inbound).");
	for (unsigned s = 0; s < WORKERS_MAX; s++) {
		const struct worker_rec *w = &cd->link.w[s];
		uint64_t o = 0, i = 0;

		if (!w->live)
			continue;
		sad_slot_counts(&cd->sad, s, &o, &i);
		for (int d = 0; d < 2; d++) {
			fputs("ipsecgw_worker_packets_total{worker=\"", out);
			label(out, w->id);
			fprintf(out, "\",direction=\"%s\"} %" PRIu64 "\n", d ? "inbound" : "outbound",
			    d ? i : o);
		}
	}
	family(out, "ipsecgw_worker_drops_total", "counter", "Packets a worker dropped outside "
	    "any SA, by reason (common/drop.h; show crypto ipsec sa detail, show workers).");
	for (unsigned s = 0; s < WORKERS_MAX; s++) {
		const struct worker_rec *w = &cd->link.w[s];

		if (!w->live)
			continue;
		for (int d = 1; d < DROP_MAX; d++) {
			fputs("ipsecgw_worker_drops_total{worker=\"", out);
			label(out, w->id);
			fprintf(out, "\",reason=\"%s\"} %" PRIu64 "\n", drop_name[d], w->drops[d]);
		}
	}
	workers_drops(cd, drops);
	family(out, "ipsecgw_drops_total", "counter", "Packets dropped outside any SA by every "
	    "worker, live and gone, by reason.");
	for (int d = 1; d < DROP_MAX; d++)
		fprintf(out, "ipsecgw_drops_total{reason=\"%s\"} %" PRIu64 "\n", drop_name[d],
		    drops[d]);
	family(out, "ipsecgw_link_refused_total", "counter", "Messages from workers controld "
	    "refused, by reason (show workers).");
	for (int r = 0; r < REFUSE_MAX; r++)
		fprintf(out, "ipsecgw_link_refused_total{reason=\"%s\"} %" PRIu64 "\n",
		    refuse_name[r], cd->link.refused[r]);
	offload(cd, out);
}

static void
ike(const struct controld *cd, FILE *out)
{
	struct ike_stats st;

	if (cd->ike.ike == NULL)
		return;
	ike_get_stats(cd->ike.ike, &st);
	family(out, "ipsecgw_ike_sas", "gauge", "IKE SAs (IKEv1 ISAKMP SAs and IKEv2 SAs) "
	    "established or being set up.");
	fprintf(out, "ipsecgw_ike_sas %u\n", st.n_sa);
	family(out, "ipsecgw_ike_sas_half_open", "gauge", "IKE SAs being set up (responder, "
	    "before authentication).");
	fprintf(out, "ipsecgw_ike_sas_half_open %u\n", st.n_half_open);
	family(out, "ipsecgw_ike_child_sas", "gauge", "Child SAs (IPsec SA pairs) of the IKE "
	    "SAs.");
	fprintf(out, "ipsecgw_ike_child_sas %u\n", st.n_children);
	family(out, "ipsecgw_ike_events_total", "counter", "What the IKE engine did, by event "
	    "(show crypto ikev2 stats).");
	for (int k = 0; k < IKE_CTR_MAX; k++) {
		fputs("ipsecgw_ike_events_total{event=\"", out);
		label(out, ike_ctr_text((enum ike_ctr)k));
		fprintf(out, "\"} %" PRIu64 "\n", st.c[k]);
	}
}

void
metrics_text(const struct controld *cd, FILE *out)
{
	const char *host = cd->conf.running ? cd->conf.running->hostname : "";

	family(out, "ipsecgw_info", "gauge", "Gateway information: hostname and OpenSSL "
	    "version, value 1.");
	fputs("ipsecgw_info{hostname=\"", out);
	label(out, host);
	fputs("\",openssl=\"", out);
	label(out, OPENSSL_VERSION_TEXT);
	fputs("\"} 1\n", out);
	family(out, "ipsecgw_tables_generation", "gauge", "The generation of the tables "
	    "controld serves to its workers.");
	fprintf(out, "ipsecgw_tables_generation %" PRIu64 "\n", cd->link.gen);
	sas(cd, out);
	workers(cd, out);
	ike(cd, out);
	family(out, "ipsecgw_log_messages_total", "counter", "Messages logged (every "
	    "destination), show logging.");
	fprintf(out, "ipsecgw_log_messages_total %" PRIu64 "\n", cd->log.n_msgs);
	family(out, "ipsecgw_log_rate_limited_total", "counter", "Messages not logged: over "
	    "their mnemonic's rate limit.");
	fprintf(out, "ipsecgw_log_rate_limited_total %" PRIu64 "\n", cd->log.n_rate_limited);
}

int
metrics_save(const struct controld *cd, const char *path, struct gw_err *err)
{
	char tmp[4096];
	char *text = NULL;
	size_t len = 0;
	FILE *mem, *f;
	int fd, rc = -1;
	bool bad;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof(tmp))
		return gw_fail(err, 0, "%s: path too long", path);
	if ((mem = open_memstream(&text, &len)) == NULL)
		return gw_fail(err, 0, "out of memory");
	metrics_text(cd, mem);
	if (fclose(mem) != 0 || text == NULL) {
		free(text);
		return gw_fail(err, 0, "out of memory");
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		gw_fail(err, 0, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		gw_fail(err, 0, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fchmod(fd, 0644);			/* the collector may run as another user */
	bad = fwrite(text, 1, len, f) != len;
	if (fclose(f) != 0 || bad) {
		unlink(tmp);
		gw_fail(err, 0, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		gw_fail(err, 0, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(text);
	return rc;
}

void
metrics_tick(struct controld *cd, uint64_t now_ms, bool force)
{
	static struct log_rl rl;
	struct gw_err err = { 0, "" };
	uint64_t every = cd->metrics.interval_ms ? cd->metrics.interval_ms : METRICS_MS;

	if (cd->metrics.path == NULL || (!force && now_ms - cd->metrics.last_ms < every))
		return;
	cd->metrics.last_ms = now_ms;
	if (metrics_save(cd, cd->metrics.path, &err) == 0) {
		cd->metrics.n_written++;
		return;
	}
	cd->metrics.n_failed++;
	log_rl(&rl, LOG_LVL_WARN, "metrics file not written: %s", err.msg);
}
