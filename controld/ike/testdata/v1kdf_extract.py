#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""v1kdf_extract.py: turn one run of v1kdf_capture.sh into a vector file for v1kdf_test.c.

    v1kdf_extract.py DIR MODE IKE_PROPOSAL ESP_PROPOSAL INITIATOR_ID RESPONDER_ID

Reads DIR/cap.pcap (the ISAKMP messages on the link, in order) and DIR/i/charon.log (the
initiator's log at ike and chd level 4), and prints "key = hex" lines:

    msgN        one ISAKMP message as sent (N from 0, in capture order)
    dirN        "i" when the initiator sent msgN, "r" when the responder did (hex of the text)
    psk         the pre-shared key
    log.gxy     the phase 1 Diffie-Hellman secret; log.gxy_qm the quick mode one (PFS), if any
    log.skeyid, log.skeyid_d, log.skeyid_a, log.skeyid_e, log.ka, log.iv
                SKEYID .. the ISAKMP SA's key and its initial IV, as charon logged them
    log.enc_i, log.integ_i, log.enc_r, log.integ_r
                the child SA's keys: _i those the initiator sends with (the SA of the SPI
                the responder chose), _r those the responder sends with
"""
import re
import struct
import sys

d, mode, ike, esp, lid, rid = sys.argv[1:7]
INITIATOR = bytes([198, 51, 100, 1])


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
    head = re.compile(r'^\d+\[(\w+)\] (.*) => (\d+) bytes @ ')
    row = re.compile(r'^\d+\[\w+\] +\d+: ((?:[0-9A-F]{2} )+)')
    i = 0
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


def put(key, val):
    print('%s = %s' % (key, val.hex()))


print('# strongSwan 5.9.8 initiator 198.51.100.1 (%s), responder 198.51.100.2 (%s), IKEv1 %s'
      ' mode,' % (lid, rid, mode))
print('# PSK "a-test-secret", IKE %s, ESP %s (tunnel); made by v1kdf_capture.sh and'
      ' v1kdf_extract.py' % (ike, esp))
put('psk', b'a-test-secret')
n = 0
for src, sport, dport, pl in pcap_udp('%s/cap.pcap' % d):
    if 4500 in (sport, dport):
        if pl[:4] != b'\0\0\0\0':
            continue			# keepalive, ESP in UDP
        pl = pl[4:]
    put('msg%d' % n, pl)
    put('dir%d' % n, b'i' if src == INITIATOR else b'r')
    n += 1
names = {
    'shared Diffie Hellman secret': 'log.gxy', 'DH secret': 'log.gxy_qm',
    'SKEYID': 'log.skeyid', 'SKEYID_d': 'log.skeyid_d', 'SKEYID_a': 'log.skeyid_a',
    'SKEYID_e': 'log.skeyid_e', 'encryption key Ka': 'log.ka', 'initial IV': 'log.iv',
    'encryption initiator key': 'log.enc_i', 'integrity initiator key': 'log.integ_i',
    'encryption responder key': 'log.enc_r', 'integrity responder key': 'log.integ_r',
}
for label, val in log_values('%s/i/charon.log' % d):
    if label in names:
        put(names.pop(label), val)	# the first of each: phase 1's, the first child's
