# SPDX-License-Identifier: Apache-2.0
# tests/lib/swan.sh: strongSwan 5.9.8 as a peer in the lab's namespaces, for the interop tests
# (source after tests/lib/netns.sh, which brings deploy/lab/topo.sh: nsx, nsx_bg, pid_stop).
#
#	source "$GW_SRC/tests/lib/swan.sh"
#	swan_require || exit 77			# charon-systemd, swanctl, kernel-libipsec
#	d=$(swan_dir ssA); cat >"$d/swanctl.conf" <<EOF ... EOF	# the test writes it
#	swan_start ssA gwA || t_abort "charon"	# charon in namespace gwA, config dir $d
#	swan_load ssA				# swanctl --load-all
#	swan_initiate ssA t			# swanctl --initiate --child t --timeout 10
#	swan_sas ssA				# one line per IKE SA and per child SA (below)
#	swan_stop ssA				# by its PID
#
# Each instance NAME has a directory of its own, $GW_RUN/swan-NAME: its strongswan.conf
# (written here), swanctl.conf (written by the test), its vici socket, charon.log and
# stdout.log.  Nothing of the host's /etc/strongswan.d, /etc/swanctl or /var/run is read or
# written: strongswan.conf includes no other file, charon-systemd keeps no pid file, and the
# vici socket is in the directory, so several instances run at once (one per namespace: each
# binds UDP 500 and 4500 there).  The kernel of these machines has no ESP, so the IPsec
# backend is kernel-libipsec: ESP inside charon, always in UDP 4500 (Debian's 5.9.8 claims a
# NAT to force it), cleartext through its TUN ipsec0, routes in table 220; it must be loaded
# before kernel-netlink (the first backend loaded wins).
#
# swan_sas prints, from `swanctl --list-sas --raw` (vici's own key=value form, not the text
# meant for people, which changes between versions):
#	ike NAME UNIQUEID STATE VERSION LOCAL_HOST:PORT REMOTE_HOST:PORT SPI_I SPI_R
#	child NAME UNIQUEID STATE MODE PROTOCOL SPI_IN SPI_OUT LOCAL_TS REMOTE_TS ENCAP
# (SPIs in hex as strongSwan gives them; traffic selectors comma-separated; ENCAP yes|no).
#
# Variables: SWAN_PLUGINS (charon's load list), SWAN_LOG_LEVEL (filelog default, 1; 2 or 4
# to see messages), SWAN_RETRANSMIT ("TRIES TIMEOUT BASE": charon.retransmit_*; default
# strongSwan's own, 5 tries from 4 s), SWAN_PLUGIN_CONF (more of charon's plugins section, e.g.
# "kernel-libipsec { allow_peer_ts = yes }").

SWAN_PLUGINS=${SWAN_PLUGINS:-random nonce openssl pem pkcs1 x509 pubkey kdf hmac sha1 sha2 md5 \
des aes gcm ccm ctr chapoly curve25519 kernel-libipsec kernel-netlink socket-default vici}
SWAN_LOG_LEVEL=${SWAN_LOG_LEVEL:-1}
SWAN_RETRANSMIT=${SWAN_RETRANSMIT:-}
declare -gA SWAN_PID=()		# NAME -> charon's PID
declare -gA SWAN_NS=()		# NAME -> the namespace (short name) it runs in

# swan_require: is strongSwan 5.9.x here with what the lab needs?  Says why not on stderr.
# Debian packages: charon-systemd strongswan-swanctl libcharon-extra-plugins
# libstrongswan-standard-plugins libstrongswan-extra-plugins.
swan_require()
{
	local why=
	[ -x /usr/sbin/charon-systemd ] || why="/usr/sbin/charon-systemd missing (charon-systemd)"
	command -v swanctl >/dev/null || why="swanctl missing (strongswan-swanctl)"
	[ -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ] ||
		why="no kernel-libipsec plugin (libcharon-extra-plugins)"
	[ -z "$why" ] && return 0
	echo "strongSwan: $why" >&2
	return 1
}

swan_dir() { local d=$GW_RUN/swan-$1; mkdir -p "$d"; printf '%s' "$d"; }

# _swan_conf DIR: the strongswan.conf of an instance (see the header).
_swan_conf()
{
	local d=$1 tries= timeout= base=
	[ -n "$SWAN_RETRANSMIT" ] && read -r tries timeout base <<<"$SWAN_RETRANSMIT"
	cat <<EOF
# written by tests/lib/swan.sh for one charon instance of a test; no include of the host's files
charon-systemd {
	load = $SWAN_PLUGINS
	${tries:+retransmit_tries = $tries}
	${timeout:+retransmit_timeout = $timeout}
	${base:+retransmit_base = $base}
	filelog {
		charon {
			path = $d/charon.log
			time_format = %T
			default = $SWAN_LOG_LEVEL
			ike_name = yes
			append = no
		}
	}
	journal {
		default = -1
	}
	plugins {
		vici {
			socket = unix://$d/charon.vici
		}
		${SWAN_PLUGIN_CONF:-}
	}
}
swanctl {
	socket = unix://$d/charon.vici
}
EOF
}

# swan_start NAME NS: start charon-systemd in namespace NS with NAME's directory; wait (5 s at
# most) until its vici socket answers.  1 if it did not come up (charon.log says why).
swan_start()
{
	local name=$1 ns=$2 d i
	d=$(swan_dir "$name")
	_swan_conf "$d" >"$d/strongswan.conf"
	rm -f "$d/charon.vici"
	nsx_bg "$ns" "$d/stdout.log" env STRONGSWAN_CONF="$d/strongswan.conf" \
		/usr/sbin/charon-systemd
	SWAN_PID[$name]=$LAST_PID
	SWAN_NS[$name]=$ns
	for ((i = 0; i < 100; i++)); do
		if [ -S "$d/charon.vici" ] && swan_ctl "$name" --stats >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$LAST_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "charon $name did not start: $(tail -n 3 "$d/charon.log" "$d/stdout.log" 2>/dev/null)" >&2
	return 1
}

# swan_ctl NAME COMMAND ARGS...: swanctl against NAME's charon (in its namespace).
swan_ctl()
{
	local name=$1 cmd=$2 d=$GW_RUN/swan-$1; shift 2
	nsx "${SWAN_NS[$name]}" env STRONGSWAN_CONF="$d/strongswan.conf" \
		swanctl "$cmd" --uri "unix://$d/charon.vici" "$@"
}

# swan_load NAME: load NAME's swanctl.conf (connections and secrets); its output goes to
# swanctl.log.  1 unless every connection loaded.
swan_load()
{
	local d=$GW_RUN/swan-$1
	swan_ctl "$1" --load-all --noprompt --file "$d/swanctl.conf" >"$d/swanctl.log" 2>&1 &&
		grep -q '^successfully loaded [0-9]* connections' "$d/swanctl.log" &&
		! grep -qE '^(loading|unloading) .*failed' "$d/swanctl.log"
}

# swan_initiate NAME CHILD [TIMEOUT]: bring CHILD (and its IKE SA) up; swanctl's log lines go
# to NAME's initiate.log.  Blocks until done or TIMEOUT seconds (default 10).
swan_initiate()
{
	local d=$GW_RUN/swan-$1
	swan_ctl "$1" --initiate --child "$2" --timeout "${3:-10}" >>"$d/initiate.log" 2>&1
}

# swan_terminate NAME IKE: delete the IKE SA of connection IKE (and its children).
swan_terminate()
{
	local d=$GW_RUN/swan-$1
	swan_ctl "$1" --terminate --ike "$2" --timeout 5 >>"$d/initiate.log" 2>&1
}

# swan_sas NAME: the SAs of NAME, one line each (format in the header).
swan_sas()
{
	swan_ctl "$1" --list-sas --raw 2>/dev/null | "$GW_PY" -c '
import re, sys

def parse(s, i):
    """vici raw: "key=value", "key{...}" sections, "key=[a b]" lists; returns (dict, i)."""
    d = {}
    while i < len(s):
        m = re.compile(r"\s*").match(s, i); i = m.end()
        if i >= len(s) or s[i] == "}":
            return d, i + 1
        m = re.compile(r"([^=\{\}\s\[\]]+)").match(s, i)
        if not m:
            i += 1; continue
        k = m.group(1); i = re.compile(r"\s*").match(s, m.end()).end()
        if i >= len(s):
            break
        if s[i] == "{":
            d[k], i = parse(s, i + 1)
        elif s.startswith("=[", i):
            j = s.index("]", i); d[k] = s[i + 2:j].split(); i = j + 1
        elif s[i] == "=":
            m = re.compile(r"=(\S*?)(?=\s|\}|$)").match(s, i); d[k] = m.group(1); i = m.end()
    return d, i

for line in sys.stdin:
    line = line.strip()
    if not line.startswith("list-sa event"):
        continue
    ev, _ = parse(line[len("list-sa event"):].strip()[1:], 0)
    for name, ike in ev.items():
        print("ike", name, ike.get("uniqueid", "-"), ike.get("state", "-"),
              ike.get("version", "-"),
              "%s:%s" % (ike.get("local-host", "-"), ike.get("local-port", "-")),
              "%s:%s" % (ike.get("remote-host", "-"), ike.get("remote-port", "-")),
              ike.get("initiator-spi", "-"), ike.get("responder-spi", "-"))
        for cname, c in (ike.get("child-sas") or {}).items():
            print("child", c.get("name", cname), c.get("uniqueid", "-"), c.get("state", "-"),
                  c.get("mode", "-"), c.get("protocol", "-"), c.get("spi-in", "-"),
                  c.get("spi-out", "-"), ",".join(c.get("local-ts", [])) or "-",
                  ",".join(c.get("remote-ts", [])) or "-", c.get("encap", "no"))
'
}

# swan_stop NAME: SIGTERM to NAME's charon (by its PID), SIGKILL after 5 s; 1 if it had died
# or had to be killed.
swan_stop()
{
	local p=${SWAN_PID[$1]:-}
	[ -n "$p" ] || return 1
	unset "SWAN_PID[$1]"
	pid_stop "$p" TERM 5
}
