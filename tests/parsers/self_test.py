#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""self_test.py: the parsers' shapes on show output saved from a real run (samples/, made by
tests/integration/show_parsers.sh with SHOW_PARSERS_KEEP): the 12.4/15 layout is read and its
values found (check_show.py), the 11.3 layout is not (the reason the default changed).  Needs
no root: ctest runs it as parsers/self_test."""
import os
import subprocess
import sys

import textfsm

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import genie_shapes  # noqa: E402

rc = subprocess.call([sys.executable, os.path.join(HERE, 'check_show.py'),
                      os.path.join(HERE, 'samples', 'gwA'), '--peer', '198.51.100.2',
                      '--local', '198.51.100.1', '--if', 'wan0', '--map', 'vpn',
                      '--spi-out', '1000', '--spi-in', '1001',
                      '--transform', 'esp-256-aes esp-sha-hmac', '--pkts', '20'])
old = open(os.path.join(HERE, 'samples', 'gwA_113_sa_detail.txt')).read()
with open(os.path.join(HERE, 'show_crypto_ipsec_sa_detail.textfsm')) as f:
    t = textfsm.TextFSM(f)
try:
    t.ParseText(old)
    print('not ok - the 11.3 layout should stop the ntc-templates shapes')
    rc = 1
except textfsm.TextFSMError as e:
    print('ok - the 11.3 layout stops the ntc-templates shapes: %s' % str(e).splitlines()[0])
left = genie_shapes.unmatched(old)
if any('local addr.' in l for l in left) and any('current_peer:' in l for l in left):
    print('ok - genie has no shape for 11.3\'s "local addr." and "current_peer:" lines')
else:
    print('not ok - genie should not read the 11.3 layout: %r' % left)
    rc = 1
sys.exit(1 if rc else 0)
