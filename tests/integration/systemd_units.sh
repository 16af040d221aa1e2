#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/systemd_units.sh: the units of deploy/systemd/ run both daemons as an
# unprivileged user with only the capabilities each needs, in a sandbox, and the daemons still
# do their whole job in it, and say when they are ready (Type=notify).  No systemd as PID 1 is
# needed: tests/lib/unit_sandbox.py sets up what each unit file says (uid, capabilities,
# NoNewPrivileges, read-only file system, private /dev, /tmp and /proc, seccomp filter and
# address families) and plays systemd's end of $NOTIFY_SOCKET.
#
#   1. the units: User=ipsecgw, Type=notify, NoNewPrivileges; controld has no capability,
#      datad exactly CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE and, for AF_XDP, CAP_BPF
#      CAP_PERFMON, the AF_XDP family, bpf(2) and LimitMEMLOCK=; `systemd-analyze security`
#      exposure at most 1.5 for controld and 2.3 for datad (9.6 and 9.7 as root, unsandboxed);
#      ipsecgw.sysusers and ipsecgw.tmpfiles, applied to a scratch root, make the user and a
#      /etc/ipsecgw it may write (write memory) with startup.conf readable by it
#   2. gwA and gwB: controld and datad each under its unit's sandbox as uid/gid 65534 (the
#      units' "ipsecgw" does not exist here), the daemon's directory the only writable one
#   3. each daemon sends READY=1 from its own PID; datad then STATUS= with its generation; the
#      processes hold what the unit gives: uid, capabilities, NoNewPrivs, a seccomp filter;
#      gwB's datad (datad's default, --io auto) receives ESP by AF_XDP under the unit wherever
#      a datad as root outside the sandbox does (the control); gwA's runs on raw sockets
#   4. hostA -> hostB through the tunnel; show crypto ipsec sa counts it
#   5. the CLI socket, made 0660 as the unit's ExecStartPost does: root and a member of the
#      daemons' group reach it, another user does not
#   6. SIGHUP: RELOADING=1 then READY=1 from controld; SIGTERM: STOPPING=1, exit 0, and datad
#      takes its rule, routes and nftables table away (CAP_NET_ADMIN to the end)
#   7. control: the same datad under the same sandbox without CAP_NET_ADMIN cannot start
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/systemd_units.sh
# GW_UNITS=DIR tests the units in DIR instead of deploy/systemd/.
set -uo pipefail
# Under the sanitizer build, LeakSanitizer needs ptrace(2), which the units' system call filter
# (and PrivateUsers) forbid: it would abort every daemon at exit.  ASan and UBSan still run.
case "${ASAN_OPTIONS:-}" in
*detect_leaks=1*) export ASAN_OPTIONS=${ASAN_OPTIONS//detect_leaks=1/detect_leaks=0} ;;
esac
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
UNITS=${GW_UNITS:-$GW_SRC/deploy/systemd}
UNIT_C=$UNITS/ipsecgw-controld.service
UNIT_D=$UNITS/ipsecgw-datad@.service
SANDBOX=$GW_SRC/tests/lib/unit_sandbox.py
ID=65534			# nobody / nogroup: stands for the units' ipsecgw
OTHER=65533			# a user outside the group
HOST_B=192.0.2.130
if ! command -v systemd-analyze >/dev/null || ! command -v setpriv >/dev/null; then
	echo "SKIP: systemd_units: needs systemd-analyze (Debian package systemd) and setpriv" >&2
	exit 77
fi
if [ "$(uname -m)" != x86_64 ]; then
	echo "SKIP: systemd_units: tests/lib/unit_sandbox.py knows x86-64 system calls only" >&2
	exit 77
fi
t_begin systemd_units

# unit_get UNIT KEY: the values of KEY in UNIT's [Service], one line each.
unit_get() { sed -n '/^\[Service\]/,/^\[/p' "$1" | sed -n "s/^$2=//p"; }

# exposure UNIT: the overall exposure systemd-analyze gives it (an instance for a template).
exposure()
{
	local tmp name
	tmp=$(mktemp -d) || return 1
	name=$(basename "$1"); name=${name/@.service/@1.service}
	cp "$1" "$tmp/$name"
	(cd "$tmp" && systemd-analyze security --offline=true "$name" 2>/dev/null) |
		sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p'
	rm -rf "$tmp"
}

# 1. What the units say.
for u in "$UNIT_C" "$UNIT_D"; do
	n=$(basename "$u")
	t_eq "$n: User=" "$(unit_get "$u" User)" ipsecgw
	t_eq "$n: Type=" "$(unit_get "$u" Type)" notify
	t_eq "$n: NoNewPrivileges=" "$(unit_get "$u" NoNewPrivileges)" yes
	t_eq "$n: ProtectSystem=" "$(unit_get "$u" ProtectSystem)" strict
done
t_eq "controld: no capability (bounding set empty)" \
	"$(unit_get "$UNIT_C" CapabilityBoundingSet)|$(unit_get "$UNIT_C" AmbientCapabilities)" "|"
DCAPS="CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE CAP_BPF CAP_PERFMON"
t_eq "datad: $DCAPS, ambient, and no other" \
	"$(unit_get "$UNIT_D" CapabilityBoundingSet)|$(unit_get "$UNIT_D" AmbientCapabilities)" \
	"$DCAPS|$DCAPS"
t_le "controld: systemd-analyze security exposure" "$(exposure "$UNIT_C")" 1.5
t_le "datad@1: systemd-analyze security exposure" "$(exposure "$UNIT_D")" 2.3
t_match "datad: the AF_XDP family" "$(unit_get "$UNIT_D" RestrictAddressFamilies)" ' AF_XDP( |$)'
t_match "datad: bpf(2) allowed back" "$(unit_get "$UNIT_D" SystemCallFilter)" '^bpf$'
t_match "datad: io_uring allowed back (the TUN read, ADR 0019)" \
	"$(unit_get "$UNIT_D" SystemCallFilter)" '^io_uring_setup io_uring_enter io_uring_register$'
t_match "datad: LimitMEMLOCK= (AF_XDP's UMEM)" "$(unit_get "$UNIT_D" LimitMEMLOCK)" '^[0-9]+[KMG]?$'

SCRATCH=$(mktemp -d) || t_abort "scratch root"
mkdir -p "$SCRATCH/etc/ipsecgw" && touch "$SCRATCH"/etc/{passwd,group,shadow,gshadow}
install -m 0600 /dev/null "$SCRATCH/etc/ipsecgw/startup.conf"	# as root-run units left it
t_check "ipsecgw.sysusers makes the user" \
	systemd-sysusers --root="$SCRATCH" "$UNITS/ipsecgw.sysusers"
gid=$(awk -F: '$1 == "ipsecgw" { print $3 }' "$SCRATCH/etc/group")
t_match "user ipsecgw with group ipsecgw" "$(cat "$SCRATCH/etc/passwd")" "^ipsecgw:x:[0-9]+:$gid:"
t_check "ipsecgw.tmpfiles applies" \
	systemd-tmpfiles --root="$SCRATCH" --create "$UNITS/ipsecgw.tmpfiles"
t_eq "/etc/ipsecgw: writable by the group (write memory renames into it)" \
	"$(stat -c '%a %g' "$SCRATCH/etc/ipsecgw")" "770 $gid"
t_eq "startup.conf of a root-run install: readable by the group now" \
	"$(stat -c '%a %g' "$SCRATCH/etc/ipsecgw/startup.conf")" "640 $gid"
rm -rf "$SCRATCH"

# 2. The lab, in /run: PrivateTmp= gives the daemons a /tmp of their own.
GW_RUN=$(mktemp -d /run/ipsecgw-units.XXXXXX) || t_abort "run directory"
topo_up "gw$$" || t_abort "draw the topology"
TOPO_MADE_RUN=1			# ours: the cleanup removes it
chmod 0755 "$GW_RUN"
BIN=$GW_RUN/bin			# GW_BIN may be where uid 65534 cannot go
mkdir -p "$BIN" "$GW_RUN/notify"
for b in controld datad gwctl; do
	install -m 0755 "$GW_BIN/$b" "$BIN/$b" || t_abort "no $GW_BIN/$b"
done

# notify_log NAME WHAT: what NAME's WHAT said to its $NOTIFY_SOCKET ("PID<TAB>message").
notify_log() { printf '%s/notify/%s-%s.log' "$GW_RUN" "$1" "$2"; }
notify_listen()
{
	local log
	log=$(notify_log "$1" "$2")
	nsx_bg "$1" "$log.err" "$GW_PY" "$SANDBOX" listen "$GW_RUN/notify/$1-$2.sock" "$log"
	t_poll 5 grep -q '^listening' "$log" 2>/dev/null
}
# notified NAME WHAT REGEX: a message from the daemon's own PID matching REGEX
notified()
{
	local pid=${GW_PID[$1/$2]:-none}

	grep -P "^$pid\t" "$(notify_log "$1" "$2")" 2>/dev/null | cut -f2- | grep -Eq -- "$3"
}

# sandboxed NAME WHAT UNIT RW CMD...: start CMD in NAME under UNIT's sandbox as $ID, told
# where to notify; its PID is GW_PID[NAME/WHAT].
sandboxed()
{
	local n=$1 what=$2 unit=$3 rw=$4; shift 4
	notify_listen "$n" "$what" || return 1
	echo "--- $(date '+%F %T.%N') starting $what under $unit" >>"$(gw_dir "$n")/$what.log"
	nsx_bg "$n" "$(gw_dir "$n")/$what.log" \
		env NOTIFY_SOCKET="$GW_RUN/notify/$n-$what.sock" "$GW_PY" "$SANDBOX" run "$unit" \
		--uid "$ID" --gid "$ID" ${rw:+--rw "$rw"} -- "$@"
	GW_PID[$n/$what]=$LAST_PID
}

routed() { [ -n "$(nsx "$1" ip route show table "$GW_TABLE" dev "$GW_TUN" 2>/dev/null)" ]; }

# gw_up NAME CONF [DATAD-OPTIONS [DATAD-UNIT]]: controld and datad of NAME, each under its unit.
gw_up()
{
	local n=$1 d
	d=$(gw_dir "$n")
	mkdir -p "$d/state"
	install -m 0640 "$2" "$d/startup.conf"
	chown -R "$ID:$ID" "$d"
	chmod 0750 "$d"			# RuntimeDirectoryMode=
	chmod 0700 "$d/state"		# StateDirectoryMode=
	sandboxed "$n" controld "$UNIT_C" "$d" "$BIN/controld" -f "$d/startup.conf" \
		-l "$(gw_link_ep "$n")" -s "$(gw_cli_ep "$n")" -S "$d/state" \
		${GW_VERBOSE:+-v "$GW_VERBOSE"}
	t_check "$n: controld says READY=1 (sockets bound, configuration applied)" \
		t_poll 10 notified "$n" controld '^READY=1'
	# shellcheck disable=SC2086 # $3: more datad options
	sandboxed "$n" datad "${4:-$UNIT_D}" "" "$BIN/datad" -c "$(gw_link_ep "$n")" -t "$GW_TUN" \
		${GW_VERBOSE:+-v "$GW_VERBOSE"} ${3:-}
	t_check "$n: datad says READY=1" t_poll 10 notified "$n" datad '^READY=1'
	t_check "$n: datad's STATUS: forwarding with a generation" \
		t_poll 10 notified "$n" datad '^STATUS=.*forwarding with generation [0-9]+'
	t_check "$n: datad routes into $GW_TUN" t_poll 5 routed "$n"
}

# gwA on raw sockets (its UMEM would count against the same user's locked memory as gwB's);
# gwB as the unit says.  But where this machine does not let root raise the memlock limit to
# the unit's LimitMEMLOCK= (a container without CAP_SYS_RESOURCE: unit_sandbox.py then gives
# the hard limit, here below one UMEM of 12 MiB), a copy of the unit with CAP_IPC_LOCK stands
# in for it: the kernel counts no UMEM against the limit of a process that holds it.
UNIT_B=$UNIT_D
LIM=$(numfmt --from=iec "$(unit_get "$UNIT_D" LimitMEMLOCK)")
HARD=$(ulimit -H -l)
if [ "$HARD" != unlimited ] && [ $((HARD * 1024)) -lt "$LIM" ]; then
	UNIT_B=$GW_RUN/datad-ipc-lock.service
	sed -e '/^CapabilityBoundingSet=/s/$/ CAP_IPC_LOCK/' \
		-e '/^AmbientCapabilities=/s/$/ CAP_IPC_LOCK/' "$UNIT_D" >"$UNIT_B"
	echo "# memlock: this machine's hard limit, $HARD KiB, is below the unit's LimitMEMLOCK=" \
		"($LIM bytes): gwB's datad has CAP_IPC_LOCK instead"
	LIM=$((HARD * 1024))
fi
gw_up gwA "$GW_SRC/deploy/examples/gwA.conf" "--io raw"
gw_up gwB "$GW_SRC/deploy/examples/gwB.conf" "" "$UNIT_B"

# 3. What the processes hold.
proc_status() { grep -E "^$2:" "/proc/$1/status" | cut -f2- | tr -s '\t ' ' '; }
P=${GW_PID[gwA/datad]:-0}
t_eq "datad runs as uid $ID" "$(proc_status "$P" Uid)" "$ID $ID $ID $ID"
t_eq "datad's effective capabilities: net_bind_service, net_admin, net_raw, perfmon, bpf" \
	"$(proc_status "$P" CapEff)" 000000c000003400
t_eq "datad's bounding set: the same" "$(proc_status "$P" CapBnd)" 000000c000003400
t_eq "datad: NoNewPrivs, seccomp filter" \
	"$(proc_status "$P" NoNewPrivs) $(proc_status "$P" Seccomp)" "1 2"
P=${GW_PID[gwA/controld]:-0}
t_eq "controld: uid $ID, no capability at all" \
	"$(proc_status "$P" Uid) $(proc_status "$P" CapEff) $(proc_status "$P" CapBnd)" \
	"$ID $ID $ID $ID 0000000000000000 0000000000000000"

# 4. The tunnel works.
t_check "ping hostA -> hostB through the tunnel (10 s)" wait_ping hostA "$HOST_B" 10

# gwA's datad under the unit reads the TUN with io_uring (--tun-read auto) unless this kernel or
# build has none: the unit's seccomp filter must not be what holds it back (EPERM)
tun_word() { grep -oE 'TUN read by .*' "$(gw_dir gwA)/datad.log" | tail -n 1; }
W=$(tun_word)
echo "# gwA's datad under the unit: ${W:-nothing said}"
case $W in
"TUN read by io_uring"*)
	t_pass "gwA: the TUN read by io_uring under the unit"
	t_match "gwA: show workers says so" "$(gwctl_in gwA "show workers")" \
		"TUN read by: io_uring multishot"
	;;
*"multishot read"*|*"without liburing"*|*"io_uring_setup: Function not implemented"*)
	t_pass "gwA: read(2): this kernel or build has no io_uring multishot read" ;;
*) t_fail "gwA: the TUN read by io_uring under the unit (got: ${W:-nothing})" ;;
esac

# gwB's datad, datad's default (--io auto) under the unit: AF_XDP wherever root gets it
xdp_word() { grep -oE '(AF_XDP in use|ESP received on raw sockets).*' "$(gw_dir gwB)/datad.log" |
	tail -n 1; }
xdp_said() { [ -n "$(xdp_word)" ]; }
t_poll 5 xdp_said
W=$(xdp_word)
echo "# gwB's datad under the unit: ${W:-nothing said}"
case $W in
"AF_XDP in use"*)
	t_match "gwB: show workers says AF_XDP under the unit" \
		"$(gwctl_in gwB "show workers")" "ESP received by: af_xdp "
	# the unit's LimitMEMLOCK=, or what this machine lets root give (unit_sandbox.py)
	t_eq "gwB: datad's memlock limit is the unit's (AF_XDP's UMEM counts there)" \
		"$(awk '/^Max locked memory/ { print $4 }' "/proc/${GW_PID[gwB/datad]}/limits")" "$LIM"
	;;
*"built without AF_XDP"*)
	t_pass "gwB: raw sockets: this datad has no AF_XDP (GW_XDP off)"
	;;
*)
	# control: the same datad as root, outside the sandbox; if AF_XDP runs there, the unit
	# is what holds it back
	kill -TERM "${GW_PID[gwB/datad]}" 2>/dev/null
	pid_stop "${GW_PID[gwB/datad]}" TERM 5
	unset "GW_PID[gwB/datad]"
	: >"$(gw_dir gwB)/datad.log"
	GW_DATAD_ARGS="--io auto" gw_start_datad gwB
	t_poll 5 xdp_said
	echo "# control, gwB's datad as root, --io auto: $(xdp_word)"
	xdp_in_use() { xdp_word | grep -q "AF_XDP in use"; }
	t_check_not "gwB: AF_XDP runs under the unit wherever it runs as root" xdp_in_use
	;;
esac
t_check "5 pings, all answered" nsx hostA ping -n -c5 -i0.2 -W2 "$HOST_B"
t_check "gwA counts #pkts encaps (reported within a second or two)" \
	t_poll 5 gw_sa_counter_gt0 gwA encaps
t_check "gwB counts #pkts decaps" t_poll 5 gw_sa_counter_gt0 gwB decaps

# 5. Who reaches the CLI socket: the unit opens it to the group (ExecStartPost= chmod 0660).
CLI=$(gw_dir gwA)/cli.sock
chmod 0660 "$CLI"
cli_as() { nsx gwA setpriv "$@" -- "$BIN/gwctl" -t 3 -s "$(gw_cli_ep gwA)" -c "show crypto map"; }
t_check "gwctl as root" nsx gwA "$BIN/gwctl" -t 3 -s "$(gw_cli_ep gwA)" -c "show crypto map"
t_check "gwctl as another user in the daemons' group" \
	cli_as --reuid="$OTHER" --regid="$OTHER" --groups="$ID"
t_check_not "gwctl as a user outside the group: refused" \
	cli_as --reuid="$OTHER" --regid="$OTHER" --clear-groups
t_eq "the worker link socket stays the daemons' user's (owner only)" \
	"$(stat -c '%a %u' "$(gw_dir gwA)/link.sock")" "700 $ID"

# 6. Reload and stop.
kill -HUP "${GW_PID[gwA/controld]}"
t_check "SIGHUP: controld says RELOADING=1" t_poll 5 notified gwA controld '^RELOADING=1'
t_check "then READY=1 again, reloaded" t_poll 5 notified gwA controld '^READY=1.*STATUS=reloaded'
t_check "reloaded with MONOTONIC_USEC= (systemd 253+)" \
	notified gwA controld '^RELOADING=1\\nMONOTONIC_USEC=[0-9]+$'
t_check "ping still goes through" nsx hostA ping -n -c2 -i0.2 -W2 "$HOST_B"
DPID=${GW_PID[gwA/datad]}
t_check "gwA: datad exits 0 on SIGTERM" gw_stop_datad gwA
GW_PID[gwA/datad]=$DPID
t_check "datad said STOPPING=1" notified gwA datad '^STOPPING=1'
t_eq "its rule is gone" "$(nsx gwA ip -4 rule show pref "$GW_TABLE")" ""
t_eq "its routes are gone" "$(nsx gwA ip -4 route show table "$GW_TABLE" 2>/dev/null)" ""
t_eq "its nftables table is gone" "$(nsx gwA nft list tables 2>/dev/null | grep ipsecgw_)" ""
CPID=${GW_PID[gwA/controld]}
t_check "gwA: controld exits 0 on SIGTERM" gw_stop_controld gwA
GW_PID[gwA/controld]=$CPID
t_check "controld said STOPPING=1" notified gwA controld '^STOPPING=1'
unset "GW_PID[gwA/datad]" "GW_PID[gwA/controld]"

# 7. Control: the sandbox is what holds datad back.  Without CAP_NET_ADMIN it cannot start.
sed -e 's/^\(CapabilityBoundingSet=\).*/\1CAP_NET_RAW CAP_NET_BIND_SERVICE/' \
	-e 's/^\(AmbientCapabilities=\).*/\1CAP_NET_RAW CAP_NET_BIND_SERVICE/' \
	"$UNIT_D" >"$GW_RUN/no-net-admin.service"
sandboxed gwA datad "$GW_RUN/no-net-admin.service" "" "$BIN/datad" -c "$(gw_link_ep gwA)" \
	-t "$GW_TUN"
P=${GW_PID[gwA/datad]}
t_poll 5 eval '! kill -0 '"$P"' 2>/dev/null'
rc=0; wait "$P" 2>/dev/null || rc=$?
unset "TOPO_PIDS[$P]"
t_eq "control: without CAP_NET_ADMIN datad exits with status 1" "$rc" 1
t_match "control: because of the TUN device" "$(tail -n 3 "$(gw_dir gwA)/datad.log")" \
	"datad\[$P\]: error: TUN $GW_TUN: Operation not permitted"
t_check_not "control: and it never said READY=1" notified gwA datad '^READY=1'
unset "GW_PID[gwA/datad]"

t_end
