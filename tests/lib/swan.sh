# SPDX-License-Identifier: Apache-2.0
# tests/lib/swan.sh: strongSwan 5.9.8 as a peer in the lab's namespaces, for the interop tests
# (source after tests/lib/netns.sh, which brings deploy/lab/topo.sh: nsx, nsx_bg, pid_stop).
#
#	source "$GW_SRC/tests/lib/swan.sh"
#	swan_require || exit 77			# charon-systemd, swanctl, kernel-libipsec
#	d=$(swan_dir ssA); cat >"$d/swanctl.conf" <<EOF ... EOF	# the test writes it
#	swan_start ssA gwA || t_abort "charon"	# charon in namespace gwA, config dir $d
#	swan_load ssA				# swanctl --load-all
#	swan_initiate ssA t			# swanctl --initiate --child t --timeout 10
#	swan_sas ssA				# one line per IKE SA and per child SA (below)
#	swan_stop ssA				# by its PID
#
# Each instance NAME has a directory of its own, $GW_RUN/swan-NAME: its strongswan.conf
# (written here), swanctl.conf (written by the test), its vici socket, charon.log and
# stdout.log.  Nothing of the host's /etc/strongswan.d, /etc/swanctl or /var/run is read or
# written: strongswan.conf includes no other file, charon-systemd keeps no pid file, and the
# vici socket is in the directory, so several instances run at once (one per namespace: each
# binds UDP 500 and 4500 there).  The kernel of these machines has no ESP, so the IPsec
# backend is kernel-libipsec: ESP inside charon, always in UDP 4500 (Debian's 5.9.8 claims a
# NAT to force it), cleartext through its TUN ipsec0, routes in table 220; it must be loaded
# before kernel-netlink (the first backend loaded wins).
#
# swan_sas prints, from `swanctl --list-sas --raw` (vici's own key=value form, not the text
# meant for people, which changes between versions):
#	ike NAME UNIQUEID STATE VERSION LOCAL_HOST:PORT REMOTE_HOST:PORT SPI_I SPI_R
#	child NAME UNIQUEID STATE MODE PROTOCOL SPI_IN SPI_OUT LOCAL_TS REMOTE_TS ENCAP
# (SPIs in hex as strongSwan gives them; traffic selectors comma-separated; ENCAP yes|no).
#
# Variables: SWAN_PLUGINS (charon's load list), SWAN_LOG_LEVEL (filelog default, 1; 2 or 4
# to see messages), SWAN_RETRANSMIT ("TRIES TIMEOUT BASE": charon.retransmit_*; default
# strongSwan's own, 5 tries from 4 s), SWAN_PLUGIN_CONF (more of charon's plugins section, e.g.
# "kernel-libipsec { allow_peer_ts = yes }"), SWAN_CHARON_CONF (more of charon's own settings,
# e.g. "i_dont_care_about_security_and_use_aggressive_mode_psk = yes").
#
# IKEv1 (version = 1) with strongSwan 5.9.8 here (Debian 5.9.8-5+deb12u6), as found between
# two charons of the lab, every suite below brought up once (swan_conf_v1 and swan_ios_v1
# write both ends of a tunnel; tests/integration/swan_harness_v1.sh runs the matrix):
#   - proposals: one algorithm of each kind per proposal ("aes128-sha1-modp2048": cipher,
#     the hash that is both HMAC and PRF, the group; more of a kind are stripped, so several
#     suites are several proposals, comma-separated).  Groups: modp768 = 1, modp1024 = 2,
#     modp1536 = 5, modp2048 = 14, modp3072 = 15, modp4096 = 16, ecp256 = 19, ecp384 = 20,
#     ecp521 = 21.  esp_proposals: a group in it is quick mode's PFS ("aes128-sha1-modp2048").
#   - accepted, both ends strongSwan, main mode PSK, every one of DES, 3DES, AES-128,
#     AES-256 x MD5, SHA-1, SHA-256 x groups 1, 2, 14, 19 (48 suites), and ESP DES, 3DES,
#     AES-CBC with HMAC-MD5/SHA-1/SHA-256, AES-GCM, with PFS groups 1, 2, 14, 19: nothing
#     refused.  DES, MD5 and MODP-768 come from OpenSSL (the openssl plugin loads its legacy
#     provider; Debian has no des plugin: "plugin 'des': failed to load" in charon.log is
#     harmless).  `swanctl --list-algs` lists DES_CBC, 3DES_CBC, AES_CBC, HMAC_MD5_96,
#     HMAC_SHA1_96, HMAC_SHA2_256_128, PRF_HMAC_MD5/SHA1/SHA2_*, MODP_768 .. MODP_8192,
#     ECP_256/384/521, CURVE_25519 (IKEv1 has no group 31 number in strongSwan's proposals).
#   - aggressive = yes: the initiator sends ID and KE in the clear; a charon *responder*
#     refuses aggressive mode with a pre-shared key (AUTHENTICATION_FAILED to the initiator,
#     "Aggressive Mode PSK disabled for security reasons" in its log) unless SWAN_CHARON_CONF has
#     i_dont_care_about_security_and_use_aggressive_mode_psk = yes.  Identities that are not
#     addresses are FQDNs ("gwb.example.net") or user FQDNs ("road@example.net"); the secret's
#     id-a / id-b must name them.
#   - rekey_time of the connection: IKEv1 cannot rekey an ISAKMP SA, charon reauthenticates
#     (a new main mode) instead; reauth_time likewise.  The phase 1 proposal carries a lifetime
#     of rekey_time + over_time (default 4 h + 10 %: 15840 s); IOS takes any lifetime not above
#     its policy's.  Children: rekey_time (default 1 h) is a new quick mode; life_time is
#     rekey_time + 10 % by default.  (charon logs "scheduling rekeying in 13258s", "maximum
#     IKE_SA lifetime 14698s" for an IKEv1 SA: rekey_time and over_time less rand_time.)
#   - dpd_delay: R_U_THERE (RFC 3706) after that long without traffic; dpd_timeout is IKEv1's
#     own (else the retransmissions decide); no DPD unless set.
#   - kernel-libipsec claims a NAT (see above), so IKEv1 floats to UDP 4500 once NAT-D has
#     been exchanged (RFC 3947: main mode from its fifth message, aggressive mode from its
#     third) and ESP is in UDP, as with IKEv2.

SWAN_PLUGINS=${SWAN_PLUGINS:-random nonce openssl pem pkcs1 x509 pubkey kdf hmac sha1 sha2 md5 \
des aes gcm ccm ctr chapoly curve25519 kernel-libipsec kernel-netlink socket-default vici}
SWAN_LOG_LEVEL=${SWAN_LOG_LEVEL:-1}
SWAN_RETRANSMIT=${SWAN_RETRANSMIT:-}
declare -gA SWAN_PID=()		# NAME -> charon's PID
declare -gA SWAN_NS=()		# NAME -> the namespace (short name) it runs in

# swan_require: is strongSwan 5.9.x here with what the lab needs?  Says why not on stderr.
# Debian packages: charon-systemd strongswan-swanctl libcharon-extra-plugins
# libstrongswan-standard-plugins libstrongswan-extra-plugins.
swan_require()
{
	local why=
	[ -x /usr/sbin/charon-systemd ] || why="/usr/sbin/charon-systemd missing (charon-systemd)"
	command -v swanctl >/dev/null || why="swanctl missing (strongswan-swanctl)"
	[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] ||
		why="no kernel-libipsec plugin (libcharon-extra-plugins)"
	[ -z "$why" ] && return 0
	echo "strongSwan: $why" >&2
	return 1
}

swan_dir() { local d=$GW_RUN/swan-$1; mkdir -p "$d"; printf '%s' "$d"; }

# _swan_conf DIR: the strongswan.conf of an instance (see the header).
_swan_conf()
{
	local d=$1 tries= timeout= base=
	[ -n "$SWAN_RETRANSMIT" ] && read -r tries timeout base <<<"$SWAN_RETRANSMIT"
	cat <<EOF
# written by tests/lib/swan.sh for one charon instance of a test; no include of the host's files
charon-systemd {
	load = $SWAN_PLUGINS
	${tries:+retransmit_tries = $tries}
	${timeout:+retransmit_timeout = $timeout}
	${base:+retransmit_base = $base}
	${SWAN_CHARON_CONF:-}
	filelog {
		charon {
			path = $d/charon.log
			time_format = %T
			default = $SWAN_LOG_LEVEL
			ike_name = yes
			append = no
		}
	}
	journal {
		default = -1
	}
	plugins {
		vici {
			socket = unix://$d/charon.vici
		}
		${SWAN_PLUGIN_CONF:-}
	}
}
swanctl {
	socket = unix://$d/charon.vici
}
EOF
}

# swan_start NAME NS: start charon-systemd in namespace NS with NAME's directory; wait (5 s at
# most) until its vici socket answers.  1 if it did not come up (charon.log says why).
swan_start()
{
	local name=$1 ns=$2 d i
	d=$(swan_dir "$name")
	_swan_conf "$d" >"$d/strongswan.conf"
	rm -f "$d/charon.vici"
	nsx_bg "$ns" "$d/stdout.log" env STRONGSWAN_CONF="$d/strongswan.conf" \
		/usr/sbin/charon-systemd
	SWAN_PID[$name]=$LAST_PID
	SWAN_NS[$name]=$ns
	for ((i = 0; i < 100; i++)); do
		if [ -S "$d/charon.vici" ] && swan_ctl "$name" --stats >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$LAST_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "charon $name did not start: $(tail -n 3 "$d/charon.log" "$d/stdout.log" 2>/dev/null)" >&2
	return 1
}

# swan_ctl NAME COMMAND ARGS...: swanctl against NAME's charon (in its namespace).
swan_ctl()
{
	local name=$1 cmd=$2 d=$GW_RUN/swan-$1; shift 2
	nsx "${SWAN_NS[$name]}" env STRONGSWAN_CONF="$d/strongswan.conf" \
		swanctl "$cmd" --uri "unix://$d/charon.vici" "$@"
}

# swan_load NAME: load NAME's swanctl.conf (connections and secrets); its output goes to
# swanctl.log.  1 unless every connection loaded.
swan_load()
{
	local d=$GW_RUN/swan-$1
	swan_ctl "$1" --load-all --noprompt --file "$d/swanctl.conf" >"$d/swanctl.log" 2>&1 &&
		grep -q '^successfully loaded [0-9]* connections' "$d/swanctl.log" &&
		! grep -qE '^(loading|unloading) .*failed' "$d/swanctl.log"
}

# swan_initiate NAME CHILD [TIMEOUT]: bring CHILD (and its IKE SA) up; swanctl's log lines go
# to NAME's initiate.log.  Blocks until done or TIMEOUT seconds (default 10).
swan_initiate()
{
	local d=$GW_RUN/swan-$1
	swan_ctl "$1" --initiate --child "$2" --timeout "${3:-10}" >>"$d/initiate.log" 2>&1
}

# swan_terminate NAME IKE: delete the IKE SA of connection IKE (and its children).
swan_terminate()
{
	local d=$GW_RUN/swan-$1
	swan_ctl "$1" --terminate --ike "$2" --timeout 5 >>"$d/initiate.log" 2>&1
}

# swan_sas NAME: the SAs of NAME, one line each (format in the header).
swan_sas()
{
	swan_ctl "$1" --list-sas --raw 2>/dev/null | "$GW_PY" -c '
import re, sys

def parse(s, i):
    """vici raw: "key=value", "key{...}" sections, "key=[a b]" lists; returns (dict, i)."""
    d = {}
    while i < len(s):
        m = re.compile(r"\s*").match(s, i); i = m.end()
        if i >= len(s) or s[i] == "}":
            return d, i + 1
        m = re.compile(r"([^=\{\}\s\[\]]+)").match(s, i)
        if not m:
            i += 1; continue
        k = m.group(1); i = re.compile(r"\s*").match(s, m.end()).end()
        if i >= len(s):
            break
        if s[i] == "{":
            d[k], i = parse(s, i + 1)
        elif s.startswith("=[", i):
            j = s.index("]", i); d[k] = s[i + 2:j].split(); i = j + 1
        elif s[i] == "=":
            m = re.compile(r"=(\S*?)(?=\s|\}|$)").match(s, i); d[k] = m.group(1); i = m.end()
    return d, i

for line in sys.stdin:
    line = line.strip()
    if not line.startswith("list-sa event"):
        continue
    ev, _ = parse(line[len("list-sa event"):].strip()[1:], 0)
    for name, ike in ev.items():
        print("ike", name, ike.get("uniqueid", "-"), ike.get("state", "-"),
              ike.get("version", "-"),
              "%s:%s" % (ike.get("local-host", "-"), ike.get("local-port", "-")),
              "%s:%s" % (ike.get("remote-host", "-"), ike.get("remote-port", "-")),
              ike.get("initiator-spi", "-"), ike.get("responder-spi", "-"))
        for cname, c in (ike.get("child-sas") or {}).items():
            print("child", c.get("name", cname), c.get("uniqueid", "-"), c.get("state", "-"),
                  c.get("mode", "-"), c.get("protocol", "-"), c.get("spi-in", "-"),
                  c.get("spi-out", "-"), ",".join(c.get("local-ts", [])) or "-",
                  ",".join(c.get("remote-ts", [])) or "-", c.get("encap", "no"))
'
}

# swan_stop NAME: SIGTERM to NAME's charon (by its PID), SIGKILL after 5 s; 1 if it had died
# or had to be killed.
swan_stop()
{
	local p=${SWAN_PID[$1]:-}
	[ -n "$p" ] || return 1
	unset "SWAN_PID[$1]"
	pid_stop "$p" TERM 5
}

# ---------------------------------------------------------------- IKEv1
# Both ends of one IKEv1 tunnel from the same words, for the interop tests: swan_conf_v1 is a
# charon's swanctl.conf, swan_ios_v1 our gateway's configuration (docs/ikev1.md), so a
# combination that does not come up is a disagreement of the implementations, never of two
# hand-written files.  Same arguments for both, said from the side being written:
#
#	swan_conf_v1 LOCAL REMOTE LOCAL_TS REMOTE_TS IKE ESP [MODE [LOCAL_ID [REMOTE_ID]]]
#	swan_ios_v1  LOCAL REMOTE LOCAL_TS REMOTE_TS IKE ESP [MODE [LOCAL_ID [REMOTE_ID]]]
#
#   LOCAL REMOTE	the gateways' addresses (IKE and the ESP tunnel's ends)
#   LOCAL_TS REMOTE_TS	the flow, A.B.C.D/N (quick mode's IDs)
#   IKE			strongSwan's phase 1 proposal, cipher-hash-group: des|3des|aes128|aes192|
#			aes256 - md5|sha1|sha256|sha384|sha512 - modp768|modp1024|modp1536|
#			modp2048|modp3072|modp4096|ecp256|ecp384|ecp521
#   ESP			strongSwan's ESP proposal: cipher-integrity[-group] (aes128gcm16 and
#			aes256gcm16 without integrity); a group is PFS
#   MODE		main (default) or aggressive
#   LOCAL_ID REMOTE_ID	identities, default the addresses; a name is an FQDN
#
# Variables: SWAN_PSK (the key of both), SWAN_CONN (connection and child name, t), SWAN_START
# (the child's start_action, none), SWAN_V1_DPD (dpd_delay, none), SWAN_V1_REAUTH
# (reauth_time, strongSwan's default), SWAN_V1_REKEY (the child's rekey_time, default).
#
# Ours, from the same words: `crypto isakmp policy 10` with the suite, the key by the peer's
# address (by its name, `crypto isakmp key K hostname N`, when REMOTE_ID is a name; the entry
# is then in a dynamic map, as for a mobile peer of unknown address), `crypto isakmp identity
# hostname` and `hostname LOCAL_ID` when LOCAL_ID is a name (a single label: our hostname has
# no dots), a transform set, access list 101 of the flow, crypto map vpn 10 (no set
# ikev2-profile: IKEv1) with set pfs for a group in ESP, on wan0 with LOCAL/24.  MODE changes
# nothing on our side: we answer aggressive mode unless told not to, and a charon initiator
# chooses the mode.  1 (and why on stderr) for a word it has no translation for.
SWAN_PSK=${SWAN_PSK:-swan-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')}

# swan_v1_is_addr WORD: is WORD an IPv4 address (else an identity is a name)?
swan_v1_is_addr() { [[ $1 =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; }

swan_conf_v1()
{
	local l=$1 r=$2 lts=$3 rts=$4 ike=$5 esp=$6 mode=${7:-main} lid=${8:-$1} rid=${9:-$2}
	local c=${SWAN_CONN:-t} aggr=no
	case $mode in
	main) ;;
	aggressive) aggr=yes ;;
	*) echo "swan_conf_v1: mode $mode: main or aggressive" >&2; return 1 ;;
	esac
	cat <<EOF
# written by tests/lib/swan.sh (swan_conf_v1): IKEv1 $mode mode, PSK
connections { $c {
	version = 1
	aggressive = $aggr
	local_addrs = $l
	remote_addrs = $r
	proposals = $ike
	${SWAN_V1_REAUTH:+reauth_time = $SWAN_V1_REAUTH}
	${SWAN_V1_DPD:+dpd_delay = $SWAN_V1_DPD}
	local { auth = psk
		id = $lid }
	remote { auth = psk
		 id = $rid }
	children { $c { local_ts = $lts
		       remote_ts = $rts
		       esp_proposals = $esp
		       ${SWAN_V1_REKEY:+rekey_time = $SWAN_V1_REKEY}
		       start_action = ${SWAN_START:-none} } } } }
secrets { ike-$c { id-a = $lid
		  id-b = $rid
		  secret = "$SWAN_PSK" } }
EOF
}

# swan_v1_ios_group WORD: IOS's group number of strongSwan's group word.
swan_v1_ios_group()
{
	case $1 in
	modp768) echo 1 ;; modp1024) echo 2 ;; modp1536) echo 5 ;; modp2048) echo 14 ;;
	modp3072) echo 15 ;; modp4096) echo 16 ;; ecp256) echo 19 ;; ecp384) echo 20 ;;
	ecp521) echo 21 ;;
	*) echo "swan_ios_v1: no IKEv1 group for '$1'" >&2; return 1 ;;
	esac
}

# swan_v1_ios_isakmp IKE: the lines of a crypto isakmp policy for strongSwan's IKE proposal.
swan_v1_ios_isakmp()
{
	local enc hash grp
	IFS=- read -r enc hash grp <<<"$1"
	case $enc in
	des|3des) ;; aes128) enc="aes 128" ;; aes192) enc="aes 192" ;;
	aes256) enc="aes 256" ;;
	*) echo "swan_ios_v1: no IKEv1 cipher for '$enc'" >&2; return 1 ;;
	esac
	case $hash in
	md5) ;; sha1) hash=sha ;; sha256|sha384|sha512) ;;
	*) echo "swan_ios_v1: no IKEv1 hash for '$hash'" >&2; return 1 ;;
	esac
	grp=$(swan_v1_ios_group "$grp") || return 1
	printf ' encryption %s\n hash %s\n authentication pre-share\n group %s\n' \
		"$enc" "$hash" "$grp"
}

# swan_v1_ios_esp ESP: "TRANSFORMS|PFS" for strongSwan's ESP proposal (PFS groupN or empty).
swan_v1_ios_esp()
{
	local enc integ grp='' t
	IFS=- read -r enc integ grp <<<"$1"
	case $enc in
	aes128gcm16|aes256gcm16)	# AEAD: no integrity word, a group may follow
		grp=$integ integ=
		t="esp-gcm ${enc:3:3}" ;;
	des) t="esp-des" ;; 3des) t="esp-3des" ;; aes128) t="esp-aes 128" ;;
	aes192) t="esp-aes 192" ;; aes256) t="esp-aes 256" ;;
	*) echo "swan_ios_v1: no ESP cipher for '$enc'" >&2; return 1 ;;
	esac
	case $integ in
	'') ;; md5) t+=" esp-md5-hmac" ;; sha1) t+=" esp-sha-hmac" ;;
	sha256|sha384|sha512) t+=" esp-$integ-hmac" ;;
	*) echo "swan_ios_v1: no ESP integrity for '$integ'" >&2; return 1 ;;
	esac
	[ -n "$grp" ] && { grp=group$(swan_v1_ios_group "$grp") || return 1; }
	printf '%s|%s\n' "$t" "$grp"
}

# swan_v1_ios_acl CIDR: the IOS words of a prefix in an extended access list.
swan_v1_ios_acl()
{
	local a=${1%/*} n=${1#*/} w i o=()
	[ "$n" = 32 ] && { echo "host $a"; return 0; }
	w=$(((1 << (32 - n)) - 1))
	for i in 24 16 8 0; do o+=($(((w >> i) & 255))); done
	echo "$a ${o[0]}.${o[1]}.${o[2]}.${o[3]}"
}

swan_ios_v1()
{
	local l=$1 r=$2 lts=$3 rts=$4 ike=$5 esp=$6 lid=${8:-$1} rid=${9:-$2}
	local policy tsp host=gw peer_key map=vpn
	policy=$(swan_v1_ios_isakmp "$ike") || return 1
	tsp=$(swan_v1_ios_esp "$esp") || return 1
	case $l in 198.51.100.1) host=gwA ;; 198.51.100.2) host=gwB ;; esac
	if ! swan_v1_is_addr "$lid"; then
		[[ $lid =~ ^[A-Za-z0-9-]+$ ]] ||
			{ echo "swan_ios_v1: our identity '$lid' is not one label" >&2; return 1; }
		host=$lid
	fi
	if swan_v1_is_addr "$rid"; then
		peer_key="address $r"
	else
		peer_key="hostname $rid"
	fi
	printf '! written by tests/lib/swan.sh (swan_ios_v1): IKEv1 facing %s\n' "$r"
	printf 'hostname %s\n' "$host"
	printf 'crypto isakmp policy 10\n%s\n' "$policy"
	printf 'crypto isakmp key %s %s\n' "$SWAN_PSK" "$peer_key"
	swan_v1_is_addr "$lid" || printf 'crypto isakmp identity hostname\n'
	printf 'crypto ipsec transform-set T %s\n mode tunnel\n' "${tsp%|*}"
	printf 'access-list 101 permit ip %s %s\n' "$(swan_v1_ios_acl "$lts")" \
		"$(swan_v1_ios_acl "$rts")"
	if swan_v1_is_addr "$rid"; then
		printf 'crypto map %s 10 ipsec-isakmp\n set peer %s\n' "$map" "$r"
	else
		printf 'crypto dynamic-map DYN 10\n'
	fi
	printf ' set transform-set T\n match address 101\n'
	[ -n "${tsp#*|}" ] && printf ' set pfs %s\n' "${tsp#*|}"
	swan_v1_is_addr "$rid" || printf 'crypto map %s 10 ipsec-isakmp dynamic DYN\n' "$map"
	printf 'interface wan0\n ip address %s 255.255.255.0\n crypto map %s\n' "$l" "$map"
}

# The IKEv1 interop matrix, one row a combination: "NAME|IKE|ESP|MODE|INITIATOR_ID", in
# swan_conf_v1's words (INITIATOR_ID empty: the address).  Every cipher (DES, 3DES, AES-128,
# AES-256), hash (MD5, SHA-1, SHA-256) and group (1, 2, 14, 19) of phase 1 at least once, PFS
# on and off, and aggressive mode from a peer known by its FQDN.  swan_harness_v1.sh brings
# each up between two charons and checks that controld takes swan_ios_v1's text for it.
# shellcheck disable=SC2034 # read by the tests that source this file
SWAN_V1_MATRIX=(
	"main des-md5/g1 esp-des-md5|des-md5-modp768|des-md5|main|"
	"main 3des-sha1/g2 esp-3des-sha1 pfs2|3des-sha1-modp1024|3des-sha1-modp1024|main|"
	"main aes128-sha1/g14 esp-aes128-sha1 pfs14|aes128-sha1-modp2048|aes128-sha1-modp2048|main|"
	"main aes256-sha256/g19 esp-aes256-sha256|aes256-sha256-ecp256|aes256-sha256|main|"
	"main aes128-sha256/g14 esp-gcm128 pfs19|aes128-sha256-modp2048|aes128gcm16-ecp256|main|"
	"main 3des-md5/g2 esp-aes128-md5|3des-md5-modp1024|aes128-md5|main|"
	"main aes256-sha1/g1 esp-3des-sha1 pfs1|aes256-sha1-modp768|3des-sha1-modp768|main|"
	"main des-sha256/g19 esp-aes256-sha1 pfs14|des-sha256-ecp256|aes256-sha1-modp2048|main|"
	"main aes256-md5/g14 esp-des-sha256 pfs2|aes256-md5-modp2048|des-sha256-modp1024|main|"
	"aggr aes128-sha1/g14 esp-aes128-sha1 fqdn|aes128-sha1-modp2048|aes128-sha1|aggressive|$(
	)client.example.net"
)
