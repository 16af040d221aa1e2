#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/show_parsers.sh: the show commands in the default IOS 12.4/15 layout, read
# by the parsers' shapes (tests/parsers/: TextFSM templates written from ntc-templates' and a
# module of genieparser's line shapes), with the values they extract checked against what the
# two gateways of deploy/examples (manual keys) really carry.
#
#   1. gwA and gwB start; the tunnel carries a first ping
#   2. clear crypto sa counters on both; 20 pings hostA -> hostB
#   3. show crypto ipsec sa [detail], show crypto map, show crypto ipsec transform-set of each
#      gateway parse, every line; peer, local address, interface, map tag, SPIs, transforms,
#      and #pkts encaps/decaps equal to the 20 pings
#   4. crypto ipsec show-layout 11.3 brings the old layout back (gwctl -c, one command)
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/show_parsers.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin show_parsers
HOST_B=192.0.2.130
N=20
/usr/bin/python3 -c 'import textfsm' 2>/dev/null || { echo "1..0 # SKIP python3-textfsm"; exit 77; }

topo_up "sp$$" || t_abort "draw the topology"
t_check "gwA: controld + datad start" gw_start gwA "$GW_SRC/deploy/examples/gwA.conf" ||
	t_abort "gwA start"
t_check "gwB: controld + datad start" gw_start gwB "$GW_SRC/deploy/examples/gwB.conf" ||
	t_abort "gwB start"
t_check "first ping hostA -> hostB through the tunnel" wait_ping hostA "$HOST_B" 10

# 2. From zero: the first pings (and any report still on its way) are cleared first.
sleep 1.2
for g in gwA gwB; do
	t_match "$g: clear crypto sa counters" "$(gwctl_in $g "clear crypto sa counters")" \
		'^Cleared the counters of 2 SAs'
done
t_check "$N pings hostA -> hostB, all answered" nsx hostA ping -n -q -c $N -i 0.05 -W2 "$HOST_B"
counted() { [ "$(gw_sa_counter gwA encaps)" = $N ] && [ "$(gw_sa_counter gwA decaps)" = $N ] &&
	[ "$(gw_sa_counter gwB encaps)" = $N ] && [ "$(gw_sa_counter gwB decaps)" = $N ]; }
t_check "the workers reported the $N pings each way" t_poll 5 counted

# 3. What each gateway prints, through the parsers.
shows() {
	local d=$GW_RUN/show-$1
	mkdir -p "$d"
	gwctl_in "$1" "show crypto ipsec sa" >"$d/sa.txt" &&
		gwctl_in "$1" "show crypto ipsec sa detail" >"$d/sa_detail.txt" &&
		gwctl_in "$1" "show crypto map" >"$d/map.txt" &&
		gwctl_in "$1" "show crypto ipsec transform-set" >"$d/tset.txt"
}
check() {	# GW PEER LOCAL SPI-OUT SPI-IN: the TAP of check_show.py, its failures shown
	local tap=$GW_RUN/show-$1/check.tap rc=0
	/usr/bin/python3 "$GW_SRC/tests/parsers/check_show.py" "$GW_RUN/show-$1" \
		--peer "$2" --local "$3" --if wan0 --map vpn --spi-out "$4" --spi-in "$5" \
		--transform "esp-256-aes esp-sha-hmac" --pkts $N >"$tap" 2>&1 || rc=$?
	echo "$1: $(grep -c '^ok' "$tap") parser checks passed"
	grep -A4 '^not ok\|Error\|Traceback' "$tap" | head -40
	return "$rc"
}
t_check "gwA: the show commands print" shows gwA
t_check "gwB: the show commands print" shows gwB
t_check "gwA: parsed: peer, local addr, SPIs, transforms, $N pings each way" \
	check gwA 198.51.100.2 198.51.100.1 1000 1001
t_check "gwB: parsed: peer, local addr, SPIs, transforms, $N pings each way" \
	check gwB 198.51.100.1 198.51.100.2 1001 1000
# SHOW_PARSERS_KEEP=DIR keeps what was parsed (tests/parsers/samples/ came from there)
[ -z "${SHOW_PARSERS_KEEP:-}" ] || cp -r "$GW_RUN/show-gwA" "$GW_RUN/show-gwB" "$SHOW_PARSERS_KEEP/"

# 4. The legacy layout, one configuration command away.
t_check "gwA: crypto ipsec show-layout 11.3" nsx gwA timeout 10 "$GW_BIN/gwctl" \
	-s "$(gw_cli_ep gwA)" -c "configure terminal" -c "crypto ipsec show-layout 11.3" -c end
OLD=$(gwctl_in gwA "show crypto ipsec sa detail")
t_match "gwA: the 11.3 layout again" "$OLD" 'Crypto map tag: vpn, local addr\. 198\.51\.100\.1'
[ -z "${SHOW_PARSERS_KEEP:-}" ] || echo "$OLD" >"$SHOW_PARSERS_KEEP/sa_detail_113.txt"
t_end
