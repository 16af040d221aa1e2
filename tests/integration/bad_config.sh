#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/bad_config.sh: a configuration with an error applies nothing and says where
# (docs/design.md invariant 4: "an invalid command is refused with a clear message and the line it
# came from").  Each broken copy of deploy/examples/gwA.conf must make `controld -f` exit non-zero
# within 5 s with "FILE:LINE:" of the broken line on stderr.  Also: the good file starts and exits 0
# on SIGTERM, `controld --help` exits 0 with a usage text.
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

t_end
