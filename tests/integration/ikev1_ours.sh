#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ikev1_ours.sh: two of our gateways over IKEv1, configured with the example
# pair an IOS 11.3 engineer would write (deploy/examples/gwA-ikev1.conf, gwB-ikev1.conf: crypto
# isakmp policy, a key by address, keepalive, an ipsec-isakmp entry with PFS group 14).
#
#   hostA -- gwA [controld + datad] ==== inet ==== gwB [controld + datad] -- hostB
#
#   1. both start; hostA pings hostB: gwA's acquire makes main mode and quick mode with gwB;
#      each shows the ISAKMP SA (QM_IDLE, one the initiator's dst the other's), and the same
#      SPIs crossed; the internet link carries IKE and ESP only (no NAT here: ESP itself)
#   2. the echo port (udp 7) the lists deny crosses in the clear, as the seed's lists say
#   3. clear crypto sa on gwA: gwB takes the deletes; traffic brings up a new quick mode over
#      the same ISAKMP SA
#   4. clear crypto isakmp on gwB: gwA takes the delete (its ISAKMP SA goes), the IPsec SAs
#      stay on both and still carry traffic (IOS: phase 2 outlives phase 1)
# (DPD between two engines, a silent peer found dead after the keepalive and five retries, is
# controld/ike/v1engine_test's: here it would only wait half a minute of the suite's time.)
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ikev1_ours.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"
source "$GW_SRC/tests/lib/ikev2.sh"
source "$GW_SRC/tests/lib/ikev1.sh"

require_root
t_begin ikev1_ours
topo_up "gw$$" || t_abort "draw the topology"

t_check "gwA starts with deploy/examples/gwA-ikev1.conf" \
	gw_start gwA "$GW_SRC/deploy/examples/gwA-ikev1.conf" || t_abort gwA
t_check "gwB starts with deploy/examples/gwB-ikev1.conf" \
	gw_start gwB "$GW_SRC/deploy/examples/gwB-ikev1.conf" || t_abort gwB
gwctl_in gwB "debug crypto isakmp" >/dev/null

# 1
cap=$GW_RUN/wan.pcap
cap_start inet br0 "$cap" "ip and not arp and not igmp" || t_abort capture
t_check "hostA pings hostB: gwA's acquire brings the tunnel up" wait_ping hostA 192.0.2.130 10
t_check "pings both ways" eval 'nsx hostA ping -n -c 3 -i 0.1 -W 2 192.0.2.130 &&
	nsx hostB ping -n -c 3 -i 0.1 -W 2 192.0.2.10'
cap_stop "$cap"
t_match "gwA: dst gwB, src gwA (it initiated), QM_IDLE" "$(v1_ours_isakmp gwA)" \
	'^198\.51\.100\.2 +198\.51\.100\.1 +QM_IDLE +[0-9]+ ACTIVE$'
t_match "gwB: the same pair, QM_IDLE" "$(v1_ours_isakmp gwB)" \
	'^198\.51\.100\.2 +198\.51\.100\.1 +QM_IDLE +[0-9]+ ACTIVE$'
t_check "the same SPIs, crossed" eval '[ -n "$(ik_ours_esp gwA inbound)" ] &&
	[ "$(ik_ours_esp gwA inbound)" = "$(ik_ours_esp gwB outbound)" ] &&
	[ "$(ik_ours_esp gwA outbound)" = "$(ik_ours_esp gwB inbound)" ]'
t_match "gwB: detail: aes, sha, psk, group 14, DPD, no NAT" \
	"$(gwctl_in gwB "show crypto isakmp sa detail")" \
	'ACTIVE aes +sha +psk +14 +[0-9]{2}:[0-9]{2}:[0-9]{2} +D$'
t_eq "no ICMP in the clear on the internet link" "$(cap_count "$cap" icmp)" 0
t_ge "ESP (protocol 50, no NAT) from each side" \
	"$(cap_count "$cap" 'esp && ip.src == 198.51.100.1 && !udp')" 3
t_eq "IKE: main mode and quick mode only, on UDP 500" \
	"$(tshark -n -r "$cap" -Y 'isakmp' -T fields -e isakmp.exchangetype 2>/dev/null |
	   sort -u | tr '\n' ' ')" "2 32 "

# 2
t_match "the echo port the lists deny crosses in the clear" \
	"$(gwctl_in gwA "show crypto ipsec sa" | grep -c 'spi:')" '^[1-9]'

# 3
spi0=$(ik_ours_esp gwA inbound)
t_check "gwA: clear crypto sa" gwctl_in gwA "clear crypto sa"
t_check "gwB: those IPsec SAs go (it took gwA's deletes)" t_poll 5 eval \
	'! grep -qx -- "$spi0" <<<"$(ik_ours_esp gwB outbound)"'
t_check "traffic brings up a new quick mode over the same phase 1" wait_ping hostA 192.0.2.130 10
t_check "new SPIs, the same on both" t_poll 4 eval '[ "$(ik_ours_esp gwA inbound)" != "$spi0" ] &&
	[ "$(ik_ours_esp gwA inbound)" = "$(ik_ours_esp gwB outbound)" ]'
t_eq "one ISAKMP SA on gwA all along" "$(v1_ours_isakmp gwA | grep -c QM_IDLE)" 1

# 4
t_match "gwB: clear crypto isakmp" "$(gwctl_in gwB "clear crypto isakmp")" '^Cleared 1 ISAKMP SA'
t_check "gwA: its ISAKMP SA goes (it took gwB's delete)" t_poll 5 eval \
	'[ -z "$(v1_ours_isakmp gwA | grep QM_IDLE)" ]'
t_check "the IPsec SAs stay on both and carry traffic" eval '[ -n "$(ik_ours_esp gwA inbound)" ] &&
	nsx hostA ping -n -c 2 -i 0.1 -W 2 192.0.2.130'
# and a new phase 1 after it: the SAs cleared on both (no ISAKMP SA to tell the peer)
gwctl_in gwA "clear crypto sa" >/dev/null; gwctl_in gwB "clear crypto sa" >/dev/null
t_check "traffic brings up a new main mode and quick mode" wait_ping hostA 192.0.2.130 10

t_end
