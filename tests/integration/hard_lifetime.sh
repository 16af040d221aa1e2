#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/hard_lifetime.sh: a worker ends a negotiated SA at its hard kilobytes by
# itself, with controld away (issue 10; docs/datad.md, "Hard lifetimes"):
#
#   hostA -- gwA [controld + datad] ==== inet (capture) ==== gwB [controld + datad] -- hostB
#
#   gwA, gwB: the demo's IKEv2 tunnel (deploy/examples/gw{A,B}-ikev2.conf) with a child SA
#   lifetime of 2560 KB, the least IOS takes.
#
#   1. hostA pings hostB: gwA negotiates the child SA (acquire); the ping crosses as ESP
#   2. both controlds are stopped (SIGSTOP): nobody can rekey or delete the SA now
#   3. hostA sends 6 MB of UDP to hostB: gwA's worker stops its outbound SA at 2560 KB.  On
#      the wire (tshark): the ESP of that SPI reached the limit and passed it by less than one
#      packet (2048 bytes: what datad counts is at least each packet's ESP part); hostB got
#      less than was sent
#   4. gwA's controld goes on (SIGCONT), gwB's not yet: the SA cannot be rekeyed, and gwA's
#      `show crypto ipsec sa detail` counts the dropped packets as "expired" on it
#   5. gwB's controld goes on: the SA is rekeyed (its soft kilobytes were passed) and the
#      tunnel carries again
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/hard_lifetime.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
command -v tshark >/dev/null || { echo "SKIP: hard_lifetime: no tshark" >&2; exit 77; }
t_begin hard_lifetime
# show crypto ipsec sa in the IOS 11.3 layout here (crypto ipsec show-layout 11.3): this
# test reads its own lines (owner:, errors:, path/media mtu, esp-aes 256)
topo_up "gw$$" || t_abort "draw the topology"

KB=2560
H=$((KB * 1024))
HOST_B=192.0.2.130
for g in gwA gwB; do
	awk -v kb="$KB" '{ print }
	    /^ set security-association lifetime seconds/ {
		print " set security-association lifetime kilobytes " kb }' \
		"$GW_SRC/deploy/examples/$g-ikev2.conf" >"$GW_RUN/$g.conf"
		layout_113 "$GW_RUN/$g.conf"
	t_check "$g: lifetime kilobytes $KB" grep -q "lifetime kilobytes $KB" "$GW_RUN/$g.conf"
done
CAP=$GW_RUN/esp.pcap
t_check "capture on the internet link" cap_start inet br0 "$CAP" ip proto 50 or udp port 4500
for g in gwA gwB; do
	t_check "$g starts" gw_start "$g" "$GW_RUN/$g.conf" || t_abort "$g"
done

# 1
t_check "hostA pings hostB: the tunnel comes up by IKEv2" wait_ping hostA "$HOST_B" 15
SPI=$(gwctl_in gwA "show crypto ipsec sa" | awk '/outbound esp sas:/ { f = 1 } f && /spi:/ {
	sub(/\(.*/, "", $2); print $2; exit }')
t_match "gwA's outbound SA" "$SPI" '^0x[0-9A-Fa-f]+$'

# 2
kill -STOP "${GW_PID[gwA/controld]}" "${GW_PID[gwB/controld]}"
t_pass "both controlds stopped (SIGSTOP): the workers are on their own"

# 3: 5000 datagrams of 1200 bytes (6 MB) hostA -> hostB, counted where they arrive
SINK=$GW_RUN/sink.count
nsx_bg hostB "$GW_RUN/sink.log" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 9000)); s.settimeout(3)
n = 0
try:
    while True:
        s.recv(2048); n += 1
except socket.timeout:
    pass
open(sys.argv[1], "w").write("%d\n" % n)' "$SINK"
SINK_PID=$LAST_PID
wait_listen hostB 9000 udp || t_abort "the sink on hostB"
nsx hostA python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5000):
    s.sendto(b"x" * 1200, ("'"$HOST_B"'", 9000))
    if i % 50 == 49:
        time.sleep(0.002)'
t_pass "hostA sent 5000 datagrams of 1200 bytes"
for ((i = 0; i < 100; i++)); do kill -0 "$SINK_PID" 2>/dev/null || break; sleep 0.1; done
GOT=$(cat "$SINK" 2>/dev/null || echo -1)
t_gt "hostB got some" "$GOT" 100
t_lt "but not all: the SA stopped at its kilobytes ($GOT of 5000)" "$GOT" 5000
cap_stop "$CAP"
# per packet of the SA: IP length, and the ESP part (less the IP header, and UDP if any)
read -r N LEN ESP < <(tshark -n -r "$CAP" -Y "ip.src == 198.51.100.1 && esp.spi == $SPI" \
	-T fields -e ip.len -e udp.length 2>/dev/null |
	awk '{ n++; len += $1; esp += $1 - 20 - ($2 != "" ? 8 : 0) }
	    END { print n + 0, len + 0, esp + 0 }')
echo "# gwA's SA $SPI on the wire: $N packets, $LEN bytes of IP, $ESP bytes of ESP; limit $H"
t_ge "it reached its limit ($LEN bytes of IP >= $H)" "$LEN" "$H"
t_le "and passed it by less than one packet ($ESP bytes of ESP <= $H + 2048)" "$ESP" $((H + 2048))

# 4
kill -CONT "${GW_PID[gwA/controld]}"
expired()
{
	gwctl_in gwA "show crypto ipsec sa detail" | grep -oE 'expired [0-9]+' |
		awk '{ if ($2 > m) m = $2 } END { print m + 0 }'
}
t_check "gwA's controld goes on; its show counts the drops as expired" \
	t_poll 10 eval '[ "$(expired)" -gt 0 ]'
echo "# gwA: $(expired) packets expired on the SA"

# 5
kill -CONT "${GW_PID[gwB/controld]}"
t_check "gwB's goes on: the SA is rekeyed and the tunnel carries again" \
	wait_ping hostA "$HOST_B" 30
t_end
