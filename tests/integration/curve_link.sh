#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/curve_link.sh: controld and datad on different hosts (docs/design.md "The ZeroMQ
# link": across hosts the link is authenticated and encrypted, CURVE with an allow-list):
#
#   gwB's controld runs on gwA's host and listens on tcp://198.51.100.1:7010; gwB's datad
#   connects across the internet link with its own key pair.  The tunnel works; a worker with a
#   key that is not on the allow-list, and one without CURVE, get nothing; controld refuses to
#   listen on tcp:// without keys; the link carries no cleartext of the tables (keys!).  The CLI
#   too is served over tcp://198.51.100.1:7011 with CURVE: an operator on gwB with an allowed
#   key runs show commands, eve with a foreign key gets no answer.
#   Each socket has its own allow-list (ZAP domains): the worker's key opens no CLI session and
#   the operator's key is no worker; a worker key may claim only the ids and addresses its
#   line gives it (ids=gwB/*, addrs=198.51.100.2/32), and each refusal is counted.
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/curve_link.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin curve_link
topo_up "gw$$" || t_abort "draw the topology"
K=$GW_RUN/keys
mkdir -p "$K" "$GW_RUN/ctlB/state"
SRV=$("$GW_BIN/controld" --keygen "$K/controld.key")
WPUB=$("$GW_BIN/controld" --keygen "$K/worker.key")
OPUB=$("$GW_BIN/controld" --keygen "$K/operator.key")
"$GW_BIN/controld" --keygen "$K/intruder.key" >/dev/null
printf '# gwB workers\n%s ids=gwB/* addrs=198.51.100.2/32,192.0.2.129/32 max=2\n' "$WPUB" \
	>"$K/allow"
printf '# operators\n%s\n' "$OPUB" >"$K/cli-allow"
EP=tcp://198.51.100.1:7010
CLI=tcp://198.51.100.1:7011
CONF_B=$GW_SRC/deploy/examples/gwB.conf

t_check_not "controld refuses a tcp:// CLI with CURVE but no --cli-allow" \
	nsx gwA "$GW_BIN/controld" -f "$CONF_B" -l "ipc://$GW_RUN/ctlB/l.sock" -s "$CLI" \
	-S "$GW_RUN/ctlB/state" -k "$K/controld.key" -a "$K/allow"
t_check_not "controld refuses tcp:// without CURVE keys" \
	nsx gwA "$GW_BIN/controld" -f "$CONF_B" -l "$EP" -s "ipc://$GW_RUN/ctlB/cli.sock" \
	-S "$GW_RUN/ctlB/state"

t_check "gwA: controld + datad start" gw_start gwA "$GW_SRC/deploy/examples/gwA.conf" || t_abort gwA
CAP=$GW_RUN/link.pcap
cap_start inet br0 "$CAP" "tcp port 7010 or tcp port 7011" || t_abort capture
nsx_bg gwA "$GW_RUN/ctlB/controld.log" "$GW_BIN/controld" -f "$CONF_B" -l "$EP" -s "$CLI" \
	-S "$GW_RUN/ctlB/state" -k "$K/controld.key" -a "$K/allow" -A "$K/cli-allow"
CTL=$LAST_PID
sleep 0.5
nsx_bg gwB "$GW_RUN/ctlB/datad.log" "$GW_BIN/datad" -c "$EP" -i gwB/1 -k "$K/worker.key" -K "$SRV"
WB=$LAST_PID
t_check "tunnel up with gwB's tables from across the network (10 s)" \
	wait_ping hostA 192.0.2.130 10

# An intruder on the internet (eve) with a key of its own, and one without CURVE.
nsx_bg eve "$GW_RUN/intruder.log" "$GW_BIN/datad" -c "$EP" -i eve/1 -t gw9 \
	-k "$K/intruder.key" -K "$SRV"
I1=$LAST_PID
nsx_bg eve "$GW_RUN/plain.log" "$GW_BIN/datad" -c "$EP" -i eve/2 -t gw8
I2=$LAST_PID
sleep 2
# The operator's key as a worker, and the worker's key under an id it may not claim.
nsx_bg eve "$GW_RUN/opworker.log" "$GW_BIN/datad" -c "$EP" -i eve/3 -t gw7 \
	-k "$K/operator.key" -K "$SRV"
I3=$LAST_PID
nsx_bg gwB "$GW_RUN/badid.log" "$GW_BIN/datad" -c "$EP" -i gwC/1 -t gw6 -k "$K/worker.key" \
	-K "$SRV"
I4=$LAST_PID
sleep 2
WORKERS=$(nsx gwB "$GW_BIN/gwctl" -s "$CLI" -k "$K/operator.key" -K "$SRV" -c "show workers")
echo "$WORKERS" | sed 's/^/# /'
t_match "gwB/1 is a worker, up" "$WORKERS" '^gwB/1 +[^ ]+ +[0-9]+ +up '
t_eq "no worker of eve's (foreign key, operator key, or no CURVE)" \
	"$(grep -c '^eve/' <<<"$WORKERS")" 0
t_eq "no gwC/1: the worker key may claim gwB/* only" "$(grep -c '^gwC/' <<<"$WORKERS")" 0
t_match "... refused and counted as hello-allow" "$WORKERS" 'hello-allow [1-9]'
t_match "the operator's key, tried as a worker, refused by the worker list" "$WORKERS" \
	'workers [1-9][0-9]*, CLI'
t_check "controld logged the operator key refused on the worker socket" \
	grep -qF "refused client 198.51.100.66 key $OPUB on the worker socket" \
	"$GW_RUN/ctlB/controld.log"
t_check_not "the worker's key opens no CLI session" nsx gwB "$GW_BIN/gwctl" -t 2 -s "$CLI" \
	-k "$K/worker.key" -K "$SRV" -c "show running-config"
t_check "controld logged the worker key refused on the CLI socket" \
	grep -qF "key $WPUB on the CLI socket" "$GW_RUN/ctlB/controld.log"
t_check "controld logged the refused key" grep -q "CURVE: refused client 198.51.100.66" \
	"$GW_RUN/ctlB/controld.log"
t_check_not "eve got no tables (no TUN routes there)" \
	bash -c "ip netns exec $(ns_name eve) ip route show table 220 | grep -q ."
t_check_not "eve's gwctl with a foreign key gets no answer" nsx eve "$GW_BIN/gwctl" -t 2 \
	-s "$CLI" -k "$K/intruder.key" -K "$SRV" -c "show running-config"
t_check_not "a gwctl without CURVE gets no answer" nsx gwB "$GW_BIN/gwctl" -t 2 -s "$CLI" \
	-c "show running-config"
pid_stop "$I1" TERM 5
pid_stop "$I2" TERM 5
pid_stop "$I3" TERM 5
pid_stop "$I4" TERM 5
cap_stop "$CAP"
# The snapshot holds gwB's session keys in its Sa messages: on the wire they must not appear.
KEY=0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20
t_gt "the link crossed the internet" "$(cap_count "$CAP" tcp)" 10
t_eq "no session key in clear on the link" \
	"$(tshark -n -r "$CAP" -T fields -e tcp.payload 2>/dev/null | grep -c "$KEY")" 0
t_check "gwB's datad stops cleanly" pid_stop "$WB" TERM 5
t_check "gwB's controld stops cleanly" pid_stop "$CTL" TERM 5
t_end
