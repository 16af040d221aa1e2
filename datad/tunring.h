/* SPDX-License-Identifier: Apache-2.0 */
/* tunring.h: the TUN read through io_uring: one multishot read (IORING_OP_READ_MULTISHOT,
 * Linux 6.7) into a ring of provided buffers, so that the packets the kernel queued on the
 * TUN reach datad without a read(2) each.  The whole API of datad/tunring.c;
 * docs/adr/0019-io-uring-tun-read.md says why and what it saves.
 *
 * Falls back to read(2) (out.c) wherever the ring cannot be had: built without liburing, a
 * kernel without io_uring or without multishot reads, io_uring disabled
 * (kernel.io_uring_disabled) or refused by a seccomp filter.  The log and show workers say
 * which one runs. */
#ifndef GW_TUNRING_H
#define GW_TUNRING_H

#include <stdbool.h>

struct worker;

enum tunring_mode {
	TUNRING_AUTO,		/* io_uring where the kernel has multishot reads, else read(2) */
	TUNRING_READ,		/* read(2) only */
};

/* "auto" or "read" into *m; -1 if neither. */
int		tunring_mode_parse(const char *s, enum tunring_mode *m);
/* After io_open: set up the ring on w->tun_fd, or say in the log why read(2) stays. */
void		tunring_open(struct worker *w, enum tunring_mode m);
/* The fd to poll for TUN packets: the ring's, or -1 when read(2) is in use (poll the TUN). */
int		tunring_fd(const struct worker *w);
/* Hand up to READS packets the ring holds to out_read (out.c); returns how many. */
unsigned	tunring_batch(struct worker *w, unsigned *slot);
/* "io_uring multishot, N buffers" or "read(2)" (the reason, if it fell back). */
const char	*tunring_describe(const struct worker *w);
void		tunring_close(struct worker *w);

#endif
