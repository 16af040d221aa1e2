/* gwctl: the command line to controld.  One command (-c), a file (-f), or standard input /
 * a terminal, line by line.  Exits non-zero when a command fails or controld does not answer. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "common/link.h"

static void
usage(FILE *f)
{
	fprintf(f,
"usage: gwctl [-s ENDPOINT] [-c COMMAND | -f FILE]\n"
"\n"
"  -s, --socket ENDPOINT   controld's CLI endpoint (default ipc:///run/ipsecgw/cli.sock)\n"
"  -c, --command LINE      run one command and exit\n"
"  -f, --file FILE         run the commands of FILE, stop at the first that fails\n"
"  -k, --curve-key FILE    our CurveZMQ key pair, for a tcp:// endpoint\n"
"  -K, --curve-server KEY  controld's public key (Z85)\n"
"  -t, --timeout SECONDS   how long to wait for controld (default 5)\n"
"  -h, --help              this text\n"
"\n"
"Without -c or -f, commands are read from standard input.  Try \"help\".\n"
"Exit status: 0 all commands succeeded, 1 a command failed, 2 usage, 3 no answer.\n");
}

static int
run(void *sock, const char *line)
{
	Gw__V1__CliRequest q = GW__V1__CLI_REQUEST__INIT;
	Gw__V1__CliReply *r;
	zmq_pollitem_t it = { sock, 0, ZMQ_POLLIN, 0 };
	struct gw_err err = { 0, "" };
	int timeout_ms;
	size_t sz = sizeof(timeout_ms);
	int ok;

	zmq_getsockopt(sock, ZMQ_RCVTIMEO, &timeout_ms, &sz);
	q.line = (char *)line;
	q.mode = (char *)"exec";
	if (link_send(sock, NULL, 0, &q.base) != 0) {
		fprintf(stderr, "gwctl: send: %s\n", zmq_strerror(errno));
		return 3;
	}
	if (zmq_poll(&it, 1, timeout_ms) <= 0) {
		fprintf(stderr, "gwctl: controld did not answer within %d ms\n", timeout_ms);
		return 3;
	}
	r = (Gw__V1__CliReply *)link_recv(sock, false, NULL, NULL, &gw__v1__cli_reply__descriptor,
	    &err);
	if (r == NULL) {
		fprintf(stderr, "gwctl: bad reply: %s\n", err.msg);
		return 3;
	}
	fputs(r->text, stdout);
	ok = r->ok;
	protobuf_c_message_free_unpacked(&r->base, NULL);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "socket", 1, NULL, 's' }, { "command", 1, NULL, 'c' }, { "file", 1, NULL, 'f' },
		{ "timeout", 1, NULL, 't' }, { "help", 0, NULL, 'h' },
		{ "curve-key", 1, NULL, 'k' }, { "curve-server", 1, NULL, 'K' }, { NULL, 0, NULL, 0 }
	};
	const char *ep = "ipc:///run/ipsecgw/cli.sock", *cmd = NULL, *file = NULL;
	const char *curve_key = NULL, *curve_server = NULL;
	struct gw_err err = { 0, "" };
	int c, rc = 0, timeout_ms = 5000;
	char line[1024];
	void *ctx, *sock;
	FILE *in = stdin;

	while ((c = getopt_long(argc, argv, "s:c:f:t:hk:K:", lo, NULL)) != -1) {
		switch (c) {
		case 'k': curve_key = optarg; break;
		case 'K': curve_server = optarg; break;
		case 's': ep = optarg; break;
		case 'c': cmd = optarg; break;
		case 'f': file = optarg; break;
		case 't': timeout_ms = atoi(optarg) * 1000; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || timeout_ms <= 0) {
		usage(stderr);
		return 2;
	}
	ctx = zmq_ctx_new();
	sock = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	if (curve_key != NULL || curve_server != NULL) {
		struct link_keys k;

		if (curve_key == NULL || curve_server == NULL ||
		    link_keys_load(curve_key, &k, &err) != 0 ||
		    link_curve_client(sock, &k, curve_server, &err) != 0) {
			fprintf(stderr, "gwctl: %s\n", curve_key && curve_server ? err.msg :
			    "--curve-key and --curve-server go together");
			return 2;
		}
	}
	if (link_connect(sock, ep, &err) != 0) {
		fprintf(stderr, "gwctl: %s\n", err.msg);
		return 3;
	}
	if (cmd != NULL) {
		rc = run(sock, cmd);
	} else {
		if (file != NULL && (in = fopen(file, "r")) == NULL) {
			fprintf(stderr, "gwctl: %s: %s\n", file, strerror(errno));
			return 2;
		}
		while (fgets(line, sizeof(line), in) != NULL) {
			line[strcspn(line, "\r\n")] = '\0';
			if (isatty(0) && file == NULL)
				fflush(stdout);
			if ((rc = run(sock, line)) != 0 && file != NULL)
				break;
		}
		if (in != stdin)
			fclose(in);
	}
	zmq_close(sock);
	zmq_ctx_term(ctx);
	return rc;
}
