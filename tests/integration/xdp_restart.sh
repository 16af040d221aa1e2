#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/xdp_restart.sh: ESP received by AF_XDP (docs/adr/0014-af-xdp-receive.md),
# and a worker killed -9 leaves no XDP program that blackholes traffic.
#
#   1. gwA and gwB with the manual-keyed configs, both datad --io xdp: the log says AF_XDP is
#      in use on wan0, show workers says so, pings pass
#   2. kill -9 gwA's datad; a new one with --io raw leaves the dead one's program attached:
#      pings pass all the same (the program passes what has no socket)
#   3. kill -9 again; a new one with --io xdp replaces the program left behind, pings pass
#   4. gwB's datad, stopped, received ESP by AF_XDP (its exit line counts them)
#
# Skipped (77) where XDP cannot attach or datad was built without it.
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/xdp_restart.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin xdp_restart
CONF_A=$GW_SRC/deploy/examples/gwA.conf
CONF_B=$GW_SRC/deploy/examples/gwB.conf
HOST_B=192.0.2.130
LOG_A=

topo_up "gw$$" || t_abort "draw the topology"
LOG_A=$(gw_dir gwA)/datad.log

# 1. Both on AF_XDP.
export GW_DATAD_ARGS="--io xdp"
t_check "gwA: controld + datad --io xdp start" gw_start gwA "$CONF_A" || t_abort "gwA start"
t_check "gwB: controld + datad --io xdp start" gw_start gwB "$CONF_B" || t_abort "gwB start"
t_poll 3 grep -q "AF_XDP" "$LOG_A"
if grep -q -- "--io xdp: " "$LOG_A"; then
	echo "# skip: $(grep -- "--io xdp: " "$LOG_A" | tail -1)"
	gw_stop gwA
	gw_stop gwB
	exit 77
fi
t_check "gwA's log: AF_XDP in use on wan0" grep -q "AF_XDP in use: .* on wan0" "$LOG_A"
t_check "first ping hostA -> hostB through the tunnel (5 s)" wait_ping hostA "$HOST_B" 5
t_check "5 pings, all answered" nsx hostA ping -n -c5 -i0.1 -W1 "$HOST_B"
t_match "gwA: show workers says AF_XDP" "$(gwctl_in gwA "show workers" 2>&1)" \
	"ESP received by: af_xdp wan0"

# 2. kill -9; the program stays; a raw-socket datad behind it still gets the ESP.
t_check "gwA: kill -9 datad" gw_kill_datad gwA
t_check "gwA's wan0 still has the dead worker's XDP program" \
	bash -c "ip -n $(ns_name gwA) link show wan0 | grep -q xdp"
GW_DATAD_ARGS="--io raw"
t_check "gwA: datad --io raw starts" gw_start_datad gwA
t_check "gwA's wan0 still has it with datad --io raw" \
	bash -c "ip -n $(ns_name gwA) link show wan0 | grep -q xdp"
t_check "pings pass through the program left behind (5 s)" wait_ping hostA "$HOST_B" 5
t_check "5 pings, all answered" nsx hostA ping -n -c5 -i0.1 -W1 "$HOST_B"

# 3. kill -9 again; --io xdp takes the interface back.
t_check "gwA: kill -9 datad" gw_kill_datad gwA
GW_DATAD_ARGS="--io xdp"
t_check "gwA: datad --io xdp starts" gw_start_datad gwA
t_poll 3 grep -q "replacing the program left by datad pid" "$LOG_A"
t_check "gwA's log: the dead worker's program replaced" \
	grep -q "replacing the program left by datad pid" "$LOG_A"
t_check "pings after the takeover (5 s)" wait_ping hostA "$HOST_B" 5
t_check "5 pings, all answered" nsx hostA ping -n -c5 -i0.1 -W1 "$HOST_B"

# 4. What gwB received came by AF_XDP.
t_check "gwB stops cleanly" gw_stop gwB
XDP_B=$(grep -Eo '\(([0-9]+) by AF_XDP\)' "$(gw_dir gwB)/datad.log" | tail -1 | tr -dc 0-9)
t_gt "gwB's datad received ESP by AF_XDP" "${XDP_B:-0}" 0
t_check "gwA stops cleanly" gw_stop gwA
t_check "gwA's clean stop detached its program" \
	bash -c "! ip -n $(ns_name gwA) link show wan0 | grep -q xdp"
t_end
