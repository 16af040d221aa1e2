#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# deploy/install-deps.sh: install what building, testing and the demo need on Debian 12.
#
# Idempotent: when every package is already installed it touches nothing (no apt-get update, no
# network).  Otherwise it runs `apt-get update` once and installs only the missing packages,
# non-interactively.  Needs root (or sudo) only when something is missing.
set -euo pipefail

PKGS=(
	build-essential cmake pkg-config		# toolchain
	libzmq3-dev libprotobuf-c-dev protobuf-c-compiler libssl-dev	# libraries of the daemons
	libedit-dev					# gwctl's line editing and history
	libxdp-dev libbpf-dev				# datad's AF_XDP receive (built with clang)
	liburing-dev					# datad's TUN read by io_uring
	clang libclang-rt-14-dev			# libFuzzer and sanitizer runtimes
	iproute2 nftables procps iputils-ping		# namespaces, routes, datad's nft table, sysctl, ping
	tcpdump tshark					# capture, dissection with keys
	python3-scapy python3-cryptography		# forged packets, ESP by hand (crypto is only
							# a Recommends of scapy)
	python3-textfsm					# show output held to screen-scrapers' templates
	iperf3 netcat-openbsd ethtool			# throughput, transfers, offloads
	systemd util-linux				# systemd-analyze, setpriv, unshare: the
							# units' sandbox and the TUN owner tests
	charon-systemd strongswan-swanctl		# strongSwan 5.9.8, the IKE peer of the
	libcharon-extra-plugins				# interop tests (tests/lib/swan.sh runs
	libstrongswan-standard-plugins			# it in namespaces, never as the host's
	libstrongswan-extra-plugins			# service) and the bench's baseline
)

say() { printf 'install-deps: %s\n' "$*"; }

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	say "all ${#PKGS[@]} packages already installed, nothing to do"
	exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { say "missing: ${missing[*]}; run me as root"; exit 1; }
	SUDO=(sudo)
fi

export DEBIAN_FRONTEND=noninteractive
# tshark pulls wireshark-common, which asks whether non-root users may capture: answer no.
say "preseeding wireshark-common/install-setuid=false"
echo 'wireshark-common wireshark-common/install-setuid boolean false' |
	"${SUDO[@]}" debconf-set-selections

say "missing: ${missing[*]}"
say "apt-get update"
"${SUDO[@]}" apt-get update -q
say "apt-get install ${missing[*]}"
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
# The tests run charon themselves, inside namespaces; the package also enables strongSwan as
# the host's service.  When we installed it just now, leave no IKE daemon on the host.
if [[ " ${missing[*]} " == *" charon-systemd "* ]] && command -v systemctl >/dev/null &&
    [ -d /run/systemd/system ]; then
	say "strongSwan was installed for the tests: disabling its host service (strongswan.service)"
	"${SUDO[@]}" systemctl disable --now strongswan.service >/dev/null 2>&1 || true
fi
say "done"
