#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ikev2_swan_life.sh: the life of a negotiated tunnel with strongSwan 5.9.8
# as the peer, after it comes up (tests/integration/ikev2_swan.sh): our clears seen by
# strongSwan as deletes, a controld killed with SIGKILL and restarted without strongSwan
# noticing, and our DPD removing a peer that died.
#
#   hostA -- gwA [charon ssA] ==== inet ==== gwB [controld + datad] -- hostB
#
#   1. gwB: tests/lib/ikev2.sh's tunnel, dpd 10 2; ssA initiates
#   2. `clear crypto sa` on gwB: an INFORMATIONAL Delete of the child; ssA's child SA gone,
#      its IKE SA kept; hostB's traffic brings a new child up under the same IKE SA
#   3. `clear crypto ikev2 sa`: ssA's IKE SA gone too
#   4. controld `kill -9` and restart (datad keeps running): gwB shows the same IKE SA and
#      child SA from its state file, ssA's SAs are unchanged, no IKE_SA_INIT on the wire,
#      80 pings across the restart all answered; then strongSwan rekeys the child and the IKE SA
#      through the restored keys and message IDs, and a ping crosses the rekeyed tunnel
#   5. charon dies (SIGKILL): gwB's liveness checks go unanswered and it removes the IKE SA
#      and its child SAs: one interval of silence (two at most) to notice, then the check and
#      five retransmissions, retry seconds apart (2 x 10 + 6 x 2 = 32 s; 12 s of slack)
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ikev2_swan_life.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"
source "$GW_SRC/tests/lib/ikev2.sh"

ik_begin ikev2_swan_life

# 1
DPD_IV=10 DPD_RETRY=2
IK_DPD="$DPD_IV $DPD_RETRY periodic"
ik_ours_conf >"$GW_RUN/gwB.conf"; layout_113 "$GW_RUN/gwB.conf"
t_check "gwB starts" gw_start gwB "$GW_RUN/gwB.conf" || t_abort gwB
ik_swan_conf >"$(swan_dir ssA)/swanctl.conf"
t_check "charon ssA starts in gwA" swan_start ssA gwA || t_abort ssA
t_check "ssA loads its connection" swan_load ssA
t_check "ssA initiates" swan_initiate ssA t
t_check "same SPIs on both ends" ik_ours_spi_match gwB ssA

swan_children() { swan_sas ssA | grep -c '^child'; }
swan_ikes() { swan_sas ssA | grep -c '^ike'; }

# 2
ike0=$(ik_swan_ike ssA)
t_check "gwB: clear crypto sa" gwctl_in gwB "clear crypto sa"
t_check "ssA: its child SA gone (our delete)" t_poll 5 eval '[ "$(swan_children)" = 0 ]'
t_eq "ssA: its IKE SA kept" "$(ik_swan_ike ssA)" "$ike0"
t_eq "gwB: no ESP SA left" "$(ik_ours_esp gwB inbound)$(ik_ours_esp gwB outbound)" ""
t_eq "gwB: the IKE SA kept" "$(ik_ours_ike gwB | wc -l)" 1
t_check "hostB's traffic: a new child under the same IKE SA" wait_ping hostB 192.0.2.10 8
t_eq "ssA: still that IKE SA" "$(ik_swan_ike ssA)" "$ike0"
t_check "and the new child's SPIs agree" ik_ours_spi_match gwB ssA

# 3
t_check "gwB: clear crypto ikev2 sa" gwctl_in gwB "clear crypto ikev2 sa"
t_check "ssA: no IKE SA left (our delete)" t_poll 5 eval '[ -z "$(swan_sas ssA)" ]'
t_eq "gwB: none either" "$(ik_ours_ike gwB)$(ik_ours_esp gwB inbound)" ""

# 4: kill -9 and restart
t_check "ssA initiates again" swan_initiate ssA t
t_check "same SPIs on both ends" ik_ours_spi_match gwB ssA
t_check "gwB saved its IKE SAs (state file)" t_poll 5 test -s "$(gw_dir gwB)/state/ike-sas"
CAP=$GW_RUN/restart.pcap
cap_start inet br0 "$CAP" "udp port 500 or udp port 4500" || t_abort capture
before=$(swan_sas ssA)
ours_before=$(ik_ours_ike gwB; ik_ours_esp gwB inbound; ik_ours_esp gwB outbound)
nsx_bg hostA "$GW_RUN/ping-restart.log" ping -n -i 0.05 -c 80 -W 2 192.0.2.130
ping_pid=$LAST_PID
sleep 1
p=${GW_PID[gwB/controld]}
kill -KILL "$p"; wait "$p" 2>/dev/null
unset "TOPO_PIDS[$p]" "GW_PID[gwB/controld]"
echo "--- $(date '+%F %T.%N') controld killed with SIGKILL" >>"$(gw_dir gwB)/controld.log"
t_check "gwB: controld restarts after kill -9" gw_start_controld gwB "$GW_RUN/gwB.conf"
t_check "gwB: the same IKE SA and child SAs, from its state file" t_poll 5 eval \
	'[ "$(ik_ours_ike gwB; ik_ours_esp gwB inbound; ik_ours_esp gwB outbound)" = "$ours_before" ]'
t_check "datad is back with controld (show workers)" t_poll 10 eval \
	'gwctl_in gwB "show workers" | grep -q "port 500 held, 4500 held"'
t_check "the 80 pings across the restart end (4 s)" t_poll 10 eval '! kill -0 '"$ping_pid"
pid_stop "$ping_pid" INT 1 >/dev/null
# None lost: datad kept running, so controld gives it its SAs back as their owner all along
# (STATEDIR/inbound-owners, docs/adr/0011) and its replay windows go on; before, each window
# restarted at the replay floor, refusing the peer's packets between the top and the floor.
t_match "none of them lost" "$(tail -n 3 "$GW_RUN/ping-restart.log")" \
	'^80 packets transmitted, 80 received'
t_check "gwB: datad's windows went on (log)" \
	grep -q "kept running while controld was away: its windows go on" "$(gw_dir gwB)/controld.log"
t_eq "gwB: no inbound packet refused as a replay" \
	"$(gwctl_in gwB "show crypto ipsec sa" |
	    awk '/errors:/ { for (i = 1; i < NF; i++) if ($i == "replay") s += $(i + 1) + 0 }
	    END { print s + 0 }')" 0
t_eq "ssA: its SAs unchanged" "$(swan_sas ssA)" "$before"
printf '# ssA across the restart: %s\n' "${before//$'\n'/$'\n# ssA across the restart: '}"
t_check "same SPIs on both ends" ik_ours_spi_match gwB ssA
t_check "a ping after the restart" nsx hostA ping -n -c 2 -i 0.1 -W 2 192.0.2.130
cap_stop "$CAP"
t_eq "no IKE_SA_INIT on the wire across the restart" \
	"$(cap_count "$CAP" 'isakmp.exchangetype == 34')" 0
t_ge "(the capture did see the tunnel's ESP: the filter works)" \
	"$(cap_count "$CAP" 'esp && udp.port == 4500')" 160
old_in=$(ik_swan_esp ssA in)
t_check "ssA rekeys the child (our restored keys, message IDs)" swan_ctl ssA --rekey --child t
t_check "new child SPIs on both ends" t_poll 8 eval \
	'[ "$(ik_swan_esp ssA in)" != "$old_in" ] && [ "$(swan_children)" = 1 ] &&
	 ik_ours_spi_match gwB ssA >/dev/null'
t_check "ssA rekeys the IKE SA" swan_ctl ssA --rekey --ike t
t_check "a new IKE SA on both ends, the same child" t_poll 8 eval \
	'[ "$(ik_swan_ike ssA)" != "$(awk "{print \$8, \$9}" <<<"${before%%$'"'"'\n'"'"'*}")" ] &&
	 [ "$(swan_ikes)" = 1 ] && [ "$(ik_ours_ike gwB | wc -l)" = 1 ] &&
	 ik_ours_spi_match gwB ssA >/dev/null'
ik_ours_spi_match gwB ssA | sed 's/^/# /'
t_check "pings cross the rekeyed tunnel" nsx hostA ping -n -c 3 -i 0.1 -W 2 192.0.2.130
t_ge "gwB counted both rekeys" \
	"$(( $(ik_ours_ctr gwB "child SAs rekeyed") + $(ik_ours_ctr gwB "IKE SAs rekeyed") ))" 2

# 5: DPD
dpd0=$(ik_ours_ctr gwB "liveness checks sent")
gone0=$(ik_ours_ctr gwB "IKE SAs given up after retransmissions")
p=${SWAN_PID[ssA]}
kill -KILL "$p"; wait "$p" 2>/dev/null
unset "SWAN_PID[ssA]" "TOPO_PIDS[$p]"
t0=$SECONDS
LIMIT=$((2 * DPD_IV + 6 * DPD_RETRY + 12))	# measured 30 to 36 s
t_check "charon killed: gwB removes its SAs by DPD within $LIMIT s" t_poll "$LIMIT" eval \
	'[ -z "$(ik_ours_ike gwB)$(ik_ours_esp gwB inbound)$(ik_ours_esp gwB outbound)" ]'
echo "# DPD removed the dead peer's SAs after $((SECONDS - t0)) s"
t_ge "liveness checks sent" "$(( $(ik_ours_ctr gwB "liveness checks sent") - dpd0 ))" 1
t_eq "the IKE SA given up after retransmissions" \
	"$(( $(ik_ours_ctr gwB "IKE SAs given up after retransmissions") - gone0 ))" 1
t_end
