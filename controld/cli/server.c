/* SPDX-License-Identifier: Apache-2.0 */
/* server.c: the CLI socket (cli_poll): each request of a gwctl client is served by its session
 * (cli_request) and answered on the same socket.  Requests and replies may hold session keys
 * (set session-key, show running-config): wiped once sent. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <zmq.h>

#include "common/log.h"
#include "controld/cli/exec.h"

void
cli_poll(struct controld *cd)
{
	struct link_peer from;
	struct gw_err err = { 0, "" };
	Gw__V1__CliRequest *q;
	Gw__V1__CliReply r = GW__V1__CLI_REPLY__INIT;
	struct cli_req req;
	struct cli_rep rep;
	char *text = NULL;
	size_t len = 0;
	FILE *out;

	cli_sweep(cd, link_now_ms());
	for (int i = 0; i < 16; i++) {
		q = (Gw__V1__CliRequest *)link_recv(cd->cli.sock, &from,
		    &gw__v1__cli_request__descriptor, &err);
		if (q == NULL) {
			if (errno == EAGAIN)
				return;
			log_warn("CLI: dropped a request: %s", err.msg);
			continue;
		}
		req = (struct cli_req){ q->line, q->mode, q->complete, q->lineno, q->literal };
		if ((out = open_memstream(&text, &len)) == NULL) {
			link_free(&q->base);
			log_warn("CLI: out of memory");
			return;
		}
		if (q->monitor_poll) {		/* terminal monitor: no command, no session */
			logging_monitor_poll(&cd->log, from.id, from.id_len, link_now_ms(), out);
			memset(&rep, 0, sizeof(rep));
			rep.ok = true;
			snprintf(rep.mode, sizeof(rep.mode), "%s", q->mode);
		} else {
			cli_request(cd, from.id, from.id_len, &req, &rep, out, link_now_ms());
		}
		fclose(out);
		r.monitor = logging_monitor_on(&cd->log, from.id, from.id_len);
		r.ok = rep.ok;
		r.text = text;
		r.mode = rep.mode;
		r.prompt = rep.prompt;
		r.completion = rep.completion;
		r.quit = rep.quit;
		if (link_send(cd->cli.sock, from.id, from.id_len, &r.base) != 0)
			log_warn("CLI: reply lost: %s", zmq_strerror(errno));
		/* replies may echo session keys (show running-config) */
		OPENSSL_cleanse(text, len);
		free(text);
		text = NULL;
		OPENSSL_cleanse(&rep, sizeof(rep));
		if (q->line != NULL)
			OPENSSL_cleanse(q->line, strlen(q->line));
		link_free(&q->base);
	}
}
