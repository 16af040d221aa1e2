#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
r"""Forge ESP packets towards a gateway, as an attacker on the internet segment would.

    forge_esp.py --iface wan0 --src 198.51.100.1 --dst 198.51.100.2 --spi 1000 \
                 --crypt AES-CBC --crypt-key HEX --auth HMAC-SHA1-96 --auth-key HEX \
                 --inner-src 192.0.2.10 --inner-dst 192.0.2.130 --count 5

With the real keys scapy builds valid tunnel-mode ESP packets (inner ICMP echo from INNER-SRC
to INNER-DST), then sends COUNT of each kind:
  valid      the packet as built (must be accepted: proves the forger is right)
  flipped    one bit of the ciphertext flipped (integrity check must fail: "icv")
  truncated  cut to 12 bytes after the IP header (shorter than ESP can be: "runt")
  wrong-spi  SPI+1000 (no such SA: "no-sa")
  garbage    random bytes as protocol 50 (SPI random: "no-sa", or "runt")
  outside    valid ESP whose inner packet is outside the SA's flow ("selector")
Sequence numbers are SEQ + 100 * (index of the kind) + i, or with --seqs N1,N2,... exactly
those, one packet of each kind per number, in that order (anti-replay tests; the inner ICMP
sequence number is the ESP one modulo 2^16, to tell the packets apart at the far end).
Prints one line per kind.  Run with Debian's /usr/bin/python3 inside the attacker namespace.
"""

import argparse
import os
import sys

from scapy.config import conf
from scapy.layers.inet import ICMP, IP
from scapy.packet import Raw
from scapy.sendrecv import send
from scapy.layers.ipsec import ESP, SecurityAssociation

conf.verb = 0


def hexkey(s):
    return bytes.fromhex(s) if s else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for k in ("iface", "src", "dst", "crypt", "auth", "inner-src", "inner-dst"):
        ap.add_argument("--" + k, required=True)
    ap.add_argument("--crypt-key", default="")
    ap.add_argument("--auth-key", default="")
    ap.add_argument("--spi", type=int, required=True)
    ap.add_argument("--seq", type=int, default=4000000000)
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--seqs", default="", help="comma-separated sequence numbers to use")
    ap.add_argument("--kinds", default="valid,flipped,truncated,wrong-spi,garbage,outside")
    a = ap.parse_args()

    sa = SecurityAssociation(ESP, spi=a.spi, crypt_algo=a.crypt, crypt_key=hexkey(a.crypt_key),
                             auth_algo=a.auth, auth_key=hexkey(a.auth_key),
                             tunnel_header=IP(src=a.src, dst=a.dst))
    outer = IP(src=a.src, dst=a.dst, proto=50)

    def esp(inner_src, inner_dst, seq):
        inner = IP(src=inner_src, dst=inner_dst) / ICMP(id=0xF0F0, seq=seq & 0xFFFF) / b"forged"
        return sa.encrypt(inner, seq_num=seq)

    kinds = a.kinds.split(",")
    fixed = [int(x) for x in a.seqs.split(",")] if a.seqs else []
    for kind in kinds:
        pkts = []
        seqs = fixed or [a.seq + 100 * kinds.index(kind) + i for i in range(a.count)]
        for seq in seqs:
            p = esp(a.inner_src, a.inner_dst, seq)
            body = bytes(p[ESP])
            if kind == "flipped":
                b = bytearray(body)
                b[len(b) // 2] ^= 0x10
                body = bytes(b)
            elif kind == "truncated":
                body = body[:12]
            elif kind == "wrong-spi":
                body = (a.spi + 1000).to_bytes(4, "big") + body[4:]
            elif kind == "garbage":
                body = os.urandom(64)
            elif kind == "outside":
                body = bytes(esp("203.0.113.7", a.inner_dst, seq)[ESP])
            pkts.append(outer / Raw(body))
        send(pkts, iface=a.iface, inter=0.01)
        print("sent %d %s (seq %s)" % (len(pkts), kind, ",".join(str(x) for x in seqs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
