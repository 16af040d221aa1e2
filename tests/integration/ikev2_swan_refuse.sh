#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ikev2_swan_refuse.sh: what our IKEv2 refuses and accepts from strongSwan
# 5.9.8 besides the plain tunnel (tests/integration/ikev2_swan.sh): a wrong pre-shared key
# in either role, the seed's mirror-image rules for proposed flows (controld/ike/ts.c), and a
# dynamic crypto map answering a gateway that no configuration names.
#
#   hostA -- gwA [charon ssA] ==== inet ==== gwB [controld + datad] -- hostB
#                                   |
#                    hostC -- gwC [charon ssC] 198.51.100.3
#
#   1. gwB: the tunnel of tests/lib/ikev2.sh for gwA (entry vpn 10, access list 101
#      192.0.2.128/25 <-> 192.0.2.0/25) and a dynamic map entry vpn 20 (list 102: site B <->
#      203.0.113.0/24) whose profile matches any peer
#   2. wrong key: ssA initiates with another key: AUTHENTICATION_FAILED, counted by gwB;
#      then gwB initiates (hostB's ping) and ssA refuses it; both times no IKE SA and no
#      child SA on either end
#   3. Case 3: ssA proposes 192.0.2.0/26 <-> 192.0.2.128/26, inside the permit: accepted as
#      proposed (no widening), pings between the two /26 cross
#   4. Case 4: ssA proposes 192.0.2.0/24 <-> 192.0.2.128/25 (more than the permit), then an
#      unrelated flow: TS_UNACCEPTABLE each time, no SA installed for them
#   5. dynamic map: ssC (gwC, 198.51.100.3, named nowhere in gwB's configuration) initiates;
#      gwB answers with a temporary entry of map vpn; hostC pings hostB through it; show
#      crypto ipsec sa names gwC as the SA's peer (not the entry's 0.0.0.0), and show crypto
#      session has its session, UP-ACTIVE, its flow of origin dynamic crypto map
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ikev2_swan_refuse.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"
source "$GW_SRC/tests/lib/ikev2.sh"

ik_begin ikev2_swan_refuse gwC

# 1
PSK_C=dyn-$(head -c 9 /dev/urandom | base64 | tr -d '/+=')
IK_EXTRA="crypto ikev2 keyring ANY-KEYS
 peer any
  address 0.0.0.0 0.0.0.0
  pre-shared-key $PSK_C
crypto ikev2 profile ANY
 match identity remote address 0.0.0.0 0.0.0.0
 identity local address 198.51.100.2
 authentication remote pre-share
 authentication local pre-share
 keyring local ANY-KEYS
access-list 102 permit ip 192.0.2.128 0.0.0.127 203.0.113.0 0.0.0.255
crypto dynamic-map DYN 5
 match address 102
 set transform-set T
 set ikev2-profile ANY
crypto map vpn 20 ipsec-isakmp dynamic DYN"
ik_ours_conf >"$GW_RUN/gwB.conf"
GW_VERBOSE=debug
t_check "gwB starts: an entry for gwA, a dynamic entry for anyone" \
	gw_start gwB "$GW_RUN/gwB.conf" || t_abort gwB
unset GW_VERBOSE
LOGB=$(gw_dir gwB)/controld.log

nothing_installed()
{
	[ -z "$(ik_ours_ike gwB)" ] && [ -z "$(ik_ours_esp gwB inbound)$(ik_ours_esp gwB outbound)" ] &&
		[ -z "$(swan_sas ssA)" ]
}

# 2: wrong key
IK_SWAN_PSK=not-$IK_PSK ik_swan_conf >"$(swan_dir ssA)/swanctl.conf"
t_check "charon ssA starts in gwA, with a key that is not gwB's" swan_start ssA gwA || t_abort ssA
t_check "ssA loads its connection" swan_load ssA
t_check_not "ssA initiates: refused" swan_initiate ssA t 5
t_ge "gwB: AUTHENTICATION_FAILED counted" \
	"$(ik_ours_ctr gwB "AUTHENTICATION_FAILED sent or received")" 1
t_check "nothing installed on either end" t_poll 3 nothing_installed
t_match "gwB's debug log says why" "$(cat "$LOGB")" \
	'ikev2: peer 198\.51\.100\.1: authentication failed'
af=$(ik_ours_ctr gwB "AUTHENTICATION_FAILED sent or received")
t_check_not "hostB pings hostA: gwB initiates, nothing answers" \
	nsx hostB ping -n -c 3 -i 0.3 -W 1 192.0.2.10
t_check "gwB counts ssA's AUTHENTICATION_FAILED" t_poll 5 eval \
	'[ "$(ik_ours_ctr gwB "AUTHENTICATION_FAILED sent or received")" -gt "$af" ]'
t_check "nothing installed on either end" t_poll 3 nothing_installed
t_eq "gwB: no IKE SA established so far" "$(ik_ours_ctr gwB "IKE SAs established")" 0

# 3: Case 3
SW_LOCAL_TS=192.0.2.0/26 SW_REMOTE_TS=192.0.2.128/26 SW_CHILDREN="
	wide { local_ts = 192.0.2.0/24
	       remote_ts = 192.0.2.128/25
	       esp_proposals = $SW_ESP
	       start_action = none }
	other { local_ts = 192.0.2.0/25
		remote_ts = 10.9.0.0/16
		esp_proposals = $SW_ESP
		start_action = none }" ik_swan_conf >"$(swan_dir ssA)/swanctl.conf"
t_check "ssA reloads with the right key and three children" swan_load ssA
t_check "Case 3: ssA proposes 192.0.2.0/26 <-> 192.0.2.128/26: accepted" swan_initiate ssA t
t_match "ssA: child t with the flow it proposed" "$(swan_sas ssA)" \
	'^child t [0-9]+ INSTALLED TUNNEL ESP [0-9a-f]+ [0-9a-f]+ 192\.0\.2\.0/26 192\.0\.2\.128/26 yes$'
ipsec=$(gwctl_in gwB "show crypto ipsec sa")
t_match "gwB: the same flow, not the whole permit" "$ipsec" \
	'local  ident \(addr/mask/prot/port\): \(192\.0\.2\.128/255\.255\.255\.192/0/0\)'
t_check "the same SPIs on both ends" ik_ours_spi_match gwB ssA
t_check "hostA pings hostB (both in the /26)" nsx hostA ping -n -c 3 -i 0.1 -W 2 192.0.2.130

# 4: Case 4
ts0=$(ik_ours_ctr gwB "TS_UNACCEPTABLE sent or received")
t_check_not "Case 4: ssA proposes 192.0.2.0/24 <-> 192.0.2.128/25: refused" \
	swan_initiate ssA wide 5
t_check_not "and 192.0.2.0/25 <-> 10.9.0.0/16 (another flow): refused" swan_initiate ssA other 5
t_eq "gwB: TS_UNACCEPTABLE twice" \
	"$(( $(ik_ours_ctr gwB "TS_UNACCEPTABLE sent or received") - ts0 ))" 2
t_match "gwB's debug log: the flow is not permitted" "$(cat "$LOGB")" \
	'ikev2: peer 198\.51\.100\.1 proposed a flow'
t_eq "ssA: still only child t" "$(swan_sas ssA | awk '$1 == "child" { print $2 }')" t
t_eq "gwB: still one inbound ESP SA" "$(ik_ours_esp gwB inbound | wc -l)" 1
t_check "ssA stops" swan_stop ssA
t_match "ssA's log (flushed at its end): gwB's AUTH did not verify" \
	"$(cat "$GW_RUN/swan-ssA/charon.log")" "tried 1 shared key for .* but MAC mismatched"

# 5: dynamic map, gwC
cat >"$(swan_dir ssC)/swanctl.conf" <<EOC
connections { c {
	version = 2
	local_addrs = 198.51.100.3
	remote_addrs = 198.51.100.2
	proposals = $SW_IKE
	local { auth = psk
		id = 198.51.100.3 }
	remote { auth = psk
		 id = 198.51.100.2 }
	children { c { local_ts = 203.0.113.0/24
		       remote_ts = 192.0.2.128/25
		       esp_proposals = $SW_ESP
		       start_action = none } } } }
secrets { ike-c { id-a = 198.51.100.3
		  id-b = 198.51.100.2
		  secret = "$PSK_C" } }
EOC
t_check "charon ssC starts in gwC" swan_start ssC gwC || t_abort ssC
t_check "ssC loads its connection" swan_load ssC
t_eq "gwB's configuration names no 198.51.100.3" \
	"$(grep -c '198\.51\.100\.3' "$GW_RUN/gwB.conf")" 0
t_check "ssC initiates to gwB: answered by the dynamic entry" swan_initiate ssC c
t_match "ssC: child c INSTALLED" "$(swan_sas ssC)" \
	'^child c [0-9]+ INSTALLED TUNNEL ESP [0-9a-f]+ [0-9a-f]+ 203\.0\.113\.0/24 '\
'192\.0\.2\.128/25 yes$'
t_match "gwB: an IKE SA with 198.51.100.3, profile ANY" \
	"$(gwctl_in gwB "show crypto ikev2 sa detail")" 'Profile: ANY, Child SAs: 1'
ipsec=$(gwctl_in gwB "show crypto ipsec sa")
echo "$ipsec" | grep -E 'ident|peer|endpt|Crypto map' | sed 's/^/# gwB: /'
t_match "gwB: a child SA for hostC's site, on map vpn" "$ipsec" \
	'remote ident \(addr/mask/prot/port\): \(203\.0\.113\.0/255\.255\.255\.0/0/0\)'
t_check "the same SPIs on both ends" ik_ours_spi_match gwB ssC
t_match "gwB: current_peer is gwC, the SA's peer (port 4500: gwC is behind a NAT)" "$ipsec" \
	'^   current_peer 198\.51\.100\.3 port 4500$'
t_match "gwB: and so is the remote crypto endpoint" "$ipsec" \
	'remote crypto endpt\.: 198\.51\.100\.3$'
t_eq "gwB: no 0.0.0.0 peer anywhere" "$(grep -c '0\.0\.0\.0' <<<"$ipsec")" 0
t_match "gwB: show crypto ipsec sa peer 198.51.100.3 has gwC's SAs" \
	"$(gwctl_in gwB "show crypto ipsec sa peer 198.51.100.3")" \
	'current_peer 198\.51\.100\.3 port 4500$'
sess=$(ik_ours_session gwB 198.51.100.3)
printf '# gwB: %s\n' "${sess//$'\n'/$'\n'# gwB: }"
t_check "gwB: a crypto session with gwC, UP-ACTIVE, profile ANY" eval \
	'ik_has_line "$sess" "Session status: UP-ACTIVE" && ik_has_line "$sess" "Profile: ANY"'
t_check "gwB: its flow, of the dynamic map" eval 'ik_has_line "$sess" \
	"  IPSEC FLOW: permit ip 192.0.2.128/255.255.255.128 203.0.113.0/255.255.255.0" &&
	ik_has_line "$sess" "        Active SAs: 2, origin: dynamic crypto map"'
t_check "hostC pings hostB through it" wait_ping hostC 192.0.2.130 5
t_check "ssC stops" swan_stop ssC
t_end
