#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# capture_v1.sh: record IKEv1 exchanges (RFC 2409) between two strongSwan 5.9.8 instances as
# known-answer vectors for controld/ike/v1msg_test.c and v1kdf_test.c (the suite does not run
# this).  The invariant it keeps: a vector file is what went over the link and what the
# initiator's charon logged of that same run, nothing edited by hand.
#
#   controld/ike/testdata/capture_v1.sh [DIR]	(default: this folder)
#   ONLY=REGEX ...: only the runs whose KIND-NAME matches (e.g. ONLY=kdf-main)
#   KEEP=D ...: also keep each run's capture and charon logs under D/KIND-NAME
#
# Two kinds of runs, each written by extract_v1.py in its own format:
#   msg  DIR/v1/charon-v1-NAME.txt (v1msg_test; apart from the IKEv2 vectors interop_test reads)
#   kdf  DIR/v1kdf-charon-NAME.txt (v1kdf_test)
#
#   ns PREFIX-i  wan0 198.51.100.1/24, lo 192.0.2.1/32      (charon, initiator)
#   ns PREFIX-r  wan0 198.51.100.2/24, lo 192.0.2.129/32    (charon, responder)
#
# Each run: phase 1 (main mode, or aggressive mode with FQDN / user-FQDN identities) with a
# pre-shared key, quick mode (with PFS when the ESP proposal has a group), then
#   msg  a quick-mode rekey, and the initiator deletes the ISAKMP SA and its children (DPD on,
#        30 s: only its vendor ID shows)
#   kdf  the initiator deletes the child, then the ISAKMP SA
# (informational exchanges).  Captured on the link; charon logs at ike and chd level 4: g^xy,
# SKEYID, SKEYID_d/_a/_e, Ka, the initial IV, and each child SA's keys (its KEYMAT).
# Needs root and Debian's charon-systemd, strongswan-swanctl, libcharon-extra-plugins
# (kernel-libipsec), libstrongswan-extra-plugins, tcpdump.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
RUNS=(	# kind, name, mode, IKE proposal, ESP proposal, initiator id, responder id
	"msg main-aes128-sha1-modp2048 main aes128-sha1-modp2048 aes128-sha1 198.51.100.1 198.51.100.2"
	"msg main-3des-md5-modp1024 main 3des-md5-modp1024 3des-md5-modp1024 198.51.100.1 198.51.100.2"
	"msg main-aes256-sha256-ecp256 main aes256-sha256-ecp256 aes256-sha256-modp2048 198.51.100.1 198.51.100.2"
	"msg aggr-aes128-sha1-modp1536 aggressive aes128-sha1-modp1536 aes128-sha1 client.example.net gw.example.net"
	"msg aggr-aes192-sha384-modp2048 aggressive aes192-sha384-modp2048 aes256-sha256 road@example.net gw.example.net"
	"kdf main-aes128-sha1-modp2048 main aes128-sha1-modp2048 aes128-sha1-modp2048 198.51.100.1 198.51.100.2"
	"kdf main-3des-md5-modp1024 main 3des-md5-modp1024 3des-md5 198.51.100.1 198.51.100.2"
	"kdf main-aes256-sha1-ecp256 main aes256-sha1-ecp256 aes256-sha256-ecp256 198.51.100.1 198.51.100.2"
	"kdf aggr-aes192-sha512-modp1536 aggressive aes192-sha512-modp1536 aes128-sha1 client.example.net gw.example.net"
)
P=ikev1$$
WORK=$(mktemp -d)
PIDS=()

cleanup()
{
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	ip netns del "$P-i" 2>/dev/null || true
	ip netns del "$P-r" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

ip netns add "$P-i"
ip netns add "$P-r"
for s in i r; do
	ip netns exec "$P-$s" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$P-$s" link set lo up
done
ip -n "$P-i" link add wan0 type veth peer name wan0 netns "$P-r"
ip -n "$P-i" addr add 198.51.100.1/24 dev wan0
ip -n "$P-r" addr add 198.51.100.2/24 dev wan0
ip -n "$P-i" addr add 192.0.2.1/32 dev lo
ip -n "$P-r" addr add 192.0.2.129/32 dev lo
ip -n "$P-i" link set wan0 up
ip -n "$P-r" link set wan0 up

# conf SIDE LOCAL REMOTE LTS RTS LID RID: strongswan.conf and swanctl.conf of one instance
conf()
{
	local d=$WORK/$1 aggr=no dpd=
	[ "$MODE" = aggressive ] && aggr=yes
	[ "$KIND" = msg ] && dpd="dpd_delay = 30s"
	mkdir -p "$d"
	cat >"$d/strongswan.conf" <<EOC
charon-systemd {
	load = random nonce openssl aes des md5 sha1 sha2 hmac kdf kernel-libipsec kernel-netlink socket-default vici
}
charon {
	i_dont_care_about_security_and_use_aggressive_mode_psk = yes
	plugins { vici { socket = unix://$d/charon.vici } }
	filelog { f { path = $d/charon.log
		default = 1
		ike = 4
		chd = 4
		enc = 2
		flush_line = yes } }
	retransmit_tries = 2
}
EOC
	cat >"$d/swanctl.conf" <<EOC
connections { t {
	version = 1
	aggressive = $aggr
	local_addrs = $2
	remote_addrs = $3
	proposals = $IKE
	$dpd
	local { auth = psk
		id = $6 }
	remote { auth = psk
		id = $7 }
	children { t { local_ts = $4
		remote_ts = $5
		esp_proposals = $ESP
		start_action = none } } } }
secrets { ike-1 { id-a = $LID
	id-b = $RID
	secret = "a-test-secret" } }
EOC
}

# once KIND NAME MODE IKE ESP LID RID: one capture, one vector file
once()
{
	local file
	KIND=$1 NAME=$2 MODE=$3 IKE=$4 ESP=$5 LID=$6 RID=$7
	conf i 198.51.100.1 198.51.100.2 192.0.2.0/25 192.0.2.128/25 "$LID" "$RID"
	conf r 198.51.100.2 198.51.100.1 192.0.2.128/25 192.0.2.0/25 "$RID" "$LID"
	ip netns exec "$P-i" tcpdump -i wan0 --immediate-mode -s 0 -w "$WORK/cap.pcap" \
		'udp port 500 or udp port 4500' >"$WORK/tcpdump.log" 2>&1 &
	PIDS+=($!)
	for s in i r; do
		STRONGSWAN_CONF=$WORK/$s/strongswan.conf ip netns exec "$P-$s" /usr/sbin/charon-systemd \
			>"$WORK/$s/stdout.log" 2>&1 &
		PIDS+=($!)
	done
	vici() { swanctl "$2" --uri "unix://$WORK/$1/charon.vici" "${@:3}"; }
	for s in i r; do
		for _ in $(seq 100); do vici "$s" --stats >/dev/null 2>&1 && break; sleep 0.05; done
		vici "$s" --load-all --noprompt --file "$WORK/$s/swanctl.conf" >/dev/null 2>&1
	done
	sleep 0.5
	vici i --initiate --child t --timeout 10 >/dev/null
	sleep 0.3
	if [ "$KIND" = msg ]; then
		vici i --rekey --child t >/dev/null
		sleep 0.5
	else
		vici i --terminate --child t --timeout 5 >/dev/null || true
		sleep 0.3
	fi
	vici i --terminate --ike t --timeout 5 >/dev/null || true
	sleep 0.5
	kill "${PIDS[0]}"; wait "${PIDS[0]}" || true
	file=$OUT/v1/charon-v1-$NAME.txt
	[ "$KIND" = kdf ] && file=$OUT/v1kdf-charon-$NAME.txt
	/usr/bin/python3 "$HERE/extract_v1.py" --format "v1$KIND" "$WORK" "$MODE" "$IKE" "$ESP" \
		"$LID" "$RID" >"$file"
	echo "$file"
	for p in "${PIDS[@]:1}"; do kill "$p"; wait "$p" || true; done
	PIDS=()
	[ -z "${KEEP:-}" ] || cp -r "$WORK" "$KEEP/$KIND-$NAME"
	rm -rf "${WORK:?}"/*
}

mkdir -p "$OUT/v1"
for r in "${RUNS[@]}"; do
	read -r kind name _ <<<"$r"
	[[ $kind-$name =~ ${ONLY:-.} ]] || continue
	# shellcheck disable=SC2086
	once $r
done
