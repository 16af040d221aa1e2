#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/aead_renumber.sh: an AES-GCM key keeps its own sequence space, whatever
# crypto map entry carries it (docs/design.md invariant 1; the nonce of esp-gcm is salt || sequence
# number, so a number sent twice under one key repeats a nonce and breaks the cipher).
#
#   1. gwA and gwB with esp-gcm 128 and manual keys; hostA pings hostB all along; the internet link
#      is captured
#   2. on gwA, under traffic, through configure sessions: renumber the entry (vpn 10 -> 20),
#      rename the map (vpn -> site-b), change the outbound SPI (1000 -> 1002), always with the
#      same outbound key, and kill -9 gwA's controld and datad together and start them again
#   3. in the capture, no explicit IV (= the sequence number: the nonce under that key) twice
#      among gwA's ESP packets, and traffic flowed under every variant
#   4. a configuration that gives one AEAD key to both directions, or to two entries, is refused
#      with the line, at startup (controld -n) and in a configure session
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/aead_renumber.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin aead_renumber
topo_up "gw$$" || t_abort "draw the topology"

KEY_AB=a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4	# gwA -> gwB: 16 key bytes + 4 salt
KEY_BA=0102030405060708090a0b0c0d0e0f1011121314	# gwB -> gwA

# conf SIDE MAP SEQ SPI_OUT: gwSIDE's configuration; the map, entry and gwA's outbound SPI vary.
conf()
{
	local side=$1 map=$2 seq=$3 spi_ab=$4 me peer src dst kin kout spi_in spi_out
	if [ "$side" = A ]; then
		me=198.51.100.1 peer=198.51.100.2 src="192.0.2.0 0.0.0.127" dst="192.0.2.128 0.0.0.127"
		spi_in=1001 kin=$KEY_BA spi_out=$spi_ab kout=$KEY_AB
	else
		me=198.51.100.2 peer=198.51.100.1 src="192.0.2.128 0.0.0.127" dst="192.0.2.0 0.0.0.127"
		spi_in=$spi_ab kin=$KEY_AB spi_out=1001 kout=$KEY_BA
	fi
	cat <<-CONF
	hostname gw$side
	crypto ipsec transform-set GCM esp-gcm 128
	access-list 101 permit ip $src $dst
	crypto map $map $seq ipsec-manual
	 match address 101
	 set peer $peer
	 set transform-set GCM
	 set session-key inbound esp $spi_in cipher $kin
	 set session-key outbound esp $spi_out cipher $kout
	interface wan0
	 ip address $me 255.255.255.0
	 crypto map $map
	CONF
}

gwctl_a() { nsx gwA timeout 20 "$GW_BIN/gwctl" -s "$(gw_cli_ep gwA)" "$@"; }

# session FILE: apply a configure session on gwA; the running configuration must change.
session()
{
	local out rc=0
	out=$(gwctl_a -f "$1" 2>&1) || rc=$?
	[ "$rc" = 0 ] || { echo "$out"; return 1; }
}

# replies_since N: echo replies hostA got after line N of its ping log.
PING_LOG=$GW_RUN/ping.log
replies_since() { tail -n +"$(($1 + 1))" "$PING_LOG" | grep -c 'bytes from'; }
lines() { wc -l <"$PING_LOG"; }

conf A vpn 10 1000 >"$GW_RUN/gwA.conf"
conf B vpn 10 1000 >"$GW_RUN/gwB.conf"
t_check "gwA: controld + datad start" gw_start gwA "$GW_RUN/gwA.conf" || t_abort gwA
t_check "gwB: controld + datad start" gw_start gwB "$GW_RUN/gwB.conf" || t_abort gwB
t_check "tunnel up (esp-gcm 128)" wait_ping hostA 192.0.2.130 10 || t_abort "no tunnel"

CAP=$GW_RUN/inet.pcap
cap_start inet br0 "$CAP" "esp and src host 198.51.100.1" || t_abort capture
nsx_bg hostA "$PING_LOG" ping -n -i 0.02 192.0.2.130
PING=$LAST_PID
sleep 1
N=$(lines); sleep 1
t_gt "traffic before any change" "$(replies_since "$N")" 20

# 2. Each variant keeps gwA's outbound key; gwB follows where the SPI changes.
cat >"$GW_RUN/renumber.txt" <<'EOF'
configure terminal
crypto map vpn 20 ipsec-manual
 match address 101
 set peer 198.51.100.2
 set transform-set GCM
 set session-key inbound esp 1001 cipher 0102030405060708090a0b0c0d0e0f1011121314
 set session-key outbound esp 1000 cipher a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4
no crypto map vpn 10
end
EOF
t_check "gwA: entry vpn 10 renumbered to vpn 20 (same key)" session "$GW_RUN/renumber.txt"
N=$(lines); sleep 1.5
t_gt "traffic after the renumbering" "$(replies_since "$N")" 20

cat >"$GW_RUN/rename.txt" <<'EOF'
configure terminal
crypto map site-b 20 ipsec-manual
 match address 101
 set peer 198.51.100.2
 set transform-set GCM
 set session-key inbound esp 1001 cipher 0102030405060708090a0b0c0d0e0f1011121314
 set session-key outbound esp 1000 cipher a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4
interface wan0
 crypto map site-b
 exit
no crypto map vpn
end
EOF
t_check "gwA: map renamed vpn -> site-b (same key)" session "$GW_RUN/rename.txt"
N=$(lines); sleep 1.5
t_gt "traffic after the renaming" "$(replies_since "$N")" 20

conf B vpn 10 1002 >"$GW_RUN/gwB.conf"
t_check "gwB reloads with inbound SPI 1002" nsx gwB kill -HUP "${GW_PID[gwB/controld]}"
cat >"$GW_RUN/spi.txt" <<'EOF'
configure terminal
crypto map site-b 20 ipsec-manual
 set session-key outbound esp 1002 cipher a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4
end
EOF
t_check "gwA: outbound SPI 1000 -> 1002 (same key)" session "$GW_RUN/spi.txt"
N=$(lines); sleep 1.5
t_gt "traffic after the SPI change" "$(replies_since "$N")" 20

conf A site-b 20 1002 >"$GW_RUN/gwA.conf"
gw_kill_datad gwA
p=${GW_PID[gwA/controld]}; kill -KILL "$p"; wait "$p" 2>/dev/null
unset "TOPO_PIDS[$p]" "GW_PID[gwA/controld]"
t_check "gwA: controld + datad killed -9 and started again" gw_start gwA "$GW_RUN/gwA.conf"
N=$(lines); sleep 2
t_gt "traffic after the restart" "$(replies_since "$N")" 20

pid_stop "$PING" INT 2
cap_stop "$CAP"

# 3. The explicit IV of esp-gcm (RFC 4106 §3.1) is the 8 bytes after the ESP header: ours is
# the sequence number, so one value twice under the key is one nonce twice.
IVS=$GW_RUN/ivs.txt
"$GW_PY" - "$CAP" >"$IVS" <<'PY'
import sys
from scapy.all import rdpcap, IP
for p in rdpcap(sys.argv[1]):
    if IP in p and p[IP].proto == 50:
        b = bytes(p[IP].payload)
        print(b[0:4].hex(), int.from_bytes(b[4:8], "big"), b[8:16].hex())
PY
TOTAL=$(wc -l <"$IVS")
DUPS=$(awk '{ print $3 }' "$IVS" | sort | uniq -d | wc -l)
echo "# gwA sent $TOTAL ESP packets under one esp-gcm key; IVs seen twice: $DUPS"
awk '{ print $3 }' "$IVS" | sort | uniq -d | head -3 | sed 's/^/#   twice: /'
t_gt "the capture holds gwA's ESP under every variant" "$TOTAL" 200
t_eq "no nonce (explicit IV) twice under the key" "$DUPS" 0
t_eq "the explicit IV is the sequence number" \
	"$(awk '{ if (sprintf("%016x", $2) != $3) n++ } END { print n + 0 }' "$IVS")" 0

# 4. One AEAD key in two places is refused where it is written.
{
	conf A vpn 10 1000 | sed "s/cipher $KEY_BA/cipher $KEY_AB/"
} >"$GW_RUN/same-dirs.conf"
OUT=$("$GW_BIN/controld" -n -f "$GW_RUN/same-dirs.conf" 2>&1); RC=$?
t_eq "one esp-gcm key for both directions: controld -n refuses" "$RC" 1
t_match "... with the line and why" "$OUT" "same-dirs.conf:9: .*same esp-gcm key"
{
	conf A vpn 10 1000
	cat <<-'CONF'
	access-list 102 permit ip 192.0.2.0 0.0.0.127 203.0.113.0 0.0.0.255
	crypto map vpn 30 ipsec-manual
	 match address 102
	 set peer 198.51.100.3
	 set transform-set GCM
	 set session-key inbound esp 1301 cipher 1111111111111111111111111111111111111111
	 set session-key outbound esp 1300 cipher a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4
	CONF
} | awk '/^interface/ { tail = 1 } tail { t = t $0 "\n"; next } { print } END { printf "%s", t }' \
	>"$GW_RUN/same-entries.conf"
OUT=$("$GW_BIN/controld" -n -f "$GW_RUN/same-entries.conf" 2>&1); RC=$?
t_eq "one esp-gcm key for two entries: controld -n refuses" "$RC" 1
t_match "... naming the other entry" "$OUT" "same-entries.conf:[0-9]+: .*crypto map vpn 10"
cat >"$GW_RUN/bad-session.txt" <<'EOF'
configure terminal
crypto map site-b 20 ipsec-manual
 set session-key inbound esp 1001 cipher a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4
end
EOF
OUT=$(gwctl_a -f "$GW_RUN/bad-session.txt" 2>&1); RC=$?
t_eq "the same in a configure session: refused" "$RC" 1
t_match "... saying why" "$OUT" "same esp-gcm key"
t_end
