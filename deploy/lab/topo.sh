# SPDX-License-Identifier: Apache-2.0
# deploy/lab/topo.sh: the lab the integration tests and benchmarks run in, as a bash library to source.
#
#   hostA 192.0.2.10/25 -- gwA ==== br0 in "inet", 198.51.100.0/24 ==== gwB -- hostB 192.0.2.130/25
#                                       |            |
#                               eve 198.51.100.66   gwC 198.51.100.3 -- hostC 203.0.113.10/24
#                                                   (only with `topo_up PREFIX gwC`)
#
#   hostA  lan0 192.0.2.10/25, default via 192.0.2.1
#   gwA    lan0 192.0.2.1/25,  wan0 198.51.100.1/24, 192.0.2.128/25 via 198.51.100.2
#   gwB    wan0 198.51.100.2/24, lan0 192.0.2.129/25, 192.0.2.0/25 via 198.51.100.1
#   hostB  lan0 192.0.2.130/25, default via 192.0.2.129
#   eve    wan0 198.51.100.66/24 (captures, forges packets; no routes beyond its segment)
#   gwC    wan0 198.51.100.3/24, lan0 203.0.113.1/24; hostC lan0 203.0.113.10/24
#   inet   br0 bridging the ports gwA, gwB, eve (, gwC): capture the internet link here.
#          A plain switch: no netfilter on bridged frames (bridge-nf-call-* 0 in inet).
#
# The gateways' main tables route the far site in clear, so with no daemon running the lab is
# the "without IPsec" baseline; datad adds its own routes (table 220) and nftables table.
#
# Every namespace is PREFIX-NAME (e.g. gw4242-gwA) and nothing is connected to the host's own
# network, so parallel runs never collide.  Addresses are documentation ranges only.
#
# Use:
#	source deploy/lab/topo.sh
#	topo_trap			# cleanup (kill our PIDs, delete namespaces) on any exit
#	topo_up "gw$$" || exit 1
#	gw_start gwA deploy/examples/gwA.conf
#	nsx hostA ping -c1 192.0.2.130
#
# Rules kept here: processes are stopped by the PID we started them with, never by name; only
# namespaces named PREFIX-* that this run created are deleted.  Start daemons and background
# helpers from the main shell, not from $(...) or a pipeline, so their PIDs stay our children.
#
# Variables: GW_SRC (repo, default: two levels up from this file), GW_BIN (default
# $GW_SRC/build/bin), GW_RUN (per-run directory, made by topo_up when unset), GW_TUN (datad's TUN
# name, default gw0), GW_TABLE (datad's routing table, default 220), GW_VERBOSE (passed as -v to
# the daemons when set), GW_KEEP=1 keeps GW_RUN after the cleanup.

case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH="/usr/sbin:/sbin:$PATH" ;; esac

GW_SRC=${GW_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
GW_BIN=${GW_BIN:-$GW_SRC/build/bin}
GW_TUN=${GW_TUN:-gw0}
GW_TABLE=${GW_TABLE:-220}		# datad's routing table (its -T default)
GW_PY=${GW_PY:-/usr/bin/python3}	# Debian's python3, the one that sees python3-scapy

TOPO_PREFIX=${TOPO_PREFIX:-}
TOPO_NODES=()				# short names of the namespaces this run created
declare -gA TOPO_PIDS=()		# pid -> what it is, for every background process we started
declare -gA GW_PID=()			# "gwA/controld", "gwA/datad" -> pid
declare -gA CAP_PID=()			# pcap file -> tcpdump pid
LAST_PID=				# set by nsx_bg
TOPO_MADE_RUN=0				# 1 when topo_init made GW_RUN (so cleanup removes it)

topo_log() { printf 'topo: %s\n' "$*" >&2; }

# _t CMD...: run one setup step; on failure say which one and return 1.
_t() { "$@" || { topo_log "failed: $*"; return 1; }; }

# ---------------------------------------------------------------- namespaces and commands

# ns_name NAME: the real namespace name of short NAME.
ns_name() { printf '%s-%s' "$TOPO_PREFIX" "$1"; }

# nsx NAME CMD...: run CMD inside namespace NAME (ip netns exec execs it: same PID).
nsx() { local n=$1; shift; ip netns exec "$(ns_name "$n")" "$@"; }

# nsx_bg NAME LOG CMD...: start CMD in the background in NAME, stdout+stderr appended to LOG;
# its PID is left in LAST_PID and remembered for the cleanup.
nsx_bg()
{
	local n=$1 log=$2; shift 2
	ip netns exec "$(ns_name "$n")" "$@" >>"$log" 2>&1 </dev/null &
	LAST_PID=$!
	TOPO_PIDS[$LAST_PID]="$n: $*"
}

# pid_stop PID [SIGNAL [TIMEOUT]]: signal one of our PIDs (default TERM), wait up to TIMEOUT s
# (default 5), SIGKILL if still there, reap it.  Returns its exit status (137 if we had to kill).
pid_stop()
{
	local pid=$1 sig=${2:-TERM} tmo=${3:-5} i rc=0
	[ -n "$pid" ] || return 0
	kill -"$sig" "$pid" 2>/dev/null
	for ((i = 0; i < tmo * 20; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		topo_log "pid $pid (${TOPO_PIDS[$pid]:-?}) ignored SIG$sig for ${tmo}s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null || rc=$?
	unset "TOPO_PIDS[$pid]"
	return "$rc"
}

# topo_ns_add NAME: one namespace with lo up and IPv6 off (so captures hold only what tests send).
topo_ns_add()
{
	local ns
	ns=$(ns_name "$1")
	_t ip netns add "$ns" || return 1
	TOPO_NODES+=("$1")
	_t ip -n "$ns" link set lo up || return 1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
}

# topo_link A IFA B IFB: a veth pair, IFA in A and IFB in B, both up.
topo_link()
{
	_t ip -n "$(ns_name "$1")" link add "$2" type veth peer name "$4" netns "$(ns_name "$3")" ||
		return 1
	_t ip -n "$(ns_name "$1")" link set "$2" up && _t ip -n "$(ns_name "$3")" link set "$4" up
}

# topo_router NAME: forward, and no reverse-path filter (ESP and forged packets arrive on wan0
# for addresses routed elsewhere).
topo_router()
{
	local dev
	_t nsx "$1" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0 >/dev/null || return 1
	for dev in lo lan0 wan0; do
		nsx "$1" sysctl -qw "net.ipv4.conf.$dev.rp_filter=0" >/dev/null 2>&1 || true
	done
}

# topo_init PREFIX: name this run's namespaces and make GW_RUN; no namespace yet.
topo_init()
{
	TOPO_PREFIX=${1:?topo_init PREFIX}
	if ip netns list | awk '{print $1}' | grep -q "^$TOPO_PREFIX-"; then
		topo_log "namespaces $TOPO_PREFIX-* already exist; pick another prefix"
		return 1
	fi
	if [ -z "${GW_RUN:-}" ]; then
		GW_RUN=$(mktemp -d "/tmp/ipsecgw-$TOPO_PREFIX.XXXXXX") || return 1
		TOPO_MADE_RUN=1
	fi
	mkdir -p "$GW_RUN"
}

# topo_up PREFIX [gwC]: build the lab (gwC and hostC too when asked).
topo_up()
{
	local with_c=0
	[ "${2:-}" = gwC ] && with_c=1
	topo_init "$1" || return 1
	_topo_build "$with_c" || { topo_log "topology $1 failed"; return 1; }
}

_topo_build()
{
	local n nodes=(hostA gwA inet gwB hostB eve)
	[ "$1" = 1 ] && nodes+=(gwC hostC)
	for n in "${nodes[@]}"; do topo_ns_add "$n" || return 1; done

	# The internet: one bridge, no STP, forwarding at once.
	_t ip -n "$(ns_name inet)" link add br0 type bridge stp_state 0 forward_delay 0 || return 1
	_t ip -n "$(ns_name inet)" link set br0 up || return 1
	# A switch, not a firewall: where br_netfilter is loaded (as on hosts that run Docker),
	# every namespace's bridge hands each frame to iptables/nftables (bridge-nf-call-*, on by
	# default), which cost the lab more per packet than the bridge itself (perf, datad on
	# AF_XDP: 16 % of the sender's CPU in br_nf_pre_routing).  Off in this namespace only.
	nsx inet sh -c 'for f in /proc/sys/net/bridge/bridge-nf-call-*; do
		[ -w "$f" ] && echo 0 >"$f"; done; :' || return 1
	for n in gwA gwB eve $([ "$1" = 1 ] && echo gwC); do
		topo_link "$n" wan0 inet "$n" || return 1
		_t ip -n "$(ns_name inet)" link set "$n" master br0 || return 1
	done
	topo_link hostA lan0 gwA lan0 || return 1
	topo_link gwB lan0 hostB lan0 || return 1

	_t nsx hostA ip addr add 192.0.2.10/25 dev lan0 || return 1
	_t nsx hostA ip route add default via 192.0.2.1 || return 1
	_t nsx gwA ip addr add 192.0.2.1/25 dev lan0 || return 1
	_t nsx gwA ip addr add 198.51.100.1/24 dev wan0 || return 1
	_t nsx gwA ip route add 192.0.2.128/25 via 198.51.100.2 || return 1
	_t nsx gwB ip addr add 198.51.100.2/24 dev wan0 || return 1
	_t nsx gwB ip addr add 192.0.2.129/25 dev lan0 || return 1
	_t nsx gwB ip route add 192.0.2.0/25 via 198.51.100.1 || return 1
	_t nsx hostB ip addr add 192.0.2.130/25 dev lan0 || return 1
	_t nsx hostB ip route add default via 192.0.2.129 || return 1
	_t nsx eve ip addr add 198.51.100.66/24 dev wan0 || return 1
	topo_router gwA && topo_router gwB || return 1

	if [ "$1" = 1 ]; then
		topo_link gwC lan0 hostC lan0 || return 1
		_t nsx gwC ip addr add 198.51.100.3/24 dev wan0 || return 1
		_t nsx gwC ip addr add 203.0.113.1/24 dev lan0 || return 1
		_t nsx gwC ip route add 192.0.2.0/25 via 198.51.100.1 || return 1
		_t nsx gwC ip route add 192.0.2.128/25 via 198.51.100.2 || return 1
		_t nsx gwA ip route add 203.0.113.0/24 via 198.51.100.3 || return 1
		_t nsx gwB ip route add 203.0.113.0/24 via 198.51.100.3 || return 1
		_t nsx hostC ip addr add 203.0.113.10/24 dev lan0 || return 1
		_t nsx hostC ip route add default via 203.0.113.1 || return 1
		topo_router gwC || return 1
	fi
}

# topo_down [PREFIX]: delete the namespaces PREFIX-*, first killing (by PID) whatever still
# lives in them; a namespace of ours holds only processes this run started.
topo_down()
{
	local p=${1:-$TOPO_PREFIX} ns pid
	[ -n "$p" ] || return 0
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$p-"); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null || topo_log "could not delete namespace $ns"
	done
	[ "$p" = "$TOPO_PREFIX" ] && TOPO_NODES=()
	return 0
}

# topo_reap_stale: delete namespaces gwPID-* left by runs that were killed outright (SIGKILL
# from a ctest timeout leaves no trap to run): only those whose PID no longer exists.
topo_reap_stale()
{
	local ns pid done=" "
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' |
	    grep -E '^gw[0-9]+-(hostA|gwA|inet|gwB|hostB|eve|gwC|hostC|cfg)$'); do
		pid=${ns%%-*}; pid=${pid#gw}
		[[ $done == *" $pid "* ]] && continue
		done+="$pid "
		if ! kill -0 "$pid" 2>/dev/null; then
			topo_log "removing stale namespaces of dead run gw$pid"
			topo_down "gw$pid"
		fi
	done
}

# topo_cleanup: stop every PID we started (TERM, then KILL), delete the namespaces, remove
# GW_RUN if we made it (unless GW_KEEP=1).  Keeps the exit status it was called with.
topo_cleanup()
{
	local rc=$? pid
	trap - EXIT INT TERM
	for pid in "${!TOPO_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
	for pid in "${!TOPO_PIDS[@]}"; do pid_stop "$pid" TERM 2 >/dev/null 2>&1; done
	GW_PID=(); CAP_PID=()
	topo_down
	if [ "$TOPO_MADE_RUN" = 1 ] && [ "${GW_KEEP:-0}" != 1 ] && [ -n "${GW_RUN:-}" ]; then
		rm -rf "$GW_RUN"
	elif [ -n "${GW_RUN:-}" ] && [ -d "$GW_RUN" ]; then
		topo_log "kept $GW_RUN"
	fi
	return "$rc"
}

# topo_trap: run topo_cleanup on exit, also on Ctrl-C and SIGTERM.
topo_trap()
{
	trap topo_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# ns_mac NAME IF: MAC address of IF in NAME.
ns_mac() { nsx "$1" cat "/sys/class/net/$2/address"; }

# ---------------------------------------------------------------- gateways

# gw_dir NAME: where NAME's sockets, state and logs live.
gw_dir() { printf '%s/%s' "$GW_RUN" "$1"; }
gw_link_ep() { printf 'ipc://%s/link.sock' "$(gw_dir "$1")"; }
gw_cli_ep() { printf 'ipc://%s/cli.sock' "$(gw_dir "$1")"; }

_gw_bin()
{
	[ -x "$GW_BIN/$1" ] && return 0
	topo_log "$GW_BIN/$1 not found or not executable (build first, or set GW_BIN)"
	return 1
}

# _gw_alive NAME WHAT: is NAME's controld/datad running?
_gw_alive() { local p=${GW_PID[$1/$2]:-}; [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# _gw_died NAME WHAT: report a daemon that exited during start, with its log tail.
_gw_died()
{
	local p=${GW_PID[$1/$2]} rc=0
	wait "$p" 2>/dev/null || rc=$?
	unset "TOPO_PIDS[$p]" "GW_PID[$1/$2]"
	topo_log "$1: $2 exited with status $rc during start; last lines of its log:"
	tail -n 20 "$(gw_dir "$1")/$2.log" | sed 's/^/    /' >&2
	return 1
}

# gw_start_controld NAME CONF: start controld in NAME, wait (5 s) for its CLI socket.  Extra
# options for controld in GW_CONTROLD_ARGS (split on blanks).
gw_start_controld()
{
	local n=$1 conf=$2 d i
	d=$(gw_dir "$n")
	_gw_bin controld || return 1
	_gw_alive "$n" controld && { topo_log "$n: controld already running"; return 1; }
	[ -r "$conf" ] || { topo_log "$n: cannot read $conf"; return 1; }
	mkdir -p "$d/state"
	rm -f "$d/cli.sock" "$d/link.sock"	# left by a controld we killed
	echo "--- topo: $(date '+%F %T.%N') starting controld -f $conf" >>"$d/controld.log"
	nsx_bg "$n" "$d/controld.log" "$GW_BIN/controld" -f "$conf" -l "$(gw_link_ep "$n")" \
		-s "$(gw_cli_ep "$n")" -S "$d/state" ${GW_VERBOSE:+-v "$GW_VERBOSE"} \
		${GW_CONTROLD_ARGS:-}
	GW_PID[$n/controld]=$LAST_PID
	for ((i = 0; i < 100; i++)); do
		_gw_alive "$n" controld || { _gw_died "$n" controld; return 1; }
		[ -S "$d/cli.sock" ] && [ -S "$d/link.sock" ] && return 0
		sleep 0.05
	done
	topo_log "$n: controld made no sockets in $d within 5 s"
	return 1
}

# gw_start_datad NAME: start datad in NAME, wait (5 s) until it has applied its tables: its TUN
# exists and its routing table (GW_TABLE, default 220) routes something into it.  Extra
# options for datad in GW_DATAD_ARGS (split on blanks).
gw_start_datad()
{
	local n=$1 d i
	d=$(gw_dir "$n")
	_gw_bin datad || return 1
	_gw_alive "$n" datad && { topo_log "$n: datad already running"; return 1; }
	mkdir -p "$d"
	echo "--- topo: $(date '+%F %T.%N') starting datad" >>"$d/datad.log"
	nsx_bg "$n" "$d/datad.log" "$GW_BIN/datad" -c "$(gw_link_ep "$n")" -t "$GW_TUN" \
		${GW_WORKER_ID:+-i "$GW_WORKER_ID"} ${GW_VERBOSE:+-v "$GW_VERBOSE"} \
		${GW_DATAD_ARGS:-}
	GW_PID[$n/datad]=$LAST_PID
	for ((i = 0; i < 100; i++)); do
		_gw_alive "$n" datad || { _gw_died "$n" datad; return 1; }
		[ -n "$(nsx "$n" ip route show table "$GW_TABLE" dev "$GW_TUN" 2>/dev/null)" ] &&
			return 0
		sleep 0.05
	done
	topo_log "$n: datad routed nothing into $GW_TUN (table $GW_TABLE) within 5 s"
	return 1
}

# gw_start NAME CONF: controld, then datad, in NAME.
gw_start() { gw_start_controld "$1" "$2" && gw_start_datad "$1"; }

# _gw_stop NAME WHAT: SIGTERM one daemon; non-zero unless it exits 0 within 5 s.
_gw_stop()
{
	local p=${GW_PID[$1/$2]:-} rc=0
	[ -n "$p" ] || { topo_log "$1: no $2 of ours to stop"; return 1; }
	pid_stop "$p" TERM 5 || rc=$?
	unset "GW_PID[$1/$2]"
	[ "$rc" = 0 ] || topo_log "$1: $2 (pid $p) exited with status $rc after SIGTERM"
	return "$rc"
}
gw_stop_datad() { _gw_stop "$1" datad; }
gw_stop_controld() { _gw_stop "$1" controld; }

# gw_stop NAME: datad then controld; non-zero if either did not exit cleanly.
gw_stop()
{
	local rc=0
	if [ -n "${GW_PID[$1/datad]:-}" ]; then gw_stop_datad "$1" || rc=1; fi
	if [ -n "${GW_PID[$1/controld]:-}" ]; then gw_stop_controld "$1" || rc=1; fi
	return "$rc"
}

# gw_kill_datad NAME: kill -9 NAME's datad (by its PID) and reap it.
gw_kill_datad()
{
	local p=${GW_PID[$1/datad]:-}
	[ -n "$p" ] || { topo_log "$1: no datad of ours to kill"; return 1; }
	kill -KILL "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	unset "TOPO_PIDS[$p]" "GW_PID[$1/datad]"
	echo "--- topo: $(date '+%F %T.%N') datad pid $p killed with SIGKILL" >>"$(gw_dir "$1")/datad.log"
	return 0
}

# gw_running: the gateways with a daemon of ours running.
gw_running()
{
	local k
	for k in "${!GW_PID[@]}"; do echo "${k%/*}"; done | sort -u
}

# gwctl_in NAME "COMMAND": run one CLI command against NAME's controld (10 s at most).
gwctl_in()
{
	_gw_bin gwctl || return 1
	nsx "$1" timeout 10 "$GW_BIN/gwctl" -s "$(gw_cli_ep "$1")" -c "$2"
}

# gw_synced NAME: every worker of NAME that is up says it runs controld's generation (show
# workers: the header's "Generation N" and each worker's row); false with no worker up.
gw_synced()
{
	gwctl_in "$1" "show workers" 2>/dev/null | awk '
		/^Generation [0-9]+,/ { g = $2; sub(/,$/, "", g) }
		$3 ~ /^[0-9]+$/ && $4 == "up" && $5 ~ /^[0-9]+$/ { n++; if ($5 != g) bad++ }
		END { exit !(g != "" && n > 0 && !bad) }'
}

# ---------------------------------------------------------------- capture and traffic

# cap_start NAME IF FILE [FILTER...]: tcpdump on IF in NAME into FILE; returns once it listens.
cap_start()
{
	local n=$1 ifc=$2 f=$3 i; shift 3
	: >"$f.log"
	nsx_bg "$n" "$f.log" tcpdump -i "$ifc" -n -Z root -s 0 -B 32768 -U --immediate-mode -w "$f" "$@"
	CAP_PID[$f]=$LAST_PID
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$f.log" && return 0
		kill -0 "$LAST_PID" 2>/dev/null || break
		sleep 0.05
	done
	topo_log "tcpdump on $n/$ifc did not start:"; sed 's/^/    /' "$f.log" >&2
	return 1
}

# cap_stop FILE: let the last packets land, stop that tcpdump, make sure the file is complete.
cap_stop()
{
	local p=${CAP_PID[$1]:-}
	[ -n "$p" ] || return 0
	sleep 0.3
	pid_stop "$p" INT 5 >/dev/null 2>&1
	unset "CAP_PID[$1]"
	[ -f "$1" ]
}

# cap_count FILE FILTER: how many packets of FILE match the display FILTER.
cap_count() { tshark -n -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | wc -l; }

# wait_ping NAME DST [TIMEOUT]: ping DST from NAME until one answer (default 10 s).
wait_ping()
{
	local end=$((SECONDS + ${3:-10}))
	while [ "$SECONDS" -lt "$end" ]; do
		nsx "$1" ping -n -c1 -W1 "$2" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# wait_listen NAME PORT [tcp|udp]: wait (5 s) until something listens on PORT in NAME.
wait_listen()
{
	local i opt=-Hltn
	[ "${3:-tcp}" = udp ] && opt=-Hlun
	for ((i = 0; i < 100; i++)); do
		[ -n "$(nsx "$1" ss "$opt" "sport = :$2" 2>/dev/null)" ] && return 0
		sleep 0.05
	done
	topo_log "nothing listens on $3 port $2 in $1"
	return 1
}

# xfer FROM TO DST_IP PORT IN OUT: send file IN from FROM to TO with nc over TCP, written to OUT
# at the far end (60 s at most).  Compare the checksums yourself (sha256_of).
xfer()
{
	local from=$1 to=$2 ip=$3 port=$4 in=$5 out=$6 rpid rc=0
	: >"$out"
	# shellcheck disable=SC2016 # $1 and $2 are the inner shell's
	nsx_bg "$to" "$out.log" sh -c 'exec nc -l -n -p "$1" >"$2"' nc-recv "$port" "$out"
	rpid=$LAST_PID
	wait_listen "$to" "$port" tcp || { pid_stop "$rpid"; return 1; }
	nsx "$from" timeout 60 nc -n -N "$ip" "$port" <"$in" || rc=$?
	# The receiver ends when the sender's FIN arrives; give it the rest of the 60 s.
	if [ "$rc" = 0 ]; then
		local i
		for ((i = 0; i < 600; i++)); do kill -0 "$rpid" 2>/dev/null || break; sleep 0.1; done
	fi
	pid_stop "$rpid" TERM 1 >/dev/null 2>&1 || [ "$rc" != 0 ] || rc=0
	[ "$rc" = 0 ] || topo_log "transfer $from -> $ip:$port failed (nc status $rc)"
	return "$rc"
}

# sha256_of NAME FILE: checksum of FILE computed inside NAME (the far end).
sha256_of() { nsx "$1" sha256sum "$2" | awk '{print $1}'; }

# iperf_mbps FROM TO DST_IP SECONDS [JSONFILE]: one TCP iperf3 run; prints Mbit/s received.
iperf_mbps()
{
	local from=$1 to=$2 ip=$3 t=$4 json=${5:-$GW_RUN/iperf.$$.json} spid rc=0
	nsx_bg "$to" "$json.server.log" iperf3 -s -1 -B "$ip" -p 5201
	spid=$LAST_PID
	wait_listen "$to" 5201 tcp || { pid_stop "$spid"; return 1; }
	nsx "$from" timeout $((t + 30)) iperf3 -c "$ip" -p 5201 -t "$t" -J >"$json" 2>&1 || rc=$?
	pid_stop "$spid" TERM 2 >/dev/null 2>&1
	[ "$rc" = 0 ] || { topo_log "iperf3 failed:"; tail -n 5 "$json" >&2; return 1; }
	"$GW_PY" -c 'import json,sys
print("%.0f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))' \
		"$json"
}

# ---------------------------------------------------------------- keys of a config, for dissectors

# conf_esp_sas CONF: the manual ESP SAs of an ipsec-manual crypto map, one per line:
#	dir|spi|src|dst|wireshark-encryption|wireshark-authentication|scapy-crypt|scapy-auth|ckey|akey
# src/dst are the tunnel endpoints as seen on the wire (outbound: this gateway -> peer).  The
# gateway's own address is that of the interface carrying "crypto map".  Tunnel mode assumed.
conf_esp_sas()
{
	awk '
	# The interface that carries "crypto map" gives our tunnel address.
	function end_iface() { if (if_map && if_addr != "") local_ip = if_addr; if_map = 0; if_addr = "" }
	/^[ \t]*!/ || /^[ \t]*$/	{ next }
	/^[^ \t]/ {				# a top-level command ends the block before it
		end_iface(); in_if = 0; in_map = 0
		if ($1 == "interface") in_if = 1
		if ($1 == "crypto" && $2 == "map" && NF >= 4) { in_map = 1; ne++ }
		if ($1 == "crypto" && $2 == "ipsec" && $3 == "transform-set") {
			t = ""; for (i = 5; i <= NF; i++) t = t " " $i; ts[$4] = t
		}
		next
	}
	in_if && $1 == "ip" && $2 == "address"	{ if_addr = $3 }
	in_if && $1 == "crypto" && $2 == "map"	{ if_map = 1 }
	in_map && $1 == "set" && $2 == "peer"	{ peer[ne] = $3 }
	in_map && $1 == "set" && $2 == "transform-set"	{ tsn[ne] = $3 }
	in_map && $1 == "set" && $2 == "session-key" && $4 == "esp" {
		n++; ent[n] = ne; dir[n] = $3; spi[n] = $5; ck[n] = ""; ak[n] = ""
		for (i = 6; i < NF; i++) {
			if ($i == "cipher") ck[n] = $(i + 1)
			if ($i == "authenticator") ak[n] = $(i + 1)
		}
	}
	END {
		end_iface()
		for (k = 1; k <= n; k++) {
			we = "NULL"; wa = "NULL"; se = "NULL"; sa = "NULL"
			m = split(ts[tsn[ent[k]]], tf, " ")
			for (i = 1; i <= m; i++) {
				if (tf[i] == "esp-aes")   { we = "AES-CBC [RFC3602]"; se = "AES-CBC" }
				if (tf[i] == "esp-des")   { we = "DES-CBC [RFC2405]"; se = "DES" }
				if (tf[i] == "esp-3des")  { we = "TripleDES-CBC [RFC2451]"; se = "3DES" }
				if (tf[i] == "esp-gcm")   { we = "AES-GCM with 16 octet ICV [RFC4106]"; se = "AES-GCM" }
				if (tf[i] == "esp-sha-hmac")    { wa = "HMAC-SHA-1-96 [RFC2404]"; sa = "HMAC-SHA1-96" }
				if (tf[i] == "esp-md5-hmac")    { wa = "HMAC-MD5-96 [RFC2403]"; sa = "HMAC-MD5-96" }
				if (tf[i] == "esp-sha256-hmac") { wa = "HMAC-SHA-256-128 [RFC4868]"; sa = "SHA2-256-128" }
			}
			p = peer[ent[k]]
			if (dir[k] == "outbound") { s = local_ip; d = p } else { s = p; d = local_ip }
			printf "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n", dir[k], spi[k], s, d, we, wa, se, sa, ck[k], ak[k]
		}
	}' "$1"
}

# esp_tshark_opts CONF...: the tshark/wireshark options that decrypt the manual SAs of the
# configs (one option word per line: read them with mapfile).  Format verified on tshark 4.0.17,
# 8 fields (protocol, src, dst, SPI, encryption, key, authentication, key):
#   -o 'uat:esp_sa:"IPv4","SRC","DST","0xSPI8HEX","AES-CBC [RFC3602]","0xKEY",
#       "HMAC-SHA-1-96 [RFC2404]","0xKEY"'	(one line; "*" is a wildcard for SRC/DST)
# Other names it takes: "TripleDES-CBC [RFC2451]", "DES-CBC [RFC2405]", "NULL" (key ""),
# "AES-GCM with 16 octet ICV [RFC4106]" (key + 4-byte salt, authentication "NULL"),
# "HMAC-MD5-96 [RFC2403]", "HMAC-SHA-256-128 [RFC4868]".
esp_tshark_opts()
{
	local conf spi src dst we wa ck ak seen=" "
	printf '%s\n' -o esp.enable_encryption_decode:TRUE -o esp.enable_authentication_check:TRUE
	for conf in "$@"; do
		while IFS='|' read -r _ spi src dst we wa _ _ ck ak; do
			[[ $seen == *" $spi/$src "* ]] && continue	# both ends list each SA
			seen+="$spi/$src "
			printf -- '-o\nuat:esp_sa:"IPv4","%s","%s","0x%08x","%s","%s","%s","%s"\n' \
				"$src" "$dst" "$spi" "$we" "${ck:+0x$ck}" "$wa" "${ak:+0x$ak}"
		done < <(conf_esp_sas "$conf")
	done
}
