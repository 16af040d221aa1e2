#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
r"""Forge cleartext IPv4 packets on a link, as an attacker on the internet segment would.

    inject_clear.py --iface wan0 --dst-mac MAC --src 192.0.2.10 --dst 192.0.2.130 \
                    [--count 3] [--ip-id 0x5eed] [--kinds icmp,udp,tcp]

Sends COUNT packets of each kind from SRC to DST inside Ethernet frames addressed to DST-MAC
(the gateway's wan0), so that gateway receives them: for forwarding, or as its own when DST is
one of its addresses.  Every packet carries IP id IP-ID, so a capture can find them.  Kinds:

    icmp        ICMP echo request                     } payload "ipsecgw-forged-cleartext"
    udp         UDP to port 9                         }
    tcp         TCP SYN to port 80                    }
    ike         UDP 500 -> 500: an IKEv2 IKE_SA_INIT header (28 bytes, RFC 7296 §3.1)
    natt        UDP 4500 -> 4500: the non-ESP marker and the same header (RFC 3948 §2.2)
    ike-sport   UDP from port 500 to port 40000+i     } payload "ipsecgw-forged-cleartext"
    natt-sport  UDP from port 4500 to port 40000+i    }
    esp         IP protocol 50, 64 random bytes (SPI at least 256)
    ah          IP protocol 51, 64 random bytes

The default kinds are icmp,udp,tcp.  Run inside the eve namespace with Debian's
/usr/bin/python3.
"""

import argparse
import os
import struct
import sys

from scapy.config import conf
from scapy.arch import get_if_hwaddr
from scapy.layers.inet import ICMP, IP, TCP, UDP
from scapy.layers.l2 import Ether
from scapy.packet import Raw
from scapy.sendrecv import sendp

conf.verb = 0
PAYLOAD = b"ipsecgw-forged-cleartext"
# IKE header: SPIi, SPIr 0, next payload SA (33), version 2.0, IKE_SA_INIT (34), initiator,
# message id 0, length 28 (the header alone)
IKE_HDR = bytes(range(1, 9)) + bytes(8) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, 28)


def random_esp():
    """64 random bytes whose first four, the SPI, are not reserved (RFC 4303 §2.1)."""
    while True:
        b = os.urandom(64)
        if struct.unpack("!I", b[:4])[0] >= 256:
            return b


def packet(kind, i):
    """The layers above IP of packet i of a kind, and the IP protocol number if raw."""
    if kind == "icmp":
        return ICMP(id=0xBEEF, seq=i) / PAYLOAD, None
    if kind == "udp":
        return UDP(sport=40000 + i, dport=9) / PAYLOAD, None
    if kind == "tcp":
        return TCP(sport=40000 + i, dport=80, flags="S", seq=1000 + i) / PAYLOAD, None
    if kind == "ike":
        return UDP(sport=500, dport=500) / Raw(IKE_HDR), None
    if kind == "natt":
        return UDP(sport=4500, dport=4500) / Raw(bytes(4) + IKE_HDR), None
    if kind == "ike-sport":
        return UDP(sport=500, dport=40000 + i) / PAYLOAD, None
    if kind == "natt-sport":
        return UDP(sport=4500, dport=40000 + i) / PAYLOAD, None
    if kind == "esp":
        return Raw(random_esp()), 50
    if kind == "ah":
        return Raw(os.urandom(64)), 51
    raise SystemExit("inject_clear.py: unknown kind %r" % kind)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--ip-id", type=lambda v: int(v, 0), default=0x5EED)
    ap.add_argument("--kinds", default="icmp,udp,tcp")
    a = ap.parse_args()

    l2 = Ether(src=get_if_hwaddr(a.iface), dst=a.dst_mac)
    frames = []
    for i in range(a.count):
        for kind in a.kinds.split(","):
            upper, proto = packet(kind, i)
            ip = IP(src=a.src, dst=a.dst, id=a.ip_id, ttl=64)
            if proto is not None:
                ip.proto = proto
            frames.append(l2 / ip / upper)
    sendp(frames, iface=a.iface, inter=0.01)
    print("sent %d forged frames (%s) %s > %s to %s on %s" % (
        len(frames), a.kinds, a.src, a.dst, a.dst_mac, a.iface))
    return 0


if __name__ == "__main__":
    sys.exit(main())
