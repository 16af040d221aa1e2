#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/restart.sh: datad is a stateless worker and controld can go away (docs/design.md
# "The ZeroMQ link"): with a ping running every 50 ms from hostA to hostB,
#
#   1. kill -9 gwA's datad, wait 1 s, start a new one: replies must resume within 1 s of the
#      restart (the longest silence from the restart on is measured from ping -D timestamps);
#      while gwA had no datad, no hostA -> hostB packet may cross the internet in clear
#      (permit = protect, docs/design.md invariant 5)
#   2. SIGTERM gwA's controld (it must exit 0): datad keeps forwarding with the tables it has,
#      so for 3 s no reply is missing for more than 0.5 s
#   3. start controld again: traffic goes on (no silence over 1 s) and `show crypto ipsec sa`
#      answers again
#   4. across all of it, gwA never sent one sequence number twice under SPI 1000 (docs/design.md
#      invariant 1: the new datad draws a fresh lease, it does not start again at 1), and the
#      numbers after the restart are above all those before it
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/restart.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin restart
CONF_A=$GW_SRC/deploy/examples/gwA.conf
CONF_B=$GW_SRC/deploy/examples/gwB.conf

topo_up "gw$$" || t_abort "draw the topology"
PING=$GW_RUN/ping.log
WAN=$GW_RUN/wan.pcap

t_check "gwA: controld + datad start" gw_start gwA "$CONF_A" || t_abort "gwA start"
t_check "gwB: controld + datad start" gw_start gwB "$CONF_B" || t_abort "gwB start"
t_check "tunnel up: ping hostA -> hostB (10 s)" wait_ping hostA 192.0.2.130 10 ||
	t_abort "no tunnel"

# -D: a timestamp per reply; -O: say when a reply is missing; -W 1: give up on one after 1 s.
T0=$(now)
nsx_bg hostA "$PING" ping -n -D -O -i 0.05 -W 1 192.0.2.130
sleep 2
read -r N GAP _ < <(ping_stats "$PING" "$T0" "$(now)")
t_gt "steady state: replies in the first 2 s" "$N" 20

# 1. datad dies without warning; a new one starts 1 s later.
SEQ=$GW_RUN/esp-seq.pcap
cap_start inet br0 "$SEQ" "ip proto 50 and ip src 198.51.100.1" || t_abort "ESP capture"
cap_start inet br0 "$WAN" "ip src 192.0.2.10 and ip dst 192.0.2.130" || t_abort "capture"
T_KILL=$(now)
t_check "gwA: kill -9 datad" gw_kill_datad gwA
sleep 1
T_RESTART=$(now)
t_check "gwA: new datad starts" gw_start_datad gwA
sleep 3
cap_stop "$WAN"
echo "# datad was down for $(awk -v a="$T_KILL" -v b="$T_RESTART" \
	'BEGIN { printf "%.2f", b - a }') s"
read -r N GAP FIRST < <(ping_stats "$PING" "$T_RESTART" "$(now)")
echo "# after the datad restart: $N replies in 3 s, first after ${FIRST}s, longest silence ${GAP}s"
t_gt "replies after the datad restart" "$N" 0
t_le "first reply within 1 s of the datad restart" "$FIRST" 1.0
t_le "longest silence after the datad restart" "$GAP" 1.0
t_eq "no hostA -> hostB packet in clear on the internet while datad was down" \
	"$(cap_count "$WAN" '!esp')" 0

# 2. controld goes away; datad keeps forwarding with its tables.
t_check "gwA: controld exits 0 on SIGTERM" gw_stop_controld gwA
T_STOP=$(now)
sleep 3
read -r N GAP _ < <(ping_stats "$PING" "$T_STOP" "$(now)")
echo "# without controld: $N replies in 3 s, longest silence ${GAP}s"
t_ge "replies in 3 s without controld (of 60 sent)" "$N" 40
t_le "longest silence without controld" "$GAP" 0.5

# 3. controld comes back.
t_check "gwA: controld starts again" gw_start_controld gwA "$CONF_A"
T_BACK=$(now)
t_poll 5 gwctl_in gwA "show crypto ipsec sa" >/dev/null
sleep 3
read -r N GAP _ < <(ping_stats "$PING" "$T_BACK" "$(now)")
echo "# after controld is back: $N replies in >= 3 s, longest silence ${GAP}s"
t_ge "replies after controld is back" "$N" 40
t_le "longest silence after controld is back" "$GAP" 1.0
t_check "gwA: show crypto ipsec sa answers again" gwctl_in gwA "show crypto ipsec sa"

# 4. Sequence numbers on the wire, in order of capture (tshark reads the ESP header only).
cap_stop "$SEQ"
tshark -n -r "$SEQ" -Y 'esp.spi == 0x3e8' -T fields -e frame.time_epoch -e esp.sequence \
	2>/dev/null >"$GW_RUN/seq.txt"
N_SEQ=$(wc -l <"$GW_RUN/seq.txt")
t_gt "ESP packets of SPI 1000 captured across the restarts" "$N_SEQ" 100
t_eq "no sequence number sent twice under SPI 1000" \
	"$(cut -f2 "$GW_RUN/seq.txt" | sort -n | uniq -d | wc -l)" 0
read -r BEFORE AFTER < <(awk -F'\t' -v k="$T_KILL" -v r="$T_RESTART" '
	$1 < k { if ($2 > b) b = $2 }
	$1 > r { if (a == "" || $2 < a) a = $2 }
	END { printf "%d %d\n", b, a }' "$GW_RUN/seq.txt")
echo "# highest sequence number before the kill: $BEFORE, lowest after the restart: $AFTER"
t_gt "the new datad continues above everything sent before the kill" "$AFTER" "$BEFORE"

t_end
