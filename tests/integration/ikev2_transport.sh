#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ikev2_transport.sh: transport mode negotiated by IKEv2 (USE_TRANSPORT_MODE,
# RFC 7296 §1.3.1) for the gateways' own traffic, as IOS does it ("mode transport" applies
# only to traffic between the peers themselves).
#
#   hostA -- gwA [ours] ==== inet ==== gwB [ours] -- hostB	(then gwA: charon ssA)
#
#   1. two of our gateways, transform set "mode transport", access lists of the two gateway
#      addresses (host to host) and of the two sites: gwA pings gwB's own address, the
#      acquire brings up a transport-mode child (both show "Transport"); the sites' traffic
#      gets its own child in tunnel mode.  tshark decrypts the ESP between the gateways with
#      the keys of `debug crypto ikev2 keys`: ICMP right after ESP, no inner IP header
#   2. the same with gwB initiating (gwB pings gwA after `clear crypto ikev2 sa`)
#   3. strongSwan 5.9.8 (swanctl mode = transport) against gwB, both roles: the lab's
#      strongSwan cannot carry transport mode (kernel-libipsec: "unsupported mode"; it claims
#      a NAT to force UDP, and we do no transport mode in UDP, RFC 3948 §3.1.3), so gwB answers
#      its request in tunnel mode and asks for none itself across the NAT; strongSwan takes the
#      tunnel-mode child and the gateways' own traffic passes
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ikev2_transport.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"
source "$GW_SRC/tests/lib/ikev2.sh"

require_root
t_begin ikev2_transport
topo_up "gw$$" || t_abort "draw the topology"

# our_conf ME PEER MYNET PEERNET: one of our gateways, IKEv2 with PEER; entry 10 the gateways'
# own traffic (transform set TR, mode transport), entry 20 the sites' (TN, tunnel).
our_conf()
{
	cat <<EOF
hostname gw-${1//./-}
crypto ikev2 proposal P
 encryption aes-gcm-128
 prf sha256
 group 19
crypto ikev2 policy POL
 proposal P
crypto ikev2 keyring KEYS
 peer other
  address $2
  pre-shared-key $IK_PSK
crypto ikev2 profile PEER
 match identity remote address $2 255.255.255.255
 identity local address $1
 authentication remote pre-share
 authentication local pre-share
 keyring local KEYS
crypto ipsec transform-set TR esp-aes 256 esp-sha256-hmac
 mode transport
crypto ipsec transform-set TN esp-gcm 128
access-list 102 permit ip host $1 host $2
access-list 101 permit ip $3 $4
crypto map vpn 10 ipsec-isakmp
 match address 102
 set peer $2
 set transform-set TR
 set ikev2-profile PEER
crypto map vpn 20 ipsec-isakmp
 match address 101
 set peer $2
 set transform-set TN
 set ikev2-profile PEER
interface wan0
 ip address $1 255.255.255.0
 crypto map vpn
EOF
}

# modes GW: the "in use settings" of GW's SAs, one a line (Transport or Tunnel), sorted
# (IOS 15 adds " UDP-Encaps" to an SA in UDP: "{Tunnel UDP-Encaps, }").
modes()
{
	gwctl_in "$1" "show crypto ipsec sa" |
		sed -n 's/.*in use settings ={\([A-Za-z]*\)[ ,].*/\1/p' | sort
}

# esp_uat GW: the Wireshark ESP SA table rows GW logged (debug crypto ikev2 keys).
esp_uat()
{
	sed -n 's/.*ikev2: keys: esp_sa \(.*\)$/\1/p' "$(gw_dir "$1")/controld.log"
}

# own_traffic FROM TO WHAT: FROM pings TO's own address under a capture; the ESP between the
# gateways, decrypted with FROM's logged keys, holds ICMP directly (transport: no inner IP).
own_traffic()
{
	local cap=$GW_RUN/own-$1.pcap args=() row n
	cap_start inet br0 "$cap" "ip proto 50" || t_abort capture
	t_check "$3: $1 pings $2's own address, all answered" \
		nsx "$1" ping -n -c 5 -i 0.1 -W 2 "$4"
	cap_stop "$cap"
	while IFS= read -r row; do args+=(-o "uat:esp_sa:$row"); done < <(esp_uat "$1")
	t_ge "$3: $1 logged its child SAs' keys" "${#args[@]}" 4
	n=$(tshark -n -r "$cap" -o esp.enable_encryption_decode:TRUE "${args[@]}" \
		-Y 'esp.protocol == 1 && icmp && count(ip.src) == 1' -T fields -e frame.number \
		2>/dev/null | wc -l)
	t_ge "$3: ESP decrypted: next header ICMP, one IP header (both ways)" "$n" 10
	t_eq "$3: no next header IPIP (tunnel) among them" "$(tshark -n -r "$cap" \
		-o esp.enable_encryption_decode:TRUE "${args[@]}" \
		-Y 'esp.protocol == 4 || count(ip.src) > 1' 2>/dev/null | wc -l)" 0
}

# 1: two of ours, gwA initiates
IK_PSK=transport-$(head -c 9 /dev/urandom | base64 | tr -d '/+=')
our_conf 198.51.100.1 198.51.100.2 "192.0.2.0 0.0.0.127" "192.0.2.128 0.0.0.127" \
	>"$GW_RUN/gwA.conf"
our_conf 198.51.100.2 198.51.100.1 "192.0.2.128 0.0.0.127" "192.0.2.0 0.0.0.127" \
	>"$GW_RUN/gwB.conf"
t_check "gwA starts (ours)" gw_start gwA "$GW_RUN/gwA.conf" || t_abort gwA
t_check "gwB starts (ours)" gw_start gwB "$GW_RUN/gwB.conf" || t_abort gwB
for g in gwA gwB; do
	t_match "$g: debug crypto ikev2 keys" "$(gwctl_in $g "debug crypto ikev2 keys")" \
		'debugging is on'
done
t_check "gwA's own traffic to gwB: the acquire brings transport mode up" \
	wait_ping gwA 198.51.100.2 10
t_eq "gwA: both SAs in transport mode" "$(modes gwA | uniq -c | awk '{ print $1, $2 }')" \
	"2 Transport"
t_eq "gwB: both SAs in transport mode" "$(modes gwB | uniq -c | awk '{ print $1, $2 }')" \
	"2 Transport"
own_traffic gwA gwB "gwA initiator" 198.51.100.2
t_check "the sites' traffic: hostA pings hostB" wait_ping hostA 192.0.2.130 10
t_eq "gwB: the sites' child in tunnel mode beside it" "$(modes gwB | uniq -c |
	awk '{ print $1, $2 }' | tr '\n' ' ')" "2 Transport 2 Tunnel "

# 2: gwB initiates
t_check "gwA: clear crypto ikev2 sa" gwctl_in gwA "clear crypto ikev2 sa"
t_check "gwB has no SA left" t_poll 5 eval '[ -z "$(modes gwB)" ]'
t_check "gwB's own traffic to gwA: the acquire brings transport mode up" \
	wait_ping gwB 198.51.100.1 10
t_eq "gwA: transport mode (responder)" "$(modes gwA | uniq -c | awk '{ print $1, $2 }')" \
	"2 Transport"
t_match "gwB: the initiator" "$(gwctl_in gwB "show crypto ikev2 sa detail")" \
	'Initiator of SA : Yes'
own_traffic gwB gwA "gwB initiator" 198.51.100.1

# 3: strongSwan in gwA, mode = transport
t_check "gwA (ours) stops" gw_stop gwA
if ! swan_require; then
	echo "# no strongSwan: part 3 skipped"
	t_end
	exit
fi
t_check "gwB: clear crypto ikev2 sa" gwctl_in gwB "clear crypto ikev2 sa"
d=$(swan_dir ssA)
cat >"$d/swanctl.conf" <<EOF
connections { t {
	version = 2
	local_addrs = 198.51.100.1
	remote_addrs = 198.51.100.2
	proposals = aes128gcm16-prfsha256-ecp256
	local { auth = psk
		id = 198.51.100.1 }
	remote { auth = psk
		 id = 198.51.100.2 }
	children { own { local_ts = 198.51.100.1/32
			 remote_ts = 198.51.100.2/32
			 mode = transport
			 esp_proposals = aes256-sha256
			 start_action = none } } } }
secrets { ike-t { id-a = 198.51.100.1
		  id-b = 198.51.100.2
		  secret = "$IK_PSK" } }
EOF
# the gateways' own traffic through kernel-libipsec's TUN: its route to gwB's address would
# take charon's IKE and ESP too, unless they carry a mark that its routing rule skips
SWAN_PLUGIN_CONF='kernel-libipsec { allow_peer_ts = yes }
		socket-default { fwmark = 0x42 }
		kernel-netlink { fwmark = !0x42 }'
t_check "charon ssA starts in gwA" swan_start ssA gwA || t_abort ssA
t_check "ssA loads its connection" swan_load ssA
t_check "ssA initiates child own (mode = transport)" swan_initiate ssA own
sa_a=$(swan_sas ssA)
printf '# ssA: %s\n' "${sa_a//$'\n'/$'\n# ssA: '}"
t_match "ssA: its child INSTALLED in tunnel mode, the gateways' addresses" "$sa_a" \
	'^child own [0-9]+ INSTALLED TUNNEL ESP [0-9a-f]+ [0-9a-f]+ 198\.51\.100\.1/32 198\.51\.100\.2/32 yes$'
t_eq "gwB: tunnel mode (no transport in UDP)" "$(modes gwB | uniq -c |
	awk '{ print $1, $2 }')" "2 Tunnel"
t_check "ssA's gateway pings gwB's own address" \
	nsx gwA ping -n -c 3 -i 0.2 -W 2 198.51.100.2
t_check "ssA deletes it" swan_terminate ssA t
t_check "gwB has no SA left" t_poll 5 eval '[ -z "$(modes gwB)" ]'
t_check "gwB's own traffic to gwA: we initiate (tunnel: a NAT is claimed)" \
	wait_ping gwB 198.51.100.1 10
sa_a=$(swan_sas ssA)
printf '# ssA: %s\n' "${sa_a//$'\n'/$'\n# ssA: '}"
t_match "ssA: our child INSTALLED in tunnel mode" "$sa_a" \
	'^child own [0-9]+ INSTALLED TUNNEL ESP '
t_eq "gwB: tunnel mode" "$(modes gwB | uniq -c | awk '{ print $1, $2 }')" "2 Tunnel"
t_check "ssA stops on SIGTERM" swan_stop ssA
# (charon's log is complete once it stopped)
t_match "ssA asked for transport mode; gwB's answer did not grant it" \
	"$(grep -E 'IKE_AUTH (request|response) 1 ' "$d/charon.log")" \
	'generating IKE_AUTH request 1 \[ .*N\(USE_TRANSP\) SA .*
.*parsed IKE_AUTH response 1 \[ IDr AUTH SA TSi TSr \]'
t_end
