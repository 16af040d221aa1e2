#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/bad_config.sh: a configuration with an error applies nothing and says where
# (docs/design.md invariant 4: "an invalid command is refused with a clear message and the line it
# came from").  Each broken copy of deploy/examples/gwA.conf must make `controld -f` exit non-zero
# within 5 s with "FILE:LINE:" of the broken line on stderr.  Also: the good file starts and exits 0
# on SIGTERM, `controld --help` exits 0 with a usage text.  With three errors, `-n` names all
# three and controld starts nothing; a real router's configuration (tests/data/ios_router.conf)
# and one typed with abbreviations (tests/data/ios_abbrev.conf) load with `-n`.
#
# No network is needed, but controld runs inside a namespace of its own so that nothing it does
# can touch the host.
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/bad_config.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin bad_config
GOOD=$GW_SRC/deploy/examples/gwA.conf

{ topo_init "gw$$" && topo_ns_add cfg; } || t_abort "namespace"
_gw_bin controld || t_abort "controld not built"
D=$GW_RUN/cfg
mkdir -p "$D/state"

# run_controld CONF: controld -f CONF in the namespace, 5 s at most; sets RC, ERR (stderr).
run_controld()
{
	RC=0
	nsx cfg timeout 5 "$GW_BIN/controld" -f "$1" -l "ipc://$D/link.sock" -s "ipc://$D/cli.sock" \
		-S "$D/state" >"$D/out" 2>"$D/err" </dev/null || RC=$?
	ERR=$(cat "$D/err")
}

# bad NAME LINE DESC: the broken copy $D/NAME.conf must be refused, naming LINE.
bad()
{
	local f=$D/$1.conf line=$2 what=$3
	run_controld "$f"
	if [ "$RC" = 124 ]; then
		t_fail "$what: controld exits within 5 s" "still running after 5 s; stderr:" "$ERR"
		return
	fi
	t_check_not "$what: controld exits non-zero (status $RC)" test "$RC" = 0
	t_match "$what: stderr names $1.conf:$line:" "$ERR" "$1\.conf:$line:"
}

# lineof REGEX: the line number of the first line of the good file matching REGEX.
lineof() { grep -nE -- "$1" "$GOOD" | head -n1 | cut -d: -f1; }

# 1. A transform set that does not exist.
L=$(lineof '^ set transform-set ')
sed "${L}s/.*/ set transform-set NOPE/" "$GOOD" >"$D/ts.conf"
bad ts "$L" "undefined transform set NOPE"

# 2. A command nobody knows, inserted after the transform-set definition.
L=$(($(lineof '^crypto ipsec transform-set') + 2))
sed "$((L - 1))a frobnicate the widgets" "$GOOD" >"$D/unknown.conf"
bad unknown "$L" "unknown command"

# 3. A cipher key with an odd number of hex digits.
L=$(lineof 'session-key outbound')
sed "${L}s/cipher a1a2/cipher a1a/" "$GOOD" >"$D/key.conf"
bad key "$L" "malformed cipher key"

# 4. A file that does not exist.
run_controld "$D/missing.conf"
t_check_not "missing file: controld exits non-zero (status $RC)" test "$RC" = 0 -o "$RC" = 124
t_match "missing file: stderr names it" "$ERR" 'missing\.conf'

# 5. The good file: controld runs until SIGTERM, then exits 0.
t_check "good config: controld starts" gw_start_controld cfg "$GOOD"
sleep 1
t_check "good config: controld still running after 1 s" _gw_alive cfg controld
t_check "good config: controld exits 0 on SIGTERM" gw_stop_controld cfg

# 6. --help.
RC=0
OUT=$(nsx cfg timeout 5 "$GW_BIN/controld" --help 2>&1) || RC=$?
t_eq "controld --help exits 0" "$RC" 0
t_match "controld --help prints a usage text" "$OUT" '[Uu]sage'
t_match "controld --help mentions -f" "$OUT" '-f'

# check FILE: controld -n -f FILE in the namespace; sets RC, ERR (stderr), OUT.
check()
{
	RC=0
	OUT=$(nsx cfg timeout 5 "$GW_BIN/controld" -n -f "$1" 2>"$D/err" </dev/null) || RC=$?
	ERR=$(cat "$D/err")
}

# 7. Three separate errors: -n lists all three, each with its line and word, and fails.
L1=$(lineof '^crypto ipsec transform-set')
L2=$(lineof '^ set peer ')
L3=$(lineof '^interface ')
sed -e "${L1}i version-x 12.4" -e "${L2}s/.*/ set peer 198.51.100.300/" \
	-e "${L3}a\\ ip frobnicate" "$GOOD" >"$D/three.conf"
check "$D/three.conf"
t_check_not "three errors: -n exits non-zero (status $RC)" test "$RC" = 0
t_match "three errors: the first named" "$ERR" "three\.conf:${L1}: \"version-x\""
t_match "three errors: the second named" "$ERR" "three\.conf:$((L2 + 1)): .*198\.51\.100\.300"
t_match "three errors: the third named" "$ERR" "three\.conf:$((L3 + 2)): .*\"frobnicate\""
t_match "three errors: counted, nothing configured" "$ERR" "3 lines refused, nothing configured"
run_controld "$D/three.conf"
t_check_not "three errors: controld does not start (status $RC)" test "$RC" = 0 -o "$RC" = 124

# 8. A real router's configuration (non-IPsec lines included) loads with warnings.
check "$GW_SRC/tests/data/ios_router.conf"
t_eq "ios_router.conf: -n exits 0" "$RC" 0
t_match "ios_router.conf: OK" "$OUT" "OK, 1 crypto map entries"
t_match "ios_router.conf: version ignored with a warning" "$ERR" \
	'ios_router\.conf:[0-9]+: warning: ignored: version 12\.4 \(not an IPsec command; left to the host\)'
t_match "ios_router.conf: ip route left to the host" "$ERR" \
	'warning: ignored: ip route 0\.0\.0\.0 0\.0\.0\.0 198\.51\.100\.254 \(not an IPsec command; routing is left to the host\)'

# 9. Abbreviations in a file, as gwctl -f takes them.
check "$GW_SRC/tests/data/ios_abbrev.conf"
t_eq "ios_abbrev.conf (abbreviations): -n exits 0" "$RC" 0

t_end
