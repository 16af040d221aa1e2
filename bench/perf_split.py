#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""bench/perf_split.py: whose work a data-plane process's CPU time is, from a call-graph profile.

In the lab of bench/tunnel.sh every link is a veth pair, and veth hands a packet to its peer
at once: the peer's receive (the internet bridge, the other gateway's interface, its XDP
program and the copy into its AF_XDP socket, or its IP stack and raw socket) runs as softirq
on the CPU of the process that sent the packet, and is charged to that process's system
time.  The same for a TUN write: the forwarding to the host behind the gateway, and that
host's own TCP stack, run under datad's write.  On a network of real machines that work is
done by the other machines.  This splits each sample of `perf record -g -p PID` by its call
chain:

  user                      datad, libc, OpenSSL
  kernel, own               system calls, the TUN, AF_XDP rings, scheduling: the gateway's
  softirq under sends       receive processing reached from a send (sendto, sendmsg,
                            sendmmsg: raw, UDP and AF_XDP sockets): the wire and the far end
  softirq under TUN writes  receive processing reached from a TUN write: the host side
  softirq, other            anything else in softirq

Usage (docs/bench.md, "Where the CPU goes"): while `bench/run.sh tunnel` runs a test,
  perf record -g -F 1997 -p PID -o A.data -- sleep 6
then `bench/perf_split.py A.data [B.data ...]`.  Needs perf (package linux-perf).
"""
import collections
import subprocess
import sys

SOFTIRQ = {"net_rx_action"}
SENDS = {"__sys_sendto", "__sys_sendmsg", "__sys_sendmmsg", "xsk_sendmsg", "raw_sendmsg",
         "udp_sendmsg"}
TUN_WRITE = {"tun_get_user"}
ORDER = ["user", "kernel, own", "softirq under sends", "softirq under TUN writes",
         "softirq, other"]


def kind(frames):
    """frames: (symbol, object) from the leaf up."""
    if not frames or "kernel" not in frames[0][1]:
        return "user"
    syms = {s for s, _ in frames}
    if not syms & SOFTIRQ:
        return "kernel, own"
    if syms & SENDS:
        return "softirq under sends"
    if syms & TUN_WRITE:
        return "softirq under TUN writes"
    return "softirq, other"


def samples(path):
    """Each sample's frames, from perf script."""
    out = subprocess.run(["perf", "script", "-i", path, "-F", "ip,sym,dso"],
                         capture_output=True, text=True, check=True).stdout
    frames = []
    for line in out.splitlines() + [""]:
        if not line.strip():
            if frames:
                yield frames
            frames = []
            continue
        parts = line.split(None, 1)
        if len(parts) < 2:
            continue
        sym, _, obj = parts[1].rpartition(" (")
        frames.append((sym.split("+")[0], obj))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().split("\n")[0] + "\nusage: perf_split.py PERF.DATA ...")
    heads = ["user", "kernel", "softirq", "softirq", "softirq"]
    subs = ["", "own", "sends", "TUN writes", "other"]
    print(f"{'':<24} {'':>8}" + "".join(f" {h:>10}" for h in heads))
    print(f"{'profile (% of samples)':<24} {'samples':>8}" + "".join(f" {h:>10}" for h in subs))
    for path in sys.argv[1:]:
        count = collections.Counter(kind(f) for f in samples(path))
        n = sum(count.values()) or 1
        print(f"{path:<24} {n:>8}" + "".join(f" {100 * count[k] / n:>10.1f}" for k in ORDER))


if __name__ == "__main__":
    main()
