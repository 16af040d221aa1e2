# SPDX-License-Identifier: Apache-2.0
# tests/lib/ikev2.sh: what the IKEv2 interop tests (tests/integration/ikev2_swan*.sh) share:
# the two configurations of one tunnel (ours on gwB, strongSwan's on gwA) from a few
# variables, and the SPIs each side shows, so that a test compares them in one line.
# Source after tests/lib/netns.sh and tests/lib/swan.sh.
#
#   hostA 192.0.2.10 -- gwA [charon ssA] ==== inet ==== gwB [controld + datad] -- hostB 192.0.2.130
#
#	ik_begin ikev2_x [gwC]	# root, strongSwan (else a skip), t_begin, the lab drawn
#	ik_ours_conf >"$GW_RUN/gwB.conf"; gw_start gwB "$GW_RUN/gwB.conf"
#	ik_swan_conf >"$(swan_dir ssA)/swanctl.conf"; swan_start ssA gwA; swan_load ssA
#	ik_ours_ike gwB		# LOCAL_SPI REMOTE_SPI Yes|No (initiator), one line per IKE SA
#	ik_ours_esp gwB inbound	# our inbound ESP SPIs, one a line, sorted
#	ik_swan_ike ssA		# SPI_I SPI_R, one line per IKE SA
#	ik_swan_esp ssA in	# strongSwan's inbound ESP SPIs (or out), one a line, sorted
#	ik_ours_session gwB 198.51.100.1 [detail]	# show crypto session remote, no header
#
# The invariant the tests keep: both sides are generated from the same variables, so a
# combination that does not come up is a disagreement between the implementations, never
# between two hand-written files.  SPIs are lower-case hex everywhere here.
#
# Ours (gwB), as `crypto ikev2` commands (docs/ikev2.md):
#	IK_PSK		the pre-shared key (both sides; IK_SWAN_PSK overrides strongSwan's)
#	IK_ENC IK_INTEG IK_PRF IK_GROUP	the IKE proposal (IK_INTEG empty for AEAD)
#	IK_TSET		the transform set, e.g. "esp-gcm 128", "esp-aes 256 esp-sha256-hmac"
#	IK_PFS		"group19" etc., empty for no PFS
#	IK_LIFE		child SA lifetime in seconds (set security-association lifetime)
#	IK_LIFE_KB	child SA lifetime in kilobytes (empty: the default)
#	IK_IKE_LIFE	IKE SA lifetime (profile lifetime)
#	IK_DPD		"INTERVAL RETRY on-demand|periodic", empty for none
#	IK_EXTRA	more configuration lines, before the interface (other entries)
# strongSwan's (ssA on gwA), in its swanctl.conf words:
#	SW_IKE		IKE proposal, e.g. aes128gcm16-prfsha256-ecp256
#	SW_ESP		ESP proposal, e.g. aes128gcm16-ecp256 (a group there means PFS)
#	SW_LOCAL_TS SW_REMOTE_TS	its traffic selectors
#	SW_START	start_action of the child (none or trap)
#	SW_REKEY SW_IKE_REKEY	rekey_time of the child and of the IKE SA (0: strongSwan's)
#	SW_REKEY_RAND	the child's rand_time (default SW_REKEY: rekeys anywhere in 0..SW_REKEY)
#	SW_DPD		dpd_delay (0: none)
#	SW_CHILDREN	more children of connection t ("NAME { local_ts = ... }")

IK_PSK=${IK_PSK:-interop-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')}
IK_ENC=${IK_ENC:-aes-gcm-128}
IK_INTEG=${IK_INTEG:-}
IK_PRF=${IK_PRF:-sha256}
IK_GROUP=${IK_GROUP:-19}
IK_TSET=${IK_TSET:-esp-gcm 128}
IK_PFS=${IK_PFS-group19}
IK_LIFE=${IK_LIFE:-3600}
IK_IKE_LIFE=${IK_IKE_LIFE:-86400}
IK_DPD=${IK_DPD-10 3 on-demand}
SW_IKE=${SW_IKE:-aes128gcm16-prfsha256-ecp256}
SW_ESP=${SW_ESP:-aes128gcm16-ecp256}
SW_LOCAL_TS=${SW_LOCAL_TS:-192.0.2.0/25}
SW_REMOTE_TS=${SW_REMOTE_TS:-192.0.2.128/25}
SW_START=${SW_START:-none}
SW_REKEY=${SW_REKEY:-0}
SW_IKE_REKEY=${SW_IKE_REKEY:-0}
SW_DPD=${SW_DPD:-0}

# ik_begin NAME [gwC]: how every IKEv2 interop test starts: as root, with strongSwan (exit 77,
# a skip, without it), its results named NAME, the lab drawn (with gwC and hostC when asked).
ik_begin()
{
	local name=$1
	shift
	require_root
	swan_require || { echo "SKIP: $name: no strongSwan" >&2; exit 77; }
	t_begin "$name"
	topo_up "gw$$" "$@" || t_abort "draw the topology"
}

# ik_ours_conf: gwB's configuration: site B <-> site A, peer gwA, keyed by IKEv2.
ik_ours_conf()
{
	cat <<EOF
! written by tests/lib/ikev2.sh
hostname gwB
crypto ikev2 proposal P
 encryption $IK_ENC
${IK_INTEG:+ integrity $IK_INTEG}
${IK_PRF:+ prf $IK_PRF}
 group $IK_GROUP
crypto ikev2 policy POL
 proposal P
crypto ikev2 keyring KEYS
 peer gwA
  address 198.51.100.1
  pre-shared-key $IK_PSK
crypto ikev2 profile TO-A
 match identity remote address 198.51.100.1 255.255.255.255
 identity local address 198.51.100.2
 authentication remote pre-share
 authentication local pre-share
 keyring local KEYS
 lifetime $IK_IKE_LIFE
${IK_DPD:+ dpd $IK_DPD}
crypto ipsec transform-set T $IK_TSET
access-list 101 permit ip 192.0.2.128 0.0.0.127 192.0.2.0 0.0.0.127
crypto map vpn 10 ipsec-isakmp
 match address 101
 set peer 198.51.100.1
 set transform-set T
 set ikev2-profile TO-A
${IK_PFS:+ set pfs $IK_PFS}
 set security-association lifetime seconds $IK_LIFE
${IK_LIFE_KB:+ set security-association lifetime kilobytes $IK_LIFE_KB}
${IK_EXTRA:-}
interface wan0
 ip address 198.51.100.2 255.255.255.0
 crypto map vpn
EOF
}

# ik_swan_conf: ssA's swanctl.conf: connection and child t, gwA <-> gwB.
ik_swan_conf()
{
	local rk= irk= dpd=
	[ "$SW_REKEY" != 0 ] && rk="rekey_time = ${SW_REKEY}s
		       life_time = $((SW_REKEY * 2))s
		       rand_time = ${SW_REKEY_RAND:-$SW_REKEY}s"
	[ "$SW_IKE_REKEY" != 0 ] && irk="rekey_time = ${SW_IKE_REKEY}s"
	[ "$SW_DPD" != 0 ] && dpd="dpd_delay = ${SW_DPD}s"
	cat <<EOF
# written by tests/lib/ikev2.sh
connections { t {
	version = 2
	local_addrs = 198.51.100.1
	remote_addrs = 198.51.100.2
	proposals = $SW_IKE
	$irk
	$dpd
	local { auth = psk
		id = 198.51.100.1 }
	remote { auth = psk
		 id = 198.51.100.2 }
	children { t { local_ts = $SW_LOCAL_TS
		       remote_ts = $SW_REMOTE_TS
		       esp_proposals = $SW_ESP
		       $rk
		       start_action = $SW_START }
		   ${SW_CHILDREN:-} } } }
secrets { ike-t { id-a = 198.51.100.1
		  id-b = 198.51.100.2
		  secret = "${IK_SWAN_PSK:-$IK_PSK}" } }
EOF
}

# ik_ours_ike GW: LOCAL_SPI REMOTE_SPI Yes|No (we initiated), one line per IKE SA.
ik_ours_ike()
{
	gwctl_in "$1" "show crypto ikev2 sa detail" | awk '
		/Local spi:/ { l = tolower($3); r = tolower($6) }
		/Initiator of SA/ { print l, r, $5 }'
}

# ik_ours_esp GW inbound|outbound: the ESP SPIs in that direction, one a line, sorted.
ik_ours_esp()
{
	gwctl_in "$1" "show crypto ipsec sa" | awk -v d="$2" '
		/ (esp|ah) sas:/ { s = ($1 == d && $2 == "esp") }
		s && $1 == "spi:" && $2 ~ /^0x/ {
			v = substr($2, 3); sub(/\(.*/, "", v)
			while (length(v) < 8) v = "0" v
			print tolower(v) }' | sort
}

# ik_swan_ike NAME: SPI_I SPI_R of each IKE SA of strongSwan instance NAME.
ik_swan_ike() { swan_sas "$1" | awk '$1 == "ike" { print $8, $9 }'; }

# ik_swan_esp NAME in|out: strongSwan's ESP SPIs in that direction, one a line, sorted.
ik_swan_esp()
{
	swan_sas "$1" | awk -v d="$2" '$1 == "child" && $6 == "ESP" {
		print (d == "in") ? $7 : $8 }' | sort
}

# ik_ours_spi_match GW NAME: do our IKE SPIs and child SPIs equal strongSwan's (ours inbound
# = its outbound and the other way)?  Says what differs on stdout.
ik_ours_spi_match()
{
	local oi si oin oout sin sout
	oi=$(ik_ours_ike "$1" | awk '{ print ($3 == "Yes") ? $1 " " $2 : $2 " " $1 }' | sort)
	si=$(ik_swan_ike "$2" | sort)
	oin=$(ik_ours_esp "$1" inbound); oout=$(ik_ours_esp "$1" outbound)
	sin=$(ik_swan_esp "$2" in); sout=$(ik_swan_esp "$2" out)
	echo "IKE (SPIi SPIr): ours [${oi//$'\n'/ }] strongSwan [${si//$'\n'/ }]"
	echo "ESP ours in [${oin//$'\n'/ }] = its out [${sout//$'\n'/ }];" \
		"ours out [${oout//$'\n'/ }] = its in [${sin//$'\n'/ }]"
	[ -n "$oi" ] && [ "$oi" = "$si" ] && [ -n "$oin" ] && [ "$oin" = "$sout" ] &&
		[ -n "$oout" ] && [ "$oout" = "$sin" ]
}

# ik_ours_ctr GW TEXT: one counter of `show crypto ikev2 stats` (by its text).
ik_ours_ctr()
{
	gwctl_in "$1" "show crypto ikev2 stats" | awk -v t="$2" '
		{ n = $1; $1 = ""; sub(/^ /, ""); if ($0 == t) { print n; exit } }'
}

# ik_ours_session GW PEER [detail]: the session with PEER in `show crypto session remote PEER
# [detail]`, without the header (and the legend of detail).
ik_ours_session()
{
	gwctl_in "$1" "show crypto session remote $2${3:+ $3}" | sed -n '/^Interface: /,$p'
}

# ik_flow_side A/N: one side of a flow as show crypto session writes it ("A/MASK", "host A").
ik_flow_side()
{
	local a=${1%/*} n=${1#*/} m
	[ "$n" = 32 ] && { printf 'host %s' "$a"; return; }
	m=$(( (0xffffffff << (32 - n)) & 0xffffffff ))
	printf '%s/%d.%d.%d.%d' "$a" $((m >> 24 & 255)) $((m >> 16 & 255)) $((m >> 8 & 255)) \
		$((m & 255))
}

# ik_has_line TEXT LINE: is LINE, exactly, one of TEXT's lines?  (A here-string, not a pipe:
# grep -q leaving early would SIGPIPE printf, and pipefail would call that a failure.)
ik_has_line() { grep -Fx -- "$2" <<<"$1" >/dev/null; }
