#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
r"""ESP datagrams longer than datad's receive buffer (PKT_MAX, 2048 bytes), and runts.

    esp_oversize.py --iface wan0 --src 198.51.100.1 --dst 198.51.100.2 --spi 1000 \
        --crypt-key HEX --auth-key HEX --kind prefix|jumbo|runt --count N

With the real keys (AES-CBC, HMAC-SHA1-96) scapy builds tunnel-mode ESP whose inner packet is
an ICMP echo 192.0.2.10 -> 192.0.2.130, id 0xf0f0, and sends COUNT of one kind, in fragments
(the gateway's kernel reassembles them before its raw socket sees the datagram):
  prefix  a 65000-byte datagram whose first 2048 bytes are a valid ESP packet on their own (an
          outer header with 8 bytes of options: 28 + 8 + 16 IV + 1984 + 12 ICV), the rest junk
          that no ICV covers: taken for the packet if the read is not checked for truncation
  jumbo   a valid ESP packet of 3000 bytes (a peer with a jumbo MTU): longer than the buffer
  runt    protocol 50 with 2 bytes of payload: too short for an SPI
Run with Debian's /usr/bin/python3 inside the attacker namespace.
"""

import argparse
import sys

from scapy.config import conf
from scapy.layers.inet import ICMP, IP, IPOption_NOP, fragment
from scapy.packet import Raw
from scapy.sendrecv import send
from scapy.layers.ipsec import ESP, SecurityAssociation

conf.verb = 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for k in ("iface", "src", "dst", "crypt-key", "auth-key", "kind"):
        ap.add_argument("--" + k, required=True)
    ap.add_argument("--spi", type=int, required=True)
    ap.add_argument("--count", type=int, default=3)
    ap.add_argument("--seq", type=int, default=3000000000)
    a = ap.parse_args()

    sa = SecurityAssociation(ESP, spi=a.spi, crypt_algo="AES-CBC",
                             crypt_key=bytes.fromhex(a.crypt_key), auth_algo="HMAC-SHA1-96",
                             auth_key=bytes.fromhex(a.auth_key),
                             tunnel_header=IP(src=a.src, dst=a.dst))
    pkts = []
    for i in range(a.count):
        seq = a.seq + i
        if a.kind == "runt":
            pkts.append(IP(src=a.src, dst=a.dst, proto=50) / Raw(b"\x00\x01"))
            continue
        size = 1982 if a.kind == "prefix" else 2900
        inner = IP(src="192.0.2.10", dst="192.0.2.130") / ICMP(id=0xF0F0, seq=i) / \
            Raw(b"x" * (size - 28))
        body = bytes(sa.encrypt(inner, seq_num=seq)[ESP])
        if a.kind == "prefix":
            outer = IP(src=a.src, dst=a.dst, proto=50, options=[IPOption_NOP()] * 8)
            assert len(bytes(outer / Raw(body))) == 2048, len(bytes(outer / Raw(body)))
            p = IP(bytes(outer / Raw(body + b"\xa5" * (65000 - 2048))))
            assert p.len == 65000
        else:
            p = IP(src=a.src, dst=a.dst, proto=50) / Raw(body)
        pkts.extend(fragment(p, fragsize=1400))
    send(pkts, iface=a.iface, inter=0.002)
    print("sent %d %s (%d frames)" % (a.count, a.kind, len(pkts)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
