#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/tunnel.sh: the end-to-end tunnel benchmark (`bench/run.sh tunnel [build dir]`).
#
# In the lab of deploy/lab/topo.sh (network namespaces only, documentation addresses), hostA ->
# hostB through gwA and gwB, with iperf3:
#   TCP, 1 stream and 4 streams (Mbit/s received), and UDP at full speed (-b 0) with 1400-byte
#   and 64-byte IP packets (-l 1372 / -l 36: both fit the tunnels' MTU of 1400), reported as the
#   packets per second the receiver got, and the loss.
# for each setup, in this order (ids for BENCH_SETUPS):
#   plain          plain forwarding, no IPsec (the lab's own routes): the ceiling of the lab
#   gcm128         our controld + datad, manual SAs, esp-gcm 128 (AES-128-GCM), datad's
#                  default I/O (no --io); labelled with what that is ("raw (default)")
#   gcm128-raw     the same with datad --io raw: ESP on raw sockets (the fallback)
#   gcm128-xdp     the same with datad --io auto: ESP by AF_XDP where XDP attaches
#                  (docs/adr/0016-af-xdp-transmit.md), else raw ('[raw!]' in its label)
#                  One of these two is the default I/O: that one is the gcm128 row, not run
#                  twice (datad --help says which; BENCH_IO_DEFAULT overrides)
#   gcm128-udp     gcm128 in UDP 4500 (RFC 3948: `set nat-t udp-encapsulation`), where UDP GSO
#                  and GRO carry the ESP (datad/udpgso.c)
#   aes128, aes128-raw, aes128-xdp, aes128-udp: the same four with esp-aes 128 esp-sha-hmac
#                  (AES-128-CBC + HMAC-SHA-1-96)
#   aes256         esp-aes 256 esp-sha-hmac, default I/O (only when BENCH_SETUPS names it)
#   ss-gcm         strongSwan 5.9.8 on both gateways (charon-systemd + kernel-libipsec, IKEv2
#                  PSK), esp_proposals = aes128gcm16
#   ss-aes128      strongSwan, esp_proposals = aes128-sha1
# The topology is drawn again for every setup (nothing of one setup survives into the next).
# While each test runs, the CPU time (utime + stime from /proc/PID/stat) of datad (or charon)
# on gwA and gwB, both controlds and the iperf3 server is taken, the client's from its own
# JSON, and /proc/stat's softirq and busy time of all cores.
#
# Prints on stdout one table of medians of BENCH_RUNS runs (ratios to plain forwarding and to
# strongSwan with the same algorithm, all measured in this run), then where the CPU goes per
# GB received (per process, user and system) for the tests of BENCH_CPU_TESTS, which I/O path
# each gateway ran, and last the two lines `tunnel tcp1 gcm128 ours/plain: X.XX` and
# `tunnel tcp1 gcm128 ours/strongswan: Y.YY`.  Saves that, every ratio and every test's spread
# as bench/out/tunnel-DATE.txt; progress on stderr.  docs/bench.md explains every figure.
#
# Environment:
#   GW_BIN=DIR            controld and datad (default: build/bin; bench/run.sh passes its build dir)
#   BENCH_RUNS=3          runs of each test per setup (the median is reported)
#   BENCH_SECONDS=3       seconds per iperf3 test (iperf3 -t)
#   BENCH_SETUPS=LIST     only these setups, comma-separated ids of the list above (default:
#                         all but aes256)
#   BENCH_CPU_TESTS="tcp1 udp1400"  the tests whose CPU per GB is shown (of tcp1 tcp4 udp1400
#                         udp64)
#   BENCH_IO_DEFAULT=raw|auto|xdp   datad's I/O without --io, when its --help does not say
#   BENCH_INSTALL=0       never install strongSwan (its rows say n/a when it is missing)
#   BENCH_NOISY=10        a run that starts with the machine >= this % busy (of all cores, 0.5 s
#                         sample, before the run) marks its setup with '*' in the table
#   BENCH_QUIET_WAIT=0    wait up to this many seconds before each run for the machine to be
#                         quieter than BENCH_NOISY (for a machine shared with other work)
#   BENCH_UDP_RCVBUF=2M   the UDP tests' socket buffers (iperf3 -w, which the server takes for
#                         its receive buffer), every setup; 0: iperf3's default (the kernel's,
#                         208 KB); capped by net.core.rmem_max
#   BENCH_UDP_GRO_FWD=1   GRO of forwarded UDP on gwA's and gwB's lan0 (ethtool -K lan0 gro on
#                         rx-udp-gro-forwarding on), in every setup (default 0: off)
#   BENCH_OUT=DIR         where the table is saved (default bench/out)
#   BENCH_PERF=1          profile the first run of every test: `perf record -a` (all cores, every
#                         process and the kernel, 997 Hz) while iperf3 runs, saved as
#                         BENCH_OUT/tunnel-DATE-perf/SETUP-TEST.txt (the top symbols by command,
#                         object and symbol); needs perf (package linux-perf).  BENCH_PERF=g:
#                         the same with call graphs (perf record -g), each symbol with its callers
#   BENCH_DATAD_ARGS=...  more options for every datad of our setups (e.g. --tun-read read)
#   BENCH_BASE=DIR        a second build's bin/ (e.g. the code before a change): each of our
#                         setups is measured with it too, just before the same setup with
#                         GW_BIN, as a row "... [base]"; its default I/O is its own (its --help,
#                         or BENCH_BASE_IO=raw|auto|xdp); the ratios ours/base are printed
#                         before the last two lines
#   GW_KEEP=1             keep the work directory (configs, daemon and charon logs, iperf3 JSON)
set -uo pipefail
GW_SRC=$(cd "$(dirname "$0")/.." && pwd)
export GW_SRC
GW_BIN=${GW_BIN:-$GW_SRC/build/bin}
MAIN_BIN=$GW_BIN	# GW_BIN is BENCH_BASE's while a [base] row runs
source "$GW_SRC/deploy/lab/topo.sh"
source "$GW_SRC/bench/common.sh"

RUNS=${BENCH_RUNS:-3}
SECS=${BENCH_SECONDS:-3}
OUTDIR=${BENCH_OUT:-$GW_SRC/bench/out}
PERF_DIR=$OUTDIR/tunnel-$(date +%Y%m%d-%H%M%S)-perf	# BENCH_PERF=1's reports
UDP_BIG=1400		# IP packet sizes of the UDP tests (iperf3 -l = size - 28)
UDP_SMALL=64
RCVBUF=${BENCH_UDP_RCVBUF:-2M}
HOST_B=192.0.2.130
PORT=5201
HZ=$(getconf CLK_TCK)
SS_DIR=$GW_SRC/bench/strongswan

# id|label|kind|algorithm|same-algorithm strongSwan id|datad's --io (default: none given)
# One of the -raw / -xdp rows is datad's default I/O (io_default, below): that one is not run
# on its own, its row is the plain id's (gcm128, aes128), run without --io and labelled so.
SETUPS=(
	"plain|plain forwarding|plain|||"
	"gcm128|ours gcm128|ours|esp-gcm 128|ss-gcm|default"
	"gcm128-raw|ours gcm128, raw|ours|esp-gcm 128|ss-gcm|raw"
	"gcm128-xdp|ours gcm128, AF_XDP|ours|esp-gcm 128|ss-gcm|auto"
	"gcm128-udp|ours gcm128, ESP in UDP|ours-udp|esp-gcm 128|ss-gcm|default"
	"aes128|ours aes128-sha1|ours|esp-aes 128 esp-sha-hmac|ss-aes128|default"
	"aes128-raw|ours aes128-sha1, raw|ours|esp-aes 128 esp-sha-hmac|ss-aes128|raw"
	"aes128-xdp|ours aes128-sha1, AF_XDP|ours|esp-aes 128 esp-sha-hmac|ss-aes128|auto"
	"aes128-udp|ours aes128-sha1, ESP in UDP|ours-udp|esp-aes 128 esp-sha-hmac|ss-aes128|default"
	"aes256|ours aes256-sha1|ours|esp-aes 256 esp-sha-hmac||default"
	"ss-gcm|strongSwan aes128gcm16|ss|aes128gcm16||"
	"ss-aes128|strongSwan aes128-sha1|ss|aes128-sha1||"
)
# run when BENCH_SETUPS is not given (aes256 only on request: AES-256 costs what AES-128 does
# next to HMAC-SHA-1 and the crossings, docs/bench.md)
DEFAULT_SETUPS="plain gcm128 gcm128-raw gcm128-xdp gcm128-udp aes128 aes128-raw aes128-xdp
	aes128-udp ss-gcm ss-aes128"

say() { printf '%s\n' "$*" >&2; }
die() { say "bench tunnel: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run me as root (network namespaces)"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ $SECS =~ ^[1-9][0-9]*$ ]] || die "BENCH_SECONDS must be a positive integer (iperf3 -t)"
[[ ${BENCH_NOISY:-10} =~ ^[0-9]+$ ]] || die "BENCH_NOISY must be a percentage"
[[ ${BENCH_QUIET_WAIT:-0} =~ ^[0-9]+$ ]] || die "BENCH_QUIET_WAIT must be a number of seconds"
for c in iperf3 ip nft openssl "$GW_PY"; do
	command -v "$c" >/dev/null || die "$c not found (deploy/install-deps.sh installs it)"
done

# ---------------------------------------------------------------- which setups
declare -A LABEL=() KIND=() ALG=() PEER=() WANT=() NOTE=() IO=() ALIAS=() IO_SEEN=()
declare -A BIN=() IODEF=() BASE_OF=()	# a [base] row's binaries and default I/O; ID -> its base
declare -A LOG_FROM=()			# gwA, gwB -> where this setup's lines begin in datad.log
ORDER=()
for s in "${SETUPS[@]}"; do
	IFS='|' read -r id label kind alg peer io <<<"$s"
	ORDER+=("$id"); LABEL[$id]=$label; KIND[$id]=$kind; ALG[$id]=$alg; PEER[$id]=$peer
	IO[$id]=$io; WANT[$id]=0
done

# io_default: datad's I/O when no --io is given, from its --help ("(raw, the default)");
# BENCH_IO_DEFAULT=raw|auto|xdp says it instead.  What each gateway really ran is read from
# show workers afterwards (IO_SEEN) and printed under the table.
io_default()
{
	local h
	if [ -n "${BENCH_IO_DEFAULT:-}" ]; then echo "$BENCH_IO_DEFAULT"; return; fi
	h=$("${1:-$GW_BIN}/datad" --help 2>&1 | tr -s ' \n\t' '   ')
	if [[ $h =~ \((xdp|raw|auto),\ the\ default\) ]]; then echo "${BASH_REMATCH[1]}"
	else echo raw; fi
}
IO_DEFAULT=raw
[ -x "$GW_BIN/datad" ] && IO_DEFAULT=$(io_default)
[[ $IO_DEFAULT =~ ^(raw|auto|xdp)$ ]] || die "BENCH_IO_DEFAULT: raw, auto or xdp, not $IO_DEFAULT"
for id in "${ORDER[@]}"; do
	[ "${IO[$id]}" = default ] || continue
	case $IO_DEFAULT in
	raw) d=raw ;;
	*) d=xdp ;;
	esac
	[ -n "${LABEL[$id-$d]:-}" ] || continue
	ALIAS[$id-$d]=$id		# the default row stands for it
	LABEL[$id]="${LABEL[$id-$d]} (default)"
done
if [ -n "${BENCH_SETUPS:-}" ]; then
	IFS=', ' read -r -a sel <<<"$BENCH_SETUPS"
else
	read -r -d '' -a sel <<<"$DEFAULT_SETUPS"
fi
for id in "${sel[@]}"; do
	[ -n "${LABEL[$id]:-}" ] || die "unknown setup '$id' in BENCH_SETUPS (ids: ${ORDER[*]})"
	WANT[${ALIAS[$id]:-$id}]=1
done
# BENCH_BASE: a [base] row just before each of our rows, with the other build's binaries
if [ -n "${BENCH_BASE:-}" ]; then
	for b in controld datad; do
		[ -x "$BENCH_BASE/$b" ] || die "BENCH_BASE: $BENCH_BASE/$b not found"
	done
	BENCH_BASE=$(cd "$BENCH_BASE" && pwd)
	BASE_IO=${BENCH_BASE_IO:-$(BENCH_IO_DEFAULT='' io_default "$BENCH_BASE")}
	[[ $BASE_IO =~ ^(raw|auto|xdp)$ ]] || die "BENCH_BASE_IO: raw, auto or xdp, not $BASE_IO"
	o=()
	for id in "${ORDER[@]}"; do
		if [ "${WANT[$id]}" = 1 ] && [[ ${KIND[$id]} == ours* ]]; then
			b="$id@base"
			o+=("$b")
			l=${LABEL[$id]}
			if [ "${IO[$id]}" = default ]; then	# the base's own default I/O
				case $BASE_IO in raw) d=raw ;; *) d=xdp ;; esac
				[ -n "${LABEL[$id-$d]:-}" ] && l="${LABEL[$id-$d]} (default)"
			fi
			LABEL[$b]="$l [base]"; KIND[$b]=${KIND[$id]}; ALG[$b]=${ALG[$id]}
			PEER[$b]=${PEER[$id]}; IO[$b]=${IO[$id]}; WANT[$b]=1
			BIN[$b]=$BENCH_BASE; IODEF[$b]=$BASE_IO; BASE_OF[$id]=$b
		fi
		o+=("$id")
	done
	ORDER=("${o[@]}")
fi
NSTEP=0
for id in "${ORDER[@]}"; do [ "${WANT[$id]}" = 1 ] && NSTEP=$((NSTEP + 1)); done
want_kind() { local id; for id in "${ORDER[@]}"; do
	[ "${WANT[$id]}" = 1 ] && [ "${KIND[$id]}" = "$1" ] && return 0; done; return 1; }

if want_kind ours || want_kind ours-udp; then
	for b in controld datad; do
		[ -x "$GW_BIN/$b" ] || die "$GW_BIN/$b not found: build first (cmake) or set GW_BIN"
	done
fi

# ---------------------------------------------------------------- strongSwan
# ss_prepare: its packages (bench/common.sh), then what this benchmark needs of them.
ss_prepare()
{
	ss_install "bench tunnel" || return 1
	[ -x /usr/sbin/charon-systemd ] || { SS_WHY="/usr/sbin/charon-systemd missing"; return 1; }
	[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] ||
		{ SS_WHY="no kernel-libipsec plugin (libcharon-extra-plugins)"; return 1; }
	command -v swanctl >/dev/null || { SS_WHY="swanctl missing"; return 1; }
	return 0
}

# idle_check [SECONDS]: how busy the machine is (% of all cores, default 1 s) while we do
# nothing: other work on these 2 cores lowers every figure (docs/bench.md: compare only figures of
# one run).  Taken before and after the benchmark, and before every run.
idle_check()
{
	local b0 t0 b1 t1
	read -r b0 t0 < <(busy_ticks)
	sleep "${1:-1}"
	read -r b1 t1 < <(busy_ticks)
	awk -v b="$((b1 - b0))" -v t="$((t1 - t0))" 'BEGIN { if (t > 0) printf "%.0f", 100 * b / t }'
}

# ---------------------------------------------------------------- the lab
topo_trap
PREFIX="gw$$"
GW_RUN=$(mktemp -d "/tmp/ipsecgw-bench.XXXXXX") || die "mktemp"
TOPO_MADE_RUN=1

if want_kind ss && ! ss_prepare; then
	say "bench tunnel: strongSwan cannot be used: $SS_WHY (its rows say n/a)"
fi
LOAD_BEFORE=$(idle_check)
if [ "${LOAD_BEFORE:-0}" -ge 10 ]; then
	say "bench tunnel: WARNING: the machine is already ${LOAD_BEFORE}% busy (of $(nproc) cores)" \
		"before the benchmark: every figure will be low and noisy"
fi

SRV_PID=
CPU_PIDS=()		# the data-plane processes of the current setup (datad or charon, both gws)
TRACK_A='' TRACK_B=''	# gwA's, gwB's data plane (datad or charon)
CTL_PIDS=()		# both controlds
SS_PID=()		# charon of gwA, gwB

lab_up()
{
	topo_up "$PREFIX" || return 1
	udp_gro_fwd
	srv_start
}

# udp_gro_fwd: with BENCH_UDP_GRO_FWD=1, GRO of forwarded UDP on both gateways' lan0 (the
# operator's switch, docs/adr/0017-udp-offload-tun.md): what hostA sends reaches gwA's
# forwarding (and so the TUN, or plain forwarding's wan0) as UDP super-packets.  veth does
# GRO only in NAPI mode, which `gro on` turns on.  The same for every setup, plain included.
udp_gro_fwd()
{
	local gw
	[ "${BENCH_UDP_GRO_FWD:-0}" = 1 ] || return 0
	for gw in gwA gwB; do
		nsx "$gw" ethtool -K lan0 gro on rx-udp-gro-forwarding on >/dev/null 2>&1 ||
			echo "tunnel: $gw lan0: cannot turn rx-udp-gro-forwarding on" >&2
	done
}

lab_down()
{
	[ -n "$SRV_PID" ] && pid_stop "$SRV_PID" TERM 2 >/dev/null 2>&1
	SRV_PID=
	topo_down
}

srv_start()
{
	[ -n "$SRV_PID" ] && pid_stop "$SRV_PID" TERM 2 >/dev/null 2>&1
	nsx_bg hostB "$GW_RUN/iperf3-server.log" iperf3 -s -B "$HOST_B" -p "$PORT"
	SRV_PID=$LAST_PID
	wait_listen hostB "$PORT" tcp
}

# perf_start TEST, perf_stop: with BENCH_PERF=1, a system-wide profile of the first run of
# TEST in the current setup (PERF_RUN is the run's number), reported as text beside the table.
PERF_PID='' PERF_DATA='' PERF_TXT=''
perf_start()
{
	local g=()
	case ${BENCH_PERF:-0} in 1) ;; g) g=(-g) ;; *) return 0 ;; esac
	[ "${PERF_RUN:-1}" = 1 ] || return 0
	mkdir -p "$PERF_DIR" || return 0
	PERF_DATA=$GW_RUN/perf-$CUR-$1.data PERF_TXT=$PERF_DIR/$CUR-$1.txt
	perf record -a "${g[@]}" -F 997 -o "$PERF_DATA" -- sleep $((SECS + 30)) >/dev/null 2>&1 &
	PERF_PID=$!
	sleep 0.3	# perf maps every process before it samples
}
perf_stop()
{
	[ -n "$PERF_PID" ] || return 0
	kill -INT "$PERF_PID" 2>/dev/null
	wait "$PERF_PID" 2>/dev/null
	PERF_PID=
	{
		echo "# bench/tunnel.sh BENCH_PERF=1: ${LABEL[$CUR]}, $PERF_TXT (perf record -a -F 997)"
		if [ "${BENCH_PERF:-0}" = g ]; then
			perf report -i "$PERF_DATA" --stdio --no-children --percent-limit 0.5 \
				--sort comm,dso,sym -G 2>/dev/null | grep -v '^$' | head -1500
		else
			perf report -i "$PERF_DATA" --stdio --no-children --percent-limit 0.3 \
				--sort comm,dso,sym 2>/dev/null | grep -v '^#' | grep -v '^$' | head -80
		fi
		echo "# by command"
		perf report -i "$PERF_DATA" --stdio --no-children --sort comm 2>/dev/null |
			grep -v '^#' | grep -v '^$' | head -12
	} >"$PERF_TXT"
	rm -f "$PERF_DATA"
	say "    profile: $PERF_TXT"
}

# track_none: no process of ours to watch (plain forwarding, between setups).
track_none() { CPU_PIDS=(); TRACK_A=; TRACK_B=; CTL_PIDS=(); }

# pticks PID...: utime and stime of these processes (all threads) summed, in clock ticks:
# "USER SYSTEM"; "- -" without a PID (nothing of that kind runs in this setup).
pticks()
{
	local p u=0 k=0 a b
	[ $# -gt 0 ] || { echo "- -"; return; }
	for p in "$@"; do
		read -r a b < <(awk '{ sub(/^.*\) /, ""); print $12, $13 }' "/proc/$p/stat" 2>/dev/null)
		u=$((u + ${a:-0})); k=$((k + ${b:-0}))
	done
	echo "$u $k"
}

# snap: what the CPU did so far, in clock ticks: "DP_U DP_K A_U A_K B_U B_K CTL_U CTL_K
# SRV_U SRV_K SOFTIRQ BUSY TOTAL" (DP: CPU_PIDS; A, B: gwA's and gwB's data plane; CTL: both
# controlds; SRV: the iperf3 server; SOFTIRQ, BUSY, TOTAL: /proc/stat, all cores).
snap()
{
	# shellcheck disable=SC2086 # an empty PID is no argument
	echo "$(pticks "${CPU_PIDS[@]}") $(pticks $TRACK_A) $(pticks $TRACK_B)" \
		"$(pticks "${CTL_PIDS[@]}") $(pticks $SRV_PID)" \
		"$(awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i
			print $8, t - $5 - $6, t; exit }' /proc/stat)"
}

# iperf TEST JSON: one iperf3 client run hostA -> hostB; prints "VALUE LOSS CPU_S SECONDS MBIT
# BUSY USR_S SYS_S" and then, per GB received, "A_U A_K B_U B_K CTL_U CTL_K SND_U SND_K RCV_U
# RCV_K SOFTIRQ ALL" (VALUE: Mbit/s for tcp1/tcp4, kpps received for udpN; LOSS: % for UDP, -
# for TCP; CPU_S: data-plane CPU seconds during the run (CPU_PIDS), - without daemons; MBIT:
# megabits received; BUSY: % of all cores busy during the run; USR_S, SYS_S: CPU_S in user and
# in system mode; then CPU-seconds per GB received of gwA's and gwB's data plane, both
# controlds, the iperf3 client (its own count, iperf3 -J) and server, user and system apart,
# the kernel's softirq and everything busy, all cores; '-' for what does not run).
iperf()
{
	local t=$1 json=$2 args=(-c "$HOST_B" -p "$PORT" -t "$SECS" -J) rc=0 s0 s1
	case $t in
	tcp1) ;;
	tcp4) args+=(-P 4) ;;
	udp*) args+=(-u -b 0 -l $((${t#udp} - 28)))
	      [ "$RCVBUF" != 0 ] && args+=(-w "$RCVBUF") ;;
	esac
	s0=$(snap)
	perf_start "$t"
	nsx hostA timeout $((SECS + 30)) iperf3 "${args[@]}" >"$json" 2>"$json.err" || rc=$?
	perf_stop
	s1=$(snap)
	if [ "$rc" != 0 ]; then
		say "    iperf3 $t failed (status $rc): $(grep -o '"error":.*' "$json" | head -1)"
		srv_start >/dev/null 2>&1	# a failed test can leave the server stuck
		return 1
	fi
	"$GW_PY" - "$json" "$t" "$HZ" "$s0" "$s1" <<-'PY'
	import json, sys
	j = json.load(open(sys.argv[1])); t = sys.argv[2]; hz = float(sys.argv[3])
	s0, s1 = sys.argv[4].split(), sys.argv[5].split()
	def d(i):				# seconds between the two snapshots, None if not running
	    if s0[i] == "-" or s1[i] == "-":
	        return None
	    return (int(s1[i]) - int(s0[i])) / hz
	r = j["end"]["sum_received"]
	secs = r["seconds"] or j["end"]["sum_sent"]["seconds"]
	mbit = r["bytes"] * 8 / 1e6
	gb = r["bytes"] / 1e9
	busy_t, tot_t = int(s1[11]) - int(s0[11]), int(s1[12]) - int(s0[12])
	busy = "%.0f" % (100.0 * busy_t / tot_t) if tot_t > 0 else "-"
	du, dk = d(0), d(1)
	cpu = "-" if du is None else "%.2f" % (du + dk)
	us = "- -" if du is None else "%.2f %.2f" % (du, dk)
	if t.startswith("tcp"):
	    print("%.0f - %s %.3f %.1f %s %s" % (r["bits_per_second"] / 1e6, cpu, secs, mbit, busy, us))
	else:
	    got = r["packets"] - r["lost_packets"]
	    sent = j["end"]["sum_sent"]["packets"] or r["packets"]
	    loss = 100.0 * (sent - got) / sent if sent else 0
	    print("%.1f %.1f %s %.3f %.1f %s %s" % (got / secs / 1e3, loss, cpu, secs, mbit, busy, us))
	def pg(v):
	    return "-" if v is None or gb <= 0 else "%.3f" % (v / gb)
	cu = j["end"].get("cpu_utilization_percent", {})
	csecs = j["end"]["sum_sent"]["seconds"] or secs
	snd_u = cu.get("host_user", 0) / 100 * csecs if cu else None
	snd_k = cu.get("host_system", 0) / 100 * csecs if cu else None
	out = [pg(d(i)) for i in (2, 3, 4, 5, 6, 7)] + [pg(snd_u), pg(snd_k)]
	out += [pg(d(8)), pg(d(9)), pg(d(10)), pg(busy_t / hz)]
	print(" ".join(out))
	PY
}

# ---------------------------------------------------------------- our gateways
key() { openssl rand -hex "$1"; }

# ours_conf SIDE TRANSFORMS CK_OUT AK_OUT CK_IN AK_IN: a manual crypto map like
# deploy/examples/gw{A,B}.conf (without the clear echo exception); NATT=1: ESP in UDP 4500.
ours_conf()
{
	local side=$1 ts=$2 spi_out spi_in me peer src dst ko="" ki="" natt=""
	[ "${NATT:-0}" = 1 ] && natt=$'\n set nat-t udp-encapsulation'
	if [ "$side" = A ]; then
		spi_out=1000 spi_in=1001 me=198.51.100.1 peer=198.51.100.2
		src="192.0.2.0 0.0.0.127" dst="192.0.2.128 0.0.0.127"
	else
		spi_out=1001 spi_in=1000 me=198.51.100.2 peer=198.51.100.1
		src="192.0.2.128 0.0.0.127" dst="192.0.2.0 0.0.0.127"
	fi
	[ -n "$3" ] && ko+=" cipher $3"
	[ -n "$4" ] && ko+=" authenticator $4"
	[ -n "$5" ] && ki+=" cipher $5"
	[ -n "$6" ] && ki+=" authenticator $6"
	cat <<-CONF
	! bench/tunnel.sh: gw$side, $ts, fresh random keys for this run only
	hostname gw$side
	crypto ipsec transform-set BENCH $ts
	 mode tunnel
	access-list 101 permit ip $src $dst
	crypto map vpn 10 ipsec-manual
	 match address 101
	 set peer $peer
	 set transform-set BENCH$natt
	 set session-key inbound esp $spi_in$ki
	 set session-key outbound esp $spi_out$ko
	interface wan0
	 ip address $me 255.255.255.0
	 crypto map vpn
	CONF
}

ours_up()
{
	local ts=$1 ckl akl ck1 ak1 ck2="" ak2="" g
	case $ts in
	"esp-gcm 128") ckl=20 akl=0 ;;		# AES-128 key + 4-byte salt (RFC 4106)
	"esp-aes 128 esp-sha-hmac") ckl=16 akl=20 ;;
	"esp-aes 256 esp-sha-hmac") ckl=32 akl=20 ;;
	*) say "    no key lengths for $ts"; return 1 ;;
	esac
	ck1=$(key "$ckl"); ck2=$(key "$ckl")
	ak1=; ak2=
	[ "$akl" -gt 0 ] && { ak1=$(key "$akl"); ak2=$(key "$akl"); }
	ours_conf A "$ts" "$ck1" "$ak1" "$ck2" "$ak2" >"$GW_RUN/gwA.conf"
	ours_conf B "$ts" "$ck2" "$ak2" "$ck1" "$ak1" >"$GW_RUN/gwB.conf"
	GW_DATAD_ARGS=${BENCH_DATAD_ARGS:-}
	[ "${IO[$CUR]}" != default ] && GW_DATAD_ARGS+=" --io ${IO[$CUR]}"
	for g in gwA gwB; do
		# where this setup's lines begin in datad's log (it is appended to, setup after setup)
		LOG_FROM[$g]=$(stat -c %s "$(gw_dir "$g")/datad.log" 2>/dev/null || echo 0)
		gw_start "$g" "$GW_RUN/$g.conf" || { NOTE[$CUR]="$g does not start"; return 1; }
	done
	CPU_PIDS=("${GW_PID[gwA/datad]}" "${GW_PID[gwB/datad]}")
	TRACK_A=${GW_PID[gwA/datad]} TRACK_B=${GW_PID[gwB/datad]}
	CTL_PIDS=("${GW_PID[gwA/controld]}" "${GW_PID[gwB/controld]}")
}

# io_seen: how each gateway's datad receives ESP, as show workers says ("ESP received by:
# af_xdp wan0 native" or "raw"), once ping has crossed (AF_XDP attaches with the first
# generation); else the log's line about it.  Sets IO_SEEN[$CUR] ("gwA raw, gwB raw").
io_seen()
{
	local g w seen=
	for g in gwA gwB; do
		w=$(gwctl_in "$g" "show workers" 2>/dev/null |
			sed -n 's/^ *ESP received by: *//p' | head -1)
		[ -n "$w" ] || w=$(tail -c +"$((${LOG_FROM[$g]:-0} + 1))" "$(gw_dir "$g")/datad.log" \
			2>/dev/null | grep -hoE 'AF_XDP in use|ESP received on raw sockets: .*' | tail -1)
		seen+="${seen:+, }$g ${w:-not reported}"
	done
	IO_SEEN[$CUR]=$seen
	# an AF_XDP row of plain ESP whose gateways fell back says so in its label (ESP in UDP
	# stays on raw sockets under auto: ADR 0016)
	if [ "${KIND[$CUR]}" = ours ] && { [ "${IO[$CUR]}" = auto ] ||
	    { [ "${IO[$CUR]}" = default ] && [ "${IODEF[$CUR]:-$IO_DEFAULT}" != raw ]; }; }; then
		[[ $seen == *af_xdp*af_xdp* ]] || LABEL[$CUR]+=" [raw!]"
	fi
}

ours_down()
{
	local g
	track_none
	for g in gwA gwB; do
		gw_stop "$g" || say "    $g did not exit cleanly (logs: $(gw_dir "$g"))"
	done
}

# ---------------------------------------------------------------- strongSwan
# ss_ctl GW ARGS...: swanctl against GW's charon (the command first, then --uri).
ss_ctl()
{
	local g=$1 d=$GW_RUN/ss-$1 cmd=$2; shift 2
	nsx "$g" env STRONGSWAN_CONF="$d/strongswan.conf" \
		swanctl "$cmd" --uri "unix://$d/charon.vici" "$@"
}

# has_addr_in GW PREFIX: does GW own an IPv4 address inside PREFIX?
has_addr_in()
{
	nsx "$1" ip -4 -o addr show | awk '{ sub(/\/.*/, "", $4); print $4 }' |
		"$GW_PY" -c 'import ipaddress, sys
n = ipaddress.ip_network(sys.argv[1])
sys.exit(0 if any(ipaddress.ip_address(a.strip()) in n for a in sys.stdin if a.strip()) else 1)' "$2"
}
first_host() { "$GW_PY" -c 'import ipaddress, sys
print(next(ipaddress.ip_network(sys.argv[1]).hosts()))' "$1"; }

ss_up()
{
	local esp=$1 psk g d l r lt rt i
	psk=$(key 24)
	SS_PID=()
	for g in gwA gwB; do
		d=$GW_RUN/ss-$g
		rm -rf "$d"; mkdir -p "$d"
		if [ "$g" = gwA ]; then l=198.51.100.1 r=198.51.100.2 lt=192.0.2.0/25 rt=192.0.2.128/25
		else l=198.51.100.2 r=198.51.100.1 lt=192.0.2.128/25 rt=192.0.2.0/25; fi
		sed "s|@DIR@|$d|g" "$SS_DIR/strongswan.conf.in" >"$d/strongswan.conf"
		sed -e "s|@LOCAL@|$l|g; s|@REMOTE@|$r|g; s|@LOCAL_TS@|$lt|g; s|@REMOTE_TS@|$rt|g" \
			-e "s|@ESP@|$esp|g; s|@PSK@|$psk|g" "$SS_DIR/swanctl.conf.in" >"$d/swanctl.conf"
		# The gateway must own an address inside its local traffic selector (tests/lib/swan.sh),
		# or it answers TS_UNACCEPTABLE.  In this lab lan0 has one (192.0.2.1, 192.0.2.129);
		# otherwise the first address of the selector goes on lo as a /32.
		has_addr_in "$g" "$lt" ||
			_t nsx "$g" ip addr add "$(first_host "$lt")/32" dev lo || return 1
		nsx_bg "$g" "$d/stdout.log" env STRONGSWAN_CONF="$d/strongswan.conf" \
			/usr/sbin/charon-systemd
		SS_PID+=("$LAST_PID")
	done
	for g in gwA gwB; do
		d=$GW_RUN/ss-$g
		for ((i = 0; i < 100; i++)); do
			[ -S "$d/charon.vici" ] && break
			if ! kill -0 "${SS_PID[0]}" 2>/dev/null || ! kill -0 "${SS_PID[1]}" 2>/dev/null; then
				break
			fi
			sleep 0.05
		done
		if [ ! -S "$d/charon.vici" ]; then
			NOTE[$CUR]="charon on $g did not start: $(tail -n 1 "$d/charon.log" "$d/stdout.log" 2>/dev/null | grep -v '^==>' | grep . | tail -1)"
			return 1
		fi
		if ! ss_ctl "$g" --load-all --noprompt --file "$d/swanctl.conf" >"$d/swanctl.log" 2>&1 ||
		    ! grep -q "loaded connection 'bench'" "$d/swanctl.log"; then
			NOTE[$CUR]="swanctl --load-all on $g failed: $(tail -n 1 "$d/swanctl.log")"
			return 1
		fi
	done
	if ! ss_ctl gwA --initiate --child bench --timeout 10 >>"$GW_RUN/ss-gwA/swanctl.log" 2>&1; then
		NOTE[$CUR]="swanctl --initiate failed: $(grep -E '\[(IKE|CFG|ENC|KNL)\]' "$GW_RUN/ss-gwA/swanctl.log" | tail -1)"
		return 1
	fi
	CPU_PIDS=("${SS_PID[@]}")
	TRACK_A=${SS_PID[0]} TRACK_B=${SS_PID[1]}
	CTL_PIDS=()
}

ss_down()
{
	local p
	track_none
	for p in "${SS_PID[@]}"; do pid_stop "$p" TERM 5 >/dev/null 2>&1; done
	SS_PID=()
}

# ---------------------------------------------------------------- running
declare -A V=()		# V[id/metric/run] = value
declare -A NOISY_SETUP=()	# setups with a run that began on a machine busy with other work
NOISY=${BENCH_NOISY:-10}	# % of all cores busy before a run that makes it suspect
QUIET_WAIT=${BENCH_QUIET_WAIT:-0}	# wait up to this many s before each run for a quiet machine
TESTS=(tcp1 tcp4 "udp$UDP_BIG" "udp$UDP_SMALL")
# the per-GB figures of iperf()'s second line, in its order
PG_KEYS=(a.u a.k b.u b.k ctl.u ctl.k snd.u snd.k rcv.u rcv.k sirq all)
T_START=$SECONDS

run_setup()
{
	local id=$1 step=$2 kind=${KIND[$1]} r t out val loss cpu secs mbit busy line w0 usr sys i pg
	CUR=$id
	GW_BIN=${BIN[$id]:-$MAIN_BIN}
	say "[$step/$NSTEP] ${LABEL[$id]}: setting up ..."
	lab_down
	lab_up || { NOTE[$id]="topology failed"; return 1; }
	case $kind in
	plain) track_none ;;
	ours) NATT=0 ours_up "${ALG[$id]}" || { ours_down; return 1; } ;;
	ours-udp) NATT=1 ours_up "${ALG[$id]}" || { ours_down; return 1; } ;;
	ss)
		if [ -n "$SS_WHY" ]; then NOTE[$id]="strongSwan unavailable: $SS_WHY"; return 1; fi
		ss_up "${ALG[$id]}" || { ss_down; return 1; }
		;;
	esac
	if ! wait_ping hostA "$HOST_B" 10; then
		NOTE[$id]="no ping hostA -> hostB"
		[ "${kind%-udp}" = ours ] && ours_down
		[ "$kind" = ss ] && ss_down
		return 1
	fi
	[ "${kind%-udp}" = ours ] && io_seen
	for ((r = 1; r <= RUNS; r++)); do
		say "[$step/$NSTEP] ${LABEL[$id]}: run $r/$RUNS ... (t+$((SECONDS - T_START)) s)"
		V[$id/quiet/$r]=$(idle_check 0.5)
		w0=$SECONDS
		while [ "${V[$id/quiet/$r]:-0}" -ge "$NOISY" ] && [ $((SECONDS - w0)) -lt "$QUIET_WAIT" ]; do
			say "       machine ${V[$id/quiet/$r]}% busy with other work: waiting (BENCH_QUIET_WAIT=$QUIET_WAIT s)"
			sleep 1
			V[$id/quiet/$r]=$(idle_check 0.5)
		done
		line="[machine ${V[$id/quiet/$r]}% busy before]"
		PERF_RUN=$r
		[ "${V[$id/quiet/$r]:-0}" -ge "$NOISY" ] && NOISY_SETUP[$id]=1
		for t in "${TESTS[@]}"; do
			if out=$(iperf "$t" "$GW_RUN/$id-$t-$r.json"); then
				{ read -r val loss cpu secs mbit busy usr sys; read -r -a pg; } <<<"$out"
				V[$id/$t/$r]=$val
				for i in "${!PG_KEYS[@]}"; do
					[ "${pg[$i]:--}" != - ] && V[$id/$t.pg.${PG_KEYS[$i]}/$r]=${pg[$i]}
				done
				[ "$busy" != - ] && V[$id/$t.busy/$r]=$busy
				[ "$loss" != - ] && V[$id/$t.loss/$r]=$loss
				if [ "$cpu" != - ]; then
					V[$id/$t.cores/$r]=$(awk -v c="$cpu" -v s="$secs" \
						'BEGIN { if (s > 0) printf "%.2f", c / s }')
					V[$id/$t.usr/$r]=$(awk -v c="$usr" -v s="$secs" \
						'BEGIN { if (s > 0) printf "%.2f", c / s }')
					V[$id/$t.sys/$r]=$(awk -v c="$sys" -v s="$secs" \
						'BEGIN { if (s > 0) printf "%.2f", c / s }')
					[ "$t" = tcp1 ] && V[$id/tcp1.eff/$r]=$(awk -v c="$cpu" \
						-v m="$mbit" 'BEGIN { if (c > 0) printf "%.0f", m / c }')
				fi
				case $t in
				tcp*) line+=" $t $val Mbit/s" ;;
				*) line+=" $t $val kpps ($loss% lost)" ;;
				esac
				case $cpu in
				-) line+=";" ;;
				*) line+=" [gw CPU ${cpu} s];" ;;
				esac
			else
				line+=" $t failed;"
			fi
		done
		say "       $line"
	done
	case $kind in
	ours|ours-udp) ours_down ;;
	ss) ss_down ;;
	esac
	return 0
}

step=0
for id in "${ORDER[@]}"; do
	[ "${WANT[$id]}" = 1 ] || continue
	step=$((step + 1))
	run_setup "$id" "$step" || say "[$step/$NSTEP] ${LABEL[$id]}: n/a: ${NOTE[$id]:-failed}"
done
GW_BIN=$MAIN_BIN
lab_down
ELAPSED=$((SECONDS - T_START))
LOAD_AFTER=$(idle_check)

# ---------------------------------------------------------------- the table
# med ID METRIC [int|2]: median of the runs that produced a figure (empty if none); int: no
# decimals, 2: two, else one below 100.
med()
{
	local fmt=${3:-auto} r vals=()
	for ((r = 1; r <= RUNS; r++)); do
		[ -n "${V[$1/$2/$r]:-}" ] && vals+=("${V[$1/$2/$r]}")
	done
	[ ${#vals[@]} -gt 0 ] || return 0
	printf '%s\n' "${vals[@]}" | sort -g | awk -v f="$fmt" '{ v[NR] = $1 }
		END { if (NR % 2) x = v[(NR + 1) / 2]; else x = (v[NR / 2] + v[NR / 2 + 1]) / 2
		      if (f == "2") printf "%.2f\n", x
		      else printf (x >= 100 || f == "int" ? "%.0f\n" : "%.1f\n"), x }'
}
# range ID METRIC: "min-max" of the runs.
range()
{
	local r vals=()
	for ((r = 1; r <= RUNS; r++)); do
		[ -n "${V[$1/$2/$r]:-}" ] && vals+=("${V[$1/$2/$r]}")
	done
	[ ${#vals[@]} -gt 0 ] || { echo -; return 0; }
	printf '%s\n' "${vals[@]}" | sort -g | awk 'NR == 1 { a = $1 } { b = $1 } END { print a "-" b }'
}
# ratio A B: A / B with two decimals, "-" when either is missing.
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
	if (a != "" && b != "" && b + 0 > 0) printf "%.2f", a / b; else printf "-" }'; }
orna() { [ -n "$1" ] && printf '%s' "$1" || printf 'n/a'; }

# uk ID TEST WHO: "USER+SYSTEM" CPU-s per GB of WHO (medians), "-" when it did not run.
uk()
{
	local u k
	u=$(med "$1" "$2.pg.$3.u" 2); k=$(med "$1" "$2.pg.$3.k" 2)
	if [ -n "$u" ]; then printf '%s+%s' "$u" "$k"; else printf -- -; fi
}
tname() { case $1 in tcp1) echo "TCP 1 stream" ;; tcp4) echo "TCP 4 streams" ;;
	udp*) echo "UDP ${1#udp}-byte" ;; esac; }

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$OUTDIR/tunnel-$STAMP.txt
mkdir -p "$OUTDIR"
ss_ver=$(dpkg-query -W -f='${Version}' charon-systemd 2>/dev/null)
read -r -a CPU_TESTS <<<"${BENCH_CPU_TESTS:-tcp1 udp$UDP_BIG}"
# 1. stdout and the file: the table, where the CPU goes, which I/O ran
{
	echo "bench/run.sh tunnel, $(date '+%F %T'), $(nproc) cores" \
		"($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), kernel $(uname -r)," \
		"OpenSSL $(openssl version | cut -d' ' -f2), iperf3 $(iperf3 --version | head -1 | cut -d' ' -f2)," \
		"strongSwan ${ss_ver:-not installed}; our binaries: $MAIN_BIN; datad's default I/O:" \
		"$IO_DEFAULT${BENCH_BASE:+; [base] rows: $BENCH_BASE, its default I/O: $BASE_IO}"
	echo "medians of $RUNS runs of ${SECS} s each (iperf3 hostA -> hostB); UDP at -b 0 with" \
		"${UDP_BIG}-byte and ${UDP_SMALL}-byte IP packets, kpps = packets/s the receiver got," \
		"its socket buffer $( [ "$RCVBUF" = 0 ] && echo "the kernel's default" || echo "$RCVBUF");" \
		"total ${ELAPSED} s"
	echo "machine busy without the benchmark (1 s samples, % of all $(nproc) cores):" \
		"${LOAD_BEFORE}% before, ${LOAD_AFTER}% after$( [ "${LOAD_BEFORE:-0}" -ge 10 ] ||
		[ "${LOAD_AFTER:-0}" -ge 10 ] && echo ": OTHER WORK WAS RUNNING, figures are low")"
	echo
	fmt='%-34s %7s %7s %7s %5s %7s %5s %6s %8s %6s %6s\n'
	# shellcheck disable=SC2059
	printf "$fmt" "" "TCP 1" "TCP 4" "UDP$UDP_BIG" "loss" "UDP$UDP_SMALL" "loss" "gw CPU" "Mbit per" \
		"vs sS" "vs"
	# shellcheck disable=SC2059
	printf "$fmt" "setup" "Mbit/s" "Mbit/s" "kpps" "%" "kpps" "%" "cores" "CPU-s" "same" \
		"plain"
	for id in "${ORDER[@]}"; do
		[ "${WANT[$id]}" = 1 ] || continue
		t1=$(med "$id" tcp1)
		pt=$(med plain tcp1)
		ps=""; [ -n "${PEER[$id]}" ] && ps=$(med "${PEER[$id]}" tcp1)
		if [ "$id" = plain ]; then vp=-; else vp=$(ratio "$t1" "$pt"); fi
		vs=-; [ -n "${PEER[$id]}" ] && vs=$(ratio "$t1" "$ps")
		cores=$(med "$id" tcp1.cores); eff=$(med "$id" tcp1.eff)
		# shellcheck disable=SC2059
		printf "$fmt" "${LABEL[$id]}${NOISY_SETUP[$id]:+ *}" "$(orna "$t1")" \
			"$(orna "$(med "$id" tcp4)")" \
			"$(orna "$(med "$id" "udp$UDP_BIG")")" "$(orna "$(med "$id" "udp$UDP_BIG.loss")")" \
			"$(orna "$(med "$id" "udp$UDP_SMALL")")" "$(orna "$(med "$id" "udp$UDP_SMALL.loss")")" \
			"${cores:--}" "${eff:--}" "$vs" "$vp"
	done
	echo
	echo "gcm128: AES-128-GCM (ours esp-gcm 128, strongSwan aes128gcm16); aes128-sha1: AES-128-CBC +"
	echo "  HMAC-SHA-1-96 (ours esp-aes 128 esp-sha-hmac). raw: datad --io raw (raw sockets);"
	echo "  AF_XDP: --io auto (ESP received by AF_XDP where XDP attaches; '[raw!]': it did not);"
	echo "  (default): datad without --io; ESP in UDP: set nat-t udp-encapsulation (UDP 4500)."
	echo "gw CPU cores, Mbit per CPU-s: CPU of both gateways' datad (or charon) during TCP 1 stream,"
	echo "  per second of the test / per megabit received. vs sS same, vs plain: TCP 1 stream, over"
	echo "  strongSwan with the same algorithm / over plain forwarding (docs/bench.md)."
	if [ ${#NOISY_SETUP[@]} -gt 0 ]; then
		echo "*: the machine was >= ${NOISY}% busy with other work just before a run of this setup:"
		echo "  its figures are low (busy before each run: $OUT)."
	fi
	for t in "${CPU_TESTS[@]}"; do
		echo
		echo "where the CPU goes, $(tname "$t"): CPU-seconds per GB received, user+system (medians)"
		cfmt='%-34s %11s %11s %10s %11s %11s %7s %6s\n'
		# shellcheck disable=SC2059
		printf "$cfmt" "setup" "gwA datad" "gwB datad" "controld" "iperf3" "iperf3" "softirq" "all"
		# shellcheck disable=SC2059
		printf "$cfmt" "" "or charon" "or charon" "gwA+gwB" "client" "server" "" "busy"
		for id in "${ORDER[@]}"; do
			[ "${WANT[$id]}" = 1 ] || continue
			# shellcheck disable=SC2059
			printf "$cfmt" "${LABEL[$id]}${NOISY_SETUP[$id]:+ *}" "$(uk "$id" "$t" a)" \
				"$(uk "$id" "$t" b)" "$(uk "$id" "$t" ctl)" "$(uk "$id" "$t" snd)" \
				"$(uk "$id" "$t" rcv)" "$(orna "$(med "$id" "$t.pg.sirq" 2)")" \
				"$(orna "$(med "$id" "$t.pg.all" 2)")"
		done
	done
	echo "  utime+stime of each process (/proc/PID/stat, all threads; the iperf3 client's from"
	echo "  iperf3 -J); softirq: /proc/stat, all cores, ticks that landed in softirq, also counted"
	echo "  in the system time of the process they interrupted (ksoftirqd's included): a share,"
	echo "  not an addition; all busy: every core's busy time (the lab, and any other work)."
	n=0
	for id in "${ORDER[@]}"; do
		if [ "${WANT[$id]}" != 1 ] || [ -z "${IO_SEEN[$id]:-}" ]; then continue; fi
		[ "$n" = 0 ] && { echo; echo "ESP received by (show workers, once ping had crossed):"; }
		n=$((n + 1))
		printf '  %-34s %s\n' "${LABEL[$id]}" "${IO_SEEN[$id]}"
	done
	n=0
	for id in "${ORDER[@]}"; do
		[ -n "${NOTE[$id]:-}" ] || continue
		[ "$n" = 0 ] && { echo; echo "not measured:"; }
		n=$((n + 1))
		echo "  ${LABEL[$id]}: ${NOTE[$id]}"
	done
	echo
} | tee "$OUT"

# 2. the file only: every ratio, every test's spread and CPU
{
	echo "ratios of every figure (median / median):"
	rfmt='  %-60s %6s %6s %8s %8s %9s\n'
	# shellcheck disable=SC2059
	printf "$rfmt" "" "TCP 1" "TCP 4" "UDP$UDP_BIG" "UDP$UDP_SMALL" "Mbit/CPU"
	for id in "${ORDER[@]}"; do
		[ "${WANT[$id]}" = 1 ] || continue
		for other in "${PEER[$id]}" "${BASE_OF[$id]:-}" plain; do
			if [ -z "$other" ] || [ "$other" = "$id" ] || [ "${WANT[$other]}" != 1 ]; then
				continue
			fi
			# shellcheck disable=SC2059
			printf "$rfmt" "${LABEL[$id]} / ${LABEL[$other]}" \
				"$(ratio "$(med "$id" tcp1)" "$(med "$other" tcp1)")" \
				"$(ratio "$(med "$id" tcp4)" "$(med "$other" tcp4)")" \
				"$(ratio "$(med "$id" "udp$UDP_BIG")" "$(med "$other" "udp$UDP_BIG")")" \
				"$(ratio "$(med "$id" "udp$UDP_SMALL")" "$(med "$other" "udp$UDP_SMALL")")" \
				"$(if [ "$other" = plain ]; then echo -; else
					ratio "$(med "$id" tcp1.eff)" "$(med "$other" tcp1.eff)"; fi)"
		done
	done
	echo
	echo "every test: min-max of the runs; gw CPU cores (median), of them in user / system mode"
	echo "  (medians); machine busy % during the test (median, of all $(nproc) cores: iperf3, kernel"
	echo "  forwarding and the gateways together)"
	dfmt='  %-34s %-7s %-13s %-9s %-11s %s\n'
	# shellcheck disable=SC2059
	printf "$dfmt" "" test "min-max" "gw cores" "user/sys" "busy %"
	for id in "${ORDER[@]}"; do
		[ "${WANT[$id]}" = 1 ] || continue
		q=
		for ((r = 1; r <= RUNS; r++)); do q+="${q:+ / }${V[$id/quiet/$r]:--}"; done
		printf '  %-34s machine busy before each run: %s %%\n' "${LABEL[$id]}" "$q"
		for t in "${TESTS[@]}"; do
			c=$(med "$id" "$t.cores"); b=$(med "$id" "$t.busy" int)
			us=-
			[ -n "$c" ] && us="$(med "$id" "$t.usr")/$(med "$id" "$t.sys")"
			# shellcheck disable=SC2059
			printf "$dfmt" "" "$t" "$(range "$id" "$t")" "${c:--}" "$us" "${b:--}"
		done
	done
	echo
} >>"$OUT"

# 3. last, both: with BENCH_BASE, each of our setups over its [base] row; then the goal's two
# figures (issue 13), TCP 1 stream with AES-128-GCM, datad's default I/O
{
	for id in "${ORDER[@]}"; do
		b=${BASE_OF[$id]:-}
		[ -n "$b" ] || continue
		printf 'tunnel %s ours/base: TCP 1 %s, UDP%s %s, Mbit per CPU-s %s\n' "$id" \
			"$(ratio "$(med "$id" tcp1)" "$(med "$b" tcp1)")" "$UDP_BIG" \
			"$(ratio "$(med "$id" "udp$UDP_BIG")" "$(med "$b" "udp$UDP_BIG")")" \
			"$(ratio "$(med "$id" tcp1.eff)" "$(med "$b" tcp1.eff)")"
	done
	echo "tunnel tcp1 gcm128 ours/plain: $(ratio "$(med gcm128 tcp1)" "$(med plain tcp1)" |
		sed 's/^-$/n\/a/')"
	echo "tunnel tcp1 gcm128 ours/strongswan: $(ratio "$(med gcm128 tcp1)" "$(med ss-gcm tcp1)" |
		sed 's/^-$/n\/a/')"
} | tee -a "$OUT"
say "bench tunnel: table saved to $OUT (with every ratio and every test's spread)"
[ "${GW_KEEP:-0}" = 1 ] && say "bench tunnel: work directory kept: $GW_RUN"
exit 0
