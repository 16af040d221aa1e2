#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/cli_session.sh: configure sessions through gwctl against a running gateway
# (docs/gwctl.md; docs/design.md invariant 4: a configure session with an error applies nothing).
#
#   1. gwA and gwB up with the example configs (gwA's copied to the run directory: write
#      memory rewrites it); the tunnel pings
#   2. `gwctl -f` with a good session, written with abbreviations: show running-config has the
#      changes, the generation moved by one, the tunnel still pings
#   3. `gwctl -f` with a bad session, 50 lines with line 40 wrong: gwctl exits 1, names line 40,
#      and the running configuration and generation are exactly as before
#   4. a session that does not validate, and input that ends inside a session: nothing applied
#   5. write memory: the startup file is show running-config's text, parses back (controld -n),
#      and no temporary file is left beside it
#   6. clear crypto sa peer: the counters of show crypto ipsec sa start again, traffic goes on
#   7. piped input prints no prompts
#   8. an interactive session through a pseudo-terminal (python3 pty): prompts gwA#,
#      gwA(config)#, gwA(config-crypto-map)#; "sh cry ips sa", TAB, "?", Ctrl-Z, exit
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/cli_session.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin cli_session
CONF_B=$GW_SRC/deploy/examples/gwB.conf
HOST_B=192.0.2.130

topo_up "gw$$" || t_abort "draw the topology"
CONF_A=$GW_RUN/gwA-startup.conf
cp "$GW_SRC/deploy/examples/gwA.conf" "$CONF_A"

# gwctl_a ARGS...: gwctl against gwA's controld, 20 s at most.
gwctl_a() { nsx gwA timeout 20 "$GW_BIN/gwctl" -s "$(gw_cli_ep gwA)" "$@"; }
running() { gwctl_a -c "show running-config" 2>&1; }
generation() { gwctl_a -c "show users" | awk '/^Running configuration: generation/ { print $4 }'; }

# 1.
t_check "gwA: controld + datad start" gw_start gwA "$CONF_A" || t_abort "gwA start"
t_check "gwB: controld + datad start" gw_start gwB "$CONF_B" || t_abort "gwB start"
t_check "tunnel up: ping hostA -> hostB (10 s)" wait_ping hostA "$HOST_B" 10 ||
	t_abort "no tunnel"

# 2. A good session, abbreviated.
cat >"$GW_RUN/good.txt" <<'EOF'
! a good session: a spare transform set and access list, a description
conf t
cry ips trans GCM esp-gcm 256
access-list 150 rem spare list for site C
acc 150 per ip 192.0.2.0 0.0.0.127 203.0.113.0 0.0.0.255
cry map vpn 10
 desc to gwB, keyed by hand
end
EOF
GEN0=$(generation)
RC=0; OUT=$(gwctl_a -f "$GW_RUN/good.txt" 2>&1) || RC=$?
t_eq "good session: gwctl -f exits 0" "$RC" 0
[ "$RC" = 0 ] || t_fail "good session output" "$OUT"
RUN=$(running)
t_match "good session: the transform set is running" "$RUN" \
	'^crypto ipsec transform-set GCM esp-gcm 256$'
t_match "good session: the access list is running" "$RUN" \
	'^access-list 150 permit ip 192\.0\.2\.0 0\.0\.0\.127 203\.0\.113\.0 0\.0\.0\.255$'
t_match "good session: the description is running" "$RUN" '^ description to gwB, keyed by hand$'
t_eq "good session: one new generation" "$(generation)" "$((GEN0 + 1))"
t_check "good session: the tunnel still pings" nsx hostA ping -n -c3 -i0.2 -W2 "$HOST_B"

# 3. A bad session: 50 lines, line 40 wrong.
{
	echo "configure terminal"
	for i in $(seq 2 49); do
		if [ "$i" = 40 ]; then
			echo "access-list 160 permit ip any hots 192.0.2.1"
		else
			echo "access-list 160 remark line $i"
		fi
	done
	echo "end"
} >"$GW_RUN/bad.txt"
BEFORE=$(running)
GEN0=$(generation)
RC=0; OUT=$(gwctl_a -f "$GW_RUN/bad.txt" 2>&1) || RC=$?
t_eq "bad session: gwctl -f exits 1" "$RC" 1
t_match "bad session: the refused word and line 40 are named" "$OUT" \
	"% Invalid input detected at 'hots' \(line 40\)"
t_match "bad session: end applies nothing, and says why" "$OUT" \
	'% Nothing applied: 1 line of this session was refused:'
t_match "bad session: the report lists line 40" "$OUT" '^%   line 40: access-list 160'
t_eq "bad session: running configuration unchanged" "$(running)" "$BEFORE"
t_eq "bad session: no new generation" "$(generation)" "$GEN0"

# 4. Does not validate; ends before "end"; a failed exec command stops a file.
printf 'conf t\ncrypto map vpn 10\n set transform-set NOPE\nend\n' >"$GW_RUN/invalid.txt"
RC=0; OUT=$(gwctl_a -f "$GW_RUN/invalid.txt" 2>&1) || RC=$?
t_eq "invalid session: gwctl -f exits 1" "$RC" 1
t_match "invalid session: validation says why" "$OUT" \
	'% Nothing applied: line 3: crypto map vpn 10: transform set NOPE is not defined'
RC=0; OUT=$(gwctl_a -c "configure terminal" -c "hostname gwZ" 2>&1) || RC=$?
t_eq "input ending inside a session: exits 1" "$RC" 1
t_match "input ending inside a session: aborted" "$OUT" 'ended inside a configure session'
printf 'show frobs\nconfigure terminal\nhostname gwZ\nend\n' >"$GW_RUN/stop.txt"
RC=0; OUT=$(gwctl_a -f "$GW_RUN/stop.txt" 2>&1) || RC=$?
t_eq "a failed exec command stops the file: exits 1" "$RC" 1
t_eq "nothing after it ran: running configuration unchanged" "$(running)" "$BEFORE"
t_eq "no new generation" "$(generation)" "$GEN0"

# 5. write memory.
RC=0; OUT=$(gwctl_a -c "wr mem" 2>&1) || RC=$?
t_eq "write memory: exits 0" "$RC" 0
t_match "write memory: [OK]" "$OUT" "^\[OK\] "
t_eq "write memory: the startup file is the running configuration" \
	"$(cat "$CONF_A")" "$(running)"
t_check "write memory: the file parses and validates (controld -n)" \
	"$GW_BIN/controld" -n -f "$CONF_A"
t_eq "write memory: no temporary file left" \
	"$(find "$GW_RUN" -maxdepth 1 -name 'gwA-startup.conf.tmp.*' | wc -l)" 0
t_eq "show startup-config prints the file" \
	"$(gwctl_a -c "show startup-config" | sed '1,2d')" "$(cat "$CONF_A")"

# 6. clear crypto sa: counters start again, traffic goes on.
# (workers report their counters every second: poll)
t_check "5 more pings hostA -> hostB" nsx hostA ping -n -c5 -i0.1 -W1 "$HOST_B"
gw_encaps_gt4() { [ "$(gw_sa_counter gwA encaps)" -gt 4 ]; }
t_poll 5 gw_encaps_gt4
N0=$(gw_sa_counter gwA encaps)
t_gt "encaps counted before the clear" "$N0" 4
RC=0; OUT=$(gwctl_a -c "clear crypto sa peer 198.51.100.2" 2>&1) || RC=$?
t_eq "clear crypto sa peer: exits 0" "$RC" 0
t_match "clear crypto sa peer: lists what it cleared" "$OUT" \
	'crypto map vpn 10: outbound esp spi 0x3E8\(1000\) 198\.51\.100\.1 -> 198\.51\.100\.2'
t_lt "encaps after the clear" "$(gw_sa_counter gwA encaps)" "$N0"
t_check "the tunnel still pings after the clear" nsx hostA ping -n -c3 -i0.2 -W2 "$HOST_B"
t_check_not "clear crypto sa map nope: no SA matches, exits 1" \
	gwctl_a -c "clear crypto sa map nope"

# 7. A pipe: no prompts.
OUT=$(echo "show users" | nsx gwA timeout 10 "$GW_BIN/gwctl" -s "$(gw_cli_ep gwA)" 2>&1)
t_match "piped: the command ran" "$OUT" '^Running configuration: generation'
t_check_not "piped: no prompt printed" grep -q 'gwA#' <<<"$OUT"

# 8. Interactive, through a pseudo-terminal.
cat >"$GW_RUN/pty_drive.py" <<'EOF'
# Types into gwctl on a pseudo-terminal; prints "ok STEP" or "not ok STEP: why" per step.
import os, pty, select, sys, time

gwctl, ep = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(gwctl, [gwctl, "-s", ep])
buf = b""

def wait(pat, t=5.0):
    """Output up to and including pat (the screen since the last wait), or None."""
    global buf
    end = time.time() + t
    while True:
        i = buf.find(pat.encode())
        if i >= 0:
            out, buf = buf[:i + len(pat)], buf[i + len(pat):]
            return out.decode(errors="replace")
        left = end - time.time()
        if left <= 0:
            return None
        r, _, _ = select.select([fd], [], [], min(left, 0.1))
        if r:
            try:
                buf += os.read(fd, 65536)
            except OSError:
                return None

def step(name, keys, until, want=()):
    if keys:
        os.write(fd, keys.encode())
    out = wait(until)
    if out is None:
        print("not ok %s: no %r in %r" % (name, until, buf[-300:]))
        return ""
    missing = [w for w in want if w not in out]
    print(("not ok %s: no %r in %r" % (name, missing, out[-400:])) if missing
          else "ok %s" % name)
    return out

step("first prompt gwA#", "", "gwA#")
step("sh cry ips sa shows the SAs", "sh cry ips sa\r", "gwA#",
     ["Crypto map tag: vpn", "spi: 0x3E8(1000)"])
step("TAB completes sh -> show", "sh\t", "ow ")
step("the completed line runs", "users\r", "gwA#", ["Running configuration: generation"])
step("a pipe: sh run | i ^host", "sh run | i ^host\r", "gwA#", ["hostname gwA"])
step("conf t -> gwA(config)#", "conf t\r", "gwA(config)#", ["End with CNTL/Z."])
step("? lists the commands at once", "?", "gwA(config)#", ["crypto ", "end ", "abort "])
step("cry map vpn 20 ipsec-isakmp -> gwA(config-crypto-map)#",
     "cry map vpn 20 ipsec-isakmp\r", "gwA(config-crypto-map)#")
step("set ? in the sub-mode", "set ?", "session-key", ["?\r\n", "peer ", "pfs "])
step("the line comes back after ?", "", "gwA(config-crypto-map)#set ")
os.write(fd, b"\x15")                          # ^U: drop the line
step("a typo: the caret under the word (23 of prompt + 13)", "hostname gwX extra\r",
     'hostname: "extra"', ["\r\n" + " " * 36 + "^\r\n% Invalid input detected at '^' marker."])
step("a typo: the session goes on", "", "gwA(config-crypto-map)#")
step("a key line", "crypto isakmp key s3cr3t address 198.51.100.9\r", "gwA(config)#")
step("abort", "abort\r", "gwA#", ["Session aborted"])
step("conf t again", "conf t\r", "gwA(config)#")
step("hostname gwX -> gwX(config)#", "hostname gwX\r", "gwX(config)#")
step("Ctrl-Z applies -> gwX#", "\x1a", "gwX#")
step("up arrow: history", "\x1b[A", "hostname gwX")
os.write(fd, b"\x15")
step("Ctrl-R: search back", "\x12ips sa", "sh cry ips sa")
os.write(fd, b"\x07\x15")                      # ^G leaves the search, ^U drops the line
step("conf t, hostname gwA, end", "\rconf t\rhostname gwA\rend\r", "gwA#")
os.write(fd, b"exit\r")
_, st = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(st)
print(("ok" if code == 0 else "not ok") + " exit: gwctl exits %d" % code)

# a second gwctl: the history of the first, from ~/.gwctl_history
pid, fd = pty.fork()
if pid == 0:
    os.execv(gwctl, [gwctl, "-s", ep])
buf = b""
step("second gwctl: prompt", "", "gwA#")
step("second gwctl: up arrow recalls the last session's line", "\x1b[A", "exit")
os.write(fd, b"\x15\x04")                      # ^U, ^D on an empty line: leave
_, st = os.waitpid(pid, 0)
print(("ok" if os.waitstatus_to_exitcode(st) == 0 else "not ok") + " second gwctl exits")
EOF
mkdir -p "$GW_RUN/home"
T0=$SECONDS
PTY_OUT=$(nsx gwA env HOME="$GW_RUN/home" TERM=xterm timeout 60 "$GW_PY" \
	"$GW_RUN/pty_drive.py" "$GW_BIN/gwctl" "$(gw_cli_ep gwA)" 2>&1)
t_lt "interactive: under 10 s" "$((SECONDS - T0))" 10
t_gt "interactive: steps run" "$(grep -c '^ok ' <<<"$PTY_OUT")" 0
while read -r line; do
	case $line in
	"ok "*) t_pass "interactive: ${line#ok }" ;;
	"not ok "*) t_fail "interactive: ${line#not ok }" ;;
	*) [ -n "$line" ] && echo "# $line" ;;
	esac
done <<<"$PTY_OUT"
t_match "interactive: the hostname is back to gwA" "$(running)" '^hostname gwA$'
HIST=$GW_RUN/home/.gwctl_history
t_match "history file: the lines typed" "$(cat "$HIST")" '^hostname gwX$'
t_check_not "history file: no line with a key" grep -qi 'isakmp key\|s3cr3t' "$HIST"
t_eq "history file: mode 0600" "$(stat -c %a "$HIST")" 600
t_check "the tunnel pings at the end" nsx hostA ping -n -c3 -i0.2 -W2 "$HOST_B"

t_end
