#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tests/integration/tun_owner.sh: a local user of the gateway cannot attach a queue to datad's
# TUN and read or inject the tunnels' cleartext (docs/threat-model.md).  The kernel gives a
# queue of a multi-queue TUN without owner to anyone who can open /dev/net/tun (0666 under
# udev), so datad makes its user the TUN's owner.
#
#   1. gwA up; in a private mount namespace /dev/net/tun is 0666, as udev makes it
#   2. uid 65534 without capabilities asks for a queue of gw0: refused (EPERM)
#   3. control: the same for a TUN no one owns (made by this test): granted, which is what
#      datad's owner prevents
#
# Run by ctest (env GW_BIN, GW_SRC) or by hand as root: bash tests/integration/tun_owner.sh
set -uo pipefail
GW_SRC=${GW_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
source "$GW_SRC/tests/lib/netns.sh"

require_root
t_begin tun_owner
topo_up "gw$$" || t_abort "draw the topology"
t_check "gwA: controld + datad start" gw_start gwA "$GW_SRC/deploy/examples/gwA.conf" || t_abort gwA
t_check "gwB: controld + datad start" gw_start gwB "$GW_SRC/deploy/examples/gwB.conf" || t_abort gwB

# attach NAME: in gwA's namespace, with a 0666 /dev/net/tun, as uid 65534 with no capability,
# ask for a queue of TUN NAME (the flags datad uses); prints "granted" or the error.
attach()
{
	local dev=$GW_RUN/dev
	mkdir -p "$dev"
	nsx gwA unshare --mount bash -c '
		mount -t tmpfs none "$1" && mknod "$1/tun" c 10 200 && chmod 0666 "$1/tun" &&
		mount --bind "$1/tun" /dev/net/tun &&
		exec setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
			--bounding-set=-all "$2" -c "
import fcntl, os, struct, sys
IFF_TUN, IFF_NO_PI, IFF_MULTI_QUEUE, IFF_VNET_HDR, TUNSETIFF = 1, 0x1000, 0x100, 0x4000, 0x400454ca
fd = os.open(\"/dev/net/tun\", os.O_RDWR)
try:
    fcntl.ioctl(fd, TUNSETIFF, struct.pack(\"16sH\", sys.argv[1].encode(),
        IFF_TUN | IFF_NO_PI | IFF_MULTI_QUEUE | IFF_VNET_HDR))
    print(\"granted\")
except OSError as e:
    print(os.strerror(e.errno))
" "$3"' attach "$dev" "$GW_PY" "$1" 2>&1
}

OUT=$(attach "$GW_TUN")
echo "# uid 65534 asks for a queue of datad's $GW_TUN: $OUT"
t_eq "a local user without capabilities gets no queue of datad's TUN" "$OUT" \
	"Operation not permitted"
t_check "the tunnel works" wait_ping hostA 192.0.2.130 10

# control: a multi-queue TUN without owner, as the kernel leaves one
nsx gwA ip tuntap add dev gwfree mode tun multi_queue vnet_hdr || t_abort "make a TUN"
OUT=$(attach gwfree)
echo "# uid 65534 asks for a queue of a TUN without owner: $OUT"
t_eq "control: a TUN without owner gives the same user a queue" "$OUT" granted
nsx gwA ip tuntap del dev gwfree mode tun multi_queue vnet_hdr
t_end
