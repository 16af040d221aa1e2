#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# bench/run.sh: run a benchmark on one core, next to OpenSSL's own figures taken in the same run
# (the machine is noisy: compare only figures of one run, docs/bench.md).
#
#   bench/run.sh transforms [build dir]     ESP and AH encap/decap per transform vs openssl speed -evp
#   bench/run.sh tunnel [build dir]         end to end through the lab (bench/tunnel.sh): plain
#                                           forwarding, ours (raw sockets, AF_XDP, ESP in UDP),
#                                           strongSwan, and where the CPU goes; as root
#   bench/run.sh ike [build dir]            IKE tunnels set up per second (bench/ike.sh), IKEv2
#                                           and IKEv1, ours and strongSwan, sequential and
#                                           parallel; as root
#   bench/run.sh spd [build dir]            UDP 64-byte kpps and TCP Mbit/s with 0, 500, 2000,
#                                           10000 crypto map entries ahead of the one that
#                                           matches (bench/spd.sh); as root
#   bench/run.sh failover [build dir]       kill -9 of an inbound SA's owner under a ping flood:
#                                           the gaps (bench/failover.sh); as root
set -euo pipefail

what=${1:-}
src=$(cd "$(dirname "$0")/.." && pwd)
build=${2:-$src/build}
secs=${BENCH_SECONDS:-0.5}
core=${BENCH_CORE:-0}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pin() {
	if command -v taskset >/dev/null; then taskset -c "$core" "$@"; else "$@"; fi
}

# openssl speed -mr prints "+F:<n>:<NAME>:<bytes per second>" for -bytes <n>
ossl() {	# evp-name bytes [provider args]
	local evp=$1 n=$2 bps
	shift 2
	bps=$(pin openssl speed -mr -seconds 1 -bytes "$n" "$@" -evp "$evp" 2>/dev/null |
		awk -F: '/^\+F:/ { print $4 }' | tail -1)
	[ -n "$bps" ] && awk -v e="$evp" -v n="$n" -v b="$bps" \
		'BEGIN { if (b > 0) printf "%s %d %.1f\n", e, n, n / b * 1e9 }'
}

case "$what" in
transforms)
	bin=$build/bin/xform_bench
	[ -x "$bin" ] || { echo "no $bin: build the bench target first" >&2; exit 1; }
	for n in 64 512 1400; do
		for evp in aes-128-gcm aes-256-gcm chacha20-poly1305 aes-128-cbc aes-256-cbc \
		    sha1 sha256 md5 des-ede3-cbc; do
			ossl "$evp" "$n"
		done
		ossl des-cbc "$n" -provider legacy -provider default
	done >"$tmp/ref"
	echo "openssl $(openssl version | cut -d' ' -f2), core $core, $(nproc) cores," \
		"${secs}s per figure"
	pin "$bin" -t "$secs" -r "$tmp/ref"
	;;
tunnel)
	# Not exec: this shell's EXIT trap removes $tmp.  GW_BIN, when set, wins over the build dir.
	[ -n "${GW_BIN:-}" ] || [ -d "$build" ] || { echo "no build directory $build" >&2; exit 1; }
	GW_BIN=${GW_BIN:-$(cd "$build" && pwd)/bin} bash "$src/bench/tunnel.sh"
	;;
ike)
	# Without a build directory the strongSwan half still runs (ours says why it is n/a).
	if [ -z "${GW_BIN:-}" ] && [ -d "$build" ]; then GW_BIN=$(cd "$build" && pwd)/bin; fi
	GW_BIN=${GW_BIN:-$build/bin} bash "$src/bench/ike.sh"
	;;
spd)
	[ -n "${GW_BIN:-}" ] || [ -d "$build" ] || { echo "no build directory $build" >&2; exit 1; }
	GW_BIN=${GW_BIN:-$(cd "$build" && pwd)/bin} bash "$src/bench/spd.sh"
	;;
failover)
	[ -n "${GW_BIN:-}" ] || [ -d "$build" ] || { echo "no build directory $build" >&2; exit 1; }
	GW_BIN=${GW_BIN:-$(cd "$build" && pwd)/bin} bash "$src/bench/failover.sh"
	;;
*)
	echo "usage: $0 transforms|tunnel|ike|spd|failover [build dir]" >&2
	exit 2
	;;
esac
