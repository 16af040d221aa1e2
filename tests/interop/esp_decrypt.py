#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
r"""Decrypt the ESP packets of one SA in a pcap with scapy, as an independent check of our ESP.

    esp_decrypt.py CAPTURE --spi 1000 --crypt AES-CBC --crypt-key HEX \
                   --auth HMAC-SHA1-96 --auth-key HEX [--max N] \
                   [--expect-src 192.0.2.0/24] [--expect-dst 192.0.2.0/24] [--quiet]

Tunnel mode (RFC 4303 section 3.1.2): every ESP packet of that SPI must pass its ICV check,
decrypt, and carry an inner IPv4 packet (next header 4); with --expect-src/--expect-dst its inner
addresses must lie in those prefixes.  Prints one line per packet (frame, ESP sequence number,
inner src > dst, protocol) and a summary.  Exit status: 0 when at least one packet decrypted and
none failed, 1 when any failed, 2 when no ESP packet of that SPI was found.

Algorithm names are scapy's (AES-CBC, AES-GCM, AES-CTR, 3DES, DES, NULL; HMAC-SHA1-96,
SHA2-256-128, HMAC-MD5-96, NULL) or the IOS transform names (esp-aes, esp-sha-hmac, ...).
Runs with Debian's /usr/bin/python3 and python3-scapy (+ python3-cryptography).
"""

import argparse
import ipaddress
import sys

from scapy.config import conf  # noqa: E402
from scapy.layers.inet import IP  # noqa: E402
from scapy.utils import PcapReader  # noqa: E402
from scapy.layers.ipsec import ESP, IPSecIntegrityError, SecurityAssociation

conf.verb = 0

IOS_CRYPT = {"esp-aes": "AES-CBC", "esp-des": "DES", "esp-3des": "3DES", "esp-null": "NULL",
             "esp-gcm": "AES-GCM"}
IOS_AUTH = {"esp-sha-hmac": "HMAC-SHA1-96", "esp-md5-hmac": "HMAC-MD5-96",
            "esp-sha256-hmac": "SHA2-256-128", "none": "NULL"}
PROTO = {1: "icmp", 6: "tcp", 17: "udp", 50: "esp"}


def hexkey(s):
    """A key as hex, with or without 0x; empty for NULL algorithms."""
    s = (s or "").lower().removeprefix("0x")
    return bytes.fromhex(s) if s else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pcap")
    ap.add_argument("--spi", required=True, type=lambda v: int(v, 0))
    ap.add_argument("--crypt", required=True)
    ap.add_argument("--crypt-key", default="")
    ap.add_argument("--auth", default="NULL")
    ap.add_argument("--auth-key", default="")
    ap.add_argument("--max", type=int, default=0, help="stop after N packets of the SA (0: all)")
    ap.add_argument("--expect-src", type=ipaddress.ip_network)
    ap.add_argument("--expect-dst", type=ipaddress.ip_network)
    ap.add_argument("--quiet", action="store_true", help="print only failures and the summary")
    a = ap.parse_args()

    crypt = IOS_CRYPT.get(a.crypt.lower(), a.crypt)
    auth = IOS_AUTH.get(a.auth.lower(), a.auth)
    # Any tunnel_header makes scapy strip the outer header and return the inner packet.
    sa = SecurityAssociation(ESP, spi=a.spi, crypt_algo=crypt, crypt_key=hexkey(a.crypt_key),
                             auth_algo=auth, auth_key=hexkey(a.auth_key), tunnel_header=IP())

    seen = ok = bad = 0
    for frame, pkt in enumerate(PcapReader(a.pcap), 1):
        if IP not in pkt or ESP not in pkt or pkt[ESP].spi != a.spi:
            continue
        seen += 1
        outer = pkt[IP].copy()
        seq = pkt[ESP].seq
        why = None
        try:
            inner = sa.decrypt(outer)
            if not isinstance(inner, IP):
                why = "inner packet is not IPv4 (%s)" % type(inner).__name__
            elif a.expect_src and ipaddress.ip_address(inner.src) not in a.expect_src:
                why = "inner src %s outside %s" % (inner.src, a.expect_src)
            elif a.expect_dst and ipaddress.ip_address(inner.dst) not in a.expect_dst:
                why = "inner dst %s outside %s" % (inner.dst, a.expect_dst)
        except IPSecIntegrityError as e:
            why = "ICV check failed: %s" % e
        except Exception as e:  # a malformed trailer, a wrong key length, ...
            why = "cannot decrypt: %s: %s" % (type(e).__name__, e)
        if why:
            bad += 1
            print("frame %d seq %d: FAIL %s" % (frame, seq, why))
        else:
            ok += 1
            if not a.quiet:
                print("frame %d seq %d: %s > %s %s len %d" % (
                    frame, seq, inner.src, inner.dst, PROTO.get(inner.proto, inner.proto),
                    inner.len))
        if a.max and seen >= a.max:
            break

    print("spi %d (0x%08x): %d ESP packets, %d decrypted, %d failed" % (
        a.spi, a.spi, seen, ok, bad))
    if seen == 0:
        return 2
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
