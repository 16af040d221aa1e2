#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/logging.sh: what gwB says about its tunnel and about bad ESP, where an IOS
# operator looks for it (docs/logging.md):
#
#   - a syslog host (eve, UDP 5514, "logging host ... transport udp port 5514") receives
#     %SYS-5-RESTART and the tunnel's %CRYPTO-5-SESSION_STATUS UP in IOS's RFC 3164 form
#     ("<189>N: *Mmm dd hh:mm:ss.mmm: %FAC-SEV-MNEMONIC: text", facility local7)
#   - eve forges ESP with an unknown SPI and a bad ICV: %CRYPTO-4-RECVD_PKT_INV_SPI (with the
#     packet's addresses and SPI) and %CRYPTO-4-RECVD_PKT_MAC_ERR reach the syslog host, the
#     log buffer (show logging) and a gwctl session with "terminal monitor" on a real
#     pseudo-terminal, typed into as an operator does
#   - the metrics file (--metrics-file, Prometheus text) has the SAs' packets as show crypto
#     ipsec sa counts them after pings; show metrics has the worker's TUN writes of them
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/logging.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin logging
topo_up "lg$$" || t_abort "draw the topology"

CONF_B=$GW_RUN/gwB-logging.conf
{ cat "$GW_SRC/deploy/examples/gwB.conf"
  printf 'logging buffered 16384 debugging\nlogging host 198.51.100.66 transport udp port 5514\n'
} >"$CONF_B"
SYSLOG=$GW_RUN/syslog.txt
METRICS=$GW_RUN/gwB-metrics.prom
nsx_bg eve "$SYSLOG" "$GW_PY" -u -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.66", 5514))
while True:
    print(s.recv(2048).decode(errors="replace"), flush=True)'
t_check "eve listens on UDP 5514" t_poll 5 nsx eve ss -Hun state all sport = :5514

t_check "gwA: controld + datad start" gw_start gwA "$GW_SRC/deploy/examples/gwA.conf" || t_abort gwA
GW_CONTROLD_ARGS="--metrics-file $METRICS --metrics-interval 1" \
	t_check "gwB: controld + datad start" gw_start gwB "$CONF_B" || t_abort gwB
t_check "tunnel up" wait_ping hostA 192.0.2.130 10

forge() {
	nsx eve "$GW_PY" "$GW_SRC/tests/interop/forge_esp.py" --iface wan0 --src 198.51.100.1 \
		--dst 198.51.100.2 --spi 1000 --crypt AES-CBC \
		--crypt-key a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebfc0 \
		--auth HMAC-SHA1-96 --auth-key c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4 \
		--inner-src 192.0.2.10 --inner-dst 192.0.2.130 --count 2 --kinds "$1"
}
export -f forge nsx ns_name
export TOPO_PREFIX GW_PY GW_SRC
INV_SPI="%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has invalid spi for destaddr=198.51.100.2, prot=50, spi=0x7D0\(2000\), srcaddr=198.51.100.1"
PTY_OUT=$GW_RUN/pty.txt
"$GW_PY" "$GW_SRC/tests/integration/monitor_pty.py" --expect "$INV_SPI" \
	--trigger "forge wrong-spi,flipped >/dev/null 2>&1" --timeout 5 -- \
	ip netns exec "$(ns_name gwB)" "$GW_BIN/gwctl" -s "$(gw_cli_ep gwB)" >"$PTY_OUT" 2>&1
t_eq "terminal monitor on a pty shows %CRYPTO-4-RECVD_PKT_INV_SPI" "$?" 0
grep -qE "$INV_SPI" "$PTY_OUT" || sed 's/^/# pty: /' "$PTY_OUT" | tail -20

has_syslog() { grep -qE "$1" "$SYSLOG"; }
t_check "syslog: %SYS-5-RESTART, local7 notice (<189>)" \
	t_poll 3 has_syslog '^<189>[0-9]+: \*[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8}\.[0-9]{3}: %SYS-5-RESTART: '
t_check "syslog: tunnel UP" has_syslog \
	'^<189>[0-9]+: \*.*: %CRYPTO-5-SESSION_STATUS: Crypto tunnel is UP  \.  Peer 198\.51\.100\.1:500 +Id: 198\.51\.100\.1$'
t_check "syslog: %CRYPTO-4-RECVD_PKT_INV_SPI (<188>)" t_poll 3 has_syslog "^<188>[0-9]+: .*$INV_SPI\$"
t_check "syslog: %CRYPTO-4-RECVD_PKT_MAC_ERR" has_syslog \
	'%CRYPTO-4-RECVD_PKT_MAC_ERR: decrypt: mac verification failed for connection id=[0-9]+ spi=000003E8 seqno='
LOGB=$(gwctl_in gwB "show logging")
t_match "show logging: IOS header" "$LOGB" '^Syslog logging: enabled'
t_match "show logging: the host" "$LOGB" 'Logging to 198\.51\.100\.66  \(udp port 5514'
t_match "show logging: the buffer" "$LOGB" 'Log Buffer \(16384 bytes\):'
t_match "show logging: the invalid SPI, time-stamped" "$LOGB" "\*[A-Z][a-z]{2} [ 0-9][0-9] [0-9:.]{12}: $INV_SPI"
# the fields ntc-templates' cisco_ios_show_logging takes from a buffer line (its date-log rule:
# MONTH DAY TIME: %FACILITY-SEVERITY-MNEMONIC: MESSAGE, after "Log Buffer"), with python3-textfsm
FSM=$GW_RUN/show_logging.textfsm
cat >"$FSM" <<'END'
Value MONTH (\S+)
Value DAY (\d{1,2})
Value TIME ((\d+:\d+:\d+\.\d+)|(\d+:\d+:\d+))
Value FACILITY (\w+)
Value SEVERITY (\d)
Value MNEMONIC (\S+)
Value MESSAGE (.+)

Start
  ^Log\s+Buffer -> Logs

Logs
  ^${MONTH}\s+${DAY}\s+${TIME}:\s+%${FACILITY}-${SEVERITY}-${MNEMONIC}:\s+${MESSAGE}$$ -> Record
  ^.*
END
fsm_mnemonics() {
	"$GW_PY" -c 'import sys, textfsm
for r in textfsm.TextFSM(open(sys.argv[1])).ParseText(sys.stdin.read()):
    print("%s-%s-%s %s" % (r[3], r[4], r[5], r[0]))' "$FSM" <<<"$LOGB"
}
t_match "textfsm: the buffer's lines parse as IOS's" "$(fsm_mnemonics)" \
	'^CRYPTO-4-RECVD_PKT_INV_SPI \*[A-Z][a-z]{2}$'

t_check "pings through the tunnel" nsx hostA ping -n -c 5 -i 0.1 -W 2 192.0.2.130
sleep 1.2	# a report
sa_pkts() {	# show crypto ipsec sa's #pkts decaps (inbound) or encaps (outbound)
	gwctl_in gwB "show crypto ipsec sa" | grep -oE "#pkts $1: [0-9]+" | head -1 | grep -oE '[0-9]+$'
}
metric() {	# the metrics file's packets of gwB's SA with SPI $1 (1000 in, 1001 out)
	awk -v s="$1" '/^ipsecgw_sa_packets_total\{/ && index($0, "spi=\"" s "\"") { print $NF }' \
		"$METRICS"
}
same() { [ -n "$(metric 0x3E8)" ] && [ "$(metric 0x3E8)" = "$(sa_pkts decaps)" ] &&
	[ "$(metric 0x3E9)" = "$(sa_pkts encaps)" ]; }
t_check "the metrics file's per-SA packets equal show crypto ipsec sa's #pkts" t_poll 4 same
echo "# metrics in $(metric 0x3E8), out $(metric 0x3E9); show: decaps $(sa_pkts decaps), encaps $(sa_pkts encaps)"
t_ge "after 5 pings, at least 5 decapsulated" "$(metric 0x3E8)" 5
t_match "HELP and TYPE lines" "$(cat "$METRICS")" '# TYPE ipsecgw_sa_packets_total counter'
t_match "show metrics prints the same families" "$(gwctl_in gwB "show metrics")" \
	'ipsecgw_worker_drops_total\{worker="[^"]+",reason="no-sa"\} [1-9]'
# the worker's offload counters: gwB wrote the decapsulated pings to its TUN (show workers)
t_match "show metrics has the worker's TUN writes" "$(gwctl_in gwB "show metrics")" \
	'ipsecgw_worker_tun_writes_total\{worker="[^"]+"\} ([5-9]|[1-9][0-9]+)'
t_end
