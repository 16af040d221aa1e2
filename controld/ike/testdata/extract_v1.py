#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""extract_v1.py: turn one run of capture_v1.sh into a vector file for v1msg_test.c.

    extract_v1.py DIR MODE IKE_PROPOSAL ESP_PROPOSAL INITIATOR_ID RESPONDER_ID > charon-v1-NAME.txt

Reads DIR/cap.pcap (every ISAKMP message on the link, in order; the RFC 3948 non-ESP marker of
port 4500 stripped) and DIR/i/charon.log (the initiator charon's log at ike level 4), and
prints "key = hex" lines (text values hex too, so one reader does):

    msgN        one ISAKMP message as sent on the wire (N from 0, in capture order)
    dirN        "i" when the initiator sent msgN, "r" when the responder did
    portN       "500" or "4500": the port it was sent to (hex of the text)
    keys.*      what the initiator's charon logged of phase 1: dh (g^xy), skeyid, skeyid_d,
                skeyid_a, skeyid_e, encryption key
"""
import re
import struct
import sys

d, mode, ike, esp, lid, rid = sys.argv[1:7]


def pcap_udp(path):
    """Yield (src, sport, dport, payload) of each UDP datagram in an Ethernet pcap."""
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


print('# strongSwan 5.9.8 initiator 198.51.100.1 (%s) and responder 198.51.100.2 (%s), IKEv1'
      % (lid, rid))
print('# %s mode, PSK "a-test-secret", IKE %s, ESP %s; made by capture_v1.sh and extract_v1.py'
      % (mode, ike, esp))
print('mode = %s' % mode.encode().hex())
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
    print('port%d = %s' % (n, str(dport).encode().hex()))
    n += 1

names = {'shared Diffie Hellman secret': 'dh', 'SKEYID': 'skeyid', 'SKEYID_d': 'skeyid_d',
         'SKEYID_a': 'skeyid_a', 'SKEYID_e': 'skeyid_e', 'encryption key Ka': 'ka'}
seen = set()
for label, data in log_values('%s/i/charon.log' % d):
    if label in names and names[label] not in seen:
        print('keys.%s = %s' % (names[label], data.hex()))
        seen.add(names[label])
