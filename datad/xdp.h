/* SPDX-License-Identifier: Apache-2.0 */
/* xdp.h: AF_XDP receive of ESP on the crypto map's interface, beside the raw sockets (which
 * stay open: they carry what the XDP program passes, and every transmit).  The whole API of
 * datad/xdp.c; docs/adr/0014-af-xdp-receive.md says why and how far it goes.
 *
 * Invariant: the program this module attaches never drops a packet it does not deliver to a
 * running worker's socket (datad/xdp_prog.bpf.c); a worker killed -9 leaves a program that
 * passes everything, and the next worker on the interface replaces it. */
#ifndef GW_XDP_H
#define GW_XDP_H

#include <stdbool.h>

struct worker;
struct gen;

enum xdp_mode {
	XDP_MODE_AUTO,		/* AF_XDP if the program attaches, else raw sockets (logged) */
	XDP_MODE_RAW,		/* raw sockets only */
	XDP_MODE_XDP,		/* AF_XDP; failing to attach is an error in the log, and the
				 * worker goes on with raw sockets rather than not at all */
};

/* "auto", "raw" or "xdp" into *m; -1 if none of them. */
int		xdp_mode_parse(const char *s, enum xdp_mode *m);
/* Generation g is being applied: attach to its crypto map's interface if not yet (once per
 * interface name), and make the program steer exactly g's inbound plain-ESP SAs that are
 * ours.  Never fails the generation: what is not steered arrives on the raw socket. */
void		xdp_gen(struct worker *w, const struct gen *g);
/* The AF_XDP socket to poll, or -1 while the raw sockets do everything. */
int		xdp_fd(const struct worker *w);
/* Read and run one batch from the AF_XDP socket (in_run); returns packets handled. */
unsigned	xdp_rx(struct worker *w);
/* What receives ESP, for the log and the hello ("af_xdp eth0 native", "raw"); borrowed,
 * valid until the next xdp_gen or xdp_close. */
const char	*xdp_describe(const struct worker *w);
/* Detach our program (if it is still the one attached) and free everything; safe twice. */
void		xdp_close(struct worker *w);

#endif
