#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/nat_t_workers.sh: ESP in UDP 4500 (RFC 3948) with two datad workers on one
# gateway.  Only one socket per host can hold UDP 4500, so only that worker receives the
# peer's ESP-in-UDP: controld must give it the inbound SA, and when it dies the other worker
# must take the port over and the SA with it.
#
#   1. gwB runs worker gwB/2 first (it gets UDP 4500), then gwB/1 (it cannot); by name gwB/1
#      would own the inbound SA, but the SA goes to gwB/2, and pings go through
#   2. IKE on UDP 500, and behind the non-ESP marker on UDP 4500, is relayed to controld,
#      which counts it
#   3. kill -9 gwB/2: gwB/1 binds UDP 4500 within a second or two, says so, and gets the SA;
#      pings go through again, still as ESP in UDP on the wire
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/nat_t_workers.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin nat_t_workers
# show crypto ipsec sa in the IOS 11.3 layout here (crypto ipsec show-layout 11.3): this
# test reads its own lines (owner:, errors:, path/media mtu, esp-aes 256)
topo_up "gw$$" || t_abort "draw the topology"

for g in A B; do
	sed 's/^ set transform-set AES-SHA$/&\n set nat-t udp-encapsulation/' \
		"$GW_SRC/deploy/examples/gw$g.conf" >"$GW_RUN/gw$g-natt.conf"
		layout_113 "$GW_RUN/gw$g-natt.conf"
	grep -q 'nat-t udp' "$GW_RUN/gw$g-natt.conf" || t_abort "gw$g's configuration with nat-t"
done
t_check "gwA: controld + datad start" gw_start gwA "$GW_RUN/gwA-natt.conf" || t_abort gwA
t_check "gwB: controld starts" gw_start_controld gwB "$GW_RUN/gwB-natt.conf" || t_abort gwB
D=$(gw_dir gwB)
declare -A WPID
start_worker() {
	# shellcheck disable=SC2086 # GW_DATAD_ARGS: more datad options (tests/lib/on_io.sh)
	nsx_bg gwB "$D/datad-${1#gwB/}.log" "$GW_BIN/datad" -c "$(gw_link_ep gwB)" -t "$GW_TUN" -i "$1" \
		${GW_DATAD_ARGS:-}
	WPID[$1]=$LAST_PID
}
# holder PID: does PID hold UDP 4500 in gwB?
holder() { nsx gwB ss -H -ulpn 'sport = :4500' | grep -q "pid=$1,"; }
owner() { gwctl_in gwB "show crypto ipsec sa" | awk '/owner:/ { print $2 }'; }
owner_is() { [ "$(owner)" = "$1" ]; }
n_up() { gwctl_in gwB "show workers" | grep -c ' up '; }
ping_ab() { nsx hostA ping -n -c 3 -i 0.2 -W 2 192.0.2.130; }

start_worker gwB/2
t_check "gwB/2 starts first and holds UDP 4500" t_poll 5 holder "${WPID[gwB/2]}"
start_worker gwB/1
t_check "gwB/1 joins (two workers up)" t_poll 5 eval '[ "$(n_up)" = 2 ]'
t_check_not "gwB/1 does not hold UDP 4500" holder "${WPID[gwB/1]}"
t_check "the inbound ESP-in-UDP SA goes to gwB/2, the port's holder (by name gwB/1 would have it)" \
	t_poll 5 owner_is gwB/2
CAP=$GW_RUN/wan.pcap
cap_start inet br0 "$CAP" "ip proto 50 or udp port 4500" || t_abort capture
t_check "ping hostA -> hostB through ESP in UDP (10 s)" wait_ping hostA 192.0.2.130 10
t_check "5 pings, all answered" nsx hostA ping -n -c 5 -i 0.2 -W 2 192.0.2.130

# IKE goes to controld (docs/design.md): on UDP 4500 behind the non-ESP marker (RFC 3948 §2.2),
# on UDP 500 as it is.  From eve: an IKEv2 IKE_SA_INIT header to each port, and one to 4500
# whose Length field lies.
ike_from_eve() {	# PORT LENGTH
	nsx eve "$GW_PY" -c '
import struct, sys
from scapy.all import IP, UDP, Raw, conf, send
conf.verb = 0
port, length = int(sys.argv[1]), int(sys.argv[2])
hdr = bytes(range(1, 9)) + bytes(8) + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, length)
send(IP(dst="198.51.100.2") / UDP(sport=port, dport=port) /
     Raw((bytes(4) if port == 4500 else b"") + hdr), iface="wan0")
' "$1" "$2"
}
ike_line() { gwctl_in gwB "show workers" | grep -m1 '^IKE messages relayed'; }
t_check "eve sends an IKE header to gwB's UDP 4500" ike_from_eve 4500 28
t_check "eve sends an IKE header to gwB's UDP 500" ike_from_eve 500 28
t_check "and one to 4500 whose Length field lies" ike_from_eve 4500 999
t_check "controld counts two IKE messages relayed (show workers)" t_poll 5 \
	eval '[ "$(ike_line)" = "IKE messages relayed by workers: 2 (and 0 that were not IKE, 0 shed by the per-peer limit); to the IKE engine" ]'
t_check "the one that lies is dropped by the worker before it spends the relay's budget" \
	t_poll 5 eval 'gwctl_in gwB "show workers" | grep -qE "drops outside SAs:.*proto [1-9]"'
t_check "ESP in UDP still flows" ping_ab

# 2: the holder dies
kill -KILL "${WPID[gwB/2]}"; wait "${WPID[gwB/2]}" 2>/dev/null; unset "TOPO_PIDS[${WPID[gwB/2]}]"
T0=$SECONDS
t_check "gwB/1 takes UDP 4500 over" t_poll 5 holder "${WPID[gwB/1]}"
t_check "and the inbound SA" t_poll 10 owner_is gwB/1
t_check "pings go through again (10 s)" wait_ping hostA 192.0.2.130 10
echo "# answered again $((SECONDS - T0)) s after gwB/2 was killed"
t_check "3 pings, all answered" ping_ab
cap_stop "$CAP"
t_eq "no raw ESP on the wire" "$(cap_count "$CAP" 'ip.proto == 50')" 0
t_ge "ESP in UDP 4500 from gwB" \
	"$(cap_count "$CAP" 'ip.src == 198.51.100.2 && udp.srcport == 4500 && esp')" 8
t_check "gwB/1's log says it took the port" grep -q "UDP port 4500 is ours now" "$D/datad-1.log"
t_check "gwB/1 stops cleanly (SIGTERM)" pid_stop "${WPID[gwB/1]}" TERM 5
t_end
