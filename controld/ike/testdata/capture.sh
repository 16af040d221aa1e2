#!/usr/bin/env bash
# capture.sh: record IKEv2 exchanges between two strongSwan 5.9.8 instances, with their keys, as
# known-answer vectors for controld/ike (interop_test.c reads them; the suite does not run this).
#
#   controld/ike/testdata/capture.sh [DIR]	(default: this folder)
#
#   ns PREFIX-i  wan0 198.51.100.1/24, lo 192.0.2.1/32      (charon, initiator)
#   ns PREFIX-r  wan0 198.51.100.2/24, lo 192.0.2.129/32    (charon, responder)
#
# For each proposal pair below: IKE_SA_INIT + IKE_AUTH (PSK), a child SA rekey (with PFS when the
# ESP proposal has a group), an IKE SA rekey, captured on the link; charon logs at ike and chd
# level 4 (DH secrets, SKEYSEED, SK_*, child keys).  extract.py turns capture and log into
# DIR/charon-IKE.txt.  Needs root and Debian's charon-systemd, strongswan-swanctl,
# libcharon-extra-plugins, libstrongswan-extra-plugins, tcpdump.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$HERE}
COMBOS=(	# IKE proposal, ESP proposal: groups 2 5 14 15 16 19 20 21 31 all appear
	"aes128-sha256-modp2048 aes128gcm16-ecp256"
	"aes256gcm16-prfsha384-ecp384 aes256gcm16-modp3072"
	"chacha20poly1305-prfsha512-curve25519 chacha20poly1305-curve25519"
	"aes192-sha1-prfaesxcbc-modp1024 aes128-sha256-modp1536"
	"aes256-sha512-ecp521 aes256-sha384-modp4096"
	"3des-sha384-modp1536 aes256-sha512"
)
P=ike$$
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
for s in i r; do	# no IPv6: no MOBIKE address updates in the middle
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

# conf SIDE LOCAL REMOTE LTS RTS: strongswan.conf and swanctl.conf of one instance
conf()
{
	local d=$WORK/$1
	mkdir -p "$d"
	cat >"$d/strongswan.conf" <<EOC
charon-systemd {
	load = random nonce openssl aes sha1 sha2 hmac xcbc kdf gcm chapoly curve25519 kernel-libipsec kernel-netlink socket-default vici
}
charon {
	plugins { vici { socket = unix://$d/charon.vici } }
	filelog { f { path = $d/charon.log
		default = 1
		ike = 4
		chd = 4
		enc = 1
		flush_line = yes } }
	retransmit_tries = 2
}
EOC
	cat >"$d/swanctl.conf" <<EOC
connections { t {
	version = 2
	local_addrs = $2
	remote_addrs = $3
	proposals = $IKE
	local { auth = psk
		id = $2 }
	remote { auth = psk
		id = $3 }
	children { t { local_ts = $4
		remote_ts = $5
		esp_proposals = $ESP
		start_action = none } } } }
secrets { ike-1 { id-a = 198.51.100.1
	id-b = 198.51.100.2
	secret = "a-test-secret" } }
EOC
}

# once IKE ESP: one capture, one vector file
once()
{
	IKE=$1 ESP=$2
	conf i 198.51.100.1 198.51.100.2 192.0.2.1/32 192.0.2.129/32
	conf r 198.51.100.2 198.51.100.1 192.0.2.129/32 192.0.2.1/32
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
	vici i --initiate --child t --timeout 10
	sleep 0.3
	vici i --rekey --child t >/dev/null
	sleep 0.5
	vici i --rekey --ike t >/dev/null
	sleep 0.5
	vici i --list-sas >/dev/null
	kill "${PIDS[0]}"; wait "${PIDS[0]}" || true
	/usr/bin/python3 "$HERE/extract.py" "$WORK" "$IKE" "$ESP" >"$OUT/charon-$IKE.txt"
	for p in "${PIDS[@]:1}"; do kill "$p"; wait "$p" || true; done
	PIDS=()
	rm -rf "${WORK:?}"/*
}

for c in "${COMBOS[@]}"; do
	once $c
	echo "$OUT/charon-${c%% *}.txt"
done
