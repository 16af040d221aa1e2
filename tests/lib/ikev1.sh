# SPDX-License-Identifier: Apache-2.0
# tests/lib/ikev1.sh: what the IKEv1 interop tests (tests/integration/ikev1_swan*.sh) share:
# the two configurations of one tunnel (ours on gwB, as an IOS 11.3 engineer writes it with
# crypto isakmp commands; strongSwan's on gwA with version = 1) from a few variables, and the
# SPIs each side shows.  Source after tests/lib/netns.sh, tests/lib/swan.sh, tests/lib/ikev2.sh
# (its ik_begin, ik_ours_esp, ik_swan_esp, ik_has_line are the same for both versions).
#
#   hostA 192.0.2.10 -- gwA [charon ssA] ==== inet ==== gwB [controld + datad] -- hostB 192.0.2.130
#
# Ours (gwB):
#	V1_PSK		the pre-shared key (both sides; V1_SWAN_PSK overrides strongSwan's)
#	V1_ENC V1_HASH V1_GROUP	crypto isakmp policy 10: "aes 128", "sha", 14
#	V1_TSET		the transform set, e.g. "esp-aes 128 esp-sha-hmac"
#	V1_PFS		"group14" etc., empty for no PFS
#	V1_LIFE		phase 2 lifetime in seconds (set security-association lifetime)
#	V1_AUTH		the policy's authentication: pre-share (default) or rsa-sig
#	V1_LIFE_KB	phase 2 lifetime in kilobytes, empty for the default
#	V1_KEEPALIVE	"crypto isakmp keepalive" arguments, empty for none
#	V1_DYNAMIC	non-empty: the key by host name V1_DYNAMIC (crypto isakmp key K hostname
#			NAME) and a dynamic map (no peer; the same list) in place of the static entry
#	V1_EXTRA	more configuration lines, before the interface
# strongSwan's (ssA on gwA):
#	SW1_IKE SW1_ESP	its proposals, e.g. aes128-sha1-modp2048, aes128-sha1 (a group: PFS)
#	SW1_REKEY	the child's rekey_time (0: strongSwan's), SW1_LIFE its life_time
#	SW1_AGGR	yes for aggressive mode, SW1_ID its identity (default its address)
#	SW1_RID		the identity it expects of us (default our address; gwB with our
#			crypto isakmp identity hostname)
#	SW1_DPD		dpd_delay (0: none)
#	SW1_START	start_action of the child (none or trap)
#	SW1_LTS SW1_RTS	its traffic selectors (default 192.0.2.0/25, 192.0.2.128/25)
#	SW1_AUTH	psk (default) or pubkey: its key pubkey/ssA.pem (private/ssA.pem), ours
#			pubkey/gwB.pem, in its swanctl directory (v1_rsa_keys makes them)

V1_PSK=${V1_PSK:-interop-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')}
V1_ENC=${V1_ENC:-aes 128}
V1_HASH=${V1_HASH:-sha}
V1_GROUP=${V1_GROUP:-14}
V1_TSET=${V1_TSET:-esp-aes 128 esp-sha-hmac}
V1_PFS=${V1_PFS-}
V1_LIFE=${V1_LIFE:-3600}
V1_KEEPALIVE=${V1_KEEPALIVE-}
SW1_IKE=${SW1_IKE:-aes128-sha1-modp2048}
SW1_ESP=${SW1_ESP:-aes128-sha1}
SW1_REKEY=${SW1_REKEY:-0}
SW1_AGGR=${SW1_AGGR:-no}
SW1_ID=${SW1_ID:-198.51.100.1}
SW1_DPD=${SW1_DPD:-0}
SW1_START=${SW1_START:-none}

# v1_ours_conf: gwB's configuration: site B <-> site A, peer gwA, keyed by IKEv1.
v1_ours_conf()
{
	cat <<CONF
! written by tests/lib/ikev1.sh
hostname gwB
crypto isakmp policy 10
 encryption $V1_ENC
 hash $V1_HASH
 authentication ${V1_AUTH:-pre-share}
 group $V1_GROUP
${V1_KEEPALIVE:+crypto isakmp keepalive $V1_KEEPALIVE}
crypto ipsec transform-set T $V1_TSET
CONF
	if [ -n "${V1_DYNAMIC:-}" ]; then
		cat <<CONF
crypto isakmp key $V1_PSK hostname $V1_DYNAMIC
access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127
crypto dynamic-map dyn 10
 match address 101
 set transform-set T
${V1_PFS:+ set pfs $V1_PFS}
 set security-association lifetime seconds $V1_LIFE
crypto map vpn 10 ipsec-isakmp dynamic dyn
CONF
	else
		cat <<CONF
crypto isakmp key $V1_PSK address 198.51.100.1
access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127
crypto map vpn 10 ipsec-isakmp
 match address 101
 set peer 198.51.100.1
 set transform-set T
${V1_PFS:+ set pfs $V1_PFS}
 set security-association lifetime seconds $V1_LIFE
${V1_LIFE_KB:+ set security-association lifetime kilobytes $V1_LIFE_KB}
CONF
	fi
	cat <<CONF
${V1_EXTRA:-}
interface wan0
 ip address 198.51.100.2 255.255.255.0
 crypto map vpn
CONF
}

# v1_swan_conf: ssA's swanctl.conf: connection and child t, gwA <-> gwB, IKEv1.
v1_swan_conf()
{
	local rk= dpd=
	[ "$SW1_REKEY" != 0 ] && rk="rekey_time = ${SW1_REKEY}s
		       life_time = ${SW1_LIFE:-$((SW1_REKEY * 2))}s
		       rand_time = 0s"
	[ "$SW1_DPD" != 0 ] && dpd="dpd_delay = ${SW1_DPD}s"
	cat <<CONF
# written by tests/lib/ikev1.sh
connections { t {
	version = 1
	aggressive = $SW1_AGGR
	local_addrs = 198.51.100.1
	remote_addrs = 198.51.100.2
	proposals = $SW1_IKE
	$dpd
	local { auth = ${SW1_AUTH:-psk}
		${SW1_AUTH:+pubkeys = ssA.pem}
		id = $SW1_ID }
	remote { auth = ${SW1_AUTH:-psk}
		 ${SW1_AUTH:+pubkeys = gwB.pem}
		 id = ${SW1_RID:-198.51.100.2} }
	children { t { local_ts = ${SW1_LTS:-192.0.2.0/25}
		       remote_ts = ${SW1_RTS:-192.0.2.128/25}
		       esp_proposals = $SW1_ESP
		       $rk
		       start_action = $SW1_START } } } }
secrets { ike-t { id-a = $SW1_ID
		  id-b = ${SW1_RID:-198.51.100.2}
		  secret = "${V1_SWAN_PSK:-$V1_PSK}" } }
CONF
}

# v1_ours_isakmp GW: "show crypto isakmp sa" lines without the header.
v1_ours_isakmp() { gwctl_in "$1" "show crypto isakmp sa" | awk 'NR > 2 && NF > 0'; }

# v1_rsa_keys: strongSwan's RSA key pair (openssl) into ssA's swanctl directory, and its public
# key as the IOS lines that give it to us (crypto key pubkey-chain rsa, addressed-key gwA),
# on stdout: put them in V1_EXTRA.
v1_rsa_keys()
{
	local d
	d=$(swan_dir ssA)
	mkdir -p "$d/private" "$d/pubkey"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$d/private/ssA.pem" \
		2>/dev/null || return 1
	openssl pkey -in "$d/private/ssA.pem" -pubout -out "$d/pubkey/ssA.pem" 2>/dev/null || return 1
	echo "crypto key pubkey-chain rsa"
	echo " addressed-key 198.51.100.1"
	echo "  key-string"
	openssl pkey -in "$d/private/ssA.pem" -pubout -outform DER 2>/dev/null |
		od -An -v -tx1 | tr -d ' \n' | fold -w 64 | sed 's/^/   /'
	echo
	echo "  quit"
}

# v1_rsa_ours GW: GW makes its key pair (crypto key generate rsa) and strongSwan is given its
# public key as pubkey/gwB.pem, from what show crypto key mypubkey rsa prints.
v1_rsa_ours()
{
	local d hex
	d=$(swan_dir ssA)
	mkdir -p "$d/pubkey"
	gwctl_in "$1" "crypto key generate rsa modulus 2048" >/dev/null || return 1
	hex=$(gwctl_in "$1" "show crypto key mypubkey rsa" | awk '/Key Data/ { k = 1; next }
		k && /^ +[0-9A-F]+( [0-9A-F]+)*$/ { gsub(/ /, ""); printf "%s", $0 }')
	[ -n "$hex" ] || return 1
	printf '%s' "$hex" | xxd -r -p | openssl pkey -pubin -inform DER -out "$d/pubkey/gwB.pem" \
		2>/dev/null
}
