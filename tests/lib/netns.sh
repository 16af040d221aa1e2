# SPDX-License-Identifier: Apache-2.0
# tests/lib/netns.sh: assertions for the netns integration tests; sources deploy/lab/topo.sh.
#
#	source "$GW_SRC/tests/lib/netns.sh"
#	require_root
#	t_begin tunnel_manual		# also installs the cleanup trap
#	topo_up "gw$$" || t_abort "topology"
#	t_check "ping through the tunnel" nsx hostA ping -c1 -W2 192.0.2.130
#	t_eq "sha256 at hostB" "$got" "$want"
#	t_end				# stops the gateways, prints "N passed, M failed"
#
# Each assertion prints "ok N - what" or "not ok N - what" with the evidence, and counts.
# t_end stops every gateway still running (a non-zero exit after SIGTERM is a failure), scans
# the daemons' logs for sanitizer reports, prints the tail of each log when something failed,
# and returns non-zero on any failure.  The EXIT trap then removes the topology.

GW_SRC=${GW_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
source "$GW_SRC/deploy/lab/topo.sh"

T_NAME=${T_NAME:-test}
T_PASS=0
T_FAIL=0
T_N=0

# require_root: these tests create namespaces; skip (77) when not root.
require_root()
{
	[ "$(id -u)" -eq 0 ] && return 0
	echo "SKIP: ${T_NAME}: needs root (network namespaces)" >&2
	exit 77
}

# t_begin NAME: start a test: its name, the cleanup trap, a stale-namespace sweep.
t_begin()
{
	T_NAME=$1
	T_START=$SECONDS
	echo "=== $T_NAME ($(date '+%F %T'), GW_BIN=$GW_BIN)"
	topo_trap
	trap t_cleanup EXIT
	topo_reap_stale
}

# t_cleanup: the EXIT trap of a test: our scratch file, then the lab (keeping the exit status).
t_cleanup() { local rc=$?; rm -f "$T_OUT"; (exit "$rc"); topo_cleanup; }

t_pass() { T_N=$((T_N + 1)); T_PASS=$((T_PASS + 1)); echo "ok $T_N - $1"; }

# t_fail DESC [DETAIL...]: record a failure with its evidence.
t_fail()
{
	local d=$1; shift
	T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1))
	echo "not ok $T_N - $d"
	[ $# -gt 0 ] && printf '%s\n' "$@" | tail -n 30 | sed 's/^/    # /'
	return 0
}

# _t_run CMD...: run CMD in this shell (not in $(...): what it starts or sets must stay ours),
# its output into T_OUT; sets T_RC.
T_OUT=${TMPDIR:-/tmp}/ipsecgw-t_check.$$
_t_run() { T_RC=0; "$@" >"$T_OUT" 2>&1 </dev/null || T_RC=$?; }

# t_check DESC CMD...: CMD must exit 0; its output is shown only when it fails.
t_check()
{
	local d=$1; shift
	_t_run "$@"
	if [ "$T_RC" = 0 ]; then t_pass "$d"; return 0; fi
	t_fail "$d" "command: $*" "status: $T_RC" "$(cat "$T_OUT")"
	return 1
}

# t_check_not DESC CMD...: CMD must fail.
t_check_not()
{
	local d=$1; shift
	_t_run "$@"
	if [ "$T_RC" != 0 ]; then t_pass "$d"; return 0; fi
	t_fail "$d" "command unexpectedly succeeded: $*" "$(cat "$T_OUT")"
	return 1
}

# t_eq DESC GOT WANT
t_eq()
{
	if [ "$2" = "$3" ]; then t_pass "$1 ($2)"; return 0; fi
	t_fail "$1" "got:  $2" "want: $3"
	return 1
}

# _t_cmp GOT OP LIMIT: numeric comparison that also takes decimals (awk).
_t_cmp()
{
	[[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || return 1
	awk -v a="$1" -v b="$3" -v op="$2" 'BEGIN {
		r = (op == ">") ? a > b : (op == ">=") ? a >= b : (op == "<") ? a < b : a <= b
		exit !r }'
}

# t_gt / t_ge / t_lt / t_le DESC GOT LIMIT: numeric assertions.
_t_num()
{
	local op=$1 d=$2 got=$3 lim=$4
	if _t_cmp "$got" "$op" "$lim"; then t_pass "$d ($got $op $lim)"; return 0; fi
	t_fail "$d" "got: '$got', want $op $lim"
	return 1
}
t_gt() { _t_num '>' "$@"; }
t_ge() { _t_num '>=' "$@"; }
t_lt() { _t_num '<' "$@"; }
t_le() { _t_num '<=' "$@"; }

# t_match DESC TEXT REGEX: TEXT must match the extended REGEX (grep -E, multi-line text).
t_match()
{
	# a here-string, not a pipe: grep -q stops at the first match, and under pipefail the
	# writer's SIGPIPE would fail a check whose text did match
	if grep -Eq -- "$3" <<<"$2"; then t_pass "$1"; return 0; fi
	t_fail "$1" "no match for /$3/ in:" "$2"
	return 1
}

# t_abort WHY: give up (a prerequisite failed); t_end still reports and cleans up.
t_abort()
{
	t_fail "$1 (aborting)"
	t_end
	exit 1
}

# t_poll TIMEOUT CMD...: retry CMD every 0.2 s until it succeeds or TIMEOUT seconds pass.
t_poll()
{
	local end=$((SECONDS + $1)); shift
	while :; do
		"$@" && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# now: wall clock in seconds with decimals (the clock ping -D prints).
now() { date +%s.%N; }

# ping_stats LOG FROM TO: from a `ping -D` log, the replies in [FROM, TO]: prints
# "COUNT MAXGAP FIRST": number of replies, longest silence (s) counting from FROM to the first
# reply and from the last one to TO, and the delay from FROM to the first reply (-1 if none).
ping_stats()
{
	awk -v from="$2" -v to="$3" '
	/bytes from/ {
		t = substr($1, 2, length($1) - 2) + 0	# "[1700000000.123456]"
		if (t < from || t > to) next
		if (++n == 1) { first = t - from; prev = from }
		if (t - prev > max) max = t - prev
		prev = t
	}
	END {
		if (n == 0) { printf "0 %.3f -1\n", to - from; exit }
		if (to - prev > max) max = to - prev
		printf "%d %.3f %.3f\n", n, max, first
	}' "$1"
}

# ns_drops NS...: packets the kernel has dropped so far in these namespaces for want of room
# (a consumer that fell behind on a busy machine, not a protocol fault): the UDP sockets'
# receive buffers (RcvbufErrors of the namespace's /proc/net/snmp) and every interface's rx
# and tx drops (a TUN whose reader is late drops on tx).
ns_drops()
{
	local ns v t=0
	for ns in "$@"; do
		# shellcheck disable=SC2016 # awk's own fields
		v=$(nsx "$ns" sh -c 'awk '\''$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $6 }'\'' \
			/proc/net/snmp; cat /sys/class/net/*/statistics/rx_dropped \
			/sys/class/net/*/statistics/tx_dropped' 2>/dev/null |
			awk '{ n += $1 } END { print n + 0 }')
		t=$((t + ${v:-0}))
	done
	echo "$t"
}

# gw_sa_counter NAME LABEL: the sum of "#pkts LABEL: N" over NAME's `show crypto ipsec sa`
# (IOS prints "#pkts encaps: 345, #pkts encrypt: 345, ..." once per SA pair).
gw_sa_counter()
{
	gwctl_in "$1" "show crypto ipsec sa" 2>/dev/null |
		grep -Eo "#pkts $2:? *[0-9]+" | awk '{ n += $NF } END { print n + 0 }'
}
gw_sa_counter_gt0() { [ "$(gw_sa_counter "$@")" -gt 0 ]; }

# conf_113 FILE: a copy of FILE (in $GW_RUN) whose show commands keep the IOS 11.3 layout
# (crypto ipsec show-layout 11.3, docs/show.md), for the tests that read this gateway's own
# lines of it (owner:, errors:, path mtu/media mtu); the copy's path on stdout.
conf_113()
{
	local out
	out=$GW_RUN/$(basename "$1" .conf)-113.conf
	{ echo "crypto ipsec show-layout 11.3"; cat "$1"; } >"$out" && printf '%s' "$out"
}
layout_113() { echo "crypto ipsec show-layout 11.3" >>"$1"; }	# FILE: the same, in place

# gw_logs_check: sanitizer reports or crashes in any daemon log count as failures.
gw_logs_check()
{
	local f hits
	for f in "$GW_RUN"/*/controld.log "$GW_RUN"/*/datad.log; do
		[ -f "$f" ] || continue
		hits=$(grep -E 'ERROR: [A-Za-z]+Sanitizer|runtime error:|SUMMARY: .*Sanitizer' "$f" |
			head -n 5)
		if [ -n "$hits" ]; then
			t_fail "no sanitizer report in ${f#"$GW_RUN"/}" "$hits"
		fi
	done
}

# io_tally ERE FAST NONE: each datad log's last line matching ERE, printed as "# LOG: line" (NONE
# when it has none); sets n_fast (lines that begin with FAST), n_other (the others) and why (the
# last of the others that said something).
io_tally()
{
	local f line
	n_fast=0 n_other=0 why=
	for f in "$GW_RUN"/*/datad*.log; do
		[ -f "$f" ] || continue
		line=$(grep -oE "$1" "$f" | tail -n 1)
		echo "# ${f#"$GW_RUN"/}: ${line:-$3}"
		case $line in
		"$2"*) n_fast=$((n_fast + 1)) ;;
		*) n_other=$((n_other + 1)); [ -n "$line" ] && why=$line ;;
		esac
	done
}

# t_io_report: which path each datad received ESP on (docs/adr/0014-af-xdp-receive.md): the
# "ESP received by:" lines of show workers of the gateways still running, then each datad log's
# last word on it, then one line "# io path: ..." that tests/run.sh puts in its summary.  Run
# by t_end when GW_IO_REPORT=1 (tests/lib/on_io.sh sets it).
t_io_report()
{
	local g n_fast n_other why
	[ -n "${GW_RUN:-}" ] || return 0
	for g in $(gw_running); do
		gwctl_in "$g" "show workers" 2>/dev/null | awk -v g="$g" '/^[^ ]/ { w = $1 }
			/ESP received by|TUN read by/ { sub(/^ */, "")
				print "# " g " show workers: " w ": " $0 }'
	done
	io_tally '(AF_XDP in use|ESP received on raw sockets|--io xdp: ).*' "AF_XDP in use" \
		"no word on AF_XDP (--io raw, or no crypto map interface)"
	if [ "$n_fast" -gt 0 ]; then
		echo "# io path: AF_XDP ($n_fast datad on AF_XDP, $n_other on raw sockets)"
	elif [ "$n_other" -gt 0 ]; then
		echo "# io path: raw sockets (no datad attached XDP${why:+: ${why#*: }})"
	fi
	# and how each read the TUN (datad/tunring.c): "io_uring" or "read(2): why"
	io_tally 'TUN read by .*' "TUN read by io_uring" "no word on the TUN read"
	if [ "$n_fast" -gt 0 ]; then
		echo "# tun read: io_uring ($n_fast datad with io_uring, $n_other with read(2))"
	elif [ -n "$why" ]; then
		echo "# tun read: ${why#TUN read by }"
	fi
}

# t_end: stop the gateways (clean exit is asserted), check logs, print the summary line.
t_end()
{
	local g f
	[ "${GW_IO_REPORT:-0}" = 1 ] && t_io_report
	for g in $(gw_running); do
		t_check "$g: daemons exit 0 on SIGTERM" gw_stop "$g"
	done
	[ -n "${GW_RUN:-}" ] && gw_logs_check
	if [ "$T_FAIL" -gt 0 ] && [ -n "${GW_RUN:-}" ]; then
		for f in "$GW_RUN"/*/controld.log "$GW_RUN"/*/datad.log; do
			[ -s "$f" ] || continue
			echo "--- last lines of ${f#"$GW_RUN"/}"
			tail -n 25 "$f" | sed 's/^/    /'
		done
	fi
	rm -f "$T_OUT"
	echo "=== $T_NAME: $((SECONDS - T_START)) s"
	echo "$T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ] && [ "$T_PASS" -gt 0 ]
}
