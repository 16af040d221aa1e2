#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# v1kdf_capture.sh: record IKEv1 exchanges (RFC 2409) between two strongSwan 5.9.8 instances,
# with the initiator's logged keys, as known-answer vectors for
# v1kdf_test.c (the suite does not run this).
#
#   controld/ike/testdata/v1kdf_capture.sh [DIR]	(default: this folder)
#
#   ns PREFIX-i  wan0 198.51.100.1/24, lo 192.0.2.1/32      (charon, initiator)
#   ns PREFIX-r  wan0 198.51.100.2/24, lo 192.0.2.129/32    (charon, responder)
#
# Each run: phase 1 with a pre-shared key (main or aggressive mode), one quick mode (PFS when the
# ESP proposal has a group), then a delete of the child and of the ISAKMP SA (informational
# exchanges).  charon logs at ike and chd level 4: g^xy, SKEYID, SKEYID_d/_a/_e, Ka, and each
# child SA's keys (its KEYMAT).  v1kdf_extract.py turns capture and log into
# DIR/v1kdf-charon-NAME.txt.  Needs root and Debian's charon-systemd, strongswan-swanctl,
# libcharon-extra-plugins (kernel-libipsec), libstrongswan-extra-plugins, tcpdump.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
RUNS=(	# name, mode, IKE proposal, ESP proposal, initiator id, responder id
	"main-aes128-sha1-modp2048 main aes128-sha1-modp2048 aes128-sha1-modp2048 198.51.100.1 198.51.100.2"
	"main-3des-md5-modp1024 main 3des-md5-modp1024 3des-md5 198.51.100.1 198.51.100.2"
	"main-aes256-sha1-ecp256 main aes256-sha1-ecp256 aes256-sha256-ecp256 198.51.100.1 198.51.100.2"
	"aggr-aes192-sha512-modp1536 aggressive aes192-sha512-modp1536 aes128-sha1 client.example.net gw.example.net"
)
P=v1kdf$$
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

# conf SIDE LOCAL REMOTE LID RID LTS RTS: strongswan.conf and swanctl.conf of one instance
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
		chd = 4
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
	local { auth = psk
		id = $4 }
	remote { auth = psk
		id = $5 }
	children { t { local_ts = $6
		remote_ts = $7
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
	conf i 198.51.100.1 198.51.100.2 "$LID" "$RID" 192.0.2.0/25 192.0.2.128/25
	conf r 198.51.100.2 198.51.100.1 "$RID" "$LID" 192.0.2.128/25 192.0.2.0/25
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
	vici i --terminate --child t --timeout 5 >/dev/null || true
	sleep 0.3
	vici i --terminate --ike t --timeout 5 >/dev/null || true
	sleep 0.5
	kill "${PIDS[0]}"; wait "${PIDS[0]}" || true
	/usr/bin/python3 "$HERE/v1kdf_extract.py" "$WORK" "$MODE" "$IKE" "$ESP" "$LID" "$RID" \
		>"$OUT/v1kdf-charon-$NAME.txt"
	for p in "${PIDS[@]:1}"; do kill "$p"; wait "$p" || true; done
	PIDS=()
	[ -z "${KEEP:-}" ] || cp -r "$WORK" "$KEEP/$NAME"
	rm -rf "${WORK:?}"/*
}

for r in "${RUNS[@]}"; do
	# shellcheck disable=SC2086
	once $r
	echo "$OUT/v1kdf-charon-${r%% *}.txt"
done
