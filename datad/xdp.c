/* SPDX-License-Identifier: Apache-2.0 */
/* xdp.c: ESP (plain, and in UDP 4500) received and sent by AF_XDP
 * (docs/adr/0014-af-xdp-receive.md, docs/adr/0016-af-xdp-transmit.md).  On the first
 * generation that names a crypto map interface, load datad/xdp_prog.bpf.c (built into this
 * file), bind one AF_XDP socket in copy mode to queue 0 of that interface, and attach the
 * program (native XDP, else generic); every generation puts our inbound ESP SAs' (SPI, local
 * address) in its map.  Frames are copied from the UMEM into the worker's receive buffers and
 * go through the same in_run as the raw socket's, so what is checked is the same code.  On
 * the way out, sealed packets of the send batches are framed (xdptx.c) into the UMEM's TX
 * frames when the kernel's next hop for their peer is a resolved neighbour on this interface;
 * the rest stay in the batch for the raw sockets.
 *
 * Invariant (xdp.h): the program passes whatever it does not hand to a live socket of ours; the
 * raw sockets stay open for it.  Only one worker per interface receives by AF_XDP: a program
 * whose owner (gw_owner, a pid) still runs is left alone, and that worker stays on raw
 * sockets; one whose owner is gone (killed -9) is replaced.  A packet given to xdp_tx was
 * sealed, its sequence number taken, before: it leaves by AF_XDP or by the raw socket, never
 * sealed again, so no number is reused whatever fails here. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/link.h"
#include "common/log.h"
#include "datad/worker.h"
#include "datad/xdp.h"

int
xdp_mode_parse(const char *s, enum xdp_mode *m)
{
	if (strcmp(s, "auto") == 0)
		*m = XDP_MODE_AUTO;
	else if (strcmp(s, "raw") == 0)
		*m = XDP_MODE_RAW;
	else if (strcmp(s, "xdp") == 0)
		*m = XDP_MODE_XDP;
	else
		return -1;
	return 0;
}

#ifndef GW_XDP

void
xdp_gen(struct worker *w, const struct gen *g)
{
	const char *why = "this datad was built without AF_XDP (GW_XDP off)";

	(void)g;
	if (w->o.io_mode == XDP_MODE_RAW || w->xdp_tried)
		return;
	w->xdp_tried = true;
	if (w->o.io_mode == XDP_MODE_XDP)
		log_err("--io xdp: %s: receiving ESP on raw sockets", why);
	else
		log_info("ESP received on raw sockets: %s", why);
}

int
xdp_fd(const struct worker *w)
{
	(void)w;
	return -1;
}

unsigned
xdp_rx(struct worker *w)
{
	(void)w;
	return 0;
}

void
xdp_tx(struct worker *w, struct tx_batch *b, enum xdp_tx_kind k)
{
	(void)w;
	(void)b;
	(void)k;
}

const char *
xdp_describe(const struct worker *w)
{
	(void)w;
	return "raw";
}

void
xdp_close(struct worker *w)
{
	(void)w;
}

#else

#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include "datad/xdptx.h"

/* The BPF object, compiled by clang -target bpf at build time (datad/CMakeLists.txt). */
__asm__(".pushsection .rodata\n"
	".balign 8\n"
	".global gw_xdp_obj\n"
	"gw_xdp_obj:\n"
	".incbin \"" GW_XDP_OBJ "\"\n"
	".global gw_xdp_obj_end\n"
	"gw_xdp_obj_end:\n"
	".popsection\n");
extern const unsigned char gw_xdp_obj[], gw_xdp_obj_end[];

enum {
	XDP_RX_FRAMES	= 4096,		/* frames 0.. of the UMEM: the fill ring's */
	XDP_TX_FRAMES	= 2048,		/* and after them, ours to send from */
	XDP_FRAMES	= XDP_RX_FRAMES + XDP_TX_FRAMES,
	XDP_FRAME	= 2048,		/* XSK_UMEM__DEFAULT_FRAME_SIZE / 2: an MTU-1500 frame */
	XDP_RING	= 2048,
	XDP_QUEUE	= 0,		/* the receive queue we bind (veth: the only one) */
	ETH_HLEN_	= 14,
	XDP_KICKS	= 16,		/* sendto per flush at most (copy mode sends 32 each) */
	HOP_OK_MS	= 2000,		/* a resolved next hop is asked for again after */
	HOP_NONE_MS	= 100,		/* and one not (yet) on our interface */
};

/* the key of gw_spis (datad/xdp_prog.bpf.c) */
struct xdp_key {
	uint32_t	spi_be;
	uint32_t	daddr_be;
};

struct xdp_io {
	struct bpf_object	*obj;
	int			prog_fd, spis_fd;
	uint32_t		prog_id;
	int			ifindex;
	char			ifname[IF_NAMESIZE];
	void			*area;
	struct xsk_umem		*umem;
	struct xsk_socket	*xsk;
	struct xsk_ring_prod	fq, tx;
	struct xsk_ring_cons	cq, rx;
	char			desc[64];
	/* transmit (xdp_tx) */
	int			nl_fd;		/* rtnetlink, for the next hops (xdptx.c) */
	uint8_t			mac[6];		/* the interface's */
	uint32_t		mtu;		/* the interface's, read per generation */
	uint16_t		ip_id;
	uint32_t		n_free;		/* TX frames not in the kernel's hands */
	uint64_t		tx_free[XDP_TX_FRAMES];
	struct xdptx_cache	hops;
	uint64_t		now_ms;		/* CLOCK_MONOTONIC, once per xdp_tx */
	bool			tx_stuck;	/* descriptors left in the ring: kick again */
};

static void
xdp_free(struct xdp_io *x)
{
	if (x->xsk != NULL)
		xsk_socket__delete(x->xsk);
	if (x->umem != NULL)
		xsk_umem__delete(x->umem);
	if (x->area != NULL)
		munmap(x->area, (size_t)XDP_FRAMES * XDP_FRAME);
	if (x->obj != NULL)
		bpf_object__close(x->obj);
	if (x->nl_fd >= 0)
		close(x->nl_fd);
	free(x);
}

/* The pid in the gw_owner map of program id, 0 if it has none (not ours), -1 if unreadable. */
static long
owner_of(uint32_t id)
{
	struct bpf_prog_info pi;
	uint32_t maps[8], len = sizeof(pi), key = 0, pid = 0;
	long r = 0;
	int pfd;

	if ((pfd = bpf_prog_get_fd_by_id(id)) < 0)
		return -1;
	memset(&pi, 0, sizeof(pi));
	pi.nr_map_ids = 8;
	pi.map_ids = (uint64_t)(uintptr_t)maps;
	if (bpf_obj_get_info_by_fd(pfd, &pi, &len) != 0) {
		close(pfd);
		return -1;
	}
	log_debug("AF_XDP: program %u on the interface has %u maps", id, pi.nr_map_ids);
	for (uint32_t i = 0; i < pi.nr_map_ids && i < 8; i++) {
		struct bpf_map_info mi;
		uint32_t mlen = sizeof(mi);
		int mfd = bpf_map_get_fd_by_id(maps[i]);

		if (mfd < 0)
			continue;
		memset(&mi, 0, sizeof(mi));
		if (bpf_obj_get_info_by_fd(mfd, &mi, &mlen) == 0)
			log_debug("AF_XDP: its map %u is %s", maps[i], mi.name);
		if (bpf_obj_get_info_by_fd(mfd, &mi, &mlen) == 0 &&
		    strcmp(mi.name, "gw_owner") == 0 &&
		    bpf_map_lookup_elem(mfd, &key, &pid) == 0)
			r = pid;
		close(mfd);
	}
	close(pfd);
	return r;
}

/* Free the interface of a program left by a worker that is gone; -1 (why in *why) if the
 * program there is someone else's or its worker runs. */
static int
take_over(int ifindex, const char **why)
{
	struct bpf_xdp_query_opts q = { .sz = sizeof(q) };
	long pid;

	if (bpf_xdp_query(ifindex, 0, &q) != 0 || q.prog_id == 0)
		return 0;
	if ((pid = owner_of(q.prog_id)) <= 0) {
		*why = "another XDP program is attached there";
		return -1;
	}
	if (pid != getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
		*why = "another worker of this host receives there by AF_XDP";
		return -1;
	}
	log_info("AF_XDP: replacing the program left by datad pid %ld (gone)", pid);
	if (q.drv_prog_id != 0)
		bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	if (q.skb_prog_id != 0)
		bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, NULL);
	return 0;
}

static int
umem_open(struct xdp_io *x, const char **why)
{
	struct xsk_umem_config uc = {
		.fill_size = XDP_RX_FRAMES, .comp_size = XDP_TX_FRAMES, .frame_size = XDP_FRAME,
	};
	uint32_t idx;

	x->area = mmap(NULL, (size_t)XDP_FRAMES * XDP_FRAME, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->area == MAP_FAILED) {
		x->area = NULL;
		*why = "no memory for the UMEM";
		return -1;
	}
	if (xsk_umem__create(&x->umem, x->area, (uint64_t)XDP_FRAMES * XDP_FRAME, &x->fq, &x->cq,
	    &uc) != 0) {
		x->umem = NULL;
		*why = "cannot register the UMEM";
		return -1;
	}
	if (xsk_ring_prod__reserve(&x->fq, XDP_RX_FRAMES, &idx) != XDP_RX_FRAMES) {
		*why = "cannot fill the fill ring";
		return -1;
	}
	for (uint32_t i = 0; i < XDP_RX_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&x->fq, idx + i) = (uint64_t)i * XDP_FRAME;
	xsk_ring_prod__submit(&x->fq, XDP_RX_FRAMES);
	for (uint32_t i = 0; i < XDP_TX_FRAMES; i++)
		x->tx_free[x->n_free++] = (uint64_t)(XDP_RX_FRAMES + i) * XDP_FRAME;
	return 0;
}

/* libbpf's and libxdp's own messages: debug lines of our log (the reason a step failed is
 * said by xdp_gen in one line) */
static int
xdp_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static int
xdp_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	char line[256];

	(void)lvl;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_debug("AF_XDP: %s", line);
	return 0;
}

static int
xdp_print_xdp(enum libxdp_print_level lvl, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

static int
xdp_print_xdp(enum libxdp_print_level lvl, const char *fmt, va_list ap)
{
	return xdp_print((enum libbpf_print_level)lvl, fmt, ap);
}

/* The interface's MAC and MTU into x; -1 if it has none. */
static int
iface_read(struct xdp_io *x)
{
	struct ifreq ifr;
	int s, rc = -1;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", x->ifname);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) == 0) {
		memcpy(x->mac, ifr.ifr_hwaddr.sa_data, 6);
		if (ioctl(s, SIOCGIFMTU, &ifr) == 0) {
			x->mtu = (uint32_t)ifr.ifr_mtu;
			rc = 0;
		}
	}
	close(s);
	return rc;
}

/* Load, bind, attach; NULL with the reason in *why. */
static struct xdp_io *
xdp_open(const char *ifname, const char **why)
{
	struct xsk_socket_config sc = {
		.rx_size = XDP_RING,
		.tx_size = XDP_RING,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_COPY | XDP_USE_NEED_WAKEUP,
	};
	struct bpf_prog_info pi;
	uint32_t key = XDP_QUEUE, pid = (uint32_t)getpid(), len = sizeof(pi);
	const char *mode = "native";
	struct xdp_io *x;
	int fd, xsks_fd, owner_fd;

	libbpf_set_print(xdp_print);
	libxdp_set_print(xdp_print_xdp);
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		*why = "out of memory";
		return NULL;
	}
	x->nl_fd = -1;
	snprintf(x->ifname, sizeof(x->ifname), "%s", ifname);
	if ((x->ifindex = (int)if_nametoindex(ifname)) == 0) {
		*why = "no such interface";
		goto fail;
	}
	if (take_over(x->ifindex, why) != 0)
		goto fail;
	x->obj = bpf_object__open_mem(gw_xdp_obj, (size_t)(gw_xdp_obj_end - gw_xdp_obj), NULL);
	if (x->obj == NULL || bpf_object__load(x->obj) != 0) {
		*why = "the kernel refuses the XDP program (BPF)";
		goto fail;
	}
	x->prog_fd = bpf_program__fd(bpf_object__find_program_by_name(x->obj, "gw_xdp"));
	x->spis_fd = bpf_object__find_map_fd_by_name(x->obj, "gw_spis");
	xsks_fd = bpf_object__find_map_fd_by_name(x->obj, "gw_xsks");
	owner_fd = bpf_object__find_map_fd_by_name(x->obj, "gw_owner");
	if (x->prog_fd < 0 || x->spis_fd < 0 || xsks_fd < 0 || owner_fd < 0) {
		*why = "the XDP program lacks its maps";
		goto fail;
	}
	if (umem_open(x, why) != 0)
		goto fail;
	if ((x->nl_fd = xdptx_nl_open()) < 0 || iface_read(x) != 0) {
		*why = "cannot read the interface's address or routes (rtnetlink)";
		goto fail;
	}
	x->ip_id = (uint16_t)getpid();
	if (xsk_socket__create(&x->xsk, ifname, XDP_QUEUE, x->umem, &x->rx, &x->tx, &sc) != 0) {
		x->xsk = NULL;
		*why = "cannot bind an AF_XDP socket to queue 0";
		goto fail;
	}
	fd = xsk_socket__fd(x->xsk);
	if (bpf_map_update_elem(xsks_fd, &key, &fd, BPF_ANY) != 0 ||
	    bpf_map_update_elem(owner_fd, &(uint32_t){ 0 }, &pid, BPF_ANY) != 0) {
		*why = "cannot fill the XDP program's maps";
		goto fail;
	}
	if (bpf_xdp_attach(x->ifindex, x->prog_fd,
	    XDP_FLAGS_DRV_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL) != 0) {
		mode = "generic";
		if (bpf_xdp_attach(x->ifindex, x->prog_fd,
		    XDP_FLAGS_SKB_MODE | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL) != 0) {
			*why = "XDP does not attach to the interface";
			goto fail;
		}
	}
	memset(&pi, 0, sizeof(pi));
	if (bpf_obj_get_info_by_fd(x->prog_fd, &pi, &len) == 0)
		x->prog_id = pi.id;
	snprintf(x->desc, sizeof(x->desc), "af_xdp %s %s", x->ifname, mode);
	return x;
fail:
	xdp_free(x);
	return NULL;
}

/* Is sa one the program should steer to us: ESP, ours, to a known local address, and in
 * UDP only while we hold port 4500 (else the kernel and the port's holder take it)? */
static bool
steer(const struct worker *w, const struct sa_in *sa)
{
	return sa != NULL && sa->proto == IPPROTO_ESP_ && sa->mine && sa->local_be != 0 &&
	    (!sa->udp || w->udp_fd >= 0);
}

/* The (SPI, local address) map to g's inbound ESP SAs that are ours: add, then delete what
 * is not. */
static void
spis_sync(struct worker *w, struct xdp_io *x, const struct gen *g)
{
	struct xdp_key key = { 0, 0 }, next, *prev = NULL;
	uint32_t q = XDP_QUEUE;
	bool more;

	for (uint32_t i = 0; i < g->n_in; i++) {
		const struct sa_in *sa = &g->in[i];
		struct xdp_key k = { sa->spi_be, sa->local_be };

		if (steer(w, sa) && bpf_map_update_elem(x->spis_fd, &k, &q, BPF_ANY) != 0)
			log_warn("AF_XDP: SPI 0x%08x not steered: %s (it arrives on the raw "
			    "socket)", ntohl(sa->spi_be), strerror(errno));
	}
	do {
		const struct sa_in *sa;

		more = bpf_map_get_next_key(x->spis_fd, prev, &next) == 0;
		if (prev != NULL) {
			sa = tables_sa_in(g, key.spi_be, IPPROTO_ESP_);
			if (!steer(w, sa) || sa->local_be != key.daddr_be)
				bpf_map_delete_elem(x->spis_fd, &key);
		}
		key = next;
		prev = &key;
	} while (more);
}

/* Does g give us an inbound SA of plain ESP (not in UDP)?  --io auto attaches only then: a
 * worker whose SAs are all ESP in UDP is faster on raw sockets with UDP GSO and GRO, which an
 * XDP program on the interface slows down (docs/adr/0016-af-xdp-transmit.md, "Figures"). */
static bool
plain_esp(const struct worker *w, const struct gen *g)
{
	for (uint32_t i = 0; i < g->n_in; i++)
		if (steer(w, &g->in[i]) && !g->in[i].udp)
			return true;
	return false;
}

void
xdp_gen(struct worker *w, const struct gen *g)
{
	const char *ifname = NULL, *why = NULL;

	if (w->o.io_mode == XDP_MODE_RAW)
		return;
	for (uint32_t i = 0; i < g->n_pol && ifname == NULL; i++)
		if (g->pol[i].ifname[0] != '\0')
			ifname = g->pol[i].ifname;
	if (w->o.io_mode == XDP_MODE_AUTO && w->xdp == NULL && !plain_esp(w, g))
		ifname = NULL;		/* not yet: raw sockets until plain ESP comes */
	if (w->xdp == NULL && !w->xdp_tried && ifname != NULL) {
		w->xdp_tried = true;
		if ((w->xdp = xdp_open(ifname, &why)) == NULL) {
			if (w->o.io_mode == XDP_MODE_XDP)
				log_err("--io xdp: AF_XDP on %s: %s: receiving ESP on raw "
				    "sockets", ifname, why);
			else
				log_info("ESP received on raw sockets: AF_XDP on %s: %s", ifname,
				    why);
		} else {
			log_info("AF_XDP in use: ESP for our SPIs received and sent on %s (%s, "
			    "copy mode, queue %d); the rest on raw sockets", ifname,
			    w->xdp->desc, XDP_QUEUE);
			link_hello(w);		/* show workers says which path runs */
		}
	}
	if (w->xdp != NULL) {
		spis_sync(w, w->xdp, g);
		iface_read(w->xdp);		/* its MTU may have changed */
	}
}

int
xdp_fd(const struct worker *w)
{
	return w->xdp != NULL ? xsk_socket__fd(w->xdp->xsk) : -1;
}

/* Frames the kernel has sent, back to our free list. */
static void
tx_reclaim(struct xdp_io *x)
{
	uint32_t idx, n = xsk_ring_cons__peek(&x->cq, XDP_TX_FRAMES, &idx);

	for (uint32_t i = 0; i < n; i++)
		x->tx_free[x->n_free++] = *xsk_ring_cons__comp_addr(&x->cq, idx + i);
	xsk_ring_cons__release(&x->cq, n);
}

/* Have the kernel send what the TX ring holds: one sendto, more only while it says there is
 * more (copy mode sends 32 a call) or the completion ring is full. */
static void
tx_kick(struct worker *w, struct xdp_io *x)
{
	x->tx_stuck = false;
	for (unsigned i = 0; i < XDP_KICKS; i++) {
		if (sendto(xsk_socket__fd(x->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0) >= 0)
			return;
		if (errno != EAGAIN && errno != EBUSY && errno != ENOBUFS) {
			/* the interface is down or gone: resolve again before the next frame */
			w->n_xdp_tx_err++;
			xdptx_forget(&x->hops);
			return;
		}
		tx_reclaim(x);
	}
	x->tx_stuck = true;	/* the next xdp_tx or xdp_rx kicks what is left */
}

/* Frame f of len bytes into receive buffer i as the raw ESP socket (the IP packet) or UDP
 * 4500 (the payload; its sender in rx_from[i], where it was sent in rx_ctl[i]'s IP_PKTINFO)
 * would have read it (xdptx_parse). */
static void
rx_one(struct worker *w, unsigned i, const uint8_t *f, uint32_t len)
{
	struct pkt *p = in_buf(w, i);
	struct msghdr *h = &w->rx_msg[i].msg_hdr;
	struct xdptx_rx r;

	xdptx_parse(f, len, &r);
	h->msg_flags = 0;
	h->msg_control = NULL;
	h->msg_controllen = 0;
	if (r.udp) {
		struct in_pktinfo pi;
		struct cmsghdr *c;

		w->rx_from[i].sin_family = AF_INET;
		w->rx_from[i].sin_addr.s_addr = r.src_be;
		w->rx_from[i].sin_port = r.sport_be;
		memset(&pi, 0, sizeof(pi));
		pi.ipi_addr.s_addr = r.dst_be;
		pi.ipi_spec_dst = pi.ipi_addr;
		h->msg_control = w->rx_ctl[i].buf;
		h->msg_controllen = sizeof(w->rx_ctl[i].buf);
		c = CMSG_FIRSTHDR(h);
		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	}
	if (r.len > PKT_MAX) {
		r.len = PKT_MAX;
		h->msg_flags = MSG_TRUNC;
	}
	memcpy(p->data, f + r.off, r.len);
	w->rx_msg[i].msg_len = r.len;
}

/* The next frame into the cache while this one is copied: the kernel wrote it, often on the
 * other core, and its first touch was most of rx_one's time (perf: the copy, 19 % of datad). */
static void
rx_prefetch(const struct xdp_io *x, const struct xdp_desc *d)
{
	const uint8_t *f = xsk_umem__get_data(x->area, d->addr);

	for (uint32_t o = 0; o < d->len; o += 64)
		__builtin_prefetch(f + o);
}

/* Is the frame ESP in UDP (else plain ESP)?  The program passed only those two. */
static bool
rx_is_udp(const uint8_t *f, uint32_t len)
{
	return len >= ETH_HLEN_ + 20 && f[ETH_HLEN_ + 9] == IPPROTO_UDP;	/* as xdptx_parse */
}

unsigned
xdp_rx(struct worker *w)
{
	struct xdp_io *x = w->xdp;
	uint32_t idx, fidx = 0;
	unsigned n, k;

	if (x == NULL)
		return 0;
	if (x->tx_stuck) {
		tx_reclaim(x);
		tx_kick(w, x);
	}
	n = xsk_ring_cons__peek(&x->rx, BATCH, &idx);
	if (n == 0) {
		if (xsk_ring_prod__needs_wakeup(&x->fq))
			recvfrom(xsk_socket__fd(x->xsk), NULL, 0, MSG_DONTWAIT, NULL, NULL);
		return 0;
	}
	/* plain ESP, then ESP in UDP: in_run takes one socket's kind at a time */
	for (int pass = 0; pass < 2; pass++) {
		k = 0;
		for (unsigned i = 0; i < n; i++) {
			const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx + i);
			const uint8_t *f = xsk_umem__get_data(x->area, d->addr);

			if (pass == 0 && i + 1 < n)
				rx_prefetch(x, xsk_ring_cons__rx_desc(&x->rx, idx + i + 1));
			if (rx_is_udp(f, d->len) == (pass == 1))
				rx_one(w, k++, f, d->len);
		}
		if (k > 0)
			in_run(w, pass == 1 ? IN_UDP : IN_ESP, k);
	}
	/* every frame is in the fill ring, the rx ring or in our hands: room for n */
	xsk_ring_prod__reserve(&x->fq, n, &fidx);
	for (unsigned i = 0; i < n; i++)
		*xsk_ring_prod__fill_addr(&x->fq, fidx + i) =
		    xsk_umem__extract_addr(xsk_ring_cons__rx_desc(&x->rx, idx + i)->addr);
	xsk_ring_cons__release(&x->rx, n);
	xsk_ring_prod__submit(&x->fq, n);
	w->n_rx_pkts += n;
	w->n_xdp_pkts += n;
	return n;
}

/* The next hop to peer_be from src_be: cached for the generation, else asked. */
static const struct xdptx_hop *
tx_hop(struct worker *w, struct xdp_io *x, uint32_t peer_be, uint32_t src_be)
{
	const struct xdptx_hop *h;
	struct xdptx_hop n;

	if ((h = xdptx_get(&x->hops, peer_be, w->gen->generation, x->now_ms)) != NULL)
		return h;
	memset(&n, 0, sizeof(n));
	n.peer_be = peer_be;
	n.gen = w->gen->generation;
	xdptx_resolve(x->nl_fd, peer_be, src_be, w->o.mark, &n);
	/* resolved, or routed elsewhere: settled for a while; no route or no neighbour yet:
	 * soon again (the raw socket's send is resolving it) */
	n.until_ms = x->now_ms + ((n.have_mac || (n.oif != 0 && n.oif != x->ifindex)) ?
	    HOP_OK_MS : HOP_NONE_MS);
	return xdptx_put(&x->hops, &n);
}

/* The headers of entry i of b (queued by out.c) into t; false if it is not one for us. */
static bool
tx_headers(const struct tx_batch *b, unsigned i, enum xdp_tx_kind k, struct xdptx_hdr *t)
{
	const struct msghdr *m = &b->msg[i].msg_hdr;
	const uint8_t *pl = b->iov[i].iov_base;
	struct cmsghdr *c;

	memset(t, 0, sizeof(*t));
	if (k == XDP_TX_HDR) {
		if (b->iov[i].iov_len < 20)
			return false;
		memcpy(&t->src_be, pl + 12, 4);
		memcpy(&t->dst_be, pl + 16, 4);
		return t->src_be != 0;
	}
	t->proto = k == XDP_TX_UDP ? IPPROTO_UDP : IPPROTO_ESP_;
	t->dst_be = b->dst[i].sin_addr.s_addr;
	t->sport_be = htons(UDP_ENCAP_PORT);
	t->dport_be = b->dst[i].sin_port;
	for (c = CMSG_FIRSTHDR((struct msghdr *)m); c != NULL;
	    c = CMSG_NXTHDR((struct msghdr *)m, c)) {
		struct in_pktinfo pi;
		int tos;

		if (c->cmsg_level != IPPROTO_IP)
			continue;
		if (c->cmsg_type == IP_PKTINFO) {
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			t->src_be = pi.ipi_spec_dst.s_addr;
		} else if (c->cmsg_type == IP_TOS) {
			memcpy(&tos, CMSG_DATA(c), sizeof(tos));
			t->tos = (uint8_t)tos;
		}
	}
	return t->src_be != 0;		/* the kernel would choose one: its to send */
}

/* Entry i of b to slot j (j <= i): what stays for the raw socket. */
static void
tx_keep(struct tx_batch *b, unsigned i, unsigned j)
{
	struct msghdr *m = &b->msg[j].msg_hdr;

	if (i == j)
		return;
	b->iov[j] = b->iov[i];
	b->dst[j] = b->dst[i];
	b->no_gso[j] = b->no_gso[i];
	m->msg_controllen = b->msg[i].msg_hdr.msg_controllen;
	m->msg_control = NULL;
	if (b->msg[i].msg_hdr.msg_control != NULL) {
		memcpy(b->ctl[j].buf, b->msg[i].msg_hdr.msg_control, m->msg_controllen);
		m->msg_control = b->ctl[j].buf;
	}
}

void
xdp_tx(struct worker *w, struct tx_batch *b, enum xdp_tx_kind k)
{
	struct xdp_io *x = w->xdp;
	unsigned keep = 0, sent = 0;
	uint32_t idx = 0;

	if (x == NULL || w->gen == NULL || b->n == 0)
		return;
	x->now_ms = link_now_ms();	/* the cache's clock: never a wall clock's jump */
	tx_reclaim(x);
	/* room in the ring for the whole batch, or AF_XDP sends none of it this time */
	if (xsk_ring_prod__reserve(&x->tx, b->n, &idx) != b->n) {
		w->n_xdp_tx_raw += b->n;
		return;
	}
	for (unsigned i = 0; i < b->n; i++) {
		const struct xdptx_hop *h;
		struct xdptx_hdr t;
		struct xdp_desc *d;
		uint32_t len = 0;

		if (x->n_free > 0 && tx_headers(b, i, k, &t) &&
		    (h = tx_hop(w, x, t.dst_be, t.src_be)) != NULL && h->have_mac &&
		    h->oif == x->ifindex) {
			uint64_t a = x->tx_free[x->n_free - 1];
			uint32_t room = XDP_FRAME;

			if (x->mtu + ETH_HLEN_ < room)
				room = x->mtu + ETH_HLEN_;	/* more: the kernel fragments */
			memcpy(t.dmac, h->mac, 6);
			memcpy(t.smac, x->mac, 6);
			t.id = x->ip_id++;
			len = xdptx_frame(xsk_umem__get_data(x->area, a), room, &t,
			    b->iov[i].iov_base, (uint32_t)b->iov[i].iov_len);
			if (len > 0) {
				x->n_free--;
				d = xsk_ring_prod__tx_desc(&x->tx, idx + sent++);
				d->addr = a;
				d->len = len;
				d->options = 0;
			}
		}
		if (len == 0)
			tx_keep(b, i, keep++);
	}
	/* the descriptors not used go back: reserve and submit count from the same start */
	x->tx.cached_prod -= b->n - sent;
	if (sent > 0) {
		xsk_ring_prod__submit(&x->tx, sent);
		tx_kick(w, x);
	}
	w->n_xdp_tx += sent;
	w->n_xdp_tx_raw += keep;
	b->n = keep;
}

const char *
xdp_describe(const struct worker *w)
{
	return w->xdp != NULL ? w->xdp->desc : "raw";
}

void
xdp_close(struct worker *w)
{
	struct xdp_io *x = w->xdp;
	uint32_t id = 0;

	if (x == NULL)
		return;
	/* ours still (nobody replaced it): the interface goes back to no program */
	if (bpf_xdp_query_id(x->ifindex, 0, &id) == 0 && id == x->prog_id && id != 0) {
		bpf_xdp_detach(x->ifindex, XDP_FLAGS_DRV_MODE, NULL);
		bpf_xdp_detach(x->ifindex, XDP_FLAGS_SKB_MODE, NULL);
	}
	xdp_free(x);
	w->xdp = NULL;
}

#endif
