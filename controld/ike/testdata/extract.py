#!/usr/bin/python3
"""extract.py: turn one run of capture.sh into a vector file for interop_test.c.

    extract.py DIR IKE_PROPOSAL ESP_PROPOSAL > charon-IKE_PROPOSAL.txt

Reads DIR/cap.pcap (every IKE message on the link, in order; the RFC 3948 non-ESP marker of
port 4500 stripped) and DIR/i/charon.log (the initiator charon's log at ike/chd level 4), and
prints "key = hex" lines (text values hex too, so one reader does):

    msgN        one IKE message as sent on the wire (N from 0, in capture order)
    dirN        "i" when the initiator sent msgN, "r" when the responder did
    ikeK.*      the keys of the K-th IKE SA charon derived (0 = first, 1 = after the rekey):
                dh, skeyseed, sk_d, sk_ai, sk_ar, sk_ei, sk_er, sk_pi, sk_pr
    authK       the K-th AUTH value in the log (0: the initiator's, 1: the responder's)
    childK.*    the K-th child SA's keys: dh (PFS only), seed, ei, er (encryption), ai, ar
"""
import re
import struct
import sys

d, ike, esp = sys.argv[1:4]


def pcap_udp(path):
    """Yield (sport, dport, payload) of each UDP datagram in an Ethernet pcap."""
    b = open(path, 'rb').read()
    magic, = struct.unpack('<I', b[:4])
    assert magic == 0xa1b2c3d4, 'little-endian microsecond pcap expected'
    off = 24
    while off + 16 <= len(b):
        incl, = struct.unpack('<I', b[off + 8:off + 12])
        frame = b[off + 16:off + 16 + incl]
        off += 16 + incl
        if frame[12:14] != b'\x08\x00':
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17:
            continue
        sport, dport, ulen = struct.unpack('>HHH', ip[ihl:ihl + 6])
        yield ip[12:16], sport, dport, ip[ihl + 8:ihl + ulen]


def log_values(path):
    """Yield (label, bytes) of each 'label => N bytes @ addr' hex dump in a charon log."""
    lines = open(path, errors='replace').read().splitlines()
    i = 0
    head = re.compile(r'^\d+\[(\w+)\] (.*) => (\d+) bytes @ ')
    row = re.compile(r'^\d+\[\w+\] +\d+: ((?:[0-9A-F]{2} )+)')
    while i < len(lines):
        m = head.match(lines[i])
        i += 1
        if not m:
            continue
        n, data = int(m.group(3)), b''
        while len(data) < n and i < len(lines):
            r = row.match(lines[i])
            if not r:
                break
            data += bytes.fromhex(r.group(1).replace(' ', ''))
            i += 1
        yield m.group(2).strip(), data[:n]


print('# strongSwan 5.9.8 initiator 198.51.100.1 and responder 198.51.100.2, PSK "a-test-secret"')
print('# IKE %s, ESP %s; made by capture.sh and extract.py' % (ike, esp))
print('ike_proposal = %s' % ike.encode().hex())
print('esp_proposal = %s' % esp.encode().hex())
print('psk = %s' % b'a-test-secret'.hex())
n = 0
for src, sport, dport, pl in pcap_udp('%s/cap.pcap' % d):
    if 4500 in (sport, dport):
        if pl == b'\xff':
            continue			# NAT-T keepalive
        if pl[:4] != b'\0\0\0\0':
            continue			# ESP in UDP
        pl = pl[4:]
    print('msg%d = %s' % (n, pl.hex()))
    print('dir%d = %s' % (n, '69' if src == bytes([198, 51, 100, 1]) else '72'))
    n += 1

ikes, auths, childs = -1, 0, -1
names = {'shared Diffie Hellman secret': 'dh', 'SKEYSEED': 'skeyseed', 'Sk_d secret': 'sk_d',
         'Sk_ai secret': 'sk_ai', 'Sk_ar secret': 'sk_ar', 'Sk_ei secret': 'sk_ei',
         'Sk_er secret': 'sk_er', 'Sk_pi secret': 'sk_pi', 'Sk_pr secret': 'sk_pr'}
cnames = {'DH secret': 'dh', 'seed': 'seed', 'encryption initiator key': 'ei',
          'encryption responder key': 'er', 'integrity initiator key': 'ai',
          'integrity responder key': 'ar'}
child_dh = None
for label, data in log_values('%s/i/charon.log' % d):
    if label == 'shared Diffie Hellman secret':
        ikes += 1
    if label in names:
        print('ike%d.%s = %s' % (ikes, names[label], data.hex()))
    elif label.startswith('AUTH = prf'):
        print('auth%d = %s' % (auths, data.hex()))
        auths += 1
    elif label == 'DH secret':
        child_dh = data
    elif label == 'seed':
        childs += 1
        if child_dh is not None:
            print('child%d.dh = %s' % (childs, child_dh.hex()))
            child_dh = None
        print('child%d.seed = %s' % (childs, data.hex()))
    elif label in cnames:
        print('child%d.%s = %s' % (childs, cnames[label], data.hex()))
