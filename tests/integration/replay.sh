#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/replay.sh: anti-replay on the data path, end to end.  gwB's manual entry
# opts in with `set security-association replay window-size 64` (ours; IOS 11.3 gives manual
# SAs none), and gwB runs two datad workers.  eve, on the internet segment, attacks gwA -> gwB
# (SPI 1000); hostB's capture says what got through, gwB's show crypto ipsec sa detail why not:
#
#   1. show: replay detection support Y on gwB's SAs, N on gwA's (no window-size there)
#   2. eve resends, byte for byte, ESP packets of a ping she captured: none reaches hostB,
#      each is counted as replay
#   3. failover (invariant 2): kill -9 the inbound SA's owner; once the SA moved, the same
#      packets again: the new owner's window starts at the old one's reported top, so they are
#      replays there too.  Then packets the new owner accepted, after it is killed -9 and
#      restarted under its id: replays too (its windows start at the reported tops)
#   4. with gwA's keys (scapy), chosen sequence numbers: 1000 in; 990 (inside the window) in;
#      990 again: replay; 900 (left of the 64 window): replay; 100000 with a broken ICV: icv,
#      and the window does not move (1001 still in)
#   5. window-size 1024, applied live: the window keeps its top (1001 again: replay); 2000 in,
#      1900 (100 below the top) in, 1900 again replay, 900 (1100 below) replay
#   5b. kill -9 of gwB's controld and worker together (a reboot): packets accepted before are
#      still replays (STATEDIR/replay-floors: the top and a margin); without that file they
#      would be taken again
#   6. control: gwB without window-size takes the captured packets again: they reach hostB,
#      so the checks above can fail
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/replay.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin replay
# show crypto ipsec sa in the IOS 11.3 layout here (crypto ipsec show-layout 11.3): this
# test reads its own lines (owner:, errors:, path/media mtu, esp-aes 256)
topo_up "gw$$" || t_abort "draw the topology"

CONF_B=$GW_RUN/gwB-replay.conf
sed 's/^ set transform-set AES-SHA$/&\n set security-association replay window-size 64/' \
	"$GW_SRC/deploy/examples/gwB.conf" >"$CONF_B"; layout_113 "$CONF_B"
grep -q 'replay window-size 64' "$CONF_B" || t_abort "gwB's configuration with a window"

t_check "gwA: controld + datad start" gw_start gwA \
	"$(conf_113 "$GW_SRC/deploy/examples/gwA.conf")" ||
	t_abort gwA
t_check "gwB: controld starts (window-size 64)" gw_start_controld gwB "$CONF_B" || t_abort gwB
D=$(gw_dir gwB)
declare -A WPID
start_worker()
{
	nsx_bg gwB "$D/datad-${1#gwB/}.log" "$GW_BIN/datad" -c "$(gw_link_ep gwB)" -t "$GW_TUN" \
		-i "$1" ${GW_VERBOSE:+-v "$GW_VERBOSE"}
	WPID[$1]=$LAST_PID
}
kill_worker()
{
	kill -KILL "${WPID[$1]}"
	wait "${WPID[$1]}" 2>/dev/null
	unset "TOPO_PIDS[${WPID[$1]}]" "WPID[$1]"
}
workers_up() { [ "$(gwctl_in gwB "show workers" | grep -c ' up ')" = "$1" ]; }
start_worker gwB/1
start_worker gwB/2
t_poll 10 workers_up 2 || t_fail "two workers never showed up at gwB"
t_check "tunnel up: ping hostA -> hostB" wait_ping hostA 192.0.2.130 10 || t_abort "no tunnel"

# ---- helpers: gwB's inbound ESP SA as show crypto ipsec sa detail tells it
in_sa()
{
	gwctl_in gwB "show crypto ipsec sa detail" 2>/dev/null |
		awk '/inbound esp sas:/ { f = 1; next } /inbound ah sas:/ { f = 0 } f'
}
in_drops() { in_sa | grep 'errors:' | grep -oE "[ ,]$1 [0-9]+" | awk '{ print $NF }'; }
in_top() { in_sa | grep -oE 'highest seq: [0-9]+' | awk '{ print $NF }'; }
in_owner() { gwctl_in gwB "show crypto ipsec sa" 2>/dev/null | awk '/owner:/ { print $2; exit }'; }
drops_are() { [ "$(in_drops "$1")" = "$2" ]; }
top_ge() { local t; t=$(in_top); [ -n "$t" ] && [ "$t" -ge "$1" ]; }
owner_is() { [ "$(in_owner)" = "$1" ]; }
# expect_drops DESC REASON WANT: counters come with the workers' reports, once a second
expect_drops() { t_poll 5 drops_are "$2" "$3"; t_eq "$1" "$(in_drops "$2")" "$3"; }
# replay_base: the replay count once the last report is in (a new owner starts a little above
# the reported top, docs/threat-model.md: the first of gwA's pings after a quiet failover may
# be refused as replays); later expectations count from it
replay_base() { sleep 1.2; RB=$(in_drops replay); RB=${RB:-0}; echo "# replay count so far: $RB"; }

# Echo requests that reach hostB; forged ones carry ICMP id 0xf0f0 and seq = ESP seq % 65536.
HCAP=$GW_RUN/hostB.pcap
hostb_start()
{
	cap_start hostB lan0 "$HCAP" "icmp and icmp[0] == 8" || t_abort "capture at hostB"
}
hostb_stop() { sleep 0.3; cap_stop "$HCAP"; }
arrived() { cap_count "$HCAP" "icmp.ident == 0xf0f0 && icmp.seq == $(($1 % 65536))"; }
arrived_real() { cap_count "$HCAP" "icmp.ident != 0xf0f0 && ip.src == 192.0.2.10"; }

# forge KIND SEQS: eve builds ESP with gwA's outbound keys (gwB's inbound SA) and these numbers.
forge()
{
	nsx eve "$GW_PY" "$GW_SRC/tests/interop/forge_esp.py" --iface wan0 --src 198.51.100.1 \
		--dst 198.51.100.2 --spi 1000 --crypt AES-CBC \
		--crypt-key a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0 \
		--auth HMAC-SHA1-96 --auth-key c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4 \
		--inner-src 192.0.2.10 --inner-dst 192.0.2.130 --kinds "$1" --seqs "$2"
}
# capture_ping PCAP: ping hostA -> hostB 3 times, gwA's ESP captured on the internet segment;
# the highest sequence number captured in MAXSEQ.
capture_ping()
{
	cap_start inet br0 "$1" "ip proto 50 and src host 198.51.100.1" ||
		t_abort "capture on inet"
	t_check "ping hostA -> hostB (3 packets, captured)" \
		nsx hostA ping -n -c 3 -i 0.2 -W 2 192.0.2.130
	cap_stop "$1"
	t_eq "captured gwA's three ESP packets" "$(cap_count "$1" "esp.spi == 1000")" 3
	MAXSEQ=$(tshark -n -r "$1" -Y 'esp.spi == 1000' -T fields -e esp.sequence 2>/dev/null |
		sort -n | tail -n 1)
	MAXSEQ=${MAXSEQ:-1}
}
# resend PCAP: eve sends the captured packets of gwA again, byte for byte (she needs no key).
resend()
{
	nsx eve "$GW_PY" "$GW_SRC/tests/interop/resend_esp.py" --pcap "$1" --iface wan0 \
		--spi 1000 --src 198.51.100.1
}

# ---- 1: show
t_match "gwB: inbound SA has replay detection" "$(in_sa)" 'replay detection support: Y'
t_match "gwB: the outbound SA carries the window too" \
	"$(gwctl_in gwB "show crypto ipsec sa" | awk '/outbound esp sas:/ { f = 1 } f')" \
	'replay detection support: Y'
t_eq "gwA (no window-size): both SAs without replay detection (seed)" \
	"$(gwctl_in gwA "show crypto ipsec sa" | grep -c 'replay detection support: N')" 2

# ---- 2: a real ping, captured on the internet segment and resent by eve
WCAP=$GW_RUN/wan.pcap
capture_ping "$WCAP"
t_poll 5 top_ge "$MAXSEQ" || t_fail "gwB never reported top $MAXSEQ"
t_eq "no replay counted yet" "$(in_drops replay)" 0
hostb_start
t_check "eve resends the captured packets" resend "$WCAP"
hostb_stop
t_eq "replayed packets: none reaches hostB" "$(arrived_real)" 0
expect_drops "replayed packets: counted as replay" replay 3

# ---- 3: failover.  The owner accepted the captured packets and reported them (above).
OWNER=$(in_owner)
t_match "the inbound SA has one owner, a gwB worker" "$OWNER" '^gwB/[12]$'
OTHER=gwB/1; [ "$OWNER" = gwB/1 ] && OTHER=gwB/2
kill_worker "$OWNER"
t_poll 10 owner_is "$OTHER" || t_fail "the inbound SA did not move to $OTHER" "$(in_sa)"
t_check "traffic flows again through $OTHER" wait_ping hostA 192.0.2.130 10
replay_base
t_le "after failover: at most 4 of gwA's own first pings refused (the margin)" "$((RB - 3))" 4
hostb_start
t_check "eve resends the captured packets to the new owner" resend "$WCAP"
hostb_stop
t_eq "after failover: none reaches hostB" "$(arrived_real)" 0
expect_drops "after failover: the new owner counts them as replay" replay $((RB + 3))

# Packets the new owner accepted; it dies and comes back under its id: a restarted worker's
# windows start at the reported tops too, not at the floor it was given at the failover.
WCAP2=$GW_RUN/wan2.pcap
capture_ping "$WCAP2"
t_poll 5 top_ge "$MAXSEQ" || t_fail "$OTHER never reported top $MAXSEQ"
kill_worker "$OTHER"
sleep 1			# as restart.sh: the link notices the old connection is gone
start_worker "$OTHER"
t_poll 10 workers_up 1 || t_fail "$OTHER did not come back"
t_check "traffic flows again through the restarted $OTHER" wait_ping hostA 192.0.2.130 10
replay_base
t_eq "the restarted worker owns the SA" "$(in_owner)" "$OTHER"
hostb_start
t_check "eve resends packets $OTHER accepted before its restart" resend "$WCAP2"
hostb_stop
t_eq "after a restart: none reaches hostB" "$(arrived_real)" 0
expect_drops "after a restart: counted as replay" replay $((RB + 3))
RB=$((RB + 3))

# ---- 4: chosen sequence numbers, window 64 (gwA's own numbers are still far below 900)
t_lt "gwA's own sequence numbers so far are below 900" "$(in_top)" 900
hostb_start
t_check "eve: 1000, 990, 990 again, 900" forge valid 1000,990,990,900
t_check "eve: 100000 with a broken ICV" forge flipped 100000
t_check "eve: 1001" forge valid 1001
hostb_stop
t_eq "seq 1000 accepted" "$(arrived 1000)" 1
t_eq "seq 990 (inside the window, first time) accepted, once only" "$(arrived 990)" 1
t_eq "seq 900 (left of the window of 64) dropped" "$(arrived 900)" 0
t_eq "seq 100000 with a broken ICV dropped" "$(arrived 100000)" 0
t_eq "seq 1001 accepted: the forged 100000 did not move the window" "$(arrived 1001)" 1
expect_drops "990 again and 900: counted as replay" replay $((RB + 2))
expect_drops "the broken ICV: counted as icv" icv 1
t_poll 5 top_ge 1001
t_eq "the window's top is 1001, not 100000" "$(in_top)" 1001

# ---- 5: window-size 1024, live: the same SA (same id, same sequence space), a larger window
t_check "gwB: set security-association replay window-size 1024" \
	nsx gwB timeout 10 "$GW_BIN/gwctl" -s "$(gw_cli_ep gwB)" -c "configure terminal" \
	-c "crypto map vpn 10" -c "set security-association replay window-size 1024" -c "end"
synced()
{
	gwctl_in gwB "show workers" | awk 'NR == 1 { g = $2; sub(",", "", g) }
		$4 == "up" { n++; if ($5 != g) bad = 1 } END { exit bad || n == 0 }'
}
t_poll 5 synced || t_fail "gwB's worker did not apply the new generation"
t_match "show crypto map: Replay window size: 1024" "$(gwctl_in gwB "show crypto map")" \
	'Replay window size: 1024'
hostb_start
t_check "eve: 1001 again, 2000, 1900, 1900 again, 900" forge valid 1001,2000,1900,1900,900
hostb_stop
t_eq "1001 again: the resized window kept its top" "$(arrived 1001)" 0
t_eq "seq 2000 accepted" "$(arrived 2000)" 1
t_eq "seq 1900 (100 below the top) accepted with 1024, once" "$(arrived 1900)" 1
t_eq "seq 900 (1100 below the top) dropped" "$(arrived 900)" 0
expect_drops "1001, 1900 again, 900: counted as replay" replay $((RB + 5))
t_poll 5 top_ge 2000
t_eq "the window's top is 2000" "$(in_top)" 2000

# ---- 5b: controld and its worker die together (a reboot): the floors controld wrote to its
# state directory (replay-floors: the reported top and a margin for what the owner may have
# accepted after its report) are where the windows start again
sleep 1.5		# one write of the floors after the last report
TOPS=$D/state/replay-floors
FLOOR=$(awk '!/^#/ { print $2 }' "$TOPS" 2>/dev/null)
echo "# replay-floors: $(grep -v '^#' "$TOPS" 2>/dev/null)"
t_ge "controld keeps a floor at or above the top 2000 in STATEDIR/replay-floors" "${FLOOR:-0}" 2000
t_check "... under the key's id, not the key" bash -c "! grep -qi a1a2a3a4 '$TOPS'"
reboot_gwb()
{
	kill -KILL "${GW_PID[gwB/controld]}"
	wait "${GW_PID[gwB/controld]}" 2>/dev/null
	unset "TOPO_PIDS[${GW_PID[gwB/controld]}]" "GW_PID[gwB/controld]"
	kill_worker "$OTHER"
	sleep 1
	# (no ping: gwA's own numbers are far below the 2000 eve forged, so they are replays now)
	gw_start_controld gwB "$CONF_B" && start_worker "$OTHER" && t_poll 10 workers_up 1 &&
		t_poll 10 owner_is "$OTHER"
}
t_check "kill -9 gwB's controld and worker together, start both again" reboot_gwb
hostb_start
NEXT=$((FLOOR + 1))
t_check "eve: 2000 and 1999 (accepted before), $NEXT" forge valid "2000,1999,$NEXT"
t_check "eve resends packets accepted before the reboot" resend "$WCAP2"
hostb_stop
t_eq "after the reboot: 2000 dropped" "$(arrived 2000)" 0
t_eq "after the reboot: 1999 dropped" "$(arrived 1999)" 0
t_eq "after the reboot: the captured packets dropped" "$(arrived_real)" 0
t_eq "after the reboot: $NEXT (above the floor) accepted" "$(arrived "$NEXT")" 1
# the same without the file: it is what kept them out
t_poll 5 top_ge "$NEXT"
sleep 1.5
kill -KILL "${GW_PID[gwB/controld]}"; wait "${GW_PID[gwB/controld]}" 2>/dev/null
unset "TOPO_PIDS[${GW_PID[gwB/controld]}]" "GW_PID[gwB/controld]"
rm -f "$TOPS"
kill_worker "$OTHER"; sleep 1
t_check "control: start both again without replay-floors" eval 'gw_start_controld gwB "$CONF_B" &&
	start_worker "$OTHER" && t_poll 10 workers_up 1 && wait_ping hostA 192.0.2.130 10'
hostb_start
t_check "eve: $NEXT again" forge valid "$NEXT"
hostb_stop
t_eq "control: without the file $NEXT is taken again" "$(arrived "$NEXT")" 1

# ---- 6: control: gwB without window-size (the seed's manual SA) takes the replays
t_check "$OTHER stops cleanly" pid_stop "${WPID[$OTHER]}" TERM 5
unset "WPID[$OTHER]"
t_check "gwB: controld stops" gw_stop gwB
t_check "gwB: controld + datad start without window-size" \
	gw_start gwB \
		"$(conf_113 "$GW_SRC/deploy/examples/gwB.conf")" || t_abort "gwB without a window"
t_check "tunnel up again" wait_ping hostA 192.0.2.130 10
t_match "gwB: replay detection support: N" "$(in_sa)" 'replay detection support: N'
hostb_start
t_check "eve resends the captured packets" resend "$WCAP"
hostb_stop
t_eq "control: without a window the replayed packets reach hostB" "$(arrived_real)" 3
t_eq "control: nothing counted as replay" "$(in_drops replay)" 0
t_end
