#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ikev1_swan_life.sh: the rest of an IKEv1 tunnel's life against strongSwan
# 5.9.8 (version = 1), beyond coming up (tests/integration/ikev1_swan.sh):
#
#   hostA -- gwA [charon ssA] ==== inet ==== gwB [controld + datad] -- hostB
#
#   1. aggressive mode from a peer known by name: strongSwan, id client.example.net, is
#      answered through a dynamic map with "crypto isakmp key K hostname client.example.net";
#      show crypto isakmp sa detail names the mode and the peer
#   2. the same with "crypto isakmp aggressive-mode disable": refused, and debug crypto isakmp
#      says so
#   3. RESPONDER-LIFETIME: our entry's 600 s against strongSwan's hour: strongSwan takes our
#      600 s (RFC 2407 4.6.3.1: the notify; strongSwan reads it from the SA we answer with)
#   4. the seed's responder rule: strongSwan proposes a /26 pair inside our /25 list (Case 3):
#      accepted; a /24 pair (Case 4, more than the entry permits): refused, no SA, and the
#      debug log says why
#   5. quick mode rekeys under load: strongSwan rekeys every 4 s while pings cross every 20 ms
#      (no ping lost, at least two new SA pairs); then ours: a 2560 KB life under iperf3 makes
#      us rekey (the soft kilobytes), with the old pair deleted and no ping lost
#   6. controld kill -9 and restart (datad keeps running): the ISAKMP SA and IPsec SAs come back
#      from the state file, no ping lost, strongSwan's SAs unchanged, and strongSwan's rekey
#      over the adopted ISAKMP SA works (its keys and last IV were kept)
#   8. crypto isakmp identity hostname: our ID is ID_FQDN "gwB" (the hostname); strongSwan
#      expecting that name brings the tunnel up in both roles
#   7. main mode with RSA signatures (rsa-sig, keys configured by hand as the seed says): our key
#      pair made by crypto key generate rsa, given to strongSwan from show crypto key mypubkey
#      rsa; strongSwan's pasted as an addressed-key; up in both roles
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ikev1_swan_life.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"
source "$GW_SRC/tests/lib/ikev2.sh"
source "$GW_SRC/tests/lib/ikev1.sh"

ik_begin ikev1_swan_life
LOGB=$GW_RUN/gwB/controld.log

# restart NAME: both sides afresh with the current variables; debug on at gwB.
restart()
{
	gw_stop gwB >/dev/null 2>&1
	swan_stop ssA >/dev/null 2>&1
	v1_ours_conf >"$GW_RUN/gwB.conf"
	v1_swan_conf >"$(swan_dir ssA)/swanctl.conf"
	rm -rf "$(gw_dir gwB)/state"	# a fresh gwB (a restart keeps SAs: section 6)
	gw_start gwB "$GW_RUN/gwB.conf" && gwctl_in gwB "debug crypto isakmp" >/dev/null &&
		swan_start ssA gwA && swan_load ssA || t_abort "$1: start"
}

same_spis()
{
	[ -n "$(ik_ours_esp gwB inbound)" ] &&
	[ "$(ik_ours_esp gwB inbound)" = "$(ik_swan_esp ssA out)" ] &&
	[ "$(ik_ours_esp gwB outbound)" = "$(ik_swan_esp ssA in)" ]
}

# 1
V1_DYNAMIC=client.example.net SW1_AGGR=yes SW1_ID=client.example.net restart aggressive
t_check "aggressive mode, id client.example.net: strongSwan initiates, up" swan_initiate ssA t
t_check "the same SPIs; pings both ways through the dynamic map's SA" eval 'same_spis &&
	nsx hostA ping -n -c 2 -i 0.1 -W 2 192.0.2.130 && nsx hostB ping -n -c 2 -W 2 192.0.2.10'
det=$(gwctl_in gwB "show crypto isakmp sa detail")
printf '# gwB: %s\n' "${det//$'\n'/$'\n# gwB: '}"
t_match "gwB: QM_IDLE, aggressive mode, responder, the peer's name" "$det" \
	'State: QM_IDLE, aggressive mode, responder, policy 10, peer id client\.example\.net'

# 2
V1_DYNAMIC=client.example.net SW1_AGGR=yes SW1_ID=client.example.net \
	V1_EXTRA="crypto isakmp aggressive-mode disable" restart "aggressive-mode disable"
t_check_not "aggressive-mode disable: strongSwan's aggressive mode is refused" \
	swan_initiate ssA t 4
t_eq "gwB: no ISAKMP SA" "$(v1_ours_isakmp gwB)" ""
t_match "debug crypto isakmp says why" "$(cat "$LOGB")" \
	'aggressive mode refused \(crypto isakmp aggressive-mode disable\)'

# 3
V1_LIFE=600 restart "responder lifetime"
t_check "strongSwan (an hour) initiates to our 600 s entry: up" swan_initiate ssA t
t_match "strongSwan took our 600 s for its child (RESPONDER-LIFETIME, the SA we answered)" \
	"$(cat "$(swan_dir ssA)/initiate.log")" 'received 600s lifetime, configured [0-9]+s'
t_check "pings cross" nsx hostA ping -n -c 2 -i 0.1 -W 2 192.0.2.130

# 4
SW1_LTS=192.0.2.0/26 SW1_RTS=192.0.2.128/26 restart "case 3"
t_check "Case 3: strongSwan proposes 192.0.2.0/26 <-> 192.0.2.128/26 (inside our /25s): up" \
	swan_initiate ssA t
t_check "the same SPIs, and a ping inside the /26s crosses" eval 'same_spis &&
	nsx hostA ping -n -c 2 -i 0.1 -W 2 192.0.2.130'
SW1_LTS=192.0.2.0/24 SW1_RTS=192.0.2.128/25 restart "case 4"
t_check_not "Case 4: strongSwan proposes 192.0.2.0/24 (more than our list): refused" \
	swan_initiate ssA t 4
t_eq "gwB: no IPsec SA" "$(ik_ours_esp gwB inbound)" ""
t_match "debug crypto isakmp: the flow is not permitted" "$(cat "$LOGB")" \
	'peer 198\.51\.100\.1 proposed a flow not permitted by any crypto map entry naming it'

# 5: strongSwan rekeys under traffic
SW1_REKEY=4 SW1_LIFE=60 restart "rekeys"
t_check "up for the rekeys" swan_initiate ssA t
spi0=$(ik_ours_esp gwB inbound)
out=$(nsx hostA ping -n -q -c 500 -i 0.02 -W 1 192.0.2.130 2>&1)
printf '# %s\n' "${out//$'\n'/$'\n# '}"
t_match "500 pings over 10 s of strongSwan's 4 s rekeys: none lost" "$out" \
	'500 packets transmitted, 500 received'
t_ge "gwB counted strongSwan's rekeys" \
	"$(gwctl_in gwB "show crypto ikev2 stats" | awk '$0 ~ /child SAs rekeyed/ { print $1 }')" 2
# strongSwan lists the pairs it replaced (REKEYED) until their end: its INSTALLED one is ours
installed_esp() { swan_sas ssA | awk -v d="$1" '$1 == "child" && $4 == "INSTALLED" {
	print (d == "in") ? $7 : $8 }'; }
newest_agree()
{
	local i o
	i=$(installed_esp out); o=$(installed_esp in)
	[ -n "$i" ] && grep -qx -- "$i" <<<"$(ik_ours_esp gwB inbound)" &&
		grep -qx -- "$o" <<<"$(ik_ours_esp gwB outbound)"
}
t_check "the SPIs moved on, and both ends agree on the newest pair" eval \
	'[ "$(ik_ours_esp gwB inbound)" != "$spi0" ] && t_poll 6 newest_agree'

# ours: the soft kilobytes of a 2560 KB life under iperf3
V1_LIFE_KB=2560 restart "our rekeys"
t_check "hostB's traffic brings the tunnel up" wait_ping hostB 192.0.2.10 10
spi0=$(ik_ours_esp gwB inbound)
nsx hostA iperf3 -s -1 -D >/dev/null 2>&1
sleep 0.3
nsx hostB ping -n -q -c 550 -i 0.02 -W 1 192.0.2.10 >"$GW_RUN/ping-ours.txt" 2>&1 &
pp=$!
# 2 Mbit/s: the 512 KB between the soft and the hard kilobytes last two seconds, twice the time
# the workers take to report their counts
t_check "iperf3 hostB -> hostA, 11 s at 2 Mbit/s through our rekey" \
	nsx hostB iperf3 -c 192.0.2.10 -u -b 2M -t 11 -l 1200
wait "$pp"
out=$(cat "$GW_RUN/ping-ours.txt")
t_match "550 pings over those 11 s: none lost" "$out" '550 packets transmitted, 550 received'
t_ge "we rekeyed (the soft kilobytes)" \
	"$(gwctl_in gwB "show crypto ikev2 stats" | awk '$0 ~ /child SAs rekeyed/ { print $1 }')" 1
t_check "new SPIs, and both ends agree once the old pair is deleted" eval \
	'[ "$(ik_ours_esp gwB inbound)" != "$spi0" ] && t_poll 8 same_spis'

# 8 (before 6, for its fresh start): crypto isakmp identity hostname
V1_EXTRA="crypto isakmp identity hostname" SW1_RID=gwB restart "identity hostname"
t_check "identity hostname: strongSwan, expecting us as gwB, initiates: up" swan_initiate ssA t
t_check "ssA deletes it" swan_terminate ssA t
t_check "identity hostname: we initiate on traffic, up" wait_ping hostB 192.0.2.10 10
t_check "the same SPIs" t_poll 4 same_spis

# 6: controld kill -9 and restart: the ISAKMP SA and the IPsec SAs adopted from the state file
restart "kill -9"
t_check "up (strongSwan initiates)" swan_initiate ssA t
t_check "gwB saved its SAs (state file)" t_poll 5 test -s "$(gw_dir gwB)/state/ike-sas"
sleep 0.2
before=$(swan_sas ssA)
ours_before=$(v1_ours_isakmp gwB; ik_ours_esp gwB inbound; ik_ours_esp gwB outbound)
nsx_bg hostA "$GW_RUN/ping-restart.log" ping -n -i 0.05 -c 60 -W 2 192.0.2.130
ping_pid=$LAST_PID
sleep 1
p=${GW_PID[gwB/controld]}
kill -KILL "$p"; wait "$p" 2>/dev/null
unset "TOPO_PIDS[$p]" "GW_PID[gwB/controld]"
echo "--- $(date '+%F %T.%N') controld killed with SIGKILL" >>"$(gw_dir gwB)/controld.log"
t_check "gwB: controld restarts after kill -9" gw_start_controld gwB "$GW_RUN/gwB.conf"
t_check "gwB: the same ISAKMP SA (QM_IDLE) and IPsec SAs, from its state file" t_poll 5 eval \
	'[ "$(v1_ours_isakmp gwB; ik_ours_esp gwB inbound; ik_ours_esp gwB outbound)" = "$ours_before" ]'
t_check "the 60 pings across the restart end" t_poll 10 eval '! kill -0 '"$ping_pid"
pid_stop "$ping_pid" INT 1 >/dev/null
t_match "none of them lost" "$(tail -n 3 "$GW_RUN/ping-restart.log")" \
	'^60 packets transmitted, 60 received'
t_eq "ssA: its SAs unchanged" "$(swan_sas ssA)" "$before"
old_in=$(ik_swan_esp ssA in)
t_check "ssA rekeys the child over the adopted ISAKMP SA (its keys and IV kept)" \
	swan_ctl ssA --rekey --child t
t_check "new SPIs on both ends" t_poll 8 eval \
	'[ "$(installed_esp in)" != "$old_in" ] && newest_agree'
t_check "pings cross the rekeyed tunnel" nsx hostA ping -n -c 3 -i 0.1 -W 2 192.0.2.130

# 7: rsa-sig
rsa_chain=$(v1_rsa_keys) || t_abort "strongSwan's RSA key"
V1_AUTH=rsa-sig SW1_AUTH=pubkey V1_EXTRA=$rsa_chain
export V1_AUTH SW1_AUTH V1_EXTRA
gw_stop gwB >/dev/null 2>&1
swan_stop ssA >/dev/null 2>&1
v1_ours_conf >"$GW_RUN/gwB.conf"
rm -rf "$(gw_dir gwB)/state"
t_check "gwB starts with an rsa-sig policy and strongSwan's addressed-key" \
	gw_start gwB "$GW_RUN/gwB.conf" || t_abort gwB
gwctl_in gwB "debug crypto isakmp" >/dev/null
t_check "gwB: crypto key generate rsa; its public key given to strongSwan" v1_rsa_ours gwB
v1_swan_conf >"$(swan_dir ssA)/swanctl.conf"
t_check "ssA starts and loads its keys" eval 'swan_start ssA gwA && swan_load ssA'
t_check "rsa-sig: strongSwan initiates, up" swan_initiate ssA t
t_match "gwB: the ISAKMP SA authenticated by RSA signatures (rsig)" "$(gwctl_in gwB "show crypto isakmp sa detail")" \
	'ACTIVE aes +sha +rsig +14 '
t_check "the same SPIs; pings both ways" eval 'same_spis &&
	nsx hostA ping -n -c 2 -i 0.1 -W 2 192.0.2.130'
t_check "ssA deletes it" swan_terminate ssA t
t_check "rsa-sig: we initiate on traffic, up" wait_ping hostB 192.0.2.10 10
t_check "the same SPIs" t_poll 4 same_spis
t_end
