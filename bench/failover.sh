#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/failover.sh: how long the tunnel is dark when the worker that owns an inbound SA dies
# (`bench/run.sh failover [build dir]`; docs/design.md invariant 2, docs/adr/0013).
#
# In the lab of deploy/lab/topo.sh: gwB runs controld + one datad, gwA controld + two datad
# workers (gwA/1, gwA/2) sharing its TUN, as tests/integration/workers.sh.  hostA pings hostB
# every 10 ms (ping -D, timestamps); the echo replies come back as ESP under gwA's inbound SA,
# which one of the two workers owns.  BENCH_KILLS times: kill -9 the owner, wait for the
# replies to come back, start the killed worker again (same id, a new boot) and let the tunnel
# settle.  For each kill it prints:
#   gap      ms between the last reply before the kill and the first after it (what a user sees)
#   dead     ms from the kill to controld's "presumed dead" (its log)
#   applied  ms from the kill to the survivor's "generation ... applied" (its log: the SA is its)
#   first    ms from the kill to the first reply after it
# the median of each, and, last, `failover gap ms: N` (the median gap).  Logs have ms stamps,
# the kill is stamped by date(1): each figure is good to a millisecond or two.
#
# Environment:
#   GW_BIN=DIR           controld, datad, gwctl (default build/bin; bench/run.sh passes its dir)
#   BENCH_KILLS=5        owners killed
#   BENCH_SETTLE=2       seconds between a worker's restart and the next kill
#   BENCH_REPLAY=64      replay window of gwA's inbound SA (0: none, no floor to start at)
#   BENCH_WAIT=15        seconds to wait for a reply after a kill; a kill without one shows
#                        "none" and counts in the medians as longer than any other figure
#   GW_KEEP=1            keep the work directory (logs, ping output)
set -uo pipefail
GW_SRC=$(cd "$(dirname "$0")/.." && pwd)
export GW_SRC
GW_BIN=${GW_BIN:-$GW_SRC/build/bin}
source "$GW_SRC/deploy/lab/topo.sh"

KILLS=${BENCH_KILLS:-5}
SETTLE=${BENCH_SETTLE:-2}
REPLAY=${BENCH_REPLAY:-64}
WAIT=${BENCH_WAIT:-15}
HOST_B=192.0.2.130

say() { printf '%s\n' "$*" >&2; }
die() { say "bench failover: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run me as root (network namespaces)"
[[ $KILLS =~ ^[1-9][0-9]*$ ]] || die "BENCH_KILLS must be a positive integer"
[[ $REPLAY =~ ^[0-9]+$ ]] || die "BENCH_REPLAY must be a window size (0: none)"
[[ $WAIT =~ ^[1-9][0-9]*$ ]] || die "BENCH_WAIT must be a positive integer"
for b in controld datad gwctl; do
	[ -x "$GW_BIN/$b" ] || die "$GW_BIN/$b not found: build first (cmake) or set GW_BIN"
done

topo_trap
topo_up "gw$$" || die "the lab"
gw_start gwB "$GW_SRC/deploy/examples/gwB.conf" || die "gwB"
# "owner:" is in the IOS 11.3 layout of show crypto ipsec sa (docs/show.md); with a replay
# window the new owner's starts at the SA's floor (docs/adr/0009), which costs what the margin
# above the dead owner's last reported top covers
{
	echo "crypto ipsec show-layout 11.3"
	cat "$GW_SRC/deploy/examples/gwA.conf"
	[ "$REPLAY" = 0 ] ||
		printf 'crypto map vpn 10 ipsec-manual\n%s %s\n' \
			" set security-association replay window-size" "$REPLAY"
} >"$GW_RUN/gwA.conf"
gw_start_controld gwA "$GW_RUN/gwA.conf" || die "gwA controld"
D=$(gw_dir gwA)
declare -A WPID=()

# start_worker ID: datad -i ID on gwA, its log datad-N.log
start_worker()
{
	nsx_bg gwA "$D/datad-${1#gwA/}.log" "$GW_BIN/datad" -c "$(gw_link_ep gwA)" -t "$GW_TUN" \
		-i "$1"
	WPID[$1]=$LAST_PID
}

n_up() { gwctl_in gwA "show workers" | grep -c ' up '; }
owner() { gwctl_in gwA "show crypto ipsec sa" | awk '/owner:/ { print $2; exit }'; }

# ms HH:MM:SS.fff...: milliseconds since midnight (log stamps and date +%T.%N alike)
ms() { awk -F: '{ printf "%.0f\n", ($1 * 3600 + $2 * 60 + $3) * 1000 }' <<<"$1"; }

# first_after LOG PATTERN T: the stamp (ms) of the first line of LOG matching PATTERN at or
# after T (ms), or empty
first_after()
{
	grep -E "$2" "$1" 2>/dev/null | awk -v t="$3" '{ split($1, a, ":")
		m = (a[1] * 3600 + a[2] * 60 + a[3]) * 1000
		if (m >= t) { printf "%.0f\n", m; exit } }'
}

for id in gwA/1 gwA/2; do start_worker "$id"; done
for ((i = 0; i < 100; i++)); do [ "$(n_up)" = 2 ] && break; sleep 0.1; done
[ "$(n_up)" = 2 ] || die "two workers never showed up on gwA"
wait_ping hostA "$HOST_B" 10 || die "no ping through the tunnel"

PING=$GW_RUN/ping.txt
nsx_bg hostA "$PING" ping -D -n -i 0.01 "$HOST_B"
PING_PID=$LAST_PID
sleep 1

declare -a GAP=() DEAD=() APPLIED=() FIRST=()
for ((k = 1; k <= KILLS; k++)); do
	o=$(owner)
	if [ -z "$o" ] || [ -z "${WPID[$o]:-}" ]; then
		die "round $k: no owner of gwA's inbound SA ($o)"
	fi
	other=gwA/1; [ "$o" = gwA/1 ] && other=gwA/2
	t_kill=$(date +%s.%N)
	kill -KILL "${WPID[$o]}"
	wait "${WPID[$o]}" 2>/dev/null; unset "TOPO_PIDS[${WPID[$o]}]"
	kill_ms=$(ms "$(date -d "@$t_kill" +%T.%N)")
	# the replies come back (WAIT s at most)
	for ((i = 0; i < WAIT * 10; i++)); do
		awk -v t="$t_kill" '{ s = substr($1, 2, length($1) - 2) }
			/bytes from/ && s + 0 > t + 0 { f = 1 } END { exit !f }' "$PING" && break
		sleep 0.1
	done
	read -r gap first < <(awk -v t="$t_kill" '/bytes from/ {
		s = substr($1, 2, length($1) - 2) + 0
		if (s <= t) last = s; else if (!f) { f = s } }
		END { if (f && last) printf "%.0f %.0f\n", (f - last) * 1000, (f - t) * 1000
		      else print "none none" }' "$PING")
	dead=$(first_after "$D/controld.log" "worker $o .*presumed dead" "$kill_ms")
	applied=$(first_after "$D/datad-${other#gwA/}.log" "generation [0-9]+ applied" "$kill_ms")
	dead=${dead:+$((dead - kill_ms))}
	applied=${applied:+$((applied - kill_ms))}
	GAP+=("$gap"); FIRST+=("$first"); DEAD+=("${dead:-n/a}"); APPLIED+=("${applied:-n/a}")
	say "bench failover: kill $k of $KILLS: $o, gap ${gap} ms"
	start_worker "$o"
	for ((i = 0; i < 50; i++)); do [ "$(n_up)" = 2 ] && break; sleep 0.1; done
	sleep "$SETTLE"
done
pid_stop "$PING_PID" INT 2

# median FIGURE...: "none" sorts above every number (and is the median if it falls there);
# n/a (a log line not found) is left out
median() { printf '%s\n' "$@" | grep -E '^([0-9]+|none)$' | sed 's/^none$/999999999/' |
	sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit }
		if (NR % 2 || v[NR / 2 + 1] >= 999999999) m = v[int(NR / 2) + 1]
		else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
		if (m >= 999999999) print "none"; else printf "%.0f\n", m }'; }

echo "failover: kill -9 of the owner of gwA's inbound SA under ping -i 0.01 ($KILLS kills," \
	"replay window $REPLAY)"
printf '%-6s %9s %9s %11s %9s\n' kill "gap ms" "dead ms" "applied ms" "first ms"
for ((k = 0; k < KILLS; k++)); do
	printf '%-6s %9s %9s %11s %9s\n' "$((k + 1))" "${GAP[$k]}" "${DEAD[$k]}" "${APPLIED[$k]}" \
		"${FIRST[$k]}"
done
printf '%-6s %9s %9s %11s %9s\n' median "$(median "${GAP[@]}")" "$(median "${DEAD[@]}")" \
	"$(median "${APPLIED[@]}")" "$(median "${FIRST[@]}")"
echo "failover gap ms: $(median "${GAP[@]}")"
