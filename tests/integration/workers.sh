#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/workers.sh: two datad workers on one gateway (docs/design.md "datad: run one or
# many per host"), sharing gwA's multi-queue TUN and its outbound SA:
#
#   1. both join (show workers) and both carry outbound traffic of several TCP flows, each
#      read its queue of the TUN (its own block of offload counters in show workers)
#   2. invariant 1: on the wire, no sequence number is sent twice under SPI 1000, although two
#      workers send under it at once (each has its own leased block)
#   3. invariant 2: the inbound SA has exactly one owner, shown by show crypto ipsec sa
#   4. kill -9 the owner under a ping flood: controld sees its link connection end, gives the
#      inbound SA to the other worker within a second (not after 3 s of silence), traffic flows
#      again, no reply comes twice, no (SPI, sequence) twice on the wire, one owner; the
#      survivor keeps the TUN and its routes
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/workers.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin workers
# show crypto ipsec sa in the IOS 11.3 layout here (crypto ipsec show-layout 11.3): this
# test reads its own lines (owner:, errors:, path/media mtu, esp-aes 256)
topo_up "gw$$" || t_abort "draw the topology"

t_check "gwB: controld + datad start" gw_start gwB \
	"$(conf_113 "$GW_SRC/deploy/examples/gwB.conf")" || t_abort gwB
t_check "gwA: controld starts" gw_start_controld gwA \
	"$(conf_113 "$GW_SRC/deploy/examples/gwA.conf")" || t_abort gwA
D=$(gw_dir gwA)
declare -A WPID
for id in gwA/1 gwA/2; do
	# shellcheck disable=SC2086 # GW_DATAD_ARGS: more datad options (tests/lib/on_io.sh)
	nsx_bg gwA "$D/datad-${id#gwA/}.log" "$GW_BIN/datad" -c "$(gw_link_ep gwA)" -t "$GW_TUN" -i "$id" \
		${GW_DATAD_ARGS:-}
	WPID[$id]=$LAST_PID
done
t_poll 5 bash -c "[ \$(ip netns exec $(ns_name gwA) $GW_BIN/gwctl -s $(gw_cli_ep gwA) \
	-c 'show workers' | grep -c ' up ') = 2 ]" || t_fail "two workers never showed up"
t_check "tunnel up: ping hostA -> hostB" wait_ping hostA 192.0.2.130 10

# 1 + 2: eight TCP flows spread over the TUN's queues; capture gwA's ESP.
CAP=$GW_RUN/esp.pcap
cap_start inet br0 "$CAP" "ip proto 50 and ip src 198.51.100.1" || t_abort "capture"
nsx_bg hostB "$GW_RUN/iperf-s.log" iperf3 -s -1
wait_listen hostB 5201 5 || t_abort "iperf3 server"
nsx hostA iperf3 -c 192.0.2.130 -P 8 -t 3 >"$GW_RUN/iperf-c.log" 2>&1
t_check "iperf3 -P 8 through two workers" grep -q "receiver" "$GW_RUN/iperf-c.log"
cap_stop "$CAP"
sleep 1.2	# one report interval
gwctl_in gwA "show workers" | tee "$GW_RUN/workers.txt" | sed 's/^/# /'
for id in gwA/1 gwA/2; do
	t_gt "$id sent ESP" "$(awk -v w="$id" '$1 == w { print $6 }' "$GW_RUN/workers.txt")" 0
	# its own block of offload counters: it read its queue of the TUN
	t_gt "$id read its queue of the TUN (show workers: TUN in)" "$(awk -v w="$id" '
		/^[^ ]/ { f = $1 == w; next } f && $1 == "TUN" && $2 == "in:" { print $3 }' \
		"$GW_RUN/workers.txt")" 0
done
tshark -n -r "$CAP" -Y 'esp.spi == 0x3e8' -T fields -e esp.sequence 2>/dev/null >"$GW_RUN/seq.txt"
t_gt "ESP packets of SPI 1000 captured" "$(wc -l <"$GW_RUN/seq.txt")" 1000
t_eq "no sequence number sent twice under SPI 1000 by the two workers" \
	"$(sort -n "$GW_RUN/seq.txt" | uniq -d | wc -l)" 0
# controld leases blocks of the key's space (durably, before it grants them): no number on
# the wire may lie beyond the mark in its state directory
MARK=$(awk '!/^#/ { if ($2 > m) m = $2 } END { print m + 0 }' "$D/state/key-leases")
t_lt "every number sent was leased first (highest $(sort -n "$GW_RUN/seq.txt" | tail -n1))" \
	"$(sort -n "$GW_RUN/seq.txt" | tail -n1)" "$MARK"
t_eq "controld refused no lease the workers asked for (show workers)" \
	"$(grep -oE 'lease-[a-z]+ [0-9]+' "$GW_RUN/workers.txt" | wc -l)" 0

# 3: one owner for the inbound SA.
OWNER=$(gwctl_in gwA "show crypto ipsec sa" | awk '/owner:/ { print $2 }')
t_eq "the inbound SA has one owner" "$(echo "$OWNER" | wc -w)" 1
t_match "the owner is one of the two workers" "$OWNER" '^gwA/[12]$'

# The SPI filter on the raw sockets: the other worker does not even see the owner's packets
# (without it, it would drop every one of them as not-owner; a few may have been queued on its
# socket before its first filter was attached).
NOT_OWNER=$(gwctl_in gwA "show workers" | grep -oE 'not-owner [0-9]+' | awk '{ s += $2 } END { print s + 0 }')
IN_OWNER=$(awk '$1 ~ /^gwA\// { s += $7 } END { print s + 0 }' "$GW_RUN/workers.txt")
echo "# packets the non-owner dropped as not its own: $NOT_OWNER, of $IN_OWNER inbound"
t_lt "the SPI filter keeps the owner's inbound packets from the other worker" \
	"$((NOT_OWNER * 100))" "$IN_OWNER"

# 4: the owner dies under a ping every 10 ms; its connection to controld ends with it, so
# controld presumes it dead at once (not after 3 s of silence) and gives the inbound SA to the
# other worker (docs/adr/0012).  bench/failover.sh measures the gap; here the behaviour.
OTHER=gwA/1; [ "$OWNER" = gwA/1 ] && OTHER=gwA/2
CAP2=$GW_RUN/esp-kill.pcap
cap_start inet br0 "$CAP2" "ip proto 50" || t_abort "capture"
nsx_bg hostA "$GW_RUN/ping-kill.txt" ping -D -n -i 0.01 -c 120 192.0.2.130
PING_PID=$LAST_PID
sleep 0.3
T_KILL=$(date +%s.%N)
kill -KILL "${WPID[$OWNER]}"; wait "${WPID[$OWNER]}" 2>/dev/null; unset "TOPO_PIDS[${WPID[$OWNER]}]"
t_poll 1 bash -c "ip netns exec $(ns_name gwA) $GW_BIN/gwctl -s $(gw_cli_ep gwA) \
	-c 'show crypto ipsec sa' | grep -q 'owner: $OTHER'" ||
	t_fail "the inbound SA did not move to $OTHER within 1 s"
t_match "controld says why: the owner's link connection ended" \
	"$(grep "worker $OWNER " "$D/controld.log" | grep 'presumed dead')" \
	"its link connection ended: presumed dead"
for ((i = 0; i < 40; i++)); do kill -0 "$PING_PID" 2>/dev/null || break; sleep 0.1; done
pid_stop "$PING_PID" INT 2	# ping -c 120 ends by itself; INT makes it write what it has
cap_stop "$CAP2"
t_gt "replies came back after the kill" "$(awk -v t="$T_KILL" '/bytes from/ {
	s = substr($1, 2, length($1) - 2); if (s + 0 > t + 0) n++ } END { print n + 0 }' \
	"$GW_RUN/ping-kill.txt")" 10
t_eq "no reply twice (an inbound ESP packet opened by two workers would be)" \
	"$(grep -c 'DUP!' "$GW_RUN/ping-kill.txt")" 0
t_eq "no (SPI, sequence) twice on the wire across the kill" \
	"$(tshark -n -r "$CAP2" -T fields -e esp.spi -e esp.sequence 2>/dev/null | sort | uniq -d |
	wc -l)" 0
OWNERS=$(gwctl_in gwA "show crypto ipsec sa" | awk '/owner:/ { print $2 }')
t_eq "one owner of the inbound SA, the survivor" "$OWNERS" "$OTHER"
t_check "the survivor stops cleanly (SIGTERM)" pid_stop "${WPID[$OTHER]}" TERM 5
t_end
