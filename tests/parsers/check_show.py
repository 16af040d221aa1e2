#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""check_show.py: our show output read by the parsers' shapes (tests/parsers/*.textfsm, ours,
written from ntc-templates' and genieparser's published templates and fixtures, and
genie_shapes.py) and the values they extract checked.

  check_show.py DIR --peer A --local A --if IF --map TAG --spi-out N --spi-in N \\
      --transform 'esp-256-aes esp-sha-hmac' --pkts N

DIR holds what one gateway printed: sa.txt (show crypto ipsec sa), sa_detail.txt (... detail),
map.txt (show crypto map), tset.txt (show crypto ipsec transform-set).  --pkts: the packets
each way (the pings since "clear crypto sa counters").  Prints TAP; exit 1 on a failure."""
import argparse
import os
import sys

import textfsm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genie_shapes  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
N = 0
FAILED = 0


def ok(cond, what, detail=''):
    global N, FAILED
    N += 1
    if cond:
        print('ok %d - %s' % (N, what))
    else:
        FAILED += 1
        print('not ok %d - %s' % (N, what))
        for l in str(detail).splitlines():
            print('#   ' + l)


def fsm(template, text):
    """Records as dicts; a line the template does not know is an error (TextFSMError)."""
    with open(os.path.join(HERE, template)) as f:
        t = textfsm.TextFSM(f)
    try:
        rows = t.ParseText(text)
    except textfsm.TextFSMError as e:
        ok(False, '%s reads every line' % template, e)
        return []
    ok(True, '%s reads every line' % template)
    return [dict(zip(t.header, r)) for r in rows]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    for a in ('peer', 'local', 'if', 'map', 'transform'):
        ap.add_argument('--' + a, required=True)
    for a in ('spi-out', 'spi-in', 'pkts'):
        ap.add_argument('--' + a, type=int, required=True)
    o = ap.parse_args()
    rd = lambda n: open(os.path.join(o.dir, n)).read()
    sa, detail, cmap, tset = rd('sa.txt'), rd('sa_detail.txt'), rd('map.txt'), rd('tset.txt')
    hx = lambda n: '0x%X' % n

    # ntc-templates' shapes: show crypto ipsec sa detail, one record per SA
    rows = fsm('show_crypto_ipsec_sa_detail.textfsm', detail)
    by = {(r['SA_ORIENTATION'], r['SA_TYPE']): r for r in rows}
    ok(set(by) == {('inbound', 'esp'), ('outbound', 'esp')}, 'detail: one inbound and one '
       'outbound ESP SA', rows)
    for (d, _), r in by.items():
        want_spi = o.spi_in if d == 'inbound' else o.spi_out
        for k, v in (('INTERFACE', o.__dict__['if']), ('CRYPTO_MAP_TAG', o.map),
                     ('LOCAL_ADDR', o.local), ('PROTECTED_VRF', '(none)'),
                     ('CURRENT_PEER', o.peer), ('PORT', '500'), ('ACTION', 'PERMIT'),
                     ('FLAGS', 'origin_is_acl,'), ('LOCAL_CRYPTO_ENDPT', o.local),
                     ('REMOTE_CRYPTO_ENDPT', o.peer), ('IP_MTU_IDB', o.__dict__['if']),
                     ('CURRENT_OUTBOUND_SPI_HEX', hx(o.spi_out)),
                     ('CURRENT_OUTBOUND_SPI_DEC', str(o.spi_out)),
                     ('SA_SPI_HEX', hx(want_spi)), ('SA_SPI_DEC', str(want_spi)),
                     ('SA_TRANSFORM', o.transform), ('SA_IN_USE_SETTINGS', 'Tunnel'),
                     ('SA_CRYPTO_MAP', o.map), ('SA_STATUS', 'ACTIVE(ACTIVE)'),
                     ('PFS', 'N'), ('DH_GROUP', 'none'), ('SA_IV_SIZE', '16'),
                     ('PLAINTEXT_MTU', '1438'), ('PATH_MTU', '1500')):
            ok(r.get(k) == v, 'detail %s SA: %s = %s' % (d, k, v), 'got %r' % r.get(k))
        for k in ('PKTS_ENCAPS', 'PKTS_ENCRYPT', 'PKTS_DIGEST', 'PKTS_DECAPS', 'PKTS_DECRYPT',
                  'PKTS_VERIFY'):
            ok(r.get(k) == str(o.pkts), 'detail %s SA: %s = the %d pings' % (d, k, o.pkts),
               'got %r' % r.get(k))
        for k in ('PKTS_NO_SA', 'PKTS_INVALID_SA', 'PKTS_VERIFY_FAILED', 'PKTS_REPLAY_FAILED',
                  'PKTS_INVALID_LEN'):
            ok(r.get(k) == '0', 'detail %s SA: %s = 0' % (d, k), 'got %r' % r.get(k))

    # genie's shapes: show crypto ipsec sa, every line read, the dictionary it builds
    ok(genie_shapes.unmatched(sa) == [], 'genie: every line of show crypto ipsec sa has a '
       'shape ShowCryptoIpsecSa reads', '\n'.join(genie_shapes.unmatched(sa)))
    left = genie_shapes.unmatched(detail)
    ok(all(genie_shapes.known_gap(l) for l in left), 'genie: every line of the detail view is '
       'read but those it has no shape for ("replay ... window size", "#pkts encaps failed")',
       left)
    g = genie_shapes.parse(sa).get('interface', {}).get(o.__dict__['if'], {})
    ok(g.get('crypto_map_tag') == o.map and g.get('local_addr') == o.local,
       'genie: interface, crypto_map_tag, local_addr', g)
    ident = g.get('ident', {}).get(1, {})
    for k, v in (('protected_vrf', '(none)'), ('peer_ip', o.peer), ('port', 500),
                 ('action', 'PERMIT'), ('acl', 'origin_is_acl,'), ('pkts_encaps', o.pkts),
                 ('pkts_decaps', o.pkts), ('pkts_verify', o.pkts), ('send_errors', 0),
                 ('recv_errors', 0), ('local_crypto_endpt', o.local),
                 ('remote_crypto_endpt', o.peer), ('ip_mtu_idb', o.__dict__['if']),
                 ('current_outbound_spi', '%s(%d)' % (hx(o.spi_out), o.spi_out)),
                 ('pfs', 'N'), ('dh_group', 'none')):
        ok(ident.get(k) == v, 'genie: ident 1 %s = %r' % (k, v), 'got %r' % ident.get(k))
    for d, spi in (('inbound', o.spi_in), ('outbound', o.spi_out)):
        s = ident.get('%s_esp_sas' % d, {}).get('spi', {}).get('%s(%d)' % (hx(spi), spi), {})
        ok(s.get('transform') == o.transform and s.get('in_use_settings') == 'Tunnel, ' and
           s.get('crypto_map') == o.map and s.get('flow_id') == 'SW' and
           s.get('replay_detection_support') in ('Y', 'N') and
           s.get('status') == 'ACTIVE(ACTIVE)', 'genie: %s esp SA %d' % (d, spi), s)
        ok(ident.get('%s_ah_sas' % d) == {} and ident.get('%s_pcp_sas' % d) == {},
           'genie: %s ah and pcp sections, empty' % d)

    # our own template of the brief view: one block, its SPIs
    rows = fsm('show_crypto_ipsec_sa.textfsm', sa)
    ok(len(rows) == 1 and rows[0]['INBOUND_ESP_SPI'] == [hx(o.spi_in)] and
       rows[0]['OUTBOUND_ESP_SPI'] == [hx(o.spi_out)] and
       rows[0]['PKTS_ENCAPS'] == str(o.pkts) and rows[0]['TRANSFORM'] == [o.transform] * 2,
       'show crypto ipsec sa: one block, its SPIs and counts', rows)

    # show crypto map (12.4) and show crypto ipsec transform-set
    rows = fsm('show_crypto_map.textfsm', cmap)
    ok(len(rows) == 1 and rows[0]['MAP_TAG'] == o.map and rows[0]['TYPE'] == 'ipsec-manual' and
       rows[0]['PEERS'] == [o.peer] and rows[0]['CURRENT_PEER'] == o.peer and
       rows[0]['INTERFACES'] == [o.__dict__['if']] and len(rows[0]['TRANSFORM_SETS']) == 1 and
       ('{ %s  }' % o.transform) in rows[0]['TRANSFORM_SETS'][0],
       'show crypto map: the entry, its peer, transform set and interface', rows)
    rows = fsm('show_crypto_ipsec_transform_set.textfsm', tset)
    ok(len(rows) == 1 and rows[0]['TRANSFORMS'] == o.transform and rows[0]['MODE'] == 'Tunnel',
       'show crypto ipsec transform-set: transforms as IOS 15 names them', rows)
    print('1..%d' % N)
    return 1 if FAILED else 0


if __name__ == '__main__':
    sys.exit(main())
