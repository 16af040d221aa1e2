#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ikev2_swan_rekey.sh: rekeys under load between our IKEv2 and strongSwan
# 5.9.8, each kind initiated by each side, and not one packet lost: UDP iperf3 one way and
# 100-per-second pings both ways cross the tunnel while child SAs and IKE SAs are replaced;
# the capture of the internet link shows every ESP SPI's sequence numbers without a gap.
#
#   hostA -- gwA [charon ssA] ==== inet ==== gwB [controld + datad] -- hostB
#
#   gwB: child SA lifetime 120 s and 16000 KB (at 8 Mbit/s each way its soft kilobytes, a
#   tenth short of the hard, come ~14 s after a child is made: gwB rekeys it), IKE SA
#   lifetime 120 s (the minimum: gwB, the original initiator, rekeys it at 90%, 108 s).
#   strongSwan rekeys the child by hand every 20 s (T0 + 10, 30, ... 90), so each 20 s
#   brings one child rekey of each side, in turn.
#
#   1. hostB's ping: gwB initiates (acquire); then the load for LOAD_S seconds
#   2. while it runs: the child rekeys of both sides; gwB's IKE SA rekey at 108 s; then
#      strongSwan rekeys the IKE SA too (swanctl --rekey --ike); after each IKE rekey both
#      ends show the same new IKE SPIs
#   3. afterwards: the pings lost nothing either way, but for what the kernel counted as
#      dropped by a full queue (iperf3's loss is printed: on a busy machine UDP at 8 Mbit/s
#      loses some in the hosts' sockets); in the capture every ESP SPI's sequence numbers
#      run 1..N without a gap or a repeat; CREATE_CHILD_SA requests came from both
#      addresses; gwB counted its rekeys and dropped nothing
#
# It lasts about two minutes: the IKE lifetime cannot be set below 120 s (docs/ikev2.md).
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ikev2_swan_rekey.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"
source "$GW_SRC/tests/lib/ikev2.sh"

command -v iperf3 >/dev/null || { echo "SKIP: ikev2_swan_rekey: no iperf3" >&2; exit 77; }
ik_begin ikev2_swan_rekey

IKE_LIFE=120
LOAD_S=${LOAD_S:-$((IKE_LIFE * 9 / 10 + 8))}	# past gwB's IKE rekey, time for strongSwan's
IK_LIFE=120 IK_LIFE_KB=16000 IK_IKE_LIFE=$IKE_LIFE IK_DPD=
SW_REKEY=0			# strongSwan's children: rekeyed by hand, below
ik_ours_conf >"$GW_RUN/gwB.conf"; layout_113 "$GW_RUN/gwB.conf"
t_check "gwB starts (child 120 s / 16000 KB, IKE SA 120 s)" gw_start gwB "$GW_RUN/gwB.conf" ||
	t_abort gwB
ik_swan_conf >"$(swan_dir ssA)/swanctl.conf"
t_check "charon ssA starts in gwA" swan_start ssA gwA || t_abort ssA
t_check "ssA loads its connection" swan_load ssA

# gwB sends runs of its ESP in UDP as one UDP GSO skb (datad/udpgso.c), which a veth hands on
# whole, so a capture in the lab would see one frame where a wire sees each datagram: gwB's
# wan0 takes no GSO skb (gso_max_segs 1), the kernel cuts them before it, as before a NIC
# without UDP segmentation offload.
nsx gwB ip link set dev wan0 gso_max_segs 1

# The capture: headers only (ESP's SPI and sequence number are in the first 50 bytes).
CAP=$GW_RUN/rekey.pcap
: >"$CAP.log"
nsx_bg inet "$CAP.log" tcpdump -i br0 -n -Z root -s 96 -B 65536 -U --immediate-mode \
	-w "$CAP" udp port 500 or udp port 4500
CAP_PID[$CAP]=$LAST_PID
t_check "capture on the internet link" t_poll 5 grep -q 'listening on' "$CAP.log"

# 1
nsx hostB ping -n -c 1 -W 0.2 192.0.2.10 >/dev/null	# the acquire
t_check "hostB's traffic: gwB initiates" t_poll 8 eval \
	'ik_ours_ike gwB | grep -q " Yes$" && nsx hostB ping -n -c 1 -W 1 192.0.2.10'
T0=$SECONDS
ike_first=$(ik_swan_ike ssA)
t_check "same SPIs on both ends" ik_ours_spi_match gwB ssA

nsx_bg hostB "$GW_RUN/iperf-server.log" iperf3 -s -1 -B 192.0.2.130 -p 5201
srv=$LAST_PID
wait_listen hostB 5201 tcp || t_abort "iperf3 server"
nsx_bg hostA "$GW_RUN/iperf.json" iperf3 -c 192.0.2.130 -p 5201 -u -b 8M -l 1200 \
	-t "$LOAD_S" -J
cli=$LAST_PID
nsx_bg hostB "$GW_RUN/ping-ba.log" ping -n -i 0.01 -w "$LOAD_S" -W 2 192.0.2.10
png=$LAST_PID
nsx_bg hostA "$GW_RUN/ping-ab.log" ping -n -i 0.01 -w "$LOAD_S" -W 2 192.0.2.130
png2=$LAST_PID
nosa0=$(gwctl_in gwB "show crypto ipsec sa" | sed -n 's/.*permitted but no outbound SA: //p')
drops0=$(ns_drops gwA gwB inet)
# gwB's per-SA drop counters go with their SA: sample them while the SAs live
( while :; do
	gwctl_in gwB "show crypto ipsec sa" | awk '
		$1 == "spi:" { spi = $2; sub(/\(.*/, "", spi) }
		$1 == "errors:" { $1 = ""; print spi $0 }'
	sleep 0.3
done >"$GW_RUN/sa-errors.log" 2>/dev/null ) &
sampler=$!

# 2: strongSwan's child rekeys, by hand, between gwB's (by kilobytes)
for at in 10 30 50 70 90; do
	while [ $((SECONDS - T0)) -lt "$at" ]; do sleep 0.2; done
	t_check "T0+$at s: strongSwan rekeys the child" swan_ctl ssA --rekey --child t
done
# gwB's IKE SA rekey (at 90% of its life)
t_check "gwB rekeys the IKE SA at 90% of its life" \
	t_poll $((IKE_LIFE + 5)) eval '[ "$(ik_ours_ctr gwB "IKE SAs rekeyed")" = 1 ]'
echo "# gwB's IKE SA rekey after $((SECONDS - T0)) s"
t_check "both ends: one new IKE SA, gwB its initiator, same SPIs" t_poll 5 eval \
	'[ "$(ik_swan_ike ssA)" != "$ike_first" ] && [ "$(ik_swan_ike ssA | wc -l)" = 1 ] &&
	 ik_ours_ike gwB | grep -q " Yes$" && ik_ours_spi_match gwB ssA >/dev/null'
ike_second=$(ik_swan_ike ssA)
t_check "strongSwan rekeys the IKE SA (under the same load)" swan_ctl ssA --rekey --ike t
t_check "both ends: one new IKE SA, strongSwan its initiator, same SPIs" t_poll 5 eval \
	'[ "$(ik_swan_ike ssA)" != "$ike_second" ] && [ "$(ik_swan_ike ssA | wc -l)" = 1 ] &&
	 ik_ours_ike gwB | grep -q " No$" && ik_ours_spi_match gwB ssA >/dev/null'
ik_ours_spi_match gwB ssA | sed 's/^/# /'

# 3
t_check "iperf3 ends" t_poll $((LOAD_S + 15)) eval '! kill -0 '"$cli"' 2>/dev/null'
pid_stop "$cli" INT 1 >/dev/null; pid_stop "$srv" INT 1 >/dev/null
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
# the last sample of each SPI: "0xSPI no-lease 3 ..."
errs=$(awk '{ last[$1] = $0 } END { for (k in last) print last[k] }' "$GW_RUN/sa-errors.log" |
	sort)
printf '# gwB outbound SA errors (sampled): %s\n' "${errs:-none}" |
	sed '2,$s/^/# gwB outbound SA errors (sampled): /'
t_eq "gwB dropped no packet for want of a sequence-number lease (new outbound SAs)" \
	"$(awk '{ for (i = 2; i < NF; i++) if ($i == "no-lease") n += $(i + 1) }
		END { print n + 0 }' <<<"$errs")" 0
t_check "the pings end" t_poll 10 eval \
	'! kill -0 '"$png"' 2>/dev/null && ! kill -0 '"$png2"' 2>/dev/null'
pid_stop "$png" INT 1 >/dev/null; pid_stop "$png2" INT 1 >/dev/null
cap_stop "$CAP"
loss=$("$GW_PY" -c '
import json, sys
s = json.load(open(sys.argv[1]))["end"]["sum"]
print("%d of %d lost" % (s["lost_packets"], s["packets"]))
' "$GW_RUN/iperf.json" 2>&1)
echo "# iperf3 UDP 8 Mbit/s hostA->hostB (the volume for gwB's kilobyte rekeys): $loss"
for d in ab ba; do
	tail -n 2 "$GW_RUN/ping-$d.log" | head -n 1 | sed "s/^/# ping $d (100\/s): /"
done
# A ping lost to a full queue (a UDP socket's receive buffer, a TUN's, an interface's) is
# the machine's load, not a rekey's fault: one lost in 14000 came in CI beside other tests,
# with every ESP sequence number on the wire and no drop in gwB's counters. Such losses are
# counted by the kernel; a loss beyond what the kernel counted is the tunnel's.
drops=$(($(ns_drops gwA gwB inet) - drops0))
echo "# packets dropped by full queues in gwA, gwB and the internet during the load: $drops"
# ping_lost D: the requests of ping-D.log without a reply, by sequence number, but for the
# last one sent: -w ends ping at its deadline whether or not that one's reply has come.
ping_lost()
{
	awk '/ icmp_seq=/ { sub(/.*icmp_seq=/, ""); got[$1 + 0] = 1 }
		/packets transmitted/ { n = $1 }
		END { for (i = 1; i < n; i++) if (!(i in got)) { lost++; s = s " " i }
			print lost + 0; if (lost) print "# lost icmp_seq:" s > "/dev/stderr" }' \
		"$GW_RUN/ping-$1.log"
}
t_le "hostA -> hostB pings (100/s, through every rekey): none lost beyond the queue drops" \
	"$(ping_lost ab)" "$drops"
t_le "hostB -> hostA pings (100/s, through every rekey): none lost beyond the queue drops" \
	"$(ping_lost ba)" "$drops"

esp=$(tshark -n -r "$CAP" -Y esp -T fields -e ip.src -e esp.spi -e esp.sequence 2>/dev/null |
	"$GW_PY" -c '
import sys
seqs = {}
for line in sys.stdin:
    f = line.split()
    if len(f) == 3:
        seqs.setdefault((f[0], f[1]), []).append(int(f[2]))
bad = 0
for (src, spi), s in sorted(seqs.items()):
    u = sorted(set(s))
    gaps = u[-1] - u[0] + 1 - len(u)
    dups = len(s) - len(u)
    ok = gaps == 0 and dups == 0 and u[0] == 1
    bad += not ok
    print("%-13s SPI %s: %6d packets, seq %d..%d, %d missing, %d repeated%s" % (
          src, spi, len(s), u[0], u[-1], gaps, dups, "" if ok else "  <-- BAD"))
print("SPIs: %d, bad: %d" % (len(seqs), bad))
')
printf '# %s\n' "${esp//$'\n'/$'\n# '}"
t_match "every ESP SPI's sequence numbers 1..N, no gap, no repeat" "$esp" '^SPIs: [0-9]+, bad: 0$'
t_ge "SPIs seen on the wire (children replaced under load)" \
	"$(sed -n 's/^SPIs: \([0-9]*\),.*/\1/p' <<<"$esp")" 8
t_ge "CREATE_CHILD_SA requests from gwB" "$(cap_count "$CAP" \
	'isakmp.exchangetype == 36 && isakmp.flag_r == 0 && ip.src == 198.51.100.2')" 3
t_ge "CREATE_CHILD_SA requests from strongSwan" "$(cap_count "$CAP" \
	'isakmp.exchangetype == 36 && isakmp.flag_r == 0 && ip.src == 198.51.100.1')" 3
drops=$(gwctl_in gwB "show crypto ipsec sa" | sed -n '/^Packets dropped outside any SA/,$p')
printf '# gwB %s\n' "${drops//$'\n'/$'\n# gwB '}"
t_eq "gwB: no packet without an outbound SA during the rekeys" \
	"$(sed -n 's/.*permitted but no outbound SA: //p' <<<"$drops")" "$nosa0"
stats=$(gwctl_in gwB "show crypto ikev2 stats")
printf '# gwB: %s\n' "$(grep -E 'rekeyed|IKE SAs established|child SAs installed' <<<"$stats" |
	tr -s ' ' | paste -sd ';')"
t_ge "gwB: child SAs rekeyed" "$(ik_ours_ctr gwB "child SAs rekeyed")" 6
t_eq "gwB: IKE SAs rekeyed, once by each side" "$(ik_ours_ctr gwB "IKE SAs rekeyed")" 2
t_eq "gwB: one IKE SA established from scratch, the first" \
	"$(ik_ours_ctr gwB "IKE SAs established")" 1
t_check "ssA stops" swan_stop ssA
t_end
