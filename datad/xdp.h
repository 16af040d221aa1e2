/* SPDX-License-Identifier: Apache-2.0 */
/* xdp.h: ESP received and sent by AF_XDP on the crypto map's interface, beside the raw
 * sockets (which stay open: they carry what the XDP program passes, and every packet whose
 * next hop is not a resolved neighbour on that interface).  The whole API of datad/xdp.c;
 * docs/adr/0014-af-xdp-receive.md and docs/adr/0016-af-xdp-transmit.md say why and how far
 * it goes.
 *
 * Invariant: the program this module attaches never drops a packet it does not deliver to a
 * running worker's socket (datad/xdp_prog.bpf.c); a worker killed -9 leaves a program that
 * passes everything, and the next worker on the interface replaces it. */
#ifndef GW_XDP_H
#define GW_XDP_H

#include <stdbool.h>

struct worker;
struct gen;
struct tx_batch;

enum xdp_mode {
	XDP_MODE_AUTO,		/* AF_XDP if the program attaches, else raw sockets (logged) */
	XDP_MODE_RAW,		/* raw sockets only */
	XDP_MODE_XDP,		/* AF_XDP; failing to attach is an error in the log, and the
				 * worker goes on with raw sockets rather than not at all */
};

/* What a send batch holds (out.c): ESP to be put in an IPv4 header, ESP in UDP 4500, or
 * whole IPv4 packets we built (IP_HDRINCL). */
enum xdp_tx_kind { XDP_TX_ESP, XDP_TX_UDP, XDP_TX_HDR };

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
/* Send what of b can leave by AF_XDP (its peer's next hop a resolved neighbour on our
 * interface, a frame free, the packet within the interface's MTU), with one kick for the
 * batch; b keeps the rest, in order, for the raw socket.  Every packet of b is sealed
 * already: none is sealed again, whichever way it leaves.  Nothing if AF_XDP is not in use. */
void		xdp_tx(struct worker *w, struct tx_batch *b, enum xdp_tx_kind k);
/* What receives ESP, for the log and the hello ("af_xdp eth0 native", "raw"); borrowed,
 * valid until the next xdp_gen or xdp_close. */
const char	*xdp_describe(const struct worker *w);
/* Detach our program (if it is still the one attached) and free everything; safe twice. */
void		xdp_close(struct worker *w);

#endif
