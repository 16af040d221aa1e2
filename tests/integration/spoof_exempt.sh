#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/spoof_exempt.sh: ESP, AH and UDP 500/4500 are let past the cleartext filter
# only when they are addressed to the gateway itself (issue 8, finding 3; docs/design.md invariant
# 5).  eve, on the internet segment, forges hostA -> hostB packets of the kinds datad judges itself
# (UDP to 500 and 4500, UDP from 500 and 4500 to another port, IP protocols 50 and 51 with random
# bytes) and sends them at layer 2 to gwB's wan0, so gwB receives them for forwarding.  `permit ip
# 192.0.2.128/25 192.0.2.0/25` covers every one of them.
#
#   1. control, before the daemons: every kind reaches hostB (the forgery works)
#   2. gwA and gwB up, tunnel works; eve forges again: the packets are on the wire, none of
#      them reaches hostB, and gwB's "#pkts unprotected" rises by at least the number sent
#   3. the same kinds addressed to gwB itself still reach datad: IKE on UDP 500 and behind the
#      non-ESP marker on 4500, from eve's own address and from a spoofed protected source to
#      gwB's LAN address (inside the permit), is relayed to controld (show workers); ESP to
#      that address is judged by datad (unknown SPI), and none of it counts as unprotected;
#      the tunnel still works
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/spoof_exempt.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin spoof_exempt
COUNT=3						# of each kind
KINDS=(ike natt ike-sport natt-sport esp ah)
declare -A SEEN=(				# each kind in tshark's words
	[ike]='udp.dstport == 500'
	[natt]='udp.dstport == 4500'
	[ike-sport]='udp.srcport == 500 && udp.dstport != 500'
	[natt-sport]='udp.srcport == 4500 && udp.dstport != 4500'
	[esp]='ip.proto == 50'
	[ah]='ip.proto == 51'
)
N=$((${#KINDS[@]} * COUNT))
FORGED="ip src 192.0.2.10 and ip dst 192.0.2.130 and ip[4:2] = 0x5eed"	# outer header only

topo_up "gw$$" || t_abort "draw the topology"
GWB_MAC=$(ns_mac gwB wan0)

# inject SRC DST KINDS COUNT: eve sends forged frames to gwB's wan0.
inject()
{
	nsx eve "$GW_PY" "$GW_SRC/tests/interop/inject_clear.py" --iface wan0 \
		--dst-mac "$GWB_MAC" --src "$1" --dst "$2" --kinds "$3" --count "$4"
}

# forge FILE_ON_HOSTB FILE_ON_WAN: eve sends every kind hostA -> hostB while both links are
# captured.
forge()
{
	local kinds rc
	kinds=$(IFS=,; echo "${KINDS[*]}")
	cap_start hostB lan0 "$1" "$FORGED" || return 1
	cap_start inet br0 "$2" "$FORGED" || return 1
	inject 192.0.2.10 192.0.2.130 "$kinds" "$COUNT"
	rc=$?
	sleep 0.5
	cap_stop "$1"; cap_stop "$2"
	return "$rc"
}

# per_kind PCAP: "kind=N ..." for each kind found in PCAP
per_kind()
{
	local k out=""
	for k in "${KINDS[@]}"; do
		out+="$k=$(cap_count "$1" "${SEEN[$k]}") "
	done
	echo "${out% }"
}
all_kinds() { local k out=""; for k in "${KINDS[@]}"; do out+="$k=$1 "; done; echo "${out% }"; }

# 1. Control: without IPsec gwB forwards every kind.
t_check "eve forges each kind hostA -> hostB (no daemons)" \
	forge "$GW_RUN/pre-hostB.pcap" "$GW_RUN/pre-wan.pcap"
t_eq "control: without IPsec each kind reaches hostB" \
	"$(per_kind "$GW_RUN/pre-hostB.pcap")" "$(all_kinds "$COUNT")" ||
	t_abort "the forgery does not work in this lab"

# 2. With IPsec.
t_check "gwA: controld + datad start" gw_start gwA "$GW_SRC/deploy/examples/gwA.conf" ||
	t_abort "gwA start"
t_check "gwB: controld + datad start" gw_start gwB "$GW_SRC/deploy/examples/gwB.conf" ||
	t_abort "gwB start"
t_check "tunnel up: ping hostA -> hostB (10 s)" wait_ping hostA 192.0.2.130 10

# show_num CMD REGEX: the first number after REGEX in gwB's CMD
show_num()
{
	gwctl_in gwB "$1" 2>/dev/null | grep -m1 -Eo "$2 *[0-9]+" | grep -Eo '[0-9]+$'
}
# the drops outside any SA: show workers (in the IOS 11.3 layout, show crypto ipsec sa too)
unprotected() { show_num "show workers" 'unprotected \(cleartext matching a permit\):'; }
unknown_spi() { show_num "show workers" 'with an unknown SPI:'; }
ike_relayed() { show_num "show workers" 'IKE messages relayed by workers:'; }
at_least() { local v; v=$("$1") && [ "$v" -ge "$2" ] 2>/dev/null; }

U0=$(unprotected)
t_match "gwB counts unprotected packets (before: $U0)" "$U0" '^[0-9]+$' || U0=0
t_check "eve forges each kind hostA -> hostB (gateways up)" \
	forge "$GW_RUN/hostB.pcap" "$GW_RUN/wan.pcap"
t_eq "forged packets were on the internet link" "$(cap_count "$GW_RUN/wan.pcap" ip)" "$N"
t_eq "no forged packet of any kind reaches hostB" \
	"$(per_kind "$GW_RUN/hostB.pcap")" "$(all_kinds 0)"
t_poll 8 at_least unprotected $((U0 + N))	# nft read every 2 s, reported every second
U1=$(unprotected)
echo "# gwB #pkts unprotected: $U0 before, ${U1:-?} after $N forged packets"
t_ge "gwB counts each of them as unprotected" "$((${U1:-0} - U0))" "$N"
t_check "the tunnel still works after the forgery" \
	nsx hostA ping -n -c 3 -i 0.2 -W 2 192.0.2.130

# 3. Addressed to gwB itself, the same kinds are datad's: IKE is relayed, ESP judged by SPI.
I0=$(ike_relayed); S0=$(unknown_spi)
t_check "eve sends IKE to gwB's UDP 500 and 4500 from its own address" \
	inject 198.51.100.66 198.51.100.2 ike,natt 1
t_check "and from a spoofed protected source to gwB's LAN address" \
	inject 192.0.2.10 192.0.2.129 ike,natt 1
t_check "controld counts the 4 IKE messages relayed (show workers; $I0 before)" \
	t_poll 5 at_least ike_relayed $((I0 + 4))
t_check "eve sends ESP with random bytes to gwB's LAN address, spoofed" \
	inject 192.0.2.10 192.0.2.129 esp "$COUNT"
t_check "datad judges it: counted as unknown SPI ($S0 before)" \
	t_poll 5 at_least unknown_spi $((S0 + COUNT))
sleep 2.5					# one nft counter read
t_eq "none of what was addressed to gwB counts as unprotected" "$(unprotected)" "$U1"
t_check "the tunnel still works" nsx hostA ping -n -c 3 -i 0.2 -W 2 192.0.2.130
t_end
