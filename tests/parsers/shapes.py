#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""shapes.py: does every line of some show output have the shape the parsers read?  For the
tests whose SAs check_show.py's fixed values do not fit (negotiated SAs, NAT-T, lifetimes).

  shapes.py SA_FILE SA_DETAIL_FILE

SA_FILE (show crypto ipsec sa): every line read by genie's shapes and by
show_crypto_ipsec_sa.textfsm; SA_DETAIL_FILE (... detail): by
show_crypto_ipsec_sa_detail.textfsm (ntc-templates' shapes), which must find at least one SA,
and by genie's but for the lines it has no shape for (genie_shapes.known_gap).  Exit 1 with
the reason."""
import os
import sys

import textfsm

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import genie_shapes  # noqa: E402


def rows(template, text):
    with open(os.path.join(HERE, template)) as f:
        return textfsm.TextFSM(f).ParseText(text)


def main():
    sa, detail = open(sys.argv[1]).read(), open(sys.argv[2]).read()
    try:
        n_blocks = len(rows('show_crypto_ipsec_sa.textfsm', sa))
        n_sas = len(rows('show_crypto_ipsec_sa_detail.textfsm', detail))
    except textfsm.TextFSMError as e:
        print('a line the templates do not read: %s' % e)
        return 1
    left = [l for l in genie_shapes.unmatched(sa) + genie_shapes.unmatched(detail)
            if not genie_shapes.known_gap(l)]
    if left:
        print('lines without a shape of genie\'s: %r' % left)
        return 1
    if n_sas == 0:
        print('the detail view has no SA')
        return 1
    print('%d blocks, %d SAs: every line read' % (n_blocks, n_sas))
    return 0


if __name__ == '__main__':
    sys.exit(main())
