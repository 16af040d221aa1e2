#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/clear_inbound.sh: unprotected inbound traffic that matches a permit is
# dropped (docs/design.md invariant 5, IOS: "the router drops cleartext traffic that should have
# been protected").  eve, on the internet segment, forges hostA -> hostB packets in clear and sends
# them at layer 2 to gwB's wan0, so gwB receives them for forwarding.
#
#   1. control, before the daemons: the forged packets DO reach hostB (the forgery works, so an
#      empty capture later means gwB dropped them, not that eve missed)
#   2. gwA and gwB up, tunnel works; eve forges again: the packets are on the wire (br0), none of
#      them reaches hostB (capture on hostB's lan0), and legitimate traffic still flows
#   3. gwB counts them: a line of `show workers` with the word "unprotected" and a
#      number > 0 (CLEAR_IN_SHOW overrides the command)
#   4. a firewall reload on gwB (`nft flush ruleset`) removes datad's table: datad puts it
#      back within its 2 s check (it runs nft only when a generation changes the ruleset, so
#      nothing else would), eve's forgery is dropped again, and the count does not go back
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/clear_inbound.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin clear_inbound
CONF_A=$GW_SRC/deploy/examples/gwA.conf
CONF_B=$GW_SRC/deploy/examples/gwB.conf
SHOW=${CLEAR_IN_SHOW:-show workers}	# drops outside any SA (docs/show.md)
COUNT=3				# of each kind: ICMP echo, UDP/9, TCP SYN/80
FORGED="ip src 192.0.2.10 and ip dst 192.0.2.130 and ip[4:2] = 0x5eed"	# outer header only

topo_up "gw$$" || t_abort "draw the topology"
GWB_MAC=$(ns_mac gwB wan0)

# forge FILE_ON_HOSTB FILE_ON_WAN: eve sends the forged frames while both links are captured.
forge()
{
	cap_start hostB lan0 "$1" "$FORGED" || return 1
	cap_start inet br0 "$2" "$FORGED" || return 1
	nsx eve "$GW_PY" "$GW_SRC/tests/interop/inject_clear.py" --iface wan0 \
		--dst-mac "$GWB_MAC" --src 192.0.2.10 --dst 192.0.2.130 --count "$COUNT"
	local rc=$?
	sleep 0.5
	cap_stop "$1"; cap_stop "$2"
	return "$rc"
}

# 1. Control: without IPsec gwB forwards them.
t_check "eve forges cleartext hostA -> hostB (no daemons)" \
	forge "$GW_RUN/pre-hostB.pcap" "$GW_RUN/pre-wan.pcap"
t_eq "control: without IPsec the forged packets reach hostB" \
	"$(cap_count "$GW_RUN/pre-hostB.pcap" ip)" $((3 * COUNT)) ||
	t_abort "the forgery does not work in this lab"

# 2. With IPsec.
t_check "gwA: controld + datad start" gw_start gwA "$CONF_A" || t_abort "gwA start"
t_check "gwB: controld + datad start" gw_start gwB "$CONF_B" || t_abort "gwB start"
t_check "tunnel up: ping hostA -> hostB (10 s)" wait_ping hostA 192.0.2.130 10
t_check "eve forges cleartext hostA -> hostB (gateways up)" \
	forge "$GW_RUN/hostB.pcap" "$GW_RUN/wan.pcap"
t_eq "forged packets were on the internet link" \
	"$(cap_count "$GW_RUN/wan.pcap" ip)" $((3 * COUNT))
t_eq "no forged cleartext packet reaches hostB" "$(cap_count "$GW_RUN/hostB.pcap" ip)" 0
t_check "the tunnel still works after the forgery" \
	nsx hostA ping -n -c3 -i0.2 -W2 192.0.2.130

# 3. Counted as unprotected (datad reports counters: allow a few seconds).
unprotected()	# the largest number on any "unprotected" line of gwB's $SHOW
{
	gwctl_in gwB "$SHOW" 2>/dev/null | grep -i unprotected | grep -Eo '[0-9]+' |
		sort -n | tail -n1
}
unprotected_gt0() { [ "$(unprotected || echo 0)" -gt 0 ] 2>/dev/null; }
t_poll 5 unprotected_gt0
OUT=$(gwctl_in gwB "$SHOW" 2>&1)
t_match "gwB: \"$SHOW\" has an 'unprotected' counter" "$OUT" '[Uu]nprotected'
t_gt "gwB: unprotected packets counted" "$(unprotected)" 0
BEFORE=$(unprotected)

# 4. Someone else's "flush ruleset": the filter comes back on its own.
ipsecgw_table() { nsx gwB nft list tables 2>/dev/null | grep -q 'ip ipsecgw_'; }
t_check "gwB: nft flush ruleset (a firewall reload)" nsx gwB nft flush ruleset
t_check "gwB: datad's table is back within 5 s" t_poll 5 ipsecgw_table
t_check "eve forges cleartext again (table put back)" \
	forge "$GW_RUN/hostB2.pcap" "$GW_RUN/wan2.pcap"
t_eq "no forged packet reaches hostB after the flush" "$(cap_count "$GW_RUN/hostB2.pcap" ip)" 0
counted_more() { [ "$(unprotected || echo 0)" -gt "$BEFORE" ] 2>/dev/null; }
t_check "the unprotected count went on from $BEFORE" t_poll 5 counted_more
t_check "the tunnel still works" nsx hostA ping -n -c3 -i0.2 -W2 192.0.2.130

t_end
