#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/esp_attacks.sh: ESP from the internet is untrusted input.  An attacker on
# the internet segment (eve) who knows gwA's outbound keys (to prove its forger right) sends gwB
# valid, bit-flipped, truncated, wrong-SPI, garbage and out-of-flow ESP packets:
#
#   - the valid ones reach hostB (the forger builds real ESP, checked independently by scapy)
#   - each bad kind is dropped and counted under its own reason in show crypto ipsec sa detail:
#     icv, runt, selector on the SA; unknown SPIs in the drops outside SAs
#   - datad survives it all and the tunnel keeps working
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/esp_attacks.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin esp_attacks
# show crypto ipsec sa in the IOS 11.3 layout here (crypto ipsec show-layout 11.3): this
# test reads its own lines (owner:, errors:, path/media mtu, esp-aes 256)
topo_up "gw$$" || t_abort "draw the topology"
t_check "gwA: controld + datad start" gw_start gwA \
	"$(conf_113 "$GW_SRC/deploy/examples/gwA.conf")" || t_abort gwA
t_check "gwB: controld + datad start" gw_start gwB \
	"$(conf_113 "$GW_SRC/deploy/examples/gwB.conf")" || t_abort gwB
t_check "tunnel up" wait_ping hostA 192.0.2.130 10

N=5
forge() {
	nsx eve "$GW_PY" "$GW_SRC/tests/interop/forge_esp.py" --iface wan0 --src 198.51.100.1 \
		--dst 198.51.100.2 --spi 1000 --crypt AES-CBC \
		--crypt-key a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0 \
		--auth HMAC-SHA1-96 --auth-key c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4 \
		--inner-src 192.0.2.10 --inner-dst 192.0.2.130 --count "$N" --kinds "$1"
}
CAP=$GW_RUN/hostB.pcap
cap_start hostB lan0 "$CAP" "icmp and icmp[4:2] == 0xf0f0" || t_abort capture
t_check "eve sends valid forged ESP" forge valid
t_check "eve sends broken ESP" forge flipped,truncated,wrong-spi,garbage,outside
sleep 0.5
cap_stop "$CAP"
t_eq "the valid forged packets reach hostB (the forger is right)" \
	"$(cap_count "$CAP" 'icmp.type == 8 && ip.src == 192.0.2.10')" "$N"
t_eq "no broken or out-of-flow packet reaches hostB" \
	"$(cap_count "$CAP" 'icmp.type == 8 && ip.src != 192.0.2.10')" 0

sleep 1.5	# one report interval
SHOW=$(gwctl_in gwB "show crypto ipsec sa detail")
ERRS=$(awk '/inbound esp sas:/ { f = 1 } f && /errors:/ { print; exit }' <<<"$SHOW")
echo "# gwB inbound SA:$ERRS"
count() { grep -oE "(^|[ ,])$1 [0-9]+" <<<"$ERRS" | awk '{ print $NF }'; }
t_eq "bit-flipped: counted as icv" "$(count icv)" "$N"
t_eq "truncated: counted as runt" "$(count runt)" "$N"
t_eq "inner packet outside the SA's flow: counted as selector" "$(count selector)" "$N"
UNK=$(awk -F': ' '/unknown SPI/ { print $2 }' <<<"$SHOW")
t_ge "wrong SPI and garbage: counted as unknown SPI" "$UNK" "$N"
t_check "gwB's datad is still running" kill -0 "${GW_PID[gwB/datad]}"
t_check "the tunnel still works" nsx hostA ping -n -c 3 -i 0.1 -W 2 192.0.2.130
t_end
