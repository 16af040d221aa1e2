#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ike_wire.sh: IKE reaches controld through datad, and traffic that needs an
# SA tells controld so (docs/design.md "The ZeroMQ link": IKE on the wire), with real
# namespaces, a real controld and datad on gwB and strongSwan 5.9.8 on gwA.  gwB's entry has
# no ikev2-profile (an IKEv1 entry) and no crypto isakmp policy with pre-share, so its IKE
# engine sets nothing up: the test is about the way in (relay,
# per-peer limits, acquires), checked in the counters of `show workers`, the engine's
# `show crypto ikev2 stats` and controld's debug log.  Tunnels are tests/integration/ikev2_*.sh.
#
#   hostA -- gwA [charon ssA] ==== inet ==== gwB [controld + datad] -- hostB
#
#   1. gwB runs an ipsec-isakmp entry for 192.0.2.128/25 <-> 192.0.2.0/25, peer gwA
#   2. ssA initiates to 198.51.100.2: IKE_SA_INIT --> reaches controld through datad, as many
#      times as it is on the wire, counted in `show workers` and by the engine, which answers
#      IKE_SA_INIT and refuses IKE_AUTH (no ikev2-profile: AUTHENTICATION_FAILED)
#   3. hostB sends a burst of 20 pings to hostA: all dropped (no SA: no-out-sa 20), and
#      datad sends controld exactly one acquire for vpn 10 (the other 19 held back); after the
#      hold time (1 s) the same flow sends one more; the engine starts nothing (no IKEv2
#      profile, no crypto isakmp policy with pre-share for IKEv1)
#
# The other direction (IkeSend leaving from UDP 500, and from 4500 behind the non-ESP marker)
# is checked with real sockets by datad/ikewire_test and controld/link/workers_test.
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ike_wire.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"

require_root
swan_require || { echo "SKIP: ike_wire: no strongSwan" >&2; exit 77; }
t_begin ike_wire
topo_up "gw$$" || t_abort "draw the topology"

# 1
cat >"$GW_RUN/gwB-isakmp.conf" <<'EOF'
hostname gwB
crypto ipsec transform-set GCM esp-gcm 128
access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127
crypto map vpn 10 ipsec-isakmp
 match address 101
 set peer 198.51.100.1
 set transform-set GCM
interface wan0
 ip address 198.51.100.2 255.255.255.0
 crypto map vpn
EOF
GW_VERBOSE=debug
t_check "gwB: controld + datad start with an ipsec-isakmp entry" \
	gw_start gwB "$GW_RUN/gwB-isakmp.conf" || t_abort gwB
unset GW_VERBOSE
LOGB=$(gw_dir gwB)/controld.log
show_w() { gwctl_in gwB "show workers"; }
# relayed: the first number of the relay line of show workers
relayed() { show_w | sed -n 's/^IKE messages relayed by workers: \([0-9]*\) .*/\1/p'; }
t_check "gwB's worker holds UDP 500 and 4500" t_poll 5 eval \
	'show_w | grep -q "port 500 held, 4500 held"'

# 2: IKE_SA_INIT -->
cat >"$(swan_dir ssA)/swanctl.conf" <<'EOF'
connections { t {
	version = 2
	local_addrs = 198.51.100.1
	remote_addrs = 198.51.100.2
	proposals = aes128-sha256-x25519
	local { auth = psk
		id = 198.51.100.1 }
	remote { auth = psk
		 id = 198.51.100.2 }
	children { t { local_ts = 192.0.2.0/25
		       remote_ts = 192.0.2.128/25
		       esp_proposals = aes128gcm16
		       start_action = none } } } }
secrets { ike-t { id-a = 198.51.100.1
		  id-b = 198.51.100.2
		  secret = "not-used-yet" } }
EOF
t_check "charon ssA starts in gwA" swan_start ssA gwA || t_abort ssA
t_check "ssA loads its connection" swan_load ssA
CAP=$GW_RUN/wan.pcap
cap_start inet br0 "$CAP" "udp port 500 or udp port 4500" || t_abort capture
t_check_not "ssA initiates to gwB: refused (gwB has no ikev2-profile)" \
	swan_initiate ssA t 2
t_check "ssA stops (no more retransmissions)" swan_stop ssA
cap_stop "$CAP"
on_wire=$(cap_count "$CAP" 'ip.dst == 198.51.100.2 && (udp.dstport == 500 || udp.dstport == 4500)')
t_ge "IKE from ssA to gwB on the wire" "$on_wire" 2
t_eq "an IKE_SA_INIT request first, answered" \
	"$(cap_count "$CAP" 'ip.src == 198.51.100.2 && isakmp.exchangetype == 34')" 1
t_check "controld counts each one relayed by datad (show workers)" t_poll 5 eval \
	'[ "$(relayed)" = "$on_wire" ]'
t_match "relayed as IKE, none shed, to the IKE engine" "$(show_w)" \
	"^IKE messages relayed by workers: $on_wire \(and 0 that were not IKE, 0 shed by the per-peer limit\); to the IKE engine"
t_check "the worker's own count agrees (reported each second)" t_poll 5 eval \
	'show_w | grep -qE "^  [^ ]+: port 500 held, 4500 held; relayed $on_wire, shed 0 per peer, 0 per worker"'
t_match "the engine received each one" "$(gwctl_in gwB "show crypto ikev2 stats")" \
	"^  $on_wire +messages received"
t_match "and refused its IKE_AUTH: no profile" "$(gwctl_in gwB "show crypto ikev2 stats")" \
	"^  [1-9][0-9]* +AUTHENTICATION_FAILED sent or received"
t_match "the answers left through the worker" "$(show_w)" \
	"^IKE messages sent through workers: [1-9][0-9]* \(0 not sent"

# 3: a burst of 20 packets of one flow, no SA
acq() { show_w | sed -n 's/^Acquires from workers: \([0-9]*\) .*/\1/p'; }
held() { show_w | sed -n 's/^  [^ ]*: port .*; acquires [0-9]*, held \([0-9]*\), .*/\1/p'; }
t_eq "no acquire before any traffic" "$(acq)" 0
t_check_not "hostB pings hostA, 20 at once: no SA, nothing answers" \
	nsx hostB ping -n -c 20 -i 0.01 -W 1 192.0.2.10
t_check "controld gets one acquire for the burst" t_poll 5 eval '[ "$(acq)" = 1 ]'
t_check "the worker held the other 19 back" t_poll 5 eval '[ "$(held)" = 19 ]'
t_match "the 20 packets dropped as permitted but without outbound SA" \
	"$(gwctl_in gwB "show workers")" "#pkts permitted but no outbound SA: 20"
t_match "controld's debug log: the entry starts nothing, and says why" "$(cat "$LOGB")" \
	"traffic on crypto map vpn 10 \(from worker [^ ]+\) starts nothing: .*isakmp policy"
t_match "show workers: none refused, to the IKE engine" "$(show_w)" \
	'^Acquires from workers: 1 \(0 refused\); to the IKE engine'
sleep 1.2
t_check_not "after the hold time, the same flow again (3 pings)" \
	nsx hostB ping -n -c 3 -i 0.01 -W 1 192.0.2.10
t_check "one more acquire, no more" t_poll 5 eval '[ "$(acq)" = 2 ] && [ "$(held)" = 21 ]'
t_end
