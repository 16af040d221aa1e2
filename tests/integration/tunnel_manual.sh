#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/tunnel_manual.sh: two gateways with the example manual-keyed ESP configs
# (deploy/examples/gwA.conf, gwB.conf) carry hostA <-> hostB traffic, and the internet sees only
# ESP for the permitted flow (docs/design.md invariant 5: permit = protect, deny = not protected).
#
#   1. plain forwarding works before the daemons start (the lab itself is sound)
#   2. gwA and gwB start; ping hostA -> hostB; 4 MB over TCP arrives with the same sha256
#   3. UDP to port 7 (denied by access-list 101) crosses in clear and reaches hostB
#   4. on br0 in "inet": hostA<->hostB ICMP/TCP only as ESP, SPI 1000 from gwA, 1001 from gwB,
#      no cleartext of the permitted flow
#   5. tshark with the configs' keys decrypts every ESP packet, ICV good, inner = hostA/hostB;
#      scapy (tests/interop/esp_decrypt.py) decrypts a few of each SPI independently
#   6. `show crypto ipsec sa` on gwA has non-zero #pkts encaps and #pkts decaps
#   7. the 4 MB crossed the TUNs as super-packets: gwA cut TCP ones, gwB wrote coalesced ones
#      (show workers, and gwB's datad's stop line)
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/tunnel_manual.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin tunnel_manual
CONF_A=$GW_SRC/deploy/examples/gwA.conf
CONF_B=$GW_SRC/deploy/examples/gwB.conf
HOST_B=192.0.2.130

topo_up "gw$$" || t_abort "draw the topology"
WAN=$GW_RUN/wan.pcap

# 1. The lab forwards in clear while no daemon runs: a failure below is then ours, not the lab's.
t_check "plain forwarding hostA -> hostB before the daemons" \
	nsx hostA ping -n -c1 -W2 "$HOST_B" || t_abort "lab does not forward"

# 2. Gateways up; everything from now on is captured on the internet link.
cap_start inet br0 "$WAN" || t_abort "capture on br0"
t_check "gwA: controld + datad start" gw_start gwA "$CONF_A" || t_abort "gwA start"
t_check "gwB: controld + datad start" gw_start gwB "$CONF_B" || t_abort "gwB start"
t_check "first ping hostA -> hostB through the tunnel (10 s)" wait_ping hostA "$HOST_B" 10
t_check "5 pings hostA -> hostB, all answered" \
	nsx hostA ping -n -c5 -i0.2 -W2 "$HOST_B"

head -c 4M /dev/urandom >"$GW_RUN/4m.in"
t_check "4 MB hostA -> hostB over TCP (nc)" \
	xfer hostA hostB "$HOST_B" 5001 "$GW_RUN/4m.in" "$GW_RUN/4m.out"
t_eq "4 MB arrives intact (sha256 at hostB)" \
	"$(sha256_of hostB "$GW_RUN/4m.out")" "$(sha256_of hostA "$GW_RUN/4m.in")"
# gwB's datad hands the TUN TCP super-packets (datad/gro.c) that the kernel forwards whole:
# hostB's TCP must find every checksum right
t_eq "hostB's TCP saw no bad checksum (coalesced super-packets)" \
	"$(nsx hostB nstat -az TcpInCsumErrors | awk '$1 == "TcpInCsumErrors" { print $2 }')" 0

# 3. The denied flow (access-list 101 deny udp ... eq 7) is forwarded, unprotected: three
# datagrams, counted on hostB's LAN.  Sent from an unconnected socket: nothing listens on hostB,
# and the port unreachable after the first would make a connected sender (nc -u) give up.
cap_start hostB lan0 "$GW_RUN/hostB-udp7.pcap" udp dst port 7 || t_abort "capture on hostB"
nsx hostA timeout 5 "$GW_PY" -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3):
    s.sendto(b"ipsecgw-deny-probe-%d" % i, (sys.argv[1], 7))
    time.sleep(0.1)' "$HOST_B"
cap_stop "$GW_RUN/hostB-udp7.pcap"
t_eq "denied UDP/7 datagrams reach hostB" \
	"$(cap_count "$GW_RUN/hostB-udp7.pcap" 'ip.src==192.0.2.10 && udp.dstport==7')" 3
cap_stop "$WAN"

# 4. What the internet saw (no keys): ESP only, with our SPIs, for the permitted flow.
N_ESP=$(cap_count "$WAN" esp)
t_gt "ESP packets on the internet link" "$N_ESP" 0
t_eq "SPIs on the wire" "$(tshark -n -r "$WAN" -Y esp -T fields -e esp.spi 2>/dev/null |
	sort -u | tr '\n' ' ')" "0x000003e8 0x000003e9 "
t_eq "gwA -> gwB ESP all with SPI 1000" \
	"$(cap_count "$WAN" 'esp && ip.src==198.51.100.1 && esp.spi != 1000')" 0
t_eq "gwB -> gwA ESP all with SPI 1001" \
	"$(cap_count "$WAN" 'esp && ip.src==198.51.100.2 && esp.spi != 1001')" 0
t_gt "ESP in both directions" "$(cap_count "$WAN" 'esp && ip.src==198.51.100.2')" 0
t_eq "no cleartext ICMP/TCP between 192.0.2.x hosts on the internet" \
	"$(cap_count "$WAN" \
		'!esp && ip.src==192.0.2.0/24 && ip.dst==192.0.2.0/24 && (icmp || tcp)')" 0
t_eq "no cleartext of the permitted flow at all (only UDP/7 is denied)" \
	"$(cap_count "$WAN" \
		'!esp && ip.src==192.0.2.0/24 && ip.dst==192.0.2.0/24 && !(udp.port==7)')" 0
t_gt "denied UDP/7 crossed the internet in clear" \
	"$(cap_count "$WAN" \
		'!esp && ip.src==192.0.2.10 && ip.dst==192.0.2.130 && udp.dstport==7')" 0

# 5a. tshark with the keys of the configs.  Upper layers are switched off so that no inner
# dissector can throw before the ICV verdict is added (tshark 4.0 then omits it).
mapfile -t UAT < <(esp_tshark_opts "$CONF_A")
tshark -n -r "$WAN" "${UAT[@]}" --disable-protocol tcp --disable-protocol udp \
	--disable-protocol icmp -Y esp -T fields -E separator=' ' -e esp.spi -e ip.src -e ip.dst \
	-e esp.icv_good -e esp.icv_bad 2>/dev/null >"$GW_RUN/decrypted.txt"
read -r DEC GOOD BAD AB BA OTHER < <(awk '
	{ split($2, s, ","); split($3, d, ",") }
	s[2] != "" { dec++ }
	$4 == 1 { good++ }  $5 == 1 { bad++ }
	s[2] == "192.0.2.10" && d[2] == "192.0.2.130" { ab++; next }
	s[2] == "192.0.2.130" && d[2] == "192.0.2.10" { ba++; next }
	{ other++ }
	END { print dec + 0, good + 0, bad + 0, ab + 0, ba + 0, other + 0 }' "$GW_RUN/decrypted.txt")
echo "# tshark: $N_ESP ESP, $DEC decrypted, ICV good $GOOD bad $BAD;" \
	"inner A->B $AB, B->A $BA, other $OTHER"
t_eq "tshark decrypts every ESP packet with the configured keys" "$DEC" "$N_ESP"
t_eq "tshark: every ICV good" "$GOOD" "$N_ESP"
t_eq "tshark: no bad ICV" "$BAD" 0
t_gt "decrypted hostA -> hostB packets" "$AB" 0
t_gt "decrypted hostB -> hostA packets" "$BA" 0
t_eq "decrypted packets that are not hostA <-> hostB" "$OTHER" 0

# 5b. scapy, independently: the first 20 packets of each SA.
while IFS='|' read -r _ spi src dst _ _ se sa ck ak; do
	t_check "scapy decrypts SPI $spi ($src -> $dst, $se/$sa)" \
		"$GW_PY" "$GW_SRC/tests/interop/esp_decrypt.py" "$WAN" --spi "$spi" \
		--crypt "$se" --crypt-key "$ck" --auth "$sa" --auth-key "$ak" --max 20 --quiet \
		--expect-src 192.0.2.0/24 --expect-dst 192.0.2.0/24
done < <(conf_esp_sas "$CONF_A")

# 6. Counters, as the operator sees them (datad reports them: allow a few seconds).
t_check "gwA: show crypto ipsec sa works" gwctl_in gwA "show crypto ipsec sa"
t_poll 5 gw_sa_counter_gt0 gwA encaps
t_gt "gwA: #pkts encaps" "$(gw_sa_counter gwA encaps)" 0
t_poll 5 gw_sa_counter_gt0 gwA decaps
t_gt "gwA: #pkts decaps" "$(gw_sa_counter gwA decaps)" 0
echo "# gwA: show crypto ipsec sa"
gwctl_in gwA "show crypto ipsec sa" 2>&1 | sed 's/^/#   /'

# 7. The 4 MB went through as super-packets: gwA's datad read TCP super-packets from its TUN
# and cut them, gwB's wrote coalesced ones (show workers, as the workers last reported; the
# stop line of gwB's datad says the same).
t_match "gwA cut TCP super-packets from its TUN (show workers: TUN in)" \
	"$(gwctl_in gwA "show workers")" 'TUN in: [0-9]+ reads, [1-9][0-9]* TCP super-packets cut'
t_match "gwB wrote coalesced super-packets to its TUN (show workers: TUN out)" \
	"$(gwctl_in gwB "show workers")" 'TUN out: [0-9]+ writes, [1-9][0-9]* coalesced'
t_check "gwB stops cleanly" gw_stop gwB
GRO=$(grep -Eo '[0-9]+ of them [0-9]+ segments coalesced' "$(gw_dir gwB)/datad.log" | tail -1)
t_gt "gwB's datad wrote TCP super-packets to the TUN ($GRO)" "$(awk '{ print $1 }' <<<"$GRO")" 0
t_end
