/* SPDX-License-Identifier: Apache-2.0 */
/* metrics_test.c: the Prometheus text of controld/metrics.c in-process, on a configuration
 * with a manual SA pair and a worker that reported counts (through the real handlers): each
 * sample's family has its HELP and TYPE lines before it, once; names and labels have the
 * text format's syntax; counters end in _total; an SA's packets, bytes and errors are the
 * numbers show crypto ipsec sa prints (sa_shown), after clear crypto sa too; the file is
 * written whole under its name, with no temporary file left; a worker's offload counters are
 * those it reported, as metrics and in show workers. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "controld/cli/cli.h"
#include "controld/controld.h"
#include "controld/link/worker.h"
#include "controld/link/link_test.h"
#include "controld/metrics.h"
#include "tests/lib/example.h"
#include "tests/lib/test.h"

static struct controld cd;
static char dir[64];
static const struct link_peer from = { .id = { 'w', '1' }, .id_len = 2 };

static void
hello(void)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Hello h = GW__V1__HELLO__INIT;

	h.worker_id = (char *)"test/0";
	h.host = (char *)"test";
	h.boot = 7;
	env.body_case = GW__V1__ENVELOPE__BODY_HELLO;
	env.hello = &h;
	workers_msg(&cd, &from, &env);
}

/* Each SA counted pkts = 10 + i, bytes 1000 * that, 2 icv drops; with off, the worker's
 * offload counters too (a worker from before them sends none). */
static void
report(const Gw__V1__OffloadCounters *off)
{
	Gw__V1__Envelope env = GW__V1__ENVELOPE__INIT;
	Gw__V1__Report r = GW__V1__REPORT__INIT;
	Gw__V1__SaCounters c[8], *cp[8];
	uint64_t drops[DROP_MAX] = { [DROP_ICV] = 2 };
	size_t n = 0;

	for (size_t i = 0; i < cd.sad.n && n < 8; i++, n++) {
		gw__v1__sa_counters__init(&c[n]);
		c[n].sa_id = cd.sad.v[i]->id;
		c[n].pkts = 10 + i;
		c[n].bytes = 1000 * (10 + i);
		c[n].n_drops = DROP_MAX;
		c[n].drops = drops;
		cp[n] = &c[n];
	}
	r.boot = 7;
	r.generation = cd.link.gen;
	r.n_sas = n;
	r.sas = cp;
	r.offload = (Gw__V1__OffloadCounters *)off;
	env.body_case = GW__V1__ENVELOPE__BODY_REPORT;
	env.report = &r;
	workers_msg(&cd, &from, &env);
}

static char *
text(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	metrics_text(&cd, f);
	fclose(f);
	return buf;
}

/* The value of the sample of name whose labels contain has; -1 if none. */
static long long
sample(const char *t, const char *name, const char *has)
{
	size_t nl = strlen(name);

	for (const char *l = t; l != NULL && *l != '\0'; l = strchr(l, '\n') ? strchr(l, '\n') + 1 :
	    NULL) {
		const char *end = strchr(l, '\n');
		char line[512];

		snprintf(line, sizeof(line), "%.*s", end ? (int)(end - l) : (int)strlen(l), l);
		if (strncmp(line, name, nl) == 0 && line[nl] == '{' && strstr(line, has) != NULL)
			return atoll(strrchr(line, ' ') + 1);
	}
	return -1;
}

/* The text format (0.0.4): every sample after its family's HELP and TYPE; names
 * [a-zA-Z_:][a-zA-Z0-9_:]*, labels name="value" with escapes, a number; counters _total. */
static void
check_syntax(const char *t)
{
	char fam[128] = "", type[16] = "";
	unsigned samples = 0, bad = 0;
	const char *l = t;

	while (*l != '\0') {
		const char *end = strchr(l, '\n');
		char line[1024], name[128];
		size_t n = 0;

		if (end == NULL) {
			bad++;
			break;
		}
		snprintf(line, sizeof(line), "%.*s", (int)(end - l), l);
		l = end + 1;
		if (strncmp(line, "# HELP ", 7) == 0) {
			if (sscanf(line + 7, "%127s", fam) != 1 || strstr(t, line) != strstr(l - 1 -
			    strlen(line), line))
				bad++;
			type[0] = '\0';
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			char f2[128];

			if (sscanf(line + 7, "%127s %15s", f2, type) != 2 || strcmp(f2, fam) != 0 ||
			    (strcmp(type, "counter") != 0 && strcmp(type, "gauge") != 0))
				bad++;
			continue;
		}
		while (isalnum((unsigned char)line[n]) || line[n] == '_' || line[n] == ':')
			n++;
		snprintf(name, sizeof(name), "%.*s", (int)n, line);
		samples++;
		if (n == 0 || isdigit((unsigned char)line[0]) || strcmp(name, fam) != 0 ||
		    type[0] == '\0') {
			fprintf(stderr, "sample outside its family: %s\n", line);
			bad++;
			continue;
		}
		if (strcmp(type, "counter") == 0 && (n < 6 || strcmp(name + n - 6, "_total") != 0))
			bad++;
		if (line[n] == '{') {
			const char *p = line + n + 1;

			while (*p != '}') {
				while (isalnum((unsigned char)*p) || *p == '_')
					p++;
				if (p[0] != '=' || p[1] != '"') {
					bad++;
					break;
				}
				for (p += 2; *p != '"' && *p != '\0'; p++)
					if (*p == '\\')
						p++;
				if (*p != '"') {
					bad++;
					break;
				}
				p++;
				if (*p == ',')
					p++;
				else if (*p != '}') {
					bad++;
					break;
				}
			}
			n = (size_t)(strchr(line, '}') - line) + 1;
		}
		if (line[n] != ' ' || strspn(line + n + 1, "0123456789") != strlen(line + n + 1)) {
			fprintf(stderr, "bad value: %s\n", line);
			bad++;
		}
	}
	T_OK(samples > 20, "%u samples", samples);
	T_EQ(bad, 0, "the text format holds");
}

/* The offload counters a worker reports (gw.v1.OffloadCounters): as metrics, and in show
 * workers, through the real handlers. */
static void
test_offload(void)
{
	Gw__V1__OffloadCounters o = GW__V1__OFFLOAD_COUNTERS__INIT;
	char *t, *s = NULL;
	size_t len = 0;
	FILE *f;

	o.tun_reads = 100;
	o.tso = 3;
	o.tso_segs = 90;
	o.uso = 4;
	o.uso_dgrams = 64;
	o.tun_writes = 50;
	o.coalesced = 10;
	o.coalesced_segs = 150;
	o.uso_writes = 2;
	o.uso_segs = 30;
	o.gso_sends = 5;
	o.gso_dgrams = 77;
	o.gro_reads = 6;
	o.gro_dgrams = 88;
	o.xdp_sent = 11;
	o.xdp_raw = 12;
	o.xdp_refused = 1;
	o.tun_uso = true;
	report(&o);
	t = text();
	check_syntax(t);
#define W "worker=\"test/0\""
	T_EQ(sample(t, "ipsecgw_worker_tun_reads_total", W), 100, "TUN reads");
	T_EQ(sample(t, "ipsecgw_worker_tun_superpackets_total", "protocol=\"tcp\""), 3, "TSO");
	T_EQ(sample(t, "ipsecgw_worker_tun_superpackets_total", "protocol=\"udp\""), 4, "USO");
	T_EQ(sample(t, "ipsecgw_worker_tun_superpacket_segments_total", "protocol=\"tcp\""), 90,
	    "TSO segments");
	T_EQ(sample(t, "ipsecgw_worker_tun_superpacket_segments_total", "protocol=\"udp\""), 64,
	    "USO datagrams");
	T_EQ(sample(t, "ipsecgw_worker_tun_writes_total", W), 50, "TUN writes");
	T_EQ(sample(t, "ipsecgw_worker_tun_coalesced_total", "protocol=\"tcp\""), 8,
	    "TCP coalesced: all less UDP");
	T_EQ(sample(t, "ipsecgw_worker_tun_coalesced_total", "protocol=\"udp\""), 2,
	    "UDP coalesced");
	T_EQ(sample(t, "ipsecgw_worker_tun_coalesced_segments_total", "protocol=\"tcp\""), 120,
	    "TCP segments coalesced");
	T_EQ(sample(t, "ipsecgw_worker_tun_coalesced_segments_total", "protocol=\"udp\""), 30,
	    "UDP datagrams coalesced");
	T_EQ(sample(t, "ipsecgw_worker_udp_gso_sends_total", W), 5, "GSO sends");
	T_EQ(sample(t, "ipsecgw_worker_udp_gso_datagrams_total", W), 77, "GSO datagrams");
	T_EQ(sample(t, "ipsecgw_worker_udp_gro_reads_total", W), 6, "GRO reads");
	T_EQ(sample(t, "ipsecgw_worker_udp_gro_datagrams_total", W), 88, "GRO datagrams");
	T_EQ(sample(t, "ipsecgw_worker_esp_tx_total", "path=\"af_xdp\""), 11, "AF_XDP sent");
	T_EQ(sample(t, "ipsecgw_worker_esp_tx_total", "path=\"raw\""), 12, "left to raw");
	T_EQ(sample(t, "ipsecgw_worker_xdp_kicks_refused_total", W), 1, "kicks refused");
#undef W
	free(t);
	f = open_memstream(&s, &len);
	show_workers(&cd, f);
	fclose(f);
	T_OK(strstr(s, "\n    TUN in: 100 reads, 3 TCP super-packets cut into 90 segments, 4 UDP "
	    "into 64 datagrams (USO on)\n    TUN out: 50 writes, 10 coalesced of 150 segments "
	    "(UDP: 2 of 30 datagrams)\n    UDP 4500: 5 GSO sends of 77 datagrams, 6 GRO reads of "
	    "88 datagrams\n    AF_XDP out: 11 sent, 12 left to raw sockets, 1 kicks refused\n") !=
	    NULL, "show workers has what the worker reported:\n%s", s);
	free(s);
}

int
main(void)
{
	struct gw_err err = { 0, "" };
	const struct sa *in = NULL;
	struct sa_stat st;
	char *t, *f, label[160], path[128];
	FILE *fp;
	size_t len;

	logging_init(&cd.log, false);
	if (link_test_up(&cd, dir, "metrics_test", test_example("gwB.conf", "")) != 0)
		return 2;
	hello();
	report(NULL);
	for (size_t i = 0; i < cd.sad.n; i++)
		if (cd.sad.v[i]->inbound)
			in = cd.sad.v[i];
	T_OK(in != NULL && cd.link.w[0].live, "an inbound SA, a worker");
	if (in == NULL)
		return t_done();
	t = text();
	check_syntax(t);
	sa_shown(in, workers_live(&cd), &st);
	snprintf(label, sizeof(label), "{map=\"vpn\",seq=\"10\",peer=\"198.51.100.1\","
	    "spi=\"0x%X\",direction=\"inbound\",protocol=\"esp\"}", in->spi);
	T_EQ(sample(t, "ipsecgw_sa_packets_total", label), st.pkts, "packets as show: %s", label);
	T_OK(st.pkts >= 10, "the report counted");
	T_EQ(sample(t, "ipsecgw_sa_bytes_total", label), st.bytes, "bytes as show");
	T_EQ(sample(t, "ipsecgw_sa_errors_total", label), 2, "errors as show (2 icv)");
	T_EQ(sample(t, "ipsecgw_worker_up", "worker=\"test/0\""), 1, "the worker is up");
	T_OK(sample(t, "ipsecgw_info", "hostname=\"gwB\"") == 1, "info");
	T_OK(strstr(t, "ipsecgw_worker_tun_reads_total{") == NULL, "no offload counters from a "
	    "worker that sent none");
	free(t);
	test_offload();

	sa_clear((struct sa *)in, workers_live(&cd));	/* clear crypto sa */
	t = text();
	T_EQ(sample(t, "ipsecgw_sa_packets_total", label), 0, "after clear crypto sa: 0, as show");
	free(t);

	snprintf(path, sizeof(path), "%s/gw.prom", dir);
	T_EQ(metrics_save(&cd, path, &err), 0, "saved: %s", err.msg);
	t = text();
	f = calloc(1, strlen(t) + 2);
	fp = fopen(path, "r");
	len = fp ? fread(f, 1, strlen(t) + 1, fp) : 0;
	T_OK(len == strlen(t) && memcmp(f, t, len) == 0, "the file is the text, whole");
	if (fp != NULL)
		fclose(fp);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), ".tmp.%d", (int)getpid());
	T_OK(access(path, F_OK) != 0, "no temporary file left");
	*strstr(path, ".tmp.") = '\0';
	unlink(path);
	T_EQ(metrics_save(&cd, "/nonexistent-dir/x.prom", &err), -1, "a bad path fails");
	T_OK(strstr(err.msg, "/nonexistent-dir/") != NULL, "and says where: %s", err.msg);
	free(f);
	free(t);
	logging_free(&cd.log);
	link_test_down(&cd, dir);
	return t_done();
}
