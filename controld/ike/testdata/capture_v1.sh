#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# capture_v1.sh: record IKEv1 exchanges (RFC 2409) between two strongSwan 5.9.8 instances as
# known-answer vectors for controld/ike/v1msg_test.c (the suite does not run this).
#
#   controld/ike/testdata/capture_v1.sh [DIR]	(default: v1/ of this folder, apart from the
#						IKEv2 vectors that interop_test reads)
#   KEEP=D ...: also keep each run's capture and charon logs under D/NAME
#
#   ns PREFIX-i  wan0 198.51.100.1/24, lo 192.0.2.1/32      (charon, initiator)
#   ns PREFIX-r  wan0 198.51.100.2/24, lo 192.0.2.129/32    (charon, responder)
#
# Each run below: phase 1 (main mode, or aggressive mode with FQDN / user-FQDN identities) with
# a pre-shared key, quick mode (with PFS when the ESP proposal has a group), a quick-mode rekey,
# then the initiator deletes everything (informational exchanges).  Captured on the link;
# charon logs at ike level 4.  extract_v1.py turns capture and log into DIR/charon-v1-NAME.txt.
# Needs root and Debian's charon-systemd, strongswan-swanctl, libcharon-extra-plugins,
# libstrongswan-extra-plugins, tcpdump.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE/v1}
RUNS=(	# name, mode, IKE proposal, ESP proposal, initiator id, responder id
	"main-aes128-sha1-modp2048 main aes128-sha1-modp2048 aes128-sha1 198.51.100.1 198.51.100.2"
	"main-3des-md5-modp1024 main 3des-md5-modp1024 3des-md5-modp1024 198.51.100.1 198.51.100.2"
	"main-aes256-sha256-ecp256 main aes256-sha256-ecp256 aes256-sha256-modp2048 198.51.100.1 198.51.100.2"
	"aggr-aes128-sha1-modp1536 aggressive aes128-sha1-modp1536 aes128-sha1 client.example.net gw.example.net"
	"aggr-aes192-sha384-modp2048 aggressive aes192-sha384-modp2048 aes256-sha256 road@example.net gw.example.net"
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
done
ip -n "$P-i" link set lo up
ip -n "$P-r" link set lo up
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
	local d=$WORK/$1 aggr=no
	[ "$MODE" = aggressive ] && aggr=yes
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
	dpd_delay = 30s
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

# once NAME MODE IKE ESP LID RID: one capture, one vector file
once()
{
	NAME=$1 MODE=$2 IKE=$3 ESP=$4 LID=$5 RID=$6
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
	vici i --rekey --child t >/dev/null
	sleep 0.5
	vici i --terminate --ike t --timeout 5 >/dev/null || true
	sleep 0.5
	kill "${PIDS[0]}"; wait "${PIDS[0]}" || true
	/usr/bin/python3 "$HERE/extract_v1.py" "$WORK" "$MODE" "$IKE" "$ESP" "$LID" "$RID" \
		>"$OUT/charon-v1-$NAME.txt"
	for p in "${PIDS[@]:1}"; do kill "$p"; wait "$p" || true; done
	PIDS=()
	[ -z "${KEEP:-}" ] || cp -r "$WORK" "$KEEP/$NAME"
	rm -rf "${WORK:?}"/*
}

for r in "${RUNS[@]}"; do
	# shellcheck disable=SC2086
	once $r
	echo "$OUT/charon-v1-${r%% *}.txt"
done
