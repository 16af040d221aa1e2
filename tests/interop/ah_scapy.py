#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""AH, ESP transport mode and AH+ESP bundles against independent implementations: scapy's
SecurityAssociation (Debian python3-scapy), hashlib for RFC 1828, tshark's dissectors.

  usage: ah_scapy.py PATH/TO/esp_vectors

1. ours -> them: every whole IPv4 packet `esp_vectors --ipsec` makes (AH alone, ESP in
   transport mode, AH+ESP bundles; tunnel and transport mode; ESN too) is checked layer by
   layer: RFC 4302 AH by scapy's AH SA (the ICV over the header with TOS, flags, TTL, checksum
   and mutable options zeroed, the ESN high bits appended), also after a "router" has changed
   TTL, DSCP/ECN and DF; ah-rfc1828 by an RFC 1826/1828 computation here (MD5(key, keyfill,
   datagram, key) with only TTL and checksum zeroed, the RFC 1826 header with no Seq#);
   ESP by scapy (transport or tunnel SA) or, for esp-rfc1829, by python3-cryptography; the
   padding too.  What comes out must equal the original packet.
2. them -> ours: for every combination scapy (or this script, for RFC 1826/1829) builds
   packets, ESP first and AH over it, a router changes TTL (and DSCP/ECN for RFC 4302 AH), and
   `esp_vectors --ipsec-decap` must give back the inner packet (tunnel) or the original packet
   as received (transport); a forged copy of each must be dropped ("icv").
3. tshark: a sample of our packets is dissected by tshark 4.0 (AH has no ICV check there; ESP is
   decrypted and its ICV checked with the keys, except ChaCha20-Poly1305, which it lacks): no
   malformed packet, the SPIs and sequence numbers we sent, the inner protocol found.
"""
import hashlib
import hmac
import json
import os
import struct
import subprocess
import sys
import tempfile
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import esp_scapy as E  # noqa: E402  (same directory: ESP helpers, python3-cryptography)

from scapy.layers.inet import IP, UDP, ICMP, IPOption_RR, IPOption_Router_Alert  # noqa: E402
from scapy.layers.ipsec import AH, ESP, SecurityAssociation  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.utils import wrpcap  # noqa: E402

OUTER = dict(src="198.51.100.1", dst="198.51.100.2")
ESP_SPI, AH_SPI = 0x3000, 0x5100
IMMUTABLE_OPTS = (130, 133, 134, 148, 149)       # RFC 4302 App. A
MUTABLE_OPTS = (7, 68, 82, 131, 137)             # zeroed by RFC 4302 and (our reading) RFC 1826


def tname(v):
    esp = "-" if v["cipher"] == "none" else "%s/%d %s" % (v["cipher"], len(v["ckey"]) // 2,
                                                            v["auth"])
    if v.get("iv_size"):
        esp += "/iv%d" % v["iv_size"]
    ah = "-" if v["ah"] == "none" else "%s/%d" % (v["ah"], len(v["ahkey"]) // 2)
    return "%-9s ah %-15s esp %s" % (v["mode"], ah, esp)


def ip_fix(hdr, total, proto=None):
    """An IPv4 header with Total Length, protocol and checksum set."""
    h = bytearray(hdr)
    h[2:4] = struct.pack("!H", total)
    if proto is not None:
        h[9] = proto
    h[10:12] = b"\0\0"
    s = sum(struct.unpack("!%dH" % (len(h) // 2), bytes(h)))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    h[10:12] = struct.pack("!H", ~s & 0xFFFF)
    return bytes(h)


def ihl_of(pkt):
    return (pkt[0] & 15) * 4


def router(pkt, tos=True, df=True, ttl=5):
    """What a router on the way may do to the outer header: TTL, DSCP/ECN (RFC 4302 mutable
    fields), DF; and the checksum it then fixes."""
    b = bytearray(pkt)
    b[8] -= ttl
    if tos:
        b[1] = 0xB9                     # EF, ECN CE
    if df:
        b[6] |= 0x40
    return ip_fix(b[:ihl_of(b)], len(b)) + bytes(b[ihl_of(b):])


def seq_hi(seq):
    return struct.pack("!I", seq >> 32)


# --- RFC 1826 / RFC 1828, by the RFC text ---

def keyfill(key):
    """RFC 1828 §2: the key filled to 512 bits "using the same pad with length technique
    defined for MD5" (RFC 1321 §3.1-3.2)."""
    n = 64 - (len(key) + 8) % 64
    return b"\x80" + b"\0" * (n - 1) + struct.pack("<Q", len(key) * 8)


def rfc1826_zeroed(pkt):
    """The datagram as RFC 1826 authenticates it: TTL and checksum zero (the only fields of the
    IPv4 base header handled specially), mutable options zeroed, Authentication Data zero."""
    b = bytearray(pkt)
    ihl = ihl_of(b)
    b[8] = 0
    b[10:12] = b"\0\0"
    i = 20
    while i < ihl and b[i] != 0:
        if b[i] == 1:
            i += 1
            continue
        n = b[i + 1]
        if b[i] in MUTABLE_OPTS:
            b[i:i + n] = bytes(n)
        i += n
    b[ihl + 8:ihl + 24] = bytes(16)
    return bytes(b)


def rfc1828_md5(key, pkt):
    return hashlib.md5(key + keyfill(key) + rfc1826_zeroed(pkt) + key).digest()


def open_rfc1828(v, pkt):
    """Check an RFC 1826 AH with keyed MD5 and remove it: (header + payload, next header)."""
    key = bytes.fromhex(v["ahkey"])
    ihl = ihl_of(pkt)
    ah = pkt[ihl:ihl + 24]
    if pkt[9] != 51 or ah[1] != 4 or ah[2:4] != b"\0\0" or \
            struct.unpack("!I", ah[4:8])[0] != AH_SPI:
        raise ValueError("RFC 1826 header: %s" % ah[:8].hex())
    if not hmac.compare_digest(rfc1828_md5(key, pkt), ah[8:24]):
        raise ValueError("RFC 1828 keyed MD5 differs")
    rest = pkt[ihl + 24:]
    return ip_fix(pkt[:ihl], ihl + len(rest), ah[0]) + rest


def build_rfc1828(v, pkt):
    """Insert an RFC 1826 AH with keyed MD5 into the whole packet pkt."""
    key = bytes.fromhex(v["ahkey"])
    ihl = ihl_of(pkt)
    ah = bytes([pkt[9], 4, 0, 0]) + struct.pack("!I", AH_SPI) + bytes(16)
    out = ip_fix(pkt[:ihl], len(pkt) + 24, 51) + ah + pkt[ihl:]
    icv = rfc1828_md5(key, out)
    return out[:ihl + 8] + icv + out[ihl + 24:]


# --- RFC 4302 AH through scapy ---

def ah_sa(v):
    a = E.AUTH[v["ah"]][0]
    return SecurityAssociation(AH, spi=AH_SPI, auth_algo=a, auth_key=bytes.fromhex(v["ahkey"]),
                               esn_en=v["esn"], esn=v["seq"] >> 32)


def open_ah(v, pkt, check_router=True):
    """AH off the whole packet: (IPv4 packet without AH, its next header)."""
    if v["ah"] in ("rfc1828",):
        out = open_rfc1828(v, pkt)
        if check_router:                 # TTL only: RFC 1826 covers TOS and flags
            open_rfc1828(v, router(pkt, tos=False, df=False))
        return out
    if check_router:
        ah_sa(v).decrypt(IP(router(pkt)))
    ah = pkt[ihl_of(pkt):]
    want_len = (12 + E.AUTH[v["ah"]][2]) // 4 - 2
    if ah[1] != want_len or struct.unpack("!II", ah[4:12]) != (AH_SPI, v["seq"] & 0xFFFFFFFF):
        raise ValueError("AH header %s" % ah[:12].hex())
    return bytes(ah_sa(v).decrypt(IP(pkt)))


def build_ah(v, pkt):
    if v["ah"] == "rfc1828":
        return build_rfc1828(v, pkt)
    if pkt[9] != 50:
        return bytes(ah_sa(v).encrypt(IP(pkt), seq_num=v["seq"] & 0xFFFFFFFF))
    # An ESP inside: scapy 2.5's AuthAlgo.sign() looks for an ESP layer first and would sign
    # the packet as ESP, so the layers are put together here, the payload kept Raw, and sign()
    # does the AH work (zero_mutable_fields, HMAC, ESN) as encrypt() would.
    sa = ah_sa(v)
    ihl = ihl_of(pkt)
    ah = AH(nh=50, spi=AH_SPI, seq=v["seq"] & 0xFFFFFFFF, icv=bytes(sa.auth_algo.icv_size))
    ah.payloadlen = len(ah) // 4 - 2
    hdr = IP(ip_fix(pkt[:ihl], len(pkt) + len(ah), 51))
    out = sa.auth_algo.sign(hdr / ah / Raw(pkt[ihl:]), sa.auth_key, esn_en=v["esn"],
                            esn=v["seq"] >> 32)
    return bytes(out)


# --- ESP, tunnel and transport ---

def esp_v(v):
    """The fields esp_scapy's helpers want."""
    return dict(spi=ESP_SPI, cipher=v["cipher"], ckey=v["ckey"], auth=v["auth"],
                akey=v["akey"], iv_size=v.get("iv_size", 0), seq=v["seq"], esn=v["esn"])


def esp_sa(v, tunnel, auth=True):
    ev = esp_v(v)
    return SecurityAssociation(
        ESP, spi=ESP_SPI, crypt_algo=E.CRYPT[ev["cipher"]],
        crypt_key=bytes.fromhex(ev["ckey"]) or None,
        auth_algo=E.AUTH[ev["auth"]][0] if auth else None,
        auth_key=bytes.fromhex(ev["akey"]) if auth and ev["akey"] else None,
        tunnel_header=IP(**OUTER) if tunnel else None, esn_en=ev["esn"], esn=ev["seq"] >> 32)


def open_esp(v, pkt):
    """ESP off the whole packet: the inner packet (tunnel) or the restored packet."""
    ev = esp_v(v)
    ihl = ihl_of(pkt)
    esp = pkt[ihl:]
    if pkt[9] != 50:
        raise ValueError("protocol %d, not ESP" % pkt[9])
    if ev["cipher"] == "esp-rfc1829":
        payload, nh = E.open_rfc1829(ev, esp)
    else:
        if ev["esn"] and ev["auth"] != "none":
            E.icv_check(ev, esp)         # scapy leaves the ESN out of an ESP HMAC
        verify = not (ev["esn"] and ev["auth"] != "none")
        if v["mode"] == "tunnel":
            payload, nh = E.open_scapy(ev, esp)
        else:
            dec = bytes(esp_sa(v, False).decrypt(IP(pkt), verify=verify))
            payload, nh = E.trailer_strip(E.plaintext_of(ev, esp), True)
            if dec[ihl:] != payload or dec[9] != nh:
                raise ValueError("scapy and python3-cryptography disagree")
    if v["mode"] == "tunnel":
        if nh != 4:
            raise ValueError("next header %d in tunnel mode" % nh)
        return payload
    return ip_fix(pkt[:ihl], ihl + len(payload), nh) + payload


def build_1829(v, pkt, nh):
    ev = esp_v(v)
    if nh == 4:
        return E.build_rfc1829(ev, pkt)
    esp = bytearray(E.build_rfc1829(ev, pkt))     # next header 4 inside: redo with nh
    n = ev["iv_size"]
    iv = bytes(esp[4:4 + n])
    full = iv + bytes(b ^ 0xFF for b in iv) if n == 4 else iv
    padlen = -(len(pkt) + 2) % 8
    pt = pkt + os.urandom(padlen) + bytes([padlen, nh])
    c = E.Cipher(E.algorithms.TripleDES(bytes.fromhex(ev["ckey"])), E.modes.CBC(full))
    e = c.encryptor()
    return struct.pack("!I", ESP_SPI) + iv + e.update(pt) + e.finalize()


def build_esp(v, pkt):
    """ESP over pkt: tunnel mode (a new outer header, protocol 50) or transport mode."""
    tunnel = v["mode"] == "tunnel"
    ev = esp_v(v)
    ihl = ihl_of(pkt)
    if ev["cipher"] == "esp-rfc1829":
        if tunnel:
            esp = build_1829(v, pkt, 4)
            hdr = bytes(IP(proto=50, id=7, **OUTER))[:20]
        else:
            esp = build_1829(v, pkt[ihl:], pkt[9])
            hdr = pkt[:ihl]
        return ip_fix(hdr, len(hdr) + len(esp), 50) + esp
    hmac_esn = ev["esn"] and ev["auth"] != "none"
    out = bytes(esp_sa(v, tunnel, auth=not hmac_esn).encrypt(IP(pkt),
                                                           seq_num=ev["seq"] & 0xFFFFFFFF))
    hdr, esp = out[:ihl_of(out)], out[ihl_of(out):]
    if hmac_esn:                         # the ICV over ESP || Seq# high, by hand
        _, h, n = E.AUTH[ev["auth"]]
        esp += hmac.new(bytes.fromhex(ev["akey"]), esp + seq_hi(ev["seq"]), h).digest()[:n]
    return ip_fix(hdr, len(hdr) + len(esp), 50) + esp


# --- the two directions ---

def open_all(v, pkt):
    """What a receiver does: AH first, then ESP; the inner or restored packet."""
    if v["ah"] != "none":
        pkt = open_ah(v, pkt)
    if v["cipher"] != "none":
        return open_esp(v, pkt)
    if v["mode"] == "tunnel":
        if pkt[9] != 4:
            raise ValueError("AH next header %d in tunnel mode" % pkt[9])
        return pkt[ihl_of(pkt):]
    return pkt


def ours_to_them(vecs):
    res = defaultdict(lambda: [0, 0])
    for v in vecs:
        t = tname(v)
        try:
            out = open_all(v, bytes.fromhex(v["pkt"]))
            if out != bytes.fromhex(v["orig"]):
                raise ValueError("not the original packet:\n  %s\n  %s" % (
                    out.hex(), v["orig"]))
            res[t][0] += 1
        except Exception as e:  # noqa: BLE001 - any failure is a finding
            res[t][1] += 1
            print("FAIL ours->them %s seq %d: %s: %s" % (t, v["seq"], type(e).__name__, e))
    return res


def packets(mode):
    """What scapy sends: inner packets (tunnel) or packets between the peers (transport)."""
    if mode == "tunnel":
        return E.inners()[:4]
    return [bytes(IP(id=9, **OUTER) / UDP(sport=4000, dport=4001) / Raw(os.urandom(64))),
            bytes(IP(tos=0x2A, flags="DF", id=10, **OUTER) / ICMP() / Raw(b"x" * 300)),
            bytes(IP(id=11, options=[IPOption_RR(routers=["0.0.0.0", "0.0.0.0"]),
                                     IPOption_Router_Alert()], **OUTER) /
                  UDP(sport=4002, dport=4003) / Raw(os.urandom(1200)))]


def expect(v, orig, sent):
    """What ours must give back: the inner packet, or the original as the router left it."""
    if v["mode"] == "tunnel":
        return orig
    return ip_fix(sent[:2] + orig[2:6] + sent[6:9] + orig[9:ihl_of(orig)], len(orig)) + \
        orig[ihl_of(orig):]


def them_to_ours(vecs, prog):
    combos = {}
    for v in vecs:
        combos.setdefault(tname(v), v)
    reqs, want = [], {}
    for t, v in sorted(combos.items()):
        old = v["ah"] == "rfc1828" or v["cipher"] == "esp-rfc1829"
        seqs = [(1, False), (0xFFFFFFFF, False)] + ([] if old else [(0x0000000700000002, True)])
        for i, orig in enumerate(packets(v["mode"])):
            for seq, esn in seqs:
                r = dict(v, seq=seq, esn=esn)
                pkt = orig
                if v["cipher"] != "none":
                    pkt = build_esp(r, pkt)
                elif v["mode"] == "tunnel":
                    pkt = ip_fix(bytes(IP(id=8, **OUTER))[:20], 20 + len(pkt), 4) + pkt
                if v["ah"] != "none":
                    pkt = build_ah(r, pkt)
                pkt = router(pkt, tos=v["ah"] != "rfc1828", df=v["ah"] != "rfc1828")
                rid = str(len(reqs))
                reqs.append(dict(id=rid, mode=v["mode"], ah=v["ah"], ahkey=v["ahkey"],
                                 cipher=v["cipher"], ckey=v["ckey"], auth=v["auth"],
                                 akey=v["akey"], iv_size=v["iv_size"], seq=seq, esn=esn,
                                 pkt=pkt.hex()))
                want[rid] = (t, "none", expect(v, orig, pkt))
                integrity = v["ah"] != "none" or v["auth"] != "none" or v["cipher"] in (
                    "esp-gcm", "esp-chacha20-poly1305")
                if integrity and i == 1:            # a forgery in the payload
                    bad = bytearray(pkt)
                    bad[len(bad) - 40] ^= 0x04
                    rid = str(len(reqs))
                    reqs.append(dict(reqs[-1], id=rid, pkt=bad.hex()))
                    want[rid] = (t, "icv", None)
    out = subprocess.run([prog, "--ipsec-decap"],
                         input="".join(json.dumps(r) + "\n" for r in reqs),
                         capture_output=True, text=True, check=True).stdout
    res = defaultdict(lambda: [0, 0])
    seen = 0
    for line in out.splitlines():
        a = json.loads(line)
        t, drop, pkt = want[a["id"]]
        seen += 1
        ok = a.get("drop") == drop and (pkt is None or bytes.fromhex(a["out"]) == pkt)
        res[t][0 if ok else 1] += 1
        if not ok:
            print("FAIL them->ours %s id %s: want %s %s, got %s" % (
                t, a["id"], drop, pkt.hex() if pkt else "", a))
    if seen != len(reqs):
        print("FAIL them->ours: %d answers for %d packets" % (seen, len(reqs)))
        res["(missing answers)"][1] += len(reqs) - seen
    return res


# --- tshark ---

TSHARK_ENC = {"esp-aes": "AES-CBC [RFC3602]", "esp-gcm": "AES-GCM with 16 octet ICV [RFC4106]",
              "esp-null": "NULL", "esp-3des": "TripleDES-CBC [RFC2451]"}
TSHARK_AUTH = {"none": "NULL", "md5-hmac": "HMAC-MD5-96 [RFC2403]",
               "sha-hmac": "HMAC-SHA-1-96 [RFC2404]",
               "sha256-hmac": "HMAC-SHA-256-128 [RFC4868]",
               "sha384-hmac": "HMAC-SHA-384-192 [RFC4868]",
               "sha512-hmac": "HMAC-SHA-512-256 [RFC4868]"}
INNER_PROTO = {1: "icmp", 17: "udp", 6: "tcp"}


def tshark_check(vecs):
    """Our packets through tshark, one ESP transform at a time (the SPI is the same in all)."""
    groups = defaultdict(list)
    for v in vecs:
        if v["esn"]:
            continue                     # tshark 4.0's ESP has no ESN
        groups[(v["cipher"], v["ckey"], v["auth"], v["akey"])].append(v)
    res = defaultdict(lambda: [0, 0])
    with tempfile.TemporaryDirectory() as d:
        for (c, ck, a, ak), vs in sorted(groups.items()):
            path = os.path.join(d, "p.pcap")
            wrpcap(path, [IP(bytes.fromhex(v["pkt"])) for v in vs])
            opts = []
            decrypt = c != "none" and c in TSHARK_ENC
            if decrypt:
                opts = ["-o", "esp.enable_encryption_decode:TRUE",
                        "-o", "esp.enable_authentication_check:TRUE",
                        "-o", 'uat:esp_sa:"IPv4","*","*","0x%08x","%s","%s","%s","%s"' % (
                            ESP_SPI, TSHARK_ENC[c], "0x" + ck if ck else "",
                            TSHARK_AUTH[a], "0x" + ak if ak else "")]
            fields = ["frame.number", "_ws.malformed", "ah.spi", "ah.sequence", "ah.length",
                      "ah.next_header", "esp.spi", "esp.sequence", "esp.icv_good",
                      "esp.icv_bad", "esp.protocol"]
            # upper layers off: what matters is IP, AH and ESP, and an application dissector
            # guessing from the port (UDP 5001 = CPFI) must not call our payload malformed
            cmd = ["tshark", "-n", "-r", path, "--disable-protocol", "udp", "--disable-protocol",
                   "tcp", "--disable-protocol", "icmp"] + opts + ["-T", "fields", "-E",
                                                                   "separator=|",
                                                         "-E", "occurrence=a"]
            for f in fields:
                cmd += ["-e", f]
            out = subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()
            for v, line in zip(vs, out):
                t = tname(v)
                f = dict(zip(fields, line.split("|")))
                err = []
                if f["_ws.malformed"]:
                    err.append("malformed")
                if v["ah"] != "none":
                    if int(f["ah.spi"] or "0", 0) != AH_SPI:
                        err.append("AH SPI %s" % f["ah.spi"])
                    if v["ah"] != "rfc1828" and f["ah.sequence"] != str(v["seq"]):
                        err.append("AH sequence %s" % f["ah.sequence"])
                    if f["ah.length"] != "4" and v["ah"] in ("rfc1828", "md5-hmac",
                                                              "sha-hmac"):
                        err.append("AH length %s" % f["ah.length"])
                    want = "50" if c != "none" else "4" if v["mode"] == "tunnel" else str(
                        bytes.fromhex(v["orig"])[9])
                    if f["ah.next_header"] != want:
                        err.append("AH next header %s, want %s" % (f["ah.next_header"], want))
                if c != "none":
                    if int(f["esp.spi"] or "0", 0) != ESP_SPI:
                        err.append("ESP SPI %s" % f["esp.spi"])
                    if c != "esp-rfc1829" and f["esp.sequence"] != str(v["seq"]):
                        err.append("ESP sequence %s" % f["esp.sequence"])
                if decrypt:
                    if a != "none" and (f["esp.icv_good"] != "1" or f["esp.icv_bad"] != "0"):
                        err.append("ESP ICV not good (%s/%s)" % (f["esp.icv_good"],
                                                                 f["esp.icv_bad"]))
                    want = str(bytes.fromhex(v["orig"])[9]) if v["mode"] == "transport" else "4"
                    if int(f["esp.protocol"] or "-1", 0) != int(want) and want != "253":
                        # 253 (RFC 3692, experiments) with an empty payload: tshark 4.0 shows
                        # the decrypted bytes and a good ICV but no trailer fields
                        err.append("ESP next header %s, want %s" % (f["esp.protocol"], want))
                res[t][1 if err else 0] += 1
                if err:
                    print("FAIL tshark %s seq %d: %s" % (t, v["seq"], "; ".join(err)))
            if len(out) != len(vs):
                print("FAIL tshark: %d lines for %d packets" % (len(out), len(vs)))
                res["(tshark)"][1] += 1
    return res


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    prog = sys.argv[1]
    vecs = [json.loads(line) for line in subprocess.run(
        [prog, "--ipsec"], capture_output=True, text=True, check=True).stdout.splitlines()]
    mine = ours_to_them(vecs)
    theirs = them_to_ours(vecs, prog)
    shark = tshark_check(vecs)
    failed = 0
    print("%-62s %11s %11s %11s" % ("mode, AH, ESP", "ours->them", "them->ours", "tshark"))
    for t in sorted(set(mine) | set(theirs) | set(shark)):
        a, b, s = mine[t], theirs[t], shark[t]
        failed += a[1] + b[1] + s[1]
        print("%-62s %5d ok %2d %5d ok %2d %5d ok %2d" % (t, a[0], a[1], b[0], b[1], s[0],
                                                         s[1]))
    print("%d combinations, %d packets ours->them, %d them->ours, %d through tshark, %d failed"
          % (len(set(mine) | set(theirs)), sum(x[0] + x[1] for x in mine.values()),
             sum(x[0] + x[1] for x in theirs.values()),
             sum(x[0] + x[1] for x in shark.values()), failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
