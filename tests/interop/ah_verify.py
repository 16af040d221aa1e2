#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
r"""Verify the AH packets of one SA in a pcap with scapy, an implementation independent of ours.

    ah_verify.py CAPTURE --spi 2000 --auth HMAC-SHA1-96 --auth-key HEX [--quiet]

Every AH packet (protocol 51) with that SPI must pass scapy's ICV check (RFC 4302: over the
IP header with mutable fields zeroed, the AH header and the payload; a tunnel-mode inner
packet, ESP of a bundle, or a transport payload alike).  Exit 0 when at least one verified
and none failed, 1 when any failed, 2 when none was found.  Algorithm names are scapy's
(HMAC-SHA1-96, HMAC-MD5-96, SHA2-256-128, SHA2-384-192, SHA2-512-256) or IOS's (ah-sha-hmac...).
"""

import argparse
import sys

from scapy.config import conf
from scapy.layers.inet import IP
from scapy.utils import PcapReader
from scapy.layers.ipsec import AH, IPSecIntegrityError, SecurityAssociation

conf.verb = 0
IOS = {"ah-sha-hmac": "HMAC-SHA1-96", "ah-md5-hmac": "HMAC-MD5-96",
       "ah-sha256-hmac": "SHA2-256-128", "ah-sha384-hmac": "SHA2-384-192",
       "ah-sha512-hmac": "SHA2-512-256"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("capture")
    ap.add_argument("--spi", type=int, required=True)
    ap.add_argument("--auth", required=True)
    ap.add_argument("--auth-key", required=True)
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    sa = SecurityAssociation(AH, spi=a.spi, auth_algo=IOS.get(a.auth, a.auth),
                             auth_key=bytes.fromhex(a.auth_key))
    ok = bad = 0
    for frame in PcapReader(a.capture):
        if IP not in frame or frame[IP].proto != 51 or AH not in frame or frame[AH].spi != a.spi:
            continue
        ip = IP(bytes(frame[IP]))
        try:
            inner = sa.decrypt(ip)
            ok += 1
            if not a.quiet:
                print("seq %d ok: next %s" % (ip[AH].seq, inner.summary()))
        except IPSecIntegrityError as e:
            bad += 1
            print("seq %d: ICV FAILED (%s)" % (ip[AH].seq, e))
    print("AH SPI %d: %d verified, %d failed" % (a.spi, ok, bad))
    return 2 if ok + bad == 0 else (1 if bad else 0)


if __name__ == "__main__":
    sys.exit(main())
