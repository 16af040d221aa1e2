#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/uso_send.sh: UDP super-packets through the sending gateway, end to end
# (docs/adr/0017-udp-offload-tun.md).  Senders with UDP_SEGMENT (tests/integration/udp_seg.py:
# gso_size 1000, 20 datagrams a send, the last 600 bytes) send to hostB through the tunnel of
# the example configs; gwA's kernel hands datad each send whole through the TUN (TUN_F_USO4)
# and datad cuts it into its datagrams (datad/uso.c).  Two rounds, one per sender:
#
#   gwA itself, bound to its LAN address 192.0.2.1.  Unbound, the kernel takes 198.51.100.1
#      (wan0: the TUN has no address) for the route through the TUN (table 220): a source
#      outside 192.0.2.0/25 that access-list 101 does not permit.  Bound, it matches.
#   hostA (192.0.2.10), forwarded by gwA.  This works too: veth has tx-udp-segmentation, so the
#      send crosses hostA's veth as one skb; gwA forwards a GSO skb whole (each of its
#      datagrams fits the TUN's MTU) and the TUN, advertising USO, takes it whole.  (Plain
#      UDP from hostA is not merged on the way: gwA's veth has GRO off; ADR 0017.)
#
# For each round:
#   - show workers on gwA: UDP super-packets read from the TUN went up by the sends, their
#     datagrams by every datagram (the point of the test: with no super-packet from the TUN,
#     e.g. TUN_F_USO4 not advertised, it fails)
#   - hostB gets every datagram, once, with its length and content (each numbered, its length
#     and a pattern in its payload)
#   - gwB wrote every datagram to its TUN (show workers: writes less the coalesced, plus the
#     datagrams in those)
# and then, on the internet link, each datagram left gwA as its own ESP packet (tshark with the
# configs' keys finds exactly one datagram of 1000 or 600 bytes in each of 1200 ESP packets),
# and gwB decapsulated them all (show crypto ipsec sa).
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/uso_send.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin uso_send
CONF_A=$GW_SRC/deploy/examples/gwA.conf
CONF_B=$GW_SRC/deploy/examples/gwB.conf
HOST_B=192.0.2.130
PORT=9100
SENDS=30
SEGS=20
N=$((SENDS * SEGS))
SEG=$GW_SRC/tests/integration/udp_seg.py

topo_up "gw$$" || t_abort "draw the topology"
WAN=$GW_RUN/wan.pcap

# One number of `show workers` on NAME summed over its workers: the Kth (default first) number
# in each match of the extended REGEX, e.g. "[0-9]+ UDP into [0-9]+ datagrams".
workers_sum()
{
	gwctl_in "$1" "show workers" 2>/dev/null | grep -oE "$2" |
		awk -v k="${3:-1}" '{ n = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+$/ &&
			++n == k) s += $i } END { print s + 0 }'
}
uso_in() { workers_sum gwA '[0-9]+ UDP into [0-9]+ datagrams' "$1"; }
# the datagrams gwB wrote to its TUN: writes - coalesced + their segments (as gro_fuzz counts)
b_written()
{
	gwctl_in gwB "show workers" 2>/dev/null |
		grep -oE 'TUN out: [0-9]+ writes, [0-9]+ coalesced of [0-9]+' |
		awk '{ w += $3; c += $5; s += $8 } END { print w - c + s }'
}
uso_ge() { [ "$(uso_in 2)" -ge "$1" ]; }
b_written_ge() { [ "$(b_written)" -ge "$1" ]; }

t_check "gwA: controld + datad start" gw_start gwA "$CONF_A" || t_abort "gwA start"
t_check "gwB: controld + datad start" gw_start gwB "$CONF_B" || t_abort "gwB start"
t_check "first ping hostA -> hostB through the tunnel (10 s)" wait_ping hostA "$HOST_B" 10
t_check "ping from gwA's LAN address 192.0.2.1 -> hostB through the tunnel" \
	nsx gwA ping -n -c1 -W2 -I 192.0.2.1 "$HOST_B"
t_match "gwA's TUN hands over UDP super-packets (show workers)" \
	"$(gwctl_in gwA "show workers")" '\(USO on\)'
echo "# gwA: $(nsx gwA ip -4 route get "$HOST_B" 2>&1 | head -n 1) (unbound)"
echo "# gwA: $(nsx gwA ip -4 route get "$HOST_B" from 192.0.2.1 2>&1 | head -n 1)"
cap_start inet br0 "$WAN" esp || t_abort "capture on br0"

# 1-3, 5: one round per sender; PORT tells their datagrams apart on the wire.
R=0
for who in gwA:192.0.2.1 hostA:192.0.2.10; do
	SRC=${who%%:*} SRC_IP=${who#*:} P=$((PORT + R)) R=$((R + 1))
	sleep 1.2		# the reports (every second) carry what came before
	USO0=$(uso_in 1) DG0=$(uso_in 2) B0=$(b_written)
	nsx_bg hostB "$GW_RUN/recv-$SRC.log" "$GW_PY" "$SEG" recv "$HOST_B" "$P" "$N" 3
	RPID=$LAST_PID
	wait_listen hostB "$P" udp || t_abort "receiver on hostB"
	t_check "$SRC ($SRC_IP): $SENDS UDP_SEGMENT sends of $SEGS datagrams (1000 B, last 600)" \
		nsx "$SRC" timeout 10 "$GW_PY" "$SEG" send "$SRC_IP" "$HOST_B" "$P" "$SENDS" \
		"$SEGS" 1000 600
	# it ends by itself once every datagram came, or after 3 s without one
	for ((i = 0; i < 100; i++)); do kill -0 "$RPID" 2>/dev/null || break; sleep 0.1; done
	pid_stop "$RPID" TERM 1 >/dev/null 2>&1
	RRC=$?
	t_eq "$SRC sends: hostB got every datagram once, with its length and content ($(cat \
		"$GW_RUN/recv-$SRC.log"))" "$RRC" 0
	t_poll 4 uso_ge $((DG0 + N))
	t_eq "$SRC sends: gwA read UDP super-packets from its TUN, one a send (show workers)" \
		"$(($(uso_in 1) - USO0))" "$SENDS"
	t_eq "$SRC sends: gwA cut them into the datagrams" "$(($(uso_in 2) - DG0))" "$N"
	t_poll 4 b_written_ge $((B0 + N))
	t_ge "$SRC sends: gwB wrote every datagram to its TUN (show workers: TUN out)" \
		"$(($(b_written) - B0))" "$N"
done
cap_stop "$WAN"

# 4. each datagram its own ESP packet on the internet link
mapfile -t UAT < <(esp_tshark_opts "$CONF_A")
tshark -n -r "$WAN" "${UAT[@]}" -Y "esp.spi == 1000" -T fields -E separator=' ' \
	-e udp.dstport -e udp.length 2>/dev/null >"$GW_RUN/esp.txt"
read -r N_ESP N_IN ODD < <(awk -v p="$PORT" '
	{ n++ }
	$1 == p || $1 == p + 1 { k++; if ($2 != 1008 && $2 != 608) odd++ }
	END { print n + 0, k + 0, odd + 0 }' "$GW_RUN/esp.txt")
echo "# wire: $N_ESP ESP packets with SPI 1000, $N_IN with one of the datagrams inside"
t_ge "ESP packets from gwA on the internet link, one per datagram at least" "$N_ESP" $((2 * N))
t_eq "ESP packets carrying one of the datagrams (tshark, with the keys)" "$N_IN" $((2 * N))
t_eq "of them, any but one UDP datagram of 1000 or 600 bytes" "$ODD" 0
t_ge "gwB: #pkts decaps" "$(gw_sa_counter gwB decaps)" $((2 * N))
gwctl_in gwA "show workers" | sed -n '/^Worker/,/^$/p' | sed 's/^/# gwA: /'
gwctl_in gwB "show workers" | sed -n '/^Worker/,/^$/p' | sed 's/^/# gwB: /'

t_end
