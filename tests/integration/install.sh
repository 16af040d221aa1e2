#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/install.sh: `cmake --install` puts the daemons where the units of
# deploy/systemd/ start them, and systemd finds what was installed.  Into a scratch DESTDIR,
# once with the configured prefix (/usr/local unless the build says otherwise) and once with
# --prefix /usr:
#
#   1. controld and datad in sbin, gwctl in bin, the two units in lib/systemd/system, the
#      sysusers.d and tmpfiles.d files as lib/{sysusers,tmpfiles}.d/ipsecgw.conf, the docs in
#      share/doc/ipsecgw; under /usr/local the units are deploy/systemd/'s, byte for byte
#   2. every Exec*= command of each installed unit is an executable: ours in DESTDIR, the
#      system's (/bin/kill, /bin/chmod) on this host; every Documentation= file was installed
#   3. systemd-sysusers and systemd-tmpfiles given only the scratch root (--root) find the
#      installed files by themselves: user ipsecgw, /etc/ipsecgw 0770 root:ipsecgw
#   4. the units directory is one systemd reads (systemd-analyze unit-paths)
#
# Needs neither root nor a network.  Run by ctest (env GW_BIN: the build's bin/) or by hand:
#   GW_BUILD=build bash tests/integration/install.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

GW_BUILD=${GW_BUILD:-$(dirname "${GW_BIN:-$GW_SRC/build/bin}")}
[ -f "$GW_BUILD/cmake_install.cmake" ] || { echo "no build in $GW_BUILD" >&2; exit 1; }
UNITS="ipsecgw-controld.service ipsecgw-datad@.service"
t_begin install

SCRATCH=$(mktemp -d) || t_abort "scratch directory"
trap 'rc=$?; rm -rf "$SCRATCH"; (exit $rc); t_cleanup' EXIT

# unit_execs UNIT: the program of each Exec*= line, without systemd's prefixes (-@:+!).
unit_execs() { sed -n 's/^Exec[A-Za-z]*=[-@:+!]*\([^ ]*\).*/\1/p' "$1"; }
unit_docs() { sed -n 's|^Documentation=file://||p' "$1"; }

# installed NAME PREFIX [ARGS]: install into $SCRATCH/NAME with PREFIX; checks 1 to 4.
installed()
{
	local name=$1 prefix=$2 d=$SCRATCH/$1 u f p
	shift 2
	t_check "$name: cmake --install $*" env DESTDIR="$d" cmake --install "$GW_BUILD" "$@"
	for f in sbin/controld sbin/datad bin/gwctl; do
		t_check "$name: $prefix/$f, executable" test -x "$d$prefix/$f"
	done
	for u in $UNITS; do
		t_check "$name: $prefix/lib/systemd/system/$u" test -f "$d$prefix/lib/systemd/system/$u"
	done
	for f in lib/sysusers.d/ipsecgw.conf lib/tmpfiles.d/ipsecgw.conf \
	    share/doc/ipsecgw/design.md share/doc/ipsecgw/LICENSE; do
		t_check "$name: $prefix/$f" test -f "$d$prefix/$f"
	done
	for u in $UNITS; do
		u=$d$prefix/lib/systemd/system/$u
		for p in $(unit_execs "$u"); do
			case $p in
			"$prefix"/*) t_check "$name: $(basename "$u") runs $p: installed" test -x "$d$p" ;;
			*) t_check "$name: $(basename "$u") runs $p: on this host" test -x "$p" ;;
			esac
		done
		for p in $(unit_docs "$u"); do
			t_check "$name: $(basename "$u") documented by $p: installed" test -f "$d$p"
		done
	done
	mkdir -p "$d/etc" && touch "$d"/etc/{passwd,group,shadow,gshadow}
	t_check "$name: systemd-sysusers --root finds ipsecgw.conf" systemd-sysusers --root="$d"
	t_match "$name: it made user ipsecgw" "$(cat "$d/etc/passwd")" "^ipsecgw:x:[0-9]+:"
	t_check "$name: systemd-tmpfiles --root --create finds ipsecgw.conf" \
		systemd-tmpfiles --root="$d" --create --prefix=/etc/ipsecgw
	t_eq "$name: /etc/ipsecgw made, 0770 root:ipsecgw" \
		"$(stat -c '%a %U' "$d/etc/ipsecgw" 2>&1) $(awk -F: -v g="$(stat -c %g \
		"$d/etc/ipsecgw" 2>/dev/null)" '$3 == g { print $1 }' "$d/etc/group")" "770 root ipsecgw"
	t_match "$name: systemd reads units in $prefix/lib/systemd/system" \
		"$(systemd-analyze unit-paths 2>/dev/null)" "^$prefix/lib/systemd/system\$"
}

if ! command -v systemd-sysusers >/dev/null || ! command -v systemd-analyze >/dev/null; then
	echo "SKIP: install: needs systemd-sysusers and systemd-analyze (Debian package systemd)" >&2
	exit 77
fi

PREFIX=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$GW_BUILD/CMakeCache.txt")
installed configured "$PREFIX"
if [ "$PREFIX" = /usr/local ]; then
	for u in $UNITS; do
		t_check "the installed $u is deploy/systemd/'s" \
			cmp "$GW_SRC/deploy/systemd/$u" "$SCRATCH/configured/usr/local/lib/systemd/system/$u"
	done
fi
installed usr /usr --prefix /usr
t_match "--prefix /usr: the controld unit runs /usr/sbin/controld" \
	"$(cat "$SCRATCH/usr/usr/lib/systemd/system/ipsecgw-controld.service")" \
	'^ExecStart=/usr/sbin/controld '
t_end
