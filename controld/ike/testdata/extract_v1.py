#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""extract_v1.py: turn one run of capture_v1.sh into a vector file, in one of two formats.

    extract_v1.py [--format v1msg|v1kdf] DIR MODE IKE_PROPOSAL ESP_PROPOSAL INITIATOR_ID \
        RESPONDER_ID > FILE

Reads DIR/cap.pcap (every ISAKMP message on the link, in order; the RFC 3948 non-ESP marker of
port 4500 stripped, NAT-T keepalives and ESP in UDP left out) and DIR/i/charon.log (the
initiator charon's log at ike and chd level 4), and prints "key = hex" lines (text values hex
too, so one reader does).

v1msg (the default; v1/charon-v1-NAME.txt, for v1msg_test.c):
    mode, ike_proposal, esp_proposal, psk   the run's parameters
    msgN        one ISAKMP message as sent on the wire (N from 0, in capture order)
    dirN        "i" when the initiator sent msgN, "r" when the responder did
    portN       "500" or "4500": the port it was sent to (hex of the text)
    keys.*      what the initiator's charon logged of phase 1: dh (g^xy), skeyid, skeyid_d,
                skeyid_a, skeyid_e, ka (the encryption key)

v1kdf (v1kdf-charon-NAME.txt, for v1kdf_test.c):
    psk         the pre-shared key
    msgN, dirN  as above
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

args = sys.argv[1:]
fmt = 'v1msg'
if args[:1] == ['--format']:
    fmt, args = args[1], args[2:]
if fmt not in ('v1msg', 'v1kdf') or len(args) != 6:
    sys.exit(__doc__)
d, mode, ike, esp, lid, rid = args
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


def put(key, val):
    print('%s = %s' % (key, val.hex()))


def messages():
    """(direction, port, message) of each ISAKMP message of the capture, in order."""
    for src, sport, dport, pl in pcap_udp('%s/cap.pcap' % d):
        if 4500 in (sport, dport):
            if pl[:4] != b'\0\0\0\0':
                continue			# NAT-T keepalive (0xff), ESP in UDP
            pl = pl[4:]
        yield (b'i' if src == INITIATOR else b'r'), dport, pl


# What each format takes of charon's log (the first of each label: phase 1's, the first
# child's): label -> key.
LOG_KEYS = {
    'v1msg': {
        'shared Diffie Hellman secret': 'keys.dh', 'SKEYID': 'keys.skeyid',
        'SKEYID_d': 'keys.skeyid_d', 'SKEYID_a': 'keys.skeyid_a', 'SKEYID_e': 'keys.skeyid_e',
        'encryption key Ka': 'keys.ka',
    },
    'v1kdf': {
        'shared Diffie Hellman secret': 'log.gxy', 'DH secret': 'log.gxy_qm',
        'SKEYID': 'log.skeyid', 'SKEYID_d': 'log.skeyid_d', 'SKEYID_a': 'log.skeyid_a',
        'SKEYID_e': 'log.skeyid_e', 'encryption key Ka': 'log.ka', 'initial IV': 'log.iv',
        'encryption initiator key': 'log.enc_i', 'integrity initiator key': 'log.integ_i',
        'encryption responder key': 'log.enc_r', 'integrity responder key': 'log.integ_r',
    },
}

if fmt == 'v1msg':
    print('# strongSwan 5.9.8 initiator 198.51.100.1 (%s) and responder 198.51.100.2 (%s), IKEv1'
          % (lid, rid))
    print('# %s mode, PSK "a-test-secret", IKE %s, ESP %s; made by capture_v1.sh and'
          ' extract_v1.py' % (mode, ike, esp))
    put('mode', mode.encode())
    put('ike_proposal', ike.encode())
    put('esp_proposal', esp.encode())
    put('psk', b'a-test-secret')
else:
    print('# strongSwan 5.9.8 initiator 198.51.100.1 (%s), responder 198.51.100.2 (%s), IKEv1'
          ' %s mode,' % (lid, rid, mode))
    print('# PSK "a-test-secret", IKE %s, ESP %s (tunnel); made by capture_v1.sh (kind kdf) and'
          ' extract_v1.py --format v1kdf' % (ike, esp))
    put('psk', b'a-test-secret')
for n, (who, port, pl) in enumerate(messages()):
    put('msg%d' % n, pl)
    put('dir%d' % n, who)
    if fmt == 'v1msg':
        put('port%d' % n, str(port).encode())
names = dict(LOG_KEYS[fmt])
for label, val in log_values('%s/i/charon.log' % d):
    if label in names:
        put(names.pop(label), val)
