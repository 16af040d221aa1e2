#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/spd.sh: does the crypto map lookup slow down with the size of the map?
# (`bench/run.sh spd [build dir]`, issue 13 "Cost that does not grow with the configuration").
#
# In the lab of deploy/lab/topo.sh, hostA -> hostB through gwA and gwB (our controld + datad, a
# manual esp-gcm 128 tunnel as bench/tunnel.sh's), with N ipsec-isakmp entries AHEAD of the
# manual entry that matches, on both gateways: entry i (1..N) has its own one-line named list,
#   ip access-list extended SPDi / permit ip 10.(64+i/256).(i%256).0/24 10.(128+i/256).(i%256).0/24
# (mirrored on gwB), which the benchmark's traffic never matches, so the plain walk passes all N
# for every packet, and neither IKE nor an SA is needed for them.  For each N (default 0, 500,
# 2000, 10000): UDP at full speed (-b 0) with 64-byte IP packets (kpps the receiver got) and
# one TCP stream (Mbit/s), medians of BENCH_RUNS; and how long the gateways took to load
# the map (controld's compile, datad's tables, routes and nftables) until both route the
# protected site into their TUN and hostA's ping passes.
#
# Prints the table, saves it as bench/out/spd-DATE.txt, and prints last
#   spd 10000/0: X.XX     (UDP 64-byte kpps with 10000 entries ahead / with none; goal >= 0.90)
#
# Environment:
#   GW_BIN=DIR            controld and datad (default: build/bin; bench/run.sh passes its build dir)
#   BENCH_RUNS=3          runs per N (the median is reported)
#   BENCH_SECONDS=3       seconds per iperf3 test
#   BENCH_SPD_N="0 500 2000 10000"   the entry counts
#   BENCH_OUT=DIR         where the table is saved (default bench/out)
#   GW_KEEP=1             keep the work directory (configs, logs, iperf3 JSON)
set -uo pipefail
GW_SRC=$(cd "$(dirname "$0")/.." && pwd)
export GW_SRC
GW_BIN=${GW_BIN:-$GW_SRC/build/bin}
source "$GW_SRC/deploy/lab/topo.sh"
source "$GW_SRC/bench/common.sh"

RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_SECONDS:-3}
NS=${BENCH_SPD_N:-0 500 2000 10000}
OUTDIR=${BENCH_OUT:-$GW_SRC/bench/out}
HOST_B=192.0.2.130
PORT=5201
LOAD_MAX=300		# seconds a gateway may take to load its map

say() { printf '%s\n' "$*" >&2; }
die() { say "bench spd: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run me as root (network namespaces)"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $SECS =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer (iperf3 -t)"
for n in $NS; do
	if ! [[ $n =~ ^[0-9]+$ ]] || [ "$n" -gt 60000 ]; then
		die "BENCH_SPD_N: '$n' is not a count of entries (0..60000)"
	fi
done
for c in iperf3 ip nft "$GW_PY"; do
	command -v "$c" >/dev/null || die "$c not found (deploy/install-deps.sh installs it)"
done
for b in controld datad; do
	[ -x "$GW_BIN/$b" ] || die "$GW_BIN/$b not found: build first (cmake) or set GW_BIN"
done

topo_trap
PREFIX="gw$$"
GW_RUN=$(mktemp -d "/tmp/ipsecgw-bench.XXXXXX") || die "mktemp"
TOPO_MADE_RUN=1
SRV_PID=

# spd_conf SIDE N: gwSIDE's configuration, N isakmp entries ahead of the manual one (fixed
# lab-only keys: the figures do not depend on them).
spd_conf()
{
	local side=$1 n=$2 me peer src dst
	if [ "$side" = A ]; then
		me=198.51.100.1 peer=198.51.100.2
		src="192.0.2.0 0.0.0.127" dst="192.0.2.128 0.0.0.127"
	else
		me=198.51.100.2 peer=198.51.100.1
		src="192.0.2.128 0.0.0.127" dst="192.0.2.0 0.0.0.127"
	fi
	echo "! bench/spd.sh: gw$side, $n entries ahead; lab-only keys"
	echo "hostname gw$side"
	echo "crypto ipsec transform-set BENCH esp-gcm 128"
	echo " mode tunnel"
	awk -v n="$n" -v side="$side" 'BEGIN { for (i = 1; i <= n; i++) {
		a = sprintf("10.%d.%d.0 0.0.0.255", 64 + int(i / 256), i % 256)
		b = sprintf("10.%d.%d.0 0.0.0.255", 128 + int(i / 256), i % 256)
		printf "ip access-list extended SPD%d\n permit ip %s %s\n", i,
		    side == "A" ? a : b, side == "A" ? b : a } }'
	echo "access-list 101 permit ip $src $dst"
	awk -v n="$n" -v peer="$peer" 'BEGIN { for (i = 1; i <= n; i++)
		printf "crypto map vpn %d ipsec-isakmp\n match address SPD%d\n set peer %s\n" \
		    " set transform-set BENCH\n", i, i, peer }'
	local ka=000102030405060708090a0b0c0d0e0f10111213 kb=101112131415161718191a1b1c1d1e1f20212223
	[ "$side" = B ] && { local t=$ka; ka=$kb; kb=$t; }
	cat <<-CONF
	crypto map vpn $((n + 1)) ipsec-manual
	 match address 101
	 set peer $peer
	 set transform-set BENCH
	 set session-key inbound esp $([ "$side" = A ] && echo 1001 || echo 1000) cipher $kb
	 set session-key outbound esp $([ "$side" = A ] && echo 1000 || echo 1001) cipher $ka
	interface wan0
	 ip address $me 255.255.255.0
	 crypto map vpn
	CONF
}

# gw_up NAME CONF: controld and datad as topo.sh's gw_start, but with LOAD_MAX seconds to load
# a large map (gw_start allows 5).
gw_up()
{
	local n=$1 conf=$2 d i
	d=$(gw_dir "$n")
	mkdir -p "$d/state"
	nsx_bg "$n" "$d/controld.log" "$GW_BIN/controld" -f "$conf" -l "$(gw_link_ep "$n")" \
		-s "$(gw_cli_ep "$n")" -S "$d/state"
	GW_PID[$n/controld]=$LAST_PID
	for ((i = 0; i < LOAD_MAX * 20; i++)); do
		kill -0 "${GW_PID[$n/controld]}" 2>/dev/null || { _gw_died "$n" controld; return 1; }
		[ -S "$d/cli.sock" ] && [ -S "$d/link.sock" ] && break
		sleep 0.05
	done
	nsx_bg "$n" "$d/datad.log" "$GW_BIN/datad" -c "$(gw_link_ep "$n")" -t "$GW_TUN"
	GW_PID[$n/datad]=$LAST_PID
}

# gw_loaded NAME DST: wait (LOAD_MAX) until NAME's datad routes DST into its TUN (the route of
# the last entry: the lab forwards in clear before that, so a ping proves nothing).
gw_loaded()
{
	local i
	for ((i = 0; i < LOAD_MAX * 10; i++)); do
		kill -0 "${GW_PID[$1/datad]}" 2>/dev/null || { _gw_died "$1" datad; return 1; }
		nsx "$1" ip route show table "$GW_TABLE" dev "$GW_TUN" 2>/dev/null | grep -q "^$2 " &&
			return 0
		sleep 0.1
	done
	return 1
}

# iperf TEST JSON: prints kpps received (udp64) or Mbit/s (tcp1).
iperf()
{
	local t=$1 json=$2 args=(-c "$HOST_B" -p "$PORT" -t "$SECS" -J)
	[ "$t" = udp64 ] && args+=(-u -b 0 -l 36)
	if ! nsx hostA timeout $((SECS + 30)) iperf3 "${args[@]}" >"$json" 2>"$json.err"; then
		say "    iperf3 $t failed: $(grep -o '"error":.*' "$json" | head -1)"
		[ -n "$SRV_PID" ] && pid_stop "$SRV_PID" TERM 2 >/dev/null 2>&1
		nsx_bg hostB "$GW_RUN/iperf3-server.log" iperf3 -s -B "$HOST_B" -p "$PORT"
		SRV_PID=$LAST_PID
		wait_listen hostB "$PORT" tcp
		return 1
	fi
	"$GW_PY" - "$json" "$t" <<-'PY'
	import json, sys
	j = json.load(open(sys.argv[1])); r = j["end"]["sum_received"]
	if sys.argv[2] == "tcp1":
	    print("%.0f" % (r["bits_per_second"] / 1e6))
	else:
	    secs = r["seconds"] or j["end"]["sum_sent"]["seconds"]
	    print("%.1f" % ((r["packets"] - r["lost_packets"]) / secs / 1e3))
	PY
}

declare -A V=() LOAD=() NOTE=()
T_START=$SECONDS
for n in $NS; do
	say "spd: N=$n: setting up (t+$((SECONDS - T_START)) s) ..."
	topo_up "$PREFIX" || { NOTE[$n]="topology failed"; continue; }
	spd_conf A "$n" >"$GW_RUN/gwA-$n.conf"
	spd_conf B "$n" >"$GW_RUN/gwB-$n.conf"
	t0=$(date +%s.%N)
	if ! gw_up gwA "$GW_RUN/gwA-$n.conf" || ! gw_up gwB "$GW_RUN/gwB-$n.conf"; then
		NOTE[$n]="a gateway did not start"
	elif ! gw_loaded gwA 192.0.2.128/25 || ! gw_loaded gwB 192.0.2.0/25 ||
	    ! wait_ping hostA "$HOST_B" 10; then
		NOTE[$n]="not loaded, or no ping hostA -> hostB, within $LOAD_MAX s"
	else
		LOAD[$n]=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
		say "spd: N=$n: both gateways loaded in ${LOAD[$n]} s"
		nsx_bg hostB "$GW_RUN/iperf3-server.log" iperf3 -s -B "$HOST_B" -p "$PORT"
		SRV_PID=$LAST_PID
		wait_listen hostB "$PORT" tcp
		for ((r = 1; r <= RUNS; r++)); do
			line=
			for t in udp64 tcp1; do
				if v=$(iperf "$t" "$GW_RUN/$n-$t-$r.json"); then
					V[$n/$t/$r]=$v; line+=" $t $v"
				else
					line+=" $t failed"
				fi
			done
			say "spd: N=$n run $r/$RUNS:$line"
		done
		[ -n "$SRV_PID" ] && pid_stop "$SRV_PID" TERM 2 >/dev/null 2>&1
		SRV_PID=
	fi
	gw_stop gwA >/dev/null 2>&1; gw_stop gwB >/dev/null 2>&1
	topo_down
done
ELAPSED=$((SECONDS - T_START))

med()
{
	local r vals=()
	for ((r = 1; r <= RUNS; r++)); do
		[ -n "${V[$1/$2/$r]:-}" ] && vals+=("${V[$1/$2/$r]}")
	done
	[ ${#vals[@]} -gt 0 ] || return 0
	printf '%s\n' "${vals[@]}" | sort -g | awk '{ v[NR] = $1 }
		END { x = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf (x >= 100 ? "%.0f\n" : "%.1f\n"), x }'
}
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
	if (a != "" && b != "" && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }

first=${NS%% *}
last=${NS##* }
mkdir -p "$OUTDIR"
OUT=$OUTDIR/spd-$(date +%Y%m%d-%H%M%S).txt
{
	echo "bench/run.sh spd, $(date '+%F %T'), $(nproc) cores, kernel $(uname -r);" \
		"our binaries: $GW_BIN"
	echo "N ipsec-isakmp entries (one-line named lists, never matched) ahead of the manual"
	echo "esp-gcm 128 entry that matches, on both gateways; medians of $RUNS runs of ${SECS} s;"
	echo "UDP -b 0 with 64-byte IP packets (kpps received), TCP 1 stream; total ${ELAPSED} s"
	echo
	fmt='%8s %10s %8s %10s %8s %10s\n'
	# shellcheck disable=SC2059
	printf "$fmt" "N ahead" "UDP64 kpps" "vs N=$first" "TCP Mbit/s" "vs N=$first" "load s"
	for n in $NS; do
		u=$(med "$n" udp64); t=$(med "$n" tcp1)
		# shellcheck disable=SC2059
		printf "$fmt" "$n" "${u:-n/a}" "$(ratio "$u" "$(med "$first" udp64)")" "${t:-n/a}" \
			"$(ratio "$t" "$(med "$first" tcp1)")" "${LOAD[$n]:--}"
	done
	echo
	echo "load s: from starting both gateways' daemons until both route the far site into"
	echo "  their TUN and hostA's ping passes (controld compiling the map, datad building its"
	echo "  tables, routes and nftables filter)."
	for n in $NS; do [ -n "${NOTE[$n]:-}" ] && echo "not measured: N=$n: ${NOTE[$n]}"; done
	echo
	echo "spd $last/$first: $(ratio "$(med "$last" udp64)" "$(med "$first" udp64)")"
} | tee "$OUT"
say "bench spd: table saved to $OUT"
[ "${GW_KEEP:-0}" = 1 ] && say "bench spd: work directory kept: $GW_RUN"
exit 0
