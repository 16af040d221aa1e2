#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/ikev2_swan_nat.sh: strongSwan behind a NAT that maps its UDP 4500 to
# another port; our ESP in UDP goes to the mapped port (the IKE SA's, not 4500), and when the
# NAT's mapping moves we follow at strongSwan's next authenticated IKE message (RFC 7296
# §2.23): a liveness check, then a child rekey.
#
#   hostA -- gwA [charon ssA | NAT: 198.51.100.1:4500 <-> :PORT] ==== inet ==== gwB [ours] -- hostB
#
# The NAT is a stateless nftables rewrite in gwA's own namespace (output: source port 4500 ->
# PORT; prerouting: destination port PORT -> 4500; no conntrack), so a "new mapping" is one
# atomic ruleset swap, and packets to the old port are lost as behind a NAT that forgot it.
# Our ESP in UDP has no UDP checksum (0, RFC 3948 §2.1 allows it): nft's "udp dport set" will
# not fix a checksum that is not there and leaves such a packet alone, so the port of those is
# rewritten as raw bytes (a real NAT does the same).
#
#   1. NAT 4500 <-> 40000; strongSwan initiates: gwB's IKE SA is to 198.51.100.1/40000; pings
#      both ways; gwB's ESP leaves to UDP 40000, none to 4500; strongSwan's comes from 40000
#   2. the mapping moves to 40001 (strongSwan's DPD every 3 s): gwB follows, the same child SA
#      (same SPIs) now to 40001; pings both ways; gwB's ESP to 40001 only
#   3. the mapping moves to 40002 and strongSwan rekeys the child: gwB follows (the new child
#      to 40002); pings; ESP to 40002 only; gwB counted two moves
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/ikev2_swan_nat.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"
SW_DPD=3
source "$GW_SRC/tests/lib/ikev2.sh"

command -v nft >/dev/null || { echo "SKIP: ikev2_swan_nat: no nft" >&2; exit 77; }
ik_begin ikev2_swan_nat

# nat_map PORT: gwA's NAT now maps its UDP 4500 (to gwB) to PORT, and nothing else.
nat_map()
{
	nsx gwA nft -f - <<EOF
table ip swnat
delete table ip swnat
table ip swnat {
	chain out {
		type filter hook output priority -300; policy accept;
		ip saddr 198.51.100.1 ip daddr 198.51.100.2 udp sport 4500 notrack udp sport set $1
	}
	chain in {
		type filter hook prerouting priority -300; policy accept;
		ip saddr 198.51.100.2 ip daddr 198.51.100.1 udp dport $1 udp checksum 0 \
			notrack @th,16,16 set 4500
		ip saddr 198.51.100.2 ip daddr 198.51.100.1 udp dport $1 notrack udp dport set 4500
	}
}
EOF
}

# remote_port: the remote port of gwB's IKE SA (show crypto ikev2 sa).
remote_port()
{
	gwctl_in gwB "show crypto ikev2 sa" | awk '$2 ~ /^198\.51\.100\.2\// {
		split($3, a, "/"); print a[2]; exit }'
}

# pings_to PORT WHAT: pings both ways under a capture of the internet link; gwB's ESP in UDP
# goes to PORT and nowhere else, strongSwan's comes from PORT.
pings_to()
{
	local port=$1 cap=$GW_RUN/wan-$1.pcap
	cap_start inet br0 "$cap" "udp" || t_abort capture
	t_check "$2: hostA pings hostB (5), all answered" \
		nsx hostA ping -n -c 5 -i 0.1 -W 2 192.0.2.130
	t_check "$2: hostB pings hostA (5), all answered" \
		nsx hostB ping -n -c 5 -i 0.1 -W 2 192.0.2.10
	cap_stop "$cap"
	t_ge "$2: gwB's ESP in UDP goes to the mapped port $port" "$(cap_count "$cap" \
		"esp && ip.src == 198.51.100.2 && udp.srcport == 4500 && udp.dstport == $port")" 10
	t_eq "$2: none of it to another port" "$(cap_count "$cap" \
		"esp && ip.src == 198.51.100.2 && udp.dstport != $port")" 0
	t_ge "$2: strongSwan's ESP comes from $port" "$(cap_count "$cap" \
		"esp && ip.src == 198.51.100.1 && udp.srcport == $port && udp.dstport == 4500")" 10
}

ik_ours_conf >"$GW_RUN/gwB.conf"
t_check "gwB starts with an IKEv2 crypto map entry" gw_start gwB "$GW_RUN/gwB.conf" ||
	t_abort gwB
ik_swan_conf >"$(swan_dir ssA)/swanctl.conf"
t_check "charon ssA starts in gwA" swan_start ssA gwA || t_abort ssA
t_check "ssA loads its connection" swan_load ssA

# 1
t_check "gwA's NAT maps 4500 to 40000" nat_map 40000
t_check "ssA initiates child t" swan_initiate ssA t
sa_a=$(swan_sas ssA)
printf '# ssA: %s\n' "${sa_a//$'\n'/$'\n# ssA: '}"
t_match "ssA: the IKE SA ESTABLISHED on UDP 4500 (it does not see its own NAT)" "$sa_a" \
	'^ike t [0-9]+ ESTABLISHED 2 198\.51\.100\.1:4500 198\.51\.100\.2:4500 '
t_eq "gwB: the IKE SA to the mapped port" "$(remote_port)" 40000
t_check "the same IKE SPIs and child SPIs on both ends" ik_ours_spi_match gwB ssA
pings_to 40000 "mapped"
esp_in=$(ik_ours_esp gwB inbound)
esp_out=$(ik_ours_esp gwB outbound)

# 2
t_check "gwA's NAT forgets 40000, maps 4500 to 40001" nat_map 40001
t_check "gwB follows at strongSwan's next liveness check" t_poll 20 eval \
	'[ "$(remote_port)" = 40001 ]'
t_eq "gwB: the same child SA (inbound SPI)" "$(ik_ours_esp gwB inbound)" "$esp_in"
t_eq "gwB: the same child SA (outbound SPI)" "$(ik_ours_esp gwB outbound)" "$esp_out"
pings_to 40001 "moved once"
t_match "gwB logged the move" "$(cat "$(gw_dir gwB)/controld.log")" \
	'now to UDP port 40001 \(was 40000\)'

# 3
t_check "gwA's NAT maps 4500 to 40002" nat_map 40002
t_check "ssA rekeys child t" swan_ctl ssA --rekey --child t
t_check "gwB follows at the rekey" t_poll 10 eval '[ "$(remote_port)" = 40002 ]'
t_check "the rekeyed child on both ends" t_poll 10 ik_ours_spi_match gwB ssA
pings_to 40002 "moved twice"
t_eq "gwB counted two moves" "$(ik_ours_ctr gwB "peers followed to a new NAT mapping")" 2

t_check "ssA stops on SIGTERM" swan_stop ssA
t_end
