#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# charon_check.sh: our IKEv2 engine (charon_peer: the engine on UDP sockets) against strongSwan
# 5.9.8's charon, before controld carries the engine.  ctest controld/ike/charon_check.
#
#   charon_check.sh PATH/TO/ike_charon_peer
#
#   ns PREFIX-a  wan0 198.51.100.1/24                       charon_peer (ours)
#   ns PREFIX-b  wan0 198.51.100.2/24, lo 192.0.2.129/32    charon (kernel-libipsec: it fakes a
#                                                           NAT, so IKE floats to 4500)
#
# For each proposal pair, with charon initiating and with us initiating (acquire): the tunnel
# comes up and charon's child SA has our SPIs (its inbound is our outbound).  Then, on one
# pair in each role: charon rekeys the child (our outbound of it larval until charon deletes
# the old one), charon rekeys the IKE SA (the child stays), we restart (SIGHUP: save, a new
# engine and SAD, adopt) and charon sees nothing, we rekey the child (SIGUSR2), both ends rekey
# the IKE SA at once (SIGALRM, our datagrams held back so the requests cross: §2.8.2) and one
# IKE SA is left with the child, we rekey the child again, we clear (SIGUSR1) and charon has
# nothing left; a wrong pre-shared key installs nothing.
# Needs root, charon-systemd, swanctl, libcharon-extra-plugins (exit 77 without them).
set -uo pipefail
PEER=$(realpath "${1:?usage: charon_check.sh PATH/TO/ike_charon_peer}")
if [ "$(id -u)" != 0 ] || [ ! -x /usr/sbin/charon-systemd ] || ! command -v swanctl >/dev/null; then
	echo "SKIP: needs root and strongSwan (charon-systemd, swanctl)"
	exit 77
fi
P=ikc$$
W=$(mktemp -d)
PIDS=()
FAILED=0
PASSED=0

cleanup()
{
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$P-a" 2>/dev/null
	ip netns del "$P-b" 2>/dev/null
	rm -rf "$W"
}
trap cleanup EXIT

ip netns add "$P-a"
ip netns add "$P-b"
for s in a b; do	# no IPv6: no MOBIKE address updates in the middle
	ip netns exec "$P-$s" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$P-$s" link set lo up
done
ip -n "$P-a" link add wan0 type veth peer name wan0 netns "$P-b"
ip -n "$P-a" addr add 198.51.100.1/24 dev wan0
ip -n "$P-b" addr add 198.51.100.2/24 dev wan0
ip -n "$P-b" addr add 192.0.2.129/32 dev lo
ip -n "$P-a" link set wan0 up
ip -n "$P-b" link set wan0 up

check()		# check WHAT CONDITION-STATUS
{
	if [ "$2" = 0 ]; then
		PASSED=$((PASSED + 1))
	else
		FAILED=$((FAILED + 1))
		echo "FAIL: $1"
		[ -f "$W/run/peer.log" ] && sed 's/^/  ours: /' "$W/run/peer.log" | tail -20
		[ -f "$W/run/charon.log" ] && sed 's/^/  charon: /' "$W/run/charon.log" | tail -25
	fi
}

vici() { swanctl "$@" --uri "unix://$W/run/charon.vici"; }

# start IKE ESP: charon with that proposal pair (a fresh instance each run)
start()
{
	local d=$W/run
	rm -rf "$d"
	mkdir -p "$d"
	cat >"$d/strongswan.conf" <<EOC
charon-systemd {
	load = random nonce openssl aes sha1 sha2 hmac xcbc kdf gcm chapoly curve25519 kernel-libipsec kernel-netlink socket-default vici
}
charon {
	plugins { vici { socket = unix://$d/charon.vici } }
	filelog { f { path = $d/charon.log
		default = 1
		ike = 1
		flush_line = yes } }
}
EOC
	cat >"$d/swanctl.conf" <<EOC
connections { t {
	version = 2
	local_addrs = 198.51.100.2
	remote_addrs = 198.51.100.1
	proposals = $1
	local { auth = psk
		id = 198.51.100.2 }
	remote { auth = psk
		id = 198.51.100.1 }
	children { t { local_ts = 192.0.2.129/32
		remote_ts = 192.0.2.1/32
		esp_proposals = $2
		start_action = none } } } }
secrets { ike-1 { id-a = 198.51.100.1
	id-b = 198.51.100.2
	secret = "a-test-secret" } }
EOC
	STRONGSWAN_CONF=$d/strongswan.conf ip netns exec "$P-b" /usr/sbin/charon-systemd \
		>"$d/charon.out" 2>&1 &
	CHARON=$!
	PIDS+=("$CHARON")
	for _ in $(seq 100); do vici --stats >/dev/null 2>&1 && break; sleep 0.05; done
	vici --load-all --noprompt --file "$d/swanctl.conf" >/dev/null 2>&1
}

# ours ROLE PSK PFS: charon_peer in the other namespace
ours()
{
	ip netns exec "$P-a" "$PEER" "$1" "$2" "$3" >"$W/run/peer.log" 2>&1 &
	OURS=$!
	PIDS+=("$OURS")
	sleep 0.2
}

stop_all()
{
	kill "$OURS" "$CHARON" 2>/dev/null
	wait "$OURS" "$CHARON" 2>/dev/null
}

# Wait up to 5 s for the child SA and check its SPIs are the last ones we installed.
spis_match()
{
	local i in out
	for i in $(seq 50); do
		read -r in out < <(grep '^INSTALL' "$W/run/peer.log" | tail -1 | awk '{print $3, $5}')
		if [ -n "${in:-}" ] && vici --list-sas 2>/dev/null | grep -A3 'INSTALLED' |
			grep -q "in  $out" && vici --list-sas 2>/dev/null | grep -q "out $in"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

pfs_of()	# the DH group number of an ESP proposal's group, 0 without
{
	case "$1" in
	*-modp2048) echo 14;; *-ecp256) echo 19;; *-ecp384) echo 20;; *-ecp521) echo 21;;
	*-curve25519|*-x25519) echo 31;; *) echo 0;;
	esac
}

COMBOS=(
	"aes128-sha256-modp2048 aes128gcm16"
	"aes256gcm16-prfsha384-ecp384 aes256gcm16-ecp384"
	"chacha20poly1305-prfsha512-curve25519 chacha20poly1305"
	"3des-sha1-modp2048 3des-sha1"
	"aes128-sha256-ecp256 aes128-sha256-ecp256"
	"aes256-sha512-x25519 aes256-sha512-curve25519"
	"aes256-sha384-ecp521 aes128gcm16-modp2048"
	"aes128gcm16-prfsha256-ecp256 aes256gcm16"
)
for role in resp init; do
	for c in "${COMBOS[@]}"; do
		set -- $c
		start "$1" "$2"
		ours "$role" a-test-secret "$(pfs_of "$2")"
		[ "$role" = resp ] && vici --initiate --child t --timeout 10 >/dev/null 2>&1
		spis_match
		check "$role $1 / $2: child SA with our SPIs" $?
		echo "$role  $1 / $2: $(vici --list-sas 2>/dev/null | grep -m1 -o 'ESP:[^ ]*')"
		stop_all
	done
done

for role in resp init; do
	start aes128-sha256-modp2048 aes128gcm16-ecp256
	ours "$role" a-test-secret 19
	[ "$role" = resp ] && vici --initiate --child t --timeout 10 >/dev/null 2>&1
	spis_match
	check "$role: up" $?
	vici --rekey --child t >/dev/null 2>&1
	sleep 0.5
	spis_match && [ "$(grep -c '^REMOVE' "$W/run/peer.log")" = 2 ] &&
		grep -q '^ACTIVATE' "$W/run/peer.log"
	check "$role: charon's child rekey: new SPIs ours, old pair removed, ours activated" $?
	vici --rekey --ike t >/dev/null 2>&1
	sleep 0.5
	vici --list-sas | grep -q 't: #2, ESTABLISHED' && spis_match
	check "$role: charon's IKE SA rekey: new IKE SA, child kept" $?
	before=$(vici --list-sas 2>/dev/null | grep -E '^t: |INSTALLED|in  |out ')
	kill -HUP "$OURS"
	sleep 0.3
	grep -q '^RESTART 2$' "$W/run/peer.log" &&
		[ "$(vici --list-sas 2>/dev/null | grep -E '^t: |INSTALLED|in  |out ')" = "$before" ]
	check "$role: our restart: the child SA pair adopted, charon's SAs unchanged" $?
	kill -USR2 "$OURS"
	sleep 0.5
	spis_match && [ "$(grep -c '^REMOVE' "$W/run/peer.log")" = 4 ] &&
		vici --list-sas | grep -q 't: #2, ESTABLISHED'
	check "$role: our child rekey (PFS group 19) after the restart: charon has our SPIs" $?
	# both ends rekey the IKE SA at once (§2.8.2): ours holds what it sends 300 ms, charon's
	# request comes meanwhile, so the two cross on both ends; one IKE SA is left, the child
	# on it (our next child rekey goes over it and charon takes it).  The delete of the
	# redundant SA may reach charon before charon has that SA listed: then it is the
	# retransmission, 2 s later, that removes it.
	kill -ALRM "$OURS"
	sleep 0.05
	vici --rekey --ike t >/dev/null 2>&1
	sleep 0.5
	for _ in $(seq 80); do
		grep -q 'IKE_REKEY collision with IKE_REKEY' "$W/run/charon.log" &&
			[ "$(vici --list-sas 2>/dev/null | grep -c '^t: #')" = 1 ] && break
		sleep 0.1
	done
	[ "$(vici --list-sas 2>/dev/null | grep -c '^t: #')" = 1 ] &&
		vici --list-sas | grep -q '^t: #.*ESTABLISHED' &&
		grep -q 'IKE_REKEY collision with IKE_REKEY' "$W/run/charon.log" && spis_match
	check "$role: IKE SA rekeyed by both ends at once: one IKE SA left with the child" $?
	kill -USR2 "$OURS"
	sleep 0.5
	spis_match && [ "$(grep -c '^REMOVE' "$W/run/peer.log")" = 6 ] &&
		[ "$(vici --list-sas 2>/dev/null | grep -c '^t: #')" = 1 ]
	check "$role: our child rekey over the surviving IKE SA" $?
	kill -USR1 "$OURS"
	sleep 0.5
	[ -z "$(vici --list-sas 2>/dev/null)" ] && [ "$(grep -c '^REMOVE' "$W/run/peer.log")" = 8 ]
	check "$role: our clear crypto ikev2 sa: charon has nothing left" $?
	stop_all
done

for role in resp init; do
	start aes128-sha256-modp2048 aes128gcm16
	ours "$role" not-the-secret 0
	[ "$role" = resp ] && vici --initiate --child t --timeout 5 >/dev/null 2>&1
	sleep 1
	! grep -q '^INSTALL' "$W/run/peer.log" && [ -z "$(vici --list-sas 2>/dev/null)" ]
	check "$role: wrong pre-shared key: nothing installed either side" $?
	stop_all
done

echo "charon_check: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
