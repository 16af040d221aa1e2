#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/lib/on_io.sh MODE NAME: tests/integration/NAME.sh once more with every datad it starts
# on `--io MODE`, so the suite's wire tests run on both of datad's paths (ADR 0014, 0016):
# the suite runs them on the default, `--io auto` (AF_XDP for plain ESP where XDP attaches,
# raw sockets for a worker whose SAs are all ESP in UDP); `--io raw` runs plain-ESP tests on
# the fallback (with `--tun-read read`: the TUN read by read(2), the fallback of io_uring,
# ADR 0019), `--io xdp` runs ESP-in-UDP tests on AF_XDP.  The test's own checks are
# unchanged; at its end it says which path each datad ran ("# io path: ...", t_io_report in
# tests/lib/netns.sh), and tests/run.sh puts the AF_XDP runs' answer in its summary.  Where
# XDP cannot attach, `--io xdp` logs an error and the test still runs, on raw sockets.
#
# Registered by tests/CMakeLists.txt as integration-raw/NAME and integration-xdp/NAME (env
# GW_BIN, GW_SRC); by hand, as root: bash tests/lib/on_io.sh raw tunnel_manual
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
export GW_SRC
mode=${1:-}
name=${2:-}
case $mode in
raw|auto|xdp) ;;
*) echo "usage: on_io.sh raw|auto|xdp NAME (a script of tests/integration/)" >&2; exit 2 ;;
esac
script=$GW_SRC/tests/integration/$name.sh
if [ -z "$name" ] || [ ! -f "$script" ]; then echo "on_io.sh: no $script" >&2; exit 2; fi
# raw is the fallback of everything: the TUN read by read(2) too (datad/tunring.c)
fallback=
[ "$mode" = raw ] && fallback=" --tun-read read"
export GW_DATAD_ARGS="--io $mode$fallback${GW_DATAD_ARGS:+ $GW_DATAD_ARGS}"
export GW_IO_REPORT=1
echo "# $name with datad $GW_DATAD_ARGS"
exec bash "$script"
