#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ikev1_swan.sh: our IKEv1 (main mode, quick mode; RFC 2409) against
# strongSwan 5.9.8 with version = 1, in both roles, as an IOS 11.3 engineer configures it
# (crypto isakmp policy, crypto isakmp key, an ipsec-isakmp entry without an IKEv2 profile).
#
#   hostA -- gwA [charon ssA] ==== inet ==== gwB [controld + datad] -- hostB
#
#   1. gwB: tests/lib/ikev1.sh's tunnel (policy aes 128 / sha / pre-share / group 14; ESP
#      esp-aes 128 esp-sha-hmac)
#   2. strongSwan initiates: ISAKMP SA and IPsec SAs on both, the same cookies and SPIs; show
#      crypto isakmp sa says QM_IDLE ACTIVE; pings both ways; only UDP 500/4500 on the wire
#      (strongSwan's libipsec claims a NAT: RFC 3947, ESP in UDP)
#   3. clear crypto sa: strongSwan takes our phase 2 delete (its child goes); clear crypto
#      isakmp: it takes our phase 1 delete (its IKE SA goes)
#   4. we initiate on traffic: hostB pings hostA, datad's acquire starts main mode; same checks
#   5. the matrix: phase 1 and phase 2 combinations (DES/3DES/AES-128/AES-256, MD5/SHA-1/
#      SHA-256, groups 1/2/14/19, PFS on and off, ESP-GCM), each in both roles: up, the same
#      SPIs, pings through
#   6. (Case 3 and Case 4, aggressive mode, rekeys, restart, rsa-sig: ikev1_swan_life.sh)
#   7. Wireshark's tshark decrypts our ISAKMP messages with the cookie and key that debug crypto
#      isakmp keys logs: every encrypted message opens to a HASH, our ID and the flow in it
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ikev1_swan.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"
source "$GW_SRC/tests/lib/ikev2.sh"
source "$GW_SRC/tests/lib/ikev1.sh"

ik_begin ikev1_swan

# v1_up NAME ROLE: start (or restart) both sides with the current variables; ROLE swan:
# strongSwan initiates, ours: hostB's traffic does.  Checks the SAs and the pings.
v1_up()
{
	local name=$1 role=$2 sa_a
	gw_stop gwB >/dev/null 2>&1
	swan_stop ssA >/dev/null 2>&1
	v1_ours_conf >"$GW_RUN/gwB.conf"
	v1_swan_conf >"$(swan_dir ssA)/swanctl.conf"
	rm -rf "$(gw_dir gwB)/state"	# a fresh gwB: nothing adopted from the last combination
	gw_start gwB "$GW_RUN/gwB.conf" || { t_fail "$name: gwB starts"; return 1; }
	swan_start ssA gwA && swan_load ssA || { t_fail "$name: ssA starts"; return 1; }
	if [ "$role" = swan ]; then
		t_check "$name, strongSwan initiates: up" swan_initiate ssA t || return 1
	else
		t_check "$name, we initiate on traffic: up" wait_ping hostB 192.0.2.10 10 ||
			return 1
	fi
	sa_a=$(swan_sas ssA)
	printf '# ssA: %s\n' "${sa_a//$'\n'/$'\n# ssA: '}"
	t_check "$name ($role): the same SPIs on both ends, pings both ways" eval '
		[ "$(ik_ours_esp gwB inbound)" = "$(ik_swan_esp ssA out)" ] &&
		[ "$(ik_ours_esp gwB outbound)" = "$(ik_swan_esp ssA in)" ] &&
		[ -n "$(ik_ours_esp gwB inbound)" ] &&
		nsx hostA ping -n -c 2 -i 0.1 -W 2 192.0.2.130 &&
		nsx hostB ping -n -c 2 -i 0.1 -W 2 192.0.2.10'
}

# 1, 2
v1_up "aes128-sha1-modp2048" swan || t_abort "the tunnel"
sa_a=$(swan_sas ssA)
t_match "ssA: the IKEv1 SA ESTABLISHED on UDP 4500 (NAT claimed)" "$sa_a" \
	'^ike t [0-9]+ ESTABLISHED 1 198\.51\.100\.1:4500 198\.51\.100\.2:4500 '
t_match "ssA: child t INSTALLED, the configured selectors, encapsulated" "$sa_a" \
	'^child t [0-9]+ INSTALLED TUNNEL ESP [0-9a-f]+ [0-9a-f]+ 192\.0\.2\.0/25 192\.0\.2\.128/25 yes$'
isa=$(v1_ours_isakmp gwB)
printf '# gwB: %s\n' "$isa"
t_match "gwB: show crypto isakmp sa: dst gwB, src gwA (the initiator), QM_IDLE, ACTIVE" \
	"$isa" '^198\.51\.100\.2 +198\.51\.100\.1 +QM_IDLE +[0-9]+ ACTIVE$'
read -r ci cr <<<"$(ik_swan_ike ssA)"
t_match "gwB: show crypto isakmp sa detail: aes/sha/psk/14, NAT-T" \
	"$(gwctl_in gwB "show crypto isakmp sa detail")" \
	'^[0-9]+ +198\.51\.100\.2 +198\.51\.100\.1 +ACTIVE aes +sha +psk +14 +[0-9]{2}:[0-9]{2}:[0-9]{2} +N$'
cap=$GW_RUN/wan.pcap
cap_start inet br0 "$cap" "ip and not arp and not igmp" || t_abort capture
t_check "hostA pings hostB (5), all answered" nsx hostA ping -n -c 5 -i 0.1 -W 2 192.0.2.130
cap_stop "$cap"
t_eq "no ICMP in the clear on the internet link" "$(cap_count "$cap" icmp)" 0
t_ge "ESP in UDP 4500 from gwB" \
	"$(cap_count "$cap" 'udp.port == 4500 && esp && ip.src == 198.51.100.2')" 5

# 3
t_check "gwB: clear crypto sa" gwctl_in gwB "clear crypto sa"
t_check "ssA: its child is gone (it took our phase 2 delete)" t_poll 5 eval \
	'! swan_sas ssA | grep -q "^child "'
t_check "ssA: its IKE SA stays" eval 'swan_sas ssA | grep -q "^ike t .* ESTABLISHED"'
t_match "gwB: clear crypto isakmp" "$(gwctl_in gwB "clear crypto isakmp")" \
	'^Cleared 1 ISAKMP SA;'
t_check "ssA: no IKE SA left (it took our phase 1 delete)" t_poll 5 eval \
	'[ -z "$(swan_sas ssA)" ]'
t_eq "gwB: no ISAKMP SA" "$(v1_ours_isakmp gwB)" ""

# 4
t_check "hostB pings hostA: the acquire brings the tunnel up by main mode" \
	wait_ping hostB 192.0.2.10 10
isa=$(v1_ours_isakmp gwB)
printf '# gwB: %s\n' "$isa"
t_match "gwB: dst gwA, src gwB (we initiated), QM_IDLE" "$isa" \
	'^198\.51\.100\.1 +198\.51\.100\.2 +QM_IDLE +[0-9]+ ACTIVE$'
t_check "the same SPIs on both ends" eval '
	[ "$(ik_ours_esp gwB inbound)" = "$(ik_swan_esp ssA out)" ] &&
	[ "$(ik_ours_esp gwB outbound)" = "$(ik_swan_esp ssA in)" ]'
t_eq "ssA: one IKE SA" "$(swan_sas ssA | grep -c '^ike ')" 1

# 5: the matrix.  Each line: our policy (encryption, hash, group), our transform set, our
# PFS, strongSwan's IKE and ESP proposals.
while IFS='|' read -r enc hash group tset pfs sw_ike sw_esp; do
	[ -z "$enc" ] && continue
	V1_ENC=$enc V1_HASH=$hash V1_GROUP=$group V1_TSET=$tset V1_PFS=$pfs
	SW1_IKE=$sw_ike SW1_ESP=$sw_esp
	for role in swan ours; do
		v1_up "$sw_ike / $sw_esp" "$role"
	done
done <<'MATRIX'
aes 256|sha256|19|esp-aes 256 esp-sha256-hmac|group19|aes256-sha256-ecp256|aes256-sha256-ecp256
3des|md5|2|esp-3des esp-md5-hmac|group2|3des-md5-modp1024|3des-md5-modp1024
aes 128|sha256|14|esp-gcm 128||aes128-sha256-modp2048|aes128gcm16
3des|sha|14|esp-aes 256 esp-sha-hmac|group14|3des-sha1-modp2048|aes256-sha1-modp2048
aes 256|sha|19|esp-3des esp-sha-hmac||aes256-sha1-ecp256|3des-sha1
aes 128|md5|2|esp-aes 128 esp-md5-hmac||aes128-md5-modp1024|aes128-md5
des|md5|1|esp-des esp-md5-hmac|group1|des-md5-modp768|des-md5-modp768
aes 256|sha256|14|esp-aes 128 esp-sha256-hmac|group14|aes256-sha256-modp2048|aes128-sha256-modp2048
MATRIX

# 7: Wireshark decrypts our ISAKMP with the keys debug crypto isakmp keys logs
V1_ENC="aes 128" V1_HASH=sha V1_GROUP=14 V1_TSET="esp-aes 128 esp-sha-hmac" V1_PFS=
SW1_IKE=aes128-sha1-modp2048 SW1_ESP=aes128-sha1
gw_stop gwB >/dev/null 2>&1
swan_stop ssA >/dev/null 2>&1
v1_ours_conf >"$GW_RUN/gwB.conf"
v1_swan_conf >"$(swan_dir ssA)/swanctl.conf"
rm -rf "$(gw_dir gwB)/state"
gw_start gwB "$GW_RUN/gwB.conf" && swan_start ssA gwA && swan_load ssA || t_abort "restart"
t_match "gwB: debug crypto isakmp keys" "$(gwctl_in gwB "debug crypto isakmp keys")" \
	'debugging is on, with the keys'
cap=$GW_RUN/isakmp.pcap
cap_start inet br0 "$cap" "udp port 500 or udp port 4500" || t_abort capture
t_check "we initiate on traffic: up" wait_ping hostB 192.0.2.10 10
cap_stop "$cap"
read -r _ _ ck _ _ key < <(grep -o 'ikev1 keys .*' "$(gw_dir gwB)/controld.log" | tail -n 1)
dec=$(tshark -n -r "$cap" -o "uat:ikev1_decryption_table:$ck,$key" \
	-Y 'isakmp && !esp' -T fields -e isakmp.flags -e isakmp.exchangetype -e isakmp.hash \
	-e isakmp.id.data.ipv4_addr -e isakmp.id.data.ipv4_subnet 2>/dev/null)
printf '# tshark: %s\n' "${dec//$'\n'/$'\n# tshark: '}"
t_ge "tshark: encrypted main mode and quick mode messages (5 or more)" \
	"$(awk -F'\t' '$1 ~ /1$/' <<<"$dec" | wc -l)" 5
t_eq "tshark: each of them opened: a HASH payload in every one" \
	"$(awk -F'\t' '$1 ~ /1$/ && $3 == ""' <<<"$dec" | wc -l)" 0
t_match "tshark: our main mode ID, 198.51.100.2, read from our encrypted message 5" "$dec" \
	$'\t2\t[0-9a-f]+\t198\.51\.100\.2'
t_match "tshark: the quick mode IDs carry our flow (192.0.2.128/25 to 192.0.2.0/25)" "$dec" \
	$'\t32\t[0-9a-f]+\t192\.0\.2\.128,192\.0\.2\.0\t255\.255\.255\.128,255\.255\.255\.128'

t_end
