#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# bench/ike.sh: the IKE setup-rate benchmark (`bench/run.sh ike [build dir]`, docs/bench.md).
#
# Tunnels brought up per second between gwA and gwB of the lab (deploy/lab/topo.sh), a tunnel
# being one IKE SA (IKE_SA_INIT + IKE_AUTH, IKEv2, pre-shared key) with its first child SA,
# IKE aes128gcm16-prfsha256-GROUP, ESP aes128gcm16, for GROUP 19 (ecp256) and 14 (modp2048):
#   ss    strongSwan 5.9.8 on both gateways (tests/lib/swan.sh: charon-systemd, kernel-libipsec)
#   ours  our controld + datad on both gateways, crypto maps naming an IKEv2 profile
# and IKEv1 tunnels (BENCH_IKE_V1=1, the default): one ISAKMP SA by main mode (6 messages,
# pre-shared key) with its first IPsec SA by quick mode (3 messages), phase 1
# aes128-sha1-modp2048, ESP aes128-sha1, no PFS:
#   ss    the same charons, connections with version = 1 (tests/lib/swan.sh says what IKEv1 of
#         this strongSwan needs)
#   ours  crypto isakmp policy + key, crypto maps without set ikev2-profile (docs/ikev1.md)
# each sequentially (one tunnel, wait until it is up, the next) and in parallel (all at once,
# time until the last is up).  The invariant this keeps: every tunnel counted is a distinct
# IKE SA made by its own IKE_SA_INIT + IKE_AUTH, the same layout for both halves, so the two
# rates compare.  Tunnel i (1..N) is
#   gwA 198.51.100.(100+i) (a /32 on gwA's lo)  <->  gwB 198.51.100.2 (its wan0 address)
#   child SA 198.18.0.i/32 <-> 198.19.0.i/32 (RFC 2544's benchmarking range)
# A distinct address of gwA per tunnel is what makes N IKE SAs: IKE (and IOS) keep one IKE SA
# per pair of gateway addresses and carry further flows as CREATE_CHILD_SA under it.
#   ss:   gwA has one connection per tunnel (local_addrs its own address; distinct identities,
#         tests/lib/swan.sh), gwB the mirror; sequential: `swanctl --initiate --child tI` (blocking);
#         parallel: every connection with start_action = start, loaded at once, the end told
#         by charon's child-updown events (bench/swan_vici.py).
#   ours: gwA has one crypto map set per tunnel on an interface LoopbackI holding that address,
#         gwB one crypto map set on wan0 with an entry per tunnel naming gwA's address as peer;
#         a UDP datagram from hostA (from 198.18.0.i to 198.19.0.i) makes gwA's datad ask
#         controld to negotiate (acquire), resent every second while the tunnel is not up;
#         up = gwA's engine counts it established with its child SA installed (`show crypto
#         ikev2 stats` asked every 2 ms over one gwctl session).
# No tool process is started inside a measured time.  After every run both sides are checked
# to hold exactly N IKE SAs and N child SAs.
#
# Ours with IKEv1 is watched like IKEv2, through the engine's counters: the first of
# `$BENCH_IKE1_STATS` (default `show crypto isakmp stats`) and `show crypto ikev2 stats` that
# answers, lines "  N  IKE SAs established" and "  N  child SAs installed"; a run is checked by
# `show crypto isakmp sa` (IOS: dst src state conn-id status), N lines in state QM_IDLE.
# Should ours not bring IKEv1 tunnels up (no IKEv1 engine, or it fails), its row says "fail"
# and the rest of the bench goes on.
#
# Prints the table on stdout (saved as bench/out/ike-DATE.txt), then the line
# `ike setup ours/strongswan: X.XX` (parallel, group 19; n/a when a half is missing) and last
# `ike1 setup ours/strongswan: X.XX` (IKEv1, parallel; n/a when a half is missing); progress
# on stderr.
#
# Environment:
#   GW_BIN=DIR              controld, datad, gwctl (default build/bin)
#   BENCH_IKE_SEQ=20        tunnels brought up one after the other per run
#   BENCH_IKE_PAR=100       tunnels brought up at once per run (at most 150: addresses)
#   BENCH_RUNS=5            runs of each (the table gives the median: one run in ~25 of
#                           strongSwan's in parallel takes 4 s more, a retransmission)
#   BENCH_IKE_GROUPS="19 14"  IKEv2's groups
#   BENCH_IKE_V1=1          the IKEv1 rows too (0: without them)
#   BENCH_IKE1_STATS=CMD    how our engine counts IKEv1 SAs (above)
#   BENCH_SETUPS=ss,ours    which halves
#   BENCH_IKE_WAIT=30       seconds a run may take before it is given up
#   BENCH_INSTALL=0         never install strongSwan (its rows say n/a when it is missing)
#   BENCH_OUT=DIR           where the table is saved (default bench/out)
#   GW_KEEP=1               keep the work directory (configs, logs of charon and our daemons)
#   BENCH_IKE_DEBUG=1       `debug crypto ikev2` on our gateways (diagnosis: it slows them)
set -uo pipefail
GW_SRC=$(cd "$(dirname "$0")/.." && pwd)
export GW_SRC
GW_BIN=${GW_BIN:-$GW_SRC/build/bin}
source "$GW_SRC/deploy/lab/topo.sh"
source "$GW_SRC/bench/common.sh"
SWAN_LOG_LEVEL=${SWAN_LOG_LEVEL:-1}	# 1 logs retransmissions (counted per run)
source "$GW_SRC/tests/lib/swan.sh"

NSEQ=${BENCH_IKE_SEQ:-20}
NPAR=${BENCH_IKE_PAR:-100}
RUNS=${BENCH_RUNS:-5}
GROUPS_=${BENCH_IKE_GROUPS:-19 14}
WAIT=${BENCH_IKE_WAIT:-30}
POLL=0.002	# s between two looks at our engine's counters (one gwctl session, no process)
OUTDIR=${BENCH_OUT:-$GW_SRC/bench/out}
GWB=198.51.100.2

say() { printf '%s\n' "$*" >&2; }
die() { say "bench ike: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run me as root (network namespaces)"
for v in NSEQ NPAR RUNS WAIT; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done
if [ "$NSEQ" -gt 150 ] || [ "$NPAR" -gt 150 ]; then
	die "at most 150 tunnels (gwA's addresses are 198.51.100.101-250)"
fi
for g in $GROUPS_; do
	case $g in 14|19) ;; *) die "BENCH_IKE_GROUPS: only 14 and 19 (got $g)" ;; esac
done
# the cases measured: IKEv2 with each group, then "v1" (IKEv1, group 14)
CASES=$GROUPS_
case ${BENCH_IKE_V1:-1} in 1) CASES+=" v1" ;; 0) ;; *) die "BENCH_IKE_V1: 0 or 1" ;; esac
command -v "$GW_PY" >/dev/null || die "$GW_PY not found"
declare -A WANT=([ss]=0 [ours]=0)
IFS=', ' read -r -a sel <<<"${BENCH_SETUPS:-ss,ours}"
for s in "${sel[@]}"; do
	[ -n "${WANT[$s]+x}" ] || die "unknown setup '$s' in BENCH_SETUPS (ss, ours)"
	WANT[$s]=1
done

# ---------------------------------------------------------------- clock
# A monotonic clock without a process per reading: one python3 answers each line with
# time.monotonic() (CLOCK_MONOTONIC) in integer microseconds, for bash's arithmetic.  Started
# from this shell, stopped by PID on exit.
CLOCK_PY='import sys, time
for _ in sys.stdin:
    print(int(time.monotonic() * 1e6), flush=True)'
coproc CLOCK { "$GW_PY" -u -c "$CLOCK_PY"; }
# shellcheck disable=SC2153 # CLOCK_PID is set by coproc
CLOCK_PID_=$CLOCK_PID
# mono VAR: the monotonic clock, in microseconds, into VAR (no subshell, no process).
mono() { echo >&"${CLOCK[1]}"; read -r "$1" <&"${CLOCK[0]}"; }
# older US SECONDS: have more than SECONDS (an integer) passed since US?
older() { local n; mono n; (( n - $1 > $2 * 1000000 )); }
secs() { awk -v d="$1" 'BEGIN { printf "%.3f", d / 1e6 }'; }	# microseconds as seconds

# ---------------------------------------------------------------- lab
# shellcheck disable=SC2317 # the EXIT trap calls it
bench_cleanup()
{
	local rc=$?
	[ -n "${CLOCK_PID_:-}" ] && { kill "$CLOCK_PID_" 2>/dev/null; wait "$CLOCK_PID_" 2>/dev/null; }
	CLOCK_PID_=
	(exit "$rc")
	topo_cleanup
}
trap bench_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
GW_RUN=$(mktemp -d "/tmp/ipsecgw-bench-ike.XXXXXX") || die "mktemp"
TOPO_MADE_RUN=1
PREFIX="gw$$"

a_addr() { printf '198.51.100.%d' $((100 + $1)); }	# gwA's address of tunnel i
l_host() { printf '198.18.%d.%d' $(($1 / 256)) $(($1 % 256)); }	# behind gwA
r_host() { printf '198.19.%d.%d' $(($1 / 256)) $(($1 % 256)); }	# behind gwB
NMAX=$((NSEQ > NPAR ? NSEQ : NPAR))

# lab_up KIND: a fresh lab; gwA owns its tunnel addresses; for strongSwan each gateway also
# owns the hosts of its side of every selector (or strongSwan answers TS_UNACCEPTABLE),
# for ours hostA owns the sources of the acquiring datagrams (on gwA they would be martians).
lab_up()
{
	local kind=$1 i
	topo_down
	topo_up "$PREFIX" >/dev/null || return 1
	for ((i = 1; i <= NMAX; i++)); do echo "address add $(a_addr "$i")/32 dev lo"; done |
		_t nsx gwA ip -batch - || return 1
	if [ "$kind" = ss ]; then
		for ((i = 1; i <= NMAX; i++)); do echo "address add $(l_host "$i")/32 dev lo"; done |
			_t nsx gwA ip -batch - || return 1
		for ((i = 1; i <= NMAX; i++)); do echo "address add $(r_host "$i")/32 dev lo"; done |
			_t nsx gwB ip -batch - || return 1
	else
		for ((i = 1; i <= NMAX; i++)); do echo "address add $(l_host "$i")/32 dev lo"; done |
			_t nsx hostA ip -batch - || return 1
	fi
}

# udp_drops: datagrams the UDP sockets of gwA and gwB dropped so far (RcvbufErrors of
# /proc/net/snmp, per namespace): a lost IKE message costs a retransmission, 2-4 s.
udp_drops() { local g t=0 v; for g in gwA gwB; do
	# shellcheck disable=SC2016 # awk's own $1, not the shell's
	v=$(nsx "$g" awk '$1 == "Udp:" && $2 ~ /^[0-9]+$/ { print $6 }' /proc/net/snmp 2>/dev/null)
	t=$((t + ${v:-0})); done; echo "$t"; }

# The gateways' own CPU (utime + stime, all threads, of charon or controld + datad on both
# gateways; not the tools that start and list the tunnels) over a run: meter_start before,
# meter_stop after sets BUSY (% of all cores busy) and CPU_MS.
CPU_PIDS=()
HZ=$(getconf CLK_TCK)
cpu_ticks()
{
	local p t=0 v
	for p in "${CPU_PIDS[@]}"; do
		v=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat" 2>/dev/null) || v=0
		t=$((t + ${v:-0}))
	done
	echo "$t"
}
meter_start() { read -r M_B0 M_T0 < <(busy_ticks); M_C0=$(cpu_ticks); }
meter_stop() { BUSY=$(busy_pct "$M_B0" "$M_T0"); CPU_MS=$((($(cpu_ticks) - M_C0) * 1000 / HZ)); }

# busy_pct B0 T0: % of all cores busy since the busy_ticks reading "B0 T0".
busy_pct() { local b t; read -r b t < <(busy_ticks)
	awk -v b="$((b - $1))" -v t="$((t - $2))" 'BEGIN { if (t > 0) printf "%.0f", 100 * b / t }'; }

# ---------------------------------------------------------------- strongSwan
# ss_prepare: its packages (bench/common.sh), then what this benchmark needs of them.
ss_prepare()
{
	ss_install "bench ike" || return 1
	SS_WHY=$(swan_require 2>&1) || return 1
	SS_WHY=
}

# CASE: an IKEv2 group (19, 14) or v1 (IKEv1, group 14)
ike_prop() { case $1 in 19) echo aes128gcm16-prfsha256-ecp256 ;;
	14) echo aes128gcm16-prfsha256-modp2048 ;; v1) echo aes128-sha1-modp2048 ;; esac; }
esp_prop() { case $1 in v1) echo aes128-sha1 ;; *) echo aes128gcm16 ;; esac; }
# ike_vici CASE: the IKE SA as vici lists it, when it uses the proposal asked for
ike_vici() { case $1 in
	19) echo "encr-alg=AES_GCM_16 encr-keysize=128 prf-alg=PRF_HMAC_SHA2_256 dh-group=ECP_256" ;;
	14) echo "encr-alg=AES_GCM_16 encr-keysize=128 prf-alg=PRF_HMAC_SHA2_256 dh-group=MODP_2048" ;;
	v1) echo "encr-alg=AES_CBC encr-keysize=128 integ-alg=HMAC_SHA1_96 prf-alg=PRF_HMAC_SHA1" \
		"dh-group=MODP_2048" ;;
	esac; }

# ss_conf SIDE N CASE START PSK: swanctl.conf of gwA (initiator, one connection per tunnel) or
# gwB (the mirror); START: the initiator's start_action (none or start).
ss_conf()
{
	local side=$1 n=$2 prop esp i me peer lts rts start=none ver=2
	prop=$(ike_prop "$3") esp=$(esp_prop "$3")
	[ "$3" = v1 ] && ver=1
	[ "$side" = A ] && start=$4
	echo "connections {"
	for ((i = 1; i <= n; i++)); do
		if [ "$side" = A ]; then me=$(a_addr "$i") peer=$GWB lts=$(l_host "$i") rts=$(r_host "$i")
		else me=$GWB peer=$(a_addr "$i") lts=$(r_host "$i") rts=$(l_host "$i"); fi
		cat <<-EOF
		t$i { version = $ver
		 local_addrs = $me
		 remote_addrs = $peer
		 proposals = $prop
		 local { auth = psk
		  id = $me }
		 remote { auth = psk
		  id = $peer }
		 children { t$i { local_ts = $lts/32
		  remote_ts = $rts/32
		  esp_proposals = $esp
		  start_action = $start } } }
		EOF
	done
	echo "}"
	printf 'secrets { ike-bench { secret = "%s" } }\n' "$5"
}

# ss_count NAME: "IKE CHILD": IKE SAs ESTABLISHED and child SAs INSTALLED NAME lists.
ss_count() { swan_sas "$1" | awk '$1 == "ike" && $4 == "ESTABLISHED" { i++ }
	$1 == "child" && $4 == "INSTALLED" { c++ } END { print i + 0, c + 0 }'; }
# ss_run MODE N CASE: one run (in this shell: charon's PIDs are kept here); sets RES to
# "SECONDS BUSY", or returns 1 with NOTE_RUN set.
ss_run()
{
	local mode=$1 n=$2 grp=$3 psk t0 tp i dt cnt w wp what
	psk=$(openssl rand -hex 24)
	rm -rf "$GW_RUN/swan-ssA" "$GW_RUN/swan-ssB"
	ss_conf B "$n" "$grp" none "$psk" >"$(swan_dir ssB)/swanctl.conf"
	if [ "$mode" = seq ]; then
		ss_conf A "$n" "$grp" none "$psk" >"$(swan_dir ssA)/swanctl.conf"
	else
		ss_conf A "$n" "$grp" start "$psk" >"$(swan_dir ssA)/swanctl.conf"
	fi
	if ! swan_start ssA gwA 2>>"$GW_RUN/ss.err" || ! swan_start ssB gwB 2>>"$GW_RUN/ss.err"; then
		NOTE_RUN="charon did not start: $(tail -n 1 "$GW_RUN/ss.err")"; return 1
	fi
	CPU_PIDS=("${SWAN_PID[ssA]}" "${SWAN_PID[ssB]}")
	swan_load ssB || { NOTE_RUN="swanctl --load-all on gwB failed: $(tail -n 1 "$GW_RUN/swan-ssB/swanctl.log")"; return 1; }
	# bench/swan_vici.py drives and watches charon over vici from one process: no tool process
	# per tunnel inside the time, and no polling of charon while it works
	w=$GW_RUN/vici.out
	: >"$w"
	if [ "$mode" = seq ]; then
		swan_load ssA || { NOTE_RUN="swanctl --load-all on gwA failed: $(tail -n 1 "$GW_RUN/swan-ssA/swanctl.log")"; return 1; }
		meter_start
		# one initiate request after the other, each answered when its tunnel is up
		"$GW_PY" "$GW_SRC/bench/swan_vici.py" initiate "$GW_RUN/swan-ssA/charon.vici" "$n" \
			"$WAIT" >"$w" 2>&1 </dev/null &
		wp=$!
		TOPO_PIDS[$wp]="swan_vici.py initiate"
		wait "$wp"; unset "TOPO_PIDS[$wp]"
		read -r what t0 < <(grep '^start ' "$w")
	else
		# every connection has start_action = start: loading them starts them all
		"$GW_PY" "$GW_SRC/bench/swan_vici.py" updown "$GW_RUN/swan-ssA/charon.vici" "$n" \
			"$WAIT" >"$w" 2>&1 </dev/null &
		wp=$!
		TOPO_PIDS[$wp]="swan_vici.py updown"
		for ((i = 0; i < 500; i++)); do
			grep -q '^ready' "$w" && break
			kill -0 "$wp" 2>/dev/null || break
			sleep 0.01
		done
		grep -q '^ready' "$w" ||
			{ pid_stop "$wp" TERM 1; NOTE_RUN="vici events: $(tail -n 1 "$w")"; return 1; }
		meter_start
		mono t0
		if ! swan_load ssA; then
			pid_stop "$wp" TERM 1
			NOTE_RUN="swanctl --load-all on gwA failed: $(tail -n 1 "$GW_RUN/swan-ssA/swanctl.log")"
			return 1
		fi
		wait "$wp"; unset "TOPO_PIDS[$wp]"
	fi
	read -r what tp < <(grep -v '^ready\|^start ' "$w")
	if [ "$what" != up ]; then
		case $what in
		timeout) NOTE_RUN="only ${tp:-?} of $n tunnels up after $WAIT s" ;;
		*) NOTE_RUN="swan_vici.py $mode: $(tail -n 1 "$w")" ;;
		esac
		return 1
	fi
	tp=$(awk -v t="$tp" 'BEGIN { printf "%.0f", t * 1e6 }')	# the same clock, in us
	[ "$mode" = seq ] && t0=$(awk -v t="$t0" 'BEGIN { printf "%.0f", t * 1e6 }')
	dt=$(secs $((tp - t0)))
	meter_stop
	for i in ssA ssB; do
		cnt=$(ss_count "$i")
		[ "$cnt" = "$n $n" ] || { NOTE_RUN="$i holds $cnt IKE/child SAs, not $n $n"; return 1; }
	done
	cnt=$(swan_ctl ssA --list-sas --raw 2>/dev/null |
		grep -c "version=$([ "$grp" = v1 ] && echo 1 || echo 2) .*$(ike_vici "$grp")")
	[ "$cnt" = "$n" ] || { NOTE_RUN="only $cnt of $n IKE SAs use the proposal asked for"; return 1; }
	RES="$dt $BUSY $CPU_MS"
}

# ss_stop: both charons stopped (by PID); then, their logs complete (charon's file log is
# not flushed per line), RETX = the retransmissions they logged, and a run that had some
# keeps both logs in retx-N (with GW_KEEP=1).
ss_stop()
{
	swan_stop ssA >/dev/null 2>&1
	swan_stop ssB >/dev/null 2>&1
	RETX=$(cat "$GW_RUN"/swan-ss[AB]/charon.log 2>/dev/null | grep -c 'retransmit [0-9]* of')
	if [ "$RETX" -gt 0 ]; then	# keep the evidence (with GW_KEEP=1)
		RUN_ID=$((${RUN_ID:-0} + 1))
		mkdir -p "$GW_RUN/retx-$RUN_ID"
		cp "$GW_RUN"/swan-ssA/charon.log "$GW_RUN/retx-$RUN_ID/charon-gwA.log" 2>/dev/null
		cp "$GW_RUN"/swan-ssB/charon.log "$GW_RUN/retx-$RUN_ID/charon-gwB.log" 2>/dev/null
	fi
	return 0
}

# ---------------------------------------------------------------- ours
# ours_conf SIDE N CASE PSK: gwA: per tunnel a crypto map set on LoopbackI (its own address,
# the IKE SA's local address), one entry: the host pair, peer gwB, the profile; gwB: one set
# on wan0 with an entry per tunnel naming gwA's address of that tunnel, and a profile per
# tunnel matching that address (the engine matches "match identity remote address" exactly,
# without its mask: controld/ike/auth.c id_matches()).  CASE v1: the same maps keyed by IKEv1
# (ours_conf_v1).
ours_conf()
{
	local side=$1 n=$2 grp=$3 psk=$4 i peer=$GWB mask=255.255.255.255
	[ "$side" = B ] && peer=198.51.100.0 mask=255.255.255.0
	[ "$grp" = v1 ] && { ours_conf_v1 "$@"; return; }
	cat <<-CONF
	! bench/ike.sh: gw$side, $n tunnels, IKEv2 group $grp; a fresh key for this run only
	hostname gw$side
	crypto ikev2 proposal BENCH
	 encryption aes-gcm-128
	 prf sha256
	 group $grp
	crypto ikev2 policy BENCH
	 proposal BENCH
	crypto ikev2 keyring BENCH
	 peer LAB
	  address $peer $mask
	  pre-shared-key $psk
	crypto ipsec transform-set GCM128 esp-gcm 128
	 mode tunnel
	CONF
	# profile NAME REMOTE
	profile() {
		printf 'crypto ikev2 profile %s\n match identity remote address %s 255.255.255.255\n' \
			"$1" "$2"
		printf ' authentication remote pre-share\n authentication local pre-share\n'
		printf ' keyring local BENCH\n'
	}
	[ "$side" = A ] && profile BENCH "$GWB"
	for ((i = 1; i <= n; i++)); do
		if [ "$side" = A ]; then
			cat <<-CONF
			ip access-list extended t$i
			 permit ip host $(l_host "$i") host $(r_host "$i")
			crypto map b$i 10 ipsec-isakmp
			 match address t$i
			 set peer $GWB
			 set transform-set GCM128
			 set ikev2-profile BENCH
			interface Loopback$i
			 ip address $(a_addr "$i") 255.255.255.255
			 crypto map b$i
			CONF
		else
			profile "T$i" "$(a_addr "$i")"
			cat <<-CONF
			ip access-list extended t$i
			 permit ip host $(r_host "$i") host $(l_host "$i")
			crypto map vpn $i ipsec-isakmp
			 match address t$i
			 set peer $(a_addr "$i")
			 set transform-set GCM128
			 set ikev2-profile T$i
			CONF
		fi
	done
	if [ "$side" = A ]; then
		printf 'interface wan0\n ip address 198.51.100.1 255.255.255.0\n'
	else
		printf 'interface wan0\n ip address %s 255.255.255.0\n crypto map vpn\n' "$GWB"
	fi
}

# ours_conf_v1 SIDE N v1 PSK: ours_conf's layout keyed by IKEv1 (docs/ikev1.md): phase 1
# policy 10 AES-128/SHA-1/pre-share/group 14, a key for gwB (on gwA) or for the lab's /24 (on
# gwB), transform set esp-aes 128 esp-sha-hmac, the crypto maps without set ikev2-profile.
ours_conf_v1()
{
	local side=$1 n=$2 psk=$4 i key="$GWB"
	[ "$side" = B ] && key="198.51.100.0 255.255.255.0"
	cat <<-CONF
	! bench/ike.sh: gw$side, $n tunnels, IKEv1 main mode + quick mode; a fresh key for this run only
	hostname gw$side
	crypto isakmp policy 10
	 encryption aes 128
	 hash sha
	 authentication pre-share
	 group 14
	crypto isakmp key $psk address $key
	crypto ipsec transform-set AES128SHA esp-aes 128 esp-sha-hmac
	 mode tunnel
	CONF
	for ((i = 1; i <= n; i++)); do
		if [ "$side" = A ]; then
			cat <<-CONF
			ip access-list extended t$i
			 permit ip host $(l_host "$i") host $(r_host "$i")
			crypto map b$i 10 ipsec-isakmp
			 match address t$i
			 set peer $GWB
			 set transform-set AES128SHA
			interface Loopback$i
			 ip address $(a_addr "$i") 255.255.255.255
			 crypto map b$i
			CONF
		else
			cat <<-CONF
			ip access-list extended t$i
			 permit ip host $(r_host "$i") host $(l_host "$i")
			crypto map vpn $i ipsec-isakmp
			 match address t$i
			 set peer $(a_addr "$i")
			 set transform-set AES128SHA
			CONF
		fi
	done
	if [ "$side" = A ]; then
		printf 'interface wan0\n ip address 198.51.100.1 255.255.255.0\n'
	else
		printf 'interface wan0\n ip address %s 255.255.255.0\n crypto map vpn\n' "$GWB"
	fi
}

# ours_up_count GW: IKE SAs GW lists READY with at least one child SA, from
# `show crypto ikev2 sa detail` (controld/ike/ike.c ike_show_sa: a line per SA ending in its
# status, then "Profile: P, Child SAs: N").
ours_up_count()
{
	gwctl_in "$1" "show crypto ikev2 sa detail" 2>/dev/null | awk '
		/^[0-9]+ +[0-9.]+\/[0-9]+ +[0-9.]+\/[0-9]+ / { st = $NF }
		/Child SAs: [0-9]+/ { n = $NF; if (st == "READY" && n + 0 >= 1) c++; st = "" }
		END { print c + 0 }'
}
# ours_up_count_v1 GW: ISAKMP SAs GW lists in state QM_IDLE (phase 1 done, quick mode may
# follow), from `show crypto isakmp sa` in IOS's layout: dst src state conn-id status.
ours_up_count_v1()
{
	gwctl_in "$1" "show crypto isakmp sa" 2>/dev/null |
		awk '$3 == "QM_IDLE" { c++ } END { print c + 0 }'
}

# The kicker: one python3 in hostA, started with the ours lab, reading "FIRST LAST" lines from
# a FIFO and sending for each tunnel i of FIRST..LAST one UDP datagram 198.18.0.i -> 198.19.0.i
# port 9: the traffic whose first packet makes gwA's datad acquire.  One process for the whole
# half, so no process start is inside a measured interval.
KICK_FD=
kick_start()
{
	local f=$GW_RUN/kick.fifo
	rm -f "$f"; mkfifo "$f" || return 1
	nsx_bg hostA "$GW_RUN/kick.log" "$GW_PY" -u -c 'import socket, sys
for line in open(sys.argv[1]):
    a, b = (int(x) for x in line.split())
    for i in range(a, b + 1):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(("198.18.%d.%d" % (i // 256, i % 256), 0))
            s.sendto(b"bench ike", ("198.19.%d.%d" % (i // 256, i % 256), 9))
        except OSError as e:
            print("tunnel %d: %s" % (i, e), flush=True)
        s.close()' "$f"
	KICK_PID=$LAST_PID
	# read-write: the open does not wait for the reader, and a write never meets a closed
	# pipe (SIGPIPE) should the helper have died; kick_why says so
	exec {KICK_FD}<>"$f"
}
kick() { echo "$1 $2" >&"$KICK_FD"; }
# kick_why: why no datagram may have been sent (for a failed run's note), or nothing.
kick_why() { { [ -n "${KICK_PID:-}" ] && kill -0 "$KICK_PID" 2>/dev/null; } ||
	printf ' (the datagram sender died: %s)' "$(tail -n 1 "$GW_RUN/kick.log" 2>/dev/null)"; }
kick_stop()
{
	[ -n "$KICK_FD" ] && exec {KICK_FD}>&-
	KICK_FD=
	[ -n "${KICK_PID:-}" ] && pid_stop "$KICK_PID" TERM 2 >/dev/null 2>&1
	KICK_PID=
}

OURS_WHY=
# ours_start N CASE: both gateways with fresh state; 1 with OURS_WHY set if they do not start
# or controld has no engine of that IKE version to ask.
ours_start()
{
	local n=$1 grp=$2 psk g out ver=IKEv2 sa_cmd="show crypto ikev2 sa" dbg="debug crypto ikev2"
	[ "$grp" = v1 ] && ver=IKEv1 sa_cmd="show crypto isakmp sa" dbg="debug crypto isakmp"
	psk=$(openssl rand -hex 16)
	for g in gwA gwB; do
		ours_conf "${g#gw}" "$n" "$grp" "$psk" >"$GW_RUN/$g.conf"
		rm -rf "$(gw_dir "$g")/state"	# nothing adopted from a previous run
		if ! gw_start "$g" "$GW_RUN/$g.conf" 2>>"$GW_RUN/ours.err"; then
			OURS_WHY="$g does not start with $n $ver crypto maps: $(grep -v '^---' "$(gw_dir "$g")/controld.log" 2>/dev/null | tail -n 1)"
			return 1
		fi
	done
	if [ "${BENCH_IKE_DEBUG:-0}" = 1 ]; then	# diagnosis only: the logging slows them
		for g in gwA gwB; do gwctl_in "$g" "$dbg" >/dev/null 2>&1; done
	fi
	if ! out=$(gwctl_in gwA "$sa_cmd" 2>&1); then
		OURS_WHY="controld has no '$sa_cmd' (no $ver engine in controld in this build): $(grep -m1 . <<<"$out")"
		# what does work: the first datagram of a tunnel makes datad ask controld
		kick 1 1
		sleep 0.3
		out=$(gwctl_in gwA "show workers" 2>/dev/null | grep -m1 '^Acquires from workers:')
		[ -n "$out" ] && OURS_WHY+="; gwA after one datagram of tunnel 1: ${out%.}"
		return 1
	fi
}

ours_stop() { gw_stop gwA >/dev/null 2>&1; gw_stop gwB >/dev/null 2>&1; return 0; }

# The watcher: one gwctl session on gwA for the whole run (gwctl reads commands from a FIFO and
# answers each at once, docs/gwctl.md), asked `show crypto ikev2 stats` every few ms: no
# process per look, and controld only counts (no listing of every SA) while it works.  The
# stats are a fixed number of lines (learned once with a plain gwctl): "IKEv2 SAs: ...", then
# a counter per line, "  N  IKE SAs established", "  N  child SAs installed" (controld/cli).
# IKEv1 (gs_start v1): the first command of BENCH_IKE1_STATS (default show crypto isakmp
# stats) and show crypto ikev2 stats that answers so.
GS_IN='' GS_OUT='' GS_NAP='' GS_PID='' GS_LINES='' GS_CMD=''
IKE1_STATS=${BENCH_IKE1_STATS:-show crypto isakmp stats}
gs_start()
{
	local d=$GW_RUN/gs c
	local -a cmds=("show crypto ikev2 stats")
	[ "${1:-}" = v1 ] && cmds=("$IKE1_STATS" "show crypto ikev2 stats")
	GS_LINES=0
	for c in "${cmds[@]}"; do
		GS_CMD=$c
		GS_LINES=$(gwctl_in gwA "$c" 2>/dev/null | wc -l)
		[ "$GS_LINES" -gt 1 ] && break
	done
	[ "$GS_LINES" -gt 1 ] || return 1
	rm -rf "$d"; mkdir -p "$d"
	mkfifo "$d/in" "$d/out" || return 1
	mkfifo "$d/nap" || return 1
	exec {GS_IN}<>"$d/in" {GS_OUT}<>"$d/out"	# read-write: no open waits for the other end
	exec {GS_NAP}<>"$d/nap"		# never written: reading it with -t is a pause in this shell
	# shellcheck disable=SC2016 # the inner shell's $0..$3
	nsx_bg gwA "$d/gwctl.log" sh -c 'exec "$0" -s "$1" -t 30 <"$2" >"$3"' "$GW_BIN/gwctl" \
		"$(gw_cli_ep gwA)" "$d/in" "$d/out"
	GS_PID=$LAST_PID
}
# gs_stats: ask once; sets GS_IKE and GS_CHILD (SAs established / installed since controld
# started) and GS_RETX (requests retransmitted); 1 if the session does not answer.
gs_stats()
{
	local i line
	GS_IKE=0 GS_CHILD=0 GS_RETX=0
	echo "$GS_CMD" >&"$GS_IN"
	for ((i = 0; i < GS_LINES; i++)); do
		read -r -t 5 -u "$GS_OUT" line || return 1
		case $line in
		*" IKE SAs established") GS_IKE=${line%% *} ;;
		*" child SAs installed") GS_CHILD=${line%% *} ;;
		*" requests retransmitted") GS_RETX=${line%% *} ;;
		esac
	done
}
gs_stop()
{
	[ -n "$GS_IN" ] && exec {GS_IN}>&-
	[ -n "$GS_OUT" ] && exec {GS_OUT}<&-
	[ -n "$GS_NAP" ] && exec {GS_NAP}<&-
	GS_IN='' GS_OUT='' GS_NAP=''
	[ -n "$GS_PID" ] && pid_stop "$GS_PID" TERM 2 >/dev/null 2>&1
	GS_PID=
}

# ours_run MODE N GROUP: one run (in this shell, like ss_run); sets RES to "SECONDS BUSY", or
# returns 1 with NOTE_RUN set, 2 when ours cannot work at all here.
ours_run()
{
	local mode=$1 n=$2 grp=$3 t0 tp tq i up last dt g c
	ours_start "$n" "$grp" || { NOTE_RUN=$OURS_WHY; return 2; }
	CPU_PIDS=("${GW_PID[gwA/controld]}" "${GW_PID[gwA/datad]}" "${GW_PID[gwB/controld]}"
		"${GW_PID[gwB/datad]}")
	gs_start "$grp" || { NOTE_RUN="no gwctl session to watch gwA: $(tail -n 1 "$GW_RUN/gs/gwctl.log" 2>/dev/null)"; return 2; }
	meter_start
	mono t0
	last=$t0 tq=$t0
	# sequential: tunnel i is sent its first datagram once i - 1 are up; parallel: all at once
	if [ "$mode" = seq ]; then i=1; kick 1 1; else i=$n; kick 1 "$n"; fi
	while :; do
		mono tp
		if ! gs_stats; then
			NOTE_RUN="the gwctl session on gwA stopped answering: $(tail -n 1 "$GW_RUN/gs/gwctl.log" 2>/dev/null)"
			gs_stop; return 1
		fi
		up=$((GS_IKE < GS_CHILD ? GS_IKE : GS_CHILD))
		if [ "$up" -ge "$i" ]; then
			[ "$i" -ge "$n" ] && break
			i=$((i + 1)); kick "$i" "$i"; mono last
			continue
		fi
		tq=$tp
		if older "$t0" "$WAIT"; then
			NOTE_RUN="only $up of $n tunnels up after $WAIT s$(kick_why)"
			gs_stop
			[ "$up" = 0 ] && return 2
			return 1
		fi
		# the acquire is dropped or shed: traffic again after a second
		if older "$last" 1; then
			if [ "$mode" = seq ]; then kick "$i" "$i"; else kick 1 "$n"; fi
			mono last
		fi
		read -r -t "$POLL" -u "$GS_NAP" _ || :	# a pause without a sleep(1) process
	done
	# the last tunnel came up between the look before (tq) and this one (tp)
	tp=$(((tq + tp) / 2))
	RETX=$GS_RETX
	gs_stop
	dt=$(secs $((tp - t0)))
	meter_stop
	for g in gwA gwB; do
		if [ "$grp" = v1 ]; then c=$(ours_up_count_v1 "$g"); else c=$(ours_up_count "$g"); fi
		[ "$c" = "$n" ] || { NOTE_RUN="$g lists $c tunnels READY with a child SA, not $n"; return 1; }
	done
	RES="$dt $BUSY $CPU_MS"
}

# ---------------------------------------------------------------- running
declare -A T=() B=() C=() NOTE=() DROPS=()	# T[kind/group/mode/run] seconds, B[...] % busy,
						# C[...] gateways' CPU ms per tunnel
T_START=$SECONDS
say "bench ike: work directory $GW_RUN (removed at the end unless GW_KEEP=1)"
if [ "${WANT[ss]}" = 1 ] && ! ss_prepare; then
	say "bench ike: strongSwan cannot be used: $SS_WHY (its rows say n/a)"
	NOTE[ss]="strongSwan unavailable: $SS_WHY"
fi
if [ "${WANT[ours]}" = 1 ]; then
	for b in controld datad gwctl; do
		[ -x "$GW_BIN/$b" ] || NOTE[ours]="$GW_BIN/$b not found (build first, or set GW_BIN)"
	done
fi
declare -A LABEL=([ss]="strongSwan-strongSwan" [ours]="ours-ours")
# case_name CASE: how progress and notes name a case ("group 19", "IKEv1 group 14")
case_name() { if [ "$1" = v1 ]; then echo "IKEv1 group 14"; else echo "group $1"; fi; }

for kind in ss ours; do
	if [ "${WANT[$kind]}" != 1 ] || [ -n "${NOTE[$kind]:-}" ]; then continue; fi
	say "[$kind] ${LABEL[$kind]}: drawing the lab ($NMAX tunnel addresses) ..."
	lab_up "$kind" || { NOTE[$kind]="the lab could not be drawn"; continue; }
	if [ "$kind" = ours ] && ! kick_start; then
		NOTE[ours]="the sender of the acquiring datagrams did not start"; continue
	fi
	for grp in $CASES; do
		for mode in seq par; do
			n=$NSEQ; [ "$mode" = par ] && n=$NPAR
			for ((r = 1; r <= RUNS; r++)); do
				NOTE_RUN=
				say "[$kind] ${LABEL[$kind]} $(case_name "$grp"), $mode: $n tunnels, run $r/$RUNS ... (t+$((SECONDS - T_START)) s)"
				rc=0 RES='' RETX=
				d0=$(udp_drops)
				case $kind in
				ss) ss_run "$mode" "$n" "$grp" || rc=$?; ss_stop ;;
				ours) ours_run "$mode" "$n" "$grp" || rc=$?; ours_stop ;;
				esac
				if [ "$rc" = 0 ]; then
					read -r dt busy cpu <<<"$RES"
					T[$kind/$grp/$mode/$r]=$dt
					# shellcheck disable=SC2034 # read through med's nameref
					B[$kind/$grp/$mode/$r]=$busy
					C[$kind/$grp/$mode/$r]=$(awk -v c="$cpu" -v n="$n" 'BEGIN { printf "%.2f", c / n }')
					d=$(($(udp_drops) - d0))
					DROPS[$kind]=$((${DROPS[$kind]:-0} + d))
					say "       $n tunnels in $dt s: $(awk -v n="$n" -v t="$dt" \
						'BEGIN { printf "%.1f", n / t }') tunnels/s [gateways' CPU" \
						"${C[$kind/$grp/$mode/$r]} ms a tunnel, machine $busy% busy," \
						"$d datagrams dropped by the gateways' UDP sockets${RETX:+, $RETX IKE retransmissions}]"
				else
					say "       failed: ${NOTE_RUN:-see $GW_RUN}"
					NOTE[$kind/$grp/$mode]=$NOTE_RUN
				fi
				if [ "$rc" = 2 ] && [ "$grp" = v1 ]; then	# no IKEv1 in this half
					NOTE[$kind/v1]=$NOTE_RUN
					break 2
				elif [ "$rc" = 2 ]; then	# this half cannot work at all
					NOTE[$kind]=$NOTE_RUN
					break 3
				fi
			done
		done
	done
	[ "$kind" = ours ] && kick_stop
done
topo_down
ELAPSED=$((SECONDS - T_START))

# ---------------------------------------------------------------- the table
# rate KIND GROUP MODE: "MEDIAN MIN MAX" tunnels/s of the runs that finished (empty if none).
rate()
{
	local r n=$NSEQ vals=()
	[ "$3" = par ] && n=$NPAR
	for ((r = 1; r <= RUNS; r++)); do
		[ -n "${T[$1/$2/$3/$r]:-}" ] && vals+=("$(awk -v n="$n" -v t="${T[$1/$2/$3/$r]}" \
			'BEGIN { printf "%.3f", (t > 0 ? n / t : 0) }')")
	done
	[ ${#vals[@]} -gt 0 ] || return 0
	printf '%s\n' "${vals[@]}" | sort -g | awk '{ v[NR] = $1 }
		END { x = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.1f %.1f %.1f\n", x, v[1], v[NR] }'
}
# med ARRAY KIND GROUP MODE: the median of ARRAY[KIND/GROUP/MODE/run] over the runs, or -.
med()
{
	local -n a=$1
	local r vals=()
	for ((r = 1; r <= RUNS; r++)); do
		[ -n "${a[$2/$3/$4/$r]:-}" ] && vals+=("${a[$2/$3/$4/$r]}")
	done
	[ ${#vals[@]} -gt 0 ] || { echo -; return 0; }
	printf '%s\n' "${vals[@]}" | sort -g | awk '{ v[NR] = $1 }
		END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# row_label KIND CASE: the setup column ("strongSwan-strongSwan v1" for IKEv1)
row_label() { if [ "$2" = v1 ]; then echo "${LABEL[$1]} v1"; else echo "${LABEL[$1]}"; fi; }
ratio() { awk -v a="${1:-}" -v b="${2:-}" 'BEGIN { n = "^[0-9]+(\\.[0-9]*)?$"
	if (a ~ n && b ~ n && b + 0 > 0) printf "%.2f", a / b; else printf "n/a" }'; }

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=$OUTDIR/ike-$STAMP.txt
mkdir -p "$OUTDIR"
ss_ver=$(dpkg-query -W -f='${Version}' charon-systemd 2>/dev/null)
{
	echo "bench/run.sh ike, $(date '+%F %T'), $(nproc) cores" \
		"($(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')), kernel $(uname -r)," \
		"OpenSSL $(openssl version | cut -d' ' -f2), strongSwan ${ss_ver:-not installed};" \
		"our binaries: $GW_BIN"
	echo "tunnel = one IKE SA (IKE_SA_INIT + IKE_AUTH, IKEv2, PSK) + its first child SA, each" \
		"from its own gwA address; IKE aes128gcm16-prfsha256-<group>, ESP aes128gcm16;"
	[[ " $CASES " == *" v1 "* ]] && echo "rows v1: one ISAKMP SA (main mode, 6 messages, PSK)" \
		"+ its first IPsec SA (quick mode, 3 messages), IKE aes128-sha1-modp2048, ESP" \
		"aes128-sha1, no PFS;"
	echo "sequential: $NSEQ one after the other; parallel: $NPAR at once; tunnels/s = median" \
		"of $RUNS runs (min-max); busy = % of all cores during the run; total $ELAPSED s"
	echo
	fmt='%-24s %5s  %9s %9s %7s %11s %5s  %9s %9s %7s %11s %5s\n'
	# shellcheck disable=SC2059
	printf "$fmt" "" "" "sequential" "($NSEQ)" "" "" "" "parallel" "($NPAR)" "" "" ""
	# shellcheck disable=SC2059
	printf "$fmt" "setup" "group" "tunnels/s" "ms/tunnel" "CPU ms" "min-max" "busy" \
		"tunnels/s" "s for all" "CPU ms" "min-max" "busy"
	for kind in ss ours; do
		[ "${WANT[$kind]}" = 1 ] || continue
		for grp in $CASES; do
			row=()
			for mode in seq par; do
				n=$NSEQ; [ "$mode" = par ] && n=$NPAR
				read -r m lo hi <<<"$(rate "$kind" "$grp" "$mode")"
				if [ -n "${m:-}" ]; then
					if [ "$mode" = seq ]; then
						row+=("$m" "$(awk -v m="$m" 'BEGIN { printf "%.1f", 1000 / m }')")
					else
						row+=("$m" "$(awk -v m="$m" -v n="$n" 'BEGIN { printf "%.2f", n / m }')")
					fi
					row+=("$(med C "$kind" "$grp" "$mode")" "$lo-$hi"
						"$(med B "$kind" "$grp" "$mode")%")
				elif [ "$grp" = v1 ] && [ -n "${NOTE[$kind/v1]:-}${NOTE[$kind/v1/$mode]:-}" ]; then
					row+=(fail - - - -)	# tried: no tunnels came up
				else
					row+=(n/a - - - -)
				fi
			done
			# shellcheck disable=SC2059
			printf "$fmt" "$(row_label "$kind" "$grp")" "${grp/v1/14}" "${row[@]}"
		done
	done
	if [ "${WANT[ss]}" = 1 ] && [ "${WANT[ours]}" = 1 ]; then
		for grp in $CASES; do
			s1=$(rate ours "$grp" seq | cut -d' ' -f1); s2=$(rate ss "$grp" seq | cut -d' ' -f1)
			p1=$(rate ours "$grp" par | cut -d' ' -f1); p2=$(rate ss "$grp" par | cut -d' ' -f1)
			# shellcheck disable=SC2059
			c1=$(med C ours "$grp" seq); c2=$(med C ss "$grp" seq)
			d1=$(med C ours "$grp" par); d2=$(med C ss "$grp" par)
			# shellcheck disable=SC2059
			printf "$fmt" "ours / strongSwan$([ "$grp" = v1 ] && echo " v1")" "${grp/v1/14}" "$(ratio "$s1" "$s2")" "" \
				"$(ratio "$c1" "$c2")" "" "" "$(ratio "$p1" "$p2")" "" "$(ratio "$d1" "$d2")" "" ""
		done
	fi
	echo
	echo "CPU ms: the gateways' own CPU time per tunnel (utime + stime of charon on gwA and" \
		"gwB, or of controld and datad on both; not the tools), median of the runs; in" \
		"'ours / strongSwan' a ratio above 1 means ours spent more"
	echo "how a run is timed (no tool process inside a time): strongSwan, over one vici" \
		"connection (bench/swan_vici.py): sequential, each initiate answered when its tunnel is" \
		"up; parallel, charon's child-updown events; ours, one gwctl session on gwA asked" \
		"'show crypto ikev2 stats' every $POLL s (IKEv1: $IKE1_STATS, else the same)," \
		"the end midway between the last two looks"
	echo "datagrams the gateways' UDP sockets dropped (receive buffer full) during the runs:" \
		"strongSwan ${DROPS[ss]:--}, ours ${DROPS[ours]:--} (each lost IKE message costs a" \
		"retransmission: a run seconds longer than the others)"
	for kind in ss ours; do
		[ "${WANT[$kind]}" = 1 ] || continue
		name=ours; [ "$kind" = ss ] && name=strongSwan
		if [ -n "${NOTE[$kind]:-}" ]; then
			echo "$name: not available (${NOTE[$kind]})"
			continue
		fi
		for grp in $CASES; do
			if [ "$grp" = v1 ] && [ -n "${NOTE[$kind/v1]:-}" ]; then
				echo "$name IKEv1: not available (${NOTE[$kind/v1]})"
				continue
			fi
			for mode in seq par; do
				[ -n "${NOTE[$kind/$grp/$mode]:-}" ] &&
					echo "$name $(case_name "$grp") $mode: a run failed: ${NOTE[$kind/$grp/$mode]}"
			done
		done
	done
	echo "ike setup ours/strongswan: $(ratio "$(rate ours 19 par | cut -d' ' -f1)" \
		"$(rate ss 19 par | cut -d' ' -f1)")"
	[[ " $CASES " == *" v1 "* ]] &&
		echo "ike1 setup ours/strongswan: $(ratio "$(rate ours v1 par | cut -d' ' -f1)" \
			"$(rate ss v1 par | cut -d' ' -f1)")"
} | tee "$OUT"
say "bench ike: table saved to $OUT"
[ "${GW_KEEP:-0}" = 1 ] && say "bench ike: work directory kept: $GW_RUN"
exit 0
