#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/gen_restart.sh: a controld restarted within the same second, with another
# configuration, is not mistaken by its workers for the one before (issue 8, finding 7:
# generations were time << 16, so both starts numbered their first tables alike and datad,
# which compares generations for equality, kept the stale ones).
#
#   1. controld with gwA's example configuration, datad applies it (routes into gw0)
#   2. kill -9 controld and start it at once with a configuration that also protects
#      203.0.113.0/24 (a second entry), within the same second as the first start
#   3. datad applies the new tables: a route to 203.0.113.0/24 into its TUN within 5 s
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/gen_restart.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin gen_restart
topo_up "gw$$" || t_abort "draw the topology"

CONF_A=$GW_SRC/deploy/examples/gwA.conf
CONF_B=$GW_RUN/gwA-two.conf
sed '/^interface wan0$/,$d' "$CONF_A" >"$CONF_B"
cat >>"$CONF_B" <<'CONF'
access-list 102 permit ip 192.0.2.0 0.0.0.127 203.0.113.0 0.0.0.255
crypto map vpn 20 ipsec-manual
 match address 102
 set peer 198.51.100.3
 set transform-set AES-SHA
 set session-key inbound esp 3001 cipher 3132333435363738393a3b3c3d3e3f404142434445464748494a4b4c4d4e4f50 authenticator 5152535455565758595a5b5c5d5e5f6061626364
 set session-key outbound esp 3000 cipher 6162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80 authenticator 8182838485868788898a8b8c8d8e8f9091929394
interface wan0
 ip address 198.51.100.1 255.255.255.0
 crypto map vpn
CONF
routed() { nsx gwA ip route show table "$GW_TABLE" dev "$GW_TUN" 2>/dev/null | grep -q "^$1"; }
kill_controld()
{
	kill -KILL "${GW_PID[gwA/controld]}"
	wait "${GW_PID[gwA/controld]}" 2>/dev/null
	unset "TOPO_PIDS[${GW_PID[gwA/controld]}]" "GW_PID[gwA/controld]"
}

same=0
for attempt in 1 2 3 4 5; do
	# start at the beginning of a second, so both starts fit in it
	while [ "$(date +%N | cut -c1)" != 0 ]; do sleep 0.02; done
	S1=$(date +%s)
	gw_start_controld gwA "$CONF_A" || t_abort "controld"
	[ -n "${GW_PID[gwA/datad]:-}" ] || gw_start_datad gwA || t_abort "datad"
	t_poll 2 routed 192.0.2.128/25 >/dev/null || t_abort "datad applied nothing"
	kill_controld
	gw_start_controld gwA "$CONF_B" || t_abort "controld again"
	S2=$(date +%s)
	[ "$S1" = "$S2" ] && { same=1; break; }
	echo "# attempt $attempt: the two starts fell in different seconds, again"
	kill_controld
	nsx gwA ip route flush table "$GW_TABLE" dev "$GW_TUN" 2>/dev/null
	gw_stop_datad gwA
done
t_eq "controld started twice within one second" "$same" 1
t_check "datad applies the second controld's tables (route to 203.0.113.0/24, 5 s)" \
	t_poll 5 routed 203.0.113.0/24
t_end
