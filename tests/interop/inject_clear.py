#!/usr/bin/python3
r"""Forge cleartext IPv4 packets on a link, as an attacker on the internet segment would.

    inject_clear.py --iface wan0 --dst-mac MAC --src 192.0.2.10 --dst 192.0.2.130 \
                    [--count 3] [--ip-id 0x5eed]

Sends COUNT each of ICMP echo request, UDP (port 9) and TCP SYN (port 80) from SRC to DST inside
Ethernet frames addressed to DST-MAC (the gateway's wan0), so that gateway receives them for
forwarding.  Every packet carries IP id IP-ID and the payload "ipsecgw-forged-cleartext", so a
capture can find them.  Run inside the eve namespace with Debian's /usr/bin/python3.
"""

import argparse
import sys

from scapy.all import ICMP, IP, TCP, UDP, Ether, conf, get_if_hwaddr, sendp

conf.verb = 0
PAYLOAD = b"ipsecgw-forged-cleartext"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--ip-id", type=lambda v: int(v, 0), default=0x5EED)
    a = ap.parse_args()

    l2 = Ether(src=get_if_hwaddr(a.iface), dst=a.dst_mac)
    ip = IP(src=a.src, dst=a.dst, id=a.ip_id, ttl=64)
    frames = []
    for i in range(a.count):
        frames.append(l2 / ip / ICMP(id=0xBEEF, seq=i) / PAYLOAD)
        frames.append(l2 / ip / UDP(sport=40000 + i, dport=9) / PAYLOAD)
        frames.append(l2 / ip / TCP(sport=40000 + i, dport=80, flags="S", seq=1000 + i) / PAYLOAD)
    sendp(frames, iface=a.iface, inter=0.01)
    print("sent %d forged frames %s > %s to %s on %s" % (
        len(frames), a.src, a.dst, a.dst_mac, a.iface))
    return 0


if __name__ == "__main__":
    sys.exit(main())
