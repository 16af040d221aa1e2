#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/swan_harness.sh: the strongSwan harness of the interop tests
# (tests/lib/swan.sh) checked on its own, with strongSwan on both gateways of the lab and none
# of ours: the baseline an IKE interop test or the setup-rate bench starts from.
#
#   hostA -- gwA [charon ssA] ==== inet ==== gwB [charon ssB] -- hostB
#
#   1. two charons start at once, each in its namespace with its own directory (no socket, pid
#      file or log of the host's), and load their connections
#   2. ssA initiates: IKE_SA_INIT, IKE_AUTH (IKEv2, PSK) --> ; both list one ESTABLISHED IKE SA
#      and one INSTALLED child SA, the same IKE SPIs, each one's inbound SPI the other's
#      outbound, over UDP 4500 (kernel-libipsec always encapsulates)
#   3. hostA pings hostB through the tunnel; the internet link carries ESP in UDP only
#   4. ssA deletes the IKE SA: ssB has none left; both stop on SIGTERM, by PID
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/swan_harness.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"

require_root
swan_require || { echo "SKIP: swan_harness: no strongSwan" >&2; exit 77; }
t_begin swan_harness
topo_up "gw$$" || t_abort "draw the topology"

PSK=$(head -c 18 /dev/urandom | base64)
# swan_conf LOCAL REMOTE LOCAL_TS REMOTE_TS: one gateway's side of connection t
swan_conf()
{
	cat <<EOF
connections { t {
	version = 2
	local_addrs = $1
	remote_addrs = $2
	proposals = aes128-sha256-x25519
	local { auth = psk
		id = $1 }
	remote { auth = psk
		 id = $2 }
	children { t { local_ts = $3
		       remote_ts = $4
		       esp_proposals = aes128gcm16
		       start_action = none } } } }
secrets { ike-t { id-a = $1
		  id-b = $2
		  secret = "$PSK" } }
EOF
}
swan_conf 198.51.100.1 198.51.100.2 192.0.2.0/25 192.0.2.128/25 >"$(swan_dir ssA)/swanctl.conf"
swan_conf 198.51.100.2 198.51.100.1 192.0.2.128/25 192.0.2.0/25 >"$(swan_dir ssB)/swanctl.conf"
host_vici_before=$(ls /var/run/charon.vici /run/charon.vici 2>/dev/null)

# 1
t_check "charon ssA starts in gwA" swan_start ssA gwA || t_abort "ssA"
t_check "charon ssB starts in gwB, at the same time" swan_start ssB gwB || t_abort "ssB"
t_check "each has its own vici socket in its directory" \
	test -S "$GW_RUN/swan-ssA/charon.vici" -a -S "$GW_RUN/swan-ssB/charon.vici"
t_eq "nothing at the host's default vici path" \
	"$(ls /var/run/charon.vici /run/charon.vici 2>/dev/null)" "$host_vici_before"
t_check "ssA loads its connection" swan_load ssA
t_check "ssB loads its connection" swan_load ssB
t_match "ssB says what it loaded" "$(cat "$GW_RUN/swan-ssB/swanctl.log")" \
	"loaded connection 't'"

# 2: IKE_SA_INIT, IKE_AUTH -->
start=$(now)
t_check "ssA initiates child t (IKE_SA_INIT, IKE_AUTH)" swan_initiate ssA t
echo "# tunnel up in $(awk -v a="$start" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }') s"
sa_a=$(swan_sas ssA)
sa_b=$(swan_sas ssB)
printf '# ssA: %s\n' "${sa_a//$'\n'/$'\n# ssA: '}"
printf '# ssB: %s\n' "${sa_b//$'\n'/$'\n# ssB: '}"
t_match "ssA: one IKEv2 SA ESTABLISHED, on UDP 4500" "$sa_a" \
	'^ike t [0-9]+ ESTABLISHED 2 198\.51\.100\.1:4500 198\.51\.100\.2:4500 '
t_match "ssB: the same, seen from the other side" "$sa_b" \
	'^ike t [0-9]+ ESTABLISHED 2 198\.51\.100\.2:4500 198\.51\.100\.1:4500 '
t_eq "the same IKE SPIs on both" "$(awk '$1 == "ike" { print $8, $9 }' <<<"$sa_a")" \
	"$(awk '$1 == "ike" { print $8, $9 }' <<<"$sa_b")"
t_match "ssA: child t INSTALLED, tunnel, ESP, encapsulated" "$sa_a" \
	'^child t [0-9]+ INSTALLED TUNNEL ESP [0-9a-f]+ [0-9a-f]+ 192\.0\.2\.0/25 192\.0\.2\.128/25 yes$'
t_eq "ssA's inbound SPI is ssB's outbound" "$(awk '$1 == "child" { print $7 }' <<<"$sa_a")" \
	"$(awk '$1 == "child" { print $8 }' <<<"$sa_b")"
t_eq "and the other way" "$(awk '$1 == "child" { print $8 }' <<<"$sa_a")" \
	"$(awk '$1 == "child" { print $7 }' <<<"$sa_b")"

# 3
CAP=$GW_RUN/wan.pcap
cap_start inet br0 "$CAP" "ip and not arp" || t_abort capture
t_check "hostA pings hostB through the tunnel" wait_ping hostA 192.0.2.130 10
t_check "5 pings, all answered" nsx hostA ping -n -c 5 -i 0.2 -W 2 192.0.2.130
cap_stop "$CAP"
t_eq "no ICMP in the clear on the internet link" "$(cap_count "$CAP" icmp)" 0
t_ge "ESP in UDP 4500 on it" "$(cap_count "$CAP" 'udp.port == 4500 && esp')" 10

# 4
t_check "ssA deletes the IKE SA" swan_terminate ssA t
t_check "ssB has no SA left" t_poll 5 eval '[ -z "$(swan_sas ssB)" ]'
t_check "ssA stops on SIGTERM (exit 0)" swan_stop ssA
t_check "ssB stops on SIGTERM (exit 0)" swan_stop ssB
t_end
