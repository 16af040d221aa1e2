/* SPDX-License-Identifier: Apache-2.0 */
/* xdp_prog.bpf.c: the XDP program datad attaches to a crypto map's interface (datad/xdp.c,
 * docs/adr/0014-af-xdp-receive.md, docs/adr/0016-af-xdp-transmit.md).  It steers an ESP
 * packet (IPv4 protocol 50, or ESP in UDP to port 4500: RFC 3948, a non-zero first word; not
 * a fragment) whose SPI and destination address are in gw_spis to the AF_XDP socket at that
 * index of gw_xsks, and passes everything else to the kernel: IKE behind the non-ESP marker
 * (a zero first word), NAT keepalives, fragments, other hosts' ESP with the same SPI.
 *
 * Invariant: it never drops.  A packet it does not steer is XDP_PASS, and so is one whose
 * socket is gone (a worker killed -9: the kernel takes a closed socket out of the XSKMAP,
 * and bpf_redirect_map returns its flags' action, XDP_PASS, for a missing entry): the
 * kernel's raw sockets (the fallback, and the other workers) see it as if no program ran. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* the key of gw_spis: an SA is known by its SPI and the address it is sent to (RFC 4301
 * §4.1), so a gateway that forwards another host's ESP with one of our SPIs passes it on */
struct gw_key {
	__u32	spi;			/* network order */
	__u32	daddr;			/* our local address, network order */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct gw_key);
	__type(value, __u32);		/* the index in gw_xsks */
} gw_spis SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} gw_xsks SEC(".maps");

/* [0] the pid of the datad that attached it; a later one replaces a program whose pid is
 * gone (datad/xdp.c) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} gw_owner SEC(".maps");

SEC("xdp")
int
gw_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip;
	struct udphdr *udp;
	struct gw_key k;
	__u32 *idx, *pid, ihl, zero = 0;
	void *esp;

	if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	ip = (struct iphdr *)(eth + 1);
	if ((void *)(ip + 1) > end ||
	    (ip->protocol != IPPROTO_ESP && ip->protocol != IPPROTO_UDP))
		return XDP_PASS;
	/* fragments go to the kernel, which reassembles them for the raw socket */
	if (ip->frag_off & bpf_htons(0x3fff))
		return XDP_PASS;
	ihl = ip->ihl * 4u;
	if (ihl < sizeof(*ip) || ihl > 60)
		return XDP_PASS;
	esp = (void *)ip + ihl;
	if (ip->protocol == IPPROTO_UDP) {
		udp = esp;
		if ((void *)(udp + 1) > end || udp->dest != bpf_htons(4500))
			return XDP_PASS;
		esp = udp + 1;
	}
	if (esp + 8 > end)
		return XDP_PASS;		/* a runt, a keepalive: the kernel's path */
	k.spi = *(__u32 *)esp;
	k.daddr = ip->daddr;
	if (k.spi == 0)				/* UDP: the non-ESP marker, IKE */
		return XDP_PASS;
	if ((idx = bpf_map_lookup_elem(&gw_spis, &k)) == NULL)
		return XDP_PASS;
	/* a pid of 0 (none yet) steers nothing; and the program must use gw_owner for the
	 * kernel to list it among the program's maps, where the next datad reads it */
	if ((pid = bpf_map_lookup_elem(&gw_owner, &zero)) == NULL || *pid == 0)
		return XDP_PASS;
	/* a socket takes only what its queue received (else the redirect drops): one socket
	 * per worker, on queue *idx; the other queues' packets go to the kernel */
	if (*idx != ctx->rx_queue_index)
		return XDP_PASS;
	return bpf_redirect_map(&gw_xsks, *idx, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
