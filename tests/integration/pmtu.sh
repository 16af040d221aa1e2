#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/pmtu.sh: packets that no longer fit once IPsec adds its bytes (the seed's
# "packet expansion"), the path MTU per SA (RFC 1191, RFC 4301 §8), through both daemons.
#
# gwA and gwB from deploy/examples (ESP AES-256-CBC + HMAC-SHA1-96, tunnel mode: 20 + 8 + 16
# + pad + 12 bytes, so a 1500-byte path leaves room for 1438-byte inner packets):
#   - an inner packet of exactly the room with DF set goes through; one byte more is answered
#     with ICMP fragmentation needed, mtu 1438, which hostA's own stack takes (ping says so)
#     and tshark reads off the wire; the SA counts it as too-big
#   - without DF it goes through, the ESP packet in fragments on the internet link; the outer
#     header copies DF and TOS from the inner one (RFC 4301 §8.1, RFC 6040)
#   - a router's ICMP frag-needed about gwA's ESP (scapy, from the internet segment) lowers
#     the SA's path MTU: show says 1300, the room becomes 1230 and DF packets on the wire
#     stay within 1300; a TCP transfer still goes through whole
#   - ICMP that is not about one of our SAs, reports a larger MTU, or says the quoted packet
#     fit is ignored and counted; an absurdly small MTU is raised to 576
#   - a learned MTU is forgotten after --pmtu-age
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/pmtu.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin pmtu
# show crypto ipsec sa in the IOS 11.3 layout here (crypto ipsec show-layout 11.3): this
# test reads its own lines (owner:, errors:, path/media mtu, esp-aes 256)
topo_up "gw$$" || t_abort "draw the topology"
AGE=20
GW_DATAD_ARGS="--pmtu-age $AGE" t_check "gwA: controld + datad --pmtu-age $AGE start" \
	gw_start gwA "$(conf_113 "$GW_SRC/deploy/examples/gwA.conf")" || t_abort gwA
t_check "gwB: controld + datad start" gw_start gwB \
	"$(conf_113 "$GW_SRC/deploy/examples/gwB.conf")" || t_abort gwB
t_check "tunnel up" wait_ping hostA 192.0.2.130 10

# path_mtu: the "path mtu N, media mtu M" line of gwA's SA, once a report has come in
path_line() { gwctl_in gwA "show crypto ipsec sa" | grep -m1 -o 'path mtu [0-9]*, media mtu [0-9]*'; }
path_is() { [ "$(path_line)" = "path mtu $1, media mtu 1500" ]; }
# ping_df SIZE: one ping of SIZE payload bytes (SIZE + 28 on the wire) with DF, route cache
# flushed first so that hostA asks the path again
ping_df() {
	nsx hostA ip route flush cache
	nsx hostA ping -n -c 1 -W 2 -M do -s "$1" 192.0.2.130
}
too_big() { gwctl_in gwA "show crypto ipsec sa detail" |
	awk '/outbound esp sas:/ { f = 1 } f && /errors:/ { print; exit }' |
	grep -oE 'too-big [0-9]+' | awk '{ print $2 }'; }
too_big_counted() { [ "$(too_big)" -ge 1 ] 2>/dev/null; }
icmp_from_eve() {
	nsx eve "$GW_PY" "$GW_SRC/tests/interop/icmp_too_big.py" --iface wan0 --to 198.51.100.1 \
		--src 198.51.100.1 --dst 198.51.100.2 "$@"
}

t_check "show: path mtu 1500, media mtu 1500 (the interface's)" t_poll 5 path_is 1500
CAP=$GW_RUN/hostA.pcap
cap_start hostA lan0 "$CAP" "icmp" || t_abort capture
t_check "DF, 1438 bytes (the room exactly): answered" ping_df 1410
t_check_not "DF, 1439 bytes: no answer" ping_df 1411
OUT=$(ping_df 1411 2>&1)
t_match "hostA's ping is told mtu 1438" "$OUT" 'mtu ?=? ?1438'
sleep 0.3
cap_stop "$CAP"
t_ge "ICMP frag-needed with Next-Hop MTU 1438 from gwA on hostA's wire (tshark)" \
	"$(cap_count "$CAP" 'icmp.type == 3 && icmp.code == 4 && icmp.mtu == 1438 && ip.src == 192.0.2.1')" 1
t_check "gwA counts it as too-big on the outbound SA" t_poll 5 too_big_counted

WAN=$GW_RUN/wan.pcap
# on the link, not on gwA's wan0: frames sent by AF_XDP (datad --io auto, ADR 0016) pass no
# capture on the sending interface
cap_start inet br0 "$WAN" "ip proto 50 or (ip[6:2] & 0x1fff != 0)" || t_abort capture
nsx hostA ip route flush cache		# else hostA cuts it to the 1438 it was told
t_check "no DF, 1500 bytes, TOS 0xb8: answered" \
	nsx hostA ping -n -c 3 -i 0.2 -W 2 -M dont -Q 0xb8 -s 1472 192.0.2.130
t_check "DF, small, TOS 0x48: answered" nsx hostA ping -n -c 3 -i 0.2 -W 2 -M do -Q 0x48 192.0.2.130
sleep 0.3
cap_stop "$WAN"
t_ge "the ESP packets left gwA in fragments (tshark)" \
	"$(cap_count "$WAN" 'ip.src == 198.51.100.1 && ip.flags.mf == 1')" 3
t_ge "their outer header has the inner TOS 0xb8, DF clear" \
	"$(cap_count "$WAN" 'ip.src == 198.51.100.1 && ip.proto == 50 && ip.dsfield == 0xb8 && ip.flags.df == 0')" 3
t_ge "DF and TOS 0x48 copied to the outer header (RFC 4301 §8.1, RFC 6040)" \
	"$(cap_count "$WAN" 'ip.src == 198.51.100.1 && ip.proto == 50 && ip.dsfield == 0x48 && ip.flags.df == 1')" 3

# a router on the path says 1300
t_check "eve (a router) sends ICMP frag-needed mtu 1300 about SPI 1000" \
	icmp_from_eve --spi 1000 --mtu 1300
t_check "show: path mtu 1300" t_poll 5 path_is 1300
t_check "DF, 1230 bytes (the new room): answered" ping_df 1202
OUT=$(ping_df 1203 2>&1; ping_df 1203 2>&1)
t_match "DF, 1231 bytes: hostA is told mtu 1230" "$OUT" 'mtu ?=? ?1230'
cap_start inet br0 "$WAN" "ip proto 50" || t_abort capture
IN=$GW_RUN/in.bin
head -c 4M /dev/urandom >"$IN"
t_check "a 4 MB TCP transfer hostA -> hostB" xfer hostA hostB 192.0.2.130 5001 "$IN" "$GW_RUN/out.bin"
cap_stop "$WAN"
t_eq "it arrived whole (sha256)" "$(sha256_of hostB "$GW_RUN/out.bin")" "$(sha256sum <"$IN" | awk '{ print $1 }')"
t_gt "ESP from gwA during the transfer" "$(cap_count "$WAN" 'ip.src == 198.51.100.1')" 100
t_eq "none of it longer than 1300 bytes" \
	"$(cap_count "$WAN" 'ip.src == 198.51.100.1 && ip.len > 1300')" 0

# what must not move it
t_check "ICMP about an SPI that is not ours (mtu 700)" icmp_from_eve --spi 4242 --mtu 700
t_check "ICMP about our SPI but another peer" \
	nsx eve "$GW_PY" "$GW_SRC/tests/interop/icmp_too_big.py" --iface wan0 --to 198.51.100.1 \
	--src 198.51.100.1 --dst 198.51.100.66 --spi 1000 --mtu 700
t_check "ICMP whose quoted packet fit the MTU it reports" \
	icmp_from_eve --spi 1000 --mtu 700 --quoted-len 600
t_check "ICMP with a larger MTU (1400)" icmp_from_eve --spi 1000 --mtu 1400
sleep 1.5
t_check "show: still path mtu 1300" path_is 1300
BAD=$(gwctl_in gwA "show workers" | grep -oE 'icmp-pmtu [0-9]+' | awk '{ print $2 }')
t_ge "the three forgeries counted as icmp-pmtu (show workers)" "${BAD:-0}" 3
t_check "ICMP with mtu 200" icmp_from_eve --spi 1000 --mtu 200
t_check "show: path mtu 576 (the floor)" t_poll 5 path_is 576
t_check "the tunnel works at 576" nsx hostA ping -n -c 2 -i 0.2 -W 2 192.0.2.130
t_check "the learned MTU ages out (--pmtu-age $AGE): path mtu 1500 again" t_poll $((AGE + 6)) path_is 1500
t_check "DF, 1438 bytes again: answered" ping_df 1410
t_check "gwA's datad is still running" kill -0 "${GW_PID[gwA/datad]}"
t_end
