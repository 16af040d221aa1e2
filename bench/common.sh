#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/common.sh: what the benchmarks that measure strongSwan beside us share (bench/ike.sh,
# bench/tunnel.sh; sourced, after deploy/lab/topo.sh): strongSwan's Debian packages, installed
# only when missing (apt-get update only when an install fails without it, as
# deploy/install-deps.sh does), and the machine's busy clock ticks.  Needs say() and GW_RUN.

SS_PKGS=(charon-systemd strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins
	libstrongswan-extra-plugins)
SS_WHY=

ss_pkgs_missing()
{
	local p
	for p in "${SS_PKGS[@]}"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
			printf '%s ' "$p"
	done
}

# ss_install WHO: the missing packages installed (WHO names the benchmark in the progress
# line); 1 with SS_WHY set when they are missing and cannot be (or BENCH_INSTALL=0).
ss_install()
{
	local missing
	missing=$(ss_pkgs_missing); missing=${missing% }
	[ -z "$missing" ] && return 0
	if [ "${BENCH_INSTALL:-1}" = 0 ]; then
		SS_WHY="not installed ($missing) and BENCH_INSTALL=0"; return 1
	fi
	say "$1: installing strongSwan: $missing (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086 # a list of package names
	if ! apt-get install -y -q --no-install-recommends $missing >"$GW_RUN/apt.log" 2>&1; then
		apt-get update -q >>"$GW_RUN/apt.log" 2>&1
		# shellcheck disable=SC2086
		apt-get install -y -q --no-install-recommends $missing >>"$GW_RUN/apt.log" 2>&1
	fi
	missing=$(ss_pkgs_missing); missing=${missing% }
	if [ -n "$missing" ]; then
		SS_WHY="could not install $missing: $(tail -n 1 "$GW_RUN/apt.log")"; return 1
	fi
	return 0
}

# busy_ticks: "BUSY TOTAL" clock ticks of all cores since boot (/proc/stat; idle and iowait are
# not busy, steal is: on a VM it is time the cores were not ours).
busy_ticks() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i
	print t - $5 - $6, t; exit }' /proc/stat; }
