/* SPDX-License-Identifier: Apache-2.0 */
/* controld: the single source of truth.  Parses and validates the IOS configuration, compiles
 * it into tables, serves them to datad workers (snapshot + deltas over ZeroMQ), grants
 * sequence-number leases, gathers counters, and serves the CLI.  Never touches a packet. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <zmq.h>

#include "common/log.h"
#include "common/notify.h"
#include "controld/cli/cli.h"
#include "controld/cli/expand.h"
#include "controld/conf/compile.h"
#include "controld/controld.h"

static struct controld CD;
static volatile sig_atomic_t stop, reload;	/* set by the signal handlers */
static const char *curve_key, *curve_allow, *cli_allow;
static bool insecure_tcp, local_syslog;

static void
usage(FILE *f)
{
	fprintf(f,
"usage: controld -f CONFIG [options]\n"
"\n"
"The IPsec control daemon.  Reads an IOS 11.3 style configuration (access lists, crypto\n"
"ipsec transform-set, crypto map, interface), compiles it into policy and SA tables and serves\n"
"them to datad workers over ZeroMQ; serves the CLI to gwctl.\n"
"\n"
"  -f, --config FILE        startup configuration (required)\n"
"  -l, --listen ENDPOINT    link endpoint for workers (default ipc:///run/ipsecgw/controld.sock)\n"
"  -s, --cli ENDPOINT       CLI endpoint for gwctl (default ipc:///run/ipsecgw/cli.sock)\n"
"  -S, --state-dir DIR      durable state (default /var/lib/ipsecgw): sequence-number leases\n"
"                           and replay floors, by key; must survive restarts, or manual\n"
"                           SAs would reuse sequence numbers (and AEAD keys their nonces);\n"
"                           also the IKE SAs (ike-sas), the inbound SAs' owners and\n"
"                           our RSA key pair (rsa-key.pem, crypto key generate rsa)\n"
"  -k, --curve-key FILE     CurveZMQ key pair (see --keygen); required for tcp:// endpoints\n"
"  -a, --curve-allow FILE   workers allowed in over CURVE: one public key (Z85) a line,\n"
"                           optionally with what that key may claim: ids=PATTERN[,...]\n"
"                           (worker ids, shell patterns), addrs=A.B.C.D[/N][,...] (the\n"
"                           addresses its host may own SAs for), max=N (worker slots,\n"
"                           default 16); a key not on it gets nothing\n"
"  -A, --cli-allow FILE     operators (gwctl) allowed in over CURVE on a tcp:// CLI: one\n"
"                           public key a line; worker keys are not CLI keys, nor the\n"
"                           other way round\n"
"      --insecure-tcp       allow tcp:// endpoints without CURVE (lab use only)\n"
"      --keygen FILE        write a new key pair to FILE (mode 0600), print its public key\n"
"      --metrics-file PATH  write the counters in the Prometheus text format to PATH every\n"
"                           5 s and at exit, atomically (for node_exporter's textfile\n"
"                           collector: a PATH ending in .prom in its directory)\n"
"      --metrics-interval S  how often --metrics-file is written (default 5 seconds)\n"
"      --syslog             also send log messages to the local syslog (syslog(3)), at the\n"
"                           level and facility of logging trap / logging facility\n"
"  -n, --check              parse and validate the configuration, print every refused\n"
"                           line and the warnings, and exit\n"
"  -v, --log-level LEVEL    error, warning, info (default) or debug\n"
"  -h, --help               this text\n"
"\n"
"Signals: SIGHUP reloads the configuration file (all or nothing: a file with an error\n"
"changes nothing and the error is logged); SIGTERM/SIGINT stop cleanly.  Workers keep\n"
"forwarding with the tables they have while controld is away.\n"
"Exit status: 0 clean stop, 1 startup error (configuration errors name FILE:LINE), 2 usage.\n"
"See docs/controld.md.\n");
}

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		stop = 1;
}

static int
parse_args(int argc, char **argv, bool *check)
{
	static const struct option lo[] = {
		{ "config", 1, NULL, 'f' }, { "listen", 1, NULL, 'l' }, { "cli", 1, NULL, 's' },
		{ "state-dir", 1, NULL, 'S' }, { "check", 0, NULL, 'n' },
		{ "curve-key", 1, NULL, 'k' }, { "curve-allow", 1, NULL, 'a' },
		{ "cli-allow", 1, NULL, 'A' },
		{ "insecure-tcp", 0, NULL, 'I' }, { "keygen", 1, NULL, 'G' },
		{ "log-level", 1, NULL, 'v' }, { "help", 0, NULL, 'h' },
		{ "metrics-file", 1, NULL, 'M' }, { "syslog", 0, NULL, 'Y' },
		{ "metrics-interval", 1, NULL, 'T' },
		{ NULL, 0, NULL, 0 }
	};
	enum log_level lvl = LOG_LVL_INFO;
	int c;

	CD.link.ep = "ipc:///run/ipsecgw/controld.sock";
	CD.cli.ep = "ipc:///run/ipsecgw/cli.sock";
	CD.link.state_dir = "/var/lib/ipsecgw";
	while ((c = getopt_long(argc, argv, "f:l:s:S:nv:hk:a:A:", lo, NULL)) != -1) {
		switch (c) {
		case 'k': curve_key = optarg; break;
		case 'a': curve_allow = optarg; break;
		case 'A': cli_allow = optarg; break;
		case 'I': insecure_tcp = true; break;
		case 'M': CD.metrics.path = optarg; break;
		case 'T':
			CD.metrics.interval_ms = (uint64_t)strtoul(optarg, NULL, 10) * 1000;
			if (CD.metrics.interval_ms == 0 || CD.metrics.interval_ms > 3600000) {
				fprintf(stderr, "controld: --metrics-interval: 1 to 3600 seconds\n");
				return -1;
			}
			break;
		case 'Y': local_syslog = true; break;
		case 'G': {
			struct link_keys k;
			struct gw_err err = { 0, "" };

			if (link_keygen(optarg, &k, &err) != 0) {
				fprintf(stderr, "controld: %s\n", err.msg);
				exit(1);
			}
			printf("%s\n", k.pub);
			exit(0);
		}
		case 'f': CD.conf.path = optarg; break;
		case 'l': CD.link.ep = optarg; break;
		case 's': CD.cli.ep = optarg; break;
		case 'S': CD.link.state_dir = optarg; break;
		case 'n': *check = true; break;
		case 'v':
			if (log_level_parse(optarg, &lvl) != 0) {
				fprintf(stderr, "controld: unknown log level %s\n", optarg);
				return -1;
			}
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (CD.conf.path == NULL || optind != argc) {
		fprintf(stderr, "controld: %s\n", CD.conf.path == NULL ? "-f CONFIG is required" :
		    "unexpected argument");
		usage(stderr);
		return -1;
	}
	log_init("controld", lvl);
	return 0;
}

/* Our RSA key pair (IKEv1 rsa-sig), if one was generated: STATE_DIR/rsa-key.pem.  A file that
 * cannot be used is logged, not fatal: only rsa-sig peers are refused until it is made again. */
static void
rsa_load(void)
{
	struct gw_err err = { 0, "" };
	char path[4096];
	int r;

	if (rsakey_path(CD.link.state_dir, path, sizeof(path)) != 0) {
		log_warn("RSA key pair: state directory path too long");
		return;
	}
	if ((r = rsakey_load(&CD.rsa, path, &err)) < 0)
		log_warn("RSA key pair not loaded: %s", err.msg);
	else if (r == 0)
		log_info("RSA key pair \"%s\" (%d bits) loaded from %s%s%s", CD.rsa.label,
		    EVP_PKEY_get_bits(CD.rsa.pkey), path, err.msg[0] != '\0' ? "; " : "",
		    err.msg);
}

/* ipc:///run/ipsecgw/x.sock needs /run/ipsecgw. */
static void
ipc_dir(const char *ep)
{
	char dir[512], *slash;

	if (strncmp(ep, "ipc://", 6) != 0)
		return;
	snprintf(dir, sizeof(dir), "%s", ep + 6);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0700);
	}
}

/* tcp:// endpoints are CURVE-only unless the operator insists (--insecure-tcp). */
static int
secure_sockets(void)
{
	struct gw_err err = { 0, "" };
	struct link_keys k;
	bool tcp = link_is_tcp(CD.link.ep) || link_is_tcp(CD.cli.ep);

	if (curve_key == NULL) {
		if (tcp && !insecure_tcp) {
			fprintf(stderr, "controld: a tcp:// endpoint needs --curve-key and "
			    "--curve-allow / --cli-allow (or --insecure-tcp for a lab)\n");
			return -1;
		}
		return 0;
	}
	if (link_is_tcp(CD.link.ep) && curve_allow == NULL) {
		fprintf(stderr, "controld: a tcp:// worker link needs --curve-allow (worker "
		    "keys)\n");
		return -1;
	}
	if (link_is_tcp(CD.cli.ep) && cli_allow == NULL) {
		fprintf(stderr, "controld: a tcp:// CLI needs --cli-allow (operator keys; worker "
		    "keys are not allowed there)\n");
		return -1;
	}
	/* CURVE where the socket is reachable from the network; ipc:// relies on file modes.
	 * Each socket its own ZAP domain and list (zap.c). */
	if (link_keys_load(curve_key, &k, &err) != 0 ||
	    (curve_allow != NULL &&
	    zap_load(&CD.link.allow_workers, curve_allow, true, &err) != 0) ||
	    (cli_allow != NULL && zap_load(&CD.link.allow_cli, cli_allow, false, &err) != 0) ||
	    zap_open(&CD, &err) != 0 ||
	    (link_is_tcp(CD.link.ep) && link_curve_server(CD.link.sock, &k, "link", &err) != 0) ||
	    (link_is_tcp(CD.cli.ep) && link_curve_server(CD.cli.sock, &k, "cli", &err) != 0)) {
		fprintf(stderr, "controld: %s\n", err.msg);
		return -1;
	}
	log_info("CURVE on: server key %s; %zu worker keys (%s), %zu CLI keys (%s)", k.pub,
	    CD.link.allow_workers.n, curve_allow ? curve_allow : "none", CD.link.allow_cli.n,
	    cli_allow ? cli_allow : "none");
	OPENSSL_cleanse(&k, sizeof(k));
	return 0;
}

static void
loop(void)
{
	zmq_pollitem_t items[4] = { { CD.link.sock, 0, ZMQ_POLLIN, 0 },
	    { CD.cli.sock, 0, ZMQ_POLLIN, 0 } };
	struct gw_err err = { 0, "" };
	int n = 2;

	if (CD.link.zap != NULL)
		items[n++] = (zmq_pollitem_t){ CD.link.zap, 0, ZMQ_POLLIN, 0 };
	if (CD.link.mon != NULL)
		items[n++] = (zmq_pollitem_t){ CD.link.mon, 0, ZMQ_POLLIN, 0 };
	while (!stop) {
		if (zmq_poll(items, n, 200) < 0 && errno != EINTR)
			fatal("zmq_poll: %s", zmq_strerror(errno));
		if (reload) {
			reload = 0;
			notify_reloading();
			logging_msg(&CD.log, LOGM_RELOAD, "Reload requested by signal (SIGHUP). "
			    "Reload Reason: Reload Command.");
			if (controld_reload(&CD, &err) != 0) {
				log_err("reload refused, running configuration unchanged: %s:%u: %s",
				    CD.conf.path, err.line, err.msg);
				notify_send("READY=1\nSTATUS=reload refused (%s:%u: %s), running "
				    "configuration unchanged", CD.conf.path, err.line, err.msg);
			} else {
				log_info("reloaded %s", CD.conf.path);
				logging_msg(&CD.log, LOGM_CONFIG_I, "Configured from %s by reload",
				    CD.conf.path);
				notify_send("READY=1\nSTATUS=reloaded %s, generation %" PRIu64,
				    CD.conf.path, CD.link.gen);
			}
		}
		zap_poll(&CD);
		workers_poll(&CD);
		cli_poll(&CD);
		workers_tick(&CD);
		ikehost_tick(&CD);
		logging_tick(&CD);
		metrics_tick(&CD, link_now_ms(), false);
	}
}

/* The startup file, read as IOS reads one (abbreviations expanded, ignored commands said
 * once each) and validated; every refused line is listed on stderr, not only the first.
 * NULL when a line is refused or the whole does not validate (invariant 4: nothing starts). */
static struct conf *
load_startup(const char *path)
{
	struct conf_parse_opts o = { .expand = cli_conf_expand, .warnings = NULL };
	struct gw_err err = { 0, "" };
	char *errs = NULL;
	size_t elen = 0;
	struct conf *c;
	unsigned n = 0;

	o.warnings = stderr;
	if ((o.errors = open_memstream(&errs, &elen)) == NULL)
		fatal("out of memory");
	c = conf_parse_file_opts(path, &o, &err);
	fclose(o.errors);
	for (char *l = errs, *save = NULL; (l = strtok_r(l, "\n", &save)) != NULL; l = NULL) {
		fprintf(stderr, "controld: %s\n", l);
		n++;
	}
	free(errs);
	if (c == NULL) {
		if (n == 0)		/* not a line: the file itself */
			fprintf(stderr, "controld: %s:%u: %s\n", path, err.line, err.msg);
		else
			fprintf(stderr, "controld: %s: %u line%s refused, nothing configured\n",
			    path, n, n == 1 ? "" : "s");
		return NULL;
	}
	if (conf_validate(c, &err, stderr) != 0) {
		fprintf(stderr, "controld: %s:%u: %s\n", path, err.line, err.msg);
		conf_free(c);
		return NULL;
	}
	return c;
}

int
main(int argc, char **argv)
{
	struct gw_err err = { 0, "" };
	struct sigaction sa;
	struct conf *c;
	bool check = false;

	if (parse_args(argc, argv, &check) != 0)
		return 2;
	if ((c = load_startup(CD.conf.path)) == NULL)
		return 1;
	if (check) {
		struct spd *spd;
		struct sa_list sas;

		if (conf_compile(c, &spd, &sas, &err) != 0) {
			fprintf(stderr, "controld: %s:%u: %s\n", CD.conf.path, err.line, err.msg);
			conf_free(c);
			return 1;
		}
		printf("%s: OK, %zu crypto map entries, %zu SAs\n", CD.conf.path, spd->n, sas.n);
		spd_free(spd);
		sa_list_free(&sas);
		conf_free(c);
		return 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	logging_init(&CD.log, local_syslog);
	if (lease_open(&CD.link.leases, CD.link.state_dir, &err) != 0 ||
	    lease_open_named(&CD.link.floors, CD.link.state_dir, "replay-floors", "replay-tops",
	    "replay floors: key id (hash of the key material), number a new owner's window starts "
	    "above", &err) != 0)
		fatal("%s", err.msg);
	if (owners_load(&CD, &err) != 0)	/* without it: every window starts at its floor */
		log_warn("inbound SA owners not read (%s): windows start at their floors", err.msg);
	rsa_load();
	/* generations stay unique across restarts, however quick: a worker never mistakes ours
	 * for an old one (it compares them for equality only).  A random start in 2^32 + [0,
	 * 2^47): two starts meet with odds of one in 10^14, and it prints in 15 digits. */
	if (RAND_bytes((unsigned char *)&CD.link.gen, sizeof(CD.link.gen)) != 1)
		fatal("no randomness for the generation");
	CD.link.gen = ((uint64_t)1 << 32) + (CD.link.gen & (((uint64_t)1 << 47) - 1));
	CD.zctx = zmq_ctx_new();
	/* no ROUTER_HANDOVER: routing ids are ours to give, and a worker is known by its hello
	 * and its key (link/hello.c), so no client can take over another's connection */
	CD.link.sock = zmq_socket(CD.zctx, ZMQ_ROUTER);
	CD.cli.sock = zmq_socket(CD.zctx, ZMQ_ROUTER);
	workers_monitor(&CD);
	if (secure_sockets() != 0)
		return 1;
	ipc_dir(CD.link.ep);
	ipc_dir(CD.cli.ep);
	/* the whole state first, the sockets after: a worker that reconnects at once (controld
	 * restarted under it) must get a snapshot with the adopted IKE SAs in it, not one
	 * without them that would drop their traffic until the next */
	if (controld_apply(&CD, c, &err) != 0)
		fatal("%s:%u: %s", CD.conf.path, err.line, err.msg);
	if (ikehost_start(&CD, &err) != 0)
		fatal("%s", err.msg);
	if (link_bind(CD.link.sock, CD.link.ep, LINK_MAX_TO_CONTROLD, &err) != 0 ||
	    link_bind(CD.cli.sock, CD.cli.ep, LINK_MAX_TO_CONTROLD, &err) != 0)
		fatal("%s", err.msg);
	log_info("serving workers on %s, CLI on %s, generation %" PRIu64, CD.link.ep, CD.cli.ep,
	    CD.link.gen);
	logging_msg(&CD.log, LOGM_RESTART, "System restarted --");
	/* ready: sockets bound and the startup configuration applied (Type=notify) */
	notify_send("READY=1\nSTATUS=serving workers on %s, CLI on %s, generation %" PRIu64,
	    CD.link.ep, CD.cli.ep, CD.link.gen);
	loop();
	notify_send("STOPPING=1");
	log_info("stopping");
	ikehost_stop(&CD);
	metrics_tick(&CD, link_now_ms(), true);
	workers_monitor_stop(&CD);
	zmq_close(CD.link.sock);
	zmq_close(CD.cli.sock);
	if (CD.link.zap != NULL)
		zmq_close(CD.link.zap);
	zmq_ctx_term(CD.zctx);
	cli_free(&CD);
	rsakey_free(&CD.rsa);
	conf_free(CD.conf.running);
	if (lease_flush(&CD.link.floors, &err) != 0)
		log_warn("replay tops: %s", err.msg);
	if (owners_save(&CD, true, &err) != 0)
		log_warn("inbound SA owners: %s", err.msg);
	lease_close(&CD.link.floors);
	lease_close(&CD.link.leases);
	workers_free(&CD);
	sad_free(&CD.sad);
	spd_free(CD.conf.spd);
	logging_free(&CD.log);
	return 0;
}
