#!/usr/bin/python3
"""tshark_check.py: Wireshark's IKEv2 dissector opens the messages our sk.c sealed.

    tshark_check.py PATH/TO/ike_interop_test        (GW_SRC: the repository)

interop_test.c opens every encrypted message of testdata/charon-*.txt with the keys we derived
and seals it again with its IV (our padding, our ICV); with GW_IKE_SEEDS=DIR it writes those
as DIR/<file>-msgN-sealed.  This script puts each run's IKE_SA_INIT (charon's) and our sealed
messages in a pcap (UDP 500) and has tshark decrypt them with SK_ei/er/ai/ar from the file
(its ikev2_decryption_table, in a scratch configuration folder).  Every encrypted frame must
decrypt and show a correct ICV.  ChaCha20-Poly1305 is skipped: tshark 4.0 has no table entry
for it (the interop test already gives charon's bytes back for it).
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

# tshark 4.0's names (packet-isakmp.c vs_ikev2_encr_algs / vs_ikev2_auth_algs)
ENCR = {(12, 128): 'AES-CBC-128 [RFC3602]', (12, 192): 'AES-CBC-192 [RFC3602]',
        (12, 256): 'AES-CBC-256 [RFC3602]', (3, 0): '3DES [RFC2451]',
        (20, 128): 'AES-GCM-128 with 16 octet ICV [RFC5282]',
        (20, 256): 'AES-GCM-256 with 16 octet ICV [RFC5282]'}
INTEG = {0: 'NONE [RFC4306]', 1: 'HMAC_MD5_96 [RFC2403]', 2: 'HMAC_SHA1_96 [RFC2404]',
         12: 'HMAC_SHA2_256_128 [RFC4868]', 13: 'HMAC_SHA2_384_192 [RFC4868]',
         14: 'HMAC_SHA2_512_256 [RFC4868]'}


def load(path):
    v = {}
    for line in open(path):
        m = re.match(r'(\S+) = ([0-9a-f]*)$', line.strip())
        if m:
            v[m.group(1)] = bytes.fromhex(m.group(2))
    return v


def chosen(msg):
    """(encr, key bits, integ) of the SA payload of an IKE_SA_INIT response."""
    off, nxt = 28, msg[16]
    while nxt:
        plen = int.from_bytes(msg[off + 2:off + 4], 'big')
        if nxt == 33:
            p = msg[off + 4:off + plen]
            x, n, encr, bits, integ = 8 + p[6], p[7], None, 0, 0
            for _ in range(n):
                tlen = int.from_bytes(p[x + 2:x + 4], 'big')
                t, tid = p[x + 4], int.from_bytes(p[x + 6:x + 8], 'big')
                if t == 1:
                    encr = tid
                    if tlen >= 12:
                        bits = int.from_bytes(p[x + 10:x + 12], 'big')
                if t == 3:
                    integ = tid
                x += tlen
            return encr, bits, integ
        nxt, off = msg[off], off + plen
    return None


def pcap(frames):
    out = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    for n, (src, data) in enumerate(frames):
        dst = 2 if src == 1 else 1
        udp = struct.pack('>HHHH', 500, 500, 8 + len(data), 0) + data
        ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), n, 0, 64, 17, 0,
                         bytes([198, 51, 100, src]), bytes([198, 51, 100, dst]))
        eth = b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00'
        out += struct.pack('<IIII', n + 1, 0, len(eth + ip + udp), len(eth + ip + udp))
        out += eth + ip + udp
    return out


def main():
    src = os.environ.get('GW_SRC', '.')
    vecdir = os.path.join(src, 'controld/ike/testdata')
    tmp = tempfile.mkdtemp(prefix='ike-tshark-')
    failed = checked = 0
    try:
        seeds = os.path.join(tmp, 'sealed')
        os.mkdir(seeds)
        subprocess.run([sys.argv[1]], env=dict(os.environ, GW_IKE_SEEDS=seeds, GW_SRC=src),
                       check=True, stdout=subprocess.DEVNULL)
        for f in sorted(os.listdir(vecdir)):
            if not (f.startswith('charon-') and f.endswith('.txt')):
                continue
            name, v = f[:-4], load(os.path.join(vecdir, f))
            encr, bits, integ = chosen(v['msg1'])
            if (encr, bits) not in ENCR:
                print('%s: skipped, tshark has no %u/%u' % (name, encr, bits))
                continue
            frames, n = [], 0
            while 'msg%d' % n in v:
                path = os.path.join(seeds, '%s-msg%d-sealed' % (name, n))
                data = open(path, 'rb').read() if os.path.exists(path) else v['msg%d' % n]
                if data[:16] == v['msg1'][:16] or n == 0:	# the first IKE SA's
                    frames.append((1 if v['dir%d' % n] == b'i' else 2, data))
                n += 1
            cfg = os.path.join(tmp, 'cfg', 'wireshark')
            os.makedirs(cfg, exist_ok=True)
            with open(os.path.join(cfg, 'ikev2_decryption_table'), 'w') as t:
                t.write('%s,%s,%s,%s,"%s",%s,%s,"%s"\n' % (
                    v['msg1'][:8].hex(), v['msg1'][8:16].hex(), v['ike0.sk_ei'].hex(),
                    v['ike0.sk_er'].hex(), ENCR[(encr, bits)], v.get('ike0.sk_ai', b'').hex(),
                    v.get('ike0.sk_ar', b'').hex(), INTEG[integ]))
            cap = os.path.join(tmp, name + '.pcap')
            open(cap, 'wb').write(pcap(frames))
            out = subprocess.run(['tshark', '-n', '-r', cap, '-V'], capture_output=True,
                                 text=True, env=dict(os.environ,
                                 XDG_CONFIG_HOME=os.path.join(tmp, 'cfg'))).stdout
            enc = sum(1 for _, d in frames if d[18] != 34)	# all but IKE_SA_INIT
            ok = len(re.findall(r'Integrity Checksum Data: .*\[correct\]', out))
            dec = out.count('Decrypted Data')
            bad = len(re.findall(r'incorrect|Malformed', out))
            print('%s: tshark decrypted %d of our %d sealed messages, ICV correct in %d' %
                  (name, dec, enc, ok))
            checked += 1
            if dec != enc or ok != enc or bad:
                failed += 1
                print(out[-3000:])
    finally:
        shutil.rmtree(tmp)
    print('%d files checked, %d failed' % (checked, failed))
    return 1 if failed or checked < 5 else 0


if __name__ == '__main__':
    sys.exit(main())
