/* SPDX-License-Identifier: Apache-2.0 */
/* xdp.c: AF_XDP receive of plain ESP (docs/adr/0014-af-xdp-receive.md).  On the first
 * generation that names a crypto map interface, load datad/xdp_prog.bpf.c (built into this
 * file), bind one AF_XDP socket in copy mode to receive queue 0 of that interface, and attach
 * the program (native XDP, else generic); every generation puts our inbound ESP SAs' SPIs in
 * its map.  Frames are copied from the UMEM into the worker's receive buffers and go through
 * the same in_run as the raw socket's, so what is checked is the same code.
 *
 * Invariant (xdp.h): the program passes whatever it does not hand to a live socket of ours; the
 * raw sockets stay open for it.  Only one worker per interface receives by AF_XDP: a program
 * whose owner (gw_owner, a pid) still runs is left alone, and that worker stays on raw
 * sockets; one whose owner is gone (killed -9) is replaced. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

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
	XDP_FRAMES	= 4096,
	XDP_FRAME	= 2048,		/* XSK_UMEM__DEFAULT_FRAME_SIZE / 2: an MTU-1500 frame */
	XDP_RING	= 2048,
	XDP_QUEUE	= 0,		/* the receive queue we bind (veth: the only one) */
	ETH_HLEN_	= 14,
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
	struct xsk_ring_prod	fq;
	struct xsk_ring_cons	cq, rx;
	char			desc[64];
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
		.fill_size = XDP_FRAMES, .comp_size = XDP_RING, .frame_size = XDP_FRAME,
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
	if (xsk_ring_prod__reserve(&x->fq, XDP_FRAMES, &idx) != XDP_FRAMES) {
		*why = "cannot fill the fill ring";
		return -1;
	}
	for (uint32_t i = 0; i < XDP_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&x->fq, idx + i) = (uint64_t)i * XDP_FRAME;
	xsk_ring_prod__submit(&x->fq, XDP_FRAMES);
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

/* Load, bind, attach; NULL with the reason in *why. */
static struct xdp_io *
xdp_open(const char *ifname, const char **why)
{
	struct xsk_socket_config sc = {
		.rx_size = XDP_RING,
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
	if (xsk_socket__create(&x->xsk, ifname, XDP_QUEUE, x->umem, &x->rx, NULL, &sc) != 0) {
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

/* The SPI map to g's inbound plain-ESP SAs that are ours: add, then delete what is not. */
static void
spis_sync(struct xdp_io *x, const struct gen *g)
{
	uint32_t q = XDP_QUEUE, key = 0, next, *prev = NULL;
	bool more;

	for (uint32_t i = 0; i < g->n_in; i++) {
		const struct sa_in *sa = &g->in[i];

		if (sa->proto == IPPROTO_ESP_ && sa->mine && !sa->udp &&
		    bpf_map_update_elem(x->spis_fd, &sa->spi_be, &q, BPF_ANY) != 0)
			log_warn("AF_XDP: SPI 0x%08x not steered: %s (it arrives on the raw "
			    "socket)", ntohl(sa->spi_be), strerror(errno));
	}
	do {
		const struct sa_in *sa;

		more = bpf_map_get_next_key(x->spis_fd, prev, &next) == 0;
		if (prev != NULL) {
			sa = tables_sa_in(g, key, IPPROTO_ESP_);
			if (sa == NULL || !sa->mine || sa->udp)
				bpf_map_delete_elem(x->spis_fd, &key);
		}
		key = next;
		prev = &key;
	} while (more);
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
			log_info("AF_XDP in use: ESP for our SPIs received on %s (%s, copy mode, "
			    "queue %d); the rest and every send on raw sockets", ifname,
			    w->xdp->desc, XDP_QUEUE);
			link_hello(w);		/* show workers says which path runs */
		}
	}
	if (w->xdp != NULL)
		spis_sync(w->xdp, g);
}

int
xdp_fd(const struct worker *w)
{
	return w->xdp != NULL ? xsk_socket__fd(w->xdp->xsk) : -1;
}

unsigned
xdp_rx(struct worker *w)
{
	struct xdp_io *x = w->xdp;
	uint32_t idx, fidx = 0;
	unsigned n;

	if (x == NULL)
		return 0;
	n = xsk_ring_cons__peek(&x->rx, BATCH, &idx);
	if (n == 0) {
		if (xsk_ring_prod__needs_wakeup(&x->fq))
			recvfrom(xsk_socket__fd(x->xsk), NULL, 0, MSG_DONTWAIT, NULL, NULL);
		return 0;
	}
	/* every frame is in the fill ring, the rx ring or in our hands: room for n */
	xsk_ring_prod__reserve(&x->fq, n, &fidx);
	for (unsigned i = 0; i < n; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&x->rx, idx + i);
		const uint8_t *f = xsk_umem__get_data(x->area, d->addr);
		struct pkt *p = in_buf(w, i);
		uint32_t l = d->len > ETH_HLEN_ ? d->len - ETH_HLEN_ : 0;

		w->rx_msg[i].msg_hdr.msg_flags = 0;
		if (l > PKT_MAX) {
			l = PKT_MAX;
			w->rx_msg[i].msg_hdr.msg_flags = MSG_TRUNC;
		}
		memcpy(p->data, f + ETH_HLEN_, l);
		if (l >= 20) {		/* Ethernet padding after a short packet: not ours */
			uint32_t tot = (uint32_t)p->data[2] << 8 | p->data[3];

			if (tot >= 20 && tot < l)
				l = tot;
		}
		w->rx_msg[i].msg_len = l;
		*xsk_ring_prod__fill_addr(&x->fq, fidx + i) = xsk_umem__extract_addr(d->addr);
	}
	xsk_ring_cons__release(&x->rx, n);
	xsk_ring_prod__submit(&x->fq, n);
	in_run(w, IN_ESP, n);
	w->n_rx_pkts += n;
	w->n_xdp_pkts += n;
	return n;
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
