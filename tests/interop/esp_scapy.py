#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ESP against an independent implementation: scapy's SecurityAssociation (Debian python3-scapy).

  usage: esp_scapy.py PATH/TO/esp_vectors

1. ours -> scapy: every packet `esp_vectors` encapsulates is opened by scapy in tunnel mode and
   the inner packet must equal the original, byte for byte.
2. scapy -> ours: for every transform scapy builds packets that `esp_vectors --decap` must open
   to the same inner packet; one forged packet per transform with integrity must be dropped.

Where scapy 2.5 has no algorithm (AES-GMAC, RFC 4543; the RFC 1829 format, which has no
sequence number) or ignores ESN (its HMAC over ESP leaves out the high 32 bits, RFC 4303
App. A2.2), the script does that step itself with python3-cryptography and hmac, outside our
code: framing, padding and ICV coverage are then checked by code other than ours.
"""
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys
import warnings
from collections import defaultdict

warnings.filterwarnings("ignore")  # cryptography: TripleDES/DES deprecation

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305  # noqa: E402
from scapy.layers.inet import ICMP, IP, UDP  # noqa: E402
from scapy.layers.ipsec import ESP, SecurityAssociation  # noqa: E402
from scapy.packet import Raw  # noqa: E402

CRYPT = {
    "esp-null": "NULL", "esp-des": "DES", "esp-3des": "3DES", "esp-aes": "AES-CBC",
    "esp-gcm": "AES-GCM", "esp-chacha20-poly1305": "CHACHA20-POLY1305",
}
AUTH = {
    "none": (None, None, 0),
    "md5-hmac": ("HMAC-MD5-96", hashlib.md5, 12),
    "sha-hmac": ("HMAC-SHA1-96", hashlib.sha1, 12),
    "sha256-hmac": ("SHA2-256-128", hashlib.sha256, 16),
    "sha384-hmac": ("SHA2-384-192", hashlib.sha384, 24),
    "sha512-hmac": ("SHA2-512-256", hashlib.sha512, 32),
}
OUTER = dict(src="198.51.100.1", dst="198.51.100.2")


def tname(v):
    """A transform's name for the report: cipher/key bytes[/iv] auth."""
    n = "%s/%d" % (v["cipher"], len(v["ckey"]) // 2)
    if v.get("iv_size"):
        n += "/iv%d" % v["iv_size"]
    return n + " " + v["auth"]


def seq_hi(seq):
    return struct.pack("!I", seq >> 32)


def trailer_strip(pt, check_pad):
    """Payload and next header of a decrypted Payload .. Next Header (RFC 4303 §2.4)."""
    padlen, nh = pt[-2], pt[-1]
    if padlen + 2 > len(pt):
        raise ValueError("pad length %d past the start" % padlen)
    pad = pt[len(pt) - 2 - padlen:len(pt) - 2]
    if check_pad and pad != bytes(range(1, padlen + 1)):
        raise ValueError("padding %s is not 1, 2, 3, ..." % pad.hex())
    return pt[:len(pt) - 2 - padlen], nh


def icv_check(v, esp):
    """HMAC ICV over ESP header .. Next Header || Seq# high (ESN), by hand."""
    _, h, n = AUTH[v["auth"]]
    ak = bytes.fromhex(v["akey"])
    data = esp[:-n] + (seq_hi(v["seq"]) if v["esn"] else b"")
    if not hmac.compare_digest(hmac.new(ak, data, h).digest()[:n], esp[-n:]):
        raise ValueError("ICV")
    return esp[:-n]


def open_gmac(v, esp):
    """RFC 4543 §3: AAD = SPI || [Seq# high] || Seq# low || IV || payload .. Next Header."""
    k = bytes.fromhex(v["ckey"])
    spi, seq_lo, iv, body, icv = esp[:4], esp[4:8], esp[8:16], esp[16:-16], esp[-16:]
    aad = spi + (seq_hi(v["seq"]) if v["esn"] else b"") + seq_lo + iv + body
    AESGCM(k[:-4]).decrypt(k[-4:] + iv, icv, aad)  # raises InvalidTag
    return trailer_strip(body, True)


def open_rfc1829(v, esp):
    """RFC 1829 §2: SPI | IV (4: IV || ~IV) | DES-CBC(payload | padding | len | type)."""
    n = v["iv_size"]
    iv = esp[4:4 + n]
    if n == 4:
        iv += bytes(b ^ 0xFF for b in iv)
    d = Cipher(algorithms.TripleDES(bytes.fromhex(v["ckey"])), modes.CBC(iv)).decryptor()
    return trailer_strip(d.update(esp[4 + n:]) + d.finalize(), False)


def sa_of(v, auth=True):
    ak = bytes.fromhex(v["akey"]) if v["akey"] else None
    return SecurityAssociation(
        ESP, spi=v["spi"], crypt_algo=CRYPT[v["cipher"]],
        crypt_key=bytes.fromhex(v["ckey"]) or None,
        auth_algo=AUTH[v["auth"]][0] if auth else None, auth_key=ak if auth else None,
        tunnel_header=IP(**OUTER), esn_en=v["esn"], esn=v["seq"] >> 32)


def plaintext_of(v, esp):
    """Payload .. Next Header decrypted with python3-cryptography: scapy does not show the
    padding (its _ESPPlain.padding is cut from the wrong place), and RFC 4303 §2.4 wants 1, 2,
    3, ... from us."""
    k = bytes.fromhex(v["ckey"])
    c = v["cipher"]
    ivn = {"esp-null": 0, "esp-des": 8, "esp-3des": 8, "esp-aes": 16}.get(c, 8)
    icvn = AUTH[v["auth"]][2] if c in ("esp-null", "esp-des", "esp-3des", "esp-aes") else 16
    iv, ct = esp[8:8 + ivn], esp[8 + ivn:len(esp) - icvn]
    if c == "esp-null":
        return ct
    if c in ("esp-des", "esp-3des", "esp-aes"):
        alg = algorithms.AES(k) if c == "esp-aes" else algorithms.TripleDES(k)
        d = Cipher(alg, modes.CBC(iv)).decryptor()
        return d.update(ct) + d.finalize()
    aad = esp[:4] + (seq_hi(v["seq"]) if v["esn"] else b"") + esp[4:8]
    aead = AESGCM(k[:-4]) if c == "esp-gcm" else ChaCha20Poly1305(k[:-4])
    return aead.decrypt(k[-4:] + iv, ct + esp[len(esp) - 16:], aad)


def open_scapy(v, esp):
    """Tunnel-mode ESP through scapy; the HMAC of an ESN SA checked by hand first."""
    pkt = IP(bytes(IP(proto=50, **OUTER) / Raw(esp)))
    verify = True
    if v["esn"] and v["auth"] != "none":
        icv_check(v, esp)
        verify = False
    inner = bytes(sa_of(v).decrypt(pkt, verify=verify))
    inner2, nh = trailer_strip(plaintext_of(v, esp), True)
    if inner2 != inner:
        raise ValueError("scapy and python3-cryptography disagree")
    return inner, nh


def ours_to_them(vecs):
    res = defaultdict(lambda: [0, 0])
    for v in vecs:
        esp = bytes.fromhex(v["esp"])
        t = tname(v)
        try:
            if v["cipher"] == "esp-gmac":
                inner, nh = open_gmac(v, esp)
            elif v["cipher"] == "esp-rfc1829":
                inner, nh = open_rfc1829(v, esp)
            else:
                inner, nh = open_scapy(v, esp)
            if nh is not None and nh != 4:
                raise ValueError("next header %d" % nh)
            if inner != bytes.fromhex(v["inner"]):
                raise ValueError("inner packet differs")
            res[t][0] += 1
        except Exception as e:  # noqa: BLE001 - any failure is a finding
            res[t][1] += 1
            print("FAIL ours->them %s seq %d: %s: %s" % (t, v["seq"], type(e).__name__, e))
    return res


def inners():
    pkts = [IP(src="192.0.2.1", dst="192.0.2.129") / ICMP() / Raw(b"ping" * 14),
            IP(src="192.0.2.2", dst="192.0.2.130", id=7) / UDP(sport=53, dport=5353)]
    for n in (1, 13, 200, 1300):
        pkts.append(IP(src="192.0.2.3", dst="192.0.2.131") / UDP() / Raw(os.urandom(n)))
    return [bytes(p) for p in pkts]


def pad4(body, block):
    padlen = -(len(body) + 2) % block
    return body + bytes(range(1, padlen + 1)) + bytes([padlen, 4])


def build_gmac(v, inner):
    k = bytes.fromhex(v["ckey"])
    hdr = struct.pack("!II", v["spi"], v["seq"] & 0xFFFFFFFF)
    iv = os.urandom(8)
    body = pad4(inner, 4)
    aad = hdr[:4] + (seq_hi(v["seq"]) if v["esn"] else b"") + hdr[4:] + iv + body
    return hdr + iv + body + AESGCM(k[:-4]).encrypt(k[-4:] + iv, b"", aad)


def build_rfc1829(v, inner):
    n = v["iv_size"]
    iv = os.urandom(n)
    full = iv + bytes(b ^ 0xFF for b in iv) if n == 4 else iv
    padlen = -(len(inner) + 2) % 8
    pt = inner + os.urandom(padlen) + bytes([padlen, 4])  # RFC 1829: padding is arbitrary
    e = Cipher(algorithms.TripleDES(bytes.fromhex(v["ckey"])), modes.CBC(full)).encryptor()
    return struct.pack("!I", v["spi"]) + iv + e.update(pt) + e.finalize()


def build_scapy(v, inner):
    hmac_esn = v["esn"] and v["auth"] != "none"
    out = sa_of(v, auth=not hmac_esn).encrypt(IP(inner), seq_num=v["seq"] & 0xFFFFFFFF)
    esp = bytes(out[ESP])
    if hmac_esn:  # scapy's ESP HMAC leaves out Seq# high: add the ICV by hand
        _, h, n = AUTH[v["auth"]]
        esp += hmac.new(bytes.fromhex(v["akey"]), esp + seq_hi(v["seq"]), h).digest()[:n]
    return esp


def them_to_ours(vecs, prog):
    transforms = {}
    for v in vecs:
        transforms.setdefault(tname(v), v)
    reqs, want = [], {}
    for t, v in sorted(transforms.items()):
        seqs = [(1, False), (2, False), (0xFFFFFFFF, False)]
        if v["cipher"] != "esp-rfc1829":
            seqs.append((0x0000000200000001, True))
        for i, inner in enumerate(inners()):
            for seq, esn in seqs:
                r = dict(v, seq=seq, esn=esn, spi=0x5000 + len(reqs))
                if v["cipher"] == "esp-gmac":
                    esp = build_gmac(r, inner)
                elif v["cipher"] == "esp-rfc1829":
                    esp = build_rfc1829(r, inner)
                else:
                    esp = build_scapy(r, inner)
                rid = "%d" % len(reqs)
                reqs.append(dict(id=rid, cipher=r["cipher"], auth=r["auth"], ckey=r["ckey"],
                                 akey=r["akey"], iv_size=r.get("iv_size", 0), seq=seq,
                                 esn=esn, esp=esp.hex()))
                want[rid] = (t, "none", inner)
                integrity = v["auth"] != "none" or v["cipher"] in (
                    "esp-gcm", "esp-gmac", "esp-chacha20-poly1305")
                if integrity and i == 2 and not esn:  # one forgery per transform and seq
                    bad = bytearray(esp)
                    bad[len(bad) // 2] ^= 0x10
                    rid = "%d" % len(reqs)
                    reqs.append(dict(reqs[-1], id=rid, esp=bad.hex()))
                    want[rid] = (t, "icv", None)
    out = subprocess.run([prog, "--decap"], input="".join(json.dumps(r) + "\n" for r in reqs),
                         capture_output=True, text=True, check=True).stdout
    res = defaultdict(lambda: [0, 0])
    seen = 0
    for line in out.splitlines():
        a = json.loads(line)
        t, drop, inner = want[a["id"]]
        seen += 1
        ok = a.get("drop") == drop and (
            inner is None or (a.get("nh") == 4 and bytes.fromhex(a["inner"]) == inner))
        res[t][0 if ok else 1] += 1
        if not ok:
            print("FAIL them->ours %s id %s: want %s, got %s" % (t, a["id"], drop, a))
    if seen != len(reqs):
        print("FAIL them->ours: %d answers for %d packets" % (seen, len(reqs)))
        res["(missing answers)"][1] += len(reqs) - seen
    return res


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    prog = sys.argv[1]
    vecs = [json.loads(line) for line in subprocess.run(
        [prog], capture_output=True, text=True, check=True).stdout.splitlines()]
    mine = ours_to_them(vecs)
    theirs = them_to_ours(vecs, prog)
    failed = 0
    print("%-34s %14s %14s" % ("transform", "ours->them", "them->ours"))
    for t in sorted(set(mine) | set(theirs)):
        a, b = mine[t], theirs[t]
        failed += a[1] + b[1]
        print("%-34s %8d ok %2d %8d ok %2d" % (t, a[0], a[1], b[0], b[1]))
    print("%d transforms, %d packets ours->them, %d them->ours, %d failed" % (
        len(set(mine) | set(theirs)), sum(x[0] + x[1] for x in mine.values()),
        sum(x[0] + x[1] for x in theirs.values()), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
