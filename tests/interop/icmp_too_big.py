#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
r"""Send a gateway the ICMP "fragmentation needed" a router on the path would send it about
one of its ESP (or AH) packets (RFC 792, RFC 1191), built by scapy.

    icmp_too_big.py --iface wan0 --to 198.51.100.1 --src 198.51.100.1 --dst 198.51.100.2 \
                    --proto 50 --spi 1000 --mtu 1300 [--quoted-len 1500] [--count 1]

The ICMP comes from the sender's own address on IFACE and quotes an IPv4 header from SRC to DST
of QUOTED-LEN bytes, protocol PROTO (50 ESP, 51 AH, 17 ESP in UDP 4500), and the first bytes
of its payload, which carry SPI.  MTU 0 is the pre-RFC 1191 form.  Run inside a namespace.
"""

import argparse
import struct

from scapy.config import conf
from scapy.layers.inet import ICMP, IP
from scapy.packet import Raw
from scapy.sendrecv import send

conf.verb = 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for k in ("iface", "to", "src", "dst"):
        ap.add_argument("--" + k, required=True)
    ap.add_argument("--proto", type=int, default=50)
    ap.add_argument("--spi", type=int, required=True)
    ap.add_argument("--mtu", type=int, required=True)
    ap.add_argument("--quoted-len", type=int, default=1500)
    ap.add_argument("--count", type=int, default=1)
    a = ap.parse_args()

    if a.proto == 50:
        payload = struct.pack("!II", a.spi, 7) + bytes(56)
    elif a.proto == 51:
        payload = struct.pack("!BBHII", 50, 4, 0, a.spi, 7) + bytes(52)
    else:
        payload = struct.pack("!HHHHII", 4500, 4500, a.quoted_len - 20, 0, a.spi, 7) + bytes(48)
    quoted = IP(src=a.src, dst=a.dst, proto=a.proto, len=a.quoted_len, flags="DF", ttl=63)
    quoted = IP(bytes(quoted / Raw(payload)))       # checksum over the stated length
    msg = IP(dst=a.to) / ICMP(type=3, code=4, nexthopmtu=a.mtu) / Raw(bytes(quoted)[:20 + len(payload)])
    send(msg, iface=a.iface, count=a.count)
    print(f"sent {a.count} ICMP frag-needed mtu {a.mtu} to {a.to} about proto {a.proto} "
          f"SPI {a.spi} {a.src}->{a.dst}")


if __name__ == "__main__":
    main()
