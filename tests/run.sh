#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/run.sh: the whole suite, the one command a newcomer and CI run (as root, on Debian 12):
#
#   1. deploy/install-deps.sh                       (nothing to do when all is installed)
#   2. build/       RelWithDebInfo, then ctest       (unit tests + tests/integration/*.sh)
#   3. build-fuzz/  clang, -DGW_FUZZ=ON, the fuzz targets only (and the libraries they link),
#                   then every build-fuzz/bin/*_fuzz for FUZZ_SECONDS (default 30) each, JOBS
#                   at once, seeded from tests/fuzz/<name>/ when present
#   4. build-asan/  -DGW_SANITIZE=ON, then ctest     (the same tests under ASan + UBSan, but
#                   for the long scripts whose time is waiting and whose code runs under ASan
#                   elsewhere too: ikev2_swan_matrix runs the engine once per algorithm (the
#                   algorithms run under ASan in the unit tests), ikev2_swan_rekey waits out
#                   120 s lifetimes, ikev2_swan_life and ikev2_swan_nat wait for DPD (restart,
#                   adoption, NAT following: engine_test), charon_check (engine_test), replay
#                   waits out failovers (windows and floors: in_test, workers_test), pmtu and
#                   transforms wait for traffic (pmtu_test, the xform and esp/ah tests, and
#                   every other tunnel script), bundle_strip replays captures through scapy
#                   (in_test checks every SA kind's way in under ASan), bench_ike checks that
#                   the benchmark script works (the engine it drives runs under ASan in the
#                   IKE tests here); of IKEv1, ikev1_swan runs under ASan (both roles, every
#                   algorithm, tshark) and ikev1_swan_life (rekeys, restart, rsa-sig) and
#                   ikev1_ours (DPD) wait; ikev2_swan leaves the IKEv2 engine to
#                   engine_test and ikev2_transport, swan_harness(_v1) run none of our code;
#                   integration-raw/* and -xdp/* repeat wire tests on the other I/O path,
#                   whose code the other tests run under ASan)
#
# Prints a summary and "N passed, M failed" (N and M count ctest tests, fuzz targets and build
# steps); exits non-zero on any failure.  Budget: well under 20 minutes on 2 cores.
# Knobs: FUZZ_SECONDS (per target), FUZZ_BUDGET (all targets together, default 60), JOBS (2).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
FUZZ_BUDGET=${FUZZ_BUDGET:-60}
T_ALL=$SECONDS

PASS=0
FAIL=0
SUMMARY=()

# record RESULT WHAT [DETAIL]: one line of the summary; RESULT is ok or FAIL.
record()
{
	if [ "$1" = ok ]; then PASS=$((PASS + 1)); else FAIL=$((FAIL + 1)); fi
	SUMMARY+=("$(printf '  %-4s  %-44s %s' "$1" "$2" "${3:-}")")
}

stage() { printf '\n==== [%s] %s (%s s so far)\n' "$1" "$2" "$((SECONDS - T_ALL))"; }

# build DIR DESC CMAKE-ARGS...: configure and build DIR, warnings as errors; records one result.
# BUILD_TARGET: only that target (build-fuzz: "fuzz", the fuzz targets and what they link).
build()
{
	local dir=$1 what=$2 t=$SECONDS; shift 2
	if cmake -S "$ROOT" -B "$ROOT/$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGW_WERROR=ON "$@" &&
	    cmake --build "$ROOT/$dir" -j"$JOBS" ${BUILD_TARGET:+--target "$BUILD_TARGET"}; then
		record ok "build $what" "$((SECONDS - t)) s"
		return 0
	fi
	record FAIL "build $what" "see the compiler output above"
	return 1
}

# run_ctest DIR [CTEST-ARGS]: the tests of DIR; each test counts as one pass or failure.
run_ctest()
{
	local dir=$1 log=$ROOT/$1/ctest.log t=$SECONDS total failed line
	shift
	# JOBS + 1 tests at once: the wire tests share the 2 slots of the resource "wire"
	# (tests/resources.json; tests/CMakeLists.txt says which take one, both or none), the one
	# more is a test that waits out lifetimes, or a unit test
	(cd "$ROOT/$dir" && ctest --output-on-failure -j"$((JOBS + 1))" \
		--resource-spec-file "$ROOT/tests/resources.json" "$@") 2>&1 | tee "$log"
	line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" | tail -n1)
	if [ -z "$line" ]; then
		record FAIL "ctest $dir" "no ctest summary (see $dir/ctest.log)"
		return 1
	fi
	total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$line")
	failed=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$line")
	PASS=$((PASS + total - failed)); FAIL=$((FAIL + failed))
	if [ "$failed" = 0 ]; then
		SUMMARY+=("$(printf '  %-4s  %-44s %s' ok "ctest $dir" "$total tests, $((SECONDS - t)) s")")
	else
		SUMMARY+=("$(printf '  %-4s  %-44s %s' FAIL "ctest $dir" \
			"$failed of $total failed: $(sed -n '/tests FAILED:/,$p' "$log" |
			grep -Eo '[^ ]+ \((Failed|Timeout|SEGFAULT|Not Run|Child aborted|Subprocess aborted)\)' |
			cut -d' ' -f1 | tr '\n' ' ')")")
	fi
	[ "$failed" = 0 ]
}

# run_fuzz: every libFuzzer binary of build-fuzz/bin for a bounded time, JOBS at once (each
# fuzzer is one process on one core); FUZZ_BUDGET is the time of all of them on one core.
run_fuzz()
{
	local bins=() b name secs seed corpus log rc
	for b in "$ROOT"/build-fuzz/bin/*_fuzz; do [ -x "$b" ] && bins+=("$b"); done
	if [ ${#bins[@]} -eq 0 ]; then
		echo "no fuzz targets in build-fuzz/bin (yet)"
		SUMMARY+=("$(printf '  %-4s  %-44s %s' -- "fuzz" "no *_fuzz targets built")")
		return 0
	fi
	secs=$FUZZ_SECONDS
	if [ $((secs * ${#bins[@]})) -gt "$FUZZ_BUDGET" ]; then
		secs=$((FUZZ_BUDGET / ${#bins[@]})); [ "$secs" -ge 5 ] || secs=5
	fi
	mkdir -p "$ROOT/build-fuzz/corpus" "$ROOT/build-fuzz/artifacts" "$ROOT/build-fuzz/logs"
	for b in "${bins[@]}"; do
		name=$(basename "$b")
		corpus=$ROOT/build-fuzz/corpus/$name		# new inputs go here, not into git
		mkdir -p "$corpus"
		seed=()
		for s in "$ROOT/tests/fuzz/${name%_fuzz}" "$ROOT/tests/fuzz/$name"; do
			[ -d "$s" ] && seed+=("$s")
		done
		log=$ROOT/build-fuzz/logs/$name.log
		echo "fuzz $name: $secs s, corpus $corpus ${seed[*]}"
		while [ "$(jobs -pr | wc -l)" -ge "$JOBS" ]; do wait -n; done
		rm -f "$log.rc"
		(
			rc=0
			"$b" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
				-print_final_stats=1 -artifact_prefix="$ROOT/build-fuzz/artifacts/$name-" \
				"$corpus" "${seed[@]}" >"$log" 2>&1 || rc=$?
			echo "$rc" >"$log.rc"
		) &
	done
	wait
	for b in "${bins[@]}"; do
		name=$(basename "$b")
		log=$ROOT/build-fuzz/logs/$name.log
		rc=$(cat "$log.rc" 2>/dev/null || echo "no status")
		if [ "$rc" = 0 ]; then
			record ok "fuzz $name" "$secs s, $(grep -Eo 'stat::number_of_executed_units: *[0-9]+' \
				"$log" | grep -Eo '[0-9]+$') runs"
		else
			tail -n 40 "$log"
			record FAIL "fuzz $name" "status $rc, artifacts in build-fuzz/artifacts, log $log"
		fi
	done
}

# Namespaces of earlier runs that were killed outright (no trap ran) would only waste memory.
source "$ROOT/deploy/lab/topo.sh"
topo_reap_stale

stage 1/4 "dependencies"
if bash "$ROOT/deploy/install-deps.sh"; then record ok "install dependencies"
else record FAIL "install dependencies"; fi

stage 2/4 "build/ (RelWithDebInfo) and ctest"
if build build "build/ (RelWithDebInfo)"; then run_ctest build
else record FAIL "ctest build" "not run: build failed"; fi
# which path this machine allowed datad: the integration-xdp/* tests (datad --io xdp,
# tests/lib/on_io.sh) end with "# io path: AF_XDP (...)" or "# io path: raw sockets (no datad
# attached XDP: why)"
io_path=$(grep -h '^# io path: ' "$ROOT/build/Testing/Temporary/LastTest.log" 2>/dev/null |
	sed 's/^# io path: //' | sort | head -n 1)	# "AF_XDP ..." sorts first
SUMMARY+=("$(printf '  %-4s  %-44s %s' -- "ESP received by (integration-xdp/*)" \
	"${io_path:-not reported}")")
# and how they read the TUN (datad --tun-read auto; the integration-raw/* runs use read(2))
tun_read=$(grep -h '^# tun read: ' "$ROOT/build/Testing/Temporary/LastTest.log" 2>/dev/null |
	sed 's/^# tun read: //' | sort | head -n 1)	# "io_uring ..." sorts first
SUMMARY+=("$(printf '  %-4s  %-44s %s' -- "TUN read by (integration-xdp/*)" \
	"${tun_read:-not reported}")")

stage 3/4 "build-fuzz/ (clang, GW_FUZZ) and fuzzing"
if BUILD_TARGET=fuzz build build-fuzz "build-fuzz/ (clang, libFuzzer)" -DCMAKE_C_COMPILER=clang \
    -DGW_FUZZ=ON; then
	run_fuzz
else
	record FAIL "fuzz" "not run: build failed"
fi

stage 4/4 "build-asan/ (ASan + UBSan) and ctest"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if build build-asan "build-asan/ (ASan + UBSan)" -DGW_SANITIZE=ON; then
	run_ctest build-asan -E \
	    '(integration-(raw|xdp)/.*|integration/(bench_ike|bundle_strip|ikev2_swan_matrix|ikev2_swan_rekey|ikev2_swan_life|ikev2_swan_nat|ikev2_swan|ikev1_swan_life|ikev1_ours|swan_harness|swan_harness_v1|replay|pmtu|transforms)|controld/ike/charon_check)$'
else record FAIL "ctest build-asan" "not run: build failed"; fi

printf '\n==== summary (%s s)\n' "$((SECONDS - T_ALL))"
printf '%s\n' "${SUMMARY[@]}"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
