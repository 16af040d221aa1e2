/* SPDX-License-Identifier: Apache-2.0 */
/* tunring.c: the TUN read through io_uring (tunring.h; docs/adr/0019-io-uring-tun-read.md).
 *
 * One multishot read stays armed on the TUN: whenever the kernel queues packets there, it
 * reads each into a buffer of ours (a provided-buffer ring) and posts a completion, and
 * datad takes them from the completion ring without a system call per packet.  The ring is
 * set up with cooperative task running: the kernel does those reads when datad next enters
 * it anyway (a send, a poll), instead of interrupting it.  A packet stays in its buffer until
 * out_read has copied or cut it into the outbound pool; the buffer then goes back to the
 * kernel.  When the buffers run out the read ends (ENOBUFS) and is armed again once they are
 * back; nothing is lost (the packets wait in the TUN's queue, as they do for read(2)). */
#include "datad/tunring.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/virtio_net.h>

#include "common/log.h"
#include "datad/worker.h"

int
tunring_mode_parse(const char *s, enum tunring_mode *m)
{
	if (strcmp(s, "auto") == 0)
		*m = TUNRING_AUTO;
	else if (strcmp(s, "read") == 0)
		*m = TUNRING_READ;
	else
		return -1;
	return 0;
}

static char why_read[160] = "read(2)";	/* what tunring_describe says without a ring */

#ifdef GW_URING
#include <liburing.h>

/* Linux 6.7's opcode, newer than the header of Debian 12's liburing (2.3) */
#define GW_OP_READ_MULTISHOT	49

enum {
	TR_BUFS		= 64,		/* provided buffers (a power of two), RBUF bytes each */
	TR_BGID		= 7,		/* their group */
	TR_CQ		= 256,		/* completions: one per buffer at most, and room */
	TR_ERRS		= 16,		/* failed arms in a row before read(2) takes over */
	TR_READ		= 1,		/* user_data of the multishot read */
	TR_CANCEL	= 2,		/* and of its cancellation */
};

struct tunring {
	struct io_uring		ring;
	struct io_uring_buf_ring *br;
	uint8_t			*bufs;		/* TR_BUFS * RBUF */
	unsigned		back;		/* buffers given back since the last advance */
	bool			armed;		/* the multishot read is in place */
	unsigned		errs;		/* arms or reads that failed since one worked */
	int			last_err;	/* the last of them (errno) */
	char			desc[96];
};

/* Cancel the read and wait (1 s at most) until it has ended: its request holds the TUN file,
 * and io_uring_queue_exit alone would let that go later, in a kernel worker.  The TUN must
 * be gone when datad's close of it returns (main.c removes the routes and the nftables table
 * only when no queue is left: a ring still holding one would keep them). */
static void
quiesce(struct tunring *r)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct __kernel_timespec ts = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };

	if (!r->armed || (sqe = io_uring_get_sqe(&r->ring)) == NULL)
		return;
	io_uring_prep_cancel64(sqe, TR_READ, IORING_ASYNC_CANCEL_ALL);
	sqe->user_data = TR_CANCEL;
	if (io_uring_submit(&r->ring) < 0)
		return;
	for (int i = 0; i < 10 && r->armed; ) {
		if (io_uring_wait_cqe_timeout(&r->ring, &cqe, &ts) != 0) {
			i++;
			continue;
		}
		if (cqe->user_data == TR_READ && !(cqe->flags & IORING_CQE_F_MORE))
			r->armed = false;
		io_uring_cqe_seen(&r->ring, cqe);
	}
}

static void
ring_free(struct tunring *r, bool inited)
{
	if (inited) {
		quiesce(r);
		io_uring_queue_exit(&r->ring);	/* and the buffers are unregistered */
	}
	if (r->br != NULL)
		munmap(r->br, TR_BUFS * sizeof(struct io_uring_buf));
	free(r->bufs);
	free(r);
}

/* The TUN back to what read(2) needs: non-blocking (out.c reads until EAGAIN). */
static void
tun_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl >= 0)
		fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK);
}

static int
arm(struct tunring *r, int fd)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
	int rc;

	if (sqe == NULL)
		return -EBUSY;
	io_uring_prep_rw(GW_OP_READ_MULTISHOT, sqe, fd, NULL, 0, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = TR_BGID;
	sqe->user_data = TR_READ;
	if ((rc = io_uring_submit(&r->ring)) < 0)
		return rc;
	r->armed = true;
	return 0;
}

/* read(2) from now on, because what failed with err. */
static void
fall_back(struct worker *w, const char *what, int err)
{
	snprintf(why_read, sizeof(why_read), "read(2): %s: %s", what, strerror(err));
	if (w->tunring != NULL) {
		ring_free(w->tunring, true);
		w->tunring = NULL;
		tun_nonblock(w->tun_fd, true);
	}
}

/* The ring on w's TUN: set up, its buffers registered, the read armed.  0, or -errno with
 * *what naming the step that failed (-EOPNOTSUPP: the kernel has no multishot read). */
static int
ring_setup(struct worker *w, struct tunring *r, bool *inited, const char **what)
{
	struct io_uring_buf_reg reg;
	struct io_uring_params p;
	struct io_uring_probe *pr;
	bool multishot;
	int rc;

	*what = "io_uring_setup";
	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG |
	    IORING_SETUP_SINGLE_ISSUER;
	p.cq_entries = TR_CQ;
	if ((rc = io_uring_queue_init_params(8, &r->ring, &p)) == -EINVAL) {
		memset(&p, 0, sizeof(p));	/* a kernel before 6.0: none of those flags */
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = TR_CQ;
		rc = io_uring_queue_init_params(8, &r->ring, &p);
	}
	if (rc < 0)
		return rc;
	*inited = true;
	pr = io_uring_get_probe_ring(&r->ring);
	multishot = pr != NULL && io_uring_opcode_supported(pr, GW_OP_READ_MULTISHOT);
	if (pr != NULL)
		io_uring_free_probe(pr);
	if (!multishot)
		return -EOPNOTSUPP;
	*what = "provided buffers";
	r->br = mmap(NULL, TR_BUFS * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->br == MAP_FAILED) {
		r->br = NULL;
		return -errno;
	}
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (unsigned long)r->br;
	reg.ring_entries = TR_BUFS;
	reg.bgid = TR_BGID;
	if ((rc = io_uring_register_buf_ring(&r->ring, &reg, 0)) < 0)
		return rc;
	io_uring_buf_ring_init(r->br);
	for (unsigned i = 0; i < TR_BUFS; i++)
		io_uring_buf_ring_add(r->br, r->bufs + (size_t)i * RBUF, RBUF, (unsigned short)i,
		    io_uring_buf_ring_mask(TR_BUFS), (int)i);
	io_uring_buf_ring_advance(r->br, TR_BUFS);
	/* a blocking TUN: the multishot read waits for packets by polling the TUN; on a
	 * non-blocking one each read that finds none would end it */
	*what = "arming the read";
	tun_nonblock(w->tun_fd, false);
	return arm(r, w->tun_fd);
}

void
tunring_open(struct worker *w, enum tunring_mode m)
{
	const char *what = "buffers";
	struct tunring *r;
	bool inited = false;
	int rc = -ENOMEM;

	if (m == TUNRING_READ) {
		snprintf(why_read, sizeof(why_read), "read(2): --tun-read read");
		log_info("TUN read by %s", why_read);
		return;
	}
	if ((r = calloc(1, sizeof(*r))) != NULL &&
	    (r->bufs = malloc((size_t)TR_BUFS * RBUF)) != NULL)
		rc = ring_setup(w, r, &inited, &what);
	if (rc != 0) {
		if (r != NULL)
			ring_free(r, inited);
		tun_nonblock(w->tun_fd, true);	/* as io.c opened it, for read(2) */
		if (rc == -EOPNOTSUPP)
			snprintf(why_read, sizeof(why_read),
			    "read(2): the kernel has no multishot read (Linux 6.7)");
		else
			snprintf(why_read, sizeof(why_read), "read(2): %s: %s", what,
			    strerror(-rc));
		log_info("TUN read by %s", why_read);
		return;
	}
	snprintf(r->desc, sizeof(r->desc), "io_uring multishot, %d buffers", TR_BUFS);
	w->tunring = r;
	log_info("TUN read by io_uring: one multishot read into %d buffers of %d bytes",
	    TR_BUFS, RBUF);
}

int
tunring_fd(const struct worker *w)
{
	return w->tunring != NULL ? w->tunring->ring.ring_fd : -1;
}

/* Buffer bid back to the kernel (made visible by the advance at the end of the batch). */
static void
give_back(struct tunring *r, unsigned bid)
{
	io_uring_buf_ring_add(r->br, r->bufs + (size_t)bid * RBUF, RBUF, (unsigned short)bid,
	    io_uring_buf_ring_mask(TR_BUFS), (int)r->back++);
}

unsigned
tunring_batch(struct worker *w, unsigned *slot)
{
	struct tunring *r = w->tunring;
	struct io_uring_cqe *cqe;
	unsigned n = 0;
	int rc;

	if (r == NULL)
		return 0;
	/* io_uring_peek_cqe enters the kernel only when the ring says reads are waiting to be
	 * done (IORING_SQ_TASKRUN): otherwise an empty ring costs no system call */
	while (n < READS && io_uring_peek_cqe(&r->ring, &cqe) == 0) {
		int res = cqe->res;
		unsigned fl = cqe->flags;

		if (cqe->user_data != TR_READ) {	/* none but the read's, today */
			io_uring_cqe_seen(&r->ring, cqe);
			continue;
		}
		if (fl & IORING_CQE_F_BUFFER) {
			unsigned bid = fl >> IORING_CQE_BUFFER_SHIFT;

			if (bid < TR_BUFS) {
				if (res > (int)sizeof(struct virtio_net_hdr)) {
					out_read(w, r->bufs + (size_t)bid * RBUF, (uint32_t)res,
					    slot);
					n++;
					r->errs = 0;
				}
				give_back(r, bid);
			}
		} else if (res < 0 && res != -ENOBUFS && res != -EAGAIN) {
			r->errs++;
			r->last_err = -res;
			log_debug("TUN read by io_uring: %s", strerror(-res));
		}
		if (!(fl & IORING_CQE_F_MORE))
			r->armed = false;	/* ended: out of buffers, or an error */
		io_uring_cqe_seen(&r->ring, cqe);
	}
	if (r->back > 0) {
		io_uring_buf_ring_advance(r->br, (int)r->back);
		r->back = 0;
	}
	if (!r->armed) {
		if (r->errs >= TR_ERRS) {
			fall_back(w, "io_uring reads kept failing", r->last_err);
			log_warn("TUN read by %s", why_read);
			return n;
		}
		if ((rc = arm(r, w->tun_fd)) < 0) {
			fall_back(w, "arming the read again", -rc);
			log_warn("TUN read by %s", why_read);
		}
	}
	return n;
}

const char *
tunring_describe(const struct worker *w)
{
	return w->tunring != NULL ? w->tunring->desc : why_read;
}

void
tunring_close(struct worker *w)
{
	if (w->tunring != NULL) {
		ring_free(w->tunring, true);
		w->tunring = NULL;
	}
}

#else	/* built without liburing: read(2) */

void
tunring_open(struct worker *w, enum tunring_mode m)
{
	(void)w;
	snprintf(why_read, sizeof(why_read), m == TUNRING_READ ? "read(2): --tun-read read" :
	    "read(2): datad was built without liburing");
	log_info("TUN read by %s", why_read);
}

int
tunring_fd(const struct worker *w)
{
	(void)w;
	return -1;
}

unsigned
tunring_batch(struct worker *w, unsigned *slot)
{
	(void)w;
	(void)slot;
	return 0;
}

const char *
tunring_describe(const struct worker *w)
{
	(void)w;
	return why_read;
}

void
tunring_close(struct worker *w)
{
	(void)w;
}

#endif
