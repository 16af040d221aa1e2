#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/bench_ike.sh: a smoke run of `bench/run.sh ike` (bench/ike.sh) with tiny
# numbers (2 tunnels one after the other, 4 at once, one run, groups 19 and 14), a few seconds:
#
#   1. it exits 0 and saves its table
#   2. the strongSwan half measured every row (rate, time, the charons' CPU per tunnel), the
#      IKEv1 row (main mode + quick mode, group 14) too: each of its runs had checked that both
#      charons hold exactly N IKE SAs and N child SAs, IKE with the version and proposal asked for
#   3. ours has figures in every row, or says "ours: not available (REASON)"
#   4. then `ike setup ours/strongswan: X.XX` (or n/a with ours not available), and last
#      `ike1 setup ours/strongswan: X.XX` (IKEv1; n/a when ours has no IKEv1, its row "fail")
#   5. it left nothing behind: no namespace of its run, no process in one, no work directory
#
# The benchmark itself is run by hand (docs/bench.md); this checks that it still works.
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/bench_ike.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"
source "$GW_SRC/tests/lib/swan.sh"

require_root
swan_require || { echo "SKIP: bench_ike: no strongSwan" >&2; exit 77; }
t_begin bench_ike
OUT=$(mktemp -d /tmp/ipsecgw-bench-ike-test.XXXXXX)
trap 'rm -rf "$OUT"; t_cleanup' EXIT

# 1
BENCH_IKE_SEQ=2 BENCH_IKE_PAR=4 BENCH_RUNS=1 BENCH_IKE_WAIT=15 BENCH_INSTALL=0 \
	BENCH_OUT="$OUT" GW_BIN="$GW_BIN" bash "$GW_SRC/bench/ike.sh" >"$OUT/stdout" 2>"$OUT/stderr" &
pid=$!
wait "$pid"
rc=$?
t_eq "bench/ike.sh exits 0" "$rc" 0 || sed 's/^/    # /' "$OUT/stderr"
table=$(cat "$OUT/stdout")
printf '# %s\n' "${table//$'\n'/$'\n'# }"
saved=("$OUT"/ike-*.txt)
t_check "it saved the table it printed" cmp -s "$OUT/stdout" "${saved[0]}"
t_match "progress went to stderr" "$(cat "$OUT/stderr")" \
	'^\[ss\] strongSwan-strongSwan group 19, par: 4 tunnels, run 1/1'

# 2
num='[0-9]+\.[0-9]'
for g in 19 14; do
	t_match "strongSwan group $g: sequential and parallel measured" "$table" \
		"^strongSwan-strongSwan +$g +$num+ +$num+ +$num+ +$num+-$num+ +[0-9]+% +$num+ +$num+ +$num+ "
done
t_match "strongSwan IKEv1 group 14: sequential and parallel measured" "$table" \
	"^strongSwan-strongSwan v1 +14 +$num+ +$num+ +$num+ +$num+-$num+ +[0-9]+% +$num+ +$num+ +$num+ "
t_check_not "no strongSwan run failed" grep -q '^strongSwan.*: a run failed\|^strongSwan: not available' \
	"$OUT/stdout"

# 3, 4
if grep -q '^ours: not available (.\+)$' "$OUT/stdout"; then
	t_pass "ours: not available, with the reason: $(sed -n 's/^ours: not available (\(.*\))$/\1/p' "$OUT/stdout" | cut -c1-100)"
	t_eq "the IKEv2 line says n/a" "$(tail -n 2 "$OUT/stdout" | head -n 1)" \
		"ike setup ours/strongswan: n/a"
else
	for g in 19 14; do
		t_match "ours group $g: sequential and parallel measured" "$table" \
			"^ours-ours +$g +$num+ +$num+ +$num+ +$num+-$num+ +[0-9]+% +$num+ +$num+ +$num+ "
	done
	t_check_not "no run of ours failed" grep -q '^ours group .*: a run failed' "$OUT/stdout"
	t_match "the IKEv2 line is the ratio" "$(tail -n 2 "$OUT/stdout" | head -n 1)" \
		'^ike setup ours/strongswan: [0-9]+\.[0-9]{2}$'
fi
if grep -q '^ours IKEv1: not available (.\+)$' "$OUT/stdout"; then
	t_pass "ours IKEv1: not available, with the reason: $(sed -n 's/^ours IKEv1: not available (\(.*\))$/\1/p' "$OUT/stdout" | cut -c1-100)"
	t_match "its row says fail" "$table" \
		'^ours-ours v1 +14 +fail +- +- +- +- +fail '
	t_eq "the last line says n/a" "$(tail -n 1 "$OUT/stdout")" "ike1 setup ours/strongswan: n/a"
elif grep -q '^ours: not available (.\+)$' "$OUT/stdout"; then
	t_eq "the last line says n/a" "$(tail -n 1 "$OUT/stdout")" "ike1 setup ours/strongswan: n/a"
else
	t_match "ours IKEv1 group 14: sequential and parallel measured" "$table" \
		"^ours-ours v1 +14 +$num+ +$num+ +$num+ +$num+-$num+ +[0-9]+% +$num+ +$num+ +$num+ "
	t_check_not "no IKEv1 run of ours failed" grep -q '^ours IKEv1 .*: a run failed' "$OUT/stdout"
	t_match "the last line is the IKEv1 ratio" "$(tail -n 1 "$OUT/stdout")" \
		'^ike1 setup ours/strongswan: [0-9]+\.[0-9]{2}$'
fi

# 5
t_eq "no namespace of its run is left" "$(ip netns list | grep -c "^gw$pid-")" 0
wd=$(sed -n 's/^bench ike: work directory \([^ ]*\) .*/\1/p' "$OUT/stderr")
t_match "it said its work directory" "$wd" '^/tmp/ipsecgw-bench-ike\.'
t_check_not "that directory is gone" test -e "${wd:-/nonexistent}"
t_end
