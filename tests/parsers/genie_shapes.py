# SPDX-License-Identifier: Apache-2.0
"""genie_shapes.py: the line shapes genieparser reads in "show crypto ipsec sa [detail]",
written for this project from a reading of genieparser's
src/genie/libs/parser/iosxe/show_crypto.py, class ShowCryptoIpsecSaDetail (its patterns
p1-p40; ShowCryptoIpsecSa and ShowCryptoIpsecSaPeer[Detail] extend it), and of its fixture
src/genie/libs/parser/iosxe/tests/ShowCryptoIpsecSa/cli/equal/golden_output_output.txt with
golden_output_expected.py.  Like genie, each line is stripped and matched from its start to
its end; like genie, a block's fields are created by its "protected vrf:" line (without it
genie has nowhere to put them) and SAs by the "... sas:" line before them.

What genie's shapes imply for our output, and which we keep:
  interface names of word characters only (genie's p1: no "/" or "-": wan0 passes);
  "Crypto map tag: TAG, local addr A" without the dot of IOS 11.3;
  "current_peer A port P" without the colon of IOS 11.3;
  "#send errors N, #recv errors N" in the brief view;
  "replay detection support: Y" alone on its line (the detail view's "... replay window size:
  N", which ntc-templates needs, is left unread by genie: replay_detection_support is
  Optional in its schema).
Nor has it for "in use settings ={Tunnel UDP-Encaps, }" (IOS's words for an SA in UDP: p29
takes no "-"), which it skips too: in_use_settings is Optional.
Genie has no shape for the detail view's "#pkts encaps failed (send) N, #pkts decaps failed
(rcv) N" line (nor ntc-templates' counters for it in its fixtures' output): genie skips it.
Genie's p8 names the groups of the "#pkts encaps" line pkts_decaps/decrypt/verify (the decaps
line then overwrites them); here they have their own names, the line's shape is the same.
"""
import re

IP = r'[0-9.]+'
SHAPES = [
    ('interface', re.compile(r'^interface:+ (?P<interface>\w+)$')),
    ('map_tag', re.compile(r'^Crypto map tag: (?P<crypto_map_tag>[\w\-]+), +local addr +'
                           r'(?P<local_addr>[\d.]+)$')),
    ('vrf', re.compile(r'^protected vrf: (?P<protected_vrf>\S+)$')),
    ('local_ident', re.compile(r'^local.*: +\((?P<addr>' + IP + r')/(?P<mask>' + IP +
                               r')/(?P<prot>\d+)/(?P<port>\d+)\)$')),
    ('remote_ident', re.compile(r'^remote.*: +\((?P<addr>' + IP + r')/(?P<mask>' + IP +
                                r')/(?P<prot>\d+)/(?P<port>\d+)\)$')),
    ('peer', re.compile(r'^current_peer +(?P<peer_ip>' + IP + r') +port +(?P<port>\d+)$')),
    ('action', re.compile(r'^(?P<action>\w+), +flags=\{(?P<acl>[\w\-,]+)\}$')),
    ('encaps', re.compile(r'^#pkts encaps: +(?P<pkts_encaps>\d+).*: +(?P<pkts_encrypt>\d+)'
                          r'.*: +(?P<pkts_digest>\d+)$')),
    ('decaps', re.compile(r'^#pkts decaps: +(?P<pkts_decaps>\d+).*: +(?P<pkts_decrypt>\d+)'
                          r'.*: +(?P<pkts_verify>\d+)$')),
    ('compressed', re.compile(r'^#pkts compressed: +(?P<pkts_compressed>\d+).*: +'
                              r'(?P<pkts_decompressed>\d+)$')),
    ('not_compressed', re.compile(r'^#pkts not compressed: +(?P<pkts_not_compressed>\d+).*: +'
                                  r'(?P<pkts_compr_failed>\d+)$')),
    ('not_decompressed', re.compile(r'^#pkts not decompressed: +(?P<pkts_not_decompressed>\d+)'
                                    r'.*: +(?P<pkts_decompress_failed>\d+)$')),
    ('errors', re.compile(r'^#send errors +(?P<send_errors>\d+).* +(?P<recv_errors>\d+)$')),
    ('no_sa', re.compile(r'^#pkts no sa.* +(?P<pkts_no_sa_send>\d+).* +'
                         r'(?P<pkts_invalid_sa_rcv>\d+)$')),
    ('invalid_prot', re.compile(r'^#pkts invalid prot.* +(?P<pkts_invalid_prot_recv>\d+).* +'
                                r'(?P<pkts_verify_failed>\d+)$')),
    ('invalid_identity', re.compile(r'^#pkts invalid identity.* +'
                                    r'(?P<pkts_invalid_identity_recv>\d+).* +'
                                    r'(?P<pkts_invalid_len_rcv>\d+)$')),
    ('rollover', re.compile(r'^#pkts replay rollover.* +(?P<pkts_replay_rollover_send>\d+).* +'
                            r'(?P<pkts_replay_rollover_rcv>\d+)$')),
    ('replay_failed', re.compile(r'^##pkts replay failed.* +(?P<pkts_replay_failed_rcv>\d+)$')),
    ('tagged', re.compile(r'^#pkts tagged.* +(?P<pkts_tagged_send>\d+).*: +'
                          r'(?P<pkts_untagged_rcv>\d+)$')),
    ('not_tagged', re.compile(r'^#pkts not tagged.* +(?P<pkts_not_tagged_send>\d+).*: +'
                              r'(?P<pkts_not_untagged_rcv>\d+)$')),
    ('internal', re.compile(r'^#pkts internal err.* +(?P<pkts_internal_err_send>\d+).* +'
                            r'(?P<pkts_internal_err_recv>\d+)$')),
    ('endpt', re.compile(r'^local crypto endpt.: +(?P<local_crypto_endpt>[\d.]+).* +'
                         r'(?P<remote_crypto_endpt>[\d.]+)$')),
    ('mtu', re.compile(r'^plaintext mtu +(?P<plaintext_mtu>\d+),.* +(?P<path_mtu>\d+), ip mtu +'
                       r'(?P<ip_mtu>\d+),.*idb +(?P<ip_mtu_idb>\S+)$')),
    ('out_spi', re.compile(r'^current outbound spi: +(?P<current_outbound_spi>\S+)$')),
    ('pfs', re.compile(r'^PFS.*: +(?P<pfs>[YN]+).*: +(?P<dh_group>\w+)$')),
    ('sas', re.compile(r'^(?P<dir>inbound|outbound) (?P<proto>esp|ah|pcp) sas:$')),
    ('spi', re.compile(r'^spi: +(?P<spi>\S+)$')),
    ('transform', re.compile(r'^transform: +(?P<transform>.+),$')),
    ('settings', re.compile(r'^in use settings =+\{(?P<in_use_settings>[\w,\s]+)\}$')),
    ('conn', re.compile(r'^conn id: +(?P<conn_id>\d+), +flow_id: +(?P<flow_id>\w+):'
                        r'(?P<flow_id_val>\d+), +sibling_flags +(?P<sibling_flags>\w+), +'
                        r'crypto map: +(?P<crypto_map>[\w\-]+)$')),
    ('timing', re.compile(r'^sa timing.* +(?P<remaining_key_lifetime>.+)$')),
    ('iv', re.compile(r'^IV size: +(?P<iv_size>[\w\s]+)$')),
    ('replay', re.compile(r'^replay detection support: +(?P<replay_detection_support>\w+)$')),
    ('status', re.compile(r'^Status: +(?P<status>\S+)$')),
]

INTS = {'port', 'conn_id', 'flow_id_val', 'plaintext_mtu', 'path_mtu', 'ip_mtu'}


def match(line):
    """(name, groupdict) of the first shape the stripped line has, or None."""
    for name, rx in SHAPES:
        m = rx.match(line.strip())
        if m:
            return name, m.groupdict()
    return None


def known_gap(line):
    """Is it a line IOS prints and genie has no shape for (it skips them)?  The detail view's
    "replay ... window size" and "#pkts encaps failed" lines, and "in use settings ={Tunnel
    UDP-Encaps, }" of an SA in UDP (p29 takes word characters, commas and spaces: not "-")."""
    l = line.strip()
    return (l.startswith(('replay detection support:', '#pkts encaps failed')) or
            (l.startswith('in use settings =') and 'UDP-Encaps' in l))


def unmatched(text):
    """The non-blank lines no shape of genie's reads."""
    return [l for l in text.splitlines() if l.strip() and match(l) is None]


def parse(text):
    """The dictionary genie's ShowCryptoIpsecSaDetail builds, as its schema names it:
    {'interface': {IF: {'crypto_map_tag', 'local_addr', 'ident': {1: {...}, ...}}}}."""
    out, iface, idents, ident, sas, spi = {}, None, None, None, None, None
    for line in text.splitlines():
        m = match(line)
        if m is None:
            continue
        name, g = m
        if name == 'interface':
            iface = out.setdefault('interface', {}).setdefault(g['interface'], {})
            count = 1
        elif name == 'map_tag':
            iface.update(g)
            idents = iface.setdefault('ident', {})
        elif name == 'vrf':
            ident = idents.setdefault(count, {})
            count += 1
            ident.update(g)
        elif name in ('local_ident', 'remote_ident'):
            ident[name] = g
        elif name == 'sas':
            sas = ident.setdefault('%s_%s_sas' % (g['dir'], g['proto']), {})
        elif name == 'spi':
            spi = sas.setdefault('spi', {}).setdefault(g['spi'], {})
        elif name in ('transform', 'settings', 'conn', 'timing', 'iv', 'replay', 'status'):
            spi.update({k: (int(v) if k in INTS else v.strip() if k == 'transform' else v)
                        for k, v in g.items()})
        else:
            if name == 'peer':
                g = {'peer_ip': g['peer_ip'], 'port': g['port']}
            ident.update({k: (int(v) if k in INTS or k.startswith('pkts_') or
                              k.endswith('_errors') else v) for k, v in g.items()})
    return out
