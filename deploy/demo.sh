#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# deploy/demo.sh: see the gateway work, on a fresh Debian 12 machine, as root.
#
#   sudo bash deploy/demo.sh [--no-build] [--baseline-only]
#
# Installs what is missing, builds into build/, draws the lab of deploy/lab/topo.sh (network
# namespaces only, documentation addresses, nothing touches the host's network), measures hostA ->
# hostB without IPsec (plain forwarding), then starts controld + datad on gwA and gwB with
# deploy/examples/gw{A,B}-ikev2.conf: the first packet from hostA makes gwA negotiate the tunnel
# with gwB by IKEv2 with a pre-shared key.  It does the same measurements through the tunnel
# while capturing the internet link.  The capture outlives the lab
# (/tmp/ipsecgw-demo-DATE.pcap); the script prints how to open it decrypted in Wireshark/tshark
# (gwA logs the negotiated keys for that: `debug crypto ikev2 keys`, a lab-only switch), gwA's
# `show crypto ikev2 sa` and `show crypto ipsec sa`, and a summary.  Exits non-zero if anything
# failed.  The manually keyed example (deploy/examples/gw{A,B}.conf) runs with DEMO_MANUAL=1, the
# IKEv1 pair (deploy/examples/gw{A,B}-ikev1.conf: main mode, quick mode) with DEMO_IKEV1=1.
#
#   --no-build       skip dependencies and build, use the binaries in $GW_BIN (build/bin)
#   --baseline-only  stop after the measurement without IPsec (checks the lab itself)
#   GW_BIN=DIR       binaries to use (default build/bin); DEMO_CAP_PACKETS=N capture size (60000)
set -uo pipefail
GW_SRC=$(cd "$(dirname "$0")/.." && pwd)
export GW_SRC
source "$GW_SRC/deploy/lab/topo.sh"

NO_BUILD=0
BASELINE_ONLY=0
for a in "$@"; do
	case $a in
	--no-build) NO_BUILD=1 ;;
	--baseline-only) BASELINE_ONLY=1 ;;
	-h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) echo "demo: unknown option $a (try --help)" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "demo: run me as root (network namespaces)" >&2; exit 1; }

if [ "${DEMO_MANUAL:-0}" = 1 ]; then
	CONF_A=$GW_SRC/deploy/examples/gwA.conf
	CONF_B=$GW_SRC/deploy/examples/gwB.conf
	KEYING="manual keys; ESP AES-256-CBC + HMAC-SHA1-96"
elif [ "${DEMO_IKEV1:-0}" = 1 ]; then
	CONF_A=$GW_SRC/deploy/examples/gwA-ikev1.conf
	CONF_B=$GW_SRC/deploy/examples/gwB-ikev1.conf
	KEYING="IKEv1, pre-shared key; ESP AES-128-CBC + HMAC-SHA1-96"
else
	CONF_A=$GW_SRC/deploy/examples/gwA-ikev2.conf
	CONF_B=$GW_SRC/deploy/examples/gwB-ikev2.conf
	KEYING="IKEv2, pre-shared key; ESP AES-GCM-128"
fi
IKE_DEBUG="debug crypto ikev2 keys"
[ "${DEMO_IKEV1:-0}" = 1 ] && IKE_DEBUG="debug crypto isakmp keys"
HOST_B=192.0.2.130
STEPS=8
FAILED=0
declare -A R=([ping_clear]=- [ping_esp]=- [xfer_clear]=- [xfer_esp]=- [mbps_clear]=- [mbps_esp]=-)

step() { printf '\n[%s/%s] %s ...\n' "$1" "$STEPS" "$2"; }
ok() { printf '      ok: %s\n' "$*"; }
bad() { printf '      FAILED: %s\n' "$*"; FAILED=$((FAILED + 1)); }

# transfer LABEL: the 16 MB file hostA -> hostB with nc, sha256 compared at the far end.
transfer()
{
	local out=$GW_RUN/16m.$1 t0 secs
	t0=$(date +%s.%N)
	if ! xfer hostA hostB "$HOST_B" 5001 "$GW_RUN/16m" "$out"; then
		bad "16 MB transfer ($1)"; R[xfer_$1]=failed; return 1
	fi
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	if [ "$(sha256_of hostB "$out")" = "$SHA" ]; then
		ok "16 MB in ${secs} s, sha256 at hostB matches ($SHA)"
		R[xfer_$1]="ok (sha256 match, ${secs} s)"
	else
		bad "16 MB transfer ($1): sha256 at hostB differs"
		R[xfer_$1]="checksum MISMATCH"
	fi
	rm -f "$out"
}

# measure LABEL: iperf3 TCP for 5 s hostA -> hostB.
measure()
{
	local m
	if m=$(iperf_mbps hostA hostB "$HOST_B" 5 "$GW_RUN/iperf-$1.json"); then
		ok "iperf3 TCP 5 s: $m Mbit/s"; R[mbps_$1]=$m
	else
		bad "iperf3 ($1)"; R[mbps_$1]=failed
	fi
}

# ---------------------------------------------------------------- 1, 2: dependencies, build
if [ "$NO_BUILD" = 0 ]; then
	step 1 "installing dependencies (deploy/install-deps.sh)"
	bash "$GW_SRC/deploy/install-deps.sh" || { bad "installing dependencies"; exit 1; }
	step 2 "building into build/ (cmake, RelWithDebInfo)"
	if cmake -S "$GW_SRC" -B "$GW_SRC/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
	    cmake --build "$GW_SRC/build" -j2; then
		ok "binaries in $GW_BIN"
	else
		bad "build"; [ "$BASELINE_ONLY" = 1 ] || exit 1
	fi
else
	step 1 "dependencies: skipped (--no-build)"
	step 2 "build: skipped (--no-build), using $GW_BIN"
fi

# ---------------------------------------------------------------- 3: the lab
step 3 "drawing the topology (namespaces gw$$-*)"
topo_trap
topo_up "gw$$" || { bad "topology"; exit 1; }
ok "hostA 192.0.2.10 - gwA 198.51.100.1 == inet (br0, eve) == gwB 198.51.100.2 - hostB $HOST_B"
ok "work directory $GW_RUN"
head -c 16M /dev/urandom >"$GW_RUN/16m"
SHA=$(sha256sum "$GW_RUN/16m" | awk '{print $1}')

# ---------------------------------------------------------------- 4: baseline
step 4 "without IPsec: plain forwarding hostA -> hostB"
if nsx hostA ping -n -c3 -i0.2 -W2 "$HOST_B" >/dev/null; then ok "ping"; R[ping_clear]=ok
else bad "ping without IPsec"; R[ping_clear]=failed; fi
measure clear
transfer clear

if [ "$BASELINE_ONLY" = 1 ]; then
	printf '\nbaseline only: %s Mbit/s, transfer %s\n' "${R[mbps_clear]}" "${R[xfer_clear]}"
	[ "$FAILED" = 0 ] && echo "demo: baseline OK" || echo "demo: $FAILED step(s) FAILED"
	exit $((FAILED > 0))
fi

# ---------------------------------------------------------------- 5: the gateways
step 5 "starting controld + datad on gwA and gwB (${CONF_A##*/}, ${CONF_B##*/})"
for g in gwA:"$CONF_A" gwB:"$CONF_B"; do
	if gw_start "${g%%:*}" "${g#*:}"; then ok "${g%%:*}: logs in $(gw_dir "${g%%:*}")"
	else bad "${g%%:*} does not start"; exit 1; fi
done
# The keys of the SAs gwA negotiates go to its log, so that the capture can be decrypted below.
if [ "${DEMO_MANUAL:-0}" != 1 ]; then
	if gwctl_in gwA "$IKE_DEBUG" >/dev/null; then
		ok "gwA: $IKE_DEBUG (lab only: the log then holds the SAs' keys)"
	else bad "gwA: $IKE_DEBUG"; fi
fi

# ---------------------------------------------------------------- 6: through the tunnel
step 6 "with IPsec: ping, 16 MB transfer, iperf3, capturing the internet link"
WAN=$GW_RUN/wan.pcap
# Bounded: the iperf3 run alone could fill a disk; 60000 packets hold the ping, the transfer and
# the first part of iperf3.
cap_start inet br0 "$WAN" -c "${DEMO_CAP_PACKETS:-60000}" || bad "capture on br0"
if wait_ping hostA "$HOST_B" 10 && nsx hostA ping -n -c5 -i0.2 -W2 "$HOST_B" >/dev/null; then
	ok "ping through the tunnel"; R[ping_esp]=ok
else
	bad "ping through the tunnel"; R[ping_esp]=failed
fi
# Packet expansion (the seed): a full-size packet with DF no longer fits once ESP is added;
# gwA answers with the exact room (20 + 8 + 16 + pad + 12 bytes less than the 1500 path)
nsx hostA ip route flush cache
PM=$(nsx hostA ping -n -c2 -i0.2 -W2 -M do -s 1472 "$HOST_B" 2>&1)
MTU=$(grep -Eo 'mtu ?=? ?[0-9]+' <<<"$PM" | grep -Eo '[0-9]+$' | head -1)
if [ -n "$MTU" ] && nsx hostA ping -n -c1 -W2 -M do -s $((MTU - 28)) "$HOST_B" >/dev/null; then
	ok "1500 bytes with DF: gwA answers \"frag needed, mtu $MTU\"; $MTU bytes pass"
else
	bad "path MTU: 1500 bytes with DF not answered with frag-needed (${MTU:-no mtu})," \
		"or ${MTU:-?} bytes do not pass"
fi
transfer esp
measure esp
cap_stop "$WAN"
PCAP=/tmp/ipsecgw-demo-$(date +%Y%m%d-%H%M%S).pcap
cp "$WAN" "$PCAP" && ok "capture saved: $PCAP ($(du -h "$PCAP" | cut -f1), at most" \
	"${DEMO_CAP_PACKETS:-60000} packets: DEMO_CAP_PACKETS=N for more)"

# ---------------------------------------------------------------- 7: capture and counters
step 7 "what the internet saw, and gwA's SAs"
if [ "${DEMO_MANUAL:-0}" = 1 ]; then
	mapfile -t UAT < <(esp_tshark_opts "$CONF_A")
else	# the rows gwA logged for each child SA it negotiated (docs/gwctl.md, debug crypto ikev2)
	UAT=(-o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE)
	while IFS= read -r row; do UAT+=(-o "uat:esp_sa:$row"); done < <(
		sed -n 's/.*ikev2: keys: esp_sa //p' "$(gw_dir gwA)/controld.log" | sort -u)
fi
N_ESP=$(cap_count "$PCAP" esp)
N_CLEAR=$(cap_count "$PCAP" '!esp && ip.src==192.0.2.0/24 && ip.dst==192.0.2.0/24 && (icmp || tcp)')
# Only the first 5000 packets are dissected with the keys: enough, and quick.
# Negotiated SAs use extended sequence numbers (RFC 4303 §2.2.1): their high half is in the ICV
# but not on the wire, and tshark 4.0 has no way to be told it, so it decrypts them without
# checking the ICV (the receiving gateway checks every one; the interop tests check them with
# scapy).  Manual SAs have no ESN: there tshark checks the ICV too.
# IKEv1 SAs have no ESN: tshark checks their ICV as for manual ones.
if [ "${DEMO_MANUAL:-0}" = 1 ] || [ "${DEMO_IKEV1:-0}" = 1 ]; then
	DEC='esp.icv_good == 1 && '; DECW="decrypts and authenticates"
else DEC=""; DECW="decrypts (ESN: ICV not checkable by tshark 4.0)"; fi
N_DEC=$(tshark -n -r "$PCAP" -c 5000 "${UAT[@]}" --disable-protocol tcp --disable-protocol udp \
	--disable-protocol icmp -Y "esp && ${DEC}ip.src == 192.0.2.0/24" \
	-T fields -e frame.number 2>/dev/null | wc -l)
N_ESP5K=$(tshark -n -r "$PCAP" -c 5000 -Y esp -T fields -e frame.number 2>/dev/null | wc -l)
if [ "$N_ESP" -gt 0 ]; then ok "$N_ESP ESP packets on the internet link"
else bad "no ESP on the internet link"; fi
if [ "$N_CLEAR" = 0 ]; then ok "no cleartext ICMP/TCP between the sites"
else bad "$N_CLEAR cleartext ICMP/TCP packets between the sites on the internet link"; fi
if [ "$N_ESP5K" -gt 0 ] && [ "$N_DEC" = "$N_ESP5K" ]; then
	ok "tshark $DECW all $N_DEC ESP packets of the first 5000 frames"
else
	bad "tshark decrypted $N_DEC of $N_ESP5K ESP packets in the first 5000 frames"
fi

echo
echo "      Open the capture decrypted (Wireshark takes the same -o options):"
printf '        tshark -r %s' "$PCAP"
for o in "${UAT[@]}"; do
	if [ "$o" = -o ]; then printf ' \\\n          -o'; else printf " '%s'" "$o"; fi
done
printf '\n        wireshark -r %s -o ... (same options)\n' "$PCAP"
echo "      or in Wireshark: Edit > Preferences > Protocols > ESP: tick \"Attempt to detect/decode"
echo "      encrypted ESP payloads\" and add both SAs to \"ESP SAs\" with the values above."

if [ "${DEMO_IKEV1:-0}" = 1 ]; then
	echo
	echo "      gwA# show crypto isakmp sa"
	if SHOW=$(gwctl_in gwA "show crypto isakmp sa" 2>&1) && grep -q QM_IDLE <<<"$SHOW"; then
		printf '%s\n' "$SHOW" | sed 's/^/        /'
	else
		printf '%s\n' "$SHOW" | sed 's/^/        /'; bad "no ISAKMP SA in QM_IDLE on gwA"
	fi
elif [ "${DEMO_MANUAL:-0}" != 1 ]; then
	echo
	echo "      gwA# show crypto ikev2 sa"
	if SHOW=$(gwctl_in gwA "show crypto ikev2 sa" 2>&1) && grep -q READY <<<"$SHOW"; then
		printf '%s\n' "$SHOW" | sed 's/^/        /'
	else
		printf '%s\n' "$SHOW" | sed 's/^/        /'; bad "no IKEv2 SA READY on gwA"
	fi
fi
echo
echo "      gwA# show crypto ipsec sa"
if SHOW=$(gwctl_in gwA "show crypto ipsec sa" 2>&1); then
	printf '%s\n' "$SHOW" | sed 's/^/        /'
else
	printf '%s\n' "$SHOW" | sed 's/^/        /'; bad "gwctl show crypto ipsec sa"
fi

# ---------------------------------------------------------------- 8: summary
step 8 "summary and teardown"
for g in gwA gwB; do gw_stop "$g" || bad "$g did not exit cleanly on SIGTERM"; done
RATIO=$(awk -v a="${R[mbps_esp]}" -v b="${R[mbps_clear]}" \
	'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.1f %%", 100 * a / b; else print "-" }')
printf '\n      %-24s %-28s %s\n' "" "without IPsec" "with IPsec ($KEYING)"
printf '      %-24s %-28s %s\n' "ping hostA -> hostB" "${R[ping_clear]}" "${R[ping_esp]}"
printf '      %-24s %-28s %s\n' "16 MB over TCP (nc)" "${R[xfer_clear]}" "${R[xfer_esp]}"
printf '      %-24s %-28s %s\n' "iperf3 TCP, 5 s" "${R[mbps_clear]} Mbit/s" "${R[mbps_esp]} Mbit/s"
printf '      %-24s %-28s %s\n' "with / without" "" "$RATIO"
printf '      %-24s %-28s %s\n' "capture" "" "$PCAP"
echo
if [ "$FAILED" = 0 ]; then echo "demo: all OK"; else echo "demo: $FAILED check(s) FAILED"; fi
exit $((FAILED > 0))
