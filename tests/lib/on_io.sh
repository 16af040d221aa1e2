#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/lib/on_io.sh NAME: tests/integration/NAME.sh once more with every datad it starts on
# `--io auto` (ESP received by AF_XDP where XDP attaches, else raw sockets:
# docs/adr/0014-af-xdp-receive.md), so the suite's wire tests run on both receive paths.  The
# test's own checks are unchanged; at its end it says which path each datad ran ("# io path:
# ...", tests/lib/netns.sh t_io_report), and tests/run.sh puts that in its summary.  On a
# machine where XDP cannot attach the test still runs, on raw sockets, and says why.
#
# Registered by tests/CMakeLists.txt as integration-xdp/NAME (env GW_BIN, GW_SRC); by hand, as
# root: bash tests/lib/on_xdp.sh tunnel_manual
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
export GW_SRC
name=${1:?usage: on_xdp.sh NAME (a script of tests/integration/)}
script=$GW_SRC/tests/integration/$name.sh
[ -f "$script" ] || { echo "on_xdp.sh: no $script" >&2; exit 2; }
export GW_DATAD_ARGS="--io auto${GW_DATAD_ARGS:+ $GW_DATAD_ARGS}"
export GW_IO_REPORT=1
echo "# $name with datad $GW_DATAD_ARGS"
exec bash "$script"
